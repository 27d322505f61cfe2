"""The secrets audit's search decodes before it searches (unit tests, no deploy).

Each planted file holds the fake secret only in an encoded form that a plain substring
search misses (checked first), so these tests fail if the audit's decoding is removed.
"""

from __future__ import annotations

import base64
import json
import zipfile
from pathlib import Path

import pytest
from operate_support import SECRET_TEST, leaks, readable_files
from secret_search import base64_decodings, json_unescape

OTHER = "sk_test_fakeOther7"
"""A second fake secret, never planted: the audit must not report it."""


def _unicode_escaped(value: str) -> str:
    """Every character as a JSON `\\uXXXX` escape."""
    return "".join(f"\\u{ord(char):04x}" for char in value)


def _b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


PLANTED: dict[str, str] = {
    # A JSON file whose string spells the secret with \\u escapes.
    "escaped.json": '{"secretKey": "' + _unicode_escaped(SECRET_TEST) + '"}',
    # An escaped JSON document inside a JSON string, the secret \\u-escaped inside that.
    "nested.json": json.dumps({"outer": '{"inner": "' + _unicode_escaped(SECRET_TEST) + '"}'}),
    # Base64 of a JSON body (the secret is not at a base64 boundary), glued to a word.
    "private.json": json.dumps(
        {"private": "state" + _b64(json.dumps({"a": 1, "secretKey": SECRET_TEST}))}
    ),
    # URL-safe base64, no padding, of escaped JSON inside JSON: three decodings deep.
    "deep.log": "blob="
    + base64.urlsafe_b64encode(
        json.dumps({"body": '{"k": "' + _unicode_escaped(SECRET_TEST) + '"}'}).encode()
    )
    .decode()
    .rstrip("="),
}


def _plain_search(text: str) -> bool:
    """What an audit without decoding sees: the value, its tail or its exact base64."""
    return any(needle in text for needle in (SECRET_TEST, SECRET_TEST[-8:], _b64(SECRET_TEST)))


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_the_audit_finds_a_secret_only_present_encoded(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text(PLANTED[name])
    files = readable_files(tmp_path)
    text = files[str(tmp_path / name)]
    assert not _plain_search(text), "planted in a form a plain search already finds"

    found = leaks(text, OTHER, SECRET_TEST)
    assert found, f"the encoded secret in {name} was not found"
    assert all(finding.startswith("secret #2 ") for finding in found), found
    assert any("decoded" in finding or "unescaped" in finding for finding in found), found
    assert SECRET_TEST not in " ".join(found)  # a finding never quotes the secret


def test_the_audit_decodes_inside_a_saved_plan(tmp_path: Path) -> None:
    plan = tmp_path / "saved.tfplan"
    with zipfile.ZipFile(plan, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("tfplan", b"\x00\x01" + PLANTED["private.json"].encode() + b"\xff")
    files = readable_files(tmp_path)
    assert not any(_plain_search(text) for text in files.values())
    found = {name: leaks(text, SECRET_TEST) for name, text in files.items()}
    assert found[f"{plan}!tfplan"] == [
        "secret #1 (the value) in base64-decoded text",
        "secret #1 (its last 8 characters) in base64-decoded text",
    ]


def test_clean_encoded_text_is_not_reported(tmp_path: Path) -> None:
    clean = {
        "escaped.json": '{"clientId": "' + _unicode_escaped("ca_fakeOpsTest") + '"}',
        "private.json": json.dumps({"private": _b64(json.dumps({"secretKey": "********Ops1"}))}),
        "hashes.txt": "sha256:" + "a1B2" * 16 + "\n" + _b64("no secret here, only text" * 4),
    }
    for name, text in clean.items():
        (tmp_path / name).write_text(text)
    assert {name: leaks(text, SECRET_TEST) for name, text in readable_files(tmp_path).items()} == {
        name: [] for name in readable_files(tmp_path)
    }


def test_a_plain_or_base64_secret_is_still_found() -> None:
    assert leaks(f"key={SECRET_TEST}", SECRET_TEST) == [
        "secret #1 (the value) in as is text",
        "secret #1 (its last 8 characters) in as is text",
    ]
    header = f"Authorization: Basic {_b64(SECRET_TEST)}"
    assert "secret #1 (its base64) in as is text" in leaks(header, SECRET_TEST)
    assert "secret #1 (the value) in base64-decoded text" in leaks(header, SECRET_TEST)


def test_decoders() -> None:
    assert json_unescape(r"\u0073k \"q\" \\u0073") == r'sk "q" \u0073'
    assert json_unescape(json_unescape(r"\\u0073")) == "s"
    assert any("sk_test_x" in text for text in base64_decodings("xy" + _b64("..sk_test_x..")))
    assert not [text for text in base64_decodings("short+b64") if "sk" in text]
