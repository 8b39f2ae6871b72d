"""Distances, `within` and the co-location finder against hand-computed cases."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyproj import Geod

from bluelight.hub.adapters.geodesy import ProjGeodesy
from bluelight.kernel.errors import Invalid
from bluelight.workbench.domain.estates import (
    METRES_PER,
    PLACES,
    Building,
    co_location_pairs,
    planar_m,
    within,
)
from bluelight.workbench.services.estates import Estates

GEO = ProjGeodesy()


def stored(id_: int, org: str, service: str, e: float, n: float,
           shared_with: list[str] | None = None) -> Building:
    return Building(
        id=id_, service=service, organisation=org, name=f"b{id_}", type="station",
        tenure="owned", easting=e, northing=n, shared_with=shared_with or [])


def haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance on the IUGG mean sphere, written out here independently."""
    r = 6_371_008.8
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp, dl = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(h))


def test_a_3_4_5_triangle_on_the_grid_is_5_km():
    assert planar_m((300_000, 200_000), (303_000, 204_000)) == 5_000.0


@pytest.mark.parametrize(("a", "b"), [
    ((51.4816, -3.1791), (51.6214, -3.9436)),  # Cardiff - Swansea, ~55 km
    ((53.2274, -4.1293), (53.0462, -2.9930)),  # Bangor - Wrexham, ~79 km
    ((51.6020, -3.3420), (51.6500, -3.3000)),  # across Pontypridd, ~6 km
])
def test_grid_distance_agrees_with_great_circle_and_geodesic(a, b):
    grid = planar_m(GEO.to_bng(*a), GEO.to_bng(*b))
    _, _, geodesic = Geod(ellps="WGS84").inv(a[1], a[0], b[1], b[0])
    # The sphere is up to ~0.5% off the ellipsoid; the grid within 0.04% over Wales.
    assert grid == pytest.approx(haversine_m(a, b), rel=5e-3)
    assert grid == pytest.approx(geodesic, rel=4e-4)


def test_ten_miles_is_16_093_metres_and_the_edge_counts():
    ten_miles = 10 * METRES_PER["mi"]
    assert ten_miles == pytest.approx(16_093.44)
    centre = (300_000.0, 200_000.0)
    inside = stored(1, "P", "police", 300_000 + 16_093, 200_000)
    diagonal = stored(2, "F", "fire", 300_000 + 9_000, 200_000 + 12_000)  # 15 km
    outside = stored(3, "A", "ambulance", 300_000, 200_000 - 16_094)
    unlocated = Building(id=4, service="fire", organisation="F", name="x", type="office",
                         tenure="owned", address="somewhere")
    found = within([inside, diagonal, outside, unlocated], centre, ten_miles)
    assert [(round(d), s.id) for d, s in found] == [(15_000, 2), (16_093, 1)]
    edge = stored(5, "P", "police", 303_000, 204_000)  # exactly 5 km: 3-4-5
    assert [s.id for _, s in within([edge], centre, 5_000)] == [5]
    assert within([edge], centre, 4_999.999) == []


@given(st.floats(0, 50_000), st.floats(0, 50_000), st.floats(1, 40_000))
def test_within_keeps_exactly_the_points_not_further_than_the_radius(dx, dy, radius):
    s = stored(1, "P", "police", 300_000 + dx, 300_000 + dy)
    found = within([s], (300_000, 300_000), radius)
    assert bool(found) == (math.hypot(s.easting - 300_000, s.northing - 300_000) <= radius)


def test_finder_ranks_nearest_first_skipping_same_service_and_already_shared():
    a = stored(1, "Police A", "police", 300_000, 200_000)
    b = stored(2, "Fire B", "fire", 300_300, 200_400, shared_with=["Ambulance C"])
    c = stored(3, "Ambulance C", "ambulance", 301_000, 200_000)
    d = stored(4, "Police D", "police", 300_100, 200_000)
    far = stored(5, "Fire E", "fire", 305_000, 200_000)
    pairs = co_location_pairs([a, b, c, d, far], 1_000, 10)
    # by hand: d-b hypot(200,400)=447.2; a-b 500; d-c 900; a-c 1000 (edge counts).
    # a-d: same service. b-c: Ambulance C already works from b.
    assert [(round(m, 1), x.id, y.id) for m, x, y in pairs] == [
        (447.2, 2, 4), (500.0, 1, 2), (900.0, 3, 4), (1000.0, 1, 3)]
    assert len(co_location_pairs([a, b, c, d, far], 1_000, 2)) == 2


def test_finder_treats_sharing_in_either_direction_and_any_case_as_shared():
    a = stored(1, "Police A", "police", 300_000, 200_000)
    b = stored(2, "Fire B", "fire", 300_010, 200_000)
    assert co_location_pairs([a, b], 100, 10)
    a.shared_with = ["fire  b"]
    assert co_location_pairs([a, b], 100, 10) == []


def test_gazetteer_places_lie_on_their_towns():
    # each place is within 1 km of the same town's infobox lat/lon
    for name, lat, lon in [("pontypridd", 51.602, -3.342), ("bangor", 53.228, -4.128),
                           ("wrexham", 53.046, -2.993), ("swansea", 51.62, -3.943)]:
        p = PLACES[name]
        assert planar_m((p.easting, p.northing), GEO.to_bng(lat, lon)) < 1_000, name


class _NoStorage:
    def run(self, job):
        raise AssertionError("finding a centre reads no storage")


def _estates() -> Estates:
    return Estates(_NoStorage(), GEO, lambda ds: [], lambda *a: [])


def test_centre_from_a_place_lat_lon_or_grid():
    e = _estates()
    assert e.centre(place="  PONTYPRIDD ").name == "Pontypridd"
    by_grid = e.centre(easting=307_550, northing=189_550)
    by_latlon = e.centre(lat=by_grid.lat, lon=by_grid.lon)
    assert planar_m((by_grid.easting, by_grid.northing),
                    (by_latlon.easting, by_latlon.northing)) < 1


@pytest.mark.parametrize(("kw", "field"), [
    ({}, "place"),
    ({"place": "Swansea", "lat": 51.6, "lon": -3.9}, "place"),
    ({"place": "Atlantis"}, "place"),
    ({"lat": 51.6}, "lon"),
    ({"lat": 40.0, "lon": -3.9}, "lat"),
    ({"easting": 900_000, "northing": 100_000}, "easting"),
])
def test_centre_refuses_ambiguous_or_impossible_places(kw, field):
    with pytest.raises(Invalid) as caught:
        _estates().centre(**kw)
    assert caught.value.faults[0].field == field
