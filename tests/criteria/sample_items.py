"""Draw the criterion-level items for blind labelling (run once; the output is committed).

    .venv/bin/python tests/criteria/sample_items.py OUT_DIR

Trials with criteria text (the bundled snapshot and tests/devset/trials) are split once, by a
seeded shuffle, into a dev part and a held-out part; no trial is in both. For each trial, three
constructed profiles (tests/devset/profiles, tests/heldout/profiles, examples/) are drawn, and for
each (profile, trial) up to three of the trial's criteria, as the splitter cuts them. Only the
split is used here — no judge runs — so the labelling packets carry no engine output.
Writes OUT_DIR/items.json (the manifest) and one Markdown packet per reader half.

    .venv/bin/python tests/criteria/sample_items.py OUT_DIR --round 2

Round 3 (`--round 3`) adds dev items only: three profiles of all the above per dev trial, up to
four criteria per pair not drawn before; packets E and F.

Round 4 (`--round 4`) draws two of six new constructed profiles (tests/criteria/profiles-4/,
written with the extended pediatric fields: height, organ panel, serology, other malignancy,
tablets, steroids, radiation field) per trial of both parts and up to three criteria per pair
not drawn before, filled up (four per dev pair, three per held-out pair) with criteria drawn
before for other profiles; packets G, H (dev) and I, J (held-out), ids D4…/H4….

Round 5 (`--round 5`) draws from three real records no earlier round used and the engine was
never tuned on (tests/criteria/trials/, see its README): all held out, three of the twelve
richer constructed profiles per trial and up to six criteria per pair; packet L, ids H5….

Round 6 (`--round 6`) draws from eight more such records (tests/criteria/trials-6/), split by a
seeded shuffle into four dev and four held-out trials, three of the twelve richer profiles per
trial and up to five criteria per pair; packets M (dev) and N (held out), ids D6…/H6….

Round 7 (`--round 7`) returns to the sarcoma and pediatric trials of round 1's split (with split 2's
moves: split-2.json): criteria no earlier round drew, for one of four new constructed profiles
(tests/criteria/profiles-7/) and one of the twelve richer ones per pair; two pairs of two criteria
per dev trial (packets O and P) and three pairs of three per held-out trial (packet Q), ids
D7…/H7…. Drawn after engine 2026.11.9, which is measured on it before any rule changes.

Round 8 (`--round 8`, `round8`) is a fresh check of engine 2026.11.10 on the five
sarcoma/pediatric trials still held out after split 3: five profile/trial pairs no round made per
trial, four criteria each (never-drawn first); packets R and S, ids H8….

Round 2 (same trial split) draws two of the round-2 constructed profiles
(tests/criteria/profiles/) per trial and up to three criteria per (profile, trial) that round 1
did not draw; ids carry the round ("D2001"), packets are C and D.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from matcher.adapters.ctgov.parse import parse_study  # noqa: E402
from matcher.domain.eligibility.splitter import Item, split_items  # noqa: E402

AS_OF = date(2026, 11, 26)
SEED = 20261128
TRIAL_DIRS = [ROOT / "snapshot" / "sarcoma" / "records", ROOT / "tests" / "devset" / "trials"]
ROUND2_PROFILES = ROOT / "tests" / "criteria" / "profiles"
ROUND4_PROFILES = ROOT / "tests" / "criteria" / "profiles-4"
# round 5: real records of other trials (mostly not sarcoma) the engine was never tuned on
ROUND5_TRIALS = ROOT / "tests" / "criteria" / "trials"
# round 6: eight more real records no round, rule or reading test used (trials-6/README.md)
ROUND6_TRIALS = ROOT / "tests" / "criteria" / "trials-6"
# round 7: four more constructed profiles (new diagnoses, numbered lines, in-field recurrence)
ROUND7_PROFILES = ROOT / "tests" / "criteria" / "profiles-7"
MOVED = frozenset(json.loads((HERE / "split-2.json").read_text())["moved_to_dev"])
PROFILE_DIRS = [
    ROOT / "tests" / "devset" / "profiles",
    ROOT / "tests" / "heldout" / "profiles",
    ROOT / "examples",
]
HELDOUT_SHARE = 0.4
PROFILES_PER_TRIAL = 3
CRITERIA_PER_PAIR = 3


def months_between(start: date, end: date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (1 if end.day < start.day else 0)


def profile_facts(profile: dict) -> str:
    """Arithmetic a reader would do anyway (age and days since each therapy at the as-of date)."""
    assessed = date.fromisoformat(profile["assessed_on"])
    base = profile.get("age_months")
    if base is None:
        base = round(float(profile["age_years"]) * 12)
    age = base + months_between(assessed, AS_OF)
    lines = [f"- age on {AS_OF}: {age // 12} years {age % 12} months ({age} months)"]
    for therapy in profile.get("prior_therapies", []):
        if therapy.get("ended_on"):
            days = (AS_OF - date.fromisoformat(therapy["ended_on"])).days
            what = therapy.get("agent") or therapy.get("category")
            lines.append(f"- {what}: ended {days} days before {AS_OF}")
    return "\n".join(lines)


def _text(it: Item) -> str:
    return it.text if not it.notes else f"{it.text} [{' | '.join(it.notes)}]"


def _item(item_id: str, part: str, profile: str, nct: str, it: Item) -> dict:
    """One labelling item of the manifest (items*.json)."""
    return {
        "id": item_id,
        "part": part,
        "profile": profile,
        "nct_id": nct,
        "section": it.section,
        "text": _text(it),
        "context": it.context,
    }


def _age(bound: object) -> str:
    return "none" if bound is None else str(getattr(bound, "text", bound))


def main(out: Path, round_no: int = 1) -> None:
    rng = random.Random(SEED if round_no == 1 else SEED + round_no)
    trials = {}
    folders = {5: [ROUND5_TRIALS], 6: [ROUND6_TRIALS]}.get(round_no, TRIAL_DIRS)
    for folder in folders:
        for path in sorted(folder.glob("NCT*.json")):
            trial = parse_study(json.loads(path.read_text()))
            if trial.eligibility_criteria and len(trial.eligibility_criteria) > 150:
                trials[trial.nct_id] = trial
    profiles = {}
    folders = {
        1: PROFILE_DIRS,
        2: [ROUND2_PROFILES],
        4: [ROUND4_PROFILES],
        5: [ROUND2_PROFILES, ROUND4_PROFILES],
        6: [ROUND2_PROFILES, ROUND4_PROFILES],
        7: [ROUND2_PROFILES, ROUND4_PROFILES, ROUND7_PROFILES],
    }.get(round_no, [*PROFILE_DIRS, ROUND2_PROFILES])
    for folder in folders:
        for path in sorted(folder.glob("*.json")):
            profiles[path.name] = json.loads(path.read_text())
    ids = sorted(trials)
    # the split is round 1's whatever the round (round 1 drew it from its own generator);
    # round 5's trials are new, all held out
    (rng if round_no in (1, 5, 6) else random.Random(SEED)).shuffle(ids)
    n_held = {5: len(ids), 6: len(ids) // 2}.get(round_no, round(len(ids) * HELDOUT_SHARE))
    part_of = {nct: ("heldout" if i < n_held else "dev") for i, nct in enumerate(ids)}
    if round_no == 7:  # split 2 moved half of the held-out trials to dev
        part_of = {nct: ("dev" if nct in MOVED else part) for nct, part in part_of.items()}
    drawn: set[tuple[str, str]] = set()
    if 1 < round_no < 6 or round_no == 7:  # round 6 trials are new: none was drawn before
        drawn = {
            (i["nct_id"], i["text"])
            for path in [
                HERE / "items.json",
                *(HERE / f"items-{k}.json" for k in range(2, round_no) if k not in (5, 6)),
            ]
            for i in json.loads(path.read_text())
        }
    items = []
    for nct in sorted(trials):
        trial = trials[nct]
        cut = [
            it for it in split_items(trial.eligibility_criteria or "") if it.absorbed_into is None
        ]
        split = [it for it in cut if (nct, _text(it)) not in drawn]
        if round_no in (4, 7):
            # new profiles make an already-drawn criterion a new item; undrawn ones come first
            split += [it for it in cut if (nct, _text(it)) in drawn]
        if not split or (round_no == 3 and part_of[nct] != "dev"):
            continue  # round 3 adds dev items only: the held-out part stays as rounds 1-2 made it
        per_trial = {1: PROFILES_PER_TRIAL, 2: 2, 4: 2}.get(round_no, 3)
        per_pair = {3: 4, 5: 6, 6: 5}.get(round_no, CRITERIA_PER_PAIR)
        chosen_profiles = rng.sample(sorted(profiles), per_trial)
        if round_no == 7:  # one new profile per trial, the others from the twelve richer ones
            new = sorted(p for p in profiles if (ROUND7_PROFILES / p).is_file())
            older = sorted(p for p in profiles if p not in new)
            per_trial = 2 if part_of[nct] == "dev" else 3
            chosen_profiles = [rng.choice(new), *rng.sample(older, per_trial - 1)]
        for pname in chosen_profiles:
            if round_no in (5, 6):
                take = rng.sample(split, min(per_pair, len(split)))
            elif round_no in (4, 7):
                per_pair = (4 if part_of[nct] == "dev" else 3) if round_no == 4 else 2
                per_pair = 3 if round_no == 7 and part_of[nct] == "heldout" else per_pair
                fresh = [it for it in split if (nct, _text(it)) not in drawn]
                seen = [it for it in split if (nct, _text(it)) in drawn]
                take = rng.sample(fresh, min(per_pair, len(fresh)))
                take += rng.sample(seen, min(per_pair - len(take), len(seen)))
            else:
                take = rng.sample(split, min(per_pair, len(split)))
            for it in take:
                prefix = part_of[nct][0].upper() + ("" if round_no == 1 else str(round_no))
                width = 4 if round_no == 1 else 3
                item_id = f"{prefix}{len(items) + 1:0{width}d}"
                items.append(_item(item_id, part_of[nct], pname, nct, it))
    out.mkdir(parents=True, exist_ok=True)
    (out / ("items.json" if round_no == 1 else f"items-{round_no}.json")).write_text(
        json.dumps(items, indent=1, ensure_ascii=False)
    )
    # one packet per half of the items, grouped by trial so each reader reads a trial once
    by_trial: dict[str, list[dict]] = {}
    for item in items:
        by_trial.setdefault(item["nct_id"], []).append(item)
    order = sorted(by_trial)
    names = {1: ("A", "B"), 2: ("C", "D")}.get(round_no, ("E", "F"))
    halves = {names[0]: order[0::2], names[1]: order[1::2]}
    if round_no == 5:  # one packet: every item is held out
        halves = {"L": order}
    if round_no == 6:  # one packet per part
        halves = {
            "M": [n for n in order if part_of[n] == "dev"],
            "N": [n for n in order if part_of[n] == "heldout"],
        }
    if round_no == 7:  # dev in two halves, held out apart
        dev = [n for n in order if part_of[n] == "dev"]
        halves = {"O": dev[0::2], "P": dev[1::2], "Q": [n for n in order if part_of[n] != "dev"]}
    if round_no == 4:  # four packets: each part in two halves, so dev and held-out read apart
        dev = [n for n in order if part_of[n] == "dev"]
        held = [n for n in order if part_of[n] == "heldout"]
        halves = {"G": dev[0::2], "H": dev[1::2], "I": held[0::2], "J": held[1::2]}
    write_packets(out, halves, trials, by_trial, profiles)
    print(
        len(items),
        "items;",
        sum(i["part"] == "heldout" for i in items),
        "held out;",
        {h: sum(i["nct_id"] in n for i in items) for h, n in halves.items()},
    )


def write_packets(
    out: Path,
    halves: dict[str, list[str]],
    trials: dict[str, Any],
    by_trial: dict[str, list[dict]],
    profiles: dict[str, dict],
) -> None:
    """One Markdown packet per name in `halves`: each trial's text once, then its profiles and
    items (the readers see no engine output)."""
    for half, ncts in halves.items():
        chunks = []
        for nct in ncts:
            trial = trials[nct]
            chunks.append(
                f"\n\n======== TRIAL {nct} ========\nTitle: {trial.title}\n"
                f"Conditions: {', '.join(trial.conditions)}\n"
                f"Structured minimum age: {_age(trial.minimum_age)}; maximum age: "
                f"{_age(trial.maximum_age)}; sex: {trial.sex or 'ALL'}\n"
                f"--- Full eligibility criteria text (as in the record) ---\n"
                f"{trial.eligibility_criteria}\n--- end of criteria text ---\n"
            )
            for pname in dict.fromkeys(i["profile"] for i in by_trial[nct]):
                profile = profiles[pname]
                chunks.append(
                    f"\n---- PROFILE {pname} (constructed) ----\n"
                    f"{json.dumps(profile, indent=1)}\n"
                    f"Derived at {AS_OF}:\n{profile_facts(profile)}\n"
                )
                for item in by_trial[nct]:
                    if item["profile"] != pname:
                        continue
                    ctx = f"\n  (under: {item['context']})" if item["context"] else ""
                    chunks.append(
                        f"\nITEM {item['id']} [{item['section']} criterion of {nct}, "
                        f"profile {pname}]{ctx}\n  >> {item['text']}\n"
                    )
        (out / f"packet-{half}.md").write_text("".join(chunks))


def round8(out: Path) -> None:
    """Round 8: a fresh check of the final engine on the five sarcoma/pediatric trials still held
    out after split 3 — five of the sixteen richer profiles per trial that no round paired with
    it, four criteria per pair (never-drawn criteria first, then the least drawn)."""
    rng = random.Random(SEED + 8)
    moved = MOVED | frozenset(json.loads((HERE / "split-3.json").read_text())["moved_to_dev"])
    earlier = [
        i
        for path in sorted(HERE.glob("items*.json"))
        if path.name != "items-8.json"  # its own output: re-running reproduces it
        for i in json.loads(path.read_text())
    ]
    held = sorted({i["nct_id"] for i in earlier if i["part"] == "heldout"} - moved)
    trials = {}
    for folder in TRIAL_DIRS:
        for nct in held:
            if (folder / f"{nct}.json").is_file():
                trials[nct] = parse_study(json.loads((folder / f"{nct}.json").read_text()))
    profiles = {
        path.name: json.loads(path.read_text())
        for folder in (ROUND2_PROFILES, ROUND4_PROFILES, ROUND7_PROFILES)
        for path in sorted(folder.glob("*.json"))
    }
    paired = {(i["nct_id"], i["profile"]) for i in earlier}
    times: dict[tuple[str, str], int] = {}
    for i in earlier:
        times[(i["nct_id"], i["text"])] = times.get((i["nct_id"], i["text"]), 0) + 1
    items: list[dict] = []
    for nct in sorted(trials):
        cut = [
            it
            for it in split_items(trials[nct].eligibility_criteria or "")
            if it.absorbed_into is None
        ]
        fresh = [p for p in sorted(profiles) if (nct, p) not in paired]
        for pname in rng.sample(fresh, min(5, len(fresh))):
            ranked = sorted(cut, key=lambda it: (times.get((nct, _text(it)), 0), rng.random()))
            for it in ranked[:4]:
                times[(nct, _text(it))] = times.get((nct, _text(it)), 0) + 1
                items.append(_item(f"H8{len(items) + 1:03d}", "heldout", pname, nct, it))
    out.mkdir(parents=True, exist_ok=True)
    (out / "items-8.json").write_text(json.dumps(items, indent=1, ensure_ascii=False))
    by_trial: dict[str, list[dict]] = {}
    for item in items:
        by_trial.setdefault(item["nct_id"], []).append(item)
    order = sorted(by_trial)
    write_packets(out, {"R": order[0::2], "S": order[1::2]}, trials, by_trial, profiles)
    print(len(items), "items (all held out);", {n: len(by_trial[n]) for n in order})


if __name__ == "__main__":
    if sys.argv[2:4] == ["--round", "8"]:
        round8(Path(sys.argv[1]))
    else:
        main(Path(sys.argv[1]), int(sys.argv[3]) if sys.argv[2:3] == ["--round"] else 1)
