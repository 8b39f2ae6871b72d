"""Signing keys for agencies' systems, as the command line makes and registers them
(`bluelight agency key ...`), on the JOSE module the hub verifies signatures with."""

from __future__ import annotations

from dataclasses import dataclass

from bluelight.hub.adapters import jws


@dataclass(frozen=True)
class KeyFiles:
    key_id: str  # the JWK thumbprint (kid)
    algorithm: str  # EdDSA or ES256
    public_pem: str
    private_pem: bytes = b""  # only for a key made here: the agency's system keeps it


class JwsKeyPairs:
    def generate(self, algorithm: str) -> KeyFiles:
        private = jws.generate(algorithm)
        public = private.public_key()
        return KeyFiles(key_id=jws.thumbprint(public), algorithm=jws.algorithm_of(public),
                        public_pem=jws.public_pem(public), private_pem=jws.private_pem(private))

    def read_public(self, pem: bytes) -> KeyFiles:
        """Raises `jws.JwsError` (a ValueError) saying what is wrong with the key."""
        public = jws.load_public(pem)
        return KeyFiles(key_id=jws.thumbprint(public), algorithm=jws.algorithm_of(public),
                        public_pem=jws.public_pem(public))
