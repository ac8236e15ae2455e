//! Issue #4: every input an operator has, through the binary: kubectl captures on stdin and in files (prefix,
//! timestamps, stern, CRI, Docker), capture directories, compressed and truncated archives, time windows that
//! leave whole files unread, ES JSON stack traces, long lines.

use crate::util::fixture;
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

/// Runs `stackscan scan --format json ARGS`, with `stdin` piped in; returns the report.
fn scan(args: &[&str], stdin: Option<&[u8]>) -> Value {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stackscan"))
        .arg("scan")
        .args(["--format", "json"])
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run stackscan");
    if let Some(bytes) = stdin {
        let mut w = child.stdin.take().expect("stdin");
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            let _ = w.write_all(&bytes);
        });
    }
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.code().is_some_and(|c| c == 0),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json report")
}

/// Every episode of the report, flattened.
fn episodes(r: &Value) -> Vec<&Value> {
    r["incidents"].as_array().unwrap().iter().flat_map(|i| i["episodes"].as_array().unwrap()).collect()
}

fn episode<'a>(r: &'a Value, rule: &str) -> &'a Value {
    let eps = episodes(r);
    let found: Vec<&Value> = eps.iter().copied().filter(|e| e["rule"] == rule).collect();
    assert_eq!(found.len(), 1, "one episode of {rule} in {:#}", r["incidents"]);
    found[0]
}

fn stdin_of(rel: &str) -> Vec<u8> {
    std::fs::read(fixture(rel)).unwrap()
}

/// Three pods interleaved line by line, every line with `[pod/..] <RFC3339Nano> `: each stack trace joins its own
/// pod's header (the lines of the other pod in between are stepped over), the match in a continuation line is
/// reported at its pod's header with the header's time, and each event takes its component from its pod.
fn check_interleaved_capture(r: &Value, path: &str) {
    let block = episode(r, "es.flood-stage-block");
    assert_eq!(block["component"], "kafka-to-es");
    assert_eq!(block["process"], "mm2es");
    assert_eq!(block["first_seen"], "2024-03-12T11:42:30.100Z");
    let s = &block["samples"][0];
    assert_eq!((s["path"].as_str(), s["line"].as_u64()), (Some(path), Some(5)));
    assert_eq!(s["text"], "2024-03-12 11:42:30,100 ERROR c.s.k.e.s.BulkIndexer - Bulk request failed");
    assert_eq!(s["matched_line"], 7);
    assert!(s["matched_text"].as_str().unwrap().starts_with("org.elasticsearch.ElasticsearchStatusException"));
    assert_eq!(s["pod"], "stackstate-mm2es-6d4f8c7b9-x2kqp");
    assert_eq!(block["fields"]["pod"], serde_json::json!(["stackstate-mm2es-6d4f8c7b9-x2kqp"]));

    // The receiver's record (header line 6, its TimeoutException on line 9, the mm2es lines in between stepped
    // over): the receiver's own sentence speaks for it, and the failure kind in its stack trace adds nothing. Had
    // line 9 been framed as a record of its own, kafka.client-timeout would be there too.
    let send = episode(r, "receiver.kafka-send-failed");
    assert_eq!(send["component"], "receiver");
    assert_eq!(send["first_seen"], "2024-03-12T11:42:30.101Z");
    let s = &send["samples"][0];
    assert_eq!((s["line"].as_u64(), s["matched_line"].as_u64()), (Some(6), None));
    assert!(s["text"].as_str().unwrap().ends_with("AsyncReconnectableProducerImpl - Failed to send messages to Kafka"));
    assert_eq!(s["pod"], "stackstate-receiver-5b9d79db86-h2hkz");
    assert!(episodes(r).iter().all(|e| e["rule"] != "kafka.client-timeout"), "counted once");

    let es = episode(r, "es.flood-stage");
    assert_eq!(es["component"], "elasticsearch");
    assert_eq!(es["samples"][0]["pod"], "stackstate-elasticsearch-master-0");
    assert!(es["samples"][0]["text"].as_str().unwrap().starts_with("{\"type\": \"server\""), "prefix stripped");
    assert_eq!(episode(r, "kafka.broker-unreachable")["component"], "receiver");
}

#[test]
fn kubectl_prefix_and_timestamps_on_stdin() {
    let r = scan(&["-"], Some(&stdin_of("kubectl/all-prefix-timestamps.log")));
    check_interleaved_capture(&r, "-");
    assert_eq!(r["scan"]["lines"], 19);
}

#[test]
fn kubectl_prefix_and_timestamps_in_a_file() {
    let p = fixture("kubectl/all-prefix-timestamps.log");
    let r = scan(&[p.to_str().unwrap()], None);
    check_interleaved_capture(&r, p.to_str().unwrap());
    // The same, cut into tiny work units is not exposed on the CLI; threads must not change the result.
    let r1 = scan(&["-j", "1", p.to_str().unwrap()], None);
    assert_eq!(r1["incidents"], r["incidents"]);
}

#[test]
fn stern_with_colours_on_stdin() {
    let r = scan(&["-"], Some(&stdin_of("kubectl/stern.log")));
    check_interleaved_capture(&r, "-");
}

/// `docker compose up` (or `logs`) output, services interleaved: each line's `NAME   | ` is stripped, a stack
/// trace joins its own service's header across another service's line (one record, the header's time and line),
/// and the service name tells the writer.
#[test]
fn docker_compose_capture_on_stdin_and_in_a_file() {
    let text = "zookeeper_1      | 2017-05-28 13:22:13,044 [myid:3] - WARN  [WorkerSender[myid=3]:QuorumCnxManager@588] - Cannot open channel to 2 at election address zoo2/172.18.0.3:3888\n\
                elasticsearch_1  | [2017-05-28T13:22:13,050][WARN ][o.e.c.r.a.DiskThresholdMonitor] [es-0] flood stage disk watermark [95%] exceeded on [Qm7dR2xkT8uYw1pLz4VbNg][es-0][/usr/share/elasticsearch/data/nodes/0] free: 4.9gb[4.9%], all indices on this node will be marked read-only\n\
                zookeeper_1      | java.net.ConnectException: Connection refused (Connection refused)\n\
                zookeeper_1      | \tat java.net.PlainSocketImpl.socketConnect(Native Method)\n\
                zookeeper_1      | \tat org.apache.zookeeper.server.quorum.QuorumCnxManager.connectOne(QuorumCnxManager.java:562)\n\
                zookeeper_1      | 2017-05-28 13:22:14,000 [myid:3] - INFO  [main:QuorumPeer@1] - LOOKING\n";
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("compose.log");
    std::fs::write(&file, text).unwrap();
    for r in [scan(&["-"], Some(text.as_bytes())), scan(&[file.to_str().unwrap()], None)] {
        let refused = episode(&r, "jvm.connection-refused");
        assert_eq!(refused["count"], 1);
        assert_eq!(refused["first_seen"], "2017-05-28T13:22:13.044Z");
        assert_eq!(refused["samples"][0]["line"], 1);
        assert_eq!(refused["samples"][0]["matched_line"], 3);
        let incident =
            r["incidents"].as_array().unwrap().iter().find(|i| i["episodes"][0]["rule"] == "jvm.connection-refused");
        assert_eq!(incident.unwrap()["root_cause"]["component"], "zookeeper");
        assert_eq!(episode(&r, "es.flood-stage")["component"], "elasticsearch");
    }
}

/// `docker compose logs -t`: Docker's time after each bar is the line's, and the stack lines under a header (each
/// with a time of its own) stay in the header's record instead of opening records of their own.
#[test]
fn docker_compose_capture_with_timestamps() {
    let text = "kafka-1  | 2024-01-25T01:17:55.785275035Z [2024-01-25 01:17:55,785] INFO Creating /brokers/ids/1001 (is it secure? false) (kafka.zk.KafkaZkClient)\n\
                kafka-1  | 2024-01-25T01:17:55.797253708Z [2024-01-25 01:17:55,793] ERROR [KafkaServer id=1001] Fatal error during KafkaServer startup. Prepare to shutdown (kafka.server.KafkaServer)\n\
                kafka-1  | 2024-01-25T01:17:55.797285008Z org.apache.zookeeper.KeeperException$NodeExistsException: KeeperErrorCode = NodeExists\n\
                kafka-1  | 2024-01-25T01:17:55.797292408Z    at org.apache.zookeeper.KeeperException.create(KeeperException.java:126)\n\
                kafka-1  | 2024-01-25T01:17:55.797298008Z    at kafka.zk.KafkaZkClient$CheckedEphemeral.create(KafkaZkClient.scala:1757)\n";
    let r = scan(&["-"], Some(text.as_bytes()));
    let e = episode(&r, "kafka.broker-startup-failed");
    assert_eq!(e["first_seen"], "2024-01-25T01:17:55.797Z");
    assert_eq!(e["samples"][0]["line"], 2);
    // The exception and its stack are the header's: nothing is left over for the unexplained section.
    assert_eq!(r["unexplained"], serde_json::json!([]), "{}", r["unexplained"]);
    assert!(!e["samples"][0]["text"].as_str().unwrap().contains("2024-01-25T"), "{}", e["samples"][0]);
}

#[test]
fn kubectl_timestamps_without_prefix_are_authoritative() {
    // The content's own logback time says 09:00 in a zone-less layout; the kubelet's prefix says 11:42:30.100Z.
    let text = "2024-03-12T11:42:30.100000000Z 2024-03-12 09:00:00,000 ERROR c.s.k.e.s.BulkIndexer - Bulk request failed\n\
                2024-03-12T11:42:30.101000000Z org.elasticsearch.ElasticsearchStatusException: Elasticsearch exception [type=cluster_block_exception, reason=index [sts_multi_metrics-2024.03.12] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];]\n\
                2024-03-12T11:42:30.102000000Z \tat org.elasticsearch.rest.BytesRestResponse.errorFromXContent(BytesRestResponse.java:178)\n";
    let r = scan(&["-", "--component", "kafka-to-es"], Some(text.as_bytes()));
    let e = episode(&r, "es.flood-stage-block");
    assert_eq!(e["first_seen"], "2024-03-12T11:42:30.100Z");
    assert_eq!(e["component"], "kafka-to-es");
    assert_eq!(e["samples"][0]["line"], 1);
    assert_eq!(e["samples"][0]["matched_line"], 2);
}

#[test]
fn cri_pod_directory_joins_partial_lines() {
    // The receiver's "Failed to send messages to Kafka" is split into three P/F parts in the middle of the
    // literal; the joined line is found and the stack trace below joins it.
    let dir = fixture("kubectl/pods");
    let r = scan(&[dir.to_str().unwrap()], None);
    let send = episode(&r, "receiver.kafka-send-failed");
    assert_eq!(send["component"], "receiver");
    assert_eq!(send["first_seen"], "2024-03-12T11:42:30.101Z");
    let s = &send["samples"][0];
    assert_eq!(s["line"], 3, "numbered by its first part");
    assert!(s["text"].as_str().unwrap().ends_with("- Failed to send messages to Kafka"));
    assert_eq!(s["pod"], "stackstate-receiver-5b9d79db86-h2hkz");
    // Its stack trace (the TimeoutException, line 6) joins the joined line's record: one event, the writer's.
    assert!(episodes(&r).iter().all(|e| e["rule"] != "kafka.client-timeout"), "counted once");
    let block = episode(&r, "es.flood-stage-block");
    assert_eq!((block["component"].as_str(), block["process"].as_str()), (Some("kafka-to-es"), Some("mm2es")));

    // The same file on stdin, named by --component.
    let cri = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("receiver"))
        .unwrap()
        .join("receiver/0.log");
    let r = scan(&["-", "--component", "receiver"], Some(&std::fs::read(cri).unwrap()));
    assert_eq!(episode(&r, "receiver.kafka-send-failed")["samples"][0]["line"], 3);
}

#[test]
fn var_log_containers_links_and_one_file_per_pod() {
    let tmp = tempfile::tempdir().unwrap();
    let cri = std::fs::read_dir(fixture("kubectl/pods"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("mm2es"))
        .unwrap()
        .join("mm2es/0.log");
    let containers = tmp.path().join("containers");
    std::fs::create_dir(&containers).unwrap();
    std::os::unix::fs::symlink(&cri, containers.join("stackstate-mm2es-6d4f8c7b9-x2kqp_stackstate_mm2es-3f2a1b.log"))
        .unwrap();
    // kubectl logs POD > POD.log, plain content.
    let saved = tmp.path().join("saved");
    std::fs::create_dir(&saved).unwrap();
    let plain: Vec<u8> = std::fs::read_to_string(fixture("kubectl/all-prefix-timestamps.log"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("[pod/stackstate-receiver"))
        .map(|l| l.splitn(3, ' ').nth(2).unwrap().to_string() + "\n")
        .collect::<String>()
        .into_bytes();
    std::fs::write(saved.join("stackstate-receiver-5b9d79db86-h2hkz.log"), plain).unwrap();
    let r = scan(&[tmp.path().to_str().unwrap()], None);
    let block = episode(&r, "es.flood-stage-block");
    assert_eq!((block["component"].as_str(), block["process"].as_str()), (Some("kafka-to-es"), Some("mm2es")));
    assert_eq!(block["samples"][0]["pod"], "stackstate-mm2es-6d4f8c7b9-x2kqp");
    let send = episode(&r, "receiver.kafka-send-failed");
    assert_eq!(send["component"], "receiver");
    assert_eq!(send["samples"][0]["pod"], "stackstate-receiver-5b9d79db86-h2hkz");
}

/// A CRI capture on stdin (or in an archive) is read in blocks of about 1 MiB: a line split in parts longer than the
/// look-behind (containerd writes parts of 16 KiB; here 20 of them) must not be cut between two blocks, or the block
/// holding its last parts cannot join its header. Twelve such lines, each a receiver deserialization failure whose
/// header is in its first part, spread over 5 MiB: every block boundary that falls inside one is met.
#[test]
fn long_cri_split_lines_across_stream_blocks() {
    let t = "2024-03-12T13:00:00.000000000Z stdout ";
    let fill = format!(
        "{t}F 2024-03-12 13:00:00,000 INFO  c.s.receiver.ReceiverStats - Received 1208 requests in the last 60 seconds\n"
    );
    let header = "2024-03-12 13:25:00,000 WARN  com.stackstate.api.ReceiverRoutes - 10.1.2.3 - POST http://h:7077/stsAgent/intake/ (4873): 400 Bad Request Failed to deserialize JSON on fields: , with message: Object is missing required member 'internalHostname' payload=";
    let mut text = String::new();
    for _ in 0..12 {
        text.push_str(&fill.repeat(900));
        text.push_str(&format!("{t}P {header}\n"));
        for _ in 0..20 {
            text.push_str(&format!("{t}P {}\n", "b".repeat(16384)));
        }
        text.push_str(&format!("{t}F end\n"));
    }
    assert!(text.len() > 5 << 20);
    let r = scan(&["-", "--component", "receiver"], Some(text.as_bytes()));
    let counts: u64 = episodes(&r).iter().map(|e| e["count"].as_u64().unwrap()).sum();
    assert_eq!(counts, 12, "{:#}", r["incidents"]);
}

#[test]
fn docker_json_file_lines() {
    let p = fixture("kubectl/docker/stackstate-mm2es-6d4f8c7b9-x2kqp.log");
    let r = scan(&[p.to_str().unwrap()], None);
    let block = episode(&r, "es.flood-stage-block");
    assert_eq!(block["process"], "mm2es");
    assert_eq!(
        block["samples"][0]["text"],
        "2024-03-12 11:42:30,100 ERROR c.s.k.e.s.BulkIndexer - Bulk request failed"
    );
    assert_eq!(block["samples"][0]["matched_line"], 3);
    let r = scan(&["-", "--component", "kafka-to-es"], Some(&std::fs::read(&p).unwrap()));
    assert_eq!(episode(&r, "es.flood-stage-block")["first_seen"], "2024-03-12T11:42:30.100Z");
}

/// A receiver log with one Kafka failure per line, `n` lines.
fn receiver_log(n: usize, day: &str) -> String {
    (0..n)
        .map(|i| {
            format!(
                "{day} 10:{:02}:{:02},000 WARN  org.apache.kafka.clients.NetworkClient - [Producer clientId=producer-1] Connection to node 2 (stackstate-kafka-2.stackstate-kafka-headless/10.0.3.9:9092) could not be established. Broker may not be available.\n",
                (i / 60) % 60,
                i % 60
            )
        })
        .collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn rotated_gz_and_zst_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("stackstate-receiver");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("stackstate-receiver.2024-03-11.0.log.gz"),
        gzip(receiver_log(300, "2024-03-11").as_bytes()),
    )
    .unwrap();
    let zst = zstd::encode_all(receiver_log(200, "2024-03-12").as_bytes(), 3).unwrap();
    std::fs::write(dir.join("stackstate-receiver.2024-03-12.0.log.zst"), zst).unwrap();
    let r = scan(&[tmp.path().to_str().unwrap()], None);
    assert_eq!(r["scan"]["files"], 2);
    assert_eq!(r["scan"]["lines"], 500);
    assert_eq!(r["scan"]["skipped"], serde_json::json!([]));
    let e = episodes(&r);
    let total: u64 =
        e.iter().filter(|e| e["rule"] == "kafka.broker-unreachable").map(|e| e["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 500);
    assert!(e.iter().all(|e| e["component"] == "receiver"));
}

#[test]
fn truncated_gz_scans_what_was_read_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    // Incompressible-ish content so that the cut falls well inside the stream.
    let text = receiver_log(3000, "2024-03-12");
    let gz = gzip(text.as_bytes());
    let p = tmp.path().join("stackstate-receiver.2024-03-12.0.log.gz");
    std::fs::write(&p, &gz[..gz.len() / 2]).unwrap();
    let r = scan(&[p.to_str().unwrap()], None);
    let skipped = r["scan"]["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(skipped[0]["reason"].as_str().unwrap().contains("read stopped after"), "{skipped:?}");
    let n = episode(&r, "kafka.broker-unreachable")["count"].as_u64().unwrap();
    assert!(n > 0 && n < 3000, "scanned the part that could be read: {n}");
}

#[test]
fn since_and_until_leave_out_whole_files_without_opening_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("stackstate-receiver");
    std::fs::create_dir(&dir).unwrap();
    // Corrupt: opening it would put a warning in `skipped`.
    std::fs::write(dir.join("stackstate-receiver.2019-12-17.0.log.gz"), b"\x1f\x8b\x08\x00garbage, not deflate")
        .unwrap();
    std::fs::write(dir.join("stackstate-receiver.2024-03-11.0.log"), receiver_log(50, "2024-03-11")).unwrap();
    std::fs::write(dir.join("stackstate-receiver.log"), receiver_log(20, "2024-03-12")).unwrap();
    let all = scan(&[tmp.path().to_str().unwrap()], None);
    assert_eq!(all["scan"]["skipped"].as_array().unwrap().len(), 1, "the corrupt archive is read without a window");
    assert_eq!(all["scan"]["skipped_by_time"], 0);

    let r = scan(&[tmp.path().to_str().unwrap(), "--since", "2024-03-12"], None);
    assert_eq!(r["scan"]["skipped"], serde_json::json!([]), "the 2019 archive was not opened");
    assert_eq!(r["scan"]["skipped_by_time"], 2, "the archive and the 2024-03-11 file");
    assert_eq!(r["scan"]["files"], 1);
    assert_eq!(episode(&r, "kafka.broker-unreachable")["count"], 20);

    let r = scan(&[tmp.path().to_str().unwrap(), "--until", "2024-03-11T10:00:30Z"], None);
    assert_eq!(r["scan"]["skipped_by_time"], 1, "the 2024-03-12 file starts after --until");
    assert_eq!(r["scan"]["skipped"].as_array().unwrap().len(), 1, "the 2019 archive may hold such lines: read");
    assert_eq!(episode(&r, "kafka.broker-unreachable")["count"], 31);
}

#[test]
fn es_json_stack_trace_is_one_record() {
    let es7 = r#"{"type": "server", "timestamp": "2024-03-12T11:40:12,357Z", "level": "WARN", "component": "o.e.a.b.TransportShardBulkAction", "cluster.name": "stackstate", "node.name": "stackstate-elasticsearch-master-0", "message": "[sts_multi_metrics-2024.03.12][0] failed to execute bulk item (index)", "stacktrace": ["org.elasticsearch.cluster.block.ClusterBlockException: index [sts_multi_metrics-2024.03.12] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];", "at org.elasticsearch.cluster.block.ClusterBlocks.indexBlockedException(ClusterBlocks.java:190) ~[elasticsearch-7.17.2.jar:7.17.2]"] }"#;
    let es8 = r#"{"@timestamp":"2024-03-12T12:10:00.001Z", "log.level": "WARN", "message":"failed to execute bulk item", "ecs.version": "1.2.0","service.name":"ES_ECS","event.dataset":"elasticsearch.server","log.logger":"org.elasticsearch.action.bulk.TransportShardBulkAction","error.type":"org.elasticsearch.cluster.block.ClusterBlockException","error.message":"blocked","error.stack_trace":"org.elasticsearch.cluster.block.ClusterBlockException: index [sts_multi_metrics-2024.03.12] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];\n\tat org.elasticsearch.cluster.block.ClusterBlocks.indexBlockedException(ClusterBlocks.java:190)\n"}"#;
    let text = format!("{es7}\n{es8}\n");
    let r = scan(&["-", "--component", "elasticsearch"], Some(text.as_bytes()));
    let e = episode(&r, "es.flood-stage-block");
    assert_eq!(e["count"], 2);
    assert_eq!(e["first_seen"], "2024-03-12T11:40:12.357Z");
    assert_eq!(e["last_seen"], "2024-03-12T12:10:00.001Z");
    assert!(e["samples"].as_array().unwrap().iter().all(|s| s["matched_line"].is_null()));
}

#[test]
fn a_line_longer_than_the_line_limit_is_cut_not_held() {
    // 20 MB without a newline (past MAX_LINE = 8 MiB), then a problem line: the scan finishes and finds it.
    let mut text = vec![b'x'; 20 * 1024 * 1024];
    text.push(b'\n');
    text.extend_from_slice(receiver_log(1, "2024-03-12").as_bytes());
    let r = scan(&["-", "--component", "receiver"], Some(&text));
    assert_eq!(episode(&r, "kafka.broker-unreachable")["count"], 1);
    assert_eq!(r["scan"]["lines"], 2);
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("long.log");
    std::fs::write(&p, &text).unwrap();
    let r = scan(&[p.to_str().unwrap(), "--component", "receiver"], None);
    assert_eq!(episode(&r, "kafka.broker-unreachable")["count"], 1);
}

#[test]
fn binary_files_found_by_walking_are_skipped_named_ones_scanned() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bytes = b"\x00\x01\x02binary header\n".to_vec();
    bytes.extend_from_slice(receiver_log(1, "2024-03-12").as_bytes());
    let p = tmp.path().join("stackstate-receiver.log");
    std::fs::write(&p, &bytes).unwrap();
    std::fs::write(tmp.path().join("other.log"), "2024-03-12 10:00:00,000 INFO  a - fine\n").unwrap();
    let walked = scan(&[tmp.path().to_str().unwrap()], None);
    assert!(walked["scan"]["skipped"][0]["reason"].as_str().unwrap().starts_with("binary file"));
    let named = scan(&[p.to_str().unwrap()], None);
    assert_eq!(episode(&named, "kafka.broker-unreachable")["count"], 1);
}

#[test]
fn bad_component_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_stackscan"))
        .args(["scan", "-", "--component", "kafka2es"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--component"));
}

/// A compose prefix names a service (`app_1`) that names no component: each file's lines keep their own file's
/// component, whichever file a thread scanned first with the same service name (the origin of such a name is not
/// the name's, so it is not cached with it). The same report at one and two threads.
#[test]
fn an_unknown_service_name_keeps_each_files_component() {
    let dir = tempfile::tempdir().unwrap();
    let line = |client: &str| {
        format!(
            "app_1    | 2024-03-12 13:00:00,000 WARN  org.apache.kafka.clients.NetworkClient - [{client}] Connection \
             to node -1 (stackstate-kafka-headless/10.42.0.31:9092) could not be established. Broker may not be \
             available.\n"
        )
    };
    for (sub, file, client) in [
        ("stackstate-receiver", "stackstate-receiver.log", "Producer clientId=producer-1"),
        ("kafka-to-es", "kafkaMultiMetricsToES.log", "Consumer clientId=consumer-mm2es-1, groupId=mm2es"),
    ] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        std::fs::write(dir.path().join(sub).join(file), line(client)).unwrap();
    }
    let d = dir.path().to_str().unwrap();
    let one = crate::util::without_elapsed(scan(&["--threads", "1", d], None));
    let mut components: Vec<(String, String)> = episodes(&one)
        .iter()
        .map(|e| (e["component"].as_str().unwrap().to_string(), e["samples"][0]["path"].as_str().unwrap().to_string()))
        .collect();
    components.sort();
    assert_eq!(components.len(), 2, "{components:?}");
    assert!(components[0].0 == "kafka-to-es" && components[0].1.contains("kafka-to-es/"), "{components:?}");
    assert!(components[1].0 == "receiver" && components[1].1.contains("stackstate-receiver/"), "{components:?}");
    assert_eq!(one, crate::util::without_elapsed(scan(&["--threads", "2", d], None)));
}
