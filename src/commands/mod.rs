//! Running the commands: everything that touches the terminal, the clock, the environment or the exit code is
//! here, not in the library. Each command resolves its arguments ([`crate::cli::config`]), runs the library, and
//! prints through a report printer.

mod completions;
mod follow;
mod man;
mod merge;
mod progress;
mod rules;
mod scan;
mod show;
mod templates;

use crate::cli::args::{Cli, Command};
use crate::cli::config::{Env, Usage, AGENT_DIR};
use stackscan::frame::escape::{escape, escape_message};
use stackscan::rules::Pack;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let env = env();
    match cli.command {
        Command::Scan(a) => scan::run(&a, &env),
        Command::Follow(a) => follow::run(&a, &env),
        Command::Merge(a) => merge::run(&a, &env),
        Command::Show(a) => show::run(&a, &env),
        Command::Rules(r) => rules::run(r),
        Command::Templates(a) => templates::run(&a, &env),
        Command::Completions { shell } => completions::run(shell),
        Command::Man => man::run(),
    }
}

/// Reads the environment once.
fn env() -> Env {
    let root = std::fs::read_to_string("/proc/self/status").ok().is_some_and(|s| {
        s.lines().find_map(|l| l.strip_prefix("Uid:")).and_then(|l| l.split_whitespace().nth(1)) == Some("0")
    });
    Env {
        now: wall_clock(),
        stdout_tty: std::io::stdout().is_terminal(),
        stderr_tty: std::io::stderr().is_terminal(),
        stdout_columns: terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| w.0 as usize),
        no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        root,
        xdg_state_home: std::env::var_os("XDG_STATE_HOME").map(PathBuf::from),
        home: std::env::var_os("HOME").map(PathBuf::from),
        agent_dir_exists: std::path::Path::new(AGENT_DIR).is_dir(),
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        hostname: hostname(),
    }
}

/// The wall clock, milliseconds since the epoch: the one place the binary reads it (the library is given this
/// function).
fn wall_clock() -> stackscan::time::Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as stackscan::time::Millis)
}

/// This host's name, as the kernel has it (`$HOSTNAME` elsewhere).
fn hostname() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
}

/// A usage error found after parsing, printed the way clap prints its own (exit 2).
fn usage(u: Usage) -> ExitCode {
    use clap::CommandFactory;
    let _ = Cli::command().error(clap::error::ErrorKind::ArgumentConflict, u.0).print();
    ExitCode::from(2)
}

/// Loads the embedded pack, or the `--rules` paths instead. Prints every problem and gives exit code 2 on error.
fn load_pack(rules: &[PathBuf]) -> Result<Pack, ExitCode> {
    loaded_or_exit(if rules.is_empty() { Pack::embedded() } else { Pack::from_paths(rules) })
}

/// [`load_pack`] for the `rules` subcommands: the embedded pack gets every check a pack from files gets (its
/// examples run), so what they show and check is the pack as validated.
fn load_pack_checked(rules: &[PathBuf]) -> Result<Pack, ExitCode> {
    loaded_or_exit(if rules.is_empty() { Pack::embedded_checked() } else { Pack::from_paths(rules) })
}

/// The pack, or every problem printed and exit code 2.
fn loaded_or_exit(loaded: Result<Pack, stackscan::rules::PackError>) -> Result<Pack, ExitCode> {
    loaded.map_err(|e| {
        eprint!("stackscan: {}", escape_message(&e.to_string()));
        ExitCode::from(2)
    })
}

/// Prints a warning on stderr, escaped.
fn warn(message: &str) {
    eprintln!("stackscan: {}", escape(message));
}
