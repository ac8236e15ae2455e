//! Progress counters of a long run: what the walk has found and where it is, what the scan has read.
//!
//! The walk and the scanner update them as they go and someone else (the binary's progress line) reads them
//! when it likes: relaxed atomics, so the hot path pays one uncontended add per read piece (256 KiB) and per
//! work unit, nothing per line. The directory being walked is behind a mutex taken once per directory. Nothing
//! here reads a clock or prints: rates and display are the reader's.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;

/// Counters shared between the workers and a reader.
#[derive(Debug, Default)]
pub struct Progress {
    dirs: AtomicU64,
    found: AtomicU64,
    walking: Mutex<Option<PathBuf>>,
    files_total: AtomicU64,
    files_done: AtomicU64,
    bytes_total: AtomicU64,
    bytes_done: AtomicU64,
    /// The input most recently started, plus one (0: none yet).
    current: AtomicU64,
    scanning: std::sync::atomic::AtomicBool,
}

/// What the counters said when read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Directories entered by the walk.
    pub dirs: u64,
    /// Files the walk found.
    pub found: u64,
    /// The directory being walked (until the scan starts).
    pub walking: Option<PathBuf>,
    /// Whether the scan has started (the walk is over).
    pub scanning: bool,
    /// Inputs to scan.
    pub files_total: u64,
    /// Inputs wholly scanned (or given up).
    pub files_done: u64,
    /// Bytes of the plain files to scan (compressed files and streams count as they are read).
    pub bytes_total: u64,
    /// Bytes read so far (after decompression).
    pub bytes_done: u64,
    /// Index of the input most recently started.
    pub current: Option<usize>,
}

impl Progress {
    /// The walk enters a directory.
    pub fn enter_dir(&self, dir: &Path) {
        self.dirs.fetch_add(1, Relaxed);
        if let Ok(mut w) = self.walking.lock() {
            *w = Some(dir.to_path_buf());
        }
    }

    /// The walk found a file to read.
    pub fn found_file(&self) {
        self.found.fetch_add(1, Relaxed);
    }

    /// The scan starts: `files` inputs, `bytes` of them known in advance.
    pub fn start_scan(&self, files: u64, bytes: u64) {
        self.files_total.store(files, Relaxed);
        self.bytes_total.store(bytes, Relaxed);
        self.scanning.store(true, Relaxed);
        if let Ok(mut w) = self.walking.lock() {
            *w = None;
        }
    }

    /// Work on input `file` starts.
    pub fn start_file(&self, file: usize) {
        self.current.store(file as u64 + 1, Relaxed);
    }

    /// `n` more bytes were read.
    pub fn read(&self, n: u64) {
        self.bytes_done.fetch_add(n, Relaxed);
    }

    /// An input is done.
    pub fn file_done(&self) {
        self.files_done.fetch_add(1, Relaxed);
    }

    /// The counters now.
    pub fn snapshot(&self) -> Snapshot {
        let current = self.current.load(Relaxed);
        Snapshot {
            dirs: self.dirs.load(Relaxed),
            found: self.found.load(Relaxed),
            walking: self.walking.lock().ok().and_then(|w| w.clone()),
            scanning: self.scanning.load(Relaxed),
            files_total: self.files_total.load(Relaxed),
            files_done: self.files_done.load(Relaxed),
            bytes_total: self.bytes_total.load(Relaxed),
            bytes_done: self.bytes_done.load(Relaxed),
            current: current.checked_sub(1).map(|c| c as usize),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_phases() {
        let p = Progress::default();
        p.enter_dir(Path::new("/var/log"));
        p.found_file();
        p.found_file();
        let s = p.snapshot();
        assert_eq!((s.dirs, s.found, s.scanning), (1, 2, false));
        assert_eq!(s.walking.as_deref(), Some(Path::new("/var/log")));
        p.start_scan(2, 100);
        p.start_file(1);
        p.read(60);
        p.file_done();
        let s = p.snapshot();
        assert_eq!((s.scanning, s.walking, s.files_done, s.bytes_done, s.current), (true, None, 1, 60, Some(1)));
    }
}
