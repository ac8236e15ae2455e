//! Making untrusted log text safe to print: terminal control sequences removed, secrets redacted, length bounded.
//!
//! Log lines come from anything that can reach a receiver. Printed raw, an escape sequence in a user agent could
//! rewrite the operator's terminal, and the receiver logs `api_key=` in clear text. Every piece of log text that
//! leaves stackscan (samples, field values) goes through [`clean`].

use std::borrow::Cow;

/// The longest sample text kept, in characters; longer text is cut with `…`.
pub const MAX_TEXT_CHARS: usize = 600;

/// Decodes lossily, drops ANSI/VT escape sequences and other control characters (tab becomes a space), redacts
/// the values of `api_key=` / `apikey=` / `api-key:` and cuts at [`MAX_TEXT_CHARS`].
/// Borrows `raw` when nothing needed changing: nearly every field value is short printable ASCII, folded into
/// an aggregate that most often holds it already.
pub fn clean(raw: &[u8]) -> Cow<'_, str> {
    // Fast path: short printable ASCII has nothing to strip, only perhaps a key to redact.
    if raw.len() <= MAX_TEXT_CHARS && printable_ascii(raw) {
        if let Ok(text) = std::str::from_utf8(raw) {
            return redact(text);
        }
    }
    // A sample of a multi-megabyte line only ever shows its start: do not decode the rest.
    let text = String::from_utf8_lossy(&raw[..raw.len().min(MAX_TEXT_CHARS * 8)]);
    let mut out = String::with_capacity(text.len().min(MAX_TEXT_CHARS + 8));
    let mut chars = text.chars().peekable();
    let mut n = 0;
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            '\u{9b}' => skip_csi(&mut chars),
            '\t' => push(&mut out, ' ', &mut n),
            '\r' | '\n' => {}
            c if c.is_control() => {}
            c => push(&mut out, c, &mut n),
        }
        if n > MAX_TEXT_CHARS {
            break;
        }
    }
    let mut out = redact(&out).into_owned();
    if out.chars().count() > MAX_TEXT_CHARS {
        out = out.chars().take(MAX_TEXT_CHARS).collect();
        out.push('…');
    }
    Cow::Owned(out)
}

/// Whether every byte is printable ASCII (space to `~`), eight at a time: this runs over every sample line.
fn printable_ascii(b: &[u8]) -> bool {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut words = b.chunks_exact(8);
    for w in &mut words {
        let x = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        // A byte with its high bit set, below 0x20, or equal to 0x7f (DEL) sets its high bit in one of these.
        let below_space = x.wrapping_sub(LOW * 0x20) & !x;
        let del = (x ^ (LOW * 0x7f)).wrapping_sub(LOW) & !(x ^ (LOW * 0x7f));
        if (x | below_space | del) & HIGH != 0 {
            return false;
        }
    }
    words.remainder().iter().all(|&c| (0x20..0x7f).contains(&c))
}

fn push(out: &mut String, c: char, n: &mut usize) {
    out.push(c);
    *n += 1;
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.peek() {
        Some('[') => {
            chars.next();
            skip_csi(chars);
        }
        Some(']') | Some('P') | Some('_') | Some('^') => {
            // OSC / DCS / APC / PM: up to BEL or ST (ESC \).
            chars.next();
            while let Some(c) = chars.next() {
                if c == '\u{7}' {
                    break;
                }
                if c == '\u{1b}' {
                    if chars.peek() == Some(&'\\') {
                        chars.next();
                    }
                    break;
                }
            }
        }
        Some(_) => {
            chars.next();
        }
        None => {}
    }
}

fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    // Parameters and intermediates, then one final byte in @..~.
    for c in chars.by_ref() {
        if ('@'..='~').contains(&c) {
            break;
        }
    }
}

/// What a secret is replaced with.
const REDACTED: &str = "<redacted>";

/// Replaces the value after `api_key=`, `apikey=`, `api-key=` or `api_key: ` (any case) with `<redacted>`, unless
/// it is already masked with `*` (as the agent does) or redacted.
pub fn redact(s: &str) -> Cow<'_, str> {
    if !may_hold_key(s.as_bytes()) {
        return Cow::Borrowed(s);
    }
    let lower = s.to_ascii_lowercase();
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    let mut search = 0;
    while let Some(found) = find_key(&lower[search..]) {
        let (kpos, klen) = (search + found.0, found.1);
        let vstart = kpos + klen;
        // A value redacted before stays as it is (its `>` would otherwise end it early): redacting is idempotent.
        let vend = if s[vstart..].starts_with(REDACTED) {
            vstart + REDACTED.len()
        } else {
            s[vstart..]
                .find(|c: char| c.is_whitespace() || matches!(c, '&' | '"' | '\'' | ',' | ';' | ')' | ']' | '}' | '>'))
                .map_or(s.len(), |e| vstart + e)
        };
        let value = &s[vstart..vend];
        out.push_str(&s[last..vstart]);
        if value.is_empty() || value.chars().all(|c| c == '*') || value.starts_with("***") || value == REDACTED {
            out.push_str(value);
        } else {
            out.push_str(REDACTED);
        }
        last = vend;
        search = vend.max(vstart);
    }
    out.push_str(&s[last..]);
    Cow::Owned(out)
}

/// Whether `b` contains `api` in any case: every key [`redact`] looks for does, and most text does not. Looks
/// at each `p` (rarer than `a` or `i` in logs) with memchr.
fn may_hold_key(b: &[u8]) -> bool {
    memchr::memchr2_iter(b'p', b'P', b)
        .any(|i| i > 0 && i + 1 < b.len() && b[i - 1] | 0x20 == b'a' && b[i + 1] | 0x20 == b'i')
}

fn find_key(lower: &str) -> Option<(usize, usize)> {
    // Every key holds `api` (at the offset given): look at each `api` and at the keys that could hold it there.
    const KEYS: [(&[u8], usize); 6] = [
        (b"api_key=", 0),
        (b"apikey=", 0),
        (b"api-key=", 0),
        (b"api_key: ", 0),
        (b"api-key: ", 0),
        (b"x-api-key: ", 2),
    ];
    let b = lower.as_bytes();
    static API: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"api"));
    API.find_iter(b).find_map(|at| {
        KEYS.iter().find_map(|&(k, off)| {
            let start = at.checked_sub(off)?;
            b[start..].starts_with(k).then_some((start, k.len()))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_escapes_and_controls() {
        assert_eq!(clean(b"a\x1b[31mred\x1b[0m b\x07c\td"), "ared bc d");
        assert_eq!(clean(b"x\x1b]0;title\x07y"), "xy");
        assert_eq!(clean(b"bad \xff utf8"), "bad \u{fffd} utf8");
    }

    #[test]
    fn redacts_api_keys() {
        assert_eq!(
            clean(b"POST http://h:7077/stsAgent/intake/?api_key=0123456789abcdef (5120): 400"),
            "POST http://h:7077/stsAgent/intake/?api_key=<redacted> (5120): 400"
        );
        assert_eq!(redact("url?api_key=*****abcde&x=1"), "url?api_key=*****abcde&x=1");
        assert_eq!(redact("API_KEY=secret and apikey=other"), "API_KEY=<redacted> and apikey=<redacted>");
        let once = redact("?api_key=0123456789abcdef>x (5120)").into_owned();
        assert_eq!(once, "?api_key=<redacted>>x (5120)");
        assert_eq!(redact(&once), once, "redacting twice changes nothing");
    }

    #[test]
    fn printable_ascii_is_exact_for_every_byte_at_every_position() {
        for bad in (0u8..0x20).chain([0x7f]).chain(0x80..=0xff) {
            for at in 0..20 {
                let mut line = vec![b'a'; 20];
                line[at] = bad;
                assert!(!printable_ascii(&line), "byte {bad:#x} at {at}");
            }
        }
        let all: Vec<u8> = (0x20..0x7f).collect();
        assert!(printable_ascii(&all));
        assert!(printable_ascii(b""));
    }

    #[test]
    fn bounds_length() {
        let long = "x".repeat(5000);
        let c = clean(long.as_bytes());
        assert_eq!(c.chars().count(), MAX_TEXT_CHARS + 1);
        assert!(c.ends_with('…'));
    }
}
