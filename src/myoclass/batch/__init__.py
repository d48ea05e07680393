"""Cohort scale: the criteria over Arrow batches (see :mod:`myoclass.batch.columnar`)."""
