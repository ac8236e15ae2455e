//! Text for people: a scan's report (a summary line first, then one block per incident, root cause first, with a
//! short timeline across components, evidence lines (file:line) and numbered next steps), and tail mode's events,
//! one line each. Colour only when asked; every piece of log text was sanitised when it was sampled.

use super::{Event, EventKind, Head, Item, Printer, Style, Summary, Tail};
use crate::correlate::Incident;
use crate::frame::escape::escape;
use crate::model::Severity;
use crate::rules::Scope;
use crate::time::{format_rfc3339, Millis};
use std::io::{self, Write};

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

/// Human-readable byte count.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// A duration for people: `45s`, `10m10s`, `1h12m`, `2d03h`.
pub fn human_duration(ms: Millis) -> String {
    let s = ms / 1000;
    match s {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m{:02}s", s / 60, s % 60),
        s if s < 86_400 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        s => format!("{}d{:02}h", s / 86_400, (s % 86_400) / 3600),
    }
}

fn when(t: Option<Millis>) -> String {
    t.map_or_else(|| "(no time)".to_string(), |t| format_rfc3339(t).replace('T', " "))
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Writes text.
pub struct TextPrinter<'w> {
    w: Box<dyn Write + 'w>,
    paint: Paint,
    quiet: Vec<String>,
    incidents: usize,
    scan: bool,
    /// Inputs the scan read (none: the report cannot say there is no problem).
    read: u64,
    /// The report holds files of several machines: evidence names the machine.
    hosts: bool,
    /// One incident shown on its own (`Head::Incident`): no blank line above it.
    alone: bool,
}

impl<'w> TextPrinter<'w> {
    /// A printer writing to `w`.
    pub fn new(w: Box<dyn Write + 'w>, style: Style) -> Self {
        TextPrinter {
            w,
            paint: Paint { on: style.color },
            quiet: style.quiet_fields,
            incidents: 0,
            scan: false,
            read: 0,
            hosts: false,
            alone: false,
        }
    }
}

impl Printer for TextPrinter<'_> {
    fn begin(&mut self, head: Head<'_>) -> io::Result<()> {
        match head {
            Head::Scan(s, _) => {
                self.scan = true;
                self.read = s.stats.files + s.stats.skipped_by_time;
                self.hosts = s.hosts.len() > 1;
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
                incident(&mut *self.w, &self.paint, (&self.quiet, self.hosts), i)
            }
            Item::Event(e) => {
                event(&mut *self.w, self.paint.on, e)?;
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
        if self.scan && self.incidents == 0 && self.read == 0 {
            writeln!(
                self.w,
                "\nNothing was read: no log file was found under the paths given, or none could be read."
            )?;
        } else if self.scan && self.incidents == 0 {
            writeln!(self.w, "\nNo known StackState telemetry problem found in these logs.")?;
        }
        self.w.flush()
    }
}

/// The summary line, skipped inputs and notes of a scan.
fn summary(w: &mut dyn Write, p: &Paint, s_: &Summary) -> io::Result<()> {
    let st = &s_.stats;
    let total: usize = s_.incidents.iter().sum();
    let secs = st.elapsed_ms as f64 / 1000.0;
    let rate = if st.elapsed_ms > 0 { st.bytes as f64 / 1_048_576.0 / secs } else { 0.0 };
    let mut by_sev = Vec::new();
    for s in [Severity::Critical, Severity::Error, Severity::Warning, Severity::Info] {
        let n = s_.incidents[s as usize];
        if n > 0 {
            by_sev.push(format!("{n} {s}"));
        }
    }
    writeln!(
        w,
        "{} {} files, {}, {} lines in {:.2}s ({:.0} MiB/s): {} matching records, {} incident{}{}",
        p.bold("stackscan:"),
        st.files,
        human_bytes(st.bytes),
        thousands(st.lines),
        secs,
        rate,
        thousands(st.matches),
        total,
        if total == 1 { "" } else { "s" },
        if by_sev.is_empty() { String::new() } else { format!(" ({})", by_sev.join(", ")) }
    )?;
    for s in &s_.skipped {
        writeln!(w, "{} {}: {}", p.wrap("33", "skipped:"), escape(&s.path), escape(&s.reason))?;
    }
    if st.skipped_by_time > 0 {
        let n = st.skipped_by_time;
        writeln!(
            w,
            "{} {n} file{} wholly outside --since/--until, not read",
            p.dim("note:"),
            if n == 1 { "" } else { "s" }
        )?;
    }
    for (rule, records, keys) in &s_.folded {
        writeln!(
            w,
            "{} rule {rule} saw more than {} distinct keys: about {} more keys ({} records) are counted in one \"other keys\" episode (--max-keys to change)",
            p.dim("note:"),
            s_.max_keys,
            thousands(*keys),
            thousands(*records),
        )?;
    }
    if st.records_cut > 0 {
        writeln!(
            w,
            "{} {} matching line{} too far below any header (record bound) were reported without their header",
            p.dim("note:"),
            st.records_cut,
            if st.records_cut == 1 { "" } else { "s" }
        )?;
    }
    Ok(())
}

fn incident(w: &mut dyn Write, p: &Paint, (quiet, hosts): (&[String], bool), inc: &Incident) -> io::Result<()> {
    writeln!(w, "{} {}", p.sev(inc.severity), p.bold(&inc.title))?;
    let span = match (inc.first_seen, inc.last_seen) {
        (Some(a), Some(b)) => format!("{} → {} ({})", when(Some(a)), when(Some(b)), human_duration(b - a)),
        _ => "(no timestamps)".into(),
    };
    writeln!(w, "  {}  {}, {} records", p.dim("when      "), span, thousands(inc.count))?;
    let root_comp = inc.root_cause.component.map_or("unknown", |c| c.as_str());
    writeln!(w, "  {}  {} — {} [{}]", p.dim("root cause"), root_comp, inc.root_cause.summary, inc.root_cause.rule)?;
    let comps: Vec<String> = inc
        .components
        .iter()
        .map(|c| match inc.counts.get(c.as_str()).copied().unwrap_or(0) {
            0 => format!("{c} (root cause; no lines from its own log)"),
            n => format!("{c} ({})", thousands(n)),
        })
        .collect();
    if !comps.is_empty() {
        writeln!(w, "  {}  {}", p.dim("components"), comps.join(", "))?;
    }
    let scope = match inc.scope {
        Scope::All => "all integrations",
        Scope::Single => "a single integration",
    };
    let tele =
        if inc.telemetry.is_empty() { String::new() } else { format!("; telemetry: {}", inc.telemetry.join(", ")) };
    writeln!(w, "  {}  {}{}", p.dim("scope     "), scope, tele)?;
    writeln!(w, "  {}  {}", p.dim("id        "), inc.id)?;
    if inc.episodes.len() > 1 {
        writeln!(w, "  {}", p.dim("timeline"))?;
        // Within one day, the date is in the `when` line above: the timeline shows times only.
        let one_day = match (inc.first_seen, inc.last_seen) {
            (Some(a), Some(b)) => a.div_euclid(86_400_000) == b.div_euclid(86_400_000),
            _ => false,
        };
        let at = |t: Option<Millis>| {
            let full = when(t);
            match full.split_once(' ') {
                Some((_, time)) if one_day && t.is_some() => time.to_string(),
                _ => full,
            }
        };
        for e in &inc.episodes {
            let comp = match (&e.component, &e.process) {
                (Some(c), Some(pr)) => format!("{c}/{pr}"),
                (Some(c), None) => c.to_string(),
                (None, _) => "unknown".into(),
            };
            writeln!(
                w,
                "    {}  {:<24} {} ×{}{}",
                at(e.first_seen),
                comp,
                e.rule_id,
                e.count,
                e.last_seen.map_or(String::new(), |l| format!(" until {}", at(Some(l))))
            )?;
        }
    }
    // Field values merged across episodes, a line per field; noisy per-line fields are left to the JSON report.
    let mut fields: std::collections::BTreeMap<&str, (Vec<&str>, bool)> = std::collections::BTreeMap::new();
    for e in &inc.episodes {
        for (k, vs) in &e.fields {
            if quiet.contains(k) {
                continue;
            }
            let slot = fields.entry(k.as_str()).or_default();
            for v in vs {
                if !slot.0.contains(&v.as_str()) {
                    slot.0.push(v);
                }
            }
            slot.1 |= e.fields_truncated.contains(k);
        }
    }
    if !fields.is_empty() {
        writeln!(w, "  {}", p.dim("details"))?;
        for (k, (vs, truncated)) in &fields {
            let shown: Vec<&str> = vs.iter().take(4).copied().collect();
            let more = if vs.len() > 4 || *truncated { ", …" } else { "" };
            writeln!(w, "    {k}: {}{more}", shown.join(", "))?;
        }
    }
    // One or two evidence lines per component, earliest episodes first.
    writeln!(w, "  {}", p.dim("evidence"))?;
    let mut shown_per_component: Vec<(Option<crate::model::Component>, usize)> = Vec::new();
    for e in &inc.episodes {
        for s in &e.samples {
            let n = match shown_per_component.iter_mut().find(|(c, _)| *c == e.component) {
                Some((_, n)) => n,
                None => {
                    shown_per_component.push((e.component, 0));
                    &mut shown_per_component.last_mut().expect("just pushed").1
                }
            };
            if *n >= 2 {
                break;
            }
            *n += 1;
            let pod = s.pod.as_deref().map_or(String::new(), |p| format!(" [{p}]"));
            let host = match (&s.host, hosts) {
                (Some(h), true) => format!("{}:", escape(h)),
                _ => String::new(),
            };
            writeln!(w, "    {}{}", p.dim(&format!("{host}{}:{}", escape(&s.path), s.line)), escape(&pod))?;
            writeln!(w, "      {}", s.text)?;
            if let Some((line, text)) = &s.matched {
                writeln!(w, "      {} {}", p.dim(&format!("↳ line {line}:")), text)?;
            }
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
