//! A workspace whose root is also a package (`[package]` beside `[workspace]`, like bevy):
//! files no other member holds belong to the root package, as `cargo package` packs them and
//! as guppy's determinator answers, within the root package's own `include` / `exclude`.
//! What those leave out stays "outside every crate" (the `unmatched` policy); the root
//! package's targets (`src/`, `tests/`, ...) are always its own, packed or not.
//!
//! Judges: determinator for the files it and we both give to the root package, and
//! `cargo package --list` for which files the include/exclude rules keep.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use camino::Utf8PathBuf;
use support::git::Repo;
use support::oracle;

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// The root package `rootpkg` uses `corelib`; `app` uses `rootpkg`; `other` uses nothing.
/// `files_rule` is the root package's `include = [...]` or `exclude = [...]` line.
fn workspace(files_rule: &str, unmatched: Option<&str>) -> tempfile::TempDir {
    let member = |name: &str, deps: &str| {
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n{deps}"
        )
    };
    let mut root = format!(
        "[package]\nname = \"rootpkg\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{files_rule}\n\n[dependencies]\ncorelib = {{ path = \"crates/corelib\", version = \"0.1.0\" }}\n\n[workspace]\nmembers = [\"crates/*\"]\n"
    );
    if let Some(u) = unmatched {
        root.push_str(&format!(
            "\n[workspace.metadata.ccworkspace.affected]\nunmatched = \"{u}\"\n"
        ));
    }
    let app = member("app", "rootpkg = { path = \"../..\" }\n");
    let dir = support::write_workspace(&[
        ("Cargo.toml", &root),
        ("crates/corelib/Cargo.toml", &member("corelib", "")),
        ("crates/app/Cargo.toml", &app),
        ("crates/other/Cargo.toml", &member("other", "")),
        ("assets/x.txt", "x\n"),
        ("assets/x.png", "png\n"),
        ("assets/private/p.txt", "p\n"),
        ("tools/y.sh", "echo y\n"),
        ("tools/sub/z.sh", "echo z\n"),
        ("docs/guide.md", "guide\n"),
        ("docs/old.bak", "old\n"),
        ("tests/t.rs", "#[test]\nfn t() {}\n"),
        // A test fixture with a manifest, in no workspace: `cargo package` skips its
        // directory (a sub-package), determinator and we give it to the root package.
        (
            "fixtures/demo/Cargo.toml",
            "[package]\nname = \"demo\"\nversion = \"0.1.0\"\n\n[workspace]\n",
        ),
    ]);
    support::generator::run_cargo(dir.path(), &["generate-lockfile", "--offline"]).unwrap();
    dir
}

const EXCLUDE: &str = "exclude = [\"assets/private/\", \"/tools/*.sh\", \"*.bak\", \"tests/\"]";
const INCLUDE: &str = "include = [\"/src/\", \"assets/*.txt\"]";

/// The non-member files of the root package's directory, as a git work tree lists them.
const ROOT_FILES: &[&str] = &[
    "src/lib.rs",
    "assets/x.txt",
    "assets/x.png",
    "assets/private/p.txt",
    "tools/y.sh",
    "tools/sub/z.sh",
    "docs/guide.md",
    "docs/old.bak",
    "tests/t.rs",
    "fixtures/demo/src/lib.rs",
];

fn ours(dir: &Path, files: &[&str], extra: &[&str]) -> support::cli::Run {
    let mut args = vec!["affected", "-q", "--offline"];
    args.extend(extra);
    for f in files {
        args.extend(["--files", f]);
    }
    support::cli::run(dir, &args, &[])
}

/// determinator's answer for these paths when no manifest changed (the same graph twice).
fn determinator(graph: &guppy::graph::PackageGraph, files: &[&str]) -> BTreeSet<String> {
    let paths: Vec<Utf8PathBuf> = files.iter().map(Utf8PathBuf::from).collect();
    oracle::determinator(graph, graph, &paths)
}

/// `cargo package --list` of the root package, in a git repository (as cargo packs it).
fn cargo_package_list(dir: &Path) -> BTreeSet<String> {
    let repo = Repo::init(dir);
    repo.commit_all("root package");
    let out = support::generator::run_cargo(
        dir,
        &["package", "--list", "--allow-dirty", "--offline", "-q"],
    )
    .unwrap();
    out.lines().map(str::to_string).collect()
}

#[test]
fn root_package_files_agree_with_determinator() {
    for rule in [EXCLUDE, INCLUDE, ""] {
        let dir = workspace(rule, None);
        let graph = oracle::metadata_graph(dir.path(), true);
        let mut agree = vec!["src/lib.rs", "assets/x.txt", "crates/corelib/src/lib.rs"];
        match rule {
            // `tests/` is excluded from the package, but it is the root package's target.
            EXCLUDE => agree.extend([
                "tools/sub/z.sh",
                "docs/guide.md",
                "assets/x.png",
                "tests/t.rs",
            ]),
            // Not packed, but a target of the root package: its own all the same.
            INCLUDE => agree.push("tests/t.rs"),
            _ => agree.extend(ROOT_FILES),
        }
        for file in agree {
            let theirs = determinator(&graph, &[file]);
            assert_eq!(
                ours(dir.path(), &[file], &[]).names(),
                theirs,
                "{file} with {rule:?}"
            );
            assert!(
                theirs.contains("rootpkg") && theirs.contains("app"),
                "{theirs:?}"
            );
        }
        // The built-in ignore list comes first: narrower than determinator, which has no
        // rule for a changelog and gives it to the root package.
        assert_eq!(
            determinator(&graph, &["CHANGELOG.md"]),
            set(&["app", "rootpkg"])
        );
        assert!(ours(dir.path(), &["CHANGELOG.md"], &[]).names().is_empty());
        // A member's own file stays the member's.
        assert_eq!(
            ours(dir.path(), &["crates/other/src/lib.rs"], &[]).names(),
            set(&["other"])
        );
    }
}

#[test]
fn files_the_root_package_leaves_out_follow_the_unmatched_policy() {
    for (rule, left_out) in [
        (
            EXCLUDE,
            &["tools/y.sh", "assets/private/p.txt", "docs/old.bak"][..],
        ),
        (
            INCLUDE,
            &["tools/y.sh", "assets/x.png", "docs/guide.md"][..],
        ),
    ] {
        let dir = workspace(rule, None);
        let graph = oracle::metadata_graph(dir.path(), true);
        for file in left_out {
            // determinator gives them to the root package; ours says "outside every crate",
            // and by default that is everything: a superset.
            let theirs = determinator(&graph, &[file]);
            assert_eq!(theirs, set(&["app", "rootpkg"]), "{file}");
            let run = ours(dir.path(), &[file], &["--format", "json"]);
            let json = run.json();
            let why = json["all"].as_str().unwrap_or_default();
            assert!(
                why.contains(&format!("{file} is outside every crate"))
                    && why.contains("include` / `exclude"),
                "{file} with {rule}: {why}"
            );
        }
        let dir = workspace(rule, Some("ignore"));
        let run = ours(dir.path(), left_out, &["--format", "json"]);
        assert!(run.json()["affected"].as_array().unwrap().is_empty());
        for f in run.json()["changed_files"].as_array().unwrap() {
            assert_eq!(f["effect"], "unmatched", "{f}");
        }
        assert_eq!(
            ours(dir.path(), &["src/lib.rs"], &[]).names(),
            set(&["app", "rootpkg"])
        );
    }
}

#[test]
fn the_root_package_owns_what_cargo_package_lists() {
    for rule in [EXCLUDE, INCLUDE, ""] {
        let dir = workspace(rule, Some("ignore"));
        let listed = cargo_package_list(dir.path());
        let run = ours(dir.path(), ROOT_FILES, &["--format", "json"]);
        for f in run.json()["changed_files"].as_array().unwrap() {
            let path = f["path"].as_str().unwrap();
            let owned = f["crates"] == serde_json::json!(["rootpkg"]);
            let target = path.starts_with("src/") || path.starts_with("tests/");
            // The one documented difference from cargo: a sub-package's directory.
            let fixture = path.starts_with("fixtures/demo/") && rule != INCLUDE;
            assert!(!listed.contains("fixtures/demo/src/lib.rs"), "{listed:?}");
            assert_eq!(
                owned,
                listed.contains(path) || target || fixture,
                "{path} with {rule:?}: ours {f}, cargo package --list {listed:?}"
            );
        }
        // The checks above compare what they should: cargo packs some and leaves some out.
        if !rule.is_empty() {
            assert!(
                ROOT_FILES.iter().any(|f| !listed.contains(*f)),
                "{listed:?}"
            );
        }
        assert!(listed.contains("src/lib.rs") && listed.contains("assets/x.txt"));
    }
}

#[test]
fn a_root_package_in_git_history_agrees_with_determinator() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = workspace(EXCLUDE, None);
    let repo = Repo::init(&tmp.path().join("repo"));
    support::git::copy_dir(dir.path(), &repo.dir);
    repo.commit_all("base");
    repo.git(&["checkout", "-q", "-b", "work"]);
    repo.append("assets/x.txt", "more\n");
    repo.append("tools/sub/z.sh", "echo more\n");
    repo.commit_all("change");
    let scratch = tempfile::tempdir().unwrap();
    let old = oracle::graph_at(&repo, "main", scratch.path(), true);
    let new = oracle::metadata_graph(&repo.dir, true);
    let theirs = oracle::determinator(
        &old,
        &new,
        &oracle::changed_paths(&repo, "main", Some("HEAD")),
    );
    let run = support::cli::run(
        &repo.dir,
        &[
            "affected",
            "-q",
            "--offline",
            "--base",
            "main",
            "--head",
            "HEAD",
        ],
        &[],
    );
    assert_eq!(run.names(), theirs);
    assert_eq!(theirs, set(&["app", "rootpkg"]));
}

/// `model::package_files` against `cargo package --list` on one package with many files and
/// many pattern lists, in both modes: the matcher says what cargo packs.
#[test]
fn package_files_match_cargo_package_list_on_many_patterns() {
    use cargo_ccworkspace::model::package_files::PackageFiles;
    const FILES: &[&str] = &[
        "src/lib.rs",
        "src/a/b.rs",
        "src/a/b.txt",
        "assets/x.txt",
        "assets/deep/y.txt",
        "assets/deep/z.png",
        "a/x/b",
        "a/x/y/b",
        "a/b",
        "tools/y.sh",
        "tools/sub/y.sh",
        "foo",
        "bar/foo/baz.rs",
        "docs/guide.md",
        "docs/img/one.png",
        "file1.txt",
        "fileX.txt",
        "notes.bak",
        "keep.bak",
        "#hash",
        "LICENSE-MIT",
    ];
    let lists: &[&[&str]] = &[
        &["assets/"],
        &["/assets"],
        &["*.txt"],
        &["/*.txt"],
        &["**/deep"],
        &["assets/**"],
        &["assets/**/*.png"],
        &["a/**/b"],
        &["foo"],
        &["foo/"],
        &["/tools/*.sh"],
        &["tools/**/y.sh", "!tools/sub/y.sh"],
        &["*.bak", "!keep.bak"],
        &["file?.txt"],
        &["file[0-9].txt"],
        &["docs", "!docs/guide.md"],
        &["docs/", "!docs/guide.md"],
        &["\\#hash"],
        &["src/a/*.txt", "# a comment", ""],
        &["LICENSE*", "src/**"],
    ];
    let dir = tempfile::tempdir().unwrap();
    let repo = Repo::init(dir.path());
    for f in FILES {
        repo.write(f, "x\n");
    }
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    repo.commit_all("files");
    let mut compared = 0;
    for list in lists {
        for key in ["exclude", "include"] {
            let quoted: Vec<String> = list.iter().map(|p| format!("{p:?}")).collect();
            let manifest = format!(
                "[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{key} = [{}]\n",
                quoted.join(", ")
            );
            repo.write("Cargo.toml", &manifest);
            let Ok(out) = support::generator::run_cargo(
                dir.path(),
                &["package", "--list", "--allow-dirty", "--offline", "-q"],
            ) else {
                // cargo refuses some include lists (no target left): nothing to compare.
                continue;
            };
            let listed: BTreeSet<&str> = out.lines().collect();
            let ours = PackageFiles::from_manifest(&manifest).unwrap();
            for f in FILES {
                assert_eq!(
                    ours.contains(f),
                    listed.contains(f),
                    "{f} with {key} = {list:?}: cargo lists {listed:?}"
                );
            }
            compared += 1;
        }
    }
    assert!(
        compared >= lists.len(),
        "cargo refused too many lists: {compared}"
    );
}
