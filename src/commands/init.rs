//! `cargo ccworkspace init`: lay out a monorepo in DIR. Never overwrites a file; refuses a
//! directory that already has a workspace unless `--add-missing` is given.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Context as _;

use crate::cli::{GlobalOpts, InitArgs};
use crate::errors::{Status, UserError};
use crate::fsutil::{FileWrite, read_optional, write_all_atomic};
use crate::init::{InitOptions, Toolchain, render_init, uv, validate_domain};
use crate::model::kind::CrateKind;
use crate::output::{Output, print_stdout};

pub fn run(_global: &GlobalOpts, args: &InitArgs, out: &Output) -> anyhow::Result<Status> {
    let dir = &args.dir;
    let abs =
        std::path::absolute(dir).with_context(|| format!("failed to resolve {}", dir.display()))?;
    if abs.exists() && !abs.is_dir() {
        return Err(UserError::new(
            format!("{} exists and is not a directory", dir.display()),
            "pass a directory (it is created when missing)",
        )
        .into());
    }
    let name = match &args.name {
        Some(name) => name.clone(),
        None => abs
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| {
                UserError::new(
                    format!("cannot take a name from {}", abs.display()),
                    "pass --name",
                )
            })?,
    };
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(UserError::new(
            format!("`{name}` is not a usable project name"),
            "pass --name with ASCII letters, digits, `-`, `_` or `.`",
        )
        .into());
    }
    let mut seen = BTreeSet::new();
    let mut domains = Vec::new();
    for domain in &args.domains {
        let domain = domain.trim();
        if domain.is_empty() {
            continue;
        }
        validate_domain(domain)?;
        if seen.insert(domain.to_string()) {
            domains.push(domain.to_string());
        }
    }
    if let Some(python) = &args.python {
        if !valid_python(python) {
            return Err(UserError::new(
                format!("`{python}` is not a Python version"),
                "pass MAJOR.MINOR, e.g. --python 3.12",
            )
            .into());
        }
        let floor = crate::init::PYO3_PYTHON_FLOOR;
        let minor = python
            .strip_prefix("3.")
            .and_then(|rest| rest.split('.').next())
            .filter(|m| m == &"0" || !m.starts_with('0'))
            .and_then(|m| m.parse::<u64>().ok());
        let Some(minor) = minor else {
            return Err(UserError::new(
                format!("`{python}` is not a Python 3 version"),
                "pass 3.MINOR, e.g. --python 3.12 (the images run `python:<version>-slim`)",
            )
            .into());
        };
        if minor < floor {
            return Err(UserError::new(
                format!(
                    "--python {python} is older than the Python the monorepo's PyO3 crates \
                     build for: pyo3 {}, which `new --pyo3` adds, supports CPython 3.{floor} and \
                     later (PyO3 0.30.0 dropped 3.8), and the images run `python:{python}-slim`",
                    crate::init::PYO3_VERSION
                ),
                format!("pass --python 3.{floor} or later, e.g. --python 3.12"),
            )
            .into());
        }
    }

    // An existing workspace is only completed on request; a package root is never touched.
    let root_manifest = abs.join("Cargo.toml");
    let mut recorded_python = None;
    let existing_members = match read_optional(&root_manifest)? {
        Some(text) => {
            let doc: toml::Table = toml::from_str(&text).map_err(|e| {
                crate::config::toml_error(&root_manifest.display().to_string(), &text, &e)
            })?;
            let Some(ws) = doc.get("workspace").and_then(|w| w.as_table()) else {
                return Err(UserError::new(
                    format!(
                        "{} is a package manifest, not a workspace root; nothing was written",
                        root_manifest.display()
                    ),
                    "run `init` in an empty directory (or one without a Cargo.toml), then move \
                     the package to `<domain>/rust/<crate>`",
                )
                .into());
            };
            if !args.add_missing {
                return Err(UserError::new(
                    format!(
                        "{} already has a cargo workspace; nothing was written",
                        dir.display()
                    ),
                    "pass --add-missing to add only the files it lacks (existing files are kept)",
                )
                .into());
            }
            recorded_python = Some(
                crate::config::Config::from_manifest_text(
                    &text,
                    &root_manifest.display().to_string(),
                )?
                .docker
                .python_version,
            );
            Some(
                crate::model::members::string_list(ws, "members")
                    .iter()
                    .map(|m| crate::model::members::normalize(m))
                    .collect::<BTreeSet<String>>(),
            )
        }
        None => None,
    };
    // The Python of the images and of `requires-python`: `--python`, else the one the existing
    // workspace records (which `new` and `dockerfile` read), else 3.12.
    let python = args
        .python
        .clone()
        .or_else(|| recorded_python.clone())
        .unwrap_or_else(|| crate::config::DockerConfig::default().python_version);

    let version = crate::workspace::cargo_version()?;
    let toolchain = Toolchain::from_cargo_version(&version).ok_or_else(|| {
        UserError::new(
            format!("cannot read the Rust version from `{version}`"),
            "run init with a rustup-managed cargo (`cargo ccworkspace init`)",
        )
    })?;
    // The uv workspace: every Python package, plus the Python project of every PyO3 crate the
    // existing workspace has (`new --pyo3` registers the later ones).
    let mut python_workspace = uv::UvWorkspace {
        members: vec![uv::PACKAGES_GLOB.to_string()],
        exclude: non_package_folders(&abs),
        line: 0,
    };
    if existing_members.is_some() {
        match super::image_model(&abs) {
            Ok(model) => python_workspace.members.extend(
                model
                    .crates
                    .values()
                    .filter(|c| {
                        c.is_member
                            && c.kind == CrateKind::Pyo3
                            && c.has_pyproject
                            && !refused_as_member(&abs.join(&c.path))
                    })
                    .map(|c| c.path.clone()),
            ),
            // The workspace does not load yet (a glob that matches nothing, say): the uv
            // workspace still gets its packages glob, and the message says what is missing.
            Err(e) => out.warn(format!(
                "cannot list the PyO3 crates of the existing workspace ({e}): add their folders \
                 to [tool.uv.workspace] members in pyproject.toml"
            )),
        }
    }
    let files = render_init(&InitOptions {
        name,
        domains: domains.clone(),
        python: python.clone(),
        toolchain,
        python_workspace: python_workspace.clone(),
    });

    let mut writes = Vec::new();
    let mut skipped = Vec::new();
    // The one file `init` edits rather than skips: a root pyproject.toml without a uv
    // workspace gets one (toml_edit: its comments and layout kept).
    let mut updated = Vec::new();
    for (path, contents) in files {
        let target = abs.join(&path);
        if path == "pyproject.toml"
            && let Some(text) = read_optional(&target)?
        {
            if uv::read(&text)?.is_none() {
                writes.push((path.clone(), uv::add_workspace(&text, &python_workspace)?));
                updated.push(path);
            } else {
                skipped.push(path);
            }
        } else if target.exists() || target.is_symlink() {
            skipped.push(path);
        } else {
            writes.push((path, contents));
        }
    }
    let workspace_added = !updated.is_empty();
    let mut uv_excluded = Vec::new();
    // An existing uv workspace whose `members` globs take a folder `init` creates (`*/*` takes
    // `.github/workflows` and `<domain>/rust`): uv refuses a member without a
    // `pyproject.toml`, so those folders go to its `exclude`, as `new` does for its own.
    if skipped.iter().any(|p| p == "pyproject.toml")
        && let Some(text) = read_optional(&abs.join("pyproject.toml"))?
    {
        let created = uv::folders_created(&abs, "", &writes);
        if let Some((text, excluded)) = uv::exclude_created_folders(&abs, Some(&text), &created)? {
            skipped.retain(|p| p != "pyproject.toml");
            writes.push(("pyproject.toml".to_string(), text));
            updated.push("pyproject.toml".to_string());
            uv_excluded = excluded;
        }
    }

    if args.dry_run {
        let mut text = String::new();
        for (path, contents) in &writes {
            let verb = if updated.contains(path) {
                "update"
            } else {
                "create"
            };
            text.push_str(&format!("{verb} {path}\n"));
            if out.is_verbose() {
                text.push_str(contents);
                if !contents.is_empty() && !contents.ends_with('\n') {
                    text.push('\n');
                }
            }
        }
        for path in &skipped {
            text.push_str(&format!("skip   {path} (exists)\n"));
        }
        print_stdout(&text)?;
        return Ok(Status::Ok);
    }

    std::fs::create_dir_all(&abs).map_err(|e| {
        UserError::new(
            format!("failed to create {}: {e}", dir.display()),
            "check the path is writable",
        )
    })?;
    let file_writes: Vec<FileWrite> = writes
        .iter()
        .map(|(path, contents)| FileWrite {
            path: abs.join(path),
            contents: contents.clone(),
        })
        .collect();
    write_all_atomic(&file_writes)?;
    for (path, _) in &writes {
        out.verbose(format!("wrote {path}"));
    }
    for path in &skipped {
        out.warn(format!(
            "skipped {path}: it exists (init never overwrites a file)"
        ));
    }
    if workspace_added {
        out.status(
            "Updated",
            "pyproject.toml: added [tool.uv.workspace] (the Python packages and PyO3 crates, \
             built into one environment by `uv sync`)",
        );
    }
    for folder in &uv_excluded {
        out.status(
            "Updated",
            format!(
                "pyproject.toml: added \"{folder}\" to [tool.uv.workspace] exclude (a `members` \
                 glob takes it, and it has no pyproject.toml)"
            ),
        );
    }
    if let Some(recorded) = recorded_python.filter(|r| *r != python) {
        out.warn(format!(
            "the existing Cargo.toml records Python {recorded} ([workspace.metadata.ccworkspace.docker] \
             python-version), but the builder now uses {python}: set python-version = \"{python}\" \
             there, so `new` and `dockerfile` build for the same Python"
        ));
    }
    if let Some(members) = existing_members {
        for domain in &domains {
            let glob = format!("{domain}/rust/*");
            if !members.contains(&glob) {
                out.warn(format!(
                    "the existing Cargo.toml has no member glob for `{domain}`: add \"{glob}\" to \
                     [workspace] members"
                ));
            }
        }
    }
    out.status(
        "Created",
        format!(
            "{} files in {}{}",
            writes.len() - updated.len(),
            display_dir(dir),
            if skipped.is_empty() {
                String::new()
            } else {
                format!(" ({} skipped: they exist)", skipped.len())
            }
        ),
    );
    if domains.is_empty() {
        out.status(
            "Next",
            "cargo ccworkspace new <domain>/<crate> [--pyo3|--bin|--lib|--python]: the workspace has no \
             member globs yet, and `new` adds the domain's",
        );
    } else {
        out.status(
            "Next",
            format!(
                "cargo ccworkspace new {}/<crate> [--pyo3|--bin|--lib|--python] (see {}/getting-started.md)",
                domains[0],
                crate::errors::DOCS_URL
            ),
        );
    }
    Ok(Status::Ok)
}

fn display_dir(dir: &Path) -> String {
    let s = dir.display().to_string();
    if s.is_empty() { ".".to_string() } else { s }
}

fn valid_python(version: &str) -> bool {
    let parts: Vec<&str> = version.split('.').collect();
    (parts.len() == 2 || parts.len() == 3)
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// Whether uv refuses the folder `dir` as a workspace member although it has a
/// `pyproject.toml`: one without a `[project]` table (settings only, or a maturin
/// `[build-system]` alone: "No `project` table found"), or one with a `[tool.uv.workspace]` of
/// its own ("Nested workspaces are not supported"). A file that does not parse is left to uv
/// and `lint-deps`, which say what is wrong with it.
fn refused_as_member(dir: &Path) -> bool {
    let rel = "pyproject.toml";
    let Ok(text) = std::fs::read_to_string(dir.join(rel)) else {
        return false;
    };
    crate::python::pyproject::parse(rel, text)
        .is_ok_and(|p| p.project_line.is_none() || p.uv_workspace.is_some())
}

/// The folders `*/python/*` matches under `root` that hold no `pyproject.toml` (a `tests`
/// folder, say), or one uv refuses as a member ([`refused_as_member`]): the uv workspace's
/// `exclude`, so that every member is a package, as uv and `cargo ccworkspace` require.
fn non_package_folders(root: &Path) -> Vec<String> {
    let subdirs = |dir: &Path| -> Vec<String> {
        let Ok(read) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut names: Vec<String> = read
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.') && !matches!(n.as_str(), "target" | "__pycache__"))
            .collect();
        names.sort();
        names
    };
    let mut out = Vec::new();
    for domain in subdirs(root) {
        let python = root.join(&domain).join("python");
        for folder in subdirs(&python) {
            let dir = python.join(&folder);
            if !dir.join("pyproject.toml").is_file() || refused_as_member(&dir) {
                out.push(format!("{domain}/python/{folder}"));
            }
        }
    }
    out
}
