"""The registry timeline's SVG figures (myoclass.web.plots): well-formed, accessible, and drawn to scale."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest

from myoclass.web.plots import (
    LogScale,
    ck_svg,
    differential_svg,
    log_ticks,
    mmt_svg,
    time_scale,
    tis_svg,
    treatments_svg,
)

NS = {"s": "http://www.w3.org/2000/svg"}
D = [dt.date(2023, 1, 10), dt.date(2023, 4, 2), dt.date(2023, 9, 20), dt.date(2024, 6, 1)]


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # raises on anything not well-formed
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    title, desc = root.find("s:title", NS), root.find("s:desc", NS)
    assert title is not None and title.text and desc is not None and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "style=" not in svg and "<script" not in svg  # the CSP allows neither inline
    return root


FIGURES = {
    "ck": lambda: ck_svg(list(zip(D, [42.0, 12.5, 3.1, 0.8], strict=True))),
    "mmt": lambda: mmt_svg(list(zip(D, [50.0, 58.0, 66.0, 74.0], strict=True)), 80),
    "rx": lambda: treatments_svg([("Prednisolone", D[0], D[2]), ("IVIG <monthly> & \"more\"", D[1], None)]),
    "tis": lambda: tis_svg([(D[1], 22.5, 22.5), (D[2], 30.0, 47.5), (D[3], 62.5, 62.5)]),
    "dx": lambda: differential_svg([("2023-01-10", [("anti-HMGCR IMNM", 0.8), ("anti-SRP IMNM", 0.15)]),
                                    ("2023-04-02", [("anti-HMGCR IMNM", 0.95)])],
                                   {"anti-HMGCR IMNM": "#0b5cad", "anti-SRP IMNM": "#1a6b34"}),
}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_figure_is_well_formed_and_labelled(name: str) -> None:
    svg = FIGURES[name]()
    root = parse(svg)
    texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts, "an axis or a label is missing"


def test_text_is_escaped() -> None:
    svg = FIGURES["rx"]()
    assert "IVIG &lt;monthly&gt; &amp; &quot;more&quot;" in svg
    root = parse(svg)
    assert any(t.text == 'IVIG <monthly> & "more"' for t in root.iter("{http://www.w3.org/2000/svg}text"))


@pytest.mark.parametrize("fn", [lambda: ck_svg([]), lambda: mmt_svg([]), lambda: treatments_svg([]),
                                lambda: tis_svg([]), lambda: differential_svg([], {})])
def test_an_empty_series_says_so(fn: object) -> None:
    svg = fn()  # type: ignore[operator]
    root = parse(svg)
    assert root.find("s:desc", NS) is not None
    assert re.search(r"No |not ", svg)
    assert "NaN" not in svg and "inf" not in svg


def test_log_scale_places_decades_equally() -> None:
    s = LogScale(0, 2, top=10, bottom=170)
    y1, y10, y100 = s.y(1), s.y(10), s.y(100)
    assert y1 == pytest.approx(170) and y100 == pytest.approx(10)
    assert y1 - y10 == pytest.approx(y10 - y100)
    assert s.y(1000) == pytest.approx(10) and s.y(0.01) == pytest.approx(170)  # clamped to the axis


def test_the_ck_figure_draws_1_10_100_uln_equally_spaced() -> None:
    svg = ck_svg([(D[0], 150.0), (D[1], 10.0), (D[2], 1.0)])
    root = parse(svg)
    ticks = {t.text: float(t.get("y") or 0) for t in root.iter("{http://www.w3.org/2000/svg}text")
             if t.text and t.text.endswith("×")}
    assert {"1×", "10×", "100×", "1000×"} <= set(ticks)
    assert ticks["1×"] - ticks["10×"] == pytest.approx(ticks["10×"] - ticks["100×"], abs=0.11)
    assert ticks["10×"] - ticks["100×"] == pytest.approx(ticks["100×"] - ticks["1000×"], abs=0.11)
    circles = [float(c.get("cy") or 0) for c in root.iter("{http://www.w3.org/2000/svg}circle")]
    assert circles[2] - circles[1] == pytest.approx(ticks["1×"] - ticks["10×"], abs=0.2)  # 1× to 10×: one decade


def test_log_axis_always_shows_normal_and_tenfold() -> None:
    assert log_ticks([2.0, 3.0]) == (0, 1)
    assert log_ticks([0.4, 35.0]) == (-1, 2)
    assert log_ticks([]) == (0, 1)
    assert log_ticks([100.0]) == (0, 2)


def test_ck_of_zero_is_left_out_and_said() -> None:
    svg = ck_svg([(D[0], 0.0), (D[1], 5.0)])
    root = parse(svg)
    assert len(list(root.iter("{http://www.w3.org/2000/svg}circle"))) == 1
    desc = root.find("s:desc", NS)
    assert desc is not None and "0 or less not drawn" in (desc.text or "")


def test_a_shared_time_scale_aligns_the_figures() -> None:
    scale = time_scale(D)
    ck = parse(ck_svg([(D[1], 5.0)], scale=scale))
    mmt = parse(mmt_svg([(D[1], 60.0)], scale=scale))
    xs = [c.get("cx") for r in (ck, mmt) for c in r.iter("{http://www.w3.org/2000/svg}circle")]
    assert len(set(xs)) == 1
    assert scale.x(D[0]) < scale.x(D[1]) < scale.x(D[3])


def test_a_single_date_sits_in_the_middle() -> None:
    scale = time_scale([D[0]])
    assert scale.left < scale.x(D[0]) < scale.right
    parse(ck_svg([(D[0], 3.0)]))


def test_an_ongoing_treatment_runs_to_the_end() -> None:
    scale = time_scale(D)
    root = parse(treatments_svg([("Rituximab", D[1], None)], scale=scale))
    rect = next(root.iter("{http://www.w3.org/2000/svg}rect"))
    assert float(rect.get("x") or 0) + float(rect.get("width") or 0) == pytest.approx(scale.right, abs=0.2)
    desc = root.find("s:desc", NS)
    assert desc is not None and "continuing" in (desc.text or "")


def test_a_tis_range_is_drawn_as_a_bar() -> None:
    root = parse(FIGURES["tis"]())
    rects = list(root.iter("{http://www.w3.org/2000/svg}rect"))
    assert len(rects) == 1  # the visit with a missing measure
    desc = root.find("s:desc", NS)
    assert desc is not None and "30 to 47.5" in (desc.text or "")


@pytest.mark.parametrize("span", [0, 20, 200, 800, 4000])
def test_time_ticks_stay_few_and_inside(span: int) -> None:
    start = dt.date(2020, 3, 15)
    scale = time_scale([start, start + dt.timedelta(days=span)])
    ticks = scale.ticks()
    assert 1 <= len(ticks) <= 8
    parse(mmt_svg([(start, 40.0), (start + dt.timedelta(days=span), 60.0)], scale=scale))
