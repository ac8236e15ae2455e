//! Merging node reports (`stackscan merge`): 100 and 1,000 JSON reports of the fixture server, each as another
//! node (its own host name), read, merged and correlated. The figures plan a cluster-wide scan: see the README's
//! "Beyond one machine".

// criterion's macros define undocumented functions.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use stackscan::aggregate::{Combiner, ScanState};
use stackscan::report::{Format, Report, Style};
use stackscan::rules::Pack;
use stackscan::scan::ScannerBuilder;
use stackscan::source;
use std::sync::Arc;

/// The JSON report of the fixture server as node `n`.
fn node_reports(pack: &Arc<Pack>, n: usize) -> Vec<String> {
    let (inputs, _, _) = source::discover(&["fixtures/linux".into()], &Default::default());
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let state =
            ScannerBuilder::new().host(Some(format!("node-{i:04}"))).build(pack.clone()).expect("pool").scan(&inputs);
        let mut buf = Vec::new();
        Report::with_state(pack, state).write(&mut buf, Format::Json, Style::default()).expect("report");
        out.push(String::from_utf8(buf).expect("utf-8"));
    }
    out
}

/// The part of a report `merge` reads.
#[derive(serde::Deserialize)]
struct Body {
    state: ScanState,
}

/// What `merge` does with the reports: parse each one's state, combine, correlate.
fn merge(pack: &Pack, reports: &[String]) -> usize {
    let mut combiner = Combiner::new();
    for r in reports {
        let body: Body = serde_json::from_str(r).expect("json");
        combiner.push(body.state).expect("same pack");
    }
    stackscan::correlate(pack, &combiner.finish().expect("same pack").expect("reports")).len()
}

fn merging(c: &mut Criterion) {
    let pack = Arc::new(Pack::embedded().expect("embedded pack"));
    let mut g = c.benchmark_group("merge_node_reports");
    g.sample_size(10);
    for n in [100usize, 1_000] {
        let reports = node_reports(&pack, n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &reports, |b, r| b.iter(|| merge(&pack, r)));
    }
    g.finish();
}

criterion_group!(benches, merging);
criterion_main!(benches);
