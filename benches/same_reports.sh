#!/usr/bin/env bash
# Checks that two builds of stackscan report the same thing: every fixture tree and capture, and any extra
# directories given (benchmark corpora), in text, JSON and NDJSON, at 1 and 2 threads, with the wall time
# (`elapsed_ms`, the summary line's duration and rate) taken out. Exit 0 when every report is byte-identical.
#
#   benches/same_reports.sh OLD_BINARY NEW_BINARY [EXTRA_DIR ...]
#
# A refactoring or a speed-up must not change what is reported: build the old commit (`git worktree add
# /tmp/old <commit> && cargo build --release --manifest-path /tmp/old/Cargo.toml`) and compare it with the new one.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,9p' "$0"; exit 2; }
old="$1" new="$2"; shift 2
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mktemp -d "${TMPDIR:-/tmp}/stackscan-same.XXXXXX")"
trap 'rm -rf "$out"' EXIT

inputs=()
for d in "$root"/fixtures/linux "$root"/fixtures/scenarios/* "$root"/fixtures/kubectl "$root"/fixtures/recall \
         "$root"/fixtures/edge; do
  inputs+=("$d")
done
inputs+=("$@")

# Removes what differs between identical runs: the JSON wall time and the summary line's time and rate.
normalise() {
  sed -E -e 's/"elapsed_ms": ?[0-9]+/"elapsed_ms":0/g' \
         -e 's/ in [0-9]+\.[0-9]+s \([0-9.]+ MiB\/s\)/ in Xs (X MiB\/s)/'
}

fail=0 n=0
for input in "${inputs[@]}"; do
  for fmt in text json ndjson; do
    for threads in 1 2; do
      args=(scan --format "$fmt" --threads "$threads" --color never "$input")
      a="$("$old" "${args[@]}" 2>&1 | normalise)" || true
      b="$("$new" "${args[@]}" 2>&1 | normalise)" || true
      n=$((n + 1))
      if [ "$a" != "$b" ]; then
        fail=$((fail + 1))
        echo "DIFFERS: ${args[*]}"
        diff <(printf '%s\n' "$a") <(printf '%s\n' "$b") | head -20 || true
      fi
    done
  done
  # Standard input, through the stream path.
  a="$("$old" scan --format json - < <(cat "$(find "$input" -type f -name '*.log' | sort | head -1)" 2>/dev/null || true) 2>&1 | normalise)" || true
  b="$("$new" scan --format json - < <(cat "$(find "$input" -type f -name '*.log' | sort | head -1)" 2>/dev/null || true) 2>&1 | normalise)" || true
  n=$((n + 1))
  if [ "$a" != "$b" ]; then
    fail=$((fail + 1))
    echo "DIFFERS: scan - < first .log of $input"
  fi
done
echo "$n comparisons, $fail differing"
[ "$fail" -eq 0 ]
