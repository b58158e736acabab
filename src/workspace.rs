//! Loading the workspace: `cargo metadata` (run with the cargo that started us, `$CARGO`)
//! into a guppy [`PackageGraph`], plus what every command needs to know about a member:
//! its relative directory and its [`CrateKind`].
//!
//! This module and [`crate::git`] are the only I/O edges of `affected`; tests build a
//! [`Workspace`] from captured JSON with [`Workspace::from_metadata_json`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;
use camino::{Utf8Path, Utf8PathBuf};
use guppy::graph::{BuildTargetId, BuildTargetKind, PackageGraph, PackageMetadata};
use guppy::{CargoMetadata, PackageId};

use serde::{Deserialize, Serialize};

use crate::errors::UserError;
use crate::graph::{BuildMask, Builds, DepGraph, Link, Node, Package, PlatformMask};
use crate::model::kind::{CrateKind, KindFacts, classify, is_maturin_pyproject};
use guppy::platform::{EnabledTernary, Platform, PlatformSpec, TargetFeatures};

/// A loaded workspace: the package graph and its members, sorted by path.
#[derive(Debug)]
pub struct Workspace {
    pub graph: DepGraph,
    /// The workspace root directory (absolute).
    pub root: Utf8PathBuf,
    /// Members sorted by relative path.
    pub members: Vec<Member>,
    by_node: HashMap<Node, usize>,
    by_name: HashMap<String, usize>,
    /// The guppy graph the workspace was built from, to simulate builds; `None` when it came
    /// from the graph cache.
    simulator: Option<Simulator>,
    /// The members' `pyproject.toml` files, parsed, by member folder (relative, `/`), when
    /// the graph came from the manifests ([`crate::model_graph`]), which read them; empty when
    /// it came from `cargo metadata` or the cache. The Python packages' discovery takes the
    /// PyO3 crates' files from here rather than reading and parsing them again.
    pub pyprojects: std::collections::BTreeMap<String, crate::model::Manifest>,
}

/// What simulating a member's builds needs: guppy's graph and the node of each package.
struct Simulator {
    graph: PackageGraph,
    index: HashMap<PackageId, Node>,
    specs: Vec<PlatformSpec>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Simulator")
    }
}

/// [`Workspace::simulate`] was asked for builds, but the workspace came from the graph cache,
/// which keeps no guppy graph: load it with `cargo metadata` and ask again.
#[derive(Debug)]
pub struct NeedsGraph;

impl std::fmt::Display for NeedsGraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("simulating builds needs the package graph from `cargo metadata`")
    }
}

impl std::error::Error for NeedsGraph {}

/// What the commands need to know about one workspace member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Its package in [`Workspace::graph`].
    pub node: Node,
    pub name: String,
    /// Directory relative to the workspace root, with `/`; empty for a root package.
    pub path: String,
    pub kind: CrateKind,
    /// Directories (relative to the member, with `/`) that hold its targets' sources, e.g.
    /// `src`, `tests`; used to tell a root package's own files from stray files.
    pub target_dirs: Vec<String>,
}

impl Member {
    /// The `Dockerfile` path of a crate with an image, relative to the workspace root.
    pub fn dockerfile(&self) -> Option<String> {
        match self.kind {
            CrateKind::Lib => None,
            _ => Some(join(&self.path, "Dockerfile")),
        }
    }

    /// The domain folder: the first component of the member's path (`DAGs/rust/x` -> `DAGs`).
    pub fn domain(&self) -> &str {
        self.path.split('/').next().unwrap_or("")
    }
}

pub use crate::model::relpath::join;

/// The cargo to run: the one that started us (`$CARGO`), else `cargo` from `PATH`.
pub fn cargo_program() -> PathBuf {
    std::env::var_os("CARGO")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("cargo"))
}

/// `cargo -V` of the cargo that runs us ([`cargo_program`]), e.g. `cargo 1.95.0 (f2d3ce0bd 2026-03-21)`.
pub fn cargo_version() -> anyhow::Result<String> {
    let output = Command::new(cargo_program())
        .arg("-V")
        .output()
        .with_context(|| format!("failed to run `{} -V`", cargo_program().display()))?;
    if !output.status.success() {
        return Err(UserError::new(
            format!(
                "`{} -V` failed: {}",
                cargo_program().display(),
                String::from_utf8_lossy(&output.stderr).trim()
            ),
            "check that cargo runs (rustup show)",
        )
        .into());
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// Where the workspace is and how `cargo metadata` may resolve it: `--manifest-path`,
/// `--offline`, `--locked`, `--frozen` (passed on to cargo as they are).
#[derive(Debug, Clone, Default)]
pub struct MetadataOptions {
    /// `--manifest-path`: the root (or a member) `Cargo.toml`; `None` for the current directory.
    pub manifest_path: Option<PathBuf>,
    pub offline: bool,
    pub locked: bool,
    pub frozen: bool,
}

/// `cargo metadata --format-version 1 --all-features` with the global flags.
pub fn metadata_command(
    global: &MetadataOptions,
    manifest_path: Option<&Path>,
    cwd: Option<&Path>,
) -> Command {
    let mut cmd = Command::new(cargo_program());
    cmd.args(["metadata", "--format-version", "1", "--all-features"]);
    if let Some(path) = manifest_path {
        cmd.arg("--manifest-path").arg(path);
    }
    for (flag, on) in [
        ("--offline", global.offline),
        ("--locked", global.locked),
        ("--frozen", global.frozen),
    ] {
        if on {
            cmd.arg(flag);
        }
    }
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    cmd
}

/// Run `cargo metadata` and return its JSON, or a [`UserError`] carrying cargo's message.
pub fn run_metadata(
    global: &MetadataOptions,
    manifest_path: Option<&Path>,
    cwd: Option<&Path>,
) -> anyhow::Result<String> {
    let mut cmd = metadata_command(global, manifest_path, cwd);
    let output = cmd
        .output()
        .with_context(|| format!("failed to run `{} metadata`", cargo_program().display()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let cargo_says = stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        let place = manifest_path
            .map(|p| p.display().to_string())
            .or_else(|| cwd.map(|d| d.display().to_string()))
            .unwrap_or_else(|| "the current directory".to_string());
        return Err(UserError::new(
            format!("cargo could not load the workspace at {place}:\n{cargo_says}"),
            metadata_help(&cargo_says),
        )
        .into());
    }
    String::from_utf8(output.stdout).context("`cargo metadata` printed invalid UTF-8")
}

/// The `help:` line for a `cargo metadata` failure: specific for the failures cargo words
/// obscurely, else the general advice.
fn metadata_help(cargo_says: &str) -> String {
    // A `members` glob that matches no directory with a Cargo.toml: cargo reports it as an
    // unreadable `<glob>/Cargo.toml`.
    let glob_member = cargo_says
        .lines()
        .find(|l| l.contains("failed to load manifest for workspace member"))
        .and_then(|l| l.split('`').nth(1))
        .filter(|member| crate::model::members::is_glob(member));
    if let Some(member) = glob_member {
        return format!(
            "the `members` glob {member} matches no directory holding a Cargo.toml, and cargo \
             rejects that: remove it from `[workspace] members` in the root Cargo.toml, or add \
             a crate there (cargo ccworkspace new)"
        );
    }
    if cargo_says.contains("workspace has no members") {
        return "add a member to `[workspace] members` in the root Cargo.toml (cargo ccworkspace \
                new DOMAIN/CRATE)"
            .to_string();
    }
    "fix the manifest cargo names above (`cargo metadata` must succeed), or point \
     --manifest-path at the workspace's root Cargo.toml"
        .to_string()
}

impl Workspace {
    /// Load the workspace whose root manifest is `dir/Cargo.toml` (used for a base revision).
    pub fn load_dir(global: &MetadataOptions, dir: &Path) -> anyhow::Result<Workspace> {
        let manifest = dir.join("Cargo.toml");
        let json = run_metadata(global, Some(&manifest), Some(dir))?;
        Workspace::from_metadata_json(&json, &Platforms::configured(&manifest))
    }

    /// Build from captured `cargo metadata --format-version 1` JSON, simulating the members'
    /// builds for `platforms` (see [`Platforms`]).
    pub fn from_metadata_json(json: &str, platforms: &Platforms) -> anyhow::Result<Workspace> {
        let metadata =
            CargoMetadata::parse_json(json).context("failed to parse `cargo metadata` output")?;
        let graph = metadata
            .build_graph()
            .context("failed to build the package graph from `cargo metadata` output")?;
        Workspace::from_graph(graph, platforms)
    }

    /// Reduce a guppy package graph to what the commands need, with every member's simulated
    /// builds for `platforms`.
    pub fn from_graph(graph: PackageGraph, platforms: &Platforms) -> anyhow::Result<Workspace> {
        let root = graph.workspace().root().to_path_buf();
        let ids: Vec<&PackageId> = graph.package_ids().collect();
        let index: HashMap<&PackageId, Node> =
            ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let mut packages = Vec::with_capacity(ids.len());
        for id in &ids {
            let pkg = graph.metadata(id)?;
            let local = pkg.source().local_path().map(|p| {
                if p.is_absolute() {
                    p.to_path_buf()
                } else {
                    root.join(p)
                }
            });
            let dir = local
                .as_ref()
                .and_then(|abs| abs.strip_prefix(&root).ok())
                .map(|rel| rel.as_str().replace('\\', "/"));
            let mut links: Vec<Link> = pkg
                .direct_links()
                .filter_map(|l| {
                    Some(Link {
                        to: *index.get(l.to().id())?,
                        dep_name: l.dep_name().to_string(),
                        normal: l.normal().is_present(),
                        build: l.build().is_present(),
                        dev: l.dev().is_present(),
                        declared: [
                            (l.normal(), Link::NORMAL),
                            (l.build(), Link::BUILD),
                            (l.dev(), Link::DEV),
                        ]
                        .iter()
                        .filter(|(req, _)| {
                            platforms.specs.iter().any(|spec| {
                                req.status().enabled_on(spec) != EnabledTernary::Disabled
                            })
                        })
                        .fold(0, |a, (_, bit)| a | bit),
                        required_normal_on: platforms.mask(|spec| {
                            l.normal().status().required_on(spec) == EnabledTernary::Enabled
                        }),
                        // guppy (and cargo) build no build-dependency of a package without a
                        // build script.
                        required_build_on: platforms.mask(|spec| {
                            pkg.has_build_script()
                                && l.build().status().required_on(spec) == EnabledTernary::Enabled
                        }),
                        dev_on: platforms.mask(|spec| {
                            l.dev().status().enabled_on(spec) == EnabledTernary::Enabled
                        }),
                    })
                })
                .collect();
            links.sort_by(|a, b| a.to.cmp(&b.to).then(a.dep_name.cmp(&b.dep_name)));
            packages.push(Package {
                name: pkg.name().to_string(),
                version: pkg.version().to_string(),
                member: pkg.in_workspace(),
                dir,
                manifest: local.map(|_| pkg.manifest_path().to_string()),
                links,
            });
        }
        let mut members = Vec::new();
        for (path, pkg) in graph.workspace().iter_by_path() {
            let Some(node) = index.get(pkg.id()) else {
                continue;
            };
            members.push(Member {
                node: *node,
                name: pkg.name().to_string(),
                path: path.as_str().replace('\\', "/"),
                kind: detect_kind(&pkg)?,
                target_dirs: target_dirs(&pkg),
            });
        }
        members.sort_by(|a, b| a.path.cmp(&b.path));
        let index: HashMap<PackageId, Node> =
            index.into_iter().map(|(id, n)| (id.clone(), n)).collect();
        let dep_graph = DepGraph::new(packages).with_platforms(platforms.names.clone());
        let mut ws = Workspace::new(root, dep_graph, members);
        ws.simulator = Some(Simulator {
            graph,
            index,
            specs: platforms.specs.clone(),
        });
        Ok(ws)
    }

    /// Assemble from parts (also used by the graph cache).
    pub fn new(root: Utf8PathBuf, graph: DepGraph, members: Vec<Member>) -> Workspace {
        let by_node = members
            .iter()
            .enumerate()
            .map(|(i, m)| (m.node, i))
            .collect();
        let by_name = members
            .iter()
            .enumerate()
            .map(|(i, m)| (m.name.clone(), i))
            .collect();
        Workspace {
            graph,
            root,
            members,
            by_node,
            by_name,
            simulator: None,
            pyprojects: Default::default(),
        }
    }

    /// Every build of each of `members` as guppy's determinator simulates it, or
    /// [`NeedsGraph`] when this workspace came from the graph cache. In `members`' order.
    pub fn simulate(&self, members: &[Node]) -> anyhow::Result<Vec<Builds>> {
        let sim = self.simulator.as_ref().ok_or(NeedsGraph)?;
        sim.simulate(members)
    }

    /// The member with this name.
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.by_name.get(name).map(|i| &self.members[*i])
    }

    /// The member whose package is `node`.
    pub fn member_by_node(&self, node: Node) -> Option<&Member> {
        self.by_node.get(&node).map(|i| &self.members[*i])
    }

    /// The root `Cargo.toml`.
    pub fn root_manifest(&self) -> Utf8PathBuf {
        self.root.join("Cargo.toml")
    }
}

/// The platforms `affected` evaluates `cfg()` for (`platforms` in
/// `[workspace.metadata.ccworkspace.affected]`): target triples known to `target-spec`, or `any`
/// (every platform: a `cfg()` dependency always counts). Empty means the host this binary was
/// built for, as guppy's determinator does (`PlatformSpec::build_target`).
#[derive(Debug, Clone)]
pub struct Platforms {
    /// As configured (the host's triple when none is).
    pub names: Vec<String>,
    specs: Vec<PlatformSpec>,
    /// The same platforms for `target-spec`'s `cfg()` evaluation; `None` for `any`.
    each: Vec<Option<Platform>>,
}

/// Where a `cfg()` holds: on the platforms of `certain` it does; on those of `possible` it may
/// (it needs target features target-spec does not know). `certain` is within `possible`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CfgMask {
    pub possible: PlatformMask,
    pub certain: PlatformMask,
}

impl Platforms {
    /// At most this many: a [`crate::graph::BuildMask`] has 3 bits per platform.
    pub const MAX: usize = 10;

    /// Parse the configured list; an unknown triple is a [`UserError`].
    pub fn new(configured: &[crate::config::PlatformName]) -> anyhow::Result<Platforms> {
        let mut names = Vec::new();
        let mut specs = Vec::new();
        let mut each = Vec::new();
        if configured.is_empty() {
            let host = Platform::build_target().map_err(|e| {
                UserError::new(
                    format!("the host platform is unknown to target-spec: {e}"),
                    "set `platforms = [\"<target triple>\"]` in \
                     [workspace.metadata.ccworkspace.affected] of the root Cargo.toml",
                )
            })?;
            names.push(host.triple_str().to_string());
            each.push(Some(host.clone()));
            specs.push(PlatformSpec::from(host));
        }
        for crate::config::PlatformName(name) in configured {
            if name == "any" {
                specs.push(PlatformSpec::Any);
                each.push(None);
            } else {
                let platform =
                    Platform::new(name.clone(), TargetFeatures::Unknown).map_err(|e| {
                        UserError::new(
                            format!(
                                "`platforms` in [workspace.metadata.ccworkspace.affected] names \
                             `{name}`, which is not a target triple target-spec knows: {e}"
                            ),
                            "use a triple that `rustc --print target-list` prints, or \"any\"",
                        )
                    })?;
                each.push(Some(platform.clone()));
                specs.push(PlatformSpec::from(platform));
            }
            names.push(name.clone());
        }
        if names.len() > Platforms::MAX {
            return Err(UserError::new(
                format!(
                    "`platforms` in [workspace.metadata.ccworkspace.affected] names {} \
                     platforms; at most {} are supported",
                    names.len(),
                    Platforms::MAX
                ),
                "list the platforms CI builds for",
            )
            .into());
        }
        Ok(Platforms { names, specs, each })
    }

    /// Every configured platform.
    pub fn every(&self) -> CfgMask {
        let all = self.mask(|_| true);
        CfgMask {
            possible: all,
            certain: all,
        }
    }

    /// Where a `[target.'...']` key (a `cfg()` expression or a triple) holds, evaluated with
    /// target-spec as guppy evaluates it; `None` when target-spec cannot parse it.
    pub fn mask_cfg(&self, key: &str) -> Option<CfgMask> {
        let spec = target_spec::TargetSpec::new(key.to_string()).ok()?;
        let mut mask = CfgMask {
            possible: 0,
            certain: 0,
        };
        for (p, platform) in self.each.iter().enumerate() {
            let holds = match platform {
                None => Some(true),
                Some(platform) => spec.eval(platform),
            };
            if holds != Some(false) {
                mask.possible |= 1 << p;
            }
            if holds == Some(true) {
                mask.certain |= 1 << p;
            }
        }
        Some(mask)
    }

    /// The [`PlatformMask`] of the platforms for which `on` holds.
    fn mask(&self, on: impl Fn(&PlatformSpec) -> bool) -> PlatformMask {
        self.specs
            .iter()
            .enumerate()
            .filter(|(_, spec)| on(spec))
            .map(|(p, _)| 1 << p)
            .fold(0, |a, b| a | b)
    }

    /// The platforms configured in the root manifest at `manifest`, or the host when that
    /// cannot be read (the command reports a broken configuration itself, with its line).
    pub fn configured(manifest: &Path) -> Platforms {
        crate::config::Config::load(manifest)
            .ok()
            .and_then(|c| Platforms::new(&c.affected.platforms).ok())
            .unwrap_or_else(Platforms::host)
    }

    /// The host alone (or `any`, if target-spec does not know it).
    pub fn host() -> Platforms {
        Platforms::new(&[]).unwrap_or_else(|_| Platforms {
            names: vec!["any".to_string()],
            specs: vec![PlatformSpec::Any],
            each: vec![None],
        })
    }
}

impl Simulator {
    /// Each member's builds as guppy's determinator simulates them (`BuildResult::new` in
    /// determinator 0.13): `CargoSet`s of the member alone with no features, its default
    /// features and all its features, with its dev-dependencies, per platform; the packages of
    /// the target and host halves together. Members are simulated on every core.
    fn simulate(&self, members: &[Node]) -> anyhow::Result<Vec<Builds>> {
        let by_node: HashMap<Node, &PackageId> =
            self.index.iter().map(|(id, n)| (*n, id)).collect();
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 8);
        let chunk = members.len().div_ceil(threads).max(1);
        let results: Vec<anyhow::Result<Vec<Builds>>> = std::thread::scope(|s| {
            let handles: Vec<_> = members
                .chunks(chunk)
                .map(|part| {
                    let by_node = &by_node;
                    s.spawn(move || {
                        part.iter()
                            .map(|n| {
                                let id = by_node.get(n).ok_or_else(|| {
                                    anyhow::anyhow!("no package for node {n} in the graph")
                                })?;
                                self.simulate_one(*n, self.graph.metadata(id)?)
                            })
                            .collect()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(anyhow::anyhow!("a build simulation thread panicked"))
                    })
                })
                .collect()
        });
        let mut out = Vec::with_capacity(members.len());
        for r in results {
            out.extend(r?);
        }
        Ok(out)
    }

    fn simulate_one(&self, node: Node, pkg: PackageMetadata) -> anyhow::Result<Builds> {
        use guppy::graph::DependencyDirection;
        use guppy::graph::cargo::{CargoOptions, CargoSet};
        use guppy::graph::feature::StandardFeatures;

        let features_only = self.graph.feature_graph().resolve_none();
        let initials: Vec<_> = [
            StandardFeatures::None,
            StandardFeatures::Default,
            StandardFeatures::All,
        ]
        .iter()
        .map(|f| pkg.to_package_set().to_feature_set(*f))
        .collect();
        let mut contains: HashMap<Node, BuildMask> = HashMap::new();
        for (p, spec) in self.specs.iter().enumerate() {
            let mut options = CargoOptions::new();
            options.set_include_dev(true).set_platform(spec.clone());
            for b in 0..initials.len() {
                // A member without features builds the same three times: simulate it once.
                if (0..b).any(|e| initials[e] == initials[b]) {
                    continue;
                }
                let bits: BuildMask = (b..initials.len())
                    .filter(|&e| initials[e] == initials[b])
                    .map(|e| 1 << (3 * p + e))
                    .fold(0, |a, bit| a | bit);
                let set = CargoSet::new(initials[b].clone(), features_only.clone(), &options)
                    .context("guppy could not simulate a build")?;
                for half in [set.target_features(), set.host_features()] {
                    for id in half
                        .to_package_set()
                        .package_ids(DependencyDirection::Forward)
                    {
                        if let Some(n) = self.index.get(id) {
                            *contains.entry(*n).or_default() |= bits;
                        }
                    }
                }
            }
        }
        let mut contains: Vec<(Node, BuildMask)> = contains.into_iter().collect();
        contains.sort_unstable();
        Ok(Builds {
            member: node,
            contains,
        })
    }
}

/// `model::kind::classify` a package of a guppy graph.
pub fn detect_kind(pkg: &PackageMetadata<'_>) -> anyhow::Result<CrateKind> {
    let kind_override = pkg
        .metadata_table()
        .get("ccworkspace")
        .and_then(|c| c.get("kind"))
        .and_then(|k| k.as_str());
    let dir = pkg.manifest_path().parent().unwrap_or(Utf8Path::new("."));
    let facts = KindFacts {
        maturin_pyproject: std::fs::read_to_string(dir.join("pyproject.toml"))
            .map(|text| is_maturin_pyproject(&text))
            .unwrap_or(false),
        cdylib: pkg.build_targets().any(|t| {
            t.id() == BuildTargetId::Library
                && matches!(t.kind(), BuildTargetKind::LibraryOrExample(types) if types.iter().any(|c| c == "cdylib"))
        }),
        uses_pyo3: pkg.direct_links().any(|l| l.to().name() == "pyo3"),
        main_bin: main_bin(pkg, dir),
    };
    classify(kind_override, facts).map_err(|message| {
        UserError::new(
            format!("{}: {message}", pkg.manifest_path()),
            "fix the kind in that manifest",
        )
        .into()
    })
}

/// `model::kind::has_main_bin` from cargo's own targets: the same rule `dockerfile` applies
/// to the manifests, so both commands give a crate the same kind.
fn main_bin(pkg: &PackageMetadata<'_>, dir: &Utf8Path) -> bool {
    use crate::model::kind::{BinTarget, has_main_bin};
    let bins: Vec<BinTarget> = pkg
        .build_targets()
        .filter_map(|t| match t.id() {
            BuildTargetId::Binary(name) => Some(BinTarget {
                name: name.to_string(),
                path: t
                    .path()
                    .strip_prefix(dir)
                    .map(|p| p.as_str().replace('\\', "/"))
                    .unwrap_or_default(),
                required_features: !t.required_features().is_empty(),
            }),
            _ => None,
        })
        .collect();
    let has_lib = pkg
        .build_targets()
        .any(|t| t.id() == BuildTargetId::Library);
    let names_bin = pkg.default_run().is_some()
        || pkg
            .metadata_table()
            .get("ccworkspace")
            .and_then(|c| c.get("bin"))
            .is_some();
    has_main_bin(pkg.name(), has_lib, names_bin, &bins)
}

fn target_dirs(pkg: &PackageMetadata<'_>) -> Vec<String> {
    let Some(dir) = pkg.manifest_path().parent() else {
        return Vec::new();
    };
    let mut dirs: Vec<String> = pkg
        .build_targets()
        .filter_map(|t| {
            let rel = t.path().strip_prefix(dir).ok()?;
            let first = rel.components().next()?.as_str().to_string();
            // A target file right in the package directory (`build.rs`) names itself.
            Some(first)
        })
        .collect();
    dirs.sort();
    dirs.dedup();
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_follows_the_documented_order() {
        let pyo3 = KindFacts {
            cdylib: true,
            uses_pyo3: true,
            main_bin: true,
            ..KindFacts::default()
        };
        assert_eq!(classify(None, pyo3), Ok(CrateKind::Pyo3));
        let maturin = KindFacts {
            maturin_pyproject: true,
            ..KindFacts::default()
        };
        assert_eq!(classify(None, maturin), Ok(CrateKind::Pyo3));
        // A cdylib without pyo3 is not a PyO3 crate.
        let cdylib = KindFacts {
            cdylib: true,
            main_bin: true,
            ..KindFacts::default()
        };
        assert_eq!(classify(None, cdylib), Ok(CrateKind::Bin));
        assert_eq!(classify(None, KindFacts::default()), Ok(CrateKind::Lib));
        assert_eq!(classify(Some("lib"), pyo3), Ok(CrateKind::Lib));
        assert!(
            classify(Some("wheel"), pyo3)
                .unwrap_err()
                .contains("\"wheel\" is not a kind")
        );
    }
}
