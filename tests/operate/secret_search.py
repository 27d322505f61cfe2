"""Find a secret in text even when it is encoded: JSON-escaped, base64, or both, nested.

A secret can leak in a form a plain substring search misses: `\\u0073k_test_...` in a JSON
file, an escaped JSON document inside a JSON string, a base64 blob (a Basic header, a
provider's private state) holding either. `text_views` yields the text plus every decoded
form of it; `find_secrets` searches all of them and names what it found without quoting it.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator

MAX_DEPTH = 3
"""How many decodings deep a view may be (e.g. base64 of escaped JSON inside JSON is 3)."""

MIN_BASE64_RUN = 12
"""Shortest base64-looking run decoded: 12 characters carry 9 bytes, more than a needle tail."""

_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|[\"\\/bfnrt])")
_SIMPLE_ESCAPES = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}
_BASE64_RUN = re.compile(rf"[A-Za-z0-9+/_-]{{{MIN_BASE64_RUN},}}")
_URLSAFE = str.maketrans("-_", "+/")


def json_unescape(text: str) -> str:
    """One level of JSON string escapes undone anywhere in `text` (`\\u0073` -> `s`).

    Lenient: it does not need the text to be JSON, or the escapes to sit inside a quoted
    string, so a truncated or embedded document is decoded too.
    """

    def replace(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape.startswith("u"):
            return chr(int(escape[1:], 16))
        return _SIMPLE_ESCAPES[escape]

    return _ESCAPE.sub(replace, text)


def base64_decodings(text: str) -> Iterator[str]:
    """The decoded bytes (as latin-1 text) of every base64-looking run in `text`.

    Standard and URL-safe alphabets, with or without padding. A run may start before the
    real base64 (e.g. glued to a word), so each run is decoded from all four alignments.
    """
    for match in _BASE64_RUN.finditer(text):
        run = match.group().translate(_URLSAFE)
        for offset in range(4):
            chunk = run[offset:]
            if len(chunk) % 4 == 1:  # a lone trailing character carries no whole byte
                chunk = chunk[:-1]
            chunk += "=" * (-len(chunk) % 4)
            if len(chunk) < MIN_BASE64_RUN - 3:
                continue
            try:
                yield base64.b64decode(chunk, validate=True).decode("latin-1")
            except (binascii.Error, ValueError):
                continue


def text_views(text: str, depth: int = MAX_DEPTH) -> Iterator[tuple[str, str]]:
    """`(how, view)`: the text itself, then each decoded form of it, `depth` levels deep."""
    yield "as is", text
    if depth == 0:
        return
    unescaped = json_unescape(text)
    if unescaped != text:
        for how, view in text_views(unescaped, depth - 1):
            yield f"JSON-unescaped, {how}" if how != "as is" else "JSON-unescaped", view
    for decoded in base64_decodings(text):
        for how, view in text_views(decoded, depth - 1):
            yield f"base64-decoded, {how}" if how != "as is" else "base64-decoded", view


def secret_needles(secret: str) -> dict[str, str]:
    """Every form of one secret worth searching for, by name: itself, its tail, its base64."""
    return {
        "the value": secret,
        "its last 8 characters": secret[-8:],
        "its base64": base64.b64encode(secret.encode()).decode().rstrip("="),
        "its URL-safe base64": base64.urlsafe_b64encode(secret.encode()).decode().rstrip("="),
    }


def find_secrets(text: str, *secrets: str) -> list[str]:
    """Where each secret shows in `text`, in any decoded form; empty when clean.

    Each finding names the secret by its position in `secrets`, the form found and the
    decoding that exposed it (never the secret or the text), e.g.
    "secret #1 (the value) in JSON-unescaped, base64-decoded text".
    """
    found: list[str] = []
    needles = [
        (index, form, needle)
        for index, secret in enumerate(secrets, start=1)
        for form, needle in secret_needles(secret).items()
    ]
    for how, view in text_views(text):
        for index, form, needle in needles:
            finding = f"secret #{index} ({form}) in {how} text"
            if needle in view and finding not in found:
                found.append(finding)
    return found
