"""A private S3-compatible server for the S3 shared-state tests: moto's server mode on loopback.

Credentials are obviously fake; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import httpx

REGION = "us-east-1"
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "fakeS3KeyOps",
    "AWS_SECRET_ACCESS_KEY": "fakeS3SecretOps",
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
}
"""AWS settings for terraform's s3 backend and boto3 (fake values, loopback server)."""

_LOCK_ID = re.compile(r"^\s*ID:\s+(\S+)", re.M)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class MotoS3:
    """`python -m moto.server` on 127.0.0.1:`port`, its request log in `log`."""

    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def endpoint(self) -> str:
        """The server's URL (the backend's `endpoints.s3`)."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> MotoS3:
        """Start the server in its own process group; wait until it answers."""
        with self.log.open("wb") as handle:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdin=subprocess.DEVNULL,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, **FAKE_AWS},
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto server exited:\n{self.log.read_text()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.endpoint}/moto-api/", timeout=2).status_code < 500:
                    return self
            time.sleep(0.2)
        raise RuntimeError(f"moto server did not answer within {timeout} s")

    def stop(self) -> None:
        """Kill the server's whole process group."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def client(self) -> Any:
        """A boto3 S3 client for the server."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=FAKE_AWS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_AWS["AWS_SECRET_ACCESS_KEY"],
        )

    def keys(self, bucket: str) -> list[str]:
        """The bucket's object keys."""
        listed = self.client().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def read(self, bucket: str, key: str) -> str:
        """An object's body as text."""
        return str(self.client().get_object(Bucket=bucket, Key=key)["Body"].read().decode())

    def state(self, bucket: str, key: str) -> dict[str, Any]:
        """The state object, parsed (fails on corrupt JSON)."""
        parsed: dict[str, Any] = json.loads(self.read(bucket, key))
        return parsed

    def refused_lock_writes(self, lock_key: str) -> int:
        """Lock writes the server refused so far (HTTP 412: someone else holds the lock)."""
        pattern = re.compile(rf'"PUT /[^ ]*{re.escape(lock_key)}[^ ]* HTTP/1\.1" 412')
        plain = _ANSI.sub("", self.log.read_text(errors="replace"))  # the log is colored
        return len(pattern.findall(plain))


def lock_id(output: str) -> str:
    """The lock ID terraform prints when it cannot acquire a state lock."""
    match = _LOCK_ID.search(output)
    assert match, f"no lock ID in:\n{output}"
    return match.group(1)
