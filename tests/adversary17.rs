//! Adversarial cases found in session 17 (fresh testers' inputs), through the binary, each
//! judged by uv where uv can answer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::cli::run;

fn project(name: &str, body: &str) -> String {
    format!(
        "[project]\nname = \"{name}\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n{body}"
    )
}

/// The root `pyproject.toml` of a uv workspace of `py/*`, in a cargo workspace of no crate.
const ROOT: [(&str, &str); 2] = [
    (
        "Cargo.toml",
        "[workspace]\nmembers = []\nresolver = \"2\"\n",
    ),
    (
        "pyproject.toml",
        "[tool.uv.workspace]\nmembers = [\"py/*\"]\n",
    ),
];

/// The `source` uv locks for the package `name` (`{ editable = "py/b" }`).
fn locked_source(root: &std::path::Path, name: &str) -> String {
    let lock = std::fs::read_to_string(root.join("uv.lock")).unwrap();
    let at = lock
        .find(&format!("name = \"{name}\"\n"))
        .unwrap_or_else(|| panic!("{name} is not locked:\n{lock}"));
    lock[at..]
        .lines()
        .find(|l| l.starts_with("source = "))
        .unwrap()
        .to_string()
}

/// `--fix` of a path source to a member (which uv refuses) writes a workspace source that
/// keeps what else the entry said: `editable = false` stays a non-editable install, as uv
/// locks it (`directory`, not `editable`), in an inline entry and in a table of its own.
#[test]
fn the_fix_of_a_path_source_keeps_editable_false() {
    for sources in [
        "[tool.uv.sources]\nb = { path = \"../b\", editable = false }   # not editable\n",
        "[tool.uv.sources.b]\n# not editable\npath = \"../b\"\neditable = false\n",
    ] {
        let dir = support::write_workspace(&[
            ROOT[0],
            ROOT[1],
            ("py/b/pyproject.toml", &project("b", "")),
            (
                "py/a/pyproject.toml",
                &project("a", &format!("dependencies = [\"b\"]\n\n{sources}")),
            ),
        ]);
        let root = dir.path();
        let fixed = run(root, &["lint-deps", "--fix"], &[]);
        assert_eq!(fixed.code, 0, "{}", fixed.stderr);
        let text = std::fs::read_to_string(root.join("py/a/pyproject.toml")).unwrap();
        assert!(text.contains("editable = false"), "{text}");
        assert!(text.contains("# not editable"), "{text}");
        assert!(!text.contains("path"), "{text}");
        if support::require_tool(support::UV.0, support::UV.1) {
            let (locked, why) = support::uv::lock_offline(root);
            assert!(locked, "{why}\n{text}");
            assert_eq!(
                locked_source(root, "b"),
                "source = { directory = \"py/b\" }",
                "{text}"
            );
        }
    }
}

/// A root `[project]` without a static `name` (only a `version`, or the name `dynamic`): uv
/// refuses the file, and so does `lint-deps` (exit 2 at the table), as it does for a member.
#[test]
fn a_root_project_without_a_name_is_refused_as_uv_refuses_it() {
    for table in [
        "[project]\nversion = \"0.1.0\"\n",
        "[project]\ndynamic = [\"name\"]\nversion = \"0.1.0\"\n",
    ] {
        let root_text = format!("[tool.uv.workspace]\nmembers = [\"py/*\"]\n\n{table}");
        let dir = support::write_workspace(&[
            ROOT[0],
            ("pyproject.toml", &root_text),
            ("py/b/pyproject.toml", &project("b", "")),
        ]);
        let root = dir.path();
        let lint = run(root, &["lint-deps"], &[]);
        assert_eq!(lint.code, 2, "{table}\n{}", lint.stderr);
        assert!(
            lint.stderr.contains("pyproject.toml:4: the root project"),
            "{}",
            lint.stderr
        );
        if support::require_tool(support::UV.0, support::UV.1) {
            let (locked, why) = support::uv::lock_offline(root);
            assert!(!locked, "uv locked it:\n{table}");
            assert!(why.contains("project.name"), "{why}");
        }
    }
}

/// A member requires a Python project of the repository that uv leaves out of its workspace
/// (`managed = false`, or an `exclude` glob) with no source: uv asks the package index for it
/// (offline: "not found in the cache"), so `lint-deps` reports the dependency confusion; with
/// a path source to its folder uv locks it from there (`directory`), and the finding goes.
#[test]
fn a_requirement_on_a_project_uv_leaves_out_needs_a_path_source() {
    for (b, exclude) in [
        (project("b", "\n[tool.uv]\nmanaged = false\n"), ""),
        (project("b", ""), "exclude = [\"py/b\"]\n"),
    ] {
        let root_text = format!("[tool.uv.workspace]\nmembers = [\"py/*\"]\n{exclude}");
        let a = |sources: &str| project("a", &format!("dependencies = [\"b\"]\n{sources}"));
        let dir = support::write_workspace(&[
            ROOT[0],
            ("pyproject.toml", &root_text),
            ("py/b/pyproject.toml", &b),
            ("py/a/pyproject.toml", &a("")),
        ]);
        let root = dir.path();
        let lint = run(root, &["lint-deps", "--format", "json"], &[]);
        assert_eq!(lint.code, 1, "{b}{exclude}\n{}", lint.stderr);
        assert!(
            lint.stdout.contains("missing-workspace-source"),
            "{}",
            lint.stdout
        );
        assert!(lint.stdout.contains("py/b"), "{}", lint.stdout);
        let uv = support::require_tool(support::UV.0, support::UV.1);
        if uv {
            let (locked, why) = support::uv::lock_offline(root);
            assert!(!locked && why.contains("not found"), "{why}");
        }
        std::fs::write(
            root.join("py/a/pyproject.toml"),
            a("\n[tool.uv.sources]\nb = { path = \"../b\" }\n"),
        )
        .unwrap();
        let lint = run(root, &["lint-deps"], &[]);
        assert_eq!(lint.code, 0, "{}", lint.stderr);
        if uv {
            let (locked, why) = support::uv::lock_offline(root);
            assert!(locked, "{why}");
            assert_eq!(
                locked_source(root, "b"),
                "source = { directory = \"py/b\" }"
            );
        }
    }
}

/// A direct reference with a relative `file:` URL (`b @ file:../b`): uv has no folder to
/// resolve it against ("relative path without a working directory"), and `lint-deps` refuses
/// it (exit 2 at the requirement); `file:///${PROJECT_ROOT}/py/b`, uv's spelling, both accept.
#[test]
fn a_relative_file_url_is_refused_as_uv_refuses_it() {
    for (url, accepted, says) in [
        (
            "file:../b",
            false,
            "relative path without a working directory",
        ),
        (
            "file:py/b",
            false,
            "relative path without a working directory",
        ),
        // A path that climbs above `/`: uv, "path could not be normalized".
        ("file:/../b", false, "could not be normalized"),
        ("file:///../b", false, "could not be normalized"),
        ("file://localhost/../b", false, "could not be normalized"),
        ("file:///${PROJECT_ROOT}/py/b", true, ""),
    ] {
        let a = project("a", &format!("dependencies = [\"b @ {url}\"]\n"));
        let dir = support::write_workspace(&[
            ROOT[0],
            (
                "pyproject.toml",
                "[tool.uv.workspace]\nmembers = [\"py/a\"]\n",
            ),
            ("py/b/pyproject.toml", &project("b", "")),
            ("py/a/pyproject.toml", &a),
        ]);
        let root = dir.path();
        let lint = run(root, &["lint-deps"], &[]);
        if accepted {
            assert_eq!(lint.code, 0, "{url}: {}", lint.stderr);
        } else {
            assert_eq!(lint.code, 2, "{url}: {}", lint.stderr);
            assert!(
                lint.stderr.contains("py/a/pyproject.toml:5:") && lint.stderr.contains(says),
                "{}",
                lint.stderr
            );
        }
        if support::require_tool(support::UV.0, support::UV.1) {
            let (locked, why) = support::uv::lock_offline(root);
            assert_eq!(locked, accepted, "{url}: {why}");
        }
    }
}

/// A PyO3 crate outside the uv workspace required by a direct reference to its folder: uv
/// builds it from there (`source = { directory = "crates/fast_py" }`), as for a path source,
/// never from the index, so it is no `pyo3-not-uv-member` finding.
#[test]
fn a_direct_reference_to_a_pyo3_crate_outside_the_uv_workspace_is_no_finding() {
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
        ),
        (
            "crates/fast_py/Cargo.toml",
            "[package]\nname = \"fast_py\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[lib]\ncrate-type = [\"cdylib\"]\n",
        ),
        ("crates/fast_py/src/lib.rs", ""),
        (
            "crates/fast_py/pyproject.toml",
            "[build-system]\nrequires = [\"maturin>=1,<2\"]\nbuild-backend = \"maturin\"\n\n[project]\nname = \"fast_py\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n",
        ),
        (
            "pyproject.toml",
            "[tool.uv.workspace]\nmembers = [\"py/*\"]\n",
        ),
        (
            "py/a/pyproject.toml",
            &project(
                "a",
                "dependencies = [\"fast_py @ file:///${PROJECT_ROOT}/crates/fast_py\"]\n",
            ),
        ),
    ]);
    let root = dir.path();
    let lint = run(root, &["lint-deps", "--format", "json"], &[]);
    assert!(
        !lint.stdout.contains("pyo3-not-uv-member"),
        "{}",
        lint.stdout
    );
    if support::require_tool(support::UV.0, support::UV.1) {
        let (locked, why) = support::uv::lock_offline(root);
        assert!(locked, "{why}");
        assert_eq!(
            locked_source(root, "fast-py"),
            "source = { directory = \"crates/fast_py\" }"
        );
    }
}

/// `b = { workspace = false }` for a member: uv refuses to lower it, and the finding's note
/// says what the entry is (it used to call it "a git, URL or index source").
#[test]
fn the_note_of_a_workspace_false_source_says_what_it_is() {
    let dir = support::write_workspace(&[
        ROOT[0],
        ROOT[1],
        ("py/b/pyproject.toml", &project("b", "")),
        (
            "py/a/pyproject.toml",
            &project(
                "a",
                "dependencies = [\"b\"]\n\n[tool.uv.sources]\nb = { workspace = false }\n",
            ),
        ),
    ]);
    let lint = run(dir.path(), &["lint-deps"], &[]);
    assert_eq!(lint.code, 1, "{}", lint.stderr);
    assert!(
        lint.stderr.contains(
            "is `workspace = false`, which uv does not support yet: uv does not lock the workspace"
        ),
        "{}",
        lint.stderr
    );
}

/// Two projects of one name, an `exclude` glob picking one: moving the glob to the other
/// changes where uv takes `b` from (`uv.lock`'s `source`), while no file of either folder
/// changes. `b` and what requires it are affected, as `uv tree --invert` shows.
#[test]
fn a_member_locked_from_another_folder_is_affected_with_its_requirers() {
    use support::git::Repo;
    let b_old = project("b", "");
    let b_new = project("b", "description = \"the new one\"\n");
    let c = project(
        "c",
        "dependencies = [\"b\"]\n\n[tool.uv.sources]\nb = { workspace = true }\n",
    );
    let d = project(
        "d",
        "dependencies = [\"c\"]\n\n[tool.uv.sources]\nc = { workspace = true }\n",
    );
    let dir = support::write_workspace(&[
        ROOT[0],
        (
            "pyproject.toml",
            "[tool.uv.workspace]\nmembers = [\"py/*\"]\nexclude = [\"py/b_new\"]\n",
        ),
        ("py/b_old/pyproject.toml", &b_old),
        ("py/b_new/pyproject.toml", &b_new),
        ("py/c/pyproject.toml", &c),
        ("py/d/pyproject.toml", &d),
        ("py/e/pyproject.toml", &project("e", "")),
    ]);
    let root = dir.path();
    if !support::require_tool(support::UV.0, support::UV.1) {
        return;
    }
    let (locked, why) = support::uv::lock_offline(root);
    assert!(locked, "{why}");
    let repo = Repo::init(root);
    let base = repo.commit_all("base");
    repo.write(
        "pyproject.toml",
        "[tool.uv.workspace]\nmembers = [\"py/*\"]\nexclude = [\"py/b_old\"]\n",
    );
    let (locked, why) = support::uv::lock_offline(root);
    assert!(locked, "{why}");
    repo.commit_all("take b from py/b_new");
    let mut want = support::uv::invert(root, "b");
    want.insert("b".to_string());
    let got = run(
        root,
        &["affected", "--base", &base, "--kind", "python"],
        &[],
    );
    assert_eq!(got.names(), want, "{}", got.stderr);
    assert_eq!(want.len(), 3, "{want:?}");
}

/// Path dependencies of path dependencies: `m` installs `e1` (a project outside the uv
/// workspace) through a path source, `e1` installs `e2` through its own, and `e2` requires
/// the member `b`. uv installs all of them into `m`'s environment (`uv tree --invert`: `e2 ->
/// e1 -> m -> n`, `b -> e2 -> e1 -> m -> n`), so a change to `e2`'s files or to `b` reaches
/// `m` and `n`; only `m`'s own requirements used to count.
#[test]
fn path_dependencies_of_path_dependencies_reach_the_requirer() {
    use support::git::Repo;
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = []\nresolver = \"2\"\n\n[workspace.metadata.ccworkspace.affected]\nunmatched = \"ignore\"\n",
        ),
        ROOT[1],
        (
            "vendor/e1/pyproject.toml",
            &project(
                "e1",
                "dependencies = [\"e2\"]\n\n[tool.uv.sources]\ne2 = { path = \"../e2\" }\n",
            ),
        ),
        (
            "vendor/e2/pyproject.toml",
            &project("e2", "dependencies = [\"b\"]\n"),
        ),
        ("py/b/pyproject.toml", &project("b", "")),
        (
            "py/m/pyproject.toml",
            &project(
                "m",
                "dependencies = [\"e1\"]\n\n[tool.uv.sources]\ne1 = { path = \"../../vendor/e1\" }\n",
            ),
        ),
        (
            "py/n/pyproject.toml",
            &project(
                "n",
                "dependencies = [\"m\"]\n\n[tool.uv.sources]\nm = { workspace = true }\n",
            ),
        ),
        ("py/z/pyproject.toml", &project("z", "")),
    ]);
    let root = dir.path();
    let uv = support::require_tool(support::UV.0, support::UV.1);
    if uv {
        let (locked, why) = support::uv::lock_offline(root);
        assert!(locked, "{why}");
    }
    let repo = Repo::init(root);
    let base = repo.commit_all("base");
    for (file, package) in [("vendor/e2/e2.py", "e2"), ("py/b/b.py", "b")] {
        repo.write(file, "x = 1\n");
        let head = repo.commit_all(file);
        let got = run(
            root,
            &[
                "affected", "--base", &base, "--head", &head, "--kind", "python",
            ],
            &[],
        );
        let mut want: std::collections::BTreeSet<String> =
            ["m", "n"].iter().map(|s| s.to_string()).collect();
        if package == "b" {
            want.insert("b".into());
        }
        if uv {
            let mut judged = support::uv::invert(root, package);
            judged.retain(|p| !p.starts_with('e'));
            if package == "b" {
                judged.insert("b".into());
            }
            assert_eq!(judged, want, "uv: {file}");
        }
        assert_eq!(got.names(), want, "{file}: {}", got.stderr);
        repo.git(&["reset", "-q", "--hard", &base]);
    }
}

/// The Python uv locks for: `.python-version`, else `.python-versions` (its first request),
/// and a pin that is a range (`<3.12`) as a range: a member whose `requires-python` shares no
/// Python with the pin is `incompatible-requires-python`, as uv refuses it ("The Python request
/// from `.python-versions` resolved to Python 3.11.7, which is incompatible"). The version
/// pins are judged by `uv lock` with the machine's 3.11; the range pins by hand (uv 0.13, with
/// `PYENV_VERSION` set: pyenv's shims, which find uv's interpreters here, read a
/// `.python-version` themselves and know no range).
#[test]
fn the_python_pin_is_read_as_uv_reads_it() {
    for (pins, requires, refused, judged) in [
        (&[(".python-versions", "3.11\n")][..], ">=3.12", true, true),
        (
            &[(".python-versions", "# pinned\n3.11\n")][..],
            ">=3.11",
            false,
            true,
        ),
        (
            &[
                (".python-version", "3.11\n"),
                (".python-versions", "3.10\n"),
            ][..],
            ">=3.11",
            false,
            true,
        ),
        (&[(".python-version", "<3.12\n")][..], ">=3.12", true, false),
        (
            &[(".python-version", "<3.12\n")][..],
            ">=3.10",
            false,
            false,
        ),
    ] {
        let b = format!(
            "[project]\nname = \"b\"\nversion = \"0.1.0\"\nrequires-python = \"{requires}\"\n"
        );
        let mut files = vec![ROOT[0], ROOT[1], ("py/b/pyproject.toml", b.as_str())];
        files.extend_from_slice(pins);
        let dir = support::write_workspace(&files);
        let root = dir.path();
        let lint = run(root, &["lint-deps"], &[]);
        let found = lint.stderr.contains("incompatible-requires-python");
        assert_eq!(found, refused, "{pins:?} {requires}: {}", lint.stderr);
        if judged && support::require_tool(support::UV.0, support::UV.1) {
            let (locked, why) = support::uv::lock_offline(root);
            assert_eq!(!locked, refused, "uv, {pins:?} {requires}: {why}");
        }
    }
}

/// `new` refuses (exit 2, nothing written) a place whose crate would give cargo a member
/// without a `Cargo.toml`: a folder it creates on the way that a `members` glob takes
/// (`DAGs/rust/x` of `DAGs/rust/x/y` under `DAGs/rust/*`), or a glob it would add that takes
/// a Python package's folder (`DAGs/python/*` for `DAGs/python/native`). cargo reads the
/// workspace as before.
#[test]
fn new_refuses_a_place_that_gives_cargo_a_member_without_a_manifest() {
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"DAGs/rust/*\"]\nresolver = \"2\"\n",
        ),
        (
            "DAGs/rust/core/Cargo.toml",
            "[package]\nname = \"core\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        ("DAGs/rust/core/src/lib.rs", ""),
        ("DAGs/python/orch/pyproject.toml", &project("orch", "")),
    ]);
    let root = dir.path();
    let before = support::files_under(&[], root);
    for (args, says) in [
        (
            &["new", "DAGs/rust/x/y", "--lib"][..],
            "DAGs/rust/x would be a new folder that a `members` glob",
        ),
        (
            &["new", "DAGs/python/native", "--pyo3"][..],
            "which would take DAGs/python/orch (no Cargo.toml) for a crate too",
        ),
    ] {
        let made = run(root, args, &[]);
        assert_eq!(made.code, 2, "{args:?}: {}", made.stderr);
        assert!(made.stderr.contains(says), "{}", made.stderr);
        assert_eq!(support::files_under(&[], root), before, "{args:?}");
    }
    let metadata = std::process::Command::new(support::cargo())
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(metadata.status.success());
}

/// A member's `[build-system] requires` naming another member: uv applies
/// `[tool.uv.sources]` to build requirements and refuses the build without a workspace source
/// (`uv sync`: "`b` is included as a workspace member, but is missing an entry in
/// `tool.uv.sources`"), so it is `missing-workspace-source`; `--fix` adds the source, and uv
/// builds `a` with the member.
#[test]
fn a_build_requirement_on_a_member_needs_a_workspace_source() {
    let hatch =
        "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n";
    let a = "[build-system]\nrequires = [\"hatchling\", \"b\"]\nbuild-backend = \"hatchling.build\"\n\n[project]\nname = \"a\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n";
    let b = format!("{hatch}{}", project("b", ""));
    let dir = support::write_workspace(&[
        ROOT[0],
        ROOT[1],
        ("py/a/pyproject.toml", a),
        ("py/a/src/a/__init__.py", ""),
        ("py/b/pyproject.toml", &b),
        ("py/b/src/b/__init__.py", ""),
    ]);
    let root = dir.path();
    let lint = run(root, &["lint-deps", "--format", "json"], &[]);
    assert_eq!(lint.code, 1, "{}", lint.stderr);
    assert!(
        lint.stdout.contains("missing-workspace-source"),
        "{}",
        lint.stdout
    );
    assert!(lint.stdout.contains("\"line\":2"), "{}", lint.stdout);
    let uv = support::require_tool(support::UV.0, support::UV.1);
    let sync = || {
        std::process::Command::new(support::uv_program())
            .args(["sync", "--quiet"])
            .current_dir(root)
            .env_remove("VIRTUAL_ENV")
            .output()
            .unwrap()
    };
    if uv {
        let out = sync();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("missing an entry in `tool.uv.sources`"),
            "{err}"
        );
    }
    let fixed = run(root, &["lint-deps", "--fix"], &[]);
    assert_eq!(fixed.code, 0, "{}", fixed.stderr);
    if uv {
        let out = sync();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// No uv workspace at the root, and a package that declares one of its own
/// (`x/python/app` with `members = ["libs/*"]`): uv, run there, locks its member `lib1` from
/// the monorepo with `lib1 = { workspace = true }` and refuses a path source to it. The tool
/// used to demand the path source ("there is no uv workspace"); it now judges that workspace
/// as uv does, and `--fix` rewrites the path source.
#[test]
fn a_package_with_a_uv_workspace_of_its_own_takes_its_members_as_uv_does() {
    let app = |source: &str| {
        project(
            "app",
            &format!(
                "dependencies = [\"lib1\"]\n\n[tool.uv.sources]\nlib1 = {source}\n\n[tool.uv.workspace]\nmembers = [\"libs/*\"]\n"
            ),
        )
    };
    let dir = support::write_workspace(&[
        ROOT[0],
        ("x/python/app/pyproject.toml", &app("{ workspace = true }")),
        (
            "x/python/app/libs/lib1/pyproject.toml",
            &project("lib1", ""),
        ),
    ]);
    let root = dir.path();
    let app_dir = root.join("x/python/app");
    let uv = support::require_tool(support::UV.0, support::UV.1);
    let lint = run(root, &["lint-deps"], &[]);
    assert_eq!(lint.code, 0, "{}", lint.stderr);
    if uv {
        let (locked, why) = support::uv::lock_offline(&app_dir);
        assert!(locked, "{why}");
        assert_eq!(
            locked_source(&app_dir, "lib1"),
            "source = { editable = \"libs/lib1\" }"
        );
        std::fs::remove_file(app_dir.join("uv.lock")).unwrap();
    }
    std::fs::write(
        app_dir.join("pyproject.toml"),
        app("{ path = \"libs/lib1\" }"),
    )
    .unwrap();
    let lint = run(root, &["lint-deps"], &[]);
    assert_eq!(lint.code, 1, "{}", lint.stderr);
    assert!(
        lint.stderr.contains("missing-workspace-source"),
        "{}",
        lint.stderr
    );
    if uv {
        let (locked, _) = support::uv::lock_offline(&app_dir);
        assert!(!locked);
    }
    let fixed = run(root, &["lint-deps", "--fix"], &[]);
    assert_eq!(fixed.code, 0, "{}", fixed.stderr);
    if uv {
        let (locked, why) = support::uv::lock_offline(&app_dir);
        assert!(locked, "{why}");
    }
}

/// `[build-system] requires` count only for a project uv builds: a virtual root (no
/// `[project]`) or a member with `[tool.uv] package = false` is never built, so a member's
/// name there, or an invalid requirement, is no finding and no error, as `uv lock` and `uv
/// sync` accept them.
#[test]
fn build_requirements_of_a_project_uv_never_builds_are_not_read() {
    for (root_text, a) in [
        (
            "[build-system]\nrequires = [\"b\", \"c >\"]\nbuild-backend = \"x\"\n\n[tool.uv.workspace]\nmembers = [\"py/*\"]\n".to_string(),
            project("a", ""),
        ),
        (
            ROOT[1].1.to_string(),
            format!(
                "[build-system]\nrequires = [\"b\", \"c >\"]\nbuild-backend = \"x\"\n\n{}\n[tool.uv]\npackage = false\n",
                project("a", "")
            ),
        ),
    ] {
        let dir = support::write_workspace(&[
            ROOT[0],
            ("pyproject.toml", &root_text),
            ("py/a/pyproject.toml", &a),
            ("py/b/pyproject.toml", &project("b", "")),
        ]);
        let root = dir.path();
        let lint = run(root, &["lint-deps"], &[]);
        assert_eq!(lint.code, 0, "{root_text}{a}\n{}", lint.stderr);
        if support::require_tool(support::UV.0, support::UV.1) {
            let (locked, why) = support::uv::lock_offline(root);
            assert!(locked, "{why}");
        }
    }
}

/// `${PROJECT_ROOT}` in a path dependency's own direct reference is the root of the project
/// uv runs for (the workspace root), not the path project's folder: uv locks `e` from
/// `ext/e`, and `uv tree --invert` shows `e -> c -> a`.
#[test]
fn project_root_in_a_path_dependency_is_the_workspace_root() {
    use support::git::Repo;
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = []\nresolver = \"2\"\n\n[workspace.metadata.ccworkspace.affected]\nunmatched = \"ignore\"\n",
        ),
        ROOT[1],
        (
            "py/a/pyproject.toml",
            &project(
                "a",
                "dependencies = [\"c\"]\n\n[tool.uv.sources]\nc = { path = \"../../ext/c\" }\n",
            ),
        ),
        (
            "ext/c/pyproject.toml",
            &project(
                "c",
                "dependencies = [\"e @ file:///${PROJECT_ROOT}/ext/e\"]\n",
            ),
        ),
        ("ext/e/pyproject.toml", &project("e", "")),
    ]);
    let root = dir.path();
    if support::require_tool(support::UV.0, support::UV.1) {
        let (locked, why) = support::uv::lock_offline(root);
        assert!(locked, "{why}");
        assert_eq!(
            support::uv::invert(root, "e"),
            ["a", "c"].iter().map(|s| s.to_string()).collect()
        );
    }
    let repo = Repo::init(root);
    let base = repo.commit_all("base");
    repo.write("ext/e/e.py", "x = 1\n");
    let head = repo.commit_all("e");
    let got = run(
        root,
        &[
            "affected", "--base", &base, "--head", &head, "--kind", "python",
        ],
        &[],
    );
    assert_eq!(
        got.names(),
        ["a"].iter().map(|s| s.to_string()).collect(),
        "{}",
        got.stderr
    );
}

/// `new --python` refuses a name the root's `[tool.uv]` constraint, override or
/// build-constraint lists name: uv takes it from the index, and a member of that name makes
/// uv refuse the workspace ("is included as a workspace member, but is missing an entry in
/// `tool.uv.sources`"). Nothing is written.
#[test]
fn new_refuses_a_name_the_root_constrains_or_overrides() {
    for key in [
        "constraint-dependencies",
        "override-dependencies",
        "build-constraint-dependencies",
    ] {
        let root_text = format!(
            "{}\n[tool.uv.workspace]\nmembers = [\"*/python/*\"]\n\n[tool.uv]\n{key} = [\"IniConfig<3\"]\n",
            project("root", "")
        );
        let dir = support::write_workspace(&[ROOT[0], ("pyproject.toml", &root_text)]);
        let root = dir.path();
        let before = support::files_under(&[], root);
        let made = run(root, &["new", "dom/iniconfig", "--python"], &[]);
        assert_eq!(made.code, 2, "{key}: {}", made.stderr);
        assert!(made.stderr.contains(key), "{}", made.stderr);
        assert_eq!(support::files_under(&[], root), before, "{key}");
    }
}
