//! `cargo ccworkspace new DOMAIN/CRATE`: add a crate that already passes every `lint-deps`
//! rule, with its Dockerfile pair rendered exactly as `cargo ccworkspace dockerfile` would.
//!
//! Every file (and the root `Cargo.toml`, when pyo3 must be added to it) is written at once, or
//! none is.

use std::collections::BTreeSet;

use crate::cli::{CrateKind, GlobalOpts, NewArgs};
use crate::config::Config;
use crate::docker::{self, CrateFiles};
use crate::errors::{Status, UserError};
use crate::fsutil::{FileWrite, read_optional, write_all_atomic};
use crate::init::uv::{self, Membership};
use crate::init::{
    NewOptions, add_member_glob, place_new, place_python, render_new, render_python_package,
};
use crate::model::members;
use crate::output::Output;

pub fn run(global: &GlobalOpts, args: &NewArgs, out: &Output) -> anyhow::Result<Status> {
    if args.python {
        return run_python(global, args, out);
    }
    let kind = if args.pyo3 {
        CrateKind::Pyo3
    } else if args.bin {
        CrateKind::Bin
    } else {
        CrateKind::Lib
    };
    let RootManifest {
        root,
        path: root_path,
        label,
        text: root_text,
        config,
    } = read_root(global)?;
    let info = docker::parse_root(&root_text, &label)?;

    // Where the crate goes: the workspace's own layout, and a new domain's glob when no
    // `members` glob covers the folder yet (as `cargo new` adds a member).
    let mut glob_error = None;
    let mut covers =
        |dir: &str| match members::expand(&info.members, &[], &BTreeSet::from([dir.to_string()])) {
            Ok(covered) => covered.contains(dir),
            Err(e) => {
                glob_error.get_or_insert(e.to_string());
                false
            }
        };
    let place = place_new(&args.path, &info.members, &mut covers)?;
    if let Some(e) = glob_error {
        return Err(UserError::new(
            format!("{label}: bad `members` glob: {e}"),
            "fix the glob (cargo rejects it too)",
        )
        .into());
    }
    let dir = place.dir.clone();
    let name = place.name.clone();
    refuse_folders_cargo_would_take(&root, &place, &info.members, &label)?;
    // Excluded as cargo decides it (absolute entries and every spelling included).
    if members::is_excluded(&root, &dir, &info.members, &info.exclude) {
        return Err(UserError::new(
            format!("{dir} is under a [workspace] `exclude` entry of {label}; nothing was written"),
            "pick a folder outside `exclude`, or remove the entry",
        )
        .into());
    }
    let mut opts = NewOptions {
        dir: dir.clone(),
        domain: place.domain.clone(),
        name: name.clone(),
        kind,
        python: crate::python::root_python_floor(&root, &config.docker.python_version)?,
    };

    // The folder and the name must be free.
    let abs_dir = root.join(&dir);
    ensure_free(&abs_dir, &dir, "crate")?;
    let mut model = super::image_model(&root)?;
    let normalized = name.replace('-', "_");
    if let Some(taken) = model
        .crates
        .values()
        .find(|c| c.name == name || c.name.replace('-', "_") == normalized)
    {
        return Err(UserError::new(
            format!(
                "the crate name `{}` is taken by {}; nothing was written",
                taken.name,
                crate::workspace::join(&taken.path, "Cargo.toml")
            ),
            "pick another crate name (cargo needs package and library names to be unique)",
        )
        .into());
    }

    if kind == CrateKind::Pyo3 {
        crate::init::ensure_not_stdlib(&normalized, &name, "PyO3 crate")?;
        // Its `pyproject.toml`'s `[project] name` is the crate's name: a distribution name
        // (PEP 508) no other package of the monorepo has, as uv needs.
        if !crate::python::pyproject::is_valid_name(&name) {
            let trimmed = name.trim_matches(|c: char| !c.is_ascii_alphanumeric());
            let suggestion = if trimmed.is_empty() {
                "native"
            } else {
                trimmed
            };
            return Err(UserError::new(
                format!(
                    "`{name}` is no valid Python distribution name, and a PyO3 crate's wheel is \
                     named after the crate; nothing was written"
                ),
                format!(
                    "a distribution name starts and ends with an ASCII letter or digit (PEP 508; \
                     uv refuses others): name the crate e.g. `{suggestion}`, and set \
                     `[tool.maturin] module-name` afterwards if the module must be `{name}`"
                ),
            )
            .into());
        }
        let python = ensure_distribution_free(&root, &config, &model, &name, "crate")?;
        opts.python = crate::python::floor_within_members(&python, opts.python);
        // Its image installs the wheel into the docker `python-version`: allowed too.
        if config
            .docker
            .images
            .contains(&crate::config::ImageKind::Pyo3)
        {
            opts.python = lower_floor(opts.python, &config.docker.python_version);
        }
    }
    let mut rendered = render_new(&opts, &root_text)?;
    let pyo3_added = rendered.root_manifest.is_some();
    if let Some(glob) = &place.add_glob {
        let base = rendered.root_manifest.as_deref().unwrap_or(&root_text);
        rendered.root_manifest = Some(add_member_glob(base, glob)?);
        // The glob keeps matching when the domain's last crate goes (cargo refuses a glob that
        // matches nothing), as `init` does for its domains.
        if let Some(parent) = glob.strip_suffix("/*") {
            let keep = format!("{parent}/.gitkeep");
            if !root.join(&keep).exists() {
                rendered.files.push((keep, String::new()));
            }
        }
    }
    let mut new_root = rendered.root_manifest.clone().unwrap_or(root_text);
    // A `DOMAIN/*` glob (a workspace laid out as `crates/*`) would take the domain's Python
    // packages' folder for a crate: it is excluded.
    let python_excluded = if root.join(&place.domain).join("python").is_dir() {
        keep_python_folder_out(&root, &new_root, &label, &place.domain)?
    } else {
        None
    };
    if let Some((text, _)) = &python_excluded {
        new_root = text.clone();
        rendered.root_manifest = Some(text.clone());
    }
    let mut files = rendered.files.clone();
    // A PyO3 crate's Python project joins the uv workspace, so `uv sync` builds its wheel.
    let registration = if kind == CrateKind::Pyo3 {
        register_in_uv_workspace(&root, &dir)?
    } else {
        Registration::NoWorkspace
    };

    // The Dockerfile pair, through the same plan and renderer as `cargo ccworkspace dockerfile`.
    if kind != CrateKind::Lib {
        let new_info = docker::parse_root(&new_root, &label)?;
        let manifest_rel = crate::workspace::join(&dir, "Cargo.toml");
        let find = |path: &str| {
            files
                .iter()
                .find(|(p, _)| *p == crate::workspace::join(&dir, path))
                .map(|(_, text)| text.clone())
        };
        let manifest = find("Cargo.toml").unwrap_or_default();
        let crate_files = CrateFiles {
            pyproject: find("pyproject.toml"),
            main_rs: find("src/main.rs").is_some(),
            lib_rs: find("src/lib.rs").is_some(),
            bin_dir: Vec::new(),
        };
        let krate = docker::parse_crate(
            &manifest,
            &dir,
            &manifest_rel,
            &new_info,
            &crate_files,
            true,
        )?;
        model.root_manifest = new_root.clone();
        model.crates.insert(dir.clone(), krate.clone());
        let trimmer = docker::trim::RootTrimmer::new(&new_root)?;
        if let Some(plan) = docker::plan(&model, &krate)? {
            let r = docker::render::render(&plan, &model.config, &trimmer)?;
            files.push((plan.dockerfile_path(), r.dockerfile));
            files.push((plan.ignore_path(), r.dockerignore));
        }
    }

    let mut writes: Vec<FileWrite> = files
        .iter()
        .map(|(path, contents)| FileWrite {
            path: root.join(path),
            contents: contents.clone(),
        })
        .collect();
    if let Some(text) = &rendered.root_manifest {
        writes.push(FileWrite {
            path: root_path.clone(),
            contents: text.clone(),
        });
    }
    let (pyproject, uv_excluded) = if kind == CrateKind::Pyo3 {
        uv_root_text(&root, &registration, &dir, &files)?
    } else {
        // A crate without a Python side: its folder and the folders above it that `new`
        // creates (`libs/rust` under uv `members = ["libs/*"]`) are no uv members either.
        let current = read_optional(&root.join("pyproject.toml"))?;
        let mut created = uv::folders_created(&root, &dir, &files);
        created.push(dir.clone());
        match uv::exclude_created_folders(&root, current.as_deref(), &created)? {
            Some((text, excluded)) => (Some(text), excluded),
            None => (None, Vec::new()),
        }
    };
    if let Some(text) = pyproject {
        writes.push(FileWrite {
            path: root.join("pyproject.toml"),
            contents: text,
        });
    }
    write_all_atomic(&writes)?;
    for (path, _) in &files {
        out.verbose(format!("wrote {path}"));
    }
    if kind == CrateKind::Pyo3 {
        report_registration(&registration, &dir, out);
    }
    report_uv_excluded(&uv_excluded, out);
    if let Some(glob) = &place.add_glob {
        out.status(
            "Updated",
            format!("Cargo.toml: added \"{glob}\" to [workspace] members"),
        );
    }
    if let Some((_, python)) = &python_excluded {
        report_python_excluded(python, out);
    }
    if pyo3_added {
        out.status(
            "Updated",
            format!(
                "Cargo.toml: added pyo3 = \"{}\" to [workspace.dependencies]",
                crate::init::PYO3_VERSION
            ),
        );
    }
    out.status(
        "Created",
        format!(
            "{} crate `{name}` at {dir} ({} files)",
            kind.as_str(),
            files.len()
        ),
    );
    if kind == CrateKind::Lib {
        out.status(
            "Note",
            format!(
                "to use it from another member, add `{name} = {{ path = \"{dir}\" }}` to \
                 [workspace.dependencies] and `{name}.workspace = true` to that member"
            ),
        );
    }
    Ok(Status::Ok)
}

/// What registering a folder in the root uv workspace did (or would do).
enum Registration {
    /// The new root `pyproject.toml`, with the folder added to `members`.
    Added(String),
    /// A `members` glob covers the folder already.
    Covered,
    /// An `exclude` glob of the uv workspace matches the folder.
    Excluded,
    /// The root has no `pyproject.toml`, or one without `[tool.uv.workspace]`.
    NoWorkspace,
}

/// The root `pyproject.toml` to write for a package or PyO3 crate at `dir`, after
/// `registration`: with `dir` added to `members` ([`Registration::Added`]) and the folders
/// `new` creates that a `members` glob would take excluded
/// ([`uv::exclude_created_folders`]); `None` when it does not change. Also the folders excluded.
fn uv_root_text(
    root: &std::path::Path,
    registration: &Registration,
    dir: &str,
    files: &[(String, String)],
) -> anyhow::Result<(Option<String>, Vec<String>)> {
    let current = match registration {
        Registration::Added(text) => Some(text.clone()),
        Registration::Covered => read_optional(&root.join("pyproject.toml"))?,
        Registration::Excluded | Registration::NoWorkspace => return Ok((None, Vec::new())),
    };
    let created = uv::folders_created(root, dir, files);
    match uv::exclude_created_folders(root, current.as_deref(), &created)? {
        Some((text, excluded)) => Ok((Some(text), excluded)),
        None => Ok((
            matches!(registration, Registration::Added(_))
                .then(|| current)
                .flatten(),
            Vec::new(),
        )),
    }
}

fn report_uv_excluded(excluded: &[String], out: &Output) {
    for folder in excluded {
        out.status(
            "Updated",
            format!(
                "pyproject.toml: added \"{folder}\" to [tool.uv.workspace] exclude (a `members` \
                 glob matches the new folder, which has no pyproject.toml; uv refuses such a \
                 member)"
            ),
        );
    }
}

/// Register `dir` in the root `pyproject.toml`'s `[tool.uv.workspace] members`, unless a glob
/// covers it already (the text is returned; nothing is written here).
fn register_in_uv_workspace(root: &std::path::Path, dir: &str) -> anyhow::Result<Registration> {
    let Some(text) = read_optional(&root.join("pyproject.toml"))? else {
        return Ok(Registration::NoWorkspace);
    };
    let Some(ws) = uv::read(&text)? else {
        return Ok(Registration::NoWorkspace);
    };
    Ok(match ws.membership(root, dir)? {
        Membership::Member => Registration::Covered,
        Membership::Excluded => Registration::Excluded,
        Membership::NotCovered => Registration::Added(uv::add_member(&text, dir)?),
    })
}

fn report_registration(registration: &Registration, dir: &str, out: &Output) {
    match registration {
        Registration::Added(_) => out.status(
            "Updated",
            format!("pyproject.toml: added \"{dir}\" to [tool.uv.workspace] members"),
        ),
        Registration::Covered => {}
        Registration::Excluded => out.warn(format!(
            "{dir} is under an `exclude` glob of [tool.uv.workspace] in pyproject.toml: `uv \
             sync` leaves it out"
        )),
        Registration::NoWorkspace => out.status(
            "Note",
            format!(
                "the root pyproject.toml has no [tool.uv.workspace], so `uv sync` does not build \
                 {dir}: `cargo ccworkspace init --add-missing` adds one"
            ),
        ),
    }
}

/// `new DOMAIN/PACKAGE --python`: a Python package at `DOMAIN/python/PACKAGE`, registered in
/// the root uv workspace. Every file, and the root `pyproject.toml` when it changes, is written
/// at once or not at all.
fn run_python(global: &GlobalOpts, args: &NewArgs, out: &Output) -> anyhow::Result<Status> {
    let RootManifest {
        root,
        path: root_path,
        label,
        text: root_text,
        config,
    } = read_root(global)?;
    let place = place_python(&args.path)?;
    let dir = place.dir.clone();
    let name = place.name.clone();

    let abs_dir = root.join(&dir);
    ensure_free(&abs_dir, &dir, "package")?;
    crate::init::ensure_not_stdlib(&crate::init::python_module(&name), &name, "Python package")?;
    // The distribution name must be free among the Python packages and the PyO3 crates'
    // wheels (uv refuses two workspace members with one name).
    let model = super::image_model(&root)?;
    if !config.python.enabled {
        out.warn(
            "`enabled = false` in [workspace.metadata.ccworkspace.python]: the package is \
             written, but `affected` and `lint-deps` will not see it until the Python half is \
             turned on",
        );
    }
    let python = ensure_distribution_free(&root, &config, &model, &name, "package")?;
    let registration = register_in_uv_workspace(&root, &dir)?;
    if matches!(registration, Registration::Excluded) {
        return Err(UserError::new(
            format!(
                "{dir} is under an `exclude` glob of [tool.uv.workspace] in pyproject.toml; \
                 nothing was written"
            ),
            "pick another name, or remove the `exclude` entry",
        )
        .into());
    }

    // A `DOMAIN/*` members glob of the root Cargo.toml would take the package's folder's
    // parent for a crate (cargo refuses a member without a Cargo.toml): it is excluded.
    let domain = dir.split('/').next().unwrap_or_default();
    let python_excluded = keep_python_folder_out(&root, &root_text, &label, domain)?;

    // The monorepo's Python, from the root `pyproject.toml` discovery read above.
    let floor = crate::python::root_python(&root, &python, &config.docker.python_version)?.floor();
    let floor = crate::python::floor_within_members(&python, floor);
    let files = render_python_package(&place, &floor);
    let mut writes: Vec<FileWrite> = files
        .iter()
        .map(|(path, contents)| FileWrite {
            path: root.join(path),
            contents: contents.clone(),
        })
        .collect();
    let (pyproject, uv_excluded) = uv_root_text(&root, &registration, &dir, &files)?;
    if let Some(text) = pyproject {
        writes.push(FileWrite {
            path: root.join("pyproject.toml"),
            contents: text,
        });
    }
    if let Some((text, _)) = &python_excluded {
        writes.push(FileWrite {
            path: root_path.clone(),
            contents: text.clone(),
        });
    }
    write_all_atomic(&writes)?;
    for (path, _) in &files {
        out.verbose(format!("wrote {path}"));
    }
    report_registration(&registration, &dir, out);
    report_uv_excluded(&uv_excluded, out);
    if let Some((_, python)) = &python_excluded {
        report_python_excluded(python, out);
    }
    out.status(
        "Created",
        format!("Python package `{name}` at {dir} ({} files)", files.len()),
    );
    // Without a uv workspace the package is its own uv project (`--package` needs a workspace).
    let next = if matches!(registration, Registration::NoWorkspace) {
        format!("uv run --project {dir} pytest {dir}")
    } else {
        format!("uv run --package {name} pytest {dir}")
    };
    out.status("Next", next);
    Ok(Status::Ok)
}

/// `text` (the root manifest) with `DOMAIN/python` added to `[workspace] exclude`, and that
/// folder, when a `members` glob matches it as cargo expands globs (a workspace laid out as
/// `crates/*` whose `svc/*` would take `svc/python` for a crate without a `Cargo.toml`, which
/// cargo refuses) and no `exclude` entry covers it yet; `None` otherwise.
fn keep_python_folder_out(
    root: &std::path::Path,
    text: &str,
    label: &str,
    domain: &str,
) -> anyhow::Result<Option<(String, String)>> {
    let info = docker::parse_root(text, label)?;
    let python = format!("{domain}/python");
    let matched = members::expand(&info.members, &[], &BTreeSet::from([python.clone()]))
        .is_ok_and(|m| m.contains(&python));
    if !matched || members::is_excluded(root, &python, &info.members, &info.exclude) {
        return Ok(None);
    }
    Ok(Some((crate::init::add_exclude(text, &python)?, python)))
}

fn report_python_excluded(python: &str, out: &Output) {
    out.status(
        "Updated",
        format!(
            "Cargo.toml: added \"{python}\" to [workspace] exclude (a `members` glob matches \
             the Python packages' folder, which has no Cargo.toml)"
        ),
    );
}

/// The workspace root `new` adds to: its folder, the root manifest's path for messages, its
/// text and its `[workspace.metadata.ccworkspace]`.
struct RootManifest {
    root: std::path::PathBuf,
    path: std::path::PathBuf,
    label: String,
    text: String,
    config: Config,
}

/// Errors: no workspace found, no root `Cargo.toml` (run `init` first), a bad config (exit 2).
/// The lower of two `MAJOR.MINOR` floors (`floor`, and the `MAJOR.MINOR` of the version
/// `other`), as a PEP 440 version compares them; `floor` when `other` is no version.
fn lower_floor(floor: String, other: &str) -> String {
    use std::str::FromStr;
    let (Ok(a), Ok(b)) = (
        pep440_rs::Version::from_str(&floor),
        pep440_rs::Version::from_str(other),
    ) else {
        return floor;
    };
    if b < a {
        crate::python::floor_of(&b)
    } else {
        floor
    }
}

/// Errors (exit 2, nothing written) when writing the crate at `dir` would give cargo a member
/// without a `Cargo.toml`, which it refuses ("failed to read .../Cargo.toml"): a folder `new`
/// creates on the way to `dir` (`DAGs/rust/x` for `DAGs/rust/x/y`) that a `members` glob
/// takes, or a glob `new` would add (`add_glob`, `DAGs/python/*` for `DAGs/python/native`) that
/// takes an existing folder with no `Cargo.toml` (a Python package's; the domain's own
/// `python` folder, which `new` excludes, is no such folder).
fn refuse_folders_cargo_would_take(
    root: &std::path::Path,
    place: &crate::init::NewPlace,
    members: &[String],
    label: &str,
) -> anyhow::Result<()> {
    let dir = place.dir.as_str();
    let mut at = dir;
    while let Some((parent, _)) = at.rsplit_once('/') {
        if !root.join(parent).exists()
            && members::expand(members, &[], &BTreeSet::from([parent.to_string()]))
                .is_ok_and(|covered| covered.contains(parent))
        {
            return Err(UserError::new(
                format!(
                    "{parent} would be a new folder that a `members` glob of {label} takes for a \
                     crate, without a Cargo.toml (cargo refuses that); nothing was written"
                ),
                format!(
                    "put the crate one level up, where the glob expects crates (e.g. `{parent}`), \
                     or change the `members` glob"
                ),
            )
            .into());
        }
        at = parent;
    }
    if let Some(parent) = place.add_glob.as_deref().and_then(|g| g.strip_suffix("/*"))
        && let Ok(read) = std::fs::read_dir(root.join(parent))
    {
        let mut others: Vec<String> = read
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter(|e| !e.path().join("Cargo.toml").is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !(n.starts_with('.') || (parent == place.domain && n == "python")))
            .collect();
        others.sort();
        if let Some(other) = others.first() {
            return Err(UserError::new(
                format!(
                    "the crate needs `{parent}/*` in [workspace] members of {label}, which would \
                     take {parent}/{other} (no Cargo.toml) for a crate too; nothing was written"
                ),
                format!(
                    "put the crate where crates go (`new DOMAIN/{}` writes DOMAIN/rust/{}), not \
                     among other folders",
                    dir.rsplit('/').next().unwrap_or(dir),
                    dir.rsplit('/').next().unwrap_or(dir)
                ),
            )
            .into());
        }
    }
    Ok(())
}

/// Errors (exit 2, nothing written) when `name`, normalised (PEP 503), is the distribution of
/// a Python package, the root project or a PyO3 crate's wheel of the workspace at `root`, as
/// uv would find them (also with the Python half turned off): uv refuses two workspace
/// members with one name. `what`: the new thing (`package`, `crate`), for the help. Returns
/// the Python packages found.
fn ensure_distribution_free(
    root: &std::path::Path,
    config: &crate::config::Config,
    model: &crate::docker::WorkspaceModel,
    name: &str,
    what: &str,
) -> anyhow::Result<crate::python::PythonWorkspace> {
    let pyo3: Vec<crate::python::Pyo3Crate> = model
        .crates
        .values()
        .filter(|c| c.is_member && c.kind == CrateKind::Pyo3)
        .map(|c| crate::python::Pyo3Crate {
            name: c.name.clone(),
            dir: c.path.clone(),
        })
        .collect();
    let as_uv_sees_them = crate::config::PythonConfig {
        enabled: true,
        ..config.python.clone()
    };
    let python = crate::python::discover(root, &as_uv_sees_them, &pyo3, &|_| None)?;
    let distribution = crate::python::normalize(name);
    if let Some(&taken) = python.by_distribution.get(&distribution) {
        return Err(UserError::new(
            format!(
                "the distribution name `{distribution}` is taken by {}; nothing was written",
                python.packages[taken].pyproject_path()
            ),
            format!("pick another {what} name (uv needs workspace members' names to be unique)"),
        )
        .into());
    }
    // A name the workspace installs from the package index (`pytest` of the dev group, or
    // `packaging`, which pytest requires, as `uv.lock` records): a member of that name takes
    // its place, and uv refuses the requirements that name it without a workspace source.
    if let Some(user) = index_user(root, &python, &distribution) {
        return Err(UserError::new(
            format!(
                "the distribution name `{distribution}` is one the workspace installs from the \
                 package index ({user}); a member of that name would take its place, which uv \
                 refuses; nothing was written"
            ),
            format!("pick another {what} name"),
        )
        .into());
    }
    Ok(python)
}

/// Where the workspace at `root` takes `distribution` from the package index, if it does: a
/// requirement of a package or of the root `pyproject.toml` naming it (`pyproject.toml`
/// requires it), else an entry of `uv.lock` of that name from a registry (what a requirement
/// requires in turn).
fn index_user(
    root: &std::path::Path,
    python: &crate::python::PythonWorkspace,
    distribution: &str,
) -> Option<String> {
    let projects = python
        .packages
        .iter()
        .filter_map(|p| p.project.as_ref())
        .chain(&python.root);
    for p in projects {
        if p.requirements.iter().any(|r| r.name == distribution) {
            return Some(format!("{} requires it", p.path()));
        }
    }
    // The root's `[tool.uv]` lists that name what the lock takes from the index.
    if let Some(tree) = python.root_project().and_then(|r| r.tree()) {
        use crate::model::NodeExt as _;
        let uv = tree.root().get("tool").and_then(|t| t.get("uv"));
        // (`dev-dependencies` are requirements of the root already, read above.)
        for key in [
            "constraint-dependencies",
            "override-dependencies",
            "build-constraint-dependencies",
        ] {
            let names = uv
                .and_then(|u| u.get(key))
                .and_then(|l| l.as_array())
                .into_iter()
                .flatten()
                .filter_map(|item| {
                    // A string, or `{ requirement = "...", hashes = [...] }`.
                    item.as_str()
                        .or_else(|| item.get("requirement").and_then(|r| r.as_str()))
                });
            if names
                .map(crate::lint::python::written_name)
                .any(|name| crate::python::normalize(&name) == distribution)
            {
                return Some(format!("pyproject.toml's [tool.uv] {key} names it"));
            }
        }
    }
    let lock = std::fs::read_to_string(root.join("uv.lock")).ok()?;
    let lock = crate::affected::uvlock::parse(&lock).ok()?;
    lock.entries
        .get(distribution)?
        .iter()
        .any(|e| e.source.as_deref().is_some_and(|s| s.contains("registry")))
        .then(|| "uv.lock has it from a registry".to_string())
}

fn read_root(global: &GlobalOpts) -> anyhow::Result<RootManifest> {
    let root = crate::model::find_root(global.manifest_path.as_deref())?;
    let root_path = root.join("Cargo.toml");
    let label = root_path.display().to_string();
    let text = read_optional(&root_path)?.ok_or_else(|| {
        UserError::new(
            format!("{label} does not exist"),
            "run `cargo ccworkspace init` first",
        )
    })?;
    let config = Config::from_manifest_text(&text, &label)?;
    Ok(RootManifest {
        root,
        path: root_path,
        label,
        text,
        config,
    })
}

/// `new` writes into an empty or missing folder only. Errors (exit 2): `abs_dir` holds
/// something (or cannot be listed), naming `dir` and the `what` to rename.
fn ensure_free(abs_dir: &std::path::Path, dir: &str, what: &str) -> anyhow::Result<()> {
    if abs_dir.exists()
        && std::fs::read_dir(abs_dir).map_or(true, |mut entries| entries.next().is_some())
    {
        return Err(UserError::new(
            format!("{dir} already exists; nothing was written"),
            format!("pick another {what} name, or remove the folder"),
        )
        .into());
    }
    Ok(())
}
