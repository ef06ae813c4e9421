"""/docs and /redoc load everything from the service itself (they work with no network)."""

from __future__ import annotations

import re

import pytest

# every URL a page can load: src=, href=, and the quoted URLs of FastAPI's start-up script
URL = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|\burl\s*:\s*["']([^"']+)["']|spec-url=["']([^"']+)["']""")


def loaded_urls(html: str) -> list[str]:
    return [next(group for group in match.groups() if group) for match in URL.finditer(html)]


@pytest.mark.parametrize(
    ("page", "kinds"), [("/docs", {"text/javascript", "text/css"}), ("/redoc", {"text/javascript"})]
)
def test_docs_pages_load_only_local_assets(client, page: str, kinds: set[str]) -> None:
    response = client.get(page)
    assert response.status_code == 200
    assert not re.search(r"(?:https?:)?//\w", response.text), f"{page} names another host"
    urls = loaded_urls(response.text)
    served = {}
    for url in urls:
        assert url.startswith("/"), f"{page} loads {url} from elsewhere"
        asset = client.get(url)
        assert asset.status_code == 200, f"{url}: {asset.status_code}"
        served[url] = (asset.headers["content-type"].split(";")[0].replace("application/", "text/"), len(asset.content))
    assert {kind for kind, _ in served.values()} >= kinds, served
    assert any(kind == "text/javascript" and size > 100_000 for kind, size in served.values()), "no UI bundle"


def test_docs_pages_get_the_docs_security_policy(client) -> None:
    for page in ("/docs", "/redoc"):
        policy = client.get(page).headers["content-security-policy"]
        assert "'unsafe-inline'" in policy and "cdn" not in policy


def test_the_page_and_the_browser_default_find_an_icon(client) -> None:
    icon = re.search(r'<link rel="icon" href="([^"]+)"', client.get("/").text)
    assert icon, "the page links no icon"
    for path in (icon.group(1), "/favicon.ico"):
        response = client.get(path)
        assert response.status_code == 200 and response.headers["content-type"].startswith("image/"), path
