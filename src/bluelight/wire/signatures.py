"""Message signatures as the hub shows them: the signatures it kept over a transfer's
messages (`GET /v1/transfers/{transfer_id}/signatures`) and an agency's public keys
(`GET /v1/agencies/{agency}/keys`), so a recipient can check who sent what without
trusting the hub."""

from __future__ import annotations

from enum import StrEnum

import msgspec


class SignedKind(StrEnum):
    """What a signature covers."""

    INCIDENT = "incident"
    UPDATE = "update"
    CLOSURE = "closure"
    CANCELLATION = "cancellation"
    DECISION = "decision"
    MESSAGE = "message"  # a message in another standard (POST /v1/messages)


class SignatureView(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A kept signature, as shown to a party to the transfer."""

    kind: SignedKind
    agency: str  # who signed
    key_id: str
    jws: str  # compact serialisation, payload detached
    signed_at: float
    received_at: float
    message_id: str | None = None
    # The exact signed bytes, base64url: verify `jws` over them with the signer's key
    # from GET /v1/agencies/{agency}/keys. Absent when showing them would reveal fields
    # the data-sharing agreement withheld from the recipient.
    payload: str | None = None


class TransferSignatures(msgspec.Struct, kw_only=True, omit_defaults=True):
    transfer_id: str
    verifiable: bool  # every signature comes with its payload
    signatures: list[SignatureView]
    reason: str | None = None  # why not verifiable


class PublicKey(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A public key as a JWK (RFC 7517), with whether and when it was revoked."""

    kid: str
    kty: str
    crv: str
    x: str
    alg: str
    revoked: bool
    created_at: float
    use: str = "sig"
    y: str | None = None  # EC keys only
    revoked_at: float | None = None


class KeySet(msgspec.Struct, kw_only=True):
    """A JWK set: an agency's signing keys, past and present."""

    agency: str
    keys: list[PublicKey]
