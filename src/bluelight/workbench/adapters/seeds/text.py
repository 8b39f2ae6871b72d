"""Reading collaborations out of prose: sentences, figures, categories, services, dates.

The seed documents are PDF-to-text conversions of reports written for people, so this
is keyword and pattern work, kept deliberately simple and deterministic. Every figure
keeps the sentence it came from (`evidence`), so a reader can check the reading."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bluelight.wire.service import Service
from bluelight.workbench.domain.collaboration import (
    BenefitKind,
    Better,
    Category,
    Status,
    Unit,
)

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
}
MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}


def clean(text: str) -> str:
    """Undo the conversion's artefacts: bold markers, footnote digits glued to words,
    odd quotes and runs of spaces."""
    text = text.replace("**", "").replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"').replace("\u2013", "-")
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # markdown links
    text = re.sub(r"[\u00b9\u00b2\u00b3\u2070-\u2079]+", "", text)  # superscript footnotes
    return re.sub(r"[ \t]+", " ", text).strip()


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9£'\"(])")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def first_sentence_title(text: str, limit: int = 90) -> str:
    first = sentences(text)[0] if text else ""
    first = first.rstrip(".:;")
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


# ---- categories ---------------------------------------------------------------------

_CATEGORY_WORDS: list[tuple[Category, tuple[str, ...]]] = [
    (Category.JOINT_CONTROL_ROOM, (
        "control room", "control centre", "command and control", "communications centre",
        "contact centre", "contact management", "call handling", "combined control",
        "joint control", "call receipt", "control rooms", "command centre")),
    (Category.CO_RESPONDING, (
        "co-respond", "medical emergencies", "first responder", "community medical aid",
        "effecting entry", "force entry", "defibrillat", "falls team", "cardiac",
        "medical response", "bariatric")),
    (Category.DATA_SHARING, (
        "information-sharing", "information sharing", "share intelligence",
        "sharing intelligence", "data", "information transfer", "incident transfer", "mait",
        "jigso", "addresses", "it systems", "cloud-based", "incident sharing",
        "sharing information", "share information", "missing persons information",
        "clio", "logging systems")),
    (Category.FLEET, (
        "fleet", "vehicle workshop", "vehicle maintenance", "workshop", "body shop",
        "fuel", "transport and logistics", "vehicle radio", "servicing", "fire appliances",
        "transportation hub")),
    (Category.BACK_OFFICE, (
        "shared services", "support services", "back office", "hr", "payroll", "finance",
        "procurement", "occupational health", "transactional", "business centre",
        "supplies unit", "postal", "support functions", "estates management",
        "personal protective equipment", "uniform")),
    (Category.TRAINING, (
        "training", "trained", "exercises", "learning and development", "cadet")),
    (Category.DEMAND_MANAGEMENT, (
        "mental health", "triage", "demand", "frequent callers", "high intensity", "hoax",
        "street safe", "conveyance", "troubled families", "night time economy",
        "joint response")),
    (Category.PREVENTION, (
        "road safety", "arson", "community safety", "prevention", "preventative",
        "home safety", "fire safety", "crime prevention", "youth", "anti-social",
        "safety programmes", "campaign", "volunteers", "fire crime", "reduce risk")),
    (Category.CO_LOCATION, (
        "co-locat", "shared station", "share premises", "shared facility",
        "shared building", "tri-service", "joint police and fire station", "fire station",
        "estate", "premises", "headquarters", " hub", "stand-by", "standby", "accommodat",
        "relocat", "share buildings", "jointly built", "shared fire", "police station",
        "ambulance station", "share facilities", "share a facility", "shares fire stations",
        "co-shar", "community campuses", "public service hubs")),
    (Category.GOVERNANCE, (
        "board", "vision statement", "position statement", "governance",
        "strategic partnership", "terms of reference", "chief officers", "meet regularly",
        "meet quarterly", "meets monthly", "steering group", "collaboration group",
        "principles", "dual role", "working group", "strategic board", "strategy",
        "memorandum", "alliance")),
]


def category(title: str, text: str) -> Category:
    """The category with most keyword hits (the title counts double); ties go to the
    earlier, more specific category in the list above."""
    title_l, text_l = f" {title.lower()} ", f" {text.lower()} "
    best, best_score = Category.OTHER, 0
    for cat, words in _CATEGORY_WORDS:
        score = sum(2 * (w in title_l) + (w in text_l) for w in words)
        if score > best_score:
            best, best_score = cat, score
    return best


# ---- services and organisations ------------------------------------------------------

_SERVICE_PATTERNS: list[tuple[Service, re.Pattern]] = [
    (Service.POLICE, re.compile(
        r"\bpolice\b|constabulary|\bpcsos?\b|\bpcc\b|special constable|\bgmp\b|\bsyp\b|"
        r"\bmps\b|chief constable|\bforces?\b(?! (?:area|boundaries))", re.I)),
    (Service.FIRE, re.compile(
        r"\bfire\b|firefight|fire-fight|\bfrs\b|\b[a-z]*frs\b|fire brigade|\blfb\b|"
        r"\bgmfrs\b", re.I)),
    (Service.AMBULANCE, re.compile(
        r"ambulance|paramedic|\bnwa?s\b|\bemas\b|\bscas\b|\byas\b|\blas\b|\bhart\b|"
        r"\beeast\b", re.I)),
    (Service.COASTGUARD, re.compile(r"coastguard", re.I)),
    (Service.SEARCH_AND_RESCUE, re.compile(
        r"mountain rescue|\brnli\b|search and rescue|lifeboat", re.I)),
    (Service.LOCAL_AUTHORITY, re.compile(
        r"\bcouncils?\b|local authorit|trading standards|parish", re.I)),
    (Service.HEALTH, re.compile(
        r"\bnhs\b|mental health (?:specialist|professional|nurse|trust|team|services)|"
        r"health partners|health agencies|foundation trust|healthcare|\bgps?\b|"
        r"hospital", re.I)),
    (Service.JUSTICE, re.compile(
        r"\bcourts?\b|probation|criminal justice|ministry of justice|tribunal", re.I)),
    (Service.VOLUNTARY, re.compile(
        r"(?i:voluntary|st john|red cross|charity|volunteer)|\bLIVES\b")),
]


def services(text: str) -> list[Service]:
    return [s for s, pattern in _SERVICE_PATTERNS if pattern.search(text)]


_ORG_PATTERNS = {
    Service.POLICE: re.compile(
        r"\b((?:[A-Z][a-z]+ (?:(?:and|of) )?){0,3}[A-Z][a-z]+) (?:Police|Constabulary)"
        r"(?: Service)?\b(?!,? (?:Station|Innovation|and Crime|Community|Occupational|"
        r"headquarters|Headquarters|Support|Firearms|Local|Events|Fire|Authority))"),
    Service.FIRE: re.compile(
        r"\b((?:[A-Z][a-z]+ )(?:(?:and|&) )?(?:[A-Z][a-z]+ ){0,2})(?:Fire and Rescue "
        r"(?:Service|Authority)|FRS|Fire Brigade|Fire Authority)\b"),
    Service.AMBULANCE: re.compile(
        r"\b((?:[A-Z][a-z]+ (?:of )?){1,4})Ambulance (?:Services?(?: NHS Trust| Trust)?|"
        r"Trust)\b"),
    Service.LOCAL_AUTHORITY: re.compile(
        r"\b((?:[A-Z][a-z]+ (?:on )?){1,3}(?:County |City |Borough )?Council)\b"),
}
_SUFFIX = {Service.POLICE: "Police", Service.FIRE: "Fire and Rescue Service",
           Service.AMBULANCE: "Ambulance Service"}
_NOT_A_PLACE = {"The", "This", "Both", "All", "Three", "Four", "Two", "Joint", "New", "Our",
                "Regional", "Other", "With", "And", "Local", "Police", "Constabulary",
                "Service", "Services", "Authority", "Brigade", "and", "&", "of", "Fire",
                "Rescue", "Unit", "Planning", "Events", "Ambulance", "Trust", "Crime",
                "Commissioner", "Resilience", "Forum"}
_NOT_INSIDE = {"Police", "Constabulary", "Service", "Fire", "Rescue", "Unit", "Local",
               "Neighbourhood"}


def organisations(service: Service, text: str) -> list[str]:
    """Organisations of `service` named in the text, in order, without repeats."""
    pattern = _ORG_PATTERNS.get(service)
    if pattern is None:
        return []
    found: list[str] = []
    for m in pattern.finditer(text):
        words = m.group(1).split()
        while words and words[0] in _NOT_A_PLACE:
            words = words[1:]
        if not words or _NOT_INSIDE & set(words):
            continue
        suffix = m.group(0)[len(m.group(1)):].strip()
        if service is Service.LOCAL_AUTHORITY:
            name = " ".join(words)
        elif service is Service.POLICE:
            name = f"{' '.join(words)} {suffix}"
        else:
            name = f"{' '.join(words)} {suffix or _SUFFIX[service]}".replace(" & ", " and ")
        if name not in found:
            found.append(name)
    return found


# ---- status -------------------------------------------------------------------------

_REJECTED = re.compile(r"\bwithdrew\b|\babandon|\brejected\b|have not progressed", re.I)
_DELIVERY = re.compile(
    r"being built|under construction|work has begun|work is underway to build|"
    r"building work has started|will go fully live|\bpilot(?:ing|s)?\b|\btrial(?:led)?\b|"
    r"being rolled out|rolling out|commence construction|will commence|being developed|"
    r"are developing|is being|are being|being established|is due to open|"
    r"underway to build|work is underway", re.I)
_CONSIDERED = re.compile(
    r"\bexplor|\bconsider|discussion|potential|opportunit|\bscop|feasibility|"
    r"appetite|proposal|looking at|earliest stages|\bcould\b|interested in|keen to", re.I)
_SINCE = re.compile(r"\bsince\b|\bhas been\b|\bhave been\b", re.I)
_PLANNED = re.compile(
    r"\bplans?\b|\bplanned\b|\bwill\b|\bintends?\b|due to|is to be|to be located|"
    r"\bproposed\b|\bbid\b|business case|\baims?\b", re.I)
_LIVE = re.compile(
    r"\bopened\b|\bsince\b|in place|established|\boperates?\b|has been|have been|"
    r"\blaunched\b|is located|are co-located|\bshares?\b|\bshared\b|\bruns?\b|"
    r"jointly fund|\bdelivers?\b|\bprovides?\b|\bhouses?\b|\bagreed\b|\bhas\b|\bhave\b|"
    r"currently|\bis\b|\bare\b", re.I)


def status(section: str, text: str) -> Status:
    """A reading of how far the collaboration has got, from the section it is in
    (current, future plans, funding) and the words used."""
    if _REJECTED.search(text):
        return Status.REJECTED
    if section == "future":
        if _DELIVERY.search(text):
            return Status.IN_DELIVERY
        if _CONSIDERED.search(text):
            return Status.CONSIDERED
        if _SINCE.search(text) and not _PLANNED.search(text):
            return Status.LIVE  # a current fact printed under "Future Plans"
        return Status.PLANNED
    if section == "funding":
        return Status.PLANNED if re.search(r"\bwill\b", text) else Status.IN_DELIVERY
    if _DELIVERY.search(text):
        return Status.IN_DELIVERY
    opening = sentences(text)[0] if text else ""
    if re.search(r"\bwill\b", opening) and not _SINCE.search(opening):
        return Status.PLANNED
    if _LIVE.search(text):
        return Status.LIVE
    if _PLANNED.search(text):
        return Status.PLANNED
    if _CONSIDERED.search(text):
        return Status.CONSIDERED
    return Status.LIVE


def rejection_reason(text: str) -> str | None:
    for s in sentences(text):
        if _REJECTED.search(s):
            return s
    return None


# ---- dates --------------------------------------------------------------------------

_MONTH_YEAR = re.compile(
    r"\b(?:(January|February|March|April|May|June|July|August|September|October|"
    r"November|December) )?((?:19|20)\d\d)(?:/(\d\d))?\b")
_FUTURE = re.compile(
    r"\bwill\b|\bdue\b|\bby\b|planned|\bexpected\b|to be completed|\bplans?\b|"
    r"\bcommence\b|\bhope|\bintend", re.I)
_START = re.compile(
    r"\bopened\b|\bsince\b|\blaunched\b|\bestablished\b|\bformed\b|\bbegan\b|"
    r"\bcommenced\b|came into force|\bagreed\b|\bsigned\b|in place from|in use since|"
    r"\bin (?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December)? ?(?:19|20)\d\d\b", re.I)


def _partial(m: re.Match, end_of_fy: bool = False) -> str:
    month, year, fy = m.group(1), int(m.group(2)), m.group(3)
    if fy and end_of_fy:
        return f"{year + 1:04d}-03"
    if month:
        return f"{year:04d}-{MONTHS[month.lower()]:02d}"
    return f"{year:04d}"


@dataclass
class Dates:
    start: str | None = None
    target: str | None = None


def dates(text: str, as_of: str) -> Dates:
    """The earliest date stated as past (start) and the latest stated as future (target)
    relative to the document's own date `as_of` (YYYY or YYYY-MM)."""
    found = Dates()
    for s in sentences(text):
        future = bool(_FUTURE.search(s))
        for m in _MONTH_YEAR.finditer(s):
            value = _partial(m, end_of_fy=future)
            if future and value >= as_of[:len(value)]:
                if found.target is None or value > found.target:
                    found.target = value
            elif (_START.search(s) and value <= as_of
                  and not re.search(r"first time since", s, re.I)
                  and (found.start is None or value < found.start)):
                found.start = value
    return found


# ---- figures ------------------------------------------------------------------------


@dataclass
class Figure:
    measure: str
    kind: BenefitKind
    unit: Unit
    evidence: str
    baseline: float | None = None
    target: float | None = None
    actual: float | None = None
    target_date: str | None = None
    better: Better | None = None
    extra: dict = field(default_factory=dict)


_MONEY = re.compile(
    r"(?:between )?£\s?(\d[\d,]*(?:\.\d+)?)(?:\s?(m\b|million\b|bn\b|billion\b|k\b))?"
    r"(?: and £\s?(\d[\d,]*(?:\.\d+)?)\s?(m\b|million\b|k\b)?)?")
_SCALE = {"m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9, "k": 1e3, None: 1.0}
_PER_YEAR = re.compile(r"^[^£.;]{0,12}?\b(?:per year|per annum|p/a|a year|each year|"
                       r"annually|year-on-year|annual)\b", re.I)
_TARGETISH = re.compile(
    r"\bwill\b|\bwould\b|\bexpected\b|\bestimated\b|\banticipated\b|\bpredicted\b|"
    r"\bcould\b|\bpotential(?:ly)?\b|\baim|\btarget|\bhope|over the next|by the end of|"
    r"over its lifespan|over \w+ years|\bto save\b|\bplanned\b|to deliver", re.I)
_KIND_WORDS = [
    (BenefitKind.INCOME, re.compile(r"\bsale\b|disposal|revenue income", re.I)),
    (BenefitKind.OTHER, re.compile(r"social value|return on investment", re.I)),
    (BenefitKind.SAVING, re.compile(r"\bsav(?:e|es|ed|ing|ings)\b|capital gain|"
                                    r"\breturn of\b|cheaper", re.I)),
    (BenefitKind.FUNDING, re.compile(r"award|funding|\bfund\b|\bbid\b|secured|received|"
                                     r"\bgrant|allocated|from the Home Office|from DCLG|"
                                     r"Innovation Fund", re.I)),
    (BenefitKind.COST, re.compile(r"facility|station|centre|building|\bcost|invest|"
                                  r"spent|\bspend|budget", re.I)),
]
_OVER_YEARS = re.compile(r"over (?:the next )?(\w+) years", re.I)
_BY_END = re.compile(r"by (?:the end of )?((?:19|20)\d\d)(?:/(\d\d))?", re.I)


def _number(raw: str) -> float:
    return float(raw.replace(",", ""))


def _word_number(raw: str) -> float | None:
    raw = raw.lower()
    if raw.isdigit():
        return float(raw)
    return float(NUMBER_WORDS[raw]) if raw in NUMBER_WORDS else None


def _target_date(sentence: str, as_year: int) -> str | None:
    if m := _BY_END.search(sentence):
        return f"{int(m.group(1)) + 1:04d}-03" if m.group(2) else m.group(1)
    if m := _OVER_YEARS.search(sentence):
        n = _word_number(m.group(1))
        if n:
            return f"{as_year + int(n):04d}"
    return None


_CUE_BEFORE = [
    (BenefitKind.OTHER, re.compile(r"(?:return on investment|social value)(?: of)? ?$", re.I)),
    (BenefitKind.SAVING, re.compile(
        r"(?:savings? of|\bsaves?|\bsaved|saving|return of|capital gain of|"
        r"savings for the \w+ amount to|savings amount to)"
        r"(?: (?:approximately|around|about|up to|more than|over|almost|an estimated))? ?$",
        re.I)),
    (BenefitKind.FUNDING, re.compile(
        r"(?:award(?:ed)?|received|receive|secured|bid of|allocated|funding of|a further|"
        r"successful with an?|successful in securing|bid to the \w+ for)"
        r"(?: (?:almost|around|over|a further|an additional))? ?$", re.I)),
    (BenefitKind.COST, re.compile(r"(?:cost of|costing|spent|invest(?:ed|ment of)?|"
                                  r"new|a joint|the new) ?$", re.I)),
]
_CUE_AFTER = [
    (BenefitKind.OTHER, re.compile(r"^\s*in social value", re.I)),
    (BenefitKind.INCOME, re.compile(r"^\s*from the (?:sale|disposal)", re.I)),
    (BenefitKind.SAVING, re.compile(r"^\s*(?:in (?:revenue )?savings|savings|of savings)",
                                    re.I)),
    (BenefitKind.FUNDING, re.compile(r"^\s*(?:bid|grant|award|from (?:the Home Office|DCLG)|"
                                     r"of (?:capital|resource))", re.I)),
    (BenefitKind.COST, re.compile(r"^\s*(?:facility|[\w ]{0,30}station\b|joint command|"
                                  r"new-build)", re.I)),
]


def _nearest_kind(before: str, after: str) -> BenefitKind:
    """The figure's kind: a cue word right next to it, else the nearest keyword (words
    after the figure count at double distance: English puts the verb first)."""
    for kind, pattern in _CUE_BEFORE:
        if pattern.search(before):
            return kind
    for kind, pattern in _CUE_AFTER:
        if pattern.search(after):
            return kind
    best, best_distance = BenefitKind.OTHER, 10_000
    for kind, pattern in _KIND_WORDS:
        for m in pattern.finditer(before):
            d = len(before) - m.end()
            if d < best_distance:
                best, best_distance = kind, d
        for m in pattern.finditer(after):
            d = 2 * m.start()
            if d < best_distance:
                best, best_distance = kind, d
    return best


def _funder(near: str, sentence: str) -> str:
    for text in (near, sentence):
        for key, name in (("Home Office", "Home Office"), ("DCLG", "DCLG"),
                          ("Innovation Fund", "Police Innovation Fund"),
                          ("Transformation", "Transformation fund")):
            if key in text:
                return f" ({name})"
    return ""


def money(sentence: str, as_year: int) -> list[Figure]:
    figures = []
    spans = list(_MONEY.finditer(sentence))
    for i, m in enumerate(spans):
        value = _number(m.group(1)) * _SCALE[m.group(2) and m.group(2).lower()]
        if sentence[max(0, m.start() - 10):m.start()].endswith("for every "):
            continue  # the "£1" of "£7 for every £1 invested"
        if sentence[m.end():].startswith(" for every £1"):
            figures.append(Figure(measure="Social value returned per £1 invested",
                                  kind=BenefitKind.OTHER, unit=Unit.GBP, evidence=sentence,
                                  actual=value))
            continue
        lo = spans[i - 1].end() if i else 0
        hi = spans[i + 1].start() if i + 1 < len(spans) else len(sentence)
        before, after = sentence[lo:m.start()], sentence[m.end():hi]
        window = after[:45]
        kind = _nearest_kind(before[-80:], window)
        per_year = bool(_PER_YEAR.match(after)) or bool(re.search(r"annual\w* $", before))
        targetish = bool(_TARGETISH.search(before[-90:] + " " + after[:60]))
        label = ""
        if m.group(3):
            high = _number(m.group(3)) * _SCALE[m.group(4) and m.group(4).lower()]
            label = f" (stated as a range, £{value:,.0f} to £{high:,.0f}; lower bound kept)"
        unit = Unit.GBP_PER_YEAR if per_year else Unit.GBP
        if kind is BenefitKind.FUNDING:
            fig = Figure(measure=f"Funding awarded{_funder(after[:40], sentence)}{label}", kind=kind,
                         unit=Unit.GBP, evidence=sentence, actual=value)
        elif kind is BenefitKind.SAVING:
            measure = "Savings per year" if per_year else "Savings"
            fig = Figure(measure=measure + label, kind=kind, unit=unit, evidence=sentence)
            if targetish:
                fig.target = value
                fig.target_date = _target_date(sentence[m.start():], as_year)
            else:
                fig.actual = value
        elif kind is BenefitKind.INCOME:
            fig = Figure(measure="Income from disposals" + label, kind=kind, unit=unit,
                         evidence=sentence, actual=value)
        elif kind is BenefitKind.COST:
            fig = Figure(measure=("Running cost per year" if per_year else "Capital cost")
                         + label, kind=kind, unit=unit, evidence=sentence, actual=value)
        elif re.search(r"\bsav", sentence, re.I) and targetish:
            fig = Figure(measure="Savings" + label, kind=BenefitKind.SAVING, unit=unit,
                         evidence=sentence, target=value,
                         target_date=_target_date(sentence[m.start():], as_year))
        else:
            measure = "Social value" if re.search(r"social value|return", before + window,
                                                  re.I) else "Stated amount"
            fig = Figure(measure=measure + label, kind=kind, unit=unit, evidence=sentence)
            if re.search(r"\bwill\b|\bcould\b|\bwould\b", sentence):
                fig.target = value
            else:
                fig.actual = value
        figures.append(fig)
    return figures


_FROM_TO = re.compile(
    r"from (?:over |more than )?(\w+)[- ]minutes? to (?:(\d+) seconds|a few seconds|"
    r"only seconds)|(\w+)-minute delay[^.]*? to a delay of only seconds", re.I)
_BY_MINUTES = re.compile(r"by (?:more than |over |around )?(\w+) minutes", re.I)
_HOURS = re.compile(
    r"(?:up to |over |around |more than |of )?(\d[\d,]*) ((?:operator |working |"
    r"patient-facing )?hours)( per year| per annum| a year| each year)?", re.I)
_PEOPLE = re.compile(r"(?:an additional |additional |over )?(\d[\d,]*)(?:-strong team of)? "
                     r"((?:additional |more )?(?:people|personnel|[\w ]{0,40}?volunteers))\b",
                     re.I)
_COUNT = re.compile(
    r"(?:on average |around |over |more than |an extra |average )?\b(\d[\d,]*) "
    r"((?:[a-z-]+ ){0,4}?(?:calls|incidents|emergencies|ambulances|premises|meetings))"
    r"((?: per| a| each) (?:year|month))?", re.I)
_PERCENT = re.compile(r"(?:at least |by at least |of )?(\d+(?:\.\d+)?)(?:-(\d+))?%")


def time_and_counts(sentence: str) -> list[Figure]:
    figures = []
    targetish = bool(_TARGETISH.search(sentence))
    if m := _FROM_TO.search(sentence):
        minutes = _word_number(m.group(1) or m.group(3) or "")
        if minutes:
            fig = Figure(measure="Time to transfer an incident between control rooms",
                         kind=BenefitKind.TIME, unit=Unit.SECONDS, evidence=sentence,
                         baseline=minutes * 60, better=Better.LOWER)
            if m.group(2):
                fig.actual = float(m.group(2))
            figures.append(fig)
    elif (m := _BY_MINUTES.search(sentence)) and "response" in sentence.lower():
        minutes = _word_number(m.group(1))
        if minutes:
            figures.append(Figure(measure="Reduction in response time per emergency",
                                  kind=BenefitKind.TIME, unit=Unit.MINUTES, evidence=sentence,
                                  actual=minutes, better=Better.HIGHER))
    for m in _HOURS.finditer(sentence):
        value = _number(m.group(1))
        per_year = bool(m.group(3))
        saving = bool(re.search(r"\bsav", sentence, re.I))
        what = m.group(2).lower()
        measure = ("Hours saved" if saving else what.capitalize()) + (
            " per year" if per_year else "")
        fig = Figure(measure=measure, kind=BenefitKind.SAVING if saving else
                     BenefitKind.ACTIVITY, unit=Unit.HOURS_PER_YEAR if per_year else Unit.HOURS,
                     evidence=sentence)
        if saving and targetish:
            fig.target = value
        else:
            fig.actual = value
        figures.append(fig)
    for m in _PEOPLE.finditer(sentence):
        value = _number(m.group(1))
        noun = m.group(2).strip()
        reached = "reach" in sentence.lower() or "covered" in sentence.lower()
        fig = Figure(measure=("People reached" if reached else noun[:1].upper() + noun[1:]),
                     kind=BenefitKind.REACH if reached else BenefitKind.ACTIVITY,
                     unit=Unit.PEOPLE, evidence=sentence)
        if targetish and reached:
            fig.target = value
        else:
            fig.actual = value
        figures.append(fig)
    for m in _COUNT.finditer(sentence):
        value = _number(m.group(1))
        if 1900 <= value <= 2100 and "," not in m.group(1):
            continue  # a year, not a count
        noun = (m.group(2) + (m.group(3) or "")).strip()
        figures.append(Figure(measure=noun[:1].upper() + noun[1:], kind=BenefitKind.ACTIVITY,
                              unit=Unit.COUNT, evidence=sentence,
                              **({"target": value} if targetish and "aim" in sentence
                                 else {"actual": value})))
    for m in _PERCENT.finditer(sentence):
        value = float(m.group(1))
        context = sentence[max(0, m.start() - 80):m.end() + 60].lower()
        saving = bool(re.search(r"sav|reduce|cost", context))
        measure = ("Saving (%)" if saving else "Share (%)") + (
            f" (stated as {m.group(1)}-{m.group(2)}%)" if m.group(2) else "")
        if "within" in context and "minutes" in context:
            measure = "Share of incidents reached within the response standard (%)"
        fig = Figure(measure=measure, kind=BenefitKind.SAVING if saving else BenefitKind.OTHER,
                     unit=Unit.PERCENT, evidence=sentence)
        if targetish:
            fig.target = value
        else:
            fig.actual = value
        figures.append(fig)
    return figures


def figures(text: str, as_of: str) -> list[Figure]:
    as_year = int(as_of[:4])
    out: list[Figure] = []
    for s in sentences(text):
        out.extend(money(s, as_year))
        out.extend(time_and_counts(s))
    return out
