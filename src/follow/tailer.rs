//! The file side of tail mode: which files are followed, where each was read to, and reading their new complete
//! lines in blocks for the scanner.
//!
//! A followed file is identified by its (device, inode), checked against a fingerprint (a hash of its first
//! [`FINGERPRINT_BYTES`] bytes, once it has that many), never by its name:
//! - **rename and create**: the renamed file keeps its identity, so it is found again under its new name (or,
//!   when it left the watched tree, read through the handle still open) and read to its end; the new file at the
//!   old name is a new identity, read from its start;
//! - **copytruncate**: a size below the offset read, or a changed fingerprint, restarts the file at 0 (with a
//!   note); the copy, a new identity with the old fingerprint, resumes at the offset the original was read to (a
//!   file that merely starts alike, a banner every file of a writer opens with, is told from a copy by its bytes
//!   and read from its start);
//! - **compression after rotation**: a `.gz`/`.zst` that appears while following is not read: it is a rotated
//!   file whose lines were read under its plain name (a note is given unless its fingerprint is one we know); one
//!   whose head is that of a checkpoint's file no longer found as it was (compressed while stackscan was stopped)
//!   is read on from the checkpoint's position;
//! - **deletion, or a rename out of the followed paths** (`follow FILE` and rename rotation): a file no longer found
//!   is read on through its handle, for its writer may not have reopened its log yet, and closed once it has been
//!   idle for [`ROTATE_WAIT`] (at once on a stop, after reading it to its end); should it be found again (moved out
//!   and back, or a rename that raced the listing), it continues where it was read to;
//! - **a name that changes its file during a listing** (the walk saw one file, the name now leads to another): the
//!   listing is made again, so a file is never followed through another file's handle.
//!
//! Only complete lines are handed on: the bytes after the last newline stay in the file and are read again once the
//! line is complete (a line longer than [`MAX_PENDING`] without a newline is handed on in pieces). The last record of
//! each block waits for the lines below it: the next block starts with it, and at a file's end it stays there until
//! lines come below it or it has waited `--record-wait` ([`HOLD`] by default; [`last_record_start`]); its bytes are not
//! read as far as the checkpoint is concerned until then. Memory is one shared read buffer plus a few dozen bytes per
//! file; open handles are capped at [`MAX_OPEN`] (idle files whose name still leads to them are closed and reopened by
//! name when they grow).

use super::fingerprint::{self, FileId, FINGERPRINT_BYTES};
use super::stream::StreamBlocks;
use super::watcher::{Look, Tracked};
pub use super::watcher::{PassCounts, Pos};
use crate::aggregate::ScannedFile;
use crate::model::Component;
use crate::scan::{Block, BlockCounts};
use crate::source::walk::{self, BinaryDetection, WalkOptions};
use crate::source::{classify::origin_of_path, read, Compression, Input, Location, Origin};
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// New bytes read per block.
pub const BATCH: usize = 1 << 20;
/// The longest line held back waiting for its newline; longer ones are scanned in pieces.
pub const MAX_PENDING: usize = BATCH;
/// How much of `buf[lo..]` a follower hands on now: up to its last newline (all of it past [`MAX_PENDING`] bytes
/// without one), less, in a CRI file (`cri`), a split line whose final part has not been written yet (see
/// [`crate::frame::prefix::unfinished_split`]). `None`: nothing yet, a line waits for its end.
pub fn ready_end(buf: &[u8], lo: usize, cri: bool) -> Option<usize> {
    let long = buf.len() - lo >= MAX_PENDING;
    let end = match memchr::memrchr(b'\n', &buf[lo..]) {
        Some(j) => lo + j + 1,
        None if long => buf.len(),
        None => return None,
    };
    if !cri {
        return Some(end);
    }
    match crate::frame::prefix::unfinished_split(buf, lo, end) {
        held if held > lo => Some(held),
        _ if long => Some(end),
        _ => None,
    }
}

/// How long, by default (`follow --record-wait`), the last record of a file's new lines waits for lines below it
/// before it is handed on alone. A writer that logs a record line by line (containerd writes each line of a
/// container's stack trace apart) can be read between its header and its trace: handed on at once, the header
/// would be judged without the trace below it, and a fallback (`k2es.bulk-failure`) would open an incident where a
/// scan of the same file reports the failure kind the trace names. Lines below the record end the wait at once.
pub const HOLD: std::time::Duration = std::time::Duration::from_secs(1);

/// Where the last record of `buf[lo..end]` (whole lines) begins: the start of its last line that opens a record
/// (a line that is no continuation line, in a CRI file not the later part of a split line), looking back over at
/// most the record bounds. `end` when there is none in reach: the lines are the rest of a record handed on
/// before, or a record too long to wait for.
pub fn last_record_start(buf: &[u8], lo: usize, end: usize, mode: crate::frame::prefix::Mode) -> usize {
    let bounds = crate::frame::RecordBounds::default();
    let mut e = end;
    let mut lines = 0;
    while e > lo && lines < bounds.max_lines && end - e <= bounds.max_bytes {
        let a = crate::frame::line_start(buf, lo, e - 1);
        let line = crate::frame::trim_cr(&buf[a..e - 1]);
        let st = crate::frame::prefix::strip(line, mode);
        let part_of_split = mode == crate::frame::prefix::Mode::Cri && a > lo && {
            let above = crate::frame::prefix::strip(
                crate::frame::trim_cr(&buf[crate::frame::line_start(buf, lo, a - 1)..a - 1]),
                mode,
            );
            above.is_cri() && above.partial
        };
        if !part_of_split && !crate::frame::is_continuation(&st.content) {
            return a;
        }
        e = a;
        lines += 1;
    }
    end
}

/// A record held back at the end of what was read for the lines below it, for at most `wait` (see [`HOLD`]):
/// where the complete lines reached when it began to wait (an offset in the file or stream), and since when. A pure
/// state machine: the time is passed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hold {
    waiting: Option<(u64, std::time::Instant)>,
    wait: std::time::Duration,
}

impl Default for Hold {
    fn default() -> Self {
        Hold::new(HOLD)
    }
}

impl Hold {
    /// A record waits at most `wait` for the lines below it; zero: none waits.
    pub fn new(wait: std::time::Duration) -> Self {
        Hold { waiting: None, wait }
    }

    /// How far to hand on complete lines that reach `ready`, whose last record starts at `last` (offsets; `last ==
    /// ready` when no record waits): `ready` when nothing waits or the record has waited its time with nothing new
    /// below it, else `last`, the wait starting now when new lines came.
    pub fn until(&mut self, last: u64, ready: u64, now: std::time::Instant) -> u64 {
        match self.waiting {
            _ if last == ready || self.wait.is_zero() => {
                self.waiting = None;
                ready
            }
            Some((r, since)) if r == ready && now.duration_since(since) >= self.wait => {
                self.waiting = None;
                ready
            }
            Some((r, _)) if r == ready => last,
            _ => {
                self.waiting = Some((ready, now));
                last
            }
        }
    }

    /// Where the held record's lines end once it has waited its time at `now` (and it waits no more).
    pub fn due(&mut self, now: std::time::Instant) -> Option<u64> {
        let (ready, _) = self.waiting.filter(|w| now.duration_since(w.1) >= self.wait)?;
        self.waiting = None;
        Some(ready)
    }

    /// When the held record's wait ends, if one is held.
    pub fn due_at(&self) -> Option<std::time::Instant> {
        self.waiting.map(|w| w.1 + self.wait)
    }

    /// Nothing waits (everything is handed on, or what waited cannot be read now).
    pub fn clear(&mut self) {
        self.waiting = None;
    }
}

/// Open file handles kept at most.
pub const MAX_OPEN: usize = 512;
/// How long a file no longer found (renamed away, deleted) is read on after its last new line: a writer with rename
/// rotation (logrotate's `create` and a signal in `postrotate`, a logger that reopens its file on its own schedule)
/// writes to it until it reopens its log. Its handle is kept meanwhile (a deleted file's space with it).
pub const ROTATE_WAIT: std::time::Duration = std::time::Duration::from_secs(60);
/// Positions of truncated contents remembered (to recognise a copytruncate copy), and of files no longer found.
const MAX_RETIRED: usize = 64;
/// Listings made in one call when names keep changing their files under the walk.
const MAX_LISTINGS: usize = 3;

/// Where to start reading files that are already there when following starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// After their last complete line, like `tail -f`.
    End,
    /// At their first byte (`--from-start`).
    Beginning,
}

/// The followed files.
pub struct Tailer {
    roots: Vec<PathBuf>,
    walk: WalkOptions,
    /// The zone of zone-less timestamps (capture formats are told from timestamps too).
    zone: crate::time::Zone,
    exclude: Option<PathBuf>,
    /// The component of files whose path names none (`--component`).
    component: Option<Component>,
    files: Vec<ScannedFile>,
    tracked: Vec<Tracked>,
    /// Identities deliberately not followed (compressed, binary, excluded).
    ignored: HashSet<FileId>,
    /// Positions from a checkpoint, used when their identity is first seen, each with the hash of what was read
    /// of a file shorter than a fingerprint ([`Tailer::positions`]).
    restored: HashMap<FileId, (Pos, Option<u64>)>,
    retired: Vec<Pos>,
    /// Files no longer found, with a hash of what was read of their head ([`fingerprint::of_first`]): found again
    /// under the same identity and starting alike, they continue where they were.
    gone: Vec<(Pos, u64)>,
    /// The listing under way met a name that changed its file since the walk: list again.
    raced: bool,
    notes: Vec<String>,
    buf: Vec<u8>,
    seq: u64,
    listed: bool,
    /// The time of the coming read pass, when each file's last record is to wait for the lines below it.
    clock: Option<std::time::Instant>,
    /// How long that record waits at most.
    record_wait: std::time::Duration,
}

impl Tailer {
    /// Follows `roots` (directories, walked recursively, and files). `exclude` is never followed (the checkpoint).
    pub fn new(roots: Vec<PathBuf>, exclude: Option<PathBuf>) -> Tailer {
        Tailer {
            roots,
            walk: WalkOptions::default(),
            zone: crate::time::Zone::UTC,
            exclude,
            component: None,
            files: Vec::new(),
            tracked: Vec::new(),
            ignored: HashSet::new(),
            restored: HashMap::new(),
            retired: Vec::new(),
            gone: Vec::new(),
            raced: false,
            notes: Vec::new(),
            buf: Vec::new(),
            seq: 0,
            listed: false,
            clock: None,
            record_wait: HOLD,
        }
    }

    /// The time of the coming read passes: with it, the last record of a file's new lines waits for the lines
    /// below it (at most [`Self::record_wait`]); with `None` (the default, and a stop's last pass), every complete
    /// line is handed on at once.
    pub fn set_clock(&mut self, now: Option<std::time::Instant>) {
        self.clock = now;
    }

    /// How long a file's last record waits for the lines below it, at most ([`HOLD`] unless set; zero: none
    /// waits). Set before the first listing.
    pub fn record_wait(&mut self, wait: std::time::Duration) {
        self.record_wait = wait;
    }

    /// When the first of the held records has waited its time, if one is held (the follow loop reads again then).
    pub fn hold_due(&self) -> Option<std::time::Instant> {
        self.tracked.iter().filter_map(|t| t.waiting.due_at()).min()
    }

    /// The zone of zone-less timestamps.
    pub fn zone(&mut self, zone: crate::time::Zone) {
        self.zone = zone;
    }

    /// How directories are walked (the same options as `scan`'s).
    pub fn walk_options(&mut self, opts: WalkOptions) {
        self.walk = opts;
    }

    /// The component the user says wrote the files (`--component`), as `scan --component` gives it.
    pub fn default_component(&mut self, c: Option<Component>) {
        self.component = c;
    }

    /// Where a file's lines come from: what its path says, with the component the user gave (see
    /// [`Origin::told`]).
    fn origin_of(&self, path: &Path) -> Origin {
        origin_of_path(path).told(self.component)
    }

    /// Resumes from a checkpoint: its file table, positions (with their heads, see [`Tailer::positions`]) and
    /// retired positions.
    pub fn restore(&mut self, files: Vec<String>, positions: Vec<(Pos, Option<u64>)>, retired: Vec<Pos>) {
        self.files = files.into_iter().map(|d| ScannedFile::new(d.clone(), self.origin_of(Path::new(&d)))).collect();
        self.restored = positions.into_iter().map(|(p, head)| (p.id, (p, head))).collect();
        self.retired = retired;
    }

    /// The file table (indexed by the `file` of samples).
    pub fn files(&self) -> &[ScannedFile] {
        &self.files
    }

    /// The positions of the followed files, for a checkpoint: (position, path, head). The head is the hash of what
    /// was read of a file shorter than a fingerprint ([`fingerprint::of_first`]): after a restart, a file of that
    /// identity that does not start with those bytes is another file (its inode reused) and is read from its start.
    pub fn positions(&self) -> Vec<(Pos, String, Option<u64>)> {
        // A copy waiting for its original to be truncated is left out: after a restart it is matched again by
        // fingerprint, against the original's saved position.
        self.tracked
            .iter()
            .filter(|t| !t.copy_of_live && t.away_since.is_none())
            .map(|t| {
                let head = match (&t.handle, t.pos.fingerprint) {
                    (Some(f), None) if t.pos.offset > 0 => fingerprint::of_first(f, t.pos.offset),
                    _ => None,
                };
                (t.pos, t.path.display().to_string(), head)
            })
            .collect()
    }

    /// The files moved out of the followed paths (not deleted), for a checkpoint, newest first: (position, path,
    /// hash of what was read of it); those still read on ([`ROTATE_WAIT`]) first. After a restart they are matched as
    /// within a run ([`Tailer::restore_away`]).
    pub fn away(&self) -> Vec<(Pos, String, u64)> {
        let path = |p: &Pos| self.files.get(p.file as usize).map_or_else(String::new, |f| f.display.clone());
        let reading =
            self.tracked.iter().filter(|t| t.away_since.is_some()).filter_map(|t| Some((t.pos, away_head(t)?)));
        let mut away: Vec<(Pos, u64)> = reading.collect();
        away.sort_by_key(|(p, _)| std::cmp::Reverse((p.offset, p.id.ino)));
        away.extend(self.gone.iter().rev().copied());
        away.into_iter().map(|(p, head)| (p, path(&p), head)).collect()
    }

    /// Resumes the files away of a checkpoint ([`Tailer::away`]): one found again under the same identity, starting
    /// with the bytes read of it, goes on where it was; nothing else is matched against them (not a file that only
    /// starts alike: that one is another file).
    pub fn restore_away(&mut self, away: Vec<(Pos, u64)>) {
        self.gone = away.into_iter().take(MAX_RETIRED).rev().collect();
    }

    /// Retired positions, for a checkpoint.
    pub fn retired(&self) -> &[Pos] {
        &self.retired
    }

    /// Files followed now.
    pub fn len(&self) -> usize {
        self.tracked.len()
    }

    /// Whether no file is followed.
    pub fn is_empty(&self) -> bool {
        self.tracked.is_empty()
    }

    /// Open handles now.
    pub fn open_handles(&self) -> usize {
        self.tracked.iter().filter(|t| t.handle.is_some()).count()
    }

    /// Notes gathered since the last call (truncation, rotation, skipped files).
    pub fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }

    /// The directories to watch and the files named directly (whose parent directory is watched).
    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    fn note(&mut self, s: String) {
        self.notes.push(s);
    }

    /// Lists the roots: new files are followed from where `start` says (the caller passes [`Start::Beginning`]
    /// after the first listing, and whenever a checkpoint was restored), renamed ones have their path updated,
    /// and files no longer found are read to their end through their handle (by `on_block`) and closed.
    /// Compressed files are read whole when `read_compressed` (the first listing of `--from-start` without a
    /// checkpoint), and skipped otherwise.
    ///
    /// A name that leads to another file than the walk saw (a rotation between the walk and the opening) makes
    /// the listing run again, at most [`MAX_LISTINGS`] times in all.
    pub fn list(
        &mut self,
        start: Start,
        read_compressed: bool,
        on_block: &mut dyn FnMut(&Block<'_>) -> BlockCounts,
    ) -> PassCounts {
        let initial = !self.listed;
        self.listed = true;
        let mut counts = PassCounts::default();
        for _ in 0..MAX_LISTINGS {
            self.raced = false;
            let c = self.list_once(start, initial, read_compressed, on_block);
            counts.bytes += c.bytes;
            counts.lines += c.lines;
            if !self.raced {
                break;
            }
        }
        self.raced = false;
        counts
    }

    fn list_once(
        &mut self,
        start: Start,
        initial: bool,
        read_compressed: bool,
        on_block: &mut dyn FnMut(&Block<'_>) -> BlockCounts,
    ) -> PassCounts {
        for t in &mut self.tracked {
            t.seen = false;
        }
        let exclude = self.exclude.as_ref().and_then(|p| std::fs::canonicalize(p).ok());
        let walked = walk::walk(&self.roots, &self.walk);
        let paths: Vec<&Path> = walked.found.iter().map(|f| f.path.as_path()).collect();
        let twins = walk::es_twins(&paths);
        let mut by_id: HashMap<FileId, usize> = self.tracked.iter().enumerate().map(|(i, t)| (t.pos.id, i)).collect();
        let walked_ids: HashMap<FileId, PathBuf> =
            walked.found.iter().map(|f| (FileId::of(&f.meta), f.path.clone())).collect();
        let mut counts = PassCounts::default();
        for (found, twin) in walked.found.into_iter().zip(twins) {
            let (path, meta, binary) = (found.path, found.meta, found.binary);
            let id = FileId::of(&meta);
            // An Elasticsearch JSON log beside its plain twin: the same events, followed once, in the plain log.
            if twin && !by_id.contains_key(&id) && self.ignored.insert(id) {
                self.note(format!(
                    "{}: not followed: the same events as its plain log beside it (Elasticsearch writes each event to both)",
                    path.display()
                ));
                continue;
            }
            if let Some(&i) = by_id.get(&id) {
                let t = &mut self.tracked[i];
                if !t.seen && t.path != path {
                    // Renamed (rotation): same identity, keep reading it where it was.
                    if std::fs::metadata(&t.path).map(|m| FileId::of(&m) != id).unwrap_or(true) {
                        t.path = path;
                    }
                }
                t.seen = true;
                continue;
            }
            if self.ignored.contains(&id) {
                continue;
            }
            if exclude.is_some() && std::fs::canonicalize(&path).ok() == exclude {
                self.ignored.insert(id);
                continue;
            }
            if Compression::of_path(&path) != Compression::None {
                self.ignored.insert(id);
                // Only the first listing of a run meets files compressed while stackscan was stopped.
                let first = initial.then_some(&walked_ids);
                self.compressed(&path, binary, read_compressed, first, on_block, &mut counts);
                continue;
            }
            if let Some(t) = self.place(&path, &meta, binary, start, initial) {
                by_id.insert(id, self.tracked.len());
                self.tracked.push(t);
            }
        }
        // Files no longer found: read on through the handle while the writer may still write to it (see
        // [`ROTATE_WAIT`]), then read what is left and close. (Not while the names changed under this listing: the
        // next one may find them under their new names.)
        let mut i = 0;
        while i < self.tracked.len() {
            let t = &mut self.tracked[i];
            if t.seen || self.raced {
                if t.seen {
                    t.away_since = None;
                }
                i += 1;
                continue;
            }
            let keep = match self.clock {
                Some(now) if t.handle.is_some() => now.duration_since(*t.away_since.get_or_insert(now)) < ROTATE_WAIT,
                _ => false,
            };
            if keep {
                let c = self.read_one(i, usize::MAX, self.clock, on_block);
                counts.bytes += c.bytes;
                counts.lines += c.lines;
                i += 1;
                continue;
            }
            // Its last record waits for nothing: no line will come below it.
            let c = self.read_one(i, usize::MAX, None, on_block);
            counts.bytes += c.bytes;
            counts.lines += c.lines;
            let t = self.tracked.remove(i);
            self.remember_gone(&t);
            self.notes.push(format!(
                "{}: no longer there (deleted or moved away): read to its end and closed",
                t.path.display()
            ));
        }
        counts
    }

    /// Keeps the position of a file no longer found, unless it was deleted (a name moved out of the tree, or a
    /// rename the walk did not see whole, may lead to it again).
    fn remember_gone(&mut self, t: &Tracked) {
        if let Some(head) = away_head(t) {
            self.gone.push((t.pos, head));
            if self.gone.len() > MAX_RETIRED {
                self.gone.remove(0);
            }
        }
    }

    /// The position of a file that was no longer found, if `f` is that file again: the same identity, at least as
    /// long as what was read of it, and starting with the same bytes.
    fn found_again(&mut self, id: FileId, f: &File, size: u64) -> Option<Pos> {
        let k = self.gone.iter().position(|(p, _)| p.id == id)?;
        let (pos, head) = self.gone.remove(k);
        starts_as_read(f, size, pos.offset, head).then_some(pos)
    }

    /// A compressed file: read once, whole, at the start of a `--from-start` run without checkpoint; otherwise
    /// taken for a rotated file already read and skipped, unless it is a file of the checkpoint compressed while
    /// stackscan was stopped (its head is that of a restored position whose file is no longer found as it was read,
    /// `walked` holding the files of the run's first listing by identity, `None` in later listings: a file compressed
    /// while running was read under its plain name): its lines past that position are read then.
    fn compressed(
        &mut self,
        path: &Path,
        binary: BinaryDetection,
        read_whole: bool,
        walked: Option<&HashMap<FileId, PathBuf>>,
        on_block: &mut dyn FnMut(&Block<'_>) -> BlockCounts,
        counts: &mut PassCounts,
    ) {
        let input = Input {
            location: Location::File(path.to_path_buf()),
            display: path.display().to_string(),
            origin: self.origin_of(path),
            binary,
            compression: Compression::of_path(path),
        };
        // Its first bytes, decompressed: a file of the checkpoint compressed while stopped, or one read already?
        let head = if read_whole { None } else { decompressed_head(&input) };
        let fp = head.as_deref().and_then(|h| <&[u8; FINGERPRINT_BYTES]>::try_from(h).ok()).map(fingerprint::of_head);
        let resume = match (walked, &head) {
            (Some(walked), Some(head)) => self.compressed_while_stopped(head, fp, walked),
            _ => None,
        };
        if read_whole || resume.is_some() {
            let idx = self.files.len() as u32;
            self.files.push(ScannedFile::new(input.display.clone(), input.origin.clone()));
            if let Some(r) = resume {
                self.note(format!(
                    "{}: compressed while stopped: reading on from line {} of it",
                    path.display(),
                    r.lines + 1
                ));
            }
            match read::open_stream(&input) {
                Ok(mut r) => {
                    let at = resume.map_or((0, 0), |p| (p.offset, p.lines));
                    let mut s = StreamBlocks::new(idx, self.zone).resume_at(at.0, at.1);
                    let mut chunk = vec![0u8; 256 * 1024];
                    loop {
                        let (n, err) = read::read_full(&mut *r, &mut chunk);
                        let origin = self.files[idx as usize].origin.clone();
                        s.push(&chunk[..n], None, &origin, on_block);
                        if let Some(e) = err {
                            self.note(format!("{}: read stopped: {e}", path.display()));
                            break;
                        }
                        if n < chunk.len() {
                            break;
                        }
                    }
                    let origin = self.files[idx as usize].origin.clone();
                    s.finish(&origin, on_block);
                    counts.bytes += s.bytes;
                    counts.lines += s.lines - at.1;
                }
                Err(e) => self.note(format!("{}: cannot read: {e}", path.display())),
            }
            return;
        }
        // A known fingerprint means a rotated file whose lines were read already.
        let known = fp.is_some_and(|fp| {
            self.tracked
                .iter()
                .map(|t| t.pos.fingerprint)
                .chain(self.retired.iter().map(|p| p.fingerprint))
                .any(|f| f == Some(fp))
        });
        if !known {
            self.note(format!(
                "{}: compressed file appeared while following: not read (taken for a rotated file; use `stackscan scan` on it)",
                path.display()
            ));
        }
    }

    /// The restored position a compressed file continues, if it is a followed file compressed while stackscan was
    /// stopped: its decompressed head is that of a position of the checkpoint (the fingerprint, or for a file read
    /// short of one the hash of what was read) whose file this listing (`walked`) does not find as it was read (gone,
    /// or its inode reused by another file), and no file followed now starts alike. The position is taken: nothing
    /// else continues it.
    fn compressed_while_stopped(
        &mut self,
        head: &[u8],
        fp: Option<u64>,
        walked: &HashMap<FileId, PathBuf>,
    ) -> Option<Pos> {
        if self.restored.is_empty() {
            return None;
        }
        let n = head.len();
        if fp.is_some() && self.tracked.iter().any(|t| t.pos.fingerprint == fp) {
            return None;
        }
        let (id, pos) = self
            .restored
            .values()
            .filter(|(p, short)| !walked.get(&p.id).is_some_and(|path| still_as_read(path, p, *short)))
            .filter(|(p, short)| match (p.fingerprint, short) {
                (Some(f), _) => Some(f) == fp,
                (None, Some(h)) => {
                    let read = (p.offset as usize).min(FINGERPRINT_BYTES);
                    n >= read && crate::hash::of_bytes(&head[..read]) == *h
                }
                (None, None) => false,
            })
            .map(|(p, _)| (p.id, *p))
            .max_by_key(|(_, p)| (p.offset, p.id.ino))?;
        self.restored.remove(&id);
        Some(pos)
    }

    /// A file seen for the first time: where to start it.
    fn place(
        &mut self,
        path: &Path,
        meta: &std::fs::Metadata,
        binary: BinaryDetection,
        start: Start,
        initial: bool,
    ) -> Option<Tracked> {
        let id = FileId::of(meta);
        let f = match File::open(path) {
            Ok(f) => f,
            // Renamed or deleted since the walk: the next listing finds it where it is, if anywhere.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.raced = true;
                return None;
            }
            Err(e) => {
                self.note(format!("{}: cannot open: {e}", path.display()));
                self.ignored.insert(id);
                return None;
            }
        };
        let size = match f.metadata() {
            // The name leads to another file than the walk saw (a rotation in between): never follow a file
            // through another's handle; the next listing sees both where they are.
            Ok(m) if FileId::of(&m) != id => {
                self.raced = true;
                return None;
            }
            Ok(m) => m.len(),
            Err(_) => meta.len(),
        };
        let fp = fingerprint::of_file(&f, size);
        let mut probe = [0u8; walk::BINARY_PROBE];
        let n = f.read_at(&mut probe, 0).unwrap_or(0);
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if let Some(why) = binary.refuses(name, &probe[..n]) {
            self.note(format!("{}: {why}: not followed", path.display()));
            self.ignored.insert(id);
            return None;
        }
        let mut pos = Pos { id, fingerprint: fp, file: u32::MAX, offset: 0, lines: 0 };
        let mut copy_of_live = false;
        if let Some(r) = self.found_again(id, &f, size) {
            self.note(format!("{}: found again: read on from where it was", path.display()));
            pos = Pos { fingerprint: fp, file: r.file, offset: r.offset, lines: r.lines, ..pos };
        } else if let Some((r, head)) = self.restored.get(&id).copied() {
            if as_read(&f, size, fp, &r, head) {
                pos = Pos { fingerprint: fp, ..r };
            } else {
                self.note(format!(
                    "{}: changed while stopped (truncated or replaced): reading it from the start",
                    path.display()
                ));
            }
        } else if let Some((r, live)) = fp.and_then(|fp| self.known_fingerprint(fp, initial, 0..=size)) {
            // A copy of a file we read (copytruncate's copy, or a file moved back in): continue where it was.
            pos.offset = r.offset;
            pos.lines = r.lines;
            copy_of_live = live;
        } else if start == Start::End {
            // After the last complete line; count the lines before it so line numbers stay right.
            let (off, lines) = self.count_lines(&f, size);
            pos.offset = off;
            pos.lines = lines;
        }
        if pos.file == u32::MAX || pos.file as usize >= self.files.len() {
            pos.file = self.files.len() as u32;
            let origin = self.origin_of(path);
            self.files.push(ScannedFile::new(path.display().to_string(), origin));
        }
        self.seq += 1;
        Some(Tracked {
            pos,
            path: path.to_path_buf(),
            handle: Some(f),
            seen: true,
            active: self.seq,
            mtime: None,
            copy_of_live,
            initial,
            mode: None,
            waiting: Hold::new(self.record_wait),
            away_since: None,
        })
    }

    /// A position already reached for content with this fingerprint. Files followed now count only after the
    /// first listing: two files that merely start alike are both read whole by `--from-start`.
    /// Also says whether the position is that of a file followed now (its content is still there). `None` when
    /// that position lies outside `reachable` (offsets the file being placed can continue from).
    fn known_fingerprint(
        &self,
        fp: u64,
        initial: bool,
        reachable: std::ops::RangeInclusive<u64>,
    ) -> Option<(Pos, bool)> {
        let live = if initial {
            None
        } else {
            self.tracked
                .iter()
                .filter(|t| !t.copy_of_live)
                .map(|t| t.pos)
                .filter(|p| p.fingerprint == Some(fp))
                .max_by_key(|p| p.offset)
        };
        // A live original may have been read past the copy's end (lines written between copytruncate's copy and its
        // truncation): the copy waits all the same, and resumes within its own size (see `copy_waits`).
        if let Some(p) = live.filter(|p| p.offset >= *reachable.start()) {
            return Some((p, true));
        }
        self.restored
            .values()
            .map(|(p, _)| p)
            .chain(self.retired.iter())
            .filter(|p| p.fingerprint == Some(fp))
            .max_by_key(|p| p.offset)
            .map(|p| (*p, false))
            .filter(|(p, _)| reachable.contains(&p.offset))
    }

    /// For a copy waiting on its original: whether it must still wait; when not, it resumes where the
    /// original was read to before its truncation. A file that only starts like a followed one (the same first
    /// [`FINGERPRINT_BYTES`], a banner or a header every file of a writer begins with) is no copy: once its bytes
    /// differ from the original's within their first [`COPY_COMPARED`], it is read from its start.
    fn copy_waits(&mut self, i: usize) -> bool {
        let fp = self.tracked[i].pos.fingerprint;
        // An original no longer found (replaced by a copy of itself, renamed away) holds no copy back: what it
        // still gets is read through its own handle.
        let originals: Vec<usize> = (0..self.tracked.len())
            .filter(|&j| {
                let t = &self.tracked[j];
                j != i && !t.copy_of_live && t.away_since.is_none() && fp.is_some() && t.pos.fingerprint == fp
            })
            .collect();
        let copy = &self.tracked[i];
        if originals.iter().any(|&j| !differs_from(copy, &self.tracked[j])) {
            return true;
        }
        let reached =
            self.retired.iter().filter(|p| fp.is_some() && p.fingerprint == fp).max_by_key(|p| p.offset).copied();
        // Followed files start alike but hold other bytes, and no truncated one had this head: another file.
        if reached.is_none() && !originals.is_empty() {
            let note = format!(
                "{}: starts like {} but is another file: read from its start",
                self.tracked[i].path.display(),
                self.tracked[originals[0]].path.display()
            );
            self.note(note);
            let t = &mut self.tracked[i];
            t.pos.offset = 0;
            t.pos.lines = 0;
            t.copy_of_live = false;
            return false;
        }
        let t = &mut self.tracked[i];
        if let Some(r) = reached {
            if r.offset > t.pos.offset {
                t.pos.offset = r.offset;
                t.pos.lines = r.lines;
            }
        }
        t.copy_of_live = false;
        // Lines the original got between the copy and its truncation were read from it: the copy, shorter than
        // what was read, was read whole (not truncated: it must not be read again from its start).
        if let Some(f) = t.handle.take() {
            let size = f.metadata().map_or(u64::MAX, |m| m.len());
            if size < self.tracked[i].pos.offset {
                let (offset, lines) = self.count_lines(&f, size);
                let t = &mut self.tracked[i];
                t.pos.offset = offset;
                t.pos.lines = lines;
            }
            self.tracked[i].handle = Some(f);
        }
        false
    }

    /// The offset after the last newline of the first `size` bytes, and the number of newlines before it.
    fn count_lines(&mut self, f: &File, size: u64) -> (u64, u64) {
        let mut lines = 0;
        let mut last_end = 0;
        let mut at = 0u64;
        self.buf.resize(BATCH, 0);
        while at < size {
            let want = BATCH.min((size - at) as usize);
            let n = match f.read_at(&mut self.buf[..want], at) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let b = &self.buf[..n];
            lines += memchr::memchr_iter(b'\n', b).count() as u64;
            if let Some(i) = memchr::memrchr(b'\n', b) {
                last_end = at + i as u64 + 1;
            }
            at += n as u64;
        }
        (last_end, lines)
    }

    /// Reads the new complete lines of every followed file, at most `budget` bytes per file, handing them to
    /// `on_block` in blocks.
    pub fn read(&mut self, budget: usize, on_block: &mut dyn FnMut(&Block<'_>) -> BlockCounts) -> PassCounts {
        let mut counts = PassCounts::default();
        for i in 0..self.tracked.len() {
            let c = self.read_one(i, budget, self.clock, on_block);
            counts.bytes += c.bytes;
            counts.lines += c.lines;
            counts.more |= c.more;
        }
        self.close_idle();
        counts
    }

    fn close_idle(&mut self) {
        let open = self.open_handles();
        if open <= MAX_OPEN {
            return;
        }
        let mut order: Vec<(u64, usize)> = self
            .tracked
            .iter()
            .enumerate()
            .filter(|(_, t)| t.handle.is_some() && t.seen)
            .map(|(i, t)| (t.active, i))
            .collect();
        order.sort_unstable();
        for (_, i) in order.into_iter().take(open - MAX_OPEN) {
            self.tracked[i].handle = None;
        }
    }

    fn read_one(
        &mut self,
        i: usize,
        budget: usize,
        clock: Option<std::time::Instant>,
        on_block: &mut dyn FnMut(&Block<'_>) -> BlockCounts,
    ) -> PassCounts {
        if self.tracked[i].copy_of_live && self.copy_waits(i) {
            return PassCounts::default();
        }
        let Look::Ready { file: f, size, fingerprint: fp_now, retired } = self.tracked[i].look(&mut self.notes) else {
            // What it held back cannot be read now: it waits again once the file can be.
            self.tracked[i].waiting.clear();
            return PassCounts::default();
        };
        let truncated = retired.is_some();
        if let Some(Some(r)) = retired {
            self.retired.push(r);
            if self.retired.len() > MAX_RETIRED {
                self.retired.remove(0);
            }
        }
        let mut pos = self.tracked[i].pos;
        if pos.fingerprint.is_none() {
            pos.fingerprint = fp_now;
            // Long enough to be told apart for the first time. A file first seen empty or short may be a copy
            // caught while it was being written (copytruncate's copy): if its head is that of content already
            // read, continue where that content was read to. What was read of it so far lies within the head,
            // so it is a prefix of that content.
            if let (Some(fp), false) = (fp_now, truncated) {
                if let Some((r, live)) = self.known_fingerprint(fp, self.tracked[i].initial, pos.offset..=size) {
                    pos.offset = r.offset;
                    pos.lines = r.lines;
                    if live {
                        let t = &mut self.tracked[i];
                        t.pos = pos;
                        t.copy_of_live = true;
                        t.handle = Some(f);
                        return PassCounts::default();
                    }
                }
            }
            self.tracked[i].pos = pos;
        }
        let origin = self.files[pos.file as usize].origin.clone();
        let counts = self.tracked[i].read_lines(&f, size, budget, &mut self.buf, (&origin, self.zone), clock, on_block);
        if counts.bytes > 0 {
            if let (Some(away), Some(now)) = (&mut self.tracked[i].away_since, self.clock) {
                *away = now;
            }
            self.seq += 1;
            self.tracked[i].active = self.seq;
        }
        self.tracked[i].handle = Some(f);
        counts
    }
}

/// Whether a file of `size` bytes still holds the `offset` bytes read of it, as [`fingerprint::of_first`]'s `head`.
fn starts_as_read(f: &File, size: u64, offset: u64, head: u64) -> bool {
    size >= offset && fingerprint::of_first(f, offset) == Some(head)
}

/// The hash of what was read of a file no longer found, to know it if it is found again; `None` when it was
/// deleted (or is closed): it will not be.
fn away_head(t: &Tracked) -> Option<u64> {
    let f = t.handle.as_ref()?;
    if f.metadata().is_ok_and(|m| std::os::unix::fs::MetadataExt::nlink(&m) == 0) {
        return None;
    }
    fingerprint::of_first(f, t.pos.offset)
}

/// Bytes of a file that starts like a followed one compared with it, to tell a copy from another file.
const COPY_COMPARED: u64 = 64 * 1024;

/// Whether `copy`, taken for a copy of `original` by its fingerprint, holds other bytes than it within the first
/// [`COPY_COMPARED`] both have (a copy being written is a prefix of its original). `false` when either cannot be read.
fn differs_from(copy: &Tracked, original: &Tracked) -> bool {
    let opened;
    let o = match &original.handle {
        Some(f) => f,
        None => match File::open(&original.path) {
            Ok(f) if f.metadata().is_ok_and(|m| FileId::of(&m) == original.pos.id) => {
                opened = f;
                &opened
            }
            _ => return false,
        },
    };
    let Some(c) = &copy.handle else { return false };
    let size = |f: &File| f.metadata().map_or(0, |m| m.len());
    let n = size(c).min(size(o)).min(COPY_COMPARED) as usize;
    if n <= FINGERPRINT_BYTES {
        return false;
    }
    let (mut a, mut b) = (vec![0u8; n], vec![0u8; n]);
    c.read_exact_at(&mut a, 0).is_ok() && o.read_exact_at(&mut b, 0).is_ok() && a != b
}

/// The first [`FINGERPRINT_BYTES`] of a compressed file, decompressed (fewer when it is shorter); `None` when it
/// cannot be read.
fn decompressed_head(input: &Input) -> Option<Vec<u8>> {
    let mut head = vec![0u8; FINGERPRINT_BYTES];
    let (n, _) = read::open_stream(input).ok().map(|mut r| read::read_full(&mut *r, &mut head))?;
    head.truncate(n);
    Some(head)
}

/// Whether the file at `path` is still the one a checkpoint's position `p` was read in (with `short`, the hash of
/// what was read of a file shorter than a fingerprint): as long, and starting alike.
fn still_as_read(path: &Path, p: &Pos, short: Option<u64>) -> bool {
    let Ok(f) = File::open(path) else { return false };
    let size = f.metadata().map_or(0, |m| m.len());
    as_read(&f, size, fingerprint::of_file(&f, size), p, short)
}

/// Whether `f`, of `size` bytes and fingerprint `fp`, is the file a checkpoint's position `p` was read in (with
/// `short`, the hash of what was read of a file shorter than a fingerprint): as long, and starting alike.
fn as_read(f: &File, size: u64, fp: Option<u64>, p: &Pos, short: Option<u64>) -> bool {
    size >= p.offset
        && match (p.fingerprint, short) {
            (Some(_), _) => p.fingerprint == fp,
            (None, Some(h)) => starts_as_read(f, size, p.offset, h),
            (None, None) => true,
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::walk::BinaryDetection;

    /// A held record waits from when its lines were first read; new lines below it start the wait again; it is
    /// handed on once it has waited `HOLD` with nothing new, and a block without a record to hold clears the wait.
    #[test]
    fn a_held_record_waits_from_when_its_lines_came() {
        let t0 = std::time::Instant::now();
        let mut h = Hold::default();
        assert_eq!(h.until(100, 150, t0), 100);
        assert_eq!(h.due_at(), Some(t0 + HOLD));
        assert_eq!(h.until(100, 150, t0 + HOLD / 2), 100, "the same lines, still waiting");
        assert_eq!(h.until(150, 180, t0 + HOLD / 2), 150, "lines below: a new record waits");
        assert_eq!(h.until(150, 180, t0 + HOLD), 150, "its wait began later");
        assert_eq!(h.due(t0 + HOLD), None);
        assert_eq!(h.due(t0 + HOLD / 2 + HOLD), Some(180));
        assert_eq!(h.due_at(), None);
        assert_eq!(h.until(200, 260, t0), 200);
        assert_eq!(h.until(200, 260, t0 + HOLD), 260, "waited long enough: handed on");
        assert_eq!(h.until(300, 300, t0), 300);
        assert_eq!(h.due_at(), None);
        let mut none = Hold::new(std::time::Duration::ZERO);
        assert_eq!(none.until(100, 150, t0), 150, "no wait: handed on at once");
        assert_eq!(none.due_at(), None);
    }

    /// The last record of a block begins at its last line that opens a record: not at its stack trace's lines,
    /// nor, in a CRI file, at the later part of a split line.
    #[test]
    fn the_last_record_starts_at_its_header() {
        use crate::frame::prefix::Mode;
        let text = "2024-03-12 11:42:38,000 INFO  a.B - before\n\
                    2024-03-12 11:42:39,197 ERROR a.B - Failed to index batch\n\
                    com.stackstate.x.BulkIndexingFailedException: failed\n\
                    \tat a.B.c(B.scala:1)\n";
        let header = text.find("2024-03-12 11:42:39").unwrap();
        assert_eq!(last_record_start(text.as_bytes(), 0, text.len(), Mode::Auto), header);
        // Continuation lines alone: the rest of a record handed on before.
        let rest = "\tat a.B.c(B.scala:1)\n\t... 12 more\n";
        assert_eq!(last_record_start(rest.as_bytes(), 0, rest.len(), Mode::Auto), rest.len());
        let cri = "2024-03-12T11:42:30.1Z stdout F 2024-03-12 11:42:29,400 INFO  a.B - up\n\
                   2024-03-12T11:42:30.2Z stdout P 2024-03-12 11:42:30,101 ERROR a.B - Failed to\n\
                   2024-03-12T11:42:30.2Z stdout F  send messages to Kafka\n";
        let split = cri.find("2024-03-12T11:42:30.2Z stdout P").unwrap();
        assert_eq!(last_record_start(cri.as_bytes(), 0, cri.len(), Mode::Cri), split);
    }

    /// The lines handed on, each with the file table's name of the file it came from.
    fn list_and_read(t: &mut Tailer) -> Vec<String> {
        let mut got = Vec::new();
        let mut on_block = |b: &Block<'_>| {
            let text = String::from_utf8_lossy(&b.buf[b.start..]).into_owned();
            let n = text.lines().count() as u64;
            got.extend(text.lines().map(str::to_string));
            BlockCounts { newlines: n, matches: 0 }
        };
        t.list(Start::Beginning, false, &mut on_block);
        while t.read(usize::MAX, &mut on_block).more {}
        got
    }

    fn lines(from: u32, to: u32) -> String {
        (from..to)
            .map(|n| format!("2024-03-12 14:00:{n:02},526 WARN  c.s.Receiver - line {n} of a receiver log\n"))
            .collect()
    }

    /// A file longer than a read ([`BATCH`]) is handed on in blocks that begin at a record: a stack trace whose
    /// header ends just before a read's end is read with its header, also when reading without waiting (catch-up
    /// at start, `--from-start`, a restart's resumption): split, each part would be judged as a record.
    #[test]
    fn blocks_of_a_long_file_begin_at_a_record() {
        let header =
            "2024-03-12 11:42:10,422 [KafkaToES-akka.actor.default-dispatcher-20] ERROR c.s.k.e.s.BulkIndexer - \
                      Bulk request failed\n";
        let trace = "org.elasticsearch.ElasticsearchStatusException: Elasticsearch exception [type=x, reason=y]\n\
                     \tat org.elasticsearch.rest.BytesRestResponse.errorFromXContent(BytesRestResponse.java:178)\n";
        let mut text = String::new();
        let mut n = 0;
        while text.len() + lines(0, 1).len() + header.len() < BATCH {
            text.push_str(&lines(n % 60, n % 60 + 1));
            n += 1;
        }
        text.push_str(header);
        assert!(text.len() < BATCH && text.len() + trace.len() > BATCH, "the trace crosses the first read's end");
        text.push_str(trace);
        text.push_str(&lines(0, 3));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("kafkaEventsToES.log"), &text).unwrap();
        for clock in [None, Some(std::time::Instant::now())] {
            let mut t = Tailer::new(vec![dir.path().to_path_buf()], None);
            t.set_clock(clock);
            let mut firsts = Vec::new();
            let mut on_block = |b: &Block<'_>| {
                let block = String::from_utf8_lossy(&b.buf[b.start..]).into_owned();
                firsts.push(block.lines().next().unwrap_or_default().to_string());
                BlockCounts { newlines: block.lines().count() as u64, matches: 0 }
            };
            t.list(Start::Beginning, false, &mut on_block);
            while t.read(usize::MAX, &mut on_block).more {}
            t.set_clock(None);
            while t.read(usize::MAX, &mut on_block).more {}
            assert!(firsts.len() > 1, "read in more than one block");
            assert!(firsts.iter().all(|l| l.starts_with("2024-03-12")), "{clock:?}: {firsts:?}");
        }
    }

    #[test]
    fn a_rotation_between_the_walk_and_the_opening_is_listed_again() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("stackstate-receiver.log");
        let rotated = dir.path().join("stackstate-receiver.1.log");
        let mut t = Tailer::new(vec![dir.path().to_path_buf()], None);
        assert!(list_and_read(&mut t).is_empty(), "the first listing saw an empty directory");
        std::fs::write(&live, lines(0, 11)).unwrap();
        // What the walk saw of the name, before logrotate renamed the file and the writer made a new one.
        let seen = std::fs::metadata(&live).unwrap();
        std::fs::rename(&live, &rotated).unwrap();
        std::fs::write(&live, lines(11, 13)).unwrap();
        assert!(t.place(&live, &seen, BinaryDetection::Skip, Start::Beginning, false).is_none());
        assert!(t.raced, "the name leads to another file now");
        assert!(t.ignored.is_empty(), "the rotated file is not given up");
        let got = list_and_read(&mut t);
        let want: Vec<String> = lines(0, 13).lines().map(str::to_string).collect();
        let mut sorted = got.clone();
        sorted.sort();
        assert_eq!(sorted, want, "each line of both files once");
        assert!(!t.raced);
        // A name that no longer leads anywhere is not given up either.
        let gone = dir.path().join("stackstate-receiver.2.log");
        std::fs::write(&gone, lines(20, 25)).unwrap();
        let seen = std::fs::metadata(&gone).unwrap();
        std::fs::rename(&gone, dir.path().join("stackstate-receiver.3.log")).unwrap();
        assert!(t.place(&gone, &seen, BinaryDetection::Skip, Start::Beginning, false).is_none());
        assert!(t.ignored.is_empty());
        assert_eq!(list_and_read(&mut t).len(), 5);
    }

    #[test]
    fn a_file_moved_away_and_back_goes_on_where_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("log");
        std::fs::create_dir(&logs).unwrap();
        let inside = logs.join("stackstate-receiver.log");
        let outside = dir.path().join("stackstate-receiver.log.moved");
        std::fs::write(&inside, lines(0, 3)).unwrap();
        let mut t = Tailer::new(vec![logs.clone()], None);
        assert_eq!(list_and_read(&mut t).len(), 3);
        std::fs::rename(&inside, &outside).unwrap();
        assert!(list_and_read(&mut t).is_empty());
        assert_eq!(t.len(), 0, "closed once no longer found");
        let mut f = std::fs::OpenOptions::new().append(true).open(&outside).unwrap();
        std::io::Write::write_all(&mut f, lines(3, 5).as_bytes()).unwrap();
        std::fs::rename(&outside, logs.join("stackstate-receiver.1.log")).unwrap();
        let got = list_and_read(&mut t);
        assert_eq!(got, lines(3, 5).lines().map(str::to_string).collect::<Vec<_>>(), "only what was written since");
        assert!(t.take_notes().iter().any(|n| n.contains("found again")));
        // A file deleted and another made that happens to get its inode is read whole.
        let again = logs.join("stackstate-receiver.1.log");
        std::fs::remove_file(&again).unwrap();
        assert!(list_and_read(&mut t).is_empty());
        std::fs::write(logs.join("stackstate-receiver.2.log"), lines(40, 42)).unwrap();
        assert_eq!(list_and_read(&mut t).len(), 2);
    }

    /// A file moved out of the followed tree is not forgotten by a restart, nor by a second one before it comes
    /// back: its position stays in the checkpoint, and back in the tree it goes on where it was. Another file that
    /// merely starts alike is read whole.
    #[test]
    fn a_file_moved_away_goes_on_where_it_was_across_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("log");
        std::fs::create_dir(&logs).unwrap();
        let (long, short) = (logs.join("stackstate-receiver.log"), logs.join("stackstate-kafka-to-es.log"));
        std::fs::write(&long, lines(0, 40)).unwrap();
        std::fs::write(&short, lines(0, 1)).unwrap();
        assert!(lines(0, 40).len() > FINGERPRINT_BYTES && lines(0, 1).len() < FINGERPRINT_BYTES);
        let mut t = Tailer::new(vec![logs.clone()], None);
        assert_eq!(list_and_read(&mut t).len(), 41);
        let away = |p: &std::path::Path| dir.path().join(p.file_name().unwrap());
        std::fs::rename(&long, away(&long)).unwrap();
        std::fs::rename(&short, away(&short)).unwrap();
        assert!(list_and_read(&mut t).is_empty());
        assert_eq!(t.len(), 0);
        let restart = |t: Tailer| {
            let saved: Vec<(Pos, Option<u64>)> = t.positions().into_iter().map(|(p, _, head)| (p, head)).collect();
            let gone: Vec<(Pos, u64)> = t.away().into_iter().map(|(p, _, head)| (p, head)).collect();
            let files = t.files().iter().map(|f| f.display.clone()).collect();
            let mut next = Tailer::new(vec![logs.clone()], None);
            next.restore(files, saved, Vec::new());
            next.restore_away(gone);
            next
        };
        let mut t = restart(t);
        assert_eq!(t.away().len(), 2, "both files are away");
        assert!(list_and_read(&mut t).is_empty());
        // A new file that starts as the long one did, and is longer than what was read of it, is another file.
        let copy = logs.join("stackstate-receiver.copy.log");
        std::fs::write(&copy, lines(0, 45)).unwrap();
        assert_eq!(list_and_read(&mut t).len(), 45, "read whole");
        let mut t = restart(t);
        assert_eq!(t.away().len(), 2);
        for (file, more) in [(&long, lines(40, 42)), (&short, lines(1, 2))] {
            let mut f = std::fs::OpenOptions::new().append(true).open(away(file)).unwrap();
            std::io::Write::write_all(&mut f, more.as_bytes()).unwrap();
            std::fs::rename(away(file), file).unwrap();
        }
        let mut got = list_and_read(&mut t);
        got.sort();
        let mut want: Vec<String> = (lines(40, 42) + &lines(1, 2)).lines().map(str::to_string).collect();
        want.sort();
        assert_eq!(got, want, "only what was written while away");
        assert!(t.away().is_empty());
        assert_eq!(t.positions().len(), 3);
    }

    /// With a clock (a running follower), a file renamed out of the followed paths is read on while its writer may
    /// still write to it, and closed once idle for [`ROTATE_WAIT`]; a checkpoint taken meanwhile keeps it among the
    /// files away, not at its old name.
    #[test]
    fn a_file_renamed_away_is_read_until_it_is_idle() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("stackstate-receiver.log");
        let rotated = dir.path().join("stackstate-receiver.log.1");
        std::fs::write(&log, lines(0, 3)).unwrap();
        let mut t = Tailer::new(vec![log.clone()], None);
        let t0 = std::time::Instant::now();
        t.set_clock(Some(t0));
        t.record_wait(std::time::Duration::ZERO);
        assert_eq!(list_and_read(&mut t).len(), 3);
        std::fs::rename(&log, &rotated).unwrap();
        std::fs::write(&log, lines(10, 11)).unwrap();
        assert_eq!(list_and_read(&mut t).len(), 1, "the new file");
        assert_eq!(t.len(), 2, "the rotated one is still read");
        let mut f = std::fs::OpenOptions::new().append(true).open(&rotated).unwrap();
        std::io::Write::write_all(&mut f, lines(3, 5).as_bytes()).unwrap();
        t.set_clock(Some(t0 + ROTATE_WAIT / 2));
        assert_eq!(list_and_read(&mut t), lines(3, 5).lines().map(str::to_string).collect::<Vec<_>>());
        assert_eq!(t.positions().len(), 1);
        assert_eq!(t.away().len(), 1);
        // Idle for less than the wait since its last line: kept; past it: read to its end and closed.
        t.set_clock(Some(t0 + ROTATE_WAIT));
        assert!(list_and_read(&mut t).is_empty());
        assert_eq!(t.len(), 2);
        std::io::Write::write_all(&mut f, lines(5, 6).as_bytes()).unwrap();
        t.set_clock(Some(t0 + ROTATE_WAIT / 2 + ROTATE_WAIT));
        assert_eq!(list_and_read(&mut t).len(), 1, "read before it is closed");
        assert_eq!(t.len(), 1);
        assert!(t.take_notes().iter().any(|n| n.contains("no longer there")));
        assert_eq!(t.away().len(), 1, "remembered, should it come back");
    }

    /// A new file that starts like a followed one (the same banner) is read once its bytes differ from it; a real
    /// copy (copytruncate's, made before the truncation) still waits for its original's truncation.
    #[test]
    fn a_file_that_only_starts_alike_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let banner: String =
            (0..4).map(|i| format!("# stackstate-receiver banner line {i}: {}\n", "=".repeat(60))).collect();
        assert!(banner.len() > FINGERPRINT_BYTES);
        let first = dir.path().join("stackstate-receiver.log");
        std::fs::write(&first, banner.clone() + &lines(0, 3)).unwrap();
        let mut t = Tailer::new(vec![dir.path().to_path_buf()], None);
        assert_eq!(list_and_read(&mut t).len(), 7);
        let copy = dir.path().join("stackstate-receiver.log.1");
        std::fs::copy(&first, &copy).unwrap();
        let other = dir.path().join("stackstate-receiver-2.log");
        std::fs::write(&other, banner.clone() + &lines(20, 30)).unwrap();
        let got = list_and_read(&mut t);
        assert_eq!(got.len(), 14, "the other file whole, not the copy: {got:?}");
        assert!(got.iter().any(|l| l.contains("line 21")));
        assert!(t.take_notes().iter().any(|n| n.contains("starts like") && n.contains("another file")));
        // The copy goes on where its original was once that is truncated.
        std::fs::write(&first, lines(30, 31)).unwrap();
        let got = list_and_read(&mut t);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].contains("line 30"));
    }

    #[test]
    fn a_short_file_rewritten_while_stopped_is_read_from_its_start() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("stackstate-receiver.log");
        let other = dir.path().join("stackstate-kafka-to-es.log");
        std::fs::write(&log, lines(0, 1)).unwrap();
        std::fs::write(&other, lines(0, 1)).unwrap();
        assert!(lines(0, 2).len() < FINGERPRINT_BYTES, "shorter than a fingerprint");
        let mut t = Tailer::new(vec![dir.path().to_path_buf()], None);
        assert_eq!(list_and_read(&mut t).len(), 2);
        let saved: Vec<(Pos, Option<u64>)> = t.positions().into_iter().map(|(p, _, head)| (p, head)).collect();
        assert!(saved.iter().all(|(p, head)| p.fingerprint.is_none() && head.is_some()));
        let files = t.files().iter().map(|f| f.display.clone()).collect();
        drop(t);
        // While stopped: one file is written anew in place (same inode, other bytes), the other only grows.
        std::fs::write(&log, lines(30, 32)).unwrap();
        let mut f = std::fs::OpenOptions::new().append(true).open(&other).unwrap();
        std::io::Write::write_all(&mut f, lines(1, 2).as_bytes()).unwrap();
        let mut t = Tailer::new(vec![dir.path().to_path_buf()], None);
        t.restore(files, saved, Vec::new());
        let mut got = list_and_read(&mut t);
        got.sort();
        let mut want: Vec<String> = (lines(30, 32) + &lines(1, 2)).lines().map(str::to_string).collect();
        want.sort();
        assert_eq!(got, want, "the rewritten file whole, the grown one from where it was");
    }
}
