"""The national overview: "Emergency Services Collaboration: The Current Picture" (Home
Office et al., 2014), seed 001.

Layout, as the PDF-to-text conversion left it:
- the "Collaboration across the country A-Z" runs from Avon and Somerset to Wiltshire.
  Each area is a heading line, then "Current Collaboration", "Leaders", "Future Plans"
  and sometimes "Government Supported Projects", in varying order. Three areas (Essex,
  Suffolk, Wiltshire) lost their heading in the conversion: their block starts at
  "Current Collaboration", and the name is recovered from the police force or fire
  authority the block names.
- short lines without end punctuation are sub-headings or picture captions; a caption
  is kept as a title only if the paragraph after it mentions it.
- "Government Funding" and "Fire Transformation Fund Awards 2014 - update" list awards
  (one heading + one paragraph each); "National Collaboration Between Emergency
  Services" holds national programmes (JESIP, ESN...).
The "Headlines" section repeats the A-Z in short and is not imported twice."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bluelight.wire.service import Service
from bluelight.workbench.adapters.seeds import text as read
from bluelight.workbench.adapters.seeds.drafts import Document, Draft
from bluelight.workbench.domain.collaboration import Person, slug

A_Z = "Collaboration across the country A-Z"
NATIONAL = "National (England and Wales)"
AS_OF = "2014"
_PARTY = re.compile(r"\s*\((?:Ind|Cons|Lab|Labour|Conservative|Lib Dem)\)\s*", re.I)
_KEY = re.compile(r"^([A-Z][A-Za-z /&()'.-]{1,45}?):\s*(.*)$")
_SECTIONS = (("Current Collaboration", "current"), ("Future Plans", "future"),
             ("Government Supported Projects", "funding"), ("Other Collaboration", None))
_STOP = {"the", "and", "with", "between", "from", "for", "into", "joint", "collaboration"}


class SeedFormatError(ValueError):
    """The document does not have the layout the parser expects."""


@dataclass
class Area:
    name: str
    lines: list[str]
    people: list[Person] = field(default_factory=list)
    orgs: dict[Service, str] = field(default_factory=dict)


def heading_like(line: str, limit: int = 45) -> bool:
    return (0 < len(line) <= limit and line[0].isupper() and not line.startswith("- ")
            and not line.endswith((".", ":", ";", ",")) and not re.match(r"^\d", line))


def _index(lines: list[str], exact: str, after: int = 0) -> int:
    """The body's heading, not the contents entry (which carries a page number)."""
    for i in range(after, len(lines)):
        if lines[i] == exact:
            return i
    raise SeedFormatError(f"heading not found: {exact!r}")


def title_of(lines: list[str]) -> str:
    head = []
    for line in lines:
        if line == "Contents":
            break
        if line:
            head.append(line)
    if not head:
        raise SeedFormatError("no title before the contents")
    return f"{head[0]}: {' '.join(head[1:])}" if len(head) > 1 else head[0]


def network_email(lines: list[str]) -> str | None:
    for line in lines:
        if "direct contact with project leaders" in line:
            m = re.search(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", line)
            return m.group(0) if m else None
    return None


# ---- leaders ------------------------------------------------------------------------


def _leader_items(lines: list[str], start: int) -> tuple[list[tuple[str, str]], int]:
    """The `key: value` items after a "Leaders" line, joining wrapped lines; returns the
    items and the index of the first line after the block."""
    items: list[list[str]] = []
    i, blank = start, False
    while i < len(lines):
        line = lines[i]
        if not line:
            blank, i = True, i + 1
            continue
        key = _KEY.match(line)
        if key and not any(line.startswith(s) for s, _ in _SECTIONS):
            items.append([key.group(1).strip(), key.group(2).strip()])
        elif items and len(line) <= 70 and (not line.endswith(".") or not items[-1][1]) and (
                not blank or not items[-1][1]) and not any(
                line.startswith(s) for s, _ in _SECTIONS):
            items[-1][1] = f"{items[-1][1]} {line}".strip()
        else:
            break
        blank, i = False, i + 1
    return [(k, v.rstrip(";. ")) for k, v in items], i


def _service_of_key(key: str, context: Service) -> Service:
    k = key.lower()
    if re.search(r"\bpcc\b|constable|\bcc\b|commissioner|mayor", k):
        return Service.POLICE
    if "fire" in k:
        return Service.FIRE
    return context


def _role(key: str) -> tuple[str, str | None]:
    """('Norfolk PCC') → ('Police and Crime Commissioner', 'Norfolk')."""
    m = re.match(r"^(?:(.+?) )?(PCC/Mayor|PCC|CC|Chief Constable)$", key)
    if m:
        role = {"PCC": "Police and Crime Commissioner", "CC": "Chief Constable",
                "PCC/Mayor": "Police and Crime Commissioner / Mayor"}.get(m.group(2),
                                                                            m.group(2))
        return role, m.group(1)
    return key, None


def leaders(area: Area, items: list[tuple[str, str]]) -> None:
    context = Service.POLICE
    for key, value in items:
        k = key.lower()
        if "authorit" in k:
            context = Service.FIRE
            first = re.split(r"[;,]", value)[0].strip().rstrip(".")
            if first and Service.FIRE not in area.orgs:
                area.orgs[Service.FIRE] = (
                    first if re.search(r"Authority|Fire", first)
                    else f"{first.replace(' & ', ' and ')} Fire and Rescue Service")
            continue
        if k.startswith("ambulance"):
            context = Service.AMBULANCE
            area.orgs.setdefault(Service.AMBULANCE, value.rstrip("."))
            continue
        service = _service_of_key(key, context)
        if service is Service.POLICE:
            context = Service.POLICE
        role, qualifier = _role(key)
        for part in value.split(";"):
            part = _PARTY.sub(" ", part).strip().rstrip(".")
            if not part:
                continue
            name, notes = part, []
            while m := re.search(r"\s*\(([^)]*)\)?\s*$", name):
                notes.insert(0, m.group(1))
                name = name[:m.start()].strip()
            name = name.split(". ")[0].strip().rstrip(".")
            org = _org_of(service, qualifier, area)
            person_role = role
            for note in notes:
                if len(note.split()) <= 4 and note[:1].isupper():
                    org = _org_of(service, note, area)
                else:
                    person_role = f"{role} ({note})"
            if name:
                area.people.append(Person(name=name, role=person_role[:200],
                                          organisation=org, service=service))


def _org_of(service: Service, qualifier: str | None, area: Area) -> str | None:
    if qualifier:
        q = qualifier.replace(" & ", " and ")
        return {Service.POLICE: f"{q} Police",
                Service.FIRE: f"{q} Fire and Rescue Service"}.get(service, q)
    return area.orgs.get(service)


# ---- areas --------------------------------------------------------------------------


def _infer_name(block: list[str]) -> str:
    text = " ".join(block)
    m = re.search(r"\b([A-Z][a-z]+) (?:Police|Constabulary)\b", text)
    if m:
        return m.group(1)
    m = re.search(r"Fire and Rescue Authority: ([A-Z][a-z]+)", text)
    if m:
        return m.group(1)
    raise SeedFormatError(f"an area without a heading could not be named: {text[:80]!r}")


def areas(lines: list[str], start: int) -> tuple[list[Area], int]:
    """The A-Z areas after line `start`, and where the first begins."""
    starts: list[tuple[int, str | None]] = []
    for i in range(start, len(lines)):
        if lines[i].startswith("Current Collaboration"):
            j = i - 1
            while j > start and not lines[j]:
                j -= 1
            if heading_like(lines[j]) and lines[j] not in dict(_SECTIONS):
                starts.append((j, lines[j]))
            else:
                starts.append((i, None))
    if not starts:
        raise SeedFormatError(f"no areas in {A_Z}")
    result = []
    for n, (s, name) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        block = lines[s + (1 if name else 0):end]
        area = Area(name=name or _infer_name(block), lines=block)
        area.orgs.update(_police_default(area.name))
        result.append(area)
    return result, starts[0][0]


def _police_default(name: str) -> dict[Service, str]:
    """Defaults for partners a passage names only by service ("police and fire")."""
    if m := re.match(r"^Wales \((.+)\)$", name):
        region = m.group(1)
        force = {"North": "North Wales Police", "South": "South Wales Police",
                 "Mid and West": "Dyfed-Powys Police"}.get(region, f"{region} Police")
        return {Service.POLICE: force,
                Service.FIRE: f"{region} Wales Fire and Rescue Service",
                Service.AMBULANCE: "Welsh Ambulance Services NHS Trust"}
    return {Service.POLICE: f"{name} Police"}


@dataclass
class _Item:
    section: str  # current | future | funding
    heading: str  # the section line as printed, for provenance
    text: str
    subheading: str | None = None
    bullet: bool = False
    intro: bool = False


def _items(area: Area) -> list[_Item]:
    items: list[_Item] = []
    section, heading, pending = "current", "Current Collaboration", None
    lines = area.lines
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line:
            i += 1
            continue
        marker = next(((s, k) for s, k in _SECTIONS if line.startswith(s)), None)
        if line == "Leaders":
            found, i = _leader_items(lines, i + 1)
            leaders(area, found)
            continue
        if marker:
            if marker[1]:
                section, heading = marker[1], line.rstrip(":")
            else:
                pending = line
            i += 1
            continue
        if line.startswith("- "):
            items.append(_Item(section, heading, line[2:].strip(), pending, bullet=True))
            pending = None
        elif re.match(r"^\d+\. ", line) and items:
            items[-1].text += (" " if items[-1].text.endswith(":") else "; ") + line
        elif heading_like(line, 60):
            pending = line
        else:
            items.append(_Item(section, heading, line, pending, intro=line.endswith(":")))
            pending = None
        i += 1
    return items


def _title(item: _Item) -> str:
    if item.subheading:
        words = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", item.subheading)} - _STOP
        if any(w in item.text.lower() for w in words):
            return item.subheading
    m = re.match(r"^([A-Z][^:.]{2,60}): ", item.text)
    if m:
        return m.group(1)
    return read.first_sentence_title(item.text)


def area_drafts(area: Area, network: Person | None) -> list[Draft]:
    items = _items(area)
    drafts: list[Draft] = []
    counters: dict[str, int] = {}
    for n, item in enumerate(items):
        followed_by_bullets = n + 1 < len(items) and items[n + 1].bullet
        if item.intro and followed_by_bullets and len(item.text) < 150:
            continue  # "A number of initiatives are in place:" introduces, is not one
        counters[item.section] = counters.get(item.section, 0) + 1
        people = list(area.people) + ([network] if network else [])
        drafts.append(Draft(
            id=f"{slug(area.name)}-{item.section}-{counters[item.section]}",
            area=area.name, title=_title(item), text=item.text,
            section=f"{A_Z} › {area.name} › {item.heading}", kind=item.section,
            people=people, default_orgs=dict(area.orgs)))
    return drafts


# ---- funding and national sections ---------------------------------------------------


def _norm(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower().replace("&", "and"))


def match_area(name: str, paragraph: str, known: list[Area]) -> str:
    n = _norm(name)
    for a in known:
        if _norm(a.name) == n:
            return a.name
    for a in known:
        if n and (n in _norm(a.name) or _norm(a.name) in n):
            return a.name
    first_amount = re.search(r"£[\d,.]+", paragraph)
    if first_amount:
        for a in known:
            if first_amount.group(0) in " ".join(a.lines):
                return a.name
    return name


def _headed_paragraphs(lines: list[str]) -> list[tuple[str | None, str]]:
    """(heading, paragraph) pairs. A paragraph with no heading of its own that follows
    the previous one after a single blank line continues it (ESN runs over two)."""
    out: list[tuple[str | None, str]] = []
    heading, blanks = None, 0
    for line in lines:
        if not line:
            blanks += 1
            continue
        if line.startswith("[Click here"):
            continue
        if heading_like(line, 60):
            heading = line
        elif heading is None and out and blanks == 1:
            out[-1] = (out[-1][0], f"{out[-1][1]} {line}")
        else:
            out.append((heading, line))
            heading = None
        blanks = 0
    return out


def parse(raw: str, file_name: str) -> tuple[Document, list[Draft]]:
    lines = [read.clean(line) for line in raw.splitlines()]
    doc = Document(file=file_name, title=title_of(lines), as_of=AS_OF)
    email = network_email(lines)
    network = (Person(name="Emergency Services Collaboration Network",
                      role="Peer network: puts practitioners in touch with project leaders",
                      email=email, lead=False) if email else None)
    funding = _index(lines, "Government Funding", _index(lines, "Contents") + 2)
    transformation = _index(lines, "Fire Transformation Fund Awards 2014 - update", funding)
    national = _index(lines, "National Collaboration Between Emergency Services", transformation)
    known, first_area = areas(lines, national + 1)

    drafts: list[Draft] = []
    for area in known:
        drafts.extend(area_drafts(area, network))
    national_people = [network] if network else []

    counters: dict[str, int] = {}
    for heading, paragraph in _headed_paragraphs(lines[funding + 1:transformation]):
        government = heading is None or heading.startswith(("Department", "Home Office"))
        area = NATIONAL if government else match_area(heading, paragraph, known)
        counters[area] = counters.get(area, 0) + 1
        owner = next((a for a in known if a.name == area), None)
        drafts.append(Draft(
            id=f"{slug(area)}-award-{counters[area]}", area=area,
            title=(f"Government funding: {heading}" if heading else
                   read.first_sentence_title(paragraph)),
            text=paragraph, section=f"Government Funding › {heading or ''}".rstrip(" ›"),
            kind="funding", people=(list(owner.people) if owner else []) + national_people,
            default_orgs=dict(owner.orgs) if owner else {}))

    for _, paragraph in _headed_paragraphs(lines[transformation + 1:national]):
        drafts.append(Draft(
            id="national-fire-transformation-fund-2014", area=NATIONAL,
            title="Fire Transformation Fund Awards 2014", text=paragraph,
            section="Fire Transformation Fund Awards 2014 - update", kind="funding",
            people=list(national_people)))

    for n, (heading, paragraph) in enumerate(
            _headed_paragraphs(lines[national + 1:first_area]), start=1):
        drafts.append(Draft(
            id=f"national-{slug(heading) if heading else n}", area=NATIONAL,
            title=heading or read.first_sentence_title(paragraph), text=paragraph,
            section=f"National Collaboration Between Emergency Services › {heading or ''}"
            .rstrip(" ›"), kind="current", people=list(national_people)))
    return doc, drafts


def area_names(raw: str) -> list[str]:
    lines = [read.clean(line) for line in raw.splitlines()]
    national = _index(lines, "National Collaboration Between Emergency Services",
                      _index(lines, "Contents") + 2)
    return [a.name for a in areas(lines, national + 1)[0]]
