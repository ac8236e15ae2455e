//! The checkpoint of tail mode: the running [`ScanState`], where each followed file was read to, and what was
//! reported, in one versioned JSON document written atomically.
//!
//! One document holds all three so that they always agree: the state's aggregates contain exactly the lines
//! before the saved offsets, and the reported states are those that were announced for those aggregates. After a
//! crash the run resumes from the last document: lines after its offsets are read again and counted once (they
//! were not in its aggregates); events announced after it may be announced again.
//!
//! Version 2 (this build) holds the same [`ScanState`] a scan produces (its unexplained templates included, with
//! what was announced of them); version 1 (earlier builds: rule ids, file names and aggregates side by side) is
//! still read, and replaced by version 2 at the next write. Fields added to version 2 since (`log_start`, the
//! state's `unexplained`) have defaults, so checkpoints of earlier version 2 builds are read as they are.
//!
//! Writing: a temporary file in the same directory, fsync, rename over the old one, fsync of the directory. A
//! failure (full disk, read-only directory) leaves the previous checkpoint intact; the caller reports it and
//! tries again later.

use super::lifecycle::Reported;
use crate::aggregate::episode::Aggregates;
use crate::aggregate::{ScanState, ScannedFile};
use crate::rules::PackId;
use crate::time::Millis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The format version this build writes.
pub const VERSION: u32 = 2;

/// Where one followed file (identity) was read to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// Device of the file.
    pub dev: u64,
    /// Inode of the file.
    pub ino: u64,
    /// Hash of its first bytes, once it had that many.
    pub fingerprint: Option<u64>,
    /// For a file shorter than a fingerprint: the hash of its bytes up to `offset` (absent in older checkpoints).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<u64>,
    /// Index in the file table.
    pub file: u32,
    /// Path where it was last seen (informative).
    pub path: String,
    /// Offset just after the last complete line processed.
    pub offset: u64,
    /// Lines processed (newlines before `offset`).
    pub lines: u64,
}

/// The whole checkpoint, as read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Checkpoint {
    /// [`VERSION`].
    pub version: u32,
    /// The scan state: pack identity, file table, totals, aggregates.
    pub state: ScanState,
    /// Per file identity, the read position.
    pub positions: Vec<Position>,
    /// Positions of contents that were truncated or replaced (for a copy made by copytruncate).
    #[serde(default)]
    pub retired: Vec<Position>,
    /// Files moved out of the followed paths (not deleted), newest first, each with its `head`: one that comes back
    /// under the same identity and starting with the bytes read goes on where it was.
    #[serde(default)]
    pub away: Vec<Position>,
    /// The newest log time seen.
    pub log_now: Option<Millis>,
    /// The oldest log time seen (new unexplained templates are announced from a minute after it).
    #[serde(default)]
    pub log_start: Option<Millis>,
    /// What was reported, by incident id.
    pub incidents: BTreeMap<String, Reported>,
}

/// The checkpoint as written: the same document, borrowing the running state instead of copying it.
#[derive(Debug, Serialize)]
pub struct CheckpointRef<'a> {
    /// [`VERSION`].
    pub version: u32,
    /// The running state.
    pub state: &'a ScanState,
    /// Per file identity, the read position.
    pub positions: Vec<Position>,
    /// Retired positions.
    pub retired: Vec<Position>,
    /// Positions of files away.
    pub away: Vec<Position>,
    /// The newest log time seen.
    pub log_now: Option<Millis>,
    /// The oldest log time seen.
    pub log_start: Option<Millis>,
    /// What was reported.
    pub incidents: &'a BTreeMap<String, Reported>,
}

/// Version 1, as earlier builds wrote it.
#[derive(Debug, Deserialize)]
struct CheckpointV1 {
    rules: Vec<String>,
    files: Vec<String>,
    positions: Vec<Position>,
    #[serde(default)]
    retired: Vec<Position>,
    log_now: Option<Millis>,
    aggregates: Aggregates,
    incidents: BTreeMap<String, Reported>,
}

impl From<CheckpointV1> for Checkpoint {
    fn from(v1: CheckpointV1) -> Checkpoint {
        let files = v1
            .files
            .into_iter()
            .map(|display| {
                ScannedFile::new(display.clone(), crate::source::classify::origin_of_path(Path::new(&display)))
            })
            .collect();
        Checkpoint {
            version: VERSION,
            state: ScanState {
                // Version 1 recorded no fingerprint: the rules are matched by id.
                pack: PackId { fingerprint: String::new(), rules: v1.rules },
                files,
                aggregates: v1.aggregates,
                ..ScanState::default()
            },
            positions: v1.positions,
            retired: v1.retired,
            away: Vec::new(),
            log_now: v1.log_now,
            log_start: None,
            incidents: v1.incidents,
        }
    }
}

/// Why a checkpoint could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// The file exists but cannot be read.
    #[error("{}: cannot read checkpoint: {source}", path.display())]
    Read {
        /// The checkpoint.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It is not JSON with a version.
    #[error("{}: not a stackscan checkpoint: {source}", path.display())]
    NotCheckpoint {
        /// The checkpoint.
        path: PathBuf,
        /// Why.
        source: serde_json::Error,
    },
    /// A version this build does not read.
    #[error("{}: checkpoint version {found} is not supported (this build reads versions 1 and {VERSION})", path.display())]
    Version {
        /// The checkpoint.
        path: PathBuf,
        /// The version it has.
        found: u32,
    },
    /// The right version, but damaged.
    #[error("{}: damaged checkpoint: {source}", path.display())]
    Damaged {
        /// The checkpoint.
        path: PathBuf,
        /// Why.
        source: serde_json::Error,
    },
}

/// Reads a checkpoint (version 1 or 2). `Ok(None)` when there is none yet.
pub fn load(path: &Path) -> Result<Option<Checkpoint>, CheckpointError> {
    let text = match std::fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(CheckpointError::Read { path: path.into(), source }),
    };
    #[derive(Deserialize)]
    struct Head {
        version: u32,
    }
    let head: Head =
        serde_json::from_slice(&text).map_err(|source| CheckpointError::NotCheckpoint { path: path.into(), source })?;
    let damaged = |source| CheckpointError::Damaged { path: path.into(), source };
    match head.version {
        1 => serde_json::from_slice::<CheckpointV1>(&text).map(|v1| Some(v1.into())).map_err(damaged),
        VERSION => serde_json::from_slice(&text).map(Some).map_err(damaged),
        found => Err(CheckpointError::Version { path: path.into(), found }),
    }
}

/// Writes a checkpoint atomically (temp file in the same directory, fsync, rename, fsync of the directory).
pub fn save(path: &Path, cp: &CheckpointRef<'_>) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "state".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        let mut w = std::io::BufWriter::new(&mut f);
        serde_json::to_writer(&mut w, cp)?;
        w.write_all(b"\n")?;
        w.flush()?;
        drop(w);
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        std::fs::File::open(&dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn position() -> Position {
        Position {
            dev: 1,
            ino: 2,
            fingerprint: Some(u64::MAX),
            head: None,
            file: 0,
            path: "a.log".into(),
            offset: 10,
            lines: 1,
        }
    }

    #[test]
    fn round_trips_and_rejects_other_versions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("sub/state.json");
        assert!(load(&p).expect("no file is fine").is_none());
        let state = ScanState::new(PackId { fingerprint: "f".into(), rules: vec!["r".into()] });
        let incidents = BTreeMap::new();
        let cp = CheckpointRef {
            version: VERSION,
            state: &state,
            positions: vec![position()],
            retired: vec![],
            away: vec![],
            log_now: Some(5),
            log_start: Some(1),
            incidents: &incidents,
        };
        save(&p, &cp).expect("save");
        let back = load(&p).expect("load").expect("present");
        assert_eq!(back.positions, vec![position()]);
        assert_eq!(back.log_now, Some(5));
        assert_eq!(back.state.pack.rules, vec!["r".to_string()]);
        let leftovers = std::fs::read_dir(p.parent().expect("dir")).expect("list").count();
        assert_eq!(leftovers, 1, "no temp file left behind");
        std::fs::write(&p, br#"{"version": 99}"#).expect("write");
        let e = load(&p).expect_err("version 99");
        assert!(e.to_string().contains("version 99"), "{e}");
    }

    #[test]
    fn reads_version_1() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("state.json");
        let v1 = r#"{"version":1,"rules":["r"],"files":["/opt/stackstate/var/log/kafka/server.log"],
            "positions":[{"dev":1,"ino":2,"fingerprint":null,"file":0,"path":"x","offset":3,"lines":1}],
            "retired":[],"log_now":7,"aggregates":[],"incidents":{}}"#;
        std::fs::write(&p, v1).expect("write");
        let cp = load(&p).expect("load").expect("present");
        assert_eq!(cp.version, VERSION);
        assert_eq!(cp.state.pack.rules, vec!["r".to_string()]);
        assert_eq!(cp.state.files[0].origin.component, Some(crate::model::Component::Kafka));
        assert_eq!(cp.positions[0].offset, 3);
        assert_eq!(cp.log_now, Some(7));
    }
}
