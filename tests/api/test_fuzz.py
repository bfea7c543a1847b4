"""Property-based API fuzzing with schemathesis over the generated OpenAPI schema: every
GET operation, given random (valid and invalid) parameters, answers without a server
error, for a county administrator's token."""

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from rest_framework.renderers import JSONRenderer

from tests.factories import api_token, make_member, make_tree, make_user

EXAMPLES_PER_OPERATION = 8


@pytest.fixture
def token(db):
    tree = make_tree()
    for branch in (b for pair in tree["branches"] for b in pair):
        make_member(branch)
    admin = make_user("county_admin", tree["county"], username="fuzz_admin")
    return api_token(admin)


def _schema():
    spec = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(json.loads(JSONRenderer().render(spec)))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_get_operations_never_answer_a_server_error(token):
    app = get_wsgi_application()
    operations = [r.ok() for r in _schema().get_all_operations() if r.ok().method.upper() == "GET"]
    assert len(operations) > 20
    failures = []

    def check(case):
        response = case.call(app=app, headers={"Authorization": f"Token {token}"})
        if response.status_code >= 500:
            failures.append(f"GET {case.formatted_path} {case.query}: {response.status_code}")

    for operation in operations:
        settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck), database=None)(
            given(case=operation.as_strategy())(check)
        )()
    assert not failures, failures
