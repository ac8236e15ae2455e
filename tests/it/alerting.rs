//! Tail mode's other outputs against the real programs operators run next to it: Prometheus (Debian's
//! `prometheus`) scraping `follow --metrics`, Alertmanager (`prometheus-alertmanager`) receiving alerts through its
//! v2 API, and webhooks received by listeners written here (one that answers, one that never does).
//!
//! Every server listens on 127.0.0.1 on a port it picks itself (port 0, read back from its log) and is stopped by a
//! guard, also when an assertion fails. A missing program makes its test print a notice and pass; under CI (`CI`
//! set) it fails instead: `.ci/run` installs both packages. Waits are deadlines on the expected state, never blind
//! sleeps; Prometheus scrapes 5 to 6 seconds after it starts, whatever its interval, hence the longer ones.

use crate::follow::{env, total, Env, Follower, Mode, Writer};
use crate::util::{reap, sigterm, until, Lines};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A Debian program the test needs, or `None` with a visible notice (a failure under CI).
fn program(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join(name)).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain([PathBuf::from("/usr/bin").join(name)])
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{name} is missing and CI is set: .ci/run installs it (apt-get install prometheus prometheus-alertmanager)"
        );
        eprintln!("NOTICE: skipped: {name} is not installed (apt-get install --no-install-recommends prometheus prometheus-alertmanager)");
    }
    found
}

/// An HTTP client that never goes through a proxy (every server here is on loopback).
fn http() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .proxy(None)
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(5)))
            .build(),
    )
}

fn get(url: &str) -> Option<(u16, String)> {
    let mut r = http().get(url).call().ok()?;
    let body = r.body_mut().read_to_string().ok()?;
    Some((r.status().as_u16(), body))
}

fn get_json(url: &str) -> Option<Value> {
    get(url).filter(|(c, _)| *c == 200).and_then(|(_, b)| serde_json::from_str(&b).ok())
}

/// Prometheus or Alertmanager as a child: its own directory, port 0, the port read back from its log; stopped
/// (SIGTERM, then SIGKILL) when dropped.
struct Server {
    child: Child,
    addr: String,
    log: Lines,
    stopped: bool,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(bin: &Path, args: &[String], dir: tempfile::TempDir) -> Server {
        let mut child = Command::new(bin)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", bin.display()));
        let log = Lines::read_from(child.stderr.take().unwrap());
        // `msg="Listening on" address=127.0.0.1:35263` (a line before it names port 0).
        let addr = log.find(Duration::from_secs(15), |l| {
            l.contains("msg=\"Listening on\"")
                .then(|| l.split("address=").nth(1).map(|a| a.split_whitespace().next().unwrap_or("").to_string()))
                .flatten()
        });
        let Some(addr) = addr else {
            let _ = child.kill();
            panic!("{} did not say where it listens:\n{}", bin.display(), log.all().join("\n"));
        };
        let s = Server { child, addr, log, stopped: false, _dir: dir };
        assert!(
            until(Duration::from_secs(10), || get(&format!("{}/-/ready", s.url())).is_some_and(|(c, _)| c == 200)),
            "{} not ready:\n{}",
            bin.display(),
            s.log.all().join("\n")
        );
        s
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Prometheus scraping `target` every second.
    fn prometheus(bin: &Path, target: &str) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: stackscan\n    \
                 static_configs:\n      - targets: ['{target}']\n"
            ),
        )
        .unwrap();
        let args = vec![
            format!("--config.file={}", config.display()),
            format!("--storage.tsdb.path={}", dir.path().join("data").display()),
            "--web.listen-address=127.0.0.1:0".to_string(),
        ];
        Server::start(bin, &args, dir)
    }

    /// Alertmanager with `resolve_timeout`, listening on `addr` (`127.0.0.1:0` for any port), notifying `hook`
    /// (firing and resolved) when given.
    fn alertmanager(bin: &Path, addr: &str, resolve_timeout: &str, hook: Option<&str>) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("alertmanager.yml");
        let receiver = match hook {
            Some(url) => {
                format!("  - name: hook\n    webhook_configs:\n      - url: {url}\n        send_resolved: true\n")
            }
            None => "  - name: hook\n".to_string(),
        };
        std::fs::write(
            &config,
            format!(
                "global:\n  resolve_timeout: {resolve_timeout}\nroute:\n  receiver: hook\n  group_by: ['incident_id']\n  \
                 group_wait: 0s\n  group_interval: 1s\n  repeat_interval: 1h\nreceivers:\n{receiver}"
            ),
        )
        .unwrap();
        let args = vec![
            format!("--config.file={}", config.display()),
            format!("--storage.path={}", dir.path().join("data").display()),
            format!("--web.listen-address={addr}"),
            // Without it, Alertmanager gossips on 0.0.0.0:9094.
            "--cluster.listen-address=".to_string(),
        ];
        Server::start(bin, &args, dir)
    }

    /// A PromQL query's first value.
    fn query(&self, q: &str) -> Option<f64> {
        let mut url = format!("{}/api/v1/query?query=", self.url());
        for b in q.bytes() {
            if b.is_ascii_alphanumeric() || b"_-.".contains(&b) {
                url.push(b as char);
            } else {
                url.push_str(&format!("%{b:02X}"));
            }
        }
        let v = get_json(&url)?;
        v["data"]["result"][0]["value"][1].as_str()?.parse().ok()
    }

    /// Alertmanager's active alerts.
    fn alerts(&self) -> Vec<Value> {
        get_json(&format!("{}/api/v2/alerts", self.url())).and_then(|v| v.as_array().cloned()).unwrap_or_default()
    }

    fn stop(&mut self) {
        if !std::mem::replace(&mut self.stopped, true) {
            sigterm(&self.child);
            reap(&mut self.child, Duration::from_secs(10));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A follower with its stderr kept: the start line names the metrics port.
fn follower(e: &Env, extra: &[&str]) -> (Follower, Lines) {
    // The Elasticsearch log some tests write to is there from the start: a file in a directory made later is
    // only seen at the next listing (a new directory's watch can come after the file's first write).
    append(&es_log(e), "");
    let mut args = extra.to_vec();
    args.push(e.logs.to_str().unwrap());
    let mut cmd = Follower::command(Mode::Watch, &args, Some(&e.state));
    cmd.stderr(Stdio::piped());
    let mut f = Follower::start(cmd);
    let err = Lines::read_from(f.child.stderr.take().unwrap());
    let started = err.find(Duration::from_secs(10), |l| l.starts_with("stackscan: following").then_some(()));
    assert!(started.is_some(), "no start line: {:?}", err.all());
    (f, err)
}

/// The address of `/metrics` from the start line.
fn metrics_addr(err: &Lines) -> String {
    err.find(Duration::ZERO, |l| {
        l.split("metrics on http://").nth(1).map(|r| r.split('/').next().unwrap_or("").to_string())
    })
    .expect("the start line names the metrics address")
}

/// An Elasticsearch high-watermark line of node `node`, `n` seconds after 14:00:00: one incident per node.
fn es_line(node: &str, n: u64) -> String {
    format!(
        "[2024-03-12T14:{:02}:{:02},349][WARN ][o.e.c.r.a.DiskThresholdMonitor] [{node}] high disk watermark [90%] \
         exceeded on [Qm7dR2xkT8uYw1pLz4VbNg][{node}][/var/lib/elasticsearch/nodes/0] free: 9.9gb[9.9%], shards will \
         be relocated away from this node\n",
        n / 60,
        n % 60
    )
}

fn append(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap().write_all(text.as_bytes()).unwrap();
}

fn es_log(e: &Env) -> PathBuf {
    e.logs.join("elasticsearch7/stackstate.log")
}

fn opened(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|v| v["event"] == "opened")
        .map(|v| v["incident"]["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn prometheus_scrapes_the_series_and_sees_them_change() {
    let Some(bin) = program("prometheus") else { return };
    let e = env();
    let mut w = Writer::new();
    let (mut f, err) = follower(&e, &["--metrics", "127.0.0.1:0"]);
    let target = metrics_addr(&err);
    let prom = Server::prometheus(&bin, &target);
    w.append(&e.file, 2); // a noise line and a problem line each
    assert!(f.wait(|ev| opened(ev).len() == 1));
    let lines = r#"stackscan_read_lines_total{component="receiver"}"#;
    assert!(
        until(Duration::from_secs(20), || prom.query(lines) == Some(4.0)),
        "the first scrape: {:?}; targets: {:?}",
        prom.query(lines),
        get(&format!("{}/api/v1/targets", prom.url()))
    );
    assert_eq!(prom.query(r#"up{job="stackscan"}"#), Some(1.0));
    assert_eq!(prom.query(r#"stackscan_incidents_open{severity="warning",root_cause="kafka"}"#), Some(1.0));
    assert_eq!(prom.query(r#"sum(stackscan_incident_events_total{event="opened"})"#), Some(1.0));
    assert_eq!(prom.query("stackscan_files_followed"), Some(2.0), "the receiver log and the (empty) ES log");
    assert!(prom.query("stackscan_build_info").is_some());
    // The fixture lines are from 2024: the lag is their age.
    assert!(prom.query("stackscan_follow_lag_seconds").is_some_and(|s| s > 86_400.0));
    let meta = get_json(&format!("{}/api/v1/metadata?metric=stackscan_read_lines", prom.url())).unwrap();
    assert_eq!(meta["data"]["stackscan_read_lines"][0]["type"], "counter", "{meta}");

    // More lines: the series follow.
    w.append(&e.file, 3);
    assert!(
        until(Duration::from_secs(10), || prom.query(lines) == Some(10.0)),
        "after 6 more lines: {:?}",
        prom.query(lines)
    );
    assert!(
        until(Duration::from_secs(5), || prom
            .query(r#"sum(stackscan_incident_events_total{event="updated"})"#)
            .is_some_and(|n| n >= 1.0)),
        "updated events counted"
    );
    assert!(prom.query("stackscan_checkpoint_writes_total").is_some_and(|n| n >= 1.0));
    assert!(prom.query("stackscan_checkpoint_last_success_timestamp_seconds").is_some_and(|t| t > 1.7e9));
    assert!(prom.query("stackscan_read_bytes_total").is_some_and(|b| b > 1000.0));
    let (code, _) = get(&format!("http://{target}/-/healthy")).unwrap();
    assert_eq!(code, 200);
    f.term();
}

/// Alertmanager's view of the alert of incident `id`.
fn alert_of<'a>(alerts: &'a [Value], id: &str) -> Option<&'a Value> {
    alerts.iter().find(|a| a["labels"]["incident_id"] == id)
}

/// What Alertmanager's own webhook receiver gets: the notifications' JSON bodies.
struct Notifications {
    server: Arc<tiny_http::Server>,
    bodies: Lines,
}

impl Notifications {
    fn start() -> Notifications {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let bodies = Lines::default();
        let (s, keep) = (server.clone(), bodies.clone());
        std::thread::spawn(move || {
            while let Ok(mut r) = s.recv() {
                let mut body = String::new();
                let _ = std::io::Read::read_to_string(r.as_reader(), &mut body);
                keep.push(body.replace('\n', " "));
                let _ = r.respond(tiny_http::Response::empty(200));
            }
        });
        Notifications { server, bodies }
    }

    fn url(&self) -> String {
        format!("http://{}/", self.server.server_addr().to_ip().unwrap())
    }

    /// Whether a notification of `status` for incident `id` arrived within `deadline`.
    fn saw(&self, deadline: Duration, status: &str, id: &str) -> bool {
        self.bodies
            .find(deadline, |b| {
                let v: Value = serde_json::from_str(b).ok()?;
                v["alerts"]
                    .as_array()?
                    .iter()
                    .any(|a| a["status"] == status && a["labels"]["incident_id"] == id)
                    .then_some(())
            })
            .is_some()
    }
}

impl Drop for Notifications {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

#[test]
fn alertmanager_keeps_an_open_incident_active_and_resolves_it() {
    let Some(bin) = program("prometheus-alertmanager") else { return };
    let hook = Notifications::start();
    let am = Server::alertmanager(&bin, "127.0.0.1:0", "3s", Some(&hook.url()));
    let e = env();
    let mut w = Writer::new();
    let args =
        ["--alertmanager", &am.url(), "--alert-resolve-timeout", "3s", "--instance", "node-7", "--resolve-after", "1m"];
    let (mut f, _err) = follower(&e, &args);
    w.append(&e.file, 2);
    // The last record written waits a moment for lines below it, then joins the incident.
    assert!(f.wait(|ev| opened(ev).len() == 1 && total(ev) == 2));
    let incident = f.events.iter().rev().find(|v| v.get("incident").is_some()).unwrap()["incident"].clone();
    let id = incident["id"].as_str().unwrap();
    let both = |a: &Value| a["annotations"]["summary"].as_str().is_some_and(|s| s.starts_with("2 records"));
    assert!(
        until(Duration::from_secs(10), || alert_of(&am.alerts(), id).is_some_and(both)),
        "no alert for {id} with both records"
    );
    let alerts = am.alerts();
    let a = alert_of(&alerts, id).unwrap();
    assert_eq!(a["status"]["state"], "active");
    let labels = &a["labels"];
    assert_eq!(labels["alertname"], "StackscanIncident");
    assert_eq!(labels["severity"], incident["severity"]);
    assert_eq!(labels["family"], incident["family"]);
    assert_eq!(labels["root_cause"], "kafka");
    assert_eq!(labels["instance"], "node-7");
    assert_eq!(a["startsAt"], incident["first_seen"], "the problem started then (log time)");
    let notes = &a["annotations"];
    assert_eq!(notes["title"], incident["title"]);
    assert!(notes["summary"].as_str().unwrap().starts_with("2 records from 2024-03-12T14:00:00.526Z"), "{notes}");
    assert!(notes["evidence"].as_str().unwrap().contains("stackstate-receiver.log:2: 2024-03-12 14:00:00,526 WARN"));
    assert_eq!(notes["next_step"], incident["next_steps"][0]);
    assert!(hook.saw(Duration::from_secs(5), "firing", id), "Alertmanager notified the firing alert");

    // Open for longer than Alertmanager's resolve_timeout (3s): re-posted, it stays active throughout.
    let end = Instant::now() + Duration::from_secs(5);
    while Instant::now() < end {
        let alerts = am.alerts();
        assert_eq!(alert_of(&alerts, id).map(|a| a["status"]["state"].clone()), Some("active".into()), "{alerts:?}");
        std::thread::sleep(Duration::from_millis(250));
    }

    // Ten minutes of log time without the problem: resolved, in stackscan and in Alertmanager.
    append(&e.file, &crate::follow::noise(w.next + 600));
    assert!(f.wait(|ev| ev.iter().any(|v| v["event"] == "resolved" && v["incident"]["id"] == id)));
    assert!(until(Duration::from_secs(5), || alert_of(&am.alerts(), id).is_none()), "still listed: {:?}", am.alerts());
    assert!(hook.saw(Duration::from_secs(5), "resolved", id), "no resolved notification: {:?}", hook.bodies.all());
    f.term();
}

#[test]
fn alerts_reach_an_alertmanager_that_comes_back_and_reading_goes_on_meanwhile() {
    let Some(bin) = program("prometheus-alertmanager") else { return };
    let mut am = Server::alertmanager(&bin, "127.0.0.1:0", "3s", None);
    let addr = am.addr.clone();
    let e = env();
    let mut w = Writer::new();
    let (mut f, _err) = follower(&e, &["--alertmanager", &am.url(), "--alert-resolve-timeout", "3s"]);
    w.append(&e.file, 1);
    assert!(f.wait(|ev| opened(ev).len() == 1));
    let kafka = opened(&f.events)[0].clone();
    assert!(until(Duration::from_secs(10), || alert_of(&am.alerts(), &kafka).is_some()));

    am.stop();
    // Down: a new incident is still announced at once, and the failure is said.
    let t = Instant::now();
    append(&es_log(&e), &es_line("es-node-1", 30));
    assert!(f.wait_for(Duration::from_secs(5), |ev| opened(ev).len() == 2), "reading is held up: {:?}", f.events);
    let announced = t.elapsed();
    let es = opened(&f.events)[1].clone();
    assert!(
        f.wait(|ev| crate::follow::notes(ev).iter().any(|n| n.contains("cannot deliver"))),
        "{:?}",
        crate::follow::notes(&f.events)
    );
    w.append(&e.file, 2);
    assert!(f.wait(|ev| ev.iter().any(|v| v["event"] == "updated" && v["incident"]["id"] == kafka.as_str())));

    // Back, on the same address, with no memory of the alerts: both arrive.
    let am = Server::alertmanager(&bin, &addr, "3s", None);
    assert!(
        until(Duration::from_secs(30), || {
            let alerts = am.alerts();
            alert_of(&alerts, &kafka).is_some() && alert_of(&alerts, &es).is_some()
        }),
        "after the restart: {:?}",
        am.alerts()
    );
    let alerts = am.alerts();
    assert_eq!(alert_of(&alerts, &kafka).unwrap()["annotations"]["count"], "3", "the latest state");
    assert!(f.wait(|ev| crate::follow::notes(ev).iter().any(|n| n.contains("delivering again"))));
    eprintln!("incident announced {announced:?} after its line while Alertmanager was down");
    f.term();
}

/// A request a webhook listener got: the status it answered, the headers, the body.
type Got = (u16, Vec<(String, String)>, String);

/// A webhook listener: answers 503 to the first request, then 200, and keeps what it got.
struct Hook {
    server: Arc<tiny_http::Server>,
    got: Arc<Mutex<Vec<Got>>>,
}

impl Hook {
    fn start() -> Hook {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let got = Arc::new(Mutex::new(Vec::new()));
        let (s, keep) = (server.clone(), got.clone());
        std::thread::spawn(move || {
            while let Ok(mut r) = s.recv() {
                let mut body = String::new();
                let _ = std::io::Read::read_to_string(r.as_reader(), &mut body);
                let headers = r.headers().iter().map(|h| (h.field.to_string(), h.value.to_string())).collect();
                let mut got = keep.lock().unwrap();
                let code = if got.is_empty() { 503 } else { 200 };
                got.push((code, headers, body));
                drop(got);
                let _ = r.respond(tiny_http::Response::empty(code));
            }
        });
        Hook { server, got }
    }

    fn url(&self) -> String {
        format!("http://{}/hooks/stackscan", self.server.server_addr().to_ip().unwrap())
    }

    /// The bodies accepted (200), parsed.
    fn accepted(&self) -> Vec<Value> {
        self.got.lock().unwrap().iter().filter(|g| g.0 == 200).map(|g| serde_json::from_str(&g.2).unwrap()).collect()
    }
}

impl Drop for Hook {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

#[test]
fn a_webhook_gets_every_event_as_ndjson_prints_it() {
    let hook = Hook::start();
    let e = env();
    let mut w = Writer::new();
    let secret = "s3cr3t-7f0c2a";
    let header = format!("Authorization: Bearer {secret}");
    let before = std::time::SystemTime::now();
    let (mut f, err) = follower(&e, &["--webhook", &hook.url(), "--webhook-header", &header]);
    w.append(&e.file, 2);
    append(&es_log(&e), &es_line("es-node-1", 5));
    assert!(f.wait(|ev| opened(ev).len() == 2));
    w.append(&e.file, 1);
    assert!(f.wait(|ev| ev.iter().any(|v| v["event"] == "updated")));
    // The first attempt was refused (503): it is retried, and order is kept.
    assert!(
        until(Duration::from_secs(10), || {
            let got = hook.accepted();
            f.drain();
            got.len() >= f.events.len() && got[..f.events.len()] == f.events[..]
        }),
        "stdout: {:#?}\nwebhook: {:#?}",
        f.events,
        hook.accepted()
    );
    let got = hook.got.lock().unwrap().clone();
    assert_eq!(got[0].0, 503);
    for (_, headers, body) in &got {
        let h = |name: &str| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
        assert_eq!(h("Authorization"), Some(header["Authorization: ".len()..].trim()));
        assert_eq!(h("Content-Type"), Some("application/json"));
        assert!(h("User-Agent").is_some_and(|u| u.starts_with("stackscan/")));
        assert!(!body.ends_with('\n') && serde_json::from_str::<Value>(body).is_ok(), "{body:?}");
    }
    // Every event says when it was announced (wall clock), as well as its log times.
    let since = before.duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64 - 1000;
    for ev in &f.events {
        let at = ev["emitted_at"].as_str().unwrap_or_else(|| panic!("no emitted_at: {ev}"));
        let t = stackscan::time::parse_instant(at, stackscan::Zone::UTC).unwrap();
        assert!(t >= since && at.ends_with('Z'), "{at}");
    }
    let out = f.term();
    assert!(crate::follow::notes(&out).iter().any(|n| n.contains("cannot deliver (HTTP 503)")), "{out:?}");
    let printed = format!("{:?}{:?}", err.all(), out);
    assert!(!printed.contains(secret), "the header's value is never printed");
}

#[test]
fn a_webhook_that_never_answers_holds_up_nothing_and_drops_are_counted() {
    // Takes connections and never answers.
    let hole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", hole.local_addr().unwrap());
    let held = Arc::new(Mutex::new(Vec::new()));
    {
        let held = held.clone();
        std::thread::spawn(move || {
            for c in hole.incoming() {
                held.lock().unwrap().push(c);
            }
        });
    }
    let e = env();
    let mut w = Writer::new();
    let (mut f, err) = follower(&e, &["--webhook", &url, "--delivery-queue", "2", "--metrics", "127.0.0.1:0"]);
    // Each line is an event (opened, then updated: --update-interval 0s), announced while the first is stuck.
    let t = Instant::now();
    for n in 1..=8 {
        w.append(&e.file, 1);
        assert!(f.wait(|ev| total(ev) == n), "event {n}: {:?}", f.events);
    }
    eprintln!("8 events announced in {:?} with a webhook that never answers", t.elapsed());
    let metrics = format!("http://{}/metrics", metrics_addr(&err));
    let dropped = |text: &str| {
        text.lines()
            .filter(|l| l.starts_with("stackscan_delivery_dropped_total") && l.contains("reason=\"queue_full\""))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum::<f64>()
    };
    assert!(
        until(Duration::from_secs(5), || get(&metrics).is_some_and(|(_, b)| dropped(&b) >= 5.0)),
        "{:?}",
        get(&metrics)
    );
    assert_eq!(get(&format!("http://{}/-/healthy", metrics_addr(&err))).map(|r| r.0), Some(200));
    assert!(err.find(Duration::from_secs(5), |l| l.contains("dropped (").then_some(())).is_some(), "{:?}", err.all());
    // SIGTERM: the queue gets its grace period, then the run ends all the same.
    let t = Instant::now();
    sigterm(&f.child);
    let status = reap(&mut f.child, Duration::from_secs(15)).expect("exits while the webhook hangs");
    assert!(status.success());
    assert!(t.elapsed() < Duration::from_secs(10), "stopped in {:?}", t.elapsed());
    let last = err.find(Duration::from_secs(2), |l| l.contains("still queued at exit").then(|| l.to_string()));
    assert!(last.is_some(), "{:?}", err.all());
}

/// The fenced ```yaml block of the README that contains `needle`.
fn readme_yaml(needle: &str) -> String {
    let readme = std::fs::read_to_string(crate::util::root().join("README.md")).unwrap();
    let blocks: Vec<&str> = readme.split("```yaml\n").skip(1).filter_map(|b| b.split("```").next()).collect();
    let found: Vec<&&str> = blocks.iter().filter(|b| b.contains(needle)).collect();
    assert_eq!(found.len(), 1, "README blocks with {needle:?}: {found:?}");
    found[0].to_string()
}

fn tool(bin: &Path, args: &[&str], dir: &Path) -> String {
    let o = Command::new(bin).args(args).current_dir(dir).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "{} {args:?}:\n{text}", bin.display());
    text
}

/// The README's scrape job and alerting rules pass promtool, and the rules fire when they should (promtool's unit
/// tests of rules); its Alertmanager route passes amtool.
#[test]
fn the_readme_examples_pass_promtool_and_amtool() {
    let (Some(promtool), Some(amtool)) = (program("promtool"), program("amtool")) else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scrape = readme_yaml("job_name: stackscan");
    std::fs::write(d.join("prometheus.yml"), format!("rule_files: [rules.yml]\n{scrape}")).unwrap();
    std::fs::write(d.join("rules.yml"), readme_yaml("alert: StackscanFollowLagging")).unwrap();
    std::fs::write(d.join("alertmanager.yml"), readme_yaml("alertname=\"StackscanIncident\"")).unwrap();
    tool(&promtool, &["check", "config", "prometheus.yml"], d);
    tool(&amtool, &["check-config", "alertmanager.yml"], d);
    let h = r#"instance="sts-prod-01:9464",job="stackscan""#;
    let tests = format!(
        r#"rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'stackscan_follow_lag_seconds{{{h}}}'
        values: '3600x30'
      - series: 'stackscan_read_lines_total{{{h},component="receiver"}}'
        values: '0+100x30'
      - series: 'stackscan_checkpoint_write_failures_total{{{h}}}'
        values: '0+1x30'
      - series: 'stackscan_checkpoint_last_success_timestamp_seconds{{{h}}}'
        values: '0x30'
      - series: 'stackscan_delivery_dropped_total{{{h},kind="alertmanager",target="http://am-0:9093",reason="queue_full"}}'
        values: '0 0 0 5 5'
      - series: 'up{{{h}}}'
        values: '1x3 0x10'
    alert_rule_test:
      - eval_time: 20m
        alertname: StackscanFollowLagging
        exp_alerts:
          - exp_labels: {{severity: warning, instance: "sts-prod-01:9464", job: stackscan}}
            exp_annotations: {{summary: "stackscan on sts-prod-01:9464 reads log lines 1h 0m 0s old"}}
      - eval_time: 20m
        alertname: StackscanCheckpointFailing
        exp_alerts:
          - exp_labels: {{severity: warning, instance: "sts-prod-01:9464", job: stackscan}}
            exp_annotations: {{summary: "stackscan on sts-prod-01:9464 cannot write its checkpoint (see its log on stderr)"}}
      - eval_time: 4m
        alertname: StackscanDeliveryDropping
        exp_alerts:
          - exp_labels: {{severity: warning, instance: "sts-prod-01:9464", job: stackscan, kind: alertmanager, target: "http://am-0:9093", reason: queue_full}}
            exp_annotations: {{summary: "stackscan on sts-prod-01:9464 dropped alertmanager messages to http://am-0:9093 (queue_full)"}}
      - eval_time: 10m
        alertname: StackscanDown
        exp_alerts:
          - exp_labels: {{severity: warning, instance: "sts-prod-01:9464", job: stackscan}}
            exp_annotations: {{summary: "stackscan on sts-prod-01:9464 cannot be scraped"}}
  # Quiet logs: the lag grows, but nothing is read, so nothing is behind.
  - interval: 1m
    input_series:
      - series: 'stackscan_follow_lag_seconds{{{h}}}'
        values: '3600+60x30'
      - series: 'stackscan_read_lines_total{{{h},component="receiver"}}'
        values: '100x30'
    alert_rule_test:
      - eval_time: 20m
        alertname: StackscanFollowLagging
        exp_alerts: []
"#
    );
    std::fs::write(d.join("rules_test.yml"), tests).unwrap();
    tool(&promtool, &["test", "rules", "rules_test.yml"], d);
}

/// The README's systemd unit is `deploy/systemd/stackscan.service` (less its opening comment).
#[test]
fn the_readme_unit_is_the_shipped_unit() {
    let root = crate::util::root();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let unit = readme.split("```ini\n").nth(1).and_then(|b| b.split("```").next()).unwrap();
    let shipped = std::fs::read_to_string(root.join("deploy/systemd/stackscan.service")).unwrap();
    let shipped: String = shipped.lines().skip_while(|l| l.starts_with('#')).map(|l| format!("{l}\n")).collect();
    assert_eq!(unit, shipped);
}
