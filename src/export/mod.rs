//! Where tail mode's results go besides its printer: Prometheus metrics ([`metrics`], served by [`serve`]),
//! Alertmanager alerts ([`alerts`]) and webhooks, the last two carried by one delivery queue ([`deliver`]) so that
//! reading never waits for the network. DESIGN.md's "follow's events and `--metrics` are views of the same
//! state": the follow loop tells [`Outputs`] what it reads, correlates, announces and checkpoints, and each view
//! takes what it needs.
//!
//! A webhook receives each event exactly as `--format ndjson` prints it (the NDJSON printer writes into the queue),
//! so whatever tail mode announces reaches the webhooks in the same shape as on stdout.
//!
//! Configured with a builder ([`OutputsBuilder`]); the wall clock is the caller's (a function returning
//! milliseconds since the epoch), never read here.

pub mod alerts;
pub mod deliver;
pub mod metrics;
pub mod serve;

use crate::correlate::Incident;
use crate::model::Component;
use crate::report::ndjson::NdjsonPrinter;
use crate::report::{EventKind, Head, Item, Printer};
use crate::time::Millis;
use deliver::{Kind, Policy, Queue, Sender, Target};
use metrics::Metrics;
use serve::{Endpoint, Health};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// How long the queue is given, at exit, for a last attempt at what it holds.
pub const EXIT_GRACE: Duration = Duration::from_secs(5);

/// Why the outputs could not be set up (a usage error: nothing was followed yet).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The metrics address cannot be listened on.
    #[error(transparent)]
    Listen(#[from] serve::ListenError),
    /// A destination URL is not usable.
    #[error("{flag}: {source}")]
    Url {
        /// `--alertmanager` or `--webhook`.
        flag: &'static str,
        /// What is wrong.
        source: deliver::UrlError,
    },
    /// The delivery thread could not start.
    #[error("cannot start the delivery thread: {0}")]
    Thread(std::io::Error),
}

/// The outputs' configuration, private to the builder.
#[derive(Debug, Clone)]
struct Settings {
    metrics: Option<SocketAddr>,
    alertmanagers: Vec<String>,
    webhooks: Vec<String>,
    headers: Vec<(String, String)>,
    instance: String,
    resolve_timeout: Duration,
    policy: Policy,
    stale_after: Duration,
    version: String,
}

/// Builds [`Outputs`].
#[derive(Debug, Clone)]
pub struct OutputsBuilder {
    clock: fn() -> Millis,
    s: Settings,
}

impl OutputsBuilder {
    /// No output yet; `clock` gives the wall clock (milliseconds since the epoch).
    pub fn new(clock: fn() -> Millis) -> OutputsBuilder {
        OutputsBuilder {
            clock,
            s: Settings {
                metrics: None,
                alertmanagers: Vec::new(),
                webhooks: Vec::new(),
                headers: Vec::new(),
                instance: "localhost".into(),
                resolve_timeout: Duration::from_secs(300),
                policy: Policy::default(),
                stale_after: Duration::from_secs(60),
                version: env!("CARGO_PKG_VERSION").into(),
            },
        }
    }

    /// Serves `/metrics` and `/-/healthy` on `addr`.
    pub fn metrics(&mut self, addr: SocketAddr) -> &mut Self {
        self.s.metrics = Some(addr);
        self
    }

    /// Posts alerts to the Alertmanager at `url` (its base URL; repeatable, for an HA pair).
    pub fn alertmanager(&mut self, url: &str) -> &mut Self {
        self.s.alertmanagers.push(url.to_string());
        self
    }

    /// Posts each event to `url` (repeatable).
    pub fn webhook(&mut self, url: &str) -> &mut Self {
        self.s.webhooks.push(url.to_string());
        self
    }

    /// Sends a header with every webhook request (a token: its value is never printed).
    pub fn webhook_header(&mut self, name: &str, value: &str) -> &mut Self {
        self.s.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// The `instance` label of alerts (default `localhost`; the binary passes the host name).
    pub fn instance(&mut self, name: &str) -> &mut Self {
        self.s.instance = name.to_string();
        self
    }

    /// Alertmanager's `resolve_timeout` (default 5m): open alerts are posted again every third of it.
    pub fn resolve_timeout(&mut self, d: Duration) -> &mut Self {
        self.s.resolve_timeout = d;
        self
    }

    /// Messages the delivery queue holds at most (default 1024).
    pub fn queue_capacity(&mut self, n: usize) -> &mut Self {
        self.s.policy.capacity = n.max(1);
        self
    }

    /// `/-/healthy` answers 503 when the reader loop has not run for this long (default 60s).
    pub fn stale_after(&mut self, d: Duration) -> &mut Self {
        self.s.stale_after = d;
        self
    }

    /// How often open alerts are posted again.
    fn resend_every(&self) -> Duration {
        (self.s.resolve_timeout / 3).max(Duration::from_millis(100))
    }

    /// Starts what was asked for: the metrics endpoint listens, the delivery thread runs.
    pub fn build(&self, pack: &crate::rules::Pack) -> Result<Outputs, ExportError> {
        let s = &self.s;
        let health = Arc::new(Health::new(s.stale_after));
        health.beat();
        let metrics = s.metrics.map(|_| Arc::new(Metrics::new(&s.version, pack.fingerprint())));
        let endpoint = match (s.metrics, &metrics) {
            (Some(addr), Some(m)) => Some(Endpoint::start(addr, m.clone(), health.clone(), self.clock)?),
            _ => None,
        };
        let mut targets = Vec::new();
        for url in &s.alertmanagers {
            let t = Target::new(Kind::Alertmanager, url, Vec::new())
                .map_err(|source| ExportError::Url { flag: "--alertmanager", source })?;
            targets.push(t);
        }
        for url in &s.webhooks {
            let t = Target::new(Kind::Webhook, url, s.headers.clone())
                .map_err(|source| ExportError::Url { flag: "--webhook", source })?;
            targets.push(t);
        }
        let am_lanes: Vec<usize> = (0..s.alertmanagers.len()).collect();
        let hook_lanes: Vec<usize> = (s.alertmanagers.len()..targets.len()).collect();
        let queue = if targets.is_empty() {
            None
        } else {
            let policy = Policy { user_agent: format!("stackscan/{}", s.version), ..s.policy.clone() };
            Some(Queue::start(targets, policy, metrics.clone()).map_err(ExportError::Thread)?)
        };
        let alerts = (!am_lanes.is_empty()).then(|| {
            alerts::Alerts::new(alerts::Settings {
                instance: s.instance.clone(),
                resend_every_ms: self.resend_every().as_millis() as Millis,
            })
        });
        let webhook = match (&queue, hook_lanes.is_empty()) {
            (Some(q), false) => {
                let mut p = NdjsonPrinter::new(Box::new(Lines {
                    sender: q.sender(),
                    lanes: hook_lanes.clone(),
                    buf: Vec::new(),
                }));
                // Writing into the queue does not fail.
                let _ = p.begin(Head::Follow);
                Some(p)
            }
            _ => None,
        };
        Ok(Outputs {
            clock: self.clock,
            version: s.version.clone(),
            metrics,
            health,
            endpoint,
            queue,
            alerts,
            am_lanes,
            webhook,
            hooks: hook_lanes.len(),
        })
    }
}

/// A `Write` that queues each complete line for every webhook: the NDJSON printer writes into it.
struct Lines {
    sender: Sender,
    lanes: Vec<usize>,
    buf: Vec<u8>,
}

impl std::io::Write for Lines {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        while let Some(i) = memchr::memchr(b'\n', &self.buf) {
            let line: Vec<u8> = self.buf.drain(..=i).take(i).collect();
            for &l in &self.lanes {
                self.sender.push(l, line.clone(), None);
            }
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A cheap handle for the reading side: counts what is read and keeps the health beat.
#[derive(Debug, Clone)]
pub struct Probe {
    metrics: Option<Arc<Metrics>>,
    health: Arc<Health>,
}

impl Probe {
    /// `lines` lines and `bytes` bytes were read from a file of `component`.
    pub fn read(&self, component: Option<Component>, lines: u64, bytes: u64) {
        self.health.beat();
        if let Some(m) = &self.metrics {
            m.read(component, lines, bytes);
        }
    }
}

/// The running outputs (none of them, when nothing was asked for).
pub struct Outputs {
    clock: fn() -> Millis,
    version: String,
    metrics: Option<Arc<Metrics>>,
    health: Arc<Health>,
    endpoint: Option<Endpoint>,
    queue: Option<Queue>,
    alerts: Option<alerts::Alerts>,
    am_lanes: Vec<usize>,
    webhook: Option<NdjsonPrinter<'static>>,
    hooks: usize,
}

impl Outputs {
    /// No output: only the clock, for the events' `emitted_at`.
    pub fn none(clock: fn() -> Millis) -> Outputs {
        Outputs {
            clock,
            version: String::new(),
            metrics: None,
            health: Arc::new(Health::new(Duration::MAX)),
            endpoint: None,
            queue: None,
            alerts: None,
            am_lanes: Vec::new(),
            webhook: None,
            hooks: 0,
        }
    }

    /// A new unexplained error template was announced (for the metrics).
    pub fn unexplained(&self, view: &crate::correlate::UnexplainedView) {
        if let Some(m) = &self.metrics {
            m.unexplained_template(view.component, view.level.map_or("none", |l| l.as_str()));
        }
    }

    /// The wall clock, milliseconds since the epoch.
    pub fn now(&self) -> Millis {
        (self.clock)()
    }

    /// The handle for the reading side.
    pub fn probe(&self) -> Probe {
        Probe { metrics: self.metrics.clone(), health: self.health.clone() }
    }

    /// The address the metrics endpoint listens on.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.endpoint.as_ref().map(Endpoint::addr)
    }

    /// What runs, for the line printed at start: `metrics on http://…/metrics, alerts to 2 Alertmanagers, events
    /// to 1 webhook` (destinations are counted, not named: a URL may hold a token).
    pub fn describe(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(a) = self.metrics_addr() {
            parts.push(format!("metrics on http://{a}/metrics"));
        }
        let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        if !self.am_lanes.is_empty() {
            parts.push(format!("alerts to {}", plural(self.am_lanes.len(), "Alertmanager", "Alertmanagers")));
        }
        if self.hooks > 0 {
            parts.push(format!("events to {}", plural(self.hooks, "webhook", "webhooks")));
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    /// Every printed item: webhooks get its NDJSON line.
    pub fn item(&mut self, item: Item<'_>) {
        if let Some(p) = &mut self.webhook {
            // Writing into the queue does not fail.
            let _ = p.item(item);
        }
    }

    /// An incident event was announced.
    pub fn event(&mut self, kind: EventKind, incident: &Incident) {
        if let Some(m) = &self.metrics {
            m.incident_event(kind, incident);
        }
    }

    /// A correlation step: `incidents` as they stand, `is_open` saying which are announced and not resolved.
    pub fn stepped(&mut self, incidents: &[Incident], is_open: &dyn Fn(&str) -> bool) {
        if let Some(m) = &self.metrics {
            m.open_incidents(incidents.iter().filter(|i| is_open(&i.id)));
        }
        let wall = self.now();
        if let Some(a) = &mut self.alerts {
            let posts = a.step(incidents, is_open, wall);
            self.post(posts);
        }
    }

    fn post(&self, posts: Vec<alerts::Post>) {
        let Some(q) = &self.queue else { return };
        for p in posts {
            let body = p.body();
            for &l in &self.am_lanes {
                q.push(l, body.clone(), Some(p.key.clone()));
            }
        }
    }

    /// A pass of the follow loop: it is alive, follows `files` files, has read up to log time `log_now`; open
    /// alerts due for a re-send are posted.
    pub fn tick(&mut self, files: usize, log_now: Option<Millis>) {
        self.health.beat();
        if let Some(m) = &self.metrics {
            m.files_followed(files);
            m.newest_line(log_now);
        }
        if self.alerts.is_some() {
            let wall = self.now();
            let posts = self.alerts.as_mut().map(|a| a.due(wall)).unwrap_or_default();
            self.post(posts);
        }
    }

    /// A checkpoint was written (or not).
    pub fn checkpoint(&self, ok: bool) {
        if let Some(m) = &self.metrics {
            m.checkpoint(ok, self.now());
        }
    }

    /// The rule pack was reloaded.
    pub fn reloaded(&self, pack: &crate::rules::Pack) {
        if let Some(m) = &self.metrics {
            m.pack(&self.version, pack.fingerprint());
        }
    }

    /// Notes from the delivery side (destinations failing, recovering, drops), for the follow loop to print.
    pub fn take_notes(&mut self) -> Vec<String> {
        self.queue.as_ref().map(Queue::take_notes).unwrap_or_default()
    }

    /// Tail mode ends: the health turns to 503, queued messages get a last attempt (within [`EXIT_GRACE`]), the
    /// endpoint stops. Returns the last notes.
    pub fn close(&mut self) -> Vec<String> {
        self.health.stop();
        let notes = self.queue.take().map(|q| q.close(EXIT_GRACE)).unwrap_or_default();
        self.endpoint = None;
        notes
    }
}
