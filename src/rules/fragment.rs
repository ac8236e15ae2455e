//! Named pattern fragments: pieces of regex that several rules share, written once in a `[[fragment]]` table and
//! spliced into rule patterns as `{{name}}` before the patterns are parsed.
//!
//! Rules that read the same writers' wordings and differ only in what follows them (an intake's answer: 401/403,
//! 404, 400) would otherwise each carry a copy of the wordings, and a wording added to one copy is missed by the
//! others. A fragment is spliced as a non-capturing group, so an alternation inside it stays inside it; the
//! expanded pattern is what the rule compiles, extracts its literals from and reports in errors. Fragments are
//! pack-wide (any file may use any file's fragments) and cannot use other fragments: one level keeps an error's
//! expanded pattern readable.

use super::error::{Diagnostic, LineIndex};
use super::load::{self, Checks, FileDiags};
use super::schema::FileDef;
use super::Location;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// The pack's fragments by name, each already wrapped as `(?:...)`.
#[derive(Debug, Default)]
pub(super) struct Fragments {
    by_name: HashMap<String, String>,
    /// Fragments declared with a problem (already reported at their table): a rule using one says so, rather than
    /// calling the name unknown.
    broken: HashSet<String>,
}

/// Takes the `[[fragment]]` tables out of every parsed file, checking each: a name of lowercase letters, digits and
/// `_`, unique in the pack; a pattern that parses on its own and uses no other fragment.
pub(super) fn gather(files: &mut [(&String, &String, FileDef)], diags: &mut Vec<Diagnostic>) -> Fragments {
    let mut out = Fragments::default();
    let mut first_at: HashMap<String, Location> = HashMap::new();
    for (file, text, parsed) in files.iter_mut() {
        let mut fd = FileDiags { file, index: LineIndex::new(text), out: diags };
        let at = |fd: &mut FileDiags<'_>, offset: usize, name: &str, message: String| {
            fd.at(offset, None, format!("fragment {name:?}: {message}"));
        };
        for def in std::mem::take(&mut parsed.fragment) {
            let def = def.into_inner();
            let name = def.name.get_ref().clone();
            let name_at = def.name.span().start;
            let pattern_at = def.pattern.span().start;
            if !is_name(&name) {
                at(
                    &mut fd,
                    name_at,
                    &name,
                    "a fragment name is lowercase letters, digits and '_', starting with a letter".into(),
                );
                continue;
            }
            if let Some(prev) = first_at.get(&name) {
                at(
                    &mut fd,
                    name_at,
                    &name,
                    format!("duplicate fragment (first defined at {}:{})", prev.file, prev.line),
                );
                continue;
            }
            first_at.insert(name.clone(), fd.location(name_at));
            let pattern = def.pattern.get_ref();
            if let Some(used) = references(pattern).next() {
                at(&mut fd, pattern_at, &name, format!("a fragment cannot use another fragment ({{{{{}}}}})", used.1));
                out.broken.insert(name);
                continue;
            }
            if let Err(e) = load::compile(pattern, Checks::Built) {
                at(&mut fd, pattern_at, &name, e);
                out.broken.insert(name);
                continue;
            }
            out.by_name.insert(name, format!("(?:{pattern})"));
        }
    }
    out
}

impl Fragments {
    /// The pattern with every `{{name}}` replaced by its fragment; borrowed when it uses none. An unknown name is
    /// an error naming it (the caller reports it at the rule's pattern).
    pub(super) fn expand<'p>(&self, pattern: &'p str) -> Result<Cow<'p, str>, String> {
        let mut refs = references(pattern).peekable();
        if refs.peek().is_none() {
            return Ok(Cow::Borrowed(pattern));
        }
        let mut out = String::with_capacity(pattern.len() * 2);
        let mut done = 0;
        for (range, name) in refs {
            if !is_name(name) {
                return Err(format!(
                    "{{{{{name}}}}} is not a fragment name (lowercase letters, digits and '_'; `\\{{{{` for a literal brace)"
                ));
            }
            if self.broken.contains(name) {
                return Err(format!(
                    "fragment {{{{{name}}}}} has problems of its own (reported at its [[fragment]] table)"
                ));
            }
            let Some(body) = self.by_name.get(name) else {
                let mut known: Vec<&str> = self.by_name.keys().map(String::as_str).collect();
                known.sort_unstable();
                let known = if known.is_empty() { "none".to_string() } else { known.join(", ") };
                return Err(format!("unknown fragment {{{{{name}}}}} (the pack's [[fragment]] tables name: {known})"));
            };
            out.push_str(&pattern[done..range.start]);
            out.push_str(body);
            done = range.end;
        }
        out.push_str(&pattern[done..]);
        Ok(Cow::Owned(out))
    }
}

fn is_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The `{{...}}` references of a pattern (their byte range and what is between the braces), in order; what is
/// between them need not be a valid name ([`Fragments::expand`] says so). A `{{` after an odd number of backslashes
/// is an escaped brace, not a reference (the next `{` may open one); a `{{` not closed on its line is left to the
/// regex parser, which rejects it.
fn references(pattern: &str) -> impl Iterator<Item = (std::ops::Range<usize>, &str)> {
    let bytes = pattern.as_bytes();
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(i) = memchr::memmem::find(&bytes[from..], b"{{").map(|i| from + i) {
            let escapes = bytes[..i].iter().rev().take_while(|&&b| b == b'\\').count();
            if escapes % 2 == 1 {
                from = i + 1;
                continue;
            }
            from = i + 2;
            let rest = &pattern[i + 2..];
            if let Some(end) = rest.find("}}") {
                let name = &rest[..end];
                if !name.is_empty() && !name.contains(['{', '}', '\n']) {
                    from = i + 2 + end + 2;
                    return Some((i..from, name));
                }
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fragments(pairs: &[(&str, &str)]) -> Fragments {
        Fragments {
            by_name: pairs.iter().map(|(n, p)| (n.to_string(), format!("(?:{p})"))).collect(),
            broken: HashSet::new(),
        }
    }

    #[test]
    fn splices_each_reference_as_a_group() {
        let f = fragments(&[("sender", "a|b"), ("tail", r"\d+")]);
        assert_eq!(f.expand("x{{sender}}y{{tail}}").unwrap(), r"x(?:a|b)y(?:\d+)");
        assert!(matches!(f.expand("plain (a|b){2}").unwrap(), Cow::Borrowed(_)));
    }

    #[test]
    fn escaped_braces_and_repetitions_are_not_references() {
        let f = fragments(&[("a", "z")]);
        assert_eq!(f.expand(r"\{{a}}").unwrap(), r"\{{a}}");
        assert_eq!(f.expand(r"\{{{a}}").unwrap(), r"\{(?:z)");
        assert_eq!(f.expand(r"\\{{a}}").unwrap(), r"\\(?:z)");
        assert_eq!(f.expand("x{2}{{a}}").unwrap(), "x{2}(?:z)");
    }

    #[test]
    fn a_reference_that_is_not_a_name_or_to_a_broken_fragment_is_an_error() {
        let mut f = fragments(&[("a", "z")]);
        assert!(f.expand("{{ a }}").unwrap_err().contains("{{ a }} is not a fragment name"));
        assert!(f.expand("{{Vector_x}}").unwrap_err().contains("is not a fragment name"));
        f.broken.insert("b".into());
        assert!(f.expand("{{b}}").unwrap_err().contains("fragment {{b}} has problems of its own"));
    }

    #[test]
    fn an_unknown_name_is_an_error_listing_the_known_ones() {
        let err = fragments(&[("b", "1"), ("a", "2")]).expand("{{c}}").unwrap_err();
        assert_eq!(err, "unknown fragment {{c}} (the pack's [[fragment]] tables name: a, b)");
    }
}
