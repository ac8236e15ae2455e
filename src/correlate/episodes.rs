//! From the scan state to episodes as reported: the aggregates of each key joined across time buckets (a quiet
//! gap splits them), every sample given its file name and line number, and the telemetry each episode touches.

use super::incident::{EpisodeView, SampleView};
use crate::aggregate::episode::{Bucket, EpisodeKey};
use crate::aggregate::ScanState;
use crate::rules::Pack;
use std::collections::BTreeMap;

/// The episodes of a state, in report form, sorted by key then time.
pub fn of_state(pack: &Pack, state: &ScanState) -> Vec<EpisodeView> {
    let folded = state.aggregates.folded();
    state
        .aggregates
        .episodes()
        .into_iter()
        .map(|(k, b)| {
            let mut v = episode_view(pack, state, k, b);
            if k.other {
                v.other_keys = folded.iter().find(|f| f.rule == k.rule).map(|f| f.keys);
            }
            v
        })
        .collect()
}

/// Turns one aggregated episode into its report form, resolving sample line numbers.
pub fn episode_view(pack: &Pack, state: &ScanState, key: &EpisodeKey, b: Bucket) -> EpisodeView {
    let rule = &pack.rules()[key.rule as usize];
    let samples = b
        .samples
        .into_iter()
        .map(|s| SampleView {
            path: state.files.get(s.order.file as usize).map(|f| f.display.clone()).unwrap_or_default(),
            host: state.files.get(s.order.file as usize).and_then(|f| f.host.clone()),
            line: s.line.number(),
            text: s.text,
            matched: s.matched.map(|(l, t)| (l.number(), t)),
            pod: s.pod,
        })
        .collect();
    let mut fields: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, mut values) in b.fields {
        values.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        fields.insert(name.to_string(), values.into_iter().map(|(v, _)| v.to_string()).collect());
    }
    EpisodeView {
        rule: key.rule as usize,
        rule_id: rule.id.clone(),
        component: key.component,
        process: key.process.as_deref().map(str::to_string),
        key: rule.key.iter().cloned().zip(key.key.iter().map(|k| k.to_string())).collect(),
        count: b.count,
        first_seen: b.first,
        last_seen: b.last,
        fields,
        fields_truncated: b.truncated.iter().map(|t| t.to_string()).collect(),
        samples,
        per_minute: b.minutes.iter().collect(),
        other_keys: None,
    }
}

/// The telemetry streams an episode touches, from the pack's `[[telemetry]]` knowledge.
pub fn telemetry_of(pack: &Pack, ep: &EpisodeView) -> Vec<String> {
    pack.knowledge().telemetry_of(ep.process.as_deref(), &ep.fields)
}
