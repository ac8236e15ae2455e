//! The stage graph: no module of the library imports from a stage downstream of it.
//!
//! The stages, in the order data flows and dependencies go (a module may use its own stage and those above it):
//! the vocabulary (`model`, `time`, `hash`); `frame` (lines, records, timestamps, sanitising: pure functions on
//! bytes); `miner` (the template miner of unexplained lines: pure, on messages); `rules` (the compiled pack and its per-thread match cache); `source` (discovery and reading);
//! `aggregate` (episodes and the `ScanState` that carries them); `scan` (the hot path, which reads sources, frames
//! hits, matches rules and folds into aggregates); `correlate` (a borrowed state to incidents); `report` (printers);
//! `export` (tail mode's other views: metrics, alerts, webhooks, and the delivery queue); `follow` (tail mode, which
//! runs all of these on growing files). `lib.rs` (the facade) and the binary (`main.rs`,
//! `cli/`, `commands/`) sit on top.

use crate::util::root;
use std::path::Path;

const STAGES: &[&[&str]] = &[
    &["model", "time", "hash"],
    &["frame"],
    &["miner"],
    &["rules"],
    &["source"],
    &["aggregate"],
    &["scan"],
    &["correlate"],
    &["report"],
    &["export"],
    &["follow"],
];

fn rank(module: &str) -> Option<usize> {
    STAGES.iter().position(|s| s.contains(&module))
}

/// The stage of a library file (`src/scan/chunk.rs` → `scan`), `None` for the facade and the binary.
fn stage_of(rel: &Path) -> Option<&str> {
    let first = rel.components().next()?.as_os_str().to_str()?;
    let module = first.strip_suffix(".rs").unwrap_or(first);
    rank(module).map(|_| module)
}

/// Every `crate::NAME` a source text uses outside comments, with its line number.
fn uses(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let name: String = after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            // `crate::{a, b}` groups are not used in this code base; a name is required.
            if !name.is_empty() {
                out.push((n + 1, name));
            }
            rest = after;
        }
    }
    out
}

/// The imports that point downstream, as `file:line: stage uses downstream`.
fn violations(files: &[(std::path::PathBuf, String)]) -> Vec<String> {
    let mut bad = Vec::new();
    for (rel, text) in files {
        let Some(stage) = stage_of(rel) else { continue };
        let own = rank(stage).expect("a stage");
        for (line, used) in uses(text) {
            if let Some(r) = rank(&used) {
                if r > own {
                    bad.push(format!("src/{}:{line}: {stage} uses {used}, a stage downstream of it", rel.display()));
                }
            }
        }
    }
    bad
}

fn sources(dir: &Path, base: &Path, out: &mut Vec<(std::path::PathBuf, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            sources(&p, base, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push((p.strip_prefix(base).unwrap().to_path_buf(), std::fs::read_to_string(&p).unwrap()));
        }
    }
}

#[test]
fn no_module_imports_from_a_stage_downstream_of_it() {
    let src = root().join("src");
    let mut files = Vec::new();
    sources(&src, &src, &mut files);
    assert!(files.len() > 30, "the library's files: {}", files.len());
    // Every top-level module of the library has a stage (a new one must be placed in the graph).
    for (rel, _) in &files {
        let first = rel.components().next().unwrap().as_os_str().to_str().unwrap();
        let module = first.strip_suffix(".rs").unwrap_or(first);
        let top = ["lib", "main", "cli", "commands"].contains(&module);
        assert!(top || rank(module).is_some(), "src/{}: module {module} has no stage in STAGES", rel.display());
    }
    let bad = violations(&files);
    assert!(bad.is_empty(), "imports against the data flow:\n{}", bad.join("\n"));
}

#[test]
fn the_check_sees_an_import_downstream() {
    let files = vec![
        ("rules/mod.rs".into(), "use crate::scan::Scratch; // a comment naming crate::follow\n".to_string()),
        ("scan/mod.rs".into(), "use crate::rules::Pack;\nfn f(x: crate::report::Format) {}\n".to_string()),
        ("commands/scan.rs".into(), "use crate::cli::args;\n".to_string()),
    ];
    let bad = violations(&files);
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert!(bad[0].starts_with("src/rules/mod.rs:1: rules uses scan"));
    assert!(bad[1].starts_with("src/scan/mod.rs:2: scan uses report"));
}
