"""Message signatures: check each signed message as it arrives, keep the signature in
the same transaction as the message, and show it to the recipient to verify again.

An agency with an active signing key must sign every message it sends (the hub policy
`require_signatures` makes that so for every agency). A signature is checked against the
sender's own keys, read on every request so that a revoked key fails at once."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any, TypeVar

import msgspec

from bluelight.hub.domain.signature import (
    SignatureRecord,
    SignatureRefused,
    SignedKind,
    SigningKey,
    check_time,
    usable_key,
)
from bluelight.hub.domain.transfer import Transfer
from bluelight.hub.services import audit
from bluelight.hub.services.ports import Jose, Repository
from bluelight.kernel.errors import Conflict, NotFound
from bluelight.kernel.settings import Policy
from bluelight.wire.signatures import KeySet, PublicKey, SignatureView, TransferSignatures

# The wire types are re-exported so the server's imports of this module keep working.
__all__ = ["KeySet", "PublicKey", "SignatureView", "TransferSignatures", "Unsigned", "check",
           "key_set", "keys_of", "kept", "of_transfer", "register", "revoke"]

R = TypeVar("R")


# checking a message as it arrives --------------------------------------------------
def check(repo: Repository, jose: Jose, agency: str, kind: SignedKind,
          signature: str | None, payload: bytes, now: float, policy: Policy,
          field: str) -> SignatureRecord | None:
    """The verified signature over `payload`, to keep with the message; None for an
    unsigned message from an agency that need not sign. `field` names where the
    signature was sent (a header, or the `sig` member of a WebSocket command)."""
    if not signature:
        if policy.require_signatures or repo.has_active_signing_key(agency):
            raise SignatureRefused.field(field, "signature required: your agency signs its "
                                                "messages (a detached JWS)")
        return None
    try:
        head = jose.header(signature)
    except ValueError as exc:
        raise SignatureRefused.field(field, str(exc)) from None
    kid = head.get("kid")
    if not isinstance(kid, str) or not kid:
        raise SignatureRefused.field(field, "the protected header names no key (kid)")
    key = usable_key(repo.signing_key(kid), agency, kid, field)
    try:
        jose.verify(signature, payload, key.public_key, key.algorithm.value)
    except ValueError as exc:
        raise SignatureRefused.field(field, str(exc)) from None
    signed_at = head.get("iat")
    if isinstance(signed_at, bool) or not isinstance(signed_at, int | float):
        raise SignatureRefused.field(field, "the protected header has no signing time "
                                            "(iat, epoch seconds)")
    check_time(float(signed_at), now, policy.signature_window_s, field)
    return SignatureRecord(agency=agency, kind=kind, key_id=kid, jws=signature,
                           payload=payload, signed_at=float(signed_at), received_at=now)


class Unsigned(msgspec.Struct, frozen=True):
    """An unsigned message, still to be checked: refused in the writing transaction if
    the agency has an active signing key. Checking there, not in a read before it,
    saves a round trip to a reader thread on every unsigned message (the common case),
    and sees a key added or revoked up to the moment the message is stored."""

    agency: str
    field: str


def _refuse_unsigned(repo: Repository, unsigned: Unsigned) -> None:
    if repo.has_active_signing_key(unsigned.agency):
        raise SignatureRefused.field(unsigned.field, "signature required: your agency "
                                                     "signs its messages (a detached JWS)")


def kept(signature: SignatureRecord | Unsigned | None, job: Callable[[Repository], R]
         ) -> Callable[[Repository], R]:
    """`job`, then the signature over its message, in the same transaction: a message is
    never stored without its signature, nor a signature without its message. A resend
    (the original receipt again) adds nothing: the first signature is the evidence."""
    if signature is None:
        return job
    if isinstance(signature, Unsigned):
        def checked(repo: Repository) -> R:
            _refuse_unsigned(repo, signature)
            return job(repo)

        return checked

    def with_signature(repo: Repository) -> R:
        result = job(repo)
        linked = _linked(signature, result)
        if linked is not None:
            repo.add_signature(linked)
        return result

    return with_signature


def _linked(signature: SignatureRecord, result: Any) -> SignatureRecord | None:
    """The signature with the ids of what its message created or changed."""
    if isinstance(result, Transfer):  # a decision
        return msgspec.structs.replace(signature, incident_id=result.incident_id,
                                       transfer_id=result.transfer_id)
    receipt, created = result
    if not created or not hasattr(receipt, "incident_id"):
        return None
    return msgspec.structs.replace(signature, message_id=receipt.message_id,
                                   incident_id=receipt.incident_id)


# what a recipient sees -------------------------------------------------------------
def of_transfer(repo: Repository, agency: str, transfer_id: str) -> TransferSignatures:
    transfer = repo.transfer(transfer_id)
    if transfer is None or not transfer.party(agency):
        raise NotFound("no such transfer", [])
    reason = None
    if transfer.withheld:
        reason = (f"fields were withheld under agreement {transfer.agreement.id} "
                  f"v{transfer.agreement.version}" if transfer.agreement else
                  "fields were withheld: no data-sharing agreement covers this pair")
    views = []
    for record in repo.signatures_of(transfer.incident_id, transfer_id):
        # The sender's payload would show the recipient what was withheld; a decision
        # carries no incident data.
        hidden = reason is not None and record.kind is not SignedKind.DECISION
        views.append(SignatureView(
            kind=record.kind, agency=record.agency, key_id=record.key_id, jws=record.jws,
            signed_at=record.signed_at, received_at=record.received_at,
            message_id=record.message_id,
            payload=None if hidden else _b64(record.payload)))
    return TransferSignatures(transfer_id=transfer_id, verifiable=reason is None,
                              signatures=views, reason=reason)


def key_set(repo: Repository, jose: Jose, agency_id: str) -> KeySet:
    if repo.agency(agency_id) is None:
        raise NotFound(f"no agency {agency_id}", [])
    keys = []
    for key in repo.signing_keys_of(agency_id):
        jwk = jose.jwk(key.public_key)
        keys.append(PublicKey(kid=key.key_id, kty=jwk["kty"], crv=jwk["crv"], x=jwk["x"],
                              y=jwk.get("y"), alg=key.algorithm.value,
                              revoked=not key.active, created_at=key.created_at,
                              revoked_at=key.revoked_at))
    return KeySet(agency=agency_id, keys=keys)


# managing keys (the CLI) -----------------------------------------------------------
def register(key: SigningKey, by: str = "cli") -> Callable[[Repository], None]:
    """`by` is the administrator, for the audit log."""

    def job(repo: Repository) -> None:
        if repo.agency(key.agency) is None:
            raise NotFound(f"no agency {key.agency}")
        existing = repo.signing_key(key.key_id)
        if existing is not None:
            raise Conflict(f"this key is already registered (key id {key.key_id}, agency "
                           f"{existing.agency})")
        repo.add_signing_key(key)
        audit.record(repo, key.created_at, by, "signing-key.added", agency=key.agency,
                     detail={"key_id": key.key_id, "algorithm": key.algorithm.value})

    return job


def revoke(key_id: str, at: float, by: str = "cli") -> Callable[[Repository], SigningKey]:
    """From now on the key verifies nothing: the next message signed with it fails."""

    def job(repo: Repository) -> SigningKey:
        if not repo.revoke_signing_key(key_id, at):
            raise NotFound(f"no active signing key with key id {key_id}")
        key = repo.signing_key(key_id)
        audit.record(repo, at, by, "signing-key.revoked", agency=key.agency,
                     detail={"key_id": key_id})
        return key

    return job


def keys_of(agency_id: str) -> Callable[[Repository], list[SigningKey]]:
    def job(repo: Repository) -> list[SigningKey]:
        if repo.agency(agency_id) is None:
            raise NotFound(f"no agency {agency_id}")
        return repo.signing_keys_of(agency_id)

    return job


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
