//! The prefilter contract (false positives allowed, false negatives never), checked end to end: the scanner, with
//! its literal prefilter and per-line rule confirmation, reports exactly the matches a brute-force per-line match
//! of every rule's own regex reports, on a corpus of the pack's examples, their near misses (a byte dropped, a
//! letter's case flipped) and counterexamples, for files of every component, in one buffer and cut into tiny
//! chunks so that matches sit on chunk boundaries.

use crate::util::fired_on_line;
use regex_automata::meta::Regex;
use regex_automata::util::syntax;
use regex_automata::Input as ReInput;
use stackscan::model::Component;
use stackscan::rules::Pack;
use stackscan::scan::{scan_buffer, ScannerBuilder, Scratch};
use stackscan::source::{Compression, Input, Location, Origin};
use stackscan::time::{parse_line_start, Zone};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Every line a record header (a timestamp first), so a rule fires at most once per line and brute force needs
/// no record framing.
fn corpus(pack: &Pack) -> Vec<String> {
    let mut seeds: Vec<String> = Vec::new();
    for rule in pack.rules() {
        seeds.extend(rule.examples.iter().map(|e| e.line.clone()));
        seeds.extend(rule.counterexamples.iter().map(|(l, _)| l.clone()));
    }
    let mut lines = Vec::new();
    for seed in &seeds {
        lines.push(seed.clone());
        // Near misses: one byte dropped, or one letter's case flipped, at many positions after the timestamp.
        let b = seed.as_bytes();
        for at in (24..b.len()).step_by(5) {
            let mut dropped = b.to_vec();
            dropped.remove(at);
            lines.push(String::from_utf8_lossy(&dropped).into_owned());
            let mut flipped = b.to_vec();
            if flipped[at].is_ascii_alphabetic() {
                flipped[at] ^= 0x20;
                lines.push(String::from_utf8_lossy(&flipped).into_owned());
            }
        }
    }
    lines.push("2024-03-01 12:00:00,123 INFO  c.s.Noise - nothing to see here".into());
    lines
        .into_iter()
        .map(|l| l.replace(['\r', '\n'], " "))
        .map(|l| {
            if parse_line_start(l.as_bytes(), Zone::UTC).is_some() {
                l
            } else {
                format!("2024-03-01 12:00:00,123 INFO  x - {l}")
            }
        })
        .collect()
}

/// Per rule, how many lines of `lines` the rule's own regex matches, with the scanner's precedence in a record
/// (`Rule::rank`): a writer's sentence always fires, a writer's fallback where no sentence fired, one failure kind
/// where nothing else fired, a writer's rule in another writer's line (a stranger, or a `known_writer` rule's
/// where the writer is not known) last; the line's writer is the input's component, else its layout's.
fn brute_force(pack: &Pack, lines: &[String], component: Option<Component>) -> BTreeMap<usize, u64> {
    let regexes: Vec<Regex> = pack
        .rules()
        .iter()
        .map(|r| {
            Regex::builder()
                .syntax(syntax::Config::new().unicode(false).utf8(false))
                .configure(Regex::config().utf8_empty(false))
                .build(&r.pattern)
                .expect("pattern compiles")
        })
        .collect();
    let mut want = BTreeMap::new();
    for line in lines {
        let matched = |i: usize| regexes[i].is_match(ReInput::new(line.as_bytes()));
        for i in fired_on_line(pack, line.as_bytes(), component, matched) {
            *want.entry(i).or_insert(0) += 1;
        }
    }
    want
}

fn counts(
    episodes: Vec<(stackscan::aggregate::episode::EpisodeKey, stackscan::aggregate::episode::Bucket)>,
) -> BTreeMap<usize, u64> {
    let mut got = BTreeMap::new();
    for (k, b) in episodes {
        *got.entry(k.rule as usize).or_insert(0) += b.count;
    }
    got
}

fn names(pack: &Pack, m: &BTreeMap<usize, u64>) -> BTreeMap<String, u64> {
    m.iter().map(|(&i, &n)| (pack.rules()[i].id.clone(), n)).collect()
}

const COMPONENTS: [Option<Component>; 6] = [
    None,
    Some(Component::Agent),
    Some(Component::Receiver),
    Some(Component::Kafka),
    Some(Component::KafkaToEs),
    Some(Component::Elasticsearch),
];

/// The scanner's matches on `pack`'s corpus, one buffer per component, against brute force.
fn per_line_equals_brute_force(pack: &Pack) {
    let lines = corpus(pack);
    assert!(lines.len() > 1000, "corpus too small: {}", lines.len());
    let buf = lines.join("\n") + "\n";
    let mut scratch = Scratch::new(pack);
    for component in COMPONENTS {
        let origin = Origin { component, ..Origin::default() };
        let got = counts(scan_buffer(pack, &mut scratch, buf.as_bytes(), &origin));
        let want = brute_force(pack, &lines, component);
        assert!(!want.is_empty());
        assert_eq!(names(pack, &got), names(pack, &want), "component {component:?}");
    }
}

/// The scanner's matches on `pack`'s corpus in a file cut into tiny chunks (searched with the level literals, as
/// unexplained errors are mined), at one and two threads, against brute force.
fn across_tiny_chunks_equals_brute_force(pack: Arc<Pack>) {
    let lines = corpus(&pack);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("capture.log");
    std::fs::write(&path, lines.join("\n") + "\n").expect("write corpus");
    let want = brute_force(&pack, &lines, None);
    // Chunks smaller than a line, around a line, and a few lines long: every match sits on some boundary.
    for chunk in [97, 331, 4096] {
        for threads in [1, 2] {
            let scanner = ScannerBuilder::new().threads(threads).chunk_size(chunk).build(pack.clone()).expect("pool");
            let input = Input {
                location: Location::File(path.clone()),
                display: "capture.log".into(),
                origin: Origin::default(),
                binary: stackscan::source::BinaryDetection::Read,
                compression: Compression::None,
            };
            let out = scanner.scan(&[input]);
            assert_eq!(out.stats.lines, lines.len() as u64, "chunk {chunk}");
            let got = counts(out.aggregates.into_episodes());
            assert_eq!(names(&pack, &got), names(&pack, &want), "chunk {chunk}, threads {threads}");
        }
    }
}

#[test]
fn prefiltered_scan_equals_brute_force_per_line() {
    per_line_equals_brute_force(&Pack::embedded().expect("embedded pack"));
}

#[test]
fn prefiltered_scan_equals_brute_force_across_tiny_chunks() {
    across_tiny_chunks_equals_brute_force(Arc::new(Pack::embedded().expect("embedded pack")));
}

#[test]
fn a_pack_past_the_simd_searchs_limit_keeps_the_contract() {
    // The embedded pack and a site's twenty rules: more literals than the SIMD search takes.
    let mut sources = Pack::embedded_sources();
    sources.push(("site.toml".into(), crate::util::site_rules(20).0));
    let pack = Pack::from_sources(sources).expect("larger pack");
    let (before, after, pieces) = pack.compacted_literals().expect("compacted");
    assert!(before > 127 && after <= 127 && !pieces.is_empty(), "{before} -> {after}: {pieces:?}");
    per_line_equals_brute_force(&pack);
    across_tiny_chunks_equals_brute_force(Arc::new(pack));
}
