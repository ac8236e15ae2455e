#!/usr/bin/env bash
# Runs cluster-scan.sh against stand-ins for kubectl and stackscan (no cluster needed): a two-node cluster
# where node-a's scan succeeds with a note on stderr and node-b's Job fails. Checks the Jobs it creates, the
# reports it collects, what it merges, that it deletes its Jobs, and its exit status (3: one node missing).
# Run by deploy/check.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/created"

cat >"$work/bin/kubectl" <<'EOF'
#!/usr/bin/env bash
printf 'kubectl %s\n' "$*" >>"$WORK/calls"
case "$*" in
  "get pods -n stackstate -o jsonpath="*) printf 'node-b\nnode-a\n\nnode-a\n' ;;
  "get serviceaccount stackscan -n stackscan") echo serviceaccount/stackscan ;;
  "create -f -") cat >"$WORK/created/$(date +%s%N)" ;;
  "get jobs -n stackscan -l stackscan/run="*)
    for f in "$WORK"/created/*; do
      job=$(sed -n 's/^  name: "\(.*\)"$/\1/p' "$f")
      node=$(sed -n 's/^      nodeName: "\(.*\)"$/\1/p' "$f")
      if [[ $node == node-a ]]; then echo "$job,True,"; else echo "$job,,True"; fi
    done ;;
  "get pods -n stackscan -l job-name="*-0" -o jsonpath="*) printf 'x.log: Permission denied' ;;
  "get pods -n stackscan -l job-name="*) printf 'scan failed' ;;
  "logs -n stackscan job/"*-0) echo '{"schema_version":1,"scan":{"files":1},"incidents":[]}' ;;
  "delete jobs -n stackscan -l stackscan/run="*) echo deleted ;;
  *) echo "kubectl stand-in: unexpected: $*" >&2; exit 1 ;;
esac
EOF
cat >"$work/bin/stackscan" <<'EOF'
#!/usr/bin/env bash
printf 'stackscan %s\n' "$*" >>"$WORK/calls"
[[ $1 == merge ]] || exit 2
[[ ${2:-} == --help ]] && exit 0
echo "merged ${*:2}"
EOF
chmod +x "$work/bin/kubectl" "$work/bin/stackscan"

status=0
WORK=$work PATH="$work/bin:$PATH" "$here/cluster-scan.sh" --image registry.example.com/stackscan:1 \
  --timeout 5400 -o "$work/out" >"$work/stdout" 2>"$work/stderr" || status=$?

failures=0
fail() {
  printf 'test-cluster-scan: FAILED: %s\n' "$*" >&2
  failures=$((failures + 1))
}
created=("$work"/created/*)
[[ $status -eq 3 ]] || fail "exit status $status, not 3 (one node without a report)"
[[ ${#created[@]} -eq 2 ]] || fail "${#created[@]} Jobs created, not 2"
grep -q '^      nodeName: "node-a"$' "${created[@]}" || fail "no Job pinned to node-a"
grep -q '^          image: "registry.example.com/stackscan:1"$' "${created[@]}" || fail "the image was not filled in"
if grep -hv '^ *#' "${created[@]}" | grep -qF "\${"; then fail "a placeholder was left in a Job"; fi
for job in "${created[@]}"; do
  grep -q '^  activeDeadlineSeconds: 5400$' "$job" || fail "the Jobs' deadline is not --timeout"
done
[[ -s $work/out/node-a.json ]] || fail "no report for node-a"
[[ ! -e $work/out/node-b.json ]] || fail "a report for node-b, whose Job failed"
grep -q 'Permission denied' "$work/out/node-a.stderr" || fail "node-a's notes were not kept"
grep -q '^cluster-scan: node-b: no report (Job stackscan-scan-[0-9]*-1 failed): scan failed$' "$work/stderr" ||
  fail "node-b's failure was not reported"
grep -qxF "stackscan merge --format json $work/out/node-a.json" "$work/calls" || fail "no JSON merge of node-a's report"
grep -qxF "merged $work/out/node-a.json" "$work/stdout" || fail "the merged text report was not printed"
grep -q '^kubectl delete jobs -n stackscan -l stackscan/run=[0-9]* ' "$work/calls" || fail "the Jobs were not deleted"

if [[ $failures -gt 0 ]]; then
  printf -- '--- stderr of cluster-scan.sh:\n' >&2
  cat "$work/stderr" >&2
  exit 1
fi
echo "test-cluster-scan: ok"
