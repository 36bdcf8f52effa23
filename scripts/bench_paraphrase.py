"""Does the engine read a criterion the same way when another author words it?

    .venv/bin/python scripts/bench_paraphrase.py [--part dev|heldout|both] [--round 1-9]
        [--show-misses]

Reads the constructed re-wordings in tests/criteria/paraphrase/paraphrases/*.json (two per scored
dev criterion, written by helpers who saw only the criterion, its heading and the trial's title —
never a profile, a label or the engine), puts each into its real record in place of the original
criterion, runs the engine on every labelled (profile, trial) item of that criterion and compares
the verdict on the re-wording with the blind readers' label of the original.

Prints, per part (trials split by tests/criteria/paraphrase/split.json; the held-out third is
never used to change rules, so --show-misses refuses it): agreement with the readers, the same
figures as bench_criteria, and *stability* — how often the re-wording gets the verdict the
original gets. Exits non-zero only on errors, never on missed targets.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

from bench_criteria import VERDICTS, figures, find_verdict, load_profile  # noqa: E402

from matcher.adapters.ctgov.parse import parse_study  # noqa: E402
from matcher.domain.eligibility import EngineOptions, evaluate_trial  # noqa: E402
from matcher.domain.eligibility.engine import ENGINE_VERSION  # noqa: E402

PARAPHRASE = ROOT / "tests" / "criteria" / "paraphrase"
LABELS = ROOT / "tests" / "criteria" / "dev" / "labels.json"
TRIAL_DIRS = [
    ROOT / "snapshot" / "sarcoma" / "records",
    ROOT / "tests" / "devset" / "trials",
    ROOT / "tests" / "criteria" / "trials",
    ROOT / "tests" / "criteria" / "trials-6",
]


def raw_record(nct_id: str) -> dict:
    for folder in TRIAL_DIRS:
        path = folder / f"{nct_id}.json"
        if path.is_file():
            return json.loads(path.read_text())
    raise SystemExit(f"error: trial {nct_id} not found")


def eligibility_text(record: dict) -> str:
    """The record's criteria text as the engine reads it (backslash escapes removed)."""
    module = record.get("protocolSection", {}).get("eligibilityModule", {})
    return str(module.get("eligibilityCriteria") or "").replace("\\", "")


def reworded(record: dict, original: str, new: str) -> dict | None:
    """The record with `original` (whitespace-flexible) replaced by `new`, or None if absent."""
    out = copy.deepcopy(record)
    module = out["protocolSection"]["eligibilityModule"]
    text = eligibility_text(out)
    pattern = r"\s+".join(re.escape(word) for word in original.split())
    changed, n = re.subn(pattern, lambda _m: new.replace("\n", " "), text, count=1)
    if not n:
        return None
    module["eligibilityCriteria"] = changed
    return out


ROUNDS = {
    1: ("paraphrases", ("r1", "r2")),
    2: ("paraphrases-2", ("r3", "r4")),
    3: ("paraphrases-3", ("r5", "r6")),
    4: ("paraphrases-4", ("r7", "r8")),
    5: ("paraphrases-5", ("r9", "r10")),
    6: ("paraphrases-6", ("r11", "r12")),
    7: ("paraphrases-7", ("r13", "r14")),
    8: ("paraphrases-8", ("r15", "r16")),
    9: ("paraphrases-9", ("r17", "r18")),
}


def load_paraphrases(
    rounds: tuple[int, ...] = tuple(ROUNDS),
) -> dict[tuple[str, str, str], list[tuple[str, str]]]:
    """(nct_id, section, original text) -> [(variant id, re-wording)] for the given rounds
    (1: another author's register and a restructured sentence; 2: terse registry fragments and
    formal protocol prose; 3: a European sponsor's translated English and a US cooperative-group
    protocol; 4: logic spelled out and plain language for patients; 5: numbers and units
    written otherwise, criteria with a number only; 6: negation, exceptions and scope
    moved; 7: alternatives and time windows in other words; 8: an industry sponsor's template
    and noun phrases without a verb; 9: the NCI PDQ registry layout and legal drafting)."""
    packets = {p.stem: json.loads(p.read_text()) for p in (PARAPHRASE / "packets").glob("P*.json")}
    out: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for number in rounds:
        folder, variants = ROUNDS[number]
        for path in sorted((PARAPHRASE / folder).glob("P*.json")):
            done = {r["cid"]: r for r in json.loads(path.read_text())["paraphrases"]}
            for crit in packets[path.stem]["criteria"]:
                row = done.get(crit["cid"])
                if row is None:
                    continue
                key = (crit["nct_id"], crit["section"], crit["text"])
                out.setdefault(key, []).extend(
                    (f"{crit['cid']}.{v}", row[v]) for v in variants if row.get(v)
                )
    return out


def evaluate(part: str, show: bool, rounds: tuple[int, ...]) -> None:
    labels = json.loads(LABELS.read_text())
    as_of = date.fromisoformat(labels["as_of"])
    options = EngineOptions(any_status=bool(labels.get("any_status", True)))
    heldout = set(json.loads((PARAPHRASE / "split.json").read_text())["heldout_trials"])
    rewordings = load_paraphrases(rounds)
    items = [
        i
        for i in labels["items"]
        if i.get("label")
        and (i["nct_id"] in heldout) == (part == "heldout")
        and (i["nct_id"], i["section"], i["text"]) in rewordings
    ]
    records: dict[str, dict] = {}
    confusion: Counter[tuple[str, str]] = Counter()
    stable = total = original_right = 0
    for item in items:
        nct = item["nct_id"]
        record = records.setdefault(nct, raw_record(nct))
        profile = load_profile(item["profile"])
        original = evaluate_trial(profile, parse_study(record), as_of=as_of, options=options)
        before = find_verdict(original, item)
        for vid, text in rewordings[(nct, item["section"], item["text"])]:
            changed = reworded(record, item["text"], text)
            if changed is None:
                continue
            match = evaluate_trial(profile, parse_study(changed), as_of=as_of, options=options)
            got = find_verdict(match, {**item, "text": text}) or "unmapped"
            confusion[(item["label"], got)] += 1
            total += 1
            stable += got == before
            original_right += before == item["label"]
            if show and got != item["label"]:
                print(
                    f"  MISS {vid} {item['id']} {nct} {item['profile'][:20]:20} label "
                    f"{item['label']:14} engine {got:14} (original {before}) :: {text[:150]}"
                )
    right, wrong_not_met, over_met, decidable, left = figures(confusion)
    which = ", ".join(str(r) for r in rounds)
    print(
        f"\n{part} re-wordings (round {which}): {total} (item x re-wording) over {len(items)} "
        f"items, engine {ENGINE_VERSION}"
    )
    rows = [
        ("agrees with the readers' label of the original", right, total),
        ("(the original wording, same items)", original_right, total),
        ("same verdict as on the original wording", stable, total),
        ('wrong "not met"', wrong_not_met, None),
        ('overconfident "met"', over_met, total),
        ("decidable left unknown", left, decidable),
    ]
    for name, count, of in rows:
        share = f"{count}/{of}  {100 * count / max(of, 1):5.1f}%" if of is not None else f"{count}"
        print(f"  {name:49}{share}")
    print("  confusion (readers -> engine):")
    for want in VERDICTS:
        cells = "  ".join(
            f"{g}={confusion[(want, g)]}" for g in (*VERDICTS, "unmapped") if confusion[(want, g)]
        )
        print(f"    {want:15} {cells}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=("dev", "heldout", "both"), default="both")
    ap.add_argument("--show-misses", action="store_true", help="list disagreements (dev only)")
    ap.add_argument("--round", type=int, choices=sorted(ROUNDS), help="one round of re-wordings")
    args = ap.parse_args()
    rounds = (args.round,) if args.round else tuple(ROUNDS)
    if args.show_misses and args.part != "dev":
        print("--show-misses lists dev re-wordings only: the held-out third is never looked at")
        return 2
    for part in ("dev", "heldout") if args.part == "both" else (args.part,):
        evaluate(part, args.show_misses, rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
