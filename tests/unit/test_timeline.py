"""The timeline merges a transfer's own lifecycle timestamps with the logged events."""

from __future__ import annotations

from bluelight.hub.domain.transfer import (
    IncidentStatus,
    TimelineEvent,
    Transfer,
    TransferState,
    lifecycle_events,
    timeline,
)


def transfer(**changes) -> Transfer:
    base = dict(
        transfer_id="tr_1", incident_id="inc_1", reference="SWP-1", sender="uk.police.a",
        recipient="uk.fire.a", state=TransferState.STORED, incident_status=IncidentStatus.OPEN,
        submitted_at=100.0, stored_at=100.002,
    )
    return Transfer(**(base | changes))


def test_a_stored_transfer_has_submitted_and_stored():
    kinds = [(e.kind, e.actor) for e in lifecycle_events(transfer())]
    assert kinds == [("submitted", "uk.police.a"), ("stored", "hub")]


def test_a_rejected_transfer_names_who_decided_and_why():
    t = transfer(state=TransferState.REJECTED, delivered_at=100.5, decided_at=108.0,
                 reason="No resources", decided_by="Watch Manager Price")
    events = lifecycle_events(t)
    assert [e.kind for e in events] == ["submitted", "stored", "delivered", "rejected"]
    assert events[2].actor == "uk.fire.a"
    assert events[3].detail == {"operator": "Watch Manager Price", "reason": "No resources"}


def test_a_cancelled_transfer_does_not_claim_a_decision():
    t = transfer(state=TransferState.CANCELLED, decided_at=None)
    assert "cancelled" not in [e.kind for e in lifecycle_events(t)]


def test_logged_events_merge_in_time_order():
    t = transfer(state=TransferState.DELIVERED, delivered_at=101.0)
    logged = [TimelineEvent(at=100.5, kind="update", actor="uk.police.a"),
              TimelineEvent(at=131.0, kind="overdue", actor="hub", transfer_id="tr_1")]
    kinds = [e.kind for e in timeline(t, logged)]
    assert kinds == ["submitted", "stored", "update", "delivered", "overdue"]


def test_a_page_holds_the_steps_that_fall_in_its_span_of_time():
    """Paged, each of the transfer's own steps shows once, on the page whose logged
    events surround it; together the pages are the whole timeline."""
    t = transfer(state=TransferState.ACCEPTED, delivered_at=105.0, decided_at=250.0,
                 decided_by="Watch Manager Price")
    logged = [TimelineEvent(at=100.0 + 10 * n, kind="update", actor="uk.police.a")
              for n in range(1, 31)]  # 110 .. 400
    first = timeline(t, logged[:10], first=True, until=logged[10].at)
    middle = timeline(t, logged[10:20], first=False, until=logged[20].at)
    last = timeline(t, logged[20:], first=False)
    assert [e.kind for e in first][:3] == ["submitted", "stored", "delivered"]
    assert "accepted" not in [e.kind for e in first + last]
    assert [e.kind for e in middle].count("accepted") == 1
    assert [e.at for e in first + middle + last] == [e.at for e in timeline(t, logged)]
    assert timeline(t, [], first=False) == []  # past the end: nothing more
