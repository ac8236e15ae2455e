//! The hot path: find the few lines of a buffer that match a rule, and turn each into an event folded into the
//! episode aggregates.
//!
//! The buffer is searched as a whole, never line by line: either the literal prefilter (one Aho-Corasick search
//! for every rule's literals) or, when some rule has no literal, the pack's multi-pattern regex. Only around a
//! candidate are the line bounds found (memchr), the rules that really match the line told apart (only the
//! rules whose literals occur in the line, each its own regex: [`Pack::which_rules`]), the record's header found for continuation lines, the time
//! parsed, and the matching rule's own regex run for captures. Lines that match nothing are never framed, decoded
//! or allocated.

use super::Scratch;
use crate::correlate::episode::{Aggregates, EpisodeKey, LineRef, Order, Sample};
use crate::frame::{self, sanitize, RecordBounds};
use crate::rules::Pack;
use crate::source::{classify, Origin};
use crate::time::{Millis, Zone};
use regex_automata::Input;

/// What the hot path needs to know about the file being scanned.
pub(crate) struct FileCtx<'a> {
    pub pack: &'a Pack,
    pub file: u32,
    pub origin: &'a Origin,
    pub zone: Zone,
    pub since: Option<Millis>,
    pub until: Option<Millis>,
    pub bounds: RecordBounds,
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
}

/// Counts from one region.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct RegionCounts {
    /// `\n` bytes in the region.
    pub newlines: u64,
    /// Events folded into aggregates.
    pub matches: u64,
}

/// Searches one region and folds every event into `agg`.
pub(crate) fn scan_region(ctx: &FileCtx<'_>, s: &mut Scratch, r: &Region<'_>, agg: &mut Aggregates) -> RegionCounts {
    let buf = r.buf;
    let mut counts = RegionCounts::default();
    let mut pos = r.start;
    // Line counting is incremental: `counted` is a line start whose line number is `line_at_counted`.
    let mut counted = r.start;
    let mut line_at_counted = r.first_line;
    let mut last_record: Option<usize> = None;
    let mut fired: Vec<(usize, bool)> = Vec::new();

    while pos < r.end {
        let Some(cand) = find_candidate(ctx.pack, s, buf, pos, r.end) else { break };
        let ls = frame::line_start(buf, pos, cand);
        let le = frame::line_end(buf, cand, r.end);
        line_at_counted += frame::count_newlines(&buf[counted..ls]) as i64;
        counted = ls;
        handle_line(ctx, s, r, ls, le, line_at_counted, &mut last_record, &mut fired, agg, &mut counts);
        pos = le + 1;
    }
    // The lines before `counted` are already counted: count only the rest of the region.
    counts.newlines = (line_at_counted - r.first_line) as u64 + frame::count_newlines(&buf[counted..r.end]);
    counts
}

/// The position of the next candidate at or after `pos`, or `None`.
#[inline]
fn find_candidate(pack: &Pack, s: &mut Scratch, buf: &[u8], pos: usize, end: usize) -> Option<usize> {
    if let Some(pf) = pack.prefilter.as_ref().filter(|p| p.is_usable()) {
        return pf.find(buf, pos, end);
    }
    let (Some(search), Some(cache)) = (&pack.search, s.search.as_mut()) else { return None };
    let input = Input::new(buf).range(pos..end);
    search.search_half_with(cache, &input).map(|m| m.offset().saturating_sub(1).max(pos))
}

#[allow(clippy::too_many_arguments)]
fn handle_line(
    ctx: &FileCtx<'_>,
    s: &mut Scratch,
    r: &Region<'_>,
    ls: usize,
    le: usize,
    line_no: i64,
    last_record: &mut Option<usize>,
    fired: &mut Vec<(usize, bool)>,
    agg: &mut Aggregates,
    counts: &mut RegionCounts,
) {
    let buf = r.buf;
    let line = frame::trim_cr(&buf[ls..le]);
    let pack = ctx.pack;
    pack.which_rules(s, line);
    if s.patset.is_empty() {
        return;
    }
    let record = frame::locate_record(buf, 0, ls, le, ctx.zone, ctx.bounds, &identity);
    if *last_record != Some(record.header_start) {
        *last_record = Some(record.header_start);
        fired.clear();
    }
    if let Some(t) = record.time {
        if ctx.since.is_some_and(|since| t < since) || ctx.until.is_some_and(|until| t > until) {
            return;
        }
    }
    // Specific rules first, then generic fallbacks, each in pack order.
    let mut matched: Vec<usize> = s.patset.iter().map(|p| p.as_usize()).collect();
    matched.sort_by_key(|&i| (pack.rules()[i].generic, i));
    for ri in matched {
        let rule = &pack.rules()[ri];
        let component = match ctx.origin.component {
            Some(c) if !rule.components.contains(c) => continue,
            Some(c) => Some(c),
            None => classify::component_of_line(line)
                .filter(|c| rule.components.contains(*c))
                .or_else(|| rule.components.single()),
        };
        if fired.iter().any(|&(f, _)| f == ri) || (rule.generic && fired.iter().any(|&(_, g)| !g)) {
            continue;
        }
        if rule.generic && specific_below(ctx, s, r, le, ls == record.header_start) {
            continue;
        }
        fired.push((ri, rule.generic));

        let caps = &mut s.caps[ri];
        rule.regex.search_captures_with(&mut s.rule_caches[ri], &Input::new(line), caps);
        if !caps.is_match() {
            continue;
        }
        let value = |g: usize| caps.get_group(g).map(|sp| &line[sp.range()]);
        let key: Box<[Box<str>]> =
            rule.key_groups.iter().map(|&g| sanitize::clean(value(g).unwrap_or_default()).into_boxed_str()).collect();
        let ekey =
            EpisodeKey { rule: ri as u32, component, process: ctx.origin.process.as_deref().map(Into::into), key };
        let order = Order {
            time: record.time.unwrap_or(i64::MAX),
            file: ctx.file,
            offset: r.base_offset + record.header_start as u64,
        };
        let bucket = agg.bucket(ekey, record.time);
        bucket.count += 1;
        if let Some(t) = record.time {
            bucket.first = Some(bucket.first.map_or(t, |f| f.min(t)));
            bucket.last = Some(bucket.last.map_or(t, |l| l.max(t)));
        }
        for (g, name) in &rule.groups {
            if let Some(v) = value(*g) {
                if !v.is_empty() {
                    bucket.add_value(name, &sanitize::clean(v), order);
                }
            }
        }
        for (name, v) in &rule.fields {
            bucket.add_value(name, v, order);
        }
        if let Some(pod) = &ctx.origin.pod {
            bucket.add_value("pod", pod, order);
        }
        if bucket.wants_sample(order) {
            let header_line = line_no - record.lines_above as i64;
            let header = frame::trim_cr(&buf[record.header_start..record.header_end]);
            bucket.add_sample(Sample {
                order,
                line: LineRef { chunk: r.chunk, rel: header_line },
                text: sanitize::clean(header),
                matched: (record.lines_above > 0)
                    .then(|| (LineRef { chunk: r.chunk, rel: line_no }, sanitize::clean(line))),
                pod: ctx.origin.pod.clone(),
            });
        }
        counts.matches += 1;
    }
}

/// Whether a specific (non-generic) rule applicable to this file matches a continuation line of the record whose
/// line ends at `le`: a generic fallback on the header (`Bulk request failed`) then gives way to the specific
/// rule that names the cause in the stack trace below (`cluster_block_exception`). Only runs for generic hits.
fn specific_below(ctx: &FileCtx<'_>, s: &mut Scratch, r: &Region<'_>, le: usize, on_header: bool) -> bool {
    if !on_header {
        return false;
    }
    let buf = r.buf;
    let mut pos = le + 1;
    let mut lines = 0;
    while pos < r.end && lines < ctx.bounds.max_lines && pos - le <= ctx.bounds.max_bytes {
        let end = frame::line_end(buf, pos, r.end);
        let line = frame::trim_cr(&buf[pos..end]);
        if crate::time::parse_line_start(line, ctx.zone).is_some() || !frame::is_continuation(line) {
            return false;
        }
        ctx.pack.which_rules(s, line);
        let specific = s.patset.iter().any(|p| {
            let rule = &ctx.pack.rules()[p.as_usize()];
            !rule.generic && ctx.origin.component.is_none_or(|c| rule.components.contains(c))
        });
        if specific {
            return true;
        }
        pos = end + 1;
        lines += 1;
    }
    false
}

fn identity(l: &[u8]) -> Option<&[u8]> {
    Some(l)
}
