//! `stackscan show ID`: one incident from tail mode's checkpoint, correlated as follow does and printed in full
//! through a report printer, so that an `id=` seen in a follow line can be expanded.

use super::{load_pack, usage, warn};
use crate::cli::args::ShowArgs;
use crate::cli::config::{Env, ShowConfig};
use stackscan::correlate;
use stackscan::follow::checkpoint;
use stackscan::report::{printer, Head, Item, Style, Tail};
use std::io::Write;
use std::process::ExitCode;

pub fn run(a: &ShowArgs, env: &Env) -> anyhow::Result<ExitCode> {
    let c = match ShowConfig::new(a, env) {
        Ok(c) => c,
        Err(u) => return Ok(usage(u)),
    };
    let pack = match load_pack(&c.rules) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let mut state = match checkpoint::load(&c.state) {
        Ok(Some(cp)) => cp.state,
        Ok(None) => {
            warn(&format!(
                "{}: no checkpoint there (stackscan follow writes one; name it with --state FILE)",
                c.state.display()
            ));
            return Ok(ExitCode::from(2));
        }
        Err(e) => {
            warn(&e.to_string());
            return Ok(ExitCode::from(2));
        }
    };
    state.remap_rules(pack.id());
    let incidents = correlate(&pack, &state);
    let Some(incident) = incidents.iter().find(|i| i.id == c.id) else {
        let mut known: Vec<&str> = incidents.iter().map(|i| i.id.as_str()).collect();
        known.sort_unstable();
        let list = match known.len() {
            0 => "it holds none".to_string(),
            n if n <= 10 => format!("it holds {}", known.join(", ")),
            n => format!("it holds {n}, among them {}", known[..10].join(", ")),
        };
        warn(&format!(
            "no incident {} in {}: {list} (a problem quiet for a day of log time is forgotten)",
            c.id,
            c.state.display()
        ));
        return Ok(ExitCode::from(2));
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
    Ok(ExitCode::SUCCESS)
}
