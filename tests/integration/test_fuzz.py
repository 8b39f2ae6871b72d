"""Schema-driven fuzzing (issue 10 §5): Schemathesis against a live hub, with every check
on, over all 75 operations, authenticated as an agency and as an administrator. A small,
seeded budget here; `make fuzz` runs the same runner with a large one."""

from __future__ import annotations

import pytest

from bluelight import api_document
from bluelight.sim import fuzz

# About two minutes on two cores: the coverage phase alone sends a few thousand requests.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

SEED = 20_251_105
MAX_EXAMPLES = 10


@pytest.fixture(scope="module")
def outcome(tmp_path_factory) -> fuzz.Outcome:
    target = fuzz.start_hub(tmp_path_factory.mktemp("fuzz-hub"))
    try:
        # Schemathesis runs in its own directory: its cache and Hypothesis's files stay out
        # of the tree.
        yield fuzz.run(target, tmp_path_factory.mktemp("fuzz"), max_examples=MAX_EXAMPLES,
                       seed=SEED, workers=1, timeout=600)
    finally:
        target.stop()


def _explain(outcome: fuzz.Outcome) -> str:
    failures = outcome.output.find("FAILURES")
    return outcome.summary() + "\n\n" + outcome.output[max(failures, 0):][:30_000]


def test_every_operation_was_fuzzed_with_working_credentials(outcome):
    assert not outcome.errors, _explain(outcome)
    documented = sum(len(methods) for methods in api_document.document()["paths"].values())
    assert outcome.operations == documented, _explain(outcome)
    assert outcome.cases >= 1000, _explain(outcome)
    # Authenticated: the agency's and the administrator's operations answered with
    # success, not only 401/403.
    succeeded = {operation for (operation, status), _ in outcome.responses.items()
                 if 200 <= status < 300}
    for operation in ("GET /v1/transfers", "POST /v1/incidents", "GET /v1/admin/audit",
                      "POST /v1/admin/agreements/{agreement_id}/versions",
                      "GET /console/api/session", "GET /v1/workbench/register/areas"):
        assert operation in succeeded, _explain(outcome)


def test_no_request_gets_a_server_error(outcome):
    assert not outcome.unexpected_server_errors(), _explain(outcome)


def test_every_status_answered_is_documented(outcome):
    assert not outcome.unexpected_undocumented(), _explain(outcome)


def test_every_check_passes(outcome):
    """All of Schemathesis's checks (see fuzz.CONFIG for the one expectation changed),
    but for the failures listed in fuzz.PENDING, whose fixes are in other branches."""
    assert not outcome.unexpected(), _explain(outcome)
