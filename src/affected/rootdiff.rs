//! What changed in the root `Cargo.toml`, entry by entry.
//!
//! Values are compared as TOML values, not text, so reformatting or reordering changes nothing.
//! What each part of the root manifest affects:
//!
//! | part | affects |
//! |---|---|
//! | one `[workspace.dependencies]` entry | the members that use that key (and their dependents) |
//! | one `[workspace.package]` field | the members that inherit that field |
//! | `[workspace.lints]` | the members with `lints.workspace = true` |
//! | `members` / `exclude` / `default-members` | nothing by itself: new and removed crates show up through their files |
//! | `[workspace.metadata.ccworkspace.affected]` | everything (the rules themselves changed) |
//! | `[workspace.metadata.ccworkspace.python] packages` | every Python package (which folders are packages changed) |
//! | other `[workspace.metadata]` | nothing |
//! | `resolver`, `[profile]`, `[patch]`, `[replace]`, `cargo-features`, anything unknown | everything |
//! | the root package's own tables (`[package]`, `[dependencies]`, ...) | the root package |

use std::collections::BTreeSet;

use toml::{Table, Value};

/// The outcome of comparing two root manifests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RootDiff {
    /// Everything is affected, and why.
    pub all: Option<String>,
    /// `[workspace.dependencies]` keys added, removed or changed.
    pub dependencies: BTreeSet<String>,
    /// `[workspace.package]` fields added, removed or changed.
    pub package_fields: BTreeSet<String>,
    /// `[workspace.lints]` changed.
    pub lints: bool,
    /// The root package's own tables changed.
    pub root_package: bool,
    /// `members`, `exclude` or `default-members` changed.
    pub members: bool,
    /// `[workspace.metadata.ccworkspace.python] packages` changed.
    pub python_packages: bool,
}

const ROOT_PACKAGE_KEYS: &[&str] = &[
    "package",
    "lib",
    "bin",
    "example",
    "test",
    "bench",
    "dependencies",
    "dev-dependencies",
    "dev_dependencies",
    "build-dependencies",
    "build_dependencies",
    "target",
    "features",
    "badges",
    "lints",
];

/// Compare the base and head root manifests. A manifest that does not parse is an error.
pub fn diff(base: &str, head: &str) -> Result<RootDiff, String> {
    let base: Table =
        toml::from_str(base).map_err(|e| format!("the base revision's Cargo.toml: {e}"))?;
    let head: Table = toml::from_str(head).map_err(|e| format!("Cargo.toml: {e}"))?;
    let mut d = RootDiff::default();
    for key in keys(&base, &head) {
        let (b, h) = (base.get(&key), head.get(&key));
        if b == h {
            continue;
        }
        match key.as_str() {
            "workspace" => diff_workspace(table(b), table(h), &mut d),
            k if ROOT_PACKAGE_KEYS.contains(&k) => d.root_package = true,
            "profile" | "patch" | "replace" | "cargo-features" => {
                set_all(&mut d, format!("[{key}] in the root Cargo.toml changed"));
            }
            other => set_all(&mut d, format!("`{other}` in the root Cargo.toml changed")),
        }
    }
    Ok(d)
}

fn set_all(d: &mut RootDiff, why: String) {
    if d.all.is_none() {
        d.all = Some(why);
    }
}

fn table(v: Option<&Value>) -> Option<&Table> {
    v.and_then(Value::as_table)
}

fn keys(a: &Table, b: &Table) -> BTreeSet<String> {
    a.keys().chain(b.keys()).cloned().collect()
}

/// The keys whose values differ between two tables (a missing or non-table value reads as an
/// empty table).
pub(crate) fn changed_keys(a: Option<&Value>, b: Option<&Value>) -> BTreeSet<String> {
    let empty = Table::new();
    let (a, b) = (table(a).unwrap_or(&empty), table(b).unwrap_or(&empty));
    keys(a, b)
        .into_iter()
        .filter(|k| a.get(k) != b.get(k))
        .collect()
}

fn diff_workspace(base: Option<&Table>, head: Option<&Table>, d: &mut RootDiff) {
    let empty = Table::new();
    let (base, head) = (base.unwrap_or(&empty), head.unwrap_or(&empty));
    for key in keys(base, head) {
        let (b, h) = (base.get(&key), head.get(&key));
        if b == h {
            continue;
        }
        match key.as_str() {
            "dependencies" => d.dependencies.extend(changed_keys(b, h)),
            "package" => d.package_fields.extend(changed_keys(b, h)),
            "lints" => d.lints = true,
            "members" | "exclude" | "default-members" => d.members = true,
            "metadata" => {
                let ours = |v: Option<&Value>| {
                    v.and_then(|m| m.get("ccworkspace"))
                        .and_then(|c| c.get("affected"))
                        .cloned()
                };
                // What decides which Python packages there are: `enabled` (true unless set)
                // and the `packages` globs; the commands that test them mark nothing.
                let globs = |v: Option<&Value>| {
                    let python = v
                        .and_then(|m| m.get("ccworkspace"))
                        .and_then(|c| c.get("python"));
                    let enabled = python
                        .and_then(|p| p.get("enabled"))
                        .and_then(Value::as_bool)
                        .unwrap_or(true);
                    (enabled, python.and_then(|p| p.get("packages")).cloned())
                };
                if globs(b) != globs(h) {
                    d.python_packages = true;
                }
                if ours(b) != ours(h) {
                    set_all(
                        d,
                        "[workspace.metadata.ccworkspace.affected] changed: the rules themselves changed"
                            .to_string(),
                    );
                }
            }
            other => set_all(
                d,
                format!("`workspace.{other}` in the root Cargo.toml changed"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
[workspace]
members = ["a/rust/*"]
resolver = "2"
[workspace.package]
version = "0.1.0"
edition = "2021"
[workspace.dependencies]
serde = { version = "1", features = ["derive"] }
itoa = "1"
core = { path = "a/rust/core" }
[workspace.lints.rust]
unsafe_code = "forbid"
[workspace.metadata.ccworkspace.affected]
unmatched = "all"
[workspace.metadata.other]
x = 1
[profile.release]
lto = true
"#;

    fn with(from: &str, to: &str) -> String {
        assert!(BASE.contains(from), "{from}");
        BASE.replacen(from, to, 1)
    }

    #[test]
    fn reformatting_changes_nothing() {
        let head = with(r#"itoa = "1""#, r#"itoa = { version = "1" }   # same"#);
        // `"1"` and `{ version = "1" }` are different TOML values, but an equal re-order is not.
        let d = diff(BASE, &BASE.replace("lto = true", "lto = true\n")).unwrap();
        assert_eq!(d, RootDiff::default());
        assert_eq!(
            diff(BASE, &head).unwrap().dependencies,
            BTreeSet::from(["itoa".to_string()])
        );
    }

    #[test]
    fn one_dependency_entry() {
        let d = diff(
            BASE,
            &with(r#"features = ["derive"]"#, r#"features = ["derive", "rc"]"#),
        )
        .unwrap();
        assert_eq!(d.dependencies, BTreeSet::from(["serde".to_string()]));
        assert!(d.all.is_none());
    }

    #[test]
    fn profile_patch_resolver_affect_all() {
        assert!(
            diff(BASE, &with("lto = true", "lto = false"))
                .unwrap()
                .all
                .is_some()
        );
        assert!(
            diff(
                BASE,
                &format!("{BASE}\n[patch.crates-io]\nitoa = {{ path = \"x\" }}\n")
            )
            .unwrap()
            .all
            .is_some()
        );
        assert!(
            diff(BASE, &with(r#"resolver = "2""#, r#"resolver = "3""#))
                .unwrap()
                .all
                .is_some()
        );
    }

    #[test]
    fn package_fields_lints_members_and_metadata() {
        let d = diff(BASE, &with(r#"version = "0.1.0""#, r#"version = "0.2.0""#)).unwrap();
        assert_eq!(d.package_fields, BTreeSet::from(["version".to_string()]));
        assert!(
            diff(
                BASE,
                &with(r#"unsafe_code = "forbid""#, r#"unsafe_code = "deny""#)
            )
            .unwrap()
            .lints
        );
        let d = diff(
            BASE,
            &with(
                r#"members = ["a/rust/*"]"#,
                r#"members = ["a/rust/*", "b/rust/*"]"#,
            ),
        )
        .unwrap();
        assert!(d.members && d.all.is_none());
        assert_eq!(
            diff(BASE, &with("x = 1", "x = 2")).unwrap(),
            RootDiff::default()
        );
        assert!(
            diff(
                BASE,
                &with(r#"unmatched = "all""#, r#"unmatched = "ignore""#)
            )
            .unwrap()
            .all
            .is_some()
        );
    }

    #[test]
    fn root_package_tables() {
        let base = "[package]\nname = \"r\"\nversion = \"0.1.0\"\n[workspace]\n";
        let head = "[package]\nname = \"r\"\nversion = \"0.1.1\"\n[workspace]\n";
        let d = diff(base, head).unwrap();
        assert!(d.root_package && d.all.is_none());
    }

    #[test]
    fn a_broken_manifest_is_an_error() {
        assert!(diff(BASE, "[workspace\n").is_err());
    }
}
