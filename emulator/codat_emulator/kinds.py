"""Names of the document kinds kept in the store (one per resource)."""

INTEGRATION_STATE = "integration"
"""Mutable state of an integration (``enabled``), keyed by platform key."""

CREDENTIALS = "credentials"
"""Stored credential map of an integration, keyed by platform key."""

INTEGRATION_SETTINGS = "integration_settings"
"""``oneTimeSync`` settings, keyed by integration id."""

PROFILE = "profile"
"""The client profile (single document)."""

SYNC_SETTINGS = "sync_settings"
"""Client sync settings (id ``client``) and company sync settings (id = company id)."""

COMPANY = "company"
"""Companies, keyed by company id."""

CONNECTION = "connection"
"""Connections, keyed by connection id, parent = company id."""

WEBHOOK = "webhook"
"""Webhook consumers, keyed by id."""

API_KEY = "api_key"
"""API keys, keyed by id."""

CLIENT_SETTINGS_ID = "client"
"""Document id of the client sync settings."""

PROFILE_ID = "profile"
"""Document id of the profile."""
