//! The command line as typed (the "low" arguments): clap definitions and value parsers only, no I/O, no clock,
//! no environment. Shared groups are flattened into the commands that take them; every value with a syntax
//! (times, durations, intervals, zones, components, thread counts) is parsed here, so a bad value is a usage
//! error (exit 2) naming the flag, never a failure later. Resolution into a runnable configuration is
//! [`super::config`]'s.

use super::parse;
use clap::{Args, Parser, Subcommand, ValueEnum};
use stackscan::model::Component;
use stackscan::time::Zone;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Finds why StackState telemetry goes missing: scans the logs of every hop (agent, receiver, Kafka,
/// kafka-to-es, Elasticsearch) and reports correlated incidents with root cause, evidence and next steps.
#[derive(Debug, Parser)]
#[command(name = "stackscan", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan log files and directories once and report incidents.
    ///
    /// With no PATH: /opt/stackstate/var/log, plus /var/log/stackstate-agent where it exists. "-" reads stdin
    /// (e.g. `kubectl logs ... | stackscan scan -`).
    Scan(ScanArgs),
    /// Follow log files (or stdin) and report incidents as they open, grow and resolve.
    ///
    /// With no PATH: /opt/stackstate/var/log, plus /var/log/stackstate-agent where it exists. "-" reads stdin
    /// (e.g. `kubectl logs -f --prefix --timestamps ... | stackscan follow -`). Survives rotation (rename,
    /// copytruncate, compression) and restarts (a checkpoint in --state).
    Follow(FollowArgs),
    /// Merge JSON reports (of several machines, or of time slices) into one correlated report.
    ///
    /// Each REPORT is a file written by `stackscan scan --format json` (or "-" for stdin). The reports' scan
    /// states are combined exactly: the incidents are those one scan of all the logs would have found.
    Merge(MergeArgs),
    /// Print the full report of one incident from tail mode's checkpoint (the id= of a follow line).
    ///
    /// Reads the checkpoints `follow` keeps in its state directory (or the one named with --state), correlates
    /// them as follow does, and prints the incident in full: timeline, details, evidence, next steps.
    Show(ShowArgs),
    /// Inspect, test and validate a rule pack.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Mine log lines into templates (`Connection from <*> port <*>`) and list them with counts.
    ///
    /// Every line's message (after its timestamp, level and logger) is mined, or the whole line with
    /// --whole-line; "-" reads stdin. With --assign (one input), prints for each line its 1-based number and the
    /// id of its template, tab-separated, so that any labelled data set can score the miner.
    Templates(TemplatesArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) to standard output.
    ///
    /// bash: `stackscan completions bash > /usr/share/bash-completion/completions/stackscan`; zsh: into a
    /// directory of $fpath as `_stackscan`; fish: `~/.config/fish/completions/stackscan.fish`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) to standard output: `stackscan man | man -l -`.
    Man,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSON reports written by `stackscan scan --format json`; "-" for stdin.
    #[arg(value_name = "REPORT", required = true)]
    pub reports: Vec<PathBuf>,
    #[command(flatten)]
    pub pack: PackArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ScanFormat,
    /// Exit with 1 when an incident at or above this severity is found.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<SeverityArg>,
    #[command(flatten)]
    pub color: ColorArgs,
}

/// Formats of a scan report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    /// For people: a summary line, then a block per incident.
    Text,
    /// One JSON document (schema_version 1).
    Json,
    /// One JSON object per incident, then a summary object.
    Ndjson,
    /// GitHub-flavoured Markdown for a ticket or an issue, within GitHub's 65,536-character limit.
    Markdown,
    /// One self-contained HTML page with a timeline per incident (offline, printable, light and dark).
    Html,
}

/// Formats of tail mode's event stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FollowFormat {
    /// One readable line per event.
    Text,
    /// One JSON object per event, flushed per event.
    Ndjson,
}

/// Formats of `rules list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Aligned columns.
    Text,
    /// A JSON array.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SeverityArg {
    Info,
    Warning,
    Error,
    Critical,
}

/// The rule pack: embedded, or files named.
#[derive(Debug, Args)]
pub struct PackArgs {
    /// Rule file or directory to use instead of the embedded pack (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
}

/// How lines are read, shared by `scan` and `follow`.
#[derive(Debug, Args)]
pub struct LineArgs {
    /// Zone of timestamps that carry none (logback, Kafka, Zookeeper): UTC, an offset such as +02:00, or an IANA
    /// name such as Europe/Amsterdam (its daylight saving time followed).
    #[arg(long, value_name = "ZONE", default_value = "UTC", value_parser = parse::zone)]
    pub timezone: Zone,
    /// Component of stdin and of files whose path says nothing (agent, receiver, kafka, kafka-to-es,
    /// elasticsearch, ...); a line's pod prefix still wins.
    #[arg(long, value_name = "NAME", value_parser = parse::component)]
    pub component: Option<Component>,
}

/// How directories are walked, shared by `scan` and `follow`.
#[derive(Debug, Args)]
pub struct WalkArgs {
    /// Follow symbolic links to directories while walking (links to files are always followed).
    #[arg(long)]
    pub follow_links: bool,
    /// Do not walk into other file systems than the named directory's.
    #[arg(long)]
    pub one_file_system: bool,
    /// On a node's shared pod log trees (/var/log/pods, /var/log/containers), read only this namespace's pods
    /// (repeatable).
    #[arg(long, value_name = "NS")]
    pub namespace: Vec<String>,
    /// On the same trees, read only pods whose name matches (`*` and `?` as in a shell; repeatable).
    #[arg(long, value_name = "GLOB")]
    pub pod: Vec<String>,
}

/// Memory limits, shared by `scan` and `follow`.
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Distinct keys (indices, hosts, topics, ...) kept per rule; the records of keys past it are counted in one
    /// "other keys" episode per component, so memory stays bounded whatever the logs hold.
    #[arg(long, value_name = "N", default_value_t = stackscan::aggregate::episode::DEFAULT_MAX_KEYS,
          value_parser = parse::max_keys)]
    pub max_keys: usize,
}

/// The machine the logs are read on, shared by `scan` and `follow`.
#[derive(Debug, Args)]
pub struct HostArgs {
    /// The name of this machine in reports (every sample carries it; merged reports of several machines tell
    /// them apart by it) [default: the host name].
    #[arg(long, value_name = "NAME")]
    pub host: Option<String>,
}

/// Colour, shared by the commands that print for people.
#[derive(Debug, Args)]
pub struct ColorArgs {
    /// Colour in text output (auto: on a terminal, unless NO_COLOR is set).
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorArg,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan; "-" for stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub pack: PackArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ScanFormat,
    /// Worker threads (default: all cores; at most 256).
    #[arg(long, short = 'j', value_name = "N", value_parser = parse::threads)]
    pub threads: Option<usize>,
    /// Exit with 1 when an incident at or above this severity is found (for cron, CI, monitoring).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<SeverityArg>,
    #[command(flatten)]
    pub color: ColorArgs,
    /// Keep evidence lines whole in the text report (on a terminal they are cut to its width with `…`).
    #[arg(long, conflicts_with = "width")]
    pub wide: bool,
    /// Cut evidence lines of the text report to this many columns, terminal or not (default: the terminal's
    /// width on a terminal; whole lines into a pipe or file).
    #[arg(long, value_name = "COLUMNS", value_parser = parse::width)]
    pub width: Option<usize>,
    /// No progress line and no per-input notes on stderr (skipped inputs stay in the report); errors still print.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// How long a scan runs before the progress line appears on a terminal (tests set 0s).
    #[arg(long, value_name = "INTERVAL", default_value = "1s", value_parser = parse::interval, hide = true)]
    pub progress_delay: Duration,
    /// Only records at or after this time: RFC 3339, a date (YYYY-MM-DD), or a duration back from now (2h, 30m).
    #[arg(long, value_name = "WHEN", value_parser = parse::when)]
    pub since: Option<parse::When>,
    /// Only records at or before this time (same forms as --since).
    #[arg(long, value_name = "WHEN", value_parser = parse::when)]
    pub until: Option<parse::When>,
    /// List this many templates of the errors and warnings no rule explains (0: neither mine nor list them).
    #[arg(long, value_name = "N", default_value = "10")]
    pub unexplained: usize,
    #[command(flatten)]
    pub lines: LineArgs,
    #[command(flatten)]
    pub walk: WalkArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
    #[command(flatten)]
    pub host: HostArgs,
}

#[derive(Debug, Args)]
pub struct FollowArgs {
    /// Files or directories to follow; "-" for stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub pack: PackArgs,
    /// Output format: readable lines (text) or one JSON object per event (ndjson).
    #[arg(long, value_enum, default_value = "text")]
    pub format: FollowFormat,
    #[command(flatten)]
    pub color: ColorArgs,
    /// Read what the files already hold first (default: start at their end, like `tail -f`). Ignored when a
    /// checkpoint exists: the run resumes from it.
    #[arg(long)]
    pub from_start: bool,
    /// Poll for changes at this interval (e.g. 1s, 100ms) instead of watching with inotify.
    #[arg(long, value_name = "INTERVAL", value_parser = parse::positive_interval)]
    pub poll: Option<Duration>,
    /// Checkpoint file [default: follow-<hash of the paths>.json, one per set of paths followed, in
    /// $XDG_STATE_HOME/stackscan, else /var/lib/stackscan as root, else ~/.local/state/stackscan].
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Keep no checkpoint (a restart starts afresh).
    #[arg(long, conflicts_with = "state")]
    pub no_state: bool,
    /// How often the checkpoint is written.
    #[arg(long, value_name = "INTERVAL", default_value = "5s", value_parser = parse::interval)]
    pub checkpoint_interval: Duration,
    /// How long the last record read waits for lines below it (a stack trace written after its header) before it
    /// is judged alone; lines opening the next record end the wait at once (0s: no wait).
    #[arg(long, value_name = "INTERVAL", default_value = "1s", value_parser = parse::interval)]
    pub record_wait: Duration,
    /// Least time between two `updated` events of one incident.
    #[arg(long, value_name = "INTERVAL", default_value = "10s", value_parser = parse::interval)]
    pub update_interval: Duration,
    /// Log time without new events after which an incident is resolved.
    #[arg(long, value_name = "INTERVAL", default_value = "5m", value_parser = parse::interval)]
    pub resolve_after: Duration,
    /// Announce new templates of errors no rule explains, at most N per minute (0: do not mine them).
    #[arg(long, value_name = "N", default_value = "5")]
    pub unexplained: usize,
    #[command(flatten)]
    pub lines: LineArgs,
    #[command(flatten)]
    pub walk: WalkArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
    #[command(flatten)]
    pub host: HostArgs,
    #[command(flatten)]
    pub export: ExportArgs,
}

/// Where tail mode's results go besides stdout: Prometheus metrics, Alertmanager alerts, webhooks.
#[derive(Debug, Args)]
#[command(next_help_heading = "Metrics, alerts and webhooks")]
pub struct ExportArgs {
    /// Serve Prometheus metrics at http://ADDR/metrics, and /-/healthy (e.g. 127.0.0.1:9464, [::]:9464; port 0:
    /// any free port, named on stderr at start).
    #[arg(long, value_name = "ADDR", value_parser = parse::listen_addr)]
    pub metrics: Option<SocketAddr>,
    /// Post each open incident as an alert to this Alertmanager (its base URL, e.g. http://alertmanager:9093; v2
    /// API). Repeatable: give each of an HA pair.
    #[arg(long = "alertmanager", value_name = "URL", value_parser = parse::alertmanager_url)]
    pub alertmanagers: Vec<String>,
    /// Alertmanager's resolve_timeout: open alerts are posted again every third of it, so they stay active.
    #[arg(long, value_name = "INTERVAL", default_value = "5m", value_parser = parse::positive_interval)]
    pub alert_resolve_timeout: Duration,
    /// The `instance` label of alerts [default: --host, else this host's name].
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
    /// POST each event, as --format ndjson prints it, to this URL (repeatable).
    #[arg(long = "webhook", value_name = "URL", value_parser = parse::webhook_url)]
    pub webhooks: Vec<String>,
    /// A header sent with every webhook request, as 'Name: value' (repeatable), e.g. for a token: its value is
    /// never printed. One can come from $STACKSCAN_WEBHOOK_HEADER instead (out of sight of ps).
    #[arg(
        long = "webhook-header",
        value_name = "'NAME: VALUE'",
        env = "STACKSCAN_WEBHOOK_HEADER",
        hide_env_values = true
    )]
    pub webhook_headers: Vec<String>,
    /// Messages the delivery queue holds at most (alerts and webhook events); when full, the oldest is dropped
    /// (counted in the metrics, said on stderr).
    #[arg(long, value_name = "N", default_value = "1024", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub delivery_queue: u32,
}

/// Formats of `show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    /// The incident block of a scan's text report.
    Text,
    /// The incident object of the JSON report.
    Json,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The incident id (`id=` in a follow line, `id` in its JSON).
    #[arg(value_name = "ID")]
    pub id: String,
    /// The checkpoint to read [default: every checkpoint follow keeps in its state directory
    /// ($XDG_STATE_HOME/stackscan, /var/lib/stackscan as root, ~/.local/state/stackscan), newest first].
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ShowFormat,
    #[command(flatten)]
    pub pack: PackArgs,
    #[command(flatten)]
    pub color: ColorArgs,
}

/// Formats of `templates`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TemplatesFormat {
    /// One line per template: count, id, template.
    Text,
    /// One JSON document.
    Json,
}

/// Levels `templates --level` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LevelArg {
    /// WARN and above.
    Warn,
    /// ERROR and above.
    Error,
}

#[derive(Debug, Args)]
pub struct TemplatesArgs {
    /// Files or directories to read; "-" for stdin.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: TemplatesFormat,
    /// Mine the whole line (no header detection).
    #[arg(long)]
    pub whole_line: bool,
    /// Only the lines whose header says this level or above.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub level: Option<LevelArg>,
    /// Print each line's template id instead (LINE<TAB>TEMPLATE_ID; `-` for lines not mined); one input only.
    #[arg(long)]
    pub assign: bool,
    /// Worker threads (default: all cores; at most 256).
    #[arg(long, short = 'j', value_name = "N", value_parser = parse::threads)]
    pub threads: Option<usize>,
    /// Templates kept at most (the least recently seen are evicted past it).
    #[arg(long, value_name = "N", default_value = "4096", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_templates: u32,
    #[command(flatten)]
    pub walk: WalkArgs,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the rules of the pack.
    List {
        #[command(flatten)]
        pack: PackArgs,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// Run every rule's examples and counterexamples; exit 1 when one fails.
    Test {
        #[command(flatten)]
        pack: PackArgs,
    },
    /// Validate rule files without scanning (default: the embedded pack); names rules too slow for the prefilter.
    Check {
        /// Rule files or directories.
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
}
