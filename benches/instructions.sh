#!/usr/bin/env bash
# Instructions executed by `stackscan scan` (valgrind's callgrind, Debian package `valgrind`): a count that is the
# same from run to run, where the wall and CPU times of the same command move by 15-20% on a shared machine. Use it
# to read small before/after differences and the unexplained section's cost; confirm what matters in time with
# compare.sh (instructions are not cycles: a cache miss or a mispredicted branch costs many).
#
#   benches/instructions.sh [--bin PATH] [--before OLD_BINARY] FILE...
#
# For each build (the measured one, then --before's): the instructions of a scan of an empty file (start-up: the
# embedded pack built, the report written), of `scan --format json --threads 1 FILE...` with and without the
# unexplained section (`--unexplained 0`), each also less the start-up, and the section's cost as their ratio.
# With --before, the measured build's counts against the old build's, scan by scan.
# --bin measures that binary instead of building target/release/stackscan.
# Each count runs the program once under valgrind (about 50 times slower than natively): a 32 MiB file takes
# a minute per count.
set -euo pipefail

bin=""
before=""
files=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin) bin="$2"; shift 2 ;;
    --before) before="$2"; shift 2 ;;
    -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) files+=("$1"); shift ;;
  esac
done
if [[ ${#files[@]} -eq 0 ]]; then
  echo "usage: benches/instructions.sh [--bin PATH] [--before OLD_BINARY] FILE..." >&2
  exit 2
fi
if ! command -v valgrind >/dev/null; then
  echo "instructions.sh: valgrind is not installed (Debian: apt-get install valgrind)" >&2
  exit 2
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
if [[ -z "$bin" ]]; then
  cargo build --release --quiet --manifest-path "$root/Cargo.toml"
  bin="$root/target/release/stackscan"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
: >"$work/empty.log"

# count BINARY ARGS...: the instructions of one run (every thread), from callgrind's summary line.
count() {
  local b="$1"
  shift
  valgrind --tool=callgrind --callgrind-out-file="$work/out.%p" "$b" scan --format json --threads 1 "$@" \
    2>"$work/err" >/dev/null || true
  local n
  n="$(sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$work/err" | tail -n 1)"
  if [[ -z "$n" ]]; then
    echo "instructions.sh: no count from valgrind for $b $*:" >&2
    cat "$work/err" >&2
    exit 1
  fi
  rm -f "$work"/out.*
  echo "$n"
}

# measure LABEL BINARY: prints the counts and leaves them in start, full, none.
measure() {
  local label="$1" b="$2"
  start="$(count "$b" "$work/empty.log")"
  full="$(count "$b" "${files[@]}")"
  none="$(count "$b" --unexplained 0 "${files[@]}")"
  awk -v l="$label" -v s="$start" -v f="$full" -v n="$none" 'BEGIN {
    printf "%s\n", l
    printf "  start-up (empty file)        %8.1f M instructions\n", s / 1e6
    printf "  scan                         %8.1f M   less start-up %8.1f M\n", f / 1e6, (f - s) / 1e6
    printf "  scan --unexplained 0         %8.1f M   less start-up %8.1f M\n", n / 1e6, (n - s) / 1e6
    printf "  cost of the section: %.3fx (%.3fx less start-up)\n", f / n, (f - s) / (n - s)
  }'
}

echo "== instructions, one thread: ${files[*]}"
measure "stackscan: $bin" "$bin"
if [[ -n "$before" ]]; then
  new=("$start" "$full" "$none")
  measure "before: $before" "$before"
  old=("$start" "$full" "$none")
  awk -v s1="${new[0]}" -v f1="${new[1]}" -v n1="${new[2]}" -v s0="${old[0]}" -v f0="${old[1]}" -v n0="${old[2]}" 'BEGIN {
    printf "change (measured build against before)\n"
    printf "  start-up %+.2f%%, scan %+.2f%%, scan --unexplained 0 %+.2f%%\n", (s1 / s0 - 1) * 100, (f1 / f0 - 1) * 100, (n1 / n0 - 1) * 100
  }'
fi
