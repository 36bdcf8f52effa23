"""Great-circle distances and the nearest trial site."""

from __future__ import annotations

import pytest

from matcher.domain.geo import haversine_km, nearest_site
from matcher.domain.models.trial import Site


def test_haversine_known_distance() -> None:
    """Philadelphia to New York is about 130 km along the great circle."""
    assert haversine_km(39.9526, -75.1652, 40.7128, -74.0060) == pytest.approx(130, abs=3)


def test_haversine_zero_and_antipodes() -> None:
    """Distance to oneself is 0; to the antipode it is half the Earth's circumference."""
    assert haversine_km(10.0, 20.0, 10.0, 20.0) == 0
    assert haversine_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(20015, rel=0.001)


def test_nearest_site_skips_sites_without_geo_points() -> None:
    """Sites without lat/lon are ignored; none at all gives None."""
    sites = [
        Site(city="Nowhere"),
        Site(city="Boston", lat=42.36, lon=-71.06),
        Site(city="Philadelphia", lat=39.95, lon=-75.19),
    ]
    found = nearest_site(39.9489, -75.1932, sites)
    assert found is not None
    assert found[0].city == "Philadelphia"
    assert nearest_site(0, 0, [Site(city="Nowhere")]) is None


def test_nearest_site_cache_gives_same_answer() -> None:
    """The per-run distance cache returns the same distances as direct computation."""
    sites = [Site(city="Boston", lat=42.36, lon=-71.06)]
    cache: dict[tuple[float, float], float] = {}
    first = nearest_site(39.9489, -75.1932, sites, cache)
    second = nearest_site(39.9489, -75.1932, sites, cache)
    assert first == second == nearest_site(39.9489, -75.1932, sites)
    assert len(cache) == 1
