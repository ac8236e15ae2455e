//! `stackscan follow`: tail mode, wired to stdout through a report printer.

use super::{load_pack, usage, warn};
use crate::cli::args::FollowArgs;
use crate::cli::config::{default_state_file, Env, FollowConfig};
use stackscan::export::OutputsBuilder;
use stackscan::follow::{self, lifecycle::Settings, tailer::Start};
use stackscan::report::{printer, Style};
use stackscan::rules::Pack;
use stackscan::time::Millis;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A flag set when standard output is closed (`stackscan follow | head -1` after head exits): a thread waits
/// for the pipe's error or hang-up condition, so the run ends even while no line arrives to be written.
fn watch_stdout() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let set = flag.clone();
    let _ = std::thread::Builder::new().name("stdout-watch".into()).spawn(move || {
        use rustix::event::{poll, PollFd, PollFlags};
        let stdout = std::io::stdout();
        loop {
            // No events asked for: poll returns on POLLERR, POLLHUP or POLLNVAL only.
            let mut fds = [PollFd::new(&stdout, PollFlags::empty())];
            match poll(&mut fds, None) {
                Ok(_) if !fds[0].revents().is_empty() => {
                    set.store(true, Ordering::Relaxed);
                    return;
                }
                Ok(_) | Err(rustix::io::Errno::INTR) => {}
                Err(_) => return,
            }
        }
    });
    flag
}

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
    // The default checkpoint is per input set (canonical paths): two runs on different logs never share one.
    let state = c.state.clone().or_else(|| {
        let dir = c.state_dir.as_ref()?;
        let canonical: Vec<PathBuf> =
            c.paths.iter().map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())).collect();
        Some(default_state_file(dir, &canonical))
    });
    let config = follow::Config {
        paths: c.paths.clone(),
        stdin: c.stdin,
        start: if c.from_start { Start::Beginning } else { Start::End },
        poll: c.poll,
        state,
        checkpoint_interval: c.checkpoint_interval,
        record_wait: c.record_wait,
        lifecycle: Settings {
            update_interval_ms: c.update_interval.as_millis() as i64,
            resolve_after_ms: c.resolve_after.as_millis() as Millis,
        },
        zone: c.zone,
        component: c.component,
        walk: c.walk,
        unexplained: (c.unexplained > 0)
            .then(|| follow::news::Settings { per_minute: c.unexplained, ..follow::news::Settings::default() }),
        max_keys: c.max_keys,
        host: c.host.clone(),
        stop: watch_stdout(),
    };
    let e = &c.export;
    let mut outputs = OutputsBuilder::new(super::wall_clock);
    outputs.instance(&e.instance).resolve_timeout(e.resolve_timeout).queue_capacity(e.queue).stale_after(e.stale_after);
    if let Some(addr) = e.metrics {
        outputs.metrics(addr);
    }
    for url in &e.alertmanagers {
        outputs.alertmanager(url);
    }
    for url in &e.webhooks {
        outputs.webhook(url);
    }
    for (name, value) in &e.headers {
        outputs.webhook_header(name, value);
    }
    // Listening and the delivery thread start before anything is read: a port in use is a usage error (exit 2).
    let outputs = match outputs.build(&pack) {
        Ok(o) => o,
        Err(err) => {
            warn(&err.to_string());
            return Ok(ExitCode::from(2));
        }
    };
    let rules = c.rules.clone();
    let reload: follow::Reload =
        std::sync::Arc::new(move || if rules.is_empty() { Pack::embedded() } else { Pack::from_paths(&rules) });
    let stdout = std::io::stdout();
    let style = Style::new(&pack, c.color);
    let mut printer = printer(c.format, Box::new(stdout.lock()), style);
    follow::run(config, pack, reload, &mut *printer, outputs)?;
    Ok(ExitCode::SUCCESS)
}
