"""British National Grid (EPSG:27700) <-> WGS84 (EPSG:4326) through PROJ.

Axis order: every call here is (x, y) = (easting, northing) or (lon, lat). EPSG:4326 is
officially lat-first, and mixing the two conventions silently puts an incident in the
wrong hemisphere; the pipeline below is written in x/y order (what `always_xy=True` would
give) and the public methods convert to the port's (lat, lon) at the edge.

Why an explicit pipeline instead of `Transformer.from_crs`: with no OSTN15 grid installed,
`from_crs` picks an operation per point by area of use. Inside OS's Helmert area
(lon -8.82..1.92, lat 49.79..60.94) it uses the 7-parameter Helmert, but in the strip of
sea between that and the edge of what we accept (lon -9.01..2.01, lat 49.75..61.01, e.g.
off Great Yarmouth) it falls back to a "ballpark" shift ~130 m off, and forward and inverse
stop being inverses. So we apply the same Helmert (EPSG "OSGB36 to WGS 84 (6)", the
parameters published in OS's "A guide to coordinate systems in Great Britain") everywhere.

Accuracy: the Helmert approximates OSTN15, the definitive transformation, to about 2 m
(up to ~5 m at the extremities, e.g. Scilly and the Western Isles). That is fine for
dispatching; it is not survey grade. The pipeline references no grid file, so PROJ never
looks for one on disk or on the network (this machine has no internet).
"""

from __future__ import annotations

from collections.abc import Sequence

from pyproj import Transformer
from pyproj.enums import TransformDirection

# E/N (Airy 1830, OSGB36) -> geocentric -> Helmert -> geocentric WGS84 -> lon/lat degrees.
# push/pop keep the (absent) height out of the datum shift, as PROJ's own EPSG chain does.
BNG_TO_WGS84_PIPELINE = (
    "+proj=pipeline"
    " +step +inv +proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000"
    " +ellps=airy"
    " +step +proj=push +v_3"
    " +step +proj=cart +ellps=airy"
    " +step +proj=helmert +x=446.448 +y=-125.157 +z=542.06 +rx=0.15 +ry=0.247 +rz=0.842"
    " +s=-20.489 +convention=position_vector"
    " +step +inv +proj=cart +ellps=WGS84"
    " +step +proj=pop +v_3"
    " +step +proj=unitconvert +xy_in=rad +xy_out=deg"
)

_INVERSE = TransformDirection.INVERSE


class ProjGeodesy:
    """The `Geodesy` port. Build once and share: creating a transformer costs ~ms,
    a scalar transform ~µs."""

    def __init__(self) -> None:
        # One pipeline serves both ways (`direction=INVERSE` costs nothing measurable), so
        # the two directions can never drift apart.
        self._transformer = Transformer.from_pipeline(BNG_TO_WGS84_PIPELINE)

    def to_wgs84(self, easting: float, northing: float) -> tuple[float, float]:
        """(easting, northing) in metres -> (lat, lon) in degrees."""
        lon, lat = self._transformer.transform(easting, northing)
        return lat, lon

    def to_bng(self, lat: float, lon: float) -> tuple[float, float]:
        """(lat, lon) in degrees -> (easting, northing) in metres."""
        return self._transformer.transform(lon, lat, direction=_INVERSE)

    def to_wgs84_many(
        self, eastings: Sequence[float], northings: Sequence[float]
    ) -> tuple[list[float], list[float]]:
        """Vectorised `to_wgs84` for bulk work: returns (lats, lons)."""
        lons, lats = self._transformer.transform(list(eastings), list(northings))
        return list(lats), list(lons)
