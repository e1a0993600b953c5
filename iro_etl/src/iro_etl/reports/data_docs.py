"""Great Expectations Data Docs for the marts, as a site that opens with no network.

GX's own pages load Bootstrap, jQuery, bootstrap-table, Font Awesome and Vega
from CDNs, and the logo from GX's web-assets bucket with the context's id in
the URL. Offline, that leaves the index page empty (its tables are drawn by
bootstrap-table) and pings a third party when it is online. So the site is
built in two steps:

1. Rendering, through GX's supported hook for custom views (a ``view`` class
   named in the site's config): our view classes put a few of our own templates
   in front of GX's. They draw the index tables as plain HTML on the server,
   use the logo GX copies into the site, leave out the widgets that only work
   with jQuery (the "Failed only" filter, the tutorial footers), and inline our
   own small stylesheet (``OFFLINE_CSS``) in place of Bootstrap and Font Awesome.
2. Sanitising every ``.html``, ``.css`` and ``.js`` file written, as a guard:
   scripts are dropped (nothing on the pages needs them now), ``<link>``,
   ``<img>`` and CSS ``url()`` that point off the machine are removed, and so are
   off-machine ``href``/``src`` attributes. Only XML namespace URIs, which are
   names and never fetched, are left (GX's static SVG logos carry them).

The site lives in ``<folder>/site``; the file context that keeps the suites and
results behind it lives in ``<folder>/gx``. Each build keeps the latest result
per mart and authority, so the site is the current state (Dagster keeps the
history of every run).
"""

from __future__ import annotations

import fcntl
import re
from collections.abc import Iterable
from importlib.resources import files
from pathlib import Path
from urllib.parse import unquote, urlparse

import great_expectations as gx
from great_expectations.data_context import AbstractDataContext
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)
from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView
from jinja2 import ChoiceLoader, DictLoader

from iro_etl.reports.expectation_runs import MartExpectations, run_authorities, site_index
from iro_etl.reports.expectations import DATASOURCE, STACKED, quiet_context, suite_for

SITE = "local_site"
_VIEWS = {"module_name": __name__}

# --- step 1: our templates in front of GX's ------------------------------------------------------

#: Minimal stand-ins for the Bootstrap and Font Awesome rules the pages use.
OFFLINE_CSS = """
/* iro-etl: local styles in place of Bootstrap and Font Awesome, so the site needs no network. */
:root { --fg: #212529; --bg: #ffffff; --muted: #5f6b76; --line: #d7dce1; --soft: #f2f4f6;
        --link: #0b5cad; --ok: #1e7e34; --bad: #c82333; --warn: #9a6200; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #f1f1f1; --bg: #1d1f21; --muted: #aab2bb; --line: #454a50; --soft: #2a2d31;
          --link: #8cc4ff; --ok: #5cd67a; --bad: #ff7b7b; --warn: #ffc857; }
  /* GX's logo is dark on transparent: give it a light ground. */
  .iro-navbar img { visibility: visible !important; background: #f1f1f1; border-radius: 4px; }
}
*, ::before, ::after { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: var(--bg); line-height: 1.5; font-size: 15px;
       font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
a { color: var(--link); }
h4, h5, h6, .h6 { margin: 0 0 .5rem; font-weight: 600; line-height: 1.25; }
h4 { font-size: 1.3rem; } h5 { font-size: 1.1rem; } h6, .h6 { font-size: 1rem; }
p { margin: 0 0 .75rem; }
.lead { color: var(--muted); }
pre, code, .badge { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.iro-navbar { position: sticky; top: 0; z-index: 10; display: flex; flex-wrap: wrap; align-items: center;
              gap: .5rem 1.25rem; padding: .5rem 1.5rem; background: var(--bg);
              border-bottom: 1px solid var(--line); }
.iro-navbar img { height: 36px; width: auto; vertical-align: middle; }
.iro-navbar .iro-crumbs { color: var(--muted); }
.container-fluid { width: 100%; padding: 1rem 1.5rem; }
.ge-section.container-fluid { padding: 0; }
.row { display: flex; flex-wrap: wrap; margin: 0 -.75rem; }
.row > * { width: 100%; padding: 0 .75rem; }
.col-12 { flex: 0 0 100%; max-width: 100%; }
.col-6 { flex: 0 0 50%; max-width: 50%; }
@media (max-width: 767px) { .col-6 { flex-basis: 100%; max-width: 100%; } }
.d-none { display: none !important; }
@media (min-width: 768px) {
  .col-md-2 { flex: 0 0 20%; max-width: 20%; }
  .col-md-10 { flex: 0 0 80%; max-width: 80%; }
  .d-md-block { display: block !important; }
  .d-md-inline-flex { display: inline-flex !important; }
}
.d-flex { display: flex; }
.justify-content-center { justify-content: center; }
.m-0 { margin: 0 !important; } .p-0 { padding: 0 !important; } .px-0 { padding-left: 0; padding-right: 0; }
.mb-0 { margin-bottom: 0 !important; } .mb-1 { margin-bottom: .25rem; } .mb-2 { margin-bottom: .5rem; }
.mb-3 { margin-bottom: 1rem; } .mb-4 { margin-bottom: 1.5rem; } .mt-1 { margin-top: .25rem; }
.ml-1 { margin-left: .25rem; } .ml-2 { margin-left: .5rem; } .mr-2 { margin-right: .5rem; }
.p-1 { padding: .25rem; } .p-2 { padding: .5rem; } .p-3 { padding: 1rem; }
.table-responsive { overflow-x: auto; }
.table { width: 100%; border-collapse: collapse; margin: .5rem 0; }
.table th, .table td { padding: .3rem .5rem; text-align: left; vertical-align: top;
                       border-top: 1px solid var(--line); }
.table thead th { border-bottom: 2px solid var(--line); }
.iro-static-table tbody tr:nth-child(odd) { background: var(--soft); }
.alert { padding: .6rem 1rem; margin-bottom: 1rem; border: 1px solid var(--line); border-radius: 4px; }
.alert-secondary, .bg-light { background: var(--soft); }
.badge { display: inline-block; padding: .1em .4em; font-size: 85%; border-radius: 4px;
         background: var(--soft); border: 1px solid var(--line); }
.card { margin-bottom: 1rem; border: 1px solid var(--line); border-radius: 4px; }
.card-header { padding: .5rem; background: var(--soft); border-bottom: 1px solid var(--line); }
.card-body { padding: .75rem; }
.nav { list-style: none; margin: 0; padding: 0; }
.nav-link { display: block; padding: .15rem .4rem; text-decoration: none; }
.nav-tabs { display: flex; gap: .25rem; margin-bottom: .75rem; border-bottom: 1px solid var(--line); }
.nav-tabs .nav-link { border: 1px solid var(--line); border-bottom: none; border-radius: 4px 4px 0 0; }
/* Tabs without script: the first pane shows, and a tab link shows its pane as the URL's target. */
.tab-pane { display: none; }
.tab-pane.active, .tab-pane:target { display: block; }
.tab-content:has(.tab-pane:target) .tab-pane.active:not(:target) { display: none; }
.sticky { position: sticky; top: 70px; }
.text-success { color: var(--ok); } .text-danger { color: var(--bad); } .text-warning { color: var(--warn); }
.fas, .fa { font-style: normal; font-weight: bold; }
.fa-check-circle::before { content: "\\2714"; }
.fa-times::before { content: "\\2716"; }
.fa-exclamation-triangle::before { content: "\\26A0"; }
.fa-question-circle::before { content: "?"; }
.fa-comment::before { content: "\\2026"; }
"""

_TEMPLATES = {
    # Nothing to import: the pages below work without script.
    "js_script_imports.j2": "",
    # GX's newsletter footer and tutorial call-to-action link off the machine.
    "cloud-footer.j2": "",
    "cta_footer.j2": "",
    # Its "Failed only" filter is jQuery code.
    "page_action_card.j2": "",
    "data_docs_custom_styles.css": OFFLINE_CSS,
    "ge_info.j2": """<div class="mb-4">
{% if renderer_type == "ValidationResultsPageRenderer" %}
  <h4>Validation result</h4><p class="lead">One mart of one authority, checked against its suite.</p>
{% elif renderer_type == "ExpectationSuitePageRenderer" %}
  <h4>Expectation suite</h4><p class="lead">Generated from the mart's pandera schema.</p>
{% else %}
  <p class="lead">Expectations on the published marts, built by iro-etl with
  Great Expectations {{ ge_version }}.</p>
{% endif %}
</div>""",
    # Pages sit at expectations/<suite>.html and validations/<suite>/<run>/<time>/<batch>.html
    # (a dot in a suite name adds a folder), so the way home is counted, as GX's own navbar does.
    "top_navbar.j2": """{%- set dots = expectation_suite_name.count(".") if expectation_suite_name else 0 -%}
{%- if "ValidationResults" in renderer_type or "ProfilingResults" in renderer_type -%}
  {%- set root = "../" * (dots + 4) -%}
{%- elif "ExpectationSuite" in renderer_type -%}
  {%- set root = "../" * (dots + 1) -%}
{%- else -%}
  {%- set root = "" -%}
{%- endif -%}
<nav class="iro-navbar">
  <a href="{{ root }}index.html">
    <img src="{{ root }}static/images/logo-long.png" alt="Great Expectations"></a>
  <strong>iro-etl marts: expectations</strong>
  {% if page_title %}
    <span class="iro-crumbs"><a href="{{ root }}index.html">Home</a> / {{ page_title }}</span>
  {% endif %}
</nav>""",
    # bootstrap-table draws GX's index tables in the browser; this draws them here, sorted as
    # GX asks, with a link to each row's page.
    "bootstrap_table.j2": """{% include 'content_block_header.j2' %}
{%- set options = content_block.get("table_options", {}) -%}
{%- set columns = content_block["table_columns"] -%}
{%- set rows = content_block["table_data"] | render_bootstrap_table_data -%}
{%- set sort = namespace(key=options.get("sortName")) -%}
{%- for column in columns if column["field"] == sort.key and column.get("sortName") -%}
  {%- set sort.key = column["sortName"] -%}
{%- endfor -%}
{%- if sort.key and rows -%}
  {%- set rows = rows | sort(attribute=sort.key, reverse=options.get("sortOrder") == "desc") -%}
{%- endif -%}
{%- set linked = rows and rows[0].get("_table_row_link_path") -%}
<div class="table-responsive iro-static-table">
<table id="{{ content_block_id }}-body-table" class="table table-sm">
  <thead>
    {%- if content_block.get("title_row") %}
    <tr><th colspan="{{ columns | length + (1 if linked else 0) }}">
      {{- content_block["title_row"] | render_content_block }}</th></tr>
    {%- endif %}
    <tr>{% for column in columns %}<th>{{ column["title"] }}</th>{% endfor %}
      {%- if linked %}<th>Page</th>{% endif %}</tr>
  </thead>
  <tbody>
  {%- for row in rows %}
    <tr>{% for column in columns %}<td>{{ row.get(column["field"], "") }}</td>{% endfor %}
      {%- if linked %}<td><a href="{{ row["_table_row_link_path"] }}">open</a></td>{% endif %}</tr>
  {%- endfor %}
  </tbody>
</table>
</div>""",
}


def _default_styles() -> str:
    """GX's own stylesheet, as shipped in the package, less its one off-machine image."""
    css = (files("great_expectations") / "render/view/static/styles/data_docs_default_styles.css")
    return sanitise_css(css.read_text(encoding="utf-8"))


def _overlay(view: DefaultJinjaPageView) -> None:
    templates = {**_TEMPLATES, "data_docs_default_styles.css": _default_styles()}
    # GX appends custom views after its own templates, so they cannot replace one; going first can.
    view.env.loader = ChoiceLoader([DictLoader(templates), view.env.loader])


class OfflinePageView(DefaultJinjaPageView):
    """GX's page view with our templates first (suite and validation pages)."""

    def __init__(self, custom_styles_directory=None, custom_views_directory=None) -> None:
        super().__init__(custom_styles_directory, custom_views_directory)
        _overlay(self)


class OfflineIndexPageView(DefaultJinjaIndexPageView):
    """GX's index page view with our templates first."""

    def __init__(self, custom_styles_directory=None, custom_views_directory=None) -> None:
        super().__init__(custom_styles_directory, custom_views_directory)
        _overlay(self)


# --- step 2: nothing written may point off the machine ---------------------------------------------

_REMOTE = r"""(?:https?:)?//"""
#: Namespace URIs name a vocabulary and are never fetched; an SVG needs its own.
_NAMESPACES = ("http://www.w3.org/",)
_SCRIPT = re.compile(r"<script\b.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_REMOTE_LINK = re.compile(rf"""<link\b[^>]*\bhref\s*=\s*["']?{_REMOTE}[^>]*>""", re.IGNORECASE)
_REMOTE_IMG = re.compile(rf"""<img\b[^>]*\bsrc\s*=\s*["']?{_REMOTE}[^>]*>""", re.IGNORECASE)
_REMOTE_ATTR = re.compile(rf"""\s(?:href|src)\s*=\s*(["']){_REMOTE}.*?\1""", re.IGNORECASE | re.DOTALL)
_REMOTE_CSS_URL = re.compile(rf"""url\(\s*(["']?){_REMOTE}[^)]*\)""", re.IGNORECASE)
_REMOTE_CSS_IMPORT = re.compile(rf"""@import\s+(?:url\()?\s*["']?{_REMOTE}[^;]*;""", re.IGNORECASE)
_ANY_URL = re.compile(r"https?://[^\s\"'<>)]*", re.IGNORECASE)


def sanitise_css(css: str) -> str:
    """CSS with off-machine imports and ``url()`` images removed."""
    css = _REMOTE_CSS_IMPORT.sub("", css)
    return _REMOTE_CSS_URL.sub("none", css)


def _strip_text_urls(text: str) -> str:
    """Any address left (in text, not a reference) loses its scheme, so nothing can follow it."""
    return _ANY_URL.sub(lambda m: m.group(0) if m.group(0).startswith(_NAMESPACES)
                        else m.group(0).split("://", 1)[1], text)


def sanitise_html(html: str) -> str:
    """HTML with no script and no reference off the machine."""
    html = _SCRIPT.sub("", html)
    html = _REMOTE_LINK.sub("", html)
    html = _REMOTE_IMG.sub("", html)
    html = _REMOTE_ATTR.sub("", html)
    return _strip_text_urls(sanitise_css(html))


def make_offline(site: Path) -> list[Path]:
    """Sanitise every page, stylesheet and script of the site in place; returns those changed."""
    changed = []
    for path in sorted(site.rglob("*")):
        if path.suffix not in (".html", ".css", ".js"):
            continue
        text = path.read_text(encoding="utf-8")
        clean = sanitise_html(text) if path.suffix == ".html" else _strip_text_urls(sanitise_css(text))
        if clean != text:
            path.write_text(clean, encoding="utf-8")
            changed.append(path)
    return changed


def remote_references(site: Path) -> dict[Path, list[str]]:
    """Addresses off the machine still in the site's pages, styles and scripts (should be none)."""
    found = {}
    for path in sorted(site.rglob("*")):
        if path.suffix in (".html", ".css", ".js"):
            urls = [u for u in _ANY_URL.findall(path.read_text(encoding="utf-8"))
                    if not u.startswith(_NAMESPACES)]
            if urls:
                found[path] = urls
    return found


# --- the site --------------------------------------------------------------------------------------

def _site_config(site: Path) -> dict:
    view = {**_VIEWS, "class_name": OfflinePageView.__name__}
    return {
        "class_name": "SiteBuilder",
        # Off: these are GX's tutorial buttons and walkthrough, which link to its website.
        "show_how_to_buttons": False,
        "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                          "base_directory": str(site)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder",
                               "view": {**_VIEWS, "class_name": OfflineIndexPageView.__name__}},
        "site_section_builders": {
            "expectations": {"view": view},
            "validations": {"view": view},
            "profiling": "None",  # We profile nothing.
        },
    }


def file_context(folder: Path) -> AbstractDataContext:
    """The file-backed context rooted in ``folder``, set up for our one local site."""
    folder.mkdir(parents=True, exist_ok=True)
    context = quiet_context(gx.get_context(mode="file", project_root_dir=folder))
    context.variables.data_docs_sites = {SITE: _site_config(site_index(folder).parent)}
    context.variables.save()
    return context


def _result_key(mart: MartExpectations) -> ValidationResultIdentifier:
    meta = mart.result.meta
    batch = meta.get("active_batch_definition") or {}
    batch_id = "-".join(filter(None, (batch.get("datasource_name", DATASOURCE),
                                      batch.get("data_asset_name", mart.name))))
    suite = ExpectationSuiteIdentifier(mart.result.suite_name)
    return ValidationResultIdentifier(expectation_suite_identifier=suite,
                                      run_id=meta["run_id"], batch_identifier=batch_id)


def _page(context: AbstractDataContext, key: ValidationResultIdentifier) -> Path | None:
    urls = context.get_docs_sites_urls(resource_identifier=key, site_name=SITE)
    url = urls[0].get("site_url") if urls else None
    return Path(unquote(urlparse(url).path)) if url else None


def _replace_older(context: AbstractDataContext, key: ValidationResultIdentifier,
                   stored: set[ValidationResultIdentifier]) -> None:
    """Forget earlier results (and their pages) of the same mart that judged no authority
    but this result's: a result of several authorities at once stays while one of them
    has no newer result. ``stored``: the store's keys, kept up to date here (listing them
    walks the store's folders, once a build is enough)."""
    covered = run_authorities(key.run_id.run_name)
    for old in [k for k in stored if _mart(k) == _mart(key) and k != key]:
        if run_authorities(old.run_id.run_name) <= covered:
            page = _page(context, old)
            if page is not None:
                page.unlink(missing_ok=True)
            context.validation_results_store.remove_key(old)
            stored.discard(old)


def _mart(key: ValidationResultIdentifier) -> str:
    return key.expectation_suite_identifier.name.removesuffix(STACKED)


def _stacked(key: ValidationResultIdentifier) -> bool:
    return key.expectation_suite_identifier.name.endswith(STACKED)


def build_data_docs(folder: Path, results: Iterable[MartExpectations]) -> Path:
    """Write the results (and their suites) to the offline Data Docs site in ``folder``
    (a result shared by several authorities once).

    Returns the path of the site's ``index.html``. The site is shared by every authority,
    so one build at a time holds the folder's lock (two authorities' runs at once would
    otherwise write the same suites, index and styles together).
    """
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".build.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        context = file_context(folder)
        stored = set(context.validation_results_store.list_keys())
        resources: dict = {}
        for mart in results:
            key = _result_key(mart)
            if key in resources:
                continue
            suite = context.suites.add_or_update(suite_for(mart.name, _stacked(key)))
            _replace_older(context, key, stored)
            context.validation_results_store.set(key, mart.result)
            stored.add(key)
            resources.update(dict.fromkeys([ExpectationSuiteIdentifier(suite.name), key]))
        # Only this run's pages are rendered; the index is rebuilt from every stored result.
        context.build_data_docs(site_names=[SITE], resource_identifiers=list(resources))
        index = site_index(folder)
        make_offline(index.parent)
    return index
