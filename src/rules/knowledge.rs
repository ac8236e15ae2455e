//! What a pack knows of the system its logs come from, beyond its rules: the problem families, which telemetry
//! an episode touches, which addresses belong to which component, when an incident concerns a single
//! integration, which fields are too noisy to print.
//!
//! Declared in the pack (`[[family]]`, `[[telemetry]]`, `[[target]]`, `[scope]`, `[display]`), so that a new
//! family or kind of telemetry is a pack change, not a code change: the engine knows no StackState names.

use crate::model::Component;
use std::collections::BTreeMap;

/// A problem family rules may name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyInfo {
    /// Its name, as rules and reports write it.
    pub id: String,
    /// What it covers.
    pub description: Option<String>,
    /// Pairs (logged by, rooted in): an episode of the family whose root would only be the component that logged
    /// it is rooted in the second component instead (see [`Knowledge::root_by_logger`]).
    pub rooted_instead: Vec<(Component, Component)>,
}

/// One `[[telemetry]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelemetryRule {
    /// The fields it looks at (`process`: the kafka-to-es process).
    pub fields: Vec<String>,
    /// A value holding one of these substrings matches.
    pub contains: Vec<String>,
    /// A value equal to one of these matches.
    pub equals: Vec<String>,
    /// The telemetry kinds a matching value names.
    pub kinds: Vec<String>,
}

impl TelemetryRule {
    fn matches(&self, value: &str) -> bool {
        self.equals.iter().any(|e| e == value) || self.contains.iter().any(|c| value.contains(c.as_str()))
    }
}

/// One `[[target]]` entry: values of `fields` that match it are addresses of `component`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRule {
    /// The fields it looks at (`port`, `target`, `host`, ...).
    pub fields: Vec<String>,
    /// A value holding one of these substrings matches.
    pub contains: Vec<String>,
    /// A value equal to one of these matches.
    pub equals: Vec<String>,
    /// The component such an address belongs to.
    pub component: Component,
}

/// The field a record's stack frames fill, for an episode whose line names no address: the `contains` value of
/// the first `[[target]]` entry on this field that a frame below the line holds (`org.elasticsearch.client.` in
/// `at org.elasticsearch.client.RestClient$1.failed(...)`). A JVM's `java.net.ConnectException: Connection refused`
/// says nothing of whom it could not reach; the client library in its stack trace does.
pub const CLIENT_FIELD: &str = "client";

/// The pack's knowledge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Knowledge {
    /// Families, in declaration order.
    pub families: Vec<FamilyInfo>,
    /// Telemetry entries, in declaration order.
    pub telemetry: Vec<TelemetryRule>,
    /// An episode with one of these fields concerns a single integration.
    pub single_integration_fields: Vec<String>,
    /// Fields left out of the text report's details.
    pub quiet_fields: Vec<String>,
    /// Target entries, in declaration order.
    pub targets: Vec<TargetRule>,
}

impl Knowledge {
    /// Whether `family` is declared.
    pub fn has_family(&self, family: &str) -> bool {
        self.families.iter().any(|f| f.id == family)
    }

    /// The telemetry kinds an episode touches, in a fixed order: for each field in the order the `[[telemetry]]`
    /// entries first name it, for each of the episode's values of it, the kinds of the first entry (for that
    /// field) the value matches.
    pub fn telemetry_of(&self, process: Option<&str>, fields: &BTreeMap<String, Vec<String>>) -> Vec<String> {
        let mut order: Vec<&str> = Vec::new();
        for t in &self.telemetry {
            for f in &t.fields {
                if !order.contains(&f.as_str()) {
                    order.push(f);
                }
            }
        }
        let mut out: Vec<String> = Vec::new();
        for field in order {
            let values: Vec<&str> = if field == "process" {
                process.into_iter().collect()
            } else {
                fields.get(field).into_iter().flatten().map(String::as_str).collect()
            };
            for v in values {
                let first =
                    self.telemetry.iter().filter(|t| t.fields.iter().any(|f| f == field)).find(|t| t.matches(v));
                for k in first.into_iter().flat_map(|t| &t.kinds) {
                    if !out.contains(k) {
                        out.push(k.clone());
                    }
                }
            }
        }
        out
    }

    /// The component an episode's failure is rooted in by its target, when its rule names none: the component of
    /// the first `[[target]]` entry one of whose fields holds a matching value (entries in declaration order).
    /// For failures to reach something (refused, timed out, unresolvable), whoever logged them: `dial tcp
    /// 10.0.0.7:9092: connect: connection refused` is Kafka's, wherever it is written.
    pub fn root_of(&self, fields: &BTreeMap<String, Vec<String>>) -> Option<Component> {
        self.targets
            .iter()
            .find(|t| {
                t.fields.iter().any(|f| {
                    fields.get(f).is_some_and(|vs| {
                        vs.iter().any(|v| {
                            t.equals.iter().any(|e| e == v) || t.contains.iter().any(|c| v.contains(c.as_str()))
                        })
                    })
                })
            })
            .map(|t| t.component)
    }

    /// Whether some `[[target]]` entry reads [`CLIENT_FIELD`]: only then are stack frames looked at.
    pub fn reads_clients(&self) -> bool {
        self.targets.iter().any(|t| t.fields.iter().any(|f| f == CLIENT_FIELD))
    }

    /// The root of an episode of `family` that nothing names but the component that logged it: that component,
    /// or the one the family's `rooted_instead` puts in its place. A payload error in a Kafka client's log is the
    /// reader's (a broker never decodes a record), whatever logger name made the file Kafka's.
    pub fn root_by_logger(&self, family: &str, logged_by: Component) -> Component {
        self.families
            .iter()
            .find(|f| f.id == family)
            .and_then(|f| f.rooted_instead.iter().find(|(from, _)| *from == logged_by))
            .map_or(logged_by, |(_, to)| *to)
    }

    /// Whether `field` is one a `[[target]]` entry reads to find an address (not [`CLIENT_FIELD`]).
    pub fn is_address_field(&self, field: &str) -> bool {
        field != CLIENT_FIELD && self.targets.iter().any(|t| t.fields.iter().any(|f| f == field))
    }

    /// The `contains` value of the first `[[target]]` entry on [`CLIENT_FIELD`] that `line` holds.
    pub fn client_in(&self, line: &[u8]) -> Option<&str> {
        self.targets
            .iter()
            .filter(|t| t.fields.iter().any(|f| f == CLIENT_FIELD))
            .flat_map(|t| &t.contains)
            .find(|c| memchr::memmem::find(line, c.as_bytes()).is_some())
            .map(String::as_str)
    }

    /// Whether an episode with these fields concerns a single integration.
    pub fn single_integration(&self, fields: &BTreeMap<String, Vec<String>>) -> bool {
        self.single_integration_fields.iter().any(|f| fields.contains_key(f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_family_roots_away_only_from_the_loggers_it_names() {
        let family = |id: &str, rooted_instead| FamilyInfo { id: id.to_string(), description: None, rooted_instead };
        let k = Knowledge {
            families: vec![
                family("json-deserialization", vec![(Component::Kafka, Component::KafkaToEs)]),
                family("connection", vec![]),
            ],
            ..Knowledge::default()
        };
        assert_eq!(k.root_by_logger("json-deserialization", Component::Kafka), Component::KafkaToEs);
        assert_eq!(k.root_by_logger("json-deserialization", Component::Receiver), Component::Receiver);
        assert_eq!(k.root_by_logger("connection", Component::Kafka), Component::Kafka);
        assert_eq!(k.root_by_logger("undeclared", Component::Kafka), Component::Kafka);
    }

    #[test]
    fn a_frame_names_the_client_of_the_first_entry_it_holds() {
        let t = |fields: &[&str], contains: &[&str], component| TargetRule {
            fields: fields.iter().map(|s| s.to_string()).collect(),
            contains: contains.iter().map(|s| s.to_string()).collect(),
            equals: vec![],
            component,
        };
        let k = Knowledge {
            targets: vec![
                t(&["port"], &["9200"], Component::Elasticsearch),
                t(&[CLIENT_FIELD], &["org.elasticsearch.client."], Component::Elasticsearch),
                t(&[CLIENT_FIELD], &["org.apache.kafka.clients."], Component::Kafka),
            ],
            ..Knowledge::default()
        };
        assert!(k.reads_clients() && k.is_address_field("port") && !k.is_address_field(CLIENT_FIELD));
        let frame = b"\tat org.apache.kafka.clients.NetworkClient.poll(NetworkClient.java:556)";
        assert_eq!(k.client_in(frame), Some("org.apache.kafka.clients."));
        assert_eq!(k.client_in(b"\tat org.elasticsearch.clientele.X(X.java:1)"), None);
        let mut fields = BTreeMap::new();
        fields.insert(CLIENT_FIELD.to_string(), vec!["org.apache.kafka.clients.".to_string()]);
        assert_eq!(k.root_of(&fields), Some(Component::Kafka));
        assert!(!Knowledge::default().reads_clients());
    }

    #[test]
    fn first_matching_entry_per_value_in_field_order() {
        let t = |fields: &[&str], contains: &[&str], equals: &[&str], kinds: &[&str]| TelemetryRule {
            fields: fields.iter().map(|s| s.to_string()).collect(),
            contains: contains.iter().map(|s| s.to_string()).collect(),
            equals: equals.iter().map(|s| s.to_string()).collect(),
            kinds: kinds.iter().map(|s| s.to_string()).collect(),
        };
        let k = Knowledge {
            telemetry: vec![
                t(&["index"], &["metric"], &[], &["metrics"]),
                t(&["index"], &["event"], &[], &["events"]),
                t(&["process"], &[], &["trace2es"], &["traces"]),
                t(&["endpoint"], &["/intake"], &[], &["topology", "events"]),
            ],
            ..Knowledge::default()
        };
        let mut fields = BTreeMap::new();
        fields.insert("endpoint".to_string(), vec!["/intake/".to_string()]);
        fields.insert("index".to_string(), vec!["sts_events".to_string(), "sts_multi_metrics".to_string()]);
        assert_eq!(k.telemetry_of(Some("trace2es"), &fields), ["events", "metrics", "traces", "topology"]);
        assert!(k.telemetry_of(None, &BTreeMap::new()).is_empty());
    }
}
