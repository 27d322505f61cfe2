"""Codat checks of a stack: the API key and instance before a deploy, Codat's state after it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from urllib.parse import parse_qs, urlsplit

from codat_api import assumptions
from codat_api.platforms import STRIPE_REDIRECT_URI
from codat_stripe_ops.codat_client import CodatApiError, CodatClient
from codat_stripe_ops.verify.http import TransportError
from codat_stripe_ops.verify.results import CheckResult
from codat_stripe_ops.verify.stack_facts import StackFacts

CLIENT_ID_PATTERN = re.compile(r"^ca_[A-Za-z0-9]{16,64}$")
"""A Stripe Connect client ID: `ca_` and 16 to 64 letters or digits (real ones have 32)."""

CodatFactory = Callable[[str, str], CodatClient]


def codat_client(base_url: str, api_key: str) -> CodatClient:
    """The default way to reach a Codat instance."""
    return CodatClient(base_url, api_key)


def _problem(error: Exception) -> str:
    return str(error)


# --- Before a deploy ---


def client_id_checks(stack: StackFacts, stacks: Mapping[str, StackFacts]) -> list[CheckResult]:
    """The client ID is well formed and differs from every other-mode stack's."""
    results = []
    if CLIENT_ID_PATTERN.match(stack.client_id):
        results.append(
            CheckResult.passed("client-id-format", f"{stack.client_id} is a well-formed client ID.")
        )
    else:
        results.append(
            CheckResult.failed(
                "client-id-format",
                f"{stack.client_id!r} is not a Stripe Connect client ID (ca_ and 16 to 64 "
                "letters or digits).",
                f"Copy the {stack.mode.value}-mode client ID from the Stripe Dashboard "
                "(Settings > Connect > Onboarding options > OAuth).",
            )
        )
    clashes = sorted(
        other.name
        for other in stacks.values()
        if other.mode is not stack.mode and other.client_id == stack.client_id
    )
    others = sorted(o.name for o in stacks.values() if o.mode is not stack.mode)
    if clashes:
        results.append(
            CheckResult.failed(
                "client-id-distinct",
                f"The {stack.mode.value} stack uses the same client ID as {', '.join(clashes)}: "
                "Stripe gives test and live mode different client IDs.",
                "Put each mode's own client ID in the app.",
            )
        )
    elif others:
        results.append(
            CheckResult.passed(
                "client-id-distinct", f"The client ID differs from {', '.join(others)}'s."
            )
        )
    else:
        results.append(
            CheckResult.unknown(
                "client-id-distinct", "The app has no stack of the other Stripe mode to compare."
            )
        )
    return results


def _codat_client_id(stack: StackFacts, api_key: str, connect: CodatFactory) -> str | None:
    try:
        with connect(stack.codat_base_url, api_key) as codat:
            return str(codat.sync_settings().get("clientId") or "") or None
    except (CodatApiError, TransportError, ValueError):
        return None


def _api_key_missing(stack: StackFacts, consequence: str) -> CheckResult:
    """The failed `codat-api-key` check when the stack's TF_VAR_<api key> is unset."""
    env_name = f"TF_VAR_{stack.api_key_variable}"
    return CheckResult.failed(
        "codat-api-key",
        f"{env_name} is not set, so {consequence}.",
        f"Export {env_name} with the API key of Codat instance {stack.instance_label}.",
    )


def codat_preflight_checks(
    stack: StackFacts,
    stacks: Mapping[str, StackFacts],
    environ: Mapping[str, str],
    connect: CodatFactory = codat_client,
) -> list[CheckResult]:
    """The API key works, reaches the expected Codat client, which offers the integration."""
    api_key = stack.codat_api_key(environ)
    if api_key is None:
        return [_api_key_missing(stack, "the Codat API key cannot be checked")]
    results = []
    try:
        with connect(stack.codat_base_url, api_key) as codat:
            profile = codat.profile()
            client_id = str(codat.sync_settings().get("clientId") or "")
            integration = codat.integration(stack.platform_key)
    except CodatApiError as error:
        if error.status in (401, 403):
            return [
                CheckResult.failed(
                    "codat-api-key",
                    f"Codat refused the API key in TF_VAR_{stack.api_key_variable} "
                    f"({error.status}) at {stack.codat_base_url}.",
                    "Copy a current API key of the right client from the Codat Portal "
                    "(Developers > API keys).",
                )
            ]
        return [
            CheckResult.failed(
                "codat-api-key",
                f"A read with the API key failed: {_problem(error)}.",
                "Retry; if it persists, check that the key's client may read integrations.",
            )
        ]
    except (TransportError, ValueError) as error:
        return [
            CheckResult.failed(
                "codat-api-key",
                f"Codat at {stack.codat_base_url} could not be asked: {_problem(error)}.",
                "Check the base URL and network access, then retry.",
            )
        ]
    name = str(profile.get("name") or "?")
    results.append(
        CheckResult.passed(
            "codat-api-key",
            f"The API key works: it reads Codat client {name!r} (clientId {client_id}).",
        )
    )
    results.append(_instance_check(stack, stacks, environ, client_id, connect))
    if integration.get("key") == stack.platform_key or integration.get("integrationId"):
        results.append(
            CheckResult.passed(
                "codat-integration-available",
                f"Codat offers the {stack.mode.integration_name} integration "
                f"({stack.platform_key}).",
            )
        )
    else:
        results.append(
            CheckResult.failed(
                "codat-integration-available",
                f"Codat's answer for {stack.platform_key} is not an integration.",
                "Contact Codat support: the Stripe integrations must be available on the client.",
            )
        )
    return results


def _instance_check(
    stack: StackFacts,
    stacks: Mapping[str, StackFacts],
    environ: Mapping[str, str],
    client_id: str,
    connect: CodatFactory,
) -> CheckResult:
    """Keys of stacks on the same instance reach one Codat client; other instances, others."""
    same, different, compared = [], [], []
    for other in stacks.values():
        other_key = other.codat_api_key(environ)
        if other.name == stack.name or other_key is None:
            continue
        if other.codat_base_url.rstrip("/") != stack.codat_base_url.rstrip("/"):
            continue
        other_client = _codat_client_id(other, other_key, connect)
        if other_client is None:
            continue
        compared.append(other.name)
        shares_instance = other.instance_label == stack.instance_label
        if shares_instance and other_client != client_id:
            different.append(other.name)
        if not shares_instance and other_client == client_id:
            same.append(other.name)
    if same:
        return CheckResult.failed(
            "codat-instance",
            f"The API key of {stack.name} reaches the same Codat client as {', '.join(same)}, "
            f"which the app puts on another Codat instance than {stack.instance_label!r}.",
            f"Export the API key of Codat instance {stack.instance_label!r} for this stack.",
        )
    if different:
        return CheckResult.failed(
            "codat-instance",
            f"{stack.name} and {', '.join(different)} share Codat instance "
            f"{stack.instance_label!r} in the app, but their API keys reach different clients.",
            "Export API keys of the same Codat client for stacks on one instance.",
        )
    if compared:
        return CheckResult.passed(
            "codat-instance",
            f"The API key reaches the Codat client the app expects for {stack.instance_label!r} "
            f"(compared with {', '.join(compared)}).",
        )
    return CheckResult.unknown(
        "codat-instance",
        f"Codat exposes no instance name, and no other stack's API key was set to compare with: "
        f"the key reaches Codat client {client_id}.",
        f"Confirm in the Codat Portal that this is instance {stack.instance_label!r}, or export "
        "the other stacks' API keys too.",
    )


# --- After a deploy ---


def codat_state_checks(
    stack: StackFacts,
    environ: Mapping[str, str],
    connect: CodatFactory = codat_client,
) -> list[CheckResult]:
    """What Codat holds matches the stack: enabled, credentials, data access, sync settings."""
    api_key = stack.codat_api_key(environ)
    if api_key is None:
        return [_api_key_missing(stack, "Codat cannot be read")]
    try:
        with connect(stack.codat_base_url, api_key) as codat:
            integration = codat.integration(stack.platform_key)
            credentials = codat.credentials(stack.platform_key)
            settings = codat.integration_settings(str(integration.get("integrationId")))
            sync = codat.sync_settings() if stack.managed_sync is not None else None
    except (CodatApiError, TransportError, ValueError) as error:
        refused = isinstance(error, CodatApiError) and error.status in (401, 403)
        return [
            CheckResult.failed(
                "codat-api-key" if refused else "codat-read",
                f"Reading Codat at {stack.codat_base_url} failed: {_problem(error)}.",
                "Check the API key and the base URL, then retry.",
            )
        ]
    results = [_enabled(stack, integration.get("enabled"))]
    results += _credentials(stack, credentials, stack.stripe_secret_key(environ))
    results.append(_data_access(stack, settings.get("oneTimeSync")))
    results.append(_sync(stack, sync))
    return results


def _enabled(stack: StackFacts, enabled: object) -> CheckResult:
    name = stack.mode.integration_name
    if enabled is stack.enabled:
        state = "enabled" if enabled else "disabled"
        return CheckResult.passed("integration-enabled", f"{name} is {state}, as the app says.")
    return CheckResult.failed(
        "integration-enabled",
        f"{name} is {'enabled' if enabled else 'disabled'} in Codat but the app says "
        f"enabled={stack.enabled}.",
        "Deploy the stack again (or check who changed it in the Portal).",
    )


def _credentials(
    stack: StackFacts, credentials: dict[str, str] | None, secret: str | None
) -> list[CheckResult]:
    if credentials is None:
        return [
            CheckResult.failed(
                "credentials-stored",
                f"Codat holds no credentials for {stack.mode.integration_name}.",
                "Deploy the stack (bump credentials_revision if they were deleted in the Portal).",
            )
        ]
    results = []
    stored_id = credentials.get(assumptions.CREDENTIAL_CLIENT_ID)
    if stored_id == stack.client_id:
        results.append(
            CheckResult.passed("credentials-client-id", f"The stored client ID is {stored_id}.")
        )
    else:
        results.append(
            CheckResult.failed(
                "credentials-client-id",
                f"Codat stores client ID {stored_id!r}; the app says {stack.client_id!r}.",
                "Deploy the stack; bump credentials_revision if the plan shows nothing to do.",
            )
        )
    stored_rw = assumptions.wants_read_write(credentials)
    scope = assumptions.STRIPE_SCOPE_READ_WRITE if stored_rw else assumptions.STRIPE_SCOPE_READ_ONLY
    if stored_rw == stack.use_read_write_scope:
        results.append(CheckResult.passed("credentials-scope", f"The stored scope is {scope}."))
    else:
        results.append(
            CheckResult.failed(
                "credentials-scope",
                f"Codat asks Stripe for {scope}; the app says use_read_write_scope="
                f"{stack.use_read_write_scope}.",
                "Deploy the stack; bump credentials_revision if the plan shows nothing to do.",
            )
        )
    results.append(_secret_tail(stack, credentials.get(assumptions.CREDENTIAL_SECRET_KEY), secret))
    return results


def masked_tail(masked: str | None) -> str | None:
    """The visible tail of a masked secret as Codat is ASSUMED to return it, else None."""
    if masked is None or not assumptions.is_masked(masked):
        return None
    tail = masked[len(assumptions.MASK_PREFIX) :]
    return tail if len(tail) == assumptions.MASK_VISIBLE_CHARS else None


def _secret_tail(stack: StackFacts, masked: str | None, secret: str | None) -> CheckResult:
    env_name = f"TF_VAR_{stack.secret_key_variable}"
    tail = masked_tail(masked)
    if tail is None:
        return CheckResult.unknown(
            "credentials-secret",
            "Codat's stored secret is not masked the way the project assumes, so it cannot be "
            "compared.",
            "Run verify --probe-assumptions.",
        )
    if secret is None:
        return CheckResult.unknown(
            "credentials-secret",
            f"{env_name} is not set, so the stored secret cannot be compared.",
            f"Export {env_name} (the secret given at deploy time) to compare.",
        )
    if secret[-assumptions.MASK_VISIBLE_CHARS :] == tail:
        return CheckResult.passed(
            "credentials-secret",
            f"The last four characters of the stored secret match {env_name}.",
        )
    return CheckResult.failed(
        "credentials-secret",
        f"The last four characters of the stored secret do not match {env_name}: Codat holds "
        "another key.",
        "Deploy with the intended secret (bump credentials_revision if the plan is empty).",
    )


def _data_access(stack: StackFacts, one_time_sync: object) -> CheckResult:
    wanted = stack.data_access.one_time_sync
    if one_time_sync == wanted:
        return CheckResult.passed(
            "data-access", f"Access to company data is {stack.data_access.value}, as the app says."
        )
    return CheckResult.failed(
        "data-access",
        f"Codat's oneTimeSync is {one_time_sync!r}; the app's {stack.data_access.value} needs "
        f"{wanted!r}.",
        "Deploy the stack again (or check who changed it in the Portal).",
    )


def _sync(stack: StackFacts, sync: dict[str, object] | None) -> CheckResult:
    if stack.managed_sync is None or sync is None:
        return CheckResult.unknown(
            "commerce-sync",
            f"The {stack.name} stack does not manage the client's sync settings; the stack "
            "that does is verified instead.",
        )
    entries = sync.get("settings")
    stored = {
        e["dataType"]: e
        for e in (entries if isinstance(entries, list) else [])
        if isinstance(e, dict) and "dataType" in e
    }
    wrong = []
    for data_type, wanted in sorted(stack.managed_sync.items()):
        entry = stored.get(data_type)
        if entry is None:
            wrong.append(f"{data_type} (missing)")
            continue
        diffs = [f"{k}={entry.get(k)!r} not {v!r}" for k, v in wanted.items() if entry.get(k) != v]
        if diffs:
            wrong.append(f"{data_type} ({', '.join(diffs)})")
    if wrong:
        return CheckResult.failed(
            "commerce-sync",
            "Sync settings differ from the app: " + "; ".join(wrong) + ".",
            "Deploy the stack again (or check who changed them in the Portal).",
        )
    off = sorted(t for t, w in stack.managed_sync.items() if not w.get("fetchOnFirstLink", True))
    detail = f"All {len(stack.managed_sync)} managed commerce data types match the app"
    return CheckResult.passed(
        "commerce-sync",
        detail + (f" (off by choice: {', '.join(off)})." if off else " and are on."),
    )


# --- Optional link test ---


def link_test(
    stack: StackFacts, environ: Mapping[str, str], connect: CodatFactory = codat_client
) -> CheckResult:
    """Create a throwaway company and connection, check its linkUrl, then delete the company."""
    api_key = stack.codat_api_key(environ)
    if api_key is None:
        return CheckResult.failed(
            "link-test",
            f"TF_VAR_{stack.api_key_variable} is not set.",
            "Export the Codat API key to run the link test.",
        )
    name = f"codat-stripe verify {stack.name} {uuid.uuid4().hex[:8]}"
    try:
        with connect(stack.codat_base_url, api_key) as codat:
            company = codat.create_company(name)
            try:
                connection = codat.create_connection(str(company["id"]), stack.platform_key)
            finally:
                codat.delete_company(str(company["id"]))
    except (CodatApiError, TransportError, ValueError, KeyError) as error:
        return CheckResult.failed(
            "link-test",
            f"The throwaway company or connection failed: {_problem(error)}.",
            "Check that the integration is enabled and its credentials stored, then retry.",
        )
    return evaluate_link_url(stack, str(connection.get("linkUrl") or ""))


def evaluate_link_url(stack: StackFacts, link_url: str) -> CheckResult:
    """Compare a Stripe connection's linkUrl with the stack's client ID, scope and redirect."""
    parts = urlsplit(link_url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    scope = (
        assumptions.STRIPE_SCOPE_READ_WRITE
        if stack.use_read_write_scope
        else assumptions.STRIPE_SCOPE_READ_ONLY
    )
    wanted = {"client_id": stack.client_id, "scope": scope, "redirect_uri": STRIPE_REDIRECT_URI}
    wrong = [f"{k}={query.get(k)!r} not {v!r}" for k, v in wanted.items() if query.get(k) != v]
    if wrong:
        return CheckResult.failed(
            "link-test",
            "The new connection's linkUrl does not carry what the app says: "
            + ", ".join(wrong)
            + " (the throwaway company was deleted).",
            "Deploy the stack again; if it persists, run verify --probe-assumptions.",
        )
    return CheckResult.passed(
        "link-test",
        f"A throwaway connection's linkUrl carries client_id {stack.client_id}, scope {scope} "
        f"and redirect_uri {STRIPE_REDIRECT_URI} (the company was deleted).",
    )
