//! `cargo ccworkspace dockerfile`: read the manifests, plan and render every image, then write,
//! print (`--stdout`) or compare (`--check`).
//!
//! Reads the root manifest and the member manifests directly (no `cargo metadata`), so
//! `dockerfile --check` is fast enough for every commit. Only `--affected` loads the full
//! package graph, because `affected` needs it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anstream::eprintln;
use rayon::prelude::*;

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
    // The images `--verify` rebuilds: (crate, Dockerfile, ignore file).
    let mut images_list: Vec<(String, String, String)> = Vec::new();
    for krate in &selected {
        match docker::plan(&model, krate) {
            Ok(Some(plan)) => plans.push(plan),
            Ok(None) => {}
            Err(problem) => problems.push(*problem),
        }
    }
    let refused = wheels_requiring_the_workspace(&root, &model, &plans, out);
    plans.retain(|p| !refused.iter().any(|r| r.krate == p.name));
    problems.extend(refused);
    // What the builds read besides their closures' folders (links, literal includes, the
    // cargo config), from one parallel scan of every folder of those closures.
    let dirs: BTreeSet<String> = plans
        .iter()
        .flat_map(|p| {
            p.context_dirs
                .iter()
                .cloned()
                .chain(docker::context::read_folders(p, &model))
        })
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
        images_list.push((krate.clone(), plan.dockerfile_path(), plan.ignore_path()));
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

    if args.verify {
        return verify(&root, args, &images_list, &problems, &expected, out);
    }

    if args.stdout {
        let mut all = String::new();
        for (path, text) in &expected {
            all.push_str(&format!("==> {path} <==\n{text}\n"));
        }
        crate::output::print_stdout(&all)?;
        report_problems(&problems, images)?;
        return Ok(Status::Ok);
    }

    // Two generated files that are one (a Dockerfile linked to another image's) would take
    // turns: refused before anything is written or called stale.
    crate::fsutil::write_targets(
        &expected
            .iter()
            .map(|(path, text)| FileWrite {
                path: root.join(path),
                contents: text.clone(),
            })
            .collect::<Vec<_>>(),
    )?;
    let mut stale: Vec<(String, Option<String>, Option<String>)> = Vec::new();
    for (path, text) in &expected {
        // Up to date when writing would not change it: a file's byte order mark and CRLF
        // line endings are kept by the writer, so they are no difference.
        let on_disk = read_optional(&root.join(path))?;
        if on_disk
            .as_deref()
            .is_none_or(|d| crate::fsutil::in_form_of(d, text) != d)
        {
            // Diffed in the generated text's form.
            let shown = on_disk.as_deref().map(crate::fsutil::without_form);
            stale.push((path.clone(), shown, Some(text.clone())));
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
        let (red, cyan) = (crate::output::ERROR, crate::output::HELP);
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

/// `--verify`: rebuild each image's context from its ignore file on disk, as BuildKit sends
/// it, and run `cargo metadata --offline` (and with `--build` the Dockerfile's build command)
/// in it. Exit 1 when an image fails, 2 when a selected crate gets no image.
fn verify(
    root: &Path,
    args: &DockerfileArgs,
    images: &[(String, String, String)],
    problems: &[docker::Problem],
    expected: &BTreeMap<String, String>,
    out: &Output,
) -> anyhow::Result<Status> {
    for name in &args.packages {
        if !images.iter().any(|(krate, _, _)| krate == name)
            && !problems.iter().any(|p| &p.krate == name)
        {
            return Err(UserError::new(
                format!("{name} gets no image: `-p {name}` names no image to verify"),
                "pass -p only for PyO3 and binary crates (those with a Dockerfile)",
            )
            .into());
        }
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .filter(|t| !t.is_empty())
        .map(|t| root.join(t))
        .unwrap_or_else(|| root.join("target"))
        .join("ccworkspace-verify");
    let threads = if args.build {
        1
    } else {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(images.len().max(1))
    };
    let tree = docker::verify::tree(root).map_err(|e| {
        UserError::new(
            format!("failed to read the workspace tree: {e}"),
            "check the permissions of the workspace's folders",
        )
    })?;
    let tmp = tempfile::Builder::new()
        .prefix("ccworkspace-verify")
        .tempdir()?;
    let bar = out.progress(images.len() as u64, "Verifying");
    // Every image read first (its admitted entries), then ordered so that each worker's next
    // context is near its last (fewer files to add and remove, fewer folders to create: a
    // folder costs a few hundred microseconds on some file systems), and cut into one run of
    // images per worker; a worker whose run is done takes from the end of the longest left.
    let prepared: Vec<Result<Prepared, Verdict>> = images
        .par_iter()
        .map(|(_, dockerfile, ignore)| prepare(root, &tree, dockerfile, ignore))
        .collect();
    let sets: Vec<&[usize]> = prepared
        .iter()
        .map(|p| p.as_ref().map_or(&[][..], |p| p.admitted.as_slice()))
        .collect();
    let order = docker::verify::nearest_neighbour_order(&sets, tree.len());
    // `threads` is at least 1; a chunk of 0 would panic on an empty run.
    let per_worker = order.len().div_ceil(threads).max(1);
    let runs: std::sync::Mutex<Vec<std::collections::VecDeque<usize>>> = std::sync::Mutex::new(
        order
            .chunks(per_worker)
            .map(|c| c.iter().copied().collect())
            .collect(),
    );
    let next_image = |worker: usize| -> Option<usize> {
        let mut runs = runs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(i) = runs.get_mut(worker).and_then(|r| r.pop_front()) {
            return Some(i);
        }
        runs.iter_mut().max_by_key(|r| r.len())?.pop_back()
    };
    let results: Vec<(usize, Verdict)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|worker| {
                let (tree, bar, target, prepared, next_image) =
                    (&tree, &bar, &target, &prepared, &next_image);
                let dir = tmp.path().join(format!("ctx-{worker}")).join("work");
                scope.spawn(move || {
                    let mut context = docker::verify::Context::new(dir, args.build);
                    let mut done = Vec::new();
                    while let Some(i) = next_image(worker) {
                        let (krate, dockerfile, _) = &images[i];
                        bar.set_message(krate.clone());
                        let verdict = match &prepared[i] {
                            Ok(image) => verify_one(
                                root,
                                tree,
                                image,
                                dockerfile,
                                args.build,
                                target,
                                &mut context,
                            ),
                            Err(verdict) => verdict.clone(),
                        };
                        bar.inc(1);
                        done.push((i, verdict));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    // Every image was taken exactly once: back in the images' order for the report.
    let results: Vec<Verdict> = {
        let mut sorted = results;
        sorted.sort_by_key(|(i, _)| *i);
        sorted.into_iter().map(|(_, v)| v).collect()
    };
    bar.finish_and_clear();
    let (red, cyan) = (crate::output::ERROR, crate::output::HELP);
    let mut failed = Vec::new();
    for ((krate, dockerfile, ignore), verdict) in images.iter().zip(&results) {
        match verdict {
            Verdict::Ok => out.status("Verified", format!("{krate} ({dockerfile}): ok")),
            Verdict::Failed {
                step,
                missing,
                link,
                stderr,
            } => {
                failed.push(krate.as_str());
                if step == READING {
                    // The workspace's generated files, not a step in the context.
                    eprintln!("{red}error{red:#}: {krate} ({dockerfile}): {stderr}");
                    eprintln!(
                        "{cyan}help{cyan:#}: run `cargo ccworkspace dockerfile` to write the \
                         image's Dockerfile and {ignore} again"
                    );
                    continue;
                }
                eprintln!(
                    "{red}error{red:#}: {krate} ({dockerfile}): {step} failed in its context"
                );
                for line in error_lines(stderr) {
                    eprintln!("    {line}");
                }
                // The ignore file as generated now: when it admits the missing file, the one on
                // disk is stale or edited, and regenerating fixes it.
                let generated_admits = |file: &str| {
                    expected
                        .get(ignore)
                        .and_then(|text| docker::ignore::IgnoreFile::parse(text).ok())
                        .is_some_and(|i| !i.is_excluded(file))
                };
                // A dangling link is in the context; what is missing is its target.
                let via = link.as_ref().map_or(String::new(), |l| {
                    format!(" (the target of the link `{l}`, which BuildKit sends as a link)")
                });
                match missing {
                    Some(file) if generated_admits(file) => {
                        eprintln!("  missing from the context: `{file}`{via}");
                        eprintln!(
                            "{cyan}help{cyan:#}: {ignore} is stale or was edited by hand: the \
                             generated one admits `{file}`; run `cargo ccworkspace dockerfile` \
                             to regenerate it"
                        );
                    }
                    Some(file) => {
                        eprintln!("  missing from the context: `{file}`{via}");
                        eprintln!(
                            "{cyan}help{cyan:#}: admit it: add {} to `extra-files` under \
                             [workspace.metadata.ccworkspace.docker] in the root Cargo.toml, then \
                             run `cargo ccworkspace dockerfile`",
                            docker::quote::toml_string(file)
                        );
                    }
                    None => eprintln!(
                        "{cyan}help{cyan:#}: run `cargo ccworkspace dockerfile` if {ignore} is \
                         missing or stale; a file the build reads outside the crate goes in \
                         `extra-files` under [workspace.metadata.ccworkspace.docker]"
                    ),
                }
            }
        }
    }
    if failed.is_empty() {
        out.status(
            "Verified",
            format!(
                "{}: every context has what cargo reads",
                crate::output::count(images.len(), "image")
            ),
        );
    } else {
        eprintln!(
            "{red}error{red:#}: {} of {} failed --verify: {}",
            failed.len(),
            crate::output::count(images.len(), "image"),
            failed.join(", ")
        );
    }
    // Crates whose image could not be generated at all: exit 2, after the verified ones.
    report_problems(problems, images.len())?;
    Ok(if failed.is_empty() {
        Status::Ok
    } else {
        Status::Findings
    })
}

/// The step of a verdict that could not read the image's own files (its Dockerfile or
/// ignore file in the workspace).
const READING: &str = "reading";

/// What to show of a failed step's stderr: from its first error on (cargo's `Compiling`
/// lines are noise), at most 12 lines.
fn error_lines(stderr: &str) -> Vec<&str> {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    let start = lines
        .iter()
        .position(|l| {
            let l = l.trim_start().to_ascii_lowercase();
            l.starts_with("error") || l.contains("failed") || l.starts_with("caused by")
        })
        .unwrap_or(lines.len().saturating_sub(12));
    lines[start..].iter().copied().take(12).collect()
}

#[derive(Clone)]
enum Verdict {
    Ok,
    Failed {
        /// What failed: `cargo metadata --offline`, or the build command.
        step: String,
        /// The file cargo, rustc or maturin could not read, relative to the context.
        missing: Option<String>,
        /// The admitted link that stands for `missing` in the context, when it dangles.
        link: Option<String>,
        stderr: String,
    },
}

fn failed(step: impl Into<String>, stderr: impl Into<String>) -> Verdict {
    Verdict::Failed {
        step: step.into(),
        missing: None,
        link: None,
        stderr: stderr.into(),
    }
}

/// One image, read: its Dockerfile, the trimmed root manifest the Dockerfile embeds, and the
/// indices of the tree entries its ignore file admits (sorted).
struct Prepared {
    dockerfile: String,
    manifest: String,
    admitted: Vec<usize>,
}

/// Read one image's Dockerfile and ignore file; a verdict when they cannot be read.
fn prepare(
    root: &Path,
    tree: &[docker::verify::TreeEntry],
    dockerfile: &str,
    ignore: &str,
) -> Result<Prepared, Verdict> {
    let regenerate = "run `cargo ccworkspace dockerfile` to write it";
    let (df, ignore_text) = match (
        read_optional(&root.join(dockerfile)),
        read_optional(&root.join(ignore)),
    ) {
        // A copy saved with a byte order mark and CRLF line endings (a Windows checkout with
        // `core.autocrlf`) is the same Dockerfile to BuildKit, whose parser drops both, and to
        // `--check`: read as the generator wrote it.
        (Ok(Some(df)), Ok(Some(ig))) => (crate::fsutil::without_form(&df), ig),
        (Ok(None), _) => {
            return Err(failed(
                READING,
                format!("{dockerfile} does not exist: {regenerate}"),
            ));
        }
        (_, Ok(None)) => {
            return Err(failed(
                READING,
                format!("{ignore} does not exist: {regenerate}"),
            ));
        }
        (Err(e), _) | (_, Err(e)) => return Err(failed(READING, e.to_string())),
    };
    let ignore_file = docker::ignore::IgnoreFile::parse(&ignore_text)
        .map_err(|e| failed(READING, format!("{ignore}: {e}")))?;
    let Some(manifest) = docker::render::embedded_manifest(&df) else {
        return Err(failed(
            READING,
            format!("{dockerfile} embeds no root Cargo.toml: {regenerate}"),
        ));
    };
    let admitted = docker::verify::admitted(tree, &ignore_file);
    Ok(Prepared {
        dockerfile: df,
        manifest,
        admitted,
    })
}

/// One image: its context in the worker's folder, then cargo (and the build command) in it.
fn verify_one(
    root: &Path,
    tree: &[docker::verify::TreeEntry],
    image: &Prepared,
    dockerfile: &str,
    build: bool,
    target: &Path,
    context: &mut docker::verify::Context,
) -> Verdict {
    let (df, manifest) = (&image.dockerfile, &image.manifest);
    let entries: Vec<&docker::verify::TreeEntry> =
        image.admitted.iter().map(|&i| &tree[i]).collect();
    if let Err(e) = context.sync_admitted(root, &entries, manifest) {
        return failed("copying the context", e.to_string());
    }
    let ctx = context.dir();
    // The admitted links: one that dangles stands for its target in an error (run_step).
    let links: Vec<String> = entries
        .iter()
        .filter(|e| e.is_link)
        .map(|e| e.path.clone())
        .collect();
    let cargo = crate::workspace::cargo_program();
    let mut metadata = std::process::Command::new(&cargo);
    metadata.args(["metadata", "--offline", "--format-version", "1"]);
    // Loading the workspace reads every member's manifest and targets and every path
    // dependency the context must hold; only the resolve reads `[patch]`/`[replace]` paths and
    // a cargo config's sources. Without those, `--no-deps` reads the same files of the context
    // without the registry (which CI may not have fetched) in a fifth of the time.
    let no_deps = !reads_sources_when_resolving(manifest, &entries);
    if no_deps {
        metadata.arg("--no-deps");
    }
    metadata
        .arg("--manifest-path")
        .arg(ctx.join("Cargo.toml"))
        .current_dir(ctx);
    // Cargo sets up TLS for libgit2 as it starts, parsing the system's whole CA bundle: 4 ms
    // of a 9 ms `cargo metadata` here, once per image. `--offline` opens no connection, so no
    // certificate is ever asked for; nothing cargo reads in the context changes.
    #[cfg(unix)]
    metadata.env("SSL_CERT_FILE", "/dev/null");
    let step = if no_deps {
        "`cargo metadata --offline --no-deps`"
    } else {
        "`cargo metadata --offline`"
    };
    if let Some(verdict) = run_step(metadata, step, ctx, &links) {
        return verdict;
    }
    if !build {
        return Verdict::Ok;
    }
    let Some(words) = docker::render::build_command(df)
        .as_deref()
        .and_then(docker::verify::first_command)
    else {
        return failed(
            READING,
            format!("{dockerfile} has no build command this can run"),
        );
    };
    let mut command = match words[0].as_str() {
        "cargo" => {
            let mut c = std::process::Command::new(&cargo);
            c.args(&words[1..]);
            c
        }
        "maturin" => {
            let mut rest = words[1..].to_vec();
            let dist = ctx.with_file_name("dist").display().to_string();
            for i in 0..rest.len().saturating_sub(1) {
                match rest[i].as_str() {
                    "--out" => rest[i + 1] = dist.clone(),
                    // The host's Python, not the image's.
                    "-i" => rest[i + 1] = "python3".to_string(),
                    _ => {}
                }
            }
            let mut c = std::process::Command::new("maturin");
            c.args(rest);
            c
        }
        other => return failed(READING, format!("unexpected build command `{other}`")),
    };
    command
        .arg("--offline")
        .current_dir(ctx)
        .env("CARGO_TARGET_DIR", target);
    let step = format!("`{}`", words.join(" "));
    run_step(command, &step, ctx, &links).unwrap_or(Verdict::Ok)
}

/// Whether resolving the context's workspace reads files of the context that loading it does
/// not: the trimmed root manifest has `[patch]` or `[replace]` (their paths), or the context
/// holds a cargo config (`paths` overrides, directory sources). See cargo's "Overriding
/// Dependencies" and "Source Replacement" pages. A manifest that does not parse counts as
/// reading them (cargo then reports the error either way).
fn reads_sources_when_resolving(manifest: &str, admitted: &[&docker::verify::TreeEntry]) -> bool {
    let overrides = manifest.parse::<toml::Table>().map_or(true, |t| {
        t.contains_key("patch") || t.contains_key("replace")
    });
    overrides
        || admitted
            .iter()
            .any(|e| e.path == ".cargo/config" || e.path == ".cargo/config.toml")
}

/// Run one step; `None` when it succeeds. `links` are the context's admitted links: when the
/// error names one that dangles, the missing file is its target.
fn run_step(
    mut command: std::process::Command,
    step: &str,
    ctx: &Path,
    links: &[String],
) -> Option<Verdict> {
    match command.output() {
        Ok(output) if output.status.success() => None,
        Ok(output) => {
            let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            let found = docker::verify::missing_file(&stderr, ctx);
            let (missing, link) =
                match docker::verify::dangling_link(&stderr, found.as_deref(), ctx, links) {
                    Some((target, link)) => (Some(target), Some(link)),
                    None => (found, None),
                };
            // The context folder is gone when the run ends: shown as `<context>`, so two runs
            // with one failure print the same lines.
            let stderr = stderr.replace(&ctx.display().to_string(), "<context>");
            Some(Verdict::Failed {
                step: step.to_string(),
                missing,
                link,
                stderr,
            })
        }
        Err(e) => Some(failed(
            step,
            format!("could not start {:?}: {e}", command.get_program()),
        )),
    }
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
    let (red, cyan) = (crate::output::ERROR, crate::output::HELP);
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

/// The PyO3 images whose wheel installs ([`installed_requirements`]) a distribution of the
/// workspace (a Python package, or another PyO3 crate's wheel) or a project a
/// `[tool.uv.sources]` path names: the image's `pip install` of the wheel would take that name
/// from the package index (another project's package of the same name, or none), as no image
/// holds the repository's Python projects; or a direct reference to a local path, which
/// maturin writes into the wheel as the host's path. Each is a [`docker::Problem`] at the
/// requirement's line: no image rather than a wrong one.
///
/// Reads the Python packages only when a PyO3 image is planned; when they cannot be read
/// (`lint-deps` reports why), a warning says the check was skipped.
fn wheels_requiring_the_workspace(
    root: &std::path::Path,
    model: &docker::WorkspaceModel,
    plans: &[docker::DockerPlan],
    out: &Output,
) -> Vec<docker::Problem> {
    if !plans.iter().any(|p| p.image == docker::Image::Pyo3) {
        return Vec::new();
    }
    let config = match crate::config::Config::from_manifest_text(&model.root_manifest, "Cargo.toml")
    {
        Ok(config) => config,
        // `image_model` read the same text; an error here is reported by every other command.
        Err(_) => return Vec::new(),
    };
    let pyo3: Vec<crate::python::Pyo3Crate> = model
        .members()
        .filter(|c| c.kind == crate::model::kind::CrateKind::Pyo3)
        .map(|c| crate::python::Pyo3Crate {
            name: c.name.clone(),
            dir: c.path.clone(),
        })
        .collect();
    let py = match crate::python::discover(root, &config.python, &pyo3, &|_| None) {
        Ok(py) => py,
        Err(e) => {
            out.warn(format!(
                "the Python packages could not be read ({e}); whether a PyO3 image's wheel \
                 requires one of them was not checked (`cargo ccworkspace lint-deps` names the \
                 problem)"
            ));
            return Vec::new();
        }
    };
    let mut problems = Vec::new();
    for plan in plans.iter().filter(|p| p.image == docker::Image::Pyo3) {
        let Some(wheel) = py.packages.iter().find(|p| {
            p.dir == plan.path && matches!(p.kind, crate::python::PackageKind::Pyo3 { .. })
        }) else {
            continue;
        };
        let Some(proj) = &wheel.project else {
            continue;
        };
        let Some((r, what)) = installed_requirements(proj, &wheel.distribution, &model.config)
            .into_iter()
            .find_map(|r| {
                let index = format!(
                    "the image's `pip install` of the wheel would take `{}` from the package \
                     index, where it is another project's package or none",
                    r.name
                );
                let what = if let Some(&i) = py.by_distribution.get(&r.name) {
                    format!(
                        "a distribution of this workspace ({}): {index}",
                        py.packages[i].dir
                    )
                } else if crate::python::pyproject::is_local_reference(&r.text) {
                    "as a direct reference to a local path (`@ file:`), which maturin writes \
                     into the wheel as the host's path: the image's `pip install` of the wheel \
                     fails, as the path is not there"
                        .to_string()
                } else if proj
                    .sources
                    .get(&r.name)
                    .is_some_and(|s| s.workspace || s.path.is_some() || !s.paths.is_empty())
                {
                    format!(
                        "a project of the repository ([tool.uv.sources] names its folder): {index}"
                    )
                } else {
                    return None;
                };
                Some((r, what))
            })
        else {
            continue;
        };
        problems.push(docker::Problem {
            krate: plan.name.clone(),
            file: wheel.pyproject_path(),
            key: Vec::new(),
            line: Some(r.line),
            message: format!("the wheel of {} requires `{}`, {what}", plan.name, r.name),
            help: format!(
                "move the requirement out of what the wheel installs (an extra nothing asks for, \
                 a dependency group, or a marker false on Linux), or write {}'s image by hand \
                 and set `dockerfile = false` under [package.metadata.ccworkspace] in {}",
                plan.name,
                crate::workspace::join(&plan.path, "Cargo.toml")
            ),
        });
    }
    problems
}

/// The requirements `pip install` of the wheel of `proj` (distribution `own`) installs in the
/// image: its `[project] dependencies`, and the requirements of the extras it asks for itself
/// (`own[extra]`, PEP 508), each whose marker holds on the image (CPython `python-version` on
/// Linux, x86_64 or aarch64; a marker that does not parse counts as true). The wheel's own
/// requirements on itself are not in the list.
fn installed_requirements<'a>(
    proj: &'a crate::python::pyproject::PyProject,
    own: &str,
    config: &crate::config::DockerConfig,
) -> Vec<&'a crate::python::Requirement> {
    use crate::python::Declared;
    use std::str::FromStr as _;
    let version = &config.python_version;
    let minor = version.split('.').take(2).collect::<Vec<_>>().join(".");
    // `python:3.12-slim` runs the latest 3.12 release: later than any patch a marker names.
    let full = if version.split('.').count() > 2 {
        version.clone()
    } else {
        format!("{minor}.999")
    };
    let envs: Vec<pep508_rs::MarkerEnvironment> = ["x86_64", "aarch64"]
        .into_iter()
        .filter_map(|machine| {
            pep508_rs::MarkerEnvironment::try_from(pep508_rs::MarkerEnvironmentBuilder {
                implementation_name: "cpython",
                implementation_version: version,
                os_name: "posix",
                platform_machine: machine,
                platform_python_implementation: "CPython",
                platform_release: "",
                platform_system: "Linux",
                platform_version: "",
                python_full_version: &full,
                python_version: &minor,
                sys_platform: "linux",
            })
            .ok()
        })
        .collect();
    // pip evaluates each requirement's marker with the extras asked of the wheel.
    let holds = |r: &crate::python::Requirement, extras: &BTreeSet<String>| {
        let Some(text) = &r.marker else {
            return true;
        };
        let Ok(marker) = crate::python::pyproject::marker(text) else {
            return true;
        };
        let extras: Vec<pep508_rs::ExtraName> = extras
            .iter()
            .filter_map(|e| pep508_rs::ExtraName::from_str(e).ok())
            .collect();
        envs.is_empty() || envs.iter().any(|env| marker.evaluate(env, &extras))
    };
    let mut extras: BTreeSet<String> = BTreeSet::new();
    loop {
        let active: Vec<&crate::python::Requirement> = proj
            .requirements
            .iter()
            .filter(|r| match &r.declared {
                Declared::Project => holds(r, &extras),
                Declared::Extra(e) => extras.contains(e) && holds(r, &extras),
                _ => false,
            })
            .collect();
        let more: BTreeSet<String> = active
            .iter()
            .filter(|r| r.name == own)
            .flat_map(|r| r.extras.iter().cloned())
            .collect();
        if more.is_subset(&extras) {
            return active.into_iter().filter(|r| r.name != own).collect();
        }
        extras.extend(more);
    }
}
