"""Issue 12 A: schemathesis over the whole OpenAPI schema, as a citizen and as a clerk, bounded
(FUZZ_EXAMPLES per operation and role), in the normal test run: no answer is a server error
and every error body has the one shape {code, message, fields}.

The portal runs in-process (WSGI) on the test database; a citizen with a submitted application
and a seated clerk exist, so the generated requests reach real objects as well as missing ones.
"""

import os

import schemathesis
from hypothesis import HealthCheck, Phase, settings

from portal.wsgi import application

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))  # FUZZ_EXAMPLES=50 for a deeper run on demand

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)




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
