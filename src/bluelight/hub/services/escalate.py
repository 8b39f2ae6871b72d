"""The overdue alarm: a transfer nobody answers in time tells the sender to phone.

Run periodically by the hub. Each deadline fires once: the acknowledgement deadline
while the transfer is 'stored', the decision deadline while it is 'delivered'."""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from bluelight.hub.domain.transfer import (
    EntryKind,
    OverdueBody,
    OverdueStage,
    Transfer,
    TransferState,
    overdue_message,
)
from bluelight.hub.services import audit
from bluelight.hub.services.ports import Repository

_encode = msgspec.json.Encoder().encode


LEASE = "overdue-scan"


def escalate(
    clock: Callable[[], float], limit: int = 500, *, holder: str = "hub",
    lease_s: float = 3.0,
) -> Callable[[Repository], list[tuple[Transfer, OverdueStage]]]:
    """Returns the transfers whose alarm was raised now, with the stage missed.

    In a cluster every hub node runs this, and one at a time scans: the one holding the
    lease (`holder` names the node). A node that dies or freezes stops renewing it, and
    after `lease_s` another takes over. Each alarm is raised once whoever scans: the
    transfer is marked in the same transaction, and the store runs write jobs one
    after another, cluster-wide."""

    def job(repo: Repository) -> list[tuple[Transfer, OverdueStage]]:
        now = clock()
        if not repo.take_lease(LEASE, holder, now, lease_s):
            return []
        raised = []
        for transfer in repo.overdue_candidates(now, limit):
            if (
                transfer.state is TransferState.STORED
                and transfer.ack_overdue_at is None
                and transfer.ack_due_at is not None
                and transfer.ack_due_at <= now
            ):
                stage, waited = OverdueStage.ACKNOWLEDGEMENT, now - transfer.stored_at
                transfer.ack_overdue_at = now
            elif (
                transfer.state is TransferState.DELIVERED
                and transfer.decision_overdue_at is None
                and transfer.decision_due_at is not None
                and transfer.decision_due_at <= now
            ):
                stage, waited = OverdueStage.DECISION, now - transfer.delivered_at
                transfer.decision_overdue_at = now
            else:
                continue
            partner = repo.agency(transfer.recipient)
            repo.save_transfer(transfer)
            body = OverdueBody(
                stage=stage, recipient=partner.id, recipient_name=partner.name,
                phone=partner.phone, reference=transfer.reference, waited_s=round(waited, 1),
                message=overdue_message(stage, partner.name, partner.phone, waited),
            )
            repo.add_event(transfer.incident_id, transfer.transfer_id, now, "hub", "overdue",
                           msgspec.to_builtins(body))
            repo.append(transfer.sender, EntryKind.TRANSFER_OVERDUE, transfer.incident_id,
                        transfer.transfer_id, _encode(body), now)
            audit.record(repo, now, "hub", "transfer.overdue", agency=transfer.sender,
                         counterparty=transfer.recipient, incident_id=transfer.incident_id,
                         transfer_id=transfer.transfer_id, detail={"stage": stage.value})
            raised.append((transfer, stage))
        return raised

    return job
