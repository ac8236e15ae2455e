//! Reading rule files, validating them completely, and compiling the pack.
//!
//! Every problem is collected before failing: TOML syntax (first error per file, with the rule it is in),
//! unknown fields, unknown families, components and severities, duplicate ids, regexes that do not compile,
//! `key` names that are not captures, chain references to rules that do not exist.

use super::error::{Diagnostic, LineIndex, PackError};
use super::schema::{ChainDef, FileDef, RuleDef};
use super::{fragment, hir, prefilter, Chain, Escalate, Example, Layer, Location, Pack, Rule, Scope, Selector, Stage};
use super::{FamilyInfo, Knowledge, TargetRule, TelemetryRule};
use crate::model::{Component, ComponentSet, Severity};
use crate::time::parse_duration;
use regex_automata::meta::Regex;
use regex_automata::util::syntax;
use regex_automata::MatchKind;
use std::collections::HashMap;
use std::path::Path;
use toml::Spanned;

/// Adds the `.toml` files under `path` (or `path` itself) to `out`, in name order.
pub(super) fn collect_files(path: &Path, out: &mut Vec<(String, String)>, diags: &mut Vec<Diagnostic>) {
    let fail = |diags: &mut Vec<Diagnostic>, message: String| {
        diags.push(Diagnostic { file: path.display().to_string(), line: 0, column: 0, rule: None, message })
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return fail(diags, format!("cannot read rule path: {e}")),
    };
    if meta.is_dir() {
        let mut entries: Vec<_> = match std::fs::read_dir(path) {
            Ok(rd) => rd.filter_map(Result::ok).map(|e| e.path()).collect(),
            Err(e) => return fail(diags, format!("cannot list rule directory: {e}")),
        };
        entries.sort();
        for e in entries {
            if e.is_dir() || e.extension().is_some_and(|x| x == "toml") {
                collect_files(&e, out, diags);
            }
        }
        return;
    }
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => out.push((path.display().to_string(), text)),
            Err(e) => fail(diags, format!("rule file is not UTF-8 (byte {})", e.utf8_error().valid_up_to())),
        },
        Err(e) => fail(diags, format!("cannot read rule file: {e}")),
    }
}

/// Diagnostics for one file, pointing into its text.
pub(super) struct FileDiags<'a> {
    pub(super) file: &'a str,
    pub(super) index: LineIndex<'a>,
    pub(super) out: &'a mut Vec<Diagnostic>,
}

impl FileDiags<'_> {
    pub(super) fn at(&mut self, offset: usize, rule: Option<&str>, message: impl Into<String>) {
        let (line, column) = self.index.position(offset);
        self.out.push(Diagnostic {
            file: self.file.to_string(),
            line,
            column,
            rule: rule.map(str::to_string),
            message: message.into(),
        });
    }

    pub(super) fn location(&self, offset: usize) -> Location {
        Location { file: self.file.to_string(), line: self.index.position(offset).0 }
    }
}

/// A stable hash of the pack's files (base names and texts), in hex: the same pack loaded from the binary or
/// from a copy of its directory has the same fingerprint.
fn fingerprint(sources: &[(String, String)]) -> String {
    let mut h = crate::hash::Fnv::default();
    for (name, text) in sources {
        h.write_part(name.rsplit('/').next().unwrap_or(name).as_bytes());
        h.write_part(text.as_bytes());
    }
    format!("{:016x}", h.finish())
}

/// How much of a pack's validity loading proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Checks {
    /// Everything: every pattern compiled, every example and counterexample run (a pack from files).
    All,
    /// The pack shipped in the binary: its texts cannot change after the build, and `cargo test` loads them with
    /// [`Checks::All`] (`Pack::embedded_checked`). Loading parses and validates the TOML and the patterns but
    /// compiles a rule's regex only when a scan first needs it: most rules never meet a candidate line in a
    /// scan, and compiling all of them and running their examples was most of the start-up.
    Built,
}

pub(super) fn build(sources: Vec<(String, String)>, checks: Checks) -> Result<Pack, PackError> {
    // The fingerprint hashes every byte of the pack one at a time: done beside the parsing, not before it.
    let (fingerprint, parsed) = rayon::join(
        || fingerprint(&sources),
        || {
            use rayon::prelude::*;
            sources.par_iter().map(|(_, text)| toml::from_str::<FileDef>(text)).collect::<Vec<_>>()
        },
    );
    let mut diags = Vec::new();
    let mut rules: Vec<Rule> = Vec::new();
    let mut chain_defs: Vec<(&String, &String, Spanned<ChainDef>)> = Vec::new();
    let mut seen: HashMap<String, Location> = HashMap::new();
    let mut files = Vec::new();

    let mut parsed_files = Vec::new();
    for ((file, text), parsed) in sources.iter().zip(parsed) {
        files.push(file.clone());
        match parsed {
            Ok(p) => parsed_files.push((file, text, p)),
            Err(e) => {
                let mut fd = FileDiags { file, index: LineIndex::new(text), out: &mut diags };
                let offset = e.span().map_or(0, |s| s.start);
                let rule = fd.index.enclosing_id(offset);
                fd.at(offset, rule.as_deref(), e.message().trim().to_string());
            }
        }
    }
    let knowledge = gather_knowledge(&mut parsed_files, &mut diags);
    let fragments = fragment::gather(&mut parsed_files, &mut diags);
    // Compiling the patterns is most of the start-up: it is done on every core, in pack order.
    let patterns: Vec<&str> = parsed_files
        .iter()
        .flat_map(|(_, _, p)| p.rule.iter().map(|d| d.get_ref().pattern.get_ref().as_str()))
        .collect();
    let compile_one = |pattern: &str| -> (Compiled, Option<String>) {
        match fragments.expand(pattern) {
            Ok(std::borrow::Cow::Borrowed(p)) => (compile(p, checks), None),
            Ok(std::borrow::Cow::Owned(p)) => (compile(&p, checks), Some(p)),
            Err(e) => (Err(e), None),
        }
    };
    let mut compiled = {
        use rayon::prelude::*;
        let v: Vec<(Compiled, Option<String>)> = patterns.par_iter().map(|p| compile_one(p)).collect();
        v.into_iter()
    };
    for (file, text, parsed) in parsed_files {
        let mut fd = FileDiags { file, index: LineIndex::new(text), out: &mut diags };
        for def in parsed.rule {
            let (compiled, expanded) = compiled.next().unwrap_or_else(|| compile_one(def.get_ref().pattern.get_ref()));
            let start = def.span().start;
            let def = def.into_inner();
            let id = def.id.get_ref().clone();
            if let Some(prev) = seen.get(&id) {
                fd.at(
                    def.id.span().start,
                    Some(&id),
                    format!("duplicate id (first defined at {}:{})", prev.file, prev.line),
                );
                continue;
            }
            seen.insert(id.clone(), fd.location(start));
            if let Some(c) = check_rule(def, start, (compiled, expanded), &knowledge, &mut fd) {
                rules.push(c);
            }
        }
        for def in parsed.chain {
            let id = def.get_ref().id.get_ref().clone();
            if let Some(prev) = seen.get(&id) {
                fd.at(
                    def.get_ref().id.span().start,
                    Some(&id),
                    format!("duplicate id (first defined at {}:{})", prev.file, prev.line),
                );
                continue;
            }
            seen.insert(id.clone(), fd.location(def.span().start));
            chain_defs.push((file, text, def));
        }
    }

    let ids: HashMap<&str, usize> = rules.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
    let mut chains = Vec::new();
    for (file, text, def) in &chain_defs {
        let mut fd = FileDiags { file, index: LineIndex::new(text), out: &mut diags };
        if let Some(c) = check_chain(def, &ids, &rules, &knowledge, &mut fd) {
            chains.push(c);
        }
    }

    if rules.is_empty() && diags.is_empty() {
        diags.push(Diagnostic {
            file: files.join(", "),
            line: 0,
            column: 0,
            rule: None,
            message: "the pack defines no rules".into(),
        });
    }
    if !diags.is_empty() {
        return Err(PackError { diagnostics: diags });
    }

    let hirs: Vec<&regex_syntax::hir::Hir> = rules.iter().map(|r| &r.hir).collect();
    let whole = |kind: MatchKind| {
        Regex::builder()
            .syntax(syntax::Config::new().unicode(false).utf8(false))
            .configure(Regex::config().match_kind(kind).utf8_empty(false))
            .build_many_from_hir(&hirs)
            .map_err(Box::new)
    };
    let rules_only: Vec<&Rule> = rules.iter().collect();
    let prefilter = prefilter::Prefilter::build(&rules_only);
    // What rules/README.md promises: a rule whose example does not match (or yields other fields, or holds none
    // of the literals the prefilter searches), or whose counterexample matches, makes the pack invalid.
    let failed = if checks == Checks::All { check_examples(&rules_only, prefilter.as_ref()) } else { Vec::new() };
    if !failed.is_empty() {
        return Err(PackError { diagnostics: failed });
    }
    // The multi-pattern regexes serve only scans without the prefilter: not compiling them otherwise saves about
    // half of the start-up (each pattern was already compiled and checked on its own).
    if prefilter.as_ref().is_some_and(|p| p.is_usable()) {
        return Ok(Pack {
            rules,
            chains,
            search: None,
            set: None,
            prefilter,
            levels: std::sync::OnceLock::new(),
            files,
            fingerprint,
            knowledge,
        });
    }
    let (search, set) = match (whole(MatchKind::LeftmostFirst), whole(MatchKind::All)) {
        (Ok(a), Ok(b)) => (Some(a), Some(b)),
        (Err(e), _) | (_, Err(e)) => {
            let rule = e.pattern().map(|p| rules[p.as_usize()].id.clone());
            return Err(PackError {
                diagnostics: vec![Diagnostic {
                    file: files.join(", "),
                    line: 0,
                    column: 0,
                    rule,
                    message: format!("cannot build the pack's regex: {e}"),
                }],
            });
        }
    };
    Ok(Pack {
        rules,
        chains,
        search,
        set,
        prefilter,
        levels: std::sync::OnceLock::new(),
        files,
        fingerprint,
        knowledge,
    })
}

/// Runs every rule's examples and counterexamples through its own regex (the pack's self-test, `stackscan rules
/// test`, also runs the examples through the scanner's hot path): the problems, each at the example's line.
fn check_examples(rules: &[&Rule], prefilter: Option<&prefilter::Prefilter>) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    let per_rule: Vec<Vec<Diagnostic>> = rules
        .par_iter()
        .enumerate()
        .map(|(ri, rule)| {
            let mut out = Vec::new();
            let mut fail = |loc: &Location, message: String| {
                out.push(Diagnostic {
                    file: loc.file.clone(),
                    line: loc.line,
                    column: 1,
                    rule: Some(rule.id.clone()),
                    message,
                })
            };
            let regex = rule.regex();
            let mut caps = regex.create_captures();
            let mut cache = regex.create_cache();
            for ex in &rule.examples {
                let line = ex.line.as_bytes();
                regex.search_captures_with(&mut cache, &regex_automata::Input::new(line), &mut caps);
                if !caps.is_match() {
                    fail(&ex.location, format!("example does not match the pattern: {}", ex.line));
                    continue;
                }
                for (name, want) in &ex.fields {
                    let got = rule
                        .groups
                        .iter()
                        .find(|(_, n)| n == name)
                        .and_then(|(g, _)| caps.get_group(*g))
                        .map(|sp| String::from_utf8_lossy(&line[sp.range()]).into_owned())
                        .or_else(|| rule.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()));
                    if got.as_deref() != Some(want.as_str()) {
                        fail(&ex.location, format!("example: field {name}: expected {want:?}, got {got:?}"));
                    }
                }
                if let Some(pf) = prefilter {
                    let lits = pf.literals(ri);
                    if !lits.is_empty() && !lits.iter().any(|l| memchr::memmem::find(line, l).is_some()) {
                        fail(
                            &ex.location,
                            "example holds none of the rule's prefilter literals: the scan would miss it".into(),
                        );
                    }
                }
            }
            for (cx, loc) in &rule.counterexamples {
                if regex.search_half_with(&mut cache, &regex_automata::Input::new(cx.as_bytes())).is_some() {
                    fail(loc, format!("counterexample matches: {cx}"));
                }
            }
            out
        })
        .collect();
    per_rule.into_iter().flatten().collect()
}

/// Collects the `[[family]]`, `[[telemetry]]`, `[scope]` and `[display]` tables of every file (taking them out of
/// the parsed files), checking each and reporting duplicates.
fn gather_knowledge(files: &mut [(&String, &String, FileDef)], diags: &mut Vec<Diagnostic>) -> Knowledge {
    let mut k = Knowledge::default();
    let mut family_at: HashMap<String, Location> = HashMap::new();
    let mut scope_at: Option<Location> = None;
    let mut display_at: Option<Location> = None;
    for (file, text, parsed) in files.iter_mut() {
        let mut fd = FileDiags { file, index: LineIndex::new(text), out: diags };
        for def in std::mem::take(&mut parsed.family) {
            let at = fd.location(def.span().start);
            let def = def.into_inner();
            let id = def.id.get_ref().clone();
            if id.is_empty() || !id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
                fd.at(def.id.span().start, Some(&id), "a family id is lowercase letters, digits and '-'");
            }
            if let Some(prev) = family_at.get(&id) {
                let msg = format!("family declared twice (first at {}:{})", prev.file, prev.line);
                fd.at(def.id.span().start, Some(&id), msg);
                continue;
            }
            family_at.insert(id.clone(), at);
            let mut rooted_instead = Vec::new();
            // The keys carry no position of their own: both sides are reported at the value.
            for (from, to) in &def.rooted_instead {
                let mut component = |name: &str| {
                    let c = Component::parse(name);
                    if c.is_none() {
                        let names = Component::names();
                        let msg = format!("rooted_instead: unknown component {name:?} (expected one of: {names})");
                        fd.at(to.span().start, Some(&id), msg);
                    }
                    c
                };
                if let (Some(f), Some(t)) = (component(from), component(to.get_ref())) {
                    rooted_instead.push((f, t));
                }
            }
            k.families.push(FamilyInfo { id, description: def.description, rooted_instead });
        }
        for def in std::mem::take(&mut parsed.telemetry) {
            let start = def.span().start;
            let def = def.into_inner();
            let before = fd.out.len();
            if def.fields.get_ref().is_empty() {
                fd.at(def.fields.span().start, None, "a [[telemetry]] entry names at least one field");
            }
            if def.kinds.get_ref().is_empty() {
                fd.at(def.kinds.span().start, None, "a [[telemetry]] entry names at least one kind");
            }
            if def.contains.is_empty() && def.equals.is_empty() {
                fd.at(start, None, "a [[telemetry]] entry needs `contains` or `equals` values to match");
            }
            if fd.out.len() == before {
                k.telemetry.push(TelemetryRule {
                    fields: def.fields.into_inner(),
                    contains: def.contains,
                    equals: def.equals,
                    kinds: def.kinds.into_inner(),
                });
            }
        }
        for def in std::mem::take(&mut parsed.target) {
            let start = def.span().start;
            let def = def.into_inner();
            let before = fd.out.len();
            if def.fields.get_ref().is_empty() {
                fd.at(def.fields.span().start, None, "a [[target]] entry names at least one field");
            }
            if def.contains.is_empty() && def.equals.is_empty() {
                fd.at(start, None, "a [[target]] entry needs `contains` or `equals` values to match");
            }
            let component =
                parse_enum(&mut fd, "[[target]]", "component", &def.component, Component::parse, Component::names());
            if let (Some(component), true) = (component, fd.out.len() == before) {
                k.targets.push(TargetRule {
                    fields: def.fields.into_inner(),
                    contains: def.contains,
                    equals: def.equals,
                    component,
                });
            }
        }
        if let Some(def) = parsed.scope.take() {
            let at = fd.location(def.span().start);
            match &scope_at {
                Some(prev) => fd.at(
                    def.span().start,
                    None,
                    format!("[scope] declared twice (first at {}:{})", prev.file, prev.line),
                ),
                None => {
                    scope_at = Some(at);
                    k.single_integration_fields = def.into_inner().single_integration_fields;
                }
            }
        }
        if let Some(def) = parsed.display.take() {
            let at = fd.location(def.span().start);
            match &display_at {
                Some(prev) => fd.at(
                    def.span().start,
                    None,
                    format!("[display] declared twice (first at {}:{})", prev.file, prev.line),
                ),
                None => {
                    display_at = Some(at);
                    k.quiet_fields = def.into_inner().quiet_fields;
                }
            }
        }
    }
    k
}

fn parse_enum<T>(
    fd: &mut FileDiags<'_>,
    id: &str,
    what: &str,
    v: &Spanned<String>,
    parse: fn(&str) -> Option<T>,
    names: String,
) -> Option<T> {
    let r = parse(v.get_ref());
    if r.is_none() {
        fd.at(v.span().start, Some(id), format!("unknown {what} {:?} (expected one of: {names})", v.get_ref()));
    }
    r
}

/// A pattern parsed (and compiled, under [`Checks::All`]), or what went wrong.
pub(super) type Compiled = Result<(regex_syntax::hir::Hir, Option<Regex>), String>;

/// Parses one rule pattern and, under [`Checks::All`], compiles it (see [`Rule::regex`]).
pub(super) fn compile(pattern: &str, checks: Checks) -> Compiled {
    let h = hir::parse(pattern).map_err(|e| format!("invalid pattern: {}", e.to_string().replace('\n', "\n    ")))?;
    let re = match checks {
        Checks::All => Some(super::build_short(&h).map_err(|e| format!("pattern does not compile: {e}"))?),
        Checks::Built => None,
    };
    Ok((h, re))
}

/// Checks one rule; `compiled` is its pattern parsed (and compiled), with the pattern after its fragments were
/// spliced in when it uses any.
fn check_rule(
    def: RuleDef,
    start: usize,
    (compiled, expanded): (Compiled, Option<String>),
    knowledge: &Knowledge,
    fd: &mut FileDiags<'_>,
) -> Option<Rule> {
    let id = def.id.get_ref().clone();
    let before = fd.out.len();
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)) {
        fd.at(def.id.span().start, Some(&id), "id must be lowercase letters, digits, '.', '_' or '-'");
    }
    let family = def.family.get_ref().clone();
    if !knowledge.has_family(&family) {
        let names: Vec<&str> = knowledge.families.iter().map(|f| f.id.as_str()).collect();
        fd.at(
            def.family.span().start,
            Some(&id),
            format!("unknown family {family:?} (the pack's [[family]] tables declare: {})", names.join(", ")),
        );
    }
    let severity = parse_enum(fd, &id, "severity", &def.severity, Severity::parse, Severity::names());
    let mut components = ComponentSet::default();
    for c in def.components.get_ref() {
        if let Some(c) = parse_enum(fd, &id, "component", c, Component::parse, Component::names()) {
            components.insert(c);
        }
    }
    if def.components.get_ref().is_empty() {
        fd.at(def.components.span().start, Some(&id), "components must name at least one component");
    }
    if def.next_steps.get_ref().is_empty() {
        fd.at(def.next_steps.span().start, Some(&id), "next_steps must hold at least one step");
    }
    let layer = match def.layer.as_ref().map(|l| (l, l.get_ref().as_str())) {
        None | Some((_, "writer")) => Layer::Writer,
        Some((_, "kind")) => Layer::Kind,
        Some((l, other)) => {
            fd.at(l.span().start, Some(&id), format!("unknown layer {other:?} (expected writer or kind)"));
            Layer::Writer
        }
    };
    let marked = def.known_writer.as_ref().filter(|k| *k.get_ref());
    if let Some(k) = marked.filter(|_| layer == Layer::Kind) {
        fd.at(
            k.span().start,
            Some(&id),
            "known_writer marks a writer's rule (a kind's rank does not depend on who wrote the line)",
        );
    }
    let known_writer = marked.is_some();
    let root_cause =
        def.root_cause.as_ref().and_then(|c| parse_enum(fd, &id, "component", c, Component::parse, Component::names()));
    let scope = def.scope.as_ref().and_then(|s| parse_scope(fd, &id, s));
    let pattern_at = def.pattern.span().start;
    let (hir, regex) = match compiled {
        Ok((h, r)) => (Some(h), r),
        Err(e) => {
            fd.at(pattern_at, Some(&id), e);
            (None, None)
        }
    };
    let mut groups = Vec::new();
    let mut key_groups = Vec::new();
    let group_info = hir.as_ref().map(hir::group_info);
    if let Some(Ok(info)) = &group_info {
        for (i, name) in info.pattern_names(regex_automata::PatternID::ZERO).enumerate() {
            if let Some(n) = name {
                groups.push((i, n.to_string()));
            }
        }
        for k in &def.key {
            match groups.iter().find(|(_, n)| n == k.get_ref()) {
                Some((i, _)) => key_groups.push(*i),
                None => fd.at(
                    k.span().start,
                    Some(&id),
                    format!("key {:?} is not a named capture of the pattern", k.get_ref()),
                ),
            }
        }
        for name in def.fields.keys() {
            if groups.iter().any(|(_, n)| n == name) {
                fd.at(pattern_at, Some(&id), format!("constant field {name:?} is also a capture of the pattern"));
            }
        }
    }
    // A `when` naming no capture is reported once the pattern's captures are known (none when it did not compile).
    let captures = group_info.as_ref().and_then(|g| g.as_ref().ok()).map(|_| groups.as_slice());
    let escalate = def.escalate.as_ref().and_then(|e| check_escalate(fd, &id, e, severity, captures));
    let mut examples = Vec::new();
    for ex in &def.examples {
        let loc = fd.location(ex.span().start);
        let e = ex.get_ref();
        let component = match &e.component {
            Some(c) => match Component::parse(c) {
                Some(c) => Some(c),
                None => {
                    fd.at(ex.span().start, Some(&id), format!("unknown component {c:?} in example"));
                    None
                }
            },
            None => None,
        };
        for name in e.fields.keys() {
            if !groups.iter().any(|(_, n)| n == name) && !def.fields.contains_key(name) && hir.is_some() {
                fd.at(
                    ex.span().start,
                    Some(&id),
                    format!("example expects field {name:?}, which the rule does not produce"),
                );
            }
        }
        examples.push(Example {
            line: e.line.clone(),
            fields: e.fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            component,
            location: loc,
        });
    }
    if def.examples.is_empty() {
        fd.at(start, Some(&id), "a rule needs at least one [[rule.examples]] line");
    }
    let group_info = match group_info {
        Some(Ok(info)) => Some(info),
        Some(Err(e)) => {
            fd.at(pattern_at, Some(&id), format!("pattern does not compile: {e}"));
            None
        }
        None => None,
    };
    if fd.out.len() != before {
        return None;
    }
    Some(Rule {
        id,
        title: def.title,
        family,
        severity: severity?,
        components,
        pattern: expanded.unwrap_or_else(|| def.pattern.into_inner()),
        key: def.key.into_iter().map(Spanned::into_inner).collect(),
        fields: def.fields.into_iter().collect(),
        generic: def.generic,
        known_writer,
        layer,
        root_cause,
        scope,
        escalate,
        description: def.description,
        next_steps: def.next_steps.into_inner(),
        examples,
        counterexamples: def
            .counterexamples
            .into_iter()
            .map(|c| (c.get_ref().clone(), fd.location(c.span().start)))
            .collect(),
        literals: def.literals.into_iter().map(Spanned::into_inner).collect(),
        location: fd.location(start),
        regex: regex.map(std::sync::OnceLock::from).unwrap_or_default(),
        group_info: group_info?,
        long_regex: std::sync::OnceLock::new(),
        starts: std::sync::OnceLock::new(),
        direct: std::sync::OnceLock::new(),
        onepass: std::sync::OnceLock::new(),
        hir: hir?,
        groups,
        key_groups,
    })
}

fn check_chain(
    def: &Spanned<ChainDef>,
    ids: &HashMap<&str, usize>,
    rules: &[Rule],
    knowledge: &Knowledge,
    fd: &mut FileDiags<'_>,
) -> Option<Chain> {
    let start = def.span().start;
    let def = def.get_ref();
    let id = def.id.get_ref().clone();
    let before = fd.out.len();
    let severity = parse_enum(fd, &id, "severity", &def.severity, Severity::parse, Severity::names());
    let root = parse_enum(fd, &id, "component", &def.root_component, Component::parse, Component::names());
    let resolve = |fd: &mut FileDiags<'_>, sels: &[Spanned<String>]| -> Vec<Selector> {
        let mut out = Vec::new();
        for sel in sels {
            let (name, component, unknown) = match sel.get_ref().split_once('@') {
                Some((n, "unknown")) => (n, None, true),
                Some((n, c)) => match Component::parse(c) {
                    Some(c) => (n, Some(c), false),
                    None => {
                        fd.at(sel.span().start, Some(&id), format!("unknown component {c:?} in {:?}", sel.get_ref()));
                        continue;
                    }
                },
                None => (sel.get_ref().as_str(), None, false),
            };
            // A family or a prefix stands for the rules it names that the component logs; a rule id must be one.
            let pattern = name.starts_with("family:") || name.ends_with('*');
            let found: Vec<usize> = if let Some(fam) = name.strip_prefix("family:") {
                if !knowledge.has_family(fam) {
                    fd.at(sel.span().start, Some(&id), format!("unknown family {fam:?}"));
                    continue;
                }
                rules.iter().enumerate().filter(|(_, c)| c.family == fam).map(|(i, _)| i).collect()
            } else if let Some(prefix) = name.strip_suffix('*') {
                let mut v: Vec<usize> = ids.iter().filter(|(k, _)| k.starts_with(prefix)).map(|(_, &i)| i).collect();
                v.sort_unstable();
                v
            } else {
                ids.get(name).copied().into_iter().collect()
            };
            let found: Vec<usize> = match component {
                Some(c) if pattern => found.into_iter().filter(|&r| rules[r].components.contains(c)).collect(),
                _ => found,
            };
            if found.is_empty() {
                fd.at(sel.span().start, Some(&id), format!("{:?} names no rule of the pack", sel.get_ref()));
            }
            for rule in found {
                if let Some(c) = component {
                    if !rules[rule].components.contains(c) {
                        fd.at(sel.span().start, Some(&id), format!("rule {} is never logged by {c}", rules[rule].id));
                        continue;
                    }
                }
                let s = Selector { rule, component, unknown };
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
        out
    };
    let cause = resolve(fd, &def.cause);
    let proxy = resolve(fd, &def.proxy);
    let effect = resolve(fd, &def.effect);
    if def.cause.is_empty() && def.proxy.is_empty() {
        fd.at(def.id.span().start, Some(&id), "a chain needs a cause or a proxy");
    }
    let dur = |fd: &mut FileDiags<'_>, v: &Spanned<String>| {
        let d = parse_duration(v.get_ref());
        if d.is_none() {
            fd.at(v.span().start, Some(&id), format!("invalid duration {:?} (e.g. 90s, 15m, 2h)", v.get_ref()));
        }
        d
    };
    let window = dur(fd, &def.window);
    let skew = def.skew.as_ref().map_or(Some(0), |s| dur(fd, s));
    let scope = def.scope.as_ref().and_then(|s| parse_scope(fd, &id, s));
    let produced = produced_by(&cause, &proxy, &effect, rules);
    let mut stages = Vec::new();
    for st in &def.stage {
        let when = resolve(fd, &st.get_ref().when);
        if st.get_ref().when.is_empty() {
            fd.at(st.span().start, Some(&id), "a [[chain.stage]] needs `when` selectors");
        }
        for name in template_fields(&st.get_ref().title) {
            if !produced.contains(&name) && name != "pod" {
                fd.at(
                    st.span().start,
                    Some(&id),
                    format!("stage title field {{{name}}} is produced by none of the chain's rules"),
                );
            }
        }
        stages.push(Stage { when, title: st.get_ref().title.clone() });
    }
    for j in &def.join {
        if !produced.iter().any(|p| p == j.get_ref()) && j.get_ref() != "pod" {
            fd.at(
                j.span().start,
                Some(&id),
                format!("join field {:?} is produced by none of the chain's rules", j.get_ref()),
            );
        }
    }
    for name in template_fields(&def.title) {
        if !produced.contains(&name) && name != "pod" {
            fd.at(start, Some(&id), format!("title field {{{name}}} is produced by none of the chain's rules"));
        }
    }
    if def.next_steps.get_ref().is_empty() {
        fd.at(def.next_steps.span().start, Some(&id), "next_steps must hold at least one step");
    }
    if fd.out.len() != before {
        return None;
    }
    Some(Chain {
        id,
        title: def.title.clone(),
        severity: severity?,
        root_component: root?,
        cause,
        proxy,
        effect,
        window: window?,
        skew: skew?,
        join: def.join.iter().map(|j| j.get_ref().clone()).collect(),
        scope,
        description: def.description.clone(),
        next_steps: def.next_steps.get_ref().clone(),
        stages,
        location: fd.location(start),
    })
}

/// The field names the rules of a chain's selectors produce (captures and constant fields).
fn produced_by(cause: &[Selector], proxy: &[Selector], effect: &[Selector], rules: &[Rule]) -> Vec<String> {
    let mut out: Vec<String> = cause
        .iter()
        .chain(proxy)
        .chain(effect)
        .flat_map(|s| {
            let r = &rules[s.rule];
            r.groups.iter().map(|(_, n)| n.clone()).chain(r.fields.iter().map(|(k, _)| k.clone()))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `all` or `single`, as a rule or chain writes its scope.
fn parse_scope(fd: &mut FileDiags<'_>, id: &str, s: &Spanned<String>) -> Option<Scope> {
    match s.get_ref().as_str() {
        "all" => Some(Scope::All),
        "single" => Some(Scope::Single),
        other => {
            fd.at(s.span().start, Some(id), format!("unknown scope {other:?} (expected all or single)"));
            None
        }
    }
}

/// A rule's `escalate` table: a duration, a count, a capture (`when`, one of `captures` when they are known) or
/// several, to a severity worse than the rule's.
fn check_escalate(
    fd: &mut FileDiags<'_>,
    id: &str,
    e: &Spanned<super::schema::EscalateDef>,
    severity: Option<Severity>,
    captures: Option<&[(usize, String)]>,
) -> Option<Escalate> {
    let at = e.span().start;
    let def = e.get_ref();
    let after = match &def.after {
        Some(a) => match parse_duration(a) {
            Some(d) if d > 0 => Some(d),
            _ => {
                fd.at(at, Some(id), format!("escalate: invalid duration {a:?} (e.g. 90s, 15m, 2h)"));
                return None;
            }
        },
        None => None,
    };
    if def.records == Some(0) || (after.is_none() && def.records.is_none() && def.when.is_none()) {
        fd.at(at, Some(id), "escalate needs `after` (a duration), `records` (a count above 0) or `when` (a capture)");
        return None;
    }
    if let Some(w) = &def.when {
        if captures.is_some_and(|c| !c.iter().any(|(_, n)| n == w)) {
            fd.at(at, Some(id), format!("escalate: `when = {w:?}` is not a named capture of the pattern"));
            return None;
        }
    }
    let to = match &def.to {
        Some(t) => match Severity::parse(t) {
            Some(s) => s,
            None => {
                fd.at(
                    at,
                    Some(id),
                    format!("escalate: unknown severity {t:?} (expected one of: {})", Severity::names()),
                );
                return None;
            }
        },
        None => Severity::Error,
    };
    if severity.is_some_and(|s| to <= s) {
        fd.at(at, Some(id), format!("escalate: `to = {to}` is not worse than the rule's severity"));
        return None;
    }
    Some(Escalate { after, records: def.records, when: def.when.as_deref().map(Box::from), to })
}

/// The `{field}` names in a title template.
fn template_fields(t: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(a) = rest.find('{') {
        let Some(b) = rest[a..].find('}') else { break };
        out.push(rest[a + 1..a + b].to_string());
        rest = &rest[a + b + 1..];
    }
    out
}
