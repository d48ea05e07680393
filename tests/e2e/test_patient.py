"""The patient checklist and its summary in a real browser (issue 12, item 8), at a phone's and a desk's width.

Explanations sit above the questions and come again in the summary; the summary is dated, asks the doctor
questions that follow the answers, and carries the answers as flat-case findings that go into the clinician
workspace through ``POST /import`` (never through a web address).
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from myoclass.model.fields import FIELDS

Shot = Callable[..., Path]
WIDTHS = (390, 1280)

#: what the test patient answers (question group name -> answer) and the findings that come out of it
ANSWERS = {
    "Is it harder than before to climb stairs?": "Yes",
    "Is it hard to stand up from a chair without using your arms?": "Yes",
    "Do your muscles ache or hurt?": "No",
    "Is it hard to swallow, or does food stick?": "Yes",
    re.compile(r"taking a statin"): "Yes",
    re.compile(r"creatine kinase \(CK\), a muscle enzyme"): "Yes",
    re.compile(r"myositis antibodies \(for example"): "No",
}
FINDINGS = {"symptom_difficulty_climbing_stairs": True, "symptom_difficulty_rising_from_chair": True,
            "symptom_myalgia": False, "dysphagia": True, "statin_exposure": True}


def no_horizontal_overflow(page: Page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths[0]} px of content in {widths[1]} px"
    wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map(e => e.tagName + '.' + e.className)""")
    assert wide == [], f"wider than the viewport: {wide[:5]}"


def fill_checklist(page: Page) -> None:
    for question, answer in ANSWERS.items():
        page.get_by_role("group", name=question).get_by_role("radio", name=answer, exact=True).check()
    page.get_by_role("checkbox", name="thighs", exact=True).check()
    page.get_by_label("Since when, roughly?").fill("since the spring")


def make_summary(page: Page) -> Any:
    page.get_by_role("button", name="Make my one-page summary").click()
    expect(page).to_have_url(re.compile(r"/patient/summary$"))
    summary = page.get_by_test_id("patient-summary")
    expect(summary).to_be_visible()
    return summary


@pytest.mark.parametrize("width", WIDTHS)
def test_explanations_sit_above_the_questions(page: Page, width: int, shot: Shot) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/patient")
    explanations = page.get_by_test_id("explanations")
    first_question = page.get_by_role("group", name="Is it harder than before to climb stairs?")
    button = page.get_by_role("button", name="Make my one-page summary")
    for heading in ("About weakness from muscle inflammation", "Three antibody groups", "Tests a doctor may consider",
                    "Why a specialist helps"):
        expect(explanations.get_by_role("heading", name=heading)).to_be_visible()
    ex, q, b = explanations.bounding_box(), first_question.bounding_box(), button.bounding_box()
    assert ex and q and b
    assert ex["y"] + ex["height"] <= q["y"] < b["y"], (ex, q, b)
    # nothing explanatory is left below the button
    assert page.evaluate("""() => { const b = document.querySelector('button.primary');
        return [...document.querySelectorAll('main h2, main section')]
            .filter(e => b.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING).length }""") == 0
    # a skip link takes a returning patient straight to the questions
    page.get_by_role("link", name="Skip to the questions").click()
    expect(page.get_by_role("heading", name="Your answers")).to_be_in_viewport()
    no_horizontal_overflow(page)
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, f"patient-checklist-{width}", full_page=True)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_three_antibody_groups_carry_equal_weight(page: Page, width: int, shot: Shot) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/patient")
    groups = page.get_by_test_id("antibody-groups")
    cards = groups.get_by_role("listitem")
    expect(cards).to_have_count(3)
    names = [c.get_by_role("heading").inner_text() for c in cards.all()]
    assert names == ["Anti-SRP antibodies", "Anti-HMGCR antibodies", "Neither antibody"]
    boxes = [c.bounding_box() for c in cards.all()]
    assert all(boxes)
    line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.ab-groups p')).lineHeight)")
    third = boxes[2]
    assert third and third["height"] >= 3 * line, "the third group is a thin line again"
    if width >= 1000:  # side by side, the same size
        assert len({round(b["y"]) for b in boxes if b}) == 1
        assert max(b["width"] for b in boxes if b) - min(b["width"] for b in boxes if b) < 2
        assert max(b["height"] for b in boxes if b) - min(b["height"] for b in boxes if b) < 2
    else:  # one under another, each the full width of the list
        list_box = groups.bounding_box()
        assert list_box
        assert all(b and abs(b["width"] - list_box["width"]) < 2 for b in boxes)
        assert [b["y"] for b in boxes if b] == sorted(b["y"] for b in boxes if b)
    groups.scroll_into_view_if_needed()
    shot(page, f"patient-antibody-groups-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_summary_is_dated_explains_and_asks_what_follows_the_answers(page: Page, width: int, shot: Shot) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/patient")
    fill_checklist(page)
    summary = make_summary(page)

    date = summary.get_by_test_id("summary-date")
    today = datetime.date.today()
    expect(date).to_have_attribute("datetime", today.isoformat())
    expect(date).to_have_text(f"{today.day} {today.strftime('%B')} {today.year}")

    explained = summary.get_by_test_id("summary-explanations")
    for words in ("About weakness from muscle inflammation", "Three antibody groups", "Neither antibody",
                  "Creatine kinase (CK)", "A muscle biopsy", "Why a specialist helps"):
        expect(explained).to_contain_text(words)

    questions = summary.get_by_test_id("summary-questions")
    # the CK test was done: asked about by its result, no longer whether it would help
    expect(questions).to_contain_text("What did my creatine kinase (CK) blood test show")
    expect(questions).not_to_contain_text("Would a creatine kinase (CK) blood test help?")
    # antibodies not tested: still asked whether they would help
    expect(questions).to_contain_text("Should I be tested for myositis antibodies")
    expect(questions).not_to_contain_text("What did my myositis antibody tests show")
    # a statin taken, swallowing hard
    expect(questions).to_contain_text("Could the statin I take, or took, play a part?")
    expect(questions).to_contain_text("Swallowing is hard for me")
    expect(questions.get_by_role("listitem").last).to_have_text("Should I see a neuromuscular or myositis specialist?")

    no_horizontal_overflow(page)
    shot(page, f"patient-summary-{width}", full_page=True)


def test_summary_questions_follow_every_test_answer(page: Page) -> None:
    page.goto("/patient")
    for name in ("creatine kinase \\(CK\\), a muscle enzyme", "myositis antibodies \\(for example", "A muscle biopsy",
                 "electrical activity"):
        page.get_by_role("group", name=re.compile(name)).get_by_role("radio", name="Yes", exact=True).check()
    page.get_by_role("group", name=re.compile(r"taking a statin")).get_by_role("radio", name="No", exact=True).check()
    questions = make_summary(page).get_by_test_id("summary-questions")
    text = questions.inner_text()
    assert "help?" not in text and "be useful?" not in text and "Should I be tested" not in text
    for asked in ("What did my creatine kinase (CK) blood test show", "What did my myositis antibody tests show",
                  "What did my muscle biopsy show?", "What did my EMG or muscle MRI scan show?",
                  "Could any medicine I take play a part?"):
        assert asked in text
    assert "statin" not in text


def test_summary_prints_on_one_sheet_with_date_and_explanations(page: Page, artifacts: Path, shot: Shot) -> None:
    page.goto("/patient")
    fill_checklist(page)
    page.get_by_label("Anything else you want your doctor to know").fill(
        "My father had a muscle disease. I get breathless on the stairs as well.")
    summary = make_summary(page)
    page.set_viewport_size({"width": 703, "height": 1000})  # an A4 sheet's printable width (12 mm margins)
    page.emulate_media(media="print")
    expect(summary.get_by_test_id("summary-date")).to_be_visible()
    expect(summary.get_by_test_id("summary-explanations")).to_be_visible()
    expect(summary.get_by_test_id("patient-data")).to_be_hidden()  # for the screen only
    shot(page, "patient-summary-print-a4", full_page=True)
    pdf = artifacts / "patient-summary-a4.pdf"
    page.pdf(path=str(pdf), format="A4")
    data = pdf.read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
    assert pages == 1, f"the summary prints on {pages} sheets"


def test_data_block_round_trips_into_the_workspace(page: Page, live_server: str, shot: Shot) -> None:
    page.goto("/patient")
    fill_checklist(page)
    summary = make_summary(page)
    summary.get_by_text("For the clinician: my answers as myoclass findings").click()
    block = summary.get_by_test_id("patient-data")
    expect(block).to_be_visible()
    pasted = block.inner_text()
    data = json.loads(pasted)
    assert data == FINDINGS
    assert set(data) <= set(FIELDS)  # flat-case keys of the data dictionary

    requests: list[tuple[str, str]] = []
    page.on("request", lambda r: requests.append((r.method, r.url)))
    # 1. straight from the summary
    with page.expect_navigation():
        summary.get_by_role("button", name="Open these answers in the clinician workspace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Classify a myositis case")
    _expect_filled(page, data)
    assert page.url == f"{live_server}/import"
    shot(page, "patient-import-workspace")

    # 2. pasted into the workspace's import box
    page.goto("/")
    page.get_by_text("Import a patient's answers").click()
    form = page.locator("form[action='/import']")
    expect(form).to_have_count(1)
    form.get_by_label(re.compile("Paste the data block")).fill(pasted)
    with page.expect_navigation():
        form.get_by_role("button").click()
    _expect_filled(page, data)

    # patient data never went into a web address
    for method, url in requests:
        assert "?" not in url or "/static/" in url, url
        if url.endswith("/import"):
            assert method == "POST"
    assert not any(k in url for _m, url in requests for k in data)


def _expect_filled(page: Page, data: dict[str, bool]) -> None:
    for key, value in data.items():
        radio = page.locator(f"#f-{key}").get_by_role("radio", name="yes" if value else "no", exact=True)
        expect(radio).to_be_checked()
    expect(page.locator("#f-symptom_falls").get_by_role("radio", name="unknown", exact=True)).to_be_checked()
    expect(page.get_by_test_id("verdict")).to_have_count(1)  # assessed, like any posted case
    expect(page.get_by_test_id("errors")).to_have_count(0)


def _import_box(page: Page) -> Any:
    """The workspace's "Import a patient's answers" box, opened."""
    page.goto("/")
    page.get_by_text("Import a patient's answers").click()
    form = page.locator("form[action='/import']")
    expect(form).to_have_count(1)
    return form


def test_import_says_what_is_wrong_without_a_server_error(page: Page) -> None:
    form = _import_box(page)
    form.locator("textarea").fill('{"symptom_falls": true, "no_such_finding": 1, "ck_u_l": 900,')
    with page.expect_navigation():
        form.get_by_role("button").click()
    expect(page.get_by_test_id("errors")).to_contain_text(re.compile("not valid JSON", re.I))

    form = _import_box(page)
    form.locator("textarea").fill('{"symptom_falls": true, "no_such_finding": 1, "ck_u_l": 900}')
    with page.expect_navigation():
        form.get_by_role("button").click()
    errors = page.get_by_test_id("errors")
    expect(errors).to_contain_text("no_such_finding")
    # what was valid is kept in the form, so nothing has to be typed again
    expect(page.locator("#f-symptom_falls").get_by_role("radio", name="yes", exact=True)).to_be_checked()
    expect(page.locator("#f-ck_u_l").get_by_role("spinbutton")).to_have_value("900")


def test_import_and_summary_keep_patient_data_out_of_logs_and_addresses(caplog: pytest.LogCaptureFixture) -> None:
    """With the access log on, a summary and an import log their method, path and status only; GET /import does
    not exist, so no link can carry the data."""
    import logging

    from fastapi.testclient import TestClient

    from myoclass.web.app import Settings, create_app

    sentinel = "ZZ-patient-9931"
    client = TestClient(create_app(Settings(access_log=True)), base_url="http://localhost")
    with caplog.at_level(logging.DEBUG):
        summary = client.post("/patient/summary", data={"symptom_falls": "yes", "notes": sentinel})
        assert summary.status_code == 200 and sentinel in summary.text
        imported = client.post("/import", data={"data": json.dumps({"symptom_falls": True, "case_id": sentinel})})
        assert imported.status_code == 200 and f'value="{sentinel}"' in imported.text
        broken = client.post("/import", data={"data": "{" + sentinel})
        assert broken.status_code == 200
    assert sentinel not in caplog.text
    assert "POST /import 200" in caplog.text
    assert client.get("/import", params={"data": "{}"}).status_code == 405
