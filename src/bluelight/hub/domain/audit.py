"""The audit log's hash chain: what is hashed, and how a chain is checked.

Each record's hash covers its own content and the previous record's hash, so editing a
record changes its hash and breaks the link to the next; deleting or inserting one
breaks the sequence or a link. What the chain alone cannot show is the loss of the
newest records: `verify` can check the head against one kept elsewhere (a "witness").

Records name who did what to which incident, transfer or account; they never copy the
incident's content, so an export of the log cannot leak what an agreement withheld and
retention does not have to rewrite the chain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import msgspec

GENESIS = "0" * 64
_canonical = msgspec.json.Encoder(order="sorted").encode


class AuditRecord(msgspec.Struct, kw_only=True, frozen=True):
    seq: int
    at: float
    actor: str  # "uk.police.x" (its system), "uk.police.x/jsmith" (console), "hub", "cli:user"
    action: str  # e.g. "transfer.created", "transfer.read", "agreement.amended"
    agency: str | None = None  # whose data or account it concerns
    counterparty: str | None = None  # the other agency of a transfer
    incident_id: str | None = None
    transfer_id: str | None = None
    detail: str = "{}"  # JSON text
    prev_hash: str = GENESIS
    hash: str = ""


def digest(record: AuditRecord) -> str:
    content = [record.seq, record.at, record.actor, record.action, record.agency,
               record.counterparty, record.incident_id, record.transfer_id, record.detail,
               record.prev_hash]
    return hashlib.sha256(_canonical(content)).hexdigest()


def link(head: tuple[int, str] | None, *, at: float, actor: str, action: str,
         agency: str | None = None, counterparty: str | None = None,
         incident_id: str | None = None, transfer_id: str | None = None,
         detail: dict | None = None) -> AuditRecord:
    """The next record after `head` (the last record's seq and hash; None when empty)."""
    seq, prev = head if head else (0, GENESIS)
    record = AuditRecord(seq=seq + 1, at=at, actor=actor, action=action, agency=agency,
                         counterparty=counterparty, incident_id=incident_id,
                         transfer_id=transfer_id,
                         detail=_canonical(detail or {}).decode(), prev_hash=prev)
    return msgspec.structs.replace(record, hash=digest(record))


class Fault(msgspec.Struct, frozen=True):
    seq: int
    problem: str


class Verification(msgspec.Struct, kw_only=True):
    ok: bool
    records: int
    head_seq: int
    head_hash: str
    faults: list[Fault] = []


def verify(records: Iterable[AuditRecord], witness: tuple[int, str] | None = None,
           max_faults: int = 100) -> Verification:
    """Check the whole chain, in seq order. `witness` is a (seq, hash) noted earlier:
    the chain must still contain it, unchanged, or records were removed from the end."""
    faults: list[Fault] = []
    expected_seq, prev, count = 1, GENESIS, 0
    seen_witness = witness is None
    for record in records:
        count += 1
        if record.seq != expected_seq:
            lost = (f"records {expected_seq}-{record.seq - 1} are missing (deleted)"
                    if record.seq > expected_seq else "out of sequence (inserted)")
            faults.append(Fault(record.seq, lost))
        if record.prev_hash != prev:
            faults.append(Fault(record.seq, "does not link to the record before it"))
        if digest(record) != record.hash:
            faults.append(Fault(record.seq, "content does not match its hash (edited)"))
        if witness is not None and record.seq == witness[0]:
            seen_witness = True
            if record.hash != witness[1]:
                faults.append(Fault(record.seq, "differs from the witnessed head"))
        expected_seq, prev = record.seq + 1, record.hash
        if len(faults) >= max_faults:
            break
    if not seen_witness:
        faults.append(Fault(witness[0], "the witnessed record is gone (log truncated)"))
    return Verification(ok=not faults, records=count, head_seq=expected_seq - 1,
                        head_hash=prev, faults=faults)
