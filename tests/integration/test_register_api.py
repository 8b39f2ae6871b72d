"""The register's HTTP API against a real hub process."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from hubprocess import unique

BASE = "/v1/workbench/register"


@pytest.fixture(scope="module")
def client(hub):
    token = hub.add_agency(f"uk.fire.{unique('reg')}", "fire")
    with httpx.Client(base_url=hub.url, headers={"Authorization": f"Bearer {token}"},
                      timeout=10) as c:
        yield c


def new_collab(area: str, **kw) -> dict:
    body = {"title": "Fire and ambulance share Aston station", "area": area,
            "category": "co-location",
            "description": "Ambulance crews move into the unused fire safety building at "
                           "Aston, with nine ambulances based there.",
            "status": "planned", "start_date": "2024-01", "target_date": "2030-12",
            "partners": [{"organisation": "West Midlands Fire Service", "service": "fire"},
                         {"organisation": "West Midlands Ambulance Service",
                          "service": "ambulance"}],
            "people": [{"name": "Pat Lead", "role": "Estates lead", "lead": True,
                        "email": "pat.lead@example.org"}]}
    body.update(kw)
    return body


def fault_fields(response: httpx.Response) -> set[str]:
    assert response.headers["content-type"].startswith("application/problem+json")
    return {e["field"] for e in response.json()["errors"]}


def test_create_get_and_filter(client):
    area = unique("Area")
    r = client.post(f"{BASE}/collaborations", json=new_collab(area))
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["status_history"][0]["by"].startswith("uk.fire.")
    got = client.get(f"{BASE}/collaborations/{created['id']}").json()
    assert got["title"] == "Fire and ambulance share Aston station"

    def ids(**params):
        r = client.get(f"{BASE}/collaborations", params={"area": area, **params})
        assert r.status_code == 200, r.text
        return [c["id"] for c in r.json()]

    assert ids() == [created["id"]]
    assert ids(service="ambulance", category="co-location", status="planned") == [created["id"]]
    assert ids(service="police") == []
    assert ids(q="unused fire safety") == [created["id"]]
    assert ids(status="live") == []
    page = client.get(f"{BASE}/areas/{quote(area)}").json()
    assert page["area"] == area and page["by_status"] == {"planned": 1}
    assert any(a["area"] == area for a in client.get(f"{BASE}/areas").json())


def test_validation_problems_name_the_field(client):
    r = client.post(f"{BASE}/collaborations", json=new_collab("X", category="estates"))
    assert r.status_code == 422 and fault_fields(r) == {"category"}
    r = client.post(f"{BASE}/collaborations", json=new_collab("X", status="rejected"))
    assert r.status_code == 422 and fault_fields(r) == {"status_reason"}
    r = client.post(f"{BASE}/collaborations", json=new_collab("X", target_date="2020"))
    assert r.status_code == 422 and fault_fields(r) == {"target_date"}
    r = client.post(f"{BASE}/collaborations", json=new_collab("X", colour="blue"))
    assert r.status_code == 422 and fault_fields(r) == {"colour"}
    r = client.get(f"{BASE}/collaborations", params={"status": "finished"})
    assert r.status_code == 422 and fault_fields(r) == {"query.status"}
    assert client.get(f"{BASE}/collaborations/nope-404").status_code == 404


def test_status_changes_are_recorded_and_checked(client):
    cid = client.post(f"{BASE}/collaborations", json=new_collab(unique("A"))).json()["id"]
    r = client.post(f"{BASE}/collaborations/{cid}/status", json={"status": "live"})
    assert r.status_code == 422 and fault_fields(r) == {"status"}
    r = client.post(f"{BASE}/collaborations/{cid}/status", json={"status": "rejected"})
    assert r.status_code == 422 and fault_fields(r) == {"reason"}
    r = client.post(f"{BASE}/collaborations/{cid}/status",
                    json={"status": "in-delivery", "reason": "funded", "by": "Board"})
    assert r.status_code == 200
    history = r.json()["status_history"]
    assert [h["status"] for h in history] == ["planned", "in-delivery"]
    assert history[1]["by"] == "Board" and history[1]["previous"] == "planned"
    r = client.patch(f"{BASE}/collaborations/{cid}", json={"workstream": "no-such-ws"})
    assert r.status_code == 422 and fault_fields(r) == {"workstream"}
    r = client.patch(f"{BASE}/collaborations/{cid}", json={"title": "Aston hub"})
    assert r.json()["title"] == "Aston hub" and r.json()["status"] == "in-delivery"


def test_benefits_actuals_contact_and_reports(client):
    area = unique("Area")
    cid = client.post(f"{BASE}/collaborations", json=new_collab(area)).json()["id"]
    r = client.post(f"{BASE}/collaborations/{cid}/benefits",
                    json={"measure": "Estate savings", "unit": "GBP/year", "kind": "saving",
                          "baseline": 0, "baseline_date": "2024-01", "target": 120000,
                          "target_date": "2030-12", "owner": "Pat Lead"})
    assert r.status_code == 201, r.text
    bid = r.json()["id"]
    r = client.post(f"{BASE}/collaborations/{cid}/benefits", json={"measure": "x",
                                                                   "unit": "furlongs"})
    assert r.status_code == 422 and fault_fields(r) == {"unit"}
    r = client.post(f"{BASE}/collaborations/{cid}/benefits/{bid}/actuals",
                    json={"at": "2025-06", "value": 30000})
    assert r.status_code == 201 and r.json()["actuals"][-1]["value"] == 30000
    r = client.post(f"{BASE}/collaborations/{cid}/benefits/{bid}/actuals",
                    json={"at": "2025-13", "value": 1})
    assert r.status_code == 422 and fault_fields(r) == {"at"}

    contact = client.get(f"{BASE}/collaborations/{cid}/contact").json()
    assert contact["leads"][0]["email"] == "pat.lead@example.org"

    perf = client.get("/v1/workbench/performance").json()
    row = next(x for x in perf["by_area"] if x["group"] == area)
    assert (row["unit"], row["target"], row["actual"]) == ("GBP/year", 120000, 30000)

    anonymous = httpx.Client(base_url=str(client.base_url), timeout=10)
    assert anonymous.get(f"{BASE}/collaborations").status_code == 401
    page = anonymous.get("/v1/workbench/report.html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<caption>" in page.text and area in page.text
    table = anonymous.get("/v1/workbench/report.csv")
    assert table.status_code == 200 and table.text.startswith("dimension,group,kind,unit")
    assert anonymous.get("/v1/workbench/report.csv",
                         params={"as_of": "2024-02-30"}).status_code == 422


def test_live_evidence_and_board(client):
    live = client.get(f"{BASE}/live-evidence").json()
    assert {b["id"] for b in live} == {"mait-live-transfers", "mait-live-decide-median",
                                       "mait-live-hours-saved"}
    assert all(b["live"] for b in live)
    board = client.get("/v1/workbench/board", params={"as_of": "2031-01-01"})
    assert board.status_code == 200
    assert set(board.json()) >= {"workstreams", "projects", "overdue", "off_target", "flags"}
