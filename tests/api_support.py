"""Calling the JSON API in tests: tokens for a unit's HR system, calls, and validating an
answer against the OpenAPI document the API publishes."""
from datetime import timedelta

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import select

from lms.extensions import db as _db
from lms.localtime import local_today
from lms.org.models import Unit
from lms.reports import api_tokens

DOCUMENT_URI = "urn:lms:api:openapi"


def unit(code):
    return _db.session.execute(select(Unit).where(Unit.code == code)).scalar_one()


def new_token(unit_code=None, days=30):
    client, token = api_tokens.create_client(f"Hệ thống nhân sự {unit_code or 'HN'}", unit(unit_code) if unit_code else None,
                                             local_today() + timedelta(days=days))
    _db.session.commit()
    return client, token


def call(client, path, token=None, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(f"/api/v1{path}", headers=headers, query_string=params)


def response_validator(document, path, status):
    schema = document["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]
    registry = Registry().with_resource(DOCUMENT_URI, Resource.from_contents(document, default_specification=DRAFT202012))
    return Draft202012Validator({"$ref": DOCUMENT_URI + schema["$ref"]}, registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_valid(document, path, answer, status="200"):
    assert answer.status_code == int(status), (path, answer.get_data(as_text=True)[:300])
    errors = [f"{list(error.absolute_path)}: {error.message}" for error in response_validator(document, path, status).iter_errors(answer.get_json())]
    assert errors == [], (path, errors[:5])
