//! The scan state's merge, as properties: for random events spread over random parts (each with its own file
//! table, as separate scans would have), merging the parts' states gives the state of all events, in any order
//! and grouping (commutative, associative), and a state of another pack is refused.

use proptest::prelude::*;
use stackscan::aggregate::episode::{Aggregates, EpisodeKey, LineRef, Order};
use stackscan::aggregate::{ScanState, ScannedFile};
use stackscan::rules::PackId;
use stackscan::source::Origin;

/// One matching record: file (index in a global table of names), rule, key, time, byte offset, a field value.
#[derive(Debug, Clone)]
struct Ev {
    file: usize,
    rule: u32,
    key: u8,
    time: Option<i64>,
    offset: u64,
    value: u8,
}

const FILES: [&str; 5] = ["a/x.log", "a/y.log", "b/x.log", "c.log", "d/e/f.log"];

fn pack() -> PackId {
    PackId { fingerprint: "f00d".into(), rules: vec!["r.zero".into(), "r.one".into(), "r.two".into()] }
}

/// The state a scan of `events` would give: its own file table (the files it read, sorted by name), each event
/// folded the way the hot path folds it.
fn state_of(events: &[&Ev], max_keys: usize) -> ScanState {
    let mut names: Vec<&str> = events.iter().map(|e| FILES[e.file]).collect();
    names.sort_unstable();
    names.dedup();
    let mut agg = Aggregates::with_max_keys(max_keys);
    for e in events {
        let file = names.binary_search(&FILES[e.file]).unwrap() as u32;
        let key = EpisodeKey {
            rule: e.rule,
            component: None,
            process: None,
            key: Box::new([e.key.to_string().into()]),
            other: false,
        };
        let order = Order { time: e.time.unwrap_or(i64::MAX), file, offset: e.offset };
        let b = agg.bucket(key, e.time);
        b.count += 1;
        b.first = [b.first, e.time].into_iter().flatten().min();
        b.last = [b.last, e.time].into_iter().flatten().max();
        b.add_value("value", &format!("v{}", e.value), order);
        b.offer_sample(order, |s| {
            s.line = LineRef::resolved(e.offset / 10);
            s.text = format!("line at {} of {}", e.offset, FILES[e.file]);
        });
    }
    let mut state = ScanState::new(pack());
    state.files = names.iter().map(|n| ScannedFile::new(n.to_string(), Origin::default())).collect();
    state.stats.files = names.len() as u64;
    state.stats.matches = events.len() as u64;
    state.aggregates = agg;
    state
}

/// A state as comparable JSON: field values sorted (their order in a bucket is insertion order, not meaning), and
/// the totals left out (they add up: a file read in two parts counts twice).
fn canonical(s: &ScanState) -> serde_json::Value {
    let mut v = serde_json::to_value(s).unwrap();
    v.as_object_mut().unwrap().remove("stats");
    for entry in v["aggregates"].as_array_mut().unwrap() {
        for values in entry[1]["fields"].as_object_mut().unwrap().values_mut() {
            values.as_array_mut().unwrap().sort_by_key(|x| x.to_string());
        }
    }
    v
}

fn merged(mut a: ScanState, b: ScanState) -> ScanState {
    a.merge(b).unwrap();
    a
}

fn events() -> impl Strategy<Value = Vec<(Ev, usize)>> {
    let ev = (0..FILES.len(), 0u32..3, 0u8..4, prop::option::weighted(0.9, 0i64..4_000_000), 0u64..5_000, 0u8..12)
        .prop_map(|(file, rule, key, time, offset, value)| Ev { file, rule, key, time, offset, value });
    // Each event goes to one of three parts; a file's offsets are unique (one record per byte offset).
    prop::collection::vec((ev, 0usize..3), 0..120).prop_map(|mut v| {
        let mut seen = std::collections::HashSet::new();
        v.retain(|(e, _)| seen.insert((e.file, e.offset)));
        v
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// With a cap of 2 distinct keys per rule (of 4 keys in play) folding happens, and must give the same
    /// result whatever the partition; with the default cap it does not.
    #[test]
    fn merging_the_parts_gives_the_whole(evs in events(), max_keys in prop::sample::select(vec![2usize, 500])) {
        let all: Vec<&Ev> = evs.iter().map(|(e, _)| e).collect();
        let part = |k: usize| -> Vec<&Ev> { evs.iter().filter(|(_, p)| *p == k).map(|(e, _)| e).collect() };
        let (a, b, c) = (state_of(&part(0), max_keys), state_of(&part(1), max_keys), state_of(&part(2), max_keys));
        let whole = canonical(&state_of(&all, max_keys));
        let left = merged(merged(a.clone(), b.clone()), c.clone());
        let right = merged(a.clone(), merged(b.clone(), c.clone()));
        let swapped = merged(merged(c.clone(), a.clone()), b.clone());
        prop_assert_eq!(canonical(&left), whole.clone());
        prop_assert_eq!(canonical(&right), whole.clone());
        prop_assert_eq!(canonical(&swapped), whole);
        let files = a.stats.files + b.stats.files + c.stats.files;
        prop_assert_eq!((left.stats.files, left.stats.matches), (files, all.len() as u64));
    }
}

#[test]
fn a_state_of_another_pack_is_refused() {
    let mut a = ScanState::new(pack());
    let b = ScanState::new(PackId { fingerprint: "beef".into(), ..pack() });
    let e = a.merge(b).unwrap_err();
    assert!(e.to_string().contains("f00d") && e.to_string().contains("beef"), "{e}");
}
