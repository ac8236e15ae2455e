//! stackscan finds why StackState telemetry goes missing.
//!
//! It reads the logs of every hop of the pipeline (Agent → Receiver → Kafka → kafka-to-es → Elasticsearch) with a
//! rule pack of the known failures (JSON deserialization errors, connection failures, kafka-to-es index errors
//! and their Elasticsearch causes), and reports correlated incidents: root cause, components, time span, counts,
//! evidence lines and next steps.
//!
//! ```no_run
//! use stackscan::{discover, Format, Pack, Report, ScannerBuilder, Style};
//! use std::sync::Arc;
//!
//! let pack = Arc::new(Pack::embedded()?);
//! let (inputs, _skipped, _missing) = discover(&["/opt/stackstate/var/log".into()], &Default::default());
//! let state = ScannerBuilder::new().build(pack.clone())?.scan(&inputs);
//! let report = Report::of(&pack, &state);
//! report.write(&mut std::io::stdout(), Format::Text, Style::new(&pack, false))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Data flow, one stage per module, each importing only from the stages before it (a test keeps it so):
//! `source` (inputs) and `frame` (lines, records, timestamps) feed `scan` (the parallel hot path, with the
//! compiled [`rules`] beside it), which folds events into aggregates (`aggregate`) and produces one
//! [`ScanState`]; `correlate` turns a borrowed state into [`Incident`]s; [`report`] prints them; `export` gives tail
//! mode's other views (Prometheus metrics, Alertmanager alerts, webhooks); `follow` runs the same stages on files as
//! they grow. The modules not documented here are internals, public for the benchmarks
//! and tests.

#![deny(missing_docs)]

#[doc(hidden)]
pub mod aggregate;
#[doc(hidden)]
pub mod correlate;
#[doc(hidden)]
pub mod export;
#[doc(hidden)]
pub mod follow;
#[doc(hidden)]
pub mod frame;
#[doc(hidden)]
pub mod hash;
pub mod miner;
pub mod model;
pub mod report;
pub mod rules;
#[doc(hidden)]
pub mod scan;
#[doc(hidden)]
pub mod source;
#[doc(hidden)]
pub mod time;

pub use aggregate::{MergeError, ScanState};
pub use correlate::{correlate, EpisodeView, Incident, RootCause, SampleView};
pub use frame::sanitize;
pub use report::{Format, Printer, Report, Style};
pub use rules::{Pack, PackError};
pub use scan::{test_pack, Scanner, ScannerBuilder};
pub use source::{discover, Input, WalkOptions};
pub use time::{Millis, Zone};
