//! `stackscan follow` through the binary: files in a temporary directory are written, rotated, truncated,
//! compressed and deleted while the follower runs; its NDJSON events are read from stdout by a reader thread,
//! with deadlines (never blind sleeps) for the expected output. Every case runs with inotify and with polling.

use crate::util::Rng;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_stackscan");
const DEADLINE: Duration = Duration::from_secs(6);

#[derive(Clone, Copy, Debug)]
pub(crate) enum Mode {
    Watch,
    Poll,
}

/// A problem line the embedded pack matches (one incident per run: same rule, same key), `n` seconds after
/// 14:00:00.
pub(crate) fn line(n: u64) -> String {
    let (h, m, s) = (14 + n / 3600, (n / 60) % 60, n % 60);
    format!(
        "2024-03-12 {h:02}:{m:02}:{s:02},526 WARN  org.apache.kafka.clients.NetworkClient - [Producer clientId=producer-1] Connection to node 0 (kafka-0/10.20.0.7:9092) could not be established. Broker may not be available.\n"
    )
}

pub(crate) fn noise(n: u64) -> String {
    let (h, m, s) = (14 + n / 3600, (n / 60) % 60, n % 60);
    format!("2024-03-12 {h:02}:{m:02}:{s:02},100 INFO  com.stackstate.receiver.Receiver - all is well\n")
}

/// Writes lines, counting the problem ones and keeping timestamps increasing.
pub(crate) struct Writer {
    pub(crate) next: u64,
    pub(crate) written: u64,
}

impl Writer {
    pub(crate) fn new() -> Self {
        Writer { next: 0, written: 0 }
    }

    pub(crate) fn append(&mut self, path: &Path, problems: u64) {
        let mut text = String::new();
        for _ in 0..problems {
            text.push_str(&noise(self.next));
            text.push_str(&line(self.next));
            self.next += 1;
        }
        self.written += problems;
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
        f.write_all(text.as_bytes()).unwrap();
    }
}

pub(crate) struct Follower {
    pub(crate) child: Child,
    rx: Receiver<Value>,
    pub(crate) events: Vec<Value>,
}

impl Follower {
    /// `stackscan follow` with NDJSON output, every update announced, a checkpoint every 100 ms (or none), then
    /// `args`.
    pub(crate) fn command(mode: Mode, args: &[&str], state: Option<&Path>) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.arg("follow").args(["--format", "ndjson", "--update-interval", "0s", "--checkpoint-interval", "100ms"]);
        if let Mode::Poll = mode {
            cmd.args(["--poll", "100ms"]);
        }
        match state {
            Some(s) => cmd.arg("--state").arg(s),
            None => cmd.arg("--no-state"),
        };
        cmd.args(args);
        cmd
    }

    pub(crate) fn spawn(mode: Mode, args: &[&str], state: Option<&Path>) -> Follower {
        let mut cmd = Follower::command(mode, args, state);
        cmd.stderr(Stdio::null());
        Follower::start(cmd)
    }

    /// Starts `cmd` (whose stderr the caller has set up) with its stdout read, one JSON event per line.
    pub(crate) fn start(mut cmd: Command) -> Follower {
        cmd.stdout(Stdio::piped()).stdin(Stdio::null());
        let mut child = cmd.spawn().unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines() {
                let Ok(l) = l else { break };
                let v: Value = serde_json::from_str(&l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}"));
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        Follower { child, rx, events: Vec::new() }
    }

    /// Collects events until `pred` holds on them (true) or the deadline passes (false).
    pub(crate) fn wait(&mut self, pred: impl Fn(&[Value]) -> bool) -> bool {
        self.wait_for(DEADLINE, pred)
    }

    /// Takes in the events printed so far, without waiting.
    pub(crate) fn drain(&mut self) {
        while let Ok(v) = self.rx.try_recv() {
            self.events.push(v);
        }
    }

    /// [`Follower::wait`] with another deadline.
    pub(crate) fn wait_for(&mut self, deadline: Duration, pred: impl Fn(&[Value]) -> bool) -> bool {
        let end = Instant::now() + deadline;
        loop {
            if pred(&self.events) {
                return true;
            }
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            match self.rx.recv_timeout(left.min(Duration::from_millis(50))) {
                Ok(v) => self.events.push(v),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(_) => return pred(&self.events),
            }
        }
    }

    fn kill9(mut self) -> Vec<Value> {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        std::mem::take(&mut self.events)
    }

    pub(crate) fn term(mut self) -> Vec<Value> {
        let st = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(st.success());
        let end = Instant::now() + DEADLINE;
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            assert!(Instant::now() < end, "no exit after SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        };
        assert!(status.success(), "SIGTERM exits 0, got {status}");
        while let Ok(v) = self.rx.recv_timeout(Duration::from_millis(500)) {
            self.events.push(v);
        }
        std::mem::take(&mut self.events)
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Latest count announced per incident id, over events in order.
pub(crate) fn counts(events: &[Value]) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for e in events {
        if let Some(inc) = e.get("incident") {
            m.insert(inc["id"].as_str().unwrap().to_string(), inc["count"].as_u64().unwrap());
        }
    }
    m
}

pub(crate) fn total(events: &[Value]) -> u64 {
    counts(events).values().sum()
}

pub(crate) fn notes(events: &[Value]) -> Vec<String> {
    events.iter().filter(|e| e["event"] == "note").map(|e| e["message"].as_str().unwrap().to_string()).collect()
}

pub(crate) struct Env {
    pub(crate) _dir: tempfile::TempDir,
    pub(crate) logs: PathBuf,
    pub(crate) file: PathBuf,
    pub(crate) state: PathBuf,
}

pub(crate) fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("log");
    std::fs::create_dir_all(logs.join("stackstate-receiver")).unwrap();
    let file = logs.join("stackstate-receiver/stackstate-receiver.log");
    let state = dir.path().join("state/follow-state.json");
    Env { logs, file, state, _dir: dir }
}

/// Spawns a follower with a checkpoint and waits until it wrote its first one (it has listed the files and
/// installed its signal handlers). Its stderr is appended to [`stderr_of`]`(state)`, for a failing test to show.
pub(crate) fn spawn_ready(mode: Mode, args: &[&str], state: &Path) -> Follower {
    let mtime = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let before = mtime(state);
    let mut cmd = Follower::command(mode, args, Some(state));
    let log = stderr_of(state);
    std::fs::create_dir_all(log.parent().unwrap()).unwrap();
    cmd.stderr(std::fs::OpenOptions::new().create(true).append(true).open(&log).unwrap());
    let f = Follower::start(cmd);
    let end = Instant::now() + DEADLINE;
    while mtime(state) == before {
        assert!(Instant::now() < end, "no checkpoint written at start");
        std::thread::sleep(Duration::from_millis(10));
    }
    f
}

/// Where [`spawn_ready`] keeps the stderr of the followers of checkpoint `state`.
pub(crate) fn stderr_of(state: &Path) -> PathBuf {
    state.with_extension("stderr")
}

/// What a failed wait on `f` should show: whether it still runs, its notes and the end of its stderr.
fn post_mortem(f: &mut Follower, state: &Path) -> String {
    let status = f.child.try_wait().ok().flatten().map_or("running".to_string(), |s| s.to_string());
    let err = std::fs::read_to_string(stderr_of(state)).unwrap_or_default();
    let lines: Vec<&str> = err.lines().collect();
    let tail = lines[lines.len().saturating_sub(20)..].join("\n");
    format!("follower {status}; notes {:?}; stderr:\n{tail}", notes(&f.events))
}

/// Starts following `e.logs` from the end and waits until the first checkpoint says it listed the files.
fn start(mode: Mode, e: &Env, extra: &[&str]) -> Follower {
    let mut args: Vec<&str> = extra.to_vec();
    let logs = e.logs.to_str().unwrap();
    args.push(logs);
    spawn_ready(mode, &args, &e.state)
}

/// Writes one more problem line to `path` and waits until the total reaches `want + 1`: everything written
/// before it was seen. Returns the total, which must then be exactly `want + 1`.
fn barrier(f: &mut Follower, w: &mut Writer, path: &Path) -> u64 {
    w.append(path, 1);
    let want = w.written;
    f.wait(|ev| total(ev) >= want);
    total(&f.events)
}

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod watch {
            $( #[test] fn $name() { super::$name(super::Mode::Watch) } )*
        }
        mod poll {
            $( #[test] fn $name() { super::$name(super::Mode::Poll) } )*
        }
    };
}

both!(
    append,
    rename_and_create,
    renamed_away_and_still_written,
    copytruncate,
    copy_seen_empty,
    rotate_then_gzip,
    gzipped_while_stopped,
    gzipped_while_running_after_a_restart,
    copied_late_in_copytruncate,
    replaced_by_a_copy_of_itself,
    delete,
    new_file,
    partial_line,
    cri_split_line,
    record_written_in_parts,
    kill9_and_restart,
    sigterm_and_restart,
    a_line_dated_far_ahead,
    model,
    thousand_files,
);

fn append(mode: Mode) {
    let e = env();
    let mut w = Writer::new();
    w.append(&e.file, 2); // there before the start: not read by default
    let already = w.written;
    let mut f = start(mode, &e, &[]);
    w.append(&e.file, 3);
    assert!(f.wait(|ev| total(ev) == 3), "3 appended lines: {:?}", counts(&f.events));
    assert_eq!(f.events[0]["event"], "opened");
    assert_eq!(barrier(&mut f, &mut w, &e.file), w.written - already);
    // Line numbers count the lines that were there before the start.
    let last = f.events.iter().rev().find(|v| v.get("incident").is_some()).unwrap();
    let samples = last["incident"]["episodes"][0]["samples"].as_array().unwrap();
    assert_eq!(samples.last().unwrap()["line"].as_u64().unwrap(), 2 * w.written);
}

fn rename_and_create(mode: Mode) {
    let e = env();
    let mut w = Writer::new();
    let mut f = start(mode, &e, &[]);
    w.append(&e.file, 3);
    assert!(f.wait(|ev| total(ev) == 3));
    let rotated = e.logs.join("stackstate-receiver/stackstate-receiver.2024-03-12.0.log");
    std::fs::rename(&e.file, &rotated).unwrap();
    w.append(&rotated, 2); // the writer has not reopened yet
    w.append(&e.file, 4); // the new file
    assert!(f.wait(|ev| total(ev) == 9), "{:?}", counts(&f.events));
    assert_eq!(barrier(&mut f, &mut w, &e.file), w.written);
}

/// `follow FILE` with rename rotation: the rotated name is not followed, but the writer goes on writing to it until
/// it reopens its log (logrotate's `create` with a signal in `postrotate`). What it writes there meanwhile is read.
fn renamed_away_and_still_written(mode: Mode) {
    let e = env();
    let mut w = Writer::new();
    std::fs::write(&e.file, noise(0)).unwrap();
    let mut f = spawn_ready(mode, &[e.file.to_str().unwrap()], &e.state);
    w.append(&e.file, 3);
    assert!(f.wait(|ev| total(ev) == 3));
    let rotated = e.logs.join("stackstate-receiver/stackstate-receiver.log.1");
    std::fs::rename(&e.file, &rotated).unwrap();
    // The new file is found (so the rotated one was listed as gone)...
    assert_eq!(barrier(&mut f, &mut w, &e.file), 4, "{}", post_mortem(&mut f, &e.state));
    // ...and the writer, not reopened yet, still writes to the old one.
    w.append(&rotated, 2);
    assert!(f.wait(|ev| total(ev) == 6), "{:?} {}", counts(&f.events), post_mortem(&mut f, &e.state));
    assert_eq!(barrier(&mut f, &mut w, &e.file), w.written);
    // Stopped, it reads what is left and closes the rotated file; a restart reads nothing twice.
    w.append(&rotated, 1);
    let events = f.term();
    assert_eq!(total(&events), w.written);
    let mut f = spawn_ready(mode, &[e.file.to_str().unwrap()], &e.state);
    assert_eq!(barrier(&mut f, &mut w, &e.file), w.written, "{}", post_mortem(&mut f, &e.state));
}

fn copytruncate(mode: Mode) {
    let e = env();
    let mut w = Writer::new();
    let mut f = start(mode, &e, &[]);
    w.append(&e.file, 5);
    assert!(f.wait(|ev| total(ev) == 5));
    std::fs::copy(&e.file, e.logs.join("stackstate-receiver/stackstate-receiver.log.1")).unwrap();
    std::fs::OpenOptions::new().write(true).open(&e.file).unwrap().set_len(0).unwrap();
    w.append(&e.file, 2);
    assert!(f.wait(|ev| total(ev) == 7), "{:?}", counts(&f.events));
    assert_eq!(barrier(&mut f, &mut w, &e.file), w.written, "the copy is not read again");
    assert!(notes(&f.events).iter().any(|n| n.contains("truncated")), "{:?}", notes(&f.events));
}

/// copytruncate whose copy is caught still empty (created, not yet written): once it is written it is known by
/// its fingerprint and not read again.
fn copy_seen_empty(mode: Mode) {
    let e = env();
    let mut w = Writer::new();
    let mut f = start(mode, &e, &[]);
    w.append(&e.file, 5);
    assert!(f.wait(|ev| total(ev) == 5));
    let copy = e.logs.join("stackstate-receiver/stackstate-receiver.log.1");
    std::fs::File::create(&copy).unwrap();
    let listed =
        |state: &Path| std::fs::read_to_string(state).unwrap_or_default().contains("stackstate-receiver.log.1");
    let end = Instant::now() + DEADLINE;
    while !listed(&e.state) {
        assert!(Instant::now() < end, "the empty copy is followed");
        std::thread::sleep(Duration::from_millis(10));
    }
    let data = std::fs::read(&e.file).unwrap();
    std::fs::OpenOptions::new().append(true).open(&copy).unwrap().write_all(&data).unwrap();
    std::fs::OpenOptions::new().write(true).open(&e.file).unwrap().set_len(0).unwrap();
    w.append(&e.file, 2);
    assert!(f.wait(|ev| total(ev) == 7), "{:?}", counts(&f.events));
    assert_eq!(barrier(&mut f, &mut w, &e.file), w.written, "the copy is not read again");
}

fn rotate_then_gzip(mode: Mode) {
    let e = env();
    let mut w = Writer::new();
    let mut f = start(mode, &e, &[]);
    w.append(&e.file, 3);
    assert!(f.wait(|ev| total(ev) == 3));
    let rotated = e.logs.join("stackstate-receiver/stackstate-receiver.log.1");
    std::fs::rename(&e.file, &rotated).unwrap();
    w.append(&e.file, 2);
    assert!(f.wait(|ev| total(ev) == 5));
    let data = std::fs::read(&rotated).unwrap();
    let gz = std::fs::File::create(e.logs.join("stackstate-receiver/stackstate-receiver.log.1.gz")).unwrap();
    let mut enc = flate2::write::GzEncoder::new(gz, flate2::Compression::fast());
    enc.write_all(&data).unwrap();
    enc.finish().unwrap();
    std::fs::remove_file(&rotated).unwrap();
    assert_eq!(barrier(&mut f, &mut w, &e.file), w.written, "the .gz is not read again");
}

/// logrotate with `compress` while the follower is stopped: the file it followed is now a `.gz` of another
/// identity (and the new file often the old inode). The lines written after the checkpoint and before the rotation
/// are read from it once, numbered as they are there; the new file is read from its start.
fn gzipped_while_stopped(mode: Mode) {
    let e = env();
    let mut w = Writer::new();
    let mut f = start(mode, &e, &[]);
    w.append(&e.file, 3);
    assert!(f.wait(|ev| total(ev) == 3));
    f.term();
    w.append(&e.file, 2); // written while it is down, then rotated and compressed
    let rotated = e.logs.join("stackstate-receiver/stackstate-receiver.log.1");
    std::fs::rename(&e.file, &rotated).unwrap();
    let data = std::fs::read(&rotated).unwrap();
    let gz_path = e.logs.join("stackstate-receiver/stackstate-receiver.log.1.gz");
    let mut enc = flate2::write::GzEncoder::new(std::fs::File::create(&gz_path).unwrap(), flate2::Compression::fast());
    enc.write_all(&data).unwrap();
    enc.finish().unwrap();
    std::fs::remove_file(&rotated).unwrap();
    w.append(&e.file, 4);
    let mut f = spawn_ready(mode, &[e.logs.to_str().unwrap()], &e.state);
    let got = barrier(&mut f, &mut w, &e.file);
    assert_eq!(got, w.written, "each line counted once: {}", post_mortem(&mut f, &e.state));
    assert!(
        notes(&f.events).iter().any(|n| n.contains("compressed while stopped: reading on from line 7")),
        "{:?}",
        notes(&f.events)
    );
    f.term();
}

/// A short file (no fingerprint yet) resumed from a checkpoint, then rotated and compressed while running: its
/// lines were read under its plain name, and the `.gz` is not read again from the checkpoint's old position.
fn gzipped_while_running_after_a_restart(mode: Mode) {
    let e = env();
    let short =
        |n: u64| format!("2024-03-12 14:00:0{n},526 ERROR a.B - java.net.ConnectException: Connection refused\n");
    assert!(short(0).len() * 2 < 256);
    std::fs::write(&e.file, short(0)).unwrap();
    let f = spawn_ready(mode, &["--from-start", e.logs.to_str().unwrap()], &e.state);
    f.term();
    let mut f = spawn_ready(mode, &[e.logs.to_str().unwrap()], &e.state);
    append_to(&e.file, &short(1));
    assert!(f.wait(|ev| total(ev) == 2), "{:?}", counts(&f.events));
    let rotated = e.logs.join("stackstate-receiver/stackstate-receiver.log.1");
    std::fs::rename(&e.file, &rotated).unwrap();
    let data = std::fs::read(&rotated).unwrap();
    let gz = std::fs::File::create(e.logs.join("stackstate-receiver/stackstate-receiver.log.1.gz")).unwrap();
    let mut enc = flate2::write::GzEncoder::new(gz, flate2::Compression::fast());
    enc.write_all(&data).unwrap();
    enc.finish().unwrap();
    std::fs::remove_file(&rotated).unwrap();
    std::fs::write(&e.file, short(2)).unwrap();
    assert!(f.wait(|ev| total(ev) >= 3), "{:?}", counts(&f.events));
    let events = f.term();
    assert_eq!(total(&events), 3, "{:?}", notes(&events));
}

/// copytruncate where the writer adds lines between the copy and the truncation, and they are read from the
/// original first: the copy holds nothing unread (it is shorter than what was read), and is not read again.
fn copied_late_in_copytruncate(mode: Mode) {
    let e = env();
    let mut w = Writer::new();
    let mut f = start(mode, &e, &[]);
    w.append(&e.file, 50);
    assert!(f.wait(|ev| total(ev) == 50));
    std::fs::copy(&e.file, e.logs.join("stackstate-receiver/stackstate-receiver.log.1")).unwrap();
    w.append(&e.file, 3);
    assert!(f.wait(|ev| total(ev) == 53), "{:?}", counts(&f.events));
    std::fs::OpenOptions::new().write(true).open(&e.file).unwrap().set_len(0).unwrap();
    w.append(&e.file, 2);
    assert_eq!(barrier(&mut f, &mut w, &e.file), w.written, "{:?}", notes(&f.events));
}

/// A log replaced by a copy of itself with more lines (`cp`, append, `mv` over it): the new lines are read at
/// once (the replaced file no longer found holds nothing back), and a `kill -9` then a restart count nothing twice.
fn replaced_by_a_copy_of_itself(mode: Mode) {
    let e = env();
    let mut w = Writer::new();
    let mut f = start(mode, &e, &[]);
    w.append(&e.file, 3);
    assert!(f.wait(|ev| total(ev) == 3));
    let tmp = e.logs.join("stackstate-receiver/tmp");
    std::fs::copy(&e.file, &tmp).unwrap();
    w.append(&tmp, 2);
    std::fs::rename(&tmp, &e.file).unwrap();
    assert!(f.wait(|ev| total(ev) == 5), "{:?}", counts(&f.events));
    std::thread::sleep(Duration::from_millis(300)); // a checkpoint or two
    let before = f.kill9();
    let mut f = spawn_ready(mode, &[e.logs.to_str().unwrap()], &e.state);
    let mut events = before;
    let got = barrier(&mut f, &mut w, &e.file);
    assert_eq!(got, w.written, "{}", post_mortem(&mut f, &e.state));
    events.append(&mut f.events);
    assert_eq!(total(&events), w.written);
}

fn delete(mode: Mode) {
    let e = env();
    let mut w = Writer::new();
    let other = e.logs.join("stackstate-receiver/stackstate-receiver.2.log");
    let mut f = start(mode, &e, &[]);
    w.append(&other, 3);
    assert!(f.wait(|ev| total(ev) == 3));
    w.append(&other, 2);
    std::fs::remove_file(&other).unwrap();
    assert!(f.wait(|ev| total(ev) == 5), "read to its end: {:?}", counts(&f.events));
    assert_eq!(barrier(&mut f, &mut w, &e.file), w.written);
}

fn new_file(mode: Mode) {
    let e = env();
    let mut w = Writer::new();
    let mut f = start(mode, &e, &[]);
    std::fs::create_dir_all(e.logs.join("stackstate-receiver/archive")).unwrap();
    w.append(&e.logs.join("stackstate-receiver/archive/stackstate-receiver.new.log"), 4);
    assert!(f.wait(|ev| total(ev) == 4), "a new file is read from 0: {:?}", counts(&f.events));
    assert_eq!(barrier(&mut f, &mut w, &e.file), w.written);
}

fn partial_line(mode: Mode) {
    let e = env();
    let mut w = Writer::new();
    let mut f = start(mode, &e, &[]);
    let other = e.logs.join("stackstate-receiver/other.log");
    let full = line(1000);
    let (a, b) = full.split_at(60);
    std::fs::write(&other, a).unwrap();
    assert_eq!(barrier(&mut f, &mut w, &e.file), 1, "a partial line is held");
    std::fs::OpenOptions::new().append(true).open(&other).unwrap().write_all(b.as_bytes()).unwrap();
    assert!(f.wait(|ev| total(ev) == 2), "counted once complete: {:?}", counts(&f.events));
    w.written += 1;
    assert_eq!(barrier(&mut f, &mut w, &e.file), w.written);
}

/// A containerd (CRI) file: a line split into parts, the first written now and the last later, is searched whole
/// once its last part is written (its failure is in neither part alone).
fn cri_split_line(mode: Mode) {
    let e = env();
    let mut w = Writer::new();
    let mut f = start(mode, &e, &[]);
    let cri = e.logs.join("stackstate-receiver/receiver-cri.log");
    let head = "2024-03-12T11:42:29.400405200Z stdout F 2024-03-12 11:42:29,400 INFO  c.s.receiver.ReceiverStats - \
                Received 1208 requests in the last 60 seconds\n\
                2024-03-12T11:42:30.101102313Z stdout P 2024-03-12 11:42:30,101 ERROR \
                c.s.kafka.reconnectable.AsyncReconnectableProducerImpl - Failed to\n";
    std::fs::write(&cri, head).unwrap();
    assert_eq!(barrier(&mut f, &mut w, &e.file), 1, "the split line waits for its last part");
    let rest = "2024-03-12T11:42:30.101102313Z stdout F  send messages to Kafka\n";
    std::fs::OpenOptions::new().append(true).open(&cri).unwrap().write_all(rest.as_bytes()).unwrap();
    assert!(f.wait(|ev| total(ev) == 2), "counted once whole: {:?}", counts(&f.events));
    w.written += 1;
    assert_eq!(barrier(&mut f, &mut w, &e.file), w.written);
}

/// A kafka-to-es record whose header and stack trace are written apart (a writer that logs line by line, as
/// containerd writes a container's lines). Lines that open a record below them, or nothing.
pub(crate) const K2ES_HEADER: &str = "2024-03-12 11:42:39,197 [KafkaToES-akka.actor.default-dispatcher-23] ERROR \
    c.s.k.e.s.BulkIndexer - Failed to index batch of 250 events, retrying in 5 seconds\n";
pub(crate) const K2ES_TRACE: &str = "\
com.stackstate.kafkatoes.elasticsearch.BulkIndexingFailedException: Bulk request to Elasticsearch failed after 1 attempt(s)
\tat com.stackstate.kafkatoes.elasticsearch.BulkIndexer.$anonfun$flush$2(BulkIndexer.scala:151)
\tat akka.dispatch.Mailbox.run(Mailbox.scala:231)
Caused by: org.elasticsearch.ElasticsearchStatusException: Elasticsearch exception [type=cluster_block_exception, \
reason=index [sts_generic_events-2024.03.12] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage \
watermark, index has read-only-allow-delete block];]
\tat org.elasticsearch.rest.BytesRestResponse.errorFromXContent(BytesRestResponse.java:178)
\t... 12 more
";

/// The ids of the incidents opened so far.
pub(crate) fn opened(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["event"] == "opened")
        .map(|e| e["incident"]["id"].as_str().unwrap().to_string())
        .collect()
}

/// The header of a record is read before its stack trace is written: it waits for the lines below it, so the
/// failure kind the trace names opens the incident a scan of the file reports (Elasticsearch's flood-stage block,
/// in the chain of a full disk), and the fallback on the header alone (`k2es.bulk-failure`) opens none. With
/// nothing below it, the record is handed on after its wait (3 s here, far more than the 450 ms between the
/// writes, so that a slow machine does not hand the header on alone).
fn record_written_in_parts(mode: Mode) {
    let e = env();
    let mut f = write_header_of(mode, &e, "3s");
    the_trace_completes_the_record(&mut f, &e);
}

/// With the header of a bulk failure read and held: nothing opens for 450 ms (several polls, two correlation
/// steps); then the trace is written below it, and the incident that opens is the one a scan reports.
fn the_trace_completes_the_record(f: &mut Follower, e: &Env) {
    assert!(!f.wait_for(Duration::from_millis(450), |ev| !opened(ev).is_empty()), "{:?}", opened(&f.events));
    append_to(&k2es_log(e), K2ES_TRACE);
    assert!(f.wait(|ev| !opened(ev).is_empty()), "the record is handed on: {}", post_mortem(f, &e.state));
    f.wait_for(Duration::from_millis(1200), |ev| opened(ev).len() > 1);
    only_opened(f, "chain.es-disk-full");
}

/// The only incident opened is one of `rule`.
fn only_opened(f: &Follower, rule: &str) {
    let ids = opened(&f.events);
    assert!(ids.len() == 1 && ids[0].starts_with(rule), "{ids:?}");
}

/// A kafka-to-es log in the followed tree, created holding `text`.
fn k2es_log_holding(e: &Env, text: &str) -> PathBuf {
    let k2es = k2es_log(e);
    std::fs::create_dir_all(k2es.parent().unwrap()).unwrap();
    std::fs::write(&k2es, text).unwrap();
    k2es
}

fn k2es_log(e: &Env) -> PathBuf {
    e.logs.join("kafka-to-es/kafkaEventsToES.log")
}

/// `--record-wait 0s`: the header is judged as soon as it is read, without the trace written after it (the
/// fallback opens): the wait above is what keeps them together.
#[test]
fn record_wait_zero_judges_the_header_alone() {
    let e = env();
    let mut f = write_header_of(Mode::Watch, &e, "0s");
    assert!(f.wait(|ev| !opened(ev).is_empty()), "the header is handed on: {}", post_mortem(&mut f, &e.state));
    only_opened(&f, "k2es.bulk-failure");
}

/// Starts a follower with `--record-wait WAIT` on a kafka-to-es log and appends the header of a bulk failure
/// (without its stack trace).
fn write_header_of(mode: Mode, e: &Env, wait: &str) -> Follower {
    let k2es = k2es_log_holding(
        e,
        "2024-03-12 11:41:38,693 [KafkaToES-akka.actor.default-dispatcher-22] INFO  \
        c.s.k.e.s.BulkIndexer - Indexed 250 documents into sts_state_events-2024.03.12 in 306 ms\n",
    );
    let f = start(mode, e, &["--record-wait", wait]);
    append_to(&k2es, K2ES_HEADER);
    f
}

fn append_to(path: &Path, text: &str) {
    std::fs::OpenOptions::new().append(true).open(path).unwrap().write_all(text.as_bytes()).unwrap();
}

fn kill9_and_restart(mode: Mode) {
    let e = env();
    let mut w = Writer::new();
    let mut f = start(mode, &e, &[]);
    w.append(&e.file, 5);
    assert!(f.wait(|ev| total(ev) == 5));
    std::thread::sleep(Duration::from_millis(300)); // a checkpoint or two
    w.append(&e.file, 3); // perhaps read, surely not checkpointed
    let mut events = f.kill9();
    w.append(&e.file, 4); // written while it is down
    let mut f = Follower::spawn(mode, &[e.logs.to_str().unwrap()], Some(&e.state));
    let want = w.written;
    let got = barrier(&mut f, &mut w, &e.file);
    assert_eq!(got, want + 1, "every line counted exactly once");
    events.append(&mut f.events);
    assert_eq!(total(&events), w.written);
}

fn sigterm_and_restart(mode: Mode) {
    let e = env();
    let mut w = Writer::new();
    let mut f = start(mode, &e, &[]);
    w.append(&e.file, 3);
    assert!(f.wait(|ev| total(ev) == 3));
    f.term();
    let mut f = Follower::spawn(mode, &[e.logs.to_str().unwrap()], Some(&e.state));
    assert_eq!(barrier(&mut f, &mut w, &e.file), 4, "the restart resumes");
    let incidents: Vec<&Value> = f.events.iter().filter(|v| v.get("incident").is_some()).collect();
    assert_eq!(incidents.len(), 1, "nothing reported again: {:?}", f.events);
    assert_eq!(incidents[0]["event"], "updated");
}

/// One line dated far ahead (a banner's year 2099) in another file is not log time: the open incident does not
/// turn quiet, later lines update it under its id, and a restart resumes the same (nothing resolved, nothing
/// opened twice).
fn a_line_dated_far_ahead(mode: Mode) {
    let e = env();
    let mut w = Writer::new();
    let mut f = start(mode, &e, &[]);
    w.append(&e.file, 3);
    assert!(f.wait(|ev| total(ev) == 3));
    std::fs::create_dir_all(e.logs.join("kafka")).unwrap();
    std::fs::write(
        e.logs.join("kafka/server.log"),
        "[2099-01-01 00:00:00,000] INFO [KafkaServer id=0] started (kafka.server.KafkaServer)\n",
    )
    .unwrap();
    assert_eq!(barrier(&mut f, &mut w, &e.file), w.written);
    let mut events = f.term();
    let mut f = Follower::spawn(mode, &[e.logs.to_str().unwrap()], Some(&e.state));
    assert_eq!(barrier(&mut f, &mut w, &e.file), w.written);
    events.append(&mut f.events);
    let kinds: Vec<&str> =
        events.iter().filter(|v| v.get("incident").is_some()).map(|v| v["event"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "opened").count(), 1, "{kinds:?}");
    assert!(!kinds.contains(&"resolved"), "{kinds:?}");
    assert_eq!(counts(&events).len(), 1, "one incident id: {:?}", counts(&events));
}

/// model: every problem line written is counted exactly once.
fn model(mode: Mode) {
    // Ten sequences per mode (twenty in all, with different seeds): each follower start compiles the pack,
    // which is what the time goes to in a debug build.
    let salt = match mode {
        Mode::Watch => 0,
        Mode::Poll => 100,
    };
    let threads: Vec<_> = (0..2u64)
        .map(|t| {
            std::thread::spawn(move || {
                for s in 0..5u64 {
                    one_sequence(mode, 0x9e3779b97f4a7c15 ^ (salt + t * 5 + s + 1));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

fn one_sequence(mode: Mode, seed: u64) {
    let e = env();
    let mut rng = Rng(seed);
    let mut w = Writer::new();
    let mut lines_in_file = 0;
    let mut rotations = 0;
    let mut log = Vec::new();
    let logs = e.logs.to_str().unwrap().to_string();
    let mut f = Some(spawn_ready(mode, &["--from-start", &logs], &e.state));
    let mut events = Vec::new();
    for _ in 0..6 {
        match rng.next() % 6 {
            0..=2 => {
                let n = 1 + rng.next() % 4;
                w.append(&e.file, n);
                lines_in_file += n;
                log.push(format!("write {n}"));
            }
            3 => {
                rotations += 1;
                let to = e.logs.join(format!("stackstate-receiver/stackstate-receiver.{rotations}.log"));
                if e.file.exists() {
                    std::fs::rename(&e.file, &to).unwrap();
                }
                lines_in_file = 0;
                log.push("rotate".into());
            }
            // copytruncate: only of a file past the fingerprint size (see the README's limits)
            4 if lines_in_file >= 2 => {
                rotations += 1;
                let to = e.logs.join(format!("stackstate-receiver/stackstate-receiver.{rotations}.log"));
                std::fs::copy(&e.file, &to).unwrap();
                std::fs::OpenOptions::new().write(true).open(&e.file).unwrap().set_len(0).unwrap();
                lines_in_file = 0;
                log.push("copytruncate".into());
            }
            _ => {
                let old = f.take().unwrap();
                if rng.next().is_multiple_of(2) {
                    events.append(&mut old.kill9());
                    log.push("kill -9".into());
                } else {
                    events.append(&mut old.term());
                    log.push("term".into());
                }
                f = Some(spawn_ready(mode, &[&logs], &e.state));
            }
        }
    }
    let mut f = f.take().unwrap();
    let want = w.written + 1;
    let got = barrier(&mut f, &mut w, &e.file);
    let why = if got == want { String::new() } else { post_mortem(&mut f, &e.state) };
    events.append(&mut f.events);
    assert_eq!(got, want, "seed {seed:#x}, ops {log:?}, counts {:?}; {why}", counts(&events));
    assert_eq!(total(&events), want, "seed {seed:#x}, ops {log:?}");
}

#[test]
fn stdin_is_followed_to_its_end() {
    let mut child = Command::new(BIN)
        .args(["follow", "--format", "ndjson", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut text = String::new();
    for n in 0..3 {
        text.push_str(&line(n));
    }
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let events: Vec<Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(total(&events), 3, "{events:?}");
}

/// A checkpoint that cannot be used (a directory, text that is no checkpoint) stops follow with exit 2 and one line
/// that says why once and what to do; the checkpoint is left as it is.
#[test]
fn an_unusable_checkpoint_is_said_once() {
    let e = env();
    std::fs::write(&e.file, noise(0)).unwrap();
    let bad = e.state.parent().unwrap().join("bad.json");
    std::fs::create_dir_all(&e.state).unwrap();
    std::fs::write(&bad, "not json").unwrap();
    for (state, why) in [(&e.state, "cannot read checkpoint: "), (&bad, "not a stackscan checkpoint: ")] {
        let o = Command::new(BIN)
            .args(["follow", "--state"])
            .arg(state)
            .arg(&e.logs)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "{err}");
        assert!(lines[0].starts_with(&format!("stackscan: {}: {why}", state.display())), "{err}");
        assert!(lines[0].ends_with("(move it away to start afresh)"), "{err}");
        assert_eq!(lines[0].matches(why).count(), 1, "{err}");
    }
    assert!(e.state.is_dir() && std::fs::read_to_string(&bad).unwrap() == "not json");
}

/// Standard input stopped by SIGTERM (`kubectl logs -f | stackscan follow -` under a supervisor) has not ended:
/// nothing is resolved, and the summary still follows.
#[test]
fn stdin_stopped_by_a_signal_resolves_nothing() {
    let mut child = Command::new(BIN)
        .args(["follow", "--format", "ndjson", "--update-interval", "0s", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let text: String = (0..3).map(line).collect::<String>() + &noise(4);
    stdin.write_all(text.as_bytes()).unwrap();
    let out = child.stdout.take().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for l in BufReader::new(out).lines() {
            let Ok(l) = l else { break };
            let _ = tx.send(serde_json::from_str::<Value>(&l).unwrap());
        }
    });
    let mut events = Vec::new();
    let end = Instant::now() + DEADLINE;
    while total(&events) < 3 && Instant::now() < end {
        if let Ok(v) = rx.recv_timeout(Duration::from_millis(50)) {
            events.push(v);
        }
    }
    assert_eq!(total(&events), 3, "{events:?}");
    let st = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(st.success());
    assert!(child.wait().unwrap().success());
    drop(stdin);
    events.extend(rx.iter());
    assert!(events.iter().all(|e| e["event"] != "resolved"), "{events:?}");
    assert_eq!(events.last().unwrap()["event"], "summary", "{events:?}");
}

/// On standard input too (`kubectl logs -f` prints a pod's lines as they come), a record whose stack trace comes
/// after its header waits for it.
#[test]
fn stdin_record_written_in_parts() {
    let mut child = Command::new(BIN)
        .args(["follow", "--format", "ndjson", "--component", "kafka-to-es", "--record-wait", "3s", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let out = child.stdout.take().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for l in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(serde_json::from_str::<Value>(&l).unwrap()).is_err() {
                break;
            }
        }
    });
    let mut f = Follower { child, rx, events: Vec::new() };
    stdin.write_all(K2ES_HEADER.as_bytes()).unwrap();
    stdin.flush().unwrap();
    assert!(!f.wait_for(Duration::from_millis(450), |ev| !opened(ev).is_empty()), "{:?}", opened(&f.events));
    stdin.write_all(K2ES_TRACE.as_bytes()).unwrap();
    stdin.flush().unwrap();
    // Still open: the record is handed on after its wait, not at the end of the input.
    assert!(f.wait(|ev| !opened(ev).is_empty()), "the record is handed on while the input is open");
    f.wait_for(Duration::from_millis(700), |ev| opened(ev).len() > 1);
    let ids = opened(&f.events);
    assert!(ids.len() == 1 && ids[0].starts_with("chain.es-disk-full"), "{ids:?}");
    drop(stdin);
}

/// Every capture the fixtures hold (stern's, kubectl's with prefixes and timestamps, Docker's and containerd's
/// files), piped into `follow -`, counts what `scan -` counts per incident. Stern's format is told from the first
/// lines `follow` reads: there, a stack trace longer than the lines around it took the capture for plain lines
/// (each trace line a record of its own: 7 records where scan reads 5).
#[test]
fn stdin_captures_match_scan() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/kubectl");
    let captures = walkdir::WalkDir::new(&root).sort_by_file_name().into_iter().filter_map(Result::ok);
    let mut compared = 0;
    for entry in captures.filter(|e| e.file_type().is_file()) {
        let text = std::fs::read(entry.path()).unwrap();
        let want = incident_counts(&crate::util::scan_json_stdin(&[], &text));
        let out = crate::util::run_with_stdin(&["follow", "--format", "ndjson", "--no-state"], &text);
        let events: Vec<Value> =
            String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert!(!want.is_empty(), "{}", entry.path().display());
        assert_eq!(counts(&events), want, "{}", entry.path().display());
        compared += 1;
    }
    assert!(compared >= 5, "{compared}");
}

#[test]
fn stdin_takes_the_component_named_on_the_command_line() {
    // A bare Go dial error names no component; `--component` does, as it does for `scan -`. (Not to :9200: an
    // Elasticsearch address makes it the bulk writer's, k2es.es-client-refused.)
    let text = "2024-03-12 10:00:00,000 WARN  c.s.Client - dial tcp 10.0.0.1:7070: connect: connection refused\n";
    let components = |extra: &[&str]| -> Vec<String> {
        let mut child = Command::new(BIN)
            .args(["follow", "--format", "ndjson"])
            .args(extra)
            .arg("-")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        let events: Vec<Value> =
            String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        events
            .iter()
            .filter(|e| e["event"] == "opened")
            .map(|e| e["incident"]["episodes"][0]["component"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(components(&[]), ["unknown"]);
    assert_eq!(components(&["--component", "kafka-to-es"]), ["kafka-to-es"]);
}

/// The records `scan` counts per incident in `dir`.
fn scan_counts(dir: &Path) -> BTreeMap<String, u64> {
    let scan = Command::new(BIN).args(["scan", "--format", "json"]).arg(dir).output().unwrap();
    incident_counts(&serde_json::from_slice(&scan.stdout).unwrap())
}

/// The records a scan report counts per incident.
fn incident_counts(report: &Value) -> BTreeMap<String, u64> {
    report["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["id"].as_str().unwrap().to_string(), i["count"].as_u64().unwrap()))
        .collect()
}

#[test]
fn from_start_replay_matches_scan() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/linux");
    replay_matches_scan(&dir);
}

/// Files written a moment ago are replayed as files at rest are: read whole before the first correlation, so each
/// incident is announced once. (Holding each file's last record for the lines below it, as live reads do, announced
/// an incident of the first, untimed line alone here, under an id scan never gives: its time was on the last line.)
#[test]
fn from_start_replay_of_fresh_files_matches_scan() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["kafka_sarama_out_of_brokers.log", "opensearch_circuit_breaker_bulk_wazuh.log"] {
        let text = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/real").join(name)).unwrap();
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    replay_matches_scan(dir.path());
}

/// `follow --from-start DIR` announces the incidents `scan DIR` reports, each id once, with scan's counts.
fn replay_matches_scan(dir: &Path) {
    let want = scan_counts(dir);
    assert!(!want.is_empty());
    let mut f = Follower::spawn(Mode::Watch, &["--from-start", dir.to_str().unwrap()], None);
    f.wait(|ev| counts(ev) == want);
    f.wait_for(Duration::from_millis(1500), |ev| counts(ev) != want);
    let events = f.term();
    assert_eq!(counts(&events), want);
    let mut ids = opened(&events);
    ids.sort();
    assert_eq!(ids, want.keys().cloned().collect::<Vec<_>>(), "each incident announced once");
}

/// The example server's logs written live, as its processes write them: each line appended to its file in the
/// order of their times, in pieces of random sizes (cut anywhere, a line or a record in two), often with a short
/// pause in which the follower reads. What `follow` counts per incident equals what `scan` of the written files
/// reports: no record lost, counted twice or judged without the lines below it, wherever a read fell (before the
/// last record of a read waited for the lines below it, kafka-to-es headers read without their traces added
/// their fallback's events to the chain: 371 records against the scan's 360). Seeded.
#[test]
fn live_writing_matches_scan() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/linux/opt/stackstate/var/log");
    let names = [
        "kafka-to-es/kafkaEventsToES.log",
        "kafka-to-es/kafkaMultiMetricsToES.log",
        "stackstate-receiver/stackstate-receiver.log",
        "elasticsearch7/stackstate.log",
        "kafka/server.log",
    ];
    // Each line with the time of its record (a continuation line takes its header's), for the order of writing.
    let stamp = |l: &str| {
        let t = l.trim_start_matches('[');
        let ok = t.len() >= 19 && t.as_bytes()[4] == b'-' && t.as_bytes()[13] == b':';
        ok.then(|| t[..19].replace('T', " "))
    };
    let mut lines: Vec<(String, usize, usize, String)> = Vec::new();
    for (fi, name) in names.iter().enumerate() {
        let text = std::fs::read_to_string(root.join(name)).unwrap();
        let mut last = String::new();
        for (k, l) in text.lines().enumerate() {
            if let Some(t) = stamp(l) {
                last = t;
            }
            lines.push((last.clone(), fi, k, format!("{l}\n")));
        }
    }
    lines.sort();
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = names.iter().map(|n| dir.path().join(n)).collect();
    for p in &paths {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, "").unwrap();
    }
    let mut f = Follower::spawn(Mode::Watch, &[dir.path().to_str().unwrap()], None);
    std::thread::sleep(Duration::from_millis(300)); // its first listing
    let mut files: Vec<std::fs::File> =
        paths.iter().map(|p| std::fs::OpenOptions::new().append(true).open(p).unwrap()).collect();
    let mut pending: Vec<Vec<u8>> = vec![Vec::new(); names.len()];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for (_, fi, _, l) in &lines {
        pending[*fi].extend_from_slice(l.as_bytes());
        if rng.below(8) == 0 {
            for (k, data) in pending.iter_mut().enumerate() {
                let cut = if rng.below(4) == 0 { rng.below(data.len() + 1) } else { data.len() };
                files[k].write_all(&data[..cut]).unwrap();
                data.drain(..cut);
            }
            if rng.below(5) == 0 {
                std::thread::sleep(Duration::from_millis(3));
            }
        }
    }
    for (k, data) in pending.iter().enumerate() {
        files[k].write_all(data).unwrap();
    }
    let want = scan_counts(dir.path());
    assert!(want.len() >= 3, "{want:?}");
    f.wait(|ev| counts(ev) == want);
    let events = f.term();
    assert_eq!(counts(&events), want);
}

/// A thousand followed files (a node's worth of pod logs): each is picked up, and a problem line written to any of
/// them is announced. Memory and latency are measured by `benches/`, not asserted here; the peak resident size is
/// printed for the record.
fn thousand_files(mode: Mode) {
    let e = env();
    for d in 0..10 {
        let dir = e.logs.join(format!("stackstate-receiver-{d}"));
        std::fs::create_dir_all(&dir).unwrap();
        for i in 0..100 {
            std::fs::write(dir.join(format!("stackstate-receiver-{i}.log")), noise(i)).unwrap();
        }
    }
    let mut f = start(mode, &e, &[]);
    let mut w = Writer::new();
    w.append(&e.logs.join("stackstate-receiver-7/stackstate-receiver-37.log"), 1);
    w.append(&e.logs.join("stackstate-receiver-0/stackstate-receiver-3.log"), 1);
    w.append(&e.logs.join("stackstate-receiver-9/stackstate-receiver-99.log"), 1);
    assert!(f.wait(|ev| total(ev) == 3), "3 problems in 3 of 1000 files: {:?}", counts(&f.events));
    let status = std::fs::read_to_string(format!("/proc/{}/status", f.child.id())).unwrap_or_default();
    if let Some(hwm) = status.lines().find(|l| l.starts_with("VmHWM")) {
        eprintln!("follow with 1000 files ({mode:?}): {hwm}");
    }
}

/// A pack of one rule matching `needle`, written to `dir/pack.toml`.
fn write_pack(dir: &Path, id: &str, needle: &str) {
    let text = format!(
        r#"[[rule]]
id = "{id}"
title = "Test rule {id}"
family = "connection"
severity = "error"
components = ["receiver"]
pattern = '''{needle} to (?P<target>\S+)'''
key = ["target"]
next_steps = ["none"]

[[rule.examples]]
line = "2024-03-12 14:00:00,000 ERROR x - {needle} to h:1"
fields = {{ target = "h:1" }}

[[family]]
id = "connection"
"#
    );
    std::fs::write(dir.join("pack.toml"), text).unwrap();
}

/// SIGHUP reloads the rule pack; a pack that does not load keeps the old one and the run goes on.
#[test]
fn sighup_reloads_the_pack_and_keeps_the_old_one_when_bad() {
    let e = env();
    let rules = e.logs.parent().unwrap().join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    write_pack(&rules, "test.first", "FIRST-PROBLEM");
    let rules_arg = rules.to_str().unwrap().to_string();
    let mut f = start(Mode::Watch, &e, &["--rules", &rules_arg]);
    let hup = |f: &Follower| {
        assert!(Command::new("kill").args(["-HUP", &f.child.id().to_string()]).status().unwrap().success());
    };
    let append = |text: &str| {
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&e.file).unwrap();
        file.write_all(text.as_bytes()).unwrap();
    };
    let ids = |ev: &[Value]| -> Vec<String> {
        ev.iter()
            .filter_map(|v| v.get("incident"))
            .map(|i| i["root_cause"]["rule"].as_str().unwrap().to_string())
            .collect()
    };

    append("2024-03-12 14:00:01,000 ERROR x - FIRST-PROBLEM to a:1\n");
    assert!(f.wait(|ev| ids(ev).contains(&"test.first".to_string())), "the first pack matches");

    // A broken pack: the reload fails, the old pack stays in use.
    std::fs::write(rules.join("pack.toml"), "[[rule]]\nid = \"broken\"\npatern = 'x'\n").unwrap();
    hup(&f);
    std::thread::sleep(Duration::from_millis(300));
    append("2024-03-12 14:00:02,000 ERROR x - FIRST-PROBLEM to b:1\n");
    assert!(
        f.wait(|ev| ev
            .iter()
            .filter_map(|v| v.get("incident"))
            .any(|i| i["root_cause"]["rule"] == "test.first" && i["episodes"][0]["key"]["target"] == "b:1")),
        "after a bad reload the old pack still matches: {:?}",
        ids(&f.events)
    );
    assert!(f.child.try_wait().unwrap().is_none(), "a bad pack does not stop the run");

    // A good pack: new rules apply to new lines.
    write_pack(&rules, "test.second", "SECOND-PROBLEM");
    hup(&f);
    std::thread::sleep(Duration::from_millis(300));
    append("2024-03-12 14:00:03,000 ERROR x - SECOND-PROBLEM to c:1\n");
    assert!(
        f.wait(|ev| ids(ev).contains(&"test.second".to_string())),
        "the reloaded pack matches: {:?}",
        ids(&f.events)
    );
}

/// A follower of `e.logs` (polling) with its stderr kept, started once it said what it follows.
fn with_stderr(e: &Env, state: &Path) -> (Follower, crate::util::Lines) {
    let mut cmd = Follower::command(Mode::Poll, &[e.logs.to_str().unwrap()], Some(state));
    cmd.stderr(Stdio::piped());
    let mut f = Follower::start(cmd);
    let err = crate::util::Lines::read_from(f.child.stderr.take().unwrap());
    assert!(err.find(DEADLINE, |l| l.contains("following").then_some(())).is_some(), "{:?}", err.all());
    (f, err)
}

/// A person at a terminal is told what is followed when it starts, and whether the checkpoint was written when it
/// stops (or why not).
#[test]
fn it_says_what_it_follows_and_whether_the_checkpoint_was_written() {
    let e = env();
    let mut w = Writer::new();
    w.append(&e.file, 1);
    let (logs, state) = (e.logs.display().to_string(), e.state.display().to_string());
    let (f, err) = with_stderr(&e, &e.state);
    f.term();
    let lines = err.all();
    assert_eq!(
        lines.first().map(String::as_str),
        Some(format!("stackscan: following 1 file in {logs} (polling every 100ms); checkpoint {state} (new)").as_str())
    );
    let stop = format!("stackscan: SIGTERM: checkpoint written to {state}; stopped");
    assert!(crate::util::until(DEADLINE, || err.all().last() == Some(&stop)), "{:?}", err.all());
    let (f, err) = with_stderr(&e, &e.state);
    assert!(err.all()[0].ends_with("(resumed)"), "{:?}", err.all());
    f.term();

    // A checkpoint that cannot be written (not even by root: /proc takes no new directory): said at every try,
    // and at the end.
    let state = PathBuf::from(format!("/proc/stackscan-test-{}/follow-state.json", std::process::id()));
    let (f, err) = with_stderr(&e, &state);
    f.term();
    let lines = err.all();
    assert!(lines.iter().any(|l| l.contains("cannot write checkpoint")), "{lines:?}");
    let last = lines.last().unwrap();
    assert!(
        last.starts_with(&format!("stackscan: SIGTERM: checkpoint NOT written to {}: ", state.display())),
        "{lines:?}"
    );
}

/// `show ID` expands an id seen in a follow line: the incident as the checkpoint holds it, as `scan` reports it.
#[test]
fn show_prints_an_incident_of_the_checkpoint() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/linux");
    let e = env();
    let scan = Command::new(BIN).args(["scan", "--format", "json"]).arg(&dir).output().unwrap();
    let report: Value = serde_json::from_slice(&scan.stdout).unwrap();
    let incidents = report["incidents"].as_array().unwrap();
    let want: BTreeMap<String, u64> =
        incidents.iter().map(|i| (i["id"].as_str().unwrap().to_string(), i["count"].as_u64().unwrap())).collect();
    let mut f = Follower::spawn(Mode::Watch, &["--from-start", dir.to_str().unwrap()], Some(&e.state));
    assert!(f.wait(|ev| counts(ev) == want));
    f.term();
    let state = e.state.to_str().unwrap();
    let show = |args: &[&str]| Command::new(BIN).arg("show").args(args).args(["--state", state]).output().unwrap();
    for i in incidents {
        let id = i["id"].as_str().unwrap();
        let o = show(&[id, "--format", "json"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let shown: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(&shown, i, "show {id} --format json is the incident of the scan report");
        let o = show(&[id]);
        let text = String::from_utf8(o.stdout).unwrap();
        let title = i["title"].as_str().unwrap();
        assert!(text.lines().next().unwrap().ends_with(&title[..title.len().min(60)]) || text.contains(title));
        for part in ["  when ", "  root cause ", &format!("  id          {id}"), "  evidence", "  next steps"] {
            assert!(text.contains(part), "{part:?} in\n{text}");
        }
    }
    // Without --state: every checkpoint of follow's state directory is looked through.
    let xdg = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(xdg.path().join("stackscan")).unwrap();
    std::fs::copy(&e.state, xdg.path().join("stackscan/follow-0123456789abcdef.json")).unwrap();
    std::fs::write(xdg.path().join("stackscan/follow-fedcba9876543210.json"), "{\"version\": 99}").unwrap();
    let id = incidents[0]["id"].as_str().unwrap();
    let o = Command::new(BIN).args(["show", id]).env("XDG_STATE_HOME", xdg.path()).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains(&format!("  id          {id}")));
    let o = show(&["chain.nothing-0000"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no incident chain.nothing-0000") && err.contains(incidents[0]["id"].as_str().unwrap()),
        "{err}"
    );
}
