//! The graph cache: a second run with no manifest, lockfile, toolchain or config change needs
//! no `cargo metadata`, and any such change is noticed (a stale graph is never served).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use support::git::{Repo, copy_dir};

/// A `cargo` that logs each call, then runs the real one.
fn logging_cargo(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let log = dir.join("cargo.log");
    let script = dir.join("cargo-logging");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$1\" >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            support::cargo().display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    (script, log)
}

fn calls(log: &Path) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| *l == "metadata")
        .count()
}

/// `affected` with the graph from cargo (or the cache) only: these tests are about the cache.
fn affected(repo: &Repo, cargo: &Path) -> BTreeSet<String> {
    let cargo = cargo.to_str().unwrap();
    support::cli::run(
        &repo.dir,
        &["affected", "-q", "--base", "main"],
        &[("CARGO", cargo), ("CCWORKSPACE_GRAPH", "cargo")],
    )
    .names()
}

/// `affected` as users run it, JSON, on a cold cache.
fn affected_cold(repo: &Repo, cargo: &Path, graph: &str) -> serde_json::Value {
    let cargo = cargo.to_str().unwrap();
    support::cli::run(
        &repo.dir,
        &["affected", "-q", "--base", "main", "--format", "json"],
        &[
            ("CARGO", cargo),
            ("CCWORKSPACE_NO_CACHE", "1"),
            ("CCWORKSPACE_GRAPH", graph),
        ],
    )
    .json()
}

#[test]
fn on_a_cold_cache_member_files_alone_need_no_cargo_and_answer_as_cargo_does() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, cargo, log) = citychain_repo(tmp.path());
    repo.git(&["checkout", "-q", "-b", "work"]);
    let mut expected_calls = 0;
    let mut check = |repo: &Repo, needs_cargo: bool, what: &str| {
        // cargo metadata rewrites a lockfile it finds unusual: give both runs the same one.
        let lock = std::fs::read(repo.dir.join("Cargo.lock")).unwrap();
        let ours = affected_cold(repo, &cargo, "");
        if needs_cargo {
            expected_calls += 1;
        }
        assert_eq!(calls(&log), expected_calls, "{what}: cargo metadata calls");
        std::fs::write(repo.dir.join("Cargo.lock"), &lock).unwrap();
        let theirs = affected_cold(repo, &cargo, "cargo");
        expected_calls += 1;
        assert_eq!(ours["affected"], theirs["affected"], "{what}");
        // With cargo, `cargo metadata` runs while git diffs, and it rewrites a lockfile it finds
        // unusual: whether the diff still sees the edit is a race, so only the answer counts.
        if !needs_cargo {
            assert_eq!(ours["changed_files"], theirs["changed_files"], "{what}");
        }
    };
    // Source files in a leaf, a core crate, a dev-only crate, a build-dependency.
    repo.append("CA/rust/ca_cli/src/main.rs", "\n// 1\n");
    check(&repo, false, "leaf");
    repo.append("CA/rust/ca_core/src/lib.rs", "\n// 2\n");
    check(&repo, false, "core");
    repo.append("CA/rust/ca_testkit/src/lib.rs", "\n// 3\n");
    repo.append("DAGs/rust/dag_codegen/src/lib.rs", "\n// 4\n");
    check(&repo, false, "dev-only and build-dependency");
    // A member manifest: still no cargo.
    repo.append("login/rust/login_server/Cargo.toml", "\n# edit\n");
    check(&repo, false, "member manifest");
    // The lockfile, the root manifest, a toolchain file: cargo.
    repo.append("Cargo.lock", "\n");
    check(&repo, true, "lockfile");
    repo.git(&["checkout", "-q", "Cargo.lock"]);
    repo.append("Cargo.toml", "\n# edit\n");
    check(&repo, true, "root manifest");
    repo.git(&["checkout", "-q", "Cargo.toml"]);
    repo.append("rust-toolchain.toml", "\n");
    check(&repo, true, "toolchain file");
    repo.git(&["checkout", "-q", "rust-toolchain.toml"]);
    repo.write(".cargo/config.toml", "[net]\nretry = 3\n");
    repo.git(&["add", "-A"]);
    check(&repo, true, "cargo configuration");
}

/// citychain, committed as `main`, in a repository under `tmp`, with a logging cargo beside it.
fn citychain_repo(tmp: &Path) -> (Repo, std::path::PathBuf, std::path::PathBuf) {
    let (cargo, log) = logging_cargo(tmp);
    let dir = tmp.join("repo");
    copy_dir(&support::citychain(), &dir);
    let repo = Repo::init(&dir);
    repo.commit_all("base");
    (repo, cargo, log)
}

#[test]
fn the_cache_is_used_while_valid_and_dropped_on_every_change() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, cargo, log) = citychain_repo(tmp.path());
    repo.git(&["checkout", "-q", "-b", "work"]);

    repo.append("CA/rust/ca_cli/src/main.rs", "\n// 1\n");
    assert_eq!(
        affected(&repo, &cargo),
        BTreeSet::from(["ca_cli".to_string()])
    );
    assert_eq!(calls(&log), 1);
    // Another source edit: the graph is reused.
    repo.append("DAGs/rust/dag_runner/src/main.rs", "\n// 2\n");
    let names = affected(&repo, &cargo);
    assert_eq!(
        calls(&log),
        1,
        "a source-only change must not run cargo metadata"
    );
    assert!(names.contains("dag_runner") && names.contains("ca_cli"));

    // A member manifest edit: new graph.
    repo.append("login/rust/login_server/Cargo.toml", "\n# edit\n");
    affected(&repo, &cargo);
    assert_eq!(calls(&log), 2);
    affected(&repo, &cargo);
    assert_eq!(calls(&log), 2);

    // A new crate under a member glob: new graph, and it is listed.
    repo.write(
        "CA/rust/ca_new/Cargo.toml",
        "[package]\nname = \"ca_new\"\nversion.workspace = true\nedition.workspace = true\n",
    );
    repo.write("CA/rust/ca_new/src/lib.rs", "\n");
    repo.git(&["add", "-A"]);
    let names = affected(&repo, &cargo);
    assert_eq!(calls(&log), 3);
    assert!(names.contains("ca_new"), "{names:?}");

    // A binary target appears: the kind changes, so the graph is rebuilt.
    repo.write("CA/rust/ca_new/src/main.rs", "fn main() {}\n");
    affected(&repo, &cargo);
    assert_eq!(calls(&log), 4);

    // The lockfile, the toolchain file, a cargo config: each is a miss.
    repo.append("Cargo.lock", "\n");
    affected(&repo, &cargo);
    assert_eq!(calls(&log), 5);
    repo.append("rust-toolchain.toml", "\n");
    affected(&repo, &cargo);
    assert_eq!(calls(&log), 6);
    repo.write(".cargo/config.toml", "[net]\nretry = 3\n");
    affected(&repo, &cargo);
    assert_eq!(calls(&log), 7);
    affected(&repo, &cargo);
    assert_eq!(calls(&log), 7);
}

#[test]
fn a_folder_without_a_manifest_under_a_member_glob_is_a_miss_and_cargo_refuses() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, cargo, log) = citychain_repo(tmp.path());
    repo.append("CA/rust/ca_cli/src/main.rs", "\n// 1\n");
    affected(&repo, &cargo);
    assert_eq!(calls(&log), 1);
    // A stray cache folder under `CA/rust/*`: cargo refuses the workspace, and the cached graph
    // (which cargo would no longer give) is not served.
    repo.write("CA/rust/.pytest_cache/README.md", "cache\n");
    let run = support::cli::run(
        &repo.dir,
        &["affected", "-q", "--base", "main"],
        &[("CARGO", cargo.to_str().unwrap())],
    );
    assert_eq!(calls(&log), 2, "the cache must miss");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains(".pytest_cache"), "{}", run.stderr);
}
