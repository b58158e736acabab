//! guppy's determinator as an oracle, and the package graphs it needs.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use camino::Utf8PathBuf;
use determinator::Determinator;
use guppy::graph::{DependencyDirection, PackageGraph};

use super::git::Repo;

fn cargo() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

/// `cargo metadata --format-version 1 --all-features` in `dir`, as a guppy graph.
pub fn metadata_graph(dir: &Path, offline: bool) -> PackageGraph {
    let mut cmd = Command::new(cargo());
    cmd.args(["metadata", "--format-version", "1", "--all-features"])
        .current_dir(dir);
    if offline {
        cmd.arg("--offline");
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    PackageGraph::from_json(String::from_utf8(out.stdout).unwrap()).unwrap()
}

/// The graph at `rev`, from a temporary worktree under `scratch`.
pub fn graph_at(repo: &Repo, rev: &str, scratch: &Path, offline: bool) -> PackageGraph {
    let dir = scratch.join(format!("at-{rev}"));
    repo.git(&[
        "worktree",
        "add",
        "-q",
        "--detach",
        dir.to_str().unwrap(),
        rev,
    ]);
    let graph = metadata_graph(&dir, offline);
    repo.git(&["worktree", "remove", "--force", dir.to_str().unwrap()]);
    graph
}

/// Paths changed from `from` to `to` (the working tree when `None`), both ends of renames.
pub fn changed_paths(repo: &Repo, from: &str, to: Option<&str>) -> Vec<Utf8PathBuf> {
    let mut args = vec!["diff", "--name-only", "--no-renames", "-z", from];
    args.extend(to);
    repo.git(&args)
        .split('\0')
        .filter(|p| !p.is_empty())
        .map(Utf8PathBuf::from)
        .collect()
}

/// determinator's affected set (package names) for these paths between two graphs.
pub fn determinator(
    old: &PackageGraph,
    new: &PackageGraph,
    paths: &[Utf8PathBuf],
) -> BTreeSet<String> {
    let mut d = Determinator::new(old, new);
    d.add_changed_paths(paths.iter().map(|p| p.as_path()));
    d.compute()
        .affected_set
        .packages(DependencyDirection::Forward)
        .map(|p| p.name().to_string())
        .collect()
}
