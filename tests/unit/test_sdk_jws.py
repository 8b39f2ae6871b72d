"""The SDK signs and checks with its own JWS code (bluelight.client._jws), so it can ship
without the server. Both sides must still agree on every signature and key id: a client
signature the hub verifies, a kept signature the client verifies, the same thumbprint,
and the same words when something is wrong."""

from __future__ import annotations

import msgspec
import pytest

from bluelight.client import _jws as client_jws
from bluelight.client._signing import Signer, check
from bluelight.hub.adapters import jws as hub_jws
from bluelight.wire.signatures import KeySet, PublicKey, SignatureView, SignedKind

PAYLOAD = b'{"a": 1,  "b":"caf\xc3\xa9"}\n'  # odd spacing, UTF-8: signed as they are
# RFC 8037 appendix A: an Ed25519 key, its thumbprint, and a signature made with it.
RFC8037_JWK = {"kty": "OKP", "crv": "Ed25519",
               "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
RFC8037_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
RFC8037_JWS = ("eyJhbGciOiJFZERTQSJ9..hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4k"
               "i4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg")


def test_rfc8037_vectors():
    public = client_jws.public_from_jwk(RFC8037_JWK)
    assert client_jws.thumbprint(public) == RFC8037_THUMBPRINT
    assert client_jws.verify(RFC8037_JWS, b"Example of Ed25519 signing", public, "EdDSA") == {
        "alg": "EdDSA"}


@pytest.mark.parametrize("algorithm", ["EdDSA", "ES256"])
def test_the_hub_verifies_what_the_client_signs(algorithm):
    key = hub_jws.generate(algorithm)
    signer = Signer(hub_jws.private_pem(key))
    assert signer.key_id == hub_jws.thumbprint(hub_jws.public_pem(key))  # what the CLI registers
    signature = signer.sign(PAYLOAD)
    head = hub_jws.verify(signature, PAYLOAD, hub_jws.public_pem(key), algorithm)
    assert head["kid"] == signer.key_id and head["b64"] is False


@pytest.mark.parametrize("algorithm", ["EdDSA", "ES256"])
def test_the_client_verifies_what_the_hub_kept(algorithm):
    key = hub_jws.generate(algorithm)
    kid = hub_jws.thumbprint(key.public_key())
    jwk = hub_jws.jwk(hub_jws.public_pem(key))
    keys = KeySet(agency="uk.police.a", keys=[PublicKey(
        kid=kid, kty=jwk["kty"], crv=jwk["crv"], x=jwk["x"], y=jwk.get("y"), alg=algorithm,
        revoked=False, created_at=1.0)])
    keys = msgspec.json.decode(msgspec.json.encode(keys), type=KeySet)  # as the hub sends it
    kept = SignatureView(kind=SignedKind.INCIDENT, agency="uk.police.a", key_id=kid,
                         jws=hub_jws.sign(PAYLOAD, key, kid), signed_at=2.0, received_at=2.0,
                         payload=hub_jws.b64encode(PAYLOAD))
    result = check(kept, keys, None)
    assert result.valid is True and result.payload == PAYLOAD
    tampered = msgspec.structs.replace(kept, payload=hub_jws.b64encode(PAYLOAD + b" "))
    result = check(tampered, keys, None)
    assert result.valid is False and result.reason == "the signature does not match the message"


@pytest.mark.parametrize("text", ["", "abc", "a.b.c", "a..b..c", "!!!..sig", "WzFd..c2ln",
                                  "eyJhbGciOiJFZERTQSJ9..AAAA"])
def test_a_bad_signature_is_named_as_the_hub_names_it(text):
    key = hub_jws.generate()
    with pytest.raises(hub_jws.JwsError) as by_hub:
        hub_jws.verify(text, b"x", key.public_key(), "EdDSA")
    with pytest.raises(client_jws.JwsError) as by_client:
        client_jws.verify(text, b"x", key.public_key(), "EdDSA")
    assert str(by_client.value) == str(by_hub.value)


def test_unusable_keys_are_refused_in_the_hubs_words():
    from cryptography.hazmat.primitives.asymmetric import ec

    p384 = hub_jws.private_pem(ec.generate_private_key(ec.SECP384R1()))
    for pem in (p384, b"nonsense"):
        with pytest.raises(hub_jws.JwsError) as by_hub:
            hub_jws.load_private(pem)
        with pytest.raises(client_jws.JwsError) as by_client:
            Signer(pem)
        assert str(by_client.value) == str(by_hub.value)
    with pytest.raises(client_jws.JwsError, match="unsupported key type 'RSA'"):
        client_jws.public_from_jwk({"kty": "RSA", "n": "AQAB", "e": "AQAB"})
