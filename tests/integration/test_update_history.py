"""An incident updated hundreds of times stays readable everywhere (issue 10 §1).

Each update used to append its text to the incident's notes, with no length check. About
21 updates of 490 characters on top of long notes pushed them past their 10,000-character
limit; from then on every read, decision, closure, export, inbox poll, stream catch-up and
retention run on that incident failed. Now each update's text is a record of its own in
the incident's update history, and the incident as it stands does not grow.

One real hub (a subprocess with its own SQLite files: the retention run pretends it is
three days later) and four agencies: the police send; the fire service reads bluelight's
own JSON, the ambulance service MAIT XML and the coastguard EIDO.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import httpx
import pytest
import websockets
from test_audit_and_retention import _wait_for, cli

from frames import next_frame
from hubprocess import HubProcess, unique
from samples import incident

UPDATES = 500
NOTES = ("Caller reports smoke from the engine bay; two vehicles involved, one on its roof. "
         * 200)[:9_990]
FORMATS = {"police": "bluelight", "fire": "bluelight", "ambulance": "mait-xml",
           "coastguard": "eido"}
RECIPIENTS = ("fire", "ambulance", "coastguard")
WAIT = 30.0  # a bound on waiting, never a pause


def text_of(n: int) -> str:
    """490 characters, each update's own (so a lost or repeated one shows)."""
    return (f"Update {n:03d}: " + "sector commander reports the inner cordon holding; " * 10
            )[:490]


@pytest.fixture
def major(tmp_path):
    process = HubProcess(tmp_path).start()
    area = unique("major")
    process.ids = {who: f"uk.{who}.{area}" for who in FORMATS}
    process.tokens = {who: process.add_agency(process.ids[who], who, format=fmt)
                      for who, fmt in FORMATS.items()}
    process.add_agreement(f"isa-{area}", list(process.ids.values()), retention_days=1)
    yield process
    process.stop()


def client(hub, who: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=hub.url, timeout=WAIT,
                             headers={"Authorization": f"Bearer {hub.tokens[who]}"})


async def all_pages(c: httpx.AsyncClient, path: str, key: str, limit: int) -> list[dict]:
    """Follow `next_after` to the end; every page is bounded."""
    items, after = [], 0
    while True:
        r = await c.get(path, params={"after": after, "limit": limit})
        assert r.status_code == 200, r.text
        assert len(r.content) < 6_000_000
        page = r.json()
        items += page[key]
        if page.get("next_after") is None:
            return items
        assert page["next_after"] > after
        after = page["next_after"]


async def poll_all(c: httpx.AsyncClient) -> list[dict]:
    """Poll the inbox as a system without the stream does: a page, acknowledge it, the
    next page, until nothing is left."""
    entries, after = [], 0
    while True:
        r = await c.get("/v1/inbox", params={"after": after, "limit": 100})
        assert r.status_code == 200, r.text
        assert len(r.content) < 6_000_000
        page = r.json()
        if not page["entries"]:
            return entries
        entries += page["entries"]
        r = await c.post("/v1/inbox/acks", json={"seqs": [e["seq"] for e in page["entries"]]})
        assert r.status_code == 200, r.text
        after = page["next_after"]


async def catch_up(hub, who: str) -> list[dict]:
    """Everything a (re)connecting system is replayed on the WebSocket, up to `live`."""
    url = hub.url.replace("http://", "ws://") + "/v1/stream?after=0"
    entries = []
    async with websockets.connect(url, max_size=None, additional_headers={
            "Authorization": f"Bearer {hub.tokens[who]}"}) as ws:
        while True:
            frame = await next_frame(ws, WAIT)
            if frame["op"] == "live":
                break
            assert frame["op"] == "entries", frame  # a 1011 close would raise here
            entries += frame["entries"]
        await ws.send(json.dumps({"op": "ack", "seqs": [e["seq"] for e in entries],
                                  "corr": "c1"}))
        while (frame := await next_frame(ws, WAIT))["op"] != "result":
            pass
        assert frame["status"] == 200, frame
    return entries


def assert_rendered(entries: list[dict], fmt: str) -> None:
    """Every incident message is written in the agency's standard, none failed."""
    assert entries
    for entry in entries:
        rendered = entry["rendered"]
        assert rendered["format"] == fmt
        assert "error" not in rendered, rendered["error"]
        assert rendered["data"]


async def test_an_incident_updated_500_times_stays_readable_everywhere(major):
    hub = major
    async with client(hub, "police") as police:
        sent = incident(notes=NOTES)
        r = await police.post("/v1/incidents", json={
            "message_id": str(uuid.uuid4()), "recipients": [hub.ids[w] for w in RECIPIENTS],
            "incident": sent})
        assert r.status_code == 201, r.text
        tids = {t["recipient"]: t["transfer_id"] for t in r.json()["transfers"]}
        ref = sent["reference"]
        for n in range(1, UPDATES + 1):
            update = {"text": text_of(n)}
            if n % 100 == 0:
                update["summary"] = f"Multi-vehicle collision, sitrep {n}"
            r = await police.post(f"/v1/incidents/{ref}/updates", json={
                "message_id": str(uuid.uuid4()), "update": update})
            # Before: the second update on 9,990 characters of notes answered 500.
            assert r.status_code == 201, (n, r.text)
        fire_tid = tids[hub.ids["fire"]]

        # Read it, both sides: the incident as it stands has not grown.
        for who in ("police", *RECIPIENTS):
            async with client(hub, who) as c:
                tid = tids[hub.ids[who]] if who != "police" else fire_tid
                r = await c.get(f"/v1/transfers/{tid}")
                assert r.status_code == 200, (who, r.text)
                assert len(r.content) < 30_000
                view = r.json()
                assert view["incident"]["notes"] == NOTES
                assert view["incident"]["summary"] == "Multi-vehicle collision, sitrep 500"
                assert view["updates"]["count"] == UPDATES
                assert [u["version"] for u in view["updates"]["latest"]] == list(
                    range(496, 501))
                assert view["updates"]["latest"][-1]["text"] == text_of(500)

        # The whole history, a page at a time: every text, once, in order.
        async with client(hub, "fire") as fire:
            history = await all_pages(fire, f"/v1/transfers/{fire_tid}/updates", "updates",
                                      100)
            assert [u["text"] for u in history] == [text_of(n) for n in range(1, 501)]
            assert {u["by"] for u in history} == {hub.ids["police"]}
            events = await all_pages(fire, f"/v1/transfers/{fire_tid}/timeline", "events",
                                     300)
            updates = [e for e in events if e["kind"] == "update"]
            assert [e["detail"]["version"] for e in updates] == list(range(1, 501))
            assert all("text" not in e["detail"]["update"] for e in updates)
            assert [e["kind"] for e in events][:2] == ["submitted", "stored"]

            # Decide: the recipient accepts.
            r = await fire.post(f"/v1/transfers/{fire_tid}/decision",
                                json={"decision": "accepted"})
            assert r.status_code == 200, r.text
            assert r.json()["state"] == "accepted"

        # Inbox polling in MAIT XML and EIDO: every entry written, page by page.
        for who in ("ambulance", "coastguard"):
            async with client(hub, who) as c:
                entries = await poll_all(c)
                assert [e["kind"] for e in entries] == ["incident.new"] + [
                    "incident.update"] * UPDATES
                assert_rendered(entries, FORMATS[who])

        # Stream catch-up: the whole mailbox replayed, the socket never closed on it.
        for who in RECIPIENTS:
            replayed = await catch_up(hub, who)
            assert len(replayed) == 1 + UPDATES
            assert [e["seq"] for e in replayed] == sorted({e["seq"] for e in replayed})
            if FORMATS[who] != "bluelight":
                assert_rendered(replayed, FORMATS[who])

        # Close it: that works too.
        r = await police.post(f"/v1/incidents/{ref}/closure", json={
            "message_id": str(uuid.uuid4()), "closure": {"outcome": "Scene cleared"}})
        assert r.status_code == 201, r.text

        # Export in every standard, from both sides: bounded, nothing invented, and a
        # standard that cannot carry the (first part of the) history says so.
        for who, tid in (("police", fire_tid), ("fire", fire_tid),
                         ("ambulance", tids[hub.ids["ambulance"]]),
                         ("coastguard", tids[hub.ids["coastguard"]])):
            async with client(hub, who) as c:
                for fmt in ("bluelight", "mait-xml", "eido", "cap", "edxl-de"):
                    r = await c.get(f"/v1/transfers/{tid}/export", params={"format": fmt})
                    assert r.status_code == 200, (who, fmt, r.text)
                    assert len(r.content) < 6_000_000
                    export = r.json()
                    assert [u["version"] for u in export["updates"]] == list(range(1, 201))
                    assert export["updates_next_after"] == 200
                    if fmt == "bluelight":
                        assert "rendered" not in export
                        continue
                    rendered = export["rendered"]
                    assert "error" not in rendered, (fmt, rendered)
                    assert "updates" in rendered["losses"]  # 300 more are not in it
                    if fmt in ("mait-xml", "eido"):  # these carry the history they got
                        assert text_of(200) in rendered["data"]
                        assert text_of(201) not in rendered["data"]

    # Retention: the purge runs, and takes every update's text with it.
    later = (date.today() + timedelta(days=3)).isoformat()
    out = cli(hub.data_dir, "retention", "run", f"--now={later}", "--json")
    assert out.returncode == 0, out.stderr
    purged = json.loads(out.stdout)
    assert purged["purged"] == 1
    assert purged["incidents"][0]["updates"] == UPDATES
    async with client(hub, "police") as police:
        history = await all_pages(police, f"/v1/transfers/{fire_tid}/updates", "updates",
                                  500)
        assert len(history) == UPDATES
        assert all("text" not in u for u in history)  # who and when stay; the text goes
        r = await police.get(f"/v1/transfers/{fire_tid}")
        assert r.status_code == 200 and "sector commander" not in r.text


async def test_too_long_text_or_notes_get_422_naming_the_field_and_store_nothing(major):
    hub = major
    async with client(hub, "police") as police, client(hub, "fire") as fire:
        sent = incident()
        r = await police.post("/v1/incidents", json={
            "message_id": str(uuid.uuid4()), "recipients": [hub.ids["fire"]], "incident": sent})
        assert r.status_code == 201
        tid = r.json()["transfers"][0]["transfer_id"]

        r = await police.post(f"/v1/incidents/{sent['reference']}/updates", json={
            "message_id": str(uuid.uuid4()), "update": {"text": "x" * 10_001}})
        assert r.status_code == 422
        assert r.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in r.json()["errors"]] == ["update.text"]

        # The same in another standard: the MAIT XML schema names the element.
        xml = (f'<IncidentUpdate xmlns="urn:bluelight:mait:1.0"><Header>'
               f"<MessageID>{uuid.uuid4()}</MessageID><SentAt>2026-11-23T10:00:00Z</SentAt>"
               f"<From>{hub.ids['police']}</From>"
               f"<IncidentReference>{sent['reference']}</IncidentReference></Header>"
               f"<Update><Text>{'x' * 10_001}</Text></Update></IncidentUpdate>")
        r = await police.post("/v1/messages", params={"format": "mait-xml"}, content=xml,
                              headers={"content-type": "application/xml"})
        assert r.status_code == 422, r.text
        assert any("Text" in e["field"] for e in r.json()["errors"])

        r = await police.post("/v1/incidents", json={
            "message_id": str(uuid.uuid4()), "recipients": [hub.ids["fire"]],
            "incident": incident(notes="n" * 10_001)})
        assert r.status_code == 422
        assert [e["field"] for e in r.json()["errors"]] == ["incident.notes"]

        # Nothing was stored: no update, no event, no entry, no second incident.
        view = (await fire.get(f"/v1/transfers/{tid}")).json()
        assert "updates" not in view
        page = (await fire.get(f"/v1/transfers/{tid}/updates")).json()
        assert page == {"transfer_id": tid, "count": 0, "updates": []}
        events = (await police.get(f"/v1/transfers/{tid}/timeline")).json()["events"]
        assert "update" not in [e["kind"] for e in events]
        again = (await fire.get("/v1/inbox", params={"after": 0})).json()
        assert [e["kind"] for e in again["entries"]] == ["incident.new"]
        sent_by_police = (await police.get("/v1/transfers", params={"role": "sent"})).json()
        assert [t["transfer_id"] for t in sent_by_police] == [tid]

        # And the limit is on what is sent, so a text of exactly 10,000 is fine.
        r = await police.post(f"/v1/incidents/{sent['reference']}/updates", json={
            "message_id": str(uuid.uuid4()), "update": {"text": "y" * 10_000}})
        assert r.status_code == 201
        page = (await fire.get(f"/v1/transfers/{tid}/updates")).json()
        assert [len(u["text"]) for u in page["updates"]] == [10_000]


async def test_paging_answers_422_for_a_bad_cursor_or_limit(major):
    hub = major
    async with client(hub, "police") as police:
        r = await police.post("/v1/incidents", json={
            "message_id": str(uuid.uuid4()), "recipients": [hub.ids["fire"]],
            "incident": incident()})
        tid = r.json()["transfers"][0]["transfer_id"]
        for path, query, field in (("updates", {"limit": 501}, "query.limit"),
                                   ("updates", {"after": -1}, "query.after"),
                                   ("timeline", {"limit": 0}, "query.limit")):
            r = await police.get(f"/v1/transfers/{tid}/{path}", params=query)
            assert r.status_code == 422, (path, query, r.text)
            assert [e["field"] for e in r.json()["errors"]] == [field]
        assert (await police.get(f"/v1/transfers/{tid}/updates")).status_code == 200
    async with client(hub, "coastguard") as other:  # not a party: it does not exist
        assert (await other.get(f"/v1/transfers/{tid}/updates")).status_code == 404
    # Reading the history is audited, like every read of incident data (the audit write
    # is not urgent: it may land a moment after the answer).
    def actions() -> list[str]:
        out = cli(hub.data_dir, "audit", "export", f"--agency={hub.ids['police']}")
        return [json.loads(line)["action"] for line in out.stdout.splitlines()]
    assert _wait_for(lambda: "updates.read" in actions())
