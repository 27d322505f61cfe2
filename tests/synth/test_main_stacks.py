"""The shipped main.py: snapshots, determinism, secrets, and the `constructs` import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import main
from codat_stripe import CodatStripeConfigError
from synth_support import normalized, synth_stacks

REPO = Path(__file__).resolve().parents[2]
SNAPSHOTS = REPO / "tests" / "snapshots"
LOOPBACK = "http://127.0.0.1:4010"
pytestmark = pytest.mark.synth


@pytest.fixture(autouse=True)
def _default_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("CODAT_BASE_URL_", "STRIPE_CLIENT_ID_", "TF_VAR_")):
            monkeypatch.delenv(name)
    # main.py ships example client IDs, which only a loopback Codat (the emulator) accepts.
    monkeypatch.setenv("CODAT_BASE_URL_TEST", LOOPBACK)
    monkeypatch.setenv("CODAT_BASE_URL_LIVE", LOOPBACK)


def test_shipped_example_client_ids_are_refused_against_a_real_codat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CODAT_BASE_URL_TEST")
    with pytest.raises(CodatStripeConfigError) as caught:
        synth_stacks(tmp_path, main.build)
    message = str(caught.value)
    assert "ca_ExampleTestClientId" in message and "placeholder" in message
    assert "https://api.codat.io" in message
    # An explicit, real-looking client ID passes.
    monkeypatch.setenv("STRIPE_CLIENT_ID_TEST", "ca_Q8fJr2LmT0aBcDeFgH")
    (tmp_path / "again").mkdir()
    assert "test" in synth_stacks(tmp_path / "again", main.build)


def test_main_synthesizes_test_and_live_matching_snapshots(tmp_path: Path) -> None:
    stacks = synth_stacks(tmp_path, main.build)
    assert sorted(stacks) == ["live", "test"]
    for name, stack in stacks.items():
        snapshot = SNAPSHOTS / f"{name}.json"
        actual = json.dumps(normalized(stack), indent=2, sort_keys=True) + "\n"
        if os.environ.get("UPDATE_SNAPSHOTS") == "1":
            snapshot.write_text(actual)
        assert snapshot.exists(), f"missing {snapshot}: run with UPDATE_SNAPSHOTS=1 once"
        assert actual == snapshot.read_text(), (
            f"stack {name!r} differs from {snapshot.relative_to(REPO)}; if the change is "
            "intended, review it and re-run with UPDATE_SNAPSHOTS=1"
        )


def test_test_stack_is_stripe_test_and_live_stack_is_stripe(tmp_path: Path) -> None:
    stacks = synth_stacks(tmp_path, main.build)
    assert stacks["test"]["output"]["stripe_platform_key"]["value"] == "yzth"
    assert stacks["live"]["output"]["stripe_platform_key"]["value"] == "exgd"
    assert set(stacks["test"]["variable"]) == {"codat_api_key_test", "stripe_secret_key_test"}
    assert set(stacks["live"]["variable"]) == {"codat_api_key_live", "stripe_secret_key_live"}
    # Test and live are separate Codat clients: each manages its own client's sync settings.
    owners = [n for n, s in stacks.items() if "CommerceSync_Settings" in json.dumps(s)]
    assert sorted(owners) == ["live", "test"]
    assert stacks["test"]["output"]["codat_instance"]["value"] == "example-sandbox"
    assert stacks["live"]["output"]["codat_instance"]["value"] == "example-production"
    assert (
        stacks["test"]["output"]["shared_parameters_sha256"]
        == stacks["live"]["output"]["shared_parameters_sha256"]
    )


def _synth_main_process(outdir: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run main.py the way the CDK CLI does: `python main.py` with CDKTF_OUTDIR set."""
    code = (
        "import runpy;"
        "runpy.run_path('main.py', run_name='__main__');"
        "import constructs;"
        "print('constructs-from=' + constructs.__file__)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**env, "CDKTF_OUTDIR": str(outdir)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_constructs_in_the_running_app_is_the_library_not_the_source_folder(tmp_path: Path) -> None:
    # `python -c` puts the working directory first on sys.path, exactly like `python main.py`.
    result = _synth_main_process(tmp_path / "out", dict(os.environ))
    location = result.stdout.strip().splitlines()[-1].removeprefix("constructs-from=")
    assert "site-packages" in location
    assert not location.startswith(str(REPO / "constructs"))
    assert (tmp_path / "out" / "stacks" / "test" / "cdk.tf.json").exists()


def test_synth_is_byte_identical_and_free_of_machine_paths_and_secrets(tmp_path: Path) -> None:
    secrets = {
        "TF_VAR_codat_api_key_test": "fake-codat-key-T3ST",
        "TF_VAR_codat_api_key_live": "fake-codat-key-L1VE",
        "TF_VAR_stripe_secret_key_test": "sk_test_fakeSECRET42",
        "TF_VAR_stripe_secret_key_live": "sk_live_fakeSECRET43",
    }
    env = {**os.environ, **secrets}
    first, second = tmp_path / "first", tmp_path / "second"
    _synth_main_process(first, env)
    _synth_main_process(second, env)

    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert any(str(f).endswith("cdk.tf.json") for f in files)
    for relative in files:
        content = (first / relative).read_bytes()
        assert content == (second / relative).read_bytes(), f"{relative} differs between synths"
        text = content.decode()
        for machine_path in (str(REPO), str(tmp_path), str(Path.home())):
            assert machine_path not in text, f"{relative} contains {machine_path}"
        for value in secrets.values():
            assert value not in text, f"{relative} contains a secret"


def test_main_runs_on_the_project_node_without_end_of_life_banners(tmp_path: Path) -> None:
    # As a user would run it: no node_modules/.bin on PATH, no JSII_NODE.
    node_bin = str(REPO / "node_modules" / ".bin")
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != node_bin)
    env = {k: v for k, v in os.environ.items() if k != "JSII_NODE"} | {"PATH": path}
    result = _synth_main_process(tmp_path / "out", env)
    output = (result.stdout + result.stderr).lower()
    assert "end-of-life" not in output
    assert "unsupported" not in output
    assert (tmp_path / "out" / "stacks" / "live" / "cdk.tf.json").exists()
