//! `stackscan rules list|test|check`: inspect, test and validate a rule pack.

use super::{load_pack, load_pack_args};
use crate::cli::args::{ListFormat, RulesCommand};
use stackscan::scan::test_pack;
use std::io::Write;
use std::process::ExitCode;

pub fn run(cmd: RulesCommand) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    match cmd {
        RulesCommand::List { pack, format } => {
            let pack = match load_pack_args(&pack) {
                Ok(p) => p,
                Err(code) => return Ok(code),
            };
            match format {
                ListFormat::Text => {
                    for r in pack.rules() {
                        let comps: Vec<&str> = r.components.iter().map(|c| c.as_str()).collect();
                        writeln!(
                            w,
                            "{:<40} {:<20} {:<9} {:<32} {}",
                            r.id,
                            r.family,
                            r.severity,
                            comps.join(","),
                            r.title
                        )?;
                    }
                    writeln!(w, "{} rules, {} chains", pack.rules().len(), pack.chains().len())?;
                }
                ListFormat::Json => {
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
        }
        RulesCommand::Test { pack } => {
            let pack = match load_pack_args(&pack) {
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
            let pack = match load_pack(&paths) {
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
                writeln!(
                    w,
                    "warning: rule {id}: no literal for the prefilter; it makes every scan run the regex over every \
                     byte (declare `literals`)"
                )?;
            }
        }
    }
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}
