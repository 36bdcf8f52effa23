"""Write the paraphrase packets: every scored dev criterion whose text the trial's record holds.

    .venv/bin/python tests/criteria/paraphrase/make_packets.py

Why: the engine agrees with blind readers on 91 % of dev items but 78 % of held-out ones, and
fresh profiles on dev trials score like dev (round 7) — the gap is the trials' *wording*. A
criterion re-worded by someone who never saw the engine, with the same meaning, must get the same
verdict; where it does not, a rule is tied to one phrasing. The paraphrases are constructed text
(labelled so in every file); their expected verdict is the blind readers' label of the original.

Seeded split by trial: a third of the dev trials' paraphrases are held out (`heldout_trials` in
`split.json`) and never looked at while rules change, so a fix's reach is measured on wording
nothing was tuned on. Packets carry only the criterion, its section and heading and the trial's
title: no profile, no label, no engine output.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CRITERIA = HERE.parent
ROOT = CRITERIA.parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from bench_paraphrase import eligibility_text, raw_record  # noqa: E402

PACKETS = 6
SEED = 20261129


def findable(text: str, raw: str) -> bool:
    pattern = r"\s+".join(re.escape(word) for word in text.split())
    return re.search(pattern, raw) is not None


def main() -> None:
    labels = json.loads((CRITERIA / "dev" / "labels.json").read_text())["items"]
    criteria: dict[tuple[str, str, str], dict] = {}
    for item in labels:
        if not item.get("label"):
            continue
        key = (item["nct_id"], item["section"], item["text"])
        criteria.setdefault(key, {"context": item.get("context", "")})
    trials = sorted({nct for nct, _, _ in criteria})
    rng = random.Random(SEED)
    heldout = sorted(rng.sample(trials, len(trials) // 3))
    rows = []
    for n, ((nct, section, text), extra) in enumerate(sorted(criteria.items())):
        record = raw_record(nct)
        if not findable(text, eligibility_text(record)):
            continue
        title = record["protocolSection"]["identificationModule"].get("briefTitle", "")
        rows.append(
            {
                "cid": f"C{n:04d}",
                "nct_id": nct,
                "trial_title": title,
                "section": section,
                "heading": extra["context"],
                "text": text,
            }
        )
    rng.shuffle(rows)
    for k in range(PACKETS):
        packet = sorted(rows[k::PACKETS], key=lambda r: r["cid"])
        (HERE / "packets").mkdir(exist_ok=True)
        (HERE / "packets" / f"P{k + 1}.json").write_text(
            json.dumps(
                {"source": "criteria text of real ClinicalTrials.gov records", "criteria": packet},
                indent=1,
                ensure_ascii=False,
            )
            + "\n"
        )
    split = {"seed": SEED, "heldout_trials": heldout, "criteria": len(rows)}
    (HERE / "split.json").write_text(json.dumps(split, indent=1) + "\n")
    print(
        f"{len(rows)} criteria in {PACKETS} packets; "
        f"{len(heldout)} of {len(trials)} trials held out"
    )


if __name__ == "__main__":
    main()
