//! Bad input through the binary (issue 7): every case either gives the right answer or exits 2
//! with a message that names the file (and line, for TOML), what is wrong and what to do.
//!
//! Cases already covered elsewhere are not repeated here: an unknown `--base`, a shallow
//! clone, not a git repository, a broken member manifest and an unreachable git dependency for
//! `affected`, a crate moved between domains and `--files-from` with CRLF, blank lines and
//! absolute paths inside the workspace (`tests/affected.rs`); a member TOML syntax error and a
//! read-only manifest for `lint-deps` (`tests/lint_deps.rs`); a member `--manifest-path` for
//! `dockerfile` (`tests/dockerfile.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use support::cli::{Run, run};
use support::git::Repo;

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// Writes `files` (relative path, contents) under `root`.
fn write_tree(root: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
    }
}

/// A `[package]` manifest for `name` with `extra` appended.
fn package(name: &str, extra: &str) -> String {
    format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{extra}")
}

/// A small path-only workspace: `app` (bin) depends on `core` (lib); `core` dev-depends on
/// `testkit`, which depends on `core` (a cycle through a dev-dependency, as cargo allows).
fn small_workspace(root: &Path) {
    write_tree(
        root,
        &[
            (
                "Cargo.toml",
                "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\"]\n\n\
                 [workspace.dependencies]\ncore = { path = \"crates/core\" }\n\
                 testkit = { path = \"crates/testkit\" }\n",
            ),
            (
                "crates/core/Cargo.toml",
                &package("core", "\n[dev-dependencies]\ntestkit.workspace = true\n"),
            ),
            ("crates/core/src/lib.rs", "pub fn core() {}\n"),
            (
                "crates/testkit/Cargo.toml",
                &package("testkit", "\n[dependencies]\ncore.workspace = true\n"),
            ),
            ("crates/testkit/src/lib.rs", "pub fn kit() {}\n"),
            (
                "crates/app/Cargo.toml",
                &package("app", "\n[dependencies]\ncore.workspace = true\n"),
            ),
            ("crates/app/src/main.rs", "fn main() {}\n"),
        ],
    );
}

/// [`small_workspace`] in a git repository on `main` (with a lockfile), `work` checked out.
fn small_repo() -> (tempfile::TempDir, Repo) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("repo");
    small_workspace(&dir);
    generate_lockfile(&dir);
    let repo = Repo::init(&dir);
    repo.commit_all("small");
    repo.git(&["checkout", "-q", "-b", "work"]);
    (tmp, repo)
}

fn generate_lockfile(dir: &Path) {
    let out = std::process::Command::new(support::cargo())
        .args(["generate-lockfile", "--offline"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[expect(dead_code, reason = "used by the write-error tests, added next")]
/// Every file under `dir` (skipping `.git` and `target`) with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                if name != ".git" && name != "target" {
                    walk(root, &path, out);
                }
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Asserts exit 2, nothing on stdout, and that stderr holds every needle.
#[track_caller]
fn fails_with(run: &Run, needles: &[&str]) {
    assert_eq!(
        run.code, 2,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(run.stdout.is_empty(), "stdout: {}", run.stdout);
    for needle in needles {
        assert!(
            run.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            run.stderr
        );
    }
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// Manifests.

#[test]
fn a_directory_not_inside_a_workspace() {
    let tmp = tempfile::tempdir().unwrap();
    for args in [
        &["affected", "--files", "a.rs"][..],
        &["lint-deps"][..],
        &["dockerfile", "--check"][..],
        &["new", "core/rust/x"][..],
    ] {
        let r = run(tmp.path(), args, &[]);
        fails_with(&r, &["Cargo.toml", "help:"]);
    }
}

#[test]
fn a_manifest_path_that_does_not_exist() {
    let tmp = tempfile::tempdir().unwrap();
    small_workspace(tmp.path());
    let missing = tmp.path().join("nope/Cargo.toml");
    let missing = missing.to_str().unwrap();
    for args in [
        &["affected", "--manifest-path", missing, "--files", "a.rs"][..],
        &["lint-deps", "--manifest-path", missing][..],
        &["dockerfile", "--manifest-path", missing, "--check"][..],
    ] {
        let r = run(tmp.path(), args, &[]);
        fails_with(&r, &["nope/Cargo.toml", "does not exist", "help:"]);
    }
}

#[test]
fn a_member_manifest_path_answers_for_the_whole_workspace() {
    let tmp = tempfile::tempdir().unwrap();
    small_workspace(tmp.path());
    let member = tmp.path().join("crates/app/Cargo.toml");
    let member = member.to_str().unwrap();
    let r = run(
        tmp.path(),
        &[
            "affected",
            "--manifest-path",
            member,
            "--files",
            "crates/core/src/lib.rs",
        ],
        &[],
    );
    assert_eq!(r.names(), set(&["app", "core", "testkit"]));
    let r = run(tmp.path(), &["lint-deps", "--manifest-path", member], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_registry_dependency_missing_from_the_cache_with_offline() {
    let tmp = tempfile::tempdir().unwrap();
    small_workspace(tmp.path());
    let manifest = tmp.path().join("crates/app/Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str("ccworkspace-surely-not-cached-zz = \"1\"\n");
    std::fs::write(&manifest, text).unwrap();
    let r = run(
        tmp.path(),
        &["--offline", "affected", "--files", "crates/app/src/main.rs"],
        &[],
    );
    fails_with(
        &r,
        &["ccworkspace-surely-not-cached-zz", "offline", "help:"],
    );
}

// ---------------------------------------------------------------------------------------------
// Git.

#[test]
fn git_not_installed() {
    let (tmp, repo) = small_repo();
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink(
        std::fs::canonicalize(support::cargo()).unwrap_or(support::cargo()),
        bin.join("cargo"),
    )
    .unwrap();
    let cargo = bin.join("cargo");
    let r = run(
        &repo.dir,
        &["affected", "--base", "main"],
        &[
            ("PATH", bin.to_str().unwrap()),
            ("CARGO", cargo.to_str().unwrap()),
        ],
    );
    fails_with(&r, &["git is not installed", "--files"]);
}

#[test]
fn a_detached_head_is_legitimate() {
    let (_t, repo) = small_repo();
    repo.append("crates/app/src/main.rs", "// edit\n");
    let commit = repo.commit_all("edit app");
    repo.git(&["checkout", "-q", "--detach", &commit]);
    let r = run(&repo.dir, &["affected", "--base", "main"], &[]);
    assert_eq!(r.names(), set(&["app"]));
}

#[test]
fn a_repository_with_no_commits() {
    let tmp = tempfile::tempdir().unwrap();
    small_workspace(tmp.path());
    Repo::init(tmp.path());
    let r = run(tmp.path(), &["affected", "--base", "main"], &[]);
    fails_with(&r, &["no commits", "help:"]);
}

#[test]
fn a_base_that_is_not_an_ancestor() {
    let (_t, repo) = small_repo();
    repo.git(&["checkout", "-q", "--orphan", "unrelated"]);
    repo.append("crates/app/src/main.rs", "// edit\n");
    repo.commit_all("unrelated history");
    let r = run(&repo.dir, &["affected", "--base", "main"], &[]);
    fails_with(&r, &["main", "no common ancestor", "help:"]);
}

#[test]
fn paths_with_spaces_non_ascii_and_non_utf8_bytes() {
    use std::os::unix::ffi::OsStrExt;
    let (_t, repo) = small_repo();
    repo.write("crates/app/src/with space.rs", "// x\n");
    repo.write("crates/core/src/ünïcødé.rs", "// x\n");
    let raw = std::ffi::OsStr::from_bytes(b"crates/testkit/src/bad-\xff\xfe.rs");
    std::fs::write(repo.dir.join(raw), "// x\n").unwrap();
    let expected = set(&["app", "core", "testkit"]);
    // Untracked, then committed.
    let r = run(
        &repo.dir,
        &[
            "affected",
            "--base",
            "main",
            "--direct",
            "--include-untracked",
        ],
        &[],
    );
    assert_eq!(r.names(), expected);
    repo.commit_all("odd names");
    let r = run(&repo.dir, &["affected", "--base", "main", "--direct"], &[]);
    assert_eq!(r.names(), expected);
}

// ---------------------------------------------------------------------------------------------
// Workspace shapes.

#[test]
fn a_dependency_cycle_through_dev_dependencies_is_legitimate() {
    let tmp = tempfile::tempdir().unwrap();
    small_workspace(tmp.path());
    // testkit -> core (normal), core -> testkit (dev): a change to core reaches both and app.
    let r = run(
        tmp.path(),
        &["affected", "--files", "crates/core/src/lib.rs"],
        &[],
    );
    assert_eq!(r.names(), set(&["app", "core", "testkit"]));
    // testkit reaches core (its dev-dependent) but not core's dependents.
    let r = run(
        tmp.path(),
        &["affected", "--files", "crates/testkit/src/lib.rs"],
        &[],
    );
    assert_eq!(r.names(), set(&["core", "testkit"]));
    let r = run(tmp.path(), &["lint-deps"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(tmp.path(), &["dockerfile", "--check"], &[]);
    assert_ne!(r.code, 2, "{}", r.stderr);
}

#[test]
fn a_workspace_with_one_member() {
    let tmp = tempfile::tempdir().unwrap();
    write_tree(
        tmp.path(),
        &[
            (
                "Cargo.toml",
                "[workspace]\nresolver = \"2\"\nmembers = [\"only\"]\n",
            ),
            ("only/Cargo.toml", &package("only", "")),
            ("only/src/main.rs", "fn main() {}\n"),
        ],
    );
    let r = run(
        tmp.path(),
        &["affected", "--files", "only/src/main.rs"],
        &[],
    );
    assert_eq!(r.names(), set(&["only"]));
    let r = run(tmp.path(), &["lint-deps"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(tmp.path(), &["dockerfile"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(tmp.path().join("only/Dockerfile").is_file());
}

// ---------------------------------------------------------------------------------------------
// --files-from.

#[test]
fn files_from_with_a_nul_separated_list_and_paths_outside_the_workspace() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("ws");
    small_workspace(&root);
    let outside = tmp.path().join("other/src/lib.rs");
    write_tree(tmp.path(), &[("other/src/lib.rs", "// x\n")]);
    let list = format!(
        "crates/app/src/main.rs\0{}\0/etc/hosts\0crates/testkit/src/lib.rs\0",
        outside.display()
    );
    std::fs::write(root.join("changed.z"), list).unwrap();
    let r = run(
        &root,
        &["affected", "--direct", "--files-from", "changed.z"],
        &[],
    );
    assert_eq!(r.names(), set(&["app", "testkit"]));
    // Only paths outside the workspace: nothing affected, and that is an answer.
    std::fs::write(
        root.join("outside.txt"),
        format!("{}\n/etc/hosts\n", outside.display()),
    )
    .unwrap();
    let r = run(&root, &["affected", "--files-from", "outside.txt"], &[]);
    assert_eq!(r.names(), set(&[]));
}

// ---------------------------------------------------------------------------------------------
// Write errors: every file keeps its old content or gets its new one, exit 2.
