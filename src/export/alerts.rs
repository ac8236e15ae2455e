//! Alertmanager alerts of tail mode (`follow --alertmanager URL`): a pure state machine that keeps one alert per
//! open incident in step with what the lifecycle announced, and says which alerts to post (Alertmanager's v2 API,
//! `POST /api/v2/alerts`).
//!
//! An alert is identified by its labels: `alertname="StackscanIncident"`, `incident_id`, `severity`, `family`,
//! `root_cause` (the root-cause component) and `instance` (the host name or `--instance`). Its annotations say
//! what it is: `title`, `summary` (counts and span), `next_step` (the first one), `evidence` (one line, `file:line:
//! text`, sanitised and redacted like every piece of log text stackscan prints), and `count`, `first_seen`,
//! `last_seen` for templates.
//!
//! The rules, at each step of the follow loop (the incidents and whether each is open, as the lifecycle says):
//! - an incident newly open is posted without `endsAt` (Alertmanager then keeps it active for its
//!   `resolve_timeout`), with `startsAt` its first log time (or the wall clock, when that is later);
//! - an open incident whose count or last time changed is posted again (fresh annotations);
//! - an incident whose labels changed (its severity grew as the chain found more) is resolved under its old
//!   labels and posted under its new ones, so no stale alert lingers;
//! - an incident no longer open (resolved, or regrouped under another id) is posted with `endsAt` = now;
//! - and [`Alerts::due`] posts every open alert again once `resend_every` has passed since it was last posted:
//!   the caller sets that below Alertmanager's `resolve_timeout`, so an open incident never expires there.
//!
//! No clock and no I/O: wall-clock times (milliseconds since the epoch) are passed in, posts are returned.

use crate::correlate::Incident;
use crate::frame::sanitize::clean;
use crate::report::human;
use crate::time::{format_rfc3339, Millis};
use serde::Serialize;
use std::collections::BTreeMap;

/// The `alertname` of every alert stackscan posts.
pub const ALERTNAME: &str = "StackscanIncident";

/// What the state machine needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The `instance` label: where stackscan runs.
    pub instance: String,
    /// How often an open alert is posted again, ms.
    pub resend_every_ms: Millis,
}

/// One alert as Alertmanager's v2 API takes it (`postableAlert`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    /// What identifies it.
    pub labels: BTreeMap<String, String>,
    /// What it says.
    pub annotations: BTreeMap<String, String>,
    /// When the problem started (RFC 3339).
    #[serde(rename = "startsAt")]
    pub starts_at: String,
    /// When it ended (RFC 3339); absent while open.
    #[serde(rename = "endsAt", skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<String>,
}

/// An alert to post, with its identity (its label set, for the queue to keep only the latest state).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    /// The label set, as JSON.
    pub key: String,
    /// The alert.
    pub alert: Alert,
}

impl Post {
    /// The alert as JSON (one element of the array the API takes).
    pub fn body(&self) -> Vec<u8> {
        // Maps of strings serialise without error.
        serde_json::to_vec(&self.alert).unwrap_or_default()
    }
}

#[derive(Debug, Clone)]
struct Firing {
    alert: Alert,
    count: u64,
    last_seen: Option<Millis>,
    last_sent: Millis,
}

/// The alerts open in Alertmanager, by incident id.
#[derive(Debug, Clone)]
pub struct Alerts {
    settings: Settings,
    firing: BTreeMap<String, Firing>,
}

fn post(alert: &Alert) -> Post {
    Post { key: serde_json::to_string(&alert.labels).unwrap_or_default(), alert: alert.clone() }
}

/// The alert of an open incident, posted at `wall`.
pub fn alert_of(i: &Incident, instance: &str, wall: Millis) -> Alert {
    let root = i.root_cause.component.map_or("unknown", |c| c.as_str());
    let labels: BTreeMap<String, String> = [
        ("alertname", ALERTNAME.to_string()),
        ("incident_id", i.id.clone()),
        ("severity", i.severity.as_str().to_string()),
        ("family", i.family.clone()),
        ("root_cause", root.to_string()),
        ("instance", instance.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let time = |t: Option<Millis>| t.map_or_else(|| "-".to_string(), format_rfc3339);
    let span = match (i.first_seen, i.last_seen) {
        (Some(a), Some(b)) => {
            format!("from {} to {} ({})", format_rfc3339(a), format_rfc3339(b), human::duration(b - a))
        }
        _ => "(no timestamps)".to_string(),
    };
    let comps: Vec<String> =
        i.components.iter().map(|c| format!("{c} ({})", i.counts.get(c.as_str()).copied().unwrap_or(0))).collect();
    let summary = format!(
        "{} record{} {span} in {}; root cause {root}: {} [{}]",
        i.count,
        if i.count == 1 { "" } else { "s" },
        if comps.is_empty() { "unknown".to_string() } else { comps.join(", ") },
        i.root_cause.summary,
        i.root_cause.rule
    );
    let mut annotations: BTreeMap<String, String> = BTreeMap::new();
    annotations.insert("title".into(), clean(i.title.as_bytes()).into_owned());
    annotations.insert("summary".into(), clean(summary.as_bytes()).into_owned());
    annotations.insert("count".into(), i.count.to_string());
    annotations.insert("first_seen".into(), time(i.first_seen));
    annotations.insert("last_seen".into(), time(i.last_seen));
    if let Some(step) = i.next_steps.first() {
        annotations.insert("next_step".into(), clean(step.as_bytes()).into_owned());
    }
    // The root cause's evidence first: the episodes are in that order.
    if let Some(s) = i.episodes.iter().flat_map(|e| e.samples.first()).next() {
        let line = format!("{}:{}: {}", s.path, s.line, s.text);
        annotations.insert("evidence".into(), clean(line.as_bytes()).into_owned());
    }
    Alert { labels, annotations, starts_at: format_rfc3339(i.first_seen.map_or(wall, |t| t.min(wall))), ends_at: None }
}

impl Alerts {
    /// No alert open yet.
    pub fn new(settings: Settings) -> Alerts {
        Alerts { settings, firing: BTreeMap::new() }
    }

    /// Alerts open now.
    pub fn open(&self) -> usize {
        self.firing.len()
    }

    /// Brings the alerts in step with `incidents` (the correlator's output; `is_open` says which the lifecycle
    /// announced and has not resolved) at wall time `wall`, and returns what to post.
    pub fn step(&mut self, incidents: &[Incident], is_open: &dyn Fn(&str) -> bool, wall: Millis) -> Vec<Post> {
        let mut out = Vec::new();
        let mut live: Vec<&str> = Vec::new();
        for i in incidents.iter().filter(|i| is_open(&i.id)) {
            live.push(&i.id);
            let changed = |f: &Firing| f.count != i.count || f.last_seen != i.last_seen;
            match self.firing.get(&i.id) {
                Some(f) if !changed(f) => continue,
                Some(f) => {
                    let mut alert = alert_of(i, &self.settings.instance, wall);
                    if alert.labels != f.alert.labels {
                        let mut gone = f.alert.clone();
                        gone.ends_at = Some(format_rfc3339(wall));
                        out.push(post(&gone));
                    } else {
                        // Alertmanager keeps the first startsAt of an alert: keep sending it.
                        alert.starts_at = f.alert.starts_at.clone();
                    }
                    out.push(post(&alert));
                    self.firing.insert(
                        i.id.clone(),
                        Firing { alert, count: i.count, last_seen: i.last_seen, last_sent: wall },
                    );
                }
                None => {
                    let alert = alert_of(i, &self.settings.instance, wall);
                    out.push(post(&alert));
                    self.firing.insert(
                        i.id.clone(),
                        Firing { alert, count: i.count, last_seen: i.last_seen, last_sent: wall },
                    );
                }
            }
        }
        live.sort_unstable();
        let ended: Vec<String> =
            self.firing.keys().filter(|id| live.binary_search(&id.as_str()).is_err()).cloned().collect();
        for id in ended {
            let Some(f) = self.firing.remove(&id) else { continue };
            // The final counts, when the incident is still there (resolved rather than regrouped).
            let mut alert = match incidents.iter().find(|i| i.id == id) {
                Some(i) => {
                    let mut a = alert_of(i, &self.settings.instance, wall);
                    a.labels.clone_from(&f.alert.labels);
                    a.starts_at.clone_from(&f.alert.starts_at);
                    a
                }
                None => f.alert,
            };
            alert.ends_at = Some(format_rfc3339(wall));
            out.push(post(&alert));
        }
        out
    }

    /// The open alerts not posted for `resend_every` by wall time `wall`, to post again.
    pub fn due(&mut self, wall: Millis) -> Vec<Post> {
        let every = self.settings.resend_every_ms;
        let mut out = Vec::new();
        for f in self.firing.values_mut() {
            if wall - f.last_sent >= every {
                f.last_sent = wall;
                out.push(post(&f.alert));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::correlate::{EpisodeView, RootCause, SampleView};
    use crate::model::{Component, Severity};

    const T0: Millis = 1_710_252_522_526; // 2024-03-12T14:08:42.526Z
    const NOW: Millis = 1_800_000_000_000;

    fn inc(id: &str, count: u64, severity: Severity) -> Incident {
        let mut i = Incident::for_test(id);
        i.title = "Kafka unavailable (broker kafka-0/10.20.0.7:9092)".into();
        i.severity = severity;
        i.components = vec![Component::Kafka, Component::Receiver];
        i.first_seen = Some(T0);
        i.last_seen = Some(T0 + 610_000);
        i.count = count;
        i.counts = [("receiver".to_string(), count)].into_iter().collect();
        i.root_cause = RootCause {
            rule: "kafka.broker-unreachable".into(),
            component: Some(Component::Kafka),
            summary: "Kafka client cannot connect to a broker".into(),
        };
        i.episodes = vec![EpisodeView {
            rule: 0,
            rule_id: "kafka.broker-unreachable".into(),
            component: Some(Component::Receiver),
            process: None,
            key: vec![],
            count,
            first_seen: Some(T0),
            last_seen: Some(T0),
            fields: BTreeMap::new(),
            fields_truncated: vec![],
            samples: vec![SampleView {
                path: "/opt/stackstate/var/log/stackstate-receiver/stackstate-receiver.log".into(),
                line: 1249,
                text: "WARN NetworkClient - \u{1b}[31mConnection to node 0 refused api_key=abc123".into(),
                matched: None,
                pod: None,
                host: None,
            }],
            other_keys: None,
            per_minute: vec![],
        }];
        i.next_steps = vec!["Check the brokers: `kubectl get pods`".into(), "second".into()];
        i
    }

    fn settings() -> Settings {
        Settings { instance: "sts-prod-01".into(), resend_every_ms: 100_000 }
    }

    #[test]
    fn an_open_incident_is_one_alert_with_the_labels_and_annotations() {
        let a = alert_of(&inc("chain.kafka-1", 199, Severity::Critical), "sts-prod-01", NOW);
        let labels: Vec<(&str, &str)> = a.labels.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            labels,
            [
                ("alertname", "StackscanIncident"),
                ("family", "connection"),
                ("incident_id", "chain.kafka-1"),
                ("instance", "sts-prod-01"),
                ("root_cause", "kafka"),
                ("severity", "critical"),
            ]
        );
        assert_eq!(a.starts_at, "2024-03-12T14:08:42.526Z");
        assert_eq!(a.ends_at, None);
        assert_eq!(
            a.annotations["summary"],
            "199 records from 2024-03-12T14:08:42.526Z to 2024-03-12T14:18:52.526Z (10m10s) in kafka (0), receiver \
             (199); root cause kafka: Kafka client cannot connect to a broker [kafka.broker-unreachable]"
        );
        assert_eq!(a.annotations["next_step"], "Check the brokers: `kubectl get pods`");
        let ev = &a.annotations["evidence"];
        assert!(
            ev.starts_with("/opt/stackstate/var/log/stackstate-receiver/stackstate-receiver.log:1249: WARN"),
            "{ev}"
        );
        assert!(!ev.contains('\u{1b}') && !ev.contains("abc123") && ev.contains("api_key=<redacted>"), "{ev}");
        let json = String::from_utf8(post(&a).body()).expect("utf-8");
        assert!(json.contains("\"startsAt\":\"2024-03-12T14:08:42.526Z\"") && !json.contains("endsAt"), "{json}");
        // A start in the future (a clock or zone mismatch) is clamped to now.
        let mut future = inc("f", 1, Severity::Info);
        future.first_seen = Some(NOW + 3_600_000);
        assert_eq!(alert_of(&future, "h", NOW).starts_at, format_rfc3339(NOW));
    }

    #[test]
    fn opened_updated_resent_and_resolved() {
        let mut al = Alerts::new(settings());
        let open = |_: &str| true;
        let a = [inc("a", 1, Severity::Error)];
        let p = al.step(&a, &open, NOW);
        assert_eq!(p.len(), 1);
        assert!(al.step(&a, &open, NOW + 1_000).is_empty(), "nothing changed, nothing posted");
        let a2 = [inc("a", 5, Severity::Error)];
        let p2 = al.step(&a2, &open, NOW + 2_000);
        assert_eq!((p2.len(), p2[0].key == p[0].key), (1, true), "an update of the same alert");
        assert_eq!(p2[0].alert.annotations["count"], "5");
        assert!(al.due(NOW + 50_000).is_empty(), "not due yet");
        let r = al.due(NOW + 102_000);
        assert_eq!((r.len(), r[0].alert.ends_at.as_deref()), (1, None), "re-sent while open");
        let closed = |_: &str| false;
        let end = al.step(&a2, &closed, NOW + 200_000);
        assert_eq!(end.len(), 1);
        assert_eq!(end[0].alert.ends_at.as_deref(), Some(format_rfc3339(NOW + 200_000).as_str()));
        assert_eq!(end[0].key, p[0].key);
        assert_eq!(al.open(), 0);
        assert!(al.due(NOW + 1_000_000).is_empty());
    }

    #[test]
    fn new_labels_resolve_the_old_alert_and_a_vanished_incident_resolves() {
        let mut al = Alerts::new(settings());
        let open = |_: &str| true;
        let first = al.step(&[inc("a", 1, Severity::Error), inc("b", 1, Severity::Info)], &open, NOW);
        let p = al.step(&[inc("a", 2, Severity::Critical), inc("b", 1, Severity::Info)], &open, NOW + 1_000);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].alert.labels["severity"], "error");
        assert!(p[0].alert.ends_at.is_some(), "the old label set is resolved");
        assert_eq!((p[1].alert.labels["severity"].as_str(), p[1].alert.ends_at.as_ref()), ("critical", None));
        // b's events were regrouped under another id: its alert ends.
        let p = al.step(&[inc("a", 2, Severity::Critical)], &open, NOW + 2_000);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].key, first[1].key);
        assert!(p[0].alert.ends_at.is_some());
        // Only open incidents are alerts: a resolved one (the lifecycle says so) is not posted at all.
        let mut fresh = Alerts::new(settings());
        assert!(fresh.step(&[inc("old", 3, Severity::Error)], &|_: &str| false, NOW).is_empty());
    }
}
