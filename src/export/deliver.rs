//! Delivery to HTTP destinations (Alertmanager, webhooks) on one worker thread, so that reading never waits for
//! the network: the follow loop only puts a message in a bounded queue, which takes a mutex for a few
//! microseconds and never blocks on I/O.
//!
//! The policy, per destination (a *lane*):
//! - messages go out in the order they were queued (webhooks see events in order); a lane whose destination fails
//!   waits for its retry without holding up the other lanes;
//! - a failed attempt (no connection, a timeout, 408, 429 or 5xx) is retried after a backoff that doubles from
//!   [`Policy::first_retry`] up to [`Policy::max_retry`], for at most [`Policy::retry_for`]; then the message is
//!   dropped (`gave_up`). A client error (other 4xx, or a redirect) drops it at once (`rejected`): sending it again
//!   would not help;
//! - the queue holds at most [`Policy::capacity`] messages: a new one pushes out the oldest (`queue_full`), since
//!   the newest state is the one worth delivering;
//! - a message with a key (an Alertmanager alert: its label set) replaces the queued message with the same key:
//!   only the latest state of an alert is worth sending, so a long outage does not fill the queue with re-sends;
//! - Alertmanager messages of one lane go out together, as one JSON array (its API takes a list of alerts);
//! - on [`Queue::close`] each queued message gets one last attempt within a grace period; what is left is dropped
//!   (`shutdown`).
//!
//! Every drop is counted in the metrics and said in a note (a note per lane when it starts failing and when it
//! recovers; drops summed up at most every [`NOTE_EVERY`]); the follow loop prints the notes.

use super::metrics::{DropReason, Metrics};
use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Least time between two notes about drops (they are summed up in between).
pub const NOTE_EVERY: Duration = Duration::from_secs(30);

/// What a destination is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Alertmanager's v2 API: alerts posted as a JSON array to `/api/v2/alerts`.
    Alertmanager,
    /// Any URL: each message posted as it is.
    Webhook,
}

impl Kind {
    /// The `kind` label and the word in notes.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Alertmanager => "alertmanager",
            Kind::Webhook => "webhook",
        }
    }
}

/// A destination: where to POST, with which extra headers.
#[derive(Clone)]
pub struct Target {
    kind: Kind,
    url: String,
    headers: Vec<(String, String)>,
    label: String,
    loopback: bool,
}

/// Why a destination URL is not usable.
#[derive(Debug, thiserror::Error)]
#[error("{url:?} is not an http:// or https:// URL with a host: {why}")]
pub struct UrlError {
    url: String,
    why: &'static str,
}

impl Target {
    /// A destination of `kind` at `url` (http or https). For Alertmanager, `url` is its base URL
    /// (`http://alertmanager:9093`, or with a path prefix); `/api/v2/alerts` is appended unless it is there.
    /// `headers` are sent with every request; their values are never printed.
    pub fn new(kind: Kind, url: &str, headers: Vec<(String, String)>) -> Result<Target, UrlError> {
        let err = |why| UrlError { url: url.to_string(), why };
        if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(err("it holds spaces or control characters"));
        }
        let (scheme, rest, default_port) = if let Some(r) = url.strip_prefix("http://") {
            ("http", r, 80)
        } else if let Some(r) = url.strip_prefix("https://") {
            ("https", r, 443)
        } else {
            return Err(err("the scheme must be http or https"));
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        // Credentials before '@' are never shown.
        let hostport = authority.rsplit('@').next().unwrap_or("");
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let (h, after) = v6.split_once(']').ok_or_else(|| err("an IPv6 address lacks its ']'"))?;
            (format!("[{h}]"), after.strip_prefix(':'))
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (hostport.to_string(), None),
            }
        };
        if host.is_empty() || host == "[]" {
            return Err(err("there is no host"));
        }
        let port: u16 = match port {
            None | Some("") => default_port,
            Some(p) => p.parse().map_err(|_| err("the port is not a number below 65536"))?,
        };
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let loopback =
            bare.eq_ignore_ascii_case("localhost") || bare.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
        let url = match kind {
            Kind::Alertmanager if !url.trim_end_matches('/').ends_with("/api/v2/alerts") => {
                format!("{}/api/v2/alerts", url.trim_end_matches('/'))
            }
            _ => url.to_string(),
        };
        Ok(Target { kind, url, headers, label: format!("{scheme}://{host}:{port}"), loopback })
    }

    /// What it is.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// How it is named in notes and metrics: scheme, host and port only (a webhook's path or query may hold a
    /// token; credentials in the URL are never shown).
    pub fn label(&self) -> &str {
        &self.label
    }
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("Target").field("kind", &self.kind).field("label", &self.label).field("headers", &names).finish()
    }
}

/// How the queue behaves.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Messages queued at most, over all destinations.
    pub capacity: usize,
    /// Wait before the first retry; it doubles at each failure.
    pub first_retry: Duration,
    /// The longest wait between two attempts.
    pub max_retry: Duration,
    /// How long a message is retried before it is dropped.
    pub retry_for: Duration,
    /// Time allowed for one request (connecting, sending, the answer).
    pub timeout: Duration,
    /// Alertmanager alerts sent in one request at most.
    pub batch: usize,
    /// The `User-Agent` header.
    pub user_agent: String,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            capacity: 1024,
            first_retry: Duration::from_secs(1),
            max_retry: Duration::from_secs(30),
            retry_for: Duration::from_secs(600),
            timeout: Duration::from_secs(10),
            batch: 64,
            user_agent: "stackscan".into(),
        }
    }
}

struct Job {
    body: Vec<u8>,
    key: Option<String>,
    queued: Instant,
    attempts: u32,
    next_try: Instant,
}

#[derive(Default)]
struct Drops {
    counts: [u64; 4],
    /// The first reason in words (the answer of a rejecting destination).
    detail: Option<String>,
}

struct Lane {
    target: Arc<Target>,
    jobs: VecDeque<Job>,
    busy: bool,
    /// Failed attempts in a row (0: delivering).
    failures: u32,
    drops: Drops,
}

struct State {
    lanes: Vec<Lane>,
    len: usize,
    /// Set by `close`: the time by which the worker gives up.
    closing: Option<Instant>,
    /// Messages being sent now.
    in_flight: usize,
    /// The worker has returned.
    done: bool,
    /// `close` stopped waiting for a worker stuck in a request: it counts nothing more.
    abandoned: bool,
    notes: Vec<String>,
    last_drop_note: Option<Instant>,
}

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    policy: Policy,
    metrics: Option<Arc<Metrics>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic on the worker must not take the follow loop with it: the state stays consistent between
        // statements, so a poisoned lock is used as it is.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn dropped(&self, st: &mut State, lane: usize, reason: DropReason, n: u64, detail: Option<String>) {
        if n == 0 {
            return;
        }
        let l = &mut st.lanes[lane];
        if let Some(m) = &self.metrics {
            m.dropped(l.target.kind.as_str(), &l.target.label, reason, n);
        }
        l.drops.counts[reason as usize] += n;
        if l.drops.detail.is_none() {
            l.drops.detail = detail;
        }
    }
}

/// The queue and its worker thread.
pub struct Queue {
    shared: Arc<Shared>,
    worker: Option<JoinHandle<()>>,
}

/// A cheap handle that queues messages (for writers that feed the queue, such as the webhook printer).
#[derive(Clone)]
pub struct Sender {
    shared: Arc<Shared>,
}

impl Queue {
    /// Starts the worker for `targets` (indexed by their position in later calls).
    pub fn start(targets: Vec<Target>, policy: Policy, metrics: Option<Arc<Metrics>>) -> std::io::Result<Queue> {
        let lanes = targets
            .into_iter()
            .map(|t| Lane {
                target: Arc::new(t),
                jobs: VecDeque::new(),
                busy: false,
                failures: 0,
                drops: Drops::default(),
            })
            .collect();
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                lanes,
                len: 0,
                closing: None,
                in_flight: 0,
                done: false,
                abandoned: false,
                notes: Vec::new(),
                last_drop_note: None,
            }),
            wake: Condvar::new(),
            policy,
            metrics,
        });
        let worker = {
            let shared = shared.clone();
            std::thread::Builder::new().name("deliver".into()).spawn(move || work(&shared))?
        };
        Ok(Queue { shared, worker: Some(worker) })
    }

    /// A handle to queue messages with.
    pub fn sender(&self) -> Sender {
        Sender { shared: self.shared.clone() }
    }

    /// Queues a message (see [`Sender::push`]).
    pub fn push(&self, target: usize, body: Vec<u8>, key: Option<String>) {
        self.sender().push(target, body, key)
    }

    /// The notes gathered since the last call: destinations failing and recovering, drops summed up.
    pub fn take_notes(&self) -> Vec<String> {
        let mut st = self.shared.lock();
        drop_notes(&mut st, false);
        std::mem::take(&mut st.notes)
    }

    /// Gives every queued message one last attempt within `grace`, drops the rest, stops the worker, and returns
    /// the last notes. Returns within `grace` (and a little): a worker still stuck in a request then is left to
    /// the end of the process, its message counted as dropped.
    pub fn close(mut self, grace: Duration) -> Vec<String> {
        self.stop(grace);
        let mut st = self.shared.lock();
        drop_notes(&mut st, true);
        std::mem::take(&mut st.notes)
    }

    fn stop(&mut self, grace: Duration) {
        let Some(worker) = self.worker.take() else { return };
        let now = Instant::now();
        let deadline = now + grace;
        let mut st = self.shared.lock();
        st.closing = Some(deadline);
        for l in &mut st.lanes {
            for j in &mut l.jobs {
                j.next_try = now;
            }
        }
        self.shared.wake.notify_all();
        // The worker drops what is left at the deadline; give it a moment past it to say so.
        let until = deadline + Duration::from_millis(200);
        while !st.done {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            st = self.shared.wake.wait_timeout(st, left).map_or_else(|p| p.into_inner().0, |r| r.0);
        }
        if st.done {
            drop(st);
            let _ = worker.join();
        } else {
            st.abandoned = true;
            for i in 0..st.lanes.len() {
                // The messages queued, and on the busy lane the ones in flight.
                let in_flight = if st.lanes[i].busy { st.in_flight } else { 0 };
                let n = (st.lanes[i].jobs.len() + in_flight) as u64;
                st.lanes[i].jobs.clear();
                self.shared.dropped(&mut st, i, DropReason::Shutdown, n, None);
            }
            st.len = 0;
        }
    }
}

impl Drop for Queue {
    fn drop(&mut self) {
        self.stop(Duration::ZERO);
    }
}

impl Sender {
    /// Queues `body` for destination `target`. Never blocks on I/O. A message with a `key` replaces a queued one
    /// with the same key; when the queue is full the oldest message is dropped to make room.
    pub fn push(&self, target: usize, body: Vec<u8>, key: Option<String>) {
        let sh = &self.shared;
        let mut st = sh.lock();
        if st.closing.is_some() || target >= st.lanes.len() {
            return;
        }
        let now = Instant::now();
        if let Some(k) = &key {
            if let Some(j) = st.lanes[target].jobs.iter_mut().find(|j| j.key.as_ref() == Some(k)) {
                j.body = body;
                j.queued = now;
                return;
            }
        }
        if st.len >= sh.policy.capacity.max(1) {
            // The oldest message of all: the oldest head, since each lane is in order.
            let oldest = (0..st.lanes.len())
                .filter_map(|i| st.lanes[i].jobs.front().map(|j| (j.queued, i)))
                .min()
                .map(|(_, i)| i);
            if let Some(i) = oldest {
                st.lanes[i].jobs.pop_front();
                st.len -= 1;
                sh.dropped(&mut st, i, DropReason::QueueFull, 1, None);
            }
        }
        st.lanes[target].jobs.push_back(Job { body, key, queued: now, attempts: 0, next_try: now });
        st.len += 1;
        if let Some(m) = &sh.metrics {
            m.queued(st.len);
        }
        drop(st);
        sh.wake.notify_all();
    }
}

/// Adds a note per lane that dropped messages since the last one, at most every [`NOTE_EVERY`] (or now, `force`).
fn drop_notes(st: &mut State, force: bool) {
    let any = st.lanes.iter().any(|l| l.drops.counts.iter().any(|&n| n > 0));
    let due = force || st.last_drop_note.is_none_or(|t| t.elapsed() >= NOTE_EVERY);
    if !any || !due {
        return;
    }
    st.last_drop_note = Some(Instant::now());
    let mut notes = Vec::new();
    for l in &mut st.lanes {
        let d = std::mem::take(&mut l.drops);
        let total: u64 = d.counts.iter().sum();
        if total == 0 {
            continue;
        }
        let reasons = [
            (DropReason::QueueFull, "queue full"),
            (DropReason::Rejected, "rejected"),
            (DropReason::GaveUp, "retried too long"),
            (DropReason::Shutdown, "still queued at exit"),
        ];
        let why: Vec<String> = reasons
            .iter()
            .filter(|(r, _)| d.counts[*r as usize] > 0)
            .map(|(r, w)| format!("{} {w}", d.counts[*r as usize]))
            .collect();
        let detail = d.detail.map_or(String::new(), |s| format!("; {s}"));
        notes.push(format!(
            "{} {}: {total} message{} dropped ({}){detail}",
            l.target.kind.as_str(),
            l.target.label,
            if total == 1 { "" } else { "s" },
            why.join(", ")
        ));
    }
    st.notes.append(&mut notes);
}

/// The outcome of one request.
enum Sent {
    Ok,
    /// Worth retrying.
    Failed(String),
    /// Not worth retrying.
    Rejected(String),
}

fn agents(policy: &Policy) -> (ureq::Agent, ureq::Agent) {
    let config = |proxy: bool| {
        let b = ureq::Agent::config_builder()
            .timeout_global(Some(policy.timeout))
            .timeout_connect(Some(policy.timeout.min(Duration::from_secs(5))))
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(policy.user_agent.as_str());
        // HTTP_PROXY/HTTPS_PROXY/NO_PROXY are honoured (ureq reads them), but never for loopback destinations.
        let b = if proxy { b } else { b.proxy(None) };
        ureq::Agent::new_with_config(b.build())
    };
    (config(true), config(false))
}

fn send(agent: &ureq::Agent, t: &Target, bodies: &[&[u8]]) -> Sent {
    let body: Vec<u8> = match t.kind {
        Kind::Webhook => bodies.concat(),
        Kind::Alertmanager => {
            let mut b = Vec::with_capacity(bodies.iter().map(|x| x.len() + 1).sum::<usize>() + 2);
            b.push(b'[');
            for (i, x) in bodies.iter().enumerate() {
                if i > 0 {
                    b.push(b',');
                }
                b.extend_from_slice(x);
            }
            b.push(b']');
            b
        }
    };
    let mut req = agent.post(&t.url).header("Content-Type", "application/json");
    for (n, v) in &t.headers {
        req = req.header(n.as_str(), v.as_str());
    }
    match req.send(&body[..]) {
        Ok(mut resp) => {
            let code = resp.status().as_u16();
            if (200..300).contains(&code) {
                return Sent::Ok;
            }
            let text = resp.body_mut().with_config().limit(1024).read_to_vec().unwrap_or_default();
            let text = crate::frame::sanitize::clean(&text);
            let text: String = text.chars().take(200).collect();
            let why = format!(
                "HTTP {code}{}",
                if text.trim().is_empty() { String::new() } else { format!(": {}", text.trim()) }
            );
            if code == 408 || code == 429 || code >= 500 {
                Sent::Failed(why)
            } else {
                Sent::Rejected(why)
            }
        }
        // ureq's errors name the host and the cause, never the path or the headers.
        Err(e) => Sent::Failed(crate::frame::escape::escape(&e.to_string()).into_owned()),
    }
}

fn backoff(p: &Policy, attempts: u32) -> Duration {
    let factor = 1u32.checked_shl(attempts.saturating_sub(1).min(20)).unwrap_or(u32::MAX);
    p.first_retry.saturating_mul(factor).min(p.max_retry)
}

/// The lane to serve next: not busy, with a message due; else when the next one is due.
enum Pick {
    Lane(usize),
    Wait(Duration),
    Idle,
}

fn pick(st: &State, now: Instant) -> Pick {
    let next = st
        .lanes
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.busy)
        .filter_map(|(i, l)| l.jobs.front().map(|j| (j.next_try, i)))
        .min();
    match next {
        Some((at, i)) if at <= now => Pick::Lane(i),
        Some((at, _)) => Pick::Wait(at - now),
        None => Pick::Idle,
    }
}

fn work(sh: &Shared) {
    let (proxied, direct) = agents(&sh.policy);
    let mut st = sh.lock();
    loop {
        let now = Instant::now();
        if let Some(deadline) = st.closing {
            if st.len == 0 || now >= deadline {
                for i in 0..st.lanes.len() {
                    let n = st.lanes[i].jobs.len() as u64;
                    st.lanes[i].jobs.clear();
                    sh.dropped(&mut st, i, DropReason::Shutdown, n, None);
                }
                st.len = 0;
                if let Some(m) = &sh.metrics {
                    m.queued(0);
                }
                st.done = true;
                drop(st);
                sh.wake.notify_all();
                return;
            }
        }
        let lane = match pick(&st, now) {
            Pick::Lane(i) => i,
            Pick::Wait(d) => {
                let d = st.closing.map_or(d, |c| d.min(c.saturating_duration_since(now)));
                st = sh.wake.wait_timeout(st, d).map_or_else(|p| p.into_inner().0, |r| r.0);
                continue;
            }
            Pick::Idle => {
                st = match st.closing {
                    Some(c) => sh
                        .wake
                        .wait_timeout(st, c.saturating_duration_since(now))
                        .map_or_else(|p| p.into_inner().0, |r| r.0),
                    None => sh.wake.wait(st).unwrap_or_else(|p| p.into_inner()),
                };
                continue;
            }
        };
        let take = match st.lanes[lane].target.kind {
            Kind::Webhook => 1,
            Kind::Alertmanager => sh.policy.batch.max(1),
        };
        let l = &mut st.lanes[lane];
        let n = l.jobs.iter().take(take).take_while(|j| j.next_try <= now).count().max(1);
        let batch: Vec<Job> = l.jobs.drain(..n).collect();
        l.busy = true;
        let target = l.target.clone();
        st.len -= batch.len();
        st.in_flight = batch.len();
        if let Some(m) = &sh.metrics {
            m.queued(st.len);
        }
        drop(st);
        let agent = if target.loopback { &direct } else { &proxied };
        let bodies: Vec<&[u8]> = batch.iter().map(|j| j.body.as_slice()).collect();
        let outcome = send(agent, &target, &bodies);
        st = sh.lock();
        st.lanes[lane].busy = false;
        st.in_flight = 0;
        if st.abandoned {
            return;
        }
        let (kind, label) = (target.kind.as_str(), target.label.as_str());
        match outcome {
            Sent::Ok => {
                if let Some(m) = &sh.metrics {
                    m.delivered(kind, label, batch.len() as u64);
                }
                let l = &mut st.lanes[lane];
                if l.failures > 0 {
                    let n = l.failures;
                    l.failures = 0;
                    st.notes.push(format!(
                        "{kind} {label}: delivering again, after {n} failed attempt{}",
                        if n == 1 { "" } else { "s" }
                    ));
                }
            }
            Sent::Rejected(why) => {
                if let Some(m) = &sh.metrics {
                    m.delivery_failed(kind, label);
                }
                sh.dropped(&mut st, lane, DropReason::Rejected, batch.len() as u64, Some(format!("rejected: {why}")));
            }
            Sent::Failed(why) => {
                if let Some(m) = &sh.metrics {
                    m.delivery_failed(kind, label);
                }
                let l = &mut st.lanes[lane];
                if l.failures == 0 {
                    st.notes.push(format!(
                        "{kind} {label}: cannot deliver ({why}); retrying with backoff (reading goes on)"
                    ));
                }
                st.lanes[lane].failures += 1;
                let now = Instant::now();
                let closing = st.closing.is_some();
                let (mut gave_up, mut stopping, mut back) = (0, 0, 0);
                // Back at the front, in their order, unless a newer state of the same alert was queued meanwhile.
                let l = &mut st.lanes[lane];
                for mut j in batch.into_iter().rev() {
                    if j.key.is_some() && l.jobs.iter().any(|q| q.key == j.key) {
                        continue;
                    }
                    j.attempts += 1;
                    if closing {
                        stopping += 1;
                    } else if now.duration_since(j.queued) >= sh.policy.retry_for {
                        gave_up += 1;
                    } else {
                        j.next_try = now + backoff(&sh.policy, j.attempts);
                        l.jobs.push_front(j);
                        back += 1;
                    }
                }
                st.len += back;
                sh.dropped(&mut st, lane, DropReason::GaveUp, gave_up, Some(format!("last error: {why}")));
                sh.dropped(&mut st, lane, DropReason::Shutdown, stopping, None);
                if let Some(m) = &sh.metrics {
                    m.queued(st.len);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_labelled_without_secrets() {
        let t = Target::new(Kind::Webhook, "https://user:pw@hooks.example.com/services/T0/B0/SECRET?x=1", vec![])
            .expect("valid");
        assert_eq!(t.label(), "https://hooks.example.com:443");
        let t = Target::new(Kind::Alertmanager, "http://127.0.0.1:9093/", vec![]).expect("valid");
        assert_eq!(
            (t.label(), t.url.as_str(), t.loopback),
            ("http://127.0.0.1:9093", "http://127.0.0.1:9093/api/v2/alerts", true)
        );
        let t = Target::new(Kind::Alertmanager, "http://am.monitoring:9093/am/api/v2/alerts", vec![]).expect("valid");
        assert_eq!((t.url.as_str(), t.loopback), ("http://am.monitoring:9093/am/api/v2/alerts", false));
        let t = Target::new(
            Kind::Webhook,
            "http://[::1]:8080/hook",
            vec![("Authorization".into(), "Bearer s3cr3t".into())],
        )
        .expect("valid");
        assert_eq!((t.label(), t.loopback), ("http://[::1]:8080", true));
        assert!(!format!("{t:?}").contains("s3cr3t"), "{t:?}");
        for bad in ["ftp://x", "http://", "http://:80/", "http://h:99999/", "http://h /x", "hooks.example.com"] {
            assert!(Target::new(Kind::Webhook, bad, vec![]).is_err(), "{bad}");
        }
    }

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let p =
            Policy { first_retry: Duration::from_millis(100), max_retry: Duration::from_secs(1), ..Policy::default() };
        let waits: Vec<u128> = (1..7).map(|a| backoff(&p, a).as_millis()).collect();
        assert_eq!(waits, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(backoff(&p, u32::MAX), Duration::from_secs(1));
    }

    /// A local destination: the test answers each request itself.
    fn listener() -> (tiny_http::Server, String) {
        let s = tiny_http::Server::http("127.0.0.1:0").expect("listen");
        let url = format!("http://{}/hook", s.server_addr().to_ip().expect("ip"));
        (s, url)
    }

    fn receive(s: &tiny_http::Server, code: u16) -> String {
        let mut r = s.recv_timeout(Duration::from_secs(5)).expect("recv").expect("a request in time");
        let mut body = String::new();
        std::io::Read::read_to_string(r.as_reader(), &mut body).expect("body");
        r.respond(tiny_http::Response::empty(code)).expect("respond");
        body
    }

    fn quick() -> Policy {
        Policy {
            first_retry: Duration::from_millis(50),
            max_retry: Duration::from_millis(100),
            timeout: Duration::from_secs(2),
            ..Policy::default()
        }
    }

    #[test]
    fn delivers_in_order_and_retries_after_a_failure() {
        let (server, url) = listener();
        let metrics = Arc::new(Metrics::new("t", "f"));
        let q =
            Queue::start(vec![Target::new(Kind::Webhook, &url, vec![]).expect("url")], quick(), Some(metrics.clone()))
                .expect("start");
        q.push(0, b"one".to_vec(), None);
        q.push(0, b"two".to_vec(), None);
        assert_eq!(receive(&server, 503), "one", "the first attempt");
        assert_eq!(receive(&server, 200), "one", "retried, still first");
        assert_eq!(receive(&server, 200), "two");
        let notes = q.close(Duration::from_secs(1));
        let _ = notes;
        let text = metrics.render(0, false);
        assert!(
            text.contains(&format!(
                "stackscan_delivered_total{{kind=\"webhook\",target=\"{}\"}} 2",
                &url[..url.len() - 5]
            )),
            "{text}"
        );
        assert!(text.contains("stackscan_delivery_attempt_failures_total"), "{text}");
    }

    #[test]
    fn a_full_queue_drops_the_oldest_and_keys_coalesce() {
        // A destination that never answers in time keeps the worker busy with the first message.
        let (server, url) = listener();
        let metrics = Arc::new(Metrics::new("t", "f"));
        let policy = Policy { capacity: 2, timeout: Duration::from_millis(300), ..quick() };
        let q =
            Queue::start(vec![Target::new(Kind::Webhook, &url, vec![]).expect("url")], policy, Some(metrics.clone()))
                .expect("start");
        q.push(0, b"in flight".to_vec(), None);
        let first = server.recv_timeout(Duration::from_secs(5)).expect("recv").expect("the first request");
        let t = Instant::now();
        for b in ["a", "b", "c"] {
            q.push(0, b.as_bytes().to_vec(), None);
        }
        q.push(0, b"k1".to_vec(), Some("k".into()));
        q.push(0, b"k2".to_vec(), Some("k".into()));
        assert!(t.elapsed() < Duration::from_millis(100), "pushing never waits for the destination");
        drop(first); // no answer: the attempt fails, the message is retried
        let mut got = Vec::new();
        while got.len() < 3 {
            got.push(receive(&server, 200));
        }
        assert_eq!(got, ["in flight", "c", "k2"], "a and b made room; k2 replaced k1");
        let notes = q.close(Duration::from_secs(1));
        assert!(notes.iter().any(|n| n.contains("2 messages dropped (2 queue full)")), "{notes:?}");
        let text = metrics.render(0, false);
        assert!(text.contains("reason=\"queue_full\"} 2"), "{text}");
    }

    #[test]
    fn close_returns_in_its_grace_period_while_a_destination_hangs() {
        // Takes the connection, never answers.
        let hole = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
        let url = format!("http://{}/", hole.local_addr().expect("addr"));
        let metrics = Arc::new(Metrics::new("t", "f"));
        let policy = Policy { timeout: Duration::from_secs(30), ..quick() };
        let q =
            Queue::start(vec![Target::new(Kind::Webhook, &url, vec![]).expect("url")], policy, Some(metrics.clone()))
                .expect("start");
        q.push(0, b"stuck".to_vec(), None);
        let _conn = hole.accept().expect("the request arrives");
        q.push(0, b"queued".to_vec(), None);
        let t = Instant::now();
        let notes = q.close(Duration::from_millis(300));
        assert!(t.elapsed() < Duration::from_secs(2), "close took {:?}", t.elapsed());
        assert!(notes.iter().any(|n| n.contains("2 messages dropped (2 still queued at exit)")), "{notes:?}");
        assert!(metrics.render(0, false).contains("reason=\"shutdown\"} 2"));
    }

    #[test]
    fn a_rejected_message_is_not_retried_and_close_drops_what_is_left() {
        let (server, url) = listener();
        let metrics = Arc::new(Metrics::new("t", "f"));
        let q = Queue::start(
            vec![Target::new(Kind::Alertmanager, &url, vec![]).expect("url")],
            quick(),
            Some(metrics.clone()),
        )
        .expect("start");
        q.push(0, b"{\"x\":1}".to_vec(), None);
        let mut r = server.recv_timeout(Duration::from_secs(5)).expect("recv").expect("a request");
        let mut body = String::new();
        std::io::Read::read_to_string(r.as_reader(), &mut body).expect("body");
        assert_eq!(body, "[{\"x\":1}]", "alerts go as a JSON array");
        assert_eq!(r.url(), "/hook/api/v2/alerts");
        r.respond(
            tiny_http::Response::from_string("{\"code\":602,\"message\":\"0.labels in body is required\"}")
                .with_status_code(422),
        )
        .expect("respond");
        // Nothing listens any more: the last message gets its last attempt at close, then is dropped.
        drop(server);
        let t = Instant::now();
        while !metrics.render(0, false).contains("reason=\"rejected\"} 1") {
            assert!(t.elapsed() < Duration::from_secs(5), "the rejection is counted");
            std::thread::sleep(Duration::from_millis(10));
        }
        q.push(0, b"{\"x\":2}".to_vec(), None);
        let notes = q.close(Duration::from_millis(500));
        let all = notes.join("\n");
        assert!(all.contains("HTTP 422") && all.contains("labels in body is required"), "{all}");
        assert!(metrics.render(0, false).contains("reason=\"shutdown\"} 1"), "{}", metrics.render(0, false));
    }
}
