//! Rule pack diagnostics: every problem found while loading, each pointing at file, line, column and rule id.

use std::fmt;

/// One problem in a rule pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file, as given (or as embedded: `rules/stackstate/agent.toml`).
    pub file: String,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// 1-based column, 0 when unknown.
    pub column: usize,
    /// The rule or chain the problem is in, when known.
    pub rule: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if let Some(r) = &self.rule {
            write!(f, "rule {r}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// A rule pack that could not be loaded, with every problem found (not just the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackError {
    /// The problems, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.diagnostics.len();
        writeln!(f, "invalid rule pack: {n} problem{}", if n == 1 { "" } else { "s" })?;
        for d in &self.diagnostics {
            writeln!(f, "  {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PackError {}

/// Maps byte offsets of one source text to 1-based line and column (in characters).
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { text, starts }
    }

    pub(crate) fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let col = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count()) + 1;
        (line, col)
    }

    /// The id of the `[[rule]]` or `[[chain]]` an offset falls in, found textually (used for syntax errors, where
    /// no parsed rule exists). An offset under another table (`[[fragment]]`, `[[family]]`, `[scope]`, ...) that
    /// follows a rule is in none.
    pub(crate) fn enclosing_id(&self, offset: usize) -> Option<String> {
        let before = self.text.get(..offset.min(self.text.len()))?;
        let header = before.lines().rev().find(|l| l.starts_with('['))?;
        let header = header.split('#').next().unwrap_or_default().trim_end();
        if !["[[rule]]", "[[rule.examples]]", "[[chain]]", "[[chain.stage]]"].contains(&header) {
            return None;
        }
        let table = before.rfind("[[rule]]").into_iter().chain(before.rfind("[[chain]]")).max()?;
        let after = &self.text[table..];
        let next = after[2..].find("\n[[").map_or(after.len(), |e| e + 2);
        after[..next].lines().find_map(|l| {
            let l = l.trim();
            let rest = l.strip_prefix("id")?.trim_start().strip_prefix('=')?.trim();
            Some(rest.trim_matches(|c| c == '"' || c == '\'').to_string())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_rule_or_a_chain_and_their_sub_tables_enclose_an_offset() {
        let text = "[[rule]]\nid = \"a.b\"\n\n[[rule.examples]]\nline = 'x'\n\n[[fragment]] # shared\nname = \"f\"\n\n\
                    [[chain]]\nid = \"c.d\"\n\n[[chain.stage]]\nwhen = []\n\n[[family]]\nid = \"connection\"\n";
        let index = LineIndex::new(text);
        let at = |needle: &str| index.enclosing_id(text.find(needle).unwrap());
        assert_eq!(at("id = \"a.b\"").as_deref(), Some("a.b"));
        assert_eq!(at("line = 'x'").as_deref(), Some("a.b"));
        assert_eq!(at("name = \"f\""), None);
        assert_eq!(at("when = []").as_deref(), Some("c.d"));
        assert_eq!(at("id = \"connection\""), None);
    }
}
