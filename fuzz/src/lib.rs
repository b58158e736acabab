//! What both fuzz targets share: a fixed workspace root around one fuzzed member manifest, and
//! one `lint-deps --fix` pass over the pure API (as `lint::plan` does it, without
//! files).

use std::collections::BTreeMap;

use cargo_ccworkspace::lint::LintDepsConfig;
use cargo_ccworkspace::lint::{self, Edit, Finding};
use cargo_ccworkspace::model::Workspace;

/// Where the fuzzed member lives.
pub const MEMBER: &str = "crates/m/Cargo.toml";

/// A root that gives every rule something to compare with: inheritable package fields, lints,
/// and workspace dependencies of every source kind.
pub const ROOT: &str = r#"[workspace]
resolver = "2"
members = ["crates/m"]

[workspace.package]
edition = "2021"
license = "MIT"
version = "0.1.0"

[workspace.lints.rust]
unsafe_code = "forbid"

[workspace.dependencies]
anyhow = "1"
log = "0.4"
serde = { version = "1.0", features = ["derive"] }
tokio = { version = "1", default-features = false }
local = { path = "crates/local" }
gitdep = { git = "https://example.com/gitdep", branch = "main" }
renamed = { package = "itoa", version = "1" }
pyo3 = "0.22"
"#;

/// The workspace, or `None` when the member is not valid TOML (an error the CLI reports).
pub fn workspace(root: &str, member: &str) -> Option<Workspace> {
    Workspace::from_texts(root, &[(MEMBER, member)]).ok()
}

/// Every finding; panics if one points outside its file or inside a UTF-8 character.
pub fn lint(ws: &Workspace) -> Vec<Finding> {
    let findings = lint::check(ws, &LintDepsConfig::default());
    let files = ws.files(&findings.iter().map(|f| f.file.as_str()).collect());
    for f in &findings {
        let text = files.get(f.file.as_str()).copied().unwrap_or("");
        assert!(
            f.span.start <= f.span.end && f.span.end <= text.len(),
            "span {:?} outside {} ({} bytes): {f:?}",
            f.span,
            f.file,
            text.len()
        );
        assert!(
            text.is_char_boundary(f.span.start) && text.is_char_boundary(f.span.end),
            "span {:?} splits a character in {}",
            f.span,
            f.file
        );
    }
    findings
}

/// Each file's edits, sorted and deduplicated, as `--fix` applies them.
pub fn edits(findings: &[Finding]) -> BTreeMap<String, Vec<Edit>> {
    let mut edits: BTreeMap<String, Vec<Edit>> = BTreeMap::new();
    for f in findings {
        for (file, edit) in &f.fixes {
            edits.entry(file.clone()).or_default().push(edit.clone());
        }
    }
    for list in edits.values_mut() {
        list.sort();
        list.dedup();
    }
    edits
}
