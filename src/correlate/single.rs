//! An incident made of one episode that no chain explains: the rule's own title, severity and next steps; its root
//! cause the rule's (`root_cause`), else the component its target belongs to (the pack's `[[target]]`), else who
//! logged it. One that names no component at all is not claimed for the pipeline: its scope is unknown and it is
//! at most a warning (a network error in the log of a program stackscan does not know, a sentence in a README).

use super::episodes::telemetry_of;
use super::incident::{EpisodeView, Incident, RootCause};
use crate::model::Severity;
use crate::rules::{Pack, Scope};
use std::collections::BTreeMap;

/// The first step of an incident not known to concern the pipeline.
const UNKNOWN_FIRST_STEP: &str =
    "These lines name no StackState hop, nor does their writer as far as stackscan can tell: \
if a StackState component wrote them, scan them again with `--component <component>` (the file's path, pod or \
layout names none); otherwise they are another program's";

/// An incident made of one episode that no chain explains.
pub fn single(pack: &Pack, ep: EpisodeView) -> Incident {
    let rule = &pack.rules()[ep.rule];
    let key_text: Vec<String> = ep.key.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k} {v}")).collect();
    let mut title = rule.title.clone();
    if let Some(n) = ep.other_keys {
        title = format!("{title} (about {n} other {}, past the cap of distinct keys)", rule.key.join("/"));
    } else if !key_text.is_empty() {
        title = format!("{title} ({})", key_text.join(", "));
    }
    let key = ep.key.iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>().join("\u{1f}");
    let first = ep.first_seen.map_or(String::new(), |t| t.to_string());
    let mut parts =
        vec![rule.id.as_str(), ep.component.map_or("", |c| c.as_str()), ep.process.as_deref().unwrap_or("")];
    parts.extend([key.as_str(), first.as_str()]);
    // The episode of keys past the cap: its own id, never one a kept key could have.
    if ep.other_keys.is_some() {
        parts.push("other keys");
    }
    let hash = crate::hash::of_parts(&parts);
    let mut counts = BTreeMap::new();
    let comp = ep.component.map_or("unknown", |c| c.as_str()).to_string();
    counts.insert(comp, ep.count);
    let knowledge = pack.knowledge();
    let root = rule
        .root_cause
        .or_else(|| knowledge.root_of(&ep.fields))
        .or_else(|| ep.component.map(|c| knowledge.root_by_logger(&rule.family, c)));
    let mut components: Vec<_> = root.into_iter().collect();
    components.extend(ep.component.filter(|c| Some(*c) != root));
    let mut severity = rule.severity_of(ep.count, ep.first_seen, ep.last_seen, &ep.per_minute, &ep.fields);
    let mut next_steps = rule.next_steps.clone();
    let scope = match (root, rule.scope) {
        (None, _) => {
            severity = severity.min(Severity::Warning);
            next_steps.insert(0, UNKNOWN_FIRST_STEP.to_string());
            Scope::Unknown
        }
        (Some(_), Some(s)) => s,
        (Some(_), None) if pack.knowledge().single_integration(&ep.fields) => Scope::Single,
        (Some(_), None) => Scope::All,
    };
    Incident {
        id: format!("{}-{:08x}", rule.id, hash as u32),
        title,
        family: rule.family.clone(),
        severity,
        components,
        scope,
        telemetry: telemetry_of(pack, &ep),
        first_seen: ep.first_seen,
        last_seen: ep.last_seen,
        count: ep.count,
        counts,
        root_cause: RootCause { rule: rule.id.clone(), component: root, summary: rule.title.clone() },
        chain: None,
        next_steps,
        episodes: vec![ep],
    }
}
