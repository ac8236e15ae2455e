//! What the people-facing formats (text, Markdown, HTML) show of an incident, chosen once so that they agree:
//! the lane an episode is drawn in, the field values merged across episodes, the evidence lines picked, and
//! how an incident's time span reads.

use super::{human, Summary, UnexplainedTotals};
use crate::correlate::{EpisodeView, Incident, SampleView, UnexplainedView};
use crate::model::{Component, Level, Severity};
use crate::time::Millis;
use std::collections::BTreeMap;

/// Evidence lines shown per component in the short formats (text, Markdown).
pub const EVIDENCE_PER_COMPONENT: usize = 2;
/// Values shown per field before `…`.
pub const VALUES_SHOWN: usize = 4;

/// Who wrote an episode's lines, as a lane of a timeline: `elasticsearch`, `kafka-to-es/mm2es`, `unknown`.
pub fn lane(e: &EpisodeView) -> String {
    match (&e.component, &e.process) {
        (Some(c), Some(p)) => format!("{c}/{p}"),
        (Some(c), None) => c.to_string(),
        (None, _) => "unknown".into(),
    }
}

/// Which key an episode is, for a timeline row: `topic sts_multi_metrics`, `index a, node b` (the rule's key
/// fields that have a value, at most [`KEY_SHOWN`] characters, then `…`), empty for a rule without key fields.
/// Not escaped: each format escapes it its own way.
pub fn key(e: &EpisodeView) -> String {
    let parts: Vec<String> = e.key.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k} {v}")).collect();
    let s = parts.join(", ");
    match s.char_indices().nth(KEY_SHOWN) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s,
    }
}

/// Characters of an episode's key shown in a timeline row.
pub const KEY_SHOWN: usize = 80;

/// What an episode of the keys past its rule's cap stands for: ` (other keys: about 1,234)`, empty for others.
pub fn other_keys(e: &EpisodeView) -> String {
    e.other_keys.map_or(String::new(), |n| format!(" (other keys: about {})", human::thousands(n)))
}

/// One field of an incident's details: its distinct values across episodes (earliest episodes first), and
/// whether there were more than were kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail<'a> {
    /// Field name.
    pub name: &'a str,
    /// Distinct values.
    pub values: Vec<&'a str>,
    /// Some episode had more values than it kept.
    pub truncated: bool,
}

impl Detail<'_> {
    /// The values to show, and whether to add `…` after them.
    pub fn shown(&self) -> (&[&str], bool) {
        let n = self.values.len().min(VALUES_SHOWN);
        (&self.values[..n], self.values.len() > VALUES_SHOWN || self.truncated)
    }
}

/// The field values of an incident merged across its episodes, by field name, leaving out `quiet` fields (noisy
/// per-line values left to the JSON report).
pub fn details<'a>(inc: &'a Incident, quiet: &[String]) -> Vec<Detail<'a>> {
    let mut fields: BTreeMap<&str, Detail<'a>> = BTreeMap::new();
    for e in &inc.episodes {
        for (k, vs) in &e.fields {
            if quiet.contains(k) {
                continue;
            }
            let slot =
                fields.entry(k.as_str()).or_insert_with(|| Detail { name: k, values: Vec::new(), truncated: false });
            for v in vs {
                if !slot.values.contains(&v.as_str()) {
                    slot.values.push(v);
                }
            }
            slot.truncated |= e.fields_truncated.contains(k);
        }
    }
    fields.into_values().collect()
}

/// The evidence of the short formats: at most [`EVIDENCE_PER_COMPONENT`] samples per component, earliest
/// episodes first, each with the index of its episode.
pub fn evidence(inc: &Incident) -> Vec<(usize, &SampleView)> {
    let mut out = Vec::new();
    let mut per_component: Vec<(Option<Component>, usize)> = Vec::new();
    for (i, e) in inc.episodes.iter().enumerate() {
        let shown = match per_component.iter().position(|(c, _)| *c == e.component) {
            Some(k) => k,
            None => {
                per_component.push((e.component, 0));
                per_component.len() - 1
            }
        };
        for s in &e.samples {
            let n = &mut per_component[shown].1;
            if *n >= EVIDENCE_PER_COMPONENT {
                break;
            }
            *n += 1;
            out.push((i, s));
        }
    }
    out
}

/// Where a sample was read: `path:line`, or `host:path:line` when the report holds more than one host (a merged
/// report). Not escaped: each format escapes it its own way.
pub fn location(s: &SampleView, hosts: bool) -> String {
    match (&s.host, hosts) {
        (Some(h), true) => format!("{h}:{}:{}", s.path, s.line),
        _ => format!("{}:{}", s.path, s.line),
    }
}

/// Whether a report holds samples of more than one host (then each sample names its host).
pub fn several_hosts(s: &Summary) -> bool {
    s.hosts.len() > 1
}

/// An incident's span: `2024-03-12 11:00:12.349Z → 2024-03-12 12:12:34.599Z (1h12m)`, or `(no timestamps)`.
pub fn span(inc: &Incident) -> String {
    match (inc.first_seen, inc.last_seen) {
        (Some(a), Some(b)) => {
            format!("{} → {} ({})", human::when(Some(a)), human::when(Some(b)), human::duration(b - a))
        }
        _ => "(no timestamps)".into(),
    }
}

/// The incidents of a summary by severity, worst first, leaving out severities with none.
pub fn by_severity(s: &Summary) -> Vec<(Severity, usize)> {
    [Severity::Critical, Severity::Error, Severity::Warning, Severity::Info]
        .into_iter()
        .map(|sev| (sev, s.incidents[sev as usize]))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// How long an incident lasted (`1h12m`), or `–` when its lines had no time.
pub fn duration(inc: &Incident) -> String {
    match (inc.first_seen, inc.last_seen) {
        (Some(a), Some(b)) => human::duration(b - a),
        _ => "–".into(),
    }
}

/// How the times of an incident's timeline read: the time of day alone when the whole incident lies within one
/// (UTC) day, whose date its span already gives; the full time otherwise.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    one_day: bool,
}

impl Clock {
    /// The clock of an incident.
    pub fn of(inc: &Incident) -> Clock {
        let one_day = match (inc.first_seen, inc.last_seen) {
            (Some(a), Some(b)) => a.div_euclid(86_400_000) == b.div_euclid(86_400_000),
            _ => false,
        };
        Clock { one_day }
    }

    /// A time on this clock: `11:00:12.349Z` or `2024-03-12 11:00:12.349Z`.
    pub fn at(self, t: Option<Millis>) -> String {
        let full = human::when(t);
        match full.split_once(' ') {
            Some((_, time)) if self.one_day && t.is_some() => time.to_string(),
            _ => full,
        }
    }
}

/// What the first episode is to the root cause: the root cause itself when its component logged it, else the
/// lines that point to it (a Kafka outage seen only in the receiver's log).
pub fn first_episode_role(inc: &Incident) -> &'static str {
    match inc.episodes.first() {
        Some(e) if e.component == inc.root_cause.component => "root cause",
        _ => "points to the root cause",
    }
}

/// The component of the root cause, or `unknown`.
pub fn root_component(inc: &Incident) -> &'static str {
    inc.root_cause.component.map_or("unknown", |c| c.as_str())
}

/// Components with their record counts, root cause first: `elasticsearch (290)`, or `kafka (root cause; no lines
/// from its own log)`.
pub fn components(inc: &Incident) -> Vec<String> {
    inc.components
        .iter()
        .map(|c| match inc.counts.get(c.as_str()).copied().unwrap_or(0) {
            0 => format!("{c} (root cause; no lines from its own log)"),
            n => format!("{c} ({})", human::thousands(n)),
        })
        .collect()
}

/// `all integrations; telemetry: metrics, events`.
pub fn scope(inc: &Incident) -> String {
    let scope = match inc.scope {
        crate::rules::Scope::All => "all integrations",
        crate::rules::Scope::Single => "a single integration",
        crate::rules::Scope::Unknown => "not known: no StackState hop is named by these lines or their writer",
    };
    if inc.telemetry.is_empty() {
        scope.to_string()
    } else {
        format!("{scope}; telemetry: {}", inc.telemetry.join(", "))
    }
}

/// The pack's wording (next steps, root-cause summaries), which marks commands as `code`, split into pieces:
/// (whether it is code, its text). `None` when its backticks do not pair up: then it is all text.
pub fn code_spans(s: &str) -> Option<Vec<(bool, &str)>> {
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return None;
    }
    Some(parts.into_iter().enumerate().map(|(i, p)| (i % 2 == 1, p)).collect())
}

/// What a reader should know of a scan besides its incidents, in words: inputs left out for their time, rules
/// whose distinct keys passed the cap, matches cut from their record's header.
pub fn notes(s: &Summary) -> Vec<String> {
    let st = &s.stats;
    let mut out = Vec::new();
    if st.skipped_by_time > 0 {
        out.push(format!("{} wholly outside --since/--until, not read", human::count(st.skipped_by_time, "file")));
    }
    for (rule, records, keys) in &s.folded {
        out.push(format!(
            "rule {rule} saw more than {} distinct keys: about {} more keys ({}) are counted in one \"other keys\" \
             episode (--max-keys to change)",
            s.max_keys,
            human::thousands(*keys),
            human::count(*records, "record"),
        ));
    }
    if st.twins > 0 {
        out.push(format!(
            "{} not read: Elasticsearch writes each event to its plain log and its JSON log, and each event is counted \
             once, from the plain log beside it",
            human::count(st.twins, "Elasticsearch JSON log")
        ));
    }
    if st.records_cut > 0 {
        out.push(format!(
            "{} too far below any header (record bound) {} reported without their header",
            human::count(st.records_cut, "matching line"),
            if st.records_cut == 1 { "was" } else { "were" }
        ));
    }
    out
}

/// What a report with no incident says: that nothing was read (no input read, none skipped for its time), or that
/// nothing known was found.
///
/// When records at WARN and above match no rule, the sentence says how many: the logs are not clean, they hold
/// problems the pack does not know (listed under "Unexplained errors and warnings").
pub fn none_found(read: u64, u: &UnexplainedTotals) -> String {
    if read == 0 {
        "Nothing was read: no log file was found under the paths given, none could be read, or all were empty.".into()
    } else if u.records + u.evicted_records == 0 {
        "No known StackState telemetry problem found in these logs.".into()
    } else {
        // Records of templates the cap evicted count too (their levels are not kept: "or more" at ERROR).
        format!(
            "No known StackState telemetry problem found in these logs, but {} at WARN or above ({}{} at ERROR or \
             above) match no rule: see the unexplained errors and warnings below.",
            human::count(u.records + u.evicted_records, "record"),
            human::thousands(u.error_records),
            if u.evicted_records > 0 { " or more" } else { "" }
        )
    }
}

/// The level an unexplained template is shown at: `ERROR`, `WARN`, or `EXCEPTION` for exceptions logged without
/// a level.
pub fn unexplained_level(u: &UnexplainedView) -> &'static str {
    match u.level {
        Some(Level::Fatal) => "FATAL",
        Some(Level::Error) => "ERROR",
        Some(Level::Warn) => "WARN",
        Some(Level::Notice) => "NOTICE",
        Some(Level::Info) => "INFO",
        Some(Level::Debug) => "DEBUG",
        Some(Level::Trace) => "TRACE",
        None => "EXCEPTION",
    }
}

/// What the section of unexplained templates says it holds: `records at WARN or above that no rule matched,
/// mined into 12 templates (3,401 records); 4 more templates (17 records) dropped by the per-component cap`.
pub fn unexplained_totals(u: &UnexplainedTotals) -> String {
    let evicted = if u.evicted_templates > 0 {
        format!(
            "; {} more ({}) dropped by the per-component cap",
            human::count(u.evicted_templates, "template"),
            human::count(u.evicted_records, "record")
        )
    } else {
        String::new()
    };
    format!(
        "records at WARN or above that no rule matched, mined into {} ({}){evicted}; the top ones by level, then count",
        human::count(u.templates as u64, "template"),
        human::count(u.records, "record")
    )
}

/// An unexplained template's span: as an incident's, or `(no timestamps)`.
pub fn unexplained_span(u: &UnexplainedView) -> String {
    match (u.first_seen, u.last_seen) {
        (Some(a), Some(b)) => {
            format!("{} → {} ({})", human::when(Some(a)), human::when(Some(b)), human::duration(b - a))
        }
        _ => "(no timestamps)".into(),
    }
}

/// How many files hold an unexplained template's records: `1 file`, `64+ files`.
pub fn unexplained_files(u: &UnexplainedView) -> String {
    let n = human::count(u.files as u64, "file");
    if u.files_more {
        n.replacen(' ', "+ ", 1)
    } else {
        n
    }
}

/// Its rate: `bursts: 120 records in one minute` or `steady (at most 3 records in one minute)` (see
/// [`crate::aggregate::unexplained::Rate::bursts`]); `None` without timestamps.
pub fn unexplained_rate(u: &UnexplainedView) -> Option<String> {
    u.first_seen?;
    let window = if u.peak_window_ms <= 60_000 { "one minute".to_string() } else { human::duration(u.peak_window_ms) };
    let peak = human::count(u.peak, "record");
    Some(if u.bursts { format!("bursts: {peak} in {window}") } else { format!("steady (at most {peak} in {window})") })
}

/// Inputs a scan read, or passed over for their time (a window that holds nothing is not "nothing read").
pub fn inputs_read(s: &Summary) -> u64 {
    match s.stats.bytes {
        // Empty inputs hold no sign of health either.
        0 => s.stats.skipped_by_time,
        _ => s.stats.files + s.stats.skipped_by_time,
    }
}
