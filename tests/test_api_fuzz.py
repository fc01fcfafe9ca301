"""Generated requests over the whole OpenAPI document (schemathesis): no request makes the server fail (5xx),
with or without a reviewer's token. Bounded (60 examples per operation) and derandomised, so CI runs the same requests
every time; it found a `since` too large for a database integer (now a 400)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is in the test extra")

from midan.api import create_app  # noqa: E402
from midan.store import open_store  # noqa: E402
from tests.test_store import make_article, make_event  # noqa: E402

_FOLDER = Path(tempfile.mkdtemp(prefix="midan-fuzz-"))
_STORE = open_store(f"sqlite:///{_FOLDER / 'fuzz.db'}")
_STORE.add_batch([(make_article("a1", "RSF units stormed a sit-in in Ed Daein."),
                   [make_event("SDN-1"), make_event("SDN-2", "2025-11-13")])])
TOKEN = _STORE.add_user("fuzzer")
APP = create_app(store=_STORE, writes_per_minute=100_000)
schema = schemathesis.openapi.from_asgi("/api/openapi.json", APP)


EDITED: list[object] = []


@schema.parametrize()
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_generated_request_makes_the_server_fail(case):
    for headers in ({}, {"Authorization": f"Bearer {TOKEN}"}):
        response = case.call(headers=headers)
        assert response.status_code < 500, (case.method, case.formatted_path, case.query, response.text[:300])
    if "event_id" in (case.path_parameters or {}):
        # a generated id is nearly never stored: the same request once more on an event that is, so that generated
        # reviews and edits (from the request bodies the document describes) reach the store
        case.path_parameters["event_id"] = "SDN-1"
        response = case.call(headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code < 500, (case.method, case.formatted_path, case.body, response.text[:300])
        if case.method == "PATCH" and response.status_code == 200:
            EDITED.append(case.body)


def test_generated_edits_reached_the_store():
    """The fuzz above is not only refusals: some generated edits were valid and applied (run after it, in order)."""
    if not EDITED:
        pytest.skip("run together with test_no_generated_request_makes_the_server_fail")
    assert _STORE.audit_log(event_id="SDN-1")
