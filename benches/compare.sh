#!/usr/bin/env bash
# End-to-end benchmarks of `stackscan scan` (and `templates`) on generated corpora, with ripgrep as the yardstick.
#
#   benches/compare.sh [--size 256M] [--density 0.001] [--runs 5] [--files 8] [--keep DIR] [--bin PATH]
#                      [--only SECTIONS] [--skip-extra] [--dense-size 128M] [--layouts agent,es-plain,es-json,k2es]
#                      [--before OLD_BINARY]
#
# Generates deterministic corpora (benches/gen_corpus.py, benches/gen_dense.py) in a temp dir, then runs, each
# command alternating with the ones it is compared with so that machine noise hits both sides alike. SECTIONS is
# a comma-separated list (default: rg,threads,stdin,archives,startup,unexplained; --skip-extra means rg):
#   rg           stackscan vs `rg -c -j2 -f <the pack's patterns>` on a directory of several files (medians,
#                MiB/s, CPU, peak RSS, ratio);
#   threads      --threads 1 vs --threads 2 on one big file of the same size;
#   stdin        the big file vs the same bytes on stdin: through a pipe from `cat` (which copies every byte into
#                the pipe on one of the cores the scan uses) and from `pv -q` when installed (which splices pages
#                into the pipe without copying them), each next to its pipe alone (`| wc -c`), and redirected
#                (`stackscan scan - < file`, the stream path with no second process);
#   archives     a directory of .gz and .zst copies of the several files (CPU use: both cores busy?);
#   startup      the embedded pack loaded and an empty log file scanned (hyperfine when installed);
#   unexplained  the scan vs the same with `--unexplained 0` (the unexplained-errors section's cost);
#   mixed        stackscan vs rg on a directory of mixed file sizes (3 of 64 MiB, 64 of 1-2 MiB): what a file costs
#                beyond its bytes;
#   dense        logs in a storm (gen_dense.py): per layout, files of --dense-size bytes with 0%, 10% and 50%
#                matching lines; the CPU per matching record beyond the same bytes of noise, the ratio to rg, and
#                the unexplained section's cost there;
#   templates    `templates --whole-line --threads 1` on the 16 Loghub-2k files concatenated 30 times (MB/s per
#                core, from CPU time).
# --bin measures that binary instead of building target/release/stackscan (an old build, for before/after).
# --before OLD_BINARY (dense only) scans each storm file with that build too, in the same rounds, and prints its CPU
# per matching record beside the measured build's: a before/after that the machine's drift does not tilt.
# Everything is removed on exit unless --keep names a directory to generate into (kept, and reused if present).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
size=256M density=0.001 runs=5 files=8 keep="" near=0.0005 bin="" dense_size=128M before=""
only="rg,threads,stdin,archives,startup,unexplained" layouts="agent,es-plain,es-json,k2es"
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size="$2"; shift 2 ;;
    --density) density="$2"; shift 2 ;;
    --near) near="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --files) files="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    --bin) bin="$2"; shift 2 ;;
    --before) before="$(realpath "$2")"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --skip-extra) only="rg"; shift ;;
    --dense-size) dense_size="$2"; shift 2 ;;
    --layouts) layouts="$2"; shift 2 ;;
    -h|--help) sed -n '2,31p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
want() { case ",$only," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
to_bytes() {
  python3 -c "import sys;s=sys.argv[1].upper();m={'K':1<<10,'M':1<<20,'G':1<<30};print(int(float(s[:-1])*m[s[-1]]) if s[-1] in m else int(s))" "$1"
}
bytes=$(to_bytes "$size")

if [ -n "$keep" ]; then
  work="$keep"; mkdir -p "$work"
else
  work="$(mktemp -d "${TMPDIR:-/tmp}/stackscan-compare.XXXXXX")"
  trap 'rm -rf "$work"' EXIT INT TERM
fi

if [ -n "$bin" ]; then
  ss="$(realpath "$bin")"
else
  echo "== building stackscan (release)" >&2
  (cd "$root" && cargo build --release --quiet)
  ss="${CARGO_TARGET_DIR:-$root/target}/release/stackscan"
fi
command -v rg >/dev/null || cargo install ripgrep --locked
rg_bin="$(command -v rg)"

loghub="$root/../shared/corpus/loghub"
if { want rg || want threads || want stdin || want archives || want unexplained; } && [ ! -f "$work/single/big.log" ]; then
  echo "== generating $size corpus (density $density, near misses $near) in $work" >&2
  python3 "$here/gen_corpus.py" --rules "$root/rules/stackstate" --out "$work" --size "$bytes" \
    --density "$density" --near "$near" --files "$files" --loghub "$loghub" --patterns "$work/patterns.txt"
fi
# rg is given the current pack's patterns, also with a kept corpus (the pack may have changed since).
python3 -c "import sys; sys.path.insert(0, sys.argv[1]); import gen_corpus as g; g.write_patterns(sys.argv[3], g.load_pack(sys.argv[2])[2])" \
  "$here" "$root/rules/stackstate" "$work/patterns.txt"
corpus_bytes=0 big_bytes=0
if [ -d "$work/multi" ]; then corpus_bytes=$(du -cb "$work"/multi/*.log | tail -1 | cut -f1); fi
if [ -f "$work/single/big.log" ]; then big_bytes=$(stat -c %s "$work/single/big.log"); fi

# measure NAME CMD...: appends "wall_s max_rss_kib user_s sys_s" for one run to $work/NAME.times. GNU time runs
# the command and reports its peak RSS (of the command and of everything it waited for: both sides of a pipe);
# the wall time is taken around it from the monotonic clock, and the CPU time from the rusage wait4 gives for
# GNU time (which holds that of the command it waited for), in microseconds: GNU time's %e, %U and %S have 10 ms
# steps (6% of a 0.16 s scan, and the whole marginal cost of 3,000 matching records). Python does not spawn the
# command itself: a child it starts inherits its 14 MiB high-water RSS mark.
[ -x /usr/bin/time ] || { echo "compare.sh needs GNU time at /usr/bin/time (Debian: apt-get install time)" >&2; exit 1; }
measure() {
  local name="$1"; shift
  python3 - "$work/$name.times" "$work/.t" "$@" <<'EOF'
import os, subprocess, sys, tempfile, time
out, tfile, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
with tempfile.TemporaryFile() as err:
    t = time.monotonic()
    p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", tfile] + cmd, stdout=subprocess.DEVNULL, stderr=err)
    _, status, ru = os.wait4(p.pid, 0)
    e = time.monotonic() - t
    code = os.waitstatus_to_exitcode(status)
    # rg exits 1 when nothing matched (a noise file).
    if code != 0 and not (code == 1 and cmd[0].endswith("/rg")):
        err.seek(0)
        sys.stderr.write(err.read().decode(errors="replace"))
        sys.exit("command failed (%d): %s" % (code, " ".join(cmd)))
rss = open(tfile).read().split()[-1]
open(out, "a").write("%.4f %s %.6f %.6f\n" % (e, rss, ru.ru_utime, ru.ru_stime))
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
ratio() { # ratio NAME_SLOW NAME_FAST -> median(slow)/median(fast), wall time
  python3 - "$work/$1.times" "$work/$2.times" <<'EOF'
import statistics, sys
m = [statistics.median(float(l.split()[0]) for l in open(p) if l.strip()) for p in sys.argv[1:]]
print("%.2f" % (m[0] / m[1]))
EOF
}
cpu_ratio() { # cpu_ratio NAME_SLOW NAME_FAST -> median CPU time(slow) / median CPU time(fast)
  python3 - "$work/$1.times" "$work/$2.times" <<'EOF'
import statistics, sys
m = [statistics.median(float(l.split()[2]) + float(l.split()[3]) for l in open(p) if l.strip()) for p in sys.argv[1:]]
print("%.2f" % (m[0] / m[1]))
EOF
}

rm -f "$work"/*.times
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB RAM; load $(load)"
echo "== stackscan: $ss ($("$ss" --version)); rg: $($rg_bin --version 2>/dev/null | head -1); $runs runs each"

# versus_rg LABEL DIR BYTES NAME_SS NAME_RG: stackscan vs rg on the directory DIR, alternating.
versus_rg() {
  local label="$1" dir="$2" bytes="$3" a="$4" b="$5"
  echo "$label: stackscan scan --format json vs rg -c -j2 -f patterns"
  cat "$dir"/*.log >/dev/null
  for _ in $(seq "$runs"); do
    measure "$a" "$ss" scan --format json "$dir"
    measure "$b" "$rg_bin" -c -j2 -f "$work/patterns.txt" "$dir"
  done
  row "stackscan" "$a" "$bytes"
  row "rg -c -j2" "$b" "$bytes"
  echo "  ratio (rg time / stackscan time): $(ratio "$b" "$a")x; by CPU time: $(cpu_ratio "$b" "$a")x; load $(load)"
}

if want rg; then
  versus_rg "rg. directory of $files files ($(( corpus_bytes >> 20 )) MiB, density $density, near misses $near)" \
    "$work/multi" "$corpus_bytes" ss rg
fi

if want threads; then
  echo "threads. single big file ($(( big_bytes >> 20 )) MiB): --threads 1 vs --threads 2"
  cat "$work/single/big.log" >/dev/null
  for _ in $(seq "$runs"); do
    measure t1 "$ss" scan --threads 1 --format json "$work/single/big.log"
    measure t2 "$ss" scan --threads 2 --format json "$work/single/big.log"
  done
  row "--threads 1" t1 "$big_bytes"
  row "--threads 2" t2 "$big_bytes"
  echo "  speed-up (1 thread time / 2 threads time): $(ratio t1 t2)x"
fi

if want stdin; then
  echo "stdin. the big file vs the same bytes on stdin"
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
fi

if want archives; then
  echo "archives. directory of .gz and .zst copies"
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
fi

if want startup; then
  echo "startup. embedded pack loaded, empty log file scanned"
  # A file, not an empty directory: a scan that finds no log file at all is an error (exit 2).
  mkdir -p "$work/empty" && : > "$work/empty/empty.log"
  if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 5 --runs 50 --style basic --export-json "$work/startup.json" \
      "$ss scan --format json $work/empty/empty.log" >/dev/null 2>&1
    python3 - "$work/startup.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("  hyperfine: median %.1f ms, mean %.1f ms +- %.1f ms, min %.1f ms" % (
    r["median"] * 1e3, r["mean"] * 1e3, r["stddev"] * 1e3, r["min"] * 1e3))
EOF
  else
    for _ in $(seq 20); do measure start "$ss" scan --format json "$work/empty/empty.log"; done
    row "empty file" start 0
  fi
fi

if want unexplained; then
  echo "unexplained. directory of $files files: scan vs scan --unexplained 0 (the section's cost)"
  cat "$work"/multi/*.log >/dev/null
  for _ in $(seq "$runs"); do
    measure ux "$ss" scan --format json "$work/multi"
    measure ux0 "$ss" scan --format json --unexplained 0 "$work/multi"
  done
  row "scan" ux "$corpus_bytes"
  row "scan --unexplained 0" ux0 "$corpus_bytes"
  echo "  cost of the section: CPU time $(cpu_ratio ux ux0)x, wall time $(ratio ux ux0)x; load $(load)"
fi

if want mixed; then
  if [ ! -d "$work/mixed" ]; then
    echo "== generating the mixed-size corpus (3 x 64 MiB, 64 x 1-2 MiB, density $density) in $work/mixed" >&2
    python3 "$here/gen_corpus.py" --rules "$root/rules/stackstate" --out "$work" --size 0 --density "$density" \
      --near "$near" --loghub "$loghub" --mixed 3,64
  fi
  mixed_bytes=$(du -cb "$work"/mixed/*.log | tail -1 | cut -f1)
  versus_rg "mixed. $(find "$work/mixed" -maxdepth 1 -type f | wc -l) files of mixed sizes ($(( mixed_bytes >> 20 )) MiB)" \
    "$work/mixed" "$mixed_bytes" mx mxrg
fi

if want dense; then
  dense_bytes=$(to_bytes "$dense_size")
  for layout in ${layouts//,/ }; do
    if ! ls "$work/dense/$layout"/*/d50.log >/dev/null 2>&1; then
      echo "== generating the dense $layout corpus ($dense_size per file) in $work/dense" >&2
      python3 "$here/gen_dense.py" --out "$work/dense" --size "$dense_bytes" --layouts "$layout"
    fi
  done
  echo "dense. logs in a storm, $dense_size per file: scan --format json (and --unexplained 0) vs rg -c -j2 -f patterns"
  for layout in ${layouts//,/ }; do
    d="$(dirname "$(ls "$work/dense/$layout"/*/d50.log)")"
    cat "$d"/*.log >/dev/null
    for _ in $(seq "$runs"); do
      for f in noise d10 d50; do
        measure "dense-$layout-$f" "$ss" scan --format json "$d/$f.log"
        measure "dense-$layout-$f-u0" "$ss" scan --format json --unexplained 0 "$d/$f.log"
        measure "dense-$layout-$f-rg" "$rg_bin" -c -j2 -f "$work/patterns.txt" "$d/$f.log"
        if [ -n "$before" ]; then measure "dense-$layout-$f-before" "$before" scan --format json "$d/$f.log"; fi
      done
    done
    for f in noise d10 d50; do
      "$ss" scan --format json "$d/$f.log" | python3 -c "import json, sys; print(json.load(sys.stdin)['scan']['matches'])" \
        >"$work/dense-$layout-$f.matches"
    done
    echo "  $layout (load $(load))"
  done
  python3 - "$work" "$layouts" "$before" <<'EOF'
import statistics, sys
work, layouts, before = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
def runs(name):
    return [list(map(float, l.split())) for l in open("%s/%s.times" % (work, name)) if l.strip()]
def wall(name):
    return statistics.median(r[0] for r in runs(name))
def cpu(name):
    return statistics.median(r[2] + r[3] for r in runs(name))
def rss(name):
    return max(r[1] for r in runs(name)) / 1024
def extra(name, base):
    # The noise file and the storm files are scanned in turns, one round after another: the machine's speed
    # drifts between rounds, so the cost of the storm is taken round by round (paired) before the median.
    return statistics.median((a[2] + a[3]) - (b[2] + b[3]) for a, b in zip(runs(name), runs(base)))
print("  %-9s %-5s %9s %8s %8s %7s %8s %7s %12s %12s %9s" % (
    "layout", "file", "matches", "wall s", "rg s", "rg/ss", "cpu s", "rg cpu", "us/match", "(unexpl. 0)", "unexpl."))
marginal, old = [], []
for layout in layouts:
    base = "dense-%s-noise" % layout
    for f in ["noise", "d10", "d50"]:
        n = "dense-%s-%s" % (layout, f)
        matches = int(open("%s/%s.matches" % (work, n)).read())
        per = per0 = ""
        if f != "noise" and matches:
            m = extra(n, base) / matches * 1e6
            m0 = extra(n + "-u0", base + "-u0") / matches * 1e6
            marginal.append((m, layout, f))
            per, per0 = "%.2f" % m, "%.2f" % m0
            if before:
                old.append((extra(n + "-before", base + "-before") / matches * 1e6, layout, f))
                per0 += "  (before %.2f)" % old[-1][0]
        print("  %-9s %-5s %9d %8.3f %8.3f %6.2fx %8.3f %7.3f %12s %12s %8.0f%%  peak RSS %.1f MiB" % (
            layout, f, matches, wall(n), wall(n + "-rg"), wall(n + "-rg") / wall(n), cpu(n), cpu(n + "-rg"), per, per0,
            (cpu(n) / cpu(n + "-u0") - 1) * 100, rss(n)))
if marginal:
    worst = max(marginal)
    print("  CPU per matching record beyond the same bytes of noise: median %.2f us, worst %.2f us (%s %s)" % (
        statistics.median(m for m, _, _ in marginal), worst[0], worst[1], worst[2]))
if old:
    worst = max(old)
    print("  the same for %s, in the same rounds: median %.2f us, worst %.2f us (%s %s)" % (
        before, statistics.median(m for m, _, _ in old), worst[0], worst[1], worst[2]))
EOF
fi

if want templates; then
  lh="$work/loghub30.log"
  if [ ! -f "$lh" ]; then
    # awk 1: each file's last line ends with a newline, so no two lines are joined where files meet.
    for _ in $(seq 30); do awk 1 "$loghub"/*_2k.log; done >"$lh"
  fi
  lh_bytes=$(stat -c %s "$lh")
  echo "templates. templates --whole-line --threads 1 on the 16 Loghub-2k files 30 times ($(( lh_bytes / 1000000 )) MB)"
  for _ in $(seq "$runs"); do
    measure tpl "$ss" templates --whole-line --threads 1 "$lh"
  done
  row "templates --whole-line" tpl "$lh_bytes"
  python3 - "$work/tpl.times" "$lh_bytes" <<'EOF'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
cpu = statistics.median(r[2] + r[3] for r in rows)
print("  MB/s per core (bytes / median CPU time): %.0f" % (int(sys.argv[2]) / 1e6 / cpu))
EOF
  echo "  load $(load)"
fi
