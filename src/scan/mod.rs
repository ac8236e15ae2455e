//! The parallel scan: plans work over the inputs, runs it on a rayon pool, and merges the results into one set
//! of aggregates that does not depend on the thread count or the order in which work finished.
//!
//! Work units: a plain file larger than the chunk size is cut into newline-aligned chunks read with positioned
//! reads, so one big file keeps every core busy; compressed files and standard input are read as one stream each,
//! decompressed on the worker thread. Each worker borrows a [`Scratch`] (regex caches, buffers) from a pool, so
//! lazy-DFA caches are reused across files.

mod chunk;
pub(crate) mod search;
mod selftest;
pub(crate) mod unexplained;

pub use selftest::{test_pack, TestFailure, TestReport};

use crate::aggregate::episode::Aggregates;
use crate::aggregate::unexplained::{Unexplained, DEFAULT_CAP};
use crate::aggregate::{ScanState, ScannedFile, Stats};
use crate::frame::RecordBounds;
use crate::rules::{MatchCache, Pack};
use crate::source::progress::Progress;
use crate::source::{Input, Location, Origin, Skipped};
use crate::time::{Millis, Zone};
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Default chunk size: large enough that per-chunk costs vanish (each chunk builds aggregates of its own, merged
/// at its end: 4 MiB chunks spent 8% of a hit-heavy scan on them), small enough to split big files finely.
pub const DEFAULT_CHUNK: usize = 8 * 1024 * 1024;
/// A chunk is read in pieces of this size into a buffer that slides along it: the same bytes are reused, so the
/// kernel's copy and the search stay in the CPU cache (reading a whole 4 MiB chunk first made the copy twice as
/// slow).
pub const DEFAULT_READ_PIECE: usize = 256 * 1024;
/// Look-behind kept before each chunk to find the header of a stack trace that began in the previous chunk: the
/// record bounds ([`crate::frame::RecordBounds`], 64 KiB) and as much again for the line above where a walk back
/// within them stops, which one read sees whole (with the bounds alone, a trace longer than them was cut in one
/// read and headed by the partial line at the look-behind's start in a chunk).
pub const LOOK_BEHIND: usize = 128 * 1024;
/// The longest line searched as one piece; a longer line is searched in pieces of this size (a match spanning a
/// cut can be missed, and the report says so).
pub const MAX_LINE: usize = 8 * 1024 * 1024;

/// Per-thread search state, reused across files and chunks.
pub struct Scratch {
    /// The matcher's per-thread state.
    pub(crate) cache: MatchCache,
    /// The events of the file chunks this thread scanned, merged into the scan's result when it ends: one set
    /// per thread, not one per chunk, so a problem's buckets are built and merged once per thread. Memory stays
    /// bounded by the distinct problems (times the threads).
    pub(crate) agg: Aggregates,
    pub(crate) buf: Vec<u8>,
    /// Origins of the pods seen in capture prefixes (`pod/container` → the origin their names give, if any), a
    /// small cache.
    pub(crate) pods: Vec<(Box<[u8]>, Option<Origin>)>,
    /// What record headers say, by line key (see [`unexplained`]), a cache.
    pub(crate) heads: unexplained::Heads,
    /// Field values cleaned recently (see [`crate::frame::sanitize::CleanMemo`]).
    pub(crate) cleaned: crate::frame::sanitize::CleanMemo,
}

impl Scratch {
    /// Fresh state for `pack`.
    pub fn new(pack: &Pack) -> Scratch {
        Scratch::with_max_keys(pack, crate::aggregate::episode::DEFAULT_MAX_KEYS)
    }

    /// Fresh state for `pack`, its aggregates keeping at most `max_keys` distinct keys per rule.
    pub fn with_max_keys(pack: &Pack, max_keys: usize) -> Scratch {
        Scratch {
            cache: MatchCache::new(pack),
            agg: Aggregates::with_max_keys(max_keys),
            buf: Vec::new(),
            pods: Vec::new(),
            heads: unexplained::Heads::default(),
            cleaned: crate::frame::sanitize::CleanMemo::default(),
        }
    }
}

/// Scan settings, resolved. Built with [`ScannerBuilder`].
#[derive(Debug, Clone)]
struct Config {
    threads: usize,
    zone: Zone,
    since: Option<Millis>,
    until: Option<Millis>,
    chunk: usize,
    piece: usize,
    bounds: RecordBounds,
    /// Mine the records no rule explained, at most this many templates per component.
    mine: Option<usize>,
    progress: Option<Arc<Progress>>,
    max_keys: usize,
    host: Option<String>,
}

/// Builds a [`Scanner`].
#[derive(Debug, Clone)]
pub struct ScannerBuilder {
    config: Config,
}

impl Default for ScannerBuilder {
    fn default() -> Self {
        ScannerBuilder::new()
    }
}

impl ScannerBuilder {
    /// All cores, UTC, no time window, default chunking.
    pub fn new() -> Self {
        ScannerBuilder {
            config: Config {
                threads: 0,
                zone: Zone::UTC,
                since: None,
                until: None,
                chunk: DEFAULT_CHUNK,
                piece: DEFAULT_READ_PIECE,
                bounds: RecordBounds::default(),
                mine: Some(DEFAULT_CAP),
                progress: None,
                max_keys: crate::aggregate::episode::DEFAULT_MAX_KEYS,
                host: None,
            },
        }
    }

    /// Worker threads; 0 means one per core.
    pub fn threads(&mut self, n: usize) -> &mut Self {
        self.config.threads = n;
        self
    }

    /// The zone of timestamps that carry none (logback, Kafka, Zookeeper).
    pub fn zone(&mut self, z: Zone) -> &mut Self {
        self.config.zone = z;
        self
    }

    /// Ignore records before this time.
    pub fn since(&mut self, t: Option<Millis>) -> &mut Self {
        self.config.since = t;
        self
    }

    /// Ignore records after this time.
    pub fn until(&mut self, t: Option<Millis>) -> &mut Self {
        self.config.until = t;
        self
    }

    /// Bytes per work unit of a large file (tests use small chunks to put hits on chunk boundaries).
    pub fn chunk_size(&mut self, n: usize) -> &mut Self {
        self.config.chunk = n.max(1);
        self
    }

    /// Bytes read at a time within a chunk (tests use small pieces to slide the buffer often).
    pub fn read_piece(&mut self, n: usize) -> &mut Self {
        self.config.piece = n.max(1);
        self
    }

    /// The most distinct keys kept per rule; the records of keys past it are counted in one `other` episode per
    /// component (memory stays bounded whatever the logs hold).
    pub fn max_keys(&mut self, n: usize) -> &mut Self {
        self.config.max_keys = n.max(1);
        self
    }

    /// The machine the inputs are read on, recorded with every file (reports of several machines are merged).
    pub fn host(&mut self, host: Option<String>) -> &mut Self {
        self.config.host = host;
        self
    }

    /// Limits on one multi-line record.
    pub fn record_bounds(&mut self, b: RecordBounds) -> &mut Self {
        self.config.bounds = b;
        self
    }

    /// Mine the records at WARN and above that no rule explained into templates, at most `cap` per component
    /// (default: [`DEFAULT_CAP`]); `None` mines nothing (and searches no level literal).
    pub fn unexplained(&mut self, cap: Option<usize>) -> &mut Self {
        self.config.mine = cap.map(|c| c.max(1));
        self
    }

    /// Counters to update as inputs are read (for a progress line): bytes per read piece, inputs as they are
    /// done.
    pub fn progress(&mut self, p: Arc<Progress>) -> &mut Self {
        self.config.progress = Some(p);
        self
    }

    /// Builds the scanner and its thread pool.
    pub fn build(&self, pack: Arc<Pack>) -> Result<Scanner, rayon::ThreadPoolBuildError> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.config.threads)
            .thread_name(|i| format!("stackscan-{i}"))
            .build()?;
        Ok(Scanner { pack, config: self.config.clone(), pool, scratch: Mutex::new(Vec::new()) })
    }
}

/// Scans inputs with a compiled pack. Reuse it: its per-thread caches survive across calls.
pub struct Scanner {
    pack: Arc<Pack>,
    config: Config,
    pool: rayon::ThreadPool,
    scratch: Mutex<Vec<Scratch>>,
}

/// The counts of one work unit, kept after its aggregates were merged.
pub(crate) struct UnitTotals {
    pub file: u32,
    pub chunk: u32,
    pub bytes: u64,
    /// Lines in the unit's region (`\n` count, plus a final unterminated line).
    pub lines: u64,
    /// `\n` bytes in the unit's region, for line bases of later chunks.
    pub newlines: u64,
    /// For a stream, the `\n` bytes of each of its blocks, in order: a block's samples are numbered from its own
    /// start (`LineRef::chunk` is the block), so the reader thread need not count lines.
    pub blocks: Vec<u64>,
    pub matches: u64,
    /// Hits cut from their header by a record bound.
    pub cut: u64,
    /// The input was not read: it lies outside the time window.
    pub out_of_range: bool,
    /// The input was not read: an Elasticsearch JSON log whose plain twin is read.
    pub twin: bool,
    pub skipped: Option<Skipped>,
}

/// The result of one work unit: its counts, its aggregates and its unexplained records (when mining).
pub(crate) struct UnitResult {
    pub totals: UnitTotals,
    pub aggregates: Aggregates,
    pub unexplained: Option<Unexplained>,
}

impl Scanner {
    /// The pack in use.
    pub fn pack(&self) -> &Arc<Pack> {
        &self.pack
    }

    /// Scans the inputs (already sorted: their order is the file index used in samples).
    pub fn scan(&self, inputs: &[Input]) -> ScanState {
        let started = Instant::now();
        let mut skipped = Vec::new();
        let units = chunk::plan(inputs, &self.config, self.pool.current_num_threads());
        // Units left per input, so that the progress counters count an input when its last unit is done.
        let left: Vec<AtomicU32> = (0..inputs.len()).map(|_| AtomicU32::new(0)).collect();
        if let Some(p) = &self.config.progress {
            let mut bytes = 0;
            for u in &units {
                left[u.file() as usize].fetch_add(1, Relaxed);
                if let chunk::Unit::Chunk { start, end, .. } = u {
                    bytes += end - start;
                }
            }
            p.start_scan(inputs.len() as u64, bytes);
        }
        let merged = Mutex::new(Aggregates::with_max_keys(self.config.max_keys));
        let mined = Mutex::new(InOrder::new(self.config.mine));
        // Every worker takes the next unit in input order: units finish nearly in order, so few of their miners
        // wait to be joined (a range split in halves would keep the second half's waiting for the first's).
        let next = std::sync::atomic::AtomicUsize::new(0);
        let done: Mutex<Vec<UnitTotals>> = Mutex::new(Vec::with_capacity(units.len()));
        self.pool.install(|| {
            rayon::scope(|scope| {
                for _ in 0..rayon::current_num_threads() {
                    scope.spawn(|_| loop {
                        let k = next.fetch_add(1, Relaxed);
                        let Some(unit) = units.get(k) else { break };
                        let progress = self.config.progress.as_deref();
                        if let Some(p) = progress {
                            p.start_file(unit.file() as usize);
                        }
                        let mut scratch = self.take_scratch();
                        let r = chunk::run(unit, inputs, &self.pack, &self.config, &mut scratch);
                        self.give_scratch(scratch);
                        if let Some(p) = progress {
                            if left[unit.file() as usize].fetch_sub(1, Relaxed) == 1 {
                                p.file_done();
                            }
                        }
                        let UnitResult { totals, aggregates, unexplained } = r;
                        if !aggregates.is_empty() {
                            merged.lock().unwrap_or_else(|e| e.into_inner()).merge(aggregates);
                        }
                        let unexplained = unexplained.unwrap_or_else(|| Unexplained::new(1));
                        mined.lock().unwrap_or_else(|e| e.into_inner()).put(k, unexplained);
                        done.lock().unwrap_or_else(|e| e.into_inner()).push(totals);
                    });
                }
            })
        });
        let results = done.into_inner().unwrap_or_else(|e| e.into_inner());
        // The events the threads folded chunk after chunk.
        for s in self.scratch.lock().unwrap_or_else(|e| e.into_inner()).iter_mut() {
            let agg = std::mem::replace(&mut s.agg, Aggregates::with_max_keys(self.config.max_keys));
            if !agg.is_empty() {
                merged.lock().unwrap_or_else(|e| e.into_inner()).merge(agg);
            }
        }

        let mut line_bases: Vec<Vec<u64>> = vec![Vec::new(); inputs.len()];
        let mut next_base = vec![0u64; inputs.len()];
        let mut stats = Stats::default();
        let mut read = vec![false; inputs.len()];
        let mut results = results;
        results.sort_by_key(|r| (r.file, r.chunk));
        for UnitTotals {
            file, bytes, lines, newlines, blocks, matches, cut, out_of_range, twin, skipped: skip, ..
        } in results
        {
            if out_of_range {
                stats.skipped_by_time += 1;
                continue;
            }
            if twin {
                stats.twins += 1;
                continue;
            }
            let f = file as usize;
            // Chunks arrive in order: each starts after the newlines of every earlier chunk of its file.
            if blocks.is_empty() {
                line_bases[f].push(next_base[f]);
                next_base[f] += newlines;
            }
            // A stream's blocks likewise, each after the ones before it.
            for n in blocks {
                line_bases[f].push(next_base[f]);
                next_base[f] += n;
            }
            stats.bytes += bytes;
            stats.lines += lines;
            stats.matches += matches;
            stats.records_cut += cut;
            if bytes > 0 || skip.is_none() {
                read[f] = true;
            }
            if let Some(s) = skip {
                skipped.push(s);
            }
        }
        stats.files = read.iter().filter(|&&r| r).count() as u64;
        stats.elapsed_ms = started.elapsed().as_millis() as u64;
        skipped.sort();
        skipped.dedup();
        let mut aggregates = merged.into_inner().unwrap_or_else(|e| e.into_inner());
        let base = |file: u32, chunk: u32| {
            line_bases.get(file as usize).and_then(|b| b.get(chunk as usize)).copied().unwrap_or(0)
        };
        aggregates.resolve_lines(base);
        let mut unexplained = mined.into_inner().unwrap_or_else(|e| e.into_inner()).finish().unwrap_or_default();
        unexplained.resolve_lines(base);
        ScanState {
            pack: self.pack.id(),
            files: inputs
                .iter()
                .map(|i| ScannedFile {
                    host: self.config.host.clone(),
                    display: i.display.clone(),
                    origin: i.origin.clone(),
                })
                .collect(),
            stats,
            skipped,
            aggregates,
            unexplained,
        }
    }

    fn take_scratch(&self) -> Scratch {
        let popped = self.scratch.lock().unwrap_or_else(|e| e.into_inner()).pop();
        popped.unwrap_or_else(|| Scratch::with_max_keys(&self.pack, self.config.max_keys))
    }

    fn give_scratch(&self, s: Scratch) {
        self.scratch.lock().unwrap_or_else(|e| e.into_inner()).push(s);
    }
}

/// Whether an input is read as one stream (compressed, stdin) rather than in positioned chunks.
pub(crate) fn is_stream(input: &Input) -> bool {
    !matches!(input.location, Location::File(_)) || input.compression != crate::source::Compression::None
}

/// A block of one input for [`scan_block`]: `buf[start..]` is searched, `buf[..start]` is look-behind (lines
/// already scanned, kept so a stack trace's header can be found). `buf[start..]` should end at a line end.
#[derive(Debug, Clone, Copy)]
pub struct Block<'a> {
    /// The bytes.
    pub buf: &'a [u8],
    /// Where the searched region starts.
    pub start: usize,
    /// The input's index, as used in samples.
    pub file: u32,
    /// What wrote it.
    pub origin: &'a Origin,
    /// 0-based line number of `buf[start]` in the input.
    pub first_line: u64,
    /// Offset of `buf[0]` in the input.
    pub base_offset: u64,
    /// How the input's lines are read (capture prefixes), detected once from its first lines by whoever reads
    /// it ([`detect_mode`]); `None`: detected from this block.
    pub mode: Option<crate::frame::prefix::Mode>,
}

/// How an input's lines are read (kubectl, stern, CRI, Docker prefixes), from its first bytes (up to 16 KiB):
/// decided once per input, as a scan does, not per block.
pub fn detect_mode(head: &[u8], zone: Zone) -> crate::frame::prefix::Mode {
    crate::frame::prefix::detect(&head[..head.len().min(16 * 1024)], zone)
}

/// Counts from [`scan_block`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BlockCounts {
    /// `\n` bytes in the searched region.
    pub newlines: u64,
    /// Events folded into the aggregates.
    pub matches: u64,
}

/// Scans one block of an input on the calling thread and folds its events into `agg`, and, with `mine`, its
/// unexplained records into those templates. Tail mode uses it for each batch of newly written lines; sample
/// line numbers are `first_line`-based (chunk 0): resolved.
pub fn scan_block(
    pack: &Pack,
    scratch: &mut Scratch,
    block: &Block<'_>,
    zone: Zone,
    agg: &mut Aggregates,
    mine: Option<&mut Unexplained>,
) -> BlockCounts {
    let ctx = search::FileCtx {
        pack,
        file: block.file,
        origin: block.origin,
        zone,
        since: None,
        until: None,
        bounds: RecordBounds::default(),
        mode: block.mode.unwrap_or_else(|| detect_mode(block.buf, zone)),
        klog: crate::frame::header::looks_like_klog(&block.buf[..block.buf.len().min(16 * 1024)]),
    };
    let region = search::Region {
        buf: block.buf,
        start: block.start,
        end: block.buf.len(),
        base_offset: block.base_offset,
        chunk: 0,
        first_line: block.first_line as i64,
        more: false,
        seen_before: 0,
    };
    let mut mine = mine;
    let c = search::scan_region(&ctx, scratch, &region, agg, mine.as_deref_mut());
    if let Some(m) = mine {
        m.settle();
    }
    BlockCounts { newlines: c.newlines, matches: c.matches }
}

/// Scans one in-memory buffer as a file of `origin` (used by the pack's self-test and by tests). Returns the
/// aggregates as episodes, sorted.
pub fn scan_buffer(
    pack: &Pack,
    scratch: &mut Scratch,
    buf: &[u8],
    origin: &Origin,
) -> Vec<(crate::aggregate::episode::EpisodeKey, crate::aggregate::episode::Bucket)> {
    let mut agg = Aggregates::default();
    let block = Block { buf, start: 0, file: 0, origin, first_line: 0, base_offset: 0, mode: None };
    scan_block(pack, scratch, &block, Zone::UTC, &mut agg, None);
    agg.into_episodes()
}

/// The miners of work units, joined in the units' order whatever order they finish in: each is folded in as soon
/// as every unit before it was (see [`Unexplained::absorb`]); those that finish early are folded with their
/// finished neighbours meanwhile (a run of consecutive units folded in order is what the final fold makes of it),
/// so what waits is one miner per gap, not one per unit.
pub(crate) struct InOrder {
    cap: Option<usize>,
    next: usize,
    /// Runs of consecutive finished units, by first unit: (end, exclusive; their miners folded).
    waiting: std::collections::BTreeMap<usize, (usize, Unexplained)>,
    joined: Option<Unexplained>,
}

impl InOrder {
    pub(crate) fn new(cap: Option<usize>) -> Self {
        InOrder { cap, next: 0, waiting: std::collections::BTreeMap::new(), joined: None }
    }

    /// Unit `k`'s miners (every unit gives some, empty ones included, so that the units after it are joined).
    pub(crate) fn put(&mut self, k: usize, u: Unexplained) {
        let (mut start, mut end, mut run) = (k, k + 1, u);
        // The run ending where this unit starts takes it in.
        if let Some((&s, _)) = self.waiting.range(..k).next_back().filter(|(_, (e, _))| *e == k) {
            if let Some((_, mut before)) = self.waiting.remove(&s) {
                before.absorb(run);
                (start, run) = (s, before);
            }
        }
        // So does this unit the run that starts where it ends.
        if let Some((e, after)) = self.waiting.remove(&end) {
            run.absorb(after);
            end = e;
        }
        if start == self.next {
            self.join(run);
            self.next = end;
        } else {
            self.waiting.insert(start, (end, run));
        }
    }

    fn join(&mut self, u: Unexplained) {
        match &mut self.joined {
            Some(j) => j.absorb(u),
            None => {
                let mut j = Unexplained::new(self.cap.unwrap_or(DEFAULT_CAP));
                j.absorb(u);
                self.joined = Some(j);
            }
        }
    }

    /// Everything joined (`None` when not mining).
    pub(crate) fn finish(mut self) -> Option<Unexplained> {
        self.cap?;
        for (_, (_, u)) in std::mem::take(&mut self.waiting) {
            self.join(u);
        }
        Some(self.joined.unwrap_or_else(|| Unexplained::new(self.cap.unwrap_or(DEFAULT_CAP))))
    }
}
