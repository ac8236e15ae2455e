//! stackscan finds why StackState telemetry goes missing.
//!
//! It reads the logs of every hop of the pipeline (Agent → Receiver → Kafka → kafka-to-es → Elasticsearch) with a
//! rule pack of the known failures (JSON deserialization errors, connection failures, kafka-to-es index errors
//! and their Elasticsearch causes), and reports correlated incidents: root cause, components, time span, counts,
//! evidence lines and next steps.
//!
//! Data flow: [`source`] (inputs) → [`scan`] (the parallel hot path, using [`frame`] around hits) →
//! [`correlate`] (episodes, incidents) → [`report`]. The [`rules`] pack is compiled once and shared.

#![deny(missing_docs)]

pub mod correlate;
pub mod follow;
pub mod frame;
pub mod model;
pub mod report;
pub mod rules;
pub mod scan;
pub mod source;
pub mod time;

pub use frame::sanitize;
