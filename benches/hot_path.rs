//! Criterion benches of the hot path: the embedded pack searched over a generated buffer of StackState-like log
//! lines (bytes per second), at two match densities, and the compilation of the embedded pack.

#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use stackscan::rules::Pack;
use stackscan::scan::{scan_buffer, Scratch};
use stackscan::source::Origin;

const NOISE: &[&str] = &[
    "2024-03-12 10:00:01,123 [StsReceiver-akka.actor.default-dispatcher-7] INFO  com.stackstate.api.ReceiverRoutes - 10.1.2.3 - POST http://stackstate:7077/stsAgent/api/v1/series (20480): 202 Accepted",
    "2024-03-12 10:00:01,456 [KafkaToES-akka.actor.default-dispatcher-3] INFO  c.s.k.e.s.BulkIndexer - Indexed 500 documents into sts_multi_metrics-2024.03.12 in 41 ms",
    "[2024-03-12T10:00:02,001][INFO ][o.e.c.r.a.DiskThresholdMonitor] [sts-prod-01] low disk watermark [85%] no longer exceeded on [Qm7][sts-prod-01][/data] free: 40gb[40%]",
    "2024-03-12 10:00:02 UTC | CORE | INFO | (pkg/collector/worker/check_logger.go:40 in CheckStarted) | check:kubernetes_state | Running check...",
    "[2024-03-12 10:00:03,004] INFO [ReplicaFetcher replicaId=1, leaderId=0, fetcherId=0] Truncating partition sts_multi_metrics-3 to local high watermark 1234 (kafka.server.ReplicaFetcherThread)",
    "2024-03-12 10:00:03,220 [main] INFO  org.apache.kafka.clients.consumer.internals.ConsumerCoordinator - [Consumer clientId=consumer-1, groupId=k2es] Setting offset for partition sts_generic_events-0",
];

const HITS: &[&str] = &[
    "2024-03-12 11:42:10,422 [KafkaToES-akka.actor.default-dispatcher-20] ERROR c.s.k.e.s.BulkIndexer - Bulk request to index [sts_multi_metrics-2024.03.12] failed: first failure: {\"type\":\"cluster_block_exception\",\"reason\":\"index [sts_multi_metrics-2024.03.12] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];\"}",
    "2024-03-12 14:28:42,526 [kafka-producer-network-thread | producer-1] WARN  org.apache.kafka.clients.NetworkClient - [Producer clientId=producer-1] Connection to node 0 (kafka-0.stackstate.local/10.20.0.7:9092) could not be established. Broker may not be available.",
];

fn corpus(bytes: usize, hit_every: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes + 512);
    let mut i = 0usize;
    while out.len() < bytes {
        let line =
            if hit_every > 0 && i % hit_every == hit_every - 1 { HITS[i % HITS.len()] } else { NOISE[i % NOISE.len()] };
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
        i += 1;
    }
    out
}

fn hot_path(c: &mut Criterion) {
    let pack = Pack::embedded().expect("embedded pack");
    let mut scratch = Scratch::new(&pack);
    let origin = Origin::default();
    let mut g = c.benchmark_group("scan_buffer");
    for (name, every) in [("0.1pct", 1000), ("5pct", 20)] {
        let buf = corpus(8 << 20, every);
        g.throughput(Throughput::Bytes(buf.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(name), &buf, |b, buf| {
            b.iter(|| scan_buffer(&pack, &mut scratch, buf, &origin).len())
        });
    }
    g.finish();
}

fn pack_load(c: &mut Criterion) {
    c.bench_function("pack_compile_embedded", |b| b.iter(|| Pack::embedded().expect("embedded pack").rules().len()));
    // Loading grows about linearly with the rules: 1,000 and 10,000 generated rules, each with its own literal
    // start (the shape that made the Teddy planner's cost quadratic).
    let mut g = c.benchmark_group("pack_compile_generated");
    g.sample_size(10);
    for n in [1_000usize, 10_000] {
        let sources = generated_pack(n);
        g.bench_with_input(BenchmarkId::from_parameter(n), &sources, |b, s| {
            b.iter(|| Pack::from_sources(s.clone()).expect("generated pack").rules().len())
        });
    }
    g.finish();
}

/// A pack of `n` rules whose patterns start with distinct pseudo-random words, declaring the family they use.
fn generated_pack(n: usize) -> Vec<(String, String)> {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut word = || {
        (0..10)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (b'a' + (seed % 26) as u8) as char
            })
            .collect::<String>()
    };
    let mut text = String::from("[[family]]\nid = \"connection\"\n\n");
    for i in 0..n {
        let w = word();
        text.push_str(&format!(
            "[[rule]]\nid = \"gen.r{i:05}\"\ntitle = \"Generated {i}\"\nfamily = \"connection\"\nseverity = \"warning\"\n\
             components = [\"receiver\"]\npattern = '''{w} failed to (?P<target>\\S+)'''\nkey = [\"target\"]\n\
             next_steps = [\"look\"]\n\n[[rule.examples]]\nline = '''2024-03-12 10:00:00,000 ERROR x - {w} failed to h:{i}'''\n\n"
        ));
    }
    vec![("generated.toml".to_string(), text)]
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = hot_path, pack_load
}
criterion_main!(benches);
