"""Issue 12: every answer of every operation (GET, POST and any other method the schema
declares) conforms to the OpenAPI schema, as a citizen and as a clerk: its status code is one
the operation declares (the error answers included), its content type is a declared one, and
its body matches the declared schema for that status — the real response serializer for a
success, the one error shape {code, message, fields} for a 4xx.

FUZZ_CONFORMANCE_EXAMPLES per operation and role (5 by default; FUZZ_EXAMPLES=50 on demand
deepens this run as well as tests/security/test_fuzz_api.py)."""

import os

import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from portal.wsgi import application

EXAMPLES = int(os.environ.get("FUZZ_CONFORMANCE_EXAMPLES", os.environ.get("FUZZ_EXAMPLES", "5")))

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
def test_answers_conform_to_the_schema(case, token):
    response = case.call(headers={"Authorization": f"Token {token}"})
    case.validate_response(response, checks=CHECKS)  # raises on any mismatch, naming each
