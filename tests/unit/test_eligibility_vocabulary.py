"""The diagnosis vocabulary and drug classes (data files) and the search terms they feed."""

from __future__ import annotations

from matcher.domain.eligibility import drugs, search_terms, vocabulary


def test_search_terms_walk_up_the_vocabulary() -> None:
    """ "synovial sarcoma" yields itself then broader terms, narrowest first."""
    terms = search_terms("synovial sarcoma")
    assert terms[0] == "synovial sarcoma"
    for broader in ("soft tissue sarcoma", "sarcoma", "solid tumor"):
        assert broader in terms
    assert terms.index("soft tissue sarcoma") < terms.index("sarcoma") < terms.index("solid tumor")
    assert "cancer" not in terms  # the root would return every oncology trial


def test_search_terms_resolve_synonyms_and_abbreviations() -> None:
    """Abbreviations and possessives resolve to the canonical concept."""
    assert search_terms("DSRCT")[0] == "desmoplastic small round cell tumor"
    assert search_terms("Ewing's sarcoma")[0] == "Ewing sarcoma"
    assert "rhabdomyosarcoma" in search_terms("embryonal RMS")


def test_unknown_diagnosis_keeps_its_text_and_generic_terms() -> None:
    """An unknown diagnosis returns its own text plus generic sarcoma/solid tumor terms."""
    terms = search_terms("  myxoinflammatory   fibroblastic sarcoma ")
    assert terms[0] == "myxoinflammatory fibroblastic sarcoma"
    assert "sarcoma" in terms
    assert "solid tumor" in terms


def test_the_root_itself_searches_like_an_unknown_diagnosis() -> None:
    """ "cancer" (the vocabulary's root, found by the hostile-input property test) gives the
    generic terms, never an empty search (which the query builder refuses) nor the root word."""
    for root in ("CANCER", "neoplasm"):
        terms = search_terms(root)
        assert terms == ["soft tissue sarcoma", "sarcoma", "solid tumor"]


def test_rhabdomyosarcoma_hierarchy() -> None:
    """Embryonal and alveolar RMS are RMS, soft tissue sarcoma, sarcoma and solid tumor."""
    for subtype in ("embryonal rhabdomyosarcoma", "alveolar rhabdomyosarcoma"):
        cid = vocabulary.resolve(subtype)
        assert cid is not None
        assert {"rms", "sts", "sarcoma", "solid_tumor"} <= vocabulary.ancestors(cid)


def test_longest_phrase_wins_so_specific_tumors_are_not_generic() -> None:
    """In "Ewing sarcoma" and "histiocytic sarcoma" the generic word sarcoma is not matched."""
    # conditions of NCT03155620 and NCT04129151
    assert vocabulary.find_concepts("Recurrent Ewing Sarcoma") == ["ewing"]
    assert vocabulary.find_concepts("Histiocytic Sarcoma") == ["heme"]
    assert "rms" not in vocabulary.find_concepts("non-rhabdomyosarcoma soft tissue sarcoma")


def test_basket_wording_names_solid_tumors() -> None:
    """Basket-trial wording is recognised as the solid tumor concept."""
    # title of NCT02637687
    title = "Advanced Pediatric Solid or Primary Central Nervous System Tumors"
    assert "solid_tumor" in vocabulary.find_concepts(title)


def test_drug_classes_cover_members_and_class_names() -> None:
    """pazopanib is a VEGFR TKI, docetaxel a taxane, ifosfamide an alkylator."""
    assert "vegfr_tki" in drugs.classes_of_agent("Pazopanib")
    assert "taxane" in drugs.classes_of_agent("docetaxel")
    assert "alkylator" in drugs.classes_of_agent("ifosfamide")
    assert "anthracycline" in drugs.classes_of_agent("doxorubicin")
    named = {
        c for m in drugs.mentions("no prior vegfr inhibitor or anthracycline") for c in m.classes
    }
    assert {"vegfr_tki", "anthracycline"} <= named
