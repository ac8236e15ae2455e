//! An incident made of one episode that no chain explains: the rule's own title, severity and next steps.

use super::episodes::telemetry_of;
use super::incident::{EpisodeView, Incident, RootCause};
use crate::rules::{Pack, Scope};
use std::collections::BTreeMap;

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
    Incident {
        id: format!("{}-{:08x}", rule.id, hash as u32),
        title,
        family: rule.family.clone(),
        severity: rule.severity,
        components: ep.component.into_iter().collect(),
        scope: if pack.knowledge().single_integration(&ep.fields) { Scope::Single } else { Scope::All },
        telemetry: telemetry_of(pack, &ep),
        first_seen: ep.first_seen,
        last_seen: ep.last_seen,
        count: ep.count,
        counts,
        root_cause: RootCause { rule: rule.id.clone(), component: ep.component, summary: rule.title.clone() },
        chain: None,
        next_steps: rule.next_steps.clone(),
        episodes: vec![ep],
    }
}
