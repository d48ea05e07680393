"""The web pages in a real browser (Chromium via Playwright): htmx updates, links, the patient page, no-JS, CSP."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, Response, expect

from _builders import README_CASE
from myoclass.model.fields import ANTIBODIES
from myoclass.reasoning.differential_model import MODEL_VERSION
from myoclass.reasoning.text import LABEL_TEXT

Shot = Callable[..., Path]


def finding(page: Page, key: str) -> Locator:
    """The finding with this flat key (a fieldset or div with id ``f-<key>``)."""
    return page.locator(f"#f-{key}")


def choose(page: Page, key: str, answer: str) -> None:
    """Tick the yes/no/unknown (antibodies: positive/negative/not tested) radio of a finding."""
    finding(page, key).get_by_role("radio", name=answer, exact=True).check()


def number(page: Page, key: str) -> Locator:
    return finding(page, key).get_by_role("spinbutton")


def is_post_root(base: str) -> Callable[[Response], bool]:
    return lambda r: r.request.method == "POST" and r.url == f"{base}/"


def fill_anti_hmgcr_case(page: Page) -> None:
    choose(page, "ab_hmgcr", "positive")
    choose(page, "ab_srp", "negative")
    number(page, "ck_u_l").fill("8000")
    number(page, "ck_uln_u_l").fill("200")
    choose(page, "weakness_proximal_upper_symmetric", "yes")
    choose(page, "weakness_proximal_lower_symmetric", "yes")


def test_clinician_anti_hmgcr_case(page: Page, shot: Shot) -> None:
    page.goto("/")
    expect(page.get_by_text("Enter findings, or load an example")).to_be_visible()
    fill_anti_hmgcr_case(page)
    result = page.locator("#result")
    expect(result.get_by_test_id("verdict")).to_have_text("imnm_anti_hmgcr")
    expect(result.get_by_test_id("probability")).to_contain_text("%")
    # the filled values are what the form still shows (htmx swapped only the result panel)
    expect(number(page, "ck_u_l")).to_have_value("8000")
    expect(finding(page, "ab_hmgcr").get_by_role("radio", name="positive", exact=True)).to_be_checked()
    shot(page, "clinician-result")


def test_change_updates_result_without_navigation(page: Page, live_server: str, shot: Shot) -> None:
    page.goto("/?example=mostly_unknown")
    result = page.locator("#result")
    expect(result.get_by_test_id("verdict")).to_have_text("undetermined")
    # a finding among the first next tests (ordered by expected information; finger flexors are 5th)
    finger_flexor_link = result.locator('a[data-testid=next-test][href="#f-weakness_finger_flexor_gt_shoulder_abductor"]')
    expect(finger_flexor_link).to_have_count(1)
    url = page.url
    page.evaluate("window.__marker = 1")

    with page.expect_response(is_post_root(live_server)) as resp:
        choose(page, "weakness_finger_flexor_gt_shoulder_abductor", "no")
    response = resp.value
    assert response.ok
    assert response.request.headers.get("hx-request") == "true"
    # the finding is no longer unknown, so it is no longer a next test; the page itself never reloaded
    expect(finger_flexor_link).to_have_count(0)
    expect(result.get_by_test_id("next-test").first).to_be_visible()
    assert page.url == url
    assert page.evaluate("window.__marker") == 1

    # a typed number counts once it is committed (the change event fires when focus leaves the field):
    # the age at onset settles the onset band, which the 58-year-old's age now only weighed
    before = result.inner_text()
    with page.expect_response(is_post_root(live_server)):
        number(page, "age_at_onset_years").fill("52")
        number(page, "age_at_onset_years").press("Tab")
    expect(result).not_to_have_text(before)
    assert page.url == url
    assert page.evaluate("window.__marker") == 1
    shot(page, "clinician-updated")


def test_next_test_link_scrolls_to_the_finding(page: Page, shot: Shot) -> None:
    page.goto("/?example=mostly_unknown")
    first = page.locator("#result").get_by_test_id("next-test").first
    expect(first).to_be_visible()
    href = first.get_attribute("href")
    assert href is not None and re.fullmatch(r"#f-\w+", href), href
    key = href.removeprefix("#f-")
    # the link names the test in words, never the code (issue 12): "test anti-SRP", not "ab_srp"
    assert first.inner_text() == f"test {ANTIBODIES[key]}"
    first.click()
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))
    assert page.evaluate("location.hash") == href
    target = page.locator(f"#f-{key}")
    expect(target).to_be_in_viewport()
    # the target's own input is reachable right there
    expect(target.locator("input, select").first).to_be_in_viewport()
    shot(page, "clinician-next-test")


def test_patient_checklist_and_printable_summary(page: Page, artifacts: Path, shot: Shot) -> None:
    page.goto("/patient")
    expect(page.get_by_role("heading", level=1)).to_have_text("Muscle weakness: a checklist to bring to your doctor")
    page.get_by_role("group", name="Is it harder than before to climb stairs?").get_by_role(
        "radio", name="Yes", exact=True).check()
    page.get_by_role("group", name="Do your muscles ache or hurt?").get_by_role("radio", name="No", exact=True).check()
    page.get_by_role("group", name=re.compile(r"taking a statin")).get_by_role("radio", name="Yes", exact=True).check()
    page.get_by_role("checkbox", name="hips", exact=True).check()
    page.get_by_role("checkbox", name="thighs", exact=True).check()
    page.get_by_label("Since when, roughly?").fill("since March, getting worse")
    page.get_by_label("Anything else you want your doctor to know").fill("My father had a muscle disease.")
    shot(page, "patient-checklist", full_page=True)

    page.get_by_role("button", name="Make my one-page summary").click()
    expect(page).to_have_url(re.compile(r"/patient/summary$"))
    summary = page.get_by_test_id("patient-summary")
    expect(summary).to_be_visible()
    stairs = summary.get_by_role("row").filter(has_text="climb stairs")
    expect(stairs.get_by_role("cell").last).to_have_text("Yes")
    expect(summary.get_by_role("row").filter(has_text="muscles ache").get_by_role("cell").last).to_have_text("No")
    expect(summary.get_by_role("row").filter(has_text="swallow").get_by_role("cell").last).to_have_text("Not sure")
    expect(summary.get_by_role("row").filter(has_text="statin").first.get_by_role("cell").last).to_have_text("Yes")
    expect(summary).to_contain_text("hips, thighs")
    expect(summary).to_contain_text("How long: since March, getting worse.")
    expect(summary).to_contain_text("My father had a muscle disease.")
    # the tests a doctor may consider
    for test in ("creatine kinase (CK)", "myositis antibodies", "anti-SRP and anti-HMGCR", "muscle biopsy", "EMG",
                 "muscle MRI"):
        expect(summary).to_contain_text(test)
    # never a label, a probability or a diagnosis (also not in the collapsed clinician section)
    text = (summary.text_content() or "").lower()
    forbidden = {"imnm", "probability", "polymyositis", "necrotizing", "dermatomyositis", "classification",
                 *(label.lower() for label in LABEL_TEXT if len(label) > 3)}
    found = sorted(w for w in forbidden if re.search(rf"\b{re.escape(w)}\b", text))
    assert not found, f"the patient summary names {found}"
    shot(page, "patient-summary", full_page=True)

    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.locator("footer.site")).to_be_hidden()
    change = page.get_by_test_id("change-answers").locator("button")
    expect(change).to_have_count(1)
    expect(change).to_have_text("Change my answers")
    expect(change).to_be_hidden()
    expect(summary).to_be_visible()
    shot(page, "patient-summary-print", full_page=True)
    pdf = artifacts / "patient-summary.pdf"
    page.pdf(path=str(pdf), format="A4")
    assert pdf.read_bytes().startswith(b"%PDF")

    # "Change my answers" brings the checklist back filled in (a plain link had emptied it: a review of session 35)
    page.emulate_media(media="screen")
    page.get_by_role("button", name="Change my answers").click()
    expect(page).to_have_url(re.compile(r"/patient$"))
    expect(page.get_by_role("group", name="Is it harder than before to climb stairs?").get_by_role(
        "radio", name="Yes", exact=True)).to_be_checked()
    expect(page.get_by_role("group", name="Do your muscles ache or hurt?").get_by_role(
        "radio", name="No", exact=True)).to_be_checked()
    expect(page.get_by_role("checkbox", name="thighs", exact=True)).to_be_checked()
    expect(page.get_by_label("Since when, roughly?")).to_have_value("since March, getting worse")
    expect(page.get_by_label("Anything else you want your doctor to know")).to_have_value(
        "My father had a muscle disease.")


def test_classify_without_javascript(browser: Browser, live_server: str, shot: Shot) -> None:
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/")
        fill_anti_hmgcr_case(page)
        expect(page.get_by_test_id("verdict")).to_have_count(0)  # nothing updates as you go without JS
        with page.expect_navigation():
            page.get_by_role("button", name="Classify", exact=True).click()
        assert page.url == f"{live_server}/"
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()  # a full page, not a fragment
        expect(page.get_by_role("heading", level=1)).to_have_text("Classify a myositis case")
        expect(page.get_by_test_id("verdict")).to_have_text("imnm_anti_hmgcr")
        expect(page.get_by_test_id("dx-chart")).to_be_visible()  # the differential needs no script either
        expect(page.get_by_test_id("dx-note")).to_contain_text("Not a diagnosis")
        expect(number(page, "ck_u_l")).to_have_value("8000")  # the form comes back filled
        expect(finding(page, "weakness_proximal_lower_symmetric").get_by_role("radio", name="yes", exact=True)).to_be_checked()
        shot(page, "clinician-nojs")
    finally:
        context.close()


def test_patient_page_labels_and_keyboard(page: Page) -> None:
    page.goto("/patient")
    controls = page.locator("input, select, textarea")
    assert controls.count() > 20
    for control in controls.all():
        expect(control).to_have_accessible_name(re.compile(r"\S"))
    # every radio sits in a question group that has a name (its legend), so "Yes" is never read out alone
    unnamed = page.evaluate("""() => [...document.querySelectorAll('input[type=radio]')]
        .filter(r => !r.closest('fieldset')?.querySelector(':scope > legend')?.textContent.trim())
        .map(r => r.name)""")
    assert unnamed == []

    submit = page.get_by_role("button", name="Make my one-page summary")
    page.locator("body").focus()
    for _ in range(80):
        page.keyboard.press("Tab")
        if submit.evaluate("el => el === document.activeElement"):
            break
    expect(submit).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("patient-summary")).to_be_visible()


def test_csp_holds_on_clinician_page_and_docs(page: Page, live_server: str, shot: Shot) -> None:
    messages: list[ConsoleMessage] = []
    page.on("console", lambda m: messages.append(m))
    page_errors: list[str] = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    # record violations from the page itself as well (an init script is injected by the browser, not by the page)
    page.add_init_script("""window.__csp = [];
        document.addEventListener('securitypolicyviolation',
            e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));""")

    def problems() -> list[str]:
        found = [f"{m.type}: {m.text}" for m in messages
                 if m.type == "error" or "content security policy" in m.text.lower()]
        return found + page_errors + page.evaluate("window.__csp")

    page.goto("/")
    with page.expect_response(is_post_root(live_server)):
        choose(page, "ab_hmgcr", "positive")  # an htmx request and swap happen under the CSP too
    expect(page.locator("#result").get_by_test_id("headline")).to_be_visible()
    assert problems() == []

    page.goto("/docs")
    expect(page.locator(".swagger-ui").first).to_be_attached()
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("myoclass")
    expect(page.get_by_text("/api/v1/assess").first).to_be_visible()
    assert problems() == []
    shot(page, "docs")
    # the way back: the site's header, as on every page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clinician workspace").click()
    expect(page).to_have_url(live_server + "/")


def test_clinician_page_controls_have_names(page: Page) -> None:
    page.goto("/")
    controls = page.locator("#case-form").locator("input, select, textarea")
    assert controls.count() > 100
    for control in controls.all():
        if not control.is_visible():  # only the assay of an antibody not tested is hidden (no name while hidden)
            assert control.evaluate("e => !!e.closest('.method')"), control.get_attribute("name")
            continue
        expect(control).to_have_accessible_name(re.compile(r"\S"))
    # radios are named "yes"/"no"/"unknown": each group must carry the finding's name in its legend
    unnamed = page.evaluate("""() => [...document.querySelectorAll('#case-form input[type=radio]')]
        .filter(r => !r.closest('fieldset')?.querySelector(':scope > legend')?.textContent.trim())
        .map(r => r.name)""")
    assert unnamed == []




def fill_case(page: Page, case: dict[str, object]) -> None:
    for key, value in case.items():
        if isinstance(value, bool):
            label = ("positive" if value else "negative") if key.startswith("ab_") else ("yes" if value else "no")
            choose(page, key, label)
        elif isinstance(value, int | float):
            number(page, key).fill(str(value))
            number(page, key).press("Tab")
        else:
            finding(page, key).locator("select").select_option(str(value))


def test_differential_chart_and_headline(page: Page, shot: Shot) -> None:
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/")
        fill_case(page, {k: v for k, v in README_CASE.items() if k != "case_id"})
        result = page.locator("#result")
        expect(result.get_by_test_id("leading")).to_have_text(re.compile(r"Most likely:\s+IMNM, anti-HMGCR subtype\s+—\s+89%"))
        expect(result.get_by_test_id("verdict")).to_have_text("undetermined")  # the strict label, still shown
        expect(result.locator(".strict")).to_contain_text("Not settled by the criteria: anti-HMGCR not tested")
        expect(result.get_by_test_id("dx-note")).to_have_text(
            re.compile(rf"Not a diagnosis\s+· literature-based model \(v{MODEL_VERSION}\)\s+· unknown findings read as not "
                       r"assessed"
                       r"\s+· computed exactly"))
        rows = result.get_by_test_id("dx-row")
        expect(rows.first).to_have_attribute("data-label", "imnm_anti_hmgcr")
        expect(rows.first.locator(".dx-pct")).to_have_text("89%")
        assert rows.count() == 5  # the label under 1% is folded away
        # each bar is as long as its share of the track (SVG geometry: no inline style, so the CSP holds)
        for row in rows.all():
            track = row.locator(".dx-track").bounding_box()
            fill = row.locator(".dx-fill").bounding_box()
            assert track and fill and track["width"] > 100
            pct = float(row.locator(".dx-pct").inner_text().rstrip("%"))
            assert abs(100 * fill["width"] / track["width"] - pct) < 1.5, (row.get_attribute("data-label"), fill, track)
        # the name, the bar and the percentage sit within the panel at this width (on a phone the result
        # column has no box of its own: its parts flow before the form)
        panel = result.get_by_test_id("differential").bounding_box()
        assert panel
        for row in rows.all():
            box = row.bounding_box()
            assert box and box["x"] >= panel["x"] and box["x"] + box["width"] <= panel["x"] + panel["width"] + 1
        folded = result.locator("details.dx-more")
        expect(folded.locator("summary")).to_have_text("1 more label under 1%")
        folded.locator("summary").click()
        expect(folded.locator(".dx-row")).to_have_count(1)
        expect(folded.locator(".dx-pct")).to_have_text("<1%")
        odds = result.get_by_test_id("next-test-odds").first
        expect(odds).to_have_text(re.compile(r"positive: 89% likely · settles most of what is uncertain \(0\.50 bits\)"))
        expect(result.get_by_test_id("next-test").first).to_have_text("test anti-HMGCR")  # words, not ab_hmgcr
        result.get_by_test_id("differential").scroll_into_view_if_needed()
        shot(page, f"clinician-differential-{width}")


def test_patient_page_shows_no_label_or_probability(page: Page) -> None:
    page.goto("/patient")
    text = page.locator("main").inner_text().lower()
    assert "%" not in text and "most likely" not in text and "probability" not in text
    assert page.locator(".dx-chart, .differential, [data-testid=leading]").count() == 0


def test_headline_says_when_no_sign_of_a_myopathy_is_recorded(page: Page, shot: Shot) -> None:
    """A case with only an arthritis: the headline names the leading label and says that no sign of a myopathy or
    myositis is recorded (the differential assumes one is suspected); one muscle sign takes the sentence away."""
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/")
        fill_case(page, {"arthritis": True})
        result = page.locator("#result")
        expect(result.get_by_test_id("no-sign")).to_have_text(re.compile(
            r"No sign of a myopathy or myositis is recorded: these figures\s+assume one is suspected"))
        expect(result.get_by_test_id("no-sign")).to_be_in_viewport()
        shot(page, f"no-sign-{width}")
        choose(page, "weakness_proximal_lower_symmetric", "yes")
        expect(result.get_by_test_id("no-sign")).to_have_count(0)
