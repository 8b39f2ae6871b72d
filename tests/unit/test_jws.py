"""The JOSE adapter and the signature rules: detached JWS over exact bytes, both
detached forms, key ids, algorithm pinning, and the signing-time window."""

from __future__ import annotations

import base64
import json

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bluelight.hub.adapters import jws
from bluelight.hub.domain.signature import (
    Algorithm,
    SignatureRefused,
    SigningKey,
    check_time,
    usable_key,
)

# RFC 8037 appendix A: an Ed25519 key, its thumbprint, and a signature made with it.
RFC8037_JWK = {"kty": "OKP", "crv": "Ed25519",
               "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
RFC8037_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
RFC8037_JWS = ("eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1P"
               "POt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg")


def test_rfc8037_vectors():
    public = jws.public_from_jwk(RFC8037_JWK)
    assert jws.thumbprint(public) == RFC8037_THUMBPRINT
    head, payload, signature = RFC8037_JWS.split(".")
    # The same signature, detached as RFC 7515 appendix F does it.
    detached = f"{head}..{signature}"
    assert jws.verify(detached, b"Example of Ed25519 signing", public, "EdDSA") == {
        "alg": "EdDSA"}
    with pytest.raises(jws.JwsError, match="does not match"):
        jws.verify(detached, b"Example of Ed25519 signinG", public, "EdDSA")


@pytest.mark.parametrize("algorithm", ["EdDSA", "ES256"])
def test_sign_and_verify_the_exact_bytes(algorithm):
    key = jws.generate(algorithm)
    payload = b'{"a": 1,  "b":"caf\xc3\xa9"}\n'  # odd spacing, UTF-8: signed as they are
    signature = jws.sign(payload, key, "k1", at=1_800_000_000)
    head64, middle, _ = signature.split(".")
    assert middle == ""  # detached
    header = json.loads(base64.urlsafe_b64decode(head64 + "=" * (-len(head64) % 4)))
    # RFC 7797: the payload is not base64url-encoded, and verifiers must know it.
    assert header == {"alg": algorithm, "b64": False, "crit": ["b64"], "iat": 1_800_000_000,
                      "kid": "k1"}
    assert jws.verify(signature, payload, jws.public_pem(key), algorithm)["kid"] == "k1"


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=1, max_size=200), st.data())
def test_any_changed_byte_is_detected(payload, data):
    key = jws.generate()
    signature = jws.sign(payload, key, "k")
    i = data.draw(st.integers(0, len(payload) - 1))
    flip = data.draw(st.integers(1, 255))
    changed = payload[:i] + bytes([payload[i] ^ flip]) + payload[i + 1:]
    with pytest.raises(jws.JwsError):
        jws.verify(signature, changed, key.public_key(), "EdDSA")
    with pytest.raises(jws.JwsError):
        jws.verify(signature, payload + b" ", key.public_key(), "EdDSA")


def test_the_algorithm_is_the_keys_not_the_headers():
    ed = jws.generate("EdDSA")
    signature = jws.sign(b"x", ed, "k")
    with pytest.raises(jws.JwsError, match="not allowed"):
        jws.verify(signature, b"x", ed.public_key(), "ES256")
    # An HMAC "signature" made with the public key as the secret must not pass.
    import jwt

    forged = jwt.PyJWS().encode(b"x", jws.public_pem(ed).encode()[:32], algorithm="HS256",
                                headers={"kid": "k"}, is_payload_detached=True)
    with pytest.raises(jws.JwsError):
        jws.verify(forged, b"x", ed.public_key(), "EdDSA")


@pytest.mark.parametrize("text", ["", "abc", "a.b.c", "a..b..c", "!!!..sig", "WzFd..c2ln"])
def test_malformed_signatures_are_named_not_crashed(text):
    with pytest.raises(jws.JwsError):
        jws.verify(text, b"x", jws.generate().public_key(), "EdDSA")


def test_keys_round_trip_and_unsupported_keys_are_refused():
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    for algorithm in ("EdDSA", "ES256"):
        key = jws.generate(algorithm)
        loaded = jws.load_private(jws.private_pem(key))
        assert jws.thumbprint(loaded.public_key()) == jws.thumbprint(jws.public_pem(key))
        assert jws.public_from_jwk(jws.jwk(jws.public_pem(key))) is not None
        assert "d" not in jws.jwk(jws.public_pem(key))  # never the private part
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(jws.JwsError, match="unsupported key type"):
        jws.load_public(jws.public_pem(rsa_key))
    p384 = ec.generate_private_key(ec.SECP384R1())
    with pytest.raises(jws.JwsError, match="unsupported key type"):
        jws.load_private(jws.private_pem(p384))
    with pytest.raises(jws.JwsError, match="not a PEM public key"):
        jws.load_public(b"-----BEGIN PUBLIC KEY-----\nnonsense\n-----END PUBLIC KEY-----\n")


def test_signing_time_window():
    now = 1_800_000_000.0
    check_time(now - 299, now, 300, "sig")
    check_time(now + 29, now, 300, "sig")
    for signed_at in (now - 301, now + 31):
        with pytest.raises(SignatureRefused) as refused:
            check_time(signed_at, now, 300, "sig")
        assert refused.value.status == 401
        assert refused.value.faults[0].field == "sig"
        assert "stale signature" in refused.value.faults[0].fault


def test_only_the_senders_active_keys_are_usable():
    key = SigningKey(key_id="k", agency="uk.police.a", algorithm=Algorithm.EDDSA,
                     public_key="", created_at=0)
    assert usable_key(key, "uk.police.a", "k", "sig") is key
    revoked = SigningKey(key_id="k", agency="uk.police.a", algorithm=Algorithm.EDDSA,
                         public_key="", created_at=0, revoked_at=1)
    for candidate, agency in ((None, "uk.police.a"), (key, "uk.fire.b"),
                              (revoked, "uk.police.a")):
        with pytest.raises(SignatureRefused, match="not an active signing key"):
            usable_key(candidate, agency, "k", "sig")


def test_the_signature_is_kept_in_the_same_transaction_as_its_message(tmp_path):
    """Stored together or not at all: a signature that cannot be written takes its
    message with it."""
    import sqlite3

    from bluelight.hub.adapters.storage import migrate
    from bluelight.hub.adapters.storage.sqlite_store import transaction
    from bluelight.hub.domain.agency import Agency, Service
    from bluelight.hub.domain.signature import SignatureRecord, SignedKind
    from bluelight.hub.services.signatures import kept
    from bluelight.hub.services.views import Receipt

    db = tmp_path / "hub.sqlite"
    migrate.upgrade(db)

    def message(agency_id: str):
        def job(repo):  # stands in for a submission: writes a row, returns its receipt
            repo.add_agency(Agency(id=agency_id, name="x", service=Service.POLICE,
                                   phone="999"), 0)
            return Receipt(message_id="m1", incident_id="inc_1", reference="R",
                           kind="incident", status="stored", stored_at=0), True
        return job

    record = SignatureRecord(agency="uk.police.a", kind=SignedKind.INCIDENT, key_id="k",
                             jws="h..s", payload=b"{}", signed_at=1, received_at=2)
    transaction(db, kept(record, message("uk.police.a")))
    rows = transaction(db, lambda repo: repo.signatures_of("inc_1"))
    assert [(r.message_id, r.incident_id, r.payload) for r in rows] == [("m1", "inc_1", b"{}")]

    broken = msgspec.structs.replace(record, jws=None)  # NOT NULL: the insert fails
    with pytest.raises(sqlite3.IntegrityError):
        transaction(db, kept(broken, message("uk.police.b")))
    assert transaction(db, lambda repo: repo.agency("uk.police.b")) is None
