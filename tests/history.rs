//! `affected` on synthetic monorepos with a git history (the generator in `tests/support`),
//! commit by commit: it always holds the crates whose own files changed, it agrees with guppy's
//! determinator where their semantics are meant to agree, and it is a subset of
//! determinator's answer where `docs/affected.md` documents a narrower rule.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;

use support::generator::{Spec, StepKind, generate, make_history};
use support::git::Repo;
use support::oracle;

fn determinator(
    repo: &Repo,
    parent: &str,
    commit: &str,
    scratch: &std::path::Path,
) -> BTreeSet<String> {
    let old = oracle::graph_at(repo, parent, scratch, true);
    let new = oracle::graph_at(repo, commit, scratch, true);
    oracle::determinator(
        &old,
        &new,
        &oracle::changed_paths(repo, parent, Some(commit)),
    )
}

fn ours(repo: &Repo, parent: &str, direct: bool) -> BTreeSet<String> {
    let mut args = vec!["affected", "-q", "--offline", "--base", parent];
    if direct {
        args.push("--direct");
    }
    support::cli::run(&repo.dir, &args, &[]).names()
}

fn check_history(seed: u64, crates: usize) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("ws");
    let spec = Spec {
        crates,
        seed,
        ..Spec::default()
    };
    let g = generate(&root, &spec).unwrap();
    let repo = Repo::init(&root);
    let steps = make_history(&repo, &g, seed).unwrap();
    assert!(steps.len() >= 10, "{steps:?}");
    let scratch = tmp.path().join("scratch");
    for step in &steps {
        repo.git(&["checkout", "-q", "--detach", &step.commit]);
        let (all, direct) = (
            ours(&repo, &step.parent, false),
            ours(&repo, &step.parent, true),
        );
        let theirs = determinator(&repo, &step.parent, &step.commit, &scratch);
        let what = format!("seed {seed}, {:?}: {}", step.kind, step.note);
        // Always: every crate whose own files changed (and still exists) is listed.
        for c in &step.crates {
            let exists = all.contains(c) || !theirs.contains(c);
            assert!(exists, "{what}: {c} changed but is not affected: {all:?}");
        }
        assert!(direct.is_subset(&all), "{what}");
        match step.kind {
            // Root Cargo.toml edits: determinator says everything; ours is narrower (or the
            // same, for [profile]). Moved and deleted crates: determinator's unmatched old paths
            // mean everything; ours maps them through the base revision.
            StepKind::WorkspaceDepEntry
            | StepKind::Profile
            | StepKind::MovedCrate
            | StepKind::DeletedCrate => {
                assert!(
                    all.is_subset(&theirs),
                    "{what}: ours {all:?} theirs {theirs:?}"
                );
            }
            _ => assert_eq!(all, theirs, "{what}"),
        }
        if step.kind == StepKind::Profile {
            assert_eq!(all, theirs, "{what}: a profile edit affects everything");
        }
        if matches!(
            step.kind,
            StepKind::MovedCrate | StepKind::WorkspaceDepEntry
        ) {
            assert!(
                all.len() < theirs.len(),
                "{what}: expected narrower than everything"
            );
        }
    }
}

#[test]
fn agrees_with_determinator_commit_by_commit_seed_1() {
    check_history(1, 40);
}

#[test]
fn agrees_with_determinator_commit_by_commit_seed_7() {
    check_history(7, 60);
}
