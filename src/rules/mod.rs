//! The rule pack: what stackscan knows about StackState failures, loaded strictly and compiled once.
//!
//! A pack is a set of TOML files (`rules/stackstate/*.toml` is embedded in the binary). Loading collects every
//! problem in every file before failing, each with file, line, column and rule id, so a pack author fixes them in
//! one pass. The compiled [`Pack`] is immutable and shared by all scanning threads; the per-thread search state
//! lives in a [`MatchCache`] each thread owns.

mod cache;
mod compact;
mod direct;
mod error;
mod fragment;
mod hir;
mod knowledge;
mod load;
pub(crate) mod prefilter;
mod schema;
mod teddy;
mod teddy_plans;

pub use cache::MatchCache;
pub use error::{Diagnostic, PackError};
pub use knowledge::{FamilyInfo, Knowledge, TargetRule, TelemetryRule, CLIENT_FIELD};

use crate::model::{Component, ComponentSet, Severity};
use crate::time::{Millis, MINUTE_MS};
use regex_automata::meta::{Cache, Regex};
use regex_automata::util::primitives::NonMaxUsize;
use regex_automata::{Input, PatternID};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// Lines up to this long run the rules' DFA-less regexes (see [`Rule`]); longer ones the full ones.
pub(crate) const SHORT_LINE: usize = 4096;

/// A rule's regex for lines up to [`SHORT_LINE`] (see [`Rule::regex`]). Without a prefilter of its own: it is
/// only run on a line where the pack's prefilter found the rule's literal, from that literal on, so a prefilter
/// would skip little, and building one (an Aho-Corasick automaton per rule, on the scan's first matching lines)
/// cost more than the searches it served: 13M of the 35M instructions the rules' regexes took to build in a scan
/// of the benchmark corpus.
fn build_short(hir: &regex_syntax::hir::Hir) -> Result<Regex, Box<regex_automata::meta::BuildError>> {
    Regex::builder()
        .syntax(regex_automata::util::syntax::Config::new().unicode(false).utf8(false))
        .configure(Regex::config().utf8_empty(false).hybrid(false).dfa(false).onepass(false).auto_prefilter(false))
        .build_from_hir(hir)
        .map_err(Box::new)
}

/// A rule's regex with every engine, for long lines.
fn build_full(hir: &regex_syntax::hir::Hir) -> Option<Regex> {
    Regex::builder()
        .syntax(regex_automata::util::syntax::Config::new().unicode(false).utf8(false))
        .configure(Regex::config().utf8_empty(false))
        .build_from_hir(hir)
        .ok()
}

/// A rule's one-pass DFA, for captures where the pattern allows one (each byte then costs one transition, where
/// the backtracker visits states and clears its visited set per search); `None` when the pattern is not one-pass.
/// It serves anchored searches only: [`Pack::capture`] runs it at each place a match may start.
fn build_onepass(hir: &regex_syntax::hir::Hir, slots: usize) -> Option<regex_automata::dfa::onepass::DFA> {
    use regex_automata::nfa::thompson;
    let nfa = thompson::Compiler::new().configure(thompson::Config::new().utf8(false)).build_from_hir(hir).ok()?;
    // The slots are written into the captures of the rule's regex: the same groups, so the same number of them.
    if nfa.group_info().slot_len() != slots {
        return None;
    }
    regex_automata::dfa::onepass::Builder::new().build_from_nfa(nfa).ok()
}

/// Which rule pack made a state: the aggregates name rules by their index in `rules`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackId {
    /// A hash of the pack's files (names and texts): two states with the same fingerprint were made with the
    /// same rules.
    pub fingerprint: String,
    /// Rule ids, by index.
    pub rules: Vec<String>,
}

/// Where a rule or chain was defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, as given or as embedded.
    pub file: String,
    /// 1-based line of the table.
    pub line: usize,
}

/// An example line of a rule and what it must yield.
#[derive(Debug, Clone)]
pub struct Example {
    /// The line.
    pub line: String,
    /// Field values it must yield.
    pub fields: Vec<(String, String)>,
    /// The component of the file it is read from.
    pub component: Option<crate::model::Component>,
    /// Where it is written.
    pub location: Location,
}

/// One compiled rule.
#[derive(Debug)]
pub struct Rule {
    /// Unique id, e.g. `es.flood-stage`.
    pub id: String,
    /// One line for an operator.
    pub title: String,
    /// Problem family (declared in the pack's `[[family]]` tables).
    pub family: String,
    /// How bad one episode of it is.
    pub severity: Severity,
    /// Components whose logs carry the line.
    pub components: ComponentSet,
    /// The regex as written.
    pub pattern: String,
    /// Capture names that separate episodes.
    pub key: Vec<String>,
    /// Constant fields added to every event.
    pub fields: Vec<(String, String)>,
    /// A fallback, suppressed in a record where a specific rule matched.
    pub generic: bool,
    /// A writer's rule whose words any program may write (a client library's exception, `known_writer = true`):
    /// in a line whose writer is not known it ranks as another writer's (see `scan::search::rank_in`), so that
    /// the failure kind its words name comes first.
    pub known_writer: bool,
    /// Which layer of the pack it belongs to: a writer's own sentence, or a failure kind's stable tokens.
    pub layer: Layer,
    /// The component named as root cause of its episodes, whoever logged them (`None`: see [`Knowledge::root_of`]).
    pub root_cause: Option<Component>,
    /// The scope of an incident made of its episodes alone, when the rule says (else derived from the fields).
    pub scope: Option<Scope>,
    /// When an episode is worse than one of its events.
    pub escalate: Option<Escalate>,
    /// Why it matters.
    pub description: Option<String>,
    /// What an operator does next.
    pub next_steps: Vec<String>,
    /// Lines that must match.
    pub examples: Vec<Example>,
    /// Lines that must not match, with where they are written.
    pub counterexamples: Vec<(String, Location)>,
    /// Literals declared in the rule for the prefilter.
    pub literals: Vec<String>,
    /// Where it is defined.
    pub location: Location,
    /// The rule's own regex, for captures, built without DFAs: on a log line (short) the backtracker finds the
    /// captures directly, where the lazy DFAs would first scan forward and backward. Nor with the one-pass DFA:
    /// it serves only anchored searches (it was 6% of start-up's instructions); [`Rule::onepass`] is built on
    /// first use instead, for rules with start literals. Compiled at load for a pack read from files, on first use
    /// for the embedded one (see [`Rule::regex`]).
    regex: std::sync::OnceLock<Regex>,
    /// The pattern's capture groups, known from its syntax tree: capture slots are made without the regex.
    pub(crate) group_info: regex_automata::util::captures::GroupInfo,
    /// The same pattern with every engine (lazy DFAs first), built on first use, for lines longer than
    /// [`SHORT_LINE`], where backtracking over the whole line would be slow.
    pub(crate) long_regex: std::sync::OnceLock<Option<Regex>>,
    /// The literals every match starts with, when the pattern has a finite set of them (see
    /// [`Pack::capture`]); made on first use, so rules that never fire cost no start-up time.
    pub(crate) starts: std::sync::OnceLock<Option<prefilter::MatchStarts>>,
    /// The pattern's program that needs no regex engine, when every choice in it is decided by the next byte
    /// (see `rules/direct.rs`); made on first use.
    pub(crate) direct: std::sync::OnceLock<Option<direct::Direct>>,
    /// The pattern's one-pass DFA, when it has one (see [`Pack::capture`]); made on first use.
    pub(crate) onepass: std::sync::OnceLock<Option<regex_automata::dfa::onepass::DFA>>,
    /// The pattern's syntax tree, to build `long_regex`.
    pub(crate) hir: regex_syntax::hir::Hir,
    /// (group index, name) of every named capture.
    pub(crate) groups: Vec<(usize, String)>,
    /// Group index of each key name, in `key` order.
    pub(crate) key_groups: Vec<usize>,
}

/// The two layers of a pack (rules/README.md, "Two layers"). In one log record, a writer's rules outrank the failure
/// kinds: see [`Rule::rank`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// A sentence one writer logs (StackState's own processes): adds what only it knows (the hop, the index).
    Writer,
    /// A failure recognised by its stable tokens (exception types, protocol error names), whoever logs it.
    Kind,
}

impl Layer {
    /// The name used in rule files and `rules list`.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Writer => "writer",
            Layer::Kind => "kind",
        }
    }
}

/// A rule's escalation: an episode that lasts at least `after` (see [`Rule::severity_of`]), one that holds at least
/// `records` records, or one in which a record captured `when`, has severity `to` rather than the rule's (a retried
/// warning that goes on is no longer transient; a retry whose line says why it cannot succeed, such as an untrusted
/// certificate, is not transient either).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalate {
    /// Least time between an episode's first and last record, for a failure that went on (see [`Rule::severity_of`]).
    pub after: Option<Millis>,
    /// Least records in an episode.
    pub records: Option<u64>,
    /// A named capture of the pattern: an episode with a value for it has `to` at once.
    pub when: Option<Box<str>>,
    /// The severity it then has.
    pub to: Severity,
}

impl Rule {
    /// The rule's regex (see the field), compiled here on first use when the pack was loaded without it.
    pub(crate) fn regex(&self) -> &Regex {
        // Only the embedded pack is loaded without compiling its patterns, and its tests compile every one of them
        // (`Pack::embedded_checked`): a failure here is a build that skipped its tests, not bad input.
        self.regex.get_or_init(|| build_short(&self.hir).expect("the embedded pack's patterns compile (tested)"))
    }

    /// Searches `line` with the regex from `at` (where the first start literal is: no match starts before it),
    /// leaving the captures in `caps`; `cache` is this rule's, made on first use.
    fn search_from(
        &self,
        cache: &mut Option<Cache>,
        line: &[u8],
        at: usize,
        caps: &mut regex_automata::util::captures::Captures,
    ) {
        let regex = self.regex();
        let cache = cache.get_or_insert_with(|| regex.create_cache());
        regex.search_captures_with(cache, &Input::new(line).range(at..), caps);
    }

    /// Where the rule's events stand in a log record, best first: 0 a writer's sentence, 1 a writer's fallback, 2 a
    /// failure kind, 3 a fallback kind. A writer's sentence always fires; a writer's fallback only in a record where no
    /// writer's sentence fired; a failure kind only in a record where nothing else fired (one kind per record, and
    /// none beside a writer's rule: the writer says more, the hop). A rule of rank above 0 gives way to a
    /// better-ranked rule matching further down the record (a fallback on a header, the cause in the stack trace).
    pub fn rank(&self) -> u8 {
        match (self.layer, self.generic) {
            (Layer::Writer, false) => 0,
            (Layer::Writer, true) => 1,
            (Layer::Kind, false) => 2,
            (Layer::Kind, true) => 3,
        }
    }

    /// The severity of an episode of this rule: the rule's, or its escalation's when the episode reached it.
    ///
    /// An episode lasts when at least three records span `after` and they show a failure that went on, not one
    /// that came back: its sightings (runs of minutes with records, each starting at most five minutes after the one
    /// before; `per_minute`: its records per minute, by the minute's start) cover half of `after`, or one of them
    /// holds three records. Sightings far apart of one or two records each (a client whose idle connection the
    /// server closes every ten minutes, logging the close and its consequence) are events that recur. Without counts
    /// per minute for all its records (a state an older version wrote, in part or whole) the span alone tells.
    /// `fields` are the episode's captured values: one for the escalation's `when` escalates it whatever its count.
    pub fn severity_of(
        &self,
        count: u64,
        first: Option<Millis>,
        last: Option<Millis>,
        per_minute: &[(Millis, u32)],
        fields: &BTreeMap<String, Vec<String>>,
    ) -> Severity {
        let Some(e) = &self.escalate else { return self.severity };
        let lasted = match (first, last, e.after) {
            (Some(a), Some(b), Some(after)) if count >= 3 && b - a >= after => {
                // A state an older version wrote has no counts per minute for some records: its span alone tells.
                let seen = sightings(per_minute);
                seen.records < count || seen.covered * 2 >= after || seen.busiest >= 3
            }
            _ => false,
        };
        let signalled = e.when.as_deref().is_some_and(|w| fields.get(w).is_some_and(|v| !v.is_empty()));
        if lasted || signalled || e.records.is_some_and(|n| count >= n) {
            e.to.max(self.severity)
        } else {
            self.severity
        }
    }
}

/// Minutes with records whose starts are at most this far apart belong to one sighting of a failure (see
/// [`sightings`]): records from 5 to 6 minutes apart may or may not, as the minutes fall.
const SIGHTING_GAP_MS: Millis = 5 * MINUTE_MS;

/// How an episode's timed records gather in time: into sightings, runs of active minutes each at most
/// [`SIGHTING_GAP_MS`] after the one before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Sightings {
    /// The time its sightings cover together (each from its first active minute to its last).
    covered: Millis,
    /// Records in its busiest sighting.
    busiest: u64,
    /// Records in all.
    records: u64,
}

/// The sightings of per-minute counts (`(start of the minute, records)`, in time order).
fn sightings(per_minute: &[(Millis, u32)]) -> Sightings {
    let mut out = Sightings::default();
    let mut run: Option<(Millis, Millis, u64)> = None;
    for &(t, n) in per_minute {
        out.records += u64::from(n);
        run = match run {
            Some((first, last, records)) if t - last <= SIGHTING_GAP_MS => Some((first, t, records + u64::from(n))),
            ended => {
                if let Some((first, last, records)) = ended {
                    out.covered += last - first;
                    out.busiest = out.busiest.max(records);
                }
                Some((t, t, u64::from(n)))
            }
        };
    }
    if let Some((first, last, records)) = run {
        out.covered += last - first;
        out.busiest = out.busiest.max(records);
    }
    out
}

/// Whether a chain's incident affects every integration or a single one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// The whole pipeline (receiver, Kafka, kafka-to-es, Elasticsearch, or all agents).
    All,
    /// One integration: one check, one agent.
    Single,
    /// Not known to concern the pipeline: the lines' writer is no hop stackscan recognises and the failure names
    /// no hop either (a network error in some other program's log).
    Unknown,
}

/// Selects episodes for a chain: a rule, optionally only where a given component logged it (`rule@receiver`), or
/// only where no component could be told (`rule@unknown`: a capture whose path and lines say nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selector {
    /// Rule index.
    pub rule: usize,
    /// Only episodes from this component, when set.
    pub component: Option<crate::model::Component>,
    /// Only episodes whose component is unknown (`@unknown`; `component` is then `None`).
    pub unknown: bool,
}

impl Selector {
    /// Whether an episode of `rule` from `component` is selected.
    pub fn selects(&self, rule: usize, component: Option<crate::model::Component>) -> bool {
        self.rule == rule
            && if self.unknown { component.is_none() } else { self.component.is_none_or(|c| component == Some(c)) }
    }
}

/// A causal chain: episodes of its causes (or, when no cause was logged, its proxies) explain its effects on
/// other components. A chain that fires becomes one incident.
#[derive(Debug, Clone)]
pub struct Chain {
    /// Unique id.
    pub id: String,
    /// Incident title template.
    pub title: String,
    /// Least severity of the incident (the worst episode may raise it).
    pub severity: Severity,
    /// The component named as root cause.
    pub root_component: crate::model::Component,
    /// Cause episodes.
    pub cause: Vec<Selector>,
    /// Effects that stand for the cause when it was not logged.
    pub proxy: Vec<Selector>,
    /// Downstream effects.
    pub effect: Vec<Selector>,
    /// How long after a cause's last line an effect may start.
    pub window: Millis,
    /// Clock skew tolerated between hosts.
    pub skew: Millis,
    /// Fields that must share a value when both episodes have them.
    pub join: Vec<String>,
    /// Declared scope, if any.
    pub scope: Option<Scope>,
    /// Why the chain holds.
    pub description: Option<String>,
    /// Steps in the order to take them.
    pub next_steps: Vec<String>,
    /// Titles of the stages an incident may reach, worst first (see [`Chain::title_of`]).
    pub stages: Vec<Stage>,
    /// Where it is defined.
    pub location: Location,
}

/// A stage of a chain's incident: once an episode one of `when` selects is in it, its title is `title`.
#[derive(Debug, Clone)]
pub struct Stage {
    /// The episodes that mark the stage.
    pub when: Vec<Selector>,
    /// The incident's title template at this stage.
    pub title: String,
}

impl Chain {
    /// The title template of an incident of these episodes (rule, component): the first stage one of them
    /// reached, else the chain's title.
    pub fn title_of(&self, episodes: impl Iterator<Item = (usize, Option<Component>)> + Clone) -> &str {
        self.stages
            .iter()
            .find(|s| episodes.clone().any(|(r, c)| s.when.iter().any(|w| w.selects(r, c))))
            .map_or(self.title.as_str(), |s| s.title.as_str())
    }
}

/// A compiled, validated rule pack. Immutable; share it across threads.
#[derive(Debug)]
pub struct Pack {
    rules: Vec<Rule>,
    chains: Vec<Chain>,
    /// Every rule's pattern, searched over whole buffers (leftmost-first); only built when the prefilter is
    /// unusable.
    pub(crate) search: Option<Regex>,
    /// The same patterns with `MatchKind::All`, to tell every rule that matches one line; only built when the
    /// prefilter is unusable.
    pub(crate) set: Option<Regex>,
    /// The literal prefilter, when every pattern has usable literals.
    pub(crate) prefilter: Option<prefilter::Prefilter>,
    /// A searcher of the level literals alone, for packs without a usable prefilter; built on first use.
    pub(crate) levels: std::sync::OnceLock<Option<prefilter::Finder>>,
    files: Vec<String>,
    /// A hash of the files' names and texts (see [`Pack::id`]).
    fingerprint: String,
    knowledge: Knowledge,
}

impl Pack {
    /// The pack shipped inside the binary.
    ///
    /// Loading validates the TOML and parses every pattern; a rule's regex is compiled when a scan first needs it
    /// and the examples are not run (the texts are fixed at build time and the tests load them with
    /// [`Pack::embedded_checked`]). Start-up then costs what the rules a scan meets cost.
    pub fn embedded() -> Result<Pack, PackError> {
        load::build(Self::embedded_sources(), load::Checks::Built)
    }

    /// The embedded pack with every check a pack from files gets: each pattern compiled, each example and
    /// counterexample run. For `stackscan rules` and the tests.
    pub fn embedded_checked() -> Result<Pack, PackError> {
        Pack::from_sources(Self::embedded_sources())
    }

    /// The embedded pack's files (path, text): for a pack that extends it.
    pub fn embedded_sources() -> Vec<(String, String)> {
        EMBEDDED.iter().map(|(p, s)| (p.to_string(), s.to_string())).collect()
    }

    /// Loads `.toml` files from each path (a file, or a directory read recursively, in name order).
    pub fn from_paths<P: AsRef<Path>>(paths: &[P]) -> Result<Pack, PackError> {
        let mut sources = Vec::new();
        let mut diagnostics = Vec::new();
        for p in paths {
            load::collect_files(p.as_ref(), &mut sources, &mut diagnostics);
        }
        if !diagnostics.is_empty() {
            return Err(PackError { diagnostics });
        }
        if sources.is_empty() {
            let names: Vec<String> = paths.iter().map(|p| p.as_ref().display().to_string()).collect();
            return Err(PackError {
                diagnostics: vec![Diagnostic {
                    file: names.join(", "),
                    line: 0,
                    column: 0,
                    rule: None,
                    message: "no .toml rule files found".into(),
                }],
            });
        }
        Pack::from_sources(sources)
    }

    /// Compiles a pack from (file name, TOML text) pairs.
    pub fn from_sources(sources: Vec<(String, String)>) -> Result<Pack, PackError> {
        load::build(sources, load::Checks::All)
    }

    /// The rules, in pack order (file name, then position in the file).
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The chains, in pack order.
    pub fn chains(&self) -> &[Chain] {
        &self.chains
    }

    /// What the pack knows beyond its rules: families, telemetry, scope, noisy fields.
    pub fn knowledge(&self) -> &Knowledge {
        &self.knowledge
    }

    /// The files the pack was loaded from.
    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// The pack's identity, as states and reports record it: its fingerprint and its rule ids by index.
    pub fn id(&self) -> PackId {
        PackId { fingerprint: self.fingerprint.clone(), rules: self.rules.iter().map(|r| r.id.clone()).collect() }
    }

    /// A hash of the pack's files, names and texts: packs with equal fingerprints have the same rules.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The index of a rule by id.
    pub fn rule_index(&self, id: &str) -> Option<usize> {
        self.rules.iter().position(|r| r.id == id)
    }

    /// The lines of `buf` the literal prefilter hands to the regexes, counted the way the scanner walks a buffer
    /// (after a candidate, the search resumes at the next line); `None` when the pack cannot use the prefilter.
    /// For benchmarks and diagnostics: the candidate rate of a corpus says how much the prefilter saves.
    pub fn prefilter_candidates(&self, buf: &[u8]) -> Option<u64> {
        let pf = self.prefilter.as_ref().filter(|p| p.is_usable())?;
        let mut n = 0;
        let mut pos = 0;
        while let Some(at) = pf.find(buf, pos, buf.len()) {
            n += 1;
            pos = memchr::memchr(b'\n', &buf[at..]).map_or(buf.len(), |i| at + i + 1);
        }
        Some(n)
    }

    /// Leaves in `s.cands` the rules that may match `line` (one line, without its terminator), by rank (writers'
    /// sentences, writers' fallbacks, failure kinds, fallback kinds: [`Rule::rank`]), each in pack order: with the
    /// prefilter, the rules whose own literals the line holds, where no literal starts before `from` (a hint from
    /// the buffer search, or 0); without it, the rules the pack's multi-pattern set matches. The further literals
    /// a rule requires are looked for only before its regex runs ([`Pack::may_match`] asks the cheapest rule).
    /// A search from a hint is remembered by the line's bytes from there on, a few per thread (`cache::Searched`):
    /// a storm line that repeats one of them replays it (see `Prefilter::replay_candidates`) instead of searching.
    /// Only [`Pack::capture`] or [`Pack::matches`] tell for sure, one rule at a time, so that a rule whose event
    /// would be suppressed anyway never runs its regex.
    pub fn candidates(&self, s: &mut MatchCache, line: &[u8], from: usize) {
        s.cands.clear();
        s.held_line = (line.as_ptr() as usize, line.len());
        s.held.clear();
        match self.prefilter.as_ref().filter(|p| p.is_usable()) {
            // A search from the line's start (no hint) takes in the line's time: it is not remembered.
            Some(pf) if from > 0 && from < line.len() => match s.searched.lookup(&line[from..]) {
                Ok(found) => pf.replay_candidates(found, line, from, &mut s.tried, &mut s.cands),
                Err(None) => pf.candidate_rules(line, from, &mut s.tried, &mut s.cands),
                Err(Some(found)) => {
                    pf.candidate_rules_found(line, from, &mut s.tried, &mut s.cands, Some(found));
                    s.searched.keep();
                }
            },
            Some(pf) => pf.candidate_rules(line, from, &mut s.tried, &mut s.cands),
            None => {
                if let (Some(set), Some(cache)) = (&self.set, s.set.as_mut()) {
                    s.patset.clear();
                    set.which_overlapping_matches_with(cache, &Input::new(line), &mut s.patset);
                    s.cands.extend(s.patset.iter().map(|p| p.as_usize()));
                }
            }
        }
        let rules = &self.rules;
        s.cands.sort_unstable_by_key(|&r| (rules[r].rank(), r));
    }

    /// Whether one of the candidates [`Pack::candidates`] left for `line` may match it: its further required
    /// literals are in the line too. Asked first of the rule with the fewest; a line for which this is false
    /// matches no rule.
    pub fn may_match(&self, s: &mut MatchCache, line: &[u8]) -> bool {
        let Some(pf) = self.prefilter.as_ref().filter(|p| p.is_usable()) else { return !s.cands.is_empty() };
        let Some(&cheapest) = s.cands.iter().min_by_key(|&&r| pf.required_cost(r)) else { return false };
        if self.required_hold_in(s, cheapest, line) {
            return true;
        }
        for i in 0..s.cands.len() {
            let r = s.cands[i];
            if r != cheapest && self.required_hold_in(s, r, line) {
                return true;
            }
        }
        false
    }

    /// Whether `line` holds the further literals rule `r` requires (always, without a prefilter): searched once
    /// per rule for the line [`Pack::candidates`] was last asked about, whose answers are kept until it is asked
    /// about another. That line is known by its address and length, which no other line has while it is alive
    /// (the caller holds it from `candidates` to its last `capture`).
    fn required_hold_in(&self, s: &mut MatchCache, r: usize, line: &[u8]) -> bool {
        let Some(pf) = self.prefilter.as_ref().filter(|p| p.is_usable()) else { return true };
        let current = s.held_line == (line.as_ptr() as usize, line.len());
        if current {
            if let Some(&(_, held)) = s.held.iter().find(|&&(x, _)| x == r) {
                return held;
            }
        }
        let held = pf.required_hold(r, line);
        if current {
            s.held.push((r, held));
        }
        held
    }

    /// Whether rule `r` matches `line`, leaving its captures in `s.caps[r]`.
    ///
    /// A line that lacks one of the further literals every match of the rule holds is turned away first, unless
    /// the rule has a direct program (below), which costs no more to run than looking for them. For a rule whose
    /// matches all start with one of a few literals, the search starts at the first of them. A pattern whose
    /// every choice the next byte decides (a third of the embedded pack) is then followed byte by byte, without a
    /// regex engine (`rules/direct.rs`). For the others, the result depends only on the bytes from one before it
    /// (a word boundary looks back one byte) to the end of the line: when those equal the bytes of a line the
    /// rule ran on recently in this thread (a few are remembered per rule, see `Memos`), its captures are reused,
    /// moved to where the bytes now lie. Log lines repeat (a retry loop logs the same error with a new time, a few
    /// hosts take turns), and a regex with captures costs microseconds where comparing the bytes costs
    /// nanoseconds. Otherwise a one-pass pattern runs its one-pass DFA anchored at each start literal, others the
    /// backtracker from the first.
    pub fn capture(&self, s: &mut MatchCache, r: usize, line: &[u8]) -> bool {
        let rule = &self.rules[r];
        let starts = rule.starts.get_or_init(|| prefilter::match_starts(&rule.hir));
        let starts = starts.as_ref().filter(|_| line.len() <= SHORT_LINE);
        let direct = starts.and_then(|_| rule.direct.get_or_init(|| direct::Direct::build(&rule.hir)).as_ref());
        // A line that lacks a literal every match holds is not searched (a direct program is as cheap to run).
        if direct.is_none() && !self.required_hold_in(s, r, line) {
            s.caps[r].set_pattern(None);
            return false;
        }
        let Some(starts) = starts else {
            let (regex, cache) = self.regex_for(&mut s.rule_caches, &mut s.long_caches, r, line.len());
            regex.search_captures_with(cache, &Input::new(line), &mut s.caps[r]);
            return s.caps[r].is_match();
        };
        let caps = &mut s.caps[r];
        let Some(at) = starts.first(line) else {
            caps.set_pattern(None);
            return false;
        };
        if let Some(direct) = direct {
            // A direct program never gives up; a line with too many starts goes to the regex (below the memo).
            if let Some(found) =
                at_starts(starts, line, at, caps, |pos, caps| Some(direct.match_at(line, pos, caps.slots_mut())))
            {
                return found;
            }
            rule.search_from(&mut s.rule_caches[r], line, at, caps);
            return caps.is_match();
        }
        let from = at.saturating_sub(1);
        let tail = &line[from..];
        let memo = (tail.len() <= cache::MAX_MEMO_TAIL).then(|| s.memos.slot(r, tail));
        if let Some(memo) = memo.as_ref().filter(|m| m.valid && m.at_zero == (at == 0) && m.tail == tail) {
            caps.set_pattern(memo.matched.then_some(PatternID::ZERO));
            for (slot, rel) in caps.slots_mut().iter_mut().zip(&memo.slots) {
                *slot = rel.and_then(|x| NonMaxUsize::new(x + from));
            }
            return memo.matched;
        }
        let onepass = rule.onepass.get_or_init(|| build_onepass(&rule.hir, rule.group_info.slot_len()));
        let found = onepass.as_ref().and_then(|dfa| {
            let cache = s.onepass_caches[r].get_or_insert_with(|| dfa.create_cache());
            at_starts(starts, line, at, caps, |pos, caps| {
                let input = Input::new(line).range(pos..).anchored(regex_automata::Anchored::Yes);
                dfa.try_search_slots(cache, &input, caps.slots_mut()).ok().map(|pid| pid.is_some())
            })
        });
        if found.is_none() {
            rule.search_from(&mut s.rule_caches[r], line, at, caps);
        }
        if let Some(memo) = memo {
            memo.valid = true;
            memo.at_zero = at == 0;
            memo.tail.clear();
            memo.tail.extend_from_slice(tail);
            memo.matched = caps.is_match();
            memo.slots.clear();
            // Without a match the slots are whatever the last attempt left (an earlier line's positions): only a
            // match's are kept, and they all lie at or after `from`.
            if memo.matched {
                memo.slots.extend(caps.slots().iter().map(|x| x.and_then(|x| x.get().checked_sub(from))));
            }
        }
        caps.is_match()
    }

    /// The position of the next candidate at or after `pos` in `buf[..end]`: a line that holds a rule's literal
    /// (the prefilter), or, for packs without a usable prefilter, where the pack-wide regex matches. False
    /// positives are allowed, false negatives never.
    #[inline]
    pub fn find_candidate(&self, s: &mut MatchCache, buf: &[u8], pos: usize, end: usize) -> Option<usize> {
        if let Some(pf) = self.prefilter.as_ref().filter(|p| p.is_usable()) {
            return pf.find(buf, pos, end);
        }
        let (Some(search), Some(cache)) = (&self.search, s.search.as_mut()) else { return None };
        let input = Input::new(buf).range(pos..end);
        search.search_half_with(cache, &input).map(|m| m.offset().saturating_sub(1).max(pos))
    }

    /// Whether [`Pack::find_mining_candidate`] finds the rules' and the level literals in one search (the pack
    /// has a usable prefilter); otherwise the caller also runs [`Pack::find_level`].
    pub fn mines_in_one_search(&self) -> bool {
        self.prefilter.as_ref().is_some_and(|p| p.is_usable())
    }

    /// Like [`Pack::find_candidate`], and also the lines holding one of the
    /// [`LEVEL_LITERALS`](crate::frame::header::LEVEL_LITERALS) (records that may be unexplained errors), in one
    /// search when [`Pack::mines_in_one_search`]; otherwise only the rules' candidates. No searched literal of
    /// the rules starts before the position returned; with it, whether a level literal starts there and no rule
    /// literal does.
    #[inline]
    pub fn find_mining_candidate(
        &self,
        s: &mut MatchCache,
        buf: &[u8],
        pos: usize,
        end: usize,
    ) -> Option<(usize, bool)> {
        match self.prefilter.as_ref().filter(|p| p.is_usable()) {
            Some(pf) => pf.find_with_levels(buf, pos, end),
            None => self.find_candidate(s, buf, pos, end).map(|at| (at, false)),
        }
    }

    /// The start of the first level literal in `buf[pos..end]` (for packs without a usable prefilter).
    pub fn find_level(&self, buf: &[u8], pos: usize, end: usize) -> Option<usize> {
        let finder = self.levels.get_or_init(|| {
            let lits: Vec<Vec<u8>> =
                crate::frame::header::LEVEL_LITERALS.iter().map(|l| l.as_bytes().to_vec()).collect();
            prefilter::Finder::build(&lits)
        });
        finder.as_ref()?.find(buf, pos, end).map(|(at, _)| at)
    }

    /// Whether rule `r` matches `line` (no captures: the search stops at the first match).
    pub fn matches(&self, s: &mut MatchCache, r: usize, line: &[u8]) -> bool {
        if !self.required_hold_in(s, r, line) {
            return false;
        }
        let (regex, cache) = self.regex_for(&mut s.rule_caches, &mut s.long_caches, r, line.len());
        regex.search_half_with(cache, &Input::new(line).earliest(true)).is_some()
    }

    /// Rule `r`'s regex for a line of `len` bytes, with its cache: the DFA-less one for lines up to
    /// [`SHORT_LINE`], the full one (built on first use) for longer ones.
    fn regex_for<'a>(
        &'a self,
        caches: &'a mut [Option<Cache>],
        long_caches: &'a mut [Option<Cache>],
        r: usize,
        len: usize,
    ) -> (&'a Regex, &'a mut Cache) {
        let rule = &self.rules[r];
        if len > SHORT_LINE {
            if let Some(re) = rule.long_regex.get_or_init(|| build_full(&rule.hir)) {
                return (re, long_caches[r].get_or_insert_with(|| re.create_cache()));
            }
        }
        let regex = rule.regex();
        (regex, caches[r].get_or_insert_with(|| regex.create_cache()))
    }

    /// The literals the buffer search looks for, in the order handed to Teddy (planned, see `rules/teddy.rs`);
    /// empty when the pack cannot use the prefilter. For the benchmark that compares orders.
    #[doc(hidden)]
    pub fn searched_literals(&self) -> Vec<Vec<u8>> {
        self.prefilter.as_ref().map(|p| p.searched().to_vec()).unwrap_or_default()
    }

    /// The literals the prefilter searches for rule `r` (after refinement), empty without a usable prefilter. For
    /// diagnostics and the benchmark that weighs them.
    #[doc(hidden)]
    pub fn rule_literals(&self, r: usize) -> Vec<Vec<u8>> {
        self.prefilter.as_ref().map(|p| p.literals(r).to_vec()).unwrap_or_default()
    }

    /// When the rules' prefilter literals (with the level literals a mining scan adds) are more than the buffer
    /// search's SIMD searcher takes: how many literals there were, how many are searched, and the pieces they share
    /// that are searched in their place. `None` when they fit (as the embedded pack's do).
    pub fn compacted_literals(&self) -> Option<(usize, usize, Vec<String>)> {
        let p = self.prefilter.as_ref()?;
        let (before, pieces) = p.compacted()?;
        let pieces = pieces.iter().map(|l| String::from_utf8_lossy(l).into_owned()).collect();
        Some((before, p.searched().len(), pieces))
    }

    /// Rules whose patterns yield no literal for the prefilter: each one forces the regex over every byte.
    pub fn slow_rules(&self) -> Vec<&str> {
        match &self.prefilter {
            Some(p) => p.slow_rules().iter().map(|&i| self.rules[i].id.as_str()).collect(),
            None => self.rules.iter().map(|r| r.id.as_str()).collect(),
        }
    }
}

/// Rule captures found by an anchored search at each start literal from `at` (the first) on, `anchored(pos, caps)`
/// telling whether a match starts exactly at `pos` (`None`: the engine gave up). Every match starts with one of
/// the literals, so the first place an anchored match is found is where the leftmost match starts, and an engine
/// that finds the leftmost-first match there (the one-pass DFA, a direct program) finds the same captures as an
/// unanchored search. Whether it matched; `None` when the engine gave up, or after [`MAX_STARTS`] starts (the
/// caller then runs the regex from the first start).
fn at_starts(
    starts: &prefilter::MatchStarts,
    line: &[u8],
    at: usize,
    caps: &mut regex_automata::util::captures::Captures,
    mut anchored: impl FnMut(usize, &mut regex_automata::util::captures::Captures) -> Option<bool>,
) -> Option<bool> {
    let mut pos = at;
    for _ in 0..MAX_STARTS {
        if anchored(pos, caps)? {
            caps.set_pattern(Some(PatternID::ZERO));
            return Some(true);
        }
        match line.get(pos + 1..).and_then(|rest| starts.first(rest)) {
            Some(i) => pos += 1 + i,
            None => {
                caps.set_pattern(None);
                return Some(false);
            }
        }
    }
    None
}

/// Start literals tried on one line at most: an anchored attempt may read to the line's end, so a line made of
/// one start literal repeated would cost its length squared; past this many, the regex engine searches the rest
/// once, in time linear in the line.
const MAX_STARTS: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;

    /// Escalation by duration needs a failure that lasts: three records over `after`, not two sightings far apart.
    #[test]
    fn two_sightings_far_apart_do_not_last() {
        let pack = Pack::embedded().unwrap();
        let rule = pack.rules().iter().find(|r| r.id == "kafka.librdkafka-down").unwrap();
        let after = rule.escalate.as_ref().and_then(|e| e.after).unwrap();
        let none = BTreeMap::new();
        assert_eq!(rule.severity, Severity::Warning);
        // A record in every minute from 0 to `at`.
        let steady = |at: Millis| (0..=at / MINUTE_MS).map(|m| (m * MINUTE_MS, 1)).collect::<Vec<_>>();
        assert_eq!(rule.severity_of(2, Some(0), Some(2 * after), &[(0, 1), (2 * after, 1)], &none), Severity::Warning);
        assert_eq!(rule.severity_of(3, Some(0), Some(after), &[], &none), Severity::Error, "no counts per minute");
        let older = [(0, 1), (after, 1)];
        assert_eq!(
            rule.severity_of(3, Some(0), Some(after), &older, &none),
            Severity::Error,
            "counts for some records"
        );
        assert_eq!(rule.severity_of(3, Some(0), Some(after), &steady(after), &none), Severity::Error);
        assert_eq!(rule.severity_of(3, Some(0), Some(after - 1), &steady(after - 1), &none), Severity::Warning);
        assert_eq!(rule.severity_of(300, None, None, &[], &none), Severity::Warning, "no time, no duration");
    }

    #[test]
    fn sightings_are_runs_of_minutes_close_together() {
        let m = |minutes: &[(i64, u32)]| minutes.iter().map(|&(i, n)| (i * MINUTE_MS, n)).collect::<Vec<_>>();
        // Every ten minutes, two records: four sightings of no length.
        let idle = m(&[(0, 2), (10, 2), (20, 2), (30, 2)]);
        assert_eq!(sightings(&idle), Sightings { covered: 0, busiest: 2, records: 8 });
        // A retry every three minutes for twelve minutes, then again twenty minutes later for two.
        let retried = m(&[(0, 1), (3, 1), (6, 1), (9, 1), (12, 1), (32, 4), (34, 1)]);
        assert_eq!(sightings(&retried), Sightings { covered: 14 * MINUTE_MS, busiest: 5, records: 10 });
        let apart = m(&[(0, 1), (5, 1), (11, 1)]);
        assert_eq!(sightings(&apart), Sightings { covered: 5 * MINUTE_MS, busiest: 2, records: 3 });
        assert_eq!(sightings(&[]), Sightings::default());
    }

    /// Sightings far apart of one or two records each recur; they do not last, however many there are. A sighting
    /// of three records, or sightings that cover half of `after`, do.
    #[test]
    fn sightings_that_recur_do_not_last() {
        let pack = Pack::embedded().unwrap();
        let rule = pack.rules().iter().find(|r| r.id == "kafka.librdkafka-down").unwrap();
        let after = rule.escalate.as_ref().and_then(|e| e.after).unwrap();
        let none = BTreeMap::new();
        let every = |step: Millis, n: u32, times: i64| (0..times).map(|i| (i * step, n)).collect::<Vec<_>>();
        let idle = every(15 * MINUTE_MS, 2, 5);
        assert_eq!(rule.severity_of(10, Some(0), Some(60 * MINUTE_MS), &idle, &none), Severity::Warning);
        let busy = every(15 * MINUTE_MS, 3, 5);
        assert_eq!(rule.severity_of(15, Some(0), Some(60 * MINUTE_MS), &busy, &none), Severity::Error);
        let retried = every(5 * MINUTE_MS, 1, 4);
        assert_eq!(after, 10 * MINUTE_MS, "the figures above are for ten minutes");
        assert_eq!(rule.severity_of(4, Some(0), Some(15 * MINUTE_MS), &retried, &none), Severity::Error);
    }

    /// An escalation's `when`: an episode with a value for that capture has `to` at its first record, one without
    /// it the rule's severity until it lasts.
    #[test]
    fn a_captured_signal_escalates_at_once() {
        let pack = Pack::embedded().unwrap();
        let rule = pack.rules().iter().find(|r| r.id == "intake.retrying").unwrap();
        let when = rule.escalate.as_ref().and_then(|e| e.when.as_deref()).unwrap();
        assert!(rule.groups.iter().any(|(_, n)| n == when), "{when} is a capture of the pattern");
        let with = |name: &str, values: &[&str]| {
            BTreeMap::from([(name.to_string(), values.iter().map(|v| v.to_string()).collect::<Vec<_>>())])
        };
        let signalled = with(when, &["x509: certificate has expired or is not yet valid"]);
        assert_eq!(rule.severity_of(1, None, None, &[], &signalled), Severity::Error);
        assert_eq!(rule.severity_of(1, None, None, &[], &with("status", &["503"])), Severity::Warning);
        assert_eq!(rule.severity_of(1, None, None, &[], &with(when, &[])), Severity::Warning, "no value, no signal");
    }

    /// Each rule of `pack` whose matches open with a literal, with its index and the first such literal.
    fn rules_with_a_start(pack: &Pack) -> impl Iterator<Item = (usize, &Rule, Vec<u8>)> {
        use regex_syntax::hir::literal::{ExtractKind, Extractor};
        pack.rules().iter().enumerate().filter_map(|(i, rule)| {
            let seq = Extractor::new().kind(ExtractKind::Prefix).extract(&rule.hir);
            let start = seq.literals().and_then(|l| l.first()).filter(|l| !l.as_bytes().is_empty())?;
            Some((i, rule, start.as_bytes().to_vec()))
        })
    }

    /// What the rule's regex itself captures in `line` (an unanchored search): what `Pack::capture` must give.
    fn regex_captures(rule: &Rule, line: &[u8]) -> regex_automata::util::captures::Captures {
        let mut want = rule.regex().create_captures();
        rule.regex().search_captures(&Input::new(line), &mut want);
        want
    }

    /// A line with more start literals than are tried one by one (a hostile line, or a long one) gets from the
    /// regex engine the captures an unanchored search gives: every rule, its examples behind 100 of its first
    /// start literal.
    #[test]
    fn lines_with_many_starts_capture_like_the_regex() {
        let pack = Pack::embedded().unwrap();
        let mut s = MatchCache::new(&pack);
        let mut tried = 0;
        for (i, rule, start) in rules_with_a_start(&pack) {
            for ex in &rule.examples {
                let line = [start.repeat(MAX_STARTS + 36), ex.line.clone().into_bytes()].concat();
                if line.len() > SHORT_LINE {
                    continue;
                }
                let want = regex_captures(rule, &line);
                assert!(want.is_match(), "{}: {}", rule.id, ex.line);
                assert!(pack.capture(&mut s, i, &line), "{}: {}", rule.id, ex.line);
                assert_eq!(s.captures(i).slots(), want.slots(), "{}: {}", rule.id, ex.line);
                tried += 1;
            }
        }
        assert!(tried > 100, "{tried} lines");
    }

    /// A line where a start literal lies far in and no match follows, after a match near the start of another
    /// line: what the failed attempt leaves in the captures (the earlier line's positions, before this line's
    /// start literal) is not remembered, and the next match's captures are a fresh search's.
    #[test]
    fn a_failed_attempt_far_in_after_a_match_near_the_start() {
        let pack = Pack::embedded().unwrap();
        let mut s = MatchCache::new(&pack);
        let mut tried = 0;
        for (i, rule, start) in rules_with_a_start(&pack) {
            let failed = [vec![b'.'; 300], start, b"\x01".to_vec()].concat();
            if rule.regex().is_match(Input::new(&failed)) {
                continue;
            }
            for ex in &rule.examples {
                assert!(pack.capture(&mut s, i, ex.line.as_bytes()), "{}: {}", rule.id, ex.line);
                assert!(!pack.capture(&mut s, i, &failed), "{}", rule.id);
                assert!(!pack.capture(&mut s, i, &failed), "{}", rule.id);
                let want = regex_captures(rule, ex.line.as_bytes());
                assert!(pack.capture(&mut s, i, ex.line.as_bytes()), "{}: {}", rule.id, ex.line);
                assert_eq!(s.captures(i).slots(), want.slots(), "{}: {}", rule.id, ex.line);
                tried += 1;
            }
        }
        assert!(tried > 100, "{tried} lines");
    }

    /// A line holding a rule's own literal but not the further literals it requires is a candidate that cannot
    /// match: `may_match` says so when no other candidate can, and neither `capture` nor `matches` finds it.
    #[test]
    fn lines_without_the_required_literals_match_nothing() {
        let pack = Pack::embedded().unwrap();
        let mut s = MatchCache::new(&pack);
        let i = pack.rules().iter().position(|r| r.id == "agent.check-dns").unwrap();
        let rule = &pack.rules()[i];
        for (line, _) in &rule.counterexamples {
            let b = line.as_bytes();
            pack.candidates(&mut s, b, 0);
            assert!(s.candidates().contains(&i), "{line}");
            assert!(!pack.capture(&mut s, i, b) && !pack.matches(&mut s, i, b), "{line}");
        }
        let lacking = "2024-03-12 00:00:00 UTC | CORE | ERROR | (pkg/collector/worker/check_logger.go:71 in Error) | \
                       check:http_check | Error running check: [{\"message\": \"HTTPConnectionPool(host='h', port=80): \
                       Max retries exceeded with url: / (Caused by NewConnectionError(...))\"}]";
        pack.candidates(&mut s, lacking.as_bytes(), 0);
        assert!(s.candidates().contains(&i));
        assert!(!pack.capture(&mut s, i, lacking.as_bytes()));
        for e in &rule.examples {
            pack.candidates(&mut s, e.line.as_bytes(), 0);
            assert!(pack.may_match(&mut s, e.line.as_bytes()), "{}", e.line);
            assert!(pack.capture(&mut s, i, e.line.as_bytes()), "{}", e.line);
        }
        pack.candidates(&mut s, b"nothing to see here", 0);
        assert!(!pack.may_match(&mut s, b"nothing to see here"));
    }

    /// The required literals' answers kept for the line last asked about are its own: a line of the same length
    /// elsewhere (the same text with the required literal, or without it) is searched afresh, both ways round.
    #[test]
    fn required_literals_kept_for_one_line_only() {
        let pack = Pack::embedded().unwrap();
        let mut s = MatchCache::new(&pack);
        let i = pack.rule_index("agent.receiver-refused").unwrap();
        let held = pack.rules()[i].examples[0].line.clone();
        assert!(held.contains("connection refused"));
        let lacking = held.replace("connection refused", "connection refusex");
        for (asked, other, want) in [(&lacking, &held, true), (&held, &lacking, false)] {
            pack.candidates(&mut s, asked.as_bytes(), 0);
            assert!(s.candidates().contains(&i));
            pack.may_match(&mut s, asked.as_bytes());
            assert_eq!(pack.capture(&mut s, i, asked.as_bytes()), !want, "{asked}");
            assert_eq!(pack.capture(&mut s, i, other.as_bytes()), want, "{other}");
            assert_eq!(pack.matches(&mut s, i, other.as_bytes()), want, "{other}");
        }
    }

    /// Remembered captures, moved to where a repeated tail now lies, are what a fresh search finds: for every
    /// example of the pack, seen again behind a prefix of another length, after a near miss, and among other
    /// lines that take the same memo slots.
    #[test]
    fn remembered_captures_equal_fresh_ones() {
        let pack = Pack::embedded().unwrap();
        let mut s = MatchCache::new(&pack);
        let mut checked = 0;
        for (r, rule) in pack.rules().iter().enumerate() {
            for e in &rule.examples {
                let near = e.line.replacen(' ', "  ", 3);
                let lines = [
                    e.line.clone(),
                    // A start literal (the one-pass DFA's first anchored try) where no match starts, then a match.
                    format!("{near} {}", e.line),
                    format!("x{}", e.line),
                    near.clone(),
                    format!("2024-03-01 12:00:00,123 [main] ERROR a.b.C - {}", e.line),
                    e.line.clone(),
                    near,
                ];
                for line in &lines {
                    let fresh = {
                        let mut c = rule.regex().create_captures();
                        rule.regex().search_captures(&Input::new(line.as_bytes()), &mut c);
                        c
                    };
                    let matched = pack.capture(&mut s, r, line.as_bytes());
                    assert_eq!(matched, fresh.is_match(), "{}: {line}", rule.id);
                    let spans = |c: &regex_automata::util::captures::Captures| {
                        (0..c.group_len()).map(|g| c.get_group(g)).collect::<Vec<_>>()
                    };
                    assert_eq!(spans(&s.caps[r]), spans(&fresh), "{}: {line}", rule.id);
                    checked += 1;
                }
            }
        }
        assert!(checked > 500, "{checked}");
    }

    /// A line's candidate rules taken from a remembered search of another line (one with the same bytes from the
    /// hint on) are those a fresh search names: every example and counterexample of the pack, searched from each
    /// literal the buffer search could stop at, its search replayed on the same tail behind other bytes (the
    /// own literals that begin before the hint then hold on one line and not the other, both ways round), and
    /// through the pack's memo among other lines.
    #[test]
    fn replayed_candidate_searches_equal_fresh_ones() {
        use regex_automata::PatternSet;
        let pack = Pack::embedded().unwrap();
        let pf = pack.prefilter.as_ref().filter(|p| p.is_usable()).unwrap();
        let fresh = |line: &[u8], from: usize| {
            let mut out = Vec::new();
            pf.candidate_rules(line, from, &mut PatternSet::new(pack.rules().len()), &mut out);
            out.sort_unstable();
            out
        };
        let mut s = MatchCache::new(&pack);
        let (mut checked, mut differed) = (0, 0);
        let lines: Vec<String> = pack
            .rules()
            .iter()
            .flat_map(|r| {
                r.examples.iter().map(|e| e.line.clone()).chain(r.counterexamples.iter().map(|(c, _)| c.clone()))
            })
            .collect();
        for line in &lines {
            let line = line.as_bytes();
            let mut from = 0;
            while let Some(hit) = pf.find(line, from, line.len()) {
                from = hit + 1;
                if hit == 0 {
                    continue;
                }
                let tail = &line[hit..];
                // The same tail behind a prefix one byte shorter, one byte longer, emptied, and with the bytes
                // just before the hint changed.
                let mut changed = line[..hit].to_vec();
                for b in changed.iter_mut().rev().take(8) {
                    *b = if *b == b'x' { b'y' } else { b'x' };
                }
                let others: Vec<Vec<u8>> = vec![
                    [&line[1..hit], tail].concat(),
                    [b"z", &line[..hit], tail].concat(),
                    [b" ", tail].concat(),
                    [&changed[..], tail].concat(),
                ];
                for other in &others {
                    let at = other.len() - tail.len();
                    for (a, a_from, b, b_from) in [(line, hit, &other[..], at), (&other[..], at, line, hit)] {
                        let mut found = prefilter::Found::default();
                        let mut out = Vec::new();
                        let mut seen = PatternSet::new(pack.rules().len());
                        pf.candidate_rules_found(a, a_from, &mut seen, &mut out, Some(&mut found));
                        out.sort_unstable();
                        assert_eq!(out, fresh(a, a_from), "recording changed the search of {a:?}");
                        let mut replayed = Vec::new();
                        pf.replay_candidates(&found, b, b_from, &mut seen, &mut replayed);
                        replayed.sort_unstable();
                        let expected = fresh(b, b_from);
                        differed += usize::from(expected != out);
                        assert_eq!(replayed, expected, "{:?} replayed on {:?}", String::from_utf8_lossy(a), b);
                        // Through the memo of the pack, after the other line.
                        pack.candidates(&mut s, a, a_from);
                        pack.candidates(&mut s, b, b_from);
                        let mut memo = s.candidates().to_vec();
                        memo.sort_unstable();
                        assert_eq!(memo, expected);
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 2000 && differed > 20, "{checked} checked, {differed} differ from the recorded line");
    }

    /// The embedded pack passes every check a pack from files gets (its patterns compile, its examples match, its
    /// counterexamples do not), which [`Pack::embedded`] leaves to this test; and the capture groups known from
    /// each syntax tree are the compiled regex's.
    #[test]
    fn embedded_pack_passes_every_check() {
        let checked = Pack::embedded_checked().unwrap_or_else(|e| panic!("{e}"));
        let lazy = Pack::embedded().unwrap();
        assert_eq!(checked.id(), lazy.id());
        for (a, b) in checked.rules().iter().zip(lazy.rules()) {
            assert!(a.regex.get().is_some(), "{}: compiled at load", a.id);
            assert!(b.regex.get().is_none(), "{}: not compiled before use", b.id);
            let compiled = a.regex().group_info();
            assert_eq!(b.group_info.slot_len(), compiled.slot_len(), "{}", a.id);
            let names = |g: &regex_automata::util::captures::GroupInfo| {
                g.pattern_names(PatternID::ZERO).map(|n| n.map(str::to_string)).collect::<Vec<_>>()
            };
            assert_eq!(names(&b.group_info), names(compiled), "{}", a.id);
            assert_eq!(b.regex().group_info().slot_len(), compiled.slot_len(), "{}", a.id);
        }
    }

    /// `rule@unknown` selects only episodes whose component could not be told; `rule@c` only those of `c`.
    #[test]
    fn selectors_by_component() {
        use crate::model::Component::{KafkaToEs, Receiver};
        let pack = Pack::embedded().unwrap();
        let chain = pack.chains().iter().find(|c| c.id == "chain.bad-payload").unwrap();
        let rule = pack.rule_index("jackson.parse-error").unwrap();
        let selected = |c| chain.cause.iter().any(|s| s.selects(rule, c));
        assert!(selected(None));
        assert!(selected(Some(Receiver)));
        assert!(!selected(Some(KafkaToEs)));
        let s = Selector { rule, component: None, unknown: true };
        assert!(s.selects(rule, None) && !s.selects(rule, Some(Receiver)) && !s.selects(rule + 1, None));
    }
}
