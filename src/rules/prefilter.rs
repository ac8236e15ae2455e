//! The literal prefilter: one multi-literal search over the buffer finds the few lines worth running regexes on.
//!
//! **Contract: false positives allowed, false negatives never.** For every rule we keep a set of literals such
//! that any match of the rule's pattern contains at least one of them (taken from the pattern's prefixes,
//! suffixes or required inner pieces, or declared by the rule author with `literals`). A line that contains none
//! of the pack's literals cannot match any rule, so it is skipped without running a regex. A line that contains
//! one is only a candidate: the regexes decide. The pack's self-test checks the declared literals against every
//! example line, and `tests/prefilter.rs` checks the whole contract against a brute-force per-line match.
//!
//! When a rule yields no usable literal (and declares none), the prefilter is not used at all and the scanner
//! falls back to the multi-pattern regex over every byte; `stackscan rules check` names such rules as slow.

use super::Rule;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex_syntax::hir::literal::{ExtractKind, Extractor, Seq};
use regex_syntax::hir::{Hir, HirKind};

/// Shortest literal worth searching for: shorter ones make nearly every line a candidate.
const MIN_LITERAL: usize = 3;

/// The compiled multi-literal searcher.
#[derive(Debug)]
pub(crate) struct Prefilter {
    ac: Option<AhoCorasick>,
    /// Per rule, its literals (for diagnostics and `rules test`).
    per_rule: Vec<Vec<Vec<u8>>>,
    /// Rules with no usable literal.
    slow: Vec<usize>,
}

impl Prefilter {
    /// Extracts every rule's literals and builds the searcher. Always returns a value so `slow_rules` can be
    /// asked; `is_usable` says whether scanning may rely on it.
    pub(crate) fn build(rules: &[Rule], hirs: &[Hir]) -> Option<Prefilter> {
        let mut per_rule = Vec::with_capacity(rules.len());
        let mut slow = Vec::new();
        let mut all: Vec<Vec<u8>> = Vec::new();
        for (i, (rule, hir)) in rules.iter().zip(hirs).enumerate() {
            let lits = if rule.literals.is_empty() {
                required_literals(hir).unwrap_or_default()
            } else {
                rule.literals.iter().map(|l| l.as_bytes().to_vec()).collect()
            };
            if lits.is_empty() {
                slow.push(i);
            }
            all.extend(lits.iter().cloned());
            per_rule.push(lits);
        }
        all.sort();
        all.dedup();
        // A literal that contains another adds nothing: the shorter one already makes the line a candidate.
        let minimal: Vec<Vec<u8>> = all
            .iter()
            .filter(|l| !all.iter().any(|o| o.len() < l.len() && memchr::memmem::find(l, o).is_some()))
            .cloned()
            .collect();
        let ac = if slow.is_empty() {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostFirst)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&minimal)
                .ok()
        } else {
            None
        };
        Some(Prefilter { ac, per_rule, slow })
    }

    /// The searcher, when every rule has literals.
    pub(crate) fn searcher(&self) -> Option<&AhoCorasick> {
        self.ac.as_ref()
    }

    /// Rules with no usable literal.
    pub(crate) fn slow_rules(&self) -> &[usize] {
        &self.slow
    }

    /// The literals kept for rule `i`.
    pub(crate) fn literals(&self, i: usize) -> &[Vec<u8>] {
        &self.per_rule[i]
    }
}

fn usable(seq: &Seq) -> Option<Vec<Vec<u8>>> {
    let lits = seq.literals()?;
    if lits.is_empty() || lits.iter().any(|l| l.as_bytes().len() < MIN_LITERAL) {
        return None;
    }
    Some(lits.iter().map(|l| l.as_bytes().to_vec()).collect())
}

fn extract(hir: &Hir, kind: ExtractKind) -> Option<Vec<Vec<u8>>> {
    let mut ex = Extractor::new();
    ex.kind(kind).limit_class(8).limit_repeat(4).limit_literal_len(64).limit_total(64);
    let mut seq = ex.extract(hir);
    seq.minimize_by_preference();
    usable(&seq)
}

/// Literals one of which appears in every match of `hir`, or `None` when no usable set is found.
pub(crate) fn required_literals(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let candidates = [extract(hir, ExtractKind::Prefix), extract(hir, ExtractKind::Suffix), inner(hir)];
    candidates.into_iter().flatten().max_by_key(|lits| score(lits))
}

/// Literals required by some part of the pattern that every match passes through.
fn inner(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    match hir.kind() {
        HirKind::Capture(c) => required_literals(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => required_literals(&r.sub),
        // Every match of a concatenation matches each of its parts: the best part's literals will do.
        HirKind::Concat(subs) => subs.iter().filter_map(required_literals).max_by_key(|l| score(l)),
        // Every match of an alternation matches one branch: all branches need literals.
        HirKind::Alternation(subs) => {
            let mut all = Vec::new();
            for s in subs {
                all.extend(required_literals(s)?);
            }
            Some(all)
        }
        _ => None,
    }
}

/// Prefer longer shortest literals, then fewer literals.
fn score(lits: &[Vec<u8>]) -> (usize, std::cmp::Reverse<usize>) {
    (lits.iter().map(Vec::len).min().unwrap_or(0).min(16), std::cmp::Reverse(lits.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(p: &str) -> Option<Vec<String>> {
        let h = super::super::hir::parse(p).unwrap();
        required_literals(&h).map(|v| v.into_iter().map(|l| String::from_utf8(l).unwrap()).collect())
    }

    #[test]
    fn finds_prefix_suffix_and_inner_literals() {
        assert_eq!(
            lits(r"flood stage disk watermark \[(?P<w>[^\]]+)\]"),
            Some(vec!["flood stage disk watermark [".into()])
        );
        assert_eq!(lits(r"[A-Za-z]+ blocked by: \[(?P<b>.*)\]$"), Some(vec![" blocked by: [".into()]));
        assert_eq!(lits(r"\w+(?:foo|bar)xyz\d+"), Some(vec!["xyz".into()]));
        assert_eq!(lits(r".*\d+.*"), None);
        assert_eq!(lits(r"a.b"), None);
    }
}
