//! The pack tests itself through the scanner: every rule's examples must be reported under that rule by the same
//! hot path a scan uses (prefilter, candidate rules, record framing, suppression of generic fallbacks).

use super::{scan_buffer, Scratch};
use crate::rules::Pack;
use crate::source::Origin;

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

/// Runs every rule's examples through the scanner's hot path. (A loaded pack has passed the rest: each example
/// matches its own pattern with the fields it lists and holds a prefilter literal, no counterexample matches;
/// the loader refuses a pack where one does not.)
pub fn test_pack(pack: &Pack) -> TestReport {
    let mut report = TestReport { rules: pack.rules().len(), ..TestReport::default() };
    let mut scratch = Scratch::new(pack);
    for (ri, rule) in pack.rules().iter().enumerate() {
        report.counterexamples += rule.counterexamples.len();
        for ex in &rule.examples {
            report.examples += 1;
            // The line as a file of the example's component.
            let component = ex.component.or_else(|| rule.components.iter().next());
            let origin = Origin { component, ..Origin::default() };
            let mut line = ex.line.clone().into_bytes();
            line.push(b'\n');
            let found = scan_buffer(pack, &mut scratch, &line, &origin);
            if !found.iter().any(|(k, _)| k.rule as usize == ri) {
                let others: Vec<&str> = found.iter().map(|(k, _)| pack.rules()[k.rule as usize].id.as_str()).collect();
                report.failures.push(TestFailure {
                    rule: rule.id.clone(),
                    file: rule.location.file.clone(),
                    line: ex.location.line,
                    message: format!(
                        "the scanner does not report this example under this rule (it reports: {others:?})"
                    ),
                });
            }
        }
    }
    report
}
