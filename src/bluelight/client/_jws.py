"""JWS (PyJWT): sign what the client sends, check what the hub kept.

The SDK ships without the server, so the signing and checking half lives here, and the
hub's JOSE adapter (bluelight.hub.adapters.jws) builds on it: one implementation makes
and reads every signature. A signature is `<protected header>..<signature>` over the exact
bytes sent, in the unencoded form of RFC 7797 (`"b64": false`, listed in `"crit"`); the
plain detached form of RFC 7515 appendix F is also read, as the hub accepts it from
other JOSE libraries. Error messages are the hub's own, word for word, so a
SignatureCheck says the same thing whichever side checked."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from jwt.algorithms import ECAlgorithm, OKPAlgorithm

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey

_jws = jwt.PyJWS()


class JwsError(ValueError):
    """Not a usable signature or key; the message says what is wrong."""


# keys -------------------------------------------------------------------------------
def load_private(key: PrivateKey | bytes | str) -> PrivateKey:
    if isinstance(key, str):
        key = key.encode()
    if isinstance(key, bytes):
        try:
            key = serialization.load_pem_private_key(key, password=None)
        except (ValueError, TypeError):
            raise JwsError("not a PEM private key (unencrypted PKCS#8)") from None
    algorithm_of(key.public_key())
    return key


def algorithm_of(key: PublicKey) -> str:
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "EdDSA"
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return "ES256"
    raise JwsError("unsupported key type; use Ed25519 (EdDSA) or EC P-256 (ES256)")


def thumbprint(key: PublicKey) -> str:
    """The key's JWK thumbprint (RFC 7638): the key id `bluelight agency key
    generate|add` registers, so a client that names no key id still names the right one."""
    if isinstance(key, ed25519.Ed25519PublicKey):
        jwk = OKPAlgorithm.to_jwk(key, as_dict=True)
    else:
        jwk = ECAlgorithm.to_jwk(key, as_dict=True)
    members = {k: v for k, v in jwk.items() if k in ("crv", "kty", "x", "y")}
    canonical = json.dumps(members, sort_keys=True, separators=(",", ":")).encode()
    return _b64(hashlib.sha256(canonical).digest())


def public_from_jwk(value: dict[str, Any]) -> PublicKey:
    """The public key of a JWK, as GET /v1/agencies/{id}/keys lists them."""
    try:
        if value.get("kty") == "OKP":
            key = OKPAlgorithm.from_jwk(value)
        elif value.get("kty") == "EC":
            key = ECAlgorithm.from_jwk(value)
        else:
            raise JwsError(f"unsupported key type {value.get('kty')!r}")
    except jwt.PyJWTError as exc:
        raise JwsError(f"not a usable JWK ({exc})") from None
    algorithm_of(key)
    return key


# signatures -------------------------------------------------------------------------
def sign(payload: bytes, key: PrivateKey, kid: str, at: float | None = None) -> str:
    """`<header>..<signature>` over `payload`, with the key id and the signing time
    (`iat`, epoch seconds, default now: the hub refuses a stale one) in the protected
    header."""
    algorithm = algorithm_of(key.public_key())
    headers = {"kid": kid, "iat": int(time.time() if at is None else at), "typ": None}
    # PyJWT leaves the payload out of the serialisation when it is detached.
    return _jws.encode(payload, key, algorithm=algorithm, headers=headers,
                       is_payload_detached=True)


def header(signature: str) -> dict[str, Any]:
    head, dot, rest = signature.partition(".")
    body, dot2, _ = rest.partition(".")
    if not dot or not dot2 or body:
        raise JwsError("not a detached JWS (<header>..<signature>)")
    try:
        value = json.loads(b64decode(head))
    except (ValueError, TypeError):
        raise JwsError("the protected header is not base64url JSON") from None
    if not isinstance(value, dict):
        raise JwsError("the protected header is not a JSON object")
    return value


def verify(signature: str, payload: bytes, key: PublicKey, algorithm: str) -> dict[str, Any]:
    """Check `signature` over `payload` with `key`; returns the protected header. Only
    `algorithm` (the key's own) is accepted, so a header cannot pick a weaker one."""
    head = header(signature)
    head_b64, _, sig_b64 = signature.partition("..")
    try:
        if head.get("b64", True) is False:
            _jws.decode_complete(signature, key, algorithms=[algorithm],
                                 detached_payload=payload)
        else:
            _jws.decode_complete(f"{head_b64}.{_b64(payload)}.{sig_b64}", key,
                                 algorithms=[algorithm])
    except jwt.InvalidSignatureError:
        raise JwsError("the signature does not match the message") from None
    except jwt.PyJWTError as exc:
        raise JwsError(f"not a valid JWS ({exc})") from None
    return head


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
