"""`trialmatch keys create|revoke|list`: manage boards' API keys (wired in cli/main.py).

Each command returns an exit code like the rest of the CLI: 0 ok, 1 operational failure (raised
as TrialmatchError and reported by `cli.main.main`), 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cli.runs import EXIT_INPUT, EXIT_OK
from matcher.adapters.store import Store
from matcher.services import boards
from matcher.settings import get_settings


def _store() -> Store:
    settings = get_settings()
    return Store.from_settings(settings)


def cmd_keys_create(args: argparse.Namespace) -> int:
    try:
        issued = boards.create_key(_store(), args.board, label=args.label or "")
    except ValueError as exc:
        print(f"error: --board: {exc}", file=sys.stderr)
        return EXIT_INPUT
    print(f"created key {issued.key_id} for board {issued.board_id}", file=sys.stderr)
    print("store it now: it is shown only this once", file=sys.stderr)
    print(issued.token)  # alone on stdout, so scripts can capture it
    return EXIT_OK


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    boards.revoke_key(_store(), args.key_id)  # NotFound -> exit 1 via cli.main.main
    print(f"revoked key {args.key_id}")
    return EXIT_OK


def cmd_keys_list(args: argparse.Namespace) -> int:
    keys = boards.list_keys(_store(), args.board)
    if args.json:
        rows: list[dict[str, Any]] = [k.__dict__ for k in keys]
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    for k in keys:
        print(f"{k.key_id}  {k.board_id:<24} {k.created_at}  {k.label}".rstrip())
    if not keys:
        print("no API keys", file=sys.stderr)
    return EXIT_OK


def add_key_commands(subparsers: Any) -> None:
    """Add `keys create|revoke|list` to the CLI's subparsers."""
    keys = subparsers.add_parser(
        "keys",
        help="manage the boards' API keys",
        description="Issue, list and revoke the API keys boards use (stored as sha256 only).",
        epilog="examples:\n  KEY=$(trialmatch keys create --board childrens-east)\n"
        "  trialmatch keys list --board childrens-east\n  trialmatch keys revoke KEY_ID\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = keys.add_subparsers(dest="keys_command", required=True)

    s = sub.add_parser("create", help="issue a key for a board (printed once)")
    s.add_argument("--board", required=True, help="board name: letters, digits, . _ -")
    s.add_argument("--label", help="a note, e.g. who holds the key")
    s.set_defaults(func=cmd_keys_create)

    s = sub.add_parser("revoke", help="revoke a key at once")
    s.add_argument("key_id", help="the key's id, as `keys list` shows it")
    s.set_defaults(func=cmd_keys_revoke)

    s = sub.add_parser("list", help="list keys (ids, boards, dates; never the secrets)")
    s.add_argument("--board", help="only this board's keys")
    s.add_argument("--json", action="store_true", help="print the list as JSON")
    s.set_defaults(func=cmd_keys_list)
