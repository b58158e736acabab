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
use crate::docker::{self, CrateInfo, WorkspaceModel};
use crate::errors::{Status, UserError};
use crate::fsutil::{FileWrite, read_optional, unified_diff, write_all_atomic};
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
    let root = crate::model::find_root(global.manifest_path.as_deref())?;
    let reading = out.spinner("Reading");
    reading.set_message("the workspace manifests");
    let model = super::image_model(&root);
    reading.finish_and_clear();
    let model = model?;
    let selected = select(global, args, &model, out)?;

    if let Err((what, fix)) = docker::render::check_config(&model.config) {
        let key: Vec<String> = [
            "workspace",
            "metadata",
            "ccworkspace",
            "docker",
            "cargo-home",
        ]
        .iter()
        .map(|k| k.to_string())
        .collect();
        let at = docker::key_line(&model.root_manifest, &key)
            .map(|line| format!("Cargo.toml:{line}: "))
            .unwrap_or_default();
        return Err(UserError::new(format!("{at}{what}"), fix).into());
    }
    let trimmer = docker::trim::RootTrimmer::new(&model.root_manifest)?;
    let mut expected: BTreeMap<String, String> = BTreeMap::new();
    let mut images = 0usize;
    // One odd crate never stops the run: its problem is kept, every other image is still
    // rendered, written or checked, and the problems are reported together at the end.
    let mut problems: Vec<docker::Problem> = Vec::new();
    // Which crate each expected file belongs to.
    let mut owners: BTreeMap<String, String> = BTreeMap::new();
    let mut plans = Vec::new();
    for krate in &selected {
        match docker::plan(&model, krate) {
            Ok(Some(plan)) => plans.push(plan),
            Ok(None) => {}
            Err(problem) => problems.push(*problem),
        }
    }
    // What the builds read besides their closures' folders (links, literal includes, the
    // cargo config), from one parallel scan of every folder of those closures.
    let dirs: BTreeSet<String> = plans
        .iter()
        .flat_map(|p| p.context_dirs.iter().cloned())
        .collect();
    let scan = docker::context::scan(&root, &model, &dirs);
    for unseen in docker::context::unseen(&scan, &dirs) {
        out.warn(format!(
            "{}:{}: the build reads a file this scan cannot name (not a string literal): `{}`; \
             if it is outside the crate's folder, list it in `extra-files` under \
             [workspace.metadata.ccworkspace.docker]",
            unseen.file, unseen.line, unseen.text
        ));
    }
    // What each image needs besides its folders and root files, for `--check`'s messages.
    let mut needs: BTreeMap<String, Vec<docker::context::Need>> = BTreeMap::new();
    let bar = out.progress(plans.len() as u64, "Rendering");
    for mut plan in plans {
        bar.inc(1);
        let extra = match docker::context::complete(&root, &mut plan, &model, &scan) {
            Ok(extra) => extra,
            Err(problem) => {
                problems.push(*problem);
                continue;
            }
        };
        let rendered = docker::render::render(&plan, &model.config, &trimmer)?;
        let krate = plan.name.clone();
        let mut all: Vec<docker::context::Need> = plan
            .root_files
            .iter()
            .chain(&plan.context_dirs)
            .filter(|p| !extra.iter().any(|e| &e.path == *p))
            .map(|p| docker::context::Need {
                path: p.clone(),
                why: "in the closure".to_string(),
            })
            .collect();
        all.extend(extra);
        needs.insert(plan.ignore_path(), all);
        owners.insert(plan.dockerfile_path(), krate.clone());
        owners.insert(plan.ignore_path(), krate);
        expected.insert(plan.dockerfile_path(), rendered.dockerfile);
        expected.insert(plan.ignore_path(), rendered.dockerignore);
        images += 1;
    }
    bar.finish_and_clear();
    for problem in &mut problems {
        if !problem.key.is_empty()
            && let Ok(Some(text)) = read_optional(&root.join(&problem.file))
        {
            problem.line = docker::key_line(&text, &problem.key);
        }
    }
    // A crate whose image could not be generated keeps its files: they are not left over.
    let failed: BTreeSet<&str> = problems.iter().map(|p| p.krate.as_str()).collect();
    let planned: Vec<&CrateInfo> = selected
        .iter()
        .copied()
        .filter(|c| !failed.contains(c.name.as_str()))
        .collect();
    let leftovers = leftovers(&root, &planned, &expected)?;

    if args.stdout {
        let mut all = String::new();
        for (path, text) in &expected {
            all.push_str(&format!("==> {path} <==\n{text}\n"));
        }
        crate::output::print_stdout(&all)?;
        report_problems(&problems, images)?;
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
            report_problems(&problems, images)?;
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
            // Item 5 of issue 13: name what the ignore file on disk leaves out of the context.
            if let (Some(old), Some(needs)) = (old, needs.get(path)) {
                for (need, why) in missing_from(old, needs) {
                    eprintln!("    does not admit `{need}`, which the build reads ({why})");
                }
            }
        }
        eprintln!(
            "{cyan}help{cyan:#}: run `cargo ccworkspace dockerfile` to regenerate them, and commit the result"
        );
        report_problems(&problems, images)?;
        return Ok(Status::Findings);
    }

    // Never overwrite a hand-written file: that crate's two files are not written, and it is
    // reported with the others.
    let mut hand_written: BTreeSet<String> = BTreeSet::new();
    for (path, old, _) in &stale {
        if let Some(old) = old
            && !docker::is_generated(old)
        {
            let krate = owners.get(path).cloned().unwrap_or_default();
            problems.push(docker::Problem {
                krate: krate.clone(),
                file: path.clone(),
                key: Vec::new(),
                line: None,
                message: format!(
                    "was not generated by cargo-ccworkspace, so the image of {krate} was not written"
                ),
                help: "delete it to let `cargo ccworkspace dockerfile` own it, or keep it and set \
                       `dockerfile = false` under [package.metadata.ccworkspace] in the crate's \
                       Cargo.toml"
                    .to_string(),
            });
            hand_written.insert(krate);
        }
    }
    stale.retain(|(path, _, _)| {
        owners
            .get(path)
            .is_none_or(|owner| !hand_written.contains(owner))
    });
    images -= hand_written.len();
    let skipped = owners
        .values()
        .filter(|o| hand_written.contains(*o))
        .count();
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
            expected.len() - writes.len() - skipped
        ),
    );
    report_problems(&problems, images)?;
    Ok(Status::Ok)
}

/// The paths of `needs` that the ignore file `text` leaves out of the context (all of them
/// when it does not parse), with their reasons.
fn missing_from<'a>(text: &str, needs: &'a [docker::context::Need]) -> Vec<(&'a str, &'a str)> {
    let ignore = docker::ignore::IgnoreFile::parse(text).ok();
    needs
        .iter()
        .filter(|n| ignore.as_ref().is_none_or(|i| i.is_excluded(&n.path)))
        .map(|n| (n.path.as_str(), n.why.as_str()))
        .collect()
}

/// Print every crate whose image could not be generated (`error: file:line: what`, then the
/// fix on a `help:` line, as cargo does), and fail with exit 2 when there is one.
fn report_problems(problems: &[docker::Problem], images: usize) -> anyhow::Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    let red = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Red.into()));
    let cyan = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Cyan.into()));
    for problem in problems {
        eprintln!("{red}error{red:#}: {problem}");
        eprintln!("{cyan}help{cyan:#}: {}", problem.help);
    }
    let names: Vec<&str> = problems.iter().map(|p| p.krate.as_str()).collect();
    Err(UserError::new(
        format!(
            "{} crate(s) could not get an image: {}",
            problems.len(),
            names.join(", ")
        ),
        format!(
            "fix them as shown above; the other {images} image(s) were generated (written, \
             printed or checked) all the same"
        ),
    )
    .into())
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
                Some(c) if c.kind == CrateKind::Lib && c.bins.is_empty() => out.warn(format!(
                    "{name} is a library crate: it gets no image (only PyO3 and binary crates do)"
                )),
                Some(c) if c.kind == CrateKind::Lib => out.warn(format!(
                    "{name} is a library whose binaries ({}) are helpers (under src/bin/, or with \
                     required-features): it gets no image; set `default-run` under [package], or \
                     `kind = \"bin\"` under [package.metadata.ccworkspace], to give it one",
                    c.bins.join(", ")
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
        let names =
            crate::changes::affected_names(&global.metadata(), &args.change.options(), out)?;
        let wanted: BTreeSet<&str> = names.iter().map(String::as_str).collect();
        selected.retain(|c| wanted.contains(c.name.as_str()));
        out.verbose(format!("{} affected members", selected.len()));
    }
    Ok(selected)
}
