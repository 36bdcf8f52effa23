"""Great-circle distances from the patient to trial sites (haversine on registry geo points)."""

from __future__ import annotations

import math
from collections.abc import Iterable

from matcher.domain.models.trial import Site

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG); error vs. the ellipsoid is < 0.5 %


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in km between two (lat, lon) points in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def nearest_site(
    lat: float,
    lon: float,
    sites: Iterable[Site],
    cache: dict[tuple[float, float], float] | None = None,
) -> tuple[Site, float] | None:
    """The closest site that has a geo point, with its distance; None when no site has one.

    `cache` (point -> km from (lat, lon)) lets one run reuse distances: the same hospitals
    appear in many trials.
    """
    best: tuple[Site, float] | None = None
    for site in sites:
        if site.lat is None or site.lon is None:
            continue
        if cache is None:
            d = haversine_km(lat, lon, site.lat, site.lon)
        else:
            point = (site.lat, site.lon)
            found = cache.get(point)
            if found is None:
                found = cache[point] = haversine_km(lat, lon, site.lat, site.lon)
            d = found
        if best is None or d < best[1]:
            best = (site, d)
    return best
