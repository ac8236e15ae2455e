//! Capture prefixes: what `kubectl logs`, stern, the kubelet's CRI files and Docker's json-file driver put around
//! a container's own log line, recognised and stripped so that framing (timestamps, continuation lines, record
//! headers) and the rules see the line as the container wrote it.
//!
//! Recognised per line, in this order (LOG-FORMATS.md §4):
//!
//! | capture | line | stream identity |
//! |---|---|---|
//! | `kubectl logs --prefix` | `[pod/NAME/CONTAINER] rest` (and `[node/NAME] rest`) | pod + container |
//! | `kubectl logs --timestamps` | `2006-01-02T15:04:05.000000000Z rest` (exactly 9 fraction digits) | — |
//! | both (prefix first) | `[pod/NAME/CONTAINER] 2006-01-02T15:04:05.000000000Z rest` | pod + container |
//! | CRI node file | `<RFC 3339> stdout\|stderr P\|F content` | stdout / stderr |
//! | Docker json-file | `{"log":"content\n","stream":"stdout","time":"<RFC 3339>"}` (`log` unescaped) | stream |
//! | stern (only when [`detect`] says so) | `[NAMESPACE] POD CONTAINER [<RFC 3339>] content`, ANSI colours allowed | pod + container |
//! | docker-compose (only when [`detect`] says so) | `NAME   \| content`, `NAME   \| <RFC 3339, 9 digits> content` with `-t` (v1 `kafka_1`, v2 `kafka-1`, padded) | the name, as pod and container |
//!
//! Anything else is a plain line: its content is the whole line. The checks are a few byte comparisons, and the
//! scanner runs them only on candidate lines and on the lines it walks back over to find a record's header,
//! never on every line, so plain files pay nothing measurable.
//!
//! Stern's `POD CONTAINER MESSAGE` cannot be told from an ordinary line by itself, so it is only stripped when
//! [`detect`] finds it on most of an input's first lines; so is docker-compose's `NAME | ` (a wrapper's `INFO   |
//! jvm 1 | ...` looks alike, but what follows its bar is no log line). The timestamp of a prefix is authoritative for the event
//! time (it is the kubelet's receive time, with a zone), over whatever the content's own layout says.
//!
//! Pure functions over bytes: no I/O, no clock.

use crate::time::{rfc3339_prefix, Millis};
use std::borrow::Cow;

/// How an input's lines are read. Chosen once per input by [`detect`] from its first lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mode {
    /// Per line: kubectl prefix and timestamps, CRI and Docker json-file lines are recognised; the rest is plain.
    #[default]
    Auto,
    /// As `Auto`, plus stern's `POD CONTAINER` (or, with `namespace`, `NAMESPACE POD CONTAINER`) before the line.
    Stern {
        /// Whether the first token is a namespace (stern with several namespaces or `-A`).
        namespace: bool,
    },
    /// As `Auto`, plus docker-compose's `NAME   | ` before the line (`docker compose logs`, `up` without `-d`):
    /// each service's lines are a writer of their own, so a stack trace stays with its header when services
    /// interleave.
    Compose,
    /// As `Auto`, for a CRI node file: the scanner also visits every partial (`P`) line, so that a match split
    /// across the parts of a long line is found in the joined line.
    Cri,
}

/// Which writer a captured line came from. Lines of different sources never join one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source<'a> {
    /// A plain line (or a capture that names no writer).
    None,
    /// A pod's container (kubectl `--prefix`, stern).
    Pod {
        /// The pod name.
        pod: &'a [u8],
        /// The container name.
        container: &'a [u8],
    },
    /// A node (kubectl `[node/NAME]`).
    Node(&'a [u8]),
    /// A container's output stream in a CRI or Docker file (`stdout`, `stderr`).
    Stream(&'a [u8]),
}

/// A line with its capture prefix taken off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stripped<'a> {
    /// The line as the container wrote it.
    pub content: Cow<'a, [u8]>,
    /// The prefix's timestamp (kubectl `--timestamps`, CRI, Docker `time`).
    pub time: Option<Millis>,
    /// Who wrote it.
    pub source: Source<'a>,
    /// A CRI partial line (`P`): the line goes on in the next line of the same stream.
    pub partial: bool,
    /// Whether any prefix was found (false: `content` is the whole line).
    pub captured: bool,
    /// A CRI line (its `P`/`F` flag is meaningful).
    pub cri: bool,
}

impl<'a> Stripped<'a> {
    fn plain(line: &'a [u8]) -> Self {
        Stripped {
            content: Cow::Borrowed(line),
            time: None,
            source: Source::None,
            partial: false,
            captured: false,
            cri: false,
        }
    }

    /// Whether this line is a CRI line (its `P`/`F` flag is meaningful).
    pub fn is_cri(&self) -> bool {
        self.cri
    }
}

/// Strips the capture prefix of one line (without its `\n`; a trailing `\r` is the caller's business).
pub fn strip(line: &[u8], mode: Mode) -> Stripped<'_> {
    match line.first() {
        Some(b'[') => {
            if let Some(s) = kubectl(line) {
                return s;
            }
        }
        Some(b'{') if line.starts_with(b"{\"log\":") => {
            if let Some(s) = docker(line) {
                return s;
            }
        }
        Some(d) if d.is_ascii_digit() => {
            if let Some(s) = timestamped(line) {
                return s;
            }
        }
        _ => {}
    }
    match mode {
        Mode::Stern { namespace } => stern(line, namespace),
        Mode::Compose => compose(line),
        Mode::Auto | Mode::Cri => None,
    }
    .unwrap_or_else(|| Stripped::plain(line))
}

/// `[pod/NAME/CONTAINER] ` or `[node/NAME] `, then an optional kubelet timestamp.
fn kubectl(line: &[u8]) -> Option<Stripped<'_>> {
    let close = memchr::memchr(b']', &line[..line.len().min(300)])?;
    if line.get(close + 1) != Some(&b' ') {
        return None;
    }
    let inner = &line[1..close];
    let source = if let Some(rest) = inner.strip_prefix(b"pod/") {
        let slash = memchr::memchr(b'/', rest)?;
        Source::Pod { pod: &rest[..slash], container: &rest[slash + 1..] }
    } else if let Some(rest) = inner.strip_prefix(b"node/") {
        Source::Node(rest)
    } else {
        return None;
    };
    let rest = &line[close + 2..];
    let (time, content) = kubelet_time(rest).map_or((None, rest), |(t, c)| (Some(t), c));
    Some(Stripped { content: Cow::Borrowed(content), time, source, partial: false, captured: true, cri: false })
}

/// The kubelet's `--timestamps` prefix: RFC 3339 with exactly 9 fraction digits and a zone, then a space.
/// Exactly 9 digits, so that an agent line in its RFC 3339 layout (`2024-03-01T12:00:00Z | CORE |`) is not
/// mistaken for one.
fn kubelet_time(b: &[u8]) -> Option<(Millis, &[u8])> {
    let (t, len, digits) = rfc3339_prefix(b)?;
    if digits != 9 || b.get(len) != Some(&b' ') {
        return None;
    }
    Some((t, &b[len + 1..]))
}

/// A CRI line (`<ts> stdout F content`) or a kubectl `--timestamps` line (`<ts> content`).
fn timestamped(line: &[u8]) -> Option<Stripped<'_>> {
    let (t, len, digits) = rfc3339_prefix(line)?;
    if line.get(len) != Some(&b' ') {
        return None;
    }
    let rest = &line[len + 1..];
    for stream in [&b"stdout"[..], b"stderr"] {
        if let Some(after) = rest.strip_prefix(stream) {
            if let (Some(b' '), Some(flag @ (b'P' | b'F'))) = (after.first(), after.get(1)) {
                let content = match after.get(2) {
                    None => &after[2..],
                    Some(b' ') => &after[3..],
                    Some(_) => continue,
                };
                return Some(Stripped {
                    content: Cow::Borrowed(content),
                    time: Some(t),
                    source: Source::Stream(&rest[..stream.len()]),
                    partial: *flag == b'P',
                    captured: true,
                    cri: true,
                });
            }
        }
    }
    (digits == 9).then_some(Stripped {
        content: Cow::Borrowed(rest),
        time: Some(t),
        source: Source::None,
        partial: false,
        captured: true,
        cri: false,
    })
}

/// A Docker json-file line. `log` is unescaped and loses its final `\n`.
fn docker(line: &[u8]) -> Option<Stripped<'_>> {
    #[derive(serde::Deserialize)]
    struct Line<'a> {
        log: String,
        #[serde(borrow, default)]
        stream: Option<&'a str>,
        #[serde(default)]
        time: Option<&'a str>,
    }
    let l: Line<'_> = serde_json::from_slice(line).ok()?;
    let mut log = l.log.into_bytes();
    if log.last() == Some(&b'\n') {
        log.pop();
    }
    let time = l.time.and_then(|t| rfc3339_prefix(t.as_bytes())).map(|(t, _, _)| t);
    let source = match l.stream {
        Some("stderr") => Source::Stream(b"stderr"),
        Some(_) => Source::Stream(b"stdout"),
        None => Source::None,
    };
    Some(Stripped { content: Cow::Owned(log), time, source, partial: false, captured: true, cri: false })
}

/// Skips ANSI SGR sequences (`ESC [ ... m`) at `i`.
fn skip_ansi(b: &[u8], mut i: usize) -> usize {
    while b.get(i) == Some(&0x1b) && b.get(i + 1) == Some(&b'[') {
        let mut j = i + 2;
        while b.get(j).is_some_and(|c| c.is_ascii_digit() || *c == b';') {
            j += 1;
        }
        if b.get(j) != Some(&b'm') {
            return i;
        }
        i = j + 1;
    }
    i
}

/// A Kubernetes name (DNS-1123 subdomain characters) at `i`, possibly wrapped in colour codes, then a space.
/// Returns the name and the index after the space.
fn name_token(b: &[u8], i: usize) -> Option<(&[u8], usize)> {
    let start = skip_ansi(b, i);
    let len = b[start.min(b.len())..]
        .iter()
        .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || **c == b'-' || **c == b'.')
        .count();
    if len == 0 || len > 253 {
        return None;
    }
    let name = &b[start..start + len];
    let after = skip_ansi(b, start + len);
    (b.get(after) == Some(&b' ')).then_some((name, after + 1))
}

/// stern's `[NAMESPACE] POD CONTAINER [timestamp] message`.
fn stern(line: &[u8], namespace: bool) -> Option<Stripped<'_>> {
    let mut i = 0;
    if namespace {
        i = name_token(line, i)?.1;
    }
    let (pod, i) = name_token(line, i)?;
    let (container, i) = name_token(line, i)?;
    if !pod.contains(&b'-') {
        return None;
    }
    let rest = &line[i..];
    let (time, content) = kubelet_time(rest).map_or((None, rest), |(t, c)| (Some(t), c));
    Some(Stripped {
        content: Cow::Borrowed(content),
        time,
        source: Source::Pod { pod, container },
        partial: false,
        captured: true,
        cri: false,
    })
}

/// docker-compose's `NAME   | ` (the container's name, the spaces that align the bars, a bar and a space; the bar
/// alone for an empty line), and after it the time `docker compose logs -t` adds, taken as the line's time.
fn compose(line: &[u8]) -> Option<Stripped<'_>> {
    let (name, content) = compose_split(line, 128)?;
    let (name, content) = (&line[..name], &line[content..]);
    // `docker compose logs -t` puts Docker's own receive time (RFC 3339, 9 fraction digits) after the bar.
    let (time, content) = match kubelet_time(content) {
        Some((t, rest)) => (Some(t), rest),
        None => (None, content),
    };
    Some(Stripped {
        content: Cow::Borrowed(content),
        time,
        source: Source::Pod { pod: name, container: name },
        partial: false,
        captured: true,
        cri: false,
    })
}

/// Where docker-compose's `NAME   | ` ends, its name and bar within the first `within` bytes: the name's length and
/// where the content starts (after `| `, or at the end of a line that is the bar alone). For [`compose`], and for
/// the writer of a pasted compose line (`source::classify`).
pub(crate) fn compose_split(line: &[u8], within: usize) -> Option<(usize, usize)> {
    let head = &line[..line.len().min(within)];
    if !head.first()?.is_ascii_alphanumeric() {
        return None;
    }
    let name = head.iter().take_while(|b| b.is_ascii_alphanumeric() || b"_.-".contains(b)).count();
    let spaces = head[name..].iter().take_while(|&&b| b == b' ').count();
    if spaces == 0 || head.get(name + spaces) != Some(&b'|') {
        return None;
    }
    match line.get(name + spaces + 1) {
        Some(b' ') => Some((name, name + spaces + 2)),
        None => Some((name, line.len())),
        Some(_) => None,
    }
}

/// How many of an input's first lines [`detect`] looks at.
pub const DETECT_LINES: usize = 32;

/// Where the CRI line still being written at the end of `buf[lo..end]` (which ends with a newline) starts: the
/// first of the partial (`P`) lines that end it, whose final part has not come yet; `end` when its last line is
/// not a partial one. A follower holds those lines back, as it holds a line without its newline, so that the
/// line is searched whole once its last part is written.
pub fn unfinished_split(buf: &[u8], lo: usize, end: usize) -> usize {
    let mut at = end;
    while at > lo {
        let ls = super::line_start(buf, lo, at - 1);
        let st = strip(super::trim_cr(&buf[ls..at - 1]), Mode::Cri);
        if !(st.is_cri() && st.partial) {
            break;
        }
        at = ls;
    }
    at
}

/// Chooses the mode of an input from its first bytes: stern when, of the first [`DETECT_LINES`] non-empty lines, more
/// than half are not themselves log lines (no known timestamp at their start) but are, after stern's two (or three,
/// with a namespace) name tokens, log lines or the lines of a stack trace (some of them log lines); docker-compose when
/// more than half open with its `NAME | `, one of those at least goes on with a timestamp, and at least a quarter go
/// on with a timestamp or a stack trace's line (one record with a long trace is as much compose output as many short
/// records). Everything else is [`Mode::Auto`], which needs no detection.
pub fn detect(head: &[u8], zone: crate::time::Zone) -> Mode {
    let mut total = 0;
    let mut cri = 0;
    let mut two = 0;
    let mut three = 0;
    let (mut two_traces, mut three_traces) = (0, 0);
    let mut composed = 0;
    let mut composed_logs = 0;
    let mut composed_traces = 0;
    // The last line of `head` may be cut: leave it out unless it is all there is.
    let whole = memchr::memrchr(b'\n', head).map_or(head, |i| &head[..i]);
    for line in whole.split(|&b| b == b'\n').map(super::trim_cr).filter(|l| !l.is_empty()).take(DETECT_LINES) {
        total += 1;
        let auto = strip(line, Mode::Auto);
        cri += auto.cri as usize;
        if crate::time::parse_line_start(line, zone).is_some() || auto.captured {
            continue;
        }
        let logs = |s: &Stripped<'_>| s.time.is_some() || crate::time::parse_line_start(&s.content, zone).is_some();
        // A stack trace's line after the names has no time of its own, but it is the names' all the same.
        for (namespace, timed, traced) in [(false, &mut two, &mut two_traces), (true, &mut three, &mut three_traces)] {
            match stern(line, namespace) {
                Some(s) if logs(&s) => *timed += 1,
                Some(s) if super::is_continuation(&s.content) => *traced += 1,
                _ => {}
            }
        }
        if let Some(c) = compose(line) {
            composed += 1;
            if logs(&c) {
                composed_logs += 1;
            } else if super::is_continuation(&c.content) {
                composed_traces += 1;
            }
        }
    }
    if cri * 2 > total {
        Mode::Cri
    } else if three > 0 && (three + three_traces) * 2 > total && three >= two {
        Mode::Stern { namespace: true }
    } else if two > 0 && (two + two_traces) * 2 > total {
        Mode::Stern { namespace: false }
    } else if composed * 2 > total && composed_logs > 0 && (composed_logs + composed_traces) * 4 >= composed {
        Mode::Compose
    } else {
        Mode::Auto
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{format_rfc3339, Zone};

    fn s(line: &str) -> Stripped<'_> {
        strip(line.as_bytes(), Mode::Auto)
    }

    fn t(x: &Stripped<'_>) -> Option<String> {
        x.time.map(format_rfc3339)
    }

    #[test]
    fn plain_lines_are_untouched() {
        for l in [
            "2024-03-12 10:00:02,311 WARN  com.stackstate.api.ReceiverRoutes - x",
            "[2024-03-12T11:40:12,357][WARN ][o.e.c.r.a.DiskThresholdMonitor] [n] high disk",
            "[2024-03-12 14:28:31,102] INFO Terminating (kafka.Kafka$)",
            "2024-03-01T12:00:00Z | CORE | ERROR | (x.go:1 in y) | z",
            "2024-03-01T12:00:00.123Z stdout is a word here",
            "{\"type\": \"server\", \"timestamp\": \"2021-09-16T02:06:25,516Z\"}",
            "\tat com.x.Y(Y.java:1)",
            "",
        ] {
            let x = s(l);
            assert!(!x.captured, "{l}");
            assert_eq!(&*x.content, l.as_bytes());
        }
    }

    #[test]
    fn kubectl_prefix_and_timestamps() {
        let x = s("[pod/stackstate-receiver-5b9d79db86-h2hkz/receiver] 2024-03-12T10:00:02.311000000Z 2024-03-12 10:00:02,311 WARN  x - y");
        assert_eq!(&*x.content, b"2024-03-12 10:00:02,311 WARN  x - y");
        assert_eq!(t(&x).as_deref(), Some("2024-03-12T10:00:02.311Z"));
        assert_eq!(x.source, Source::Pod { pod: b"stackstate-receiver-5b9d79db86-h2hkz", container: b"receiver" });

        let x = s("[pod/p-1/c] \tat com.x.Y(Y.java:1)");
        assert_eq!(&*x.content, b"\tat com.x.Y(Y.java:1)");
        assert_eq!(x.time, None);

        let x = s("2024-03-12T10:00:02.311222333Z \tat com.x.Y(Y.java:1)");
        assert_eq!(&*x.content, b"\tat com.x.Y(Y.java:1)");
        assert_eq!(x.source, Source::None);
        assert!(x.captured);

        let x = s("[node/worker-1] kubelet said");
        assert_eq!(x.source, Source::Node(b"worker-1"));
        assert!(!s("[pod/nocontainer] x").captured);
    }

    #[test]
    fn cri_lines() {
        let x = s("2016-10-06T00:17:09.669794202Z stdout P log content 1");
        assert_eq!((&*x.content, x.partial), (&b"log content 1"[..], true));
        assert_eq!(x.source, Source::Stream(b"stdout"));
        assert!(x.is_cri());
        let x = s("2016-10-06T00:17:09.669794Z stderr F end");
        assert_eq!((&*x.content, x.partial), (&b"end"[..], false));
        assert_eq!(t(&x).as_deref(), Some("2016-10-06T00:17:09.669Z"));
        let x = s("2016-10-06T00:17:09.669794202Z stdout F");
        assert_eq!(&*x.content, b"");
    }

    #[test]
    fn docker_json_lines() {
        let x = s(r#"{"log":"\tat com.x.Y(Y.java:1)\n","stream":"stderr","time":"2016-10-20T18:39:20.57606443Z"}"#);
        assert_eq!(&*x.content, b"\tat com.x.Y(Y.java:1)");
        assert_eq!(x.source, Source::Stream(b"stderr"));
        assert_eq!(t(&x).as_deref(), Some("2016-10-20T18:39:20.576Z"));
        assert!(!x.is_cri());
        assert!(!s(r#"{"log": broken"#).captured);
    }

    #[test]
    fn stern_lines() {
        let mode = Mode::Stern { namespace: false };
        let line =
            "\x1b[31mstackstate-e2es-59c7d9-2kq8z\x1b[0m \x1b[32me2es\x1b[0m 2024-03-12 10:00:02,311 ERROR x - y";
        let x = strip(line.as_bytes(), mode);
        assert_eq!(&*x.content, b"2024-03-12 10:00:02,311 ERROR x - y");
        assert_eq!(x.source, Source::Pod { pod: b"stackstate-e2es-59c7d9-2kq8z", container: b"e2es" });
        let x =
            strip(b"stackstate stackstate-receiver-5b-h2 receiver \tat x.Y(Y.java:1)", Mode::Stern { namespace: true });
        assert_eq!(&*x.content, b"\tat x.Y(Y.java:1)");
        // Not stern: the line is not prefixed with names.
        assert!(!strip(b"2024-03-12 10:00:02,311 ERROR x - y", mode).captured);
    }

    #[test]
    fn detects_stern_only_when_it_is_there() {
        let stern = "stackstate-receiver-5b-h2 receiver 2024-03-12 10:00:02,311 WARN  x - y\nstackstate-receiver-5b-h2 receiver \tat x.Y(Y.java:1)\nstackstate-mm2es-7c-x2 mm2es 2024-03-12 10:00:03,000 INFO  a - b\n";
        assert_eq!(detect(stern.as_bytes(), Zone::UTC), Mode::Stern { namespace: false });
        let ns = "stackstate stackstate-receiver-5b-h2 receiver 2024-03-12 10:00:02,311 WARN  x - y\nstackstate stackstate-mm2es-7c-x2 mm2es 2024-03-12 10:00:03,000 INFO  a - b\n";
        assert_eq!(detect(ns.as_bytes(), Zone::UTC), Mode::Stern { namespace: true });
        let plain = "2024-03-12 10:00:02,311 WARN  x - y\n\tat x.Y(Y.java:1)\nsome words here then\n";
        assert_eq!(detect(plain.as_bytes(), Zone::UTC), Mode::Auto);
        // A stack trace longer than the lines around it (the first lines `follow -` reads of `stern -f`).
        let pod = "stackstate-receiver-5b-h2 receiver";
        let traced = format!(
            "{pod} 2024-03-12 10:00:02,311 ERROR x - y\n{pod} java.io.IOException: z\n{}",
            format!("{pod} \tat x.Y(Y.java:1)\n").repeat(6)
        );
        assert_eq!(detect(traced.as_bytes(), Zone::UTC), Mode::Stern { namespace: false });
        let names_alone = format!("{pod} \tat x.Y(Y.java:1)\n").repeat(6);
        assert_eq!(detect(names_alone.as_bytes(), Zone::UTC), Mode::Auto, "no log line after the names");
        let kubectl = "[pod/a-1/c] 2024-03-12T10:00:02.311000000Z hello there world\n";
        assert_eq!(detect(kubectl.as_bytes(), Zone::UTC), Mode::Auto);
        let cri = "2016-10-06T00:17:09.669794202Z stdout P log content 1\n2016-10-06T00:17:09.669794202Z stdout F 2\n";
        assert_eq!(detect(cri.as_bytes(), Zone::UTC), Mode::Cri);
    }

    #[test]
    fn compose_lines() {
        let x = strip(b"zoo3_1  | \tat java.net.PlainSocketImpl.socketConnect(Native Method)", Mode::Compose);
        assert_eq!(&*x.content, b"\tat java.net.PlainSocketImpl.socketConnect(Native Method)");
        assert_eq!(x.source, Source::Pod { pod: b"zoo3_1", container: b"zoo3_1" });
        let x = strip(b"stackstate-kafka-1 | [2024-03-12 14:28:31,102] INFO Terminating (kafka.Kafka$)", Mode::Compose);
        assert_eq!(&*x.content, b"[2024-03-12 14:28:31,102] INFO Terminating (kafka.Kafka$)");
        assert!(strip(b"es01  |", Mode::Compose).content.is_empty());
        // `docker compose logs -t`: Docker's time after the bar is the line's, and a stack line stays one.
        let x = strip(
            b"kafka-1  | 2024-01-25T01:17:55.797292408Z    at kafka.zk.KafkaZkClient.create(KafkaZkClient.scala:1)",
            Mode::Compose,
        );
        assert_eq!(&*x.content, b"   at kafka.zk.KafkaZkClient.create(KafkaZkClient.scala:1)");
        assert_eq!(x.time, crate::time::rfc3339_prefix(b"2024-01-25T01:17:55.797292408Z").map(|t| t.0));
        // An agent line's own RFC 3339 time (no fraction) is its content, not a capture time.
        let agent = b"agent-1  | 2024-03-01T12:00:00Z | CORE | ERROR | (a.go:1 in b) | c";
        assert_eq!(&*strip(agent, Mode::Compose).content, &agent[11..]);
        assert_eq!(strip(agent, Mode::Compose).time, None);
        // Only in its mode, only with the padding and the bar, and a bar is not always a prefix.
        assert!(!strip(b"zoo3_1  | x", Mode::Auto).captured);
        for plain in ["a|b", "name |x", "| table | row |", "2024-03-01 12:00:00 UTC | CORE | ERROR | x"] {
            assert!(!strip(plain.as_bytes(), Mode::Compose).captured, "{plain}");
        }
    }

    #[test]
    fn detects_compose_when_its_bars_carry_log_lines() {
        let compose = "zoo1_1  | 2017-05-28 13:22:13,051 [myid:1] - INFO  [main:QuorumPeer@1] - New election\n\
                       zoo3_1  | 2017-05-28 13:22:13,044 [myid:3] - WARN  [W:QuorumCnxManager@588] - Cannot open channel\n\
                       zoo3_1  | java.net.ConnectException: Connection refused (Connection refused)\n\
                       zoo3_1  | \tat java.net.PlainSocketImpl.socketConnect(Native Method)\n";
        assert_eq!(detect(compose.as_bytes(), Zone::UTC), Mode::Compose);
        // One record whose stack trace is most of the lines (https://github.com/31z4/zookeeper-docker/issues/115).
        let mut one = String::from(
            "zoo3_1  | 2021-02-07 00:45:55,320 [myid:1] - WARN  \
             [QuorumConnectionThread-[myid=1]-3:QuorumCnxManager@400] - Cannot open channel to 3 at election \
             address /0.0.0.0:3888\n\
             zoo3_1  | java.net.ConnectException: Connection refused (Connection refused)\n",
        );
        for _ in 0..10 {
            one.push_str("zoo3_1  | \tat java.base/java.net.Socket.connect(Unknown Source)\n");
        }
        assert_eq!(detect(one.as_bytes(), Zone::UTC), Mode::Compose);
        // Bars and stack lines alone are no compose output.
        let bars = "zoo3_1  | \tat java.base/java.net.Socket.connect(Unknown Source)\n".repeat(4);
        assert_eq!(detect(bars.as_bytes(), Zone::UTC), Mode::Auto);
        // The Java Service Wrapper's `LEVEL | jvm N | time | message`: what follows the first bar is no log line.
        let wrapper = "INFO   | jvm 1    | 2013/06/03 15:30:41 | Loading message broker from: xbean:activemq.xml\n\
                       STATUS | wrapper  | 2013/06/03 15:30:40 | --> Wrapper Started as Daemon\n\
                       INFO   | jvm 1    | 2013/06/03 15:30:42 | ActiveMQ 5.8.0 JMS Message Broker started\n";
        assert_eq!(detect(wrapper.as_bytes(), Zone::UTC), Mode::Auto);
        let agent = "2024-03-01 12:00:00 UTC | CORE | ERROR | (a.go:1 in b) | c\n2024-03-01 12:00:01 UTC | CORE | INFO | (a.go:2 in b) | d\n";
        assert_eq!(detect(agent.as_bytes(), Zone::UTC), Mode::Auto);
    }
}
