//! Text for people: a scan's report (a summary line first, then one block per incident, root cause first, with a
//! short timeline across components, evidence lines (file:line) and numbered next steps, then the section
//! "Unexplained errors and warnings"), and tail mode's events, one line each. Colour only when asked; every
//! piece of log text was sanitised when it was sampled.

use super::{Event, EventKind, Head, Item, Printer, Style, Summary, Tail, UnexplainedTotals};
use crate::correlate::{Incident, UnexplainedView};
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

fn human_duration(ms: Millis) -> String {
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
    /// What the scan left unexplained, and whether the "no known problem" sentence and the section's heading
    /// were written.
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
            incidents: 0,
            scan: false,
            unexplained: UnexplainedTotals::default(),
            said_none: false,
            listed: 0,
        }
    }

    /// After a scan's incidents, when there were none: says so, and whether records no rule explains exist.
    fn nothing_known(&mut self) -> io::Result<()> {
        if !self.scan || self.incidents > 0 || self.said_none {
            return Ok(());
        }
        self.said_none = true;
        let u = self.unexplained;
        if u.records == 0 {
            return writeln!(self.w, "\nNo known StackState telemetry problem found in these logs.");
        }
        writeln!(
            self.w,
            "\nNo known StackState telemetry problem found in these logs, but {} record{} at WARN or above ({} at \
             ERROR or above) match no rule: see the unexplained errors and warnings below.",
            thousands(u.records),
            if u.records == 1 { "" } else { "s" },
            thousands(u.error_records)
        )
    }
}

impl Printer for TextPrinter<'_> {
    fn begin(&mut self, head: Head<'_>) -> io::Result<()> {
        match head {
            Head::Scan(s) => {
                self.scan = true;
                self.unexplained = s.unexplained;
                summary(&mut *self.w, &self.paint, s)
            }
            Head::Follow => Ok(()),
        }
    }

    fn item(&mut self, item: Item<'_>) -> io::Result<()> {
        match item {
            Item::Incident(i) => {
                self.incidents += 1;
                writeln!(self.w)?;
                incident(&mut *self.w, &self.paint, &self.quiet, i)
            }
            Item::Event(e) => {
                event(&mut *self.w, self.paint.on, e)?;
                self.w.flush()
            }
            Item::Unexplained(u) if self.scan => {
                if self.listed == 0 {
                    self.nothing_known()?;
                    unexplained_heading(&mut *self.w, &self.paint, self.unexplained)?;
                }
                self.listed += 1;
                writeln!(self.w)?;
                unexplained(&mut *self.w, &self.paint, u)
            }
            Item::Unexplained(u) => {
                unexplained_event(&mut *self.w, self.paint.on, u)?;
                self.w.flush()
            }
            // People read notes on stderr.
            Item::Note(_) => Ok(()),
        }
    }

    fn finish(&mut self, _: Tail<'_>) -> io::Result<()> {
        self.nothing_known()?;
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
        writeln!(w, "{} {}: {}", p.wrap("33", "skipped:"), s.path, s.reason)?;
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

fn incident(w: &mut dyn Write, p: &Paint, quiet: &[String], inc: &Incident) -> io::Result<()> {
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
            writeln!(w, "    {}{}", p.dim(&format!("{}:{}", s.path, s.line)), pod)?;
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

/// One tail-mode event on one line: log time, event, severity, title, count, components, id.
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
        "{when} {on}{:<8}{off} {:<8} {} count={} components={} id={}",
        e.kind.as_str(),
        inc.severity.as_str(),
        crate::frame::sanitize::clean(inc.title.as_bytes()),
        inc.count,
        if comps.is_empty() { "unknown".to_string() } else { comps.join(",") },
        inc.id
    )
}

/// The label of a template's level (`EXCEPTION`: exceptions logged without a level), padded, coloured.
fn level_label(p: &Paint, level: Option<crate::model::Level>) -> String {
    use crate::model::Level;
    let (label, code) = match level {
        Some(Level::Fatal) => ("FATAL", "1;31"),
        Some(Level::Error) => ("ERROR", "31"),
        Some(Level::Warn) => ("WARN", "33"),
        Some(l) => (l.as_str(), "36"),
        None => ("EXCEPTION", "31"),
    };
    p.wrap(code, &format!("{:<9}", label.to_uppercase()))
}

fn unexplained_heading(w: &mut dyn Write, p: &Paint, u: UnexplainedTotals) -> io::Result<()> {
    writeln!(w, "\n{}", p.bold("Unexplained errors and warnings"))?;
    let evicted = if u.evicted_templates > 0 {
        format!(
            "; {} more template{} ({} records) dropped by the per-component cap",
            thousands(u.evicted_templates),
            if u.evicted_templates == 1 { "" } else { "s" },
            thousands(u.evicted_records)
        )
    } else {
        String::new()
    };
    writeln!(
        w,
        "{}",
        p.dim(&format!(
            "records at WARN or above that no rule matched, mined into {} template{} ({} records){evicted}; the \
             top ones by level, then count",
            thousands(u.templates as u64),
            if u.templates == 1 { "" } else { "s" },
            thousands(u.records)
        ))
    )
}

/// One unexplained template: level and template, when, where, how fast, evidence.
fn unexplained(w: &mut dyn Write, p: &Paint, u: &UnexplainedView) -> io::Result<()> {
    writeln!(w, "{} {}", level_label(p, u.level), p.bold(&u.template))?;
    let span = match (u.first_seen, u.last_seen) {
        (Some(a), Some(b)) => format!("{} → {} ({})", when(Some(a)), when(Some(b)), human_duration(b - a)),
        _ => "(no timestamps)".into(),
    };
    let files =
        format!("{}{} file{}", u.files, if u.files_more { "+" } else { "" }, if u.files == 1 { "" } else { "s" });
    let records = if u.count == 1 { "1 record".to_string() } else { format!("{} records", thousands(u.count)) };
    writeln!(w, "  {}  {}, {records} in {files}", p.dim("when      "), span)?;
    writeln!(w, "  {}  {}", p.dim("component "), u.component.map_or("unknown", |c| c.as_str()))?;
    let window = if u.peak_window_ms <= 60_000 { "one minute".to_string() } else { human_duration(u.peak_window_ms) };
    let rate = if u.bursts {
        format!("bursts: {} records in {window}", thousands(u.peak))
    } else {
        format!("steady (at most {} in {window})", thousands(u.peak))
    };
    if u.first_seen.is_some() {
        writeln!(w, "  {}  {}", p.dim("rate      "), rate)?;
    }
    writeln!(w, "  {}  {}", p.dim("id        "), u.id)?;
    writeln!(w, "  {}", p.dim("evidence"))?;
    for (i, s) in u.samples.iter().enumerate() {
        let pod = s.pod.as_deref().map_or(String::new(), |p| format!(" [{p}]"));
        writeln!(w, "    {}{}", p.dim(&format!("{}:{}", s.path, s.line)), pod)?;
        if i == 0 {
            writeln!(w, "      {}", s.text)?;
            if let Some((line, text)) = &s.matched {
                writeln!(w, "      {} {}", p.dim(&format!("↳ line {line}:")), text)?;
            }
        }
    }
    Ok(())
}

/// A new unexplained template in tail mode, on one line: log time, event, level, template, count, component, id.
fn unexplained_event(w: &mut dyn Write, color: bool, u: &UnexplainedView) -> io::Result<()> {
    let when = u.first_seen.map_or_else(|| "-".to_string(), format_rfc3339);
    let (on, off) = if color { ("\x1b[1;35m", "\x1b[0m") } else { ("", "") };
    writeln!(
        w,
        "{when} {on}{:<8}{off} {:<8} {} count={} component={} id={}",
        "unexplained",
        u.level.map_or("error", |l| l.as_str()),
        u.template,
        u.count,
        u.component.map_or("unknown", |c| c.as_str()),
        u.id
    )
}
