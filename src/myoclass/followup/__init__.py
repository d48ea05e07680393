"""Following a patient over visits: MMT-8 totals and the ACR/EULAR Total Improvement Score."""

from myoclass.followup.mmt8 import MUSCLES, mmt8
from myoclass.followup.tis import MEASURES, total_improvement_score

__all__ = ["MEASURES", "MUSCLES", "mmt8", "total_improvement_score"]
