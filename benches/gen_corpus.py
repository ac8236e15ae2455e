#!/usr/bin/env python3
"""Deterministic corpus generator for benches/compare.sh (python3 stdlib only).

Writes StackState-like log text: logback receiver / kafka-to-es lines with and without a thread, Elasticsearch plain
and JSON lines, agent lines, Kafka broker lines, Java stack traces, mixed with lines from ../shared/corpus/loghub/*.log
when present. A fraction `density` of the lines are matching lines taken from the rule pack's own examples
(rules/stackstate/*.toml), and a fraction `near` are the pack's counterexamples (near misses: they share literals
with the rules and so pass the prefilter, then must be rejected by the regexes).

Usage: gen_corpus.py --rules DIR --out DIR --size BYTES --density F [--near F] [--files N] [--seed N]
           [--loghub DIR] [--patterns FILE] [--no-single] [--mixed BIG,SMALL]
Creates OUT/multi/part-NN.log (N files, `size` bytes together) and OUT/single/big.log (`size` bytes), and writes
the pack's patterns, one per line, to FILE for `rg -f`. With --mixed, OUT/mixed/ instead: BIG files of 64 MiB and
SMALL files of 1 to 2 MiB each (sizes drawn from the seed), the shape of a real log directory, where what a file
costs beyond its bytes (planning, opening, probing its layout, setting up a worker) shows.
"""

import argparse
import glob
import os
import random
import re
import sys
import tomllib

LEVELS = ["INFO ", "INFO ", "INFO ", "DEBUG", "WARN ", "ERROR"]
LOGGERS = [
    "com.stackstate.api.ReceiverRoutes",
    "c.s.k.e.s.BulkIndexer",
    "c.s.kafkatoes.ElasticsearchBulkWriter",
    "org.apache.kafka.clients.consumer.internals.ConsumerCoordinator",
    "akka.actor.ActorSystemImpl",
    "com.stackstate.receiver.MetricsIntake",
]
INDICES = ["sts_multi_metrics", "sts_generic_events", "sts_topo_events", "sts_trace_events", "sts_state_events"]


def ts_logback(r, t):
    return "2024-03-%02d %02d:%02d:%02d,%03d" % (12 + t // 86400 % 10, t // 3600 % 24, t // 60 % 60, t % 60, r.randrange(1000))


def noise_line(r, t):
    k = r.randrange(12)
    ts = ts_logback(r, t)
    if k == 0:
        return "%s [StsReceiver-akka.actor.default-dispatcher-%d] INFO  com.stackstate.api.ReceiverRoutes - 10.1.%d.%d - POST http://stackstate:7077/stsAgent/api/v1/series (%d): 202 Accepted" % (
            ts, r.randrange(40), r.randrange(255), r.randrange(255), r.randrange(100000))
    if k == 1:
        return "%s [KafkaToES-akka.actor.default-dispatcher-%d] INFO  c.s.k.e.s.BulkIndexer - Indexed %d documents into %s-2024.03.%02d in %d ms" % (
            ts, r.randrange(40), r.randrange(2000), r.choice(INDICES), r.randrange(1, 29), r.randrange(400))
    if k == 2:
        # logback without a thread
        return "%s %s %s - Committed offsets for partition %s-%d at %d" % (
            ts, r.choice(LEVELS), r.choice(LOGGERS), r.choice(INDICES), r.randrange(12), r.randrange(10**9))
    if k == 3:
        return "[2024-03-12T%02d:%02d:%02d,%03d][INFO ][o.e.c.r.a.DiskThresholdMonitor] [sts-prod-0%d] low disk watermark [85%%] no longer exceeded on [Qm7%d][sts-prod-01][/data] free: %dgb[%d%%]" % (
            t // 3600 % 24, t // 60 % 60, t % 60, r.randrange(1000), r.randrange(3), r.randrange(99), r.randrange(20, 90), r.randrange(20, 90))
    if k == 4:
        return '{"type": "server", "timestamp": "2024-03-12T%02d:%02d:%02d,%03dZ", "level": "INFO", "component": "o.e.c.m.MetadataMappingService", "cluster.name": "stackstate", "node.name": "stackstate-elasticsearch-master-%d", "message": "[%s-2024.03.%02d/AbCdEf%d] update_mapping [_doc]", "cluster.uuid": "x9Y8z7", "node.id": "n0d3%d"}' % (
            t // 3600 % 24, t // 60 % 60, t % 60, r.randrange(1000), r.randrange(3), r.choice(INDICES), r.randrange(1, 29), r.randrange(99), r.randrange(9))
    if k == 5:
        return "2024-03-12 %02d:%02d:%02d UTC | CORE | INFO | (pkg/collector/worker/check_logger.go:%d in CheckStarted) | check:%s | Running check..." % (
            t // 3600 % 24, t // 60 % 60, t % 60, r.randrange(30, 90), r.choice(["kubernetes_state", "cpu", "disk", "network", "kubelet"]))
    if k == 6:
        return "2024-03-12 %02d:%02d:%02d UTC | PROCESS | DEBUG | (pkg/forwarder/transaction.go:%d in internalProcess) | Successfully posted payload to \"https://stackstate.example.com/stsAgent/intake/?api_key=*************************abcde\", the agent will only log transaction success every %d transactions" % (
            t // 3600 % 24, t // 60 % 60, t % 60, r.randrange(100, 300), r.randrange(1, 500))
    if k == 7:
        return "[2024-03-12 %02d:%02d:%02d,%03d] INFO [ReplicaFetcher replicaId=%d, leaderId=0, fetcherId=0] Truncating partition %s-%d to local high watermark %d (kafka.server.ReplicaFetcherThread)" % (
            t // 3600 % 24, t // 60 % 60, t % 60, r.randrange(1000), r.randrange(3), r.choice(INDICES), r.randrange(12), r.randrange(10**6))
    if k == 8:
        return "[2024-03-12 %02d:%02d:%02d,%03d] INFO [GroupCoordinator %d]: Member consumer-%d-%x in group k2es has joined (kafka.coordinator.group.GroupCoordinator)" % (
            t // 3600 % 24, t // 60 % 60, t % 60, r.randrange(1000), r.randrange(3), r.randrange(9), r.getrandbits(48))
    if k == 9:
        return "%s [main] INFO  org.apache.kafka.clients.consumer.internals.ConsumerCoordinator - [Consumer clientId=consumer-%d, groupId=k2es] Setting offset for partition %s-%d to the committed offset FetchPosition{offset=%d}" % (
            ts, r.randrange(9), r.choice(INDICES), r.randrange(12), r.randrange(10**8))
    if k == 10:
        return "%s [StsReceiver-akka.actor.default-dispatcher-%d] DEBUG com.stackstate.receiver.MetricsIntake - Received %d series, %d events, %d topology elements from host node-%d.cluster.local" % (
            ts, r.randrange(40), r.randrange(9000), r.randrange(40), r.randrange(300), r.randrange(200))
    return "%s [kafka-producer-network-thread | producer-%d] INFO  org.apache.kafka.clients.Metadata - [Producer clientId=producer-%d] Cluster ID: aBcD%d" % (
        ts, r.randrange(4), r.randrange(4), r.randrange(99))


def stack_trace(r, t):
    head = "%s [KafkaToES-akka.actor.default-dispatcher-%d] WARN  c.s.k.e.s.BulkIndexer - Retrying batch of %d documents after a timeout" % (
        ts_logback(r, t), r.randrange(40), r.randrange(1000))
    frames = [
        "java.util.concurrent.TimeoutException: Futures timed out after [%d seconds]" % r.randrange(5, 60),
        "\tat scala.concurrent.impl.Promise$DefaultPromise.ready(Promise.scala:259)",
        "\tat scala.concurrent.impl.Promise$DefaultPromise.result(Promise.scala:263)",
        "\tat scala.concurrent.Await$.$anonfun$result$1(package.scala:223)",
        "\tat com.stackstate.kafkatoes.sink.BulkIndexer.flush(BulkIndexer.scala:%d)" % r.randrange(40, 400),
        "\tat akka.actor.Actor.aroundReceive(Actor.scala:537)",
        "\tat akka.dispatch.Mailbox.run(Mailbox.scala:230)",
        "\t... %d common frames omitted" % r.randrange(3, 30),
    ]
    return [head] + frames[: r.randrange(3, len(frames) + 1)]


def load_pack(rules_dir):
    """The pack's example lines, counterexamples and patterns (fragments spliced in, as the loader does)."""
    examples, counter, patterns = [], [], []
    docs = []
    for path in sorted(glob.glob(os.path.join(rules_dir, "**", "*.toml"), recursive=True)):
        with open(path, "rb") as f:
            docs.append(tomllib.load(f))
    fragments = {f["name"]: "(?:%s)" % f["pattern"] for doc in docs for f in doc.get("fragment", [])}
    reference = re.compile(r"(?<!\\)((?:\\\\)*)\{\{([a-z][a-z0-9_]*)\}\}")
    for doc in docs:
        for rule in doc.get("rule", []):
            patterns.append(reference.sub(lambda m: m.group(1) + fragments[m.group(2)], rule["pattern"]))
            examples.extend(e["line"] for e in rule.get("examples", []))
            counter.extend(rule.get("counterexamples", []))
    return examples, counter, patterns


def loghub_lines(d):
    out = []
    for path in sorted(glob.glob(os.path.join(d, "*.log"))):
        with open(path, "rb") as f:
            for raw in f:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if line:
                    out.append(line)
    return out


def pool(r, size, density, near, examples, counter, loghub):
    """About `size` bytes of lines, deterministic for the seed."""
    lines, n, t = [], 0, 0
    while n < size:
        t += r.randrange(3)
        x = r.random()
        if x < density and examples:
            block = [r.choice(examples)]
        elif x < density + near and counter:
            block = [r.choice(counter)]
        else:
            y = r.random()
            if y < 0.03:
                block = stack_trace(r, t)
            elif y < 0.25 and loghub:
                block = [r.choice(loghub)]
            else:
                block = [noise_line(r, t)]
        for line in block:
            lines.append(line)
            n += len(line.encode()) + 1
    return lines


def write_files(r, lines, paths, size):
    """Fills each path with size/len(paths) bytes, drawing 64-line runs of the pool at random offsets."""
    per = size // len(paths)
    for p in paths:
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            n = 0
            while n < per:
                i = r.randrange(max(1, len(lines) - 64))
                data = ("\n".join(lines[i : i + 64]) + "\n").encode()
                f.write(data)
                n += len(data)


META = set("\\.+*?()|[]{}^$#&-~")


def old_syntax(p):
    """Drops escapes of non-meta punctuation (`\\'`): older regex-syntax versions (rg 13) reject them."""
    out, i = [], 0
    while i < len(p):
        c = p[i]
        if c == "\\" and i + 1 < len(p):
            n = p[i + 1]
            out.append(n if (not n.isalnum() and not n.isspace() and n not in META) else c + n)
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def write_patterns(path, patterns):
    """The pack's patterns for `rg -f`, one a line."""
    with open(path, "w") as f:
        for p in patterns:
            # rg joins the patterns into one regex, so capture names would clash: make groups non-capturing
            # (rg -c needs no captures). The pack's syntax is ASCII-only (unicode off), like stackscan's.
            p = re.sub(r"\(\?P?<[A-Za-z_][A-Za-z0-9_]*>", "(?:", p)
            f.write("(?-u:" + old_syntax(p) + ")\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--density", type=float, default=0.001)
    ap.add_argument("--near", type=float, default=0.0005)
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--loghub", default="")
    ap.add_argument("--patterns", default="")
    ap.add_argument("--no-single", action="store_true")
    ap.add_argument("--mixed", default="")
    a = ap.parse_args()
    r = random.Random(a.seed)
    examples, counter, patterns = load_pack(a.rules)
    lh = loghub_lines(a.loghub) if a.loghub and os.path.isdir(a.loghub) else []
    # A pool of unique text (up to 48 MiB), then files drawn from it in runs of 64 lines.
    if a.mixed:
        big, small = (int(x) for x in a.mixed.split(","))
        sizes = [64 << 20] * big + [r.randrange(1 << 20, 2 << 20) for _ in range(small)]
        lines = pool(r, min(sum(sizes), 48 << 20), a.density, a.near, examples, counter, lh)
        for i, size in enumerate(sizes):
            name = "big-%02d.log" % i if i < big else "small-%03d.log" % (i - big)
            write_files(r, lines, [os.path.join(a.out, "mixed", name)], size)
    else:
        lines = pool(r, min(a.size, 48 << 20), a.density, a.near, examples, counter, lh)
        write_files(r, lines, [os.path.join(a.out, "multi", "part-%02d.log" % i) for i in range(a.files)], a.size)
        if not a.no_single:
            write_files(r, lines, [os.path.join(a.out, "single", "big.log")], a.size)
    if a.patterns:
        write_patterns(a.patterns, patterns)
    print("corpus: %d example lines, %d counterexamples, %d loghub lines, %d patterns" % (
        len(examples), len(counter), len(lh), len(patterns)), file=sys.stderr)


if __name__ == "__main__":
    main()
