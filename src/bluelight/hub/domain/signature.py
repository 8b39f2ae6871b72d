"""Message signatures: who sent what, provably.

An agency signs the exact bytes of each message it sends (a JWS with a detached payload).
The hub checks the signature against the agency's registered public keys and keeps it,
so the recipient, or an auditor, can check it again with the sender's public key."""

from __future__ import annotations

from enum import StrEnum

import msgspec

from bluelight.kernel.errors import DomainError, FieldFault
from bluelight.wire.signatures import SignedKind

# SignedKind is a wire type, re-exported so the server's imports of this module keep working.
__all__ = ["FUTURE_SKEW_S", "Algorithm", "SignatureRecord", "SignatureRefused", "SignedKind",
           "SigningKey", "check_time", "usable_key"]

FUTURE_SKEW_S = 30.0  # how far ahead of the hub's clock a sender's clock may run


class Algorithm(StrEnum):
    """JWS algorithms a signing key may use (RFC 8037 and RFC 7518)."""

    EDDSA = "EdDSA"  # Ed25519: the default
    ES256 = "ES256"  # ECDSA P-256, for keys held in hardware that cannot do Ed25519


class SigningKey(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One of an agency's public keys. Several may be active at once (rotation)."""

    key_id: str
    agency: str
    algorithm: Algorithm
    public_key: str  # PEM (SubjectPublicKeyInfo)
    created_at: float
    revoked_at: float | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class SignatureRecord(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A verified signature, kept with the message it covers as evidence."""

    agency: str
    kind: SignedKind
    key_id: str
    jws: str  # compact serialisation, payload detached
    payload: bytes  # the exact bytes signed
    signed_at: float
    received_at: float
    message_id: str | None = None
    incident_id: str | None = None
    transfer_id: str | None = None


class SignatureRefused(DomainError):
    """A message's signature is missing, wrong, or too old: the message is refused."""

    kind = "bad-signature"
    status = 401

    @classmethod
    def field(cls, field: str, fault: str) -> SignatureRefused:
        return cls(f"{field}: {fault}", [FieldFault(field, fault)])


def check_time(signed_at: float, now: float, window_s: float, field: str) -> None:
    """The signing time is inside the signature, so it cannot be altered: a captured
    message replayed after the window is refused."""
    if signed_at < now - window_s:
        raise SignatureRefused.field(
            field, f"stale signature: signed {now - signed_at:.0f} s ago; the limit is "
                   f"{window_s:.0f} s")
    if signed_at > now + FUTURE_SKEW_S:
        raise SignatureRefused.field(
            field, f"stale signature: signed {signed_at - now:.0f} s in the future; check "
                   "the sender's clock")


def usable_key(key: SigningKey | None, agency: str, kid: str, field: str) -> SigningKey:
    """The key the signature names, if it is the sender's own and not revoked. Unknown,
    revoked and another agency's keys are answered alike: which it was is not said."""
    if key is None or key.agency != agency or not key.active:
        raise SignatureRefused.field(field, f"key {kid!r} is not an active signing key of "
                                            "your agency")
    return key
