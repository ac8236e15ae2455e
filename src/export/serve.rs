//! The HTTP endpoint of `follow --metrics ADDR`: `GET /metrics` (the [`Metrics`] exposition, OpenMetrics when the
//! client asks for it, as Prometheus does, else the classic text format) and `GET /-/healthy` (200 while the
//! reader loop is alive, 503 once it is stuck or stopped), on a thread of its own so that a slow scraper never
//! holds up reading.
//!
//! A small synchronous server (tiny_http) is enough: one scrape every few seconds, no async runtime. The
//! endpoint is stopped when it is dropped.

use super::metrics::{Metrics, OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE};
use crate::time::Millis;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Whether the reader loop is alive: it beats on every pass and every block read; it is healthy while the last
/// beat is more recent than the limit and it has not stopped.
#[derive(Debug)]
pub struct Health {
    epoch: Instant,
    /// Milliseconds after `epoch` of the last beat.
    last: AtomicU64,
    stale_after: Duration,
    stopped: AtomicBool,
}

impl Health {
    /// Healthy while beats come at least every `stale_after`.
    pub fn new(stale_after: Duration) -> Health {
        Health { epoch: Instant::now(), last: AtomicU64::new(0), stale_after, stopped: AtomicBool::new(false) }
    }

    /// The reader loop is alive.
    pub fn beat(&self) {
        self.last.store(self.epoch.elapsed().as_millis() as u64, Ordering::Relaxed);
    }

    /// The reader loop has ended.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Relaxed);
    }

    /// `Ok` while alive; otherwise why not.
    pub fn check(&self) -> Result<(), String> {
        if self.stopped.load(Ordering::Relaxed) {
            return Err("the reader loop has stopped".into());
        }
        let since = Duration::from_millis(self.epoch.elapsed().as_millis() as u64 - self.last.load(Ordering::Relaxed));
        if since > self.stale_after {
            return Err(format!("the reader loop has not run for {}s", since.as_secs()));
        }
        Ok(())
    }
}

/// The running endpoint; stopped when dropped.
pub struct Endpoint {
    server: Arc<tiny_http::Server>,
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// Why the endpoint could not start.
#[derive(Debug, thiserror::Error)]
#[error("--metrics {addr}: cannot listen: {reason}")]
pub struct ListenError {
    addr: SocketAddr,
    reason: String,
}

impl Endpoint {
    /// Listens on `addr` (port 0: any free port; see [`Endpoint::addr`]) and serves `metrics` and `health`, with the
    /// wall clock `clock` (ms since the epoch) for the follow lag.
    pub fn start(
        addr: SocketAddr,
        metrics: Arc<Metrics>,
        health: Arc<Health>,
        clock: fn() -> Millis,
    ) -> Result<Endpoint, ListenError> {
        let server = tiny_http::Server::http(addr).map_err(|e| ListenError { addr, reason: e.to_string() })?;
        let bound = server.server_addr().to_ip().unwrap_or(addr);
        let server = Arc::new(server);
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (server, stop) = (server.clone(), stop.clone());
            std::thread::Builder::new()
                .name("metrics".into())
                .spawn(move || serve(&server, &stop, &metrics, &health, clock))
                .map_err(|e| ListenError { addr, reason: format!("cannot start its thread: {e}") })?
        };
        Ok(Endpoint { server, addr: bound, stop, thread: Some(thread) })
    }

    /// The address listened on (with the port chosen when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(server: &tiny_http::Server, stop: &AtomicBool, metrics: &Metrics, health: &Health, clock: fn() -> Millis) {
    while !stop.load(Ordering::Relaxed) {
        let request = match server.recv() {
            Ok(r) => r,
            // Unblocked to stop, or a failed accept: the loop condition decides.
            Err(_) => {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        let response = respond(&request, metrics, health, clock);
        // A client that went away is its own business.
        let _ = request.respond(response);
    }
}

/// A response header; every name and value passed is a constant of this file, valid header text.
fn header(name: &str, value: &str) -> tiny_http::Header {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("a constant, valid header")
}

fn respond(
    request: &tiny_http::Request,
    metrics: &Metrics,
    health: &Health,
    clock: fn() -> Millis,
) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    use tiny_http::{Method, Response};
    let path = request.url().split('?').next().unwrap_or("");
    let text = |code: u16, body: String| {
        Response::from_string(body)
            .with_status_code(code)
            .with_header(header("Content-Type", "text/plain; charset=utf-8"))
    };
    if !matches!(request.method(), Method::Get | Method::Head) {
        return text(405, "only GET\n".into()).with_header(header("Allow", "GET, HEAD"));
    }
    match path {
        "/metrics" => {
            let openmetrics = request
                .headers()
                .iter()
                .any(|h| h.field.equiv("Accept") && h.value.as_str().contains("application/openmetrics-text"));
            let body = metrics.render(clock(), openmetrics);
            let ct = if openmetrics { OPENMETRICS_CONTENT_TYPE } else { TEXT_CONTENT_TYPE };
            Response::from_string(body).with_header(header("Content-Type", ct))
        }
        "/-/healthy" => match health.check() {
            Ok(()) => text(200, "stackscan follow is reading.\n".into()),
            Err(why) => text(503, format!("stackscan follow is not reading: {why}.\n")),
        },
        "/" => text(200, "stackscan follow: /metrics, /-/healthy\n".into()),
        _ => text(404, "not found: /metrics, /-/healthy\n".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    fn get(addr: SocketAddr, path: &str, accept: &str) -> (u16, String, String) {
        let mut s = std::net::TcpStream::connect(addr).expect("connect");
        write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\nAccept: {accept}\r\nConnection: close\r\n\r\n").expect("send");
        let mut out = String::new();
        s.read_to_string(&mut out).expect("read");
        let code = out[9..12].parse().expect("status");
        let (head, body) = out.split_once("\r\n\r\n").expect("head and body");
        let ct = head.lines().find_map(|l| l.strip_prefix("Content-Type: ")).unwrap_or_default().to_string();
        (code, ct, body.to_string())
    }

    fn clock() -> Millis {
        1_700_000_000_000
    }

    #[test]
    fn serves_metrics_in_both_formats_and_health() {
        let metrics = Arc::new(Metrics::new("0.1.0", "f"));
        let health = Arc::new(Health::new(Duration::from_secs(60)));
        health.beat();
        let e = Endpoint::start("127.0.0.1:0".parse().expect("addr"), metrics, health.clone(), clock).expect("start");
        assert_ne!(e.addr().port(), 0, "the port chosen is known");
        let (code, ct, body) = get(e.addr(), "/metrics", "application/openmetrics-text;version=1.0.0,*/*;q=0.1");
        assert_eq!((code, ct.as_str()), (200, OPENMETRICS_CONTENT_TYPE));
        assert!(body.contains("stackscan_build_info") && body.ends_with("# EOF\n"), "{body}");
        let (code, ct, body) = get(e.addr(), "/metrics", "*/*");
        assert_eq!((code, ct.as_str()), (200, TEXT_CONTENT_TYPE));
        assert!(!body.contains("# EOF"), "{body}");
        assert_eq!(get(e.addr(), "/-/healthy", "*/*").0, 200);
        assert_eq!(get(e.addr(), "/nope", "*/*").0, 404);
        health.stop();
        let (code, _, body) = get(e.addr(), "/-/healthy", "*/*");
        assert_eq!(code, 503, "{body}");
        let addr = e.addr();
        drop(e);
        // The listener closes on the server's accept thread, just after the drop.
        let end = Instant::now() + Duration::from_secs(5);
        while std::net::TcpStream::connect(addr).is_ok() {
            assert!(Instant::now() < end, "stopped when dropped");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn a_loop_that_stops_beating_is_unhealthy() {
        let h = Health::new(Duration::from_millis(0));
        h.beat();
        std::thread::sleep(Duration::from_millis(5));
        assert!(h.check().unwrap_err().contains("has not run"));
    }
}
