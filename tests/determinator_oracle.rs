//! guppy's `determinator` as an oracle: on the example monorepo, for changes where a base graph
//! is compared, `affected` gives the same answer as determinator, except where
//! `docs/affected.md` documents an intentional difference (then ours is a narrower subset that
//! still holds every crate whose own files changed).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;

use support::git::{Repo, copy_dir};
use support::oracle;

/// determinator's affected set for the committed change `main..HEAD`.
fn determinator(repo: &Repo) -> BTreeSet<String> {
    let scratch = tempfile::tempdir().unwrap();
    let old = oracle::graph_at(repo, "main", scratch.path(), false);
    let new = oracle::metadata_graph(&repo.dir, false);
    oracle::determinator(
        &old,
        &new,
        &oracle::changed_paths(repo, "main", Some("HEAD")),
    )
}

/// Our crates (the determinator knows no Python package; the example's are judged by uv in
/// `tests/affected_python.rs`).
fn ours(repo: &Repo, direct: bool) -> BTreeSet<String> {
    let mut args = vec![
        "affected",
        "-q",
        "--base",
        "main",
        "--head",
        "HEAD",
        "--kind",
        "pyo3,bin,lib",
    ];
    if direct {
        args.push("--direct");
    }
    support::cli::run(&repo.dir, &args, &[]).names()
}

fn repo() -> (tempfile::TempDir, Repo) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("repo");
    copy_dir(&support::citychain(), &dir);
    let repo = Repo::init(&dir);
    repo.commit_all("base");
    repo.git(&["checkout", "-q", "-b", "work"]);
    (tmp, repo)
}

/// Where the semantics are meant to agree: exactly the same set.
fn agrees(change: impl FnOnce(&Repo)) {
    let (_t, repo) = repo();
    change(&repo);
    repo.commit_all("change");
    let (theirs, ours) = (determinator(&repo), ours(&repo, false));
    assert!(!ours.is_empty());
    assert_eq!(ours, theirs);
}

/// Where we are intentionally narrower: a subset of determinator's answer that still holds
/// every crate whose own files changed. Returns (ours, theirs).
fn narrower(change: impl FnOnce(&Repo)) -> (BTreeSet<String>, BTreeSet<String>) {
    let (_t, repo) = repo();
    change(&repo);
    repo.commit_all("change");
    let (theirs, ours_set) = (determinator(&repo), ours(&repo, false));
    assert!(
        ours_set.is_subset(&theirs),
        "ours {ours_set:?} vs determinator {theirs:?}"
    );
    assert!(ours(&repo, true).is_subset(&ours_set));
    (ours_set, theirs)
}

#[test]
fn files_determinator_ignores_are_ignored_too() {
    // Its default rules ignore these; beside a leaf edit, both answers are the leaf's.
    agrees(|r| {
        r.append("CA/rust/ca_cli/src/main.rs", "\n// leaf\n");
        r.write(".hgignore", "target\n");
        r.write(".svnignore", "target\n");
        r.write("DAGs/.ignore", "*.tmp\n");
        r.write(".lintrules/style.toml", "x = 1\n");
        r.write("CA/README.md", "# CA\n");
    });
}

#[test]
fn source_edits_agree() {
    agrees(|r| r.append("CA/rust/ca_cli/src/main.rs", "\n// leaf\n"));
    agrees(|r| r.append("CA/rust/ca_core/src/lib.rs", "\n// core\n"));
    agrees(|r| r.append("CA/rust/ca_testkit/src/lib.rs", "\n// dev-only\n"));
    agrees(|r| {
        r.append(
            "DAGs/rust/dag_codegen/src/lib.rs",
            "\n// build-dependency\n",
        )
    });
    agrees(|r| r.append("DAGs/rust/dag_py/python/dag_py/steps.py", "\n# python\n"));
}

#[test]
fn member_manifest_edits_and_new_crates_agree() {
    agrees(|r| r.append("CA/rust/ca_signer/Cargo.toml", "\n# comment\n"));
    agrees(|r| {
        r.write(
            "CA/rust/ca_extra/Cargo.toml",
            "[package]\nname = \"ca_extra\"\nversion.workspace = true\nedition.workspace = true\n\n[dependencies]\nca_core.workspace = true\n",
        );
        r.write("CA/rust/ca_extra/src/lib.rs", "pub fn x() {}\n");
        support::generator::run_cargo(&r.dir, &["generate-lockfile", "--offline"]).unwrap();
    });
}

#[test]
fn a_lockfile_only_bump_agrees() {
    agrees(|r| {
        support::generator::run_cargo(
            &r.dir,
            &["update", "-p", "serde_json", "--precise", "1.0.140"],
        )
        .unwrap();
    });
}

#[test]
fn one_workspace_dependency_entry_is_narrower_than_root_manifest_means_all() {
    // determinator: "Cargo.toml changed" -> everything. Ours: the entry's users only.
    let (ours, theirs) = narrower(|r| {
        r.replace(
            "Cargo.toml",
            r#"json = { package = "serde_json", version = "1" }"#,
            r#"json = { package = "serde_json", version = "1.0" }"#,
        )
    });
    assert_eq!(theirs.len(), 19);
    assert!(ours.len() < theirs.len());
}

#[test]
fn a_moved_crate_is_narrower_than_unmatched_old_paths_mean_all() {
    // determinator maps the old paths in the new graph only: no owner, so everything.
    let (ours, _) = narrower(|r| r.rename("login/rust/login_server", "CA/rust/login_server"));
    assert_eq!(ours, BTreeSet::from(["login_server".to_string()]));
}

#[test]
fn a_top_level_changelog_is_narrower_than_determinator_which_marks_everything() {
    // The built-in ignore list (docs/affected.md, item 5): determinator has no rule for it.
    let (ours, theirs) = narrower(|r| {
        r.write("CHANGELOG.md", "# Changelog\n\n- a line\n");
        r.append("CA/rust/ca_cli/src/main.rs", "\n// leaf\n");
    });
    assert_eq!(ours, BTreeSet::from(["ca_cli".to_string()]));
    assert_eq!(theirs.len(), 19, "{theirs:?}");
}
