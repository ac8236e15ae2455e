//! Reports: every output stackscan writes, for people (text) or for programs (JSON, NDJSON), of a one-shot scan
//! and of tail mode's events alike.
//!
//! One contract, push-model like ripgrep's `Sink`: a [`Printer`] is told [`Printer::begin`] once, then
//! [`Printer::item`] for each incident, event or note in order, then [`Printer::finish`] once. Each format is one
//! file implementing it ([`text`], [`json`], [`ndjson`], [`markdown`], [`html`]); [`printer`] picks one. The JSON
//! shapes live in [`wire`] as their own serialisable types: they are a contract (`schema_version` 1) that scripts
//! rely on, and must not change when internal types do. The formats for people share [`human`] (numbers, sizes,
//! rates, widths) and [`digest`] (what of an incident they show), so that they agree.

pub mod digest;
pub mod html;
pub mod human;
pub mod json;
pub mod markdown;
pub mod ndjson;
pub mod text;
pub mod wire;

pub use wire::SCHEMA_VERSION;

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
    /// Rules whose distinct keys passed the cap: (rule id, records folded, about how many keys).
    pub folded: Vec<(String, u64, u64)>,
    /// The cap of distinct keys per rule.
    pub max_keys: usize,
    /// The machines the files were read on (one, or none named, for a scan; several for merged reports).
    pub hosts: Vec<String>,
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
        let folded = state
            .aggregates
            .folded()
            .into_iter()
            .map(|f| (state.pack.rules.get(f.rule as usize).cloned().unwrap_or_default(), f.records, f.keys))
            .collect();
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
            folded,
            max_keys: state.aggregates.max_keys(),
            hosts: {
                let mut h: Vec<String> = state.files.iter().filter_map(|f| f.host.clone()).collect();
                h.sort();
                h.dedup();
                h
            },
        }
    }
}

/// A finished scan, ready to print.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// What was read.
    pub summary: Summary,
    /// What was found, sorted.
    pub incidents: Vec<Incident>,
    /// The top unexplained templates, ranked (see [`crate::correlate::unexplained::top`]).
    pub unexplained: Vec<UnexplainedView>,
    /// The state the incidents were correlated from, when the report is to carry it (the JSON report does, so
    /// that reports of several machines or time slices can be merged exactly: `stackscan merge`).
    pub state: Option<ScanState>,
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
        Report { summary: Summary::of(state, &incidents), incidents, unexplained, state: None }
    }

    /// The report of a state that it carries along (with its top [`DEFAULT_UNEXPLAINED`] unexplained templates).
    pub fn with_state(pack: &crate::rules::Pack, state: ScanState) -> Report {
        Report { state: None, ..Report::of(pack, &state) }.carrying(state)
    }

    /// The report, carrying the state it was made of.
    pub fn carrying(mut self, state: ScanState) -> Report {
        self.state = Some(state);
        self
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
    /// Why, when it is not the usual (`end of input`: resolved because standard input ended).
    pub reason: Option<&'a str>,
    /// When it was announced: wall clock, milliseconds since the epoch, read by the caller (the incident's own
    /// times are log times).
    pub emitted_at: crate::time::Millis,
}

/// A tail-mode note: something the reader should know that is not an incident.
#[derive(Debug, Clone, Copy)]
pub struct Note<'a> {
    /// What happened, in words.
    pub message: &'a str,
    /// When it was said: wall clock, milliseconds since the epoch, read by the caller.
    pub emitted_at: crate::time::Millis,
}

/// What a printer is told first.
#[derive(Debug, Clone, Copy)]
pub enum Head<'a> {
    /// A one-shot scan: what was read (the incidents follow as items), and the state they come from when the
    /// report carries it.
    Scan(&'a Summary, Option<&'a ScanState>),
    /// Tail mode starts: events follow as they happen.
    Follow,
    /// One incident shown on its own (`stackscan show`): no summary around it; the JSON printer writes the
    /// incident object alone.
    Incident,
}

/// One thing to print, in order.
#[derive(Debug, Clone, Copy)]
pub enum Item<'a> {
    /// An incident of a scan.
    Incident(&'a Incident),
    /// A tail-mode event.
    Event(Event<'a>),
    /// An unexplained template: listed after a scan's incidents; in tail mode, a new one (an `unexplained`
    /// event), with when it was announced (wall clock, read by the caller).
    Unexplained(&'a UnexplainedView, Option<crate::time::Millis>),
    /// Something the reader should know that is not an incident (a file truncated, polling instead of
    /// watching). Written by formats meant for programs; people see it on stderr.
    Note(Note<'a>),
}

/// What a printer is told last.
#[derive(Debug, Clone, Copy)]
pub enum Tail<'a> {
    /// The scan's incidents were all given.
    Scan,
    /// Tail mode ends: at the end of standard input with what was read (a summary is written), or on a signal.
    Follow(Option<&'a Summary>),
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

/// A format that writes one document from a whole report (Markdown, HTML): its header needs totals and the list
/// of incidents, so nothing is written before every item is known. [`Whole`] collects the items and has it write.
pub trait Document {
    /// Writes the document of `report`.
    fn write(&mut self, report: &Report, w: &mut dyn Write) -> io::Result<()>;
}

/// The printer of a [`Document`]: keeps the summary and the incidents it is told (memory is the report's, bounded
/// by the samples each episode keeps), then writes the document when it finishes. Tail-mode events and notes are
/// not part of a report and are passed over.
pub struct Whole<'w, D> {
    w: Box<dyn Write + 'w>,
    doc: D,
    report: Report,
}

impl<'w, D: Document> Whole<'w, D> {
    /// A printer of `doc`, writing to `w`.
    pub fn new(w: Box<dyn Write + 'w>, doc: D) -> Self {
        Whole { w, doc, report: Report::default() }
    }
}

impl<D: Document> Printer for Whole<'_, D> {
    fn begin(&mut self, head: Head<'_>) -> io::Result<()> {
        if let Head::Scan(s, _) = head {
            self.report.summary = s.clone();
        }
        Ok(())
    }

    fn item(&mut self, item: Item<'_>) -> io::Result<()> {
        match item {
            Item::Incident(i) => self.report.incidents.push(i.clone()),
            Item::Unexplained(u, _) => self.report.unexplained.push(u.clone()),
            Item::Event(_) | Item::Note(_) => {}
        }
        Ok(())
    }

    fn finish(&mut self, _: Tail<'_>) -> io::Result<()> {
        self.doc.write(&self.report, &mut self.w)?;
        self.w.flush()
    }
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
    /// GitHub-flavoured Markdown for a ticket or an issue (scans only).
    Markdown,
    /// One self-contained HTML page with timelines (scans only).
    Html,
}

/// How people-facing formats look.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// Fields left out of an incident's details (the pack's `[display] quiet_fields`).
    pub quiet_fields: Vec<String>,
    /// Columns to cut text evidence lines to (a terminal's width); `None` keeps them whole.
    pub width: Option<usize>,
}

impl Style {
    /// The style of a pack's reports, coloured or not, lines kept whole.
    pub fn new(pack: &crate::rules::Pack, color: bool) -> Style {
        Style { color, quiet_fields: pack.knowledge().quiet_fields.clone(), width: None }
    }

    /// The same style with text evidence lines cut to `width` columns (`None`: kept whole).
    pub fn width(mut self, width: Option<usize>) -> Style {
        self.width = width;
        self
    }
}

/// The printer of `format`, writing to `w`.
pub fn printer<'w>(format: Format, w: Box<dyn Write + 'w>, style: Style) -> Box<dyn Printer + 'w> {
    match format {
        Format::Text => Box::new(text::TextPrinter::new(w, style)),
        Format::Json => Box::new(json::JsonPrinter::new(w)),
        Format::Ndjson => Box::new(ndjson::NdjsonPrinter::new(w)),
        Format::Markdown => Box::new(Whole::new(w, markdown::Markdown::new(style))),
        Format::Html => Box::new(Whole::new(w, html::Html::new(style))),
    }
}

impl Report {
    /// Prints the whole report through `p`.
    pub fn print(&self, p: &mut dyn Printer) -> io::Result<()> {
        p.begin(Head::Scan(&self.summary, self.state.as_ref()))?;
        for i in &self.incidents {
            p.item(Item::Incident(i))?;
        }
        for u in &self.unexplained {
            p.item(Item::Unexplained(u, None))?;
        }
        p.finish(Tail::Scan)
    }

    /// Writes the report in `format` to `w`.
    pub fn write(&self, w: &mut dyn Write, format: Format, style: Style) -> io::Result<()> {
        let mut p = printer(format, Box::new(w), style);
        self.print(&mut *p)
    }
}
