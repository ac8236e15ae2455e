//! Incidents: what the report shows. Each incident has a root cause, the components it touched, its time span
//! and counts, evidence lines with file:line, and the next steps.

use super::episode::{Bucket, EpisodeKey};
use crate::model::{Component, Family, Severity};
use crate::rules::{Pack, Scope};
use crate::scan::ScanOutput;
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
    pub family: Family,
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

/// FNV-1a, 64 bits: a hash that is the same on every platform and Rust version, for stable ids.
pub fn stable_hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for p in parts {
        for &b in p.as_bytes().iter().chain(std::iter::once(&0xff)) {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
    }
    h
}

/// Turns one aggregated episode into its report form, resolving sample line numbers.
pub fn episode_view(pack: &Pack, out: &ScanOutput, key: &EpisodeKey, b: Bucket) -> EpisodeView {
    let rule = &pack.rules()[key.rule as usize];
    let samples = b
        .samples
        .into_iter()
        .map(|s| SampleView {
            path: out.files.get(s.order.file as usize).map(|f| f.display.clone()).unwrap_or_default(),
            line: out.line_number(s.order.file, s.line),
            text: s.text,
            matched: s.matched.map(|(l, t)| (out.line_number(s.order.file, l), t)),
            pod: s.pod,
        })
        .collect();
    let mut fields: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, mut values) in b.fields {
        values.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        fields.insert(name.to_string(), values.into_iter().map(|(v, _)| v.to_string()).collect());
    }
    EpisodeView {
        rule: key.rule as usize,
        rule_id: rule.id.clone(),
        component: key.component,
        process: key.process.as_deref().map(str::to_string),
        key: rule.key.iter().cloned().zip(key.key.iter().map(|k| k.to_string())).collect(),
        count: b.count,
        first_seen: b.first,
        last_seen: b.last,
        fields,
        fields_truncated: b.truncated.iter().map(|t| t.to_string()).collect(),
        samples,
    }
}

/// The telemetry streams an episode touches, from its index names and kafka-to-es process.
pub fn telemetry_of(ep: &EpisodeView) -> Vec<String> {
    let mut t = Vec::new();
    let mut add = |s: &str| {
        if !t.iter().any(|x| x == s) {
            t.push(s.to_string());
        }
    };
    for idx in ep.fields.get("index").into_iter().flatten() {
        if idx.starts_with("sts_multi_metrics") || idx.contains("metric") {
            add("metrics");
        } else if idx.starts_with("sts_trace") || idx.contains("trace") {
            add("traces");
        } else if idx.contains("event") {
            add("events");
        }
    }
    match ep.process.as_deref() {
        Some("mm2es") => add("metrics"),
        Some("e2es") | Some("sts2es") => add("events"),
        Some("trace2es") => add("traces"),
        _ => {}
    }
    for topic in ep.fields.get("topic").into_iter().flatten() {
        if topic.contains("metric") {
            add("metrics");
        } else if topic.contains("trace") {
            add("traces");
        } else if topic.contains("event") {
            add("events");
        } else if topic.contains("topo") {
            add("topology");
        }
    }
    for ep_path in ep.fields.get("endpoint").into_iter().flatten().chain(ep.fields.get("url").into_iter().flatten()) {
        if ep_path.contains("/series") {
            add("metrics");
        } else if ep_path.contains("/intake") {
            add("topology");
            add("events");
            add("health");
        }
    }
    t
}

/// Builds the incidents of a scan: the pack's chains first (see [`super::chain`]), then one incident per episode
/// that no chain explains. Sorted by severity (worst first), then first seen, then id.
pub fn build_incidents(pack: &Pack, out: ScanOutput) -> (Vec<Incident>, ScanOutputSummary) {
    let summary = ScanOutputSummary { stats: out.stats.clone(), skipped: out.skipped.clone(), files: out.files.len() };
    let mut out = out;
    let aggregates = std::mem::take(&mut out.aggregates);
    let episodes: Vec<EpisodeView> =
        aggregates.into_episodes().into_iter().map(|(k, b)| episode_view(pack, &out, &k, b)).collect();
    (super::chain::correlate(pack, episodes), summary)
}

/// What the report needs of a scan besides its incidents.
#[derive(Debug, Clone)]
pub struct ScanOutputSummary {
    /// Totals.
    pub stats: crate::scan::Stats,
    /// Inputs not scanned, with why.
    pub skipped: Vec<crate::source::Skipped>,
    /// Inputs considered.
    pub files: usize,
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

/// Whether an episode's rule is about one integration only (a single check or agent).
fn single_integration(ep: &EpisodeView) -> bool {
    ep.fields.contains_key("check")
}

/// An incident made of one episode that no chain explains.
pub fn single(pack: &Pack, ep: EpisodeView) -> Incident {
    let rule = &pack.rules()[ep.rule];
    let key_text: Vec<String> = ep.key.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k} {v}")).collect();
    let mut title = rule.title.clone();
    if !key_text.is_empty() {
        title = format!("{title} ({})", key_text.join(", "));
    }
    let hash = stable_hash(&[
        &rule.id,
        ep.component.map_or("", |c| c.as_str()),
        ep.process.as_deref().unwrap_or(""),
        &ep.key.iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>().join("\u{1f}"),
        &ep.first_seen.map_or(String::new(), |t| t.to_string()),
    ]);
    let mut counts = BTreeMap::new();
    let comp = ep.component.map_or("unknown", |c| c.as_str()).to_string();
    counts.insert(comp, ep.count);
    Incident {
        id: format!("{}-{:08x}", rule.id, hash as u32),
        title,
        family: rule.family,
        severity: rule.severity,
        components: ep.component.into_iter().collect(),
        scope: if single_integration(&ep) { Scope::Single } else { Scope::All },
        telemetry: telemetry_of(&ep),
        first_seen: ep.first_seen,
        last_seen: ep.last_seen,
        count: ep.count,
        counts,
        root_cause: RootCause { rule: rule.id.clone(), component: ep.component, summary: rule.title.clone() },
        chain: None,
        next_steps: rule.next_steps.clone(),
        episodes: vec![ep],
    }
}
