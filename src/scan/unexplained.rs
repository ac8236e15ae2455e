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
//! Ownership across regions (chunks of a file, blocks of a stream): a record belongs to the region that holds its
//! header; a record without a level, to the region that holds its first exception line (the region before it
//! never saw that line). A record whose header is in the look-behind is left alone otherwise.

use super::search::{line_origin, view_line, FileCtx, Line, Region};
use super::Scratch;
use crate::aggregate::episode::{LineRef, Order, Sample};
use crate::aggregate::unexplained::Unexplained;
use crate::frame::{self, header, prefix, sanitize, Viewed};
use crate::model::Level;
use crate::source::classify;
use crate::time::{parse_line_start, Millis};

/// The record being judged, and what is remembered across candidates.
#[derive(Debug, Default)]
pub(crate) struct Mining {
    pending: Option<Pending>,
    /// The header of the last record judged: its other lines need no second look.
    judged: Option<usize>,
    /// The pending record's header, cleaned (its message is a range of it).
    text: String,
    /// Scratch for the text mined (message and exception).
    mined: String,
}

/// A candidate record, waiting for the search to pass its last line.
#[derive(Debug)]
struct Pending {
    header_start: usize,
    header_end: usize,
    /// Line number of the header, relative to the chunk.
    header_no: i64,
    /// End of the record's last line (its `\n`, or the end of the bytes read).
    end: usize,
    level: Option<Level>,
    time: Option<Millis>,
    /// The message: a range of [`Mining::text`].
    message: (usize, usize),
    /// An exception the header line carries in a field (ES JSON): a range of [`Mining::text`].
    field_exception: Option<(usize, usize)>,
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
    time: Option<Millis>,
}

impl Mining {
    /// Before a candidate line is handled: a pending record that ended above it is complete.
    pub(super) fn before(
        &mut self,
        ctx: &FileCtx<'_>,
        s: &mut Scratch,
        r: &Region<'_>,
        at: &Line<'_>,
        out: &mut Unexplained,
    ) {
        if self.pending.as_ref().is_some_and(|p| at.first > p.end) {
            self.flush(ctx, s, r, out);
        }
    }

    /// After the rules ran on a candidate line (`last_record`: the header of the record a rule last fired in):
    /// notes an explanation of the pending record, or judges the line's record.
    pub(super) fn visit(
        &mut self,
        ctx: &FileCtx<'_>,
        s: &mut Scratch,
        r: &Region<'_>,
        at: &Line<'_>,
        last_record: Option<usize>,
    ) {
        if let Some(p) = &mut self.pending {
            if last_record == Some(p.header_start) {
                p.explained = true;
            }
            if at.first <= p.end {
                return;
            }
        }
        let buf = r.buf;
        let content = at.content;
        let timed = parse_line_start(content, ctx.zone);
        let first_end = frame::line_end(buf, at.first, r.end);
        if timed.is_some() || !frame::is_continuation(content) {
            if self.judged == Some(at.first) {
                return;
            }
            self.judged = Some(at.first);
            let time = match view_line(buf, at.first, first_end, ctx.mode, at.source) {
                Viewed::Own { time: Some(t), .. } => Some(t),
                _ => timed,
            };
            let h = Header { start: at.first, end: at.done, no: at.no, content, time };
            self.judge(ctx, s, r, h, at, last_record);
            return;
        }
        // A continuation line: its record's header is above.
        let (mode, source) = (ctx.mode, at.source);
        let view = |a: usize, b: usize| view_line(buf, a, b, mode, source);
        let rec = frame::locate_record(buf, 0, at.first, first_end, ctx.zone, ctx.bounds, &view);
        if self.judged == Some(rec.header_start) {
            return;
        }
        self.judged = Some(rec.header_start);
        if rec.header_start == at.first {
            // No header above (the input's start, a record cut by the bounds): the line stands alone.
            let h = Header { start: at.first, end: at.done, no: at.no, content, time: rec.time };
            self.judge(ctx, s, r, h, at, last_record);
            return;
        }
        let Viewed::Own { content: hc, .. } = view(rec.header_start, rec.header_end) else { return };
        let h = Header {
            start: rec.header_start,
            end: rec.header_end,
            no: at.no - rec.lines_above as i64,
            content: &hc,
            time: rec.time,
        };
        self.judge(ctx, s, r, h, at, last_record);
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
        if let Some(t) = h.time {
            if ctx.since.is_some_and(|since| t < since) || ctx.until.is_some_and(|until| t > until) {
                return;
            }
        }
        let text = sanitize::clean(h.content);
        let split = header::split(&text);
        if split.level.is_some_and(|l| !l.is_problem()) {
            return;
        }
        let behind = h.start < r.start;
        if behind && split.level.is_some() {
            // Judged by the region before, which holds its header.
            return;
        }
        let (end, exception) = walk(ctx, r, h.end, h.start, at.source);
        if split.level.is_none() {
            let named = split.exception.is_some() || frame::mentions_exception(h.content);
            if !named && exception.is_none() {
                return;
            }
            // A record without a level belongs to the region of its first exception line.
            if behind && (named || exception.is_none_or(|(a, _)| a < r.start)) {
                return;
            }
        }
        let mut explained = last_record == Some(h.start);
        if behind && !explained {
            explained = self.explains(ctx, s, r, h.start, r.start, at.source);
        }
        let range = |x: &str| {
            let a = x.as_ptr() as usize - text.as_ptr() as usize;
            (a, a + x.len())
        };
        let message = range(split.message);
        let field_exception = split.exception.map(range);
        self.text.clear();
        self.text.push_str(&text);
        self.pending = Some(Pending {
            header_start: h.start,
            header_end: h.end,
            header_no: h.no,
            end,
            level: split.level,
            time: h.time,
            message,
            field_exception,
            exception,
            explained,
        });
    }

    /// Whether a rule applicable to the lines' writer matches one of the own lines of `[from, to)` (lines the
    /// search does not visit in this step).
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
        let origin = line_origin(ctx, s, source).into_owned();
        let mut pos = from;
        while pos < to.min(buf.len()) {
            let e = frame::line_end(buf, pos, buf.len());
            if let Viewed::Own { content, .. } = view_line(buf, pos, e, ctx.mode, source) {
                ctx.pack.candidates(&mut s.cache, &content, 0);
                for i in 0..s.cache.candidates().len() {
                    let ri = s.cache.candidates()[i];
                    let rule = &ctx.pack.rules()[ri];
                    if origin.component.is_none_or(|c| rule.components.contains(c))
                        && ctx.pack.matches(&mut s.cache, ri, &content)
                    {
                        return true;
                    }
                }
            }
            pos = e + 1;
        }
        false
    }

    /// The step ends at `upto`: the pending record's lines past it are matched here, and it is complete.
    pub(super) fn end_step(
        &mut self,
        ctx: &FileCtx<'_>,
        s: &mut Scratch,
        r: &Region<'_>,
        upto: usize,
        out: &mut Unexplained,
    ) {
        let Some(p) = &self.pending else { return };
        if !p.explained && p.end >= upto {
            let source = prefix::strip(frame::trim_cr(&r.buf[p.header_start..p.header_end]), ctx.mode).source;
            let explained = self.explains(ctx, s, r, upto, p.end + 1, source);
            if let Some(p) = &mut self.pending {
                p.explained = explained;
            }
        }
        self.flush(ctx, s, r, out);
    }

    /// The buffer's first `by` bytes were dropped (a pending record never outlives its step).
    pub(super) fn rebase(&mut self, by: usize) {
        self.judged = self.judged.and_then(|j| j.checked_sub(by));
    }

    /// Mines the pending record unless a rule explained it.
    fn flush(&mut self, ctx: &FileCtx<'_>, s: &mut Scratch, r: &Region<'_>, out: &mut Unexplained) {
        let Some(p) = self.pending.take() else { return };
        if p.explained {
            return;
        }
        let buf = r.buf;
        let st = prefix::strip(frame::trim_cr(&buf[p.header_start..p.header_end]), ctx.mode);
        let origin = line_origin(ctx, s, st.source);
        let component = origin.component.or_else(|| classify::component_of_line(&st.content));
        let exception = p.exception.and_then(|(a, b)| match view_line(buf, a, b, ctx.mode, st.source) {
            Viewed::Own { content, .. } => {
                let no = p.header_no + frame::count_newlines(&buf[p.header_start..a]) as i64;
                Some((no, sanitize::clean(&content).trim().to_string()))
            }
            _ => None,
        });
        let message = &self.text[p.message.0..p.message.1];
        self.mined.clear();
        self.mined.push_str(message);
        for e in p.field_exception.map(|(a, b)| &self.text[a..b]).into_iter().chain(exception.as_ref().map(|e| &*e.1)) {
            self.mined.push_str(" | ");
            self.mined.push_str(e);
        }
        let stamp = p.time.map_or(u64::MAX, |t| (t as u64) ^ (1 << 63));
        let order =
            Order { time: p.time.unwrap_or(i64::MAX), file: ctx.file, offset: r.base_offset + p.header_start as u64 };
        let text = &self.text;
        out.miner(component).add_with(&self.mined, stamp, |d| {
            d.add(p.level, p.time, ctx.file);
            if d.wants_sample(order) {
                d.add_sample(Sample {
                    order,
                    line: LineRef { chunk: r.chunk, rel: p.header_no },
                    text: text.clone(),
                    matched: exception.map(|(no, t)| (LineRef { chunk: r.chunk, rel: no }, t)),
                    pod: origin.pod.clone(),
                });
            }
        });
    }
}

/// Walks a record forward from the end of its header line `header_end` (its header starts at `header_start`)
/// over its continuation lines, within the record bounds, stepping over other writers' lines: the end of its
/// last line, and its first exception line.
fn walk(
    ctx: &FileCtx<'_>,
    r: &Region<'_>,
    header_end: usize,
    header_start: usize,
    source: prefix::Source<'_>,
) -> (usize, Option<(usize, usize)>) {
    let buf = r.buf;
    let mut end = header_end;
    let mut exception = None;
    let mut pos = header_end + 1;
    let mut lines = 0;
    while pos < buf.len() && lines < ctx.bounds.max_lines && pos - header_start <= ctx.bounds.max_bytes {
        let e = frame::line_end(buf, pos, buf.len());
        lines += 1;
        match view_line(buf, pos, e, ctx.mode, source) {
            Viewed::Own { content, time } => {
                let opens = parse_line_start(&content, ctx.zone).is_some()
                    || !frame::is_continuation(&content)
                    || (time.is_some() && !frame::is_continuation(&content));
                if opens {
                    break;
                }
                if exception.is_none() {
                    let c = content.trim_ascii_start();
                    let c = c.strip_prefix(b"Caused by: ").unwrap_or(c);
                    if frame::is_exception_line(c) {
                        exception = Some((pos, e));
                    }
                }
                end = e;
            }
            Viewed::Foreign | Viewed::Tail => {}
        }
        pos = e + 1;
    }
    (end, exception)
}
