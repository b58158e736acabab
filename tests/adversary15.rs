//! Adversarial cases for the Python half (issue 15), through the binary, each judged by uv
//! where uv can answer (`uv tree --frozen --offline --invert --package X`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use support::cli::run;
use support::git::Repo;

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn affected_names(dir: &Path, base: &str) -> BTreeSet<String> {
    run(
        dir,
        &["affected", "--base", base, "--manifest-path", "Cargo.toml"],
        &[],
    )
    .names()
}

/// A uv workspace: `lib` has `six` in its extra `viz` and `iniconfig` in its `dev` group;
/// `app` requires plain `lib`, `other` requires `lib[viz]`. Its `uv.lock` is what `uv lock`
/// writes (hashes and URLs left out; `uv tree --frozen` reads it as is).
const LOCK: &str = r#"version = 1
revision = 5
requires-python = ">=3.11"

[manifest]
members = [
    "app",
    "lib",
    "other",
]

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "P/python/app" }
dependencies = [
    { name = "lib" },
]

[package.metadata]
requires-dist = [{ name = "lib", editable = "P/python/lib" }]

[[package]]
name = "iniconfig"
version = "2.3.1"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "lib"
version = "0.1.0"
source = { editable = "P/python/lib" }

[package.optional-dependencies]
viz = [
    { name = "six" },
]

[package.dev-dependencies]
dev = [
    { name = "iniconfig" },
]

[package.metadata]
requires-dist = [{ name = "six", marker = "extra == 'viz'" }]
provides-extras = ["viz"]

[package.metadata.requires-dev]
dev = [{ name = "iniconfig" }]

[[package]]
name = "other"
version = "0.1.0"
source = { virtual = "P/python/other" }
dependencies = [
    { name = "lib", extra = ["viz"] },
]

[package.metadata]
requires-dist = [{ name = "lib", extras = ["viz"], editable = "P/python/lib" }]

[[package]]
name = "six"
version = "1.17.0"
source = { registry = "https://pypi.org/simple" }
"#;

fn extras_and_groups_workspace() -> (tempfile::TempDir, Repo) {
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"CA/rust/*\"]\nresolver = \"2\"\n",
        ),
        (
            "CA/rust/core/Cargo.toml",
            "[package]\nname = \"core\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        (
            "pyproject.toml",
            "[tool.uv.workspace]\nmembers = [\"P/python/*\"]\n",
        ),
        (
            "P/python/lib/pyproject.toml",
            "[project]\nname = \"lib\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n\
             dependencies = []\n[project.optional-dependencies]\nviz = [\"six\"]\n\
             [dependency-groups]\ndev = [\"iniconfig\"]\n",
        ),
        (
            "P/python/app/pyproject.toml",
            "[project]\nname = \"app\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n\
             dependencies = [\"lib\"]\n[tool.uv.sources]\nlib = { workspace = true }\n",
        ),
        (
            "P/python/other/pyproject.toml",
            "[project]\nname = \"other\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n\
             dependencies = [\"lib[viz]\"]\n[tool.uv.sources]\nlib = { workspace = true }\n",
        ),
        ("uv.lock", LOCK),
    ]);
    let repo = Repo::init(dir.path());
    repo.commit_all("base");
    (dir, repo)
}

/// A third-party package in one member's `dev` group changes in `uv.lock`: uv's inverted
/// tree shows that member only (groups are not installed with the package), so its
/// dependents are not affected. We used to propagate the lock's seed over the Python edges.
#[test]
fn a_dev_group_bump_in_uv_lock_stops_at_the_member() {
    let (dir, repo) = extras_and_groups_workspace();
    repo.replace("uv.lock", "2.3.1", "2.0.0");
    repo.commit_all("bump iniconfig");
    let ours = affected_names(dir.path(), "HEAD~1");
    assert_eq!(ours, set(&["lib"]));
    if support::require_tool(support::UV.0, support::UV.1) {
        assert_eq!(ours, support::uv::invert(dir.path(), "iniconfig"));
    }
}

/// A third-party package in one member's extra changes in `uv.lock`: the members requiring
/// that extra are affected, not a member requiring the plain package (its install does not
/// hold it). We used to walk every extra of every package in the lock.
#[test]
fn an_extra_only_bump_in_uv_lock_skips_plain_requirers() {
    let (dir, repo) = extras_and_groups_workspace();
    repo.replace("uv.lock", "1.17.0", "1.16.0");
    repo.commit_all("bump six");
    let ours = affected_names(dir.path(), "HEAD~1");
    assert_eq!(ours, set(&["lib", "other"]));
    if support::require_tool(support::UV.0, support::UV.1) {
        assert_eq!(ours, support::uv::invert(dir.path(), "six"));
    }
}

/// `affected --base HEAD~1 --kind python` is exactly `want`, and (when uv is there) it is what
/// uv says: `changed` and the packages `uv tree --invert` shows above it, after `uv lock`.
fn python_affected_as_uv_says(dir: &Path, changed: &str, want: &[&str]) {
    let ours = run(
        dir,
        &["affected", "--base", "HEAD~1", "--kind", "python"],
        &[],
    )
    .names();
    assert_eq!(ours, set(want));
    if support::require_tool(support::UV.0, support::UV.1) {
        let (ok, stderr) = support::uv::lock_offline(dir);
        assert!(ok, "{stderr}");
        let mut uv = support::uv::invert(dir, changed);
        uv.insert(changed.to_string());
        assert_eq!(ours, uv);
    }
}

/// `[tool.uv.sources]` with a list of marker-dependent sources whose first entry is
/// `{ workspace = true }` and whose second is an index: uv refuses it for a workspace member
/// ("Workspace members must be declared as workspace sources"), and on the other platform the
/// package would come from the index. We used to read the first entry only and pass it.
#[test]
fn a_marker_list_source_with_an_index_entry_is_not_a_workspace_source() {
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"CA/rust/*\"]\nresolver = \"2\"\n",
        ),
        (
            "CA/rust/core/Cargo.toml",
            "[package]\nname = \"core\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        (
            "pyproject.toml",
            "[tool.uv.workspace]\nmembers = [\"P/python/*\"]\n\n[[tool.uv.index]]\n\
             name = \"internal\"\nurl = \"https://example.invalid/simple\"\nexplicit = true\n\n\
             [tool.uv.sources]\nbase = [\n  { workspace = true, marker = \"sys_platform != 'win32'\" },\n  \
             { index = \"internal\", marker = \"sys_platform == 'win32'\" },\n]\n",
        ),
        (
            "P/python/base/pyproject.toml",
            "[project]\nname = \"base\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n",
        ),
        (
            "P/python/app/pyproject.toml",
            "[project]\nname = \"app\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n\
             dependencies = [\"base\"]\n",
        ),
    ]);
    let r = support::cli::lint_deps(dir.path(), &["--manifest-path", "Cargo.toml"]);
    assert_eq!(r.code, 1, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("missing-workspace-source")
            || r.stderr.contains("missing-workspace-source"),
        "stdout: {}\nstderr: {}",
        r.stdout,
        r.stderr
    );
    if support::require_tool(support::UV.0, support::UV.1) {
        let (ok, stderr) = support::uv::lock_offline(dir.path());
        assert!(!ok, "uv locked it");
        assert!(
            stderr.contains("must be declared as workspace sources"),
            "{stderr}"
        );
    }
}

/// `[project] name = ""` (or `"-bad name-"`): uv refuses it ("Not a valid package or extra
/// name"). We used to take it, and `affected --kind python` printed an empty line for it.
#[test]
fn an_invalid_distribution_name_is_exit_2_with_file_and_line() {
    for name in ["", "-bad name-"] {
        let dir = support::write_workspace(&[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"CA/rust/*\"]\nresolver = \"2\"\n",
            ),
            (
                "CA/rust/core/Cargo.toml",
                "[package]\nname = \"core\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
            (
                "pyproject.toml",
                "[tool.uv.workspace]\nmembers = [\"P/python/*\"]\n",
            ),
            (
                "P/python/app/pyproject.toml",
                &format!("[project]\nname = \"{name}\"\nversion = \"0.1.0\"\n"),
            ),
        ]);
        let repo = Repo::init(dir.path());
        repo.commit_all("base");
        repo.append("P/python/app/x.py", "");
        let r = run(
            dir.path(),
            &["affected", "--base", "HEAD", "--kind", "python"],
            &[],
        );
        assert_eq!(
            r.code, 2,
            "{name:?}: stdout {:?} stderr {}",
            r.stdout, r.stderr
        );
        assert!(
            r.stderr.contains("P/python/app/pyproject.toml:2:"),
            "{}",
            r.stderr
        );
        let r = support::cli::lint_deps(dir.path(), &[]);
        assert_eq!(r.code, 2, "{name:?}: {}", r.stderr);
        if support::require_tool(support::UV.0, support::UV.1) {
            let (ok, stderr) = support::uv::lock_offline(dir.path());
            assert!(!ok && stderr.contains("Not a valid package"), "{stderr}");
        }
    }
}

/// A cargo workspace of one plain crate, `core` at `CA/rust/core`.
const CORE_CRATE: [(&str, &str); 3] = [
    (
        "Cargo.toml",
        "[workspace]\nmembers = [\"CA/rust/*\"]\nresolver = \"2\"\n",
    ),
    (
        "CA/rust/core/Cargo.toml",
        "[package]\nname = \"core\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    ),
    ("CA/rust/core/src/lib.rs", ""),
];

/// A uv member nested in a (non-PyO3) crate's folder, or in that very folder (a
/// `pyproject.toml` beside the crate's `Cargo.toml`): a change to its files (its Python
/// sources, its `pyproject.toml`, and in the second layout the crate's own sources, which uv
/// installs from that folder too) reaches it and its dependents (`uv tree --invert --package
/// pyhelpers` shows `app`). We used to map the file to the crate only, and no Python package
/// was affected; the same-folder layout stayed so after the nested one was fixed.
#[test]
fn a_python_package_inside_a_crate_folder_is_reached_by_its_files() {
    for (pkg_dir, changed) in [
        (
            "CA/rust/core/pyhelpers",
            "CA/rust/core/pyhelpers/src/pyhelpers/__init__.py",
        ),
        ("CA/rust/core", "CA/rust/core/src/pyhelpers/__init__.py"),
        ("CA/rust/core", "CA/rust/core/pyproject.toml"),
        ("CA/rust/core", "CA/rust/core/src/lib.rs"),
    ] {
        let root_py = format!(
            "[tool.uv.workspace]\nmembers = [\"P/python/*\", \"{pkg_dir}\"]\n\n\
             [tool.uv.sources]\npyhelpers = {{ workspace = true }}\n"
        );
        let pyproject = format!("{pkg_dir}/pyproject.toml");
        let init = format!("{pkg_dir}/src/pyhelpers/__init__.py");
        let dir = support::write_workspace(&[
            CORE_CRATE[0],
            CORE_CRATE[1],
            CORE_CRATE[2],
            ("pyproject.toml", root_py.as_str()),
            (
                pyproject.as_str(),
                "[project]\nname = \"pyhelpers\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n",
            ),
            (init.as_str(), ""),
            (
                "P/python/app/pyproject.toml",
                "[project]\nname = \"app\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n\
                 dependencies = [\"pyhelpers\"]\n",
            ),
        ]);
        let repo = Repo::init(dir.path());
        repo.commit_all("base");
        repo.append(changed, "\n");
        repo.commit_all("change");
        python_affected_as_uv_says(dir.path(), "pyhelpers", &["app", "pyhelpers"]);
    }
}

/// Deleting a leaf Python package (no one requires it; uv's lock just drops it): its files
/// map to nothing, as `docs/python.md` says. We used to send them to the `unmatched` policy,
/// whose default (`all`) marked every crate and every Python package.
#[test]
fn a_deleted_python_package_marks_nothing() {
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"CA/rust/*\"]\nresolver = \"2\"\n",
        ),
        (
            "CA/rust/core/Cargo.toml",
            "[package]\nname = \"core\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        (
            "pyproject.toml",
            "[tool.uv.workspace]\nmembers = [\"P/python/*\"]\n",
        ),
        (
            "P/python/lib/pyproject.toml",
            "[project]\nname = \"lib\"\nversion = \"0.1.0\"\n",
        ),
        (
            "P/python/gone/pyproject.toml",
            "[project]\nname = \"Gone\"\nversion = \"0.1.0\"\n",
        ),
        ("P/python/gone/src/gone/__init__.py", ""),
    ]);
    let repo = Repo::init(dir.path());
    repo.commit_all("base");
    repo.git(&["rm", "-rq", "P/python/gone"]);
    repo.commit_all("delete gone");
    let r = run(dir.path(), &["affected", "--base", "HEAD~1"], &[]);
    assert_eq!(r.names(), set(&[]), "stderr: {}", r.stderr);
    assert!(!r.stderr.contains("every crate"), "{}", r.stderr);
    // The JSON says why its files mark nothing.
    let json = run(
        dir.path(),
        &["affected", "--base", "HEAD~1", "--format", "json"],
        &[],
    )
    .json();
    let notes: Vec<&str> = json["changed_files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["note"].as_str())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("the Python package `Gone` at P/python/gone was deleted")),
        "{json:#}"
    );
}

/// maturin's mixed-project layout: the Python project `ca-bindings` (maturin backend) builds
/// the PyO3 crate `ca_py` through `[tool.maturin] manifest-path`. A change to a crate `ca_py`
/// depends on changes the `ca-bindings` wheel, and `app`, which requires it (uv's inverted
/// tree of `ca-bindings` shows `app`). We used to stop at the crate.
#[test]
fn a_maturin_manifest_path_project_is_reached_by_its_crate() {
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"CA/rust/*\"]\nresolver = \"2\"\n",
        ),
        (
            "CA/rust/core/Cargo.toml",
            "[package]\nname = \"core\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        (
            "CA/rust/ca_py/Cargo.toml",
            "[package]\nname = \"ca_py\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
             [lib]\ncrate-type = [\"cdylib\", \"rlib\"]\n\
             [package.metadata.ccworkspace]\nkind = \"pyo3\"\n\
             [dependencies]\ncore = { path = \"../core\" }\n",
        ),
        (
            "CA/python/ca_bindings/pyproject.toml",
            "[project]\nname = \"ca-bindings\"\nversion = \"0.1.0\"\n\
             [build-system]\nrequires = [\"maturin>=1.9.4,<2\"]\nbuild-backend = \"maturin\"\n\
             [tool.maturin]\nmanifest-path = \"../../rust/ca_py/Cargo.toml\"\n",
        ),
        (
            "pyproject.toml",
            "[tool.uv.workspace]\nmembers = [\"*/python/*\"]\n\n\
             [tool.uv.sources]\nca-bindings = { workspace = true }\n",
        ),
        (
            "P/python/app/pyproject.toml",
            "[project]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"ca-bindings\"]\n",
        ),
        (
            "P/python/other/pyproject.toml",
            "[project]\nname = \"other\"\nversion = \"0.1.0\"\n",
        ),
    ]);
    let repo = Repo::init(dir.path());
    repo.commit_all("base");
    repo.append("CA/rust/core/src/lib.rs", "// changed\n");
    repo.commit_all("change");
    let ours = affected_names(dir.path(), "HEAD~1");
    assert_eq!(ours, set(&["app", "ca-bindings", "ca_py", "core"]));
}

/// The same layout with the project named as the crate (`ca_py`, maturin's own default) and
/// no `pyproject.toml` in the crate's folder: the project is the distribution `ca-py` (uv locks
/// it from `CA/python/ca_py`), not a second one beside the crate, so `lint-deps` neither
/// refuses two packages named `ca-py` nor asks the crate for a `pyproject.toml` of its own
/// (maturin runs in the project's folder, never the crate's), and a change to the crate's
/// dependency reaches the project and `app`. Both used to fail (exit 2: "both name the
/// distribution").
#[test]
fn a_maturin_project_named_as_its_crate_is_that_crate_s_distribution() {
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"CA/rust/*\"]\nresolver = \"2\"\n\
             [workspace.dependencies]\ncore = { path = \"CA/rust/core\" }\n",
        ),
        (
            "CA/rust/core/Cargo.toml",
            "[package]\nname = \"core\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        ("CA/rust/core/src/lib.rs", ""),
        (
            "CA/rust/ca_py/Cargo.toml",
            "[package]\nname = \"ca_py\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
             [lib]\ncrate-type = [\"cdylib\", \"rlib\"]\n\
             [package.metadata.ccworkspace]\nkind = \"pyo3\"\n\
             [dependencies]\ncore = { workspace = true }\n",
        ),
        ("CA/rust/ca_py/src/lib.rs", ""),
        (
            "CA/python/ca_py/pyproject.toml",
            "[project]\nname = \"ca_py\"\nversion = \"0.1.0\"\n\
             [build-system]\nrequires = [\"maturin>=1.9.4,<2\"]\nbuild-backend = \"maturin\"\n\
             [tool.maturin]\nmanifest-path = \"../../rust/ca_py/Cargo.toml\"\n",
        ),
        (
            "pyproject.toml",
            "[project]\nname = \"mono\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\n\
             [tool.uv.workspace]\nmembers = [\"*/python/*\"]\n",
        ),
        (
            "P/python/app/pyproject.toml",
            "[project]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"ca-py\"]\n\
             [tool.uv.sources]\nca-py = { workspace = true }\n",
        ),
    ]);
    let r = support::cli::lint_deps(dir.path(), &["--manifest-path", "Cargo.toml"]);
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    let (locked, stderr) = support::uv::lock_offline(dir.path());
    assert!(locked, "{stderr}");
    let lock = std::fs::read_to_string(dir.path().join("uv.lock")).unwrap();
    assert!(
        lock.contains(
            "name = \"ca-py\"\nversion = \"0.1.0\"\nsource = { editable = \"CA/python/ca_py\" }"
        ),
        "{lock}"
    );
    let repo = Repo::init(dir.path());
    repo.commit_all("base");
    repo.append("CA/rust/core/src/lib.rs", "// changed\n");
    repo.commit_all("change");
    let ours = affected_names(dir.path(), "HEAD~1");
    assert_eq!(ours, set(&["app", "ca-py", "ca_py", "core"]));
}

/// A folder that joins the uv workspace without a file of its own changing (its `exclude`
/// entry removed): uv.lock's `[manifest] members` gains it, and it is affected (its tests never
/// ran as a member). It used to be left out: no file of `c` was in the diff.
#[test]
fn a_package_that_joins_the_workspace_is_affected() {
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"CA/rust/*\"]\nresolver = \"2\"\n",
        ),
        (
            "CA/rust/core/Cargo.toml",
            "[package]\nname = \"core\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        (
            "pyproject.toml",
            "[tool.uv.workspace]\nmembers = [\"py/*\"]\nexclude = [\"py/c\"]\n",
        ),
        (
            "py/a/pyproject.toml",
            "[project]\nname = \"a\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\n",
        ),
        (
            "py/b/pyproject.toml",
            "[project]\nname = \"b\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\n",
        ),
        (
            "py/c/pyproject.toml",
            "[project]\nname = \"c\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\n",
        ),
    ]);
    let (locked, stderr) = support::uv::lock_offline(dir.path());
    assert!(locked, "{stderr}");
    let repo = Repo::init(dir.path());
    repo.commit_all("base");
    repo.write(
        "pyproject.toml",
        "[tool.uv.workspace]\nmembers = [\"py/*\"]\n",
    );
    let (locked, stderr) = support::uv::lock_offline(dir.path());
    assert!(locked, "{stderr}");
    let lock = std::fs::read_to_string(dir.path().join("uv.lock")).unwrap();
    assert!(
        lock.contains("members = [\n    \"a\",\n    \"b\",\n    \"c\",\n]"),
        "{lock}"
    );
    repo.commit_all("c joins");
    assert_eq!(affected_names(dir.path(), "HEAD~1"), set(&["c"]));
}

/// `.python-version` pins `3.11` and a member asks `requires-python = ">=3.11.5"`: uv takes
/// the newest 3.11 it has and locks the workspace. We used to compare with 3.11.0 and report
/// `incompatible-requires-python`, saying uv would not lock it.
#[test]
fn a_minor_only_python_version_allows_a_patch_lower_bound() {
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"CA/rust/*\"]\nresolver = \"2\"\n",
        ),
        (
            "CA/rust/core/Cargo.toml",
            "[package]\nname = \"core\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        (
            "pyproject.toml",
            "[tool.uv.workspace]\nmembers = [\"P/python/*\"]\n",
        ),
        (".python-version", "3.11\n"),
        (
            "P/python/app/pyproject.toml",
            "[project]\nname = \"app\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11.5\"\n",
        ),
    ]);
    let r = support::cli::lint_deps(dir.path(), &["--manifest-path", "Cargo.toml"]);
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    // Still a finding when no 3.11.x is allowed.
    std::fs::write(
        dir.path().join("P/python/app/pyproject.toml"),
        "[project]\nname = \"app\"\nversion = \"0.1.0\"\nrequires-python = \"!=3.11.*\"\n",
    )
    .unwrap();
    let r = support::cli::lint_deps(dir.path(), &["--manifest-path", "Cargo.toml"]);
    assert_eq!(r.code, 1, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
}

/// uv's legacy `[tool.uv] dev-dependencies` (still read by uv 0.13, as the `dev` group):
/// `uv tree --invert --package lib` shows `tools (group: dev)`. We used to ignore the table.
#[test]
fn legacy_tool_uv_dev_dependencies_are_the_dev_group() {
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"CA/rust/*\"]\nresolver = \"2\"\n",
        ),
        (
            "CA/rust/core/Cargo.toml",
            "[package]\nname = \"core\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        (
            "pyproject.toml",
            "[tool.uv.workspace]\nmembers = [\"P/python/*\"]\n\n\
             [tool.uv.sources]\nlib = { workspace = true }\n",
        ),
        (
            "P/python/lib/pyproject.toml",
            "[project]\nname = \"lib\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n",
        ),
        (
            "P/python/tools/pyproject.toml",
            "[project]\nname = \"tools\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n\n\
             [tool.uv]\ndev-dependencies = [\"lib\"]\n",
        ),
        (
            "P/python/later/pyproject.toml",
            "[project]\nname = \"later\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n\
             dependencies = [\"tools\"]\n\n[tool.uv.sources]\ntools = { workspace = true }\n",
        ),
    ]);
    let repo = Repo::init(dir.path());
    repo.commit_all("base");
    repo.append("P/python/lib/lib.py", "X = 1\n");
    repo.commit_all("change");
    python_affected_as_uv_says(dir.path(), "lib", &["lib", "tools"]);
}

/// A member's `pyproject.toml` that is not UTF-8, or that lists `name` in `[project]
/// dynamic`: exit 2 naming the file, the line and what is wrong. We used to say "stream did
/// not contain valid UTF-8" without a line, and "without a `name`" for the dynamic one.
#[test]
fn non_utf8_and_dynamic_name_say_where_and_why() {
    let cases: [(&[u8], &str); 2] = [
        (
            b"[project]\nversion = \"1\"\nname = \"app\xff\"\n",
            "P/python/app/pyproject.toml:3:12: the file is not UTF-8",
        ),
        (
            b"[project]\ndynamic = [\"version\", \"name\"]\n",
            "lists `name` in `[project] dynamic`",
        ),
    ];
    for (bytes, want) in cases {
        let dir = support::write_workspace(&[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"CA/rust/*\"]\nresolver = \"2\"\n",
            ),
            (
                "CA/rust/core/Cargo.toml",
                "[package]\nname = \"core\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
            (
                "pyproject.toml",
                "[tool.uv.workspace]\nmembers = [\"P/python/*\"]\n",
            ),
        ]);
        std::fs::create_dir_all(dir.path().join("P/python/app")).unwrap();
        std::fs::write(dir.path().join("P/python/app/pyproject.toml"), bytes).unwrap();
        let repo = Repo::init(dir.path());
        repo.commit_all("base");
        let r = run(dir.path(), &["affected", "--base", "HEAD"], &[]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains(want), "{}", r.stderr);
    }
}

/// A project that is no uv member, installed by a member through a `[tool.uv.sources]` `path`
/// (uv locks it as `source = { directory = ... }`): its files are the requirer's, wherever
/// its folder is. Inside another package's folder, inside a crate's folder, or outside
/// everything, a change to it reaches the requirer and the requirer's dependents, as
/// `uv tree --invert --package sub` shows, whether the requirer declares the source or
/// inherits the root's. A requirement only in a dependency group
/// affects the package but not its dependents. We used to map such a file to the package or
/// crate whose folder held it (missing `b` and `d`), or to every package.
#[test]
fn a_non_member_path_dependency_s_files_reach_its_requirers() {
    let layouts = [
        ("P/python/a/sub", "P/python/a/sub/y.py", Some("a")),
        ("CA/rust/core", "CA/rust/core/y.py", None),
        ("libs/sub", "libs/sub/src/sub/__init__.py", None),
    ];
    // The source in each requirer (relative to its folder), or once in the root
    // `pyproject.toml` (relative to the root), which members without one inherit.
    for ((sub_dir, changed, folder_owner), inherited) in
        layouts.into_iter().flat_map(|l| [(l, false), (l, true)])
    {
        let (own_source, root_source) = if inherited {
            (
                String::new(),
                format!("\n[tool.uv.sources]\nsub = {{ path = \"{sub_dir}\" }}\n"),
            )
        } else {
            (
                format!("\n[tool.uv.sources]\nsub = {{ path = \"../../../{sub_dir}\" }}\n"),
                String::new(),
            )
        };
        let root = format!("[tool.uv.workspace]\nmembers = [\"P/python/*\"]\n{root_source}");
        let b = format!(
            "[project]\nname = \"b\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n\
             dependencies = [\"sub\"]\n{own_source}"
        );
        let e = format!(
            "[project]\nname = \"e\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n\n\
             [dependency-groups]\ndev = [\"sub\"]\n{own_source}"
        );
        let sub = format!("{sub_dir}/pyproject.toml");
        let member = |name: &str, dep: &str| {
            format!(
                "[project]\nname = \"{name}\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n\
                 dependencies = [\"{dep}\"]\n\n[tool.uv.sources]\n{dep} = {{ workspace = true }}\n"
            )
        };
        let (d, f) = (member("d", "b"), member("f", "e"));
        let dir = support::write_workspace(&[
            CORE_CRATE[0],
            CORE_CRATE[1],
            CORE_CRATE[2],
            ("pyproject.toml", root.as_str()),
            (
                "P/python/a/pyproject.toml",
                "[project]\nname = \"a\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n",
            ),
            ("P/python/b/pyproject.toml", b.as_str()),
            ("P/python/d/pyproject.toml", d.as_str()),
            ("P/python/e/pyproject.toml", e.as_str()),
            ("P/python/f/pyproject.toml", f.as_str()),
            (
                sub.as_str(),
                "[project]\nname = \"sub\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n\n\
                 [build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n",
            ),
        ]);
        let repo = Repo::init(dir.path());
        repo.commit_all("base");
        repo.append(changed, "\n");
        repo.commit_all("change");
        let ours = run(
            dir.path(),
            &["affected", "--base", "HEAD~1", "--kind", "python"],
            &[],
        )
        .names();
        let mut want = set(&["b", "d", "e"]);
        want.extend(folder_owner.map(str::to_string));
        assert_eq!(ours, want, "{changed}, inherited: {inherited}");
        if support::require_tool(support::UV.0, support::UV.1) {
            let (ok, stderr) = support::uv::lock_offline(dir.path());
            assert!(ok, "{stderr}");
            // uv's inverted tree stops at a dependency group too (`e`, not `f`).
            let uv = support::uv::invert(dir.path(), "sub");
            let ours_from_sub: BTreeSet<String> = ours
                .iter()
                .filter(|n| Some(n.as_str()) != folder_owner)
                .cloned()
                .collect();
            assert_eq!(ours_from_sub, uv, "{changed}, inherited: {inherited}");
        }
    }
}
