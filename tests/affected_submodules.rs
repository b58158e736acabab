//! Crates inside a git submodule. The superproject's git sees a submodule only as its gitlink
//! (`vendor/sub`, mode 160000): a bump, an addition or a removal is that one path. `affected`
//! maps it to every package inside it (and their dependents); guppy's determinator maps a
//! path to its nearest ancestor member, finds none for `vendor/sub`, and marks everything.
//! So ours is checked to be a subset of determinator's answer that holds the submodule's
//! crates and their dependents (`docs/affected.md`, "where we differ").

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use guppy::graph::PackageGraph;
use support::git::Repo;
use support::oracle;

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// Where the submodule's crate sits in the superproject's workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// `vendored` is a path dependency of `app`, excluded from the members.
    PathDependency,
    /// `vendored` is a member (`members` names it).
    Member,
}

const VENDORED: &str = "[package]\nname = \"vendored\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";

/// A repository to be used as a submodule: the crate `vendored` in `crate/`, and a file.
fn upstream(dir: &Path) -> Repo {
    let repo = Repo::init(dir);
    repo.write("crate/Cargo.toml", VENDORED);
    repo.write("crate/src/lib.rs", "pub fn v() {}\n");
    repo.write("NOTES.md", "upstream\n");
    repo.commit_all("upstream");
    repo
}

fn git_submodule(repo: &Repo, args: &[&str]) {
    let mut all = vec!["-c", "protocol.file.allow=always", "submodule"];
    all.extend(args);
    repo.git(&all);
}

/// The root manifest: members `app` (uses the submodule's crate when `with_sub`), `tool`
/// (uses `app`) and `other` (uses nothing).
fn root_manifest(layout: Layout, with_sub: bool, unmatched: Option<&str>) -> String {
    let members = match (layout, with_sub) {
        (Layout::Member, true) => "members = [\"app\", \"other\", \"tool\", \"vendor/sub/crate\"]",
        (Layout::PathDependency, _) => {
            "members = [\"app\", \"other\", \"tool\"]\nexclude = [\"vendor\"]"
        }
        (Layout::Member, false) => "members = [\"app\", \"other\", \"tool\"]",
    };
    let mut text = format!("[workspace]\nresolver = \"2\"\n{members}\n");
    if let Some(u) = unmatched {
        text.push_str(&format!(
            "\n[workspace.metadata.ccworkspace.affected]\nunmatched = \"{u}\"\n"
        ));
    }
    text
}

fn app_manifest(with_sub: bool) -> String {
    let mut text =
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n"
            .to_string();
    if with_sub {
        text.push_str("vendored = { path = \"../vendor/sub/crate\" }\n");
    }
    text
}

/// The superproject at `tmp/super`, on branch `work` forked from `main`; `main` has the
/// submodule at `vendor/sub` when `with_sub`.
fn superproject(tmp: &Path, layout: Layout, with_sub: bool, unmatched: Option<&str>) -> Repo {
    let up = upstream(&tmp.join("upstream"));
    let repo = Repo::init(&tmp.join("super"));
    repo.write("Cargo.toml", &root_manifest(layout, with_sub, unmatched));
    repo.write("app/Cargo.toml", &app_manifest(with_sub));
    repo.write("app/src/lib.rs", "");
    repo.write(
        "tool/Cargo.toml",
        "[package]\nname = \"tool\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\napp = { path = \"../app\" }\n",
    );
    repo.write("tool/src/lib.rs", "");
    repo.write(
        "other/Cargo.toml",
        "[package]\nname = \"other\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    repo.write("other/src/lib.rs", "");
    if with_sub {
        git_submodule(
            &repo,
            &["add", "-q", up.dir.to_str().unwrap(), "vendor/sub"],
        );
    }
    support::generator::run_cargo(&repo.dir, &["generate-lockfile", "--offline"]).unwrap();
    repo.commit_all("base");
    repo.git(&["checkout", "-q", "-b", "work"]);
    repo
}

/// Adds the submodule (as `superproject` does for `main`) and makes `app` use it.
fn add_submodule(tmp: &Path, repo: &Repo, layout: Layout, unmatched: Option<&str>) {
    let up = upstream(&tmp.join("upstream"));
    git_submodule(repo, &["add", "-q", up.dir.to_str().unwrap(), "vendor/sub"]);
    repo.write("Cargo.toml", &root_manifest(layout, true, unmatched));
    repo.write("app/Cargo.toml", &app_manifest(true));
    support::generator::run_cargo(&repo.dir, &["generate-lockfile", "--offline"]).unwrap();
}

/// The submodule's checkout, with an identity to commit as.
fn checkout(repo: &Repo) -> Repo {
    let sub = Repo::open(&repo.path("vendor/sub"));
    sub.git(&["config", "user.name", "ccworkspace tests"]);
    sub.git(&["config", "user.email", "tests@ccworkspace.invalid"]);
    sub.git(&["config", "commit.gpgsign", "false"]);
    sub
}

/// A new commit in the submodule's checkout that edits the crate's source.
fn bump(repo: &Repo) {
    let sub = checkout(repo);
    sub.append("crate/src/lib.rs", "// bumped\n");
    sub.commit_all("bump");
}

/// The graph at `rev`, from a worktree with its submodules checked out (determinator needs
/// the crates inside them).
fn graph_at(repo: &Repo, rev: &str, scratch: &Path) -> PackageGraph {
    let dir = scratch.join(format!("at-{rev}"));
    repo.git(&[
        "worktree",
        "add",
        "-q",
        "--detach",
        dir.to_str().unwrap(),
        rev,
    ]);
    git_submodule(&Repo::open(&dir), &["update", "--init", "-q"]);
    // git refuses to remove a worktree holding submodules: the temporary directory goes.
    oracle::metadata_graph(&dir, true)
}

/// determinator's answer for `main..HEAD`.
fn determinator(repo: &Repo) -> BTreeSet<String> {
    let scratch = tempfile::tempdir().unwrap();
    let old = graph_at(repo, "main", scratch.path());
    let new = oracle::metadata_graph(&repo.dir, true);
    oracle::determinator(
        &old,
        &new,
        &oracle::changed_paths(repo, "main", Some("HEAD")),
    )
}

fn affected(repo: &Repo, args: &[&str]) -> support::cli::Run {
    let mut all = vec!["affected", "-q", "--offline", "--base", "main"];
    all.extend(args);
    support::cli::run(&repo.dir, &all, &[])
}

/// Ours is a strict subset of determinator's "everything" and equals `want`.
fn narrower_than_determinator(repo: &Repo, want: &BTreeSet<String>) {
    let ours = affected(repo, &["--head", "HEAD"]).names();
    let theirs = determinator(repo);
    assert_eq!(&ours, want, "determinator: {theirs:?}");
    assert!(
        ours.is_subset(&theirs) && ours.len() < theirs.len(),
        "ours {ours:?} vs determinator {theirs:?}"
    );
}

#[test]
fn a_bumped_submodule_marks_the_crates_inside_it_and_their_dependents() {
    for (layout, unmatched) in [
        (Layout::PathDependency, None),
        (Layout::PathDependency, Some("ignore")),
        (Layout::Member, Some("ignore")),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let repo = superproject(tmp.path(), layout, true, unmatched);
        bump(&repo);
        repo.commit_all("bump the submodule");
        assert_eq!(
            oracle::changed_paths(&repo, "main", Some("HEAD")),
            vec![camino::Utf8PathBuf::from("vendor/sub")],
            "git reports the gitlink only"
        );
        // A path dependency outside the members is not listed, but it carries the change.
        let want = match layout {
            Layout::PathDependency => set(&["app", "tool"]),
            Layout::Member => set(&["app", "tool", "vendored"]),
        };
        narrower_than_determinator(&repo, &want);
        // A head other than the checkout is read from a temporary worktree, with the
        // submodule copied in at the commit that head records.
        repo.commit_all("later");
        let worktrees = repo.git(&["worktree", "list"]);
        assert_eq!(affected(&repo, &["--head", "HEAD~1"]).names(), want);
        assert_eq!(repo.git(&["worktree", "list"]), worktrees, "cleaned up");
        assert_eq!(
            checkout(&repo).git(&["status", "--porcelain"]),
            "",
            "untouched"
        );
        repo.git(&["reset", "-q", "--hard", "HEAD~1"]);

        let explain = affected(&repo, &["--head", "HEAD", "--explain", "tool"]);
        assert_eq!(explain.code, 0, "{}", explain.stderr);
        assert!(
            explain
                .stdout
                .contains("tool is affected: vendor/sub changed"),
            "{layout:?}: {}",
            explain.stdout
        );
        let json = affected(&repo, &["--head", "HEAD", "--format", "json"]).json();
        let file = &json["changed_files"][0];
        assert_eq!(file["path"], "vendor/sub");
        assert_eq!(file["effect"], "crate", "{file}");
        assert_eq!(file["submodule"], true, "{file}");
        assert_eq!(
            file["note"],
            "vendor/sub is a git submodule: the packages inside it changed"
        );
        assert_eq!(json["all"], serde_json::Value::Null);
    }
}

#[test]
fn an_uncommitted_submodule_checkout_counts_in_the_working_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = superproject(tmp.path(), Layout::Member, true, Some("ignore"));
    let want = set(&["app", "tool", "vendored"]);
    // An edit in the submodule's working tree, not committed anywhere.
    let sub = checkout(&repo);
    sub.append("crate/src/lib.rs", "// dirty\n");
    assert_eq!(affected(&repo, &[]).names(), want);
    // Committed in the submodule, the superproject's gitlink not staged.
    sub.commit_all("bump");
    assert_eq!(affected(&repo, &[]).names(), want);
    // A submodule file outside its crate belongs to no crate inside it, but the gitlink still
    // names every crate in the submodule: git cannot say which of its files changed.
    sub.git(&["reset", "-q", "--hard", "HEAD~1"]);
    sub.append("NOTES.md", "more\n");
    sub.commit_all("notes");
    assert_eq!(affected(&repo, &[]).names(), want);
}

#[test]
fn a_gitlink_in_a_file_list_maps_without_git() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = superproject(tmp.path(), Layout::Member, true, None);
    let run = support::cli::run(
        &repo.dir,
        &["affected", "-q", "--offline", "--files", "vendor/sub"],
        &[],
    );
    assert_eq!(run.names(), set(&["app", "tool", "vendored"]));
    let run = support::cli::run(
        &repo.dir,
        &[
            "affected",
            "-q",
            "--offline",
            "--files",
            "vendor/sub",
            "--format",
            "json",
        ],
        &[],
    );
    let file = &run.json()["changed_files"][0];
    assert!(
        file["note"]
            .as_str()
            .unwrap()
            .starts_with("vendor/sub holds packages"),
        "{file}"
    );
    assert_eq!(file.get("submodule"), None, "without git, nobody said");
    // A directory holding no package is still outside every crate: the `unmatched` policy
    // (by default everything) decides.
    let run = support::cli::run(
        &repo.dir,
        &["affected", "-q", "--offline", "--files", "docs/theme"],
        &[],
    );
    assert_eq!(run.names(), set(&["app", "other", "tool", "vendored"]));
}

#[test]
fn an_added_submodule_marks_its_crates_and_their_new_dependents() {
    for layout in [Layout::PathDependency, Layout::Member] {
        let tmp = tempfile::tempdir().unwrap();
        let repo = superproject(tmp.path(), layout, false, Some("ignore"));
        add_submodule(tmp.path(), &repo, layout, Some("ignore"));
        repo.commit_all("add the submodule");
        let want = match layout {
            Layout::PathDependency => set(&["app", "tool"]),
            Layout::Member => set(&["app", "tool", "vendored"]),
        };
        narrower_than_determinator(&repo, &want);
        let json = affected(&repo, &["--head", "HEAD", "--format", "json"]).json();
        let gitlink = json["changed_files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == "vendor/sub")
            .unwrap();
        assert_eq!(gitlink["status"], "added");
        assert_eq!(gitlink["submodule"], true);
        assert_eq!(gitlink["effect"], "crate", "{gitlink}");
    }
}

#[test]
fn a_removed_submodule_lists_its_crates_as_deleted() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = superproject(tmp.path(), Layout::Member, true, Some("ignore"));
    repo.git(&["rm", "-q", "vendor/sub"]);
    repo.write(
        "Cargo.toml",
        &root_manifest(Layout::Member, false, Some("ignore")),
    );
    repo.write("app/Cargo.toml", &app_manifest(false));
    support::generator::run_cargo(&repo.dir, &["generate-lockfile", "--offline"]).unwrap();
    repo.commit_all("remove the submodule");
    // `app` edited its manifest (it had to drop the dependency); `vendored` is gone.
    narrower_than_determinator(&repo, &set(&["app", "tool"]));
    let json = affected(&repo, &["--head", "HEAD", "--format", "json"]).json();
    assert_eq!(
        json["deleted"],
        serde_json::json!([{ "name": "vendored", "path": "vendor/sub/crate" }]),
        "{json:#}"
    );
    assert_eq!(
        json["deleted"],
        serde_json::json!([{ "name": "vendored", "path": "vendor/sub/crate" }])
    );
    let gitlink = json["changed_files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "vendor/sub")
        .unwrap();
    assert_eq!(gitlink["status"], "deleted");
    assert_eq!(gitlink["effect"], "deleted-crate", "{gitlink}");
}

#[test]
fn a_submodule_without_packages_follows_the_unmatched_policy() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = superproject(tmp.path(), Layout::PathDependency, true, Some("ignore"));
    let theme = Repo::init(&tmp.path().join("theme"));
    theme.write("theme.css", "body {}\n");
    theme.commit_all("theme");
    git_submodule(
        &repo,
        &["add", "-q", theme.dir.to_str().unwrap(), "docs/theme"],
    );
    repo.commit_all("add a theme");
    let json = affected(&repo, &["--head", "HEAD", "--format", "json"]).json();
    assert!(json["affected"].as_array().unwrap().is_empty(), "{json:#}");
    let gitlink = json["changed_files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "docs/theme")
        .unwrap();
    assert_eq!(gitlink["effect"], "unmatched", "{gitlink}");
    assert!(
        gitlink["note"]
            .as_str()
            .unwrap()
            .contains("a git submodule with no package inside"),
        "{gitlink}"
    );
}

/// A root package `rootpkg` (using the submodule's `vendored` when `with_sub`) and `app`,
/// which uses `rootpkg`.
fn root_package_manifest(with_sub: bool) -> String {
    let (members, dep) = if with_sub {
        (
            "[\"app\", \"vendor/sub/crate\"]",
            "vendored = { path = \"vendor/sub/crate\" }\n",
        )
    } else {
        ("[\"app\"]", "")
    };
    format!(
        "[package]\nname = \"rootpkg\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n{dep}\n[workspace]\nmembers = {members}\n"
    )
}

fn root_package_superproject(tmp: &Path) -> Repo {
    let up = upstream(&tmp.join("upstream"));
    let repo = Repo::init(&tmp.join("super"));
    repo.write("Cargo.toml", &root_package_manifest(true));
    repo.write("src/lib.rs", "");
    repo.write(
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nrootpkg = { path = \"..\" }\n",
    );
    repo.write("app/src/lib.rs", "");
    git_submodule(
        &repo,
        &["add", "-q", up.dir.to_str().unwrap(), "vendor/sub"],
    );
    support::generator::run_cargo(&repo.dir, &["generate-lockfile", "--offline"]).unwrap();
    repo.commit_all("base");
    repo.git(&["checkout", "-q", "-b", "work"]);
    repo
}

#[test]
fn in_a_root_package_a_bumped_submodule_marks_its_crates_too() {
    // determinator gives `vendor/sub` to its nearest ancestor member, the root package, and
    // misses the crate inside the submodule, whose sources changed: ours is a superset.
    let tmp = tempfile::tempdir().unwrap();
    let repo = root_package_superproject(tmp.path());
    bump(&repo);
    repo.commit_all("bump the submodule");
    let ours = affected(&repo, &["--head", "HEAD"]).names();
    let theirs = determinator(&repo);
    assert_eq!(theirs, set(&["app", "rootpkg"]));
    assert_eq!(ours, set(&["app", "rootpkg", "vendored"]));
}

#[test]
fn in_a_root_package_a_removed_submodule_lists_its_crates_as_deleted() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = root_package_superproject(tmp.path());
    repo.git(&["rm", "-q", "vendor/sub"]);
    repo.write("Cargo.toml", &root_package_manifest(false));
    support::generator::run_cargo(&repo.dir, &["generate-lockfile", "--offline"]).unwrap();
    repo.commit_all("remove the submodule");
    let json = affected(&repo, &["--head", "HEAD", "--format", "json"]).json();
    assert_eq!(
        json["deleted"],
        serde_json::json!([{ "name": "vendored", "path": "vendor/sub/crate" }]),
        "{json:#}"
    );
    let ours = affected(&repo, &["--head", "HEAD"]).names();
    assert_eq!(ours, set(&["app", "rootpkg"]));
    assert_eq!(determinator(&repo), ours);
}
