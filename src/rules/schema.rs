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

/// A `[[chain]]` table: a cause and the effects it produces on other components.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainDef {
    pub id: Spanned<String>,
    pub title: String,
    pub severity: Spanned<String>,
    /// The component named as the root cause.
    pub root_component: Spanned<String>,
    /// The rules (ids, or `family:<name>`, or prefixes ending in `*`) whose episodes are causes.
    pub cause: Spanned<Vec<Spanned<String>>>,
    /// The rules whose episodes are effects.
    #[serde(default)]
    pub effect: Vec<Spanned<String>>,
    /// How far from a cause an effect may start (`15m`).
    pub window: Spanned<String>,
    /// How much earlier than its cause an effect may start (clock skew between hosts; `2m`).
    #[serde(default)]
    pub skew: Option<Spanned<String>>,
    /// Field names that must agree between cause and effect when both have them.
    #[serde(default)]
    pub join: Vec<Spanned<String>>,
    /// Whether effects alone (no cause seen) still make this incident, named by its root cause.
    #[serde(default)]
    pub effects_imply_cause: bool,
    /// The least number of distinct values of `distinct_field` across effects for the chain to fire.
    #[serde(default)]
    pub min_distinct: Option<ChainDistinct>,
    /// `all` (every integration) or `single` (one integration); derived when absent.
    #[serde(default)]
    pub scope: Option<Spanned<String>>,
    pub next_steps: Spanned<Vec<String>>,
}

/// `min_distinct = { field = "host", count = 2 }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainDistinct {
    pub field: String,
    pub count: u32,
}
