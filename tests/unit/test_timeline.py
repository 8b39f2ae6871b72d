"""The timeline merges a transfer's own lifecycle timestamps with the logged events."""

from __future__ import annotations

from bluelight.domain.transfer import (
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
