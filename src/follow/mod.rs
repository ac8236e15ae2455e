//! Tail mode (`stackscan follow`): follows log files through rotation and restarts and reports incidents as they
//! open, grow and resolve.
//!
//! Pure core, thin adapters: the blocks read are folded into one running [`ScanState`] by the scan's own hot
//! path; the correlator (the one `scan` uses) borrows it; [`lifecycle`] decides what to announce (time passed in);
//! [`tailer`] finds files and reads their new complete lines; [`checkpoint`] saves the state with where it was;
//! a report [`Printer`] writes events; and [`run`] wires them to inotify (or polling), signals and the clock.

pub mod checkpoint;
pub mod fingerprint;
pub mod lifecycle;
pub mod news;
pub mod stream;
pub mod tailer;
mod watcher;

use crate::aggregate::{ScanState, ScannedFile};
use crate::correlate::{correlate, Incident, UnexplainedView};
use crate::report::{Event, EventKind as Kind, Head, Item, Printer, Summary, Tail};
use crate::rules::Pack;
use crate::scan::{scan_block, Block, BlockCounts, Scratch};
use crate::source::Origin;
use crate::time::{parse_line_start, Millis, Zone};
use lifecycle::{Lifecycle, Settings};
use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};
use stream::StreamBlocks;
use tailer::{Pos, Start, Tailer};

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
    /// How directories are walked.
    pub walk: crate::source::WalkOptions,
    /// Mine the records no rule explains and announce new ones at ERROR and above (see [`news`]); `None`: no
    /// mining.
    pub unexplained: Option<news::Settings>,
    /// The most distinct keys kept per rule (the checkpoint stays bounded by it too).
    pub max_keys: usize,
    /// The machine the files are read on, recorded in the file table.
    pub host: Option<String>,
    /// Set from outside to end the run as SIGTERM does (the binary sets it when its standard output is closed,
    /// `stackscan follow | head -1`): seen within a second.
    pub stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// How far past the wall clock log times may lie (clock skew between hosts, late writers) before a note says the
/// zone is probably wrong.
pub const FUTURE_SLACK_MS: Millis = 5 * 60_000;

/// The wall clock, milliseconds since the epoch (only the loops read it; the engine is given it).
fn system_now() -> Millis {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as Millis)
}

/// How long (log time) a quiet problem's aggregates are kept after its last line.
pub const RETAIN_QUIET_MS: Millis = 24 * 3_600_000;

/// Loads the rule pack again (on SIGHUP).
pub type Reload = std::sync::Arc<dyn Fn() -> Result<Pack, crate::rules::PackError> + Send + Sync>;

/// The scanning and correlating side: pack, the running state, log time, lifecycle.
struct Engine {
    pack: Pack,
    scratch: Scratch,
    state: ScanState,
    zone: Zone,
    log_now: Option<Millis>,
    life: Lifecycle,
    /// New lines since the last correlation.
    dirty: bool,
    /// Whether the warning about times in the future was given.
    warned_future: bool,
    /// The machine, for the file table.
    host: Option<String>,
    /// Mining the records no rule explains: the announcer of new ones.
    news: Option<news::News>,
    /// The oldest timestamp seen in any followed line (new templates are news a minute after it).
    log_start: Option<Millis>,
}

/// What a step announces: incident events, new unexplained templates, and how many of those were held back.
#[derive(Debug, Default)]
struct Announce {
    incidents: Vec<(Kind, Incident)>,
    unexplained: Vec<UnexplainedView>,
    held: usize,
}

impl Announce {
    fn is_empty(&self) -> bool {
        self.incidents.is_empty() && self.unexplained.is_empty() && self.held == 0
    }
}

impl Engine {
    fn new(pack: Pack, zone: Zone, life: Lifecycle, news: Option<news::Settings>) -> Engine {
        Engine {
            scratch: Scratch::new(&pack),
            state: ScanState::new(pack.id()),
            pack,
            zone,
            log_now: None,
            life,
            dirty: false,
            news: news.map(news::News::new),
            log_start: None,
            warned_future: false,
            host: None,
        }
    }

    /// A note, once per run, when the newest log time lies more than [`FUTURE_SLACK_MS`] after `wall_now` (the
    /// wall clock, passed in): then `--timezone` is most likely wrong, and incidents would open and resolve by
    /// times that have not come yet.
    fn future_note(&mut self, wall_now: Millis) -> Option<String> {
        let ahead = self.log_now? - wall_now;
        if self.warned_future || ahead <= FUTURE_SLACK_MS {
            return None;
        }
        self.warned_future = true;
        Some(format!(
            "log times lie {} minutes in the future of this machine's clock: is --timezone right? (zone-less \
             timestamps are read in {})",
            ahead / 60_000,
            if self.zone == Zone::UTC { "UTC".to_string() } else { "the zone given".to_string() }
        ))
    }

    fn on_block(&mut self, b: &Block<'_>) -> BlockCounts {
        if self.news.is_some() {
            if let Some(t) = first_time(&b.buf[b.start..], self.zone) {
                self.log_start = Some(self.log_start.map_or(t, |s| s.min(t)));
            }
        }
        let mine = self.news.is_some().then_some(&mut self.state.unexplained);
        let c = scan_block(&self.pack, &mut self.scratch, b, self.zone, &mut self.state.aggregates, mine);
        let stats = &mut self.state.stats;
        stats.bytes += (b.buf.len() - b.start) as u64;
        stats.lines += c.newlines;
        stats.matches += c.matches;
        if let Some(t) = last_time(&b.buf[b.start..], self.zone) {
            self.log_now = Some(self.log_now.map_or(t, |n| n.max(t)));
        }
        self.dirty = true;
        c
    }

    /// Takes in the files the tailer added to its (append-only) table since the last call.
    fn sync_files(&mut self, files: &[ScannedFile]) {
        let known = self.state.files.len();
        if files.len() > known {
            let host = &self.host;
            self.state.files.extend(files[known..].iter().map(|f| ScannedFile { host: host.clone(), ..f.clone() }));
        }
        self.state.stats.files = self.state.files.len() as u64;
    }

    /// Correlates the running state (borrowed, not copied) and returns the events to announce.
    fn step(&mut self, files: &[ScannedFile], wall_ms: i64, flush: bool) -> Announce {
        self.dirty = false;
        self.sync_files(files);
        let incidents = correlate(&self.pack, &self.state);
        let events = self.life.step(&incidents, self.log_now, wall_ms, flush);
        let events = events.into_iter().map(|(k, i)| (k, incidents[i].clone())).collect();
        let (news, held) = match &mut self.news {
            Some(n) => n.step(&mut self.state.unexplained, self.log_start, wall_ms),
            None => (Vec::new(), 0),
        };
        let unexplained = news
            .into_iter()
            .filter_map(|(c, id)| {
                let t = self.state.unexplained.templates().find(|(tc, t)| *tc == c && t.id() == id)?.1;
                Some(crate::correlate::unexplained::view(&self.state, c, t))
            })
            .collect();
        // Problems quiet for a day are reported and resolved: forget them, so memory stays bounded by recent
        // problems however long stackscan follows.
        if let Some(now) = self.log_now {
            self.state.aggregates.prune_quiet(now - RETAIN_QUIET_MS);
        }
        Announce { incidents: events, unexplained, held }
    }

    fn reload(&mut self, pack: Pack) {
        self.state.remap_rules(pack.id());
        self.scratch = Scratch::new(&pack);
        self.pack = pack;
        self.dirty = true;
    }
}

/// The time of the first line of `region` that has one (looking at a few lines at most).
fn first_time(region: &[u8], zone: Zone) -> Option<Millis> {
    region.split(|&b| b == b'\n').take(8).find_map(|l| parse_line_start(l, zone))
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

enum Msg {
    Fs(notify::Result<notify::Event>),
    /// A pack loaded on SIGHUP, on the reloader's thread.
    Reloaded(Box<Result<Pack, crate::rules::PackError>>),
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

/// Whether the run was asked to end from outside (see [`Config::stop`]).
fn stopped(flag: &std::sync::atomic::AtomicBool) -> bool {
    flag.load(std::sync::atomic::Ordering::Relaxed)
}

fn wall_ms(epoch: Instant) -> i64 {
    epoch.elapsed().as_millis() as i64
}

/// Why tail mode stopped other than by a signal or the end of its input.
#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    /// The checkpoint exists but cannot be used.
    #[error("{0} (move it away to start afresh)")]
    Checkpoint(#[from] checkpoint::CheckpointError),
    /// Reading, watching or writing failed (a closed output pipe among them).
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Where events and notes go: notes to stderr (sanitised), and both to the printer.
pub struct Out<'a> {
    printer: &'a mut dyn Printer,
}

impl<'a> Out<'a> {
    /// Events go to `printer`.
    pub fn new(printer: &'a mut dyn Printer) -> Self {
        Out { printer }
    }

    fn event(&mut self, kind: Kind, incident: &Incident, reason: Option<&str>) -> io::Result<()> {
        self.printer.item(Item::Event(Event { kind, incident, reason }))
    }

    /// A note: on stderr, and to the printer (formats for programs write it to the stream too).
    pub fn note(&mut self, message: &str) -> io::Result<()> {
        eprintln!("stackscan: {}", crate::frame::sanitize::clean(message.as_bytes()));
        self.printer.item(Item::Note(message))
    }
}

/// Follows until SIGINT/SIGTERM (or the end of standard input), writing events through `printer`.
pub fn run(cfg: Config, pack: Pack, reload: Reload, printer: &mut dyn Printer) -> Result<(), FollowError> {
    printer.begin(Head::Follow)?;
    let mut out = Out::new(printer);
    let summary = {
        let out = &mut out;
        run_with(cfg, pack, reload, out)
    }?;
    Ok(out.printer.finish(Tail::Follow(summary.as_ref()))?)
}

fn run_with(cfg: Config, pack: Pack, reload: Reload, out: &mut Out<'_>) -> Result<Option<Summary>, FollowError> {
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
    let mut engine = Engine::new(pack, cfg.zone, Lifecycle::new(cfg.lifecycle), cfg.unexplained);
    engine.state.aggregates.set_max_keys(cfg.max_keys);
    engine.host = cfg.host.clone();
    let mut reload = Reloader::new(reload, tx.clone());
    let reload = &mut reload;
    if cfg.stdin {
        let origin = Origin { component: cfg.component, ..Origin::default() };
        Ok(follow_stdin(origin, cfg.stop.clone(), engine, tx, rx, reload, out)?)
    } else {
        follow_files(cfg, engine, tx, rx, reload, out)
    }
}

fn emit(out: &mut Out<'_>, a: &Announce) -> io::Result<()> {
    for (k, i) in &a.incidents {
        out.event(*k, i, None)?;
    }
    for u in &a.unexplained {
        out.printer.item(Item::Unexplained(u))?;
    }
    if a.held > 0 {
        out.note(&format!(
            "{} more new unexplained error template{} not announced (rate limit); `stackscan scan` lists them",
            a.held,
            if a.held == 1 { "" } else { "s" }
        ))?;
    }
    Ok(())
}

/// Loads the rule pack again on SIGHUP, on a thread of its own: following goes on while the new pack compiles
/// (10,000 rules take a second or two), and it is swapped in when it is ready. A SIGHUP during a reload asks for
/// one more after it.
struct Reloader {
    load: Reload,
    tx: Sender<Msg>,
    busy: bool,
    again: bool,
}

impl Reloader {
    fn new(load: Reload, tx: Sender<Msg>) -> Reloader {
        Reloader { load, tx, busy: false, again: false }
    }

    /// SIGHUP: start loading, or ask for one more load after the one under way.
    fn request(&mut self) {
        if self.busy {
            self.again = true;
            return;
        }
        self.busy = true;
        let (load, tx) = (self.load.clone(), self.tx.clone());
        let spawned = std::thread::Builder::new().name("reload".into()).spawn(move || {
            let _ = tx.send(Msg::Reloaded(Box::new(load())));
        });
        if spawned.is_err() {
            self.busy = false;
        }
    }

    /// A load finished: swap the pack in (or keep the old one), and start the load asked for meanwhile.
    fn finished(
        &mut self,
        loaded: Result<Pack, crate::rules::PackError>,
        engine: &mut Engine,
        out: &mut Out<'_>,
    ) -> io::Result<()> {
        self.busy = false;
        let said = match loaded {
            Ok(p) => {
                let n = p.rules().len();
                engine.reload(p);
                out.note(&format!("SIGHUP: rule pack reloaded ({n} rules)"))
            }
            Err(e) => {
                out.note(&format!("SIGHUP: rule pack not reloaded, keeping the old one: {}", e.to_string().trim_end()))
            }
        };
        if std::mem::take(&mut self.again) {
            self.request();
        }
        said
    }
}

fn follow_stdin(
    origin: Origin,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    mut engine: Engine,
    tx: Sender<Msg>,
    rx: Receiver<Msg>,
    reload: &mut Reloader,
    out: &mut Out<'_>,
) -> io::Result<Option<Summary>> {
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
    let files = vec![ScannedFile::new("-".into(), origin.clone())];
    let mut stream = StreamBlocks::new(0, engine.zone);
    let epoch = Instant::now();
    let mut last_step = Instant::now();
    loop {
        let timeout = if engine.dirty || engine.life.has_pending() { STEP_EVERY } else { TICK };
        let msg = match rx.recv_timeout(timeout) {
            Ok(m) => Some(m),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => Some(Msg::StdinEnd(None)),
        };
        let mut end = stopped(&stop);
        for m in msg.into_iter().chain(std::iter::from_fn(|| rx.try_recv().ok())) {
            match m {
                Msg::Stdin(data) => stream.push(&data, &origin, &mut |b| engine.on_block(b)),
                Msg::StdinEnd(err) => {
                    if let Some(e) = err {
                        out.note(&format!("-: read stopped: {e}"))?;
                    }
                    end = true;
                }
                Msg::Signal(signal_hook::consts::SIGHUP) => reload.request(),
                Msg::Reloaded(loaded) => reload.finished(*loaded, &mut engine, out)?,
                Msg::Signal(_) => end = true,
                Msg::Fs(_) => {}
            }
            if end {
                break;
            }
        }
        if end {
            stream.finish(&origin, &mut |b| engine.on_block(b));
            if let Some(n) = engine.future_note(system_now()) {
                out.note(&n)?;
            }
            let ev = engine.step(&files, wall_ms(epoch), true);
            emit(out, &ev)?;
            // The input is over: what is still open is resolved, and a summary follows.
            let incidents = correlate(&engine.pack, &engine.state);
            for (k, i) in engine.life.end_of_input(&incidents) {
                out.event(k, &incidents[i], Some("end of input"))?;
            }
            return Ok(Some(Summary::of(&engine.state, &incidents)));
        }
        if let Some(n) = engine.future_note(system_now()) {
            out.note(&n)?;
        }
        if (engine.dirty || engine.life.has_pending()) && last_step.elapsed() >= STEP_EVERY {
            let ev = engine.step(&files, wall_ms(epoch), false);
            emit(out, &ev)?;
            last_step = Instant::now();
        }
    }
}

/// The position of a followed file as the checkpoint records it.
fn to_cp(p: &Pos, path: String) -> checkpoint::Position {
    checkpoint::Position {
        dev: p.id.dev,
        ino: p.id.ino,
        fingerprint: p.fingerprint,
        file: p.file,
        path,
        offset: p.offset,
        lines: p.lines,
    }
}

/// Saves the checkpoint, borrowing the running state.
fn save_checkpoint(path: &std::path::Path, engine: &mut Engine, tailer: &Tailer) -> io::Result<()> {
    engine.sync_files(tailer.files());
    checkpoint::save(
        path,
        &checkpoint::CheckpointRef {
            version: checkpoint::VERSION,
            state: &engine.state,
            positions: tailer.positions().into_iter().map(|(p, path)| to_cp(&p, path)).collect(),
            retired: tailer.retired().iter().map(|p| to_cp(p, String::new())).collect(),
            log_now: engine.log_now,
            log_start: engine.log_start,
            incidents: engine.life.reported(),
        },
    )
}

fn from_cp(p: &checkpoint::Position) -> Pos {
    Pos {
        id: fingerprint::FileId { dev: p.dev, ino: p.ino },
        fingerprint: p.fingerprint,
        file: p.file,
        offset: p.offset,
        lines: p.lines,
    }
}

fn follow_files(
    cfg: Config,
    mut engine: Engine,
    tx: Sender<Msg>,
    rx: Receiver<Msg>,
    reload: &mut Reloader,
    out: &mut Out<'_>,
) -> Result<Option<Summary>, FollowError> {
    let mut tailer = Tailer::new(cfg.paths.clone(), cfg.state.clone());
    tailer.default_component(cfg.component);
    tailer.zone(cfg.zone);
    tailer.walk_options(cfg.walk);
    let mut restored = false;
    if let Some(state) = &cfg.state {
        match checkpoint::load(state) {
            Ok(Some(cp)) => {
                let mut restored_state = cp.state;
                restored_state.remap_rules(engine.pack.id());
                restored_state.aggregates.set_max_keys(cfg.max_keys);
                tailer.restore(
                    restored_state.files.iter().map(|f| f.display.clone()).collect(),
                    cp.positions.iter().map(from_cp).collect(),
                    cp.retired.iter().map(from_cp).collect(),
                );
                // The file table is the tailer's (origins from the paths and this run's --component).
                restored_state.files.clear();
                engine.state = restored_state;
                engine.sync_files(tailer.files());
                engine.log_now = cp.log_now;
                engine.log_start = cp.log_start;
                engine.life = Lifecycle::restore(cfg.lifecycle, cp.incidents);
                restored = true;
            }
            Ok(None) => {}
            Err(e) => return Err(e.into()),
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
    if let Some(n) = engine.future_note(system_now()) {
        out.note(&n)?;
    }
    let ev = engine.step(tailer.files(), wall_ms(epoch), false);
    emit(out, &ev)?;
    let save = |engine: &mut Engine, tailer: &Tailer, out: &mut Out<'_>| -> io::Result<bool> {
        let Some(path) = &cfg.state else { return Ok(true) };
        match save_checkpoint(path, engine, tailer) {
            Ok(()) => Ok(true),
            Err(e) => {
                out.note(&format!("{}: cannot write checkpoint: {e} (still running; will retry)", path.display()))?;
                Ok(false)
            }
        }
    };
    let mut cp_dirty = !save(&mut engine, &tailer, out)?;
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
        let msg = rx.recv_timeout(timeout.min(TICK)).ok();
        let (mut need_list, mut need_read, mut stop) = (false, more, stopped(&cfg.stop));
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
                Msg::Signal(signal_hook::consts::SIGHUP) => reload.request(),
                Msg::Reloaded(loaded) => reload.finished(*loaded, &mut engine, out)?,
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
        if let Some(n) = engine.future_note(system_now()) {
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
            save(&mut engine, &tailer, out)?;
            return Ok(None);
        }
        if cp_dirty && last_cp.elapsed() >= cfg.checkpoint_interval {
            cp_dirty = !save(&mut engine, &tailer, out)?;
            last_cp = Instant::now();
        }
    }
}
