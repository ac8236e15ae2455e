//! `stackscan scan`: discover the inputs, scan them into a state, correlate, print, decide the exit code.

use super::progress::ProgressLine;
use super::{load_pack, usage, warn};
use crate::cli::args::ScanArgs;
use crate::cli::config::{Env, ScanConfig};
use anyhow::Context;
use stackscan::frame::escape::escape;
use stackscan::report::{Format, Report, Style};
use stackscan::scan::ScannerBuilder;
use stackscan::source::{self, progress::Progress};
use std::io::Write;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};

pub fn run(a: &ScanArgs, env: &Env) -> anyhow::Result<ExitCode> {
    let c = match ScanConfig::new(a, env) {
        Ok(c) => c,
        Err(u) => return Ok(usage(u)),
    };
    if let Some(w) = &c.warning {
        warn(w);
    }
    let pack = match load_pack(&c.rules) {
        Ok(p) => Arc::new(p),
        Err(code) => return Ok(code),
    };
    // The progress line (a terminal's stderr only) covers the walk and the scan, and is cleared before anything
    // else is printed.
    let progress = Arc::new(Progress::default());
    let names: Arc<OnceLock<Vec<String>>> = Arc::new(OnceLock::new());
    let line = match c.progress {
        Some(delay) => {
            Some(ProgressLine::start(progress.clone(), names.clone(), delay).context("cannot start a thread")?)
        }
        None => None,
    };
    let (mut inputs, mut skipped, missing) = source::discover_observed(&c.paths, &c.walk, &progress);
    let _ = names.set(inputs.iter().map(|i| i.display.clone()).collect());
    if let Some(comp) = c.component {
        source::default_component(&mut inputs, comp);
    }
    if !missing.is_empty() {
        if let Some(l) = line {
            l.finish();
        }
        for (p, e) in &missing {
            warn(&format!("{}: {e}", p.display()));
        }
        if c.default_paths {
            warn(
                "no StackState log directory here; name the logs to scan: stackscan scan DIR|FILE ... (or - for stdin)",
            );
        }
        return Ok(ExitCode::from(2));
    }
    let mut builder = ScannerBuilder::new();
    builder.zone(c.zone).since(c.since).until(c.until).threads(c.threads).max_keys(c.max_keys).host(c.host.clone());
    builder.unexplained((c.unexplained > 0).then_some(stackscan::aggregate::unexplained::DEFAULT_CAP));
    if line.is_some() {
        builder.progress(progress.clone());
    }
    let scanner = builder.build(pack.clone()).context("cannot start worker threads")?;
    let mut state = scanner.scan(&inputs);
    if let Some(l) = line {
        l.finish();
    }
    state.skipped.append(&mut skipped);
    state.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    if !c.quiet {
        for s in &state.skipped {
            eprintln!("stackscan: {}: {}", escape(&s.path), escape(&s.reason));
        }
    }
    // The JSON report carries the state, so that reports of several machines merge exactly.
    let report = Report::with_unexplained(&pack, &state, c.unexplained);
    let (report, state) = match c.format {
        Format::Json => (report.carrying(state), None),
        _ => (report, Some(state)),
    };
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    report.write(&mut w, c.format, Style::new(&pack, c.color).width(c.width))?;
    w.flush()?;
    let code = exit_code(&report, inputs.is_empty(), c.fail_on);
    // The process is about to exit, which frees all of it at once: dropping the compiled pack, the threads'
    // caches and the report piece by piece cost milliseconds of wall time on one core after the scan.
    std::mem::forget((report, state, scanner, pack, inputs));
    Ok(code)
}

/// The exit code of a printed report: 2 when nothing was read, 1 when `--fail-on` matched, else 0.
fn exit_code(report: &Report, no_inputs: bool, fail_on: Option<stackscan::model::Severity>) -> ExitCode {
    // Nothing read, as the report says it (empty inputs included: a `kubectl logs` that failed pipes nothing).
    if stackscan::report::digest::inputs_read(&report.summary) == 0 {
        warn(if no_inputs {
            "no log file found under the paths given: nothing was read"
        } else if report.summary.stats.files > 0 {
            "every input was empty: nothing was read"
        } else {
            "no input could be read"
        });
        return ExitCode::from(2);
    }
    if fail_on.is_some_and(|level| report.incidents.iter().any(|i| i.severity >= level)) {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
