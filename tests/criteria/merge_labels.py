"""Merge two blind readers' labels per packet into the committed label files, with agreement.

    .venv/bin/python tests/criteria/merge_labels.py

Reads tests/criteria/items*.json (round 1: items.json; round N: items-N.json) and
tests/criteria/readers/labels-{A,B,C,D}-rN.json (each reader
labelled one packet, every packet by at least two readers), writes
tests/criteria/{dev,heldout}/labels.json: every item with each reader's label, and `label` set
only where at least two readers agree and no other label has as many votes (the scored items).
Items of the trials listed in split-2.json (half of the held-out trials, moved after engine
2026.11.7 was measured on them) and split-3.json (half of the sarcoma/pediatric rest, moved after
2026.11.10) are written to dev. Prints, per part and per pair of readers, raw
agreement and Cohen's kappa.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = ("met", "not_met", "unknown", "not_applicable")
# held-out trials moved to dev after the held-out part was measured: half of them after engine
# 2026.11.7 (split 2), half of the sarcoma/pediatric rest after 2026.11.10 (split 3)
MOVED = frozenset(
    nct
    for split in ("split-2.json", "split-3.json")
    for nct in json.loads((HERE / split).read_text())["moved_to_dev"]
)


def kappa(pairs: list[tuple[str, str]]) -> float:
    n = len(pairs)
    if not n:
        return float("nan")
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[k] * second[k] for k in LABELS) / (n * n)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def majority_label(found: dict[str, dict[str, str]], item_id: str) -> str | None:
    """The label at least two readers gave and no other label as often, else None; a label
    outside LABELS stops the merge."""
    for answer in found.values():
        if answer["label"] not in LABELS:
            raise SystemExit(f"{item_id}: label {answer['label']!r} not in {LABELS}")
    votes = Counter(a["label"] for a in found.values()).most_common()
    top_tied = len(votes) > 1 and votes[0][1] == votes[1][1]
    return votes[0][0] if votes and votes[0][1] >= 2 and not top_tied else None


def main() -> None:
    items = [i for path in sorted(HERE.glob("items*.json")) for i in json.loads(path.read_text())]
    readers: dict[str, dict[str, dict[str, str]]] = {}
    for path in sorted((HERE / "readers").glob("labels-*-r*.json")):
        readers[path.stem] = json.loads(path.read_text())
    parts: dict[str, list[dict]] = {"dev": [], "heldout": []}
    for item in items:
        found = {name: r[item["id"]] for name, r in readers.items() if item["id"] in r}
        label = majority_label(found, item["id"])
        part = "dev" if item["nct_id"] in MOVED else item["part"]
        parts[part].append({**item, "part": part, "readers": found, "label": label})
    for part, rows in parts.items():
        agreed = [r for r in rows if r["label"]]
        out = HERE / part / "labels.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(
            json.dumps(
                {"as_of": "2026-11-26", "any_status": True, "items": rows},
                indent=1,
                ensure_ascii=False,
            )
            + "\n"
        )
        print(
            f"{part}: {len(rows)} items; scored (readers agree) {len(agreed)}: "
            f"{dict(Counter(r['label'] for r in agreed))}"
        )
        names = sorted({n for r in rows for n in r["readers"]})
        for i, one in enumerate(names):
            for other in names[i + 1 :]:
                both = [
                    (r["readers"][one]["label"], r["readers"][other]["label"])
                    for r in rows
                    if one in r["readers"] and other in r["readers"]
                ]
                if both:
                    agree = sum(a == b for a, b in both) / len(both)
                    print(
                        f"  {one} vs {other}: {len(both)} items, agreement {agree:.1%}, "
                        f"kappa {kappa(both):.2f}"
                    )


if __name__ == "__main__":
    main()
