//! The text of unexplained templates: the section "Unexplained errors and warnings" after a scan's incidents (a
//! block per template: level and template, when, component, rate, id, evidence), and tail mode's `unexplained`
//! event line.

use super::{cut, digest, escape, human, Paint};
use crate::correlate::UnexplainedView;
use crate::model::Level;
use crate::report::UnexplainedTotals;
use crate::time::format_rfc3339;
use std::io::{self, Write};

/// The section's heading and what it holds.
pub(super) fn heading(w: &mut dyn Write, p: &Paint, u: &UnexplainedTotals) -> io::Result<()> {
    writeln!(w, "\n{}", p.bold("Unexplained errors and warnings"))?;
    writeln!(w, "{}", p.dim(&digest::unexplained_totals(u)))
}

/// The label of a template's level, padded and coloured.
fn level(p: &Paint, u: &UnexplainedView) -> String {
    let code = match u.level {
        Some(Level::Fatal) => "1;31",
        Some(Level::Error) | None => "31",
        Some(Level::Warn) => "33",
        Some(_) => "36",
    };
    p.wrap(code, &format!("{:<9}", digest::unexplained_level(u)))
}

/// One template: level and template, when, component, rate, id, and its samples (the first one's text).
pub(super) fn template(
    w: &mut dyn Write,
    p: &Paint,
    (hosts, width): (bool, Option<usize>),
    u: &UnexplainedView,
) -> io::Result<()> {
    let fit = |indent: usize, s: &'_ str| -> String {
        match width {
            Some(wd) => cut(s, wd.saturating_sub(indent).max(20)).into_owned(),
            None => s.to_string(),
        }
    };
    writeln!(w, "{} {}", level(p, u), p.bold(&u.template))?;
    let records = human::count(u.count, "record");
    writeln!(
        w,
        "  {}  {}, {records} in {}",
        p.dim("when      "),
        digest::unexplained_span(u),
        digest::unexplained_files(u)
    )?;
    writeln!(w, "  {}  {}", p.dim("component "), u.component.map_or("unknown", |c| c.as_str()))?;
    if let Some(rate) = digest::unexplained_rate(u) {
        writeln!(w, "  {}  {rate}", p.dim("rate      "))?;
    }
    writeln!(w, "  {}  {}", p.dim("id        "), u.id)?;
    writeln!(w, "  {}", p.dim("evidence"))?;
    for (i, s) in u.samples.iter().enumerate() {
        let pod = s.pod.as_deref().map_or(String::new(), |p| format!(" [{p}]"));
        writeln!(w, "    {}{}", p.dim(&escape(&digest::location(s, hosts))), escape(&pod))?;
        if i == 0 {
            writeln!(w, "      {}", fit(6, &s.text))?;
            if let Some((line, text)) = &s.matched {
                let label = format!("↳ line {line}:");
                writeln!(w, "      {} {}", p.dim(&label), fit(7 + human::columns(&label), text))?;
            }
        }
    }
    Ok(())
}

/// A new unexplained template in tail mode, on one line: log time, event, level, template, count, component, id.
pub(super) fn event(w: &mut dyn Write, color: bool, u: &UnexplainedView) -> io::Result<()> {
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
