"""Issue 12 A: schemathesis over the whole OpenAPI schema, as a citizen and as a clerk, bounded
(FUZZ_EXAMPLES per operation and role), in the normal test run: no answer is a server error
and every error body has the one shape {code, message, fields}.

The portal runs in-process (WSGI) on the test database; a citizen with a submitted application
and a seated clerk exist, so the generated requests reach real objects as well as missing ones.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from knox.models import AuthToken

from portal.wsgi import application
from tests.factories import ClerkFactory, MatterFactory, UserFactory, submitted_application
from workflow.calendar_store import seed_calendar

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture(params=["citizen", "clerk"])
def token(request, db):
    seed_calendar(years=[2026])
    citizen = UserFactory()
    submitted_application(applicant=citizen, matters=[MatterFactory()])
    user = citizen if request.param == "citizen" else ClerkFactory()
    return AuthToken.objects.create(user)[1]


@schema.parametrize()
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
def test_no_server_error_and_one_error_shape(case, token):
    response = case.call(headers={"Authorization": f"Token {token}"})
    assert response.status_code < 500, f"{case.method} {case.formatted_path} → {response.status_code}: {response.text[:300]}"
    content_type = {k.lower(): v for k, v in response.headers.items()}.get("content-type", "")
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    if response.status_code >= 400:
        assert content_type.startswith("application/json"), (case.method, case.formatted_path, content_type)
        body = response.json()
        assert set(body) == {"code", "message", "fields"}, (case.method, case.formatted_path, body)
