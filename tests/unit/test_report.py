"""services.report: percentiles, per-pair statistics and the time saved against a phone
call. Pure: transfers are built in memory."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bluelight.hub.domain.transfer import IncidentStatus, Transfer, TransferState
from bluelight.hub.services.report import percentile, stats

BASELINE = 240.0
# percentile() rounds to 4 decimal places for presentation; properties allow for that.
ROUNDING = 0.5e-4 + 1e-9


def transfer(
    sender: str = "uk.police.a",
    recipient: str = "uk.fire.a",
    *,
    state: TransferState = TransferState.STORED,
    submitted_at: float = 1000.0,
    delivered_after: float | None = None,
    decided_after: float | None = None,
    ack_overdue: bool = False,
    decision_overdue: bool = False,
    n: int = 0,
) -> Transfer:
    return Transfer(
        transfer_id=f"tr_{sender}_{recipient}_{n}",
        incident_id=f"inc_{n}",
        reference=f"REF-{n}",
        sender=sender,
        recipient=recipient,
        state=state,
        incident_status=IncidentStatus.OPEN,
        submitted_at=submitted_at,
        stored_at=submitted_at + 0.001,
        delivered_at=None if delivered_after is None else submitted_at + delivered_after,
        decided_at=None if decided_after is None else submitted_at + decided_after,
        ack_overdue_at=submitted_at + 31 if ack_overdue else None,
        decision_overdue_at=submitted_at + 121 if decision_overdue else None,
    )


# percentile -------------------------------------------------------------------------------
def test_percentile_of_nothing_is_none():
    assert percentile([], 0.5) is None
    assert percentile([], 0.9) is None


@pytest.mark.parametrize("q", [0.0, 0.1, 0.5, 0.9, 1.0])
def test_percentile_of_one_value_is_that_value(q: float):
    assert percentile([7.25], q) == 7.25


def test_percentile_odd_count_median_is_middle_value():
    # Type 7 on 5 values: pos = 4q. Median: pos 2 -> the third value.
    values = [5.0, 1.0, 4.0, 2.0, 3.0]  # unsorted on purpose
    assert percentile(values, 0.5) == 3.0
    # p90: pos 3.6 -> 4 + 0.6 * (5 - 4)
    assert percentile(values, 0.9) == pytest.approx(4.6)
    # p25: pos 1.0 -> exactly the second value
    assert percentile(values, 0.25) == 2.0


def test_percentile_even_count_interpolates_between_middle_values():
    values = [1.0, 2.0, 3.0, 4.0]
    # pos = 3 * 0.5 = 1.5 -> 2 + 0.5 * (3 - 2)
    assert percentile(values, 0.5) == 2.5
    # pos = 3 * 0.9 = 2.7 -> 3 + 0.7 * (4 - 3)
    assert percentile(values, 0.9) == pytest.approx(3.7)
    # pos = 3 * 0.1 = 0.3 -> 1 + 0.3 * (2 - 1)
    assert percentile(values, 0.1) == pytest.approx(1.3)


def test_percentile_hand_computed_uneven_gaps():
    values = [0.2, 0.8, 1.4, 10.0, 30.0, 31.0]
    # n = 6: pos(0.5) = 2.5 -> 1.4 + 0.5 * (10 - 1.4) = 5.7
    assert percentile(values, 0.5) == pytest.approx(5.7)
    # pos(0.9) = 4.5 -> 30 + 0.5 * (31 - 30) = 30.5
    assert percentile(values, 0.9) == pytest.approx(30.5)


def test_percentile_extremes_are_min_and_max():
    values = [3.0, 9.0, 1.0, 4.0]
    assert percentile(values, 0.0) == 1.0
    assert percentile(values, 1.0) == 9.0


def test_percentile_does_not_reorder_the_callers_list():
    values = [3.0, 1.0, 2.0]
    percentile(values, 0.5)
    assert values == [3.0, 1.0, 2.0]


def test_percentile_rounds_to_four_places():
    assert percentile([0.123456, 0.123456], 0.5) == 0.1235


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=1e6, allow_nan=False), min_size=1,
                max_size=60))
def test_percentile_median_between_min_and_max_and_below_p90(values: list[float]):
    p50 = percentile(values, 0.5)
    p90 = percentile(values, 0.9)
    assert min(values) - ROUNDING <= p50 <= max(values) + ROUNDING
    assert min(values) - ROUNDING <= p90 <= max(values) + ROUNDING
    assert p50 <= p90


# stats ------------------------------------------------------------------------------------
def test_stats_of_nothing():
    result = stats([], BASELINE)
    assert result.pairs == []
    assert result.transfers == 0 and result.decided == 0
    assert result.deliver_p50_s is None and result.decide_p90_s is None
    assert result.time_saved_s == 0.0 and result.time_saved_hours == 0.0
    assert result.phone_baseline_s == BASELINE


def test_stats_per_pair():
    ts = [
        # police -> fire: two accepted, one rejected, one still waiting and overdue
        transfer(state=TransferState.ACCEPTED, delivered_after=1.0, decided_after=10.0, n=1),
        transfer(state=TransferState.ACCEPTED, delivered_after=3.0, decided_after=20.0, n=2),
        transfer(state=TransferState.REJECTED, delivered_after=2.0, decided_after=30.0, n=3),
        transfer(state=TransferState.STORED, ack_overdue=True, n=4),
        # police -> ambulance: delivered, overdue for a decision
        transfer(recipient="uk.ambulance.a", state=TransferState.DELIVERED,
                 delivered_after=0.5, decision_overdue=True, n=5),
        # fire -> police: cancelled before anything happened
        transfer(sender="uk.fire.a", recipient="uk.police.a", state=TransferState.CANCELLED,
                 n=6),
    ]
    result = stats(ts, BASELINE)
    pairs = {(p.sender, p.recipient): p for p in result.pairs}
    assert list(pairs) == sorted(pairs)  # reported in a stable order

    fire = pairs[("uk.police.a", "uk.fire.a")]
    assert (fire.transfers, fire.accepted, fire.rejected, fire.overdue) == (4, 2, 1, 1)
    assert fire.deliver_p50_s == pytest.approx(2.0)  # of 1, 2, 3
    assert fire.deliver_p90_s == pytest.approx(2.8)  # pos 1.8 -> 2 + 0.8
    assert fire.decide_p50_s == pytest.approx(20.0)  # of 10, 20, 30
    assert fire.decide_p90_s == pytest.approx(28.0)  # pos 1.8 -> 20 + 0.8 * 10

    amb = pairs[("uk.police.a", "uk.ambulance.a")]
    assert (amb.transfers, amb.accepted, amb.rejected, amb.overdue) == (1, 0, 0, 1)
    assert amb.deliver_p50_s == pytest.approx(0.5)
    assert amb.decide_p50_s is None and amb.decide_p90_s is None

    back = pairs[("uk.fire.a", "uk.police.a")]
    assert (back.transfers, back.accepted, back.rejected, back.overdue) == (1, 0, 0, 0)
    assert back.deliver_p50_s is None and back.decide_p50_s is None

    assert result.transfers == 6
    assert result.decided == 3
    # Overall: deliveries 0.5, 1, 2, 3 -> p50 at pos 1.5 = 1.5
    assert result.deliver_p50_s == pytest.approx(1.5)
    assert result.decide_p50_s == pytest.approx(20.0)
    # Saved: (240 - 10) + (240 - 20) + (240 - 30)
    assert result.time_saved_s == pytest.approx(660.0)
    assert result.time_saved_hours == pytest.approx(round(660 / 3600, 2))


def test_time_saved_floors_at_zero_for_transfers_slower_than_a_phone_call():
    ts = [
        transfer(state=TransferState.ACCEPTED, delivered_after=1.0, decided_after=40.0, n=1),
        # Slower than the phone: saved nothing, and not a negative either.
        transfer(state=TransferState.ACCEPTED, delivered_after=100.0, decided_after=900.0, n=2),
        transfer(state=TransferState.REJECTED, delivered_after=1.0, decided_after=240.0, n=3),
    ]
    result = stats(ts, BASELINE)
    assert result.time_saved_s == pytest.approx(200.0)
    assert result.decided == 3


def test_time_saved_is_zero_when_every_transfer_was_slow():
    ts = [transfer(state=TransferState.ACCEPTED, delivered_after=300.0, decided_after=600.0,
                   n=i) for i in range(3)]
    assert stats(ts, BASELINE).time_saved_s == 0.0


def test_time_saved_counts_only_decided_transfers():
    ts = [transfer(state=TransferState.DELIVERED, delivered_after=1.0, n=1),
          transfer(state=TransferState.STORED, n=2)]
    result = stats(ts, BASELINE)
    assert result.time_saved_s == 0.0
    assert result.decided == 0


def test_baseline_is_reported_and_used():
    ts = [transfer(state=TransferState.ACCEPTED, delivered_after=1.0, decided_after=50.0)]
    assert stats(ts, 60.0).time_saved_s == pytest.approx(10.0)
    assert stats(ts, 60.0).phone_baseline_s == 60.0
