//! uv, the judge of the Python half's tests: its lock and its inverted tree.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// `uv lock --offline` in `dir`: whether uv locked the workspace, and its stderr (why not).
pub fn lock_offline(dir: &Path) -> (bool, String) {
    let out = Command::new(super::UV.0)
        .args(["lock", "--offline"])
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The workspace packages `uv tree --frozen --offline --invert --package PACKAGE` shows (every
/// row but the first, names without their `[extra]`).
pub fn invert(dir: &Path, package: &str) -> BTreeSet<String> {
    let out = Command::new(super::UV.0)
        .args([
            "tree",
            "--frozen",
            "--offline",
            "--invert",
            "--package",
            package,
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "uv tree: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .filter_map(|l| {
            let word = l.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
            let name = word.split([' ', '[']).next()?;
            (!name.is_empty()).then(|| name.to_string())
        })
        .collect()
}
