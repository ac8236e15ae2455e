//! The command line resolved (the "high" arguments): what a command will do, with defaults filled in from the
//! environment it is given (the time now, the terminal, `NO_COLOR`, the home directory, which default log
//! directories exist). Built from [`super::args`] by pure functions, so it is tested without running anything;
//! cross-flag checks (`--since` after `--until`) are usage errors here.

use super::args::{
    ColorArg, ExportArgs, FollowArgs, FollowFormat, LevelArg, ScanArgs, ScanFormat, SeverityArg, ShowArgs, ShowFormat,
    TemplatesArgs, TemplatesFormat, WalkArgs,
};
use super::parse::When;
use stackscan::model::{Component, Level, Severity};
use stackscan::report::Format;
use stackscan::source::WalkOptions;
use stackscan::time::{Millis, Zone};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Where StackState writes its logs on a Linux server.
pub const DEFAULT_DIR: &str = "/opt/stackstate/var/log";
/// Where the agent writes its logs on a Linux host.
pub const AGENT_DIR: &str = "/var/log/stackstate-agent";

/// What the environment says, read once by the caller.
#[derive(Debug, Clone, Default)]
pub struct Env {
    /// Milliseconds since the epoch.
    pub now: Millis,
    /// Whether stdout is a terminal.
    pub stdout_tty: bool,
    /// Whether stderr is a terminal (the progress line goes there).
    pub stderr_tty: bool,
    /// Columns of the terminal stdout is, when it is one and says.
    pub stdout_columns: Option<usize>,
    /// `NO_COLOR` is set (and not empty).
    pub no_color: bool,
    /// Running as root.
    pub root: bool,
    /// `$XDG_STATE_HOME` (absolute only).
    pub xdg_state_home: Option<PathBuf>,
    /// `$HOME`.
    pub home: Option<PathBuf>,
    /// Whether the agent's log directory exists here.
    pub agent_dir_exists: bool,
    /// Cores available.
    pub cores: usize,
    /// This machine's name (the host of reports, the `instance` label of alerts).
    pub hostname: Option<String>,
}

/// A usage error found once the flags are seen together (exit 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage(pub String);

/// `stackscan scan`, resolved.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    /// Paths to read; the defaults when none were named.
    pub paths: Vec<PathBuf>,
    /// Whether the paths are the defaults (a missing one gets a hint).
    pub default_paths: bool,
    /// `--rules` (empty: the embedded pack).
    pub rules: Vec<PathBuf>,
    /// Output format.
    pub format: Format,
    /// Colour in text.
    pub color: bool,
    /// Columns to cut text evidence lines to (`None`: whole lines).
    pub width: Option<usize>,
    /// How long a scan runs before a progress line appears on stderr; `None`: never (stderr is not a terminal,
    /// or `--quiet`).
    pub progress: Option<Duration>,
    /// `--quiet`: no notes on stderr.
    pub quiet: bool,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// A warning to print (more threads than cores).
    pub warning: Option<String>,
    /// `--fail-on`.
    pub fail_on: Option<Severity>,
    /// The time window.
    pub since: Option<Millis>,
    /// The time window.
    pub until: Option<Millis>,
    /// Zone of zone-less timestamps.
    pub zone: Zone,
    /// Component of inputs whose path says nothing.
    pub component: Option<Component>,
    /// How directories are walked.
    pub walk: WalkOptions,
    /// Unexplained templates listed (0: none mined).
    pub unexplained: usize,
    /// Distinct keys kept per rule.
    pub max_keys: usize,
    /// The machine's name in the report.
    pub host: Option<String>,
}

/// `stackscan follow`, resolved.
#[derive(Debug, Clone)]
pub struct FollowConfig {
    /// Paths to follow (empty for stdin).
    pub paths: Vec<PathBuf>,
    /// Whether the paths are the defaults.
    pub default_paths: bool,
    /// Follow standard input.
    pub stdin: bool,
    /// `--rules`.
    pub rules: Vec<PathBuf>,
    /// Output format.
    pub format: Format,
    /// Colour in text.
    pub color: bool,
    /// `--from-start`.
    pub from_start: bool,
    /// `--poll`.
    pub poll: Option<Duration>,
    /// The checkpoint given with `--state` (none for stdin, `--no-state`).
    pub state: Option<PathBuf>,
    /// Where the default checkpoint goes when none was given (see [`default_state_file`]).
    pub state_dir: Option<PathBuf>,
    /// Why there is no checkpoint although one was wanted.
    pub warning: Option<String>,
    /// `--checkpoint-interval`.
    pub checkpoint_interval: Duration,
    /// `--record-wait`.
    pub record_wait: Duration,
    /// `--update-interval`.
    pub update_interval: Duration,
    /// `--resolve-after`.
    pub resolve_after: Duration,
    /// Zone of zone-less timestamps.
    pub zone: Zone,
    /// Component of inputs whose path says nothing.
    pub component: Option<Component>,
    /// How directories are walked.
    pub walk: WalkOptions,
    /// New unexplained templates announced per minute, at most (0: none mined).
    pub unexplained: usize,
    /// Distinct keys kept per rule.
    pub max_keys: usize,
    /// The machine's name in the file table.
    pub host: Option<String>,
    /// Metrics, alerts, webhooks.
    pub export: ExportConfig,
}

/// Where tail mode's results go besides stdout, resolved.
#[derive(Clone, Default)]
pub struct ExportConfig {
    /// `--metrics`.
    pub metrics: Option<SocketAddr>,
    /// `--alertmanager` URLs.
    pub alertmanagers: Vec<String>,
    /// Alertmanager's `resolve_timeout`.
    pub resolve_timeout: Duration,
    /// The `instance` label.
    pub instance: String,
    /// `--webhook` URLs.
    pub webhooks: Vec<String>,
    /// `--webhook-header` (name, value).
    pub headers: Vec<(String, String)>,
    /// `--delivery-queue`.
    pub queue: usize,
    /// `/-/healthy` turns 503 after the reader loop has not run for this long.
    pub stale_after: Duration,
}

impl std::fmt::Debug for ExportConfig {
    /// Header values are secrets: only their names are shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("ExportConfig")
            .field("metrics", &self.metrics)
            .field("alertmanagers", &self.alertmanagers.len())
            .field("webhooks", &self.webhooks.len())
            .field("headers", &names)
            .field("instance", &self.instance)
            .finish_non_exhaustive()
    }
}

/// `stackscan show`, resolved.
#[derive(Debug, Clone)]
pub struct ShowConfig {
    /// The incident id.
    pub id: String,
    /// The checkpoint named with `--state`.
    pub state: Option<PathBuf>,
    /// Else the directory of follow's default checkpoints, all of which are searched.
    pub state_dir: Option<PathBuf>,
    /// `--rules`.
    pub rules: Vec<PathBuf>,
    /// Output format.
    pub format: Format,
    /// Colour in text.
    pub color: bool,
}

/// `--webhook-header 'Name: value'`. Errors name the header by its name or position, never its value.
fn header(n: usize, s: &str) -> Result<(String, String), Usage> {
    let Some((name, value)) = s.split_once(':') else {
        return Err(Usage(format!("--webhook-header #{n}: expected 'Name: value' (the value is not shown)")));
    };
    let name = name.trim();
    // RFC 9110 token characters.
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || !name.chars().all(token) {
        return Err(Usage(format!(
            "--webhook-header #{n}: the name {:?} is not a header name (letters, digits, '-')",
            stackscan::frame::escape::escape(name)
        )));
    }
    let value = value.trim();
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(Usage(format!("--webhook-header {name}: the value holds control characters (it is not shown)")));
    }
    Ok((name.to_string(), value.to_string()))
}

impl ExportConfig {
    fn new(a: &ExportArgs, env: &Env, poll: Option<Duration>, host: Option<&String>) -> Result<ExportConfig, Usage> {
        if !a.webhook_headers.is_empty() && a.webhooks.is_empty() {
            return Err(Usage("--webhook-header is given but no --webhook to send it with".into()));
        }
        let headers = a.webhook_headers.iter().enumerate().map(|(i, h)| header(i + 1, h)).collect::<Result<_, _>>()?;
        Ok(ExportConfig {
            metrics: a.metrics,
            alertmanagers: a.alertmanagers.clone(),
            resolve_timeout: a.alert_resolve_timeout,
            instance: a
                .instance
                .clone()
                .or_else(|| host.cloned())
                .or_else(|| env.hostname.clone())
                .unwrap_or_else(|| "localhost".into()),
            webhooks: a.webhooks.clone(),
            headers,
            queue: a.delivery_queue as usize,
            // The loop wakes at least every second, or every polling interval; a long catch-up beats per block.
            stale_after: Duration::from_secs(30) + 2 * poll.unwrap_or(Duration::from_secs(1)),
        })
    }
}

impl ShowConfig {
    /// Resolves `show`'s arguments.
    pub fn new(a: &ShowArgs, env: &Env) -> Result<ShowConfig, Usage> {
        let state_dir = default_state_dir(env).filter(|_| a.state.is_none());
        if a.state.is_none() && state_dir.is_none() {
            return Err(Usage("no HOME or XDG_STATE_HOME: name the checkpoint with --state FILE".into()));
        }
        Ok(ShowConfig {
            id: a.id.clone(),
            state: a.state.clone(),
            state_dir,
            rules: a.pack.rules.clone(),
            format: match a.format {
                ShowFormat::Text => Format::Text,
                ShowFormat::Json => Format::Json,
            },
            color: color(a.color.color, env),
        })
    }
}

/// `stackscan templates`, resolved.
#[derive(Debug, Clone)]
pub struct TemplatesConfig {
    /// Paths to read ("-": stdin).
    pub paths: Vec<PathBuf>,
    /// JSON instead of text.
    pub json: bool,
    /// Mine whole lines.
    pub whole_line: bool,
    /// Only lines at this level and above.
    pub level: Option<Level>,
    /// Print each line's template.
    pub assign: bool,
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Templates kept at most.
    pub max_templates: usize,
    /// How directories are walked.
    pub walk: WalkOptions,
}

impl TemplatesConfig {
    /// Resolves `templates`' arguments.
    pub fn new(a: &TemplatesArgs, env: &Env) -> Result<TemplatesConfig, Usage> {
        if a.assign && a.paths.len() != 1 {
            return Err(Usage("--assign numbers the lines of one input: name one file (or -)".into()));
        }
        if a.assign && a.format == TemplatesFormat::Json {
            return Err(Usage("--assign prints LINE<TAB>TEMPLATE_ID lines: it takes no --format json".into()));
        }
        Ok(TemplatesConfig {
            paths: a.paths.clone(),
            json: a.format == TemplatesFormat::Json,
            whole_line: a.whole_line,
            level: a.level.map(|l| match l {
                LevelArg::Warn => Level::Warn,
                LevelArg::Error => Level::Error,
            }),
            assign: a.assign,
            threads: a.threads.filter(|&n| n > 0).unwrap_or(env.cores.max(1)),
            max_templates: a.max_templates as usize,
            walk: walk(&a.walk),
        })
    }
}

impl From<ScanFormat> for Format {
    fn from(f: ScanFormat) -> Format {
        match f {
            ScanFormat::Text => Format::Text,
            ScanFormat::Json => Format::Json,
            ScanFormat::Ndjson => Format::Ndjson,
            ScanFormat::Markdown => Format::Markdown,
            ScanFormat::Html => Format::Html,
        }
    }
}

fn severity(s: SeverityArg) -> Severity {
    match s {
        SeverityArg::Info => Severity::Info,
        SeverityArg::Warning => Severity::Warning,
        SeverityArg::Error => Severity::Error,
        SeverityArg::Critical => Severity::Critical,
    }
}

fn color(c: ColorArg, env: &Env) -> bool {
    match c {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => env.stdout_tty && !env.no_color,
    }
}

fn walk(w: &WalkArgs) -> WalkOptions {
    WalkOptions {
        follow_links: w.follow_links,
        one_file_system: w.one_file_system,
        pods: stackscan::source::PodFilter { namespaces: w.namespace.clone(), pods: w.pod.clone() },
    }
}

/// Columns of text evidence lines: whole with `--wide`, `--width` when given, else the terminal's when stdout is
/// one (80 when it does not say), else whole (a pipe or a file gets every character).
fn width(a: &ScanArgs, env: &Env) -> Option<usize> {
    match (a.wide, a.width) {
        (true, _) => None,
        (false, Some(w)) => Some(w),
        (false, None) => env.stdout_tty.then(|| env.stdout_columns.unwrap_or(80)),
    }
}

/// What scan and follow read when no path is given: the server's log directory, and the agent's where it exists.
fn default_paths(env: &Env) -> Vec<PathBuf> {
    let mut v = vec![PathBuf::from(DEFAULT_DIR)];
    if env.agent_dir_exists {
        v.push(PathBuf::from(AGENT_DIR));
    }
    v
}

impl ScanConfig {
    /// Resolves `scan`'s arguments.
    pub fn new(a: &ScanArgs, env: &Env) -> Result<ScanConfig, Usage> {
        // Yearless timestamps (syslog, `[MM-dd …]`) are placed in the year before now.
        let zone = a.lines.timezone.with_reference(env.now);
        let since = a.since.map(|w: When| w.resolve(zone, env.now));
        let until = a.until.map(|w: When| w.resolve(zone, env.now));
        if let (Some(s), Some(u)) = (since, until) {
            if s > u {
                return Err(Usage("--since is later than --until: no record could be in the window".into()));
            }
        }
        let threads = a.threads.unwrap_or(0);
        let warning = (threads > env.cores.max(1))
            .then(|| format!("--threads {threads}: more threads than the {} cores here only add overhead", env.cores));
        Ok(ScanConfig {
            default_paths: a.paths.is_empty(),
            paths: if a.paths.is_empty() { default_paths(env) } else { a.paths.clone() },
            rules: a.pack.rules.clone(),
            format: a.format.into(),
            color: color(a.color.color, env),
            width: width(a, env),
            progress: (env.stderr_tty && !a.quiet).then_some(a.progress_delay),
            quiet: a.quiet,
            threads,
            warning,
            fail_on: a.fail_on.map(severity),
            since,
            until,
            zone,
            component: a.lines.component,
            walk: walk(&a.walk),
            unexplained: a.unexplained,
            max_keys: a.limits.max_keys,
            host: a.host.host.clone().or_else(|| env.hostname.clone()),
        })
    }
}

/// The directory of default checkpoints: $XDG_STATE_HOME/stackscan when that is set, else /var/lib/stackscan as
/// root, else ~/.local/state/stackscan.
fn default_state_dir(env: &Env) -> Option<PathBuf> {
    if let Some(x) = env.xdg_state_home.as_ref().filter(|p| p.is_absolute()) {
        return Some(x.join("stackscan"));
    }
    if env.root {
        return Some(PathBuf::from("/var/lib/stackscan"));
    }
    env.home.as_ref().map(|h| h.join(".local/state/stackscan"))
}

/// The default checkpoint of a set of followed paths (given canonical): one per input set, so that two runs on
/// different logs never share one: `follow-<hash of the sorted paths>.json` in the state directory.
pub fn default_state_file(dir: &std::path::Path, canonical: &[PathBuf]) -> PathBuf {
    let mut paths: Vec<String> = canonical.iter().map(|p| p.display().to_string()).collect();
    paths.sort();
    paths.dedup();
    let parts: Vec<&str> = paths.iter().map(String::as_str).collect();
    dir.join(format!("follow-{:016x}.json", stackscan::hash::of_parts(&parts)))
}

impl FollowConfig {
    /// Resolves `follow`'s arguments.
    pub fn new(a: &FollowArgs, env: &Env) -> Result<FollowConfig, Usage> {
        let stdin = a.paths.iter().any(|p| p.as_os_str() == "-");
        if stdin && a.paths.len() > 1 {
            return Err(Usage("follow -: standard input is followed alone".into()));
        }
        let paths = if a.paths.is_empty() {
            default_paths(env)
        } else if stdin {
            Vec::new()
        } else {
            a.paths.clone()
        };
        let wants_state = !stdin && !a.no_state;
        let state = a.state.clone().filter(|_| wants_state);
        let state_dir = default_state_dir(env).filter(|_| wants_state && state.is_none());
        let warning = (state.is_none() && state_dir.is_none() && wants_state)
            .then(|| "no HOME or XDG_STATE_HOME: following without a checkpoint (use --state FILE)".to_string());
        Ok(FollowConfig {
            default_paths: a.paths.is_empty(),
            paths,
            stdin,
            rules: a.pack.rules.clone(),
            format: match a.format {
                FollowFormat::Text => Format::Text,
                FollowFormat::Ndjson => Format::Ndjson,
            },
            color: color(a.color.color, env),
            from_start: a.from_start,
            poll: a.poll,
            state,
            state_dir,
            warning,
            checkpoint_interval: a.checkpoint_interval,
            record_wait: a.record_wait,
            update_interval: a.update_interval,
            resolve_after: a.resolve_after,
            zone: a.lines.timezone.with_reference(env.now),
            component: a.lines.component,
            walk: walk(&a.walk),
            unexplained: a.unexplained,
            max_keys: a.limits.max_keys,
            host: a.host.host.clone().or_else(|| env.hostname.clone()),
            export: ExportConfig::new(&a.export, env, a.poll, a.host.host.as_ref())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::args::{Cli, Command};
    use super::*;
    use clap::Parser;
    use proptest::strategy::Strategy;

    fn env() -> Env {
        Env { now: 1_710_000_000_000, cores: 2, home: Some("/home/op".into()), ..Env::default() }
    }

    fn scan(args: &[&str]) -> Result<ScanConfig, String> {
        let cli = Cli::try_parse_from(["stackscan", "scan"].iter().chain(args)).map_err(|e| e.to_string())?;
        let Command::Scan(a) = cli.command else { unreachable!() };
        ScanConfig::new(&a, &env()).map_err(|u| u.0)
    }

    fn follow(args: &[&str], env: &Env) -> Result<FollowConfig, String> {
        let cli = Cli::try_parse_from(["stackscan", "follow"].iter().chain(args)).map_err(|e| e.to_string())?;
        let Command::Follow(a) = cli.command else { unreachable!() };
        FollowConfig::new(&a, env).map_err(|u| u.0)
    }

    #[test]
    fn scan_defaults_and_windows() {
        let c = scan(&[]).unwrap();
        assert!(c.default_paths && c.paths == [PathBuf::from(DEFAULT_DIR)]);
        assert_eq!((c.format, c.color, c.threads, c.since), (Format::Text, false, 0, None));
        assert_eq!(c.unexplained, 10);
        assert_eq!(scan(&["--unexplained", "0"]).unwrap().unexplained, 0);
        assert!(scan(&["--unexplained", "-1"]).is_err());
        let c = scan(&["--since", "2h", "--until", "1h", "-j", "4", "x.log"]).unwrap();
        assert_eq!(c.since, Some(env().now - 7_200_000));
        assert_eq!(c.until, Some(env().now - 3_600_000));
        assert!(c.warning.is_some(), "4 threads on 2 cores");
        assert!(scan(&["--since", "1h", "--until", "2h"]).unwrap_err().contains("later than --until"));
        assert!(scan(&["--since", "2024-02-31"]).unwrap_err().contains("is not a time"));
        assert!(scan(&["--timezone", "+1é1"]).unwrap_err().contains("is not a zone"));
        assert!(scan(&["--threads", "20000"]).unwrap_err().contains("at most 256"));
        assert_eq!((c.width, c.progress), (None, None), "a pipe: whole lines, no progress line");
        let c = scan(&["--timezone", "+02:00", "--since", "2024-03-12"]).unwrap();
        assert_eq!(c.since, Some(1_710_201_600_000 - 7_200_000));
    }

    fn templates(args: &[&str]) -> Result<TemplatesConfig, String> {
        let cli = Cli::try_parse_from(["stackscan", "templates"].iter().chain(args)).map_err(|e| e.to_string())?;
        let Command::Templates(a) = cli.command else { unreachable!() };
        TemplatesConfig::new(&a, &env()).map_err(|u| u.0)
    }

    #[test]
    fn templates_options() {
        let c = templates(&["x.log"]).unwrap();
        assert_eq!(
            (c.json, c.whole_line, c.level, c.assign, c.threads, c.max_templates),
            (false, false, None, false, 2, 4096)
        );
        let c = templates(&["--level", "warn", "--whole-line", "-j", "1", "--format", "json", "-"]).unwrap();
        assert_eq!((c.json, c.whole_line, c.level, c.threads), (true, true, Some(Level::Warn), 1));
        assert!(templates(&["--assign", "a.log", "b.log"]).unwrap_err().contains("one input"));
        assert!(templates(&["--assign", "--format", "json", "a.log"]).is_err());
        assert!(templates(&[]).is_err(), "a path is required");
        assert!(templates(&["--max-templates", "0", "a.log"]).is_err());
        assert!(templates(&["--level", "info", "a.log"]).is_err());
    }

    #[test]
    fn widths_and_progress_follow_the_terminal() {
        let tty = Env { stdout_tty: true, stderr_tty: true, stdout_columns: Some(132), ..env() };
        let with = |args: &[&str], env: &Env| {
            let cli = Cli::try_parse_from(["stackscan", "scan"].iter().chain(args)).unwrap();
            let Command::Scan(a) = cli.command else { unreachable!() };
            ScanConfig::new(&a, env).unwrap()
        };
        let c = with(&[], &tty);
        assert_eq!((c.width, c.progress), (Some(132), Some(Duration::from_secs(1))));
        assert_eq!(with(&["--wide"], &tty).width, None);
        assert_eq!(with(&["--width", "80"], &env()).width, Some(80), "forced, into a pipe too");
        assert_eq!(with(&[], &Env { stdout_columns: None, ..tty.clone() }).width, Some(80));
        assert_eq!(with(&["--quiet"], &tty).progress, None);
        assert_eq!(with(&[], &Env { stderr_tty: false, ..tty.clone() }).progress, None);
        assert_eq!(with(&["--progress-delay", "0s"], &tty).progress, Some(Duration::ZERO));
        assert!(Cli::try_parse_from(["stackscan", "scan", "--wide", "--width", "90"]).is_err());
        assert_eq!(with(&["--format", "html"], &tty).format, Format::Html);
        assert_eq!(with(&["--format", "markdown"], &tty).format, Format::Markdown);
    }

    #[test]
    fn follow_formats_state_and_stdin() {
        assert!(follow(&["--format", "json"], &env()).is_err(), "follow writes no JSON document");
        let c = follow(&["--format", "ndjson", "d"], &env()).unwrap();
        assert_eq!(c.format, Format::Ndjson);
        assert_eq!((c.state, c.state_dir), (None, Some(PathBuf::from("/home/op/.local/state/stackscan"))));
        let root = Env { root: true, ..env() };
        assert_eq!(follow(&["d"], &root).unwrap().state_dir, Some(PathBuf::from("/var/lib/stackscan")));
        assert_eq!(follow(&["--state", "s.json", "d"], &root).unwrap().state, Some(PathBuf::from("s.json")));
        let c = follow(&["-"], &Env { home: None, ..env() }).unwrap();
        assert!(c.stdin && c.state.is_none() && c.state_dir.is_none() && c.warning.is_none());
        let (a, b) = (PathBuf::from("/var/log/a"), PathBuf::from("/var/log/b"));
        let one = default_state_file(std::path::Path::new("/s"), &[a.clone(), b.clone()]);
        assert_eq!(one, default_state_file(std::path::Path::new("/s"), &[b, a.clone()]), "order-free");
        assert_ne!(one, default_state_file(std::path::Path::new("/s"), &[a]), "another set, another file");
        assert!(follow(&["-", "d"], &env()).unwrap_err().contains("alone"));
        assert!(follow(&["d"], &Env { home: None, ..env() }).unwrap().warning.is_some());
        assert!(follow(&["--poll", "0s", "d"], &env()).is_err());
        assert_eq!(follow(&["d"], &env()).unwrap().record_wait, Duration::from_secs(1));
        assert_eq!(follow(&["--record-wait", "0s", "d"], &env()).unwrap().record_wait, Duration::ZERO);
        assert!(follow(&["--record-wait", "soon", "d"], &env()).is_err());
    }

    #[test]
    fn follow_outputs() {
        let host = Env { hostname: Some("sts-prod-01".into()), ..env() };
        let c = follow(&["d"], &host).unwrap().export;
        assert_eq!((c.metrics, c.instance.as_str(), c.queue), (None, "sts-prod-01", 1024));
        assert_eq!(c.resolve_timeout, Duration::from_secs(300));
        let c = follow(
            &[
                "--metrics",
                "[::]:9464",
                "--alertmanager",
                "http://am-0:9093",
                "--alertmanager",
                "http://am-1:9093",
                "--instance",
                "node-7",
                "--webhook",
                "https://hooks.example.com/x",
                "--webhook-header",
                "Authorization: Bearer s3cr3t",
                "d",
            ],
            &host,
        )
        .unwrap()
        .export;
        assert_eq!(c.metrics.unwrap().to_string(), "[::]:9464");
        assert_eq!((c.alertmanagers.len(), c.instance.as_str()), (2, "node-7"));
        assert_eq!(c.headers, [("Authorization".to_string(), "Bearer s3cr3t".to_string())]);
        assert!(!format!("{c:?}").contains("s3cr3t"), "{c:?}");
        let e = follow(&["--webhook", "http://h/", "--webhook-header", "Authorization Bearer s3cr3t", "d"], &env());
        assert!(!e.unwrap_err().contains("s3cr3t"), "a bad header's value is not shown");
        let e = follow(&["--webhook", "http://h/", "--webhook-header", "X: a\x01", "d"], &env());
        assert!(e.unwrap_err().contains("control characters"));
        assert!(follow(&["--webhook-header", "X: y", "d"], &env()).unwrap_err().contains("no --webhook"));
        assert!(follow(&["--metrics", "localhost:9464", "d"], &env()).is_err());
        assert!(follow(&["--alertmanager", "am:9093", "d"], &env()).is_err());
    }

    #[test]
    fn show_reads_follows_checkpoint() {
        let cli = Cli::try_parse_from(["stackscan", "show", "chain.kafka-1", "--format", "json"]).unwrap();
        let Command::Show(a) = cli.command else { unreachable!() };
        let c = ShowConfig::new(&a, &env()).unwrap();
        assert_eq!((c.state, c.state_dir), (None, Some(PathBuf::from("/home/op/.local/state/stackscan"))));
        assert_eq!((c.id.as_str(), c.format), ("chain.kafka-1", Format::Json));
        assert!(ShowConfig::new(&a, &Env { home: None, ..env() }).unwrap_err().0.contains("--state"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]

        /// Whatever is typed, parsing and resolving give a value or a usage error, never a panic.
        #[test]
        fn arguments_never_panic(
            words in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(vec![
                        "scan", "follow", "--since", "--until", "--timezone", "--threads", "--max-keys", "--poll",
                        "--format", "--component", "--state", "-", "--no-state", "--fail-on", "-j", "--width",
                        "--wide", "--quiet", "--progress-delay", "templates", "--unexplained", "--assign", "--level",
                    ]).prop_map(String::from),
                    ".{0,12}",
                ],
                0..8,
            )
        ) {
            let args = std::iter::once("stackscan".to_string()).chain(words);
            if let Ok(cli) = Cli::try_parse_from(args) {
                match cli.command {
                    Command::Scan(a) => {
                        let _ = ScanConfig::new(&a, &env());
                    }
                    Command::Follow(a) => {
                        let _ = FollowConfig::new(&a, &env());
                    }
                    Command::Templates(a) => {
                        let _ = TemplatesConfig::new(&a, &env());
                    }
                    Command::Rules(_)
                    | Command::Merge(_)
                    | Command::Show(_)
                    | Command::Completions { .. }
                    | Command::Man => {}
                }
            }
        }
    }
}
