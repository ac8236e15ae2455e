//! The JSON report (`--format json`): one pretty-printed document, `schema_version` 1 (see [`super::wire`]).
//!
//! A JSON document is one value, so this printer keeps the incidents it is given and writes the document when it
//! finishes; memory is the report's, bounded by the samples each episode keeps, not by the logs. Told
//! [`Head::Incident`] (`stackscan show`), it writes the incident object alone.

use super::{wire, Head, Item, Printer, Summary, Tail};
use std::io::{self, Write};

/// Writes one JSON document per scan.
pub struct JsonPrinter<'w> {
    w: Box<dyn Write + 'w>,
    summary: Summary,
    incidents: Vec<wire::Incident>,
    unexplained: Vec<wire::Unexplained>,
    state: Option<serde_json::Value>,
    /// `Head::Incident`: the incident object alone, not a report around it.
    alone: bool,
}

impl<'w> JsonPrinter<'w> {
    /// A printer writing to `w`.
    pub fn new(w: Box<dyn Write + 'w>) -> Self {
        JsonPrinter {
            w,
            summary: Summary::default(),
            incidents: Vec::new(),
            unexplained: Vec::new(),
            state: None,
            alone: false,
        }
    }
}

impl Printer for JsonPrinter<'_> {
    fn begin(&mut self, head: Head<'_>) -> io::Result<()> {
        match head {
            Head::Scan(s, state) => {
                self.summary = s.clone();
                self.state = state.map(serde_json::to_value).transpose()?;
            }
            Head::Incident => self.alone = true,
            Head::Follow => {}
        }
        Ok(())
    }

    fn item(&mut self, item: Item<'_>) -> io::Result<()> {
        match item {
            Item::Incident(i) => self.incidents.push(wire::Incident::from(i)),
            Item::Unexplained(u, _) => self.unexplained.push(wire::Unexplained::from(u)),
            Item::Event(_) | Item::Note(_) => {}
        }
        Ok(())
    }

    fn finish(&mut self, _: Tail<'_>) -> io::Result<()> {
        if self.alone {
            for i in &self.incidents {
                serde_json::to_writer_pretty(&mut self.w, i)?;
                self.w.write_all(b"\n")?;
            }
            return self.w.flush();
        }
        let doc = wire::Report {
            schema_version: wire::SCHEMA_VERSION,
            scan: wire::Scan::from(&self.summary),
            incidents: std::mem::take(&mut self.incidents),
            unexplained: std::mem::take(&mut self.unexplained),
            state: self.state.take(),
        };
        serde_json::to_writer_pretty(&mut self.w, &doc)?;
        self.w.write_all(b"\n")?;
        self.w.flush()
    }
}
