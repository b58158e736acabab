//! `deprecated-spelling`: the underscore spellings of manifest keys that cargo refuses in a
//! package of edition 2024.
//!
//! cargo (`src/cargo/util/toml/mod.rs`, `deprecated_underscore`) accepts `dev_dependencies`,
//! `build_dependencies` (top level and under `[target.'...']`), `default_features` (in a
//! dependency), `crate_type` and `proc_macro` (in `[lib]`, `[[bin]]`, `[[example]]`,
//! `[[test]]`, `[[bench]]`) with a deprecation warning up to edition 2021, and stops loading
//! the package in edition 2024: "`default_features` is unsupported as of the 2024 edition;
//! instead use `default-features`". The dependency check runs on the entry after
//! inheritance, so a `default_features` in a root `[workspace.dependencies]` entry breaks
//! every edition-2024 member that inherits it, while one written next to `workspace = true`
//! is not copied and passes (checked with cargo 1.95).

use std::collections::BTreeMap;
use std::ops::Range;

use super::deps::edition_allows_override;
use super::{Ctx, Finding, Rule};
use crate::model::{Manifest, NodeExt, Table};

/// Tables whose underscore names cargo refuses in edition 2024, with the spelling to use.
const TABLES: [(&str, &str); 2] = [
    ("dev_dependencies", "dev-dependencies"),
    ("build_dependencies", "build-dependencies"),
];

/// Target keys (`[lib]`, `[[bin]]`, ...) cargo refuses in edition 2024.
const TARGET_KEYS: [(&str, &str); 2] = [("crate_type", "crate-type"), ("proc_macro", "proc-macro")];

/// The target tables: `[lib]` is a table, the others arrays of tables.
const TARGETS: [(&str, &str); 5] = [
    ("lib", "library"),
    ("bin", "binary"),
    ("example", "example"),
    ("test", "test"),
    ("bench", "benchmark"),
];

/// The error cargo stops with.
fn cargo_error(old: &str, new: &str) -> String {
    format!("`{old}` is unsupported as of the 2024 edition; instead use `{new}`")
}

fn finding(m: &Manifest, span: Range<usize>, old: &str, new: &str, what: &str) -> Finding {
    Finding::new(
        Rule::DeprecatedSpelling,
        &m.path,
        span,
        cargo_error(old, new),
        "cargo refuses this spelling in edition 2024",
    )
    .help(format!("write `{new}` (the same meaning in every edition)"))
    .note(format!(
        "cargo stops loading {} with this error ({what})",
        m.path
    ))
    .package(m.package_name())
    .dependency(old)
}

/// Every edition-2024 selected member's underscore keys, and root `[workspace.dependencies]`
/// entries with `default_features` that such a member inherits.
pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    // Root key -> the edition-2024 members inheriting it.
    let mut inherited: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (m, deps) in ctx.ws.members.iter().zip(&ctx.deps) {
        if !ctx.ws.selected.contains(&m.dir) || edition_allows_override(ctx, m).0.as_str() < "2024"
        {
            continue;
        }
        let name = m.package_name().unwrap_or("this package");
        let root = m.root();
        let mut tables = |parent: &Table, whose: &str| {
            for (old, new) in TABLES {
                if let Some((key, _)) = parent.get_key_value(old) {
                    out.push(finding(m, key.span(), old, new, &format!("in the {whose}")));
                }
            }
        };
        tables(root, &format!("`{name}` package"));
        if let Some(targets) = root.get("target").and_then(NodeExt::as_table) {
            for (cfg, t) in targets.iter() {
                if let Some(t) = t.as_table() {
                    tables(t, &format!("`{}` platform target", cfg.get_ref()));
                }
            }
        }
        for (section, kind) in TARGETS {
            let Some(item) = root.get(section) else {
                continue;
            };
            let list: Vec<&Table> = match item.as_array() {
                Some(a) => a.iter().filter_map(|t| t.as_table()).collect(),
                None => item.as_table().into_iter().collect(),
            };
            for t in list {
                let target = t.get("name").and_then(NodeExt::as_str).unwrap_or(name);
                for (old, new) in TARGET_KEYS {
                    if let Some((key, _)) = t.get_key_value(old) {
                        out.push(finding(
                            m,
                            key.span(),
                            old,
                            new,
                            &format!("in the `{target}` {kind} target"),
                        ));
                    }
                }
            }
        }
        for e in deps {
            if e.spec.workspace {
                let root_has = ctx
                    .root_deps
                    .get(e.key)
                    .is_some_and(|(s, _)| s.keys.iter().any(|(k, _)| *k == "default_features"));
                if root_has {
                    inherited.entry(e.key).or_default().push(name);
                }
            } else if let Some((_, span)) =
                e.spec.keys.iter().find(|(k, _)| *k == "default_features")
            {
                out.push(
                    finding(
                        m,
                        span.clone(),
                        "default_features",
                        "default-features",
                        &format!("in the `{}` dependency", e.key),
                    )
                    .dependency(e.key),
                );
            }
        }
    }
    let root = &ctx.ws.root;
    let ws_deps = root
        .root()
        .get("workspace")
        .and_then(|w| w.get("dependencies"));
    for (key, mut users) in inherited {
        let Some(span) = ws_deps
            .and_then(|d| d.get(key))
            .and_then(NodeExt::as_table)
            .and_then(|t| t.get_key_value("default_features"))
            .map(|(k, _)| k.span())
        else {
            continue;
        };
        users.sort_unstable();
        users.dedup();
        let shown = users
            .iter()
            .take(3)
            .map(|u| format!("`{u}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let more = match users.len() {
            n if n > 3 => format!(" and {} more", n - 3),
            _ => String::new(),
        };
        out.push(
            Finding::new(
                Rule::DeprecatedSpelling,
                &root.path,
                span,
                cargo_error("default_features", "default-features"),
                "cargo refuses this spelling in edition 2024",
            )
            .help("write `default-features` (the same meaning in every edition)")
            .note(format!(
                "inherited by edition-2024 member{} {shown}{more}: cargo stops loading {} with \
                 this error (in the `{key}` dependency)",
                if users.len() == 1 { "" } else { "s" },
                if users.len() == 1 { "it" } else { "each" },
            ))
            .dependency(key),
        );
    }
}
