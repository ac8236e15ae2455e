//! `stackscan completions SHELL`: a completion script for the shell, generated from the same clap definitions
//! the binary parses with, so it never lists a flag that does not exist.

use crate::cli::args::Cli;
use clap::CommandFactory;
use std::io::Write;
use std::process::ExitCode;

pub fn run(shell: clap_complete::Shell) -> anyhow::Result<ExitCode> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "stackscan", &mut out);
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    w.write_all(&out)?;
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}
