#!/usr/bin/env bash
# One-shot scan of a cluster: runs `stackscan scan --format json` on every node that holds StackState pod logs
# (a Job per node, from scan-job.yaml), collects each node's report with `kubectl logs`, and merges them here
# with `stackscan merge` into one report.
#
# Prerequisites:
#   - bash 4+, sed, sort; kubectl, with a context that may list nodes and pods, create, read and delete Jobs
#     and read pod logs in the scan namespace (default: stackscan);
#   - deploy/kubernetes/namespace.yaml applied once (the namespace and its service account);
#   - the stackscan image pushed where the nodes can pull it (--image, or $STACKSCAN_IMAGE);
#   - a local stackscan with the `merge` subcommand on PATH (or $STACKSCAN), unless --no-merge or --render.
#
# Exit status: 0 every node's report was collected (and merged); 3 some nodes failed, the others were merged;
# 2 nothing to merge, or the scan could not be run (bad arguments, no cluster access, no node).
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: cluster-scan.sh [OPTIONS]

Scan the StackState pod logs on every node (a Job per node), collect the JSON reports and merge them.

Options:
  -n, --namespace NS       StackState's namespace, whose pod logs are scanned (default: stackstate)
      --scan-namespace NS  where the scan Jobs run (default: stackscan; see namespace.yaml)
      --image IMAGE        stackscan image (default: $STACKSCAN_IMAGE, else your-registry/stackscan:0.1.0)
      --node NODE          scan this node (repeatable; default: every node that runs a pod of NS)
      --all-nodes          scan every node of the cluster
  -o, --out DIR            where the reports go (default: ./stackscan-cluster-scan-RUN)
      --context CONTEXT    kubectl context (default: the current one)
      --timeout SECONDS    how long to wait for all the Jobs (default: 1800)
      --keep-jobs          leave the Jobs (and their pods and logs) in the cluster
      --no-merge           collect the reports only
      --render             print the Job manifests for the selected nodes and exit (applies nothing)
  -h, --help               this help

Writes DIR/NODE.json per node, DIR/NODE.stderr where stackscan had notes, DIR/merged.json, and prints the
merged report as text. Environment: STACKSCAN (the local binary, default: stackscan), STACKSCAN_IMAGE.
EOF
}

die() {
  printf 'cluster-scan: %s\n' "$*" >&2
  exit 2
}

note() {
  printf 'cluster-scan: %s\n' "$*" >&2
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
template="$here/scan-job.yaml"

namespace=stackstate
scan_namespace=stackscan
image=${STACKSCAN_IMAGE:-your-registry/stackscan:0.1.0}
stackscan_bin=${STACKSCAN:-stackscan}
out=""
context=""
timeout=1800
all_nodes=false
keep_jobs=false
merge=true
render=false
nodes=()

need_arg() {
  [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value (see --help)"
}

while [[ $# -gt 0 ]]; do
  case $1 in
    -n | --namespace) need_arg "$@"; namespace=$2; shift 2 ;;
    --scan-namespace) need_arg "$@"; scan_namespace=$2; shift 2 ;;
    --image) need_arg "$@"; image=$2; shift 2 ;;
    --node) need_arg "$@"; nodes+=("$2"); shift 2 ;;
    --all-nodes) all_nodes=true; shift ;;
    -o | --out) need_arg "$@"; out=$2; shift 2 ;;
    --context) need_arg "$@"; context=$2; shift 2 ;;
    --timeout) need_arg "$@"; timeout=$2; shift 2 ;;
    --keep-jobs) keep_jobs=true; shift ;;
    --no-merge) merge=false; shift ;;
    --render) render=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

# Names go into YAML and file names: accept Kubernetes names only (DNS labels and subdomains).
dns_label='^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$'
dns_subdomain='^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$'
[[ $namespace =~ $dns_label ]] || die "not a namespace name: $namespace"
[[ $scan_namespace =~ $dns_label ]] || die "not a namespace name: $scan_namespace"
[[ $timeout =~ ^[0-9]+$ ]] || die "--timeout takes seconds: $timeout"
[[ $image =~ ^[][A-Za-z0-9._:/@-]+$ ]] || die "not an image reference: $image"
[[ -r $template ]] || die "missing $template"

kubectl_cmd=(kubectl)
[[ -n $context ]] && kubectl_cmd+=(--context "$context")
kc() {
  "${kubectl_cmd[@]}" "$@"
}

# Escapes a value for the replacement side of a sed s||| command.
sed_escape() {
  printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'
}

# render_job JOB NODE: the Job manifest for one node (Kubernetes stops it after --timeout seconds, as the script
# stops waiting for it then).
render_job() {
  sed -e "s|\${JOB_NAME}|$(sed_escape "$1")|g" \
    -e "s|\${NODE}|$(sed_escape "$2")|g" \
    -e "s|\${SCAN_NAMESPACE}|$(sed_escape "$scan_namespace")|g" \
    -e "s|\${STACKSTATE_NAMESPACE}|$(sed_escape "$namespace")|g" \
    -e "s|\${IMAGE}|$(sed_escape "$image")|g" \
    -e "s|\${RUN_ID}|$(sed_escape "$run_id")|g" \
    -e "s|^\(  activeDeadlineSeconds:\) [0-9][0-9]*\$|\1 $timeout|" \
    "$template"
}

run_id=$(date -u +%Y%m%d%H%M%S)

# The nodes to scan.
if [[ ${#nodes[@]} -eq 0 ]]; then
  command -v kubectl >/dev/null || die "kubectl is not on PATH"
  if $all_nodes; then
    listing=$(kc get nodes -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}') ||
      die "cannot list the nodes (kubectl get nodes)"
  else
    # Pod log files live on the node that runs (or ran, until the pod is deleted) the pod.
    listing=$(kc get pods -n "$namespace" -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}') ||
      die "cannot list the pods of namespace $namespace"
  fi
  mapfile -t nodes < <(printf '%s\n' "$listing" | sed '/^$/d' | sort -u)
  [[ ${#nodes[@]} -gt 0 ]] || die "no node to scan (no pod of namespace $namespace is scheduled; --all-nodes?)"
fi
for node in "${nodes[@]}"; do
  [[ $node =~ $dns_subdomain ]] || die "not a node name: $node"
done

jobs=()
for i in "${!nodes[@]}"; do
  jobs+=("stackscan-scan-$run_id-$i")
done

if $render; then
  for i in "${!nodes[@]}"; do
    [[ $i -gt 0 ]] && printf -- '---\n'
    render_job "${jobs[$i]}" "${nodes[$i]}"
  done
  exit 0
fi

command -v kubectl >/dev/null || die "kubectl is not on PATH"
if $merge; then
  command -v "$stackscan_bin" >/dev/null || die "no local stackscan ($stackscan_bin; set STACKSCAN, or --no-merge)"
  "$stackscan_bin" merge --help >/dev/null 2>&1 ||
    die "$stackscan_bin has no merge subcommand: use a newer stackscan, or --no-merge"
fi
kc get serviceaccount stackscan -n "$scan_namespace" >/dev/null ||
  die "no service account stackscan in namespace $scan_namespace: kubectl apply -f $here/namespace.yaml"

out=${out:-stackscan-cluster-scan-$run_id}
mkdir -p "$out"

cleanup() {
  if ! $keep_jobs; then
    kc delete jobs -n "$scan_namespace" -l "stackscan/run=$run_id" --ignore-not-found --wait=false >/dev/null 2>&1 ||
      note "could not delete the Jobs: kubectl delete jobs -n $scan_namespace -l stackscan/run=$run_id"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

note "run $run_id: scanning namespace $namespace on ${#nodes[@]} node(s) with $image"
for i in "${!nodes[@]}"; do
  render_job "${jobs[$i]}" "${nodes[$i]}" | kc create -f - >/dev/null ||
    die "cannot create Job ${jobs[$i]} for node ${nodes[$i]}"
done

# Wait until every Job has succeeded or failed (or the time is up).
declare -A state=()
deadline=$((SECONDS + timeout))
while :; do
  # One line per Job: NAME,COMPLETE,FAILED (the status of those conditions, "True" once reached). The commas
  # keep the empty fields: read would merge runs of blanks.
  status=$(kc get jobs -n "$scan_namespace" -l "stackscan/run=$run_id" -o jsonpath='{range .items[*]}{.metadata.name}{","}{.status.conditions[?(@.type=="Complete")].status}{","}{.status.conditions[?(@.type=="Failed")].status}{"\n"}{end}') ||
    status=""
  while IFS=, read -r name complete failed; do
    [[ -n $name ]] || continue
    if [[ $complete == True ]]; then
      state[$name]=succeeded
    elif [[ $failed == True ]]; then
      state[$name]=failed
    fi
  done <<<"$status"
  [[ ${#state[@]} -ge ${#jobs[@]} ]] && break
  if [[ $SECONDS -ge $deadline ]]; then
    note "timed out after ${timeout}s; pods still running:"
    kc get pods -n "$scan_namespace" -l "stackscan/run=$run_id" >&2 || true
    break
  fi
  sleep 5
done

# Collect the reports.
reports=()
missing=0
for i in "${!nodes[@]}"; do
  job=${jobs[$i]}
  node=${nodes[$i]}
  message=$(kc get pods -n "$scan_namespace" -l "job-name=$job" \
    -o jsonpath='{.items[0].status.containerStatuses[0].state.terminated.message}' 2>/dev/null) || message=""
  if [[ ${state[$job]:-} == succeeded ]] && kc logs -n "$scan_namespace" "job/$job" >"$out/$node.json" &&
    [[ -s $out/$node.json ]]; then
    reports+=("$out/$node.json")
    if [[ -n $message ]]; then
      printf '%s\n' "$message" >"$out/$node.stderr"
      note "$node: stackscan said (see $out/$node.stderr):"
      printf '%s\n' "$message" | sed "s|^|  $node: |" >&2
    fi
  else
    missing=$((missing + 1))
    rm -f "$out/$node.json"
    note "$node: no report (Job $job ${state[$job]:-did not finish})${message:+: $message}"
  fi
done

note "${#reports[@]} of ${#nodes[@]} node report(s) in $out"
[[ ${#reports[@]} -gt 0 ]] || exit 2

if $merge; then
  "$stackscan_bin" merge --format json "${reports[@]}" >"$out/merged.json" || die "stackscan merge failed"
  "$stackscan_bin" merge "${reports[@]}" || die "stackscan merge failed"
  note "merged report: $out/merged.json"
fi

[[ $missing -eq 0 ]] || exit 3
