//! Chunking through the library: a file cut into small newline-aligned chunks gives the same episodes, counts,
//! times and sample line numbers as one chunk, including a match on a line that straddles a requested cut and a
//! stack trace whose header is in the previous chunk.

use crate::util::{fixture, Rng};
use stackscan::report::{Format, Report};
use stackscan::rules::Pack;
use stackscan::scan::ScannerBuilder;
use stackscan::source;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

fn pack() -> Arc<Pack> {
    static P: OnceLock<Arc<Pack>> = OnceLock::new();
    P.get_or_init(|| Arc::new(Pack::embedded().expect("embedded pack"))).clone()
}

/// The JSON report of `paths` scanned with `chunk` bytes per work unit, without `elapsed_ms`.
fn report(paths: &[PathBuf], chunk: usize, threads: usize) -> serde_json::Value {
    report_in_pieces(paths, chunk, 1 << 30, threads)
}

fn report_in_pieces(paths: &[PathBuf], chunk: usize, piece: usize, threads: usize) -> serde_json::Value {
    let (inputs, skipped, missing) = source::discover(paths, &Default::default());
    assert!(missing.is_empty() && skipped.is_empty());
    let scanner = ScannerBuilder::new().chunk_size(chunk).read_piece(piece).threads(threads).build(pack()).unwrap();
    let state = scanner.scan(&inputs);
    let mut buf = Vec::new();
    Report::of(&pack(), &state).write(&mut buf, Format::Json, Default::default()).unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
    v["scan"].as_object_mut().unwrap().remove("elapsed_ms");
    v
}

/// Asserts two reports are equal, comparing the (rule, line, matched line, count) lists first for a short message.
fn assert_same(got: &serde_json::Value, want: &serde_json::Value, ctx: &str) {
    let (g, w) = (samples(got), samples(want));
    let extra: Vec<_> = g.iter().filter(|s| !w.contains(s)).collect();
    let missing: Vec<_> = w.iter().filter(|s| !g.contains(s)).collect();
    assert!(extra.is_empty() && missing.is_empty(), "{ctx}: extra samples {extra:?}, missing {missing:?}");
    assert_eq!(got["scan"], want["scan"], "{ctx}");
    assert!(got == want, "{ctx}: reports differ");
}

fn samples(v: &serde_json::Value) -> Vec<(String, u64, Option<u64>, u64)> {
    let mut out = Vec::new();
    for i in v["incidents"].as_array().unwrap() {
        for e in i["episodes"].as_array().unwrap() {
            for s in e["samples"].as_array().unwrap() {
                out.push((
                    e["rule"].as_str().unwrap().to_string(),
                    s["line"].as_u64().unwrap(),
                    s.get("matched_line").and_then(|m| m.as_u64()),
                    e["count"].as_u64().unwrap(),
                ));
            }
        }
    }
    out
}

/// The byte offset where 1-based line `n` starts.
fn line_start(text: &[u8], n: usize) -> usize {
    if n == 1 {
        return 0;
    }
    memchr_nth(text, n - 1) + 1
}

fn memchr_nth(text: &[u8], k: usize) -> usize {
    text.iter().enumerate().filter(|(_, &b)| b == b'\n').nth(k - 1).map(|(i, _)| i).unwrap()
}

#[test]
fn stack_trace_header_in_the_previous_chunk() {
    // stacktrace.log: header on line 3, the only matching text on line 4. Cut exactly between them.
    let path = fixture("edge/stacktrace.log");
    let text = std::fs::read(&path).unwrap();
    let cut = line_start(&text, 4);
    let whole = report(std::slice::from_ref(&path), 1 << 30, 1);
    let split = report(std::slice::from_ref(&path), cut, 1);
    assert_eq!(samples(&whole), vec![("es.read-only-allow-delete-block".to_string(), 3, Some(4), 1)]);
    assert_same(&split, &whole, "cut between header and continuation");
    let e = &split["incidents"][0]["episodes"][0];
    assert_eq!(e["first_seen"], "2024-03-12T11:42:33.627Z", "the header's time, from the previous chunk");
    // And any other cut, down to one byte per chunk.
    for chunk in [1, 2, 3, 7, 64, 100, 333, 1000, cut - 1, cut + 1] {
        assert_same(&report(std::slice::from_ref(&path), chunk, 2), &whole, &format!("chunk {chunk}"));
    }
}

#[test]
fn match_straddling_a_requested_cut() {
    // A problem line whose matched text `could not be established` spans the requested chunk boundary.
    let dir = tempfile::tempdir().unwrap();
    let recv = dir.path().join("stackstate-receiver");
    std::fs::create_dir(&recv).unwrap();
    let mut text = String::new();
    for i in 0..40 {
        text.push_str(&format!("2024-03-12 14:28:{i:02},100 [main] INFO  c.s.receiver.Main - heartbeat {i}\n"));
    }
    let problem = "2024-03-12 14:28:41,024 [kafka-producer-network-thread | producer-1] WARN  \
                   org.apache.kafka.clients.NetworkClient - [Producer clientId=producer-1] Connection to node 0 \
                   (kafka-0.stackstate.local/10.20.0.7:9092) could not be established. Broker may not be available.\n";
    let at = text.len() + problem.find("could not be").unwrap() + 5;
    text.push_str(problem);
    for i in 0..40 {
        text.push_str(&format!("2024-03-12 14:29:{i:02},100 [main] INFO  c.s.receiver.Main - heartbeat {i}\n"));
    }
    let path = recv.join("stackstate-receiver.log");
    std::fs::write(&path, &text).unwrap();
    let whole = report(std::slice::from_ref(&path), 1 << 30, 1);
    assert_eq!(samples(&whole), vec![("kafka.broker-unreachable".to_string(), 41, None, 1)]);
    for chunk in [at, at - 3, at + 9, 17, 256, 4096] {
        assert_same(&report(std::slice::from_ref(&path), chunk, 2), &whole, &format!("chunk {chunk}"));
    }
}

#[test]
fn small_chunks_over_the_edge_fixtures() {
    for name in ["crlf.log", "no-final-newline.log", "invalid-utf8.log", "ansi-utf8.log", "empty.log"] {
        let path = fixture(&format!("edge/{name}"));
        let whole = report(std::slice::from_ref(&path), 1 << 30, 1);
        for chunk in [1, 5, 50, 200, 700] {
            assert_same(&report(std::slice::from_ref(&path), chunk, 2), &whole, &format!("{name} chunk {chunk}"));
        }
    }
}

/// A large real-looking file with many stack traces cut into chunks of a few KiB: every record whose text is
/// only in a continuation line keeps its header's line and time.
#[test]
fn fixture_tree_files_in_small_chunks() {
    let log = fixture("linux/opt/stackstate/var/log");
    let paths = vec![
        log.join("kafka-to-es/kafkaEventsToES.log"),
        log.join("kafka-to-es/kafkaMultiMetricsToES.log"),
        log.join("stackstate-receiver/stackstate-receiver.log"),
    ];
    let whole = report(&paths, 1 << 30, 1);
    assert!(samples(&whole).contains(&("es.flood-stage-block".to_string(), 429, Some(440), 62)));
    // The receiver's sentence on the header speaks for its record; the TimeoutException below adds nothing.
    assert!(samples(&whole).contains(&("receiver.kafka-send-failed".to_string(), 1260, None, 21)));
    assert!(samples(&whole).iter().all(|s| s.0 != "kafka.client-timeout"));
    for chunk in [997, 4096, 65_536] {
        assert_same(&report(&paths, chunk, 2), &whole, &format!("chunk {chunk}"));
    }
}

/// Lines longer than the short-line bound run each rule's full regex instead of the DFA-less one: the same rule
/// and the same captures must come out of a problem line padded to 10 KiB as out of the plain line.
#[test]
fn long_lines_match_like_short_ones() {
    use stackscan::scan::{scan_buffer, Scratch};
    use stackscan::source::Origin;
    let pack = pack();
    let mut scratch = Scratch::new(&pack);
    let origin = Origin::of(stackscan::model::Component::Receiver);
    let line = "2024-03-12 14:28:42,526 WARN  org.apache.kafka.clients.NetworkClient - [Producer clientId=producer-1] \
                Connection to node 0 (kafka-0.stackstate.local/10.20.0.7:9092) could not be established. Broker may not be available.";
    let short = format!("{line}\n");
    let long = format!("{line} {}\n", "x".repeat(10 * 1024));
    let summarise = |eps: Vec<(stackscan::aggregate::episode::EpisodeKey, stackscan::aggregate::episode::Bucket)>| {
        eps.into_iter()
            .map(|(k, b)| {
                (k.rule, k.key.to_vec(), b.count, b.fields.get("broker").cloned().map(|v| v[0].0.to_string()))
            })
            .collect::<Vec<_>>()
    };
    let a = summarise(scan_buffer(&pack, &mut scratch, short.as_bytes(), &origin));
    let b = summarise(scan_buffer(&pack, &mut scratch, long.as_bytes(), &origin));
    assert_eq!(a.len(), 1, "{a:?}");
    assert_eq!(a, b);
    assert_eq!(a[0].3.as_deref(), Some("kafka-0.stackstate.local/10.20.0.7:9092"));
}

/// A chunk is read in pieces into a buffer that slides along it: pieces far smaller than the record look-behind
/// and look-ahead, alone and combined with small chunks, give the report of one read of each whole file.
#[test]
fn pieces_of_a_chunk_slide_without_changing_the_report() {
    let log = fixture("linux/opt/stackstate/var/log");
    let mut paths = vec![
        log.join("kafka-to-es/kafkaEventsToES.log"),
        log.join("kafka-to-es/kafkaMultiMetricsToES.log"),
        log.join("stackstate-receiver/stackstate-receiver.log"),
    ];
    for name in ["crlf.log", "no-final-newline.log", "invalid-utf8.log", "ansi-utf8.log", "empty.log"] {
        paths.push(fixture(&format!("edge/{name}")));
    }
    let whole = report(&paths, 1 << 30, 1);
    for (chunk, piece) in [(1 << 30, 1), (1 << 30, 1000), (1 << 30, 70_000), (65_536, 3000), (4096, 997)] {
        assert_same(&report_in_pieces(&paths, chunk, piece, 2), &whole, &format!("chunk {chunk}, piece {piece}"));
    }
}

/// Two folders under `dir`: one for plain files, one for their .gz copies.
fn plain_and_packed(dir: &std::path::Path) -> (PathBuf, PathBuf) {
    let (plain, packed) = (dir.join("plain"), dir.join("packed"));
    std::fs::create_dir_all(&plain).unwrap();
    std::fs::create_dir_all(&packed).unwrap();
    (plain, packed)
}

/// Writes `text` as `plain/name` and as `packed/name.1.gz`.
fn write_both(plain: &std::path::Path, packed: &std::path::Path, name: &str, text: &[u8]) {
    std::fs::write(plain.join(name), text).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, text).unwrap();
    std::fs::write(packed.join(format!("{name}.1.gz")), gz.finish().unwrap()).unwrap();
}

/// A stream (here a .gz archive) is scanned in blocks whose lines are counted by the tasks that scan them: the
/// samples of a stream many blocks long keep the line numbers, counts and times of the same bytes in a plain file.
#[test]
fn stream_blocks_number_lines_like_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let seed = std::fs::read(fixture("recall/connection.log")).unwrap();
    let mut text = Vec::new();
    let mut i = 0;
    while text.len() < 600 * 1024 {
        // Each copy shifted by a few lines, so that equal lines do not sit at the same offset in every block.
        text.extend_from_slice(
            format!("2024-03-12 10:00:00,{:03} [main] INFO  a.b.C - padding {i}\n", i % 1000).as_bytes(),
        );
        text.extend_from_slice(&seed);
        i += 1;
    }
    let (plain, packed) = plain_and_packed(dir.path());
    write_both(&plain, &packed, "connection.log", &text);
    // 256 KiB chunks: 64 KiB stream blocks, about ten of them.
    let file = report(std::slice::from_ref(&plain), 256 * 1024, 2);
    let stream = report(std::slice::from_ref(&packed), 256 * 1024, 2);
    assert!(!samples(&file).is_empty());
    assert_eq!(samples(&stream), samples(&file));
    assert_eq!(stream["scan"]["lines"], file["scan"]["lines"]);
    assert_eq!(stream["scan"]["matches"], file["scan"]["matches"]);
}

/// A receiver's log (logback) with the records whose judging crosses lines: a header without a time whose
/// exception line a rule reads, an ERROR header whose exception line a failure kind of other components reads, a
/// header without a time over a stack trace no rule reads, and an unknown error.
const RECORDS_ACROSS_LINES: &str = "\
2024-03-12 12:06:24,876 [KafkaToES-akka.actor.default-dispatcher-3] INFO  c.s.receiver.ReceiverStats - Received 1208 requests in the last 60 seconds
[data-plane-kafka-request-handler-4] ERROR kafka.server.ReplicaManager - [ReplicaManager broker=2] Error processing append operation on partition dlq_topic-0
org.apache.kafka.common.errors.NotEnoughReplicasException: The size of the current ISR Set(2) is insufficient to satisfy the min.isr requirement of 2 for partition dlq_topic-0
2024-03-12 12:06:52,761 [KafkaToES-akka.actor.default-dispatcher-18] ERROR c.s.k.e.s.BulkIndexer - Bulk request failed for 500 documents
org.elasticsearch.ElasticsearchStatusException: Elasticsearch exception [type=cluster_block_exception, reason=index [sts_multi_metrics-2024.03.12] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];]
\tat org.elasticsearch.rest.BytesRestResponse.errorFromXContent(BytesRestResponse.java:178)
\tat org.elasticsearch.client.RestHighLevelClient.parseResponseException(RestHighLevelClient.java:2461)
[2022/02/22 15:11:33] [error] [output:es:es.app-logs] error: Output
\tat org.elasticsearch.rest.BytesRestResponse.errorFromXContent(BytesRestResponse.java:178)
\tat org.elasticsearch.client.RestHighLevelClient.parseEntity(RestHighLevelClient.java:2484)
\tat org.elasticsearch.client.RestHighLevelClient.parseResponseException(RestHighLevelClient.java:2461)
\tat org.elasticsearch.client.RestHighLevelClient.internalPerformRequest(RestHighLevelClient.java:2184)
2024-03-12 12:07:10,002 [StsReceiver-akka.actor.default-dispatcher-7] ERROR c.s.receiver.SomethingNew - Uncaught error while handling POST /stsAgent/intake
java.lang.IllegalStateException: Substream Source(EntitySource) cannot be materialized more than once
\tat akka.stream.impl.fusing.SubSource.subsFirst(StreamOfStreams.scala:711)
2024-03-12 12:07:30,500 [KafkaToES-akka.actor.default-dispatcher-3] INFO  c.s.receiver.ReceiverStats - Received 1190 requests in the last 60 seconds
";

/// A receiver's containerd (CRI) log: a line split in three parts, a partial stdout line with a whole stderr line
/// below it (both streams go to one file), and an unknown error whose header and exception line are split.
const CRI_PARTS: &str = "\
2024-03-12T11:42:29.400405200Z stdout F 2024-03-12 11:42:29,400 INFO  c.s.receiver.ReceiverStats - Received 1208 requests in the last 60 seconds
2024-03-12T11:42:30.101102313Z stdout P 2024-03-12 11:42:30,101 ERROR c.s.kafka.reconnectable.AsyncReconnectableProducerImpl - Failed to
2024-03-12T11:42:30.101102313Z stdout P  send messages 
2024-03-12T11:42:30.101102313Z stdout F to Kafka
2024-03-12T11:42:30.102103326Z stdout F org.apache.kafka.common.errors.TimeoutException: Disconnected from node 1 due to timeout
2024-03-12T11:42:30.102103326Z stdout F \tat org.apache.kafka.clients.producer.internals.Sender.sendProducerData(Sender.java:412)
2024-03-12T11:42:31.200000000Z stdout P 2024-03-12 11:42:31,200 INFO  c.s.receiver.ReceiverStats - Received 
2024-03-12T11:42:31.200100000Z stderr F 2024-03-12 11:42:31,200 WARN  org.apache.kafka.clients.NetworkClient - [Producer clientId=producer-2] Connection to node 1 (stackstate-kafka-1.stackstate-kafka-headless.stackstate.svc.cluster.local/10.42.3.17:9092) could not be established. Broker may not be available.
2024-03-12T11:42:31.200200000Z stdout F 1190 requests in the last 60 seconds
2024-03-12T11:42:34.900911700Z stdout F 2024-03-12 11:42:34,900 INFO  c.s.receiver.ReceiverStats - Received 1190 requests in the last 60 seconds
2024-03-12T11:42:35.000000000Z stdout P 2024-03-12 11:42:35,000 ERROR c.s.receiver.SomethingNew - Uncaught error while handling 
2024-03-12T11:42:35.000000000Z stdout F POST /stsAgent/intake
2024-03-12T11:42:35.000100000Z stdout P java.lang.IllegalStateException: Substream Source(EntitySource) cannot be 
2024-03-12T11:42:35.000100000Z stdout F materialized more than once
2024-03-12T11:42:35.000200000Z stdout F \tat akka.stream.impl.fusing.SubSource.subsFirst(StreamOfStreams.scala:711)
2024-03-12T11:42:36.000000000Z stdout F 2024-03-12 11:42:36,000 INFO  c.s.receiver.ReceiverStats - Received 1190 requests in the last 60 seconds
";

/// A kubectl capture (`--prefix --timestamps`) that begins inside a stack trace of one pod, another pod's lines
/// in between: the trace is one record, which the failure kind read in its `Caused by:` explains.
const CAPTURE_FROM_A_TRACE: &str = "\
[pod/stackstate-receiver-5b9d79db86-h2hkz/receiver] 2024-03-12T11:00:40.000000000Z 2024-03-12 11:00:40,000 INFO  c.s.receiver.ReceiverStats - Received 1208 requests in the last 60 seconds
[pod/stackstate-mm2es-6d4f8c7b9-x2kqp/mm2es] 2024-03-12T11:00:40.108237089Z \tat org.elasticsearch.client.RestHighLevelClient.performRequest(RestHighLevelClient.java:2137)
[pod/stackstate-mm2es-6d4f8c7b9-x2kqp/mm2es] 2024-03-12T11:00:40.108237089Z \tat org.elasticsearch.client.RestHighLevelClient.bulk(RestHighLevelClient.java:620)
[pod/stackstate-receiver-5b9d79db86-h2hkz/receiver] 2024-03-12T11:00:41.000000000Z 2024-03-12 11:00:41,000 INFO  c.s.receiver.ReceiverStats - Received 1190 requests in the last 60 seconds
[pod/stackstate-mm2es-6d4f8c7b9-x2kqp/mm2es] 2024-03-12T11:00:40.108237089Z Caused by: org.elasticsearch.ElasticsearchStatusException: Elasticsearch exception [type=cluster_block_exception, reason=index [sts_multi_metrics-2024.03.12] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];]
[pod/stackstate-receiver-5b9d79db86-h2hkz/receiver] 2024-03-12T11:00:42.000000000Z 2024-03-12 11:00:42,000 INFO  c.s.receiver.ReceiverStats - Received 1201 requests in the last 60 seconds
[pod/stackstate-mm2es-6d4f8c7b9-x2kqp/mm2es] 2024-03-12T11:00:40.108237089Z \tat org.elasticsearch.rest.BytesRestResponse.errorFromXContent(BytesRestResponse.java:178)
[pod/stackstate-mm2es-6d4f8c7b9-x2kqp/mm2es] 2024-03-12T11:00:40.108237089Z \tat org.elasticsearch.client.RestHighLevelClient.parseResponseException(RestHighLevelClient.java:2461)
[pod/stackstate-mm2es-6d4f8c7b9-x2kqp/mm2es] 2024-03-12T11:00:45.000000000Z 2024-03-12 11:00:45,000 [main] INFO  c.s.kafkatoes.KafkaToESStats - Processed 0 messages from sts_multi_metrics in the last 60 seconds
";

/// The unexplained section's templates and counts, and the rules' (rule, line, count).
fn unexplained(v: &serde_json::Value) -> Vec<(String, u64)> {
    let list = v["unexplained"].as_array().unwrap();
    list.iter().map(|u| (u["template"].as_str().unwrap().to_string(), u["count"].as_u64().unwrap())).collect()
}

/// Cut at every few bytes, in chunks read whole and in pieces, at one and two threads: the records and split lines
/// above are judged, explained and counted as in one read of the file. A rule read on a record's line past the
/// chunk of its header explains the record, a line below a header without a time is that header's whichever chunk
/// holds it, and a split line is joined once.
#[test]
fn records_and_split_lines_at_every_cut() {
    let dir = tempfile::tempdir().unwrap();
    let (plain, cri) = (dir.path().join("plain"), dir.path().join("cri"));
    std::fs::create_dir_all(&plain).unwrap();
    std::fs::create_dir_all(&cri).unwrap();
    let plain = plain.join("stackstate-receiver.log");
    let cri = cri.join("stackstate-receiver.log");
    std::fs::write(&plain, RECORDS_ACROSS_LINES).unwrap();
    std::fs::write(&cri, CRI_PARTS).unwrap();

    let whole = report(std::slice::from_ref(&plain), 1 << 30, 1);
    let s = samples(&whole);
    assert!(s.contains(&("kafka.not-enough-replicas".to_string(), 3, None, 1)), "{s:?}");
    assert!(s.contains(&("es.flood-stage-block".to_string(), 4, Some(5), 1)), "{s:?}");
    let u = unexplained(&whole);
    assert_eq!(u.len(), 2, "{u:?}");
    assert!(u.iter().any(|(t, c)| t.starts_with("Output") && *c == 1), "{u:?}");
    assert!(u.iter().any(|(t, c)| t.contains("cannot be materialized more than once") && *c == 1), "{u:?}");

    let whole_cri = report(std::slice::from_ref(&cri), 1 << 30, 1);
    let s = samples(&whole_cri);
    assert!(s.contains(&("receiver.kafka-send-failed".to_string(), 2, None, 1)), "{s:?}");
    // The stderr line below a partial stdout line is a line of its own, not the stdout line's end.
    assert!(s.iter().any(|x| x.0 == "kafka.broker-unreachable" && x.1 == 8), "{s:?}");
    // An unknown error split into parts, over an exception line split too, is mined as the lines it is.
    let u = unexplained(&whole_cri);
    assert_eq!(u.len(), 1, "{u:?}");
    let joined = "Uncaught error while handling POST <*> | java.lang.IllegalStateException: Substream \
                  Source(EntitySource) cannot be materialized more than once";
    assert_eq!(u[0], (joined.to_string(), 1));

    let capture = dir.path().join("capture.log");
    std::fs::write(&capture, CAPTURE_FROM_A_TRACE).unwrap();
    let whole_capture = report(std::slice::from_ref(&capture), 1 << 30, 1);
    assert!(samples(&whole_capture).iter().any(|x| x.0 == "es.flood-stage-block"), "{:?}", samples(&whole_capture));
    assert!(unexplained(&whole_capture).is_empty(), "{:?}", unexplained(&whole_capture));

    for (path, want) in [(&plain, &whole), (&cri, &whole_cri), (&capture, &whole_capture)] {
        let len = std::fs::metadata(path).unwrap().len() as usize;
        for chunk in (1..len + 8).step_by(7) {
            let ctx = format!("{} chunk {chunk}", path.display());
            assert_same(&report(std::slice::from_ref(path), chunk, 1), want, &ctx);
            assert_same(&report_in_pieces(std::slice::from_ref(path), chunk, 64, 2), want, &format!("{ctx}, piece 64"));
        }
    }
}

/// ASP.NET Core's console logger: a level (`crit:`) that is none of the level literals, over an exception line that
/// holds one. The record's first line read is its exception line.
const ASPNET_CONSOLE: &str = "\
info: Microsoft.Hosting.Lifetime[14]
      Now listening on: http://[::]:8080
warn: Microsoft.AspNetCore.DataProtection.Repositories.EphemeralXmlRepository[50]
      Using an in-memory repository. Keys will not be persisted to storage.
crit: Microsoft.AspNetCore.Hosting.Diagnostics[6]
      Application startup exception
      System.InvalidOperationException: Unable to resolve service for type 'Intake.IForwarder' while attempting to \
activate 'Intake.Controllers.IntakeController'.
         at Microsoft.Extensions.DependencyInjection.ActivatorUtilities.GetService(IServiceProvider sp, Type type)
         at Microsoft.AspNetCore.Hosting.WebHost.BuildApplication()
info: Microsoft.Hosting.Lifetime[0]
      Application is shutting down...
";

/// A kafka-to-es CRI log that begins inside a stack trace on stderr: its first line heads the trace, whose first
/// line read is the partial line below (a CRI file's first line is read only when it holds a literal).
const CRI_FROM_A_TRACE: &str = "\
2024-03-12T11:00:00.048536898Z stderr F \tat org.elasticsearch.rest.BytesRestResponse.errorFromXContent(BytesRestResponse.java:178)
2024-03-12T11:00:01.064401502Z stdout F 2024-03-12 10:28:57,551 [KafkaToES-akka.actor.default-dispatcher-6] INFO  \
c.s.k.e.s.BulkIndexer - Indexed 303 documents into sts_generic_events-2024.03.12 in 156 ms
2024-03-12T11:00:08.810081856Z stderr F \tat org.elasticsearch.client.RestHighLevelClient.parseResponseException(RestHighLevelClient.java:2461)
2024-03-12T11:00:10.420331025Z stderr P co
2024-03-12T11:00:10.420331025Z stderr F m.stackstate.kafkatoes.elasticsearch.BulkIndexingFailedException: Bulk request to \
Elasticsearch failed after 1 attempt(s)
2024-03-12T11:00:11.049053571Z stdout F 2024-03-12 10:31:58,979 [KafkaToES-akka.actor.default-dispatcher-15] INFO  \
c.s.k.e.s.BulkIndexer - Indexed 12 documents into sts_topo_events-2024.03.12 in 20 ms
";

/// A record is judged once, by the chunk whose search reads its first line read (as one read judges it), wherever
/// its header is: also when the header lies in the chunk before, which read none of its lines.
#[test]
fn a_record_is_judged_once_by_the_chunk_that_reads_it_first() {
    let dir = tempfile::tempdir().unwrap();
    let aspnet = dir.path().join("aspnet").join("intake-proxy.log");
    let cri = dir.path().join("cri").join("kafka-to-es.log");
    for (path, text) in [(&aspnet, ASPNET_CONSOLE), (&cri, CRI_FROM_A_TRACE)] {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let whole = report(std::slice::from_ref(&aspnet), 1 << 30, 1);
    let u = unexplained(&whole);
    assert_eq!(u.len(), 2, "{u:?}");
    assert!(
        u.iter().any(|(t, c)| t.contains("| System.InvalidOperationException: Unable to resolve") && *c == 1),
        "{u:?}"
    );
    let whole_cri = report(std::slice::from_ref(&cri), 1 << 30, 1);
    let u = unexplained(&whole_cri);
    assert_eq!(u.len(), 1, "{u:?}");
    assert!(u[0].0.contains("Bulk request to Elasticsearch failed") && u[0].1 == 1, "{u:?}");
    for (path, want) in [(&aspnet, &whole), (&cri, &whole_cri)] {
        let len = std::fs::metadata(path).unwrap().len() as usize;
        for chunk in (1..len + 8).step_by(5) {
            let ctx = format!("{} chunk {chunk}", path.display());
            assert_same(&report(std::slice::from_ref(path), chunk, 1), want, &ctx);
            assert_same(&report_in_pieces(std::slice::from_ref(path), chunk, 64, 2), want, &format!("{ctx}, piece 64"));
        }
    }
}

/// A stack trace longer than the record bounds (64 KiB, reached before their 512 lines), with a failure kind near
/// its end: the walk back from that line stops at the bounds, in one read and in a chunk that begins at that line
/// (whose look-behind begins inside the trace) alike, so the record is counted in `scan.records_cut` once. A
/// kafka-to-es retry loop that printed its frames over and over, then its usual lines (enough of them that the
/// chunks near the failure are whole ones, not the plan's finer tail).
#[test]
fn a_trace_longer_than_the_bounds_is_cut_wherever_chunks_begin() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kafkaMultiMetricsToES.log");
    let mut text = String::from(
        "2024-03-12 12:06:52,761 [KafkaToES-akka.actor.default-dispatcher-18] ERROR c.s.k.e.s.BulkIndexer - \
         Bulk request failed for 500 documents\n",
    );
    let mut n = 0;
    while text.len() < 90 * 1024 {
        text.push_str(&format!(
            "\tat com.stackstate.kafkatoes.elasticsearch.BulkIndexer$$anonfun$flush$2$$anonfun$apply$7\
             $$anonfun$apply$8.applyOrElse(BulkIndexer.scala:{n}) ~[stackstate-kafka-to-es-5.1.7.jar:5.1.7]\n"
        ));
        n += 1;
    }
    let at = text.len();
    text.push_str(
        "Caused by: org.elasticsearch.ElasticsearchStatusException: Elasticsearch exception \
         [type=cluster_block_exception, reason=index [sts_multi_metrics-2024.03.12] blocked by: \
         [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];]\n",
    );
    while text.len() < 300 * 1024 {
        text.push_str(&format!(
            "2024-03-12 12:08:{:02},500 [KafkaToES-akka.actor.default-dispatcher-3] INFO  c.s.k.e.s.BulkIndexer - \
             Indexed 250 documents into sts_multi_metrics-2024.03.12 in 31 ms\n",
            n % 60
        ));
        n += 1;
    }
    std::fs::write(&path, &text).unwrap();
    let whole = report(std::slice::from_ref(&path), 1 << 30, 1);
    assert_eq!(whole["scan"]["records_cut"], 1, "{}", whole["scan"]);
    assert!(samples(&whole).iter().any(|x| x.0 == "es.flood-stage-block"), "{:?}", samples(&whole));
    // Chunks that begin at the failure's line (a cut before it moves to the line's start) or a little before it,
    // and others.
    let near = (1..=4).map(|k| at / k).chain((0..400).step_by(37).map(|d| at - d));
    for chunk in near.chain((8192..at + 8192).step_by(9973)) {
        let ctx = format!("chunk {chunk}");
        assert_same(&report(std::slice::from_ref(&path), chunk, 1), &whole, &ctx);
        assert_same(
            &report_in_pieces(std::slice::from_ref(&path), chunk, 8192, 2),
            &whole,
            &format!("{ctx}, piece 8192"),
        );
    }
}

/// A stream's block ends where the lines below its last record are in its buffer, as a file's chunk does: a
/// fallback on a header gives way to the failure kind read in the stack trace below it, and a record is judged
/// with its exception line, whichever block holds the lines below. Stack traces of kafka-to-es and the receiver,
/// shifted by a line each copy so that some record straddles every block boundary.
#[test]
fn stream_blocks_see_the_records_below_their_end() {
    let dir = tempfile::tempdir().unwrap();
    let log = fixture("linux/opt/stackstate/var/log");
    let mut seed = std::fs::read(log.join("kafka-to-es/kafkaMultiMetricsToES.log")).unwrap();
    seed.extend_from_slice(RECORDS_ACROSS_LINES.as_bytes());
    let mut text = Vec::new();
    let mut i = 0;
    while text.len() < 1200 * 1024 {
        for k in 0..=i % 7 {
            let pad = format!("2024-03-12 10:00:00,{:03} [main] INFO  a.b.C - padding {i} {k}\n", i % 1000);
            text.extend_from_slice(pad.as_bytes());
        }
        text.extend_from_slice(&seed);
        i += 1;
    }
    let (plain, packed) = plain_and_packed(dir.path());
    write_both(&plain, &packed, "kafkaMultiMetricsToES.log", &text);
    let file = report(std::slice::from_ref(&plain), 1 << 30, 1);
    for threads in [1, 2] {
        // 256 KiB chunks: 64 KiB stream blocks, about twenty of them.
        let stream = report(std::slice::from_ref(&packed), 256 * 1024, threads);
        assert_eq!(samples(&stream), samples(&file));
        assert_eq!(stream["scan"]["matches"], file["scan"]["matches"]);
        assert_eq!(unexplained(&stream), unexplained(&file));
    }
}

/// Fixture mixes cut at random: runs of the real-case and example-tree lines (with a line cut short, a `\r`, a stack
/// frame dropped in now and then), in a few files named after components, every third one a kubectl capture of
/// three interleaving pods and every third a containerd file with lines split in parts, scanned in random chunk
/// and piece sizes at one to three threads, and as .gz streams, give the report of one read. Seeded: a failure
/// names its seed.
#[test]
fn random_cuts_of_fixture_mixes() {
    let mut lines: Vec<String> = Vec::new();
    let mut logs: Vec<PathBuf> = Vec::new();
    for dir in [fixture("real"), fixture("linux/opt/stackstate/var/log")] {
        let mut stack = vec![dir];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "log") {
                    logs.push(p);
                }
            }
        }
    }
    logs.sort();
    for p in logs {
        let text = String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
        lines.extend(text.lines().filter(|l| !l.is_empty()).map(String::from));
    }
    let names = ["stackstate-receiver.log", "kafka-to-es-mm2es.log", "elasticsearch.log", "agent.log", "x.log"];
    let pods = [
        "[pod/stackstate-receiver-5b9d79db86-h2hkz/receiver]",
        "[pod/stackstate-mm2es-6d4f8c7b9-x2kqp/mm2es]",
        "[pod/stackstate-kafka-0/kafka]",
    ];
    for seed in 1..=48u64 {
        let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let dir = tempfile::tempdir().unwrap();
        let (plain, packed) = plain_and_packed(dir.path());
        let mut paths = Vec::new();
        for f in 0..1 + r.below(3) {
            let (start, n) = (r.below(lines.len()), 20 + r.below(if seed % 4 == 0 { 1500 } else { 400 }));
            let mut text = String::new();
            for k in 0..n {
                let at = if r.below(10) == 0 { r.below(lines.len()) } else { (start + k) % lines.len() };
                let mut l = lines[at].clone();
                match r.below(40) {
                    0 => l.push('\r'),
                    1 => {
                        let mut cut = r.below(l.len().max(1));
                        while !l.is_char_boundary(cut) {
                            cut -= 1;
                        }
                        l.truncate(cut);
                    }
                    2 => l = format!("\tat com.stackstate.x.Y.z(Y.scala:{})", r.below(99)),
                    _ => {}
                }
                if seed % 3 == 1 {
                    // A containerd (CRI) file: a line now and then split in parts at random places, now and then
                    // with a line of the other stream between them.
                    let stream = if r.below(6) == 0 { "stderr" } else { "stdout" };
                    let other = if stream == "stdout" { "stderr" } else { "stdout" };
                    let ts = format!("2024-03-12T11:{:02}:{:02}.{:09}Z", k / 60 % 60, k % 60, r.below(1 << 29));
                    let mut rest = l.as_str();
                    while rest.len() > 20 && r.below(3) == 0 {
                        let mut cut = 1 + r.below(rest.len() - 1);
                        while !rest.is_char_boundary(cut) {
                            cut -= 1;
                        }
                        if cut == 0 {
                            break;
                        }
                        text.push_str(&format!("{ts} {stream} P {}\n", &rest[..cut]));
                        rest = &rest[cut..];
                        if r.below(8) == 0 {
                            text.push_str(&format!(
                                "{ts} {other} F 2024-03-12 11:00:00,000 INFO  x.Y - other stream\n"
                            ));
                        }
                    }
                    text.push_str(&format!("{ts} {stream} F {rest}\n"));
                    continue;
                }
                if seed % 3 == 0 {
                    // A kubectl capture with --prefix --timestamps: runs of one pod's lines, now and then another's.
                    let pod = pods[if r.below(4) == 0 { r.below(3) } else { (k / 7) % 3 }];
                    text.push_str(&format!(
                        "{pod} 2024-03-12T11:{:02}:{:02}.{:09}Z ",
                        k / 60 % 60,
                        k % 60,
                        r.below(1 << 29)
                    ));
                }
                text.push_str(&l);
                text.push('\n');
            }
            let name = format!("{}-{f}", names[r.below(names.len())]);
            write_both(&plain, &packed, &name, text.as_bytes());
            paths.push(plain.join(&name));
        }
        let want = report(&paths, 1 << 30, 1);
        for _ in 0..3 {
            let (chunk, threads) = (64 + r.below(3000), 1 + r.below(3));
            let piece = chunk.max(64 + r.below(5000));
            let ctx = format!("seed {seed}, chunk {chunk}, piece {piece}, threads {threads}");
            assert_same(&report_in_pieces(&paths, chunk, piece, threads), &want, &ctx);
        }
        // 64 KiB stream blocks: the same samples, counts and unexplained records.
        let stream = report(std::slice::from_ref(&packed), 256 * 1024, 2);
        let whole = report(std::slice::from_ref(&plain), 1 << 30, 1);
        assert_eq!(samples(&stream), samples(&whole), "seed {seed}, .gz");
        assert_eq!(unexplained(&stream), unexplained(&whole), "seed {seed}, .gz");
    }
}
