"""The cue lists (data/cues.json): one file, one loader, every list compiled and used by name."""

from __future__ import annotations

import glob
import json
from importlib import resources
from pathlib import Path

from matcher.adapters.ctgov.parse import parse_study
from matcher.domain.eligibility import cues
from matcher.domain.eligibility.classifier import classify
from matcher.domain.eligibility.splitter import split_items
from matcher.domain.eligibility.text import norm

DIRECTIONS = {"preceding", "following", "bidirectional"}


def test_every_named_list_compiles_with_a_known_direction() -> None:
    """Each named list in data/cues.json has a direction and compiles; load() compiles them all."""
    raw = json.loads(
        resources.files("matcher.domain.eligibility").joinpath("data/cues.json").read_text()
    )
    cues.load()
    for name in raw["lists"]:
        assert cues.direction(name) in DIRECTIONS, name
        assert cues.cue(name).pattern
    assert {t.id for t in cues.terms()} >= {"wbc", "coagulation", "infection", "other_malignancy"}
    assert dict(cues.body_sites())["lung"].search("pulmonary nodules")
    assert any("radiation" in covered for _p, covered in cues.treatment_categories())


def test_one_gene_list_for_the_classifier_and_the_biomarker_judge() -> None:
    """A gene added to the data list reaches both: "NAB2-STAT6" and "IDH1" classify as biomarker
    (issue 8), while "anti-PD-L1" names a drug target, not a biomarker."""
    genes = cues.biomarker_genes()
    assert genes.findall(norm("IDH1 or IDH2 mutant chondrosarcoma")) == ["idh1", "idh2"]
    assert "biomarker" in classify(norm("NAB2-STAT6 positive solitary fibrous tumor"), "", "x")
    assert not genes.search(norm("anti-PD-L1 therapeutic antibodies"))
    assert genes.search(norm("PD-L1-positive relapsed or refractory solid tumor"))


def test_exception_cue_is_one_list_in_both_directions() -> None:
    """The exception cue marks "other than"/"unless" but not "including but not limited to"."""
    exception = cues.cue("exception")
    assert exception.search("for tumors other than dsrct")
    assert exception.search("unless they agree")
    assert not exception.search("including but not limited to")


def test_triggers_never_hide_a_match() -> None:
    """A list's or term's triggers are a superset gate: on every criterion of the bundled records
    the gated search finds exactly what the bare pattern finds."""
    root = Path(__file__).resolve().parents[2]
    texts = [
        norm(item.text)
        for path in sorted(glob.glob(str(root / "snapshot" / "sarcoma" / "records" / "*.json")))
        for item in split_items(
            parse_study(json.loads(Path(path).read_text())).eligibility_criteria or ""
        )
    ]
    assert len(texts) > 500
    gated = [name for name in ("exception", "permission", "permissive_note", "formality",
                               "definition", "formality_lead") if cues.triggers(name)]  # fmt: skip
    for text in texts:
        for name in gated:
            assert bool(cues.search(name, text)) == bool(cues.cue(name).search(text)), (name, text)
        for term in cues.terms():
            assert term.search(text) == bool(term.pattern.search(text)), (term.id, text)
