#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `init` and `new` for the Python half, judged by uv.
//!
//! - `init`, then `new --python` and `new --pyo3`: the root `pyproject.toml` is a uv workspace
//!   that covers both, and `uv lock` accepts it and lists them as its members (`uv.lock`'s
//!   `[manifest] members`).
//! - `init --add-missing` on a repository with a `pyproject.toml` adds `[tool.uv.workspace]`
//!   to it (comments kept) with its PyO3 crates and an `exclude` for a non-package folder.
//! - Bad input to `new --python`: exit 2, nothing written.
//! - The bundled example: in a copy of `fixtures/citychain`, `uv run --package
//!   citychain-attest pytest DAGs/python/attest` builds the `citychain-ca` wheel (maturin) and
//!   the package's tests import it and pass; `uv lock` lists every package and PyO3 crate.
//!
//! uv fetches maturin and hatchling from PyPI into its build environments, and cargo the pyo3
//! crates from crates.io. Under `CI=true` a missing `uv` or `maturin` fails these tests.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_cargo-ccworkspace");

fn tool(cwd: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(cwd)
        .args(["--color", "never"])
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ok(cwd: &Path, args: &[&str]) -> (String, String) {
    let out = tool(cwd, args);
    assert!(
        out.status.success(),
        "cargo-ccworkspace {args:?} exited {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    (text(&out.stdout), text(&out.stderr))
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

/// A shared target dir for the PyO3 builds of these tests, so reruns are incremental.
fn target_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(name)
}

/// `uv ARGS` in `dir`, required to succeed; returns stdout and stderr.
fn uv(dir: &Path, args: &[&str], target: &Path) -> String {
    let out = Command::new(support::UV.0)
        .current_dir(dir)
        .args(args)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("VIRTUAL_ENV")
        .env_remove("RUSTC_WRAPPER")
        .output()
        .unwrap();
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "uv {args:?} failed:\n{all}");
    all
}

/// `[manifest] members` of `uv.lock`: the workspace members uv found.
fn locked_members(root: &Path) -> Vec<String> {
    let lock: toml::Table = toml::from_str(&read(root, "uv.lock")).unwrap();
    lock["manifest"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn init_and_new_make_a_uv_workspace_uv_locks() {
    if !support::require_tool(support::UV.0, support::UV.1) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    // Python 3.11: the interpreter CI has, so uv resolves without downloading one.
    ok(
        tmp.path(),
        &["init", "acme", "--domains", "DAGs,CA", "--python", "3.11"],
    );
    let root = tmp.path().join("acme");
    let pyproject = read(&root, "pyproject.toml");
    assert!(
        pyproject.contains("[tool.uv.workspace]\nmembers = [\n    \"*/python/*\",\n]\n"),
        "{pyproject}"
    );
    assert!(
        !pyproject.contains("\n[project]"),
        "a virtual root:\n{pyproject}"
    );

    let (_, err) = ok(&root, &["new", "DAGs/orchestration", "--python"]);
    assert!(
        err.contains(
            "Created Python package `orchestration` at DAGs/python/orchestration (3 files)"
        ),
        "{err}"
    );
    // The `*/python/*` glob covers it: the root is left alone.
    assert_eq!(read(&root, "pyproject.toml"), pyproject);
    let package = read(&root, "DAGs/python/orchestration/pyproject.toml");
    assert!(
        package.contains(
            "name = \"orchestration\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n"
        ),
        "{package}"
    );
    for file in [
        "DAGs/python/orchestration/src/orchestration/__init__.py",
        "DAGs/python/orchestration/tests/test_orchestration.py",
    ] {
        assert!(root.join(file).is_file(), "{file}");
    }

    let (_, err) = ok(&root, &["new", "CA/ca_py", "--pyo3"]);
    assert!(
        err.contains(
            "Updated pyproject.toml: added \"CA/rust/ca_py\" to [tool.uv.workspace] members"
        ),
        "{err}"
    );
    let pyproject = read(&root, "pyproject.toml");
    assert!(
        pyproject.contains("members = [\n    \"*/python/*\",\n    \"CA/rust/ca_py\",\n]\n"),
        "{pyproject}"
    );
    // A library is no Python project: the root stays as it is.
    ok(&root, &["new", "CA/ca_core", "--lib"]);
    assert_eq!(read(&root, "pyproject.toml"), pyproject);
    // The PyO3 crate's pyproject.toml requires the same Python as the package.
    assert!(read(&root, "CA/rust/ca_py/pyproject.toml").contains("requires-python = \">=3.11\""));

    uv(&root, &["lock"], &target_dir("init-python-target"));
    assert_eq!(locked_members(&root), ["ca-py", "orchestration"]);
    // The generated files still pass the Rust-side checks.
    ok(&root, &["dockerfile", "--check"]);
    ok(&root, &["lint-deps"]);
}

#[test]
fn init_adds_a_uv_workspace_to_an_existing_pyproject() {
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nresolver = \"2\"\nmembers = [\"DAGs/rust/*\"]\n",
        ),
        (
            "DAGs/rust/dag_py/Cargo.toml",
            "[package]\nname = \"dag_py\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [lib]\ncrate-type = [\"cdylib\"]\n",
        ),
        (
            "DAGs/rust/dag_py/pyproject.toml",
            "[build-system]\nrequires = [\"maturin>=1.9.4,<2\"]\nbuild-backend = \"maturin\"\n\n\
             [project]\nname = \"dags\"\nversion = \"0.1.0\"\n",
        ),
        (
            "DAGs/python/orch/pyproject.toml",
            "[project]\nname = \"orch\"\nversion = \"0.1.0\"\n",
        ),
        ("DAGs/python/tests/test_x.py", ""),
        (
            "pyproject.toml",
            "# our tools\n[tool.ruff]\nline-length = 100 # wide\n",
        ),
    ]);
    let root = dir.path();
    let dry = ok(root, &["init", ".", "--add-missing", "--dry-run"]).0;
    assert!(dry.contains("update pyproject.toml\n"), "{dry}");
    assert_eq!(
        read(root, "pyproject.toml"),
        "# our tools\n[tool.ruff]\nline-length = 100 # wide\n"
    );
    let (_, err) = ok(root, &["init", ".", "--add-missing"]);
    assert!(
        err.contains("Updated pyproject.toml: added [tool.uv.workspace]"),
        "{err}"
    );
    let pyproject = read(root, "pyproject.toml");
    assert!(
        pyproject.starts_with("# our tools\n[tool.ruff]\nline-length = 100 # wide\n"),
        "{pyproject}"
    );
    let ws = pyproject.split_once("[tool.uv.workspace]\n").unwrap().1;
    assert_eq!(
        ws,
        "members = [\n    \"*/python/*\",\n    \"DAGs/rust/dag_py\",\n]\n\
         exclude = [\n    \"DAGs/python/tests\",\n]\n"
    );
    // A second run keeps the file: it has a uv workspace now.
    let (_, err) = ok(root, &["init", ".", "--add-missing"]);
    assert!(err.contains("skipped pyproject.toml"), "{err}");
    assert_eq!(read(root, "pyproject.toml"), pyproject);
}

/// `new --pyo3` writes the crate whatever the uv workspace says, and says where it stands:
/// under an `exclude` glob (a warning: `uv sync` leaves it out, the root left alone), or with no
/// `[tool.uv.workspace]` at all (a note naming `init --add-missing`).
#[test]
fn new_pyo3_says_when_uv_will_not_build_it() {
    let tmp = tempfile::tempdir().unwrap();
    ok(tmp.path(), &["init", "acme", "--domains", "DAGs"]);
    let root = tmp.path().join("acme");
    let pyproject = read(&root, "pyproject.toml").replace(
        "[dependency-groups]",
        "exclude = [\"DAGs/rust/old_py\"]\n\n[dependency-groups]",
    );
    std::fs::write(root.join("pyproject.toml"), &pyproject).unwrap();
    let (_, err) = ok(&root, &["new", "DAGs/old_py", "--pyo3"]);
    assert!(
        err.contains(
            "DAGs/rust/old_py is under an `exclude` glob of [tool.uv.workspace] in pyproject.toml: `uv sync` leaves it out"
        ),
        "{err}"
    );
    assert_eq!(read(&root, "pyproject.toml"), pyproject);
    assert!(root.join("DAGs/rust/old_py/pyproject.toml").is_file());
    std::fs::remove_file(root.join("pyproject.toml")).unwrap();
    let (_, err) = ok(&root, &["new", "DAGs/new_py", "--pyo3"]);
    assert!(
        err.contains("the root pyproject.toml has no [tool.uv.workspace]")
            && err.contains("`cargo ccworkspace init --add-missing` adds one"),
        "{err}"
    );
    assert!(
        !root.join("pyproject.toml").exists(),
        "nothing written at the root"
    );
}

/// With the Python half turned off, `new --python` still writes the package (and still
/// refuses a name a package already has, as uv would), and says the tool will not see it.
#[test]
fn new_python_with_the_python_half_off_warns() {
    let tmp = tempfile::tempdir().unwrap();
    ok(tmp.path(), &["init", "acme", "--domains", "DAGs"]);
    let root = tmp.path().join("acme");
    let (_, err) = ok(&root, &["new", "DAGs/orch", "--python"]);
    // In a uv workspace uv finds the member by name from the root.
    assert!(
        err.contains("Next uv run --package orch pytest DAGs/python/orch"),
        "{err}"
    );
    let manifest = root.join("Cargo.toml");
    let before = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        format!("{before}\n[workspace.metadata.ccworkspace.python]\nenabled = false\n"),
    )
    .unwrap();
    let (_, err) = ok(&root, &["new", "DAGs/flows", "--python"]);
    assert!(err.contains("will not see it"), "{err}");
    assert!(root.join("DAGs/python/flows/pyproject.toml").is_file());
    // `orch` exists: a second package under that name in another domain is refused.
    let out = tool(&root, &["new", "Other/orch", "--python"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("the distribution name `orch` is taken"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn new_python_refuses_bad_input_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    ok(tmp.path(), &["init", "acme", "--domains", "DAGs"]);
    let root = tmp.path().join("acme");
    ok(&root, &["new", "DAGs/dag_py", "--pyo3"]);
    ok(&root, &["new", "DAGs/orch", "--python"]);
    // An excluded folder: the uv workspace's own `exclude`.
    let pyproject = read(&root, "pyproject.toml").replace(
        "[dependency-groups]",
        "exclude = [\"DAGs/python/old\"]\n\n[dependency-groups]",
    );
    std::fs::write(root.join("pyproject.toml"), &pyproject).unwrap();
    let before = support::files_under(&[], &root);
    let texts: Vec<String> = before.iter().map(|f| read(&root, f)).collect();
    let cases: [(&[&str], &str); 13] = [
        (
            &["new", "DAGs/1orch", "--python"],
            "`1orch` is not a valid Python package name",
        ),
        (
            &["new", "DAGs/orch-", "--python"],
            "`orch-` is not a valid Python package name",
        ),
        (
            &["new", "DAGs/import", "--python"],
            "`import` is a Python keyword",
        ),
        (
            &["new", "orch2", "--python"],
            "`orch2` is not DOMAIN/PACKAGE",
        ),
        (
            &["new", "DAGs/orch", "--python"],
            "DAGs/python/orch already exists; nothing was written",
        ),
        (
            &["new", "DAGs/Orch_", "--python"],
            "`Orch_` is not a valid Python package name",
        ),
        (
            &["new", "DAGs/dag-py", "--python"],
            "the distribution name `dag-py` is taken by DAGs/rust/dag_py/pyproject.toml; nothing was written",
        ),
        (
            &["new", "DAGs/old", "--python"],
            "DAGs/python/old is under an `exclude` glob of [tool.uv.workspace]",
        ),
        // A PyO3 crate's wheel is named after the crate: a distribution name (uv: "Not a
        // valid package or extra name"), which no Python package (uv: "Two workspace members
        // are both named") or other wheel has.
        (
            &["new", "DAGs/_native", "--pyo3"],
            "`_native` is no valid Python distribution name",
        ),
        (
            &["new", "DAGs/native_", "--pyo3"],
            "`native_` is no valid Python distribution name",
        ),
        (
            &["new", "CA/Orch", "--pyo3"],
            "the distribution name `orch` is taken by DAGs/python/orch/pyproject.toml",
        ),
        // A name the workspace installs from the index (the root's dev group): uv would take
        // the member in its place and refuse the requirement without a workspace source.
        (
            &["new", "CA/pytest", "--python"],
            "the distribution name `pytest` is one the workspace installs from the package index",
        ),
        (
            &["new", "CA/maturin", "--pyo3"],
            "the distribution name `maturin` is one the workspace installs from the package index",
        ),
    ];
    for (args, message) in cases {
        let out = tool(&root, args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let err = text(&out.stderr);
        assert!(err.contains(message), "{args:?}:\n{err}");
        assert!(err.contains("help: "), "{args:?}:\n{err}");
    }
    // Another spelling of a taken distribution name (PEP 503: `Orch` is `orch`) in another
    // domain.
    let out = tool(&root, &["new", "CA/ORCH", "--python"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("the distribution name `orch` is taken"));
    assert_eq!(support::files_under(&[], &root), before);
    let after: Vec<String> = before.iter().map(|f| read(&root, f)).collect();
    assert_eq!(after, texts);
}

#[test]
fn the_example_python_packages_test_against_their_wheels() {
    if !support::require_tool(support::UV.0, support::UV.1)
        || !support::require_tool(support::MATURIN.0, support::MATURIN.1)
    {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("citychain");
    support::git::copy_dir(&support::citychain(), &root);
    // This builds the citychain-ca wheel (ca_py, ca_signer, ca_core and pyo3) with maturin:
    // a minute or two on 2 cores the first time; the shared target dir makes reruns quick.
    let target = target_dir("citychain-uv-target");
    let out = uv(
        &root,
        &[
            "run",
            "--package",
            "citychain-attest",
            "pytest",
            "DAGs/python/attest",
        ],
        &target,
    );
    assert!(out.contains(" passed"), "{out}");
    assert!(!out.contains("skipped"), "{out}");
    // uv found every Python package and every PyO3 crate's project.
    assert_eq!(
        locked_members(&root),
        [
            "citychain-attest",
            "citychain-ca",
            "citychain-ca-verify",
            "citychain-dags",
            "citychain-ds-features",
            "citychain-login",
            "citychain-orchestration"
        ]
    );
    // The lockfile takes both workspace dependencies from the workspace.
    let lock = read(&root, "uv.lock");
    assert!(
        lock.contains("name = \"citychain-orchestration\"\nversion = \"0.3.0\"\nsource = { editable = \"DAGs/python/orchestration\" }\ndependencies = [\n    { name = \"citychain-dags\" },\n    { name = \"citychain-login\" },\n]"),
        "{lock}"
    );
}

/// In a workspace laid out as `crates/*`, `new` gives a new domain the glob `svc/*`, which
/// would take `svc/python` (the Python packages' folder, no `Cargo.toml`) for a crate; cargo
/// then refuses the workspace. Whichever comes first, the crate or the Python package, `new`
/// adds `svc/python` to `[workspace] exclude`, and cargo loads the workspace (the judge).
#[test]
fn new_keeps_a_domain_glob_off_the_python_folder_as_cargo_needs() {
    for python_first in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("crates/a/src")).unwrap();
        std::fs::write(
            root.join("Cargo.toml"),
            "[workspace]\nmembers = [\"crates/*\"] # flat\nresolver = \"2\"\n",
        )
        .unwrap();
        std::fs::write(
            root.join("crates/a/Cargo.toml"),
            "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        )
        .unwrap();
        std::fs::write(root.join("crates/a/src/lib.rs"), "").unwrap();
        let steps: [&[&str]; 2] = if python_first {
            [
                &["new", "svc/mypy", "--python"],
                &["new", "svc/fast", "--lib"],
            ]
        } else {
            [
                &["new", "svc/fast", "--lib"],
                &["new", "svc/mypy", "--python"],
            ]
        };
        let mut said = String::new();
        for step in steps {
            said.push_str(&ok(root, step).1);
        }
        assert!(
            said.contains("Cargo.toml: added \"svc/python\" to [workspace] exclude"),
            "{said}"
        );
        // No uv workspace: the package is its own uv project (`--package` would be refused).
        assert!(
            said.contains("Next uv run --project svc/python/mypy pytest svc/python/mypy"),
            "{said}"
        );
        let manifest = read(root, "Cargo.toml");
        assert!(
            manifest.contains("members = [\"crates/*\", \"svc/*\"] # flat"),
            "{manifest}"
        );
        let metadata = Command::new(env!("CARGO"))
            .current_dir(root)
            .args([
                "metadata",
                "--no-deps",
                "--format-version",
                "1",
                "--offline",
            ])
            .output()
            .unwrap();
        assert!(
            metadata.status.success(),
            "python first: {python_first}\n{manifest}\n{}",
            text(&metadata.stderr)
        );
        let (_, err) = ok(root, &["lint-deps"]);
        assert!(
            err.contains("Checked 2 members and 1 Python package: no findings"),
            "{err}"
        );
    }
}

/// `new` writes `requires-python` from the monorepo's Python (`.python-version`, else the root
/// `requires-python`, else the docker `python-version`, as `lint-deps` reads it), so a new
/// package allows it: `lint-deps` finds nothing and uv locks for that Python. And `init
/// --add-missing` keeps the Python the workspace records, warning when `--python` differs.
#[test]
fn new_packages_allow_the_monorepos_python() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("crates/a/src")).unwrap();
    std::fs::write(
        root.join("Cargo.toml"),
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n\n\
         [workspace.metadata.ccworkspace.docker]\npython-version = \"3.11\"\n",
    )
    .unwrap();
    std::fs::write(
        root.join("crates/a/Cargo.toml"),
        "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(root.join("crates/a/src/lib.rs"), "").unwrap();
    std::fs::write(
        root.join("pyproject.toml"),
        "# the monorepo\n[project]\nname = \"mono\"\nversion = \"0.1.0\"\nrequires-python = \">=3.10\"\n",
    )
    .unwrap();
    let (_, err) = ok(root, &["init", "--add-missing"]);
    assert!(!err.contains("records Python"), "{err}");
    assert!(
        read(root, "docker/builder.Dockerfile").contains("python:3.11-slim"),
        "the recorded Python"
    );
    ok(root, &["new", "svc/mypy", "--python"]);
    ok(root, &["new", "svc/fast_py", "--pyo3"]);
    for file in [
        "svc/python/mypy/pyproject.toml",
        "svc/fast_py/pyproject.toml",
    ] {
        assert!(
            read(root, file).contains("requires-python = \">=3.10\""),
            "{file}: {}",
            read(root, file)
        );
    }
    let (_, err) = ok(root, &["lint-deps"]);
    assert!(err.contains("no findings"), "{err}");
    if support::require_tool(support::UV.0, support::UV.1) {
        uv(root, &["lock"], &target_dir("floor"));
        let members = locked_members(root);
        assert!(
            members.contains(&"mypy".to_string()) && members.contains(&"fast-py".to_string()),
            "{members:?}"
        );
    }
    // An explicit --python that differs from the recorded one is said.
    let out = tool(root, &["init", "--add-missing", "--python", "3.12"]);
    assert!(
        text(&out.stderr).contains("records Python 3.11"),
        "{}",
        text(&out.stderr)
    );
}

/// A uv workspace laid out as `DAGs/*` (a package at `DAGs/foo`): `new DAGs/orch --python`
/// creates `DAGs/python`, and `new DAGs/fast --pyo3` creates `DAGs/rust`, which that glob
/// takes for members without a `pyproject.toml` (uv refuses the workspace: "is missing a
/// `pyproject.toml`"). `new` excludes each such folder it creates, as it does for cargo's
/// `DOMAIN/*`, and uv locks the result with both new projects as members.
#[test]
fn new_keeps_a_uv_glob_off_the_folders_it_creates() {
    // `DAGs/**` also takes the package's own folders (`src`, `tests`): they are excluded too.
    for (glob, recursive) in [("DAGs/*", false), ("DAGs/**", true)] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("DAGs/foo")).unwrap();
        std::fs::write(
            root.join("Cargo.toml"),
            "[workspace]\nmembers = []\nresolver = \"2\"\n",
        )
        .unwrap();
        std::fs::write(
            root.join("pyproject.toml"),
            format!("[tool.uv.workspace]\nmembers = [\"{glob}\"] # one folder per package\n"),
        )
        .unwrap();
        std::fs::write(
            root.join("DAGs/foo/pyproject.toml"),
            "[project]\nname = \"foo\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\n",
        )
        .unwrap();
        // Python 3.11: the interpreter CI has, so uv resolves without downloading one.
        std::fs::write(root.join(".python-version"), "3.11\n").unwrap();
        let (_, said) = ok(root, &["new", "DAGs/orch", "--python"]);
        assert!(
            said.contains("pyproject.toml: added \"DAGs/python\" to [tool.uv.workspace] exclude"),
            "{said}"
        );
        assert_eq!(
            said.contains("added \"DAGs/python/orch/tests\" to [tool.uv.workspace] exclude"),
            recursive,
            "{said}"
        );
        let (_, said) = ok(root, &["new", "DAGs/fast", "--pyo3"]);
        assert!(
            said.contains("pyproject.toml: added \"DAGs/rust\" to [tool.uv.workspace] exclude"),
            "{said}"
        );
        let root_py = read(root, "pyproject.toml");
        assert!(root_py.contains("# one folder per package"), "{root_py}");
        // A second package in the same domain finds the domain's folder excluded already.
        let (_, said) = ok(root, &["new", "DAGs/report", "--python"]);
        assert!(!said.contains("\"DAGs/python\" to"), "{said}");
        // A crate without a Python side: under `DAGs/**` its own folders are no members
        // either.
        let (_, said) = ok(root, &["new", "DAGs/kore", "--lib"]);
        assert_eq!(
            said.contains("added \"DAGs/rust/kore\" to [tool.uv.workspace] exclude"),
            recursive,
            "{said}"
        );
        let (_, err) = ok(root, &["lint-deps"]);
        assert!(err.contains("no findings"), "{glob}: {err}");
        if support::require_tool(support::UV.0, support::UV.1) {
            uv(root, &["lock"], &target_dir("uv-glob"));
            let mut members = locked_members(root);
            members.sort();
            assert_eq!(members, ["fast", "foo", "orch", "report"], "{glob}");
        }
    }
}

/// `new` starts a member's `requires-python` at the monorepo's Python (here the docker
/// default, 3.12) unless the members already allow no such Python together (`>=3.11,<3.12`):
/// then at the least Python they share, so uv still has one to lock for (it refused the
/// workspace: "Found conflicting Python requirements").
#[test]
fn new_starts_requires_python_where_the_members_leave_a_python() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for (path, text) in [
        (
            "Cargo.toml",
            "[workspace]\nmembers = []\nresolver = \"2\"\n",
        ),
        (
            "pyproject.toml",
            "[tool.uv.workspace]\nmembers = [\"*/python/*\"]\n",
        ),
        (
            "DAGs/python/old/pyproject.toml",
            "[project]\nname = \"old\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11,<3.12\"\n",
        ),
    ] {
        std::fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
        std::fs::write(root.join(path), text).unwrap();
    }
    ok(root, &["new", "DAGs/orch", "--python"]);
    let text = read(root, "DAGs/python/orch/pyproject.toml");
    assert!(text.contains("requires-python = \">=3.11\""), "{text}");
    if support::require_tool(support::UV.0, support::UV.1) {
        uv(root, &["lock"], &target_dir("members-python"));
    }
}

/// `init` keeps out of the uv workspace the folders uv refuses as members although they
/// have a `pyproject.toml`: one with settings only (`[tool.ruff]`: "No `project` table
/// found"), one with a uv workspace of its own ("Nested workspaces are not supported"), and a
/// PyO3 crate whose `pyproject.toml` has only maturin's `[build-system]` (its name comes from
/// `Cargo.toml`). uv locks what it writes.
#[test]
fn init_leaves_out_the_folders_uv_refuses_as_members() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for (path, text) in [
        (
            "Cargo.toml",
            "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\"]\n",
        ),
        (
            "crates/ext/Cargo.toml",
            "[package]\nname = \"ext\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[lib]\ncrate-type = [\"cdylib\"]\n",
        ),
        ("crates/ext/src/lib.rs", ""),
        (
            "crates/ext/pyproject.toml",
            "[build-system]\nrequires = [\"maturin>=1.9.4,<2\"]\nbuild-backend = \"maturin\"\n",
        ),
        (
            "tools/python/lint/pyproject.toml",
            "[tool.ruff]\nline-length = 99\n",
        ),
        (
            "vendor/python/sub/pyproject.toml",
            "[project]\nname = \"sub\"\nversion = \"0.1.0\"\n\n[tool.uv.workspace]\nmembers = [\"pkgs/*\"]\n",
        ),
        (
            "DAGs/python/orch/pyproject.toml",
            "[project]\nname = \"orch\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n",
        ),
    ] {
        std::fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
        std::fs::write(root.join(path), text).unwrap();
    }
    ok(root, &["init", ".", "--add-missing"]);
    let written = read(root, "pyproject.toml");
    for folder in ["tools/python/lint", "vendor/python/sub"] {
        assert!(written.contains(&format!("\"{folder}\"")), "{written}");
    }
    assert!(!written.contains("crates/ext"), "{written}");
    if support::require_tool(support::UV.0, support::UV.1) {
        uv(root, &["lock"], &target_dir("init-refused"));
        assert!(locked_members(root).contains(&"orch".to_string()));
    }
}

/// A PyO3 crate's wheel runs on the monorepo's Python and on its image's (the docker
/// `python-version`, which `dockerfile` builds the wheel for): with `.python-version` at 3.13
/// and images on 3.12, `new --pyo3` writes `requires-python = ">=3.12"`, and a crate that
/// excludes 3.12 is `incompatible-requires-python` (the image's pip refuses such a wheel:
/// "requires a different Python").
#[test]
fn a_pyo3_crate_allows_the_python_of_its_image() {
    let tmp = tempfile::tempdir().unwrap();
    ok(
        tmp.path(),
        &["init", "acme", "--domains", "DAGs", "--python", "3.12"],
    );
    let root = tmp.path().join("acme");
    std::fs::write(root.join(".python-version"), "3.13\n").unwrap();
    ok(&root, &["new", "DAGs/dp", "--pyo3"]);
    let pyproject = read(&root, "DAGs/rust/dp/pyproject.toml");
    assert!(
        pyproject.contains("requires-python = \">=3.12\""),
        "{pyproject}"
    );
    let (_, err) = ok(&root, &["lint-deps"]);
    assert!(err.contains("no findings"), "{err}");
    std::fs::write(
        root.join("DAGs/rust/dp/pyproject.toml"),
        pyproject.replace(">=3.12", ">=3.13"),
    )
    .unwrap();
    let out = tool(&root, &["lint-deps"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("excludes Python 3.12, which its image installs the wheel into"),
        "{err}"
    );
}
