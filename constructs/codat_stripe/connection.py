"""CodatConnection: the restful provider configured for one Codat instance."""

from __future__ import annotations

from dataclasses import dataclass

from codat_api.endpoints import BASE_URL
from codat_stripe.ownership import claim_name
from codat_stripe.restful import RestfulProvider
from codat_stripe.tree_lookups import logical_id, note_scope
from codat_stripe.validation import (
    is_loopback_url,
    is_unresolved,
    require_base_url,
    require_instance_name,
    require_int_range,
    require_terraform_name,
)
from codat_stripe.variables import secret_variable
from constructs import Construct

RETRY_STATUS_CODES = (408, 429, 500, 502, 503, 504)
"""Statuses retried with exponential backoff, as Codat's own SDKs do."""

DEFAULT_RETRY_COUNT = 5
"""Default number of retries of a request answered with one of `RETRY_STATUS_CODES`."""

DEFAULT_INSTANCE_NAME = "default"
"""Codat instance name of a connection that does not name one."""

DEFAULT_API_KEY_VARIABLE = "codat_api_key"
"""Default name of the Codat API key variable (set as TF_VAR_codat_api_key)."""


@dataclass(frozen=True)
class CodatConnectionProps:
    """Props of `CodatConnection`.

    Attributes:
        instance_name: The Codat instance: a name for the Codat client (account) the API key
            belongs to, e.g. "acme-prod". Every Codat client uses the same base URL, so the
            instance, not the URL, decides which Stripe integrations and sync settings are
            one object: per instance, one construct may manage each. Default: "default".
        base_url: Codat API base URL: https, no trailing slash (http only on loopback, for
            the local emulator). Default: https://api.codat.io.
        api_key_variable_name: Name of the stack variable holding the Codat API key; it is
            supplied at deploy time as the environment variable `TF_VAR_<name>`.
            Default: "codat_api_key".
        retry_count: How many times a request answered 408, 429, 500, 502, 503 or 504 is
            retried, with exponential backoff from one second (or what `Retry-After` asks).
            Default: 5.

    """

    instance_name: str = DEFAULT_INSTANCE_NAME
    base_url: str = BASE_URL
    api_key_variable_name: str = DEFAULT_API_KEY_VARIABLE
    retry_count: int = DEFAULT_RETRY_COUNT


class CodatConnection(Construct):
    """One Codat instance: base URL, API key and retry policy, as a restful provider.

    The API key is an ephemeral, sensitive Terraform variable: Terraform never writes it to
    plan or state files, and it is sent as `Authorization: Basic base64(key)`.

    Construct ids (public contract): `ApiKey` (the variable), `Provider`.
    """

    def __init__(
        self, scope: Construct, id: str, props: CodatConnectionProps | None = None
    ) -> None:
        """Create the API-key variable and the provider."""
        super().__init__(scope, id)
        note_scope(self, scope, id)
        props = props or CodatConnectionProps()
        owner = f"CodatConnection '{id}'"
        self.instance_name = require_instance_name(owner, "instance_name", props.instance_name)
        # Each connection declares the stack's one (unaliased) restful provider.
        claim_name(self, "provider", "restful")
        self.base_url = require_base_url(owner, props.base_url)
        self.is_loopback = not is_unresolved(self.base_url) and is_loopback_url(self.base_url)
        """True when the base URL is a loopback address (a local emulator, never real Codat)."""
        require_terraform_name(owner, "api_key_variable_name", props.api_key_variable_name)
        require_int_range(owner, "retry_count", props.retry_count, 0, 20)

        self.api_key = secret_variable(
            self, "ApiKey", props.api_key_variable_name, f"Codat API key for {self.base_url}"
        )
        self.api_key_variable_name = props.api_key_variable_name

        self.provider = RestfulProvider(
            self,
            "Provider",
            base_url=self.base_url,
            # Written as the expression Fn.base64encode(api_key.string_value) renders: the
            # variable is ours, so its name needs no round trip to Node.
            header={"Authorization": f"Basic ${{base64encode(var.{logical_id(self.api_key)})}}"},
            retry_status_codes=RETRY_STATUS_CODES,
            retry_count=props.retry_count,
        )
