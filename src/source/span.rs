//! The time span of a file, told cheaply, so that `--since`/`--until` can leave out whole files without reading
//! (or decompressing) them.
//!
//! * A plain file: the first timestamp in its first [`PROBE`] bytes and the last one in its last [`PROBE`] bytes
//!   (two positioned reads). Lines are read through [`crate::frame::prefix::strip`], so a capture's prefix
//!   timestamp counts.
//! * A compressed file (never opened for this): the date in its name (`stackstate-2019-12-17-1.log.gz`,
//!   `stackstate-receiver.2019-12-17.0.log.gz`, `kafkaEventsToES.log.2019-12-17.0.zst`) is the day its lines
//!   were written, widened by [`NAME_DATE_SLACK`] on each side for zones; and no line was written after the file's
//!   modification time.
//!
//! An unknown bound is open: a file is only left out when a known bound proves it lies wholly outside.

use crate::frame::{prefix, trim_cr};
use crate::time::{days_from_civil, parse_line_start, Millis, Zone};
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// Bytes read at each end of a plain file to find its first and last timestamps.
pub const PROBE: usize = 16 * 1024;
/// How far a day named in a file name is widened on each side: the zone of the names is not known.
pub const NAME_DATE_SLACK: Millis = 14 * 3_600_000;

/// What is known of the times of a file's lines. `None` is an open bound.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span {
    /// No line is earlier.
    pub first: Option<Millis>,
    /// No line is later.
    pub last: Option<Millis>,
}

impl Span {
    /// Whether every line lies outside `[since, until]`.
    pub fn outside(self, since: Option<Millis>, until: Option<Millis>) -> bool {
        matches!((self.last, since), (Some(l), Some(s)) if l < s)
            || matches!((self.first, until), (Some(f), Some(u)) if f > u)
    }
}

/// The first timestamp of the lines of `text` (forwards) or the last (backwards).
fn time_in(text: &[u8], zone: Zone, backwards: bool) -> Option<Millis> {
    let mut lines = text.split(|&b| b == b'\n').map(trim_cr);
    let find = |l: &[u8]| {
        let st = prefix::strip(l, prefix::Mode::Auto);
        st.time.or_else(|| parse_line_start(&st.content, zone))
    };
    if backwards {
        lines.rev().find_map(find)
    } else {
        lines.find_map(find)
    }
}

/// The span of a plain file from its first and last [`PROBE`] bytes.
pub fn of_plain(f: &File, size: u64, zone: Zone) -> std::io::Result<Span> {
    let n = PROBE.min(size as usize);
    let mut head = vec![0u8; n];
    let got = f.read_at(&mut head, 0)?;
    head.truncate(got);
    // The last line of the head may be cut: it still starts with its timestamp.
    let first = time_in(&head, zone, false);
    let mut tail = vec![0u8; n];
    let got = f.read_at(&mut tail, size - n as u64)?;
    tail.truncate(got);
    // The first line of the tail may be cut in the middle: skip it unless the tail is the whole file.
    let tail =
        if size as usize > n { memchr::memchr(b'\n', &tail).map_or(&tail[..0], |i| &tail[i + 1..]) } else { &tail };
    let last = time_in(tail, zone, true);
    Ok(Span { first, last })
}

/// The first `YYYY-MM-DD` in a file name, as the start of that day (UTC).
pub fn name_date(name: &str) -> Option<Millis> {
    let b = name.as_bytes();
    (0..b.len().saturating_sub(9)).find_map(|i| {
        let w = &b[i..i + 10];
        let digits = |r: std::ops::Range<usize>| w[r].iter().all(u8::is_ascii_digit);
        if !(digits(0..4) && w[4] == b'-' && digits(5..7) && w[7] == b'-' && digits(8..10)) {
            return None;
        }
        if i > 0 && b[i - 1].is_ascii_digit() {
            return None;
        }
        let num = |r: std::ops::Range<usize>| std::str::from_utf8(&w[r]).ok()?.parse::<u32>().ok();
        let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| days_from_civil(y as i64, m, d) * 86_400_000)
    })
}

/// The span of a compressed file without opening it: the day in its name and its modification time.
pub fn of_archive(path: &Path, mtime: Option<Millis>) -> Span {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let day = name_date(&name);
    let first = day.map(|d| d - NAME_DATE_SLACK);
    let last = match (day.map(|d| d + 86_400_000 + NAME_DATE_SLACK), mtime) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    Span { first, last }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_instant;

    fn at(s: &str) -> Millis {
        parse_instant(s, Zone::UTC).unwrap()
    }

    #[test]
    fn dates_in_rotated_names() {
        for n in [
            "stackstate-receiver.2019-12-17.0.log",
            "kafkaEventsToES.log.2019-12-17.0",
            "stackstate-2019-12-17-1.log.gz",
            "stackstate-2019-12-17-1.json.gz",
        ] {
            assert_eq!(name_date(n), Some(at("2019-12-17")), "{n}");
        }
        assert_eq!(name_date("stackstate-receiver.log"), None);
        assert_eq!(name_date("12019-12-17.log"), None);
    }

    #[test]
    fn archives_outside_the_window() {
        let s = of_archive(Path::new("/x/stackstate-receiver.2019-12-17.0.log.gz"), None);
        assert!(s.outside(Some(at("2019-12-19")), None));
        assert!(!s.outside(Some(at("2019-12-18")), None), "the slack keeps a late-zone day");
        assert!(s.outside(None, Some(at("2019-12-15"))));
        assert!(!s.outside(Some(at("2019-12-17T12:00:00Z")), Some(at("2019-12-17T13:00:00Z"))));
        let m = of_archive(Path::new("x.log.gz"), Some(at("2020-01-01")));
        assert!(m.outside(Some(at("2020-01-02")), None));
        assert!(!m.outside(None, Some(at("2019-01-01"))), "no lower bound without a name date");
    }

    #[test]
    fn plain_file_ends() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.log");
        let mut text = String::from("2024-03-12 10:00:00,000 INFO a - first\n");
        for _ in 0..2000 {
            text.push_str("\tat com.x.Y.z(Y.java:12) filler filler filler\n");
        }
        text.push_str("[pod/p-1/c] 2024-03-12T12:00:00.000000000Z no timestamp in the content\n\tat x\n");
        std::fs::write(&p, &text).unwrap();
        let f = File::open(&p).unwrap();
        let s = of_plain(&f, text.len() as u64, Zone::UTC).unwrap();
        assert_eq!(s, Span { first: Some(at("2024-03-12T10:00:00Z")), last: Some(at("2024-03-12T12:00:00Z")) });
    }
}
