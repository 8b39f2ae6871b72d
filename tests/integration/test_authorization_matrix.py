"""The whole authorisation matrix, re-checked with every kind of credential: a bearer
token, a client certificate (mutual TLS), a console operator's session and an
administrator's session. Whatever the credential, an agency sees only what it sent or
was sent, only the recipient decides, and only an administrator administers."""

from __future__ import annotations

import ssl
import uuid
from dataclasses import dataclass

import httpx
import pytest

from bluelight.hub.adapters import pki
from hubprocess import HubProcess, unique
from samples import incident

PASSWORD = "correct horse battery"
CREDENTIALS = ("token", "certificate", "operator")


@dataclass
class Env:
    hub: HubProcess
    ca: object
    dir: object
    ca_key: object


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> Env:
    directory = tmp_path_factory.mktemp("pki")
    ca, ca_key = pki.init_ca(directory)
    server = pki.issue(directory, ca, ca_key, "localhost", kind="server")
    hub = HubProcess(tmp_path_factory.mktemp("matrix"), scheme="https", ca_cert=ca, env={
        "BLUELIGHT_TLS_CERT": str(server[0]), "BLUELIGHT_TLS_KEY": str(server[1]),
        "BLUELIGHT_TLS_CLIENT_CA": str(ca)}).start()
    yield Env(hub, ca, directory, ca_key)
    hub.stop()


def _client(env: Env, agency: str, token: str, credential: str) -> httpx.Client:
    """A client of `agency` holding only the given kind of credential."""
    verify = ssl.create_default_context(cafile=str(env.ca))
    if credential == "token":
        return httpx.Client(base_url=env.hub.url, verify=verify, timeout=10,
                            headers={"Authorization": f"Bearer {token}"})
    if credential == "certificate":
        cert = pki.issue(env.dir, env.ca, env.ca_key, agency, kind="client")
        verify.load_cert_chain(*map(str, cert))
        return httpx.Client(base_url=env.hub.url, verify=verify, timeout=10)
    username = f"{credential[:2]}-{unique('u')}"
    env.hub.add_operator(username, agency, "Someone", PASSWORD,
                         role="admin" if credential == "admin" else "operator")
    client = httpx.Client(base_url=env.hub.url, verify=verify, timeout=10)
    r = client.post("/console/api/session", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf"]
    return client


@pytest.fixture(params=CREDENTIALS)
def parties(request, env):
    """Police (sender), fire (recipient) and ambulance (neither), each with the same kind
    of credential, and one transfer police -> fire."""
    area = unique("mx")
    clients = {}
    for service in ("police", "fire", "ambulance"):
        agency = f"uk.{service}.{area}"
        token = env.hub.add_agency(agency, service)
        clients[service] = _client(env, agency, token, request.param)
        clients[f"{service}_id"] = agency
    sent = clients["police"].post("/v1/incidents", json={
        "message_id": str(uuid.uuid4()), "recipients": [clients["fire_id"]],
        "incident": incident()})
    assert sent.status_code == 201, sent.text
    clients["transfer"] = sent.json()["transfers"][0]["transfer_id"]
    clients["reference"] = sent.json()["reference"]
    yield clients
    for service in ("police", "fire", "ambulance"):
        clients[service].close()


READS = ["/v1/transfers/{t}", "/v1/transfers/{t}/timeline", "/v1/transfers/{t}/export",
         "/v1/transfers/{t}/signatures", "/v1/transfers/{t}/updates"]


@pytest.mark.parametrize("path", READS)
def test_only_the_two_parties_can_read_a_transfer(parties, path):
    url = path.format(t=parties["transfer"])
    assert parties["police"].get(url).status_code == 200
    assert parties["fire"].get(url).status_code == 200
    outsider = parties["ambulance"].get(url)
    assert outsider.status_code == 404  # as if it did not exist
    missing = parties["ambulance"].get(path.format(t="tr_doesnotexist"))
    assert missing.status_code == 404 and missing.json()["title"] == outsider.json()["title"]


def test_lists_and_mailboxes_hold_only_the_agencys_own_traffic(parties):
    tid = parties["transfer"]
    assert [t["transfer_id"] for t in parties["police"].get("/v1/transfers").json()] == [tid]
    assert [t["transfer_id"] for t in parties["fire"].get("/v1/transfers").json()] == [tid]
    assert parties["ambulance"].get("/v1/transfers").json() == []
    assert parties["ambulance"].get("/v1/inbox", params={"after": 0}).json()["entries"] == []
    assert any(e["transfer_id"] == tid for e in
               parties["fire"].get("/v1/inbox", params={"after": 0}).json()["entries"])


def test_only_the_recipient_decides_and_only_the_sender_follows_up(parties):
    url = f"/v1/transfers/{parties['transfer']}/decision"
    assert parties["police"].post(url, json={"decision": "accepted"}).status_code == 403
    assert parties["ambulance"].post(url, json={"decision": "accepted"}).status_code == 404
    assert parties["fire"].post(url, json={"decision": "accepted"}).status_code == 200
    update = {"message_id": str(uuid.uuid4()), "update": {"text": "more"}}
    ref = parties["reference"]
    for who in ("fire", "ambulance"):  # the reference names no incident of theirs
        r = parties[who].post(f"/v1/incidents/{ref}/updates", json=update)
        assert r.status_code == 404, who
    assert parties["police"].post(f"/v1/incidents/{ref}/updates",
                                  json=update).status_code == 201


ADMIN_CALLS = [("GET", "/v1/admin/agreements", None),
               ("GET", "/v1/admin/audit", None),
               ("GET", "/v1/admin/audit/verification", None),
               ("POST", "/v1/admin/credentials/abcdef123456/revocation", None)]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
def test_no_agency_credential_and_no_operator_can_administer(parties, method, path, body):
    for who in ("police", "fire", "ambulance"):
        r = parties[who].request(method, path, json=body)
        assert r.status_code == 403, (who, r.text)


def test_an_administrator_administers_but_reads_no_agencys_incidents(env, parties):
    agency = f"uk.other-responder.{unique('hub')}"
    env.hub.add_agency(agency, "other-responder")
    admin = _client(env, agency, "", "admin")
    try:
        assert admin.get("/v1/admin/audit/verification").json()["ok"] is True
        terms = {"id": f"isa-{unique('m')}", "parties": [parties["police_id"],
                                                         parties["fire_id"]],
                 "purpose": "Joint response", "data_classes": ["caller"],
                 "lawful_basis": "UK GDPR Art. 6(1)(e)", "review_date": "2027-11-23",
                 "retention_days": 30}
        created = admin.post("/v1/admin/agreements", json=terms)
        assert created.status_code == 201, created.text
        again = admin.post("/v1/admin/agreements", json=terms)
        assert again.status_code == 409
        bad = admin.post("/v1/admin/agreements", json=terms | {"id": "isa-bad-1",
                                                               "data_classes": ["gossip"]})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"].startswith(
            "data_classes")
        # Administration is not a window on the traffic.
        assert admin.get(f"/v1/transfers/{parties['transfer']}").status_code == 404
        log = admin.get("/v1/admin/audit", params={"agency": parties["police_id"]}).json()
        assert any(r["action"] == "agreement.added" for r in
                   admin.get("/v1/admin/audit", params={"after": 0, "limit": 10000}).json())
        assert any(r["action"] == "transfer.created" for r in log)
    finally:
        admin.close()


def test_no_credential_is_refused_everywhere(env):
    with httpx.Client(base_url=env.hub.url, timeout=10,
                      verify=ssl.create_default_context(cafile=str(env.ca))) as anonymous:
        for path in ["/v1/transfers", "/v1/inbox", "/v1/agreements", "/v1/admin/audit",
                     "/v1/transfers/tr_x", "/v1/workbench/register/collaborations"]:
            assert anonymous.get(path).status_code == 401, path
        assert anonymous.post("/v1/sharing/preview", json={}).status_code == 401
