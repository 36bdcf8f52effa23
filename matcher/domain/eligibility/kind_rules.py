"""Which words name which criterion kind: the classifier's rule table (kind, pattern) in
priority order, and the substrings every match of a rule contains (a cheap gate before the
regex runs). Patterns run on text.norm() output (lower case, no hyphens), compiled once at import;
classifier.py decides how the kinds found combine.
"""

from __future__ import annotations

import re
from typing import Final

from matcher.domain.eligibility import cues, judge_lines, judge_site, judge_tumor
from matcher.domain.eligibility.judge_setting import FRONT_LINE_SETTING

_R = re.compile

# (kind, pattern) in priority order. Patterns run on text.norm() output (lower case, no hyphens).
RULES: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    (
        "viral",
        _R(
            r"\bhiv\b|\bhuman immunodeficiency|\bhepatitis [bc]\b|\bhbv\b|\bhcv\b|\bhbsag\b"
            r"|\bhbs (?:antigen|ag)\b"
        ),
    ),
    (
        "other_malignancy",
        _R(
            r"\b(?:other|another|second|secondary|prior|previous|concurrent|additional|different)"
            # ("a second cancer-predisposition gene" is a germline finding, not a cancer)
            r" (?:primary |invasive |active )?(?:malignanc|cancer(?! predispos)|neoplas)"
            r"|\bmalignanc\w* other than\b|\bhistory of (?:a |any )?malignan"
        ),
    ),
    # the ability to swallow oral medication, not any mention ("surgery to the swallowing
    # apparatus" is a history question the profile does not hold)
    (
        "swallow",
        _R(
            r"\b(?:able|ability|unable|inability|difficult\w*|problems?|trouble|cannot|can ?not"
            r"|impossib\w*|impair\w*)\b[^.;]{0,30}\bswallow|\bswallow\w*\s+(?:whole\s+)?"
            r"(?:and retain |or retain )?(?:oral |study )?(?:tablets?|capsules?|pills?|medication"
            r"|drugs?|formulation)"
        ),
    ),
    ("steroids", cues.cue("steroid_now")),  # current use only (judge_condition reads the rest)
    (
        "cardiac",
        _R(
            r"\bejection fraction|\bshortening fraction|\bfractional shortening|\blvef\b|\bqtc"
            r"|\bpulse oximetry|\boxygen saturation|\bspo2\b"
        ),
    ),
    (
        "pregnancy",
        _R(
            # "nursing" as breastfeeding, not the hospital's nursing staff ("evaluation of the
            # Social Work and Nursing departments")
            r"\bpregnan|\blactat|\bbreast ?feed|\bcontracepti|childbearing"
            r"|\bnursing\b(?! (?:department|staff|team|service|unit|care|home|assessment"
            r"|evaluation)s?\b)"
            r"|child bearing|\bpocbp\b"
        ),
    ),
    (
        "cns_metastases",
        _R(
            r"\b(?:cns|brain|central nervous system|leptom"
            r"eningeal|intracranial|parenchymal brain)\b[^"
            r".;]{0,40}\bmetasta|\bmetasta\w*[^.;]{0,25}\b(?:cns|brain|central nervous system)\b"
            r"|\bknown cns (?:disease|involvement)"
            r"|\bcarcinomatous meningitis|\bleptomeningeal (?:disease|carcinomatosis|involvement)"
            r"|\b(?:cns|central nervous system|brain) (?:involvement|disease|lesions?)\b"
        ),
    ),
    (
        "transplant",
        _R(
            r"\btransplant|\bstem cell (?:rescue|infusion|product|support|boost)|\bhsct\b"
            r"|\bsct\b"
        ),
    ),
    ("amputation", _R(r"\bamputat|\bdisarticulat")),
    ("prior_lines", judge_lines.CUE),
    ("metastatic_disease", judge_tumor.METASTATIC),
    ("disease_site", judge_site.SITE),
    (
        "washout",
        _R(
            # ("< 21 days": no word boundary before the sign, which follows a space)
            r"\b(?:chemo|therap|treatment|radiat|radiotherap|xrt|agent|antibod|drug|inhibitor)[^.;]{0,100}"
            r"(?:\b(?:less than|fewer than|within|in the (?:l"
            r"ast|past))|<)\s*\d+\s*(?:days?|weeks?|months?)\b|"
            r"\b(?:chemo|therap|treatment|radiat|radiotherap|xrt|agent|antibod|drug|inhibitor)[^.;]{0,100}"
            r"\b\d+\s*(?:days?|weeks?|months?)\s*(?:prior to|before)\b|"
            r"\bcurrently (?:receiving|on|taking|undergoin"
            r"g|being treated)|\bconcomitant (?:use of )?(?:other |another )?(?:anti ?cancer"
            r"|chemotherap|investigational|antineoplastic)|\breceiving (?:any )?(?:oth"
            r"er |another )?(?:anti ?cancer|investigationa"
            r"l|chemotherap|concurrent)|\bconcurrent (?:an"
            r"ti ?cancer|chemotherap|treatment|therapy|radiation)|\b(?:\d+|one|two|three"
            r"|four|six)\s*(?:days?|weeks?|months?|wks?)\b[^.;]{0,80}\b(?:since|after|"
            r"elapsed|prior to|before|from)\b[^.;]{0,80}\b(?:therap|treatment|chemo|radiat"
            r"|radiotherap|xrt|antibod|agent|dose|infusion|surgery|transplant|drug)|\b(?:since|after"
            r"|elapsed|within|from)\b[^.;]{0,60}\b(?:therap|chemo|treatment|radiat|radiotherap|xrt"
            r"|antibod|agent|dose)[^.;]{0,60}\b\d+\s*(?:days?|weeks?|months?)\b|\b(?:within"
            r"|in the (?:last|past))\s*\d+\s*(?:days?|weeks?|months?)\b[^.;]{0,40}(?:therap"
            r"|chemo|treatment|radiat|radiotherap|xrt|antibod|agent|dose|surgery)|\b(?:therap|chemo"
            r"|treatment|radiat|radiotherap|xrt|antibod|agent|surgery|surgical|transplant|drug|vaccine"
            r"|inhibitor)[^.;]{0,120}\bwithin\s*(?:the (?:last|past)\s*)?\d+\s*(?:days?"
            r"|weeks?|months?)\b|"
            # "Cytotoxic chemotherapy: at least 3 weeks" (or "Major surgery: 28 days") under "the
            # following periods have passed since the last dose": a treatment labelled with its
            # wait
            # (not "High-dose chemotherapy with stem cell rescue: >= 84 days", a transplant)
            r"\b(?:chemo|therap|treatment|radiat|radiotherap|xrt|agent|antibod|drug|inhibitor|surgery|"
            r"biops)(?![^.;:]*\b(?:stem cell|transplant|rescue|marrow)\b)[^.;:]{0,100}:\s*"
            r"(?:at least|>=|≥|a minimum of|minimum)?\s*\d+\s*(?:days?|weeks?|months?)\b"
        ),
    ),
    (
        "labs",
        _R(
            r"\b(?:anc|absolute neutrophil|neutrophil|platelet|hemoglobin|haemoglobin|"
            r"hgb|creatinine|bilirubin|alt|ast|sgpt|sgot|transaminase|aminotransferase"
            r"|gfr|glomerular filtration|renal function|hepatic function|liver function"
            r"|bone marrow function|organ function|marrow function|albumin|lipase|amylase"
            r"|inr|lymphocyte count|alc|alkaline phosphatase|alp|uln|upper limit of normal"
            r"|wbc|white blood cell|granulocyte|agc)s?\b"
        ),
    ),
    (
        "performance",
        _R(
            r"\blansky\b|\bkarnofsky\b|\bkps\b|\blps\b|\beco"
            r"g\b|\bperformance (?:status|score|scale|level)"
            r"|\bzubrod\b|\bwho performance"
        ),
    ),
    (
        "age",
        _R(
            # "age-appropriate activity", "age-adjusted creatinine", "gestational age": a word
            # about age that sets no age limit
            r"(?<!gestational )\bages?\b(?! (?:appropriate|adjusted|specific|related|matched|"
            r"corrected|equivalent|dependent|based)\b)|\baged\b|\byears? of age\b|\byears? old\b|"
            r"\bmonths? of age\b|\b(?:days?|months?) old\b|"
            # "Patients must be ≤ 21 years at ...": an operator on years/months after the subject
            # (a bare "> 1 month" elsewhere is a duration, not an age)
            r"(?:^|\b(?:be|are|is|patients?|subjects?|participants?|children|adults?|males?|"
            r"females?|men|women)\s+)"
            r"(?:>|≥|>=|<|≤|=<)\s*\d+\s*(?:years?|months?)\b"
            # "≤ 12 months since the final injection": a time since something, not an age
            r"(?!\s*(?:have |has )?(?:since|after|from|before|prior|elapsed|passed))|"
            # "younger than 50 years", "no older than 21 years": the words for those operators
            r"\b(?:younger|older) than\s*\d+\s*(?:years?|months?)\b|"
            # "must be 21 years or younger", "not yet reached 15 years": the operator after the
            # number, or a verb for it
            r"\b\d+\s*(?:years?|months?)\s+(?:or|and) (?:younger|older)\b|"
            r"\b(?:reached|attained|turned)\s+(?:the age of\s*)?\d+\s*(?:years?|months?)?\b"
        ),
    ),
    (
        "weight",
        _R(
            r"\bbody surface area\b|\bbsa\b|\bweigh|\bbody weight\b"
            r"|\b\d+(?:\.\d+)?\s*(?:kg|kilograms?)\b(?!\s*/)"
        ),
    ),
    (
        "measurable_disease",
        _R(r"\bmeasurable\b|\bevaluable disease\b|\brecist\b|\bmeasurable or evaluable\b"),
    ),
    (
        "biomarker",
        _R(
            r"\bfusion\b|\brearrange|\bmutation|\bmutant\b|\bamplifi|\balteration|\baberration|"
            r"\boverexpress|"
            r"\bexpression\b|\bpositive (?:for|tumor)|\breactivity\b|"
            rf"{cues.biomarker_genes().pattern}|\bbiomarker"
            r"|\bmolecular(?:ly)? (?:confirm|defin|alter)|\bgenomic"
        ),
    ),
    (
        "disease_setting",
        _R(
            r"\brelaps|\brefractor|\brecurr|\bprogress(?:ed|ive|ion)|\bnewly diagnosed"
            r"|\bnew (?:histolog\w* |patholog\w* )?diagnosis\b"
            r"|\bpreviously untreated|\buntreated (?:disease|sarcoma|tumou?rs?|patients?|cancer)\b|"
            # the setting, not a past line ("frontline chemotherapy counts as a line")
            + FRONT_LINE_SETTING
            + r"|\bno (?:known )?(?:st"
            r"andard|curative)|\bcurative therap|\bstandard (?:of care )?therap|\bresistant\b"
            r"|\bnot responded|\bfailed\b|\bfailure\b(?! rate)|\bde novo\b|\bsecond (?:or (?:later"
            r"|greater) )?relapse|\bfirst relapse"
        ),
    ),
    # "Subject in good health": a rule of its own, so that its anchored alternatives do not slow
    # the disease-course pattern above (an alternation with "^" branches loses its fast paths)
    ("disease_setting", cues.cue("healthy_participant")),
    (
        "radiation",
        _R(
            r"\bradiat|\bradiotherap|\bxrt\b|\birradiat|\bproton(?! pump)|\bbrachytherap|\bsbrt\b"
            r"|\bradiation field"
        ),
    ),
    (
        "prior_therapy",
        _R(
            r"\bprior\b|\bprevious(?:ly)?\b|\breceived\b|\bexposure to\b|\btreated with\b"
            r"|\btreatment with\b|\bregimens?\b|\blines? of (?:therapy|treatment)|\bnaive\b"
        ),
    ),
    (
        "diagnosis",
        _R(
            r"\bhistolog|\bcytolog|\bdiagnos|\bpatholog|\bconfirmed\b|\btumou?rs?\b|\bsarcoma"
            r"|\bneoplasm|\bmalignan|\bcarcinoma|\blymphoma|\bleukemia"
        ),
    ),
    (
        "sex",
        _R(
            r"\b(?:male|female|men|women) (?:patients|participants|subjects)? ?only\b|"
            r"\bonly (?:male|female)"
        ),
    ),
)

# Substrings every match of a rule contains (a superset gate: skipping on absence is exact).
# a rule drawn from a cue list is gated by that list's own triggers
PATTERN_GATES: Final[dict[re.Pattern[str], tuple[str, ...]]] = {
    cues.cue(name): cues.triggers(name) for name in ("healthy_participant",)
}
TRIGGERS: Final[dict[str, tuple[str, ...]]] = {
    "viral": ("hiv", "immunodeficiency", "hepatitis", "hbv", "hcv", "hbsag", "hbs "),
    "other_malignancy": ("malignan", "cancer", "neoplas"),
    "swallow": ("swallow",),
    "steroids": ("steroid",),
    "cardiac": ("ejection", "shortening", "lvef", "qtc", "oximetry", "saturation", "spo2"),
    "pregnancy": ("pregnan", "lactat", "breast", "nursing", "contracepti", "child", "pocbp"),
    "cns_metastases": ("metasta", "cns", "central nervous system", "brain", "mening"),
    "transplant": ("transplant", "stem cell", "sct"),
    "amputation": ("amputat", "disarticulat"),
    "metastatic_disease": ("metasta", "stage"),
    "disease_site": ("bone", "pulmonary", "lung", "marrow"),
    "washout": ("day", "week", "wk", "month", "current", "receiving", "concomitant"),
    "performance": ("lansky", "karnofsky", "kps", "lps", "ecog", "performance", "zubrod"),
    "age": ("age", "year", "month", "day"),
    "weight": ("surface", "bsa", "weigh", "kg"),
    "measurable_disease": ("measurable", "evaluable", "recist"),
    "radiation": ("radiat", "radiotherap", "xrt", "irradiat", "proton", "brachytherap", "sbrt"),
    "prior_therapy": (
        "prior", "previous", "received", "exposure", "treated", "treatment", "regimen", "line",
        "naive",
    ),
    "diagnosis": (
        "histolog", "cytolog", "diagnos", "patholog", "confirmed", "tumo", "sarcoma", "neoplasm",
        "malignan", "carcinoma", "lymphoma", "leukemia",
    ),
    "sex": ("male", "men"),
    "biomarker": (
        *cues.gene_triggers(), "fusion", "rearrange", "mutation", "mutant", "amplifi",
        "alteration", "aberration", "overexpress", "expression", "positive", "reactivity",
        "biomarker",
        "molecular", "genomic",
    ),
}  # fmt: skip
