"""The audit log's hash chain, without I/O: any edit, deletion, insertion or
truncation is found."""

from __future__ import annotations

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from bluelight.hub.domain.audit import GENESIS, link, verify


def chain(n: int) -> list:
    records, head = [], None
    for i in range(n):
        record = link(head, at=1000.0 + i, actor=f"uk.police.x/op{i % 3}", action="transfer.read",
                      agency="uk.police.x", incident_id=f"inc_{i}", detail={"i": i})
        records.append(record)
        head = (record.seq, record.hash)
    return records


def test_an_intact_chain_verifies_and_reports_its_head():
    records = chain(20)
    result = verify(records)
    assert result.ok and result.records == 20
    assert (result.head_seq, result.head_hash) == (20, records[-1].hash)
    assert records[0].prev_hash == GENESIS


@settings(deadline=None)
@given(st.integers(0, 19), st.sampled_from(["actor", "action", "detail", "at", "agency"]))
def test_editing_any_field_of_any_record_is_detected(index, field):
    records = chain(20)
    value = {"at": 1.5, "detail": '{"i":-1}'}.get(field, "tampered")
    records[index] = msgspec.structs.replace(records[index], **{field: value})
    result = verify(records)
    assert not result.ok
    assert result.faults[0].seq == index + 1 and "edited" in result.faults[0].problem


@settings(deadline=None)
@given(st.integers(0, 18))
def test_deleting_a_record_is_detected(index):
    records = chain(20)
    del records[index]
    result = verify(records)
    assert not result.ok and "deleted" in result.faults[0].problem


def test_truncation_is_only_visible_against_a_witness():
    records = chain(20)
    witness = (records[-1].seq, records[-1].hash)
    assert verify(records[:15]).ok
    result = verify(records[:15], witness)
    assert not result.ok and "truncated" in result.faults[-1].problem
    assert verify(records, witness).ok


def test_a_rebuilt_record_with_a_recomputed_hash_breaks_the_next_link():
    records = chain(5)
    forged = link((1, records[0].hash), at=2000.0, actor="someone", action="transfer.read")
    records[1] = forged
    result = verify(records)
    assert not result.ok and result.faults[0].seq == 3
    assert "does not link" in result.faults[0].problem
