//! Adversarial cases for `affected` (features-mode "builds"): each test asserts the answer
//! guppy's determinator gives (the documented differences aside), or that the two graph
//! loaders and the warm graph cache agree.
//!
//! `explore` (ignored) is a harness: `ADV_DIR=<git repo> [ADV_BASE=HEAD~1] [ADV_PLATFORM=triple|any]
//! cargo test --test adversary14 explore -- --ignored --nocapture` prints every judge's answer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use camino::Utf8PathBuf;
use determinator::Determinator;
use guppy::graph::cargo::CargoOptions;
use guppy::graph::{DependencyDirection, PackageGraph};
use guppy::platform::{Platform, PlatformSpec, TargetFeatures};
use support::git::Repo;
use support::oracle;

/// determinator's answer for `base..HEAD`, on `platform` (`None`: the host, determinator's
/// default; `Some("any")`: every platform).
fn det(repo: &Repo, base: &str, platform: Option<&str>) -> BTreeSet<String> {
    det_rules(repo, base, platform, None)
}

/// determinator's answer with custom rules (determinator's TOML: `[[path-rule]]`,
/// `[[package-rule]]`), applied before its default rules as determinator does.
fn det_rules(
    repo: &Repo,
    base: &str,
    platform: Option<&str>,
    rules: Option<&str>,
) -> BTreeSet<String> {
    let scratch = tempfile::tempdir().unwrap();
    let old = oracle::graph_at(repo, base, scratch.path(), false);
    let new = oracle::graph_at(repo, "HEAD", scratch.path(), false);
    let paths = oracle::changed_paths(repo, base, Some("HEAD"));
    det_graphs(&old, &new, &paths, platform, rules)
}

fn det_graphs(
    old: &PackageGraph,
    new: &PackageGraph,
    paths: &[Utf8PathBuf],
    platform: Option<&str>,
    rules: Option<&str>,
) -> BTreeSet<String> {
    let mut d = Determinator::new(old, new);
    if let Some(text) = rules {
        d.set_rules(&determinator::rules::DeterminatorRules::parse(text).unwrap())
            .unwrap();
    }
    d.add_changed_paths(paths.iter().map(|p| p.as_path()));
    let mut options = CargoOptions::new();
    let spec = match platform {
        None => PlatformSpec::build_target().unwrap(),
        Some("any") => PlatformSpec::Any,
        Some(t) => {
            PlatformSpec::from(Platform::new(t.to_string(), TargetFeatures::Unknown).unwrap())
        }
    };
    options.set_include_dev(true).set_platform(spec);
    d.set_cargo_options(&options);
    let computed = d.compute();
    if std::env::var_os("ADV_DEBUG").is_some() {
        let names = |s: &guppy::graph::PackageSet| -> Vec<String> {
            s.packages(DependencyDirection::Forward)
                .map(|p| p.name().to_string())
                .collect()
        };
        eprintln!(
            "path-changed {:?} summary-changed {:?}",
            names(&computed.path_changed_set),
            names(&computed.summary_changed_set)
        );
    }
    computed
        .affected_set
        .packages(DependencyDirection::Forward)
        .map(|p| p.name().to_string())
        .collect()
}

/// Our JSON `affected` list for `base..HEAD` with these environment variables.
fn ours_json(dir: &Path, base: &str, env: &[(&str, &str)], extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "affected", "-q", "--base", base, "--head", "HEAD", "--format", "json",
    ];
    args.extend(extra);
    let run = support::cli::run(dir, &args, env);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    v["affected"].clone()
}

fn names(v: &serde_json::Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

const COLD: &[(&str, &str)] = &[("CCWORKSPACE_NO_CACHE", "1")];
const COLD_CARGO: &[(&str, &str)] = &[
    ("CCWORKSPACE_NO_CACHE", "1"),
    ("CCWORKSPACE_GRAPH", "cargo"),
];

/// Our answers: (manifests loader, cargo loader, warm cache after a cargo run).
fn ours3(repo: &Repo, base: &str) -> [serde_json::Value; 3] {
    let model = ours_json(&repo.dir, base, COLD, &[]);
    let cargo = ours_json(&repo.dir, base, COLD_CARGO, &[]);
    // Fill the cache (a cargo run stores it), then answer from it.
    let _ = ours_json(&repo.dir, base, &[("CCWORKSPACE_GRAPH", "cargo")], &[]);
    let warm = ours_json(&repo.dir, base, &[], &[]);
    [model, cargo, warm]
}

/// A repository with `base` committed, then `head` written over it (a `None` text deletes the
/// file) and committed. Every manifest with `[package]` gets an empty `src/lib.rs`.
fn history(base: &[(&str, &str)], head: &[(&str, Option<&str>)]) -> (tempfile::TempDir, Repo) {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(&tmp.path().join("repo"));
    for (p, text) in base {
        repo.write(p, text);
        if text.contains("[package]") {
            let src = Path::new(p).parent().unwrap().join("src/lib.rs");
            if !base.iter().any(|(q, _)| Path::new(q) == src) {
                repo.write(src.to_str().unwrap(), "");
            }
        }
    }
    repo.commit_all("base");
    for (p, text) in head {
        match text {
            Some(t) => repo.write(p, t),
            None => repo.remove(p),
        }
    }
    repo.commit_all("head");
    (tmp, repo)
}

/// `affected --explain CRATE` for `HEAD~1..HEAD` on a cold cache; it must succeed.
fn explain(repo: &Repo, krate: &str) -> support::cli::Run {
    let run = support::cli::run(
        &repo.dir,
        &[
            "affected",
            "-q",
            "--base",
            "HEAD~1",
            "--head",
            "HEAD",
            "--explain",
            krate,
        ],
        COLD,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    run
}

fn set(v: &[&str]) -> BTreeSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
#[ignore = "a harness for exploration: set ADV_DIR"]
fn explore() {
    let dir = std::env::var("ADV_DIR").expect("ADV_DIR");
    let base = std::env::var("ADV_BASE").unwrap_or_else(|_| "HEAD~1".into());
    let platforms = std::env::var("ADV_PLATFORM").ok();
    let rules = std::env::var("ADV_RULES").ok();
    let repo = Repo::open(Path::new(&dir));
    let mut theirs = BTreeSet::new();
    match &platforms {
        None => theirs = det_rules(&repo, &base, None, rules.as_deref()),
        Some(list) => {
            for p in list.split(',') {
                theirs.extend(det_rules(&repo, &base, Some(p), rules.as_deref()));
            }
        }
    }
    let [model, cargo, warm] = ours3(&repo, &base);
    println!("DETERMINATOR {theirs:?}");
    println!("MODEL        {:?}", names(&model));
    println!("CARGO        {:?}", names(&cargo));
    println!("WARM         {:?}", names(&warm));
    if model != cargo {
        println!("MODEL JSON != CARGO JSON\n{}\n{}", model, cargo);
    }
    if warm != cargo {
        println!("WARM JSON != CARGO JSON\n{}\n{}", warm, cargo);
    }
    println!(
        "VERDICT {}",
        if names(&model) == theirs && model == cargo && warm == cargo {
            "agree"
        } else {
            "DIFFER"
        }
    );
}

/// Every judge at once: the manifests' graph, cargo's graph and the warm cache each give
/// `expected`, which is determinator's answer (checked here too).
fn assert_all(repo: &Repo, expected: &[&str]) {
    let expected = set(expected);
    assert_eq!(det(repo, "HEAD~1", None), expected, "determinator");
    let [model, cargo, warm] = ours3(repo, "HEAD~1");
    assert_eq!(
        names(&cargo),
        expected,
        "cargo's graph (CCWORKSPACE_GRAPH=cargo)"
    );
    assert_eq!(
        names(&model),
        expected,
        "the member manifests' graph (cold cache)"
    );
    assert_eq!(names(&warm), expected, "the warm graph cache");
    assert_eq!(model, cargo, "the two loaders' JSON");
}

const WS3: &str = "[workspace]\nresolver = \"2\"\nmembers = [\"a\", \"b\", \"c\"]\n";

/// `c` depends on `b`, a binary-only crate (no lib target): cargo ignores the dependency
/// ("ignoring invalid dependency `b` which is missing a lib target") and `cargo metadata`
/// has no edge, so determinator does not affect `c`. The manifests' graph keeps the edge.
#[test]
fn dependency_on_a_bin_only_member_is_no_edge() {
    let (_t, repo) = history(
        &[
            (".gitignore", "/target\n"),
            ("Cargo.toml", WS3),
            (
                "a/Cargo.toml",
                "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
            (
                "b/Cargo.toml",
                "[package]\nname = \"b\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
                 [dependencies]\na = { path = \"../a\" }\n",
            ),
            ("b/src/lib.rs", "fn main() {}\n"),
            (
                "c/Cargo.toml",
                "[package]\nname = \"c\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
                 [dependencies]\nb = { path = \"../b\" }\n",
            ),
        ],
        &[],
    );
    // b is binary-only: move its lib.rs to main.rs in the base commit.
    repo.rename("b/src/lib.rs", "b/src/main.rs");
    repo.commit_all("b is a binary");
    repo.append("b/src/main.rs", "// edit\n");
    repo.commit_all("edit b");
    assert_all(&repo, &["b"]);
}

/// `i` has `[build-dependencies] a` but no build script (none, or `build = false`): cargo
/// builds no build-dependencies then, and guppy's `CargoSet` (`considers_build_deps`: the
/// package has a build script) leaves them out, so determinator affects neither `i` nor its
/// dependent `j`. `affected` counts the build edge.
#[test]
fn build_dependencies_without_a_build_script_are_not_built() {
    let ws = "[workspace]\nresolver = \"2\"\nmembers = [\"a\", \"i\", \"i2\", \"j\"]\n";
    let (_t, repo) = history(
        &[
            (".gitignore", "/target\n"),
            ("Cargo.toml", ws),
            (
                "a/Cargo.toml",
                "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
            (
                "i/Cargo.toml",
                "[package]\nname = \"i\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
                 [build-dependencies]\na = { path = \"../a\" }\n",
            ),
            (
                "i2/Cargo.toml",
                "[package]\nname = \"i2\"\nversion = \"0.1.0\"\nedition = \"2021\"\nbuild = false\n\
                 [build-dependencies]\na = { path = \"../a\" }\n",
            ),
            ("i2/build.rs", "fn main() {}\n"),
            (
                "j/Cargo.toml",
                "[package]\nname = \"j\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
                 [dependencies]\ni = { path = \"../i\" }\n",
            ),
        ],
        &[("a/src/lib.rs", Some("// edit\n"))],
    );
    assert_all(&repo, &["a"]);
}

/// `b` reaches the changed `a` only over a `[target.'cfg(windows)'.dependencies]` edge, and the
/// platform is the Linux host. `--explain b` says "`--features-mode all` counts those", but
/// `--features-mode all` applies `platforms` too (docs/affected.md) and does not list `b`.
#[test]
fn explain_does_not_promise_features_mode_all_counts_other_platform_edges() {
    let ws = "[workspace]\nresolver = \"2\"\nmembers = [\"a\", \"b\"]\n\
              [workspace.metadata.ccworkspace.affected]\nplatforms = [\"x86_64-unknown-linux-gnu\"]\n";
    let (_t, repo) = history(
        &[
            (".gitignore", "/target\n"),
            ("Cargo.toml", ws),
            (
                "a/Cargo.toml",
                "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
            (
                "b/Cargo.toml",
                "[package]\nname = \"b\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
                 [target.'cfg(windows)'.dependencies]\na = { path = \"../a\" }\n",
            ),
        ],
        &[("a/src/lib.rs", Some("// edit\n"))],
    );
    let all = support::cli::run(
        &repo.dir,
        &[
            "affected",
            "-q",
            "--base",
            "HEAD~1",
            "--head",
            "HEAD",
            "--features-mode",
            "all",
        ],
        COLD,
    )
    .names();
    assert_eq!(all, set(&["a"]), "features-mode all applies platforms");
    let explain = explain(&repo, "b");
    assert!(
        !explain
            .stdout
            .contains("`--features-mode all` counts those")
            && explain
                .stdout
                .contains("`platforms = [\"any\"]` the other platforms'"),
        "--explain b promises what --features-mode all does not do:\n{}",
        explain.stdout
    );
}

/// `cargo generate-lockfile` in the repository (offline first: the registry cache usually
/// has what these tests need).
fn lock(repo: &Repo) {
    let offline = std::process::Command::new(support::cargo())
        .args(["generate-lockfile", "--offline", "-q"])
        .current_dir(&repo.dir)
        .status()
        .unwrap();
    if !offline.success() {
        let online = std::process::Command::new(support::cargo())
            .args(["generate-lockfile", "-q"])
            .current_dir(&repo.dir)
            .status()
            .unwrap();
        assert!(online.success());
    }
}

/// One member turns on a feature of a registry crate others share (`either` with `serde`):
/// `Cargo.lock`'s `either` entry gains `serde`, and `affected` takes every crate that builds
/// `either` (`m`, and `n` through it). determinator compares each member's builds: only `c`'s
/// `either` has the new feature, so `m` and `n` are not affected (their builds did not change).
#[test]
fn a_new_feature_of_a_shared_registry_crate_affects_only_the_builds_that_enable_it() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(&tmp.path().join("repo"));
    let pkg = |name: &str, deps: &str| {
        repo.write(
            &format!("{name}/Cargo.toml"),
            &format!(
                "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
                 [dependencies]\n{deps}\n"
            ),
        );
        repo.write(&format!("{name}/src/lib.rs"), "");
    };
    repo.write(".gitignore", "/target\n");
    repo.write(
        "Cargo.toml",
        "[workspace]\nresolver = \"2\"\nmembers = [\"c\", \"d\", \"m\", \"n\"]\n",
    );
    pkg("c", "either = \"1\"");
    pkg("d", "c = { path = \"../c\" }");
    pkg("m", "either = \"1\"");
    pkg("n", "m = { path = \"../m\" }");
    lock(&repo);
    repo.commit_all("base");
    pkg("c", "either = { version = \"1\", features = [\"serde\"] }");
    lock(&repo);
    repo.commit_all("c's either with serde");
    assert_all(&repo, &["c", "d"]);
}

/// `--head HEAD` names the checked-out commit, but the working tree has an uncommitted edit to
/// a member manifest (`c` no longer depends on `b`). The answer for `HEAD~1..HEAD` must come
/// from HEAD's graph (determinator's: `b`, `c`); `affected` reads the dirty working tree's
/// manifests instead and drops `c`.
#[test]
fn head_rev_that_is_checked_out_uses_its_graph_not_the_dirty_working_tree() {
    let (_t, repo) = history(
        &[
            (".gitignore", "/target\n"),
            (
                "Cargo.toml",
                "[workspace]\nresolver = \"2\"\nmembers = [\"b\", \"c\"]\n",
            ),
            (
                "b/Cargo.toml",
                "[package]\nname = \"b\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
            (
                "c/Cargo.toml",
                "[package]\nname = \"c\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
                 [dependencies]\nb = { path = \"../b\" }\n",
            ),
        ],
        &[("b/src/lib.rs", Some("// edit\n"))],
    );
    assert_eq!(det(&repo, "HEAD~1", None), set(&["b", "c"]));
    // Uncommitted: c drops its dependency.
    repo.write(
        "c/Cargo.toml",
        "[package]\nname = \"c\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    for env in [COLD, COLD_CARGO] {
        let got = names(&ours_json(&repo.dir, "HEAD~1", env, &[]));
        assert_eq!(got, set(&["b", "c"]), "{env:?}");
    }
}

/// `--features-mode all` on the Linux host: `c` depends on `b` normally only under
/// `cfg(windows)`, and dev-depends on it everywhere. On Linux the edge is a dev edge, which
/// reaches `c` and stops, so `d` (which depends on `c`) is not affected. `affected` takes the
/// link as a normal edge because one of its kinds is declared for the platform.
#[test]
fn features_mode_all_applies_the_platform_to_each_edge_kind() {
    let ws = "[workspace]\nresolver = \"2\"\nmembers = [\"b\", \"c\", \"d\"]\n\
              [workspace.metadata.ccworkspace.affected]\nfeatures-mode = \"all\"\n\
              platforms = [\"x86_64-unknown-linux-gnu\"]\n";
    let (_t, repo) = history(
        &[
            (".gitignore", "/target\n"),
            ("Cargo.toml", ws),
            (
                "b/Cargo.toml",
                "[package]\nname = \"b\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
            (
                "c/Cargo.toml",
                "[package]\nname = \"c\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
                 [target.'cfg(windows)'.dependencies]\nb = { path = \"../b\" }\n\
                 [dev-dependencies]\nb = { path = \"../b\" }\n",
            ),
            (
                "d/Cargo.toml",
                "[package]\nname = \"d\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
                 [dependencies]\nc = { path = \"../c\" }\n",
            ),
        ],
        &[("b/src/lib.rs", Some("// edit\n"))],
    );
    for env in [COLD, COLD_CARGO] {
        let got = names(&ours_json(&repo.dir, "HEAD~1", env, &[]));
        assert_eq!(got, set(&["b", "c"]), "{env:?}");
    }
}

/// A file of a path dependency that is not a workspace member (`vendor/w`, excluded) changed:
/// determinator finds no member above it and marks everything (`{a, c, d, v}` here); `affected`
/// answers `w`'s dependents only (step 6 of "Which crate a file belongs to"). That is a subset,
/// but the differences table in docs/affected.md, which lists every intentional difference,
/// has no row for it.
#[test]
fn non_member_path_dependency_difference_is_in_the_table() {
    let ws = "[workspace]\nresolver = \"2\"\nmembers = [\"a\", \"c\"]\nexclude = [\"vendor/w\"]\n";
    let (_t, repo) = history(
        &[
            (".gitignore", "/target\n"),
            ("Cargo.toml", ws),
            (
                "a/Cargo.toml",
                "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
                 [dependencies]\nw = { path = \"../vendor/w\" }\n",
            ),
            (
                "c/Cargo.toml",
                "[package]\nname = \"c\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
            (
                "vendor/w/Cargo.toml",
                "[package]\nname = \"w\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
        ],
        &[("vendor/w/src/lib.rs", Some("// edit\n"))],
    );
    assert_eq!(det(&repo, "HEAD~1", None), set(&["a", "c"]));
    assert_eq!(
        names(&ours_json(&repo.dir, "HEAD~1", COLD_CARGO, &[])),
        set(&["a"])
    );
    let docs = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/affected.md"),
    )
    .unwrap();
    let table = docs
        .split("Intentional differences")
        .nth(1)
        .expect("the differences table");
    let rows: Vec<&str> = table
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert!(
        rows.iter()
            .any(|r| r.contains("not a member") || r.contains("non-member")),
        "no row of the differences table covers a changed file of a path dependency that is \
         not a member (determinator: everything)"
    );
}

/// Warm cache vs cold: `b/src/bin/tool/` holds only a helper module, so `b` is a library; the
/// cache is filled. Then `b/src/bin/tool/main.rs` is added (cargo now infers the binary
/// `tool`). The cache key lists `src/bin`'s names only, which did not change, so the warm run
/// still says `"kind": "lib"` where a cold run (either loader) says `"bin"`.
#[test]
fn warm_cache_sees_a_new_binary_in_an_existing_src_bin_folder() {
    let (_t, repo) = history(
        &[
            (".gitignore", "/target\n"),
            (
                "Cargo.toml",
                "[workspace]\nresolver = \"2\"\nmembers = [\"a\", \"b\"]\n",
            ),
            (
                "a/Cargo.toml",
                "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
            (
                "b/Cargo.toml",
                "[package]\nname = \"b\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
                 [dependencies]\na = { path = \"../a\" }\n",
            ),
            ("b/src/bin/b/helper.rs", "pub fn help() {}\n"),
        ],
        &[],
    );
    // Fill the cache at this commit (a cargo run stores it).
    let _ = ours_json(&repo.dir, "HEAD", &[("CCWORKSPACE_GRAPH", "cargo")], &[]);
    // Named like the package, so not a helper binary: `b` becomes a binary crate.
    repo.write("b/src/bin/b/main.rs", "fn main() {}\n");
    repo.write("a/src/lib.rs", "// edit\n");
    repo.commit_all("b gains the binary b; a changes");
    let kind_of_b = |v: &serde_json::Value| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "b")
            .map(|c| c["kind"].as_str().unwrap().to_string())
    };
    let cold = ours_json(&repo.dir, "HEAD~1", COLD_CARGO, &[]);
    assert_eq!(kind_of_b(&cold).as_deref(), Some("bin"));
    let warm = ours_json(&repo.dir, "HEAD~1", &[], &[]);
    assert_eq!(
        kind_of_b(&warm).as_deref(),
        Some("bin"),
        "the warm cache's kind"
    );
}

/// A lockfile-only bump of `itoa`, which `f` uses behind an optional dependency and `w` only
/// under `cfg(windows)`: `--explain w` (not affected) says "contains a changed crate: " and
/// then nothing. The changed package is `itoa` (a registry crate): the explanation must name
/// it, and say that `w` reaches it only over a dependency of another platform.
#[test]
fn explain_names_the_changed_registry_crate_of_a_lockfile_bump() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(&tmp.path().join("repo"));
    repo.write(".gitignore", "/target\n");
    repo.write(
        "Cargo.toml",
        "[workspace]\nresolver = \"2\"\nmembers = [\"f\", \"w\"]\n",
    );
    repo.write(
        "f/Cargo.toml",
        "[package]\nname = \"f\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
         [dependencies]\nitoa = { version = \"1\", optional = true }\n",
    );
    repo.write("f/src/lib.rs", "");
    repo.write(
        "w/Cargo.toml",
        "[package]\nname = \"w\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
         [target.'cfg(windows)'.dependencies]\nitoa = \"1\"\n",
    );
    repo.write("w/src/lib.rs", "");
    let update = |precise: &str| {
        lock(&repo);
        let ok = std::process::Command::new(support::cargo())
            .args(["update", "-q", "-p", "itoa", "--precise", precise])
            .current_dir(&repo.dir)
            .status()
            .unwrap();
        assert!(ok.success());
    };
    update("1.0.10");
    repo.commit_all("base");
    update("1.0.18");
    repo.commit_all("bump itoa");
    assert_eq!(det(&repo, "HEAD~1", None), set(&["f"]));
    let explain = explain(&repo, "w");
    assert!(
        explain.stdout.contains("itoa"),
        "--explain w does not name the changed crate:\n{}",
        explain.stdout
    );
}

/// `c` has `a` as an optional normal dependency (no feature of `c`'s default or no-features
/// builds enables it) and as a required build-dependency (with a build script). In its
/// no-features build `a` is only a build-dependency, yet `--explain c` says "c depends on a
/// (c's builds with no, default and all features, ...)" and the JSON chain says `"via":
/// "normal"`: the edge that carries the change into every build is the build edge.
#[test]
fn explain_names_the_edge_kind_that_is_in_every_build() {
    let (_t, repo) = history(
        &[
            (".gitignore", "/target\n"),
            (
                "Cargo.toml",
                "[workspace]\nresolver = \"2\"\nmembers = [\"a\", \"c\"]\n",
            ),
            (
                "a/Cargo.toml",
                "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
            (
                "c/Cargo.toml",
                "[package]\nname = \"c\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
                 [dependencies]\na = { path = \"../a\", optional = true }\n\
                 [build-dependencies]\na = { path = \"../a\" }\n",
            ),
            ("c/build.rs", "fn main() {}\n"),
        ],
        &[("a/src/lib.rs", Some("// edit\n"))],
    );
    assert_eq!(det(&repo, "HEAD~1", None), set(&["a", "c"]));
    let json = ours_json(&repo.dir, "HEAD~1", COLD, &[]);
    let c = json
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "c")
        .unwrap()
        .clone();
    let via = c["reason"]["chain"].as_array().unwrap().last().unwrap()["via"].clone();
    assert_eq!(via, "build", "reason: {}", c["reason"]);
}

/// A path rule copied from determinator's own defaults, `globs = ["Cargo.lock"]`,
/// `mark-changed = []` (docs/affected.md: "copy [[path-rule]] ... tables as they are"). In
/// determinator a path rule only decides what the *path* marks; the lockfile bump of `itoa`
/// still changes `f`'s and `u`'s build summaries, so both are affected. `affected` lets the
/// rule swallow the lockfile and answers nothing.
#[test]
fn a_path_rule_on_cargo_lock_does_not_hide_the_lockfile_bump() {
    let rules = "[[path-rule]]\nglobs = [\"Cargo.lock\"]\nmark-changed = []\n";
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(&tmp.path().join("repo"));
    repo.write(".gitignore", "/target\n");
    repo.write(
        "Cargo.toml",
        &format!(
            "[workspace]\nresolver = \"2\"\nmembers = [\"f\", \"u\"]\n{}",
            rules.replace(
                "[[path-rule]]",
                "[[workspace.metadata.ccworkspace.affected.path-rule]]"
            )
        ),
    );
    repo.write(
        "f/Cargo.toml",
        "[package]\nname = \"f\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
         [dependencies]\nitoa = \"1\"\n",
    );
    repo.write("f/src/lib.rs", "");
    repo.write(
        "u/Cargo.toml",
        "[package]\nname = \"u\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
         [dependencies]\nf = { path = \"../f\" }\n",
    );
    repo.write("u/src/lib.rs", "");
    let update = |precise: &str| {
        lock(&repo);
        let ok = std::process::Command::new(support::cargo())
            .args(["update", "-q", "-p", "itoa", "--precise", precise])
            .current_dir(&repo.dir)
            .status()
            .unwrap();
        assert!(ok.success());
    };
    update("1.0.10");
    repo.commit_all("base");
    update("1.0.18");
    repo.commit_all("bump itoa");
    assert_eq!(
        det_rules(&repo, "HEAD~1", None, Some(rules)),
        set(&["f", "u"])
    );
    for env in [COLD, COLD_CARGO] {
        assert_eq!(
            names(&ours_json(&repo.dir, "HEAD~1", env, &[])),
            set(&["f", "u"]),
            "{env:?}"
        );
    }
}
