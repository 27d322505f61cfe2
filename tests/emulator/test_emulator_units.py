"""Unit tests of the pure logic: shared Codat facts, paging, faults, rate limiting, validation."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from emulator_support import raw_spec

from codat_api import assumptions, endpoints
from codat_api.data_types import ALL_DATA_TYPES, COMMERCE_DATA_TYPES
from codat_api.platforms import COMMERCE_INTEGRATIONS, STRIPE_LIVE_KEY, STRIPE_TEST_KEY
from codat_emulator.auth import api_key_from_header, basic_header, is_valid_key
from codat_emulator.backend import model as ids
from codat_emulator.backend import validation
from codat_emulator.control.faults import FaultInjector, FaultRule, rule_from_dict, rule_from_spec
from codat_emulator.control.ratelimit import RateLimiter
from codat_emulator.errors import ApiError
from codat_emulator.paging import paginate


def test_data_types_match_the_spec_enum() -> None:
    enum = raw_spec()["components"]["schemas"]["DataStatus"]["properties"]["dataType"]["enum"]
    assert list(ALL_DATA_TYPES) == enum and len(ALL_DATA_TYPES) == 43
    assert len(COMMERCE_DATA_TYPES) == 11
    assert all(t.startswith("commerce-") for t in COMMERCE_DATA_TYPES)


def test_platform_keys() -> None:
    assert (STRIPE_LIVE_KEY, STRIPE_TEST_KEY) == ("exgd", "yzth")
    assert (
        COMMERCE_INTEGRATIONS["exgd"] == "Stripe" and COMMERCE_INTEGRATIONS["yzth"] == "Stripe Test"
    )
    assert len(COMMERCE_INTEGRATIONS) == 19
    assert all(len(k) == 4 and k.isalpha() and k.islower() for k in COMMERCE_INTEGRATIONS)


def test_endpoints() -> None:
    assert endpoints.integration_enabled("yzth") == "/integrations/yzth/enabled"
    assert endpoints.integration_credentials("yzth") == "/integrations/credentials/yzth"
    assert endpoints.integration_settings("i") == "/settings/integrations/i"
    assert endpoints.company_connection("c", "x") == "/companies/c/connections/x"
    assert endpoints.company_sync_settings("c") == "/companies/c/syncSettings"
    assert endpoints.api_key("k") == "/apiKeys/k" and endpoints.webhook("w") == "/webhooks/w"


def test_mask_secret() -> None:
    assert assumptions.mask_secret("sk_test_fake1234") == "********1234"
    assert assumptions.mask_secret("abc") == "********abc"
    assert assumptions.is_masked(assumptions.mask_secret("sk_test_fake1234"))


@pytest.mark.parametrize(("read_write", "scope"), [(False, "read_only"), (True, "read_write")])
def test_stripe_oauth_url(read_write: bool, scope: str) -> None:
    url = assumptions.stripe_oauth_url("ca_a&b", read_write, "st ate")
    parts = urlsplit(url)
    assert (
        f"{parts.scheme}://{parts.netloc}{parts.path}"
        == "https://connect.stripe.com/oauth/authorize"
    )
    assert parse_qs(parts.query) == {
        "response_type": ["code"],
        "client_id": ["ca_a&b"],
        "scope": [scope],
        "redirect_uri": ["https://stripe.codat.io/oauth/callback"],
        "state": ["st ate"],
    }


def test_wants_read_write() -> None:
    assert assumptions.wants_read_write({"useReadWriteScope": "true"})
    assert not assumptions.wants_read_write({"useReadWriteScope": "false"})
    assert not assumptions.wants_read_write({})


def test_stable_ids() -> None:
    assert ids.integration_id("yzth") == ids.integration_id("yzth") != ids.integration_id("exgd")
    assert uuid.UUID(ids.DEFAULT_CLIENT_ID).version == 5
    assert ids.is_uuid(ids.new_id()) and not ids.is_uuid("nope")


def test_auth_header_parsing() -> None:
    assert api_key_from_header(basic_header("k-1")) == "k-1"
    assert api_key_from_header(None) is None
    assert api_key_from_header("Bearer x") is None
    assert api_key_from_header("Basic ###") is None
    assert (
        is_valid_key("a", ["b", "a"])
        and not is_valid_key("c", ["a"])
        and not is_valid_key(None, ["a"])
    )


def test_paginate() -> None:
    items = [{"key": f"k{i}", "n": i} for i in range(7)]
    page = paginate("/x", {"page": "2", "pageSize": "3"}, items)
    assert [i["n"] for i in page["results"]] == [3, 4, 5]
    assert page["_links"]["next"]["href"] == "/x?page=3&pageSize=3"
    assert page["_links"]["previous"]["href"] == "/x?page=1&pageSize=3"
    assert paginate("/x", {"pageSize": "5000"}, items)["pageSize"] == 2000
    assert [i["n"] for i in paginate("/x", {"orderBy": "-n"}, items)["results"]][:2] == [6, 5]
    assert paginate("/x", {"query": "key=k3"}, items)["totalResults"] == 1
    for bad in (
        {"page": "0"},
        {"pageSize": "x"},
        {"query": "zz=1"},
        {"query": "junk"},
        {"orderBy": "zz"},
    ):
        with pytest.raises(ApiError) as err:
            paginate("/x", bad, items)
        assert err.value.status == 400


def test_fault_rules() -> None:
    injector = FaultInjector((rule_from_spec("503:2:put:/integrations"),))
    assert injector.take("GET", "/integrations") is None
    assert injector.take("PUT", "/profile") is None
    assert injector.take("PUT", "/integrations/yzth/enabled") is not None
    assert injector.take("PUT", "/integrations/yzth/enabled") is not None
    assert injector.take("PUT", "/integrations/yzth/enabled") is None
    rule = injector.add(FaultRule(status=500, count=1))
    assert rule.id == 2 and injector.active() == [rule]
    for bad in (
        {"status": 200},
        {"count": 1},
        {"status": 500, "count": 0},
        {"status": 500, "x": 1},
        [],
    ):
        with pytest.raises(ValueError):
            rule_from_dict(bad)
    with pytest.raises(ValueError):
        rule_from_spec("oops")


def test_rate_limiter_window() -> None:
    now = [1000.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert [limiter.hit().allowed for _ in range(3)] == [True, True, False]
    refused = limiter.hit()
    assert refused.headers()["Retry-After"] == "60" and refused.remaining == 0
    now[0] += 60
    assert limiter.hit().allowed


def test_sync_setting_validation() -> None:
    good = {
        "dataType": "commerce-orders",
        "fetchOnFirstLink": True,
        "syncSchedule": 24,
        "syncOrder": 0,
    }
    assert validation.sync_setting({**good, "extra": 1}, "s") == good
    assert validation.sync_setting({**good, "syncSchedule": 24.0}, "s")["syncSchedule"] == 24
    for bad in (
        {**good, "dataType": {"x": 1}},
        {**good, "syncSchedule": True},
        {**good, "syncOrder": -1},
        {**good, "monthsToSync": -1},
        {**good, "isLocked": "no"},
    ):
        with pytest.raises(ApiError):
            validation.sync_setting(bad, "s")
