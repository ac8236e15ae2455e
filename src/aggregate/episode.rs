//! Episodes: matching lines folded, as they are found, into bounded aggregates per (rule, component, key).
//!
//! Memory grows with the number of distinct problems and the time they span, never with the number of matching
//! lines: each aggregate keeps a count, first and last time, its counts per minute, at most [`MAX_SAMPLES`] sample
//! lines and at most [`MAX_VALUES`] distinct values per field. Aggregates are kept per 10-minute time bucket so that, once the scan
//! is done, a problem that stops and comes back hours later becomes two episodes.
//!
//! Every merge is commutative and associative (sums, minima, maxima, the smallest items under a total order), so
//! the result is the same whatever the thread count, chunking or file order.

use super::minutes::Minutes;
use super::seen::{EventBucket, RawKey, Seen};
use crate::frame::sanitize;
use crate::model::Component;
use crate::time::Millis;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Samples kept per aggregate: the earliest two and the latest one.
pub const MAX_SAMPLES: usize = 3;
/// Distinct values kept per field: the earliest seen.
pub const MAX_VALUES: usize = 8;
/// Width of a time bucket.
pub const BUCKET_MS: Millis = 10 * 60 * 1000;
/// A quiet gap longer than this splits an episode in two.
pub const EPISODE_GAP_MS: Millis = 30 * 60 * 1000;
/// Distinct keys kept per rule by default; past it, a rule's events fold into one `other` entry per component
/// (counts exact). Each key costs about a kilobyte per 10-minute bucket it is seen in (samples, values), so with
/// the shipped pack's rules all at the cap a scan stays within a few tens of MiB.
pub const DEFAULT_MAX_KEYS: usize = 500;

/// A total order on events: time (untimed last), then file, then byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Order {
    /// Event time, `i64::MAX` when the line had none.
    pub time: Millis,
    /// Index of the file in the scan's sorted file list.
    pub file: u32,
    /// Byte offset of the record's header in the (decompressed) file.
    pub offset: u64,
}

impl Order {
    /// The order recorded with a rule's constant fields: before every event, so it is the same whichever event
    /// recorded it.
    pub const CONSTANT: Order = Order { time: Millis::MIN, file: 0, offset: 0 };
}

/// A line number, relative while a scan runs: chunks of one file are scanned in parallel, so a chunk knows its
/// lines only relative to its own start until every earlier chunk has been counted. In a finished
/// [`ScanState`](super::ScanState) every reference is resolved: chunk 0, `rel` the 0-based line of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineRef {
    /// The chunk of the file.
    pub chunk: u32,
    /// Line (0-based) relative to the chunk's first line; negative for a header in the chunk's look-behind.
    pub rel: i64,
}

impl LineRef {
    /// A resolved reference to the 0-based line `line` of a file.
    pub fn resolved(line: u64) -> LineRef {
        LineRef { chunk: 0, rel: line as i64 }
    }

    /// The 1-based line number of a resolved reference.
    pub fn number(self) -> u64 {
        (self.rel + 1).max(1) as u64
    }
}

/// One kept sample of an episode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    /// Where it sorts among all events.
    pub order: Order,
    /// The record's header line.
    pub line: LineRef,
    /// The header line's text, cleaned.
    pub text: String,
    /// The matching continuation line, when the match was not on the header.
    pub matched: Option<(LineRef, String)>,
    /// The pod the line came from, for captures.
    pub pod: Option<String>,
}

/// What separates one aggregate from another.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EpisodeKey {
    /// Rule index in the pack.
    pub rule: u32,
    /// Component the line came from (`None`: could not be told).
    pub component: Option<Component>,
    /// kafka-to-es process (mm2es, e2es, ...), when known.
    pub process: Option<Box<str>>,
    /// Values of the rule's key captures (empty for the `other` key).
    pub key: Box<[Box<str>]>,
    /// The entry of every key past the rule's cap of distinct keys ([`DEFAULT_MAX_KEYS`]): one per rule,
    /// component and process, its counts exact.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub other: bool,
}

impl EpisodeKey {
    /// The key its events fold into when this key is past its rule's cap.
    fn other(&self) -> EpisodeKey {
        EpisodeKey {
            rule: self.rule,
            component: self.component,
            process: self.process.clone(),
            key: Box::new([]),
            other: true,
        }
    }

    /// A stable hash of the key: which keys a rule keeps (the smallest hashes) does not depend on the order the
    /// lines were read in, so the cap gives the same result whatever the threads, chunks or merge order.
    fn stable_hash(&self) -> u64 {
        let mut h = crate::hash::Fnv::default();
        h.write_part(&self.rule.to_le_bytes());
        h.write_part(self.component.map_or("", |c| c.as_str()).as_bytes());
        h.write_part(self.process.as_deref().unwrap_or("").as_bytes());
        for k in self.key.iter() {
            h.write_part(k.as_bytes());
        }
        crate::hash::mix(h.finish())
    }
}

/// The aggregate of one key in one time bucket.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Bucket {
    /// Matching records.
    pub count: u64,
    /// Earliest time seen.
    pub first: Option<Millis>,
    /// Latest time seen.
    pub last: Option<Millis>,
    /// Kept samples, sorted by order.
    pub samples: Vec<Sample>,
    /// Field name → (value, earliest order), at most [`MAX_VALUES`] values each.
    pub fields: BTreeMap<Box<str>, Vec<(Box<str>, Order)>>,
    /// Fields that had more distinct values than were kept.
    pub truncated: Vec<Box<str>>,
    /// Timed records per minute (at most 10 entries: a bucket is 10 minutes).
    #[serde(default, skip_serializing_if = "Minutes::is_empty")]
    pub minutes: Minutes,
    /// The texts of one kept sample, not yet cleaned (see [`Bucket::offer_raw_sample`]).
    #[serde(skip)]
    raw: Option<Box<RawTexts>>,
    /// Listed in its aggregates' buckets to settle.
    #[serde(skip)]
    listed: bool,
}

/// A sample's texts as read, kept until the end of a scanning step: in a storm nearly every event is a bucket's
/// latest and replaces its latest sample, and cleaning (escaping, redacting) a whole line per event cost more
/// than everything else the event does. Only the sample kept at the end is cleaned.
#[derive(Debug, Clone)]
pub struct RawTexts {
    /// The sample they belong to.
    order: Order,
    /// The header line's text (at most [`sanitize::CLEAN_READS`] bytes: all that cleaning reads).
    header: Vec<u8>,
    /// The matching continuation line's, when the sample has one.
    matched: Vec<u8>,
}

impl RawTexts {
    /// Sets the header line's text.
    pub fn set_header(&mut self, text: &[u8]) {
        self.header.clear();
        self.header.extend_from_slice(&text[..text.len().min(sanitize::CLEAN_READS)]);
    }

    /// Sets the matching continuation line's text.
    pub fn set_matched(&mut self, text: &[u8]) {
        self.matched.clear();
        self.matched.extend_from_slice(&text[..text.len().min(sanitize::CLEAN_READS)]);
    }
}

impl Bucket {
    /// Counts one record at `time`: the count, the first and last time, the minute.
    pub fn count_record(&mut self, time: Option<Millis>) {
        self.count += 1;
        if let Some(t) = time {
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
            self.last = Some(self.last.map_or(t, |l| l.max(t)));
            self.minutes.add(t);
        }
    }

    /// Whether a sample at `order` would be kept (so the caller can skip building its text).
    pub fn wants_sample(&self, order: Order) -> bool {
        if self.samples.len() < MAX_SAMPLES {
            return true;
        }
        // Keep the earliest MAX_SAMPLES-1 and the latest one.
        order < self.samples[MAX_SAMPLES - 2].order || order > self.samples[MAX_SAMPLES - 1].order
    }

    /// Keeps a sample at `order` when it is among the earliest two or is the latest, written by `fill` into the
    /// sample it pushes out (its strings keep their capacity): in a long episode nearly every event is the latest,
    /// and replacing the latest sample then allocates nothing. `fill` gets a sample whose `order` is set and whose
    /// other fields hold stale values to overwrite.
    pub fn offer_sample(&mut self, order: Order, fill: impl FnOnce(&mut Sample)) {
        if !self.wants_sample(order) || self.samples.iter().any(|x| x.order == order) {
            return;
        }
        let mut s = if self.samples.len() >= MAX_SAMPLES {
            // The one a new earliest pushes out of the earliest group, or the old latest.
            let out = if order < self.samples[MAX_SAMPLES - 2].order { MAX_SAMPLES - 2 } else { MAX_SAMPLES - 1 };
            self.samples.remove(out)
        } else {
            Sample { order, line: LineRef { chunk: 0, rel: 0 }, text: String::new(), matched: None, pod: None }
        };
        s.order = order;
        fill(&mut s);
        let pos = self.samples.partition_point(|x| x.order < order);
        self.samples.insert(pos, s);
    }

    /// [`Bucket::offer_sample`] with the texts given raw: `fill` sets the sample's line references and pod, and
    /// the texts in [`RawTexts`], which are cleaned into the sample when the bucket is settled
    /// ([`Aggregates::settle`], for a bucket from [`Aggregates::bucket_for`]; the caller settles before anything
    /// reads the samples). One sample's texts are held at a time: those of another kept sample are cleaned first,
    /// unless this one pushes it out. Whether the bucket now holds raw texts.
    pub fn offer_raw_sample(&mut self, order: Order, fill: impl FnOnce(&mut Sample, &mut RawTexts)) -> bool {
        if !self.wants_sample(order) || self.samples.iter().any(|x| x.order == order) {
            return false;
        }
        let pushed_out = (self.samples.len() >= MAX_SAMPLES).then(|| {
            let out = if order < self.samples[MAX_SAMPLES - 2].order { MAX_SAMPLES - 2 } else { MAX_SAMPLES - 1 };
            self.samples[out].order
        });
        if self.raw.as_ref().is_some_and(|r| Some(r.order) != pushed_out) {
            self.settle();
        }
        let mut raw =
            self.raw.take().unwrap_or_else(|| Box::new(RawTexts { order, header: Vec::new(), matched: Vec::new() }));
        raw.order = order;
        self.offer_sample(order, |s| fill(s, &mut raw));
        self.raw = Some(raw);
        true
    }

    /// Cleans the raw texts held (see [`Bucket::offer_raw_sample`]) into their sample.
    pub fn settle(&mut self) {
        let Some(raw) = self.raw.take() else { return };
        if let Some(s) = self.samples.iter_mut().find(|s| s.order == raw.order) {
            s.text.clear();
            s.text.push_str(&sanitize::clean(&raw.header));
            if let Some((_, text)) = &mut s.matched {
                text.clear();
                text.push_str(&sanitize::clean(&raw.matched));
            }
        }
    }

    /// Adds a sample, keeping the earliest two and the latest one.
    pub fn add_sample(&mut self, s: Sample) {
        if self.samples.iter().any(|x| x.order == s.order) {
            return;
        }
        let pos = self.samples.partition_point(|x| x.order < s.order);
        self.samples.insert(pos, s);
        if self.samples.len() > MAX_SAMPLES {
            // Drop the middle one: everything but the first MAX_SAMPLES-1 and the last.
            self.samples.remove(MAX_SAMPLES - 1);
        }
    }

    /// Whether a value of field `name` seen at `order` could change anything: not when the field holds its
    /// [`MAX_VALUES`] earliest values, all before `order`, and is marked as having more (what a storm's varying
    /// value comes to after its first few events), so the caller need not clean the value.
    pub fn takes_value(&self, name: &str, order: Order) -> bool {
        let full =
            self.fields.get(name).is_some_and(|v| v.len() >= MAX_VALUES && v.last().is_some_and(|l| l.1 < order));
        !full || self.truncated.binary_search_by(|t| (**t).cmp(name)).is_err()
    }

    /// Records a field value seen at `order`.
    pub fn add_value(&mut self, name: &str, value: &str, order: Order) {
        let values = match self.fields.get_mut(name) {
            Some(v) => v,
            None => self.fields.entry(name.into()).or_default(),
        };
        // Values stay sorted by (earliest order, value): the kept set and its order depend only on what was
        // seen, never on the order threads, chunks or merges brought it in.
        if let Some(i) = values.iter().position(|(v, _)| &**v == value) {
            if order < values[i].1 {
                let (v, _) = values.remove(i);
                insert_sorted(values, (v, order));
            }
            return;
        }
        if values.len() >= MAX_VALUES && values.last().is_some_and(|(_, o)| *o < order) {
            mark_truncated(&mut self.truncated, name);
            return;
        }
        insert_sorted(values, (value.into(), order));
        if values.len() > MAX_VALUES {
            values.truncate(MAX_VALUES);
            mark_truncated(&mut self.truncated, name);
        }
    }

    /// Folds a copy of `other` into `self`, copying only what is kept: the same result as
    /// `self.merge(other.clone())`.
    pub fn merge_ref(&mut self, other: &Bucket) {
        debug_assert!(other.raw.is_none(), "a bucket read before it was settled");
        self.count += other.count;
        self.first = min_opt(self.first, other.first);
        self.last = max_opt(self.last, other.last);
        self.minutes.merge(&other.minutes);
        for s in &other.samples {
            if self.wants_sample(s.order) {
                self.add_sample(s.clone());
            }
        }
        for (name, values) in &other.fields {
            for (v, o) in values {
                self.add_value(name, v, *o);
            }
        }
        for t in &other.truncated {
            if !self.truncated.contains(t) {
                self.truncated.push(t.clone());
            }
        }
        self.truncated.sort();
    }

    /// Folds `other` into `self`.
    pub fn merge(&mut self, mut other: Bucket) {
        other.settle();
        self.count += other.count;
        self.first = min_opt(self.first, other.first);
        self.last = max_opt(self.last, other.last);
        self.minutes.merge(&other.minutes);
        for s in other.samples {
            if self.wants_sample(s.order) {
                self.add_sample(s);
            }
        }
        for (name, values) in other.fields {
            for (v, o) in values {
                self.add_value(&name, &v, o);
            }
        }
        for t in other.truncated {
            if !self.truncated.contains(&t) {
                self.truncated.push(t);
            }
        }
        self.truncated.sort();
    }
}

/// Inserts a field value where it sorts by (order, value).
fn insert_sorted(values: &mut Vec<(Box<str>, Order)>, item: (Box<str>, Order)) {
    let at = values.partition_point(|(v, o)| (*o, &**v) < (item.1, &*item.0));
    values.insert(at, item);
}

/// Records that a field had more values than were kept (the list stays sorted).
fn mark_truncated(truncated: &mut Vec<Box<str>>, name: &str) {
    if let Err(at) = truncated.binary_search_by(|t| (**t).cmp(name)) {
        truncated.insert(at, name.into());
    }
}

/// Whether the next bucket of a key continues the episode so far: its quiet gap is at most [`EPISODE_GAP_MS`]
/// (untimed buckets join untimed ones).
fn joins(episode: &Bucket, next: &Bucket) -> bool {
    match (episode.last, next.first) {
        (Some(l), Some(f)) => f - l <= EPISODE_GAP_MS,
        (None, None) => true,
        _ => false,
    }
}

/// The earlier of two optional times.
pub(crate) fn min_opt(a: Option<Millis>, b: Option<Millis>) -> Option<Millis> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) | (None, x) => x,
    }
}

/// The later of two optional times.
pub(crate) fn max_opt(a: Option<Millis>, b: Option<Millis>) -> Option<Millis> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) | (None, x) => x,
    }
}

/// All aggregates of a scan (or of one chunk of it, before merging).
///
/// Serialisable (as a list of entries), so tail mode can keep it in its checkpoint across restarts.
///
/// Entries live in a vector indexed by a hash map, so that the entry a rule's last event went to can be found
/// again without hashing or building its key: consecutive events of one rule mostly share their key and time
/// bucket, and this is the hot path of a scan with many matches (see [`Aggregates::bucket_for`]).
///
/// Memory is bounded by configuration, not by the data: each rule keeps at most `max_keys` distinct keys, those
/// with the smallest stable hashes (a bottom-k sample, so the kept set depends only on which keys exist, not on
/// the order they were read in or how the work was split); the events of the others fold into one `other` entry
/// per (rule, component, process), counted exactly. A key kept by one part of a scan and folded by the merge
/// moves its buckets into the `other` entry then.
#[derive(Debug, Clone, Deserialize)]
#[serde(from = "Vec<((EpisodeKey, i64), Bucket)>")]
pub struct Aggregates {
    entries: Vec<((EpisodeKey, i64), Bucket)>,
    /// (key, time bucket) → index in `entries`.
    index: HashMap<(EpisodeKey, i64), usize>,
    /// Per rule, the entries its last few events went to (`usize::MAX`: none yet), the newest first.
    last: Vec<[usize; RECENT]>,
    /// The most distinct keys kept per rule.
    max_keys: usize,
    /// Per rule, the keys kept, by stable hash.
    kept: HashMap<u32, BTreeSet<(u64, EpisodeKey)>>,
    /// Entries that may hold raw sample texts (see [`Aggregates::settle`]).
    unsettled: Vec<usize>,
    /// The raw keys and field values of recent events (see [`Aggregates::bucket_for_event`]).
    seen: Seen,
}

impl Default for Aggregates {
    fn default() -> Self {
        Aggregates::with_max_keys(DEFAULT_MAX_KEYS)
    }
}

/// What a rule's cap folded, for the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Folded {
    /// The rule.
    pub rule: u32,
    /// Matching records folded into its `other` entries (exact).
    pub records: u64,
    /// About how many distinct keys were folded (estimated from the kept sample: the same whatever the
    /// partition of the work).
    pub keys: u64,
}

/// Entries remembered per rule: a few hosts or indices taking turns in one rule's lines still find theirs.
const RECENT: usize = 4;

/// An episode key borrowed from the line it was captured from: compared with the key of a rule's last entry
/// before an owned key is built.
#[derive(Debug, Clone, Copy)]
pub struct KeyView<'a> {
    /// Rule index in the pack.
    pub rule: u32,
    /// Component the line came from.
    pub component: Option<Component>,
    /// kafka-to-es process, when known.
    pub process: Option<&'a str>,
    /// Values of the rule's key captures, cleaned.
    pub key: &'a [std::borrow::Cow<'a, str>],
}

impl KeyView<'_> {
    fn is(&self, k: &EpisodeKey) -> bool {
        k.rule == self.rule
            && k.component == self.component
            && k.process.as_deref() == self.process
            && k.key.len() == self.key.len()
            && k.key.iter().zip(self.key).all(|(a, b)| **a == **b)
    }

    fn to_key(self) -> EpisodeKey {
        EpisodeKey {
            rule: self.rule,
            component: self.component,
            process: self.process.map(Into::into),
            key: self.key.iter().map(|k| Box::from(&**k)).collect(),
            other: false,
        }
    }
}

impl From<Vec<((EpisodeKey, i64), Bucket)>> for Aggregates {
    fn from(v: Vec<((EpisodeKey, i64), Bucket)>) -> Self {
        Aggregates::from_entries(v, DEFAULT_MAX_KEYS)
    }
}

/// Written as the list of entries sorted by key, borrowed (a checkpoint of the running state copies nothing).
impl Serialize for Aggregates {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        debug_assert!(self.unsettled.is_empty(), "aggregates written before they were settled");
        let mut v: Vec<&((EpisodeKey, i64), Bucket)> = self.entries.iter().collect();
        v.sort_by(|x, y| x.0.cmp(&y.0));
        s.collect_seq(v)
    }
}

impl From<Aggregates> for Vec<((EpisodeKey, i64), Bucket)> {
    /// The entries in a canonical order (the serialised form: the same bytes whatever the threads): sorted by key,
    /// and within a bucket the field values by their order, the truncated fields by name. Values are kept in the
    /// order they arrived, which depends on which thread saw what first.
    fn from(mut a: Aggregates) -> Self {
        a.settle();
        let mut v = a.entries;
        v.sort_by(|x, y| x.0.cmp(&y.0));
        for (_, b) in &mut v {
            for values in b.fields.values_mut() {
                values.sort_by(|x, y| x.1.cmp(&y.1).then_with(|| x.0.cmp(&y.0)));
            }
            b.truncated.sort();
        }
        v
    }
}

/// The bucket index of a time (`i64::MIN` for untimed events).
pub fn bucket_of(time: Option<Millis>) -> i64 {
    time.map_or(i64::MIN, |t| t.div_euclid(BUCKET_MS))
}

impl Aggregates {
    /// Empty aggregates keeping at most `max_keys` distinct keys per rule (at least 1).
    pub fn with_max_keys(max_keys: usize) -> Aggregates {
        Aggregates {
            entries: Vec::new(),
            index: HashMap::new(),
            last: Vec::new(),
            max_keys: max_keys.max(1),
            kept: HashMap::new(),
            unsettled: Vec::new(),
            seen: Seen::default(),
        }
    }

    /// Aggregates of these entries, capped at `max_keys`.
    pub fn from_entries(v: Vec<((EpisodeKey, i64), Bucket)>, max_keys: usize) -> Aggregates {
        let mut a = Aggregates::with_max_keys(max_keys);
        for (k, b) in v {
            a.merge_entry(k, b);
        }
        a
    }

    /// The cap of distinct keys per rule.
    pub fn max_keys(&self) -> usize {
        self.max_keys
    }

    /// Changes the cap (keys past a lower one fold at once).
    pub fn set_max_keys(&mut self, max_keys: usize) {
        if max_keys.max(1) != self.max_keys {
            let entries = std::mem::take(&mut self.entries);
            *self = Aggregates::from_entries(entries, max_keys);
        }
    }

    /// What each rule's cap folded, by rule.
    pub fn folded(&self) -> Vec<Folded> {
        let mut by: BTreeMap<u32, u64> = BTreeMap::new();
        for ((k, _), b) in &self.entries {
            if k.other {
                *by.entry(k.rule).or_default() += b.count;
            }
        }
        by.into_iter()
            .map(|(rule, records)| {
                let kept = self.kept.get(&rule);
                let n = kept.map_or(0, |s| s.len()) as f64;
                // The k-th smallest of n uniform hashes lies near k/n of the range: n ≈ (k - 1) / (h_k / 2^64).
                let total = kept
                    .and_then(|s| s.last())
                    .map_or(0.0, |(h, _)| (n - 1.0).max(1.0) * 18_446_744_073_709_551_616.0 / (*h as f64 + 1.0));
                Folded { rule, records, keys: (total - n).max(1.0).round() as u64 }
            })
            .collect()
    }

    /// The key an entry for `k` goes to: `k` itself when its rule keeps it (it may push out the kept key with the
    /// largest hash, whose entries fold into their `other` entry), else its rule's `other` key.
    fn admit(&mut self, k: EpisodeKey) -> EpisodeKey {
        if k.other {
            return k;
        }
        let max = self.max_keys;
        let set = self.kept.entry(k.rule).or_default();
        let item = (k.stable_hash(), k);
        if set.contains(&item) {
            return item.1;
        }
        if set.len() < max {
            set.insert(item.clone());
            return item.1;
        }
        let beats = set.last().is_some_and(|last| item < *last);
        if !beats {
            return item.1.other();
        }
        set.insert(item.clone());
        if let Some((_, out)) = set.pop_last() {
            self.fold_key(&out);
        }
        item.1
    }

    /// Moves every entry of `key` into its `other` entry (same time buckets).
    fn fold_key(&mut self, key: &EpisodeKey) {
        // Entries move: the list of those to settle would point at others.
        self.settle();
        let moved: Vec<usize> = (0..self.entries.len()).filter(|&i| self.entries[i].0 .0 == *key).collect();
        if moved.is_empty() {
            return;
        }
        let other = key.other();
        let mut taken = Vec::with_capacity(moved.len());
        for &i in moved.iter().rev() {
            let (k, b) = self.entries.swap_remove(i);
            self.index.remove(&k);
            if i < self.entries.len() {
                let moved_key = self.entries[i].0.clone();
                self.index.insert(moved_key, i);
            }
            taken.push((k.1, b));
        }
        // Indices changed: the per-rule memory of recent entries is void, and so is that of raw keys and values.
        for l in &mut self.last {
            *l = [usize::MAX; RECENT];
        }
        self.seen.clear();
        for (bucket, b) in taken {
            let k = (other.clone(), bucket);
            match self.index.get(&k) {
                Some(&i) => self.entries[i].1.merge(b),
                None => {
                    self.push(k, b);
                }
            }
        }
    }

    /// The bucket for `key` at `time`, created empty when new.
    pub fn bucket(&mut self, key: EpisodeKey, time: Option<Millis>) -> &mut Bucket {
        let i = self.entry_index((key, bucket_of(time)));
        &mut self.entries[i].1
    }

    /// The bucket for the key `view` at `time`, created empty when new. When one of the rule's last few events
    /// went to the same key and time bucket, that entry is taken without hashing or allocating.
    pub fn bucket_for(&mut self, view: KeyView<'_>, time: Option<Millis>) -> &mut Bucket {
        let i = self.entry_for(view, bucket_of(time));
        self.list(i);
        &mut self.entries[i].1
    }

    /// [`Aggregates::bucket_for`] for an event whose key is read from its line: `clean` makes a key value of a
    /// raw one. An event with the raw key of one of its rule's last few goes where that one went, its key
    /// neither cleaned nor built; otherwise its cleaned key is looked up as `bucket_for` does (two raw keys may
    /// clean to one). Its field values are added with [`EventBucket::add_raw`], which skips a raw value added
    /// before (see [`super::seen`]).
    pub fn bucket_for_event<'k>(
        &mut self,
        key: RawKey<'k>,
        time: Option<Millis>,
        mut clean: impl FnMut(&'k [u8]) -> Cow<'k, str>,
    ) -> EventBucket<'_> {
        let b = bucket_of(time);
        let i = match self.seen.entry_of(&key, b) {
            Some(i) => i,
            None => {
                let cleaned: Vec<Cow<'_, str>> = (0..key.parts).map(|p| clean((key.part)(p))).collect();
                let view = KeyView { rule: key.rule, component: key.component, process: key.process, key: &cleaned };
                let i = self.entry_for(view, b);
                self.seen.note_key(&key, b, i);
                i
            }
        };
        self.list(i);
        EventBucket { bucket: &mut self.entries[i].1, seen: &mut self.seen, entry: i }
    }

    /// The entry for the key `view` in time bucket `b`, created empty when new.
    fn entry_for(&mut self, view: KeyView<'_>, b: i64) -> usize {
        let rule = view.rule as usize;
        if self.last.len() <= rule {
            self.last.resize(rule + 1, [usize::MAX; RECENT]);
        }
        let entries = &self.entries;
        let hit = self.last[rule]
            .iter()
            .position(|&i| i < entries.len() && entries[i].0 .1 == b && view.is(&entries[i].0 .0));
        match hit {
            Some(k) => self.last[rule][k],
            None => {
                let i = self.entry_index((view.to_key(), b));
                let recent = &mut self.last[rule];
                recent.copy_within(0..RECENT - 1, 1);
                recent[0] = i;
                i
            }
        }
    }

    /// Lists entry `i`, given out, to be settled.
    fn list(&mut self, i: usize) {
        let bucket = &mut self.entries[i].1;
        if !bucket.listed {
            bucket.listed = true;
            self.unsettled.push(i);
        }
    }

    /// Cleans the raw sample texts of every bucket given out by [`Aggregates::bucket_for`] since the last call
    /// (see [`Bucket::offer_raw_sample`]): the scanner calls it at the end of each step, before anything reads
    /// the samples.
    pub fn settle(&mut self) {
        for i in self.unsettled.drain(..) {
            let b = &mut self.entries[i].1;
            b.settle();
            b.listed = false;
        }
    }

    /// The index of the entry for `k` (or for its rule's `other` key, past the cap), created empty when new.
    fn entry_index(&mut self, k: (EpisodeKey, i64)) -> usize {
        if let Some(&i) = self.index.get(&k) {
            return i;
        }
        let k = (self.admit(k.0), k.1);
        match self.index.get(&k) {
            Some(&i) => i,
            None => self.push(k, Bucket::default()),
        }
    }

    fn merge_entry(&mut self, k: (EpisodeKey, i64), b: Bucket) {
        if let Some(&i) = self.index.get(&k) {
            self.entries[i].1.merge(b);
            return;
        }
        let k = (self.admit(k.0), k.1);
        match self.index.get(&k) {
            Some(&i) => self.entries[i].1.merge(b),
            None => {
                self.push(k, b);
            }
        }
    }

    /// Adds an entry for a key not held yet; its index.
    fn push(&mut self, k: (EpisodeKey, i64), b: Bucket) -> usize {
        let i = self.entries.len();
        self.index.insert(k.clone(), i);
        self.entries.push((k, b));
        i
    }

    /// Whether nothing was aggregated.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of (key, bucket) aggregates held: the memory in use is proportional to it.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Folds `other` into `self`.
    pub fn merge(&mut self, mut other: Aggregates) {
        other.settle();
        for (k, b) in other.entries {
            self.merge_entry(k, b);
        }
    }

    /// Resolves every sample's line references: `base(file, chunk)` is the 0-based line number of the first line
    /// of that chunk of that file.
    pub fn resolve_lines(&mut self, base: impl Fn(u32, u32) -> u64) {
        self.settle();
        let fix =
            |file: u32, l: &mut LineRef| *l = LineRef::resolved((base(file, l.chunk) as i64 + l.rel).max(0) as u64);
        for (_, b) in &mut self.entries {
            for s in &mut b.samples {
                fix(s.order.file, &mut s.line);
                if let Some((l, _)) = &mut s.matched {
                    fix(s.order.file, l);
                }
            }
        }
    }

    /// The same aggregates with file `i` renamed `map[i]` in every order (a file table merged with another).
    /// Kept samples and values are sorted again under the new order.
    pub fn renumber_files(mut self, map: &[u32]) -> Aggregates {
        self.settle();
        let f = |o: &mut Order| o.file = map.get(o.file as usize).copied().unwrap_or(o.file);
        let max_keys = self.max_keys;
        let mut entries = self.entries;
        for (_, b) in &mut entries {
            for s in &mut b.samples {
                f(&mut s.order);
            }
            b.samples.sort_by_key(|s| s.order);
            for values in b.fields.values_mut() {
                for (_, o) in values.iter_mut() {
                    f(o);
                }
                values.sort_by(|x, y| (x.1, &x.0).cmp(&(y.1, &y.0)));
            }
        }
        Aggregates::from_entries(entries, max_keys)
    }

    /// Drops every aggregate of each key that has been quiet since before `before` (all of its buckets end
    /// earlier). Keys still active keep their whole history, so an ongoing incident keeps its first time and id.
    /// Tail mode calls this so that weeks of following stay bounded by the problems of the last day, not of
    /// all time. Untimed aggregates are kept.
    pub fn prune_quiet(&mut self, before: Millis) {
        self.settle();
        let mut newest: HashMap<&EpisodeKey, Option<Millis>> = HashMap::new();
        for ((k, _), b) in &self.entries {
            let slot = newest.entry(k).or_insert(None);
            *slot = max_opt(*slot, b.last);
        }
        let quiet: Vec<EpisodeKey> =
            newest.into_iter().filter(|(_, t)| t.is_some_and(|t| t < before)).map(|(k, _)| k.clone()).collect();
        if quiet.is_empty() {
            return;
        }
        let quiet: std::collections::HashSet<EpisodeKey> = quiet.into_iter().collect();
        let kept: Vec<_> =
            std::mem::take(&mut self.entries).into_iter().filter(|((k, _), _)| !quiet.contains(k)).collect();
        *self = Aggregates::from_entries(kept, self.max_keys);
    }

    /// The episodes, borrowing the aggregates: per key, consecutive buckets whose quiet gap is at most
    /// [`EPISODE_GAP_MS`] join one episode (a copy of the buckets merged). Sorted by key, then time. The same
    /// episodes as [`Aggregates::into_episodes`], without consuming (or first copying) the whole state.
    pub fn episodes(&self) -> Vec<(&EpisodeKey, Bucket)> {
        debug_assert!(self.unsettled.is_empty(), "aggregates read before they were settled");
        let mut items: Vec<&((EpisodeKey, i64), Bucket)> = self.entries.iter().collect();
        items.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(&EpisodeKey, Bucket)> = Vec::new();
        for ((key, _), bucket) in items {
            if let Some((k, ep)) = out.last_mut() {
                if *k == key && joins(ep, bucket) {
                    ep.merge_ref(bucket);
                    continue;
                }
            }
            out.push((key, bucket.clone()));
        }
        out
    }

    /// Turns buckets into episodes: per key, consecutive buckets whose quiet gap is at most
    /// [`EPISODE_GAP_MS`] join one episode. Sorted by key, then time.
    pub fn into_episodes(mut self) -> Vec<(EpisodeKey, Bucket)> {
        self.settle();
        let mut items = self.entries;
        items.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(EpisodeKey, Bucket)> = Vec::new();
        for ((key, _), bucket) in items {
            if let Some((k, ep)) = out.last_mut() {
                if *k == key && joins(ep, &bucket) {
                    ep.merge(bucket);
                    continue;
                }
            }
            out.push((key, bucket));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(t: i64, off: u64) -> Order {
        Order { time: t, file: 0, offset: off }
    }

    fn sample(t: i64) -> Sample {
        Sample { order: order(t, 0), line: LineRef { chunk: 0, rel: t }, text: t.to_string(), matched: None, pod: None }
    }

    #[test]
    fn keeps_two_earliest_and_latest_in_any_order() {
        let times = [50, 10, 90, 30, 70, 20, 80];
        let mut a = Bucket::default();
        for t in times {
            if a.wants_sample(order(t, 0)) {
                a.add_sample(sample(t));
            }
        }
        let mut b = Bucket::default();
        for t in times.iter().rev() {
            if b.wants_sample(order(*t, 0)) {
                b.add_sample(sample(*t));
            }
        }
        let ts = |x: &Bucket| x.samples.iter().map(|s| s.order.time).collect::<Vec<_>>();
        assert_eq!(ts(&a), vec![10, 20, 90]);
        assert_eq!(ts(&a), ts(&b));
    }

    #[test]
    fn offered_samples_are_the_added_ones_with_strings_rewritten() {
        let times = [50, 10, 90, 30, 70, 20, 80, 95, 5];
        let mut added = Bucket::default();
        let mut offered = Bucket::default();
        for t in times {
            if added.wants_sample(order(t, 0)) {
                added.add_sample(sample(t));
            }
            offered.offer_sample(order(t, 0), |s| {
                let fresh = sample(t);
                s.line = fresh.line;
                s.text.clear();
                s.text.push_str(&fresh.text);
            });
        }
        assert_eq!(offered.samples, added.samples);
        assert_eq!(offered.samples.iter().map(|s| s.order.time).collect::<Vec<_>>(), vec![5, 10, 95]);
    }

    /// Samples offered raw and settled at any points are the samples offered cleaned: whichever sample the raw
    /// texts belong to when an earlier one arrives, is pushed out, or is merged away.
    #[test]
    fn raw_samples_settle_into_the_cleaned_ones() {
        let text = |t: i64| format!("{t} \x1b[31mERROR\x1b[0m POST http://h/x?api_key=secret{t} matched\tline");
        let orders = [50, 10, 90, 30, 70, 20, 80, 95, 5, 96, 97, 1, 98];
        for settle_every in 1..=orders.len() {
            let mut cleaned = Bucket::default();
            let mut raw = Aggregates::default();
            let view = KeyView { rule: 0, component: None, process: None, key: &[] };
            for (i, &t) in orders.iter().enumerate() {
                cleaned.offer_sample(order(t, 0), |s| {
                    s.line = LineRef { chunk: 0, rel: t };
                    s.text = sanitize::clean(text(t).as_bytes()).into_owned();
                    let m = sanitize::clean(format!("m{t}\x07").as_bytes()).into_owned();
                    s.matched = (t % 2 == 0).then(|| (LineRef { chunk: 0, rel: t + 1 }, m));
                });
                raw.bucket_for(view, Some(0)).offer_raw_sample(order(t, 0), |s, r| {
                    s.line = LineRef { chunk: 0, rel: t };
                    r.set_header(text(t).as_bytes());
                    r.set_matched(format!("m{t}\x07").as_bytes());
                    s.matched = (t % 2 == 0).then(|| (LineRef { chunk: 0, rel: t + 1 }, String::new()));
                });
                if (i + 1) % settle_every == 0 {
                    raw.settle();
                }
            }
            let got = raw.into_episodes();
            assert_eq!(got[0].1.samples, cleaned.samples, "settled every {settle_every}");
            assert!(got[0].1.samples.iter().all(|s| s.text.contains("api_key=<redacted>")));
        }
    }

    #[test]
    fn values_are_bounded_and_merge_is_order_free() {
        let mut a = Bucket::default();
        let mut b = Bucket::default();
        for i in 0..20u64 {
            a.add_value("host", &format!("h{i:02}"), order(i as i64, i));
        }
        for i in (0..20u64).rev() {
            b.add_value("host", &format!("h{i:02}"), order(i as i64, i));
        }
        let names = |x: &Bucket| {
            let mut v: Vec<_> = x.fields["host"].iter().map(|(v, _)| v.to_string()).collect();
            v.sort();
            v
        };
        assert_eq!(names(&a).len(), MAX_VALUES);
        assert_eq!(names(&a), names(&b));
        assert_eq!(a.truncated, vec![Box::<str>::from("host")]);

        // A value a bucket would not take changes nothing when added (so the scanner need not clean it), and one
        // it would take may.
        let mut c = Bucket::default();
        let mut refused = 0;
        for i in 0..(2 * MAX_VALUES as u64) {
            let o = order(i as i64, i);
            for value in [format!("h{i:02}"), format!("h{:02}", i % 3)] {
                let before = (c.fields.clone(), c.truncated.clone());
                let takes = c.takes_value("host", o);
                c.add_value("host", &value, o);
                if !takes {
                    assert_eq!((c.fields.clone(), c.truncated.clone()), before, "{i}");
                    refused += 1;
                }
                assert_eq!(takes, i < MAX_VALUES as u64 || before.1.is_empty(), "{i}");
            }
        }
        assert_eq!(refused, 2 * MAX_VALUES - 1);
        assert!(c.takes_value("host", order(0, 0)), "an earlier value may displace a kept one");
        assert!(c.takes_value("path", order(99, 99)), "another field");
    }

    #[test]
    fn borrowed_keys_find_the_entries_owned_keys_made() {
        use std::borrow::Cow;
        let mut agg = Aggregates::default();
        let a: Vec<Cow<'_, str>> = vec!["sts_multi_metrics".into()];
        let b: Vec<Cow<'_, str>> = vec!["sts_events".into()];
        let view = |key| KeyView { rule: 3, component: Some(Component::KafkaToEs), process: Some("mm2es"), key };
        for (key, t) in [(&a, 0), (&a, 1), (&b, 2), (&a, 3), (&a, BUCKET_MS + 1)] {
            agg.bucket_for(view(key), Some(t)).count += 1;
        }
        // The same key by value, built the slow way, lands in the same entry.
        agg.bucket(view(&b).to_key(), Some(5)).count += 1;
        let counts: Vec<(Box<str>, u64)> =
            Vec::from(agg).into_iter().map(|((k, _), bucket)| (k.key[0].clone(), bucket.count)).collect();
        assert_eq!(
            counts,
            vec![("sts_events".into(), 2), ("sts_multi_metrics".into(), 3), ("sts_multi_metrics".into(), 1)]
        );
    }

    /// Events through `bucket_for_event` and `add_raw` (raw keys and values remembered, repeats skipped) give
    /// the aggregates that cleaning and adding every key and value gives: with values that clean to something
    /// else (a secret, a control character), values that come back at an earlier order, more values than are
    /// kept, and keys past the cap folding (entries move) in the middle of the events.
    #[test]
    fn remembered_raw_keys_and_values_change_nothing() {
        use crate::aggregate::seen::RawKey;
        let hosts: [&[u8]; 5] = [b"es-0", b"es-1", b"es-\x1b[31m2", b"es-3", b"es-4"];
        let values: [&[u8]; 12] =
            [b"a", b"b", b"token=abcdef0123456789abcdef", b"a", b"c", b"d", b"e", b"f", b"g", b"h", b"i", b"b"];
        let mut events = Vec::new();
        for n in 0u64..600 {
            // Runs of three events of one host, so that a run goes on in another time bucket or process.
            let host = hosts[(n / 3 * 7 % 11) as usize % hosts.len()];
            let value = values[(n * 5 % 13) as usize % values.len()];
            // Mostly later and later, sometimes back in time, sometimes in the next time bucket.
            let t = if n % 17 == 0 { 1_000 } else { 10_000 + n as i64 * if n % 50 == 0 { BUCKET_MS } else { 1 } };
            let process: Option<&str> = if n % 9 == 0 { Some("e2es") } else { None };
            events.push((host, value, t, n * 100, process));
        }
        let (mut fast, mut slow) = (Aggregates::with_max_keys(3), Aggregates::with_max_keys(3));
        let mut memo = sanitize::CleanMemo::default();
        for &(host, value, t, offset, process) in &events {
            let order = Order { time: t, file: 0, offset };
            let part = |_: usize| host;
            let key = RawKey { rule: 2, component: Some(Component::Elasticsearch), process, parts: 1, part: &part };
            let mut event = fast.bucket_for_event(key, Some(t), |raw| memo.clean(raw));
            event.bucket.count_record(Some(t));
            event.add_raw(0, "node", host, order, |raw| memo.clean(raw));
            event.add_raw(1, "value", value, order, |raw| memo.clean(raw));

            let key = [sanitize::clean(host)];
            let view = KeyView { rule: 2, component: Some(Component::Elasticsearch), process, key: &key };
            let bucket = slow.bucket_for(view, Some(t));
            bucket.count_record(Some(t));
            bucket.add_value("node", &sanitize::clean(host), order);
            bucket.add_value("value", &sanitize::clean(value), order);
        }
        let (fast, slow) = (Vec::from(fast), Vec::from(slow));
        assert!(fast.iter().any(|((k, _), _)| k.other), "the cap folded keys");
        assert!(fast.iter().any(|(_, b)| !b.truncated.is_empty()), "a field had more values than are kept");
        assert_eq!(serde_json::to_string(&fast).unwrap(), serde_json::to_string(&slow).unwrap());
    }

    /// The cap keeps the keys with the smallest stable hashes, whatever the order the events come in or how
    /// they were split before merging; the other keys' events are counted exactly in one `other` entry.
    #[test]
    fn capped_keys_are_the_same_whatever_the_order_and_split() {
        let key = |i: u32| EpisodeKey {
            rule: 1,
            component: Some(Component::KafkaToEs),
            process: None,
            key: Box::new([format!("index-{i}").into()]),
            other: false,
        };
        let add = |agg: &mut Aggregates, i: u32| {
            let b = agg.bucket(key(i), Some(i as i64));
            b.count += 1;
            b.first = min_opt(b.first, Some(i as i64));
            b.last = max_opt(b.last, Some(i as i64));
        };
        let canon = |a: Aggregates| serde_json::to_string(&Vec::from(a)).expect("json");
        let mut forward = Aggregates::with_max_keys(10);
        (0..1000).for_each(|i| add(&mut forward, i));
        let mut backward = Aggregates::with_max_keys(10);
        (0..1000).rev().for_each(|i| add(&mut backward, i));
        let (mut odd, mut even) = (Aggregates::with_max_keys(10), Aggregates::with_max_keys(10));
        (0..1000).filter(|i| i % 2 == 1).for_each(|i| add(&mut odd, i));
        (0..1000).filter(|i| i % 2 == 0).for_each(|i| add(&mut even, i));
        even.merge(odd);
        let folded = forward.folded();
        assert_eq!(folded.len(), 1);
        assert_eq!(folded[0].records, 990);
        assert!(folded[0].keys > 0, "an estimate of the keys folded");
        let kept: Vec<_> = Vec::from(forward.clone()).into_iter().filter(|((k, _), _)| !k.other).collect();
        assert_eq!(kept.len(), 10);
        let mut hashes: Vec<u64> = (0..1000).map(|i| key(i).stable_hash()).collect();
        hashes.sort_unstable();
        assert!(kept.iter().all(|((k, _), _)| hashes[..10].contains(&k.stable_hash())), "the smallest hashes");
        let f = canon(forward);
        assert_eq!(f, canon(backward));
        assert_eq!(f, canon(even));
    }

    /// The number of keys folded is estimated from the kept sample (the largest kept hash): within a few tens
    /// of percent with a couple of hundred keys kept.
    #[test]
    fn folded_keys_are_estimated() {
        let mut agg = Aggregates::with_max_keys(200);
        for i in 0..20_000u32 {
            let k = EpisodeKey {
                rule: 0,
                component: None,
                process: None,
                key: Box::new([format!("h{i}").into()]),
                other: false,
            };
            agg.bucket(k, None).count += 1;
        }
        let f = agg.folded();
        assert_eq!(f[0].records, 19_800);
        assert!((14_000..26_000).contains(&f[0].keys), "{}", f[0].keys);
    }

    #[test]
    fn pruning_keeps_active_keys_whole() {
        let old = EpisodeKey { rule: 0, component: None, process: None, key: Box::new(["old".into()]), other: false };
        let live = EpisodeKey { rule: 0, component: None, process: None, key: Box::new(["live".into()]), other: false };
        let mut agg = Aggregates::default();
        for (k, t) in [(&old, 0), (&old, 3_600_000), (&live, 0), (&live, 90_000_000)] {
            let b = agg.bucket(k.clone(), Some(t));
            b.count += 1;
            b.first = Some(t);
            b.last = Some(t);
        }
        agg.prune_quiet(86_400_000);
        let eps = agg.into_episodes();
        assert!(eps.iter().all(|(k, _)| k == &live));
        assert_eq!(eps.iter().map(|(_, b)| b.count).sum::<u64>(), 2, "the live key keeps its old bucket too");
    }

    #[test]
    fn gaps_split_episodes() {
        let key = EpisodeKey { rule: 0, component: None, process: None, key: Box::new([]), other: false };
        let mut agg = Aggregates::default();
        for t in [0, 5 * 60_000, 20 * 60_000, 4 * 3_600_000] {
            let b = agg.bucket(key.clone(), Some(t));
            b.count += 1;
            b.first = min_opt(b.first, Some(t));
            b.last = max_opt(b.last, Some(t));
        }
        let eps = agg.into_episodes();
        assert_eq!(eps.len(), 2);
        assert_eq!(eps[0].1.count, 3);
        assert_eq!(eps[1].1.count, 1);
    }
}
