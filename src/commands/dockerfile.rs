//! `cargo ccworkspace dockerfile`: read the manifests, plan and render every image, then write,
//! print (`--stdout`) or compare (`--check`).
//!
//! Reads the root manifest and the member manifests directly (no `cargo metadata`), so
//! `dockerfile --check` is fast enough for every commit. Only `--affected` loads the full
//! package graph, because `affected` needs it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anstream::eprintln;

use crate::cli::{CrateKind, DockerfileArgs, GlobalOpts};
use crate::config::Config;
use crate::docker::{self, CrateFiles, CrateInfo, ROOT_BUILD_FILES, RootInfo, WorkspaceModel};
use crate::errors::{Status, UserError};
use crate::fsutil::{FileWrite, read_optional, unified_diff, write_all_atomic};
use crate::members;
use crate::output::Output;

pub fn run(global: &GlobalOpts, args: &DockerfileArgs, out: &Output) -> anyhow::Result<Status> {
    let change = &args.change;
    if !args.affected
        && (change.base.is_some()
            || change.head.is_some()
            || change.files_from.is_some()
            || !change.files.is_empty()
            || change.include_untracked)
    {
        return Err(UserError::new(
            "--base, --head, --files, --files-from and --include-untracked select changes for \
             --affected, which was not given",
            "add --affected (or drop those flags)",
        )
        .into());
    }
    let root = crate::manifests::find_root(global.manifest_path.as_deref())?;
    let reading = out.spinner("Reading");
    reading.set_message("the workspace manifests");
    let model = load_model(&root);
    reading.finish_and_clear();
    let model = model?;
    let selected = select(global, args, &model, out)?;

    let trimmer = docker::trim::RootTrimmer::new(&model.root_manifest)?;
    let mut expected: BTreeMap<String, String> = BTreeMap::new();
    let mut images = 0usize;
    let bar = out.progress(selected.len() as u64, "Rendering");
    for krate in &selected {
        bar.inc(1);
        if let Some(plan) = docker::plan(&model, krate)? {
            let rendered = docker::render::render(&plan, &model.config, &trimmer)?;
            expected.insert(plan.dockerfile_path(), rendered.dockerfile);
            expected.insert(plan.ignore_path(), rendered.dockerignore);
            images += 1;
        }
    }
    bar.finish_and_clear();
    let leftovers = leftovers(&root, &selected, &expected)?;

    if args.stdout {
        let mut all = String::new();
        for (path, text) in &expected {
            all.push_str(&format!("==> {path} <==\n{text}\n"));
        }
        crate::output::print_stdout(&all)?;
        return Ok(Status::Ok);
    }

    let mut stale: Vec<(String, Option<String>, Option<String>)> = Vec::new();
    for (path, text) in &expected {
        let on_disk = read_optional(&root.join(path))?.map(|t| t.replace("\r\n", "\n"));
        if on_disk.as_deref() != Some(text.as_str()) {
            stale.push((path.clone(), on_disk, Some(text.clone())));
        }
    }
    for (path, text) in &leftovers {
        stale.push((path.clone(), Some(text.clone()), None));
    }
    stale.sort_by(|a, b| a.0.cmp(&b.0));

    if args.check {
        if stale.is_empty() {
            out.status(
                "Checked",
                format!(
                    "{} generated files of {images} images: up to date",
                    expected.len()
                ),
            );
            return Ok(Status::Ok);
        }
        let diffs: String = stale
            .iter()
            .map(|(path, old, new)| {
                unified_diff(
                    path,
                    old.as_deref().unwrap_or(""),
                    new.as_deref().unwrap_or(""),
                )
            })
            .collect();
        crate::output::print_stdout(&diffs)?;
        let red = anstyle::Style::new()
            .bold()
            .fg_color(Some(anstyle::AnsiColor::Red.into()));
        let cyan = anstyle::Style::new()
            .bold()
            .fg_color(Some(anstyle::AnsiColor::Cyan.into()));
        eprintln!(
            "{red}error{red:#}: {} generated file(s) out of date:",
            stale.len()
        );
        for (path, old, new) in &stale {
            let what = match (old, new) {
                (None, _) => "missing",
                (_, None) => "left over (its crate gets no image)",
                (Some(old), _) if !docker::is_generated(old) => {
                    "hand-written (delete it, or set `dockerfile = false` for its crate)"
                }
                _ => "stale",
            };
            eprintln!("  {path}: {what}");
        }
        eprintln!(
            "{cyan}help{cyan:#}: run `cargo ccworkspace dockerfile` to regenerate them, and commit the result"
        );
        return Ok(Status::Findings);
    }

    // Never overwrite a hand-written file.
    for (path, old, _) in &stale {
        if let Some(old) = old
            && !docker::is_generated(old)
        {
            return Err(UserError::new(
                format!("{path} was not generated by cargo-ccworkspace; nothing was written"),
                "delete it to let `cargo ccworkspace dockerfile` own it, or keep it and set \
                 `dockerfile = false` under [package.metadata.ccworkspace] in the crate's Cargo.toml",
            )
            .into());
        }
    }
    let writes: Vec<FileWrite> = stale
        .iter()
        .filter_map(|(path, _, new)| {
            new.as_ref().map(|text| FileWrite {
                path: root.join(path),
                contents: text.clone(),
            })
        })
        .collect();
    write_all_atomic(&writes)?;
    for (path, _, new) in &stale {
        if new.is_none() {
            std::fs::remove_file(root.join(path)).map_err(|e| {
                UserError::new(
                    format!("failed to remove the left-over {path}: {e}"),
                    "remove it by hand",
                )
            })?;
            out.status("Removed", path);
        } else {
            out.verbose(format!("wrote {path}"));
        }
    }
    out.status(
        "Generated",
        format!(
            "{images} images: {} files written, {} up to date",
            writes.len(),
            expected.len() - writes.len()
        ),
    );
    Ok(Status::Ok)
}

/// Generated files of selected crates that get no image (any more).
fn leftovers(
    root: &Path,
    selected: &[&CrateInfo],
    expected: &BTreeMap<String, String>,
) -> anyhow::Result<Vec<(String, String)>> {
    let mut found = Vec::new();
    for krate in selected {
        for file in ["Dockerfile", "Dockerfile.dockerignore"] {
            let path = crate::workspace::join(&krate.path, file);
            if expected.contains_key(&path) {
                continue;
            }
            if let Some(text) = read_optional(&root.join(&path))?
                && docker::is_generated(&text)
            {
                found.push((path, text));
            }
        }
    }
    Ok(found)
}

/// The members `-p` and `--affected` select (all members without them), sorted by path.
fn select<'a>(
    global: &GlobalOpts,
    args: &DockerfileArgs,
    model: &'a WorkspaceModel,
    out: &Output,
) -> anyhow::Result<Vec<&'a CrateInfo>> {
    let mut selected: Vec<&CrateInfo> = model.members().collect();
    if !args.packages.is_empty() {
        for name in &args.packages {
            match model.by_name(name) {
                Some(c) if c.kind == CrateKind::Lib => out.warn(format!(
                    "{name} is a library crate: it gets no image (only PyO3 and binary crates do)"
                )),
                Some(_) => {}
                None => {
                    return Err(UserError::new(
                        format!("no workspace member named `{name}`"),
                        "pass a package name from `cargo metadata --no-deps` to -p",
                    )
                    .into());
                }
            }
        }
        let wanted: BTreeSet<&str> = args.packages.iter().map(String::as_str).collect();
        selected.retain(|c| wanted.contains(c.name.as_str()));
    }
    if args.affected {
        let names = super::affected::affected_names(global, &args.change, out)?;
        let wanted: BTreeSet<&str> = names.iter().map(String::as_str).collect();
        selected.retain(|c| wanted.contains(c.name.as_str()));
        out.verbose(format!("{} affected members", selected.len()));
    }
    Ok(selected)
}

/// Read the root manifest, discover the members the way cargo does, and read each one.
pub(crate) fn load_model(root: &Path) -> anyhow::Result<WorkspaceModel> {
    let root_path = root.join("Cargo.toml");
    let label = root_path.display().to_string();
    let root_manifest = read_optional(&root_path)?.ok_or_else(|| {
        UserError::new(
            format!("{label} does not exist"),
            "run in a cargo workspace or pass --manifest-path",
        )
    })?;
    let config = Config::from_manifest_text(&root_manifest, &label)?;
    let info = docker::parse_root(&root_manifest, &label)?;
    if info.has_package {
        return Err(UserError::new(
            format!("{label} has a [package]: `dockerfile` supports virtual workspaces only"),
            "move the root package into a member folder",
        )
        .into());
    }

    let max_depth = if info.members.iter().any(|m| m.contains("**")) {
        None
    } else {
        Some(
            info.members
                .iter()
                .map(|m| members::normalize(m).split('/').count())
                .max()
                .unwrap_or(0),
        )
    };
    let manifest_dirs: BTreeSet<String> = crate::manifests::walk(root, "", max_depth, false)
        .into_iter()
        .map(|found| found.dir)
        .filter(|dir| !dir.is_empty())
        .collect();
    let (member_dirs, _) = members::expand(
        &info.members,
        &info.exclude,
        &manifest_dirs,
        &BTreeSet::new(),
    )
    .map_err(|e| {
        UserError::new(
            format!("{label}: bad `members` glob: {e}"),
            "fix the glob (cargo rejects it too)",
        )
    })?;

    let mut crates: BTreeMap<String, CrateInfo> = BTreeMap::new();
    // `[patch]` path targets are not members, but their own path dependencies belong in the
    // context too. They sit first in the stack, so a member that is also patched in is read
    // as a member.
    let mut queue: Vec<(String, bool)> = info
        .patch_dirs
        .iter()
        .map(|d| (d.clone(), false))
        .chain(member_dirs.into_iter().map(|d| (d, true)))
        .collect();
    while let Some((dir, is_member)) = queue.pop() {
        if crates.contains_key(&dir) {
            continue;
        }
        let krate = read_crate(root, &dir, &info, is_member)?;
        for dep in &krate.path_deps {
            if !crates.contains_key(dep) {
                // Path dependencies inside the root are members unless excluded (cargo's rule).
                let excluded = info.exclude.iter().any(|e| {
                    let e = members::normalize(e);
                    e.is_empty() || *dep == e || dep.starts_with(&format!("{e}/"))
                });
                queue.push((dep.clone(), !excluded));
            }
        }
        crates.insert(dir, krate);
    }
    let root_files = ROOT_BUILD_FILES
        .iter()
        .filter(|f| root.join(f).is_file())
        .map(|f| f.to_string())
        .collect();
    Ok(WorkspaceModel {
        root_manifest,
        crates,
        root_files,
        patch_dirs: info.patch_dirs,
        config: config.docker,
    })
}

fn read_crate(
    root: &Path,
    dir: &str,
    info: &RootInfo,
    is_member: bool,
) -> anyhow::Result<CrateInfo> {
    let abs = root.join(dir);
    let manifest = crate::workspace::join(dir, "Cargo.toml");
    let text = read_optional(&abs.join("Cargo.toml"))?.ok_or_else(|| {
        UserError::new(
            format!("{manifest} does not exist"),
            "fix the path dependency or the `members` entry that names it",
        )
    })?;
    let mut bin_dir = Vec::new();
    if let Ok(entries) = std::fs::read_dir(abs.join("src/bin")) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if path.is_dir() {
                if path.join("main.rs").is_file() {
                    bin_dir.push(format!("src/bin/{name}/main.rs"));
                }
            } else if name.ends_with(".rs") {
                bin_dir.push(format!("src/bin/{name}"));
            }
        }
    }
    let files = CrateFiles {
        pyproject: read_optional(&abs.join("pyproject.toml"))?,
        main_rs: abs.join("src/main.rs").is_file(),
        bin_dir,
    };
    let krate = docker::parse_crate(&text, dir, &manifest, info, &files, is_member)?;
    // Cargo refuses a package without targets ("no targets specified in the manifest"); an
    // image for it cannot build, and calling it a library would hide that.
    if !files.main_rs && files.bin_dir.is_empty() && !abs.join("src/lib.rs").is_file() {
        let declares_targets = text.parse::<toml::Table>().is_ok_and(|t| {
            ["lib", "bin", "example", "test", "bench"]
                .iter()
                .any(|k| t.contains_key(*k))
        });
        if !declares_targets {
            return Err(UserError::new(
                format!(
                    "{manifest}: the package has no targets (no src/lib.rs, src/main.rs or \
                     src/bin/, and no [lib] or [[bin]]); cargo refuses it"
                ),
                format!(
                    "add {dir}/src/lib.rs or {dir}/src/main.rs, or a [lib] or [[bin]] with its path"
                ),
            )
            .into());
        }
    }
    Ok(krate)
}
