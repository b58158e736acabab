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

/// The facts a crate's kind is decided from, however they were read (`cargo metadata` in
/// `affected`, raw manifests in `dockerfile`).
#[derive(Debug, Clone, Copy, Default)]
pub struct KindFacts {
    /// Its own `pyproject.toml` builds with maturin.
    pub maturin_pyproject: bool,
    /// Its library's `crate-type` includes `cdylib`.
    pub cdylib: bool,
    /// It depends on `pyo3`.
    pub uses_pyo3: bool,
    /// It has a binary target.
    pub has_bin: bool,
}

/// What a crate builds into: `[package.metadata.ccworkspace] kind` if set; else PyO3 when it
/// has a maturin `pyproject.toml` or a `cdylib` library that depends on `pyo3`; else binary when
/// it has a `bin` target; else library. An override that names no kind is an error (the text
/// of the message, without the file).
pub fn classify(kind_override: Option<&str>, facts: KindFacts) -> Result<CrateKind, String> {
    Ok(match kind_override {
        Some("pyo3") => CrateKind::Pyo3,
        Some("bin") => CrateKind::Bin,
        Some("lib") => CrateKind::Lib,
        Some(other) => {
            return Err(format!(
                "[package.metadata.ccworkspace] kind = \"{other}\" is not a kind (use \"pyo3\", \"bin\" or \"lib\")"
            ));
        }
        None if facts.maturin_pyproject || (facts.cdylib && facts.uses_pyo3) => CrateKind::Pyo3,
        None if facts.has_bin => CrateKind::Bin,
        None => CrateKind::Lib,
    })
}

/// Whether a `pyproject.toml` builds with maturin (`[build-system] build-backend = "maturin"`).
pub fn is_maturin_pyproject(text: &str) -> bool {
    toml::from_str::<toml::Table>(text)
        .ok()
        .and_then(|t| {
            t.get("build-system")
                .and_then(|b| b.get("build-backend"))
                .and_then(|b| b.as_str())
                .map(|b| b == "maturin")
        })
        .unwrap_or(false)
}
