"""Merge two blind readers' labels per packet into the committed label files, with agreement.

    .venv/bin/python tests/criteria/merge_labels.py

Reads tests/criteria/items.json and tests/criteria/readers/labels-{A,B}-r{1,2}.json (each reader
labelled one packet; packet A's items were read by two readers, and so were packet B's), writes
tests/criteria/{dev,heldout}/labels.json: every item with both readers' labels, and `label` set
only where the two agree (the scored items). Prints raw agreement and Cohen's kappa per part.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = ("met", "not_met", "unknown", "not_applicable")


def kappa(pairs: list[tuple[str, str]]) -> float:
    n = len(pairs)
    if not n:
        return float("nan")
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[k] * second[k] for k in LABELS) / (n * n)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def main() -> None:
    items = json.loads((HERE / "items.json").read_text())
    readers: dict[str, dict[str, dict[str, str]]] = {}
    for path in sorted((HERE / "readers").glob("labels-*-r*.json")):
        readers[path.stem] = json.loads(path.read_text())
    parts: dict[str, list[dict]] = {"dev": [], "heldout": []}
    for item in items:
        found = [r[item["id"]] for r in readers.values() if item["id"] in r]
        for answer in found:
            if answer["label"] not in LABELS:
                raise SystemExit(f"{item['id']}: label {answer['label']!r} not in {LABELS}")
        first = found[0]["label"] if found else None
        second = found[1]["label"] if len(found) > 1 else None
        parts[item["part"]].append(
            {
                **item,
                "reader1": first,
                "reader2": second,
                "why1": found[0]["why"] if found else None,
                "why2": found[1]["why"] if len(found) > 1 else None,
                "label": first if first is not None and first == second else None,
            }
        )
    for part, rows in parts.items():
        both = [(r["reader1"], r["reader2"]) for r in rows if r["reader1"] and r["reader2"]]
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
        agree = len(agreed) / len(both) if both else float("nan")
        print(
            f"{part}: {len(rows)} items, {len(both)} read twice, agreement {agree:.1%}, "
            f"kappa {kappa(both):.2f}; scored (agreed) {len(agreed)}: "
            f"{dict(Counter(r['label'] for r in agreed))}"
        )


if __name__ == "__main__":
    main()
