"""The clinician's workspace in a clinician's words (issue 12), in Chromium at 390 px (a phone) and 1280 px.

The answer first and in view (a sticky header), never a stale result, no code in the visible result, the print
on at most two pages, a skip link, one live region that announces only the headline, a favicon, and axe-core at
zero violations when it is installed (the ``axe-playwright-python`` package of the dev extra ships it). Every test
saves its screenshots to ``test-artifacts/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import pytest
from playwright.sync_api import Page, Response, expect

from _builders import README_CASE
from e2e.conftest import axe_violations
from myoclass.examples import example_cases

from .test_pages import choose, fill_case

Shot = Callable[..., Path]

WIDTHS = (390, 1280)
#: three bundled examples: settled IMNM, a thin chart that settles nothing, and a genetic mimic
EXAMPLES = ("anti_hmgcr_statin", "mostly_unknown", "dysferlinopathy_mimic")
#: a snake_case code (``imnm_anti_hmgcr``, ``ab_hmgcr``, ``biopsy_performed``, ``eular_rash_free``)
CODE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")



def size(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})


def is_post_root(base: str) -> Callable[[Response], bool]:
    return lambda r: r.request.method == "POST" and r.url == f"{base}/"


def no_horizontal_overflow(page: Page) -> None:
    sw, iw = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert sw <= iw, f"the page scrolls sideways: {sw} px wide in a {iw} px window"


def in_view(page: Page, selector: str) -> bool:
    """The element's box lies within the window (not merely intersecting it)."""
    return bool(page.evaluate("""sel => { const r = document.querySelector(sel).getBoundingClientRect();
        return r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth; }""", selector))


def open_details(page: Page, *, engineers: bool = False) -> None:
    page.evaluate("""eng => document.querySelectorAll('#result details').forEach(d => {
        if (eng || !d.matches('.engineers')) d.open = true; })""", engineers)


def visible_result_text(page: Page) -> str:
    """The result's rendered text with every disclosure open except the engineers' one."""
    open_details(page)
    text = page.evaluate("""() => { const parts = [];
        for (const el of document.querySelectorAll('#result > *')) {
            if (el.matches('.result-body')) {
                for (const c of el.children) if (!c.matches('.engineers')) parts.push(c.innerText);
            } else parts.push(el.innerText);
        }
        return parts.join('\\n'); }""")
    return str(text)


# --- 1. the answer first, in view, on a phone and a desktop ---------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("example", EXAMPLES)
def test_answer_first_and_in_view(page: Page, shot: Shot, example: str, width: int) -> None:
    size(page, width)
    page.goto(f"/?example={example}")
    heading = page.locator("#result-heading")
    expect(heading).to_be_visible()
    assert heading.evaluate("h => h.tagName") == "H2"
    assert in_view(page, "#result-heading"), "the result's headline must be visible without scrolling"
    no_horizontal_overflow(page)
    shot(page, f"workspace-{example}-{width}")
    # the result comes before the 9,000-px form: its top is above the form's top (beside it on a desktop)
    result_top = page.locator(".answer").bounding_box()
    form_top = page.locator("#case-form").bounding_box()
    assert result_top and form_top and result_top["y"] <= form_top["y"] + 1
    if width < 600:
        assert result_top["y"] < 844
    # everything of the answer box lies inside it: the floated "full result" link had ended below its border on a
    # phone (a review of session 35)
    spill_out = page.evaluate("""() => { const box = document.querySelector('.answer').getBoundingClientRect();
        return [...document.querySelectorAll('.answer *')].filter(el => el.getBoundingClientRect().height > 0)
            .filter(el => el.getBoundingClientRect().bottom > box.bottom + 0.5).map(el => el.className || el.tagName); }""")
    assert spill_out == [], spill_out
    # deep in the form, the answer is still in view (sticky), and no nested scroll box holds it
    page.locator("#f-skin_ulceration").scroll_into_view_if_needed()
    expect(page.locator("#f-skin_ulceration")).to_be_in_viewport()
    assert in_view(page, ".answer .headline"), "the headline must stay in view while the form scrolls"
    shot(page, f"workspace-{example}-{width}-scrolled")
    boxes = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(el => {
        const s = getComputedStyle(el);
        return /(auto|scroll)/.test(s.overflowY) && el.scrollHeight > el.clientHeight + 1; }).map(el => el.className)""")
    assert boxes == [], f"nested scroll boxes: {boxes}"
    # every table, citation and card fits its width when all is open
    open_details(page, engineers=True)
    no_horizontal_overflow(page)
    spill = page.evaluate("""() => [...document.querySelectorAll('#result table, #result .source, #result .card, #result dd')]
        .filter(el => el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().right > innerWidth + 0.5)
        .map(el => el.className + ': ' + el.textContent.slice(0, 60))""")
    assert spill == [], spill
    page.locator(".result-body").scroll_into_view_if_needed()
    shot(page, f"workspace-{example}-{width}-open", full_page=True)


@pytest.mark.parametrize("width", WIDTHS)
def test_readme_case_answer_in_words(page: Page, live_server: str, shot: Shot, width: int) -> None:
    size(page, width)
    page.goto("/")
    fill_case(page, {k: v for k, v in README_CASE.items() if k != "case_id"})
    result = page.locator("#result")
    expect(result.get_by_test_id("leading")).to_have_text(re.compile(r"Most likely:\s+IMNM, anti-HMGCR subtype\s+—\s+89%"))
    expect(result.get_by_test_id("status")).to_contain_text(
        "Not settled by the criteria: anti-HMGCR not tested; course after statin withdrawal not recorded.")
    steps = result.get_by_test_id("next-line").get_by_test_id("next-test")
    expect(steps).to_have_text(["test anti-HMGCR", "record the course after the statin was stopped"])
    todo = result.get_by_test_id("todo")
    expect(todo.locator("li")).to_have_count(3)
    # next-test outcomes written forward, in words
    expect(todo.locator("li").first).to_contain_text(
        "If anti-HMGCR is positive → IMNM, anti-HMGCR subtype; if negative → leaves antisynthetase syndrome, "
        "statin toxic myopathy, or no inflammatory myopathy")
    expect(todo.locator("li").nth(1)).to_contain_text("if they persist after stopping the statin → leaves")
    expect(todo.locator("li").nth(1)).to_contain_text("then test anti-HMGCR")
    # "still possible" and what a biopsy could add agree
    expect(result.get_by_test_id("still-possible")).to_have_text(
        "Still possible under the criteria, with no muscle biopsy done: anti-HMGCR IMNM, antisynthetase syndrome, "
        "statin toxic myopathy, or no inflammatory myopathy. A biopsy could add inclusion body myositis, "
        "antibody-negative IMNM, non-specific myositis, or polymyositis, and would rule out a 'no inflammatory "
        "myopathy' result.")
    # EULAR/ACR: the score in the definite band, the set not met, and why, in words that agree
    eular = result.get_by_test_id("eular")
    expect(eular.locator(".eular-verdict")).to_have_text(
        re.compile(r"not met\s+not classified \(no DM rash; rash-free biopsy rule not satisfied\)"))
    expect(eular.get_by_test_id("eular-score")).to_have_text("7.7 to 8.4 points, by the unknown items (without biopsy)")
    expect(eular.get_by_test_id("probability")).to_have_text("91.5% to 95.6%: definite IIM range")
    expect(eular.get_by_test_id("eular-notes")).to_contain_text("Anti-HMGCR and anti-SRP carry no points")
    warnings = result.get_by_test_id("warnings")
    warnings.locator("summary").click()
    expect(warnings).to_contain_text("the score (7.7–8.4) is in the definite IIM range, but there is no DM rash")
    expect(warnings).not_to_contain_text("probable")
    expect(warnings).to_contain_text("CK above normal was worked out from the CK value")
    no_horizontal_overflow(page)
    result.get_by_test_id("eular").scroll_into_view_if_needed()
    shot(page, f"workspace-readme-eular-{width}")
    text = visible_result_text(page)
    assert "_" not in text, CODE.findall(text)


@pytest.mark.parametrize("width", WIDTHS)
def test_eular_band_marks_do_not_overlap_and_an_edge_marker_is_not_clipped(page: Page, shot: Shot, width: int) -> None:
    size(page, width)
    page.goto("/?example=dermatomyositis")  # probability 99.87% to 99.95%
    bar = page.get_by_test_id("eular-bar")
    bar.scroll_into_view_if_needed()
    labels = bar.locator(".cut-label")
    expect(labels).to_have_text(["50%", "55%", "90%"])
    b50, b55 = labels.nth(0).bounding_box(), labels.nth(1).bounding_box()
    assert b50 and b55 and b50["x"] + b50["width"] <= b55["x"], (b50, b55)
    svg, marker, label = bar.bounding_box(), bar.get_by_test_id("eular-marker").bounding_box(), \
        bar.locator(".range-label").bounding_box()
    assert svg and marker and label
    for box in (marker, label):
        assert box["x"] >= svg["x"] - 0.5 and box["x"] + box["width"] <= svg["x"] + svg["width"] + 0.5, (box, svg)
        assert box["x"] + box["width"] <= width
    expect(bar.locator(".range-label")).to_have_text("99.87%–99.95%")
    shot(page, f"workspace-eular-bands-{width}")


# --- 2. never stale --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_invalid_input_marks_the_result_out_of_date(page: Page, live_server: str, shot: Shot, width: int) -> None:
    size(page, width)
    page.goto("/?example=anti_hmgcr_statin")
    headline = page.locator("#result-heading")
    before = headline.inner_text()
    age = page.locator("#in-age_years")
    assert age.evaluate("el => el.form.noValidate") is True  # no native check blocks the update silently
    with page.expect_response(is_post_root(live_server)) as resp:
        age.fill("300")
        age.press("Tab")
    assert resp.value.ok and resp.value.headers.get("hx-reswap") == "none"
    stale = page.get_by_test_id("stale")
    expect(stale).to_be_visible()
    expect(stale).to_contain_text("Out of date")
    expect(stale).to_contain_text("Age must be between 0 and 120 years")
    # the message at the field, in words, and the last result still there, marked
    expect(page.locator("#err-age_years")).to_have_text("Age must be between 0 and 120 years")
    expect(page.locator("#err-age_years")).to_be_visible()
    expect(headline).to_have_text(before)
    expect(page.get_by_test_id("announce")).to_have_text(re.compile(r"^Result out of date: Age must be between"))
    assert in_view(page, "#stale") or width >= 600
    shot(page, f"workspace-stale-{width}")
    page.locator("#f-age_years").scroll_into_view_if_needed()
    shot(page, f"workspace-stale-field-{width}")
    # fixed: the new result replaces the old, the mark and the message go
    with page.expect_response(is_post_root(live_server)):
        age.fill("65")  # the age at onset is 64 and the symptoms have lasted 5 months
        age.press("Tab")
    expect(page.get_by_test_id("stale")).to_have_count(0)
    expect(page.locator("#err-age_years")).to_have_text("")
    expect(page.get_by_test_id("announce")).to_have_text(headline.inner_text())


def test_form_problems_without_javascript_show_at_the_field(page: Page, shot: Shot) -> None:
    page.goto("/")
    page.locator("#in-age_years").fill("300")
    with page.expect_navigation():
        page.get_by_role("button", name="Classify", exact=True).click()  # novalidate: the server checks it
    expect(page.locator("#err-age_years")).to_have_text("Age must be between 0 and 120 years")
    expect(page.locator("#in-age_years")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("errors")).to_contain_text("Age must be between 0 and 120 years")
    shot(page, "workspace-problems-nojs")


# --- 3. clinical words, no codes --------------------------------------------------------------------------------


@pytest.mark.parametrize("example", [*EXAMPLES, "antisynthetase_syndrome", "amyopathic_dm", "statin_toxic_myopathy"])
def test_no_raw_codes_in_the_visible_result(page: Page, example: str) -> None:
    page.goto(f"/?example={example}")
    text = visible_result_text(page)
    assert "imnm_" not in text and "ab_" not in text and "_" not in text, CODE.findall(text)
    # the codes are there for engineers, behind their own disclosure
    engineers = page.get_by_test_id("engineers")
    expect(engineers.locator("summary")).to_have_text("Details for engineers")
    engineers.locator("summary").click()
    expect(engineers.get_by_test_id("verdict")).to_be_visible()


def test_set_badges_agree_with_their_category_and_one_citation_per_set(page: Page, shot: Shot) -> None:
    page.goto("/?example=statin_toxic_myopathy")
    sets = page.get_by_test_id("sets")
    sets.locator("summary").first.click()
    for s in sets.locator("details.set").all():
        badge = s.locator(".badge").inner_text().lower()
        category = s.locator(".set-category").inner_text()
        assert badge in ("met", "not met", "open")
        assert "undetermined" not in category
        assert len(s.locator("p.source").all()) >= 1
        assert "Source" not in [th.inner_text() for th in s.locator("th").all()]  # not one citation per row
    # EULAR/ACR: not met, and every category still possible is a not-met one
    eular = sets.locator('details.set[data-set="eular_acr_2017"]')
    expect(eular.locator(".badge")).to_have_text("not met")
    expect(eular.locator(".set-category")).to_contain_text("possible IIM, or not IIM")
    bp = sets.locator('details.set[data-set="bohan_peter_1975"]')
    expect(bp.locator(".badge")).to_have_text("open")
    expect(bp.locator(".set-category")).to_have_text("— probable PM or possible PM")
    legend = page.get_by_test_id("tag-legend")
    expect(legend).to_contain_text("R unverified: recollection of the primary paper, not checked against it")
    sets.scroll_into_view_if_needed()
    shot(page, "workspace-sets")


# --- 6. print ---------------------------------------------------------------------------------------------------


def pdf_pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", path.read_bytes()))


@pytest.mark.parametrize("example", list(example_cases()))
def test_prints_on_at_most_two_pages(page: Page, artifacts: Path, shot: Shot, example: str) -> None:
    page.goto(f"/?example={example}")
    page.emulate_media(media="print")
    summary = page.locator(".print-case")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Findings entered")
    meta = page.locator(".answer .print-meta")  # at the top: the case, the date, the versions
    expect(meta).to_be_visible()
    expect(meta).to_contain_text(re.compile(r"printed \d{4}-\d\d-\d\d"))
    expect(meta).to_contain_text("myoclass 0.")
    expect(meta).to_contain_text("EULAR/ACR 2017 2017.1")
    expect(page.locator("#case-form")).to_be_hidden()
    expect(page.locator(".answer .headline")).to_be_visible()
    # the criteria sets print as one line each, with their verdicts, not as a bare summary line
    expect(summary.locator(".sets-print li")).to_have_count(6)
    shot(page, f"workspace-print-{example}", full_page=True)
    pdf = artifacts / f"workspace-print-{example}.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    n = pdf_pages(pdf)
    assert 1 <= n <= 2, f"{example} prints on {n} pages"


# --- 7. accessibility -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_skip_link_heading_and_landmarks(page: Page, shot: Shot, width: int) -> None:
    size(page, width)
    page.goto("/?example=anti_hmgcr_statin")
    page.locator("body").focus()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the result")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    shot(page, f"workspace-skip-link-{width}")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "result-heading"
    expect(page.get_by_role("heading", level=2, name=re.compile("IMNM, anti-HMGCR subtype"))).to_be_visible()
    # headings never skip a level; one h1; the landmarks are there
    levels = page.evaluate("[...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])")
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in pairwise(levels)), levels
    for role in ("banner", "navigation", "main", "contentinfo"):
        expect(page.get_by_role(role).first).to_be_attached()
    expect(page.get_by_role("region", name=re.compile("IMNM"))).to_be_visible()
    # every control of the result and the form has a name
    open_details(page, engineers=True)
    for control in page.locator("#result a, #result button, #result summary, #case-form input, #case-form select").all():
        if not control.is_visible() and control.evaluate("e => !!e.closest('.method')"):
            continue  # the assay of an antibody not tested: hidden, so out of the accessibility tree
        expect(control).to_have_accessible_name(re.compile(r"\S"))


def test_one_live_region_announces_only_the_headline(page: Page, live_server: str) -> None:
    page.goto("/?example=mostly_unknown")
    live = page.locator("[aria-live], [role=status], [role=alert], [role=log]")
    expect(live).to_have_count(1)
    expect(live).to_have_text(page.locator("#result-heading").inner_text())
    assert page.locator("#result").get_attribute("aria-live") is None
    with page.expect_response(is_post_root(live_server)):
        choose(page, "ab_srp", "positive")
    expect(page.locator("#result-heading")).to_contain_text("anti-SRP")
    expect(live).to_have_count(1)
    expect(live).to_have_text(page.locator("#result-heading").inner_text())
    assert len(live.inner_text()) < 120  # the headline, not the result


def test_an_untested_antibody_shows_no_assay_drop_down(page: Page, live_server: str) -> None:
    """The assay drop-down of an antibody appears once a result is chosen (19 drop-downs for untested antibodies had
    doubled the section on a phone: a review of session 35), and an assay given stays in view."""
    size(page, 390)
    page.goto("/")
    assays = page.locator("#f-ab_srp .method")
    expect(assays).to_be_hidden()
    expect(page.locator("fieldset.finding .method:visible")).to_have_count(0)
    with page.expect_response(is_post_root(live_server)):
        choose(page, "ab_srp", "positive")
    expect(assays).to_be_visible()
    assays.locator("select").select_option(index=1)
    with page.expect_response(is_post_root(live_server)):
        choose(page, "ab_srp", "not tested")
    expect(assays).to_be_visible()  # an assay chosen stays in view, so it can be seen and undone
    expect(page.locator("fieldset.finding .method:visible")).to_have_count(1)


def test_favicon_is_served_and_allowed_by_the_csp(page: Page, live_server: str) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/")
    href = page.locator("link[rel=icon]").get_attribute("href")
    assert href == "/static/favicon.svg"
    r = page.request.get(f"{live_server}{href}")
    assert r.ok and r.headers["content-type"].startswith("image/svg+xml")
    # a page that links no icon (the API docs) gets it at /favicon.ico, not a 404
    r = page.request.get(f"{live_server}/favicon.ico")
    assert r.ok and r.headers["content-type"].startswith("image/svg+xml")
    assert errors == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("example", EXAMPLES)
def test_axe_core_finds_no_violation(page: Page, example: str, width: int) -> None:
    size(page, width)
    page.goto(f"/?example={example}")
    open_details(page, engineers=True)
    found = axe_violations(page)
    assert found == [], found
