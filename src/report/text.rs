//! Text for people: a scan's report (a summary line first, then one block per incident, root cause first, with a
//! short timeline across components, evidence lines (file:line) and numbered next steps, then the section
//! "Unexplained errors and warnings"), and tail mode's events, one line each. Colour only when asked; every piece
//! of log text was sanitised when it was sampled. Given a width (a terminal's), evidence lines are cut to it with
//! `…` instead of wrapping over many rows.

use super::digest::{self, Clock};
use super::human::{self, count, cut};
use super::{Event, EventKind, Head, Item, Printer, Style, Summary, Tail, UnexplainedTotals};
use crate::correlate::Incident;
use crate::frame::escape::escape;
use crate::model::Severity;
use crate::time::format_rfc3339;
use std::io::{self, Write};

mod unexplained;

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn sev(&self, s: Severity) -> String {
        let label = format!("{:<8}", s.as_str().to_uppercase());
        let code = match s {
            Severity::Critical => "1;31",
            Severity::Error => "31",
            Severity::Warning => "33",
            Severity::Info => "36",
        };
        self.wrap(code, &label)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
}

/// Writes text.
pub struct TextPrinter<'w> {
    w: Box<dyn Write + 'w>,
    paint: Paint,
    quiet: Vec<String>,
    width: Option<usize>,
    incidents: usize,
    scan: bool,
    /// Inputs the scan read (none: the report cannot say there is no problem).
    read: u64,
    /// The report holds files of several machines: evidence names the machine.
    hosts: bool,
    /// One incident shown on its own (`Head::Incident`): no blank line above it.
    alone: bool,
    /// What the scan left unexplained; whether the "no known problem" sentence was written; templates listed.
    unexplained: UnexplainedTotals,
    said_none: bool,
    listed: usize,
}

impl<'w> TextPrinter<'w> {
    /// A printer writing to `w`.
    pub fn new(w: Box<dyn Write + 'w>, style: Style) -> Self {
        TextPrinter {
            w,
            paint: Paint { on: style.color },
            quiet: style.quiet_fields,
            width: style.width,
            incidents: 0,
            scan: false,
            read: 0,
            hosts: false,
            alone: false,
            unexplained: UnexplainedTotals::default(),
            said_none: false,
            listed: 0,
        }
    }

    /// After a scan's incidents, when there were none: says so (and whether records no rule explains exist).
    fn nothing_known(&mut self) -> io::Result<()> {
        if !self.scan || self.incidents > 0 || self.said_none {
            return Ok(());
        }
        self.said_none = true;
        writeln!(self.w, "\n{}", digest::none_found(self.read, &self.unexplained))
    }
}

impl Printer for TextPrinter<'_> {
    fn begin(&mut self, head: Head<'_>) -> io::Result<()> {
        match head {
            Head::Scan(s, _) => {
                self.scan = true;
                self.read = digest::inputs_read(s);
                self.hosts = digest::several_hosts(s);
                self.unexplained = s.unexplained;
                summary(&mut *self.w, &self.paint, s)
            }
            Head::Follow => Ok(()),
            Head::Incident => {
                self.alone = true;
                Ok(())
            }
        }
    }

    fn item(&mut self, item: Item<'_>) -> io::Result<()> {
        match item {
            Item::Incident(i) => {
                // Blocks are separated by a blank line, and a scan's first from its summary.
                if !self.alone || self.incidents > 0 {
                    writeln!(self.w)?;
                }
                self.incidents += 1;
                incident(&mut *self.w, &self.paint, (&self.quiet, self.hosts), self.width, i)
            }
            Item::Event(e) => {
                event(&mut *self.w, self.paint.on, e)?;
                self.w.flush()
            }
            Item::Unexplained(u, _) if self.scan => {
                if self.listed == 0 {
                    self.nothing_known()?;
                    unexplained::heading(&mut *self.w, &self.paint, &self.unexplained)?;
                }
                self.listed += 1;
                writeln!(self.w)?;
                unexplained::template(&mut *self.w, &self.paint, (self.hosts, self.width), u)
            }
            Item::Unexplained(u, _) => {
                unexplained::event(&mut *self.w, self.paint.on, u)?;
                self.w.flush()
            }
            // People read notes on stderr.
            Item::Note(_) => Ok(()),
        }
    }

    fn finish(&mut self, tail: Tail<'_>) -> io::Result<()> {
        if let Tail::Follow(Some(s)) = tail {
            summary(&mut *self.w, &self.paint, s)?;
        }
        self.nothing_known()?;
        self.w.flush()
    }
}

/// The summary line, skipped inputs and notes of a scan.
fn summary(w: &mut dyn Write, p: &Paint, s_: &Summary) -> io::Result<()> {
    let st = &s_.stats;
    let total: usize = s_.incidents.iter().sum();
    let by_sev: Vec<String> = digest::by_severity(s_).iter().map(|(s, n)| format!("{n} {s}")).collect();
    writeln!(
        w,
        "{} {}, {}, {} in {:.2}s ({}): {}, {}{}",
        p.bold("stackscan:"),
        count(st.files, "file"),
        human::bytes(st.bytes),
        count(st.lines, "line"),
        st.elapsed_ms as f64 / 1000.0,
        human::rate(st.bytes, st.elapsed_ms),
        count(st.matches, "matching record"),
        count(total as u64, "incident"),
        if by_sev.is_empty() { String::new() } else { format!(" ({})", by_sev.join(", ")) }
    )?;
    for s in &s_.skipped {
        writeln!(w, "{} {}: {}", p.wrap("33", "skipped:"), escape(&s.path), escape(&s.reason))?;
    }
    for note in digest::notes(s_) {
        writeln!(w, "{} {note}", p.dim("note:"))?;
    }
    Ok(())
}

fn incident(
    w: &mut dyn Write,
    p: &Paint,
    (quiet, hosts): (&[String], bool),
    width: Option<usize>,
    inc: &Incident,
) -> io::Result<()> {
    writeln!(w, "{} {}", p.sev(inc.severity), p.bold(&inc.title))?;
    writeln!(w, "  {}  {}, {}", p.dim("when      "), digest::span(inc), count(inc.count, "record"))?;
    let root_comp = digest::root_component(inc);
    writeln!(w, "  {}  {} — {} [{}]", p.dim("root cause"), root_comp, inc.root_cause.summary, inc.root_cause.rule)?;
    let comps = digest::components(inc);
    if !comps.is_empty() {
        writeln!(w, "  {}  {}", p.dim("components"), comps.join(", "))?;
    }
    writeln!(w, "  {}  {}", p.dim("scope     "), digest::scope(inc))?;
    writeln!(w, "  {}  {}", p.dim("id        "), inc.id)?;
    if inc.episodes.len() > 1 {
        writeln!(w, "  {}", p.dim("timeline"))?;
        // Within one day, the date is in the `when` line above: the timeline shows times only.
        let clock = Clock::of(inc);
        for e in &inc.episodes {
            let key = digest::key(e);
            writeln!(
                w,
                "    {}  {:<24} {}{} ×{}{}",
                clock.at(e.first_seen),
                digest::lane(e),
                e.rule_id,
                if key.is_empty() { String::new() } else { format!(" [{}]", escape(&key)) },
                e.count,
                e.last_seen.map_or(String::new(), |l| format!(" until {}", clock.at(Some(l))))
            )?;
        }
    }
    // Field values merged across episodes, a line per field; noisy per-line fields are left to the JSON report.
    let details = digest::details(inc, quiet);
    if !details.is_empty() {
        writeln!(w, "  {}", p.dim("details"))?;
        for d in &details {
            let (shown, more) = d.shown();
            writeln!(w, "    {}: {}{}", d.name, shown.join(", "), if more { ", …" } else { "" })?;
        }
    }
    // One or two evidence lines per component, earliest episodes first; on a terminal, cut to its width.
    let fit = |indent: usize, s: &'_ str| -> String {
        match width {
            Some(wd) => cut(s, wd.saturating_sub(indent).max(20)).into_owned(),
            None => s.to_string(),
        }
    };
    writeln!(w, "  {}", p.dim("evidence"))?;
    for (_, s) in digest::evidence(inc) {
        let pod = s.pod.as_deref().map_or(String::new(), |p| format!(" [{p}]"));
        writeln!(w, "    {}{}", p.dim(&escape(&digest::location(s, hosts))), escape(&pod))?;
        writeln!(w, "      {}", fit(6, &s.text))?;
        if let Some((line, text)) = &s.matched {
            let label = format!("↳ line {line}:");
            writeln!(w, "      {} {}", p.dim(&label), fit(7 + human::columns(&label), text))?;
        }
    }
    writeln!(w, "  {}", p.dim("next steps"))?;
    for (i, s) in inc.next_steps.iter().enumerate() {
        writeln!(w, "    {}. {}", i + 1, s)?;
    }
    Ok(())
}

/// One tail-mode event on one line: log time, event, severity, title, count, components, id. The time is the
/// incident's last event's (log time); a `resolved` line says so, since it is announced later than that.
fn event(w: &mut dyn Write, color: bool, e: Event<'_>) -> io::Result<()> {
    let inc = e.incident;
    let when = inc.last_seen.map_or_else(|| "-".to_string(), format_rfc3339);
    let (on, off) = match (color, e.kind) {
        (false, _) => ("", ""),
        (true, EventKind::Opened) => ("\x1b[1;31m", "\x1b[0m"),
        (true, EventKind::Updated) => ("\x1b[33m", "\x1b[0m"),
        (true, EventKind::Resolved) => ("\x1b[32m", "\x1b[0m"),
    };
    let comps: Vec<&str> = inc.components.iter().map(|c| c.as_str()).collect();
    writeln!(
        w,
        "{when} {on}{:<8}{off} {:<8} {} count={} components={} id={}{}",
        e.kind.as_str(),
        inc.severity.as_str(),
        crate::frame::sanitize::clean(inc.title.as_bytes()),
        inc.count,
        if comps.is_empty() { "unknown".to_string() } else { comps.join(",") },
        inc.id,
        event_suffix(e)
    )
}

/// What an event line says after the id: why, when not the usual (`end of input`), and for `resolved`, that its
/// time is the log time of the incident's last event, not that of the announcement.
fn event_suffix(e: Event<'_>) -> String {
    let mut why: Vec<&str> = e.reason.into_iter().collect();
    if e.kind == EventKind::Resolved {
        why.push("time: log time of its last event");
    }
    if why.is_empty() {
        String::new()
    } else {
        format!(" ({})", why.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(kind: EventKind, reason: Option<&str>) -> String {
        let mut i = Incident::for_test("chain.kafka-unavailable-1");
        i.last_seen = Some(1_710_253_133_398);
        let mut out = Vec::new();
        event(&mut out, false, Event { kind, incident: &i, reason, emitted_at: 0 }).expect("write");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn a_resolved_line_says_its_time_is_the_last_events() {
        let opened = line(EventKind::Opened, None);
        assert!(opened.starts_with("2024-03-12T14:18:53.398Z opened   warning"), "{opened}");
        assert!(opened.ends_with("id=chain.kafka-unavailable-1\n"), "{opened}");
        let resolved = line(EventKind::Resolved, None);
        assert!(resolved.ends_with("id=chain.kafka-unavailable-1 (time: log time of its last event)\n"), "{resolved}");
        let end = line(EventKind::Resolved, Some("end of input"));
        assert!(end.ends_with("(end of input; time: log time of its last event)\n"), "{end}");
    }
}
