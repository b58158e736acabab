//! What a crate builds into: the one definition every command uses.

use clap::ValueEnum;

/// What a crate builds into.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum CrateKind {
    /// A PyO3 crate built by maturin into a Python wheel
    Pyo3,
    /// A crate with a binary target
    Bin,
    /// A library-only crate
    Lib,
}

impl CrateKind {
    /// The name used in output and configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            CrateKind::Pyo3 => "pyo3",
            CrateKind::Bin => "bin",
            CrateKind::Lib => "lib",
        }
    }
}
