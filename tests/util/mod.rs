//! Helpers shared by the integration tests: running the binary, reading its JSON report, finding episodes.

#![allow(dead_code)]

pub mod browser;

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Tiny xorshift, for reproducible random sequences in seeded tests (the seed must not be 0).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n` (not 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path under `fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("fixtures").join(rel)
}

/// The `stackscan` binary, run from the crate root with a clean environment for colour.
pub fn cmd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_stackscan"));
    c.current_dir(root()).env_remove("NO_COLOR").stdin(Stdio::null());
    c
}

/// Runs the binary with `args`.
pub fn run<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    cmd().args(args).output().expect("run stackscan")
}

/// The exit code (panics on a signal).
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or_else(|| panic!("killed by a signal: {o:?}"))
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `stackscan scan --format json ARGS...`: the parsed report, asserting exit code `want_code`.
pub fn scan_json_code<I, S>(args: I, want_code: i32) -> (Value, Output)
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut c = cmd();
    c.args(["scan", "--format", "json"]).args(args);
    let o = c.output().expect("run stackscan");
    assert_eq!(code(&o), want_code, "exit code; stderr: {}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", String::from_utf8_lossy(&o.stdout)));
    (v, o)
}

/// `stackscan scan --format json ARGS...`, expecting exit 0.
pub fn scan_json<I, S>(args: I) -> Value
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    scan_json_code(args, 0).0
}

/// Runs `stackscan ARGS... -` with `input` on stdin, written by a thread of its own (so a large input never
/// blocks on a full pipe); its output once it exits.
pub fn run_with_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = cmd()
        .args(args)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run stackscan");
    let mut w = child.stdin.take().expect("stdin");
    let bytes = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = std::io::Write::write_all(&mut w, &bytes);
    });
    let o = child.wait_with_output().expect("wait");
    let _ = writer.join();
    o
}

/// `stackscan scan --format json ARGS... -` with `input` on stdin, expecting exit 0.
pub fn scan_json_stdin(args: &[&str], input: &[u8]) -> Value {
    let all: Vec<&str> = ["scan", "--format", "json"].iter().chain(args).copied().collect();
    let o = run_with_stdin(&all, input);
    assert_eq!(code(&o), 0, "exit code; stderr: {}", stderr(&o));
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", String::from_utf8_lossy(&o.stdout)))
}

/// Every episode of every incident (incidents may group several episodes).
pub fn all_episodes(report: &Value) -> Vec<&Value> {
    report["incidents"]
        .as_array()
        .expect("incidents array")
        .iter()
        .flat_map(|i| i["episodes"].as_array().expect("episodes array").iter())
        .collect()
}

/// The episodes of rule `rule_id`, whatever incident they were grouped into.
pub fn episodes<'a>(report: &'a Value, rule_id: &str) -> Vec<&'a Value> {
    all_episodes(report).into_iter().filter(|e| e["rule"] == rule_id).collect()
}

/// The one episode of `rule_id` whose key field `k` equals `v`.
pub fn episode<'a>(report: &'a Value, rule_id: &str, k: &str, v: &str) -> &'a Value {
    let found: Vec<&Value> = episodes(report, rule_id).into_iter().filter(|e| e["key"][k] == v).collect();
    assert_eq!(found.len(), 1, "episodes of {rule_id} with {k}={v}: {found:#?}");
    found[0]
}

/// The one episode of `rule_id`.
pub fn only_episode<'a>(report: &'a Value, rule_id: &str) -> &'a Value {
    let found = episodes(report, rule_id);
    assert_eq!(found.len(), 1, "episodes of {rule_id}: {found:#?}");
    found[0]
}

/// The distinct rule ids found.
pub fn rule_ids(report: &Value) -> std::collections::BTreeSet<String> {
    all_episodes(report).iter().map(|e| e["rule"].as_str().expect("rule id").to_string()).collect()
}

/// Sum of `count` over episodes.
pub fn total_count(eps: &[&Value]) -> u64 {
    eps.iter().map(|e| e["count"].as_u64().expect("count")).sum()
}

/// A sample's (file name, line, matched_line).
pub fn sample_at(s: &Value) -> (String, u64, Option<u64>) {
    let path = s["path"].as_str().expect("sample path");
    let name = Path::new(path).file_name().expect("file name").to_string_lossy().into_owned();
    (name, s["line"].as_u64().expect("sample line"), s.get("matched_line").and_then(Value::as_u64))
}

/// Every string anywhere in a JSON value.
pub fn strings(v: &Value) -> Vec<&str> {
    let mut out = Vec::new();
    fn walk<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::String(s) => out.push(s),
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Value::Object(o) => o.iter().for_each(|(k, x)| {
                out.push(k);
                walk(x, out)
            }),
            _ => {}
        }
    }
    walk(v, &mut out);
    out
}

/// The report without `scan.elapsed_ms` (and the state's copy of it), the one value allowed to differ between
/// runs.
pub fn without_elapsed(mut v: Value) -> Value {
    v["scan"].as_object_mut().expect("scan object").remove("elapsed_ms");
    // The scan state a JSON report carries (for `merge`) holds the same wall time in its totals.
    if let Some(stats) = v.pointer_mut("/state/stats").and_then(Value::as_object_mut) {
        stats.remove("elapsed_ms");
    }
    v
}

/// Whether this process can be denied a read by file permissions (not root).
pub fn permissions_apply(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join(".probe");
    std::fs::write(&p, b"x").expect("write probe");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).expect("chmod probe");
    let readable = std::fs::read(&p).is_ok();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).expect("chmod probe back");
    std::fs::remove_file(&p).expect("remove probe");
    !readable
}

/// A folder of the shared corpora (`../shared/corpus/NAME`), or `None` with a visible notice when it is absent.
/// Under CI (`CI` set) an absent corpus fails the test instead: the checks it carries must run there.
pub fn shared_corpus(name: &str) -> Option<PathBuf> {
    let dir = root().join("../shared/corpus").join(name);
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(std::env::var_os("CI").is_none(), "{} is absent, and CI is set: the test cannot be skipped", dir.display());
    eprintln!("NOTICE: skipped: {} is absent (a fresh clone has no ../shared)", dir.display());
    None
}

/// A receiver log in `dir` (`stackstate-receiver/stackstate-receiver.log`) whose one matching line carries markup
/// and terminal escapes where a report shows log text: in the URL (sample), and in the member name (a key field,
/// so also in the incident's title). Returns the directory to scan.
pub fn hostile_receiver_log(dir: &Path) -> PathBuf {
    let d = dir.join("stackstate-receiver");
    std::fs::create_dir_all(&d).expect("mkdir");
    let line = "2024-03-12 13:40:41,301 [StsReceiver-akka.actor.default-dispatcher-24] WARN  \
                com.stackstate.api.ReceiverRoutes - 10.9.9.9 - POST http://stackstate-host:7077/stsAgent/intake/?x=\
                <script>alert(1)</script>`|[a](http://x) (6211): 400 Bad Request Failed to deserialize JSON on fields: , \
                with message: Object is missing required member '<img src=x onerror=alert(2)>\x1b[31mred\x1b[0m'\n";
    std::fs::write(d.join("stackstate-receiver.log"), line).expect("write");
    dir.to_path_buf()
}

/// A second copy of [`hostile_receiver_log`]'s line in a file whose name holds markup and a terminal escape.
pub fn hostile_file_name(dir: &Path) {
    let d = dir.join("stackstate-receiver");
    let line = std::fs::read(d.join("stackstate-receiver.log")).expect("the hostile log first");
    std::fs::write(d.join("stackstate-receiver-\x1b[2J<b>bold.log"), line).expect("write");
}

/// The rules the engine fires on `line` when the line is a record of its own, given which rules' regexes match it
/// (`matches`): the precedence of `Rule::rank` in a record (a writer's sentence always fires, a writer's fallback where
/// no sentence fired, one failure kind where nothing else fired), a writer's rule in another writer's line (a
/// stranger), or a `known_writer` rule in a line of no known writer, only where nothing else fired. The line's writer
/// is `component`, else its layout's. The plain reference the prefilter and differential tests hold the engine to.
pub fn fired_on_line(
    pack: &stackscan::rules::Pack,
    line: &[u8],
    component: Option<stackscan::model::Component>,
    matches: impl Fn(usize) -> bool,
) -> Vec<usize> {
    use stackscan::rules::Layer;
    let told = component.or_else(|| stackscan::source::classify::component_of_line(line));
    let rank = |i: usize| {
        let r = &pack.rules()[i];
        match told {
            Some(c) if r.layer == Layer::Writer && !r.components.contains(c) => 4,
            None if r.layer == Layer::Writer && r.known_writer => 4,
            _ => r.rank(),
        }
    };
    let mut hits: Vec<usize> = (0..pack.rules().len()).filter(|&i| matches(i)).collect();
    hits.sort_by_key(|&i| (rank(i), i));
    let mut fired: Vec<(usize, u8)> = Vec::new();
    for i in hits {
        let outranked = match rank(i) {
            0 => false,
            1 => fired.iter().any(|&(_, r)| r == 0),
            _ => !fired.is_empty(),
        };
        if !outranked {
            fired.push((i, rank(i)));
        }
    }
    fired.into_iter().map(|(i, _)| i).collect()
}

/// Polls `f` every 100 ms until it is true (true) or `deadline` passes (false).
pub fn until(deadline: Duration, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + deadline;
    loop {
        if f() {
            return true;
        }
        if Instant::now() >= end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Lines a child writes to a pipe, kept as they come (the pipe is drained, so the child never blocks on it).
#[derive(Clone, Default)]
pub struct Lines(Arc<Mutex<Vec<String>>>);

impl Lines {
    /// Reads `pipe` on a thread of its own until it closes.
    pub fn read_from(pipe: impl std::io::Read + Send + 'static) -> Lines {
        let lines = Lines::default();
        let keep = lines.clone();
        std::thread::spawn(move || {
            for l in BufReader::new(pipe).lines() {
                let Ok(l) = l else { break };
                keep.0.lock().unwrap().push(l);
            }
        });
        lines
    }

    /// Adds a line (for lines that come from elsewhere than a pipe).
    pub fn push(&self, l: String) {
        self.0.lock().unwrap().push(l);
    }

    /// Every line so far.
    pub fn all(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    /// The first line for which `f` gives a value, waiting up to `deadline`.
    pub fn find<T>(&self, deadline: Duration, f: impl Fn(&str) -> Option<T>) -> Option<T> {
        let mut found = None;
        until(deadline, || {
            found = self.all().iter().find_map(|l| f(l));
            found.is_some()
        });
        found
    }
}

/// Sends SIGTERM to `child`.
pub fn sigterm(child: &Child) {
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
}

/// Waits for `child` to exit, up to `deadline`; kills it after that.
pub fn reap(child: &mut Child, deadline: Duration) -> Option<std::process::ExitStatus> {
    let end = Instant::now() + deadline;
    while Instant::now() < end {
        if let Ok(Some(s)) = child.try_wait() {
            return Some(s);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// A site's own rules, to add to the shipped pack: `n` kind rules (`site.r0`, ...), each with a sentence of its own
/// (sentences share pieces, as real ones do: `Refusing session request`, `Refusing session renewal`), as TOML, and
/// one log line of each (its example).
pub fn site_rules(n: usize) -> (String, Vec<String>) {
    let verbs = ["Refusing session", "Rejecting batch", "Dropping chunk"];
    let objects = ["request", "renewal", "retry", "resend"];
    let mut toml = String::new();
    let mut lines = Vec::new();
    for i in 0..n {
        // Distinct for the first 24.
        let sentence =
            format!("{} {} for tenant {}", verbs[i % 3], objects[(i / 3) % 4], ["north", "south"][(i / 12) % 2]);
        let line = format!("2024-03-01 12:00:{:02},123 ERROR c.s.Site - {sentence} t{i}", i % 60);
        toml.push_str(&format!(
            "[[rule]]\nid = \"site.r{i}\"\ntitle = \"t\"\nfamily = \"connection\"\nseverity = \"error\"\n\
             components = [\"receiver\"]\nlayer = \"kind\"\npattern = '''{sentence} (?P<tenant>\\w+)'''\n\
             description = \"d\"\nnext_steps = [\"none\"]\n[[rule.examples]]\nline = '''{line}'''\n\
             fields = {{ tenant = \"t{i}\" }}\n"
        ));
        lines.push(line);
    }
    (toml, lines)
}
