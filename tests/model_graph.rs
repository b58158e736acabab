//! On a cold graph cache, `affected` answers a change to member files alone from the members'
//! manifests (`src/model_graph.rs`), without `cargo metadata`. The judge is the same command
//! with the graph from `cargo metadata` (`CCWORKSPACE_GRAPH=cargo`): on generated histories,
//! commit by commit, both give the same affected crates, reasons and file effects.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::generator::{Spec, generate, make_history};
use support::git::Repo;

/// `affected --format json` against `parent`, with a cold cache, the graph from `graph`, in
/// features mode `mode`.
fn affected(repo: &Repo, parent: &str, graph: &str, mode: &str) -> (serde_json::Value, String) {
    let run = support::cli::run(
        &repo.dir,
        &[
            "affected",
            "-v",
            "--base",
            parent,
            "--format",
            "json",
            "--features-mode",
            mode,
        ],
        &[("CCWORKSPACE_NO_CACHE", "1"), ("CCWORKSPACE_GRAPH", graph)],
    );
    (run.json(), run.stderr.clone())
}

fn check(seed: u64, crates: usize) {
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
    let mut from_manifests = 0;
    for (step, mode) in steps.iter().flat_map(|s| [(s, "builds"), (s, "all")]) {
        repo.git(&["checkout", "-q", "--detach", &step.commit]);
        let (ours, log) = affected(&repo, &step.parent, "", mode);
        let (theirs, _) = affected(&repo, &step.parent, "cargo", mode);
        let what = format!("seed {seed}, {mode}, {:?}: {}", step.kind, step.note);
        let names = |v: &serde_json::Value| -> Vec<String> {
            v["affected"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["name"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(names(&ours), names(&theirs), "{what}");
        for (a, b) in ours["affected"]
            .as_array()
            .unwrap()
            .iter()
            .zip(theirs["affected"].as_array().unwrap())
        {
            assert_eq!(a, b, "{what}");
        }
        assert_eq!(ours["changed_files"], theirs["changed_files"], "{what}");
        assert_eq!(ours["all"], theirs["all"], "{what}");
        assert_eq!(ours["deleted"], theirs["deleted"], "{what}");
        let member_only = step
            .paths
            .iter()
            .all(|p| !matches!(p.as_str(), "Cargo.toml" | "Cargo.lock"));
        if log.contains("member manifests") {
            assert!(
                member_only,
                "{what}: a root file changed, cargo must answer"
            );
            from_manifests += 1;
        } else {
            assert!(
                !member_only,
                "{what}: member files alone, but cargo ran:\n{log}"
            );
        }
    }
    assert!(
        from_manifests >= 5,
        "{from_manifests} steps from the manifests"
    );
}

#[test]
fn the_manifests_answer_as_cargo_metadata_does_seed_1() {
    check(1, 40);
}

#[test]
fn the_manifests_answer_as_cargo_metadata_does_seed_5() {
    check(5, 70);
}
