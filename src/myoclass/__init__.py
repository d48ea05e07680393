"""myoclass: classify and follow immune-mediated necrotizing myopathy among the inflammatory myopathies."""

__version__ = "0.1.0"

from myoclass.criteria import Policy, criteria_sets
from myoclass.errors import (
    Busy,
    InvalidCase,
    InvalidJSON,
    InvalidMeasure,
    MyoclassError,
    TooDeep,
    UnknownColumn,
    UnsafeOutput,
)
from myoclass.model.case import Case, parse_case
from myoclass.reasoning.assess import assess, assess_case

__all__ = ["Busy", "Case", "InvalidCase", "InvalidJSON", "InvalidMeasure", "MyoclassError", "Policy", "TooDeep",
           "UnknownColumn", "UnsafeOutput", "__version__", "assess", "assess_case", "criteria_sets", "parse_case"]
