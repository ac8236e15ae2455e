//! `stackscan show ID`: one incident from tail mode's checkpoint, correlated as follow does and printed in full
//! through a report printer, so that an `id=` seen in a follow line can be expanded. Without `--state`, every
//! checkpoint follow keeps in its state directory (`follow-<hash>.json`, one per set of followed paths) is looked
//! through, the newest first.

use super::{load_pack, usage, warn};
use crate::cli::args::ShowArgs;
use crate::cli::config::{Env, ShowConfig};
use stackscan::correlate;
use stackscan::follow::checkpoint;
use stackscan::report::{printer, Head, Item, Style, Tail};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Follow's default checkpoints in `dir`, the most recently written first.
fn checkpoints_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut found: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("follow-") && n.ends_with(".json"))
        })
        .filter_map(|p| Some((std::fs::metadata(&p).and_then(|m| m.modified()).ok()?, p)))
        .collect();
    found.sort_by(|a, b| b.cmp(a));
    found.into_iter().map(|(_, p)| p).collect()
}

pub fn run(a: &ShowArgs, env: &Env) -> anyhow::Result<ExitCode> {
    let c = match ShowConfig::new(a, env) {
        Ok(c) => c,
        Err(u) => return Ok(usage(u)),
    };
    let pack = match load_pack(&c.rules) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let candidates = match (&c.state, &c.state_dir) {
        (Some(s), _) => vec![s.clone()],
        (None, Some(dir)) => checkpoints_in(dir),
        (None, None) => Vec::new(),
    };
    if candidates.is_empty() {
        let place = c.state.as_ref().or(c.state_dir.as_ref()).map_or(String::new(), |p| p.display().to_string());
        warn(&format!("no checkpoint in {place} (stackscan follow writes one there; or name one with --state FILE)"));
        return Ok(ExitCode::from(2));
    }
    let mut known: Vec<String> = Vec::new();
    for path in &candidates {
        let mut state = match checkpoint::load(path) {
            Ok(Some(cp)) => cp.state,
            Ok(None) => {
                warn(&format!(
                    "{}: no checkpoint there (stackscan follow writes one; name it with --state FILE)",
                    path.display()
                ));
                return Ok(ExitCode::from(2));
            }
            Err(e) => {
                warn(&e.to_string());
                continue;
            }
        };
        state.remap_rules(pack.id());
        let incidents = correlate(&pack, &state);
        let Some(incident) = incidents.iter().find(|i| i.id == c.id) else {
            known.extend(incidents.iter().map(|i| i.id.clone()));
            continue;
        };
        let stdout = std::io::stdout();
        let mut w = std::io::BufWriter::new(stdout.lock());
        {
            let mut p = printer(c.format, Box::new(&mut w), Style::new(&pack, c.color));
            p.begin(Head::Incident)?;
            p.item(Item::Incident(incident))?;
            p.finish(Tail::Scan)?;
        }
        w.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    known.sort_unstable();
    known.dedup();
    let list = match known.len() {
        0 => "they hold none".to_string(),
        n if n <= 10 => format!("they hold {}", known.join(", ")),
        n => format!("they hold {n}, among them {}", known[..10].join(", ")),
    };
    let searched: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
    warn(&format!(
        "no incident {} in {}: {list} (a problem quiet for a day of log time is forgotten)",
        c.id,
        searched.join(", ")
    ));
    Ok(ExitCode::from(2))
}
