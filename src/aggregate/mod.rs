//! Aggregation: matching records folded, as they are found, into bounded episodes per (rule, component, key)
//! ([`episode`], a storm's repeated raw keys and values recognised without cleaning them again: [`seen`]), the
//! records no rule explained mined into templates ([`unexplained`]), and the [`ScanState`] that carries both,
//! with the file table and totals, from scanning to correlating.
//!
//! The stage between the hot path and the correlator: the scanner writes into it, the correlator and the
//! checkpoint read it, and nothing here knows how the bytes were read.

pub mod episode;
pub mod minutes;
pub mod seen;
mod state;
pub mod unexplained;

pub use state::{Combiner, MergeError, ScanState, ScannedFile, Stats};
