"""Signing what the client sends, and checking what the hub kept (end to end)."""

from __future__ import annotations

from typing import Any

import msgspec

from bluelight.client import _jws as jws
from bluelight.wire.signatures import KeySet, SignatureView


class Signer:
    """An agency's private key and its key id. The key id defaults to the key's JWK
    thumbprint, which is what `bluelight agency key generate|add` registers."""

    def __init__(self, key: Any, key_id: str | None = None) -> None:
        self.key = jws.load_private(key)
        self.key_id = key_id or jws.thumbprint(self.key.public_key())

    def sign(self, payload: bytes) -> str:
        return jws.sign(payload, self.key, self.key_id)


class SignatureCheck(msgspec.Struct, kw_only=True, omit_defaults=True):
    """The outcome of checking one kept signature with the signer's published key.
    `valid` is None when it could not be checked (the payload was withheld)."""

    kind: str
    agency: str
    key_id: str
    signed_at: float
    valid: bool | None
    message_id: str | None = None
    reason: str | None = None
    payload: bytes | None = None  # the exact signed bytes: compare them with what you got


def check(signature: SignatureView, keys: KeySet, withheld: str | None) -> SignatureCheck:
    result = SignatureCheck(kind=signature.kind.value, agency=signature.agency,
                            key_id=signature.key_id, signed_at=signature.signed_at,
                            message_id=signature.message_id, valid=None)
    if signature.payload is None:
        result.reason = withheld or "the payload was not shown"
        return result
    result.valid = False
    payload = jws.b64decode(signature.payload)
    key = next((k for k in keys.keys if k.kid == signature.key_id), None)
    if key is None:
        result.reason = f"{signature.agency} publishes no key {signature.key_id}"
        return result
    if key.revoked_at is not None and key.revoked_at <= signature.signed_at:
        result.reason = "signed with a key that was already revoked"
        return result
    try:
        public = jws.public_from_jwk(msgspec.to_builtins(key))
        header = jws.verify(signature.jws, payload, public, key.alg)
    except jws.JwsError as exc:
        result.reason = str(exc)
        return result
    if header.get("kid") != signature.key_id:
        result.reason = "the signature names another key than the hub says"
        return result
    result.valid, result.payload = True, payload
    return result
