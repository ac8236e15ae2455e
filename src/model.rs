//! The vocabulary shared by every stage: the components whose logs are read, severities, and log levels.
//!
//! These are closed sets on purpose: the rule pack is validated against them at load time, so a typo in a rule
//! (`kafka2es`) is an error with a line number instead of a rule that silently never matches. Components are the
//! engine's defaults for telling who wrote a file from its path; problem families and telemetry kinds are the
//! pack's to declare ([`crate::rules::Knowledge`]).

use serde::Serialize;
use std::fmt;

macro_rules! closed_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($(#[$vm])* $var),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$var),+];

            /// The name used in rule files, on the command line and in reports.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$var => $text),+ }
            }

            /// Parses the name used in rule files and on the command line.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$var),)+ _ => None }
            }

            /// The accepted names, for error messages.
            pub fn names() -> String {
                [$($text),+].join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> { s.serialize_str(self.as_str()) }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown {} {s:?}", stringify!($name))))
            }
        }
    };
}

closed_enum! {
    /// A hop of the pipeline (or a neighbour of it) whose logs are read.
    Component {
        /// StackState Agent: node, cluster, checks and process agents.
        Agent = "agent",
        /// StackState Receiver: the HTTP intake of agent data.
        Receiver = "receiver",
        /// Kafka brokers.
        Kafka = "kafka",
        /// kafka-to-es processes (mm2es, e2es, trace2es, sts2es).
        KafkaToEs = "kafka-to-es",
        /// Elasticsearch nodes.
        Elasticsearch = "elasticsearch",
        /// Zookeeper.
        Zookeeper = "zookeeper",
        /// Other StackState server processes (api, server, sync, correlate, ...).
        Stackstate = "stackstate",
        /// kube-state-metrics, a target of the agent's kubernetes_state check.
        KubeStateMetrics = "kube-state-metrics",
        /// The Prometheus mirror: the gateway through which StackState reads a Prometheus data source.
        PrometheusMirror = "prometheus-mirror",
    }
}

closed_enum! {
    /// How bad a finding is. Ordered: `Info < Warning < Error < Critical`.
    Severity {
        /// Worth knowing, nothing is lost.
        Info = "info",
        /// Retried or transient: nothing lost yet.
        Warning = "warning",
        /// Data is being dropped or a hop is failing.
        Error = "error",
        /// The pipeline is stopped or data is being lost at scale.
        Critical = "critical",
    }
}

closed_enum! {
    /// The level of a log record, normalised from every layout's own words (`WARNING`, `SEVERE`, `E0312`,
    /// `<3>`, ...). Ordered: `Trace < ... < Fatal`.
    Level {
        /// TRACE, VERBOSE.
        Trace = "trace",
        /// DEBUG, syslog priority 7.
        Debug = "debug",
        /// INFO, syslog priority 6.
        Info = "info",
        /// NOTICE, syslog priority 5.
        Notice = "notice",
        /// WARN, WARNING, syslog priority 4.
        Warn = "warn",
        /// ERROR, ERR, SEVERE, syslog priority 3.
        Error = "error",
        /// FATAL, CRITICAL, CRIT, EMERG, ALERT, PANIC, syslog priorities 0 to 2.
        Fatal = "fatal",
    }
}

impl Level {
    /// Whether records of this level are problems: WARN and above (the records the template miner is fed).
    pub fn is_problem(self) -> bool {
        self >= Level::Warn
    }
}

/// A small set of components, as a bit mask: which components a rule's lines can come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ComponentSet(u16);

impl ComponentSet {
    /// Adds a component.
    pub fn insert(&mut self, c: Component) {
        self.0 |= 1 << c as u16;
    }

    /// Whether the set holds `c`.
    pub fn contains(self, c: Component) -> bool {
        self.0 & (1 << c as u16) != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The members, in declaration order.
    pub fn iter(self) -> impl Iterator<Item = Component> {
        Component::ALL.iter().copied().filter(move |c| self.contains(*c))
    }

    /// The only member, when there is exactly one.
    pub fn single(self) -> Option<Component> {
        if self.0.count_ones() == 1 {
            self.iter().next()
        } else {
            None
        }
    }
}

impl FromIterator<Component> for ComponentSet {
    fn from_iter<I: IntoIterator<Item = Component>>(iter: I) -> Self {
        let mut s = ComponentSet::default();
        for c in iter {
            s.insert(c);
        }
        s
    }
}
