//! Pattern compilation: rule regexes parsed once, made unable to match a line terminator, then handed to
//! regex-automata.
//!
//! The scanner searches whole buffers of many lines at once. A class such as `[^\]]` or `\s` would otherwise let
//! a match run from one line into the next, so every class loses `\n` and `\r` and every literal holding one
//! becomes a pattern that cannot match. After this, a match found in a buffer is always inside one line, and
//! searching a buffer is exactly equivalent to searching each line on its own.

use regex_syntax::hir::{
    Capture, Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Repetition,
};

/// Parses a rule pattern with the pack's syntax: ASCII classes (`\w`, `\d`, `\s`), byte-oriented `.` (log lines
/// need not be UTF-8), captures named with `(?P<name>...)` or `(?<name>...)`.
pub fn parse(pattern: &str) -> Result<Hir, Box<regex_syntax::Error>> {
    let hir = regex_syntax::ParserBuilder::new().unicode(false).utf8(false).build().parse(pattern).map_err(Box::new)?;
    Ok(strip_line_terminators(hir))
}

/// The capture groups of a parsed pattern, as a regex compiled from it numbers and names them: group 0 (the whole
/// match, unnamed), then each group by its index. Known without compiling the pattern, so capture slots are made
/// for rules whose regex is compiled only on first use.
pub fn group_info(hir: &Hir) -> Result<regex_automata::util::captures::GroupInfo, String> {
    fn walk<'h>(hir: &'h Hir, out: &mut Vec<(u32, Option<&'h str>)>) {
        match hir.kind() {
            HirKind::Capture(cap) => {
                out.push((cap.index, cap.name.as_deref()));
                walk(&cap.sub, out);
            }
            HirKind::Repetition(rep) => walk(&rep.sub, out),
            HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().for_each(|h| walk(h, out)),
            HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => {}
        }
    }
    let mut caps = Vec::new();
    walk(hir, &mut caps);
    let len = caps.iter().map(|&(i, _)| i as usize + 1).max().unwrap_or(1);
    let mut names: Vec<Option<&str>> = vec![None; len];
    for (i, name) in caps {
        names[i as usize] = name;
    }
    regex_automata::util::captures::GroupInfo::new([names]).map_err(|e| e.to_string())
}

/// Removes `\n` and `\r` from everything the pattern can match. It takes the tree apart rather than copying it:
/// start-up parses every pattern of the pack.
pub fn strip_line_terminators(hir: Hir) -> Hir {
    match hir.into_kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Look(look) => Hir::look(look),
        HirKind::Literal(lit) => {
            if lit.0.iter().any(|&b| b == b'\n' || b == b'\r') {
                Hir::fail()
            } else {
                Hir::literal(lit.0)
            }
        }
        HirKind::Class(Class::Unicode(mut c)) => {
            c.difference(&ClassUnicode::new([ClassUnicodeRange::new('\n', '\n'), ClassUnicodeRange::new('\r', '\r')]));
            Hir::class(Class::Unicode(c))
        }
        HirKind::Class(Class::Bytes(mut c)) => {
            c.difference(&ClassBytes::new([ClassBytesRange::new(b'\n', b'\n'), ClassBytesRange::new(b'\r', b'\r')]));
            Hir::class(Class::Bytes(c))
        }
        HirKind::Repetition(rep) => {
            Hir::repetition(Repetition { sub: Box::new(strip_line_terminators(*rep.sub)), ..rep })
        }
        HirKind::Capture(cap) => Hir::capture(Capture { sub: Box::new(strip_line_terminators(*cap.sub)), ..cap }),
        HirKind::Concat(subs) => Hir::concat(subs.into_iter().map(strip_line_terminators).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.into_iter().map(strip_line_terminators).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex_automata::meta::Regex;

    fn re(p: &str) -> Regex {
        Regex::builder().configure(Regex::config().utf8_empty(false)).build_from_hir(&parse(p).unwrap()).unwrap()
    }

    #[test]
    fn classes_never_cross_lines() {
        let r = re(r"blocked by: \[(?P<b>[^\]]+)\]");
        assert!(r.find("blocked by: [a\nb]").is_none());
        assert!(r.find("blocked by: [ab]").is_some());
        assert!(re(r"a\s+b").find("a\nb").is_none());
        assert!(re(r"a\s+b").find("a \t b").is_some());
        assert!(re("a\nb").find("a\nb").is_none());
    }

    #[test]
    fn bytes_that_are_not_utf8_match_dot() {
        assert!(re(r"x.y").find(b"x\xffy".as_slice()).is_some());
    }
}
