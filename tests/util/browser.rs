//! A real headless Chromium driven over WebDriver (chromedriver), for the tests of the HTML report: load a page,
//! run a script in it, take a screenshot, read the browser's console and network log.
//!
//! Debian's `chromium` and `chromium-driver` packages (`.ci/run` installs them when missing). chromedriver
//! listens on 127.0.0.1 on a free port; both processes are ended and the profile directory removed when the
//! [`Browser`] is dropped, also when a test panics.

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A chromedriver process with one Chromium session.
pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium, or returns `None` with a visible notice when they are not
    /// installed (under CI, with `CI` set, their absence fails the test instead).
    pub fn start() -> Option<Browser> {
        for p in [CHROMIUM, CHROMEDRIVER] {
            if !Path::new(p).exists() {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "{p} is missing and CI is set: apt-get install chromium chromium-driver"
                );
                eprintln!("NOTICE: skipped: {p} is missing (apt-get install chromium chromium-driver)");
                return None;
            }
        }
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().expect("profile dir");
        let mut b = Browser { driver, port, session: String::new(), _profile: profile };
        b.wait_ready();
        let args = [
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--no-first-run".into(),
            "--disable-dev-shm-usage".into(),
            "--window-size=1280,1600".into(),
            format!("--user-data-dir={}", b._profile.path().display()),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
            "goog:loggingPrefs": {"browser": "ALL", "performance": "ALL"},
        }}});
        let v = b.call("POST", "/session", Some(&caps));
        b.session = v["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {v}")).to_string();
        Some(b)
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(v) = self.try_call("GET", "/status", None) {
                if v["value"]["ready"] == true {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("chromedriver did not become ready on port {}", self.port);
    }

    /// Opens a local file in a clean tab: first `about:blank`, and the logs read so far (the browser's own start
    /// page) are dropped, so that they hold the file's page alone.
    pub fn open(&self, file: &Path) {
        self.session_call("POST", "url", Some(&json!({ "url": "about:blank" })));
        self.log("browser");
        self.log("performance");
        let url = format!("file://{}", file.display());
        self.session_call("POST", "url", Some(&json!({ "url": url })));
        // Navigation returns once the page loads, but under a loaded machine (the whole test suite in parallel) one
        // run saw fewer incidents than the page holds: wait until the document says it is complete.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while self.eval("return document.readyState;") != json!("complete") && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// Runs `script` (a function body) in the page and returns its value.
    pub fn eval(&self, script: &str) -> Value {
        self.session_call("POST", "execute/sync", Some(&json!({"script": script, "args": []})))
    }

    /// A screenshot of the viewport, as PNG bytes.
    pub fn screenshot(&self) -> Vec<u8> {
        use base64::Engine;
        let v = self.session_call("GET", "screenshot", None);
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().expect("base64 screenshot"))
            .expect("decode screenshot")
    }

    /// The entries of a log (`browser`: console messages; `performance`: DevTools events, network included)
    /// since it was last read.
    pub fn log(&self, kind: &str) -> Vec<Value> {
        self.session_call("POST", "se/log", Some(&json!({ "type": kind }))).as_array().cloned().unwrap_or_default()
    }

    /// The text of an open alert, if a script opened one.
    pub fn alert_text(&self) -> Option<String> {
        let r = self.try_call("GET", &format!("/session/{}/alert/text", self.session), None).ok()?;
        r["value"].as_str().map(str::to_string)
    }

    fn session_call(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let v = self.call(method, &format!("/session/{}/{path}", self.session), body);
        v["value"].clone()
    }

    /// A WebDriver call that must succeed: the whole answer.
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        self.try_call(method, path, body).unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    fn try_call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let (status, v) = http(self.port, method, path, body).map_err(|e| e.to_string())?;
        if status >= 400 {
            return Err(format!("HTTP {status}: {v}"));
        }
        Ok(v)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = http(self.port, "DELETE", &format!("/session/{}", self.session), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("local addr").port()
}

/// One HTTP/1.1 request with a JSON body to 127.0.0.1:`port`: the status and the JSON body of the answer, read by
/// its `Content-Length` (chromedriver keeps the connection open) or its chunks.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> std::io::Result<(u16, Value)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(90)))?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut raw = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    let complete = |raw: &[u8]| -> Option<(usize, usize)> {
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
        let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
        let len: Option<usize> =
            head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok());
        match len {
            Some(n) => (raw.len() >= split + n).then_some((split, split + n)),
            None if head.contains("transfer-encoding: chunked") => {
                raw.ends_with(b"0\r\n\r\n").then_some((split, raw.len()))
            }
            None => None,
        }
    };
    let (split, end) = loop {
        if let Some(done) = complete(&raw) {
            break done;
        }
        let n = s.read(&mut buf)?;
        if n == 0 {
            let split = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| bad("no header end"))? + 4;
            break (split, raw.len());
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut payload = raw[split..end].to_vec();
    let status: u16 = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).ok_or_else(|| bad("no status"))?;
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        payload = dechunk(&payload)?;
    }
    let v = if payload.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&payload).map_err(|e| bad(&e.to_string()))?
    };
    Ok((status, v))
}

fn dechunk(mut b: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = b.windows(2).position(|w| w == b"\r\n").ok_or_else(|| bad("chunk size"))?;
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).map_err(|e| bad(&e.to_string()))?;
        if size == 0 {
            return Ok(out);
        }
        let start = eol + 2;
        out.extend_from_slice(b.get(start..start + size).ok_or_else(|| bad("short chunk"))?);
        b = b.get(start + size + 2..).unwrap_or_default();
    }
}

fn bad(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string())
}

/// Whether a PNG shows more than one colour (a blank page is one colour).
pub fn png_colours(png_bytes: &[u8]) -> usize {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("a PNG frame");
    let px = info.color_type.samples() * (info.bit_depth as usize).max(8) / 8;
    let mut colours = std::collections::HashSet::new();
    for p in buf[..info.buffer_size()].chunks(px) {
        colours.insert(p.to_vec());
        if colours.len() > 64 {
            break;
        }
    }
    colours.len()
}
