//! Timestamps: recognising the time at the start of a log line in every layout StackState writes, and printing it.
//!
//! Time is an `i64` of milliseconds since the Unix epoch, UTC. Parsing is hand-written over bytes because it runs
//! for every hit and every candidate header line; no allocation, no regex. A line whose start is not a known
//! timestamp is not a record header, which is how stack-trace continuation lines are told apart.

/// Milliseconds since 1970-01-01T00:00:00Z.
pub type Millis = i64;

/// One minute, in milliseconds.
pub const MINUTE_MS: Millis = 60_000;

/// What a line's own timestamp may leave out: the zone (a fixed offset from UTC, or an IANA time zone such as
/// `Europe/Amsterdam` whose offset follows daylight saving time, for layouts that carry none: logback `%date`, Kafka,
/// Zookeeper) and the year (syslog `Jun 14 15:16:01`, `[03-05 22:17:26,154]`).
///
/// `Copy`, so the hot path passes it by value: a named zone is looked up once (in the system's tz database, or the
/// copy built into the binary) and kept for the life of the process.
///
/// A year is never guessed from the clock here: parsing stays pure. A caller that wants yearless layouts read
/// passes a reference instant with [`Zone::with_reference`] (a scan's start, a file's modification time); a
/// yearless time is then placed in the latest year that puts it no more than a day after the reference (so on
/// 1 January, `Dec 31 23:59:59` is last year's, and a clock a few hours ahead is tolerated), as syslog readers do.
/// Without a reference, yearless layouts are not recognised as timestamps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Zone {
    offset_secs: i32,
    tz: Option<&'static jiff::tz::TimeZone>,
    reference: Option<Millis>,
}

impl Zone {
    /// UTC.
    pub const UTC: Zone = Zone { offset_secs: 0, tz: None, reference: None };

    /// This zone, with `now` as the reference instant that yearless timestamps are placed before.
    pub fn with_reference(self, now: Millis) -> Zone {
        Zone { reference: Some(now), ..self }
    }

    /// The reference instant for yearless timestamps, if any.
    pub fn reference(self) -> Option<Millis> {
        self.reference
    }

    /// Parses `UTC`, `Z`, `+02:00`, `-0500`, `+2`, or an IANA name (`Europe/Amsterdam`, `America/New_York`).
    pub fn parse(s: &str) -> Option<Zone> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("utc") || t.eq_ignore_ascii_case("z") || t.eq_ignore_ascii_case("gmt") {
            return Some(Zone::UTC);
        }
        if t.contains('/') && t.is_ascii() {
            let tz = jiff::tz::TimeZone::get(t).ok()?;
            // Once per process (the command line), so the zone can be `Copy`.
            return Some(Zone { offset_secs: 0, tz: Some(Box::leak(Box::new(tz))), reference: None });
        }
        let (sign, rest) = match t.as_bytes().first()? {
            b'+' => (1, &t[1..]),
            b'-' => (-1, &t[1..]),
            _ => return None,
        };
        if !rest.bytes().all(|b| b.is_ascii_digit() || b == b':') {
            return None;
        }
        let (h, m) = match rest.split_once(':') {
            Some((h, m)) => (h, m),
            None if rest.len() == 4 => rest.split_at(2),
            None => (rest, "0"),
        };
        let h: i32 = h.parse().ok()?;
        let m: i32 = m.parse().ok()?;
        if h > 18 || m > 59 {
            return None;
        }
        Some(Zone { offset_secs: sign * (h * 3600 + m * 60), tz: None, reference: None })
    }

    /// Seconds east of UTC of the fixed offset (0 for a named zone: see [`Zone::offset_at_local`]).
    pub fn offset_secs(self) -> i32 {
        self.offset_secs
    }

    /// Seconds east of UTC in force at the local (wall-clock) time `local`, given as milliseconds since the epoch
    /// as if it were UTC. A wall-clock time that occurs twice (the hour repeated when daylight saving time ends)
    /// is taken as the earlier instant; one that never occurs (skipped in spring) is moved forward by the gap
    /// (RFC 5545's rule, jiff's "compatible").
    pub fn offset_at_local(self, local: Millis) -> i32 {
        let Some(tz) = self.tz else { return self.offset_secs };
        let Ok(ts) = jiff::Timestamp::from_millisecond(local) else { return 0 };
        let civil = jiff::tz::Offset::UTC.to_datetime(ts);
        tz.to_ambiguous_timestamp(civil).compatible().map_or(0, |t| tz.to_offset(t).seconds())
    }

    /// The UTC instant of the local (wall-clock) time `local` (milliseconds since the epoch as if it were UTC).
    pub fn to_utc(self, local: Millis) -> Millis {
        local - self.offset_at_local(local) as Millis * 1000
    }
}

/// The days of a month of the proleptic Gregorian calendar.
pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since the epoch of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Formats as RFC 3339 in UTC with milliseconds: `2024-03-12T11:40:00.123Z`.
pub fn format_rfc3339(t: Millis) -> String {
    let secs = t.div_euclid(1000);
    let ms = t.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z", sod / 3600, (sod / 60) % 60, sod % 60)
}

/// A cursor over bytes for the fixed-width parts of timestamps.
struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cur<'a> {
    fn digits(&mut self, n: usize) -> Option<u32> {
        let s = self.b.get(self.i..self.i + n)?;
        let mut v = 0u32;
        for &c in s {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + (c - b'0') as u32;
        }
        self.i += n;
        Some(v)
    }

    fn byte(&mut self, want: &[u8]) -> Option<u8> {
        let c = *self.b.get(self.i)?;
        if want.contains(&c) {
            self.i += 1;
            Some(c)
        } else {
            None
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
}

/// What a parsed date-time said about its zone.
enum ZoneSpec {
    /// No zone: use the configured default.
    Local,
    /// An explicit offset in seconds.
    Offset(i32),
}

/// Parses `YYYY-MM-DD[T ]HH:MM:SS[,.]fraction? zone?` at the cursor. The zone may be `Z`, `±hh:mm`, `±hhmm`,
/// or (with `allow_abbrev`) a space and an abbreviation such as `UTC` or `CEST`.
fn datetime(c: &mut Cur<'_>, allow_abbrev: bool) -> Option<(i64, ZoneSpec)> {
    // The 19 bytes `YYYY-MM-DD?HH:MM:SS` at fixed places, read in one pass (every header is parsed here).
    let b: &[u8; 19] = c.b.get(c.i..c.i + 19)?.try_into().ok()?;
    let mut digits = [0u32; 19];
    for (k, (&ch, v)) in b.iter().zip(digits.iter_mut()).enumerate() {
        let sep = match k {
            4 | 7 => ch == b'-',
            10 => ch == b'T' || ch == b' ',
            13 | 16 => ch == b':',
            _ => {
                *v = u32::from(ch.wrapping_sub(b'0'));
                *v <= 9
            }
        };
        if !sep {
            return None;
        }
    }
    let n = |a: usize, len: usize| digits[a..a + len].iter().fold(0, |acc, &x| acc * 10 + x);
    let (y, mo, d, h, mi, s) = (n(0, 4), n(5, 2), n(8, 2), n(11, 2), n(14, 2), n(17, 2));
    c.i += 19;
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y as i64, mo) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut ms = 0u32;
    if c.byte(b",.").is_some() {
        let start = c.i;
        let mut scale = 100;
        while let Some(ch) = c.peek().filter(u8::is_ascii_digit) {
            ms += (ch - b'0') as u32 * scale;
            scale /= 10;
            c.i += 1;
        }
        if c.i == start {
            return None;
        }
    }
    let base = (days_from_civil(y as i64, mo, d) * 86_400 + (h * 3600 + mi * 60 + s) as i64) * 1000 + ms as i64;
    let zone = match c.peek() {
        Some(b'Z') | Some(b'z') => {
            c.i += 1;
            ZoneSpec::Offset(0)
        }
        Some(sign @ (b'+' | b'-')) => {
            c.i += 1;
            let zh = c.digits(2)?;
            c.byte(b":");
            let zm = c.digits(2).unwrap_or(0);
            // RFC 3339's offsets: hours 00–23, minutes 00–59 (real zones lie within −12:00 and +14:00).
            if zh > 23 || zm > 59 {
                return None;
            }
            let off = (zh * 3600 + zm * 60) as i32;
            ZoneSpec::Offset(if sign == b'-' { -off } else { off })
        }
        Some(b' ') if allow_abbrev => match abbrev_offset(&c.b[c.i + 1..]) {
            Some((off, len)) => {
                c.i += 1 + len;
                ZoneSpec::Offset(off)
            }
            None => ZoneSpec::Local,
        },
        _ => ZoneSpec::Local,
    };
    Some((base, zone))
}

/// The offset of a zone abbreviation followed by a space, and its length. Unknown abbreviations of 2 to 5
/// capitals are recognised as a zone (so the line is still a header) but give no offset.
fn abbrev_offset(b: &[u8]) -> Option<(i32, usize)> {
    let len = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    if !(2..=5).contains(&len) || b.get(len) != Some(&b' ') {
        return None;
    }
    let hours: f32 = match &b[..len] {
        b"UTC" | b"GMT" | b"WET" => 0.0,
        b"CET" | b"BST" | b"WEST" | b"WAT" => 1.0,
        b"CEST" | b"EET" | b"SAST" | b"CAT" => 2.0,
        b"EEST" | b"MSK" => 3.0,
        b"IST" => 5.5,
        b"JST" | b"KST" => 9.0,
        b"AEST" => 10.0,
        b"AEDT" => 11.0,
        b"EST" => -5.0,
        b"EDT" => -4.0,
        b"CDT" => -5.0,
        b"CST" => -6.0,
        b"MST" => -7.0,
        b"MDT" => -6.0,
        b"PST" => -8.0,
        b"PDT" => -7.0,
        _ => return Some((i32::MIN, len)),
    };
    Some(((hours * 3600.0) as i32, len))
}

fn resolve(base: i64, zone: ZoneSpec, default: Zone) -> Millis {
    match zone {
        ZoneSpec::Offset(i32::MIN) | ZoneSpec::Local => default.to_utc(base),
        ZoneSpec::Offset(o) => base - o as i64 * 1000,
    }
}

/// The timestamp that opens a log line, if the line opens with one of the known layouts:
///
/// * logback, Zookeeper, Hadoop: `2024-03-01 12:00:00,123 ...` (zone from `default`)
/// * agent: `2024-03-01 12:00:00 UTC | ...`, the old `[ AGENT ] 2024-03-01 ...`, and its RFC 3339 option
/// * Elasticsearch plain: `[2024-03-01T12:00:00,123][WARN ]...`; Kafka broker: `[2024-03-01 12:00:00,123] WARN`
/// * ISO 8601 / RFC 3339 with a `T` and a zone (`Z`, `+01:00`, `+0100`) anywhere a line starts with it (kubectl
///   `--timestamps`, CRI, a CI runner's time, journald `short-iso`), bracketed too (Kibana's `[…+00:00][WARN ]`)
/// * JSON lines whose `timestamp`, `@timestamp` or `time` key comes early (ES 7, ES 8 ECS, agent JSON)
/// * Spark and Hadoop tools (log4j `%d{yy/MM/dd HH:mm:ss}`): `19/06/01 18:20:06 INFO ...` (20yy)
/// * Go's standard logger: `2022/04/16 07:41:33 ...`
/// * log4j's `%d{DATE}`: `03 May 2024 10:11:46,123 ...`; Tomcat's `16-Jun-2015 20:28:27.805 ...`
/// * Akka's own logger: `[WARN] [10/12/2019 01:32:57.546] [...]` (month first)
/// * Tornado (the legacy agent's forwarder): `[E 120913 16:00:52 dd-forwarder:127] ...` (yymmdd, 20yy)
/// * Fluent Bit's own log: `[2021/10/04 13:56:07] [ warn] [engine] ...` (the host's local time)
/// * librdkafka's log callback default: `%3|1597742901.053|FAIL|rdkafka#consumer-2| ...` (Unix seconds, UTC)
/// * with a reference in `default` (see [`Zone`]), the yearless syslog/journald `Jun 14 15:16:01 host unit[pid]:`
///   and `[03-05 22:17:26,154]` (month-day, bracketed)
pub fn parse_line_start(line: &[u8], default: Zone) -> Option<Millis> {
    let first = *line.first()?;
    if first.is_ascii_digit() {
        let mut c = Cur { b: line, i: 0 };
        if let Some((base, zone)) = datetime(&mut c, true) {
            return Some(resolve(base, zone, default));
        }
        return slashed_datetime(line)
            .or_else(|| named_month_datetime(line))
            .map(|base| resolve(base, ZoneSpec::Local, default));
    }
    match first {
        b'[' => {
            let mut i = 1;
            if line.get(1..9) == Some(b" AGENT ]") {
                i = 10;
            }
            let mut c = Cur { b: line, i };
            if let Some((base, zone)) = datetime(&mut c, true) {
                return Some(resolve(base, zone, default));
            }
            if let Some(base) =
                akka_datetime(line).or_else(|| tornado_datetime(line)).or_else(|| fluent_bit_datetime(line))
            {
                return Some(resolve(base, ZoneSpec::Local, default));
            }
            let reference = default.reference?;
            month_day_time(&line[1..], reference, default).filter(|_| memchr::memchr(b']', line).is_some())
        }
        b'{' => json_time(line, default),
        b'%' => rdkafka_time(line),
        b'A'..=b'S' => syslog_time(line, default),
        _ => None,
    }
}

/// A day, an English month abbreviation and a year, all joined by one space or all by one dash, then a time of day
/// and a space: log4j's `%d{DATE}` (`03 May 2024 10:11:46,123`, the layout dCache and many Java servers write) and
/// Tomcat's and Python `asab`'s `dd-MMM-yyyy` (`16-Jun-2015 20:28:27.805`).
fn named_month_datetime(line: &[u8]) -> Option<i64> {
    let sep = *line.get(2)?;
    if sep != b' ' && sep != b'-' {
        return None;
    }
    let mut c = Cur { b: line, i: 0 };
    let d = c.digits(2)?;
    c.i += 1;
    let mo = month_of(line.get(3..)?)?;
    c.i += 3;
    c.byte(&[sep])?;
    let y = c.digits(4)?;
    c.byte(b" ")?;
    let base = clock(&mut c, y as i64, mo, d)?;
    if d > days_in_month(y as i64, mo) || !matches!(c.peek(), Some(b' ' | b'\t')) {
        return None;
    }
    Some(base)
}

/// `yy/MM/dd HH:mm:ss` (Spark, Hadoop tools; 20yy) or `yyyy/MM/dd HH:mm:ss[.ffffff]` (Go's `log`), then a space.
fn slashed_datetime(line: &[u8]) -> Option<i64> {
    let mut c = Cur { b: line, i: 0 };
    let y = match line.get(2) {
        Some(b'/') => 2000 + c.digits(2)?,
        _ => c.digits(4)?,
    };
    let base = slashed_date_clock(&mut c, y)?;
    matches!(c.peek(), Some(b' ' | b'\t')).then_some(base)
}

/// `/MM/dd HH:mm:ss[.fff]` after year `y` at the cursor (Spark's, Go's and Fluent Bit's layouts).
fn slashed_date_clock(c: &mut Cur<'_>, y: u32) -> Option<i64> {
    c.byte(b"/")?;
    let mo = c.digits(2)?;
    c.byte(b"/")?;
    let d = c.digits(2)?;
    c.byte(b" ")?;
    clock(c, y as i64, mo, d)
}

/// librdkafka: `%LEVEL|SECONDS.MILLIS|FACILITY|...` (its default log line: a syslog level, Unix time in UTC).
fn rdkafka_time(line: &[u8]) -> Option<Millis> {
    let mut c = Cur { b: line, i: 1 };
    c.digits(1)?;
    c.byte(b"|")?;
    // Ten digits, in two halves (a u32 holds five of them whatever they are).
    let secs = c.digits(5)? as i64 * 100_000 + c.digits(5)? as i64;
    c.byte(b".")?;
    let millis = c.digits(3)? as i64;
    c.byte(b"|")?;
    Some(secs * 1000 + millis)
}

/// Akka's own logger: `[LEVEL] [MM/dd/yyyy HH:mm:ss.SSS] ...` (`java.text.SimpleDateFormat("MM/dd/yyyy
/// HH:mm:ss.SSS")` in akka.event.Logging).
fn akka_datetime(line: &[u8]) -> Option<i64> {
    let close = memchr::memchr(b']', &line[..line.len().min(9)])?;
    if !matches!(&line[1..close], b"ERROR" | b"WARN" | b"INFO" | b"DEBUG")
        || line.get(close + 1..close + 3) != Some(b" [")
    {
        return None;
    }
    let mut c = Cur { b: line, i: close + 3 };
    let mo = c.digits(2)?;
    c.byte(b"/")?;
    let d = c.digits(2)?;
    c.byte(b"/")?;
    let y = c.digits(4)?;
    c.byte(b" ")?;
    let base = clock(&mut c, y as i64, mo, d)?;
    (c.peek() == Some(b']')).then_some(base)
}

/// Tornado's layout (the legacy agent's forwarder): `[L yymmdd HH:MM:SS module:line]` (20yy, local time).
fn tornado_datetime(line: &[u8]) -> Option<i64> {
    let mut c = Cur { b: line, i: 1 };
    c.byte(b"DIWEC")?;
    c.byte(b" ")?;
    let y = 2000 + c.digits(2)? as i64;
    let mo = c.digits(2)?;
    let d = c.digits(2)?;
    c.byte(b" ")?;
    let base = clock(&mut c, y, mo, d)?;
    (c.peek() == Some(b' ')).then_some(base)
}

/// Fluent Bit's own log: `[yyyy/MM/dd HH:mm:ss] [ warn] ...` (the host's local time).
fn fluent_bit_datetime(line: &[u8]) -> Option<i64> {
    let mut c = Cur { b: line, i: 1 };
    let y = c.digits(4)?;
    let base = slashed_date_clock(&mut c, y)?;
    (c.peek() == Some(b']')).then_some(base)
}

/// `HH:MM:SS` with an optional `,fff`/`.fff` fraction at the cursor, on the given date: milliseconds since the
/// epoch, before any zone.
fn clock(c: &mut Cur<'_>, y: i64, mo: u32, d: u32) -> Option<i64> {
    let h = c.digits(2)?;
    c.byte(b":")?;
    let mi = c.digits(2)?;
    c.byte(b":")?;
    let s = c.digits(2)?;
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut ms = 0u32;
    if c.byte(b",.").is_some() {
        let mut scale = 100;
        let start = c.i;
        while let Some(ch) = c.peek().filter(u8::is_ascii_digit) {
            ms += (ch - b'0') as u32 * scale;
            scale /= 10;
            c.i += 1;
        }
        if c.i == start {
            return None;
        }
    }
    Some((days_from_civil(y, mo, d) * 86_400 + (h * 3600 + mi * 60 + s) as i64) * 1000 + ms as i64)
}

/// The month of an English three-letter abbreviation.
fn month_of(b: &[u8]) -> Option<u32> {
    const MONTHS: [&[u8; 3]; 12] =
        [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];
    let m = b.get(..3)?;
    MONTHS.iter().position(|x| x == &m).map(|i| i as u32 + 1)
}

/// syslog (RFC 3164) and journald's default `short` output: `Jun 14 15:16:01 host unit[pid]: msg` (the day
/// space-padded: `Jun  4`; journald's `short-precise` adds microseconds). Yearless: needs a reference.
fn syslog_time(line: &[u8], default: Zone) -> Option<Millis> {
    let reference = default.reference?;
    let mo = month_of(line)?;
    let mut c = Cur { b: line, i: 3 };
    c.byte(b" ")?;
    if c.peek() == Some(b' ') {
        c.i += 1;
    }
    let d = match c.digits(2) {
        Some(d) => d,
        None => c.digits(1)?,
    };
    c.byte(b" ")?;
    let clock_at = c.i;
    let t = yearless(&mut c, mo, d, reference, default)?;
    // A host name follows: `Jun 14 15:16:01 combo sshd(pam_unix)[19939]: ...`.
    if c.byte(b" ").is_none() || !c.peek().is_some_and(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    // The program's own line may open with a dated time (`app[450]: [2022-09-22 22:34:02,304] [INFO] ...`): it
    // knows the year the syslog header leaves out, and it is the same moment when it falls on the header's day.
    let own = own_dated_time(&line[c.i..], default).filter(|&own| {
        let (y, _, _) = civil_from_days(own.div_euclid(86_400_000));
        let same = clock(&mut Cur { b: line, i: clock_at }, y, mo, d).map(|b| resolve(b, ZoneSpec::Local, default));
        same.is_some_and(|same| (own - same).abs() <= 86_400_000)
    });
    Some(own.unwrap_or(t))
}

/// The dated time that opens the message of a syslog line (after the host and the tag's `: `), if any.
fn own_dated_time(rest: &[u8], default: Zone) -> Option<Millis> {
    let head = &rest[..rest.len().min(128)];
    let colon = memchr::memmem::find(head, b": ")?;
    let message = rest[colon + 2..].trim_ascii_start();
    let mut c = Cur { b: message, i: usize::from(message.first() == Some(&b'[')) };
    let (base, zone) = datetime(&mut c, true)?;
    Some(resolve(base, zone, default))
}

/// `MM-dd HH:mm:ss,SSS` (a logback `%d{MM-dd HH:mm:ss,SSS}`), yearless.
fn month_day_time(b: &[u8], reference: Millis, default: Zone) -> Option<Millis> {
    let mut c = Cur { b, i: 0 };
    let mo = c.digits(2)?;
    c.byte(b"-")?;
    let d = c.digits(2)?;
    c.byte(b" ")?;
    yearless(&mut c, mo, d, reference, default)
}

/// A time of day on month `mo`, day `d` of the latest year that puts it no more than a day after `reference`.
fn yearless(c: &mut Cur<'_>, mo: u32, d: u32, reference: Millis, default: Zone) -> Option<Millis> {
    let (ref_year, _, _) = civil_from_days(reference.div_euclid(86_400_000));
    let start = c.i;
    let t = resolve(clock(c, ref_year, mo, d)?, ZoneSpec::Local, default);
    if t <= reference + 86_400_000 {
        return Some(t);
    }
    c.i = start;
    Some(resolve(clock(c, ref_year - 1, mo, d)?, ZoneSpec::Local, default))
}

/// Finds an early `"timestamp"`, `"@timestamp"` or `"time"` string value in a JSON line.
fn json_time(line: &[u8], default: Zone) -> Option<Millis> {
    // The searchers are built once: building one costs about as much as searching these 256 bytes.
    static KEYS: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 3]> = std::sync::LazyLock::new(|| {
        [&b"\"@timestamp\""[..], b"\"timestamp\"", b"\"time\""].map(memchr::memmem::Finder::new)
    });
    let head = &line[..line.len().min(256)];
    for key in KEYS.iter() {
        if let Some(p) = key.find(head) {
            let mut i = p + key.needle().len();
            while matches!(head.get(i), Some(b' ' | b':')) {
                i += 1;
            }
            if head.get(i) != Some(&b'"') {
                continue;
            }
            let mut c = Cur { b: line, i: i + 1 };
            if let Some((base, zone)) = datetime(&mut c, false) {
                return Some(resolve(base, zone, default));
            }
        }
    }
    None
}

/// An RFC 3339 date-time with a `T`, a fraction and an explicit zone at the start of `b` (the kubelet's
/// `2006-01-02T15:04:05.000000000Z07:00`, CRI and Docker `time`), with the number of bytes it took and the number
/// of fraction digits. Used for capture prefixes, which always carry a zone.
pub fn rfc3339_prefix(b: &[u8]) -> Option<(Millis, usize, usize)> {
    if b.len() < 20 || b[10] != b'T' {
        return None;
    }
    let mut c = Cur { b, i: 0 };
    let (base, zone) = datetime(&mut c, false)?;
    let ZoneSpec::Offset(off) = zone else { return None };
    let digits = if b[19] == b'.' { b[20..].iter().take_while(|d| d.is_ascii_digit()).count() } else { 0 };
    Some((base - off as i64 * 1000, c.i, digits))
}

/// Parses a user-given instant: RFC 3339, `YYYY-MM-DD HH:MM:SS` or a bare date `YYYY-MM-DD` (midnight), in `zone`
/// when it carries none.
pub fn parse_instant(s: &str, zone: Zone) -> Option<Millis> {
    let b = s.trim().as_bytes();
    if b.len() == 10 {
        let mut c = Cur { b, i: 0 };
        let y = c.digits(4)?;
        c.byte(b"-")?;
        let m = c.digits(2)?;
        c.byte(b"-")?;
        let d = c.digits(2)?;
        if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y as i64, m) {
            return None;
        }
        return Some(zone.to_utc(days_from_civil(y as i64, m, d) * 86_400_000));
    }
    let mut c = Cur { b, i: 0 };
    let (base, z) = datetime(&mut c, true)?;
    if c.i != b.len() {
        return None;
    }
    Some(resolve(base, z, zone))
}

/// Parses a duration such as `90s`, `15m`, `2h`, `7d`, `1h30m` into milliseconds.
pub fn parse_duration(s: &str) -> Option<Millis> {
    let mut total: i64 = 0;
    let mut num: Option<i64> = None;
    let mut any = false;
    for ch in s.trim().chars() {
        if let Some(d) = ch.to_digit(10) {
            num = Some(num.unwrap_or(0).checked_mul(10)?.checked_add(d as i64)?);
            continue;
        }
        let unit = match ch {
            's' => 1_000,
            'm' => 60_000,
            'h' => 3_600_000,
            'd' => 86_400_000,
            'w' => 7 * 86_400_000,
            _ => return None,
        };
        total = total.checked_add(num.take()?.checked_mul(unit)?)?;
        any = true;
    }
    if num.is_some() || !any {
        return None;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    #[test]
    fn named_zones_follow_daylight_saving_time() {
        let ams = Zone::parse("Europe/Amsterdam").expect("tz database");
        // 12:00 local is 11:00Z in winter (CET, +01:00) and 10:00Z in summer (CEST, +02:00).
        let winter = parse_line_start(b"2024-01-15 12:00:00,000 INFO x", ams).expect("time");
        let summer = parse_line_start(b"2024-07-15 12:00:00,000 INFO x", ams).expect("time");
        assert_eq!(format_rfc3339(winter), "2024-01-15T11:00:00.000Z");
        assert_eq!(format_rfc3339(summer), "2024-07-15T10:00:00.000Z");
        // An explicit zone in the line wins over the default.
        let explicit = parse_line_start(b"2024-07-15T12:00:00.000Z INFO x", ams).expect("time");
        assert_eq!(format_rfc3339(explicit), "2024-07-15T12:00:00.000Z");
        assert_eq!(parse_instant("2024-07-15", ams).map(format_rfc3339).as_deref(), Some("2024-07-14T22:00:00.000Z"));
        assert!(Zone::parse("Nowhere/Atlantis").is_none());
    }

    use super::*;

    fn p(s: &str) -> Option<String> {
        parse_line_start(s.as_bytes(), Zone::UTC).map(format_rfc3339)
    }

    #[test]
    fn layouts() {
        assert_eq!(p("2024-03-01 12:00:00,123 WARN  x - y").as_deref(), Some("2024-03-01T12:00:00.123Z"));
        assert_eq!(p("[2024-03-01T12:00:00,123][WARN ][o.e.c]").as_deref(), Some("2024-03-01T12:00:00.123Z"));
        assert_eq!(p("[2024-03-01 12:00:00,123] WARN x").as_deref(), Some("2024-03-01T12:00:00.123Z"));
        assert_eq!(p("2024-03-01 14:00:00 CEST | CORE | ERROR |").as_deref(), Some("2024-03-01T12:00:00.000Z"));
        assert_eq!(p("2024-03-01 12:00:00 UTC | ERROR |").as_deref(), Some("2024-03-01T12:00:00.000Z"));
        assert_eq!(p("[ AGENT ] 2018-04-30 21:31:20 UTC | ERROR").as_deref(), Some("2018-04-30T21:31:20.000Z"));
        assert_eq!(p("2024-03-01T12:00:00.123456789Z x").as_deref(), Some("2024-03-01T12:00:00.123Z"));
        assert_eq!(p("2024-03-01T14:00:00+02:00 x").as_deref(), Some("2024-03-01T12:00:00.000Z"));
        assert_eq!(
            p(r#"{"type": "server", "timestamp": "2021-09-16T02:06:25,516Z", "level": "INFO"}"#).as_deref(),
            Some("2021-09-16T02:06:25.516Z")
        );
        assert_eq!(
            p(r#"{"@timestamp":"2025-10-14T08:37:09.142Z", "log.level": "INFO"}"#).as_deref(),
            Some("2025-10-14T08:37:09.142Z")
        );
        assert_eq!(p("\tat com.x.Y(Y.java:1)"), None);
        assert_eq!(p("Caused by: java.io.IOException"), None);
        assert_eq!(p("[pod/x/y] 2024"), None);
    }

    /// Layouts of real published lines, each with its source.
    #[test]
    fn more_layouts() {
        // ES 7 JSON with a `+0100` offset: https://github.com/elastic/beats/blob/master/filebeat/module/elasticsearch/server/test/test-json.log
        assert_eq!(
            p(r#"{"type": "server", "timestamp": "2019-01-18T08:55:08,159+0100", "level": "INFO"}"#).as_deref(),
            Some("2019-01-18T07:55:08.159Z")
        );
        // A CI runner's 7-digit RFC 3339 time before the line: https://github.com/akka/akka-guide/issues/588
        assert_eq!(
            p("2021-02-19T08:43:16.1664877Z [2021-02-19 08:43:16,165] [WARN]").as_deref(),
            Some("2021-02-19T08:43:16.166Z")
        );
        // journald short-iso (constructed from journalctl -o short-iso)
        assert_eq!(
            p("2024-03-01T13:00:00+0100 sts-01 stackstate[812]: x").as_deref(),
            Some("2024-03-01T12:00:00.000Z")
        );
        // Kibana, bracketed with a zone: https://github.com/ghkdqhrbals/spring-chatting-server/issues/4
        assert_eq!(
            p("[2023-01-09T08:51:15.226+00:00][WARN ][plugins.usageCollection] ResponseError").as_deref(),
            Some("2023-01-09T08:51:15.226Z")
        );
        // A log UI's time and a TAB: https://github.com/DataDog/helm-charts/issues/1469
        assert_eq!(
            p("2024-07-31 11:41:35.973\t2024-07-31 09:41:35 UTC | CORE | ERROR").as_deref(),
            Some("2024-07-31T11:41:35.973Z")
        );
        // Spark (log4j yy/MM/dd): https://github.com/TIBCOSoftware/snappydata/issues/656
        assert_eq!(
            p("17/06/14 09:35:24 WARN NativeCodeLoader: Unable to load").as_deref(),
            Some("2017-06-14T09:35:24.000Z")
        );
        // log4j's DATE layout as dCache writes it: https://github.com/dCache/dcache/issues/7564; Tomcat's:
        // https://github.com/jtmelton/appsensor/issues/21; Python asab's, in microseconds:
        // https://github.com/TeskaLabs/asab/pull/685
        assert_eq!(p("03 May 2024 10:11:46 (System) [] Session").as_deref(), Some("2024-05-03T10:11:46.000Z"));
        assert_eq!(p("03 May 2024 10:11:46,120 INFO x").as_deref(), Some("2024-05-03T10:11:46.120Z"));
        assert_eq!(p("16-Jun-2015 20:28:27.805 INFO [main] x").as_deref(), Some("2015-06-16T20:28:27.805Z"));
        assert_eq!(
            p("02-Jun-2025 14:18:49.699481 WARNING kazoo.client x").as_deref(),
            Some("2025-06-02T14:18:49.699Z")
        );
        assert_eq!(p("31 Feb 2024 10:11:46 x"), None, "no such day");
        assert_eq!(p("03-May 2024 10:11:46 x"), None, "one separator");
        assert_eq!(p("03 Mai 2024 10:11:46 x"), None, "English months");
        assert_eq!(p("16-Jun-2015 20:28:27.805"), None, "a header goes on after its time");
        // Go's standard logger (constructed from log.LstdFlags)
        assert_eq!(p("2022/04/16 07:41:33 Bulk response item").as_deref(), Some("2022-04-16T07:41:33.000Z"));
        assert_eq!(p("2022/04/16 07:41:33.123456 x").as_deref(), Some("2022-04-16T07:41:33.123Z"));
        // librdkafka (https://github.com/getsentry/self-hosted/issues/633)
        assert_eq!(
            p("%3|1597742901.053|FAIL|rdkafka#consumer-2| [thrd:kafka:9092/bootstrap]: x").as_deref(),
            Some("2020-08-18T09:28:21.053Z")
        );
        assert_eq!(p("%3|159774290.053|FAIL|x").as_deref(), None);
        assert_eq!(p("%7|9999999999.999|FAIL|x").as_deref(), Some("2286-11-20T17:46:39.999Z"));
        assert_eq!(p("%3 1597742901.053 x").as_deref(), None);
        // Akka's own logger, month first: https://github.com/Constellation-Labs/constellation/issues/627
        assert_eq!(
            p("[WARN] [10/12/2019 01:32:57.546] [Constellation-akka.actor.default-dispatcher-3] [akka.actor.ActorSystemImpl(Constellation)] Illegal request").as_deref(),
            Some("2019-10-12T01:32:57.546Z")
        );
        // Tornado's log format, as the legacy agent's forwarder writes it (fixtures/real).
        assert_eq!(
            p("[E 120913 16:00:52 dd-forwarder:127] Response: HTTP 599: SSL: certificate subject name").as_deref(),
            Some("2012-09-13T16:00:52.000Z")
        );
        assert_eq!(p("[I 120913 16:00:52 transaction:183] Transaction 1").as_deref(), Some("2012-09-13T16:00:52.000Z"));
        assert_eq!(p("[X 120913 16:00:52 a:1] b").as_deref(), None);
        // Fluent Bit's own log (fixtures/real).
        assert_eq!(
            p("[2021/10/04 13:56:07] [ warn] [engine] failed to flush chunk '1-1633355763.278469126.flb'").as_deref(),
            Some("2021-10-04T13:56:07.000Z")
        );
        assert_eq!(p("[2021/10/04 13:56:07 x] [ warn]").as_deref(), None);
        assert_eq!(p("[2021/13/04 13:56:07] [ warn]").as_deref(), None);
        assert_eq!(p("[I 121313 16:00:52 a:1] b").as_deref(), None);
        // Not timestamps: a ratio, a path, a version, Akka without a level, an unknown bracket word.
        for line in [
            "19/06/01",
            "12/34/56 78:90:12 x",
            "10/12/2019 01:32:57.546 x",
            "[WARN] x",
            "[FOO] [10/12/2019 01:32:57.546]",
        ] {
            assert_eq!(p(line), None, "{line}");
        }
    }

    /// Yearless layouts need a reference instant and take the latest year that is not more than a day after it.
    #[test]
    fn yearless_layouts() {
        let at = |now: &str, line: &str| {
            let z = Zone::UTC.with_reference(parse_instant(now, Zone::UTC).unwrap());
            parse_line_start(line.as_bytes(), z).map(format_rfc3339)
        };
        // syslog / journald short: loghub Linux_2k.log; https://github.com/elastic/elasticsearch/pull/10725
        let syslog = "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure";
        let journald = "May 04 06:55:59 debian-800-jessie elasticsearch[664]: [2015-05-04 06:55:59,721][INFO ][node ] [Mar-Vell] initializing ...";
        assert_eq!(at("2024-08-01", syslog).as_deref(), Some("2024-06-14T15:16:01.000Z"));
        assert_eq!(at("2024-06-01", syslog).as_deref(), Some("2023-06-14T15:16:01.000Z"));
        assert_eq!(at("2015-05-04T06:00:00Z", journald).as_deref(), Some("2015-05-04T06:55:59.721Z"));
        // Space-padded day, microseconds (journalctl -o short-precise; constructed)
        assert_eq!(
            at("2024-06-05", "Jun  4 15:16:01.123456 host unit[1]: x").as_deref(),
            Some("2024-06-04T15:16:01.123Z")
        );
        // A program's own dated time under the header gives the year, when it is the header's day.
        let forwarded =
            "Sep 22 22:34:02 app2 nt-ui[450698]: [2022-09-22 22:34:02,304] [INFO] [akka.actor.ActorSystemImpl] x";
        assert_eq!(at("2024-08-01", forwarded).as_deref(), Some("2022-09-22T22:34:02.304Z"));
        let utc = "Sep 22 22:34:02 app2 svc[1]: 2022-09-22T20:34:02.304Z ERROR x";
        assert_eq!(at("2024-08-01", utc).as_deref(), Some("2022-09-22T20:34:02.304Z"), "its own zone");
        let other_day = "Sep 22 22:34:02 app2 svc[1]: [2022-09-20 22:34:02,304] replayed";
        assert_eq!(at("2024-08-01", other_day).as_deref(), Some("2023-09-22T22:34:02.000Z"), "not this line's time");
        // New Year: December lines read on 1 January are last year's.
        assert_eq!(
            at("2025-01-01T00:10:00Z", "Dec 31 23:59:59 host k[1]: x").as_deref(),
            Some("2024-12-31T23:59:59.000Z")
        );
        // A zone-less layout takes the configured offset.
        let z = Zone::parse("+02:00").unwrap().with_reference(parse_instant("2024-08-01", Zone::UTC).unwrap());
        assert_eq!(
            parse_line_start(syslog.as_bytes(), z).map(format_rfc3339).as_deref(),
            Some("2024-06-14T13:16:01.000Z")
        );
        // logback %d{MM-dd HH:mm:ss,SSS} in brackets: https://github.com/elastic/elasticsearch/issues/16970
        let canal =
            "[03-05 22:17:26,154] ERROR [][][Thread-7] c.y.s.common.canal.BaseCanalClient[126] - process error!";
        assert_eq!(at("2016-03-06", canal).as_deref(), Some("2016-03-05T22:17:26.154Z"));
        // Without a reference, yearless lines are not headers; with one, near misses still are not.
        assert_eq!(p(syslog), None);
        assert_eq!(p(canal), None);
        for line in ["Jun 14 15:16:01", "June 14 15:16:01 host x", "Caused by: x", "Mar 3", "Jun 14 25:16:01 host x"] {
            assert_eq!(at("2024-08-01", line), None, "{line}");
        }
    }

    #[test]
    fn zone_default_applies_to_logback_only() {
        let z = Zone::parse("+02:00").unwrap();
        assert_eq!(
            parse_line_start(b"2024-03-01 14:00:00,000 INFO", z).map(format_rfc3339).as_deref(),
            Some("2024-03-01T12:00:00.000Z")
        );
        assert_eq!(
            parse_line_start(b"2024-03-01T14:00:00Z x", z).map(format_rfc3339).as_deref(),
            Some("2024-03-01T14:00:00.000Z")
        );
    }

    #[test]
    fn capture_prefix_times() {
        let (t, len, digits) = rfc3339_prefix(b"2024-03-01T12:00:00.123456789Z rest").unwrap();
        assert_eq!((format_rfc3339(t).as_str(), len, digits), ("2024-03-01T12:00:00.123Z", 30, 9));
        let (t, len, _) = rfc3339_prefix(b"2024-03-01T14:00:00.5+02:00 x").unwrap();
        assert_eq!((format_rfc3339(t).as_str(), len), ("2024-03-01T12:00:00.500Z", 27));
        assert_eq!(rfc3339_prefix(b"2024-03-01 12:00:00,123 WARN"), None);
        assert_eq!(rfc3339_prefix(b"2024-03-01T12:00:00.123 no zone"), None);
    }

    #[test]
    fn durations_and_instants() {
        assert_eq!(parse_duration("2h"), Some(7_200_000));
        assert_eq!(parse_duration("1h30m"), Some(5_400_000));
        assert_eq!(parse_duration("h"), None);
        assert_eq!(parse_duration("12"), None);
        assert_eq!(
            parse_instant("2024-03-01", Zone::UTC).map(format_rfc3339).as_deref(),
            Some("2024-03-01T00:00:00.000Z")
        );
        assert_eq!(
            parse_instant("2024-03-01T10:00:00Z", Zone::UTC).map(format_rfc3339).as_deref(),
            Some("2024-03-01T10:00:00.000Z")
        );
        assert_eq!(parse_instant("yesterday", Zone::UTC), None);
    }

    #[test]
    fn civil_round_trip() {
        for days in [-800_000i64, -1, 0, 1, 19_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
