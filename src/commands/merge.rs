//! `stackscan merge`: JSON reports of several machines (or of time slices of the same logs) combined into one
//! correlated report, exactly: each report carries its scan state, the states merge (file tables joined, the
//! bounded aggregates combined as one scan would have combined them), and the merged state is correlated once.

use super::{load_pack, usage, warn};
use crate::cli::args::{ColorArg, MergeArgs, SeverityArg};
use crate::cli::config::{Env, Usage};
use anyhow::Context;
use stackscan::aggregate::{Combiner, MergeError, ScanState};
use stackscan::frame::escape::escape;
use stackscan::report::{Format, Report, SCHEMA_VERSION};
use stackscan::rules::Pack;
use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

/// Why a report cannot be merged (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Not readable.
    #[error("{0}: cannot read: {1}")]
    Read(String, std::io::Error),
    /// Not a JSON report: the name, and what it is instead (see [`not_json`]).
    #[error("{0}: {1}")]
    Json(String, String),
    /// Another schema version.
    #[error("{0}: schema version {1} is not supported (this stackscan reads version {SCHEMA_VERSION})")]
    Version(String, u64),
    /// Written without the state (not by `scan --format json` of a build that writes it).
    #[error("{0}: the report carries no scan state; merge the JSON reports of `stackscan scan --format json`")]
    NoState(String),
    /// The state does not parse.
    #[error("{0}: its scan state is damaged: {1}")]
    State(String, serde_json::Error),
    /// Two reports of different rule packs.
    #[error(
        "{a} and {b} were made with different rule packs (fingerprints {fa} and {fb}): merge reports of the same pack"
    )]
    Packs {
        /// A report.
        a: String,
        /// Its pack's fingerprint.
        fa: String,
        /// Another report.
        b: String,
        /// Its pack's fingerprint.
        fb: String,
    },
    /// The reports' pack is not the one this run correlates with.
    #[error(
        "the reports were made with rule pack {theirs} by {made_by}, this run's pack is {ours} (stackscan {}): merge \
         them with the stackscan that made them, or give --rules with the pack they were made with",
        env!("CARGO_PKG_VERSION")
    )]
    OtherPack {
        /// The reports' fingerprint.
        theirs: String,
        /// This run's.
        ours: String,
        /// The stackscan versions that wrote them (`stackscan 0.1.0`, `stackscan 0.1.0 and 0.2.0`).
        made_by: String,
    },
}

/// The part of a report read first: which schema it is written in, and by which stackscan (absent from reports of
/// earlier builds).
#[derive(serde::Deserialize)]
struct Header {
    schema_version: Option<u64>,
    stackscan_version: Option<String>,
}

/// The part of a report a merge uses: its scan state (the rest of the document is skipped while parsing, so no
/// tree of the whole report is built).
#[derive(serde::Deserialize)]
struct Body {
    state: Option<ScanState>,
}

/// Reads one report's scan state, and the version of the stackscan that wrote it.
fn read_state(name: &str, text: &str) -> Result<(ScanState, Option<String>), ReportError> {
    // A byte order mark, as some editors and Windows tools write one, is no part of the report.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header: Header = serde_json::from_str(text).map_err(|e| ReportError::Json(name.into(), not_json(text, &e)))?;
    match header.schema_version {
        Some(n) if n == u64::from(SCHEMA_VERSION) => {}
        Some(n) => return Err(ReportError::Version(name.into(), n)),
        None => return Err(ReportError::NoState(name.into())),
    }
    let body: Body = serde_json::from_str(text).map_err(|e| ReportError::State(name.into(), e))?;
    let state = body.state.ok_or_else(|| ReportError::NoState(name.into()))?;
    Ok((state, header.stackscan_version))
}

/// What a text that does not parse as a JSON report is, for the error: cut short, another format, or damaged.
fn not_json(text: &str, e: &serde_json::Error) -> String {
    let start = text.trim_start();
    if e.is_eof() {
        format!(
            "not a complete JSON report ({e}); a report cut short (a full disk, an interrupted copy) cannot be merged"
        )
    } else if !start.starts_with('{') {
        "not a JSON report (a text, Markdown or HTML report?): merge reads the reports of `stackscan scan --format json`"
            .into()
    } else if start.lines().nth(1).is_some_and(|l| l.trim_start().starts_with("{\"")) {
        format!("one JSON object per line ({e}): an NDJSON report; merge reads the reports of `stackscan scan --format json`")
    } else {
        format!("not a valid JSON report ({e})")
    }
}

/// Folds reports into one state as they are read (a [`Combiner`]), so a merge holds one report's text at a time,
/// with a note for each report given twice (counted once).
struct Merger {
    notes: Vec<String>,
    seen: Vec<(u64, String)>,
    /// Each file (host, name) of the reports added, with the first report that read it.
    files: std::collections::BTreeMap<(Option<String>, String), String>,
    /// The first report's name, for the error naming two packs.
    first: Option<String>,
    /// The versions of the stackscan that wrote the reports (`None`: a report of a build that did not say).
    versions: std::collections::BTreeSet<Option<String>>,
    combiner: Combiner,
}

impl Merger {
    fn new() -> Merger {
        Merger {
            notes: Vec::new(),
            seen: Vec::new(),
            files: std::collections::BTreeMap::new(),
            first: None,
            versions: std::collections::BTreeSet::new(),
            combiner: Combiner::new(),
        }
    }

    /// Adds one report.
    fn add(&mut self, name: &str, text: &str) -> Result<(), ReportError> {
        let (state, version) = read_state(name, text)?;
        self.versions.insert(version);
        // The same report twice (the same state, byte for byte once canonical) is counted once.
        let canonical = serde_json::to_string(&state).map_err(|e| ReportError::State(name.into(), e))?;
        let h = stackscan::hash::of_bytes(canonical.as_bytes());
        if let Some((_, first)) = self.seen.iter().find(|(x, _)| *x == h) {
            self.notes.push(format!("{}: the same report as {}: counted once", escape(name), escape(first)));
            return Ok(());
        }
        self.seen.push((h, name.into()));
        // A file another report read too: a merged report given with its parts (`merge DIR/*.json` where DIR holds
        // merged.json), or time slices of one file. Its records are counted in each: said, once per pair.
        let mut overlaps: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
        for f in &state.files {
            match self.files.entry((f.host.clone(), f.display.clone())) {
                std::collections::btree_map::Entry::Occupied(e) => *overlaps.entry(e.get().clone()).or_default() += 1,
                std::collections::btree_map::Entry::Vacant(e) => {
                    e.insert(name.into());
                }
            }
        }
        for (other, n) in overlaps {
            self.notes.push(format!(
                "{}: {n} of its files were read by {} too (a merged report with its parts, or slices of one \
                 file's time): their records are counted in both",
                escape(name),
                escape(&other)
            ));
        }
        let first = self.first.get_or_insert_with(|| name.into());
        self.combiner.push(state).map_err(|e| packs(first, name, e))
    }

    /// The merged state, checked against the pack this run correlates with, and the notes.
    fn finish(self, pack: &Pack) -> Result<(ScanState, Vec<String>), ReportError> {
        let first = self.first.unwrap_or_default();
        let state = self.combiner.finish().map_err(|e| packs(&first, "the other reports", e))?.unwrap_or_default();
        if state.pack.fingerprint != pack.fingerprint() {
            let known: Vec<&str> = self.versions.iter().flatten().map(String::as_str).collect();
            let made_by = match (known.len(), self.versions.contains(&None)) {
                (0, _) => "a stackscan that did not write its version".to_string(),
                (_, unknown) => format!(
                    "stackscan {}{}",
                    known.join(" and "),
                    if unknown { " (and one that did not write its version)" } else { "" }
                ),
            };
            return Err(ReportError::OtherPack {
                theirs: state.pack.fingerprint,
                ours: pack.fingerprint().into(),
                made_by: escape(&made_by).into_owned(),
            });
        }
        Ok((state, self.notes))
    }
}

/// Two reports of different packs: `first` (whose pack the merge has) and `other`.
fn packs(first: &str, other: &str, e: MergeError) -> ReportError {
    let MergeError::PackMismatch { ours, theirs } = e;
    ReportError::Packs { a: first.into(), fa: ours, b: other.into(), fb: theirs }
}

/// Reads one report (a file or `-`).
fn read_report(p: &Path) -> std::io::Result<String> {
    if p.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map(|_| s)
    } else {
        std::fs::read_to_string(p)
    }
}

pub fn run(a: &MergeArgs, env: &Env) -> anyhow::Result<ExitCode> {
    let stdin_count = a.reports.iter().filter(|p| p.as_os_str() == "-").count();
    if stdin_count > 1 {
        return Ok(usage(Usage("standard input can be given once".into())));
    }
    let started = std::time::Instant::now();
    let pack = match load_pack(&a.pack.rules) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let mut merger = Merger::new();
    for p in &a.reports {
        let name = p.display().to_string();
        let added = read_report(p).map_err(|e| ReportError::Read(name.clone(), e)).and_then(|t| merger.add(&name, &t));
        if let Err(e) = added {
            warn(&e.to_string());
            return Ok(ExitCode::from(2));
        }
    }
    let (mut state, notes) = match merger.finish(&pack) {
        Ok(x) => x,
        Err(e) => {
            warn(&e.to_string());
            return Ok(ExitCode::from(2));
        }
    };
    for n in &notes {
        warn(n);
    }
    // The merged report's time is the merge's own.
    state.stats.elapsed_ms = started.elapsed().as_millis() as u64;
    let format: Format = a.format.into();
    // A merged JSON report carries the merged state: it merges again with others.
    let report = if format == Format::Json { Report::with_state(&pack, state) } else { Report::of(&pack, &state) };
    let color = match a.color.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => env.stdout_tty && !env.no_color,
    };
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    report.write(&mut w, format, stackscan::report::Style::new(&pack, color)).context("writing the report")?;
    w.flush()?;
    let fail = a.fail_on.map(|s| match s {
        SeverityArg::Info => stackscan::model::Severity::Info,
        SeverityArg::Warning => stackscan::model::Severity::Warning,
        SeverityArg::Error => stackscan::model::Severity::Error,
        SeverityArg::Critical => stackscan::model::Severity::Critical,
    });
    if fail.is_some_and(|level| report.incidents.iter().any(|i| i.severity >= level)) {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
