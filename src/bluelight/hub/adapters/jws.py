"""JWS with a detached payload (PyJWT), and the keys that make and check them.

The SDK, which ships without the server, has its own copy of the signing and checking
half (bluelight.client._jws; tests/unit/test_sdk_jws.py holds the two to the same
signatures and messages).

A signature is the compact serialisation with the payload left out,
`<protected header>..<signature>`, over the exact bytes sent.
We produce the unencoded form of RFC 7797 (`"b64": false`, listed in `"crit"`): the
signing input is the base64url header, a dot, and the bytes themselves, so nothing has
to be re-encoded to check one. We also accept the plain detached form of RFC 7515
appendix F (the payload base64url-encoded in the signing input), which every JOSE
library can produce."""

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

ALGORITHMS = ("EdDSA", "ES256")
PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey

_jws = jwt.PyJWS()


class JwsError(ValueError):
    """Not a usable signature or key; the message says what is wrong."""


# keys -------------------------------------------------------------------------------
def generate(algorithm: str = "EdDSA") -> PrivateKey:
    if algorithm == "EdDSA":
        return ed25519.Ed25519PrivateKey.generate()
    if algorithm == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    raise JwsError(f"unsupported algorithm {algorithm!r}; use one of {', '.join(ALGORITHMS)}")


def private_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def public_pem(key: PrivateKey | PublicKey) -> str:
    public = key.public_key() if hasattr(key, "public_key") else key
    return public.public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()


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


def load_public(pem: str | bytes) -> PublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode() if isinstance(pem, str) else pem)
    except (ValueError, TypeError):
        raise JwsError("not a PEM public key (SubjectPublicKeyInfo)") from None
    algorithm_of(key)
    return key


def algorithm_of(key: PublicKey) -> str:
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "EdDSA"
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return "ES256"
    raise JwsError("unsupported key type; use Ed25519 (EdDSA) or EC P-256 (ES256)")


def jwk(key: PublicKey | str) -> dict[str, Any]:
    """The public key as a JWK (RFC 7517): what a recipient needs to verify."""
    key = load_public(key) if isinstance(key, str) else key
    if isinstance(key, ed25519.Ed25519PublicKey):
        return OKPAlgorithm.to_jwk(key, as_dict=True)
    return {k: v for k, v in ECAlgorithm.to_jwk(key, as_dict=True).items() if k != "d"}


def thumbprint(key: PublicKey | str) -> str:
    """The key's JWK thumbprint (RFC 7638): a key id anyone can recompute from the key,
    the same wherever the key is registered."""
    members = {k: v for k, v in jwk(key).items() if k in ("crv", "kty", "x", "y")}
    canonical = json.dumps(members, sort_keys=True, separators=(",", ":")).encode()
    return _b64(hashlib.sha256(canonical).digest())


# signatures -------------------------------------------------------------------------
def sign(payload: bytes, key: PrivateKey, kid: str, at: float | None = None) -> str:
    """`<header>..<signature>` over `payload`, with the key id and the signing time
    (`iat`, epoch seconds) in the protected header."""
    algorithm = algorithm_of(key.public_key())
    headers = {"kid": kid, "iat": int(time.time() if at is None else at), "typ": None}
    # PyJWT leaves the payload out of the serialisation when it is detached.
    return _jws.encode(payload, key, algorithm=algorithm, headers=headers,
                       is_payload_detached=True)


def header(signature: str) -> dict[str, Any]:
    """The protected header, unverified: which key to verify with."""
    head, dot, rest = signature.partition(".")
    body, dot2, _ = rest.partition(".")
    if not dot or not dot2 or body:
        raise JwsError("not a detached JWS (<header>..<signature>)")
    try:
        value = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, TypeError):
        raise JwsError("the protected header is not base64url JSON") from None
    if not isinstance(value, dict):
        raise JwsError("the protected header is not a JSON object")
    return value


def verify(signature: str, payload: bytes, key: PublicKey | str, algorithm: str
           ) -> dict[str, Any]:
    """Check `signature` over `payload` with `key`; returns the protected header. Only
    `algorithm` (the key's own) is accepted, so a header cannot pick a weaker one."""
    key = load_public(key) if isinstance(key, str) else key
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


b64encode = _b64


class PyJwtJose:
    """The Jose port (services.ports) on this module."""

    def header(self, signature: str) -> dict[str, Any]:
        return header(signature)

    def verify(self, signature: str, payload: bytes, public_key: str, algorithm: str
               ) -> dict[str, Any]:
        return verify(signature, payload, public_key, algorithm)

    def jwk(self, public_key: str) -> dict[str, Any]:
        return jwk(public_key)


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
