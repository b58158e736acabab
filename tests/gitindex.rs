//! Reading git's index in-process (`src/gitindex.rs`) gives what `git ls-files` gives, in every
//! index version and from a subdirectory, and leaves the layouts it does not read to git.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;

use cargo_ccworkspace::{git, gitindex};
use support::git::Repo;

/// `git ls-files -z` in `dir`, as paths.
fn ls_files(dir: &Path) -> Vec<String> {
    Repo::open(dir)
        .git(&["ls-files", "-z"])
        .split('\0')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// The in-process answer; `None` when it leaves the index to git.
fn read_index(dir: &Path) -> Option<Vec<String>> {
    gitindex::paths_under(dir).map(|paths| {
        paths
            .into_iter()
            .map(|p| String::from_utf8(p).expect("test paths are UTF-8"))
            .collect()
    })
}

/// Whether the test runs with git's location variables set (inside a git hook, say): then the
/// reader leaves everything to git, as it should, and only the fallback can be checked.
fn git_env_set() -> bool {
    gitindex::LOCATION_VARS
        .iter()
        .any(|v| std::env::var_os(v).is_some())
}

fn repo_with_files(dir: &Path) -> Repo {
    let repo = Repo::init(dir);
    for (path, text) in [
        ("Cargo.toml", "[workspace]\n"),
        ("a/Cargo.toml", "[package]\n"),
        ("a/src/lib.rs", ""),
        ("b/deep/er/Cargo.toml", "[package]\n"),
        ("b/deep/er/pyproject.toml", ""),
        ("c d/with space/Cargo.toml", "[package]\n"),
        ("unicodé/Cargo.toml", "[package]\n"),
        (
            "a/very/long/path/that/goes/on/and/on/for/a/while/so/the/prefix/compression/of/version/four/has/something/to/share/Cargo.toml",
            "",
        ),
        (
            "a/very/long/path/that/goes/on/and/on/for/a/while/so/the/prefix/compression/of/version/four/has/something/to/share/README.md",
            "",
        ),
    ] {
        repo.write(path, text);
    }
    repo.commit_all("init");
    repo.write("staged/Cargo.toml", "[package]\n");
    repo.git(&["add", "staged/Cargo.toml"]);
    repo.write("untracked/Cargo.toml", "[package]\n");
    // Intent-to-add and skip-worktree entries carry extended flags (an index of version 3).
    repo.write("intent/Cargo.toml", "[package]\n");
    repo.git(&["add", "-N", "intent/Cargo.toml"]);
    repo.git(&["update-index", "--skip-worktree", "a/src/lib.rs"]);
    repo
}

#[test]
fn every_index_version_reads_as_git_ls_files_lists_it() {
    if git_env_set() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let repo = repo_with_files(tmp.path());
    for version in ["2", "3", "4"] {
        repo.git(&["update-index", "--index-version", version]);
        let expected = ls_files(&repo.dir);
        assert!(expected.contains(&"intent/Cargo.toml".to_string()));
        assert!(!expected.contains(&"untracked/Cargo.toml".to_string()));
        assert_eq!(
            read_index(&repo.dir).as_ref(),
            Some(&expected),
            "index version {version}"
        );
        // From a subdirectory, paths are relative to it and only what is under it.
        let sub = repo.dir.join("b");
        let expected = ls_files(&sub);
        assert_eq!(expected, ["deep/er/Cargo.toml", "deep/er/pyproject.toml"]);
        assert_eq!(read_index(&sub), Some(expected), "index version {version}");
        // And the manifests lint-deps takes from it are git's.
        assert_eq!(
            git::tracked_manifest_dirs(&repo.dir),
            Some(
                [
                    "",
                    "a",
                    "a/very/long/path/that/goes/on/and/on/for/a/while/so/the/prefix/compression/of/version/four/has/something/to/share",
                    "b/deep/er",
                    "c d/with space",
                    "intent",
                    "staged",
                    "unicodé",
                ]
                .map(String::from)
                .to_vec()
            )
        );
    }
}

#[test]
fn layouts_it_does_not_read_are_left_to_git() {
    let tmp = tempfile::tempdir().unwrap();
    let main = tmp.path().join("main");
    let repo = repo_with_files(&main);
    let expected = git::ls_files_manifests(&repo.dir).unwrap();
    let as_dirs = |paths: Vec<Vec<u8>>| -> Vec<String> {
        paths
            .into_iter()
            .map(|p| String::from_utf8(p).unwrap())
            .map(|p| {
                p.trim_end_matches("Cargo.toml")
                    .trim_end_matches('/')
                    .to_string()
            })
            .collect()
    };

    // A split index keeps most entries in a shared file.
    repo.git(&["update-index", "--split-index"]);
    assert_eq!(read_index(&repo.dir), None);
    assert_eq!(
        git::tracked_manifest_dirs(&repo.dir),
        Some(as_dirs(expected.clone()))
    );
    repo.git(&["update-index", "--no-split-index"]);
    if !git_env_set() {
        assert!(read_index(&repo.dir).is_some());
    }

    // A config that includes another file might set anything there.
    repo.git(&["config", "include.path", "extra.config"]);
    assert_eq!(read_index(&repo.dir), None);
    assert_eq!(
        git::tracked_manifest_dirs(&repo.dir),
        Some(as_dirs(expected.clone()))
    );
    repo.git(&["config", "--unset", "include.path"]);

    // A linked worktree has a `.git` file, not a directory.
    let linked = tmp.path().join("linked");
    repo.git(&[
        "worktree",
        "add",
        "-q",
        "--detach",
        linked.to_str().unwrap(),
    ]);
    assert_eq!(read_index(&linked), None);
    let committed: Vec<String> = as_dirs(git::ls_files_manifests(&linked).unwrap());
    assert!(committed.contains(&"a".to_string()));
    assert!(!committed.contains(&"staged".to_string()));
    assert_eq!(git::tracked_manifest_dirs(&linked), Some(committed));

    // Outside any repository neither answers.
    let outside = tempfile::tempdir().unwrap();
    assert_eq!(read_index(outside.path()), None);
    assert_eq!(git::tracked_manifest_dirs(outside.path()), None);
}
