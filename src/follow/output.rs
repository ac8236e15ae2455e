//! Writing lifecycle events: NDJSON (one object per line, flushed per event; the incident objects are those of
//! the JSON report) or one readable line per event. Notes go to stderr, and in NDJSON also to the stream.

use super::lifecycle::Kind;
use crate::correlate::Incident;
use crate::report::wire;
use crate::time::format_rfc3339;
use serde::Serialize;
use std::io::{self, Write};

/// How events are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// One JSON object per line.
    Ndjson,
    /// One readable line per event, coloured or not.
    Text {
        /// ANSI colours.
        color: bool,
    },
}

#[derive(Serialize)]
struct NoteEvent<'a> {
    event: &'static str,
    message: &'a str,
}

/// The event writer.
pub struct Output<W: Write> {
    w: W,
    style: Style,
}

impl<W: Write> Output<W> {
    /// Writes to `w` in `style`.
    pub fn new(w: W, style: Style) -> Self {
        Output { w, style }
    }

    /// One lifecycle event, flushed.
    pub fn event(&mut self, kind: Kind, inc: &Incident) -> io::Result<()> {
        match self.style {
            Style::Ndjson => {
                let e = wire::IncidentEvent { event: kind.as_str(), incident: wire::Incident::from(inc) };
                serde_json::to_writer(&mut self.w, &e)?;
                self.w.write_all(b"\n")?;
            }
            Style::Text { color } => {
                let when = inc.last_seen.map_or_else(|| "-".to_string(), format_rfc3339);
                let (on, off) = match (color, kind) {
                    (false, _) => ("", ""),
                    (true, Kind::Opened) => ("\x1b[1;31m", "\x1b[0m"),
                    (true, Kind::Updated) => ("\x1b[33m", "\x1b[0m"),
                    (true, Kind::Resolved) => ("\x1b[32m", "\x1b[0m"),
                };
                let comps: Vec<&str> = inc.components.iter().map(|c| c.as_str()).collect();
                writeln!(
                    self.w,
                    "{when} {on}{:<8}{off} {:<8} {} count={} components={} id={}",
                    kind.as_str(),
                    inc.severity.as_str(),
                    crate::sanitize::clean(inc.title.as_bytes()),
                    inc.count,
                    if comps.is_empty() { "unknown".to_string() } else { comps.join(",") },
                    inc.id
                )?;
            }
        }
        self.w.flush()
    }

    /// A note (truncation, rotation, fallback to polling): on stderr, and in NDJSON as a `note` event too.
    pub fn note(&mut self, message: &str) -> io::Result<()> {
        eprintln!("stackscan: {message}");
        if self.style == Style::Ndjson {
            serde_json::to_writer(&mut self.w, &NoteEvent { event: "note", message })?;
            self.w.write_all(b"\n")?;
            self.w.flush()?;
        }
        Ok(())
    }
}
