"""myoclass: classify and follow immune-mediated necrotizing myopathy among the inflammatory myopathies."""

__version__ = "0.1.0"

from myoclass.criteria import Policy, criteria_sets
from myoclass.model.case import Case, InvalidCase, parse_case
from myoclass.reasoning.assess import assess, assess_case

__all__ = ["Case", "InvalidCase", "Policy", "__version__", "assess", "assess_case", "criteria_sets", "parse_case"]
