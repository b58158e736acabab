//! `affected` follows the builds cargo makes, as guppy's determinator simulates them (issue 14):
//! each workspace package's own builds with no features, its default features and all its
//! features, with its dev-dependencies, for the host platform. An optional dependency behind a
//! feature that no build of a crate enables, or a dependency under a `cfg()` that the host does
//! not match, does not carry a change to that crate.
//!
//! One tiny workspace per kind, in a git repository, with the determinator as the oracle: the
//! default `affected` (`features-mode = "builds"`) must equal its answer, and
//! `--features-mode all` must give the old answer over the `--all-features` graph for every
//! platform, a superset. Every workspace here has path dependencies only, except the lockfile
//! case, which uses `itoa` from the local registry cache (`--offline`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;

use support::git::Repo;
use support::oracle;

/// The leaf `o`, the crate a change is made in.
const O: (&str, &str) = ("o", "");

/// `a`, with `o` as an optional dependency behind its (non-default) feature `extra`.
const A_EXTRA_O: (&str, &str) = (
    "a",
    "[dependencies]\no = { path = \"../o\", optional = true }\n\n[features]\nextra = [\"dep:o\"]\n",
);

/// A path-only workspace: the root manifest lists `members`, and each `(name, manifest tail)`
/// becomes `name/Cargo.toml` with a `[package]` header and an empty `src/lib.rs`.
fn workspace(members: &[(&str, &str)]) -> (tempfile::TempDir, Repo) {
    workspace_with(members, true)
}

/// [`workspace`], resolving the lock online when `offline` is false (registry dependencies).
fn workspace_with(members: &[(&str, &str)], offline: bool) -> (tempfile::TempDir, Repo) {
    workspace_full("", members, offline)
}

/// [`workspace_with`], with `root_tail` appended to the root manifest.
fn workspace_full(
    root_tail: &str,
    members: &[(&str, &str)],
    offline: bool,
) -> (tempfile::TempDir, Repo) {
    let names: Vec<String> = members.iter().map(|(n, _)| format!("\"{n}\"")).collect();
    let root = format!(
        "[workspace]\nresolver = \"2\"\nmembers = [{}]\n{root_tail}",
        names.join(", ")
    );
    let manifests: Vec<(String, String)> = members
        .iter()
        .map(|(n, tail)| {
            (
                format!("{n}/Cargo.toml"),
                format!(
                    "[package]\nname = \"{n}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n{tail}"
                ),
            )
        })
        .collect();
    let mut files: Vec<(&str, &str)> = vec![("Cargo.toml", &root)];
    files.extend(manifests.iter().map(|(p, t)| (p.as_str(), t.as_str())));
    let tmp = support::write_workspace(&files);
    let repo = Repo::init(tmp.path());
    let mut lock = vec!["generate-lockfile"];
    if offline {
        lock.push("--offline");
    }
    support::generator::run_cargo(&repo.dir, &lock).unwrap();
    repo.commit_all("base");
    repo.git(&["checkout", "-q", "-b", "work"]);
    (tmp, repo)
}

/// determinator's answer for `main..HEAD`: for the host, or with `any` for every platform
/// (`PlatformSpec::Any`, what `platforms = ["any"]` asks for).
fn determinator(repo: &Repo, offline: bool, any: bool) -> BTreeSet<String> {
    let scratch = tempfile::tempdir().unwrap();
    let old = oracle::graph_at(repo, "main", scratch.path(), offline);
    let new = oracle::metadata_graph(&repo.dir, offline);
    let paths = oracle::changed_paths(repo, "main", Some("HEAD"));
    if any {
        oracle::determinator_with(&old, &new, &paths, guppy::platform::PlatformSpec::Any)
    } else {
        oracle::determinator(&old, &new, &paths)
    }
}

/// The root manifest's tail that makes every platform count.
const ANY_PLATFORM: &str = "\n[workspace.metadata.ccworkspace.affected]\nplatforms = [\"any\"]\n";

/// `affected` for `main..HEAD`, with extra arguments.
fn ours(repo: &Repo, extra: &[&str], offline: bool) -> BTreeSet<String> {
    let mut args = vec!["affected", "-q", "--base", "main", "--head", "HEAD"];
    if offline {
        args.push("--offline");
    }
    args.extend(extra);
    support::cli::run(&repo.dir, &args, &[]).names()
}

/// `affected --explain CRATE` for `main..HEAD`, offline.
fn explain(repo: &Repo, krate: &str) -> support::cli::Run {
    support::cli::run(
        &repo.dir,
        &[
            "affected",
            "-q",
            "--offline",
            "--base",
            "main",
            "--head",
            "HEAD",
            "--explain",
            krate,
        ],
        &[],
    )
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// Commits `change`, then checks: the determinator says `expected` (so the fixture shows the
/// kind it is meant to show), the default `affected` says the same, and `--features-mode all`
/// says `all_features` (the `--all-features` answer for the host; with the default platforms and
/// no platform-specific dependency, the old every-platform answer), a superset.
fn check(repo: &Repo, change: impl FnOnce(&Repo), expected: &[&str], all_features: &[&str]) {
    check_with(repo, change, expected, all_features, true, false);
}

/// [`check`], online when `offline` is false, and with the determinator for every platform
/// when `any` (the workspace says `platforms = ["any"]`).
fn check_with(
    repo: &Repo,
    change: impl FnOnce(&Repo),
    expected: &[&str],
    all_features: &[&str],
    offline: bool,
    any: bool,
) {
    change(repo);
    repo.commit_all("change");
    let theirs = determinator(repo, offline, any);
    assert_eq!(theirs, set(expected), "the determinator's answer");
    let all = set(all_features);
    assert!(theirs.is_subset(&all), "the fixture: {theirs:?} vs {all:?}");
    let builds = ours(repo, &[], offline);
    assert_eq!(
        builds, theirs,
        "affected (default features-mode) vs determinator; --all-features would say {all:?}"
    );
    let old = ours(repo, &["--features-mode", "all"], offline);
    assert_eq!(old, all, "affected --features-mode all");
}

fn edit(rel: &'static str) -> impl FnOnce(&Repo) {
    move |r: &Repo| r.append(rel, "\n// edit\n")
}

/// `a` has an optional dependency on `o` behind `extra`, not a default feature. `b` depends on
/// `a` without enabling `extra`: no build of `b` builds `o`. `a`'s own all-features build does.
#[test]
fn optional_dependency_behind_a_feature_the_dependent_does_not_enable() {
    let (_t, repo) = workspace(&[
        O,
        A_EXTRA_O,
        ("b", "[dependencies]\na = { path = \"../a\" }\n"),
    ]);
    check(&repo, edit("o/src/lib.rs"), &["a", "o"], &["a", "b", "o"]);
}

/// The same optional dependency, enabled by `a`'s default features: `b`, which takes `a`'s
/// defaults, builds `o`; `c`, which turns them off, does not.
#[test]
fn optional_dependency_enabled_by_default_features() {
    let (_t, repo) = workspace(&[
        ("o", ""),
        (
            "a",
            "[dependencies]\no = { path = \"../o\", optional = true }\n\n\
             [features]\ndefault = [\"extra\"]\nextra = [\"dep:o\"]\n",
        ),
        ("b", "[dependencies]\na = { path = \"../a\" }\n"),
        (
            "c",
            "[dependencies]\na = { path = \"../a\", default-features = false }\n",
        ),
    ]);
    check(
        &repo,
        edit("o/src/lib.rs"),
        &["a", "b", "o"],
        &["a", "b", "c", "o"],
    );
}

/// Feature unification across members: `c` enables `a/extra`, `b` depends on `a` without it.
/// cargo unifies features only within one build: `cargo build -p b` resolves `b` alone and does
/// not build `o` (`cargo build --workspace` would). The determinator simulates each package's
/// own builds, so `b` is not affected; `cargo tree -p b` confirms what cargo builds for `b`.
#[test]
fn a_third_members_feature_does_not_reach_a_sibling_build() {
    let (_t, repo) = workspace(&[
        O,
        A_EXTRA_O,
        ("b", "[dependencies]\na = { path = \"../a\" }\n"),
        (
            "c",
            "[dependencies]\na = { path = \"../a\", features = [\"extra\"] }\n",
        ),
    ]);
    let tree = |package: &str| -> BTreeSet<String> {
        let out = support::generator::run_cargo(
            &repo.dir,
            &[
                "tree",
                "--offline",
                "-p",
                package,
                "-e",
                "normal,build,dev",
                "--prefix",
                "none",
                "--format",
                "{p}",
            ],
        )
        .unwrap();
        out.lines()
            .filter_map(|l| l.split_whitespace().next())
            .map(str::to_string)
            .collect()
    };
    assert_eq!(tree("b"), set(&["a", "b"]), "cargo builds b without o");
    assert_eq!(tree("c"), set(&["a", "c", "o"]), "cargo builds c with o");
    check(
        &repo,
        edit("o/src/lib.rs"),
        &["a", "c", "o"],
        &["a", "b", "c", "o"],
    );
}

/// A feature of the dependent forwards to `a/extra`: `b`'s all-features build builds `o`, so
/// `b` is affected; `d`, which depends on `b` without that feature, is not.
#[test]
fn a_forwarding_feature_reaches_the_dependent_but_not_its_dependents() {
    let (_t, repo) = workspace(&[
        O,
        A_EXTRA_O,
        (
            "b",
            "[dependencies]\na = { path = \"../a\" }\n\n[features]\nfull = [\"a/extra\"]\n",
        ),
        ("d", "[dependencies]\nb = { path = \"../b\" }\n"),
    ]);
    check(
        &repo,
        edit("o/src/lib.rs"),
        &["a", "b", "o"],
        &["a", "b", "d", "o"],
    );
}

/// A dev-dependency that enables the feature: `t`'s own test build has `o`, `t`'s dependents do
/// not (a dev-dependency is not part of their builds).
#[test]
fn a_dev_dependency_enabling_the_feature_reaches_only_the_declaring_crate() {
    let (_t, repo) = workspace(&[
        O,
        A_EXTRA_O,
        (
            "t",
            "[dependencies]\na = { path = \"../a\" }\n\n\
             [dev-dependencies]\na = { path = \"../a\", features = [\"extra\"] }\n",
        ),
        ("u", "[dependencies]\nt = { path = \"../t\" }\n"),
    ]);
    check(
        &repo,
        edit("o/src/lib.rs"),
        &["a", "o", "t"],
        &["a", "o", "t", "u"],
    );
}

/// A platform-specific case twice: with the default platforms (the host), where the
/// determinator for the host is the oracle and `--features-mode all` applies the platforms too
/// (`host_all`); and with `platforms = ["any"]`, where the determinator for every platform is the
/// oracle and `--features-mode all` is the old answer, every optional and platform-specific edge
/// (`any_all`).
fn check_platforms(
    members: &[(&str, &str)],
    changed: &'static str,
    host: (&[&str], &[&str]),
    any: (&[&str], &[&str]),
) {
    let (_t, repo) = workspace(members);
    check(&repo, edit(changed), host.0, host.1);
    let (_t, repo) = workspace_full(ANY_PLATFORM, members, true);
    check_with(&repo, edit(changed), any.0, any.1, true, true);
}

/// A path dependency under `cfg(windows)`: not built on this (Linux) host, so a change to `w`
/// reaches only `w`; with `platforms = ["any"]` it reaches `b` and `d`.
#[test]
#[cfg(not(windows))]
fn a_cfg_windows_path_dependency_is_not_built_here() {
    check_platforms(
        &[
            ("w", ""),
            (
                "b",
                "[target.'cfg(windows)'.dependencies]\nw = { path = \"../w\" }\n",
            ),
            ("d", "[dependencies]\nb = { path = \"../b\" }\n"),
        ],
        "w/src/lib.rs",
        (&["w"], &["w"]),
        (&["b", "d", "w"], &["b", "d", "w"]),
    );
}

/// A path dependency under `cfg(unix)`: built on this host, so it carries the change like a
/// plain dependency, in both modes.
#[test]
#[cfg(unix)]
fn a_cfg_unix_path_dependency_is_built_here() {
    let (_t, repo) = workspace(&[
        ("x", ""),
        (
            "b",
            "[target.'cfg(unix)'.dependencies]\nx = { path = \"../x\" }\n",
        ),
        ("d", "[dependencies]\nb = { path = \"../b\" }\n"),
    ]);
    check(
        &repo,
        edit("x/src/lib.rs"),
        &["b", "d", "x"],
        &["b", "d", "x"],
    );
}

/// The other places a platform condition goes, on this Linux host: a `cfg(windows)`
/// dev-dependency and build-dependency and a Windows triple are not built; `cfg(not(windows))`
/// and `cfg(target_os = "linux")` are.
#[test]
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn dev_build_and_triple_platform_conditions_on_linux() {
    let every = ["build", "dev", "linux", "notwin", "triple", "w"];
    check_platforms(
        &[
            ("w", ""),
            (
                "dev",
                "[target.'cfg(windows)'.dev-dependencies]\nw = { path = \"../w\" }\n",
            ),
            (
                "build",
                "build = \"build.rs\"\n\n\
                 [target.'cfg(windows)'.build-dependencies]\nw = { path = \"../w\" }\n",
            ),
            (
                "triple",
                "[target.x86_64-pc-windows-msvc.dependencies]\nw = { path = \"../w\" }\n",
            ),
            (
                "notwin",
                "[target.'cfg(not(windows))'.dependencies]\nw = { path = \"../w\" }\n",
            ),
            (
                "linux",
                "[target.'cfg(target_os = \"linux\")'.dependencies]\nw = { path = \"../w\" }\n",
            ),
        ],
        "w/src/lib.rs",
        (&["linux", "notwin", "w"], &["linux", "notwin", "w"]),
        (&every, &every),
    );
}

/// `[workspace.metadata.ccworkspace.affected] platforms` adds Windows: the `cfg(windows)` edge
/// is built on one of the platforms and carries the change; a macOS-only one still does not.
/// The oracle is the determinator configured for the same two platforms.
#[test]
fn configured_platforms_decide_which_cfg_edges_are_built() {
    let (_t, repo) = workspace_full(
        "\n[workspace.metadata.ccworkspace.affected]\n\
         platforms = [\"x86_64-unknown-linux-gnu\", \"x86_64-pc-windows-msvc\"]\n",
        &[
            ("w", ""),
            (
                "b",
                "[target.'cfg(windows)'.dependencies]\nw = { path = \"../w\" }\n",
            ),
            ("d", "[dependencies]\nb = { path = \"../b\" }\n"),
            (
                "m",
                "[target.'cfg(target_os = \"macos\")'.dependencies]\nw = { path = \"../w\" }\n",
            ),
        ],
        true,
    );
    repo.append("w/src/lib.rs", "\n// edit\n");
    repo.commit_all("change");
    let scratch = tempfile::tempdir().unwrap();
    let old = oracle::graph_at(&repo, "main", scratch.path(), true);
    let new = oracle::metadata_graph(&repo.dir, true);
    let paths = oracle::changed_paths(&repo, "main", Some("HEAD"));
    let triples = ["x86_64-unknown-linux-gnu", "x86_64-pc-windows-msvc"];
    let theirs = oracle::determinator_on(&old, &new, &paths, &triples);
    assert_eq!(theirs, set(&["b", "d", "w"]), "the determinator's answer");
    assert_eq!(
        oracle::determinator_on(&old, &new, &paths, &triples[..1]),
        set(&["w"]),
        "the determinator on Linux alone"
    );
    assert_eq!(
        ours(&repo, &[], true),
        theirs,
        "affected with the two platforms"
    );
    assert_eq!(
        ours(&repo, &["--features-mode", "all"], true),
        set(&["b", "d", "w"]),
        "affected --features-mode all applies the platforms too (docs/affected.md)"
    );
}

/// A lockfile-only bump of a registry crate that `w` uses only on Windows and `n` uses on every
/// platform: the bump reaches `n`, not `w` nor `w`'s dependent; with `platforms = ["any"]`, all
/// three. `itoa` 1.0.19 is the version the
/// repository's fixtures lock (so a warm cache has it); this test resolves online, as
/// `determinator_oracle`'s lockfile test does, so a fresh machine can run it.
#[test]
#[cfg(not(windows))]
fn a_lockfile_only_bump_of_a_windows_only_registry_crate() {
    for any in [false, true] {
        let (_t, repo) = workspace_full(
            if any { ANY_PLATFORM } else { "" },
            &[
                ("w", "[target.'cfg(windows)'.dependencies]\nitoa = \"1\"\n"),
                ("n", "[dependencies]\nitoa = \"1\"\n"),
                ("d", "[dependencies]\nw = { path = \"../w\" }\n"),
            ],
            false,
        );
        let pin = |r: &Repo, v: &str| {
            support::generator::run_cargo(&r.dir, &["update", "-p", "itoa", "--precise", v])
                .unwrap();
        };
        // The base locks 1.0.18 (main moves along), the change 1.0.19.
        pin(&repo, "1.0.18");
        repo.commit_all("lock itoa 1.0.18");
        repo.git(&["branch", "-f", "main", "HEAD"]);
        let (expected, all): (&[&str], &[&str]) = if any {
            (&["d", "n", "w"], &["d", "n", "w"])
        } else {
            (&["n"], &["n"])
        };
        check_with(&repo, |r| pin(r, "1.0.19"), expected, all, false, any);
        assert_eq!(
            oracle::changed_paths(&repo, "main", Some("HEAD")),
            [camino::Utf8PathBuf::from("Cargo.lock")],
            "a lockfile-only change"
        );
    }
}

/// `--explain` names the build that carries the edge: here `b` builds `o` through `a`'s default
/// features. The wording is loose on purpose (the example: `b → a (a's default
/// features, linux)`): it says "features".
#[test]
fn explain_names_the_build_that_carries_the_edge() {
    let (_t, repo) = workspace(&[
        ("o", ""),
        (
            "a",
            "[dependencies]\no = { path = \"../o\", optional = true }\n\n\
             [features]\ndefault = [\"extra\"]\nextra = [\"dep:o\"]\n",
        ),
        ("b", "[dependencies]\na = { path = \"../a\" }\n"),
    ]);
    repo.append("o/src/lib.rs", "\n// edit\n");
    repo.commit_all("change");
    let run = explain(&repo, "b");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("b is affected"), "{}", run.stdout);
    assert!(
        run.stdout.contains("features"),
        "the explanation names the build (the features) that carries the edge:\n{}",
        run.stdout
    );
}

/// And for a crate that only the `--all-features` graph connects: `b` does not enable `a/extra`,
/// so `--explain b` says it is not affected.
#[test]
fn explain_says_a_crate_behind_a_feature_it_does_not_enable_is_not_affected() {
    let (_t, repo) = workspace(&[
        O,
        A_EXTRA_O,
        ("b", "[dependencies]\na = { path = \"../a\" }\n"),
    ]);
    repo.append("o/src/lib.rs", "\n// edit\n");
    repo.commit_all("change");
    let run = explain(&repo, "b");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("b is not affected"), "{}", run.stdout);
}
