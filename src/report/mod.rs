//! Reports: every output stackscan writes, for people (text) or for programs (JSON, NDJSON), of a one-shot scan
//! and of tail mode's events alike.
//!
//! One contract, push-model like ripgrep's `Sink`: a [`Printer`] is told [`Printer::begin`] once, then
//! [`Printer::item`] for each incident, event or note in order, then [`Printer::finish`] once. Each format is one
//! file implementing it ([`text`], [`json`], [`ndjson`]); [`printer`] picks one. The JSON shapes live in [`wire`] as
//! their own serialisable types: they are a contract (`schema_version` 1) that scripts rely on, and must not change
//! when internal types do.

pub mod json;
pub mod ndjson;
pub mod text;
pub mod wire;

use crate::aggregate::{ScanState, Stats};
use crate::correlate::{Incident, UnexplainedView};
use crate::source::Skipped;
use std::io::{self, Write};

/// What a scan read, shown above its incidents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Totals.
    pub stats: Stats,
    /// Inputs not scanned, or not completely, with why.
    pub skipped: Vec<Skipped>,
    /// Inputs considered.
    pub files: usize,
    /// Incidents found, by severity (as an index: info, warning, error, critical).
    pub incidents: [usize; 4],
    /// The records no rule explained (when mined).
    pub unexplained: UnexplainedTotals,
}

/// How much no rule explained: templates and records at WARN and above, and of those at ERROR and above.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnexplainedTotals {
    /// Templates kept.
    pub templates: usize,
    /// Records in them.
    pub records: u64,
    /// Templates at ERROR and above (exceptions without a level among them).
    pub error_templates: usize,
    /// Records in those.
    pub error_records: u64,
    /// Templates the per-component cap evicted.
    pub evicted_templates: u64,
    /// Records in them.
    pub evicted_records: u64,
}

impl Summary {
    /// The summary of a state and the incidents found in it.
    pub fn of(state: &ScanState, incidents: &[Incident]) -> Summary {
        let mut by = [0; 4];
        for i in incidents {
            by[i.severity as usize] += 1;
        }
        let ((templates, records), (error_templates, error_records)) =
            crate::correlate::unexplained::totals(&state.unexplained);
        let mined = state.unexplained.stats();
        Summary {
            stats: state.stats.clone(),
            skipped: state.skipped.clone(),
            files: state.files.len(),
            incidents: by,
            unexplained: UnexplainedTotals {
                templates,
                records,
                error_templates,
                error_records,
                evicted_templates: mined.evicted_templates,
                evicted_records: mined.evicted_lines,
            },
        }
    }
}

/// A finished scan, ready to print.
#[derive(Debug, Clone)]
pub struct Report {
    /// What was read.
    pub summary: Summary,
    /// What was found, sorted.
    pub incidents: Vec<Incident>,
    /// The top unexplained templates, ranked (see [`crate::correlate::unexplained::top`]).
    pub unexplained: Vec<UnexplainedView>,
}

/// Unexplained templates a report lists by default.
pub const DEFAULT_UNEXPLAINED: usize = 10;

impl Report {
    /// The report of a state: its incidents, correlated, and its top [`DEFAULT_UNEXPLAINED`] unexplained
    /// templates.
    pub fn of(pack: &crate::rules::Pack, state: &ScanState) -> Report {
        Report::with_unexplained(pack, state, DEFAULT_UNEXPLAINED)
    }

    /// The report of a state, listing its top `n` unexplained templates.
    pub fn with_unexplained(pack: &crate::rules::Pack, state: &ScanState, n: usize) -> Report {
        let incidents = crate::correlate::correlate(pack, state);
        let unexplained = crate::correlate::unexplained::top(state, n);
        Report { summary: Summary::of(state, &incidents), incidents, unexplained }
    }
}

/// What happened to an incident in tail mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// First seen (or seen again after it was resolved).
    Opened,
    /// Its counts or time span grew.
    Updated,
    /// Quiet for the resolve period.
    Resolved,
}

impl EventKind {
    /// The NDJSON `event` value.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Opened => "opened",
            EventKind::Updated => "updated",
            EventKind::Resolved => "resolved",
        }
    }
}

/// A tail-mode event: an incident and what happened to it.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    /// What happened.
    pub kind: EventKind,
    /// The incident as it stands now.
    pub incident: &'a Incident,
}

/// What a printer is told first.
#[derive(Debug, Clone, Copy)]
pub enum Head<'a> {
    /// A one-shot scan: what was read (the incidents follow as items).
    Scan(&'a Summary),
    /// Tail mode starts: events follow as they happen.
    Follow,
}

/// One thing to print, in order.
#[derive(Debug, Clone, Copy)]
pub enum Item<'a> {
    /// An incident of a scan.
    Incident(&'a Incident),
    /// A tail-mode event.
    Event(Event<'a>),
    /// An unexplained template: listed after a scan's incidents; in tail mode, a new one (an `unexplained`
    /// event).
    Unexplained(&'a UnexplainedView),
    /// Something the reader should know that is not an incident (a file truncated, polling instead of
    /// watching). Written by formats meant for programs; people see it on stderr.
    Note(&'a str),
}

/// What a printer is told last.
#[derive(Debug, Clone, Copy)]
pub enum Tail<'a> {
    /// The scan's incidents were all given.
    Scan,
    /// Tail mode ends (the end of standard input, a signal), with what was read.
    Follow(&'a Summary),
}

/// An output format. The contract: `begin` once, `item` any number of times, `finish` once, in that order; an
/// error ends the output (a closed pipe among them). A scan gives its incidents first, then its unexplained
/// templates.
pub trait Printer {
    /// Starts the output.
    fn begin(&mut self, head: Head<'_>) -> io::Result<()>;
    /// Writes one item.
    fn item(&mut self, item: Item<'_>) -> io::Result<()>;
    /// Ends the output and flushes it.
    fn finish(&mut self, tail: Tail<'_>) -> io::Result<()>;
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Readable summary and incident blocks; one line per event in tail mode.
    Text,
    /// One JSON document (scans only).
    Json,
    /// One JSON object per line: per incident then a summary, or per event.
    Ndjson,
}

/// How people-facing formats look.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// Fields left out of an incident's details (the pack's `[display] quiet_fields`).
    pub quiet_fields: Vec<String>,
}

impl Style {
    /// The style of a pack's reports, coloured or not.
    pub fn new(pack: &crate::rules::Pack, color: bool) -> Style {
        Style { color, quiet_fields: pack.knowledge().quiet_fields.clone() }
    }
}

/// The printer of `format`, writing to `w`.
pub fn printer<'w>(format: Format, w: Box<dyn Write + 'w>, style: Style) -> Box<dyn Printer + 'w> {
    match format {
        Format::Text => Box::new(text::TextPrinter::new(w, style)),
        Format::Json => Box::new(json::JsonPrinter::new(w)),
        Format::Ndjson => Box::new(ndjson::NdjsonPrinter::new(w)),
    }
}

impl Report {
    /// Prints the whole report through `p`.
    pub fn print(&self, p: &mut dyn Printer) -> io::Result<()> {
        p.begin(Head::Scan(&self.summary))?;
        for i in &self.incidents {
            p.item(Item::Incident(i))?;
        }
        for u in &self.unexplained {
            p.item(Item::Unexplained(u))?;
        }
        p.finish(Tail::Scan)
    }

    /// Writes the report in `format` to `w`.
    pub fn write(&self, w: &mut dyn Write, format: Format, style: Style) -> io::Result<()> {
        let mut p = printer(format, Box::new(w), style);
        self.print(&mut *p)
    }
}
