//! The JSON wire format, schema version 1. Keys may be added; none are renamed or removed.

use super::Summary;
use crate::correlate::{EpisodeView, Incident as Inc, SampleView, UnexplainedView};
use crate::time::format_rfc3339;
use serde::Serialize;
use std::collections::BTreeMap;

/// The version of this format.
pub const SCHEMA_VERSION: u32 = 1;

/// A whole report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The version of the stackscan that wrote it (`CARGO_PKG_VERSION`): a merge of reports whose pack is not the
    /// merging build's says which build made them.
    pub stackscan_version: &'static str,
    /// What was read.
    pub scan: Scan,
    /// What was found.
    pub incidents: Vec<Incident>,
    /// The top templates of the records at WARN and above that no rule explained.
    pub unexplained: Vec<Unexplained>,
    // A report that carries its scan state has one more field, `state`, written after these (see
    // `super::json`): the state the incidents were correlated from (pack identity, file table with hosts, the
    // bounded aggregates, totals), what `stackscan merge` combines exactly. Not meant to be read by people.
}

/// What was read.
#[derive(Debug, Serialize)]
pub struct Scan {
    /// Inputs read.
    pub files: u64,
    /// Bytes of log text read (after decompression).
    pub bytes: u64,
    /// Lines read.
    pub lines: u64,
    /// Matching records.
    pub matches: u64,
    /// Wall time (the only field that differs between identical runs).
    pub elapsed_ms: u64,
    /// Inputs not read, or not completely, with why.
    pub skipped: Vec<crate::source::Skipped>,
    /// Inputs not read because their whole time span lies outside `--since`/`--until`.
    pub skipped_by_time: u64,
    /// Elasticsearch JSON logs not read because their plain twin (the same events) was read.
    pub twins_skipped: u64,
    /// Matches more than a record bound below any header line, reported as records of their own.
    pub records_cut: u64,
    /// Records at WARN and above (and exceptions without a level) that no rule explained.
    pub unexplained_records: u64,
    /// The templates they were mined into.
    pub unexplained_templates: usize,
    /// Templates the per-component cap evicted (their records are not in `unexplained_records`).
    pub unexplained_evicted: u64,
    /// The records of those templates.
    pub unexplained_evicted_records: u64,
    /// Rules whose distinct keys passed the cap (`--max-keys`): their other keys' records were folded into one
    /// episode per component.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keys_folded: Vec<KeysFolded>,
}

/// A rule past its cap of distinct keys.
#[derive(Debug, Serialize)]
pub struct KeysFolded {
    /// The rule.
    pub rule: String,
    /// Matching records folded (exact).
    pub records: u64,
    /// About how many distinct keys were folded.
    pub keys: u64,
}

/// The root cause.
#[derive(Debug, Serialize)]
pub struct RootCause {
    /// Rule id of the earliest cause episode.
    pub rule: String,
    /// Component named as the cause.
    pub component: String,
    /// In words.
    pub summary: String,
}

/// An incident.
#[derive(Debug, Serialize)]
pub struct Incident {
    /// Stable id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Family of the root cause.
    pub family: String,
    /// info, warning, error, critical.
    pub severity: String,
    /// Components touched, root cause first.
    pub components: Vec<String>,
    /// `all` integrations or a `single` one.
    pub scope: crate::rules::Scope,
    /// Telemetry affected.
    pub telemetry: Vec<String>,
    /// RFC 3339, null when no line had a time.
    pub first_seen: Option<String>,
    /// RFC 3339.
    pub last_seen: Option<String>,
    /// Matching records.
    pub count: u64,
    /// Matching records per component.
    pub counts: BTreeMap<String, u64>,
    /// Root cause.
    pub root_cause: RootCause,
    /// The chain that joined the episodes, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain: Option<String>,
    /// Episodes, root cause first.
    pub episodes: Vec<Episode>,
    /// Next steps, in order.
    pub next_steps: Vec<String>,
}

/// An episode.
#[derive(Debug, Serialize)]
pub struct Episode {
    /// Rule id.
    pub rule: String,
    /// Component.
    pub component: String,
    /// kafka-to-es process.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<String>,
    /// Matching records.
    pub count: u64,
    /// RFC 3339.
    pub first_seen: Option<String>,
    /// RFC 3339.
    pub last_seen: Option<String>,
    /// Key field values; a key field the lines did not carry (an optional group of the pattern) is left out.
    pub key: BTreeMap<String, String>,
    /// Field → distinct values, earliest first.
    pub fields: BTreeMap<String, Vec<String>>,
    /// Fields with more distinct values than shown.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields_truncated: Vec<String>,
    /// Evidence lines.
    pub samples: Vec<Sample>,
    /// The episode of the keys past its rule's cap of distinct keys (`key` is then empty): about how many.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_keys: Option<u64>,
}

/// An evidence line.
#[derive(Debug, Serialize)]
pub struct Sample {
    /// File.
    pub path: String,
    /// 1-based line of the record's header.
    pub line: u64,
    /// Header text, sanitised.
    pub text: String,
    /// Line of the matching continuation line, when below the header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_line: Option<u64>,
    /// Its text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_text: Option<String>,
    /// Pod, for Kubernetes captures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod: Option<String>,
    /// The machine it was read on (`--host`, default the host name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// An unexplained template: records at WARN and above (or exceptions without a level) that no rule explained.
#[derive(Debug, Serialize)]
pub struct Unexplained {
    /// Stable id of the template (a hash of its text), 16 hex digits.
    pub id: String,
    /// The records' message with variables as `<*>`; a stack trace adds ` | ` and its first exception line.
    pub template: String,
    /// The component whose logs hold it (`unknown` when it could not be told).
    pub component: String,
    /// The highest level of its records: warn, error, fatal; null for exceptions logged without a level.
    pub level: Option<&'static str>,
    /// Records.
    pub count: u64,
    /// RFC 3339, null when no record had a time.
    pub first_seen: Option<String>,
    /// RFC 3339.
    pub last_seen: Option<String>,
    /// Files holding its records.
    pub files: usize,
    /// More files than `files` held its records.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub files_more: bool,
    /// Whether its rate bursts: its busiest bin holds at least 10 records and 4 times its mean per bin.
    pub bursts: bool,
    /// Its busiest time bin.
    pub peak: Peak,
    /// Per variable (`<*>`, in order), its earliest distinct values.
    pub examples: Vec<Vec<String>>,
    /// The earliest records (the header line; `matched_*` the exception line below it).
    pub samples: Vec<Sample>,
}

/// The busiest time bin of a template.
#[derive(Debug, Serialize)]
pub struct Peak {
    /// Records in it.
    pub count: u64,
    /// Its width in seconds: 60, or wider for templates seen over many hours.
    pub window_s: i64,
}

/// NDJSON: an unexplained template (a scan's, after its incidents; tail mode's, when a new one appears).
#[derive(Debug, Serialize)]
pub struct UnexplainedEvent {
    /// `unexplained`.
    pub event: &'static str,
    /// In tail mode, when it was announced (wall clock, RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emitted_at: Option<String>,
    /// The template.
    pub template: Unexplained,
}

/// NDJSON: one incident.
#[derive(Debug, Serialize)]
pub struct IncidentEvent {
    /// `incident` (scan) or `opened` / `updated` / `resolved` (follow).
    pub event: &'static str,
    /// Why, when not the usual: `end of input` (resolved because standard input ended).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Follow: when the event was announced (wall clock, RFC 3339). Absent from a scan's lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emitted_at: Option<String>,
    /// The incident.
    pub incident: Incident,
}

/// NDJSON: the closing summary.
#[derive(Debug, Serialize)]
pub struct SummaryEvent {
    /// `summary`.
    pub event: &'static str,
    /// What was read.
    pub scan: Scan,
}

/// NDJSON: a note (tail mode).
#[derive(Debug, Serialize)]
pub struct NoteEvent<'a> {
    /// `note`.
    pub event: &'static str,
    /// When it was said (wall clock, RFC 3339).
    pub emitted_at: String,
    /// What happened.
    pub message: &'a str,
}

fn ts(t: Option<i64>) -> Option<String> {
    t.map(format_rfc3339)
}

fn comp(c: Option<crate::model::Component>) -> String {
    c.map_or("unknown", |c| c.as_str()).to_string()
}

impl From<&Summary> for Scan {
    fn from(s: &Summary) -> Self {
        Scan {
            files: s.stats.files,
            bytes: s.stats.bytes,
            lines: s.stats.lines,
            matches: s.stats.matches,
            elapsed_ms: s.stats.elapsed_ms,
            skipped: s.skipped.clone(),
            skipped_by_time: s.stats.skipped_by_time,
            twins_skipped: s.stats.twins,
            records_cut: s.stats.records_cut,
            unexplained_records: s.unexplained.records,
            unexplained_templates: s.unexplained.templates,
            unexplained_evicted: s.unexplained.evicted_templates,
            unexplained_evicted_records: s.unexplained.evicted_records,
            keys_folded: s
                .folded
                .iter()
                .map(|(rule, records, keys)| KeysFolded { rule: rule.clone(), records: *records, keys: *keys })
                .collect(),
        }
    }
}

impl From<&SampleView> for Sample {
    fn from(s: &SampleView) -> Self {
        Sample {
            path: s.path.clone(),
            line: s.line,
            text: s.text.clone(),
            matched_line: s.matched.as_ref().map(|m| m.0),
            matched_text: s.matched.as_ref().map(|m| m.1.clone()),
            pod: s.pod.clone(),
            host: s.host.clone(),
        }
    }
}

impl From<&EpisodeView> for Episode {
    fn from(e: &EpisodeView) -> Self {
        Episode {
            rule: e.rule_id.clone(),
            component: comp(e.component),
            process: e.process.clone(),
            count: e.count,
            first_seen: ts(e.first_seen),
            last_seen: ts(e.last_seen),
            key: e.key.iter().filter(|(_, v)| !v.is_empty()).cloned().collect(),
            fields: e.fields.clone(),
            fields_truncated: e.fields_truncated.clone(),
            samples: e.samples.iter().map(Sample::from).collect(),
            other_keys: e.other_keys,
        }
    }
}

impl From<&Inc> for Incident {
    fn from(i: &Inc) -> Self {
        Incident {
            id: i.id.clone(),
            title: i.title.clone(),
            family: i.family.clone(),
            severity: i.severity.as_str().into(),
            components: i.components.iter().map(|c| c.as_str().to_string()).collect(),
            scope: i.scope,
            telemetry: i.telemetry.clone(),
            first_seen: ts(i.first_seen),
            last_seen: ts(i.last_seen),
            count: i.count,
            counts: i.counts.clone(),
            root_cause: RootCause {
                rule: i.root_cause.rule.clone(),
                component: comp(i.root_cause.component),
                summary: i.root_cause.summary.clone(),
            },
            chain: i.chain.clone(),
            episodes: i.episodes.iter().map(Episode::from).collect(),
            next_steps: i.next_steps.clone(),
        }
    }
}

impl From<&UnexplainedView> for Unexplained {
    fn from(u: &UnexplainedView) -> Self {
        Unexplained {
            id: u.id.clone(),
            template: u.template.clone(),
            component: comp(u.component),
            level: u.level.map(|l| l.as_str()),
            count: u.count,
            first_seen: ts(u.first_seen),
            last_seen: ts(u.last_seen),
            files: u.files,
            files_more: u.files_more,
            bursts: u.bursts,
            peak: Peak { count: u.peak, window_s: u.peak_window_ms / 1000 },
            examples: u.examples.clone(),
            samples: u.samples.iter().map(Sample::from).collect(),
        }
    }
}
