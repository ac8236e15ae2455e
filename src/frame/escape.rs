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

fn escape_with(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    let clean = |c: char| !c.is_control() || (keep_newlines && c == '\n');
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
    }
}
