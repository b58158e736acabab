//! The members' dependency graph read from the manifests alone, without `cargo metadata`: what
//! `affected` needs on a cold graph cache (every CI run) when only member files changed.
//!
//! When neither `Cargo.lock`, the root manifest nor the toolchain changed, a change inside the
//! members can only travel over edges between members: registry and git packages cannot depend
//! on a workspace member, and cargo's feature unification can only enable a member's optional
//! dependencies from other members. Those edges, with their kinds, `optional` flags and `cfg()`
//! conditions, are in the member manifests the workspace model reads. So this graph holds the
//! members alone, and `affected` answers from it exactly what it answers from the full graph.
//! Where an answer would need a simulated build (an optional edge between members), the
//! propagation asks for guppy's graph ([`crate::workspace::NeedsGraph`]) and the caller loads
//! it with `cargo metadata`.
//!
//! [`load`] returns `None`, so the caller runs `cargo metadata`, whenever the manifests alone
//! cannot be trusted to give cargo's graph, or cargo would refuse what they say: a root package,
//! `[patch]` or `[replace]`, a path dependency on a package that is not a member, a
//! `.cargo/config` that patches or overrides paths, `--offline`/`--locked`/`--frozen` (the user
//! asked for cargo's checks), no members, a member without targets, or a workspace the model
//! cannot load.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use camino::Utf8PathBuf;
use rayon::prelude::*;

use crate::graph::{DepGraph, Link, Node, Package};
use crate::model::kind::{KindFacts, classify, is_maturin};
use crate::model::manifest::{DepKind, NodeExt, dependencies};
use crate::model::relpath::{join, normalize_rel};
use crate::workspace::{Member, MetadataOptions, Platforms, Workspace};

/// The members' graph from the manifests, or `None` when it cannot stand in for cargo's (see
/// the module documentation). Never an error: anything unexpected means "ask cargo".
pub fn load(global: &MetadataOptions, platforms: &Platforms) -> Option<Workspace> {
    // `--offline`, `--locked`, `--frozen` ask for cargo's own checks of the resolve.
    if global.offline || global.locked || global.frozen {
        return None;
    }
    let mut model = crate::model::load(&crate::model::LoadOptions {
        manifest_path: global.manifest_path.clone(),
        ..Default::default()
    })
    .ok()?;
    let root = model.root.root();
    if ["package", "patch", "replace"]
        .iter()
        .any(|k| root.get(*k).is_some())
    {
        return None;
    }
    if cargo_config_redirects(&model.root_dir) {
        return None;
    }
    // Root-relative paths of `[workspace.dependencies]` path entries, and the real package
    // names of the entries (for `uses pyo3`).
    let ws_table = root.get("workspace").and_then(NodeExt::as_table)?;
    let mut ws_paths: HashMap<&str, String> = HashMap::new();
    let ws_packages = crate::model::kind::renamed_workspace_deps(root);
    if let Some(deps) = ws_table.get("dependencies").and_then(NodeExt::as_table) {
        for (key, value) in deps.iter() {
            let key: &str = key.get_ref().as_ref();
            if let Some(path) = value.get("path").and_then(NodeExt::as_str) {
                ws_paths.insert(key, normalize_rel(path)?);
            }
        }
    }

    let node_of: HashMap<&str, Node> = model
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| (m.dir.as_str(), i))
        .collect();
    // cargo refuses a virtual workspace without members (asked, it says so); one with a uv
    // workspace at the root is a monorepo whose Python packages came first (`init`, then `new
    // --python`): its crate graph is empty, and the Python half answers.
    if model.members.is_empty() && !model.root_dir.join("pyproject.toml").is_file() {
        return None;
    }
    let root_dir = Utf8PathBuf::from_path_buf(model.root_dir.clone()).ok()?;
    // The files that decide each member's targets, read in parallel (most of the I/O).
    let files: Vec<crate::model::files::CrateFiles> = model
        .members
        .par_iter()
        .map(|manifest| {
            crate::model::files::read(
                &model.root_dir,
                &manifest.dir,
                Some(
                    model
                        .pyprojects
                        .get(&manifest.dir)
                        .map(|p| p.text().to_string()),
                ),
            )
            .ok()
        })
        .collect::<Option<_>>()?;
    // Whether a member has a library target: a dependency on a member without one is no edge
    // (cargo ignores it: "missing a lib target").
    let has_lib: Vec<bool> = model
        .members
        .iter()
        .zip(&files)
        .map(|(m, f)| {
            let table = m.root();
            let autolib = table
                .get("package")
                .and_then(|p| p.get("autolib"))
                .and_then(NodeExt::as_bool)
                .unwrap_or(true);
            table.contains_key("lib") || (autolib && f.lib_rs)
        })
        .collect();
    // One member's package and facts; members are independent, so they are read in parallel.
    let one = |node: Node, manifest: &crate::model::Manifest| -> Option<(Package, Member)> {
        let table = manifest.root();
        let files = &files[node];
        // cargo builds build-dependencies only for a package with a build script: `build =
        // "path"`, or `build.rs` unless `build = false`.
        let has_build_script = match table.get("package").and_then(|p| p.get("build")) {
            Some(b) if b.as_bool() == Some(false) => false,
            Some(b) if b.as_str().is_some() => true,
            _ => model
                .root_dir
                .join(&manifest.dir)
                .join("build.rs")
                .is_file(),
        };
        let name = manifest.package_name()?.to_string();
        let mut links: BTreeMap<Node, Link> = BTreeMap::new();
        let mut uses_pyo3 = false;
        for dep in dependencies(table) {
            let package = crate::model::kind::package_of(&dep, &ws_packages);
            uses_pyo3 |= package == "pyo3";
            let path = if dep.spec.workspace {
                ws_paths.get(dep.key).cloned()
            } else {
                match &dep.spec.path {
                    Some(p) => Some(normalize_rel(&join(&manifest.dir, p))?),
                    None => None,
                }
            };
            let Some(path) = path else {
                // A registry or git package: it cannot reach a member.
                continue;
            };
            // A path package that is not a member: cargo's graph has more than ours.
            let to = *node_of.get(path.as_str())?;
            if !has_lib[to] {
                continue;
            }
            let on = match dep.table_path.first().map(String::as_str) {
                Some("target") => platforms.mask_cfg(dep.table_path.get(1)?)?,
                _ => platforms.every(),
            };
            let optional = dep.spec.optional == Some(true);
            let link = links.entry(to).or_insert_with(|| Link {
                to,
                dep_name: dep.key.to_string(),
                normal: false,
                build: false,
                dev: false,
                declared: 0,
                required_normal_on: 0,
                required_build_on: 0,
                dev_on: 0,
            });
            let bit = match dep.kind {
                DepKind::Normal => {
                    link.normal = true;
                    if !optional {
                        link.required_normal_on |= on.certain;
                    }
                    Link::NORMAL
                }
                DepKind::Build => {
                    link.build = true;
                    if !optional && has_build_script {
                        link.required_build_on |= on.certain;
                    }
                    Link::BUILD
                }
                DepKind::Dev => {
                    link.dev = true;
                    link.dev_on |= on.certain;
                    Link::DEV
                }
            };
            if on.possible != 0 {
                link.declared |= bit;
            }
        }
        // No target at all: cargo refuses the workspace ("no targets specified"); let it say so.
        let has_targets = files.lib_rs
            || files.main_rs
            || !files.bin_dir.is_empty()
            || ["lib", "bin", "example", "test", "bench"]
                .iter()
                .any(|k| table.contains_key(*k));
        if !has_targets {
            return None;
        }
        let kind = classify(
            crate::model::kind::kind_override(table),
            KindFacts {
                // The load parsed it already: no second parse of the text.
                maturin_pyproject: model
                    .pyprojects
                    .get(&manifest.dir)
                    .is_some_and(|p| is_maturin(p.root())),
                cdylib: crate::model::kind::has_cdylib(table),
                uses_pyo3,
                main_bin: main_bin(&name, table, files),
            },
        )
        .ok()?;
        let package = Package {
            name: name.clone(),
            // Versions only name lockfile changes, which this graph never answers.
            version: String::new(),
            member: true,
            dir: Some(manifest.dir.clone()),
            manifest: Some(root_dir.join(&manifest.path).to_string()),
            links: links.into_values().collect(),
        };
        let member = Member {
            node,
            name,
            path: manifest.dir.clone(),
            kind,
            target_dirs: Vec::new(),
        };
        Some((package, member))
    };
    let read: Option<Vec<(Package, Member)>> = model
        .members
        .par_iter()
        .enumerate()
        .map(|(node, manifest)| one(node, manifest))
        .collect();
    let (packages, mut members): (Vec<Package>, Vec<Member>) = read?.into_iter().unzip();
    members.sort_by(|a, b| a.path.cmp(&b.path));
    let graph = DepGraph::new(packages).with_platforms(platforms.names.clone());
    let mut ws = Workspace::new(root_dir, graph, members);
    ws.pyprojects = std::mem::take(&mut model.pyprojects);
    Some(ws)
}

/// Whether the crate's binaries make it a binary crate (`model::kind::has_main_bin`), from its
/// manifest and files: cargo's target inference (`model::kind::infer_bins`), the library
/// target (`[lib]`, or `src/lib.rs` unless `autolib = false`), and whether it names its binary
/// (`default-run`, `[package.metadata.ccworkspace] bin`), as `dockerfile` reads them.
fn main_bin(
    package: &str,
    table: &crate::model::manifest::Table,
    files: &crate::model::files::CrateFiles,
) -> bool {
    use crate::model::kind::{ExplicitBin, has_main_bin, infer_bins};
    let explicit: Vec<ExplicitBin<'_>> = table
        .get("bin")
        .and_then(NodeExt::as_array)
        .unwrap_or_default()
        .iter()
        .map(|b| ExplicitBin {
            name: b.get("name").and_then(NodeExt::as_str),
            path: b.get("path").and_then(NodeExt::as_str),
            required_features: b
                .get("required-features")
                .or_else(|| b.get("required_features"))
                .and_then(NodeExt::as_array)
                .is_some_and(|a| !a.is_empty()),
        })
        .collect();
    let pkg = table.get("package");
    let flag = |key: &str| {
        pkg.and_then(|p| p.get(key))
            .and_then(NodeExt::as_bool)
            .unwrap_or(true)
    };
    let has_lib = table.contains_key("lib") || (flag("autolib") && files.lib_rs);
    let names_bin = pkg
        .and_then(|p| p.get("default-run").or_else(|| p.get("default_run")))
        .is_some()
        || pkg
            .and_then(|p| p.get("metadata"))
            .and_then(|m| m.get("ccworkspace"))
            .and_then(|c| c.get("bin"))
            .is_some();
    let bins = infer_bins(package, &explicit, flag("autobins"), files);
    has_main_bin(package, has_lib, names_bin, &bins)
}

/// Whether a `.cargo/config(.toml)` in the root or an ancestor, or in `$CARGO_HOME`, can change
/// which package a path names (`[patch]`, `paths`): then only cargo knows the graph.
fn cargo_config_redirects(root: &Path) -> bool {
    let mut dirs: Vec<std::path::PathBuf> = root.ancestors().map(|d| d.join(".cargo")).collect();
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        dirs.push(home.into());
    } else if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".cargo"));
    }
    dirs.iter().any(|dir| {
        ["config", "config.toml"].iter().any(|f| {
            std::fs::read_to_string(dir.join(f)).is_ok_and(|text| {
                text.parse::<toml::Table>()
                    .map(|t| t.contains_key("patch") || t.contains_key("paths"))
                    .unwrap_or(true)
            })
        })
    })
}
