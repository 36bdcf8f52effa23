"""The constructed-trial criterion set: new rules and wording, labelled blind (run once; the
output is committed).

    .venv/bin/python tests/criteria/constructed/make_set.py records   # writers/ -> trials/
    .venv/bin/python tests/criteria/constructed/make_set.py items [2] # items(-2).json, packets/
    .venv/bin/python tests/criteria/constructed/make_set.py merge     # readers/ -> dev/, heldout/

Why: every real record the project holds is already in a labelled round, and rules learnt from
the dev trials moved the held-out trials far less than the dev ones: the held-out misses are
rules and wording no dev trial has. Here helpers who saw only GUIDE-WRITE.md and a one-paragraph
brief (a sponsor and a design, never a record, a rule or the engine) wrote the criteria of six
fictional trials (`writers/T*.json`, constructed text, labelled so in every file); `records`
turns each into a v2-shaped record with a reserved fictional NCT id (NCT9900000N) and
"[Constructed]" in its title. `items` splits the six trials by a seeded shuffle into three dev
and three held-out trials and draws, per trial, five of the sixteen richer constructed profiles
and six criteria per (profile, trial) as the splitter cuts them (each criterion drawn before
another is drawn twice); only the splitter runs, so the packets carry no engine output. Each
packet (one trial) is read by two helpers who see only ../GUIDE.md and the packet; `merge`
keeps an item's label where both agree and reports agreement.
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
CRITERIA = HERE.parent
ROOT = CRITERIA.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(CRITERIA))

from merge_labels import kappa, majority_label  # noqa: E402
from sample_items import (  # noqa: E402
    ROUND2_PROFILES,
    ROUND4_PROFILES,
    ROUND7_PROFILES,
    _item,
    _text,
    write_packets,
)

from matcher.adapters.ctgov.parse import parse_study  # noqa: E402
from matcher.domain.eligibility.splitter import split_items  # noqa: E402

SEED = 20261129
PROFILES_PER_TRIAL = 5
CRITERIA_PER_PAIR = 6


def nct_of(writer: Path) -> str:
    return f"NCT99{int(writer.stem[1:]):06d}"  # NCT99000001 ... NCT99000100 ...


def records() -> None:
    """writers/T<n>.json -> trials/NCT9900000<n>.json (v2 shape, marked constructed)."""
    (HERE / "trials").mkdir(exist_ok=True)
    for writer in sorted((HERE / "writers").glob("T*.json")):
        w = json.loads(writer.read_text())
        nct = nct_of(writer)
        eligibility = {"eligibilityCriteria": w["criteria"], "sex": w.get("sex") or "ALL"}
        for key, field in (("minimum_age", "minimumAge"), ("maximum_age", "maximumAge")):
            if w.get(key):
                eligibility[field] = w[key]
        record = {
            "_provenance": (
                f"CONSTRUCTED, not a real trial: criteria written by {w['author']} from a brief "
                "(tests/criteria/constructed/make_set.py); the NCT id is a reserved fictional one"
            ),
            "protocolSection": {
                "identificationModule": {
                    "nctId": nct,
                    "briefTitle": f"[Constructed] {w['title']}",
                },
                "statusModule": {"overallStatus": "RECRUITING"},
                "conditionsModule": {"conditions": w["conditions"]},
                "designModule": {"studyType": "INTERVENTIONAL", "phases": [w["phase"]]},
                "eligibilityModule": eligibility,
            },
        }
        (HERE / "trials" / f"{nct}.json").write_text(json.dumps(record, indent=1) + "\n")
        print(nct, writer.name, len(w["criteria"]), "characters")


ROUNDS = {n: range(6 * n - 5, 6 * n + 1) for n in range(1, 19)}  # T1-T6, T7-T12, ... T103-T108


def items(round_no: int = 1) -> None:
    """Round 1 (T1-T6) writes items.json; rounds 2 and 3 (T7-T12, T13-T18: later batches, each
    measured fresh before any rule changed for it) write items-<n>.json, ids continuing."""
    rng = random.Random(SEED if round_no == 1 else SEED + round_no)
    wanted = {f"NCT99{n:06d}" for n in ROUNDS[round_no]}
    trials = {
        p.stem: parse_study(json.loads(p.read_text()))
        for p in sorted((HERE / "trials").glob("NCT*.json"))
        if p.stem in wanted
    }
    earlier = ["items.json", *(f"items-{n}.json" for n in range(2, round_no))]
    first = sum(len(json.loads((HERE / name).read_text())) for name in earlier[: round_no - 1])
    order = sorted(trials)
    rng.shuffle(order)
    heldout = set(order[: len(order) // 2])
    profiles = {
        path.name: json.loads(path.read_text())
        for folder in (ROUND2_PROFILES, ROUND4_PROFILES, ROUND7_PROFILES)
        for path in sorted(folder.glob("*.json"))
    }
    out: list[dict] = []
    by_trial: dict[str, list[dict]] = {}
    for nct in sorted(trials):
        part = "heldout" if nct in heldout else "dev"
        cut = [
            it
            for it in split_items(trials[nct].eligibility_criteria or "")
            if it.absorbed_into is None
        ]
        drawn: Counter[str] = Counter()
        for pname in rng.sample(sorted(profiles), PROFILES_PER_TRIAL):
            ranked = sorted(cut, key=lambda it: (drawn[_text(it)], rng.random()))
            for it in ranked[:CRITERIA_PER_PAIR]:
                drawn[_text(it)] += 1
                prefix = "CH" if part == "heldout" else "CD"
                item = _item(f"{prefix}{first + len(out) + 1:03d}", part, pname, nct, it)
                out.append(item)
                by_trial.setdefault(nct, []).append(item)
    name = "items.json" if round_no == 1 else f"items-{round_no}.json"
    (HERE / name).write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    packets = HERE / "packets"
    packets.mkdir(exist_ok=True)
    write_packets(
        packets, {f"T{int(n[5:])}": [n] for n in sorted(trials)}, trials, by_trial, profiles
    )
    print(len(out), "items;", sorted(heldout), "held out")


def merge() -> None:
    """readers/labels-T<n>-r<k>.json -> dev/labels.json, heldout/labels.json (label = both
    readers' label where they agree), with agreement per packet."""
    rows: dict[str, list[dict]] = {"dev": [], "heldout": []}
    readers = {
        p.stem: json.loads(p.read_text()) for p in sorted((HERE / "readers").glob("labels-*.json"))
    }
    batches = [
        (1 if p.name == "items.json" else int(p.stem.split("-")[1]), i)
        for p in sorted(HERE.glob("items*.json"))
        for i in json.loads(p.read_text())
    ]
    for batch, item in batches:
        item = {**item, "round": batch}
        found = {name: r[item["id"]] for name, r in readers.items() if item["id"] in r}
        label = majority_label(found, item["id"])
        rows[item["part"]].append({**item, "readers": found, "label": label})
    for part, got in rows.items():
        (HERE / part).mkdir(exist_ok=True)
        (HERE / part / "labels.json").write_text(
            json.dumps(
                {"as_of": "2026-11-26", "any_status": True, "constructed": True, "items": got},
                indent=1,
                ensure_ascii=False,
            )
            + "\n"
        )
        agreed = [r for r in got if r["label"]]
        print(f"{part}: {len(got)} items, scored {len(agreed)}")
        for packet in sorted({n.split("-")[1] for r in got for n in r["readers"]}):
            pairs = [
                tuple(a["label"] for n, a in sorted(r["readers"].items()) if f"-{packet}-" in n)
                for r in got
            ]
            both = [(p[0], p[1]) for p in pairs if len(p) == 2]
            if both:
                agree = sum(a == b for a, b in both) / len(both)
                print(
                    f"  {packet}: {len(both)} items, agreement {agree:.1%}, kappa {kappa(both):.2f}"
                )


if __name__ == "__main__":
    if sys.argv[1] == "items":
        items(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    else:
        {"records": records, "merge": merge}[sys.argv[1]]()
