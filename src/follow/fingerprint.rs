//! Knowing a file by what it is, not by its name: its (device, inode), checked against a fingerprint, a hash of
//! its first [`FINGERPRINT_BYTES`] bytes once it has that many. A rotated file keeps its identity under its new
//! name; a file replaced or truncated in place keeps its inode but not its fingerprint; a copy (copytruncate's)
//! has a new inode and the old fingerprint.

use std::fs::File;
use std::os::unix::fs::{FileExt, MetadataExt};

/// Bytes hashed for a file's fingerprint.
pub const FINGERPRINT_BYTES: usize = 256;

/// A file's identity on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileId {
    /// Device.
    pub dev: u64,
    /// Inode.
    pub ino: u64,
}

impl FileId {
    /// The identity of the file `m` describes.
    pub fn of(m: &std::fs::Metadata) -> FileId {
        FileId { dev: m.dev(), ino: m.ino() }
    }
}

/// The fingerprint of a file of `size` bytes: `None` until it has [`FINGERPRINT_BYTES`].
pub fn of_file(f: &File, size: u64) -> Option<u64> {
    if size < FINGERPRINT_BYTES as u64 {
        return None;
    }
    let mut b = [0u8; FINGERPRINT_BYTES];
    f.read_exact_at(&mut b, 0).ok().map(|_| of_head(&b))
}

/// A hash of the first `n` bytes of a file (at most [`FINGERPRINT_BYTES`]), for telling whether a file found again
/// still starts with what was read of it, however short it is. `None` when they cannot be read.
pub fn of_first(f: &File, n: u64) -> Option<u64> {
    let mut b = vec![0u8; n.min(FINGERPRINT_BYTES as u64) as usize];
    f.read_exact_at(&mut b, 0).ok().map(|_| crate::hash::of_bytes(&b))
}

/// The fingerprint of a file's first [`FINGERPRINT_BYTES`] bytes.
pub fn of_head(head: &[u8; FINGERPRINT_BYTES]) -> u64 {
    crate::hash::of_bytes(head)
}
