//! Bad input through the binary (issue 7): every case either gives the right answer or exits 2
//! with a message that names the file (and line, for TOML), what is wrong and what to do.
//!
//! Cases already covered elsewhere are not repeated here: an unknown `--base`, a shallow
//! clone, not a git repository, a broken member manifest and an unreachable git dependency for
//! `affected`, a crate moved between domains and `--files-from` with CRLF, blank lines and
//! absolute paths inside the workspace (`tests/affected.rs`); a member TOML syntax error and a
//! read-only manifest for `lint-deps` (`tests/lint_deps.rs`); a member `--manifest-path` for
//! `dockerfile` (`tests/dockerfile.rs`).
//!
//! The read-only tests skip themselves when run as root (root writes anyway), and the full-disk
//! tests when the user may not mount a tmpfs; the directory-in-the-way and killed-process tests
//! run everywhere.

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
    support::generator::run_cargo(dir, &["generate-lockfile", "--offline"]).unwrap();
}

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
fn a_root_toml_syntax_error_names_the_file_and_line_for_every_command() {
    let tmp = tempfile::tempdir().unwrap();
    small_workspace(tmp.path());
    Repo::open(tmp.path()).replace("Cargo.toml", "resolver = \"2\"", "resolver = \"2");
    // cargo's own wording for affected, ours for the commands that read manifests directly.
    let r = run(
        tmp.path(),
        &["affected", "--files", "crates/app/src/main.rs"],
        &[],
    );
    fails_with(&r, &["Cargo.toml:2:", "help:"]);
    for args in [&["lint-deps"][..], &["dockerfile", "--check"][..]] {
        let r = run(tmp.path(), args, &[]);
        fails_with(
            &r,
            &["Cargo.toml:2:", "invalid TOML", "help: fix the syntax"],
        );
    }
}

#[test]
fn a_member_manifest_that_is_toml_but_not_a_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    small_workspace(tmp.path());
    // `name` must be a string.
    std::fs::write(
        tmp.path().join("crates/app/Cargo.toml"),
        "[package]\nname = 5\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    let r = run(
        tmp.path(),
        &["affected", "--files", "crates/app/src/main.rs"],
        &[],
    );
    fails_with(&r, &["crates/app/Cargo.toml", "name", "help:"]);
    let r = run(tmp.path(), &["lint-deps"], &[]);
    fails_with(
        &r,
        &[
            "crates/app/Cargo.toml:2:8",
            "`package.name` must be a string",
            "help:",
        ],
    );
    let r = run(tmp.path(), &["dockerfile", "--check"], &[]);
    fails_with(
        &r,
        &[
            "crates/app/Cargo.toml:2:8: `package.name` must be a string, not `5`",
            "help:",
        ],
    );
    // A dependency table that is not a table.
    std::fs::write(
        tmp.path().join("crates/app/Cargo.toml"),
        format!("dependencies = \"core\"\n{}", package("app", "")),
    )
    .unwrap();
    let r = run(tmp.path(), &["lint-deps"], &[]);
    fails_with(
        &r,
        &[
            "crates/app/Cargo.toml:1:",
            "`dependencies` must be a table",
            "help:",
        ],
    );
}

#[test]
fn an_optional_workspace_dependency_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    small_workspace(tmp.path());
    Repo::open(tmp.path()).replace(
        "Cargo.toml",
        "core = { path = \"crates/core\" }",
        "core = { path = \"crates/core\", optional = true }",
    );
    let r = run(
        tmp.path(),
        &["affected", "--files", "crates/app/src/main.rs"],
        &[],
    );
    fails_with(&r, &["Cargo.toml", "optional", "help:"]);
    let r = run(tmp.path(), &["lint-deps"], &[]);
    fails_with(
        &r,
        &[
            "Cargo.toml:6:",
            "`workspace.dependencies.core` sets `optional`",
            "help: remove `optional`",
        ],
    );
}

#[test]
fn a_member_glob_that_matches_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    small_workspace(tmp.path());
    Repo::open(tmp.path()).replace(
        "Cargo.toml",
        "[\"crates/*\"]",
        "[\"crates/*\", \"nowhere/*\"]",
    );
    // cargo rejects it, so `affected` (which asks cargo) cannot answer; the help names the glob.
    let r = run(
        tmp.path(),
        &["affected", "--files", "crates/app/src/main.rs"],
        &[],
    );
    fails_with(
        &r,
        &[
            "nowhere/*",
            "help: the `members` glob",
            "matches no directory",
        ],
    );
    // lint-deps and dockerfile read the manifests themselves and refuse it as cargo does
    // (`init` keeps each domain's glob matching with a `rust/.gitkeep`).
    for args in [&["lint-deps"][..], &["dockerfile", "--check"]] {
        let r = run(tmp.path(), args, &[]);
        fails_with(
            &r,
            &["Cargo.toml:", "`nowhere/*` matches no directory", "help:"],
        );
    }
    std::fs::create_dir_all(tmp.path().join("nowhere")).unwrap();
    std::fs::write(tmp.path().join("nowhere/.gitkeep"), "").unwrap();
    assert_eq!(run(tmp.path(), &["lint-deps"], &[]).code, 0);
}

#[test]
fn a_member_without_sources() {
    let tmp = tempfile::tempdir().unwrap();
    small_workspace(tmp.path());
    std::fs::remove_file(tmp.path().join("crates/app/src/main.rs")).unwrap();
    let r = run(
        tmp.path(),
        &["affected", "--files", "crates/core/src/lib.rs"],
        &[],
    );
    fails_with(&r, &["crates/app/Cargo.toml", "target", "help:"]);
    let r = run(tmp.path(), &["dockerfile", "--check"], &[]);
    fails_with(
        &r,
        &[
            "crates/app/Cargo.toml: the package has no targets",
            "help: add crates/app/src/lib.rs or crates/app/src/main.rs",
        ],
    );
}

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
    // With git too, from outside the repository.
    let (t, repo) = small_repo();
    repo.append("crates/core/src/lib.rs", "// edit\n");
    let member = repo.path("crates/app/Cargo.toml");
    let r = run(
        t.path(),
        &[
            "affected",
            "--manifest-path",
            member.to_str().unwrap(),
            "--base",
            "main",
        ],
        &[],
    );
    assert_eq!(r.names(), set(&["app", "core", "testkit"]));
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

#[test]
fn a_workspace_with_no_members() {
    let tmp = tempfile::tempdir().unwrap();
    write_tree(
        tmp.path(),
        &[(
            "Cargo.toml",
            "[workspace]\nresolver = \"2\"\nmembers = []\n",
        )],
    );
    // cargo refuses a virtual manifest without members, so `affected` cannot answer.
    let r = run(tmp.path(), &["affected", "--files", "src/lib.rs"], &[]);
    fails_with(&r, &["Cargo.toml", "no members", "help: add a member"]);
    // The manifest-only commands have nothing to check or generate (`init` writes this shape).
    let r = run(tmp.path(), &["lint-deps"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(tmp.path(), &["dockerfile", "--check"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_symlinked_member_directory_is_a_member_as_cargo_sees_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("ws");
    small_workspace(&root);
    // The crate's real directory is outside the workspace; `crates/app` links to it.
    let real = tmp.path().join("elsewhere/app");
    std::fs::create_dir_all(real.parent().unwrap()).unwrap();
    std::fs::rename(root.join("crates/app"), &real).unwrap();
    std::os::unix::fs::symlink(&real, root.join("crates/app")).unwrap();
    let r = run(
        &root,
        &["affected", "--files", "crates/core/src/lib.rs"],
        &[],
    );
    assert_eq!(r.names(), set(&["app", "core", "testkit"]));
    let r = run(
        &root,
        &["affected", "--files", "crates/app/src/main.rs"],
        &[],
    );
    assert_eq!(r.names(), set(&["app"]));
    let r = run(&root, &["lint-deps"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // lint-deps reads the linked member: a violation planted there is found.
    let manifest = real.join("Cargo.toml");
    let clean = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        format!("{clean}\n[dev-dependencies]\nanyhow = \"1\"\n"),
    )
    .unwrap();
    let r = run(&root, &["lint-deps", "--format", "json"], &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("not-inherited") && r.stdout.contains("crates/app/Cargo.toml"),
        "{}",
        r.stdout
    );
    std::fs::write(&manifest, clean).unwrap();
    // dockerfile sees it too, but BuildKit sends the link as a link and its target, outside
    // the root, can be in no build context (issue 13, item 1): the image is refused with the
    // link's name (exit 2), and nothing is written through the link.
    let r = run(&root, &["dockerfile"], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("`crates/app` is a link to")
            && r.stderr.contains("outside the workspace root"),
        "{}",
        r.stderr
    );
    assert!(!real.join("Dockerfile").exists());
}

#[test]
fn a_member_directory_that_is_a_symlink_loop_is_not_a_member() {
    let tmp = tempfile::tempdir().unwrap();
    small_workspace(tmp.path());
    // `crates/*` matches both links, but neither holds a Cargo.toml: cargo skips them.
    std::os::unix::fs::symlink("loop_b", tmp.path().join("crates/loop_a")).unwrap();
    std::os::unix::fs::symlink("loop_a", tmp.path().join("crates/loop_b")).unwrap();
    let r = run(
        tmp.path(),
        &["affected", "--files", "crates/app/src/main.rs"],
        &[],
    );
    assert_eq!(r.names(), set(&["app"]));
    let r = run(tmp.path(), &["lint-deps"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(tmp.path(), &["dockerfile"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(tmp.path(), &["dockerfile", "--check"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // A link back to an ancestor: cargo sees the root twice and refuses, and so does every
    // command (without following the link forever).
    std::os::unix::fs::symlink("..", tmp.path().join("crates/up")).unwrap();
    for args in [
        &["affected", "--files", "crates/app/src/main.rs"][..],
        &["dockerfile", "--check"],
        &["lint-deps"],
    ] {
        let r = run(tmp.path(), args, &[]);
        fails_with(&r, &["multiple workspace roots", "crates/up", "help:"]);
    }
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

// ---------------------------------------------------------------------------------------------
// Write errors: every file keeps its old content or gets its new one, exit 2.

/// Makes `dir` read-only; `false` (and the test is skipped) when this user can write there
/// anyway (root).
fn make_read_only(dir: &Path) -> bool {
    let mut perms = std::fs::metadata(dir).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(dir, perms).unwrap();
    let probe = dir.join(".probe");
    if std::fs::write(&probe, "x").is_ok() {
        std::fs::remove_file(&probe).unwrap();
        make_writable(dir);
        eprintln!(
            "skipped: {} stays writable for this user (root)",
            dir.display()
        );
        return false;
    }
    true
}

#[expect(
    clippy::permissions_set_readonly_false,
    reason = "undoing make_read_only in a test"
)]
fn make_writable(dir: &Path) {
    let mut perms = std::fs::metadata(dir).unwrap().permissions();
    perms.set_readonly(false);
    std::fs::set_permissions(dir, perms).unwrap();
}

#[test]
fn dockerfile_with_a_directory_in_the_way_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    small_workspace(tmp.path());
    // The second of the two files cannot be written (a write error that root cannot bypass):
    // it is found before anything is written.
    std::fs::create_dir(tmp.path().join("crates/app/Dockerfile.dockerignore")).unwrap();
    let before = tree(tmp.path());
    let r = run(tmp.path(), &["dockerfile"], &[]);
    fails_with(
        &r,
        &[
            "crates/app/Dockerfile.dockerignore",
            "Is a directory",
            "help:",
        ],
    );
    assert_eq!(tree(tmp.path()), before);
}

#[test]
fn dockerfile_into_a_read_only_crate_directory_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    small_workspace(tmp.path());
    let app = tmp.path().join("crates/app");
    let before = tree(tmp.path());
    if !make_read_only(&app) {
        return;
    }
    let r = run(tmp.path(), &["dockerfile"], &[]);
    make_writable(&app);
    fails_with(&r, &["crates/app", "nothing was written", "help:"]);
    assert_eq!(tree(tmp.path()), before);
}

#[test]
fn lint_fix_in_a_read_only_directory_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    small_workspace(tmp.path());
    // Two fixable findings in two members; one member's directory is read-only.
    for member in ["app", "testkit"] {
        Repo::open(tmp.path()).replace(
            &format!("crates/{member}/Cargo.toml"),
            "core.workspace = true",
            "core = { path = \"../core\" }",
        );
    }
    let before = tree(tmp.path());
    let testkit = tmp.path().join("crates/testkit");
    if !make_read_only(&testkit) {
        return;
    }
    let r = run(tmp.path(), &["lint-deps", "--fix"], &[]);
    make_writable(&testkit);
    fails_with(&r, &["crates/testkit", "nothing was written", "help:"]);
    assert_eq!(tree(tmp.path()), before);
}

/// A tiny tmpfs mounted on a temporary directory, unmounted on drop; `None` (and the test is
/// skipped) when this user may not mount.
struct TinyDisk {
    dir: tempfile::TempDir,
}

impl TinyDisk {
    fn mount() -> Option<TinyDisk> {
        let dir = tempfile::tempdir().unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=512k", "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("skipped: cannot mount a tmpfs here (needs root)");
            return None;
        }
        Some(TinyDisk { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Fills the disk to the last byte with `<root>/filler`.
    fn fill(&self) {
        use std::io::Write;
        let mut f = std::fs::File::create(self.path().join("filler")).unwrap();
        let chunk = vec![0u8; 4096];
        while f.write_all(&chunk).is_ok() {}
        while f.write_all(&[0u8]).is_ok() {}
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.dir.path())
            .status();
    }
}

#[test]
fn a_full_disk_means_dockerfile_writes_nothing() {
    let Some(disk) = TinyDisk::mount() else {
        return;
    };
    let root = disk.path().join("ws");
    small_workspace(&root);
    disk.fill();
    let before = tree(&root);
    let r = run(&root, &["dockerfile"], &[]);
    fails_with(
        &r,
        &[
            "crates/app/Dockerfile",
            "nothing was written",
            "disk is not full",
        ],
    );
    assert_eq!(tree(&root), before);
}

#[test]
fn a_full_disk_means_lint_fix_writes_nothing() {
    let Some(disk) = TinyDisk::mount() else {
        return;
    };
    let root = disk.path().join("ws");
    small_workspace(&root);
    for member in ["app", "testkit"] {
        Repo::open(&root).replace(
            &format!("crates/{member}/Cargo.toml"),
            "core.workspace = true",
            "core = { path = \"../core\" }",
        );
    }
    disk.fill();
    let before = tree(&root);
    let r = run(&root, &["lint-deps", "--fix"], &[]);
    fails_with(
        &r,
        &["Cargo.toml", "nothing was written", "disk is not full"],
    );
    assert_eq!(tree(&root), before);
}

/// A workspace of `n` members, each with one fixable finding (a path dependency on `core`
/// instead of `core.workspace = true`).
fn fixable_workspace(root: &Path, n: usize) {
    let mut files: Vec<(String, String)> = vec![
        (
            "Cargo.toml".into(),
            "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\"]\n\n\
             [workspace.dependencies]\ncore = { path = \"crates/core\" }\n"
                .into(),
        ),
        ("crates/core/Cargo.toml".into(), package("core", "")),
        ("crates/core/src/lib.rs".into(), String::new()),
    ];
    for i in 0..n {
        files.push((
            format!("crates/m{i:03}/Cargo.toml"),
            package(
                &format!("m{i:03}"),
                "\n# keep me\n[dependencies]\ncore = { path = \"../core\" }\n",
            ),
        ));
        files.push((format!("crates/m{i:03}/src/lib.rs"), String::new()));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    write_tree(root, &refs);
}

#[test]
fn a_lint_fix_killed_midway_leaves_every_manifest_old_or_new() {
    let tmp = tempfile::tempdir().unwrap();
    let pristine = tmp.path().join("pristine");
    fixable_workspace(&pristine, 150);
    let old = tree(&pristine);
    // The fully fixed contents, from an uninterrupted run on a copy.
    let fixed_dir = tmp.path().join("fixed");
    support::git::copy_dir(&pristine, &fixed_dir);
    let started = std::time::Instant::now();
    let r = run(&fixed_dir, &["lint-deps", "--fix"], &[]);
    let full_run = started.elapsed();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let new = tree(&fixed_dir);
    assert_ne!(old, new);

    // Kill it at fractions of an uninterrupted run's time: while reading, while staging the
    // temporary files, and (with luck) while renaming them into place.
    let percents = [0u32, 20, 40, 60, 70, 80, 85, 90, 95, 100];
    for (round, percent) in percents.into_iter().enumerate() {
        let delay = full_run * percent / 100;
        let dir = tmp.path().join(format!("killed{round}"));
        support::git::copy_dir(&pristine, &dir);
        let mut child = std::process::Command::new(support::bin())
            .args(["lint-deps", "--fix", "-q"])
            .current_dir(&dir)
            .env("CARGO", support::cargo())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        let after = tree(&dir);
        for (path, bytes) in after {
            if path.contains(".ccworkspace-") {
                // A staged temporary file the killed process could not clean up.
                continue;
            }
            assert!(
                old.get(&path) == Some(&bytes) || new.get(&path) == Some(&bytes),
                "after a kill at {delay:?}, {path} is neither old nor new:\n{}",
                String::from_utf8_lossy(&bytes)
            );
        }
    }
}
