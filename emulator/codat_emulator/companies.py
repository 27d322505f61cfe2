"""Company documents: validation of request bodies and the ``Company`` view."""

import re
from typing import Any

from codat_emulator import kinds
from codat_emulator.errors import not_found
from codat_emulator.ids import is_uuid
from codat_emulator.store import Store
from codat_emulator.validate import invalid

NAME_PATTERN = re.compile(r"^[A-Za-z0-9\s\-',&@.,?!\s]+$")
"""Pattern of a company name (spec ``CompanyRequestBody.name``)."""
TAG_NAME_PATTERN = re.compile(r"^.{1,27}$")
MAX_TAGS = 10
MAX_TAG_VALUE_LENGTH = 100
LINK_BASE = "https://link.codat.io/company"
"""Base of a company's Link URL (``redirect``)."""


def validate_name(value: Any) -> str:
    """Return a valid company name or raise 400."""
    if not isinstance(value, str) or not value or not NAME_PATTERN.search(value):
        raise invalid("name", "'name' must be a non-empty string of letters, digits and ,.'-&@?!")
    return value


def validate_tags(value: Any) -> dict[str, str]:
    """Return valid company tags or raise 400."""
    if not isinstance(value, dict) or len(value) > MAX_TAGS:
        raise invalid("tags", f"'tags' must be an object of at most {MAX_TAGS} entries.")
    for name, tag in value.items():
        if not TAG_NAME_PATTERN.search(name):
            raise invalid("tags", "Tag names must have 1 to 27 characters.")
        if not isinstance(tag, str) or len(tag) > MAX_TAG_VALUE_LENGTH:
            raise invalid("tags", f"Tag values must be strings of at most {MAX_TAG_VALUE_LENGTH}.")
    return dict(value)


def apply_fields(company: dict[str, Any], body: dict[str, Any], *, replace: bool) -> None:
    """Apply ``name``, ``description`` and ``tags`` from a request body to ``company``."""
    if replace or "name" in body:
        company["name"] = validate_name(body.get("name"))
    if "description" in body:
        description = body["description"]
        if not isinstance(description, str):
            raise invalid("description", "'description' must be a string.")
        company["description"] = description
    elif replace:
        company["description"] = ""
    if "tags" in body:
        company["tags"] = validate_tags(body["tags"])
    elif replace:
        company["tags"] = {}


def require(store: Store, company_id: str) -> dict[str, Any]:
    """Return the stored company or raise 404."""
    company = store.get(kinds.COMPANY, company_id) if is_uuid(company_id) else None
    if company is None:
        raise not_found(f"Company '{company_id}'")
    return company


def view(store: Store, company: dict[str, Any]) -> dict[str, Any]:
    """Build the ``Company`` object, with its connections."""
    return {**company, "dataConnections": store.list(kinds.CONNECTION, parent=company["id"])}
