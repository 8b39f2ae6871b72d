"""Use cases of the sending control room: send an incident, update, close, cancel.

Each function returns a job for the store's writer: it runs in one transaction and
either stores everything (incident, transfers, mailbox entries, timeline, receipt) or
nothing. Idempotency lives here too: a message id seen before returns its first receipt.
"""

from __future__ import annotations

import hashlib
import random
import secrets
import time
from collections.abc import Callable, Mapping, Sequence

import msgspec

from bluelight.hub.domain.agency import Agency
from bluelight.hub.domain.commands import (
    SubmitCancellation,
    SubmitClosure,
    SubmitIncident,
    SubmitUpdate,
)
from bluelight.hub.domain.incident import Incident, UpdateRecord, apply_update
from bluelight.hub.domain.sharing import (
    Agreement,
    DataClass,
    redact,
    redact_closure_text,
    redact_update,
)
from bluelight.hub.domain.transfer import (
    AgreementRef,
    CancellationBody,
    ClosureBody,
    EntryKind,
    Flag,
    IncidentStatus,
    OfferBody,
    Transfer,
    TransferState,
    UpdateBody,
)
from bluelight.hub.services import audit, sharing
from bluelight.hub.services.ports import IncidentRecord, RawMessage, Repository
from bluelight.hub.services.views import Receipt, TransferReceipt
from bluelight.kernel.errors import Conflict, Faults, FieldFault, NotFound
from bluelight.kernel.settings import Policy

_encode = msgspec.json.Encoder().encode
_receipt = msgspec.json.Decoder(Receipt).decode
Clock = Callable[[], float]


# Seeded once from the OS. Ids need to be unique, not secret: who may read a transfer is
# decided by agency, never by knowing its id. (secrets would cost a syscall per id.)
_random = random.Random(secrets.randbits(128))


def new_id(prefix: str) -> str:
    """Time-ordered (like a ULID): new rows append to the primary-key B-tree instead of
    landing at random pages. The random tail keeps ids from colliding."""
    return f"{prefix}_{time.time_ns() // 1000:x}{_random.getrandbits(32):08x}"


def fingerprint(command: msgspec.Struct) -> str:
    """Same message id with other content is a conflict, not a resubmission."""
    return hashlib.blake2b(_encode(command), digest_size=16).hexdigest()


# What translation loses on the way to each recipient, worked out before the write job
# (encoding in every recipient's standard is the slow part of a submission, and the
# writer's batches are time-boxed): keyed by recipient, its format and the agreement
# version the losses were computed under.
LossKey = tuple[str, str, AgreementRef | None]
Losses = Mapping[LossKey, list[str]]
Lost = Callable[[Agency, Incident], list[str]]


def _ref(ref: AgreementRef | None) -> str | None:
    return f"{ref.id} v{ref.version}" if ref else None


def _seen(repo: Repository, sender: str, message_id: str, digest: str) -> Receipt | None:
    stored = repo.message(sender, message_id)
    if stored is None:
        return None
    if stored.body_hash != digest:
        raise Conflict(
            "message_id was already used for a different message",
            [FieldFault("message_id", "already used for a message with other content")],
        )
    return _receipt(stored.receipt)


def submit_incident(
    sender: str,
    command: SubmitIncident,
    incident: Incident,
    flags: list[Flag],
    submitted_at: float,
    clock: Clock,
    policy: Policy,
    raw: RawMessage | None = None,
    losses: Losses | None = None,
    actor: str | None = None,
    lost: Lost | None = None,
) -> Callable[[Repository], tuple[Receipt, bool]]:
    """`incident` is the command's incident with its location resolved. `raw` is the
    message as received, when it came in another standard; `losses` says what
    translation drops on the way to each recipient (see `losses_for`; None: nothing).
    Where they were worked out under another format or agreement than the one in force
    now (the hub's snapshot of the directory is behind an administrator's change), or
    not at all, `lost(recipient, shared)` works that recipient's out here: rare, and
    the answer is right either way. `actor` is who is audited as sending it."""
    message_id = str(command.message_id)
    digest = fingerprint(command)

    def job(repo: Repository) -> tuple[Receipt, bool]:
        if (receipt := _seen(repo, sender, message_id, digest)) is not None:
            return receipt, False
        faults = Faults()
        recipients = []
        for i, agency_id in enumerate(command.recipients):
            if agency_id == sender:
                faults.add(f"recipients[{i}]", "an agency cannot send an incident to itself")
            elif agency_id in (r.id for r in recipients):
                faults.add(f"recipients[{i}]", "listed twice")
            elif (agency := repo.agency(agency_id)) is None:
                faults.add(f"recipients[{i}]", f"unknown agency {agency_id!r}")
            else:
                recipients.append(agency)
        if repo.incident_by_reference(sender, incident.reference) is not None:
            faults.add(
                "incident.reference",
                "an incident with this reference was already sent; send an update instead",
            )
        faults.raise_if_any()

        now = clock()
        sender_agency = repo.agency(sender)
        incident_id = new_id("inc")
        repo.add_incident(
            IncidentRecord(
                incident_id=incident_id, sender=sender, reference=incident.reference,
                status=IncidentStatus.OPEN, incident=incident, created_at=now,
            )
        )
        in_force = repo.agreements_in_force()
        # One redacted copy per agreement: recipients under the same one share it.
        offers: dict[AgreementRef | None, tuple[Incident, list[str], bytes]] = {}
        receipts = []
        for agency in recipients:
            agreement, allowed = sharing.terms_for(in_force, sender, agency.id)
            ref = sharing.ref_of(agreement)
            if ref not in offers:
                shared, withheld = redact(incident, allowed)
                offers[ref] = shared, withheld, _encode(
                    OfferBody(sender=sender, sender_name=sender_agency.name, incident=shared,
                              flags=flags, agreement=ref, withheld=withheld))
            shared, withheld, offer = offers[ref]
            key = (agency.id, agency.format.value, ref)
            if losses is not None and key in losses:
                lost_here = losses[key]
            else:
                lost_here = lost(agency, shared) if lost is not None else []
            transfer = Transfer(
                transfer_id=new_id("tr"), incident_id=incident_id,
                reference=incident.reference, sender=sender, recipient=agency.id,
                state=TransferState.STORED, incident_status=IncidentStatus.OPEN,
                submitted_at=submitted_at, stored_at=now,
                ack_due_at=now + (agency.ack_deadline_s or policy.ack_deadline_s),
                flags=flags, losses=lost_here,
                origin_message_id=(raw.message_id if raw and raw.message_id else message_id),
                agreement=ref, withheld=withheld,
            )
            repo.add_transfer(transfer)
            repo.append(agency.id, EntryKind.INCIDENT_NEW, incident_id, transfer.transfer_id,
                        offer, now)
            audit.record(repo, now, actor or sender, "transfer.created", agency=sender,
                         counterparty=agency.id, incident_id=incident_id,
                         transfer_id=transfer.transfer_id,
                         detail={"message_id": message_id, "agreement": _ref(ref),
                                 "withheld": withheld})
            receipts.append(TransferReceipt(transfer_id=transfer.transfer_id,
                                            recipient=agency.id, state=transfer.state,
                                            agreement=ref, withheld=withheld))
        receipt = Receipt(
            message_id=message_id, incident_id=incident_id, reference=incident.reference,
            kind="incident", status="stored", stored_at=now, transfers=receipts, flags=flags,
        )
        repo.add_message(sender, message_id, digest, incident_id, "incident", _encode(receipt),
                         now)
        if raw is not None:
            repo.add_raw_message(raw, incident_id, now)
        return receipt, True

    return job


def losses_for(
    agencies: Mapping[str, Agency], in_force: list[Agreement], sender: str,
    recipients: Sequence[str], incident: Incident, lost: Lost,
) -> dict[LossKey, list[str]]:
    """`lost(recipient, shared)` for each recipient known to `agencies`, where `shared`
    is what the agreement in `in_force` lets that recipient have of `incident`. Pure:
    the hub calls it with its snapshot of the directory, outside any transaction."""
    out: dict[LossKey, list[str]] = {}
    for agency_id in dict.fromkeys(recipients):
        if agency_id == sender or (agency := agencies.get(agency_id)) is None:
            continue  # refused by the write job, with the reason, or worked out there
        agreement, allowed = sharing.terms_for(in_force, sender, agency.id)
        shared, _ = redact(incident, allowed)
        out[(agency.id, agency.format.value, sharing.ref_of(agreement))] = lost(agency, shared)
    return out


def _follow_up(
    sender: str,
    reference: str,
    command: SubmitUpdate | SubmitClosure | SubmitCancellation,
    kind: str,
    clock: Clock,
    apply: Callable[[IncidentRecord, Transfer, AgreementRef | None, frozenset[DataClass]],
                    tuple[EntryKind, bytes, list[str]] | None],
    change_incident: Callable[[Repository, IncidentRecord, float], dict | None],
    flags: list[Flag] = (),
    raw: RawMessage | None = None,
    actor: str | None = None,
) -> Callable[[Repository], tuple[Receipt, bool]]:
    """Shared shape of update, closure and cancellation: find the sender's incident,
    change it, tell each recipient (what its agreement in force now allows), record it
    all. `change_incident(repo, record, now)` changes the incident and returns the
    timeline event's detail (None: the command itself). `apply` returns what to push
    (kind, body, fields withheld), given the agreement it goes under and what that lets
    the recipient see."""
    message_id = str(command.message_id)
    digest = fingerprint(command)

    def job(repo: Repository) -> tuple[Receipt, bool]:
        if (receipt := _seen(repo, sender, message_id, digest)) is not None:
            return receipt, False
        record = repo.incident_by_reference(sender, reference)
        if record is None:
            raise NotFound(
                f"you have sent no incident with reference {reference!r}",
                [FieldFault("reference", "no incident with this reference was sent by you")],
            )
        if record.status is not IncidentStatus.OPEN:
            raise Conflict(f"the incident is already {record.status.value}")
        now = clock()
        detail = change_incident(repo, record, now)
        repo.save_incident(record)
        repo.add_event(record.incident_id, None, now, sender, kind,
                       msgspec.to_builtins(command) if detail is None else detail)
        receipts = []
        in_force = repo.agreements_in_force()
        audit.record(repo, now, actor or sender, f"incident.{kind}", agency=sender,
                     incident_id=record.incident_id, detail={"message_id": message_id})
        for transfer in repo.transfers_of(record.incident_id):
            agreement, allowed = sharing.terms_for(in_force, sender, transfer.recipient)
            ref = sharing.ref_of(agreement)
            push = apply(record, transfer, ref, allowed)
            transfer.incident_status = record.status
            if push is not None:
                entry_kind, body, withheld = push
                # The recipient's view now follows the version this message went under.
                transfer.agreement = ref
                transfer.withheld = sorted({*transfer.withheld, *withheld})
                repo.append(transfer.recipient, entry_kind, record.incident_id,
                            transfer.transfer_id, body, now)
            repo.save_transfer(transfer)
            receipts.append(TransferReceipt(transfer_id=transfer.transfer_id,
                                            recipient=transfer.recipient, state=transfer.state,
                                            agreement=transfer.agreement,
                                            withheld=transfer.withheld))
        receipt = Receipt(
            message_id=message_id, incident_id=record.incident_id, reference=reference,
            kind=kind, status="stored", stored_at=now, transfers=receipts, flags=list(flags),
        )
        repo.add_message(sender, message_id, digest, record.incident_id, kind, _encode(receipt),
                         now)
        if raw is not None:
            repo.add_raw_message(raw, record.incident_id, now)
        return receipt, True

    return job


def submit_update(
    sender: str, reference: str, command: SubmitUpdate, flags: list[Flag], clock: Clock,
    raw: RawMessage | None = None,
    actor: str | None = None,
) -> Callable[[Repository], tuple[Receipt, bool]]:
    """`command.update` has its location (if any) already resolved. Its text becomes the
    next record of the incident's update history; the incident itself only takes the
    fields the update replaces, so it never grows with the number of updates."""
    version = 0

    def change(repo: Repository, record: IncidentRecord, now: float) -> dict:
        nonlocal version
        version = repo.update_count(record.incident_id) + 1
        record.incident = apply_update(record.incident, command.update)
        repo.add_update(record.incident_id, UpdateRecord(
            version=version, at=now, by=sender, message_id=str(command.message_id),
            text=command.update.text))
        # The timeline says which update it was and what it replaced; the text is in the
        # history only, so that the timeline does not carry every text again.
        replaced = msgspec.to_builtins(command.update)
        del replaced["text"]
        return {"message_id": str(command.message_id), "version": version,
                "update": replaced}

    def apply(record: IncidentRecord, transfer: Transfer, ref: AgreementRef | None,
              allowed: frozenset[DataClass]):
        if transfer.state in (TransferState.REJECTED, TransferState.CANCELLED):
            return None  # they declined it; updates are not theirs to act on
        update, update_withheld = redact_update(command.update, allowed)
        incident, incident_withheld = redact(record.incident, allowed)
        withheld = sorted({*update_withheld, *incident_withheld})
        return EntryKind.INCIDENT_UPDATE, _encode(
            UpdateBody(sender=sender, reference=reference, update=update, incident=incident,
                       agreement=ref, withheld=withheld, version=version)
        ), withheld

    return _follow_up(sender, reference, command, "update", clock, apply, change, flags, raw,
                      actor)


def submit_closure(
    sender: str, reference: str, command: SubmitClosure, clock: Clock,
    raw: RawMessage | None = None,
    actor: str | None = None,
) -> Callable[[Repository], tuple[Receipt, bool]]:
    def change(repo: Repository, record: IncidentRecord, now: float) -> None:
        record.status = IncidentStatus.CLOSED

    def apply(record: IncidentRecord, transfer: Transfer, ref: AgreementRef | None,
              allowed: frozenset[DataClass]):
        if transfer.state is TransferState.CANCELLED:
            return None
        text, withheld = redact_closure_text(command.closure.text, allowed)
        return EntryKind.INCIDENT_CLOSED, _encode(
            ClosureBody(sender=sender, reference=reference, outcome=command.closure.outcome,
                        text=text, withheld=withheld)
        ), withheld

    return _follow_up(sender, reference, command, "closed", clock, apply, change, raw=raw,
                      actor=actor)


def submit_cancellation(
    sender: str, reference: str, command: SubmitCancellation, clock: Clock,
    raw: RawMessage | None = None,
    actor: str | None = None,
) -> Callable[[Repository], tuple[Receipt, bool]]:
    def change(repo: Repository, record: IncidentRecord, now: float) -> None:
        record.status = IncidentStatus.CANCELLED

    def apply(record: IncidentRecord, transfer: Transfer, ref: AgreementRef | None,
              allowed: frozenset[DataClass]):
        if transfer.state is TransferState.CANCELLED:
            return None
        transfer.state = TransferState.CANCELLED
        transfer.reason = command.reason
        return EntryKind.INCIDENT_CANCELLED, _encode(
            CancellationBody(sender=sender, reference=reference, reason=command.reason)
        ), []

    return _follow_up(sender, reference, command, "cancelled", clock, apply, change, raw=raw,
                      actor=actor)
