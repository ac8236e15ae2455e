//! Untrusted names and messages made safe for a terminal by showing their control characters, not obeying them.
//!
//! File names, keys and error messages come from the files being read (a file may be named
//! `\x1b[2J…`). Log text in samples is cleaned by [`super::sanitize::clean`], which drops escape sequences; a
//! name is escaped instead (`\x1b`), so that it stays unambiguous and can be found on disk. Secrets are redacted
//! as everywhere ([`super::sanitize::redact`]).

use std::borrow::Cow;
use std::fmt::Write;

/// `s` with every control character (newlines included) written as a visible escape (`\n`, `\t`, `\x1b`,
/// `\u{9b}`), and secrets redacted: for one-line names (paths, keys).
pub fn escape(s: &str) -> Cow<'_, str> {
    escape_with(s, false)
}

/// Like [`escape`], but line breaks are kept: for messages that span lines (a rule pack's list of problems).
pub fn escape_message(s: &str) -> Cow<'_, str> {
    escape_with(s, true)
}

/// Whether `c` changes what a terminal or a browser shows around it rather than showing itself: control
/// characters, and the format characters that reorder or break a line (bidirectional embeddings, overrides,
/// isolates and marks, which can make `gol.exe` of `exe.log`; zero-width space; line and paragraph separators).
pub(crate) fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200b}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}'
        )
}

fn escape_with(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    let clean = |c: char| !is_unsafe(c) || (keep_newlines && c == '\n');
    let escaped: Cow<'_, str> = if s.chars().all(clean) {
        Cow::Borrowed(s)
    } else {
        let mut out = String::with_capacity(s.len() + 8);
        for c in s.chars() {
            match c {
                c if clean(c) => out.push(c),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x100 => {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                }
                c => {
                    let _ = write!(out, "\\u{{{:x}}}", c as u32);
                }
            }
        }
        Cow::Owned(out)
    };
    match super::sanitize::redact(&escaped) {
        Cow::Borrowed(_) => escaped,
        Cow::Owned(r) => Cow::Owned(r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible() {
        assert_eq!(escape("plain/path.log"), "plain/path.log");
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
        assert_eq!(escape("a\x1b[2Jb\nc\u{9b}d"), "a\\x1b[2Jb\\nc\\x9bd");
        assert_eq!(escape_message("line one\nline\x07 two"), "line one\nline\\x07 two");
        assert_eq!(escape("x?api_key=0123abcd"), "x?api_key=<redacted>");
        assert_eq!(escape("stackstate-receiver-\u{202e}gol.exe"), "stackstate-receiver-\\u{202e}gol.exe");
        assert_eq!(escape("a\u{2028}b\u{2066}c"), "a\\u{2028}b\\u{2066}c");
        assert_eq!(escape("日本語 ok"), "日本語 ok");
    }
}
