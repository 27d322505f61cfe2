"""Codat paging (``page``, ``pageSize``, ``query``, ``orderBy``) over in-memory result lists.

``query`` supports a small subset of Codat's query language: clauses ``field=value``,
``field!=value`` or ``field~value`` (contains) on top-level scalar fields, joined by ``&&``.
"""

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from codat_emulator.errors import ApiError

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE_PARAM = 5000
"""Largest ``pageSize`` a request may ask for (spec parameter maximum)."""
MAX_PAGE_SIZE_RESPONSE = 2000
"""Largest ``pageSize`` a response reports (spec ``PagingInfo`` maximum): larger asks are capped."""


def _malformed(message: str) -> ApiError:
    return ApiError(400, f"Malformed query: {message}", [("query", message)])


def _int_param(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _malformed(f"'{name}' must be an integer.") from None
    if not low <= value <= high:
        raise _malformed(f"'{name}' must be between {low} and {high}.")
    return value


def _scalar(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _filter(items: Sequence[dict[str, Any]], query: str) -> list[dict[str, Any]]:
    clauses = [c.strip() for c in query.split("&&") if c.strip()]
    result = list(items)
    for clause in clauses:
        for op in ("!=", "~", "="):
            field, sep, expected = clause.partition(op)
            if sep:
                break
        else:
            raise _malformed(f"cannot parse clause {clause!r}.")
        field = field.strip()
        expected = expected.strip().strip("'\"").lower()
        if not field or (items and all(field not in item for item in items)):
            raise _malformed(f"unknown property {field!r}.")

        def keep(
            item: dict[str, Any], field: str = field, op: str = op, exp: str = expected
        ) -> bool:
            actual = _scalar(item.get(field))
            value = "" if actual is None else actual.lower()
            if op == "=":
                return value == exp
            if op == "!=":
                return value != exp
            return exp in value

        result = [item for item in result if keep(item)]
    return result


def _order(items: list[dict[str, Any]], order_by: str) -> list[dict[str, Any]]:
    descending = order_by.startswith("-")
    field = order_by.lstrip("-").strip()
    if not field or (items and all(field not in item for item in items)):
        raise _malformed(f"cannot order by {order_by!r}.")
    return sorted(items, key=lambda item: _scalar(item.get(field)) or "", reverse=descending)


def paginate(
    path: str, params: Mapping[str, str], items: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """Filter, order and page ``items`` into Codat's paged response.

    Args:
        path: Request path, used for the ``_links`` hrefs.
        params: Query parameters of the request.
        items: Every result, in default order.

    Returns:
        ``{"results", "pageNumber", "pageSize", "totalResults", "_links"}``.

    Raises:
        ApiError: 400 for an out-of-range page or page size or a malformed query.

    """
    page = _int_param(params, "page", 1, 1, 2**31 - 1)
    asked = _int_param(params, "pageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE_PARAM)
    size = min(asked, MAX_PAGE_SIZE_RESPONSE)
    selected = list(items)
    query = params.get("query")
    if query:
        selected = _filter(selected, query)
    order_by = params.get("orderBy")
    if order_by:
        selected = _order(selected, order_by)
    total = len(selected)
    start = (page - 1) * size
    extra = {k: params[k] for k in ("query", "orderBy") if params.get(k)}

    def href(number: int) -> dict[str, str]:
        return {"href": f"{path}?{urlencode({'page': number, 'pageSize': size, **extra})}"}

    links: dict[str, Any] = {"self": {"href": path}, "current": href(page)}
    if start + size < total:
        links["next"] = href(page + 1)
    if page > 1:
        links["previous"] = href(page - 1)
    return {
        "results": selected[start : start + size],
        "pageNumber": page,
        "pageSize": size,
        "totalResults": total,
        "_links": links,
    }
