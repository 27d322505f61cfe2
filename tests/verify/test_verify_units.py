"""Pure logic of verify that stripe-mock cannot express, from recorded Stripe answers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from codat_stripe.stripe_facts import StripeMode
from codat_stripe.stripe_integration import DataAccess
from codat_stripe_ops.verify.codat_checks import evaluate_link_url, masked_tail
from codat_stripe_ops.verify.http import HttpClient, retry_after_seconds
from codat_stripe_ops.verify.results import Status
from codat_stripe_ops.verify.stack_facts import StackFacts
from codat_stripe_ops.verify.stripe_api import KeyShape, StripeKeyReport, evaluate_stripe


def by_name(results: list) -> dict[str, Status]:  # type: ignore[type-arg]
    return {r.name: r.status for r in results}


def test_key_shape() -> None:
    assert KeyShape.of("sk_test_abc") == KeyShape("sk", StripeMode.TEST)
    assert KeyShape.of("rk_live_abc") == KeyShape("rk", StripeMode.LIVE)
    assert KeyShape.of("pk_test_abc") == KeyShape(None, None)
    assert KeyShape.of("sk_test_") == KeyShape(None, None)


def test_prefix_and_livemode_disagree_fails() -> None:
    # Recorded: a key named like a live key for which Stripe's balance says livemode=false.
    report = StripeKeyReport(account_status=200, account_id="acct_1", livemode=False)
    results = evaluate_stripe(StripeMode.LIVE, "TF_VAR_s", KeyShape("sk", StripeMode.LIVE), report)
    assert by_name(results)["stripe-key-type"] is Status.PASS
    mode = next(r for r in results if r.name == "stripe-key-mode")
    assert mode.status is Status.FAIL
    assert "prefix says live mode but Stripe says it is a test-mode key" in mode.detail


def test_restricted_key_lacking_permissions_fails() -> None:
    # Recorded: Stripe answers 403 to a restricted key without Connect read rights.
    report = StripeKeyReport(
        account_status=200,
        livemode=None,
        balance_status=403,
        missing_permissions=("Connect / connected accounts: read",),
    )
    results = evaluate_stripe(StripeMode.TEST, "TF_VAR_s", KeyShape("rk", StripeMode.TEST), report)
    statuses = by_name(results)
    assert statuses["stripe-key-permissions"] is Status.FAIL
    assert statuses["stripe-key-mode"] is Status.NOT_CHECKABLE
    text = " ".join(r.detail for r in results)
    assert "Connect / connected accounts: read" in text


def test_unknown_key_format_fails() -> None:
    report = StripeKeyReport(account_status=401)
    results = evaluate_stripe(StripeMode.TEST, "TF_VAR_s", KeyShape(None, None), report)
    assert by_name(results) == {"stripe-key-type": Status.FAIL, "stripe-key-accepted": Status.FAIL}


def test_unreachable_stripe_fails() -> None:
    report = StripeKeyReport(unreachable="GET https://x/v1/account: no answer (ConnectionError)")
    results = evaluate_stripe(StripeMode.TEST, "TF_VAR_s", KeyShape("sk", StripeMode.TEST), report)
    assert by_name(results)["stripe-key-accepted"] is Status.FAIL


def test_retry_after_parsing() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Thu, 01 Jan 2026 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_http_client_refuses_zero_attempts() -> None:
    with pytest.raises(ValueError, match="max_attempts must be at least 1, got 0"):
        HttpClient("http://127.0.0.1:1", {}, max_attempts=0)


def test_masked_tail() -> None:
    assert masked_tail("********1234") == "1234"
    assert masked_tail("****1234") is None
    assert masked_tail("********12") is None
    assert masked_tail(None) is None


def _stack(read_write: bool) -> StackFacts:
    return StackFacts(
        name="test",
        mode=StripeMode.TEST,
        client_id="ca_FakeUnitClient000001",
        codat_base_url="http://127.0.0.1:1",
        codat_instance="unit",
        api_key_variable="k",
        secret_key_variable="s",
        use_read_write_scope=read_write,
        data_access=DataAccess.CONTINUOUS,
        enabled=True,
        managed_sync=None,
    )


def test_link_url_evaluation() -> None:
    good = (
        "https://connect.stripe.com/oauth/authorize?response_type=code"
        "&client_id=ca_FakeUnitClient000001&scope=read_only"
        "&redirect_uri=https%3A%2F%2Fstripe.codat.io%2Foauth%2Fcallback&state=x"
    )
    assert evaluate_link_url(_stack(False), good).status is Status.PASS
    wrong = evaluate_link_url(_stack(True), good)
    assert wrong.status is Status.FAIL
    assert "scope='read_only' not 'read_write'" in wrong.detail
