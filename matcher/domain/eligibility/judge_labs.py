"""Organ-function labs judged: the requirements lab_reading.prep_labs read from the text against
the patient's values (ANC, platelets, hemoglobin, creatinine/clearance, bilirubin, ALT/AST, ...).

A threshold in another unit than the profile's (bilirubin in mg/dL, ALT in U/L) settles a verdict
only when it holds or fails whatever the laboratory's ULN; otherwise it is unknown, never
guessed. Age-adjusted creatinine tables are read row by row against the patient's age and sex.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from matcher.domain.eligibility.base import (
    MET,
    NOT_APPLICABLE,
    NOT_MET,
    UNKNOWN,
    Criterion,
    Facts,
    Judgement,
)
from matcher.domain.eligibility.lab_reading import ANALYTES, PROFILE_UNIT, analyte
from matcher.domain.eligibility.numbers import holds

_WITHIN = re.compile(r"\bwithin (\d+) days")

# A total-bilirubin limit in mg/dL against the profile's multiple of the ULN: laboratories' ULN
# for total bilirubin lies between these bounds (mg/dL), so a value settles the limit only when it
# holds, or fails, whichever ULN the patient's laboratory uses.
_BILIRUBIN_ULN_MG_DL = (1.0, 1.5)


def _bilirubin_mg(x_uln: float, op: str, limit: float) -> bool | None:
    low, high = (holds(x_uln * uln, op, limit) for uln in _BILIRUBIN_ULN_MG_DL)
    return low if low == high else None


# "a serum creatinine based on age/gender as follows": the protocol's table (data file)
_BY_AGE_SEX = re.compile(r"\bbased on (?:age|gender|sex)\b|\bage (?:and |or )?(?:gender|sex)\b")


@cache
def _creatinine_rows() -> tuple[tuple[float, float, float, float], ...]:
    raw = resources.files("matcher.domain.eligibility").joinpath("data/creatinine_by_age.json")
    rows = json.loads(raw.read_text())["rows"]
    return tuple(
        (r["from_years"], r["to_years"] if r["to_years"] is not None else 999.0,
         r["male"], r["female"])
        for r in rows
    )  # fmt: skip


@cache
def _floor() -> tuple[float, float]:
    raw = resources.files("matcher.domain.eligibility").joinpath("data/creatinine_by_age.json")
    floor = json.loads(raw.read_text())["adult_uln_floor"]
    return float(floor["from_years"]), float(floor["mg_dL"])


def _adult_uln_floor(age_months: float) -> float | None:
    """The lowest adult creatinine ULN (mg/dL) for a patient old enough to have one, else None."""
    from_years, mg_dl = _floor()
    return mg_dl if age_months >= from_years * 12 else None


def creatinine_limit(age_months: float, sex: str) -> float | None:
    """The tabulated maximum serum creatinine (mg/dL) for an age and sex, None without a row."""
    years = age_months / 12
    for lo, hi, male, female in _creatinine_rows():
        if lo <= years < hi:
            return male if sex == "male" else female
    return None


# an estimate settles a clearance limit only at twice the limit or more: estimating equations can
# differ from a measured clearance by a third or more in children and adults
_MARGIN = 2.0


def estimated_clearance(facts: Facts) -> tuple[float, str] | None:
    """(mL/min, method) from the serum creatinine: the bedside Schwartz equation under 18 years
    (needs height), Cockcroft-Gault from 18 (needs weight and sex); None when a value is missing."""
    creatinine = facts.labs.get("creatinine")
    if creatinine is None or creatinine <= 0:
        return None
    if facts.age_months < 18 * 12:
        if facts.height_cm is None:
            return None
        return 0.413 * facts.height_cm / creatinine, "estimated GFR (bedside Schwartz)"
    if facts.weight_kg is None or facts.sex not in ("female", "male"):
        return None
    years = facts.age_months / 12
    value = (140 - years) * facts.weight_kg / (72 * creatinine)
    return value * (0.85 if facts.sex == "female" else 1.0), "estimated clearance (Cockcroft-Gault)"


def judge_labs(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    """The limits read, judged; a limit given in brackets for some patients ("ANC >= 750/uL
    (>= 1,000/uL if concurrent chemotherapy planned)") leaves the verdict open when the patient
    holds one limit and not the other (whether it applies is not in the profile)."""
    j = _judge_limits(spec, crit, facts)
    conditional = spec[5]
    if not conditional or j.verdict not in (MET, NOT_MET):
        return j
    for key, op, limit in conditional:
        # the verdict under the other limit: the same, or open
        swapped = tuple((k, op, limit) if k == key else (k, o, v) for k, o, v in spec[0])
        other = _judge_limits((swapped, *spec[1:]), crit, facts)
        if other.verdict != j.verdict:
            name = ANALYTES[key][1]
            return Judgement(
                UNKNOWN,
                f"{j.reason}; under the limit for some patients ({name} {op} {limit:g}): "
                f"{other.reason}",
                f"which {name} limit applies: {crit.text[:100]}",
                rule="conditional_limit",
            )
    return j


def _judge_limits(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    reqs, table, alternatives, age_adjusted, unread, _conditional = spec
    excluded = crit.section == "exclusion"
    if table is not None:
        return _judge_table_row(table, facts)
    by_table = age_adjusted and not excluded and bool(_BY_AGE_SEX.search(crit.norm))
    if by_table:
        # the criterion points to an age/sex table it does not carry in this line
        unread = tuple(u for u in unread if u != "creatinine")
        if all(key != "creatinine" for key, _op, _limit in reqs):
            reqs = (*reqs, ("creatinine", "<=", None))
    if not reqs:
        return Judgement(UNKNOWN, "lab threshold not read", f"lab values: {crit.text[:100]}")
    outcomes: list[bool | None] = []
    missing: list[str] = []
    failed: list[str] = []
    passed: list[str] = []
    for key, op, limit in reqs:
        name = ANALYTES[analyte(key)][1]
        if key == "creatinine_uln" and limit is not None:
            have = facts.labs.get("creatinine")
            floor = _adult_uln_floor(facts.age_months)
            if have is not None and floor is not None and holds(have, op, limit * floor):
                outcomes.append(True)
                passed.append(f"creatinine {have:g} mg/dL within {limit:g} x any adult ULN")
            else:
                outcomes.append(None)
                missing.append(f"creatinine {op} {limit:g} x ULN")
            continue
        if key == "bilirubin_mg" and limit is not None:
            x_uln = facts.labs.get("bilirubin")
            settled = None if x_uln is None else _bilirubin_mg(x_uln, op, limit)
            outcomes.append(settled)
            if settled is None:
                missing.append(f"bilirubin {op} {limit:g} mg/dL")
            else:
                (passed if settled else failed).append(
                    f"bilirubin {x_uln:g} x ULN vs {op} {limit:g} mg/dL (any ULN 1.0-1.5 mg/dL)"
                )
            continue
        if key == "creatinine" and age_adjusted:
            # the written value is one row of an age table; the tabulated row for this
            # patient settles "met" only (a higher value may pass on clearance instead)
            limit = None
            table_limit = creatinine_limit(facts.age_months, facts.sex) if by_table else None
            have = facts.labs.get(key)
            if table_limit is not None and have is not None and have <= table_limit:
                outcomes.append(True)
                passed.append(f"creatinine {have:g} <= {table_limit:g} mg/dL for age and sex")
                continue
        if key == "clearance" and facts.labs.get(key) is None and limit is not None:
            estimate = estimated_clearance(facts)
            if estimate is not None and op in (">=", ">") and estimate[0] >= _MARGIN * limit:
                # "CrCl >= 30 mL/min (Cockcroft-Gault)" with creatinine 0.4 mg/dL: far above the
                # limit by the usual estimate; close to it, the method decides (left unknown)
                outcomes.append(True)
                passed.append(f"{estimate[1]} {estimate[0]:.0f} mL/min, well above {limit:g}")
                continue
        wanted = (
            f"{name} {op} {limit:g} {PROFILE_UNIT[key]}"
            if limit is not None
            else f"{name} as written"
        )
        have = facts.labs.get(key)
        if op == "=":  # "ALT = 45 U/L" states a value (a definition, a reference), never a limit
            limit = None
            wanted = f"{name} as written"
        if limit is None or have is None:
            outcomes.append(None)
            window = _WITHIN.search(crit.norm)
            when = f" within {window.group(1)} days" if window else ""
            missing.append(
                wanted + when + (" (no labs given)" if have is None and limit is not None else "")
            )
            continue
        ok = holds(have, op, limit)
        outcomes.append(ok)
        (passed if ok else failed).append(f"{name} {have:g} vs {op} {limit:g}")
    if excluded:  # the comparison describes who is excluded
        outcomes = [None if o is None else not o for o in outcomes]
    if any(o is False for o in outcomes):
        # a urine protein ratio is one of several urine measures (dipstick, 24-hour protein)
        # that protocols offer as alternatives: failing it alone settles nothing
        upcr_only = alternatives and all(
            o is not False or req[0] == "upcr" for o, req in zip(outcomes, reqs, strict=True)
        )
        if upcr_only or (alternatives and any(o is not False for o in outcomes)):
            return Judgement(
                UNKNOWN,
                f"{'; '.join(failed or passed)}; an alternative may apply",
                "; ".join(missing) or f"lab alternatives: {crit.text[:90]}",
            )
        return Judgement(NOT_MET, "; ".join(failed or passed))
    if outcomes and all(o is True for o in outcomes):
        if unread and not excluded:
            # an analyte named without a limit we could read: the criterion is not established
            what = ", ".join(unread)
            return Judgement(
                UNKNOWN,
                f"{'; '.join(passed)}; limit for {what} not read",
                f"{what} as required: {crit.text[:90]}",
                rule="completeness",
            )
        return Judgement(MET, "; ".join(passed or failed))
    if (
        alternatives
        and any(o is True for o in outcomes)
        and re.search(r"creatinine|clearance|gfr", crit.norm)
    ):
        return Judgement(MET, "; ".join(passed) + " (one of the alternatives)")
    return Judgement(
        UNKNOWN, "; ".join(passed + missing) or "lab values not given", "; ".join(missing) or None
    )


def _judge_table_row(table: tuple[float, float, float, float], facts: Facts) -> Judgement:
    lo, hi, male, female = table
    years = facts.age_months / 12
    if not lo <= years < hi:
        return Judgement(
            NOT_APPLICABLE,
            f"row for ages {lo:g}-{hi:g} does not apply at age {years:.1f}",
            rule="other_age",
        )
    limit = male if facts.sex == "male" else female
    have = facts.labs.get("creatinine")
    if have is None:
        return Judgement(
            UNKNOWN,
            "creatinine not given",
            f"creatinine ≤ {limit:g} mg/dL (age-adjusted; no labs given)",
        )
    if have <= limit:
        return Judgement(MET, f"creatinine {have:g} ≤ {limit:g} mg/dL for age")
    return Judgement(
        UNKNOWN,
        f"creatinine {have:g} > {limit:g} mg/dL; clearance/GFR may be used instead",
        "creatinine clearance or GFR",
    )
