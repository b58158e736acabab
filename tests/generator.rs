//! The test-support generator and the bundled example monorepo load as real cargo workspaces.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_json::Value;
use support::generator::{self, CODEGEN, CORE, Spec, StepKind, TESTKIT};
use support::git::{Repo, copy_dir};

/// `cargo metadata --format-version 1` plus `extra` in `dir`, parsed.
fn metadata(dir: &Path, extra: &[&str]) -> Value {
    support::cargo_metadata(dir, extra)
        .unwrap_or_else(|e| panic!("cargo metadata failed in {}:\n{e}", dir.display()))
}

/// Workspace members as name -> (manifest dir relative to the root, internal edges by kind).
type Edges = BTreeMap<String, (String, BTreeMap<&'static str, BTreeSet<String>>)>;

fn members(meta: &Value) -> Edges {
    let root = meta["workspace_root"].as_str().unwrap();
    let ids: BTreeSet<&str> = meta["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let mut out = Edges::new();
    for p in meta["packages"].as_array().unwrap() {
        if !ids.contains(p["id"].as_str().unwrap()) {
            continue;
        }
        let manifest = p["manifest_path"].as_str().unwrap();
        let dir = Path::new(manifest)
            .parent()
            .unwrap()
            .strip_prefix(root)
            .unwrap();
        let mut edges: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
        for d in p["dependencies"].as_array().unwrap() {
            if d.get("path").and_then(Value::as_str).is_none() {
                continue; // A registry dependency.
            }
            let kind = match d["kind"].as_str() {
                Some("dev") => "dev",
                Some("build") => "build",
                _ => "normal",
            };
            edges
                .entry(kind)
                .or_default()
                .insert(d["name"].as_str().unwrap().to_string());
        }
        let name = p["name"].as_str().unwrap().to_string();
        out.insert(name, (dir.to_string_lossy().replace('\\', "/"), edges));
    }
    out
}

fn spec(crates: usize) -> Spec {
    Spec {
        crates,
        domains: 6,
        pyo3_every: 7,
        bin_every: 5,
        max_deps: 4,
        seed: 42,
        registry_deps: false,
        ..Spec::default()
    }
}

#[test]
fn plan_is_deterministic_and_acyclic_with_every_edge_kind() {
    let a = generator::plan(&spec(200));
    assert_eq!(a, generator::plan(&spec(200)), "same spec, same workspace");
    assert_ne!(
        a,
        generator::plan(&Spec {
            seed: 43,
            ..spec(200)
        }),
        "the seed matters"
    );

    let index = |name: &str| name[1..].parse::<usize>().unwrap();
    for (i, c) in a.iter().enumerate() {
        for d in c.deps.iter().chain(&c.dev_deps).chain(&c.build_deps) {
            assert!(index(d) < i, "{} -> {d} is not downward", c.name);
            assert_eq!(
                a[index(d)].kind,
                "lib",
                "{} depends on non-library {d}",
                c.name
            );
        }
    }
    let count = |pred: &dyn Fn(&generator::GenCrate) -> bool| a.iter().filter(|c| pred(c)).count();
    assert!(
        count(&|c| c.deps.iter().any(|d| d == CORE)) > 20,
        "the core crate has many users"
    );
    assert!(count(&|c| c.kind == "pyo3") >= 20);
    assert!(count(&|c| c.kind == "bin") >= 20);
    assert!(count(&|c| c.mixed_python) >= 5);
    // The test kit and the code generator are only ever dev- and build-dependencies.
    assert!(count(&|c| c.dev_deps.iter().any(|d| d == TESTKIT)) > 10);
    assert_eq!(
        count(&|c| c.deps.iter().chain(&c.build_deps).any(|d| d == TESTKIT)),
        0
    );
    assert!(count(&|c| c.build_deps.iter().any(|d| d == CODEGEN)) > 10);
    assert_eq!(
        count(&|c| c.deps.iter().chain(&c.dev_deps).any(|d| d == CODEGEN)),
        0
    );
    let domain_of: BTreeMap<&str, &str> = a
        .iter()
        .map(|c| (c.name.as_str(), c.domain.as_str()))
        .collect();
    let domain_of = &domain_of;
    let cross = a
        .iter()
        .flat_map(|c| {
            c.deps
                .iter()
                .map(move |d| (c.domain.as_str(), domain_of[d.as_str()]))
        })
        .filter(|(from, to)| from != to)
        .count();
    assert!(cross > 50, "cross-domain edges: {cross}");
}

#[test]
fn generated_workspace_resolves_offline_as_generated() {
    let tmp = tempfile::tempdir().unwrap();
    let g = generator::generate(tmp.path(), &spec(40)).unwrap();
    assert!(
        !tmp.path().join("Cargo.lock").exists(),
        "no lock is written without registry deps"
    );

    let meta = metadata(tmp.path(), &["--offline"]);
    let got = members(&meta);
    assert_eq!(got.len(), 40);
    for c in &g.crates {
        let (dir, edges) = &got[&c.name];
        assert_eq!(dir, &c.path);
        let set = |v: &[String]| v.iter().cloned().collect::<BTreeSet<_>>();
        let edge = |k: &str| edges.get(k).cloned().unwrap_or_default();
        assert_eq!(edge("normal"), set(&c.deps), "{} normal", c.name);
        assert_eq!(edge("dev"), set(&c.dev_deps), "{} dev", c.name);
        assert_eq!(edge("build"), set(&c.build_deps), "{} build", c.name);
    }
    let domains: BTreeSet<&str> = g.crates.iter().map(|c| c.domain.as_str()).collect();
    assert_eq!(domains.len(), 6);
    let root = std::fs::read_to_string(tmp.path().join("Cargo.toml")).unwrap();
    assert!(root.contains("\"d03/rust/*\""), "{root}");
    assert!(
        !root.contains("itoa") && !root.contains("pyo3"),
        "no registry entries: {root}"
    );
}

#[test]
fn history_makes_one_commit_per_kind_of_change_and_still_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let g = generator::generate(tmp.path(), &spec(40)).unwrap();
    let repo = Repo::init(tmp.path());
    let steps = generator::make_history(&repo, &g, 7).unwrap();

    let kinds: Vec<StepKind> = steps.iter().map(|s| s.kind).collect();
    let expected = [
        StepKind::LeafSource,
        StepKind::CoreSource,
        StepKind::DevOnlySource,
        StepKind::PythonInCrate,
        StepKind::MemberManifest,
        StepKind::WorkspaceDepEntry,
        StepKind::Profile,
        StepKind::RenamedFile,
        StepKind::NewCrate,
        StepKind::DeletedCrate,
        StepKind::MovedCrate,
    ];
    assert_eq!(
        kinds, expected,
        "no lockfile-only step without registry deps"
    );
    for pair in steps.windows(2) {
        assert_eq!(pair[1].parent, pair[0].commit, "one linear history");
    }
    for s in &steps {
        assert_ne!(s.parent, s.commit);
        assert!(!s.paths.is_empty(), "{:?} changed nothing", s.kind);
        let parent = repo.git(&["rev-parse", &format!("{}^", s.commit)]);
        assert_eq!(parent, s.parent);
    }
    let by_kind = |k: StepKind| steps.iter().find(|s| s.kind == k).unwrap();
    assert_eq!(by_kind(StepKind::Profile).paths, ["Cargo.toml"]);
    assert_eq!(
        by_kind(StepKind::CoreSource).paths,
        ["d00/rust/c0000/src/lib.rs"]
    );
    let renamed = &by_kind(StepKind::RenamedFile).paths;
    assert_eq!(
        renamed.len(),
        2,
        "a rename is a deletion plus an addition: {renamed:?}"
    );
    assert!(
        by_kind(StepKind::NewCrate)
            .paths
            .iter()
            .any(|p| p == "Cargo.lock")
    );
    assert_eq!(
        repo.git(&["status", "--porcelain"]),
        "",
        "everything committed"
    );

    // The final state is a valid workspace: moved, deleted and new crates as the steps say.
    let meta = metadata(tmp.path(), &["--offline", "--locked"]);
    let got = members(&meta);
    let deleted = &by_kind(StepKind::DeletedCrate).crates[0];
    let moved = &by_kind(StepKind::MovedCrate).crates[0];
    let new = &by_kind(StepKind::NewCrate).crates[0];
    assert!(!got.contains_key(deleted));
    assert!(got.contains_key(new));
    assert_ne!(got[moved].0, g.get(moved).unwrap().path);
    assert_eq!(got.len(), 40);

    // And its generated code compiles after every edit (offline: no registry crates).
    let out = Command::new(support::cargo())
        .args([
            "check",
            "--workspace",
            "--all-targets",
            "--offline",
            "--quiet",
        ])
        .env("CARGO_TARGET_DIR", tmp.path().join("target"))
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn affected_oracle_follows_dev_edges_one_hop() {
    let g = generator::Generated {
        root: ".".into(),
        crates: generator::plan(&spec(60)),
        spec: spec(60),
        python: Vec::new(),
    };
    let kit_users: BTreeSet<String> = g.users_of(TESTKIT).iter().map(|c| c.name.clone()).collect();
    let mut expected = kit_users.clone();
    expected.insert(TESTKIT.to_string());
    assert_eq!(
        g.affected_by(&[TESTKIT]),
        expected,
        "dev edges reach only the declaring crate"
    );
    let all_core = g.affected_by(&[CORE]);
    assert!(all_core.len() > 30, "{all_core:?}");
}

/// Needs the crates.io registry (or a warm cache): `generate-lockfile` and `cargo update`.
#[test]
fn registry_history_has_a_lockfile_only_step() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = Spec {
        registry_deps: true,
        ..spec(12)
    };
    let g = generator::generate(tmp.path(), &spec).unwrap();
    assert!(tmp.path().join("Cargo.lock").exists());
    let root = std::fs::read_to_string(tmp.path().join("Cargo.toml")).unwrap();
    assert!(
        root.contains("itoa = \"1\"") && root.contains("pyo3 = "),
        "{root}"
    );
    let repo = Repo::init(tmp.path());
    let steps = generator::make_history(&repo, &g, 3).unwrap();
    let lock = steps
        .iter()
        .find(|s| s.kind == StepKind::LockfileOnly)
        .unwrap();
    assert_eq!(lock.paths, ["Cargo.lock"]);
    let entry = steps
        .iter()
        .find(|s| s.kind == StepKind::WorkspaceDepEntry)
        .unwrap();
    assert_eq!(
        entry.paths,
        ["Cargo.toml"],
        "one entry edit leaves the lock alone"
    );
    metadata(tmp.path(), &["--locked"]);
}

/// Needs the crates.io registry (or a warm cache) for pyo3, serde, serde_json and itoa.
#[test]
fn citychain_copy_is_a_workspace_with_four_domains() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&support::citychain(), tmp.path());
    let repo = Repo::init(tmp.path());
    repo.commit_all("citychain");
    assert!(!tmp.path().join("target").exists());

    // `--locked`: the committed Cargo.lock matches the manifests.
    let meta = metadata(tmp.path(), &["--locked"]);
    let got = members(&meta);
    assert!(got.len() >= 13, "{} members", got.len());
    let domains: BTreeSet<&str> = got
        .values()
        .map(|(dir, _)| dir.split('/').next().unwrap())
        .collect();
    assert_eq!(
        domains,
        BTreeSet::from(["CA", "DAGs", "Data Science", "login"])
    );
    for (dir, _) in got.values() {
        assert_eq!(dir.split('/').nth(1), Some("rust"), "{dir}");
    }
    // The edge cases the fixture promises (see fixtures/README.md).
    let edges = |name: &str, kind: &str| got[name].1.get(kind).cloned().unwrap_or_default();
    assert!(edges("ca_signer", "dev").contains("ca_testkit"));
    assert!(edges("dag_schema", "build").contains("dag_codegen"));
    assert!(edges("login_session", "normal").contains("ca_signer"));
    let renamed = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "login_model")
        .unwrap()["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["name"] == "serde_json" && d["rename"] == "json");
    assert!(renamed, "login_model uses serde_json renamed to json");
}

#[test]
fn citychain_and_generated_configs_parse_with_the_domain_path_rule() {
    use cargo_ccworkspace::config::{Config, MarkChanged};

    let city = Config::load(&support::citychain().join("Cargo.toml")).unwrap();
    let rule = &city.affected.path_rule[0];
    assert_eq!(rule.globs, ["DAGs/python/**"]);
    assert_eq!(
        rule.mark_changed,
        MarkChanged::Crates(vec!["domain:DAGs".into()])
    );

    let tmp = tempfile::tempdir().unwrap();
    generator::generate(tmp.path(), &spec(10)).unwrap();
    let generated = Config::load(&tmp.path().join("Cargo.toml")).unwrap();
    assert_eq!(generated.affected.path_rule[0].globs, ["d00/python/**"]);
}

/// The Python packages (issue 15): a DAG over PyO3 distributions and earlier packages, each
/// workspace requirement with a `{ workspace = true }` source, read back by the tool's model.
#[test]
fn python_packages_depend_on_wheels_and_earlier_packages() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = Spec {
        python_packages: 30,
        ..spec(60)
    };
    let g = generator::generate(tmp.path(), &spec).unwrap();
    assert_eq!(g.python.len(), 30);
    let wheels: BTreeSet<String> = g
        .crates
        .iter()
        .filter(|c| c.kind == "pyo3")
        .map(|c| c.name.clone())
        .collect();
    for (i, p) in g.python.iter().enumerate() {
        assert!(!p.deps.is_empty(), "{}", p.name);
        for d in p.deps.iter().chain(&p.dev_deps) {
            let earlier = d.starts_with('p') && d[1..].parse::<usize>().unwrap() < i;
            assert!(earlier || wheels.contains(d), "{} -> {d}", p.name);
        }
    }
    let pyo3: Vec<cargo_ccworkspace::python::Pyo3Crate> = g
        .crates
        .iter()
        .filter(|c| c.kind == "pyo3")
        .map(|c| cargo_ccworkspace::python::Pyo3Crate {
            name: c.name.clone(),
            dir: c.path.clone(),
        })
        .collect();
    let ws = cargo_ccworkspace::python::discover(tmp.path(), &Default::default(), &pyo3, &|_| None)
        .unwrap();
    for p in &g.python {
        let i = ws.by_distribution[&p.name];
        let mut deps: Vec<String> = ws.edges[i]
            .iter()
            .map(|e| ws.packages[e.to].distribution.clone())
            .collect();
        deps.sort();
        deps.dedup();
        let mut want: Vec<String> = p.deps.iter().chain(&p.dev_deps).cloned().collect();
        want.sort();
        assert_eq!(deps, want, "{}", p.name);
        let project = ws.packages[i].project.as_ref().unwrap();
        for d in &want {
            assert!(project.sources[d].workspace, "{} -> {d}", p.name);
        }
    }
}
