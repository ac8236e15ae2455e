//! `stackscan merge`: reports of parts of the logs, merged, give the incidents one scan of all of them gives.
//!
//! In-process (property): random partitions of the fixture trees, and of a generated tree with thousands of
//! episodes, into 2 to 8 parts; each part scanned, its JSON report written and read back, the states merged; the
//! incidents equal those of the whole scan (ids, counts, first and last seen, episodes, fields, samples), and the
//! scan statistics add up. Through the binary: the same for one partition, a report given twice counted once,
//! and bad reports refused.

use crate::util::*;
use proptest::prelude::*;
use serde_json::Value;
use stackscan::aggregate::{Combiner, ScanState};
use stackscan::report::{Format, Report, Style};
use stackscan::rules::Pack;
use stackscan::scan::ScannerBuilder;
use stackscan::source::{self, Input};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

fn pack() -> Arc<Pack> {
    static P: OnceLock<Arc<Pack>> = OnceLock::new();
    P.get_or_init(|| Arc::new(Pack::embedded().unwrap())).clone()
}

/// Every input under the fixture trees the tests partition.
fn fixture_inputs() -> &'static Vec<Input> {
    static I: OnceLock<Vec<Input>> = OnceLock::new();
    I.get_or_init(|| {
        let paths: Vec<PathBuf> =
            ["linux", "scenarios", "kubectl"].iter().map(|d| PathBuf::from(format!("fixtures/{d}"))).collect();
        let (inputs, _, missing) = source::discover(&paths, &Default::default());
        assert!(missing.is_empty());
        inputs
    })
}

/// A generated tree: 40 files whose lines name many indices and hosts over hours (thousands of episodes).
fn generated_inputs() -> &'static (tempfile::TempDir, Vec<Input>) {
    static G: OnceLock<(tempfile::TempDir, Vec<Input>)> = OnceLock::new();
    G.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        for f in 0..40 {
            let mut text = String::new();
            for i in 0..300 {
                let t = f * 997 + i * 61;
                text.push_str(&format!(
                    "2024-03-{:02} {:02}:{:02}:{:02},{:03} ERROR c.s.kafkatoes.ElasticsearchBulkWriter - Bulk request failed: \
                     ElasticsearchStatusException[Elasticsearch exception [type=cluster_block_exception, reason=index \
                     [sts_metrics-{}] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has \
                     read-only-allow-delete block];]]\n",
                    1 + (t / 86_400) % 28,
                    (t / 3600) % 24,
                    (t / 60) % 60,
                    t % 60,
                    t % 1000,
                    (f * 7 + i) % 230
                ));
                text.push_str(&format!(
                    "2024-03-{:02} {:02}:{:02}:{:02},000 WARN org.apache.kafka.clients.NetworkClient - [Producer clientId=producer-1] \
                     Connection to node -1 (kafka-{}.stackstate.local/10.20.0.{}:9092) could not be established. Broker may not be \
                     available.\n",
                    1 + (t / 86_400) % 28,
                    (t / 3600) % 24,
                    (t / 60) % 60,
                    t % 60,
                    i % 9,
                    i % 9
                ));
            }
            std::fs::write(dir.path().join(format!("stackstate-receiver-{f:02}.log")), text).unwrap();
        }
        let (inputs, _, _) = source::discover(&[dir.path().to_path_buf()], &Default::default());
        (dir, inputs)
    })
}

/// The state of some inputs, written as a JSON report and read back as `merge` reads it.
fn part_state(inputs: &[Input]) -> ScanState {
    let state = ScannerBuilder::new().threads(2).build(pack()).unwrap().scan(inputs);
    let mut buf = Vec::new();
    Report::with_state(&pack(), state).write(&mut buf, Format::Json, Style::default()).unwrap();
    let v: Value = serde_json::from_slice(&buf).unwrap();
    serde_json::from_value(v["state"].clone()).unwrap()
}

/// The incidents of a state, as the JSON report writes them.
fn incidents(state: &ScanState) -> Value {
    let mut buf = Vec::new();
    Report::of(&pack(), state).write(&mut buf, Format::Json, Style::default()).unwrap();
    let v: Value = serde_json::from_slice(&buf).unwrap();
    v["incidents"].clone()
}

/// `parts` with each Elasticsearch JSON log put in the part of its plain twin: a scan reads the JSON file only
/// when the plain one is not among its inputs (README, "What it reads"), so a partition that splits a pair
/// counts those events twice, as the two files hold them.
fn twins_together(inputs: &[Input], parts: &[usize]) -> Vec<usize> {
    let at: std::collections::HashMap<&str, usize> =
        inputs.iter().enumerate().map(|(i, input)| (input.display.as_str(), i)).collect();
    inputs
        .iter()
        .zip(parts)
        .map(|(input, &p)| {
            let path = std::path::Path::new(&input.display);
            let twin = path.file_name().and_then(|n| n.to_str()).and_then(source::walk::es_twin_of);
            let twin = twin.map(|t| path.with_file_name(t).to_string_lossy().into_owned());
            twin.and_then(|t| at.get(t.as_str()).map(|&i| parts[i])).unwrap_or(p)
        })
        .collect()
}

fn check_partition(inputs: &[Input], parts: &[usize], n: usize) -> Result<(), TestCaseError> {
    let whole = part_state(inputs);
    let parts = twins_together(inputs, parts);
    let mut combiner = Combiner::new();
    for k in 0..n {
        let mine: Vec<Input> =
            inputs.iter().zip(&parts).filter(|(_, p)| **p % n == k).map(|(i, _)| i.clone()).collect();
        if mine.is_empty() {
            continue;
        }
        combiner.push(part_state(&mine)).unwrap();
    }
    let merged = combiner.finish().unwrap().unwrap();
    prop_assert_eq!(incidents(&merged), incidents(&whole));
    prop_assert_eq!(
        (merged.stats.files, merged.stats.lines, merged.stats.matches),
        (whole.stats.files, whole.stats.lines, whole.stats.matches)
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5, ..ProptestConfig::default() })]

    #[test]
    fn merged_parts_of_the_fixtures_equal_the_whole(n in 2usize..=8, parts in prop::collection::vec(0usize..64, 200)) {
        check_partition(fixture_inputs(), &parts, n)?;
    }

    #[test]
    fn merged_parts_of_a_tree_of_thousands_of_episodes_equal_the_whole(n in 2usize..=8, parts in prop::collection::vec(0usize..64, 40)) {
        check_partition(&generated_inputs().1, &parts, n)?;
    }
}

/// Through the binary: `merge` of reports of three parts (one of them merged reports itself, so merging is
/// associative on disk too) gives the incidents of `scan` of all; a report given twice is counted once.
#[test]
fn merge_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let report = |name: &str, args: &[&str]| -> PathBuf {
        let o = run(["scan", "--format", "json"].iter().chain(args));
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let p = dir.path().join(name);
        std::fs::write(&p, &o.stdout).unwrap();
        p
    };
    let all = report("all.json", &["fixtures/linux"]);
    let opt = report(
        "opt.json",
        &["fixtures/linux/opt/stackstate/var/log/kafka-to-es", "fixtures/linux/opt/stackstate/var/log/elasticsearch7"],
    );
    let rest = report(
        "rest.json",
        &[
            "fixtures/linux/var",
            "fixtures/linux/opt/stackstate/var/log/kafka",
            "fixtures/linux/opt/stackstate/var/log/zookeeper",
        ],
    );
    let recv = report(
        "recv.json",
        &[
            "fixtures/linux/opt/stackstate/var/log/stackstate-receiver",
            "fixtures/linux/opt/stackstate/var/log/stackstate-server",
        ],
    );
    let p = |x: &PathBuf| x.to_str().unwrap().to_string();
    let o = run(["merge", "--format", "json", &p(&opt), &p(&rest)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let two = dir.path().join("two.json");
    std::fs::write(&two, &o.stdout).unwrap();
    let o = run(["merge", "--format", "json", &p(&recv), &p(&two), &p(&recv)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("the same report as") && stderr(&o).contains("counted once"), "{}", stderr(&o));
    let merged: Value = serde_json::from_slice(&o.stdout).unwrap();
    let whole: Value = serde_json::from_slice(&std::fs::read(&all).unwrap()).unwrap();
    assert_eq!(merged["incidents"], whole["incidents"]);
    for k in ["files", "lines", "matches", "bytes"] {
        assert_eq!(merged["scan"][k], whole["scan"][k], "{k} adds up");
    }
    // And in text: the same incidents.
    let o = run(["merge", "--color", "never", &p(&opt), &p(&rest), &p(&recv)]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains(whole["incidents"][0]["id"].as_str().unwrap()), "{}", stdout(&o));
    assert!(!stderr(&o).contains("counted in both"), "disjoint parts: {}", stderr(&o));
    // A merged report given with one of its parts (`merge DIR/*.json` where DIR holds merged.json too): said.
    let o = run(["merge", "--format", "json", &p(&opt), &p(&two)]);
    assert_eq!(code(&o), 0);
    let err = stderr(&o);
    assert!(err.contains("two.json: ") && err.contains("were read by") && err.contains("counted in both"), "{err}");
}

/// Through the binary: one report per file of the fixture server (17 reports, more than a merge combines in one
/// step) merge into the incidents of `scan` of the whole tree, in whatever order they are given.
#[test]
fn merge_of_a_report_per_file_equals_the_whole_scan() {
    let dir = tempfile::tempdir().unwrap();
    // Relative, as the whole scan names them (tests run from the crate root).
    let mut files: Vec<PathBuf> = walk_files(std::path::Path::new("fixtures/linux"));
    files.sort();
    // Elasticsearch's JSON log beside its plain log is not read by the whole scan (the same events): scanned
    // alone, it would count them again.
    let paths: Vec<&std::path::Path> = files.iter().map(PathBuf::as_path).collect();
    let twins = source::walk::es_twins(&paths);
    let files: Vec<PathBuf> = files.iter().zip(twins).filter(|(_, twin)| !twin).map(|(f, _)| f.clone()).collect();
    assert!(files.len() > 8, "{files:?}");
    let mut reports = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let o = run(["scan", "--format", "json", f.to_str().unwrap()]);
        assert!(code(&o) <= 1, "{}", stderr(&o));
        let p = dir.path().join(format!("part-{i:02}.json"));
        std::fs::write(&p, &o.stdout).unwrap();
        reports.push(p.to_str().unwrap().to_string());
    }
    let whole = scan_json(["fixtures/linux"]);
    for order in [reports.clone(), reports.iter().rev().cloned().collect()] {
        let o = run(["merge", "--format", "json"].into_iter().map(String::from).chain(order));
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let merged: Value = serde_json::from_slice(&o.stdout).unwrap();
        let ids =
            |r: &Value| r["incidents"].as_array().unwrap().iter().map(|i| i["id"].to_string()).collect::<Vec<_>>();
        assert!(merged["incidents"] == whole["incidents"], "{:?} vs {:?}", ids(&merged), ids(&whole));
        assert_eq!(merged["scan"]["lines"], whole["scan"]["lines"]);
    }
}

/// Every file under `dir`, recursively.
fn walk_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk_files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// A truncated report, a report of schema version 2, one with no state, and reports of two packs: clear errors,
/// exit 2.
#[test]
fn bad_reports_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(["scan", "--format", "json", "fixtures/edge/crlf.log"]);
    let good = dir.path().join("good.json");
    std::fs::write(&good, &o.stdout).unwrap();
    let write = |name: &str, text: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let truncated = write("cut.json", &o.stdout[..o.stdout.len() / 2]);
    let mut v: Value = serde_json::from_slice(&o.stdout).unwrap();
    v["schema_version"] = 2.into();
    let v2 = write("v2.json", v.to_string().as_bytes());
    v["schema_version"] = 1.into();
    v.as_object_mut().unwrap().remove("state");
    let stateless = write("stateless.json", v.to_string().as_bytes());
    let mut other: Value = serde_json::from_slice(&o.stdout).unwrap();
    other["state"]["pack"]["fingerprint"] = "0123456789abcdef".into();
    let built = write("built.json", other.to_string().as_bytes());
    other["stackscan_version"] = "9.9.9".into();
    let other = write("other.json", other.to_string().as_bytes());
    let text = write("report.txt", &run(["scan", "--color", "never", "fixtures/edge/crlf.log"]).stdout);
    let ndjson = write("report.ndjson", &run(["scan", "--format", "ndjson", "fixtures/edge/crlf.log"]).stdout);
    let good = good.to_str().unwrap().to_string();
    for (args, want) in [
        (vec![good.clone(), truncated], "not a complete JSON report"),
        (vec![text], "not a JSON report (a text, Markdown or HTML report?)"),
        (vec![ndjson], "an NDJSON report"),
        (vec![v2], "schema version 2 is not supported"),
        (vec![stateless], "carries no scan state"),
        (vec![good.clone(), other.clone()], "different rule packs (fingerprints"),
        (vec![other], "made with rule pack 0123456789abcdef by stackscan 9.9.9, this run's pack is"),
        (vec![built], concat!("by stackscan ", env!("CARGO_PKG_VERSION"), ", this run's pack is")),
    ] {
        let o = run(["merge"].into_iter().map(String::from).chain(args.clone()));
        assert_eq!(code(&o), 2, "{args:?}");
        assert!(stderr(&o).contains(want), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty());
    }
    let o = run(["merge", "--format", "json", "-"].iter());
    assert_eq!(code(&o), 2, "empty stdin is not a report");
    // A byte order mark before the report (an editor's, a Windows tool's) is no part of it.
    let bom = write("bom.json", &[&b"\xef\xbb\xbf"[..], &std::fs::read(&good).unwrap()].concat());
    let o = run(["merge", "--format", "json", &bom]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}
