//! The errors and warnings no rule explains: the report's section (text, JSON, NDJSON) on the fixtures, what is
//! mined in each layout, the same templates whatever the threads and chunks, the template cap under adversarial
//! input, memory with a million distinct error lines, and tail mode's `unexplained` events (once, across
//! restarts, with the same templates as an uninterrupted run).

use crate::follow::{spawn_ready, Follower, Mode};
use crate::util::*;
use serde_json::Value;
use stackscan::correlate::unexplained::top;
use stackscan::{discover, Pack, ScannerBuilder};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn unexplained(report: &Value) -> &Vec<Value> {
    report["unexplained"].as_array().expect("an unexplained array")
}

/// A receiver log of records no rule knows: `n` requests aborted by an exception (Akka's, a body read twice), with
/// their stack traces, among INFO lines.
fn aborted_log(n: u64) -> String {
    let mut s = String::new();
    for i in 0..n {
        let t = format!("2024-03-12 15:{:02}:{:02},{:03}", 31 + i, (i * 17) % 60, i * 7 % 1000);
        s.push_str(&format!("{t} [StsReceiver-akka.actor.default-dispatcher-3] INFO  c.s.receiver.intake.IntakeStatistics - Processed {} messages\n", 1000 + i));
        s.push_str(&format!("{t} [StsReceiver-akka.actor.default-dispatcher-{}] ERROR c.s.receiver.intake.IntakeRoutes - Uncaught error while handling POST /stsAgent/intake/ from 10.1.2.{}, request aborted\n", 3 + i, 10 + i));
        s.push_str("java.lang.IllegalStateException: Substream Source(EntitySource) cannot be materialized more than once\n\tat akka.stream.impl.fusing.SubSource$$anon$13.setCB(StreamOfStreams.scala:812)\n\tat akka.dispatch.Mailbox.run(Mailbox.scala:231)\n");
    }
    s
}

/// A temporary directory holding `text` as `<component>/<file>`.
fn log_dir(component: &str, file: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join(component);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join(file), text).unwrap();
    dir
}

fn receiver_dir(text: &str) -> tempfile::TempDir {
    log_dir("stackstate-receiver", "stackstate-receiver.log", text)
}

/// The chunkings the scan must agree across: (threads, chunk size), down to chunks of a few lines.
const CHUNKINGS: [(usize, usize); 7] =
    [(1, 8 << 20), (2, 8 << 20), (2, 256 << 10), (1, 64 << 10), (2, 48 << 10), (2, 4096), (1, 777)];

/// A scan of `inputs` at `threads` threads in chunks of `chunk` bytes.
fn scan_chunked(pack: &Arc<Pack>, inputs: &[stackscan::Input], threads: usize, chunk: usize) -> stackscan::ScanState {
    let mut b = ScannerBuilder::new();
    b.threads(threads).chunk_size(chunk).read_piece(chunk.min(32 << 10));
    b.build(pack.clone()).unwrap().scan(inputs)
}

#[test]
fn the_fixture_report_lists_the_unknown_error_first() {
    let r = scan_json(["fixtures/linux"]);
    assert_eq!(r["schema_version"], 1);
    let u = unexplained(&r);
    assert!(!u.is_empty() && u.len() <= 10, "{} templates listed", u.len());
    let aborted = &u[0];
    assert_eq!(
        aborted["template"],
        "Uncaught error while handling POST <*> from <*>, request aborted | java.lang.IllegalStateException: Substream Source(EntitySource) cannot be materialized more than once"
    );
    assert_eq!((aborted["level"].as_str(), aborted["component"].as_str()), (Some("error"), Some("receiver")));
    assert_eq!((aborted["count"].as_u64(), aborted["files"].as_u64()), (Some(6), Some(1)));
    assert_eq!(aborted["first_seen"], "2024-03-12T15:31:09.818Z");
    assert_eq!(aborted["bursts"], false);
    assert_eq!(aborted["peak"]["window_s"], 60);
    assert!(aborted["id"].as_str().unwrap().len() == 16);
    let samples = aborted["samples"].as_array().unwrap();
    assert_eq!(samples.len(), 3);
    assert_eq!(sample_at(&samples[0]), ("stackstate-receiver.log".to_string(), 1970, Some(1971)));
    assert_eq!(
        samples[0]["matched_text"],
        "java.lang.IllegalStateException: Substream Source(EntitySource) cannot be materialized more than once"
    );
    // Ranked by level, then count: no warning before an error.
    let rank = |v: &Value| match v["level"].as_str() {
        Some("fatal") => 3,
        Some("error") | None => 2,
        Some("warn") => 1,
        _ => 0,
    };
    assert!(u.windows(2).all(|w| (rank(&w[0]), w[0]["count"].as_u64()) >= (rank(&w[1]), w[1]["count"].as_u64())));
    // The JVM pause warnings of two components are two templates.
    let pauses: Vec<&Value> =
        u.iter().filter(|v| v["template"].as_str().unwrap().starts_with("Detected pause in JVM")).collect();
    assert_eq!(pauses.len(), 2, "{pauses:#?}");
    // Totals in `scan`, and nothing explained by a rule among them.
    let listed: u64 = u.iter().map(|v| v["count"].as_u64().unwrap()).sum();
    assert!(r["scan"]["unexplained_records"].as_u64().unwrap() >= listed);
    assert_eq!(r["scan"]["unexplained_evicted"], 0);
    for t in u {
        let text = t["template"].as_str().unwrap();
        assert!(!text.contains("cluster_block_exception") && !text.contains("could not be established"), "{text}");
    }
    // Hidden with --unexplained 0, the incidents unchanged.
    let none = scan_json(["--unexplained", "0", "fixtures/linux"]);
    assert_eq!(unexplained(&none).len(), 0);
    assert_eq!(none["scan"]["unexplained_records"], 0);
    assert_eq!(none["incidents"], r["incidents"]);
    let two = scan_json(["--unexplained", "2", "fixtures/linux"]);
    assert_eq!(unexplained(&two)[..], u[..2]);
}

#[test]
fn no_known_problem_says_what_no_rule_explains() {
    let dir = receiver_dir(&aborted_log(3));
    let o = run(["scan", "--color", "never", dir.path().to_str().unwrap()]);
    let text = stdout(&o);
    assert!(
        text.contains(
            "No known StackState telemetry problem found in these logs, but 3 records at WARN or above (3 at ERROR or \
             above) match no rule: see the unexplained errors and warnings below."
        ),
        "{text}"
    );
    let section = text.split("Unexplained errors and warnings").nth(1).expect("the section");
    assert!(section.contains("ERROR     Uncaught error while handling POST <*> from <*>, request aborted | java.lang.IllegalStateException: Substream Source(EntitySource) cannot be materialized more than once"), "{section}");
    assert!(section.contains("3 records in 1 file"), "{section}");
    assert!(section.contains("component   receiver"), "{section}");
    assert!(section.contains("stackstate-receiver.log:2\n"), "{section}");
    assert!(section.contains("↳ line 3: java.lang.IllegalStateException: Substream Source(EntitySource) cannot be materialized more than once"), "{section}");
    let o = run(["scan", "--color", "never", "--unexplained", "0", dir.path().to_str().unwrap()]);
    let text = stdout(&o);
    assert!(text.ends_with("\nNo known StackState telemetry problem found in these logs.\n"), "{text}");
    assert!(!text.contains("Unexplained"), "{text}");
    // NDJSON: an unexplained event per template, before the summary.
    let o = run(["scan", "--format", "ndjson", dir.path().to_str().unwrap()]);
    let events: Vec<Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(events.iter().map(|e| e["event"].as_str().unwrap()).collect::<Vec<_>>(), ["unexplained", "summary"]);
    assert_eq!(events[0]["template"]["count"], 3);
    assert_eq!(events[1]["scan"]["unexplained_records"], 3);
}

/// One record at ERROR in each layout stackscan reads, none of which a rule knows, beside INFO lines and
/// ERROR words outside headers: each is mined, with its level, and nothing else.
#[test]
fn every_layout_is_mined() {
    let dir = tempfile::tempdir().unwrap();
    let w = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    let msg = "frobnicator reactor 7 overheated";
    w("stackstate-receiver/stackstate-receiver.log", &format!(
        "2024-03-12 10:00:00,001 [main] ERROR c.s.r.Reactor - {msg}\n2024-03-12 10:00:01,001 [main] INFO  c.s.r.Reactor - state=ERROR for job 5\n2024-03-12 10:00:02,001 WARN  c.s.r.Reactor - {msg}\n"));
    w("kafka/server.log", &format!("[2024-03-12 10:00:00,001] ERROR [Broker id=0] {msg} (kafka.server.Reactor)\n"));
    w("zookeeper/zookeeper.log", &format!("2024-03-12 10:00:00,200 [myid:1] - ERROR [main:Reactor@12] - {msg}\n"));
    w("elasticsearch7/stackstate.log", &format!("[2024-03-12T10:00:00,001][ERROR][o.e.r.Reactor] [node-1] {msg}\n"));
    // Another node's JSON log: its plain twin is not among the inputs, so it is read (a twin beside its plain log
    // is not: the same events).
    w("elasticsearch7-node2/stackstate_server.json", &format!("{{\"type\": \"server\", \"timestamp\": \"2024-03-12T10:00:00,001Z\", \"level\": \"ERROR\", \"component\": \"o.e.r.Reactor\", \"message\": \"{msg}\"}}\n"));
    w("elasticsearch8/ecs.json", &format!("{{\"@timestamp\":\"2024-03-12T10:00:00.001Z\", \"log.level\": \"ERROR\", \"message\":\"{msg}\", \"ecs.version\": \"1.2.0\", \"service.name\":\"elasticsearch\"}}\n"));
    w(
        "stackstate-agent/agent.log",
        &format!("2024-03-12 10:00:00 UTC | CORE | ERROR | (pkg/r/reactor.go:12 in Run) | {msg}\n"),
    );
    w("captures/kubelet.log", &format!("I0312 10:00:00.000001       1 reactor.go:11] starting\nE0312 10:00:00.000002       1 reactor.go:12] {msg}\n"));
    w("captures/go-service.log", &format!("time=\"2024-03-12T10:00:00Z\" level=error msg=\"{msg}\"\n"));
    // logrus on a terminal: `ERRO[seconds]`, found by its `ERRO` (an INFO line beside it is not a candidate).
    w("captures/go-tty.log", &format!("INFO[0000] reactor starting\nERRO[0051] {msg}\n"));
    w(
        "captures/journal.json",
        &format!("{{\"PRIORITY\":\"3\",\"SYSLOG_IDENTIFIER\":\"reactor\",\"MESSAGE\":\"{msg}\"}}\n"),
    );
    w("captures/stderr.log", "Exception in thread \"main\" java.lang.IllegalStateException: reactor gone\n\tat com.x.Reactor.run(Reactor.java:12)\n");
    let r = scan_json([dir.path().to_str().unwrap()]);
    let u = unexplained(&r);
    let find = |t: &str| u.iter().filter(|v| v["template"].as_str() == Some(t)).collect::<Vec<_>>();
    let reactor: u64 = find("frobnicator reactor <*> overheated").iter().map(|v| v["count"].as_u64().unwrap()).sum();
    assert_eq!(reactor, 11, "{u:#?}");
    // Kafka's layout ends its message with the logger.
    assert_eq!(find("frobnicator reactor <*> overheated (kafka.server.Reactor)")[0]["component"], "kafka");
    let receiver =
        find("frobnicator reactor <*> overheated").into_iter().find(|v| v["component"] == "receiver").unwrap();
    assert_eq!(
        (receiver["count"].as_u64(), receiver["level"].as_str()),
        (Some(2), Some("error")),
        "WARN and ERROR, one template"
    );
    let stderr = find("Exception in thread \"main\" java.lang.IllegalStateException: reactor gone");
    assert_eq!(stderr.len(), 1, "{u:#?}");
    assert_eq!(stderr[0]["level"], Value::Null, "an exception without a level");
    assert_eq!(r["scan"]["unexplained_records"], 13, "nothing else: {u:#?}");
}

/// Crashes other runtimes print without a level: a Python traceback (its exception line last, a builtin without a
/// module), Node's uncaught `Error:` and a Go panic above its goroutines. Each is mined; a panic or an exception
/// named inside an INFO record or in the middle of a line is not.
#[test]
fn crashes_without_a_level_are_mined() {
    let dir = tempfile::tempdir().unwrap();
    let w = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    w("python.log", "Traceback (most recent call last):\n  File \"/app/reactor.py\", line 12, in <module>\n    run()\nValueError: reactor state unknown\n");
    w("node.log", "Error: reactor state unknown\n    at Object.<anonymous> (/app/index.js:3:7)\n    at node:internal/main/run_main_module:28:49\n");
    w(
        "go.log",
        "panic: reactor state unknown\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:10 +0x1d\nexit status 2\n",
    );
    w("quiet.log", "2024-03-12 10:00:00,001 INFO  c.s.r.Reactor - recovered from panic: reactor state unknown\nthe ValueError: was handled\n");
    let r = scan_json([dir.path().to_str().unwrap()]);
    let u = unexplained(&r);
    let got: Vec<(&str, &Value, u64)> =
        u.iter().map(|v| (v["template"].as_str().unwrap(), &v["level"], v["count"].as_u64().unwrap())).collect();
    assert_eq!(
        got,
        [("reactor state unknown", &Value::from("fatal"), 2), ("ValueError: reactor state unknown", &Value::Null, 1)],
        "{u:#?}"
    );
    assert_eq!(r["scan"]["unexplained_records"], 3);
}

/// What is mined depends on the lines, not on which of them the search reads again: a CRI line below a split CRI
/// line in a file read line by line (its CRI lines are too few to read it as a CRI file) is the tail of the INFO
/// line it continues, not an error of its own; a journald JSON line's level is its own `PRIORITY` whatever precedes
/// the object (a no-break space here) and whichever line of the same words the scan read first, also when
/// `--since` leaves that line out.
#[test]
fn a_split_line_tail_and_a_priority_are_read_as_their_lines_say() {
    let dir = tempfile::tempdir().unwrap();
    let tail = dir.path().join("app.log");
    std::fs::write(
        &tail,
        "2024-03-12 10:00:00,000 INFO  app - starting\n2024-03-12 10:00:01,000 INFO  app - ready\n\
         2024-03-12T10:01:00.000000000Z stdout P 2024-03-12 10:01:00,000 INFO  app - long line, part one\n\
         2024-03-12T10:01:00.000000000Z stdout F 2024-03-12 10:01:01,000 ERROR app - the part after\n",
    )
    .unwrap();
    let r = scan_json([tail.to_str().unwrap()]);
    assert_eq!(r["scan"]["unexplained_records"], 0, "{:#?}", unexplained(&r));
    let journal = dir.path().join("journal.log");
    std::fs::write(
        &journal,
        "2024-03-12T09:00:00.000000000Z \u{a0}{\"PRIORITY\":\"3\",\"MESSAGE\":\"disk ERROR on sda\"}\n\
         2024-03-12T11:00:00.000000000Z \u{a0}{\"PRIORITY\":\"6\",\"MESSAGE\":\"disk ERROR on sda\"}\n",
    )
    .unwrap();
    let r = scan_json([journal.to_str().unwrap()]);
    let counts: Vec<u64> = unexplained(&r).iter().map(|v| v["count"].as_u64().unwrap()).collect();
    assert_eq!(counts, [1], "only PRIORITY 3 is an error: {:#?}", unexplained(&r));
    let r = scan_json(["--since", "2024-03-12T10:00:00Z", journal.to_str().unwrap()]);
    assert_eq!(r["scan"]["unexplained_records"], 0, "PRIORITY 6 is info: {:#?}", unexplained(&r));
}

/// A Python traceback under the record that logged it is part of that record (its opening line continues the
/// record, its frames are indented, a qualified exception line ends it): one record, mined as its message and its
/// exception, its sample at the header's line. A crash printed below an INFO line ends with an unqualified exception
/// line, which opens a record of its own and is mined.
#[test]
fn a_python_traceback_is_part_of_its_record() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("worker.log"),
        "2024-03-12 10:00:00,001 INFO  worker.main - polling\n\
         2024-03-12 10:00:00,002 ERROR worker.sync - Sync of batch 7 failed\n\
         Traceback (most recent call last):\n  File \"/app/sync.py\", line 5, in run\n    raise SyncFailed(batch)\n\
         worker.errors.SyncFailed: batch 7\n\
         2024-03-12 10:00:01,000 INFO  worker.main - polling\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("stderr.log"),
        "2024-03-12 10:00:00,000 INFO  app.main - starting\n\
         Traceback (most recent call last):\n  File \"/app/main.py\", line 9, in <module>\n    main()\n\
         PermissionError: [Errno 13] Permission denied: '/data'\n",
    )
    .unwrap();
    let r = scan_json([dir.path().to_str().unwrap()]);
    let u = unexplained(&r);
    let got: Vec<(&str, u64)> =
        u.iter().map(|v| (v["template"].as_str().unwrap(), v["count"].as_u64().unwrap())).collect();
    assert!(got.contains(&("Sync of batch <*> failed | worker.errors.SyncFailed: batch <*>", 1)), "{u:#?}");
    assert!(got.contains(&("PermissionError: [Errno <*>] Permission denied: '<*>'", 1)), "{u:#?}");
    assert_eq!(r["scan"]["unexplained_records"], 2, "{u:#?}");
    let sample = &u.iter().find(|v| v["template"].as_str().unwrap().starts_with("Sync")).unwrap()["samples"][0];
    assert!(sample["path"].as_str().unwrap().ends_with("worker.log"), "{sample:#}");
    assert_eq!((&sample["line"], &sample["matched_line"]), (&Value::from(2), &Value::from(6)), "{sample:#}");
}

/// The trace-agent names its component `TRACE`, a level word: its errors are read at the level after it.
#[test]
fn trace_agent_errors_are_mined_at_their_level() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("trace-agent.log"),
        "2020-02-12 08:51:09 UTC | TRACE | INFO | (pkg/trace/info/stats.go:104 in LogStats) | No data received\n\
         2020-02-12 08:51:19 UTC | TRACE | ERROR | (pkg/trace/writer/trace.go:231 in flush) | failed to flush trace payload: host unknown\n\
         2020-02-12 08:52:19 UTC | TRACE | WARN | (pkg/trace/writer/trace.go:231 in flush) | retrying trace payload\n",
    )
    .unwrap();
    let r = scan_json([dir.path().to_str().unwrap()]);
    let got: Vec<(&str, &str)> =
        unexplained(&r).iter().map(|v| (v["template"].as_str().unwrap(), v["level"].as_str().unwrap())).collect();
    assert_eq!(got, [("failed to flush trace payload: host unknown", "error"), ("retrying trace payload", "warn")]);
}

/// The templates of a state, as compared: everything a report shows of them.
fn summary(state: &stackscan::ScanState) -> Vec<String> {
    top(state, usize::MAX)
        .into_iter()
        .map(|v| {
            let samples: Vec<(String, u64)> = v.samples.iter().map(|s| (s.path.clone(), s.line)).collect();
            format!(
                "{:?} {:?} {} x{} {:?}..{:?} files={} {:?} {samples:?}",
                v.component, v.level, v.template, v.count, v.first_seen, v.last_seen, v.files, v.examples
            )
        })
        .collect()
}

#[test]
fn the_same_templates_whatever_the_threads_and_chunks() {
    let pack = Arc::new(Pack::embedded().unwrap());
    let (inputs, _, _) = discover(&[fixture("linux")], &Default::default());
    let mut first: Option<Vec<String>> = None;
    for (threads, chunk) in CHUNKINGS {
        let got = summary(&scan_chunked(&pack, &inputs, threads, chunk));
        assert!(got.len() >= 6, "{got:#?}");
        match &first {
            None => first = Some(got),
            Some(f) => assert_eq!(&got, f, "{threads} threads, chunks of {chunk} bytes"),
        }
    }
}

/// A kafka-to-es log where WARN headers are followed by an exception line: one a rule knows (the index block,
/// on the exception line alone), one no rule knows, or none; INFO lines between.
fn bulk_warnings(n: u64) -> (String, u64, u64) {
    let (mut s, mut known, mut unknown) = (String::new(), 0, 0);
    for i in 0..n {
        let t = format!("2024-03-12 14:{:02}:{:02},{:03}", 10 + i / 60, i % 60, i * 7 % 1000);
        let head = format!("{t} [KafkaToES-akka.actor.default-dispatcher-{}] WARN  c.s.k.e.s.BulkIndexer -", i % 9);
        s.push_str(&format!(
            "{t} [KafkaToES-akka.actor.default-dispatcher-1] INFO  c.s.k.e.s.BulkIndexer - Indexed {} documents\n",
            100 + i
        ));
        match i % 3 {
            0 => {
                known += 1;
                s.push_str(&format!("{head} Bulk request failed, retrying\n"));
                s.push_str("org.elasticsearch.cluster.block.ClusterBlockException: blocked by: [FORBIDDEN/12/index read-only / allow delete (api)];\n");
                s.push_str("\tat org.elasticsearch.cluster.block.ClusterBlocks.globalBlockedException(ClusterBlocks.java:190)\n");
            }
            1 => {
                unknown += 1;
                s.push_str(&format!("{head} Batch handler gave up\n"));
                s.push_str(&format!(
                    "java.lang.IllegalStateException: handler state corrupted after {} attempts\n",
                    i % 5
                ));
                s.push_str("\tat com.stackstate.kafka.es.BulkIndexer.run(BulkIndexer.scala:88)\n");
            }
            _ => s.push_str(&format!("{head} Slow bulk response: {} ms\n", 900 + i)),
        }
    }
    (s, known, unknown)
}

#[test]
fn an_exception_line_a_rule_knows_explains_its_record_in_any_chunking() {
    // A record's exception line is visited for its level literal (`Exception`) and searched for the rules'
    // literals: one a rule knows explains its record, wherever the chunks cut.
    let (text, known, unknown) = bulk_warnings(300);
    let dir = log_dir("kafka-to-es", "kafkaMultiMetricsToES.log", &text);
    let pack = Arc::new(Pack::embedded().unwrap());
    let (inputs, _, _) = discover(&[dir.path().to_path_buf()], &Default::default());
    let mut first: Option<Vec<String>> = None;
    for (threads, chunk) in CHUNKINGS {
        let state = scan_chunked(&pack, &inputs, threads, chunk);
        assert_eq!(state.stats.matches, known, "{threads} threads, chunks of {chunk} bytes");
        let listed = top(&state, usize::MAX);
        assert!(listed.iter().all(|v| !v.template.contains("ClusterBlockException")), "{:#?}", summary(&state));
        let gave_up = listed.iter().find(|v| v.template.contains("IllegalStateException")).expect("mined");
        assert_eq!(gave_up.count, unknown, "{threads} threads, chunks of {chunk} bytes");
        let got = summary(&state);
        match &first {
            None => first = Some(got),
            Some(f) => assert_eq!(&got, f, "{threads} threads, chunks of {chunk} bytes"),
        }
    }
}

/// Lines of distinct templates (distinct words where events are named), at ERROR.
fn distinct_errors(n: usize, seed: u64) -> String {
    let mut x = seed;
    let mut word = move || {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (0..5).map(|k| (b'A' + ((x >> (8 * k + 11)) % 26) as u8) as char).collect::<String>()
    };
    (0..n)
        .map(|i| {
            format!(
                "2024-03-12 10:{:02}:{:02},{:03} [main] ERROR c.s.r.Handler - {} failed while {} {}\n",
                i / 60_000 % 60,
                i / 1000 % 60,
                i % 1000,
                word(),
                word().to_lowercase(),
                i
            )
        })
        .collect()
}

#[test]
fn the_template_cap_holds_under_adversarial_input() {
    let dir = receiver_dir(&distinct_errors(5000, 9));
    let pack = Arc::new(Pack::embedded().unwrap());
    let (inputs, _, _) = discover(&[dir.path().to_path_buf()], &Default::default());
    let mut b = ScannerBuilder::new();
    b.unexplained(Some(16)).chunk_size(64 << 10).threads(2);
    let state = b.build(pack).unwrap().scan(&inputs);
    let kept: u64 = state.unexplained.templates().map(|(_, t)| t.count()).sum();
    assert!(state.unexplained.templates().count() <= 16, "at most the cap per component");
    let stats = state.unexplained.stats();
    assert!(stats.evicted_templates > 4000, "{stats:?}");
    assert_eq!(kept + stats.evicted_lines, 5000, "every record is kept or counted as evicted: {stats:?}");
    // The report says what the cap dropped.
    let o = run(["scan", "--color", "never", dir.path().to_str().unwrap()]);
    assert!(stdout(&o).contains("dropped by the per-component cap"), "{}", stdout(&o));
    // The headline counts every record no rule matched, kept or evicted.
    assert!(stdout(&o).contains("but 5,000 records at WARN or above"), "{}", stdout(&o));
}

/// The peak resident memory of a child, polled from /proc until it exits (VmHWM only grows).
fn peak_rss_kib(child: &mut std::process::Child) -> u64 {
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(s) = std::fs::read_to_string(&status) {
            if let Some(kb) = s.lines().find_map(|l| l.strip_prefix("VmHWM:")) {
                peak = peak.max(kb.trim().trim_end_matches("kB").trim().parse().unwrap_or(0));
            }
        }
        if child.try_wait().unwrap().is_some() {
            return peak;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A million distinct ERROR lines: nine in ten share a few templates (request ids, addresses and durations
/// vary), one in ten names an event no line before it named. Memory stays within the 64 MiB bound.
#[test]
fn a_million_distinct_error_lines_stay_within_64_mib() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("stackstate-receiver");
    std::fs::create_dir_all(&d).unwrap();
    let path = d.join("stackstate-receiver.log");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let reasons = ["connection reset by peer", "timeout", "upstream returned 503", "payload too large"];
    let mut x = 7u64;
    for i in 0..1_000_000u64 {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let ts = format!("2024-03-12 {:02}:{:02}:{:02},{:03}", 10 + i / 360_000, i / 6000 % 60, i / 100 % 60, i % 1000);
        if i % 10 == 0 {
            let w: String = (0..6).map(|k| (b'a' + ((x >> (5 * k + 7)) % 26) as u8) as char).collect();
            writeln!(f, "{ts} ERROR c.s.r.Handler - {} {w} subsystem failed: {i}", &w[..3].to_uppercase()).unwrap();
        } else {
            let r = reasons[(x >> 40) as usize % reasons.len()];
            writeln!(
                f,
                "{ts} ERROR c.s.r.Handler - request {i} from 10.{}.{}.7 failed after {} ms: {r}",
                x % 256,
                (x >> 8) % 256,
                (x >> 16) % 9000
            )
            .unwrap();
        }
    }
    f.flush().unwrap();
    drop(f);
    let mut child = cmd()
        .args(["scan", "--format", "json", "--threads", "2"])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || serde_json::from_reader::<_, Value>(out).unwrap());
    let peak = peak_rss_kib(&mut child);
    let r = reader.join().unwrap();
    eprintln!("a million distinct error lines: peak RSS {:.1} MiB, {}", peak as f64 / 1024.0, r["scan"]);
    assert!(peak > 0, "VmHWM was read");
    assert!(peak < 64 * 1024, "peak RSS {peak} KiB");
    let s = &r["scan"];
    let kept = s["unexplained_records"].as_u64().unwrap();
    assert_eq!(kept + s["unexplained_evicted_records"].as_u64().unwrap(), 1_000_000, "{s}");
    assert!(s["unexplained_evicted"].as_u64().unwrap() > 90_000, "{s}");
    // What is evicted is what was seen once, long ago: the templates seen all along are kept.
    assert!(kept >= 900_000, "{s}");
}

// ---------------------------------------------------------------------------------------------------------------
// Tail mode

/// An ERROR record of `message` at 14:MM:SS, with a stack trace when `trace`.
fn error_at(m: u64, s: u64, message: &str, trace: bool) -> String {
    let mut t = format!("2024-03-12 14:{m:02}:{s:02},100 [worker-{m}] ERROR c.s.r.Engine - {message}\n");
    if trace {
        t.push_str(
            "java.lang.IllegalStateException: engine stopped\n\tat com.stackstate.Engine.run(Engine.scala:42)\n",
        );
    }
    t
}

fn append(path: &Path, text: &str) {
    std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap().write_all(text.as_bytes()).unwrap();
}

fn announced(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["event"] == "unexplained")
        .map(|e| e["template"]["template"].as_str().unwrap().to_string())
        .collect()
}

fn receiver_log(dir: &Path) -> PathBuf {
    let d = dir.join("log/stackstate-receiver");
    std::fs::create_dir_all(&d).unwrap();
    d.join("stackstate-receiver.log")
}

#[test]
fn follow_announces_a_new_error_once_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let file = receiver_log(dir.path());
    let state = dir.path().join("state.json");
    let logs = dir.path().join("log");
    let logs = logs.to_str().unwrap();
    let mut f = spawn_ready(Mode::Watch, &[logs], &state);
    // The first minute of log time is the baseline.
    append(&file, &error_at(0, 0, "Scheduler 3 is lagging behind", false));
    append(&file, &error_at(0, 30, "Scheduler 4 is lagging behind", false));
    // Two minutes in: a new error, with its stack trace, and a new warning.
    append(&file, &error_at(2, 0, "Engine crashed while replaying segment 7", true));
    append(&file, "2024-03-12 14:02:05,000 [main] WARN  c.s.r.Engine - disk usage at 91%\n");
    assert!(f.wait(|ev| !announced(ev).is_empty()), "an unexplained event");
    let expect = "Engine crashed while replaying segment <*> | java.lang.IllegalStateException: engine stopped";
    append(&file, &error_at(3, 0, "Engine crashed while replaying segment 8", true));
    append(&file, &error_at(3, 10, "Index writer closed unexpectedly", false));
    assert!(f.wait(|ev| announced(ev).len() >= 2));
    let events = f.term();
    assert_eq!(announced(&events), [expect, "Index writer closed unexpectedly"], "once each, errors only");
    let e = events.iter().find(|e| e["event"] == "unexplained").unwrap();
    assert_eq!(e["template"]["component"], "receiver");
    assert_eq!(e["template"]["level"], "error");
    // A restart announces nothing twice, and a new error once.
    let mut f = spawn_ready(Mode::Watch, &[logs], &state);
    append(&file, &error_at(5, 0, "Engine crashed while replaying segment 9", true));
    append(&file, &error_at(6, 0, "Checkpoint store unreachable", false));
    assert!(f.wait(|ev| !announced(ev).is_empty()));
    std::thread::sleep(Duration::from_millis(300));
    let events = f.term();
    assert_eq!(announced(&events), ["Checkpoint store unreachable"]);
}

/// The unexplained templates of a checkpoint: (component, template text, count), from the miner's snapshot.
fn checkpoint_templates(state: &Path) -> Vec<(String, String, u64)> {
    let cp: Value = serde_json::from_slice(&std::fs::read(state).unwrap()).unwrap();
    let mut out = Vec::new();
    for m in cp["state"]["unexplained"]["miners"].as_array().unwrap() {
        let component = m[0].as_str().unwrap_or("unknown").to_string();
        for t in m[1]["templates"].as_array().unwrap() {
            let mut text = String::new();
            // Each token is saved as [class, span, separator, text].
            for (i, tok) in t["toks"].as_array().unwrap().iter().enumerate() {
                let sep = tok[2].as_str().unwrap();
                text.push_str(if i == 0 { sep.trim_start() } else { sep });
                text.push_str(if tok[0] == "var" { "<*>" } else { tok[3].as_str().unwrap() });
            }
            text.push_str(t["tail"].as_str().unwrap().trim_end());
            out.push((component.clone(), text, t["count"].as_u64().unwrap()));
        }
    }
    out.sort();
    out
}

/// Lines mined before a restart, and after it from the restored checkpoint, end in the templates (and counts) an
/// uninterrupted run makes: the miners' state is in the checkpoint.
#[test]
fn follow_templates_survive_a_restart() {
    let part = |from: u64, to: u64| -> String {
        (from..to)
            .map(|i| match i % 4 {
                0 => error_at(i / 60, i % 60, &format!("Session {i} expired for user{}", i % 9), false),
                1 => error_at(i / 60, i % 60, &format!("Queue q{} is {}% full", i % 5, i % 100), false),
                2 => error_at(i / 60, i % 60, &format!("Replay of segment {i} failed"), i % 3 == 0),
                _ => format!("2024-03-12 14:{:02}:{:02},000 [main] INFO  c.s.r.Engine - tick {i}\n", i / 60, i % 60),
            })
            .collect()
    };
    let finale = error_at(59, 0, "Final marker error written last", false);
    let run_until_marker = |logs: &str, state: &Path, from_start: bool| {
        let mut args = vec![logs];
        if from_start {
            args.insert(0, "--from-start");
        }
        let mut f: Follower = spawn_ready(Mode::Watch, &args, state);
        let end = Instant::now() + Duration::from_secs(20);
        while !f.wait(|ev| announced(ev).iter().any(|t| t.contains("Final marker"))) {
            assert!(Instant::now() < end, "the marker was announced");
        }
        f.term();
    };
    // Interrupted: part one, a restart, part two.
    let a = tempfile::tempdir().unwrap();
    let file = receiver_log(a.path());
    let state = a.path().join("state.json");
    let logs_a = a.path().join("log");
    append(&file, &part(0, 1500));
    append(&file, &error_at(40, 0, "First marker error written first", false));
    {
        let mut f = spawn_ready(Mode::Watch, &["--from-start", logs_a.to_str().unwrap()], &state);
        let end = Instant::now() + Duration::from_secs(20);
        while !f.wait(|ev| announced(ev).iter().any(|t| t.contains("First marker"))) {
            assert!(Instant::now() < end, "the first marker was announced");
        }
        f.term();
    }
    append(&file, &part(1500, 3000));
    append(&file, &finale);
    run_until_marker(logs_a.to_str().unwrap(), &state, false);
    // Uninterrupted.
    let b = tempfile::tempdir().unwrap();
    let file_b = receiver_log(b.path());
    std::fs::copy(&file, &file_b).unwrap();
    let state_b = b.path().join("state.json");
    run_until_marker(b.path().join("log").to_str().unwrap(), &state_b, true);
    let (ta, tb) = (checkpoint_templates(&state), checkpoint_templates(&state_b));
    assert!(ta.len() >= 5, "{ta:#?}");
    assert_eq!(ta, tb);
}

/// A header without a time owns no continuation lines in the scanner's framing: a rule firing on a line under it
/// fires on a record of its own. The record the miner judged from the header (the header with its first exception)
/// is explained all the same, whether the rule fired on that exception line or on a `Caused by:` further down.
#[test]
fn a_rule_on_the_exception_under_a_header_without_a_time_explains_the_record() {
    let exception = "org.apache.kafka.common.errors.TimeoutException: Disconnected from node 0 due to timeout\n";
    for header in [
        "WARN  c.e.orders.Publisher - Publishing order 7 gave up\n",
        "level=warning msg=\"publishing order 7 gave up\"\n",
        "2024-03-12 10:00:00,000 WARN  c.e.orders.Publisher - Publishing order 7 gave up\n",
    ] {
        let r = scan_json_stdin(&[], format!("{header}{exception}").as_bytes());
        assert_eq!(rule_ids(&r).into_iter().collect::<Vec<_>>(), ["kafka.client-timeout"], "{header}");
        assert_eq!(unexplained(&r).len(), 0, "{header}: {:#?}", unexplained(&r));
    }
    // The rule on a `Caused by:` below an exception no rule knows.
    let caused = format!(
        "WARN  c.e.orders.Publisher - Publishing order 7 gave up\njava.lang.IllegalStateException: closed\n\
         \tat c.e.orders.Publisher.send(Publisher.java:41)\nCaused by: {exception}"
    );
    let r = scan_json_stdin(&[], caused.as_bytes());
    assert_eq!(rule_ids(&r).into_iter().collect::<Vec<_>>(), ["kafka.client-timeout"]);
    assert_eq!(unexplained(&r).len(), 0, "{:#?}", unexplained(&r));
    // Under it, a line no rule knows is still the record's, and unexplained.
    let r = scan_json_stdin(
        &[],
        b"WARN  c.e.orders.Publisher - Publishing order 7 gave up\njava.lang.IllegalStateException: closed\n",
    );
    let u = unexplained(&r);
    assert_eq!(u.len(), 1, "{u:#?}");
    assert_eq!(u[0]["template"], "Publishing order <*> gave up | java.lang.IllegalStateException: closed");
}
