//! One followed file, as a small state machine: its identity and read position, its handle (closed while idle,
//! reopened by name when it grows), what changed since the last look (grown; truncated or replaced in place,
//! which restarts it at 0), and reading its new complete lines in blocks for the scanner. What needs the other
//! files (a copy waiting for its original, content already read under another name) is the tailer's.

use super::fingerprint::{self, FileId};
use super::tailer::{last_record_start, ready_end, Hold, BATCH};
use crate::frame::prefix::Mode;
use crate::scan::{detect_mode, Block, BlockCounts, LOOK_BEHIND};
use crate::source::Origin;
use crate::time::Zone;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

/// A read position, as saved in checkpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    /// Identity.
    pub id: FileId,
    /// Fingerprint, once known.
    pub fingerprint: Option<u64>,
    /// Index in the file table.
    pub file: u32,
    /// Offset after the last complete line handed on.
    pub offset: u64,
    /// Lines handed on.
    pub lines: u64,
}

/// One followed file.
pub(super) struct Tracked {
    pub(super) pos: Pos,
    pub(super) path: PathBuf,
    pub(super) handle: Option<File>,
    /// Found by the latest listing.
    pub(super) seen: bool,
    /// Sequence number of the last read that found new bytes (to close the idlest handles first).
    pub(super) active: u64,
    /// Modification time at the last look.
    pub(super) mtime: Option<std::time::SystemTime>,
    /// A copy (copytruncate's, made before the truncation) of a file still followed with the same content: not
    /// read until the original is truncated, then resumed where the original was read to, so that lines the
    /// original is read for in between are not counted twice.
    pub(super) copy_of_live: bool,
    /// Placed by the first listing (where files that merely start alike are all read whole).
    pub(super) initial: bool,
    /// How its lines are read (capture prefixes), told once from its first bytes, as a scan does.
    pub(super) mode: Option<Mode>,
    /// Its last record, held back at its end for the lines below it.
    pub(super) waiting: Hold,
    /// Since when it is away (no listing finds it: renamed out of the followed paths, or deleted) and has not grown:
    /// its writer may still hold it open (rename rotation before the writer reopens its log), so it is read on
    /// until it has been idle for [`ROTATE_WAIT`](super::tailer::ROTATE_WAIT).
    pub(super) away_since: Option<std::time::Instant>,
}

/// What a read pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassCounts {
    /// Bytes handed on.
    pub bytes: u64,
    /// Lines handed on.
    pub lines: u64,
    /// Whether a file still has complete lines that this pass left for the next (it stopped at its budget).
    pub more: bool,
}

/// What a look at a followed file found.
pub(super) enum Look {
    /// Nothing to read now: closed and not grown, unchanged since the last look, or it cannot be looked at.
    Idle,
    /// Open, with `size` bytes.
    Ready {
        /// The handle, taken out of the file while it is read (give it back).
        file: File,
        /// Its size now.
        size: u64,
        /// Its fingerprint now, once it has one.
        fingerprint: Option<u64>,
        /// `Some` when it was truncated or replaced since the last look and restarts at 0: the position it had
        /// (`None` inside when that had no fingerprint), for recognising its copy.
        retired: Option<Option<Pos>>,
    },
}

impl Tracked {
    /// Opens the file if it was closed while idle and grew, and compares it with the last look.
    pub(super) fn look(&mut self, notes: &mut Vec<String>) -> Look {
        if self.handle.is_none() {
            // Closed while idle: reopen by name if the name still leads to it and it grew.
            let grew = std::fs::metadata(&self.path)
                .is_ok_and(|m| FileId::of(&m) == self.pos.id && m.len() != self.pos.offset);
            if !grew {
                return Look::Idle;
            }
            match File::open(&self.path) {
                Ok(f) if f.metadata().is_ok_and(|m| FileId::of(&m) == self.pos.id) => self.handle = Some(f),
                _ => return Look::Idle,
            }
        }
        let Some(f) = self.handle.take() else { return Look::Idle };
        let (size, mtime) = match f.metadata() {
            Ok(m) => (m.len(), m.modified().ok()),
            Err(_) => {
                self.handle = Some(f);
                return Look::Idle;
            }
        };
        let pos = self.pos;
        // Same size and untouched since the last look: nothing to do. (A file truncated and written again to
        // the very size it had is caught by its modification time and then its fingerprint.)
        if size == pos.offset && pos.fingerprint.is_some() && mtime.is_some() && mtime == self.mtime {
            self.handle = Some(f);
            return Look::Idle;
        }
        self.mtime = mtime;
        // Truncated (copytruncate) or replaced in place: start again at 0.
        let fp_now = fingerprint::of_file(&f, size);
        let replaced = pos.fingerprint.is_some() && fp_now.is_some() && fp_now != pos.fingerprint;
        let mut retired = None;
        if size < pos.offset || replaced {
            notes.push(format!(
                "{}: truncated ({} bytes, {} were read): reading it again from the start",
                self.path.display(),
                size,
                pos.offset
            ));
            retired = Some(pos.fingerprint.is_some().then_some(pos));
            self.pos = Pos { offset: 0, lines: 0, fingerprint: None, ..pos };
        }
        Look::Ready { file: f, size, fingerprint: fp_now, retired }
    }

    /// Reads the complete lines between the position and `size`, at most `budget` bytes, handing them to
    /// `on_block` in blocks (with up to [`LOOK_BEHIND`] bytes before them), and moves the position past them.
    /// The last record of a block that the file goes on past begins the next block. With `clock` (the time of this
    /// pass), the last record at the file's end is held back until lines come below it or it has waited its time
    /// (`--record-wait`); without, every complete line is handed on.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn read_lines(
        &mut self,
        f: &File,
        size: u64,
        budget: usize,
        buf: &mut Vec<u8>,
        (origin, zone): (&Origin, Zone),
        clock: Option<std::time::Instant>,
        on_block: &mut dyn FnMut(&Block<'_>) -> BlockCounts,
    ) -> PassCounts {
        let mut counts = PassCounts::default();
        let mut pos = self.pos;
        if self.mode.is_none() && size > 0 {
            // From the file's first bytes, even when following starts at its end.
            let mut head = vec![0u8; size.min(16 * 1024) as usize];
            let n = f.read_at(&mut head, 0).unwrap_or(0);
            self.mode = Some(detect_mode(&head[..n], zone));
        }
        let mut done = 0usize;
        while pos.offset < size && done < budget {
            let lb = (pos.offset.min(LOOK_BEHIND as u64)) as usize;
            let from = pos.offset - lb as u64;
            let want = (lb as u64 + (size - pos.offset).min(BATCH as u64)) as usize;
            buf.resize(want, 0);
            let mut n = 0;
            while n < want {
                match f.read_at(&mut buf[n..want], from + n as u64) {
                    Ok(0) => break,
                    Ok(k) => n += k,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
            if n <= lb {
                break;
            }
            // A partial line (in a CRI file, a split line without its final part) waits for its end.
            let Some(mut end) = ready_end(&buf[..n], lb, self.mode == Some(Mode::Cri)) else { break };
            match clock {
                // The file goes on past this block: the next block starts with its last record (also when reading
                // without waiting: a record cut between two blocks would be judged twice, in two parts).
                _ if from + (n as u64) < size => {
                    let last = last_record_start(&buf[..end], lb, end, self.mode.unwrap_or(Mode::Auto));
                    end = if last > lb { last } else { end };
                }
                Some(now) => {
                    let last = last_record_start(&buf[..end], lb, end, self.mode.unwrap_or(Mode::Auto));
                    end = (self.waiting.until(from + last as u64, from + end as u64, now) - from) as usize;
                }
                None => self.waiting.clear(),
            }
            if end <= lb {
                break;
            }
            let block = Block {
                buf: &buf[..end],
                start: lb,
                file: pos.file,
                origin,
                first_line: pos.lines,
                base_offset: from,
                mode: self.mode,
            };
            let c = on_block(&block);
            pos.lines += c.newlines;
            pos.offset = from + end as u64;
            counts.bytes += (end - lb) as u64;
            counts.lines += c.newlines;
            done += end - lb;
        }
        if pos.offset < size && done >= budget {
            counts.more = true;
        }
        self.pos = pos;
        counts
    }
}
