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

/// determinator's answer, and the workspace members at `commit`.
fn determinator(
    repo: &Repo,
    parent: &str,
    commit: &str,
    scratch: &std::path::Path,
) -> (BTreeSet<String>, BTreeSet<String>) {
    let old = oracle::graph_at(repo, parent, scratch, true);
    let new = oracle::graph_at(repo, commit, scratch, true);
    let members = new
        .workspace()
        .iter()
        .map(|p| p.name().to_string())
        .collect();
    let theirs = oracle::determinator(
        &old,
        &new,
        &oracle::changed_paths(repo, parent, Some(commit)),
    );
    (theirs, members)
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
        let (theirs, members) = determinator(&repo, &step.parent, &step.commit, &scratch);
        let what = format!(
            "seed {seed} ({crates} crates), {:?}: {}",
            step.kind, step.note
        );
        // Always: every crate whose own files changed and that still exists is listed.
        for c in step.crates.iter().filter(|c| members.contains(*c)) {
            assert!(
                all.contains(c),
                "{what}: {c} changed but is not affected: {all:?}"
            );
        }
        // And nothing that is not a member now.
        assert!(all.is_subset(&members), "{what}: {all:?} not all members");
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

// Each seed is its own test so the harness runs them in parallel; sizes 20 to 60 crates. Each
// commit runs `cargo metadata` twice for the oracle, so a seed takes 5 to 15 s.

#[test]
fn agrees_with_determinator_commit_by_commit_seed_1() {
    check_history(1, 40);
}

#[test]
fn agrees_with_determinator_commit_by_commit_seed_7() {
    check_history(7, 60);
}

#[test]
fn agrees_with_determinator_commit_by_commit_seed_3() {
    check_history(3, 20);
}

#[test]
fn agrees_with_determinator_commit_by_commit_seed_12() {
    check_history(12, 30);
}

#[test]
fn agrees_with_determinator_commit_by_commit_seed_29() {
    check_history(29, 50);
}

/// Many more seeds and sizes, for a change to `affected` or the generator: about 7 minutes on
/// 2 cores.
/// Run with `cargo test --test history -- --ignored`.
#[test]
#[ignore = "slow: 24 histories; run with --ignored"]
fn agrees_with_determinator_on_many_histories() {
    for seed in 100..124 {
        check_history(seed, 20 + (seed as usize * 7) % 41);
    }
}
