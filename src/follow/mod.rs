//! Tail mode (`stackscan follow`): follows log files through rotation and restarts and reports incidents as they
//! open, grow and resolve.
//!
//! Pure core, thin adapters: [`lifecycle`] decides what to announce (time passed in), the correlator is the one
//! `scan` uses, [`tailer`] finds files and reads their new complete lines, [`checkpoint`] saves where it was,
//! [`output`] writes events, and [`run`] wires them to inotify (or polling), signals and the clock.

pub mod checkpoint;
pub mod lifecycle;
pub mod output;
pub mod tailer;

use crate::correlate::episode::{Aggregates, Bucket, EpisodeKey};
use crate::correlate::{build_incidents, Incident};
use crate::rules::Pack;
use crate::scan::{scan_block, Block, BlockCounts, ScanOutput, ScannedFile, Scratch, Stats};
use crate::source::Origin;
use crate::time::{parse_line_start, Millis, Zone};
use lifecycle::{Kind, Lifecycle, Settings};
use output::Output;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};
use tailer::{Pos, Start, StreamBlocks, Tailer};

/// Bytes read per file per pass before giving the other files (and the event loop) a turn.
const PASS_BUDGET: usize = 8 << 20;
/// The wake-up tick when watching: pending updates, checkpoints.
const TICK: Duration = Duration::from_secs(1);
/// Least time between two correlations while lines keep coming.
const STEP_EVERY: Duration = Duration::from_millis(200);
/// When watching, a full listing and read this often anyway (for file systems that do not report changes).
const SAFETY_SCAN: Duration = Duration::from_secs(10);
/// The polling interval when watching fails.
const FALLBACK_POLL: Duration = Duration::from_secs(1);

/// Tail mode settings, resolved.
#[derive(Debug, Clone)]
pub struct Config {
    /// Directories and files to follow; empty with `stdin`.
    pub paths: Vec<PathBuf>,
    /// Follow standard input instead.
    pub stdin: bool,
    /// Where to start files found at start (without a checkpoint).
    pub start: Start,
    /// Poll at this interval instead of watching.
    pub poll: Option<Duration>,
    /// The checkpoint file (none for stdin or `--no-state`).
    pub state: Option<PathBuf>,
    /// How often to write the checkpoint.
    pub checkpoint_interval: Duration,
    /// Update rate limit and resolve period.
    pub lifecycle: Settings,
    /// Zone of zone-less timestamps.
    pub zone: Zone,
    /// Component of stdin and of files whose path names none.
    pub component: Option<crate::model::Component>,
}

/// How long (log time) a quiet problem's aggregates are kept after its last line.
pub const RETAIN_QUIET_MS: Millis = 24 * 3_600_000;

/// Loads the rule pack again (on SIGHUP).
pub type Reload = Box<dyn Fn() -> Result<Pack, String>>;

/// The scanning and correlating side: pack, running aggregates, log time, lifecycle.
struct Engine {
    pack: Pack,
    scratch: Scratch,
    agg: Aggregates,
    stats: Stats,
    zone: Zone,
    log_now: Option<Millis>,
    life: Lifecycle,
    /// New lines since the last correlation.
    dirty: bool,
}

impl Engine {
    fn on_block(&mut self, b: &Block<'_>) -> BlockCounts {
        let c = scan_block(&self.pack, &mut self.scratch, b, self.zone, &mut self.agg);
        self.stats.bytes += (b.buf.len() - b.start) as u64;
        self.stats.lines += c.newlines;
        self.stats.matches += c.matches;
        if let Some(t) = last_time(&b.buf[b.start..], self.zone) {
            self.log_now = Some(self.log_now.map_or(t, |n| n.max(t)));
        }
        self.dirty = true;
        c
    }

    /// Correlates the running aggregates and returns the events to announce.
    fn step(&mut self, files: &[ScannedFile], wall_ms: i64, flush: bool) -> Vec<(Kind, Incident)> {
        self.dirty = false;
        let mut stats = self.stats.clone();
        stats.files = files.len() as u64;
        let out =
            ScanOutput::from_parts(files.to_vec(), stats, Vec::new(), self.agg.clone(), vec![vec![0]; files.len()]);
        let (incidents, _) = build_incidents(&self.pack, out);
        let events = self.life.step(&incidents, self.log_now, wall_ms, flush);
        let events = events.into_iter().map(|(k, i)| (k, incidents[i].clone())).collect();
        // Problems quiet for a day are reported and resolved: forget them, so memory stays bounded by recent
        // problems however long stackscan follows.
        if let Some(now) = self.log_now {
            self.agg.prune_quiet(now - RETAIN_QUIET_MS);
        }
        events
    }

    fn rule_ids(&self) -> Vec<String> {
        self.pack.rules().iter().map(|r| r.id.clone()).collect()
    }

    fn reload(&mut self, pack: Pack) {
        let old = self.rule_ids();
        self.agg = remap(std::mem::take(&mut self.agg), &old, &pack);
        self.scratch = Scratch::new(&pack);
        self.pack = pack;
        self.dirty = true;
    }
}

/// The time of the last line of `region` that has one (looking back a few lines at most).
fn last_time(region: &[u8], zone: Zone) -> Option<Millis> {
    let mut end = region.len();
    for _ in 0..8 {
        if end == 0 {
            return None;
        }
        let body = &region[..end];
        let body = body.strip_suffix(b"\n").unwrap_or(body);
        let start = memchr::memrchr(b'\n', body).map_or(0, |i| i + 1);
        if let Some(t) = parse_line_start(&body[start..], zone) {
            return Some(t);
        }
        end = start;
    }
    None
}

/// Aggregates of one pack expressed for another: rules are matched by id; rules no longer there are dropped.
pub fn remap(agg: Aggregates, old_ids: &[String], new: &Pack) -> Aggregates {
    let v: Vec<((EpisodeKey, i64), Bucket)> = agg.into();
    let v: Vec<((EpisodeKey, i64), Bucket)> = v
        .into_iter()
        .filter_map(|((mut k, b), bucket)| {
            let id = old_ids.get(k.rule as usize)?;
            k.rule = new.rule_index(id)? as u32;
            Some(((k, b), bucket))
        })
        .collect();
    Aggregates::from(v)
}

enum Msg {
    Fs(notify::Result<notify::Event>),
    Signal(i32),
    Stdin(Vec<u8>),
    StdinEnd(Option<io::Error>),
}

enum Mode {
    /// The watcher is kept alive for its events.
    Watch {
        _watcher: notify::RecommendedWatcher,
    },
    Poll(Duration),
}

fn watch(roots: &[PathBuf], tx: Sender<Msg>) -> Result<notify::RecommendedWatcher, String> {
    use notify::{RecursiveMode, Watcher};
    let mut w = notify::recommended_watcher(move |r| {
        let _ = tx.send(Msg::Fs(r));
    })
    .map_err(|e| format!("cannot watch files ({e})"))?;
    for r in roots {
        let (p, mode) = if r.is_dir() {
            (r.clone(), RecursiveMode::Recursive)
        } else {
            let parent = r.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
            (parent.to_path_buf(), RecursiveMode::NonRecursive)
        };
        w.watch(&p, mode).map_err(|e| format!("cannot watch {} ({e})", p.display()))?;
    }
    Ok(w)
}

fn wall_ms(epoch: Instant) -> i64 {
    epoch.elapsed().as_millis() as i64
}

/// Follows until SIGINT/SIGTERM (or the end of standard input), writing events to `out`.
pub fn run<W: Write>(cfg: Config, pack: Pack, reload: Reload, out: &mut Output<W>) -> io::Result<()> {
    let (tx, rx) = channel::<Msg>();
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
        let tx = tx.clone();
        std::thread::Builder::new().name("signals".into()).spawn(move || {
            for s in signals.forever() {
                if tx.send(Msg::Signal(s)).is_err() {
                    break;
                }
            }
        })?;
    }
    let scratch = Scratch::new(&pack);
    let engine = Engine {
        pack,
        scratch,
        agg: Aggregates::default(),
        stats: Stats::default(),
        zone: cfg.zone,
        log_now: None,
        life: Lifecycle::new(cfg.lifecycle),
        dirty: false,
    };
    if cfg.stdin {
        let origin = Origin { component: cfg.component, ..Origin::default() };
        follow_stdin(origin, engine, tx, rx, &reload, out)
    } else {
        follow_files(cfg, engine, tx, rx, &reload, out)
    }
}

fn emit<W: Write>(out: &mut Output<W>, events: &[(Kind, Incident)]) -> io::Result<()> {
    for (k, i) in events {
        out.event(*k, i)?;
    }
    Ok(())
}

fn do_reload<W: Write>(engine: &mut Engine, reload: &Reload, out: &mut Output<W>) -> io::Result<()> {
    match reload() {
        Ok(p) => {
            let n = p.rules().len();
            engine.reload(p);
            out.note(&format!("SIGHUP: rule pack reloaded ({n} rules)"))
        }
        Err(e) => out.note(&format!("SIGHUP: rule pack not reloaded, keeping the old one: {}", e.trim_end())),
    }
}

fn follow_stdin<W: Write>(
    origin: Origin,
    mut engine: Engine,
    tx: Sender<Msg>,
    rx: Receiver<Msg>,
    reload: &Reload,
    out: &mut Output<W>,
) -> io::Result<()> {
    std::thread::Builder::new().name("stdin".into()).spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        let stdin = io::stdin();
        let mut lock = stdin.lock();
        loop {
            match lock.read(&mut buf) {
                Ok(0) => {
                    let _ = tx.send(Msg::StdinEnd(None));
                    break;
                }
                Ok(n) => {
                    if tx.send(Msg::Stdin(buf[..n].to_vec())).is_err() {
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let _ = tx.send(Msg::StdinEnd(Some(e)));
                    break;
                }
            }
        }
    })?;
    let files = vec![ScannedFile { display: "-".into(), origin: origin.clone() }];
    let mut stream = StreamBlocks::new(0);
    let epoch = Instant::now();
    let mut last_step = Instant::now();
    loop {
        let timeout = if engine.dirty || engine.life.has_pending() { STEP_EVERY } else { TICK };
        let msg = match rx.recv_timeout(timeout) {
            Ok(m) => Some(m),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => Some(Msg::StdinEnd(None)),
        };
        let mut end = false;
        for m in msg.into_iter().chain(std::iter::from_fn(|| rx.try_recv().ok())) {
            match m {
                Msg::Stdin(data) => stream.push(&data, &origin, &mut |b| engine.on_block(b)),
                Msg::StdinEnd(err) => {
                    if let Some(e) = err {
                        out.note(&format!("-: read stopped: {e}"))?;
                    }
                    end = true;
                }
                Msg::Signal(signal_hook::consts::SIGHUP) => do_reload(&mut engine, reload, out)?,
                Msg::Signal(_) => end = true,
                Msg::Fs(_) => {}
            }
            if end {
                break;
            }
        }
        if end {
            stream.finish(&origin, &mut |b| engine.on_block(b));
            let ev = engine.step(&files, wall_ms(epoch), true);
            return emit(out, &ev);
        }
        if (engine.dirty || engine.life.has_pending()) && last_step.elapsed() >= STEP_EVERY {
            let ev = engine.step(&files, wall_ms(epoch), false);
            emit(out, &ev)?;
            last_step = Instant::now();
        }
    }
}

fn checkpoint_of(engine: &Engine, tailer: &Tailer) -> checkpoint::Checkpoint {
    let to_cp = |p: &Pos, path: String| checkpoint::Position {
        dev: p.id.dev,
        ino: p.id.ino,
        fingerprint: p.fingerprint,
        file: p.file,
        path,
        offset: p.offset,
        lines: p.lines,
    };
    checkpoint::Checkpoint {
        version: checkpoint::VERSION,
        rules: engine.rule_ids(),
        files: tailer.files().iter().map(|f| f.display.clone()).collect(),
        positions: tailer.positions().into_iter().map(|(p, path)| to_cp(&p, path)).collect(),
        retired: tailer.retired().iter().map(|p| to_cp(p, String::new())).collect(),
        log_now: engine.log_now,
        aggregates: engine.agg.clone(),
        incidents: engine.life.reported().clone(),
    }
}

fn from_cp(p: &checkpoint::Position) -> Pos {
    Pos {
        id: tailer::FileId { dev: p.dev, ino: p.ino },
        fingerprint: p.fingerprint,
        file: p.file,
        offset: p.offset,
        lines: p.lines,
    }
}

fn follow_files<W: Write>(
    cfg: Config,
    mut engine: Engine,
    tx: Sender<Msg>,
    rx: Receiver<Msg>,
    reload: &Reload,
    out: &mut Output<W>,
) -> io::Result<()> {
    let mut tailer = Tailer::new(cfg.paths.clone(), cfg.state.clone());
    tailer.default_component(cfg.component);
    let mut restored = false;
    if let Some(state) = &cfg.state {
        match checkpoint::load(state) {
            Ok(Some(cp)) => {
                engine.agg = remap(cp.aggregates, &cp.rules, &engine.pack);
                engine.log_now = cp.log_now;
                engine.life = Lifecycle::restore(cfg.lifecycle, cp.incidents);
                tailer.restore(
                    cp.files,
                    cp.positions.iter().map(from_cp).collect(),
                    cp.retired.iter().map(from_cp).collect(),
                );
                restored = true;
            }
            Ok(None) => {}
            Err(e) => return Err(io::Error::other(format!("{e} (move it away to start afresh)"))),
        }
    }
    let epoch = Instant::now();
    let mut mode = match cfg.poll {
        Some(i) => Mode::Poll(i),
        None => match watch(&cfg.paths, tx.clone()) {
            Ok(w) => Mode::Watch { _watcher: w },
            Err(e) => {
                out.note(&format!("{e}: polling every {}s instead", FALLBACK_POLL.as_secs()))?;
                Mode::Poll(FALLBACK_POLL)
            }
        },
    };
    // The first listing and catch-up: everything there is read before the first correlation, so a replay
    // announces each incident once, with its full counts.
    let start = if restored { Start::Beginning } else { cfg.start };
    let read_compressed = !restored && cfg.start == Start::Beginning;
    tailer.list(start, read_compressed, &mut |b| engine.on_block(b));
    while tailer.read(PASS_BUDGET, &mut |b| engine.on_block(b)).more {}
    for n in tailer.take_notes() {
        out.note(&n)?;
    }
    let ev = engine.step(tailer.files(), wall_ms(epoch), false);
    emit(out, &ev)?;
    let save = |engine: &Engine, tailer: &Tailer, out: &mut Output<W>| -> io::Result<bool> {
        let Some(path) = &cfg.state else { return Ok(true) };
        match checkpoint::save(path, &checkpoint_of(engine, tailer)) {
            Ok(()) => Ok(true),
            Err(e) => {
                out.note(&format!("{}: cannot write checkpoint: {e} (still running; will retry)", path.display()))?;
                Ok(false)
            }
        }
    };
    let mut cp_dirty = !save(&engine, &tailer, out)?;
    let mut last_cp = Instant::now();
    let mut last_step = Instant::now();
    let mut last_full = Instant::now();
    let mut more = false;
    loop {
        let now = Instant::now();
        let mut timeout = match &mode {
            Mode::Poll(i) => (*i).saturating_sub(last_full.elapsed()),
            Mode::Watch { .. } => TICK,
        };
        if engine.dirty || engine.life.has_pending() {
            timeout = timeout.min(STEP_EVERY.saturating_sub(last_step.elapsed()));
        }
        if more {
            timeout = Duration::ZERO;
        }
        let msg = rx.recv_timeout(timeout).ok();
        let (mut need_list, mut need_read, mut stop) = (false, more, false);
        for m in msg.into_iter().chain(std::iter::from_fn(|| rx.try_recv().ok())) {
            match m {
                Msg::Fs(Ok(ev)) => {
                    use notify::event::{EventKind, ModifyKind};
                    match ev.kind {
                        // Opening and closing (our own reads and listings among them) change nothing.
                        EventKind::Access(_) if !ev.need_rescan() => {}
                        EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Metadata(_)) if !ev.need_rescan() => {
                            need_read = true
                        }
                        _ => {
                            need_read = true;
                            need_list = true;
                        }
                    }
                }
                Msg::Fs(Err(e)) => {
                    if matches!(mode, Mode::Watch { .. }) {
                        out.note(&format!(
                            "watching failed ({e}): polling every {}s instead",
                            FALLBACK_POLL.as_secs()
                        ))?;
                        mode = Mode::Poll(FALLBACK_POLL);
                    }
                    need_list = true;
                    need_read = true;
                }
                Msg::Signal(signal_hook::consts::SIGHUP) => do_reload(&mut engine, reload, out)?,
                Msg::Signal(_) => stop = true,
                Msg::Stdin(_) | Msg::StdinEnd(_) => {}
            }
        }
        let full_every = match &mode {
            Mode::Poll(i) => *i,
            Mode::Watch { .. } => SAFETY_SCAN,
        };
        if last_full.elapsed() >= full_every || stop {
            need_list = true;
            need_read = true;
            last_full = now;
        }
        let mut on_block = |b: &Block<'_>| engine.on_block(b);
        if need_list {
            // A listing may add, move or drop files: positions change even when no line was read.
            tailer.list(Start::Beginning, false, &mut on_block);
            cp_dirty = true;
        }
        more = false;
        if need_read {
            let budget = if stop { usize::MAX } else { PASS_BUDGET };
            let c = tailer.read(budget, &mut on_block);
            more = c.more;
            cp_dirty |= c.bytes > 0;
        }
        for n in tailer.take_notes() {
            out.note(&n)?;
        }
        let due = last_step.elapsed() >= STEP_EVERY || stop;
        if (engine.dirty || engine.life.has_pending()) && due && !more {
            let ev = engine.step(tailer.files(), wall_ms(epoch), stop);
            cp_dirty |= !ev.is_empty();
            emit(out, &ev)?;
            last_step = Instant::now();
        }
        if stop {
            save(&engine, &tailer, out)?;
            return Ok(());
        }
        if cp_dirty && last_cp.elapsed() >= cfg.checkpoint_interval {
            cp_dirty = !save(&engine, &tailer, out)?;
            last_cp = Instant::now();
        }
    }
}
