//! The incident lifecycle of tail mode: a pure state machine that compares the incidents the correlator builds
//! now with what was already reported, and says which to announce as `opened`, `updated` or `resolved`.
//!
//! No I/O and no clock: the caller passes two times in. `log_now` is the newest timestamp seen in any followed
//! line (log time decides when a quiet incident is resolved, so a replay resolves exactly like the live run did);
//! `wall_ms` is a monotonic clock in milliseconds, used only to rate-limit `updated` (at most one per
//! incident per update interval, so a busy incident does not flood the output).
//!
//! Rules, in order, for each incident the correlator returns:
//! - never reported: `opened`;
//! - reported and open, quiet for `resolve_after` of log time: `resolved` (the event carries the final counts);
//! - reported and open, count or last_seen changed: `updated`, unless one was sent for it less than
//!   `update_interval` ago (then the change is pending and goes out later, or at the latest with `flush`);
//! - reported as resolved, and new events arrived since: `opened` again (a resolved problem came back within the
//!   correlator's episode gap, so it keeps its id).
//!
//! An id that disappears from the correlator's output (its events were regrouped under another id) is dropped
//! silently: its events are counted in the incident that absorbed them.

use crate::correlate::Incident;
use crate::report::EventKind as Kind;
use crate::time::Millis;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// What was last announced about an incident. Kept in the checkpoint so a restart does not repeat it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reported {
    /// Open or resolved.
    pub status: Status,
    /// The count last announced.
    pub count: u64,
    /// The last_seen last announced.
    pub last_seen: Option<Millis>,
}

/// Whether an incident is ongoing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Announced with `opened` (or `updated`), not yet resolved.
    Open,
    /// Announced with `resolved`.
    Resolved,
}

/// Lifecycle settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Minimum wall time between two `updated` of one incident, ms.
    pub update_interval_ms: i64,
    /// Log time without new events after which an open incident is resolved, ms.
    pub resolve_after_ms: Millis,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { update_interval_ms: 10_000, resolve_after_ms: 5 * 60_000 }
    }
}

/// The state machine.
#[derive(Debug, Clone, Default)]
pub struct Lifecycle {
    settings: Settings,
    reported: BTreeMap<String, Reported>,
    /// Wall time of the last event sent per incident (not persisted: after a restart updates may go out at once).
    last_sent: HashMap<String, i64>,
    /// Whether some change was held back by the rate limit.
    pending: bool,
}

impl Lifecycle {
    /// A lifecycle that has reported nothing.
    pub fn new(settings: Settings) -> Self {
        Lifecycle { settings, ..Lifecycle::default() }
    }

    /// A lifecycle resuming from a checkpoint.
    pub fn restore(settings: Settings, reported: BTreeMap<String, Reported>) -> Self {
        Lifecycle { settings, reported, ..Lifecycle::default() }
    }

    /// What was reported, for the checkpoint.
    pub fn reported(&self) -> &BTreeMap<String, Reported> {
        &self.reported
    }

    /// Whether the incident `id` was announced and not resolved.
    pub fn is_open(&self, id: &str) -> bool {
        self.reported.get(id).is_some_and(|r| r.status == Status::Open)
    }

    /// Whether an `updated` is being held back by the rate limit (the caller should step again later).
    pub fn has_pending(&self) -> bool {
        self.pending
    }

    /// Compares `incidents` with what was reported and returns the events to emit, as (kind, index into
    /// `incidents`), in the order of `incidents`. `flush` ignores the rate limit (used on shutdown).
    pub fn step(
        &mut self,
        incidents: &[Incident],
        log_now: Option<Millis>,
        wall_ms: i64,
        flush: bool,
    ) -> Vec<(Kind, usize)> {
        let s = self.settings;
        let mut out = Vec::new();
        let mut pending = false;
        let mut live: Vec<&str> = Vec::with_capacity(incidents.len());
        for (i, inc) in incidents.iter().enumerate() {
            live.push(&inc.id);
            let quiet = match (log_now, inc.last_seen) {
                (Some(now), Some(last)) => now - last >= s.resolve_after_ms,
                _ => false,
            };
            let kind = match self.reported.get(&inc.id) {
                None => Some(Kind::Opened),
                Some(r) => {
                    let changed = r.count != inc.count || r.last_seen != inc.last_seen;
                    match r.status {
                        Status::Resolved if changed => Some(Kind::Opened),
                        Status::Resolved => None,
                        Status::Open if quiet => Some(Kind::Resolved),
                        Status::Open if changed => {
                            let due = flush
                                || self.last_sent.get(&inc.id).is_none_or(|&t| wall_ms - t >= s.update_interval_ms);
                            if due {
                                Some(Kind::Updated)
                            } else {
                                pending = true;
                                None
                            }
                        }
                        Status::Open => None,
                    }
                }
            };
            let Some(kind) = kind else { continue };
            out.push((kind, i));
            let mut status = if kind == Kind::Resolved { Status::Resolved } else { Status::Open };
            // A problem first seen long after it stopped (a replay, a restart after a long stop) opens and
            // resolves at once.
            if kind == Kind::Opened && quiet {
                out.push((Kind::Resolved, i));
                status = Status::Resolved;
            }
            self.last_sent.insert(inc.id.clone(), wall_ms);
            self.reported.insert(inc.id.clone(), Reported { status, count: inc.count, last_seen: inc.last_seen });
        }
        live.sort_unstable();
        self.reported.retain(|id, _| live.binary_search(&id.as_str()).is_ok());
        self.last_sent.retain(|id, _| live.binary_search(&id.as_str()).is_ok());
        self.pending = pending;
        out
    }
}

impl Lifecycle {
    /// The input ended (standard input): every incident still open is resolved now, with the counts it has,
    /// as (kind, index into `incidents`). Call after a last [`Lifecycle::step`] with `flush`.
    pub fn end_of_input(&mut self, incidents: &[Incident]) -> Vec<(Kind, usize)> {
        let mut out = Vec::new();
        for (i, inc) in incidents.iter().enumerate() {
            if let Some(r) = self.reported.get_mut(&inc.id) {
                if r.status == Status::Open {
                    r.status = Status::Resolved;
                    out.push((Kind::Resolved, i));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inc(id: &str, count: u64, first: i64, last: i64) -> Incident {
        let mut i = Incident::for_test(id);
        (i.count, i.first_seen, i.last_seen) = (count, Some(first), Some(last));
        i
    }

    const MIN: i64 = 60_000;

    fn kinds(v: &[(Kind, usize)]) -> Vec<Kind> {
        v.iter().map(|e| e.0).collect()
    }

    #[test]
    fn opens_updates_and_resolves_in_log_time() {
        let mut l = Lifecycle::new(Settings::default());
        let a = [inc("a", 1, 0, 0)];
        assert_eq!(kinds(&l.step(&a, Some(0), 0, false)), [Kind::Opened]);
        assert!(l.step(&a, Some(0), 1_000, false).is_empty(), "nothing new, nothing said");
        let a = [inc("a", 5, 0, MIN)];
        assert_eq!(kinds(&l.step(&a, Some(MIN), 20_000, false)), [Kind::Updated]);
        // 4 minutes of log time later: still open.
        assert!(l.step(&a, Some(5 * MIN), 40_000, false).is_empty());
        assert_eq!(kinds(&l.step(&a, Some(6 * MIN), 41_000, false)), [Kind::Resolved]);
        assert_eq!(l.reported()["a"].status, Status::Resolved);
        assert!(l.step(&a, Some(7 * MIN), 42_000, false).is_empty(), "resolved once");
    }

    #[test]
    fn updates_are_rate_limited_and_flushed() {
        let mut l = Lifecycle::new(Settings::default());
        l.step(&[inc("a", 1, 0, 0)], Some(0), 0, false);
        assert!(l.step(&[inc("a", 2, 0, 1000)], Some(1000), 3_000, false).is_empty());
        assert!(l.has_pending());
        assert!(l.step(&[inc("a", 3, 0, 2000)], Some(2000), 6_000, false).is_empty());
        let e = l.step(&[inc("a", 3, 0, 2000)], Some(2000), 10_000, false);
        assert_eq!(kinds(&e), [Kind::Updated]);
        assert!(!l.has_pending());
        assert!(l.step(&[inc("a", 4, 0, 3000)], Some(3000), 11_000, false).is_empty());
        assert_eq!(kinds(&l.step(&[inc("a", 4, 0, 3000)], Some(3000), 11_001, true)), [Kind::Updated]);
        assert_eq!(l.reported()["a"].count, 4);
    }

    #[test]
    fn a_resolved_incident_that_grows_again_reopens() {
        let mut l = Lifecycle::new(Settings::default());
        l.step(&[inc("a", 1, 0, 0)], Some(0), 0, false);
        assert_eq!(kinds(&l.step(&[inc("a", 1, 0, 0)], Some(10 * MIN), 1, false)), [Kind::Resolved]);
        assert_eq!(kinds(&l.step(&[inc("a", 2, 0, 11 * MIN)], Some(11 * MIN), 2, false)), [Kind::Opened]);
        assert_eq!(l.reported()["a"].status, Status::Open);
    }

    #[test]
    fn a_stale_incident_opens_and_resolves_at_once() {
        let mut l = Lifecycle::new(Settings::default());
        let e = l.step(&[inc("old", 3, 0, MIN), inc("new", 1, 60 * MIN, 60 * MIN)], Some(60 * MIN), 0, false);
        assert_eq!(e, vec![(Kind::Opened, 0), (Kind::Resolved, 0), (Kind::Opened, 1)]);
    }

    #[test]
    fn restored_state_repeats_nothing() {
        let mut l = Lifecycle::new(Settings::default());
        let a = [inc("a", 7, 0, MIN), inc("b", 1, 0, 0)];
        l.step(&a, Some(MIN), 0, false);
        let mut r = Lifecycle::restore(Settings::default(), l.reported().clone());
        assert!(r.step(&a, Some(MIN), 0, false).is_empty());
        assert_eq!(kinds(&r.step(&[inc("a", 8, 0, 2 * MIN)], Some(2 * MIN), 0, false)), [Kind::Updated]);
        assert!(!r.reported().contains_key("b"), "vanished ids are forgotten");
    }

    #[test]
    fn the_end_of_input_resolves_what_is_open() {
        let mut l = Lifecycle::new(Settings::default());
        let a = [inc("a", 1, 0, 0), inc("b", 2, 0, 0)];
        l.step(&a, Some(0), 0, false);
        assert_eq!(kinds(&l.step(&a, Some(10 * MIN), 1, true)), [Kind::Resolved, Kind::Resolved]);
        let a = [inc("a", 1, 0, 0), inc("b", 3, 0, 11 * MIN), inc("c", 1, 11 * MIN, 11 * MIN)];
        l.step(&a, Some(11 * MIN), 2, true);
        assert_eq!(l.end_of_input(&a), vec![(Kind::Resolved, 1), (Kind::Resolved, 2)], "a was resolved already");
        assert!(l.end_of_input(&a).is_empty(), "once");
    }

    #[test]
    fn untimed_incidents_never_resolve() {
        let mut l = Lifecycle::new(Settings::default());
        let mut i = inc("u", 1, 0, 0);
        i.first_seen = None;
        i.last_seen = None;
        l.step(std::slice::from_ref(&i), Some(0), 0, false);
        assert!(l.step(std::slice::from_ref(&i), Some(1000 * MIN), 0, false).is_empty());
    }
}
