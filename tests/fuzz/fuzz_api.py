"""Run by tests/test_api_fuzz.py in a process of its own, on a database of its own: the
fuzzer creates, edits and deletes catalogue rows and acts on reports as the centre operator.

Every operation of the project's OpenAPI document gets FUZZ_EXAMPLES generated requests
(schemathesis + hypothesis); none may answer a server error (5xx). The same requests on every
run (a suite that passes keeps passing); FUZZ_RANDOM=1 explores new ones, to look for more.
"""
from __future__ import annotations

import os

import schemathesis
from conftest import api_token, new_client
from hypothesis import HealthCheck, Phase, given, settings

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
RANDOM = os.environ.get("FUZZ_RANDOM") == "1"


def test_no_request_gets_a_server_error(app):
    headers = {"Authorization": f"Bearer {api_token(app, 'quantri')}"}
    document = new_client(app).get("/api/v1/_openapi", headers=headers).json
    schema = schemathesis.openapi.from_dict(document)
    failures = []
    count = 0
    for username in ("trungtam", "gtvt.xuly"):
        auth = {"Authorization": f"Bearer {api_token(app, username)}"}
        for result in schema.get_all_operations():
            operation = result.ok()

            @settings(max_examples=EXAMPLES, deadline=None, database=None,
                      derandomize=not RANDOM,
                      phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy())
            def fuzz(case):
                nonlocal count
                count += 1
                response = case.call(app=app, headers=auth)
                if response.status_code >= 500:
                    failures.append(f"{username}: {case.method} {case.formatted_path} "
                                    f"{case.body!r} {case.query!r} → {response.status_code}")

            fuzz()
    print(f"{count} requests generated")
    assert not failures, "\n".join(sorted(set(failures))[:50])
