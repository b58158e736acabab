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
