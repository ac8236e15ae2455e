//! Numbers, sizes, times and lengths written for people, the same way in every people-facing format (text,
//! Markdown, HTML): `1 file` and `2 files`, `14,337`, `2.6 MiB`, `0.4 MiB/s` (one decimal below 10), `1h12m`, and
//! lines cut to a terminal's width with `…` by the columns they take, not their bytes.

use crate::time::{format_rfc3339, Millis};
use unicode_width::UnicodeWidthChar;

/// `n` with thousands separators: `14,337`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n` and the noun, plural unless `n` is 1: `1 file`, `2 files`, `1,038 matching records`, `3 directories`.
pub fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        return format!("1 {noun}");
    }
    // A consonant and `y`: `entry` → `entries`; every other noun used here takes an `s`.
    let consonant_y = noun.ends_with('y') && !noun[..noun.len() - 1].ends_with(['a', 'e', 'i', 'o', 'u']);
    match noun.strip_suffix('y') {
        Some(stem) if consonant_y => format!("{} {stem}ies", thousands(n)),
        _ => format!("{} {noun}s", thousands(n)),
    }
}

/// A byte count in binary units: `512 B`, `2.6 MiB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// A throughput in MiB/s: one decimal below 10 (`0.4 MiB/s`), whole numbers above (`25 MiB/s`). A run too short
/// to time counts as one millisecond.
pub fn rate(bytes: u64, elapsed_ms: u64) -> String {
    let r = bytes as f64 / 1_048_576.0 / (elapsed_ms.max(1) as f64 / 1000.0);
    if r < 10.0 {
        format!("{r:.1} MiB/s")
    } else {
        format!("{r:.0} MiB/s")
    }
}

/// A length of time, two units at most: `45s`, `3m05s`, `1h12m`, `2d03h`.
pub fn duration(ms: Millis) -> String {
    let s = ms.max(0) / 1000;
    match s {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m{:02}s", s / 60, s % 60),
        s if s < 86_400 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        s => format!("{}d{:02}h", s / 86_400, (s % 86_400) / 3600),
    }
}

/// A time as `2024-03-12 11:00:12.349Z`, or `(no time)`.
pub fn when(t: Option<Millis>) -> String {
    t.map_or_else(|| "(no time)".to_string(), |t| format_rfc3339(t).replace('T', " "))
}

/// The columns `s` takes on a terminal (wide East Asian characters take two, combining marks none).
pub fn columns(s: &str) -> usize {
    s.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// `s` cut to at most `width` columns, ending in `…` when something was cut.
pub fn cut(s: &str, width: usize) -> std::borrow::Cow<'_, str> {
    if columns(s) <= width {
        return s.into();
    }
    let mut out = String::with_capacity(width + 3);
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_and_numbers() {
        assert_eq!(count(1, "file"), "1 file");
        assert_eq!(count(0, "file"), "0 files");
        assert_eq!(count(1038, "matching record"), "1,038 matching records");
        assert_eq!(count(3, "directory"), "3 directories");
        assert_eq!(count(2, "day"), "2 days");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(2_748_774), "2.6 MiB");
    }

    #[test]
    fn rates_have_one_decimal_below_ten() {
        assert_eq!(rate(419_430, 1000), "0.4 MiB/s");
        assert_eq!(rate(9 * 1_048_576, 1000), "9.0 MiB/s");
        assert_eq!(rate(25 * 1_048_576, 1000), "25 MiB/s");
        assert_eq!(rate(1_048_576, 0), "1000 MiB/s", "a run too short to time counts as 1 ms");
    }

    #[test]
    fn durations() {
        assert_eq!(duration(0), "0s");
        assert_eq!(duration(185_000), "3m05s");
        assert_eq!(duration(4_320_000), "1h12m");
        assert_eq!(duration(183_600_000), "2d03h");
    }

    #[test]
    fn cuts_by_columns() {
        assert_eq!(cut("short", 10), "short");
        assert_eq!(cut("exactly10!", 10), "exactly10!");
        assert_eq!(cut("a longer line", 8), "a longe…");
        assert_eq!(columns(&cut("a longer line", 8)), 8);
        // Wide characters take two columns each: never more than the width.
        let wide = cut("日本語のログ行です", 7);
        assert_eq!(wide, "日本語…");
        assert!(columns(&wide) <= 7);
    }
}
