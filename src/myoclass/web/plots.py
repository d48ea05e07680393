"""Server-side SVG for the registry's patient timeline: pure functions from series to SVG strings.

Every figure is a standalone, well-formed SVG document fragment (``xmlns`` set, every text escaped) with a
``<title>`` and a ``<desc>`` that say in words what it shows (``role="img"`` and ``aria-labelledby``), axes
labelled with their units, and no script or style attribute (the page's CSP allows neither inline). Colours are
presentation attributes, so a figure needs no stylesheet. The figures of one timeline share a time axis
(:class:`TimeScale`), so a treatment bar sits under the CK and MMT-8 points of its months.

* :func:`ck_svg`: CK as a multiple of the upper limit of normal on a log scale (1×, 10×, 100× equally spaced),
  with the upper limit of normal drawn as a line;
* :func:`mmt_svg`: the MMT-8 total on its 0 to maximum scale;
* :func:`treatments_svg`: one bar per treatment from its start to its end (open to the last date if ongoing);
* :func:`tis_svg`: the Total Improvement Score against baseline with the minimal, moderate and major thresholds;
* :func:`differential_svg`: one small stacked bar per visit, the differential's shares.

Nothing here reads the database or the request: the page hands in numbers and dates, so tests can check
the geometry exactly.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

__all__ = [
    "PALETTE",
    "LogScale",
    "TimeScale",
    "ck_svg",
    "differential_svg",
    "log_ticks",
    "mmt_svg",
    "svg_document",
    "time_scale",
    "tis_svg",
    "treatments_svg",
]

#: drawing width (SVG units); the figures scale to their container's width
WIDTH = 480
#: left and right margins inside the drawing: room for the y-axis labels, and for a last point's label
LEFT, RIGHT = 62, 16
FONT = 12
INK, MUTED, LINE, ACCENT, OK, WARN, BAD = "#1b1f24", "#4a5561", "#c9d1d9", "#0b5cad", "#1a6b34", "#8a4b00", "#a4161a"
#: the differential's colours, in order of the labels (AA contrast against white text is not needed: no text on them)
PALETTE = ("#0b5cad", "#1a6b34", "#8a4b00", "#6a3d9a", "#a4161a", "#117a8b", "#56606b", "#b15928", "#3f5f7f", "#7a7a00")


def _t(text: object) -> str:
    """Text for an SVG element or attribute, escaped (quotes too)."""
    return escape(str(text), quote=True)


def _n(x: float) -> str:
    """A coordinate: at most one decimal, no trailing zeros (``12.0`` -> ``12``)."""
    return f"{round(x, 1):g}"


def svg_document(inner: str, *, height: float, title: str, desc: str, id_prefix: str, cls: str = "plot") -> str:
    """An ``<svg>`` with its title and description (both referenced by ``aria-labelledby``)."""
    pid = _t(id_prefix)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="{_t(cls)}" viewBox="0 0 {WIDTH} {_n(height)}" '
            f'role="img" aria-labelledby="{pid}-title {pid}-desc" font-family="system-ui, sans-serif" '
            f'font-size="{FONT}">'
            f'<title id="{pid}-title">{_t(title)}</title><desc id="{pid}-desc">{_t(desc)}</desc>{inner}</svg>')


# --- scales ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TimeScale:
    """Dates to x: ``start`` at the left margin, ``end`` at the right one (a single date: the middle)."""

    start: datetime.date
    end: datetime.date
    left: float = LEFT
    right: float = WIDTH - RIGHT

    def x(self, when: datetime.date) -> float:
        days = (self.end - self.start).days
        if days <= 0:
            return (self.left + self.right) / 2
        return self.left + (when - self.start).days / days * (self.right - self.left)

    def ticks(self) -> list[tuple[datetime.date, str]]:
        """Tick dates with their labels: years for a long span, months (``2024-03``) for a shorter one, the
        dates themselves for a few weeks; at most about six, so the labels never overlap."""
        days = (self.end - self.start).days
        if days <= 0:
            return [(self.start, self.start.isoformat())]
        if days <= 62:
            step = max(1, math.ceil(days / 5))
            out = []
            d = self.start
            while d <= self.end:
                out.append((d, f"{d:%d %b}"))
                d += datetime.timedelta(days=step)
            return out
        months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month
        if months <= 30:
            every = max(1, math.ceil(months / 5))
            out = []
            y, m = self.start.year, self.start.month
            while True:
                m += 1
                if m > 12:
                    y, m = y + 1, 1
                d = datetime.date(y, m, 1)
                if d > self.end:
                    break
                if (m - 1) % every == 0 or every == 1:
                    out.append((d, f"{d:%b %Y}" if m == 1 or not out else f"{d:%b}"))
            return out[:: max(1, math.ceil(len(out) / 6))]
        years = list(range(self.start.year + 1, self.end.year + 1))
        every = max(1, math.ceil(len(years) / 6))
        return [(datetime.date(y, 1, 1), str(y)) for y in years[::every]]


def time_scale(dates: Sequence[datetime.date]) -> TimeScale:
    """The time axis over ``dates`` (at least one), with a margin of 3% of the span (at least 7 days) each side so
    that no point sits on the plot's edge."""
    if not dates:
        today = datetime.date.today()
        return TimeScale(today, today)
    lo, hi = min(dates), max(dates)
    pad = datetime.timedelta(days=max(7, (hi - lo).days * 3 // 100))
    return TimeScale(lo - pad, hi + pad)


@dataclass(frozen=True)
class LogScale:
    """A log10 scale from the decade ``10**lo`` (at ``bottom``) to ``10**hi`` (at ``top``): equal ratios, equal
    distances."""

    lo: int
    hi: int
    top: float
    bottom: float

    def y(self, value: float) -> float:
        v = min(max(value, 10.0 ** self.lo), 10.0 ** self.hi)
        return self.bottom - (math.log10(v) - self.lo) / (self.hi - self.lo) * (self.bottom - self.top)


def log_ticks(values: Sequence[float]) -> tuple[int, int]:
    """The decades a log axis spans to show ``values`` (the positive ones) and always 1× and 10× the upper
    limit of normal: ``(floor(log10(min)), ceil(log10(max)))``."""
    pos = [v for v in values if v > 0 and math.isfinite(v)]
    lo = min([1.0, *pos])
    hi = max([10.0, *pos])
    low, high = math.floor(math.log10(lo) + 1e-9), math.ceil(math.log10(hi) - 1e-9)
    return low, max(high, low + 1)


def _decade_text(d: int) -> str:
    v = 10.0 ** d
    return f"{v:g}×" if d >= 0 else f"{v:.{-d}f}×"


def _x_axis(scale: TimeScale, top: float, bottom: float) -> str:
    """Vertical grid lines at the time ticks, their labels under the plot, and the axis line."""
    parts = [f'<line x1="{_n(scale.left)}" y1="{_n(bottom)}" x2="{_n(scale.right)}" y2="{_n(bottom)}" stroke="{MUTED}"/>']
    for d, text in scale.ticks():
        x = scale.x(d)
        if scale.left - 0.5 <= x <= scale.right + 0.5:
            parts.append(f'<line x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(bottom)}" stroke="{LINE}" '
                         'stroke-dasharray="2 3"/>')
            parts.append(f'<text x="{_n(x)}" y="{_n(bottom + FONT + 4)}" text-anchor="middle" fill="{MUTED}">'
                         f'{_t(text)}</text>')
    return "".join(parts)


def _empty(title: str, id_prefix: str, what: str) -> str:
    inner = (f'<rect x="0.5" y="0.5" width="{WIDTH - 1}" height="59" fill="#fff" stroke="{LINE}"/>'
             f'<text x="{WIDTH / 2:g}" y="34" text-anchor="middle" fill="{MUTED}">{_t(what)}</text>')
    return svg_document(inner, height=60, title=title, desc=what, id_prefix=id_prefix)


def _fmt(v: float) -> str:
    return f"{v:.1f}" if abs(v) < 10 else f"{v:.0f}"


def _line_and_points(pts: list[tuple[float, float]], colour: str) -> str:
    out = ""
    if len(pts) > 1:
        path = " ".join(f"{_n(x)},{_n(y)}" for x, y in pts)
        out += f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
    out += "".join(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4" fill="{colour}" stroke="#fff" stroke-width="1"/>'
                   for x, y in pts)
    return out


# --- the figures ----------------------------------------------------------------------------------------

def ck_svg(points: Sequence[tuple[datetime.date, float]], *, scale: TimeScale | None = None,
           id_prefix: str = "ck") -> str:
    """CK as × ULN over time on a log scale, one decade per equal step; the upper limit of normal (1×) drawn as a
    green line. ``points``: (date, CK ÷ ULN); a value of 0 or less cannot sit on a log scale and is left out (the
    description says so)."""
    title = "CK over time, as a multiple of the upper limit of normal (log scale)"
    usable = [(d, v) for d, v in points if v > 0 and math.isfinite(v)]
    dropped = len(points) - len(usable)
    if not usable:
        return _empty(title, id_prefix, "No CK with its upper limit of normal recorded yet.")
    scale = scale or time_scale([d for d, _v in usable])
    top, bottom = 12.0, 172.0
    lo, hi = log_ticks([v for _d, v in usable])
    ys = LogScale(lo, hi, top, bottom)
    parts = [_x_axis(scale, top, bottom)]
    for dec in range(lo, hi + 1):
        y = ys.y(10.0 ** dec)
        parts.append(f'<line x1="{_n(scale.left)}" y1="{_n(y)}" x2="{_n(scale.right)}" y2="{_n(y)}" '
                     f'stroke="{OK if dec == 0 else LINE}" stroke-width="{2 if dec == 0 else 1}"/>')
        parts.append(f'<text x="{_n(scale.left - 6)}" y="{_n(y + 4)}" text-anchor="end" fill="{MUTED}">'
                     f'{_decade_text(dec)}</text>')
    # the label sits at the left end of the line: a falling CK ends near it on the right, a baseline starts high
    parts.append(f'<text x="{_n(scale.left + 4)}" y="{_n(ys.y(1.0) - 4)}" fill="{OK}">upper limit of normal</text>')
    parts.append(f'<text transform="translate(12 {_n((top + bottom) / 2)}) rotate(-90)" text-anchor="middle" '
                 f'fill="{MUTED}">CK × ULN</text>')
    pts = [(scale.x(d), ys.y(v)) for d, v in usable]
    parts.append(_line_and_points(pts, ACCENT))
    first, last = usable[0], usable[-1]
    desc = (f"{len(usable)} CK value{'s' if len(usable) != 1 else ''} from {first[0].isoformat()} "
            f"({_fmt(first[1])}× ULN) to {last[0].isoformat()} ({_fmt(last[1])}× ULN); highest "
            f"{_fmt(max(v for _d, v in usable))}× ULN.")
    if dropped:
        desc += f" {dropped} value{'s' if dropped != 1 else ''} of 0 or less not drawn (a log scale has no zero)."
    return svg_document("".join(parts), height=bottom + FONT + 10, title=title, desc=desc, id_prefix=id_prefix)


def mmt_svg(points: Sequence[tuple[datetime.date, float]], maximum: int = 80, *, scale: TimeScale | None = None,
            id_prefix: str = "mmt") -> str:
    """The MMT-8 total over time on its 0 to ``maximum`` scale (80 unilateral, 150 bilateral)."""
    title = f"MMT-8 total over time (0 to {maximum}; higher is stronger)"
    if not points:
        return _empty(title, id_prefix, "No complete MMT-8 recorded yet.")
    scale = scale or time_scale([d for d, _v in points])
    top, bottom = 12.0, 132.0

    def y(v: float) -> float:
        return bottom - min(max(v, 0), maximum) / maximum * (bottom - top)

    parts = [_x_axis(scale, top, bottom)]
    for tick in (0, maximum // 2, maximum):
        parts.append(f'<line x1="{_n(scale.left)}" y1="{_n(y(tick))}" x2="{_n(scale.right)}" y2="{_n(y(tick))}" '
                     f'stroke="{LINE}"/>')
        parts.append(f'<text x="{_n(scale.left - 6)}" y="{_n(y(tick) + 4)}" text-anchor="end" fill="{MUTED}">'
                     f'{tick}</text>')
    parts.append(f'<text transform="translate(12 {_n((top + bottom) / 2)}) rotate(-90)" text-anchor="middle" '
                 f'fill="{MUTED}">MMT-8</text>')
    parts.append(_line_and_points([(scale.x(d), y(v)) for d, v in points], OK))
    desc = (f"{len(points)} MMT-8 total{'s' if len(points) != 1 else ''}: {_fmt(points[0][1])} of {maximum} on "
            f"{points[0][0].isoformat()}, {_fmt(points[-1][1])} on {points[-1][0].isoformat()}.")
    return svg_document("".join(parts), height=bottom + FONT + 10, title=title, desc=desc, id_prefix=id_prefix)


def treatments_svg(bars: Sequence[tuple[str, datetime.date, datetime.date | None]], *,
                   scale: TimeScale | None = None, id_prefix: str = "rx") -> str:
    """One bar per treatment, from its start to its end; a treatment still given (no end) runs to the axis' end
    with an open arrow. ``bars``: (name, start, end or None)."""
    title = "Treatments over time"
    if not bars:
        return _empty(title, id_prefix, "No treatment recorded.")
    scale = scale or time_scale([d for _n_, s, e in bars for d in (s, e) if d is not None])
    row, top = 26.0, 6.0
    parts = []
    words = []
    for i, (name, start, end) in enumerate(bars):
        yb = top + i * row
        x0 = max(scale.x(start), scale.left)
        x1 = min(scale.x(end), scale.right) if end is not None else scale.right
        w = max(x1 - x0, 3.0)
        colour = PALETTE[i % len(PALETTE)]
        parts.append(f'<rect x="{_n(x0)}" y="{_n(yb + 12)}" width="{_n(w)}" height="10" rx="2" fill="{colour}"/>')
        if end is None:
            parts.append(f'<path d="M{_n(scale.right)} {_n(yb + 9)} l6 8 l-6 8 z" fill="{colour}"/>')
        late = x0 > WIDTH * 0.7  # a bar starting near the right edge: its name ends at the edge instead
        label_x, anchor = (scale.right, "end") if late else (x0, "start")
        parts.append(f'<text x="{_n(label_x)}" y="{_n(yb + 9)}" text-anchor="{anchor}" fill="{INK}">{_t(name)}</text>')
        words.append(f"{name} from {start.isoformat()} " + (f"to {end.isoformat()}" if end else "and continuing"))
    bottom = top + len(bars) * row + 2
    parts.append(_x_axis(scale, top, bottom))
    desc = "; ".join(words) + "."
    return svg_document("".join(parts), height=bottom + FONT + 10, title=title, desc=desc, id_prefix=id_prefix)


def tis_svg(points: Sequence[tuple[datetime.date, float, float]], thresholds: tuple[int, int, int] = (20, 40, 60), *,
            scale: TimeScale | None = None, id_prefix: str = "tis") -> str:
    """The Total Improvement Score against baseline at each follow-up visit (0-100), with the minimal, moderate
    and major thresholds as lines. ``points``: (date, lowest, highest): a visit with a measure missing scores a
    range, drawn as a bar from its lowest to its highest score."""
    title = "Total Improvement Score against baseline (0 to 100)"
    if not points:
        return _empty(title, id_prefix, "No follow-up visit with a Total Improvement Score yet (it needs a baseline "
                                        "and a later visit).")
    scale = scale or time_scale([d for d, _lo, _hi in points])
    top, bottom = 12.0, 132.0

    def y(v: float) -> float:
        return bottom - min(max(v, 0), 100) / 100 * (bottom - top)

    parts = [_x_axis(scale, top, bottom)]
    for tick in (0, 100):
        parts.append(f'<line x1="{_n(scale.left)}" y1="{_n(y(tick))}" x2="{_n(scale.right)}" y2="{_n(y(tick))}" '
                     f'stroke="{LINE}"/>')
        parts.append(f'<text x="{_n(scale.left - 6)}" y="{_n(y(tick) + 4)}" text-anchor="end" fill="{MUTED}">'
                     f'{tick}</text>')
    for value, name in zip(thresholds, ("minimal", "moderate", "major"), strict=True):
        parts.append(f'<line x1="{_n(scale.left)}" y1="{_n(y(value))}" x2="{_n(scale.right)}" y2="{_n(y(value))}" '
                     f'stroke="{WARN}" stroke-dasharray="5 3"/>')
        parts.append(f'<text x="{_n(scale.left - 6)}" y="{_n(y(value) + 4)}" text-anchor="end" fill="{WARN}">'
                     f'{value}</text>')
        parts.append(f'<text x="{_n(scale.right)}" y="{_n(y(value) - 3)}" text-anchor="end" fill="{WARN}">'
                     f'{name}</text>')
    exact = []
    for d, lo, hi in points:
        x = scale.x(d)
        if hi - lo > 0.01:
            parts.append(f'<rect x="{_n(x - 3)}" y="{_n(y(hi))}" width="6" height="{_n(y(lo) - y(hi))}" '
                         f'fill="{ACCENT}" fill-opacity="0.35" stroke="{ACCENT}"/>')
        else:
            exact.append((x, y(lo)))
    parts.append(_line_and_points(exact, ACCENT) if len(exact) == len(points) else
                 "".join(f'<circle cx="{_n(x)}" cy="{_n(yy)}" r="4" fill="{ACCENT}"/>' for x, yy in exact))
    parts.append(f'<text transform="translate(12 {_n((top + bottom) / 2)}) rotate(-90)" text-anchor="middle" '
                 f'fill="{MUTED}">TIS</text>')

    def score(lo: float, hi: float) -> str:
        return f"{lo:g}" if hi - lo <= 0.01 else f"{lo:g} to {hi:g}"

    desc = ("; ".join(f"{d.isoformat()}: {score(lo, hi)}" for d, lo, hi in points)
            + f". Thresholds: minimal {thresholds[0]}, moderate {thresholds[1]}, major {thresholds[2]}.")
    return svg_document("".join(parts), height=bottom + FONT + 10, title=title, desc=desc, id_prefix=id_prefix)


def differential_svg(visits: Sequence[tuple[str, Sequence[tuple[str, float]]]], colours: dict[str, str], *,
                     id_prefix: str = "dx") -> str:
    """One horizontal stacked bar per visit: the differential's shares (each visit's shares sum to at most 1),
    coloured by label (``colours``: label name -> colour, the same as the page's legend). ``visits``:
    (visit date text, [(label name, share)])."""
    title = "The differential at each visit (shares of the labels)"
    if not visits:
        return _empty(title, id_prefix, "No assessment stored yet.")
    row, top, left, right = 22.0, 4.0, 100.0, WIDTH - RIGHT
    parts = []
    words = []
    for i, (when, shares) in enumerate(visits):
        yb = top + i * row
        parts.append(f'<text x="{_n(left - 6)}" y="{_n(yb + 13)}" text-anchor="end" fill="{MUTED}">{_t(when)}</text>')
        x = left
        for name, p in shares:
            w = max(0.0, min(p, 1.0)) * (right - left)
            if w >= 0.5:
                parts.append(f'<rect x="{_n(x)}" y="{_n(yb + 3)}" width="{_n(w)}" height="14" '
                             f'fill="{colours.get(name, MUTED)}" stroke="#fff" stroke-width="0.5"/>')
            x += w
        top_share = max(shares, key=lambda s: s[1]) if shares else None
        words.append(f"{when}: " + (f"{top_share[0]} {round(100 * top_share[1])}%" if top_share else "none"))
    height = top + len(visits) * row + 4
    desc = "Leading label per visit: " + "; ".join(words) + "."
    return svg_document("".join(parts), height=height, title=title, desc=desc, id_prefix=id_prefix, cls="plot dx")
