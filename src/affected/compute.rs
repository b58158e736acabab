//! Map changed files to crates and propagate to dependents, keeping the reason for each crate.
//!
//! Semantics (guppy `determinator`'s, see `docs/affected.md`):
//! - a changed file belongs to the deepest package whose directory holds it, in the head
//!   graph, else in the base revision (a deleted or moved crate's old files);
//! - a changed package reaches every package that depends on it through normal and build
//!   edges, transitively; a dev-dependency edge reaches the crate that declares it but stops
//!   there (a dev-dependency is not part of that crate's dependents' builds);
//! - the root `Cargo.toml` and `Cargo.lock` are compared with the base revision entry by entry.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use serde::Serialize;

use super::changed::ChangedFile;
use super::rules::{RootFile, Rules};
use super::{lockdiff, rootdiff, uvlock};
use crate::config::{AffectedConfig, FeaturesMode, MarkChanged, Unmatched};
use crate::errors::UserError;
use crate::graph::{Builds, DepGraph, Link, Node, PlatformMask, every_build_on};
use crate::model::package_files::PackageFiles;
use crate::python::{Declared, PackageKind, PythonWorkspace};
use crate::workspace::Workspace;

/// What `compute` needs to read from the base and head revisions. Implemented over git by the
/// command, and over fixed data in tests. Every method is called only when needed.
pub trait Revisions {
    /// Whether there is a base revision to compare with (`false` with `--files`).
    fn has_base(&self) -> bool;
    /// A file at the base revision, relative to the workspace root; `None` if absent.
    fn base_file(&self, path: &str) -> anyhow::Result<Option<String>>;
    /// The base revision's member directories.
    fn base_member_dirs(&self) -> anyhow::Result<Vec<String>>;
    /// The package name of the base revision's member at `dir`.
    fn base_member_name(&self, dir: &str) -> anyhow::Result<Option<String>>;
    /// A file at the head, relative to the workspace root; `None` if absent.
    fn head_file(&self, path: &str) -> anyhow::Result<Option<String>>;
    /// Whether the head has anything at `path` (relative to the workspace root): a file of
    /// any content (binary too), a folder, or a link (even to nothing). Nothing is read: a
    /// changed path can be an image, a folder that replaced a file, or a link to a folder.
    fn head_has(&self, path: &str) -> anyhow::Result<bool>;
}

/// Why a package is a starting point of the propagation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Cause {
    /// A file in the package's directory changed.
    File { path: String },
    /// A path rule maps a changed file to the package.
    Rule { path: String, rule: String },
    /// A `[workspace.dependencies]` entry the package uses changed.
    WorkspaceDependency { key: String },
    /// A `[workspace.package]` field the package inherits changed.
    WorkspacePackage { field: String },
    /// `[workspace.lints]` changed and the package inherits it.
    WorkspaceLints,
    /// The root package's own tables in the root `Cargo.toml` changed.
    RootManifest,
    /// The package's entry in `Cargo.lock` changed.
    Lockfile { change: String },
    /// A package rule marks it when another crate is affected.
    PackageRule { on: String },
    /// A resolved package the Python package reaches changed in `uv.lock`.
    UvLock { change: String },
    /// Something every Python package reads changed (a table of the root `pyproject.toml`, the
    /// `packages` globs): the sentence says what.
    PythonRoot { what: String },
    /// Everything is affected.
    All { why: String },
}

impl Cause {
    /// One line for humans.
    pub fn describe(&self) -> String {
        match self {
            Cause::File { path } => format!("{path} changed"),
            Cause::Rule { path, rule } => format!("{path} changed ({rule})"),
            Cause::WorkspaceDependency { key } => {
                format!("[workspace.dependencies] entry `{key}` changed")
            }
            Cause::WorkspacePackage { field } => {
                format!("inherited [workspace.package] field `{field}` changed")
            }
            Cause::WorkspaceLints => "inherited [workspace.lints] changed".to_string(),
            Cause::RootManifest => "the root package's manifest changed".to_string(),
            Cause::Lockfile { change } => format!("Cargo.lock: {change}"),
            Cause::PackageRule { on } => format!("a package rule marks it when `{on}` is affected"),
            Cause::UvLock { change } => format!("uv.lock: {change}"),
            Cause::PythonRoot { what } => what.clone(),
            Cause::All { why } => why.clone(),
        }
    }
}

/// The kind of dependency edge a reason travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Edge {
    Normal,
    Build,
    Dev,
    /// A Python package requires a PyO3 crate's distribution (`[project] dependencies` or an
    /// extra): it installs the crate's wheel.
    Wheel,
    /// A `[project] dependencies` requirement on a workspace Python package (or a PyO3 crate's
    /// `pyproject.toml` requiring one).
    Python,
    /// A `[project.optional-dependencies]` requirement: installed with the extra; propagates.
    PythonExtra,
    /// A `[dependency-groups]` requirement (PEP 735): reaches the package that declares the
    /// group (its tests), not its dependents.
    PythonGroup,
}

/// One step of a reason chain: a package, and the edge by which the previous one reached it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    #[serde(rename = "crate")]
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<Edge>,
    /// Not a workspace member (a third-party or out-of-workspace path package).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub external: bool,
    /// `python` for a Python package (its distribution name is `crate`); absent for a crate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
}

/// Why one crate is affected: the cause, and the chain from the changed package to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub cause: Cause,
    pub chain: Vec<Step>,
    /// With `features-mode = "builds"`, the crate's own builds that contain the changed package,
    /// on the first platform that has one: `"build with default features,
    /// x86_64-unknown-linux-gnu"`, `"builds with no, default and all features, ..."`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build: Option<String>,
}

/// What happened to one changed file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileEffect {
    #[serde(flatten)]
    pub file: ChangedFile,
    /// `crate`, `rule`, `all`, `ignored`, `analysed`, `deleted-crate`, `outside-workspace`, `unmatched`.
    pub effect: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub crates: Vec<String>,
    /// The Python packages (distribution names) the file marks (effect `python`, or
    /// `analysed` for `uv.lock` and the root `pyproject.toml`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub python: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A crate of the base revision that no longer exists.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Deleted {
    pub name: String,
    pub path: String,
}

/// The answer.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub files: Vec<FileEffect>,
    /// Everything is affected, and why.
    pub all: Option<String>,
    /// Affected members by name, each with the reason that reached it first (shortest chain).
    pub affected: BTreeMap<String, Reason>,
    /// Members that changed themselves (not only through a dependency).
    pub direct: BTreeSet<String>,
    /// Packages that are not members and changed themselves (`name version`: a registry crate
    /// whose `Cargo.lock` entry changed, a path dependency's file).
    pub changed_packages: BTreeSet<String>,
    pub deleted: Vec<Deleted>,
    pub notes: Vec<String>,
    /// Affected Python packages by distribution name, each with its folder and the reason that
    /// reached it first (`docs/python.md`).
    pub python: BTreeMap<String, PythonAffected>,
    /// Python packages whose own files changed (or that uv.lock / the root pyproject.toml
    /// marks).
    pub python_direct: BTreeSet<String>,
    /// Every Python package of the head (distribution -> folder), affected or not.
    pub python_packages: BTreeMap<String, String>,
    /// Whether the Python packages are a uv workspace's members (else each is its own uv
    /// project), for the default test command.
    pub python_uv_workspace: bool,
}

/// One affected Python package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonAffected {
    /// Its folder, relative to the workspace root (empty for the root package).
    pub path: String,
    pub reason: Reason,
}

impl Outcome {
    /// Every member is affected (and counts as changed itself), for this reason.
    pub fn mark_all(&mut self, ws: &Workspace, why: String) {
        for m in &ws.members {
            self.direct.insert(m.name.clone());
            self.affected.insert(
                m.name.clone(),
                Reason {
                    cause: Cause::All { why: why.clone() },
                    chain: vec![Step {
                        name: m.name.clone(),
                        via: None,
                        external: false,
                        kind: None,
                    }],
                    build: None,
                },
            );
        }
        self.all = Some(why);
    }

    /// Record the Python packages of `py` (distribution -> folder), which the report lists.
    pub fn set_python_packages(&mut self, py: &PythonWorkspace) {
        self.python_uv_workspace = py.uv_workspace;
        self.python_packages = py
            .python_packages()
            .map(|(_, p)| (p.distribution.clone(), p.dir.clone()))
            .collect();
    }

    /// Every Python package of `py` is affected (and counts as changed itself), for this
    /// reason.
    pub fn mark_all_python(&mut self, py: &PythonWorkspace, why: &str) {
        for (_, p) in py.python_packages() {
            self.python_direct.insert(p.distribution.clone());
            self.python.insert(
                p.distribution.clone(),
                PythonAffected {
                    path: p.dir.clone(),
                    reason: Reason {
                        cause: Cause::All {
                            why: why.to_string(),
                        },
                        chain: vec![py_step(py, py.by_distribution[&p.distribution], None)],
                        build: None,
                    },
                },
            );
        }
    }
}

/// The step naming package `i` of `py`: a PyO3 crate by its crate name, a Python package by
/// its distribution.
fn py_step(py: &PythonWorkspace, i: usize, via: Option<Edge>) -> Step {
    let p = &py.packages[i];
    match &p.kind {
        PackageKind::Pyo3 { krate } => Step {
            name: krate.clone(),
            via,
            external: false,
            kind: None,
        },
        PackageKind::Python => Step {
            name: p.distribution.clone(),
            via,
            external: false,
            kind: Some("python"),
        },
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Reach {
    /// Affected, but it does not propagate: reached through a dev-dependency edge, or through
    /// a member's simulated build (which already holds everything the build reaches).
    Stops,
    /// Changed, or reached through normal/build edges: propagates.
    Full,
}

struct Seed {
    id: Node,
    cause: Cause,
    reach: Reach,
}

/// Owner lookup over head packages with a local directory, deepest first.
struct Owners<'a> {
    /// (directory relative to the workspace root, package, is member)
    dirs: Vec<(&'a str, Node, bool)>,
    /// (directory, package), sorted by directory: the packages inside a path are one run.
    sorted: Vec<(&'a str, Node)>,
    ws: &'a Workspace,
    /// The root package's files by its `include` / `exclude`; `None` when there is no root
    /// package, or its manifest could not be read (then every file is its, as determinator
    /// answers).
    root_files: Option<PackageFiles>,
}

impl<'a> Owners<'a> {
    /// `rev` gives the head's root `Cargo.toml`, read only when the root is a package.
    fn new(ws: &'a Workspace, rev: &dyn Revisions) -> anyhow::Result<Self> {
        // Members, and path packages outside the member list (an excluded or nested path
        // dependency) that live under the workspace root.
        let mut dirs: Vec<(&str, Node, bool)> = ws
            .graph
            .packages
            .iter()
            .enumerate()
            .filter_map(|(node, p)| Some((p.dir.as_deref()?, node, p.member)))
            .collect();
        // Deepest first.
        dirs.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(b.0)));
        let root_files = if dirs.iter().any(|(d, _, m)| d.is_empty() && *m) {
            rev.head_file("Cargo.toml")?
                .as_deref()
                .and_then(PackageFiles::from_manifest)
        } else {
            None
        };
        let mut sorted: Vec<(&str, Node)> = dirs.iter().map(|(d, n, _)| (*d, *n)).collect();
        sorted.sort_unstable();
        Ok(Owners {
            dirs,
            sorted,
            ws,
            root_files,
        })
    }

    /// The package owning `path`: the deepest package whose directory holds it. A root
    /// package owns what `cargo package` would pack of the files no other package holds (its
    /// `include` / `exclude`, never the top-level `target/`), and always its targets'
    /// directories, `build.rs` and `pyproject.toml`: those are build inputs even when the
    /// package leaves them out of its `.crate`.
    fn owner(&self, path: &str) -> Option<Node> {
        for (dir, node, is_member) in &self.dirs {
            if dir.is_empty() {
                let Some(member) = self.ws.member_by_node(*node) else {
                    continue;
                };
                let first = path.split('/').next().unwrap_or(path);
                let target = member.target_dirs.iter().any(|d| d == first)
                    || matches!(path, "build.rs" | "pyproject.toml");
                let packed =
                    first != "target" && self.root_files.as_ref().is_none_or(|f| f.contains(path));
                if *is_member && (target || packed) {
                    return Some(*node);
                }
                continue;
            }
            if path.starts_with(dir) && path.as_bytes().get(dir.len()) == Some(&b'/') {
                return Some(*node);
            }
        }
        None
    }

    /// The packages whose directory is `path` or lies inside it: a changed path that holds
    /// packages is a directory, which git reports only for a submodule (its gitlink).
    fn inside(&self, path: &str) -> Vec<Node> {
        // The directories starting with `path` are one run of the sorted list.
        let from = self.sorted.partition_point(|(dir, _)| *dir < path);
        let mut found: Vec<Node> = self.sorted[from..]
            .iter()
            .take_while(|(dir, _)| dir.starts_with(path))
            .filter(|(dir, _)| is_within(dir, path))
            .map(|(_, node)| *node)
            .collect();
        found.sort_unstable();
        found
    }

    fn has_root_package(&self) -> bool {
        self.dirs.iter().any(|(d, _, m)| d.is_empty() && *m)
    }
}

use crate::model::relpath::is_within;

/// Seed the packages that install `path`'s non-member project through a `path` source
/// (`deps`, [`PythonWorkspace::path_dependencies`]): in full, or, when only a dependency group
/// requires it, without reaching their dependents. Returns whether there was one.
fn seed_path_requirers(
    py: &PythonWorkspace,
    deps: &[crate::python::PathDependency],
    path: &str,
    names: &mut Vec<String>,
    seeds: &mut Vec<PySeed>,
) -> bool {
    let mut any = false;
    for dep in deps.iter().filter(|d| is_within(path, &d.dir)) {
        any = true;
        let name = &py.packages[dep.package].distribution;
        if !names.contains(name) {
            names.push(name.clone());
        }
        seeds.push(PySeed {
            package: dep.package,
            reach: if dep.groups_only {
                Reach::Stops
            } else {
                Reach::Full
            },
            cause: Cause::File {
                path: path.to_string(),
            },
        });
    }
    any
}

/// The deepest base member directory holding `path`.
fn base_owner<'b>(base: &'b [String], path: &str) -> Option<&'b String> {
    base.iter()
        .filter(|dir| {
            !dir.is_empty()
                && path.starts_with(dir.as_str())
                && path.as_bytes().get(dir.len()) == Some(&b'/')
        })
        .max_by_key(|dir| dir.len())
}

/// Append a sentence to a file's note.
fn add_note(note: &mut Option<String>, more: String) {
    match note {
        Some(n) => {
            n.push_str("; ");
            n.push_str(&more);
        }
        None => *note = Some(more),
    }
}

/// The base member directories that are `path` or lie inside it (a submodule's crates).
fn base_inside<'b>(base: &'b [String], path: &str) -> Vec<&'b String> {
    base.iter().filter(|dir| is_within(dir, path)).collect()
}

/// [`Revisions`] with no base revision and no files at the head: `compute` on a file list
/// alone, for callers that hold the graph in memory (tests on captured `cargo metadata`).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoBase;

impl Revisions for NoBase {
    fn has_base(&self) -> bool {
        false
    }
    fn base_file(&self, _: &str) -> anyhow::Result<Option<String>> {
        Ok(None)
    }
    fn base_member_dirs(&self) -> anyhow::Result<Vec<String>> {
        Ok(Vec::new())
    }
    fn base_member_name(&self, _: &str) -> anyhow::Result<Option<String>> {
        Ok(None)
    }
    fn head_file(&self, _: &str) -> anyhow::Result<Option<String>> {
        Ok(None)
    }
    fn head_has(&self, _: &str) -> anyhow::Result<bool> {
        Ok(false)
    }
}

/// Compute the affected crates, in a workspace without Python packages.
pub fn compute(
    ws: &Workspace,
    config: &AffectedConfig,
    files: &[ChangedFile],
    rev: &dyn Revisions,
) -> anyhow::Result<Outcome> {
    compute_with_python(ws, config, &PythonWorkspace::default(), files, rev)
}

/// A Python package to start from, and why.
struct PySeed {
    package: usize,
    cause: Cause,
    /// `Stops` for a `uv.lock` seed: every member whose closure in the lock reaches the
    /// change is a seed of its own, and a member reached only through its own dependency
    /// groups must not reach its dependents.
    reach: Reach,
}

/// Compute the affected crates and Python packages: the crates as [`compute`] does, then the
/// Python packages over the edges of `py` (`docs/python.md`): a PyO3 crate whose build
/// changed reaches the Python packages that require its distribution; `[project]`
/// dependencies and extras propagate; a dependency group reaches the package declaring it
/// only.
pub fn compute_with_python(
    ws: &Workspace,
    config: &AffectedConfig,
    py: &PythonWorkspace,
    files: &[ChangedFile],
    rev: &dyn Revisions,
) -> anyhow::Result<Outcome> {
    let has_python = !py.packages.is_empty();
    // Once per run, not per changed file.
    let path_dependencies = py.path_dependencies();
    let mut py_seeds: Vec<PySeed> = Vec::new();
    let mut py_all: Option<String> = None;
    let rules = Rules::new(config)?;
    let owners = Owners::new(ws, rev)?;
    let mut out = Outcome::default();
    let mut seeds: Vec<Seed> = Vec::new();
    let mut base_members: Option<Vec<String>> = None;
    let mut unmatched_error: Vec<String> = Vec::new();
    let mut deleted_py_dirs: HashMap<String, Option<String>> = HashMap::new();

    for file in files {
        let mut effect = FileEffect {
            file: file.clone(),
            effect: "crate",
            crates: Vec::new(),
            python: Vec::new(),
            note: None,
        };
        for path in file.paths() {
            let c = rules.classify(path);
            if let Some(why) = c.all {
                effect.effect = "all";
                effect.note = Some(why.clone());
                out.all.get_or_insert(why);
                continue;
            }
            if let Some(why) = c.ignored {
                if effect.crates.is_empty() && effect.effect == "crate" {
                    effect.effect = "ignored";
                    effect.note = Some(why);
                }
                continue;
            }
            for (name, rule) in &c.marks {
                for id in expand_mark(ws, name, rule)? {
                    if let Some(m) = ws.member_by_node(id) {
                        effect.crates.push(m.name.clone());
                    }
                    effect.effect = "rule";
                    seeds.push(Seed {
                        id,
                        cause: Cause::Rule {
                            path: path.to_string(),
                            rule: rule.clone(),
                        },
                        reach: Reach::Full,
                    });
                }
            }
            if let Some(root_file) = c.analyse {
                effect.effect = "analysed";
                let (note, all) = analyse_root_file(ws, root_file, rev, &mut seeds, &mut py_all)?;
                effect.note = Some(note);
                if let Some(why) = all {
                    effect.effect = "all";
                    out.all.get_or_insert(why);
                }
                continue;
            }
            if !c.map_to_crate {
                continue;
            }
            // The package holding the path, and the packages inside it when it is a directory
            // (a submodule's gitlink): `vendor/sub` changed means every crate in it did.
            let mut owner = owners.owner(path);
            // A Python package's folder inside the root package's is deeper: its files are the
            // Python package's (every other crate's folder stays the crate's).
            if has_python
                && owner.is_some_and(|n| ws.graph.package(n).dir.as_deref() == Some(""))
                && py
                    .owner(path)
                    .is_some_and(|i| !py.packages[i].dir.is_empty())
            {
                owner = None;
            }
            let inside = owners.inside(path);
            for &id in owner.iter().chain(&inside) {
                let name = ws.graph.package(id).name.clone();
                if !effect.crates.contains(&name) {
                    effect.crates.push(name);
                }
                if effect.effect != "rule" {
                    effect.effect = "crate";
                }
                seeds.push(Seed {
                    id,
                    cause: Cause::File {
                        path: path.to_string(),
                    },
                    reach: Reach::Full,
                });
            }
            if !inside.is_empty() {
                add_note(
                    &mut effect.note,
                    if file.submodule {
                        format!("{path} is a git submodule: the packages inside it changed")
                    } else {
                        format!(
                            "{path} holds packages (a directory, or a git submodule): the packages inside it changed"
                        )
                    },
                );
            } else if file.submodule && owner.is_some() {
                add_note(
                    &mut effect.note,
                    format!("{path} is a git submodule with no package inside"),
                );
            }
            // Not in a head package, or a directory: try the base revision (crates moved,
            // deleted, or gone with a submodule).
            let mut in_base = false;
            if rev.has_base() && (owner.is_none() || !inside.is_empty() || file.submodule) {
                if base_members.is_none() {
                    base_members = Some(rev.base_member_dirs()?);
                }
                let base = base_members.as_deref().unwrap_or(&[]);
                let mut dirs = base_inside(base, path);
                if owner.is_none() {
                    dirs.extend(base_owner(base, path));
                }
                for dir in dirs {
                    in_base = true;
                    let name = rev.base_member_name(dir)?.unwrap_or_else(|| dir.clone());
                    if let Some(m) = ws.member(&name) {
                        if effect.crates.contains(&m.name) && m.path == *dir {
                            continue;
                        }
                        effect.crates.push(m.name.clone());
                        add_note(
                            &mut effect.note,
                            format!("the crate `{name}` was at {dir} in the base revision"),
                        );
                        seeds.push(Seed {
                            id: m.node,
                            cause: Cause::File {
                                path: path.to_string(),
                            },
                            reach: Reach::Full,
                        });
                    } else {
                        // A gitlink whose other crates remain stays a `crate` effect.
                        if inside.is_empty() || effect.crates.is_empty() {
                            effect.effect = "deleted-crate";
                        }
                        add_note(
                            &mut effect.note,
                            format!("the crate `{name}` at {dir} was deleted"),
                        );
                        let d = Deleted {
                            name,
                            path: dir.clone(),
                        };
                        if !out.deleted.contains(&d) {
                            out.deleted.push(d);
                        }
                    }
                }
            }
            // A Python package nested in a crate's folder (a uv member at
            // `CA/rust/core/bindings`), or in the crate's very folder (a `pyproject.toml` of
            // its own beside a crate that is no PyO3 crate; `owner` never returns a PyO3
            // crate's Python side, which is reached through the crate): the file is the
            // crate's, as cargo packages it, and the Python package's too, which uv installs
            // from that folder.
            if has_python
                && let Some(crate_dir) = owner.and_then(|n| ws.graph.package(n).dir.clone())
                && let Some(i) = py.owner(path)
                && py.packages[i].dir.len() >= crate_dir.len()
            {
                effect.python.push(py.packages[i].distribution.clone());
                py_seeds.push(PySeed {
                    package: i,
                    reach: Reach::Full,
                    cause: Cause::File {
                        path: path.to_string(),
                    },
                });
            }
            // A file of a non-member project a package installs through a `path` source: the
            // requirer's, wherever the folder is (in a crate's, another package's, or none).
            let path_dependency = has_python
                && seed_path_requirers(
                    py,
                    &path_dependencies,
                    path,
                    &mut effect.python,
                    &mut py_seeds,
                );
            if owner.is_some() || !inside.is_empty() || in_base {
                continue;
            }
            // Outside every crate: the Python half (its root files, then its packages), also
            // when a rule that still maps the path (`skip-rules`, `fallthrough`) marked crates.
            if has_python && matches!(path, "uv.lock" | "pyproject.toml") {
                let analysed = if path == "uv.lock" {
                    analyse_uv_lock(py, rev)?
                } else {
                    analyse_root_pyproject(py, rev)?
                };
                if let Some(analysed) = analysed {
                    effect.effect = "analysed";
                    effect.note = Some(analysed.note);
                    if let Some(why) = analysed.all {
                        py_all.get_or_insert(why);
                    }
                    for seed in analysed.seeds {
                        effect
                            .python
                            .push(py.packages[seed.package].distribution.clone());
                        py_seeds.push(seed);
                    }
                    continue;
                }
            }
            if let Some(i) = py.owner(path) {
                if effect.effect != "rule" {
                    effect.effect = "python";
                }
                effect.python.push(py.packages[i].distribution.clone());
                py_seeds.push(PySeed {
                    package: i,
                    reach: Reach::Full,
                    cause: Cause::File {
                        path: path.to_string(),
                    },
                });
                continue;
            }
            if path_dependency {
                if effect.effect != "rule" {
                    effect.effect = "python";
                }
                continue;
            }
            // A file of a Python package the head no longer has (deleted, or moved away): it
            // maps to nothing, as a deleted package's dependents count through their edited
            // requirements (`docs/python.md`).
            if has_python
                && effect.crates.is_empty()
                && let Some((dir, name)) =
                    deleted_python_package(py, rev, path, &mut deleted_py_dirs)?
            {
                if effect.effect == "crate" {
                    effect.effect = "python";
                }
                add_note(
                    &mut effect.note,
                    format!("the Python package `{name}` at {dir} was deleted"),
                );
                continue;
            }
            if !effect.crates.is_empty() {
                continue;
            }
            if rules.ignored_outside_crates(path) {
                if effect.effect == "crate" {
                    effect.effect = "ignored";
                    effect.note = Some(
                        "project metadata outside every crate; a built-in rule ignores it"
                            .to_string(),
                    );
                }
                continue;
            }
            let root_note = if file.submodule {
                " (a git submodule with no package inside)"
            } else if owners.has_root_package() {
                " (the root package's `include` / `exclude` leave it out)"
            } else {
                ""
            };
            match config.unmatched {
                Unmatched::All => {
                    let why = format!(
                        "{path} is outside every crate{root_note}, and `unmatched = \"all\"`"
                    );
                    effect.effect = "all";
                    effect.note = Some(why.clone());
                    out.all.get_or_insert(why);
                }
                Unmatched::Ignore => {
                    effect.effect = "unmatched";
                    effect.note = Some(format!(
                        "outside every crate{root_note}; ignored (`unmatched = \"ignore\"`)"
                    ));
                }
                Unmatched::Error => unmatched_error.push(path.to_string()),
            }
        }
        effect.crates.sort();
        effect.crates.dedup();
        effect.python.sort();
        effect.python.dedup();
        out.files.push(effect);
    }
    if !unmatched_error.is_empty() {
        return Err(UserError::new(
            format!(
                "changed files outside every crate and every rule (`unmatched = \"error\"`):\n  {}",
                unmatched_error.join("\n  ")
            ),
            "add a path rule, a `global` or an `ignore` glob for them in \
             [workspace.metadata.ccworkspace.affected] of the root Cargo.toml",
        )
        .into());
    }
    out.deleted.sort();
    out.set_python_packages(py);

    if let Some(why) = out.all.clone() {
        out.mark_all(ws, why.clone());
        out.mark_all_python(py, &why);
        return Ok(out);
    }
    let (state, seed_nodes) = propagate(ws, config, seeds, &mut out)?;
    if let Some(why) = out.all.clone() {
        // A package rule marked everything.
        out.mark_all_python(py, &why);
        return Ok(out);
    }
    if has_python {
        if let Some(why) = py_all {
            for (i, _) in py.python_packages() {
                py_seeds.push(PySeed {
                    package: i,
                    reach: Reach::Full,
                    cause: Cause::PythonRoot { what: why.clone() },
                });
            }
        }
        propagate_python(ws, py, &state, &seed_nodes, py_seeds, &mut out);
    }
    Ok(out)
}

/// What the analysis of `uv.lock` or the root `pyproject.toml` found.
struct PyAnalysis {
    note: String,
    /// Every Python package is affected, because (`PythonRoot { what }`).
    all: Option<String>,
    seeds: Vec<PySeed>,
}

/// The folder and `[project] name` of the base revision's Python package that held `path`,
/// when the head has neither the file nor that package (`dir/pyproject.toml` is gone): the
/// deepest folder above `path` whose base `pyproject.toml` has a `[project] name`. `cache`
/// holds the answer per folder.
fn deleted_python_package(
    py: &PythonWorkspace,
    rev: &dyn Revisions,
    path: &str,
    cache: &mut HashMap<String, Option<String>>,
) -> anyhow::Result<Option<(String, String)>> {
    if !rev.has_base() || rev.head_has(path)? {
        return Ok(None);
    }
    let mut dir = path;
    while let Some((parent, _)) = dir.rsplit_once('/') {
        dir = parent;
        if py.packages.iter().any(|p| p.dir == dir) {
            return Ok(None);
        }
        let name = match cache.get(dir) {
            Some(n) => n.clone(),
            None => {
                let manifest = format!("{dir}/pyproject.toml");
                let name = if rev.head_has(&manifest)? {
                    None
                } else {
                    rev.base_file(&manifest)?.and_then(|text| {
                        let t: toml::Table = toml::from_str(&text).ok()?;
                        Some(t.get("project")?.get("name")?.as_str()?.to_string())
                    })
                };
                cache.insert(dir.to_string(), name.clone());
                name
            }
        };
        if let Some(name) = name {
            return Ok(Some((dir.to_string(), name)));
        }
    }
    Ok(None)
}

/// `uv.lock` changed: the workspace packages whose dependency closure in the lockfile reaches a
/// changed entry (at the head, and at the base for removed ones). `None` when the workspace
/// has no Python package of its own (the file is then outside everything, as before).
fn analyse_uv_lock(
    py: &PythonWorkspace,
    rev: &dyn Revisions,
) -> anyhow::Result<Option<PyAnalysis>> {
    if py.python_packages().next().is_none() && !py.uv_workspace {
        return Ok(None);
    }
    let every = |why: String| PyAnalysis {
        note: why.clone(),
        all: Some(why),
        seeds: Vec::new(),
    };
    if !rev.has_base() {
        return Ok(Some(every(
            "uv.lock changed and there is no base revision to compare it with (--files), so every Python package is affected".to_string(),
        )));
    }
    let (base, head) = (
        rev.base_file("uv.lock")?.unwrap_or_default(),
        rev.head_file("uv.lock")?.unwrap_or_default(),
    );
    let (base, head) = match (uvlock::parse(&base), uvlock::parse(&head)) {
        (Ok(b), Ok(h)) => (b, h),
        (Err(e), _) | (_, Err(e)) => {
            return Ok(Some(every(format!(
                "cannot compare uv.lock ({e}), so every Python package is affected"
            ))));
        }
    };
    let mut changed = uvlock::changed(&base, &head);
    // Workspace packages count through their own files, unless uv now takes one from another
    // folder (two projects of one name, an `exclude` moved between them): no file of either
    // needs to change, and it is changed itself, as its requirers resolve it from there now.
    let moved: Vec<(usize, String)> = uvlock::moved_sources(&base, &head)
        .into_iter()
        .filter_map(|(name, (from, to))| {
            let &package = py.by_distribution.get(&name)?;
            Some((
                package,
                format!("{name} is now locked from {to} (was {from})"),
            ))
        })
        .collect();
    changed.retain(|name, _| !py.by_distribution.contains_key(name));
    let members: BTreeSet<String> = py.by_distribution.keys().cloned().collect();
    let entries = uvlock::changed_entries(&base, &head);
    let mut reached = uvlock::reaching(&head, &members, &changed, &entries);
    for (m, n) in uvlock::reaching(&base, &members, &changed, &entries) {
        reached.entry(m).or_insert(n);
    }
    let mut seeds: Vec<PySeed> = reached
        .iter()
        .map(|(member, name)| PySeed {
            package: py.by_distribution[member],
            reach: Reach::Stops,
            cause: Cause::UvLock {
                change: changed[name].clone(),
            },
        })
        .collect();
    for (package, change) in &moved {
        seeds.push(PySeed {
            package: *package,
            reach: Reach::Full,
            cause: Cause::UvLock {
                change: change.clone(),
            },
        });
    }
    // A package that joined the workspace (its folder matched by a `members` glob, or no
    // longer excluded) may have no file of its own in the diff: uv's list of members says so,
    // and it is changed itself (its requirers resolve it from the monorepo now).
    let mut joined = Vec::new();
    if let (Some(before), Some(after)) = (&base.members, &head.members) {
        for name in after.difference(before) {
            joined.push(name.as_str());
            if let Some(&package) = py.by_distribution.get(name) {
                seeds.push(PySeed {
                    package,
                    reach: Reach::Full,
                    cause: Cause::UvLock {
                        change: format!("{name} joined the workspace's members"),
                    },
                });
            }
        }
    }
    let mut note = if changed.is_empty() {
        "no resolved package outside the workspace changed".to_string()
    } else {
        format!(
            "changed packages: {}",
            changed.values().cloned().collect::<Vec<_>>().join(", ")
        )
    };
    if !joined.is_empty() {
        note.push_str(&format!("; joined the workspace: {}", joined.join(", ")));
    }
    for (_, change) in &moved {
        note.push_str(&format!("; {change}"));
    }
    Ok(Some(PyAnalysis {
        note,
        all: None,
        seeds,
    }))
}

/// The root `pyproject.toml` of a uv workspace changed (a root without `[tool.uv.workspace]`
/// or a `[project]` is outside everything, as before): `[project]`, `[dependency-groups]` or
/// `[build-system]` mark the root package; `[tool.uv.workspace]` only changes which packages
/// there are (read at the head: new members count through their files); any other table
/// (`[tool.uv]` settings, `[tool.pytest]`, ...) is read by every package, which are all marked.
fn analyse_root_pyproject(
    py: &PythonWorkspace,
    rev: &dyn Revisions,
) -> anyhow::Result<Option<PyAnalysis>> {
    let root = py
        .by_distribution
        .values()
        .copied()
        .find(|&i| py.packages[i].dir.is_empty() && py.packages[i].kind == PackageKind::Python);
    if !py.uv_workspace && root.is_none() {
        return Ok(None);
    }
    let every = |why: String| PyAnalysis {
        note: format!("{why}: every Python package is affected"),
        all: Some(why),
        seeds: Vec::new(),
    };
    if !rev.has_base() {
        return Ok(Some(every(
            "pyproject.toml changed and there is no base revision to compare it with (--files)"
                .to_string(),
        )));
    }
    let parse = |text: Option<String>| -> Option<toml::Table> {
        text.and_then(|t| toml::from_str::<toml::Table>(&t).ok())
    };
    let (Some(base), Some(head)) = (
        parse(rev.base_file("pyproject.toml")?),
        parse(rev.head_file("pyproject.toml")?),
    ) else {
        return Ok(Some(every(
            "pyproject.toml was added, removed or cannot be read at one revision".to_string(),
        )));
    };
    use super::rootdiff::changed_keys;
    let mut own = Vec::new();
    let mut shared = Vec::new();
    let mut workspace = false;
    let (base, head) = (toml::Value::Table(base), toml::Value::Table(head));
    for key in changed_keys(Some(&base), Some(&head)) {
        match key.as_str() {
            "project" | "dependency-groups" | "build-system" => own.push(format!("[{key}]")),
            "tool" => {
                for tool in changed_keys(base.get("tool"), head.get("tool")) {
                    if tool != "uv" {
                        shared.push(format!("[tool.{tool}]"));
                        continue;
                    }
                    let uv = |v: &toml::Value| v.get("tool").and_then(|t| t.get("uv")).cloned();
                    for k in changed_keys(uv(&base).as_ref(), uv(&head).as_ref()) {
                        if k == "workspace" {
                            workspace = true;
                        } else {
                            shared.push(format!("[tool.uv] {k}"));
                        }
                    }
                }
            }
            _ => shared.push(format!("[{key}]")),
        }
    }
    if !shared.is_empty() {
        let mut a = every(format!(
            "the root pyproject.toml's {} changed (read by every Python package)",
            shared.join(", ")
        ));
        a.note = format!(
            "changed: {} (read by every Python package): every Python package is affected",
            shared.join(", ")
        );
        return Ok(Some(a));
    }
    let mut parts = Vec::new();
    let mut seeds = Vec::new();
    if !own.is_empty() {
        parts.push(own.join(", "));
        if let Some(root) = root {
            seeds.push(PySeed {
                package: root,
                reach: Reach::Full,
                cause: Cause::File {
                    path: "pyproject.toml".to_string(),
                },
            });
        }
    }
    if workspace {
        parts.push(
            "[tool.uv.workspace] (members read at the head; new and removed packages count through their files, and a folder that joins through uv.lock's members)"
                .to_string(),
        );
    }
    Ok(Some(PyAnalysis {
        note: if parts.is_empty() {
            "nothing that affects a Python package changed".to_string()
        } else {
            format!("changed: {}", parts.join("; "))
        },
        all: None,
        seeds,
    }))
}

/// Whether the build of the crate at `node` (its wheel, for a PyO3 crate) holds a changed
/// package, not only its tests: it was reached over normal or build edges (or is a seed that
/// propagates). A crate whose recorded chain ends in a dev edge (`features-mode = "builds"`
/// records the shortest path through its builds, dev-dependencies included) counts when it
/// reaches a seed over its normal or build links, declared on any platform (conservative:
/// optional ones too).
fn build_changed(ws: &Workspace, node: Node, state: &State, seed_nodes: &BTreeSet<Node>) -> bool {
    let Some((reach, reason)) = state.get(&node) else {
        return false;
    };
    if *reach == Reach::Full {
        return true;
    }
    if reason.chain.len() == 1 {
        // A seed that does not propagate: a dev-only `[workspace.dependencies]` entry.
        return false;
    }
    if reason.chain.last().and_then(|s| s.via) != Some(Edge::Dev) {
        return true;
    }
    let mut seen = BTreeSet::from([node]);
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        for link in &ws.graph.package(n).links {
            if !(link.normal || link.build) || !seen.insert(link.to) {
                continue;
            }
            if seed_nodes.contains(&link.to) {
                return true;
            }
            stack.push(link.to);
        }
    }
    false
}

/// The Python half of the propagation: from the PyO3 crates whose build changed and the
/// Python seeds, over the reverse Python edges. A node is a package's plain install (`None`)
/// or one of its extras (`Some(extra)`: what `pkg[extra]` adds): a change to the plain install
/// reaches every requirement on the package; a change to an extra only the requirements that
/// ask for that extra (`orch[viz]`), as an installer resolves them. A `[project]` requirement
/// reaches the dependent's plain install, an optional one the dependent's extra, and both
/// propagate; a dependency group's edge reaches the package declaring it and stops. A PyO3
/// crate reached here (its `pyproject.toml` requires a changed Python package) is affected,
/// and reaches on through its wheel only (a Python requirement is not part of its Rust
/// dependents' builds).
fn propagate_python(
    ws: &Workspace,
    py: &PythonWorkspace,
    state: &State,
    seed_nodes: &BTreeSet<Node>,
    seeds: Vec<PySeed>,
    out: &mut Outcome,
) {
    type Key = (usize, Option<String>);
    let mut dependents: Vec<Vec<(usize, &crate::python::Edge)>> =
        vec![Vec::new(); py.packages.len()];
    for (from, es) in py.edges.iter().enumerate() {
        for e in es {
            dependents[e.to].push((from, e));
        }
    }
    let mut reached: HashMap<Key, (Reach, Reason)> = HashMap::new();
    // Keys in the order they were first reached: the first reason of a package is its
    // shortest chain.
    let mut order: Vec<Key> = Vec::new();
    let mut queue: VecDeque<Key> = VecDeque::new();
    // The PyO3 crates whose wheel changed.
    for (i, p) in py.packages.iter().enumerate() {
        let PackageKind::Pyo3 { krate } = &p.kind else {
            continue;
        };
        let Some(m) = ws.member(krate) else { continue };
        if let Some(reason) = out.affected.get(krate)
            && build_changed(ws, m.node, state, seed_nodes)
        {
            reached.insert((i, None), (Reach::Full, reason.clone()));
            order.push((i, None));
            queue.push_back((i, None));
        }
    }
    // A maturin project that builds a crate of the workspace which is no PyO3 crate
    // (`bindings = "bin"` or `"cffi"`, through `[tool.maturin] manifest-path`): the crate's
    // build is its wheel's. (A PyO3 crate's is an edge of the Python graph.)
    for (i, p) in py.packages.iter().enumerate() {
        let Some(dir) = p.maturin_crate_dir() else {
            continue;
        };
        if py
            .packages
            .iter()
            .any(|q| q.dir == dir && matches!(q.kind, PackageKind::Pyo3 { .. }))
        {
            continue;
        }
        let Some(m) = ws.members.iter().find(|m| m.path == dir) else {
            continue;
        };
        if let Some(reason) = out.affected.get(&m.name)
            && build_changed(ws, m.node, state, seed_nodes)
            && !reached.contains_key(&(i, None))
        {
            let mut reason = reason.clone();
            reason.chain.push(py_step(py, i, Some(Edge::Wheel)));
            // The crate's builds are no builds of the project's.
            reason.build = None;
            reached.insert((i, None), (Reach::Full, reason));
            order.push((i, None));
            queue.push_back((i, None));
        }
    }
    for seed in seeds {
        let p = &py.packages[seed.package];
        if p.kind == PackageKind::Python {
            out.python_direct.insert(p.distribution.clone());
        }
        let key = (seed.package, None);
        if reached.get(&key).is_some_and(|(r, _)| *r >= seed.reach) {
            continue;
        }
        if !reached.contains_key(&key) {
            order.push(key.clone());
        }
        reached.insert(
            key.clone(),
            (
                seed.reach,
                Reason {
                    cause: seed.cause,
                    chain: vec![py_step(py, seed.package, None)],
                    build: None,
                },
            ),
        );
        if seed.reach == Reach::Full {
            queue.push_back(key);
        }
    }
    while let Some(key) = queue.pop_front() {
        let Some((_, reason)) = reached.get(&key).cloned() else {
            continue;
        };
        let (x, extra) = key;
        let wheel = matches!(py.packages[x].kind, PackageKind::Pyo3 { .. });
        for &(from, edge) in &dependents[x] {
            if let Some(extra) = &extra
                && !edge.extras.contains(extra)
            {
                continue;
            }
            let (next, reach, via) = match &edge.declared {
                Declared::Group(_) => ((from, None), Reach::Stops, Edge::PythonGroup),
                // What builds the package changes its wheel, as a dependency does.
                Declared::Project | Declared::Build => (
                    (from, None),
                    Reach::Full,
                    if wheel { Edge::Wheel } else { Edge::Python },
                ),
                Declared::Extra(e) => (
                    (from, Some(e.clone())),
                    Reach::Full,
                    if wheel {
                        Edge::Wheel
                    } else {
                        Edge::PythonExtra
                    },
                ),
            };
            if next == (x, extra.clone()) {
                continue;
            }
            if reached.get(&next).is_some_and(|(r, _)| *r >= reach) {
                continue;
            }
            let mut chain = reason.chain.clone();
            if from != x {
                chain.push(py_step(py, from, Some(via)));
            }
            if !reached.contains_key(&next) {
                order.push(next.clone());
            }
            reached.insert(
                next.clone(),
                (
                    reach,
                    Reason {
                        cause: reason.cause.clone(),
                        chain,
                        build: None,
                    },
                ),
            );
            if reach == Reach::Full {
                queue.push_back(next);
            }
        }
    }
    for key in order {
        let Some((_, reason)) = reached.remove(&key) else {
            continue;
        };
        let p = &py.packages[key.0];
        match &p.kind {
            PackageKind::Python => {
                out.python
                    .entry(p.distribution.clone())
                    .or_insert(PythonAffected {
                        path: p.dir.clone(),
                        reason,
                    });
            }
            PackageKind::Pyo3 { krate } => {
                if ws.member(krate).is_some() && !out.affected.contains_key(krate) {
                    out.affected.insert(krate.clone(), reason);
                }
            }
        }
    }
}

/// Expand a `mark-changed` entry (`name` or `domain:NAME`) to package ids.
fn expand_mark(ws: &Workspace, name: &str, rule: &str) -> anyhow::Result<Vec<Node>> {
    if let Some(domain) = name.strip_prefix("domain:") {
        let ids: Vec<Node> = ws
            .members
            .iter()
            .filter(|m| m.domain() == domain && !m.path.is_empty())
            .map(|m| m.node)
            .collect();
        if ids.is_empty() {
            return Err(UserError::new(
                format!("{rule} marks `domain:{domain}`, but no member lives under {domain}/"),
                "fix the rule in [workspace.metadata.ccworkspace.affected] of the root Cargo.toml",
            )
            .into());
        }
        return Ok(ids);
    }
    match ws.member(name) {
        Some(m) => Ok(vec![m.node]),
        None => Err(UserError::new(
            format!("{rule} marks `{name}`, which is not a workspace member"),
            "fix the crate name in [workspace.metadata.ccworkspace.affected] of the root Cargo.toml",
        )
        .into()),
    }
}

/// Analyse a changed root `Cargo.toml` or `Cargo.lock`; returns a note and, when everything is
/// affected, why.
fn analyse_root_file(
    ws: &Workspace,
    which: RootFile,
    rev: &dyn Revisions,
    seeds: &mut Vec<Seed>,
    py_all: &mut Option<String>,
) -> anyhow::Result<(String, Option<String>)> {
    let name = match which {
        RootFile::Manifest => "Cargo.toml",
        RootFile::Lockfile => "Cargo.lock",
    };
    if !rev.has_base() {
        let why =
            format!("{name} changed and there is no base revision to compare it with (--files)");
        return Ok((why.clone(), Some(why)));
    }
    let (Some(base), Some(head)) = (rev.base_file(name)?, rev.head_file(name)?) else {
        let why = format!("{name} was added or removed");
        return Ok((why.clone(), Some(why)));
    };
    match which {
        RootFile::Lockfile => {
            let changes = match lockdiff::diff(&base, &head) {
                Ok(c) => c,
                Err(e) => {
                    let why = format!("cannot compare Cargo.lock ({e}), so everything is affected");
                    return Ok((why.clone(), Some(why)));
                }
            };
            let index = package_index(&ws.graph);
            let mut named = Vec::new();
            for change in changes.iter().filter(|c| c.at_head) {
                let key = (change.name.clone(), change.version.clone());
                // An entry that only gained dependencies (same version, source and checksum)
                // gained them because a build now enables a feature that pulls them in: the
                // builds that changed are the ones that hold a gained dependency (determinator
                // compares each build's packages and features), not every build of the entry.
                // (Which build enables the feature is itself a changed manifest, seeded by its
                // file.) A lost dependency cannot be looked up in the head graph: the entry then
                // stands for it.
                let gained_only = change.from_version.is_none()
                    && change.deps_removed.is_empty()
                    && !change.deps_added.is_empty();
                let gained: Option<Vec<Node>> = change
                    .deps_added
                    .iter()
                    .map(|d| {
                        let (name, version) = d.split_once(' ')?;
                        index.get(&(name.to_string(), version.to_string())).cloned()
                    })
                    .collect::<Option<Vec<Vec<Node>>>>()
                    .map(|v| v.into_iter().flatten().collect());
                let ids: Vec<Node> = if let (true, Some(gained)) = (gained_only, gained) {
                    gained
                } else {
                    index.get(&key).cloned().unwrap_or_default()
                };
                for id in &ids {
                    named.push(change.describe());
                    seeds.push(Seed {
                        id: *id,
                        cause: Cause::Lockfile {
                            change: change.describe(),
                        },
                        reach: Reach::Full,
                    });
                }
            }
            named.sort();
            named.dedup();
            Ok((
                if named.is_empty() {
                    "no resolved package changed".to_string()
                } else {
                    format!("changed packages: {}", named.join(", "))
                },
                None,
            ))
        }
        RootFile::Manifest => {
            let d = match rootdiff::diff(&base, &head) {
                Ok(d) => d,
                Err(e) => {
                    return Err(UserError::new(
                        format!("cannot compare the root Cargo.toml with the base revision: {e}"),
                        "fix the manifest; cargo cannot load it either",
                    )
                    .into());
                }
            };
            if let Some(why) = d.all {
                return Ok((why.clone(), Some(why)));
            }
            let mut parts = Vec::new();
            for key in &d.dependencies {
                parts.push(format!("[workspace.dependencies] {key}"));
                for m in &ws.members {
                    let mut reach = None;
                    for link in ws
                        .graph
                        .package(m.node)
                        .links
                        .iter()
                        .filter(|l| l.dep_name == *key)
                    {
                        let r = if link.dev_only() {
                            Reach::Stops
                        } else {
                            Reach::Full
                        };
                        reach = reach.max(Some(r));
                    }
                    if let Some(reach) = reach {
                        seeds.push(Seed {
                            id: m.node,
                            cause: Cause::WorkspaceDependency { key: key.clone() },
                            reach,
                        });
                    }
                }
            }
            if !d.package_fields.is_empty() || d.lints {
                for m in &ws.members {
                    let manifest = rev.head_file(&crate::workspace::join(&m.path, "Cargo.toml"))?;
                    let inherited = manifest
                        .as_deref()
                        .and_then(|t| toml::from_str::<toml::Table>(t).ok());
                    let inherits = |table: &str, key: &str| match &inherited {
                        // Unreadable: assume it inherits (never miss a crate).
                        None => true,
                        Some(t) => t
                            .get(table)
                            .and_then(|p| p.get(key))
                            .and_then(|v| v.get("workspace"))
                            .and_then(|w| w.as_bool())
                            .unwrap_or(false),
                    };
                    for field in &d.package_fields {
                        if inherits("package", field) {
                            seeds.push(Seed {
                                id: m.node,
                                cause: Cause::WorkspacePackage {
                                    field: field.clone(),
                                },
                                reach: Reach::Full,
                            });
                        }
                    }
                    let lints = match &inherited {
                        None => true,
                        Some(t) => t
                            .get("lints")
                            .and_then(|l| l.get("workspace"))
                            .and_then(|w| w.as_bool())
                            .unwrap_or(false),
                    };
                    if d.lints && lints {
                        seeds.push(Seed {
                            id: m.node,
                            cause: Cause::WorkspaceLints,
                            reach: Reach::Full,
                        });
                    }
                }
                parts.extend(
                    d.package_fields
                        .iter()
                        .map(|f| format!("[workspace.package] {f}")),
                );
                if d.lints {
                    parts.push("[workspace.lints]".to_string());
                }
            }
            if d.root_package {
                if let Some(root) = ws.members.iter().find(|m| m.path.is_empty()) {
                    seeds.push(Seed {
                        id: root.node,
                        cause: Cause::RootManifest,
                        reach: Reach::Full,
                    });
                }
                parts.push("the root package".to_string());
            }
            if d.python_packages {
                py_all.get_or_insert_with(|| {
                    "[workspace.metadata.ccworkspace.python] packages changed (which folders are Python packages)"
                        .to_string()
                });
                parts.push("[workspace.metadata.ccworkspace.python] packages".to_string());
            }
            if d.members {
                parts.push(
                    "the member list (new and removed crates count through their files)"
                        .to_string(),
                );
            }
            Ok((
                if parts.is_empty() {
                    "nothing that affects a build changed".to_string()
                } else {
                    format!("changed: {}", parts.join(", "))
                },
                None,
            ))
        }
    }
}

/// Packages by (name, version).
fn package_index(graph: &DepGraph) -> BTreeMap<(String, String), Vec<Node>> {
    let mut index: BTreeMap<(String, String), Vec<Node>> = BTreeMap::new();
    for (node, pkg) in graph.packages.iter().enumerate() {
        index
            .entry((pkg.name.clone(), pkg.version.clone()))
            .or_default()
            .push(node);
    }
    index
}

type State = BTreeMap<Node, (Reach, Reason)>;

/// `features-mode = "all"`: one step over the reverse edges of `id` that exist on a configured
/// platform; normal and build edges propagate, a dev edge stops at the crate that declares it.
fn spread_over_links(
    ws: &Workspace,
    id: Node,
    reason: &Reason,
    state: &mut State,
    queue: &mut VecDeque<Node>,
    step: &dyn Fn(Node, Option<Edge>) -> Step,
) {
    for (dependent, link) in ws.graph.dependents(id) {
        let (reach, via) = if link.declared & Link::NORMAL != 0 {
            (Reach::Full, Edge::Normal)
        } else if link.declared & Link::BUILD != 0 {
            (Reach::Full, Edge::Build)
        } else if link.declared & Link::DEV != 0 {
            (Reach::Stops, Edge::Dev)
        } else {
            continue;
        };
        if state.get(&dependent).is_some_and(|(r, _)| *r >= reach) {
            continue;
        }
        let mut chain = reason.chain.clone();
        chain.push(step(dependent, Some(via)));
        state.insert(
            dependent,
            (
                reach,
                Reason {
                    cause: reason.cause.clone(),
                    chain,
                    build: None,
                },
            ),
        );
        if reach == Reach::Full {
            queue.push_back(dependent);
        }
    }
}

/// `features-mode = "builds"` (determinator's rule): a member is affected when one of its own
/// builds (no, default, all features, with its dev-dependencies, per platform) contains a
/// changed package; it stops there, as its builds already hold everything they reach.
///
/// Simulating builds is what makes the determinator slow, so it is done only where the graph
/// cannot answer: a member that reaches the package over required (non-optional) dependencies
/// for one platform has it in every build for that platform; a member that does not reach it
/// over any dependency declared for the platforms has it in none. Only the members in between
/// (every path crosses an optional or undecidable dependency) are simulated, with guppy.
fn spread_over_builds(
    ws: &Workspace,
    sources: &[Node],
    state: &mut State,
    step: &dyn Fn(Node, Option<Edge>) -> Step,
) -> anyhow::Result<()> {
    let mut uncertain: BTreeMap<Node, Vec<Node>> = BTreeMap::new();
    for &src in sources {
        let Some((_, reason)) = state.get(&src).cloned() else {
            continue;
        };
        let extend = |path: Vec<(Node, Edge)>, build: String| Reason {
            cause: reason.cause.clone(),
            chain: reason
                .chain
                .iter()
                .cloned()
                .chain(path.into_iter().map(|(n, via)| step(n, Some(via))))
                .collect(),
            build: Some(build),
        };
        for p in 0..ws.graph.platforms.len() {
            let bit: PlatformMask = 1 << p;
            let reached = reverse_closure(
                ws,
                src,
                |l| {
                    if l.required_normal_on & bit != 0 {
                        Some(Edge::Normal)
                    } else if l.required_build_on & bit != 0 {
                        Some(Edge::Build)
                    } else {
                        None
                    }
                },
                |l| l.dev_on & bit != 0,
            );
            for (member, path) in reached {
                if let std::collections::btree_map::Entry::Vacant(e) = state.entry(member) {
                    let build = ws.graph.describe_build(every_build_on(bit));
                    e.insert((Reach::Stops, extend(path, build)));
                }
            }
        }
        let candidates = reverse_closure(
            ws,
            src,
            |l| {
                if l.declared & Link::NORMAL != 0 {
                    Some(Edge::Normal)
                } else if l.declared & Link::BUILD != 0 {
                    Some(Edge::Build)
                } else {
                    None
                }
            },
            |l| l.declared & Link::DEV != 0,
        );
        for (member, _) in candidates {
            if !state.contains_key(&member) {
                uncertain.entry(member).or_default().push(src);
            }
        }
    }
    if uncertain.is_empty() {
        return Ok(());
    }
    let members: Vec<Node> = uncertain.keys().copied().collect();
    for builds in ws.simulate(&members)? {
        for &src in uncertain.get(&builds.member).into_iter().flatten() {
            let mask = builds.mask_of(src);
            if mask == 0 || state.contains_key(&builds.member) {
                continue;
            }
            let Some((_, reason)) = state.get(&src).cloned() else {
                continue;
            };
            let mut chain = reason.chain.clone();
            chain.extend(
                build_path(ws, &builds, src)
                    .into_iter()
                    .map(|(node, via)| step(node, Some(via))),
            );
            let reason = Reason {
                cause: reason.cause,
                chain,
                build: Some(ws.graph.describe_build(mask)),
            };
            state.insert(builds.member, (Reach::Stops, reason));
        }
    }
    Ok(())
}

/// The members that reach `src` over links for which `follow` names an edge, and, as their last step
/// only, over their own links for which `dev` holds, each with the path from `src`'s dependent
/// up to the member (each step: the package and the edge by which it depends on the previous
/// one). `src` itself is not included.
fn reverse_closure(
    ws: &Workspace,
    src: Node,
    follow: impl Fn(&Link) -> Option<Edge>,
    dev: impl Fn(&Link) -> bool,
) -> Vec<(Node, Vec<(Node, Edge)>)> {
    let mut parent: HashMap<Node, (Node, Edge)> = HashMap::new();
    let mut order = vec![src];
    let mut queue = VecDeque::from([src]);
    while let Some(x) = queue.pop_front() {
        for (dependent, link) in ws.graph.dependents(x) {
            if dependent == src || parent.contains_key(&dependent) {
                continue;
            }
            let Some(via) = follow(link) else {
                continue;
            };
            parent.insert(dependent, (x, via));
            order.push(dependent);
            queue.push_back(dependent);
        }
    }
    let mut dev_parent: Vec<(Node, Node)> = Vec::new();
    let mut seen_dev: HashSet<Node> = HashSet::new();
    for &x in &order {
        for (dependent, link) in ws.graph.dependents(x) {
            if dependent != src
                && !parent.contains_key(&dependent)
                && ws.member_by_node(dependent).is_some()
                && dev(link)
                && seen_dev.insert(dependent)
            {
                dev_parent.push((dependent, x));
            }
        }
    }
    let path_to = |mut at: Node| {
        let mut path = Vec::new();
        while let Some(&(down, via)) = parent.get(&at) {
            path.push((at, via));
            at = down;
        }
        path.reverse();
        path
    };
    let mut out: Vec<(Node, Vec<(Node, Edge)>)> = order
        .iter()
        .skip(1)
        .filter(|n| ws.member_by_node(**n).is_some())
        .map(|&n| (n, path_to(n)))
        .collect();
    for (member, x) in dev_parent {
        let mut path = path_to(x);
        path.push((member, Edge::Dev));
        out.push((member, path));
    }
    out
}

/// A shortest path of dependency edges from the simulated member down to `target` through
/// packages of its builds (a dev edge only as the member's own first step), returned from
/// `target`'s dependent up to the member, each with the edge that reaches it. For explanations.
fn build_path(ws: &Workspace, builds: &Builds, target: Node) -> Vec<(Node, Edge)> {
    let member = builds.member;
    let in_build = |n: Node| builds.mask_of(n) != 0;
    // Parent pointers of a forward breadth-first search from the member.
    let mut parent: BTreeMap<Node, (Node, Edge)> = BTreeMap::new();
    let mut queue = VecDeque::from([member]);
    while let Some(n) = queue.pop_front() {
        if n == target {
            break;
        }
        for link in &ws.graph.package(n).links {
            let via = if link.normal {
                Edge::Normal
            } else if link.build {
                Edge::Build
            } else if link.dev && n == member {
                Edge::Dev
            } else {
                continue;
            };
            if link.to == member || parent.contains_key(&link.to) || !in_build(link.to) {
                continue;
            }
            parent.insert(link.to, (n, via));
            queue.push_back(link.to);
        }
    }
    // Walk back from the target: each step is (dependent, edge into the dependent).
    let mut path = Vec::new();
    let mut at = target;
    while let Some(&(up, via)) = parent.get(&at) {
        path.push((up, via));
        at = up;
    }
    if at != member {
        // No path through the build's packages (cannot happen for a consistent graph): name
        // the member anyway.
        path.push((member, Edge::Normal));
    }
    path
}

/// Breadth-first over reverse edges from the seeds, then package rules, to a fixpoint.
fn propagate(
    ws: &Workspace,
    config: &AffectedConfig,
    seeds: Vec<Seed>,
    out: &mut Outcome,
) -> anyhow::Result<(State, BTreeSet<Node>)> {
    let seed_nodes: BTreeSet<Node> = seeds.iter().map(|s| s.id).collect();
    // Per package: how it was reached, and the reason (cause + chain) that reached it first.
    let mut state: BTreeMap<Node, (Reach, Reason)> = BTreeMap::new();
    let mut queue: VecDeque<Node> = VecDeque::new();
    let step = |id: Node, via: Option<Edge>| -> Step {
        let p = ws.graph.package(id);
        Step {
            name: p.name.clone(),
            via,
            external: !p.member,
            kind: None,
        }
    };
    let mut add_seed =
        |seed: Seed, state: &mut BTreeMap<Node, (Reach, Reason)>, queue: &mut VecDeque<Node>| {
            if let Some(m) = ws.member_by_node(seed.id) {
                out.direct.insert(m.name.clone());
            } else {
                let p = ws.graph.package(seed.id);
                out.changed_packages
                    .insert(format!("{} {}", p.name, p.version).trim_end().to_string());
            }
            let reason = Reason {
                cause: seed.cause,
                chain: vec![step(seed.id, None)],
                build: None,
            };
            match state.get(&seed.id) {
                Some((r, _)) if *r >= seed.reach => {}
                _ => {
                    state.insert(seed.id, (seed.reach, reason));
                    if seed.reach == Reach::Full {
                        queue.push_back(seed.id);
                    }
                }
            }
        };
    for seed in seeds {
        add_seed(seed, &mut state, &mut queue);
    }
    let mut fired: BTreeSet<usize> = BTreeSet::new();
    loop {
        match config.features_mode {
            FeaturesMode::All => {
                while let Some(id) = queue.pop_front() {
                    if let Some((_, reason)) = state.get(&id).cloned() {
                        spread_over_links(ws, id, &reason, &mut state, &mut queue, &step);
                    }
                }
            }
            FeaturesMode::Builds => {
                let sources: Vec<Node> = queue.drain(..).collect();
                spread_over_builds(ws, &sources, &mut state, &step)?;
            }
        }
        // Package rules: when one of `on-affected` is affected, mark the others.
        let mut new_seeds = Vec::new();
        for (i, rule) in config.package_rule.iter().enumerate() {
            if fired.contains(&i) {
                continue;
            }
            let hit = rule
                .on_affected
                .iter()
                .find(|name| ws.member(name).is_some_and(|m| state.contains_key(&m.node)));
            let Some(on) = hit else { continue };
            fired.insert(i);
            match &rule.mark_changed {
                MarkChanged::All => {
                    out.all = Some(format!(
                        "package-rule #{}: `{on}` is affected and the rule marks everything",
                        i + 1
                    ));
                }
                MarkChanged::Crates(names) => {
                    for name in names {
                        for id in expand_mark(ws, name, &format!("package-rule #{}", i + 1))? {
                            new_seeds.push(Seed {
                                id,
                                cause: Cause::PackageRule { on: on.clone() },
                                reach: Reach::Full,
                            });
                        }
                    }
                }
            }
        }
        if let Some(why) = out.all.clone() {
            out.mark_all(ws, why);
            return Ok((state, seed_nodes));
        }
        if new_seeds.is_empty() {
            break;
        }
        for seed in new_seeds {
            add_seed(seed, &mut state, &mut queue);
        }
    }
    for m in &ws.members {
        if let Some((_, reason)) = state.get(&m.node) {
            out.affected.insert(m.name.clone(), reason.clone());
        }
    }
    Ok((state, seed_nodes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Package;
    use crate::model::kind::CrateKind;
    use crate::workspace::Member;
    use proptest::prelude::*;

    /// Members at `dirs` (no dependencies), named `m0`, `m1`, ... in order.
    fn workspace(dirs: &[String]) -> Workspace {
        let packages = dirs
            .iter()
            .enumerate()
            .map(|(i, d)| Package {
                name: format!("m{i}"),
                version: "0.1.0".to_string(),
                member: true,
                dir: Some(d.clone()),
                manifest: Some(format!("/ws/{d}/Cargo.toml")),
                links: Vec::new(),
            })
            .collect();
        let mut members: Vec<Member> = dirs
            .iter()
            .enumerate()
            .map(|(i, d)| Member {
                node: i,
                name: format!("m{i}"),
                path: d.clone(),
                kind: CrateKind::Lib,
                target_dirs: vec!["src".to_string()],
            })
            .collect();
        members.sort_by(|a, b| a.path.cmp(&b.path));
        Workspace::new("/ws".into(), DepGraph::new(packages), members)
    }

    /// Paths over a tiny alphabet where `a` is a prefix of `ab` but not at a `/` boundary.
    fn rel() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![Just("a"), Just("ab"), Just("b"), Just("a.b")],
            1..4,
        )
        .prop_map(|s| s.join("/"))
    }

    /// The deepest of `dirs` that holds `path` at a `/` boundary, by brute force.
    fn expected_owner(dirs: &[String], path: &str) -> Option<String> {
        dirs.iter()
            .enumerate()
            .filter(|(_, d)| path.starts_with(&format!("{d}/")))
            .max_by_key(|(_, d)| d.len())
            .map(|(i, _)| format!("m{i}"))
    }

    /// The members at `path` or inside it, by brute force.
    fn expected_inside(dirs: &[String], path: &str) -> Vec<String> {
        dirs.iter()
            .enumerate()
            .filter(|(_, d)| *d == path || d.starts_with(&format!("{path}/")))
            .map(|(i, _)| format!("m{i}"))
            .collect()
    }

    fn direct(ws: &Workspace, paths: &[String]) -> BTreeSet<String> {
        let config = AffectedConfig {
            unmatched: Unmatched::Ignore,
            ..AffectedConfig::default()
        };
        let files: Vec<ChangedFile> = paths.iter().map(ChangedFile::unknown).collect();
        compute(ws, &config, &files, &NoBase).unwrap().direct
    }

    /// A base revision whose members are `m0`, `m1`, ... at these directories.
    struct Base(Vec<String>);

    impl Revisions for Base {
        fn has_base(&self) -> bool {
            true
        }
        fn base_file(&self, _: &str) -> anyhow::Result<Option<String>> {
            Ok(None)
        }
        fn base_member_dirs(&self) -> anyhow::Result<Vec<String>> {
            Ok(self.0.clone())
        }
        fn base_member_name(&self, dir: &str) -> anyhow::Result<Option<String>> {
            Ok(self
                .0
                .iter()
                .position(|d| d == dir)
                .map(|i| format!("m{i}")))
        }
        fn head_file(&self, _: &str) -> anyhow::Result<Option<String>> {
            Ok(None)
        }
        fn head_has(&self, _: &str) -> anyhow::Result<bool> {
            Ok(false)
        }
    }

    proptest! {
        /// A changed file belongs to the deepest member directory holding it at a `/`
        /// boundary (never `ab/x` to `a`), and a changed directory (a submodule's gitlink)
        /// to every member at or inside it (`a` to `a` and `a/b`, never `ab` to `a`).
        #[test]
        fn deepest_member_directory_owns_a_file(
            dirs in proptest::collection::btree_set(rel(), 1..8),
            files in proptest::collection::vec(
                (rel(), prop_oneof![Just(""), Just("/src/lib.rs"), Just("/Cargo.toml")]),
                1..8,
            ),
        ) {
            let dirs: Vec<String> = dirs.into_iter().collect();
            let ws = workspace(&dirs);
            let paths: Vec<String> = files.iter().map(|(d, f)| format!("{d}{f}")).collect();
            let mut all = BTreeSet::new();
            for p in &paths {
                let want: BTreeSet<String> = expected_owner(&dirs, p)
                    .into_iter()
                    .chain(expected_inside(&dirs, p))
                    .collect();
                prop_assert_eq!(direct(&ws, std::slice::from_ref(p)), want.clone(), "{}", p);
                all.extend(want);
            }
            prop_assert_eq!(direct(&ws, &paths), all);
        }

        /// A file outside every head member maps through the base revision: to the crate
        /// that was at the deepest base directory holding it, when that crate still exists
        /// (moved), else to a deleted crate; the same `/` boundary rule holds there. A
        /// directory (a gitlink) also maps through the base to the crates inside it.
        #[test]
        fn files_outside_head_members_map_through_the_base(
            head in proptest::collection::btree_set(rel(), 1..5),
            base in proptest::collection::btree_set(rel(), 1..8),
            path in (rel(), prop_oneof![Just(""), Just("/src/lib.rs")]),
        ) {
            let (head, base): (Vec<String>, Vec<String>) =
                (head.into_iter().collect(), base.into_iter().collect());
            let ws = workspace(&head);
            let path = format!("{}{}", path.0, path.1);
            let config = AffectedConfig {
                unmatched: Unmatched::Ignore,
                ..AffectedConfig::default()
            };
            let out = compute(&ws, &config, &[ChangedFile::unknown(&path)], &Base(base.clone()))
                .unwrap();
            let deleted: Vec<(String, String)> =
                out.deleted.iter().map(|d| (d.name.clone(), d.path.clone())).collect();
            let owner = expected_owner(&head, &path);
            let inside = expected_inside(&head, &path);
            let mut want_direct: BTreeSet<String> =
                owner.iter().cloned().chain(inside.iter().cloned()).collect();
            let mut want_deleted = Vec::new();
            if owner.is_none() || !inside.is_empty() {
                let mut from_base: BTreeSet<usize> = base
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| *d == &path || d.starts_with(&format!("{path}/")))
                    .map(|(i, _)| i)
                    .collect();
                if owner.is_none() {
                    from_base.extend(
                        base.iter()
                            .enumerate()
                            .filter(|(_, d)| path.starts_with(&format!("{d}/")))
                            .max_by_key(|(_, d)| d.len())
                            .map(|(i, _)| i),
                    );
                }
                for i in from_base {
                    if i < head.len() {
                        want_direct.insert(format!("m{i}"));
                    } else {
                        want_deleted.push((format!("m{i}"), base[i].clone()));
                    }
                }
                want_deleted.sort();
            }
            prop_assert_eq!(&out.direct, &want_direct, "{}", path);
            prop_assert_eq!(deleted, want_deleted, "{}", path);
        }
    }
}
