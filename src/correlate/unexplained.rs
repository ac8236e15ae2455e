//! From the scan state's unexplained templates to what the report lists: the top templates, ranked by level then
//! count, each with its component, counts, times, files, samples (given their file names and line numbers) and
//! whether its rate bursts.

use super::incident::SampleView;
use crate::aggregate::episode::Sample;
use crate::aggregate::unexplained::{Detail, Unexplained};
use crate::aggregate::ScanState;
use crate::miner::{Template, TemplateId};
use crate::model::{Component, Level};
use crate::time::Millis;
use std::cmp::Reverse;

/// One unexplained template as reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnexplainedView {
    /// The template's stable id in its component (a hash of the component and the template's text), 16 hex
    /// digits: one text mined in two components is two templates.
    pub id: String,
    /// The template: the records' message, variables as `<*>` (and ` | ` the exception line below the header).
    pub template: String,
    /// The component whose logs hold it (`None`: could not be told).
    pub component: Option<Component>,
    /// The highest level of its records (`None`: exceptions logged without a level).
    pub level: Option<Level>,
    /// Records.
    pub count: u64,
    /// Earliest record time.
    pub first_seen: Option<Millis>,
    /// Latest record time.
    pub last_seen: Option<Millis>,
    /// Files its records came from (at least, when `files_more`).
    pub files: usize,
    /// More files than were counted held its records.
    pub files_more: bool,
    /// Whether its rate bursts (see [`crate::aggregate::unexplained::Rate::bursts`]).
    pub bursts: bool,
    /// Records in its busiest time bin.
    pub peak: u64,
    /// The width of that bin, in milliseconds (one minute, or more for templates seen over a long time).
    pub peak_window_ms: Millis,
    /// Per variable, its earliest distinct values.
    pub examples: Vec<Vec<String>>,
    /// The earliest records.
    pub samples: Vec<SampleView>,
}

/// The rank of a level: exceptions logged without one count as errors.
fn rank(level: Option<Level>) -> Level {
    level.unwrap_or(Level::Error)
}

/// A template's report form.
pub fn view(state: &ScanState, component: Option<Component>, t: Template<'_, Detail>) -> UnexplainedView {
    let d = t.payload();
    let sample = |s: &Sample| SampleView {
        path: state.files.get(s.order.file as usize).map(|f| f.display.clone()).unwrap_or_default(),
        line: s.line.number(),
        text: s.text.clone(),
        matched: s.matched.as_ref().map(|(l, text)| (l.number(), text.clone())),
        pod: s.pod.clone(),
        host: state.files.get(s.order.file as usize).and_then(|f| f.host.clone()),
    };
    UnexplainedView {
        id: format!("{:016x}", {
            let mut h = crate::hash::Fnv::default();
            h.write_part(component.map_or("", |c| c.as_str()).as_bytes());
            h.write(&t.id().to_le_bytes());
            h.finish()
        }),
        template: t.text().to_string(),
        component,
        level: d.level,
        count: t.count(),
        first_seen: d.first,
        last_seen: d.last,
        files: d.files.len(),
        files_more: d.more_files,
        bursts: d.rate.bursts(),
        peak: d.rate.peak(),
        peak_window_ms: d.rate.width,
        examples: crate::frame::sanitize::redact_examples(
            t.text(),
            t.examples().map(|e| e.into_iter().map(String::from).collect()),
        ),
        samples: d.samples.iter().map(sample).collect(),
    }
}

/// The `top` templates of a state, by level (highest first), then count (largest first), then first seen, then
/// component and text: a total order, so the list is the same for the same state.
pub fn top(state: &ScanState, top: usize) -> Vec<UnexplainedView> {
    let mut all: Vec<(Option<Component>, Template<'_, Detail>)> = state.unexplained.templates().collect();
    all.sort_by(|(ca, a), (cb, b)| {
        let key = |c: &Option<Component>, t: &Template<'_, Detail>| {
            (Reverse(rank(t.payload().level)), Reverse(t.count()), t.payload().first, *c, t.text().to_string())
        };
        key(ca, a).cmp(&key(cb, b))
    });
    all.into_iter().take(top).map(|(c, t)| view(state, c, t)).collect()
}

/// How many templates and records are unexplained at WARN and above, and how many of them at ERROR and above
/// (exceptions without a level among them): `((templates, records), (error templates, error records))`.
pub fn totals(u: &Unexplained) -> ((usize, u64), (usize, u64)) {
    let mut all = (0, 0);
    let mut errors = (0, 0);
    for (_, t) in u.templates() {
        all.0 += 1;
        all.1 += t.count();
        if rank(t.payload().level) >= Level::Error {
            errors.0 += 1;
            errors.1 += t.count();
        }
    }
    (all, errors)
}

/// The template ids of `u` at ERROR and above (exceptions without a level among them) that tail mode has not
/// announced and that first appeared at or after `since`, by first time: the candidates of an `unexplained` event.
pub fn new_errors(u: &Unexplained, since: Millis) -> Vec<(Option<Component>, TemplateId)> {
    let mut v: Vec<(Option<Millis>, Option<Component>, TemplateId)> = u
        .templates()
        .filter(|(_, t)| {
            let d = t.payload();
            !d.announced && rank(d.level) >= Level::Error && d.first.is_some_and(|f| f >= since)
        })
        .map(|(c, t)| (t.payload().first, c, t.id()))
        .collect();
    v.sort_unstable();
    v.into_iter().map(|(_, c, id)| (c, id)).collect()
}
