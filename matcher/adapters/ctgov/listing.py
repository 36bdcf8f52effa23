"""The nightly sweep's minimal listing: id, status and last update of every corpus trial."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from matcher.errors import UpstreamSchemaError

_NCT = re.compile(r"^NCT\d{8}$")


@dataclass(frozen=True)
class ListingEntry:
    nct_id: str
    status: str | None
    last_update: str | None  # LastUpdatePostDate as the registry wrote it (display, comparison)


def parse_listing_study(raw: Any) -> ListingEntry:
    """One study of a `fields=NCTId|OverallStatus|LastUpdatePostDate` page."""
    section = raw.get("protocolSection") if isinstance(raw, Mapping) else None
    if not isinstance(section, Mapping):
        raise UpstreamSchemaError(None, "protocolSection", "missing")
    ident = section.get("identificationModule") or {}
    nct = ident.get("nctId") if isinstance(ident, Mapping) else None
    if not isinstance(nct, str) or not _NCT.match(nct):
        raise UpstreamSchemaError(None, "identificationModule.nctId", "missing or invalid")
    status_module = section.get("statusModule") or {}
    if not isinstance(status_module, Mapping):
        raise UpstreamSchemaError(nct, "statusModule", "expected an object")
    status = status_module.get("overallStatus")
    update = status_module.get("lastUpdatePostDateStruct") or {}
    day = update.get("date") if isinstance(update, Mapping) else None
    if status is not None and not isinstance(status, str):
        raise UpstreamSchemaError(nct, "statusModule.overallStatus", "expected text")
    if day is not None and not isinstance(day, str):
        raise UpstreamSchemaError(nct, "statusModule.lastUpdatePostDateStruct.date", "not text")
    return ListingEntry(nct, status, day)
