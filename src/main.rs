//! The `stackscan` binary: parse arguments, run the command, map the outcome to an exit code.
//!
//! Exit codes are a contract: 0 the run was done (findings are output, not failure); 1 `--fail-on` matched; 2 the
//! run could not be done, a panic (a bug) included. A closed pipe (`stackscan scan | head`) ends the run quietly
//! with 0.

mod cli;
mod commands;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(report_panic));
    let cli = match cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    // A panic is a bug, never an outcome of the input: the hook has said where; the run could not be done.
    let Ok(outcome) = std::panic::catch_unwind(|| commands::run(cli)) else { return ExitCode::from(2) };
    match outcome {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stackscan: {}", stackscan::frame::escape::escape_message(&message(&e)));
            ExitCode::from(2)
        }
    }
}

/// An error and its causes on one line, each cause once: a library error that already says its cause (`X: cannot
/// read checkpoint: Is a directory`) is not followed by that cause again.
fn message(e: &anyhow::Error) -> String {
    let mut out = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !out.contains(&c) {
            out.push_str(": ");
            out.push_str(&c);
        }
    }
    out
}

/// Whether writing to a closed pipe ended the run (`stackscan ... | head`): then it exits 0, quietly, as other
/// Unix tools do. The error may be an I/O error or a JSON writer's.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == BrokenPipe)
            || c.downcast_ref::<serde_json::Error>().and_then(|j| j.io_error_kind()) == Some(BrokenPipe)
            || matches!(c.downcast_ref::<stackscan::follow::FollowError>(),
                        Some(stackscan::follow::FollowError::Io(io)) if io.kind() == BrokenPipe)
    })
}

/// Says that a panic is a bug, where it happened and why, on one line of stderr. Its message may quote a log line
/// (a slice of one, say): control characters are shown escaped and secrets redacted, as in every other output.
/// `RUST_BACKTRACE=1` adds the backtrace.
fn report_panic(info: &std::panic::PanicHookInfo<'_>) {
    let what = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into());
    let at = info.location().map_or(String::new(), |l| format!(" at {}:{}", l.file(), l.line()));
    let thread = std::thread::current().name().map_or(String::new(), |n| format!(" in thread {n}"));
    eprintln!(
        "stackscan: internal error{thread}{at}: {} (this is a bug in stackscan; please report it with the command \
         that ran)",
        stackscan::frame::escape::escape(&what)
    );
    let trace = std::backtrace::Backtrace::capture();
    if trace.status() == std::backtrace::BacktraceStatus::Captured {
        eprintln!("{trace}");
    }
}
