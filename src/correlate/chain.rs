//! Causal chains: many episodes across several logs are usually one problem seen from several hops. A chain of
//! the pack names a cause (rules, optionally per component), proxies that stand for the cause when its own log
//! was not collected, and effects downstream; episodes close enough in time, whose join fields agree, become one
//! incident named by its root cause.
//!
//! Pure and deterministic: it runs on episodes (aggregates), sorted in a fixed order, and reads no clock; ties
//! are broken by rule id and key. Chains are tried in pack order and an episode joins at most one incident.

use super::episodes::telemetry_of;
use super::incident::{EpisodeView, Incident, RootCause};
use crate::aggregate::episode::{max_opt, min_opt};
use crate::model::Component;
use crate::rules::{Chain, Pack, Scope, Selector};
use crate::time::Millis;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A group of episodes one chain explains.
struct Group<'a> {
    members: Vec<usize>,
    first: Option<Millis>,
    last: Option<Millis>,
    /// The values its members have for each of the chain's join fields (by the field's index in `join`), kept
    /// as members join: asking whether an episode agrees costs a lookup per value, not a pass over the members.
    joined: Vec<BTreeSet<&'a str>>,
}

impl<'a> Group<'a> {
    /// A group spanning `e`'s time, with no members yet.
    fn new(chain: &Chain, e: &EpisodeView) -> Group<'a> {
        let joined = vec![BTreeSet::new(); chain.join.len()];
        Group { members: Vec::new(), first: e.first_seen, last: e.last_seen, joined }
    }

    /// Whether the episode's join fields agree with the group's: for every join field both have, a shared value.
    fn joins(&self, chain: &Chain, e: &EpisodeView) -> bool {
        chain.join.iter().zip(&self.joined).all(|(f, theirs)| {
            let Some(mine) = e.fields.get(f) else { return true };
            theirs.is_empty() || mine.iter().any(|v| theirs.contains(v.as_str()))
        })
    }
}

/// One chain's groups, indexed by join value: an episode is compared only with the groups that could take it
/// (those sharing one of its values for a join field, or holding none), not with every group. The answer is the
/// one a pass over all groups in order would give: the first group, by creation, that takes it.
struct Groups<'a> {
    list: Vec<Group<'a>>,
    /// Per join field: the groups holding each value.
    by_value: Vec<HashMap<&'a str, Vec<usize>>>,
    /// Per join field: the groups that held no value for it when created (a group that gains one later stays
    /// listed; it is then compared in full, which costs time, not correctness).
    without: Vec<Vec<usize>>,
    /// Scratch: the groups to compare an episode with.
    candidates: Vec<usize>,
}

impl<'a> Groups<'a> {
    fn new(chain: &Chain) -> Groups<'a> {
        let n = chain.join.len();
        Groups {
            list: Vec::new(),
            by_value: vec![HashMap::new(); n],
            without: vec![Vec::new(); n],
            candidates: Vec::new(),
        }
    }

    /// The first group that `takes` episode `e` whose join fields agree with it.
    fn find(&mut self, chain: &Chain, e: &EpisodeView, takes: impl Fn(&Group<'a>) -> bool) -> Option<usize> {
        let field = chain.join.iter().enumerate().find_map(|(k, f)| e.fields.get(f).map(|v| (k, v)));
        let Some((k, mine)) = field else {
            // No join field to narrow by: every group agrees on them.
            return self.list.iter().position(takes);
        };
        self.candidates.clear();
        self.candidates.extend_from_slice(&self.without[k]);
        for v in mine {
            self.candidates.extend(self.by_value[k].get(v.as_str()).into_iter().flatten());
        }
        self.candidates.sort_unstable();
        self.candidates.dedup();
        self.candidates.iter().copied().find(|&gi| takes(&self.list[gi]) && self.list[gi].joins(chain, e))
    }

    /// Starts a group with episode `i` (`e`) as its first member.
    fn start(&mut self, chain: &Chain, i: usize, e: &'a EpisodeView) {
        let gi = self.list.len();
        self.list.push(Group::new(chain, e));
        for (k, f) in chain.join.iter().enumerate() {
            if e.fields.get(f).is_none_or(|v| v.is_empty()) {
                self.without[k].push(gi);
            }
        }
        self.add(chain, gi, i, e);
    }

    /// Adds episode `i` (`e`) to group `gi`, indexing the join values new to it.
    fn add(&mut self, chain: &Chain, gi: usize, i: usize, e: &'a EpisodeView) {
        let g = &mut self.list[gi];
        g.members.push(i);
        for (k, f) in chain.join.iter().enumerate() {
            for v in e.fields.get(f).into_iter().flatten() {
                if g.joined[k].insert(v.as_str()) {
                    self.by_value[k].entry(v.as_str()).or_default().push(gi);
                }
            }
        }
    }
}

fn selected(sels: &[Selector], e: &EpisodeView) -> bool {
    sels.iter().any(|s| s.selects(e.rule, e.component))
}

/// Gap between two spans (0 when they overlap); `None` when either has no time (then they are not told apart).
fn gap(a: (Option<Millis>, Option<Millis>), b: (Option<Millis>, Option<Millis>)) -> Option<Millis> {
    let (af, al, bf, bl) = (a.0?, a.1?, b.0?, b.1?);
    Some((bf - al).max(af - bl).max(0))
}

/// The order episodes are considered in: time (untimed last), then rule, component and key.
type OrderKey<'a> = (Millis, &'a str, Option<Component>, &'a Option<String>, &'a Vec<(String, String)>);

fn order_key(e: &EpisodeView) -> OrderKey<'_> {
    (e.first_seen.unwrap_or(Millis::MAX), e.rule_id.as_str(), e.component, &e.process, &e.key)
}

/// The incidents the pack's chains make, in pack order, and the episodes no chain explains.
pub fn correlate(pack: &Pack, mut eps: Vec<EpisodeView>) -> (Vec<Incident>, Vec<EpisodeView>) {
    eps.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
    let mut claimed = vec![false; eps.len()];
    let mut incidents = Vec::new();
    for chain in pack.chains() {
        let mut groups = Groups::new(chain);
        for (i, e) in eps.iter().enumerate() {
            if claimed[i] || !(selected(&chain.cause, e) || selected(&chain.proxy, e)) {
                continue;
            }
            let span = (e.first_seen, e.last_seen);
            let near = |g: &Group<'_>| gap((g.first, g.last), span).is_none_or(|d| d <= chain.window);
            match groups.find(chain, e, near) {
                Some(gi) => {
                    groups.add(chain, gi, i, e);
                    let g = &mut groups.list[gi];
                    g.first = min_opt(g.first, e.first_seen);
                    g.last = max_opt(g.last, e.last_seen);
                }
                None => groups.start(chain, i, e),
            }
            claimed[i] = true;
        }
        if groups.list.is_empty() {
            continue;
        }
        // Effects join a group (the first one their time and join fields fit) but widen neither its span nor
        // the window later effects are fitted to.
        for (i, e) in eps.iter().enumerate() {
            if claimed[i] || !selected(&chain.effect, e) {
                continue;
            }
            let fits = |g: &Group<'_>| match (e.first_seen, g.first, g.last) {
                (Some(t), Some(f), Some(l)) => t >= f - chain.skew && t <= l + chain.window,
                _ => true,
            };
            if let Some(gi) = groups.find(chain, e, fits) {
                groups.add(chain, gi, i, e);
                claimed[i] = true;
            }
        }
        for g in groups.list {
            incidents.push(chain_incident(pack, chain, &eps, g));
        }
    }
    let rest = eps.into_iter().zip(claimed).filter(|(_, c)| !c).map(|(e, _)| e).collect();
    (incidents, rest)
}

fn chain_incident(pack: &Pack, chain: &Chain, eps: &[EpisodeView], mut g: Group<'_>) -> Incident {
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
        for t in telemetry_of(pack, e) {
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
        severity = severity.max(pack.rules()[e.rule].severity_of(
            e.count,
            e.first_seen,
            e.last_seen,
            &e.per_minute,
            &e.fields,
        ));
    }
    let scope = chain.scope.unwrap_or_else(|| {
        if episodes.iter().all(|e| pack.knowledge().single_integration(&e.fields)) {
            Scope::Single
        } else {
            Scope::All
        }
    });
    let hash = crate::hash::of_parts(&[
        &chain.id,
        &root.rule_id,
        root.component.map_or("", |c| c.as_str()),
        &root.key.iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>().join("\u{1f}"),
        &root.first_seen.map_or(String::new(), |t| t.to_string()),
    ]);
    Incident {
        id: format!("{}-{:08x}", chain.id, hash as u32),
        title: render(chain.title_of(episodes.iter().map(|e| (e.rule, e.component))), &fields),
        family: root_rule.family.clone(),
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
/// dropped when a field inside it has no value, and a field outside any segment that has none is left out alone
/// (the words around it stay).
pub(crate) fn render(template: &str, fields: &BTreeMap<&str, Vec<&str>>) -> String {
    /// `None` when a field of `seg` has no value and `optional` (the segment is dropped).
    fn fill(seg: &str, fields: &BTreeMap<&str, Vec<&str>>, optional: bool) -> Option<String> {
        let mut out = String::new();
        let mut rest = seg;
        while let Some(a) = rest.find('{') {
            out.push_str(&rest[..a]);
            let Some(b) = rest[a..].find('}') else { break };
            let name = &rest[a + 1..a + b];
            let Some(vals) = fields.get(name).filter(|v| !v.is_empty()) else {
                if optional {
                    return None;
                }
                rest = &rest[a + b + 1..];
                continue;
            };
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
        out.push_str(&fill(&rest[..a], fields, false).unwrap_or_default());
        if let Some(s) = fill(&rest[a + 1..a + b], fields, true) {
            out.push_str(&s);
        }
        rest = &rest[a + b + 1..];
    }
    out.push_str(&fill(rest, fields, false).unwrap_or_default());
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
        // A field outside a segment without a value takes only itself out, before a segment and after one.
        assert_eq!(
            render("Limit hit on {node}[ for {index}]: writes fail", &f),
            "Limit hit on for sts_multi_metrics-2024.03.12: writes fail"
        );
        assert_eq!(render("[{index} ]stopped on {node} now", &f), "sts_multi_metrics-2024.03.12 stopped on now");
    }

    #[test]
    fn gaps() {
        assert_eq!(gap((Some(0), Some(10)), (Some(5), Some(20))), Some(0));
        assert_eq!(gap((Some(0), Some(10)), (Some(30), Some(40))), Some(20));
        assert_eq!(gap((Some(30), Some(40)), (Some(0), Some(10))), Some(20));
        assert_eq!(gap((None, None), (Some(0), Some(1))), None);
    }

    /// The indexed groups pick, for every episode, the group a pass over all groups with the members' values
    /// gathered afresh would pick: on episodes with two join fields, values shared by some and missing in others.
    #[test]
    fn indexed_groups_pick_what_a_full_pass_picks() {
        let pack = Pack::embedded().expect("embedded pack");
        let mut chain = pack.chains()[0].clone();
        chain.join = vec!["endpoint".into(), "member".into()];
        chain.window = 100;
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let eps: Vec<EpisodeView> = (0..400)
            .map(|i| {
                let mut fields = BTreeMap::new();
                for f in ["endpoint", "member"] {
                    let n = next(3);
                    let values: Vec<String> = (0..n).map(|_| format!("{f}-{}", next(12))).collect();
                    if n > 0 || next(2) == 0 {
                        fields.insert(f.to_string(), values);
                    }
                }
                let first = (next(10) > 0).then(|| (i * 7 + next(50) as i64) as Millis);
                EpisodeView {
                    rule: 0,
                    rule_id: format!("r{i}"),
                    component: None,
                    process: None,
                    key: Vec::new(),
                    count: 1,
                    first_seen: first,
                    last_seen: first.map(|t| t + next(30) as Millis),
                    fields,
                    fields_truncated: Vec::new(),
                    samples: Vec::new(),
                    per_minute: Vec::new(),
                    other_keys: None,
                }
            })
            .collect();
        let mut groups = Groups::new(&chain);
        // The reference: member lists, spans, and every member's values looked up at each question.
        let mut reference: Vec<(Vec<usize>, Option<Millis>, Option<Millis>)> = Vec::new();
        let agrees = |members: &[usize], e: &EpisodeView| {
            chain.join.iter().all(|f| {
                let Some(mine) = e.fields.get(f) else { return true };
                let theirs: Vec<&String> = members.iter().filter_map(|&m| eps[m].fields.get(f)).flatten().collect();
                theirs.is_empty() || mine.iter().any(|v| theirs.contains(&v))
            })
        };
        for (i, e) in eps.iter().enumerate() {
            let span = (e.first_seen, e.last_seen);
            let near = |first, last| gap((first, last), span).is_none_or(|d| d <= chain.window);
            let want = reference.iter().position(|(m, f, l)| near(*f, *l) && agrees(m, e));
            let got = groups.find(&chain, e, |g| near(g.first, g.last));
            assert_eq!(got, want, "episode {i}");
            match got {
                Some(gi) => {
                    groups.add(&chain, gi, i, e);
                    let g = &mut groups.list[gi];
                    (g.first, g.last) = (min_opt(g.first, e.first_seen), max_opt(g.last, e.last_seen));
                    let r = &mut reference[gi];
                    r.0.push(i);
                    (r.1, r.2) = (min_opt(r.1, e.first_seen), max_opt(r.2, e.last_seen));
                }
                None => {
                    groups.start(&chain, i, e);
                    reference.push((vec![i], e.first_seen, e.last_seen));
                }
            }
        }
        assert!(
            groups.list.len() > 10 && groups.list.len() < 300,
            "{} groups: the values should mix",
            groups.list.len()
        );
        for (g, r) in groups.list.iter().zip(&reference) {
            assert_eq!(g.members, r.0);
        }
    }
}
