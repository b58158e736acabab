//! The workspace on disk, read once: the root, cargo's member set, every member's manifest
//! (parsed in parallel), their `pyproject.toml` files, `Cargo.lock`, and the manifests no one
//! claims. `lint-deps`, `dockerfile`, `new` and the graph cache read the workspace through
//! [`load`]; it refuses what cargo refuses ([`super::refusals`]).
//!
//! `lint-deps` must run on every commit of a 5,000-crate monorepo, so this never calls
//! `cargo metadata`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::manifest::{Manifest, NodeExt, Table, check_shape, parse_text, read_manifest};
use super::members::{
    Found, expand_members, find_orphans_in, is_excluded, path_dependencies, walk, walk_pattern,
    without_skipped,
};
use super::refusals::{default_members, member, missing_member, unique_names};
use super::relpath::{join, normalize_rel};
use super::root::find_root_manifest;

/// A loaded workspace: the root manifest, its members, and what lies around them.
#[derive(Debug)]
pub struct Workspace {
    /// The workspace root directory (absolute).
    pub root_dir: PathBuf,
    /// The root `Cargo.toml`.
    pub root: Manifest,
    /// Member manifests sorted by path (the root itself when it has a `[package]`).
    pub members: Vec<Manifest>,
    /// Member directories that are checked by the per-member rules: all of them, or those
    /// named on the command line.
    pub selected: BTreeSet<String>,
    /// Whether every member was read and is checked: no MANIFEST arguments, or the root
    /// manifest among them. Workspace-wide rules run only then.
    pub whole: bool,
    /// `Cargo.lock` was among the MANIFEST arguments.
    pub lock_given: bool,
    /// `Cargo.toml` files under the root that are neither members, excluded, nor in a nested
    /// workspace (only known when the whole tree was walked).
    /// Each as (path, its `package.name`).
    pub orphans: Option<Vec<(String, Option<String>)>>,
    /// `Cargo.lock`, when present.
    pub lock: Option<crate::model::lockfile::Lockfile>,
    /// `pyproject.toml` texts of members that have one, by member directory.
    pub pyprojects: BTreeMap<String, Manifest>,
    /// For those members, the library's source (`[lib] path`, else `src/lib.rs`), `None`
    /// when there is none: `pyo3-layout` reads the `#[pymodule]` name from it.
    pub lib_sources: BTreeMap<String, Option<String>>,
    /// `workspace.members` patterns and `workspace.exclude` entries.
    pub member_patterns: Vec<String>,
    pub exclude: Vec<String>,
    /// How long each loading phase took (printed with `-v`).
    pub timings: Vec<(&'static str, std::time::Duration)>,
    /// The Python packages, when the caller discovered them ([`crate::python::discover`]):
    /// `lint-deps` does in a whole run. [`load`] leaves it `None`.
    pub python: Option<crate::python::PythonWorkspace>,
}

impl Workspace {
    /// A second copy, parsed again from the texts in memory (a parse tree borrows its text,
    /// so it cannot be cloned): for `--fix`'s later passes, which edit a copy while the
    /// findings keep pointing at this one. No file is read.
    pub fn reparsed(&self) -> anyhow::Result<Workspace> {
        let again = |m: &Manifest| parse_text(&m.path, m.text().to_string());
        Ok(Workspace {
            root_dir: self.root_dir.clone(),
            root: again(&self.root)?,
            members: self
                .members
                .iter()
                .map(again)
                .collect::<anyhow::Result<_>>()?,
            selected: self.selected.clone(),
            whole: self.whole,
            lock_given: self.lock_given,
            orphans: self.orphans.clone(),
            lock: self.lock.clone(),
            pyprojects: self
                .pyprojects
                .iter()
                .map(|(d, p)| Ok((d.clone(), again(p)?)))
                .collect::<anyhow::Result<_>>()?,
            lib_sources: self.lib_sources.clone(),
            member_patterns: self.member_patterns.clone(),
            exclude: self.exclude.clone(),
            timings: Vec::new(),
            // The later `--fix` passes lint the Cargo manifests only: the Python fixes are
            // complete in the first pass.
            python: None,
        })
    }

    /// The member whose directory is `dir`.
    pub fn member(&self, dir: &str) -> Option<&Manifest> {
        self.members
            .binary_search_by(|m| m.dir.as_str().cmp(dir))
            .ok()
            .map(|i| &self.members[i])
    }

    /// Members the per-member rules look at.
    pub fn selected_members(&self) -> impl Iterator<Item = &Manifest> {
        self.members
            .iter()
            .filter(|m| self.selected.contains(&m.dir))
    }

    /// A whole workspace from texts, without touching the file system: the root manifest and
    /// `(path, text)` member manifests (paths relative to the root, ending in `Cargo.toml`; a
    /// root `[package]` is not added as a member).
    /// For property tests and fuzzing of the rules and fixes; [`load`] is the real loader.
    pub fn from_texts(root: &str, members: &[(&str, &str)]) -> anyhow::Result<Workspace> {
        let root = parse_text("Cargo.toml", root.to_string())?;
        let mut parsed = members
            .iter()
            .map(|(path, text)| parse_text(path, text.to_string()))
            .collect::<anyhow::Result<Vec<Manifest>>>()?;
        parsed.sort_by(|a, b| a.dir.cmp(&b.dir));
        Ok(Workspace {
            root_dir: PathBuf::new(),
            root,
            selected: parsed.iter().map(|m| m.dir.clone()).collect(),
            member_patterns: parsed.iter().map(|m| m.dir.clone()).collect(),
            members: parsed,
            whole: true,
            lock_given: false,
            orphans: None,
            lock: None,
            pyprojects: BTreeMap::new(),
            lib_sources: BTreeMap::new(),
            exclude: Vec::new(),
            timings: Vec::new(),
            python: None,
        })
    }

    /// The texts of the files named in `paths` (relative, with `/`) among those a finding may
    /// point at (the root and member manifests, `Cargo.lock`, the `pyproject.toml` files of
    /// PyO3 crates and Python packages), by path. A run without findings asks for none and
    /// builds no map of every file.
    pub fn files<'a>(&'a self, paths: &BTreeSet<&str>) -> BTreeMap<&'a str, &'a str> {
        let mut files: BTreeMap<&str, &str> = BTreeMap::new();
        if paths.is_empty() {
            return files;
        }
        let python = self.python.iter().flat_map(|py| {
            py.packages
                .iter()
                .filter_map(|p| p.project.as_ref())
                .chain(&py.root)
                .map(|p| (p.path(), p.text()))
        });
        let every = std::iter::once((self.root.path.as_str(), self.root.text()))
            .chain(self.members.iter().map(|m| (m.path.as_str(), m.text())))
            .chain(self.lock.iter().map(|l| (l.path.as_str(), l.text.as_str())))
            .chain(
                self.pyprojects
                    .values()
                    .map(|p| (p.path.as_str(), p.text())),
            )
            .chain(python);
        for (path, text) in every {
            if paths.contains(path) {
                files.insert(path, text);
            }
        }
        files
    }
}

/// Options for [`load`].
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `--manifest-path`, else the current directory's workspace.
    pub manifest_path: Option<PathBuf>,
    /// MANIFEST arguments: only these members are checked by the per-member rules.
    pub only: Vec<PathBuf>,
    /// Walk the whole tree to find orphan manifests.
    pub find_orphans: bool,
}

pub(crate) fn string_array(table: &Table, key: &str) -> Vec<String> {
    super::manifest::strings(table.get(key))
}

/// What the MANIFEST arguments name.
pub(crate) struct Given {
    /// Directories (root-relative) of the `Cargo.toml` / `pyproject.toml` files given; `""`
    /// for the root manifest.
    dirs: BTreeSet<String>,
    /// The root `Cargo.lock` was given.
    lock: bool,
}

pub(crate) fn given_dirs(root_dir: &Path, only: &[PathBuf]) -> Given {
    let canon_root = root_dir.canonicalize().unwrap_or(root_dir.to_path_buf());
    let mut given = Given {
        dirs: BTreeSet::new(),
        lock: false,
    };
    for p in only {
        let Ok(abs) = std::path::absolute(p) else {
            continue;
        };
        let abs = abs.canonicalize().unwrap_or(abs);
        // A directory stands for its Cargo.toml.
        let abs = if abs.is_dir() {
            abs.join("Cargo.toml")
        } else {
            abs
        };
        let Some(name) = abs.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(dir) = abs.parent().and_then(|d| d.strip_prefix(&canon_root).ok()) else {
            continue;
        };
        let Some(dir) = dir.to_str().map(|d| d.replace('\\', "/")) else {
            continue;
        };
        match name {
            // The root's pyproject.toml is the Python project's, not a crate's.
            "pyproject.toml" if dir.is_empty() => {}
            "Cargo.toml" | "pyproject.toml" => {
                given.dirs.insert(dir);
            }
            "Cargo.lock" if dir.is_empty() => given.lock = true,
            _ => {}
        }
    }
    given
}

/// Load the workspace: root, members (globs, excludes, path dependencies), lockfile,
/// pyprojects, and, with `find_orphans`, the manifests no one claims.
pub fn load(opts: &LoadOptions) -> anyhow::Result<Workspace> {
    let mut timings = Vec::new();
    let mut clock = std::time::Instant::now();
    let mut lap = |name: &'static str| {
        timings.push((name, clock.elapsed()));
        clock = std::time::Instant::now();
    };
    let (root_dir, root) = find_root_manifest(opts.manifest_path.as_deref())?;
    check_shape(&root)?;
    lap("find and parse the root");
    let ws_table = root.root().get("workspace").and_then(NodeExt::as_table);
    let patterns = ws_table
        .map(|t| string_array(t, "members"))
        .unwrap_or_default();
    let exclude = ws_table
        .map(|t| string_array(t, "exclude"))
        .unwrap_or_default();
    // Root-relative paths of `[workspace.dependencies]` path entries, by key.
    let ws_deps: BTreeMap<String, String> = ws_table
        .and_then(|t| t.get("dependencies"))
        .and_then(NodeExt::as_table)
        .map(|t| {
            t.iter()
                .filter_map(|(k, v)| {
                    let path = v.get("path").and_then(NodeExt::as_str)?;
                    Some((k.get_ref().to_string(), normalize_rel(path)?))
                })
                .collect()
        })
        .unwrap_or_default();
    let excluded = |dir: &str| is_excluded(&root_dir, dir, &patterns, &exclude);

    // MANIFEST arguments: member directories, and whether the root manifest or the lockfile
    // is among them. The root manifest means "everything may have changed": a whole run.
    let given = given_dirs(&root_dir, &opts.only);
    let lock_given = given.lock;
    let whole = opts.only.is_empty() || given.dirs.contains("");
    let find_orphans = opts.find_orphans || (whole && !opts.only.is_empty());

    // Which directories hold a manifest: the whole tree when looking for orphans, where the
    // member globs can reach for a whole run, else only the given directories.
    // Directories known to hold no pyproject.toml (from a walk) are not probed again. The
    // walk reads every manifest it finds on the way (in parallel), so members are not opened
    // twice.
    let mut no_pyproject: BTreeSet<String> = BTreeSet::new();
    let mut read: BTreeMap<String, anyhow::Result<Manifest>> = BTreeMap::new();
    let mut read_py: BTreeMap<String, Option<anyhow::Result<Manifest>>> = BTreeMap::new();
    // Directories a `members` entry matched that hold no `Cargo.toml`, with that entry.
    let mut missing: BTreeMap<String, String> = BTreeMap::new();
    let mut record = |found: Vec<Found>| -> BTreeSet<String> {
        found
            .into_iter()
            .map(|f| {
                if !f.pyproject {
                    no_pyproject.insert(f.dir.clone());
                }
                if let Some(m) = f.manifest {
                    read.insert(f.dir.clone(), m);
                }
                if let Some(py) = f.pyproject_doc {
                    read_py.insert(f.dir.clone(), py);
                }
                f.dir
            })
            .collect()
    };
    // Cargo.lock is read and scanned while the members are walked (or on its own, below).
    let read_lock = || -> anyhow::Result<Option<crate::model::lockfile::Lockfile>> {
        let Some(text) = crate::fsutil::read_optional(&root_dir.join("Cargo.lock"))? else {
            return Ok(None);
        };
        Ok(Some(crate::model::lockfile::Lockfile {
            path: "Cargo.lock".to_string(),
            packages: crate::model::lockfile::parse("Cargo.lock", &text)?,
            text,
        }))
    };
    let mut lock = None;
    // What the member patterns matched (a whole run only), before `exclude`.
    let mut matched: BTreeSet<String> = BTreeSet::new();
    let manifest_dirs: BTreeSet<String> = if whole || find_orphans {
        // Each member pattern is expanded as cargo expands it, all of them in parallel, and
        // its matches read on the way. For orphans, every manifest git tracks under the root
        // is a candidate too (the tree is walked only outside git, or when git cannot answer).
        let walk_members = || -> anyhow::Result<Vec<Vec<Found>>> {
            patterns
                .par_iter()
                .map(|p| walk_pattern(&root_dir, p, true))
                .collect()
        };
        let list_tracked = || find_orphans.then(|| crate::git::tracked_manifest_dirs(&root_dir));
        let ((found, tracked), read) =
            rayon::join(|| rayon::join(walk_members, list_tracked), read_lock);
        lock = Some(read);
        let per_pattern = found?;
        for (p, found) in patterns.iter().zip(&per_pattern) {
            for f in found.iter().filter(|f| f.missing) {
                missing.entry(f.dir.clone()).or_insert_with(|| p.clone());
            }
        }
        let mut dirs = record(per_pattern.into_iter().flatten().collect());
        matched = dirs.clone();
        match tracked {
            None => {}
            Some(Some(tracked)) => dirs.extend(without_skipped(tracked)),
            Some(None) => dirs.extend(record(walk(&root_dir, ""))),
        }
        lap("walk, read and parse the members; scan Cargo.lock");
        dirs
    } else {
        given
            .dirs
            .iter()
            .filter(|d| root_dir.join(d).join("Cargo.toml").is_file())
            .cloned()
            .collect()
    };
    let mut member_dirs = if whole {
        matched.into_iter().filter(|d| !excluded(d)).collect()
    } else {
        expand_members(&patterns, &exclude, &manifest_dirs)?
    };
    if let Some((dir, pattern)) = member_dirs
        .iter()
        .find_map(|d| missing.get(d).map(|p| (d, p)))
    {
        return Err(missing_member(&root, pattern, dir).into());
    }
    if !whole {
        // Cargo also makes path dependencies members; without reading every member, the
        // ones declared in the root's [workspace.dependencies] are the ones we can know.
        member_dirs.extend(
            manifest_dirs
                .iter()
                .filter(|d| ws_deps.values().any(|p| p == *d) && !excluded(d))
                .cloned(),
        );
    }
    if root.root().contains_key("package") && (whole || given.dirs.contains("")) {
        member_dirs.insert(String::new());
    }
    lap("discover members");

    // Parse the members the walk did not (the root, path dependencies, MANIFEST arguments) in
    // parallel; in a whole run, add path dependencies inside the root, as cargo does, until
    // nothing new turns up.
    let mut members: BTreeMap<String, Manifest> = BTreeMap::new();
    let mut pending: Vec<(String, Option<anyhow::Result<Manifest>>)> = member_dirs
        .iter()
        .map(|d| (d.clone(), read.remove(d)))
        .collect();
    drop(read);
    while !pending.is_empty() {
        let parsed: Vec<anyhow::Result<(Manifest, Vec<String>)>> = std::mem::take(&mut pending)
            .into_par_iter()
            .map(|(dir, read)| {
                let m = match read {
                    _ if dir.is_empty() => parse_text(&root.path, root.text().to_string())?,
                    Some(m) => m?,
                    None => {
                        let m = read_manifest(&root_dir, &join(&dir, "Cargo.toml"))?;
                        check_shape(&m)?;
                        m
                    }
                };
                let targets = if whole {
                    path_dependencies(&m, &ws_deps, &member_dirs)
                } else {
                    Vec::new()
                };
                member(&m, &root, &root_dir, &exclude, &member_dirs)?;
                Ok((m, targets))
            })
            .collect();
        let mut next = BTreeSet::new();
        for parsed in parsed {
            let (m, targets) = parsed?;
            // `path_dependencies` left out the members already known.
            for t in targets {
                if !excluded(&t) && root_dir.join(&t).join("Cargo.toml").is_file() {
                    next.insert(t);
                }
            }
            members.insert(m.dir.clone(), m);
        }
        member_dirs.extend(next.iter().cloned());
        pending = next.into_iter().map(|d| (d, None)).collect();
    }
    let lock = match lock {
        Some(read) => read?,
        None => read_lock()?,
    };
    let members: Vec<Manifest> = members.into_values().collect();
    if whole {
        unique_names(&members)?;
        default_members(&root, &root_dir, &member_dirs, &patterns, &exclude)?;
    }
    lap("parse the members the walk did not");

    let selected: BTreeSet<String> = if opts.only.is_empty() || whole {
        member_dirs.clone()
    } else {
        given
            .dirs
            .iter()
            .filter(|d| member_dirs.contains(*d))
            .cloned()
            .collect()
    };
    let orphans = if find_orphans {
        Some(find_orphans_in(
            &root_dir,
            &manifest_dirs,
            &member_dirs,
            &exclude,
        ))
    } else {
        None
    };
    lap("find orphans");
    // pyproject.toml files the walk read are taken as they are; the others are read now.
    let wanted: Vec<&String> = members
        .iter()
        .map(|m| &m.dir)
        .filter(|d| selected.contains(*d) && !no_pyproject.contains(*d))
        .collect();
    let mut pyprojects: BTreeMap<String, Manifest> = BTreeMap::new();
    let mut unread: Vec<&String> = Vec::new();
    for dir in wanted {
        match read_py.remove(dir) {
            Some(Some(doc)) => {
                pyprojects.insert(dir.clone(), doc?);
            }
            Some(None) => {}
            None => unread.push(dir),
        }
    }
    drop(read_py);
    let more: Vec<(String, Manifest)> = unread
        .par_iter()
        .filter_map(|dir| {
            let rel = join(dir, "pyproject.toml");
            let text = std::fs::read_to_string(root_dir.join(&rel)).ok()?;
            Some(parse_text(&rel, text).map(|p| ((*dir).clone(), p)))
        })
        .collect::<anyhow::Result<_>>()?;
    pyprojects.extend(more);
    let lib_sources = pyprojects
        .par_iter()
        .filter_map(|(dir, _)| {
            let m = members.binary_search_by(|m| m.dir.cmp(dir)).ok()?;
            let lib = members[m]
                .root()
                .get("lib")
                .and_then(|l| l.get("path"))
                .and_then(NodeExt::as_str)
                .unwrap_or("src/lib.rs");
            let text = std::fs::read_to_string(root_dir.join(join(dir, lib))).ok();
            Some((dir.clone(), text))
        })
        .collect();
    lap("read pyprojects");
    Ok(Workspace {
        root_dir,
        root,
        members,
        selected,
        whole,
        lock_given,
        orphans,
        lock,
        pyprojects,
        lib_sources,
        member_patterns: patterns,
        exclude,
        timings,
        python: None,
    })
}
