"""JESIP M/ETHANE as radio text: the seven lines an operator reads over the air.

    M – MAJOR INCIDENT DECLARED: Yes
    E – EXACT LOCATION: M4 J32 westbound, Coryton interchange
    T – TYPE OF INCIDENT: Multi-vehicle collision involving a tanker
    H – HAZARDS: Diesel spill, possible chemical load, fire risk
    A – ACCESS: From J33 eastbound via the contraflow; RVP at Coryton services
    N – NUMBER AND SEVERITY OF CASUALTIES: At least 8: 2 critical, 3 serious, 3 minor
    E – EMERGENCY SERVICES: present police, fire; required ambulance, HART

Writing: each value goes on one line (runs of white space, line breaks included, become
one space), an empty list of services reads "none", and only the M/ETHANE block is
carried: everything else in the message is listed as lost.

Reading is tolerant: ASCII hyphens, en or em dashes or a colon after the letter, any
case, extra spaces, the letter alone ("H: fuel leak") or the label alone ("Hazards:
fuel leak"), lines continued onto the next line, and a header such as "METHANE" before
the first line. A report with no M line is an ETHANE report: no major incident declared.
A missing E, T, H, A, N or emergency-services line is a fault naming that line."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

import msgspec

from bluelight.hub.adapters.codecs.base import CodecError, Native, Translation
from bluelight.hub.domain.incident import (
    Incident,
    IncidentType,
    Location,
    Methane,
    Priority,
)
from bluelight.kernel.errors import FieldFault, validation_fault

FORMAT = "methane"
MEDIA_TYPE = "text/plain; charset=utf-8"
MAX_BYTES = 64 * 1024

# (key, letter, label as written). The two E lines are told apart by their keys.
LINES = (
    ("M", "M", "MAJOR INCIDENT DECLARED"),
    ("E1", "E", "EXACT LOCATION"),
    ("T", "T", "TYPE OF INCIDENT"),
    ("H", "H", "HAZARDS"),
    ("A", "A", "ACCESS"),
    ("N", "N", "NUMBER AND SEVERITY OF CASUALTIES"),
    ("E2", "E", "EMERGENCY SERVICES"),
)
_LABEL = {key: label for key, _, label in LINES}
_LETTER = {key: letter for key, letter, _ in LINES}
_FIELD = {
    "E1": "exact_location",
    "T": "type_of_incident",
    "H": "hazards",
    "A": "access",
    "N": "number_of_casualties",
}
_DASH = "–"  # en dash, as on the JESIP aide-memoire
_DASHES = str.maketrans({"–": "-", "—": "-", "−": "-", "‐": "-", "‑": "-"})
_NONE = frozenset({"none", "nil", "n/a", "-"})
_YES = frozenset({"yes", "y", "true", "declared", "major incident declared"})
_NO = frozenset({"no", "n", "false", "not declared", "not yet", "no declaration"})

# "H - ..." / "H: ..." / "h – ...": a letter and a separator (never "a." or "b)", which
# are list items in a continued value).
_LETTER_PREFIX = re.compile(r"([A-Za-z])\s*[-:]\s*(.*)$", re.S)
# "HAZARDS: ..." / "Access - ...": a label of letters and spaces, then ":" or "-".
_LABEL_PREFIX = re.compile(r"([A-Za-z][A-Za-z /&]*?)\s*(?::|-)\s*(.*)$", re.S)
_SERVICES_PART = re.compile(
    r"(present|required|requested|needed|attending|on scene|en route)\b\s*:?\s*(.*)$",
    re.I | re.S)


def squash(value: str) -> str:
    """A value as one line: every run of white space (line breaks too) becomes a space."""
    return " ".join(value.split())


def _services_text(services: list[str]) -> str:
    return ", ".join(squash(s) for s in services) or "none"


def to_text(methane: Methane) -> str:
    """The report as a radio operator reads it, one line per letter."""
    values = {
        "M": "Yes" if methane.major_incident_declared else "No",
        "E2": (f"present {_services_text(methane.emergency_services_present)}; "
               f"required {_services_text(methane.emergency_services_required)}"),
    }
    values |= {key: squash(getattr(methane, name)) for key, name in _FIELD.items()}
    return "\n".join(f"{letter} {_DASH} {label}: {values[key]}".rstrip()
                     for key, letter, label in LINES) + "\n"


def normalised(methane: Methane) -> Methane:
    """What `to_text` then reading back gives: values on one line, services as read."""
    present, required = _parse_services(
        f"present {_services_text(methane.emergency_services_present)}; "
        f"required {_services_text(methane.emergency_services_required)}")
    return msgspec.structs.replace(
        methane, emergency_services_present=present, emergency_services_required=required,
        **{name: squash(getattr(methane, name)) for name in _FIELD.values()})


def text_losses(methane: Methane, prefix: str) -> list[str]:
    """The services lists the text cannot carry as they are: a name with a comma or a
    semicolon in it, one that is only white space, or one that reads "none"."""
    back = normalised(methane)
    return [f"{prefix}.{name}" for name in
            ("emergency_services_present", "emergency_services_required")
            if [squash(s) for s in getattr(methane, name)] != getattr(back, name)]


def present_fields(value: msgspec.Struct, prefix: str = "") -> list[str]:
    """Dotted names of the fields of a struct that are set (not at their default),
    descending into nested structs. A nested struct with nothing set is named itself."""
    names: list[str] = []
    for field in msgspec.structs.fields(value):
        item = getattr(value, field.name)
        if field.default is not msgspec.NODEFAULT and item == field.default:
            continue
        if field.default_factory is not msgspec.NODEFAULT and item == field.default_factory():
            continue
        path = f"{prefix}.{field.name}" if prefix else field.name
        inner = present_fields(item, path) if isinstance(item, msgspec.Struct) else []
        names.extend(inner or [path])
    return names


def _methane_of(native: Native) -> tuple[Methane, str]:
    if native.kind == "incident" and native.incident and native.incident.methane:
        return native.incident.methane, "incident.methane"
    if native.kind == "update" and native.update and native.update.methane:
        return native.update.methane, "update.methane"
    where = "update.methane" if native.kind == "update" else "incident.methane"
    raise CodecError(FORMAT, f"this {native.kind} message has no M/ETHANE report to write",
                     [FieldFault(where, "required for M/ETHANE")])


def encode(native: Native) -> Translation:
    methane, path = _methane_of(native)
    losses = [name for name in present_fields(native)
              if name != "kind" and name != path and not name.startswith(path + ".")]
    losses += text_losses(methane, path)
    data = to_text(methane).encode("utf-8", errors="replace")
    return Translation(data=data, media_type=MEDIA_TYPE, losses=losses)


# --- reading -------------------------------------------------------------------------

def _key_of_label(label: str) -> str | None:
    words = squash(label).upper()
    if len(words.split()) > 6:
        return None
    if "MAJOR" in words:
        return "M"
    if "HAZARD" in words:
        return "H"
    if "ACCESS" in words:
        return "A"
    if "CASUALT" in words or words.startswith("NUMBER"):
        return "N"
    if "SERVICE" in words or "EMERGENCY" in words:
        return "E2"
    if "LOCATION" in words or "EXACT" in words:
        return "E1"
    if "TYPE" in words or "INCIDENT" in words:
        return "T"
    return None


def _classify(line: str, seen: set[str]) -> tuple[str, str] | None:
    """(key, value) when the line starts one of the seven lines, else None. Dashes are
    read as hyphens for the letter and label only: the value is kept as written."""
    text = line.strip()
    norm = text.translate(_DASHES)  # one character for one: positions stay the same
    letter, start = None, 0
    if (m := _LETTER_PREFIX.match(norm)) and m.group(1).upper() in "METHAN":
        letter, start = m.group(1).upper(), m.start(2)
    if ((m := _LABEL_PREFIX.match(norm, start)) and (key := _key_of_label(m.group(1)))
            and (letter is None or _LETTER[key] == letter)):
        return key, text[m.start(2):]
    if letter is not None and text[0].isupper():
        if letter == "E":
            return ("E2" if "E1" in seen else "E1"), text[start:]
        return letter, text[start:]
    return None


def _split_services(text: str) -> list[str]:
    items = [squash(item) for item in text.split(",")]
    return [item for item in items if item and item.lower() not in _NONE]


def _parse_services(value: str) -> tuple[list[str], list[str]]:
    present: list[str] = []
    required: list[str] = []
    untagged: list[str] = []
    for part in value.split(";"):
        if not part.strip():
            continue
        if m := _SERVICES_PART.match(part.strip()):
            word = m.group(1).lower()
            target = required if word in ("required", "requested", "needed") else present
            target.extend(_split_services(m.group(2)))
        else:
            untagged.append(part)
    # Without "present"/"required", the first part is those present, the next required.
    for index, part in enumerate(untagged):
        (present if index == 0 and not present else required).extend(_split_services(part))
    return present, required


def _declared(value: str) -> bool | None:
    word = squash(value).lower().rstrip(".!")
    if word in _YES or word.startswith("yes"):
        return True
    if word in _NO or word.startswith("no"):
        return False
    return None


def parse(text: str) -> Methane:
    """The M/ETHANE block in a radio text, or CodecError naming the missing lines."""
    values: dict[str, list[str]] = {}
    faults: list[FieldFault] = []
    current: str | None = None
    for line in text.splitlines():
        if not line.strip():
            continue
        found = _classify(line, set(values))
        if found is not None:
            key, value = found
            if key in values:
                faults.append(FieldFault(_LETTER[key], f"{_LABEL[key]} line given twice"))
            values[key] = [value]
            current = key
        elif current is not None:
            values[current].append(line)  # a value continued on the next line
    faults += [FieldFault(_LETTER[key], f"line missing: {_LABEL[key]}")
               for key, _, _ in LINES if key != "M" and key not in values]
    declared = False
    if "M" in values:
        answer = _declared(" ".join(values["M"]))
        if answer is None:
            faults.append(FieldFault("M", "MAJOR INCIDENT DECLARED must be Yes or No"))
        declared = bool(answer)
    if faults:
        raise CodecError(FORMAT, "; ".join(f"{f.field}: {f.fault}" for f in faults), faults)
    fields = {name: squash(" ".join(values[key])) for key, name in _FIELD.items()}
    present, required = _parse_services(" ".join(values["E2"]))
    try:
        return msgspec.convert(
            {"major_incident_declared": declared, **fields,
             "emergency_services_present": present, "emergency_services_required": required},
            Methane)
    except msgspec.ValidationError as exc:
        fault = validation_fault(str(exc))
        key = next((k for k, name in _FIELD.items() if fault.field.startswith(name)), "E2")
        raise CodecError(FORMAT, f"{_LABEL[key]}: {fault.fault}",
                         [FieldFault(_LETTER[key], f"{_LABEL[key]} {fault.fault}")]) from None


def decode(data: bytes) -> Translation:
    if len(data) > MAX_BYTES:
        raise CodecError(FORMAT, f"text is {len(data)} bytes; the limit is {MAX_BYTES}",
                         [FieldFault("(document)", "too large")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CodecError(FORMAT, "the text is not UTF-8",
                         [FieldFault("(document)", "not UTF-8")]) from None
    methane = parse(text)
    digest = hashlib.sha256(to_text(methane).encode()).hexdigest()[:12].upper()
    location = Location(address=methane.exact_location) if methane.exact_location else Location()
    incident = Incident(
        reference=f"METHANE-{digest}",
        type=IncidentType.MAJOR_INCIDENT,
        priority=Priority.EMERGENCY if methane.major_incident_declared else Priority.URGENT,
        summary=methane.type_of_incident or "M/ETHANE report",
        location=location,
        created_at=datetime.now(UTC),
        methane=methane,
    )
    return Translation(native=Native(kind="incident", incident=incident))
