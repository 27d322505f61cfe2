"""One Codat client's state and rules: every API operation, without HTTP.

Each method takes plain values (path parameters, the parsed JSON body), reads and writes the
client's documents, and returns the JSON-ready result or raises ``ApiError``. Paging and the
shape of the HTTP answer are the handlers' business (``codat_emulator.responses``).
"""

import secrets
from typing import Any

from codat_api.assumptions import (
    CONNECTION_REQUIRES_ENABLED_INTEGRATION,
    CREDENTIAL_CLIENT_ID,
    DEFAULT_ONE_TIME_SYNC,
    DELETE_CREDENTIALS_DISABLES_INTEGRATION,
    ENABLE_REQUIRES_CREDENTIALS,
    PUT_CREDENTIALS_REPLACES_MAP,
    SECRET_CREDENTIAL_KEYS,
    mask_secret,
    stripe_oauth_url,
    wants_read_write,
)
from codat_api.platforms import COMMERCE_INTEGRATIONS, STRIPE_KEYS
from codat_emulator.backend import catalog, model, validation
from codat_emulator.errors import ApiError, not_found
from codat_emulator.store import ClientStore

COMPANY_LINK_BASE = "https://link.codat.io/company"
"""Base of a company's Link URL (``redirect``)."""
LINK_API_BASE = "https://link-api.codat.io/companies"
"""Base of a non-Stripe connection's ``linkUrl``."""
MAX_WEBHOOK_CONSUMERS = 50
"""Codat allows at most 50 webhook consumers per client."""
STARTUP_KEY_NAME = "emulator start-up key"
STARTUP_KEY_CREATED = "2024-01-01T00:00:00Z"

Json = dict[str, Any]


def masked(credentials: dict[str, str]) -> dict[str, str]:
    """Return ``credentials`` with every secret value masked."""
    return {k: mask_secret(v) if k in SECRET_CREDENTIAL_KEYS else v for k, v in credentials.items()}


class ClientBackend:
    """The state of one named Codat client (integrations, credentials, settings, companies...).

    Attributes:
        name: The client's name (``--client NAME=KEY``).
        client_id: Its stable Codat ``clientId``.

    """

    def __init__(self, store: ClientStore, client_id: str) -> None:
        """Serve the client whose documents ``store`` holds."""
        self.store = store
        self.name = store.client
        self.client_id = client_id

    # --- seed ---

    def seed(self, profile_name: str, startup_api_keys: tuple[str, ...]) -> None:
        """Add every missing seed document in one transaction (idempotent).

        Every commerce integration starts disabled with no credentials; the client sync
        settings hold one setting per data type; start-up API keys are listed under stable ids.
        """
        store = self.store
        with store.transaction():
            for key in COMMERCE_INTEGRATIONS:
                store.put_if_absent(model.INTEGRATION_STATE, key, {"enabled": False})
            store.put_if_absent(
                model.SYNC_SETTINGS,
                model.CLIENT_SETTINGS_ID,
                {"settings": catalog.default_sync_settings(), "overridesDefaults": False},
            )
            store.put_if_absent(
                model.PROFILE,
                model.PROFILE_ID,
                catalog.default_profile(profile_name, self.client_id),
            )
            for api_key in startup_api_keys:
                key_id = model.startup_api_key_id(api_key)
                details = {
                    "id": key_id,
                    "name": STARTUP_KEY_NAME,
                    "apiKey": api_key,
                    "createdDate": STARTUP_KEY_CREATED,
                }
                store.put_if_absent(model.API_KEY, key_id, details)

    # --- integrations and the enabled toggle ---

    def require_known(self, platform_key: str) -> None:
        """Raise 404 unless the emulator offers this integration."""
        if not catalog.is_known(platform_key):
            raise not_found(f"Integration '{platform_key}'")

    def is_enabled(self, platform_key: str) -> bool:
        """Return the stored ``enabled`` flag of an integration."""
        doc = self.store.get(model.INTEGRATION_STATE, platform_key)
        return bool(doc and doc.get("enabled"))

    def stored_credentials(self, platform_key: str) -> dict[str, str] | None:
        """Return the stored credential map of an integration (unmasked), or None."""
        doc = self.store.get(model.CREDENTIALS, platform_key)
        return None if doc is None else {str(k): str(v) for k, v in doc.items()}

    def _integration_view(self, platform_key: str) -> Json:
        linked = total = 0
        for connection in self.store.list(model.CONNECTION):
            if connection.get("integrationKey") == platform_key:
                total += 1
                linked += connection.get("status") == "Linked"
        enabled = self.is_enabled(platform_key)
        return catalog.integration_view(platform_key, enabled, linked, total)

    def integrations(self) -> list[Json]:
        """Return the ``Integration`` object of every integration, in catalog order."""
        return [self._integration_view(key) for key in COMMERCE_INTEGRATIONS]

    def integration(self, platform_key: str) -> Json:
        """Return one ``Integration`` (404 if unknown)."""
        self.require_known(platform_key)
        return self._integration_view(platform_key)

    def branding(self, platform_key: str) -> Json:
        """Return an integration's ``Branding`` (404 if unknown)."""
        self.require_known(platform_key)
        return catalog.branding_view(platform_key)

    def set_enabled(self, platform_key: str, body: Any) -> Json:
        """Switch an integration on or off; enabling needs stored credentials (ASSUMED)."""
        self.require_known(platform_key)
        enabled = validation.enabled_flag(body)
        with self.store.transaction():
            if (
                enabled
                and ENABLE_REQUIRES_CREDENTIALS
                and self.stored_credentials(platform_key) is None
            ):
                name = COMMERCE_INTEGRATIONS[platform_key]
                raise ApiError(
                    400,
                    f"Integration '{name}' ({platform_key}) cannot be enabled: "
                    "no credentials are stored.",
                    [("enabled", "Store the integration's credentials first.")],
                )
            self.store.put(model.INTEGRATION_STATE, platform_key, {"enabled": enabled})
            return self._integration_view(platform_key)

    # --- credentials (ASSUMED endpoint) ---

    def credentials(self, platform_key: str) -> dict[str, str]:
        """Return the stored credential map with secrets masked (404 when none)."""
        self.require_known(platform_key)
        stored = self.stored_credentials(platform_key)
        if stored is None:
            raise not_found(f"Credentials of integration '{platform_key}'")
        return masked(stored)

    def put_credentials(self, platform_key: str, body: Any) -> dict[str, str]:
        """Replace the whole stored map (ASSUMED); return it masked."""
        self.require_known(platform_key)
        new = validation.credentials(platform_key, body)
        with self.store.transaction():
            current = self.stored_credentials(platform_key) or {}
            if not PUT_CREDENTIALS_REPLACES_MAP:
                new = {**current, **new}
            self.store.put(model.CREDENTIALS, platform_key, dict(new))
        return masked(new)

    def delete_credentials(self, platform_key: str) -> None:
        """Delete the stored map (404 if none); an enabled integration is disabled (ASSUMED)."""
        self.require_known(platform_key)
        with self.store.transaction():
            if not self.store.delete(model.CREDENTIALS, platform_key):
                raise not_found(f"Credentials of integration '{platform_key}'")
            if DELETE_CREDENTIALS_DISABLES_INTEGRATION:
                self.store.put(model.INTEGRATION_STATE, platform_key, {"enabled": False})

    # --- integration settings (ASSUMED endpoint) ---

    @staticmethod
    def _require_integration_id(integration_id: str) -> str:
        key = catalog.key_for_integration_id(integration_id)
        if key is None:
            raise ApiError(404, f"Integration '{integration_id}' was not found.")
        return key

    def integration_settings(self, integration_id: str) -> Json:
        """Return ``{"oneTimeSync"}``, continuous (``"false"``) by default."""
        self._require_integration_id(integration_id)
        stored = self.store.get(model.INTEGRATION_SETTINGS, integration_id)
        return stored or {"oneTimeSync": DEFAULT_ONE_TIME_SYNC}

    def set_integration_settings(self, integration_id: str, body: Any) -> Json:
        """Store ``{"oneTimeSync": "true"|"false"}`` and return it."""
        self._require_integration_id(integration_id)
        stored = validation.one_time_sync(body)
        self.store.put(model.INTEGRATION_SETTINGS, integration_id, stored)
        return stored

    # --- profile and client sync settings ---

    def profile(self) -> Json:
        """Return the client's profile."""
        return self.store.get(model.PROFILE, model.PROFILE_ID) or {}

    def put_profile(self, body: Any) -> Json:
        """Replace the profile (the deprecated ``apiKey`` is ignored)."""
        profile = validation.profile(body)
        self.store.put(model.PROFILE, model.PROFILE_ID, profile)
        return profile

    def client_sync_settings(self) -> Json:
        """Return ``{"clientId", "settings", "overridesDefaults"}``."""
        doc = self.store.get(model.SYNC_SETTINGS, model.CLIENT_SETTINGS_ID) or {}
        return {
            "clientId": self.client_id,
            "settings": doc.get("settings", []),
            "overridesDefaults": bool(doc.get("overridesDefaults", False)),
        }

    def set_client_sync_settings(self, body: Any) -> None:
        """Validate every entry, then REPLACE the stored list (ASSUMED)."""
        settings, overrides = validation.sync_settings(body, "clientId")
        self.store.put(
            model.SYNC_SETTINGS,
            model.CLIENT_SETTINGS_ID,
            {"settings": settings, "overridesDefaults": overrides},
        )

    # --- companies and company sync settings ---

    def _require_company(self, company_id: str) -> Json:
        company = self.store.get(model.COMPANY, company_id) if model.is_uuid(company_id) else None
        if company is None:
            raise not_found(f"Company '{company_id}'")
        return company

    def _company_view(self, company: Json) -> Json:
        return {
            **company,
            "dataConnections": self.store.list(model.CONNECTION, parent=company["id"]),
        }

    def companies(self) -> list[Json]:
        """Return every ``Company``, oldest first."""
        return [self._company_view(company) for company in self.store.list(model.COMPANY)]

    def create_company(self, body: Any) -> Json:
        """Create a company from ``{"name", "description"?, "tags"?}``."""
        company_id = model.new_id()
        company: Json = {
            "id": company_id,
            "redirect": f"{COMPANY_LINK_BASE}/{company_id}",
            "created": model.utc_now(),
            "products": [],
            "referenceSubsidiaryCompanies": [],
        }
        validation.apply_company_fields(company, body, replace=True)
        self.store.put(model.COMPANY, company_id, company)
        return self._company_view(company)

    def company(self, company_id: str) -> Json:
        """Return one ``Company`` (404 if missing)."""
        return self._company_view(self._require_company(company_id))

    def update_company(self, company_id: str, body: Any, *, replace: bool) -> Json:
        """Replace (PUT) or update (PATCH) a company's name, description and tags."""
        with self.store.transaction():
            company = self._require_company(company_id)
            validation.apply_company_fields(company, body, replace=replace)
            self.store.put(model.COMPANY, company["id"], company)
            return self._company_view(company)

    def delete_company(self, company_id: str) -> None:
        """Delete a company with its connections and sync settings, atomically."""
        with self.store.transaction():
            company = self._require_company(company_id)
            self.store.delete_children(model.CONNECTION, company["id"])
            self.store.delete(model.SYNC_SETTINGS, company["id"])
            self.store.delete(model.COMPANY, company["id"])

    def company_sync_settings(self, company_id: str) -> Json:
        """Return a company's own sync settings, else the client's defaults."""
        company = self._require_company(company_id)
        doc = self.store.get(model.SYNC_SETTINGS, company["id"])
        if doc is None:
            client = self.store.get(model.SYNC_SETTINGS, model.CLIENT_SETTINGS_ID) or {}
            doc = {"settings": client.get("settings", []), "overridesDefaults": False}
        return {
            "companyId": company["id"],
            "settings": doc["settings"],
            "overridesDefaults": bool(doc["overridesDefaults"]),
        }

    def set_company_sync_settings(self, company_id: str, body: Any) -> None:
        """Validate, then REPLACE a company's sync settings."""
        self._require_company(company_id)
        settings, overrides = validation.sync_settings(body, "companyId")
        with self.store.transaction():
            self._require_company(company_id)
            self.store.put(
                model.SYNC_SETTINGS,
                company_id,
                {"settings": settings, "overridesDefaults": overrides},
                parent=company_id,
            )

    # --- connections ---

    def _require_connection(self, company_id: str, connection_id: str) -> Json:
        if model.is_uuid(company_id) and model.is_uuid(connection_id):
            for connection in self.store.list(model.CONNECTION, parent=company_id):
                if connection["id"] == connection_id:
                    return connection
        raise not_found(f"Connection '{connection_id}'")

    def connections(self, company_id: str) -> list[Json]:
        """Return a company's connections, oldest first (404 if the company is missing)."""
        company = self._require_company(company_id)
        return self.store.list(model.CONNECTION, parent=company["id"])

    def create_connection(self, company_id: str, body: Any) -> Json:
        """Create a ``PendingAuth`` connection from ``{"platformKey"}``.

        For Stripe and Stripe Test its ``linkUrl`` is the Stripe OAuth request Codat would
        make with the stored credentials. A disabled integration is refused with 400 (ASSUMED).
        """
        company = self._require_company(company_id)
        key = validation.platform_key(body)
        self.require_known(key)
        with self.store.transaction():
            if CONNECTION_REQUIRES_ENABLED_INTEGRATION and not self.is_enabled(key):
                raise ApiError(
                    400,
                    f"Integration '{COMMERCE_INTEGRATIONS[key]}' ({key}) is not enabled.",
                    [("platformKey", "Enable the integration first.")],
                )
            connection_id = model.new_id()
            creds = self.stored_credentials(key) or {}
            if key in STRIPE_KEYS:
                link = stripe_oauth_url(
                    creds.get(CREDENTIAL_CLIENT_ID, ""), wants_read_write(creds), connection_id
                )
            else:
                link = f"{LINK_API_BASE}/{company['id']}/connections/{connection_id}/start"
            connection = {
                "id": connection_id,
                "integrationId": model.integration_id(key),
                "integrationKey": key,
                "sourceId": model.source_id(key),
                "sourceType": catalog.SOURCE_TYPE,
                "platformName": COMMERCE_INTEGRATIONS[key],
                "linkUrl": link,
                "status": "PendingAuth",
                "created": model.utc_now(),
                "dataConnectionErrors": [],
            }
            self.store.put(model.CONNECTION, connection_id, connection, parent=company["id"])
        return connection

    def connection(self, company_id: str, connection_id: str) -> Json:
        """Return one connection of a company (404 if missing)."""
        return self._require_connection(company_id, connection_id)

    def unlink_connection(self, company_id: str, connection_id: str, body: Any) -> Json:
        """Set a connection's status from ``{"status": "Unlinked"}``."""
        status = validation.unlink_status(body)
        with self.store.transaction():
            connection = self._require_connection(company_id, connection_id)
            connection["status"] = status
            self.store.put(model.CONNECTION, connection["id"], connection, parent=company_id)
        return connection

    def delete_connection(self, company_id: str, connection_id: str) -> None:
        """Delete one connection (404 if missing)."""
        with self.store.transaction():
            connection = self._require_connection(company_id, connection_id)
            self.store.delete(model.CONNECTION, connection["id"])

    # --- webhooks ---

    def webhooks(self) -> list[Json]:
        """Return every webhook consumer."""
        return self.store.list(model.WEBHOOK)

    def create_webhook(self, body: Any) -> Json:
        """Create a webhook consumer; at most 50 per client."""
        consumer = validation.webhook_consumer(body)
        with self.store.transaction():
            if self.store.count(model.WEBHOOK) >= MAX_WEBHOOK_CONSUMERS:
                raise ApiError(
                    400, f"A client may have at most {MAX_WEBHOOK_CONSUMERS} webhook consumers."
                )
            consumer = {"id": model.new_id(), **consumer}
            self.store.put(model.WEBHOOK, consumer["id"], consumer)
        return consumer

    def delete_webhook(self, webhook_id: str) -> None:
        """Delete a webhook consumer (404 if missing)."""
        if not model.is_uuid(webhook_id) or not self.store.delete(model.WEBHOOK, webhook_id):
            raise not_found(f"Webhook consumer '{webhook_id}'")

    # --- API keys (a created key authenticates as this client at once) ---

    def api_keys(self) -> list[Json]:
        """Return every API key of the client (``ApiKeyDetails``)."""
        return self.store.list(model.API_KEY)

    def create_api_key(self, body: Any) -> Json:
        """Create an API key for this client from ``{"name"?}``."""
        name = validation.api_key_name(body)
        key_id = model.new_id()
        details: dict[str, str] = {"id": key_id, "apiKey": secrets.token_hex(20)}
        if name is not None:
            details["name"] = name
        details["createdDate"] = model.utc_now()
        self.store.put(model.API_KEY, key_id, dict(details))
        return details

    def delete_api_key(self, key_id: str) -> None:
        """Delete an API key (404 if missing); start-up keys return at the next start."""
        if not self.store.delete(model.API_KEY, key_id):
            raise not_found(f"API key '{key_id}'")

    # --- comparison dump (admin) ---

    def state_dump(self) -> Json:
        """Return the client's whole state as JSON-ready data, secrets masked, no API keys.

        Deterministic for a given state: lists keep creation order and every dict is
        serialized with sorted keys by the caller.
        """
        credentials = {}
        for key in COMMERCE_INTEGRATIONS:
            stored = self.stored_credentials(key)
            if stored is not None:
                credentials[key] = masked(stored)
        integration_settings = {}
        for key in COMMERCE_INTEGRATIONS:
            doc = self.store.get(model.INTEGRATION_SETTINGS, model.integration_id(key))
            if doc is not None:
                integration_settings[key] = doc
        companies = []
        for company in self.store.list(model.COMPANY):
            sync = self.store.get(model.SYNC_SETTINGS, company["id"])
            companies.append({**self._company_view(company), "syncSettings": sync})
        return {
            "client": self.name,
            "clientId": self.client_id,
            "integrations": {key: self.is_enabled(key) for key in COMMERCE_INTEGRATIONS},
            "credentials": credentials,
            "integrationSettings": integration_settings,
            "syncSettings": self.client_sync_settings(),
            "profile": self.profile(),
            "companies": companies,
            "webhooks": self.webhooks(),
            "apiKeys": [{k: v for k, v in key.items() if k != "apiKey"} for key in self.api_keys()],
        }
