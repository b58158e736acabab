//! `affected`'s core in-process, on captured `cargo metadata` (guppy's own way of testing the
//! determinator): no cargo and no git at test time, so every member and every pair of members
//! is tried. The judge is guppy's determinator on the same graph.
//!
//! The fixture is `fixtures/metadata/citychain.json`; `fixtures/README.md` gives the command
//! that captures it, and [`the_captured_metadata_is_current`] fails when it is stale.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;

use camino::Utf8PathBuf;
use cargo_ccworkspace::affected::changed::ChangedFile;
use cargo_ccworkspace::affected::compute::{NoBase, compute};
use cargo_ccworkspace::config::Config;
use cargo_ccworkspace::workspace::{Platforms, Workspace};
use guppy::graph::PackageGraph;

/// The captured JSON with its placeholders filled: `{citychain}` is the fixture's root (so the
/// crates' `pyproject.toml` files are found, as the kind detection reads them), `{registry}` a
/// registry folder that need not exist.
fn captured() -> String {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/metadata/citychain.json"),
    )
    .unwrap();
    text.replace("{citychain}", support::citychain().to_str().unwrap())
        .replace("{registry}", "/registry")
}

struct Fixture {
    ws: Workspace,
    graph: PackageGraph,
    config: Config,
}

fn fixture() -> Fixture {
    let json = captured();
    let ws = Workspace::from_metadata_json(&json, &Platforms::host()).unwrap();
    let graph = PackageGraph::from_json(&json).unwrap();
    let config = Config::load(&support::citychain().join("Cargo.toml")).unwrap();
    Fixture { ws, graph, config }
}

impl Fixture {
    fn ours(&self, paths: &[String]) -> BTreeSet<String> {
        let files: Vec<ChangedFile> = paths.iter().map(ChangedFile::unknown).collect();
        let outcome = compute(&self.ws, &self.config.affected, &files, &NoBase).unwrap();
        assert!(outcome.all.is_none(), "{paths:?}: {:?}", outcome.all);
        outcome.affected.keys().cloned().collect()
    }

    fn theirs(&self, paths: &[String]) -> BTreeSet<String> {
        let paths: Vec<Utf8PathBuf> = paths.iter().map(Utf8PathBuf::from).collect();
        support::oracle::determinator(&self.graph, &self.graph, &paths)
    }

    /// One source file of each member, relative to the root.
    fn sources(&self) -> Vec<(String, String)> {
        let root = self.graph.workspace().root();
        self.graph
            .workspace()
            .iter()
            .map(|p| {
                let target = p.build_targets().next().unwrap();
                let path = target.path().strip_prefix(root).unwrap().to_string();
                (p.name().to_string(), path)
            })
            .collect()
    }
}

#[test]
fn a_source_change_in_any_member_affects_what_the_determinator_says() {
    let f = fixture();
    let sources = f.sources();
    assert!(sources.len() >= 15, "{sources:?}");
    for (name, path) in &sources {
        let paths = [path.clone()];
        let ours = f.ours(&paths);
        assert!(ours.contains(name), "{path}: {ours:?}");
        assert_eq!(ours, f.theirs(&paths), "a change to {path}");
    }
}

#[test]
fn changes_in_any_two_members_affect_what_the_determinator_says() {
    let f = fixture();
    let sources = f.sources();
    for (i, (_, a)) in sources.iter().enumerate() {
        for (_, b) in &sources[i + 1..] {
            let paths = [a.clone(), b.clone()];
            assert_eq!(f.ours(&paths), f.theirs(&paths), "changes to {a} and {b}");
        }
    }
}

#[test]
fn a_manifest_or_python_file_of_a_member_counts_as_the_member() {
    let f = fixture();
    let (name, src) = f.sources().into_iter().find(|(n, _)| n == "ca_py").unwrap();
    let dir = src.split("/src/").next().unwrap().to_string();
    for file in ["Cargo.toml", "pyproject.toml", "python/ca/__init__.py"] {
        let paths = [format!("{dir}/{file}")];
        let ours = f.ours(&paths);
        assert!(ours.contains(&name), "{file}: {ours:?}");
        assert_eq!(ours, f.ours(std::slice::from_ref(&src)), "{file}");
    }
}

/// The capture must describe the fixture as it is: same members, same dependency edges.
#[test]
fn the_captured_metadata_is_current() {
    let live = support::oracle::metadata_graph(&support::citychain(), true);
    let edges = |g: &PackageGraph| -> BTreeSet<(String, String)> {
        g.workspace()
            .iter()
            .flat_map(|p| {
                p.direct_links()
                    .map(|l| (p.name().to_string(), l.to().name().to_string()))
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    assert_eq!(
        edges(&fixture().graph),
        edges(&live),
        "fixtures/metadata/citychain.json is stale: capture it again (fixtures/README.md)"
    );
}
