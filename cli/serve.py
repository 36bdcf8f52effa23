"""`trialmatch serve`: run the HTTP API with uvicorn (wired in cli/main.py)."""

from __future__ import annotations

import argparse
from typing import Any

from cli.runs import EXIT_OK
from matcher.settings import get_settings


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()  # ConfigError here, before binding a port (exit 2 via main)
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=settings.log_level.lower(),
        # Trust X-Forwarded-* only from the reverse proxy that terminates TLS.
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
        server_header=False,
    )
    return EXIT_OK


def add_serve_command(subparsers: Any) -> None:
    s = subparsers.add_parser(
        "serve",
        help="run the HTTP API (uvicorn)",
        description="Serve the HTTP API and the coordinator web page (OpenAPI at /docs).",
        epilog="examples:\n  trialmatch serve --port 8011\n"
        "  trialmatch serve --host 0.0.0.0 --port 8000 --workers 2  # behind a TLS proxy\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    s.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    s.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    s.add_argument(
        "--forwarded-allow-ips", default="127.0.0.1",
        help="proxies trusted for X-Forwarded-Proto/For (default 127.0.0.1)",
    )  # fmt: skip
    s.set_defaults(func=cmd_serve)
