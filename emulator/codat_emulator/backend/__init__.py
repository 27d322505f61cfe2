"""All state and rules of the emulated Codat API, with no HTTP: unit-testable on its own.

``Backend`` (``tenants``) holds every client; ``ClientBackend`` (``client``) serves one
client's operations; ``validation`` checks request bodies; ``catalog`` and ``model`` name the
integrations, documents and identifiers.
"""

from codat_emulator.backend.client import ClientBackend
from codat_emulator.backend.tenants import Backend

__all__ = ["Backend", "ClientBackend"]
