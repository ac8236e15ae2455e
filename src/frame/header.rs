//! Record headers: where a log line's message starts, and its level, for every layout stackscan reads and for
//! logs in general.
//!
//! The template miner is fed the *message* of a record (what varies least between two lines of one event) and
//! only records at WARN and above, so both must be found in lines of any layout. Known layouts are read first,
//! each by its own shape:
//!
//! - Elasticsearch plain: `[2024-03-12T11:40:12,357][WARN ][o.e.c.r.a.DiskThresholdMonitor] [node] message`;
//! - the agent: `2024-03-12 15:00:07 UTC | CORE | ERROR | (pkg/x.go:12 in f) | message` (and the layout without
//!   the logger field, and the one without the time: the Lambda extension's `DD_EXTENSION | ERROR | message`);
//! - klog: `E0312 10:00:00.123456    1234 reflector.go:138] message`;
//! - Go's logrus on a terminal: `ERRO[0051] message` (`WARN[2019-08-09T07:47:11Z] message` with full timestamps);
//! - syslog with its priority: `<11>Mar 12 10:00:00 host prog[12]: message` (severity = priority % 8);
//! - JSON objects: ES 7 (`"level"`, `"message"`, `"stacktrace"`), ES 8 ECS (`"log.level"`, `"error.type"`),
//!   the agent's JSON (`"msg"`), journald's export (`"PRIORITY"`, `"MESSAGE"`); logfmt (`level=error msg=...`);
//! - Python's default: `WARNING:urllib3.connectionpool:message`;
//!
//! then every other line is read generically, by the kind of fields its start is made of:
//!
//! - **time fields**: runs of digits and `- / : . , T Z +` (`2015-10-18`, `18:01:47,978`, `081109`,
//!   `2005-06-03-15.42.50.675872`), month and weekday names, and bracketed groups made of those
//!   (`[Sun Dec 04 04:47:44 2005]`, `[10.30 16:49:06]`);
//! - **numbers** (pids, thread ids, sequence numbers) and a lone `-`;
//! - **a level**: TRACE, DEBUG, INFO, NOTICE, WARN, WARNING, ERROR, ERR, FATAL, CRITICAL, CRIT, SEVERE, EMERG,
//!   ALERT in any case, bare, bracketed (`[error]`, `<W>`) or followed by `:`; a single letter (`D`, `W`, `E`)
//!   after a number or a time;
//! - **hosts**: one token (`combo`, `dn228/dn228`) where the next field is a time, a syslog tag or a host;
//! - **a syslog tag** ending the header: `name:`, `name[pid]:`, `name(sub)[pid]:` after a time;
//! - after a level, what loggers put before the message: a `-`, bracketed fields (`[main]`, a thread, a
//!   request context), a logger name ending in `:` or followed by a bracket or `-`, a padded column.
//!
//! Two readings are tried. *Level first*: the first level-like field within the first ten, when every field before it
//! is a header field (time, number, host, bracket, upper-case word) and one of them is a time or a number, or when at
//! most three bracketed fields come before an upper-case level word (a pattern without the time: `[main] ERROR
//! com.example.Foo - message`): the header ends after the level and its logger fields (logback, log4j, ZooKeeper,
//! Kafka, Hadoop, Spark, Android, Apache). *Syslog*: time fields, numbers and hosts, ending at a syslog tag or at the
//! first field that is none of these. A line where no time field was read has no header: its message is the whole line.
//!
//! A level is only ever read from a header: `INFO ... status=ERROR` is an INFO record. Pure functions over
//! `&str`: no allocation, no I/O.

use crate::model::Level;

/// The literals the scanner searches (besides the rules' own) to find the records that may be unexplained errors,
/// without framing every line. Every header [`split`] reads a level of WARN or above from holds one of them when the
/// level is written as logs write it: an upper-case word anywhere (`WARN`, `WARNING`, `ERROR`, `FATAL`, `CRIT`,
/// `CRITICAL`, `SEVERE`, and logrus's `ERRO[` and `FATA[`: `ERRO` and `FATA` find both spellings, and Teddy, which
/// tells literals apart by their first four bytes, lets no more positions through), `fatal` and `warn` anywhere, or a
/// lower-case `error` in the places structured logs put it (`level=error`, `"level":"error"`, Apache's `[error]`). So
/// does every exception line (`...Exception`, `...Error`), a Go program's crash (`panic: ...` at a line's start, above
/// its goroutines' stacks) and journald's JSON export (`"PRIORITY"`). klog headers (`E0312 ...`) are found by their
/// line starts in inputs that are klog ([`looks_like_klog`]). Not searched for, though read on lines found otherwise:
/// the rare levels (`EMERG`, `ALERT`, `PANIC`, `crit`), a lower-case `error` or a capitalised level word elsewhere,
/// `err`, single letters (Android's `E`), and a syslog `<PRI>` alone. Each literal costs the search over every byte:
/// the set is what the layouts stackscan reads need, each literal 4 bytes or more (Teddy, the searcher, is much slower
/// with shorter ones). One `fatal` stands for `=fatal` and `"fatal"`, and one `warn` for `=warn`, `"warn` and `[warn`:
/// each takes one of Teddy's places instead of two or three, and a rule literal that holds one (`fatal error in thread
/// [`, `Exiting Kafka due to fatal`) then needs no place of its own in the mining search. `warn` is made of common
/// letters and lets more positions through its bucket, but with the buckets planned for it the search costs no more
/// than with the three forms (measured with `benches/instructions.sh`). One `error` would stop on three times the lines
/// the three forms stop on.
pub const LEVEL_LITERALS: &[&str] = &[
    "WARN",
    "ERRO",
    "FATA",
    "CRIT",
    "SEVERE",
    "Error",
    "Exception",
    "fatal",
    "=error",
    "\"error\"",
    "[error]",
    "warn",
    "\"PRIORITY\"",
    "panic: ",
];

/// Whether most of an input's first lines (at most 32, in `head`) are klog lines (`I0312 10:00:00.123456 ...`):
/// the scanner then visits every line that opens with a klog header at WARN and above.
pub fn looks_like_klog(head: &[u8]) -> bool {
    let lines: Vec<&[u8]> = head.split(|&b| b == b'\n').filter(|l| !l.is_empty()).take(32).collect();
    let klog = |l: &&&[u8]| {
        l.len() >= 8
            && matches!(l[0], b'I' | b'W' | b'E' | b'F')
            && l[1..5].iter().all(u8::is_ascii_digit)
            && l[5] == b' '
    };
    !lines.is_empty() && lines.iter().filter(klog).count() * 2 > lines.len()
}

/// Whether a line opens with a klog header (`E0312 10:00:00.123456 ...`) at WARN or above.
pub fn is_klog_problem(line: &[u8]) -> bool {
    line.len() >= 7
        && matches!(line[0], b'E' | b'W' | b'F')
        && line[1..5].iter().all(u8::is_ascii_digit)
        && line[5] == b' '
        && line[6].is_ascii_digit()
}

/// A line split into its header and its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The message: the line after its header (the whole line when no header was recognised).
    pub message: &'a str,
    /// The level, when the header (or a structured field) has one.
    pub level: Option<Level>,
    /// The exception a one-line record carries in a field of its own (ES 7 `stacktrace`, ES 8 `error.type`).
    pub exception: Option<&'a str>,
}

impl<'a> Split<'a> {
    fn new(message: &'a str, level: Option<Level>) -> Self {
        Split { message, level, exception: None }
    }
}

/// Splits a line (without its terminator, after any capture prefix) into its header and its message.
pub fn split(line: &str) -> Split<'_> {
    let line = line.trim_end_matches(['\r', '\n']);
    let first = line.as_bytes().first().copied();
    if first == Some(b'<') {
        if let Some(s) = syslog_priority(line) {
            return s;
        }
    }
    if let Some(s) = structured(line) {
        return s;
    }
    if first == Some(b'[') {
        if let Some(s) = bracket_run(line).or_else(|| tornado(line)) {
            return s;
        }
    }
    if let Some(s) = agent(line) {
        return s;
    }
    if let Some(s) = klog(line) {
        return s;
    }
    if let Some(s) = logrus_terminal(line) {
        return s;
    }
    if let Some(s) = piped(line) {
        return s;
    }
    if let Some(s) = python_default(line) {
        return s;
    }
    generic(line)
}

/// Python's default layout (`logging.basicConfig()`): `LEVEL:logger:message`, upper case, no time.
fn python_default(line: &str) -> Option<Split<'_>> {
    let colon = line.bytes().take(10).position(|c| !c.is_ascii_uppercase())?;
    if line.as_bytes()[colon] != b':' {
        return None;
    }
    let level = level_word(&line[..colon])?;
    let (logger, message) = line[colon + 1..].split_once(':')?;
    let name = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-');
    (!logger.is_empty() && logger.bytes().all(name)).then(|| Split::new(message, Some(level)))
}

/// The level-first and syslog readings (see the module documentation).
fn generic(line: &str) -> Split<'_> {
    let mut fields = [(0usize, 0usize); MAX_FIELDS];
    let nf = scan_fields(line, &mut fields);
    let fields = &fields[..nf];
    let f = |i: usize| &line[fields[i].0..fields[i].1];
    // Level first.
    for k in 0..nf.min(10) {
        let prev_time = k > 0 && (is_time(f(k - 1)) || is_number(f(k - 1)));
        let Some(level) = level_of(f(k), k == 0, prev_time) else { continue };
        // The two shapes of what comes before the level; the second is tried only when the first fails.
        let timed = || {
            (0..k).all(|i| header_field(f(i)) || (is_host(f(i)) && (i + 1 == k || header_field(f(i + 1)))))
                && (k == 0 || (0..k).any(|i| is_time(f(i)) || is_number(f(i)) || bracket_time(f(i))))
        };
        let untimed = || k <= 3 && (0..k).all(|i| f(i).starts_with('[') && bracketed(f(i))) && is_upper_level(f(k));
        if (timed() || untimed()) && k + 1 < nf {
            let end = after_level(line, fields, k + 1);
            return Split::new(line[end..].trim_start(), Some(level));
        }
        break;
    }
    // Syslog-like.
    let mut end = 0;
    let mut saw_time = false;
    let mut i = 0;
    while i < nf {
        let x = f(i);
        let next = (i + 1 < nf).then(|| f(i + 1));
        let time = is_time(x) || is_month_or_day(x) || bracket_time(x);
        if !time && saw_time && is_tag(x) {
            end = fields[i].1;
            break;
        }
        let number = x == "-" || (is_number(x) && (saw_time || next.is_some_and(|n| is_time(n) || is_number(n))));
        let host = is_host(x)
            && (next.is_some_and(|n| is_time(n) || is_month_or_day(n) || (saw_time && is_tag(n)))
                || (saw_time && next.is_some_and(is_host) && i + 2 < nf && is_tag(f(i + 2))));
        if !(time || number || host) {
            break;
        }
        // A run of digits alone (a sequence number, an epoch) does not make a header.
        saw_time |= time && !is_month_or_day(x) && !is_number(x);
        end = fields[i].1;
        i += 1;
    }
    if !saw_time {
        return Split::new(line, None);
    }
    Split::new(line[end..].trim_start(), None)
}

const MAX_FIELDS: usize = 16;

/// Whitespace-separated fields of the line's start; a field starting with `[` runs to its matching `]`.
fn scan_fields(line: &str, out: &mut [(usize, usize); MAX_FIELDS]) -> usize {
    let b = line.as_bytes();
    let mut n = 0;
    let mut i = 0;
    while n < MAX_FIELDS {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let start = i;
        if b[i] == b'[' {
            let mut depth = 0;
            while i < b.len() {
                match b[i] {
                    b'[' => depth += 1,
                    b']' => {
                        depth -= 1;
                        if depth == 0 {
                            i += 1;
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            while i < b.len() && !b[i].is_ascii_whitespace() {
                i += 1;
            }
        } else {
            while i < b.len() && !b[i].is_ascii_whitespace() {
                i += 1;
            }
        }
        out[n] = (start, i);
        n += 1;
    }
    n
}

/// A field a header is made of (without the context rules for hosts).
fn header_field(x: &str) -> bool {
    is_time(x) || is_number(x) || is_month_or_day(x) || x == "-" || bracketed(x) || is_upper_word(x)
}

fn is_number(x: &str) -> bool {
    !x.is_empty() && x.bytes().all(|c| c.is_ascii_digit())
}

/// Digits with date and time separators (a trailing `,` or `:` allowed).
fn is_time(x: &str) -> bool {
    let x = x.trim_end_matches([',', ':']);
    let digits = x.bytes().filter(u8::is_ascii_digit).count();
    digits >= 2
        && x.bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'-' | b'/' | b':' | b'.' | b',' | b'T' | b'Z' | b'+' | b'_'))
        && (digits >= 6 || x.bytes().any(|c| !c.is_ascii_digit()))
}

fn is_month_or_day(x: &str) -> bool {
    const NAMES: [&str; 19] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "mon", "tue", "wed", "thu",
        "fri", "sat", "sun",
    ];
    x.len() == 3 && NAMES.iter().any(|n| x.eq_ignore_ascii_case(n))
}

fn bracketed(x: &str) -> bool {
    let x = x.trim_end_matches(':');
    (x.starts_with('[') && x.ends_with(']')) || (x.starts_with('<') && x.ends_with('>') && x.len() <= 12)
}

/// A bracketed group made of time fields (`[Sun Dec 04 04:47:44 2005]`).
fn bracket_time(x: &str) -> bool {
    bracketed(x) && {
        let inner = x.trim_end_matches(':');
        let inner = &inner[1..inner.len() - 1];
        let mut any = false;
        let all = inner.split_whitespace().all(|w| {
            any |= is_time(w);
            is_time(w) || is_number(w) || is_month_or_day(w) || w.starts_with(['+', '-'])
        });
        all && any
    }
}

/// An upper-case word that a header may carry before its level (a facility, a subsystem: `RAS KERNEL`, a zone
/// abbreviation: `UTC`).
fn is_upper_word(x: &str) -> bool {
    (2..=12).contains(&x.len()) && x.bytes().all(|c| c.is_ascii_uppercase())
}

/// A host name or node id: one token of letters, digits and `. - _ / :`, with a letter.
fn is_host(x: &str) -> bool {
    (1..=64).contains(&x.len())
        && x.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_' | b'/' | b':' | b'@' | b'#'))
        && x.bytes().any(|c| c.is_ascii_alphabetic())
        && !x.ends_with(':')
}

/// A syslog tag: `name:`, `name[pid]:`, `name(sub)[pid]:`.
fn is_tag(x: &str) -> bool {
    let Some(body) = x.strip_suffix(':') else { return false };
    let body = match body.strip_suffix(']') {
        Some(b) => match b.rfind('[') {
            Some(k) if is_number(&b[k + 1..]) => &b[..k],
            _ => return false,
        },
        None => body,
    };
    !body.is_empty()
        && body.bytes().any(|c| c.is_ascii_alphabetic())
        && body
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_' | b'/' | b'(' | b')' | b'$'))
}

/// The level a field names. `first`: the field starts the line; `after_time`: the field before is a time or a
/// number (single-letter levels only count there).
fn level_of(x: &str, first: bool, after_time: bool) -> Option<Level> {
    let bare = x.trim_end_matches([':', ',']);
    let (inner, wrapped) = if (bare.starts_with('[') && bare.ends_with(']'))
        || (bare.starts_with('<') && bare.ends_with('>'))
        || (bare.starts_with('(') && bare.ends_with(')'))
    {
        (&bare[1..bare.len().saturating_sub(1).max(1)], true)
    } else {
        (bare, false)
    };
    let inner = inner.trim();
    if inner.len() == 1 {
        if !(after_time || wrapped) || !inner.as_bytes()[0].is_ascii_uppercase() {
            return None;
        }
        return match inner.as_bytes()[0] {
            b'V' | b'T' => Some(Level::Trace),
            b'D' => Some(Level::Debug),
            b'I' => Some(Level::Info),
            b'W' => Some(Level::Warn),
            b'E' => Some(Level::Error),
            b'F' | b'A' => Some(Level::Fatal),
            _ => None,
        };
    }
    let level = level_word(inner)?;
    // At the line's start a capitalised word is more likely the message ("Error writing ...").
    if first && !wrapped && !x.ends_with(':') && inner.bytes().any(|c| c.is_ascii_lowercase()) {
        return None;
    }
    Some(level)
}

/// A bare upper-case level word (`ERROR`, `WARN`): what a layout without a time puts after its bracketed thread
/// (`[main] ERROR com.example.Foo - message`), where a word in another case would more likely be the message's.
fn is_upper_level(x: &str) -> bool {
    x.len() >= 4 && is_upper_word(x) && level_word(x).is_some()
}

/// The level a word names, in any case (`warn`, `WARNING`, `Severe`).
pub fn level_word(w: &str) -> Option<Level> {
    let b = w.as_bytes();
    if !(3..=9).contains(&b.len()) {
        return None;
    }
    let mut lower = [0u8; 9];
    for (l, c) in lower.iter_mut().zip(b) {
        *l = c.to_ascii_lowercase();
    }
    Some(match &lower[..b.len()] {
        b"trace" | b"verbose" => Level::Trace,
        b"debug" => Level::Debug,
        b"info" => Level::Info,
        b"notice" => Level::Notice,
        b"warn" | b"warning" => Level::Warn,
        b"error" | b"err" | b"severe" => Level::Error,
        b"fatal" | b"critical" | b"crit" | b"emerg" | b"emergency" | b"alert" | b"panic" => Level::Fatal,
        _ => return None,
    })
}

/// The level of a syslog severity (RFC 5424: 0 emergency ... 7 debug).
fn severity_level(s: u32) -> Level {
    match s {
        0..=2 => Level::Fatal,
        3 => Level::Error,
        4 => Level::Warn,
        5 => Level::Notice,
        6 => Level::Info,
        _ => Level::Debug,
    }
}

/// Where the message starts after a level at field `k`: skips `-`, bracketed fields, a logger name (ending in
/// `:`, or dotted and followed by a bracket, `-` or `:`), a padded column, Spring Boot's `pid ---`, and the time
/// of a line that opens with its level.
fn after_level(line: &str, fields: &[(usize, usize)], mut k: usize) -> usize {
    let nf = fields.len();
    let f = |i: usize| &line[fields[i].0..fields[i].1];
    let mut end = fields[k - 1].1;
    let first = k;
    let mut logger = false;
    while k < nf {
        let x = f(k);
        let next = (k + 1 < nf).then(|| f(k + 1));
        let padded = line[fields[k].1..].starts_with("  ");
        // A logger may carry its line number: `o.a.d.JsonSerializer:[117]`, `c.s.Foo:42`.
        let name =
            x.strip_suffix(']').and_then(|y| y.rsplit_once(":[")).map_or(x, |(n, l)| if is_number(l) { n } else { x });
        let name = name.rsplit_once(':').filter(|(_, l)| is_number(l)).map_or(name, |(n, _)| n);
        if x == "-" && (logger || k > first) {
            // `logger - message`, `[thread] - message`: the message starts after the dash.
            end = fields[k].1;
            break;
        } else if x == "-"
            || x == ":"
            || x == "|"
            || x == "---"
            || bracketed(x)
            || (first == 1 && !logger && is_time(x))
        {
            // (A line opening with its level may give its time next: `[ERROR] 2024-04-09 10:37:40.429 +0800 ...`.)
        } else if k == first && is_number(x) && next == Some("---") {
            // Spring Boot's `LEVEL pid --- [thread] logger : message`.
        } else if !logger && x.len() > 1 && x.ends_with(':') && !x[..x.len() - 1].contains(':') {
            end = fields[k].1;
            break;
        } else if (name.contains('.')
            && name.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'$' | b'-'))
            && next.is_some_and(|n| n == "-" || n == ":" || n.starts_with('[')))
            || (!logger && padded && x.len() <= 24 && x.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_'))
        {
            logger = true;
        } else {
            break;
        }
        end = fields[k].1;
        k += 1;
    }
    end
}

/// Elasticsearch's plain layout and its kin: adjacent bracketed groups at the line's start, the first a time
/// (`[2024-03-12T11:40:12,357][WARN ][o.e.c.r.a.DiskThresholdMonitor] [node] message`). The level is the group
/// that names one; the message follows the groups (and the bracketed fields right after them).
fn bracket_run(line: &str) -> Option<Split<'_>> {
    let b = line.as_bytes();
    let close = line.find(']')?;
    if b.get(close + 1) != Some(&b'[') || !is_time(&line[1..close]) {
        return None;
    }
    let mut level = None;
    let mut i = close + 1;
    while b.get(i) == Some(&b'[') {
        let end = i + line[i..].find(']')?;
        if level.is_none() {
            level = level_word(line[i + 1..end].trim());
        }
        i = end + 1;
    }
    // One bracketed field after a space (Elasticsearch's node name), then the message.
    let mut rest = line[i..].trim_start();
    if line[i..].starts_with(' ') && rest.starts_with('[') {
        if let Some(e) = rest.find("] ").filter(|&e| !rest[1..e].contains([' ', '['])) {
            rest = &rest[e + 1..];
        }
    }
    Some(Split::new(rest.trim_start(), level))
}

/// Tornado's layout (Python web services; the legacy agent's forwarder): `[L yymmdd hh:mm:ss module:line] message`,
/// the level its initial (`D`, `I`, `W`, `E`, `C`). Without it, a word of the message (`Transaction 14 in error`)
/// would be read as the level.
fn tornado(line: &str) -> Option<Split<'_>> {
    let b = line.as_bytes();
    let level = match b.get(1)? {
        b'D' => Level::Debug,
        b'I' => Level::Info,
        b'W' => Level::Warn,
        b'E' => Level::Error,
        b'C' => Level::Fatal,
        _ => return None,
    };
    let date = b.get(2..10)?;
    let time = b.get(10..19)?;
    let digits = |x: &[u8]| x.iter().all(u8::is_ascii_digit);
    let stamp = date[0] == b' '
        && digits(&date[1..7])
        && date[7] == b' '
        && digits(&time[..2])
        && time[2] == b':'
        && digits(&time[3..5])
        && time[5] == b':'
        && digits(&time[6..8])
        && time[8] == b' ';
    if !stamp {
        return None;
    }
    let close = 19 + line[19..].find("] ")?;
    let (module, lineno) = line[19..close].rsplit_once(':')?;
    (!module.is_empty() && !module.contains(' ') && !lineno.is_empty() && digits(lineno.as_bytes()))
        .then(|| Split::new(line[close + 2..].trim_start(), Some(level)))
}

/// The agent's layout: ` | `-separated fields, the first a time: `TIME | LOGGER | LEVEL | (file:line in func) |
/// message`, the logger field absent before agent 2.13; or, without the time, an upper-case logger and level
/// (`DD_EXTENSION | ERROR | message`).
fn agent(line: &str) -> Option<Split<'_>> {
    let first = line.as_bytes().first()?;
    let bar = super::cut(line, 48).find(" | ")?;
    if first.is_ascii_digit() {
        if !line[..bar].contains(':') {
            return None;
        }
    } else {
        // Without its time (the Lambda extension's `DD_EXTENSION | ERROR | message`, a capture that cut the time
        // off): the logger, then an upper-case level.
        let logger = &line[..bar];
        let next = line[bar + 3..].split(" | ").next().unwrap_or("").trim();
        let upper = |c: u8| c.is_ascii_uppercase() || c == b'_' || c == b'-';
        if !(2..=24).contains(&logger.len()) || !logger.bytes().all(upper) || !is_upper_level(next) {
            return None;
        }
    }
    let mut rest = &line[bar + 3..];
    let mut level = None;
    for _ in 0..3 {
        let Some(end) = rest.find(" | ") else { break };
        let field = rest[..end].trim();
        if level.is_none() {
            if let Some(l) = level_word(field) {
                rest = &rest[end + 3..];
                // The trace-agent's component is `TRACE`: `| TRACE | ERROR | (...) |` has its level next.
                let next = rest.find(" | ").map(|e| rest[..e].trim());
                if next.and_then(level_word).is_none() {
                    level = Some(l);
                }
                continue;
            }
            if is_upper_word(field) || field.chars().all(|c| c.is_ascii_uppercase() || c == '-') {
                rest = &rest[end + 3..];
                continue;
            }
            break;
        }
        if field.starts_with('(') && field.ends_with(')') {
            rest = &rest[end + 3..];
        }
        break;
    }
    level.map(|l| Split::new(rest, Some(l)))
}

/// klog (Kubernetes components): `Lmmdd hh:mm:ss.uuuuuu threadid file:line] message`.
fn klog(line: &str) -> Option<Split<'_>> {
    let b = line.as_bytes();
    if b.len() < 8 || !b[1..5].iter().all(u8::is_ascii_digit) || b[5] != b' ' || !b[6].is_ascii_digit() {
        return None;
    }
    let level = match b[0] {
        b'I' => Level::Info,
        b'W' => Level::Warn,
        b'E' => Level::Error,
        b'F' => Level::Fatal,
        _ => return None,
    };
    let end = super::cut(line, 160).find("] ")?;
    Some(Split::new(&line[end + 2..], Some(level)))
}

/// Go's logrus on a terminal (or with colours forced): `ERRO[0051] message` (seconds since start) or
/// `WARN[2019-08-09T07:47:11Z] message` (full timestamps), the level in four upper-case letters, or whole with
/// `DisableLevelTruncation` (`ERROR[0051]`, `WARNING[0051]`). Its other layout (`level=error msg=...`) is read as
/// fields. A `PANI[` line is read when found through the `panic: ` below it.
fn logrus_terminal(line: &str) -> Option<Split<'_>> {
    let b = line.as_bytes();
    let open = b.iter().take(8).position(|&c| c == b'[').filter(|&i| i >= 4)?;
    if b.len() < open + 4 || !b[..open].iter().all(u8::is_ascii_uppercase) {
        return None;
    }
    let level = match &b[..open] {
        b"TRAC" => Level::Trace,
        b"DEBU" => Level::Debug,
        b"ERRO" => Level::Error,
        b"FATA" | b"PANI" => Level::Fatal,
        _ => level_word(&line[..open])?,
    };
    let close = super::cut(line, 48).find("] ")?;
    let stamp = line.get(open + 1..close)?;
    let stamp_like = |c: char| c.is_ascii_digit() || matches!(c, '-' | ':' | 'T' | 'Z' | '.' | '+' | ' ' | '/');
    (!stamp.is_empty() && stamp.chars().all(stamp_like))
        .then(|| Split::new(line[close + 2..].trim_start(), Some(level)))
}

/// A syslog priority (`<PRI>`, RFC 3164 and 5424): the level is its severity; the rest is read as a line.
fn syslog_priority(line: &str) -> Option<Split<'_>> {
    let close = super::cut(line, 5).find('>')?;
    let pri: u32 = line[1..close].parse().ok().filter(|p| *p <= 191)?;
    let level = Some(severity_level(pri % 8));
    let rest = &line[close + 1..];
    // RFC 5424: `1 TIMESTAMP HOST APP PROCID MSGID SD MESSAGE`, each `-` when absent.
    if let Some(mut r) = rest.strip_prefix("1 ") {
        for _ in 0..5 {
            r = r.trim_start();
            r = &r[r.find(' ').unwrap_or(r.len())..];
        }
        r = r.trim_start();
        if let Some(after) = r.strip_prefix('-') {
            r = after;
        } else {
            while r.starts_with('[') {
                r = &r[string_end_bracket(r).unwrap_or(r.len())..];
            }
        }
        return Some(Split::new(r.trim_start(), level));
    }
    Some(Split { level, ..split(rest) })
}

/// Where a bracketed group that starts `s` ends (just after its `]`), skipping quoted strings in it.
fn string_end_bracket(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'"' => i += 1 + string_end(&s[i + 1..])? + 1,
            b']' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// `time|component|pid|message`: a first token made of `|`-separated fields, the first a time.
fn piped(line: &str) -> Option<Split<'_>> {
    let first = line.split_whitespace().next()?;
    let (head, _) = first.split_once('|')?;
    if !is_time(head) {
        return None;
    }
    let mut rest = line;
    let mut level = None;
    for _ in 0..4 {
        let Some((field, after)) = rest.split_once('|') else { break };
        if field.contains(' ') {
            break;
        }
        if let Some(l) = level_word(field) {
            level = Some(l);
        }
        rest = after;
    }
    Some(Split::new(rest.trim_start(), level))
}

/// A JSON object or a logfmt line: the level from its level field, the message from its message field.
fn structured(line: &str) -> Option<Split<'_>> {
    let t = line.trim_start();
    if t.starts_with('{') {
        let level = ["\"level\"", "\"log.level\"", "\"severity\"", "\"lvl\""]
            .iter()
            .find_map(|k| json_string(t, k))
            .and_then(|v| level_word(v).or_else(|| level_of(v, false, true)))
            .or_else(|| {
                let p = json_string(t, "\"PRIORITY\"")?;
                p.parse::<u32>().ok().filter(|p| *p < 8).map(severity_level)
            });
        let message = ["\"message\"", "\"msg\"", "\"MESSAGE\""].iter().find_map(|k| json_string(t, k)).unwrap_or(line);
        let exception = json_first_string(t, "\"stacktrace\"").or_else(|| json_string(t, "\"error.type\""));
        return Some(Split { message, level, exception });
    }
    let head = &t.as_bytes()[..t.len().min(256)];
    let level_at = memchr::memmem::find(head, b"level=").filter(|&i| i == 0 || head[i - 1] == b' ')?;
    let v = &t[level_at + 6..];
    let v = v.trim_start_matches('"');
    let end = v.find([' ', '"']).unwrap_or(v.len());
    let level = level_word(&v[..end]);
    let message = t
        .find("msg=")
        .filter(|&i| i == 0 || t.as_bytes()[i - 1] == b' ')
        .map(|i| {
            let m = &t[i + 4..];
            match m.strip_prefix('"') {
                Some(q) => &q[..string_end(q).unwrap_or(q.len())],
                None => &m[..m.find(' ').unwrap_or(m.len())],
            }
        })
        .unwrap_or(line);
    Some(Split::new(message, level))
}

/// Where a JSON string that starts at `s` (after its opening quote) ends: its unescaped closing quote.
fn string_end(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The value of a string member `key` (quoted) of a JSON object, as written (escapes left in).
fn json_string<'a>(t: &'a str, key: &str) -> Option<&'a str> {
    let at = t.find(key)?;
    let rest = t[at + key.len()..].trim_start().strip_prefix(':')?.trim_start().strip_prefix('"')?;
    Some(&rest[..string_end(rest)?])
}

/// The first string of an array member `key` of a JSON object (ES 7's `"stacktrace": ["...", ...]`).
fn json_first_string<'a>(t: &'a str, key: &str) -> Option<&'a str> {
    let at = t.find(key)?;
    let rest = t[at + key.len()..].trim_start().strip_prefix(':')?.trim_start().strip_prefix('[')?;
    let rest = rest.trim_start().strip_prefix('"')?;
    Some(&rest[..string_end(rest)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(line: &str) -> (&str, Option<Level>) {
        let s = split(line);
        (s.message, s.level)
    }

    /// Layouts that print no time: a logback pattern that starts at the thread, the Lambda extension's agent layout.
    #[test]
    fn layouts_without_a_time() {
        use Level::*;
        let cases = [
            (
                "[scala-stream-collector-akka.actor.default-dispatcher-13] ERROR com.snowplowanalytics.snowplow.collectors.scalastream.sinks.KafkaSink - Sending event failed: too large",
                ("Sending event failed: too large", Some(Error)),
            ),
            ("[main] [req-7] WARN  c.e.Foo - slow answer", ("slow answer", Some(Warn))),
            ("DD_EXTENSION | ERROR | No API key configured", ("No API key configured", Some(Error))),
            ("CORE | WARN | (pkg/x.go:12 in f) | message", ("message", Some(Warn))),
            // A level word in another case, or one that follows message text, stays the message's.
            ("[main] Error while reading the file", ("[main] Error while reading the file", None)),
            ("[worker] retries left ERROR x", ("[worker] retries left ERROR x", None)),
            ("Status | ERROR | unknown", ("Status | ERROR | unknown", None)),
            ("CORE | status | ERROR", ("CORE | status | ERROR", None)),
        ];
        for (line, want) in cases {
            assert_eq!(msg(line), want, "{line}");
        }
    }

    /// Every layout stackscan reads (fixtures/README.md, LOG-FORMATS.md).
    #[test]
    fn stackstate_layouts() {
        use Level::*;
        let cases = [
            (
                "2024-03-12 11:42:10,422 [KafkaToES-akka.actor.default-dispatcher-20] ERROR c.s.k.e.s.BulkIndexer - Bulk request failed",
                "Bulk request failed",
                Some(Error),
            ),
            (
                "2024-03-12 14:28:42,526 [kafka-producer-network-thread | producer-1] WARN  org.apache.kafka.clients.NetworkClient - [Producer clientId=producer-1] Connection to node 0 could not be established.",
                "[Producer clientId=producer-1] Connection to node 0 could not be established.",
                Some(Warn),
            ),
            (
                "2024-07-29 06:41:15,144 WARN  com.stackstate.api.ReceiverRoutes - 10.0.0.66 - POST http://x (1268): 401 Unauthorized",
                "10.0.0.66 - POST http://x (1268): 401 Unauthorized",
                Some(Warn),
            ),
            (
                "[2024-03-12 14:28:31,102] INFO Terminating process due to signal SIGTERM (org.apache.kafka.common.utils.LoggingSignalHandler)",
                "Terminating process due to signal SIGTERM (org.apache.kafka.common.utils.LoggingSignalHandler)",
                Some(Info),
            ),
            (
                "2024-03-12 10:00:00,200 [myid:1] - WARN  [main:ZooKeeperServer@1300] - Close of session 0x100012cc8c5051f",
                "Close of session 0x100012cc8c5051f",
                Some(Warn),
            ),
            (
                "[2024-03-12T10:19:33,576][WARN ][o.e.m.j.JvmGcMonitorService] [sts-prod-01] [gc][1173] overhead, spent [830ms]",
                "[gc][1173] overhead, spent [830ms]",
                Some(Warn),
            ),
            (
                "[2024-03-12T11:40:12,357][WARN ][o.e.c.r.a.DiskThresholdMonitor] [sts-prod-01] flood stage disk watermark [95%] exceeded",
                "flood stage disk watermark [95%] exceeded",
                Some(Warn),
            ),
            (
                "[2024-03-12T10:10:05,182][DEPRECATION][o.e.d.a.b.BulkRequestParser] [sts-prod-01] [types removal] Specifying types is deprecated",
                "[types removal] Specifying types is deprecated",
                None,
            ),
            (
                r#"{"type": "server", "timestamp": "2024-03-12T11:40:12,357Z", "level": "ERROR", "component": "o.e.b.ElasticsearchUncaughtExceptionHandler", "cluster.name": "stackstate", "node.name": "n", "message": "uncaught exception in \"main\"", "stacktrace": ["java.lang.OutOfMemoryError: Java heap space", "at x.y(Z.java:1)"]}"#,
                r#"uncaught exception in \"main\""#,
                Some(Error),
            ),
            (
                r#"{"@timestamp":"2025-10-14T08:37:09.142Z", "log.level": "WARN", "message":"high disk watermark [90%] exceeded", "ecs.version": "1.2.0"}"#,
                "high disk watermark [90%] exceeded",
                Some(Warn),
            ),
            (
                "2024-03-12 15:00:07 UTC | CORE | ERROR | (pkg/collector/worker/check_logger.go:71 in Error) | check:kubernetes_state | Error running check",
                "check:kubernetes_state | Error running check",
                Some(Error),
            ),
            (
                "2018-03-30 19:57:38 CEST | ERROR | (worker.go:135 in process) | Error while processing transaction",
                "Error while processing transaction",
                Some(Error),
            ),
            ("WARNING:urllib3.connectionpool:Retrying (Retry(total=2)) after connection broken", "Retrying (Retry(total=2)) after connection broken", Some(Warn)),
            ("ERROR:root:unknown state 42", "unknown state 42", Some(Error)),
            ("Error:root:capitalised, so a message", "Error:root:capitalised, so a message", None),
            ("ERROR: the line names no logger", "the line names no logger", Some(Error)),
            (
                "2020-02-12 08:51:19 UTC | TRACE | ERROR | (pkg/trace/writer/trace.go:231 in flush) | failed to flush trace payload: EOF",
                "failed to flush trace payload: EOF",
                Some(Error),
            ),
            (
                "2020-02-12 08:51:19 UTC | TRACE | INFO | (pkg/trace/info/stats.go:104 in LogStats) | No data received",
                "No data received",
                Some(Info),
            ),
            (
                "2018-03-30 19:57:38 CEST | TRACE | (pkg/trace/agent.go:10 in f) | a trace-level line of the old layout",
                "a trace-level line of the old layout",
                Some(Trace),
            ),
            (
                "2024-03-12 15:00:07 UTC | PROCESS | WARN | (pkg/process/checks/container.go:91 in Run) | no containers found",
                "no containers found",
                Some(Warn),
            ),
            (
                r#"{"agent":"core","time":"2024-03-12 15:00:07 UTC","level":"ERROR","file":"worker.go","line":"12","func":"f","msg":"Error running check"}"#,
                "Error running check",
                Some(Error),
            ),
            ("E0312 10:00:00.123456    1234 reflector.go:138] failed to list *v1.Pod", "failed to list *v1.Pod", Some(Error)),
            ("W0312 10:00:00.123456       1 warnings.go:70] deprecated API", "deprecated API", Some(Warn)),
            (r#"time="2024-03-12T10:00:00Z" level=error msg="dial tcp 10.0.0.1:9200: connect: connection refused""#, "dial tcp 10.0.0.1:9200: connect: connection refused", Some(Error)),
            ("<11>Mar 12 10:00:00 sts-prod-01 stackstate[812]: receiver did not start", "receiver did not start", Some(Error)),
            ("<12>1 2024-03-12T10:00:00Z sts-prod-01 app 812 - - disk nearly full", "disk nearly full", Some(Warn)),
            (r#"<12>1 2024-03-12T10:00:00Z h app 812 ID47 [exampleSDID@32473 iut="3" eventSource="A]pp"] disk full"#, "disk full", Some(Warn)),
            (r#"{"__REALTIME_TIMESTAMP":"1710237600000000","PRIORITY":"3","SYSLOG_IDENTIFIER":"stackstate","MESSAGE":"service failed"}"#, "service failed", Some(Error)),
            ("SEVERE: Servlet.service() threw exception", "Servlet.service() threw exception", Some(Error)),
            // Go's logrus on a terminal: seconds since start, or a full timestamp.
            ("ERRO[0098] kafka: error while consuming t/8: x  offset=-3", "kafka: error while consuming t/8: x  offset=-3", Some(Error)),
            ("WARN[2019-08-09T07:47:11Z] slow", "slow", Some(Warn)),
            ("INFO[0000] started", "started", Some(Info)),
            ("ERRO[one] not a stamp", "ERRO[one] not a stamp", None),
            ("ERROR[0051] untruncated", "untruncated", Some(Error)),
            ("WARNING[0051] untruncated", "untruncated", Some(Warn)),
        ];
        for (line, m, l) in cases {
            assert_eq!(msg(line), (m, l), "{line}");
        }
    }

    /// Every header read at WARN and above by a level word holds a level literal (the scanner's contract).
    #[test]
    fn problem_headers_hold_a_level_literal() {
        let lines = [
            "2024-03-12 11:42:10,422 [main] ERROR c.s.k.e.s.BulkIndexer - x",
            "2024-03-12 11:42:10,422 [main] WARNING c.s.k.e.s.BulkIndexer - x",
            "[2024-03-12T11:40:12,357][WARN ][o.e.c.r.a.DiskThresholdMonitor] [n] x",
            r#"{"log.level": "CRITICAL", "message":"x"}"#,
            r#"{"level":"warning","msg":"x"}"#,
            r#"{"PRIORITY":"2","MESSAGE":"x"}"#,
            "2024-03-12 15:00:07 UTC | CORE | CRITICAL | (a.go:1 in f) | x",
            "[Sun Dec 04 04:47:44 2005] [error] x",
            "SEVERE: x",
            "time=1 level=fatal msg=x",
            r#"{"level":"fatal","msg":"x"}"#,
            "ERRO[0051] kafka: error while consuming t/8: kafka server: x",
            "FATA[2019-08-09T07:47:11Z] cannot start",
        ];
        for line in lines {
            let level = split(line).level.expect(line);
            assert!(level.is_problem(), "{line}");
            assert!(LEVEL_LITERALS.iter().any(|l| line.contains(l)), "{line}");
        }
        assert!(LEVEL_LITERALS.iter().all(|l| l.len() >= 4));
        assert!(is_klog_problem(b"E0312 10:00:00.123456 1 a.go:1] x") && !is_klog_problem(b"I0312 10:00:00"));
        let klog = b"I0312 10:00:00.000001 1 a.go:1] a\nE0312 10:00:00.000002 1 a.go:2] b\n";
        assert!(looks_like_klog(klog) && !looks_like_klog(b"2024-03-12 10:00:00,000 INFO x\n"));
    }

    #[test]
    fn json_exceptions() {
        let es7 = r#"{"level": "WARN", "message": "failed", "stacktrace": ["org.elasticsearch.ElasticsearchException: x", "at a"]}"#;
        assert_eq!(split(es7).exception, Some("org.elasticsearch.ElasticsearchException: x"));
        let ecs = r#"{"log.level":"ERROR","message":"failed","error.type":"org.elasticsearch.index.mapper.DocumentParsingException","error.message":"y"}"#;
        assert_eq!(split(ecs).exception, Some("org.elasticsearch.index.mapper.DocumentParsingException"));
        assert_eq!(split("2024-03-12 10:00:00,000 ERROR a - b").exception, None);
    }

    #[test]
    fn level_first_layouts() {
        use Level::*;
        let cases = [
            ("2015-10-18 18:01:47,978 INFO [main] org.a.b.C: Created x", "Created x", Some(Info)),
            (
                "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 done",
                "PacketResponder 1 done",
                Some(Info),
            ),
            ("17/06/09 20:10:40 ERROR executor.Backend: lost", "lost", Some(Error)),
            ("2015-07-29 17:41:44,747 - WARN  [Worker:Q@688] - Send worker leaving", "Send worker leaving", Some(Warn)),
            ("03-17 16:13:38.811  1702  2395 D WindowManager: printFreezing", "printFreezing", Some(Debug)),
            (
                "[Sun Dec 04 04:47:44 2005] [error] mod_jk child in error state 6",
                "mod_jk child in error state 6",
                Some(Error),
            ),
            ("2016-09-28 04:30:30, Info                  CBS    Loaded Stack", "Loaded Stack", Some(Info)),
            (
                "- 1117838570 2005.06.03 R02-M1 2005-06-03-15.42.50.675872 R02-M1 RAS KERNEL FATAL data TLB error",
                "data TLB error",
                Some(Fatal),
            ),
            ("2024-01-01T10:00:00.000Z WARNING: disk almost full", "disk almost full", Some(Warn)),
            ("ERROR: cannot open file", "cannot open file", Some(Error)),
            ("[ERROR] 2024-04-09 10:37:40.429 +0800 o.a.d.JsonSerializer:[117] - bad json", "bad json", Some(Error)),
            // Spring Boot 2 and 3 (3.2 adds the application name in brackets before the thread).
            (
                "2019-08-19 11:17:47.180 ERROR 1 --- [ool-11-thread-5] o.s.d.e.core.ElasticsearchRestTemplate   : failed",
                "failed",
                Some(Error),
            ),
            (
                "2024-11-14T09:20:38.822-05:00  WARN 12708 --- [app] [oundedElastic-2] c.a.c.i.DefaultJsonSerializer          : bad json",
                "bad json",
                Some(Warn),
            ),
            // Tornado (the legacy agent's forwarder): the initial is the level, not a word of the message.
            (
                "[I 120913 16:00:53 transaction:183] Transaction 356194 in error (2 errors), it will be replayed",
                "Transaction 356194 in error (2 errors), it will be replayed",
                Some(Info),
            ),
            ("[W 160602 14:33:34 ddagent:123] Too many errors", "Too many errors", Some(Warn)),
            ("[E 160602 14:33:34 web:2243] 500 POST /intake (10.0.0.1) 3.02ms", "500 POST /intake (10.0.0.1) 3.02ms", Some(Error)),
            ("[C 160602 14:33:34 ddagent:88] Giving up", "Giving up", Some(Fatal)),
        ];
        for (line, m, l) in cases {
            assert_eq!(msg(line), (m, l), "{line}");
        }
    }

    #[test]
    fn syslog_layouts() {
        let cases = [
            (
                "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 1.2.3.4",
                "Invalid user webmaster from 1.2.3.4",
            ),
            ("Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown", "check pass; user unknown"),
            (
                "- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond(pam_unix)[2915]: session closed",
                "session closed",
            ),
            ("Jun 9 06:06:20 combo kernel: Linux version 2.6.5", "Linux version 2.6.5"),
            (
                "[10.30 16:49:06] chrome.exe - proxy:5070 open through proxy",
                "chrome.exe - proxy:5070 open through proxy",
            ),
        ];
        for (line, m) in cases {
            assert_eq!(msg(line).0, m, "{line}");
        }
    }

    /// A level is only read from a header.
    #[test]
    fn no_header_no_level() {
        for line in [
            "Failed password for root from 1.2.3.4 port 22 ssh2",
            "Error writing History Event: x",
            "java.lang.OutOfMemoryError: Java heap space",
            "\tat com.x.Y.z(Y.java:12)",
            "",
        ] {
            assert_eq!(msg(line), (line, None), "{line}");
        }
        assert_eq!(msg("2024-03-12 10:00:00,000 [main] INFO  a.B - status=ERROR for job").1, Some(Level::Info));
        assert_eq!(msg("<999>x").1, None);
    }

    /// A line is untrusted text: a character of 2, 3 or 4 bytes anywhere in a header of any layout, or a line cut
    /// anywhere, is read without a panic (a fixed byte count can fall inside a character).
    #[test]
    fn any_character_anywhere_in_any_layout() {
        let layouts = [
            "2024-03-12 11:42:10,422 [KafkaToES-akka.actor.default-dispatcher-20] ERROR c.s.k.e.s.BulkIndexer - Bulk request failed",
            "2024-03-12 14:28:42 UTC | CORE | ERROR | (pkg/forwarder/worker.go:178 in process) | Error while processing transaction",
            "2024-03-12 14:28:42 UTC | ERROR | (pkg/forwarder/worker.go:178 in process) | Error while processing transaction",
            "[E 120913 16:00:53 transaction:183] Transaction 356194 in error",
            "E0312 10:00:00.123456       1 reflector.go:138] failed to list",
            "<11>1 2024-03-12T10:00:00Z host app 12 - - connection refused",
            "<27>Mar 12 10:00:00 host app[12]: connection refused",
            "[2024-03-12T11:00:12,349][WARN ][o.e.c.r.a.DiskThresholdMonitor] [sts-prod-01] high disk watermark",
            r#"{"type": "server", "timestamp": "2024-03-12T13:10:04,118Z", "level": "ERROR", "message": "x", "stacktrace": ["a"]}"#,
            r#"{"@timestamp":"2023-05-05T11:13:32.808Z", "log.level": "WARN", "message":"master not discovered"}"#,
            "time=\"2024-03-12T10:00:00Z\" level=error msg=\"dial tcp: connection refused\"",
            "2024-03-12 10:00:00,000 - kafka.conn - ERROR - Connect attempt failed",
            "[ERROR] [03/12/2024 10:00:00.000] [sys-akka.actor.default-dispatcher-5] [akka://sys/user/x] failed",
            "Mar 12 10:00:00 host sshd[12]: error: connect failed",
            "fail: Microsoft.AspNetCore.Server.Kestrel[13] Connection id \"x\" failed",
        ];
        let mut lines = Vec::new();
        for layout in layouts {
            for (at, _) in layout.char_indices().chain([(layout.len(), ' ')]) {
                lines.push(layout[..at].to_string());
                for c in ["é", "њ", "€", "😀"] {
                    lines.push(format!("{}{c}{}", &layout[..at], &layout[at..]));
                    lines.push(format!("{}{c}", &layout[..at]));
                }
            }
        }
        for line in &lines {
            let s = split(line);
            assert!(line.contains(s.message), "{line:?}");
        }
    }
}
