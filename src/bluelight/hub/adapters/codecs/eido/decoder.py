"""Decoding: an EIDO -> a native incident, and the EIDO fields it could not carry (see
docs/codecs/eido.md for the mapping)."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

import msgspec

from bluelight.hub.adapters.codecs.base import CodecError, Native, Translation
from bluelight.hub.adapters.codecs.eido.fields import fail, join
from bluelight.hub.adapters.codecs.eido.notes import html_to_text
from bluelight.hub.adapters.codecs.eido.phones import phone_from_uri
from bluelight.hub.adapters.codecs.eido.pidf import read_pidf_lo
from bluelight.hub.adapters.codecs.eido.profile import (
    AGENCY_ROLE,
    CALLER_ROLE,
    CAUTION_REGISTRY,
    CAUTION_SEVERITY,
    EIDO_VERSION,
    FORMAT,
)
from bluelight.hub.adapters.codecs.eido.reader import DocumentReader, unused
from bluelight.hub.adapters.codecs.eido.references import REFERENCE, sanitise_reference
from bluelight.hub.adapters.codecs.eido.tables import (
    CALL_PRIORITY,
    REGISTRY_TO_TYPE,
    TYPE_TO_REGISTRY,
    TYPE_WORDS,
    agency_types,
)
from bluelight.hub.adapters.codecs.eido.validation import parse_json, validate
from bluelight.hub.domain.incident import (
    INCIDENT_TYPE_LABELS,
    CallerContact,
    Incident,
    IncidentType,
    Location,
    Priority,
)
from bluelight.kernel.errors import FieldFault

# Location types in the order a decoder prefers them as *the* incident location.
_LOCATION_PREFERENCE = ("incident", "incidentlocation", "caller", "device", "routinglocation")


def decode(data: bytes, *, schema_dir: str | os.PathLike[str] | None = None) -> Translation:
    """An EIDO document -> a native incident, and the EIDO fields it could not carry."""
    document = parse_json(data)
    validate(document, schema_dir)
    return _Decoder(document).run()


class _Decoder(DocumentReader):
    """Maps one EIDO onto a native incident: the whole document, then its parts."""

    # -- the whole document --------------------------------------------------------------

    def run(self) -> Translation:
        d = self.doc
        missing = [k for k in ("$id", "lastUpdateTimeStamp", "updatedByAgencyReference",
                               "eidoVersion", "issuingElementIdentification") if k not in d]
        if missing:
            raise CodecError(FORMAT, f"missing {', '.join(missing)}",
                             [FieldFault(k, "is required") for k in missing])
        if self.text(d, "eidoVersion", "") != EIDO_VERSION:
            raise fail("eidoVersion", f"must be {EIDO_VERSION!r}")
        eido_id = self.text(d, "$id", "") or ""
        stamp = self.text(d, "lastUpdateTimeStamp", "") or ""
        sent_at = self.time(d, "lastUpdateTimeStamp", "")
        sender = self.ref(d, "updatedByAgencyReference", "")
        issuer = self.text(d, "issuingElementIdentification", "", use=False)
        if sender is None or issuer == sender:
            sender = sender or issuer
            self.use("issuingElementIdentification")
        for name in ("agencyComponent", "agentComponent", "notesComponent",
                     "locationComponent", "personComponent", "callbackComponent",
                     "callComponent", "cautionComponent", "additionalDataComponent"):
            for path, component in self.components(name):
                if isinstance(component.get("$id"), str):
                    self.by_id.setdefault(component["$id"], (path, component))

        incident_path = "incidentComponent"
        incident = self.get(d, incident_path, "", dict, use=False) or {}
        calls = self.components("callComponent")
        caller_path, caller_person = self._caller_person()

        reference = self._reference(incident, incident_path, eido_id)
        kind, type_text_used = self._type(incident, incident_path)
        priority = self._priority(incident, incident_path, calls)
        created_at = self._created_at(incident, incident_path, calls) or sent_at
        summary, notes = self._notes(incident, incident_path, caller_person)
        if summary is None:
            summary = self._summary_fallback(incident, incident_path, calls, kind, sender,
                                             type_text_used)
        self._agency(sender)
        result = Incident(
            reference=reference,
            type=kind,
            priority=priority,
            summary=summary,
            notes=notes,
            location=self._location(incident, incident_path),
            hazards=self._hazards(),
            caller=self._caller(caller_path, caller_person, calls),
            created_at=created_at,
        )
        try:  # constraints (lengths, patterns) are checked by convert, not by __init__
            result = msgspec.convert(msgspec.to_builtins(result), Incident)
        except msgspec.ValidationError as exc:
            raise CodecError(FORMAT, f"cannot be represented as an incident: {exc}",
                             [FieldFault("(document)", str(exc))]) from None
        native = Native(kind="incident", message_id=f"{eido_id}@{stamp}", sender=sender,
                        sent_at=sent_at, reference=reference, incident=result)
        unused(self.doc, "", self.used, self.losses)
        return Translation(native=native, losses=list(dict.fromkeys(self.losses)))

    # -- the parts -----------------------------------------------------------------------

    def _reference(self, incident: dict[str, Any], path: str, eido_id: str) -> str:
        internal = self.text(incident, "internalIncidentId", path, use=False)
        if internal is not None and REFERENCE.match(internal):
            self.use(join(path, "internalIncidentId"))
            return internal
        return sanitise_reference(eido_id)  # the original stays in message_id

    def _type(self, incident: dict[str, Any], path: str) -> tuple[IncidentType, bool]:
        """The incident type, and whether the internal text was used up on the way."""
        code = self.text(incident, "incidentTypeInternalCode", path, use=False)
        common = self.text(incident, "incidentTypeCommonRegistryText", path, use=False)
        label = self.text(incident, "incidentTypeInternalText", path, use=False)
        kind: IncidentType | None = None
        if code in {t.value for t in IncidentType}:
            kind = IncidentType(code)
            self.use(join(path, "incidentTypeInternalCode"))
        elif common is not None and common.strip().upper() in REGISTRY_TO_TYPE:
            kind = REGISTRY_TO_TYPE[common.strip().upper()]
            self.use(join(path, "incidentTypeCommonRegistryText"))
        else:
            for key, value in (("incidentTypeCommonRegistryText", common),
                               ("incidentTypeInternalText", label),
                               ("incidentTypeInternalCode", code)):
                hit = value and next((t for rx, t in TYPE_WORDS if rx.search(value.lower())),
                                     None)
                if hit:
                    kind = hit
                    self.use(join(path, key))
                    break
        kind = kind or IncidentType.OTHER
        # Values that only restate the type (what this encoder writes) are not losses.
        if common is not None and (common == TYPE_TO_REGISTRY[kind]
                                   or REGISTRY_TO_TYPE.get(common.strip().upper()) == kind):
            self.use(join(path, "incidentTypeCommonRegistryText"))
        if label is not None and label == INCIDENT_TYPE_LABELS[kind]:
            self.use(join(path, "incidentTypeInternalText"))
        return kind, join(path, "incidentTypeInternalText") in self.used

    def _priority(self, incident: dict[str, Any], path: str,
                  calls: list[tuple[str, dict[str, Any]]]) -> Priority:
        text = self.text(incident, "incidentPriorityInternalText", path, use=False)
        if text is not None and text.strip().lower() in {p.value for p in Priority}:
            self.use(join(path, "incidentPriorityInternalText"))
            return Priority(text.strip().lower())
        for call_path, call in calls:
            value = self.text(call, "priorityIdentifier", call_path, use=False)
            if value is not None and value in CALL_PRIORITY:
                self.use(join(call_path, "priorityIdentifier"))
                return CALL_PRIORITY[value]
        return Priority.EMERGENCY

    def _created_at(self, incident: dict[str, Any], path: str,
                    calls: list[tuple[str, dict[str, Any]]]) -> datetime | None:
        starts = []
        for call_path, call in calls:
            start = self.time(call, "callStartTimestamp", call_path, use=False)
            if start is not None:
                starts.append((start, join(call_path, "callStartTimestamp")))
        if starts:
            start, where = min(starts, key=lambda s: s[0])
            self.use(where)
            return start
        return self.time(incident, "lastUpdateTimeStamp", path, use=False)

    def _note_text(self, note_id: str) -> tuple[str, str] | None:
        found = self.by_id.get(note_id)
        if found is None or not found[0].startswith("notesComponent["):
            return None
        path, note = found
        text = self.text(note, "notesActionComments", path)
        return (path, html_to_text(text)) if text is not None else None

    def _notes(self, incident: dict[str, Any], path: str,
               caller: dict[str, Any] | None) -> tuple[str | None, str]:
        """Summary (first note, if short enough) and notes (the rest). Notes attached
        to the caller belong to the caller."""
        caller_notes = set(self.refs(caller, "notesReference", "") if caller else [])
        notes_by_key: dict[str, tuple[str, dict[str, Any]]] = {}
        for note_path, note in self.components("notesComponent"):
            key = note["$id"] if isinstance(note.get("$id"), str) else note_path
            notes_by_key.setdefault(key, (note_path, note))
        linked = [i for i in self.refs(incident, "notesReference", path) if i in notes_by_key]
        texts: list[tuple[str, str]] = []
        for key in dict.fromkeys([*linked, *notes_by_key]):
            if key in caller_notes:
                continue
            note_path, note = notes_by_key[key]
            text = self.text(note, "notesActionComments", note_path)
            if text is not None and (plain := html_to_text(text)) != "":
                texts.append((note_path, plain))
        summary = None
        if texts and len(texts[0][1]) <= 500:
            summary = texts.pop(0)[1]
        elif texts:
            first_line = texts[0][1].strip().splitlines()[0] if texts[0][1].strip() else ""
            summary = _clip(first_line, 500) or None
        notes = "\n\n".join(t for _, t in texts)
        if len(notes) > 10_000:
            notes = _clip(notes, 10_000)
            self.losses.append("notesComponent")
        return summary, notes

    def _summary_fallback(self, incident: dict[str, Any], path: str,
                          calls: list[tuple[str, dict[str, Any]]], kind: IncidentType,
                          sender: str | None, type_text_used: bool) -> str:
        label = self.text(incident, "incidentTypeInternalText", path, use=False)
        if label and label.strip() and not type_text_used:
            self.use(join(path, "incidentTypeInternalText"))
            return _clip(label.strip(), 500)
        origin = f" from {sender}" if sender else ""
        for call_path, call in calls:
            call_type = self.text(call, "standardPrimaryCallType", call_path, use=False)
            if call_type and call_type.strip():
                self.use(join(call_path, "standardPrimaryCallType"))
                return _clip(f"{call_type.strip().capitalize()} call transferred{origin}", 500)
        return _clip(f"{INCIDENT_TYPE_LABELS[kind]} incident transferred{origin}", 500)

    def _agency(self, sender: str | None) -> None:
        """The sender's own agency component restates the sender: not a loss when it
        says what this encoder would have said."""
        for path, agency in self.components("agencyComponent"):
            if agency.get("$id") != sender:
                continue
            if self.texts(agency, "agencyRoleDescriptionRegistryText", path) == AGENCY_ROLE:
                self.use(join(path, "agencyRoleDescriptionRegistryText"))
            if self.texts(agency, "agencyType", path) == agency_types(sender):
                self.use(join(path, "agencyType"))

    # -- location --------------------------------------------------------------------------

    def _location(self, incident: dict[str, Any], path: str) -> Location:
        linked = self.refs(incident, "locationReference", path)
        candidates: list[tuple[int, int, str, dict[str, Any]]] = []
        for order, (loc_path, loc) in enumerate(self.components("locationComponent")):
            kind = self.text(loc, "locationTypeDescriptionRegistryText", loc_path, use=False)
            if not (loc.get("locationByValue") or loc.get("locationDescriptionText")):
                continue  # by reference only: nothing to read here
            rank = 0 if loc.get("$id") in linked else 1
            kind_key = (kind or "").replace(" ", "").lower()
            preference = (_LOCATION_PREFERENCE.index(kind_key)
                          if kind_key in _LOCATION_PREFERENCE else len(_LOCATION_PREFERENCE))
            candidates.append((rank, preference * 1000 + order, loc_path, loc))
        if not candidates:
            return Location()
        _, _, loc_path, loc = min(candidates, key=lambda c: (c[0], c[1]))
        self.use(join(loc_path, "locationTypeDescriptionRegistryText"))
        description = self.text(loc, "locationDescriptionText", loc_path)
        address = lat = lon = None
        pidf = self.text(loc, "locationByValue", loc_path)
        if pidf is not None:
            address, lat, lon = read_pidf_lo(pidf, join(loc_path, "locationByValue"), self.losses)
        return Location(address=_clip(address, 500) if address else None, lat=lat, lon=lon,
                        description=_clip(description, 500) if description else None)

    # -- people ----------------------------------------------------------------------------

    def _caller_person(self) -> tuple[str, dict[str, Any] | None]:
        for path, person in self.components("personComponent"):
            roles = self.texts(person, "personIncidentRoleRegistryText", path)
            if any(r.strip().lower() == CALLER_ROLE.lower() for r in roles):
                self.use(join(path, "personIncidentRoleRegistryText"))
                return path, person
        return "", None

    def _caller(self, path: str, person: dict[str, Any] | None,
                calls: list[tuple[str, dict[str, Any]]]) -> CallerContact | None:
        name = phone = notes = None
        callback: str | None = None
        if person is not None:
            name = self._person_name(person, path)
            callback = self.ref(person, "callBackReference", path)
            texts = [t for i in self.refs(person, "notesReference", path)
                     if (t := self._note_text(i)) and t[1]]
            notes = _clip("\n\n".join(t for _, t in texts), 500) or None
        for call_path, call in calls:  # the call that brought the caller in
            if callback is not None:
                break
            people = self.refs(call, "personReference", call_path)
            if person is None or person.get("$id") in people:
                callback = self.ref(call, "callBackReference", call_path)
        if callback is not None and callback in self.by_id:
            phone = self._phone(*self.by_id[callback])
        if person is None and phone is None:
            return None
        return CallerContact(name=name, phone=phone, notes=notes)

    def _person_name(self, person: dict[str, Any], path: str) -> str | None:
        nc_path = join(path, "ncPersonComponent")
        nc = self.get(person, "ncPersonComponent", path, dict, use=False)
        if not nc:
            return None
        names = self.get(nc, "name", nc_path, list, use=False) or []
        if not names or not isinstance(names[0], dict):
            return None
        name_path = join(join(nc_path, "name"), 0)

        def value(key: str) -> str | None:
            items = self.get(names[0], key, name_path, list, use=False) or []
            if items and isinstance(items[0], dict):
                text = self.text(items[0], "value", join(join(name_path, key), 0))
                return text if text and text.strip() else None
            return None

        full = value("personFullName")
        if full:
            return _clip(full, 500)
        parts = [p.strip() for p in (value("personGivenName"), value("personMiddleName"),
                                     value("personSurName")) if p]
        return _clip(" ".join(parts), 500) if parts else None

    def _phone(self, path: str, callback: dict[str, Any]) -> str | None:
        if not path.startswith("callbackComponent["):
            return None
        uris = self.texts(callback, "callBackInformationUri", path)
        ranked = sorted(range(len(uris)), key=lambda i: not uris[i].lower().startswith("tel:"))
        for index in ranked:
            phone = phone_from_uri(uris[index])
            if phone:
                self.use(join(join(path, "callBackInformationUri"), index))
                return phone
        updated = self.get(callback, "updatedCbn", path, dict, use=False)
        if updated:
            where = join(path, "updatedCbn")
            uri = self.text(updated, "updatedCbnIdentifierUri", where, use=False)
            if uri and (phone := phone_from_uri(uri)):
                self.use(join(where, "updatedCbnIdentifierUri"))
                return phone
        return None

    def _hazards(self) -> list[str]:
        hazards: list[str] = []
        for path, caution in self.components("cautionComponent"):
            text = self.text(caution, "cautionTypeInternalText", path, use=False)
            common = self.text(caution, "cautionTypeCommonRegistryText", path, use=False)
            from_text = bool(text)  # kept as written, even if only spaces
            label = text if from_text else (common or "").strip()
            if not label or len(hazards) >= 50:
                continue
            self.use(join(path, "cautionTypeInternalText" if from_text
                          else "cautionTypeCommonRegistryText"))
            if common in (CAUTION_REGISTRY, text):
                self.use(join(path, "cautionTypeCommonRegistryText"))
            if caution.get("cautionSeverity") == CAUTION_SEVERITY:
                self.use(join(path, "cautionSeverity"))
            if len(label) > 200:
                self.losses.append(join(path, "cautionTypeInternalText"))
            hazards.append(_clip(label, 200))
        return hazards


def _clip(text: str | None, limit: int) -> str:
    if text is None:
        return ""
    return text if len(text) <= limit else text[: limit - 1] + "…"
