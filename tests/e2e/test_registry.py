"""The registry in a real browser (issue 15): log in, create a patient, enter three visits, and read the timeline
with its figures and the Total Improvement Score, at a phone's and a desk's width; axe-core finds no violation on
the registry's pages.

The registry gets its own server here (uvicorn on 127.0.0.1, a SQLite file in a temporary folder), so no test
touches a registry outside its folder; over plain http on loopback the session cookie is not Secure, which is the
rule that lets ``./run`` work on http://127.0.0.1:8000/.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import axe_violations, serve
from myoclass.followup import MUSCLES

Shot = Callable[..., Path]
WIDTHS = (390, 1280)
PASSWORD = "correct horse battery"
#: three visits: date, CK U/L, MMT-8 grade of every group, HAQ, physician and patient global
VISITS = [("2023-01-10", "8000", "5", "2", "7"), ("2023-04-10", "2000", "7", "1.2", "4"),
          ("2023-10-10", "300", "9", "0.5", "2")]


@pytest.fixture(scope="module")
def registry_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from myoclass.registry import service
    from myoclass.web.app import create_app
    from myoclass.web.auth import RegistryWebSettings

    url = f"sqlite:///{tmp_path_factory.mktemp('registry-e2e') / 'registry.sqlite3'}"
    with service.open_registry(url) as reg:
        service.add_user(reg, "cora", "clinician", PASSWORD)
    yield from serve(create_app(registry=RegistryWebSettings(database_url=url)), "registry-server")


def no_page_overflow(page: Page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths[0]} px of content in {widths[1]} px"


def log_in(page: Page, server: str) -> None:
    page.goto(f"{server}/registry")
    expect(page).to_have_url(re.compile(r"/login$"))
    page.get_by_label("User name").fill("cora")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{server}/registry")
    expect(page.get_by_role("heading", name="Patients", exact=True)).to_be_visible()


def enter_visit(page: Page, visit: tuple[str, str, str, str, str], first: bool) -> None:
    date, ck, grade, haq, pg = visit
    page.locator("#f-visit_date").fill(date)
    page.locator("#f-ck_u_l").fill(ck)
    page.locator("#f-ck_uln_u_l").fill("200")
    for m in MUSCLES:
        page.locator(f"#f-mmt8_{m}").fill(grade)
    page.locator("#f-haq").fill(haq)
    page.locator("#f-physician_global").fill(pg)
    page.locator("#f-patient_global").fill(pg)
    page.locator("#f-extramuscular").fill("1")
    if first:  # the later visits start from these (carried over from the last visit)
        page.get_by_role("group", name="Anti-HMGCR antibodies").get_by_role("radio", name="positive").check()
        page.get_by_role("group", name="Statin taken before or at onset").get_by_role("radio", name="yes").check()
        for name in ("Objective symmetric weakness of proximal upper limbs",
                     "Objective symmetric weakness of proximal lower limbs"):
            page.get_by_role("group", name=name).get_by_role("radio", name="yes").check()
        page.locator("#f-rx0_agent").fill("prednisolone")
        page.locator("#f-rx0_class").select_option("glucocorticoid")
        page.locator("#f-rx0_start").fill("2023-01-12")
    elif date == VISITS[1][0]:
        page.locator("#f-rx0_agent").fill("ivig")
        page.locator("#f-rx0_class").select_option("ivig")
        page.locator("#f-rx0_start").fill("2023-02-01")
        page.locator("#f-rx0_stop").fill("2023-08-01")
    page.get_by_role("button", name="Save the visit").click()


@pytest.mark.parametrize("width", WIDTHS)
def test_login_new_patient_three_visits_timeline(page: Page, registry_server: str, width: int, shot: Shot) -> None:
    server = registry_server
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, server)
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["myoclass_session"]
    assert session["httpOnly"] and session["sameSite"] == "Strict" and not session["secure"]  # loopback http
    code = f"E2E-{width}"

    page.get_by_role("navigation", name="Registry").get_by_role("link", name="New patient").click()
    page.get_by_label("Patient code").fill(code)
    page.get_by_role("button", name="Create the patient").click()
    expect(page.get_by_role("heading", name=f"First visit — patient {code}")).to_be_visible()
    no_page_overflow(page)
    shot(page, f"registry-visit-form-{width}", full_page=True)
    enter_visit(page, VISITS[0], first=True)
    expect(page).to_have_url(f"{server}/registry/patients/{code}")
    for visit in VISITS[1:]:
        page.get_by_role("link", name="Add a visit").click()
        expect(page.get_by_text("Carried over from the visit of")).to_be_visible()
        enter_visit(page, visit, first=False)
        expect(page).to_have_url(f"{server}/registry/patients/{code}")

    # the answer first, then the course
    summary = page.get_by_test_id("timeline-summary")
    expect(summary.get_by_role("heading")).to_contain_text("IMNM, anti-HMGCR subtype")
    expect(summary).to_contain_text("1.5× the upper limit of normal")
    expect(summary).to_contain_text("major improvement")
    for testid, title in (("plot-ck", "log scale"), ("plot-mmt", "MMT-8 total"), ("plot-treatments", "Treatments"),
                          ("plot-tis", "Total Improvement Score"), ("plot-differential", "differential")):
        figure = page.get_by_test_id(testid)
        expect(figure).to_be_visible()
        svg = figure.get_by_role("img")
        expect(svg).to_be_visible()
        expect(svg).to_have_accessible_name(re.compile(re.escape(title)))  # its <title> and <desc>
        box = svg.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 40
    # three CK points on the log scale, in time order and falling
    ys = [float(c.get_attribute("cy") or 0) for c in page.get_by_test_id("plot-ck").locator("circle").all()]
    assert len(ys) == 3 and ys[0] < ys[1] < ys[2]
    tis = page.get_by_test_id("tis-cell")
    expect(tis).to_have_count(3)
    expect(tis.nth(0)).to_have_text("baseline")
    expect(tis.nth(1)).to_contain_text("improvement")
    expect(tis.nth(2)).to_contain_text("major improvement")
    expect(page.get_by_test_id("label-table")).to_contain_text("IMNM, anti-HMGCR subtype")
    no_page_overflow(page)
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, f"registry-timeline-{width}", full_page=True)
    page.get_by_test_id("plot-ck").scroll_into_view_if_needed()
    shot(page, f"registry-timeline-plots-{width}")
    assert axe_violations(page) == []

    page.get_by_role("navigation", name="Registry").get_by_role("link", name="Patients").click()
    row = page.get_by_test_id("patient-list").get_by_role("row", name=re.compile(code))
    expect(row).to_contain_text("1.5× ULN")
    expect(row).to_contain_text("IMNM, anti-HMGCR subtype")
    no_page_overflow(page)
    shot(page, f"registry-patients-{width}", full_page=True)
    assert axe_violations(page) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_login_page_and_forms_pass_axe(page: Page, registry_server: str, width: int, shot: Shot) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{registry_server}/login")
    no_page_overflow(page)
    shot(page, f"registry-login-{width}")
    assert axe_violations(page) == []
    log_in(page, registry_server)
    for path in ("/registry/patients/new", "/registry/reclassify", "/registry/export"):
        page.goto(f"{registry_server}{path}")
        no_page_overflow(page)
        assert axe_violations(page) == [], path
    page.goto(f"{registry_server}/registry/reclassify")
    page.get_by_role("button", name="Re-classify all").click()
    expect(page.get_by_test_id("reclassify-result")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto(f"{registry_server}/registry")
    expect(page).to_have_url(re.compile(r"/login$"))
