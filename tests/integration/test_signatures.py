"""Message signatures against a real hub: signed messages are kept and verifiable end to
end by the recipient; tampered, foreign, unknown, revoked and stale signatures are
refused; replays are refused; the SDK signs by itself over HTTP and the WebSocket."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import msgspec
import pytest
import websockets

from bluelight.client import Client, HubError
from bluelight.hub.adapters import jws
from bluelight.hub.domain.signature import Algorithm, SigningKey
from bluelight.hub.services import signatures
from hubprocess import HubProcess, unique
from samples import incident


def cli(hub, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bluelight.cli", *args],
                          env=os.environ | hub.cli_env,
                          capture_output=True, text=True, timeout=60)


def new_key(hub, agency_id: str, algorithm: str = "EdDSA"):
    """A key pair whose public key is registered for the agency, as `agency key add`."""
    private = jws.generate(algorithm)
    kid = jws.thumbprint(private.public_key())
    hub.transaction(signatures.register(SigningKey(
        key_id=kid, agency=agency_id, algorithm=Algorithm(algorithm),
        public_key=jws.public_pem(private), created_at=time.time())))
    return private, kid


def body_of(recipients: list[str], **changes) -> bytes:
    return json.dumps({"message_id": str(uuid.uuid4()), "recipients": recipients,
                       "incident": incident(**changes)}).encode()


def post(hub, token: str, path: str, body: bytes, signature: str | None = None):
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if signature is not None:
        headers["X-JWS-Signature"] = signature
    return httpx.post(f"{hub.url}{path}", content=body, headers=headers, timeout=10)


def get(hub, token: str, path: str):
    return httpx.get(f"{hub.url}{path}", headers={"Authorization": f"Bearer {token}"},
                     timeout=10)


def fault(response) -> tuple[int, list[str], str]:
    problem = response.json()
    return (response.status_code, [e["field"] for e in problem.get("errors", [])],
            " ".join(e["fault"] for e in problem.get("errors", [])))


# accepted, kept, verified end to end --------------------------------------------------
def test_signed_incident_is_kept_and_the_recipient_verifies_it(hub, region):
    key, kid = new_key(hub, region.police.id)
    body = body_of([region.fire.id])
    sent = post(hub, region.police.token, "/v1/incidents", body, jws.sign(body, key, kid))
    assert sent.status_code == 201, sent.text
    transfer_id = sent.json()["transfers"][0]["transfer_id"]

    kept = get(hub, region.fire.token, f"/v1/transfers/{transfer_id}/signatures").json()
    assert kept["verifiable"] is True
    (signature,) = kept["signatures"]
    assert signature["kind"] == "incident" and signature["agency"] == region.police.id
    assert signature["key_id"] == kid
    assert signature["message_id"] == json.loads(body)["message_id"]
    payload = jws.b64decode(signature["payload"])
    assert payload == body  # the exact bytes sent

    # The recipient checks it with the sender's published key, not trusting the hub.
    keys = get(hub, region.fire.token, f"/v1/agencies/{region.police.id}/keys").json()
    (published,) = keys["keys"]
    assert published["kid"] == kid and published["alg"] == "EdDSA"
    assert published["revoked"] is False and "d" not in published
    public = jws.public_from_jwk(published)
    assert jws.verify(signature["jws"], payload, public, published["alg"])["kid"] == kid
    with pytest.raises(jws.JwsError):
        jws.verify(signature["jws"], payload.replace(b"RTC", b"RTX"), public, "EdDSA")

    # Only the parties see them.
    stranger = get(hub, region.coastguard.token, f"/v1/transfers/{transfer_id}/signatures")
    assert stranger.status_code == 404
    assert get(hub, region.fire.token, "/v1/agencies/uk.police.nowhere/keys").status_code == 404


def test_es256_keys_work_too(hub, region):
    key, kid = new_key(hub, region.police.id, "ES256")
    body = body_of([region.fire.id])
    sent = post(hub, region.police.token, "/v1/incidents", body, jws.sign(body, key, kid))
    assert sent.status_code == 201, sent.text
    (published,) = get(hub, region.fire.token, f"/v1/agencies/{region.police.id}/keys"
                       ).json()["keys"]
    assert published["alg"] == "ES256" and published["kty"] == "EC" and published["y"]


def test_withheld_fields_make_the_payload_unverifiable(hub):
    area = unique("nosharing")
    police, fire = f"uk.police.{area}", f"uk.fire.{area}"
    police_token, fire_token = hub.add_agency(police, "police"), hub.add_agency(fire, "fire")
    key, kid = new_key(hub, police)
    body = body_of([fire])  # a caller and notes, and no agreement to share them
    sent = post(hub, police_token, "/v1/incidents", body, jws.sign(body, key, kid))
    assert sent.status_code == 201, sent.text
    transfer_id = sent.json()["transfers"][0]["transfer_id"]
    kept = get(hub, fire_token, f"/v1/transfers/{transfer_id}/signatures").json()
    assert kept["verifiable"] is False
    assert kept["reason"].startswith("fields were withheld")
    (signature,) = kept["signatures"]
    assert "payload" not in signature  # it would show the recipient what was withheld
    assert b"Jane Evans" not in get(hub, fire_token,
                                    f"/v1/transfers/{transfer_id}/signatures").content


def test_withheld_under_an_agreement_names_it(hub):
    area = unique("partial")
    police, fire = f"uk.police.{area}", f"uk.fire.{area}"
    police_token, fire_token = hub.add_agency(police, "police"), hub.add_agency(fire, "fire")
    agreement = hub.add_agreement(f"isa-{area}", [police, fire], ["situation"])
    key, kid = new_key(hub, police)
    body = body_of([fire])
    sent = post(hub, police_token, "/v1/incidents", body, jws.sign(body, key, kid))
    assert sent.status_code == 201, sent.text
    transfer_id = sent.json()["transfers"][0]["transfer_id"]
    kept = get(hub, fire_token, f"/v1/transfers/{transfer_id}/signatures").json()
    assert kept["verifiable"] is False
    assert kept["reason"] == (f"fields were withheld under agreement {agreement.id} "
                              f"v{agreement.version}")


# refused ------------------------------------------------------------------------------
def test_one_byte_changed_after_signing_is_refused(hub, region):
    key, kid = new_key(hub, region.police.id)
    body = body_of([region.fire.id])
    signature = jws.sign(body, key, kid)
    tampered = body.replace(b"one person trapped", b"two people trapped")
    refused = post(hub, region.police.token, "/v1/incidents", tampered, signature)
    status, fields, text = fault(refused)
    assert (status, fields) == (401, ["header.x-jws-signature"])
    assert "does not match" in text
    assert refused.json()["type"] == "urn:bluelight:problem:bad-signature"
    # Nothing of it was stored: the untampered message is still new.
    assert post(hub, region.police.token, "/v1/incidents", body, signature).status_code == 201


def test_foreign_unknown_and_garbled_signatures_are_refused(hub, region):
    new_key(hub, region.police.id)
    fire_key, fire_kid = new_key(hub, region.fire.id)
    body = body_of([region.ambulance.id])
    stranger = jws.generate()
    for signature in (jws.sign(body, fire_key, fire_kid),  # another agency's key
                      jws.sign(body, stranger, jws.thumbprint(stranger.public_key())),
                      jws.sign(body, fire_key, "no-such-kid"),
                      "not a jws", "eyJhbGciOiJFZERTQSJ9..c2ln"):
        refused = post(hub, region.police.token, "/v1/incidents", body, signature)
        assert fault(refused)[:2] == (401, ["header.x-jws-signature"]), signature


def test_rotation_and_revocation_take_effect_at_once(hub, region):
    old_key, old_kid = new_key(hub, region.police.id)
    new_key_, new_kid = new_key(hub, region.police.id)
    for key, kid in ((old_key, old_kid), (new_key_, new_kid)):  # both during the changeover
        body = body_of([region.fire.id])
        assert post(hub, region.police.token, "/v1/incidents", body,
                    jws.sign(body, key, kid)).status_code == 201

    revoked = cli(hub, "agency", "key", "revoke", old_kid)
    assert revoked.returncode == 0, revoked.stderr
    body = body_of([region.fire.id])
    refused = post(hub, region.police.token, "/v1/incidents", body,
                   jws.sign(body, old_key, old_kid))
    assert fault(refused)[:2] == (401, ["header.x-jws-signature"])  # the very next message
    assert post(hub, region.police.token, "/v1/incidents", body,
                jws.sign(body, new_key_, new_kid)).status_code == 201

    keys = {k["kid"]: k for k in get(hub, region.fire.token,
                                     f"/v1/agencies/{region.police.id}/keys").json()["keys"]}
    assert keys[old_kid]["revoked"] is True and keys[old_kid]["revoked_at"]
    assert keys[new_kid]["revoked"] is False
    listed = cli(hub, "agency", "key", "list", region.police.id, "--json")
    assert {k["key_id"]: bool(k["revoked_at"]) for k in json.loads(listed.stdout)} == {
        old_kid: True, new_kid: False}
    again = cli(hub, "agency", "key", "revoke", old_kid)
    assert again.returncode == 1 and "no active signing key" in again.stderr


def test_unsigned_message_from_an_agency_with_a_key_is_refused(hub, region):
    body = body_of([region.fire.id])
    # No key yet: signatures are optional on this hub.
    assert post(hub, region.police.token, "/v1/incidents", body).status_code == 201
    new_key(hub, region.police.id)
    refused = post(hub, region.police.token, "/v1/incidents", body_of([region.fire.id]))
    status, fields, text = fault(refused)
    assert (status, fields) == (401, ["header.x-jws-signature"])
    assert "signature required" in text


def test_follow_ups_and_decisions_are_signed_and_kept(hub, region):
    police_key, police_kid = new_key(hub, region.police.id)
    fire_key, fire_kid = new_key(hub, region.fire.id)
    body = body_of([region.fire.id])
    sent = post(hub, region.police.token, "/v1/incidents", body,
                jws.sign(body, police_key, police_kid)).json()
    reference, transfer_id = sent["reference"], sent["transfers"][0]["transfer_id"]

    update = json.dumps({"message_id": str(uuid.uuid4()),
                         "update": {"text": "Second casualty found"}}).encode()
    path = f"/v1/incidents/{reference}/updates"
    assert fault(post(hub, region.police.token, path, update))[0] == 401
    assert post(hub, region.police.token, path, update,
                jws.sign(update, police_key, police_kid)).status_code == 201

    decision = b'{"decision":"accepted","operator":"Watch Manager Rees"}'
    path = f"/v1/transfers/{transfer_id}/decision"
    assert fault(post(hub, region.fire.token, path, decision,
                      jws.sign(decision, police_key, police_kid)))[0] == 401  # not fire's key
    assert post(hub, region.fire.token, path, decision,
                jws.sign(decision, fire_key, fire_kid)).status_code == 200

    closure = json.dumps({"message_id": str(uuid.uuid4()),
                          "closure": {"outcome": "Casualties conveyed"}}).encode()
    assert post(hub, region.police.token, f"/v1/incidents/{reference}/closure", closure,
                jws.sign(closure, police_key, police_kid)).status_code == 201

    kept = get(hub, region.police.token, f"/v1/transfers/{transfer_id}/signatures").json()
    assert [(s["kind"], s["agency"]) for s in kept["signatures"]] == [
        ("incident", region.police.id), ("update", region.police.id),
        ("decision", region.fire.id), ("closure", region.police.id)]
    assert jws.b64decode(kept["signatures"][2]["payload"]) == decision


# replay -------------------------------------------------------------------------------
def test_replays(hub, region):
    key, kid = new_key(hub, region.police.id)
    body = body_of([region.fire.id])
    first = post(hub, region.police.token, "/v1/incidents", body, jws.sign(body, key, kid))
    assert first.status_code == 201

    # The exact message again, signed within the window: the original receipt.
    again = post(hub, region.police.token, "/v1/incidents", body, jws.sign(body, key, kid))
    assert again.status_code == 200 and again.json() == first.json()

    # Its id with other content, validly signed: still a conflict.
    altered = json.loads(body)
    altered["incident"]["summary"] = "Nothing to see here"
    altered = json.dumps(altered).encode()
    conflict = post(hub, region.police.token, "/v1/incidents", altered,
                    jws.sign(altered, key, kid))
    assert fault(conflict)[:2] == (409, ["message_id"])

    # A signature older than the window (300 s), or from too far in the future.
    fresh = body_of([region.fire.id])
    for at in (time.time() - 400, time.time() + 120):
        stale = post(hub, region.police.token, "/v1/incidents", fresh,
                     jws.sign(fresh, key, kid, at=at))
        status, fields, text = fault(stale)
        assert (status, fields) == (401, ["header.x-jws-signature"]) and "stale" in text
    assert post(hub, region.police.token, "/v1/incidents", fresh,
                jws.sign(fresh, key, kid, at=time.time() - 200)).status_code == 201

    # Only the first signature of the message is kept, as its evidence.
    transfer_id = first.json()["transfers"][0]["transfer_id"]
    kept = get(hub, region.fire.token, f"/v1/transfers/{transfer_id}/signatures").json()
    assert len(kept["signatures"]) == 1


# the WebSocket ------------------------------------------------------------------------
async def _command(hub, token: str, frame: bytes) -> dict:
    url = hub.url.replace("http://", "ws://") + "/v1/stream"
    async with websockets.connect(url, additional_headers={
            "Authorization": f"Bearer {token}"}) as ws:
        while True:
            got = json.loads(await asyncio.wait_for(ws.recv(), 5))
            if got.get("op") == "live":
                break
        await ws.send(frame.decode())
        while True:
            got = json.loads(await asyncio.wait_for(ws.recv(), 5))
            if got.get("op") == "result":
                return got


def _submit_frame(body: bytes, sig: str | None = None) -> bytes:
    # The body's bytes go into the frame as they are: the signature covers them.
    head = b'{"op":"submit","corr":"c1",' + (
        b'"sig":' + json.dumps(sig).encode() + b"," if sig else b"")
    return head + b'"body":' + body + b"}"


def test_websocket_sig(hub, region):
    key, kid = new_key(hub, region.police.id)
    body = json.dumps({"message_id": str(uuid.uuid4()), "recipients": [region.fire.id],
                       "incident": incident()}, indent=1).encode()  # spacing kept as sent
    ok = asyncio.run(_command(hub, region.police.token,
                              _submit_frame(body, jws.sign(body, key, kid))))
    assert ok["status"] == 201, ok
    transfer_id = ok["body"]["transfers"][0]["transfer_id"]
    kept = get(hub, region.fire.token, f"/v1/transfers/{transfer_id}/signatures").json()
    assert jws.b64decode(kept["signatures"][0]["payload"]) == body

    other = body_of([region.fire.id])
    tampered = asyncio.run(_command(hub, region.police.token, _submit_frame(
        other.replace(b"trapped", b"freed"), jws.sign(other, key, kid))))
    missing = asyncio.run(_command(hub, region.police.token, _submit_frame(other)))
    for result in (tampered, missing):
        assert result["status"] == 401 and result["corr"] == "c1"
        assert [e["field"] for e in result["body"]["errors"]] == ["sig"]
    assert "signature required" in missing["body"]["errors"][0]["fault"]

    # A valid signature over a body that breaks a rule: named as over HTTP.
    bad = json.dumps({"message_id": str(uuid.uuid4()), "recipients": [region.fire.id],
                      "incident": incident(summary="")}).encode()
    invalid = asyncio.run(_command(hub, region.police.token,
                                   _submit_frame(bad, jws.sign(bad, key, kid))))
    assert invalid["status"] == 422
    assert [e["field"] for e in invalid["body"]["errors"]] == ["incident.summary"]


# the SDK ------------------------------------------------------------------------------
def test_the_sdk_signs_by_itself_and_verifies_end_to_end(hub, region):
    generated = cli(hub, "agency", "key", "generate", region.police.id, "--out",
                    str(hub.data_dir / "keys" / region.police.id), "--json")
    assert generated.returncode == 0, generated.stderr
    made = json.loads(generated.stdout)
    private_pem = Path(made["private_key"]).read_bytes()
    assert os.stat(made["private_key"]).st_mode & 0o777 == 0o600

    async def scenario():
        async with Client(hub.url, region.police.token, signing_key=private_pem) as police, \
                Client(hub.url, region.fire.token) as fire:
            receipt = await police.submit([region.fire.id], incident())
            await police.update(receipt.reference, {"text": "Fuel leak contained"})
            async with police.stream() as stream:
                pipelined = stream.submit_nowait([region.fire.id], incident())
                streamed = await pipelined
            checks = await fire.verify_transfer(receipt.transfers[0].transfer_id)
            streamed_checks = await fire.verify_transfer(streamed.transfers[0].transfer_id)
            unsigned = None
            async with Client(hub.url, region.police.token) as plain:
                try:
                    await plain.submit([region.fire.id], incident())
                except HubError as exc:
                    unsigned = exc
            return checks, streamed_checks, unsigned

    checks, streamed_checks, unsigned = asyncio.run(scenario())
    assert [(c.kind, c.valid, c.key_id) for c in checks] == [
        ("incident", True, made["key_id"]), ("update", True, made["key_id"])]
    assert msgspec.json.decode(checks[0].payload)["recipients"] == [region.fire.id]
    assert [(c.kind, c.valid) for c in streamed_checks] == [("incident", True)]
    assert unsigned is not None and unsigned.status == 401
    assert unsigned.fields == ["header.x-jws-signature"]


# require_signatures -------------------------------------------------------------------
@pytest.fixture(scope="module")
def strict_hub(tmp_path_factory):
    process = HubProcess(tmp_path_factory.mktemp("stricthub"),
                         env={"BLUELIGHT_REQUIRE_SIGNATURES": "true"}).start()
    yield process
    process.stop()


def test_require_signatures_applies_to_every_agency_but_not_the_console(strict_hub):
    area = unique("strict")
    police, fire = f"uk.police.{area}", f"uk.fire.{area}"
    police_token = strict_hub.add_agency(police, "police")
    fire_token = strict_hub.add_agency(fire, "fire")
    strict_hub.add_agreement(f"isa-{area}", [police, fire])
    body = body_of([fire])
    refused = post(strict_hub, police_token, "/v1/incidents", body)  # it has no key at all
    status, fields, text = fault(refused)
    assert (status, fields) == (401, ["header.x-jws-signature"])
    assert "signature required" in text
    frame = asyncio.run(_command(strict_hub, police_token, _submit_frame(body)))
    assert frame["status"] == 401

    key, kid = new_key(strict_hub, police)
    sent = post(strict_hub, police_token, "/v1/incidents", body, jws.sign(body, key, kid))
    assert sent.status_code == 201, sent.text
    transfer_id = sent.json()["transfers"][0]["transfer_id"]
    # The fire service has no key, so its decision by token is refused...
    assert fault(post(strict_hub, fire_token, f"/v1/transfers/{transfer_id}/decision",
                      b'{"decision":"accepted"}'))[0] == 401

    # ...but an operator in the console holds no key and is recorded by name instead.
    strict_hub.add_operator(f"op-{area}", fire, "Watch Manager Rees", "correct horse battery")
    with httpx.Client(base_url=strict_hub.url, timeout=10) as browser:
        signed_in = browser.post("/console/api/session", json={
            "username": f"op-{area}", "password": "correct horse battery"})
        assert signed_in.status_code in (200, 201), signed_in.text
        csrf = signed_in.json()["csrf"]
        decided = browser.post(f"/v1/transfers/{transfer_id}/decision",
                               json={"decision": "accepted"}, headers={"X-CSRF-Token": csrf})
    assert decided.status_code == 200, decided.text
    assert decided.json()["decided_by"] == "Watch Manager Rees"
