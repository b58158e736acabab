//! `lint-deps --fix` on a generated monorepo with planted violations, judged by cargo: every
//! planted violation is fixed, what `cargo metadata` resolves (packages, dependency edges by
//! kind, features) is the same before and after, every comment survives, and a second `--fix`
//! changes nothing. 120 crates by default; `CCWORKSPACE_FIX_CRATES=500 cargo test --test
//! fix_generated` for a 500-crate monorepo (about 10 s).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use support::generator::{self, Spec};

/// What cargo resolves: per package, its dependencies with kinds, and its enabled features.
fn resolve(dir: &Path) -> BTreeSet<String> {
    let meta = support::cargo_metadata(dir, &["--offline"]).unwrap();
    let name = |id: &str| id.rsplit(['/', '#']).next().unwrap_or(id).to_string();
    let mut facts = BTreeSet::new();
    for node in meta["resolve"]["nodes"].as_array().unwrap() {
        let from = name(node["id"].as_str().unwrap());
        for dep in node["deps"].as_array().unwrap() {
            for kind in dep["dep_kinds"].as_array().unwrap() {
                facts.insert(format!(
                    "{from} -> {} ({})",
                    name(dep["pkg"].as_str().unwrap()),
                    kind["kind"].as_str().unwrap_or("normal")
                ));
            }
        }
        for f in node["features"].as_array().unwrap() {
            facts.insert(format!("{from} feature {}", f.as_str().unwrap()));
        }
    }
    facts
}

fn files(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for entry in walk(root) {
        let rel = entry
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if rel.ends_with("Cargo.toml") {
            out.insert(rel, std::fs::read_to_string(&entry).unwrap());
        }
    }
    out
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            if !p.ends_with("target") {
                out.extend(walk(&p));
            }
        } else {
            out.push(p);
        }
    }
    out
}

/// Turn the first inherited dependency of every third crate into a path literal (with the
/// version cargo needs to package it), under a comment, with a comment on the line.
fn plant(root: &Path, g: &generator::Generated) -> usize {
    let mut planted = 0;
    for (i, c) in g.crates.iter().enumerate() {
        let Some(dep) = c.deps.first() else { continue };
        if i % 3 != 0 {
            continue;
        }
        let target = g.get(dep).unwrap();
        let manifest = root.join(&c.path).join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        let from = format!("{dep}.workspace = true\n");
        assert!(text.contains(&from), "{}: {text}", c.name);
        let to = format!(
            "# planted {i}: a literal where the workspace entry belongs\n\
             {dep} = {{ path = \"../../../{}\", version = \"0.1.0\" }} # planted {i} inline\n",
            target.path
        );
        std::fs::write(&manifest, text.replacen(&from, &to, 1)).unwrap();
        planted += 1;
    }
    planted
}

#[test]
fn fix_on_a_generated_monorepo_changes_no_resolution_keeps_comments_and_is_idempotent() {
    let crates: usize = std::env::var("CCWORKSPACE_FIX_CRATES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(120);
    let tmp = tempfile::tempdir().unwrap();
    let spec = Spec {
        crates,
        domains: 6,
        pyo3_every: 7,
        bin_every: 5,
        max_deps: 4,
        seed: 7,
        registry_deps: false,
        ..Spec::default()
    };
    let g = generator::generate(tmp.path(), &spec).unwrap();
    let root = tmp.path();
    let planted = plant(root, &g);
    assert!(planted >= crates / 6, "{planted} planted");

    let before = resolve(root);
    let lint = support::cli::run(root, &["lint-deps", "--format", "json"], &[]);
    assert_eq!(lint.code, 1, "{}", lint.stderr);
    let found = lint
        .stdout
        .lines()
        .filter(|l| l.contains("\"code\":\"not-inherited\""))
        .count();
    assert_eq!(found, planted, "{}", lint.stdout);

    let fix = support::cli::run(root, &["lint-deps", "--fix"], &[]);
    assert_eq!(fix.code, 0, "{}", fix.stderr);
    let fixed = files(root);
    assert_eq!(resolve(root), before, "--fix changed what cargo resolves");
    for i in (0..crates).step_by(3) {
        for comment in [
            format!("# planted {i}: a literal"),
            format!("# planted {i} inline"),
        ] {
            let kept = fixed.values().any(|t| t.contains(&comment));
            let was = !g.crates[i].deps.is_empty();
            assert!(!was || kept, "lost the comment {comment:?}");
        }
    }
    let clean = support::cli::run(root, &["lint-deps"], &[]);
    assert_eq!(clean.code, 0, "{}", clean.stderr);

    let again = support::cli::run(root, &["lint-deps", "--fix"], &[]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(files(root), fixed, "a second --fix changed files");
}
