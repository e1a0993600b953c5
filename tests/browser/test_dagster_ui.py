"""Dagster's UI in headless Chromium: the asset graph, and the checks of one loaded authority.

What a person would see after ``iro-etl run``: the pipeline's assets in the global
lineage graph, and on ``validated_tables`` each contract check with the status its
latest run gave it (read from the Dagster instance, so the page must agree with it).
"""

import re
from urllib.parse import quote

from playwright.sync_api import Page, expect

#: Dagster's success accent, the border of an asset node whose latest materialisation succeeded.
MATERIALISED = "rgb(46, 204, 129)"


def open_checks(page: Page) -> None:
    """Open the Checks tab of the asset page in view."""
    # The tabs are drawn before the asset's definition has come in, and a click then can be
    # lost as the page redraws (seen in CI); the definition panel's code location comes last.
    expect(page.get_by_text("Code location", exact=True)).to_be_visible()
    page.get_by_role("tab", name="Checks").click()
    expect(page).to_have_url(re.compile(r"view=checks"))


def test_asset_graph_shows_the_pipeline(page: Page, dagster_url: str, shoot):
    page.goto(f"{dagster_url}/asset-groups")
    # The graph's nodes are HTML inside the SVG; the sidebar's tree repeats the group names.
    graph = page.locator("svg foreignObject")
    for group in ("iro", "marts", "reports"):
        expect(graph.get_by_text(group, exact=True).first).to_be_visible()
    # Each group node says "(fetching statuses)" until the run's results have come in.
    expect(graph.get_by_text("fetching statuses")).to_have_count(0)
    shoot(page, "dagster_asset_groups")

    # The whole graph is too big to see at once (and the UI draws only the nodes in view), so
    # look at the lineage of the load log: what feeds the publish, and the reports that follow
    # it (they follow the log, which every run writes for each of its authorities, and not
    # the marts, which a held authority does not publish). The selection goes in the path,
    # as the filter box puts it there.
    selection = "+key:load_log+"
    page.goto(f"{dagster_url}/asset-groups~{quote(selection, safe='')}/")
    expect(graph.get_by_text("iro", exact=True).first).to_be_visible()
    # Groups start collapsed; ⌥E is the graph's own "Expand all groups" shortcut.
    page.keyboard.press("Alt+KeyE")
    for asset in ("export", "validated_tables", "rule_results", "load_log", "annual_report",
                  "failures_workbook"):
        name = graph.get_by_text(asset, exact=True)
        expect(name).to_be_visible()
        # The node around the name turns green once the graph's live data say "materialised".
        expect(name.locator("xpath=..")).to_have_css("border-top-color", MATERIALISED)
    # Filtered: what is not next to the load log is not drawn.
    expect(graph.get_by_text("quarantine", exact=True)).to_have_count(0)
    shoot(page, "dagster_asset_graph")


def test_validated_tables_checks_show_their_status(page: Page, dagster_url: str, loaded, shoot):
    checks = loaded.validated_checks
    # The synthetic export has defects: rows are quarantined but none is lost.
    assert checks["rows_conserved"] and not checks["reviews_valid"]

    page.goto(f"{dagster_url}/assets/validated_tables")
    open_checks(page)
    expect(page.get_by_text(f"Checks ({len(checks)})", exact=True)).to_be_visible()
    for name, passed in checks.items():
        # Each entry in the list: the name (a title-bearing box) and its status under it.
        entry = page.locator(f"span:has(> div[title='{name}'])").first
        expect(entry).to_be_visible()
        expect(entry).to_contain_text("Succeeded" if passed else "Failed")
    shoot(page, "dagster_validated_tables_checks")

    # A failing check opens on its latest evaluation, with the counts it recorded in that run.
    page.locator("span:has(> div[title='reviews_valid'])").first.click()
    expect(page).to_have_url(re.compile(r"checkDetail=reviews_valid"))
    expect(page.get_by_text("Latest execution", exact=True)).to_be_visible()
    shown = {}
    for key, value in loaded.check_counts["reviews_valid"].items():
        row = page.get_by_role("row", name=re.compile(rf"^{key} \d+$"))
        expect(row.get_by_role("cell").nth(1)).to_have_text(str(value))
        shown[key] = int(row.get_by_role("cell").nth(1).inner_text())
    assert shown["rows_in"] == shown["rows_clean"] + shown["rows_quarantined"] > 0
    assert shown["errors"] > 0
    shoot(page, "dagster_reviews_valid_check")


def test_a_mart_shows_its_kind_owner_and_both_checks(page: Page, dagster_url: str, loaded,
                                                     shoot):
    """A mart's page: its kinds, owner, SQL columns and partitions, and on its Checks tab the
    contract check and the Great Expectations suite beside each other."""
    page.goto(f"{dagster_url}/assets/review_timeliness")
    # The column types are the SQL table's; kinds, owner (its team: prefix is not shown) and
    # tags sit in the definition panel.
    expect(page.get_by_text("DATE", exact=True).first).to_be_visible()
    for kind in ("sql", "pandera"):
        expect(page.get_by_role("img", name=kind, exact=True).first).to_be_attached()
    expect(page.get_by_text("iro-data", exact=True).first).to_be_attached()
    shoot(page, "dagster_mart_overview")
    open_checks(page)
    expect(page.get_by_text("Checks (2)", exact=True)).to_be_visible()
    for name, passed in (("review_timeliness_contract", True),
                         ("review_timeliness_expectations",
                          loaded.suites["review_timeliness"]["passed"])):
        entry = page.locator(f"span:has(> div[title='{name}'])").first
        expect(entry).to_be_visible()
        expect(entry).to_contain_text("Succeeded" if passed else "Failed")
    shoot(page, "dagster_mart_checks")
    page.goto(f"{dagster_url}/assets/review_timeliness?view=partitions")
    expect(page.get_by_text(loaded.authority, exact=True).first).to_be_visible()
    shoot(page, "dagster_mart_partitions")

