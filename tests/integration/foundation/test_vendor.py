import re

from fastapi.testclient import TestClient

from venuecode.web.vendor_files import FILES


def test_the_graph_library_is_served_from_our_own_origin(client: TestClient) -> None:
    response = client.get("/static/vendor/cytoscape.min.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert "cytoscape" in response.text[:2000].lower()


def test_every_listed_vendor_file_is_served(client: TestClient) -> None:
    for name in FILES:
        assert client.get(f"/static/vendor/{name}").status_code == 200, name


def test_only_listed_vendor_files_are_served(client: TestClient) -> None:
    assert client.get("/static/vendor/..%2f..%2fpyproject.toml").status_code == 404
    assert client.get("/static/vendor/secret.js").status_code == 404


def test_the_api_docs_load_swagger_ui_from_our_origin_only(client: TestClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert re.findall(r"https?://", page.text) == []  # no CDN, favicon or validator elsewhere
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sorted(assets) == ["/static/swagger-init.js", "/static/vendor/swagger-ui-bundle.js",
                              "/static/vendor/swagger-ui-favicon.png", "/static/vendor/swagger-ui.css"]
    for url in assets:
        assert client.get(url).status_code == 200, url
    assert "SwaggerUIBundle" in client.get("/static/vendor/swagger-ui-bundle.js").text[:200_000]
    assert client.get("/static/vendor/swagger-ui.css").headers["content-type"].startswith("text/css")
    assert 'data-openapi="/openapi.json"' in page.text and client.get("/openapi.json").status_code == 200
