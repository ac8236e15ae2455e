//! Correlation: from episodes (per rule and key) to incidents an operator can act on.
//!
//! Pure: it works on aggregates and the pack, reads no clock and does no I/O, so the same code serves a one-shot
//! scan and tail mode, and the same inputs always give the same incidents.

pub mod chain;
pub mod episode;
pub mod incident;

pub use incident::{build_incidents, EpisodeView, Incident, RootCause, SampleView};
