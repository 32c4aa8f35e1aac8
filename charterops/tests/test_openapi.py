import pytest
from openapi_spec_validator import validate


@pytest.mark.django_db
def test_the_published_schema_is_valid_openapi_3(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert "/api/service/events/" in schema["paths"]


@pytest.mark.django_db
def test_swagger_ui_is_served_with_local_assets_only(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.text
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html
