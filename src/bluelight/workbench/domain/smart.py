"""Is a collaboration's plan SMART, is it overdue, is it on target?

Audit Wales (R3, R4) asks the Strategic Collaboration Board for SMART workstream plans
and for tracking that shows where corrective action is needed. These rules judge what
can be judged from the register's own data; each flag carries a sentence a board
member can read without knowing the rule."""

from __future__ import annotations

import datetime as dt

import msgspec

from bluelight.workbench.domain.collaboration import (
    FINISHED,
    Benefit,
    Better,
    Category,
    Collaboration,
    Status,
    first_day,
    last_day,
)

# Phrases Audit Wales (paragraph 58) found in plans that "read as a plan to create a plan
# for collaboration, not delivering improvement through actual collaboration".
VAGUE_PHRASES = (
    "mapping activity", "sharing information", "creating a baseline", "obtaining advice",
    "benchmarking", "explore opportunities", "exploring opportunities", "assess competencies",
    "produce a list", "scoping", "looking at", "explore the possibility",
    "identify opportunities", "consider options",
)
MIN_SPECIFIC_CHARS = 40


class Check(msgspec.Struct, kw_only=True):
    criterion: str  # specific | measurable | achievable | relevant | time-bound | owner
    ok: bool
    explanation: str


class Flag(msgspec.Struct, kw_only=True, omit_defaults=True):
    code: str  # e.g. not-specific, no-target, overdue, off-target
    explanation: str
    benefit_id: str | None = None


class Assessment(msgspec.Struct, kw_only=True):
    collaboration_id: str
    title: str
    status: Status
    checks: list[Check]
    flags: list[Flag]

    @property
    def smart(self) -> bool:
        return all(c.ok for c in self.checks)


def _check(criterion: str, ok: bool, good: str, bad: str) -> Check:
    return Check(criterion=criterion, ok=ok, explanation=good if ok else bad)


def specific(c: Collaboration) -> Check:
    text = (c.description or "").strip()
    if len(text) < MIN_SPECIFIC_CHARS:
        return Check(criterion="specific", ok=False,
                     explanation=f"The description is {'missing' if not text else 'too short'}"
                                 f": say what will change, for whom and where.")
    lowered = text.lower()
    vague = [p for p in VAGUE_PHRASES if p in lowered]
    if vague:
        return Check(criterion="specific", ok=False,
                     explanation=f"The goal reads as a plan to make a plan ('{vague[0]}'): "
                                 f"state the improvement it will deliver.")
    return Check(criterion="specific", ok=True, explanation="The goal is described.")


def _targeted(c: Collaboration) -> list[Benefit]:
    return [b for b in c.benefits if b.target is not None]


def measurable(c: Collaboration) -> Check:
    return _check(
        "measurable", bool(_targeted(c)),
        "At least one benefit has a numeric target.",
        "No benefit has a numeric target: add a measure with a target to show delivery."
        if c.benefits else "No benefit is recorded: add a measure with a baseline and a target.")


def owner(c: Collaboration) -> Check:
    has = any(p.lead for p in c.people) or any(b.owner for b in c.benefits) or bool(c.people)
    return _check("owner", has, "Someone is named to lead or own it.",
                  "Nobody is named as lead or benefit owner.")


def time_bound(c: Collaboration) -> Check:
    has = bool(c.target_date) or any(b.target_date for b in c.benefits)
    return _check("time-bound", has, "A target date is set.",
                  "No target date: say by when it will be delivered.")


def achievable(c: Collaboration) -> Check:
    targeted = _targeted(c)
    if not targeted:
        return Check(criterion="achievable", ok=False,
                     explanation="Cannot be judged without a target.")
    missing = [b for b in targeted if b.baseline is None]
    if missing:
        return Check(criterion="achievable", ok=False,
                     explanation=f"No baseline for '{missing[0].measure}': a target cannot be "
                                 f"judged achievable without knowing where it starts.")
    wrong_way = [b for b in targeted if b.better is not None and b.baseline is not None
                 and ((b.better is Better.HIGHER and b.target < b.baseline)
                      or (b.better is Better.LOWER and b.target > b.baseline))]
    if wrong_way:
        return Check(criterion="achievable", ok=False,
                     explanation=f"The target for '{wrong_way[0].measure}' is worse than its "
                                 f"baseline.")
    return Check(criterion="achievable", ok=True,
                 explanation="Every target has a baseline to measure progress from.")


def relevant(c: Collaboration) -> Check:
    ok = c.workstream is not None or c.category is not Category.OTHER
    return _check("relevant", ok,
                  "It belongs to a workstream or a recognised category of collaboration.",
                  "It is in no workstream and no recognised category: link it to a priority.")


def expected_at(b: Benefit, when: dt.date, start: dt.date) -> float | None:
    """Where the straight line from baseline (at `start`) to target (at the target
    date's last day) stands on `when`."""
    if b.baseline is None or b.target is None or b.target_date is None:
        return None
    end = last_day(b.target_date)
    if end <= start:
        return b.target
    share = (when - start).days / (end - start).days
    share = min(1.0, max(0.0, share))
    return b.baseline + (b.target - b.baseline) * share


def _behind(b: Benefit, actual: float, expected: float) -> bool:
    return actual < expected if b.direction is Better.HIGHER else actual > expected


def benefit_flags(b: Benefit, c: Collaboration, today: dt.date) -> list[Flag]:
    if b.target is None:
        return []
    latest = b.latest
    due_passed = b.target_date is not None and last_day(b.target_date) < today
    if latest is None:
        if due_passed:
            return [Flag(code="off-target", benefit_id=b.id,
                         explanation=f"'{b.measure}': the target date {b.target_date} has "
                                     f"passed and no actual is recorded.")]
        return []
    if due_passed and _behind(b, latest.value, b.target):
        return [Flag(code="off-target", benefit_id=b.id,
                     explanation=f"'{b.measure}': the target date {b.target_date} has passed "
                                 f"and the latest actual ({latest.value:g}) has not reached "
                                 f"the target ({b.target:g}).")]
    start_text = b.baseline_date or c.start_date
    if start_text is None:
        return []
    when = first_day(latest.at)
    expected = expected_at(b, when, first_day(start_text))
    if expected is not None and _behind(b, latest.value, expected):
        return [Flag(code="off-target", benefit_id=b.id,
                     explanation=f"'{b.measure}': {latest.value:g} on {latest.at} is behind the "
                                 f"straight line from baseline {b.baseline:g} to target "
                                 f"{b.target:g} (expected {expected:.4g} by then).")]
    return []


def overdue(c: Collaboration, today: dt.date) -> Flag | None:
    if c.target_date and c.status not in FINISHED and last_day(c.target_date) < today:
        return Flag(code="overdue",
                    explanation=f"The target date {c.target_date} has passed and it is still "
                                f"{c.status.value}.")
    return None


_CODES = {"specific": "not-specific", "measurable": "no-target", "owner": "no-owner",
          "time-bound": "no-date", "achievable": "not-achievable", "relevant": "not-relevant"}


def assess(c: Collaboration, today: dt.date) -> Assessment:
    checks = [specific(c), measurable(c), achievable(c), relevant(c), time_bound(c), owner(c)]
    flags = [Flag(code=_CODES[k.criterion], explanation=k.explanation)
             for k in checks if not k.ok]
    if (late := overdue(c, today)) is not None:
        flags.append(late)
    for b in c.benefits:
        flags.extend(benefit_flags(b, c, today))
    return Assessment(collaboration_id=c.id, title=c.title, status=c.status, checks=checks,
                      flags=flags)
