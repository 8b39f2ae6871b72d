"""The fault tests' history checker on hand-made histories: a clean one passes, and each
broken promise shows up in its own count (and only there)."""

from __future__ import annotations

from bluelight.sim.history import History, check, reference_for, seq_of

P, F, A, S = "uk.police.t", "uk.fire.t", "uk.ambulance.t", "uk.coastguard.silent"


def send(h: History, sender: str, recipient: str, seq: int, sent: float,
         acked: float | None, *, unattended: bool = False):
    ref = reference_for(f"{sender[3:6]}{recipient[3:6]}", seq)
    record = h.submitted(sender, recipient, ref, seq, f"m-{ref}", sent, unattended=unattended)
    if acked is not None:
        h.acknowledged(record, acked)
    return ref


def clean() -> tuple[History, list[str]]:
    """P sends 1, 2, 3 to F one after another; F takes them in order and accepts each;
    P sees every decision. One transfer to the silent agency raises one alarm."""
    h = History()
    refs = [send(h, P, F, i, sent=i * 10.0, acked=i * 10.0 + 1) for i in (1, 2, 3)]
    for n, ref in enumerate(refs, 1):
        h.delivered(F, P, ref, entry_seq=n, at=n * 10.0 + 2)
        h.decided(F, ref, "accepted", acknowledged=True)
        h.status_seen(ref, F, "delivered")
        h.status_seen(ref, F, "accepted")
    silent = send(h, P, S, 1, sent=5.0, acked=5.5, unattended=True)
    h.alarm(silent, S)
    return h, refs


ZERO = dict(lost=0, duplicated=0, reordered=0, inversions=0, phantom=0, decisions_lost=0,
            alarms_missed=0, alarms_doubled=0, alarms_unexpected=0)


def assert_only(counts, **nonzero):
    got = {k: getattr(counts, k) for k in ZERO}
    assert got == ZERO | nonzero
    assert counts.ok is False


def test_the_reference_carries_the_pairs_sequence_number():
    assert seq_of(reference_for("polfir", 42)) == 42
    assert seq_of(reference_for("a-b", 7)) == 7


def test_a_clean_history_has_nothing_to_report():
    h, _ = clean()
    counts = check(h)
    assert counts.ok
    assert counts.submitted == 4 and counts.acknowledged == 4 and counts.delivered == 3
    assert counts.decisions_acknowledged == 3 and counts.alarms_expected == 1
    assert counts.alarms_received == 1
    assert {k: getattr(counts, k) for k in ZERO} == ZERO


def test_an_acknowledged_transfer_never_delivered_is_lost():
    h, _ = clean()
    send(h, P, F, 4, sent=40.0, acked=41.0)
    assert_only(check(h), lost=1)


def test_an_unacknowledged_transfer_never_delivered_is_not_lost():
    h, _ = clean()
    send(h, P, F, 4, sent=40.0, acked=None)
    counts = check(h)
    assert counts.ok and counts.submitted == 5 and counts.acknowledged == 4


def test_a_transfer_delivered_though_its_receipt_never_came_is_counted_but_fine():
    h, _ = clean()
    ref = send(h, P, F, 4, sent=40.0, acked=None)
    h.delivered(F, P, ref, entry_seq=4, at=42.0)
    counts = check(h)
    assert counts.ok and counts.delivered_unacknowledged == 1


def test_a_second_delivery_to_the_application_is_a_duplicate():
    h, refs = clean()
    assert h.delivered(F, P, refs[1], entry_seq=9, at=50.0) is False  # the hub sent it again
    assert_only(check(h), duplicated=1)


def test_a_delivery_nobody_submitted_is_a_phantom():
    h, _ = clean()
    h.delivered(F, P, reference_for("polfir", 99), entry_seq=4, at=50.0)
    assert_only(check(h), phantom=1)


def test_a_transfer_overtaken_by_one_sent_after_its_receipt_is_reordered():
    h = History()
    # 1 acknowledged at t=11, 2 sent at t=20: 2 must come after 1. It came first.
    r1 = send(h, P, F, 1, sent=10.0, acked=11.0)
    r2 = send(h, P, F, 2, sent=20.0, acked=21.0)
    h.delivered(F, P, r2, entry_seq=1, at=22.0)
    h.delivered(F, P, r1, entry_seq=2, at=23.0)
    assert_only(check(h), reordered=1, inversions=1)


def test_overlapping_submissions_delivered_out_of_seq_order_are_only_inversions():
    h = History()
    # 2 was sent (t=10.5) before 1's receipt (t=11): the two overlapped.
    r1 = send(h, P, F, 1, sent=10.0, acked=11.0)
    r2 = send(h, P, F, 2, sent=10.5, acked=11.5)
    h.delivered(F, P, r2, entry_seq=1, at=12.0)
    h.delivered(F, P, r1, entry_seq=2, at=12.5)
    counts = check(h)
    assert counts.reordered == 0 and counts.inversions == 1 and counts.ok


def test_order_is_per_pair():
    h = History()
    # P->F and A->F interleave at F: each pair is in order, so nothing is reordered.
    p1 = send(h, P, F, 1, sent=10.0, acked=11.0)
    p2 = send(h, P, F, 2, sent=20.0, acked=21.0)
    a1 = send(h, A, F, 1, sent=1.0, acked=2.0)
    a2 = send(h, A, F, 2, sent=30.0, acked=31.0)
    for n, ref in enumerate([p1, a1, p2, a2], 1):
        sender = P if ref in (p1, p2) else A
        h.delivered(F, sender, ref, entry_seq=n, at=40.0 + n)
    assert check(h).ok


def test_reordering_counts_each_late_transfer_once():
    h = History()
    refs = [send(h, P, F, i, sent=i * 10.0, acked=i * 10.0 + 1) for i in (1, 2, 3, 4)]
    # 4 overtook 1, 2 and 3: three transfers came late.
    for n, ref in enumerate([refs[3], refs[0], refs[1], refs[2]], 1):
        h.delivered(F, P, ref, entry_seq=n, at=50.0 + n)
    counts = check(h)
    assert counts.reordered == 3 and counts.inversions == 3


def test_an_acknowledged_decision_the_sender_never_saw_is_lost():
    h, refs = clean()
    h.statuses[(refs[2], F)] = ["delivered"]  # the "accepted" never reached the sender
    assert_only(check(h), decisions_lost=1)


def test_a_decision_the_sender_saw_as_another_state_is_lost():
    h, refs = clean()
    h.statuses[(refs[0], F)] = ["delivered", "rejected"]
    assert_only(check(h), decisions_lost=1)


def test_an_unacknowledged_decision_may_go_unseen():
    h, refs = clean()
    h.decided(F, refs[2], "rejected", acknowledged=False, error="HubError 503")
    counts = check(h)
    assert counts.ok and counts.decisions == 3 and counts.decisions_acknowledged == 2


def test_an_alarm_that_never_came_is_missed():
    h, _ = clean()
    send(h, P, S, 2, sent=6.0, acked=6.5, unattended=True)
    assert_only(check(h), alarms_missed=1)


def test_an_alarm_raised_twice_is_doubled():
    h, _ = clean()
    silent = next(k for k, s in h.submissions.items() if s.unattended)
    h.alarm(*silent)
    assert_only(check(h), alarms_doubled=1)


def test_an_alarm_for_a_transfer_that_was_acknowledged_is_unexpected():
    h, refs = clean()
    h.alarm(refs[0], F)
    assert_only(check(h), alarms_unexpected=1)


def test_an_alarm_for_an_unattended_transfer_whose_receipt_was_lost_is_fine():
    h, _ = clean()
    ref = send(h, P, S, 2, sent=6.0, acked=None, unattended=True)
    h.alarm(ref, S)  # the hub stored it; the sender never got the receipt
    counts = check(h)
    assert counts.ok and counts.alarms_expected == 1 and counts.alarms_received == 2
