"""The match runs the CLI prints: the engine-only `trialmatch match` over a snapshot, the
filters `match` and `matches` share with the API, and the human-readable rendering of a run."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from matcher.domain.models import MatchRun

# the exit codes of every `trialmatch` command (cli/main.py documents them)
EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2


class BadArgument(Exception):
    """Bad command-line input found after parsing (exit 2); the message names the option."""


def read_input(path: str) -> bytes:
    """A file's bytes, or standard input for "-"."""
    if path == "-":
        return sys.stdin.buffer.read()
    return Path(path).read_bytes()


def cmd_match(args: argparse.Namespace) -> int:
    """The engine alone over a snapshot: no Redis, no Celery."""
    from matcher.domain.eligibility import EngineOptions, match_trials
    from matcher.domain.models.profile import parse_profile

    profile = parse_profile(read_input(args.profile))
    trials, data_version = load_trials(args.trials)
    statuses = [s.strip() for s in (args.statuses or "").split(",") if s.strip()]
    if statuses:
        from matcher.settings import check_statuses

        try:
            check_statuses(statuses)
        except ValueError as exc:
            raise BadArgument(f"--statuses: {exc}") from None
    options = EngineOptions(any_status=args.any_status, assessment_max_age_days=args.max_age_days)
    if statuses:
        options = replace(options, statuses=frozenset(statuses))
    as_of = args.as_of or date.today()
    if as_of < profile.assessed_on:
        # The engine ages the patient forward from assessed_on; judging earlier would mean
        # using facts that were not yet true.
        print(
            f"error: --as-of {as_of} is before assessed_on {profile.assessed_on} of the profile",
            file=sys.stderr,
        )
        return EXIT_INPUT
    run = match_trials(profile, trials, as_of=as_of, options=options, data_version=data_version)
    print_run(filtered(run, args), args)
    return EXIT_OK


def load_trials(path_text: str) -> tuple[list[Any], str | None]:
    """--trials: a folder of v2 JSON files, or one file (a study or a /studies page)."""
    from matcher.adapters.ctgov.parse import parse_study
    from matcher.adapters.ctgov.snapshot import SnapshotSource
    from matcher.errors import UpstreamSchemaError

    what = "give a folder of ClinicalTrials.gov v2 JSON files (e.g. snapshot/sarcoma) or one file"
    path = Path(path_text)
    if not path.exists():
        raise BadArgument(f"--trials: no such file or folder: {path_text} ({what})")
    try:
        if path.is_file():
            body = json.loads(path.read_text())
            studies = body["studies"] if isinstance(body, dict) and "studies" in body else [body]
            return [parse_study(s) for s in studies], None
        source = SnapshotSource(path)
        trials = source.all_trials()
    except json.JSONDecodeError as exc:
        raise BadArgument(f"--trials: {path_text} is not valid JSON ({exc}); {what}") from None
    except UpstreamSchemaError as exc:
        raise BadArgument(
            f"--trials: {path_text} is not v2 study records ({exc}); {what}"
        ) from None
    if not trials:
        raise BadArgument(f"--trials: no study records (*.json) in {path_text}; {what}")
    return trials, source.data_version()


def filtered(run: MatchRun, args: argparse.Namespace) -> MatchRun:
    """Apply --verdict/--phase/--max-distance-km (the API's filters); say what was kept and why."""
    from matcher.domain.filters import distance_note, filter_matches

    kept = filter_matches(
        run.results,
        verdicts=args.verdict,
        phases=args.phase,
        max_distance_km=args.max_distance_km,
    )
    note = distance_note(kept)
    if note:
        print(f"note: {note}", file=sys.stderr)
    return run.model_copy(update={"results": kept.results})


def print_run(run: MatchRun, args: argparse.Namespace) -> None:
    print(run.model_dump_json(indent=2) if args.json else render_run(run, limit=args.limit))


def render_run(run: MatchRun, *, limit: int = 0) -> str:
    """A ranked, human-readable list: verdict, score, status, and the reasons behind each."""
    lines = [
        f"profile {run.profile_id}: {len(run.results)} trials evaluated on {run.evaluated_on} "
        f"(engine {run.engine_version}, data {run.data_version or 'n/a'})"
    ]
    lines += [f"warning: {w}" for w in run.warnings]
    shown = run.results[:limit] if limit else run.results
    for rank, m in enumerate(shown, 1):
        site = ""
        if m.nearest_site is not None:
            site = f" | nearest site {m.nearest_site.distance_km:.0f} km ({m.nearest_site.city})"
        lines.append(
            f"\n{rank:>3}. {m.verdict.upper():<17} {m.score:6.2f}  {m.nct_id}  "
            f"[{status_label(m.overall_status, m.status_confirmed)}]{site}\n     {m.title[:110]}"
        )
        if m.rank is not None:  # absent in results stored by engines before 2026.11.5
            lines.append(f"     why this rank: {'; '.join(m.rank.why[1:])}")
        for reason in m.decisive[:3]:
            lines.append(f"     ✗ {reason}")
        for fact in m.to_verify[:4]:
            lines.append(f"     ? to verify: {fact}")
        if len(m.to_verify) > 4:
            lines.append(f"     ? ... and {len(m.to_verify) - 4} more to verify")
        not_applicable = sum(c.verdict == "not_applicable" for c in m.criteria)
        if not_applicable:
            lines.append(f"     – {not_applicable} criteria do not apply (other patients, notes)")
    if limit and len(run.results) > limit:
        hidden = run.results[limit:]
        counts = Counter(m.verdict for m in hidden)
        summary = ", ".join(f"{n} {v.replace('_', ' ')}" for v, n in sorted(counts.items()))
        lines.append(f"\n... {len(hidden)} more ({summary}; --limit 0 shows all). Excluded, e.g.:")
        for m in [m for m in hidden if m.verdict == "ineligible"][:4]:
            reason = m.decisive[0] if m.decisive else "see criteria"
            lines.append(f"     ✗ {m.nct_id} {m.title[:60]}: {reason[:110]}")
    return "\n".join(lines)


def status_label(status: str | None, confirmed: str | None) -> str:
    """The registry status as a board reads it; expanded access is named, with its freshness."""
    if status is None:
        return "status unknown"
    label = "expanded access (AVAILABLE)" if status == "AVAILABLE" else status
    return f"{label}, confirmed {confirmed}" if confirmed else label
