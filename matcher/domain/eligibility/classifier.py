"""Classify a criterion into the kinds it asks about (matcher.domain.eligibility.kinds).

A criterion may ask about more than one thing ("Histologically confirmed relapsed or refractory
solid tumors" is both diagnosis and disease setting), so classification returns every matching
kind, most specific first; the engine judges each and combines them. The rule table (which words
name which kind) is kind_rules.py; this module decides how the kinds found combine.
"""

from __future__ import annotations

import re
from functools import lru_cache

from matcher.domain.eligibility import cues, drugs, judge_site, vocabulary
from matcher.domain.eligibility.groups import AGE_GROUP_NOUN, AGE_GROUP_SUBJECT, NOT_AN_AGE_LIMIT
from matcher.domain.eligibility.judge_therapy import split_exception, targets
from matcher.domain.eligibility.kind_rules import PATTERN_GATES, RULES, TRIGGERS
from matcher.domain.eligibility.text import clause_end

_R = re.compile

_NEGATED = cues.cue("negation")
_REQUIRED = _R(
    r"\bmust have (?:been )?(?:received|had|been treated|undergone|failed|progressed)|"
    r"\bat least (?:one|1|two|2|three|3)\b[^.;]{0,30}\b(?:prior|previous|lines?|regimens?)|"
    r"\bpreviously treated\b|\bhave (?:previously )?received\b|\b(?:progressed|progression|relapsed"
    r"|recurred|refractory|resistant)\b"
    r"[^.;]{0,20}\b(?:on|after|following|to|despite)\b|\bafter (?:failure|progression)|\bfailed\b"
)
_BARE_PRIOR = _R(
    r"(?:prior|previous) (?:[a-z]+ ){0,3}(?:chemotherapy|therapy|treatment|regimen|"
    r"immunotherapy)\W*"
)
_RULE_RADIATION = _R(
    r"\bradiat|\bradiotherap|\bxrt\b|\birradiat|\bproton(?! pump)|\bbrachytherap|\bsbrt\b"
)
# ("progression on, or was intolerant of, a prior TRK inhibitor" requires the inhibitor)
_TOXICITY = _R(
    r"\btoxicit|\badverse event|\brecovered from|\ballerg|\bhypersensitiv"
    r"|(?<!or )(?<!or was )(?<!or were )\bintoleran"
)
_CONSENT_BY_AGE = _R(
    r"\bparent|\bguardian|\bassent|\blegally authori[sz]ed|\b(?:if|when|who (?:is|are)) (?:the )?"
    r"(?:patients?|participants?|subjects?)?\s*(?:is |are )?(?:aged? |older |younger |under |over "
    r"|>|<|≥|≤|\d)"
)
# ... only in a rule about consent ("Subjects who are 12 years of age or older are eligible" is an
# age limit)
_CONSENT_WORD = _R(r"\bconsent|\bassent|\bparent|\bguardian|\blegally authori[sz]ed|\bsign")
_GENERIC = vocabulary.GENERIC_TUMORS
_AGE_FIRST = _R(r"^\s*(?:age|aged|patients? (?:must be )?aged?)\s*(?:>=|≥|>|of|between|\d)")
_TRANSPLANT_NOT = _R(r"\bsolid organ transplant")


@lru_cache(maxsize=65536)  # identical criteria recur across trials and versions
def classify(norm_text: str, context: str, section: str) -> tuple[str, ...]:
    """Kinds a criterion asks about, most specific first; ("other",) when none applies."""
    # "Pregnant or lactating, since the risk of autoimmune reactivity to tyrosinase, MART-1 or
    # gp100 ...": the reason given for a rule asks nothing of the patient
    norm_text = cues.without_rationale(norm_text)
    kinds: list[str] = []
    for kind, pattern in RULES:
        if kind in kinds:
            continue  # a kind with two rules ("disease_setting") is found once
        gate = PATTERN_GATES.get(pattern) or TRIGGERS.get(kind)
        if gate is not None and not any(word in norm_text for word in gate):
            continue  # a plain substring test is ~100x cheaper than the rule's regex
        if pattern.search(norm_text):
            kinds.append(kind)
    if set(kinds) <= {"prior_therapy"} and _WINDOW.search(norm_text) and drugs.mentions(norm_text):
        # "Pazopanib within 14 days before enrollment": a drug named with a time window is a
        # washout as much as "chemotherapy within 14 days" is
        kinds.insert(0, "washout")
    if ". " in norm_text and ("biomarker" in kinds or "cns_metastases" in kinds):
        # "... NF1-associated benign tumors (neurofibromas, ...) are not exclusions.": a later
        # sentence that only allows or qualifies names no biomarker the rule asks about; in
        # "Symptomatic CNS metastases. Patients with brain metastases treated (surgery or
        # radiotherapy), off corticosteroids for 4 weeks are eligible." the permission's
        # conditions are the CNS judge's question, not rules of their own
        ruled = without_notes(norm_text)
        noted = {"biomarker"} | (_PERMISSION_KINDS if "cns_metastases" in kinds else set())
        kinds = [k for k in kinds if k not in noted or _RULE[k].search(ruled)]
    if not kinds and context:
        if any(c not in _GENERIC for c in vocabulary.find_concepts(norm_text)):
            # "Expansion Cohort B: RMS (embryonal, alveolar ...)" under "... advanced or
            # metastatic sarcoma of one of the following types:": an item naming a tumor is
            # one of the tumors, not the heading's other requirement
            kinds = ["diagnosis"]
        else:
            # a row of a table ("Age 2 to < 6 years; 0.8 mg/dL") takes its meaning from the header
            kinds = [k for k, p in RULES if p.search(context)][:1]
    kinds = _refine(kinds, norm_text, context, section)
    return tuple(kinds) or ("other",)


_SENTENCE_END = re.compile(r"(?<=[.;])\s+")


_CONDITIONAL_ALLOWANCE = re.compile(
    r"\b(?:are|is|will be|remain) eligible (?:only )?(?:if|provided|when)\b"
)


def _ruled(kind: str, text: str) -> bool:
    if kind == "disease_setting":
        return any(p.search(text) for p in _SETTING_RULES)
    return kind not in _RULE or bool(_RULE[kind].search(text))


def without_notes(text: str) -> str:
    """The text without the sentences after the first that only allow or qualify, or ask in
    some case only (cues.json "exception_note", "not_an_exclusion", "conditional_note"): what
    the rule itself is about."""
    first, *rest = _SENTENCE_END.split(text)
    note, conditional = cues.cue("exception_note"), cues.cue("conditional_note")
    return " ".join(
        [
            first,
            *(
                part
                for part in rest
                if not note.search(part)
                and not conditional.search(part)
                and not cues.search("not_an_exclusion", part)
            ),
        ]
    )


_PERFORMANCE_WORD = re.compile(r"\bkarnofsky|\blansky|\becog\b|\bperformance|\bkps\b|\blps\b")


def _without(text: str, found: re.Match[str]) -> str:
    """The text without the bracket, or else the sentence, that holds `found`."""
    opened = text.rfind("(", 0, found.start())
    if opened != -1 and text.rfind(")", opened, found.start()) == -1:
        closed = text.find(")", found.end())
        return text[:opened] + (text[closed + 1 :] if closed != -1 else "")
    start = max(text.rfind(". ", 0, found.start()) + 1, 0)
    end = text.find(". ", found.end())
    return text[:start] + (text[end + 1 :] if end != -1 else "")


_RULE = dict(RULES)  # kind -> its rule ("disease_setting" has two: _SETTING_RULES)
_AGE_RULE = _RULE["age"]
_BIOMARKER_RULE = _RULE["biomarker"]
_WASHOUT_RULE = _RULE["washout"]
_WEIGHT_RULE = _RULE["weight"]
# "for participants weighing < 50 kg", "(0.15 mg/kg/day ...)": a dose per weight or a weight
# group, not a weight limit
_WEIGHT_SCOPE = re.compile(
    r"\b(?:for|in) (?:participants|patients|subjects|children|those) (?:weighing|with a (?:body )?"
    r"weight (?:of )?)\s*(?:<|>|<=|>=|≤|≥|less than|more than|under|over)?\s*\d+(?:\.\d+)?\s*kg\b"
    r"|\bmg\s*/?\s*kg\b"
)
_PERMISSION_KINDS = {"radiation", "steroids", "washout", "prior_therapy", "transplant"}
_RECIST_PROGRESSION = re.compile(
    r"\bprogress\w*\b[^.;]{0,60}\brecist\b|\brecist\b[^.;]{0,30}\bprogress"
)
# "symptomatic or progressive brain metastases", "CNS metastases that are progressing"
_CNS_PROGRESSION = re.compile(
    r"\b(?:progressive|progressing|progression of)\b[^.;]{0,40}\b(?:cns|brain|central nervous "
    r"system|leptomeningeal|intracranial)\b|\b(?:metastases|metastasis|disease|lesions?)\b"
    r"[^.;]{0,30}\b(?:progressive|progressing|that (?:has|have) progressed)\b"
)
_WINDOW = re.compile(
    r"\b(?:within|in the (?:last|past)|less than|fewer than|<)\s*\d+\s*(?:days?|weeks?|months?)\b"
    r"|\b\d+\s*(?:days?|weeks?|months?)\s*(?:prior to|before)\b"
)
# a bracket that says when another value applies: "(>= 1,000/uL if concurrent chemotherapy ...)"
_CONDITION_BRACKET = re.compile(r"\([^()]*\b(?:if|when|for patients|in patients)\b[^()]*\)")
_SETTING_RULES = tuple(p for k, p in RULES if k == "disease_setting")


_BRACKETS = re.compile(r"\([^()]*\)")


# "for patients 18 years of age and older", "in children younger than 10 years": whom a
# requirement is for, in the middle of a rule about something else
_AGE_SCOPE = re.compile(
    # ... or in a bracket: "the oral solution (patients < 6 years or unable to swallow)"
    rf"(?:\b(?:for|in) |\()(?:all )?{AGE_GROUP_NOUN}(?: who are)?(?: aged?)?\s*(?:>=|<=|>|<|≥|≤|"
    r"=<|older than|younger than|under|over|below|above|at least|less than)?\s*\d+(?:\s*(?:-|–|"
    r"to|\s)\s*\d+)?\s*(?:years?|months?)"
    r"(?: of age| old)?"
    r"(?: (?:and|or) (?:older|younger|above|over|under|less|more))?"
    # "<= 95th percentile for age": a normal range by age, no age limit
    r"|\bfor (?:their )?age\b"
    # "Blood pressure: patients >= 18 years of age must have ...; patients < 18 years must ...":
    # each age group's own limit of something else
    rf"|(?:^|[:;.]\s*){AGE_GROUP_SUBJECT}(?:must|should|will|need)\b{NOT_AN_AGE_LIMIT}"
    # "Patients < 3 years of age, and any older patient unable to lie still, must be ...": the
    # age group is one of those the requirement is for
    r"|^(?:patients|subjects|participants|children)\s+(?:aged?\s+)?(?:>=|<=|>|<)\s*\d+\s*"
    r"(?:years?|months?)(?: of age| old)?,? (?:and|or) any (?:older|younger|other)\b"
)


_THERAPY_FOR_SETTING = re.compile(
    r"\b(?:therap(?:y|ies)|lines?|regimens?|treatments?|chemotherap(?:y|ies))\s+(?:given\s+)?"
    r"(?:for|in the setting of|in)\s+(?:the\s+)?(?:(?:locally advanced|advanced|metastatic|"
    r"unresectable|inoperable|recurrent|relapsed)\s*(?:,|and/or|and or|or|and)?\s*)+"
)


def _spared_only(kinds: list[str], text: str) -> list[str]:
    """ "Known CNS metastases, unless treated with surgery or radiotherapy and stable for at least
    4 weeks prior to the first dose": the wait and the treatment are the exception's (who is
    spared), no washout or excluded treatment of the exclusion's own."""
    outside = _outside_exception(text)
    if outside is None:
        return kinds
    own = [
        k
        for k in kinds
        if not (k == "washout" and not _WASHOUT_RULE.search(outside))
        and not (k == "prior_therapy_excluded" and not any(targets(outside)))
    ]
    return own if own else kinds


def _outside_exception(text: str) -> str | None:
    """The text without its exception clause: from the exception word to the end of its bracket
    ("no chemotherapy (excluding corticosteroids) < 3 weeks before") or of its sentence; None
    when there is no exception."""
    before, after = split_exception(text)
    if not after:
        return None
    return f"{before} {text[clause_end(text, len(before)) :]}"


def _age_sentence_of_its_own(text: str) -> bool:
    """ "Age >= 12 years and <= 50 years at time of enrollment. Karnofsky >= 50% for patients >
    16 years": a sentence that is an age limit with no performance scale in it."""
    return any(
        _AGE_RULE.search(s) and not _PERFORMANCE_WORD.search(s) for s in _SENTENCE_END.split(text)
    )


def _refine(kinds: list[str], text: str, context: str, section: str) -> list[str]:
    before_unless = text.split(" unless ", 1)[0] if "disease_setting" in kinds else text
    if before_unless != text and not any(p.search(before_unless) for p in _SETTING_RULES):
        # "..., unless there is no standard chemotherapy for the histology": a way around the
        # rule, not a disease-setting requirement
        kinds = [k for k in kinds if k != "disease_setting"]
    if "age" in kinds and "pregnancy" in kinds and not _AGE_RULE.search(_BRACKETS.sub(" ", text)):
        # "Females of childbearing potential (post-menarchal, or >= 12 years of age if menarchal
        # status is unknown) must ...": the bracketed age says who is of childbearing potential
        kinds = [k for k in kinds if k != "age"]
    # the text without its brackets of examples ("(for example ...)", "(e.g. ...)")
    unexampled = (
        cues.cue("example_bracket").sub(" ", text) if cues.search("example_bracket", text) else text
    )
    if "age" in kinds and unexampled != text and not _AGE_RULE.search(unexampled):
        # "... not a candidate for anthracyclines (for example cumulative dose, cardiac disease,
        # age)": an age named as an example of a reason is no age limit
        kinds = [k for k in kinds if k != "age"]
    if (
        "diagnosis" in kinds
        and unexampled != text
        and not any(c not in _GENERIC for c in vocabulary.find_concepts(unexampled))
    ):
        # "receiving maintenance therapy (e.g., low-dose oral maintenance for
        # rhabdomyosarcoma)": a tumor named only in a bracket of examples is no diagnosis rule
        kinds = [k for k in kinds if k != "diagnosis"]
    if "labs" in kinds and re.search(r"\bmg ?dl\b|\bumol|\bmicromol", text):
        kinds = [k for k in kinds if k != "age"]  # an age-adjusted creatinine table row
    if not kinds and re.search(r"creatinine|organ function|renal function", context):
        kinds = ["labs"]
    if "age" in kinds and re.search(r"creatinine|mg ?dl", f"{context} {text}"):
        kinds = ["labs"]
    if "age" in kinds and (
        "labs" in kinds
        or (
            _CONSENT_BY_AGE.search(text)
            and _CONSENT_WORD.search(text)
            # "Age >= 10 years at the time of signing the informed consent/assent form" opens
            # with the age: a limit, whoever signs
            and not _AGE_FIRST.match(text)
        )
    ):
        # "bilirubin ≤ 1.5 x ULN for age", "consent if ≥ 18 years of age": the age picks who
        # signs or the normal range; "12 to 17 years of age on the day of signing consent" is
        # an age limit and stays one
        kinds.remove("age")
    if (
        "labs" in kinds
        and "washout" in kinds
        and not _WASHOUT_RULE.search(_CONDITION_BRACKET.sub(" ", text))
    ):
        # "ANC >= 750/uL (>= 1,000/uL if concurrent chemotherapy planned)": the therapy picks
        # which limit applies; it is no treatment rule of its own
        kinds.remove("washout")
    if (
        "weight" in kinds
        and not _WEIGHT_RULE.search(rest := _WEIGHT_SCOPE.sub(" ", text))
        and (len(kinds) > 1 or len(rest.split()) > 6)
    ):
        # "... > 10 mg/day prednisone (> 0.15 mg/kg/day for participants weighing < 50 kg)": the
        # weight picks the dose limit, it is no weight limit
        kinds.remove("weight")
    if (
        "measurable_disease" in kinds
        and _RECIST_PROGRESSION.search(text)
        and not re.search(r"\bmeasurable\b|\bevaluable\b|\btarget lesion", text)
    ):
        # "Radiological progression according to RECIST v1.1 documented in the last 6 months":
        # progression by RECIST, not measurable disease (non-target lesions progress too)
        kinds.remove("measurable_disease")
    if (
        "disease_setting" in kinds
        and "cns_metastases" in kinds
        and not any(p.search(_CNS_PROGRESSION.sub(" ", text)) for p in _SETTING_RULES)
    ):
        # "Symptomatic or progressive CNS metastases": the CNS disease progresses, not the
        # course of the sarcoma
        kinds.remove("disease_setting")
    if (
        "biomarker" in kinds
        and "diagnosis" in kinds
        and not _BIOMARKER_RULE.search(cues.cue("gene_named_tumor").sub(" ", text))
    ):
        # "Non-rhabdomyosarcoma soft tissue sarcoma (..., CIC-rearranged sarcoma and BCOR-altered
        # sarcoma, and others)": tumors named by their gene in an example list
        kinds.remove("biomarker")
    if "transplant" in kinds and _TRANSPLANT_NOT.search(text) and "stem cell" not in text:
        kinds.remove("transplant")
        kinds.insert(0, "other")
    if "other_malignancy" in kinds and cues.cue("permission").search(text):
        # "another malignancy ... will be eligible ... squamous or basal carcinoma of the skin ...
        # can be accrued 30 days after treatment": the cancers named are the other ones the
        # permission covers and the wait is its condition, not a diagnosis rule or a washout
        kinds = [k for k in kinds if k not in ("washout", "diagnosis")]
    if "prior_therapy" in kinds:
        # a note that allows ("Note: patients with a prior malignancy whose ... treatment does not
        # interfere ... are eligible") names no treatment the rule is about
        ruled = without_notes(text)
        names_drug = bool(drugs.mentions(ruled)) or re.search(
            r"\b(?:chemotherap|regimens?|systemic|therap|treatment|inhibitor|antibod|immunotherap)",
            ruled,
        )
        idx = kinds.index("prior_therapy")
        # a complication of a drug ("encephalopathy during ifosfamide") is no exposure rule
        complication = cues.search("treatment_complication", text)
        if not names_drug or _TOXICITY.search(text) or complication:
            kinds.pop(idx)
        elif section == "exclusion" or _NEGATED.search(_BRACKETS.sub(" ", ruled)):
            # (a later note's negation, "prior irradiation does not preclude registration", or
            # a bracket's option, "(surgery, radiotherapy, or no local therapy)", makes no
            # exclusion of the rule)
            kinds[idx] = "prior_therapy_excluded"
        elif (
            _REQUIRED.search(text)
            and not re.match(r"(?:prior|previous|the most recent|the last)\b", text)
            and not re.search(r"\bwithin \d+", text)  # "received within 180 days": a recency rule
        ) or (section == "inclusion" and _BARE_PRIOR.fullmatch(text)):
            # ... or "Prior systemic chemotherapy" alone in the inclusions: it is required
            kinds[idx] = "prior_therapy_required"
        else:
            kinds.pop(idx)  # "prior X is allowed", "prior X must have included ...": no requirement
    if (
        "radiation" in kinds
        and len(kinds) > 1
        and not _RULE_RADIATION.search(cues.cue("study_anchor").sub(" ", text))
    ):
        kinds.remove("radiation")  # "... on the planned date of the first proton fraction"
    if "radiation" in kinds and not _RULE_RADIATION.search(split_exception(text)[0]):
        kinds.remove("radiation")  # "no prior systemic therapy except for ... radiation"
    if "radiation" in kinds and any(k.startswith("prior_therapy") for k in kinds):
        classes, cats = targets(text)
        if not classes and cats <= {"radiation"}:
            # "Prior treatment with radiotherapy to the site of the sarcoma" is a radiation rule
            kinds = [k for k in kinds if not k.startswith("prior_therapy")]
    if "metastatic_disease" in kinds and len(kinds) > 1:
        # "no more than 2 prior lines of systemic therapy for metastatic or unresectable
        # disease": the setting says which lines count, it asks nothing of the disease now
        rest = _THERAPY_FOR_SETTING.sub(" ", text)
        if rest != text and not _RULE["metastatic_disease"].search(rest):
            kinds.remove("metastatic_disease")
    if "prior_lines" in kinds:
        # "no more than 2 prior lines of systemic therapies": the cap is the rule
        kinds = [k for k in kinds if k != "prior_therapy_excluded"]
    counting = cues.search("line_counting", text) if "prior_lines" in kinds else None
    if "washout" in kinds and counting and not _WASHOUT_RULE.search(_without(text, counting)):
        # "(... not counted as a line unless relapse occurred within 6 months)": how lines
        # count, its window no wait after a treatment (a washout elsewhere in the text stays)
        kinds.remove("washout")
    if section == "exclusion" and ("washout" in kinds or "prior_therapy_excluded" in kinds):
        kinds = _spared_only(kinds, text)
    if "washout" in kinds and "pregnancy" in kinds:
        kinds.remove("washout")  # "contraception for 4 months after chemotherapy" is no washout
    if "washout" in kinds:
        # the time limit is the point; a prior-therapy mention in the same sentence is the
        # subject (a line cap in the same sentence stays its own rule)
        kinds = [
            k
            for k in kinds
            if k not in {"prior_therapy_excluded", "prior_therapy_required", "radiation"}
        ]
    if (
        section == "inclusion"
        and "disease_setting" in kinds
        and "diagnosis" not in kinds
        and any(c not in _GENERIC for c in vocabulary.find_concepts(text))
    ):
        # "Part B1: patients with relapsed or refractory neuroblastoma": the tumor is required too
        kinds.insert(kinds.index("disease_setting"), "diagnosis")
    if "diagnosis" in kinds and not vocabulary.find_concepts(
        cues.cue("tumor_as_modifier").sub(" ", text)  # "the sarcoma surgical team" names a team
    ):
        kinds.remove("diagnosis")
    if (
        section == "exclusion"
        and "diagnosis" in kinds
        and not any(c not in _GENERIC for c in vocabulary.find_concepts(_BRACKETS.sub(" ", text)))
        and any(c not in _GENERIC for c in vocabulary.find_concepts(text))
    ):
        # "... or tumor invading the GI tract lumen (including a primary clear cell sarcoma of
        # the GI tract)": a tumor named only in a bracket is an example, not the exclusion
        kinds.remove("diagnosis")
    if (
        section == "inclusion"
        and "biomarker" in kinds
        and "diagnosis" not in kinds
        and any(c not in _GENERIC for c in vocabulary.find_concepts(text))
    ):
        # "dedifferentiated liposarcoma, with MDM2 amplification documented by FISH": the tumor
        # is required as much as its marker
        kinds.insert(kinds.index("biomarker") + 1, "diagnosis")
    if section == "exclusion" and "diagnosis" in kinds and kinds[0] != "diagnosis":
        # "(re-irradiation or radiation-induced sarcomas are not allowed)": a tumor named in
        # passing in another rule is not a diagnosis exclusion
        kinds.remove("diagnosis")
    if "age" in kinds and "performance" in kinds and not _age_sentence_of_its_own(text):
        kinds.remove("age")  # "Lansky ≥ 50 for patients ≤ 16 years of age": the age picks the scale
    rest = _AGE_SCOPE.sub(" ", text) if "age" in kinds else text
    if rest != text and not _AGE_RULE.search(rest) and (len(kinds) > 1 or len(rest.split()) > 6):
        # "LVEF >= 50 %, and for patients 18 years of age and older, ... clearance for surgery":
        # an age that says whom another requirement is for, not an age limit
        kinds.remove("age")
    if "age" in kinds and re.search(
        r"\b(?:at|by) (?:the )?(?:time of )?(?:initial |original |first )?diagnosis\b|\bdiagnosed "
        r"(?:at|before)|\b(?:when|once|if) (?:first |initially |originally )?diagnosed\b",
        text,
    ):
        kinds.remove("age")
        kinds.insert(0, "other")  # age at diagnosis: the profile does not give it
    # "Patients with primary neuroblastoma in central nervous system." (in an exclusion, not a
    # tumor named only in a bracket; in an inclusion, not one named only as an example)
    named = _BRACKETS.sub(" ", text) if section == "exclusion" else unexampled
    if not kinds and any(c not in _GENERIC for c in vocabulary.find_concepts(named)):
        kinds = ["diagnosis"]
    if (
        "metastatic_disease" in kinds
        and "diagnosis" in kinds
        and re.search(r"\bdistant (?:\w+ ){1,2}metasta", text)
    ):
        kinds.remove("diagnosis")  # "distant sarcoma metastases": the tumor names their origin
    elif "metastatic_disease" in kinds and "diagnosis" in kinds:
        # "... unresectable or metastatic soft tissue sarcoma": the tumor is the rule, the extent
        # its qualifier
        kinds.remove("diagnosis")
        kinds.insert(0, "diagnosis")
    if "viral" in kinds and "biomarker" in kinds:
        kinds.remove("biomarker")  # "testing positive for HIV": a serology, not a tumor marker
    if "disease_site" in kinds and judge_site.prep_site("", text, section) is None:
        kinds.remove("disease_site")  # "patients without known bone marrow involvement:" a group
    if ". " in text and len(kinds) > 1 and _CONDITIONAL_ALLOWANCE.search(text):
        # "Measurable disease ... Patients with bone-only disease are eligible if the lesion has a
        # soft tissue component >= 10 mm": what only a later allowance with a condition names is
        # whom it spares, no requirement of the rule's own
        lead, *later = _SENTENCE_END.split(text)
        ruled = " ".join([lead, *(p for p in later if not _CONDITIONAL_ALLOWANCE.search(p))])
        kinds = [k for k in kinds if _ruled(k, ruled)] or kinds
    if "other" in kinds and len(kinds) > 1:
        kinds.remove("other")
    return kinds
