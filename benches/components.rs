//! Criterion benches of the pieces around the hot path, each alone: the literal prefilter over a buffer, timestamp
//! parsing of line starts, and the correlator turning many aggregates into incidents.

#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use stackscan::aggregate::episode::Aggregates;
use stackscan::aggregate::{ScanState, ScannedFile};
use stackscan::correlate::correlate;
use stackscan::rules::Pack;
use stackscan::scan::{scan_block, Block, Scratch};
use stackscan::source::Origin;
use stackscan::time::{parse_line_start, Zone};

/// Lines of every layout stackscan reads (logback with and without thread, ES plain and JSON, agent, Kafka).
const NOISE: &[&str] = &[
    "2024-03-12 10:00:01,123 [StsReceiver-akka.actor.default-dispatcher-7] INFO  com.stackstate.api.ReceiverRoutes - 10.1.2.3 - POST http://stackstate:7077/stsAgent/api/v1/series (20480): 202 Accepted",
    "2024-03-12 10:00:01,456 INFO  c.s.k.e.s.BulkIndexer - Indexed 500 documents into sts_multi_metrics-2024.03.12 in 41 ms",
    "[2024-03-12T10:00:02,001][INFO ][o.e.c.r.a.DiskThresholdMonitor] [sts-prod-01] low disk watermark [85%] no longer exceeded on [Qm7][sts-prod-01][/data] free: 40gb[40%]",
    "{\"type\": \"server\", \"timestamp\": \"2024-03-12T10:00:02,501Z\", \"level\": \"INFO\", \"component\": \"o.e.c.m.MetadataMappingService\", \"cluster.name\": \"stackstate\", \"message\": \"update_mapping [_doc]\"}",
    "2024-03-12 10:00:02 UTC | CORE | INFO | (pkg/collector/worker/check_logger.go:40 in CheckStarted) | check:kubernetes_state | Running check...",
    "[2024-03-12 10:00:03,004] INFO [ReplicaFetcher replicaId=1, leaderId=0, fetcherId=0] Truncating partition sts_multi_metrics-3 to local high watermark 1234 (kafka.server.ReplicaFetcherThread)",
    "\tat akka.dispatch.Mailbox.run(Mailbox.scala:230)",
];

/// Every example line of the pack: hits of every rule, so the correlator sees every kind of episode.
fn hits(pack: &Pack) -> Vec<String> {
    pack.rules().iter().flat_map(|r| r.examples.iter().map(|e| e.line.clone())).collect()
}

fn corpus(bytes: usize, hit_every: usize, hits: &[String]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes + 1024);
    let mut i = 0usize;
    while out.len() < bytes {
        if hit_every > 0 && i % hit_every == hit_every - 1 {
            out.extend_from_slice(hits[(i / hit_every) % hits.len()].as_bytes());
        } else {
            out.extend_from_slice(NOISE[i % NOISE.len()].as_bytes());
        }
        out.push(b'\n');
        i += 1;
    }
    out
}

fn prefilter(c: &mut Criterion) {
    let pack = Pack::embedded().expect("embedded pack");
    let hits = hits(&pack);
    let mut g = c.benchmark_group("prefilter");
    for (name, every) in [("0.1pct", 1000), ("5pct", 20)] {
        let buf = corpus(8 << 20, every, &hits);
        g.throughput(Throughput::Bytes(buf.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(name), &buf, |b, buf| {
            b.iter(|| pack.prefilter_candidates(buf).expect("the embedded pack uses the prefilter"))
        });
    }
    g.finish();
}

/// Teddy over the pack's literals in the planned order against the same literals sorted: the plan relies on how
/// aho-corasick assigns buckets (rules/teddy.rs, pinned version), so an update that changes it shows here as
/// the gain vanishing.
fn teddy_order(c: &mut Criterion) {
    use aho_corasick::packed;
    let pack = Pack::embedded().expect("embedded pack");
    let planned = pack.searched_literals();
    let mut sorted = planned.clone();
    sorted.sort();
    let buf = corpus(8 << 20, 1000, &hits(&pack));
    let mut g = c.benchmark_group("prefilter");
    g.throughput(Throughput::Bytes(buf.len() as u64));
    for (name, lits) in [("planned_order", &planned), ("sorted_order", &sorted)] {
        let searcher = packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostFirst)
            .only_teddy(true)
            .heuristic_pattern_limits(false)
            .builder()
            .extend(lits)
            .build()
            .expect("Teddy on this machine");
        g.bench_with_input(BenchmarkId::from_parameter(name), &buf, |b, buf| {
            b.iter(|| searcher.find_iter(buf).count())
        });
    }
    g.finish();
}

fn timestamps(c: &mut Criterion) {
    let buf = corpus(4 << 20, 0, &[]);
    let lines: Vec<&[u8]> = buf.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    let mut g = c.benchmark_group("parse_line_start");
    g.throughput(Throughput::Bytes(buf.len() as u64));
    g.bench_function("mixed_layouts", |b| {
        b.iter(|| lines.iter().filter(|l| parse_line_start(l, Zone::UTC).is_some()).count())
    });
    g.finish();
}

/// Example lines whose key values are made distinct: every example that captures a key value, `copies` times,
/// each value prefixed with `h<n>` (a prefix keeps it inside the pattern's class: hosts, indices, topics). A
/// variant its rule no longer matches is simply not a hit.
fn distinct_hits(pack: &Pack, copies: usize) -> Vec<String> {
    let mut out = Vec::new();
    for r in pack.rules() {
        for e in &r.examples {
            let keyed: Vec<&str> =
                e.fields.iter().filter(|(k, v)| r.key.contains(k) && !v.is_empty()).map(|(_, v)| v.as_str()).collect();
            if keyed.is_empty() {
                continue;
            }
            for n in 0..copies {
                let mut line = e.line.clone();
                for v in &keyed {
                    line = line.replace(v, &format!("h{n}{v}"));
                }
                out.push(line);
            }
        }
    }
    out
}

fn correlator(c: &mut Criterion) {
    let pack = Pack::embedded().expect("embedded pack");
    let mut scratch = Scratch::new(&pack);
    let files: Vec<ScannedFile> = (0..8).map(|i| ScannedFile::new(format!("f{i}.log"), Origin::default())).collect();
    let mut g = c.benchmark_group("build_incidents");
    // The pack's examples (their keys repeat: about a hundred aggregates), and the same with distinct keys
    // (thousands of aggregates: many hosts, indices and topics failing at once).
    for hits in [hits(&pack), distinct_hits(&pack, 40)] {
        // Many hits (one line in five), in files of no known component: every rule applies and every key varies.
        let buf = corpus(4 << 20, 5, &hits);
        let origin = Origin::default();
        let mut agg = Aggregates::default();
        for file in 0..8u32 {
            let block = Block { buf: &buf, start: 0, file, origin: &origin, first_line: 0, base_offset: 0, mode: None };
            scan_block(&pack, &mut scratch, &block, Zone::UTC, &mut agg, None);
        }
        g.throughput(Throughput::Elements(agg.len() as u64));
        let state = ScanState { files: files.clone(), aggregates: agg, ..ScanState::new(pack.id()) };
        g.bench_function(BenchmarkId::from_parameter(format!("{}_aggregates", state.aggregates.len())), |b| {
            b.iter(|| correlate(&pack, &state).len())
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = prefilter, teddy_order, timestamps, correlator
}
criterion_main!(benches);
