//! stdin throughput against the same bytes from a file, end to end through the binary: `scan -` reads one
//! stream block by block on one worker, `scan FILE` cuts the file into chunks on every core. Both runs scan a
//! `kubectl logs --prefix --timestamps` capture (prefix stripping on candidate lines) and the same bytes
//! without prefixes (plain lines).
//!
//!     cargo bench --bench stdin

#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// About 24 MiB of log text, from the shipped fixtures.
fn corpus(prefixed: bool) -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut one = Vec::new();
    for rel in [
        "linux/opt/stackstate/var/log/stackstate-receiver/stackstate-receiver.log",
        "linux/opt/stackstate/var/log/kafka-to-es/kafkaMultiMetricsToES.log",
        "linux/opt/stackstate/var/log/elasticsearch7/stackstate.log",
    ] {
        let text = std::fs::read(root.join(rel)).expect("fixture");
        if prefixed {
            for line in text.split_inclusive(|&b| b == b'\n') {
                one.extend_from_slice(
                    b"[pod/stackstate-receiver-5b9d79db86-h2hkz/receiver] 2024-03-12T10:00:00.000000000Z ",
                );
                one.extend_from_slice(line);
            }
        } else {
            one.extend_from_slice(&text);
        }
    }
    let mut out = Vec::with_capacity(24 << 20);
    while out.len() < 24 << 20 {
        out.extend_from_slice(&one);
    }
    out
}

fn run(args: &[&str], stdin: Option<&[u8]>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stackscan"))
        .arg("scan")
        .args(["--format", "json"])
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run stackscan");
    if let Some(bytes) = stdin {
        let mut w = child.stdin.take().expect("stdin");
        w.write_all(bytes).expect("feed stdin");
        drop(w);
    }
    assert!(child.wait().expect("wait").success());
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, prefixed) in [("plain", false), ("kubectl-prefix-timestamps", true)] {
        let bytes = corpus(prefixed);
        let file = dir.path().join(format!("{name}.log"));
        std::fs::write(&file, &bytes).expect("write corpus");
        let mut g = c.benchmark_group(format!("stdin/{name}"));
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.sample_size(10);
        g.bench_function("stdin", |b| b.iter(|| run(&["-", "--component", "receiver"], Some(&bytes))));
        g.bench_function("file", |b| {
            b.iter(|| run(&[file.to_str().expect("utf-8 path"), "--component", "receiver"], None))
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
