"""The self-assessment API against a real hub: drafts, submission, comparisons, charts,
and problem details that name the field."""

from __future__ import annotations

import httpx
import pytest
from defusedxml import ElementTree

from hubprocess import unique

BASE = "/v1/workbench/assessments"
PROBLEM = "application/problem+json"
IDS = [f"A4-{n:02d}" for n in range(1, 17)]
SVG_NS = {"svg": "http://www.w3.org/2000/svg"}


@pytest.fixture
def client(hub):
    agency = f"uk.fire.{unique('asm')}"
    token = hub.add_agency(agency, "fire")
    with httpx.Client(base_url=hub.url, headers={"Authorization": f"Bearer {token}"},
                      timeout=10) as c:
        c.agency = agency
        yield c


def new(partnership: str, year: int, name: str, ratings: list[str] | None = None) -> dict:
    body = {"partnership": partnership, "year": year,
            "respondent": {"name": name, "organisation": f"{name}'s service", "role": "lead"}}
    if ratings is not None:
        body["answers"] = [{"statement": sid, "rating": r} for sid, r in zip(IDS, ratings, strict=False)]
    return body


def errors(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"].startswith(PROBLEM)
    return [e["field"] for e in response.json()["errors"]]


def submitted(client, partnership, year, name, ratings) -> str:
    created = client.post(BASE, json=new(partnership, year, name, ratings))
    assert created.status_code == 201, created.text
    done = client.post(f"{BASE}/{created.json()['id']}/submit")
    assert done.status_code == 200, done.text
    return created.json()["id"]


def test_statements_need_a_credential_and_list_the_16(hub, client) -> None:
    assert httpx.get(f"{hub.url}{BASE}/statements").status_code == 401
    body = client.get(f"{BASE}/statements").json()
    assert [s["id"] for s in body["statements"]] == IDS
    assert body["statements"][1]["text"] == ("I trust others within the collaboration, and "
                                             "others trust me")
    assert body["section"].startswith("Appendix 4")
    assert [(s["rating"], s["points"]) for s in body["scale"]] == [
        ("always", 2), ("sometimes", 1), ("never", 0)]


def test_draft_answer_and_submit(client) -> None:
    p = unique("SCB Estates")
    created = client.post(BASE, json=new(p, 2023, "Ann", ["always"] * 10))
    assert created.status_code == 201
    a = created.json()
    assert a["status"] == "draft" and a["recorded_by"] == client.agency
    assert a["score"]["answered"] == 10 and a["unanswered"] == IDS[10:]

    refused = client.post(f"{BASE}/{a['id']}/submit")
    assert refused.status_code == 422
    assert errors(refused) == [f"answers.{sid}.rating" for sid in IDS[10:]]

    patched = client.patch(f"{BASE}/{a['id']}", json={
        "answers": [{"statement": sid, "rating": "never"} for sid in IDS[10:15]]})
    assert patched.status_code == 200 and patched.json()["score"]["answered"] == 15
    put = client.put(f"{BASE}/{a['id']}/answers/A4-16", json={
        "rating": "sometimes", "evidence": "Board minutes, March",
        "actions": [{"text": "Publish a dashboard", "owner": "Ann", "due": "2024-03-31"}]})
    assert put.status_code == 200, put.text
    done = client.post(f"{BASE}/{a['id']}/submit")
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "submitted"
    assert body["score"]["points"] == 10 * 2 + 5 * 0 + 1
    assert body["score"]["percentage"] == round(100 * 21 / 32, 1)
    assert body["answers"][15]["actions"][0]["due"] == "2024-03-31"

    frozen = client.patch(f"{BASE}/{a['id']}", json={"year": 2024})
    assert frozen.status_code == 409
    assert client.get(f"{BASE}/{a['id']}").json()["year"] == 2023
    listed = client.get(BASE, params={"partnership": p.upper(), "year": 2023}).json()
    assert [x["id"] for x in listed] == [a["id"]]


@pytest.mark.parametrize("body, field", [
    ({"partnership": "P", "year": 1999, "respondent": {"name": "A", "organisation": "B"}},
     "year"),
    ({"partnership": "P", "year": 2023, "respondent": {"name": "A"}},
     "respondent.organisation"),
    ({"partnership": "P", "year": 2023, "respondent": {"name": "A", "organisation": "B"},
      "answers": [{"statement": "A4-01", "rating": "often"}]}, "answers[0].rating"),
    ({"partnership": "P", "year": 2023, "respondent": {"name": "A", "organisation": "B"},
      "answers": [{"statement": "A4-42", "rating": "always"}]}, "answers[0].statement"),
    ({"partnership": "  ", "year": 2023, "respondent": {"name": "A", "organisation": "B"}},
     "partnership"),
    ({"partnership": "P", "year": 2023, "respondent": {"name": "A", "organisation": "B"},
      "colour": "blue"}, "colour"),
])
def test_bad_input_is_a_problem_naming_the_field_and_stores_nothing(client, body,
                                                                    field) -> None:
    before = len(client.get(BASE).json())
    response = client.post(BASE, json=body)
    assert response.status_code == 422
    assert field in errors(response)
    assert len(client.get(BASE).json()) == before


def test_unknown_ids_are_404_and_duplicates_409(client) -> None:
    assert client.get(f"{BASE}/as-nothing").status_code == 404
    assert client.get(f"{BASE}/as-nothing/radar.svg").status_code == 404
    p = unique("SCB Fleet")
    a = client.post(BASE, json=new(p, 2023, "Bob")).json()
    assert client.put(f"{BASE}/{a['id']}/answers/A4-99",
                      json={"rating": "always"}).status_code == 404
    assert client.post(BASE, json=new(p.lower(), 2023, "bob")).status_code == 409
    assert client.delete(f"{BASE}/{a['id']}").status_code == 204
    assert client.get(f"{BASE}/{a['id']}").status_code == 404


def test_compare_years_and_respondents(client) -> None:
    p = unique("SCB Workforce")
    submitted(client, p, 2022, "Ann", ["never"] * 16)
    submitted(client, p, 2023, "Ann", ["always"] + ["never"] * 15)
    submitted(client, p, 2023, "Bob", ["never"] + ["sometimes"] * 15)
    client.post(BASE, json=new(p, 2023, "Cat", ["always"] * 16))  # a draft: left out

    years = client.get(f"{BASE}/comparisons/years", params={"partnership": p,
                                                           "years": "2022,2023"})
    assert years.status_code == 200, years.text
    y = years.json()
    assert [len(v["assessments"]) for v in y["years"]] == [1, 2]
    first = y["statements"][0]
    assert first["scores"] == [0.0, 1.0] and first["trend"] == "improved"
    assert y["improved"] == IDS and y["worse"] == []

    resp = client.get(f"{BASE}/comparisons/respondents", params={"partnership": p,
                                                                "year": 2023}).json()
    assert len(resp["respondents"]) == 2 and resp["disagreements"] == ["A4-01"]
    assert resp["statements"][1]["agreement"] == "mixed"
    with_drafts = client.get(f"{BASE}/comparisons/respondents",
                             params={"partnership": p, "year": 2023, "drafts": "true"}).json()
    assert len(with_drafts["respondents"]) == 3

    missing = client.get(f"{BASE}/comparisons/years", params={"years": "2022,2023"})
    assert missing.status_code == 422 and errors(missing) == ["query.partnership"]
    bad = client.get(f"{BASE}/comparisons/years", params={"partnership": p, "years": "22"})
    assert bad.status_code == 422 and errors(bad) == ["query.years"]


def test_radar_svgs(client) -> None:
    p = unique("SCB Control")
    one = submitted(client, p, 2022, "Ann", ["sometimes"] * 16)
    two = submitted(client, p, 2023, "Ann", ["always"] * 16)
    for path, params, polygons in [
        (f"{BASE}/{one}/radar.svg", {}, 1),
        (f"{BASE}/radar.svg", {"ids": f"{one},{two}"}, 2),
        (f"{BASE}/comparisons/years/radar.svg", {"partnership": p, "years": "2022,2023"}, 2),
        (f"{BASE}/comparisons/respondents/radar.svg", {"partnership": p, "year": 2023}, 1),
    ]:
        response = client.get(path, params=params)
        assert response.status_code == 200, (path, response.text)
        assert response.headers["content-type"].startswith("image/svg+xml")
        root = ElementTree.fromstring(response.content)
        assert root.get("role") == "img"
        assert root.find("svg:title", SVG_NS).text
        assert len(root.findall(".//svg:line[@class='axis']", SVG_NS)) == 16
        assert len(root.findall(".//svg:polygon", SVG_NS)) == polygons
    nobody = client.get(f"{BASE}/comparisons/respondents/radar.svg",
                        params={"partnership": p, "year": 2030})
    assert nobody.status_code == 404
