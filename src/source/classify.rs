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

/// What [`component_of_line`] looks for in a line's head.
const LINE_MARKS: [&[u8]; 20] = [
    b"\"cluster.name\"",
    b"\"log.level\"",
    b"elasticsearch",
    b"\"agent\":",
    b"][o.e.",
    b" AGENT ]",
    b"] INFO ",
    b"] WARN ",
    b"] ERROR ",
    b" | CORE | ",
    b" | CLUSTER | ",
    b" | PROCESS | ",
    b" | TRACE | ",
    b" UTC | ",
    b" in ",
    b"ReceiverRoutes",
    b"receiver",
    b"KafkaToES",
    b"kafkatoes",
    b"k2es",
];

/// The searcher for one of [`LINE_MARKS`] (or any other needle), built once: building one per search cost more
/// than the search on a hit-heavy scan.
fn line_mark(needle: &[u8]) -> memchr::memmem::Finder<'static> {
    static FINDERS: std::sync::LazyLock<Vec<memchr::memmem::Finder<'static>>> =
        std::sync::LazyLock::new(|| LINE_MARKS.iter().map(memchr::memmem::Finder::new).collect());
    match LINE_MARKS.iter().position(|m| *m == needle) {
        Some(i) => FINDERS[i].as_ref(),
        None => memchr::memmem::Finder::new(needle).into_owned(),
    }
}

/// A guess from one line's layout, for files whose path says nothing. Only used to pick among the components a
/// matching rule allows.
pub fn component_of_line(line: &[u8]) -> Option<Component> {
    let head = &line[..line.len().min(200)];
    let has = |needle: &[u8]| line_mark(needle).find(head).is_some();
    if line.starts_with(b"{") {
        if has(b"\"cluster.name\"") || has(b"\"log.level\"") || has(b"elasticsearch") {
            return Some(Component::Elasticsearch);
        }
        if has(b"\"agent\":") {
            return Some(Component::Agent);
        }
        return None;
    }
    if line.starts_with(b"[") {
        if head.get(11) == Some(&b'T') && has(b"][o.e.") {
            return Some(Component::Elasticsearch);
        }
        if has(b" AGENT ]") {
            return Some(Component::Agent);
        }
        if has(b"] INFO ") || has(b"] WARN ") || has(b"] ERROR ") {
            return Some(Component::Kafka);
        }
    }
    if has(b" | CORE | ")
        || has(b" | CLUSTER | ")
        || has(b" | PROCESS | ")
        || has(b" | TRACE | ")
        || (has(b" UTC | ") && has(b" in "))
    {
        return Some(Component::Agent);
    }
    if has(b"ReceiverRoutes") || has(b"receiver") {
        return Some(Component::Receiver);
    }
    if has(b"KafkaToES") || has(b"kafkatoes") || has(b"k2es") {
        return Some(Component::KafkaToEs);
    }
    None
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
}
