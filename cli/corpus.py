"""`trialmatch corpus probe` and `trialmatch snapshot build|verify`: the corpus, for operators."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cli.args import command
from matcher.adapters.ctgov.client import CtgovClient
from matcher.adapters.ctgov.corpus_query import CorpusQuery
from matcher.adapters.ctgov.source import live_client


def _live(args: argparse.Namespace) -> tuple[CtgovClient, CorpusQuery, str]:
    """The live API client (never the snapshot: these commands are about the registry)."""
    from matcher.settings import get_settings

    settings = get_settings()
    # the same client as the workers' (request deadline included), paced per process
    client = live_client(settings)
    any_status = settings.any_status or bool(getattr(args, "any_status", False))
    query = CorpusQuery.for_deployment(settings.recruiting_statuses, any_status)
    return client, query, settings.ctgov_base_url


def cmd_probe(args: argparse.Namespace) -> int:
    """Print each branch's countTotal and the whole query's, so an operator can size the corpus."""
    client, query, base = _live(args)
    with client:
        print(f"ClinicalTrials.gov {base}, data version {client.data_version() or 'n/a'}")
        statuses = ", ".join(query.statuses) if query.statuses else "any status"
        print(f"statuses: {statuses}\n")
        print(f"{'branch':<36}{'studies':>10}")
        for name in query.branches():
            print(f"{name:<36}{client.count(query.branch_params(name)):>10}")
        whole = {**query.params(fields="NCTId", page_size=1)}
        total = client.count(whole)
        print(f"{'whole corpus (union)':<36}{total:>10}")
        pages = -(-total // 1000)
        print(f"\nfull build: {pages} page(s) of 1000; nightly listing: {pages} page(s)")
    return 0


def cmd_snapshot_build(args: argparse.Namespace) -> int:
    from matcher.adapters.ctgov.snapshot_build import build

    client, query, base = _live(args)
    with client:
        provenance = build(client, query, Path(args.dir), base_url=base)
    print(
        f"wrote {provenance['counts']['records']} records to {args.dir} "
        f"(data version {provenance['data_timestamp']}, query {provenance['query_key']})"
    )
    return 0


def cmd_snapshot_verify(args: argparse.Namespace) -> int:
    from matcher.adapters.ctgov.snapshot_build import verify

    result = verify(Path(args.dir))
    for problem in result.problems:
        print(f"error: {problem}", file=sys.stderr)
    if result.problems:
        print(f"snapshot {args.dir}: {len(result.problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"snapshot {args.dir}: {result.records} records, data version {result.data_timestamp}")
    return 0


def add_corpus_commands(sub: Any) -> None:
    s = command(
        sub,
        "corpus",
        "the shared trial corpus (live API)",
        "Operator commands about the one population corpus every profile is judged against.",
        "  trialmatch corpus probe\n  trialmatch corpus probe --any-status\n",
    )
    corpus = s.add_subparsers(dest="corpus_command", required=True, metavar="COMMAND")
    p = corpus.add_parser("probe", help="count each branch of the corpus query (live API)")
    p.add_argument("--any-status", action="store_true", help="count every status")
    p.set_defaults(func=cmd_probe)

    s = command(
        sub,
        "snapshot",
        "build or verify a snapshot folder (air-gapped sites)",
        "On a connected machine, `snapshot build DIR` writes the corpus and a PROVENANCE.json "
        "(query, dataTimestamp, counts, sha256 per file); carry DIR in and check it with "
        "`snapshot verify DIR`, then set TRIALMATCH_CTGOV_SNAPSHOT=DIR.",
        "  trialmatch snapshot build /media/usb/trialmatch-2026-11-28\n"
        "  trialmatch snapshot verify /srv/snapshot\n",
    )
    snap = s.add_subparsers(dest="snapshot_command", required=True, metavar="COMMAND")
    b = snap.add_parser("build", help="write the corpus from the live API into DIR")
    b.add_argument("dir", help="an empty or new folder to write the snapshot into")
    b.add_argument("--any-status", action="store_true", help="every status, not only open ones")
    b.set_defaults(func=cmd_snapshot_build)
    v = snap.add_parser("verify", help="check DIR against its PROVENANCE.json")
    v.add_argument("dir", help="a snapshot folder written by `snapshot build`")
    v.set_defaults(func=cmd_snapshot_verify)
