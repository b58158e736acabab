#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! What `affected` says when the answer could surprise (issue 16): outside any workspace it says
//! so before git complains; a default or self-compared base is named; a lockfile cause names
//! the dependency that changed, not the crate.

mod support;

use support::cli::run;
use support::git::{Repo, copy_dir};

fn citychain_repo(dir: &std::path::Path) -> Repo {
    let root = dir.join("citychain");
    copy_dir(&support::citychain(), &root);
    let repo = Repo::init(&root);
    repo.commit_all("citychain");
    repo
}

#[test]
fn outside_any_workspace_it_says_no_workspace_before_git() {
    let tmp = tempfile::tempdir().unwrap();
    // Neither a workspace nor a git repository.
    let out = run(tmp.path(), &["affected"], &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.starts_with("error: no workspace"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("git"), "{}", out.stderr);
    let out = run(
        tmp.path(),
        &["affected", "--manifest-path", "nope/Cargo.toml"],
        &[],
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.starts_with("error: no workspace"),
        "{}",
        out.stderr
    );
}

#[test]
fn on_main_without_a_remote_it_names_the_base_it_compared_with() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = citychain_repo(tmp.path());
    let out = run(&repo.dir, &["affected"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains("Base main (the default branch"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("the base `main` is the checked-out commit"),
        "{}",
        out.stderr
    );
    // The JSON report carries the note too.
    let json = run(&repo.dir, &["affected", "-q", "--format", "json"], &[]).json();
    let notes = json["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n
            .as_str()
            .unwrap()
            .contains("only uncommitted changes count")),
        "{json}"
    );
    // In a pull request the base is the one asked for: no "default branch" line.
    repo.git(&["update-ref", "refs/remotes/origin/main", "main"]);
    let pr = run(&repo.dir, &["affected"], &[("GITHUB_BASE_REF", "main")]);
    assert!(!pr.stderr.contains("the default branch"), "{}", pr.stderr);
}

#[test]
fn a_lockfile_cause_names_the_dependency() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = citychain_repo(tmp.path());
    repo.git(&["checkout", "-q", "-b", "work"]);
    // login_server's entry loses a dependency (its own version stays).
    repo.replace(
        "Cargo.lock",
        " \"login_session\",\n \"serde_json\",\n]",
        " \"login_session\",\n]",
    );
    repo.commit_all("lock");
    let out = run(
        &repo.dir,
        &[
            "affected",
            "-q",
            "--base",
            "main",
            "--head",
            "HEAD",
            "--explain",
            "login_server",
        ],
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("Cargo.lock: login_server 0.3.0 no longer depends on serde_json 1."),
        "{}",
        out.stdout
    );
}
