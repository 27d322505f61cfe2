"""The synth cache skips the app only when its inputs are provably unchanged.

A wrong skip would plan and deploy configuration the code no longer says, so every kind of
input the cache claims to watch is changed here once and must make the app run again: the
app script, a module it imports, a directory on its import path, an environment variable
it can read, and the synthesized output itself. The apps are real CDK apps run the way
`codat-stripe` runs them (the app command from cdktf.json, with the trace hook), each
writing one output whose value says which inputs it saw.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from codat_stripe_ops.synth_cache import RECORD, synthesize_cached, wait_for_record
from codat_stripe_ops.toolchain import CdkProject

APP = """\
import os

import codat_stripe  # sets up Node for jsii before the CDK is imported
from cdk_settings import GREETING
from codat_stripe import App, TerraformStack
from codat_stripe._cdk import TerraformOutput

app = App()
stack = TerraformStack(app, "cached")
TerraformOutput(stack, "seen", value=f"{GREETING}/{os.environ.get('APP_SETTING', '-')}")
app.synth()
"""


@pytest.fixture
def project(cdk_project: Callable[[Path], CdkProject], tmp_path: Path) -> CdkProject:
    """A project whose app imports `cdk_settings` from the app's own directory."""
    app_dir = tmp_path / "app"
    app_dir.mkdir()
    (app_dir / "app.py").write_text(APP)
    (app_dir / "cdk_settings.py").write_text('GREETING = "hello"\n')
    return cdk_project(app_dir / "app.py")


def synth(project: CdkProject, **env: str) -> bool:
    """Synthesize through the cache; True when the app ran."""
    ran, stacks = synthesize_cached(project.directory, {**project.env, **env})
    assert sorted(stacks) == ["cached"]
    return ran


def seen(project: CdkProject) -> str:
    document = json.loads((project.stack_dir("cached") / "cdk.tf.json").read_text())
    value: str = document["output"]["seen"]["value"]
    return value


def test_unchanged_inputs_skip_the_app_and_keep_its_output(project: CdkProject) -> None:
    manifest = project.directory / "cdktf.out" / "manifest.json"
    assert synth(project) is True
    written = manifest.stat().st_mtime_ns
    assert synth(project) is False
    assert manifest.stat().st_mtime_ns == written
    assert seen(project) == "hello/-"


def test_an_edited_module_the_app_imports_runs_it_again(project: CdkProject) -> None:
    assert synth(project) is True
    (Path(project.app_script).parent / "cdk_settings.py").write_text('GREETING = "bonjour"\n')
    assert synth(project) is True
    assert seen(project) == "bonjour/-"


def test_an_edited_app_script_runs_it_again(project: CdkProject) -> None:
    assert synth(project) is True
    app = Path(project.app_script)
    app.write_text(app.read_text() + "# edited: even a comment is a new input\n")
    assert synth(project) is True


def test_a_module_that_would_shadow_an_import_runs_it_again(project: CdkProject) -> None:
    """A new file in a directory the import system searched can change what is imported."""
    assert synth(project) is True
    (Path(project.app_script).parent / "unrelated_new_module.py").write_text("X = 1\n")
    assert synth(project) is True


def test_an_environment_variable_the_app_sees_runs_it_again(project: CdkProject) -> None:
    assert synth(project, APP_SETTING="one") is True
    assert synth(project, APP_SETTING="one") is False
    assert synth(project, APP_SETTING="two") is True
    assert seen(project) == "hello/two"


def test_secrets_the_app_never_sees_do_not_run_it_again(project: CdkProject) -> None:
    """TF_VAR_* is withheld from the app (as `cdktn` does), so it cannot change the output."""
    assert synth(project, TF_VAR_codat_api_key_test="fake-key-1") is True
    assert synth(project, TF_VAR_codat_api_key_test="fake-key-2") is False


def test_a_hand_edited_output_is_not_trusted(project: CdkProject) -> None:
    assert synth(project) is True
    document = project.stack_dir("cached") / "cdk.tf.json"
    document.write_text(document.read_text().replace("hello/-", "tampered"))
    assert synth(project) is True
    assert seen(project) == "hello/-"


@pytest.mark.parametrize("record", ["missing", "corrupt"])
def test_without_a_readable_record_the_app_runs(project: CdkProject, record: str) -> None:
    assert synth(project) is True
    wait_for_record()
    path = project.directory / "cdktf.out" / RECORD
    if record == "missing":
        path.unlink()
    else:
        path.write_text("{not json")
    assert synth(project) is True
    assert synth(project) is False  # the run wrote a new record


def test_a_failing_app_leaves_no_record_to_hit(project: CdkProject) -> None:
    from codat_stripe_ops.synth import SynthError

    assert synth(project) is True
    settings = Path(project.app_script).parent / "cdk_settings.py"
    settings.write_text("raise RuntimeError('broken on purpose')\n")
    with pytest.raises(SynthError, match="broken on purpose"):
        synth(project)
    assert not (project.directory / "cdktf.out" / RECORD).exists()
    settings.write_text('GREETING = "hello"\n')
    assert synth(project) is True


def test_the_trace_names_what_the_app_read(project: CdkProject) -> None:
    """The record lists the app, its imported module and the CDK's own files it opened."""
    assert synth(project) is True
    wait_for_record()
    trace = json.loads((project.directory / "cdktf.out" / RECORD).read_text())["trace"]
    app_dir = os.path.realpath(Path(project.app_script).parent)
    assert os.path.join(app_dir, "app.py") in trace["files"]
    assert any(f.startswith(os.path.join(app_dir, "cdk_settings")) for f in trace["files"])
    assert any("/cdktn/" in f or "/cdktf/" in f for f in trace["files"])
    assert app_dir in trace["dirs"]


def test_the_record_is_written_before_the_process_exits(
    project: CdkProject, tmp_path: Path
) -> None:
    """The record is hashed on a thread; a command that exits right after still leaves it."""
    import subprocess
    import sys

    script = tmp_path / "synth_once.py"
    script.write_text(
        "import sys\n"
        "from pathlib import Path\n"
        "from codat_stripe_ops.synth_cache import synthesize_cached\n"
        "synthesize_cached(Path(sys.argv[1]), dict(__import__('os').environ))\n"
    )
    subprocess.run(
        [sys.executable, str(script), str(project.directory)], env=project.env, check=True
    )
    assert (project.directory / "cdktf.out" / RECORD).is_file()
    assert synth(project) is False


def test_a_file_changed_after_the_app_read_it_is_never_recorded(tmp_path: Path) -> None:
    """The record is written only if every input is as it was when the app first read it."""
    import time

    from codat_stripe_ops.synth_cache import signature, unchanged_since_read

    read_before_start = tmp_path / "settings.py"
    read_before_start.write_text("A = 1\n")
    time.sleep(0.05)  # the filesystem clock is coarse: the marker must be strictly later
    marker = tmp_path / "app-starts"
    marker.touch()
    started = marker.stat().st_ctime_ns  # as synthesize_cached takes it
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    trace = {
        "files": [str(read_before_start)],
        "dirs": [str(scratch)],
        "stats": {str(read_before_start): signature(str(read_before_start))},
        "started_ns": started,
    }
    trace["stats"][str(scratch)] = signature(str(scratch))  # type: ignore[index]
    assert unchanged_since_read(trace)
    scratch.rmdir()  # the app's own temporary directory, gone after it exited
    assert unchanged_since_read(trace)
    read_before_start.write_text("A = 2\n")
    assert not unchanged_since_read(trace)
    read_before_start.unlink()  # an input deleted after it was read
    assert not unchanged_since_read(trace)
    assert not unchanged_since_read({k: v for k, v in trace.items() if k != "stats"})


def test_the_cli_skips_the_app_of_an_unchanged_project_and_runs_an_edited_one(
    cdk_project: Callable[[Path], CdkProject], tmp_path: Path
) -> None:
    """`codat-stripe` commands go through the cache; `--no-synth-cache` always runs the app."""
    from e2e_support import run_codat_stripe

    app_dir = tmp_path / "app"
    app_dir.mkdir()
    main = Path(__file__).resolve().parents[1] / "main.py"
    (app_dir / "main.py").write_text(main.read_text())
    project = cdk_project(app_dir / "main.py")
    project.env.update(
        CODAT_BASE_URL_TEST="http://127.0.0.1:9",  # nothing is contacted: synth only
        CODAT_BASE_URL_LIVE="http://127.0.0.1:9",
        PYTHONPATH=os.pathsep.join(
            p for p in (str(main.parent), project.env.get("PYTHONPATH")) if p
        ),
    )
    manifest = project.directory / "cdktf.out" / "manifest.json"

    def promote_check(*args: str) -> int:
        result = run_codat_stripe(project, "promote-check", "--synth-only", *args)
        assert result.returncode == 0, result.stderr
        return manifest.stat().st_mtime_ns

    first = promote_check()
    assert promote_check() == first  # unchanged: the app did not run
    assert promote_check("--no-synth-cache") != first
    written = manifest.stat().st_mtime_ns
    app = app_dir / "main.py"
    app.write_text(app.read_text().replace("sync_schedule_hours=24", "sync_schedule_hours=12"))
    assert promote_check() != written
    synthesized = (project.stack_dir("live") / "cdk.tf.json").read_text()
    assert '"syncSchedule": 12' in synthesized
    assert '"syncSchedule": 24' not in synthesized
