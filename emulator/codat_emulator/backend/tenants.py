"""Codat clients and their API keys: which client a request's key belongs to.

A Codat instance is a client: every client calls the same base URL, and its API key decides
whose integrations, credentials, settings and companies a request sees. Keys given at start-up
(``--client NAME=KEY``, ``--api-key KEY`` for the default client) and keys created through
``POST /apiKeys`` (owned by the creating client) authenticate.
"""

import hmac
from collections.abc import Mapping, Sequence

from codat_emulator.backend import catalog, model
from codat_emulator.backend.client import ClientBackend
from codat_emulator.store import DEFAULT_CLIENT, Store


class Backend:
    """Every client's state, on one store.

    Attributes:
        default_client: Name of the client owning the ``--api-key`` keys.

    """

    def __init__(
        self,
        store: Store,
        clients: Mapping[str, Sequence[str]],
        default_client: str = DEFAULT_CLIENT,
    ) -> None:
        """Seed every configured client (name -> its start-up API keys).

        Raises:
            ValueError: No client, a client without a key, or one key given to two clients.

        """
        if not clients:
            raise ValueError("at least one client with an API key is required")
        self.store = store
        self.default_client = default_client
        self._startup_keys: dict[str, str] = {}
        for name, keys in clients.items():
            if not keys:
                raise ValueError(f"client {name!r} has no API key")
            for key in keys:
                owner = self._startup_keys.setdefault(key, name)
                if owner != name:
                    raise ValueError(f"one API key is given to two clients: {owner!r} and {name!r}")
        self._names = tuple(clients)
        for name, keys in clients.items():
            profile_name = catalog.DEFAULT_PROFILE_NAME if name == default_client else name
            self.client(name).seed(profile_name, tuple(keys))

    def client_names(self) -> tuple[str, ...]:
        """Return the names of the configured clients, in configuration order."""
        return self._names

    def client(self, name: str) -> ClientBackend:
        """Return the state of client ``name``."""
        return ClientBackend(self.store.scope(name), model.client_id(name, self.default_client))

    def client_for_key(self, candidate: str | None) -> str | None:
        """Return the name of the client ``candidate`` belongs to, or None if it is no key.

        Compares against every key in constant time per key.
        """
        if not candidate:
            return None
        found: str | None = None
        encoded = candidate.encode()
        known = list(self._startup_keys.items())
        known += [
            (str(doc["apiKey"]), client)
            for client, doc in self.store.list_all_clients(model.API_KEY)
        ]
        for key, client in known:
            if hmac.compare_digest(encoded, key.encode()) and found is None:
                found = client
        return found
