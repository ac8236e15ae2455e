//! Which component wrote a log: from its path (Linux trees, pod log directories, files saved one per pod), from a
//! pod or container name (kubectl captures), or, as a last resort, from the layout of a line.
//!
//! Real names (LOG-FORMATS.md): `stackstate-receiver/stackstate-receiver.2019-12-17.0.log`,
//! `kafka-to-es/kafkaEventsToES.log.2019-12-17.0`, `elasticsearch7/stackstate_server.json`, `kafka/server.log`,
//! `/var/log/stackstate-agent/agent.log`, pods `stackstate-receiver-5b9d79db86-h2hkz`, `stackstate-mm2es-...`,
//! `stackstate-elasticsearch-master-0`, `/var/log/pods/<ns>_<pod>_<uid>/<container>/0.log`.

use crate::model::Component;
use std::path::Path;

/// What is known about where a log came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct Origin {
    /// The component, when it could be told.
    pub component: Option<Component>,
    /// The kafka-to-es process (`mm2es`, `e2es`, `trace2es`, `sts2es`).
    pub process: Option<String>,
    /// The pod, for Kubernetes captures.
    pub pod: Option<String>,
}

impl Origin {
    /// An origin with just a component.
    pub fn of(component: Component) -> Origin {
        Origin { component: Some(component), ..Origin::default() }
    }

    /// This origin once the user has said what wrote the input (`--component`). Who wrote a line is decided, most
    /// exact first: the pod a capture prefix or a pod log path names; then `--component`; then the file's path
    /// (its directory or name); then the line's own layout (decided per record by the scanner). A told component
    /// other than the path's drops the kafka-to-es process the path named.
    pub fn told(self, component: Option<Component>) -> Origin {
        match component {
            Some(c) if self.pod.is_none() && self.component != Some(c) => {
                Origin { component: Some(c), process: None, pod: None }
            }
            _ => self,
        }
    }
}

/// The kafka-to-es process of a Linux file name (`kafkaMultiMetricsToES.log` → `mm2es`).
fn k2es_process_of_file(name: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase();
    if n.contains("multimetrics") {
        Some("mm2es")
    } else if n.contains("trace") {
        Some("trace2es")
    } else if n.contains("stsevents") {
        Some("sts2es")
    } else if n.contains("events") {
        Some("e2es")
    } else {
        None
    }
}

/// The component (and process) of a pod or container name, with or without a release prefix:
/// `stackstate-receiver-5b9d79db86-h2hkz`, `receiver`, `suse-observability-mm2es-7c9f-x2`, `node-agent`.
pub fn origin_of_name(name: &str) -> Option<Origin> {
    let n = name.to_ascii_lowercase();
    let parts: Vec<&str> = n.split(['-', '_', '.']).collect();
    let has = |p: &str| parts.contains(&p);
    for proc_ in ["mm2es", "e2es", "trace2es", "sts2es"] {
        if has(proc_) {
            return Some(Origin { component: Some(Component::KafkaToEs), process: Some(proc_.into()), pod: None });
        }
    }
    if n.contains("kafka-to-es") || n.contains("kafkatoes") || n.contains("k2es") {
        return Some(Origin::of(Component::KafkaToEs));
    }
    if has("receiver") {
        return Some(Origin::of(Component::Receiver));
    }
    if n.contains("kube-state-metrics") {
        return Some(Origin::of(Component::KubeStateMetrics));
    }
    // `prometheusmirror` (the service of the docs' mirror data source URL), `stackstate-prometheus-mirror-…`.
    if n.contains("prometheusmirror") || (has("prometheus") && has("mirror")) {
        return Some(Origin::of(Component::PrometheusMirror));
    }
    if has("elasticsearch") || n.starts_with("elasticsearch") {
        return Some(Origin::of(Component::Elasticsearch));
    }
    if has("zookeeper") {
        return Some(Origin::of(Component::Zookeeper));
    }
    if has("kafka") {
        return Some(Origin::of(Component::Kafka));
    }
    if has("agent")
        || n.contains("stackstate-agent")
        || n.contains("cluster-agent")
        || n.contains("node-agent")
        || n.contains("checks-agent")
        || n.contains("process-agent")
    {
        return Some(Origin::of(Component::Agent));
    }
    if n.starts_with("stackstate-") || n.starts_with("suse-observability-") {
        return Some(Origin::of(Component::Stackstate));
    }
    None
}

/// The origin of a file from its path.
pub fn origin_of_path(path: &Path) -> Origin {
    let comps: Vec<String> = path.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    let Some(file) = comps.last() else { return Origin::default() };

    // /var/log/pods/<ns>_<pod>_<uid>/<container>/<n>.log
    if let Some(i) = comps.iter().rposition(|c| c == "pods") {
        if comps.len() >= i + 4 {
            let pod_dir = &comps[i + 1];
            let container = &comps[i + 2];
            let pod = pod_dir.split('_').nth(1).unwrap_or(pod_dir).to_string();
            let mut o = origin_of_name(container).or_else(|| origin_of_name(&pod)).unwrap_or_default();
            o.pod = Some(pod);
            return o;
        }
    }
    // /var/log/containers/<pod>_<ns>_<container>-<id>.log
    if comps.len() >= 2 && comps[comps.len() - 2] == "containers" {
        let stem = file.trim_end_matches(".log");
        let mut it = stem.split('_');
        if let (Some(pod), Some(_ns), Some(rest)) = (it.next(), it.next(), it.next()) {
            let container = rest.rsplit_once('-').map_or(rest, |(c, _)| c);
            let mut o = origin_of_name(container).or_else(|| origin_of_name(pod)).unwrap_or_default();
            o.pod = Some(pod.to_string());
            return o;
        }
    }

    let lower_file = file.to_ascii_lowercase();
    if lower_file.contains("toes.log") || lower_file.starts_with("kafka") && lower_file.contains("toes") {
        return Origin {
            component: Some(Component::KafkaToEs),
            process: k2es_process_of_file(file).map(str::to_string),
            pod: None,
        };
    }
    // Directory names of the Linux tree, nearest first.
    for dir in comps[..comps.len() - 1].iter().rev() {
        let d = dir.to_ascii_lowercase();
        let c = match d.as_str() {
            "stackstate-receiver" | "receiver" => Some(Component::Receiver),
            "kafka-to-es" => Some(Component::KafkaToEs),
            "kafka" => Some(Component::Kafka),
            "zookeeper" => Some(Component::Zookeeper),
            "stackstate-agent" | "agent" => Some(Component::Agent),
            d if d.starts_with("elasticsearch") => Some(Component::Elasticsearch),
            _ => None,
        };
        if let Some(c) = c {
            return Origin::of(c);
        }
        if d == "log" || d == "var" || d == "opt" {
            break;
        }
    }
    let stem = lower_file.split('.').next().unwrap_or("");
    match stem {
        "agent" | "process-agent" | "trace-agent" | "security-agent" | "system-probe" | "cluster-agent" => {
            return Origin::of(Component::Agent)
        }
        "stackstate-receiver" => return Origin::of(Component::Receiver),
        _ => {}
    }
    // One file per pod: `stackstate-receiver-5b9d79db86-h2hkz.log`.
    if let Some(mut o) = origin_of_name(stem) {
        if stem.contains('-') && !["stackstate", "server", "controller"].contains(&stem) {
            o.pod = Some(file.trim_end_matches(".log").trim_end_matches(".txt").to_string());
        }
        return o;
    }
    // Other StackState server processes in the Linux tree: stackstate-server, stackstate-api, sync, ...
    if comps.iter().any(|c| c == "stackstate") && comps.iter().any(|c| c == "var") {
        return Origin::of(Component::Stackstate);
    }
    Origin::default()
}

/// Who wrote a line, as far as its own layout and logger tell: for inputs whose path says nothing (stdin without
/// `--prefix`, a file named `capture.log`). Decided per line, from the line alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// Elasticsearch (or OpenSearch) itself: plain `[ts][LEVEL][o.e.…] [node]`, 1.x/2.x plain with unprefixed
    /// loggers, ES 7 JSON (`"type": "server"`, also its `"stacktrace": [` lines printed one per line), ES 8 ECS.
    Elasticsearch,
    /// A Kafka broker: log4j `[ts] LEVEL msg (logger)` with a broker logger, including the broker's own ZooKeeper
    /// client (`(org.apache.zookeeper.ClientCnxn)`) and its inter-broker clients (`[ReplicaFetcher …]`).
    KafkaBroker,
    /// A Kafka client library in some other process (`org.apache.kafka.clients…`, Kafka Connect): the root cause
    /// of its connection errors is Kafka, but the line is the client's.
    KafkaClient(ClientRole),
    /// A ZooKeeper server: `ts [myid:N] - LEVEL [thread:Class@line] - msg`, or Kafka's log4j layout with one of its
    /// own loggers (`(org.apache.zookeeper.server.…)`: Kafka's bundled script, Confluent's image).
    Zookeeper,
    /// A client that writes to Elasticsearch in bulk: kafka-to-es, or software doing the same job (a logger naming
    /// Elasticsearch or bulk requests, Logstash's Elasticsearch output).
    BulkWriter,
    /// The StackState/Datadog agent: `ts ZONE | [LOGGER |] LEVEL | (file.go:N in fn) | msg`, the Python agent 5
    /// `ts ZONE | LEVEL | dd.logger | file(x.py:N) | msg`, `[ AGENT ]` and the agent's JSON format.
    Agent,
    /// An Akka/Pekko HTTP (or spray-can) server, which in StackState is the receiver.
    AkkaHttp,
    /// The receiver's own loggers (`ReceiverRoutes`, `c.s.receiver…`).
    Receiver,
}

/// What a Kafka client does, from its `[Producer clientId=…]` context or thread name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientRole {
    /// A producer: in StackState the receiver.
    Producer,
    /// A consumer: in StackState kafka-to-es (mm2es, e2es, trace2es).
    Consumer,
    /// An admin client, or no context: any StackState JVM service.
    Other,
}

impl Writer {
    /// The pipeline component this writer stands for, when one does.
    pub fn component(self) -> Option<Component> {
        match self {
            Writer::Elasticsearch => Some(Component::Elasticsearch),
            Writer::KafkaBroker => Some(Component::Kafka),
            Writer::KafkaClient(ClientRole::Producer) => Some(Component::Receiver),
            Writer::KafkaClient(ClientRole::Consumer) => Some(Component::KafkaToEs),
            Writer::KafkaClient(ClientRole::Other) => None,
            Writer::Zookeeper => Some(Component::Zookeeper),
            Writer::BulkWriter => Some(Component::KafkaToEs),
            Writer::Agent => Some(Component::Agent),
            Writer::AkkaHttp | Writer::Receiver => Some(Component::Receiver),
        }
    }
}

/// How much of a line's start the layout checks read: the timestamp, level, thread and logger of every layout
/// above fit (a logback thread such as `[kafka-producer-network-thread | producer-1]` included).
const HEAD: usize = 320;
/// How much of a line's end is read for a trailing logger (Kafka broker `(logger)`, ES 8 ECS keys).
const TAIL: usize = 200;

/// The needles [`writer_of_line`] searches, each with a searcher built once: building one per search cost more
/// than the search on a hit-heavy scan.
macro_rules! marks {
    ($($name:ident = $text:literal),+ $(,)?) => {
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Clone, Copy)]
        enum Needle { $($name),+ }
        const MARK_TEXT: &[&[u8]] = &[$($text),+];
    };
}

marks! {
    PIPE = b" | ",
    PIPE_PAREN = b" | (",
    GO_FILE = b".go:",
    PY_FILE = b".py:",
    DD_LOGGER = b" | dd.",
    MYID = b" [myid:",
    KAFKA_CLIENTS = b"org.apache.kafka.clients",
    KAFKA_CLIENTS_ABBR = b"o.a.k.c",
    KAFKA_CONNECT = b"org.apache.kafka.connect",
    PRODUCER = b"[Producer clientId=",
    CONSUMER = b"[Consumer clientId=",
    PRODUCER_THREAD = b"kafka-producer-network-thread",
    ADMIN = b"[AdminClient clientId=",
    SINK_TASK = b"WorkerSinkTask",
    RECEIVER_ROUTES = b"ReceiverRoutes",
    RECEIVER_LOGGER = b".receiver.",
    KAFKATOES = b"kafkatoes",
    KAFKATOES_CAMEL = b"KafkaToES",
    K2ES = b"k2es",
    BULK = b"Bulk",
    BULK_LOWER = b"bulk",
    ES_CAMEL = b"ElasticSearch",
    ES_TITLE = b"Elasticsearch",
    ES_LOWER = b"elasticsearch",
    ORG_ES = b"org.elasticsearch",
    AKKA_HTTP = b"akka.http.",
    PEKKO_HTTP = b"pekko.http.",
    AKKA_ACTOR_SYSTEM = b"ActorSystemImpl",
    AKKA_TCP_LISTENER = b"akka.io.TcpListener",
    PEKKO_TCP_LISTENER = b"pekko.io.TcpListener",
    AKKA = b"akka.",
    PEKKO = b"pekko.",
    ENTITY_STREAM = b"EntityStreamException",
    SPRAY_CAN = b"spray.can.",
    ES7_TYPE = b"\"type\": \"server\"",
    ES7_TYPE_DEPRECATION = b"\"type\": \"deprecation",
    ES7_CLUSTER = b"\"cluster.name\"",
    ECS_LEVEL_SPACED = b"\"log.level\": \"",
    ECS_ES_LOGGER = b"\"log.logger\":\"org.elasticsearch",
    ECS_ES_SERVICE = b"\"service.name\":\"ES_ECS\"",
    ECS_ES_KEYS = b"\"elasticsearch.",
    AGENT_JSON = b"{\"agent\":\"",
}

fn mark(m: Needle) -> &'static memchr::memmem::Finder<'static> {
    static FINDERS: std::sync::LazyLock<Vec<memchr::memmem::Finder<'static>>> =
        std::sync::LazyLock::new(|| MARK_TEXT.iter().map(memchr::memmem::Finder::new).collect());
    &FINDERS[m as usize]
}

fn has(hay: &[u8], m: Needle) -> bool {
    mark(m).find(hay).is_some()
}

fn find(hay: &[u8], m: Needle) -> Option<usize> {
    mark(m).find(hay)
}

/// A guess from one line's layout, for files whose path says nothing. Only used to pick among the components a
/// matching rule allows.
pub fn component_of_line(line: &[u8]) -> Option<Component> {
    writer_of_line(line).and_then(Writer::component)
}

/// Who wrote `line` (a line's content, after any capture prefix), from its layout and logger. A line pasted
/// with a prefix of its own (a log UI's timestamp and TAB, a CI runner's RFC 3339 time, docker-compose's
/// `service  | `) is judged by what follows the prefix. `None` when the line does not tell (a bare exception or
/// message line, a layout no StackState hop writes).
pub fn writer_of_line(line: &[u8]) -> Option<Writer> {
    if let Some(rest) = after_paste_prefix(line) {
        if let Some(w) = writer_of_own_line(rest) {
            return Some(w);
        }
    }
    if let Some((unit, rest)) = syslog_parts(line) {
        return writer_of_own_line(rest).or_else(|| writer_of_unit(unit));
    }
    writer_of_own_line(line)
}

/// syslog / journald `short`: `May 04 06:55:59 host unit[pid]: message` → (unit, message).
fn syslog_parts(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let head = &line[..line.len().min(HEAD)];
    if !(head.len() > 20 && head[3] == b' ') {
        return None;
    }
    const MONTHS: [&[u8]; 12] =
        [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];
    if !MONTHS.contains(&&head[..3]) {
        return None;
    }
    // The day (maybe space-padded) and the time: `14 15:16:01` or ` 4 15:16:01.123456`.
    let mut i = 4 + (head[4] == b' ') as usize;
    while head.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let time_end = i + 1 + head.get(i + 1..)?.iter().take_while(|b| b.is_ascii_digit() || b":.".contains(b)).count();
    if head.get(i) != Some(&b' ') || time_end - i < 9 || head.get(time_end) != Some(&b' ') {
        return None;
    }
    let host_end = time_end + 1 + memchr::memchr(b' ', &head[time_end + 1..])?;
    let rest = &head[host_end + 1..];
    let colon = memchr::memmem::find(rest, b": ")?;
    let tag = &rest[..colon];
    let unit = &tag[..memchr::memchr(b'[', tag).unwrap_or(tag.len())];
    if unit.is_empty() || unit.contains(&b' ') {
        return None;
    }
    Some((unit, &line[host_end + 1 + colon + 2..]))
}

/// The writer a syslog tag names (`elasticsearch[664]`, `kafka`, `stackstate-agent`).
fn writer_of_unit(unit: &[u8]) -> Option<Writer> {
    let name = std::str::from_utf8(unit).ok()?;
    match origin_of_name(name)?.component? {
        Component::Elasticsearch => Some(Writer::Elasticsearch),
        Component::Kafka => Some(Writer::KafkaBroker),
        Component::Zookeeper => Some(Writer::Zookeeper),
        Component::Agent => Some(Writer::Agent),
        Component::Receiver => Some(Writer::Receiver),
        Component::KafkaToEs => Some(Writer::BulkWriter),
        Component::Stackstate | Component::KubeStateMetrics | Component::PrometheusMirror => None,
    }
}

fn writer_of_own_line(line: &[u8]) -> Option<Writer> {
    let head = &line[..line.len().min(HEAD)];
    match *head.first()? {
        b'{' => json_writer(line, head),
        b'[' => bracket_writer(line, head),
        b'"' => es7_json_continuation(head).then_some(Writer::Elasticsearch),
        b'0'..=b'9' => dated_writer(head),
        _ => logger_writer(head),
    }
}

/// The rest of a line after a prefix a paste or a log collector put before it: `<date> <time>\t`,
/// `<RFC 3339 with T> ` before a bracket or a digit, or docker-compose's `name   | `.
fn after_paste_prefix(line: &[u8]) -> Option<&[u8]> {
    let head = &line[..line.len().min(64)];
    let first = *head.first()?;
    if first.is_ascii_digit() {
        if let Some(tab) = memchr::memchr(b'\t', head) {
            if tab >= 10 && head[..tab].iter().all(|b| b.is_ascii_digit() || b" -:.,TZ+".contains(b)) {
                return Some(&line[tab + 1..]);
            }
        }
        if head.len() > 20 && head[4] == b'-' && head[10] == b'T' {
            let end = memchr::memchr(b' ', head)?;
            let rest = &line[end + 1..];
            return matches!(rest.first(), Some(b'[' | b'{' | b'0'..=b'9')).then_some(rest);
        }
        return None;
    }
    // docker-compose: `kibana_1         | ` (the name, spaces, a bar, a space).
    crate::frame::prefix::compose_split(line, 64)
        .filter(|&(_, content)| content <= 64 && line.get(content - 1) == Some(&b' '))
        .map(|(_, content)| &line[content..])
}

/// JSON lines: ES 7 (`"type": "server"`, `"cluster.name"`), ES 8 ECS (its `"log.level": "LEVEL"` spacing with an
/// upper-case level, or its `elasticsearch.*` / `log.logger` keys near the end), the agent's JSON format.
fn json_writer(line: &[u8], head: &[u8]) -> Option<Writer> {
    if has(head, Needle::ES7_TYPE) || has(head, Needle::ES7_TYPE_DEPRECATION) || has(head, Needle::ES7_CLUSTER) {
        return Some(Writer::Elasticsearch);
    }
    if let Some(p) = find(head, Needle::ECS_LEVEL_SPACED) {
        if head.get(p + MARK_TEXT[Needle::ECS_LEVEL_SPACED as usize].len()).is_some_and(u8::is_ascii_uppercase) {
            return Some(Writer::Elasticsearch);
        }
    }
    if line.starts_with(MARK_TEXT[Needle::AGENT_JSON as usize]) {
        return Some(Writer::Agent);
    }
    let tail = &line[line.len().saturating_sub(TAIL)..];
    if has(tail, Needle::ECS_ES_KEYS) || has(tail, Needle::ECS_ES_LOGGER) || has(tail, Needle::ECS_ES_SERVICE) {
        return Some(Writer::Elasticsearch);
    }
    None
}

/// A line of an ES 7 JSON record printed over several lines (the official Helm chart's console): the
/// `"stacktrace": [` line and the quoted frames after it.
fn es7_json_continuation(head: &[u8]) -> bool {
    head.starts_with(b"\"stacktrace\"")
        || head.starts_with(b"\"at ")
        || head.starts_with(b"\"Caused by: ")
        || head.starts_with(b"\"Suppressed: ")
        || head.starts_with(b"\"... ")
}

/// Lines opening with `[`: Elasticsearch plain, Kafka broker, Akka's own layout, `[ AGENT ]`, and logback
/// variants with the time or the thread in brackets.
fn bracket_writer(line: &[u8], head: &[u8]) -> Option<Writer> {
    if head.starts_with(b"[ AGENT ]") {
        return Some(Writer::Agent);
    }
    let close = memchr::memchr(b']', head)?;
    let inner = &head[1..close];
    let dated = inner.first().is_some_and(u8::is_ascii_digit);
    // `[ts][LEVEL][logger] [node] msg`: Elasticsearch, or another log4j2 user of the same layout (Logstash).
    if dated && head.get(close + 1) == Some(&b'[') {
        let rest = &head[close + 1..];
        let logger_at = memchr::memchr(b']', rest).map(|i| i + 1);
        if let Some(logger) = logger_at.and_then(|i| rest.get(i..)).filter(|l| l.first() == Some(&b'[')) {
            let logger = &logger[1..];
            let logger = &logger[..memchr::memchr(b']', logger).unwrap_or(logger.len())];
            // log4j's ISO8601 time has a comma before the milliseconds and no zone; Kibana's has a zone.
            return bracketed_logger_writer(logger, inner.contains(&b','));
        }
        return None;
    }
    // Kafka broker (and Kafka Connect, ZooKeeper client inside the broker): `[ts] LEVEL msg (logger)`.
    if dated && head.get(close + 1) == Some(&b' ') {
        if let Some(w) = trailing_logger_writer(line, head) {
            return Some(w);
        }
        return logger_writer(head);
    }
    // Akka's own layout: `[WARN] [10/12/2019 01:32:57.546] [sys-akka.actor.default-dispatcher-3] [akka.actor…]`.
    if matches!(inner, b"WARN" | b"INFO" | b"ERROR" | b"DEBUG") && (has(head, Needle::AKKA) || has(head, Needle::PEKKO))
    {
        return Some(Writer::AkkaHttp);
    }
    logger_writer(head)
}

/// The writer named by the logger of Elasticsearch's plain layout `[ts][LEVEL][logger]`.
fn bracketed_logger_writer(logger: &[u8], log4j_time: bool) -> Option<Writer> {
    let logger = logger.trim_ascii();
    if logger.starts_with(b"o.e.")
        || logger.starts_with(b"o.o.")
        || logger.starts_with(b"org.elasticsearch")
        || logger.starts_with(b"org.opensearch")
    {
        return Some(Writer::Elasticsearch);
    }
    if has(logger, Needle::BULK)
        || logger.starts_with(b"logstash.outputs.elasticsearch")
        || logger.ends_with(b"elasticsearchclient")
    {
        return Some(Writer::BulkWriter);
    }
    // Elasticsearch 1.x and 2.x dropped the `org.elasticsearch.` prefix of their loggers: `cluster.service`,
    // `index.engine`, `node`, `plugins` (Kibana's `plugins.x` loggers come with a zoned time).
    const ES_OLD: [&[u8]; 14] = [
        b"cluster",
        b"index",
        b"indices",
        b"discovery",
        b"node",
        b"monitor",
        b"action",
        b"transport",
        b"http",
        b"gateway",
        b"env",
        b"plugins",
        b"bootstrap",
        b"river",
    ];
    let first = &logger[..memchr::memchr(b'.', logger).unwrap_or(logger.len())];
    (log4j_time && ES_OLD.contains(&first)).then_some(Writer::Elasticsearch)
}

/// The Kafka broker layout's trailing `(logger)`.
fn trailing_logger_writer(line: &[u8], head: &[u8]) -> Option<Writer> {
    let line = line.trim_ascii_end();
    if !line.ends_with(b")") {
        return None;
    }
    let tail = &line[line.len().saturating_sub(TAIL)..];
    let open = memchr::memrchr(b'(', tail)?;
    let logger = &tail[open + 1..tail.len() - 1];
    if logger.starts_with(b"org.apache.kafka.clients") {
        return Some(client_role(head).map_or(Writer::KafkaBroker, Writer::KafkaClient));
    }
    if logger.starts_with(b"org.apache.kafka.connect") {
        return Some(Writer::KafkaClient(client_role(head).unwrap_or(ClientRole::Other)));
    }
    // A ZooKeeper server in Kafka's log4j layout (Kafka's bundled `zookeeper-server-start.sh`, Confluent's image):
    // its own packages; the broker's ZooKeeper client is `org.apache.zookeeper.ClientCnxn`, `ZooKeeper`.
    if logger.starts_with(b"org.apache.zookeeper.server.") {
        return Some(Writer::Zookeeper);
    }
    let broker = logger.starts_with(b"kafka.")
        || logger.starts_with(b"org.apache.kafka.")
        || logger.starts_with(b"org.apache.zookeeper.")
        || logger.starts_with(b"org.I0Itec.zkclient")
        || logger == b"state.change.logger";
    broker.then_some(Writer::KafkaBroker)
}

/// The role of a Kafka client from its log context (`[Producer clientId=…]`) or thread, when it says. A Kafka
/// Connect sink task (`WorkerSinkTask`) consumes, as kafka-to-es does: an Elasticsearch sink is one.
fn client_role(head: &[u8]) -> Option<ClientRole> {
    if has(head, Needle::PRODUCER) || has(head, Needle::PRODUCER_THREAD) {
        Some(ClientRole::Producer)
    } else if has(head, Needle::CONSUMER) || has(head, Needle::SINK_TASK) {
        Some(ClientRole::Consumer)
    } else if has(head, Needle::ADMIN) {
        Some(ClientRole::Other)
    } else {
        None
    }
}

/// Lines opening with a date: the agent's layouts, ZooKeeper's, and logback/log4j/Spring Boot layouts judged by
/// their logger.
fn dated_writer(head: &[u8]) -> Option<Writer> {
    if let Some(p) = find(head, Needle::PIPE) {
        // The agent: `2024-03-01 12:00:00 UTC | CORE | ERROR | (pkg/x.go:12 in f) | msg` (and without the logger
        // field, or the Python agent 5's `| ERROR | dd.forwarder | forwarder(ddagent.py:240) |`).
        if p < 40 {
            let rest = &head[p..];
            if (has(rest, Needle::PIPE_PAREN) && has(rest, Needle::GO_FILE))
                || has(rest, Needle::DD_LOGGER)
                || has(rest, Needle::PY_FILE)
            {
                return Some(Writer::Agent);
            }
        }
    }
    if find(head, Needle::MYID).is_some_and(|p| p < 40) {
        return Some(Writer::Zookeeper);
    }
    logger_writer(head)
}

/// The writer named by a logger or message context anywhere in the head: Kafka clients, the receiver, bulk
/// writers to Elasticsearch, Akka/Pekko HTTP (and Akka/Pekko IO's `TcpListener`, the socket its server binds).
fn logger_writer(head: &[u8]) -> Option<Writer> {
    if has(head, Needle::KAFKA_CLIENTS) || has(head, Needle::KAFKA_CLIENTS_ABBR) || has(head, Needle::KAFKA_CONNECT) {
        return Some(Writer::KafkaClient(client_role(head).unwrap_or(ClientRole::Other)));
    }
    if has(head, Needle::RECEIVER_ROUTES) || has(head, Needle::RECEIVER_LOGGER) {
        return Some(Writer::Receiver);
    }
    if has(head, Needle::KAFKATOES) || has(head, Needle::KAFKATOES_CAMEL) || has(head, Needle::K2ES) {
        return Some(Writer::BulkWriter);
    }
    if has(head, Needle::AKKA_HTTP)
        || has(head, Needle::PEKKO_HTTP)
        || has(head, Needle::AKKA_ACTOR_SYSTEM)
        || has(head, Needle::AKKA_TCP_LISTENER)
        || has(head, Needle::PEKKO_TCP_LISTENER)
        || has(head, Needle::ENTITY_STREAM)
        || has(head, Needle::SPRAY_CAN)
    {
        return Some(Writer::AkkaHttp);
    }
    // A logger naming Elasticsearch (not Elasticsearch's own `org.elasticsearch` classes) or bulk requests:
    // `whelk.component.ElasticSearch - Failed indexing document`, `c.s.k.e.s.BulkIndexer - Bulk request …`.
    let logger = logger_token(head)?;
    if has(logger, Needle::ORG_ES) {
        return None;
    }
    let es_client = has(logger, Needle::ES_CAMEL) || has(logger, Needle::ES_TITLE) || has(logger, Needle::ES_LOWER);
    (es_client || has(logger, Needle::BULK) || has(logger, Needle::BULK_LOWER)).then_some(Writer::BulkWriter)
}

/// The logger of a logback/log4j line: the token before ` - ` (or Spring Boot's `   : `), after the level.
fn logger_token(head: &[u8]) -> Option<&[u8]> {
    let end = memchr::memmem::find(head, b" - ").or_else(|| memchr::memmem::find(head, b" : "))?;
    let before = head[..end].trim_ascii_end();
    let start = before.iter().rposition(|&b| b == b' ' || b == b']').map_or(0, |i| i + 1);
    let token = &before[start..];
    // `Elasticsearch5 [Elasticsearch5.java:214]`: the logger is the token before a bracketed source location.
    if token.is_empty() {
        let before = before.strip_suffix(b"]").unwrap_or(before);
        let open = memchr::memrchr(b'[', before)?;
        let prev = before[..open].trim_ascii_end();
        let s = prev.iter().rposition(|&b| b == b' ' || b == b']').map_or(0, |i| i + 1);
        return Some(&prev[s..]);
    }
    Some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comp(p: &str) -> (Option<Component>, Option<String>, Option<String>) {
        let o = origin_of_path(Path::new(p));
        (o.component, o.process, o.pod)
    }

    #[test]
    fn linux_tree() {
        use Component::*;
        assert_eq!(
            comp("/opt/stackstate/var/log/stackstate-receiver/stackstate-receiver.2019-12-17.0.log").0,
            Some(Receiver)
        );
        assert_eq!(
            comp("/opt/stackstate/var/log/kafka-to-es/kafkaEventsToES.log.2019-12-17.0"),
            (Some(KafkaToEs), Some("e2es".into()), None)
        );
        assert_eq!(comp("x/kafka-to-es/kafkaMultiMetricsToES.log").1.as_deref(), Some("mm2es"));
        assert_eq!(comp("x/kafka-to-es/kafkaStsEventsToES.log").1.as_deref(), Some("sts2es"));
        assert_eq!(
            comp("/opt/stackstate/var/log/elasticsearch7/stackstate-2019-12-17-1.json.gz").0,
            Some(Elasticsearch)
        );
        assert_eq!(comp("/opt/stackstate/var/log/kafka/server.log").0, Some(Kafka));
        assert_eq!(comp("/var/log/stackstate-agent/agent.log").0, Some(Agent));
        assert_eq!(comp("/opt/stackstate/var/log/stackstate-server/stackstate-server.log").0, Some(Stackstate));
        assert_eq!(comp("capture.log").0, None);
    }

    #[test]
    fn pods() {
        use Component::*;
        assert_eq!(
            comp("/var/log/pods/stackstate_stackstate-receiver-5b9d79db86-h2hkz_0c1d/receiver/0.log"),
            (Some(Receiver), None, Some("stackstate-receiver-5b9d79db86-h2hkz".into()))
        );
        assert_eq!(
            comp("/var/log/containers/stackstate-mm2es-6d4f8-abcde_stackstate_mm2es-0123abcd.log").1.as_deref(),
            Some("mm2es")
        );
        assert_eq!(comp("logs/suse-observability-elasticsearch-master-0.log").0, Some(Elasticsearch));
        assert_eq!(origin_of_name("stackstate-agent-node-agent-x7k2p").and_then(|o| o.component), Some(Agent));
        assert_eq!(origin_of_name("stackstate-e2es-59c7d9-2kq8z").and_then(|o| o.process), Some("e2es".into()));
        let c = |n: &str| origin_of_name(n).and_then(|o| o.component);
        for (name, want) in [
            ("receiver", Receiver),
            ("suse-observability-receiver-5b9d79db86-h2hkz", Receiver),
            ("stackstate-elasticsearch-master-2", Elasticsearch),
            ("elasticsearch-master-0", Elasticsearch),
            ("elasticsearch", Elasticsearch),
            ("node-agent", Agent),
            ("cluster-agent", Agent),
            ("checks-agent", Agent),
            ("stackstate-agent", Agent),
            ("process-agent", Agent),
            ("stackstate-agent-cluster-agent-6c9d-2x", Agent),
            ("suse-observability-trace2es-7d-x", KafkaToEs),
            ("stackstate-kafka-0", Kafka),
            ("stackstate-zookeeper-0", Zookeeper),
            ("stackstate-server-0", Stackstate),
            ("prometheusmirror", PrometheusMirror),
            ("stackstate-prometheusmirror-7d9f8-x2k4p", PrometheusMirror),
            ("aws-prometheus-mirror", PrometheusMirror),
        ] {
            assert_eq!(c(name), Some(want), "{name}");
        }
        assert_eq!(origin_of_name("stackstate-sts2es-1").and_then(|o| o.process), Some("sts2es".into()));
        assert_eq!(c("nginx"), None);
    }

    #[test]
    fn capture_dirs() {
        use Component::*;
        assert_eq!(
            comp("/var/log/pods/stackstate_stackstate-elasticsearch-master-1_9f1e/elasticsearch/3.log"),
            (Some(Elasticsearch), None, Some("stackstate-elasticsearch-master-1".into()))
        );
        assert_eq!(
            comp("/var/log/containers/stackstate-receiver-5b9d79db86-h2hkz_stackstate_receiver-0a1b2c.log"),
            (Some(Receiver), None, Some("stackstate-receiver-5b9d79db86-h2hkz".into()))
        );
        assert_eq!(
            comp("captures/stackstate-mm2es-6d4f8-abcde.log"),
            (Some(KafkaToEs), Some("mm2es".into()), Some("stackstate-mm2es-6d4f8-abcde".into()))
        );
    }

    /// Real published lines (../shared/corpus/real and the threads they cite) and the project's own layouts: who
    /// wrote each, decided from the line alone.
    #[test]
    fn writers_of_lines() {
        use ClientRole::*;
        use Writer::*;
        let cases: &[(&str, Option<Writer>)] = &[
            // Elasticsearch plain, 6.x: https://github.com/StamusNetworks/Clear-NDR-ISO/issues/205
            ("[2019-11-28T07:42:31,688][WARN ][o.e.c.r.a.DiskThresholdMonitor] [68TOH-O] high disk watermark [90%] exceeded on [68TOH-OZS6KUpqAUj1-Cqg][68TOH-O][/var/lib/elasticsearch/nodes/0] free: 1.7gb[9%], shards will be relocated away from this node", Some(Elasticsearch)),
            // OpenSearch: https://github.com/wazuh/wazuh-indexer/issues/1263
            ("[2025-12-09T15:05:41,352][WARN ][o.o.c.r.a.DiskThresholdMonitor] [node-1] Putting index create block on cluster as all nodes are breaching high disk watermark. Number of nodes above high watermark: 1.", Some(Elasticsearch)),
            // Elasticsearch 5.6 DEBUG bulk item: https://github.com/openshift/origin-aggregated-logging/issues/1491
            ("[2019-01-02T21:19:36,896][DEBUG][o.e.a.b.TransportShardBulkAction] [logging-es-data-master-278firrc] [project.x.2019.01.02][0] failed to execute bulk item (create) BulkShardRequest [[project.x.2019.01.02][0]] containing [21] requests", Some(Elasticsearch)),
            // A JDBC river's bulk client (ES 1.x layout, unprefixed logger): https://github.com/jprante/elasticsearch-jdbc/issues/387
            ("[2014-11-12 10:12:32,061][ERROR][river.jdbc.BulkNodeClient] bulk [29] failed with 3 failed items, failure message = failure in bulk execution:", Some(BulkWriter)),
            // ES 2.x, unprefixed logger (constructed from the 1.x/2.x layout)
            ("[2016-02-01 10:00:00,000][WARN ][cluster.routing.allocation.decider] [node-1] high disk watermark [90%] exceeded on [x][node-1] free: 1gb[5%], shards will be relocated away from this node", Some(Elasticsearch)),
            // Logstash uses the same log4j2 layout; its ES output is a bulk writer: https://github.com/elastic/logstash/issues/7347
            ("[2017-06-04T01:39:43,446][ERROR][logstash.elasticsearchclient] [Manticore::SocketException] Connection refused (Connection refused) {:host=>\"localhost\", :port=>9200, :protocol=>\"http\"}", Some(BulkWriter)),
            // https://github.com/robcowart/elastiflow/issues/524
            ("[2020-04-16T16:30:46,473][WARN ][logstash.outputs.elasticsearch][main] Attempted to resurrect connection to dead ES instance, but got an error.", Some(BulkWriter)),
            ("[2017-06-04T01:39:43,337][INFO ][logstash.modules.importer] Attempting PUT {:url_path=>\"_template/cef\"}", None),
            // Kibana's layout looks alike, with a zoned time: https://github.com/ghkdqhrbals/spring-chatting-server/issues/4
            ("kibana_1         | [2023-01-09T08:51:15.226+00:00][WARN ][plugins.usageCollection.usage-collection.usage-counters-service] ResponseError: index [.kibana_8.5.3_001] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];", None),
            // ES 7 JSON: https://github.com/deviantony/docker-elk/issues/622
            (r#"{"type": "server", "timestamp": "2021-09-16T02:06:25,516Z", "level": "INFO", "component": "o.e.p.PluginsService", "cluster.name": "docker-cluster", "node.name": "9bbe0e377801", "message": "loaded module [x-pack-rollup]" }"#, Some(Elasticsearch)),
            // ES 7 JSON over several lines (Helm chart console), the stack trace lines
            (r#""stacktrace": ["org.elasticsearch.common.breaker.CircuitBreakingException: [parent] Data too large","#, Some(Elasticsearch)),
            (r#""at org.elasticsearch.indices.breaker.HierarchyCircuitBreakerService.checkParentLimit(HierarchyCircuitBreakerService.java:343) ~[elasticsearch-7.6.2.jar:7.6.2]","#, Some(Elasticsearch)),
            // ES 8 ECS: https://github.com/georchestra/docker/issues/360
            (r#"{"@timestamp":"2025-10-14T08:37:09.142Z", "log.level": "INFO", "message":"high disk watermark [90%] no longer exceeded on [Df6xPg2WTCKuibV5uvALVg][f721a1bfa567][/usr/share/elasticsearch/data] free: 101.6gb[11.2%], but low disk watermark [85%] is still exceeded", "ecs.version": "1.2.0","service.name":"ES_ECS","event.dataset":"elasticsearch.server","process.thread.name":"elasticsearch[f721a1bfa567][management][T#2]","log.logger":"org.elasticsearch.cluster.routing.allocation.DiskThresholdMonitor"}"#, Some(Elasticsearch)),
            // A bulk writer's JSON item is not Elasticsearch's own line: https://github.com/rwynn/monstache/issues/610
            (r#"backend-server-monstache-1  | ERROR 2022/04/16 07:41:33 Bulk response item: {"_index":"mycollection","_type":"_doc","_id":"62569f8f21f1ebff3a1ee853","status":429,"error":{"type":"cluster_block_exception"}}"#, None),
            (r#"{"log.level":"error","@timestamp":"2024-01-01T00:00:00.000Z","log.logger":"publisher_pipeline_output","message":"Failed to connect to backoff(elasticsearch(http://es:9200))"}"#, None),
            // The agent's JSON format (agent pkg/config buildJSONFormat)
            (r#"{"agent":"core","time":"2024-03-01 12:00:00 UTC","level":"ERROR","file":"worker.go","line":"191","func":"process","msg":"x"}"#, Some(Agent)),
            // Kafka broker with its ZooKeeper client: https://github.com/microservices-patterns/ftgo-application/issues/41
            ("[2019-10-06 01:34:16,032] WARN Unable to reconnect to ZooKeeper service, session 0x16d9eaefce70000 has expired (org.apache.zookeeper.ClientCnxn)", Some(KafkaBroker)),
            // https://github.com/microservices-patterns/ftgo-application/issues/103
            ("[2020-07-05 09:18:27,947] WARN No meta.properties file under dir /var/lib/kafka/data/meta.properties (kafka.server.BrokerMetadataCheckpoint)", Some(KafkaBroker)),
            // A client in the broker layout (Kafka Connect's consumer): https://github.com/EthVM/EthVM/issues/546
            ("[2019-06-01 18:20:06,206] WARN [Consumer clientId=consumer-134, groupId=connect-postgres-balance-delta-sink] Error while fetching metadata with correlation id 51735 : {non_fungible_balance_delta=UNKNOWN_TOPIC_OR_PARTITION} (org.apache.kafka.clients.NetworkClient)", Some(KafkaClient(Consumer))),
            // A ZooKeeper server in the same layout: https://github.com/Yolean/kubernetes-kafka/issues/298,
            // https://github.com/OpenBMP/obmp-docker/issues/13
            ("[2019-12-30 08:27:13,695] WARN Cannot open channel to 2 at election address pzoo-1.pzoo:3888 (org.apache.zookeeper.server.quorum.QuorumCnxManager)", Some(Zookeeper)),
            ("[2022-03-30 19:46:14,859] ERROR Unexpected exception, exiting abnormally (org.apache.zookeeper.server.ZooKeeperServerMain)", Some(Zookeeper)),
            ("[2019-06-01 18:20:06,514] ERROR WorkerSourceTask{id=parity-source-0} failed to send record to canonical_transactions: {} (org.apache.kafka.connect.runtime.WorkerSourceTask)", Some(KafkaClient(Other))),
            ("[2019-08-07 22:39:51,321] ERROR WorkerSinkTask{id=event-sink-neo4j-2} Task threw an uncaught and unrecoverable exception. Task is being killed and will not recover until manually restarted. (org.apache.kafka.connect.runtime.WorkerSinkTask:558)", Some(KafkaClient(Consumer))),
            // https://github.com/Seagate/cortx-s3server/issues/947
            ("[2021-05-31 05:32:51,842] WARN [AdminClient clientId=adminclient-1] Connection to node -1 (setest01/127.0.0.1:9092) could not be established. Broker may not be available. (org.apache.kafka.clients.NetworkClient)", Some(KafkaClient(Other))),
            // The broker's own replica fetcher is the broker (constructed from the broker layout)
            ("[2024-03-12 14:28:33,001] WARN [ReplicaFetcher replicaId=1, leaderId=0, fetcherId=0] Connection to node 0 (kafka-0/10.0.0.7:9092) could not be established. Broker may not be available. (org.apache.kafka.clients.NetworkClient)", Some(KafkaBroker)),
            // logback, StackState's Linux layout, a producer: https://github.com/alibaba/canal/issues/1444
            ("2019-01-17 11:49:28.205 [kafka-producer-network-thread | producer-1] WARN  org.apache.kafka.clients.NetworkClient - [Producer clientId=producer-1] Error while fetching metadata with correlation id 1 : {example=LEADER_NOT_AVAILABLE}", Some(KafkaClient(Producer))),
            // Spring Boot, a consumer: https://github.com/obsidiandynamics/kafdrop/issues/35
            ("2021-01-21 21:56:41.382  WARN 18 --- [ntainer#0-0-C-1] org.apache.kafka.clients.NetworkClient   : [Consumer clientId=consumer-email-1, groupId=email] Connection to node -1 (localhost/127.0.0.1:9092) could not be established. Broker may not be available.", Some(KafkaClient(Consumer))),
            // A CI runner's timestamp before an Akka app's logback line: https://github.com/akka/akka-guide/issues/588
            ("2021-02-19T08:43:16.1664877Z [2021-02-19 08:43:16,165] [WARN] [org.apache.kafka.clients.NetworkClient] [] [] [kafka-producer-network-thread | producer-2] - [Producer clientId=producer-2] Connection to node -1 (localhost/127.0.0.1:9092) could not be established. Broker may not be available.", Some(KafkaClient(Producer))),
            // StackState receiver (Kubernetes layout, no thread)
            ("2024-07-29 06:41:15,144 WARN  com.stackstate.api.ReceiverRoutes - 10.0.0.66 - POST http://x/stsAgent/api/v1/series?api_key=k (1268): 401 Unauthorized", Some(Receiver)),
            ("2025-11-14 20:56:48,531 ERROR c.s.kafka.reconnectable.AsyncReconnectableProducerImpl - Failed to send messages to Kafka", None),
            // kafka-to-es (the fixtures' logger) and other bulk writers
            ("2024-03-12 11:42:10,422 [KafkaToES-akka.actor.default-dispatcher-20] ERROR c.s.k.e.s.BulkIndexer - Bulk request to index [sts_multi_metrics-2024.03.12] failed", Some(BulkWriter)),
            // https://github.com/elastic/elasticsearch/issues/23258
            ("2017-02-20 17:56:03.912 [elasticsearch[_client_][listener][T#2]] ERROR com.dtstack.jlogstash.outputs.Elasticsearch5 [Elasticsearch5.java:214] - bulk got exception:", Some(BulkWriter)),
            // https://github.com/libris/librisxl/pull/1442
            ("[SimplePool-3] ERROR whelk.component.ElasticSearch - Failed indexing document: [_index:libris_local_29, _id:n3b4p48rq2lvnn5s, status:400]", Some(BulkWriter)),
            // https://github.com/elastic/elasticsearch/issues/16970
            ("[03-05 22:17:26,154] ERROR [][][Thread-7] c.y.s.common.canal.BaseCanalClient[126] - process error!", None),
            // Agent >= 2.13: https://github.com/DataDog/datadog-agent/issues/8042
            ("2021-05-02 04:39:34 UTC | PROCESS | ERROR | (pkg/forwarder/worker.go:178 in process) | Error while processing transaction: error while sending transaction, rescheduling it: Post \"https://process.datadoghq.eu/api/v1/container\": read tcp x.x.x.x:44914->34.117.218.227:443: read: connection reset by peer", Some(Agent)),
            // Agent <= 2.12, a non-UTC zone: https://github.com/DataDog/datadog-agent/issues/1546
            ("2018-03-30 19:57:38 CEST | ERROR | (worker.go:135 in process) | Error while processing transaction: x", Some(Agent)),
            // A log UI's time and a TAB before the agent line: https://github.com/DataDog/helm-charts/issues/1469
            ("2024-07-31 11:41:35.973\t2024-07-31 09:41:35 UTC | CORE | ERROR | (comp/core/workloadmeta/collectors/internal/kubemetadata/kubemetadata.go:88 in Start) | Could not initialise the communication with the cluster agent: temporary failure in clusterAgentClient, will retry later: try delay not elapsed yet", Some(Agent)),
            // Python agent 5 forwarder: https://github.com/DataDog/dd-agent/issues/2247
            ("2016-02-04 02:52:28 UTC | WARNING | dd.forwarder | transaction(transaction.py:213) | Transaction 12 in error (3 errors), it will be replayed after 2016-02-04 02:53:28", Some(Agent)),
            ("[ AGENT ] 2018-04-30 21:31:20 UTC | ERROR | (runner.go:276 in work) | Error running check kubernetes_state: x", Some(Agent)),
            // ZooKeeper server: https://github.com/allegro/hermes/issues/140
            ("2015-07-28 14:10:53,277 [myid:] - INFO  [NIOServerCxn.Factory:0.0.0.0/0.0.0.0:2181:NIOServerCnxnFactory@197] - Accepted socket connection from /172.17.0.10:53206", Some(Zookeeper)),
            // Akka HTTP, Akka's own layout: https://github.com/Constellation-Labs/constellation/issues/627
            ("[WARN] [10/12/2019 01:32:57.546] [Constellation-akka.actor.default-dispatcher-3] [akka.actor.ActorSystemImpl(Constellation)] Illegal request, responding with status '400 Bad Request': Illegal HTTP message start", Some(AkkaHttp)),
            // https://github.com/gearpump/gearpump/issues/1430
            ("2015-09-16 16:10:24,999 WARN ActorSystemImpl: Illegal request header: Illegal 'referer' header", Some(AkkaHttp)),
            // Pekko IO's listener, which Pekko HTTP's server binds through: https://github.com/sdeigm/uni-meter/issues/36
            ("25-02-06 16:19:56.901 ERROR org.apache.pekko.io.TcpListener - Bind failed for TCP channel on endpoint [/0.0.0.0:80]", Some(AkkaHttp)),
            // A server-side entity stream truncation: https://github.com/playframework/playframework/issues/11194
            ("play.api.PlayException: Execution exception[[EntityStreamException: Entity stream truncation. The HTTP parser was receiving an entity when the underlying connection was closed unexpectedly.]]", Some(AkkaHttp)),
            // journald: the message, else the unit: https://github.com/elastic/elasticsearch/pull/10725
            ("May 04 06:55:59 debian-800-jessie elasticsearch[664]: [2015-05-04 06:55:59,721][INFO ][node                     ] [Mar-Vell] version[2.0.0-SNAPSHOT], pid[664]", Some(Elasticsearch)),
            ("May 04 06:56:03 debian-800-jessie elasticsearch[664]: java.lang.IllegalStateException: x", Some(Elasticsearch)),
            ("Jun  4 15:16:01 sts-01 stackstate-agent[812]: 2024-06-04 15:16:01 UTC | CORE | ERROR | (pkg/forwarder/worker.go:191 in process) | x", Some(Agent)),
            // loghub Linux_2k.log
            ("Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4", None),
            // Lines that do not tell
            ("org.apache.kafka.common.errors.TimeoutException: Topic pageviews not present in metadata after 60000 ms.", None),
            ("com.fasterxml.jackson.databind.exc.MismatchedInputException: Cannot deserialize instance of `java.util.ArrayList`", None),
            ("\tat org.elasticsearch.client.transport.TransportClientNodesService.ensureNodesAreAvailable(TransportClientNodesService.java:290)", None),
            ("flood stage disk watermark [95%] exceeded on [2E-4rEiRS1G_2_oztN_guA][2E-4rEi][/usr/share/elasticsearch/data/nodes/0] free: 952.1mb[1.4%], all indices on this node will marked read-only", None),
            ("", None),
        ];
        for (line, want) in cases {
            assert_eq!(writer_of_line(line.as_bytes()), *want, "{line}");
        }
        assert_eq!(component_of_line(cases[0].0.as_bytes()), Some(Component::Elasticsearch));
        assert_eq!(Writer::KafkaClient(ClientRole::Producer).component(), Some(Component::Receiver));
        assert_eq!(Writer::KafkaClient(ClientRole::Consumer).component(), Some(Component::KafkaToEs));
        assert_eq!(Writer::KafkaClient(ClientRole::Other).component(), None);
    }
}
