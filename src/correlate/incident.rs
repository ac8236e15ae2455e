//! The correlator's vocabulary, shared by its steps and by every reader of its output: an incident (root cause,
//! components, time span and counts, evidence lines with file:line, next steps), the episodes it is made of, and
//! their evidence.

use crate::model::{Component, Severity};
use crate::rules::Scope;
use crate::time::Millis;
use std::collections::BTreeMap;

/// An evidence line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleView {
    /// The file.
    pub path: String,
    /// 1-based line of the record's header.
    pub line: u64,
    /// The header line.
    pub text: String,
    /// The matching continuation line (line number, text), when the match was below the header.
    pub matched: Option<(u64, String)>,
    /// The pod, for Kubernetes captures.
    pub pod: Option<String>,
    /// The machine the file was read on, when known.
    pub host: Option<String>,
}

/// One episode as reported: a rule firing on one component for one key over one span of time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpisodeView {
    /// Rule index in the pack.
    pub rule: usize,
    /// Rule id.
    pub rule_id: String,
    /// Component.
    pub component: Option<Component>,
    /// kafka-to-es process.
    pub process: Option<String>,
    /// Key field values.
    pub key: Vec<(String, String)>,
    /// Matching records.
    pub count: u64,
    /// Earliest time.
    pub first_seen: Option<Millis>,
    /// Latest time.
    pub last_seen: Option<Millis>,
    /// Field → distinct values (earliest first).
    pub fields: BTreeMap<String, Vec<String>>,
    /// Fields with more values than shown.
    pub fields_truncated: Vec<String>,
    /// Evidence.
    pub samples: Vec<SampleView>,
    /// Timed records per minute: (start of the minute, records), in time order.
    pub per_minute: Vec<(Millis, u32)>,
    /// For the episode of the keys past its rule's cap (its key is empty): about how many distinct keys it folds.
    pub other_keys: Option<u64>,
}

/// The root cause of an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootCause {
    /// The rule of the earliest cause episode.
    pub rule: String,
    /// The component named as the cause.
    pub component: Option<Component>,
    /// What the cause is, in words.
    pub summary: String,
}

/// A finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    /// Stable id: chain or rule id and a hash of the root cause's key and start.
    pub id: String,
    /// Title.
    pub title: String,
    /// Family of the root cause.
    pub family: String,
    /// Severity.
    pub severity: Severity,
    /// Components touched, root cause first.
    pub components: Vec<Component>,
    /// Whether all integrations or a single one are affected.
    pub scope: Scope,
    /// Telemetry affected: metrics, events, traces, topology, health.
    pub telemetry: Vec<String>,
    /// Earliest time.
    pub first_seen: Option<Millis>,
    /// Latest time.
    pub last_seen: Option<Millis>,
    /// Matching records across all episodes.
    pub count: u64,
    /// Per component, matching records.
    pub counts: BTreeMap<String, u64>,
    /// The root cause.
    pub root_cause: RootCause,
    /// The chain that joined the episodes, if any.
    pub chain: Option<String>,
    /// The episodes, root cause first, then by time.
    pub episodes: Vec<EpisodeView>,
    /// Steps, in the order to take them.
    pub next_steps: Vec<String>,
}

#[cfg(test)]
impl Incident {
    /// An incident for unit tests: a warning of the `connection` family, one record at time 0, a root cause rule
    /// named like the id and no component; tests set what they look at.
    pub(crate) fn for_test(id: &str) -> Incident {
        Incident {
            id: id.into(),
            title: id.into(),
            family: "connection".into(),
            severity: Severity::Warning,
            components: vec![],
            scope: Scope::All,
            telemetry: vec![],
            first_seen: Some(0),
            last_seen: Some(0),
            count: 1,
            counts: BTreeMap::new(),
            root_cause: RootCause { rule: id.into(), component: None, summary: String::new() },
            chain: None,
            episodes: vec![],
            next_steps: vec![],
        }
    }
}

/// Sorts incidents: severity (worst first), first seen (untimed last), id.
pub fn sort(incidents: &mut [Incident]) {
    incidents.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.first_seen.unwrap_or(i64::MAX).cmp(&b.first_seen.unwrap_or(i64::MAX)))
            .then(a.id.cmp(&b.id))
    });
}
