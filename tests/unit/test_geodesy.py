"""ProjGeodesy against Ordnance Survey's published points, and round trips."""

from __future__ import annotations

import math
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from bluelight.hub.adapters.geodesy import ProjGeodesy
from bluelight.kernel.geography import BNG_EASTING, BNG_NORTHING, WGS84_LAT, WGS84_LON

GEO = ProjGeodesy()

# OS OSTN15/OSGM15 developer pack test points (ETRS89 lat/lon -> OSGB36 E/N through OSTN15,
# the definitive transformation): Scilly, the Vale of Glamorgan, Carmarthenshire, London,
# St Kilda-ish Western Isles, Shetland. The Helmert approximates OSTN15 to a few metres
# (worst here: ~5 m at the western extremities), and WGS84 ~ ETRS89 to under 1 m.
OS_TEST_POINTS = [
    ("TP01 Scilly", 49.92226393730, -6.29977752014, 91492.146, 11318.804),
    ("TP06 Vale of Glamorgan", 51.40078220140, -3.55128349240, 292184.870, 168003.465),
    ("TP10 Carmarthenshire", 51.85890896400, -4.30852476960, 241124.584, 220332.641),
    ("TP09 London", 51.48936564950, -0.11992557180, 530624.974, 178388.464),
    ("TP31 Western Isles", 57.81351838410, -8.57854456076, 9587.909, 899448.996),
    ("TP40 Shetland", 60.13308091660, -2.07382822798, 395999.668, 1138728.951),
]
METRES = 10.0
DEGREES = 1e-4  # ~11 m of latitude, ~7 m of longitude at 50-60 N


@pytest.mark.parametrize(("name", "lat", "lon", "e", "n"), OS_TEST_POINTS)
def test_to_bng_matches_ordnance_survey(name: str, lat: float, lon: float, e: float, n: float):
    e2, n2 = GEO.to_bng(lat, lon)
    assert math.hypot(e2 - e, n2 - n) < METRES, name


@pytest.mark.parametrize(("name", "lat", "lon", "e", "n"), OS_TEST_POINTS)
def test_to_wgs84_matches_ordnance_survey(name: str, lat: float, lon: float, e: float, n: float):
    lat2, lon2 = GEO.to_wgs84(e, n)
    assert lat2 == pytest.approx(lat, abs=DEGREES), name
    assert lon2 == pytest.approx(lon, abs=DEGREES), name


def test_returns_lat_then_lon():
    # Cardiff city centre: the axis-order trap would give lat -3.18 / lon 51.48.
    lat, lon = GEO.to_wgs84(318_000.0, 176_000.0)
    assert 51.4 < lat < 51.6
    assert -3.3 < lon < -3.1
    e, n = GEO.to_bng(lat, lon)
    assert (e, n) == pytest.approx((318_000.0, 176_000.0), abs=0.01)


def test_agrees_with_proj_default_inside_helmert_area():
    # The explicit pipeline is EPSG's "OSGB36 to WGS 84 (6)"; where PROJ's own choice uses
    # that operation too, the two must agree to the millimetre.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "best transformation (OSTN15 grid) not available"
        default = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    for e, n in [(318_000.0, 176_000.0), (530_000.0, 180_000.0), (400_000.0, 1_000_000.0)]:
        lon, lat = default.transform(e, n)
        assert GEO.to_wgs84(e, n) == pytest.approx((lat, lon), abs=1e-8)


def test_no_accuracy_cliff_at_edge_of_helmert_area():
    # PROJ's default switches to a ~130 m "ballpark" shift east of 1.92E; off Great Yarmouth
    # the grid position must move smoothly across that line.
    inside = GEO.to_bng(52.5, 1.91)
    outside = GEO.to_bng(52.5, 1.93)
    step = math.hypot(outside[0] - inside[0], outside[1] - inside[1])
    assert step == pytest.approx(1358, abs=5)  # 0.02 deg of longitude at 52.5N


def test_vectorised_matches_scalar():
    eastings, northings = [265_500.0, 331_000.0], [193_000.0, 188_000.0]
    lats, lons = GEO.to_wgs84_many(eastings, northings)
    for e, n, lat, lon in zip(eastings, northings, lats, lons, strict=True):
        assert GEO.to_wgs84(e, n) == (lat, lon)


@settings(max_examples=500, deadline=None)
@given(
    e=st.floats(*BNG_EASTING, allow_nan=False),
    n=st.floats(*BNG_NORTHING, allow_nan=False),
)
def test_bng_round_trip_within_a_centimetre(e: float, n: float):
    e2, n2 = GEO.to_bng(*GEO.to_wgs84(e, n))
    assert math.hypot(e2 - e, n2 - n) < 0.01


@settings(max_examples=500, deadline=None)
@given(
    lat=st.floats(*WGS84_LAT, allow_nan=False),
    lon=st.floats(*WGS84_LON, allow_nan=False),
)
def test_wgs84_round_trip_within_a_centimetre(lat: float, lon: float):
    lat2, lon2 = GEO.to_wgs84(*GEO.to_bng(lat, lon))
    assert abs(lat2 - lat) * 111_000 < 0.01
    assert abs(lon2 - lon) * 111_000 * math.cos(math.radians(lat)) < 0.01
