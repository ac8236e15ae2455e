//! Inputs: turning the paths a user gives into a sorted list of files to scan, each with its origin and how to
//! read it (plain, gzip, zstd, a stream, or standard input).
//!
//! Directories are walked by [`walk`], shared with tail mode; files named explicitly are always scanned (even
//! when they look binary), files found by walking are skipped when they are binary, with a note. The list is
//! sorted by name so that the report does not depend on the order of the arguments.

pub mod classify;
pub mod progress;
pub mod read;
pub mod span;
pub mod walk;

pub use classify::Origin;
pub use walk::{BinaryDetection, PodFilter, WalkOptions};

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
    /// A file on disk, read in positioned chunks.
    File(PathBuf),
    /// A path that is not a regular file (a FIFO, `/dev/fd/N`), read once from start to end.
    Stream(PathBuf),
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
    /// What to do when it looks binary: files found by walking are skipped, named ones read.
    pub binary: BinaryDetection,
    /// How it is encoded.
    pub compression: Compression,
}

impl Input {
    /// The name of its file, for the policies that look at it (prose); empty for standard input.
    pub fn file_name(&self) -> &str {
        std::path::Path::new(&self.display).file_name().and_then(|n| n.to_str()).unwrap_or("")
    }
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
pub fn discover(paths: &[PathBuf], opts: &WalkOptions) -> Discovered {
    discover_observed(paths, opts, &progress::Progress::default())
}

/// What [`discover`] returns: the inputs, sorted; what was passed over; named paths that do not exist.
pub type Discovered = (Vec<Input>, Vec<Skipped>, Vec<(PathBuf, std::io::Error)>);

/// [`discover`], telling `progress` where the walk is.
pub fn discover_observed(paths: &[PathBuf], opts: &WalkOptions, progress: &progress::Progress) -> Discovered {
    let stdin = paths.iter().any(|p| p.as_os_str() == "-");
    let files: Vec<PathBuf> = paths.iter().filter(|p| p.as_os_str() != "-").cloned().collect();
    let walked = walk::walk_observed(&files, opts, progress);
    let mut inputs: Vec<Input> = walked.found.into_iter().map(|f| input_of(&f.path, f.stream, f.binary)).collect();
    if stdin {
        inputs.push(Input {
            location: Location::Stdin,
            display: "-".into(),
            origin: Origin::default(),
            binary: BinaryDetection::Read,
            compression: Compression::None,
        });
    }
    inputs.sort_by(|a, b| a.display.cmp(&b.display));
    (inputs, walked.skipped, walked.missing)
}

/// The input of a file found or named: its origin from its path, its compression from its name.
fn input_of(p: &Path, stream: bool, binary: BinaryDetection) -> Input {
    Input {
        location: if stream { Location::Stream(p.to_path_buf()) } else { Location::File(p.to_path_buf()) },
        display: p.display().to_string(),
        origin: classify::origin_of_path(p),
        binary,
        compression: Compression::of_path(p),
    }
}

/// Gives `component` to the inputs (`--component`, what the user says wrote them): it wins over what a file's
/// name suggests (`kafka-capture.log` given with `--component kafka-to-es` is kafka-to-es's), but not over a pod
/// its path names (`/var/log/pods/<ns>_<pod>_<uid>/<container>/0.log`); lines that carry a pod prefix also keep
/// their pod's component. See [`Origin::told`].
pub fn default_component(inputs: &mut [Input], component: crate::model::Component) {
    for i in inputs.iter_mut() {
        i.origin = std::mem::take(&mut i.origin).told(Some(component));
    }
}
