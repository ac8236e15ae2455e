#!/usr/bin/env python3
"""Dense corpora for benches/compare.sh --dense: logs in a storm (python3 stdlib only, seeded).

One directory per layout, each holding three files of the same size: `noise.log` (the layout's ordinary lines:
INFO and DEBUG, a few unexplained WARN lines, a few near misses) and `d10.log` / `d50.log`, the same noise with
10% / 50% of the lines replaced by the lines of one storm, as a component logs them when telemetry goes
missing: few distinct keys (one receiver address, three Elasticsearch nodes, two indices), times advancing a few
milliseconds a line. The CPU a scan spends on `dNN.log` beyond `noise.log`, divided by its matching records, is
the cost of a matching record.

Layouts and storms:
  agent      the Agent's `| CORE | ERROR |` lines: transactions refused by the receiver (`connect: connection
             refused`, one target, four endpoints), with `Too many errors for endpoint` lines among them
  es-plain   Elasticsearch's plain layout: low disk watermark lines of three nodes
  es-json    Elasticsearch 7's JSON layout: high disk watermark WARN lines of three nodes
  k2es       kafka-to-es logback: `failure in bulk execution:` and its item lines (ES's BulkResponse message: one
             `[N]: index [...], type [_doc], id [...], message [...]` line per failed document), cluster blocks on
             two indices

Usage: gen_dense.py --out DIR [--size BYTES] [--layouts agent,es-plain,es-json,k2es] [--densities 0.1,0.5]
           [--seed N] [--rules DIR --patterns FILE]
Writes OUT/<layout>/<dir>/noise.log and OUT/<layout>/<dir>/dNN.log (NN = density in percent), <dir> being the
component's directory in a Linux install (`stackstate-agent`, `elasticsearch`, `kafka-to-es`, ...: the scanner
tells the component from it), and with --patterns the pack's patterns for `rg -f` (as gen_corpus.py writes them).
"""

import argparse
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_corpus  # noqa: E402  (the pack's patterns for rg, written the same way)

INDICES = ["sts_multi_metrics", "sts_generic_events", "sts_topo_events", "sts_trace_events", "sts_state_events"]
NODES = ["stackstate-elasticsearch-master-0", "stackstate-elasticsearch-master-1", "stackstate-elasticsearch-master-2"]
NODE_IDS = ["Hj7kLm9nPq_Rs2tUv4wXyZ", "Zx9cVb8nMq_wE7rT6yUi5o", "Qa1sDf2gHj_Kl3zXc4vBn5"]
CHECKS = ["kubernetes_state", "cpu", "disk", "network", "kubelet", "memory", "load", "ntp"]
ENDPOINTS = ["intake/", "api/v1/series", "api/v1/check_run", "api/v1/container"]


def clock(t_ms):
    s = t_ms // 1000
    return (12 + s // 86400 % 10, s // 3600 % 24, s // 60 % 60, s % 60, t_ms % 1000)


# --- agent -----------------------------------------------------------------------------------------------------


def agent_ts(t):
    d, h, m, s, _ = clock(t)
    return "2024-03-%02d %02d:%02d:%02d UTC" % (d, h, m, s)


def agent_noise(r, t):
    ts = agent_ts(t)
    k = r.randrange(100)
    if k < 30:
        return "%s | CORE | INFO | (pkg/collector/worker/check_logger.go:%d in CheckStarted) | check:%s | Running check..." % (
            ts, r.randrange(30, 90), r.choice(CHECKS))
    if k < 60:
        return "%s | CORE | INFO | (pkg/collector/worker/check_logger.go:%d in CheckFinished) | check:%s | Done running check" % (
            ts, r.randrange(30, 90), r.choice(CHECKS))
    if k < 75:
        return "%s | PROCESS | DEBUG | (pkg/forwarder/transaction.go:%d in internalProcess) | Successfully posted payload to \"https://stackstate.example.com/receiver/stsAgent/api/v1/collector?api_key=*************************abcde\", the agent will only log transaction success every %d transactions" % (
            ts, r.randrange(100, 300), r.randrange(1, 500))
    if k < 88:
        return "%s | CORE | DEBUG | (pkg/aggregator/aggregator.go:%d in flushSeries) | Flushing %d series to the forwarder" % (
            ts, r.randrange(400, 900), r.randrange(100, 5000))
    if k < 96:
        return "%s | CORE | INFO | (pkg/serializer/serializer.go:%d in sendMetadata) | Sent host metadata payload, size (raw/compressed): %d/%d bytes." % (
            ts, r.randrange(300, 450), r.randrange(2000, 9000), r.randrange(500, 2000))
    if k < 99:
        return "%s | CORE | INFO | (pkg/forwarder/forwarder.go:353 in Start) | Forwarder started, sending to 1 endpoint(s) with %d worker(s) each: \"https://stackstate.example.com/receiver/stsAgent\" (1 api key(s))" % (
            ts, r.randrange(1, 5))
    # A warning no rule knows: mined as unexplained.
    return "%s | CORE | WARN | (pkg/collector/python/datadog_agent.go:131 in LogMessage) | disk:e5dffb8bef24336f | (disk.py:136) | Unable to get disk metrics for /host/proc/sys/fs/binfmt_misc: [Errno 40] Too many levels of symbolic links" % ts


def agent_storm(r, t):
    ts = agent_ts(t)
    if r.randrange(20) == 0:
        return ["%s | CORE | WARN | (comp/forwarder/defaultforwarder/worker.go:%d in process) | Too many errors for endpoint 'https://stackstate.example.com/receiver/stsAgent/%s': retrying later" % (
            ts, r.choice([127, 131]), r.choice(ENDPOINTS))]
    return ["%s | %s | ERROR | (comp/forwarder/defaultforwarder/worker.go:191 in process) | Error while processing transaction: error while sending transaction, rescheduling it: Post \"https://stackstate.example.com/receiver/stsAgent/%s?api_key=*****5e6f7\": dial tcp 10.0.3.21:443: connect: connection refused" % (
        ts, r.choice(["CORE", "CORE", "PROCESS"]), r.choice(ENDPOINTS))]


# --- Elasticsearch, plain and JSON --------------------------------------------------------------------------------


def es_ts(t):
    d, h, m, s, ms = clock(t)
    return "2024-03-%02dT%02d:%02d:%02d,%03d" % (d, h, m, s, ms)


def es_message(r, t):
    """(level, logger, message) of an ordinary Elasticsearch line."""
    k = r.randrange(100)
    node = r.choice(NODES)
    idx = "%s-2024.03.%02d" % (r.choice(INDICES), r.randrange(1, 29))
    if k < 35:
        return "INFO ", "o.e.c.m.MetadataMappingService", "[%s] [%s/AbCdEf%02dXyZ] update_mapping [_doc]" % (node, idx, r.randrange(99))
    if k < 55:
        return "INFO ", "o.e.m.j.JvmGcMonitorService", "[%s] [gc][%d] overhead, spent [%dms] collecting in the last [1s]" % (node, r.randrange(10**6), r.randrange(250, 900))
    if k < 70:
        return "INFO ", "o.e.c.r.a.AllocationService", "[%s] Cluster health status changed from [YELLOW] to [GREEN] (reason: [shards started [[%s][%d]]])." % (node, idx, r.randrange(5))
    if k < 82:
        return "INFO ", "o.e.c.m.MetadataCreateIndexService", "[%s] [%s] creating index, cause [auto(bulk api)], templates [%s], shards [1]/[1]" % (node, idx, idx.split("-")[0])
    if k < 92:
        return "DEBUG", "o.e.a.s.TransportSearchAction", "[%s] [%s][%d], node[%s], [P], s[STARTED], a[id=%s]: Failed to execute [SearchRequest{searchType=QUERY_THEN_FETCH}] lastShard [true]" % (
            node, idx, r.randrange(5), r.choice(NODE_IDS), r.choice(NODE_IDS))
    if k < 97:
        # A near miss of the watermark rules.
        return "INFO ", "o.e.c.r.a.DiskThresholdMonitor", "[%s] low disk watermark [85%%] no longer exceeded on [%s][%s][/usr/share/elasticsearch/data/nodes/0] free: %dgb[%d%%]" % (
            node, r.choice(NODE_IDS), node, r.randrange(20, 90), r.randrange(20, 90))
    # A warning no rule knows.
    return "WARN ", "o.e.m.j.JvmGcMonitorService", "[%s] [gc][young][%d][%d] duration [%d.%ds], collections [1]/[1.%ds], total [1.2s]/[1.1h], memory [1.1gb]->[600mb]/[2gb], all_pools {[young] [500mb]->[0b]/[0b]}" % (
        node, r.randrange(10**6), r.randrange(10**4), r.randrange(1, 4), r.randrange(10), r.randrange(10))


def watermark(r, which):
    n = r.randrange(3)
    node = NODES[n]
    if which == "low":
        return "INFO ", "o.e.c.r.a.DiskThresholdMonitor", "[%s] low disk watermark [85%%] exceeded on [%s][%s][/usr/share/elasticsearch/data/nodes/0] free: %d.%dgb[%d.%d%%], replicas will not be assigned to this node" % (
            node, NODE_IDS[n], node, r.randrange(10, 15), r.randrange(10), r.randrange(10, 15), r.randrange(10))
    return "WARN ", "o.e.c.r.a.DiskThresholdMonitor", "[%s] high disk watermark [90%%] exceeded on [%s][%s][/usr/share/elasticsearch/data/nodes/0] free: %d.%dgb[%d.%d%%], shards will be relocated away from this node; currently relocating away shards totalling [0] bytes; the node is expected to continue to exceed the high disk watermark when these relocations are complete" % (
        node, NODE_IDS[n], node, r.randrange(5, 10), r.randrange(10), r.randrange(5, 10), r.randrange(10))


def es_plain(t, level, logger, msg):
    return "[%s][%s][%s] %s" % (es_ts(t), level, logger, msg)


def es_json(t, level, logger, msg):
    node = msg[1:msg.index("]")] if msg.startswith("[") else NODES[0]
    body = msg[msg.index("] ") + 2:] if msg.startswith("[") else msg
    return '{"type": "server", "timestamp": "%sZ", "level": "%s", "component": "%s", "cluster.name": "stackstate", "node.name": "%s", "message": "%s", "cluster.uuid": "x9Y8z7WvU6tS5rQ4", "node.id": "%s"}' % (
        es_ts(t), level.strip(), logger, node, body.replace('"', '\\"'), NODE_IDS[NODES.index(node)] if node in NODES else NODE_IDS[0])


def es_plain_noise(r, t):
    return es_plain(t, *es_message(r, t))


def es_plain_storm(r, t):
    return [es_plain(t, *watermark(r, "low"))]


def es_json_noise(r, t):
    return es_json(t, *es_message(r, t))


def es_json_storm(r, t):
    return [es_json(t, *watermark(r, "high"))]


# --- kafka-to-es --------------------------------------------------------------------------------------------------


def logback_ts(t):
    d, h, m, s, ms = clock(t)
    return "2024-03-%02d %02d:%02d:%02d,%03d" % (d, h, m, s, ms)


def k2es_noise(r, t):
    ts = logback_ts(t)
    k = r.randrange(100)
    thread = "[KafkaToES-akka.actor.default-dispatcher-%d]" % r.randrange(2, 40)
    if k < 40:
        return "%s %s INFO  c.s.k.e.s.BulkIndexer - Indexed %d documents into %s-2024.03.%02d in %d ms" % (
            ts, thread, r.randrange(2000), r.choice(INDICES), r.randrange(1, 29), r.randrange(400))
    if k < 60:
        return "%s [main] INFO  org.apache.kafka.clients.consumer.internals.ConsumerCoordinator - [Consumer clientId=consumer-%d, groupId=sts_multi_metrics] Setting offset for partition %s-%d to the committed offset FetchPosition{offset=%d, offsetEpoch=Optional.empty}" % (
            ts, r.randrange(9), r.choice(INDICES), r.randrange(12), r.randrange(10**8))
    if k < 75:
        return "%s %s DEBUG c.s.k.e.s.ElasticsearchBulkWriter - Flushing batch of %d documents for %s-2024.03.%02d" % (
            ts, thread, r.randrange(2000), r.choice(INDICES), r.randrange(1, 29))
    if k < 88:
        return "%s %s INFO  c.s.k.e.KafkaConsumer - Consumed %d messages from %s in %d ms" % (
            ts, thread, r.randrange(5000), r.choice(INDICES), r.randrange(1000))
    if k < 96:
        return "%s [kafka-coordinator-heartbeat-thread | sts_multi_metrics] INFO  org.apache.kafka.clients.consumer.internals.AbstractCoordinator - [Consumer clientId=consumer-%d, groupId=sts_multi_metrics] Successfully joined group with generation Generation{generationId=%d, memberId='consumer-%d-%x', protocol='range'}" % (
            ts, r.randrange(9), r.randrange(500), r.randrange(9), r.getrandbits(48))
    if k < 98:
        # A near miss of the bulk rules.
        return "%s %s INFO  c.s.kafkatoes.ElasticsearchBulkWriter - Bulk request succeeded: indexed %d documents in %dms" % (
            ts, thread, r.randrange(2000), r.randrange(400))
    # A warning no rule knows.
    return "%s %s WARN  c.s.k.e.s.BulkIndexer - Slow bulk request: %d ms for %d documents" % (
        ts, thread, r.randrange(2000, 9000), r.randrange(2000))


def k2es_storm(r, t):
    ts = logback_ts(t)
    idx = "%s-2024.03.12" % INDICES[r.randrange(2)]
    out = ["%s [KafkaToES-akka.actor.default-dispatcher-%d] ERROR c.s.kafkatoes.ElasticsearchBulkWriter - failure in bulk execution:" % (
        ts, r.randrange(2, 40))]
    for i in range(r.randrange(2, 12)):
        doc = "%x" % r.getrandbits(64)
        out.append("[%d]: index [%s], type [_doc], id [%s], message [ElasticsearchException[Elasticsearch exception [type=cluster_block_exception, reason=index [%s] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];]]]" % (
            i, idx, doc, idx))
    return out


# name: (noise, storm, the directory the files are in: the component's directory of a Linux install, which the
# scanner takes the component from)
LAYOUTS = {
    "agent": (agent_noise, agent_storm, "stackstate-agent"),
    "es-plain": (es_plain_noise, es_plain_storm, "elasticsearch"),
    "es-json": (es_json_noise, es_json_storm, "elasticsearch7"),
    "k2es": (k2es_noise, k2es_storm, "kafka-to-es"),
}


def write(path, size, density, noise, storm, seed):
    """`size` bytes of the layout: storm blocks while their lines are below `density` of the lines written."""
    noise_r, storm_r, clock_r = random.Random(seed), random.Random(seed + 1), random.Random(seed + 2)
    t = 0
    n = lines = storm_lines = 0
    with open(path, "w", buffering=1 << 20) as f:
        while n < size:
            t += clock_r.randrange(20)
            if density > 0 and storm_lines < density * (lines + 1):
                block = storm(storm_r, t)
                storm_lines += len(block)
            else:
                block = [noise(noise_r, t)]
            text = "\n".join(block) + "\n"
            f.write(text)
            n += len(text)
            lines += len(block)
    return lines, storm_lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--size", type=int, default=128 << 20)
    ap.add_argument("--layouts", default=",".join(LAYOUTS))
    ap.add_argument("--densities", default="0.1,0.5")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--rules", default="")
    ap.add_argument("--patterns", default="")
    a = ap.parse_args()
    densities = [float(d) for d in a.densities.split(",") if d]
    for name in a.layouts.split(","):
        noise, storm, component = LAYOUTS[name]
        d = os.path.join(a.out, name, component)
        os.makedirs(d, exist_ok=True)
        for density in [0.0] + densities:
            file = "noise.log" if density == 0 else "d%02d.log" % round(density * 100)
            lines, hits = write(os.path.join(d, file), a.size, density, noise, storm, a.seed)
            print("%s/%s: %d lines, %d storm lines (%.1f%%)" % (name, file, lines, hits, 100.0 * hits / max(lines, 1)),
                  file=sys.stderr)
    if a.patterns and a.rules:
        _, _, patterns = gen_corpus.load_pack(a.rules)
        gen_corpus.write_patterns(a.patterns, patterns)


if __name__ == "__main__":
    main()
