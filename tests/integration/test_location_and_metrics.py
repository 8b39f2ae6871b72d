"""Locations resolved by the hub (UPRN through a real gazetteer file, BNG <-> WGS84), the
flags a person must see, and the numbers the hub reports about itself."""

from __future__ import annotations

import asyncio
import csv
import math
import uuid
import warnings
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pyproj import Transformer

from bluelight.client import Client, HubError, body_of
from bluelight.hub.adapters.gazetteer.sqlite_gazetteer import import_csv
from bluelight.hub.domain.transfer import EntryKind
from bluelight.sim.gazetteer import generate_uprn_csv
from hubprocess import HubProcess, unique
from samples import incident

ROWS = 2_000
UNKNOWN_UPRN = "99999999999"  # 11 digits, well clear of the generated range
WAIT = 10.0

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # "best transformation (OSTN15 grid) not available"
    TO_BNG = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


class Gazetteer:
    def __init__(self, path: Path, rows: dict[str, tuple[float, float, float, float]]):
        self.path, self.rows = path, rows


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory) -> Gazetteer:
    folder = tmp_path_factory.mktemp("gazetteer")
    source = folder / "osopenuprn.csv"
    generate_uprn_csv(source, ROWS, seed=11)
    result = import_csv(source, folder / "gazetteer.sqlite")
    assert (result.rows, result.rejected) == (ROWS, 0)
    with source.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        rows = {u: tuple(map(float, rest)) for u, *rest in reader}
    assert UNKNOWN_UPRN not in rows
    return Gazetteer(folder / "gazetteer.sqlite", rows)


@pytest.fixture(scope="module")
def geo_hub(tmp_path_factory, gazetteer) -> HubProcess:
    """A hub with the gazetteer in its data dir, where it looks by default."""
    data = tmp_path_factory.mktemp("geo-hub")
    (data / "gazetteer.sqlite").write_bytes(gazetteer.path.read_bytes())
    process = HubProcess(data).start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def strict_hub(tmp_path_factory, gazetteer) -> HubProcess:
    """A hub that refuses UPRNs it cannot find."""
    process = HubProcess(tmp_path_factory.mktemp("strict-hub"), env={
        "BLUELIGHT_REJECT_UNKNOWN_UPRN": "true",
        "BLUELIGHT_GAZETTEER_PATH": str(gazetteer.path),
    }).start()
    yield process
    process.stop()


class Pair:
    def __init__(self, hub: HubProcess):
        area = unique("area")
        self.police, self.fire = f"uk.police.{area}", f"uk.fire.{area}"
        self.police_token = hub.add_agency(self.police, "police")
        self.fire_token = hub.add_agency(self.fire, "fire")


def located(**location) -> dict:
    return incident(location=location)


async def send_and_receive(hub: HubProcess, pair: Pair, sent: dict):
    """Send over HTTP; return the receipt and the offer as the recipient reads it."""
    async with Client(hub.url, pair.police_token) as police, \
            Client(hub.url, pair.fire_token) as fire:
        receipt = await police.submit([pair.fire], sent)
        inbox = await fire.inbox()
        (entry,) = inbox.entries
        assert entry.kind is EntryKind.INCIDENT_NEW
        assert entry.transfer_id == receipt.transfers[0].transfer_id
        return receipt, body_of(entry)


def some_uprn(gazetteer: Gazetteer, index: int = 0) -> str:
    return sorted(gazetteer.rows)[index * 97 % ROWS]


# locations ---------------------------------------------------------------------------------
async def test_uprn_only_is_located_from_the_gazetteer(geo_hub, gazetteer):
    pair = Pair(geo_hub)
    uprn = some_uprn(gazetteer, 3)
    e, n, lat, lon = gazetteer.rows[uprn]
    receipt, offer = await send_and_receive(geo_hub, pair, located(uprn=uprn))
    assert receipt.flags == []
    loc = offer.incident.location
    assert loc.uprn == uprn
    assert loc.easting == pytest.approx(e, abs=0.05)  # the hub keeps 0.1 m
    assert loc.northing == pytest.approx(n, abs=0.05)
    assert loc.lat == pytest.approx(lat, abs=1e-6)
    assert loc.lon == pytest.approx(lon, abs=1e-6)
    assert offer.flags == []


async def test_unknown_uprn_is_accepted_but_flagged_for_both_sides(geo_hub):
    pair = Pair(geo_hub)
    receipt, offer = await send_and_receive(
        geo_hub, pair, located(uprn=UNKNOWN_UPRN, address="12 Unknown Row, Cardiff"))
    assert receipt.status == "stored"
    assert [f.value for f in receipt.flags] == ["uprn-unknown"]
    assert [f.value for f in offer.flags] == ["uprn-unknown"]
    assert offer.incident.location.uprn == UNKNOWN_UPRN
    assert offer.incident.location.easting is None  # nothing made up
    tid = receipt.transfers[0].transfer_id
    for token in (pair.police_token, pair.fire_token):
        async with Client(geo_hub.url, token) as client:
            assert [f.value for f in (await client.transfer(tid)).flags] == ["uprn-unknown"]
            listed = await client.transfers()
            assert [f.value for f in listed[0].flags] == ["uprn-unknown"]


async def test_strict_hub_refuses_an_unknown_uprn_and_stores_nothing(strict_hub, gazetteer):
    pair = Pair(strict_hub)
    message_id = uuid.uuid4()
    async with Client(strict_hub.url, pair.police_token) as police, \
            Client(strict_hub.url, pair.fire_token) as fire:
        with pytest.raises(HubError) as refused:
            await police.submit([pair.fire], located(uprn=UNKNOWN_UPRN), message_id=message_id)
        assert refused.value.status == 422
        assert refused.value.fields == ["incident.location.uprn"]
        assert await police.transfers() == []
        assert (await fire.inbox()).entries == []

        # Nothing was stored, so the message id is still free, and a known UPRN is fine.
        uprn = some_uprn(gazetteer, 5)
        receipt = await police.submit([pair.fire], located(uprn=uprn), message_id=message_id)
        assert receipt.flags == []
        (entry,) = (await fire.inbox()).entries
        assert body_of(entry).incident.location.easting == pytest.approx(
            gazetteer.rows[uprn][0], abs=0.05)


async def test_lat_lon_only_gets_grid_reference_filled_in(geo_hub):
    pair = Pair(geo_hub)
    lat, lon = 51.481583, -3.179090  # Cardiff Castle
    receipt, offer = await send_and_receive(geo_hub, pair, located(lat=lat, lon=lon))
    assert receipt.flags == []
    loc = offer.incident.location
    assert (loc.lat, loc.lon) == (lat, lon)  # what the sender gave is kept as given
    e, n = TO_BNG.transform(lon, lat)
    assert math.hypot(loc.easting - e, loc.northing - n) < 1.0


async def test_grid_reference_only_gets_wgs84_filled_in(geo_hub):
    pair = Pair(geo_hub)
    _, offer = await send_and_receive(geo_hub, pair, located(easting=318040, northing=176420))
    loc = offer.incident.location
    back_e, back_n = TO_BNG.transform(loc.lon, loc.lat)
    assert math.hypot(back_e - 318040, back_n - 176420) < 1.0


async def test_bng_and_wgs84_five_km_apart_are_flagged(geo_hub):
    pair = Pair(geo_hub)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        to_wgs = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    lon, lat = to_wgs.transform(318040, 176420 + 5_000)  # 5 km north of the grid ref given
    receipt, offer = await send_and_receive(
        geo_hub, pair, located(easting=318040, northing=176420, lat=lat, lon=lon))
    assert [f.value for f in receipt.flags] == ["location-inconsistent"]
    assert [f.value for f in offer.flags] == ["location-inconsistent"]
    loc = offer.incident.location
    # Flagged, never "corrected": both positions arrive as the sender gave them.
    assert (loc.easting, loc.northing) == (318040, 176420)
    assert loc.lat == pytest.approx(lat, abs=1e-6) and loc.lon == pytest.approx(lon, abs=1e-6)


async def test_bng_and_wgs84_that_agree_are_not_flagged(geo_hub):
    pair = Pair(geo_hub)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        to_wgs = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    lon, lat = to_wgs.transform(318040, 176420 + 50)  # 50 m: the same incident
    receipt, _ = await send_and_receive(
        geo_hub, pair, located(easting=318040, northing=176420, lat=lat, lon=lon))
    assert receipt.flags == []


async def test_uprn_far_from_the_given_coordinates_is_flagged(geo_hub, gazetteer):
    pair = Pair(geo_hub)
    uprn = some_uprn(gazetteer, 7)
    e, n, _, _ = gazetteer.rows[uprn]
    receipt, offer = await send_and_receive(
        geo_hub, pair, located(uprn=uprn, easting=e + 3_000, northing=n))
    assert [f.value for f in receipt.flags] == ["location-inconsistent"]
    assert offer.incident.location.easting == pytest.approx(e + 3_000, abs=0.05)


async def test_address_only_is_accepted(geo_hub):
    pair = Pair(geo_hub)
    receipt, offer = await send_and_receive(
        geo_hub, pair, located(address="Flat 2, 14 Heol y Nant, Whitchurch, Cardiff CF14 1AB",
                               description="Rear entrance, side lane"))
    assert receipt.status == "stored" and receipt.flags == []
    loc = offer.incident.location
    assert loc.address == "Flat 2, 14 Heol y Nant, Whitchurch, Cardiff CF14 1AB"
    assert loc.easting is None and loc.lat is None and loc.uprn is None


async def test_nothing_to_locate_by_is_refused(geo_hub):
    pair = Pair(geo_hub)
    async with Client(geo_hub.url, pair.police_token) as police:
        with pytest.raises(HubError) as refused:
            await police.submit([pair.fire], located(description="near the big tree"))
        assert refused.value.status == 422
        assert refused.value.fields == ["incident.location"]


# metrics and stats --------------------------------------------------------------------------
def samples(text: str, name: str, **labels: str) -> dict[tuple, float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                found[tuple(sorted(s.labels.items()))] = s.value
    return found


async def test_metrics_and_stats_after_a_full_lifecycle(geo_hub):
    pair = Pair(geo_hub)
    async with Client(geo_hub.url, pair.police_token) as police, \
            Client(geo_hub.url, pair.fire_token) as fire, fire.stream() as fire_in:
        await fire_in.wait_live()
        receipts = [await police.submit([pair.fire], incident()) for _ in range(2)]
        offers = []
        async with asyncio.timeout(WAIT):
            while len(offers) < 2:
                offers.append(await anext(fire_in))  # auto-acked: delivered
        for _ in range(100):  # until both acks have landed
            states = [(await police.transfer(r.transfers[0].transfer_id)).state.value
                      for r in receipts]
            if states == ["delivered", "delivered"]:
                break
            await asyncio.sleep(0.05)
        await fire.accept(offers[0].transfer_id, operator="Watch Manager Price")
        await fire.reject(offers[1].transfer_id, "No appliance available")

        async with httpx.AsyncClient() as http:
            response = await http.get(f"{geo_hub.url}/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        text = response.text

        pair_labels = {"sender": pair.police, "recipient": pair.fire}
        by_state = {dict(k)["state"]: v for k, v in
                    samples(text, "bluelight_transfers_total", **pair_labels).items()}
        assert by_state == {"stored": 2.0, "delivered": 2.0, "accepted": 1.0, "rejected": 1.0}
        (delivered,) = samples(text, "bluelight_deliver_seconds_count", **pair_labels).values()
        assert delivered >= 1
        decided = samples(text, "bluelight_decide_seconds_count", **pair_labels)
        assert {dict(k)["decision"]: v for k, v in decided.items()} == {
            "accepted": 1.0, "rejected": 1.0}
        assert samples(text, "bluelight_store_seconds_count", sender=pair.police)
        assert samples(text, "bluelight_commit_batch_jobs_count")
        # Both stream sessions are counted while connected.
        (sessions,) = samples(text, "bluelight_stream_sessions").values()
        assert sessions >= 1

        stats = await police.stats()
        (row,) = stats.pairs
        assert (row.sender, row.recipient) == (pair.police, pair.fire)
        assert row.transfers == 2 and row.accepted == 1 and row.rejected == 1
        assert row.overdue == 0
        assert row.deliver_p50_s is not None and row.deliver_p50_s >= 0
        assert row.decide_p50_s is not None and row.decide_p50_s >= row.deliver_p50_s
        assert stats.transfers == 2 and stats.decided == 2
        assert stats.phone_baseline_s == 240.0
        assert 0 < stats.time_saved_s <= 240.0 * stats.decided
        assert stats.time_saved_hours == round(stats.time_saved_s / 3600, 2)

        # The recipient sees the same pair; a stranger sees none of it.
        assert [(p.sender, p.recipient) for p in (await fire.stats()).pairs] == [
            (pair.police, pair.fire)]
        stranger = Pair(geo_hub)
        async with Client(geo_hub.url, stranger.police_token) as other:
            assert (await other.stats()).pairs == []
