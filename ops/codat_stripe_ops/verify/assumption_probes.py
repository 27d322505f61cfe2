"""Probe the project's ASSUMED Codat behaviours (`codat_api.assumptions`) on a real account.

Reads only by default. With writes allowed, and only on the Stripe Test integration, the
enabled toggle and the data-access setting are written back unchanged, and the credentials
are written and then restored with the secret given in the environment (its stored last four
characters must match first, so the restore puts back the same key).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from codat_api import assumptions, endpoints
from codat_api.platforms import STRIPE_TEST_KEY
from codat_stripe_ops.codat_client import CodatApiError, CodatClient
from codat_stripe_ops.verify.codat_checks import CodatFactory, codat_client, masked_tail
from codat_stripe_ops.verify.http import TransportError
from codat_stripe_ops.verify.results import CheckResult
from codat_stripe_ops.verify.stack_facts import StackFacts

PROBE_KEY = "codatStripeVerifyProbe"
"""An extra credential key written, then dropped, to see whether PUT replaces the map."""


class ProbeRefusedError(ValueError):
    """Writes were asked for on an integration other than Stripe Test."""


def _confirmed(name: str, detail: str) -> CheckResult:
    return CheckResult.passed(name, "Confirmed: " + detail)


def _contradicted(name: str, detail: str) -> CheckResult:
    return CheckResult.failed(
        name,
        "Contradicted: " + detail,
        "This Codat behaves differently from what the project assumes: correct "
        "constructs/codat_api/assumptions.py before deploying.",
    )


def _unknown(name: str, detail: str) -> CheckResult:
    return CheckResult.unknown(name, "Not checkable: " + detail)


@dataclass
class _Reads:
    integration: dict[str, Any]
    credentials_status: int
    credentials: dict[str, str] | None
    settings_status: int
    settings: dict[str, Any] | None


def probe_assumptions(
    stack: StackFacts,
    environ: Mapping[str, str],
    allow_writes: bool = False,
    connect: CodatFactory = codat_client,
) -> list[CheckResult]:
    """Report each assumption as confirmed (pass), contradicted (fail) or not checkable.

    Raises:
        ProbeRefusedError: If writes are allowed on a stack that is not Stripe Test.

    """
    if allow_writes and stack.platform_key != STRIPE_TEST_KEY:
        raise ProbeRefusedError(
            f"--probe-writes writes only on the Stripe Test integration ({STRIPE_TEST_KEY}); "
            f"stack {stack.name!r} manages {stack.mode.integration_name} ({stack.platform_key})"
        )
    api_key = stack.codat_api_key(environ)
    if api_key is None:
        return [
            CheckResult.failed(
                "codat-api-key",
                f"TF_VAR_{stack.api_key_variable} is not set.",
                "Export the Codat API key to probe.",
            )
        ]
    secret = stack.stripe_secret_key(environ)
    try:
        with connect(stack.codat_base_url, api_key) as codat:
            reads = _read(codat, stack.platform_key)
            results = _read_probes(reads, secret)
            if allow_writes:
                results += _write_probes(codat, stack.platform_key, reads, secret)
            else:
                results.append(
                    _unknown(
                        "writes",
                        "the enabled endpoint and the strictness of credential writes need "
                        "--probe-writes (Stripe Test only, restored afterwards).",
                    )
                )
    except (CodatApiError, TransportError, ValueError) as error:
        return [
            CheckResult.failed(
                "codat-read", f"Probing Codat failed: {error}.", "Check the API key, then retry."
            )
        ]
    return results


def _read(codat: CodatClient, key: str) -> _Reads:
    integration = codat.integration(key)
    response = codat.call("GET", endpoints.integration_credentials(key))
    credentials = dict(response.json()) if response.status_code == 200 else None
    settings = codat.call("GET", endpoints.integration_settings(str(integration["integrationId"])))
    return _Reads(
        integration,
        response.status_code,
        credentials,
        settings.status_code,
        dict(settings.json()) if settings.status_code == 200 else None,
    )


def _read_probes(reads: _Reads, secret: str | None) -> list[CheckResult]:
    results = []
    if reads.credentials is not None:
        results.append(
            _confirmed("credentials-endpoint", "GET /integrations/credentials/{key} answers.")
        )
    elif reads.credentials_status == 404:
        results.append(
            _unknown(
                "credentials-endpoint",
                "GET credentials answered 404: no credentials stored, or no such endpoint.",
            )
        )
    else:
        results.append(
            _contradicted(
                "credentials-endpoint", f"GET credentials answered {reads.credentials_status}."
            )
        )
    results += _credential_map_probes(reads.credentials, secret)
    if reads.settings is not None:
        value = reads.settings.get("oneTimeSync")
        if value in assumptions.ONE_TIME_SYNC_VALUES:
            results.append(
                _confirmed(
                    "integration-settings",
                    f"GET /settings/integrations/{{id}} answers oneTimeSync={value!r}.",
                )
            )
        else:
            results.append(
                _contradicted(
                    "integration-settings",
                    f"oneTimeSync is {value!r}, not one of "
                    f"{sorted(assumptions.ONE_TIME_SYNC_VALUES)}.",
                )
            )
    else:
        results.append(
            _contradicted(
                "integration-settings",
                f"GET /settings/integrations/{{id}} answered {reads.settings_status}.",
            )
        )
    return results


def _credential_map_probes(
    credentials: dict[str, str] | None, secret: str | None
) -> list[CheckResult]:
    if credentials is None:
        return [
            _unknown(name, "no stored credentials to read.")
            for name in ("credential-keys", "secret-masking", "scope-values")
        ]
    results = []
    wanted = (assumptions.CREDENTIAL_CLIENT_ID, assumptions.CREDENTIAL_SECRET_KEY)
    missing = [k for k in wanted if k not in credentials]
    if missing:
        results.append(
            _contradicted(
                "credential-keys", f"the stored map lacks {missing}: {sorted(credentials)}."
            )
        )
    else:
        results.append(_confirmed("credential-keys", f"the stored map has {list(wanted)}."))
    masked = credentials.get(assumptions.CREDENTIAL_SECRET_KEY)
    tail = masked_tail(masked)
    if masked is None:
        results.append(_unknown("secret-masking", "no stored secret to look at."))
    elif tail is None:
        results.append(
            _contradicted(
                "secret-masking",
                f"the stored secret is not {assumptions.MASK_PREFIX!r} plus "
                f"{assumptions.MASK_VISIBLE_CHARS} characters.",
            )
        )
    elif secret is None:
        results.append(
            _confirmed("secret-masking", "the mask has the assumed shape (tail not compared).")
        )
    elif secret.endswith(tail):
        results.append(
            _confirmed(
                "secret-masking",
                "the mask has the assumed shape and its tail is the given secret's.",
            )
        )
    else:
        results.append(
            _unknown(
                "secret-masking",
                "the mask has the assumed shape, but the stored secret is not the one given.",
            )
        )
    flag = credentials.get(assumptions.CREDENTIAL_USE_READ_WRITE_SCOPE)
    if flag is None or flag in assumptions.USE_READ_WRITE_SCOPE_VALUES:
        results.append(_confirmed("scope-values", f"useReadWriteScope is {flag!r}."))
    else:
        results.append(_contradicted("scope-values", f"useReadWriteScope is {flag!r}."))
    return results


def _write_probes(
    codat: CodatClient, key: str, reads: _Reads, secret: str | None
) -> list[CheckResult]:
    results = []
    enabled = bool(reads.integration.get("enabled"))
    response = codat.call("PUT", endpoints.integration_enabled(key), json={"enabled": enabled})
    if response.ok and response.json().get("enabled") is enabled:
        results.append(
            _confirmed(
                "enabled-endpoint", "PUT /integrations/{key}/enabled (written back unchanged)."
            )
        )
    else:
        results.append(
            _contradicted("enabled-endpoint", f"PUT enabled answered {response.status_code}.")
        )
    if reads.settings is not None:
        path = endpoints.integration_settings(str(reads.integration["integrationId"]))
        patched = codat.call("PATCH", path, json={"oneTimeSync": reads.settings["oneTimeSync"]})
        if patched.ok:
            results.append(
                _confirmed("integration-settings-patch", "PATCH written back unchanged.")
            )
        else:
            results.append(
                _contradicted(
                    "integration-settings-patch", f"PATCH answered {patched.status_code}."
                )
            )
    results += _credential_write_probes(codat, key, reads.credentials, secret)
    return results


def _credential_write_probes(
    codat: CodatClient, key: str, credentials: dict[str, str] | None, secret: str | None
) -> list[CheckResult]:
    names = ("reject-masked-secrets", "put-replaces-map")
    masked = (credentials or {}).get(assumptions.CREDENTIAL_SECRET_KEY)
    tail = masked_tail(masked)
    if credentials is None or tail is None or secret is None or not secret.endswith(tail):
        return [
            _unknown(
                name,
                "needs stored credentials whose masked secret ends like the secret given in the "
                "environment, so they can be restored.",
            )
            for name in names
        ]
    path = endpoints.integration_credentials(key)
    original = {**credentials, assumptions.CREDENTIAL_SECRET_KEY: secret}
    results = []
    try:
        answer = codat.call(
            "PUT", path, json={**original, assumptions.CREDENTIAL_SECRET_KEY: masked}
        )
        if answer.status_code == 400:
            results.append(_confirmed(names[0], "a masked secret is refused (400)."))
        elif answer.ok:
            results.append(_contradicted(names[0], "a masked secret was accepted (restored)."))
        else:
            results.append(_unknown(names[0], f"PUT answered {answer.status_code}."))
        first = codat.call("PUT", path, json={**original, PROBE_KEY: "1"})
        second = codat.call("PUT", path, json=original)
        after = codat.credentials(key) or {}
        if not (first.ok and second.ok):
            results.append(
                _unknown(names[1], f"PUTs answered {first.status_code}, {second.status_code}.")
            )
        elif PROBE_KEY in after:
            results.append(_contradicted(names[1], "a key omitted from the PUT was kept."))
        else:
            results.append(_confirmed(names[1], "a key omitted from the PUT was dropped."))
    finally:
        restored = codat.call("PUT", path, json=original)
        if not restored.ok:
            results.append(
                CheckResult.failed(
                    "credentials-restored",
                    f"Restoring the credentials answered {restored.status_code}.",
                    "Deploy the stack again to write the credentials.",
                )
            )
    return results
