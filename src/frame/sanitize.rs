//! Making untrusted log text safe to print: terminal control sequences removed, secrets redacted, length bounded.
//!
//! Log lines come from anything that can reach a receiver. Printed raw, an escape sequence in a user agent could
//! rewrite the operator's terminal, and the receiver logs `api_key=` in clear text (other services may log
//! passwords, tokens or `Authorization` headers). Every piece of log text that
//! leaves stackscan (samples, field values) goes through [`clean`].

use std::borrow::Cow;

/// The longest sample text kept, in characters; longer text is cut with `…`.
pub const MAX_TEXT_CHARS: usize = 600;

/// The most bytes of a text [`clean`] reads: cleaning the first `CLEAN_READS` bytes of a text gives what cleaning
/// all of it gives.
pub const CLEAN_READS: usize = MAX_TEXT_CHARS * 8;

/// Decodes lossily, drops ANSI/VT escape sequences and other control characters (tab becomes a space), redacts
/// secrets (see [`redact`]: API keys, passwords, tokens, `Authorization` credentials, passwords in URLs) and cuts
/// at [`MAX_TEXT_CHARS`].
/// Borrows `raw` when nothing needed changing: nearly every field value is short printable ASCII, folded into
/// an aggregate that most often holds it already.
pub fn clean(raw: &[u8]) -> Cow<'_, str> {
    // Fast path: short printable ASCII has nothing to strip, only perhaps a key to redact.
    if raw.len() <= MAX_TEXT_CHARS && printable_ascii(raw) {
        if let Ok(text) = std::str::from_utf8(raw) {
            return redact(text);
        }
    }
    // Longer text that starts with printable ASCII: what the general path below makes of it, without decoding
    // it character by character (a storm of Elasticsearch JSON lines has every sample line this long). That path
    // keeps the first MAX_TEXT_CHARS + 1 characters, redacts them, and cuts the result: here the characters are
    // the bytes.
    if let Some(head) = raw.get(..MAX_TEXT_CHARS + 1).filter(|h| printable_ascii(h)) {
        if let Ok(text) = std::str::from_utf8(head) {
            let redacted = redact(text);
            let mut out = String::with_capacity(MAX_TEXT_CHARS + '…'.len_utf8());
            match redacted.get(..MAX_TEXT_CHARS).filter(|_| redacted.len() > MAX_TEXT_CHARS) {
                Some(cut) => {
                    out.push_str(cut);
                    out.push('…');
                }
                None => out.push_str(&redacted),
            }
            return Cow::Owned(out);
        }
    }
    Cow::Owned(clean_chars(raw))
}

/// [`clean`] with its recent results remembered, per thread: the fields of a storm's events take a few values over
/// and over (a host, an endpoint, a URL with its key redacted), and comparing bytes costs less than searching them
/// for secrets again. Short texts only, in sets of two slots chosen by a hash of a few of their bytes (two, so
/// that two of a storm's few values that fall in one set do not evict each other on every line); the memory held
/// is bounded by slots × [`CleanMemo::MAX_RAW`]. The result is always what [`clean`] gives.
#[derive(Debug, Default)]
pub struct CleanMemo {
    slots: Vec<CleanSlot>,
    /// Per set, the way to replace next: the one not used last.
    older: Vec<u8>,
}

/// One remembered text and what [`clean`] made of it.
#[derive(Debug, Default)]
struct CleanSlot {
    raw: Vec<u8>,
    /// `None`: the text itself (clean borrowed it).
    cleaned: Option<Box<str>>,
}

impl CleanMemo {
    /// Sets of slots kept.
    const SETS: usize = 64;
    /// Slots per set.
    const WAYS: usize = 2;
    /// The longest text remembered.
    pub const MAX_RAW: usize = 256;

    /// What [`clean`] makes of `raw`.
    pub fn clean<'a>(&mut self, raw: &'a [u8]) -> Cow<'a, str> {
        if raw.is_empty() || raw.len() > Self::MAX_RAW {
            return clean(raw);
        }
        if self.slots.is_empty() {
            self.slots.resize_with(Self::SETS * Self::WAYS, CleanSlot::default);
            self.older.resize(Self::SETS, 0);
        }
        let set = Self::set_of(raw);
        let ways = set * Self::WAYS..(set + 1) * Self::WAYS;
        if let Some(way) = self.slots[ways.clone()].iter().position(|slot| slot.raw == raw) {
            self.older[set] = (1 - way) as u8;
            match &self.slots[ways.start + way].cleaned {
                None => {
                    if let Ok(text) = std::str::from_utf8(raw) {
                        return Cow::Borrowed(text);
                    }
                }
                Some(c) => return Cow::Owned(c.to_string()),
            }
        }
        let way = usize::from(self.older[set]);
        self.older[set] = (1 - way) as u8;
        let slot = &mut self.slots[ways.start + way];
        let out = clean(raw);
        slot.raw.clear();
        slot.raw.extend_from_slice(raw);
        slot.cleaned = match &out {
            Cow::Borrowed(_) => None,
            Cow::Owned(c) => Some(c.as_str().into()),
        };
        out
    }

    /// The set of a (non-empty) text, by [`crate::hash::sampled`]: its length and four of its words tell apart
    /// the values of one field.
    fn set_of(raw: &[u8]) -> usize {
        (crate::hash::sampled(raw) >> 40) as usize % Self::SETS
    }
}

/// `text` without its escape sequences and control characters (a tab becomes a space) and with the characters that
/// would reorder or hide text shown as escapes, as [`clean`] makes a sample, but whole: not cut, not redacted.
/// Printable ASCII is returned as it is.
pub fn strip_controls(text: &str) -> Cow<'_, str> {
    if printable_ascii(text.as_bytes()) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    if strip_into(text, &mut out, usize::MAX) {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

/// Writes `text` to `out` without its escape sequences and control characters (a tab becomes a space), the
/// characters that would reorder or hide text shown as escapes, stopping once more than `limit` characters are
/// written: whether anything was left out or changed.
fn strip_into(text: &str, out: &mut String, limit: usize) -> bool {
    use std::fmt::Write as _;
    let mut chars = text.chars().peekable();
    let (mut n, mut changed) = (0, false);
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            '\u{9b}' => skip_csi(&mut chars),
            '\t' => {
                out.push(' ');
                n += 1;
            }
            c if c.is_control() => {}
            // Shown, not obeyed: a bidi override would reorder the rest of the line.
            c if super::escape::is_unsafe(c) => {
                let before = out.len();
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
                n += out.len() - before;
            }
            c => {
                out.push(c);
                n += 1;
                if n > limit {
                    break;
                }
                continue;
            }
        }
        changed = true;
        if n > limit {
            break;
        }
    }
    changed
}

/// [`clean`] character by character: for text with control characters, escapes or non-ASCII bytes.
fn clean_chars(raw: &[u8]) -> String {
    // A sample of a multi-megabyte line only ever shows its start: do not decode the rest.
    let text = String::from_utf8_lossy(&raw[..raw.len().min(CLEAN_READS)]);
    let mut out = String::with_capacity(text.len().min(MAX_TEXT_CHARS + 8));
    strip_into(&text, &mut out, MAX_TEXT_CHARS);
    let mut out = redact(&out).into_owned();
    if out.chars().count() > MAX_TEXT_CHARS {
        out = out.chars().take(MAX_TEXT_CHARS).collect();
        out.push('…');
    }
    out
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

/// The keys whose values [`redact`] hides, each with the spellings searched: every spelling of the API key
/// (`api_key`, `apiKey`, `api-key`, and so `STS_API_KEY`, `sts-api-key`, `X-API-Key`), passwords, secrets
/// (`client_secret`, `clientSecret`), tokens, the `Authorization` header, a bare `Bearer` credential, and `://`
/// for credentials in URLs. The spellings are listed in the cases people write (lower, upper, capitalised and
/// their mixes, see [`spellings`]) rather than searched case-insensitively: a fixed set of literals is searched
/// with SIMD (Teddy), several times faster on the sample lines this runs over than a case-insensitive automaton.
const SECRET_KEYS: &[(&str, &[&str])] = &[
    ("api_key", &["api_key", "api|key", "api-key"]),
    ("password", &["pass|word", "passwd"]),
    ("secret", &["secret"]),
    ("token", &["token"]),
    ("authorization", &["authorization"]),
    ("bearer", &["bearer "]),
    ("://", &["://"]),
];

/// Each spelling of [`SECRET_KEYS`] with each of its words (split at `_`, `-`, and `|` where they join with
/// nothing between) in lower case, upper case or capitalised (`api_key`, `API_KEY`, `Api_Key`, `Api_key`,
/// `API_Key`, `apiKey`, `ApiKey`, `APIKey`, `Apikey`, `PassWord`), each once, with its key.
fn spellings() -> Vec<(String, &'static str)> {
    let mut all: Vec<(String, &'static str)> = Vec::new();
    for &(key, forms) in SECRET_KEYS {
        for form in forms {
            let mut spelt = vec![String::new()];
            let mut rest = *form;
            while !rest.is_empty() {
                let end = rest.find(['_', '-', '|']).unwrap_or(rest.len());
                let (word, sep) = (&rest[..end], rest[end..].chars().next().filter(|&c| c != '|'));
                rest = rest.get(end + 1..).unwrap_or("");
                let mut cap = word.to_ascii_lowercase();
                if let Some(c) = cap.get_mut(..1) {
                    c.make_ascii_uppercase();
                }
                let cases = [word.to_ascii_lowercase(), word.to_ascii_uppercase(), cap];
                spelt = spelt
                    .iter()
                    .flat_map(|head| {
                        cases.iter().map(move |c| format!("{head}{c}{}", sep.map(String::from).unwrap_or_default()))
                    })
                    .collect();
            }
            for sp in spelt {
                if !all.iter().any(|(s, _)| *s == sp) {
                    all.push((sp, key));
                }
            }
        }
    }
    all
}

/// The searcher for [`spellings`] and the key of each of its patterns, built once.
fn secret_keys() -> &'static (aho_corasick::AhoCorasick, Vec<&'static str>) {
    static AC: std::sync::LazyLock<(aho_corasick::AhoCorasick, Vec<&'static str>)> = std::sync::LazyLock::new(|| {
        let all = spellings();
        let ac = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(all.iter().map(|(s, _)| s))
            .expect("fixed patterns");
        (ac, all.into_iter().map(|(_, k)| k).collect())
    });
    &AC
}

/// Replaces secrets with `<redacted>` (keys in the spellings of `SECRET_KEYS`):
///
/// * the value of a key of `SECRET_KEYS` written as a query parameter or assignment (`api_key=v`,
///   `STS_API_KEY=v`, `password=v`, `token=v`), a header or YAML entry (`X-API-Key: v`, `sts-api-key: v`,
///   `apiKey: v`), or a JSON member (`"apiKey": "v"`, `\"password\":\"v\"` inside a JSON-escaped message);
///   also right after the colon when the value is quoted or the key is whole (`{apiKey:"v"}`, `api_key:v`),
///   after a URL-encoded `=` or `:` (`api_key%3Dv`), and after a command-line flag (`--password v`);
/// * the credentials of `Authorization: Bearer v` / `Basic v` (the scheme is kept), and a bare `Bearer v` whose
///   `v` is a token of eight characters or more;
/// * the password of a URL's user info (`https://user:v@host` keeps the user).
///
/// Values already masked with `*` (as the agent does), empty ones and the words `YES`/`NO`/`true`/`false`/`null`
/// (`using password: YES`) are kept. A bare `token` is a key only as `token=` or quoted, or as the end of a longer
/// key (`access_token: v`, `X-Auth-Token: v`): `Unexpected token: x` is a parser message, not a secret.
pub fn redact(s: &str) -> Cow<'_, str> {
    // Fast path: one SIMD scan for the keys; nearly every line has none. Short text (most field values) is looked
    // at byte by byte first: every key holds one of `p k r z :` in some case, and most short values none.
    if s.len() < 3 || (s.len() < 32 && !s.bytes().any(|c| matches!(c | 0x20, b'p' | b'k' | b'r' | b'z' | b':'))) {
        return Cow::Borrowed(s);
    }
    let b = s.as_bytes();
    let mut out: Option<String> = None;
    let mut last = 0;
    let (ac, keys) = secret_keys();
    for m in ac.find_iter(s) {
        if m.start() < last {
            continue;
        }
        let key = keys[m.pattern().as_usize()];
        let hide = match key {
            "://" => url_password(b, m.end()),
            "bearer" => bearer_credential(b, m.start(), m.end()),
            _ => keyed_value(b, m.start(), m.end(), key),
        };
        if let Some((vs, ve)) = hide {
            let out = out.get_or_insert_with(|| String::with_capacity(s.len() + 16));
            out.push_str(&s[last..vs]);
            out.push_str("<redacted>");
            last = ve;
        }
    }
    match out {
        None => Cow::Borrowed(s),
        Some(mut out) => {
            out.push_str(&s[last..]);
            Cow::Owned(out)
        }
    }
}

/// The span of the value of the key at `[ks, ke)`, when it is written as a key and its value is worth hiding.
fn keyed_value(b: &[u8], ks: usize, ke: usize, key: &str) -> Option<(usize, usize)> {
    // The key may go on as an identifier (`secret_access_key`, `apiKeyId`, `passwordHash`); then an optional
    // closing quote (escaped in a JSON-escaped message), spaces, `=` or `:`, spaces.
    let mut i = ke + b[ke..].iter().take_while(|&&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-').count();
    let quoted = match b.get(i) {
        Some(b'"' | b'\'') => {
            i += 1;
            true
        }
        Some(b'\\') if matches!(b.get(i + 1), Some(b'"')) => {
            i += 2;
            true
        }
        _ => false,
    };
    let after_key = i;
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    // A URL-encoded `=` or `:` (`api_key%3Dv` in a logged, encoded URL) is one too.
    let encoded = b.get(i) == Some(&b'%') && matches!(b.get(i + 1..i + 3), Some(b"3D" | b"3d" | b"3A" | b"3a"));
    let sep = match *b.get(i)? {
        _ if encoded => {
            i += 2;
            if b[i] | 0x20 == b'd' {
                b'='
            } else {
                b':'
            }
        }
        c @ (b'=' | b':') => c,
        // A command-line flag: `--password v`, `--api-key v`.
        _ if ks >= 2 && &b[ks - 2..ks] == b"--" && i == after_key + 1 && b[after_key] == b' ' => b' ',
        _ => return None,
    };
    if sep != b' ' {
        i += 1;
    }
    if sep == b':' && key == "token" && !quoted {
        // `X-Auth-Token: v`, `access_token: v`, but not `Unexpected token: x`.
        let before = ks.checked_sub(1).and_then(|p| b.get(p));
        if !matches!(before, Some(b'_' | b'-')) {
            return None;
        }
    }
    if sep == b':' && !quoted && !matches!(b.get(i), Some(b' ' | b'\t')) && key != "authorization" {
        // `http://` and `c.s.x:12` are common: a value right after the colon is one when it is quoted
        // (`{apiKey:"v"}`), or follows a whole key that is no identifier's start (`api_key:v`, not
        // `PasswordEncoder:45`).
        let opens_quote = matches!(b.get(i), Some(b'"' | b'\'')) || b[i..].starts_with(b"\\\"");
        let whole = i == ke + 1 && matches!(key, "api_key" | "password" | "secret");
        let digits = b[i..].iter().take_while(|c| c.is_ascii_alphanumeric()).all(u8::is_ascii_digit);
        let bare_value = whole && !digits;
        if !opens_quote && !bare_value {
            return None;
        }
    }
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    // An optional opening quote (escaped or not): the value runs to the matching closing quote.
    let (open, start) = match b.get(i) {
        Some(&q @ (b'"' | b'\'')) => (Some(q), i + 1),
        Some(b'\\') if matches!(b.get(i + 1), Some(b'"')) => (Some(b'"'), i + 2),
        _ => (None, i),
    };
    let mut start = start;
    if key == "authorization" {
        // Keep the scheme: `Bearer <redacted>`, `Basic <redacted>`.
        let rest = &b[start..];
        for scheme in [&b"Bearer "[..], b"Basic ", b"bearer ", b"basic ", b"Token ", b"Negotiate "] {
            if rest.starts_with(scheme) {
                start += scheme.len();
                break;
            }
        }
    }
    let end = match open {
        Some(q) => start + b[start..].iter().position(|&c| c == q || c == b'\\').unwrap_or(b.len() - start),
        // A value redacted before is kept whole (its `>` would otherwise end it early): redacting is idempotent.
        None if b[start..].starts_with(b"<redacted>") => start + "<redacted>".len(),
        // A template's variable (`token=<*>`, of lines whose values the key did not hide) is hidden whole.
        None if b[start..].starts_with(b"<*>") => start + "<*>".len(),
        None => {
            start
                + b[start..]
                    .iter()
                    .position(|&c| {
                        c.is_ascii_whitespace()
                            || matches!(c, b'&' | b'"' | b'\'' | b',' | b';' | b')' | b']' | b'}' | b'>' | b'\\')
                            || (encoded && c == b'%')
                    })
                    .unwrap_or(b.len() - start)
        }
    };
    let value = &b[start..end];
    let kept = value.is_empty()
        || value.iter().all(|&c| c == b'*')
        || value.starts_with(b"***")
        || value == b"<redacted>"
        || [&b"YES"[..], b"NO", b"yes", b"no", b"true", b"false", b"null", b"None", b"none"].contains(&value);
    (!kept).then_some((start, end))
}

/// A mined template's example values per variable (`<*>`), with those of a variable that stands where [`redact`]
/// hides a value (`password = <*>`) replaced by `<redacted>`: they are secrets, whatever each looks like alone.
pub fn redact_examples(template: &str, examples: impl Iterator<Item = Vec<String>>) -> Vec<Vec<String>> {
    let secret = secret_variables(template);
    examples
        .enumerate()
        .map(|(i, values)| match secret.get(i) {
            Some(true) => values.into_iter().map(|_| "<redacted>".to_string()).collect(),
            _ => values,
        })
        .collect()
}

/// For each variable (`<*>`) of a mined template, in order, whether it stands where [`redact`] hides a value.
fn secret_variables(template: &str) -> Vec<bool> {
    let parts: Vec<&str> = template.split("<*>").collect();
    (0..parts.len().saturating_sub(1))
        .map(|i| {
            let mut one = String::with_capacity(template.len());
            for (j, part) in parts.iter().enumerate() {
                one.push_str(part);
                if j + 1 < parts.len() {
                    one.push_str(if j == i { "<*>" } else { "v" });
                }
            }
            !redact(&one).contains("<*>")
        })
        .collect()
}

/// The span of a bare `Bearer` credential (`Bearer eyJhbGciOi...` without its `Authorization:` header, the spelling
/// at `[ks, ke)` ending in a space): a token68 of eight characters or more, so that prose (`invalid bearer token`)
/// and challenges (`Bearer realm="x"`) are left alone.
fn bearer_credential(b: &[u8], ks: usize, ke: usize) -> Option<(usize, usize)> {
    if ks > 0 && b[ks - 1].is_ascii_alphanumeric() {
        return None;
    }
    let token = |c: &u8| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~' | b'+' | b'/');
    let len = b[ke..].iter().take_while(|c| token(c)).count();
    let end = ke + len + b[ke + len..].iter().take_while(|&&c| c == b'=').count();
    let boundary = b.get(end).is_none_or(|c| !token(c));
    (len >= 8 && boundary && !b[ke..].starts_with(b"<redacted>")).then_some((ke, end))
}

/// The span of the password in the user info of the URL whose `://` ends at `after`: `https://user:pass@host`.
fn url_password(b: &[u8], after: usize) -> Option<(usize, usize)> {
    let rest = &b[after..];
    let authority_len = rest
        .iter()
        .position(|&c| {
            matches!(c, b'/' | b'?' | b'#' | b'"' | b'\'' | b'\\' | b'<' | b'>' | b'`') || c.is_ascii_whitespace()
        })
        .unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    let at = memchr::memrchr(b'@', authority)?;
    let colon = memchr::memchr(b':', &authority[..at])?;
    let (start, end) = (after + colon + 1, after + at);
    let value = &b[start..end];
    (!value.is_empty() && !value.iter().all(|&c| c == b'*') && value != b"<redacted>").then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_escapes_and_controls() {
        assert_eq!(clean(b"a\x1b[31mred\x1b[0m b\x07c\td"), "ared bc d");
        assert_eq!(clean("x\u{202e}gol.exe\u{2028}y".as_bytes()), "x\\u{202e}gol.exe\\u{2028}y");
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
        assert_eq!(redact("boom token=<*> password=<*>, ok"), "boom token=<redacted> password=<redacted>, ok");
        let once = redact("?api_key=0123456789abcdef>x (5120)").into_owned();
        assert_eq!(once, "?api_key=<redacted>>x (5120)");
        assert_eq!(redact(&once), once, "redacting twice changes nothing");
    }

    /// Every form of secret, each with what must be printed instead; then text that must be left alone.
    #[test]
    fn redacts_every_form() {
        let cases: &[(&str, &str)] = &[
            // API key in a query string (receiver's ReceiverRoutes line), any spelling
            (
                "POST http://h/stsAgent/intake/?api_key=0123abcd (5120): 400",
                "POST http://h/stsAgent/intake/?api_key=<redacted> (5120): 400",
            ),
            ("GET /api/v1/series?apiKey=0123abcd&host=x", "GET /api/v1/series?apiKey=<redacted>&host=x"),
            ("GET /x?API-KEY=0123abcd", "GET /x?API-KEY=<redacted>"),
            ("url?api_key=*****abcde&x=1", "url?api_key=*****abcde&x=1"),
            // JSON, plain and escaped inside a JSON message
            (r#"{"api_key": "0123abcd", "host": "x"}"#, r#"{"api_key": "<redacted>", "host": "x"}"#),
            (r#"{"apiKey":"0123abcd"}"#, r#"{"apiKey":"<redacted>"}"#),
            (r#"{"msg":"config {\"apiKey\":\"0123abcd\"}"}"#, r#"{"msg":"config {\"apiKey\":\"<redacted>\"}"}"#),
            // YAML
            ("  api_key: 0123abcd", "  api_key: <redacted>"),
            ("stackstate:\n  apiKey: \"0123abcd\"", "stackstate:\n  apiKey: \"<redacted>\""),
            // Headers
            ("sts-api-key: 0123abcd", "sts-api-key: <redacted>"),
            ("X-API-Key: 0123abcd", "X-API-Key: <redacted>"),
            ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.x", "Authorization: Bearer <redacted>"),
            ("authorization: Basic dXNlcjpwYXNz", "authorization: Basic <redacted>"),
            (r#"headers={"Authorization": "Bearer abc123"}"#, r#"headers={"Authorization": "Bearer <redacted>"}"#),
            ("Authorization=abc123", "Authorization=<redacted>"),
            // Passwords
            ("jdbc connect user=sts password=s3cr3t ok", "jdbc connect user=sts password=<redacted> ok"),
            (r#"{"user":"sts","password":"s3cr3t"}"#, r#"{"user":"sts","password":"<redacted>"}"#),
            ("  password: s3cr3t", "  password: <redacted>"),
            ("PASSWD=s3cr3t", "PASSWD=<redacted>"),
            (
                "Access denied for user 'sts'@'10.0.0.4' (using password: YES)",
                "Access denied for user 'sts'@'10.0.0.4' (using password: YES)",
            ),
            // Secrets and tokens
            ("client_secret=Zx8~abc", "client_secret=<redacted>"),
            ("aws_secret_access_key = AbC/123", "aws_secret_access_key = <redacted>"),
            ("token=abc123", "token=<redacted>"),
            ("GET /x?access_token=abc123&y=1", "GET /x?access_token=<redacted>&y=1"),
            (r#"{"token": "abc123"}"#, r#"{"token": "<redacted>"}"#),
            ("X-Auth-Token: abc123", "X-Auth-Token: <redacted>"),
            // Environment
            ("STS_API_KEY=0123abcd", "STS_API_KEY=<redacted>"),
            ("export STS_API_KEY=\"0123abcd\"", "export STS_API_KEY=\"<redacted>\""),
            // Credentials in URLs
            ("https://admin:s3cr3t@es.example.net:9200/_bulk", "https://admin:<redacted>@es.example.net:9200/_bulk"),
            ("connecting to http://user:p%40ss@10.0.0.1/ now", "connecting to http://user:<redacted>@10.0.0.1/ now"),
            ("http://user@host:9200/ (no password)", "http://user@host:9200/ (no password)"),
            // Near misses: parser messages, identifiers, ordinary URLs
            ("Unexpected token: END_OBJECT", "Unexpected token: END_OBJECT"),
            (
                "Cannot deserialize instance of `x` out of START_ARRAY token",
                "Cannot deserialize instance of `x` out of START_ARRAY token",
            ),
            (
                "(Service: AmazonCloudWatch; Status Code: 403; Error Code: InvalidClientTokenId)",
                "(Service: AmazonCloudWatch; Status Code: 403; Error Code: InvalidClientTokenId)",
            ),
            (
                "Post \"https://sts.example.net/receiver/stsAgent/intake/\": EOF",
                "Post \"https://sts.example.net/receiver/stsAgent/intake/\": EOF",
            ),
            ("object at 0x7f http://h:80/x", "object at 0x7f http://h:80/x"),
            ("c.s.api.Routes: ok", "c.s.api.Routes: ok"),
            // Colons without a space, mixed cases, bare bearer tokens, flags, URL-encoded separators
            (r#"cfg={apiKey:"0123456789abcdef"}"#, r#"cfg={apiKey:"<redacted>"}"#),
            ("{apiKey:'0123abcd'}", "{apiKey:'<redacted>'}"),
            ("api_key:0123abcd rest", "api_key:<redacted> rest"),
            (
                "API_Key=k2k2k2 Apikey=k3 Api_key=k4 PassWord=p1",
                "API_Key=<redacted> Apikey=<redacted> Api_key=<redacted> PassWord=<redacted>",
            ),
            ("sent Bearer eyJhbGciOi.sig to h", "sent Bearer <redacted> to h"),
            ("bearer abcdefgh12345678==", "bearer <redacted>"),
            ("run --password hunter22 --api-key 0123abcd -v", "run --password <redacted> --api-key <redacted> -v"),
            ("GET /x?u=%2Fa%3Fapi_key%3D0123abcd%26y", "GET /x?u=%2Fa%3Fapi_key%3D<redacted>%26y"),
            // ... and their near misses
            ("invalid bearer token", "invalid bearer token"),
            (r#"WWW-Authenticate: Bearer realm="sts""#, r#"WWW-Authenticate: Bearer realm="sts""#),
            ("at c.s.PasswordEncoder:45", "at c.s.PasswordEncoder:45"),
            ("Password:45 lines", "Password:45 lines"),
        ];
        for (input, want) in cases {
            assert_eq!(redact(input), *want, "{input}");
            assert_eq!(clean(input.as_bytes()), want.replace('\n', ""), "clean: {input}");
        }
        assert!(matches!(redact("2024-03-12 10:00:00,000 INFO  c.s.X - ordinary line"), Cow::Borrowed(_)));
        assert!(matches!(redact("Unexpected token: x"), Cow::Borrowed(_)));
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

    /// Long printable ASCII takes a path of its own: the same text as the character-by-character one, with secrets
    /// before, across and after the cut, and with redaction making the text shorter than the bound again.
    #[test]
    fn long_ascii_is_cleaned_as_character_by_character() {
        let secret = "api_key=0123456789abcdef0123456789abcdef";
        for len in [MAX_TEXT_CHARS + 1, MAX_TEXT_CHARS + 2, 700, 4000] {
            let ats = [0, 10, MAX_TEXT_CHARS - 20, MAX_TEXT_CHARS - 5, MAX_TEXT_CHARS + 3, len.saturating_sub(50)];
            for at in ats.into_iter().filter(|&at| at <= len) {
                let mut line: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
                for (i, b) in secret.bytes().enumerate() {
                    if let Some(c) = line.get_mut(at + i) {
                        *c = b;
                    }
                }
                line[at.saturating_sub(1)] = b' ';
                assert_eq!(clean(&line), clean_chars(&line), "len {len}, secret at {at}");
            }
            // Many secrets, in text longer than the bound (shorter text takes the first fast path, which does not
            // cut): the redacted text grows past the cut.
            let many: String = (0..len / 12 + 1).map(|_| "password=xy ").collect();
            assert_eq!(clean(many.as_bytes()), clean_chars(many.as_bytes()), "len {len}");
        }
    }

    /// The memo gives what `clean` gives: texts that need nothing, redaction, control characters, non-UTF-8
    /// bytes, each seen again after others took the same slots, and texts too long to be remembered.
    #[test]
    fn memo_cleans_as_clean() {
        let texts: Vec<Vec<u8>> = vec![
            b"stackstate.example.com".to_vec(),
            b"https://sts.example.com/receiver/stsAgent/intake/?api_key=0123456789abcdef".to_vec(),
            b"https://user:hunter2@sts.example.com/api".to_vec(),
            b"red\x1b[31mtext\ttab".to_vec(),
            b"bad \xff\xfe utf-8".to_vec(),
            b"x".to_vec(),
            "x".repeat(CleanMemo::MAX_RAW + 1).into_bytes(),
        ];
        let mut memo = CleanMemo::default();
        for round in 0..3 {
            for (i, t) in texts.iter().enumerate() {
                assert_eq!(memo.clean(t), clean(t), "round {round}, text {i}");
            }
            // Many others, which take every slot.
            for k in 0..500 {
                let other = format!("value-{k}-{round}");
                assert_eq!(memo.clean(other.as_bytes()), clean(other.as_bytes()));
            }
        }
    }

    /// Two values that fall in one set, taking turns (two nodes of a storm), are both kept: neither is cleaned
    /// again; a third in that set replaces the one used less recently.
    #[test]
    fn memo_keeps_two_values_of_one_set() {
        let name = |k: usize| format!("stackstate-elasticsearch-master-{k}");
        let first = CleanMemo::set_of(name(0).as_bytes());
        let same: Vec<String> =
            (1..10_000).map(name).filter(|n| CleanMemo::set_of(n.as_bytes()) == first).take(2).collect();
        let (a, b, c) = (name(0), same[0].clone(), same[1].clone());
        let mut memo = CleanMemo::default();
        let held = |memo: &CleanMemo, t: &str| memo.slots.iter().any(|s| s.raw == t.as_bytes());
        for _ in 0..3 {
            memo.clean(a.as_bytes());
            memo.clean(b.as_bytes());
        }
        assert!(held(&memo, &a) && held(&memo, &b));
        memo.clean(b.as_bytes());
        memo.clean(c.as_bytes());
        assert!(held(&memo, &b) && held(&memo, &c) && !held(&memo, &a));
    }

    #[test]
    fn secret_variables_are_those_redaction_hides() {
        // Raw lines are redacted before mining: tabs around the separator too.
        assert_eq!(redact("password\t=\tHunter12x end"), "password\t=\t<redacted> end");
        assert_eq!(secret_variables("login <*> password = <*> from <*>"), [false, true, false]);
        assert_eq!(secret_variables("GET <*>?api_key=<*>&page=<*>"), [false, true, false]);
        assert!(secret_variables("no variables").is_empty());
    }

    #[test]
    fn bounds_length() {
        let long = "x".repeat(5000);
        let c = clean(long.as_bytes());
        assert_eq!(c.chars().count(), MAX_TEXT_CHARS + 1);
        assert!(c.ends_with('…'));
    }
}
