//! The root manifest trimmed to one crate's closure, for its Docker build.
//!
//! Cargo refuses a workspace whose `members` name missing folders (or globs that match
//! nothing), so the image cannot use the real root `Cargo.toml` with a trimmed context. The
//! trimmed manifest keeps what the build needs and nothing that changes for unrelated reasons:
//!
//! - `[workspace]`: `resolver`, `members` = the closure's member paths, `exclude` entries that
//!   still cover a context directory; `default-members` and `metadata` are dropped;
//! - `[workspace.dependencies]`: only the keys the closure inherits;
//! - `[workspace.package]`, `[workspace.lints]`, `[profile.*]`, `[patch.*]`, `[replace]`,
//!   `cargo-features`: kept as they are.
//!
//! Comments and layout are normalized away, so editing a comment in the root manifest does not
//! change (and invalidate) every image.

use std::collections::BTreeSet;

use toml_edit::visit_mut::{self, VisitMut};
use toml_edit::{Array, DocumentMut, Item, KeyMut, Table, Value};

use crate::errors::UserError;

/// Root-level keys the trimmed manifest keeps (besides `workspace`).
const KEPT_ROOT_KEYS: [&str; 4] = ["cargo-features", "profile", "patch", "replace"];
/// `[workspace]` keys kept as they are.
const KEPT_WORKSPACE_KEYS: [&str; 4] = ["resolver", "package", "lints", "dependencies"];

/// Trim `root_manifest` to a workspace of `members` that inherits only `used_deps`.
///
/// `context_dirs` are the directories the context holds (for filtering `exclude`). To trim
/// for many crates, parse once with [`RootTrimmer::new`].
pub fn trim_root_manifest(
    root_manifest: &str,
    members: &[String],
    context_dirs: &[String],
    used_deps: &BTreeSet<String>,
) -> anyhow::Result<String> {
    Ok(RootTrimmer::new(root_manifest)?.trim(members, context_dirs, used_deps, false))
}

/// The root manifest parsed and normalized once; [`RootTrimmer::trim`] then costs only the
/// size of the kept tables and the closure, not of the whole `[workspace.dependencies]` (with
/// 5,000 crates, re-parsing the root for every image made generation quadratic).
#[derive(Debug, Clone)]
pub struct RootTrimmer {
    /// The kept tables, normalized, with an empty `[workspace.dependencies]`.
    skeleton: DocumentMut,
    /// `[workspace.dependencies]` entries in their original order, normalized.
    deps: Vec<(String, Item)>,
    /// `[workspace] exclude`, normalized.
    exclude: Vec<String>,
    /// The root package's own tables (`[package]`, its targets and dependency tables,
    /// `[features]`, `[lints]`, ...), normalized, in their original order: put back only into
    /// the manifest of an image whose closure holds the root package.
    package: Vec<(String, Item)>,
    /// The resolver the root package's edition implies (`"2"` from 2021, `"3"` from 2024),
    /// when `[workspace]` names none: a trimmed manifest without the package is a virtual one,
    /// whose default resolver is `"1"`, so it is written out to keep feature resolution the
    /// same.
    implied_resolver: Option<&'static str>,
}

impl RootTrimmer {
    /// Parse and normalize the root manifest.
    pub fn new(root_manifest: &str) -> anyhow::Result<RootTrimmer> {
        let mut doc: DocumentMut = root_manifest.parse().map_err(|e| {
            UserError::new(
                format!("failed to parse the root Cargo.toml: {e}"),
                "fix the root Cargo.toml (cargo rejects it too)",
            )
        })?;
        let mut normalizer = Normalize;
        normalizer.visit_document_mut(&mut doc);
        doc.set_trailing("");
        let edition = |item: Option<&Item>| -> Option<String> {
            let item = item?;
            item.as_str().map(str::to_string).or_else(|| {
                // `edition.workspace = true`: from `[workspace.package]`.
                item.get("workspace")?;
                doc.get("workspace")?
                    .get("package")?
                    .get("edition")?
                    .as_str()
                    .map(str::to_string)
            })
        };
        let has_resolver = doc
            .get("workspace")
            .and_then(|w| w.get("resolver"))
            .is_some();
        let implied_resolver = if has_resolver {
            None
        } else {
            match doc.get("package").and_then(|p| edition(p.get("edition"))) {
                Some(e) if e == "2021" => Some("2"),
                Some(e) if e.as_str() >= "2024" => Some("3"),
                _ => None,
            }
        };
        let mut package = Vec::new();
        let keys: Vec<String> = doc.iter().map(|(k, _)| k.to_string()).collect();
        for key in keys {
            if key != "workspace"
                && !KEPT_ROOT_KEYS.contains(&key.as_str())
                && let Some(item) = doc.remove(&key)
            {
                package.push((key, item));
            }
        }
        let Some(ws) = doc.get_mut("workspace").and_then(Item::as_table_like_mut) else {
            return Err(UserError::new(
                "the root Cargo.toml has no [workspace] table",
                "run in a cargo workspace",
            )
            .into());
        };
        let exclude: Vec<String> = ws
            .get("exclude")
            .and_then(Item::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str())
                    .map(crate::model::members::normalize)
                    .collect()
            })
            .unwrap_or_default();
        let ws_keys: Vec<String> = ws.iter().map(|(k, _)| k.to_string()).collect();
        for key in ws_keys {
            if !KEPT_WORKSPACE_KEYS.contains(&key.as_str()) {
                ws.remove(&key);
            }
        }
        let mut deps = Vec::new();
        if let Some(table) = ws.get_mut("dependencies").and_then(Item::as_table_like_mut) {
            let keys: Vec<String> = table.iter().map(|(k, _)| k.to_string()).collect();
            for key in keys {
                if let Some(item) = table.remove(&key) {
                    deps.push((key, item));
                }
            }
        }
        Ok(RootTrimmer {
            skeleton: doc,
            deps,
            exclude,
            package,
            implied_resolver,
        })
    }

    /// The trimmed manifest for one closure; `with_package`: the closure holds the root
    /// package, whose tables are kept.
    pub fn trim(
        &self,
        members: &[String],
        context_dirs: &[String],
        used_deps: &BTreeSet<String>,
        with_package: bool,
    ) -> String {
        let mut doc = self.skeleton.clone();
        if with_package {
            // Tables keep their parsed positions, so they print in the original order.
            for (key, item) in &self.package {
                doc.insert(key, item.clone());
            }
        } else if let Some(resolver) = self.implied_resolver
            && let Some(ws) = doc.get_mut("workspace").and_then(Item::as_table_mut)
        {
            ws.insert("resolver", toml_edit::value(resolver));
        }
        let exclude: Vec<String> = self
            .exclude
            .iter()
            .filter(|e| {
                context_dirs
                    .iter()
                    .any(|d| e.is_empty() || d == *e || d.starts_with(&format!("{e}/")))
            })
            .cloned()
            .collect();
        if let Some(ws) = doc.get_mut("workspace").and_then(Item::as_table_mut) {
            let mut kept = 0;
            if let Some(table) = ws.get_mut("dependencies").and_then(Item::as_table_like_mut) {
                for (key, item) in &self.deps {
                    if used_deps.contains(key) {
                        table.insert(key, item.clone());
                        kept += 1;
                    }
                }
            }
            if kept == 0 {
                ws.remove("dependencies");
            }
            // `members` (one per line, for readable diffs) right after `resolver`. Cargo reads
            // each entry as a glob, so `*`, `?`, `[` and `]` in a folder name are escaped
            // (`[*]`), the way the `glob` crate cargo uses escapes them.
            let members: Vec<String> = members.iter().map(|m| glob::Pattern::escape(m)).collect();
            ws.insert("members", Item::Value(Value::Array(string_array(&members))));
            if !exclude.is_empty() {
                ws.insert("exclude", Item::Value(Value::Array(string_array(&exclude))));
            }
            let order = |k: &str| match k {
                "resolver" => 0,
                "members" => 1,
                "exclude" => 2,
                _ => 3,
            };
            ws.sort_values_by(|a, _, b, _| order(a.get()).cmp(&order(b.get())));
        }
        let text = doc.to_string();
        format!("{}\n", text.trim())
    }
}

fn string_array(items: &[String]) -> Array {
    let mut array = Array::new();
    for item in items {
        array.push_formatted(Value::from(item.as_str()).decorated("\n    ", ""));
    }
    array.set_trailing_comma(true);
    array.set_trailing("\n");
    array
}

/// Drops comments and normalizes whitespace, keeping arrays that span lines readable.
struct Normalize;

impl VisitMut for Normalize {
    fn visit_table_mut(&mut self, node: &mut Table) {
        node.decor_mut().clear();
        // A blank line before every table header but the first.
        if !node.is_implicit() {
            node.decor_mut().set_prefix("\n");
        }
        visit_mut::visit_table_mut(self, node);
    }

    fn visit_table_like_kv_mut(&mut self, mut key: KeyMut<'_>, node: &mut Item) {
        key.fmt();
        visit_mut::visit_table_like_kv_mut(self, key, node);
    }

    fn visit_value_mut(&mut self, node: &mut Value) {
        node.decor_mut().clear();
        visit_mut::visit_value_mut(self, node);
    }

    fn visit_array_mut(&mut self, node: &mut Array) {
        let multiline = node.len() > 1
            && node.iter().any(|v| {
                v.decor()
                    .prefix()
                    .and_then(|p| p.as_str())
                    .is_some_and(|p| p.contains('\n'))
            });
        visit_mut::visit_array_mut(self, node);
        if multiline {
            for value in node.iter_mut() {
                value.decor_mut().set_prefix("\n    ");
                value.decor_mut().set_suffix("");
            }
            node.set_trailing_comma(true);
            node.set_trailing("\n");
        } else {
            node.fmt();
        }
    }

    fn visit_inline_table_mut(&mut self, node: &mut toml_edit::InlineTable) {
        visit_mut::visit_inline_table_mut(self, node);
        node.fmt();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = r#"# The monorepo.
cargo-features = []

[workspace]
resolver = "2"
members = ["DAGs/rust/*", "login/rust/*"]  # globs
default-members = ["DAGs/rust/a"]
exclude = ["DAGs/rust/old", "login/rust/skip"]

[workspace.package]
version = "0.1.0" # shared
edition = "2021"

[workspace.dependencies]
# internal
a = { path = "DAGs/rust/a" }
b = { path = "DAGs/rust/b" }
serde = { version = "1", features = [
    "derive",
    "rc",
] }
unused = "2"

[workspace.lints.rust]
unsafe_code = "forbid"

[workspace.metadata.ccworkspace.docker]
python-version = "3.11"

[profile.release]
lto = true

[patch.crates-io]
itoa = { path = "vendor/itoa" }
"#;

    #[test]
    fn keeps_what_the_build_needs() {
        let used: BTreeSet<String> = ["a", "serde"].iter().map(|s| s.to_string()).collect();
        let out = trim_root_manifest(
            ROOT,
            &["DAGs/rust/a".into()],
            &["DAGs/rust/a".into(), "DAGs/rust/old/x".into()],
            &used,
        )
        .unwrap();
        assert_eq!(
            out,
            r#"cargo-features = []

[workspace]
resolver = "2"
members = [
    "DAGs/rust/a",
]
exclude = [
    "DAGs/rust/old",
]

[workspace.package]
version = "0.1.0"
edition = "2021"

[workspace.dependencies]
a = { path = "DAGs/rust/a" }
serde = { version = "1", features = [
    "derive",
    "rc",
] }

[workspace.lints.rust]
unsafe_code = "forbid"

[profile.release]
lto = true

[patch.crates-io]
itoa = { path = "vendor/itoa" }
"#
        );
        // The result is a manifest cargo can read, and trimming is stable.
        let again = trim_root_manifest(&out, &["DAGs/rust/a".into()], &[], &used).unwrap();
        assert!(again.contains("members = [\n    \"DAGs/rust/a\",\n]"));
        assert!(out.parse::<DocumentMut>().is_ok());
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;

    #[test]
    fn dotted_and_sub_table_dependency_forms_survive() {
        let root = r#"[workspace]
members = ["a"]

[workspace.dependencies]
serde.version = "1"
serde.features = ["derive"]
gone = "1"

[workspace.dependencies.tokio]
version = "1"
features = ["rt"]

[workspace.dependencies.unused]
version = "2"

[profile.dev]
debug = 0
"#;
        let used: BTreeSet<String> = ["serde", "tokio"].iter().map(|s| s.to_string()).collect();
        let out = trim_root_manifest(root, &["a".into()], &["a".into()], &used).unwrap();
        assert_eq!(
            out,
            r#"[workspace]
members = [
    "a",
]

[workspace.dependencies]
serde.version = "1"
serde.features = ["derive"]

[workspace.dependencies.tokio]
version = "1"
features = ["rt"]

[profile.dev]
debug = 0
"#
        );
        let parsed: toml::Table = toml::from_str(&out).unwrap();
        assert!(parsed["workspace"]["dependencies"]["serde"]["features"].is_array());
    }
}
