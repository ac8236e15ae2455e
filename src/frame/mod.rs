//! Framing: from a hit somewhere in a buffer to a log record: the line's bounds, the record's header line (for
//! continuation lines of stack traces), and the header's timestamp.
//!
//! Pure functions over byte slices: no I/O, no clock. The scanner calls them only around hits, never for every
//! line, which is why they may walk backwards freely within their bounds.

pub mod sanitize;

use crate::time::{parse_line_start, Millis, Zone};

/// How far back a continuation line may be from its header: lines and bytes. Past either bound the hit is
/// reported as a record of its own.
#[derive(Debug, Clone, Copy)]
pub struct RecordBounds {
    /// Most lines in one record.
    pub max_lines: usize,
    /// Most bytes in one record.
    pub max_bytes: usize,
}

impl Default for RecordBounds {
    fn default() -> Self {
        RecordBounds { max_lines: 512, max_bytes: 64 * 1024 }
    }
}

/// The start of the line holding `pos`: just after the previous `\n`, or `lo`.
#[inline]
pub fn line_start(buf: &[u8], lo: usize, pos: usize) -> usize {
    memchr::memrchr(b'\n', &buf[lo..pos]).map_or(lo, |i| lo + i + 1)
}

/// The end of the line holding `pos` (the index of its `\n`, or `hi`).
#[inline]
pub fn line_end(buf: &[u8], pos: usize, hi: usize) -> usize {
    memchr::memchr(b'\n', &buf[pos..hi]).map_or(hi, |i| pos + i)
}

/// The line without its `\r` terminator (CRLF files).
#[inline]
pub fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Whether a line without a timestamp continues the record above it: a Java/Scala stack frame (`\tat`,
/// `    at`), `Caused by:`, `Suppressed:`, `... N more`, an exception line (`com.x.FooException: msg`), or any
/// indented line.
pub fn is_continuation(line: &[u8]) -> bool {
    match line.first() {
        None => false,
        Some(b' ' | b'\t') => true,
        Some(_) => {
            line.starts_with(b"Caused by:")
                || line.starts_with(b"Suppressed:")
                || line.starts_with(b"...")
                || line.starts_with(b"at ")
                || is_exception_line(line)
        }
    }
}

/// `org.apache.kafka.common.errors.TimeoutException: Disconnected` or `java.lang.NullPointerException`: a
/// qualified class name, then `:` or the end of the line.
fn is_exception_line(line: &[u8]) -> bool {
    let name_len = line.iter().take_while(|&&b| b.is_ascii_alphanumeric() || b"._$".contains(&b)).count();
    if name_len < 3 || !line[..name_len].contains(&b'.') {
        return false;
    }
    let name = &line[..name_len];
    let rest = &line[name_len..];
    let looks_like_class =
        name.ends_with(b"Exception") || name.ends_with(b"Error") || name.ends_with(b"Throwable") || {
            // `com.stackstate.kafka.StsKafkaAdminClient$MissingKafkaTopics: ...`
            rest.starts_with(b": ")
                && name
                    .iter()
                    .rposition(|&b| b == b'.' || b == b'$')
                    .is_some_and(|p| name.get(p + 1).is_some_and(u8::is_ascii_uppercase))
        };
    looks_like_class && (rest.is_empty() || rest.starts_with(b":"))
}

/// A record located around a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record {
    /// Start of the header line (equal to the hit line's start when the hit is on the header).
    pub header_start: usize,
    /// End of the header line (without `\n`).
    pub header_end: usize,
    /// How many lines the header is above the hit line (0 when the hit is on the header).
    pub lines_above: usize,
    /// The header's timestamp.
    pub time: Option<Millis>,
}

/// Finds the record of the line `[start, end)` in `buf`, looking no further back than `lo`. `view` maps a raw
/// line to the part after any capture prefix (kubectl, CRI); it returns `None` for a line that belongs to another
/// stream and so cannot be this record's header.
pub fn locate_record<'b>(
    buf: &'b [u8],
    lo: usize,
    start: usize,
    end: usize,
    zone: Zone,
    bounds: RecordBounds,
    view: &dyn Fn(&'b [u8]) -> Option<&'b [u8]>,
) -> Record {
    let own = |time| Record { header_start: start, header_end: end, lines_above: 0, time };
    let Some(line) = view(trim_cr(&buf[start..end])) else { return own(None) };
    if let Some(t) = parse_line_start(line, zone) {
        return own(Some(t));
    }
    if !is_continuation(line) {
        return own(None);
    }
    let mut cur = start;
    let mut lines = 0;
    while cur > lo && lines < bounds.max_lines && start - cur <= bounds.max_bytes {
        let prev_end = cur - 1;
        let prev_start = line_start(buf, lo, prev_end);
        lines += 1;
        let Some(prev) = view(trim_cr(&buf[prev_start..prev_end])) else { break };
        if let Some(t) = parse_line_start(prev, zone) {
            return Record { header_start: prev_start, header_end: prev_end, lines_above: lines, time: Some(t) };
        }
        if !is_continuation(prev) {
            break;
        }
        cur = prev_start;
    }
    own(None)
}

/// Counts `\n` bytes. Written so the compiler vectorises it; this runs over every byte scanned.
pub fn count_newlines(buf: &[u8]) -> u64 {
    let mut n = 0u64;
    let mut chunks = buf.chunks_exact(255 * 16);
    for chunk in chunks.by_ref() {
        let mut acc = [0u8; 16];
        for block in chunk.chunks_exact(16) {
            for (a, &b) in acc.iter_mut().zip(block) {
                *a += (b == b'\n') as u8;
            }
        }
        n += acc.iter().map(|&a| a as u64).sum::<u64>();
    }
    n + chunks.remainder().iter().filter(|&&b| b == b'\n').count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(l: &[u8]) -> Option<&[u8]> {
        Some(l)
    }

    #[test]
    fn continuation_lines() {
        assert!(is_continuation(b"\tat com.x.Y.z(Y.java:12)"));
        assert!(is_continuation(b"    at com.x.Y.z(Y.java:12)"));
        assert!(is_continuation(b"Caused by: java.net.ConnectException: Connection refused"));
        assert!(is_continuation(b"\t... 12 more"));
        assert!(is_continuation(b"org.apache.kafka.common.errors.TimeoutException: Disconnected from node 2"));
        assert!(is_continuation(b"com.stackstate.kafka.StsKafkaAdminClient$MissingKafkaTopics: These Kafka topics"));
        assert!(!is_continuation(b"Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure"));
        assert!(!is_continuation(b"nova.api: something: else"));
    }

    #[test]
    fn record_of_a_stack_frame_is_its_header() {
        let text = b"2024-03-12 11:42:00,001 INFO  a - ok\n2024-03-12 11:42:01,002 ERROR b - Bulk request failed\norg.elasticsearch.ElasticsearchStatusException: cluster_block_exception\n\tat x.y(Z.java:1)\n";
        let hit = memchr::memmem::find(text, b"org.elastic").unwrap();
        let end = line_end(text, hit, text.len());
        let r = locate_record(text, 0, hit, end, Zone::UTC, RecordBounds::default(), &id);
        assert_eq!(&text[r.header_start..r.header_end], b"2024-03-12 11:42:01,002 ERROR b - Bulk request failed");
        assert_eq!(r.lines_above, 1);
        assert_eq!(r.time.map(crate::time::format_rfc3339).as_deref(), Some("2024-03-12T11:42:01.002Z"));
    }

    #[test]
    fn counts_newlines() {
        let mut v = vec![b'a'; 10_000];
        for i in (0..10_000).step_by(7) {
            v[i] = b'\n';
        }
        assert_eq!(count_newlines(&v), v.iter().filter(|&&b| b == b'\n').count() as u64);
    }
}
