"""The estates API on a real hub: the Exhibit figures, CSV imports with per-row problem
details, the map's buildings, distance queries and the co-location finder."""

from __future__ import annotations

import httpx
import pytest

from hubprocess import HubProcess, unique

BASE = "/v1/workbench/estates"
HEADER = "organisation,service,name,type,tenure,postcode,easting,northing,lat,lon,shared_with\n"


@pytest.fixture(scope="module")
def client(hub: HubProcess):
    token = hub.add_agency(f"uk.fire.{unique('estates')}", "fire")
    with httpx.Client(base_url=hub.url, headers={"Authorization": f"Bearer {token}"},
                      timeout=30) as c:
        yield c


def test_report_reproduces_exhibits_3_5_and_6(client):
    r = client.get(f"{BASE}/report")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == {"buildings": 684, "shared": 47, "shared_pct": 6.9,
                             "owned": None, "leased": None}
    nwfrs = next(o for o in body["organisations"]
                 if o["organisation"] == "North Wales Fire and Rescue Service")
    assert (nwfrs["service"], nwfrs["buildings"], nwfrs["shared"], nwfrs["shared_pct"]) == (
        "fire", 49, 8, 16.3)
    assert body["fleet"]["total"]["vehicles"] == 3917
    assert body["fleet"]["total"]["maintenance_cost"] == 10_988_947
    assert body["workforce"]["total"]["total"] == 20_389
    assert client.get(f"{BASE}/fleet").json() == body["fleet"]
    assert client.get(f"{BASE}/workforce").json()["total"]["total"] == 20_389


def test_import_with_bad_rows_is_a_problem_naming_each_row_and_stores_nothing(client):
    dataset = unique("bad").lower()
    csv = (HEADER
           + "Api Police,police,HQ,office,owned,,300000,200000,,,\n"
           + "Api Police,police,Mast,tower,owned,,300100,200000,,,\n"
           + "Api Fire,fire,Stn,station,owned,XX1,,,,,\n"
           + "Api Fire,fire,Stn 2,station,owned,,,,95.0,-3.0,\n")
    r = client.post(f"{BASE}/import/buildings", params={"dataset": dataset}, content=csv,
                    headers={"Content-Type": "text/csv"})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert [e["field"] for e in problem["errors"]] == ["row 3: type", "row 4: postcode",
                                                       "row 5: lat"]
    assert "nothing was stored" in problem["detail"]
    assert client.get(f"{BASE}/report", params={"dataset": dataset}).status_code == 404


def test_import_then_map_within_and_opportunities(client):
    dataset = unique("ok").lower()
    csv = (HEADER
           + "Api Police,police,HQ,office,owned,CF10 1AA,300000,200000,,,\n"
           + "Api Fire,fire,Station,station,owned,,303000,204000,,,Api Ambulance\n"
           + "Api Ambulance,ambulance,Base,station,leased,,300600,200800,,,\n"
           + "Api Police,,Far,station,owned,,340000,200000,,,\n")
    r = client.post(f"{BASE}/import/buildings", params={"dataset": dataset}, content=csv)
    assert r.status_code == 200, r.text
    assert (r.json()["imported"], r.json()["rows"]) == (4, 4)
    again = client.post(f"{BASE}/import/buildings", params={"dataset": dataset}, content=csv)
    assert again.json()["imported"] == 4

    geo = client.get(f"{BASE}/buildings", params={"dataset": dataset}).json()
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 4
    hq = next(f for f in geo["features"] if f["properties"]["name"] == "HQ")
    lon, lat = hq["geometry"]["coordinates"]
    assert 51 < lat < 53 and -4 < lon < -2
    only_fire = client.get(f"{BASE}/buildings", params={"dataset": dataset,
                                                       "service": "fire"}).json()
    assert [f["properties"]["name"] for f in only_fire["features"]] == ["Station"]

    # 3-4-5 triangle: Station is exactly 5 km from HQ; Base is 1 km; Far is 40 km.
    within = client.get(f"{BASE}/within", params={"dataset": dataset, "easting": 300000,
                                                  "northing": 200000, "radius": 5,
                                                  "unit": "km"}).json()
    assert [(b["building"]["name"], b["distance_km"]) for b in within["buildings"]] == [
        ("HQ", 0.0), ("Base", 1.0), ("Station", 5.0)]
    assert within["by_service"] == {"police": 1, "ambulance": 1, "fire": 1}
    by_latlon = client.get(f"{BASE}/within", params={
        "dataset": dataset, "lat": within["centre"]["lat"], "lon": within["centre"]["lon"],
        "radius": 3.0, "unit": "mi"}).json()
    assert by_latlon["count"] == 2  # HQ and Base; Station, 5 km = 3.107 mi, is outside

    found = client.get(f"{BASE}/opportunities", params={"dataset": dataset, "km": 6}).json()
    pairs = [(o["a"]["name"], o["b"]["name"], o["distance_km"]) for o in found["opportunities"]]
    # Station-Base are already together (the ambulance works from the station).
    assert pairs == [("HQ", "Base", 1.0), ("HQ", "Station", 5.0)]
    assert [o["rank"] for o in found["opportunities"]] == [1, 2]

    report = client.get(f"{BASE}/report", params={"dataset": dataset}).json()
    assert report["total"] == {"buildings": 4, "shared": 1, "shared_pct": 25.0, "owned": 3,
                               "leased": 1}


def test_sample_dataset_is_synthetic_and_places_work(client):
    within = client.get(f"{BASE}/within", params={"dataset": "sample", "place": "pontypridd",
                                                  "radius": 10, "unit": "mi"}).json()
    assert within["synthetic"] is True and within["count"] == 8
    assert within["centre"]["name"] == "Pontypridd"
    names = [p["name"] for p in client.get(f"{BASE}/places").json()]
    assert names == ["Pontypridd", "Swansea", "Bangor", "Wrexham"]
    assert {d["id"] for d in client.get(f"{BASE}/datasets").json()} >= {"main", "sample"}
    orgs = {o["name"]: o["service"] for o in client.get(f"{BASE}/organisations").json()}
    assert orgs["RNLI"] == "lifeboat" and orgs["Gwent Police"] == "police"


@pytest.mark.parametrize(("path", "params", "field"), [
    ("within", {"place": "Swansea", "lat": 51.6, "lon": -3.9}, "place"),
    ("within", {"place": "Swansea", "unit": "furlong"}, "query.unit"),
    ("within", {"place": "Swansea", "radius": -1}, "query.radius"),
    ("opportunities", {"km": 0}, "query.km"),
    ("report", {"dataset": "Not/Valid"}, "query.dataset"),
])
def test_bad_queries_are_problems_naming_the_field(client, path, params, field):
    r = client.get(f"{BASE}/{path}", params=params)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == field


def test_needs_a_credential(hub):
    r = httpx.get(f"{hub.url}{BASE}/report")
    assert r.status_code == 401
