//! The hot path's second job: finding the records no rule explained and mining them into templates.
//!
//! Candidates are found by the same buffer search as the rules' lines: its literals include the
//! [`LEVEL_LITERALS`](crate::frame::header::LEVEL_LITERALS), so a line holding a level word or an exception is
//! visited, and no other line is framed. A visited line's record is judged once, at its header:
//!
//! - a header whose level ([`crate::frame::header::split`]) is WARN or above is a candidate; below WARN it is
//!   not (an INFO record with a stack trace was logged at INFO on purpose);
//! - a header without a level is a candidate when it names an exception or its record holds an exception line
//!   (an `OutOfMemoryError` printed by the JVM, a stack trace under a line of no known layout);
//! - the record's extent (its continuation lines, within the [`RecordBounds`](crate::frame::RecordBounds)) and its
//!   first exception line are found by walking forward from the header.
//!
//! A candidate waits (`Pending`) until the search has passed its last line: a rule that fires on any of its
//! lines (the scanner's own `last_record` says so) explains it. Lines of the record the search does not reach
//! in this step (past the step's end) are matched explicitly. Then an unexplained record is fed to the miner of
//! its component: its message (the header without its time, level and logger), followed by ` | ` and its first
//! exception line when it has one, so that a stack trace is mined as its header with the exception class.
//!
//! Ownership across regions (chunks of a file, blocks of a stream): a record belongs to the region whose search
//! visits its first line visited, as one read visits it there. Mostly that is its header; a header whose level is
//! none of the literals (ASP.NET's `crit:`, Tornado's `[E ...]`) is found through a line below it, and a record
//! without a level often through its exception line. A region that meets a record whose header lies in its
//! look-behind asks whether a line of it above the region's start holds a candidate of the search
//! ([`is_visited`]): if so, a region before judged it.
//!
//! Cost: a record's lines repeat (one template, other numbers), so what reading its header gives (level, the component
//! its words name) is remembered per *line key* (the header's bytes with every digit taken as `0`: the header reading
//! depends on how many digits there are, not on their values), and records are grouped by their header's and exception
//! line's keys (see [`Unexplained::group`]): only the first few records of a group are cleaned and split into a
//! message, and the miner sees each group once. Both change no outcome.

use super::search::{is_visited, line_origin, range_in, view_line, whole_line, FileCtx, Line, Region};
use super::Scratch;
use crate::aggregate::episode::{LineRef, Order, Sample};
use crate::aggregate::unexplained::Unexplained;
use crate::frame::{self, header, prefix, sanitize, Viewed};
use crate::model::{Component, Level};
use crate::source::classify;
use crate::time::{parse_line_start, Millis};
use std::collections::HashMap;

/// Entries kept in each cache at most (they are emptied past it).
const CACHE: usize = 4096;

/// The records being judged, and what is remembered across candidates.
#[derive(Debug, Default)]
pub(crate) struct Mining {
    /// One per writer whose lines interleave in the input (pods of a capture); one for a plain file.
    pending: Vec<Pending>,
    /// Per writer, the header of the last record judged: its other lines need no second look.
    judged: Vec<(u64, usize)>,
    /// Scratch for the text mined (message and exception).
    mined: String,
}

/// What headers say, by line key: kept per thread across work units (it depends on the bytes alone).
pub(crate) type Heads = KeyMap<Head>;

/// What a header line says (its level, an exception it names, the component its words name, where its message
/// is), the same for every header of its line key: such headers differ in their digits alone, so their cleaned
/// texts have the same length and their messages the same place.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Head {
    level: Option<Level>,
    names_exception: bool,
    /// The component its words name, once asked (inputs whose path names one never ask).
    component: Option<Option<Component>>,
    /// The message: a range of the cleaned header.
    message: (u32, u32),
    /// An exception the header carries in a field of its own (ES JSON): a range of the cleaned header.
    field_exception: Option<(u32, u32)>,
}

/// A candidate record, waiting for the search to pass its last line.
#[derive(Debug)]
struct Pending {
    /// Its writer (see [`writer`]).
    writer: u64,
    /// The end of its last line known so far (its header's, then a continuation line's).
    known_end: usize,
    header_start: usize,
    header_end: usize,
    /// Line number of the header, relative to the chunk.
    header_no: i64,
    /// Where the header's content lies in the buffer, when it is what [`whole_line`] reads of it (see
    /// [`Header::content_at`]).
    header_content: Option<(usize, usize)>,
    /// Its lines have no writer of their own (no capture prefix naming one): a plain file's, most often.
    plain: bool,
    level: Option<Level>,
    time: Option<Millis>,
    /// What the header says.
    head: Head,
    /// The header's line key, when it has one.
    key: Option<u64>,
    /// The record's first exception line below the header.
    exception: Option<(usize, usize)>,
    /// A rule matched one of its lines.
    explained: bool,
}

/// How a record's header is to be judged.
struct Header<'c> {
    start: usize,
    /// End of the header's (last physical) line.
    end: usize,
    no: i64,
    content: &'c [u8],
    /// Where `content` lies in the buffer, when it is what [`whole_line`] reads of the header (a line the search
    /// read whole from one physical line of no CRI part, or one `whole_line` read): completing the record need not
    /// read it again. Not for a rebuilt line (a joined CRI line, a Docker JSON line unescaped), nor for a CRI line
    /// the search read alone, which `whole_line` may take for the tail of a split line.
    content_at: Option<(usize, usize)>,
    time: Option<Millis>,
    /// Its time is `time` (its capture prefix's) or else the timestamp its content starts with, read only once
    /// its level does not rule the header out (most lines visited for a level word in their message are INFO).
    timestamped: bool,
}

impl Mining {
    /// After the rules ran on a candidate line (`last_record`: the header of the record a rule last fired in):
    /// notes an explanation of the pending record; a line of another record completes it (it is mined unless
    /// explained) and has its own record judged.
    pub(super) fn visit(
        &mut self,
        ctx: &FileCtx<'_>,
        s: &mut Scratch,
        r: &Region<'_>,
        at: &Line<'_>,
        last_record: Option<usize>,
        out: &mut Unexplained,
    ) {
        for p in &mut self.pending {
            if last_record == Some(p.header_start) {
                p.explained = true;
            }
        }
        let buf = r.buf;
        let content = at.content;
        let w = writer(at.source);
        // A rule that fired on a line of the pending record framed as a record of its own (the scanner gives a
        // header without a time no continuation lines) explains the record too.
        let fired_here = last_record == Some(at.first);
        // The first exception line of a pending record (found when it was judged), which the search visits for
        // its literal (`Exception`): the most common continuation line visited, known without a look.
        if let Some(p) = self.pending.iter_mut().find(|p| p.writer == w && p.exception.is_some_and(|e| e.0 == at.first))
        {
            p.known_end = p.known_end.max(at.done);
            p.explained |= fired_here;
            return;
        }
        if !frame::is_continuation(content) {
            // A header (a timestamped line never continues one): what its writer had pending has ended.
            self.flush_writer(w, ctx, s, r, out);
            // A record a rule fired on is explained (see `judge`): its time is not needed.
            if !self.judge_once(w, at.first) || last_record == Some(at.first) {
                return;
            }
            let prefix_time = match at.prefix_time {
                Some(t) => t,
                None => match view_line(buf, at.first, frame::line_end(buf, at.first, r.end), ctx.mode, at.source) {
                    Viewed::Own { time, .. } => time,
                    _ => None,
                },
            };
            let content_at = at.whole_at(buf);
            let h = Header {
                start: at.first,
                end: at.done,
                no: at.no,
                content,
                content_at,
                time: prefix_time,
                timestamped: true,
            };
            self.judge(ctx, s, r, h, at, last_record);
            return;
        }
        // A continuation line: of the record its writer has pending when the lines between are continuation
        // lines too, else of a record whose header is above (other writers' lines are stepped over).
        if let Some(p) = self.pending.iter_mut().find(|p| p.writer == w) {
            let mut lines = continuation_lines(ctx, r, p.known_end, p.header_start, at.source);
            if lines.find(|l| l.0 >= at.first).is_some_and(|l| l.0 == at.first) {
                p.known_end = at.done;
                p.explained |= fired_here;
                return;
            }
        }
        let (mode, source) = (ctx.mode, at.source);
        let view = |a: usize, b: usize| view_line(buf, a, b, mode, source);
        let first_end = frame::line_end(buf, at.first, r.end);
        let mut rec = frame::locate_record(buf, 0, at.first, first_end, ctx.zone, ctx.bounds, &view);
        // No timed header above: the record is a header's without a time, as judging that header finds it
        // (`continuation_lines`), when one is above within the bounds; at the input's start, the writer's first line
        // heads the continuation lines below it. Whether the header was visited in this step or lies in the
        // look-behind (its region judged it), the record is the same.
        let heads = |u: &frame::Untimed| at.first - u.start <= ctx.bounds.max_bytes && (!u.at_lo || r.base_offset == 0);
        if let Some(u) = rec.untimed.filter(heads) {
            // Its time is its capture prefix's, if any (as when the header itself is visited).
            let time = match view(u.start, u.end) {
                Viewed::Own { time, .. } => time,
                _ => None,
            };
            let (header_start, header_end, lines_above) = (u.start, u.end, u.lines_above);
            rec = frame::Record { header_start, header_end, lines_above, time, cut: false, untimed: None };
        }
        if self.pending.iter().any(|p| p.header_start == rec.header_start) {
            return;
        }
        self.flush_writer(w, ctx, s, r, out);
        if !self.judge_once(w, rec.header_start) {
            return;
        }
        if rec.header_start == at.first {
            // No header above (the input's start, a record cut by the bounds): the line stands alone.
            let content_at = at.whole_at(buf);
            let (time, timestamped) = (rec.time, false);
            let h = Header { start: at.first, end: at.done, no: at.no, content, content_at, time, timestamped };
            self.judge(ctx, s, r, h, at, last_record);
            return;
        }
        let Some((header_end, hc)) = whole_line(ctx, r, rec.header_start, source) else { return };
        let h = Header {
            start: rec.header_start,
            end: header_end,
            no: at.no - rec.lines_above as i64,
            content: &hc,
            content_at: range_in(buf, &hc),
            time: rec.time,
            timestamped: false,
        };
        self.judge(ctx, s, r, h, at, last_record);
    }

    /// Whether the record of header `header` of writer `w` is yet to be judged (and, now, judged).
    fn judge_once(&mut self, w: u64, header: usize) -> bool {
        match self.judged.iter_mut().find(|j| j.0 == w) {
            Some(j) if j.1 == header => false,
            Some(j) => {
                j.1 = header;
                true
            }
            None => {
                if self.judged.len() >= 64 {
                    self.judged.clear();
                }
                self.judged.push((w, header));
                true
            }
        }
    }

    /// Completes the record writer `w` had pending.
    fn flush_writer(&mut self, w: u64, ctx: &FileCtx<'_>, s: &mut Scratch, r: &Region<'_>, out: &mut Unexplained) {
        if let Some(k) = self.pending.iter().position(|p| p.writer == w) {
            let p = self.pending.swap_remove(k);
            self.flush(p, ctx, s, r, out);
        }
    }

    /// What a header says, read once per line key; with `component`, the component its words name too.
    fn head(heads: &mut Heads, content: &[u8], key: Option<u64>, component: bool) -> Head {
        if let Some(h) = key.and_then(|k| heads.get_mut(&k)) {
            if component && h.component.is_none() {
                h.component = Some(classify::component_of_line(content));
            }
            return *h;
        }
        let text = sanitize::clean(content);
        let split = header::split(&text);
        let range = |x: &str| {
            let a = (x.as_ptr() as usize - text.as_ptr() as usize) as u32;
            (a, a + x.len() as u32)
        };
        let h = Head {
            level: split.level,
            names_exception: split.exception.is_some() || frame::mentions_exception(content),
            component: component.then(|| classify::component_of_line(content)),
            message: range(split.message),
            field_exception: split.exception.map(range),
        };
        if let Some(k) = key {
            if heads.len() >= CACHE {
                heads.clear();
            }
            heads.insert(k, h);
        }
        h
    }

    /// Judges the record of header `h` (see the module documentation); a candidate becomes pending.
    fn judge(
        &mut self,
        ctx: &FileCtx<'_>,
        s: &mut Scratch,
        r: &Region<'_>,
        h: Header<'_>,
        at: &Line<'_>,
        last_record: Option<usize>,
    ) {
        // A rule fired on the header: the record is explained whatever it says, so it need not be read (in a storm,
        // nearly every record visited). Its continuation lines find it judged (`judge_once`).
        if last_record == Some(h.start) {
            return;
        }
        let key = line_key(h.content);
        let head = Mining::head(&mut s.heads, h.content, key, ctx.origin.component.is_none());
        if head.level.is_some_and(|l| !l.is_problem()) {
            return;
        }
        let time = if h.timestamped { h.time.or_else(|| parse_line_start(h.content, ctx.zone)) } else { h.time };
        if let Some(t) = time {
            if ctx.since.is_some_and(|since| t < since) || ctx.until.is_some_and(|until| t > until) {
                return;
            }
        }
        // In the look-behind: a header that began there and ended where the region before had read (a CRI line
        // split past it is joined, and judged, here). The record is the region before's when that region (or one
        // before it) visited one of its lines, and so judged it; else it is this region's.
        let behind = h.start < r.start && h.end < r.seen_before.max(r.start);
        if behind && visited_before(ctx, s, r, &h, at.source) {
            return;
        }
        let exception = first_exception(ctx, r, h.end, h.start, at.source);
        if head.level.is_none() && !head.names_exception && exception.is_none() {
            return;
        }
        // A rule fired on the line visited, framed as a record of its own (below a header without a time), or on a
        // line of the record in the look-behind.
        let explained =
            last_record == Some(at.first) || (behind && self.explains(ctx, s, r, h.start, r.start, at.source));
        self.pending.push(Pending {
            writer: writer(at.source),
            known_end: h.end,
            header_start: h.start,
            header_end: h.end,
            header_no: h.no,
            header_content: h.content_at,
            plain: at.source == prefix::Source::None,
            level: head.level,
            time,
            head,
            key,
            exception,
            explained,
        });
    }

    /// Whether a rule matches one of the own lines of `[from, to)` (lines the search does not visit in this step).
    /// Any rule: who wrote a line decides where the scanner counts a rule's event and how it ranks, never whether
    /// some rule fires in the record (`search::handle_line`); a failure kind matched in a receiver's file is the
    /// receiver's incident, so its record is explained.
    fn explains(
        &self,
        ctx: &FileCtx<'_>,
        s: &mut Scratch,
        r: &Region<'_>,
        from: usize,
        to: usize,
        source: prefix::Source<'_>,
    ) -> bool {
        let buf = r.buf;
        let mut pos = from;
        while pos < to.min(buf.len()) {
            let mut e = frame::line_end(buf, pos, buf.len());
            if let Some((end, content)) = whole_line(ctx, r, pos, source) {
                e = end;
                ctx.pack.candidates(&mut s.cache, &content, 0);
                for i in 0..s.cache.candidates().len() {
                    let ri = s.cache.candidates()[i];
                    if ctx.pack.matches(&mut s.cache, ri, &content) {
                        return true;
                    }
                }
            }
            pos = e + 1;
        }
        false
    }

    /// The step ends at `upto`: the pending records' lines past it are matched here, and they are complete (in
    /// the order of their headers).
    pub(super) fn end_step(
        &mut self,
        ctx: &FileCtx<'_>,
        s: &mut Scratch,
        r: &Region<'_>,
        upto: usize,
        out: &mut Unexplained,
    ) {
        let mut pending = std::mem::take(&mut self.pending);
        pending.sort_by_key(|p| p.header_start);
        for mut p in pending {
            if !p.explained {
                let source = p.source(ctx, r);
                let end = record_end(ctx, r, p.header_end, p.header_start, source);
                p.explained = end >= upto && self.explains(ctx, s, r, upto, end + 1, source);
            }
            self.flush(p, ctx, s, r, out);
        }
    }

    /// The buffer's first `by` bytes were dropped (a pending record never outlives its step).
    pub(super) fn rebase(&mut self, by: usize) {
        self.judged.retain_mut(|j| match j.1.checked_sub(by) {
            Some(x) => {
                j.1 = x;
                true
            }
            None => false,
        });
    }

    /// Mines the pending record unless a rule explained it: into the group of its key (its header's and its
    /// exception line's line keys and its component), whose message is built only for the first few records.
    fn flush(&mut self, p: Pending, ctx: &FileCtx<'_>, s: &mut Scratch, r: &Region<'_>, out: &mut Unexplained) {
        if p.explained {
            return;
        }
        let buf = r.buf;
        let source = p.source(ctx, r);
        // The header and the exception line as the search reads them (a split CRI line joined).
        let header = match p.header_content {
            Some((a, b)) => std::borrow::Cow::Borrowed(&buf[a..b]),
            None => match whole_line(ctx, r, p.header_start, source) {
                Some((_, header)) => header,
                None => return,
            },
        };
        let origin = line_origin(ctx, s, source);
        let component = origin.component.or(p.head.component.flatten());
        let exception = p.exception.and_then(|(a, _)| whole_line(ctx, r, a, source).map(|(_, c)| (a, c)));
        let stamp = p.time.map_or(u64::MAX, |t| (t as u64) ^ (1 << 63));
        // Records without a key (a line whose reading depends on its digits, or too long) are keyed by their
        // message, built for each.
        let key = match (p.key, &exception) {
            (Some(k), None) => Some(mix(k, component)),
            (Some(k), Some((_, e))) => line_key(e).map(|e| mix(k, component) ^ e.rotate_left(17)),
            _ => None,
        };
        // The header and the exception line cleaned, once each (for the message and the sample).
        let text = std::cell::OnceCell::new();
        let text = || text.get_or_init(|| sanitize::clean(&header));
        let exception_text = std::cell::OnceCell::new();
        let exception_text =
            || exception_text.get_or_init(|| exception.as_ref().map(|(_, c)| sanitize::clean(c))).as_deref();
        let mined = |mined: &mut String| {
            let text = text();
            let part = |(a, b): (u32, u32)| text.get(a as usize..b as usize).unwrap_or_default();
            mined.clear();
            mined.push_str(part(p.head.message));
            for e in p.head.field_exception.map(part).into_iter().chain(exception_text().map(str::trim)) {
                mined.push_str(" | ");
                mined.push_str(e);
            }
        };
        let key = match key {
            Some(k) => k,
            None => {
                mined(&mut self.mined);
                mix(crate::hash::of_bytes(self.mined.as_bytes()), component)
            }
        };
        let g = out.group(key, component, stamp, (ctx.file, r.base_offset + p.header_start as u64));
        g.add(stamp);
        if g.wants_message(stamp) {
            if p.key.is_some() {
                mined(&mut self.mined);
            }
            g.add_message(stamp, self.mined.clone());
        }
        let order =
            Order { time: p.time.unwrap_or(i64::MAX), file: ctx.file, offset: r.base_offset + p.header_start as u64 };
        g.detail.add(p.level, p.time, ctx.file);
        if g.detail.wants_sample(order) {
            g.detail.add_sample(Sample {
                order,
                line: LineRef { chunk: r.chunk, rel: p.header_no },
                text: text().to_string(),
                matched: exception.as_ref().map(|(a, _)| {
                    let no = p.header_no + frame::count_newlines(&buf[p.header_start..*a]) as i64;
                    (LineRef { chunk: r.chunk, rel: no }, exception_text().unwrap_or_default().trim().to_string())
                }),
                pod: origin.pod.clone(),
            });
        }
    }
}

impl Pending {
    /// Who wrote its lines.
    fn source<'b>(&self, ctx: &FileCtx<'_>, r: &Region<'b>) -> prefix::Source<'b> {
        if self.plain {
            prefix::Source::None
        } else {
            first_line_source(ctx, r, self.header_start)
        }
    }
}

/// The continuation lines of a record after its header line (which ends at `header_end`; it starts at
/// `header_start`), within the record bounds, stepping over other writers' lines: each line's bounds and content,
/// until the record ends.
fn continuation_lines<'b>(
    ctx: &FileCtx<'_>,
    r: &Region<'b>,
    header_end: usize,
    header_start: usize,
    source: prefix::Source<'b>,
) -> impl Iterator<Item = (usize, usize, std::borrow::Cow<'b, [u8]>)> + 'b {
    let (buf, bounds, mode) = (r.buf, ctx.bounds, ctx.mode);
    let mut pos = header_end + 1;
    let mut lines = 0;
    std::iter::from_fn(move || loop {
        if pos >= buf.len() || lines >= bounds.max_lines || pos - header_start > bounds.max_bytes {
            return None;
        }
        let (a, e) = (pos, frame::line_end(buf, pos, buf.len()));
        pos = e + 1;
        lines += 1;
        match view_line(buf, a, e, mode, source) {
            // A line that opens a record is not a continuation line (a timestamped one never is).
            Viewed::Own { content, .. } if !frame::is_continuation(&content) => {
                pos = buf.len();
                return None;
            }
            Viewed::Own { content, .. } => return Some((a, e, content)),
            Viewed::Foreign | Viewed::Tail => {}
        }
    })
}

/// The first exception line of a record (`Caused by:` taken off), looking no further than it.
fn first_exception(
    ctx: &FileCtx<'_>,
    r: &Region<'_>,
    header_end: usize,
    header_start: usize,
    source: prefix::Source<'_>,
) -> Option<(usize, usize)> {
    let buf = r.buf;
    // Most records are one line: the next line opens the next record.
    let next = header_end + 1;
    if next < buf.len() {
        let e = frame::line_end(buf, next, buf.len());
        if let Viewed::Own { content, .. } = view_line(buf, next, e, ctx.mode, source) {
            if !frame::is_continuation(&content) {
                return None;
            }
        }
    }
    continuation_lines(ctx, r, header_end, header_start, source).find_map(|(a, e, content)| {
        let c = content.trim_ascii_start();
        let c = c.strip_prefix(b"Caused by: ").unwrap_or(c);
        frame::is_exception_line(c).then_some((a, e))
    })
}

/// Whether the search of the regions before `r` visited a line of the record of header `h` (which begins before
/// `r`): its header's lines or its continuation lines above `r.start` (other writers' lines are not its own). A
/// record is judged by the region that visits its first line visited, wherever its header or its exception line lies:
/// in one read that is the only region, and a record none of whose lines above a cut holds a literal is visited, and
/// judged, below it.
fn visited_before(
    ctx: &FileCtx<'_>,
    s: &mut Scratch,
    r: &Region<'_>,
    h: &Header<'_>,
    source: prefix::Source<'_>,
) -> bool {
    let buf = r.buf;
    let header_lines = std::iter::successors(Some(h.start), |&a| {
        let e = frame::line_end(buf, a, buf.len());
        (e < h.end).then_some(e + 1)
    })
    .map(|a| (a, frame::line_end(buf, a, buf.len())));
    let own = continuation_lines(ctx, r, h.end, h.start, source).map(|(a, e, _)| (a, e));
    header_lines.chain(own).take_while(|&(a, _)| a < r.start).any(|(a, e)| is_visited(ctx, s, buf, a, e.min(r.start)))
}

/// Who wrote the physical line at `a`.
fn first_line_source<'b>(ctx: &FileCtx<'_>, r: &Region<'b>, a: usize) -> prefix::Source<'b> {
    let e = frame::line_end(r.buf, a, r.buf.len());
    prefix::strip(frame::trim_cr(&r.buf[a..e]), ctx.mode).source
}

/// The end of a record's last line (its header's when it has no continuation line).
fn record_end(
    ctx: &FileCtx<'_>,
    r: &Region<'_>,
    header_end: usize,
    header_start: usize,
    source: prefix::Source<'_>,
) -> usize {
    continuation_lines(ctx, r, header_end, header_start, source).last().map_or(header_end, |(_, e, _)| e)
}

/// Who wrote a line of a capture, as a number (0: a plain line): the pending record of each writer is judged
/// apart, their lines interleaving.
fn writer(source: prefix::Source<'_>) -> u64 {
    match source {
        prefix::Source::None => 0,
        prefix::Source::Pod { pod, container } => {
            crate::hash::of_bytes(pod) ^ crate::hash::of_bytes(container).rotate_left(1)
        }
        prefix::Source::Node(n) => crate::hash::of_bytes(n).rotate_left(2),
        prefix::Source::Stream(s) => crate::hash::of_bytes(s).rotate_left(3),
    }
}

/// A record key: a line key with the component whose miner takes the record.
fn mix(key: u64, component: Option<Component>) -> u64 {
    let c = component.map_or(0xff, |c| c as u64);
    (key ^ c.wrapping_mul(0x9e37_79b9_7f4a_7c15)).wrapping_mul(0xff51_afd7_ed55_8ccd)
}

/// The key of a line, for the caches: a hash of its bytes with every digit taken as `0` (the header reading and
/// the miner never look at digits' values: the header reading counts them, and the miner takes any for a
/// variable). `None` for lines whose reading depends on digits' values (a syslog `<PRI>`, journald's
/// `"PRIORITY"` wherever it is: the JSON reading skips any white space before the object, a no-break space too)
/// or that are cut when cleaned (longer than the sample bound). Eight bytes at a time.
pub(crate) fn line_key(line: &[u8]) -> Option<u64> {
    if line.len() > sanitize::MAX_TEXT_CHARS || line.first() == Some(&b'<') {
        return None;
    }
    static PRIORITY: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\"PRIORITY\""));
    if PRIORITY.find(line).is_some() {
        return None;
    }
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Digits (0x30..=0x39) lose their low nibble: x = byte ^ 0x30 is below 10 for them, and (x & 0x7f) + 0x76
    // has its high bit clear exactly then, with no carry between bytes.
    let zero_digits = |w: u64| {
        let x = w ^ (LOW * 0x30);
        let ten_or_more = (x & !HIGH).wrapping_add(LOW * 0x76);
        let digit = !(ten_or_more | x) & HIGH;
        w & !((digit >> 7) * 0x0f)
    };
    let mut h = 0x51_7cc1_b727_220a_u64 ^ line.len() as u64;
    let mut words = line.chunks_exact(8);
    for c in &mut words {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h ^ zero_digits(w)).wrapping_mul(0xff51_afd7_ed55_8ccd).rotate_left(31);
    }
    let mut last = [0u8; 8];
    last[..words.remainder().len()].copy_from_slice(words.remainder());
    h = (h ^ zero_digits(u64::from_le_bytes(last))).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    Some(h ^ (h >> 29))
}

/// A map keyed by hashes.
pub(crate) type KeyMap<V> = HashMap<u64, V, std::hash::BuildHasherDefault<crate::hash::KeyHasher>>;

#[cfg(test)]
mod tests {
    use super::line_key;

    #[test]
    fn line_keys_take_digits_for_zeros() {
        let k = |s: &str| line_key(s.as_bytes());
        assert_eq!(k("2024-03-12 10:00:01,123 [d-9] WARN a - x 5"), k("2024-03-12 10:00:01,999 [d-1] WARN a - x 7"));
        assert_eq!(k("0123456789"), k("9876543210"));
        assert_ne!(k("2024-03-12 [d-9] WARN"), k("2024-03-12 [d-19] WARN"), "one digit or two");
        assert_ne!(k("id 123456"), k("id 1234567"));
        assert_ne!(k("x/0"), k("x:0"), "the bytes next to digits are kept");
        // Every byte that is not a digit is kept (a byte-wise reference).
        for b in 0..=255u8 {
            let line = [b'a', b, b'7', b, b'z', b'0', b, b'9', b'q'];
            let zeroed: Vec<u8> = line.iter().map(|&c| if c.is_ascii_digit() { b'0' } else { c }).collect();
            assert_eq!(line_key(&line), line_key(&zeroed), "{b}");
            if !b.is_ascii_digit() && b != b'a' {
                let mut other = zeroed.clone();
                other[1] = b'a';
                assert_ne!(line_key(&zeroed), line_key(&other), "{b}");
            }
        }
        assert_eq!(k("<11>Mar 12 x"), None);
        assert_eq!(k(r#"{"PRIORITY":"3","MESSAGE":"x"}"#), None);
        assert_eq!(k("\u{a0}{\"PRIORITY\":\"3\",\"MESSAGE\":\"x\"}"), None, "after a no-break space");
        assert!(k(r#"{"level":"ERROR","message":"x"}"#).is_some());
    }
}
