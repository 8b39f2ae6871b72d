"""Synthetic OS Open UPRN files: the real one is 41M rows behind a licence click-through,
so tests, demos and load runs use a look-alike with the same header, formats and shape."""

from __future__ import annotations

import random
from pathlib import Path
from typing import NamedTuple

from bluelight.hub.adapters.gazetteer.sqlite_gazetteer import EXPECTED_HEADER
from bluelight.hub.adapters.geodesy import ProjGeodesy

FIRST_UPRN = 10_000_000_000
_CHUNK = 10_000  # points per vectorised transform: fast, and memory stays flat


class Town(NamedTuple):
    name: str
    easting: float
    northing: float
    weight: float  # share of all addresses, roughly by population
    spread_m: float  # standard deviation of the address cloud around the centre


class Region(NamedTuple):
    easting: tuple[float, float]
    northing: tuple[float, float]
    towns: tuple[Town, ...]  # weights sum to < 1; the rest is scattered rural addresses


REGIONS: dict[str, Region] = {
    "south-wales": Region(
        easting=(260_000.0, 340_000.0),
        northing=(165_000.0, 215_000.0),
        towns=(
            Town("Cardiff", 318_000.0, 176_000.0, 0.34, 3_500.0),
            Town("Swansea", 265_500.0, 193_000.0, 0.22, 3_000.0),
            Town("Newport", 331_000.0, 188_000.0, 0.14, 2_500.0),
            Town("Bridgend", 290_500.0, 180_000.0, 0.08, 2_000.0),
            Town("Merthyr Tydfil", 305_000.0, 206_000.0, 0.07, 2_000.0),
        ),
    ),
}


def _point(rng: random.Random, region: Region) -> tuple[float, float]:
    (e0, e1), (n0, n1) = region.easting, region.northing
    pick = rng.random()
    for town in region.towns:
        if pick < town.weight:
            # Redraw rather than clamp: clamping would pile addresses up on the box edge.
            for _ in range(100):
                e = rng.gauss(town.easting, town.spread_m)
                n = rng.gauss(town.northing, town.spread_m)
                if e0 <= e <= e1 and n0 <= n <= n1:
                    return e, n
            return town.easting, town.northing
        pick -= town.weight
    return rng.uniform(e0, e1), rng.uniform(n0, n1)


def generate_uprn_csv(
    path: Path,
    rows: int,
    *,
    seed: int = 1,
    bom: bool = True,
    region: str = "south-wales",
    keep: int = 100_000,
) -> list[int]:
    """Write `rows` addresses as an OS Open UPRN CSV and return the first `keep` UPRNs.

    Same header and number formats as OS (E/N to 2 dp, lat/lon to 7 dp, optional UTF-8
    BOM), UPRNs unique, 11 digits and ascending with gaps like the real file. Lat/lon are
    derived from the rounded E/N so each row is self-consistent. Deterministic for a seed."""
    if region not in REGIONS:
        raise ValueError(f"unknown region {region!r}; known: {', '.join(sorted(REGIONS))}")
    if rows < 0:
        raise ValueError("rows must be >= 0")
    area = REGIONS[region]
    rng = random.Random(seed)
    geodesy = ProjGeodesy()
    kept: list[int] = []
    uprn = FIRST_UPRN
    with Path(path).open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
        out.write(",".join(EXPECTED_HEADER) + "\r\n")
        for start in range(0, rows, _CHUNK):
            size = min(_CHUNK, rows - start)
            uprns: list[int] = []
            eastings: list[float] = []
            northings: list[float] = []
            for _ in range(size):
                uprn += rng.randint(1, 40)
                uprns.append(uprn)
                e, n = _point(rng, area)
                eastings.append(round(e, 2))
                northings.append(round(n, 2))
            lats, lons = geodesy.to_wgs84_many(eastings, northings)
            out.writelines(
                f"{u},{e:.2f},{n:.2f},{lat:.7f},{lon:.7f}\r\n"
                for u, e, n, lat, lon in zip(uprns, eastings, northings, lats, lons, strict=True)
            )
            if len(kept) < keep:
                kept.extend(uprns[: keep - len(kept)])
    return kept
