"""The Data Docs site in headless Chromium, opened from disk as a person would open it.

The site is meant to work with no network (see ``iro_etl.reports.data_docs``): its tables are
drawn on the server, not by script from a CDN, and nothing on it is fetched from
elsewhere. So the index must show every mart's latest result, a result page must open
from it, and every request the browser makes must stay on the machine.
"""

import re

from iro_schemas.marts import MART_MODELS
from playwright.sync_api import Page, expect

LOCAL = ("file://", "data:")


def test_data_docs_show_every_mart_with_no_network(page: Page, loaded, shoot):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    page.goto(loaded.data_docs.as_uri())
    expect(page.get_by_role("tab", name="Validation Results")).to_be_visible()
    # published_marts ran every mart's suite; the run's own record of each is what to expect.
    assert set(loaded.suites) == set(MART_MODELS)
    results = page.get_by_role("table").first
    for mart in MART_MODELS:
        row = results.get_by_role("row").filter(
            has=page.get_by_role("cell", name=mart, exact=True))
        expect(row).to_have_count(1)
        expect(row).to_contain_text(loaded.authority)  # the run name is the authority
        # The status icon is a styled <i>: its class says passed or failed.
        passed = loaded.suites[mart]["passed"]
        expect(row.locator(".text-success" if passed else ".text-danger")).to_have_count(1)
    shoot(page, "data_docs_index", full_page=True)

    # One mart's result page, reached by its link, with the numbers of the run behind it.
    row = results.get_by_role("row").filter(
        has=page.get_by_role("cell", name="review_timeliness", exact=True))
    row.get_by_role("link", name="open").click()
    expect(page).to_have_url(re.compile(r"/validations/review_timeliness/.+\.html$"))
    expect(page.get_by_text("Validation result", exact=True)).to_be_visible()
    expect(page.get_by_text("Expectation Suite: review_timeliness")).to_be_visible()
    evaluated = page.get_by_role("row").filter(has_text="Evaluated Expectations").first
    expect(evaluated).to_contain_text(str(loaded.suites["review_timeliness"]["evaluated"]))
    shoot(page, "data_docs_review_timeliness")

    assert requests and requests[0] == loaded.data_docs.as_uri()
    offsite = [url for url in requests if not url.startswith(LOCAL)]
    assert offsite == [], f"the Data Docs asked the network for {offsite}"
