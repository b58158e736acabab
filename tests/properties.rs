//! Properties of `lint-deps --fix` on generated member manifests, through the pure API (no
//! files, no processes): the rules in `lint::check` produce the edits, `lint::fix::apply`
//! applies them, the way `lint::plan` does.
//!
//! For any member manifest with dependencies in several forms (plain version, inline table,
//! `workspace = true`, `[dependencies.key]` table, `default-features`, a renamed package, git
//! and path sources, target tables) among random
//! non-dependency keys, values and comments:
//! - the fixed files parse;
//! - every non-dependency key and value, and every comment, survives;
//! - each dependency keeps its `features` and `optional`;
//! - a second `--fix` (lint the fixed files again, apply what it proposes) changes nothing, and
//!   so does applying the same edits again.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};

use cargo_ccworkspace::lint::LintDepsConfig;
use cargo_ccworkspace::lint::{self, Edit};
use cargo_ccworkspace::model::{self, Workspace};
use proptest::prelude::*;
use toml_edit::{DocumentMut, Item, Value};

const MEMBER: &str = "m/Cargo.toml";

const ROOT: &str = r#"[workspace]
members = ["m"]
resolver = "2"

[workspace.dependencies]
serde = { version = "1.0", features = ["derive"] }
log = "0.4"
anyhow = "1"
"#;

const DEP_TABLES: [&str; 4] = [
    "dependencies",
    "dev-dependencies",
    "build-dependencies",
    "target",
];

/// A workspace of the root and one member, as `model::load` would build it.
fn workspace(root: &str, member: &str) -> Workspace {
    Workspace::from_texts(root, &[(MEMBER, member)]).unwrap()
}

/// One `--fix` pass: lint, then apply each file's sorted, deduplicated edits; applying the
/// same edits to the result must change nothing.
fn pass(root: &str, member: &str) -> (String, String, bool) {
    let ws = workspace(root, member);
    let findings = lint::check(&ws, &LintDepsConfig::default());
    let mut edits: BTreeMap<String, Vec<Edit>> = BTreeMap::new();
    for f in &findings {
        for (file, edit) in &f.fixes {
            edits.entry(file.clone()).or_default().push(edit.clone());
        }
    }
    for list in edits.values_mut() {
        list.sort();
        list.dedup();
    }
    let apply = |file: &str, text: &str| match edits.get(file) {
        Some(list) => {
            let out = lint::fix::apply(text, list).unwrap();
            assert_eq!(
                lint::fix::apply(&out, list).unwrap(),
                out,
                "the same edits again changed {file}"
            );
            out
        }
        None => text.to_string(),
    };
    let (root2, member2) = (apply("Cargo.toml", root), apply(MEMBER, member));
    let changed = root2 != root || member2 != member;
    (root2, member2, changed)
}

/// `--fix`, the way `lint::plan::settle` runs it: passes until one changes nothing (one
/// fix can make another), at most 8.
fn fix(root: &str, member: &str) -> (String, String) {
    let (mut root, mut member) = (root.to_string(), member.to_string());
    for _ in 0..8 {
        let (r, m, changed) = pass(&root, &member);
        if !changed {
            return (r, m);
        }
        (root, member) = (r, m);
    }
    panic!("--fix does not settle:\n{root}\n{member}");
}

/// One root entry: (key, version, features).
const ROOT_ENTRIES: [(&str, &str, &[&str]); 3] = [
    ("serde", "1.0", &["derive"]),
    ("log", "0.4", &[]),
    ("anyhow", "1", &[]),
];

/// A root manifest holding [`ROOT_ENTRIES`] in the shapes cargo reads: `[workspace.dependencies]`
/// (layout 0), dotted keys under `[workspace]` (1) or a multi-line inline table under it (2);
/// each entry a one-line inline table (form 0), a multi-line one with comments inside (1),
/// dotted keys (2) or its own `[workspace.dependencies.x]` table (3, layout 0 only); comments
/// above, after and inside.
fn root() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(
            (
                0u8..4,
                proptest::option::of(comment()),
                proptest::option::of(comment()),
            ),
            3,
        ),
        0u8..3,
    )
        .prop_map(|(forms, layout)| {
            let mut s = String::from("[workspace]\nmembers = [\"m\"]\nresolver = \"2\"\n");
            let (lead, sep) = match layout {
                0 => {
                    s.push_str("\n[workspace.dependencies]\n");
                    ("", "")
                }
                1 => ("dependencies.", ""),
                _ => {
                    s.push_str("dependencies = {\n");
                    ("  ", ",")
                }
            };
            let mut tables = String::new();
            for ((name, version, feats), (form, above, after)) in ROOT_ENTRIES.iter().zip(forms) {
                let above = above.map(|c| format!("{c}\n")).unwrap_or_default();
                let after = after.map(|c| format!(" {c}")).unwrap_or_default();
                let feats: Vec<String> = feats.iter().map(|f| format!("\"{f}\"")).collect();
                let features = if feats.is_empty() {
                    String::new()
                } else {
                    format!(", features = [{}]", feats.join(", "))
                };
                match form {
                    1 => {
                        s.push_str(&format!("{above}{lead}{name} = {{\n  # c:inside\n  version = \"{version}\", # c:v\n"));
                        if !feats.is_empty() {
                            s.push_str(&format!("  features = [\n    {}, # c:f\n  ],\n", feats.join(", ")));
                        }
                        s.push_str(&format!("}}{sep}{after}\n"));
                    }
                    2 => {
                        s.push_str(&format!("{above}{lead}{name}.version = \"{version}\"{sep}{after}\n"));
                        if !feats.is_empty() {
                            s.push_str(&format!("{lead}{name}.features = [{}]{sep}\n", feats.join(", ")));
                        }
                    }
                    3 if layout == 0 => {
                        tables.push_str(&format!("\n{above}[workspace.dependencies.{name}]{after}\n# c:t\nversion = \"{version}\" # c:tv\n"));
                        if !feats.is_empty() {
                            tables.push_str(&format!("features = [{}]\n", feats.join(", ")));
                        }
                    }
                    _ => s.push_str(&format!(
                        "{above}{lead}{name} = {{ version = \"{version}\"{features} }}{sep}{after}\n"
                    )),
                }
            }
            if layout == 2 {
                s.push_str("}\n");
            }
            s.push_str(&tables);
            s
        })
}

/// A comment text: printable, no line break.
fn comment() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ,.'\"=\\[\\]{}#é✓-]{0,20}".prop_map(|s| format!("# c:{s}"))
}

/// A non-dependency key, never one cargo or the rules give a meaning to.
fn key() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_-]{0,6}".prop_map(|s| format!("x-{s}"))
}

/// A TOML value of several types, rendered by toml_edit (so quoting is valid).
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[^\u{0}-\u{1f}\u{7f}]{0,12}".prop_map(|s| Value::from(s).to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
        proptest::collection::vec("[a-z ]{0,5}", 0..3)
            .prop_map(|v| Value::Array(v.into_iter().collect()).to_string()),
        ("[a-z]{1,4}", 0i64..100).prop_map(|(k, n)| format!("{{ {k} = {n} }}")),
    ]
    .prop_map(|s| s.trim().to_string())
}

/// Distinct `key = value` lines, each with a comment above and/or after it.
fn entries(most: usize) -> impl Strategy<Value = Vec<String>> {
    proptest::collection::btree_map(
        key(),
        (
            value(),
            proptest::option::of(comment()),
            proptest::option::of(comment()),
        ),
        0..most,
    )
    .prop_map(|m| {
        m.into_iter()
            .map(|(k, (v, above, after))| {
                let mut s = String::new();
                if let Some(c) = above {
                    s.push_str(&c);
                    s.push('\n');
                }
                s.push_str(&format!("{k} = {v}"));
                if let Some(c) = after {
                    s.push(' ');
                    s.push_str(&c);
                }
                s.push('\n');
                s
            })
            .collect()
    })
}

/// One dependency declaration in one of the forms people write.
#[derive(Debug, Clone)]
struct Dep {
    name: &'static str,
    version: &'static str,
    features: Vec<&'static str>,
    optional: bool,
    form: u8,
    comment: Option<String>,
}

fn dep() -> impl Strategy<Value = Dep> {
    (
        prop_oneof![
            Just("serde"),
            Just("log"),
            Just("anyhow"),
            Just("itoa"),
            Just("regex")
        ],
        prop_oneof![Just("1"), Just("1.0"), Just("0.4"), Just("2")],
        proptest::collection::vec(
            prop_oneof![Just("std"), Just("derive"), Just("alloc")],
            0..3,
        ),
        any::<bool>(),
        0u8..10,
        proptest::option::of(comment()),
    )
        .prop_map(|(name, version, mut features, optional, form, comment)| {
            features.sort_unstable();
            features.dedup();
            Dep {
                name,
                version,
                features,
                optional,
                form,
                comment,
            }
        })
}

/// The dependency lines inside a `[dependencies]`-like table (forms 0..=2), or `None` for a
/// `[<table>.<name>]` table of its own (form 3).
fn inline_dep(d: &Dep) -> Option<String> {
    let extra = !d.features.is_empty() || d.optional;
    let mut parts = Vec::new();
    let c = d.comment.as_deref().unwrap_or("# c:in");
    let features = || -> Vec<String> { d.features.iter().map(|f| format!("\"{f}\"")).collect() };
    match d.form {
        // A multi-line inline table (TOML 1.1) with comments inside and in its array.
        8 => {
            let mut s = format!(
                "{} = {{\n  {c}\n  version = \"{}\", {c}\n",
                d.name, d.version
            );
            if !d.features.is_empty() {
                s.push_str("  features = [\n");
                for f in features() {
                    s.push_str(&format!("    {f}, {c}\n"));
                }
                s.push_str("  ],\n");
            }
            if d.optional {
                s.push_str(&format!("  optional = true, {c}\n"));
            }
            s.push('}');
            return Some(s);
        }
        // Dotted keys, a comment on each line.
        9 => {
            let mut s = format!("{}.version = \"{}\" {c}", d.name, d.version);
            if !d.features.is_empty() {
                s.push_str(&format!(
                    "\n{}.features = [{}] {c}",
                    d.name,
                    features().join(", ")
                ));
            }
            if d.optional {
                s.push_str(&format!("\n{}.optional = true", d.name));
            }
            return Some(s);
        }
        0 if !extra => {
            return Some(format!("{} = \"{}\"", d.name, d.version));
        }
        2 => parts.push("workspace = true".to_string()),
        3 => return None,
        4 => parts.push(format!(
            "version = \"{}\", default-features = {}",
            d.version, d.optional
        )),
        5 => parts.push(format!("package = \"itoa\", version = \"{}\"", d.version)),
        6 => parts.push("git = \"https://example.com/g\", branch = \"main\"".to_string()),
        7 => parts.push(format!("path = \"../{}\"", d.name)),
        _ => parts.push(format!("version = \"{}\"", d.version)),
    }
    if !d.features.is_empty() {
        let f: Vec<String> = d.features.iter().map(|f| format!("\"{f}\"")).collect();
        parts.push(format!("features = [{}]", f.join(", ")));
    }
    if d.optional {
        parts.push("optional = true".to_string());
    }
    Some(format!("{} = {{ {} }}", d.name, parts.join(", ")))
}

fn dep_table(header: &str, d: &Dep) -> String {
    let mut s = format!("[{header}.{}]\n", d.name);
    s.push_str(&format!("version = \"{}\"\n", d.version));
    if !d.features.is_empty() {
        let f: Vec<String> = d.features.iter().map(|f| format!("\"{f}\"")).collect();
        s.push_str(&format!("features = [{}]\n", f.join(", ")));
    }
    if d.optional {
        s.push_str("optional = true\n");
    }
    s
}

/// A member manifest: `[package]` with random keys, a custom metadata table, dependency
/// tables (each dependency name once per table), `[features]`, comments throughout.
fn member() -> impl Strategy<Value = String> {
    (
        entries(4),
        entries(3),
        proptest::collection::vec((0usize..4, dep()), 0..7),
        proptest::collection::vec((key(), proptest::option::of(comment())), 0..3),
        proptest::option::of(comment()),
    )
        .prop_map(|(pkg, meta, deps, features, top)| {
            let mut s = String::new();
            if let Some(c) = top {
                s.push_str(&c);
                s.push('\n');
            }
            s.push_str("[package]\nname = \"m\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
            for e in &pkg {
                s.push_str(e);
            }
            s.push_str("\n[package.metadata.x]\n");
            for e in &meta {
                s.push_str(e);
            }
            let headers = [
                "dependencies",
                "dev-dependencies",
                "build-dependencies",
                "target.'cfg(unix)'.dependencies",
            ];
            let mut tables: Vec<Vec<Dep>> = vec![Vec::new(); headers.len()];
            for (t, d) in deps {
                if !tables[t].iter().any(|x| x.name == d.name) {
                    tables[t].push(d);
                }
            }
            for (header, deps) in headers.iter().zip(&tables) {
                if deps.is_empty() {
                    continue;
                }
                s.push_str(&format!("\n[{header}]\n"));
                let mut own_tables = String::new();
                for d in deps {
                    match inline_dep(d) {
                        Some(line) => {
                            if let Some(c) = &d.comment {
                                s.push_str(&format!("{c}\n"));
                            }
                            s.push_str(&line);
                            s.push('\n');
                        }
                        None => {
                            own_tables.push('\n');
                            if let Some(c) = &d.comment {
                                own_tables.push_str(&format!("{c}\n"));
                            }
                            own_tables.push_str(&dep_table(header, d));
                        }
                    }
                }
                s.push_str(&own_tables);
            }
            s.push_str("\n[features]\n");
            let mut seen = BTreeSet::new();
            for (k, c) in &features {
                if seen.insert(k) {
                    s.push_str(&format!("{k} = []"));
                    if let Some(c) = c {
                        s.push_str(&format!(" {c}"));
                    }
                    s.push('\n');
                }
            }
            s
        })
}

/// Everything but the dependency tables.
fn non_dependency_part(text: &str) -> toml::Table {
    let mut t: toml::Table = toml::from_str(text).unwrap();
    for k in DEP_TABLES {
        t.remove(k);
    }
    t
}

/// For each dependency table and key: the keys that `--fix` must keep (`features`,
/// `optional`), as written.
fn kept_dependency_keys(text: &str) -> BTreeMap<String, toml::Table> {
    let doc: DocumentMut = text.parse().unwrap();
    let mut out = BTreeMap::new();
    let mut visit = |prefix: &str, table: &dyn toml_edit::TableLike| {
        for (k, item) in table.iter() {
            let mut kept = toml::Table::new();
            if let Some(t) = item.as_table_like() {
                for sub in ["features", "optional"] {
                    if let Some(v) = t.get(sub) {
                        let v: toml::Value = toml::from_str(&format!("v = {v}"))
                            .map(|mut t: toml::Table| t.remove("v").unwrap())
                            .unwrap();
                        kept.insert(sub.to_string(), v);
                    }
                }
            }
            out.insert(format!("{prefix}.{k}"), kept);
        }
    };
    for k in &DEP_TABLES[..3] {
        if let Some(t) = doc.get(k).and_then(Item::as_table_like) {
            visit(k, t);
        }
    }
    if let Some(t) = doc
        .get("target")
        .and_then(|t| t.get("cfg(unix)"))
        .and_then(|t| t.get("dependencies"))
        .and_then(Item::as_table_like)
    {
        visit("target", t);
    }
    out
}

fn comments(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|l| l.find("# c:").map(|i| &l[i..]))
        .collect()
}

proptest! {
    #[test]
    fn fix_keeps_everything_but_the_dependency_sources(member in member()) {
        same_but_sources(ROOT, &member)?;
    }

    #[test]
    fn fix_keeps_every_comment_whatever_the_root_shape(root in root(), member in member()) {
        same_but_sources(&root, &member)?;
    }
}

/// `--fix` keeps everything but the dependency sources, every comment of both files, and a
/// second `--fix` changes nothing.
fn same_but_sources(root: &str, member: &str) -> Result<(), TestCaseError> {
    {
        let (root2, member2) = fix(root, member);
        for c in comments(root) {
            // Moved, never lost nor copied.
            prop_assert_eq!(
                root2.matches(c).count(),
                root.matches(c).count(),
                "comment {:?}:\n{}\n->\n{}",
                c,
                root,
                root2
            );
        }
        // Parses, as TOML and as a manifest.
        model::parse_text("Cargo.toml", root2.clone()).unwrap();
        model::parse_text(MEMBER, member2.clone()).unwrap();
        // Every non-dependency key and value, and every comment, survives.
        prop_assert_eq!(non_dependency_part(member), non_dependency_part(&member2));
        for c in comments(member) {
            prop_assert_eq!(
                member2.matches(c).count(),
                member.matches(c).count(),
                "comment {:?}:\n{}\n->\n{}",
                c,
                member,
                member2
            );
        }
        prop_assert_eq!(kept_dependency_keys(member), kept_dependency_keys(&member2));
        // Idempotent: a second `--fix` changes nothing (each pass also checked that its
        // edits applied again change nothing).
        let (root3, member3) = fix(&root2, &member2);
        prop_assert_eq!(&root3, &root2);
        prop_assert_eq!(&member3, &member2);
    }
    Ok(())
}
