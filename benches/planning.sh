#!/usr/bin/env bash
# The per-node figures of the README's "The numbers for planning": what one `scan` costs per GiB (CPU seconds and
# peak RSS), what `follow` costs at a steady write rate, and how large a report is.
#
#   benches/planning.sh [SIZE_MIB=1024] [RATE=2000] [SECONDS=120]
#
# scan: a generated StackState-like corpus of SIZE_MIB (benches/gen_corpus.py, 0.1% matching lines, 16 files) is
# scanned three times with the default thread count; CPU seconds (user + system) and peak RSS come from GNU time,
# the median run is printed. CPU seconds per GiB do not depend on how many cores the node has; wall time does.
#
# follow: a writer appends lines drawn from the same corpus to four log files at RATE lines per second (in 10 batches
# a second, as a logging framework flushes) for SECONDS; `follow --format ndjson` with a checkpoint runs on the
# directory the whole time. Its CPU time is read from /proc/PID/stat and its peak RSS (VmHWM) from
# /proc/PID/status before it is stopped; the events it printed are counted.
#
# report: the size of the JSON report (with its mergeable state) of the corpus scan and of the fixture server.
#
# Needs python3 and GNU time (/usr/bin/time). Builds target/release/stackscan.
set -euo pipefail
size_mib="${1:-1024}" rate="${2:-2000}" secs="${3:-120}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
[ -x /usr/bin/time ] || { echo "needs GNU time at /usr/bin/time (Debian: apt-get install time)" >&2; exit 1; }
(cd "$root" && cargo build --release --quiet)
ss="$root/target/release/stackscan"
work="$(mktemp -d "${TMPDIR:-/tmp}/stackscan-planning.XXXXXX")"
follow_pid=""
cleanup() {
  if [ -n "$follow_pid" ]; then kill "$follow_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "== generating a $size_mib MiB corpus in $work" >&2
python3 "$here/gen_corpus.py" --rules "$root/rules/stackstate" --out "$work/corpus" \
  --size $((size_mib << 20)) --density 0.001 --files 16 --loghub "$root/../shared/corpus/loghub" \
  --patterns "$work/patterns.txt" >&2
rm -rf "$work/corpus/single"
bytes=$(du -cb "$work"/corpus/multi/*.log | tail -1 | cut -f1)

echo "== scan, 3 runs" >&2
for i in 1 2 3; do
  /usr/bin/time -f "%e %U %S %M" -o "$work/t.$i" "$ss" scan --format json "$work/corpus/multi" > "$work/report.json" || [ $? -eq 1 ]
done
python3 - "$bytes" "$work"/t.1 "$work"/t.2 "$work"/t.3 <<'PY'
import sys
size = int(sys.argv[1]); gib = size / 2**30
runs = sorted((float(u) + float(s), float(e), int(m)) for e, u, s, m in (open(p).read().split()[-4:] for p in sys.argv[2:]))
cpu, wall, rss = runs[1]
print(f"scan   {size / 2**20:.0f} MiB: {cpu:.2f} CPU s ({cpu / gib:.2f} CPU s/GiB), {wall:.2f} s wall, "
      f"peak RSS {max(r[2] for r in runs) / 1024:.1f} MiB")
PY

echo "== follow at $rate lines/s for $secs s" >&2
mkdir -p "$work/logs"
"$ss" follow --format ndjson --state "$work/checkpoint.json" "$work/logs" > "$work/events.ndjson" 2> "$work/follow.err" &
follow_pid=$!
sleep 1
python3 - "$work/corpus/multi" "$work/logs" "$rate" "$secs" > "$work/written" <<'PY'
import glob, itertools, os, sys, time
src, out, rate, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
names = ["stackstate-receiver.log", "kafkaMultiMetricsToES.log", "kafkaToES.log", "elasticsearch.log"]
files = [open(os.path.join(out, n), "ab", buffering=0) for n in names]
lines = itertools.cycle(l for p in sorted(glob.glob(src + "/*.log")) for l in open(p, "rb"))
per_batch = max(1, rate // 10)
start, written, n = time.monotonic(), 0, 0
while (now := time.monotonic()) - start < secs:
    for f in files:
        batch = b"".join(next(lines) for _ in range(per_batch // len(files)))
        f.write(batch)
        written += len(batch); n += per_batch // len(files)
    time.sleep(max(0.0, start + (n / rate) - time.monotonic()))
print(n, written, time.monotonic() - start)
PY
sleep 2
read -r lines written wall < "$work/written"
python3 - "$follow_pid" "$lines" "$written" "$wall" "$work/events.ndjson" <<'PY'
import os, sys
pid, lines, written, wall = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
stat = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
cpu = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
hwm = next(int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith("VmHWM"))
events = sum(1 for _ in open(sys.argv[5]))
print(f"follow {lines / wall:.0f} lines/s ({written / wall / 1024:.0f} KiB/s) for {wall:.0f} s: {cpu:.2f} CPU s "
      f"({100 * cpu / wall:.1f}% of a core, {cpu / (written / 2**30):.2f} CPU s/GiB), peak RSS {hwm / 1024:.1f} MiB, "
      f"{events} events")
PY
kill "$follow_pid"; wait "$follow_pid" 2>/dev/null || true; follow_pid=""

echo "== report sizes" >&2
fixture_report="$("$ss" scan --format json "$root/fixtures/linux" | wc -c)" || true
python3 - "$work/report.json" "$fixture_report" <<'PY'
import json, os, sys
r = json.load(open(sys.argv[1]))
state = len(json.dumps(r["state"], separators=(",", ":")))
print(f"report corpus scan: {os.path.getsize(sys.argv[1]) / 1024:.0f} KiB JSON ({len(r['incidents'])} incidents, "
      f"state {state / 1024:.0f} KiB); fixture server: {int(sys.argv[2]) / 1024:.0f} KiB")
PY
