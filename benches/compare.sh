#!/usr/bin/env bash
# End-to-end comparison of `stackscan scan` with `rg -c -j2 -f <the pack's patterns>` on a generated corpus.
#
#   benches/compare.sh [--size 256M] [--density 0.001] [--runs 5] [--files 8] [--keep DIR] [--skip-extra]
#
# Generates a deterministic corpus (benches/gen_corpus.py) in a temp dir: several files plus one single big file
# of the same size, then runs, alternating so that machine noise hits both sides alike:
#   1. stackscan vs rg on the directory of several files (medians, MiB/s, peak RSS, ratio);
#   2. stackscan --threads 1 vs --threads 2 on the single big file;
#   3. stackscan on the big file vs the same bytes on stdin: through a pipe from `cat` (which copies every byte
#      into the pipe on one of the cores the scan uses) and from `pv -q` when installed (which splices pages
#      into the pipe without copying them), each next to its pipe alone (`| wc -c`), and redirected
#      (`stackscan scan - < file`, the stream path with no second process);
#   4. stackscan on a directory of .gz and .zst copies of the several files (CPU use: both cores busy?);
#   5. start-up: the embedded pack compiled and an empty directory scanned (hyperfine when installed).
# Everything is removed on exit unless --keep names a directory to generate into (kept, and reused if present).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
size=256M density=0.001 runs=5 files=8 keep="" extra=1 near=0.0005
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size="$2"; shift 2 ;;
    --density) density="$2"; shift 2 ;;
    --near) near="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --files) files="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    --skip-extra) extra=0; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
bytes=$(python3 -c "import sys;s=sys.argv[1].upper();m={'K':1<<10,'M':1<<20,'G':1<<30};print(int(float(s[:-1])*m[s[-1]]) if s[-1] in m else int(s))" "$size")

if [ -n "$keep" ]; then
  work="$keep"; mkdir -p "$work"
else
  work="$(mktemp -d "${TMPDIR:-/tmp}/stackscan-compare.XXXXXX")"
  trap 'rm -rf "$work"' EXIT INT TERM
fi

echo "== building stackscan (release)" >&2
(cd "$root" && cargo build --release --quiet)
ss="$root/target/release/stackscan"
command -v rg >/dev/null || cargo install ripgrep --locked
rg_bin="$(command -v rg)"

if [ ! -f "$work/single/big.log" ]; then
  echo "== generating $size corpus (density $density, near misses $near) in $work" >&2
  loghub="$root/../shared/corpus/loghub"
  python3 "$here/gen_corpus.py" --rules "$root/rules/stackstate" --out "$work" --size "$bytes" \
    --density "$density" --near "$near" --files "$files" --loghub "$loghub" --patterns "$work/patterns.txt"
fi
corpus_bytes=$(du -cb "$work"/multi/*.log | tail -1 | cut -f1)
big_bytes=$(stat -c %s "$work/single/big.log")

# measure NAME CMD...: appends "wall_s max_rss_kib user_s sys_s" for one run to $work/NAME.times. GNU time runs
# the command and reports its CPU time and peak RSS (of the command and of everything it waited for: both sides
# of a pipe); the wall time is taken around it from the monotonic clock, because GNU time's %e has 10 ms steps
# (6% of a 0.16 s scan). Python does not spawn the command itself: a child it starts inherits its 14 MiB
# high-water RSS mark.
[ -x /usr/bin/time ] || { echo "compare.sh needs GNU time at /usr/bin/time (Debian: apt-get install time)" >&2; exit 1; }
measure() {
  local name="$1"; shift
  python3 - "$work/$name.times" "$work/.t" "$@" <<'EOF'
import subprocess, sys, time
out, tfile, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
t = time.monotonic()
r = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", "-o", tfile] + cmd,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
e = time.monotonic() - t
if r.returncode != 0:
    sys.stderr.write(r.stderr.decode(errors="replace"))
    sys.exit("command failed (%d): %s" % (r.returncode, " ".join(cmd)))
rss, user, sys_ = open(tfile).read().split()[-3:]
open(out, "a").write("%.4f %s %s %s\n" % (e, rss, user, sys_))
EOF
}

# summary NAME BYTES: "median_s MiB/s max_rss_MiB median_cpu_s"
summary() {
  python3 - "$work/$1.times" "$2" <<'EOF'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
med = statistics.median(r[0] for r in rows)
cpu = statistics.median(r[2] + r[3] for r in rows)
rss = max(r[1] for r in rows) / 1024
mib = int(sys.argv[2]) / (1 << 20)
print("%.3f %.0f %.1f %.3f" % (med, mib / med if med > 0 else float("inf"), rss, cpu))
EOF
}

row() { # row LABEL NAME BYTES
  read -r med mibs rss cpu < <(summary "$2" "$3")
  printf "  %-34s median %7.3f s  %7s MiB/s  cpu %7.3f s  peak RSS %6.1f MiB\n" "$1" "$med" "$mibs" "$cpu" "$rss"
}
ratio() { # ratio NAME_SLOW NAME_FAST -> median(slow)/median(fast)
  python3 - "$work/$1.times" "$work/$2.times" <<'EOF'
import statistics, sys
m = [statistics.median(float(l.split()[0]) for l in open(p) if l.strip()) for p in sys.argv[1:]]
print("%.2f" % (m[0] / m[1]))
EOF
}

rm -f "$work"/*.times
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB RAM; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== rg: $($rg_bin --version 2>/dev/null | head -1); corpus: $files files, $(( corpus_bytes >> 20 )) MiB, density $density, near misses $near, $runs runs each"

# Warm the page cache.
cat "$work"/multi/*.log "$work/single/big.log" >/dev/null

echo "1. directory of $files files: stackscan scan --format json vs rg -c -j2 -f patterns"
for _ in $(seq "$runs"); do
  measure ss "$ss" scan --format json "$work/multi"
  measure rg "$rg_bin" -c -j2 -f "$work/patterns.txt" "$work/multi"
done
row "stackscan" ss "$corpus_bytes"
row "rg -c -j2" rg "$corpus_bytes"
echo "  ratio (rg time / stackscan time): $(ratio rg ss)x"

if [ "$extra" = 1 ]; then
  echo "2. single big file ($(( big_bytes >> 20 )) MiB): --threads 1 vs --threads 2"
  for _ in $(seq "$runs"); do
    measure t1 "$ss" scan --threads 1 --format json "$work/single/big.log"
    measure t2 "$ss" scan --threads 2 --format json "$work/single/big.log"
  done
  row "--threads 1" t1 "$big_bytes"
  row "--threads 2" t2 "$big_bytes"
  echo "  speed-up (1 thread time / 2 threads time): $(ratio t1 t2)x"

  echo "3. the big file vs the same bytes on stdin"
  big="$work/single/big.log"
  have_pv=0; command -v pv >/dev/null && have_pv=1
  for _ in $(seq "$runs"); do
    measure file "$ss" scan --format json "$big"
    measure stdin sh -c "cat '$big' | '$ss' scan --format json -"
    measure stdin_redir sh -c "'$ss' scan --format json - < '$big'"
    measure pipe_only sh -c "cat '$big' | wc -c"
    if [ "$have_pv" = 1 ]; then
      measure stdin_pv sh -c "pv -q '$big' | '$ss' scan --format json -"
      measure pipe_pv sh -c "pv -q '$big' | wc -c"
    fi
  done
  row "file" file "$big_bytes"
  row "stdin (cat | stackscan scan -)" stdin "$big_bytes"
  row "  the pipe alone (cat | wc -c)" pipe_only "$big_bytes"
  if [ "$have_pv" = 1 ]; then
    row "stdin (pv -q | stackscan scan -)" stdin_pv "$big_bytes"
    row "  the pipe alone (pv -q | wc -c)" pipe_pv "$big_bytes"
  fi
  row "stdin (stackscan scan - < file)" stdin_redir "$big_bytes"
  echo "  stdin throughput / file throughput:"
  echo "    through a pipe from cat (copies every byte into the pipe, on one of the two cores): $(ratio file stdin)"
  if [ "$have_pv" = 1 ]; then
    echo "    through a pipe from pv (splices page-cache pages into the pipe, no copy):             $(ratio file stdin_pv)"
  else
    echo "    through a pipe from pv: not measured (install pv: apt-get install pv)"
  fi
  echo "    redirected from the file (no second process):                                     $(ratio file stdin_redir)"

  echo "4. directory of .gz and .zst copies"
  if [ ! -d "$work/compressed" ]; then
    mkdir -p "$work/compressed"
    i=0
    for f in "$work"/multi/*.log; do
      b="$(basename "$f")"
      if [ $((i % 2)) = 0 ] || ! command -v zstd >/dev/null; then
        gzip -1 -c "$f" >"$work/compressed/$b.gz"
      else
        zstd -q -1 -c "$f" >"$work/compressed/$b.zst"
      fi
      i=$((i + 1))
    done
  fi
  for _ in $(seq "$runs"); do
    measure z "$ss" scan --format json "$work/compressed"
  done
  row "compressed dir" z "$corpus_bytes"
  python3 - "$work/z.times" <<'EOF'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
print("  cores busy (median cpu time / wall time): %.2f" % statistics.median((r[2] + r[3]) / r[0] for r in rows))
EOF

  echo "5. start-up: embedded pack compiled, empty directory scanned"
  mkdir -p "$work/empty"
  if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 5 --runs 50 --style basic --export-json "$work/startup.json" \
      "$ss scan --format json $work/empty" >/dev/null 2>&1
    python3 - "$work/startup.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("  hyperfine: median %.1f ms, mean %.1f ms +- %.1f ms, min %.1f ms" % (
    r["median"] * 1e3, r["mean"] * 1e3, r["stddev"] * 1e3, r["min"] * 1e3))
EOF
  else
    for _ in $(seq 20); do measure start "$ss" scan --format json "$work/empty"; done
    row "empty dir" start 0
  fi
fi
