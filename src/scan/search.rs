//! The hot path: find the few lines of a buffer that match a rule, and turn each into an event folded into the
//! episode aggregates.
//!
//! The buffer is searched as a whole, never line by line: either the literal prefilter (one Aho-Corasick search
//! for every rule's literals) or, when some rule has no literal, the pack's multi-pattern regex. Only around a
//! candidate are the line bounds found (memchr), the rules that may match it named (those whose own literals
//! are at the literal hits: [`Pack::candidates`]), the record's header found for continuation lines and the time
//! parsed; then each named rule that could still fire there (not yet fired in the record, not a fallback
//! outranked by a specific rule) runs its own regex, captures and all. Lines that match nothing are never
//! framed, decoded or allocated.

use super::unexplained::Mining;
use super::Scratch;
use crate::aggregate::episode::{Aggregates, LineRef, Order};
use crate::aggregate::seen::RawKey;
use crate::aggregate::unexplained::Unexplained;
use crate::frame::prefix::{self, Mode, Source, Stripped};
use crate::frame::{self, RecordBounds, Viewed};
use crate::model::Component;
use crate::rules::CLIENT_FIELD;
use crate::rules::{Layer, Pack};
use crate::source::{classify, Origin};

use crate::time::{Millis, Zone};
use std::borrow::Cow;
use std::cell::OnceCell;

/// The rank of a writer's rule matched in a line of another writer (see `Rule::rank` for the others): it fires only
/// in a record where no other rule did, and gives way to any rule matching further down.
const STRANGER: u8 = 4;

/// Who wrote a line (see `handle_line`), worked out on first use: classifying a record's layout costs more than
/// most candidate lines are worth, and only a writer's rule that matched, or that competes with a rule already
/// fired in the record, needs it.
type Told<'t> = &'t dyn Fn() -> Option<Component>;

/// A rule's rank in a line whose writer is `told`: its own (`Rule::rank`), or, for a writer's rule of another
/// writer (or of a writer not known, when the rule says `known_writer`), [`STRANGER`]. Asks `told` only of a
/// writer's rule.
fn rank_in(rule: &crate::rules::Rule, told: Told<'_>) -> u8 {
    if rule.layer == Layer::Writer {
        match told() {
            Some(c) if !rule.components.contains(c) => return STRANGER,
            None if rule.known_writer => return STRANGER,
            _ => {}
        }
    }
    rule.rank()
}

/// What the hot path needs to know about the file being scanned.
pub(crate) struct FileCtx<'a> {
    pub pack: &'a Pack,
    pub file: u32,
    pub origin: &'a Origin,
    pub zone: Zone,
    pub since: Option<Millis>,
    pub until: Option<Millis>,
    pub bounds: RecordBounds,
    /// How lines are read (capture prefixes), from the input's first lines.
    pub mode: Mode,
    /// The input is klog (see [`crate::frame::header::looks_like_klog`]): when mining, every line that opens
    /// with a klog header at WARN and above is visited.
    pub klog: bool,
}

/// A newline-aligned region of a buffer to search. `buf[..start]` is look-behind: not searched, but available
/// to find the header of a stack trace that began before the region.
pub(crate) struct Region<'a> {
    pub buf: &'a [u8],
    pub start: usize,
    pub end: usize,
    /// Offset in the file (decompressed) of `buf[0]`.
    pub base_offset: u64,
    /// The chunk the region belongs to, for line numbers.
    pub chunk: u32,
    /// Line number (0-based, relative to the chunk) of the region's first line.
    pub first_line: i64,
    /// The buffer does not hold the rest of the input: more of it follows. A CRI line split into parts is joined
    /// by the region of its first part, reading on into the look-ahead; one that goes on past the buffer is left to
    /// the region after.
    pub more: bool,
    /// `buf[..seen_before]` is what the region before had in its buffer (its look-ahead): a split line whose first
    /// part is in the look-behind and which ends there was joined by that region. 0 when no region came before
    /// or what it saw is not known (the region then joins every such line).
    pub seen_before: usize,
}

/// Counts from one region.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct RegionCounts {
    /// `\n` bytes in the region.
    pub newlines: u64,
    /// Events folded into aggregates.
    pub matches: u64,
    /// Hits whose walk back to a header reached a record bound (reported as records of their own).
    pub cut: u64,
}

/// Searches one region and folds every event into `agg`, and, with `mine`, every record no rule explained into
/// its templates.
pub(crate) fn scan_region(
    ctx: &FileCtx<'_>,
    s: &mut Scratch,
    r: &Region<'_>,
    agg: &mut Aggregates,
    mine: Option<&mut Unexplained>,
) -> RegionCounts {
    let mut scan = RegionScan::new(r);
    scan.step(ctx, s, r, r.end, agg, mine);
    scan.finish(r)
}

/// The search of one region in steps, over a buffer that slides along the file: each step searches the lines
/// read last, then the bytes no longer needed (all but the look-behind) are dropped and the positions kept here
/// are moved down with [`RegionScan::rebase`]. What the steps carry over (the line count, the record the last hit
/// belonged to) makes the result that of one search of the whole region.
pub(crate) struct RegionScan {
    pos: usize,
    /// A line start whose line number is `line_at_counted`: lines are counted incrementally.
    counted: usize,
    line_at_counted: i64,
    last_record: Option<usize>,
    fired: Vec<(usize, bool)>,
    counts: RegionCounts,
    /// The record being judged for the template miner, and the last ones judged.
    mining: Mining,
}

impl RegionScan {
    pub(crate) fn new(r: &Region<'_>) -> Self {
        RegionScan {
            pos: r.start,
            counted: r.start,
            line_at_counted: r.first_line,
            last_record: None,
            fired: Vec::new(),
            counts: RegionCounts::default(),
            mining: Mining::default(),
        }
    }

    /// Handles the candidates before `upto`, a line start at most `r.end` with the bytes the record look-ahead
    /// needs after it already in `r.buf`, and counts the lines before it. With `mine`, the candidates include the
    /// lines holding a level literal, and every record at WARN and above (or holding an exception) that no rule
    /// matched is mined into `mine` (see [`super::unexplained`]).
    pub(crate) fn step(
        &mut self,
        ctx: &FileCtx<'_>,
        s: &mut Scratch,
        r: &Region<'_>,
        upto: usize,
        agg: &mut Aggregates,
        mut mine: Option<&mut Unexplained>,
    ) {
        let buf = r.buf;
        // CRI files: every partial line is a candidate too (a literal may be split between its parts).
        let mut partials = (ctx.mode == Mode::Cri).then(|| PartialLines::new(buf, upto));
        let mining = mine.is_some();
        let one_search = mining && ctx.pack.mines_in_one_search();
        let mut levels = (mining && !one_search).then(|| LevelLines::new(buf, upto));
        let mut klog = (mining && ctx.klog).then(|| KlogLines::new(buf, upto));
        while self.pos < upto {
            let (hit, level_only) = if one_search {
                let found = ctx.pack.find_mining_candidate(&mut s.cache, buf, self.pos, upto);
                (found.map(|f| f.0), found.is_some_and(|f| f.1))
            } else {
                (ctx.pack.find_candidate(&mut s.cache, buf, self.pos, upto), false)
            };
            let level = levels.as_mut().and_then(|l| l.next(ctx.pack, self.pos));
            let klog_line = klog.as_mut().and_then(|k| k.next(self.pos));
            let partial = partials.as_mut().and_then(|p| p.next(self.pos));
            let Some(cand) = [hit, level, klog_line, partial].into_iter().flatten().min() else { break };
            let ls = frame::line_start(buf, self.pos, cand);
            let le = frame::line_end(buf, cand, r.end);
            // Where the line's first rule literal is: at the hit, further in the line (past the level literals,
            // found by the rules' own searcher in the rest of the line), or nowhere (no rule can match the line).
            // A candidate of another kind (a CRI part, a klog line) is searched whole. The rest of a line stopped at a
            // level literal is searched by the rules' searcher alone: going on with the one search instead (its next
            // hit past the line kept for the next turn) saves a search on lines with one level literal but costs one
            // on lines with two (the agent's `| ERROR | ... Error while ...`): 2% fewer instructions on the 0.1%
            // benchmark corpus, 6% and 10% more on the agent storm files (benches/README.md).
            let rule_at: Option<Option<usize>> = match hit {
                Some(h) if h == cand && level_only => ctx.pack.find_candidate(&mut s.cache, buf, h + 1, le).map(Some),
                Some(h) if h == cand => Some(Some(h)),
                _ => Some(None),
            };
            self.line_at_counted += frame::count_newlines(&buf[self.counted..ls]) as i64;
            self.counted = ls;
            let raw = frame::trim_cr(&buf[ls..le]);
            let st = prefix::strip(raw, ctx.mode);
            // A CRI partial line is searched as the whole line it is part of, numbered by its first part.
            let (first, done, line_no, line): (usize, usize, i64, Cow<'_, [u8]>) = match cri_join(ctx, r, ls, &st) {
                None => (ls, le, self.line_at_counted, Cow::Borrowed(&*st.content)),
                Some(Err(end)) => {
                    self.pos = end.max(le) + 1;
                    continue;
                }
                // A line whose first parts are in the look-behind and which ended within what the region before
                // had read was joined there.
                Some(Ok((first, end, _))) if first < r.start && end < r.seen_before => {
                    self.pos = end.max(le) + 1;
                    continue;
                }
                // A line whose first parts are in the look-behind and which went on past what the region before
                // had read was left to this region.
                Some(Ok((first, end, joined))) => (
                    first,
                    end,
                    self.line_at_counted - frame::count_newlines(&buf[first..ls]) as i64,
                    Cow::Owned(joined),
                ),
            };
            // A line read from one physical line that is no CRI line (which may be the tail of a split line), outside
            // a CRI file: `view_line` would read it the same, with its prefix's time.
            let one_line = first == ls && !st.cri && ctx.mode != Mode::Cri;
            let prefix_time = one_line.then_some(st.time);
            let at = Line { first, done, no: line_no, content: &line, source: st.source, prefix_time };
            if let Some(first_literal) = rule_at {
                handle_line(
                    ctx,
                    s,
                    r,
                    &at,
                    first_literal,
                    &mut self.last_record,
                    &mut self.fired,
                    agg,
                    &mut self.counts,
                );
            }
            if let Some(m) = mine.as_deref_mut() {
                // A record replayed without a rule firing (`handle_line`) is the last one visited, not one explained.
                let explained = self.last_record.filter(|_| !self.fired.is_empty());
                self.mining.visit(ctx, s, r, &at, explained, m);
            }
            self.pos = done.max(le) + 1;
        }
        self.pos = self.pos.max(upto);
        agg.settle();
        if self.counted < upto {
            self.line_at_counted += frame::count_newlines(&buf[self.counted..upto]) as i64;
            self.counted = upto;
        }
        if let Some(m) = mine {
            self.mining.end_step(ctx, s, r, upto, m);
        }
    }

    /// The buffer's first `by` bytes were dropped (all before the last step's end less the look-behind).
    pub(crate) fn rebase(&mut self, by: usize) {
        self.pos -= by;
        self.counted -= by;
        self.last_record = self.last_record.and_then(|x| x.checked_sub(by));
        self.mining.rebase(by);
    }

    /// The counts, once every step is done.
    pub(crate) fn finish(mut self, r: &Region<'_>) -> RegionCounts {
        // The lines before `counted` are already counted: count only the rest of the region.
        self.counts.newlines = (self.line_at_counted - r.first_line) as u64
            + frame::count_newlines(&r.buf[self.counted.min(r.end)..r.end]);
        self.counts
    }
}

/// Whether a mining step's search visits the physical line `[a, e)`, as [`RegionScan::step`] finds its candidates:
/// the line holds a literal of the search (the rules' or a level literal), it opens with a klog header at WARN and
/// above in a klog input, or it is a CRI partial line. The region that visits a record's first such line judges
/// the record (see `scan::unexplained`).
pub(super) fn is_visited(ctx: &FileCtx<'_>, s: &mut Scratch, buf: &[u8], a: usize, e: usize) -> bool {
    let pack = ctx.pack;
    let hit = if pack.mines_in_one_search() {
        pack.find_mining_candidate(&mut s.cache, buf, a, e).is_some()
    } else {
        pack.find_candidate(&mut s.cache, buf, a, e).is_some() || pack.find_level(buf, a, e).is_some()
    };
    hit || (ctx.klog && crate::frame::header::is_klog_problem(&buf[a..e]))
        || (ctx.mode == Mode::Cri && PartialLines::MARKS.iter().any(|m| memchr::memmem::find(&buf[a..e], m).is_some()))
}

/// The CRI partial lines of a buffer, found with one SIMD substring search per stream name.
struct PartialLines<'a> {
    buf: &'a [u8],
    end: usize,
    /// Per marker, its next place once searched (`Some(None)`: there is none).
    next: [Option<Option<usize>>; 2],
}

impl<'a> PartialLines<'a> {
    const MARKS: [&'static [u8]; 2] = [b" stdout P ", b" stderr P "];

    fn new(buf: &'a [u8], end: usize) -> Self {
        PartialLines { buf, end, next: [None; 2] }
    }

    /// The position of the next partial-line marker at or after `pos`.
    fn next(&mut self, pos: usize) -> Option<usize> {
        for (k, mark) in Self::MARKS.iter().enumerate() {
            if self.next[k].is_none_or(|n| n.is_some_and(|n| n < pos)) {
                self.next[k] = Some(memchr::memmem::find(&self.buf[pos..self.end], mark).map(|i| pos + i));
            }
        }
        self.next.iter().flatten().flatten().min().copied()
    }
}

/// The lines holding a level literal, for packs whose rules' literals cannot be searched with them in one pass
/// (see [`Pack::mines_in_one_search`]): the next hit is searched once and kept until it is passed.
struct LevelLines<'a> {
    buf: &'a [u8],
    end: usize,
    next: Option<Option<usize>>,
}

impl<'a> LevelLines<'a> {
    fn new(buf: &'a [u8], end: usize) -> Self {
        LevelLines { buf, end, next: None }
    }

    fn next(&mut self, pack: &Pack, pos: usize) -> Option<usize> {
        if self.next.is_none_or(|n| n.is_some_and(|n| n < pos)) {
            self.next = Some(pack.find_level(self.buf, pos, self.end));
        }
        self.next.flatten()
    }
}

/// In a klog input, the lines that open with a klog header at WARN and above (`E0312 ...`): a look at each
/// line's first bytes, kept until passed.
struct KlogLines<'a> {
    buf: &'a [u8],
    end: usize,
    next: Option<Option<usize>>,
}

impl<'a> KlogLines<'a> {
    fn new(buf: &'a [u8], end: usize) -> Self {
        KlogLines { buf, end, next: None }
    }

    /// The next such line start at or after `pos` (a line start).
    fn next(&mut self, pos: usize) -> Option<usize> {
        if self.next.is_none_or(|n| n.is_some_and(|n| n < pos)) {
            let mut at = pos;
            self.next = Some(loop {
                if at >= self.end {
                    break None;
                }
                if crate::frame::header::is_klog_problem(&self.buf[at..self.end]) {
                    break Some(at);
                }
                at = match memchr::memchr(b'\n', &self.buf[at..self.end]) {
                    Some(i) => at + i + 1,
                    None => self.end,
                };
            });
        }
        self.next.flatten()
    }
}

/// A candidate line, as [`RegionScan::step`] hands it on: a physical line, or a CRI line joined from its parts.
pub(super) struct Line<'b> {
    /// Start of its (first) physical line.
    pub first: usize,
    /// End of its last physical line.
    pub done: usize,
    /// Its line number, relative to the chunk.
    pub no: i64,
    /// The line as its writer wrote it (without a capture prefix).
    pub content: &'b [u8],
    /// Who wrote it, in a capture.
    pub source: Source<'b>,
    /// Its capture prefix's time, when the search read it from one physical line that is no CRI line, outside a CRI
    /// file: [`view_line`] and [`whole_line`] would read it the same. `None` when it must be viewed again.
    pub prefix_time: Option<Option<Millis>>,
}

impl Line<'_> {
    /// Where its content lies in `buf`, when it is what [`whole_line`] reads of the line (see `prefix_time`).
    pub(super) fn whole_at(&self, buf: &[u8]) -> Option<(usize, usize)> {
        self.prefix_time.and_then(|_| range_in(buf, self.content))
    }
}

/// The origin of a line: from its capture prefix's pod and container when they name a component (cached per
/// pod in the scratch space), else the input's with the pod's name. Only what the names say is cached: the
/// scratch space serves every input of a thread, and an input's own origin is that input's alone.
pub(super) fn line_origin<'o>(ctx: &'o FileCtx<'_>, s: &mut Scratch, source: Source<'_>) -> Cow<'o, Origin> {
    let Source::Pod { pod, container } = source else { return Cow::Borrowed(ctx.origin) };
    let key_len = pod.len() + 1 + container.len();
    let cached = s
        .pods
        .iter()
        .find(|(k, _)| k.len() == key_len && k.starts_with(pod) && k[pod.len()] == b'/' && k.ends_with(container))
        .map(|(_, o)| o.clone());
    let named = match cached {
        Some(named) => named,
        None => {
            let pod_s = String::from_utf8_lossy(pod);
            let container_s = String::from_utf8_lossy(container);
            let named = classify::origin_of_name(&container_s)
                .or_else(|| classify::origin_of_name(&pod_s))
                .map(|o| Origin { pod: Some(pod_s.into_owned()), ..o });
            if s.pods.len() >= 256 {
                s.pods.clear();
            }
            s.pods.push(([pod, b"/", container].concat().into_boxed_slice(), named.clone()));
            named
        }
    };
    Cow::Owned(
        named.unwrap_or_else(|| Origin { pod: Some(String::from_utf8_lossy(pod).into_owned()), ..ctx.origin.clone() }),
    )
}

/// Whether the physical line before `ls` is a CRI partial line of `stream`.
fn partial_above(buf: &[u8], lo: usize, ls: usize, stream: Source<'_>, mode: Mode) -> Option<usize> {
    if ls <= lo {
        return None;
    }
    let ps = frame::line_start(buf, lo, ls - 1);
    let p = prefix::strip(frame::trim_cr(&buf[ps..ls - 1]), mode);
    (p.is_cri() && p.partial && p.source == stream).then_some(ps)
}

/// What [`cri_join`] found: the joined line (first line's start, last line's end, content), or, `Err`, the end
/// of what the buffer holds of a split line that goes on past it (left to the next region).
type Joined = Result<(usize, usize, Vec<u8>), usize>;

/// A CRI line split into partial (`P`) lines joined until its final (`F`) part: its first line's start, its last
/// line's end, and the joined content. `None` when the line at `[ls, le)` is not part of a split line, or the input
/// is not a CRI file.
fn cri_join(ctx: &FileCtx<'_>, r: &Region<'_>, ls: usize, st: &Stripped<'_>) -> Option<Joined> {
    let buf = r.buf;
    // Only in a CRI file, where the search visits every partial line: elsewhere (a CRI line among lines of other
    // layouts) a part is searched as the line it is, which no cut between regions changes.
    if ctx.mode != Mode::Cri || !st.is_cri() {
        return None;
    }
    let mut first = ls;
    while let Some(ps) = partial_above(buf, 0, first, st.source, ctx.mode) {
        if ls - ps > super::MAX_LINE {
            break;
        }
        first = ps;
    }
    if first == ls && !st.partial {
        return None;
    }
    // Past the region's end too: the line is this region's when its first part is.
    let (parts, last_end, unfinished) = join_parts(buf, first, ctx.mode, st.source, Vec::new());
    if unfinished && r.more {
        // The next part has not been read: the region after joins the line.
        return Some(Err(last_end));
    }
    Some(Ok((first, last_end, parts)))
}

/// The parts of a CRI split line from the one at `at` on, their contents appended to `joined`: the joined content,
/// the end of the last part, and whether the buffer ends before the final part. A line of another writer or stream
/// below a partial line ends the join (it is a line of its own).
fn join_parts(
    buf: &[u8],
    mut at: usize,
    mode: Mode,
    source: Source<'_>,
    mut joined: Vec<u8>,
) -> (Vec<u8>, usize, bool) {
    let mut last_end = at;
    loop {
        if at >= buf.len() {
            return (joined, last_end, true);
        }
        let end = frame::line_end(buf, at, buf.len());
        let p = prefix::strip(frame::trim_cr(&buf[at..end]), mode);
        if !(p.is_cri() && p.source == source) {
            return (joined, last_end, false);
        }
        last_end = end;
        joined.extend_from_slice(&p.content);
        if !p.partial || joined.len() > super::MAX_LINE {
            return (joined, last_end, false);
        }
        at = end + 1;
    }
}

/// Handles one candidate line, where the buffer search found its first literal at `hit` (`None` for a CRI partial
/// line, a candidate of its own): runs the rules that may match it and folds their events into `agg`.
#[allow(clippy::too_many_arguments)]
fn handle_line(
    ctx: &FileCtx<'_>,
    s: &mut Scratch,
    r: &Region<'_>,
    at: &Line<'_>,
    hit: Option<usize>,
    last_record: &mut Option<usize>,
    fired: &mut Vec<(usize, bool)>,
    agg: &mut Aggregates,
    counts: &mut RegionCounts,
) {
    let buf = r.buf;
    let (first, done, line_no, line, source) = (at.first, at.done, at.no, at.content, at.source);
    let pack = ctx.pack;
    pack.candidates(&mut s.cache, line, hit_offset(buf, line, hit));
    if !pack.may_match(&mut s.cache, line) {
        return;
    }
    let first_end = frame::line_end(buf, first, r.end);
    let mode = ctx.mode;
    let view = |a: usize, b: usize| view_line(buf, a, b, mode, source);
    let record = frame::locate_record(buf, 0, first, first_end, ctx.zone, ctx.bounds, &view);
    if let Some(t) = record.time {
        if ctx.since.is_some_and(|since| t < since) || ctx.until.is_some_and(|until| t > until) {
            return;
        }
    }
    // `fired` holds the rules fired in the record `last_record`; it starts afresh with the first event of
    // another record.
    let mut same_record = *last_record == Some(record.header_start);
    let mut first_event = true;
    let origin = line_origin(ctx, s, source);
    // A match below its header in a record that is not the last one events were folded for (its first lines were
    // scanned with the region before, or another writer's lines came in between in a capture): which rules fired
    // in its lines above is replayed, so that whether a rule fires here depends on the record alone, not on where
    // a chunk began or how a capture interleaved its writers.
    if !same_record && record.header_start < first {
        *fired = replay_record(ctx, s, r, &record, first, origin.component, source);
        *last_record = Some(record.header_start);
        same_record = true;
        pack.candidates(&mut s.cache, line, hit_offset(buf, line, hit));
    }
    let mut cands = s.cache.take_candidates();
    // Who wrote the line decides where an episode is counted, never whether a failure is seen (a file named after
    // one component may hold another's lines): the pod or the input's component, else the record's layout (see
    // `layout_component`), else a rule's only component.
    let told_once = OnceCell::new();
    let told =
        || *told_once.get_or_init(|| origin.component.or_else(|| layout_component(ctx, buf, &record, first, line)));
    let rank = |ri: usize| rank_in(&pack.rules()[ri], &told);
    if cands.len() > 1 && cands.iter().any(|&ri| rank(ri) == STRANGER) {
        cands.sort_by_key(|&ri| (rank(ri), ri));
    }
    // By rank (writers' sentences, writers' fallbacks, failure kinds: `Rule::rank`), each in pack order. Whether a
    // rule may fire here is known before its regex runs: only those that may pay for their captures.
    for &ri in &cands {
        let rule = &pack.rules()[ri];
        let fired_here: &[(usize, bool)] = if same_record { fired } else { &[] };
        if !fires(ctx, s, r, (ri, &told), (line, done, source), fired_here) {
            continue;
        }
        let component = told().or_else(|| rule.components.single());
        if !same_record {
            *last_record = Some(record.header_start);
            fired.clear();
            same_record = true;
        }
        fired.push((ri, rank(ri) == 0));
        if first_event {
            counts.cut += record.cut as u64;
            first_event = false;
        }

        let caps = s.cache.captures(ri);
        let value = |g: usize| caps.get_group(g).map(|sp| &line[sp.range()]);
        let cleaned = &mut s.cleaned;
        let order = Order {
            time: record.time.unwrap_or(i64::MAX),
            file: ctx.file,
            offset: r.base_offset + record.header_start as u64,
        };
        let part = |i: usize| value(rule.key_groups[i]).unwrap_or_default();
        let key = RawKey {
            rule: ri as u32,
            component,
            process: origin.process.as_deref(),
            parts: rule.key_groups.len(),
            part: &part,
        };
        let mut event = agg.bucket_for_event(key, record.time, |raw| cleaned.clean(raw));
        event.bucket.count_record(record.time);
        for (g, name) in &rule.groups {
            if let Some(v) = value(*g).filter(|v| !v.is_empty()) {
                // The thousandth repeat of a storm's value costs a comparison of its bytes.
                event.add_raw(*g, name, v, order, |raw| cleaned.clean(raw));
            }
        }
        let bucket = event.bucket;
        // A fallback kind whose line names no address (a JVM's bare `Connection refused`) and no root cause: the
        // client library in the stack frames below tells whom it could not reach (`rules::CLIENT_FIELD`); without
        // one there, the record's header above the line does when its logger is a client's (Kafka Connect's
        // `Bulk request 2 failed. Retrying request. (io.confluent.connect.elasticsearch.ElasticsearchClient:335)`).
        let knowledge = pack.knowledge();
        if rule.rank() == 3
            && rule.root_cause.is_none()
            && knowledge.reads_clients()
            && !rule
                .groups
                .iter()
                .any(|(g, name)| knowledge.is_address_field(name) && value(*g).is_some_and(|v| !v.is_empty()))
        {
            let client_above = || {
                (record.lines_above > 0)
                    .then(|| header_content(buf, &record, ctx.mode))
                    .and_then(|h| knowledge.client_in(&h))
            };
            if let Some(client) = client_below(ctx, r, done, source).or_else(client_above) {
                bucket.add_value(CLIENT_FIELD, client, order);
            }
        }
        // A constant has one value per bucket: recorded once, at the bucket's first event, with the earliest
        // possible order (not that event's, which depends on which chunk a thread happened to scan first).
        if bucket.count == 1 {
            for (name, v) in &rule.fields {
                bucket.add_value(name, v, Order::CONSTANT);
            }
        }
        if let Some(pod) = &origin.pod {
            bucket.add_value("pod", pod, order);
        }
        // The texts are cleaned once the step ends, and only for the sample then kept (`Aggregates::settle`).
        bucket.offer_raw_sample(order, |sample, raw| {
            let header_line = line_no - record.lines_above as i64;
            sample.line = LineRef { chunk: r.chunk, rel: header_line };
            if record.lines_above == 0 {
                raw.set_header(line);
                sample.matched = None;
            } else {
                raw.set_header(&header_content(buf, &record, ctx.mode));
                raw.set_matched(line);
                sample.matched = Some((LineRef { chunk: r.chunk, rel: line_no }, String::new()));
            }
            sample.pod.clone_from(&origin.pod);
        });
        counts.matches += 1;
    }
    s.cache.put_candidates(cands);
}

/// Where `content` lies in `buf`, when it is a slice of it (not a line rebuilt: a joined CRI line, an unescaped
/// Docker JSON line).
pub(super) fn range_in(buf: &[u8], content: &[u8]) -> Option<(usize, usize)> {
    let start = (content.as_ptr() as usize).wrapping_sub(buf.as_ptr() as usize);
    (start <= buf.len() && content.len() <= buf.len() - start).then_some((start, start + content.len()))
}

/// Where in `content` (a line's content, without its capture prefix) the buffer search's first hit `hit` lies:
/// no searched literal starts before it. 0 when unknown, or when `content` was rebuilt (a joined CRI line, an
/// unescaped Docker JSON line) rather than borrowed from `buf`.
fn hit_offset(buf: &[u8], content: &[u8], hit: Option<usize>) -> usize {
    match (hit, range_in(buf, content)) {
        (Some(hit), Some((start, _))) if hit >= start => (hit - start).min(content.len()),
        _ => 0,
    }
}

/// What the line `[a, b)` is to a record whose hit line came from `source`. In a CRI file the head of a split line
/// is the whole line it heads (as far as the buffer holds it), and its other parts are tails: a record's header
/// and exception line read the same from any of their parts, in one read or cut between chunks.
pub(super) fn view_line<'b>(buf: &'b [u8], a: usize, b: usize, mode: Mode, source: Source<'_>) -> Viewed<'b> {
    let st = prefix::strip(frame::trim_cr(&buf[a..b]), mode);
    if st.source != source {
        return Viewed::Foreign;
    }
    if st.is_cri() && partial_above(buf, 0, a, source, mode).is_some() {
        return Viewed::Tail;
    }
    if mode == Mode::Cri && st.partial {
        // The head of a split line: the line it heads, as the search joins it (what the buffer holds of it).
        let (joined, ..) = join_parts(buf, b + 1, mode, source, st.content.into_owned());
        return Viewed::Own { content: Cow::Owned(joined), time: st.time };
    }
    Viewed::Own { content: st.content, time: st.time }
}

/// The own line starting at `a` as the search reads it: its end and content, a CRI line split into parts joined
/// (see [`cri_join`]). `None` for a line of another writer or the tail of a split line.
pub(super) fn whole_line<'b>(
    ctx: &FileCtx<'_>,
    r: &Region<'b>,
    a: usize,
    source: Source<'_>,
) -> Option<(usize, Cow<'b, [u8]>)> {
    let buf = r.buf;
    let e = frame::line_end(buf, a, buf.len());
    let st = prefix::strip(frame::trim_cr(&buf[a..e]), ctx.mode);
    if st.partial && st.source == source {
        if let Some(Ok((first, done, joined))) = cri_join(ctx, r, a, &st) {
            return (first == a).then_some((done, Cow::Owned(joined)));
        }
    }
    match view_line(buf, a, e, ctx.mode, source) {
        Viewed::Own { content, .. } => Some((e, content)),
        _ => None,
    }
}

/// The content of `record`'s header line in `buf`, without its capture prefix.
fn header_content<'b>(buf: &'b [u8], record: &frame::Record, mode: Mode) -> Cow<'b, [u8]> {
    prefix::strip(frame::trim_cr(&buf[record.header_start..record.header_end]), mode).content
}

/// The component a record's layout names, for a line of an input whose name says nothing: the header's when the
/// match is on a continuation line below it (an exception line says nothing of its writer; the header's logger
/// and layout do), else the line's own.
fn layout_component(
    ctx: &FileCtx<'_>,
    buf: &[u8],
    record: &frame::Record,
    first: usize,
    line: &[u8],
) -> Option<Component> {
    if record.header_start != first {
        if let Some(c) = classify::component_of_line(&header_content(buf, record, ctx.mode)) {
            return Some(c);
        }
    }
    classify::component_of_line(line)
}

/// Whether rule `ri` fires on `line` (whose last physical line ends at `done`), given the rules already fired in
/// its record (`fired`: rule, whether it was a writer's sentence) and its writer `told`: it is not outranked (a
/// writer's fallback gives way to a writer's sentence; a failure kind, one per record, and a stranger's sentence
/// fire only in a record where nothing else did), it has not fired in the record yet, its regex matches (the
/// captures are left in the cache), and no better-ranked rule matches further down the record.
fn fires(
    ctx: &FileCtx<'_>,
    s: &mut Scratch,
    r: &Region<'_>,
    (ri, told): (usize, Told<'_>),
    (line, done, source): (&[u8], usize, Source<'_>),
    fired: &[(usize, bool)],
) -> bool {
    let rule = &ctx.pack.rules()[ri];
    // In a record where nothing fired yet (most), no rank is outranked: the writer is asked only after a match.
    let outranked = !fired.is_empty()
        && match rank_in(rule, told) {
            0 => false,
            1 => fired.iter().any(|&(_, sentence)| sentence),
            _ => true,
        };
    if outranked || fired.iter().any(|&(f, _)| f == ri) || !ctx.pack.capture(&mut s.cache, ri, line) {
        return false;
    }
    let rank = rank_in(rule, told);
    !(rank > 0 && better_below(ctx, s, r, done, (rank, told), source))
}

/// The client library the stack frames below a line name (see [`CLIENT_FIELD`]): the first that a continuation
/// line of the record after `le` (the line's end) holds, within the record bounds.
fn client_below<'a>(ctx: &FileCtx<'a>, r: &Region<'_>, le: usize, source: Source<'_>) -> Option<&'a str> {
    lines_below(ctx, r, le, source).find_map(|line| ctx.pack.knowledge().client_in(&line))
}

/// The record's own lines below the line ending at `le`: each continuation line (other writers' lines interleaved
/// in a capture stepped over) until a line that opens a record, within the record bounds. Reads past the region's
/// end into the look-ahead a chunk carries (`r.buf` beyond `r.end`), so a record cut by a chunk boundary is read
/// whole.
fn lines_below<'b>(
    ctx: &FileCtx<'_>,
    r: &Region<'b>,
    le: usize,
    source: Source<'b>,
) -> impl Iterator<Item = Cow<'b, [u8]>> + use<'b> {
    let (buf, mode, zone, bounds) = (r.buf, ctx.mode, ctx.zone, ctx.bounds);
    let mut pos = le + 1;
    let mut lines = 0;
    std::iter::from_fn(move || {
        while pos < buf.len() && lines < bounds.max_lines && pos - le <= bounds.max_bytes {
            let end = frame::line_end(buf, pos, buf.len());
            lines += 1;
            let viewed = view_line(buf, pos, end, mode, source);
            pos = end + 1;
            let line = match viewed {
                Viewed::Own { content, .. } => content,
                Viewed::Foreign | Viewed::Tail => continue,
            };
            if crate::time::parse_line_start(&line, zone).is_some() || !frame::is_continuation(&line) {
                pos = buf.len();
                return None;
            }
            return Some(line);
        }
        None
    })
}

/// The rules that fired in `record` on its lines before `upto` (rule, whether a writer's sentence), decided again
/// as [`handle_line`] decided them: for a record whose first lines are in the look-behind, scanned with the region
/// before. Lines of other writers interleaved in a capture are stepped over.
fn replay_record(
    ctx: &FileCtx<'_>,
    s: &mut Scratch,
    r: &Region<'_>,
    record: &frame::Record,
    upto: usize,
    component: Option<Component>,
    source: Source<'_>,
) -> Vec<(usize, bool)> {
    let buf = r.buf;
    let mut fired = Vec::new();
    let mut pos = record.header_start;
    while pos < upto {
        let first = pos;
        // A CRI line split into parts is replayed whole, as it was searched.
        let Some((end, content)) = whole_line(ctx, r, pos, source) else {
            pos = frame::line_end(buf, pos, buf.len()) + 1;
            continue;
        };
        pos = end + 1;
        ctx.pack.candidates(&mut s.cache, &content, 0);
        let mut cands = s.cache.take_candidates();
        let told_once = OnceCell::new();
        let told =
            || *told_once.get_or_init(|| component.or_else(|| layout_component(ctx, buf, record, first, &content)));
        cands.sort_by_key(|&ri| (rank_in(&ctx.pack.rules()[ri], &told), ri));
        for &ri in &cands {
            if fires(ctx, s, r, (ri, &told), (&content, end, source), &fired) {
                fired.push((ri, rank_in(&ctx.pack.rules()[ri], &told) == 0));
            }
        }
        s.cache.put_candidates(cands);
    }
    fired
}

/// Whether a rule of a better rank than `rank` (see `rank_in`) matches a continuation line of the record whose
/// line ends at `le`: a fallback kind (`failure in bulk execution`) then gives way to the failure kind that names
/// the cause in the stack trace below (`cluster_block_exception`), and a failure kind to a writer's sentence. Only
/// runs for hits of rank above 0. The record's lines are those of [`lines_below`].
fn better_below(
    ctx: &FileCtx<'_>,
    s: &mut Scratch,
    r: &Region<'_>,
    le: usize,
    (rank, told): (u8, Told<'_>),
    source: Source<'_>,
) -> bool {
    for line in lines_below(ctx, r, le, source) {
        // The caller (`handle_line`) has taken its candidates out of the cache while it walks them.
        ctx.pack.candidates(&mut s.cache, &line, 0);
        let mut better = false;
        for i in 0..s.cache.candidates().len() {
            let ri = s.cache.candidates()[i];
            if rank_in(&ctx.pack.rules()[ri], told) < rank {
                better = ctx.pack.matches(&mut s.cache, ri, &line);
                if better {
                    break;
                }
            }
        }
        if better {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::aggregate::episode::Aggregates;
    use crate::aggregate::unexplained::Unexplained;
    use crate::rules::Pack;
    use crate::scan::{scan_block, Block, Scratch};
    use crate::source::classify::origin_of_path;
    use crate::source::walk::{walk, WalkOptions};
    use crate::time::Zone;
    use std::path::{Path, PathBuf};

    /// The rules' events of a buffer scanned as `path`, with or without the unexplained records mined.
    fn events(pack: &Pack, path: &Path, buf: &[u8], mine: bool) -> (String, u64) {
        let mut scratch = Scratch::new(pack);
        let origin = origin_of_path(path);
        let block = Block { buf, start: 0, file: 0, origin: &origin, first_line: 0, base_offset: 0, mode: None };
        let mut agg = Aggregates::default();
        let mut mined = Unexplained::default();
        let c = scan_block(pack, &mut scratch, &block, Zone::UTC, &mut agg, mine.then_some(&mut mined));
        (format!("{:?}", agg.into_episodes()), c.matches)
    }

    /// Mining visits more lines (those holding a level literal) and finds the rule literals after a level literal
    /// with a second search of the rest of the line: what the rules find must not change. Every fixture file, and
    /// lines whose rule literal follows one or two level literals, in the line or on the next, and lines whose rule
    /// literal holds a level literal.
    #[test]
    fn mining_changes_no_rule_event() {
        let pack = Pack::embedded().unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let roots: Vec<PathBuf> = ["linux", "kubectl", "scenarios", "edge"].iter().map(|d| root.join(d)).collect();
        let mut inputs: Vec<(PathBuf, Vec<u8>)> = walk(&roots, &WalkOptions::default())
            .found
            .into_iter()
            .map(|f| {
                let bytes = std::fs::read(&f.path).unwrap();
                (f.path, bytes)
            })
            .collect();
        let k2es = "kafka-to-es/kafkaMultiMetricsToES.log";
        let lines = [
            "2024-03-12 11:42:10,422 [d-20] ERROR c.s.k.e.s.BulkIndexer - WARN: Bulk request to index [sts_multi_metrics-2024.03.12] failed: 500 of 500 items rejected, first failure: {\"type\":\"cluster_block_exception\",\"reason\":\"index [sts_multi_metrics-2024.03.12] blocked by: [FORBIDDEN/12/index read-only / allow delete (api)];\"}",
            "2024-03-12 11:42:11,422 [d-20] WARN  c.s.k.e.s.BulkIndexer - retrying",
            "2024-03-12 11:42:12,422 [d-20] ERROR c.s.k.e.s.BulkIndexer - Bulk request to index [sts_multi_metrics-2024.03.12] failed: 500 of 500 items rejected, first failure: {\"type\":\"cluster_block_exception\",\"reason\":\"index [x] blocked by: [FORBIDDEN/12/index read-only / allow delete (api)];\"}",
            "2024-03-12 11:42:13,422 [d-20] ERROR c.s.k.e.s.BulkIndexer - Error",
            "java.net.ConnectException: Connection refused",
        ];
        // The examples whose rule literal holds a level literal further in, which the one search finds by that
        // level literal (`Exiting Kafka due to fatal` by `fatal`), or the shared piece `Error` (`SyntaxError: `),
        // which both searches find by it: alone and after an ERROR header's level literal.
        let searched = pack.searched_literals();
        let error_classes = (0..pack.rules().len())
            .flat_map(|r| pack.rule_literals(r))
            .filter(|l| memchr::memmem::find(l, b"Error").is_some_and(|k| k > 0));
        let inner: Vec<Vec<u8>> = crate::rules::prefilter::held(&searched)
            .into_iter()
            .filter(|(_, at)| at.is_some_and(|k| k > 0))
            .map(|(r, _)| r.to_vec())
            .chain(error_classes)
            .collect();
        assert!(inner.len() >= 4, "{inner:?}");
        let held: Vec<String> = pack
            .rules()
            .iter()
            .flat_map(|r| &r.examples)
            .map(|e| e.line.clone())
            .filter(|l| inner.iter().any(|h| memchr::memmem::find(l.as_bytes(), h).is_some()))
            .flat_map(|l| [format!("2024-03-12 11:42:10,422 ERROR c.s.r.Intake - {l}"), l])
            .collect();
        assert!(held.len() >= 8, "{held:?}");
        inputs.push((PathBuf::from("receiver/receiver.log"), format!("{}\n", held.join("\n")).into_bytes()));
        inputs.push((PathBuf::from(k2es), format!("{}\n", lines.join("\n")).into_bytes()));
        let counts: Vec<u64> = inputs
            .iter()
            .map(|(path, buf)| {
                let plain = events(&pack, path, buf, false);
                assert_eq!(events(&pack, path, buf, true), plain, "{}", path.display());
                plain.1
            })
            .collect();
        assert!(counts.iter().sum::<u64>() > 100, "{counts:?}");
        assert_eq!(counts.last(), Some(&3), "two bulk failures and a refused connection");
    }
}
