//! Value parsers for the command line: each turns one flag's text into a typed value or a message clap prints
//! as a usage error (exit 2). Pure: "now" is resolved later, by [`super::config`].

use stackscan::export::deliver::{Kind, Target};
use stackscan::model::Component;
use stackscan::time::{parse_duration, parse_instant, Millis, Zone};
use std::time::Duration;

/// The most worker threads accepted: beyond it a pool only costs start-up time and memory.
pub const MAX_THREADS: usize = 256;

/// A point in time as given to `--since` / `--until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// An instant: RFC 3339, `YYYY-MM-DD HH:MM:SS`, or a date (midnight), in `--timezone` when it has no zone.
    /// Kept as text until the zone is known.
    At(Millis, bool),
    /// A duration back from now.
    Ago(Millis),
}

/// `--since` / `--until`.
pub fn when(s: &str) -> Result<When, String> {
    if let Some(d) = parse_duration(s) {
        return Ok(When::Ago(d));
    }
    // Parsed in UTC here to check it; parsed again in the zone given (see `When::resolve`).
    match parse_instant(s, Zone::UTC) {
        Some(t) => Ok(When::At(t, has_zone(s))),
        None => Err(format!(
            "{s:?} is not a time: expected RFC 3339 (2024-03-12T10:00:00Z), a date (2024-03-12) or a duration back \
             from now (2h, 30m); dates must exist"
        )),
    }
}

/// Whether an instant's text carries its own zone (`Z` or an offset after the time).
fn has_zone(s: &str) -> bool {
    let t = s.trim();
    t.len() > 10
        && (t.ends_with('Z')
            || t.ends_with('z')
            || t.get(10..).is_some_and(|r| r.contains(['+', '-']))
            || t.contains(" UTC"))
}

impl When {
    /// The instant, given the zone of zone-less instants and the time now.
    pub fn resolve(self, zone: Zone, now: Millis) -> Millis {
        match self {
            When::Ago(d) => now - d,
            When::At(t, true) => t,
            When::At(t, false) => zone.to_utc(t),
        }
    }
}

/// `--timezone`.
pub fn zone(s: &str) -> Result<Zone, String> {
    Zone::parse(s).ok_or_else(|| {
        format!("{s:?} is not a zone: expected UTC, an offset such as +02:00, or an IANA name such as Europe/Amsterdam")
    })
}

/// `--component`.
pub fn component(s: &str) -> Result<Component, String> {
    Component::parse(s).ok_or_else(|| format!("{s:?} is not a component: expected one of {}", Component::names()))
}

/// `--threads`: 1 to [`MAX_THREADS`] (0 is all cores).
pub fn threads(s: &str) -> Result<usize, String> {
    let n: usize = s.trim().parse().map_err(|_| format!("{s:?} is not a number of threads"))?;
    if n > MAX_THREADS {
        return Err(format!("{n} threads: at most {MAX_THREADS}"));
    }
    Ok(n)
}

/// The narrowest and widest `--width`.
pub const WIDTH_RANGE: std::ops::RangeInclusive<usize> = 20..=10_000;

/// `--width`: columns of a terminal.
pub fn width(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if WIDTH_RANGE.contains(&n) => Ok(n),
        _ => Err(format!("{s:?} is not a width: expected {} to {} columns", WIDTH_RANGE.start(), WIDTH_RANGE.end())),
    }
}

/// `--max-keys`: 1 to a million distinct keys per rule.
pub fn max_keys(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=1_000_000).contains(&n) => Ok(n),
        _ => Err(format!("{s:?}: expected a number of keys from 1 to 1000000")),
    }
}

/// An interval such as `100ms`, `5s`, `5m`, `1h`, of at most `i64::MAX` milliseconds (the log-time arithmetic's
/// type, so that no interval wraps there).
pub fn interval(s: &str) -> Result<Duration, String> {
    let ms = match s.trim().strip_suffix("ms") {
        Some(n) => n.trim().parse::<i64>().ok(),
        None => parse_duration(s),
    };
    let ms = ms.and_then(|ms| u64::try_from(ms).ok());
    ms.map(Duration::from_millis).ok_or_else(|| format!("{s:?} is not an interval: expected 100ms, 5s, 5m or 1h"))
}

/// `--metrics`: an address to listen on, `HOST:PORT` with an IP address (`127.0.0.1:9464`, `[::]:9464`).
pub fn listen_addr(s: &str) -> Result<std::net::SocketAddr, String> {
    s.trim().parse().map_err(|_| {
        format!(
            "{s:?} is not an address to listen on: expected IP:PORT, such as 127.0.0.1:9464, 0.0.0.0:9464 or [::]:9464"
        )
    })
}

/// `--alertmanager`: an http(s) base URL.
pub fn alertmanager_url(s: &str) -> Result<String, String> {
    Target::new(Kind::Alertmanager, s, Vec::new()).map(|_| s.to_string()).map_err(|e| e.to_string())
}

/// `--webhook`: an http(s) URL.
pub fn webhook_url(s: &str) -> Result<String, String> {
    Target::new(Kind::Webhook, s, Vec::new()).map(|_| s.to_string()).map_err(|e| e.to_string())
}

/// An interval above zero.
pub fn positive_interval(s: &str) -> Result<Duration, String> {
    match interval(s)? {
        d if d.is_zero() => Err(format!("{s:?}: the interval must be above 0")),
        d => Ok(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(when("2h"), Ok(When::Ago(7_200_000)));
        assert!(matches!(when("2024-03-12"), Ok(When::At(_, false))));
        assert!(matches!(when("2024-03-12T10:00:00Z"), Ok(When::At(_, true))));
        assert!(matches!(when("2024-03-12T10:00:00+02:00"), Ok(When::At(_, true))));
        assert!(when("2024-02-31").is_err(), "no such day");
        assert!(when("2023-02-29").is_err());
        assert!(when("2024-02-29").is_ok());
        assert!(when("yesterday").is_err());
        assert!(matches!(when("2024-03-12T10:00:00-23:59"), Ok(When::At(_, true))));
        for bad in ["2024-03-12T10:00:00+99:00", "2024-03-12T10:00:00+24:00", "2024-03-12T10:00:00+02:60"] {
            assert!(when(bad).is_err(), "{bad}: RFC 3339 offsets are 00:00 to 23:59");
        }
        let plus2 = zone("+02:00").unwrap();
        let day = when("2024-03-12").unwrap();
        assert_eq!(day.resolve(Zone::UTC, 0) - day.resolve(plus2, 0), 2 * 3_600_000);
        let utc = when("2024-03-12T10:00:00Z").unwrap();
        assert_eq!(utc.resolve(plus2, 0), utc.resolve(Zone::UTC, 0), "an explicit zone wins");
    }

    #[test]
    fn zones_threads_intervals() {
        assert!(zone("UTC").is_ok() && zone("+02:00").is_ok() && zone("-0500").is_ok());
        assert!(zone("Europe/Amsterdam").is_ok() && zone("America/New_York").is_ok());
        for bad in ["+1é1", "+99:00", "Mars/Olympus", "", "+", "Europe/Ämsterdam"] {
            assert!(zone(bad).is_err(), "{bad}");
        }
        assert_eq!(threads("4"), Ok(4));
        assert!(threads("5000").is_err() && threads("-1").is_err() && threads("x").is_err());
        assert_eq!(interval("100ms"), Ok(Duration::from_millis(100)));
        assert_eq!(interval("5m"), Ok(Duration::from_secs(300)));
        assert!(positive_interval("0s").is_err() && interval("soon").is_err());
        assert!(interval("18446744073709551615ms").is_err() && interval("-5ms").is_err());
        assert_eq!(interval("9223372036854775807ms"), Ok(Duration::from_millis(i64::MAX as u64)));
        assert_eq!(width("80"), Ok(80));
        assert!(width("5").is_err() && width("wide").is_err());
    }

    #[test]
    fn addresses_and_urls() {
        assert_eq!(listen_addr("127.0.0.1:9464").unwrap().port(), 9464);
        assert!(listen_addr("[::]:9464").unwrap().is_ipv6());
        assert!(listen_addr(":9464").is_err() && listen_addr("localhost:9464").is_err());
        assert!(alertmanager_url("http://alertmanager:9093").is_ok());
        assert!(webhook_url("https://hooks.example.com/x").is_ok());
        assert!(webhook_url("hooks.example.com/x").unwrap_err().contains("http"));
    }
}
