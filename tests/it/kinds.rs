//! Issue 21, the pack's two layers through the binary: a writer rule and a failure kind matching one record give
//! one event (the writer's); who wrote a line (pod, `--component`, path, layout) decides where an episode is
//! counted, never whether a failure is seen; severity follows what happened (one retried warning stays a warning,
//! the same lasting is an error); and every kind rule carries examples of more than one writer and benign
//! counterexamples (rules/README.md, "Two layers" and "Who wrote a line").

use crate::util::*;
use regex_automata::meta::Regex;
use regex_automata::util::syntax;
use regex_automata::Input as ReInput;
use serde_json::Value;
use stackscan::rules::{Layer, Pack};

fn regex(pattern: &str) -> Regex {
    Regex::builder()
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .configure(Regex::config().utf8_empty(false))
        .build(pattern)
        .expect("pattern compiles")
}

fn rules_of(r: &Value) -> Vec<String> {
    all_episodes(r).iter().map(|e| e["rule"].as_str().unwrap().to_string()).collect()
}

/// Every example line of a writer rule that a failure kind's pattern matches too, read as its writer logs it:
/// the writer rule fires, the kind adds no event. Lines that no timestamp starts get one, so that each is a
/// record of its own.
#[test]
fn a_writer_rule_and_a_kind_on_one_record_are_one_event() {
    let pack = Pack::embedded().unwrap();
    let rules = pack.rules();
    let regexes: Vec<Regex> = rules.iter().map(|r| regex(&r.pattern)).collect();
    let mut pairs = 0;
    for (wi, w) in rules.iter().enumerate().filter(|(_, r)| r.layer == Layer::Writer) {
        for ex in &w.examples {
            let kinds: Vec<&str> = (0..rules.len())
                .filter(|&k| rules[k].layer == Layer::Kind && regexes[k].is_match(ReInput::new(&ex.line)))
                .map(|k| rules[k].id.as_str())
                .collect();
            if kinds.is_empty() {
                continue;
            }
            pairs += 1;
            let component = ex.component.or_else(|| w.components.iter().next()).unwrap();
            let report = scan_json_stdin(&["--component", component.as_str()], format!("{}\n", ex.line).as_bytes());
            let fired = rules_of(&report);
            assert!(fired.contains(&rules[wi].id), "{} not fired on {}: {fired:?}", w.id, ex.line);
            assert!(
                fired.iter().all(|f| !kinds.contains(&f.as_str())),
                "a kind beside {} on {}: {fired:?}",
                w.id,
                ex.line
            );
            assert!(all_episodes(&report).iter().all(|e| e["count"] == 1), "{}: {fired:?}", ex.line);
        }
    }
    assert!(pairs >= 3, "the pack's writer examples hold only {pairs} lines a kind matches too");
}

/// The receiver's send failure with Kafka's TimeoutException in its stack trace: one record, one event, the
/// writer's (its hop, the receiver); the same exception under a header no rule knows is the kind's, rooted at Kafka.
#[test]
fn a_kind_in_the_stack_trace_gives_way_to_the_writer_on_its_header() {
    let header = "2024-03-12 14:29:12,755 [kafka-producer-network-thread | producer-1] ERROR \
                  c.s.kafka.reconnectable.AsyncReconnectableProducerImpl - Failed to send messages to Kafka\n";
    let trace = "org.apache.kafka.common.errors.TimeoutException: Disconnected from node 0 due to timeout\n\
                 \tat org.apache.kafka.clients.producer.internals.Sender.run(Sender.java:244)\n";
    let r = scan_json_stdin(&["--component", "receiver"], format!("{header}{trace}").as_bytes());
    assert_eq!(rules_of(&r), ["receiver.kafka-send-failed"]);
    assert_eq!(r["scan"]["matches"], 1);

    let other = "2024-03-12 14:29:12,755 [pool-3] ERROR c.e.orders.Publisher - Publishing order 7 gave up\n";
    let r = scan_json_stdin(&[], format!("{other}{trace}").as_bytes());
    assert_eq!(rules_of(&r), ["kafka.client-timeout"]);
    let inc = &r["incidents"][0];
    assert_eq!(inc["root_cause"]["component"], "kafka", "{inc:#}");
}

/// A broker's fatal start-up line is a kind that names no cause; the broker's own sentence below it does: an
/// InconsistentClusterIdException under it is one incident, rooted at ZooKeeper (whose data changed), not Kafka.
#[test]
fn the_fatal_startup_line_gives_way_to_the_brokers_sentence_below_it() {
    let header =
        "[2024-03-12 14:29:12,755] ERROR [KafkaServer id=0] Fatal error during KafkaServer startup. Prepare to \
                  shutdown (kafka.server.KafkaServer)\n";
    let cause = "kafka.common.InconsistentClusterIdException: The Cluster ID 4L6g3nShT-eMCtK--X86sw doesn't match \
                 stored clusterId Some(7xQ2m9ZkRpe1yV0bW3cH8A) in meta.properties. The broker is trying to join the \
                 wrong cluster. Configured zookeeper.connect may be wrong.\n\
                 \tat kafka.server.KafkaServer.startup(KafkaServer.scala:252)\n";
    let r = scan_json_stdin(&["--component", "kafka"], format!("{header}{cause}").as_bytes());
    assert_eq!(rules_of(&r), ["kafka.inconsistent-cluster-id"]);
    let inc = &r["incidents"][0];
    assert_eq!(
        (&inc["severity"], &inc["root_cause"]["component"]),
        (&"critical".into(), &"zookeeper".into()),
        "{inc:#}"
    );
    // Any other exception under it leaves the start-up failure the broker's.
    let oom = "java.lang.OutOfMemoryError: Java heap space\n";
    let r = scan_json_stdin(&["--component", "kafka"], format!("{header}{oom}").as_bytes());
    assert_eq!(rules_of(&r), ["kafka.broker-startup-failed"]);
}

/// A Kafka client's `Error connecting to node ...` is Kafka's failure, an error whatever the exception it names
/// (below it or after it on its line, mostly an unknown host): one event, rooted at Kafka.
#[test]
fn a_kafka_clients_connect_error_is_kafkas_whatever_its_exception() {
    let header = "[2021-03-30 08:46:32,929] WARN [Controller id=1001, targetBrokerId=1001] Error connecting to node \
                  kafka-0.kafka-headless:9092 (id: 1001 rack: null) (org.apache.kafka.clients.NetworkClient)\n";
    let cause = "java.net.UnknownHostException: kafka-0.kafka-headless\n\
                 \tat java.net.InetAddress.getAllByName0(InetAddress.java:1281)\n";
    let inline = "2021-07-26 08:04:30,136 WARN  [org.apa.kaf.cli.NetworkClient] (kafka-producer-network-thread | p) \
                  [Producer clientId=p] Error connecting to node broker:9092 (id: 1 rack: null): \
                  java.net.UnknownHostException: broker\n";
    for input in [format!("{header}{cause}"), header.to_string(), inline.to_string()] {
        let r = scan_json_stdin(&["--component", "kafka-to-es"], input.as_bytes());
        assert_eq!(rules_of(&r), ["kafka.node-connect-error"], "{input}");
        assert_eq!(r["scan"]["matches"], 1);
        let inc = &r["incidents"][0];
        assert_eq!((&inc["severity"], &inc["root_cause"]["component"]), (&"error".into(), &"kafka".into()), "{inc:#}");
    }
}

/// A Jackson parse error of kafka-to-es (its JSON consumer), in a file whose name says Kafka.
const JACKSON: &str = "2024-03-01 12:00:00,123 ERROR c.s.kafka.JsonConsumer - Skipping record: \
    com.fasterxml.jackson.core.JsonParseException: Unexpected character ('}' (code 125)): was expecting double-quote \
    to start field name\n";

/// The case: a file whose path says `kafka` no longer hides a Jackson parse error, with or without
/// `--component`; `--component` wins over the path for where the episode is counted; a pod prefix wins over
/// `--component`.
#[test]
fn the_component_gate_hides_no_failure() {
    let dir = tempfile::tempdir().unwrap();
    let kafka_dir = dir.path().join("kafka");
    std::fs::create_dir(&kafka_dir).unwrap();
    let file = kafka_dir.join("kafka.log");
    std::fs::write(&file, JACKSON).unwrap();
    let path = file.to_str().unwrap();

    for args in [vec![path], vec![path, "--component", "kafka-to-es"]] {
        let r = scan_json(&args);
        let inc = r["incidents"].as_array().unwrap();
        assert!(
            inc.iter().any(|i| i["family"] == "json-deserialization"),
            "{args:?}: the Jackson error is hidden: {:#}",
            r["incidents"]
        );
    }
    // The path says kafka; the user says kafka-to-es: the user wins.
    let r = scan_json([path, "--component", "kafka-to-es"]);
    let eps = all_episodes(&r);
    assert_eq!(eps.len(), 1, "{eps:?}");
    assert_eq!(eps[0]["component"], "kafka-to-es");
    let r = scan_json([path]);
    assert_eq!(all_episodes(&r)[0]["component"], "kafka", "without --component, the path names the writer");

    // A pod prefix names the writer more exactly than --component.
    let prefixed = format!("[pod/stackstate-e2es-6d4f8c7b9-x2kqp/e2es] {JACKSON}");
    let r = scan_json_stdin(&["--component", "receiver"], prefixed.as_bytes());
    let eps = all_episodes(&r);
    assert_eq!(eps.len(), 1, "{eps:?}");
    assert_eq!((eps[0]["component"].as_str(), eps[0]["process"].as_str()), (Some("kafka-to-es"), Some("e2es")));
}

/// With nothing else to tell (stdin, no `--component`), the record's own layout names its writer: a line in
/// Elasticsearch's plain layout is counted under Elasticsearch.
#[test]
fn the_layout_names_the_writer_when_nothing_else_does() {
    let line = "[2024-03-12T11:40:12,357][WARN ][o.e.c.r.a.DiskThresholdMonitor] [es-0] flood stage disk watermark \
                [95%] exceeded on [Qm7dR2xkT8uYw1pLz4VbNg][es-0][/usr/share/elasticsearch/data/nodes/0] free: \
                4.9gb[4.9%], all indices on this node will be marked read-only\n";
    let r = scan_json_stdin(&[], line.as_bytes());
    let eps = all_episodes(&r);
    assert_eq!(eps.len(), 1, "{eps:?}");
    assert_eq!(eps[0]["component"], "elasticsearch");
}

/// Severity from what happened: one UNKNOWN_TOPIC_OR_PARTITION before auto-creation is a warning; the same
/// lasting past the rule's five minutes (`escalate`) is an error.
#[test]
fn a_retried_warning_stays_a_warning_until_it_lasts() {
    let at = |t: &str| {
        format!(
            "2024-03-01 {t},123 WARN  org.apache.kafka.clients.NetworkClient - [Consumer clientId=consumer-1, \
             groupId=g] Error while fetching metadata with correlation id 5 : {{sts_trace_events=UNKNOWN_TOPIC_OR_PARTITION}}\n"
        )
    };
    let once = scan_json_stdin(&["--component", "kafka-to-es"], at("12:00:00").as_bytes());
    assert_eq!(once["incidents"][0]["severity"], "warning", "{:#}", once["incidents"]);
    let lasting = format!("{}{}{}", at("12:00:00"), at("12:03:00"), at("12:06:30"));
    let lasting = scan_json_stdin(&["--component", "kafka-to-es"], lasting.as_bytes());
    assert_eq!(lasting["incidents"][0]["severity"], "error", "{:#}", lasting["incidents"]);
    assert_eq!(lasting["incidents"][0]["root_cause"]["component"], "kafka");
}

/// A failure that comes back is not one that lasts: a producer whose idle broker connection is closed every fifteen
/// minutes logs the close and its consequence each time (a warning, however long the log); the same failure
/// retried every thirty seconds for twelve minutes is an error. Lines constructed in the layout of a C++ service's
/// librdkafka event callback (a real negative case in `fixtures/real`).
#[test]
fn a_failure_that_recurs_is_not_one_that_lasts() {
    let line = |t: &str| {
        format!(
            "2024-03-12 {t}.773506|0x000022a4|error|app::kafka::Producer::event_cb|Producer.cpp:363 Error event: -195: \
             Local: Broker transport failure - kafka-0:9092/0: Connection closed\n"
        )
    };
    let mut idle = String::new();
    for minute in [0, 15, 30, 45] {
        idle.push_str(&line(&format!("10:{minute:02}:58")));
        idle.push_str(&line(&format!("10:{minute:02}:59")));
    }
    let idle = scan_json_stdin(&["--component", "kafka-to-es"], idle.as_bytes());
    let incidents = idle["incidents"].as_array().expect("incidents");
    assert_eq!(incidents.len(), 1, "{incidents:#?}");
    assert_eq!(incidents[0]["episodes"][0]["rule"], "kafka.librdkafka-down", "{incidents:#?}");
    assert_eq!(incidents[0]["episodes"][0]["count"], 8, "{incidents:#?}");
    assert_eq!(incidents[0]["severity"], "warning", "{incidents:#?}");
    let outage: String = (0..25).map(|i| line(&format!("10:{:02}:{:02}", i / 2, i % 2 * 30))).collect();
    let outage = scan_json_stdin(&["--component", "kafka-to-es"], outage.as_bytes());
    assert_eq!(outage["incidents"][0]["severity"], "error", "{:#}", outage["incidents"]);
}

/// A retry whose line says why it cannot succeed (a certificate the sender does not trust, TLS spoken to a plain
/// port) is an error at its first record (`escalate.when`); a TLS handshake that timed out is retried as a warning.
#[test]
fn a_retry_that_names_a_certificate_failure_is_an_error_at_once() {
    let retry = |error: &str| {
        format!(
            "2024-03-01T12:00:00.000Z\tinfo\texporterhelper/retry_sender.go:118\tExporting failed. Will retry the request \
             after interval.\t{{\"kind\": \"exporter\", \"data_type\": \"metrics\", \"name\": \"otlphttp\", \"error\": \
             \"failed to make an HTTP request: Post \\\"https://receiver.example:443/v1/metrics\\\": {error}\", \
             \"interval\": \"5.5s\"}}\n"
        )
    };
    let incident = |error: &str| {
        let report = scan_json_stdin(&["--component", "agent"], retry(error).as_bytes());
        let incidents = report["incidents"].as_array().expect("incidents").clone();
        assert_eq!(incidents.len(), 1, "{incidents:#?}");
        assert_eq!(incidents[0]["episodes"][0]["rule"], "intake.retrying", "{incidents:#?}");
        incidents[0].clone()
    };
    let untrusted = incident("x509: certificate signed by unknown authority");
    assert_eq!(untrusted["severity"], "error", "{untrusted:#}");
    let tls = &untrusted["episodes"][0]["fields"]["tls"];
    assert_eq!(tls[0], "x509: certificate signed by unknown authority", "{untrusted:#}");
    let plain_port = incident("tls: first record does not look like a TLS handshake");
    assert_eq!(plain_port["severity"], "error", "{plain_port:#}");
    let timeout = incident("net/http: TLS handshake timeout");
    assert_eq!(timeout["severity"], "warning", "{timeout:#}");
    assert_eq!(incident("tls: DialWithDialer timed out")["severity"], "warning");
    assert!(timeout["episodes"][0]["fields"].get("tls").is_none(), "{timeout:#}");
}

/// A JVM's `Connection refused` names no address: the client library in the stack frames below it does, and the
/// failure is rooted where that client connects (Elasticsearch's REST client, Kafka's), whoever logged it. An
/// address on the line wins over the frames; a stack of no known client leaves the writer as the root.
#[test]
fn the_client_in_the_stack_trace_names_whom_a_bare_refusal_could_not_reach() {
    let record = |frames: &str| {
        format!(
            "2024-03-12 10:00:00,123 WARN  c.s.sync.SyncService - Upstream failed\n\
             java.net.ConnectException: Connection refused\n\
             \tat java.base/sun.nio.ch.Net.pollConnect(Native Method)\n{frames}\
             2024-03-12 10:00:01,000 INFO  c.s.sync.SyncService - still running\n"
        )
    };
    let root = |input: String| {
        let r = scan_json_stdin(&["--component", "stackstate"], input.as_bytes());
        assert_eq!(r["incidents"].as_array().unwrap().len(), 1, "{:#}", r["incidents"]);
        r["incidents"][0]["root_cause"]["component"].as_str().unwrap().to_string()
    };
    let es = "\tat org.elasticsearch.client.RestClient$FailureTrackingResponseListener.onDefinitiveFailure(RestClient.java:564)\n\
              \tat org.elasticsearch.client.RestClient$1.failed(RestClient.java:326)\n";
    assert_eq!(root(record(es)), "elasticsearch");
    let kafka = "\tat org.apache.kafka.clients.NetworkClient.poll(NetworkClient.java:556)\n";
    assert_eq!(root(record(kafka)), "kafka");
    // The frames of the next record are not this one's.
    let unknown = "\tat com.example.Poller.run(Poller.java:12)\n";
    let next =
        format!("{}\tat org.elasticsearch.client.RestClient.performRequest(RestClient.java:1)\n", record(unknown));
    assert_eq!(root(next), "stackstate");
    // An address on the line decides.
    let addressed = record(es).replace("Connection refused\n", "Connection refused: kafka-0/10.20.0.7:9092\n");
    assert_eq!(root(addressed), "kafka");
}

/// A writer's rule in the words of a client library (`known_writer`: kafka-to-es's `SocketTimeoutException`) is
/// that writer's where the writer is known; in a line of no known writer the failure kind comes first, and the
/// stack frames name whom the timeout could not reach.
#[test]
fn a_client_librarys_words_are_a_writers_only_where_the_writer_is_known() {
    let record = |frames: &str| {
        format!(
            "2024-03-12 10:00:00,123 ERROR i.f.k.c.d.i.WatchConnectionManager - Exec Failure\n\
             java.net.SocketTimeoutException: connect timed out\n\
             \tat java.base/java.net.PlainSocketImpl.socketConnect(Native Method)\n{frames}\
             2024-03-12 10:00:01,000 INFO  c.s.Main - still running\n"
        )
    };
    let fabric8 = "\tat io.fabric8.kubernetes.client.dsl.internal.WatchConnectionManager.runWatch(WatchConnectionManager.java:1)\n";
    let es = "\tat org.elasticsearch.client.RestClient.performRequest(RestClient.java:1)\n";
    let picked = |args: &[&str], input: String| {
        let r = scan_json_stdin(args, input.as_bytes());
        assert_eq!(r["incidents"].as_array().unwrap().len(), 1, "{:#}", r["incidents"]);
        let rule = rules_of(&r).join(",");
        (rule, r["incidents"][0]["root_cause"]["component"].as_str().unwrap_or("").to_string())
    };
    let (rule, root) = picked(&[], record(fabric8));
    assert_eq!(rule, "jvm.socket-timeout");
    assert_ne!(root, "elasticsearch");
    assert_eq!(picked(&[], record(es)), ("jvm.socket-timeout".to_string(), "elasticsearch".to_string()));
    let known = picked(&["--component", "kafka-to-es"], record(fabric8));
    assert_eq!(known, ("k2es.es-socket-timeout".to_string(), "elasticsearch".to_string()));
}

/// urllib3's retry notice names no peer and no writer: in a line of no known writer it is the Python client's
/// retried connection failure (a warning, rooted nowhere), where it was the agent check's rule (an error at the
/// agent); in the agent's own log it stays the check's.
#[test]
fn a_urllib3_retry_notice_is_the_agents_only_in_the_agents_log() {
    let notice = "WARNING:urllib3.connectionpool:Retrying (Retry(total=2, connect=None, read=None, redirect=None, \
                  status=None)) after connection broken by 'NewConnectionError('<urllib3.connection.HTTPConnection \
                  object at 0x7f3a2c1b9d90>: Failed to establish a new connection: [Errno 111] Connection refused')': \
                  /api/v1/series\n";
    let r = scan_json_stdin(&[], notice.as_bytes());
    assert_eq!(rules_of(&r), ["py.new-connection-failed"], "{:#}", r["incidents"]);
    assert_eq!(r["incidents"][0]["severity"], "warning");
    assert_ne!(r["incidents"][0]["root_cause"]["component"], "agent", "{:#}", r["incidents"]);
    let r = scan_json_stdin(&["--component", "agent"], notice.as_bytes());
    assert_eq!(rules_of(&r), ["agent.check-new-connection-failed"], "{:#}", r["incidents"]);
}

/// Every kind rule has examples of at least two writers (two examples; their sources are cited in the rule files)
/// and at least one benign counterexample.
#[test]
fn every_kind_rule_has_examples_of_two_writers_and_a_counterexample() {
    let pack = Pack::embedded().unwrap();
    let kinds: Vec<_> = pack.rules().iter().filter(|r| r.layer == Layer::Kind).collect();
    assert!(kinds.len() >= 60, "{} kind rules", kinds.len());
    for r in kinds {
        assert!(r.examples.len() >= 2, "{}: {} example(s)", r.id, r.examples.len());
        assert!(!r.counterexamples.is_empty(), "{}: no counterexample", r.id);
    }
}

/// A JVM out of memory is an incident of the process that logs it, whatever wrote the header above it (the
/// receiver's aborted request, HotSpot's exit, a thread's uncaught error): keyed by what ran out, an error, and
/// no longer among the unexplained errors. A kind that knows the failure (an Elasticsearch node's fatal error)
/// speaks alone on its record, and the JVM flags a node prints at start are no failure.
#[test]
fn a_jvm_out_of_memory_is_an_incident_of_the_process_that_logs_it() {
    let mut receiver = String::new();
    for (i, t) in ["15:31:09,818", "15:32:04,832", "15:32:58,184"].iter().enumerate() {
        receiver.push_str(&format!(
            "2024-03-12 {t} [StsReceiver-akka.actor.default-dispatcher-{}] ERROR c.s.receiver.intake.IntakeRoutes - \
             Uncaught error while handling POST /stsAgent/intake/ from 10.1.2.3, request aborted\n\
             java.lang.OutOfMemoryError: Java heap space\n\
             \tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)\n\
             \tat akka.dispatch.Mailbox.run(Mailbox.scala:231)\n",
            3 + i
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("stackstate-receiver");
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::write(logs.join("stackstate-receiver.log"), &receiver).unwrap();
    let r = scan_json([dir.path()]);
    assert_eq!(rules_of(&r), ["jvm.out-of-memory"]);
    let e = only_episode(&r, "jvm.out-of-memory");
    assert_eq!((e["count"].as_u64(), e["key"]["memory"].as_str()), (Some(3), Some("Java heap space")), "{e:#}");
    let inc = &r["incidents"][0];
    assert_eq!((inc["severity"].as_str(), inc["root_cause"]["component"].as_str()), (Some("error"), Some("receiver")));
    let unexplained = r["unexplained"].as_array().unwrap();
    assert!(
        unexplained.iter().all(|u| !u["template"].as_str().unwrap().contains("OutOfMemoryError")),
        "{unexplained:#?}"
    );

    // What ran out keys the episodes; HotSpot's exit is the same heap's.
    let k2es = "Terminating due to java.lang.OutOfMemoryError: Java heap space\n\
                Exception in thread \"kafka-coordinator-heartbeat-thread | e2es\" java.lang.OutOfMemoryError: GC overhead limit exceeded\n\
                java.lang.OutOfMemoryError: Java heap space\n";
    let r = scan_json_stdin(&["--component", "kafka-to-es"], k2es.as_bytes());
    let memory: Vec<(&str, u64)> = episodes(&r, "jvm.out-of-memory")
        .iter()
        .map(|e| (e["key"]["memory"].as_str().unwrap(), e["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(memory.len(), 2, "{memory:?}");
    assert!(
        memory.contains(&("Java heap space", 2)) && memory.contains(&("GC overhead limit exceeded", 1)),
        "{memory:?}"
    );
    assert_eq!(r["incidents"][0]["root_cause"]["component"], "kafka-to-es");

    // Elasticsearch's fatal error names the node's crash; the OOM under it adds nothing.
    let es = "[2018-03-09T04:18:01,808][ERROR][o.e.b.ElasticsearchUncaughtExceptionHandler] [es-0] fatal error in \
              thread [elasticsearch[es-0][bulk][T#739]], exiting\n\
              java.lang.OutOfMemoryError: Java heap space\n";
    let r = scan_json_stdin(&["--component", "elasticsearch"], es.as_bytes());
    assert_eq!(rules_of(&r), ["es.node-fatal-error"]);
    let flags = "[2024-03-12T10:00:00,123][INFO ][o.e.n.Node               ] [es-0] JVM arguments [-Xshare:auto, \
                 -XX:+HeapDumpOnOutOfMemoryError, -XX:+ExitOnOutOfMemoryError, -XX:HeapDumpPath=data]\n";
    let r = scan_json_stdin(&["--component", "elasticsearch"], flags.as_bytes());
    assert!(all_episodes(&r).is_empty(), "{:#}", r["incidents"]);
}

/// Another broker's replica fetcher losing its leader: the record under its `Error in response for fetch request`
/// header is the disconnected broker's, keyed by its id; a warning while a restart could explain it, an error once
/// it lasts ten minutes.
#[test]
fn a_broker_that_drops_its_fetchers_is_named_by_its_id() {
    let at = |t: &str| {
        format!(
            "[2024-03-12 {t},118] WARN [ReplicaFetcher replicaId=1, leaderId=0, fetcherId=0] Error in response for \
             fetch request (type=FetchRequest, replicaId=1, maxWait=500, minBytes=1, maxBytes=10485760, \
             fetchData={{sts_multi_metrics-0=(fetchOffset=0, logStartOffset=0, maxBytes=1048576)}}) \
             (kafka.server.ReplicaFetcherThread)\n\
             java.io.IOException: Connection to 0 was disconnected before the response was read\n\
             \tat org.apache.kafka.clients.NetworkClientUtils.sendAndReceive(NetworkClientUtils.java:100)\n"
        )
    };
    let once = scan_json_stdin(&["--component", "kafka"], at("13:10:13").as_bytes());
    assert_eq!(rules_of(&once), ["kafka.disconnected-before-response"]);
    let inc = &once["incidents"][0];
    assert_eq!((inc["severity"].as_str(), inc["root_cause"]["component"].as_str()), (Some("warning"), Some("kafka")));
    assert_eq!(only_episode(&once, "kafka.disconnected-before-response")["key"]["node_id"], "0");
    assert!(once["unexplained"].as_array().unwrap().is_empty(), "{:#}", once["unexplained"]);
    let lasting = format!("{}{}{}", at("13:10:13"), at("13:16:13"), at("13:21:13"));
    let lasting = scan_json_stdin(&["--component", "kafka"], lasting.as_bytes());
    assert_eq!(lasting["incidents"][0]["severity"], "error", "{:#}", lasting["incidents"]);
    // The same outage seen by the fetcher's network client after the drop: one Kafka incident.
    let unreachable =
        "[2024-03-12 13:10:15,118] WARN [ReplicaFetcher replicaId=1, leaderId=0, fetcherId=0] Connection \
                       to node 0 (stackstate-kafka-0.stackstate-kafka-headless/10.42.0.31:9092) could not be \
                       established. Broker may not be available. (org.apache.kafka.clients.NetworkClient)\n";
    let both = scan_json_stdin(&["--component", "kafka"], format!("{}{unreachable}", at("13:10:13")).as_bytes());
    let incidents = both["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 1, "{incidents:#?}");
    assert_eq!(incidents[0]["root_cause"]["component"], "kafka");
    let mut fired = rules_of(&both);
    fired.sort();
    assert_eq!(fired, ["kafka.broker-unreachable", "kafka.disconnected-before-response"]);
}
