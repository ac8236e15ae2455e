//! The pack tests itself: every rule's examples must match (through the same hot path a scan uses, prefilter
//! included) and yield the fields they list; every counterexample must not match.

use super::{scan_buffer, Scratch};
use crate::rules::Pack;
use crate::source::Origin;
use regex_automata::Input;

/// One failed example or counterexample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestFailure {
    /// Rule id.
    pub rule: String,
    /// File of the rule.
    pub file: String,
    /// Line of the example.
    pub line: usize,
    /// What went wrong.
    pub message: String,
}

impl std::fmt::Display for TestFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: rule {}: {}", self.file, self.line, self.rule, self.message)
    }
}

/// The outcome of testing a pack.
#[derive(Debug, Clone, Default)]
pub struct TestReport {
    /// Rules tested.
    pub rules: usize,
    /// Examples run.
    pub examples: usize,
    /// Counterexamples run.
    pub counterexamples: usize,
    /// What failed.
    pub failures: Vec<TestFailure>,
}

/// Runs every example and counterexample of every rule.
pub fn test_pack(pack: &Pack) -> TestReport {
    let mut report = TestReport { rules: pack.rules().len(), ..TestReport::default() };
    let mut scratch = Scratch::new(pack);
    for (ri, rule) in pack.rules().iter().enumerate() {
        let mut fail = |line: usize, message: String| {
            report.failures.push(TestFailure {
                rule: rule.id.clone(),
                file: rule.location.file.clone(),
                line,
                message,
            });
        };
        for ex in &rule.examples {
            report.examples += 1;
            let mut caps = rule.regex.create_captures();
            let mut cache = rule.regex.create_cache();
            rule.regex.search_captures_with(&mut cache, &Input::new(ex.line.as_bytes()), &mut caps);
            if !caps.is_match() {
                fail(ex.location.line, format!("example does not match the pattern: {}", ex.line));
                continue;
            }
            for (name, want) in &ex.fields {
                let got = rule
                    .groups
                    .iter()
                    .find(|(_, n)| n == name)
                    .and_then(|(g, _)| caps.get_group(*g))
                    .map(|sp| String::from_utf8_lossy(&ex.line.as_bytes()[sp.range()]).into_owned())
                    .or_else(|| rule.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()));
                if got.as_deref() != Some(want.as_str()) {
                    fail(ex.location.line, format!("field {name}: expected {want:?}, got {got:?}"));
                }
            }
            if let Some(pf) = &pack.prefilter {
                let lits = pf.literals(ri);
                if !lits.is_empty() && !lits.iter().any(|l| memchr::memmem::find(ex.line.as_bytes(), l).is_some()) {
                    fail(
                        ex.location.line,
                        "example holds none of the rule's prefilter literals: the scan would miss it".into(),
                    );
                }
            }
            // The same line through the scanner's hot path, as a file of the example's component.
            let component = ex.component.or_else(|| rule.components.iter().next());
            let origin = Origin { component, ..Origin::default() };
            let mut line = ex.line.clone().into_bytes();
            line.push(b'\n');
            let found = scan_buffer(pack, &mut scratch, &line, &origin);
            if !found.iter().any(|(k, _)| k.rule as usize == ri) {
                let others: Vec<&str> = found.iter().map(|(k, _)| pack.rules()[k.rule as usize].id.as_str()).collect();
                fail(
                    ex.location.line,
                    format!("the scanner does not report this example under this rule (it reports: {others:?})"),
                );
            }
        }
        for (cx, loc) in &rule.counterexamples {
            report.counterexamples += 1;
            if rule.regex.is_match(Input::new(cx.as_bytes())) {
                fail(loc.line, format!("counterexample matches: {cx}"));
            }
        }
    }
    report
}
