//! The scan state: the one value that crosses from scanning to correlating.
//!
//! A scan of files, the blocks tail mode reads, a checkpoint restored after a restart, and the reports of other
//! machines all come down to a [`ScanState`]: which pack it was made with, the file table, the aggregates (with
//! every sample's line number already resolved) and the totals. Correlation borrows one and knows nothing of
//! files, chunks or threads.
//!
//! [`ScanState::merge`] is the exact combiner: aggregates merge commutatively and associatively (sums, minima,
//! maxima, the smallest items under a total order), and the file and rule tables are remapped first, so the
//! state of a whole equals the merge of the states of its parts, whatever the partition. The unexplained
//! templates merge commutatively too, and canonicalise (see [`super::unexplained`]): the scan merges its parts
//! in input order, so its result does not depend on how many threads did the work.

use super::episode::{Aggregates, Bucket, EpisodeKey};
use super::unexplained::Unexplained;
use crate::rules::PackId;
use crate::source::{Origin, Skipped};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An input of the file table: samples name their file by its index. Ordered by host, then name: the table of
/// merged reports from several machines keeps each machine's files together.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ScannedFile {
    /// The machine it was read on (`--host`, default the host name), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The name shown in reports.
    pub display: String,
    /// What wrote it.
    pub origin: Origin,
}

impl ScannedFile {
    /// A file of no named host.
    pub fn new(display: String, origin: Origin) -> ScannedFile {
        ScannedFile { host: None, display, origin }
    }
}

/// Totals of a scan. They add up when states merge.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Inputs read (wholly or partly).
    pub files: u64,
    /// Bytes of log text read (after decompression).
    pub bytes: u64,
    /// Lines read.
    pub lines: u64,
    /// Events (matching records) folded into episodes.
    pub matches: u64,
    /// Wall time of the scan, milliseconds. Not kept in a serialised state (a report's `state`, a checkpoint):
    /// it is the one figure that differs between identical runs.
    #[serde(skip)]
    pub elapsed_ms: u64,
    /// Inputs not read because their whole time span lies outside `--since`/`--until`.
    pub skipped_by_time: u64,
    /// Elasticsearch JSON logs not read because their plain twin, with the same events, was read.
    #[serde(default)]
    pub twins: u64,
    /// Hits more than a record bound below any header line: each was reported as a record of its own, without
    /// the header's time.
    pub records_cut: u64,
}

impl Stats {
    /// Adds `other`'s totals.
    pub fn add(&mut self, other: &Stats) {
        self.files += other.files;
        self.bytes += other.bytes;
        self.lines += other.lines;
        self.matches += other.matches;
        self.elapsed_ms += other.elapsed_ms;
        self.skipped_by_time += other.skipped_by_time;
        self.twins += other.twins;
        self.records_cut += other.records_cut;
    }
}

/// Everything a scan found, self-contained.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ScanState {
    /// The pack the rule indices refer to.
    pub pack: PackId,
    /// The inputs, indexed by the `file` of samples' orders.
    pub files: Vec<ScannedFile>,
    /// Totals.
    pub stats: Stats,
    /// Inputs not scanned or not completely, with why, sorted.
    pub skipped: Vec<Skipped>,
    /// The aggregates; every sample's line is resolved ([`super::episode::LineRef::number`]).
    pub aggregates: Aggregates,
    /// The records no rule explained, mined into templates per component (samples resolved likewise). Absent
    /// from checkpoints of earlier builds: empty then.
    #[serde(default)]
    pub unexplained: Unexplained,
}

/// Why two states cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// They were made with different rule packs.
    #[error("made with different rule packs (fingerprints {ours} and {theirs})")]
    PackMismatch {
        /// This state's pack fingerprint.
        ours: String,
        /// The other's.
        theirs: String,
    },
}

impl ScanState {
    /// An empty state for `pack`.
    pub fn new(pack: PackId) -> ScanState {
        ScanState { pack, ..ScanState::default() }
    }

    /// Folds `other` into `self`: the file tables become their union sorted by name (samples are renumbered),
    /// the aggregates merge, totals add up, skipped inputs are joined. Both must come from the same pack.
    pub fn merge(&mut self, other: ScanState) -> Result<(), MergeError> {
        if self.pack.fingerprint != other.pack.fingerprint {
            return Err(MergeError::PackMismatch {
                ours: self.pack.fingerprint.clone(),
                theirs: other.pack.fingerprint.clone(),
            });
        }
        let mut table: Vec<ScannedFile> = self.files.iter().chain(&other.files).cloned().collect();
        table.sort();
        table.dedup();
        let index = |f: &ScannedFile| table.binary_search(f).map_or(u32::MAX, |i| i as u32);
        let ours: Vec<u32> = self.files.iter().map(index).collect();
        let theirs: Vec<u32> = other.files.iter().map(index).collect();
        let mine = std::mem::take(&mut self.aggregates);
        let mut merged = mine.renumber_files(&ours);
        merged.merge(other.aggregates.renumber_files(&theirs));
        self.aggregates = merged;
        let mut other_unexplained = other.unexplained;
        self.unexplained.renumber_files(&ours);
        other_unexplained.renumber_files(&theirs);
        self.unexplained.merge(other_unexplained);
        self.files = table;
        self.stats.add(&other.stats);
        self.skipped.extend(other.skipped);
        self.skipped.sort();
        self.skipped.dedup();
        Ok(())
    }

    /// Expresses the state for another pack: rules are matched by id; aggregates of rules the other pack does
    /// not have are dropped (tail mode reloading its rules, a checkpoint restored with a changed pack).
    pub fn remap_rules(&mut self, to: PackId) {
        let index: BTreeMap<&str, u32> = to.rules.iter().enumerate().map(|(i, r)| (r.as_str(), i as u32)).collect();
        let old = &self.pack.rules;
        let max_keys = self.aggregates.max_keys();
        let v: Vec<((EpisodeKey, i64), Bucket)> = std::mem::take(&mut self.aggregates).into();
        let v = v
            .into_iter()
            .filter_map(|((mut k, b), bucket)| {
                k.rule = *index.get(old.get(k.rule as usize)?.as_str())?;
                Some(((k, b), bucket))
            })
            .collect::<Vec<_>>();
        self.aggregates = Aggregates::from_entries(v, max_keys);
        self.pack = to;
    }
}

/// Merges many states (the reports of a cluster's nodes) as they arrive, like a binary counter: two partial states
/// of equal weight merge into one of twice the weight, the earlier on the left. Each state's files and aggregates
/// are renumbered about log2(n) times rather than once per later state, and memory holds about log2(n) partial
/// states. [`ScanState::merge`] is exact for any grouping, so the result is the left-to-right fold's.
#[derive(Debug, Default)]
pub struct Combiner {
    /// Partial states with their weight (states merged into them, a power of two), heaviest first.
    stack: Vec<(u64, ScanState)>,
}

impl Combiner {
    /// No state yet.
    pub fn new() -> Combiner {
        Combiner::default()
    }

    /// Adds the next state. A state of another pack than the first is refused, and the combiner is unchanged.
    pub fn push(&mut self, state: ScanState) -> Result<(), MergeError> {
        if let Some((_, first)) = self.stack.first() {
            if first.pack.fingerprint != state.pack.fingerprint {
                return Err(MergeError::PackMismatch {
                    ours: first.pack.fingerprint.clone(),
                    theirs: state.pack.fingerprint,
                });
            }
        }
        let mut top = (1, state);
        while self.stack.last().is_some_and(|(weight, _)| *weight == top.0) {
            if let Some((weight, mut left)) = self.stack.pop() {
                left.merge(top.1)?;
                top = (weight * 2, left);
            }
        }
        self.stack.push(top);
        Ok(())
    }

    /// The merge of every state pushed, `None` when there was none.
    pub fn finish(self) -> Result<Option<ScanState>, MergeError> {
        let mut merged: Option<ScanState> = None;
        for (_, mut left) in self.stack.into_iter().rev() {
            if let Some(later) = merged.take() {
                left.merge(later)?;
            }
            merged = Some(left);
        }
        Ok(merged)
    }
}
