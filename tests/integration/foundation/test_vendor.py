from fastapi.testclient import TestClient


def test_the_graph_library_is_served_from_our_own_origin(client: TestClient) -> None:
    response = client.get("/static/vendor/cytoscape.min.js")
    assert response.status_code == 200
    assert "cytoscape" in response.text[:2000].lower()


def test_only_listed_vendor_files_are_served(client: TestClient) -> None:
    assert client.get("/static/vendor/..%2f..%2fpyproject.toml").status_code == 404
    assert client.get("/static/vendor/secret.js").status_code == 404
