"""The assessment as a type: exactly what :func:`myoclass.assess` returns (assessment contract, schema version 1).

One ``TypedDict`` per object of the assessment. Keys without ``NotRequired`` are always present (their value
may be ``None`` where the type says so); ``NotRequired`` keys appear only where their comment says. No other
key ever appears. The ``#:`` comment above each field is its documentation: ``docs/assessment.md``
(:func:`myoclass.docs.assessment_markdown`) and the JSON Schema (:func:`assessment_json_schema`, printed by
``myoclass schema assessment`` and served in the REST API's OpenAPI document) are generated from this module,
and ``tests/test_assessment_contract.py`` holds the library's, the CLI's, the REST API's and the batch's
outputs to it. Fields may be added (here first), never renamed without a new ``schema_version``.

This module needs nothing beyond ``typing_extensions``; the JSON Schema is generated with pydantic (installed
with the ``web`` extra), imported only when asked for.
"""

import ast
import inspect
import sys
import types
from functools import lru_cache
from typing import Any, Literal, NotRequired, Union, get_args, get_origin

from typing_extensions import TypedDict, get_type_hints, is_typeddict

from myoclass.model.labels import Label

__all__ = [
    "BATCH_ONLY_COLUMNS",
    "NEXT_TEST_FLAT_KEYS",
    "Assessment",
    "CancerScreening",
    "CancerScreeningFactor",
    "CancerScreeningPanels",
    "Certainty",
    "Criteria",
    "CriteriaSetResult",
    "CriterionItem",
    "DifferentialEntry",
    "DifferentialModel",
    "EularCutoffs",
    "EularItem",
    "EularModel",
    "EularSetResult",
    "EularSubgroup",
    "GuidanceItem",
    "InputField",
    "InputReport",
    "InputUnmapped",
    "Label",
    "LabelOrUndetermined",
    "LeadingAfter",
    "NextTest",
    "PolicyChoices",
    "Purpose",
    "Reading",
    "Risk",
    "SetStatus",
    "Summary",
    "Verification",
    "Versions",
    "alias_docs",
    "assessment_json_schema",
    "field_docs",
    "flat_column_kind",
    "flat_projection",
    "typed_dicts",
]

# ---------------------------------------------------------------------------------------------
# vocabularies
# ---------------------------------------------------------------------------------------------

#: a label, or ``undetermined`` while the known findings allow more than one
LabelOrUndetermined = Literal[Label, "undetermined"]
#: verification tags (:data:`myoclass.criteria.VERIFICATION`; R = unverified)
Verification = Literal["V-P", "V-S", "V-X", "D", "R"]
#: how certain a classified label is (``possible`` is reserved by the contract and not given today)
Certainty = Literal["definite", "probable"]
#: status of a criteria set for this case
SetStatus = Literal["met", "not_met", "undetermined"]
#: the differential's reading policy (:data:`myoclass.reasoning.differential.READINGS`)
Reading = Literal["clinic", "record"]
#: which EULAR/ACR 2017 weight set applies
EularModel = Literal["without_biopsy", "with_biopsy"]
#: the EULAR/ACR 2017 subgroups (:data:`myoclass.criteria.eular_acr_2017.SUBGROUPS`)
EularSubgroup = Literal[
    "juvenile dermatomyositis",
    "juvenile myositis other than JDM",
    "dermatomyositis",
    "amyopathic dermatomyositis",
    "inclusion body myositis",
    "polymyositis (includes IMNM)",
]
#: IMACS 2023 cancer-screening risk categories
Risk = Literal["standard", "moderate", "high"]
#: what a next test is for
Purpose = Literal["decides", "rules_out", "informs"]


# ---------------------------------------------------------------------------------------------
# the objects
# ---------------------------------------------------------------------------------------------


class Summary(TypedDict):
    """The answer in brief: the strict label, what is still possible, and the most likely label."""

    #: the strict label under the criteria; ``undetermined`` exactly when ``reachable_labels`` holds more than one
    label: LabelOrUndetermined
    #: how certain a classified label is (EULAR/ACR 2017 or ENMC 2011 IBM categories); null for other labels and
    #: while undetermined
    certainty: Certainty | None
    #: every label some completion of the unknown findings could give (sound; exact when
    #: ``reachable_labels_exact``), in precedence order; unknown mimic findings count as absent here
    reachable_labels: list[Label]
    #: false only where too many deciding findings are unknown: then ``reachable_labels`` is a safe over-estimate
    reachable_labels_exact: bool
    #: one plain sentence a clinician can read
    text: str
    #: the most probable label of ``differential`` (its first entry)
    leading_label: Label
    #: its probability (a fraction from 0 to 1)
    leading_probability: float


class DifferentialEntry(TypedDict):
    """One label of the differential with its probability."""

    #: a label of the vocabulary (never ``undetermined``)
    label: Label
    #: P(the criteria give this label once the unknown findings are known | known findings), rounded to 4
    #: decimals by the largest-remainder method (the entries sum to exactly 1)
    probability: float


class DifferentialModel(TypedDict):
    """Which model and reading the differential was computed with, and how far to trust it."""

    #: version of the differential's model (:data:`myoclass.reasoning.differential_model.MODEL_VERSION`)
    version: str
    #: reading policy: ``clinic`` (unknown = not assessed) or ``record`` (a salient finding not mentioned is weak
    #: evidence of its absence)
    reading: Reading
    #: bound on the total-variation distance to the exact differential (0 when ``differential_exact``)
    error_bound: float
    #: how many assumed (not sourced) numbers of the model the result rests on
    assumed_numbers: int
    #: up to five assumed evidence numbers under the leading condition
    assumed_examples: list[str]
    #: true when the known findings are impossible under the model and every probability was kept away from 0
    #: and 1
    relaxed: bool


class CriterionItem(TypedDict):
    """One item of a criteria set and its state for this case."""

    #: the item's id within its set
    id: str
    #: the item in the paper's words
    label: str
    #: true = met, false = not met, null = unknown
    state: bool | None
    #: the item's weight for this case (EULAR/ACR 2017 only: by whether a biopsy was done; null while that is
    #: unknown); null for unweighted sets
    weight: float | None
    #: short citation with DOI/PMID
    citation: str
    #: verification tag of the item (R = not checked against the primary paper)
    verification: Verification
    #: true when ``verification`` is R
    unverified: bool
    #: present when the item carries a note: the item's own note, or why its state is what it is (an unknown mimic
    #: finding presumed absent; no muscle biopsy has been done)
    note: NotRequired[str]


class EularItem(CriterionItem):
    """An item of EULAR/ACR 2017, with both published weights."""

    #: weight when no biopsy was done (null for the biopsy items)
    weight_without_biopsy: float | None
    #: weight when a biopsy was done
    weight_with_biopsy: float


class _SetResultBase(TypedDict):
    """What every criteria set reports."""

    #: the set's title
    title: str
    #: the set's version
    version: str
    #: met, not met, or undetermined while unknown findings could change it
    status: SetStatus
    #: the category in the set's own words (``docs/criteria.md``), ``undetermined``, or the set's not-met category
    category: str
    #: every category some completion of the unknown findings could give
    possible_categories: list[str]
    #: full reference with DOI/PMID
    citation: str
    #: the set's verification tag
    verification: Verification
    #: the set's notes
    notes: list[str]


class CriteriaSetResult(_SetResultBase):
    """One criteria set (all but EULAR/ACR 2017)."""

    #: the set's items in order
    items: list[CriterionItem]


class EularCutoffs(TypedDict):
    """The score cut-offs in force (points), by the ``eular_cutoffs`` policy and the weight set."""

    #: lowest score of possible IIM
    possible: float
    #: lowest score of probable IIM
    probable: float
    #: lowest score of definite IIM
    definite: float


class EularSetResult(_SetResultBase):
    """EULAR/ACR 2017: the score, the probability of IIM and the subgroup."""

    #: the set's items in order, with both weights
    items: list[EularItem]
    #: the weight set that applies; null while it is unknown whether a biopsy was done
    model: EularModel | None
    #: the score (points) when settled; null while unknown findings could change it
    score: float | None
    #: lowest score any completion of the unknown findings could give
    score_min: float
    #: highest score any completion of the unknown findings could give
    score_max: float
    #: P(IIM) (a fraction from 0 to 1) when the score is settled, else null
    probability: float | None
    #: lowest P(IIM) any completion could give
    probability_min: float
    #: highest P(IIM) any completion could give
    probability_max: float
    #: the subgroup when settled, else null
    subgroup: EularSubgroup | None
    #: every subgroup some completion could give
    possible_subgroups: list[EularSubgroup]
    #: present when ``model`` is known: the cut-offs in force
    cutoffs: NotRequired[EularCutoffs]


class Criteria(TypedDict):
    """Every criteria set by id, in output order (:data:`myoclass.criteria.SET_MODULES`)."""

    #: 224th ENMC workshop (2016/2018): immune-mediated necrotizing myopathy
    enmc_2017_imnm: CriteriaSetResult
    #: 2017 EULAR/ACR classification criteria for adult and juvenile IIM
    eular_acr_2017: EularSetResult
    #: 119th ENMC workshop (2003): IIM other than IBM
    enmc_2003_iim: CriteriaSetResult
    #: 188th ENMC workshop (2011): inclusion body myositis
    enmc_2011_ibm: CriteriaSetResult
    #: Connors et al. 2010: antisynthetase syndrome
    connors_2010_ass: CriteriaSetResult
    #: Bohan & Peter 1975: PM/DM (historical)
    bohan_peter_1975: CriteriaSetResult


class LeadingAfter(TypedDict):
    """Where the differential would lead once a next test gives one result."""

    #: the label of the differential that would then be most probable (never ``undetermined``)
    label: Label
    #: its probability then, P(label | known findings and this result), rounded to 4 decimals (never 1 while
    #: another label keeps some probability)
    probability: float


class NextTest(TypedDict):
    """A finding to find out next, most informative first."""

    #: the flat-case key (data dictionary) whose value to find out
    finding: str
    #: ``decides``: its result changes the label or narrows ``reachable_labels``; ``rules_out``: an unknown mimic
    #: finding to rule out while a diagnosis of exclusion is reachable; ``informs``: while the label is open, a
    #: finding no result of which changes ``reachable_labels`` but which moves the differential (expected
    #: information at least 0.1 bits; at most 5, of history, examination, antibodies, organ involvement, EMG
    #: and MRI)
    purpose: Purpose
    #: the label if the finding is present / positive (a biopsy: if one were done); null for banded findings,
    #: ``rules_out`` and ``informs`` (whose results leave the label open: see ``leading_if``)
    if_true: LabelOrUndetermined | None
    #: the label if the finding is absent / negative; null for banded findings, ``rules_out`` and ``informs``
    if_false: LabelOrUndetermined | None
    #: present for boolean ``decides`` findings: the labels still possible if present
    reachable_if_true: NotRequired[list[Label]]
    #: present for boolean ``decides`` findings: the labels still possible if absent
    reachable_if_false: NotRequired[list[Label]]
    #: present for banded findings (a value of several bands, e.g. CK relative to its upper limit): the label
    #: for each still-possible band
    outcomes: NotRequired[dict[str, LabelOrUndetermined]]
    #: present for banded findings: the labels still possible for each still-possible band (as
    #: ``reachable_if_true``/``reachable_if_false`` for a boolean)
    reachable_outcomes: NotRequired[dict[str, list[Label]]]
    #: what each result would do, in words
    why: str
    #: what to do to find out, in the clinic's words
    test: str
    #: probability that the finding is present under the differential's model; null for banded findings and for a
    #: biopsy not done (an action, not an unknown finding)
    p_present: float | None
    #: present for banded findings: the probability of each band (for ``statin_withdrawal_outcome`` while
    #: ``statin_exposure`` is unknown: the probability that a statin was taken and the course is that value, so
    #: they sum to the probability of a statin; the rest is no statin)
    p_values: NotRequired[dict[str, float]]
    #: expected drop of the differential's entropy (bits) once the finding is known
    expected_information: float
    #: present for the findings the differential weighs, and for a biopsy not done (``true`` only: where the
    #: differential would lead once a biopsy is done, its findings unknown): for each result with some
    #: probability (``true``/``false``, or the band or value, as ``p_values``), where the differential would lead
    #: once that result is known, from the same joints as ``expected_information``; a band of a number (age at
    #: onset, CK) as a band (the number itself can tell more, e.g. the symptom duration). In the ``record``
    #: reading, the first antibody result also changes what the silence about the others means; that is not in it
    leading_if: NotRequired[dict[str, LeadingAfter]]


class GuidanceItem(TypedDict):
    """Advice that applies to this case, with its source."""

    #: stable id of the advice
    id: str
    #: the advice
    text: str
    #: short citation(s) with DOI/PMID
    citation: str
    #: verification tag
    verification: Verification
    #: true when ``verification`` is R
    unverified: bool
    #: only on an item shown because the differential makes its label likely (at least 0.8) while the criteria
    #: leave the label open: that label (the text then starts "Likely <label> (<share> in the differential; the
    #: criteria leave it open).")
    likely_label: NotRequired[Label]


class CancerScreeningFactor(TypedDict):
    """One risk factor of the IMACS 2023 cancer-screening guideline and its state."""

    #: the factor's id
    id: str
    #: the factor in words
    label: str
    #: high-risk or intermediate-risk factor
    tier: Literal["high", "intermediate"]
    #: true = present, false = absent, null = unknown
    state: bool | None
    #: verification tag
    verification: Verification
    #: true when ``verification`` is R
    unverified: bool


class CancerScreeningPanels(TypedDict):
    """The screening panels."""

    #: the basic panel
    basic: list[str]
    #: the enhanced panel
    enhanced: list[str]


class CancerScreening(TypedDict):
    """Cancer-screening risk category, panels and timing after the IMACS 2023 guideline."""

    #: full reference of the guideline
    guideline: str
    #: true: the guideline applies (an adult IIM other than IBM is classified, or every label still possible is one,
    #: e.g. IMNM met with its subtype open); false: it does not (no IIM reachable, juvenile onset, or inclusion body
    #: myositis, which the risk tiers do not cover); null: it applies once an IIM is confirmed
    applicable: bool | None
    #: the risk category when settled (and the guideline may apply), else null
    risk: Risk | None
    #: every risk category the unknown factors allow (empty when the guideline does not apply)
    possible_risks: list[Risk]
    #: every factor with its state
    factors: list[CancerScreeningFactor]
    #: why, in words: the factors present that set the category (for a range, the category so far and the unknown
    #: factors that could raise it); where the guideline does not apply, why not
    reasons: list[str]
    #: the rule that combines the factors
    rule: str
    #: the panels
    panels: CancerScreeningPanels
    #: the screening timing for each possible risk category
    timing: dict[Risk, str]
    #: notes on applicability and options, and the label's own cancer evidence beside the factors (e.g. synchronous
    #: cancer in anti-HMGCR and antibody-negative IMNM)
    notes: list[str]
    #: verification tag of the tiering and panels
    verification: Verification
    #: short citations
    sources: list[str]


class PolicyChoices(TypedDict):
    """The policies the assessment was made under (:class:`myoclass.criteria.Policy`)."""

    #: EULAR/ACR 2017: classify by the published score cut-offs or by the probability cut-offs
    eular_cutoffs: Literal["score", "probability"]
    #: EULAR/ACR 2017: what a case without DM rash needs to be classified as IIM
    eular_rash_free: Literal["biopsy_required", "biopsy_features_required", "off"]
    #: ENMC 224: whether proximal weakness is required for the seropositive subtypes
    enmc_weakness_required: bool


class Versions(TypedDict):
    """The software's version and each criteria set's version."""

    #: myoclass
    myoclass: str
    #: 224th ENMC workshop, IMNM
    enmc_2017_imnm: str
    #: EULAR/ACR 2017
    eular_acr_2017: str
    #: ENMC 2003, IIM
    enmc_2003_iim: str
    #: ENMC 2011, IBM
    enmc_2011_ibm: str
    #: Connors 2010, antisynthetase syndrome
    connors_2010_ass: str
    #: Bohan & Peter 1975
    bohan_peter_1975: str


class InputField(TypedDict):
    """One flat-case field read from a chart (FHIR) or a phenopacket, and where it came from."""

    #: the flat case's field (data dictionary key)
    field: str
    #: the references of the resources (``Observation/ck-1``) or the phenopacket terms that gave it
    sources: list[str]
    #: how it was chosen when several resources spoke to it (e.g. the highest CK relative to its ULN)
    note: NotRequired[str]
    #: true when resources disagreed; ``note`` says what was chosen and why
    conflict: NotRequired[bool]


class InputUnmapped(TypedDict):
    """An item of the chart or packet that was not mapped to the flat case (never dropped silently)."""

    #: the resource (``Observation/abc``, or ``Observation #3`` without an id; in a phenopacket, its path)
    resource: str
    #: its code (``system|code``), or ``""`` when it has none
    code: str
    #: why it was not mapped
    reason: str


class InputReport(TypedDict):
    """Where the case came from: present when ``myoclass assess`` or ``POST /api/v1/assess`` read the case
    from a FHIR chart or a phenopacket."""

    #: the input's format
    format: Literal["flat", "fhir", "phenopacket"]
    #: FHIR or a phenopacket: every field read, with its sources
    read: NotRequired[list[InputField]]
    #: FHIR or a phenopacket: every item not mapped, with the reason
    unmapped: NotRequired[list[InputUnmapped]]
    #: a phenopacket: what it leaves unsaid where a field needs more (e.g. only an ancestor HPO term)
    warnings: NotRequired[list[str]]
    #: a phenopacket: the HPO release its terms were read with
    hpo_version: NotRequired[str]


class Assessment(TypedDict):
    """One case's assessment: what ``myoclass.assess()``, ``myoclass assess -f json`` and ``POST /api/v1/assess``
    return."""

    #: the contract's version: ``"1"``
    schema_version: Literal["1"]
    #: the case's ``case_id``, echoed (null when the case has none)
    case_id: str | None
    #: the answer in brief
    summary: Summary
    #: P(label) once the unknown findings are known, most probable first; labels with a non-zero rounded share
    #: only; the probabilities sum to 1
    differential: list[DifferentialEntry]
    #: false: the differential was computed within ``differential_model.error_bound``
    differential_exact: bool
    #: how the differential was computed
    differential_model: DifferentialModel
    #: every criteria set's verdict, categories and items
    criteria: Criteria
    #: what to find out next, most informative first
    next_tests: list[NextTest]
    #: advice that applies, with sources
    guidance: list[GuidanceItem]
    #: cancer-screening risk, panels and timing (IMACS 2023)
    cancer_screening: CancerScreening
    #: policy choices that decided, unverified items the label rests on, discordant sets, assay caveats
    warnings: list[str]
    #: the policies in force
    policy: PolicyChoices
    #: software and criteria set versions
    versions: Versions
    #: where the case came from, when it was read from a FHIR chart or a phenopacket: the fields read and the items
    #: not mapped
    input: NotRequired[InputReport]


# ---------------------------------------------------------------------------------------------
# introspection: field documentation, the JSON Schema, the flat projection
# ---------------------------------------------------------------------------------------------


def typed_dicts(root: Any = None) -> list[type]:
    """Every TypedDict reachable from ``root`` (default :class:`Assessment`), depth first in field order."""
    out: list[type] = []

    def visit(tp: Any) -> None:
        if is_typeddict(tp):
            if tp in out:
                return
            out.append(tp)
            for hint in get_type_hints(tp).values():
                visit(hint)
            return
        for arg in get_args(tp):
            visit(arg)

    visit(Assessment if root is None else root)
    return out


@lru_cache(maxsize=1)
def _comments() -> dict[str, dict[str, str]]:
    """``{class name: {field: its #: comment}}`` read from this module's source (``""``: module-level names)."""
    try:
        source = inspect.getsource(sys.modules[__name__])
    except (OSError, TypeError):  # no source (e.g. bytecode only): no field documentation
        return {}
    lines = source.splitlines()

    def comment_above(stmt: ast.stmt) -> str:
        doc: list[str] = []
        i = stmt.lineno - 2
        while i >= 0 and lines[i].strip().startswith("#:"):
            doc.insert(0, lines[i].strip()[2:].strip())
            i -= 1
        return " ".join(doc)

    out: dict[str, dict[str, str]] = {"": {}}  # "": the module's own names
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            out[""][node.targets[0].id] = comment_above(node)
        if isinstance(node, ast.ClassDef):
            out[node.name] = {stmt.target.id: comment_above(stmt) for stmt in node.body
                              if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)}
    return out


def field_docs(td: type) -> dict[str, str]:
    """Each field of the TypedDict ``td`` (own and inherited) with its ``#:`` comment, in declaration order."""
    comments = _comments()
    docs: dict[str, str] = {}

    def collect(klass: Any) -> None:  # a TypedDict's bases are not in its __mro__, only in __orig_bases__
        for base in getattr(klass, "__orig_bases__", ()):
            if is_typeddict(base):
                collect(base)
        docs.update(comments.get(klass.__name__, {}))

    collect(td)
    return {name: docs.get(name, "") for name in get_type_hints(td)}


def alias_docs() -> dict[str, str]:
    """Each module-level type alias (the vocabularies) with its ``#:`` comment (``Label`` is defined with the
    label vocabulary, in :mod:`myoclass.model.labels`)."""
    return {"Label": "a label of the vocabulary, in precedence order (`myoclass.model.labels.LABELS`)",
            **_comments().get("", {})}


def _close(node: Any, doc_of: dict[str, dict[str, str]] | None) -> None:
    """Forbid undeclared keys on every object with declared properties; drop pydantic's per-property titles and
    add each property's description (``doc_of``: per schema name)."""
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            node.setdefault("additionalProperties", False)
            docs = (doc_of or {}).get(node.get("title", ""), {})
            for name, sub in props.items():
                if isinstance(sub, dict):
                    sub.pop("title", None)
                    if docs.get(name):
                        sub["description"] = docs[name]
        for v in node.values():
            _close(v, doc_of)
    elif isinstance(node, list):
        for v in node:
            _close(v, doc_of)


def assessment_json_schema(ref_template: str = "#/$defs/{model}") -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :class:`Assessment`, generated from the TypedDicts with pydantic.

    Every object forbids undeclared keys (``additionalProperties: false``); each property carries its field's
    documentation as ``description``. With the default ``ref_template`` the schema is self-contained (its
    references point into its own ``$defs``); the REST API passes ``"#/components/schemas/{model}"``.
    Raises :class:`ImportError` when pydantic is not installed (``pip install 'myoclass[web]'``).
    """
    try:
        from pydantic import TypeAdapter
    except ImportError as e:  # pragma: no cover - pydantic comes with the web extra
        raise ImportError("the assessment JSON Schema needs pydantic 2: pip install 'myoclass[web]'") from e
    schema = TypeAdapter(Assessment).json_schema(ref_template=ref_template)
    doc_of = {td.__name__: field_docs(td) for td in typed_dicts()}
    _close(schema, doc_of)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


#: the machine-readable keys of a next test that the flat projection carries (in its ``next_tests`` JSON text)
NEXT_TEST_FLAT_KEYS = ("finding", "purpose", "if_true", "if_false", "outcomes", "p_present", "p_values",
                       "expected_information")

#: columns of a batch result that are not in the assessment
BATCH_ONLY_COLUMNS = {
    "row": "the row number in the input batch (int64)",
    "reference_label": "the input's reference (final) diagnosis, passed through as text; only when the input has that "
                       "column",
    "next_tests_exact": "false where the next tests may be missing or ranked on a partial analysis (the library says "
                        "so in a warning)",
}

_EULAR_FLAT = ("model", "score", "score_min", "score_max", "probability", "probability_min", "probability_max",
               "subgroup")


def flat_projection() -> dict[str, tuple[str, ...]]:
    """The flat projection of an assessment (one row per case, as ``myoclass batch`` writes it): each column with
    the path of the assessment field it carries.

    Columns: ``case_id``; the summary's ``label``, ``certainty``, ``reachable_labels``, ``reachable_labels_exact``,
    ``leading_label``, ``leading_probability``; ``differential``, ``differential_exact``; ``<set>_status`` and
    ``<set>_category`` of every set; ``eular_acr_2017_<field>`` for the EULAR/ACR score fields; and ``next_tests``
    (each entry cut to :data:`NEXT_TEST_FLAT_KEYS`). Lists and objects are carried as JSON text.
    """
    cols: dict[str, tuple[str, ...]] = {"case_id": ("case_id",)}
    for k in ("label", "certainty", "reachable_labels", "reachable_labels_exact", "leading_label",
              "leading_probability"):
        cols[k] = ("summary", k)
    cols["differential"] = ("differential",)
    cols["differential_exact"] = ("differential_exact",)
    for sid in get_type_hints(Criteria):
        cols[f"{sid}_status"] = ("criteria", sid, "status")
        cols[f"{sid}_category"] = ("criteria", sid, "category")
    for k in _EULAR_FLAT:
        cols[f"eular_acr_2017_{k}"] = ("criteria", "eular_acr_2017", k)
    cols["next_tests"] = ("next_tests",)
    return cols


def _field_type(path: tuple[str, ...]) -> Any:
    tp: Any = Assessment
    for key in path:
        tp = get_type_hints(tp)[key]
        if get_origin(tp) is NotRequired:
            tp = get_args(tp)[0]
    return tp


def flat_column_kind(path: tuple[str, ...]) -> str:
    """The flat type of the assessment field at ``path``: ``string``, ``bool``, ``float``, ``int`` or ``json``
    (a list or object, carried as JSON text). ``None`` in a union is the column's null."""
    tp = _field_type(path)
    if get_origin(tp) in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1:
            tp = args[0]
    if get_origin(tp) is Literal or tp is str:
        return "string"
    if tp is bool:
        return "bool"
    if tp is float:
        return "float"
    if tp is int:
        return "int"
    if get_origin(tp) in (list, dict) or is_typeddict(tp):
        return "json"
    raise TypeError(f"no flat type for {'.'.join(path)}: {tp!r}")
