//! guppy's determinator as an oracle, and the package graphs it needs.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use camino::Utf8PathBuf;
use determinator::Determinator;
use guppy::graph::{DependencyDirection, PackageGraph};
use guppy::platform::PlatformSpec;

use super::generator;
use super::git::Repo;

fn cargo() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

/// `cargo metadata --format-version 1 --all-features` in `dir`, as a guppy graph.
pub fn metadata_graph(dir: &Path, offline: bool) -> PackageGraph {
    let mut cmd = Command::new(cargo());
    cmd.args(["metadata", "--format-version", "1", "--all-features"])
        .current_dir(dir);
    if offline {
        cmd.arg("--offline");
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    PackageGraph::from_json(String::from_utf8(out.stdout).unwrap()).unwrap()
}

/// The graph at `rev`, from a temporary worktree under `scratch`.
pub fn graph_at(repo: &Repo, rev: &str, scratch: &Path, offline: bool) -> PackageGraph {
    let dir = scratch.join(format!("at-{rev}"));
    repo.git(&[
        "worktree",
        "add",
        "-q",
        "--detach",
        dir.to_str().unwrap(),
        rev,
    ]);
    let graph = metadata_graph(&dir, offline);
    repo.git(&["worktree", "remove", "--force", dir.to_str().unwrap()]);
    graph
}

/// Paths changed from `from` to `to` (the working tree when `None`), both ends of renames.
pub fn changed_paths(repo: &Repo, from: &str, to: Option<&str>) -> Vec<Utf8PathBuf> {
    let mut args = vec!["diff", "--name-only", "--no-renames", "-z", from];
    args.extend(to);
    repo.git(&args)
        .split('\0')
        .filter(|p| !p.is_empty())
        .map(Utf8PathBuf::from)
        .collect()
}

/// determinator's affected set (package names) for these paths between two graphs.
pub fn determinator(
    old: &PackageGraph,
    new: &PackageGraph,
    paths: &[Utf8PathBuf],
) -> BTreeSet<String> {
    let mut d = Determinator::new(old, new);
    d.add_changed_paths(paths.iter().map(|p| p.as_path()));
    d.compute()
        .affected_set
        .packages(DependencyDirection::Forward)
        .map(|p| p.name().to_string())
        .collect()
}

/// determinator's affected set when it builds for these target triples (its cargo options with
/// `PlatformSpec::Platforms`, host and target alike) instead of the host alone.
pub fn determinator_on(
    old: &PackageGraph,
    new: &PackageGraph,
    paths: &[Utf8PathBuf],
    triples: &[&'static str],
) -> BTreeSet<String> {
    let platforms = triples.iter().map(|t| {
        guppy::platform::Platform::new(*t, guppy::platform::TargetFeatures::Unknown).unwrap()
    });
    determinator_with(old, new, paths, PlatformSpec::platforms(platforms))
}

/// determinator's affected set when it builds for `platform` (host and target alike):
/// `PlatformSpec::Any` counts every platform-specific dependency.
pub fn determinator_with(
    old: &PackageGraph,
    new: &PackageGraph,
    paths: &[Utf8PathBuf],
    platform: PlatformSpec,
) -> BTreeSet<String> {
    let mut options = Determinator::default_cargo_options();
    options.set_platform(platform);
    let mut d = Determinator::new(old, new);
    d.set_cargo_options(&options);
    d.add_changed_paths(paths.iter().map(|p| p.as_path()));
    d.compute()
        .affected_set
        .packages(DependencyDirection::Forward)
        .map(|p| p.name().to_string())
        .collect()
}

/// One generated history ([`generator::make_history`] on [`generator::generate`]`(spec)`),
/// compared with the determinator commit by commit: the failures, one line each, so a test
/// reports every step that differs rather than the first. Empty when all agree.
///
/// At every step `affected` (the binary, default mode, `--offline`) lists every crate whose own
/// files changed and that still exists, only members, and `--direct` is a subset; it answers the
/// same with no graph cache (`CCWORKSPACE_NO_CACHE`: from the members' manifests when only
/// member files changed) as with the cache the previous step left. It equals the
/// determinator except where `docs/affected.md` ("where we differ") says it is narrower: root
/// `Cargo.toml` edits (a `[workspace.dependencies]` entry, `[profile]`), moved and deleted
/// crates; there it is a subset (and for `[profile]` everything, as the determinator says).
///
/// The [`Shapes`](generator::Shapes) steps also judge the generator itself, whatever the
/// binary does: the determinator's answer is narrower than the `--all-features`, every-platform
/// closure of [`Generated::affected_by`](generator::Generated::affected_by) for the
/// Windows-only library and for at least one of the two optional ones, holds the crates that
/// use the `cfg(unix)` one (on a Unix host), grows with [`StepKind::EnableFeature`] to reach the
/// crate that enabled the feature, and is the root package alone for its source edit. And
/// `affected --features-mode all` equals that closure over the host's platform-specific edges
/// ([`Generated::affected_by_on_host`](generator::Generated::affected_by_on_host); both modes
/// apply the configured platforms, the host by default) on the shape source edits.
pub fn compare_history(spec: &generator::Spec) -> Vec<String> {
    use generator::{Shapes, StepKind};
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("ws");
    let g = generator::generate(&root, spec).unwrap();
    let repo = Repo::init(&root);
    let steps = generator::make_history(&repo, &g, spec.seed).unwrap();
    let scratch = tmp.path().join("scratch");
    let shapes = spec.shapes;
    let label = format!(
        "seed {} ({} crates{})",
        spec.seed,
        spec.crates,
        if shapes == Shapes::default() {
            String::new()
        } else {
            format!(", {shapes:?}")
        }
    );
    let mut failures = Vec::new();
    let mut fail = |what: &str, msg: String| failures.push(format!("{label}, {what}: {msg}"));
    // Every shape's steps are there. The other kinds need a library no shape touched, which a
    // small shaped workspace may not have left (then the manifest, entry, deleted and moved
    // steps are skipped).
    let mut wanted: Vec<StepKind> = Vec::new();
    if shapes.features {
        wanted.extend([
            StepKind::OptionalSource,
            StepKind::DefaultOptionalSource,
            StepKind::EnableFeature,
            StepKind::EnabledOptionalSource,
        ]);
    }
    if shapes.platforms {
        wanted.extend([StepKind::WindowsOnlySource, StepKind::UnixOnlySource]);
    }
    if shapes.root_package {
        wanted.push(StepKind::RootPackageSource);
    }
    let kinds: Vec<StepKind> = steps.iter().map(|s| s.kind).collect();
    let missing: Vec<&StepKind> = wanted.iter().filter(|k| !kinds.contains(k)).collect();
    let enough = if shapes == Shapes::default() { 10 } else { 7 };
    if !missing.is_empty() || steps.len() < enough + wanted.len() {
        fail(
            "history",
            format!("steps {kinds:?}: {missing:?} missing, or fewer than {enough} others"),
        );
    }
    // `cold`: no graph cache, as on a fresh CI runner, where a change to member files alone is
    // answered from the members' manifests.
    let run_in = |parent: &str, extra: &[&str], cold: bool| -> BTreeSet<String> {
        let mut args = vec!["affected", "-q", "--offline", "--base", parent];
        args.extend(extra);
        // Not `support::cli`: the benchmark includes this file without it.
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-ccworkspace"));
        if cold {
            cmd.env("CCWORKSPACE_NO_CACHE", "1");
        }
        let out = cmd
            .args(&args)
            .current_dir(&repo.dir)
            .env_remove("GITHUB_BASE_REF")
            .env_remove("GITHUB_OUTPUT")
            .env("CARGO", cargo())
            .output()
            .unwrap();
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let first = stderr.lines().next().unwrap_or_default().to_string();
            return BTreeSet::from([format!("<{}: {first}>", out.status)]);
        }
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    };
    let run = |parent: &str, extra: &[&str]| run_in(parent, extra, false);
    let mut optional_before: Option<BTreeSet<String>> = None;
    let mut enabled_by: Option<String> = None;
    let mut optional_narrower = false;
    for step in &steps {
        repo.git(&["checkout", "-q", "--detach", &step.commit]);
        let what = format!("{:?} ({})", step.kind, step.note);
        let (ours, direct) = (run(&step.parent, &[]), run(&step.parent, &["--direct"]));
        let cold = run_in(&step.parent, &[], true);
        if cold != ours {
            fail(
                &what,
                format!("with no graph cache {cold:?}, with one {ours:?}"),
            );
        }
        let old = graph_at(&repo, &step.parent, &scratch, true);
        let new = graph_at(&repo, &step.commit, &scratch, true);
        let members: BTreeSet<String> = new
            .workspace()
            .iter()
            .map(|p| p.name().to_string())
            .collect();
        let theirs = determinator(
            &old,
            &new,
            &changed_paths(&repo, &step.parent, Some(&step.commit)),
        );
        let diff = |a: &BTreeSet<String>, b: &BTreeSet<String>| -> String {
            let extra: Vec<&String> = a.difference(b).collect();
            let missing: Vec<&String> = b.difference(a).collect();
            format!("ours has {extra:?} more, {missing:?} fewer; ours {a:?} theirs {b:?}")
        };
        for c in step.crates.iter().filter(|c| members.contains(*c)) {
            if !ours.contains(c) {
                fail(&what, format!("{c} changed but is not affected: {ours:?}"));
            }
        }
        if !ours.is_subset(&members) {
            fail(&what, format!("{ours:?} not all members"));
        }
        if !direct.is_subset(&ours) {
            fail(&what, format!("--direct {direct:?} not in {ours:?}"));
        }
        match step.kind {
            StepKind::WorkspaceDepEntry
            | StepKind::Profile
            | StepKind::MovedCrate
            | StepKind::DeletedCrate => {
                if !ours.is_subset(&theirs) {
                    fail(&what, format!("not a subset: {}", diff(&ours, &theirs)));
                }
            }
            _ => {
                if ours != theirs {
                    fail(
                        &what,
                        format!("differs from the determinator: {}", diff(&ours, &theirs)),
                    );
                }
            }
        }
        if step.kind == StepKind::Profile && ours != theirs {
            fail(&what, "a profile edit affects everything".into());
        }
        if matches!(
            step.kind,
            StepKind::MovedCrate | StepKind::WorkspaceDepEntry
        ) && ours.len() >= theirs.len()
        {
            fail(
                &what,
                format!(
                    "expected narrower than everything: {}",
                    diff(&ours, &theirs)
                ),
            );
        }
        // The shapes: the generator made what it meant to, and the old mode is the old answer.
        let changed: Vec<&str> = step.crates.iter().map(String::as_str).collect();
        let closure = g.affected_by(&changed);
        let narrower = theirs.is_subset(&closure) && theirs.len() < closure.len();
        match step.kind {
            StepKind::OptionalSource => {
                optional_narrower |= narrower;
                optional_before = Some(theirs.clone());
            }
            StepKind::DefaultOptionalSource => optional_narrower |= narrower,
            StepKind::WindowsOnlySource if !narrower => fail(
                &what,
                format!("generator: the determinator {theirs:?} is not narrower than {closure:?}"),
            ),
            StepKind::UnixOnlySource if cfg!(unix) => {
                let hosts = g.crates.iter().filter(|c| {
                    c.cfg_deps
                        .iter()
                        .any(|(p, d)| p == "unix" && changed.contains(&d.as_str()))
                });
                for h in hosts.filter(|h| !theirs.contains(&h.name)) {
                    fail(
                        &what,
                        format!("generator: {} builds it on Unix, not in {theirs:?}", h.name),
                    );
                }
            }
            StepKind::RootPackageSource
                if theirs != BTreeSet::from([generator::ROOT_PACKAGE.to_string()]) =>
            {
                fail(
                    &what,
                    format!("generator: the determinator says {theirs:?}"),
                );
            }
            StepKind::EnableFeature => enabled_by = step.crates.first().cloned(),
            StepKind::EnabledOptionalSource => {
                let before = optional_before.clone().unwrap_or_default();
                let grew = before.is_subset(&theirs)
                    && enabled_by.as_ref().is_some_and(|e| theirs.contains(e));
                if !grew {
                    fail(
                        &what,
                        format!(
                            "generator: enabling the feature in {enabled_by:?} did not reach it: \
                             {before:?} before, {theirs:?} after"
                        ),
                    );
                }
            }
            _ => {}
        }
        if matches!(
            step.kind,
            StepKind::OptionalSource
                | StepKind::DefaultOptionalSource
                | StepKind::WindowsOnlySource
                | StepKind::UnixOnlySource
                | StepKind::EnabledOptionalSource
        ) {
            // With the default platforms, the mode applies the host's (docs/affected.md).
            let all = run(&step.parent, &["--features-mode", "all"]);
            let on_host = g.affected_by_on_host(&changed);
            if all != on_host {
                fail(
                    &what,
                    format!(
                        "--features-mode all says {all:?}, the --all-features closure on this \
                         host {on_host:?}"
                    ),
                );
            }
        }
    }
    if shapes.features && !optional_narrower {
        fail(
            "generator",
            "neither optional library's edit is narrower in the determinator than the \
             --all-features closure"
                .into(),
        );
    }
    failures
}
