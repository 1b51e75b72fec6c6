"""Issue 12 A: every answer of a GET operation conforms to the OpenAPI schema (nullable fields
declared nullable, pages declared as pages), as a citizen and as a clerk."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from knox.models import AuthToken
from schemathesis.specs.openapi.checks import response_schema_conformance

from portal.wsgi import application
from tests.factories import ClerkFactory, MatterFactory, UserFactory, submitted_application
from workflow.calendar_store import seed_calendar

EXAMPLES = int(os.environ.get("FUZZ_CONFORMANCE_EXAMPLES", "5"))

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application).include(method="GET")


@pytest.fixture(params=["citizen", "clerk"])
def token(request, db):
    seed_calendar(years=[2026])
    citizen = UserFactory()
    submitted_application(applicant=citizen, matters=[MatterFactory()])
    user = citizen if request.param == "citizen" else ClerkFactory()
    return AuthToken.objects.create(user)[1]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
def test_answers_conform_to_the_schema(case, token):
    response = case.call(headers={"Authorization": f"Token {token}"})
    case.validate_response(response, checks=[response_schema_conformance])
