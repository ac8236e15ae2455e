#!/usr/bin/env python3
"""How the rule pack does on real published log lines (issue 14). Python 3 stdlib only.

Runs `stackscan scan --format json FILE` (no `--component`: the files are named after the case, so the component
must come from the lines themselves) for every case of CORPUS/cases.json and prints, per case and in total:

  found     positive case: some incident has the case's `family` or one of its `family_ok`
  root      positive case: the expected incident's root_cause.component is `root_cause` or in `root_cause_ok`
  severity  positive case: `expect_error` -> the expected incident is error/critical, else warning/info;
            negative case: no incident of severity error or critical (a warning-level note is tolerated)

The expected incident, when several are reported: among the incidents of an accepted family, the one of the worst
severity; among those, the one with the most records (the bulk of the file, not a stray line); then the first in
report order (severity, first seen, id). Root cause and severity are judged on that one incident only, so a second
incident with the right root cause does not hide a wrong one. A positive case with no incident of an accepted
family fails all three.

Usage: benches/real_cases.py [CORPUS] [--bin PATH] [--json] [--quiet]
  CORPUS  the corpus folder (default ../shared/corpus/real, from the crate root)
  --bin   the stackscan binary (default: $STACKSCAN, else $CARGO_TARGET_DIR/debug/stackscan, else
          target/debug/stackscan, else target/release/stackscan)
  --json  print the per-case results as JSON instead of the table
Exit code: 0 when every target of issue 14 is met (>= 90% found, >= 85% root cause, >= 90% severity, no
error/critical incident on a negative case), 1 when one is missed, 2 when the run could not be done.
"""

import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ERRORISH = {"error", "critical"}
RANK = {"info": 0, "warning": 1, "error": 2, "critical": 3}
TARGETS = {"found": 0.90, "root": 0.85, "severity": 0.90}


def default_bin():
    cands = []
    if os.environ.get("STACKSCAN"):
        cands.append(os.environ["STACKSCAN"])
    if os.environ.get("CARGO_TARGET_DIR"):
        cands.append(os.path.join(os.environ["CARGO_TARGET_DIR"], "debug", "stackscan"))
    cands += [os.path.join(ROOT, "target", "debug", "stackscan"), os.path.join(ROOT, "target", "release", "stackscan")]
    for c in cands:
        if os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return cands[0] if cands else "stackscan"


def scan(binary, path):
    p = subprocess.run([binary, "scan", "--format", "json", "--color", "never", path], capture_output=True)
    if p.returncode not in (0, 1):
        raise RuntimeError(f"{path}: exit {p.returncode}: {p.stderr.decode(errors='replace')}")
    return json.loads(p.stdout)


def pick(incidents, families):
    """The expected incident: accepted family, worst severity, most records, first in report order."""
    best = None
    for pos, inc in enumerate(incidents):
        if inc.get("family") not in families:
            continue
        key = (RANK.get(inc.get("severity"), -1), inc.get("count", 0), -pos)
        if best is None or key > best[0]:
            best = (key, inc)
    return best[1] if best else None


def judge(case, report):
    incidents = report.get("incidents", [])
    worst = max((RANK.get(i.get("severity"), -1) for i in incidents), default=-1)
    if case.get("kind") == "negative":
        bad = [i for i in incidents if i.get("severity") in ERRORISH]
        return {
            "file": case["file"],
            "kind": "negative",
            "severity": not bad,
            "incidents": [summary(i) for i in incidents],
            "worst": worst,
        }
    families = [case["family"]] + list(case.get("family_ok") or [])
    roots = [case["root_cause"]] + list(case.get("root_cause_ok") or [])
    inc = pick(incidents, families)
    found = inc is not None
    root = found and (inc.get("root_cause") or {}).get("component") in roots
    if found:
        sev = inc.get("severity") in ERRORISH if case.get("expect_error") else inc.get("severity") not in ERRORISH
    else:
        sev = False
    return {
        "file": case["file"],
        "kind": "positive",
        "found": found,
        "root": bool(root),
        "severity": sev,
        "want": {"family": families, "root": roots, "error": bool(case.get("expect_error"))},
        "picked": summary(inc) if inc else None,
        "incidents": [summary(i) for i in incidents],
    }


def summary(inc):
    rc = inc.get("root_cause") or {}
    return {
        "family": inc.get("family"),
        "severity": inc.get("severity"),
        "root": rc.get("component"),
        "rule": rc.get("rule"),
        "count": inc.get("count"),
        "id": inc.get("id"),
    }


def mark(ok):
    return "ok" if ok else "--"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", nargs="?", default=os.path.join(ROOT, "..", "shared", "corpus", "real"))
    ap.add_argument("--bin", default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    binary = args.bin or default_bin()
    cases_path = os.path.join(args.corpus, "cases.json")
    try:
        with open(cases_path, encoding="utf-8") as f:
            cases = json.load(f)["cases"]
    except OSError as e:
        print(f"real_cases: cannot read {cases_path}: {e}", file=sys.stderr)
        return 2
    results = []
    for case in cases:
        try:
            report = scan(binary, os.path.join(args.corpus, case["file"]))
        except (OSError, RuntimeError, ValueError) as e:
            print(f"real_cases: {e}", file=sys.stderr)
            return 2
        results.append(judge(case, report))

    pos = [r for r in results if r["kind"] == "positive"]
    neg = [r for r in results if r["kind"] == "negative"]
    totals = {k: sum(r[k] for r in pos) for k in ("found", "root", "severity")}
    neg_ok = sum(r["severity"] for r in neg)
    met = all(totals[k] >= TARGETS[k] * len(pos) for k in TARGETS) and neg_ok == len(neg)

    if args.json:
        print(json.dumps({"binary": binary, "results": results, "totals": totals, "positives": len(pos),
                          "negatives_clean": neg_ok, "negatives": len(neg), "targets_met": met}, indent=1))
        return 0 if met else 1

    width = max(len(r["file"]) for r in results)
    print(f"{'case':<{width}}  found root sev   picked incident (family, severity, root cause rule@component)")
    for r in pos:
        p = r["picked"]
        what = f"{p['family']}, {p['severity']}, {p['rule']}@{p['root']}" if p else (
            "none of " + ", ".join(r["want"]["family"]) + (
                f" (got: {', '.join(sorted({i['family'] for i in r['incidents']}))})" if r["incidents"] else " (no incident)"))
        print(f"{r['file']:<{width}}  {mark(r['found']):<5} {mark(r['root']):<4} {mark(r['severity']):<5} {what}")
    for r in neg:
        bad = [i for i in r["incidents"] if i["severity"] in ERRORISH]
        what = "clean" if not r["incidents"] else ", ".join(f"{i['severity']} {i['rule']}" for i in r["incidents"])
        print(f"{r['file']:<{width}}  {'':<5} {'':<4} {mark(not bad):<5} negative: {what}")
    n = len(pos)
    pct = lambda k: f"{totals[k]}/{n} ({100 * totals[k] / n:.0f}%, target {100 * TARGETS[k]:.0f}%)"
    print()
    print(f"positives: found {pct('found')}, root cause {pct('root')}, severity {pct('severity')}")
    print(f"negatives without an error/critical incident: {neg_ok}/{len(neg)}")
    print("targets met" if met else "targets NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
