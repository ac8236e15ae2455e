//! Causal chains: many episodes across several logs are usually one problem seen from several hops. A chain of
//! the pack names a cause (rules, optionally per component), proxies that stand for the cause when its own log
//! was not collected, and effects downstream; episodes close enough in time, whose join fields agree, become one
//! incident named by its root cause.
//!
//! Pure and deterministic: it runs on episodes (aggregates), sorted in a fixed order, and reads no clock; ties
//! are broken by rule id and key. Chains are tried in pack order and an episode joins at most one incident.

use super::episode::{max_opt, min_opt};
use super::incident::{self, stable_hash, telemetry_of, EpisodeView, Incident, RootCause};
use crate::model::Component;
use crate::rules::{Chain, Pack, Scope, Selector};
use crate::time::Millis;
use std::collections::BTreeMap;

/// A group of episodes one chain explains.
struct Group {
    members: Vec<usize>,
    first: Option<Millis>,
    last: Option<Millis>,
}

fn selected(sels: &[Selector], e: &EpisodeView) -> bool {
    sels.iter().any(|s| s.selects(e.rule, e.component))
}

/// Gap between two spans (0 when they overlap); `None` when either has no time (then they are not told apart).
fn gap(a: (Option<Millis>, Option<Millis>), b: (Option<Millis>, Option<Millis>)) -> Option<Millis> {
    let (af, al, bf, bl) = (a.0?, a.1?, b.0?, b.1?);
    Some((bf - al).max(af - bl).max(0))
}

/// Whether the episode's join fields agree with the group's: for every join field both have, a shared value.
fn joins(chain: &Chain, eps: &[EpisodeView], g: &Group, e: &EpisodeView) -> bool {
    chain.join.iter().all(|f| {
        let Some(mine) = e.fields.get(f) else { return true };
        let theirs: Vec<&String> = g.members.iter().filter_map(|&m| eps[m].fields.get(f)).flatten().collect();
        theirs.is_empty() || mine.iter().any(|v| theirs.contains(&v))
    })
}

/// The order episodes are considered in: time (untimed last), then rule, component and key.
type OrderKey<'a> = (Millis, &'a str, Option<Component>, &'a Option<String>, &'a Vec<(String, String)>);

fn order_key(e: &EpisodeView) -> OrderKey<'_> {
    (e.first_seen.unwrap_or(Millis::MAX), e.rule_id.as_str(), e.component, &e.process, &e.key)
}

/// Builds the incidents: chains first, in pack order, then one incident per episode no chain explains. Sorted.
pub fn correlate(pack: &Pack, mut eps: Vec<EpisodeView>) -> Vec<Incident> {
    eps.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
    let mut claimed = vec![false; eps.len()];
    let mut incidents = Vec::new();
    for chain in pack.chains() {
        let mut groups: Vec<Group> = Vec::new();
        for (i, e) in eps.iter().enumerate() {
            if claimed[i] || !(selected(&chain.cause, e) || selected(&chain.proxy, e)) {
                continue;
            }
            let span = (e.first_seen, e.last_seen);
            let found = groups.iter_mut().position(|g| {
                gap((g.first, g.last), span).is_none_or(|d| d <= chain.window) && joins(chain, &eps, g, e)
            });
            match found {
                Some(gi) => {
                    let g = &mut groups[gi];
                    g.members.push(i);
                    g.first = min_opt(g.first, e.first_seen);
                    g.last = max_opt(g.last, e.last_seen);
                }
                None => groups.push(Group { members: vec![i], first: e.first_seen, last: e.last_seen }),
            }
            claimed[i] = true;
        }
        if groups.is_empty() {
            continue;
        }
        for (i, e) in eps.iter().enumerate() {
            if claimed[i] || !selected(&chain.effect, e) {
                continue;
            }
            let fits = |g: &Group| match (e.first_seen, g.first, g.last) {
                (Some(t), Some(f), Some(l)) => t >= f - chain.skew && t <= l + chain.window,
                _ => true,
            };
            if let Some(g) = groups.iter_mut().find(|g| fits(g) && joins(chain, &eps, g, e)) {
                g.members.push(i);
                claimed[i] = true;
            }
        }
        for g in groups {
            incidents.push(chain_incident(pack, chain, &eps, g));
        }
    }
    for (i, e) in eps.into_iter().enumerate() {
        if !claimed[i] {
            incidents.push(incident::single(pack, e));
        }
    }
    incident::sort(&mut incidents);
    incidents
}

fn chain_incident(pack: &Pack, chain: &Chain, eps: &[EpisodeView], mut g: Group) -> Incident {
    // Causes and proxies were pushed before effects: back to episode order (`eps` is sorted, time first), so
    // the episodes after the root read as a timeline.
    g.members.sort_unstable();
    let members: Vec<&EpisodeView> = g.members.iter().map(|&i| &eps[i]).collect();
    // Members are in episode order (time first): the root is the earliest cause, else the earliest proxy.
    let root_idx = members
        .iter()
        .position(|e| selected(&chain.cause, e))
        .or_else(|| members.iter().position(|e| selected(&chain.proxy, e)))
        .unwrap_or(0);
    let root = members[root_idx];
    let root_rule = &pack.rules()[root.rule];

    let mut episodes: Vec<EpisodeView> = Vec::with_capacity(members.len());
    episodes.push(root.clone());
    episodes.extend(members.iter().enumerate().filter(|(i, _)| *i != root_idx).map(|(_, e)| (*e).clone()));

    let mut components = vec![chain.root_component];
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let mut telemetry: Vec<String> = Vec::new();
    let mut fields: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut severity = chain.severity;
    for e in &episodes {
        let c = e.component.map_or("unknown", |c| c.as_str());
        *counts.entry(c.to_string()).or_default() += e.count;
        if let Some(c) = e.component {
            if !components.contains(&c) {
                components.push(c);
            }
        }
        for t in telemetry_of(e) {
            if !telemetry.contains(&t) {
                telemetry.push(t);
            }
        }
        for (k, vs) in &e.fields {
            let slot = fields.entry(k.as_str()).or_default();
            for v in vs {
                if !slot.contains(&v.as_str()) {
                    slot.push(v);
                }
            }
        }
        severity = severity.max(pack.rules()[e.rule].severity);
    }
    let scope = chain.scope.unwrap_or_else(|| {
        if episodes.iter().all(|e| e.fields.contains_key("check")) {
            Scope::Single
        } else {
            Scope::All
        }
    });
    let hash = stable_hash(&[
        &chain.id,
        &root.rule_id,
        root.component.map_or("", |c| c.as_str()),
        &root.key.iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>().join("\u{1f}"),
        &root.first_seen.map_or(String::new(), |t| t.to_string()),
    ]);
    Incident {
        id: format!("{}-{:08x}", chain.id, hash as u32),
        title: render(&chain.title, &fields),
        family: root_rule.family,
        severity,
        components,
        scope,
        telemetry,
        first_seen: g.first.into_iter().chain(episodes.iter().filter_map(|e| e.first_seen)).min(),
        last_seen: episodes.iter().filter_map(|e| e.last_seen).max(),
        count: episodes.iter().map(|e| e.count).sum(),
        counts,
        root_cause: RootCause {
            rule: root.rule_id.clone(),
            component: Some(chain.root_component),
            summary: root_rule.title.clone(),
        },
        chain: Some(chain.id.clone()),
        episodes,
        next_steps: chain.next_steps.clone(),
    }
}

/// Fills a title template: `{field}` becomes the field's values (at most three, then `…`); a `[...]` segment is
/// dropped when a field inside it has no value.
pub(crate) fn render(template: &str, fields: &BTreeMap<&str, Vec<&str>>) -> String {
    fn fill(seg: &str, fields: &BTreeMap<&str, Vec<&str>>) -> Option<String> {
        let mut out = String::new();
        let mut rest = seg;
        while let Some(a) = rest.find('{') {
            out.push_str(&rest[..a]);
            let Some(b) = rest[a..].find('}') else { break };
            let name = &rest[a + 1..a + b];
            let vals = fields.get(name).filter(|v| !v.is_empty())?;
            let mut shown: Vec<&str> = vals.iter().take(3).copied().collect();
            if vals.len() > 3 {
                shown.push("…");
            }
            out.push_str(&shown.join(", "));
            rest = &rest[a + b + 1..];
        }
        out.push_str(rest);
        Some(out)
    }
    let mut out = String::new();
    let mut rest = template;
    while let Some(a) = rest.find('[') {
        let Some(b) = rest[a..].find(']') else { break };
        out.push_str(&fill(&rest[..a], fields).unwrap_or_default());
        if let Some(s) = fill(&rest[a + 1..a + b], fields) {
            out.push_str(&s);
        }
        rest = &rest[a + b + 1..];
    }
    out.push_str(&fill(rest, fields).unwrap_or_else(|| rest.to_string()));
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_templates() {
        let mut f: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        f.insert("index", vec!["sts_multi_metrics-2024.03.12"]);
        f.insert("host", vec!["a", "b", "c", "d"]);
        assert_eq!(render("Disk full[ on {index}]", &f), "Disk full on sts_multi_metrics-2024.03.12");
        assert_eq!(render("Disk full[ on {node}]", &f), "Disk full");
        assert_eq!(render("Agents {host} down", &f), "Agents a, b, c, … down");
    }

    #[test]
    fn gaps() {
        assert_eq!(gap((Some(0), Some(10)), (Some(5), Some(20))), Some(0));
        assert_eq!(gap((Some(0), Some(10)), (Some(30), Some(40))), Some(20));
        assert_eq!(gap((Some(30), Some(40)), (Some(0), Some(10))), Some(20));
        assert_eq!(gap((None, None), (Some(0), Some(1))), None);
    }
}
