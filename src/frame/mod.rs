//! Framing: from a hit somewhere in a buffer to a log record: the line's bounds, the record's header line (for
//! continuation lines of stack traces), and the header's timestamp.
//!
//! Pure functions over byte slices: no I/O, no clock. The scanner calls them only around hits, never for every
//! line, which is why they may walk backwards freely within their bounds.

pub mod escape;
pub mod header;
pub mod prefix;
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

/// The longest start of `s` of at most `max` bytes that ends between two characters: text is cut by a byte count
/// (a bound, a field's fixed width) and the count can fall inside a character of untrusted text.
pub fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut at = max;
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    &s[..at]
}

/// Whether a line without a timestamp continues the record above it: a Java/Scala stack frame (`\tat`,
/// `    at`), `Caused by:`, `Suppressed:`, `... N more`, an exception line (`com.x.FooException: msg`), any
/// indented line, the opening line of a Python traceback and the sentences that chain tracebacks, or a line of an
/// Elasticsearch 7 JSON record printed over several lines (see [`is_es_json_continuation`]).
pub fn is_continuation(line: &[u8]) -> bool {
    match line.first() {
        // Nothing continues with a digit, a bracket or a brace (a timestamp, Elasticsearch, JSON): the common
        // case, answered first.
        None | Some(b'0'..=b'9' | b'[' | b'{') => false,
        Some(b' ' | b'\t') => true,
        Some(b'"') => is_es_json_continuation(line),
        Some(_) => {
            line.starts_with(b"Caused by:")
                || line.starts_with(b"Suppressed:")
                || line.starts_with(b"...")
                || line.starts_with(b"at ")
                || is_exception_line(line)
                || is_python_traceback_line(line)
        }
    }
}

/// The unindented lines of a Python traceback that can only continue the record above (`logger.exception`, an agent
/// check's error): its opening line and the sentences that chain one traceback to the next. Its last line, the
/// exception, is left to open a record when it names a builtin unqualified (`ConnectionRefusedError: ...`, as Node's
/// uncaught `Error: ...`): in a capture such a line is often an event of its own with its own time, and a crash
/// printed below an INFO line must stay a record of its own to be mined. A qualified one
/// (`urllib3.exceptions.NewConnectionError: ...`) is an [`is_exception_line`]. The frames between are indented.
fn is_python_traceback_line(line: &[u8]) -> bool {
    const LINES: [&[u8]; 3] = [
        b"Traceback (most recent call last):",
        b"During handling of the above exception, another exception occurred:",
        b"The above exception was the direct cause of the following exception:",
    ];
    LINES.iter().any(|l| line.starts_with(l))
}

/// Whether a line names an exception: a qualified class name ending in `Exception`, `Error` or `Throwable`
/// anywhere (`Exception in thread "main" java.lang.OutOfMemoryError: Java heap space`), or, at the line's start, an
/// unqualified one followed by its message, as Python ends a traceback with its builtins (`ValueError: bad`,
/// `ConnectionRefusedError: [Errno 111] ...`) and Node prints an uncaught `Error: ...`; and a Go program's crash
/// (`panic: runtime error: ...`, above the goroutines' stacks). A record without a level whose header names one, or
/// that holds an exception line, is an unexplained-error candidate.
pub fn mentions_exception(line: &[u8]) -> bool {
    if line.starts_with(b"panic: ") {
        return true;
    }
    let name_len = line.iter().take(128).take_while(|b| b.is_ascii_alphanumeric()).count();
    let name = &line[..name_len];
    if line[name_len..].starts_with(b": ")
        && name.first().is_some_and(u8::is_ascii_uppercase)
        && (name.ends_with(b"Error") || name.ends_with(b"Exception"))
    {
        return true;
    }
    let head = &line[..line.len().min(1024)];
    for end in memchr::memmem::find_iter(head, b"Exception")
        .map(|i| i + 9)
        .chain(memchr::memmem::find_iter(head, b"Error").map(|i| i + 5))
        .chain(memchr::memmem::find_iter(head, b"Throwable").map(|i| i + 9))
    {
        if head.get(end).is_some_and(|b| b.is_ascii_alphanumeric()) {
            continue;
        }
        let start = head[..end].iter().rposition(|&b| !(b.is_ascii_alphanumeric() || b"._$".contains(&b)));
        let name = &head[start.map_or(0, |s| s + 1)..end];
        if name.contains(&b'.') && name.first().is_some_and(u8::is_ascii_alphabetic) {
            return true;
        }
    }
    false
}

/// Elasticsearch 7's JSON layout (the console of the official Docker image and Helm chart) prints an exception's
/// `stacktrace` array one element per line, so one record spans several lines:
///
/// ```text
/// {"type": "server", "timestamp": "2020-12-23T04:54:23,908Z", "level": "WARN", ..., "node.id": "<id>" ,
/// "stacktrace": ["org.elasticsearch.transport.ConnectTransportException: [n2][10.0.0.2:9300] connect_exception",
/// "at org.elasticsearch.transport.TcpTransport$ChannelsConnectedListener.onFailure(TcpTransport.java:966) ~[...]",
/// "Caused by: java.net.ConnectException: Connection refused",
/// "at java.lang.Thread.run(Thread.java:832) [?:?]"] }
/// ```
///
/// (elastic/elasticsearch#66806, #56345). The `"stacktrace": [` line and every following quoted element whose
/// text is a stack element (a frame, `Caused by:`, `Suppressed:`, `... N more`, an exception line) continue the
/// record; the header line is the one with the timestamp.
pub fn is_es_json_continuation(line: &[u8]) -> bool {
    if line.starts_with(b"\"stacktrace\": [") || line.starts_with(b"\"stacktrace\":[") {
        return true;
    }
    let trimmed = line.trim_ascii_end();
    let ends = [&b"\","[..], b"\"] }", b"\"]}", b"\"]"];
    if !ends.iter().any(|e| trimmed.ends_with(e)) {
        return false;
    }
    let inner = &line[1..];
    inner.starts_with(b"at ")
        || inner.starts_with(b"\tat ")
        || inner.starts_with(b"Caused by: ")
        || inner.starts_with(b"Suppressed: ")
        || inner.starts_with(b"... ")
        || is_exception_line(inner)
}

/// `org.apache.kafka.common.errors.TimeoutException: Disconnected` or `java.lang.NullPointerException`: a
/// qualified class name, then `:` or the end of the line.
pub fn is_exception_line(line: &[u8]) -> bool {
    // One table look-up per byte: stack traces put these lines below many a mined record.
    const NAME: [bool; 256] = {
        let mut t = [false; 256];
        let mut b = 0;
        while b < 256 {
            let c = b as u8;
            t[b] = c.is_ascii_alphanumeric() || c == b'.' || c == b'_' || c == b'$';
            b += 1;
        }
        t
    };
    let name_len = line.iter().position(|&b| !NAME[b as usize]).unwrap_or(line.len());
    if name_len < 3 || memchr::memchr(b'.', &line[..name_len]).is_none() {
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
    /// The header's timestamp: its capture prefix's when it has one (authoritative), else its own layout's.
    pub time: Option<Millis>,
    /// The walk back to the header reached a [`RecordBounds`] limit while still among continuation lines: the
    /// hit is reported as a record of its own.
    pub cut: bool,
    /// When the hit line stands alone for want of a timed header above (and the walk was not cut): the line a header
    /// without a time would be, as the continuation lines below it find it walking down.
    pub untimed: Option<Untimed>,
}

/// A line above a continuation line that heads it without a time (see [`Record::untimed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Untimed {
    /// Its bounds.
    pub start: usize,
    pub end: usize,
    /// How many lines it is above the hit line.
    pub lines_above: usize,
    /// It is no header but the topmost own line, the walk having reached `lo` among continuation lines: it heads
    /// them only when `lo` is the input's start.
    pub at_lo: bool,
}

/// What one line is, seen from the record being located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewed<'b> {
    /// A line of the same writer: its content after any capture prefix, and the prefix's timestamp.
    Own {
        /// The content.
        content: std::borrow::Cow<'b, [u8]>,
        /// The capture prefix's timestamp.
        time: Option<Millis>,
    },
    /// A line of another pod, container or stream interleaved in the capture: stepped over, never a header.
    Foreign,
    /// The tail of a split line (a CRI partial line continued): stepped over, its head is above it.
    Tail,
}

/// The view of plain files: every line is its own content.
pub fn plain_view(buf: &[u8], start: usize, end: usize) -> Viewed<'_> {
    Viewed::Own { content: std::borrow::Cow::Borrowed(trim_cr(&buf[start..end])), time: None }
}

/// Whether a line (content and prefix time) opens a record, and its time: a line whose content starts with a
/// timestamp, or (in a capture with timestamp prefixes) any line that is not a continuation.
fn header_time(content: &[u8], prefix_time: Option<Millis>, zone: Zone) -> Option<Option<Millis>> {
    if let Some(t) = parse_line_start(content, zone) {
        return Some(Some(prefix_time.unwrap_or(t)));
    }
    (prefix_time.is_some() && !is_continuation(content)).then_some(prefix_time)
}

/// Finds the record of the line `[start, end)` in `buf`, looking no further back than `lo`. `view` tells, for a
/// line's bounds, what the line is once any capture prefix is taken off (see [`Viewed`]); lines of other writers
/// are stepped over, so interleaved pods never join each other's records. Both bounds count every line and byte
/// walked over, stepped-over lines included.
pub fn locate_record<'b>(
    buf: &'b [u8],
    lo: usize,
    start: usize,
    end: usize,
    zone: Zone,
    bounds: RecordBounds,
    view: &dyn Fn(usize, usize) -> Viewed<'b>,
) -> Record {
    let own = |time, cut, untimed| Record { header_start: start, header_end: end, lines_above: 0, time, cut, untimed };
    let (content, prefix_time) = match view(start, end) {
        Viewed::Own { content, time } => (content, time),
        _ => return own(None, false, None),
    };
    if let Some(t) = parse_line_start(&content, zone) {
        return own(Some(prefix_time.unwrap_or(t)), false, None);
    }
    if !is_continuation(&content) {
        return own(prefix_time, false, None);
    }
    let mut cur = start;
    let mut lines = 0;
    let mut top = None;
    while cur > lo {
        if lines >= bounds.max_lines || start - cur > bounds.max_bytes {
            return own(prefix_time, true, None);
        }
        let prev_end = cur - 1;
        let prev_start = line_start(buf, lo, prev_end);
        lines += 1;
        cur = prev_start;
        let (prev, prev_time) = match view(prev_start, prev_end) {
            Viewed::Own { content, time } => (content, time),
            Viewed::Foreign | Viewed::Tail => continue,
        };
        if let Some(t) = header_time(&prev, prev_time, zone) {
            let (header_start, header_end) = (prev_start, prev_end);
            return Record { header_start, header_end, lines_above: lines, time: t, cut: false, untimed: None };
        }
        let here = Untimed { start: prev_start, end: prev_end, lines_above: lines, at_lo: false };
        if !is_continuation(&prev) {
            return own(prefix_time, false, Some(here));
        }
        top = Some(Untimed { at_lo: true, ..here });
    }
    // Stopped at `lo` past the bounds: cut, as a walk that goes on above `lo` would find it at its next step.
    if lines >= bounds.max_lines || start - cur > bounds.max_bytes {
        return own(prefix_time, true, None);
    }
    own(prefix_time, false, top)
}

/// Counts `\n` bytes. This runs over every byte scanned: memchr's counter picks the widest vector unit the CPU
/// has at run time (AVX2 on x86_64), about twice as fast as portable code compiled for the baseline target.
pub fn count_newlines(buf: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', buf).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_ends_between_characters() {
        assert_eq!(cut("abc", 5), "abc");
        assert_eq!(cut("abc", 2), "ab");
        assert_eq!(cut("aé", 2), "a", "not inside é");
        assert_eq!(cut("a😀b", 4), "a");
        assert_eq!(cut("a😀b", 5), "a😀");
        assert_eq!(cut("é", 0), "");
    }

    #[test]
    fn continuation_lines() {
        assert!(is_continuation(b"\tat com.x.Y.z(Y.java:12)"));
        assert!(is_continuation(b"    at com.x.Y.z(Y.java:12)"));
        assert!(is_continuation(b"Caused by: java.net.ConnectException: Connection refused"));
        assert!(is_continuation(b"\t... 12 more"));
        assert!(is_continuation(b"org.apache.kafka.common.errors.TimeoutException: Disconnected from node 2"));
        assert!(is_continuation(b"com.stackstate.kafka.StsKafkaAdminClient$MissingKafkaTopics: These Kafka topics"));
        // A Python traceback's opening and chaining lines; its unqualified exception line and Node's uncaught error
        // open records (in a capture they carry their own time), and a blank line continues nothing.
        assert!(is_continuation(b"Traceback (most recent call last):"));
        assert!(is_continuation(b"During handling of the above exception, another exception occurred:"));
        assert!(is_continuation(b"The above exception was the direct cause of the following exception:"));
        assert!(!is_continuation(b"ConnectionRefusedError: [Errno 111] Connection refused"));
        assert!(!is_continuation(b"Error: connect ECONNREFUSED 127.0.0.1:9092"));
        assert!(!is_continuation(b""));
        assert!(!is_continuation(b"Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure"));
        assert!(!is_continuation(b"nova.api: something: else"));
    }

    #[test]
    fn exceptions_named_in_a_line() {
        let named: [&[u8]; 7] = [
            b"Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space",
            b"failed: org.elasticsearch.ElasticsearchException",
            b"cause: java.net.ConnectException",
            // Python's builtins and Node's `Error` open the line, unqualified, with their message; so does a Go panic.
            b"ValueError: invalid literal for int() with base 10: 'x'",
            b"ConnectionRefusedError: [Errno 111] Connection refused",
            b"Error: connect ECONNREFUSED 127.0.0.1:9200",
            b"panic: runtime error: invalid memory address or nil pointer dereference",
        ];
        let not_named: [&[u8]; 7] = [
            b"Error running check: timeout",
            b"ErrorCode=5 in SomeErrorHandler",
            b"an Exception occurred",
            b"Errors: 0, warnings: 2",
            b"the ValueError: was handled",
            b"valueError: x",
            b"recovered from panic: x",
        ];
        for line in named {
            assert!(mentions_exception(line), "{}", String::from_utf8_lossy(line));
        }
        for line in not_named {
            assert!(!mentions_exception(line), "{}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn record_of_a_stack_frame_is_its_header() {
        let text = b"2024-03-12 11:42:00,001 INFO  a - ok\n2024-03-12 11:42:01,002 ERROR b - Bulk request failed\norg.elasticsearch.ElasticsearchStatusException: cluster_block_exception\n\tat x.y(Z.java:1)\n";
        let hit = memchr::memmem::find(text, b"org.elastic").unwrap();
        let end = line_end(text, hit, text.len());
        let r = locate_record(text, 0, hit, end, Zone::UTC, RecordBounds::default(), &|s, e| plain_view(text, s, e));
        assert_eq!(&text[r.header_start..r.header_end], b"2024-03-12 11:42:01,002 ERROR b - Bulk request failed");
        assert_eq!(r.lines_above, 1);
        assert_eq!(r.time.map(crate::time::format_rfc3339).as_deref(), Some("2024-03-12T11:42:01.002Z"));
    }

    /// An ES 7 JSON record over several lines (elastic/elasticsearch#66806, shortened): a match in a quoted
    /// `Caused by:` element is the record of the header line, with the header's time.
    #[test]
    fn es7_json_stacktrace_lines_are_one_record() {
        let text = br#"{"type": "server", "timestamp": "2020-12-23T04:54:22,001Z", "level": "INFO", "component": "o.e.n.Node", "cluster.name": "c", "node.name": "n1", "message": "started" }
{"type": "server", "timestamp": "2020-12-23T04:54:23,908Z", "level": "WARN", "component": "o.e.c.NodeConnectionsService", "cluster.name": "c", "node.name": "n1", "message": "failed to connect to {n2} (tried [1] times)", "cluster.uuid": "u", "node.id": "i" ,
"stacktrace": ["org.elasticsearch.transport.ConnectTransportException: [n2][10.0.0.2:9300] connect_exception",
"at org.elasticsearch.transport.TcpTransport$ChannelsConnectedListener.onFailure(TcpTransport.java:966) ~[elasticsearch-7.9.1.jar:7.9.1]",
"Caused by: io.netty.channel.AbstractChannel$AnnotatedConnectException: Connection refused: 10.0.0.2/10.0.0.2:9300",
"Caused by: java.net.ConnectException: Connection refused",
"at java.lang.Thread.run(Thread.java:832) [?:?]"] }
{"type": "server", "timestamp": "2020-12-23T04:54:30,000Z", "level": "INFO", "component": "o.e.n.Node", "cluster.name": "c", "node.name": "n1", "message": "ok" }
"#;
        let hit = memchr::memmem::find(text, b"\"Caused by: java.net").unwrap();
        let end = line_end(text, hit, text.len());
        let r = locate_record(text, 0, hit, end, Zone::UTC, RecordBounds::default(), &|s, e| plain_view(text, s, e));
        assert!(text[r.header_start..r.header_end]
            .starts_with(br#"{"type": "server", "timestamp": "2020-12-23T04:54:23,908Z", "level": "WARN""#));
        assert_eq!(r.lines_above, 4);
        assert_eq!(r.time.map(crate::time::format_rfc3339).as_deref(), Some("2020-12-23T04:54:23.908Z"));
        for line in text.split(|&b| b == b'\n').filter(|l| l.first() == Some(&b'"')) {
            assert!(is_continuation(line), "{}", String::from_utf8_lossy(line));
        }
        // Quoted lines that are not stack elements of a JSON record.
        for line in [&br#""name","value""#[..], br#""at noon", she said"#, br#""hello","#, b"\"Caused by: x"] {
            assert!(!is_continuation(line), "{}", String::from_utf8_lossy(line));
        }
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
