//! The Python half of the monorepo: its Python packages (the members of a uv workspace, or the
//! `pyproject.toml` files under the configured globs), the Python side of every PyO3 crate
//! (the distribution its wheel is), and the edges between them: a package depends on a
//! workspace distribution when one of its requirements names it.
//!
//! This is read from the files (no `uv` run): uv's workspace rules ("Using workspaces":
//! `members` globs of folders with a `pyproject.toml`, `exclude` globs, the root itself a member
//! when it has a `[project]`), and maturin's (a PyO3 crate's distribution is its
//! `pyproject.toml`'s `[project] name`, else the cargo package's name).

pub mod pyproject;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rayon::prelude::*;

use crate::config::PythonConfig;
use crate::errors::UserError;
use crate::fsutil::read_optional;
pub use pyproject::{Declared, PyProject, Requirement, normalize};

/// What a [`Package`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackageKind {
    /// A Python package of its own (`DAGs/python/orchestration`).
    Python,
    /// The Python side of a PyO3 crate (the cargo package name): its wheel.
    Pyo3 { krate: String },
}

/// One Python package or PyO3 crate's Python side.
#[derive(Debug)]
pub struct Package {
    /// Distribution name, normalised as PEP 503 says (`citychain-dags`).
    pub distribution: String,
    /// Folder relative to the workspace root, with `/` (empty for the root).
    pub dir: String,
    pub kind: PackageKind,
    /// Its `pyproject.toml`; `None` for a PyO3 crate without one (maturin then names the
    /// distribution after the crate and reads no requirements).
    pub project: Option<PyProject>,
    /// [`Package::maturin_crate_dir`], found by discovery.
    pub(crate) maturin_crate: Option<String>,
}

impl Package {
    /// The folder (relative to the root) of the crate this Python package's wheel is built
    /// from, when it is a maturin project (`build-backend = "maturin"`) naming the crate's
    /// `Cargo.toml` with `[tool.maturin] manifest-path` (maturin's mixed layout, and
    /// `bindings = "bin"` or `"cffi"` projects that package a binary or a C library): a change
    /// to that crate's build changes the wheel. `None` for any other package (a PyO3 crate's
    /// own `pyproject.toml` is its crate's already). Found by discovery, on disk: a path
    /// through a link (`rs -> ../../rust/tool`) is the crate maturin follows it to.
    pub fn maturin_crate_dir(&self) -> Option<String> {
        self.maturin_crate.clone()
    }

    /// [`Package::maturin_crate_dir`] read from its `pyproject.toml` under `root`.
    fn find_maturin_crate(&self, root: &Path) -> Option<String> {
        if self.kind != PackageKind::Python {
            return None;
        }
        let proj = self.project.as_ref()?;
        if !proj.is_maturin() {
            return None;
        }
        let manifest = proj.maturin_manifest.as_ref()?;
        let lexical = crate::model::normalize_rel(&crate::model::join(&self.dir, &manifest.value));
        let on_disk = std::fs::canonicalize(root.join(&self.dir).join(&manifest.value))
            .ok()
            .and_then(|file| {
                let base = root.canonicalize().ok()?;
                let rel = file.strip_prefix(base).ok()?.to_str()?.replace('\\', "/");
                Some(rel)
            });
        let path = on_disk.or(lexical)?;
        match path.rsplit_once('/') {
            Some((dir, "Cargo.toml")) => Some(dir.to_string()),
            None if path == "Cargo.toml" => Some(String::new()),
            _ => None,
        }
    }

    /// The path of its `pyproject.toml`, relative to the workspace root.
    pub fn pyproject_path(&self) -> String {
        crate::model::relpath::join(&self.dir, "pyproject.toml")
    }
}

/// One requirement of a package on a workspace distribution.
#[derive(Debug, Clone)]
pub struct Edge {
    /// The package depended on (index into [`PythonWorkspace::packages`]).
    pub to: usize,
    pub declared: Declared,
    /// The extras the requirement asks for (`orch[viz]`), normalised.
    pub extras: Vec<String>,
    /// 1-based line of the requirement in the depending package's `pyproject.toml`.
    pub line: usize,
}

/// The Python packages of the monorepo and the edges between them.
#[derive(Debug, Default)]
pub struct PythonWorkspace {
    /// The root `pyproject.toml`, when there is one.
    pub root: Option<PyProject>,
    /// Whether the root `pyproject.toml` declares a uv workspace (`[tool.uv.workspace]`).
    pub uv_workspace: bool,
    /// Python packages and PyO3 crates' Python sides, sorted by folder.
    pub packages: Vec<Package>,
    /// Package index by distribution name.
    pub by_distribution: BTreeMap<String, usize>,
    /// Each package's requirements on workspace distributions, in file order.
    pub edges: Vec<Vec<Edge>>,
    /// With a uv workspace, the folders uv makes members: every folder a `members` glob
    /// matches and no `exclude` glob does (PyO3 crates' folders included), and the root (`""`)
    /// when it has a `[project]`. Empty without a uv workspace.
    pub uv_members: BTreeSet<String>,
    /// The Python the monorepo runs (see [`root_python`]); set by the caller that needs it.
    pub root_python: Option<RootPython>,
    /// With a uv workspace, the Python projects of the repository that its `members` match but
    /// uv leaves out (an `exclude` glob, or `[tool.uv] managed = false`): distribution name
    /// (normalised) -> folder. uv resolves a requirement on one from the package index unless a
    /// source points at the folder (`missing-workspace-source`). PyO3 crates' folders and names
    /// of packages are not here.
    pub left_out: BTreeMap<String, LeftOut>,
    /// [`PythonWorkspace::path_dependencies`], found once by discovery.
    paths: Vec<PathDependency>,
    /// Without a root uv workspace, the packages that declare one of their own
    /// (`[tool.uv.workspace]` in their `pyproject.toml`): package folder -> the folders of the
    /// other packages below it that its globs make members, read as uv reads them
    /// ([`UvGlobs`]: the `glob` crate's syntax, paths normalised, `exclude` applied).
    /// uv, run in such a package, locks those members from their folders.
    own_uv_members: BTreeMap<String, BTreeSet<String>>,
}

/// A Python project of the repository that uv leaves out of its workspace
/// ([`PythonWorkspace::left_out`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// Its folder, relative to the root.
    pub dir: String,
    /// Why: an `exclude` glob (`true`), else `[tool.uv] managed = false`.
    pub excluded: bool,
}

/// The Python version the monorepo runs, and where it was read.
#[derive(Debug, Clone)]
pub struct RootPython {
    pub version: pep440_rs::Version,
    /// Where it comes from, for messages (`` `.python-version` (3.11) ``).
    pub from: String,
    /// Whether `.python-version` pins it: uv then locks for that Python, and refuses a member
    /// that excludes it; otherwise uv locks for the Pythons every member allows.
    pub pinned: bool,
    /// The pin, when `.python-version` asks for a range (`<3.12`, `>=3.11,<3.13`): uv takes an
    /// interpreter in it, so a member whose `requires-python` shares no Python with it is
    /// refused whichever it takes.
    /// With where it is written, for messages (`` `.python-version` (<3.12) ``).
    pub range: Option<(String, pep440_rs::VersionSpecifiers)>,
    /// The Python the PyO3 crates' images install their wheels into
    /// (`[workspace.metadata.ccworkspace.docker] python-version`), when `dockerfile` renders
    /// images for PyO3 crates; set by the caller (`lint-deps`).
    pub image: Option<pep440_rs::Version>,
}

/// The root's Python: the version the first line of the root `.python-version` asks for (what
/// uv and pyenv read; [`requested_version`]), else the lower bound of the root
/// `pyproject.toml`'s `requires-python` (the version of its `>=`, `==` or `~=` specifier;
/// `>=3.11` -> 3.11), else `docker_default` (`[workspace.metadata.ccworkspace.docker]
/// python-version`). A version is compared as written: `3.11` is 3.11.0 (PEP 440). A
/// `.python-version` that names no version (`3`, `system`, a path) is passed over, and the
/// source used says so.
///
/// Errors (exit 2, `file:line`): a root `requires-python` `pep440_rs` rejects, a docker
/// `python-version` that is no version.
pub fn root_python(
    root: &Path,
    py: &PythonWorkspace,
    docker_default: &str,
) -> anyhow::Result<RootPython> {
    root_python_of(root, py.root_project(), docker_default)
}

/// The `MAJOR.MINOR` of [`root_python`] at `root` (its `pyproject.toml` read here): what `new`
/// writes as `requires-python = ">=MAJOR.MINOR"`, so a new package allows the monorepo's
/// Python (`incompatible-requires-python` and uv would refuse one that does not). Errors:
/// [`root_python`]'s, and the root `pyproject.toml`'s [`pyproject::parse`] errors.
pub fn root_python_floor(root: &Path, docker_default: &str) -> anyhow::Result<String> {
    let project = read_project(root, "pyproject.toml")?;
    Ok(root_python_of(root, project.as_ref(), docker_default)?.floor())
}

impl RootPython {
    /// Its `MAJOR.MINOR` (`3.11.7` -> `3.11`), for `requires-python = ">=MAJOR.MINOR"`.
    pub fn floor(&self) -> String {
        floor_of(&self.version)
    }
}

/// The `MAJOR.MINOR` of a Python version (`3.11.7` -> `3.11`, `3` -> `3.0`), as a
/// `requires-python = ">=MAJOR.MINOR"` floor.
pub fn floor_of(version: &pep440_rs::Version) -> String {
    let release = version.release();
    format!(
        "{}.{}",
        release.first().copied().unwrap_or(3),
        release.get(1).copied().unwrap_or(0)
    )
}

fn root_python_of(
    root: &Path,
    root_project: Option<&PyProject>,
    docker_default: &str,
) -> anyhow::Result<RootPython> {
    use std::str::FromStr;
    let mut passed_over = String::new();
    let mut range = None;
    // uv reads `.python-version`, else `.python-versions` (its first request; uv 0.13:
    // "The Python request from `.python-versions` resolved to ...").
    let mut pin = None;
    for file in [".python-version", ".python-versions"] {
        if let Some(text) = read_optional(&root.join(file))? {
            pin = Some((file, text));
            break;
        }
    }
    if let Some((file, text)) = pin {
        let found = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'));
        if let Some(written) = found {
            range = requested_range(written).map(|r| (format!("`{file}` ({written})"), r));
            if let Some(version) = requested_version(written) {
                return Ok(RootPython {
                    version,
                    from: format!("`{file}` ({written})"),
                    pinned: true,
                    range,
                    image: None,
                });
            }
            passed_over = format!(" (`{file}` asks for `{written}`, no version)");
        }
    }
    if let Some(rp) = root_project.and_then(|p| p.requires_python.as_ref()) {
        let specifiers = pep440_rs::VersionSpecifiers::from_str(&rp.value).map_err(|e| {
            UserError::new(
                format!(
                    "pyproject.toml:{}: invalid `requires-python = \"{}\"`: {e}",
                    rp.line, rp.value
                ),
                "write a PEP 440 version specifier, e.g. `requires-python = \">=3.11\"`",
            )
        })?;
        if let Some(version) = lower_bound(&specifiers) {
            return Ok(RootPython {
                from: format!(
                    "the lower bound of `requires-python = \"{}\"` in pyproject.toml{passed_over}",
                    rp.value
                ),
                version,
                pinned: false,
                range,
                image: None,
            });
        }
    }
    let version = pep440_rs::Version::from_str(docker_default).map_err(|e| {
        UserError::new(
            format!("Cargo.toml: [workspace.metadata.ccworkspace.docker] python-version = \"{docker_default}\" is not a version: {e}"),
            "write a Python version, e.g. `python-version = \"3.12\"`",
        )
    })?;
    Ok(RootPython {
        version,
        from: format!(
            "[workspace.metadata.ccworkspace.docker] python-version ({docker_default}){passed_over}"
        ),
        pinned: false,
        range,
        image: None,
    })
}

/// The `MAJOR.MINOR` a new member's `requires-python = ">=MAJOR.MINOR"` starts at: `floor`
/// (the monorepo's Python, [`RootPython::floor`]) when the Pythons the uv workspace's members
/// allow in common (their `requires-python` as ranges of releases, as uv intersects them)
/// include it, else the least of those Pythons (`>=3.11,<3.12` beside a floor of 3.12:
/// 3.11), so the new member leaves uv a Python to lock for ("Found conflicting Python
/// requirements" otherwise). `floor` as it is when the members share none already, or
/// without a uv workspace.
pub fn floor_within_members(py: &PythonWorkspace, floor: String) -> String {
    use std::ops::Bound;
    use std::str::FromStr;
    if !py.uv_workspace {
        return floor;
    }
    let common = py
        .packages
        .iter()
        .filter(|p| py.uv_members.contains(&p.dir))
        .filter_map(|p| {
            let proj = p.project.as_ref()?;
            let rp = proj.requires_python.as_ref()?;
            if proj.uv_managed == Some(false) {
                return None;
            }
            pyproject::uv_specifiers(&rp.value).ok()
        })
        .map(pep440_rs::release_specifiers_to_ranges)
        .reduce(|common, range| common.intersection(&range));
    let (Some(common), Ok(version)) = (common, pep440_rs::Version::from_str(&floor)) else {
        return floor;
    };
    if common.is_empty() || common.contains(&version) {
        return floor;
    }
    match common.bounding_range().map(|(low, _)| low) {
        Some(Bound::Included(v) | Bound::Excluded(v)) => floor_of(v),
        _ => floor,
    }
}

/// The range a `.python-version` line asks for when it is a specifier set (`<3.12`,
/// `>=3.11,<3.13`, with an implementation prefix or not), as uv reads a request.
fn requested_range(written: &str) -> Option<pep440_rs::VersionSpecifiers> {
    use std::str::FromStr;
    let lower = written.trim().to_ascii_lowercase();
    let rest = ["cpython@", "pypy@", "graalpy@", "python@"]
        .iter()
        .find_map(|p| lower.strip_prefix(p))
        .unwrap_or(&lower);
    rest.starts_with(['<', '>', '=', '~', '!'])
        .then(|| pep440_rs::VersionSpecifiers::from_str(rest).ok())
        .flatten()
}

/// The highest version of the `>=`, `==`, `==*`, `===` and `~=` specifiers (`>=3.10, <4` ->
/// 3.10): the least Python a specifier set names.
fn lower_bound(specifiers: &pep440_rs::VersionSpecifiers) -> Option<pep440_rs::Version> {
    specifiers
        .iter()
        .filter(|s| {
            matches!(
                s.operator(),
                pep440_rs::Operator::GreaterThanEqual
                    | pep440_rs::Operator::Equal
                    | pep440_rs::Operator::EqualStar
                    | pep440_rs::Operator::TildeEqual
                    | pep440_rs::Operator::ExactEqual
            )
        })
        .map(|s| s.version().clone())
        .max()
}

/// The Python version a `.python-version` line asks for, in the forms uv reads a request
/// (uv's `PythonRequest::parse`): a version (`3.12`, `3.12.7`), with an implementation
/// (`cpython@3.12`, `pypy@3.10`, `python@3.12`, `cpython3.12`, `python3.12`, `cp3.12`, in
/// any case), without the dot
/// (`312`, `cp312`: the first digit is the major version), as a key
/// (`cpython-3.12.7-linux-x86_64-gnu`), a variant (`3.13t`, `3.13+freethreaded`), or a
/// specifier set (`>=3.12`, `==3.12.*`: its lower bound). `None` for a request that names no
/// major.minor version: `3`, `system`, a path or another executable name (uv then takes what it
/// finds), and for one uv ignores (`3.12-64`).
pub fn requested_version(written: &str) -> Option<pep440_rs::Version> {
    use std::str::FromStr;
    // uv reads the implementation names in any case (`CPython@3.12`, `CP312`).
    let lower = written.trim().to_ascii_lowercase();
    let mut rest = lower.as_str();
    for prefix in [
        "cpython@", "pypy@", "graalpy@", "python@", "cpython-", "pypy-", "graalpy-", "cpython",
        "pypy", "graalpy", "python", "cp@", "pp@", "gp@", "cp", "pp", "gp",
    ] {
        if let Some(r) = rest.strip_prefix(prefix) {
            rest = r;
            break;
        }
    }
    if let Ok(specifiers) = pep440_rs::VersionSpecifiers::from_str(rest)
        && rest.starts_with(['<', '>', '=', '~', '!'])
    {
        return lower_bound(&specifiers).filter(|v| v.release().len() >= 2);
    }
    // `3.12-64` (a bitness, the Windows launcher's form) is a request uv ignores ("Ignoring
    // unsupported Python request").
    if rest
        .split_once('-')
        .is_some_and(|(_, after)| after.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    // `3.12.7-linux-x86_64-gnu`, `3.13+freethreaded`, `3.13t`, `3.12d`.
    let rest = rest.split(['-', '+']).next().unwrap_or(rest);
    let rest = rest
        .strip_suffix('t')
        .or_else(|| rest.strip_suffix('d'))
        .unwrap_or(rest);
    // Without a dot, the first digit is the major version: `311` is 3.11 (uv: `312` is 3.12).
    let dotted;
    let rest = if rest.len() >= 2 && rest.bytes().all(|b| b.is_ascii_digit()) {
        dotted = format!("{}.{}", &rest[..1], &rest[1..]);
        dotted.as_str()
    } else {
        rest
    };
    pep440_rs::Version::from_str(rest)
        .ok()
        .filter(|v| v.release().len() >= 2 && v.release()[0] == 3)
}

impl PythonWorkspace {
    /// Whether each of [`Self::packages`] is a member of the uv workspace, by index (asked
    /// once for the rules that ask per requirement: `uv_members` is a set of paths).
    pub fn uv_member_flags(&self) -> Vec<bool> {
        self.packages
            .iter()
            .map(|p| self.uv_members.contains(&p.dir))
            .collect()
    }

    /// Whether the package at `dir` declares a uv workspace of its own (without a root one)
    /// whose globs make the package at `member` one of its members
    /// ([`PythonWorkspace::own_uv_members`]).
    pub fn in_own_uv_workspace(&self, dir: &str, member: &str) -> bool {
        self.own_uv_members
            .get(dir)
            .is_some_and(|members| members.contains(member))
    }

    /// The root `pyproject.toml` (also when the root is a package of a uv workspace).
    pub fn root_project(&self) -> Option<&PyProject> {
        self.root.as_ref().or_else(|| {
            self.packages
                .iter()
                .find(|p| p.dir.is_empty() && p.kind == PackageKind::Python)?
                .project
                .as_ref()
        })
    }

    /// The Python packages (not PyO3 crates), with their indices.
    pub fn python_packages(&self) -> impl Iterator<Item = (usize, &Package)> {
        self.packages
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind == PackageKind::Python)
    }

    /// Whether a Python package builds the crate in folder `dir` (relative to the root) with
    /// maturin through `[tool.maturin] manifest-path`.
    pub fn built_by_maturin_project(&self, dir: &str) -> bool {
        self.python_packages()
            .any(|(_, p)| p.maturin_crate_dir().as_deref() == Some(dir))
    }

    /// The projects that are no package of the workspace but that a package installs from a
    /// folder or file of the repository (a non-member path dependency, which uv installs from
    /// there: `uv.lock`'s `source = { directory = ... }`), so their files are the requirer's:
    /// every `path` of a `[tool.uv.sources]` entry (a list of sources may name one per
    /// platform), the package's own or, for a requirement without one, the root
    /// `pyproject.toml`'s (uv's source inheritance); and a direct reference under the workspace
    /// root (`e1 @ file:///${PROJECT_ROOT}/vendor/e1`, [`pyproject::Requirement::project_root_path`]).
    /// One entry per requirer and folder, sorted; an absolute path or one leaving the root is
    /// left out. Transitively, as uv installs them: such a project's own path dependencies (its
    /// `[project]` requirements and extras, with its own sources, relative to its folder) are
    /// its requirer's too ([`PythonWorkspace::follow_path_projects`]).
    pub fn path_dependencies(&self) -> Vec<PathDependency> {
        self.paths.clone()
    }

    /// The projects [`PythonWorkspace::path_dependencies`] starts from: those the packages'
    /// own requirements install from a folder of the repository.
    fn direct_path_dependencies(&self) -> Vec<PathDependency> {
        let root_sources = self.root_project().map(|r| &r.sources);
        let package_dirs: BTreeSet<&str> = self.packages.iter().map(|p| p.dir.as_str()).collect();
        let mut found: BTreeMap<(String, usize), bool> = BTreeMap::new();
        for (i, package) in self.packages.iter().enumerate() {
            let Some(project) = &package.project else {
                continue;
            };
            let project_root = self.project_root(&package.dir);
            for req in &project.requirements {
                let (base, source) = match project.sources.get(&req.name) {
                    Some(own) => (package.dir.as_str(), Some(own)),
                    None => match root_sources.and_then(|r| r.get(&req.name)) {
                        Some(inherited) => ("", Some(inherited)),
                        None => ("", None),
                    },
                };
                let sourced = source.into_iter().flat_map(|s| &s.paths).filter_map(|t| {
                    (!t.starts_with('/'))
                        .then(|| crate::model::relpath::join(base, t))
                        .and_then(|p| crate::model::relpath::normalize_rel(&p))
                });
                let direct = req.project_root_path().and_then(|p| {
                    crate::model::relpath::normalize_rel(&crate::model::relpath::join(
                        project_root,
                        &p,
                    ))
                });
                for dir in sourced.chain(direct) {
                    if dir.is_empty() || package_dirs.contains(dir.as_str()) {
                        continue;
                    }
                    let group = matches!(req.declared, pyproject::Declared::Group(_));
                    let groups_only = found.entry((dir, i)).or_insert(true);
                    *groups_only &= group;
                }
            }
        }
        found
            .into_iter()
            .map(|((dir, package), groups_only)| PathDependency {
                dir,
                package,
                groups_only,
            })
            .collect()
    }

    /// What uv expands `${PROJECT_ROOT}` to for the package in `dir`: the uv workspace's root
    /// (`""`) for a member, else the package's own folder (a project on its own is its
    /// workspace).
    fn project_root<'d>(&self, dir: &'d str) -> &'d str {
        if self.uv_members.contains(dir) {
            ""
        } else {
            dir
        }
    }

    /// Fill [`PythonWorkspace::path_dependencies`]: the direct ones, then, read from `root`, each
    /// such project's own: its `[project]` requirements and extras (uv installs no dependency
    /// group of a dependency) with a `path` source of its own file (relative to its folder) or
    /// a direct reference under `${PROJECT_ROOT}` (the requirer's project root, where uv
    /// runs: the workspace root for a member), until no new folder comes. A requirement of such a
    /// project on a package of the workspace is an edge of the requirer (uv resolves it to the
    /// member: `uv tree --invert` shows `b -> e1 -> m`). A project whose `pyproject.toml` is
    /// missing or does not parse leads nowhere (uv reports it when it installs).
    fn follow_path_projects(&mut self, root: &Path) {
        let direct = self.direct_path_dependencies();
        let package_dirs: BTreeSet<String> = self.packages.iter().map(|p| p.dir.clone()).collect();
        let mut seen: BTreeMap<(String, usize), bool> = direct
            .iter()
            .map(|d| ((d.dir.clone(), d.package), d.groups_only))
            .collect();
        let mut queue: Vec<PathDependency> = direct;
        let mut read: BTreeMap<String, Option<PyProject>> = BTreeMap::new();
        while let Some(dep) = queue.pop() {
            let project = read.entry(dep.dir.clone()).or_insert_with(|| {
                read_project(
                    root,
                    &crate::model::relpath::join(&dep.dir, "pyproject.toml"),
                )
                .ok()
                .flatten()
            });
            let Some(project) = project.as_ref() else {
                continue;
            };
            let mut next = Vec::new();
            for req in &project.requirements {
                if matches!(req.declared, pyproject::Declared::Group(_)) {
                    continue;
                }
                if let Some(&to) = self.by_distribution.get(&req.name) {
                    if to != dep.package {
                        self.edges[dep.package].push(Edge {
                            to,
                            declared: if dep.groups_only {
                                pyproject::Declared::Group(String::new())
                            } else {
                                pyproject::Declared::Project
                            },
                            extras: req.extras.clone(),
                            line: 0,
                        });
                    }
                    continue;
                }
                let sourced = project
                    .sources
                    .get(&req.name)
                    .into_iter()
                    .flat_map(|s| &s.paths)
                    .filter(|t| !t.starts_with('/'))
                    .map(|t| crate::model::relpath::join(&dep.dir, t));
                // `${PROJECT_ROOT}` is the root of the project uv runs for (the requirer's),
                // not the path project's folder.
                let project_root = self.project_root(&self.packages[dep.package].dir);
                let direct = req
                    .project_root_path()
                    .map(|p| crate::model::relpath::join(project_root, &p));
                next.extend(
                    sourced
                        .chain(direct)
                        .filter_map(|p| crate::model::relpath::normalize_rel(&p)),
                );
            }
            for dir in next {
                if dir.is_empty() || package_dirs.contains(&dir) {
                    continue;
                }
                // New, or reached in full where only a dependency group reached it before.
                let key = (dir.clone(), dep.package);
                let push = match seen.get(&key) {
                    None => true,
                    Some(&groups_only) => groups_only && !dep.groups_only,
                };
                if push {
                    seen.insert(key, dep.groups_only);
                    queue.push(PathDependency {
                        dir,
                        package: dep.package,
                        groups_only: dep.groups_only,
                    });
                }
            }
        }
        self.paths = seen
            .into_iter()
            .map(|((dir, package), groups_only)| PathDependency {
                dir,
                package,
                groups_only,
            })
            .collect();
    }

    /// The deepest Python package (not a PyO3 crate) whose folder holds `path` (a file
    /// relative to the workspace root). The root package (folder "") holds only its own
    /// `pyproject.toml`: the files outside every package stay outside (`docs/python.md`).
    pub fn owner(&self, path: &str) -> Option<usize> {
        self.python_packages()
            .filter(|(_, p)| {
                if p.dir.is_empty() {
                    path == "pyproject.toml"
                } else {
                    path.starts_with(&p.dir) && path.as_bytes().get(p.dir.len()) == Some(&b'/')
                }
            })
            .max_by_key(|(_, p)| p.dir.len())
            .map(|(i, _)| i)
    }
}

/// A project installed through a `[tool.uv.sources]` `path` that is no package of the
/// workspace ([`PythonWorkspace::path_dependencies`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathDependency {
    /// The path source's target relative to the workspace root (a folder, or a wheel or
    /// source archive file).
    pub dir: String,
    /// The requiring package (index into [`PythonWorkspace::packages`]).
    pub package: usize,
    /// Whether only `[dependency-groups]` require it: the package is affected, its dependents
    /// are not (no part of its distribution).
    pub groups_only: bool,
}

/// A PyO3 crate, as discovery needs it: its package name and folder.
#[derive(Debug, Clone)]
pub struct Pyo3Crate {
    pub name: String,
    pub dir: String,
}

/// Find and read the Python packages of the workspace at `root`.
///
/// The packages are: with a `[tool.uv.workspace]` in the root `pyproject.toml`, its members
/// (every folder a `members` glob matches and no `exclude` glob does; each must hold a
/// `pyproject.toml`, as uv insists) and the root when it has a `[project]`; else every
/// `pyproject.toml` with a `[project]` under `config.packages`; and, either way, the
/// `pyproject.toml` of every crate in `pyo3` (one without is named after the crate).
///
/// `known` gives a folder's `pyproject.toml` when the caller parsed it already (the crate
/// walk and load read the crate folders'): the folders uv members name by path are taken from
/// it, else read ([`Beside`]).
///
/// Errors (exit 2, naming the file and line): a `pyproject.toml` that does not parse
/// ([`pyproject::parse`]); a uv member folder without a `pyproject.toml`; a package without a
/// `[project]` table or `name`; two packages with one distribution name.
pub fn discover(
    root: &Path,
    config: &PythonConfig,
    pyo3: &[Pyo3Crate],
    known: &Known,
) -> anyhow::Result<PythonWorkspace> {
    discover_from(Prefetched(None), root, config, pyo3, known)
}

/// What a [`prefetch_for`] job sends: the workspace root (canonical), the configuration it used,
/// and its scan (or the scan's panic); `None` when it found no root or configuration, or the
/// Python half is off.
type Sent = Option<(
    std::path::PathBuf,
    PythonConfig,
    std::thread::Result<anyhow::Result<Scan>>,
)>;

static PREFETCH: std::sync::Mutex<Option<std::sync::mpsc::Receiver<Sent>>> =
    std::sync::Mutex::new(None);

/// What runs beside a [`scan`], and so what it leaves for [`finish`] (which runs once the
/// crates are loaded and can hand over the `pyproject.toml` files they read: [`Known`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Beside {
    /// Nothing: every file is read and parsed by the scan.
    Nothing,
    /// `lint-deps`' crate walk, which keeps both cores busy: the scan leaves the folders uv
    /// members name as plain paths (a monorepo lists each PyO3 crate's folder so, and the
    /// crate walk reads their `pyproject.toml` anyway) and the parse of the files it reads;
    /// [`finish`] runs beside the crate rules, which leave a core idle part of the time.
    CrateWalk,
    /// `affected`'s crate load, which reads every member's `pyproject.toml` too: the scan
    /// leaves the plain-path uv members (so the PyO3 crates' files are not read and parsed
    /// twice) and parses the rest, while git and the crate load run.
    CrateLoad,
}

/// Start [`scan`]ning the workspace `--manifest-path` (or the current folder) names on rayon's
/// pool (whose threads the crate load uses too: a thread of its own cost a fresh allocator
/// heap), so the Python packages are read while the crates load; [`take_prefetched`] takes
/// the result. The job finds the root and reads its configuration itself: the caller goes on
/// at once. Call it from outside the pool (the main thread).
///
/// `beside`: what runs meanwhile, and so what the scan leaves for [`finish`] ([`Beside`]).
/// Nothing is scanned when the root or its configuration cannot be read: the command's own
/// load reports that.
pub fn prefetch_for(manifest_path: Option<&Path>, beside: Beside) {
    let manifest_path = manifest_path.map(Path::to_path_buf);
    prefetch_with(
        move || {
            // The command parses the root manifest too, meanwhile: parsing it here first
            // (twice, with the configuration) held the scan back by about 0.3 ms at 500
            // crates. So the root is guessed from the text ([`crate::model::guess_root_text`]),
            // and the configuration is the default unless the text can set it;
            // [`discover_from`] checks both against the command's own.
            let (root, text) = match crate::model::guess_root_text(manifest_path.as_deref()) {
                Some(found) => found,
                None => {
                    let (root, manifest) =
                        crate::model::find_root_manifest(manifest_path.as_deref()).ok()?;
                    (root, manifest.text().to_string())
                }
            };
            let python = if may_configure_python(&text) {
                crate::config::Config::from_manifest_text(&text, "Cargo.toml")
                    .ok()?
                    .python
            } else {
                PythonConfig::default()
            };
            Some((root, python))
        },
        beside,
    );
}

/// Whether a root manifest's `text` may set `[workspace.metadata.ccworkspace.python]`: it has
/// a key `python` (bare or quoted, followed by `=`, `.` or `]`, as in `[...ccworkspace.python]`,
/// `python.enabled = false` or `{ python = { ... } }`). Without one the configuration is the
/// default, with no parse; a false "yes" (`cpython = ...`) only costs the parse.
fn may_configure_python(text: &str) -> bool {
    text.match_indices("python").any(|(at, key)| {
        let rest = &text[at + key.len()..];
        let rest = rest.strip_prefix(['"', '\'']).unwrap_or(rest);
        rest.trim_start_matches([' ', '\t'])
            .starts_with(['=', '.', ']'])
    })
}

/// Start a job on rayon's pool that finds the root and configuration with `find` and scans it
/// ([`Sent`]); its receiver waits in [`PREFETCH`].
fn prefetch_with(
    find: impl FnOnce() -> Option<(std::path::PathBuf, PythonConfig)> + Send + 'static,
    beside: Beside,
) {
    let (send, receive) = std::sync::mpsc::channel();
    rayon::spawn(move || {
        let prefetched = find()
            .filter(|(_, config)| config.enabled)
            .and_then(|(root, config)| Some((root.canonicalize().ok()?, config)))
            .map(|(dir, config)| {
                let scanned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    scan(&dir, &config, beside)
                }));
                (dir, config, scanned)
            });
        let _ = send.send(prefetched);
    });
    if let Ok(mut slot) = PREFETCH.lock() {
        *slot = Some(receive);
    }
}

/// A scan [`prefetch_for`] started, once finished ([`take_prefetched`]); empty when none was
/// started, it was taken already, or it could not be waited for.
#[derive(Debug)]
pub struct Prefetched(Sent);

/// Wait for the scan [`prefetch_for`] started, and take it (a second call gets an empty
/// [`Prefetched`]).
///
/// A job of rayon's pool never waits, and gets an empty one: the scan, waiting inside its
/// parallel read, runs other jobs of the pool meanwhile, so it can sit below a job that waits
/// for the caller; waiting for it there was a deadlock (it happened; the test
/// `a_job_of_the_pool_never_waits_for_the_prefetched_scan` recreates it). Take it on the main
/// thread before a `rayon::join` whose jobs need it.
pub fn take_prefetched() -> Prefetched {
    let taken = PREFETCH.lock().ok().and_then(|mut slot| slot.take());
    let outside_pool = rayon::current_thread_index().is_none();
    Prefetched(match taken {
        Some(receive) if outside_pool => receive.recv().ok().flatten(),
        _ => None,
    })
}

/// [`discover`], with the `prefetched` scan when it was of this root and configuration (else
/// the scan runs now). `known` gives the folders' `pyproject.toml` the caller parsed already,
/// as for [`discover`]. Errors: [`discover`]'s; a panic of the prefetched scan is resumed here.
pub fn discover_from(
    prefetched: Prefetched,
    root: &Path,
    config: &PythonConfig,
    pyo3: &[Pyo3Crate],
    known: &Known,
) -> anyhow::Result<PythonWorkspace> {
    if !config.enabled {
        return Ok(PythonWorkspace::default());
    }
    let scanned = match prefetched.0 {
        Some((dir, cfg, scanned))
            if root.canonicalize().is_ok_and(|c| c == dir) && cfg == *config =>
        {
            match scanned {
                Ok(scanned) => scanned?,
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        // Another root or configuration, nothing prefetched, or the job never ran.
        _ => scan(root, config, Beside::CrateWalk)?,
    };
    finish(scanned, root, pyo3, known)
}

/// [`discover_from`] the scan [`take_prefetched`] gives (none inside rayon's pool), with the
/// `pyproject.toml` files the caller's crate load parsed already (`known`, as for
/// [`discover`]): `affected`'s call.
pub fn discover_prefetched(
    root: &Path,
    config: &PythonConfig,
    pyo3: &[Pyo3Crate],
    known: &Known,
) -> anyhow::Result<PythonWorkspace> {
    discover_from(take_prefetched(), root, config, pyo3, known)
}

/// The part of [`discover`] that needs no crate, so it can run while the crates load: the
/// root `pyproject.toml`, the Python package folders, and each folder's `pyproject.toml` read
/// and parsed (a folder's error is kept: a PyO3 crate's folder is no Python package).
#[derive(Debug)]
struct Scan {
    root_project: Option<PyProject>,
    uv: Option<pyproject::UvWorkspace>,
    /// The folders read, kept as packages.
    kept: Kept,
    /// Folders left unread ([`Beside`]), with where each was found: [`finish`]
    /// reads them.
    deferred: BTreeMap<String, (String, Missing)>,
    /// Folders a uv `members` glob matches and an `exclude` glob takes out ([`finish`] reads
    /// their names for [`PythonWorkspace::left_out`]).
    excluded: Vec<String>,
}

/// A folder's `pyproject.toml` the caller parsed already ([`discover`]).
pub type Known<'a> = dyn Fn(&str) -> Option<&'a crate::model::Manifest> + Sync + 'a;

/// [`Scan`] the workspace at `root`, leaving for [`finish`] what [`Beside`] says (the
/// plain-path uv members beside a crate walk or load, and the parse beside a crate walk: 4.5%
/// off `lint-deps` at 500 crates and 200 packages, `docs/performance.md`). Errors: the root
/// `pyproject.toml` does not parse, a glob is invalid, a uv member has no `pyproject.toml`.
fn scan(root: &Path, config: &PythonConfig, beside: Beside) -> anyhow::Result<Scan> {
    let root_project = read_project(root, "pyproject.toml")?;
    let uv = root_project.as_ref().and_then(|p| p.uv_workspace.clone());
    // Candidate folders (relative), where each was found (for messages), and what a folder
    // without a `pyproject.toml` means. Each file is opened once, below; whether a folder
    // exists is asked only when its file is missing.
    let mut candidates: BTreeMap<String, (String, Missing)> = BTreeMap::new();
    let mut excluded = Vec::new();
    match &uv {
        Some(ws) => {
            let exclude = uv_exclude(root, &ws.exclude, ws.line)?;
            // uv adds a root with a `[project]` first, and never twice (`.` in `members`).
            let root_is_package = root_project.as_ref().is_some_and(|p| p.name.is_some());
            for pattern in &ws.members {
                let Some(normal) = uv_pattern(root, pattern, "members", ws.line)? else {
                    continue;
                };
                let (matched, literal) =
                    glob_dirs(root, &normal, "pyproject.toml", ws.line, Walk::Uv)?;
                for dir in matched {
                    if exclude.is_match(&dir) {
                        excluded.push(dir);
                        continue;
                    }
                    if dir.is_empty() && root_is_package {
                        continue;
                    }
                    let missing = Missing::UvMember {
                        pattern: pattern.clone(),
                        line: ws.line,
                        literal,
                    };
                    candidates
                        .entry(dir)
                        .or_insert((format!("pyproject.toml:{} (`{pattern}`)", ws.line), missing));
                }
            }
        }
        None => {
            for pattern in &config.packages {
                let matched = if pattern.ends_with("pyproject.toml") {
                    glob_files(root, pattern)?
                } else {
                    glob_dirs(root, pattern, "Cargo.toml", 0, Walk::Packages)?.0
                };
                for dir in matched {
                    candidates.entry(dir).or_insert_with(|| {
                        (
                            format!(
                                "`{pattern}` in [workspace.metadata.ccworkspace.python] packages"
                            ),
                            Missing::Skip,
                        )
                    });
                }
            }
        }
    }
    let (deferred, candidates): (BTreeMap<_, _>, BTreeMap<_, _>) =
        candidates.into_iter().partition(|(_, (_, missing))| {
            beside != Beside::Nothing && matches!(missing, Missing::UvMember { literal: true, .. })
        });
    let read: Vec<(String, anyhow::Result<Option<Read>>)> = candidates
        .par_iter()
        .map(|(dir, _)| {
            let rel = crate::model::relpath::join(dir, "pyproject.toml");
            (
                dir.clone(),
                Read::file(root, rel, beside != Beside::CrateWalk),
            )
        })
        .collect();
    let mut kept = Kept::default();
    for (candidate, (_, project)) in candidates.into_iter().zip(read) {
        kept.place(root, candidate, project)?;
    }
    Ok(Scan {
        root_project,
        uv,
        kept,
        deferred,
        excluded,
    })
}

/// The candidate folders [`scan`] (and [`finish`], for the deferred ones) keep as packages.
#[derive(Debug, Default)]
struct Kept {
    /// Folder -> where it was found (for messages).
    dirs: BTreeMap<String, String>,
    /// Folder -> its `pyproject.toml`, parsed or only read.
    files: BTreeMap<String, anyhow::Result<Read>>,
}

/// A kept folder's `pyproject.toml`: parsed, or only read (by a [`scan`] beside the crate walk;
/// [`finish`] parses it).
#[derive(Debug)]
enum Read {
    Parsed(Box<PyProject>),
    /// The file's path (relative to the root) and text.
    Text(String, String),
}

impl Read {
    /// The `pyproject.toml` at `rel` (relative to `root`), parsed now when `parse`, else only
    /// read; `None` when there is no such file. Errors: [`read_project`]'s (with `parse`), or
    /// [`read_text`]'s.
    fn file(root: &Path, rel: String, parse: bool) -> anyhow::Result<Option<Read>> {
        let Some(text) = read_text(root, &rel)? else {
            return Ok(None);
        };
        Ok(Some(if parse {
            Read::Parsed(Box::new(pyproject::parse(&rel, text)?))
        } else {
            Read::Text(rel, text)
        }))
    }

    /// The parsed file ([`pyproject::parse`]'s errors).
    fn parse(self) -> anyhow::Result<PyProject> {
        match self {
            Read::Parsed(project) => Ok(*project),
            Read::Text(rel, text) => pyproject::parse(&rel, text),
        }
    }
}

impl Kept {
    /// Keep a candidate folder (with where it was found and what a missing file means) with
    /// its `pyproject.toml` as read (`None`: it has none), unless having none means it is no
    /// package. Errors: a uv member without a `pyproject.toml` (uv refuses it too).
    fn place(
        &mut self,
        root: &Path,
        (dir, (found_by, missing)): (String, (String, Missing)),
        project: anyhow::Result<Option<Read>>,
    ) -> anyhow::Result<()> {
        let project = match project {
            Ok(Some(project)) => Ok(project),
            Err(e) => Err(e),
            Ok(None) => match missing {
                Missing::Skip => return Ok(()),
                // What uv skips (uv-workspace's `collect_members_only`): a plain path that
                // names no folder (it matches nothing, as a glob would not), a hidden folder,
                // and a folder whose files are all ignored (`__pycache__` left behind).
                Missing::UvMember { .. }
                    if !root.join(&dir).is_dir()
                        || dir.rsplit('/').next().is_some_and(|n| n.starts_with('.'))
                        || only_ignored_files(&root.join(&dir)) =>
                {
                    return Ok(());
                }
                Missing::UvMember { pattern, line, .. } => {
                    return Err(UserError::new(
                        format!(
                            "pyproject.toml:{line}: the uv workspace member `{dir}` (matched by \
                             `{pattern}`) has no pyproject.toml"
                        ),
                        format!(
                            "add {dir}/pyproject.toml with a [project] table, or add `{dir}` \
                             to `exclude` in [tool.uv.workspace] (uv refuses this workspace \
                             too)"
                        ),
                    )
                    .into());
                }
            },
        };
        self.files.insert(dir.clone(), project);
        self.dirs.insert(dir, found_by);
        Ok(())
    }
}

/// What a candidate folder of [`scan`] without a `pyproject.toml` means.
#[derive(Debug)]
enum Missing {
    /// Matched by a `packages` glob of the configuration: no package there.
    Skip,
    /// A uv workspace member: an error (uv refuses it too), unless `literal` (a plain path)
    /// names no folder at all.
    UvMember {
        pattern: String,
        line: usize,
        literal: bool,
    },
}

/// The `pyproject.toml` at `rel` (relative to `root`), parsed ([`pyproject::parse`]); `None`
/// when there is no such file. Every `pyproject.toml` discovery reads comes through here (the
/// root's, the packages', the PyO3 crates'). Errors: the file cannot be read, is not UTF-8
/// (with the `file:line:column` of the first bad byte: TOML is UTF-8 only), or does not parse.
fn read_project(root: &Path, rel: &str) -> anyhow::Result<Option<PyProject>> {
    match read_text(root, rel)? {
        Some(text) => pyproject::parse(rel, text).map(Some),
        None => Ok(None),
    }
}

/// The text of the `pyproject.toml` at `rel` (relative to `root`); `None` when there is no
/// such file. Errors: [`read_project`]'s, but for the parse.
fn read_text(root: &Path, rel: &str) -> anyhow::Result<Option<String>> {
    let bytes = match crate::fsutil::read_small_bytes(&root.join(rel)) {
        Ok(bytes) => bytes,
        // A folder that is a file (a uv member path naming a regular file: uv skips it) has
        // no `pyproject.toml` either.
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            return Ok(None);
        }
        Err(e) => {
            return Err(UserError::new(
                format!("failed to read {rel}: {e}"),
                "check that the file is readable",
            )
            .into());
        }
    };
    crate::fsutil::utf8_text(rel, bytes).map(Some)
}

/// The rest of [`discover`]: the PyO3 crates' Python sides, the packages, the edges.
fn finish(
    scan: Scan,
    root: &Path,
    pyo3: &[Pyo3Crate],
    known: &Known,
) -> anyhow::Result<PythonWorkspace> {
    let Scan {
        root_project,
        uv,
        mut kept,
        deferred,
        excluded,
    } = scan;
    // The folders the scan left: parsed by the caller already, else read now.
    let read: Vec<_> = deferred
        .into_par_iter()
        .map(|candidate| {
            // Read only: the parse of every kept file follows, in parallel.
            let project = match known(&candidate.0) {
                Some(doc) => pyproject::from_manifest(doc).map(|p| Some(Read::Parsed(Box::new(p)))),
                None => Read::file(
                    root,
                    crate::model::relpath::join(&candidate.0, "pyproject.toml"),
                    false,
                ),
            };
            (candidate, project)
        })
        .collect();
    for (candidate, project) in read {
        kept.place(root, candidate, project)?;
    }
    let Kept { mut dirs, files } = kept;
    let mut parsed: BTreeMap<String, anyhow::Result<PyProject>> = files
        .into_par_iter()
        .map(|(dir, read)| (dir, read.and_then(Read::parse)))
        .collect();
    let pyo3_dirs: BTreeMap<&str, &str> = pyo3
        .iter()
        .map(|c| (c.dir.as_str(), c.name.as_str()))
        .collect();
    // `[tool.uv] managed = false`: uv leaves the folder out of its workspace. A Python
    // package there is none (the packages of a uv workspace are its members); a PyO3 crate's
    // Python side stays its crate's, outside the uv workspace.
    let unmanaged: BTreeSet<String> = match &uv {
        Some(_) => parsed
            .iter()
            .filter(|(_, p)| p.as_ref().is_ok_and(|p| p.uv_managed == Some(false)))
            .map(|(dir, _)| dir.clone())
            .collect(),
        None => BTreeSet::new(),
    };
    // The projects uv leaves out: the unmanaged ones (below) and the excluded ones (read now;
    // a file uv never reads that does not parse names nothing).
    let mut left_out: Vec<(String, LeftOut)> = excluded
        .par_iter()
        .filter(|dir| !pyo3_dirs.contains_key(dir.as_str()))
        .filter_map(|dir| {
            let project = read_project(root, &crate::model::relpath::join(dir, "pyproject.toml"));
            let left = LeftOut {
                dir: dir.clone(),
                excluded: true,
            };
            Some((project.ok()??.distribution()?, left))
        })
        .collect();
    for dir in &unmanaged {
        if !pyo3_dirs.contains_key(dir.as_str()) {
            // uv still reads an unmanaged member's `name` and `requires-python`, and refuses
            // the workspace when the one is missing or the other does not parse.
            if let Some(Ok(p)) = parsed.get(dir) {
                if p.project_line.is_some() && p.name.is_none() {
                    let found_by = dirs.get(dir).map_or("", String::as_str);
                    return Err(nameless(
                        p,
                        found_by,
                        "a uv workspace member (uv refuses it, `managed = false` or not)",
                    ));
                }
                p.check_requires_python()?;
                if let Some(distribution) = p.distribution() {
                    let left = LeftOut {
                        dir: dir.clone(),
                        excluded: false,
                    };
                    left_out.push((distribution, left));
                }
            }
            dirs.remove(dir);
            parsed.remove(dir);
        }
    }
    // The folders uv makes members, before the PyO3 crates' leave `dirs`.
    let mut uv_members: BTreeSet<String> = match &uv {
        Some(_) => dirs
            .keys()
            .filter(|d| !unmanaged.contains(*d))
            .cloned()
            .collect(),
        None => BTreeSet::new(),
    };
    // A PyO3 crate's folder is its crate's, whoever matched it (its file, when the scan read
    // it, is the crate's Python side).
    let mut scanned_sides: BTreeMap<String, anyhow::Result<PyProject>> = BTreeMap::new();
    for c in pyo3 {
        dirs.remove(&c.dir);
        if let Some(project) = parsed.remove(&c.dir) {
            scanned_sides.insert(c.dir.clone(), project);
        }
    }
    let read: Vec<anyhow::Result<Package>> = dirs
        .iter()
        .map(|(dir, found_by)| {
            let rel = crate::model::relpath::join(dir, "pyproject.toml");
            let project = parsed
                .remove(dir)
                .unwrap_or_else(|| Err(anyhow::anyhow!("{rel} was not read")))?;
            let Some(distribution) = project.distribution() else {
                return Err(nameless(&project, found_by, "a Python package"));
            };
            Ok(Package {
                distribution,
                dir: dir.clone(),
                kind: PackageKind::Python,
                project: Some(project),
                maturin_crate: None,
            })
        })
        .collect();
    let mut packages = Vec::with_capacity(read.len() + pyo3.len());
    for p in read {
        packages.push(p?);
    }
    // The PyO3 crates' Python sides, read in parallel too.
    let work: Vec<(&Pyo3Crate, Option<anyhow::Result<PyProject>>)> = pyo3
        .iter()
        .map(|c| (c, scanned_sides.remove(&c.dir)))
        .collect();
    let sides: Vec<anyhow::Result<Package>> = work
        .into_par_iter()
        .map(|(c, scanned)| {
            let project = match scanned {
                Some(project) => Some(project?),
                None => read_project(root, &crate::model::relpath::join(&c.dir, "pyproject.toml"))?,
            };
            let distribution = project
                .as_ref()
                .and_then(PyProject::distribution)
                .unwrap_or_else(|| normalize(&c.name));
            Ok(Package {
                distribution,
                dir: c.dir.clone(),
                kind: PackageKind::Pyo3 {
                    krate: c.name.clone(),
                },
                project,
                maturin_crate: None,
            })
        })
        .collect();
    for side in sides {
        packages.push(side?);
    }
    // uv refuses a member that declares a workspace of its own ("Nested workspaces are not
    // supported"; uv 0.13).
    if uv.is_some()
        && let Some((p, ws)) = packages.iter().find_map(|p| {
            let ws = p.project.as_ref()?.uv_workspace.as_ref()?;
            uv_members.contains(&p.dir).then_some((p, ws))
        })
    {
        return Err(UserError::new(
            format!(
                "{}:{}: the uv workspace member {} declares a [tool.uv.workspace] of its own",
                p.pyproject_path(),
                ws.line,
                p.dir
            ),
            format!(
                "remove [tool.uv.workspace] from {} (uv refuses nested workspaces), or keep the \
                 folder out of the root's `members`",
                p.pyproject_path()
            ),
        )
        .into());
    }
    // The root package of a uv workspace (a `[project]` in the root `pyproject.toml`).
    let mut root_project = root_project;
    // uv reads the root's `[project]` as the workspace's root project, and refuses one
    // without a static `name` ("the required `project.name` field is not set"; uv 0.13).
    if uv.is_some()
        && let Some(p) = &root_project
        && let Some(line) = p.project_line
        && p.name.is_none()
    {
        return Err(UserError::new(
            format!(
                "{}:{line}: the root project of the uv workspace has a [project] table without                  a static `name` (uv refuses the file: \"the required `project.name` field is \
                 not set\")",
                p.path()
            ),
            "add `name = \"...\"` to [project] (PyPA's pyproject.toml specification: the name \
             is never `dynamic`), or remove the [project] table to make the root a virtual \
             workspace root",
        )
        .into());
    }
    if uv.is_some()
        && let Some(distribution) = root_project.as_ref().and_then(PyProject::distribution)
        && !pyo3_dirs.contains_key("")
    {
        uv_members.insert(String::new());
        packages.push(Package {
            distribution,
            dir: String::new(),
            kind: PackageKind::Python,
            project: root_project.take(),
            maturin_crate: None,
        });
    }
    // Folders are unique: an in-place sort (no buffer of 300-odd packages to allocate).
    packages.sort_unstable_by(|a, b| a.dir.cmp(&b.dir));
    for p in &mut packages {
        p.maturin_crate = p.find_maturin_crate(root);
    }
    built_elsewhere(&mut packages);
    let mut by_distribution: BTreeMap<String, usize> = BTreeMap::new();
    for (i, p) in packages.iter().enumerate() {
        if let Some(&other) = by_distribution.get(&p.distribution) {
            let other = &packages[other];
            return Err(UserError::new(
                format!(
                    "{} and {} both name the distribution `{}`",
                    other.pyproject_path(),
                    p.pyproject_path(),
                    p.distribution
                ),
                "give each Python package and PyO3 crate its own `[project] name` (uv refuses \
                 two workspace members with one name)",
            )
            .into());
        }
        by_distribution.insert(p.distribution.clone(), i);
    }
    let edges = packages
        .iter()
        .map(|p| {
            p.project
                .iter()
                .flat_map(|proj| &proj.requirements)
                .filter_map(|r| {
                    let to = *by_distribution.get(&r.name)?;
                    Some(Edge {
                        to,
                        declared: r.declared.clone(),
                        extras: r.extras.clone(),
                        line: r.line,
                    })
                })
                .chain(maturin_build_edge(&packages, p))
                .collect()
        })
        .collect();
    let left_out = left_out
        .into_iter()
        .filter(|(distribution, _)| !by_distribution.contains_key(distribution))
        .collect();
    let mut found = PythonWorkspace {
        root: root_project,
        uv_workspace: uv.is_some(),
        packages,
        by_distribution,
        edges,
        uv_members,
        root_python: None,
        left_out,
        paths: Vec::new(),
        own_uv_members: BTreeMap::new(),
    };
    if !found.uv_workspace {
        found.own_uv_members = own_uv_members(&found.packages, root);
    }
    found.follow_path_projects(root);
    Ok(found)
}

/// [`PythonWorkspace::own_uv_members`] of `packages` (sorted by folder), under `root`. A glob
/// uv would refuse makes no member here (uv, run in that package, reports it).
fn own_uv_members(packages: &[Package], root: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for p in packages {
        let Some(ws) = p
            .project
            .as_ref()
            .and_then(|proj| proj.uv_workspace.as_ref())
        else {
            continue;
        };
        let Ok(globs) = UvGlobs::new(&root.join(&p.dir), &ws.members, &ws.exclude, ws.line) else {
            out.insert(p.dir.clone(), BTreeSet::new());
            continue;
        };
        let members: BTreeSet<String> = packages
            .iter()
            .filter_map(|q| {
                let rel = if p.dir.is_empty() {
                    q.dir.as_str()
                } else {
                    q.dir.strip_prefix(p.dir.as_str())?.strip_prefix('/')?
                };
                if rel.is_empty() {
                    return None;
                }
                let (excluded, member) = globs.membership(rel);
                (member && !excluded).then(|| q.dir.clone())
            })
            .collect();
        out.insert(p.dir.clone(), members);
    }
    out
}

/// The error (exit 2) for a `pyproject.toml` without a `[project] name` that `found_by`
/// (where it was found, for the message) makes `role` (`a Python package`): the name listed
/// in `[project] dynamic` (PyPA's specification forbids it), a `[project]` without one, or no
/// `[project]` at all.
fn nameless(project: &PyProject, found_by: &str, role: &str) -> anyhow::Error {
    use crate::model::manifest::NodeExt as _;
    let dynamic = project.tree().is_some_and(|tree| {
        tree.root()
            .get("project")
            .and_then(|p| p.get("dynamic"))
            .and_then(|d| d.as_array())
            .is_some_and(|d| d.iter().any(|n| n.as_str() == Some("name")))
    });
    let what = if dynamic {
        "lists `name` in `[project] dynamic`, which PyPA's pyproject.toml specification forbids (the name must be static)"
    } else if project.project_line.is_some() {
        "has a [project] table without a `name`"
    } else {
        "has no [project] table"
    };
    UserError::new(
        format!(
            "{}:1: {what}, but {found_by} makes it {role}",
            project.path()
        ),
        "give it `[project]` with `name = \"...\"` (PyPA's pyproject.toml specification), or keep \
         it out of the packages (`exclude` in [tool.uv.workspace], or the `packages` globs in \
         [workspace.metadata.ccworkspace.python])",
    )
    .into()
}

/// A PyO3 crate without a `pyproject.toml` of its own whose wheel a maturin project elsewhere
/// builds under the crate's name (`DAGs/python/ca_py` with `manifest-path =
/// "../../rust/ca_py/Cargo.toml"` and `name = "ca_py"`, maturin's layout for a mixed project):
/// that project is the distribution (uv locks it, maturin builds it), so the crate's node gives
/// up the name it would otherwise stand for, and keeps a key no requirement can name (`ca-py
/// (crate DAGs/rust/ca_py)`); the project's build edge ([`maturin_build_edge`]) still joins
/// them. `packages` sorted by folder.
fn built_elsewhere(packages: &mut [Package]) {
    let built: Vec<(String, String)> = packages
        .iter()
        .filter(|p| p.kind == PackageKind::Python)
        .filter_map(|p| Some((p.maturin_crate_dir()?, p.distribution.clone())))
        .collect();
    for (dir, distribution) in built {
        if let Ok(i) = packages.binary_search_by(|q| q.dir.as_str().cmp(&dir))
            && matches!(packages[i].kind, PackageKind::Pyo3 { .. })
            && packages[i].project.is_none()
            && packages[i].distribution == distribution
        {
            packages[i].distribution = format!("{distribution} (crate {dir})");
        }
    }
}

/// A maturin project outside its crate's folder (`[tool.maturin] manifest-path =
/// "../../rust/ca_py/Cargo.toml"`, maturin's layout for a mixed Rust/Python project) builds
/// that PyO3 crate into its own wheel: an edge to the crate, as if it required the crate's
/// distribution, so a change to the crate's build reaches the project and its dependents.
fn maturin_build_edge(packages: &[Package], p: &Package) -> Option<Edge> {
    if p.kind != PackageKind::Python {
        return None;
    }
    let dir = p.maturin_crate_dir()?;
    let line = p.project.as_ref()?.maturin_manifest.as_ref()?.line;
    let to = packages
        .iter()
        .position(|q| q.dir == dir && matches!(q.kind, PackageKind::Pyo3 { .. }))?;
    Some(Edge {
        to,
        declared: Declared::Project,
        extras: Vec::new(),
        line,
    })
}

fn glob(pattern: &str, file: &str, line: usize) -> anyhow::Result<globset::Glob> {
    let at = if line == 0 {
        "Cargo.toml: [workspace.metadata.ccworkspace.python] packages".to_string()
    } else {
        format!("{file}:{line}")
    };
    folder_glob(pattern, &at)
}

/// A glob of folders as uv reads a `[tool.uv.workspace] members` entry (after [`uv_pattern`])
/// and this tool its `packages`: relative to the root, a leading `./` and a trailing `/`
/// ignored, `*` never crossing a `/` (`exclude` differs: [`uv_exclude`]). Errors: an invalid
/// glob, located by `at`.
fn folder_glob(pattern: &str, at: &str) -> anyhow::Result<globset::Glob> {
    globset::GlobBuilder::new(pattern.trim_start_matches("./").trim_end_matches('/'))
        .literal_separator(true)
        .build()
        .map_err(|e| {
            UserError::new(
                format!("{at}: invalid glob `{pattern}`: {e}"),
                "fix the pattern (`*` matches within one folder, `**` across folders)",
            )
            .into()
        })
}

/// The folders under `root` (relative, `/`-separated, without `.git`, `target`, `.venv` and
/// `node_modules`) that `pattern` matches, and whether `pattern` is a plain folder path (then
/// the one folder is returned unchecked: the caller reads its file, and asks whether the
/// folder exists only when that fails).
fn glob_dirs(
    root: &Path,
    pattern: &str,
    file: &str,
    line: usize,
    walk: Walk,
) -> anyhow::Result<(Vec<String>, bool)> {
    // As the matcher reads it: no leading `./` (the walk below matches component by component).
    let trimmed = pattern.trim_start_matches("./");
    // A plain folder path (uv workspaces list each PyO3 crate's folder so): no walk, and no
    // glob to build (none of globset's special characters, so it cannot be invalid either).
    let literal = trimmed.trim_end_matches('/');
    if !literal.contains(['*', '?', '[', ']', '{', '}', '\\']) {
        let kept = match walk {
            // uv's `glob` yields the root itself for `.` (the caller decides).
            Walk::Uv => true,
            Walk::Packages => {
                !literal.is_empty() && !literal.split('/').any(|c| c != ".." && skipped_name(c))
            }
        };
        return Ok((
            if kept {
                vec![literal.to_string()]
            } else {
                Vec::new()
            },
            true,
        ));
    }
    // Checked (an invalid glob is an error at its line) before anything is walked.
    let glob = glob(pattern, file, line)?;
    let pattern = trimmed;
    let depth = if pattern.contains("**") {
        usize::MAX
    } else {
        pattern.trim_end_matches('/').split('/').count()
    };
    let mut out = Vec::new();
    let prefix = literal_prefix(pattern);
    // When every component is a step (`*/python/*`), the walk checks each one on the way down,
    // so a folder at the pattern's depth matches: no matcher (a regex) to build.
    let matcher = (prefix.len() != depth).then(|| glob.compile_matcher());
    let matches = |rel: &str| match &matcher {
        Some(m) => m.is_match(rel),
        None => rel.split('/').count() == depth,
    };
    let mut walker = Walker::new(root, walk);
    walker.walk("", depth, &prefix, &mut |rel| {
        if matches(rel) {
            out.push(rel.to_string());
        }
    })?;
    // uv's walk yields a link to nothing that the pattern matches, then fails to read it
    // ("failed to query metadata of file").
    if let Some(link) = walker.dangling.iter().find(|l| matches(l)) {
        return Err(UserError::new(
            format!(
                "{file}:{line}: the uv workspace member `{link}` (matched by `{pattern}`) is a \
                 link to nothing"
            ),
            "remove the link or point it at the package's folder (uv refuses this workspace \
             too)",
        )
        .into());
    }
    Ok((out, false))
}

/// The folders of the `pyproject.toml` files under `root` that `pattern` matches.
fn glob_files(root: &Path, pattern: &str) -> anyhow::Result<Vec<String>> {
    let matcher = glob(pattern, "Cargo.toml", 0)?.compile_matcher();
    let pattern = pattern.trim_start_matches("./");
    let mut out = Vec::new();
    let prefix = literal_prefix(pattern);
    Walker::new(root, Walk::Packages).walk("", usize::MAX, &prefix, &mut |rel| {
        let file = crate::model::relpath::join(rel, "pyproject.toml");
        if matcher.is_match(&file) && root.join(&file).is_file() {
            out.push(rel.to_string());
        }
    })?;
    Ok(out)
}

/// Folders never walked for Python packages: version control, build output, environments.
const SKIPPED: &[&str] = &[
    ".git",
    "target",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
];

/// One step per leading path component of `pattern` before any `**` (`*/python/**` -> `*`,
/// `python`): a folder whose name fails the step of its depth can neither match nor hold a
/// match, so the walk does not enter it. Without this, `*/python/**/pyproject.toml` walked
/// every folder of the monorepo (tens of milliseconds at 500 crates). A pattern with braces
/// (which may hold a `/`) is not split.
fn literal_prefix(pattern: &str) -> Vec<Step> {
    if pattern.contains('{') {
        return Vec::new();
    }
    pattern
        .trim_end_matches('/')
        .split('/')
        .take_while(|c| !c.contains("**"))
        .map_while(|c| {
            if !c.contains(['*', '?', '[', '\\']) {
                return Some(Step::Literal(c.to_string()));
            }
            if c == "*" {
                return Some(Step::Any);
            }
            globset::GlobBuilder::new(c)
                .literal_separator(true)
                .build()
                .ok()
                .map(|g| Step::Glob(g.compile_matcher()))
        })
        .collect()
}

/// One component of a pattern's leading part ([`literal_prefix`]).
enum Step {
    /// A plain name (`python`): the walk enters that one folder without listing its parent
    /// (one `lstat` instead of reading the parent folder).
    Literal(String),
    /// `*`: every name (the walk skips hidden folders anyway).
    Any,
    Glob(globset::GlobMatcher),
}

/// Whether the walk skips a folder of this name: version control, build output, environments
/// ([`SKIPPED`]) and hidden folders.
fn skipped_name(name: &str) -> bool {
    SKIPPED.contains(&name) || (name.starts_with('.') && name != ".")
}

/// How a glob's folders are walked.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Walk {
    /// The `packages` globs of this tool's configuration: version control, build output,
    /// environments and hidden folders are never entered ([`SKIPPED`]), links never followed.
    Packages,
    /// `[tool.uv.workspace] members`, as uv's `glob` walks them: every folder, hidden ones
    /// too, and links to folders followed (each target once, so a link loop ends).
    Uv,
}

/// One walk of [`glob_dirs`]/[`glob_files`] under `root`.
struct Walker<'a> {
    root: &'a Path,
    walk: Walk,
    /// Canonical targets of the links entered ([`Walk::Uv`]).
    links: BTreeSet<std::path::PathBuf>,
    /// Links to nothing met on the way ([`Walk::Uv`]; relative), which uv refuses when its
    /// pattern matches one.
    dangling: Vec<String>,
}

impl<'a> Walker<'a> {
    fn new(root: &'a Path, walk: Walk) -> Self {
        Walker {
            root,
            walk,
            links: BTreeSet::new(),
            dangling: Vec::new(),
        }
    }

    /// Whether the walk enters the folder `name` at `child` (relative), given whether its
    /// listing entry is a folder and a link.
    fn enters(&mut self, name: &str, child: &str, is_dir: bool, is_link: bool) -> bool {
        match self.walk {
            Walk::Packages => is_dir && !is_link && !skipped_name(name),
            Walk::Uv if is_link => match std::fs::canonicalize(self.root.join(child)) {
                Ok(target) => target.is_dir() && self.links.insert(target),
                Err(_) => {
                    self.dangling.push(child.to_string());
                    false
                }
            },
            Walk::Uv => is_dir,
        }
    }

    fn walk(
        &mut self,
        rel: &str,
        depth: usize,
        prefix: &[Step],
        visit: &mut dyn FnMut(&str),
    ) -> anyhow::Result<()> {
        if depth == 0 {
            return Ok(());
        }
        let (here, below) = match prefix.split_first() {
            Some((m, rest)) => (Some(m), rest),
            None => (None, prefix),
        };
        if let Some(Step::Literal(name)) = here {
            // One `lstat` instead of listing the parent.
            let child = crate::model::relpath::join(rel, name);
            let meta = std::fs::symlink_metadata(self.root.join(&child));
            let (is_dir, is_link) =
                meta.map_or((false, false), |m| (m.is_dir(), m.file_type().is_symlink()));
            if self.enters(name, &child, is_dir, is_link) {
                visit(&child);
                self.walk(&child, depth - 1, below, visit)?;
            }
            return Ok(());
        }
        let Ok(read) = std::fs::read_dir(self.root.join(rel)) else {
            return Ok(());
        };
        let mut children: BTreeSet<String> = BTreeSet::new();
        for entry in read.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if !kind.is_dir() && !kind.is_symlink() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(Step::Glob(m)) = here
                && !m.is_match(&name)
            {
                continue;
            }
            let child = crate::model::relpath::join(rel, &name);
            if self.enters(&name, &child, kind.is_dir(), kind.is_symlink()) {
                children.insert(child);
            }
        }
        for child in children {
            visit(&child);
            self.walk(&child, depth - 1, below, visit)?;
        }
        Ok(())
    }
}

/// `[tool.uv.workspace]` `members` or `exclude` entry (`what`, at `line` of the root
/// `pyproject.toml`) as uv reads it (uv-workspace's `collect_members_only` and
/// `WorkspaceExclusions`): joined to the root and normalised by path components (`./`, `.`,
/// `..`, doubled and trailing `/`; `../<root's name>/py/*` comes back inside), made relative to
/// the root (`""` is the root; an absolute pattern whose first components match the root's
/// path as globs, `/tmp/*/repo/py/*`, is made relative too), and written in globset's syntax for what uv's `glob` crate
/// means ([`uv_glob_as_globset`]). `None` for an entry that leaves the root (`../ext`, an
/// absolute path elsewhere): uv accepts such a member, but it is outside the repository, so no
/// change of the repository reaches it and this tool does not read it. Errors (exit 2): a
/// pattern the `glob` crate refuses (`py/***`, `py/a**`, `py/[a`), which uv refuses too.
fn uv_pattern(
    root: &Path,
    pattern: &str,
    what: &str,
    line: usize,
) -> anyhow::Result<Option<String>> {
    if let Err(e) = glob::Pattern::new(pattern) {
        return Err(UserError::new(
            format!(
                "pyproject.toml:{line}: invalid glob `{pattern}` in [tool.uv.workspace] {what}: {}",
                e.msg
            ),
            "fix the pattern (uv reads it with the `glob` crate and refuses it too): `*` and `?` \
             match within a folder name, `**` is a path component of its own, `[!...]` negates \
             a class",
        )
        .into());
    }
    // Component by component, as uv's `normalize_path` does after joining the root; `\` is
    // no separator here (uv's `glob` takes it literally on Unix). The root as given first; its
    // canonical path (a few `readlink`s) only when that does not hold the pattern.
    let roots = std::iter::once(Some(root.to_path_buf()))
        .chain(std::iter::once_with(|| root.canonicalize().ok()))
        .flatten();
    for r in roots {
        let base = r.to_string_lossy().into_owned();
        let root_parts = crate::model::relpath::components(&base).unwrap_or_default();
        let joined = if Path::new(pattern).is_absolute() {
            pattern.to_string()
        } else {
            format!("{base}/{pattern}")
        };
        let Some(parts) = crate::model::relpath::components(&joined) else {
            continue;
        };
        if let Some(rest) = parts.strip_prefix(root_parts.as_slice()) {
            return Ok(Some(uv_glob_as_globset(&rest.join("/"))));
        }
        // An absolute pattern with wildcards in the root's own part (`/tmp/*/repo/py/*`,
        // `/**/py/b`): its components match the root's one by one, up to a `**`, which takes
        // the rest of the root's path (and any folders below it) with it.
        if Path::new(pattern).is_absolute() {
            let matches = |p: &str, r: &str| glob::Pattern::new(p).is_ok_and(|g| g.matches(r));
            let k = parts
                .iter()
                .zip(&root_parts)
                .take_while(|(p, r)| **p != "**" && matches(p, r))
                .count();
            if k == root_parts.len() || parts.get(k).is_some_and(|p| *p == "**") {
                return Ok(Some(uv_glob_as_globset(&parts[k..].join("/"))));
            }
        }
    }
    Ok(None)
}

/// A pattern of uv's `glob` crate (checked by `glob::Pattern::new`) in globset's syntax, so
/// the walk and globset match what uv matches: `\` is a plain character (the `glob` crate has
/// no escape; globset's would drop it), `{` and `}` too (no alternation in `glob`), and a class
/// `[^...]` is a class of `^` and the rest (only `[!...]` negates in `glob`; globset negates
/// both), so its `^` moves away from the front (`[^a]` -> `[a^]`, `[^]` -> `\^`,
/// `[^-c]` -> `[_-c^]`).
fn uv_glob_as_globset(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len());
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => out.push_str("\\\\"),
            '{' => out.push_str("[{]"),
            '}' => out.push_str("[}]"),
            '[' => {
                // The `glob` crate's class: `[`, an optional `!`, a first `]` that is a member,
                // then members up to the next `]`.
                let negated = chars.get(i + 1) == Some(&'!');
                let start = i + 1 + usize::from(negated);
                let mut end = start + usize::from(chars.get(start) == Some(&']'));
                while end < chars.len() && chars[end] != ']' {
                    end += 1;
                }
                if end >= chars.len() {
                    // No class (`glob::Pattern::new` refuses an unclosed one): a plain `[`.
                    out.push_str("[[]");
                    i += 1;
                    continue;
                }
                let members: String = chars[start..end].iter().collect();
                match members.strip_prefix('^').filter(|_| !negated) {
                    Some("") => out.push_str("\\^"),
                    Some(rest) => {
                        out.push('[');
                        // `^-c`: the range from `^`, now from the character after it.
                        match rest.strip_prefix('-').filter(|r| !r.is_empty()) {
                            Some(range) => {
                                let (hi, tail) =
                                    range.split_at(range.chars().next().map_or(0, char::len_utf8));
                                out.push_str(tail);
                                out.push_str("_-");
                                out.push_str(hi);
                            }
                            None => out.push_str(rest),
                        }
                        out.push_str("^]");
                    }
                    None => {
                        out.push('[');
                        if negated {
                            out.push('!');
                        }
                        out.push_str(&members);
                        out.push(']');
                    }
                }
                i = end + 1;
                continue;
            }
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// The `exclude` globs of a uv workspace, matched as uv matches them: on the member's path
/// relative to the root, a `*` crossing `/` too (`glob::Pattern::matches_path` with its
/// default options). Errors: [`uv_pattern`]'s, and an invalid glob at the table's line.
fn uv_exclude(root: &Path, patterns: &[String], line: usize) -> anyhow::Result<globset::GlobSet> {
    let mut b = globset::GlobSetBuilder::new();
    for p in patterns {
        let Some(normal) = uv_pattern(root, p, "exclude", line)? else {
            continue;
        };
        b.add(
            globset::GlobBuilder::new(&normal)
                .literal_separator(false)
                .build()
                .map_err(|e| {
                    UserError::new(
                        format!("pyproject.toml:{line}: invalid glob `{p}` in [tool.uv.workspace] exclude: {e}"),
                        "fix the pattern (`*` matches any part of a path here, as uv reads `exclude`)",
                    )
                })?,
        );
    }
    Ok(b.build()?)
}

/// Whether `dir` (relative to `root`) is excluded by `exclude` and matched by `members` of a
/// uv workspace, read as discovery reads them ([`UvGlobs`]): what `new` asks before it
/// registers a folder. Errors: an invalid or outside glob.
pub(crate) fn uv_membership(
    root: &Path,
    members: &[String],
    exclude: &[String],
    line: usize,
    dir: &str,
) -> anyhow::Result<(bool, bool)> {
    Ok(UvGlobs::new(root, members, exclude, line)?.membership(dir))
}

/// A uv workspace's `members` and `exclude` globs (of the `pyproject.toml` at `root`, at
/// `line`), compiled once as discovery reads them ([`uv_pattern`], [`uv_exclude`]), to ask of
/// many folders.
struct UvGlobs {
    exclude: globset::GlobSet,
    members: Vec<globset::GlobMatcher>,
}

impl UvGlobs {
    /// Errors: an invalid glob (at `line`).
    fn new(
        root: &Path,
        members: &[String],
        exclude: &[String],
        line: usize,
    ) -> anyhow::Result<Self> {
        let line = line.max(1);
        let mut matchers = Vec::new();
        for m in members {
            if let Some(normal) = uv_pattern(root, m, "members", line)? {
                matchers.push(glob(&normal, "pyproject.toml", line)?.compile_matcher());
            }
        }
        Ok(UvGlobs {
            exclude: uv_exclude(root, exclude, line)?,
            members: matchers,
        })
    }

    /// (`dir` is excluded, `dir` is matched by a `members` glob); `dir` relative to the root.
    fn membership(&self, dir: &str) -> (bool, bool) {
        (
            self.exclude.is_match(dir),
            self.members.iter().any(|m| m.is_match(dir)),
        )
    }
}

/// Whether every file under `dir` is ignored (`.gitignore` inside a git repository, git's
/// global and `info/exclude` files, `.ignore`): uv's `has_only_gitignored_files`, with the same
/// `ignore` walk, so a member folder left with only `__pycache__` is skipped as uv skips it.
/// An empty folder has no file that is not ignored.
fn only_ignored_files(dir: &Path) -> bool {
    let walker = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .parents(true)
        .ignore(true)
        .git_ignore(true)
        .git_global(true)
        .git_exclude(true)
        .build();
    for entry in walker {
        let Ok(entry) = entry else {
            return false;
        };
        if !entry.path().is_dir() {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsutil::tests::write;

    /// The packages' distribution names, in the workspace's order.
    fn distributions(ws: &PythonWorkspace) -> Vec<&str> {
        ws.packages
            .iter()
            .map(|p| p.distribution.as_str())
            .collect()
    }

    /// [`prefetch_for`] with a root and configuration given.
    fn prefetch(root: &Path, config: &PythonConfig) {
        let found = (root.to_path_buf(), config.clone());
        prefetch_with(move || Some(found), Beside::Nothing);
    }

    /// A root manifest whose text has no `python` key gets the default configuration without
    /// a parse; every text that sets one is parsed (checked against the parse).
    #[test]
    fn only_a_text_with_a_python_key_can_configure_python() {
        let cases = [
            (
                "[workspace.metadata.ccworkspace.python]\nenabled = false\n",
                true,
            ),
            (
                "[workspace.metadata.ccworkspace]\npython.enabled = false\n",
                true,
            ),
            (
                "[workspace.metadata.ccworkspace]\npython = { packages = [\"x/*\"] }\n",
                true,
            ),
            (
                "[workspace.metadata.ccworkspace]\n\"python\" = { enabled = false }\n",
                true,
            ),
            (
                "[workspace.metadata]\nccworkspace.python.enabled = false\n",
                true,
            ),
            (
                "[[workspace.metadata.ccworkspace.affected.path-rule]]\nglobs = [\"d00/python/**\"]\nmark-changed = [\"domain:d00\"]\n",
                false,
            ),
            (
                "[workspace.metadata.ccworkspace.docker]\npython-version = \"3.12\"\n",
                false,
            ),
            (
                "[workspace.dependencies]\npyo3 = { version = \"0.23\", features = [\"python3-dll-a\"] }\n",
                false,
            ),
        ];
        for (tail, may) in cases {
            let text = format!("[workspace]\nmembers = []\n{tail}");
            assert_eq!(may_configure_python(&text), may, "{text}");
            let parsed = crate::config::Config::from_manifest_text(&text, "Cargo.toml").unwrap();
            if !may {
                assert_eq!(parsed.python, PythonConfig::default(), "{text}");
            } else {
                assert_ne!(parsed.python, PythonConfig::default(), "{text}");
            }
        }
    }

    #[test]
    fn config_globs_find_packages_and_edges() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            root,
            &[
                (
                    "DAGs/python/orch/pyproject.toml",
                    "[project]\nname = \"Orch\"\nversion = \"0.1.0\"\ndependencies = [\"citychain-dags>=0.1\", \"core\"]\n",
                ),
                (
                    "DAGs/python/deep/x/pyproject.toml",
                    "[project]\nname = \"x\"\nversion = \"0.1.0\"\n[dependency-groups]\ndev = [\"orch\"]\n",
                ),
                (
                    "shared/python/core/pyproject.toml",
                    "[project]\nname = \"core\"\nversion = \"0.1.0\"\n",
                ),
                ("DAGs/python/tests/conftest.py", ""),
                (
                    "DAGs/rust/dag_py/pyproject.toml",
                    "[project]\nname = \"citychain_dags\"\nversion = \"0.1.0\"\n",
                ),
                ("login/rust/login_py/Cargo.toml", ""),
            ],
        );
        let pyo3 = [
            Pyo3Crate {
                name: "dag_py".into(),
                dir: "DAGs/rust/dag_py".into(),
            },
            Pyo3Crate {
                name: "login_py".into(),
                dir: "login/rust/login_py".into(),
            },
        ];
        let ws = discover(root, &PythonConfig::default(), &pyo3, &|_| None).unwrap();
        let names: Vec<(&str, &str)> = ws
            .packages
            .iter()
            .map(|p| (p.dir.as_str(), p.distribution.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("DAGs/python/deep/x", "x"),
                ("DAGs/python/orch", "orch"),
                ("DAGs/rust/dag_py", "citychain-dags"),
                ("login/rust/login_py", "login-py"),
                ("shared/python/core", "core"),
            ]
        );
        let orch = ws.by_distribution["orch"];
        let deps: Vec<&str> = ws.edges[orch]
            .iter()
            .map(|e| ws.packages[e.to].distribution.as_str())
            .collect();
        assert_eq!(deps, ["citychain-dags", "core"]);
        let x = ws.by_distribution["x"];
        assert_eq!(ws.edges[x][0].declared, Declared::Group("dev".into()));
        assert_eq!(ws.owner("DAGs/python/deep/x/src/a.py"), Some(x));
        assert_eq!(ws.owner("DAGs/python/orch/a.py"), Some(orch));
        assert_eq!(ws.owner("DAGs/python/tests/conftest.py"), None);
        assert_eq!(
            ws.owner("DAGs/rust/dag_py/x.py"),
            None,
            "a crate's files are the crate's"
        );
        assert_eq!(
            ws.packages[ws.by_distribution["login-py"]].kind,
            PackageKind::Pyo3 {
                krate: "login_py".into()
            }
        );
    }

    #[test]
    fn uv_members_win_and_are_checked() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            root,
            &[
                (
                    "pyproject.toml",
                    "[project]\nname = \"mono\"\nversion = \"0.1.0\"\n[tool.uv.workspace]\nmembers = [\"pkgs/*\"]\nexclude = [\"pkgs/old\"]\n",
                ),
                (
                    "pkgs/a/pyproject.toml",
                    "[project]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\"mono\"]\n",
                ),
                ("pkgs/old/pyproject.toml", "[tool.ruff]\n"),
                (
                    "DAGs/python/ignored/pyproject.toml",
                    "[project]\nname = \"ignored\"\nversion = \"0.1.0\"\n",
                ),
            ],
        );
        let ws = discover(root, &PythonConfig::default(), &[], &|_| None).unwrap();
        let names = distributions(&ws);
        assert_eq!(names, ["mono", "a"]);
        assert!(ws.uv_workspace);
        // A leading `./` is the same glob (uv joins it to the root), for `init`/`new` too.
        let dotted = "[project]\nname = \"mono\"\nversion = \"0.1.0\"\n[tool.uv.workspace]\nmembers = [\"./pkgs/*\"]\nexclude = [\"./pkgs/old\"]\n";
        let plain = std::fs::read_to_string(root.join("pyproject.toml")).unwrap();
        std::fs::write(root.join("pyproject.toml"), dotted).unwrap();
        let again = discover(root, &PythonConfig::default(), &[], &|_| None).unwrap();
        let again = distributions(&again);
        assert_eq!(again, names);
        std::fs::write(root.join("pyproject.toml"), plain).unwrap();
        let uv = crate::init::uv::UvWorkspace {
            members: vec!["./pkgs/*".into()],
            exclude: vec!["./pkgs/old".into()],
            line: 3,
        };
        assert_eq!(
            uv.membership(root, "pkgs/a").unwrap(),
            crate::init::uv::Membership::Member
        );
        assert_eq!(
            uv.membership(root, "pkgs/old").unwrap(),
            crate::init::uv::Membership::Excluded
        );
        assert_eq!(ws.owner("pyproject.toml"), Some(0));
        assert_eq!(ws.owner("README.md"), None);
        // A member folder without a pyproject.toml: refused when it holds a file that is not
        // ignored, skipped when it is empty, hidden, or holds only ignored files (as uv 0.13
        // does: each case checked with `uv lock` by hand).
        std::fs::create_dir_all(root.join("pkgs/empty")).unwrap();
        std::fs::create_dir_all(root.join("pkgs/.cache")).unwrap();
        std::fs::write(root.join("pkgs/.cache/x"), "x").unwrap();
        assert_eq!(
            distributions(&discover(root, &PythonConfig::default(), &[], &|_| None).unwrap()),
            ["mono", "a"]
        );
        std::fs::write(root.join("pkgs/empty/README"), "x").unwrap();
        let err = discover(root, &PythonConfig::default(), &[], &|_| None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("pyproject.toml:4: the uv workspace member `pkgs/empty`"),
            "{err}"
        );
        std::fs::write(root.join("pkgs/empty/.ignore"), "*\n").unwrap();
        assert!(discover(root, &PythonConfig::default(), &[], &|_| None).is_ok());
        std::fs::remove_dir_all(root.join("pkgs/empty")).unwrap();
        std::fs::remove_dir_all(root.join("pkgs/.cache")).unwrap();
        // A plain folder path is read without a walk: a folder that does not exist matches
        // nothing (as a glob would not), one without a pyproject.toml is refused (as uv does).
        let literal = "[project]\nname = \"mono\"\nversion = \"0.1.0\"\n[tool.uv.workspace]\nmembers = [\"pkgs/a\", \"pkgs/gone\"]\n";
        std::fs::write(root.join("pyproject.toml"), literal).unwrap();
        let ws = discover(root, &PythonConfig::default(), &[], &|_| None).unwrap();
        let names = distributions(&ws);
        assert_eq!(names, ["mono", "a"]);
        std::fs::create_dir_all(root.join("pkgs/gone")).unwrap();
        std::fs::write(root.join("pkgs/gone/notes.txt"), "x").unwrap();
        let err = discover(root, &PythonConfig::default(), &[], &|_| None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("the uv workspace member `pkgs/gone` (matched by `pkgs/gone`)"),
            "{err}"
        );
    }

    #[test]
    fn a_package_without_a_project_or_a_twice_used_name_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            root,
            &[(
                "a/python/x/pyproject.toml",
                "[tool.ruff]\nline-length = 1\n",
            )],
        );
        let err = discover(root, &PythonConfig::default(), &[], &|_| None)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("a/python/x/pyproject.toml:1: has no [project] table"),
            "{err}"
        );
        write(
            root,
            &[
                (
                    "a/python/x/pyproject.toml",
                    "[project]\nname = \"Same\"\nversion = \"0.1.0\"\n",
                ),
                (
                    "b/python/y/pyproject.toml",
                    "[project]\nname = \"same\"\nversion = \"0.1.0\"\n",
                ),
            ],
        );
        let err = discover(root, &PythonConfig::default(), &[], &|_| None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("both name the distribution `same`"), "{err}");
    }

    #[test]
    #[cfg(unix)]
    fn a_literal_folder_of_a_glob_is_entered_but_never_through_a_link() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            root,
            &[
                (
                    "a/python/p/pyproject.toml",
                    "[project]\nname = \"p\"\nversion = \"0.1.0\"\n",
                ),
                (
                    "elsewhere/q/pyproject.toml",
                    "[project]\nname = \"q\"\nversion = \"0.1.0\"\n",
                ),
                ("b/rust/c/Cargo.toml", ""),
                (
                    ".hidden/python/h/pyproject.toml",
                    "[project]\nname = \"h\"\nversion = \"0.1.0\"\n",
                ),
            ],
        );
        std::fs::create_dir_all(root.join("c")).unwrap();
        std::os::unix::fs::symlink(root.join("elsewhere"), root.join("c/python")).unwrap();
        let (dirs, literal) =
            glob_dirs(root, "*/python/*", "Cargo.toml", 0, Walk::Packages).unwrap();
        assert!(!literal);
        assert_eq!(dirs, ["a/python/p"]);
        // uv's `glob` enters hidden folders and follows links.
        let (dirs, _) = glob_dirs(root, "*/python/*", "pyproject.toml", 1, Walk::Uv).unwrap();
        assert_eq!(dirs, [".hidden/python/h", "a/python/p", "c/python/q"]);
        // A link back to an ancestor is entered once: `**` ends.
        std::os::unix::fs::symlink(root.join("a"), root.join("a/python/p/up")).unwrap();
        let (dirs, _) = glob_dirs(root, "a/**", "pyproject.toml", 1, Walk::Uv).unwrap();
        assert_eq!(
            dirs,
            [
                "a/python",
                "a/python/p",
                "a/python/p/up",
                "a/python/p/up/python",
                "a/python/p/up/python/p"
            ]
        );
    }

    /// Leaving the folders uv lists by path to `finish` (`lint-deps`: the crate walk parsed
    /// the crate folders' files) finds what reading them in the scan finds, whether the caller
    /// knows a folder's file or not, and fails where it fails.
    #[test]
    fn deferred_literal_members_give_what_the_scan_gives() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let crate_side = "[build-system]\nbuild-backend = \"maturin\"\n[project]\nname = \"a-py\"\nversion = \"0.1.0\"\n";
        write(
            root,
            &[
                (
                    "pyproject.toml",
                    "[tool.uv.workspace]\nmembers = [\"py/*\", \"crates/a\", \"tools/lit\", \
                     \"nowhere\", \"./crates/a/\"]\n",
                ),
                (
                    "py/p/pyproject.toml",
                    "[project]\nname = \"p\"\nversion = \"0.1.0\"\ndependencies = [\"a-py\", \"lit\"]\n",
                ),
                ("crates/a/pyproject.toml", crate_side),
                ("crates/a/Cargo.toml", "[package]\nname = \"a\"\n"),
                (
                    "tools/lit/pyproject.toml",
                    "[project]\nname = \"lit\"\nversion = \"0.1.0\"\ndependencies = [\"p\"]\n",
                ),
            ],
        );
        let config = PythonConfig::default();
        let pyo3 = [Pyo3Crate {
            name: "a".to_string(),
            dir: "crates/a".to_string(),
        }];
        let walked =
            crate::model::manifest::parse_text("crates/a/pyproject.toml", crate_side.to_string())
                .unwrap();
        let knows_crate = |dir: &str| (dir == "crates/a").then_some(&walked);
        let shown = |ws: PythonWorkspace| format!("{:?}", (ws.packages, ws.edges, ws.uv_members));
        let read = shown(
            finish(
                scan(root, &config, Beside::Nothing).unwrap(),
                root,
                &pyo3,
                &|_| None,
            )
            .unwrap(),
        );
        assert!(
            read.contains("tools/lit") && read.contains("crates/a"),
            "{read}"
        );
        for beside in [Beside::CrateWalk, Beside::CrateLoad] {
            for known in [&knows_crate as &Known, &|_| None] {
                let deferred = scan(root, &config, beside).unwrap();
                assert!(deferred.deferred.contains_key("tools/lit"));
                assert!(!deferred.kept.files.contains_key("crates/a"));
                // Beside the crate walk the kept files are only read; beside the load, parsed.
                assert!(!deferred.kept.files.is_empty());
                let parsed = deferred
                    .kept
                    .files
                    .values()
                    .all(|f| matches!(f, Ok(Read::Parsed(_))));
                assert_eq!(parsed, beside == Beside::CrateLoad, "{beside:?}");
                assert_eq!(shown(finish(deferred, root, &pyo3, known).unwrap()), read);
            }
        }
        // A folder uv lists by path without a pyproject.toml: the same error either way.
        std::fs::create_dir_all(root.join("nowhere")).unwrap();
        std::fs::write(root.join("nowhere/notes.txt"), "x").unwrap();
        let eager = scan(root, &config, Beside::Nothing)
            .unwrap_err()
            .to_string();
        assert!(
            eager.contains("`nowhere`") && eager.contains("has no pyproject.toml"),
            "{eager}"
        );
        for beside in [Beside::CrateWalk, Beside::CrateLoad] {
            let late = finish(scan(root, &config, beside).unwrap(), root, &pyo3, &|_| None)
                .unwrap_err()
                .to_string();
            assert_eq!(late, eager, "{beside:?}");
        }
    }

    /// Every form of request uv reads from `.python-version`, and what it asks for.
    #[test]
    fn python_version_requests_are_read_as_uv_reads_them() {
        for (written, want) in [
            ("3.12", Some("3.12")),
            ("3.12.7", Some("3.12.7")),
            ("cpython@3.11", Some("3.11")),
            ("cpython-3.11", Some("3.11")),
            ("cpython-3.12.7-linux-x86_64-gnu", Some("3.12.7")),
            ("cpython3.12", Some("3.12")),
            ("python3.12", Some("3.12")),
            ("pypy@3.10", Some("3.10")),
            ("3.13t", Some("3.13")),
            ("3.13+freethreaded", Some("3.13")),
            (">=3.12", Some("3.12")),
            ("==3.12.*", Some("3.12")),
            (">=3.11,<3.13", Some("3.11")),
            ("3.12.0rc1", Some("3.12.0rc1")),
            // Without the dot, and uv's short implementation names (`uv python find` 0.13.9
            // finds 3.11 for each of these).
            ("311", Some("3.11")),
            ("cp311", Some("3.11")),
            ("cp3.11", Some("3.11")),
            ("cpython311", Some("3.11")),
            ("cpython-311", Some("3.11")),
            ("python311", Some("3.11")),
            ("pp310", Some("3.10")),
            ("3119", Some("3.119")),
            // An executable name to uv, not a version.
            ("py311", None),
            // Any case, and `python@` (uv python find -v: "Using Python request `3.10`").
            ("python@3.10", Some("3.10")),
            ("CPython@3.10", Some("3.10")),
            ("CP310", Some("3.10")),
            ("Python3.10", Some("3.10")),
            ("3.10-x86_64", Some("3.10")),
            // A bitness: uv ignores the line ("Ignoring unsupported Python request").
            ("3.10-64", None),
            ("cpython-3.10-64", None),
            ("3", None),
            ("system", None),
            ("/usr/bin/python3", None),
            ("<4", None),
        ] {
            let got = requested_version(written).map(|v| v.to_string());
            assert_eq!(got.as_deref(), want, "{written}");
        }
    }

    /// Member paths uv normalises: `.` (the root, a package already), `..`, doubled `/`, an
    /// absolute path inside the root; one leaving the root is an error at its line.
    #[test]
    fn uv_member_paths_are_normalised_as_uv_does() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let abs = root.join("py/c").to_string_lossy().into_owned();
        write(
            root,
            &[
                (
                    "pyproject.toml",
                    &format!(
                        "[project]\nname = \"r\"\nversion = \"0.1.0\"\n[tool.uv.workspace]\nmembers = [\".\", \"py/../py/a\", \"py//b\", \"py/b/.\", \"{abs}\"]\n"
                    ),
                ),
                (
                    "py/a/pyproject.toml",
                    "[project]\nname = \"a\"\nversion = \"0.1.0\"\n",
                ),
                (
                    "py/b/pyproject.toml",
                    "[project]\nname = \"b\"\nversion = \"0.1.0\"\n",
                ),
                (
                    "py/c/pyproject.toml",
                    "[project]\nname = \"c\"\nversion = \"0.1.0\"\n",
                ),
            ],
        );
        let ws = discover(root, &PythonConfig::default(), &[], &|_| None).unwrap();
        assert_eq!(distributions(&ws), ["r", "a", "b", "c"]);
        assert_eq!(ws.owner("py/a/x.py"), ws.by_distribution.get("a").copied());
        // A member with a workspace of its own: refused, as uv refuses it.
        std::fs::write(
            root.join("py/b/pyproject.toml"),
            "[project]\nname = \"b\"\nversion = \"0.1.0\"\n\n[tool.uv.workspace]\nmembers = []\n",
        )
        .unwrap();
        let err = discover(root, &PythonConfig::default(), &[], &|_| None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("py/b/pyproject.toml:5: the uv workspace member py/b declares"),
            "{err}"
        );
        // Members outside the root (uv accepts them) are outside the repository: not read.
        std::fs::create_dir_all(tmp.path().join("py/a")).unwrap();
        for outside in ["../elsewhere", "/nowhere/at/all"] {
            write(
                root,
                &[(
                    "pyproject.toml",
                    &format!(
                        "[tool.uv.workspace]\nmembers = [\"{outside}\", \"py/a\"]\nexclude = [\"{outside}\"]\n"
                    ),
                )],
            );
            let ws = discover(root, &PythonConfig::default(), &[], &|_| None).unwrap();
            assert_eq!(distributions(&ws), ["a"], "{outside}");
        }
    }

    /// A uv member that is no valid glob is an error at its line, plain-looking or not.
    #[test]
    fn an_invalid_member_glob_is_an_error_at_its_line() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        // `{` and `}` are plain characters to uv's `glob` (no alternation).
        for (pattern, line) in [("a/[b", 3), ("a}b", 0), ("py/{a,b}", 0), ("py/*", 0)] {
            write(
                root,
                &[(
                    "pyproject.toml",
                    &format!("# members\n\n[tool.uv.workspace]\nmembers = [\"{pattern}\"]\n"),
                )],
            );
            let scanned = scan(root, &PythonConfig::default(), Beside::CrateWalk);
            if line == 0 {
                assert!(scanned.is_ok(), "{pattern}");
                continue;
            }
            let err = scanned.unwrap_err().to_string();
            assert!(
                err.contains(&format!("pyproject.toml:{line}: invalid glob `{pattern}`")),
                "{err}"
            );
        }
    }

    /// A uv pattern in globset's syntax matches what uv's `glob` crate matches, name for name
    /// (the `glob` crate is the judge): classes with `^` (a member there, a negation in
    /// globset), `]` first, ranges, `\`, braces, and an unclosed `[` (a plain character).
    #[test]
    fn uv_globs_in_globset_syntax_match_what_the_glob_crate_matches() {
        let patterns = [
            "[^a]", "[^]", "[^-c]", "[^]a]", "[]a]", "[!^a]", "[!]a]", "[a-]", "[^a-c]x", "\\a",
            "a\\*", "{a,b}", "[{]", "*[^x]", "[[]", "?[^b-d]?", "[!a]*",
        ];
        let names = [
            "a", "b", "c", "^", "]", "_", "`", "x", "\\a", "a\\b", "{a,b}", "{", "[", "ab", "xy",
            "zaz", "a*", "bx", "^x", "-", "axa", "z^z",
        ];
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: false,
        };
        for p in patterns {
            let theirs = glob::Pattern::new(p).unwrap();
            let ours = folder_glob(&uv_glob_as_globset(p), "test")
                .unwrap()
                .compile_matcher();
            for n in names {
                assert_eq!(
                    ours.is_match(n),
                    theirs.matches_with(n, options),
                    "`{p}` (as `{}`) on `{n}`",
                    uv_glob_as_globset(p)
                );
            }
        }
        // Unclosed (uv refuses it first): the `[` is a plain character.
        assert_eq!(uv_glob_as_globset("a["), "a[[]");
    }

    /// The walk's shortcuts (steps checked on the way down, no matcher when the steps cover
    /// the pattern) find what the glob itself matches among every folder of the tree.
    #[test]
    fn glob_dirs_finds_what_the_glob_matches_among_every_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for dir in [
            "a/python/p",
            "a/python/q/deep",
            "a/rust/c",
            "b/python/r",
            "b/py/s",
            "cc/python/t/u/v",
            "d",
            "target/python/x",
            "a/.venv/python/y",
        ] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        fn every(root: &Path, rel: &str, walk: Walk, out: &mut Vec<String>) {
            for e in std::fs::read_dir(root.join(rel)).unwrap().flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if e.file_type().unwrap().is_dir() && (walk == Walk::Uv || !skipped_name(&name)) {
                    let child = crate::model::relpath::join(rel, &name);
                    out.push(child.clone());
                    every(root, &child, walk, out);
                }
            }
        }
        for walk in [Walk::Packages, Walk::Uv] {
            let mut all = Vec::new();
            every(root, "", walk, &mut all);
            for pattern in [
                "*",
                "*/python/*",
                "*/python/*/",
                "./*/python/*",
                "a/*",
                "*/py*/*",
                "[ab]/python/*",
                "*/python/**",
                "a/{python,rust}/*",
                "*/*/*/*",
                "?/*",
            ] {
                let matcher = folder_glob(pattern, "test").unwrap().compile_matcher();
                let mut want: Vec<&String> = all.iter().filter(|d| matcher.is_match(d)).collect();
                want.sort();
                let (mut got, literal) =
                    glob_dirs(root, pattern, "pyproject.toml", 1, walk).unwrap();
                got.sort();
                assert!(!literal);
                assert_eq!(got.iter().collect::<Vec<_>>(), want, "{pattern} {walk:?}");
            }
        }
    }

    #[test]
    fn discover_prefetched_answers_from_inside_the_pool_and_out() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            root,
            &[(
                "DAGs/python/flows/pyproject.toml",
                "[project]\nname = \"flows\"\nversion = \"0.1.0\"\n",
            )],
        );
        let config = PythonConfig::default();
        prefetch(root, &config);
        // From the global pool's own thread (the only one on a one-core machine), while the
        // scan may still be queued there: it scans itself, never waiting for the queued one.
        let names: Vec<String> = rayon::scope(|_| {
            discover_prefetched(root, &config, &[], &|_| None)
                .unwrap()
                .packages
                .into_iter()
                .map(|p| p.distribution)
                .collect()
        });
        assert_eq!(names, ["flows"]);
        // From outside the pool the prefetched scan is taken; without a prefetch, or for
        // another root, the scan runs where it is asked.
        prefetch(root, &config);
        assert_eq!(
            discover_prefetched(root, &config, &[], &|_| None)
                .unwrap()
                .packages
                .len(),
            1
        );
        let again = discover_prefetched(root, &config, &[], &|_| None).unwrap();
        assert_eq!(again.packages.len(), 1);
    }

    /// The shape that deadlocked: the prefetched scan, waiting inside its parallel read, runs
    /// a job of the pool that waits for another job, and that other job waited for the scan
    /// (which could not finish: it is below the waiting job on the same stack).
    #[test]
    fn a_job_of_the_pool_never_waits_for_the_prefetched_scan() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let mut files = vec![(
            "pyproject.toml".to_string(),
            "[tool.uv.workspace]\nmembers = [\"p/*\"]\n".to_string(),
        )];
        for i in 0..600 {
            files.push((
                format!("p/q{i}/pyproject.toml"),
                format!(
                    "[project]\nname = \"q{i}\"\nversion = \"0.1.0\"\ndependencies = [\"q{}\"]\n",
                    i / 2
                ),
            ));
        }
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, b)| (p.as_str(), b.as_str()))
            .collect();
        write(&root, &files);
        for round in 0..40 {
            let (send, receive) = std::sync::mpsc::channel();
            let root = root.clone();
            std::thread::spawn(move || {
                let config = PythonConfig::default();
                prefetch(&root, &config);
                // The join arrives at a different point of the scan each round.
                std::thread::sleep(std::time::Duration::from_micros(250 * round));
                let (_, found) = rayon::join(
                    || std::thread::sleep(std::time::Duration::from_millis(2)),
                    || {
                        discover_prefetched(&root, &config, &[], &|_| None)
                            .map(|w| w.packages.len())
                    },
                );
                let _ = send.send(found.unwrap());
            });
            let found = receive
                .recv_timeout(std::time::Duration::from_secs(60))
                .expect("discover_prefetched never returned: a deadlock in the pool");
            assert_eq!(found, 600);
        }
    }

    #[test]
    fn every_pyproject_read_names_a_non_utf8_byte() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::write(
            root.join("pyproject.toml"),
            b"[project]\nname = \"a\xff\"\n",
        )
        .unwrap();
        let err = discover(root, &PythonConfig::default(), &[], &|_| None)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("pyproject.toml:2:10: the file is not UTF-8 (byte 0xff)"),
            "{err}"
        );
        std::fs::remove_file(root.join("pyproject.toml")).unwrap();
        write(root, &[("a/rust/x/Cargo.toml", "")]);
        std::fs::write(root.join("a/rust/x/pyproject.toml"), b"# \xfe\n").unwrap();
        let pyo3 = [Pyo3Crate {
            name: "x".into(),
            dir: "a/rust/x".into(),
        }];
        let err = discover(root, &PythonConfig::default(), &pyo3, &|_| None)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("a/rust/x/pyproject.toml:1:3: the file is not UTF-8"),
            "{err}"
        );
    }
}
