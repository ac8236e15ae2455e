//! Correlation through the binary: each scenario of `fixtures/scenarios/` (see its README.md) must give exactly
//! the incidents listed there, with the right chain, root cause, components, scope, telemetry, counts and times;
//! the report must not depend on argument order or thread count; clock skew within the tolerance still joins,
//! cause and effect farther apart than the window do not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::util::{root, without_elapsed};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn scenario(name: &str) -> String {
    format!("fixtures/scenarios/{name}")
}

/// Runs `stackscan scan ARGS --format json` from the crate root and returns its stdout.
fn scan_raw(args: &[String], threads: Option<usize>) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stackscan"));
    cmd.current_dir(root()).arg("scan").args(args).args(["--format", "json"]);
    if let Some(t) = threads {
        cmd.args(["--threads", &t.to_string()]);
    }
    cmd.env("NO_COLOR", "1");
    let out = cmd.output().expect("run stackscan");
    assert!(
        out.status.success(),
        "stackscan scan {args:?} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 report")
}

fn scan(name: &str) -> Value {
    serde_json::from_str(&scan_raw(&[scenario(name)], Some(2))).expect("JSON report")
}

/// The report without the one field that may differ between identical runs.
fn normalised(report: &str) -> String {
    let v: Value = serde_json::from_str(report).expect("JSON report");
    assert!(v["scan"].get("elapsed_ms").is_some(), "scan.elapsed_ms present");
    serde_json::to_string_pretty(&without_elapsed(v)).unwrap()
}

/// One expected incident.
struct Exp {
    chain: Option<&'static str>,
    severity: &'static str,
    rule: &'static str,
    root: &'static str,
    components: &'static [&'static str],
    scope: &'static str,
    telemetry: &'static [&'static str],
    counts: &'static [(&'static str, u64)],
    count: u64,
    first: &'static str,
    last: &'static str,
    /// `rule@component` of each episode, in report order (root first).
    episodes: &'static [&'static str],
}

/// The unrelated second problem of the ES scenarios: the agent's kubernetes_state check cannot reach
/// kube-state-metrics (60 records, one every 15 s), an incident of its own.
fn unrelated_check_timeout(first: &'static str, last: &'static str) -> Exp {
    Exp {
        chain: Some("chain.single-integration"),
        severity: "error",
        rule: "agent.check-connect-timeout",
        root: "agent",
        components: &["agent"],
        scope: "single",
        telemetry: &[],
        counts: &[("agent", 60)],
        count: 60,
        first,
        last,
        episodes: &["agent.check-connect-timeout@agent"],
    }
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array().expect("array").iter().map(|x| x.as_str().expect("string").to_string()).collect()
}

fn check(name: &str, i: usize, inc: &Value, e: &Exp) {
    let ctx = format!("{name}: incident {i} ({})", inc["id"]);
    assert_eq!(inc["chain"].as_str(), e.chain, "{ctx}: chain");
    assert_eq!(inc["severity"], e.severity, "{ctx}: severity");
    assert_eq!(inc["root_cause"]["rule"], e.rule, "{ctx}: root_cause.rule");
    assert_eq!(inc["root_cause"]["component"], e.root, "{ctx}: root_cause.component");
    assert_eq!(strs(&inc["components"]), e.components, "{ctx}: components");
    assert_eq!(inc["components"][0], e.root, "{ctx}: the root cause's component comes first");
    assert_eq!(inc["scope"], e.scope, "{ctx}: scope");
    assert_eq!(strs(&inc["telemetry"]), e.telemetry, "{ctx}: telemetry");
    let counts: Vec<(String, u64)> = inc["counts"]
        .as_object()
        .expect("counts")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().expect("count")))
        .collect();
    let want: Vec<(String, u64)> = e.counts.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    assert_eq!(counts, want, "{ctx}: counts");
    assert_eq!(inc["count"], e.count, "{ctx}: count");
    assert_eq!(counts.iter().map(|c| c.1).sum::<u64>(), e.count, "{ctx}: counts add up to count");
    assert_eq!(inc["first_seen"], e.first, "{ctx}: first_seen");
    assert_eq!(inc["last_seen"], e.last, "{ctx}: last_seen");
    let eps: Vec<String> = inc["episodes"]
        .as_array()
        .expect("episodes")
        .iter()
        .map(|ep| format!("{}@{}", ep["rule"].as_str().unwrap(), ep["component"].as_str().unwrap()))
        .collect();
    assert_eq!(eps, e.episodes, "{ctx}: episodes");
    assert_eq!(inc["episodes"][0]["rule"], e.rule, "{ctx}: the root cause's episode comes first");
    let ep_total: u64 = inc["episodes"].as_array().unwrap().iter().map(|ep| ep["count"].as_u64().unwrap()).sum();
    assert_eq!(ep_total, e.count, "{ctx}: episode counts add up to count");
    for ep in inc["episodes"].as_array().unwrap() {
        let samples = ep["samples"].as_array().expect("samples");
        assert!(!samples.is_empty(), "{ctx}: every episode has evidence");
        for s in samples {
            let p = root().join(s["path"].as_str().unwrap());
            assert!(p.is_file(), "{ctx}: sample path {} exists", p.display());
            assert!(s["line"].as_u64().unwrap() >= 1, "{ctx}: sample line is 1-based");
        }
    }
    assert!(!inc["next_steps"].as_array().expect("next_steps").is_empty(), "{ctx}: next steps");
}

/// Scans one scenario and checks its incidents, exactly and in report order.
fn expect(name: &str, want: &[Exp]) -> Value {
    let report = scan(name);
    let got = report["incidents"].as_array().expect("incidents");
    let summary: Vec<String> = got.iter().map(|i| i["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(got.len(), want.len(), "{name}: number of incidents: {summary:?}");
    for (i, (inc, e)) in got.iter().zip(want).enumerate() {
        check(name, i, inc, e);
    }
    report
}

fn episode<'a>(inc: &'a Value, rule: &str) -> &'a Value {
    inc["episodes"].as_array().unwrap().iter().find(|e| e["rule"] == rule).unwrap_or_else(|| panic!("episode {rule}"))
}

#[test]
fn es_disk_full_watermarks_flood_stage_and_k2es_blocks_are_one_incident() {
    let r = expect(
        "es-disk-full",
        &[
            Exp {
                chain: Some("chain.es-disk-full"),
                severity: "critical",
                rule: "es.high-watermark",
                root: "elasticsearch",
                components: &["elasticsearch", "kafka-to-es"],
                scope: "all",
                telemetry: &["metrics", "events"],
                counts: &[("elasticsearch", 50), ("kafka-to-es", 44)],
                count: 94,
                first: "2024-05-06T10:00:12.349Z",
                last: "2024-05-06T10:25:10.687Z",
                episodes: &[
                    "es.high-watermark@elasticsearch",
                    "es.flood-stage@elasticsearch",
                    "es.flood-stage-block@kafka-to-es",
                    "es.flood-stage-block@kafka-to-es",
                ],
            },
            // The unrelated second problem, overlapping in time, stays its own incident.
            unrelated_check_timeout("2024-05-06T10:05:00.000Z", "2024-05-06T10:19:45.000Z"),
        ],
    );
    let inc = &r["incidents"][0];
    let blocks: Vec<(&str, &str)> = inc["episodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["rule"] == "es.flood-stage-block")
        .map(|e| (e["process"].as_str().unwrap(), e["key"]["index"].as_str().unwrap()))
        .collect();
    assert_eq!(blocks, [("mm2es", "sts_multi_metrics-2024.05.06"), ("e2es", "sts_generic_events-2024.05.06")]);
    let title = inc["title"].as_str().unwrap();
    assert!(title.contains("sts-node-01") && title.contains("sts_multi_metrics-2024.05.06"), "{title}");
}

/// A red cluster is logged at INFO by the master; the bulk failures that follow it on the red index are its effect.
#[test]
fn es_red_cluster_and_the_unavailable_shard_failures_are_one_incident() {
    let r = expect(
        "es-red",
        &[
            Exp {
                chain: Some("chain.es-write-blocked"),
                severity: "error",
                rule: "es.cluster-red",
                root: "elasticsearch",
                components: &["elasticsearch", "kafka-to-es"],
                scope: "all",
                telemetry: &["metrics"],
                counts: &[("elasticsearch", 1), ("kafka-to-es", 15)],
                count: 16,
                first: "2024-05-08T14:02:11.417Z",
                last: "2024-05-08T14:17:12.254Z",
                episodes: &["es.cluster-red@elasticsearch", "es.shards-unavailable@kafka-to-es"],
            },
            unrelated_check_timeout("2024-05-08T14:30:00.000Z", "2024-05-08T14:44:45.000Z"),
        ],
    );
    let inc = &r["incidents"][0];
    assert_eq!(episode(inc, "es.shards-unavailable")["key"]["index"], "sts_multi_metrics-2024.05.08");
    let title = inc["title"].as_str().unwrap();
    assert!(title.contains("sts_multi_metrics-2024.05.08"), "{title}");
}

#[test]
fn es_field_limit_names_the_index_and_limit() {
    let r = expect(
        "es-field-limit",
        &[
            Exp {
                chain: Some("chain.es-field-limit"),
                severity: "error",
                rule: "es.total-fields-limit",
                root: "elasticsearch",
                components: &["elasticsearch", "kafka-to-es"],
                scope: "all",
                telemetry: &["metrics"],
                counts: &[("elasticsearch", 15), ("kafka-to-es", 60)],
                count: 75,
                first: "2024-05-07T08:19:50.100Z",
                last: "2024-05-07T08:34:43.232Z",
                episodes: &[
                    "es.total-fields-limit@elasticsearch",
                    "es.total-fields-limit@kafka-to-es",
                    "k2es.bulk-failure@kafka-to-es",
                ],
            },
            Exp {
                chain: Some("chain.agent-receiver-config"),
                severity: "error",
                rule: "receiver.auth-rejected",
                root: "agent",
                components: &["agent", "receiver"],
                scope: "all",
                telemetry: &["metrics"],
                counts: &[("receiver", 16)],
                count: 16,
                first: "2024-05-07T08:40:11.344Z",
                last: "2024-05-07T08:55:11.120Z",
                episodes: &["receiver.auth-rejected@receiver"],
            },
        ],
    );
    let inc = &r["incidents"][0];
    assert_eq!(
        inc["title"],
        "Field limit exceeded on sts_multi_metrics-2024.05.07 (limit 1000): kafka-to-es documents are rejected"
    );
    // The kubectl capture: components and processes come from the pod names.
    let mm = episode(inc, "k2es.bulk-failure");
    assert_eq!(mm["process"], "mm2es");
    assert_eq!(mm["samples"][0]["pod"], "stackstate-mm2es-6d4f8b7c9-x2k4p");
    assert_eq!(episode(inc, "es.total-fields-limit")["samples"][0]["pod"], "stackstate-elasticsearch-master-0");
}

#[test]
fn es_unreachable_from_both_sides() {
    expect(
        "es-unreachable",
        &[
            Exp {
                chain: Some("chain.es-unreachable"),
                severity: "critical",
                rule: "es.cluster-not-ready",
                root: "elasticsearch",
                components: &["elasticsearch", "kafka-to-es"],
                scope: "all",
                telemetry: &["events", "metrics"],
                counts: &[("elasticsearch", 60), ("kafka-to-es", 64)],
                count: 124,
                first: "2024-05-08T07:00:05.512Z",
                last: "2024-05-08T07:10:01.026Z",
                episodes: &[
                    "es.cluster-not-ready@elasticsearch",
                    "es.waiting-for-cluster@elasticsearch",
                    "k2es.es-connect-refused@kafka-to-es",
                    "k2es.es-connect-failed@kafka-to-es",
                    "k2es.dropping-data@kafka-to-es",
                ],
            },
            Exp {
                chain: Some("chain.kafka-unavailable"),
                severity: "error",
                rule: "kafka.unknown-topic",
                root: "kafka",
                components: &["kafka", "kafka-to-es"],
                scope: "all",
                telemetry: &["traces"],
                counts: &[("kafka-to-es", 10)],
                count: 10,
                first: "2024-05-08T07:30:02.100Z",
                last: "2024-05-08T07:39:02.040Z",
                episodes: &["kafka.unknown-topic@kafka-to-es"],
            },
        ],
    );
}

#[test]
fn es_unreachable_seen_only_from_kafka_to_es_still_names_elasticsearch() {
    let r = expect(
        "es-unreachable-k2es-only",
        &[
            Exp {
                chain: Some("chain.es-unreachable"),
                severity: "critical",
                rule: "k2es.es-connect-refused",
                root: "elasticsearch",
                components: &["elasticsearch", "kafka-to-es"],
                scope: "all",
                telemetry: &["events"],
                counts: &[("kafka-to-es", 44)],
                count: 44,
                first: "2024-05-08T07:00:20.038Z",
                last: "2024-05-08T07:09:50.151Z",
                episodes: &["k2es.es-connect-refused@kafka-to-es", "k2es.dropping-data@kafka-to-es"],
            },
            Exp {
                chain: Some("chain.es-mapping"),
                severity: "error",
                rule: "es.mapper-parsing",
                root: "elasticsearch",
                components: &["elasticsearch", "kafka-to-es"],
                scope: "all",
                telemetry: &["metrics"],
                counts: &[("kafka-to-es", 5)],
                count: 5,
                first: "2024-05-08T07:30:04.229Z",
                last: "2024-05-08T07:34:04.058Z",
                episodes: &["es.mapper-parsing@kafka-to-es"],
            },
        ],
    );
    let t = r["incidents"][0]["title"].as_str().unwrap();
    assert!(t.contains("stackstate-elasticsearch-master-headless/10.42.2.18:9200"), "{t}");
}

#[test]
fn kafka_unavailable_receiver_and_agents_are_one_incident_rooted_at_kafka() {
    expect(
        "kafka-unavailable",
        &[
            Exp {
                chain: Some("chain.kafka-unavailable"),
                severity: "critical",
                rule: "kafka.broker-unreachable",
                root: "kafka",
                components: &["kafka", "receiver", "agent"],
                scope: "all",
                // In the order the episodes show them: intake from the agents' EOFs, then the metrics topic.
                telemetry: &["topology", "events", "health", "metrics"],
                // The receiver's "Failed to send messages to Kafka" records hold a TimeoutException in their stack
                // trace: one event each, the receiver's sentence (the failure kind below it adds nothing).
                counts: &[("agent", 28), ("receiver", 78)],
                count: 106,
                first: "2024-05-09T13:20:05.111Z",
                last: "2024-05-09T13:31:02.410Z",
                // Root first, then by time (cause and effect episodes interleaved).
                episodes: &[
                    "kafka.broker-unreachable@receiver",
                    "receiver.kafka-send-failed@receiver",
                    "agent.receiver-eof@agent",
                    "agent.receiver-client-timeout@agent",
                    "agent.endpoint-backoff@agent",
                    "kafka.leader-not-available@receiver",
                ],
            },
            Exp {
                chain: None,
                severity: "info",
                rule: "es.low-watermark",
                root: "elasticsearch",
                components: &["elasticsearch"],
                scope: "all",
                telemetry: &[],
                counts: &[("elasticsearch", 20)],
                count: 20,
                first: "2024-05-09T13:50:12.384Z",
                last: "2024-05-09T13:59:42.384Z",
                episodes: &["es.low-watermark@elasticsearch"],
            },
        ],
    );
}

#[test]
fn kafka_unavailable_seen_only_by_the_receiver_is_still_rooted_at_kafka() {
    expect(
        "kafka-unavailable-receiver-only",
        &[
            Exp {
                chain: Some("chain.kafka-unavailable"),
                severity: "critical",
                // The TimeoutException in each record's stack trace is the failure the receiver's sentence reports:
                // one event per record, the writer's.
                rule: "receiver.kafka-send-failed",
                root: "kafka",
                components: &["kafka", "receiver"],
                scope: "all",
                telemetry: &[],
                counts: &[("receiver", 11)],
                count: 11,
                first: "2024-05-09T13:20:40.300Z",
                last: "2024-05-09T13:30:40.300Z",
                episodes: &["receiver.kafka-send-failed@receiver"],
            },
            Exp {
                chain: Some("chain.es-mapping"),
                severity: "error",
                rule: "es.mapper-parsing",
                root: "elasticsearch",
                components: &["elasticsearch", "kafka-to-es"],
                scope: "all",
                telemetry: &["metrics"],
                counts: &[("kafka-to-es", 5)],
                count: 5,
                first: "2024-05-09T13:45:04.049Z",
                last: "2024-05-09T13:49:04.241Z",
                episodes: &["es.mapper-parsing@kafka-to-es"],
            },
        ],
    );
}

#[test]
fn receiver_unreachable_from_several_agents() {
    let r = expect(
        "receiver-unreachable",
        &[
            Exp {
                chain: Some("chain.receiver-unreachable"),
                severity: "error",
                rule: "agent.receiver-refused",
                root: "receiver",
                components: &["receiver", "agent"],
                scope: "all",
                telemetry: &["topology", "events", "health"],
                counts: &[("agent", 75)],
                count: 75,
                first: "2024-05-10T11:00:03.000Z",
                last: "2024-05-10T11:09:47.000Z",
                episodes: &["agent.receiver-refused@agent", "agent.endpoint-backoff@agent"],
            },
            Exp {
                chain: Some("chain.single-integration"),
                severity: "warning",
                rule: "agent.check-read-timeout",
                root: "agent",
                components: &["agent"],
                scope: "single",
                telemetry: &[],
                counts: &[("agent", 10)],
                count: 10,
                first: "2024-05-10T11:30:00.000Z",
                last: "2024-05-10T11:39:00.000Z",
                episodes: &["agent.check-read-timeout@agent"],
            },
        ],
    );
    let inc = &r["incidents"][0];
    assert_eq!(
        inc["title"],
        "Agents cannot reach the receiver at stackstate-receiver.stackstate.svc.cluster.local:7077: telemetry is buffered, then lost"
    );
    assert_eq!(
        episode(inc, "agent.receiver-refused")["key"]["target"],
        "stackstate-receiver.stackstate.svc.cluster.local:7077"
    );
    assert_eq!(r["incidents"][1]["episodes"][0]["key"]["check"], "openmetrics");
}

#[test]
fn agent_receiver_config_when_only_tls_errors_are_seen() {
    let r = expect(
        "agent-receiver-config",
        &[
            Exp {
                chain: Some("chain.agent-receiver-config"),
                severity: "error",
                rule: "agent.receiver-x509",
                root: "agent",
                components: &["agent"],
                scope: "all",
                telemetry: &["topology", "events", "health", "metrics"],
                counts: &[("agent", 67)],
                count: 67,
                first: "2024-05-11T15:00:04.000Z",
                last: "2024-05-11T15:14:34.000Z",
                episodes: &["agent.receiver-x509@agent", "agent.endpoint-backoff@agent"],
            },
            Exp {
                chain: Some("chain.es-heap-pressure"),
                severity: "error",
                rule: "es.circuit-breaker",
                root: "elasticsearch",
                components: &["elasticsearch", "kafka-to-es"],
                scope: "all",
                telemetry: &["metrics"],
                counts: &[("kafka-to-es", 5)],
                count: 5,
                first: "2024-05-11T15:40:02.500Z",
                last: "2024-05-11T15:42:02.500Z",
                episodes: &["es.circuit-breaker@kafka-to-es"],
            },
        ],
    );
    // Core agent and process agent, intake, series and collector endpoints: one target, one episode.
    let x509 = episode(&r["incidents"][0], "agent.receiver-x509");
    assert_eq!(x509["key"]["target"], "stackstate.example.com");
    assert_eq!(x509["count"], 60);
}

#[test]
fn bad_payload_names_the_missing_member_and_the_sender() {
    let r = expect(
        "bad-payload",
        &[
            Exp {
                chain: Some("chain.bad-payload"),
                severity: "critical",
                rule: "receiver.deserialize-400",
                root: "receiver",
                components: &["receiver", "agent"],
                scope: "all",
                telemetry: &["topology", "events", "health"],
                counts: &[("agent", 15), ("receiver", 15)],
                count: 30,
                first: "2024-05-12T16:10:41.301Z",
                last: "2024-05-12T16:24:42.000Z",
                episodes: &["receiver.deserialize-400@receiver", "agent.receiver-400-deserialize@agent"],
            },
            Exp {
                chain: Some("chain.es-overloaded"),
                severity: "error",
                rule: "es.bulk-rejected",
                root: "elasticsearch",
                components: &["elasticsearch", "kafka-to-es"],
                scope: "all",
                telemetry: &["metrics"],
                counts: &[("kafka-to-es", 5)],
                count: 5,
                first: "2024-05-12T16:40:03.096Z",
                last: "2024-05-12T16:44:03.144Z",
                episodes: &["es.bulk-rejected@kafka-to-es"],
            },
        ],
    );
    let inc = &r["incidents"][0];
    assert_eq!(
        inc["title"],
        "Receiver cannot decode agent data on /stsAgent/intake/: missing member 'internalHostname' (sent by 10.42.3.17); the data is dropped"
    );
    let rec = episode(inc, "receiver.deserialize-400");
    assert_eq!(rec["key"]["client_ip"], "10.42.3.17");
    assert_eq!(rec["key"]["member"], "internalHostname");
    let agent = episode(inc, "agent.receiver-400-deserialize");
    assert_eq!(agent["key"]["endpoint"], rec["key"]["endpoint"]);
    assert_eq!(agent["samples"][0]["pod"], "stackstate-agent-node-agent-7xk2p");
    // The receiver logs the api key in clear: the report must not.
    let text = serde_json::to_string(inc).unwrap();
    assert!(!text.contains("Qm4tR7yXw2"), "api key redacted");
}

#[test]
fn single_integration_one_incident_per_check() {
    let r = expect(
        "single-integration",
        &[
            Exp {
                chain: Some("chain.single-integration"),
                severity: "error",
                rule: "agent.check-connect-timeout",
                root: "agent",
                components: &["agent"],
                scope: "single",
                telemetry: &[],
                counts: &[("agent", 120)],
                count: 120,
                first: "2024-05-13T10:00:07.000Z",
                last: "2024-05-13T10:29:52.000Z",
                episodes: &["agent.check-connect-timeout@agent"],
            },
            Exp {
                chain: Some("chain.single-integration"),
                severity: "error",
                rule: "agent.check-error",
                root: "agent",
                components: &["agent"],
                scope: "single",
                telemetry: &[],
                counts: &[("agent", 20)],
                count: 20,
                first: "2024-05-13T10:10:03.000Z",
                last: "2024-05-13T10:14:48.000Z",
                episodes: &["agent.check-error@agent"],
            },
        ],
    );
    assert_eq!(
        r["incidents"][0]["title"],
        "Integration kubernetes_state is failing (cannot reach 10.96.12.40): only its data is missing"
    );
    assert_eq!(r["incidents"][1]["title"], "Integration mysql is failing: only its data is missing");
}

/// The pull-based path: plugin and mirror errors in the api and mirror pods are one single-integration incident
/// per data source, rooted at the StackState server, never an all-integrations incident.
#[test]
fn pull_data_source_one_incident_per_source() {
    let r = expect(
        "pull-data-source",
        &[
            Exp {
                chain: Some("chain.pull-data-source"),
                severity: "error",
                rule: "plugin.cloudwatch-denied",
                root: "stackstate",
                components: &["stackstate"],
                scope: "single",
                telemetry: &[],
                counts: &[("stackstate", 20)],
                count: 20,
                first: "2024-05-16T10:00:04.304Z",
                last: "2024-05-16T10:19:04.344Z",
                episodes: &["plugin.cloudwatch-denied@stackstate"],
            },
            Exp {
                chain: Some("chain.pull-data-source"),
                severity: "error",
                rule: "plugin.prometheus-unreachable",
                root: "stackstate",
                // The mirror's pod is a component of its own: its lines are counted under it.
                components: &["stackstate", "prometheus-mirror"],
                scope: "single",
                telemetry: &[],
                counts: &[("prometheus-mirror", 20), ("stackstate", 10)],
                count: 30,
                first: "2024-05-16T10:30:05.163Z",
                last: "2024-05-16T10:39:35.172Z",
                episodes: &["plugin.prometheus-unreachable@prometheus-mirror", "plugin.mirror-error@stackstate"],
            },
        ],
    );
    assert_eq!(
        r["incidents"][0]["title"],
        "Pull-based data source cloudwatch is failing: only the telemetry it provides is missing"
    );
    assert_eq!(episode(&r["incidents"][1], "plugin.mirror-error")["count"], 10);
}

/// kafka-to-es's clock is 90 s behind Elasticsearch's: its first failure is logged before the cause, within the
/// chain's 2 min skew, and joins; the incident starts at the (skewed) effect.
#[test]
fn clock_skew_within_tolerance_still_joins() {
    let r = expect(
        "es-disk-full-skew",
        &[Exp {
            chain: Some("chain.es-disk-full"),
            severity: "critical",
            rule: "es.flood-stage",
            root: "elasticsearch",
            components: &["elasticsearch", "kafka-to-es"],
            scope: "all",
            telemetry: &["metrics"],
            counts: &[("elasticsearch", 20), ("kafka-to-es", 25)],
            count: 45,
            first: "2024-05-14T11:58:50.000Z",
            last: "2024-05-14T12:09:30.250Z",
            episodes: &[
                "es.flood-stage@elasticsearch",
                "k2es.bulk-failure@kafka-to-es",
                "k2es.dropping-data@kafka-to-es",
            ],
        }],
    );
    let inc = &r["incidents"][0];
    let cause = episode(inc, "es.flood-stage")["first_seen"].as_str().unwrap();
    let effect = episode(inc, "k2es.bulk-failure")["first_seen"].as_str().unwrap();
    assert!(effect < cause, "the effect appears to start before its cause: {effect} < {cause}");
    assert!(episode(inc, "k2es.bulk-failure")["samples"][0]["path"].as_str().unwrap().contains("k2es-host/"));
}

/// The same with the clock 5 minutes behind: beyond the tolerance, the effects are not joined.
#[test]
fn clock_skew_beyond_tolerance_does_not_join() {
    expect(
        "es-disk-full-skew-beyond",
        &[
            Exp {
                chain: None,
                severity: "critical",
                rule: "k2es.dropping-data",
                root: "kafka-to-es",
                components: &["kafka-to-es"],
                scope: "all",
                telemetry: &["metrics"],
                counts: &[("kafka-to-es", 5)],
                count: 5,
                first: "2024-05-14T11:57:20.000Z",
                last: "2024-05-14T12:05:20.000Z",
                episodes: &["k2es.dropping-data@kafka-to-es"],
            },
            Exp {
                chain: Some("chain.es-disk-full"),
                severity: "critical",
                rule: "es.flood-stage",
                root: "elasticsearch",
                components: &["elasticsearch"],
                scope: "all",
                telemetry: &[],
                counts: &[("elasticsearch", 20)],
                count: 20,
                first: "2024-05-14T12:00:00.250Z",
                last: "2024-05-14T12:09:30.250Z",
                episodes: &["es.flood-stage@elasticsearch"],
            },
            Exp {
                chain: None,
                severity: "error",
                rule: "k2es.bulk-failure",
                // The Elasticsearch client's bulk failure: Elasticsearch refused the documents (its rule's root).
                root: "elasticsearch",
                components: &["elasticsearch", "kafka-to-es"],
                scope: "all",
                telemetry: &["metrics"],
                counts: &[("kafka-to-es", 20)],
                count: 20,
                first: "2024-05-14T11:55:20.000Z",
                last: "2024-05-14T12:04:50.000Z",
                episodes: &["k2es.bulk-failure@kafka-to-es"],
            },
        ],
    );
}

/// Flood stage at 10:00, kafka-to-es blocks at 14:00: farther apart than the 30 min window, two incidents.
#[test]
fn cause_and_effect_farther_apart_than_the_window_stay_two_incidents() {
    let r = expect(
        "es-disk-full-apart",
        &[
            Exp {
                chain: Some("chain.es-disk-full"),
                severity: "critical",
                rule: "es.flood-stage",
                root: "elasticsearch",
                components: &["elasticsearch"],
                scope: "all",
                telemetry: &[],
                counts: &[("elasticsearch", 20)],
                count: 20,
                first: "2024-05-15T10:00:12.357Z",
                last: "2024-05-15T10:09:42.357Z",
                episodes: &["es.flood-stage@elasticsearch"],
            },
            Exp {
                chain: Some("chain.es-disk-full"),
                severity: "critical",
                rule: "es.flood-stage-block",
                root: "elasticsearch",
                components: &["elasticsearch", "kafka-to-es"],
                scope: "all",
                telemetry: &["metrics"],
                counts: &[("kafka-to-es", 20)],
                count: 20,
                first: "2024-05-15T14:00:10.422Z",
                last: "2024-05-15T14:09:40.422Z",
                episodes: &["es.flood-stage-block@kafka-to-es"],
            },
        ],
    );
    assert_ne!(r["incidents"][0]["id"], r["incidents"][1]["id"]);
}

fn scenario_names() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("fixtures/scenarios"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn files_under(dir: &Path, rel: &str, out: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = format!("{rel}/{}", e.file_name().to_string_lossy());
        if e.path().is_dir() {
            files_under(&e.path(), &name, out);
        } else {
            out.push(name);
        }
    }
}

/// A fixed pseudo-random permutation (xorshift), so a failure can be reproduced.
fn shuffled<T>(mut v: Vec<T>, seed: u64) -> Vec<T> {
    let mut s = seed | 1;
    for i in (1..v.len()).rev() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        v.swap(i, (s % (i as u64 + 1)) as usize);
    }
    v
}

#[test]
fn every_scenario_has_a_test() {
    let tested = [
        "agent-receiver-config",
        "bad-payload",
        "es-disk-full",
        "es-disk-full-apart",
        "es-disk-full-skew",
        "es-disk-full-skew-beyond",
        "es-field-limit",
        "es-red",
        "es-unreachable",
        "es-unreachable-k2es-only",
        "kafka-unavailable",
        "kafka-unavailable-receiver-only",
        "pull-data-source",
        "receiver-unreachable",
        "single-integration",
    ];
    assert_eq!(scenario_names(), tested);
}

/// Argument order (directories or their files, shuffled) and thread count do not change the report.
#[test]
fn reports_are_identical_whatever_the_argument_order_and_thread_count() {
    for name in ["es-disk-full", "kafka-unavailable", "bad-payload", "es-unreachable", "es-disk-full-skew"] {
        let dir = scenario(name);
        let mut files = Vec::new();
        files_under(&root().join(&dir), &dir, &mut files);
        assert!(files.len() >= 2, "{name}: several files");
        let reference = normalised(&scan_raw(std::slice::from_ref(&dir), Some(1)));
        for (seed, threads) in [(1u64, 1usize), (7, 2), (42, 4)] {
            let args = shuffled(files.clone(), seed);
            let got = normalised(&scan_raw(&args, Some(threads)));
            assert_eq!(got, reference, "{name}: files {args:?} with --threads {threads}");
        }
    }
    // All scenarios at once, directories shuffled.
    let dirs: Vec<String> = scenario_names().iter().map(|n| scenario(n)).collect();
    let reference = normalised(&scan_raw(&dirs, Some(1)));
    for (seed, threads) in [(3u64, 2usize), (11, 4)] {
        let args = shuffled(dirs.clone(), seed);
        assert_eq!(
            normalised(&scan_raw(&args, Some(threads))),
            reference,
            "all scenarios {args:?} --threads {threads}"
        );
    }
}

fn ids(report: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(report).unwrap();
    v["incidents"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
}

/// Incident ids are the same across runs and thread counts, and distinct within a report.
#[test]
fn incident_ids_are_stable_across_runs_and_thread_counts() {
    for name in scenario_names() {
        let args = [scenario(&name)];
        let first = ids(&scan_raw(&args, Some(1)));
        let again = ids(&scan_raw(&args, Some(1)));
        let four = ids(&scan_raw(&args, Some(4)));
        assert_eq!(first, again, "{name}: ids differ between two runs");
        assert_eq!(first, four, "{name}: ids differ with --threads 4");
        let mut uniq = first.clone();
        uniq.sort();
        uniq.dedup();
        assert_eq!(uniq.len(), first.len(), "{name}: duplicate ids {first:?}");
        for id in &first {
            let (prefix, hash) = id.rsplit_once('-').expect("id-hash");
            assert!(!prefix.is_empty() && hash.len() == 8 && hash.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
        }
    }
}
