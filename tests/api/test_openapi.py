"""The OpenAPI document is valid and describes exactly the routes the API has."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

PREFIX = "/api/v1"
METHODS = {"get", "post", "put", "patch", "delete"}


def _routes(app) -> set[tuple[str, str]]:
    out = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(PREFIX):])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            out.add((path, method.lower()))
    return out


def _documented(document) -> set[tuple[str, str]]:
    return {(path, method) for path, item in document["paths"].items()
            for method in item if method in METHODS}


def test_document_is_valid_openapi(client):
    document = client.get("/api/v1/openapi.json").json
    validate(document)  # raises with the reason when the document is not valid OpenAPI 3.1


def test_every_route_is_documented_and_every_documented_route_exists(app, client):
    document = client.get("/api/v1/openapi.json").json
    routes = _routes(app)
    documented = _documented(document)
    assert routes - documented == set(), "routes missing from the OpenAPI document"
    assert documented - routes == set(), "documented operations without a route"


def test_every_operation_declares_its_errors_and_security(client):
    document = client.get("/api/v1/openapi.json").json
    ids = []
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            ids.append(op["operationId"])
            if path == "/openapi.json":
                assert op["security"] == []
                continue
            assert "401" in op["responses"], f"{method} {path} lacks 401"
            if "requestBody" in op:
                assert {"400", "413"} <= set(op["responses"]), f"{method} {path}"
            if method == "patch":
                assert "409" in op["responses"], f"{method} {path} lacks 409"
    assert len(ids) == len(set(ids)), "operationIds must be unique"


def test_path_parameters_match_the_template(client):
    document = client.get("/api/v1/openapi.json").json
    for path, item in document["paths"].items():
        declared = {p["name"] for p in item.get("parameters", []) if p["in"] == "path"}
        assert declared == set(re.findall(r"{(\w+)}", path)), path


def test_document_is_the_same_whatever_the_language_asked(client):
    english = client.get("/api/v1/openapi.json", headers={"Accept-Language": "en"}).json
    dutch = client.get("/api/v1/openapi.json", headers={"Accept-Language": "nl"}).json
    assert english == dutch
