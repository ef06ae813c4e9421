"""The interactive API docs (`/docs`: Swagger UI, `/redoc`: ReDoc), served with no network.

FastAPI's own docs pages load Swagger UI and ReDoc from a CDN (and ReDoc's fonts from Google):
offline they are blank. Here the same pages (FastAPI's `get_swagger_ui_html`/`get_redoc_html`)
load the JavaScript and CSS from the service itself, under `ASSETS_URL`; the files come from
the `fastapi-offline` package, which ships Swagger UI's and ReDoc's builds (MIT), and the tab
icon is the editors' page's.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
ASSETS_URL = "/docs-assets"
FAVICON_URL = "/static/favicon.svg"  # the editors' page's icon (api/static)
DOCS_PAGES = frozenset({DOCS_URL, REDOC_URL, OAUTH2_REDIRECT_URL})
"""The HTML pages of the docs (they run FastAPI's inline start-up script)."""

# validatorUrl None: Swagger UI would otherwise send the schema to validator.swagger.io
SWAGGER_UI_PARAMETERS = {"validatorUrl": None}


def assets_folder() -> Path:
    """The folder of swagger-ui-bundle.js, swagger-ui.css and redoc.standalone.js."""
    return Path(str(resources.files("fastapi_offline").joinpath("static")))


def install_docs(app: FastAPI) -> None:
    """Add the docs pages and their assets to `app`, which must be built with `docs_url=None,
    redoc_url=None` (FastAPI's own pages load from a CDN)."""
    if app.docs_url or app.redoc_url:
        raise ValueError("build the app with docs_url=None and redoc_url=None: install_docs serves them")
    app.mount(ASSETS_URL, StaticFiles(directory=assets_folder()), name="docs-assets")
    title = app.title

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{title} - Swagger UI",
            oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT_URL}",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{FAVICON_URL}",
            swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
        )

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{FAVICON_URL}",
            with_google_fonts=False,
        )
