"""CSV as people write it: a malformed row is a reject with its line, never the end of the run.

The file is read in windows of whole rows. A vectorised scan (numpy, over the bytes) finds where each
row starts and ends, its line in the file and how many cells it has, with the quoting rules of Arrow's
CSV parser (RFC 4180: a quote opens a quoted cell only at the start of a cell, ``""`` inside one is a
quote, a quoted cell may hold commas and line breaks). Then:

- a row with the header's number of cells is parsed by Arrow (all text; only an empty cell becomes
  unknown later, never ``NA`` or ``null``);
- a row with another number of cells is rejected: ``N cells, but the header has M``;
- an **unbalanced quote** (a quoted cell that is never closed) makes the scan read on to the next
  quote. When the row it makes does not fit the header (or the file ends inside the quote), only the
  line where the quote opened is rejected and reading resumes on the next line. A region that happens
  to fit the header stays one row with a line break in a cell (RFC 4180 cannot tell it from a real
  multi-line cell; the row's values then name the problem, or its cells are text);
- a row longer than :data:`MAX_ROW_BYTES` is rejected (a quote left open at the start of a huge file
  cannot hold the whole file in memory);
- a row Arrow still cannot read (for example text that is not UTF-8) is found by halving the window
  and rejected alone.

Every row keeps its line in the file (a row with a line break in a quoted cell: its first line); blank
lines are skipped.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from myoclass.io.rejects import Reject

__all__ = ["MAX_ROW_BYTES", "encoding_problem", "names_problem", "read_header", "read_rows"]

#: bytes read at a time
WINDOW = 1 << 23
#: the longest row accepted
MAX_ROW_BYTES = 1 << 20
_SMALL = 1 << 16  # the window after an unbalanced quote (a resumed scan only rereads a little)
_QUOTE, _COMMA, _LF, _CR, _SPACE, _TAB = 34, 44, 10, 13, 32, 9
_BOM = b"\xef\xbb\xbf"


@dataclass
class _Scanned:
    spans: list[tuple[int, int]] = field(default_factory=list)  # good rows: [start, next start) in the view
    lines: list[int] = field(default_factory=list)  # the line of each good row
    whole: bool = True  # the good rows and blank lines are all of view[:consumed]
    problems: list[Reject] = field(default_factory=list)
    consumed: int = 0
    lines_consumed: int = 0
    resumed: bool = False  # stopped at an unbalanced quote: the rest is scanned again from the next line
    skip_line: bool = False  # an over-long line: drop bytes up to the next line break


def _toggles(v: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Positions where quoting starts or stops (a quote that opens or closes a quoted cell).

    Every quote toggles when all opening quotes sit at the start of a cell, as in well-formed CSV
    (``""`` inside a quoted cell toggles twice); otherwise a quote inside an unquoted cell is text, as
    Arrow reads it, found by a walk over the quotes only."""
    if q.size == 0:
        return q
    opening = q[0::2]
    prev = v[np.maximum(opening - 1, 0)]
    ok = (opening == 0) | (prev == _COMMA) | (prev == _LF) | (prev == _CR) | (prev == _QUOTE)
    if ok.all():
        return q
    out: list[int] = []
    inside = False
    qs = q.tolist()
    i = 0
    while i < len(qs):
        p = qs[i]
        if inside:
            if i + 1 < len(qs) and qs[i + 1] == p + 1:  # "" inside a quoted cell
                i += 2
                continue
            inside = False
            out.append(p)
        elif p == 0 or int(v[p - 1]) in (_COMMA, _LF, _CR):
            inside = True
            out.append(p)
        i += 1
    return np.array(out, dtype=np.int64)


def _breaks(v: np.ndarray, final: bool) -> np.ndarray:
    """Where lines end: each line feed, and a carriage return not followed by one (at the very end of the
    view only once the file ends there)."""
    n = len(v)
    term = np.flatnonzero(v == _LF)
    cr = np.flatnonzero(v == _CR)
    if cr.size:
        after = np.minimum(cr + 1, n - 1)
        lone = cr[np.where(cr + 1 < n, v[after] != _LF, final)]
        if lone.size:
            term = np.union1d(term, lone)
    return term


def _inside(n: int, toggles: np.ndarray) -> np.ndarray | None:
    """For each byte, 1 when it is inside a quoted cell (None when nothing is quoted)."""
    if toggles.size == 0:
        return None
    mark = np.zeros(n, dtype=np.uint8)
    mark[toggles] = 1
    inside: np.ndarray = np.bitwise_xor.accumulate(mark)
    return inside


def _outside(pos: np.ndarray, inside: np.ndarray | None) -> np.ndarray:
    """The positions of ``pos`` (never quotes themselves) outside quoted cells."""
    if inside is None:
        return pos
    kept: np.ndarray = pos[inside[pos] == 0]
    return kept


def _cells(data: bytes) -> list[str]:
    try:
        return next(csv.reader(io.StringIO(data.decode("utf-8", "replace"), newline="")), [])
    except csv.Error:
        return []


def _scan(v: np.ndarray, line0: int, ncols: int, final: bool, id_col: int | None, cells: bool) -> _Scanned:
    """Rows of the view ``v`` (whole rows from its start); ``final``: the view ends the file.

    With ``cells`` false the rows are taken to have the header's number of cells (Arrow checks that as
    it parses: the scan is only repeated with ``cells`` for a window where it finds a row that has not)."""
    n = len(v)
    out = _Scanned()
    toggles = _toggles(v, np.flatnonzero(v == _QUOTE))
    term = _breaks(v, final)
    ends = term[(np.searchsorted(toggles, term) & 1) == 0] if toggles.size else term  # line breaks ending rows
    starts = np.concatenate(([0], ends + 1))[: len(ends)]
    nexts = ends + 1
    tail_open = False
    if final and (not ends.size or ends[-1] + 1 < n):  # a last row without a line break
        tail = int(ends[-1]) + 1 if ends.size else 0
        starts, ends, nexts = np.append(starts, tail), np.append(ends, n), np.append(nexts, n)
        tail_open = bool(toggles.size & 1)
    if not ends.size:  # no whole row in the view
        if n <= MAX_ROW_BYTES or final:
            return out
        if term.size:  # an open quote runs on past the limit: drop its first line and read on
            first = int(term[0])
            cid = _cell(v[:first].tobytes(), id_col)
            out.problems.append(Reject(line0, cid, _unbalanced(line0)))
            out.consumed, out.lines_consumed, out.resumed = first + 1, 1, True
        else:
            out.problems.append(Reject(line0, None, f"(line): longer than {MAX_ROW_BYTES:,} bytes; allowed: "
                                                        "shorter rows"))
            out.consumed, out.skip_line = n, True
        return out
    body_end = ends - ((ends > starts) & (v[np.maximum(ends - 1, 0)] == _CR) & (ends < n)
                       & (v[np.minimum(ends, n - 1)] == _LF))  # without the \r of \r\n
    if cells:
        delims = _outside(np.flatnonzero(v == _COMMA), _inside(n, toggles))
        ncells = np.searchsorted(delims, body_end) - np.searchsorted(delims, starts) + 1
    else:
        ncells = np.full(len(starts), ncols)
    first_term = np.searchsorted(term, starts)
    lines = line0 + first_term
    multi = np.searchsorted(term, body_end) > first_term
    blank = body_end == starts
    # a row of nothing but commas (and spaces or tabs), as spreadsheets export below the data, is blank too
    filled = np.concatenate(([0], np.cumsum((v != _COMMA) & (v != _SPACE) & (v != _TAB))))
    commas_only = ~blank & (filled[body_end] == filled[starts])
    blank |= commas_only
    too_long = (nexts - starts) > MAX_ROW_BYTES
    broken = ~blank & multi  # a quoted cell over a line break: no field holds one, so an unbalanced quote
    good = ~blank & ~broken & (ncells == ncols) & ~too_long
    if tail_open:
        good[-1] = False
        broken[-1] = True
    stop = int(np.argmax(broken)) if broken.any() else len(good)
    keep = good[:stop]
    rejected = ~blank[:stop] & ~keep
    out.whole = not rejected.any() and not commas_only[:stop].any()  # Arrow would read such a row as a case
    idx = np.flatnonzero(keep)
    out.spans = list(zip(starts[idx].tolist(), nexts[idx].tolist(), strict=True))
    out.lines = lines[idx].tolist()
    for j in np.flatnonzero(rejected).tolist():
        s, e = int(starts[j]), int(body_end[j])
        cid = _cell(v[s:e].tobytes(), id_col)
        if too_long[j]:
            why = f"(line): longer than {MAX_ROW_BYTES:,} bytes; allowed: shorter rows"
        else:
            why = (f"(row): {int(ncells[j])} cells, but the header has {ncols}; allowed: exactly {ncols} cells "
                   "(quote a cell that holds a comma)")
        out.problems.append(Reject(int(lines[j]), cid, why))
    if stop < len(good):  # an unbalanced quote: reject its first line, resume on the next
        s = int(starts[stop])
        k = int(first_term[stop])
        nxt = int(term[k]) + 1 if multi[stop] else n
        if nxt < n and not (final and not v[nxt:n].tobytes().strip()):  # lines follow: read them again
            cid = _cell(v[s:int(term[k])].tobytes(), id_col)
            out.problems.append(Reject(int(lines[stop]), cid, _unbalanced(int(lines[stop]))))
            out.consumed, out.lines_consumed, out.resumed = nxt, k + 1, True
        else:  # a quote opened on the file's last line
            cid = _cell(v[s:nxt].tobytes(), id_col)
            out.problems.append(Reject(int(lines[stop]), cid, "(line): unbalanced quote: a quoted cell is not "
                                                                  "closed before the end of the file"))
            out.consumed, out.lines_consumed = n, int(np.searchsorted(term, n))
        out.whole = False
        return out
    out.consumed = int(nexts[-1])
    out.lines_consumed = int(np.searchsorted(term, out.consumed))
    return out


def _unbalanced(line: int) -> str:
    return ("(line): unbalanced quote: a quoted cell opened on this line runs over the line break (no field "
            f"holds a line break); allowed: each row on one line. This line is skipped; reading resumes on "
            f"line {line + 1}")


def _cell(row: bytes, col: int | None) -> str | None:
    if col is None:
        return None
    cells = _cells(row)
    if col < len(cells) and cells[col].strip():
        return cells[col].strip()
    return None


def encoding_problem(start: bytes) -> str | None:
    """Why a file starting with ``start`` is not UTF-8 CSV, or None: UTF-16 (a spreadsheet's "Unicode text" export,
    a NUL every other byte in its header line)."""
    if start.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in start[:200].split(b"\n", 1)[0]:
        return 'the file is UTF-16 encoded; allowed: UTF-8 (save it as "CSV UTF-8")'
    return None


def names_problem(names: list[str]) -> str | None:
    """Why a header's column names (stripped) cannot be read, or None: a column without a name (a trailing comma),
    or a name given twice (which value is meant cannot be known). Both engines apply it."""
    blank = [i + 1 for i, x in enumerate(names) if not x]
    if blank:
        return (f"column {blank[0]} of the header has no name (a trailing comma?); allowed: every column named by a "
                "key of the data dictionary")
    dup = sorted({x for x in names if names.count(x) > 1})
    if dup:
        return f"column {dup[0]!r} appears more than once in the header; allowed: each column once"
    return None


def read_header(path: Path) -> tuple[list[str], int, int]:
    """The column names, the byte offset where the rows start and the line of the first row."""
    with open(path, "rb") as fh:
        data = fh.read(WINDOW)
        wrong = encoding_problem(data)
        if wrong:
            raise ValueError(f"{path}: {wrong}")
        skip = len(_BOM) if data.startswith(_BOM) else 0
        while True:
            v = np.frombuffer(data, dtype=np.uint8)[skip:]
            more = b"" if len(v) > MAX_ROW_BYTES else fh.read(WINDOW)
            term = _breaks(v, not more)
            ends = _outside(term, _inside(len(v), _toggles(v, np.flatnonzero(v == _QUOTE))))
            if ends.size or not more:
                break
            data += more
    end = int(ends[0]) if ends.size else len(v)
    head = v[:end].tobytes()
    if not head.strip():
        raise ValueError(f"{path}: no header line; allowed: a first line naming the columns")
    names = _cells(head)
    if not ends.size and len(v) > MAX_ROW_BYTES:
        raise ValueError(f"{path}: the header line is longer than {MAX_ROW_BYTES:,} bytes")
    names = [x.strip() for x in names]
    if len(names) == 1:
        sep = next((c for c in (";", "\t", "|") if c in names[0]), None)
        if sep is not None:
            shown = {"\t": "tab"}.get(sep, repr(sep))
            raise ValueError(f"{path}: the header is one column holding {shown}: the file seems to be separated by "
                             f"{shown}; allowed: comma-separated CSV (RFC 4180), or Parquet or JSON Lines")
    wrong = names_problem(names)
    if wrong:
        raise ValueError(f"{path}: {wrong}")
    return names, skip + min(end + 1, len(v)), 2 + int(np.searchsorted(term, end))


def _parse(data: pa.Buffer, names: list[str]) -> pa.Table:
    skipped = 0

    def count(_row: object) -> str:
        nonlocal skipped
        skipped += 1
        return "skip"

    t = pacsv.read_csv(pa.BufferReader(data),
                       read_options=pacsv.ReadOptions(column_names=names, block_size=2 * MAX_ROW_BYTES + 16),
                       parse_options=pacsv.ParseOptions(invalid_row_handler=count),
                       convert_options=pacsv.ConvertOptions(column_types={x: pa.string() for x in names},
                                                            null_values=[], strings_can_be_null=False,
                                                            quoted_strings_can_be_null=False))
    if skipped:
        raise ValueError(f"{skipped} row(s) not read")
    return t


def _parse_spans(v: np.ndarray, spans: list[tuple[int, int]], lines: list[int], whole_to: int | None,
                 names: list[str], id_col: int | None, top: bool = True) -> tuple[pa.Table, list[int], list[Reject]]:
    """Arrow tables of the good rows (``whole_to``: they are all of ``v[:whole_to]`` but blank lines).

    A window Arrow cannot read is first cleared of rows that are not UTF-8 (each decoded alone), then
    halved until the row that fails is found and rejected alone (Arrow splits it otherwise than the scan)."""
    if not spans:
        return _empty(names), [], []
    data = pa.py_buffer(v[:whole_to]) if whole_to is not None else pa.py_buffer(
        b"".join(v[s:e].tobytes() for s, e in spans))
    try:
        t = _parse(data, names)
        if t.num_rows == len(spans):
            return t, lines, []
    except (pa.ArrowInvalid, ValueError):
        pass
    if len(spans) == 1:
        raw = v[spans[0][0]:spans[0][1]].tobytes()
        return _empty(names), [], [Reject(lines[0], _cell(raw, id_col), _why_unreadable(raw))]
    if top:
        not_utf8 = []
        for k, (s, e) in enumerate(spans):
            try:
                v[s:e].tobytes().decode("utf-8")
            except UnicodeDecodeError:
                not_utf8.append(k)
        if not_utf8:
            drop = set(not_utf8)
            rest = [k for k in range(len(spans)) if k not in drop]
            t, kept, problems = _parse_spans(v, [spans[k] for k in rest], [lines[k] for k in rest], None, names,
                                             id_col, top=False)
            for k in not_utf8:
                raw = v[spans[k][0]:spans[k][1]].tobytes()
                problems.append(Reject(lines[k], _cell(raw, id_col), _why_unreadable(raw)))
            return t, kept, problems
    half = len(spans) // 2
    t1, l1, p1 = _parse_spans(v, spans[:half], lines[:half], None, names, id_col, top=False)
    t2, l2, p2 = _parse_spans(v, spans[half:], lines[half:], None, names, id_col, top=False)
    return pa.concat_tables([t1, t2]), l1 + l2, p1 + p2


def _why_unreadable(raw: bytes) -> str:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "(row): not UTF-8 text; allowed: a file saved as UTF-8"
    return "(row): not readable as one CSV row"  # pragma: no cover - the scan and Arrow agree on rows


def _parse_whole(v: np.ndarray, sc: _Scanned, names: list[str]) -> pa.Table | None:
    """The rows of a scan in one Arrow read, or None when Arrow skips or splits any of them."""
    if not sc.spans:
        return _empty(names)
    data = pa.py_buffer(v[:sc.consumed]) if sc.whole else pa.py_buffer(b"".join(v[s:e].tobytes() for s, e in sc.spans))
    try:
        t = _parse(data, names)
    except (pa.ArrowInvalid, ValueError):
        return None
    return t if t.num_rows == len(sc.spans) else None


def _empty(names: list[str]) -> pa.Table:
    return pa.table({x: pa.array([], pa.string()) for x in names})


def read_rows(path: Path | BinaryIO, names: list[str], offset: int, first_line: int) -> Iterator[
        tuple[pa.Table, np.ndarray, list[Reject]]]:
    """The rows after the header, a window at a time: (text table, the line of each row, rejected rows).

    ``path`` may also be an open binary stream (e.g. lines the Spark engine read), read from ``offset``."""
    ncols = len(names)
    id_col = names.index("case_id") if "case_id" in names else None
    opened: contextlib.AbstractContextManager[BinaryIO] = (
        open(path, "rb") if isinstance(path, Path) else contextlib.nullcontext(path))
    with opened as fh:
        fh.seek(offset)
        buf = fh.read(WINDOW)
        eof = not buf
        pos, line, limit, skipping = 0, first_line, WINDOW, False
        while True:
            if pos >= len(buf) and not eof:
                buf, pos = fh.read(WINDOW), 0
                eof = not buf
            if pos >= len(buf) and eof:
                return
            v = np.frombuffer(buf, dtype=np.uint8)[pos:]
            if skipping:  # the rest of an over-long line
                br = np.flatnonzero((v == _LF) | (v == _CR))
                if not br.size:
                    pos = len(buf)
                    continue
                k = int(br[0])
                k += 1 if v[k] == _CR and k + 1 < len(v) and v[k + 1] == _LF else 0
                pos, line, skipping = pos + k + 1, line + 1, False
                continue
            end = min(len(v), limit)
            final = eof and end == len(v)
            sc = _scan(v[:end], line, ncols, final, id_col, cells=False)
            if sc.consumed == 0:
                if sc.problems:  # pragma: no cover - a scan that rejects always consumes
                    raise AssertionError("CSV scan rejected without reading on")
                if end < len(v):
                    limit *= 2
                    continue
                more = fh.read(WINDOW)
                eof = not more
                buf, pos = buf[pos:] + more, 0
                continue
            t = _parse_whole(v, sc, names)
            bad: list[Reject] = []
            if t is not None:  # the common case: Arrow read every row the scan found, each with its cells
                lines = sc.lines
            else:  # count each row's cells, and read the rows that have the header's number
                sc = _scan(v[:end], line, ncols, final, id_col, cells=True)
                t, lines, bad = _parse_spans(v, sc.spans, sc.lines, sc.consumed if sc.whole else None, names, id_col)
            yield t, np.array(lines, dtype=np.int64), sc.problems + bad
            pos += sc.consumed
            line += sc.lines_consumed
            skipping = sc.skip_line
            limit = _SMALL if sc.resumed else min(2 * limit, WINDOW)
