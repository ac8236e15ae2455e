//! Correlation: from a scan state to incidents an operator can act on.
//!
//! Pure: it borrows a [`ScanState`] and the pack, reads no clock and does no I/O, so the same code serves a
//! one-shot scan, tail mode and merged reports, and the same state always gives the same incidents. The steps:
//! [`episodes`] (aggregates joined into episodes), [`chain`] (episodes of several hops joined by the pack's
//! causal chains), [`single`] (one incident per episode no chain explains); [`incident`] holds the types they
//! share. [`unexplained`] gives the report form of the records no rule explained.

pub mod chain;
pub mod episodes;
pub mod incident;
pub mod single;
pub mod unexplained;

pub use incident::{EpisodeView, Incident, RootCause, SampleView};
pub use unexplained::UnexplainedView;

use crate::aggregate::ScanState;
use crate::rules::Pack;

/// The incidents of a state: the pack's chains first, then one incident per episode that no chain explains.
/// Sorted by severity (worst first), then first seen, then id.
pub fn correlate(pack: &Pack, state: &ScanState) -> Vec<Incident> {
    let episodes = episodes::of_state(pack, state);
    let (mut incidents, rest) = chain::correlate(pack, episodes);
    incidents.extend(rest.into_iter().map(|e| single::single(pack, e)));
    incident::sort(&mut incidents);
    incidents
}
