"""Every response carries the security headers (issue 18): a Content-Security-Policy with scripts from this
origin only, no framing, no MIME sniffing, no Referer; /docs and /redoc load nothing from another host."""

from __future__ import annotations

import re

import pytest

EXPECTED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


@pytest.mark.parametrize(
    "path",
    ["/", "/app.js", "/static/plotly.min.js", "/docs", "/redoc", "/openapi.json", "/api/health",
     "/api/me", "/api/portfolios", "/api/no-such-route", "/static/docs/swagger-ui-bundle.js"],
)  # fmt: skip
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)

    assert {k: response.headers.get(k) for k in EXPECTED} == EXPECTED
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "default-src 'self'" in policy
    assert "unsafe-eval" not in policy and "frame-ancestors 'none'" in policy


def test_the_docs_pages_load_scripts_and_styles_from_this_server_only(client):
    for path in ("/docs", "/redoc"):
        page = client.get(path).text
        sources = re.findall(r'(?:src|href)="([^"]+)"', page)

        assert sources and all(s.startswith("/static/docs/") for s in sources), sources
        assert "<script>" not in page and not re.search(r"\son[a-z]+=", page)  # no inline script
        for source in sources:
            asset = client.get(source)
            assert asset.status_code == 200 and len(asset.content) > 100, source


def test_the_page_has_no_inline_script_nor_handler(client):
    page = client.get("/").text

    assert re.findall(r"<script[^>]*>", page) == ['<script type="module" src="app.js">']
    assert not re.search(r"\son[a-z]+=", page)
