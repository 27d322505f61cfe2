"""Stripe checks of a stack's secret key: accepted, of the stack's mode, allowed what Codat needs.

Only reads are made (`GET /v1/account`, `/v1/balance`, `/v1/accounts`). Stripe's error
messages are never shown: they can quote the key, or the Authorization header that carries it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import requests

from codat_api import assumptions
from codat_stripe.stripe_facts import StripeMode
from codat_stripe_ops.verify.http import HttpClient, TransportError
from codat_stripe_ops.verify.results import CheckResult

STRIPE_API_BASE = "https://api.stripe.com"
"""Stripe's API (``--stripe-api-base`` points verify at stripe-mock instead)."""

ACCOUNT = assumptions.STRIPE_ACCOUNT_PATH
BALANCE = "/v1/balance"

REQUIRED_STRIPE_READS = assumptions.STRIPE_READS_CODAT_NEEDS
"""The reads Codat needs from the platform key (an ASSUMPTION: see `codat_api.assumptions`)."""

KEY_KINDS = {"sk": "standard secret key", "rk": "restricted key"}


@dataclass(frozen=True)
class KeyShape:
    """What a Stripe key's prefix says: `sk`/`rk` and test/live (None when not recognised)."""

    kind: str | None
    mode: StripeMode | None

    @classmethod
    def of(cls, key: str) -> KeyShape:
        """Parse `sk_test_`, `sk_live_`, `rk_test_` or `rk_live_`."""
        parts = key.split("_", 2)
        if len(parts) == 3 and parts[0] in KEY_KINDS and parts[1] in ("test", "live") and parts[2]:
            return cls(parts[0], StripeMode(parts[1]))
        return cls(None, None)


def stripe_http(api_base: str, secret_key: str) -> HttpClient:
    """An HTTP client that authenticates to Stripe with `secret_key` (Bearer)."""
    return HttpClient(api_base, {"Authorization": f"Bearer {secret_key}"}, max_attempts=3)


@dataclass
class StripeKeyReport:
    """The Stripe answers verify bases its checks on (no secret in here)."""

    account_status: int | None = None
    account_id: str | None = None
    livemode: bool | None = None
    balance_status: int | None = None
    missing_permissions: tuple[str, ...] = ()
    unreachable: str | None = None


def _status(http: HttpClient, path: str) -> tuple[int, requests.Response]:
    response = http.get(path)
    return response.status_code, response


def read_stripe(http: HttpClient) -> StripeKeyReport:
    """Ask Stripe about the key: the account, the balance's livemode, the reads Codat needs."""
    report = StripeKeyReport()
    try:
        report.account_status, account = _status(http, ACCOUNT)
        if report.account_status == 200:
            report.account_id = str(account.json().get("id") or "") or None
        if report.account_status == 401:
            return report
        report.balance_status, balance = _status(http, BALANCE)
        if report.balance_status == 200:
            livemode = balance.json().get("livemode")
            report.livemode = livemode if isinstance(livemode, bool) else None
        missing = []
        for path, permission in REQUIRED_STRIPE_READS:
            status = report.account_status if path == ACCOUNT else _status(http, path)[0]
            if status == 403:
                missing.append(permission)
        report.missing_permissions = tuple(missing)
    except (TransportError, ValueError) as error:
        report.unreachable = str(error) if isinstance(error, TransportError) else "not JSON"
    return report


def stripe_key_checks(
    mode: StripeMode,
    variable: str,
    secret_key: str | None,
    api_base: str,
    connect: Callable[[str, str], HttpClient] = stripe_http,
) -> list[CheckResult]:
    """Check the stack's Stripe secret key: set, shaped for the mode, accepted, mode, rights."""
    env_name = f"TF_VAR_{variable}"
    if secret_key is None:
        return [
            CheckResult.failed(
                "stripe-secret-key",
                f"{env_name} is not set, so the Stripe secret key cannot be checked.",
                f"Export {env_name} with the {mode.value}-mode secret key, as for a deploy.",
            )
        ]
    shape = KeyShape.of(secret_key)
    with connect(api_base, secret_key) as http:
        report = read_stripe(http)
    return evaluate_stripe(mode, env_name, shape, report)


def evaluate_stripe(
    mode: StripeMode, env_name: str, shape: KeyShape, report: StripeKeyReport
) -> list[CheckResult]:
    """Turn the key's shape and Stripe's answers into checks (pure: unit-tested)."""
    results: list[CheckResult] = []
    wanted = f"sk_{mode.value}_ or rk_{mode.value}_"
    if shape.mode is None:
        results.append(
            CheckResult.failed(
                "stripe-key-type",
                f"{env_name} does not look like a Stripe secret or restricted key "
                "(it should start with sk_test_, sk_live_, rk_test_ or rk_live_).",
                f"Copy the {mode.value}-mode secret key ({wanted}...) from the Stripe Dashboard.",
            )
        )
    elif shape.mode is not mode:
        results.append(
            CheckResult.failed(
                "stripe-key-type",
                f"{env_name} holds a {shape.mode.value}-mode {KEY_KINDS[str(shape.kind)]}, "
                f"but this stack is the {mode.value} stack ({mode.integration_name}).",
                f"Use the {mode.value}-mode key ({wanted}...) for this stack.",
            )
        )
    else:
        results.append(
            CheckResult.passed(
                "stripe-key-type",
                f"{env_name} is a {mode.value}-mode {KEY_KINDS[str(shape.kind)]} by its prefix.",
            )
        )

    if report.unreachable:
        results.append(
            CheckResult.failed(
                "stripe-key-accepted",
                f"Stripe could not be asked: {report.unreachable}.",
                "Check network access to the Stripe API (or --stripe-api-base) and retry.",
            )
        )
        return results
    results.append(_accepted(env_name, report))
    if report.account_status == 401:
        return results
    results.append(_mode(mode, env_name, shape, report))
    results.append(_permissions(shape, report))
    return results


def _accepted(env_name: str, report: StripeKeyReport) -> CheckResult:
    status = report.account_status
    if status == 200:
        account = f" (account {report.account_id})" if report.account_id else ""
        return CheckResult.passed("stripe-key-accepted", f"Stripe accepted the key{account}.")
    if status == 401:
        return CheckResult.failed(
            "stripe-key-accepted",
            f"Stripe rejected the key in {env_name} (401): it is wrong, rolled or deleted.",
            "Copy the current secret key from the Stripe Dashboard (Developers > API keys).",
        )
    if status == 403:
        return CheckResult.passed(
            "stripe-key-accepted",
            "Stripe accepted the key, but it may not read the account (a restricted key).",
        )
    return CheckResult.failed(
        "stripe-key-accepted",
        f"Stripe answered {status} when reading the account.",
        "Retry later; if it persists, check Stripe's status page.",
    )


def _mode(mode: StripeMode, env_name: str, shape: KeyShape, report: StripeKeyReport) -> CheckResult:
    if report.livemode is None:
        said = f"the prefix says {shape.mode.value} mode" if shape.mode else "the prefix is unknown"
        return CheckResult.unknown(
            "stripe-key-mode",
            f"Stripe did not tell the key's mode (reading the balance answered "
            f"{report.balance_status}); {said}.",
            "Give the key Balance: read to let verify confirm the mode, or check it by hand.",
        )
    actual = StripeMode.LIVE if report.livemode else StripeMode.TEST
    if shape.mode is not None and shape.mode is not actual:
        return CheckResult.failed(
            "stripe-key-mode",
            f"The key's prefix says {shape.mode.value} mode but Stripe says it is a "
            f"{actual.value}-mode key (livemode={str(report.livemode).lower()}).",
            f"Do not trust this key: copy the {mode.value}-mode key from the Stripe Dashboard.",
        )
    if actual is not mode:
        return CheckResult.failed(
            "stripe-key-mode",
            f"Stripe says the key in {env_name} is a {actual.value}-mode key, but this is the "
            f"{mode.value} stack.",
            f"Use the {mode.value}-mode key for this stack.",
        )
    return CheckResult.passed(
        "stripe-key-mode", f"Stripe confirms a {actual.value}-mode key (livemode)."
    )


def _permissions(shape: KeyShape, report: StripeKeyReport) -> CheckResult:
    if report.missing_permissions:
        return CheckResult.failed(
            "stripe-key-permissions",
            "The restricted key lacks permissions Codat needs: "
            + ", ".join(report.missing_permissions)
            + ".",
            "Edit the restricted key in the Stripe Dashboard and grant those permissions, or "
            "use the standard secret key.",
        )
    kind = "a standard secret key" if shape.kind == "sk" else "the key"
    return CheckResult.passed(
        "stripe-key-permissions",
        f"Stripe let {kind} make every read Codat needs ("
        + ", ".join(p for _, p in REQUIRED_STRIPE_READS)
        + ").",
    )
