//! The `stackscan` binary: parse arguments, run the command, map the outcome to an exit code.
//!
//! Exit codes are a contract: 0 the run was done (findings are output, not failure); 1 `--fail-on` matched; 2 the
//! run could not be done. A closed pipe (`stackscan scan | head`) ends the run quietly with 0.

mod cli;
mod commands;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stackscan: {}", stackscan::frame::escape::escape_message(&format!("{e:#}")));
            ExitCode::from(2)
        }
    }
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
