"""Scores MailScope's conclusions on the randomized scenario families (scripts/scenario-families).

For every seed folder: runs `mailscope run` on it, reads report.json, and checks each planted
case against its ground truth: the incident is there; its recipients, interacted users and
hosts are exact; each person's stage is exact; the severity is the expected one (or within the
ceiling or floor a look-alike or a case with missing logs allows); the title does not say what
it may not; the actions a responder needs are there and the wrong ones are not; a benign
look-alike raises nothing at medium or above; the incident's graph (report.json
incidents[].graph) draws or counts every recipient, draws the people who went further at their
stage and their computers linked from them with something drawn on each, says "delivery unknown"
where the delivery logs are missing, and runs left to right. Prints a table per family and per
check, and exits 1 when any check fails.

  scripts/score-families --data /tmp/families [--mailscope .build/debug/mailscope]
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile

SEVERITIES = ["info", "low", "medium", "high", "critical"]


def run(mailscope, folder, work):
    """Night 1: everything in the seed folder; night 2 (when there is one): what arrived late,
    into the same database, as a nightly job would."""
    db, out = os.path.join(work, "case.db"), os.path.join(work, "out")
    skip = ("ground-truth.json", "identities.csv", "night2", "ti-feed.txt")
    nights = [[os.path.join(folder, n) for n in sorted(os.listdir(folder)) if n not in skip]]
    if os.path.isdir(os.path.join(folder, "night2")):
        nights.append([os.path.join(folder, "night2", n) for n in sorted(os.listdir(os.path.join(folder, "night2")))])
    for inputs in nights:
        cmd = [mailscope, "run", "--db", db, "--out", out, "--identities", os.path.join(folder, "identities.csv")]
        if os.path.exists(os.path.join(folder, "ti-feed.txt")):
            cmd += ["--ti", "partner=" + os.path.join(folder, "ti-feed.txt")]
        for i in inputs:
            cmd += ["--input", i]
        p = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
        if p.returncode not in (0, 3):
            sys.exit(f"score-families: mailscope run failed on {folder} (exit {p.returncode}):\n{p.stderr}")
    with open(os.path.join(out, "report.json")) as f:
        return json.load(f)


def incident_for(report, indicator):
    for inc in report["incidents"]:
        ind = inc["indicators"]
        if indicator in ind.get("sha256", []) or indicator in ind.get("domains", []) or indicator in ind.get("senders", []):
            return inc
    # A case on the administration logs (a console brute force): the address it came from.
    for inc in report["incidents"]:
        if any(a.get("source_ip") == indicator for a in inc.get("administration", [])):
            return inc
    return None


def accounts_of(inc):
    return {a["account"] for a in inc.get("administration", []) if a.get("account")}


def admin_check(case, inc):
    """(ok, detail): every administration step the case planted is listed, by its account
    (and address where the case says), and no account the case did not involve is named."""
    steps = inc.get("administration", [])
    missing = [e for e in case["admin"] if not any(all(a.get(k) == v for k, v in e.items()) for a in steps)]
    planted = {e["account"] for e in case["admin"]}
    others = sorted(accounts_of(inc) - planted - set(case["recipients"]))
    problems = [f"missing {m}" for m in missing] + ([f"other accounts named {others}"] if others else [])
    return not problems, "; ".join(problems) + (f"; have {[(a.get('account'), a.get('action'), a.get('source_ip')) for a in steps]}" if problems else "")


def stages_of(inc):
    return {p["user"]: p["stage"] for p in inc.get("people", [])}


def check(case, report):
    """(check name, ok, detail) for one planted case."""
    out = []
    if case.get("benign"):
        # A look-alike raises nothing at medium or above about its user.
        raised = [i for i in report["incidents"] if SEVERITIES.index(i["severity"]) >= 2
                  and (case["user"] in i["recipients"] or case["user"] in i["interacted_users"] or case["host"] in i["hosts"]
                       or case["user"] in accounts_of(i) or case["indicator"] in i["indicators"].get("domains", [])
                       or case["indicator"] in i["indicators"].get("sender_domains", []))]
        out.append(("no incident ≥ medium", not raised, "; ".join(f"#{i['id']} {i['severity']} {i['title']}" for i in raised)))
        return out
    inc = incident_for(report, case["indicator"])
    out.append(("found", inc is not None, case["indicator"]))
    if inc is None:
        return out
    out.append(("recipients", sorted(inc["recipients"]) == sorted(case["recipients"]), f"{inc['recipients']} vs {case['recipients']}"))
    out.append(("interacted", sorted(inc["interacted_users"]) == sorted(case["interacted"]), f"{inc['interacted_users']} vs {case['interacted']}"))
    out.append(("hosts", sorted(inc["hosts"]) == sorted(case["hosts"]), f"{inc['hosts']} vs {case['hosts']}"))
    got = stages_of(inc)
    wrong = {u: (got.get(u), s) for u, s in case["stages"].items() if got.get(u) != s}
    out.append(("stage", not wrong, ", ".join(f"{u}: {g} (expected {s})" for u, (g, s) in wrong.items())))
    if "delivery" in case:
        states = {p["user"]: p.get("delivery") for p in inc.get("people", [])}
        off = {u: (states.get(u), d) for u, d in case["delivery"].items() if states.get(u) != d}
        out.append(("delivery", not off, ", ".join(f"{u}: {g} (expected {d})" for u, (g, d) in off.items())))
    if "admin" in case:
        out.append(("admin", *admin_check(case, inc)))
    sev = SEVERITIES.index(inc["severity"])
    if "severity" in case:
        out.append(("severity", inc["severity"] == case["severity"], f"{inc['severity']} (expected {case['severity']}); {inc['reasons']}"))
    if "severity_at_most" in case:
        out.append(("severity", sev <= SEVERITIES.index(case["severity_at_most"]), f"{inc['severity']} > {case['severity_at_most']}"))
    if "severity_at_least" in case:
        out.append(("severity", sev >= SEVERITIES.index(case["severity_at_least"]), f"{inc['severity']} < {case['severity_at_least']}"))
    if "title_prefix" in case:
        out.append(("title", inc["title"].startswith(case["title_prefix"]), inc["title"]))
    if "title_not" in case:
        out.append(("title", case["title_not"] not in inc["title"].lower(), inc["title"]))
    if "reason" in case:
        out.append(("reasons", any(r.startswith(case["reason"]) for r in inc["reasons"]), f"{inc['reasons']}"))
    out.append(("graph", *graph_check(case, inc)))
    missing = [a for a in case.get("actions", []) if not any(x.startswith(a) for x in inc["actions"])]
    wrong_actions = [a for a in case.get("actions_not", []) if any(x.startswith(a) for x in inc["actions"])]
    out.append(("actions", not missing and not wrong_actions, f"missing {missing}, wrong {wrong_actions}; have {inc['actions']}"))
    return out


def graph_check(case, inc):
    """(ok, detail): the incident's graph tells the case's story."""
    g = inc.get("graph") or {}
    nodes = {n["id"]: n for n in g.get("nodes", [])}
    edges = g.get("edges", [])
    problems = []
    drawn = {n["label"].lower() for n in nodes.values() if n["kind"] == "recipient"}
    counted = sum(n.get("count") or 0 for n in nodes.values() if n["kind"] == "recipients")
    if len(drawn) + counted != len(case["recipients"]):
        problems.append(f"{len(drawn)} recipients drawn + {counted} counted, expected {len(case['recipients'])}")
    for user in case["interacted"]:
        node = nodes.get("recipient:" + user)
        if node is None:
            problems.append(f"{user} went further and is not drawn")
        elif node.get("stage") != case["stages"].get(user):
            problems.append(f"{user} drawn at {node.get('stage')}, expected {case['stages'].get(user)}")
    for host in case["hosts"]:
        hid = "host:" + host.lower()
        if hid not in nodes:
            problems.append(f"no node {hid}")
            continue
        if not any(e["to"] == hid and e["relation"] == "uses" for e in edges):
            problems.append(f"{hid} is not linked from its user")
        if not any(e["from"] == hid for e in edges):
            problems.append(f"nothing drawn on {hid}")
    if case.get("reason", "").startswith("delivery unknown"):
        wrong = [e["relation"] for e in edges if e["from"].startswith("message:") and e["relation"] in ("not_delivered", "stopped")]
        if wrong:
            problems.append(f"missing delivery logs drawn as {sorted(set(wrong))}")
    column = {i: n["column"] for i, n in nodes.items()}
    backwards = [f"{e['from']} → {e['to']}" for e in edges if column.get(e["from"], -1) >= column.get(e["to"], -1)]
    if backwards:
        problems.append("runs backwards: " + ", ".join(backwards[:3]))
    return not problems, "; ".join(problems)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="the folder scripts/scenario-families wrote")
    ap.add_argument("--mailscope", default=".build/debug/mailscope")
    a = ap.parse_args()
    seeds = sorted(d for d in os.listdir(a.data) if d.startswith("seed-"))
    if not seeds:
        sys.exit(f"score-families: no seed-N folders in {a.data}")
    table = collections.defaultdict(lambda: collections.Counter())
    failures = []
    for seed in seeds:
        folder = os.path.join(a.data, seed)
        with open(os.path.join(folder, "ground-truth.json")) as f:
            truth = json.load(f)
        with tempfile.TemporaryDirectory() as work:
            report = run(a.mailscope, folder, work)
        for case in truth["cases"]:
            family = case["family"] + (f" ({case['product']})" if case.get("product") and not case.get("benign") else "")
            for name, ok, detail in check(case, report):
                table[family][(name, ok)] += 1
                if not ok:
                    failures.append(f"{seed} {family}: {name}: {detail}")
    checks = ["found", "recipients", "interacted", "hosts", "stage", "delivery", "admin", "severity", "title", "reasons", "graph", "actions", "no incident ≥ medium"]
    shown = [c for c in checks if any((c, ok) in t for t in table.values() for ok in (True, False))]
    print(f"{'family':34s} " + " ".join(f"{c[:10]:>10s}" for c in shown))
    total_ok = total = 0
    for family in sorted(table):
        cells = []
        for c in shown:
            ok, bad = table[family][(c, True)], table[family][(c, False)]
            total_ok += ok
            total += ok + bad
            cells.append(f"{ok}/{ok + bad}" if ok + bad else "—")
        print(f"{family:34s} " + " ".join(f"{x:>10s}" for x in cells))
    print(f"{total_ok} of {total} checks hold")
    for f in failures:
        print("FAIL " + f, file=sys.stderr)
    sys.exit(1 if failures else 0)

