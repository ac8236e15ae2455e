//! Inputs: turning the paths a user gives into a sorted list of files to scan, each with its origin and how to
//! read it (plain, gzip, zstd, or standard input).
//!
//! Directories are walked recursively in name order; files named explicitly are always scanned (even when they
//! look binary), files found by walking are skipped when they are binary, with a note. The list is sorted by path
//! so that the report does not depend on the order of the arguments.

pub mod classify;
pub mod read;
pub mod span;

pub use classify::Origin;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// How an input's bytes are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Plain text.
    None,
    /// gzip (`.gz`), possibly multi-member.
    Gzip,
    /// Zstandard (`.zst`, `.zstd`).
    Zstd,
}

impl Compression {
    /// From a file name.
    pub fn of_path(path: &Path) -> Compression {
        match path.extension().and_then(|e| e.to_str()) {
            Some("gz") => Compression::Gzip,
            Some("zst" | "zstd") => Compression::Zstd,
            _ => Compression::None,
        }
    }
}

/// Where an input's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A file on disk.
    File(PathBuf),
    /// Standard input.
    Stdin,
}

/// One input to scan.
#[derive(Debug, Clone)]
pub struct Input {
    /// Where to read it.
    pub location: Location,
    /// The name shown in reports (`-` for stdin).
    pub display: String,
    /// What wrote it.
    pub origin: Origin,
    /// Named on the command line (scanned even if binary) rather than found by walking.
    pub explicit: bool,
    /// How it is encoded.
    pub compression: Compression,
}

/// An input that was not scanned, or not completely.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Skipped {
    /// The path.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// The inputs found under `paths`, plus what could not be listed. A path that does not exist is an error for the
/// caller to report (the run cannot do what was asked); it is returned in the third element.
pub fn discover(paths: &[PathBuf]) -> (Vec<Input>, Vec<Skipped>, Vec<(PathBuf, std::io::Error)>) {
    let mut inputs = Vec::new();
    let mut skipped = Vec::new();
    let mut missing = Vec::new();
    let mut seen = HashSet::new();
    for p in paths {
        if p.as_os_str() == "-" {
            inputs.push(Input {
                location: Location::Stdin,
                display: "-".into(),
                origin: Origin::default(),
                explicit: true,
                compression: Compression::None,
            });
            continue;
        }
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, &mut inputs, &mut skipped, &mut seen),
            Ok(_) => push_file(p, true, &mut inputs, &mut seen),
            Err(e) => missing.push((p.clone(), e)),
        }
    }
    inputs.sort_by(|a, b| a.display.cmp(&b.display));
    (inputs, skipped, missing)
}

fn push_file(p: &Path, explicit: bool, inputs: &mut Vec<Input>, seen: &mut HashSet<PathBuf>) {
    let key = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    if !seen.insert(key) {
        return;
    }
    inputs.push(Input {
        location: Location::File(p.to_path_buf()),
        display: p.display().to_string(),
        origin: classify::origin_of_path(p),
        explicit,
        compression: Compression::of_path(p),
    });
}

/// Gives `component` to the inputs whose path (or, for stdin, nothing) says what wrote them (`--component`).
/// Lines that carry a pod prefix still take their component from the pod.
pub fn default_component(inputs: &mut [Input], component: crate::model::Component) {
    for i in inputs.iter_mut().filter(|i| i.origin.component.is_none()) {
        i.origin.component = Some(component);
    }
}

/// File names that are never logs: lock and pid files, editor swap files, our own state.
fn ignored(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".pid", ".lck", ".lock", ".swp", ".tmp", ".state", ".checkpoint"].iter().any(|s| lower.ends_with(s))
}

fn walk(dir: &Path, inputs: &mut Vec<Input>, skipped: &mut Vec<Skipped>, seen: &mut HashSet<PathBuf>) {
    let mut stack = vec![dir.to_path_buf()];
    let mut dirs_seen = HashSet::new();
    while let Some(d) = stack.pop() {
        if let Ok(c) = std::fs::canonicalize(&d) {
            if !dirs_seen.insert(c) {
                continue; // a symlink loop
            }
        }
        let rd = match std::fs::read_dir(&d) {
            Ok(rd) => rd,
            Err(e) => {
                skipped.push(Skipped { path: d.display().to_string(), reason: format!("cannot list directory: {e}") });
                continue;
            }
        };
        let mut entries: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
        entries.sort();
        for e in entries.into_iter().rev() {
            let name = e.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            match std::fs::metadata(&e) {
                Ok(m) if m.is_dir() => stack.push(e),
                Ok(m) if m.is_file() => {
                    if !ignored(&name) {
                        push_file(&e, false, inputs, seen);
                    }
                }
                Ok(_) => {}
                Err(err) => {
                    skipped.push(Skipped { path: e.display().to_string(), reason: format!("cannot read: {err}") })
                }
            }
        }
    }
}
