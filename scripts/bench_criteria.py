"""Criterion-level accuracy of the eligibility engine against blind readers' labels.

    .venv/bin/python scripts/bench_criteria.py [--part dev|heldout|both] [--show-misses]

Reads tests/criteria/{dev,heldout}/labels.json (constructed profiles x real trials; each item one
criterion, labelled met / not_met / unknown / not_applicable by two readers who never saw the
engine; only the items both readers labelled alike are scored), runs the engine on each
(profile, trial) and finds the item's criterion among the results by its text. Prints, per part:
accuracy, wrong "not met" (engine not_met where readers say otherwise), overconfident "met"
(engine met where readers say not_met or unknown, as a share of all items), and the share of
decidable items (readers: met or not_applicable) that the engine leaves unknown.
Exits non-zero only on errors (missing files), never on missed targets.

    .venv/bin/python scripts/bench_criteria.py --set constructed [--part dev|heldout|both]

The same figures on tests/criteria/constructed: constructed profiles x 108 constructed trials
(eighteen batches of six, `--round 1-18`) whose criteria helpers wrote from a brief (new rules
and wording, labelled blind the same way); its held-out misses are never listed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matcher.adapters.ctgov.parse import parse_study  # noqa: E402
from matcher.domain.eligibility import EngineOptions, evaluate_trial  # noqa: E402
from matcher.domain.eligibility.engine import ENGINE_VERSION  # noqa: E402
from matcher.domain.models.match import TrialMatch  # noqa: E402
from matcher.domain.models.profile import ProfileIn  # noqa: E402
from matcher.domain.models.trial import Trial  # noqa: E402

CRITERIA = ROOT / "tests" / "criteria"
TRIAL_DIRS = [
    ROOT / "snapshot" / "sarcoma" / "records",
    ROOT / "tests" / "devset" / "trials",
    ROOT / "tests" / "criteria" / "trials",  # round 5 only (held out)
    ROOT / "tests" / "criteria" / "trials-6",  # round 6 only (half dev, half held out)
    ROOT / "tests" / "criteria" / "constructed" / "trials",  # --set constructed only
]
PROFILE_DIRS = [
    CRITERIA / "profiles",
    CRITERIA / "profiles-4",
    CRITERIA / "profiles-7",
    ROOT / "tests" / "devset" / "profiles",
    ROOT / "tests" / "heldout" / "profiles",
    ROOT / "examples",
]
VERDICTS = ("met", "not_met", "unknown", "not_applicable")
_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


def load_trial(nct_id: str) -> Trial:
    for folder in TRIAL_DIRS:
        path = folder / f"{nct_id}.json"
        if path.is_file():
            return parse_study(json.loads(path.read_text()))
    raise SystemExit(f"error: trial {nct_id} not found in {[str(d) for d in TRIAL_DIRS]}")


def load_profile(name: str) -> ProfileIn:
    for folder in PROFILE_DIRS:
        path = folder / name
        if path.is_file():
            return ProfileIn.model_validate_json(path.read_text())
    raise SystemExit(f"error: profile {name} not found in {[str(d) for d in PROFILE_DIRS]}")


def find_verdict(match: TrialMatch, item: dict) -> str | None:
    """The engine's verdict on the item's criterion: same section and text (whitespace and case
    folded); failing that, the criterion whose text contains the item's or is contained in it."""
    want = _norm(item["text"])
    candidates = [c for c in match.criteria if c.section == item["section"]] or match.criteria
    for c in candidates:
        if _norm(c.text) == want:
            return c.verdict
    head = want.split(" [", 1)[0]
    for c in candidates:
        got = _norm(c.text)
        if head and (head in got or got.split(" [", 1)[0] in head):
            return c.verdict
    return None


def figures(confusion: Counter[tuple[str, str]]) -> tuple[int, int, int, int, int]:
    """From (readers' label, engine verdict) counts: agreeing, wrong "not met", overconfident
    "met", decidable (readers: met or not_applicable) and decidable left unknown."""
    right = sum(v for (want, got), v in confusion.items() if want == got)
    wrong_not_met = sum(v for (want, got), v in confusion.items() if got == "not_met" != want)
    over_met = sum(
        v for (want, got), v in confusion.items() if got == "met" and want in ("not_met", "unknown")
    )
    decidable = sum(v for (want, _), v in confusion.items() if want in ("met", "not_applicable"))
    left_unknown = sum(
        v
        for (want, got), v in confusion.items()
        if want in ("met", "not_applicable") and got == "unknown"
    )
    return right, wrong_not_met, over_met, decidable, left_unknown


def round_of(item: dict) -> int:
    """Round 1 ids are D0001/H0001; later rounds carry their number (D2001); the constructed
    set's ids (CD001/CH001) carry their batch as "round"."""
    if not item["id"][1].isdigit():
        # the constructed set: its batch (1: T1-T6, 2: T7-T12, 3: T13-T18)
        return int(item.get("round", 1))
    return 1 if len(item["id"]) == 5 and item["id"][1] == "0" else int(item["id"][1])


def evaluate(
    part: str, show: bool, round_no: int | None = None, base: Path = CRITERIA
) -> dict[str, float]:
    labels = json.loads((base / part / "labels.json").read_text())
    as_of = date.fromisoformat(labels["as_of"])
    options = EngineOptions(any_status=bool(labels.get("any_status", True)))
    scored = [i for i in labels["items"] if i.get("label") and round_no in (None, round_of(i))]
    matches: dict[tuple[str, str], TrialMatch] = {}
    confusion: Counter[tuple[str, str]] = Counter()
    unmapped = 0
    for item in scored:
        key = (item["profile"], item["nct_id"])
        if key not in matches:
            matches[key] = evaluate_trial(
                load_profile(item["profile"]),
                load_trial(item["nct_id"]),
                as_of=as_of,
                options=options,
            )
        got = find_verdict(matches[key], item)
        if got is None:
            unmapped += 1
            got = "unmapped"
        confusion[(item["label"], got)] += 1
        if show and got != item["label"]:
            print(
                f"  MISS {item['id']} {item['nct_id']} {item['profile'][:22]:22} "
                f"label {item['label']:14} engine {got:14} :: {item['text'][:100]}"
            )
    n = len(scored)
    right, wrong_not_met, over_met, decidable, left_unknown = figures(confusion)
    total_read = len(labels["items"])
    n_pairs = len({(i["profile"], i["nct_id"]) for i in scored})
    which = "" if round_no is None else f" (round {round_no} items only)"
    if labels.get("constructed"):
        which += " [constructed trials]"
    print(
        f"\n{part}{which}: {n} scored items (of {total_read}; the rest lack reader agreement), "
        f"{n_pairs} pairs, engine {ENGINE_VERSION}"
    )
    rows = [
        ("criterion verdict agrees with the readers", f"{right}/{n}", right / n, ">= 90%"),
        ('wrong "not met"', f"{wrong_not_met}", wrong_not_met / n, "0"),
        ('overconfident "met" (share of all items)', f"{over_met}/{n}", over_met / n, "<= 3%"),
        (
            "decidable (met/n.a.) left unknown",
            f"{left_unknown}/{decidable}",
            left_unknown / decidable if decidable else 0.0,
            "<= 25%",
        ),
    ]
    for name, count, share, target in rows:
        print(f"  {name:44}{count:>10}{100 * share:8.1f}%   target {target}")
    if unmapped:
        print(f"  items whose criterion the engine's split did not yield: {unmapped}")
    print("  confusion (readers -> engine):")
    for want in VERDICTS:
        cells = "  ".join(
            f"{got}={confusion[(want, got)]}"
            for got in (*VERDICTS, "unmapped")
            if confusion[(want, got)]
        )
        print(f"    {want:15} {cells}")
    return {"n": n, "accuracy": right / n, "wrong_not_met": wrong_not_met}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=("dev", "heldout", "both"), default="both")
    ap.add_argument("--show-misses", action="store_true", help="list every disagreement")
    ap.add_argument(
        "--round",
        type=int,
        choices=range(1, 19),
        metavar="1-18",
        help="score only the items of one labelling round (real: 1-8; constructed: batch 1-18)",
    )
    ap.add_argument(
        "--set",
        choices=("real", "constructed"),
        default="real",
        help="real records (default) or the constructed trials (tests/criteria/constructed)",
    )
    args = ap.parse_args()
    parts = ("dev", "heldout") if args.part == "both" else (args.part,)
    base = CRITERIA / "constructed" if args.set == "constructed" else CRITERIA
    if args.show_misses and args.set == "constructed" and "heldout" in parts:
        print("the constructed set's held-out misses are not listed (--part dev)")
        return 2
    for part in parts:
        if not (base / part / "labels.json").is_file():
            print(f"no labels for {part} in {base}: run its merge step first")
            return 2
        evaluate(part, args.show_misses, args.round, base)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
