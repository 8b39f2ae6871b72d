"""JWS with a detached payload (PyJWT), and the keys that make and check them.

The signing and checking half is the SDK's (bluelight.client._jws), which ships without
the server; this adapter adds what only the hub needs (new keys, PEM, JWKs) and takes
keys as PEM text too, as the store keeps them.

A signature is the compact serialisation with the payload left out,
`<protected header>..<signature>`, over the exact bytes sent.
We produce the unencoded form of RFC 7797 (`"b64": false`, listed in `"crit"`): the
signing input is the base64url header, a dot, and the bytes themselves, so nothing has
to be re-encoded to check one. We also accept the plain detached form of RFC 7515
appendix F (the payload base64url-encoded in the signing input), which every JOSE
library can produce."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from jwt.algorithms import ECAlgorithm, OKPAlgorithm

from bluelight.client import _jws as client_jws
from bluelight.client._jws import (
    JwsError,
    PrivateKey,
    PublicKey,
    algorithm_of,
    b64decode,
    header,
    load_private,
    public_from_jwk,
    sign,
)

__all__ = ["ALGORITHMS", "JwsError", "PrivateKey", "PublicKey", "PyJwtJose", "algorithm_of",
           "b64decode", "b64encode", "generate", "header", "jwk", "load_private",
           "load_public", "private_pem", "public_from_jwk", "public_pem", "sign",
           "thumbprint", "verify"]

ALGORITHMS = ("EdDSA", "ES256")
b64encode = client_jws._b64


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


def load_public(pem: str | bytes) -> PublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode() if isinstance(pem, str) else pem)
    except (ValueError, TypeError):
        raise JwsError("not a PEM public key (SubjectPublicKeyInfo)") from None
    algorithm_of(key)
    return key


def jwk(key: PublicKey | str) -> dict[str, Any]:
    """The public key as a JWK (RFC 7517): what a recipient needs to verify."""
    key = load_public(key) if isinstance(key, str) else key
    if isinstance(key, ed25519.Ed25519PublicKey):
        return OKPAlgorithm.to_jwk(key, as_dict=True)
    return {k: v for k, v in ECAlgorithm.to_jwk(key, as_dict=True).items() if k != "d"}


def thumbprint(key: PublicKey | str) -> str:
    """The key's JWK thumbprint (RFC 7638): a key id anyone can recompute from the key,
    the same wherever the key is registered."""
    return client_jws.thumbprint(load_public(key) if isinstance(key, str) else key)


# signatures -------------------------------------------------------------------------
def verify(signature: str, payload: bytes, key: PublicKey | str, algorithm: str
           ) -> dict[str, Any]:
    """Check `signature` over `payload` with `key` (or its PEM); returns the protected
    header. Only `algorithm` (the key's own) is accepted."""
    return client_jws.verify(signature, payload,
                             load_public(key) if isinstance(key, str) else key, algorithm)


class PyJwtJose:
    """The Jose port (services.ports) on this module."""

    def header(self, signature: str) -> dict[str, Any]:
        return header(signature)

    def verify(self, signature: str, payload: bytes, public_key: str, algorithm: str
               ) -> dict[str, Any]:
        return verify(signature, payload, public_key, algorithm)

    def jwk(self, public_key: str) -> dict[str, Any]:
        return jwk(public_key)
