//! stackscan finds why StackState telemetry goes missing.
//!
//! It reads the logs of every hop of the pipeline (Agent → Receiver → Kafka → kafka-to-es → Elasticsearch) with a
//! rule pack of the known failures (JSON deserialization errors, connection failures, kafka-to-es index errors
//! and their Elasticsearch causes), and reports correlated incidents: root cause, components, time span, counts,
//! evidence lines and next steps.
//!
//! Data flow, one stage per module, each importing only from the stages before it:
//! [`source`] (inputs) and [`frame`] (lines, records, timestamps) feed [`scan`] (the parallel hot path, with the
//! compiled [`rules`] beside it), which folds events into [`aggregate`]s and produces one [`ScanState`];
//! [`correlate`] turns a borrowed state into incidents; [`report`] prints them; [`follow`] runs the same stages on
//! files as they grow.

#![deny(missing_docs)]

pub mod aggregate;
pub mod correlate;
pub mod follow;
pub mod frame;
pub mod hash;
pub mod model;
pub mod report;
pub mod rules;
pub mod scan;
pub mod source;
pub mod time;

pub use aggregate::ScanState;
pub use frame::sanitize;
