"""What verify knows about a stack: read from the app script, built into a throwaway App.

The app script (default `main.py`) runs as it would under `cdktn synth`, except that the
`App` it creates writes into a temporary directory that is removed afterwards; the
`CodatStripeStack` objects it built are then read for their parameters. Secrets come from
the same `TF_VAR_<variable>` environment variables a deploy uses.
"""

from __future__ import annotations

import os
import runpy
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import codat_stripe
import codat_stripe._cdk as cdk
from codat_stripe.stacks import CodatStripeStack
from codat_stripe.stripe_facts import StripeMode
from codat_stripe.stripe_integration import DataAccess


class AppLoadError(RuntimeError):
    """The app script could not be run, or has no such stack."""


@dataclass(frozen=True)
class StackFacts:
    """The parameters of one stack that verify checks against Codat and Stripe."""

    name: str
    mode: StripeMode
    client_id: str
    codat_base_url: str
    codat_instance: str | None
    api_key_variable: str
    secret_key_variable: str
    use_read_write_scope: bool
    data_access: DataAccess
    enabled: bool
    managed_sync: Mapping[str, Mapping[str, Any]] | None
    """Data type -> the settings the stack manages; None when it manages no sync settings."""

    @property
    def platform_key(self) -> str:
        """Codat platform key of the stack's Stripe integration."""
        return self.mode.platform_key

    @property
    def instance_label(self) -> str:
        """The Codat instance's name, or its base URL before stacks had names for it."""
        return self.codat_instance or self.codat_base_url

    def codat_api_key(self, environ: Mapping[str, str]) -> str | None:
        """The Codat API key from `TF_VAR_<api key variable>`, or None when unset/empty."""
        return environ.get(f"TF_VAR_{self.api_key_variable}") or None

    def stripe_secret_key(self, environ: Mapping[str, str]) -> str | None:
        """The Stripe secret key from `TF_VAR_<secret key variable>`, or None when unset/empty."""
        return environ.get(f"TF_VAR_{self.secret_key_variable}") or None


def facts_of(stack: CodatStripeStack) -> StackFacts:
    """Read one built stack's parameters (tolerates stacks without `codat_instance`)."""
    environment = stack.environment
    shared = stack.shared
    sync = stack.commerce_sync
    instance = getattr(environment, "codat_instance", None)
    return StackFacts(
        name=environment.name,
        mode=StripeMode(environment.mode),
        client_id=environment.client_id,
        codat_base_url=str(stack.codat.base_url),
        codat_instance=str(instance) if instance else None,
        api_key_variable=str(stack.codat.api_key_variable_name),
        secret_key_variable=environment.secret_key_variable_name,
        use_read_write_scope=bool(shared.use_read_write_scope),
        data_access=DataAccess(shared.data_access),
        enabled=bool(shared.enabled),
        managed_sync=None if sync is None else dict(sync.desired),
    )


@contextmanager
def _capturing_app(outdir: str) -> Iterator[list[Any]]:
    """Make every `App()` the script creates write into `outdir`, and remember it."""
    real_app = cdk.App
    created: list[Any] = []

    class CapturingApp(real_app):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["outdir"] = outdir
            super().__init__(*args, **kwargs)
            created.append(self)

    # The script imports App afterwards, from the package or from the CDK module.
    homes = (cdk, codat_stripe)
    for home in homes:
        setattr(home, "App", CapturingApp)  # noqa: B010
    try:
        yield created
    finally:
        for home in homes:
            setattr(home, "App", real_app)  # noqa: B010


def load_stacks(app_script: Path) -> dict[str, StackFacts]:
    """Run the app script into a temporary directory and return its stacks' facts by name.

    Raises:
        AppLoadError: If the script is missing, fails, or builds no `CodatStripeStack`.

    """
    if not app_script.is_file():
        raise AppLoadError(f"app script {app_script} does not exist")
    with tempfile.TemporaryDirectory(prefix="codat-verify-") as outdir:
        previous = os.environ.get("CDKTF_OUTDIR")
        os.environ["CDKTF_OUTDIR"] = outdir
        try:
            with _capturing_app(outdir) as created:
                runpy.run_path(str(app_script), run_name="__main__")
        except SystemExit as exit_:
            if exit_.code not in (None, 0):
                raise AppLoadError(f"app script {app_script} exited with {exit_.code}") from None
        except Exception as error:
            raise AppLoadError(f"app script {app_script} failed: {error}") from error
        finally:
            if previous is None:
                os.environ.pop("CDKTF_OUTDIR", None)
            else:
                os.environ["CDKTF_OUTDIR"] = previous
        stacks = [
            child
            for app in created
            for child in app.node.children
            if isinstance(child, CodatStripeStack)
        ]
        if not stacks:
            raise AppLoadError(f"app script {app_script} built no CodatStripeStack")
        return {facts.name: facts for facts in map(facts_of, stacks)}


def select_stack(stacks: Mapping[str, StackFacts], name: str) -> StackFacts:
    """The named stack, or an error naming the stacks the app has."""
    if name not in stacks:
        raise AppLoadError(f"unknown stack {name!r}: the app has {sorted(stacks)}")
    return stacks[name]
