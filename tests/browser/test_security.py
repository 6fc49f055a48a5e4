"""The page under the server's Content-Security-Policy (issue 18): the sign-in token leaves the address bar
at once and lives only in the tab's sessionStorage, the Gantt still draws with no policy violation, and
/docs and /redoc work with every other host unreachable."""

from __future__ import annotations

import time
from urllib.parse import urlparse

from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import Server, sign_in

# every Content-Security-Policy violation of the page, as the browser reports it to the page itself
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


def _watch(page: Page) -> list[str]:
    """Record CSP violations (page events and console reports) of `page` from its next navigation on."""
    console: list[str] = []
    page.add_init_script(WATCH_CSP)
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return console


def _only_this_server(page: Page, server: Server) -> list[str]:
    """Refuse every request to another host (as an office without internet would); the refused URLs."""
    ours = urlparse(server.base_url).netloc
    elsewhere: list[str] = []

    def route(r: Route) -> None:
        if urlparse(r.request.url).netloc == ours:
            r.continue_()
        else:
            elsewhere.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return elsewhere


def test_the_sign_in_link_leaves_no_token_in_the_address_bar_and_a_reload_keeps_the_user_signed_in(
    page: Page, server: Server
) -> None:
    sign_in(page, server)

    assert "token" not in page.url
    assert page.evaluate("() => window.location.href").find(server.token) == -1
    stored = page.evaluate(
        "() => ({session: sessionStorage.getItem('capsched.token'), local: localStorage.getItem('capsched.token')})"
    )
    assert stored == {"session": server.token, "local": None}
    page.reload()
    expect(page.locator("#who")).to_have_text("admin")
    assert "token" not in page.url


def test_a_token_an_older_page_left_in_local_storage_moves_to_the_tab(page: Page, server: Server) -> None:
    page.goto(server.base_url + "/")
    page.evaluate(f"() => localStorage.setItem('capsched.token', '{server.token}')")

    page.reload()

    expect(page.locator("#who")).to_have_text("admin")
    assert page.evaluate("() => localStorage.getItem('capsched.token')") is None


def test_the_gantt_draws_under_the_content_security_policy_with_no_violation(
    page: Page, server: Server
) -> None:
    console = _watch(page)
    elsewhere = _only_this_server(page, server)
    with server.client() as api:
        pid = api.get("/api/portfolios").json()[0]["id"]
        scenario = api.get(f"/api/portfolios/{pid}/scenarios").json()[0]
        run = api.post(f"/api/scenarios/{scenario['id']}/runs", json={"time_limit": 3}).json()
        while api.get(f"/api/runs/{run['id']}").json()["status"] in ("queued", "running"):
            time.sleep(0.1)
        policy = api.get("/").headers["content-security-policy"]

    sign_in(page, server)
    page.goto(f"{server.base_url}/#/run/{run['id']}")
    page.wait_for_function("() => document.querySelector('#gantt')?.data?.length > 0")

    assert "script-src 'self';" in policy and "unsafe-eval" not in policy
    expect(page.locator("#gantt .main-svg").first).to_be_visible()
    bars = page.locator("#gantt .barlayer .point path")
    assert bars.count() >= 19  # a drawn bar per scheduled seed project (and plan/late layers)
    box = page.locator("#gantt .main-svg").first.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 200
    # a project's own bar (the plan's grey ghosts, drawn first, take no hover)
    first_bars = page.evaluate(
        "() => document.querySelector('#gantt')._fullData.filter(t => t.type === 'bar')"
        ".findIndex(t => t.meta === 'bar')"
    )
    own = page.locator("#gantt .barlayer .trace.bars").nth(first_bars).locator(".point path").first
    own.scroll_into_view_if_needed()
    bar = own.bounding_box()
    assert bar is not None
    page.mouse.move(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
    # plotly's own stylesheet rules (inserted at run time) stack its hover layer over the plot
    expect(page.locator("#gantt .hoverlayer .hovertext").first).to_be_visible()
    assert page.evaluate("() => window.__csp") == [] and console == []
    assert elsewhere == []


def test_the_api_docs_and_redoc_work_with_no_other_host_reachable(page: Page, server: Server) -> None:
    console = _watch(page)
    elsewhere = _only_this_server(page, server)

    page.goto(server.base_url + "/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=30_000)
    operations = page.locator(".swagger-ui .opblock").count()
    docs_violations = [*page.evaluate("() => window.__csp"), *console]

    page.goto(server.base_url + "/redoc")
    expect(page.get_by_role("heading", name="capsched").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("/api/portfolios/{pid}/projects").first).to_be_attached()
    redoc_violations = [*page.evaluate("() => window.__csp"), *console]

    assert operations > 50  # every route of the API, rendered by Swagger UI
    assert docs_violations == []
    # the only thing refused is ReDoc's "API docs by Redocly" logo, an image it links from its own site
    logo = "https://cdn.redoc.ly/redoc/logo-mini.svg"
    assert redoc_violations and all(logo in v for v in redoc_violations), redoc_violations
    assert set(elsewhere) <= {logo}, elsewhere
