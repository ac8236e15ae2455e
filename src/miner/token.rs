//! Tokens: a message cut into words, each with a class read from its form alone (variable, word, identifier,
//! key, punctuation), in one pass over its bytes with a byte-class table. Nothing here names a log layout.
//!
//! Also the message *skeleton*: the message with each run of digits taken as one digit. Two messages of one
//! skeleton tokenise alike (same boundaries, classes and constants; only the texts of their variables differ),
//! which lets [`super::Miner`] place a message whose skeleton it has placed before without tokenising it.

/// What a token is taken for, from its form alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Class {
    /// A value by its form (digits, paths, URLs, literals, units after numbers, dates): always `<*>`.
    Var,
    /// A plain word (letters only, lower, upper or capitalised; or `UPPER_SNAKE`).
    Word,
    /// An identifier-like token (camelCase, dots, dashes, underscores, ...): a constant that may vary.
    Ident,
    /// A word followed by `=` or `:`: it names what follows, so it belongs to the template.
    Key,
    /// Punctuation only.
    Punct,
}

impl Class {
    /// Whether one line's evidence is never enough to make a differing token of this class a variable.
    pub(super) fn strong(self) -> bool {
        matches!(self, Class::Word | Class::Key | Class::Punct)
    }
}

/// A token of a message: its separator and text as spans of the message.
#[derive(Debug, Clone, Copy)]
pub(super) struct Tok {
    /// Start of the separator before the token (the separator is `sep..start`).
    pub(super) sep: u32,
    pub(super) start: u32,
    pub(super) end: u32,
    /// Hash of the text (0 for variables).
    pub(super) hash: u64,
    pub(super) class: Class,
    /// Positions a variable stands for (1 in messages; a template's own when a template is offered).
    pub(super) span: u8,
}

const UNITS: &[&str] = &[
    "b", "kb", "mb", "gb", "tb", "kib", "mib", "gib", "byte", "bytes", "ms", "us", "ns", "s", "sec", "secs", "second",
    "seconds", "min", "mins", "minute", "minutes", "h", "hr", "hrs", "hour", "hours", "day", "days", "%",
];

const LITERALS: &[&str] = &["true", "false", "null"];

// Byte classes, one table lookup per byte.
const WS: u16 = 1;
const DELIM: u16 = 1 << 1;
const QUOTE: u16 = 1 << 2;
const DIGIT: u16 = 1 << 3;
const UPPER: u16 = 1 << 4;
const LOWER: u16 = 1 << 5;
const HIGH: u16 = 1 << 6;
const COLON: u16 = 1 << 7;
const UNDERSCORE: u16 = 1 << 8;
const OTHER: u16 = 1 << 9;

const fn byte_classes() -> [u16; 256] {
    let mut t = [OTHER; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = match c {
            b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c => WS,
            b'=' | b',' | b';' | b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'"' | b'|' => DELIM,
            b'\'' | b'`' => QUOTE,
            b'0'..=b'9' => DIGIT,
            b'A'..=b'Z' => UPPER,
            b'a'..=b'z' => LOWER,
            0x80..=0xff => HIGH,
            b':' => COLON,
            b'_' => UNDERSCORE,
            _ => OTHER,
        };
        i += 1;
    }
    t
}

static CLASSES: [u16; 256] = byte_classes();

fn class_of(b: u8) -> u16 {
    CLASSES[b as usize]
}

/// Whether the byte at `i` separates tokens. Quotes do only where they do not join two letters (`don't`).
fn is_sep_at(b: &[u8], i: usize) -> bool {
    let c = class_of(b[i]);
    if c & (WS | DELIM) != 0 {
        return true;
    }
    if c & QUOTE != 0 {
        let alnum = |x: Option<&u8>| x.is_some_and(|&x| class_of(x) & (DIGIT | UPPER | LOWER) != 0);
        return !(i > 0 && alnum(b.get(i - 1)) && alnum(b.get(i + 1)));
    }
    false
}

/// Classifies a token's text in one pass over its bytes.
pub(super) fn classify(core: &[u8]) -> Class {
    let (any, rest) = byte_flags(core);
    classify_flags(core, any, rest & UPPER != 0)
}

/// The byte classes a token has, over all its bytes and over those after the first.
fn byte_flags(core: &[u8]) -> (u16, u16) {
    let mut rest = 0u16;
    for &c in core.iter().skip(1) {
        rest |= class_of(c);
    }
    (rest | core.first().map_or(0, |&c| class_of(c)), rest)
}

/// Classifies a token from its byte classes (`any`: all bytes; `upper_after_first`: an upper-case letter
/// after the first byte).
fn classify_flags(core: &[u8], any: u16, upper_after_first: bool) -> Class {
    if any & DIGIT != 0
        || (core.len() > 1 && (core[0] == b'/' || core[0] == b'\\'))
        || (any & COLON != 0 && core.windows(3).any(|w| w == b"://"))
        || (core.len() <= 5 && LITERALS.iter().any(|l| core.eq_ignore_ascii_case(l.as_bytes())))
    {
        return Class::Var;
    }
    if any & !(UPPER | LOWER | HIGH | QUOTE) == 0 {
        // Letters only: lower, upper or capitalised is a plain word; camelCase an identifier.
        return if !upper_after_first || any & LOWER == 0 { Class::Word } else { Class::Ident };
    }
    if any & (UPPER | LOWER | HIGH) == 0 {
        return Class::Punct;
    }
    if class_of(core[0]) & UPPER != 0 && any & !(UPPER | UNDERSCORE) == 0 {
        // An enum-like constant (`FAIL_TASK_CLEANUP`).
        return Class::Word;
    }
    Class::Ident
}

fn is_unit(core: &[u8]) -> bool {
    core.len() <= 7 && UNITS.iter().any(|u| core.eq_ignore_ascii_case(u.as_bytes()))
}

/// Splits a message into tokens: whitespace and `= , ; ( ) [ ] { } " |` separate, so do quotes at word
/// boundaries; a trailing `. : ! ?` is punctuation, not part of the word; `key:value` is split after an
/// alphabetic key. Tokens are classified, a unit word after a number joins it (`16 KB`), and adjacent variables
/// become one (`1190 bytes (1.16 KB)`), so that variable-length values do not change the token count.
/// Returns whether `max_tokens` cut the message.
pub(super) fn tokenize(s: &str, max_tokens: usize, out: &mut Vec<Tok>) -> bool {
    out.clear();
    let b = s.as_bytes();
    let n = b.len();
    let mut i = 0;
    let mut sep = 0;
    while i < n {
        while i < n && is_sep_at(b, i) {
            i += 1;
        }
        if i >= n {
            break;
        }
        let start = i;
        let first = class_of(b[i]);
        let mut rest = 0;
        i += 1;
        while i < n && !is_sep_at(b, i) {
            rest |= class_of(b[i]);
            i += 1;
        }
        if out.len() + 1 >= max_tokens {
            // The rest of the message becomes one variable.
            let mut end = n;
            while end > start && class_of(b[end - 1]) & WS != 0 {
                end -= 1;
            }
            let t = Tok { sep: sep as u32, start: start as u32, end: end as u32, hash: 0, class: Class::Var, span: 1 };
            push_tok(b, out, t);
            return true;
        }
        sep = push_word(b, sep, start, i, (first | rest, rest), out);
    }
    if let Some(last) = out.last_mut().filter(|l| l.class == Class::Var) {
        last.end = close_brackets(b, last.start as usize, last.end as usize, n) as u32;
    }
    false
}

/// Pushes the tokens of the word `b[start..end]`; returns where the next separator starts.
/// `flags`: the byte classes of the whole word and of its bytes after the first.
fn push_word(
    b: &[u8],
    mut sep: usize,
    mut start: usize,
    word_end: usize,
    flags: (u16, u16),
    out: &mut Vec<Tok>,
) -> usize {
    let mut end = word_end;
    while end > start + 1 && matches!(b[end - 1], b'.' | b':' | b'!' | b'?') {
        end -= 1;
    }
    // The word's classes describe the token when nothing was taken off it.
    let mut known = (end == word_end).then_some(flags);
    if flags.0 & COLON != 0 && !b[start..end].windows(3).any(|w| w == b"://") {
        // `key:value` with an alphabetic key: split after the key.
        while let Some(k) = b[start..end].iter().position(|&c| c == b':') {
            let k = start + k;
            let key = &b[start..k];
            if key.is_empty() || k + 1 >= end || !key.iter().all(|&c| class_of(c) & (UPPER | LOWER | UNDERSCORE) != 0) {
                break;
            }
            push_core(b, sep, start, k, None, out);
            sep = k;
            start = k + 1;
            known = None;
        }
    }
    push_core(b, sep, start, end, known, out);
    end
}

/// Pushes the token `b[start..end]`; `flags` are its byte classes when the caller has them.
fn push_core(b: &[u8], sep: usize, start: usize, end: usize, flags: Option<(u16, u16)>, out: &mut Vec<Tok>) {
    let core = &b[start..end];
    let mut class = match flags {
        Some((any, rest)) => classify_flags(core, any, rest & UPPER != 0),
        None => classify(core),
    };
    // A key names what follows; a dotted name before `:` is more often a value (a host, a package, a job).
    if class != Class::Var && class != Class::Punct && matches!(b.get(end), Some(b'=' | b':')) && !core.contains(&b'.')
    {
        class = Class::Key;
    }
    if class == Class::Word && start - sep <= 1 && out.last().is_some_and(|t| t.class == Class::Var) && is_unit(core) {
        class = Class::Var;
    }
    let hash = if class == Class::Var { 0 } else { hash_bytes(core) };
    push_tok(b, out, Tok { sep: sep as u32, start: start as u32, end: end as u32, hash, class, span: 1 });
}

/// Pushes a token; a variable joins the variable before it, and so do the month and weekday names that
/// surround a number (`at Wed Jun 15 02:04:59 2005` is one variable).
pub(super) fn push_tok(b: &[u8], out: &mut Vec<Tok>, mut t: Tok) {
    if let Some(last) = out.last_mut() {
        if last.class == Class::Var {
            // A variable that opened a bracket also takes its closing one: `(1.16 KB)` is a whole value.
            let closed = close_brackets(b, last.start as usize, last.end as usize, t.start as usize);
            last.end = closed as u32;
            t.sep = t.sep.max(last.end);
        }
    }
    let date_name =
        |t: &Tok| t.class == Class::Word && t.end - t.start == 3 && is_date_name(&b[t.start as usize..t.end as usize]);
    if t.class == Class::Word && out.last().is_some_and(|l| l.class == Class::Var) && date_name(&t) {
        t.class = Class::Var;
        t.hash = 0;
    }
    if t.class == Class::Var {
        while let Some(dn) = out.last().copied().filter(|l| date_name(l)) {
            out.pop();
            t.start = dn.start;
            t.sep = dn.sep;
        }
        if let Some(last) = out.last_mut() {
            if last.class == Class::Var {
                last.end = t.end;
                return;
            }
        }
    }
    out.push(t);
}

/// Where a variable spanning `b[start..end]` ends when it takes the closing brackets, among the bytes up to
/// `limit`, that match brackets it opened.
fn close_brackets(b: &[u8], start: usize, end: usize, limit: usize) -> usize {
    let mut end = end;
    while end < limit {
        let open = match b[end] {
            b')' => b'(',
            b']' => b'[',
            b'}' => b'{',
            _ => break,
        };
        let text = &b[start..end];
        let opened = text.iter().filter(|&&c| c == open).count();
        if opened <= text.iter().filter(|&&c| c == b[end]).count() {
            break;
        }
        end += 1;
    }
    end
}

fn is_date_name(w: &[u8]) -> bool {
    const NAMES: [&[u8]; 19] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec", b"Mon", b"Tue",
        b"Wed", b"Thu", b"Fri", b"Sat", b"Sun",
    ];
    w.len() == 3 && w[0].is_ascii_uppercase() && NAMES.iter().any(|n| w.eq_ignore_ascii_case(n))
}

/// Mixes a hash (the shape and skeleton hashes, the map hasher).
pub(super) const MIX: u64 = 0x9e37_79b9_7f4a_7c15;

/// Hash of a token's text, eight bytes at a time. Collisions (2^-64) are not checked.
pub(super) fn hash_bytes(b: &[u8]) -> u64 {
    let mut h: u64 = (b.len() as u64).wrapping_mul(MIX);
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h ^ w).wrapping_mul(0xff51_afd7_ed55_8ccd).rotate_left(29);
    }
    let mut last = 0u64;
    for (i, &x) in chunks.remainder().iter().enumerate() {
        last |= u64::from(x) << (8 * i);
    }
    h = (h ^ last).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 32)
}

/// The hash of a message's skeleton: its bytes with each run of ASCII digits taken as one `0`. Digits never
/// separate tokens and any digit makes a token a variable, so two messages of one skeleton have the same token
/// boundaries, classes and constant texts (only their variables' texts differ), as long as neither is cut by the
/// byte bound. Eight bytes at a time where they hold no digit.
pub(super) fn skeleton_hash(b: &[u8]) -> u64 {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let step = |h: u64, w: u64| (h ^ w).wrapping_mul(0xff51_afd7_ed55_8ccd).rotate_left(29);
    let mut h = 0x2545_f491_4f6c_dd1d_u64;
    let mut i = 0;
    // After a digit, the digits that follow it are skipped.
    let mut digit = false;
    while i < b.len() {
        if i + 8 <= b.len() {
            let w = u64::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7]]);
            // A byte in '0'..='9' (0x30..=0x39): x = byte - 0x30 is below 10; SWAR test of "any byte < 10".
            let x = w ^ (LOW * 0x30);
            let below_ten = x.wrapping_sub(LOW * 10) & !x & HIGH;
            if below_ten == 0 {
                h = step(h, w);
                digit = false;
                i += 8;
                continue;
            }
        }
        let c = b[i];
        if c.is_ascii_digit() {
            if !digit {
                h = step(h, u64::from(b'0') | 0x100);
            }
            digit = true;
        } else {
            h = step(h, u64::from(c) | 0x200);
            digit = false;
        }
        i += 1;
    }
    h.wrapping_mul(MIX)
}
