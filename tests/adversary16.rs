//! Adversarial cases found in session 16 (a fresh tester's inputs), through the binary, each
//! judged by uv where uv can answer, else by what the same change gives through another path
//! (`--head HEAD` against the working tree).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;

use support::cli::run;
use support::git::Repo;

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn project(name: &str, body: &str) -> String {
    format!(
        "[project]\nname = \"{name}\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\n{body}"
    )
}

/// A changed path outside every crate and Python package that is no UTF-8 text at the head:
/// an image, a link to a folder, a file a folder replaced, a file under a folder that became a
/// link to itself. `affected` used to read each one as
/// text (to ask whether a deleted Python package held it) and exit 2 with "failed to read",
/// against the working tree only; now it asks only whether something is there, and answers as
/// it does for the same commit through git (`--head HEAD`).
#[test]
fn a_changed_image_link_or_folder_outside_every_package_is_no_error() {
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"CA/rust/*\"]\nresolver = \"2\"\n\n[workspace.metadata.ccworkspace.affected]\nunmatched = \"ignore\"\n",
        ),
        (
            "CA/rust/core/Cargo.toml",
            "[package]\nname = \"core\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        ("CA/rust/core/src/lib.rs", ""),
        (
            "pyproject.toml",
            "[tool.uv.workspace]\nmembers = [\"py/*\"]\n",
        ),
        (
            "py/a/pyproject.toml",
            "[project]\nname = \"a\"\nversion = \"0.1.0\"\n",
        ),
        ("docs/v1/index.md", "a\n"),
        ("docs/v2/index.md", "b\n"),
        ("docs/notes", "notes\n"),
        ("docs/loop/x.md", "x\n"),
    ]);
    std::fs::write(
        dir.path().join("docs/logo.png"),
        b"\x89PNG\r\n\x1a\n\x00\xff\xfe",
    )
    .unwrap();
    std::os::unix::fs::symlink("v1", dir.path().join("docs/latest")).unwrap();
    let repo = Repo::init(dir.path());
    let base = repo.commit_all("base");
    // An image, a link moved to another folder, a file that became a folder, a package file.
    std::fs::write(
        dir.path().join("docs/logo.png"),
        b"\x89PNG\r\n\x1a\n\x00\xff\xfd",
    )
    .unwrap();
    std::fs::remove_file(dir.path().join("docs/latest")).unwrap();
    std::os::unix::fs::symlink("v2", dir.path().join("docs/latest")).unwrap();
    repo.remove("docs/notes");
    repo.write("docs/notes/a.md", "x\n");
    repo.write("py/a/a.py", "x = 1\n");
    // A folder replaced by a link to itself: nothing can be at `docs/loop/x.md`.
    std::fs::remove_dir_all(dir.path().join("docs/loop")).unwrap();
    std::os::unix::fs::symlink("loop", dir.path().join("docs/loop")).unwrap();
    repo.commit_all("head");
    let tree = run(dir.path(), &["affected", "--base", &base], &[]);
    let head = run(
        dir.path(),
        &["affected", "--base", &base, "--head", "HEAD"],
        &[],
    );
    assert_eq!(tree.names(), set(&["a"]), "stderr: {}", tree.stderr);
    assert_eq!(head.names(), tree.names(), "stderr: {}", head.stderr);
    // Each path is reported, none as a deleted package's.
    let json = run(
        dir.path(),
        &["affected", "--base", &base, "--format", "json"],
        &[],
    )
    .json();
    let files: Vec<&str> = json["changed_files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    for path in [
        "docs/logo.png",
        "docs/latest",
        "docs/notes",
        "docs/notes/a.md",
        "docs/loop",
    ] {
        assert!(files.contains(&path), "{path} missing: {json:#}");
    }
    assert!(!json.to_string().contains("was deleted"), "{json:#}");
}

/// `--fix` on a manifest that is a link to a shared file (a `pyproject.toml` and a member's
/// `Cargo.toml`): the fix is written to the file the link points to and the link stays a
/// link. The shared writer used to rename a new file over the link, so the link was gone, the
/// shared file kept the finding, and the report said only "Fixed 2 findings in 2 files".
#[test]
fn fix_writes_through_a_linked_manifest_and_keeps_the_link() {
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n\n[workspace.dependencies]\nserde = \"1\"\n",
        ),
        (
            "shared/a.Cargo.toml",
            "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nserde = \"1\" # kept comment\n",
        ),
        ("crates/a/src/lib.rs", ""),
        (
            "pyproject.toml",
            "[tool.uv.workspace]\nmembers = [\"py/*\"]\n",
        ),
        (
            "py/core/pyproject.toml",
            "[project]\nname = \"core\"\nversion = \"0.1.0\"\n",
        ),
        (
            "shared/b.pyproject.toml",
            "[project]\nname = \"b\"\nversion = \"0.1.0\"\ndependencies = [\"core\"] # kept\n",
        ),
    ]);
    let root = dir.path();
    std::fs::create_dir_all(root.join("py/b")).unwrap();
    std::os::unix::fs::symlink(
        "../../shared/a.Cargo.toml",
        root.join("crates/a/Cargo.toml"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        "../../shared/b.pyproject.toml",
        root.join("py/b/pyproject.toml"),
    )
    .unwrap();
    let fixed = run(root, &["lint-deps", "--fix"], &[]);
    assert_eq!(fixed.code, 0, "stderr: {}", fixed.stderr);
    assert!(
        fixed.stderr.contains("Fixed 2 findings in 2 files"),
        "{}",
        fixed.stderr
    );
    for (link, shared) in [
        ("crates/a/Cargo.toml", "shared/a.Cargo.toml"),
        ("py/b/pyproject.toml", "shared/b.pyproject.toml"),
    ] {
        let meta = std::fs::symlink_metadata(root.join(link)).unwrap();
        assert!(meta.file_type().is_symlink(), "{link} is no longer a link");
        let text = std::fs::read_to_string(root.join(shared)).unwrap();
        assert!(text.contains("# kept"), "{shared}: {text}");
    }
    let cargo = std::fs::read_to_string(root.join("shared/a.Cargo.toml")).unwrap();
    assert!(cargo.contains("serde.workspace = true"), "{cargo}");
    let py = std::fs::read_to_string(root.join("shared/b.pyproject.toml")).unwrap();
    assert!(py.contains("core = { workspace = true }"), "{py}");
    // A second run finds nothing left.
    let again = run(root, &["lint-deps"], &[]);
    assert_eq!(again.code, 0, "stderr: {}", again.stderr);
    assert!(again.stderr.contains("no findings"), "{}", again.stderr);
}

/// `--files` paths are read as paths, whatever their spelling: `a/../b/x`, `a//b/x`,
/// `./a/./b/x` and the absolute path name the file `a/b/x` names, for a crate's file and a
/// Python package's file alike. `py/a/../e/x.py` used to map to `a` (and miss `e`), and
/// `py//e/x.py` to no package at all (everything marked).
#[test]
fn files_spelled_with_dot_dot_or_double_slashes_map_as_the_plain_path() {
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"rust/*\"]\nresolver = \"2\"\n",
        ),
        (
            "rust/core/Cargo.toml",
            "[package]\nname = \"core\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        ("rust/core/src/lib.rs", ""),
        (
            "rust/other/Cargo.toml",
            "[package]\nname = \"other\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        ("rust/other/src/lib.rs", ""),
        (
            "pyproject.toml",
            "[tool.uv.workspace]\nmembers = [\"py/*\"]\n",
        ),
        (
            "py/a/pyproject.toml",
            "[project]\nname = \"a\"\nversion = \"0.1.0\"\n",
        ),
        (
            "py/e/pyproject.toml",
            "[project]\nname = \"e\"\nversion = \"0.1.0\"\n",
        ),
        ("py/e/x.py", ""),
    ]);
    let root = dir.path();
    let absolute = |rel: &str| root.join(rel).to_string_lossy().into_owned();
    for (plain, spellings) in [
        (
            "py/e/x.py",
            vec![
                "py/a/../e/x.py".to_string(),
                "py//e/x.py".to_string(),
                "./py/./e/x.py".to_string(),
                "py/e/sub/../x.py".to_string(),
                absolute("py/a/../e/x.py"),
            ],
        ),
        (
            "rust/core/src/lib.rs",
            vec![
                "rust/other/../core/src/lib.rs".to_string(),
                "rust//core/src//lib.rs".to_string(),
                absolute("rust/other/../core/src/lib.rs"),
            ],
        ),
    ] {
        let want = run(root, &["affected", "--files", plain], &[]).names();
        assert!(!want.is_empty(), "{plain} marks nothing");
        for spelled in spellings {
            let got = run(root, &["affected", "--files", &spelled], &[]).names();
            assert_eq!(got, want, "--files {spelled} against {plain}");
        }
    }
    // Absolute spellings are read as written too: `..` after a link (`py/e/lnk` -> `../a`) is
    // undone lexically, and a path through a link to the root whose folder is gone still maps.
    std::os::unix::fs::symlink("../a", root.join("py/e/lnk")).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let linked_root = elsewhere.path().join("ws");
    std::os::unix::fs::symlink(root, &linked_root).unwrap();
    let want = run(root, &["affected", "--files", "py/e/gone/x.py"], &[]).names();
    assert_eq!(want, set(&["e"]));
    for spelled in [
        absolute("py/e/lnk/../gone/x.py"),
        linked_root
            .join("py/e/gone/x.py")
            .to_string_lossy()
            .into_owned(),
        linked_root
            .join("py/e/lnk/../gone/x.py")
            .to_string_lossy()
            .into_owned(),
    ] {
        let got = run(root, &["affected", "--files", &spelled], &[]).names();
        assert_eq!(got, want, "--files {spelled}");
    }
    // A path that leaves the workspace is outside it: nothing is marked.
    let outside = run(
        root,
        &["affected", "--files", "py/../../elsewhere/x.py"],
        &[],
    );
    assert_eq!(outside.names(), set(&[]), "stderr: {}", outside.stderr);
}

/// A project outside every package that a package installs from the repository, written two
/// ways uv reads and we did not: a list of path sources, one per platform (each `path` locked
/// as `source = { directory = ... }`), and a PEP 508 direct reference under the workspace root
/// (`e2 @ file:///${PROJECT_ROOT}/vendor/e2`). A change to either project's files marks its
/// requirer, as `uv tree --invert` shows; we used to follow only a single path source.
#[test]
fn path_dependencies_from_a_source_list_or_a_direct_reference_reach_their_requirer() {
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = []\nresolver = \"2\"\n\n[workspace.metadata.ccworkspace.affected]\nunmatched = \"ignore\"\n",
        ),
        (
            "pyproject.toml",
            "[tool.uv.workspace]\nmembers = [\"py/*\"]\n",
        ),
        ("vendor/e1-linux/pyproject.toml", &project("e1", "")),
        ("vendor/e1-other/pyproject.toml", &project("e1", "")),
        ("vendor/e2/pyproject.toml", &project("e2", "")),
        ("vendor/my e3/pyproject.toml", &project("e3", "")),
        (
            "py/b/pyproject.toml",
            &project(
                "b",
                "dependencies = [\"e1\"]\n\n[tool.uv.sources]\ne1 = [\n  { path = \"../../vendor/e1-linux\", marker = \"sys_platform == 'linux'\" },\n  { path = \"../../vendor/e1-other\", marker = \"sys_platform != 'linux'\" },\n]\n",
            ),
        ),
        (
            "py/c/pyproject.toml",
            &project(
                "c",
                "dependencies = [\"e2 @ file:///${PROJECT_ROOT}/vendor/e2\"]\n",
            ),
        ),
        (
            "py/f/pyproject.toml",
            // A URL writes the space as `%20`; uv locks `directory = "vendor/my e3"`.
            &project(
                "f",
                "dependencies = [\"e3 @ file:///${PROJECT_ROOT}/vendor/my%20e3\"]\n",
            ),
        ),
        ("py/d/pyproject.toml", &project("d", "")),
    ]);
    let root = dir.path();
    if support::require_tool(support::UV.0, support::UV.1) {
        let (locked, why) = support::uv::lock_offline(root);
        assert!(locked, "{why}");
        assert_eq!(support::uv::invert(root, "e1"), set(&["b"]));
        assert_eq!(support::uv::invert(root, "e2"), set(&["c"]));
        assert_eq!(support::uv::invert(root, "e3"), set(&["f"]));
    }
    let repo = Repo::init(root);
    let base = repo.commit_all("base");
    for (file, want) in [
        ("vendor/e1-linux/mod.py", &["b"][..]),
        ("vendor/e1-other/mod.py", &["b"][..]),
        ("vendor/e2/mod.py", &["c"][..]),
        ("vendor/my e3/mod.py", &["f"][..]),
    ] {
        repo.write(file, "x = 1\n");
        let head = repo.commit_all(file);
        let got = run(root, &["affected", "--base", &base, "--head", &head], &[]).names();
        assert_eq!(got, set(want), "{file}");
        repo.git(&["reset", "-q", "--hard", &base]);
    }
}

/// A list of sources for a workspace member with a `path` entry (`core = [{ workspace = true,
/// marker = ... }, { path = "../core", marker = ... }]`): uv refuses it ("references a path in
/// `tool.uv.sources`"). The finding says so, where it used to call the entry "a git, URL or
/// index source" that uv installs instead.
#[test]
fn a_source_list_with_a_path_to_a_member_is_reported_as_uv_refuses_it() {
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = []\nresolver = \"2\"\n",
        ),
        (
            "pyproject.toml",
            "[tool.uv.workspace]\nmembers = [\"py/*\"]\n",
        ),
        ("py/core/pyproject.toml", &project("core", "")),
        (
            "py/a/pyproject.toml",
            &project(
                "a",
                "dependencies = [\"core\"]\n\n[tool.uv.sources]\ncore = [\n  { workspace = true, marker = \"sys_platform == 'linux'\" },\n  { path = \"../core\", marker = \"sys_platform != 'linux'\" },\n]\n",
            ),
        ),
    ]);
    let root = dir.path();
    let lint = run(root, &["lint-deps"], &[]);
    assert_eq!(lint.code, 1, "stderr: {}", lint.stderr);
    assert!(
        lint.stderr
            .contains("a list of sources with `path = \"../core\"`, which uv refuses"),
        "{}",
        lint.stderr
    );
    assert!(
        lint.stderr
            .contains("uv refuses a path source for a workspace member"),
        "{}",
        lint.stderr
    );
    assert!(
        !lint.stderr.contains("git, URL or index"),
        "{}",
        lint.stderr
    );
    if support::require_tool(support::UV.0, support::UV.1) {
        let (locked, uv_err) = support::uv::lock_offline(root);
        assert!(!locked, "uv locked it");
        assert!(uv_err.contains("references a path"), "{uv_err}");
    }
}

/// A `[tool.uv.sources]` entry limited to a group or an extra (`group = "dev"`), in cases uv
/// accepts and cases it refuses: `lint-deps` refuses (exit 2) exactly when `uv lock` does.
/// uv checks only a project's own sources, so a virtual root (no `[project]`) may limit a
/// source its members use; and a group holds what the groups it includes hold. We refused
/// both ("uv refuses the file too") though uv locks them.
#[test]
fn a_source_limited_to_a_group_or_extra_is_refused_exactly_when_uv_refuses_it() {
    struct Case {
        name: &'static str,
        root: &'static str,
        member: &'static str,
        /// What uv 0.13 says (checked against uv below when it is installed).
        refused: bool,
    }
    let member_dev = "[dependency-groups]\ndev = [\"core\"]\n";
    let cases = [
        Case {
            name: "virtual root, group",
            root: "[tool.uv.sources]\ncore = { workspace = true, group = \"dev\" }\n",
            member: member_dev,
            refused: false,
        },
        Case {
            name: "virtual root, extra",
            root: "[tool.uv.sources]\ncore = { workspace = true, extra = \"x\" }\n",
            member: "[project.optional-dependencies]\nx = [\"core\"]\n",
            refused: false,
        },
        Case {
            name: "root project, group it does not have",
            root: "[project]\nname = \"mono\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\n\n[tool.uv.sources]\ncore = { workspace = true, group = \"dev\" }\n",
            member: member_dev,
            refused: true,
        },
        Case {
            name: "member, group through include-group",
            root: "",
            member: "[dependency-groups]\nbase = [\"core\"]\ndev = [{ include-group = \"base\" }]\n\n[tool.uv.sources]\ncore = { workspace = true, group = \"dev\" }\n",
            refused: false,
        },
        Case {
            name: "member, group that neither has nor includes it",
            root: "",
            member: "[dependency-groups]\nbase = [\"core\"]\ndev = [\"iniconfig\"]\n\n[tool.uv.sources]\ncore = { workspace = true, group = \"dev\" }\n",
            refused: true,
        },
    ];
    let uv = support::require_tool(support::UV.0, support::UV.1);
    for case in cases {
        let root_text = format!("[tool.uv.workspace]\nmembers = [\"py/*\"]\n\n{}", case.root);
        // The member's own `[tool.uv.sources]` comes after its groups (it ends the file).
        let dir = support::write_workspace(&[
            (
                "Cargo.toml",
                "[workspace]\nmembers = []\nresolver = \"2\"\n",
            ),
            ("pyproject.toml", &root_text),
            ("py/core/pyproject.toml", &project("core", "")),
            ("py/a/pyproject.toml", &project("a", case.member)),
        ]);
        let ours = run(dir.path(), &["lint-deps"], &[]);
        assert_eq!(
            ours.code == 2,
            case.refused,
            "{}: {}",
            case.name,
            ours.stderr
        );
        if case.refused {
            assert!(
                ours.stderr.contains("uv refuses the file too"),
                "{}",
                ours.stderr
            );
        }
        if uv {
            let (_, uv_err) = support::uv::lock_offline(dir.path());
            // A refusal of the source itself, not the index being offline (`iniconfig`).
            let refused = uv_err.contains("only applies to");
            assert_eq!(
                ours.code == 2,
                refused,
                "{}: ours exit {} ({}), uv: {uv_err}",
                case.name,
                ours.code,
                ours.stderr
            );
        }
    }
}

/// A PyO3 crate listed in `[tool.uv.workspace] members` whose `pyproject.toml` says `[tool.uv]
/// managed = false`, required through `{ workspace = true }`: uv refuses ("references a
/// workspace in `tool.uv.sources` ..., but is not a workspace member"). `pyo3-not-uv-member`
/// says what keeps it out (`managed = false`) and that uv refuses the source; it used to tell
/// the user to add the folder to `members`, where it already is, and that uv would take the
/// wheel from the index.
#[test]
fn an_unmanaged_pyo3_crate_is_reported_with_what_keeps_it_out() {
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
        ),
        (
            "crates/fast_py/Cargo.toml",
            "[package]\nname = \"fast_py\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[lib]\ncrate-type = [\"cdylib\"]\n",
        ),
        (
            "crates/fast_py/pyproject.toml",
            "[build-system]\nrequires = [\"maturin>=1,<2\"]\nbuild-backend = \"maturin\"\n\n[project]\nname = \"fast-py\"\nversion = \"0.1.0\"\n\n[tool.maturin]\nmodule-name = \"fast_py\"\n\n[tool.uv]\nmanaged = false\n",
        ),
        (
            "pyproject.toml",
            "[tool.uv.workspace]\nmembers = [\"py/*\", \"crates/fast_py\"]\n",
        ),
        (
            "py/a/pyproject.toml",
            &project(
                "a",
                "dependencies = [\"fast-py\"]\n\n[tool.uv.sources]\nfast-py = { workspace = true }\n",
            ),
        ),
    ]);
    let root = dir.path();
    let lint = run(root, &["lint-deps"], &[]);
    assert_eq!(lint.code, 1, "stderr: {}", lint.stderr);
    assert!(
        lint.stderr.contains("[pyo3-not-uv-member]"),
        "{}",
        lint.stderr
    );
    assert!(
        lint.stderr
            .contains("remove `managed = false` from [tool.uv] of crates/fast_py/pyproject.toml"),
        "{}",
        lint.stderr
    );
    assert!(
        lint.stderr.contains("refuses the workspace source"),
        "{}",
        lint.stderr
    );
    assert!(!lint.stderr.contains("to `members`"), "{}", lint.stderr);
    if support::require_tool(support::UV.0, support::UV.1) {
        let (locked, uv_err) = support::uv::lock_offline(root);
        assert!(!locked, "uv locked it");
        assert!(uv_err.contains("is not a workspace member"), "{uv_err}");
    }
    // Excluded as well: the help names both, so following it gets the crate in.
    std::fs::write(
        root.join("pyproject.toml"),
        "[tool.uv.workspace]\nmembers = [\"py/*\", \"crates/*\"]\nexclude = [\"crates/fast_py\"]\n",
    )
    .unwrap();
    let both = run(root, &["lint-deps"], &[]);
    assert!(
        both.stderr.contains("remove `managed = false`")
            && both
                .stderr
                .contains("remove the pattern matching \"crates/fast_py\" from `exclude`"),
        "{}",
        both.stderr
    );
}

/// A uv member inside another member's folder (`nest/n/inner` under `nest/n`) with a workspace
/// source of its own: uv builds it as a project of its own there ("Project is contained in
/// non-workspace project"), so the source names no member and `uv lock` fails. `lint-deps`
/// refuses it too (exit 2, at the entry), where it used to find nothing; with the source taken
/// from the root `pyproject.toml` instead, both accept it.
#[test]
fn a_nested_member_s_own_workspace_source_is_refused_as_uv_refuses_it() {
    for own_source in [true, false] {
        let (root_sources, inner) = if own_source {
            (
                "",
                project(
                    "inner",
                    "dependencies = [\"v\"]\n\n[tool.uv.sources]\nv = { workspace = true }\n",
                ),
            )
        } else {
            (
                "\n[tool.uv.sources]\nv = { workspace = true }\n",
                project("inner", "dependencies = [\"v\"]\n"),
            )
        };
        let dir = support::write_workspace(&[
            (
                "Cargo.toml",
                "[workspace]\nmembers = []\nresolver = \"2\"\n",
            ),
            (
                "pyproject.toml",
                &format!(
                    "[tool.uv.workspace]\nmembers = [\"py/*\", \"nest/n\", \"nest/n/inner\"]\n{root_sources}"
                ),
            ),
            ("py/v/pyproject.toml", &project("v", "")),
            ("nest/n/pyproject.toml", &project("n", "")),
            ("nest/n/inner/pyproject.toml", &inner),
        ]);
        let root = dir.path();
        let lint = run(root, &["lint-deps"], &[]);
        if own_source {
            assert_eq!(lint.code, 2, "stderr: {}", lint.stderr);
            assert!(
                lint.stderr
                    .contains("nest/n/inner/pyproject.toml:8: the workspace source `v`"),
                "{}",
                lint.stderr
            );
        } else {
            assert_eq!(lint.code, 0, "stderr: {}", lint.stderr);
        }
        if support::require_tool(support::UV.0, support::UV.1) {
            let (locked, uv_err) = support::uv::lock_offline(root);
            assert_eq!(locked, !own_source, "uv: {uv_err}");
        }
    }
}

/// The same reading of uv's, where the folder above the member is no member at all: a
/// `tools/pyproject.toml` with settings only (`[tool.ruff]`) above the member `tools/lint`
/// makes uv read `tools/lint` as a project of its own, so its own workspace source names no
/// member, and an index only the root declares is undeclared for it. `lint-deps` refuses both,
/// as `uv lock` does; without the settings file both pass.
#[test]
fn a_settings_file_above_a_member_changes_what_its_sources_can_name() {
    for (settings, required, source, said) in [
        (
            true,
            "b",
            "b = { workspace = true }",
            "the workspace source `b` of tools/lint",
        ),
        (
            true,
            "zz",
            "zz = { index = \"internal\" }",
            "names the index `internal`",
        ),
        (false, "b", "b = { workspace = true }", ""),
    ] {
        let mut files = vec![
            ("Cargo.toml", "[workspace]\nmembers = []\nresolver = \"2\"\n".to_string()),
            (
                "pyproject.toml",
                "[tool.uv.workspace]\nmembers = [\"py/*\", \"tools/lint\"]\n\n[[tool.uv.index]]\nname = \"internal\"\nurl = \"https://pypi.internal.example/simple\"\n".to_string(),
            ),
            ("py/b/pyproject.toml", project("b", "")),
            (
                "tools/lint/pyproject.toml",
                project(
                    "lint",
                    &format!("dependencies = [\"{required}\"]\n\n[tool.uv.sources]\n{source}\n"),
                ),
            ),
        ];
        if settings {
            files.push((
                "tools/pyproject.toml",
                "[tool.ruff]\nline-length = 99\n".to_string(),
            ));
        }
        let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
        let dir = support::write_workspace(&borrowed);
        let root = dir.path();
        let lint = run(root, &["lint-deps"], &[]);
        if settings {
            assert_eq!(lint.code, 2, "{source}: {}", lint.stderr);
            assert!(lint.stderr.contains(said), "{}", lint.stderr);
        } else {
            assert_ne!(lint.code, 2, "{source}: {}", lint.stderr);
        }
        if support::require_tool(support::UV.0, support::UV.1) && settings {
            let (locked, uv_err) = support::uv::lock_offline(root);
            assert!(!locked, "uv locked it");
            assert!(
                uv_err.contains("is not a workspace member") || uv_err.contains("undeclared index"),
                "{uv_err}"
            );
        }
    }
}

/// A crate's generated `Dockerfile` that is a link to another crate's: `dockerfile` refuses
/// (exit 2, nothing written, both paths named), in write mode and with `--check`, even when
/// one of the two is up to date. Writing through the link used to put `b2`'s image into `b1`'s
/// file, and the two took turns on every run.
#[test]
fn two_generated_files_that_are_one_file_are_refused() {
    let bin = |name: &str| {
        format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
    };
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"CA/rust/*\"]\nresolver = \"2\"\n",
        ),
        ("CA/rust/b1/Cargo.toml", &bin("b1")),
        ("CA/rust/b1/src/main.rs", "fn main() {}\n"),
        ("CA/rust/b2/Cargo.toml", &bin("b2")),
        ("CA/rust/b2/src/main.rs", "fn main() {}\n"),
    ]);
    let root = dir.path();
    assert_eq!(run(root, &["dockerfile", "-q"], &[]).code, 0);
    std::fs::remove_file(root.join("CA/rust/b2/Dockerfile")).unwrap();
    std::os::unix::fs::symlink("../b1/Dockerfile", root.join("CA/rust/b2/Dockerfile")).unwrap();
    let b1 = std::fs::read_to_string(root.join("CA/rust/b1/Dockerfile")).unwrap();
    for args in [&["dockerfile"][..], &["dockerfile", "--check"][..]] {
        let r = run(root, args, &[]);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("CA/rust/b1/Dockerfile and")
                && r.stderr.contains("CA/rust/b2/Dockerfile are one file"),
            "{}",
            r.stderr
        );
        assert_eq!(
            std::fs::read_to_string(root.join("CA/rust/b1/Dockerfile")).unwrap(),
            b1
        );
    }
}
