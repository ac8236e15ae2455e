#!/usr/bin/env bash
# Validates what deploy/ ships, with no cluster and no network once its tools are installed:
#   - every Kubernetes manifest under deploy/ (and the scan Job as cluster-scan.sh renders it, and the
#     kustomization as kubectl renders it) against the API schemas of the oldest and newest Kubernetes that
#     kubernetes-validate bundles, strictly (unknown fields are errors);
#   - every shell script under deploy/ and benches/*.sh with shellcheck;
#   - cluster-scan.sh's whole run against stand-ins for kubectl and stackscan (test-cluster-scan.sh);
#   - the systemd unit with systemd-analyze verify, where systemd-analyze exists;
#   - that every path .dockerignore lets into the image's build context exists.
# Installs what is missing: kubernetes-validate (pinned, `pip install --user`; it carries the schemas) and,
# as root, shellcheck from the distribution (apt-get). Exit status 0 when every check passed, 1 otherwise.
set -euo pipefail

KUBERNETES_VALIDATE_VERSION=1.37.0
# The oldest and the newest API versions whose schemas kubernetes-validate 1.37.0 carries.
KUBERNETES_VERSIONS=(1.25.0 1.37.0)

cd "$(dirname "${BASH_SOURCE[0]}")/.."
python=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
pass() {
  printf 'check: ok     %s\n' "$*"
  passed=$((passed + 1))
}
fail() {
  printf 'check: FAILED %s\n' "$*"
  failed=$((failed + 1))
}
die() {
  printf 'check: %s\n' "$*" >&2
  exit 1
}

# --- tools

kubernetes_validate() {
  "$python" -m kubernetes_validate "$@"
}
installed_kv=$(kubernetes_validate --version 2>/dev/null || true)
if [[ $installed_kv != "$KUBERNETES_VALIDATE_VERSION" ]]; then
  printf 'check: installing kubernetes-validate==%s (found: %s)\n' "$KUBERNETES_VALIDATE_VERSION" "${installed_kv:-none}"
  pip_args=(install --quiet --disable-pip-version-check "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION")
  # In a virtualenv the package goes into it; elsewhere into the user's site-packages. A Debian system
  # python refuses even --user installs (PEP 668) unless told to.
  if "$python" -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)'; then
    "$python" -m pip "${pip_args[@]}"
  else
    "$python" -m pip "${pip_args[@]}" --user 2>"$tmp/pip.err" ||
      if grep -q externally-managed-environment "$tmp/pip.err"; then
        "$python" -m pip "${pip_args[@]}" --user --break-system-packages
      else
        cat "$tmp/pip.err" >&2
        die "pip install kubernetes-validate failed"
      fi
  fi
  installed_kv=$(kubernetes_validate --version) || die "kubernetes-validate does not run after installing it"
fi

if ! command -v shellcheck >/dev/null; then
  [[ $(id -u) -eq 0 ]] || die "shellcheck is missing: apt-get install shellcheck (as root), then run again"
  printf 'check: installing shellcheck\n'
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends shellcheck >/dev/null ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends shellcheck >/dev/null; } ||
    die "apt-get install shellcheck failed"
fi

# --- Kubernetes manifests

validate() {
  local what=$1
  shift
  local version
  for version in "${KUBERNETES_VERSIONS[@]}"; do
    if kubernetes_validate --strict --quiet -k "$version" "$@" >"$tmp/kv.out" 2>&1; then
      pass "$what (Kubernetes $version)"
    else
      fail "$what (Kubernetes $version)"
      sed 's/^/    /' "$tmp/kv.out"
    fi
  done
}

mapfile -t manifests < <(find deploy -type f \( -name '*.yaml' -o -name '*.yml' \) ! -name kustomization.yaml | sort)
[[ ${#manifests[@]} -gt 0 ]] || die "no manifest found under deploy/"
for manifest in "${manifests[@]}"; do
  validate "$manifest" "$manifest"
done

if deploy/kubernetes/cluster-scan.sh --render --node node-a --node ip-10-0-0-7.eu-west-1.compute.internal \
  --image registry.example.com:5000/ops/stackscan:0.1.0 >"$tmp/scan-jobs.yaml" 2>"$tmp/render.err"; then
  validate "scan Jobs as cluster-scan.sh --render writes them" "$tmp/scan-jobs.yaml"
  if grep -v '^ *#' "$tmp/scan-jobs.yaml" | grep -qF "\${"; then
    fail "cluster-scan.sh --render left a placeholder"
  fi
else
  fail "cluster-scan.sh --render"
  sed 's/^/    /' "$tmp/render.err"
fi

for kustomization in $(find deploy -name kustomization.yaml | sort); do
  if ! command -v kubectl >/dev/null; then
    printf 'check: skipped %s (no kubectl)\n' "$kustomization"
  elif kubectl kustomize "$(dirname "$kustomization")" >"$tmp/kustomized.yaml" 2>"$tmp/kustomize.err"; then
    validate "$kustomization as kubectl kustomize renders it" "$tmp/kustomized.yaml"
  else
    fail "kubectl kustomize $(dirname "$kustomization")"
    sed 's/^/    /' "$tmp/kustomize.err"
  fi
done

# --- the DaemonSet's init container, run as the kubelet runs it: as root with only the capabilities it declares,
# twice (a pod's restart finds the directory already handed over)

init_container() {
  "$python" - "$1" <<'PY'
import shlex, sys, yaml
for doc in yaml.safe_load_all(open(sys.argv[1])):
    for c in ((doc or {}).get("spec", {}).get("template", {}).get("spec", {}).get("initContainers") or []):
        caps = ",".join("+" + x.lower() for x in c["securityContext"]["capabilities"]["add"])
        print(caps)
        print(shlex.join(c["command"]))
PY
}
if [[ $(id -u) -ne 0 ]] || ! command -v setpriv >/dev/null || ! "$python" -c 'import yaml' 2>/dev/null; then
  printf 'check: skipped the init container of daemonset.yaml (needs root, setpriv and PyYAML)\n'
else
  mapfile -t init < <(init_container deploy/kubernetes/daemonset.yaml)
  state="$tmp/state" && mkdir -m 0755 "$state"
  command=${init[1]//\/var\/lib\/stackscan/$state}
  run_init() {
    setpriv --reuid=0 --regid=0 --clear-groups --inh-caps="-all,${init[0]}" --ambient-caps="-all,${init[0]}" \
      --bounding-set="-all,${init[0]}" sh -c "eval \"\$1\"" sh "$command"
  }
  if [[ ${#init[@]} -eq 2 ]] && run_init && run_init && [[ $(stat -c %u:%g:%a "$state") == 65532:65532:700 ]]; then
    pass "daemonset.yaml's init container, twice, with only ${init[0]}"
  else
    fail "daemonset.yaml's init container, twice, with only ${init[0]:-?}"
  fi
fi

# --- shell scripts

mapfile -t scripts < <({ find deploy -type f -name '*.sh'; printf '%s\n' benches/*.sh; } | sort -u)
for script in "${scripts[@]}"; do
  if bash -n "$script" && shellcheck "$script"; then
    pass "shellcheck $script"
  else
    fail "shellcheck $script"
  fi
done

if deploy/kubernetes/test-cluster-scan.sh >"$tmp/test.out" 2>&1; then
  pass "cluster-scan.sh against stand-ins for kubectl and stackscan"
else
  fail "cluster-scan.sh against stand-ins for kubectl and stackscan"
  sed 's/^/    /' "$tmp/test.out"
fi

# --- systemd unit

for unit in deploy/systemd/*.service; do
  if ! command -v systemd-analyze >/dev/null; then
    printf 'check: skipped %s (no systemd-analyze)\n' "$unit"
    continue
  fi
  # verify wants ExecStart's program to exist: point it at a stand-in.
  printf '#!/bin/sh\n' >"$tmp/stackscan" && chmod +x "$tmp/stackscan"
  sed "s|/usr/local/bin/stackscan|$tmp/stackscan|g" "$unit" >"$tmp/${unit##*/}"
  if systemd-analyze verify "$tmp/${unit##*/}" >"$tmp/verify.out" 2>&1 && [[ ! -s $tmp/verify.out ]]; then
    pass "systemd-analyze verify $unit"
  else
    fail "systemd-analyze verify $unit"
    sed 's/^/    /' "$tmp/verify.out"
  fi
done

# --- image build context

missing=()
while read -r pattern; do
  compgen -G "${pattern#!}" >/dev/null || missing+=("${pattern#!}")
done < <(grep '^!' .dockerignore)
if [[ ${#missing[@]} -eq 0 ]]; then
  pass ".dockerignore: every path it lets in exists"
else
  fail ".dockerignore lets in paths that do not exist: ${missing[*]}"
fi

if [[ $failed -gt 0 ]]; then
  printf 'check: %d of %d checks failed\n' "$failed" $((passed + failed))
  exit 1
fi
printf 'check: all %d checks passed\n' "$passed"
