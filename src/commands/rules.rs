//! `stackscan rules list|test|check`: inspect, test and validate a rule pack.

use super::load_pack_checked;
use crate::cli::args::{ListFormat, RulesCommand};
use stackscan::frame::escape::escape;
use stackscan::model::Component;
use stackscan::report::human::{columns, count};
use stackscan::scan::test_pack;
use std::io::Write;
use std::process::ExitCode;

pub fn run(cmd: RulesCommand) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    match cmd {
        RulesCommand::List { pack, format } => {
            let pack = match load_pack_checked(&pack.rules) {
                Ok(p) => p,
                Err(code) => return Ok(code),
            };
            match format {
                ListFormat::Text => {
                    let rows: Vec<[String; 5]> = pack
                        .rules()
                        .iter()
                        .map(|r| {
                            let comps: Vec<&str> = r.components.iter().map(|c| c.as_str()).collect();
                            // A rule for every component (a generic one) says so in three letters.
                            let comps =
                                if comps.len() == Component::ALL.len() { "all".to_string() } else { comps.join(",") };
                            [r.id.clone(), r.family.clone(), r.severity.to_string(), comps, r.title.clone()]
                        })
                        .collect();
                    write!(w, "{}", table(["ID", "FAMILY", "SEVERITY", "COMPONENTS", "TITLE"], &rows))?;
                    writeln!(
                        w,
                        "{}, {}",
                        count(pack.rules().len() as u64, "rule"),
                        count(pack.chains().len() as u64, "chain")
                    )?;
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
            let pack = match load_pack_checked(&pack.rules) {
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
            let pack = match load_pack_checked(&paths) {
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
            if let Some((before, after, pieces)) = pack.compacted_literals() {
                let pieces: Vec<String> = pieces.iter().map(|p| format!("`{}`", escape(p))).collect();
                writeln!(
                    w,
                    "note: the prefilter's {before} literals, or they and the level literals the unexplained \
                     section searches with them, are more than its SIMD search takes (127); {after} are searched, \
                     with pieces several literals share in their place: {}",
                    pieces.join(", ")
                )?;
            }
        }
    }
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Rows under a header row, every column but the last padded to its widest cell (by the columns it takes on a
/// terminal) and two spaces apart.
fn table<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
    let mut widths = header.map(columns);
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(columns(cell));
        }
    }
    let mut out = String::new();
    let header = header.map(str::to_string);
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < N {
                line.push_str(&" ".repeat(widths[i] - columns(cell) + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_line_up_under_the_header() {
        let rows = [["a.long-id".to_string(), "x".to_string()], ["b".to_string(), "yy".to_string()]];
        assert_eq!(super::table(["ID", "TITLE"], &rows), "ID         TITLE\na.long-id  x\nb          yy\n");
    }
}
