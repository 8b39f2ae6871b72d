"""Audit Wales, "Joint Working Between Emergency Services" (January 2022), seed 000.

Unlike the national overview this is an argued report, not a list: collaborations are
mentioned inside numbered paragraphs. So the choice of *which* passages are
collaborations is editorial and written down below (`PASSAGES`, each naming its
paragraph numbers and an anchor phrase); the words themselves (description, figures,
partners, dates) are always read from the document, and a missing anchor stops the
import rather than importing something else. The tables (Appendix 3) and lists
(Exhibit 7, the workstreams of Exhibit 8 named in paragraph 54) are parsed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bluelight.wire.service import Service
from bluelight.workbench.adapters.seeds import text as read
from bluelight.workbench.adapters.seeds.drafts import Document, Draft
from bluelight.workbench.adapters.seeds.overview import SeedFormatError
from bluelight.workbench.domain.collaboration import (
    Category,
    Partner,
    Person,
    Provenance,
    Status,
    Workstream,
    slug,
)

AS_OF = "2022-01"
WALES = "Wales"
JESG = "Joint Emergency Services Group"
SCB = "Strategic Collaboration Board"


@dataclass(frozen=True)
class Passage:
    id: str
    title: str
    area: str
    paragraphs: tuple[int, ...]
    anchors: tuple[str, ...] = ()  # keep the sentences containing any of these
    category: Category | None = None
    status: Status | None = None
    status_reason: str | None = None
    workstream: str | None = None
    live_source: str | None = None
    partners: tuple[tuple[str, Service], ...] | None = None  # when the text is vague
    figures: bool = True  # False when the sentence's figures belong to another passage


_WELSH_SERVICES = (("Welsh police forces", Service.POLICE),
                   ("Welsh fire and rescue services", Service.FIRE),
                   ("Welsh Ambulance Services NHS Trust", Service.AMBULANCE))
_WELSH_FIRE = (("Mid and West Wales Fire and Rescue Service", Service.FIRE),
               ("North Wales Fire and Rescue Service", Service.FIRE),
               ("South Wales Fire and Rescue Service", Service.FIRE))
_WELSH_POLICE = (("Dyfed-Powys Police", Service.POLICE),
                 ("Gwent Police", Service.POLICE),
                 ("North Wales Police", Service.POLICE),
                 ("South Wales Police", Service.POLICE))

PASSAGES = (
    Passage("mait", "Multi-agency incident transfer (MAIT)", WALES, (49, 50),
            ("MAIT",), Category.DATA_SHARING, Status.LIVE, workstream="digital",
            live_source="hub", partners=_WELSH_SERVICES),
    Passage("aw-jigso", "JIGSO: digital planning and response for the resilience community",
            WALES, (49,), ("JIGSO is",), Category.DATA_SHARING, Status.LIVE,
            workstream="digital", partners=_WELSH_SERVICES),
    Passage("aw-wast-at-fire-stations", "Ambulance crews based at fire stations", WALES, (37,),
            ("co-locating at fire stations", "shares fire stations"), Category.CO_LOCATION,
            Status.LIVE),
    Passage("aw-north-wales-police-fire-buildings",
            "North Wales Police and fire share buildings", "Wales (North)", (37,),
            ("share buildings in Tywyn",), Category.CO_LOCATION, Status.LIVE),
    Passage("aw-llandrindod-wells", "Llandrindod Wells shared facility and Swansea sites",
            "Wales (Mid and West)", (38,), ("Llandrindod Wells",), Category.CO_LOCATION,
            Status.LIVE),
    Passage("aw-llantwit-major", "Llantwit Major Joint Emergency Services Station",
            "Wales (South)", (38,), ("Llantwit Major",), Category.CO_LOCATION, Status.LIVE),
    Passage("aw-fire-joint-fleet-group", "Joint fleet group of the three fire and rescue "
            "services", WALES, (43,), ("joint fleet group",), Category.FLEET, Status.LIVE,
            partners=_WELSH_FIRE, figures=False),
    Passage("aw-police-bulk-fuel", "Bulk fuel purchasing by the four police forces", WALES,
            (43,), ("bulk fuel",), Category.FLEET, Status.LIVE, partners=_WELSH_POLICE),
    Passage("aw-joint-public-service-centre", "Joint Public Service Centre, Bridgend",
            "Wales (South)", (45,), ("Joint Public Service Centre", "co-location on a single"),
            Category.JOINT_CONTROL_ROOM, Status.LIVE),
    Passage("aw-dyfed-powys-civil-contingencies",
            "Operational Planning and Civil Contingencies Unit", "Wales (Mid and West)", (46,),
            ("Operational Planning and Civil Contingencies Unit", "The Unit is co-located"),
            Category.CO_LOCATION, Status.LIVE),
    Passage("aw-joint-staffing", "Seconded police in fire crime units; medical response "
            "training for firefighters", WALES, (46,), ("Other joint staffing",),
            Category.TRAINING, Status.LIVE),
    Passage("aw-joint-procurement", "Joint work on protective equipment, uniform and fleet "
            "design and procurement", WALES, (46,), ("personal protective equipment",),
            Category.BACK_OFFICE, Status.LIVE),
    Passage("aw-violence-campaign", "Joint campaign against violence towards emergency "
            "services personnel", WALES, (31,), ("campaign",), Category.PREVENTION,
            Status.LIVE),
    Passage("aw-arson-road-safety", "Joint arson reduction and road safety prevention", WALES,
            (56,), ("arson reduction",), Category.PREVENTION, Status.LIVE),
    Passage("aw-joint-vehicle-maintenance", "Joint vehicle maintenance contracts", WALES,
            (56,), ("joint vehicle maintenance",), Category.FLEET, Status.CONSIDERED,
            partners=_WELSH_SERVICES),
    Passage("aw-co-responding-joint-response", "Fire co-responding and joint response units "
            "with the police", WALES, (61,), ("co-responding",), Category.CO_RESPONDING,
            Status.CONSIDERED, "not progressed in recent years because of uncertainties in "
                               "funding (Audit Wales, paragraph 61)"),
    Passage("aw-scotland-reform-collaboration-group", "Scotland Reform Collaboration Group",
            "Scotland", (68, 69, 71), (), Category.GOVERNANCE, Status.LIVE),
    Passage("aw-thames-valley-steering-group",
            "Thames Valley Emergency Services Steering Group", "Thames Valley", (72,), (),
            Category.GOVERNANCE, Status.LIVE),
    Passage("aw-thames-valley-hub", "Buckinghamshire tri-service 'Hub'", "Thames Valley",
            (73,), ("co-locating in a new purpose built",), Category.CO_LOCATION, Status.LIVE),
    Passage("aw-thames-valley-procurement", "Joint procurement of fire appliances and PPE",
            "Thames Valley", (73,), ("joint procurement",), Category.BACK_OFFICE, Status.LIVE),
    Passage("aw-thames-valley-register", "Thames Valley collaboration register and "
            "monitoring report", "Thames Valley", (73,), ("collaboration register",),
            Category.GOVERNANCE, Status.LIVE),
    Passage("aw-bedfordshire-fire-ambulance", "Bedfordshire fire and East of England "
            "ambulance collaboration", "Bedfordshire", (74, 75), ("evaluation report",
            "extra 600", "category 1"), Category.CO_RESPONDING, Status.LIVE),
)
# The parts of the Bedfordshire evaluation each carry their own figure (paragraph 74).
BEDFORDSHIRE_PARTS = (
    ("aw-bedfordshire-secondments", "firefighter secondments", Category.DEMAND_MANAGEMENT),
    ("aw-bedfordshire-falls-team", "falls team", Category.CO_RESPONDING),
    ("aw-bedfordshire-bariatric-rescue", "bariatric", Category.CO_RESPONDING),
    ("aw-bedfordshire-co-responding", "co-responding with", Category.CO_RESPONDING),
    ("aw-bedfordshire-effecting-entry", "effecting entry", Category.CO_RESPONDING),
)
WORKSTREAM_OF_CATEGORY = {
    Category.CO_LOCATION: "enabling-business-delivery",
    Category.FLEET: "enabling-business-delivery",
    Category.BACK_OFFICE: "enabling-business-delivery",
    Category.DATA_SHARING: "digital",
    Category.JOINT_CONTROL_ROOM: "digital",
    Category.TRAINING: "workforce-and-organisational-development",
    Category.PREVENTION: "prevention",
    Category.CO_RESPONDING: "operational-services",
    Category.DEMAND_MANAGEMENT: "operational-services",
    Category.OTHER: "operational-services",
}


def workstream_for(category: Category) -> str | None:
    """The Strategic Collaboration Board workstream a Welsh collaboration belongs to;
    governance (the boards themselves) belongs to none."""
    return WORKSTREAM_OF_CATEGORY.get(category)


_PARA = re.compile(r"^(?:- )?(\d{1,2}) (\S.*)$")


def paragraphs(lines: list[str]) -> dict[int, str]:
    """Numbered paragraphs 1, 2, 3... in order, each with the bullets under it. The
    scan only accepts the next number, so footnotes (which reuse small numbers) and
    the contents list are not mistaken for paragraphs."""
    out: dict[int, str] = {}
    expected, i = 1, 0
    start = next((k for k, line in enumerate(lines) if line == "Background"
                  and k > 0 and lines[k - 1] == "Summary report"), 0)
    i = start
    while i < len(lines):
        m = _PARA.match(lines[i])
        if m and int(m.group(1)) == expected:
            body = [m.group(2)]
            j = i + 1
            while j < len(lines):
                line = lines[j]
                if not line:
                    j += 1
                    continue
                if line.startswith("- ") and not _PARA.match(line):
                    body.append(line[2:])
                    j += 1
                    continue
                if not body[-1].rstrip().endswith((".", ":", ";", "?", "!")) and not _PARA.match(
                        line):
                    body[-1] = f"{body[-1]} {line}"  # a paragraph broken by a page break
                    j += 1
                    continue
                break
            out[expected] = " ".join(body)
            expected += 1
            i = j
            continue
        i += 1
    if len(out) < 70:
        raise SeedFormatError(f"only {len(out)} numbered paragraphs found in the report")
    return out


def _select(paras: dict[int, str], p: Passage) -> str:
    chunks = []
    for n in p.paragraphs:
        if n not in paras:
            raise SeedFormatError(f"paragraph {n} not found")
        if not p.anchors:
            chunks.append(paras[n])
            continue
        chunks.extend(s for s in read.sentences(paras[n])
                      if any(a.lower() in s.lower() for a in p.anchors))
    if not chunks:
        raise SeedFormatError(f"{p.id}: none of {p.anchors} in paragraphs {p.paragraphs}")
    return " ".join(chunks)


def _section(p: Passage) -> str:
    nums = ", ".join(str(n) for n in p.paragraphs)
    return f"Paragraph{'s' if len(p.paragraphs) > 1 else ''} {nums}"


def exhibit_7(lines: list[str]) -> list[str]:
    start = next((i for i, line in enumerate(lines) if line.startswith("Exhibit 7:")), None)
    if start is None:
        raise SeedFormatError("Exhibit 7 not found")
    items = []
    for line in lines[start + 1:]:
        if line.startswith("- "):
            items.append(line[2:])
        elif line and items:
            break
    return items


def workstreams(paras: dict[int, str], doc: Document) -> list[Workstream]:
    m = re.search(r"five areas - (.+?) - is led", paras.get(54, ""))
    if not m:
        raise SeedFormatError("the five workstreams of paragraph 54 not found")
    names = [re.sub(r"^and ", "", n.strip()) for n in m.group(1).split(";")]
    bullets = re.split(r"(?<=\.) (?=[a-z])", paras.get(57, "").split("In July 2021:")[-1])
    result = []
    for n, name in enumerate(names):
        notes = [b.strip() for b in bullets if name.lower() in b.lower()]
        result.append(Workstream(
            id=slug(name), name=name[:1].upper() + name[1:], position=n,
            description=" ".join(notes) or f"Strategic Collaboration Board workstream: {name}.",
            provenance=Provenance(document=doc.file, title=doc.title,
                                  section="Paragraphs 54 and 57; Exhibit 8")))
    return result


def appendix_3(raw_lines: list[str], doc: Document) -> list[Draft]:
    start = next((i for i, line in enumerate(raw_lines)
                  if line.strip().startswith("3 Examples of emergency services")
                  and i > 100), None)
    if start is None:
        raise SeedFormatError("Appendix 3 not found")
    drafts = []
    for line in raw_lines[start + 1:]:
        if line.strip().startswith("Source:"):
            break
        cells = [read.clean(c) for c in line.split("\t")]
        if len(cells) != 6 or cells[0] == "Collaboration":
            continue
        name, membership, framework, evaluation, prioritised, strategies = cells
        area = re.split(r" (?:Blue Light|Reform|Strategic|Collaboration|Emergency)", name)[0]
        text = (f"{name}. Wider membership: {membership}. Performance management framework in "
                f"place: {framework}. Evaluation of existing joint working arrangements: "
                f"{evaluation}. Work programme prioritised: {prioritised}. Additional and "
                f"separate tri-service strategies and approaches: {strategies}.")
        drafts.append(Draft(
            id=f"aw-appendix-3-{slug(name)}", area=area, title=name, text=text,
            section="Appendix 3: Examples of emergency services and responders "
                    "collaborations elsewhere in Great Britain",
            category=Category.GOVERNANCE, status=Status.LIVE, figures=[]))
    if len(drafts) < 5:
        raise SeedFormatError(f"Appendix 3 has only {len(drafts)} rows")
    return drafts


def title_of(lines: list[str]) -> str:
    head = [line for line in lines[:12] if line]
    return f"{head[0]} ({head[1]}, {head[2]})" if len(head) >= 3 else head[0]


def parse(raw: str, file_name: str) -> tuple[Document, list[Draft], list[Workstream]]:
    raw_lines = raw.splitlines()
    lines = [read.clean(line) for line in raw_lines]
    doc = Document(file=file_name, title=title_of(lines), as_of=AS_OF)
    paras = paragraphs(lines)
    contact = Person(name="Audit Wales", role="Author of the source report (not the project "
                     "lead): can say which service leads the collaboration",
                     email="info@audit.wales", phone="029 2032 0500")
    drafts: list[Draft] = []

    objectives = exhibit_7(lines)
    drafts.append(Draft(
        id="aw-joint-emergency-services-group", area=WALES, title=JESG,
        text=f"{paras[30]} Strategic Collaboration Plan objectives (Exhibit 7): "
             + "; ".join(objectives) + ".",
        section="Paragraph 30; Exhibit 7", category=Category.GOVERNANCE, status=Status.LIVE,
        people=[contact], figures=[]))
    board = Draft(
        id="aw-strategic-collaboration-board", area=WALES, title=SCB,
        text=" ".join(paras[n] for n in (53, 54, 57)),
        section="Paragraphs 53, 54 and 57; Exhibit 8", category=Category.GOVERNANCE,
        status=Status.LIVE, people=[contact], figures=[])
    drafts.append(board)

    for p in PASSAGES:
        text = _select(paras, p)
        workstream = p.workstream
        if workstream is None and p.area.startswith(WALES) and p.category:
            workstream = workstream_for(p.category)
        drafts.append(Draft(
            id=p.id, area=p.area, title=p.title, text=text, section=_section(p),
            category=p.category, status=p.status, status_reason=p.status_reason,
            workstream=workstream, live_source=p.live_source, people=[contact],
            partners=[Partner(organisation=o, service=s) for o, s in p.partners]
            if p.partners else None, figures=None if p.figures else []))

    bullets = paras[74].split("includes:", 1)[-1]
    for pid, anchor, cat in BEDFORDSHIRE_PARTS:
        parts = [b for b in re.split(r";(?: and)? ", bullets) if anchor in b.lower()]
        if not parts:
            raise SeedFormatError(f"Bedfordshire part {anchor!r} not found in paragraph 74")
        part = parts[0].strip().rstrip(".")
        title = re.sub(r"^the ", "", part.split(" of £")[0].strip())
        drafts.append(Draft(
            id=pid, area="Bedfordshire", title=read.first_sentence_title(
                title[:1].upper() + title[1:], 80),
            text=part, section="Paragraph 74", category=cat, status=Status.LIVE,
            people=[contact]))

    drafts.extend(appendix_3(raw_lines, doc))
    return doc, drafts, workstreams(paras, doc)
