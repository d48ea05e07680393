"""A record that was read but not accepted: one type for every reader (JSON, JSON Lines, CSV, Parquet, batch)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Reject"]


@dataclass(frozen=True)
class Reject:
    """Where the record is, its ``case_id`` when it has a text one, and why it was not accepted.

    ``row`` is the record's 1-based line in its file (JSON Lines, CSV: a row with a line break in a
    quoted cell has its first line), its 1-based number in a JSON array, its row number in a Parquet
    file (from 0), or, from :func:`myoclass.batch.score.score_batch`, its row in the batch (counted from
    ``first_row``). ``reason`` names each bad field and what is allowed."""

    row: int
    case_id: str | None
    reason: str
