"""Use cases of the receiving control room: acknowledge receipt, decide.

Acknowledging is done by the recipient's system as soon as a message reaches it; that is
what "delivered" means. The decision is the operator's. The sender hears of both."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import msgspec

from bluelight.hub.domain.commands import Decide
from bluelight.hub.domain.transfer import (
    TRACKED_DELIVERY,
    EntryKind,
    Transfer,
    TransferState,
    TransferStatusBody,
    on_acknowledged,
    on_decision,
)
from bluelight.hub.services import audit
from bluelight.hub.services.ports import Repository
from bluelight.kernel.errors import Forbidden, NotFound
from bluelight.kernel.settings import Policy

_encode = msgspec.json.Encoder().encode
Clock = Callable[[], float]


def notify_sender(repo: Repository, transfer: Transfer, at: float) -> None:
    repo.append(
        transfer.sender, EntryKind.TRANSFER_STATUS, transfer.incident_id, transfer.transfer_id,
        _encode(TransferStatusBody(
            state=transfer.state, recipient=transfer.recipient, reference=transfer.reference,
            reason=transfer.reason, by=transfer.decided_by,
            acknowledges=(transfer.origin_message_id
                          if transfer.state is TransferState.DELIVERED else None))),
        at,
    )


def acknowledge(
    agency: str, seqs: Sequence[int], clock: Clock, policy: Policy, actor: str | None = None,
) -> Callable[[Repository], tuple[int, list[Transfer]]]:
    """Mark entries received. Repeats are harmless: an entry is acknowledged once.
    Returns how many were newly acknowledged and the transfers now delivered."""

    def job(repo: Repository) -> tuple[int, list[Transfer]]:
        now = clock()
        acked = repo.acknowledge(agency, seqs, now)
        delivered = []
        decision_deadline = None
        for entry in acked:
            if entry.kind not in TRACKED_DELIVERY:
                continue
            if entry.kind is not EntryKind.INCIDENT_NEW:
                what = entry.kind.value.split('.')[1]
                repo.add_event(entry.incident_id, entry.transfer_id, now, agency,
                               f"{what}-delivered", {"seq": entry.seq})
                audit.record(repo, now, actor or agency, f"{what}.delivered", agency=agency,
                             incident_id=entry.incident_id, transfer_id=entry.transfer_id,
                             detail={"seq": entry.seq})
                continue
            transfer = repo.transfer(entry.transfer_id)
            new_state = on_acknowledged(transfer.state)
            if new_state is None:
                continue  # decided (or cancelled) before the ack arrived
            if decision_deadline is None:
                me = repo.agency(agency)
                decision_deadline = me.decision_deadline_s or policy.decision_deadline_s
            transfer.state = new_state
            transfer.delivered_at = now
            transfer.decision_due_at = now + decision_deadline
            repo.save_transfer(transfer)
            notify_sender(repo, transfer, now)
            audit.record(repo, now, actor or agency, "transfer.delivered", agency=agency,
                         counterparty=transfer.sender, incident_id=transfer.incident_id,
                         transfer_id=transfer.transfer_id, detail={"seq": entry.seq})
            delivered.append(transfer)
        return len(acked), delivered

    return job


def decide(
    agency: str, transfer_id: str, command: Decide, clock: Clock, actor: str | None = None,
) -> Callable[[Repository], Transfer]:
    def job(repo: Repository) -> Transfer:
        transfer = repo.transfer(transfer_id)
        if transfer is None or not transfer.party(agency):
            raise NotFound("no such transfer")
        if transfer.recipient != agency:
            raise Forbidden("only the receiving agency can accept or reject a transfer")
        new_state = on_decision(transfer.state, command.decision, command.reason)
        now = clock()
        if transfer.delivered_at is None:
            transfer.delivered_at = now  # a decision proves the incident arrived
        transfer.state = new_state
        transfer.decided_at = now
        transfer.reason = command.reason if new_state is TransferState.REJECTED else None
        transfer.decided_by = command.operator or agency
        repo.save_transfer(transfer)
        notify_sender(repo, transfer, now)
        audit.record(repo, now, actor or agency, f"transfer.{new_state.value}", agency=agency,
                     counterparty=transfer.sender, incident_id=transfer.incident_id,
                     transfer_id=transfer_id, detail={"operator": transfer.decided_by})
        return transfer

    return job
