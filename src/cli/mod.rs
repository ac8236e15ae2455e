//! The command line, in two stages as ripgrep has it: [`args`] is what was typed (clap, with [`parse`]'s value
//! parsers), [`config`] is what it means once resolved against the environment. Neither does any I/O: running is
//! [`crate::commands`]'s.

pub mod args;
pub mod config;
pub mod parse;

pub use args::Cli;
