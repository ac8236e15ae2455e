//! The on-disk form of a rule pack: TOML as written by people, before validation.
//!
//! Strict on purpose (`deny_unknown_fields` everywhere): a misspelt field must be an error, not a rule that
//! silently loses its key or its examples. Spans are kept where validation needs to point back into the file.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// One TOML file of the pack.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileDef {
    /// The `[[rule]]` tables.
    #[serde(default)]
    pub rule: Vec<Spanned<RuleDef>>,
    /// The `[[chain]]` tables.
    #[serde(default)]
    pub chain: Vec<Spanned<ChainDef>>,
    /// The `[[family]]` tables: the problem families rules may name.
    #[serde(default)]
    pub family: Vec<Spanned<FamilyDef>>,
    /// The `[[telemetry]]` tables: which telemetry an episode touches, from its field values.
    #[serde(default)]
    pub telemetry: Vec<Spanned<TelemetryDef>>,
    /// The `[scope]` table: how an incident is told to concern one integration.
    #[serde(default)]
    pub scope: Option<Spanned<ScopeDef>>,
    /// The `[display]` table: how incidents are shown to people.
    #[serde(default)]
    pub display: Option<Spanned<DisplayDef>>,
    /// The `[[target]]` tables: which addresses belong to which component, for root causes.
    #[serde(default)]
    pub target: Vec<Spanned<TargetDef>>,
    /// The `[[fragment]]` tables: named pieces of regex that rule patterns splice in as `{{name}}`.
    #[serde(default)]
    pub fragment: Vec<Spanned<FragmentDef>>,
}

/// A `[[fragment]]` table: a piece of regex several rules share (see `rules/fragment.rs`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FragmentDef {
    pub name: Spanned<String>,
    pub pattern: Spanned<String>,
    /// What the fragment reads, for people editing the pack.
    #[serde(default)]
    #[allow(dead_code)]
    pub description: Option<String>,
}

/// A `[[target]]` table: an episode whose `fields` hold a value that `contains` one of these substrings or `equals`
/// one of these values names an address of `component` (a port, a service name): a failure to reach it is rooted
/// there when its rule names no root cause.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetDef {
    pub fields: Spanned<Vec<String>>,
    #[serde(default)]
    pub contains: Vec<String>,
    #[serde(default)]
    pub equals: Vec<String>,
    pub component: Spanned<String>,
}

/// A `[[family]]` table: a kind of problem, named by rules' `family`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FamilyDef {
    pub id: Spanned<String>,
    /// What the family covers, for the reference.
    #[serde(default)]
    pub description: Option<String>,
    /// Component → component: an episode of the family that only the component which logged it would root (no
    /// `root_cause`, no target) is rooted in the other one (a Kafka client's log of a payload error is the reader's
    /// failure: a broker never decodes one).
    #[serde(default)]
    pub rooted_instead: BTreeMap<String, Spanned<String>>,
}

/// A `[[telemetry]]` table: an episode whose `fields` (the pseudo-field `process` is the kafka-to-es process)
/// hold a value that `contains` one of these substrings or `equals` one of these values touches `kinds`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetryDef {
    pub fields: Spanned<Vec<String>>,
    #[serde(default)]
    pub contains: Vec<String>,
    #[serde(default)]
    pub equals: Vec<String>,
    pub kinds: Spanned<Vec<String>>,
}

/// The `[scope]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeDef {
    /// An episode that has one of these fields concerns a single integration (one check, one data source).
    #[serde(default)]
    pub single_integration_fields: Vec<String>,
}

/// The `[display]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisplayDef {
    /// Fields that differ on nearly every line: in the JSON report, not in the text summary.
    #[serde(default)]
    pub quiet_fields: Vec<String>,
}

/// A `[[rule]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub id: Spanned<String>,
    pub title: String,
    pub family: Spanned<String>,
    pub severity: Spanned<String>,
    pub components: Spanned<Vec<Spanned<String>>>,
    pub pattern: Spanned<String>,
    #[serde(default)]
    pub key: Vec<Spanned<String>>,
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    #[serde(default)]
    pub generic: bool,
    /// A writer's rule whose words any program may write (a client library's exception): it takes its rank only
    /// in a line its writer is known to have written.
    #[serde(default)]
    pub known_writer: Option<Spanned<bool>>,
    /// `writer` (a writer's own sentence; the default) or `kind` (a failure's stable tokens, whoever writes them).
    #[serde(default)]
    pub layer: Option<Spanned<String>>,
    /// The component named as root cause of this rule's episodes, whoever logged them.
    #[serde(default)]
    pub root_cause: Option<Spanned<String>>,
    /// `all` or `single`: the scope of an incident made of this rule's episodes alone.
    #[serde(default)]
    pub scope: Option<Spanned<String>>,
    /// When an episode is worse than one event of it: lasting longer, or more records.
    #[serde(default)]
    pub escalate: Option<Spanned<EscalateDef>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub literals: Vec<Spanned<String>>,
    pub next_steps: Spanned<Vec<String>>,
    #[serde(default)]
    pub counterexamples: Vec<Spanned<String>>,
    #[serde(default)]
    pub examples: Vec<Spanned<ExampleDef>>,
}

/// A rule's `escalate` table: an episode that lasted `after` (see [`Rule::severity_of`](super::Rule::severity_of)),
/// of at least `records` records, or in which a record captured `when`, has severity `to` (default `error`) instead
/// of the rule's.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalateDef {
    #[serde(default)]
    pub after: Option<String>,
    #[serde(default)]
    pub records: Option<u64>,
    /// A named capture of the pattern: an episode in which a record captured it escalates at once.
    #[serde(default)]
    pub when: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
}

/// An `[[rule.examples]]` table: a line that must match and the fields it must yield.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleDef {
    pub line: String,
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// The component of the file the line is in, when the rule lists several (defaults to the first).
    #[serde(default)]
    pub component: Option<String>,
}

/// A `[[chain]]` table: a cause, the effects it produces on other components, and how they are matched up.
/// Selectors name rules: `rule-id`, `prefix*`, or `family:<name>`, each optionally restricted to the component
/// whose log carried the line with `@component` (`es.flood-stage-block@kafka-to-es`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainDef {
    pub id: Spanned<String>,
    /// Incident title; `{field}` is replaced by the field's values, `[...]` drops when a field inside is missing.
    pub title: String,
    pub severity: Spanned<String>,
    /// The component named as the root cause.
    pub root_component: Spanned<String>,
    /// Episodes that are the cause.
    #[serde(default)]
    pub cause: Vec<Spanned<String>>,
    /// Effects that, seen without any cause (its log was not collected), still make the incident.
    #[serde(default)]
    pub proxy: Vec<Spanned<String>>,
    /// Downstream effects, attached only to an incident that has a cause or a proxy.
    #[serde(default)]
    pub effect: Vec<Spanned<String>>,
    /// How long after the cause's last line an effect may still start (`15m`).
    pub window: Spanned<String>,
    /// How much earlier than its cause an effect may start (clock skew between hosts; `2m`).
    #[serde(default)]
    pub skew: Option<Spanned<String>>,
    /// Fields that must share a value between two episodes when both have the field.
    #[serde(default)]
    pub join: Vec<Spanned<String>>,
    /// `all` (every integration) or `single` (one integration); derived from the episodes when absent.
    #[serde(default)]
    pub scope: Option<Spanned<String>>,
    /// Why the chain holds, for the reference.
    #[serde(default)]
    pub description: Option<String>,
    pub next_steps: Spanned<Vec<String>>,
    /// Titles for the stages the incident may reach, worst first: the first whose selectors select one of the
    /// incident's episodes gives the title; `title` is the title of an incident that reached none of them.
    #[serde(default)]
    pub stage: Vec<Spanned<StageDef>>,
}

/// A `[[chain.stage]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageDef {
    /// Selectors (as in `cause`) of the episodes that mark the stage.
    pub when: Vec<Spanned<String>>,
    /// The incident's title once the stage is reached (a template, as the chain's `title`).
    pub title: String,
}
