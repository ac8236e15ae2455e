//! `stackscan follow`: tail mode, wired to stdout through a report printer.

use super::{load_pack, usage, warn};
use crate::cli::args::FollowArgs;
use crate::cli::config::{Env, FollowConfig};
use stackscan::follow::{self, lifecycle::Settings, tailer::Start};
use stackscan::report::{printer, Style};
use stackscan::rules::Pack;
use stackscan::time::Millis;
use std::process::ExitCode;

pub fn run(a: &FollowArgs, env: &Env) -> anyhow::Result<ExitCode> {
    let c = match FollowConfig::new(a, env) {
        Ok(c) => c,
        Err(u) => return Ok(usage(u)),
    };
    let pack = match load_pack(&c.rules) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let missing: Vec<_> = c.paths.iter().filter(|p| !p.exists()).collect();
    if !missing.is_empty() {
        for p in &missing {
            warn(&format!("{}: no such file or directory", p.display()));
        }
        if c.default_paths {
            warn("no StackState log directory here; name the logs to follow: stackscan follow DIR|FILE ... (or - for stdin)");
        }
        return Ok(ExitCode::from(2));
    }
    if let Some(w) = &c.warning {
        warn(w);
    }
    let config = follow::Config {
        paths: c.paths.clone(),
        stdin: c.stdin,
        start: if c.from_start { Start::Beginning } else { Start::End },
        poll: c.poll,
        state: c.state.clone(),
        checkpoint_interval: c.checkpoint_interval,
        lifecycle: Settings {
            update_interval_ms: c.update_interval.as_millis() as i64,
            resolve_after_ms: c.resolve_after.as_millis() as Millis,
        },
        zone: c.zone,
        component: c.component,
        walk: c.walk,
        unexplained: (c.unexplained > 0)
            .then(|| follow::news::Settings { per_minute: c.unexplained, ..follow::news::Settings::default() }),
    };
    let rules = c.rules.clone();
    let reload: follow::Reload =
        Box::new(move || if rules.is_empty() { Pack::embedded() } else { Pack::from_paths(&rules) });
    let stdout = std::io::stdout();
    let style = Style::new(&pack, c.color);
    let mut printer = printer(c.format, Box::new(stdout.lock()), style);
    follow::run(config, pack, reload, &mut *printer)?;
    Ok(ExitCode::SUCCESS)
}
