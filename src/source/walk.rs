//! Discovery: the one walk of the paths a user names, shared by `scan` and `follow`.
//!
//! Like ripgrep's: a directory is walked recursively (on `walkdir`), in name order; what is found by walking is
//! held to stricter policies than what is named: names that are never logs (lock, pid, swap, state files) are
//! passed over, a file that looks binary is skipped with a note ([`BinaryDetection`]), special files (FIFOs,
//! sockets, devices) are skipped with a note. Symbolic links to files are followed (Kubernetes'
//! `/var/log/containers/*.log` are links into `/var/log/pods`) and each file is listed once; links to
//! directories are not followed unless asked ([`WalkOptions::follow_links`], with loop detection), and the
//! kernel's pseudo-file systems (`/proc`, `/sys`, `/dev`) are never walked into. A path named on the command
//! line that is not a regular file (a FIFO, `/dev/fd/N` of a process substitution) is read as a stream.

use super::progress::Progress;
use super::Skipped;
use std::collections::HashSet;
use std::fs::Metadata;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

/// How far into a file is looked for a NUL byte to call it binary.
pub const BINARY_PROBE: usize = 8 * 1024;

/// What to do with a file whose first bytes hold a NUL byte (the policy is decided at discovery, like ripgrep's
/// `BinaryDetection`: files found by walking are held to it, files a user names are read whatever they hold).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryDetection {
    /// A NUL byte in the first [`BINARY_PROBE`] bytes skips the file, with a note.
    Skip,
    /// Read it whatever it holds.
    Read,
}

impl BinaryDetection {
    /// Why a file named `name` that starts with `head` is not read, under this policy; `None` when it is read. Found
    /// by walking ([`BinaryDetection::Skip`]), a binary file (a NUL byte in its first 8 KiB) is not read, nor a prose
    /// file ([`is_prose`]: a README, a `.md` or `.txt` whose first lines hold no log line).
    pub fn refuses(self, name: &str, head: &[u8]) -> Option<&'static str> {
        if self == BinaryDetection::Read {
            return None;
        }
        let head = &head[..head.len().min(BINARY_PROBE)];
        if memchr::memchr(0, head).is_some() {
            return Some("binary file (NUL byte in its first 8 KiB); name it explicitly to scan it anyway");
        }
        if is_prose(name, head) {
            return Some("prose, not a log (a document name, no timestamped line in its first 8 KiB); name it explicitly to scan it anyway");
        }
        None
    }
}

/// Whether a file is prose rather than a log: its name is a document's (`*.md`, `*.markdown`, `*.rst`, `*.adoc`,
/// `*.txt`, `README*`, `LICENSE*`, `NOTICE*`, `CHANGELOG*`, `COPYING*`, `AUTHORS*`) and no line of its first bytes
/// `head` is a log record's start (a timestamp the scanner reads, syslog's included, or a JSON object). A
/// `kubectl logs > pod.txt` capture keeps its timestamped lines and is read; a README quoting an error in its
/// prose is not scanned as if a component had logged it.
pub fn is_prose(name: &str, head: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    let doc_ext = [".md", ".markdown", ".rst", ".adoc", ".txt"].iter().any(|e| lower.ends_with(e));
    let doc_name = ["readme", "license", "licence", "notice", "changelog", "copying", "authors"]
        .iter()
        .any(|n| lower.starts_with(n));
    if !(doc_ext || doc_name) {
        return false;
    }
    // Syslog and other yearless layouts are read against a reference year; any reference tells a start from prose.
    let zone = crate::time::Zone::UTC.with_reference(0);
    let log_line = |line: &[u8]| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        crate::time::parse_line_start(line, zone).is_some() || line.starts_with(b"{\"")
    };
    !head.split(|&b| b == b'\n').any(log_line)
}

/// How to walk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WalkOptions {
    /// Follow symbolic links to directories (with loop detection).
    pub follow_links: bool,
    /// Do not cross into other file systems below a named directory.
    pub one_file_system: bool,
    /// Which Kubernetes pod logs to read, on a node's shared log trees.
    pub pods: PodFilter,
}

/// Kubernetes pod logs selected by namespace and pod name, on a node's shared trees
/// (`/var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log` and
/// `/var/log/containers/<pod>_<namespace>_<container>-<id>.log`). Paths of other shapes are not filtered. Applied
/// to names while walking: the other pods' directories are not even entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodFilter {
    /// Namespaces to keep (none: every namespace).
    pub namespaces: Vec<String>,
    /// Pod name patterns to keep, `*` and `?` as in a shell (none: every pod).
    pub pods: Vec<String>,
}

impl PodFilter {
    /// Whether there is anything to filter.
    pub fn is_empty(&self) -> bool {
        self.namespaces.is_empty() && self.pods.is_empty()
    }

    fn keeps(&self, namespace: &str, pod: &str) -> bool {
        (self.namespaces.is_empty() || self.namespaces.iter().any(|n| n == namespace))
            && (self.pods.is_empty() || self.pods.iter().any(|g| glob(g.as_bytes(), pod.as_bytes())))
    }

    /// Whether a path is kept: `None` when it is not a pod log path (not filtered), else whether its namespace
    /// and pod are selected. A directory `/var/log/pods/<ns>_<pod>_<uid>` is judged as its files are.
    pub fn keeps_path(&self, path: &Path) -> Option<bool> {
        if self.is_empty() {
            return None;
        }
        let parent = path.parent()?.file_name()?.to_str()?;
        let name = path.file_name()?.to_str()?;
        if parent == "pods" {
            // <namespace>_<pod>_<uid>
            let mut it = name.splitn(3, '_');
            let (ns, pod, _uid) = (it.next()?, it.next()?, it.next()?);
            return Some(self.keeps(ns, pod));
        }
        if parent == "containers" {
            // <pod>_<namespace>_<container>-<id>.log
            let mut it = name.splitn(3, '_');
            let (pod, ns, _rest) = (it.next()?, it.next()?, it.next()?);
            return Some(self.keeps(ns, pod));
        }
        None
    }
}

/// Shell-style matching of `name` against `pattern`: `*` any run of bytes, `?` one byte.
fn glob(pattern: &[u8], name: &[u8]) -> bool {
    let (mut p, mut n) = (0, 0);
    let mut back: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some(b'*') => {
                back = Some((p, n));
                p += 1;
            }
            Some(&c) if c == b'?' || c == name[n] => {
                p += 1;
                n += 1;
            }
            _ => match back {
                Some((bp, bn)) => {
                    p = bp + 1;
                    n = bn + 1;
                    back = Some((bp, bn + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Something found.
#[derive(Debug)]
pub struct Found {
    /// The path, as found (under the root as named).
    pub path: PathBuf,
    /// Its metadata (of the file a link leads to).
    pub meta: Metadata,
    /// Named on the command line rather than found by walking.
    pub named: bool,
    /// Not a regular file (a FIFO, a character device named on the command line): read it as a stream.
    pub stream: bool,
    /// The binary policy it is held to.
    pub binary: BinaryDetection,
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Walked {
    /// Files to read, sorted by path, each listed once.
    pub found: Vec<Found>,
    /// What was passed over, with why (special files, unreadable directories, links not followed, loops).
    pub skipped: Vec<Skipped>,
    /// Named paths that do not exist (or cannot be looked at): the run cannot do what was asked.
    pub missing: Vec<(PathBuf, std::io::Error)>,
}

/// Names that are never logs: lock and pid files, editor swap files, temporary and state files (our own
/// checkpoint's too).
pub fn ignored_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".pid", ".lck", ".lock", ".swp", ".tmp", ".state", ".checkpoint"].iter().any(|s| lower.ends_with(s))
}

/// Directories never walked into: the kernel's views of processes, devices and itself are not logs, and some of
/// their files never end.
fn pseudo_fs(path: &Path) -> bool {
    ["/proc", "/sys", "/dev"].iter().any(|p| path.starts_with(p))
}

/// Walks `roots` (files or directories).
pub fn walk(roots: &[PathBuf], opts: &WalkOptions) -> Walked {
    walk_observed(roots, opts, &Progress::default())
}

/// [`walk`], telling `progress` which directory it is in and how many files it found.
pub fn walk_observed(roots: &[PathBuf], opts: &WalkOptions, progress: &Progress) -> Walked {
    let mut out = Walked::default();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    for root in roots {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                out.missing.push((root.clone(), e));
                continue;
            }
        };
        if meta.is_dir() {
            walk_dir(root, opts, &mut seen, &mut out, progress);
        } else {
            let stream = !meta.is_file();
            let key = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
            if stream || seen.insert(key) {
                out.found.push(Found { path: root.clone(), meta, named: true, stream, binary: BinaryDetection::Read });
            }
        }
    }
    out.found.sort_by(|a, b| a.path.cmp(&b.path));
    out.skipped.sort();
    out.skipped.dedup();
    out
}

/// The plain log Elasticsearch writes every event of a JSON log to as well: `stackstate.log` for
/// `stackstate_server.json`, `stackstate-2019-12-17-1.log.gz` for `stackstate_server-2019-12-17-1.json.gz`,
/// `stackstate_deprecation.log` for `stackstate_deprecation.json` (and the slow logs), as Elasticsearch's
/// log4j2 configuration names its appenders' files. `None` for a name of no such pair.
pub fn es_twin_of(name: &str) -> Option<String> {
    let (base, comp) =
        [".gz", ".zst", ".zstd"].iter().find_map(|c| name.strip_suffix(c).map(|b| (b, *c))).unwrap_or((name, ""));
    let stem = base.strip_suffix(".json")?;
    let plain = if let Some(cluster) = stem.strip_suffix("_server") {
        cluster.to_string()
    } else if let Some((cluster, rotation)) = stem.split_once("_server-") {
        format!("{cluster}-{rotation}")
    } else if ["_deprecation", "_index_search_slowlog", "_index_indexing_slowlog"]
        .iter()
        .any(|k| stem.ends_with(k) || stem.contains(&format!("{k}-")))
    {
        stem.to_string()
    } else {
        return None;
    };
    (!plain.is_empty()).then(|| format!("{plain}.log{comp}"))
}

/// Which of `paths` are Elasticsearch JSON logs whose plain twin ([`es_twin_of`], in the same directory) is among
/// them too: Elasticsearch writes each event to both, so such a JSON log is not read and each event is counted
/// once, from the plain log (whose lines are the ones people read). A JSON log without its twin is read as any.
pub fn es_twins(paths: &[&Path]) -> Vec<bool> {
    let all: HashSet<&Path> = paths.iter().copied().collect();
    paths
        .iter()
        .map(|p| {
            let twin = p.file_name().and_then(|n| n.to_str()).and_then(es_twin_of).map(|t| p.with_file_name(t));
            twin.is_some_and(|t| all.contains(t.as_path()))
        })
        .collect()
}

fn walk_dir(root: &Path, opts: &WalkOptions, seen: &mut HashSet<PathBuf>, out: &mut Walked, progress: &Progress) {
    let skip = |out: &mut Walked, path: &Path, reason: String| {
        out.skipped.push(Skipped { path: path.display().to_string(), reason });
    };
    let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let walker = walkdir::WalkDir::new(root)
        .follow_links(opts.follow_links)
        .same_file_system(opts.one_file_system)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            // Pods not selected are not entered (their directories) nor read (their files).
            if e.depth() > 0 && opts.pods.keeps_path(e.path()) == Some(false) {
                return false;
            }
            // Never into /proc, /sys or /dev, unless the named root is there.
            e.depth() == 0
                || !e.file_type().is_dir()
                || pseudo_fs(&canonical_root)
                || !std::fs::canonicalize(e.path()).is_ok_and(|c| pseudo_fs(&c))
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().map(Path::to_path_buf).unwrap_or_else(|| root.to_path_buf());
                let reason = match (e.loop_ancestor(), e.io_error()) {
                    (Some(a), _) => format!("a link back to {}: not walked again (file system loop)", a.display()),
                    (None, Some(io)) if e.depth() > 0 || path != root => format!("cannot read: {io}"),
                    (None, Some(io)) => format!("cannot list directory: {io}"),
                    (None, None) => e.to_string(),
                };
                skip(out, &path, reason);
                continue;
            }
        };
        let path = entry.path();
        let ft = entry.file_type();
        if ft.is_dir() {
            progress.enter_dir(path);
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if ignored_name(&name) {
            continue;
        }
        // Links are followed to files; to directories only with `follow_links` (walkdir then descends itself).
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                skip(out, path, format!("cannot read: {e}"));
                continue;
            }
        };
        if meta.is_dir() {
            skip(out, path, "a link to a directory: not followed (--follow-links to walk it)".into());
            continue;
        }
        if !meta.is_file() {
            let what = match meta.file_type() {
                t if t.is_fifo() => "a FIFO",
                t if t.is_socket() => "a socket",
                t if t.is_char_device() || t.is_block_device() => "a device",
                _ => "not a regular file",
            };
            skip(out, path, format!("{what}: not read while walking (name it to read it as a stream)"));
            continue;
        }
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if !seen.insert(key) {
            continue;
        }
        progress.found_file();
        out.found.push(Found {
            path: path.to_path_buf(),
            meta,
            named: false,
            stream: false,
            binary: BinaryDetection::Skip,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_policy() {
        assert!(BinaryDetection::Skip.refuses("x.log", b"ab\0c").is_some());
        assert!(BinaryDetection::Skip.refuses("x.log", b"plain text\n").is_none());
        assert!(BinaryDetection::Read.refuses("x.log", b"ab\0c").is_none());
        let mut late = vec![b'a'; BINARY_PROBE + 10];
        late[BINARY_PROBE + 1] = 0;
        assert!(BinaryDetection::Skip.refuses("x.log", &late).is_none(), "only the first 8 KiB are looked at");
    }

    /// Prose is told by its name and by the absence of log lines: a README or a note is passed over when walked; a
    /// capture saved as `.txt`, or any file named explicitly, is read.
    #[test]
    fn prose_policy() {
        let readme =
            b"# Loghub\n\nSample logs. A line such as `java.net.ConnectException: Connection refused` is an error.\n";
        assert!(is_prose("README.md", readme));
        assert!(is_prose("notes.txt", b"Restarted the receiver at noon.\nConnection refused before that.\n"));
        assert!(BinaryDetection::Skip.refuses("README.md", readme).is_some());
        assert!(BinaryDetection::Read.refuses("README.md", readme).is_none(), "named: always read");
        for log in [
            &b"Some header\n2024-03-01 12:00:00,123 WARN  c.s.Receiver - x\n"[..],
            b"Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure\n",
            b"{\"type\": \"server\", \"timestamp\": \"2024-03-01T12:00:00,000Z\"}\n",
            b"[2024-03-12T11:00:12,349][WARN ][o.e.c.r.a.DiskThresholdMonitor] [n] x\n",
        ] {
            assert!(!is_prose("capture.txt", log), "{}", String::from_utf8_lossy(log));
        }
        assert!(!is_prose("server.log", readme), "a log's name is never prose's");
    }

    #[test]
    fn elasticsearch_twins() {
        assert_eq!(es_twin_of("stackstate_server.json").as_deref(), Some("stackstate.log"));
        assert_eq!(
            es_twin_of("stackstate_server-2019-12-17-1.json.gz").as_deref(),
            Some("stackstate-2019-12-17-1.log.gz")
        );
        assert_eq!(es_twin_of("stackstate_deprecation.json").as_deref(), Some("stackstate_deprecation.log"));
        assert_eq!(es_twin_of("stackstate_deprecation-2.json.gz").as_deref(), Some("stackstate_deprecation-2.log.gz"));
        assert_eq!(
            es_twin_of("stackstate_index_search_slowlog.json").as_deref(),
            Some("stackstate_index_search_slowlog.log")
        );
        assert_eq!(es_twin_of("stackstate_audit.json"), None, "no plain twin");
        assert_eq!(es_twin_of("state.json"), None);
        assert_eq!(es_twin_of("stackstate.log"), None);
        let paths =
            ["es/stackstate.log", "es/stackstate_server.json", "es/stackstate_audit.json", "other/x_server.json"];
        let paths: Vec<&Path> = paths.iter().map(Path::new).collect();
        assert_eq!(es_twins(&paths), [false, true, false, false]);
    }

    #[test]
    fn walks_in_order_links_to_files_once_not_into_linked_dirs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        std::fs::create_dir_all(d.join("b/sub")).expect("mkdir");
        std::fs::write(d.join("b/sub/x.log"), "x\n").expect("write");
        std::fs::write(d.join("a.log"), "a\n").expect("write");
        std::fs::write(d.join("app.pid"), "1\n").expect("write");
        std::os::unix::fs::symlink(d.join("a.log"), d.join("c-link.log")).expect("link");
        std::os::unix::fs::symlink(d.join("b"), d.join("d-dirlink")).expect("link");
        std::os::unix::fs::symlink("/", d.join("root")).expect("link");
        let w = walk(&[d.to_path_buf()], &WalkOptions::default());
        let names: Vec<String> =
            w.found.iter().map(|f| f.path.strip_prefix(d).expect("under").display().to_string()).collect();
        assert_eq!(names, ["a.log", "b/sub/x.log"], "the link to a.log is the same file");
        assert!(w.skipped.iter().any(|s| s.path.ends_with("d-dirlink") && s.reason.contains("--follow-links")));
        assert!(w.skipped.iter().any(|s| s.path.ends_with("root")));
    }

    #[test]
    fn pods_are_selected_by_namespace_and_name() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        for (p, keep) in [
            ("pods/stackstate_stackstate-receiver-5b9d-h2hkz_0c1d/receiver/0.log", true),
            ("pods/stackstate_stackstate-mm2es-6d4f-x2k4p_7f3e/mm2es/0.log", false),
            ("pods/kube-system_coredns-5d78_1a2b/coredns/0.log", false),
            ("containers/stackstate-receiver-5b9d-h2hkz_stackstate_receiver-0a1b.log", true),
            ("containers/coredns-5d78_kube-system_coredns-9f8e.log", false),
            ("other/app.log", true),
        ] {
            let path = d.join(p);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, "x\n").expect("write");
            let pods = PodFilter { namespaces: vec!["stackstate".into()], pods: vec!["*-receiver-*".into()] };
            let w = walk(std::slice::from_ref(&path), &WalkOptions { pods: pods.clone(), ..WalkOptions::default() });
            assert_eq!(w.found.len(), 1, "a named file is always read: {p}");
            let under = walk(&[d.to_path_buf()], &WalkOptions { pods, ..WalkOptions::default() });
            assert_eq!(under.found.iter().any(|f| f.path == path), keep, "{p}");
        }
        assert!(glob(b"stackstate-*-h2hkz", b"stackstate-receiver-5b9d-h2hkz"));
        assert!(glob(b"*", b"") && glob(b"a?c", b"abc") && !glob(b"a?c", b"ac") && !glob(b"*x", b"abc"));
    }

    #[test]
    fn followed_links_detect_loops() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        std::fs::create_dir_all(d.join("logs")).expect("mkdir");
        std::fs::write(d.join("logs/a.log"), "a\n").expect("write");
        std::os::unix::fs::symlink(d.join("logs"), d.join("logs/again")).expect("link");
        let w = walk(&[d.to_path_buf()], &WalkOptions { follow_links: true, ..WalkOptions::default() });
        assert_eq!(w.found.len(), 1);
        assert!(w.skipped.iter().any(|s| s.reason.contains("loop")), "{:?}", w.skipped);
    }
}
