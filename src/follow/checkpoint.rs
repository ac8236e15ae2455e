//! The checkpoint of tail mode: where each followed file was read to, the running aggregates and what was
//! reported, in one versioned JSON document written atomically.
//!
//! One document holds all three so that they always agree: the aggregates contain exactly the lines before the
//! saved offsets, and the reported states are those that were announced for those aggregates. After a crash the
//! run resumes from the last document: lines after its offsets are read again and counted once (they were not in
//! its aggregates); events announced after it may be announced again.
//!
//! Writing: a temporary file in the same directory, fsync, rename over the old one, fsync of the directory. A
//! failure (full disk, read-only directory) leaves the previous checkpoint intact; the caller reports it and
//! tries again later.

use super::lifecycle::Reported;
use crate::correlate::episode::Aggregates;
use crate::time::Millis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// The format version this build writes and reads.
pub const VERSION: u32 = 1;

/// Where one followed file (identity) was read to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// Device of the file.
    pub dev: u64,
    /// Inode of the file.
    pub ino: u64,
    /// Hash of its first bytes, once it had that many.
    pub fingerprint: Option<u64>,
    /// Index in the file table.
    pub file: u32,
    /// Path where it was last seen (informative).
    pub path: String,
    /// Offset just after the last complete line processed.
    pub offset: u64,
    /// Lines processed (newlines before `offset`).
    pub lines: u64,
}

/// The whole checkpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Always [`VERSION`].
    pub version: u32,
    /// Rule ids of the pack, by index: the aggregates refer to rules by index, so a different pack at restart
    /// is mapped through the ids.
    pub rules: Vec<String>,
    /// The file table: display names by index (samples refer to files by index).
    pub files: Vec<String>,
    /// Per file identity, the read position.
    pub positions: Vec<Position>,
    /// Positions of contents that were truncated or replaced (for a copy made by copytruncate).
    #[serde(default)]
    pub retired: Vec<Position>,
    /// The newest log time seen.
    pub log_now: Option<Millis>,
    /// The running aggregates.
    pub aggregates: Aggregates,
    /// What was reported, by incident id.
    pub incidents: BTreeMap<String, Reported>,
}

/// Reads a checkpoint. `Ok(None)` when there is none yet.
pub fn load(path: &Path) -> Result<Option<Checkpoint>, String> {
    let text = match std::fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: cannot read checkpoint: {e}", path.display())),
    };
    #[derive(Deserialize)]
    struct Head {
        version: u32,
    }
    let head: Head =
        serde_json::from_slice(&text).map_err(|e| format!("{}: not a stackscan checkpoint: {e}", path.display()))?;
    if head.version != VERSION {
        return Err(format!(
            "{}: checkpoint version {} is not supported (this build reads version {VERSION})",
            path.display(),
            head.version
        ));
    }
    serde_json::from_slice(&text).map(Some).map_err(|e| format!("{}: damaged checkpoint: {e}", path.display()))
}

/// Writes a checkpoint atomically (temp file in the same directory, fsync, rename, fsync of the directory).
pub fn save(path: &Path, cp: &Checkpoint) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
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

    fn sample() -> Checkpoint {
        Checkpoint {
            version: VERSION,
            rules: vec!["r".into()],
            files: vec!["a.log".into()],
            positions: vec![Position {
                dev: 1,
                ino: 2,
                fingerprint: Some(u64::MAX),
                file: 0,
                path: "a.log".into(),
                offset: 10,
                lines: 1,
            }],
            retired: vec![],
            log_now: Some(5),
            aggregates: Aggregates::default(),
            incidents: BTreeMap::new(),
        }
    }

    #[test]
    fn round_trips_and_rejects_other_versions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("sub/state.json");
        assert!(load(&p).expect("no file is fine").is_none());
        save(&p, &sample()).expect("save");
        let back = load(&p).expect("load").expect("present");
        assert_eq!(back.positions, sample().positions);
        assert_eq!(back.log_now, Some(5));
        let leftovers = std::fs::read_dir(p.parent().expect("dir")).expect("list").count();
        assert_eq!(leftovers, 1, "no temp file left behind");
        std::fs::write(&p, br#"{"version": 99}"#).expect("write");
        assert!(load(&p).expect_err("version 99").contains("version 99"));
    }
}
