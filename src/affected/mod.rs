//! Which crates a change touches: pure, no process spawning, no printing.
//!
//! - [`changed`]: parse git's changed-file list.
//! - [`rules`]: path rules (configured and built-in) that classify a changed file.
//! - [`rootdiff`]: what changed in the root `Cargo.toml`, entry by entry.
//! - [`lockdiff`]: which packages changed in `Cargo.lock`.
//! - [`uvlock`]: which resolved Python packages changed in `uv.lock`.
//! - [`compute`]: map files to crates and propagate to dependents, with reasons.
//! - [`report`]: render the result in every output format.

pub mod changed;
pub mod compute;
pub mod lockdiff;
pub mod report;
pub mod rootdiff;
pub mod rules;
pub mod uvlock;
