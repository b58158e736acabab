#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The published crate: `cargo package --list` holds what the crate needs to build and what a
//! user of crates.io reads (the manual, the licenses, the changelog), and nothing of the
//! repository's tests, fixtures, benchmarks, fuzzing or CI files; `cargo package` writes the
//! `.crate` offline.

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn here() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn package_list() -> BTreeSet<String> {
    let out = Command::new(support::cargo())
        .current_dir(here())
        .args([
            "package",
            "--list",
            "--allow-dirty",
            "--offline",
            "--locked",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Every `include_str!("...")` target under `src/`, as a path from the repository root.
fn embedded_files(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            embedded_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split("include_str!(\"").skip(1) {
                let rel = part.split('"').next().unwrap();
                let file = path.parent().unwrap().join(rel);
                let file = file.strip_prefix(here()).unwrap();
                out.insert(file.to_string_lossy().replace('\\', "/"));
            }
        }
    }
}

#[test]
fn the_package_holds_what_the_crate_needs_and_nothing_of_the_repository() {
    let list = package_list();
    for needed in [
        "Cargo.toml",
        "Cargo.lock",
        "README.md",
        "CHANGELOG.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "src/main.rs",
        "src/lib.rs",
        "docs/getting-started.md",
    ] {
        assert!(list.contains(needed), "{needed} is not packaged: {list:?}");
    }
    let mut embedded = BTreeSet::new();
    embedded_files(&here().join("src"), &mut embedded);
    assert!(embedded.len() > 10, "{embedded:?}");
    for file in &embedded {
        assert!(list.contains(file), "{file} is embedded but not packaged");
    }
    for file in &list {
        for prefix in [
            "fixtures/",
            "tests/",
            "benches/",
            "fuzz/",
            "examples/",
            ".ci/",
            ".github/",
            "scripts/",
            "target/",
        ] {
            assert!(!file.starts_with(prefix), "{file} is packaged");
        }
        assert!(
            file != "action.yml" && file != ".pre-commit-hooks.yaml",
            "{file}"
        );
    }
}

#[test]
fn the_manifest_says_where_the_project_and_its_docs_are() {
    let manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(here().join("Cargo.toml")).unwrap()).unwrap();
    let package = manifest["package"].as_table().unwrap();
    let repository = package["repository"].as_str().unwrap();
    assert_eq!(
        repository,
        "https://github.com/ccworkspace/cargo-ccworkspace"
    );
    assert_eq!(package["homepage"].as_str(), Some(repository));
    assert_eq!(
        package["documentation"].as_str(),
        Some(format!("{repository}/blob/main/docs/").as_str())
    );
    assert_eq!(package["license"].as_str(), Some("MIT OR Apache-2.0"));
    let release = manifest["profile"]["release"].as_table().unwrap();
    assert_eq!(release["strip"].as_bool(), Some(true));
    // binstall finds the archives the release workflow attaches.
    let binstall = package["metadata"]["binstall"].as_table().unwrap();
    let pkg_url = binstall["pkg-url"].as_str().unwrap();
    assert!(pkg_url.starts_with("{ repo }/releases/download/v{ version }/"));
    let workflow = std::fs::read_to_string(here().join(".github/workflows/release.yml")).unwrap();
    assert!(workflow.contains("name=\"cargo-ccworkspace-$TAG-$TARGET\""));
    // The changelog has a section for this version or an Unreleased one.
    let changelog = std::fs::read_to_string(here().join("CHANGELOG.md")).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        changelog.contains(&format!("## [{version}]")) || changelog.contains("## [Unreleased]"),
        "CHANGELOG.md"
    );
    // Both license texts in full.
    let apache = std::fs::read_to_string(here().join("LICENSE-APACHE")).unwrap();
    assert!(apache.contains("TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION"));
    assert!(apache.contains("END OF TERMS AND CONDITIONS"));
    let mit = std::fs::read_to_string(here().join("LICENSE-MIT")).unwrap();
    assert!(mit.contains("Permission is hereby granted, free of charge"));
}

/// `cargo package` (without the verify build, which compiles every dependency again) writes
/// the `.crate` offline.
#[test]
fn cargo_package_writes_the_crate_offline() {
    let target = tempfile::tempdir().unwrap();
    let out = Command::new(support::cargo())
        .current_dir(here())
        .args([
            "package",
            "--no-verify",
            "--allow-dirty",
            "--offline",
            "--locked",
        ])
        .env("CARGO_TARGET_DIR", target.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let krate = target.path().join(format!(
        "package/cargo-ccworkspace-{}.crate",
        env!("CARGO_PKG_VERSION")
    ));
    assert!(krate.is_file(), "{}", krate.display());
}
