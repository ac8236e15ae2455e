//! `stackscan scan`: discover the inputs, scan them into a state, correlate, print, decide the exit code.

use super::{load_pack, usage, warn};
use crate::cli::args::ScanArgs;
use crate::cli::config::{Env, ScanConfig};
use anyhow::Context;
use stackscan::frame::escape::escape;
use stackscan::report::{Report, Style};
use stackscan::scan::ScannerBuilder;
use stackscan::source;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

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
    let (mut inputs, mut skipped, missing) = source::discover(&c.paths, c.walk);
    if let Some(comp) = c.component {
        source::default_component(&mut inputs, comp);
    }
    if !missing.is_empty() {
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
    builder.zone(c.zone).since(c.since).until(c.until).threads(c.threads);
    builder.unexplained((c.unexplained > 0).then_some(stackscan::aggregate::unexplained::DEFAULT_CAP));
    let scanner = builder.build(pack.clone()).context("cannot start worker threads")?;
    let mut state = scanner.scan(&inputs);
    state.skipped.append(&mut skipped);
    state.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    for s in &state.skipped {
        eprintln!("stackscan: {}: {}", escape(&s.path), escape(&s.reason));
    }
    let report = Report::with_unexplained(&pack, &state, c.unexplained);
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    report.write(&mut w, c.format, Style::new(&pack, c.color))?;
    w.flush()?;
    let nothing_read = !inputs.is_empty() && report.summary.stats.files == 0 && !report.summary.skipped.is_empty();
    if nothing_read {
        warn("no input could be read");
        return Ok(ExitCode::from(2));
    }
    if let Some(level) = c.fail_on {
        if report.incidents.iter().any(|i| i.severity >= level) {
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}
