//! NDJSON (`--format ndjson`): one JSON object per line, flushed per line, for programs reading a stream. A scan
//! writes `{"event":"incident",…}` per incident, `{"event":"unexplained","template":{…}}` per unexplained
//! template, then `{"event":"summary",…}`; tail mode writes `{"event":"opened"|"updated"|"resolved","emitted_at":…,…}`
//! per event, `{"event":"unexplained","emitted_at":…,…}` per new unexplained template and
//! `{"event":"note","emitted_at":…,…}` per note, `emitted_at` being the wall-clock time the event was announced
//! (RFC 3339; the incident's and template's own times are log times). The incident and template objects are those
//! of the JSON report. The same lines are what `follow --webhook` posts.

use super::{wire, Head, Item, Printer, Summary, Tail};
use crate::time::format_rfc3339;
use serde::Serialize;
use std::io::{self, Write};

/// Writes one object per line.
pub struct NdjsonPrinter<'w> {
    w: Box<dyn Write + 'w>,
    summary: Option<Summary>,
}

impl<'w> NdjsonPrinter<'w> {
    /// A printer writing to `w`.
    pub fn new(w: Box<dyn Write + 'w>) -> Self {
        NdjsonPrinter { w, summary: None }
    }

    fn line(&mut self, value: &impl Serialize) -> io::Result<()> {
        serde_json::to_writer(&mut self.w, value)?;
        self.w.write_all(b"\n")
    }
}

impl Printer for NdjsonPrinter<'_> {
    fn begin(&mut self, head: Head<'_>) -> io::Result<()> {
        if let Head::Scan(s, _) = head {
            self.summary = Some(s.clone());
        }
        Ok(())
    }

    fn item(&mut self, item: Item<'_>) -> io::Result<()> {
        match item {
            Item::Incident(i) => self.line(&wire::IncidentEvent {
                event: "incident",
                reason: None,
                emitted_at: None,
                incident: wire::Incident::from(i),
            }),
            Item::Event(e) => {
                self.line(&wire::IncidentEvent {
                    event: e.kind.as_str(),
                    reason: e.reason.map(str::to_string),
                    emitted_at: Some(format_rfc3339(e.emitted_at)),
                    incident: wire::Incident::from(e.incident),
                })?;
                self.w.flush()
            }
            Item::Unexplained(u, emitted_at) => {
                self.line(&wire::UnexplainedEvent {
                    event: "unexplained",
                    emitted_at: emitted_at.map(format_rfc3339),
                    template: wire::Unexplained::from(u),
                })?;
                self.w.flush()
            }
            Item::Note(n) => {
                self.line(&wire::NoteEvent {
                    event: "note",
                    emitted_at: format_rfc3339(n.emitted_at),
                    message: n.message,
                })?;
                self.w.flush()
            }
        }
    }

    fn finish(&mut self, tail: Tail<'_>) -> io::Result<()> {
        let summary = match tail {
            Tail::Scan => self.summary.take(),
            Tail::Follow(s) => s.cloned(),
        };
        if let Some(s) = summary {
            self.line(&wire::SummaryEvent { event: "summary", scan: wire::Scan::from(&s) })?;
        }
        self.w.flush()
    }
}
