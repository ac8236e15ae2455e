//! `stackscan scan` through the binary: the incidents of the fixture tree against fixtures/manifest/linux.md, exit
//! codes, errors on input (missing, unreadable, binary, invalid UTF-8, CRLF, no final newline, ANSI and api keys),
//! and byte-identical reports whatever `--threads` and the order of the paths.

use crate::util::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Read;
use std::process::Stdio;
use std::sync::OnceLock;

/// The JSON report of `fixtures/linux`, scanned once for all the tests that read it.
fn linux() -> &'static Value {
    static R: OnceLock<Value> = OnceLock::new();
    R.get_or_init(|| scan_json(["fixtures/linux"]))
}

fn samples(e: &Value) -> Vec<(String, u64, Option<u64>)> {
    e["samples"].as_array().expect("samples").iter().map(sample_at).collect()
}

fn first_sample(e: &Value) -> (String, u64, Option<u64>) {
    samples(e).into_iter().next().expect("a sample")
}

fn assert_span(e: &Value, count: u64, first: &str, last: &str) {
    assert_eq!(e["count"], count, "count of {e:#}");
    assert_eq!(e["first_seen"], first, "first_seen of {}", e["rule"]);
    assert_eq!(e["last_seen"], last, "last_seen of {}", e["rule"]);
}

#[test]
fn linux_scan_totals() {
    let r = linux();
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["stackscan_version"], env!("CARGO_PKG_VERSION"));
    // The manifest's file table: 17 files, 2754758 bytes, 14403 lines in all. Elasticsearch's JSON log beside its
    // plain log (the same events: 743 lines, 281993 bytes) is not read.
    assert_eq!(r["scan"]["files"], 16);
    assert_eq!(r["scan"]["twins_skipped"], 1);
    assert_eq!(r["scan"]["bytes"], 2_754_758 - 281_993);
    assert_eq!(r["scan"]["lines"], 14_403 - 743);
    assert_eq!(r["scan"]["skipped"], serde_json::json!([]));
    // Every matching record is in exactly one episode.
    assert_eq!(r["scan"]["matches"].as_u64(), Some(total_count(&all_episodes(r))));
}

#[test]
fn linux_only_the_injected_problems() {
    let want: BTreeSet<String> = [
        "es.low-watermark",
        "es.high-watermark",
        "es.flood-stage",
        "es.flood-stage-block",
        "receiver.deserialize-400",
        "agent.receiver-400-deserialize",
        "kafka.broker-unreachable",
        "receiver.kafka-send-failed",
        // The 3 LEADER_NOT_AVAILABLE metadata WARNs just after the broker restart (manifest (c), role recovery).
        "kafka.leader-not-available",
        "agent.check-connect-timeout",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(rule_ids(linux()), want);
}

#[test]
fn linux_a_elasticsearch_disk_watermarks() {
    let r = linux();
    // Flood stage: 61 lines in stackstate.log (and the same 61 in stackstate_server.json, not read: Elasticsearch
    // writes each event to both), 11:40:12,357 - 12:10:12,369.
    let e = episode(r, "es.flood-stage", "node", "sts-prod-01");
    assert_eq!(e["component"], "elasticsearch");
    assert_span(e, 61, "2024-03-12T11:40:12.357Z", "2024-03-12T12:10:12.369Z");
    assert_eq!(e["fields"]["watermark"], serde_json::json!(["95%"]));
    assert_eq!(e["fields"]["free"][0], "4.9gb[4.9%]");
    let s = samples(e);
    assert_eq!(s[0], ("stackstate.log".into(), 276, None));
    assert!(s.iter().all(|s| s.0 == "stackstate.log"), "{s:?}");
    assert_eq!(s.last().map(|s| s.1), Some(386));
    assert!(e["samples"][0]["path"]
        .as_str()
        .unwrap()
        .ends_with("opt/stackstate/var/log/elasticsearch7/stackstate.log"));

    // High watermark: 84 lines (and their JSON twins), 11:00:12,349 - 12:12:12,377 (it stops during the flood
    // stage: one or more episodes, but the same totals).
    let high = episodes(r, "es.high-watermark");
    assert!(!high.is_empty());
    assert_eq!(total_count(&high), 84);
    assert!(high.iter().all(|e| e["key"]["node"] == "sts-prod-01" && e["component"] == "elasticsearch"));
    let firsts: BTreeSet<&str> = high.iter().map(|e| e["first_seen"].as_str().unwrap()).collect();
    let lasts: BTreeSet<&str> = high.iter().map(|e| e["last_seen"].as_str().unwrap()).collect();
    assert_eq!(firsts.first(), Some(&"2024-03-12T11:00:12.349Z"));
    assert_eq!(lasts.last(), Some(&"2024-03-12T12:12:12.377Z"));
    let high_lines: BTreeSet<u64> = high.iter().flat_map(|e| samples(e)).map(|s| s.1).collect();
    assert_eq!(high_lines.first(), Some(&135));
    assert_eq!(high_lines.last(), Some(&393));

    // Low watermark: 40 lines (and their JSON twins), 10:40:12,384 - 10:59:42,349.
    let e = episode(r, "es.low-watermark", "node", "sts-prod-01");
    assert_span(e, 40, "2024-03-12T10:40:12.384Z", "2024-03-12T10:59:42.349Z");
    assert_eq!(first_sample(e), ("stackstate.log".into(), 65, None));
}

#[test]
fn linux_a_kafka_to_es_flood_stage_block() {
    let r = linux();
    // mm2es: 128 records (86 with the text in the header, 42 only in a continuation line), 11:42:10,422 - 12:12:34,599.
    let e = episode(r, "es.flood-stage-block", "index", "sts_multi_metrics-2024.03.12");
    assert_eq!(e["component"], "kafka-to-es");
    assert_eq!(e["process"], "mm2es");
    assert_span(e, 128, "2024-03-12T11:42:10.422Z", "2024-03-12T12:12:34.599Z");
    assert_eq!(first_sample(e), ("kafkaMultiMetricsToES.log".into(), 489, None));
    assert_eq!(samples(e).last().map(|s| s.1), Some(1522));
    assert!(e["fields"]["block"][0]
        .as_str()
        .unwrap()
        .starts_with("TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage"));

    // e2es generic events: 62 records, 11:42:15,379 - 12:12:09,986. The first record whose text is only in a
    // continuation line has its header on line 429 (11:42:39,197) and the text on line 440.
    let e = episode(r, "es.flood-stage-block", "index", "sts_generic_events-2024.03.12");
    assert_eq!(e["process"], "e2es");
    assert_span(e, 62, "2024-03-12T11:42:15.379Z", "2024-03-12T12:12:09.986Z");
    let s = samples(e);
    assert_eq!(s[0], ("kafkaEventsToES.log".into(), 427, None));
    assert!(s.contains(&("kafkaEventsToES.log".into(), 429, Some(440))), "{s:?}");
    let cont = e["samples"].as_array().unwrap().iter().find(|s| s["line"] == 429).unwrap();
    assert!(cont["text"].as_str().unwrap().starts_with("2024-03-12 11:42:39,197 "), "header text: {cont}");
    assert!(cont["text"].as_str().unwrap().contains("Failed to index batch of"));
    let mt = cont["matched_text"].as_str().unwrap();
    assert!(mt.starts_with("Caused by: org.elasticsearch.ElasticsearchStatusException"), "{mt}");
    assert!(mt.contains("cluster_block_exception"));

    // e2es state events: 25 records, 11:43:08,876 - 12:12:22,410; first continuation-only record 476/487.
    let e = episode(r, "es.flood-stage-block", "index", "sts_state_events-2024.03.12");
    assert_eq!(e["process"], "e2es");
    assert_span(e, 25, "2024-03-12T11:43:08.876Z", "2024-03-12T12:12:22.410Z");
    assert!(samples(e).contains(&("kafkaEventsToES.log".into(), 476, Some(487))));

    // kafkaStsEventsToES.log and kafkaTraceToES.log carry no failure.
    assert_eq!(episodes(r, "es.flood-stage-block").len(), 3);
}

#[test]
fn linux_b_bad_agent_payload() {
    let r = linux();
    let e = only_episode(r, "receiver.deserialize-400");
    assert_eq!(e["component"], "receiver");
    assert_span(e, 7, "2024-03-12T13:10:41.301Z", "2024-03-12T13:24:58.332Z");
    assert_eq!(e["key"]["member"], "internalHostname");
    assert_eq!(e["key"]["endpoint"], "/stsAgent/intake/");
    assert_eq!(e["key"]["client_ip"], "10.1.2.3");
    assert_eq!(first_sample(e), ("stackstate-receiver.log".into(), 887, None));
    assert_eq!(samples(e).last().map(|s| s.1), Some(962));
    let text = e["samples"][0]["text"].as_str().unwrap();
    assert!(text.contains("api_key=<redacted>"), "{text}");
    assert!(!text.contains("7f3c9e1b0d4a62f8e5c1b9a7dabcde"));

    let e = only_episode(r, "agent.receiver-400-deserialize");
    assert_eq!(e["component"], "agent");
    assert_span(e, 7, "2024-03-12T13:10:42.000Z", "2024-03-12T13:24:59.000Z");
    assert_eq!(e["key"]["member"], "internalHostname");
    assert_eq!(e["key"]["endpoint"], "/stsAgent/intake/");
    assert_eq!(first_sample(e), ("agent.log".into(), 615, None));
    assert_eq!(samples(e).last().map(|s| s.1), Some(665));

    // The receiver logs the api key in clear: it appears nowhere in the report.
    let all = serde_json::to_string(r).unwrap();
    assert!(!all.contains("7f3c9e1b0d4a62f8e5c1b9a7dabcde"));
}

#[test]
fn linux_c_kafka_broker_stopped() {
    let r = linux();
    let e = episode(r, "kafka.broker-unreachable", "node_id", "0");
    assert_eq!(e["component"], "receiver");
    assert_span(e, 154, "2024-03-12T14:28:42.526Z", "2024-03-12T14:38:48.422Z");
    assert_eq!(first_sample(e), ("stackstate-receiver.log".into(), 1249, None));
    assert_eq!(samples(e).last().map(|s| s.1), Some(1724));

    let e = only_episode(r, "receiver.kafka-send-failed");
    assert_span(e, 21, "2024-03-12T14:29:12.755Z", "2024-03-12T14:38:30.343Z");
    assert_eq!(first_sample(e), ("stackstate-receiver.log".into(), 1260, None));
    assert_eq!(samples(e).last().map(|s| s.1), Some(1706));

    // The TimeoutException in the 2nd line of each of those records is the failure the receiver's sentence
    // reports: the writer's rule speaks for the record, the failure kind adds nothing (counted once).
    assert!(episodes(r, "kafka.client-timeout").is_empty());

    let l = episodes(r, "kafka.leader-not-available");
    assert_eq!(total_count(&l), 3);
    let lines: BTreeSet<u64> = l.iter().flat_map(|e| samples(e)).map(|s| s.1).collect();
    assert_eq!(lines, BTreeSet::from([1725, 1726, 1727]));
}

#[test]
fn linux_d_kubernetes_state_check() {
    let e = only_episode(linux(), "agent.check-connect-timeout");
    assert_eq!(e["component"], "agent");
    assert_span(e, 240, "2024-03-12T15:00:07.000Z", "2024-03-12T15:59:52.000Z");
    assert_eq!(e["key"]["check"], "kubernetes_state");
    assert_eq!(e["key"]["host"], "10.96.12.40");
    assert_eq!(e["key"]["port"], "8080");
    assert_eq!(first_sample(e), ("agent.log".into(), 986, None));
    assert_eq!(samples(e).last().map(|s| s.1), Some(1662));
}

#[test]
fn linux_near_misses_and_noise_are_not_reported() {
    let r = linux();
    let near = [
        "no longer exceeded",
        "Connection established",
        "Successfully connected to node",
        "Deserialized 100 messages",
        "Processed 0 messages",
        "Running check kubernetes_state",
        "Finished check",
        "Successfully posted payload",
        "Retrieved ",
        "overhead, spent",
        "JvmPauseMonitor",
        "permission denied",
        "Unable to read additional data from client",
        "releasing read-only-allow-delete block",
        "first successful bulk request after",
    ];
    for e in all_episodes(r) {
        for s in e["samples"].as_array().unwrap() {
            for t in [&s["text"], &s["matched_text"]] {
                let t = t.as_str().unwrap_or("");
                for n in near {
                    assert!(!t.contains(n), "near miss {n:?} reported by {}: {t}", e["rule"]);
                }
            }
            // Files with no injected problem.
            let path = s["path"].as_str().unwrap();
            for quiet in [
                "kafkaStsEventsToES",
                "kafkaTraceToES",
                "2024-03-11",
                "zookeeper",
                "/kafka/",
                "stackstate-server",
                "process-agent",
            ] {
                assert!(!path.contains(quiet), "{} reported in {path}", e["rule"]);
            }
        }
    }
    // The line with an ANSI escape (receiver line 916) is not a problem, and no ESC reaches the report.
    assert!(strings(r).iter().all(|s| !s.contains('\u{1b}')));
}

#[test]
fn linux_text_report_is_sanitised() {
    let o = run(["scan", "--color", "never", "fixtures/linux"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("es.flood-stage"), "{out}");
    assert!(!out.contains('\u{1b}'));
    assert!(!out.contains("7f3c9e1b0d4a62f8e5c1b9a7dabcde"));
    assert!(out.contains("api_key=<redacted>"));
}

// ---- exit codes ---------------------------------------------------------------------------------------------

#[test]
fn exit_codes_fail_on() {
    assert_eq!(code(&run(["scan", "fixtures/linux"])), 0, "findings are output, not failure");
    assert_eq!(code(&run(["scan", "--fail-on", "critical", "fixtures/linux"])), 1);

    let clean = tempfile::tempdir().unwrap();
    std::fs::write(
        clean.path().join("stackstate-receiver.log"),
        "2024-03-12 10:00:02,311 [main] INFO  c.s.receiver.Main - Started in 2.1 s\n\
         2024-03-12 10:00:03,000 [main] INFO  org.apache.kafka.clients.NetworkClient - Connection established to node 0\n",
    )
    .unwrap();
    let o = run(["scan".as_ref(), "--fail-on".as_ref(), "info".as_ref(), clean.path().as_os_str()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    // Thresholds: no-final-newline.log holds one warning (Kafka broker unreachable).
    let f = "fixtures/edge/no-final-newline.log";
    assert_eq!(code(&run(["scan", "--fail-on", "error", f])), 0);
    assert_eq!(code(&run(["scan", "--fail-on", "warning", f])), 1);
}

#[test]
fn exit_code_2_for_a_missing_path() {
    let o = run(["scan", "fixtures/linux", "no/such/dir-x7"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no/such/dir-x7"), "{}", stderr(&o));
    let o = run(["scan", "--format", "json", "missing-file-q3.log"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("missing-file-q3.log"));
}

#[test]
fn exit_code_2_for_an_invalid_rules_pack() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.toml"), "[[rule]]\nid = \"x.bad\"\n").unwrap();
    let o = run(["scan".as_ref(), "--rules".as_ref(), dir.path().as_os_str(), "fixtures/edge/crlf.log".as_ref()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("bad.toml"), "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "no report from an invalid pack");
}

#[test]
fn broken_pipe_exits_0_quietly() {
    // Many distinct episodes make a report far larger than a pipe buffer.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..4000 {
        text.push_str(&format!(
            "2024-03-12 14:28:{:02},{:03} WARN  org.apache.kafka.clients.NetworkClient - [Producer clientId=producer-1] \
             Connection to node {i} (kafka-{i}/10.20.{}.{}:9092) could not be established. Broker may not be available.\n",
            i % 60,
            i % 1000,
            i / 250,
            i % 250
        ));
    }
    let f = dir.path().join("capture.log");
    std::fs::write(&f, text).unwrap();
    for format in ["json", "text"] {
        let mut child = cmd()
            .args(["scan".as_ref(), "--format".as_ref(), format.as_ref(), f.as_os_str()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = child.stdout.take().unwrap();
        let mut head = [0u8; 512];
        out.read_exact(&mut head).unwrap();
        drop(out); // like `| head -c 512`
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{format}: {}", stderr(&o));
        assert!(o.stderr.is_empty(), "{format}: quiet, but stderr has: {}", stderr(&o));
    }
}

// ---- errors on input ----------------------------------------------------------------------------------------

/// A walked directory with one readable problem file, a dangling symlink and (when permissions apply) a chmod 000
/// file: the unreadable ones are skipped, listed and reported, and the scan goes on.
#[test]
fn unreadable_files_are_skipped_and_the_scan_goes_on() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let recv = dir.path().join("stackstate-receiver");
    std::fs::create_dir(&recv).unwrap();
    std::fs::copy(fixture("edge/no-final-newline.log"), recv.join("stackstate-receiver.log")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("gone.log"), recv.join("dangling.log")).unwrap();
    let locked = recv.join("locked.log");
    let check_locked = permissions_apply(dir.path());
    if check_locked {
        std::fs::copy(fixture("edge/crlf.log"), &locked).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    } else {
        println!("running as root: chmod 000 does not stop reads, only the dangling symlink is checked");
    }

    let (r, o) = scan_json_code([dir.path()], 0);
    let skipped: Vec<String> =
        r["scan"]["skipped"].as_array().unwrap().iter().map(|s| s["path"].as_str().unwrap().to_string()).collect();
    let err = stderr(&o);
    let mut unreadable = vec!["dangling.log"];
    if check_locked {
        unreadable.push("locked.log");
    }
    for name in unreadable {
        assert!(skipped.iter().any(|p| p.ends_with(name)), "{name} not in skipped: {skipped:?}");
        assert!(err.contains(name), "{name} not reported on stderr: {err}");
    }
    let e = only_episode(&r, "kafka.broker-unreachable");
    assert_eq!(e["component"], "receiver");
    assert_eq!(first_sample(e), ("stackstate-receiver.log".into(), 4, None));
    assert_eq!(r["scan"]["files"], 1);
    if check_locked {
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

#[test]
fn binary_file_skipped_when_walked_scanned_when_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("edge/binary.bin"), dir.path().join("binary.bin")).unwrap();
    std::fs::copy(fixture("edge/crlf.log"), dir.path().join("crlf.log")).unwrap();
    let (r, o) = scan_json_code([dir.path()], 0);
    let skipped = r["scan"]["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(skipped[0]["path"].as_str().unwrap().ends_with("binary.bin"));
    assert!(skipped[0]["reason"].as_str().unwrap().contains("binary"));
    assert!(stderr(&o).contains("binary.bin"));
    // Only crlf.log's problem, nothing from the binary file.
    assert!(all_episodes(&r).iter().all(|e| e["samples"][0]["path"].as_str().unwrap().ends_with("crlf.log")));
    assert_eq!(total_count(&episodes(&r, "receiver.kafka-send-failed")), 1);

    // Named explicitly it is scanned: `Failed to send messages to Kafka` is on physical line 16.
    let r = scan_json(["fixtures/edge/binary.bin"]);
    assert_eq!(r["scan"]["skipped"], serde_json::json!([]));
    let e = only_episode(&r, "receiver.kafka-send-failed");
    assert_eq!(first_sample(e).1, 16);
    // No raw control bytes reach the terminal.
    let o = run(["scan", "--color", "never", "fixtures/edge/binary.bin"]);
    assert_eq!(code(&o), 0);
    let text = stdout(&o);
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "control characters in text output");
}

#[test]
fn invalid_utf8_never_stops_a_scan() {
    let (r, o) = scan_json_code(["fixtures/edge/invalid-utf8.log"], 0);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    assert_eq!(r["scan"]["lines"], 5);
    let e = only_episode(&r, "kafka.broker-unreachable");
    assert_eq!(e["count"], 1);
    assert_eq!(e["key"]["node_id"], "1");
    assert_eq!(e["first_seen"], "2024-03-12T14:31:04.950Z");
    assert_eq!(first_sample(e), ("invalid-utf8.log".into(), 3, None));
    assert!(e["samples"][0]["text"].as_str().unwrap().contains("kafka-1/10.0.0.9:9092"));
    let o = run(["scan", "--color", "never", "fixtures/edge/invalid-utf8.log"]);
    assert_eq!(code(&o), 0);
    String::from_utf8(o.stdout).expect("text output is valid UTF-8");
}

#[test]
fn crlf_lines() {
    let r = scan_json(["fixtures/edge/crlf.log"]);
    assert_eq!(r["scan"]["lines"], 11);
    let e = only_episode(&r, "receiver.kafka-send-failed");
    assert_eq!(e["count"], 1);
    assert_eq!(e["first_seen"], "2024-03-12T14:29:18.290Z");
    assert_eq!(first_sample(e), ("crlf.log".into(), 3, None));
    // The TimeoutException on line 4 belongs to the record of line 3: one event, the receiver's sentence.
    assert_eq!(rule_ids(&r), BTreeSet::from(["receiver.kafka-send-failed".to_string()]));
    assert!(strings(&r).iter().all(|s| !s.contains('\r')), "a \\r in the report");
}

#[test]
fn no_final_newline() {
    let r = scan_json(["fixtures/edge/no-final-newline.log"]);
    assert_eq!(r["scan"]["lines"], 4);
    assert_eq!(r["scan"]["bytes"], 755);
    let e = only_episode(&r, "kafka.broker-unreachable");
    assert_eq!(e["count"], 1);
    assert_eq!(e["key"]["node_id"], "0");
    assert_eq!(e["first_seen"], "2024-03-12T14:28:41.024Z");
    assert_eq!(first_sample(e), ("no-final-newline.log".into(), 4, None));
    assert!(e["samples"][0]["text"].as_str().unwrap().ends_with("Broker may not be available."));
    assert_eq!(all_episodes(&r).len(), 1);
}

#[test]
fn stack_trace_continuation_is_reported_at_its_header() {
    let r = scan_json(["fixtures/edge/stacktrace.log"]);
    let e = only_episode(&r, "es.read-only-allow-delete-block");
    assert_eq!(e["count"], 1);
    assert_eq!(e["key"]["index"], "sts_multi_metrics-2024.03.12");
    assert_eq!(e["first_seen"], "2024-03-12T11:42:33.627Z");
    assert_eq!(first_sample(e), ("stacktrace.log".into(), 3, Some(4)));
    assert!(e["samples"][0]["text"].as_str().unwrap().ends_with("Bulk request failed"));
    assert!(e["samples"][0]["matched_text"]
        .as_str()
        .unwrap()
        .contains("FORBIDDEN/12/index read-only / allow delete (api)"));
    assert_eq!(r["scan"]["matches"], 1);
}

#[test]
fn ansi_and_api_keys_are_cleaned_in_every_format() {
    let f = "fixtures/edge/ansi-utf8.log";
    let key = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
    let (r, o) = scan_json_code([f], 0);
    let raw = String::from_utf8(o.stdout.clone()).unwrap();
    assert!(!raw.contains(key));
    assert!(!raw.contains("\\u001b") && !raw.contains("\\u0007"), "escaped ESC/BEL kept in JSON");
    for s in strings(&r) {
        assert!(!s.contains('\u{1b}') && !s.contains('\u{7}'), "control byte in {s:?}");
        assert!(!s.contains(key));
    }
    let eps = episodes(&r, "receiver.deserialize-400");
    assert_eq!(total_count(&eps), 2);
    let lines: BTreeSet<u64> = eps.iter().flat_map(|e| samples(e)).map(|s| s.1).collect();
    assert_eq!(lines, BTreeSet::from([2, 3]));
    let texts: Vec<&str> = eps.iter().map(|e| e["samples"][0]["text"].as_str().unwrap()).collect();
    assert!(texts.iter().all(|t| t.contains("api_key=<redacted>")), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("région-東京")), "UTF-8 kept: {texts:?}");

    for format in ["text", "ndjson"] {
        let o = run(["scan", "--color", "never", "--format", format, f]);
        assert_eq!(code(&o), 0);
        let out = stdout(&o);
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{format}: control byte in output");
        assert!(!out.contains(key), "{format}: api key in output");
        assert!(out.contains("api_key=<redacted>"), "{format}: {out}");
    }
}

#[test]
fn gzip_is_decompressed_with_its_own_line_numbers() {
    let r = scan_json(["fixtures/edge/stackstate-receiver.2024-03-11.1.log.gz"]);
    assert_eq!(r["scan"]["lines"], 10);
    let e = only_episode(&r, "kafka.broker-unreachable");
    assert_eq!(e["component"], "receiver");
    assert_eq!(first_sample(e).1, 2);
    assert_eq!(first_sample(only_episode(&r, "receiver.kafka-send-failed")).1, 3);
}

/// An empty file is scanned (no error) but is nothing read: exit 2, never an all-clear (see hostile.rs).
#[test]
fn empty_file() {
    let (r, _) = scan_json_code(["fixtures/edge/empty.log"], 2);
    assert_eq!(r["scan"]["files"], 1);
    assert_eq!(r["scan"]["lines"], 0);
    assert_eq!(r["incidents"], serde_json::json!([]));
}

// ---- determinism --------------------------------------------------------------------------------------------

/// Files larger than the default 8 MiB chunk: the same bytes with `--threads 1` and `--threads 2` and whatever
/// the order of the path arguments (only `scan.elapsed_ms` may differ).
#[test]
fn identical_reports_across_threads_and_argument_order() {
    let dir = tempfile::tempdir().unwrap();
    let k2es = dir.path().join("kafka-to-es");
    let recv = dir.path().join("stackstate-receiver");
    std::fs::create_dir(&k2es).unwrap();
    std::fs::create_dir(&recv).unwrap();
    let log = fixture("linux/opt/stackstate/var/log");
    let mm = std::fs::read(log.join("kafka-to-es/kafkaMultiMetricsToES.log")).unwrap();
    let ev = std::fs::read(log.join("kafka-to-es/kafkaEventsToES.log")).unwrap();
    let rc = std::fs::read(log.join("stackstate-receiver/stackstate-receiver.log")).unwrap();
    let big = |b: &[u8], n: usize| b.repeat(n);
    std::fs::write(k2es.join("kafkaMultiMetricsToES.log"), big(&mm, 24)).unwrap(); // 9.4 MB: 2 chunks
    std::fs::write(k2es.join("kafkaEventsToES.log"), &ev).unwrap();
    std::fs::write(recv.join("stackstate-receiver.log"), big(&rc, 46)).unwrap(); // 18.6 MB: 3 chunks
    assert!(mm.len() * 24 > 8 << 20 && rc.len() * 46 > 16 << 20);

    let (a, b) = (k2es.as_os_str(), recv.as_os_str());
    let raw = |args: [&std::ffi::OsStr; 4]| {
        let o = cmd().args(["scan", "--format", "json"]).args(args).output().unwrap();
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        stdout(&o)
    };
    let one = raw(["--threads".as_ref(), "1".as_ref(), a, b]);
    let two = raw(["--threads".as_ref(), "2".as_ref(), a, b]);
    let shuffled = raw(["--threads".as_ref(), "2".as_ref(), b, a]);
    // Byte-identical once the `"elapsed_ms": N` member is cut out of the text.
    assert_eq!(strip_elapsed(&one), strip_elapsed(&two), "--threads 1 vs 2");
    assert_eq!(strip_elapsed(&one), strip_elapsed(&shuffled), "argument order");
    assert_eq!(
        without_elapsed(serde_json::from_str(&one).unwrap()),
        without_elapsed(serde_json::from_str(&two).unwrap())
    );

    // Counts scale with the copies: the chunking lost and doubled nothing.
    let r: Value = serde_json::from_str(&one).unwrap();
    assert_eq!(episode(&r, "es.flood-stage-block", "index", "sts_multi_metrics-2024.03.12")["count"], 128 * 24);
    assert_eq!(only_episode(&r, "receiver.kafka-send-failed")["count"], 21 * 46);
    assert!(episodes(&r, "kafka.client-timeout").is_empty(), "one event per record");
    assert_eq!(r["scan"]["lines"], 2591 * 24 + 2356 + 2242 * 46);
    // The unexplained templates too: the receiver's aborted request, once per copy, whatever the chunks.
    let aborted = r["unexplained"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["template"].as_str().unwrap().contains("java.lang.IllegalStateException"))
        .expect("the IllegalStateException template");
    assert_eq!(aborted["count"], 6 * 46);
}

/// The report text without its `"elapsed_ms": N` member.
fn strip_elapsed(json: &str) -> String {
    // Every `"elapsed_ms": N`: the report's, and the one in the totals of the scan state it carries.
    let mut out = json.to_string();
    let mut from = 0;
    while let Some(i) = out[from..].find("\"elapsed_ms\"") {
        let at = from + i;
        let end = at + out[at..].find([',', '}']).expect("end of elapsed_ms");
        out.replace_range(at..end, "");
        from = at;
    }
    assert_ne!(out, json, "elapsed_ms in the report");
    out
}

/// An ES 7 JSON record printed over several lines (the official image's console; elastic/elasticsearch#66806), in
/// a file whose path says nothing: the match in a quoted `Caused by:` element is one record with the header's time,
/// written by Elasticsearch (told from the line), and the breaker is rooted at elasticsearch.
#[test]
fn es7_json_stacktrace_over_several_lines_is_one_record_of_elasticsearch() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("capture.log");
    std::fs::write(
        &path,
        concat!(
            r#"{"type": "server", "timestamp": "2020-12-23T04:54:22,001Z", "level": "INFO", "component": "o.e.n.Node", "cluster.name": "c", "node.name": "n1", "message": "started" }"#,
            "\n",
            r#"{"type": "server", "timestamp": "2020-12-23T04:54:23,908Z", "level": "WARN", "component": "o.e.a.b.TransportShardBulkAction", "cluster.name": "c", "node.name": "n1", "message": "[sts_multi_metrics-2020.12.23][0] failed to execute bulk item", "cluster.uuid": "u", "node.id": "i" ,"#,
            "\n",
            r#""stacktrace": ["org.elasticsearch.transport.RemoteTransportException: [n1][10.0.0.2:9300][indices:data/write/bulk[s]]","#,
            "\n",
            r#""Caused by: org.elasticsearch.common.breaker.CircuitBreakingException: [parent] Data too large, data for [<transport_request>] would be [1023523912/976.1mb], which is larger than the limit of [986061209/940.3mb]","#,
            "\n",
            r#""at java.lang.Thread.run(Thread.java:832) [?:?]"] }"#,
            "\n",
        ),
    )
    .unwrap();
    let r = scan_json([&path]);
    let incidents = r["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 1, "{r:#}");
    let inc = &incidents[0];
    assert_eq!(inc["chain"], "chain.es-heap-pressure");
    assert_eq!(inc["root_cause"]["component"], "elasticsearch");
    assert_eq!(inc["count"], 1);
    assert_eq!(inc["first_seen"], "2020-12-23T04:54:23.908Z");
    let ep = &inc["episodes"][0];
    assert_eq!(ep["component"], "elasticsearch");
    assert_eq!(first_sample(ep), ("capture.log".to_string(), 2, Some(4)));
}
