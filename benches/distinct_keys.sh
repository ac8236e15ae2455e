#!/usr/bin/env bash
# Memory and time of a scan whose every matching line names another key (an index per line: the adversarial case
# for aggregation), at two sizes, so the growth can be read: peak RSS must stay under 64 MiB and the time grow
# no faster than the input.
#
#   benches/distinct_keys.sh [SMALL=200000] [LARGE=2000000]
#
# Needs python3 and GNU time (/usr/bin/time). Builds target/release/stackscan.
set -euo pipefail
small="${1:-200000}" large="${2:-2000000}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ -x /usr/bin/time ] || { echo "needs GNU time at /usr/bin/time (Debian: apt-get install time)" >&2; exit 1; }
(cd "$root" && cargo build --release --quiet)
ss="$root/target/release/stackscan"
work="$(mktemp -d "${TMPDIR:-/tmp}/stackscan-keys.XXXXXX")"
trap 'rm -rf "$work"' EXIT
for n in "$small" "$large"; do
  python3 - "$n" "$work/kafkaMultiMetricsToES.$n.log" <<'PY'
import sys
n, out = int(sys.argv[1]), sys.argv[2]
with open(out, "w") as f:
    for i in range(n):
        f.write("2024-03-01 12:%02d:%02d,123 ERROR c.s.kafkatoes.ElasticsearchBulkWriter - Bulk request failed: "
                "ElasticsearchStatusException[Elasticsearch exception [type=cluster_block_exception, reason=index "
                "[sts_multi_metrics-%08d] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage "
                "watermark, index has read-only-allow-delete block];]]\n" % ((i // 60) % 60, i % 60, i))
PY
  size=$(stat -c %s "$work/kafkaMultiMetricsToES.$n.log")
  /usr/bin/time -f "%e %M" -o "$work/t" "$ss" scan --format json "$work/kafkaMultiMetricsToES.$n.log" > "$work/r.json"
  read -r secs kib < "$work/t"
  folded=$(python3 -c "import json;r=json.load(open('$work/r.json'));f=r['scan'].get('keys_folded',[]);print(sum(x['records'] for x in f), sum(x['keys'] for x in f))")
  printf "%9d lines (%5d MiB): %6.2f s, peak RSS %6.1f MiB, folded records/keys %s\n" \
    "$n" $((size >> 20)) "$secs" "$(echo "$kib / 1024" | bc -l)" "$folded"
done
