//! Criterion bench of the per-match path alone: buffers holding nothing but the matching lines of a storm (the
//! lines `benches/gen_dense.py` writes, in the layouts of the agent, Elasticsearch plain and JSON, and kafka-to-es),
//! scanned as the file of their component: the literal search, framing, the timestamp, the captures and the fold
//! into the aggregates, with and without mining the unexplained records. Measured in matching lines per second:
//! the inverse is the cost of one matching line (the dense corpora of `compare.sh --only dense` measure the same
//! end to end, as CPU beyond the same bytes of noise).

#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use stackscan::aggregate::episode::Aggregates;
use stackscan::aggregate::unexplained::Unexplained;
use stackscan::rules::Pack;
use stackscan::scan::{scan_block, Block, Scratch};
use stackscan::source::classify::origin_of_path;
use stackscan::time::Zone;

/// A small deterministic generator (xorshift), so the buffers are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const NODES: [&str; 3] =
    ["stackstate-elasticsearch-master-0", "stackstate-elasticsearch-master-1", "stackstate-elasticsearch-master-2"];
const NODE_IDS: [&str; 3] = ["Hj7kLm9nPq_Rs2tUv4wXyZ", "Zx9cVb8nMq_wE7rT6yUi5o", "Qa1sDf2gHj_Kl3zXc4vBn5"];
const ENDPOINTS: [&str; 4] = ["intake/", "api/v1/series", "api/v1/check_run", "api/v1/container"];

/// (hh, mm, ss, ms) of line `i`, a few milliseconds apart.
fn clock(i: u64) -> (u64, u64, u64, u64) {
    let t = i * 9;
    (t / 3_600_000 % 24, t / 60_000 % 60, t / 1000 % 60, t % 1000)
}

fn agent(i: u64, r: &mut Rng) -> String {
    let (h, m, s, _) = clock(i);
    if r.below(20) == 0 {
        return format!(
            "2024-03-12 {h:02}:{m:02}:{s:02} UTC | CORE | WARN | (comp/forwarder/defaultforwarder/worker.go:127 in process) | Too many errors for endpoint 'https://stackstate.example.com/receiver/stsAgent/{}': retrying later",
            ENDPOINTS[r.below(4) as usize]
        );
    }
    format!(
        "2024-03-12 {h:02}:{m:02}:{s:02} UTC | {} | ERROR | (comp/forwarder/defaultforwarder/worker.go:191 in process) | Error while processing transaction: error while sending transaction, rescheduling it: Post \"https://stackstate.example.com/receiver/stsAgent/{}?api_key=*****5e6f7\": dial tcp 10.0.3.21:443: connect: connection refused",
        ["CORE", "CORE", "PROCESS"][r.below(3) as usize],
        ENDPOINTS[r.below(4) as usize]
    )
}

fn watermark(r: &mut Rng, high: bool) -> (String, usize) {
    let n = r.below(3) as usize;
    let (node, id) = (NODES[n], NODE_IDS[n]);
    let (a, b, c, d) = (r.below(5) + 10, r.below(10), r.below(5) + 10, r.below(10));
    let msg = if high {
        format!("high disk watermark [90%] exceeded on [{id}][{node}][/usr/share/elasticsearch/data/nodes/0] free: {a}.{b}gb[{c}.{d}%], shards will be relocated away from this node; currently relocating away shards totalling [0] bytes; the node is expected to continue to exceed the high disk watermark when these relocations are complete")
    } else {
        format!("low disk watermark [85%] exceeded on [{id}][{node}][/usr/share/elasticsearch/data/nodes/0] free: {a}.{b}gb[{c}.{d}%], replicas will not be assigned to this node")
    };
    (msg, n)
}

fn es_plain(i: u64, r: &mut Rng) -> String {
    let (h, m, s, ms) = clock(i);
    let (msg, n) = watermark(r, false);
    format!("[2024-03-12T{h:02}:{m:02}:{s:02},{ms:03}][INFO ][o.e.c.r.a.DiskThresholdMonitor] [{}] {msg}", NODES[n])
}

fn es_json(i: u64, r: &mut Rng) -> String {
    let (h, m, s, ms) = clock(i);
    let (msg, n) = watermark(r, true);
    format!(
        "{{\"type\": \"server\", \"timestamp\": \"2024-03-12T{h:02}:{m:02}:{s:02},{ms:03}Z\", \"level\": \"WARN\", \"component\": \"o.e.c.r.a.DiskThresholdMonitor\", \"cluster.name\": \"stackstate\", \"node.name\": \"{}\", \"message\": \"{msg}\", \"cluster.uuid\": \"x9Y8z7WvU6tS5rQ4\", \"node.id\": \"{}\"}}",
        NODES[n], NODE_IDS[n]
    )
}

/// A `failure in bulk execution:` header and its item lines: several lines per call.
fn k2es(i: u64, r: &mut Rng) -> String {
    let (h, m, s, ms) = clock(i);
    let index = ["sts_multi_metrics-2024.03.12", "sts_generic_events-2024.03.12"][r.below(2) as usize];
    let mut out = format!(
        "2024-03-12 {h:02}:{m:02}:{s:02},{ms:03} [KafkaToES-akka.actor.default-dispatcher-{}] ERROR c.s.kafkatoes.ElasticsearchBulkWriter - failure in bulk execution:",
        r.below(38) + 2
    );
    for item in 0..2 + r.below(10) {
        out.push_str(&format!(
            "\n[{item}]: index [{index}], type [_doc], id [{:016x}], message [ElasticsearchException[Elasticsearch exception [type=cluster_block_exception, reason=index [{index}] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];]]]",
            r.next()
        ));
    }
    out
}

type Layout = (&'static str, &'static str, fn(u64, &mut Rng) -> String);

/// (name, the file it is read from: its path names the component, the line generator).
const LAYOUTS: [Layout; 4] = [
    ("agent", "/var/log/stackstate-agent/agent.log", agent),
    ("es-plain", "/opt/stackstate/var/log/elasticsearch/stackstate.log", es_plain),
    ("es-json", "/opt/stackstate/var/log/elasticsearch7/stackstate_server.json", es_json),
    ("k2es", "/opt/stackstate/var/log/kafka-to-es/kafkaMultiMetricsToES.log", k2es),
];

/// About `bytes` of a layout's storm lines; their number.
fn buffer(gen: fn(u64, &mut Rng) -> String, bytes: usize) -> (Vec<u8>, u64) {
    let mut r = Rng(0x2545_f491_4f6c_dd1d);
    let (mut out, mut lines, mut i) = (Vec::with_capacity(bytes + 4096), 0u64, 0u64);
    while out.len() < bytes {
        let text = gen(i, &mut r);
        lines += 1 + text.bytes().filter(|&b| b == b'\n').count() as u64;
        out.extend_from_slice(text.as_bytes());
        out.push(b'\n');
        i += 1;
    }
    (out, lines)
}

fn per_match(c: &mut Criterion) {
    let pack = Pack::embedded().expect("embedded pack");
    let mut scratch = Scratch::new(&pack);
    let mut g = c.benchmark_group("per_match");
    for (name, path, gen) in LAYOUTS {
        let origin = origin_of_path(std::path::Path::new(path));
        let (buf, lines) = buffer(gen, 2 << 20);
        g.throughput(Throughput::Elements(lines));
        for mine in [false, true] {
            let id = BenchmarkId::new(if mine { "mined" } else { "rules" }, name);
            g.bench_with_input(id, &buf, |b, buf| {
                b.iter(|| {
                    let block =
                        Block { buf, start: 0, file: 0, origin: &origin, first_line: 0, base_offset: 0, mode: None };
                    let mut agg = Aggregates::default();
                    let mut unexplained =
                        mine.then(|| Unexplained::new(stackscan::aggregate::unexplained::DEFAULT_CAP));
                    let counts = scan_block(&pack, &mut scratch, &block, Zone::UTC, &mut agg, unexplained.as_mut());
                    assert!(counts.matches > 0);
                    counts.matches
                })
            });
        }
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(4));
    targets = per_match
}
criterion_main!(benches);
