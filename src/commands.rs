//! Running the commands: resolve the typed arguments into library configuration, run, print, decide the exit
//! code. Everything that touches the terminal, the clock or the environment is here, not in the library.

use crate::cli::{
    Cli, ColorArg, Command, FollowArgs, FormatArg, LineArgs, PackArgs, RulesCommand, ScanArgs, SeverityArg,
};
use anyhow::Context;
use stackscan::model::{Component, Severity};
use stackscan::report::{Format, Report};
use stackscan::rules::Pack;
use stackscan::scan::test_pack;
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
        Command::Follow(a) => follow(a),
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

/// `--timezone`, for scan and follow.
fn parse_zone(s: &str) -> anyhow::Result<Zone> {
    Zone::parse(s).with_context(|| format!("--timezone {s:?}: expected UTC or an offset such as +02:00"))
}

/// What scan and follow read when no path is given: the server's log directory, and the agent's where it exists.
fn default_paths() -> Vec<PathBuf> {
    let mut v = vec![PathBuf::from(DEFAULT_DIR)];
    if std::path::Path::new(AGENT_DIR).is_dir() {
        v.push(PathBuf::from(AGENT_DIR));
    }
    v
}

/// The zone and the default component named on the command line.
fn line_args(a: &LineArgs) -> anyhow::Result<(Zone, Option<Component>)> {
    let zone = parse_zone(&a.timezone)?;
    let component = a
        .component
        .as_deref()
        .map(|c| {
            Component::parse(c).with_context(|| format!("--component {c:?}: expected one of {}", Component::names()))
        })
        .transpose()?;
    Ok((zone, component))
}

fn scan(a: ScanArgs) -> anyhow::Result<ExitCode> {
    let (zone, component) = line_args(&a.lines)?;
    let now = now_millis();
    let since = a.since.as_deref().map(|s| parse_when("--since", s, zone, now)).transpose()?;
    let until = a.until.as_deref().map(|s| parse_when("--until", s, zone, now)).transpose()?;
    let pack = match load_pack(&a.pack) {
        Ok(p) => Arc::new(p),
        Err(code) => return Ok(code),
    };
    let paths = if a.paths.is_empty() { default_paths() } else { a.paths.clone() };
    let (mut inputs, mut skipped, missing) = source::discover(&paths, source::WalkOptions::default());
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
    let mut state = scanner.scan(&inputs);
    state.skipped.append(&mut skipped);
    state.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    for s in &state.skipped {
        eprintln!("stackscan: {}: {}", s.path, s.reason);
    }
    let report = Report::of(&pack, &state);
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    report.write(&mut w, format(a.format), stackscan::report::Style::new(&pack, use_color(a.color)))?;
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

/// An interval such as `100ms`, `5s`, `5m`.
fn parse_interval(flag: &str, s: &str) -> anyhow::Result<std::time::Duration> {
    let ms = match s.trim().strip_suffix("ms") {
        Some(n) => n.trim().parse::<u64>().ok(),
        None => parse_duration(s).and_then(|d| u64::try_from(d).ok()),
    };
    ms.map(std::time::Duration::from_millis)
        .ok_or_else(|| anyhow::anyhow!("{flag} {s:?}: expected an interval such as 100ms, 5s, 5m or 1h"))
}

/// The default checkpoint file: /var/lib/stackscan as root, else $XDG_STATE_HOME/stackscan, else
/// ~/.local/state/stackscan.
fn default_state_path() -> Option<PathBuf> {
    const NAME: &str = "stackscan/follow-state.json";
    let is_root = std::fs::read_to_string("/proc/self/status").ok().is_some_and(|s| {
        s.lines().find_map(|l| l.strip_prefix("Uid:")).and_then(|l| l.split_whitespace().nth(1)) == Some("0")
    });
    if is_root {
        return Some(PathBuf::from("/var/lib").join(NAME));
    }
    if let Some(x) = std::env::var_os("XDG_STATE_HOME").map(PathBuf::from).filter(|p| p.is_absolute()) {
        return Some(x.join(NAME));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state").join(NAME))
}

fn follow(a: FollowArgs) -> anyhow::Result<ExitCode> {
    use stackscan::follow::{self, lifecycle::Settings, tailer::Start};
    let (zone, component) = line_args(&a.lines)?;
    let fmt = match a.format {
        FormatArg::Ndjson => Format::Ndjson,
        FormatArg::Text => Format::Text,
        FormatArg::Json => anyhow::bail!("--format json: follow writes a stream of events; use --format ndjson"),
    };
    let poll = a.poll.as_deref().map(|s| parse_interval("--poll", s)).transpose()?;
    if poll.is_some_and(|p| p.is_zero()) {
        anyhow::bail!("--poll must be above 0");
    }
    let checkpoint_interval = parse_interval("--checkpoint-interval", &a.checkpoint_interval)?;
    let update_interval = parse_interval("--update-interval", &a.update_interval)?;
    let resolve_after = parse_interval("--resolve-after", &a.resolve_after)?;
    let stdin = a.paths.iter().any(|p| p.as_os_str() == "-");
    if stdin && a.paths.len() > 1 {
        anyhow::bail!("follow -: standard input is followed alone");
    }
    let pack = match load_pack(&a.pack) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let paths = if a.paths.is_empty() {
        default_paths()
    } else if stdin {
        Vec::new()
    } else {
        a.paths.clone()
    };
    let missing: Vec<&PathBuf> = paths.iter().filter(|p| !p.exists()).collect();
    if !missing.is_empty() {
        for p in &missing {
            eprintln!("stackscan: {}: no such file or directory", p.display());
        }
        if a.paths.is_empty() {
            eprintln!("stackscan: no StackState log directory here; name the logs to follow: stackscan follow DIR|FILE ... (or - for stdin)");
        }
        return Ok(ExitCode::from(2));
    }
    let state = if stdin || a.no_state { None } else { a.state.clone().or_else(default_state_path) };
    if state.is_none() && !stdin && !a.no_state {
        eprintln!("stackscan: no HOME or XDG_STATE_HOME: following without a checkpoint (use --state FILE)");
    }
    let config = follow::Config {
        paths,
        stdin,
        start: if a.from_start { Start::Beginning } else { Start::End },
        poll,
        state,
        checkpoint_interval,
        lifecycle: Settings {
            update_interval_ms: update_interval.as_millis() as i64,
            resolve_after_ms: resolve_after.as_millis() as Millis,
        },
        zone,
        component,
    };
    let rules = a.pack.rules.clone();
    let reload: follow::Reload = Box::new(move || {
        if rules.is_empty() { Pack::embedded() } else { Pack::from_paths(&rules) }.map_err(|e| e.to_string())
    });
    let stdout = std::io::stdout();
    let style = stackscan::report::Style::new(&pack, use_color(a.color));
    let mut printer = stackscan::report::printer(fmt, Box::new(stdout.lock()), style);
    follow::run(config, pack, reload, &mut *printer)?;
    Ok(ExitCode::SUCCESS)
}
