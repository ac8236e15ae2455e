//! The engine against a plain reference, and the parsers against arbitrary bytes.
//!
//! The reference matcher applies each rule's own regex to each line, one by one: no prefilter, no literal
//! planning, no chunks, no threads, no memo of captures. On generated logs (random mixes of the pack's examples
//! and counterexamples, noise, CRLF line ends, long lines, lines put across chunk and read-piece boundaries) the
//! engine must report exactly the records and keys the reference finds, whatever the thread count (1 to 8), chunk
//! size and read piece. Each line is given a timestamp so that it is a record of its own (the reference knows
//! nothing of stack traces); within a record a generic fallback gives way to a specific rule, as in the engine.

use proptest::prelude::*;
use stackscan::aggregate::episode::EpisodeKey;
use stackscan::frame::{self, prefix, RecordBounds};
use stackscan::rules::Pack;
use stackscan::scan::ScannerBuilder;
use stackscan::source::{self, BinaryDetection, Compression, Input, Location, Origin};
use stackscan::time::{parse_line_start, Zone};
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

fn pack() -> Arc<Pack> {
    static P: OnceLock<Arc<Pack>> = OnceLock::new();
    P.get_or_init(|| Arc::new(Pack::embedded().unwrap())).clone()
}

/// The pieces logs are made of: the pack's examples and counterexamples, and noise.
fn pieces() -> &'static Vec<String> {
    static P: OnceLock<Vec<String>> = OnceLock::new();
    P.get_or_init(|| {
        let pack = pack();
        let mut v = Vec::new();
        for r in pack.rules() {
            v.extend(r.examples.iter().map(|e| e.line.clone()));
            v.extend(r.counterexamples.iter().map(|(c, _)| c.clone()));
        }
        v.extend(
            [
                "INFO  c.s.receiver.ReceiverRoutes - 202 Accepted POST /stsAgent/intake",
                "DEBUG kafka producer metadata refreshed",
                "WARN  GC overhead: young generation collected in 12ms",
                "INFO  o.e.c.r.a.DiskThresholdMonitor low disk watermark no longer exceeded",
            ]
            .map(String::from),
        );
        v
    })
}

/// Each rule's pattern compiled by the `regex` crate, another engine than the one the scanner uses, with
/// ASCII classes as the pack's patterns have (`(?-u)`).
fn reference_regexes() -> &'static Vec<regex::bytes::Regex> {
    static R: OnceLock<Vec<regex::bytes::Regex>> = OnceLock::new();
    R.get_or_init(|| {
        pack().rules().iter().map(|r| regex::bytes::Regex::new(&format!("(?-u:{})", r.pattern)).unwrap()).collect()
    })
}

/// Records per (rule, key values) by the reference: each line its own record; of the rules whose regex matches it,
/// those the engine's precedence in a record fires (`util::fired_on_line`).
fn reference(text: &str) -> BTreeMap<(String, Vec<String>), u64> {
    let pack = pack();
    let mut out = BTreeMap::new();
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.is_empty() {
            continue;
        }
        let caps: Vec<_> = reference_regexes().iter().map(|re| re.captures(line.as_bytes())).collect();
        for r in crate::util::fired_on_line(&pack, line.as_bytes(), None, |i| caps[i].is_some()) {
            let (rule, c) = (&pack.rules()[r], caps[r].as_ref().expect("matched"));
            let key = rule
                .key
                .iter()
                .map(|k| stackscan::sanitize::clean(c.name(k).map_or(&b""[..], |m| m.as_bytes())).into_owned())
                .collect();
            *out.entry((rule.id.clone(), key)).or_insert(0) += 1;
        }
    }
    out
}

/// Records per (rule, key values) by the engine, scanning `path` with the given threads, chunk and read piece.
fn engine(path: &std::path::Path, threads: usize, chunk: usize, piece: usize) -> BTreeMap<(String, Vec<String>), u64> {
    let pack = pack();
    let input = Input {
        location: Location::File(path.to_path_buf()),
        display: path.display().to_string(),
        origin: Origin::default(),
        binary: BinaryDetection::Read,
        compression: Compression::None,
    };
    let scanner =
        ScannerBuilder::new().threads(threads).chunk_size(chunk).read_piece(piece).build(pack.clone()).unwrap();
    let state = scanner.scan(&[input]);
    let mut out = BTreeMap::new();
    let entries: Vec<((EpisodeKey, i64), stackscan::aggregate::episode::Bucket)> = state.aggregates.into();
    for ((k, _), b) in entries {
        let id = pack.rules()[k.rule as usize].id.clone();
        *out.entry((id, k.key.iter().map(|s| s.to_string()).collect())).or_insert(0) += b.count;
    }
    out
}

/// A generated log: `picks` index the pieces; every line gets a timestamp (one record per line), some a CRLF end,
/// some a long tail of padding (past the 4 KiB where the engine switches regexes).
fn log_of(picks: &[(usize, u8)]) -> String {
    let pieces = pieces();
    let mut text = String::new();
    for (n, &(i, style)) in picks.iter().enumerate() {
        let piece = &pieces[i % pieces.len()];
        text.push_str(&format!("2024-03-12 10:{:02}:{:02},{:03} ", (n / 60) % 60, n % 60, n % 1000));
        text.push_str(piece);
        if style % 7 == 0 {
            text.push_str(&" padding".repeat(700));
        }
        text.push_str(if style % 5 == 0 { "\r\n" } else { "\n" });
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn the_engine_reports_what_the_reference_finds(
        picks in prop::collection::vec((0usize..10_000, any::<u8>()), 1..400),
        threads in 1usize..=8,
        chunk in 512usize..64 * 1024,
        piece in 256usize..16 * 1024,
    ) {
        let text = log_of(&picks);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("capture.log");
        std::fs::write(&path, &text).unwrap();
        prop_assert_eq!(engine(&path, threads, chunk, piece), reference(&text));
    }

    /// Parsers and the record splitter never panic, whatever the bytes.
    #[test]
    fn parsers_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600), at in 0usize..600) {
        let zone = Zone::parse("Europe/Amsterdam").unwrap();
        let _ = parse_line_start(&bytes, Zone::UTC);
        let _ = parse_line_start(&bytes, zone);
        let _ = stackscan::time::parse_instant(&String::from_utf8_lossy(&bytes), zone);
        let _ = stackscan::time::parse_duration(&String::from_utf8_lossy(&bytes));
        for mode in [prefix::Mode::Auto, prefix::Mode::Cri, prefix::detect(&bytes, zone)] {
            let _ = prefix::strip(&bytes, mode);
        }
        let start = frame::line_start(&bytes, 0, at.min(bytes.len()));
        let end = frame::line_end(&bytes, start, bytes.len());
        let _ = frame::locate_record(&bytes, 0, start, end, zone, RecordBounds::default(), &|a, b| frame::plain_view(&bytes, a, b));
        let _ = stackscan::sanitize::clean(&bytes);
        let _ = source::read::Encoding::detect(&bytes);
    }

    /// Scanning arbitrary bytes (as a named file: binary detection off) never panics and counts every line.
    #[test]
    fn scanning_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..4000), threads in 1usize..=3) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.log");
        std::fs::write(&path, &bytes).unwrap();
        let input = Input {
            location: Location::File(path.clone()),
            display: "x.log".into(),
            origin: Origin::default(),
            binary: BinaryDetection::Read,
            compression: Compression::None,
        };
        let scanner = ScannerBuilder::new().threads(threads).chunk_size(700).read_piece(300).build(pack()).unwrap();
        let state = scanner.scan(&[input]);
        let newlines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        let unterminated = u64::from(bytes.last().is_some_and(|&b| b != b'\n'));
        prop_assert_eq!(state.stats.lines, newlines + unterminated);
    }
}
