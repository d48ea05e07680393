"""The label vocabulary of the assessment: every bottom-line label, in precedence order.

``undetermined`` is not a label of this tuple: it is what the strict label says when the known
findings leave more than one label reachable. The rules that give each label, and why they come in
this order, are in :mod:`myoclass.reasoning.engine`; the rules of the first six labels hold only
without a genetic diagnosis, so a known genotype gives ``hereditary_myopathy`` although that label
comes seventh here.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["ADULT_IIM_BUT_IBM_LABELS", "IIM_LABELS", "IMNM_LABELS", "LABELS", "RULE_LABELS", "UNDETERMINED", "Label"]

#: a label of the vocabulary (the type; :data:`LABELS` holds its values in precedence order)
Label = Literal[
    "imnm_anti_hmgcr",
    "imnm_anti_srp",
    "antisynthetase",
    "jdm",
    "dm",
    "adm",
    "hereditary_myopathy",
    "statin_toxic_myopathy",
    "other_non_immune",
    "ibm",
    "juvenile_myositis_other",
    "imnm_seronegative",
    "nonspecific_myositis",
    "pm",
    "not_iim",
]
#: every label of the vocabulary, in precedence order (``undetermined`` is not a rule)
LABELS: tuple[str, ...] = get_args(Label)
#: the strict label when the known findings leave more than one label reachable
UNDETERMINED = "undetermined"
#: the three IMNM subtypes (ENMC 224): anti-HMGCR, anti-SRP and antibody-negative
IMNM_LABELS: tuple[str, ...] = ("imnm_anti_hmgcr", "imnm_anti_srp", "imnm_seronegative")
#: the idiopathic inflammatory myopathies among the labels, in precedence order
IIM_LABELS: tuple[str, ...] = ("imnm_anti_hmgcr", "imnm_anti_srp", "antisynthetase", "jdm", "dm", "adm", "ibm",
                               "juvenile_myositis_other", "imnm_seronegative", "nonspecific_myositis", "pm")
#: the adult inflammatory myopathies other than inclusion body myositis (PM, DM, antisynthetase syndrome, IMNM and
#: non-specific myositis): the population of the IMACS 2023 cancer-screening tiers and of the 2023 ACR/CHEST
#: guideline's IIM-ILD
ADULT_IIM_BUT_IBM_LABELS: tuple[str, ...] = tuple(
    x for x in IIM_LABELS if x not in ("ibm", "jdm", "juvenile_myositis_other"))
#: the labels set by myoclass's own label rules, not by a published criteria set (the label precedence of the README:
#: a genetic diagnosis or dystrophic biopsy staining; a statin myopathy resolved off the statin with anti-HMGCR
#: negative; hypothyroidism or a myotoxic drug)
RULE_LABELS: tuple[str, ...] = ("hereditary_myopathy", "statin_toxic_myopathy", "other_non_immune")
