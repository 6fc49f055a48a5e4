"""/docs (Swagger UI) and /redoc served from this server alone: their scripts and styles come from the
installed fastapi-offline package (the same Swagger UI 5 and ReDoc 2 builds FastAPI would load from a CDN),
started by small script files of ours (api/docs_assets/) instead of FastAPI's inline scripts, which the
Content-Security-Policy (api/security.py) refuses. So the API documentation works offline and loads no
third-party script.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse, HTMLResponse

VENDOR = Path(str(files("fastapi_offline") / "static"))
OURS = Path(__file__).resolve().parent / "docs_assets"
ASSETS = {
    "swagger-ui-bundle.js": VENDOR / "swagger-ui-bundle.js",
    "swagger-ui.css": VENDOR / "swagger-ui.css",
    "redoc.standalone.js": VENDOR / "redoc.standalone.js",
    "favicon.png": VENDOR / "favicon.png",
    "swagger-init.js": OURS / "swagger-init.js",
    "redoc-init.js": OURS / "redoc-init.js",
}
_MEDIA = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="/static/docs/favicon.png">
{head}
</head>
<body>
<div id="{root}"></div>
{scripts}
</body>
</html>
"""


def _page(title: str, root: str, scripts: tuple[str, ...], head: str = "") -> str:
    tags = "\n".join(f'<script src="/static/docs/{name}"></script>' for name in scripts)
    return _PAGE.format(title=title, root=root, scripts=tags, head=head)


def mount_docs(app: FastAPI) -> None:
    """Add /docs, /redoc and their assets to `app` (created with docs_url=None, redoc_url=None)."""
    swagger = _page(
        f"{app.title} — API (Swagger UI)",
        "swagger-ui",
        ("swagger-ui-bundle.js", "swagger-init.js"),
        '<link rel="stylesheet" href="/static/docs/swagger-ui.css">',
    )
    redoc = _page(f"{app.title} — API (ReDoc)", "redoc", ("redoc.standalone.js", "redoc-init.js"))

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(swagger)

    @app.get("/redoc", include_in_schema=False)
    async def redoc_page() -> HTMLResponse:
        return HTMLResponse(redoc)

    @app.get("/static/docs/{name}", include_in_schema=False)
    async def asset(name: str) -> FileResponse:
        path = ASSETS.get(name)
        if path is None:
            raise HTTPException(404, "Not Found")
        return FileResponse(path, media_type=_MEDIA[path.suffix])
