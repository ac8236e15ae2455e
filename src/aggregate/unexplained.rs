//! Unexplained errors and warnings: the records at WARN and above (and the exceptions logged without a level)
//! that no rule explained, mined into templates per component, with what the report shows of each.
//!
//! A rule pack can never be complete: a receiver's exception that no rule knows (a bug, a library's own error) must
//! not leave the report saying nothing is wrong. The scanner feeds every such record's message to the
//! [`Miner`](crate::miner::Miner) of its component; each template carries a [`Detail`] (its highest level, first and
//! last time, the earliest samples, the files it came from, its rate per minute), which the miner folds along when
//! templates generalise or merge.
//!
//! Records of one *key* (their header and exception lines but for the digits, and their component) are
//! [`Group`]ed as they come, and a group is mined once, with its count, when the groups are settled: the records
//! of a log line repeat, and the miner places them all where it places the first. At most [`MAX_GROUPS`] wait, and
//! they are mined in the input order of their first records, so mining them is mining the records in theirs.
//!
//! Memory is bounded by configuration: at most `cap` templates per component (the least recently seen are
//! evicted and counted), [`MAX_GROUPS`] groups waiting, 3 samples, 64 file indices and 64 rate bins per
//! template.
//!
//! Merging: [`Unexplained::merge`] merges the miners of each component. It is commutative; it canonicalises
//! (a template less general on one side joins the more general one of the other), so it is associative for
//! realistic inputs but not for adversarial ones: the scan folds its work units in input order with
//! [`Unexplained::absorb`], which makes the result the same whatever the thread count.

use super::episode::{LineRef, Order, Sample};
use crate::miner::{self, Miner, Payload, Template, TemplateId};
use crate::model::{Component, Level};
use crate::time::Millis;
use serde::{Deserialize, Serialize};

/// Templates kept per component by default.
pub const DEFAULT_CAP: usize = 1000;
/// Groups of records waiting to be mined, at most: past it they are mined.
pub const MAX_GROUPS: usize = 1024;
/// Samples kept per template: the earliest.
pub const MAX_SAMPLES: usize = 3;
/// File indices kept per template: the smallest (a template seen in more is reported as seen in at least these).
pub const MAX_FILES: usize = 64;
/// The narrowest rate bin: one minute.
pub const RATE_BIN_MS: Millis = 60_000;
/// Rate bins kept per template; past it, bins double in width.
pub const MAX_BINS: usize = 64;
/// A template bursts when its busiest bin holds at least this many lines...
pub const BURST_MIN: u64 = 10;
/// ... and at least this many times its mean per bin over its active span.
pub const BURST_FACTOR: u64 = 4;

/// Lines per time bin, the bins doubling in width (from one minute) whenever more than [`MAX_BINS`] are
/// occupied: bounded, and a function of the set of times alone (adding them in any order, or merging any
/// partition of them, gives the same bins).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    /// Width of a bin in milliseconds (0: no timed line yet).
    pub width: Millis,
    /// (bin index, lines), sorted by index: bin `i` covers `[i * width, (i + 1) * width)`.
    pub bins: Vec<(i64, u64)>,
}

impl Rate {
    /// Counts a line at time `t`.
    pub fn add(&mut self, t: Millis) {
        if self.width == 0 {
            self.width = RATE_BIN_MS;
        }
        let i = t.div_euclid(self.width);
        match self.bins.binary_search_by_key(&i, |b| b.0) {
            Ok(k) => self.bins[k].1 += 1,
            Err(k) => {
                self.bins.insert(k, (i, 1));
                self.coarsen();
            }
        }
    }

    /// Folds `other` in.
    pub fn merge(&mut self, other: &Rate) {
        if other.width == 0 {
            return;
        }
        if self.width == 0 {
            *self = other.clone();
            return;
        }
        if other.width > self.width {
            self.bins = self.rebinned(other.width);
            self.width = other.width;
        }
        let f = self.width / other.width;
        for &(i, n) in &other.bins {
            let i = i.div_euclid(f);
            match self.bins.binary_search_by_key(&i, |b| b.0) {
                Ok(k) => self.bins[k].1 += n,
                Err(k) => self.bins.insert(k, (i, n)),
            }
        }
        self.coarsen();
    }

    fn rebinned(&self, width: Millis) -> Vec<(i64, u64)> {
        let f = width / self.width;
        join_equal(self.bins.iter().map(|&(i, n)| (i.div_euclid(f), n)).collect())
    }

    fn coarsen(&mut self) {
        while self.bins.len() > MAX_BINS {
            self.width *= 2;
            self.bins = join_equal(self.bins.iter().map(|&(i, n)| (i.div_euclid(2), n)).collect());
        }
    }

    /// The busiest bin's lines.
    pub fn peak(&self) -> u64 {
        self.bins.iter().map(|b| b.1).max().unwrap_or(0)
    }

    /// Whether the lines come in bursts: the busiest bin holds at least [`BURST_MIN`] lines and at least
    /// [`BURST_FACTOR`] times the mean per bin from the first timed line's bin to the last's.
    pub fn bursts(&self) -> bool {
        let (Some(first), Some(last)) = (self.bins.first(), self.bins.last()) else { return false };
        let total: u64 = self.bins.iter().map(|b| b.1).sum();
        let span = (last.0 - first.0 + 1) as u64;
        let peak = self.peak();
        peak >= BURST_MIN && peak.saturating_mul(span) >= BURST_FACTOR.saturating_mul(total)
    }
}

/// Sums the counts of equal adjacent indices of a sorted list.
fn join_equal(v: Vec<(i64, u64)>) -> Vec<(i64, u64)> {
    let mut out: Vec<(i64, u64)> = Vec::with_capacity(v.len());
    for (i, n) in v {
        match out.last_mut() {
            Some(l) if l.0 == i => l.1 += n,
            _ => out.push((i, n)),
        }
    }
    out
}

/// What the report shows of a template beside the miner's own counts: the template's payload.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detail {
    /// The highest level of its records (`None`: only exceptions logged without a level).
    pub level: Option<Level>,
    /// Earliest time seen.
    pub first: Option<Millis>,
    /// Latest time seen.
    pub last: Option<Millis>,
    /// The earliest records, by order (the header line; `matched` holds the exception line below it).
    pub samples: Vec<Sample>,
    /// The smallest indices of the files its records came from, sorted.
    pub files: Vec<u32>,
    /// More files than [`MAX_FILES`] held its records.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub more_files: bool,
    /// Lines per time bin.
    pub rate: Rate,
    /// Tail mode announced it (an `unexplained` event).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub announced: bool,
}

impl Detail {
    /// Whether a sample at `order` would be kept (so the caller builds its text only then).
    pub fn wants_sample(&self, order: Order) -> bool {
        (self.samples.len() < MAX_SAMPLES || self.samples.last().is_some_and(|s| order < s.order))
            && !self.samples.iter().any(|s| s.order == order)
    }

    /// Keeps a sample among the earliest [`MAX_SAMPLES`].
    pub fn add_sample(&mut self, s: Sample) {
        if !self.wants_sample(s.order) {
            return;
        }
        let at = self.samples.partition_point(|x| x.order < s.order);
        self.samples.insert(at, s);
        self.samples.truncate(MAX_SAMPLES);
    }

    /// Records that a record came from file `f`.
    pub fn add_file(&mut self, f: u32) {
        if self.files.last() == Some(&f) {
            return;
        }
        match self.files.binary_search(&f) {
            Ok(_) => {}
            Err(k) if k < MAX_FILES => {
                self.files.insert(k, f);
                if self.files.len() > MAX_FILES {
                    self.files.pop();
                    self.more_files = true;
                }
            }
            Err(_) => self.more_files = true,
        }
    }

    /// Accounts one record: its level, time and file.
    pub fn add(&mut self, level: Option<Level>, time: Option<Millis>, file: u32) {
        self.level = self.level.max(level);
        if let Some(t) = time {
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
            self.last = Some(self.last.map_or(t, |l| l.max(t)));
            self.rate.add(t);
        }
        self.add_file(file);
    }
}

impl Payload for Detail {
    fn absorb(&mut self, o: &Detail) {
        self.level = self.level.max(o.level);
        self.first = match (self.first, o.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last = self.last.max(o.last);
        // Cloned only when kept: most of another work unit's samples are later than this one's.
        for s in &o.samples {
            if self.wants_sample(s.order) {
                self.add_sample(s.clone());
            }
        }
        let overflow = self.more_files || o.more_files;
        for &f in &o.files {
            self.add_file(f);
        }
        self.more_files |= overflow;
        self.rate.merge(&o.rate);
        self.announced |= o.announced;
    }
}

/// The records of one key not mined yet: the messages of the first few (the miner's examples come from them),
/// their count and stamps, and their [`Detail`].
#[derive(Debug, Clone)]
pub struct Group {
    component: Option<Component>,
    /// The messages of its earliest records, with their stamps (at most the miner's examples per variable).
    messages: Vec<(u64, String)>,
    count: u64,
    first: u64,
    last: u64,
    /// Where its earliest record is in the input (file, offset of its header): groups are mined in that order.
    from: (u32, u64),
    /// Records added to the waiting groups before its last one (its recency).
    seen: u64,
    /// What the report shows of its records.
    pub detail: Detail,
}

/// Messages kept per group: the first record's (the others differ from it in their digits alone, and the
/// groups of other keys, other work units and the miner's own examples give a template its examples).
const GROUP_MESSAGES: usize = 1;

impl Group {
    /// Counts a record at `stamp`.
    pub fn add(&mut self, stamp: u64) {
        self.count += 1;
        self.first = self.first.min(stamp);
        self.last = self.last.max(stamp);
    }

    /// Whether the message of a record at `stamp` would be kept (so the caller builds it only then).
    pub fn wants_message(&self, stamp: u64) -> bool {
        self.messages.len() < GROUP_MESSAGES || self.messages.last().is_some_and(|m| stamp < m.0)
    }

    /// Keeps the message of a record at `stamp`, among the earliest.
    pub fn add_message(&mut self, stamp: u64, message: String) {
        if !self.wants_message(stamp) {
            return;
        }
        let at = self.messages.partition_point(|m| m.0 <= stamp);
        self.messages.insert(at, (stamp, message));
        self.messages.truncate(GROUP_MESSAGES);
    }

    fn absorb(&mut self, o: Group) {
        self.seen = self.seen.max(o.seen);
        self.from = self.from.min(o.from);
        self.count += o.count;
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
        for (stamp, m) in o.messages {
            self.add_message(stamp, m);
        }
        self.detail.absorb(&o.detail);
    }
}

/// The miners of one scan, one per component (`None`: a writer that could not be told), and the groups of
/// records waiting to be mined.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Unexplained {
    /// Templates kept per component.
    cap: usize,
    /// Sorted by component.
    miners: Vec<(Option<Component>, Miner<Detail>)>,
    /// Groups not mined yet, in order of first appearance ([`Unexplained::settle`] mines them; a saved state is
    /// settled first).
    #[serde(skip)]
    waiting: Vec<Group>,
    /// Key → index in `waiting`.
    #[serde(skip)]
    index: std::collections::HashMap<u64, usize, std::hash::BuildHasherDefault<crate::hash::KeyHasher>>,
    /// Records added to the waiting groups (each group's recency is the count at its last record).
    #[serde(skip)]
    clock: u64,
}

impl Default for Unexplained {
    fn default() -> Self {
        Unexplained::new(DEFAULT_CAP)
    }
}

impl Unexplained {
    /// No template yet; at most `cap` per component.
    pub fn new(cap: usize) -> Self {
        Unexplained { cap: cap.max(1), miners: Vec::new(), waiting: Vec::new(), index: Default::default(), clock: 0 }
    }

    /// The group of records of `key`, for a record at `stamp` of `component` whose header is at `from` (file,
    /// offset); made for its first record (past [`MAX_GROUPS`] waiting, those are mined first).
    pub fn group(&mut self, key: u64, component: Option<Component>, stamp: u64, from: (u32, u64)) -> &mut Group {
        let k = match self.index.get(&key) {
            Some(&k) => k,
            None => {
                if self.waiting.len() >= MAX_GROUPS {
                    self.settle();
                }
                self.index.insert(key, self.waiting.len());
                self.waiting.push(Group {
                    component,
                    messages: Vec::new(),
                    count: 0,
                    first: stamp,
                    last: stamp,
                    from,
                    seen: 0,
                    detail: Detail::default(),
                });
                self.waiting.len() - 1
            }
        };
        let g = &mut self.waiting[k];
        g.from = g.from.min(from);
        g.seen = self.clock;
        self.clock += 1;
        g
    }

    /// Mines the waiting groups, in the input order of their earliest records: each group's messages (the first
    /// with the group's count less the others', and its stamps and detail). Records are grouped as the scanner
    /// completes them, and a record of one writer of a capture may complete after later records of another (its
    /// continuation lines are still coming): the input's order, not that one, is the same wherever chunks end.
    pub fn settle(&mut self) {
        self.index.clear();
        let mut waiting = std::mem::take(&mut self.waiting);
        waiting.sort_by_key(|g| g.from);
        // Each miner's arrival count when the groups began: a group's template counts as seen at its last record.
        let mut bases: Vec<(Option<Component>, u64)> = Vec::new();
        for g in waiting {
            let n = g.messages.len() as u64;
            let Some(((_, first_message), rest)) = g.messages.split_first() else { continue };
            let miner = self.miner(g.component);
            let base = match bases.iter().find(|b| b.0 == g.component) {
                Some(b) => b.1,
                None => {
                    bases.push((g.component, miner.arrivals()));
                    miner.arrivals()
                }
            };
            let at = base + 1 + g.seen;
            let detail = g.detail;
            let weight = g.count - (n - 1).min(g.count);
            miner.add_weighted_at(first_message, (g.first, g.last), weight, at, |d| d.absorb(&detail));
            for (stamp, m) in rest {
                miner.add_weighted_at(m, (*stamp, *stamp), 1, at, |_| {});
            }
        }
        self.clock = 0;
    }

    /// The templates kept per component.
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// The miner of component `c`, made on first use.
    pub fn miner(&mut self, c: Option<Component>) -> &mut Miner<Detail> {
        let k = match self.miners.binary_search_by_key(&c, |m| m.0) {
            Ok(k) => k,
            Err(k) => {
                let cfg = miner::Config { max_templates: self.cap, ..miner::Config::default() };
                self.miners.insert(k, (c, Miner::new(cfg)));
                k
            }
        };
        &mut self.miners[k].1
    }

    /// Whether no record was mined or waits.
    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty() && self.miners.iter().all(|(_, m)| m.is_empty())
    }

    /// Every template, with its component.
    pub fn templates(&self) -> impl Iterator<Item = (Option<Component>, Template<'_, Detail>)> {
        self.miners.iter().flat_map(|(c, m)| m.templates().map(move |t| (*c, t)))
    }

    /// The payload of a template of component `c`.
    pub fn detail_mut(&mut self, c: Option<Component>, id: TemplateId) -> Option<&mut Detail> {
        let k = self.miners.binary_search_by_key(&c, |m| m.0).ok()?;
        self.miners[k].1.payload_mut(id)
    }

    /// The miners' counters, summed.
    pub fn stats(&self) -> miner::Stats {
        let mut s = miner::Stats::default();
        for (_, m) in &self.miners {
            s.add(&m.stats());
        }
        s
    }

    /// Folds `other` in, component by component (see the module documentation).
    pub fn merge(&mut self, mut other: Unexplained) {
        self.settle();
        other.settle();
        for (c, m) in other.miners {
            match self.miners.binary_search_by_key(&c, |x| x.0) {
                Ok(k) => self.miners[k].1.merge(m),
                Err(k) => self.miners.insert(k, (c, m)),
            }
        }
    }

    /// Folds `other`, the miners of the input that follows this one's, in (see [`Miner::absorb`]): how the scanner
    /// joins its work units, in input order.
    pub fn absorb(&mut self, other: Unexplained) {
        if !other.miners.is_empty() {
            // What waits here came first.
            self.settle();
            for (c, m) in other.miners {
                match self.miners.binary_search_by_key(&c, |x| x.0) {
                    Ok(k) => self.miners[k].1.absorb(m),
                    Err(k) => self.miners.insert(k, (c, m)),
                }
            }
        }
        let mut keys: Vec<(usize, u64)> = other.index.into_iter().map(|(k, i)| (i, k)).collect();
        keys.sort_unstable();
        let mut groups = other.waiting.into_iter();
        let clock = self.clock;
        self.clock += other.clock;
        for (_, key) in keys {
            let Some(mut g) = groups.next() else { break };
            g.seen += clock;
            match self.index.get(&key) {
                Some(&k) => self.waiting[k].absorb(g),
                None => {
                    let stamp = g.first;
                    let slot = self.group(key, g.component, stamp, g.from);
                    *slot = g;
                }
            }
        }
    }

    /// Resolves every sample's line references (see [`super::episode::Aggregates::resolve_lines`]); settles
    /// first.
    pub fn resolve_lines(&mut self, base: impl Fn(u32, u32) -> u64) {
        self.settle();
        // The state a scan ends with is the same whatever the threads (see `Miner::renumber`).
        for (_, m) in &mut self.miners {
            m.renumber();
        }
        let fix =
            |file: u32, l: &mut LineRef| *l = LineRef::resolved((base(file, l.chunk) as i64 + l.rel).max(0) as u64);
        for (_, m) in &mut self.miners {
            m.payloads_mut(|d| {
                for s in &mut d.samples {
                    fix(s.order.file, &mut s.line);
                    if let Some((l, _)) = &mut s.matched {
                        fix(s.order.file, l);
                    }
                }
            });
        }
    }

    /// The same templates with file `i` renamed `map[i]` (a file table merged with another); settles first.
    pub fn renumber_files(&mut self, map: &[u32]) {
        self.settle();
        let f = |i: u32| map.get(i as usize).copied().unwrap_or(i);
        for (_, m) in &mut self.miners {
            m.payloads_mut(|d| {
                for s in &mut d.samples {
                    s.order.file = f(s.order.file);
                }
                d.samples.sort_by_key(|s| s.order);
                let more = d.more_files;
                let files = std::mem::take(&mut d.files);
                for x in files {
                    d.add_file(f(x));
                }
                d.more_files |= more;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Millis = 60_000;

    #[test]
    fn rate_bins_are_a_function_of_the_times() {
        // Times over 5 hours: past 64 one-minute bins, the bins widen.
        let times: Vec<Millis> = (0..400).map(|i| (i * 45_017 * 7) % (300 * MIN)).collect();
        let mut one = Rate::default();
        times.iter().for_each(|&t| one.add(t));
        assert!(one.bins.len() <= MAX_BINS && one.width > RATE_BIN_MS, "{} bins of {}", one.bins.len(), one.width);
        assert_eq!(one.bins.iter().map(|b| b.1).sum::<u64>(), 400);
        let mut rev = Rate::default();
        times.iter().rev().for_each(|&t| rev.add(t));
        assert_eq!(one, rev);
        for cut in [1, 57, 200, 399] {
            let (mut a, mut b) = (Rate::default(), Rate::default());
            times[..cut].iter().for_each(|&t| a.add(t));
            times[cut..].iter().for_each(|&t| b.add(t));
            let mut ba = b.clone();
            a.merge(&b);
            ba.merge(&{
                let mut x = Rate::default();
                times[..cut].iter().for_each(|&t| x.add(t));
                x
            });
            assert_eq!(a, one, "cut {cut}");
            assert_eq!(ba, one, "cut {cut}, other order");
        }
    }

    #[test]
    fn bursts_against_steady_rates() {
        let mut steady = Rate::default();
        (0..120).for_each(|m| steady.add(m * MIN + 5));
        assert!(!steady.bursts());
        let mut burst = steady.clone();
        (0..50).for_each(|k| burst.add(60 * MIN + k * 100));
        assert!(burst.bursts(), "{burst:?}");
        // All in one minute: nothing to compare with.
        let mut once = Rate::default();
        (0..500).for_each(|k| once.add(k));
        assert!(!once.bursts());
    }

    fn sample(t: Millis, file: u32) -> Sample {
        Sample {
            order: Order { time: t, file, offset: 0 },
            line: LineRef { chunk: 0, rel: t },
            text: t.to_string(),
            matched: None,
            pod: None,
        }
    }

    #[test]
    fn details_absorb_in_any_order() {
        let mut a = Detail::default();
        let mut b = Detail::default();
        for (d, ts, lvl) in [(&mut a, [5, 9, 1, 7], Level::Warn), (&mut b, [4, 8, 2, 3], Level::Error)] {
            for t in ts {
                d.add(Some(lvl), Some(t * MIN), (t % 3) as u32);
                d.add_sample(sample(t, (t % 3) as u32));
            }
        }
        let mut ab = a.clone();
        ab.absorb(&b);
        let mut ba = b.clone();
        ba.absorb(&a);
        assert_eq!(ab, ba);
        assert_eq!(ab.level, Some(Level::Error));
        assert_eq!((ab.first, ab.last), (Some(MIN), Some(9 * MIN)));
        assert_eq!(ab.samples.iter().map(|s| s.order.time).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(ab.files, [0, 1, 2]);
    }

    #[test]
    fn files_are_bounded() {
        let mut d = Detail::default();
        for f in (0..200u32).rev() {
            d.add_file(f);
        }
        assert_eq!(d.files.len(), MAX_FILES);
        assert_eq!(d.files[0], 0);
        assert!(d.more_files);
    }

    /// Two writers of a capture: one's record completes (is grouped) after later records of the other. The groups
    /// are mined in the input order of their first records, so the templates and their examples do not depend on
    /// the order the records completed in.
    #[test]
    fn groups_are_mined_in_input_order_whatever_order_they_completed_in() {
        let records = [
            (100u64, "The configuration 'default.value.serializer' was supplied but isn't a known config."),
            (200, "The configuration 'default.key.serializer' was supplied but isn't a known config."),
            (300, "The configuration 'consumers.value.deserializer' was supplied but isn't a known config."),
            (400, "The configuration 'consumers.value.serializer' was supplied but isn't a known config."),
        ];
        let mine = |order: &[usize]| {
            let mut u = Unexplained::new(10);
            for &k in order {
                let (offset, message) = records[k];
                let g = u.group(offset, Some(Component::Kafka), offset, (0, offset));
                g.add(offset);
                g.add_message(offset, message.to_string());
            }
            u.settle();
            u.templates()
                .map(|(_, t)| (t.text().to_string(), t.count(), t.examples().collect::<Vec<_>>().concat().join(" ")))
                .collect::<Vec<_>>()
        };
        let in_order = mine(&[0, 1, 2, 3]);
        assert_eq!(in_order.len(), 1, "{in_order:?}");
        assert!(in_order[0].2.starts_with("default.value.serializer"), "{in_order:?}");
        assert_eq!(mine(&[1, 2, 3, 0]), in_order);
        assert_eq!(mine(&[3, 1, 0, 2]), in_order);
    }
}
