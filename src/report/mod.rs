//! Reports: the incidents of a scan written for people (text) or for programs (JSON, NDJSON).
//!
//! The JSON shapes live in [`wire`] as their own serialisable types: they are a contract (`schema_version` 1)
//! that scripts rely on, and must not change when internal types do.

pub mod text;
pub mod wire;

use crate::correlate::incident::ScanOutputSummary;
use crate::correlate::Incident;

/// A finished scan, ready to print.
#[derive(Debug, Clone)]
pub struct Report {
    /// What was read.
    pub summary: ScanOutputSummary,
    /// What was found, sorted.
    pub incidents: Vec<Incident>,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Readable summary and incident blocks.
    Text,
    /// One JSON document.
    Json,
    /// One JSON object per line (one per incident, then a summary object).
    Ndjson,
}

impl Report {
    /// Writes the report in `format`.
    pub fn write(&self, w: &mut dyn std::io::Write, format: Format, color: bool) -> std::io::Result<()> {
        match format {
            Format::Text => text::write(w, self, color),
            Format::Json => {
                serde_json::to_writer_pretty(&mut *w, &wire::Report::from(self))?;
                w.write_all(b"\n")
            }
            Format::Ndjson => {
                for i in &self.incidents {
                    serde_json::to_writer(
                        &mut *w,
                        &wire::IncidentEvent { event: "incident", incident: wire::Incident::from(i) },
                    )?;
                    w.write_all(b"\n")?;
                }
                serde_json::to_writer(
                    &mut *w,
                    &wire::SummaryEvent { event: "summary", scan: wire::Scan::from(&self.summary) },
                )?;
                w.write_all(b"\n")
            }
        }
    }
}
