"""The CI workflow's own `run:` steps, in order, against the emulator and a PostgreSQL backend.

Pull request (review, plan per stack, sticky comment), merge (deploy test, verify test, plan
live: promotion check, the summary in the job summary, the saved plan uploaded; then deploy
live applies that artifact, and nothing reached live before), a second push to the pull
request, a refused promotion, and the drift schedule (issue opened, updated, closed; a secret
changed in the Portal, which only verify sees, opens one too). GitHub itself is a recorded fake
`gh` whose requests are asserted.

Every job runs in its own fresh copy of the checkout (deploy live synthesizes and initialises
again and gets only the plan artifact from plan live) with the secrets of its environment:
the keys live in GitHub environments, not in repository secrets, and each job gets only its
own stack's keys.
"""

from __future__ import annotations

import inspect
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from workflow_runner import Environment, JobResult, WorkflowRunner, load

from codat_emulator.process import EmulatorProcess
from codat_stripe_ops.plan_summary import COMMENT_MARKER
from codat_stripe_ops.toolchain import REPO, toolchain_environ

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1800)]

WORKFLOW = REPO / ".github" / "workflows" / "codat-stripe.yml"
FAKE_GH = Path(__file__).parent / "fake_gh.py"
KEYS = {"test": "fake-codat-key-wf-test", "live": "fake-codat-key-wf-live"}
SECRETS = {
    "CODAT_API_KEY_TEST": KEYS["test"],
    "CODAT_API_KEY_LIVE": KEYS["live"],
    "STRIPE_SECRET_KEY_TEST": "sk_test_fakeWf1a",
    "STRIPE_SECRET_KEY_LIVE": "sk_live_fakeWf2b",
}
REPOSITORY = "acme/payments-iac"
PR = 7
MAIN = ("refs/heads/main",)


def _keys(stack: str) -> dict[str, str]:
    """One stack's keys (CODAT_API_KEY_<STACK>, STRIPE_SECRET_KEY_<STACK>), a fresh copy."""
    return {name: value for name, value in SECRETS.items() if name.endswith(stack.upper())}


def _tf_vars(job: JobResult) -> set[str]:
    return {name for name in job.env_names if name.startswith("TF_VAR_")}


def _own_tf_vars(stack: str) -> set[str]:
    return {f"TF_VAR_codat_api_key_{stack}", f"TF_VAR_stripe_secret_key_{stack}"}


# The checkout's main.py: the shipped main.py, with its stacks' state in PostgreSQL (what a
# team does before adopting the workflow) and the sync schedule of the "commit".
APP = """
import runpy
from dataclasses import replace

from codat_stripe import _cdk, build_stacks
from codat_stripe.backends import PostgresState

shipped = runpy.run_path({main!r}, run_name="shipped_main")
shared = replace(shipped["SHARED"], sync_schedule_hours={hours})
environments = [
    replace(env, state=PostgresState(schema_name="codat_stripe_" + env.name))
    for env in shipped["environments"]()
]
app = _cdk.App()  # looked up at run time: `verify` loads the app with its own App class
build_stacks(app, shared, environments)
app.synth()
"""


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[EmulatorProcess]:
    options: dict[str, Any] = {"request_log": tmp_path / "requests.jsonl", "enable_admin": True}
    keys = list(KEYS.values())
    if "clients" in inspect.signature(EmulatorProcess).parameters:
        # One Codat client (API key) per environment, as main.py's codat_instance says.
        options["clients"] = {"example-sandbox": KEYS["test"], "example-production": KEYS["live"]}
        keys = []
    with EmulatorProcess(tmp_path / "codat.db", keys, **options) as process:
        yield process


class Repository:
    """A checkout, the fake GitHub behind `gh`, and a runner per workflow run."""

    def __init__(self, tmp_path: Path, emulator: EmulatorProcess, conn_str: str) -> None:
        # The commit's files; every job runs in its own copy (a fresh runner).
        self.checkout = tmp_path / "checkout"
        self.checkout.mkdir()
        config = {"language": "python", "app": f"{sys.executable} main.py"}
        (self.checkout / "cdktf.json").write_text(json.dumps(config, indent=2) + "\n")
        self.bin = tmp_path / "bin"
        self.bin.mkdir()
        (self.bin / "gh").symlink_to(FAKE_GH)
        self.gh_state = tmp_path / "github.json"
        self.gh_log = tmp_path / "gh.jsonl"
        self.gh_log.touch()
        self.gh_state.write_text(
            json.dumps(
                {
                    "next_id": 100,
                    # Someone else's comment quoting the marker, and our bot's other comment:
                    # neither may be edited.
                    "comments": {
                        str(PR): [
                            {"id": 1, "user": {"login": "other-bot[bot]"}, "body": COMMENT_MARKER},
                            {"id": 2, "user": {"login": "github-actions[bot]"}, "body": "hello"},
                        ]
                    },
                    "issues": [],
                }
            )
        )
        env = toolchain_environ()
        for name in list(env):
            if name == "CI" or name.startswith(("GITHUB_", "TF_VAR_", "PG")):
                del env[name]
        env["PATH"] = f"{self.bin}:{REPO / '.venv' / 'bin'}:{env['PATH']}"
        env.update(
            FAKE_GH_STATE=str(self.gh_state),
            FAKE_GH_LOG=str(self.gh_log),
            CODAT_BASE_URL_TEST=emulator.base_url,
            CODAT_BASE_URL_LIVE=emulator.base_url,
        )
        self.env = env
        # Repository secrets: the backend's only. The keys are in the environments.
        self.secrets = {"PG_CONN_STR": conn_str}
        self.environments = {
            "pr-plan": Environment({**_keys("test"), **_keys("live")}),
            "test": Environment(_keys("test"), MAIN),
            "live-plan": Environment(_keys("live"), MAIN),
            "live": Environment(_keys("live"), MAIN, reviewers=True),
        }
        self.work = tmp_path / "runner"
        self.workflow = load(WORKFLOW)

    def commit(self, sha: str, sync_hours: int) -> None:
        (self.checkout / "main.py").write_text(
            APP.format(main=str(REPO / "main.py"), hours=sync_hours)
        )
        self.sha = sha

    def runner(self, event_name: str, **github: Any) -> WorkflowRunner:
        context = {
            "event_name": event_name,
            "repository": REPOSITORY,
            "server_url": "https://github.example",
            "run_id": f"run-{self.sha}-{event_name}",
            "sha": self.sha,
            "token": "fake-gh-token",
            **github,
        }
        return WorkflowRunner(
            self.workflow,
            self.checkout,
            self.work,
            self.env,
            context,
            self.secrets,
            self.environments,
        )

    def pull_request(self) -> WorkflowRunner:
        head = {"sha": self.sha, "repo": {"full_name": REPOSITORY}}
        event = {"pull_request": {"number": str(PR), "head": head}}
        return self.runner("pull_request", ref=f"refs/pull/{PR}/merge", event=event)

    def gh_calls(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.gh_log.read_text().splitlines()]

    def github(self) -> dict[str, Any]:
        return dict(json.loads(self.gh_state.read_text()))


def _ok(results: list[JobResult]) -> JobResult:
    for result in results:
        assert result.success, result.log()
    return results[0]


def _step(result: JobResult, prefix: str) -> Any:
    return next(s for s in result.steps if s.name.startswith(prefix))


def _run_pull_request(repo: Repository) -> dict[str, JobResult]:
    runner = repo.pull_request()
    assert runner.job_if("review", {})
    review = _ok(runner.run_job("review"))
    assert runner.job_if("plan", {"review": review})
    plans = runner.run_job("plan", {"review": review})
    for plan in plans:
        assert plan.success, plan.log()
        # Each matrix job has its own stack's keys only, from the pull requests' environment.
        assert plan.environment == "pr-plan"
        assert _tf_vars(plan) == _own_tf_vars(plan.matrix["stack"]), plan.env_names
    plan_job = JobResult("plan", {}, all(p.success for p in plans), {})
    needs = {"review": review, "plan": plan_job}
    assert runner.job_if("comment", needs)
    comment = _ok(runner.run_job("comment", needs))
    return {"review": review, "plan": plan_job, "comment": comment, "summary": runner}  # type: ignore[dict-item]


def test_pull_request_merge_and_drift_schedule_run_the_workflow_steps(
    tmp_path: Path, emulator: EmulatorProcess, shared_postgres: Any
) -> None:
    repo = Repository(tmp_path, emulator, shared_postgres.conn_str())
    jobs = repo.workflow["jobs"]
    # The live keys reach plan-live through `live-plan` (main only, no approval) and
    # deploy-live through `live` (the approval); a pull request branch can use neither.
    assert jobs["plan-live"]["environment"] == "live-plan"
    assert jobs["deploy-live"]["environment"] == "live"
    assert jobs["deploy-live"]["needs"] == ["deploy-test", "plan-live"]

    # --- Pull request, first push: nothing deployed yet, so every resource is created.
    repo.commit("aaaa111", sync_hours=24)
    first = _run_pull_request(repo)
    calls = repo.gh_calls()
    assert [c["argv"][:3] for c in calls] == [
        ["api", "--paginate", f"repos/{REPOSITORY}/issues/{PR}/comments"],
        ["api", "--method", "POST"],
    ]
    assert all(c["token"] for c in calls)
    body = calls[1]["body"]
    assert body.startswith(COMMENT_MARKER)
    assert (
        "Commit `aaaa111` · [workflow run](https://github.example/acme/payments-iac/actions/runs/run-aaaa111-pull_request)"
        in body
    )
    assert "## Stack `test`: Stripe Test" in body and "## Stack `live`: Stripe (" in body
    assert "to add" in body and "FAILED" not in body
    comments = repo.github()["comments"][str(PR)]
    assert [c["id"] for c in comments] == [1, 2, 101]
    summary = first["summary"].summaries  # type: ignore[attr-defined]
    assert (
        summary["comment"] == (tmp_path / "runner" / "runs" / "comment" / "comment.md").read_text()
    )
    for secret in SECRETS.values():
        assert secret not in body and secret not in json.dumps(calls)

    # --- Merge: deploy test (summary first), verify test, plan live, then deploy that plan.
    merge = repo.runner("push", ref="refs/heads/main")
    assert not merge.job_if("review", {}) and not merge.job_if("drift", {})
    assert merge.job_if("deploy-test", {})
    deploy_test = _ok(merge.run_job("deploy-test"))
    digest = deploy_test.outputs["shared-parameters-sha256"]
    assert len(digest) == 64, deploy_test.log()
    shown = _step(deploy_test, "Deploy test").output
    assert shown.index("# Plan of stack `test` (deploy)") < shown.index("Applied the plan shown")
    verify = _ok(merge.run_job("verify-test", {"deploy-test": deploy_test}))

    # The approval comes after the plan: plan-live runs in `live-plan`, deploy-live in `live`.
    needs = {"deploy-test": deploy_test, "verify-test": verify}
    assert merge.job_if("plan-live", needs)
    plan_live = _ok(merge.run_job("plan-live", needs))
    assert plan_live.environment == "live-plan" and _tf_vars(plan_live) == _own_tf_vars("live")
    assert "Promotion check passed" in _step(plan_live, "Promotion check").output
    assert plan_live.outputs["changes"] == "true", plan_live.log()
    reviewed = merge.summaries["plan-live"]
    assert "## Stack `live`: Stripe (platform key `exgd`)" in reviewed
    assert "LIVE stack" in reviewed and "| Stripe credentials | create |" in reviewed
    artifact = tmp_path / "runner" / "artifacts" / "deploy-plan-live"
    assert sorted(f.name for f in artifact.iterdir()) == ["live.md", "live.tfplan"]
    with httpx.Client(
        base_url=emulator.base_url, headers=emulator.auth_headers(KEYS["live"]), timeout=30
    ) as codat:
        # Planned, shown, not applied: live has no credentials before the approval.
        assert codat.get("/integrations/credentials/exgd").status_code == 404
        live_needs = {"deploy-test": deploy_test, "plan-live": plan_live}
        assert merge.job_if("deploy-live", live_needs)
        live = _ok(merge.run_job("deploy-live", live_needs))
        assert codat.get("/integrations/credentials/exgd").status_code == 200
    assert live.environment == "live" and _tf_vars(live) == _own_tf_vars("live")
    # A fresh runner: deploy-live synthesized and initialised its own copy of the checkout;
    # only the artifact came from plan-live (whose review.tfplan it never saw).
    assert live.checkout is not None and plan_live.checkout is not None
    assert live.checkout != plan_live.checkout
    assert (plan_live.checkout / "cdktf.out" / "stacks" / "live" / "review.tfplan").is_file()
    live_dir = live.checkout / "cdktf.out" / "stacks" / "live"
    assert (live_dir / ".terraform").is_dir() and not (live_dir / "review.tfplan").exists()
    applied = _step(live, "Deploy live").output
    assert applied.index("# Plan of stack `live` (deploy)") < applied.index(
        "Applied the plan shown above to stack live."
    )
    assert "| Stripe credentials | create |" in applied
    assert "Promotion check passed" in _step(live, "Promotion check again").output
    assert "# Plan of stack `live` (deploy)" in merge.summaries["deploy-live"]

    # A second merge with nothing new for live: no approval is asked, no deploy job runs.
    again = _ok(merge.run_job("plan-live", needs))
    assert again.outputs["changes"] == "false", again.log()
    assert not merge.job_if("deploy-live", {"deploy-test": deploy_test, "plan-live": again})

    # A pull request branch cannot reach the live keys of plan-live or deploy-live.
    for job in ("plan-live", "deploy-live"):
        (blocked,) = repo.pull_request().run_job(job, {})
        assert not blocked.success and blocked.steps == [], blocked
        assert f"not allowed to deploy to {jobs[job]['environment']}" in str(blocked.refused)

    # --- Second push to the pull request: the same comment is edited, with the new commit.
    repo.commit("bbbb222", sync_hours=12)
    _run_pull_request(repo)
    calls = repo.gh_calls()[2:]
    assert [c["argv"][:4] for c in calls] == [
        ["api", "--paginate", f"repos/{REPOSITORY}/issues/{PR}/comments", "--jq"],
        ["api", "--method", "PATCH", f"repos/{REPOSITORY}/issues/comments/101"],
    ]
    body = calls[1]["body"]
    assert "Commit `bbbb222`" in body and "aaaa111" not in body
    assert "all 11 commerce data types: sync schedule (hours) | `24` | `12` |" in body
    assert "LIVE stack" in body
    assert [c["id"] for c in repo.github()["comments"][str(PR)]] == [1, 2, 101]
    assert repo.github()["comments"][str(PR)][0]["body"] == COMMENT_MARKER

    # --- Live refuses what test has not deployed: the promotion check names the field, and
    # no live plan is made, so no deploy (or approval) follows.
    merge_b = repo.runner("push", ref="refs/heads/main")
    refused = merge_b.run_job("plan-live", {"deploy-test": deploy_test, "verify-test": verify})[0]
    assert not refused.success
    check = _step(refused, "Promotion check")
    assert check.exit_code == 2, refused.log()
    assert "sync_schedule_hours: test deployed 24, live has 12" in check.output
    assert _step(refused, "Save the live plan").skipped
    assert not merge_b.job_if("deploy-live", {"deploy-test": deploy_test, "plan-live": refused})

    # --- Drift schedule (back on the deployed commit): clean, drift, still drift, healed.
    repo.commit("aaaa111", sync_hours=24)
    schedule = repo.runner("schedule", ref="refs/heads/main")
    assert schedule.job_if("drift", {}) and not schedule.job_if("deploy-test", {})
    before = len(repo.gh_calls())
    for job in schedule.run_job("drift"):
        assert job.success, job.log()
        stack = job.matrix["stack"]
        assert job.environment == {"test": "test", "live": "live-plan"}[stack]
        assert _tf_vars(job) == _own_tf_vars(stack), job.env_names
    assert [c["argv"][:2] for c in repo.gh_calls()[before:]] == [["issue", "list"]] * 2

    with httpx.Client(
        base_url=emulator.base_url, headers=emulator.auth_headers(KEYS["live"]), timeout=30
    ) as codat:
        assert codat.put("/integrations/exgd/enabled", json={"enabled": False}).is_success
        for expected in ("create", "edit"):
            before = len(repo.gh_calls())
            drifted = _ok(schedule.run_job("drift"))
            del drifted
            calls = [c for c in repo.gh_calls()[before:] if c["argv"][1] != "list"]
            assert [c["argv"][:2] for c in calls] == [["issue", expected]], calls
            assert "<!-- codat-stripe-drift:live -->" in calls[0]["body"]
            assert (
                "integration enabled: enabled: last deployed yes, now in Codat no"
                in (calls[0]["body"])
            )
        (issue,) = repo.github()["issues"]
        assert issue["title"] == "Drift in Codat Stripe stack live" and issue["state"] == "open"

        assert codat.put("/integrations/exgd/enabled", json={"enabled": True}).is_success
        before = len(repo.gh_calls())
        _ok(schedule.run_job("drift"))
        calls = [c for c in repo.gh_calls()[before:] if c["argv"][1] != "list"]
        assert [c["argv"][:3] for c in calls] == [["issue", "close", str(issue["number"])]]
        assert repo.github()["issues"][0]["state"] == "closed"

        # A secret changed in the Portal: invisible to the plan (the secret is ephemeral), so
        # drift says "No drift"; verify sees another key's last four characters, and that is
        # drift too: an issue naming the failed check.
        stored = codat.get("/integrations/credentials/exgd").json()
        other = {k: v for k, v in stored.items() if k != "secretKey"}
        other_secret = "sk_live_fakeWfPortal7"
        changed = {**other, "secretKey": other_secret}
        assert codat.put("/integrations/credentials/exgd", json=changed).is_success
        before = len(repo.gh_calls())
        secret_changed = schedule.run_job("drift")
        live_job = next(r for r in secret_changed if r.matrix == {"stack": "live"})
        assert live_job.success, live_job.log()
        check = _step(live_job, "Drift check").output
        assert "No drift in stack live" in check, check
        assert "[FAIL] credentials-secret" in check, check
        calls = [c for c in repo.gh_calls()[before:] if c["argv"][1] != "list"]
        assert [c["argv"][:2] for c in calls] == [["issue", "create"]], calls
        body = calls[0]["body"]
        assert "<!-- codat-stripe-drift:live -->" in body
        assert "Failed verify checks: credentials-secret\n" in body, body
        assert "Codat holds another key" in body
        for secret in (other_secret, SECRETS["STRIPE_SECRET_KEY_LIVE"], KEYS["live"]):
            assert secret not in json.dumps(repo.gh_calls())
        test_job = next(r for r in secret_changed if r.matrix == {"stack": "test"})
        assert "[FAIL]" not in _step(test_job, "Drift check").output, test_job.log()
        assert [i["state"] for i in repo.github()["issues"]] == ["closed", "open"]

    # --- An error is not drift: a refused API key fails the job and touches no issue.
    repo.environments["live-plan"].secrets["CODAT_API_KEY_LIVE"] = "wrong-key"
    before = len(repo.gh_calls())
    broken = repo.runner("schedule", ref="refs/heads/main").run_job("drift")
    live_job = next(r for r in broken if r.matrix == {"stack": "live"})
    assert not live_job.success
    assert "an error, not drift" in _step(live_job, "Drift check").output
    assert _step(live_job, "Open, update or close").skipped
    assert not any(c["argv"][:2] != ["issue", "list"] for c in repo.gh_calls()[before:]), (
        repo.gh_calls()[before:]
    )
