//! Running the commands: resolve the typed arguments into library configuration, run, print, decide the exit
//! code. Everything that touches the terminal, the clock or the environment is here, not in the library.

use crate::cli::{Cli, ColorArg, Command, FormatArg, PackArgs, RulesCommand, ScanArgs, SeverityArg};
use anyhow::Context;
use stackscan::correlate::build_incidents;
use stackscan::model::{Component, Severity};
use stackscan::report::{Format, Report};
use stackscan::rules::{test_pack, Pack};
use stackscan::scan::ScannerBuilder;
use stackscan::source;
use stackscan::time::{parse_duration, parse_instant, Millis, Zone};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Where StackState writes its logs on a Linux server.
const DEFAULT_DIR: &str = "/opt/stackstate/var/log";
/// Where the agent writes its logs on a Linux host.
const AGENT_DIR: &str = "/var/log/stackstate-agent";

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Scan(a) => scan(a),
        Command::Rules(r) => rules(r),
    }
}

/// Loads the embedded pack, or the `--rules` paths instead. Prints every problem and gives exit code 2 on error.
fn load_pack(args: &PackArgs) -> Result<Pack, ExitCode> {
    let loaded = if args.rules.is_empty() { Pack::embedded() } else { Pack::from_paths(&args.rules) };
    loaded.map_err(|e| {
        eprint!("stackscan: {e}");
        ExitCode::from(2)
    })
}

fn severity(s: SeverityArg) -> Severity {
    match s {
        SeverityArg::Info => Severity::Info,
        SeverityArg::Warning => Severity::Warning,
        SeverityArg::Error => Severity::Error,
        SeverityArg::Critical => Severity::Critical,
    }
}

fn format(f: FormatArg) -> Format {
    match f {
        FormatArg::Text => Format::Text,
        FormatArg::Json => Format::Json,
        FormatArg::Ndjson => Format::Ndjson,
    }
}

fn use_color(c: ColorArg) -> bool {
    match c {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

/// `--since` / `--until`: an instant, a date, or a duration back from now.
fn parse_when(flag: &str, s: &str, zone: Zone, now: Millis) -> anyhow::Result<Millis> {
    if let Some(t) = parse_instant(s, zone) {
        return Ok(t);
    }
    if let Some(d) = parse_duration(s) {
        return Ok(now - d);
    }
    anyhow::bail!("{flag} {s:?}: expected RFC 3339 (2024-03-12T10:00:00Z), a date (2024-03-12) or a duration (2h, 30m)")
}

fn now_millis() -> Millis {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as Millis)
}

fn scan(a: ScanArgs) -> anyhow::Result<ExitCode> {
    let zone = Zone::parse(&a.timezone)
        .with_context(|| format!("--timezone {:?}: expected UTC or an offset such as +02:00", a.timezone))?;
    let now = now_millis();
    let since = a.since.as_deref().map(|s| parse_when("--since", s, zone, now)).transpose()?;
    let until = a.until.as_deref().map(|s| parse_when("--until", s, zone, now)).transpose()?;
    let component = a
        .component
        .as_deref()
        .map(|c| {
            Component::parse(c).with_context(|| format!("--component {c:?}: expected one of {}", Component::names()))
        })
        .transpose()?;
    let pack = match load_pack(&a.pack) {
        Ok(p) => Arc::new(p),
        Err(code) => return Ok(code),
    };
    let paths = if a.paths.is_empty() {
        let mut v = vec![PathBuf::from(DEFAULT_DIR)];
        if std::path::Path::new(AGENT_DIR).is_dir() {
            v.push(PathBuf::from(AGENT_DIR));
        }
        v
    } else {
        a.paths.clone()
    };
    let (mut inputs, mut skipped, missing) = source::discover(&paths);
    if let Some(c) = component {
        source::default_component(&mut inputs, c);
    }
    if !missing.is_empty() {
        for (p, e) in &missing {
            eprintln!("stackscan: {}: {e}", p.display());
        }
        if a.paths.is_empty() {
            eprintln!("stackscan: no StackState log directory here; name the logs to scan: stackscan scan DIR|FILE ... (or - for stdin)");
        }
        return Ok(ExitCode::from(2));
    }
    let mut builder = ScannerBuilder::new();
    builder.zone(zone).since(since).until(until);
    if let Some(n) = a.threads {
        builder.threads(n);
    }
    let scanner = builder.build(pack.clone()).context("cannot start worker threads")?;
    let out = scanner.scan(&inputs);
    let (incidents, mut summary) = build_incidents(&pack, out);
    skipped.append(&mut summary.skipped);
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    summary.skipped = skipped;
    for s in &summary.skipped {
        eprintln!("stackscan: {}: {}", s.path, s.reason);
    }
    let report = Report { summary, incidents };
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    report.write(&mut w, format(a.format), use_color(a.color))?;
    w.flush()?;
    let nothing_read = !inputs.is_empty() && report.summary.stats.files == 0 && !report.summary.skipped.is_empty();
    if nothing_read {
        eprintln!("stackscan: no input could be read");
        return Ok(ExitCode::from(2));
    }
    if let Some(level) = a.fail_on.map(severity) {
        if report.incidents.iter().any(|i| i.severity >= level) {
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn rules(cmd: RulesCommand) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    match cmd {
        RulesCommand::List { pack, format } => {
            let pack = match load_pack(&pack) {
                Ok(p) => p,
                Err(code) => return Ok(code),
            };
            if format == FormatArg::Text {
                for r in pack.rules() {
                    let comps: Vec<&str> = r.components.iter().map(|c| c.as_str()).collect();
                    writeln!(w, "{:<40} {:<20} {:<9} {:<32} {}", r.id, r.family, r.severity, comps.join(","), r.title)?;
                }
                writeln!(w, "{} rules, {} chains", pack.rules().len(), pack.chains().len())?;
            } else {
                let list: Vec<serde_json::Value> = pack
                    .rules()
                    .iter()
                    .map(|r| {
                        serde_json::json!({
                            "id": r.id, "family": r.family, "severity": r.severity, "title": r.title,
                            "components": r.components.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
                            "key": r.key, "generic": r.generic, "file": r.location.file, "line": r.location.line,
                        })
                    })
                    .collect();
                serde_json::to_writer_pretty(&mut w, &list)?;
                writeln!(w)?;
            }
        }
        RulesCommand::Test { pack } => {
            let pack = match load_pack(&pack) {
                Ok(p) => p,
                Err(code) => return Ok(code),
            };
            let report = test_pack(&pack);
            for f in &report.failures {
                writeln!(w, "FAIL {f}")?;
            }
            writeln!(
                w,
                "{} rules: {} examples, {} counterexamples, {} failure{}",
                report.rules,
                report.examples,
                report.counterexamples,
                report.failures.len(),
                if report.failures.len() == 1 { "" } else { "s" }
            )?;
            w.flush()?;
            if !report.failures.is_empty() {
                return Ok(ExitCode::from(1));
            }
        }
        RulesCommand::Check { paths } => {
            let pack = match load_pack(&PackArgs { rules: paths }) {
                Ok(p) => p,
                Err(code) => return Ok(code),
            };
            writeln!(
                w,
                "ok: {} rules, {} chains from {} files",
                pack.rules().len(),
                pack.chains().len(),
                pack.files().len()
            )?;
            for id in pack.slow_rules() {
                writeln!(w, "warning: rule {id}: no literal for the prefilter; it makes every scan run the regex over every byte (declare `literals`)")?;
            }
        }
    }
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}
