//! Running the binary under test.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// What one run printed, and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The lines of a successful run, as a set.
    pub fn names(&self) -> BTreeSet<String> {
        assert_eq!(self.code, 0, "stderr: {}", self.stderr);
        self.stdout.lines().map(str::to_string).collect()
    }

    /// The JSON a successful run printed.
    pub fn json(&self) -> serde_json::Value {
        assert_eq!(self.code, 0, "stderr: {}", self.stderr);
        serde_json::from_str(&self.stdout).unwrap()
    }
}

/// Run `cargo-ccworkspace ARGS` in `dir` with the test's cargo, outside any GitHub context.
pub fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(super::bin());
    cmd.args(args).current_dir(dir);
    cmd.env_remove("GITHUB_BASE_REF")
        .env_remove("GITHUB_OUTPUT")
        .env("CARGO", super::cargo());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `cargo-ccworkspace --color never lint-deps ARGS` in `dir`, outside CI (whose `CI` variable
/// would switch nothing here, but keeps the run the same on every machine).
pub fn lint_deps(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(super::bin())
        .current_dir(dir)
        .args(["--color", "never", "lint-deps"])
        .args(args)
        .env_remove("CI")
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
