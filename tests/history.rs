//! `affected` on synthetic monorepos with a git history (the generator in `tests/support`),
//! commit by commit: it always holds the crates whose own files changed, it agrees with guppy's
//! determinator where their semantics are meant to agree, and it is a subset of
//! determinator's answer where `docs/affected.md` documents a narrower rule.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::generator::Spec;
use support::oracle;

/// The comparison itself is [`oracle::compare_history`], shared with `history_features.rs`.
fn check_history(seed: u64, crates: usize) {
    let failures = oracle::compare_history(&Spec {
        crates,
        seed,
        ..Spec::default()
    });
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
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
