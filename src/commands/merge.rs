//! `stackscan merge`: JSON reports of several machines (or of time slices of the same logs) combined into one
//! correlated report, exactly: each report carries its scan state, the states merge (file tables joined, the
//! bounded aggregates combined as one scan would have combined them), and the merged state is correlated once.

use super::{load_pack, usage, warn};
use crate::cli::args::{ColorArg, MergeArgs, SeverityArg};
use crate::cli::config::{Env, Usage};
use anyhow::Context;
use stackscan::aggregate::ScanState;
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
    /// Not a whole JSON document.
    #[error(
        "{0}: not a complete JSON report ({1}); a report cut short (a full disk, an interrupted copy) cannot be merged"
    )]
    Json(String, serde_json::Error),
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
        "the reports were made with rule pack {theirs}, this run's pack is {ours}: give --rules with the pack they \
         were made with"
    )]
    OtherPack {
        /// The reports' fingerprint.
        theirs: String,
        /// This run's.
        ours: String,
    },
}

/// Reads one report's scan state.
fn read_state(name: &str, text: &str) -> Result<ScanState, ReportError> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| ReportError::Json(name.into(), e))?;
    match v.get("schema_version").and_then(|x| x.as_u64()) {
        Some(n) if n == u64::from(SCHEMA_VERSION) => {}
        Some(n) => return Err(ReportError::Version(name.into(), n)),
        None => return Err(ReportError::NoState(name.into())),
    }
    let state = v.get("state").ok_or_else(|| ReportError::NoState(name.into()))?;
    serde_json::from_value(state.clone()).map_err(|e| ReportError::State(name.into(), e))
}

/// The merged state of the reports, with a note for each report given twice (counted once).
fn merge_reports(reports: &[(String, String)], pack: &Pack) -> Result<(ScanState, Vec<String>), ReportError> {
    let mut notes = Vec::new();
    let mut seen: Vec<(u64, String)> = Vec::new();
    let mut merged: Option<(String, ScanState)> = None;
    for (name, text) in reports {
        let state = read_state(name, text)?;
        // The same report twice (the same state, byte for byte once canonical) is counted once.
        let canonical = serde_json::to_string(&state).map_err(|e| ReportError::State(name.clone(), e))?;
        let h = stackscan::hash::of_bytes(canonical.as_bytes());
        if let Some((_, first)) = seen.iter().find(|(x, _)| *x == h) {
            notes.push(format!("{}: the same report as {}: counted once", escape(name), escape(first)));
            continue;
        }
        seen.push((h, name.clone()));
        match &mut merged {
            None => merged = Some((name.clone(), state)),
            Some((first, m)) => {
                if m.pack.fingerprint != state.pack.fingerprint {
                    return Err(ReportError::Packs {
                        a: first.clone(),
                        fa: m.pack.fingerprint.clone(),
                        b: name.clone(),
                        fb: state.pack.fingerprint.clone(),
                    });
                }
                m.merge(state).map_err(|e| ReportError::State(name.clone(), serde::de::Error::custom(e)))?;
            }
        }
    }
    let (_, state) = merged.unwrap_or_default();
    if state.pack.fingerprint != pack.fingerprint() {
        return Err(ReportError::OtherPack { theirs: state.pack.fingerprint, ours: pack.fingerprint().into() });
    }
    Ok((state, notes))
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
    let mut texts = Vec::with_capacity(a.reports.len());
    for p in &a.reports {
        let name = p.display().to_string();
        let text = if p.as_os_str() == "-" {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).map(|_| s)
        } else {
            std::fs::read_to_string(Path::new(p))
        };
        match text {
            Ok(t) => texts.push((name, t)),
            Err(e) => {
                warn(&ReportError::Read(name, e).to_string());
                return Ok(ExitCode::from(2));
            }
        }
    }
    let (mut state, notes) = match merge_reports(&texts, &pack) {
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
