//! The Python rules of `lint-deps`, over the Python model ([`crate::python`]):
//!
//! - `missing-workspace-source`: a requirement on a distribution of the monorepo (a Python
//!   package, or a PyO3 crate's wheel) that uv would resolve from the package index, because
//!   no `[tool.uv.sources]` entry points it at the monorepo (dependency confusion);
//! - `incompatible-requires-python`: a `requires-python` that excludes the Python the
//!   monorepo runs ([`crate::python::root_python`]);
//! - `pyo3-not-uv-member`: with a uv workspace, a requirement on a PyO3 crate's wheel whose
//!   folder is not a member, so uv cannot build it from the monorepo.
//!
//! The PyO3 crate's own `pyproject.toml` (its `[project] name`, its module) is checked by
//! `pyo3-layout` (`layout.rs`). Pure: the caller discovers the packages.

use std::str::FromStr;

use anyhow::anyhow;
use toml_edit::{DocumentMut, InlineTable, Item, Table, Value};

use super::{Edit, Finding, Rule};
use crate::model::{NodeExt, Workspace, join, normalize_rel};
use crate::python::pyproject::{AtLine, UvSource};
use crate::python::{Package, PackageKind, PyProject, Pyo3Crate, PythonWorkspace, normalize};

/// The rules of this module (`pyo3-layout` is `layout.rs`'s).
pub(crate) const RULES: [Rule; 3] = [
    Rule::MissingWorkspaceSource,
    Rule::IncompatibleRequiresPython,
    Rule::Pyo3NotUvMember,
];

/// The PyO3 crates of the workspace, as Python discovery needs them: the members that
/// [`crate::model::kind::classify`] makes PyO3 crates, the rule `affected` and `dockerfile`
/// use (`[package.metadata.ccworkspace] kind = "pyo3"`; else a `pyproject.toml` that builds with
/// maturin, or a `cdylib` that depends on `pyo3`), so every command sees the same wheels.
pub(crate) fn pyo3_crates(ws: &Workspace) -> Vec<Pyo3Crate> {
    use crate::model::kind::{CrateKind, KindFacts, classify, depends_on_pyo3, has_cdylib};
    use rayon::prelude::*;
    let renamed = crate::model::kind::renamed_workspace_deps(ws.root.root());
    ws.members
        .par_iter()
        .filter(|m| {
            let kind = crate::model::kind::kind_override(m.root());
            let maturin_pyproject = ws
                .pyprojects
                .get(&m.dir)
                .is_some_and(|p| crate::model::kind::is_maturin(p.root()));
            let cdylib = has_cdylib(m.root());
            let facts = KindFacts {
                maturin_pyproject,
                cdylib,
                // Counts only with `cdylib` and without a maturin `pyproject.toml` or a `kind`
                // (classify's rule): not read for the other crates (the dependency tables of
                // every PyO3 crate, on the path `lint-deps` waits for).
                uses_pyo3: cdylib
                    && !maturin_pyproject
                    && kind.is_none()
                    && depends_on_pyo3(m.root(), &renamed),
                // Only the PyO3 rule matters here.
                main_bin: false,
            };
            // An invalid `kind` is reported where kinds are read; it is no PyO3 crate here.
            classify(kind, facts) == Ok(CrateKind::Pyo3)
        })
        .filter_map(|m| {
            Some(Pyo3Crate {
                name: m.package_name()?.to_string(),
                dir: m.dir.clone(),
            })
        })
        .collect()
}

/// What `check` cannot report as a finding, because uv refuses the workspace for it: a source
/// uv cannot lower ([`sources_uv_lowers`]), a `requires-python` that is no PEP 440 specifier
/// set, members whose `requires-python` ranges share no Python ([`pythons_in_common`]) (exit
/// 2, with its file and line, before anything is written).
///
/// `root`: the workspace root on disk (a folder's `pyproject.toml` that is no package still
/// changes how uv reads a member below it).
pub(crate) fn check_input(py: &PythonWorkspace, root: &std::path::Path) -> anyhow::Result<()> {
    let member = py.uv_member_flags();
    sources_uv_lowers(py, &member, root)?;
    check_requires_python_texts(py)?;
    pythons_in_common(py, &member)
}

/// Each `requires-python` is a PEP 440 specifier set ([`PyProject::check_requires_python`]).
fn check_requires_python_texts(py: &PythonWorkspace) -> anyhow::Result<()> {
    let projects = py
        .packages
        .iter()
        .filter_map(|p| p.project.as_ref())
        .chain(&py.root);
    // Most packages of a monorepo write the same `requires-python`: each text parsed once.
    let mut valid: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for p in projects {
        if p.requires_python
            .as_ref()
            .is_some_and(|rp| !valid.contains(rp.value.as_str()))
        {
            p.check_requires_python()?;
        }
        if let Some(rp) = &p.requires_python {
            valid.insert(rp.value.as_str());
        }
    }
    Ok(())
}

/// In a uv workspace, the members' `requires-python` (each a range of releases, as uv reads
/// it: `pep440_rs::release_specifiers_to_ranges`) must have a Python in common: uv locks for
/// their intersection and refuses an empty one ("Found conflicting Python requirements").
/// Members uv does not manage are left out; the root counts when it has a `[project]`. Errors
/// (exit 2): the member whose range empties the intersection, with one earlier member it
/// excludes when there is one.
fn pythons_in_common(py: &PythonWorkspace, member: &[bool]) -> anyhow::Result<()> {
    if !py.uv_workspace {
        return Ok(());
    }
    let projects = py
        .packages
        .iter()
        .zip(member)
        .filter(|(_, member)| **member)
        .filter_map(|(p, _)| Some((p, p.project.as_ref()?)))
        .filter(|(_, proj)| proj.uv_managed != Some(false));
    // (distribution, file, requires-python, its range), of the members read so far.
    let mut seen: Vec<(&str, &str, &AtLine<String>, _)> = Vec::new();
    let mut common = None;
    for (pkg, proj) in projects {
        let Some(rp) = &proj.requires_python else {
            continue;
        };
        // Most members write the same text: intersecting with it again changes nothing.
        if seen.iter().any(|(_, _, other, _)| other.value == rp.value) {
            continue;
        }
        // An invalid text is `check_requires_python_texts`' error, reported before this.
        let Ok(specifiers) = crate::python::pyproject::uv_specifiers(&rp.value) else {
            continue;
        };
        let range = pep440_rs::release_specifiers_to_ranges(specifiers);
        let next = match common {
            None => range.clone(),
            Some(common) => range.intersection(&common),
        };
        if next.is_empty() {
            let at = format!("{}:{}", proj.path(), rp.line);
            let with = seen
                .iter()
                .find(|(_, _, _, other)| range.is_disjoint(other))
                .map_or_else(
                    || "the Pythons the members before it allow in common".to_string(),
                    |(name, file, other_rp, _)| {
                        format!(
                            "`{name}`'s `requires-python = \"{}\"` ({file}:{})",
                            other_rp.value, other_rp.line
                        )
                    },
                );
            return Err(crate::errors::UserError::new(
                format!(
                    "{at}: `{}`'s `requires-python = \"{}\"` allows no Python that {with} \
                     allows; a uv workspace locks for the Pythons all its members allow",
                    pkg.distribution, rp.value
                ),
                "widen one of the two ranges so that they share a Python version (uv refuses to \
                 lock this workspace too: \"Found conflicting Python requirements\")",
            )
            .into());
        }
        common = Some(next);
        seen.push((pkg.distribution.as_str(), proj.path(), rp, range));
    }
    Ok(())
}

/// The sources uv refuses when it lowers a requirement (`uv lock` 0.13, which fails on them
/// whatever the requirement's marker): in a uv workspace, `{ workspace = true }` for a
/// distribution no member has ("`c` references a workspace in `tool.uv.sources` ..., but is
/// not a workspace member"); anywhere, `{ index = "x" }` for a distribution not of the monorepo
/// (one of the monorepo wants a workspace source: `missing-workspace-source`) where neither the
/// file nor (for a uv member) the root declares a `[[tool.uv.index]]` named `x` ("Package `c` references an
/// undeclared index: `x`"). The source is the file's own, else the root's, which uv members
/// inherit. A member uv does not manage is not read. Errors (exit 2): the first such source,
/// at its line.
fn sources_uv_lowers(
    py: &PythonWorkspace,
    member: &[bool],
    root_dir: &std::path::Path,
) -> anyhow::Result<()> {
    // The root's file: a package of its own (with a `[project]`), or the virtual root.
    let root = py.root_project();
    let root_is_package = py.packages.iter().any(|p| p.dir.is_empty());
    let projects = py
        .packages
        .iter()
        .zip(member)
        .filter_map(|(p, &member)| Some((p.project.as_ref()?, member && !p.dir.is_empty())))
        .chain(root.filter(|_| !root_is_package).map(|r| (r, false)))
        .filter(|(p, _)| p.uv_managed != Some(false));
    // A member below a folder with a `pyproject.toml` of its own (another member, or any
    // project or settings file) is read by uv, when it builds it, as a project of its own:
    // walking up from it, uv stops at the first `pyproject.toml` that is not the workspace
    // root's ("Project is contained in non-workspace project"; "No workspace root found, using
    // project root"). Its own workspace sources then name no member, and the root's indexes
    // are not declared for it.
    // Asked only for a member whose own sources this changes, and once per folder (a domain's
    // `DAGs/python` holds many packages): a few dozen `stat`s at 200 packages, not hundreds.
    let mut has_pyproject: std::collections::HashMap<String, bool> =
        std::collections::HashMap::new();
    let mut outer_of = |dir: &str| -> Option<String> {
        let mut at = dir;
        while let Some((parent, _)) = at.rsplit_once('/') {
            let there = *has_pyproject
                .entry(parent.to_string())
                .or_insert_with(|| root_dir.join(parent).join("pyproject.toml").is_file());
            if there {
                return Some(parent.to_string());
            }
            at = parent;
        }
        None
    };
    let fix = "(uv refuses to lock this workspace too)";
    for (proj, member) in projects {
        let affected_by_outer = proj
            .sources
            .values()
            .any(|s| s.workspace || !s.indexes.is_empty());
        let outer = if member && affected_by_outer {
            outer_of(proj.dir())
        } else {
            None
        };
        let inherited = root.filter(|_| member);
        let root_indexes = root.filter(|_| member && outer.is_none());
        for r in &proj.requirements {
            let (entry, file) = match proj.sources.get(&r.name) {
                Some(entry) => (entry, proj.path()),
                None => match inherited.and_then(|root| root.sources.get(&r.name)) {
                    Some(entry) => (entry, "pyproject.toml"),
                    None => continue,
                },
            };
            let at = || format!("{file}:{}", entry.line);
            if let Some(outer) = outer
                .as_deref()
                .filter(|_| entry.workspace && file == proj.path())
            {
                return Err(crate::errors::UserError::new(
                    format!(
                        "{}: the workspace source `{}` of {}, a uv member inside {outer}, which \
                         has a pyproject.toml: uv reads it as a project of its own there \
                         (\"Project is contained in non-workspace project\"), so the source names \
                         no member (required at {}:{})",
                        at(),
                        r.name,
                        proj.dir(),
                        proj.path(),
                        r.line
                    ),
                    format!(
                        "move {} out of {outer}, or drop the entry: members take `{} = \
                         {{ workspace = true }}` from the root pyproject.toml's \
                         [tool.uv.sources] {fix}",
                        proj.dir(),
                        r.name
                    ),
                )
                .into());
            }
            // A distribution of the monorepo (every uv member is one) wants a workspace source
            // instead, whatever the source says: that is `missing-workspace-source`'s, which
            // `--fix` repairs.
            let ours = py.by_distribution.contains_key(&r.name);
            let required = || format!("required at {}:{}", proj.path(), r.line);
            // A PyO3 crate of the monorepo outside the uv workspace is `pyo3-not-uv-member`'s.
            if py.uv_workspace && entry.workspace && !ours {
                return Err(crate::errors::UserError::new(
                    format!(
                        "{}: the [tool.uv.sources] entry `{}` is a workspace source, but no \
                         member of the uv workspace is named `{}` ({})",
                        at(),
                        r.name,
                        r.name,
                        required()
                    ),
                    format!(
                        "make the package that builds `{}` a member ([tool.uv.workspace] \
                         members), fix the name, or give it another source {fix}",
                        r.name
                    ),
                )
                .into());
            }
            if let Some(why) = entry.lowering.as_deref().filter(|_| !ours) {
                return Err(crate::errors::UserError::new(
                    format!(
                        "{}: the [tool.uv.sources] entry `{}` {why} ({})",
                        at(),
                        r.name,
                        required()
                    ),
                    format!("fix the source of `{}` {fix}", r.name),
                )
                .into());
            }
            // The file's own indexes, and (for a uv member) the root's.
            let declared = |name: &str| {
                proj.indexes
                    .iter()
                    .chain(root_indexes.iter().flat_map(|root| &root.indexes))
                    .any(|i| i == name)
            };
            if let Some(index) = entry.indexes.iter().find(|i| !ours && !declared(i)) {
                return Err(crate::errors::UserError::new(
                    format!(
                        "{}: the [tool.uv.sources] entry `{}` names the index `{index}`, which \
                         no [[tool.uv.index]] declares ({})",
                        at(),
                        r.name,
                        required()
                    ),
                    format!(
                        "declare it (`[[tool.uv.index]]` with `name = \"{index}\"` and its \
                         `url`) in {}{}, or fix the name {fix}",
                        proj.path(),
                        match &outer {
                            // uv reads it as a project of its own: the root's do not count.
                            Some(outer) => format!(" (below {outer}, uv reads only its own)"),
                            None => " or the root pyproject.toml".to_string(),
                        }
                    ),
                )
                .into());
            }
        }
    }
    Ok(())
}

/// The name findings give a virtual root of a uv workspace (a distribution name cannot
/// have spaces, so no package is named so).
const VIRTUAL_ROOT: &str = "the workspace root";

/// Who requires, in a finding's message: `` `app` ``, or the workspace root.
fn requirer(pkg: &Package) -> String {
    if pkg.distribution == VIRTUAL_ROOT {
        VIRTUAL_ROOT.to_string()
    } else {
        format!("`{}`", pkg.distribution)
    }
}

/// Run the Python rules that `wanted` says are not `allow`.
pub(super) fn check(py: &PythonWorkspace, wanted: &dyn Fn(Rule) -> bool, out: &mut Vec<Finding>) {
    let member = py.uv_member_flags();
    let uv = py.root_project().and_then(|p| p.uv_workspace.as_ref());
    // PyO3 crates by their cargo name as a distribution name would read (normalised), for
    // requirements that name no distribution of the monorepo.
    let mut by_crate_name: std::collections::HashMap<String, &Package> =
        std::collections::HashMap::new();
    for p in &py.packages {
        if let PackageKind::Pyo3 { krate } = &p.kind {
            by_crate_name.entry(normalize(krate)).or_insert(p);
        }
    }
    // Whether the root's Python is allowed, by `requires-python` text (each parsed once).
    let mut allowed: std::collections::HashMap<&str, bool> = std::collections::HashMap::new();
    // A virtual root of a uv workspace (no `[project]`) is no package, but uv reads its
    // `[dependency-groups]` (and `[tool.uv] dev-dependencies`) as a member's: a requirement
    // there on a member needs the workspace source too.
    let virtual_root = match (&py.root, uv) {
        (Some(_), Some(_)) => Some(Package {
            distribution: VIRTUAL_ROOT.to_string(),
            dir: String::new(),
            kind: PackageKind::Python,
            project: None,
            maturin_crate: None,
        }),
        _ => None,
    };
    let entries = py
        .packages
        .iter()
        .enumerate()
        .filter_map(|(i, pkg)| Some((Some(i), pkg, pkg.project.as_ref()?)))
        .chain(
            virtual_root
                .as_ref()
                .zip(py.root.as_ref())
                .map(|(pkg, proj)| (None, pkg, proj)),
        );
    for (i, pkg, proj) in entries {
        if wanted(Rule::IncompatibleRequiresPython) && i.is_some() {
            requires_python(py, pkg, proj, &mut allowed, out);
        }
        // Asked once per package, not per requirement (the virtual root is no package).
        let pkg_member = i.map_or_else(|| py.uv_members.contains(&pkg.dir), |i| member[i]);
        for r in &proj.requirements {
            let Some(&to) = py.by_distribution.get(&r.name) else {
                if wanted(Rule::MissingWorkspaceSource) {
                    crate_name_required(&by_crate_name, pkg, proj, r, out);
                    left_out_required(py, pkg, proj, r, out);
                }
                continue;
            };
            // A package's own extras (`mono[test]` in its dependency groups) need no source.
            if Some(to) == i {
                continue;
            }
            let target = &py.packages[to];
            let krate = match &target.kind {
                PackageKind::Pyo3 { krate } => Some(krate.as_str()),
                PackageKind::Python => None,
            };
            if let (Some(uv), Some(krate)) = (uv, krate)
                && !member[to]
            {
                // A path source to the crate's folder builds it from the monorepo as a path
                // dependency, member or not; a direct reference (`fast_py @
                // file:///${PROJECT_ROOT}/crates/fast_py`) names where it comes from, and uv
                // never asks the index for it (it locks `source = { directory = ... }`).
                let by_path = is_direct(r)
                    || source_of(py, true, pkg, proj, &target.distribution)
                        .is_some_and(|s| s.points_at(pkg, &target.dir));
                if wanted(Rule::Pyo3NotUvMember) && !by_path {
                    let written = written_name(&r.text);
                    let how = if target.project.is_none() {
                        format!(
                            "give {} a pyproject.toml that builds it with maturin \
                             (`[build-system] build-backend = \"maturin\"`; uv cannot build a \
                             folder without one), then add \"{}\" to `members` in \
                             [tool.uv.workspace] of pyproject.toml (line {})",
                            target.dir, target.dir, uv.line
                        )
                    } else if target
                        .project
                        .as_ref()
                        .is_some_and(|p| p.uv_managed == Some(false))
                    {
                        let excluded = if uv_excludes(uv, &target.dir) {
                            format!(
                                ", and remove the pattern matching \"{}\" from `exclude` in \
                                 [tool.uv.workspace] of pyproject.toml (line {})",
                                target.dir, uv.line
                            )
                        } else {
                            String::new()
                        };
                        format!(
                            "remove `managed = false` from [tool.uv] of {}/pyproject.toml{excluded}: \
                             uv leaves an unmanaged project out of its workspace, though \
                             `members` matches it",
                            target.dir
                        )
                    } else if uv_excludes(uv, &target.dir) {
                        format!(
                            "remove the pattern matching \"{}\" from `exclude` in \
                             [tool.uv.workspace] of pyproject.toml (line {})",
                            target.dir, uv.line
                        )
                    } else {
                        format!(
                            "add \"{}\" (or a glob matching it) to `members` in \
                             [tool.uv.workspace] of pyproject.toml (line {})",
                            target.dir, uv.line
                        )
                    };
                    out.push(
                        Finding::new(
                            Rule::Pyo3NotUvMember,
                            proj.path(),
                            requirement_span(proj, r.line, &r.text),
                            format!(
                                "{} requires `{written}`, the wheel of the PyO3 crate `{krate}`, \
                                 which is not a member of the uv workspace",
                                requirer(pkg)
                            ),
                            format!("{} is not a uv workspace member", target.dir),
                        )
                        .help(how)
                        .note(
                            if source_of(py, true, pkg, proj, &target.distribution)
                                .is_some_and(|s| s.entry.workspace)
                            {
                                format!(
                                    "uv builds only its workspace members from the monorepo: \
                                     it refuses the workspace source of `{written}`, which \
                                     names no member (\"references a workspace in \
                                     `tool.uv.sources` ..., but is not a workspace member\")"
                                )
                            } else {
                                format!(
                                    "uv builds only its workspace members from the monorepo: \
                                     it cannot resolve `{written}` to {}, and would take it \
                                     from the package index",
                                    target.dir
                                )
                            },
                        )
                        .package(Some(&pkg.distribution))
                        .dependency(&target.distribution),
                    );
                }
                continue;
            }
            // A direct reference (`core @ file:///...`, PEP 508) names where it comes from: the
            // index is never asked. But uv refuses one to a member of its workspace from a
            // member without a workspace source ("`core` is included as a workspace member,
            // but is missing an entry in `tool.uv.sources`"; uv 0.13, checked by hand).
            // A requirer outside the uv workspace (a PyO3 crate built as a path dependency):
            // uv resolves its requirement on a member to the member, with or without a path
            // source, and refuses `workspace = true` there (uv 0.13, `uv lock` by hand), so
            // there is no source to add.
            if uv.is_some() && i.is_some() && !pkg_member {
                continue;
            }
            let direct = is_direct(r);
            // Without a root uv workspace, a package that declares one of its own is the root
            // of that workspace (uv, run in it, locks its members from their folders): for a
            // member of it the source is `{ workspace = true }`, as in a root workspace.
            let own = uv.is_none() && py.in_own_uv_workspace(&pkg.dir, &target.dir);
            let uv_refuses = (uv.is_some() && pkg_member) || own;
            if wanted(Rule::MissingWorkspaceSource) && (!direct || uv_refuses) {
                workspace_source(py, uv.is_some() || own, pkg, proj, target, r, out);
            }
        }
    }
}

/// Whether a requirement is a direct reference (`core @ file:///...`, PEP 508's `urlspec`).
fn is_direct(r: &crate::python::Requirement) -> bool {
    r.text.split(';').next().is_some_and(|t| t.contains('@'))
}

/// `missing-workspace-source` for a requirement on a Python project of the repository that uv
/// leaves out of its workspace ([`PythonWorkspace::left_out`]: excluded, or `managed = false`)
/// when no source points at its folder: uv asks the package index for that name (uv 0.13:
/// "b was not found in the cache" offline). A direct reference names where it comes from.
fn left_out_required(
    py: &PythonWorkspace,
    pkg: &Package,
    proj: &PyProject,
    r: &crate::python::Requirement,
    out: &mut Vec<Finding>,
) {
    let Some(left) = py.left_out.get(&r.name) else {
        return;
    };
    let dir = left.dir.as_str();
    if is_direct(r)
        || source_of(py, py.uv_workspace, pkg, proj, &r.name).is_some_and(|s| s.points_at(pkg, dir))
    {
        return;
    }
    let written = written_name(&r.text);
    let why = if left.excluded {
        "an `exclude` glob of [tool.uv.workspace] takes it out"
    } else {
        "its [tool.uv] has `managed = false`"
    };
    let rel = crate::model::relative_path(&pkg.dir, dir);
    out.push(
        Finding::new(
            Rule::MissingWorkspaceSource,
            proj.path(),
            requirement_span(proj, r.line, &r.text),
            format!(
                "{} requires `{written}` (the Python project in {}, which is not a uv workspace \
                 member) without a source in the monorepo",
                requirer(pkg),
                show_dir(dir)
            ),
            "uv takes this from the package index",
        )
        .note(format!(
            "{} is no member ({why}), so uv resolves `{}` from the package index: a package of \
             that name there would be installed instead (dependency confusion)",
            show_dir(dir),
            r.name
        ))
        .help(format!(
            "add `{written} = {{ path = \"{rel}\" }}` under [tool.uv.sources] in {}, or make {} a \
             member and give it `{written} = {{ workspace = true }}`",
            proj.path(),
            show_dir(dir)
        ))
        .package(Some(&pkg.distribution))
        .dependency(&r.name),
    );
}

/// `missing-workspace-source` for a requirement that names a PyO3 crate by its cargo package
/// name while its wheel has another (`dag_py` for the wheel `citychain-dags`): no package of the
/// monorepo has that name, so uv asks the index for it.
fn crate_name_required(
    by_crate_name: &std::collections::HashMap<String, &Package>,
    pkg: &Package,
    proj: &PyProject,
    r: &crate::python::Requirement,
    out: &mut Vec<Finding>,
) {
    let Some(&target) = by_crate_name
        .get(&r.name)
        .filter(|t| t.distribution != r.name)
    else {
        return;
    };
    let PackageKind::Pyo3 { krate } = &target.kind else {
        return;
    };
    let written = written_name(&r.text);
    out.push(
        Finding::new(
            Rule::MissingWorkspaceSource,
            proj.path(),
            requirement_span(proj, r.line, &r.text),
            format!(
                "{} requires `{written}`, the cargo name of the PyO3 crate `{krate}` in {}, \
                 whose wheel is `{}`",
                requirer(pkg),
                target.dir,
                target.distribution
            ),
            "no package of the monorepo has this name",
        )
        .note(format!(
            "uv takes `{}` from the package index: whatever is published under that name is \
             installed, not the crate's wheel (dependency confusion)",
            r.name
        ))
        .help(format!(
            "require `{}` (the `[project] name` of {}) instead",
            target.distribution,
            join(&target.dir, "pyproject.toml")
        ))
        .package(Some(&pkg.distribution))
        .dependency(&r.name),
    );
}

/// The `[tool.uv.sources]` entry uv uses for a distribution ([`source_of`]) and where it is.
#[derive(Clone, Copy)]
struct Source<'a> {
    entry: &'a UvSource,
    /// In the package's own `pyproject.toml` (else inherited from the root's).
    own: bool,
}

impl Source<'_> {
    /// The file that has the entry: the package's, else the root `pyproject.toml`.
    fn file<'p>(&self, proj: &'p PyProject) -> &'p str {
        if self.own {
            proj.path()
        } else {
            "pyproject.toml"
        }
    }

    /// Whether its path (relative to the file that has it) is the folder `dir`.
    fn points_at(&self, pkg: &Package, dir: &str) -> bool {
        let base = if self.own { pkg.dir.as_str() } else { "" };
        self.entry
            .path
            .as_deref()
            .is_some_and(|p| normalize_rel(&join(base, p)).is_some_and(|d| d == dir))
    }
}

/// The `[tool.uv.sources]` entry uv uses for `distribution` in `pkg`: its own, else (for a
/// member of a uv workspace) the workspace root's, which members inherit (uv docs, "Using
/// workspaces").
fn source_of<'a>(
    py: &'a PythonWorkspace,
    uv: bool,
    pkg: &Package,
    proj: &'a PyProject,
    distribution: &str,
) -> Option<Source<'a>> {
    if let Some(entry) = proj.sources.get(distribution) {
        return Some(Source { entry, own: true });
    }
    if !(uv && py.uv_members.contains(&pkg.dir)) {
        return None;
    }
    let entry = py.root_project()?.sources.get(distribution)?;
    Some(Source { entry, own: false })
}

/// `missing-workspace-source` for one requirement of `pkg` on `target`.
fn workspace_source(
    py: &PythonWorkspace,
    uv: bool,
    pkg: &Package,
    proj: &PyProject,
    target: &Package,
    requirement: &crate::python::Requirement,
    out: &mut Vec<Finding>,
) {
    let direct = is_direct(requirement);
    let source = source_of(py, uv, pkg, proj, &target.distribution);
    // With a uv workspace only `{ workspace = true }` will do: uv 0.13 refuses a path source
    // for a member ("Workspace members must be declared as workspace sources"). Without one,
    // a path source to the package's folder is how uv takes it from the monorepo.
    let to_target = |s: &Source| s.points_at(pkg, &target.dir);
    let from_repo = source.is_some_and(|s| if uv { s.entry.workspace } else { to_target(&s) });
    // uv refuses a path source for a member's name wherever it points ("references a path in
    // `tool.uv.sources`. Workspace members must be declared as workspace sources").
    // uv refuses any `path` entry for a member, one of a list too ("references a path").
    let refused_path = |s: &Source| uv && !s.entry.paths.is_empty();
    if from_repo {
        return;
    }
    let what = match &target.kind {
        PackageKind::Pyo3 { krate } => format!("the wheel of the PyO3 crate `{krate}`"),
        PackageKind::Python => format!("the Python package in {}", show_dir(&target.dir)),
    };
    let written = written_name(&requirement.text);
    let rel = crate::model::relative_path(&pkg.dir, &target.dir);
    let rel = if rel.is_empty() { ".".to_string() } else { rel };
    let mut f = Finding::new(
        Rule::MissingWorkspaceSource,
        proj.path(),
        requirement_span(proj, requirement.line, &requirement.text),
        format!(
            "{} requires `{written}` ({what}) without a source in the monorepo",
            requirer(pkg)
        ),
        if direct {
            "a direct reference to a workspace member, which uv refuses without a workspace source"
        } else if source.is_some_and(|s| refused_path(&s)) {
            "uv refuses a path source for a workspace member"
        } else {
            "uv takes this from the package index"
        },
    )
    .package(Some(&pkg.distribution))
    .dependency(&target.distribution);
    f = match source {
        Some(src) => {
            let s = src.entry;
            let elsewhere = match (&s.path, s.paths.first()) {
                (Some(p), _) if refused_path(&src) => format!(
                    "`path = \"{p}\"`, which uv refuses for a workspace member (\"Workspace \
                     members must be declared as workspace sources\")"
                ),
                (None, Some(p)) if refused_path(&src) => format!(
                    "a list of sources with `path = \"{p}\"`, which uv refuses for a workspace \
                     member (\"Workspace members must be declared as workspace sources\")"
                ),
                (Some(p), _) => format!("`path = \"{p}\"`, not {}", show_dir(&target.dir)),
                (None, Some(_)) => format!(
                    "a list of sources that does not name {} on every platform",
                    show_dir(&target.dir)
                ),
                (None, None) if s.workspace => {
                    "`workspace = true`, but there is no uv workspace".into()
                }
                // `workspace = false`, a Git URL as `url`: uv refuses to lower it.
                (None, None) if let Some(why) = &s.lowering => why.clone(),
                (None, None) => "a git, URL or index source".to_string(),
            };
            let file = src.file(proj);
            let consequence = if refused_path(&src) || s.lowering.is_some() {
                "uv does not lock the workspace".to_string()
            } else {
                format!(
                    "uv installs that instead of the monorepo's `{}`",
                    target.distribution
                )
            };
            let f = f
                .note(format!(
                    "its [tool.uv.sources] entry ({file}:{}) {}: {consequence}",
                    s.line,
                    // uv's refusal reads as a verb phrase already (`is ...`, `has ...`).
                    match (&s.path, s.paths.first(), &s.lowering) {
                        (None, None, Some(_)) if !s.workspace => elsewhere,
                        _ => format!("is {elsewhere}"),
                    }
                ))
                .help(if uv {
                format!(
                    "make it `{written} = {{ workspace = true }}` in [tool.uv.sources] of {file}"
                )
            } else {
                format!("make it `{written} = {{ path = \"{rel}\" }}` in [tool.uv.sources]")
            });
            // A path source to the member means the member: `--fix` says it the way uv wants
            // (one to another folder is refused too, but which one is meant is a human's call).
            if refused_path(&src) && to_target(&src) {
                let key = source_key(py, proj, file, &target.distribution)
                    .unwrap_or_else(|| written.to_string());
                f.fix(
                    file,
                    Edit::AddUvWorkspaceSource {
                        name: key,
                        replace: true,
                    },
                )
            } else {
                f
            }
        }
        None if uv => f
            .note(if direct {
                format!(
                    "uv does not lock the workspace: \"`{}` is included as a workspace member, \
                     but is missing an entry in `tool.uv.sources`\"",
                    target.distribution
                )
            } else {
                format!(
                    "a package named `{}` on the index would be installed instead of {} \
                     (dependency confusion)",
                    target.distribution,
                    show_dir(&target.dir)
                )
            })
            .help(format!(
                "add `{written} = {{ workspace = true }}` under [tool.uv.sources] in {}",
                proj.path()
            ))
            .fix(
                proj.path(),
                Edit::AddUvWorkspaceSource {
                    name: written.to_string(),
                    replace: false,
                },
            ),
        None => f
            .note(format!(
                "there is no uv workspace, so only a path source points uv at {}; a package \
                 named `{}` on the index would be installed instead (dependency confusion)",
                show_dir(&target.dir),
                target.distribution
            ))
            .help(format!(
                "add `{written} = {{ path = \"{rel}\", editable = true }}` under \
                 [tool.uv.sources] in {}, or make the root pyproject.toml a uv workspace",
                proj.path()
            )),
    };
    out.push(f);
}

/// The `[tool.uv.sources]` key, as written in `file` (the package's or the root's
/// `pyproject.toml`), that names `distribution`.
fn source_key(
    py: &PythonWorkspace,
    proj: &PyProject,
    file: &str,
    distribution: &str,
) -> Option<String> {
    let doc = if proj.path() == file {
        proj
    } else {
        py.root_project()?
    };
    let tree = doc.tree()?;
    let sources = tree.root().get("tool")?.get("uv")?.get("sources")?;
    sources
        .as_table()?
        .keys()
        .map(|k| k.get_ref().to_string())
        .find(|k| normalize(k) == distribution)
}

/// Whether `specifiers` allow `version`; a version without a patch number (`3.11`, as
/// `.python-version` usually pins it) is any `3.11.x`, as uv reads it (it picks the newest
/// 3.11 it has, then checks `requires-python`): allowed when one of them is.
fn allows(specifiers: &pep440_rs::VersionSpecifiers, version: &pep440_rs::Version) -> bool {
    if specifiers.contains(version) {
        return true;
    }
    let release = version.release();
    if release.len() != 2 || version.any_prerelease() {
        return false;
    }
    let patch = |p: u64| pep440_rs::Version::new([release[0], release[1], p]);
    // The bounds of the minor, and each specifier's own version (and the next patch) within
    // it: a specifier set allows some 3.11.x iff it allows one of these.
    let mut candidates = vec![patch(u64::MAX / 2)];
    for s in specifiers.iter() {
        let r = s.version().release();
        if r.len() >= 2 && r[0] == release[0] && r[1] == release[1] {
            let p = r.get(2).copied().unwrap_or(0);
            candidates.extend([patch(p), patch(p + 1)]);
        }
    }
    candidates.iter().any(|v| specifiers.contains(v))
}

/// `incompatible-requires-python` for one package; `allowed` caches the answer per
/// `requires-python` text.
fn requires_python<'p>(
    py: &PythonWorkspace,
    pkg: &Package,
    proj: &'p PyProject,
    allowed: &mut std::collections::HashMap<&'p str, bool>,
    out: &mut Vec<Finding>,
) {
    let (Some(root), Some(rp)) = (&py.root_python, &proj.requires_python) else {
        return;
    };
    if let (PackageKind::Pyo3 { krate }, Some(image)) = (&pkg.kind, &root.image)
        && *image != root.version
        && pep440_rs::VersionSpecifiers::from_str(&rp.value)
            .is_ok_and(|specifiers| !allows(&specifiers, image))
    {
        let span = requires_python_span(proj);
        out.push(
            Finding::new(
                Rule::IncompatibleRequiresPython,
                proj.path(),
                span,
                format!(
                    "`requires-python = \"{}\"` of the PyO3 crate `{krate}` excludes Python \
                     {image}, which its image installs the wheel into",
                    rp.value
                ),
                format!("does not allow {image}"),
            )
            .note(format!(
                "`dockerfile` builds the wheel for [workspace.metadata.ccworkspace.docker] \
                 python-version ({image}), and the image's pip refuses a wheel whose \
                 `requires-python` excludes it"
            ))
            .help(format!(
                "allow Python {image} in `requires-python` (e.g. `requires-python = \">={}\"`), \
                 or set `python-version` in [workspace.metadata.ccworkspace.docker] to a Python \
                 it allows",
                major_minor(image)
            ))
            .package(Some(&pkg.distribution))
            .dependency("requires-python"),
        );
    }
    let ok = *allowed.entry(rp.value.as_str()).or_insert_with(|| {
        // An invalid specifier set is `check_input`'s error, not a finding.
        pep440_rs::VersionSpecifiers::from_str(&rp.value).map_or(true, |specifiers| {
            allows(&specifiers, &root.version)
                && root
                    .range
                    .as_ref()
                    .is_none_or(|(_, pin)| shares_a_release(&specifiers, pin))
        })
    });
    if ok {
        return;
    }
    let span = requires_python_span(proj);
    // A range pin (`<3.12`) that `requires-python` shares no Python with: uv refuses whichever
    // interpreter of the range it takes.
    if let Some((from, pin)) = &root.range
        && pep440_rs::VersionSpecifiers::from_str(&rp.value)
            .is_ok_and(|specifiers| !shares_a_release(&specifiers, pin))
    {
        out.push(
            Finding::new(
                Rule::IncompatibleRequiresPython,
                proj.path(),
                span,
                format!(
                    "`requires-python = \"{}\"` of `{}` allows no Python that {} asks for",
                    rp.value, pkg.distribution, from
                ),
                format!("shares no Python with `{pin}`"),
            )
            .note(
                "uv takes an interpreter the pin allows and refuses it for this package (\"which \
                 is incompatible with the project's Python requirement\")",
            )
            .help(format!(
                "widen `requires-python`, or the pin in {from}, so that they share a Python"
            ))
            .package(Some(&pkg.distribution))
            .dependency("requires-python"),
        );
        return;
    }
    let what = match &pkg.kind {
        PackageKind::Pyo3 { krate } => format!("the PyO3 crate `{krate}`"),
        PackageKind::Python => format!("`{}`", pkg.distribution),
    };
    out.push(
        Finding::new(
            Rule::IncompatibleRequiresPython,
            proj.path(),
            span,
            format!(
                "`requires-python = \"{}\"` of {what} excludes Python {}, which the monorepo runs",
                rp.value, root.version
            ),
            format!("does not allow {}", root.version),
        )
        .note(format!("the monorepo's Python is {}", root.from))
        .note(match (py.uv_members.contains(&pkg.dir), root.pinned) {
            (true, true) => "uv does not lock the workspace with this member (\"incompatible \
                             with the project's Python requirement\"), and pip refuses to install \
                             the package on that Python"
                .to_string(),
            // Without a pin uv locks for the Pythons every member allows (uv 0.13, by hand).
            (true, false) => format!(
                "uv locks the workspace only for the Pythons every member allows, which leaves \
                 out Python {v}: `uv sync` refuses a Python {v} interpreter, and pip refuses to \
                 install the package on it",
                v = root.version
            ),
            (false, _) => "uv and pip refuse to install the package on that Python".to_string(),
        })
        .help(format!(
            "allow Python {} in `requires-python` (e.g. `requires-python = \">={}\"`), or move \
             the monorepo to a Python it allows",
            root.version,
            major_minor(&root.version)
        ))
        .package(Some(&pkg.distribution))
        .dependency("requires-python"),
    );
}

/// The span of `[project] requires-python` in `proj`'s file (empty when it has none).
fn requires_python_span(proj: &PyProject) -> std::ops::Range<usize> {
    proj.tree().map_or(0..0, |tree| {
        tree.root()
            .get("project")
            .and_then(|p| p.get("requires-python"))
            .map_or(0..0, |n| n.span())
    })
}

/// Whether two specifier sets allow a release in common, read as ranges of releases as uv
/// reads `requires-python` (`pep440_rs::release_specifiers_to_ranges`).
fn shares_a_release(a: &pep440_rs::VersionSpecifiers, b: &pep440_rs::VersionSpecifiers) -> bool {
    let a = pep440_rs::release_specifiers_to_ranges(a.clone());
    let b = pep440_rs::release_specifiers_to_ranges(b.clone());
    !a.intersection(&b).is_empty()
}

fn major_minor(v: &pep440_rs::Version) -> String {
    v.release()
        .iter()
        .take(2)
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

fn show_dir(dir: &str) -> String {
    if dir.is_empty() {
        "the workspace root".to_string()
    } else {
        dir.to_string()
    }
}

/// Whether an `exclude` glob of the uv workspace matches `dir`.
fn uv_excludes(uv: &crate::python::pyproject::UvWorkspace, dir: &str) -> bool {
    uv.exclude.iter().any(|p| {
        globset::GlobBuilder::new(p.trim_end_matches('/'))
            .literal_separator(true)
            .build()
            .is_ok_and(|g| g.compile_matcher().is_match(dir))
    })
}

/// The distribution name as the requirement writes it (`Citychain_DAGs>=0.1` ->
/// `Citychain_DAGs`), for the `[tool.uv.sources]` key `--fix` writes (uv normalises keys).
pub(crate) fn written_name(requirement: &str) -> String {
    requirement
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect()
}

/// The span of the requirement string on `line` (its quotes included), else the line.
fn requirement_span(proj: &PyProject, line: usize, text: &str) -> std::ops::Range<usize> {
    let source = proj.text();
    let start = source
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    let line_text = source[start..].split('\n').next().unwrap_or("");
    match line_text.find(text) {
        Some(at) => {
            let quoted = at > 0 && matches!(line_text.as_bytes()[at - 1], b'"' | b'\'');
            let from = start + at - usize::from(quoted);
            from..start + at + text.len() + usize::from(quoted)
        }
        None => {
            let indent = line_text.len() - line_text.trim_start().len();
            start + indent..start + line_text.trim_end().len()
        }
    }
}

/// `--fix` for `missing-workspace-source`: add `name = { workspace = true }` to
/// `[tool.uv.sources]`, creating the tables that are missing (`[tool.uv.sources]` goes at the
/// end of the file; `tool` and `tool.uv` are not written as headers of their own). Nothing
/// changes when a key that normalises to `name` (PEP 503) is there already. Comments and
/// layout stay: only the new entry (and header) is written.
pub(super) fn add_uv_workspace_source(
    doc: &mut DocumentMut,
    name: &str,
    replace: bool,
) -> anyhow::Result<()> {
    let entry = workspace_entry(None);
    let root = doc.as_table_mut();
    let mut table: &mut Table = root;
    for (depth, key) in ["tool", "uv", "sources"].into_iter().enumerate() {
        if !table.contains_key(key) {
            let mut t = Table::new();
            if depth < 2 {
                t.set_implicit(true);
            } else {
                t.decor_mut().set_prefix("\n");
            }
            table.insert(key, Item::Table(t));
        }
        let item = table
            .get_mut(key)
            .ok_or_else(|| anyhow!("`{key}` vanished"))?;
        match item {
            Item::Table(t) => table = t,
            Item::Value(Value::InlineTable(inline)) => {
                let rest = &["tool", "uv", "sources"][depth + 1..];
                return insert_inline(inline, rest, name, entry, replace);
            }
            _ => return Err(anyhow!("`{key}` in pyproject.toml is not a table")),
        }
    }
    let existing = table
        .iter()
        .map(|(k, _)| k.to_string())
        .find(|k| normalize(k) == normalize(name));
    match existing {
        None => {
            table.insert(name, toml_edit::value(entry));
        }
        Some(key) if replace => match table.get_mut(&key) {
            // The new value keeps the old one's comment after it.
            Some(Item::Value(old)) => {
                let decor = old.decor().clone();
                *old = workspace_value(old);
                *old.decor_mut() = decor;
            }
            // `[tool.uv.sources.b]` with `path = ...`: the table stays, as written.
            Some(Item::Table(t)) => {
                // `workspace` takes the place of `path`, with the comments above and after
                // it; the comments of a `package` line that goes too move above it.
                let mut workspace = toml_edit::Key::new("workspace");
                let mut value = toml_edit::value(true);
                if let Some(path) = t.key("path") {
                    *workspace.leaf_decor_mut() = path.leaf_decor().clone();
                }
                if let (Some(after), Some(new)) = (
                    t.get("path")
                        .and_then(Item::as_value)
                        .and_then(|v| v.decor().suffix().cloned()),
                    value.as_value_mut(),
                ) {
                    new.decor_mut().set_suffix(after);
                }
                let mut moved = String::new();
                if let (Some(key), Some(item)) = (t.key("package"), t.get("package")) {
                    let above = key.leaf_decor().prefix().and_then(|p| p.as_str());
                    let after = item
                        .as_value()
                        .and_then(|v| v.decor().suffix())
                        .and_then(|s| s.as_str());
                    for comment in [above, after].into_iter().flatten() {
                        for line in comment
                            .lines()
                            .map(str::trim)
                            .filter(|l| l.starts_with('#'))
                        {
                            moved.push_str(&format!("{line}\n"));
                        }
                    }
                }
                if !moved.is_empty() {
                    let above = workspace
                        .leaf_decor()
                        .prefix()
                        .and_then(|p| p.as_str())
                        .unwrap_or_default()
                        .to_string();
                    workspace
                        .leaf_decor_mut()
                        .set_prefix(format!("{above}{moved}"));
                }
                for k in PATH_ONLY_KEYS {
                    t.remove(k);
                }
                t.insert_formatted(&workspace, value);
                t.sort_values_by(|a, _, b, _| {
                    (a.get() != "workspace").cmp(&(b.get() != "workspace"))
                });
            }
            _ => {}
        },
        Some(_) => {}
    }
    Ok(())
}

/// [`workspace_entry`] of a source's value: of each entry of a list of sources (one per
/// platform: `[{ path = "../b", marker = "..." }, ...]`, each keeping its `marker`), else of
/// the one entry.
fn workspace_value(old: &Value) -> Value {
    match old {
        Value::Array(list) => {
            let mut new = list.clone();
            for entry in new.iter_mut() {
                if let Value::InlineTable(t) = entry {
                    let decor = t.decor().clone();
                    let mut kept = workspace_entry(Some(t));
                    *kept.decor_mut() = decor;
                    *t = kept;
                }
            }
            Value::Array(new)
        }
        other => Value::InlineTable(workspace_entry(other.as_inline_table())),
    }
}

/// The keys of a path source that a workspace source may not have (uv: "cannot specify both
/// `workspace` and `package`").
const PATH_ONLY_KEYS: [&str; 2] = ["path", "package"];

/// `{ workspace = true }` in place of the source `old` (a path source to the member): what
/// else `old` says and a workspace source may say too is kept (`editable`, `marker`, `extra`,
/// `group`: uv's `Source::Workspace`), so `editable = false` stays a non-editable install.
fn workspace_entry(old: Option<&InlineTable>) -> InlineTable {
    let mut entry = InlineTable::new();
    entry.insert("workspace", Value::from(true));
    for (key, value) in old.into_iter().flat_map(InlineTable::iter) {
        if key != "workspace" && !PATH_ONLY_KEYS.contains(&key) {
            entry.insert(key, value.clone());
        }
    }
    entry.fmt();
    entry
}

/// The same under an inline table (`[tool] uv = { sources = { ... } }`).
fn insert_inline(
    table: &mut InlineTable,
    rest: &[&str],
    name: &str,
    entry: InlineTable,
    replace: bool,
) -> anyhow::Result<()> {
    match rest.split_first() {
        None => {
            let existing = table
                .iter()
                .map(|(k, _)| k.to_string())
                .find(|k| normalize(k) == normalize(name));
            match existing {
                None => {
                    table.insert(name, Value::InlineTable(entry));
                    table.fmt();
                }
                Some(key) if replace => {
                    let kept = table.get(&key).map_or_else(
                        || Value::InlineTable(workspace_entry(None)),
                        workspace_value,
                    );
                    table.insert(&key, kept);
                    table.fmt();
                }
                Some(_) => {}
            }
            Ok(())
        }
        Some((key, rest)) => {
            if !table.contains_key(key) {
                table.insert(*key, Value::InlineTable(InlineTable::new()));
            }
            match table.get_mut(key) {
                Some(Value::InlineTable(t)) => insert_inline(t, rest, name, entry, replace),
                _ => Err(anyhow!("`{key}` in pyproject.toml is not a table")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(text: &str) -> String {
        super::super::fix::apply(
            text,
            &[Edit::AddUvWorkspaceSource {
                name: "Core_Lib".into(),
                replace: false,
            }],
        )
        .unwrap()
    }

    #[test]
    fn the_fix_creates_or_extends_tool_uv_sources_keeping_comments() {
        let text = "# top\n[project]\nname = \"a\"  # the name\ndependencies = [\"core-lib\"]\n";
        let out = fix(text);
        assert_eq!(
            out,
            format!("{text}\n[tool.uv.sources]\nCore_Lib = {{ workspace = true }}\n")
        );
        assert_eq!(fix(&out), out, "a second fix changes nothing");

        let text = "[project]\nname = \"a\"\nversion = \"0.1.0\"\n\n[tool.uv.sources]\n# pinned\nother = { path = \"../o\" }\n\n[tool.ruff]\nline-length = 1\n";
        let out = fix(text);
        assert!(
            out.contains(
                "# pinned\nother = { path = \"../o\" }\nCore_Lib = { workspace = true }\n"
            ),
            "{out}"
        );
        assert!(out.ends_with("[tool.ruff]\nline-length = 1\n"), "{out}");

        // A key that normalises to the name is already a source: left alone, or rewritten
        // with `replace` (its comment kept).
        let text = "[tool.uv.sources]\ncore-lib = { git = \"https://x\" }\n";
        assert_eq!(fix(text), text);
        let text = "[tool.uv.sources]\ncore-lib = { path = \"../core\" }  # local\n";
        let replaced = super::super::fix::apply(
            text,
            &[Edit::AddUvWorkspaceSource {
                name: "Core_Lib".into(),
                replace: true,
            }],
        )
        .unwrap();
        assert_eq!(
            replaced,
            "[tool.uv.sources]\ncore-lib = { workspace = true }  # local\n"
        );

        // What a workspace source may say too stays (`editable = false` is still a
        // non-editable install); `path` and `package` go (uv refuses them beside `workspace`).
        let replace = |text: &str| {
            super::super::fix::apply(
                text,
                &[Edit::AddUvWorkspaceSource {
                    name: "Core_Lib".into(),
                    replace: true,
                }],
            )
            .unwrap()
        };
        assert_eq!(
            replace(
                "[tool.uv.sources]\ncore-lib = { path = \"../core\", editable = false, package = true, marker = \"sys_platform == 'linux'\" }\n"
            ),
            "[tool.uv.sources]\ncore-lib = { workspace = true, editable = false, marker = \"sys_platform == 'linux'\" }\n"
        );
        assert_eq!(
            replace("[tool.uv.sources.core-lib]\n# local\npath = \"../core\"\neditable = false\n"),
            "[tool.uv.sources.core-lib]\n# local\nworkspace = true\neditable = false\n"
        );
        assert_eq!(
            replace(
                "[tool.uv]\nsources = { core-lib = { path = \"../core\", editable = false } }\n"
            ),
            "[tool.uv]\nsources = { core-lib = { workspace = true, editable = false } }\n"
        );
        // A list of sources, one per platform: each entry keeps its marker.
        assert_eq!(
            replace(
                "[tool.uv.sources]\ncore-lib = [\n  { path = \"../core\", marker = \"sys_platform == 'linux'\" },\n  { path = \"../core\", marker = \"sys_platform != 'linux'\", editable = false },\n]\n"
            ),
            "[tool.uv.sources]\ncore-lib = [\n  { workspace = true, marker = \"sys_platform == 'linux'\" },\n  { workspace = true, marker = \"sys_platform != 'linux'\", editable = false },\n]\n"
        );

        let text = "[tool.uv]\nsources = { other = { workspace = true } }\n";
        assert_eq!(
            fix(text),
            "[tool.uv]\nsources = { other = { workspace = true }, Core_Lib = { workspace = true } }\n"
        );

        let text = "[tool.uv]\ndev-dependencies = []\n";
        let out = fix(text);
        assert!(out.starts_with(text), "{out}");
        assert!(
            out.ends_with("[tool.uv.sources]\nCore_Lib = { workspace = true }\n"),
            "{out}"
        );
        toml::from_str::<toml::Table>(&out).unwrap();
    }

    #[test]
    fn requirement_names_and_spans() {
        assert_eq!(
            written_name("Citychain_DAGs[x]>=0.1; python_version>'3'"),
            "Citychain_DAGs"
        );
        let proj = crate::python::pyproject::parse(
            "a/pyproject.toml",
            "[project]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\n  \"core >= 1\",\n]\n"
                .to_string(),
        )
        .unwrap();
        let span = requirement_span(&proj, 5, "core >= 1");
        assert_eq!(&proj.text()[span], "\"core >= 1\"");
    }
}
