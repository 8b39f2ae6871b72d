"""Domain rules, pure: the transfer lifecycle, how an update changes an incident, and
where an incident may be."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from bluelight.hub.domain.incident import (
    CasualtyCount,
    Incident,
    IncidentUpdate,
    Location,
    Priority,
    Severity,
    apply_update,
)
from bluelight.hub.domain.transfer import (
    FINAL,
    Decision,
    OverdueStage,
    TransferState,
    can_cancel,
    on_acknowledged,
    on_decision,
    overdue_message,
)
from bluelight.kernel.errors import Conflict, Faults, Invalid
from bluelight.kernel.geography import check_location

# on_acknowledged ---------------------------------------------------------------------------


def test_acknowledging_a_stored_transfer_delivers_it():
    assert on_acknowledged(TransferState.STORED) is TransferState.DELIVERED


@pytest.mark.parametrize("state", [TransferState.DELIVERED, TransferState.ACCEPTED,
                                   TransferState.REJECTED, TransferState.CANCELLED])
def test_acknowledging_anything_else_changes_nothing(state: TransferState):
    # A late or repeated ack must never move a decided or cancelled transfer back.
    assert on_acknowledged(state) is None


# on_decision -------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [TransferState.STORED, TransferState.DELIVERED])
def test_accept_open_transfer(state: TransferState):
    # Deciding on a transfer still 'stored' is allowed: the decision proves delivery.
    assert on_decision(state, Decision.ACCEPTED, None) is TransferState.ACCEPTED


@pytest.mark.parametrize("state", [TransferState.STORED, TransferState.DELIVERED])
def test_reject_with_reason(state: TransferState):
    assert on_decision(state, Decision.REJECTED, "No crews available") is TransferState.REJECTED


@pytest.mark.parametrize("reason", [None, "", "   ", "\n\t"])
def test_reject_needs_a_reason(reason: str | None):
    with pytest.raises(Invalid) as exc:
        on_decision(TransferState.DELIVERED, Decision.REJECTED, reason)
    assert exc.value.status == 422
    assert [f.field for f in exc.value.faults] == ["reason"]


def test_accept_needs_no_reason_but_may_have_one():
    assert on_decision(TransferState.DELIVERED, Decision.ACCEPTED, "") is TransferState.ACCEPTED
    assert on_decision(TransferState.DELIVERED, Decision.ACCEPTED, "on our way") \
        is TransferState.ACCEPTED


@pytest.mark.parametrize("first", [TransferState.ACCEPTED, TransferState.REJECTED])
@pytest.mark.parametrize("second", [Decision.ACCEPTED, Decision.REJECTED])
def test_second_decision_is_a_conflict(first: TransferState, second: Decision):
    with pytest.raises(Conflict) as exc:
        on_decision(first, second, "a reason")
    assert exc.value.status == 409
    assert first.value in exc.value.detail


@pytest.mark.parametrize("decision", [Decision.ACCEPTED, Decision.REJECTED])
def test_decision_on_cancelled_transfer_is_a_conflict(decision: Decision):
    with pytest.raises(Conflict) as exc:
        on_decision(TransferState.CANCELLED, decision, "a reason")
    assert "cancel" in exc.value.detail


def test_cancelled_conflict_wins_over_missing_reason():
    # The operator learns the sender withdrew it, not that they forgot a reason.
    with pytest.raises(Conflict):
        on_decision(TransferState.CANCELLED, Decision.REJECTED, None)


def test_can_cancel_anything_not_already_cancelled():
    assert not can_cancel(TransferState.CANCELLED)
    for state in TransferState:
        if state is not TransferState.CANCELLED:
            assert can_cancel(state)
    assert {TransferState.ACCEPTED, TransferState.REJECTED, TransferState.CANCELLED} == FINAL


def test_overdue_message_tells_the_operator_to_phone():
    ack = overdue_message(OverdueStage.ACKNOWLEDGEMENT, "South Wales Fire", "01443 232000", 31.4)
    assert ack.startswith("PHONE")
    assert "South Wales Fire" in ack and "01443 232000" in ack and "31 s" in ack
    assert "acknowledged" in ack
    decision = overdue_message(OverdueStage.DECISION, "WAST", "01792 562900", 120)
    assert "accepted or rejected" in decision and "01792 562900" in decision


# apply_update ------------------------------------------------------------------------------


def incident(**changes) -> Incident:
    base = dict(
        reference="SWP-1",
        type="road-traffic-collision",
        priority=Priority.URGENT,
        summary="Two-car RTC",
        location=Location(easting=318040, northing=176420, address="Castle Street, Cardiff"),
        created_at=datetime(2026, 1, 5, 14, 30, tzinfo=UTC),
        notes="Caller reports smoke.",
        hazards=["fuel leak"],
        casualties=[CasualtyCount(severity=Severity.MINOR, count=2)],
    )
    return Incident(**(base | changes))


def test_update_with_text_only_changes_nothing_in_the_incident():
    before = incident()
    after = apply_update(before, IncidentUpdate(text="Fire service on scene"))
    # The text is a record of its own in the update history, never appended to notes.
    assert after.notes == "Caller reports smoke."
    assert after.priority is before.priority
    assert after.summary == before.summary
    assert after.location == before.location
    assert after.hazards == before.hazards
    assert after.casualties == before.casualties
    assert after.reference == before.reference


def test_update_given_fields_replace():
    new_location = Location(lat=51.48, lon=-3.18)
    after = apply_update(incident(), IncidentUpdate(
        text="Escalating", priority=Priority.EMERGENCY, summary="RTC, car on fire",
        location=new_location, hazards=["fire"], casualties=[],
    ))
    assert after.priority is Priority.EMERGENCY
    assert after.summary == "RTC, car on fire"
    assert after.location == new_location  # replaced whole, not merged
    assert after.hazards == ["fire"]
    assert after.casualties == []  # an empty list given is a replacement, not "no change"


def test_the_incident_does_not_grow_however_many_updates_it_has():
    current = incident()
    for n in range(100):
        current = apply_update(current, IncidentUpdate(text="x" * 10_000,
                                                       summary=f"Update {n}"))
    assert current.notes == "Caller reports smoke."
    assert current.summary == "Update 99"
    # Still valid against the input limits: it can be sent on, and read back strictly.
    assert msgspec.json.decode(msgspec.json.encode(current), type=Incident) == current


def test_update_leaves_the_original_untouched():
    before = incident()
    apply_update(before, IncidentUpdate(text="x", priority=Priority.LOW))
    assert before.priority is Priority.URGENT
    assert before.notes == "Caller reports smoke."


# check_location ----------------------------------------------------------------------------


def faults_of(loc: Location, path: str = "incident.location") -> dict[str, str]:
    faults = Faults()
    check_location(loc, faults, path)
    return {f.field: f.fault for f in faults.items}


@pytest.mark.parametrize("loc", [
    Location(easting=318040, northing=176420),
    Location(lat=51.48, lon=-3.18),
    Location(uprn="10033544614"),
    Location(address="Castle Street, Cardiff"),
    Location(easting=318040, northing=176420, lat=51.48, lon=-3.18, uprn="1",
             address="x"),
    # The edges of what is accepted are inside.
    Location(easting=0, northing=0),
    Location(easting=700_000, northing=1_300_000),
    Location(lat=49.75, lon=-9.01),
    Location(lat=61.01, lon=2.01),
])
def test_valid_locations(loc: Location):
    assert faults_of(loc) == {}


def test_nothing_to_locate_by():
    assert list(faults_of(Location(description="by the big tree"))) == ["incident.location"]


def test_easting_without_northing():
    assert list(faults_of(Location(easting=318040))) == ["incident.location.northing"]


def test_northing_without_easting():
    assert list(faults_of(Location(northing=176420))) == ["incident.location.easting"]


def test_lat_without_lon_and_lon_without_lat():
    assert list(faults_of(Location(lat=51.48))) == ["incident.location.lon"]
    assert list(faults_of(Location(lon=-3.18))) == ["incident.location.lat"]


@pytest.mark.parametrize(("loc", "bad"), [
    (Location(easting=-1, northing=176420), "easting"),
    (Location(easting=700_001, northing=176420), "easting"),
    (Location(easting=318040, northing=-0.5), "northing"),
    (Location(easting=318040, northing=1_300_001), "northing"),
    (Location(lat=48.85, lon=2.0), "lat"),  # Paris is not in Great Britain
    (Location(lat=62.0, lon=-1.0), "lat"),
    (Location(lat=51.5, lon=-10.0), "lon"),
    (Location(lat=51.5, lon=2.35), "lon"),
])
def test_outside_great_britain(loc: Location, bad: str):
    faults = faults_of(loc)
    assert list(faults) == [f"incident.location.{bad}"]
    assert "outside Great Britain" in faults[f"incident.location.{bad}"]


def test_all_faults_reported_at_once_under_the_given_path():
    faults = faults_of(Location(easting=-5, lat=95.0), path="update.location")
    assert set(faults) == {"update.location.northing", "update.location.lon",
                           "update.location.easting", "update.location.lat"}
