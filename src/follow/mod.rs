//! Tail mode (`stackscan follow`): follows log files through rotation and restarts and reports incidents as they
//! open, grow and resolve.
//!
//! Pure core, thin adapters: the blocks read are folded into one running [`ScanState`] by the scan's own hot
//! path; the correlator (the one `scan` uses) borrows it; [`lifecycle`] decides what to announce (time passed in);
//! [`tailer`] finds files and reads their new complete lines; [`checkpoint`] saves the state with where it was;
//! a report [`Printer`] writes events, and the [`Outputs`] (metrics, alerts, webhooks) see them too; [`banner`]
//! says at start what is followed and at the end whether the checkpoint was written; and [`run`] wires them to
//! inotify (or polling), signals and the clock (the wall clock is the caller's, through the outputs).

pub mod banner;
pub mod checkpoint;
pub mod fingerprint;
pub mod lifecycle;
pub mod news;
pub mod stream;
pub mod tailer;
mod watcher;

use crate::aggregate::{ScanState, ScannedFile};
use crate::correlate::{correlate, Incident};
use crate::export::{Outputs, Probe};
use crate::report::{Event, EventKind as Kind, Head, Item, Note, Printer, Summary, Tail};
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
    /// How long the last record read waits for the lines below it (its stack trace) before it is judged alone.
    pub record_wait: Duration,
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

/// How long (log time) a quiet problem's aggregates are kept after its last line.
pub const RETAIN_QUIET_MS: Millis = 24 * 3_600_000;
/// The most log time moves on at once from one block read (see [`advance`]).
const LOG_JUMP_MS: Millis = 3_600_000;

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
    /// What is read, for the metrics and the health check.
    probe: Probe,
    /// Mining the records no rule explains: the announcer of new ones.
    news: Option<news::News>,
    /// The oldest timestamp seen in any followed line (new templates are news a minute after it).
    log_start: Option<Millis>,
    /// The wall clock when the lines now read were read (passed in): log time is held within
    /// [`FUTURE_SLACK_MS`] of it.
    wall_now: Option<Millis>,
    /// The newest timestamp read, held or not (for the note about times in the future).
    newest_seen: Option<Millis>,
    /// A time more than [`LOG_JUMP_MS`] after log time, not taken until another block confirms the jump.
    jump: Option<Millis>,
}

impl Engine {
    fn new(pack: Pack, zone: Zone, life: Lifecycle, probe: Probe, news: Option<news::Settings>) -> Engine {
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
            wall_now: None,
            newest_seen: None,
            jump: None,
            warned_future: false,
            host: None,
            probe,
        }
    }

    /// A note, once per run, when a log time lies more than [`FUTURE_SLACK_MS`] after `wall_now` (the wall
    /// clock, passed in): `--timezone` is wrong, or a line carries a wrong date. Log time is held at the clock
    /// plus that slack, so one line dated 2099 does not make every incident quiet at once (opened and resolved
    /// in one step, over and over, and kept so in the checkpoint).
    fn future_note(&mut self, wall_now: Millis) -> Option<String> {
        let ahead = self.newest_seen? - wall_now;
        if self.warned_future || ahead <= FUTURE_SLACK_MS {
            return None;
        }
        self.warned_future = true;
        Some(format!(
            "log times lie up to {} minutes in the future of this machine's clock: is --timezone right? (zone-less \
             timestamps are read in {}); log time is held at the clock's plus {} minutes",
            ahead / 60_000,
            if self.zone == Zone::UTC { "UTC".to_string() } else { "the zone given".to_string() },
            FUTURE_SLACK_MS / 60_000
        ))
    }

    /// The wall clock now (passed in), for the lines read next.
    fn clock(&mut self, wall_now: Millis) {
        self.wall_now = Some(wall_now);
    }

    /// `t` as log time: no later than the clock allows.
    fn held(&self, t: Millis) -> Millis {
        self.wall_now.map_or(t, |w| t.min(w.saturating_add(FUTURE_SLACK_MS)))
    }

    fn on_block(&mut self, b: &Block<'_>) -> BlockCounts {
        if self.news.is_some() {
            if let Some(t) = first_time(&b.buf[b.start..], self.zone) {
                self.log_start = Some(self.log_start.map_or(t, |s| s.min(t)));
            }
        }
        let mine = self.news.is_some().then_some(&mut self.state.unexplained);
        let c = scan_block(&self.pack, &mut self.scratch, b, self.zone, &mut self.state.aggregates, mine);
        let bytes = (b.buf.len() - b.start) as u64;
        self.probe.read(b.origin.component, c.newlines, bytes);
        let stats = &mut self.state.stats;
        stats.bytes += bytes;
        stats.lines += c.newlines;
        stats.matches += c.matches;
        if let Some(t) = last_time(&b.buf[b.start..], self.zone) {
            self.newest_seen = Some(self.newest_seen.map_or(t, |n| n.max(t)));
            // A time near the clock is what a live log writes now: taken, whatever came before.
            let live = self.wall_now.is_some_and(|w| t <= w + FUTURE_SLACK_MS && t >= w - LOG_JUMP_MS);
            let held = self.held(t);
            advance(&mut self.log_now, &mut self.jump, held, live);
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

    /// Correlates the running state (borrowed, not copied), announces the events (and new unexplained error
    /// templates) through `out` and tells the outputs which incidents are open. Returns whether anything was
    /// announced.
    fn step(&mut self, files: &[ScannedFile], wall_ms: i64, flush: bool, out: &mut Out<'_>) -> io::Result<bool> {
        self.dirty = false;
        self.sync_files(files);
        let incidents = correlate(&self.pack, &self.state);
        let events = self.life.step(&incidents, self.log_now, wall_ms, flush);
        for &(k, i) in &events {
            out.event(k, &incidents[i], None)?;
        }
        out.outputs.stepped(&incidents, &|id| self.life.is_open(id));
        let (news, held) = match &mut self.news {
            Some(n) => n.step(&mut self.state.unexplained, self.log_start, wall_ms),
            None => (Vec::new(), 0),
        };
        let announced = !events.is_empty() || !news.is_empty() || held > 0;
        for (c, id) in news {
            let Some((_, t)) = self.state.unexplained.templates().find(|(tc, t)| *tc == c && t.id() == id) else {
                continue;
            };
            let view = crate::correlate::unexplained::view(&self.state, c, t);
            out.unexplained(&view)?;
        }
        if held > 0 {
            out.note(&format!(
                "{held} more new unexplained error template{} not announced (rate limit); `stackscan scan` lists them",
                if held == 1 { "" } else { "s" }
            ))?;
        }
        // Problems quiet for a day are reported and resolved: forget them, so memory stays bounded by recent
        // problems however long stackscan follows.
        if let Some(now) = self.log_now {
            self.state.aggregates.prune_quiet(now - RETAIN_QUIET_MS);
        }
        Ok(announced)
    }

    fn reload(&mut self, pack: Pack) {
        self.state.remap_rules(pack.id());
        self.scratch = Scratch::new(&pack);
        self.pack = pack;
        self.dirty = true;
    }
}

/// Log time moves on to `t` (the last time of a block read, already held within the clock's reach), unless `t`
/// leaps more than [`LOG_JUMP_MS`] ahead and is not `live` (near the wall clock): such a time is taken only when
/// another block leaps too (old logs that resume after a pause), the lesser of the two. One line with a wrong
/// date (a year 2099 in a banner) would otherwise make every open incident quiet at once, and every later one
/// opened and resolved in one step.
fn advance(log_now: &mut Option<Millis>, jump: &mut Option<Millis>, t: Millis, live: bool) {
    let Some(n) = *log_now else {
        *log_now = Some(t);
        return;
    };
    if t <= n {
        return;
    }
    if live || t - n <= LOG_JUMP_MS {
        *log_now = Some(t);
    } else if let Some(j) = jump.take() {
        *log_now = Some(n.max(j.min(t)));
    } else {
        *jump = Some(t);
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

/// Where events and notes go: notes to stderr (sanitised), and every item to the printer and to the outputs
/// (webhooks get each item's NDJSON line), stamped with the wall-clock time it is emitted at.
pub struct Out<'a> {
    printer: &'a mut dyn Printer,
    outputs: &'a mut Outputs,
}

impl<'a> Out<'a> {
    /// Items go to `printer` and to `outputs`.
    pub fn new(printer: &'a mut dyn Printer, outputs: &'a mut Outputs) -> Self {
        Out { printer, outputs }
    }

    /// One item, to the printer and to the outputs.
    fn item(&mut self, item: Item<'_>) -> io::Result<()> {
        self.outputs.item(item);
        self.printer.item(item)
    }

    fn event(&mut self, kind: Kind, incident: &Incident, reason: Option<&str>) -> io::Result<()> {
        self.outputs.event(kind, incident);
        let emitted_at = self.outputs.now();
        self.item(Item::Event(Event { kind, incident, reason, emitted_at }))
    }

    /// A new unexplained error template (tail mode's `unexplained` event).
    fn unexplained(&mut self, view: &crate::correlate::UnexplainedView) -> io::Result<()> {
        self.outputs.unexplained(view);
        let emitted_at = self.outputs.now();
        self.item(Item::Unexplained(view, Some(emitted_at)))
    }

    /// A note: on stderr, and to the printer (formats for programs write it to the stream too).
    pub fn note(&mut self, message: &str) -> io::Result<()> {
        eprintln!("stackscan: {}", crate::frame::sanitize::clean(message.as_bytes()));
        let emitted_at = self.outputs.now();
        self.item(Item::Note(Note { message, emitted_at }))
    }

    /// A line for the person at the terminal, on stderr only.
    fn tell(&self, line: &str) {
        eprintln!("stackscan: {line}");
    }

    /// A pass of the loop: the outputs' tick, and the notes they gathered.
    fn tick(&mut self, files: usize, log_now: Option<Millis>) -> io::Result<()> {
        self.outputs.tick(files, log_now);
        for n in self.outputs.take_notes() {
            self.note(&n)?;
        }
        Ok(())
    }
}

/// Follows until SIGINT/SIGTERM (or the end of standard input), writing events through `printer` and to
/// `outputs`.
pub fn run(
    cfg: Config,
    pack: Pack,
    reload: Reload,
    printer: &mut dyn Printer,
    mut outputs: Outputs,
) -> Result<(), FollowError> {
    printer.begin(Head::Follow)?;
    let mut out = Out::new(printer, &mut outputs);
    let summary = run_with(cfg, pack, reload, &mut out);
    // What the delivery queue could not deliver in its grace period is said, even after an error.
    for n in out.outputs.close() {
        out.note(&n)?;
    }
    Ok(out.printer.finish(Tail::Follow(summary?.as_ref()))?)
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
    let mut engine = Engine::new(pack, cfg.zone, Lifecycle::new(cfg.lifecycle), out.outputs.probe(), cfg.unexplained);
    engine.state.aggregates.set_max_keys(cfg.max_keys);
    engine.host = cfg.host.clone();
    let mut reload = Reloader::new(reload, tx.clone());
    let reload = &mut reload;
    if cfg.stdin {
        Ok(follow_stdin(&cfg, engine, tx, rx, reload, out)?)
    } else {
        follow_files(cfg, engine, tx, rx, reload, out)
    }
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
                out.outputs.reloaded(&p);
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
    cfg: &Config,
    mut engine: Engine,
    tx: Sender<Msg>,
    rx: Receiver<Msg>,
    reload: &mut Reloader,
    out: &mut Out<'_>,
) -> io::Result<Option<Summary>> {
    let origin = Origin { component: cfg.component, ..Origin::default() };
    let stop = &cfg.stop;
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
    out.tell(&banner::start_stdin(origin.component, out.outputs.describe().as_deref()));
    let mut stream = StreamBlocks::new(0, engine.zone).record_wait(cfg.record_wait);
    let epoch = Instant::now();
    let mut last_step = Instant::now();
    loop {
        let mut timeout = if engine.dirty || engine.life.has_pending() { STEP_EVERY } else { TICK };
        // A record held back for the lines below it is handed on once it has waited `--record-wait`.
        if let Some(due) = stream.hold_due() {
            timeout = timeout.min(due.saturating_duration_since(Instant::now()));
        }
        let msg = match rx.recv_timeout(timeout) {
            Ok(m) => Some(m),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => Some(Msg::StdinEnd(None)),
        };
        let mut end = stopped(stop).then_some(banner::Stop::OutputClosed);
        engine.clock(out.outputs.now());
        for m in msg.into_iter().chain(std::iter::from_fn(|| rx.try_recv().ok())) {
            match m {
                Msg::Stdin(data) => stream.push(&data, Some(Instant::now()), &origin, &mut |b| engine.on_block(b)),
                Msg::StdinEnd(err) => {
                    if let Some(e) = err {
                        out.note(&format!("-: read stopped: {e}"))?;
                    }
                    end = Some(banner::Stop::EndOfInput);
                }
                Msg::Signal(signal_hook::consts::SIGHUP) => reload.request(),
                Msg::Reloaded(loaded) => reload.finished(*loaded, &mut engine, out)?,
                Msg::Signal(s) => end = Some(banner::Stop::Signal(s)),
                Msg::Fs(_) => {}
            }
            if end.is_some() {
                break;
            }
        }
        if let Some(why) = end {
            stream.finish(&origin, &mut |b| engine.on_block(b));
            if let Some(n) = engine.future_note(out.outputs.now()) {
                out.note(&n)?;
            }
            engine.step(&files, wall_ms(epoch), true, out)?;
            // The input is over: what is still open is resolved (alerts too), and a summary follows. Stopped by a
            // signal, the input is not over: as a file follower's stop, it resolves nothing (an alert resolved
            // because stackscan was stopped would tell an operator the problem ended).
            let incidents = correlate(&engine.pack, &engine.state);
            if matches!(why, banner::Stop::EndOfInput) {
                for (k, i) in engine.life.end_of_input(&incidents) {
                    out.event(k, &incidents[i], Some("end of input"))?;
                }
            }
            out.outputs.stepped(&incidents, &|id| engine.life.is_open(id));
            out.tell(&banner::stop(why, &banner::Saved::None));
            return Ok(Some(Summary::of(&engine.state, &incidents)));
        }
        stream.release_due(Instant::now(), &origin, &mut |b| engine.on_block(b));
        if let Some(n) = engine.future_note(out.outputs.now()) {
            out.note(&n)?;
        }
        if (engine.dirty || engine.life.has_pending()) && last_step.elapsed() >= STEP_EVERY {
            engine.step(&files, wall_ms(epoch), false, out)?;
            last_step = Instant::now();
        }
        out.tick(1, engine.log_now)?;
    }
}

/// The position of a followed file as the checkpoint records it.
fn to_cp(p: &Pos, path: String, head: Option<u64>) -> checkpoint::Position {
    checkpoint::Position {
        dev: p.id.dev,
        ino: p.id.ino,
        fingerprint: p.fingerprint,
        head,
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
            positions: tailer.positions().into_iter().map(|(p, path, head)| to_cp(&p, path, head)).collect(),
            retired: tailer.retired().iter().map(|p| to_cp(p, String::new(), None)).collect(),
            away: tailer.away().into_iter().map(|(p, path, head)| to_cp(&p, path, Some(head))).collect(),
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
    tailer.record_wait(cfg.record_wait);
    let mut restored = false;
    if let Some(state) = &cfg.state {
        match checkpoint::load(state) {
            Ok(Some(cp)) => {
                let mut restored_state = cp.state;
                restored_state.remap_rules(engine.pack.id());
                restored_state.aggregates.set_max_keys(cfg.max_keys);
                tailer.restore(
                    restored_state.files.iter().map(|f| f.display.clone()).collect(),
                    cp.positions.iter().map(|p| (from_cp(p), p.head)).collect(),
                    cp.retired.iter().map(from_cp).collect(),
                );
                tailer.restore_away(cp.away.iter().filter_map(|p| Some((from_cp(p), p.head?))).collect());
                // The file table is the tailer's (origins from the paths and this run's --component).
                restored_state.files.clear();
                engine.state = restored_state;
                engine.sync_files(tailer.files());
                // A checkpoint written before log time was held may carry a time far ahead.
                engine.clock(out.outputs.now());
                engine.log_now = cp.log_now.map(|t| engine.held(t));
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
    engine.clock(out.outputs.now());
    tailer.list(start, read_compressed, &mut |b| engine.on_block(b));
    let watching = match &mode {
        Mode::Watch { .. } => banner::Watching::Inotify,
        Mode::Poll(i) => banner::Watching::Poll(*i),
    };
    let outputs = out.outputs.describe();
    out.tell(&banner::start_files(
        &cfg.paths,
        tailer.len(),
        watching,
        cfg.state.as_deref(),
        restored,
        outputs.as_deref(),
    ));
    while tailer.read(PASS_BUDGET, &mut |b| engine.on_block(b)).more {}
    for n in tailer.take_notes() {
        out.note(&n)?;
    }
    if let Some(n) = engine.future_note(out.outputs.now()) {
        out.note(&n)?;
    }
    engine.step(tailer.files(), wall_ms(epoch), false, out)?;
    // The checkpoint, counted in the metrics: where it went and how, or `None` when none is kept.
    let checkpoint = |engine: &mut Engine, tailer: &Tailer, out: &mut Out<'_>| {
        let path = cfg.state.as_deref()?;
        let saved = save_checkpoint(path, engine, tailer);
        out.outputs.checkpoint(saved.is_ok());
        Some((path, saved))
    };
    // While running, a failure is said and tried again later.
    let save = |engine: &mut Engine, tailer: &Tailer, out: &mut Out<'_>| -> io::Result<bool> {
        match checkpoint(engine, tailer, out) {
            Some((path, Err(e))) => {
                out.note(&format!("{}: cannot write checkpoint: {e} (still running; will retry)", path.display()))?;
                Ok(false)
            }
            _ => Ok(true),
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
        // A record held back at a file's end is handed on once it has waited `--record-wait` for lines below it.
        let held = tailer.hold_due();
        if let Some(due) = held {
            timeout = timeout.min(due.saturating_duration_since(now));
        }
        let msg = rx.recv_timeout(timeout.min(TICK)).ok();
        let (mut need_list, mut need_read) = (false, more || held.is_some_and(|due| Instant::now() >= due));
        let mut stop = stopped(&cfg.stop).then_some(banner::Stop::OutputClosed);
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
                Msg::Signal(s) => stop = Some(banner::Stop::Signal(s)),
                Msg::Stdin(_) | Msg::StdinEnd(_) => {}
            }
        }
        let full_every = match &mode {
            Mode::Poll(i) => *i,
            Mode::Watch { .. } => SAFETY_SCAN,
        };
        if last_full.elapsed() >= full_every || stop.is_some() {
            need_list = true;
            need_read = true;
            last_full = now;
        }
        engine.clock(out.outputs.now());
        let mut on_block = |b: &Block<'_>| engine.on_block(b);
        // A stop's last pass hands every complete line on (and closes the files no longer found).
        tailer.set_clock(stop.is_none().then(Instant::now));
        if need_list {
            // A listing may add, move or drop files: positions change even when no line was read.
            tailer.list(Start::Beginning, false, &mut on_block);
            cp_dirty = true;
        }
        more = false;
        if need_read {
            let budget = if stop.is_some() { usize::MAX } else { PASS_BUDGET };
            let c = tailer.read(budget, &mut on_block);
            more = c.more;
            cp_dirty |= c.bytes > 0;
        }
        for n in tailer.take_notes() {
            out.note(&n)?;
        }
        if let Some(n) = engine.future_note(out.outputs.now()) {
            out.note(&n)?;
        }
        let due = last_step.elapsed() >= STEP_EVERY || stop.is_some();
        if (engine.dirty || engine.life.has_pending()) && due && !more {
            cp_dirty |= engine.step(tailer.files(), wall_ms(epoch), stop.is_some(), out)?;
            last_step = Instant::now();
        }
        if let Some(why) = stop {
            let saved = match checkpoint(&mut engine, &tailer, out) {
                Some((path, Ok(()))) => banner::stop(why, &banner::Saved::Written(path)),
                Some((path, Err(e))) => banner::stop(why, &banner::Saved::Failed(path, &e)),
                None => banner::stop(why, &banner::Saved::None),
            };
            out.tell(&saved);
            return Ok(None);
        }
        out.tick(tailer.len(), engine.log_now)?;
        if cp_dirty && last_cp.elapsed() >= cfg.checkpoint_interval {
            cp_dirty = !save(&mut engine, &tailer, out)?;
            last_cp = Instant::now();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: Millis = 3_600_000;

    fn run(times: &[(Millis, bool)]) -> Option<Millis> {
        let (mut now, mut jump) = (None, None);
        for &(t, live) in times {
            advance(&mut now, &mut jump, t, live);
        }
        now
    }

    #[test]
    fn one_leap_is_not_log_time() {
        let t0 = 1_700_000_000_000;
        // A line dated far ahead between ordinary ones: log time goes on from the ordinary ones.
        assert_eq!(run(&[(t0, false), (t0 + 100 * H, false), (t0 + 1_000, false)]), Some(t0 + 1_000));
        // Logs that resume after a pause leap twice: the lesser leap is taken.
        assert_eq!(run(&[(t0, false), (t0 + 2 * H, false), (t0 + 2 * H + 5, false)]), Some(t0 + 2 * H));
        // Small steps and steps back.
        assert_eq!(run(&[(t0, false), (t0 + H, false), (t0 + 10, false)]), Some(t0 + H));
        // A live line (near the wall clock) is taken at once, however far it leaps.
        assert_eq!(run(&[(t0, false), (t0 + 30 * H, true)]), Some(t0 + 30 * H));
    }
}
