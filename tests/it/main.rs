//! The integration tests, one binary: each module tests one part through the binary and the library, on the
//! fixtures (`fixtures/`) and, where present, the shared corpora (`../shared/corpus`). Helpers live in
//! `tests/util`, shared by every module.

// Helpers of integration tests are not `#[test]` functions; clippy.toml allows unwrap in tests.
#![allow(clippy::unwrap_used)]

#[path = "../util/mod.rs"]
mod util;

mod alerting;
mod architecture;
mod chunks;
mod correlation;
mod differential;
mod follow;
mod golden;
mod hostile;
mod html;
mod inputs;
mod kinds;
mod merge;
mod prefilter;
mod quality;
mod real_cases;
mod release;
mod reports;
mod rules;
mod scan;
mod state;
mod templates;
mod unexplained;
