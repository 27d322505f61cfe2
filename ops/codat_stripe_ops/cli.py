"""`codat-stripe`: review, deploy, promote and watch the Codat Stripe stacks.

Every subcommand exits 0 (clean / success), 2 (changes, drift, refused promotion, failed
verification) or 1 (error), so that CI can tell "something to look at" from "broken".
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from codat_stripe_ops.plan_changes import PlanFormatError
from codat_stripe_ops.stack_runner import DEPLOY_PLAN, REVIEW_PLAN, StackRunError, StackRunner
from codat_stripe_ops.toolchain import CommandFailedError, ToolchainMissingError

OK, ERROR, ATTENTION = 0, 1, 2
PROG = "codat-stripe"

EXIT_CODES = """exit codes:
  0  {ok}
  2  {attention}
  1  {error}"""
ERROR_MEANING = "error (bad input, missing secret, terraform or Codat failure): message on stderr"

RUNTIME_ERRORS: tuple[type[Exception], ...] = (
    StackRunError,
    PlanFormatError,
    CommandFailedError,
    ToolchainMissingError,
    OSError,
)


class LocalStateRefusedError(StackRunError):
    """CI was asked to use a stack whose state is a local file."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; returns its exit code (0, 2 or 1)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(include_verify="verify" in arguments)
    args = parser.parse_args(arguments)
    if not hasattr(args, "handler"):
        parser.print_help(sys.stderr)
        return ERROR
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


def build_parser(include_verify: bool = True) -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EXIT_CODES.format(
            ok="clean / success",
            attention="changes, drift, refused promotion or failed verification",
            error=ERROR_MEANING,
        )
        + "\n\nCI calls these subcommands directly; `make` targets wrap some of them.",
    )
    commands = parser.add_subparsers(title="subcommands", metavar="COMMAND")
    _plan_parser(commands)
    _drift_parser(commands)
    _promote_parser(commands)
    _deploy_parser(commands)
    _verify_parser(commands, include_verify)
    _export_parser(commands)
    _demo_parser(commands)
    _comment_parser(commands)
    return parser


def _subparser(
    commands: Any,
    name: str,
    summary: str,
    description: str,
    ok: str,
    attention: str | None,
    error: str = ERROR_MEANING,
) -> argparse.ArgumentParser:
    """A subcommand whose help ends with its exit codes (0 `ok`, 2 `attention`, 1 `error`)."""
    codes = EXIT_CODES.format(ok=ok, attention=attention or "(not used)", error=error)
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog=codes,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def _runner_arguments(parser: argparse.ArgumentParser, *, local_state: bool = True) -> None:
    StackRunner.add_arguments(parser)
    if local_state:
        parser.add_argument(
            "--allow-local-state",
            action="store_true",
            help="with CI=true, accept stacks whose state is a local file (refused otherwise: "
            "a CI runner's local state is thrown away with the runner)",
        )


def _format_arguments(parser: argparse.ArgumentParser, human: str) -> None:
    parser.add_argument(
        "--format",
        choices=(human, "json"),
        default=human,
        help=f"{human} for people (default) or json for bots (one JSON document on stdout)",
    )
    parser.add_argument(
        "--output", type=Path, help="write the report to this file instead of stdout"
    )


# --- plan ------------------------------------------------------------------------------------


def _plan_parser(commands: Any) -> None:
    parser = _subparser(
        commands,
        "plan",
        "review summary of every stack's plan (Markdown or JSON)",
        "Synthesize the app, save a plan of each stack (review.tfplan in its directory) and\n"
        "summarize it in Codat terms: every resource change (unknown ones by address), the\n"
        "plan line as Terraform prints it, risk banners, drift and what to do about it.\n"
        "Needs each stack's TF_VAR_* secrets and access to its state.\n\n"
        "  codat-stripe plan\n"
        "  codat-stripe plan --stack live --format json --output plan-live.json\n"
        "  codat-stripe plan --plan-json test=plan.json   # summarize `terraform show -json`\n"
        "  codat-stripe plan --stack live --out-dir plans  # plans/live.tfplan, for\n"
        "                                                  # `deploy live --plan-file`",
        ok="no stack changes and none drifted",
        attention="a stack changes or drifted (the summary lists what)",
    )
    _runner_arguments(parser)
    _format_arguments(parser, "markdown")
    parser.add_argument(
        "--plan-json",
        action="append",
        default=[],
        metavar="STACK=FILE",
        help="summarize this saved plan's `terraform show -json` output instead of planning",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        metavar="DIR",
        help="also copy each stack's saved plan to DIR/<stack>.tfplan, the file "
        "`deploy STACK --plan-file` applies after review (e.g. a CI artifact)",
    )
    parser.set_defaults(handler=run_plan)


def run_plan(args: argparse.Namespace) -> int:
    """`plan`: summarize every stack's saved plan."""
    from codat_stripe_ops import plan_summary

    if args.plan_json and args.out_dir:
        refused = ValueError("--out-dir saves new plans; not with --plan-json")
        return _fail(args, "plan", refused)
    try:
        if args.plan_json:
            plans = [plan_summary.from_file(spec) for spec in args.plan_json]
        else:
            runner = StackRunner.from_arguments(args)
            stacks = runner.stacks(args.stack)
            refuse_local_state(runner, stacks, args.allow_local_state)
            plans = plan_summary.summarize_stacks(runner, stacks)
            if args.out_dir:
                save_plan_files(runner, stacks, args.out_dir)
    except RUNTIME_ERRORS as error:
        return _fail(args, "plan", error)
    code = ATTENTION if any(not plan.is_empty for plan in plans) else OK
    if args.format == "json":
        stacks_json = plan_summary.to_json(plans)
        _emit(args, _envelope("plan", code, args, stacks=stacks_json))
    else:
        _emit(args, plan_summary.render(plans))
    return code


def save_plan_files(runner: StackRunner, stacks: Sequence[str], out_dir: Path) -> None:
    """Copy each stack's saved review plan to `out_dir/<stack>.tfplan`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for stack in stacks:
        shutil.copyfile(runner.project.stack_dir(stack) / REVIEW_PLAN, out_dir / f"{stack}.tfplan")


# --- drift -----------------------------------------------------------------------------------


def _drift_parser(commands: Any) -> None:
    parser = _subparser(
        commands,
        "drift",
        "report settings changed in Codat outside the code",
        "Refresh-only saved plan of each stack (drift.tfplan): every setting changed in Codat\n"
        "since the last deploy, in Codat terms, and what to do about each kind. Changes\n"
        "nothing. Needs each stack's TF_VAR_* secrets and access to its state.",
        ok="no drift in any stack",
        attention="drift: each changed setting is listed",
    )
    _runner_arguments(parser)
    _format_arguments(parser, "text")
    parser.set_defaults(handler=run_drift)


def run_drift(args: argparse.Namespace) -> int:
    """`drift`: refresh-only plans, reported."""
    from codat_stripe_ops import drift

    try:
        runner = StackRunner.from_arguments(args)
        stacks = runner.stacks(args.stack)
        refuse_local_state(runner, stacks, args.allow_local_state)
        plans = drift.detect(runner, stacks)
    except RUNTIME_ERRORS as error:
        return _fail(args, "drift", error)
    code = drift.exit_code(plans)
    if args.format == "json":
        _emit(args, _envelope("drift", code, args, stacks=drift.drift_json(plans)))
    else:
        _emit(args, drift.report(plans))
    return code


# --- promote-check ---------------------------------------------------------------------------


def _promote_parser(commands: Any) -> None:
    parser = _subparser(
        commands,
        "promote-check",
        "refuse a live deploy that is not what test ran",
        "1. The synthesized source (test-mode) and target (live-mode) stacks may differ only\n"
        "   in the allow-list (client ID, Codat instance, variables, backend, credentials\n"
        "   revision, ...); other differences are listed.\n"
        "2. Unless --synth-only: the shared parameters recorded in the source stack's\n"
        "   DEPLOYED state must equal the target's; differing SharedParameters fields are\n"
        "   named. Run it right before deploying live.",
        ok="promotable",
        attention="refused: the reasons are listed",
    )
    _runner_arguments(parser)
    _format_arguments(parser, "text")
    parser.add_argument("--from", dest="source", default="test", help="source stack (test)")
    parser.add_argument("--to", dest="target", default="live", help="target stack (live)")
    parser.add_argument(
        "--synth-only",
        action="store_true",
        help="compare the synthesized stacks only, not the source's deployed state "
        "(pull requests: test has not deployed the change yet)",
    )
    parser.add_argument(
        "--expect-sha256",
        metavar="HEX",
        help="also refuse unless the source's deployed shared_parameters_sha256 is this "
        "(the value the test deploy of the same workflow run reported)",
    )
    parser.set_defaults(handler=run_promote_check)


def run_promote_check(args: argparse.Namespace) -> int:
    """`promote-check`: static and deployed comparison."""
    from codat_stripe_ops import promotion

    try:
        runner = StackRunner.from_arguments(args)
        runner.stacks([args.source, args.target])
        if not args.synth_only:
            refuse_local_state(runner, [args.source], args.allow_local_state)
        result = promotion.check(
            runner,
            args.source,
            args.target,
            deployed=not args.synth_only,
            expect_sha256=args.expect_sha256,
        )
    except RUNTIME_ERRORS as error:
        return _fail(args, "promote-check", error)
    code = ATTENTION if result.refused else OK
    if args.format == "json":
        _emit(args, _envelope("promote-check", code, args, promotion=result.to_json()))
    else:
        _emit(args, result.report())
    return code


# --- deploy ----------------------------------------------------------------------------------


CONFIRMATION = "Only 'yes' is accepted"


def _deploy_parser(commands: Any) -> None:
    parser = _subparser(
        commands,
        "deploy",
        "show the stacks' plans, then apply exactly those saved plans",
        (
            "Synthesize, save a plan of each STACK (deploy.tfplan) and show its summary (risk\n"
            "banners included) on stdout and in --summary-file, BEFORE anything is applied.\n"
            "Then:\n"
            "  - no changes: nothing is applied;\n"
            "  - --auto-approve: exactly the saved plans shown are applied;\n"
            "  - on a terminal: asks once for the stacks shown; only 'yes' applies;\n"
            "  - otherwise: refused before any write (pass --auto-approve).\n"
            "Several stacks are planned, and then applied, in parallel; a stack that depends\n"
            "on another is planned and shown only after that one was applied.\n"
            "--plan-file (one STACK) applies a plan saved and reviewed earlier (`plan\n"
            "--out-dir`) instead of planning again; a plan made before the state changed is\n"
            "refused as stale.\n"
            "With CI=true a stack whose state is a local file is refused (--allow-local-state).\n"
            "Prints the deployed shared_parameters_sha256 when the stack records it\n"
            "(`STACK: shared_parameters_sha256=...` when several stacks are deployed).\n\n"
            "  codat-stripe deploy test\n"
            "  codat-stripe deploy test live\n"
            "  codat-stripe deploy live --plan-file plans/live.tfplan --auto-approve"
        ),
        ok="deployed, or nothing to deploy (the plans have no changes)",
        attention=None,
        error="nothing applied: cancelled at the prompt, refused without a terminal and "
        "without\n     --auto-approve, a stale or mismatched --plan-file, or an error "
        "(message on stderr;\n     with several stacks, the stacks applied before a failure "
        "are named)",
    )
    _runner_arguments(parser)
    parser.add_argument("target_stacks", metavar="STACK", nargs="+", help="the stack(s) to deploy")
    parser.add_argument(
        "--summary-file", type=Path, help="append the Markdown summary of the plan to this file"
    )
    parser.add_argument(
        "--auto-approve",
        action="store_true",
        help="apply the plans shown without asking (CI, after a reviewed plan)",
    )
    parser.add_argument(
        "--plan-file",
        type=Path,
        metavar="PATH",
        help="apply this saved plan of STACK (from `plan --out-dir`) instead of planning",
    )
    parser.set_defaults(handler=run_deploy)


def run_deploy(args: argparse.Namespace) -> int:
    """`deploy STACK...`: show each saved plan's summary, confirm, apply exactly those plans."""
    targets = args.target_stacks = list(dict.fromkeys(args.target_stacks))
    if args.stack and args.stack != targets:
        print(f"{PROG} deploy: give the stacks as STACK arguments (not --stack)", file=sys.stderr)
        return ERROR
    plan_file: Path | str = DEPLOY_PLAN
    if args.plan_file is not None:
        if len(targets) != 1:
            print(f"{PROG} deploy: --plan-file applies the plan of one STACK", file=sys.stderr)
            return ERROR
        plan_file = Path(args.plan_file).resolve()
        if not plan_file.is_file():
            print(f"{PROG} deploy: --plan-file {args.plan_file}: no such file", file=sys.stderr)
            return ERROR
    try:
        runner = StackRunner.from_arguments(args)
        stacks = runner.stacks(targets)
        refuse_local_state(runner, stacks, args.allow_local_state)
        waves = runner.waves(stacks)
    except RUNTIME_ERRORS as error:
        return _fail(args, "deploy", error)
    applied: list[str] = []
    for wave in waves:
        code = _deploy_wave(args, runner, wave, plan_file, applied)
        if code != OK:
            if applied:
                print(
                    f"{PROG} deploy: the plans of these stacks were applied: "
                    f"{', '.join(applied)}; nothing else was applied",
                    file=sys.stderr,
                )
            return code
    return OK


def _deploy_wave(
    args: argparse.Namespace,
    runner: StackRunner,
    stacks: Sequence[str],
    plan_file: Path | str,
    applied: list[str],
) -> int:
    """Plan (or read the --plan-file of) these stacks, show each, confirm, apply them."""
    from codat_stripe_ops import plan_summary
    from codat_stripe_ops.plan_changes import parse_plan
    from codat_stripe_ops.saved_plans import check_plan_is_for, planned_output
    from codat_stripe_ops.stack_runner import StacksFailedError

    try:
        if args.plan_file is not None:
            (stack,) = stacks
            shown = {stack: runner.show_saved_plan(stack, plan_file)}
            check_plan_is_for(runner, stack, shown[stack], args.plan_file)
        elif len(stacks) == 1:  # its own errors as they are, not wrapped per stack
            shown = {stacks[0]: runner.plan_for_deploy(stacks[0])}
        else:
            shown = runner.plans_for_deploy(stacks)
        plans = {stack: parse_plan(stack, shown[stack]) for stack in stacks}
    except RUNTIME_ERRORS as error:
        return _fail(args, "deploy", error)
    for stack in stacks:
        title = f"# Plan of stack `{stack}` (deploy)"
        markdown = plan_summary.render([plans[stack]]).replace(plan_summary.TITLE, title, 1)
        sys.stdout.write(markdown)
        if args.summary_file:
            with args.summary_file.open("a") as summary:
                summary.write(markdown)
    digests = {s: planned_output(shown[s], "shared_parameters_sha256") for s in stacks}
    changing = [stack for stack in stacks if plans[stack].needs_apply]
    for stack in stacks:
        if stack not in changing:
            print(f"\nNo changes: nothing to apply to stack {stack}.")
            _print_digest(stack, digests[stack], several=len(args.target_stacks) > 1)
    if not changing:
        return OK
    if not args.auto_approve:
        refusal = confirm(changing, args.plan_file)
        if refusal:
            print(f"{PROG} deploy: {refusal}", file=sys.stderr)
            return ERROR
    try:
        if len(changing) == 1:  # keeps StalePlanError's message for `--plan-file`
            runner.apply_saved_plan(changing[0], plan_file)
        else:
            runner.apply_saved_plans(changing, str(plan_file))
    except StacksFailedError as failed:
        applied += [stack for stack in changing if stack in failed.results]
        _report_applied(args, [s for s in changing if s in failed.results], digests)
        return _fail(args, "deploy", failed)
    except RUNTIME_ERRORS as error:
        return _fail(args, "deploy", error)
    applied += changing
    _report_applied(args, changing, digests)
    return OK


def _report_applied(
    args: argparse.Namespace, stacks: Sequence[str], digests: Mapping[str, str | None]
) -> None:
    for stack in stacks:
        print(f"\nApplied the plan shown above to stack {stack}.")
        _print_digest(stack, digests[stack], several=len(args.target_stacks) > 1)


def _print_digest(stack: str, digest: str | None, *, several: bool) -> None:
    """The deployed shared parameters' digest (CI reads it); named by stack when several."""
    if digest:
        named = f"{stack}: " if several else ""
        print(f"{named}shared_parameters_sha256={digest}")


def confirm(stacks: Sequence[str], plan_file: Path | None = None) -> str | None:
    """Ask on the terminal; None when the answer is 'yes', else why nothing is applied.

    One question for all the stacks shown.

    Without a terminal only `--auto-approve` applies (a `--plan-file` is asked about too),
    so that is the one thing the refusal suggests.
    """
    names = ", ".join(stacks)
    stack = f"stack {names}" if len(stacks) == 1 else f"stacks {names}"
    if not sys.stdin.isatty():
        again = (
            f"run the same command again with --auto-approve added (without a terminal, "
            f"--plan-file {plan_file} is applied only with --auto-approve)"
            if plan_file is not None
            else "run again with --auto-approve"
        )
        return (
            f"refusing to apply to {stack} without confirmation: stdin is not a terminal. "
            f"Review the summary above, then {again}. Nothing was applied."
        )
    sys.stdout.flush()
    sys.stderr.write(f"\nApply these changes to {names}? {CONFIRMATION}.\n  Enter a value: ")
    sys.stderr.flush()
    answer = sys.stdin.readline()
    if answer.strip() != "yes":
        return f"apply cancelled (answer was not 'yes'): nothing was applied to {stack}."
    return None


# --- verify (owned by the verify module) -----------------------------------------------------


def _verify_parser(commands: Any, include: bool) -> None:
    summary = "check the deployed integrations against Codat (and Stripe)"
    if include:
        try:
            from codat_stripe_ops.verify import command
        except ImportError as missing:
            reason = str(missing)
            parser = _subparser(commands, "verify", summary, summary, "verified", "failed")
            parser.set_defaults(handler=lambda _args: _unavailable(reason))
            return
        parser = _subparser(
            commands,
            "verify",
            summary,
            (command.__doc__ or summary).strip(),
            ok="verified",
            attention="verification failed",
        )
        command.add_arguments(parser)
        parser.set_defaults(handler=command.run)
        return
    commands.add_parser("verify", help=summary, add_help=False)


def _unavailable(reason: str) -> int:
    print(f"{PROG} verify: not available in this installation: {reason}", file=sys.stderr)
    return ERROR


# --- export-hcl, demo ------------------------------------------------------------------------


def _export_parser(commands: Any) -> None:
    parser = _subparser(
        commands,
        "export-hcl",
        "render every stack as HCL (cdk.tf + stack-blocks.tf.json)",
        "`cdktn synth --hcl` into cdktf.out/stacks/<stack>/cdk.tf, plus the check and import\n"
        "blocks its renderer drops, as stack-blocks.tf.json beside it: complete Terraform.",
        ok="exported",
        attention=None,
    )
    _runner_arguments(parser, local_state=False)
    parser.set_defaults(handler=run_export_hcl)


def run_export_hcl(args: argparse.Namespace) -> int:
    """`export-hcl`."""
    from codat_stripe_ops.hcl_export import EXTRA_FILE, export_hcl

    try:
        stacks = export_hcl(StackRunner.from_arguments(args).project)
    except RUNTIME_ERRORS as error:
        return _fail(args, "export-hcl", error)
    for stack, directory in stacks.items():
        extra = f" + {EXTRA_FILE}" if (directory / EXTRA_FILE).exists() else ""
        print(f"{stack}: {directory / 'cdk.tf'}{extra}")
    return OK


def _demo_parser(commands: Any) -> None:
    from codat_stripe_ops import demo

    parser = _subparser(
        commands,
        "demo",
        "deploy test and live to the embedded Codat emulator and show the result",
        (demo.__doc__ or "").strip(),
        ok="the demo ran to the end",
        attention=None,
    )
    demo.add_arguments(parser)
    parser.set_defaults(handler=lambda args: demo.run(args.codat_base_url, args.work_dir))


# --- pr-comment ------------------------------------------------------------------------------


def _comment_parser(commands: Any) -> None:
    parser = _subparser(
        commands,
        "pr-comment",
        "the sticky pull-request comment from `plan --format json` results",
        "Combine each stack's `plan --format json` result into the pull request's comment:\n"
        "a hidden marker (to find and edit it on the next push), the commit and a link to\n"
        "the run, failures (a stack without a result counts as failed) and every stack.",
        ok="comment written",
        attention=None,
    )
    parser.add_argument(
        "--result", action="append", default=[], type=Path, help="a plan result file (repeatable)"
    )
    parser.add_argument(
        "--expect",
        action="append",
        default=[],
        metavar="STACK",
        help="a stack that must have a result (repeatable)",
    )
    parser.add_argument("--sha", required=True, help="the commit the plans are of")
    parser.add_argument("--run-url", required=True, help="link to the workflow run")
    parser.add_argument("--output", type=Path, help="write here instead of stdout")
    parser.set_defaults(handler=run_pr_comment)


def run_pr_comment(args: argparse.Namespace) -> int:
    """`pr-comment`: render the sticky comment."""
    from codat_stripe_ops import plan_summary

    results: list[Mapping[str, Any]] = []
    for path in args.result:
        try:
            results.append(json.loads(Path(path).read_text()))
        except (OSError, ValueError) as error:
            results.append({"exit_code": ERROR, "requested": [], "error": f"{path}: {error}"})
    body = plan_summary.render_comment(results, args.expect, args.sha, args.run_url)
    _emit(args, body)
    return OK


# --- shared helpers --------------------------------------------------------------------------


def refuse_local_state(runner: StackRunner, stacks: Sequence[str], allowed: bool) -> None:
    """With CI=true, refuse stacks whose synthesized backend is a local file."""
    if allowed or os.environ.get("CI", "").lower() != "true":
        return
    local = [stack for stack in stacks if backend_of(runner, stack) == "local"]
    if local:
        names = ", ".join(repr(s) for s in local)
        raise LocalStateRefusedError(
            f"stack(s) {names} keep their state in a local file, which a CI runner throws "
            "away (every plan would create everything, drift would always pass): give them a "
            "shared backend (S3State, HcpTerraformState or PostgresState in main.py), or pass "
            "--allow-local-state"
        )


def backend_of(runner: StackRunner, stack: str) -> str:
    """The backend type of a synthesized stack (`local` when none is declared)."""
    terraform = runner.stack_document(stack).get("terraform", {})
    if terraform.get("cloud"):
        return "cloud"
    backends = list(terraform.get("backend", {}))
    return backends[0] if backends else "local"


def _envelope(command: str, code: int, args: argparse.Namespace, **body: Any) -> dict[str, Any]:
    status = {OK: "clean", ATTENTION: "attention", ERROR: "error"}[code]
    return {
        "command": command,
        "exit_code": code,
        "status": status,
        "requested": list(getattr(args, "stack", []) or []),
        **body,
    }


def _emit(args: argparse.Namespace, document: str | Mapping[str, Any]) -> None:
    text = document if isinstance(document, str) else json.dumps(document, indent=2) + "\n"
    if getattr(args, "output", None):
        args.output.write_text(text)
    else:
        sys.stdout.write(text)


def _fail(args: argparse.Namespace, command: str, error: Exception) -> int:
    print(f"{PROG} {command}: {error}", file=sys.stderr)
    if getattr(args, "format", None) == "json":
        _emit(args, _envelope(command, ERROR, args, error=str(error), stacks=[]))
    return ERROR


if __name__ == "__main__":
    sys.exit(main())
