"""Issue 12 A: every answer of a GET operation conforms to the OpenAPI schema (nullable fields
declared nullable, pages declared as pages), as a citizen and as a clerk."""

import os

import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import response_schema_conformance

from portal.wsgi import application

EXAMPLES = int(os.environ.get("FUZZ_CONFORMANCE_EXAMPLES", "5"))

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application).include(method="GET")



@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
def test_answers_conform_to_the_schema(case, token):
    response = case.call(headers={"Authorization": f"Token {token}"})
    case.validate_response(response, checks=[response_schema_conformance])  # raises on any mismatch
