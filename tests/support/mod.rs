//! Shared helpers for the integration tests: each test file does `mod support;`.

// Each test file uses a different subset of these helpers, so `expect` would fail somewhere.
#![allow(dead_code)]

pub mod cli;
pub mod generator;
pub mod git;
pub mod oracle;

use std::path::PathBuf;

/// The `cargo-ccworkspace` binary under test.
pub fn bin() -> PathBuf {
    env!("CARGO_BIN_EXE_cargo-ccworkspace").into()
}

/// The bundled example monorepo, `fixtures/citychain`.
pub fn citychain() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join("citychain")
}

/// The cargo that runs the tests (`$CARGO`), falling back to `cargo` on `PATH`.
pub fn cargo() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

/// `cargo metadata --format-version 1 ARGS` in `dir`, with the test's cargo: the JSON, or
/// cargo's stderr when it refuses the workspace.
pub fn cargo_metadata(dir: &std::path::Path, args: &[&str]) -> Result<serde_json::Value, String> {
    let out = std::process::Command::new(cargo())
        .args(["metadata", "--format-version", "1"])
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("cargo's JSON: {e}"))
}
