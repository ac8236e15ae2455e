//! The JSON report (`--format json`): one pretty-printed document, `schema_version` 1 (see [`super::wire`]).
//!
//! A JSON document is one value, so this printer keeps the incidents it is given and writes the document when it
//! finishes; memory is the report's, bounded by the samples each episode keeps, not by the logs. Told
//! [`Head::Incident`] (`stackscan show`), it writes the incident object alone.
//!
//! The scan state a report carries is machine data (what `stackscan merge` reads), so it is written compact, on
//! one line: pretty-printed it was the larger part of the document, more than twice its compact size, and
//! printing it was most of the single-threaded time after a scan of the benchmark corpus. It is printed when the
//! printer is given it, into bytes kept until the end, where it becomes the document's last field.

use super::{wire, Head, Item, Printer, Summary, Tail};
use std::io::{self, Write};

/// Writes one JSON document per scan.
pub struct JsonPrinter<'w> {
    w: Box<dyn Write + 'w>,
    summary: Summary,
    incidents: Vec<wire::Incident>,
    unexplained: Vec<wire::Unexplained>,
    /// The state, printed compact as the value of the document's `state` field.
    state: Option<Vec<u8>>,
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
                self.state = state.map(serde_json::to_vec).transpose()?;
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
            stackscan_version: env!("CARGO_PKG_VERSION"),
            scan: wire::Scan::from(&self.summary),
            incidents: std::mem::take(&mut self.incidents),
            unexplained: std::mem::take(&mut self.unexplained),
        };
        let mut out = serde_json::to_vec_pretty(&doc)?;
        if let Some(state) = self.state.take() {
            // A struct's pretty form ends with its closing brace on a line of its own; the state goes before it.
            let end = out.len() - b"\n}".len();
            debug_assert_eq!(&out[end..], b"\n}");
            out.truncate(end);
            out.extend_from_slice(b",\n  \"state\": ");
            out.extend_from_slice(&state);
            out.extend_from_slice(b"\n}");
        }
        out.push(b'\n');
        self.w.write_all(&out)?;
        self.w.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{discover, Format, Pack, Report, ScannerBuilder, Style};
    use std::sync::Arc;

    /// The document is serde's pretty print of the report with the state as its last field, written compact on
    /// one line; the state reads back as the scan's.
    #[test]
    fn the_carried_state_is_the_documents_last_field_on_one_line() {
        let pack = Arc::new(Pack::embedded().unwrap());
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/linux");
        let (inputs, _, missing) = discover(&[dir.into()], &Default::default());
        assert!(missing.is_empty() && !inputs.is_empty());
        let state = ScannerBuilder::new().threads(1).build(pack.clone()).unwrap().scan(&inputs);
        let report = Report::with_state(&pack, state);
        let mut printed = Vec::new();
        report.write(&mut printed, Format::Json, Style::new(&pack, false)).unwrap();
        let printed = String::from_utf8(printed).unwrap();

        let doc = wire::Report {
            schema_version: wire::SCHEMA_VERSION,
            stackscan_version: env!("CARGO_PKG_VERSION"),
            scan: wire::Scan::from(&report.summary),
            incidents: report.incidents.iter().map(wire::Incident::from).collect(),
            unexplained: report.unexplained.iter().map(wire::Unexplained::from).collect(),
        };
        let pretty = serde_json::to_string_pretty(&doc).unwrap();
        let (head, last) = printed.rsplit_once(",\n  \"state\": ").expect("a state field");
        assert_eq!(format!("{head}\n}}"), pretty, "the rest is the pretty report");
        assert!(!report.incidents.is_empty() && last.ends_with("}\n}\n") && last.lines().count() == 2);
        let state = &last[..last.len() - "\n}\n".len()];
        let read: crate::ScanState = serde_json::from_str(state).unwrap();
        assert_eq!(serde_json::to_string(&read).unwrap(), state, "reads back as written");
        assert_eq!(serde_json::to_string(report.state.as_ref().unwrap()).unwrap(), state, "the scan's state");
        let whole: serde_json::Value = serde_json::from_str(&printed).unwrap();
        assert!(whole["state"]["aggregates"].is_array(), "one JSON document");
    }
}
