//! The parallel scan: plans work over the inputs, runs it on a rayon pool, and merges the results into one set
//! of aggregates that does not depend on the thread count or the order in which work finished.
//!
//! Work units: a plain file larger than the chunk size is cut into newline-aligned chunks read with positioned
//! reads, so one big file keeps every core busy; compressed files and standard input are read as one stream each,
//! decompressed on the worker thread. Each worker borrows a [`Scratch`] (regex caches, buffers) from a pool, so
//! lazy-DFA caches are reused across files.

mod chunk;
pub(crate) mod search;

use crate::correlate::episode::{Aggregates, LineRef};
use crate::frame::RecordBounds;
use crate::rules::Pack;
use crate::source::{Input, Location, Origin, Skipped};
use crate::time::{Millis, Zone};
use regex_automata::{meta, util::captures::Captures, PatternSet};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Default chunk size: large enough that per-chunk costs vanish (each chunk builds aggregates of its own, merged
/// at its end: 4 MiB chunks spent 8% of a hit-heavy scan on them), small enough to split big files finely.
pub const DEFAULT_CHUNK: usize = 8 * 1024 * 1024;
/// A chunk is read in pieces of this size into a buffer that slides along it: the same bytes are reused, so the
/// kernel's copy and the search stay in the CPU cache (reading a whole 4 MiB chunk first made the copy twice as
/// slow).
pub const DEFAULT_READ_PIECE: usize = 256 * 1024;
/// Look-behind kept before each chunk to find the header of a stack trace that began in the previous chunk.
pub const LOOK_BEHIND: usize = 64 * 1024;
/// The longest line searched as one piece; a longer line is searched in pieces of this size (a match spanning a
/// cut can be missed, and the report says so).
pub const MAX_LINE: usize = 8 * 1024 * 1024;

/// Per-thread search state, reused across files and chunks.
pub struct Scratch {
    pub(crate) search: Option<meta::Cache>,
    pub(crate) set: Option<meta::Cache>,
    pub(crate) patset: PatternSet,
    /// Rules already named for the current line (see [`Pack::candidates`]).
    pub(crate) tried: PatternSet,
    /// The candidate rules of the current line (see [`Pack::candidates`]).
    pub(crate) cands: Vec<usize>,
    /// Per rule, its recent capture searches (see [`Pack::capture`]).
    pub(crate) memos: Memos,
    /// The events of the file chunks this thread scanned, merged into the scan's result when it ends: one set
    /// per thread, not one per chunk, so a problem's buckets are built and merged once per thread. Memory stays
    /// bounded by the distinct problems (times the threads).
    pub(crate) agg: Aggregates,
    pub(crate) rule_caches: Vec<meta::Cache>,
    /// Caches of the rules' full regexes, for long lines, made on first use.
    pub(crate) long_caches: Vec<Option<meta::Cache>>,
    pub(crate) caps: Vec<Captures>,
    pub(crate) buf: Vec<u8>,
    /// Origins of the pods seen in capture prefixes (`pod/container` → origin), a small cache.
    pub(crate) pods: Vec<(Box<[u8]>, Origin)>,
}

impl Scratch {
    /// Fresh state for `pack`.
    pub fn new(pack: &Pack) -> Scratch {
        Scratch {
            search: pack.search.as_ref().map(|r| r.create_cache()),
            set: pack.set.as_ref().map(|r| r.create_cache()),
            patset: PatternSet::new(pack.rules().len()),
            tried: PatternSet::new(pack.rules().len()),
            cands: Vec::new(),
            memos: Memos::new(pack.rules().len()),
            agg: Aggregates::default(),
            rule_caches: pack.rules().iter().map(|r| r.regex.create_cache()).collect(),
            long_caches: pack.rules().iter().map(|_| None).collect(),
            caps: pack.rules().iter().map(|r| r.regex.create_captures()).collect(),
            buf: Vec::new(),
            pods: Vec::new(),
        }
    }
}

/// Remembered capture searches: a few per rule, in slots chosen by a hash of the bytes searched.
#[derive(Debug)]
pub(crate) struct Memos {
    slots: Vec<Memo>,
}

/// Searches remembered per rule.
const MEMO_SLOTS: usize = 8;
/// The longest line tail remembered: the memory held stays bounded by rules × slots × this.
pub(crate) const MAX_MEMO_TAIL: usize = 1024;

impl Memos {
    fn new(rules: usize) -> Memos {
        Memos { slots: (0..rules * MEMO_SLOTS).map(|_| Memo::default()).collect() }
    }

    /// The slot where a search of `rule` over `tail` is remembered, if it was.
    pub(crate) fn slot(&mut self, rule: usize, tail: &[u8]) -> &mut Memo {
        let mut h = tail.len() as u64;
        for w in tail.chunks(8) {
            let mut b = [0u8; 8];
            b[..w.len()].copy_from_slice(w);
            h = (h ^ u64::from_le_bytes(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29);
        }
        &mut self.slots[rule * MEMO_SLOTS + (h >> 32) as usize % MEMO_SLOTS]
    }
}

/// One remembered capture search: the bytes it depended on and what it found.
#[derive(Debug, Default)]
pub(crate) struct Memo {
    pub(crate) valid: bool,
    /// Whether the search started at the line's start (a `^` could match).
    pub(crate) at_zero: bool,
    /// The line from one byte before the search's start.
    pub(crate) tail: Vec<u8>,
    pub(crate) matched: bool,
    /// The capture slots, relative to the start of `tail`.
    pub(crate) slots: Vec<Option<usize>>,
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

    /// Limits on one multi-line record.
    pub fn record_bounds(&mut self, b: RecordBounds) -> &mut Self {
        self.config.bounds = b;
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

/// A file that was scanned, in report order.
#[derive(Debug, Clone)]
pub struct ScannedFile {
    /// Name shown in reports.
    pub display: String,
    /// What wrote it.
    pub origin: Origin,
}

/// Totals of a scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Inputs read (wholly or partly).
    pub files: u64,
    /// Bytes of log text read (after decompression).
    pub bytes: u64,
    /// Lines read.
    pub lines: u64,
    /// Events (matching records) folded into episodes.
    pub matches: u64,
    /// Wall time of the scan, milliseconds.
    pub elapsed_ms: u64,
    /// Inputs not read because their whole time span lies outside `--since`/`--until`.
    pub skipped_by_time: u64,
    /// Hits more than a record bound ([`RecordBounds`]) below any header line: each was reported as a record of
    /// its own, without the header's time.
    pub records_cut: u64,
}

/// Everything a scan found.
#[derive(Debug)]
pub struct ScanOutput {
    /// The inputs, indexed by the `file` of samples.
    pub files: Vec<ScannedFile>,
    /// Totals.
    pub stats: Stats,
    /// Inputs not scanned or not completely, with why.
    pub skipped: Vec<Skipped>,
    /// The aggregates.
    pub aggregates: Aggregates,
    /// Per file, the first line number of each chunk.
    line_bases: Vec<Vec<u64>>,
}

impl ScanOutput {
    /// Assembles an output from its parts (tail mode builds one from its running aggregates). `line_bases[f]` holds
    /// the first line number of each chunk of file `f`; for inputs scanned with [`scan_block`] that is `vec![0]`.
    pub fn from_parts(
        files: Vec<ScannedFile>,
        stats: Stats,
        skipped: Vec<Skipped>,
        aggregates: Aggregates,
        line_bases: Vec<Vec<u64>>,
    ) -> Self {
        ScanOutput { files, stats, skipped, aggregates, line_bases }
    }

    /// The 1-based line number of a sample line.
    pub fn line_number(&self, file: u32, l: LineRef) -> u64 {
        let base = self.line_bases.get(file as usize).and_then(|b| b.get(l.chunk as usize)).copied().unwrap_or(0);
        (base as i64 + l.rel + 1).max(1) as u64
    }
}

/// The counts of one work unit, kept after its aggregates were merged.
struct UnitTotals {
    file: u32,
    chunk: u32,
    bytes: u64,
    lines: u64,
    newlines: u64,
    blocks: Vec<u64>,
    matches: u64,
    cut: u64,
    out_of_range: bool,
    skipped: Option<Skipped>,
}

/// The result of one work unit.
pub(crate) struct UnitResult {
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
    pub skipped: Option<Skipped>,
    pub aggregates: Aggregates,
}

impl Scanner {
    /// The pack in use.
    pub fn pack(&self) -> &Arc<Pack> {
        &self.pack
    }

    /// Scans the inputs (already sorted: their order is the file index used in samples).
    pub fn scan(&self, inputs: &[Input]) -> ScanOutput {
        let started = Instant::now();
        let mut skipped = Vec::new();
        let units = chunk::plan(inputs, &self.config);
        let merged = Mutex::new(Aggregates::default());
        let results: Vec<UnitTotals> = self.pool.install(|| {
            use rayon::prelude::*;
            units
                .par_iter()
                .with_max_len(1)
                .map(|unit| {
                    let mut scratch = self.take_scratch();
                    let r = chunk::run(unit, inputs, &self.pack, &self.config, &mut scratch);
                    self.give_scratch(scratch);
                    let UnitResult {
                        file,
                        chunk,
                        bytes,
                        lines,
                        newlines,
                        blocks,
                        matches,
                        cut,
                        out_of_range,
                        skipped,
                        aggregates,
                    } = r;
                    if !aggregates.is_empty() {
                        merged.lock().unwrap_or_else(|e| e.into_inner()).merge(aggregates);
                    }
                    UnitTotals { file, chunk, bytes, lines, newlines, blocks, matches, cut, out_of_range, skipped }
                })
                .collect()
        });
        // The events the threads folded chunk after chunk.
        for s in self.scratch.lock().unwrap_or_else(|e| e.into_inner()).iter_mut() {
            let agg = std::mem::take(&mut s.agg);
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
        for UnitTotals { file, bytes, lines, newlines, blocks, matches, cut, out_of_range, skipped: skip, .. } in
            results
        {
            if out_of_range {
                stats.skipped_by_time += 1;
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
        skipped.sort_by(|a, b| a.path.cmp(&b.path).then(a.reason.cmp(&b.reason)));
        skipped.dedup();
        ScanOutput {
            files: inputs
                .iter()
                .map(|i| ScannedFile { display: i.display.clone(), origin: i.origin.clone() })
                .collect(),
            stats,
            skipped,
            aggregates: merged.into_inner().unwrap_or_else(|e| e.into_inner()),
            line_bases,
        }
    }

    fn take_scratch(&self) -> Scratch {
        let popped = self.scratch.lock().unwrap_or_else(|e| e.into_inner()).pop();
        popped.unwrap_or_else(|| Scratch::new(&self.pack))
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
    /// The input's index, as used in samples and [`ScanOutput::line_number`].
    pub file: u32,
    /// What wrote it.
    pub origin: &'a Origin,
    /// 0-based line number of `buf[start]` in the input.
    pub first_line: u64,
    /// Offset of `buf[0]` in the input.
    pub base_offset: u64,
}

/// Counts from [`scan_block`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BlockCounts {
    /// `\n` bytes in the searched region.
    pub newlines: u64,
    /// Events folded into the aggregates.
    pub matches: u64,
}

/// Scans one block of an input on the calling thread and folds its events into `agg`. Tail mode uses it for
/// each batch of newly written lines; sample line numbers are `first_line`-based (chunk 0), so an output built
/// with [`ScanOutput::from_parts`] and line bases `[0]` resolves them.
pub fn scan_block(
    pack: &Pack,
    scratch: &mut Scratch,
    block: &Block<'_>,
    zone: Zone,
    agg: &mut Aggregates,
) -> BlockCounts {
    let ctx = search::FileCtx {
        pack,
        file: block.file,
        origin: block.origin,
        zone,
        since: None,
        until: None,
        bounds: RecordBounds::default(),
        mode: crate::frame::prefix::detect(&block.buf[..block.buf.len().min(16 * 1024)], zone),
    };
    let region = search::Region {
        buf: block.buf,
        start: block.start,
        end: block.buf.len(),
        base_offset: block.base_offset,
        chunk: 0,
        first_line: block.first_line as i64,
        more: false,
    };
    let c = search::scan_region(&ctx, scratch, &region, agg);
    BlockCounts { newlines: c.newlines, matches: c.matches }
}

/// Scans one in-memory buffer as a file of `origin` (used by the pack's self-test and by tests). Returns the
/// aggregates as episodes, sorted.
pub fn scan_buffer(
    pack: &Pack,
    scratch: &mut Scratch,
    buf: &[u8],
    origin: &Origin,
) -> Vec<(crate::correlate::episode::EpisodeKey, crate::correlate::episode::Bucket)> {
    let mut agg = Aggregates::default();
    let block = Block { buf, start: 0, file: 0, origin, first_line: 0, base_offset: 0 };
    scan_block(pack, scratch, &block, Zone::UTC, &mut agg);
    agg.into_episodes()
}
