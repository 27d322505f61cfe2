#!/usr/bin/env python3
"""A recorded fake of the `gh` CLI for the workflow test: a tiny in-memory GitHub in a JSON file.

Every call is appended to $FAKE_GH_LOG (JSON lines: argv, the body it sent, whether a token
was set); answers come from $FAKE_GH_STATE (comments per pull request, issues), and `--jq`
filters run through the real `jq`, as gh would apply them.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

STATE = Path(os.environ["FAKE_GH_STATE"])
LOG = Path(os.environ["FAKE_GH_LOG"])


def option(args, name, default=None):
    return args[args.index(name) + 1] if name in args else default


def body_of(args):
    for index, arg in enumerate(args):
        if arg in ("-F", "-f", "--field", "--raw-field") and args[index + 1].startswith("body="):
            value = args[index + 1][len("body=") :]
            return Path(value[1:]).read_text() if value.startswith("@") else value
    if "--body-file" in args:
        return Path(option(args, "--body-file")).read_text()
    return option(args, "--comment") or option(args, "--body")


def answer(args, state):
    if args[0] == "api":
        method = option(args, "--method", "GET")
        path = next(a for a in args[1:] if a.startswith("repos/"))
        parts = path.split("/")
        if method == "GET" and parts[3:4] == ["issues"] and parts[-1] == "comments":
            return state["comments"].get(parts[4], [])
        if method == "POST" and parts[-1] == "comments":
            state["next_id"] += 1
            comment = {
                "id": state["next_id"],
                "user": {"login": "github-actions[bot]"},
                "body": body_of(args),
                "html_url": f"https://github.example/{path}#{state['next_id']}",
            }
            state["comments"].setdefault(parts[4], []).append(comment)
            return comment
        if method == "PATCH" and parts[3:5] == ["issues", "comments"]:
            for comments in state["comments"].values():
                for comment in comments:
                    if str(comment["id"]) == parts[5]:
                        comment["body"] = body_of(args)
                        return comment
        raise SystemExit(f"fake gh: no answer for {args}")
    if args[:2] == ["issue", "list"]:
        return [i for i in state["issues"] if i["state"] == option(args, "--state", "open")]
    if args[:2] == ["issue", "create"]:
        state["next_id"] += 1
        issue = {
            "number": state["next_id"],
            "title": option(args, "--title"),
            "body": body_of(args),
            "state": "open",
        }
        state["issues"].append(issue)
        return f"https://github.example/issues/{issue['number']}"
    if args[:2] in (["issue", "edit"], ["issue", "close"]):
        issue = next(i for i in state["issues"] if str(i["number"]) == args[2])
        if args[1] == "edit":
            issue["body"] = body_of(args)
        else:
            issue["state"] = "closed"
            issue.setdefault("comments", []).append(body_of(args))
        return f"https://github.example/issues/{issue['number']}"
    raise SystemExit(f"fake gh: no answer for {args}")


def main():
    args = sys.argv[1:]
    state = json.loads(STATE.read_text())
    with LOG.open("a") as log:
        entry = {"argv": args, "body": body_of(args), "token": bool(os.environ.get("GH_TOKEN"))}
        log.write(json.dumps(entry) + "\n")
    result = answer(args, state)
    STATE.write_text(json.dumps(state))
    if isinstance(result, str):
        print(result)
        return
    jq = option(args, "--jq")
    text = json.dumps(result)
    if jq:
        text = subprocess.run(
            ["jq", "-r", jq], input=text, capture_output=True, text=True, check=True
        ).stdout
        sys.stdout.write(text)
    else:
        print(text)


main()
