//! The Prometheus view of tail mode (`follow --metrics`): one registry of counters and gauges that the follow loop,
//! the delivery worker and the HTTP endpoint share, and its exposition in the OpenMetrics or the classic Prometheus
//! text format.
//!
//! Names follow Prometheus' conventions: a `stackscan_` prefix, base units in the name (`_seconds`, `_bytes`),
//! counters ending in `_total` (the `prometheus-client` encoder appends it: the counters are registered without
//! it), and a `stackscan_build_info` gauge whose labels say what runs. Label values come from the rule pack and
//! the run's configuration (severities, families, components, rule ids, destinations), never from log text, so
//! the number of series is bounded by the pack, not by the logs.
//!
//! Pure but for atomics: every wall-clock time is passed in by the caller.
//!
//! Unexplained errors (the template miner of issue 15) plug in through [`Metrics::unexplained_template`]: the
//! `stackscan_unexplained_templates_total` family is registered (and documented in the README) now, so that the
//! series keep their name and labels when the miner starts feeding them; until then it has no series.

use crate::correlate::Incident;
use crate::model::Component;
use crate::report::EventKind;
use crate::time::Millis;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Metric, Registry};
use std::collections::HashSet;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;

/// The `Content-Type` of the OpenMetrics text format, which Prometheus asks for first.
pub const OPENMETRICS_CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
/// The `Content-Type` of the classic Prometheus text format (0.0.4), for every other client (curl, a browser).
pub const TEXT_CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// No line with a timestamp read yet.
const NO_TIME: i64 = i64::MIN;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: String,
    pack: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OpenLabels {
    severity: String,
    family: String,
    root_cause: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EventLabels {
    event: String,
    rule: String,
    component: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ComponentLabels {
    component: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TemplateLabels {
    component: String,
    level: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TargetLabels {
    kind: String,
    target: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DropLabels {
    kind: String,
    target: String,
    reason: String,
}

/// Why a message to Alertmanager or a webhook was never delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropReason {
    /// The queue was full: the oldest message made room for a new one.
    QueueFull,
    /// The destination answered with a client error (4xx but 408 and 429): sending it again would not help.
    Rejected,
    /// Retried for longer than the retry period.
    GaveUp,
    /// Still queued when stackscan stopped.
    Shutdown,
}

impl DropReason {
    /// The `reason` label.
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::QueueFull => "queue_full",
            DropReason::Rejected => "rejected",
            DropReason::GaveUp => "gave_up",
            DropReason::Shutdown => "shutdown",
        }
    }
}

/// The registry and its metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    build_info: Family<BuildLabels, Gauge>,
    incidents_open: Family<OpenLabels, Gauge>,
    /// Label sets of `incidents_open` ever set: set back to 0, not removed, when no incident has them.
    open_seen: Mutex<HashSet<OpenLabels>>,
    incident_events: Family<EventLabels, Counter>,
    read_lines: Family<ComponentLabels, Counter>,
    read_bytes: Family<ComponentLabels, Counter>,
    files_followed: Gauge,
    newest_line: Family<Vec<(String, String)>, Gauge<f64, AtomicU64>>,
    lag: Family<Vec<(String, String)>, Gauge<f64, AtomicU64>>,
    newest_ms: AtomicI64,
    checkpoint_writes: Counter,
    checkpoint_failures: Counter,
    checkpoint_last_success: Gauge<f64, AtomicU64>,
    unexplained_templates: Family<TemplateLabels, Counter>,
    delivered: Family<TargetLabels, Counter>,
    delivery_failures: Family<TargetLabels, Counter>,
    delivery_dropped: Family<DropLabels, Counter>,
    delivery_queued: Gauge,
}

fn component(c: Option<Component>) -> String {
    c.map_or("unknown", |c| c.as_str()).to_string()
}

/// Registers `metric` (a handle: clones share its values) under `name`, and returns it.
fn reg<M: Metric + Clone>(r: &mut Registry, name: &str, help: &str, metric: M) -> M {
    r.register(name, help, metric.clone());
    metric
}

fn seconds(ms: Millis) -> f64 {
    ms as f64 / 1000.0
}

impl Metrics {
    /// A registry for stackscan `version` running the rule pack whose fingerprint is `pack`.
    pub fn new(version: &str, pack: &str) -> Metrics {
        let mut registry = Registry::with_prefix("stackscan");
        let r = &mut registry;
        let mut m = Metrics {
            registry: Registry::default(),
            build_info: reg(
                r,
                "build_info",
                "stackscan's version and the fingerprint of its rule pack, as labels; always 1",
                Family::default(),
            ),
            incidents_open: reg(
                r,
                "incidents_open",
                "Incidents announced as opened and not yet resolved, by severity, family and root-cause component",
                Family::default(),
            ),
            open_seen: Mutex::new(HashSet::new()),
            incident_events: reg(
                r,
                "incident_events",
                "Incident events announced (opened, updated, resolved), by the incident's root-cause rule and component",
                Family::default(),
            ),
            read_lines: reg(r, "read_lines", "Lines read, by the component the file belongs to", Family::default()),
            read_bytes: reg(
                r,
                "read_bytes",
                "Bytes of log text read, by the component the file belongs to",
                Family::default(),
            ),
            files_followed: reg(r, "files_followed", "Files followed now", Gauge::default()),
            newest_line: reg(
                r,
                "newest_line_timestamp_seconds",
                "Log time of the newest line read that carried a timestamp (Unix seconds)",
                Family::default(),
            ),
            lag: reg(
                r,
                "follow_lag_seconds",
                "Seconds between the log time of the newest line read and now (grows when nothing is read)",
                Family::default(),
            ),
            newest_ms: AtomicI64::new(NO_TIME),
            checkpoint_writes: reg(r, "checkpoint_writes", "Checkpoints written", Counter::default()),
            checkpoint_failures: reg(r, "checkpoint_write_failures", "Checkpoint writes that failed", Counter::default()),
            checkpoint_last_success: reg(
                r,
                "checkpoint_last_success_timestamp_seconds",
                "Wall-clock time of the last checkpoint written (Unix seconds; 0 before the first)",
                Gauge::default(),
            ),
            unexplained_templates: reg(
                r,
                "unexplained_templates",
                "New templates of error lines no rule explains, by component and level",
                Family::default(),
            ),
            delivered: reg(
                r,
                "delivered",
                "Messages delivered to Alertmanager or a webhook (a 2xx answer), by kind and destination",
                Family::default(),
            ),
            delivery_failures: reg(
                r,
                "delivery_attempt_failures",
                "Delivery attempts that failed (to be retried or dropped), by kind and destination",
                Family::default(),
            ),
            delivery_dropped: reg(
                r,
                "delivery_dropped",
                "Messages never delivered, by kind, destination and reason (queue_full, rejected, gave_up, shutdown)",
                Family::default(),
            ),
            delivery_queued: reg(r, "delivery_queued", "Messages waiting in the delivery queue", Gauge::default()),
        };
        m.registry = registry;
        m.pack(version, pack);
        m
    }

    /// Says which version and rule pack run (again after a reload of the pack).
    pub fn pack(&self, version: &str, pack: &str) {
        self.build_info.clear();
        let short: String = pack.chars().take(16).collect();
        self.build_info.get_or_create(&BuildLabels { version: version.into(), pack: short }).set(1);
    }

    /// Lines and bytes read from a file of `c`.
    pub fn read(&self, c: Option<Component>, lines: u64, bytes: u64) {
        let l = ComponentLabels { component: component(c) };
        self.read_lines.get_or_create(&l).inc_by(lines);
        self.read_bytes.get_or_create(&l).inc_by(bytes);
    }

    /// How many files are followed now.
    pub fn files_followed(&self, n: usize) {
        self.files_followed.set(n as i64);
    }

    /// The log time of the newest line read.
    pub fn newest_line(&self, log_now: Option<Millis>) {
        if let Some(t) = log_now {
            self.newest_ms.store(t, Ordering::Relaxed);
            self.newest_line.get_or_create(&Vec::new()).set(seconds(t));
        }
    }

    /// The incidents open now (announced and not resolved).
    pub fn open_incidents<'a>(&self, open: impl IntoIterator<Item = &'a Incident>) {
        let mut counts: std::collections::HashMap<OpenLabels, i64> = std::collections::HashMap::new();
        for i in open {
            let l = OpenLabels {
                severity: i.severity.as_str().into(),
                family: i.family.clone(),
                root_cause: component(i.root_cause.component),
            };
            *counts.entry(l).or_default() += 1;
        }
        let mut seen = self.open_seen.lock().unwrap_or_else(|p| p.into_inner());
        for l in seen.iter() {
            if !counts.contains_key(l) {
                self.incidents_open.get_or_create(l).set(0);
            }
        }
        for (l, n) in counts {
            self.incidents_open.get_or_create(&l).set(n);
            seen.insert(l);
        }
    }

    /// An incident event was announced.
    pub fn incident_event(&self, kind: EventKind, i: &Incident) {
        let l = EventLabels {
            event: kind.as_str().into(),
            rule: i.root_cause.rule.clone(),
            component: component(i.root_cause.component),
        };
        self.incident_events.get_or_create(&l).inc();
    }

    /// A checkpoint was written at `wall` (ms since the epoch), or could not be.
    pub fn checkpoint(&self, ok: bool, wall: Millis) {
        if ok {
            self.checkpoint_writes.inc();
            self.checkpoint_last_success.set(seconds(wall));
        } else {
            self.checkpoint_failures.inc();
        }
    }

    /// The hook for unexplained errors: a new template of `level` (`error`, `warn`, ...) lines of `c` that no rule
    /// explains was announced. Called by the follow loop once the template miner (issue 15) announces templates.
    pub fn unexplained_template(&self, c: Option<Component>, level: &str) {
        let l = TemplateLabels { component: component(c), level: level.to_ascii_lowercase() };
        self.unexplained_templates.get_or_create(&l).inc();
    }

    /// `n` messages were delivered to `target` (of `kind`: `alertmanager`, `webhook`).
    pub fn delivered(&self, kind: &str, target: &str, n: u64) {
        self.delivered.get_or_create(&TargetLabels { kind: kind.into(), target: target.into() }).inc_by(n);
    }

    /// An attempt to deliver to `target` failed.
    pub fn delivery_failed(&self, kind: &str, target: &str) {
        self.delivery_failures.get_or_create(&TargetLabels { kind: kind.into(), target: target.into() }).inc();
    }

    /// `n` messages to `target` were dropped.
    pub fn dropped(&self, kind: &str, target: &str, reason: DropReason, n: u64) {
        let l = DropLabels { kind: kind.into(), target: target.into(), reason: reason.as_str().into() };
        self.delivery_dropped.get_or_create(&l).inc_by(n);
    }

    /// Messages waiting in the delivery queue now.
    pub fn queued(&self, n: usize) {
        self.delivery_queued.set(n as i64);
    }

    /// The exposition, with the follow lag computed against `wall_now` (ms since the epoch): OpenMetrics, or the
    /// classic text format (0.0.4) when `openmetrics` is false.
    pub fn render(&self, wall_now: Millis, openmetrics: bool) -> String {
        let newest = self.newest_ms.load(Ordering::Relaxed);
        if newest != NO_TIME {
            self.lag.get_or_create(&Vec::new()).set(seconds(wall_now - newest));
        }
        let mut out = String::with_capacity(4096);
        let written = if openmetrics {
            prometheus_client::encoding::text::encode(&mut out, &self.registry)
        } else {
            prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry)
        };
        // Writing into a String cannot fail; an encoder error would be a bug in a label (none come from logs).
        debug_assert!(written.is_ok(), "encoding the metrics");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Severity;

    fn incident(id: &str, severity: Severity, root: Option<Component>) -> Incident {
        let mut i = Incident::for_test(id);
        i.severity = severity;
        i.root_cause.rule = "kafka.broker-unreachable".into();
        i.root_cause.component = root;
        i
    }

    fn line<'a>(text: &'a str, series: &str) -> Option<&'a str> {
        text.lines().find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
    }

    #[test]
    fn names_units_and_values_follow_the_conventions() {
        let m = Metrics::new("0.1.0", "0123456789abcdef0123");
        m.read(Some(Component::Receiver), 10, 1000);
        m.read(None, 1, 5);
        m.files_followed(3);
        m.checkpoint(true, 1_700_000_000_500);
        m.checkpoint(false, 0);
        let a = incident("a", Severity::Critical, Some(Component::Kafka));
        m.incident_event(EventKind::Opened, &a);
        m.open_incidents([&a]);
        m.newest_line(Some(1_700_000_000_000));
        let text = m.render(1_700_000_002_500, false);
        for (series, value) in [
            (r#"stackscan_build_info{version="0.1.0",pack="0123456789abcdef"}"#, "1"),
            (r#"stackscan_read_lines_total{component="receiver"}"#, "10"),
            (r#"stackscan_read_bytes_total{component="receiver"}"#, "1000"),
            (r#"stackscan_read_bytes_total{component="unknown"}"#, "5"),
            ("stackscan_files_followed", "3"),
            ("stackscan_checkpoint_writes_total", "1"),
            ("stackscan_checkpoint_write_failures_total", "1"),
            ("stackscan_checkpoint_last_success_timestamp_seconds", "1700000000.5"),
            (r#"stackscan_incidents_open{severity="critical",family="connection",root_cause="kafka"}"#, "1"),
            (
                r#"stackscan_incident_events_total{event="opened",rule="kafka.broker-unreachable",component="kafka"}"#,
                "1",
            ),
            ("stackscan_follow_lag_seconds", "2.5"),
            ("stackscan_newest_line_timestamp_seconds", "1700000000.0"),
        ] {
            let l = line(&text, series).unwrap_or_else(|| panic!("{series} in\n{text}"));
            assert_eq!(l.rsplit(' ').next(), Some(value), "{l}");
        }
        assert!(text.contains("# TYPE stackscan_read_bytes_total counter"), "{text}");
        // A label set no incident has any more goes to 0 rather than vanishing.
        m.open_incidents([]);
        let text = m.render(0, true);
        let open = r#"stackscan_incidents_open{severity="critical",family="connection",root_cause="kafka"}"#;
        assert_eq!(line(&text, open).and_then(|l| l.rsplit(' ').next()), Some("0"));
        assert!(text.ends_with("# EOF\n"), "OpenMetrics ends with # EOF");
    }

    #[test]
    fn lag_is_absent_until_a_timed_line_is_read_and_unexplained_templates_plug_in() {
        let m = Metrics::new("0.1.0", "f");
        let text = m.render(5_000, false);
        assert!(line(&text, "stackscan_follow_lag_seconds").is_none(), "{text}");
        assert!(!text.contains("unexplained"), "no series before the first template: {text}");
        m.unexplained_template(Some(Component::Receiver), "ERROR");
        let text = m.render(5_000, false);
        assert!(line(&text, r#"stackscan_unexplained_templates_total{component="receiver",level="error"}"#).is_some());
    }

    #[test]
    fn delivery_counts_by_destination_and_reason() {
        let m = Metrics::new("0.1.0", "f");
        m.delivered("alertmanager", "http://127.0.0.1:9093", 2);
        m.delivery_failed("webhook", "https://hooks.example.com:443");
        m.dropped("webhook", "https://hooks.example.com:443", DropReason::QueueFull, 3);
        m.queued(7);
        let text = m.render(0, false);
        for (series, value) in [
            (r#"stackscan_delivered_total{kind="alertmanager",target="http://127.0.0.1:9093"}"#, "2"),
            (
                r#"stackscan_delivery_attempt_failures_total{kind="webhook",target="https://hooks.example.com:443"}"#,
                "1",
            ),
            (
                r#"stackscan_delivery_dropped_total{kind="webhook",target="https://hooks.example.com:443",reason="queue_full"}"#,
                "3",
            ),
            ("stackscan_delivery_queued", "7"),
        ] {
            let l = line(&text, series).unwrap_or_else(|| panic!("{series} in\n{text}"));
            assert_eq!(l.rsplit(' ').next(), Some(value), "{l}");
        }
    }
}
