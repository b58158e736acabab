//! `affected` over one graph of crates, PyO3 wheels and Python packages (`docs/python.md`),
//! through the binary, on small git repositories.
//!
//! Judges: the semantics written in `docs/python.md` for the hand-built workspaces, and uv
//! itself for generated uv workspaces: the Python packages we call affected by a change to
//! package X are the packages `uv tree --invert --package X` shows (uv's inverted tree shows a
//! dependency group's edge and stops there, as we do).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use proptest::prelude::*;
use support::cli::{Run, run};
use support::git::Repo;

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn krate(name: &str, deps: &str, extra: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{extra}\n[dependencies]\n{deps}"
    )
}

fn py(name: &str, body: &str) -> String {
    format!("[project]\nname = \"{name}\"\nversion = \"0.1.0\"\n{body}")
}

const MATURIN: &str =
    "[build-system]\nrequires = [\"maturin>=1.9.4,<2\"]\nbuild-backend = \"maturin\"\n";

/// Every Python package of [`monorepo`] (not the PyO3 crate's side).
const EVERY_PYTHON_PACKAGE: [&str; 8] = [
    "extra-user",
    "helpers",
    "later",
    "orch",
    "plain-user",
    "report",
    "tools",
    "viz-user",
];

/// The monorepo of issue 15, with `[workspace.metadata.ccworkspace.python]` globs (no uv
/// workspace):
///
/// - crates: `ca_core`; `ca_py` (PyO3, distribution `citychain-ca`, normal dependency on
///   `ca_core`, dev-dependency on `ca_testutil`, its `pyproject.toml` requires `helpers`);
///   `ca_testutil`; `ca_cli` (a binary on `ca_core`);
/// - Python packages under `DAGs/python/`: `orch` requires `citychain-ca`; `report` requires
///   `orch`; `tools` has `orch` in its `dev` group; `extra-user` has `orch` in its extra
///   `viz`; `viz-user` requires `extra-user[viz]`, `plain-user` plain `extra-user` (so a change
///   through the extra reaches `viz-user` only); `helpers`; `later` requires `tools` (so a
///   group edge into `tools` must not reach it).
fn monorepo() -> (tempfile::TempDir, Repo) {
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"CA/rust/*\"]\nresolver = \"2\"\n\n[workspace.metadata.ccworkspace.affected]\nunmatched = \"ignore\"\n",
        ),
        ("CA/rust/ca_core/Cargo.toml", &krate("ca_core", "", "")),
        (
            "CA/rust/ca_testutil/Cargo.toml",
            &krate("ca_testutil", "", ""),
        ),
        (
            "CA/rust/ca_cli/Cargo.toml",
            &krate("ca_cli", "ca_core = { path = \"../ca_core\" }\n", ""),
        ),
        (
            "CA/rust/ca_py/Cargo.toml",
            &format!(
                "{}\n[dev-dependencies]\nca_testutil = {{ path = \"../ca_testutil\" }}\n",
                krate(
                    "ca_py",
                    "ca_core = { path = \"../ca_core\" }\n",
                    "[lib]\ncrate-type = [\"cdylib\", \"rlib\"]\n"
                )
            ),
        ),
        (
            "CA/rust/ca_py/pyproject.toml",
            &format!(
                "{MATURIN}{}",
                py("citychain-ca", "dependencies = [\"helpers>=0.1\"]\n")
            ),
        ),
        (
            "DAGs/python/orch/pyproject.toml",
            &py("orch", "dependencies = [\"citychain_ca>=0.1\"]\n"),
        ),
        ("DAGs/python/orch/orch/__init__.py", ""),
        (
            "DAGs/python/report/pyproject.toml",
            &py("report", "dependencies = [\"orch\"]\n"),
        ),
        (
            "DAGs/python/tools/pyproject.toml",
            &py(
                "tools",
                "[dependency-groups]\ndev = [\"orch\", \"pytest\"]\n",
            ),
        ),
        (
            "DAGs/python/extra_user/pyproject.toml",
            &py(
                "extra_user",
                "[project.optional-dependencies]\nviz = [\"orch[all]; python_version >= '3.9'\"]\n",
            ),
        ),
        ("DAGs/python/helpers/pyproject.toml", &py("helpers", "")),
        ("DAGs/python/helpers/helpers.py", ""),
        ("DAGs/python/notes.txt", ""),
        (
            "DAGs/python/plain_user/pyproject.toml",
            &py("plain-user", "dependencies = [\"extra-user\"]\n"),
        ),
        (
            "DAGs/python/viz_user/pyproject.toml",
            &py("viz-user", "dependencies = [\"Extra_User[VIZ]\"]\n"),
        ),
        (
            "DAGs/python/later/pyproject.toml",
            &py("later", "dependencies = [\"tools\"]\n"),
        ),
    ]);
    std::fs::write(
        dir.path().join("CA/rust/ca_cli/src/main.rs"),
        "fn main() {}\n",
    )
    .unwrap();
    support::generator::run_cargo(dir.path(), &["generate-lockfile", "--offline"]).unwrap();
    let repo = Repo::init(dir.path());
    repo.write(".gitignore", "target/\n");
    repo.commit_all("base");
    (dir, repo)
}

fn affected(repo: &Repo, args: &[&str]) -> Run {
    let mut all = vec!["affected", "-q", "--base", "main"];
    all.extend_from_slice(args);
    run(&repo.dir, &all, &[])
}

/// The `test` command of every entry of `affected --format github`'s matrix.
fn github_tests(repo: &Repo) -> BTreeSet<String> {
    let gh = affected(repo, &["--format", "github"]);
    assert_eq!(gh.code, 0, "{}", gh.stderr);
    let matrix: serde_json::Value = serde_json::from_str(
        gh.stdout
            .lines()
            .find_map(|l| l.strip_prefix("matrix="))
            .unwrap(),
    )
    .unwrap();
    matrix["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["test"].as_str().unwrap().to_string())
        .collect()
}

/// `affected` on the working tree after `change`, reverted afterwards.
fn names_after(repo: &Repo, change: &str, args: &[&str]) -> BTreeSet<String> {
    repo.append(change, "\n# changed\n");
    let names = affected(repo, args).names();
    repo.git(&["checkout", "--", "."]);
    names
}

fn chain(json: &serde_json::Value, name: &str) -> String {
    let row = json["affected"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("{name} not in {json:#}"));
    let mut out = String::new();
    for step in row["reason"]["chain"].as_array().unwrap() {
        if let Some(via) = step["via"].as_str() {
            out.push_str(&format!(" -({via})-> "));
        }
        out.push_str(step["crate"].as_str().unwrap());
    }
    out
}

#[test]
fn every_edge_kind_of_the_one_graph() {
    let (_dir, repo) = monorepo();
    // A Rust change: cargo edges to the PyO3 crate, its wheel to `orch`, then Python edges:
    // `report` (project), `extra-user` (extra), `tools` (group: stops, so not `later`).
    assert_eq!(
        names_after(&repo, "CA/rust/ca_core/src/lib.rs", &[]),
        set(&[
            "ca_cli",
            "ca_core",
            "ca_py",
            "extra-user",
            "orch",
            "report",
            "tools",
            "viz-user"
        ])
    );
    // A file in a Python package: that package and its Python dependents, no crate.
    assert_eq!(
        names_after(&repo, "DAGs/python/orch/orch/__init__.py", &[]),
        set(&["extra-user", "orch", "report", "tools", "viz-user"])
    );
    // A group edge marks the package declaring it; `later` requires `tools` itself.
    assert_eq!(
        names_after(&repo, "DAGs/python/tools/pyproject.toml", &[]),
        set(&["later", "tools"])
    );
    // The PyO3 crate's own pyproject.toml requires `helpers`: the crate (kind pyo3, by a
    // python edge, not its Rust dependents) and on through its wheel.
    assert_eq!(
        names_after(&repo, "DAGs/python/helpers/helpers.py", &[]),
        set(&[
            "ca_py",
            "extra-user",
            "helpers",
            "orch",
            "report",
            "tools",
            "viz-user"
        ])
    );
    // A dev-dependency of the PyO3 crate changes its tests, not its wheel.
    assert_eq!(
        names_after(&repo, "CA/rust/ca_testutil/src/lib.rs", &[]),
        set(&["ca_py", "ca_testutil"])
    );
    // The same with `--features-mode all` (reach from the propagation itself).
    assert_eq!(
        names_after(
            &repo,
            "CA/rust/ca_testutil/src/lib.rs",
            &["--features-mode", "all"]
        ),
        set(&["ca_py", "ca_testutil"])
    );
    assert_eq!(
        names_after(
            &repo,
            "CA/rust/ca_core/src/lib.rs",
            &["--features-mode", "all"]
        ),
        set(&[
            "ca_cli",
            "ca_core",
            "ca_py",
            "extra-user",
            "orch",
            "report",
            "tools",
            "viz-user"
        ])
    );
    // `extra-user`'s extra changed, not its plain install: `plain-user` is not reached.
    assert_eq!(
        names_after(&repo, "DAGs/python/extra_user/pyproject.toml", &[]),
        set(&["extra-user", "plain-user", "viz-user"])
    );
    // A file outside every crate and package stays outside (`unmatched = "ignore"` here).
    assert_eq!(names_after(&repo, "DAGs/python/notes.txt", &[]), set(&[]));
}

#[test]
fn json_kinds_flags_and_explanations() {
    let (_dir, repo) = monorepo();
    repo.append("CA/rust/ca_core/src/lib.rs", "\n// changed\n");
    let json = affected(&repo, &["--format", "json"]).json();
    assert_eq!(json["version"], 1);
    assert_eq!(
        chain(&json, "orch"),
        "ca_core -(normal)-> ca_py -(wheel)-> orch"
    );
    assert_eq!(
        chain(&json, "report"),
        "ca_core -(normal)-> ca_py -(wheel)-> orch -(python)-> report"
    );
    assert_eq!(
        chain(&json, "extra-user"),
        "ca_core -(normal)-> ca_py -(wheel)-> orch -(python-extra)-> extra-user"
    );
    assert_eq!(
        chain(&json, "tools"),
        "ca_core -(normal)-> ca_py -(wheel)-> orch -(python-group)-> tools"
    );
    let orch = json["affected"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "orch")
        .unwrap();
    assert_eq!(orch["kind"], "python");
    assert_eq!(orch["path"], "DAGs/python/orch");
    assert_eq!(orch["direct"], false);
    assert_eq!(orch["reason"]["chain"][2]["kind"], "python");

    assert_eq!(
        affected(&repo, &["--kind", "python"]).names(),
        set(&["extra-user", "orch", "report", "tools", "viz-user"])
    );
    assert_eq!(
        affected(&repo, &["--kind", "pyo3,python"]).names(),
        set(&["ca_py", "extra-user", "orch", "report", "tools", "viz-user"])
    );
    // cargo-args, nextest and mermaid list crates only.
    assert_eq!(
        affected(&repo, &["--format", "cargo-args"]).stdout,
        "-p ca_cli -p ca_core -p ca_py\n"
    );
    assert_eq!(
        affected(&repo, &["--format", "nextest"]).stdout,
        "package(=ca_cli) | package(=ca_core) | package(=ca_py)\n"
    );
    // Only Python packages: a filterset that runs nothing.
    assert_eq!(
        affected(&repo, &["--kind", "python", "--format", "nextest"]).stdout,
        "none()\n"
    );
    let mermaid = affected(&repo, &["--format", "mermaid"]).stdout;
    assert!(mermaid.contains("[\"ca_py\"]"), "{mermaid}");
    for python in ["orch", "report", "tools"] {
        assert!(!mermaid.contains(&format!("[\"{python}\"]")), "{mermaid}");
    }
    let explain = affected(&repo, &["--explain", "report"]);
    assert_eq!(explain.code, 0, "{}", explain.stderr);
    assert!(
        explain
            .stdout
            .contains("report (Python package) requires orch"),
        "{}",
        explain.stdout
    );
    assert!(
        explain
            .stdout
            .contains("orch (Python package) requires the wheel of ca_py"),
        "{}",
        explain.stdout
    );
    // A distribution name as written is the normalised one (PEP 503).
    let explain = affected(&repo, &["--explain", "Report"]);
    assert!(
        explain.stdout.starts_with("report is affected"),
        "{}",
        explain.stdout
    );
    let explain = affected(&repo, &["--explain", "Later"]);
    assert_eq!(explain.code, 0, "{}", explain.stderr);
    assert!(
        explain
            .stdout
            .starts_with("later (Python package) is not affected"),
        "{}",
        explain.stdout
    );
    let unknown = affected(&repo, &["--explain", "nope"]);
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);

    // github: every entry has the command that tests it, quoted.
    let tests = github_tests(&repo);
    // No uv workspace here: each package is its own uv project, which `--project` names
    // (`uv run --package` from the root needs a workspace there; uv refuses it).
    assert!(
        tests.contains("uv run --project DAGs/python/orch pytest DAGs/python/orch"),
        "{tests:?}"
    );
    assert!(tests.contains("cargo nextest run -p ca_core"), "{tests:?}");
    let gh = affected(&repo, &["--format", "github", "--group-by", "domain"]);
    let matrix: serde_json::Value = serde_json::from_str(
        gh.stdout
            .lines()
            .find_map(|l| l.strip_prefix("matrix="))
            .unwrap(),
    )
    .unwrap();
    let dags = matrix["include"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["group"] == "DAGs")
        .unwrap();
    assert_eq!(dags["crates"], serde_json::json!([]));
    assert_eq!(
        dags["python"],
        serde_json::json!(["extra-user", "orch", "report", "tools", "viz-user"])
    );
    assert_eq!(dags["tests"].as_array().unwrap().len(), 5);
    assert!(
        dags["test"]
            .as_str()
            .unwrap()
            .contains(" && uv run --project DAGs/python/orch pytest DAGs/python/orch && "),
        "{dags}"
    );
}

/// pytest collects a folder's tests, nested packages' included, but `uv run --package a`
/// installs only `a`'s environment: a nested member's tests fail to import (`No module named
/// 'sub'`, tried by hand with pytest 8). So each package's command leaves out the packages
/// nested in its folder (`--ignore`), and the root package's leaves out every other one.
#[test]
fn a_package_s_test_command_leaves_out_nested_packages() {
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
        ),
        (
            "crates/a/Cargo.toml",
            "[package]\nname = \"a-rs\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        (
            "pyproject.toml",
            "[project]\nname = \"root-app\"\nversion = \"0.1.0\"\n\
             [tool.uv.workspace]\nmembers = [\"py/*\", \"py/a/sub\"]\n",
        ),
        (
            "py/a/pyproject.toml",
            "[project]\nname = \"a\"\nversion = \"0.1.0\"\n",
        ),
        (
            "py/a/sub/pyproject.toml",
            "[project]\nname = \"sub\"\nversion = \"0.1.0\"\n",
        ),
        (
            "py/b/pyproject.toml",
            "[project]\nname = \"b\"\nversion = \"0.1.0\"\n",
        ),
        ("py/a/a.py", ""),
        ("py/a/sub/sub.py", ""),
        ("py/b/b.py", ""),
    ]);
    let repo = Repo::init(dir.path());
    repo.commit_all("base");
    for f in ["py/a/a.py", "py/a/sub/sub.py", "py/b/b.py"] {
        repo.append(f, "\n# changed\n");
    }
    // The root package's own change: its `[project]`.
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"root-app\"\nversion = \"0.2.0\"\n\
         [tool.uv.workspace]\nmembers = [\"py/*\", \"py/a/sub\"]\n",
    );
    let tests = github_tests(&repo);
    assert_eq!(
        tests,
        [
            "uv run --package a pytest py/a --ignore=py/a/sub",
            "uv run --package b pytest py/b",
            "uv run --package root-app pytest . --ignore=py/a --ignore=py/b",
            "uv run --package sub pytest py/a/sub",
        ]
        .into_iter()
        .map(String::from)
        .collect::<BTreeSet<_>>()
    );
}

/// A configured command gets `{name}`, `{path}` and `{ignore}` (empty: nothing is nested in
/// `helpers`) substituted, quoted; no placeholder is left as written.
#[test]
fn configured_test_commands_are_quoted() {
    let (_dir, repo) = monorepo();
    repo.append(
        "Cargo.toml",
        "\n[workspace.metadata.ccworkspace.python]\ntest-command = \"cd {path} && pytest -k {name}{ignore}\"\nrust-test-command = \"cargo test -p {name}\"\n",
    );
    repo.commit_all("commands");
    repo.append("DAGs/python/helpers/helpers.py", "\n# x\n");
    let gh = affected(&repo, &["--format", "github"]);
    assert_eq!(gh.code, 0, "{}", gh.stderr);
    assert!(
        gh.stdout
            .contains("\"test\":\"cd DAGs/python/helpers && pytest -k helpers\""),
        "{}",
        gh.stdout
    );
    assert!(
        gh.stdout.contains("\"test\":\"cargo test -p ca_py\""),
        "{}",
        gh.stdout
    );
}

/// `enabled = false` leaves the Python half out: a Rust change reaches no Python package, a
/// Python file is a file outside every crate (ignored here, as `unmatched = "ignore"` says),
/// and no `pyproject.toml` is read, so a malformed one is no error.
#[test]
fn the_python_half_can_be_turned_off() {
    let (_dir, repo) = monorepo();
    let on = names_after(&repo, "CA/rust/ca_core/src/lib.rs", &[]);
    assert!(on.contains("orch"), "{on:?}");
    repo.append(
        "Cargo.toml",
        "\n[workspace.metadata.ccworkspace.python]\nenabled = false\n",
    );
    repo.commit_all("python off");
    assert_eq!(
        names_after(&repo, "CA/rust/ca_core/src/lib.rs", &[]),
        set(&["ca_cli", "ca_core", "ca_py"])
    );
    assert_eq!(
        names_after(&repo, "DAGs/python/helpers/helpers.py", &[]),
        set(&[])
    );
    repo.write("DAGs/python/report/pyproject.toml", "[project\n");
    let out = affected(&repo, &["--kind", "python"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.trim(), "");
}

#[test]
fn bad_input_is_exit_2_with_the_line() {
    let (_dir, repo) = monorepo();
    repo.write(
        "DAGs/python/report/pyproject.toml",
        "[project]\nname = \"report\"\ndependencies = [\"orch >>> 1\"]\nversion = \"0.1.0\"\n",
    );
    let out = affected(&repo, &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("DAGs/python/report/pyproject.toml:3"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    repo.write("DAGs/python/report/pyproject.toml", "[project\n");
    let out = affected(&repo, &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("DAGs/python/report/pyproject.toml:1"),
        "{}",
        out.stderr
    );
}

/// A uv workspace: `members` win over the configured globs; the root `[project]` is a package;
/// `uv.lock` and the root `pyproject.toml` are analysed.
fn uv_monorepo() -> (tempfile::TempDir, Repo) {
    let lock = |numpy: &str| {
        format!(
            r#"version = 1
requires-python = ">=3.11"

[[package]]
name = "app"
version = "0.1.0"
source = {{ editable = "pkgs/app" }}
dependencies = [{{ name = "lib" }}]

[[package]]
name = "lib"
version = "0.1.0"
source = {{ editable = "pkgs/lib" }}
dependencies = [{{ name = "numpy" }}]

[[package]]
name = "mono"
version = "0.1.0"
source = {{ virtual = "." }}

[package.dev-dependencies]
dev = [{{ name = "pytest" }}]

[[package]]
name = "numpy"
version = "{numpy}"
source = {{ registry = "https://pypi.org/simple" }}

[[package]]
name = "other"
version = "0.1.0"
source = {{ editable = "pkgs/other" }}

[[package]]
name = "pytest"
version = "8.0.0"
source = {{ registry = "https://pypi.org/simple" }}
"#
        )
    };
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
        ),
        ("crates/core/Cargo.toml", &krate("core", "", "")),
        (
            "pyproject.toml",
            "[project]\nname = \"mono\"\nversion = \"0.1.0\"\n\n[dependency-groups]\ndev = [\"pytest\"]\n\n[tool.uv.workspace]\nmembers = [\"pkgs/*\"]\n\n[tool.pytest.ini_options]\ntestpaths = [\"pkgs\"]\n",
        ),
        (
            "pkgs/app/pyproject.toml",
            &py("app", "dependencies = [\"lib\"]\n"),
        ),
        (
            "pkgs/lib/pyproject.toml",
            &py("lib", "dependencies = [\"numpy\"]\n"),
        ),
        ("pkgs/other/pyproject.toml", &py("other", "")),
        // Found by the default globs, but the uv workspace's members win.
        ("DAGs/python/stray/pyproject.toml", &py("stray", "")),
        ("uv.lock", &lock("1.26.4")),
    ]);
    support::generator::run_cargo(dir.path(), &["generate-lockfile", "--offline"]).unwrap();
    let repo = Repo::init(dir.path());
    repo.write(".gitignore", "target/\n");
    repo.commit_all("base");
    repo.write("uv.lock", &lock("2.0.0"));
    (dir, repo)
}

#[test]
fn uv_lock_and_root_pyproject_are_analysed() {
    let (_dir, repo) = uv_monorepo();
    // numpy changed in uv.lock: `lib` reaches it, `app` through `lib` (lock closure, and the
    // Python edge), `other` and the root do not.
    assert_eq!(affected(&repo, &[]).names(), set(&["app", "lib"]));
    let json = affected(&repo, &["--format", "json"]).json();
    // `app` reaches numpy in the lock itself (through `lib`): its own cause.
    assert_eq!(chain(&json, "app"), "app");
    let app = json["affected"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "app")
        .unwrap();
    assert_eq!(app["reason"]["cause"]["kind"], "uv-lock");
    assert_eq!(app["reason"]["cause"]["change"], "numpy 1.26.4 -> 2.0.0");
    let file = &json["changed_files"][0];
    assert_eq!(file["effect"], "analysed", "{json:#}");
    assert_eq!(file["note"], "changed packages: numpy 1.26.4 -> 2.0.0");
    repo.git(&["checkout", "--", "."]);

    // The root pyproject.toml: [tool.uv.workspace] alone changes no package; [project] marks
    // the root package; a tool table every package reads marks them all.
    repo.replace(
        "pyproject.toml",
        "members = [\"pkgs/*\"]",
        "members = [\"pkgs/*\"]\nexclude = [\"pkgs/none\"]",
    );
    assert_eq!(affected(&repo, &[]).names(), set(&[]));
    repo.replace(
        "pyproject.toml",
        "dev = [\"pytest\"]",
        "dev = [\"pytest>=8\"]",
    );
    assert_eq!(affected(&repo, &[]).names(), set(&["mono"]));
    repo.replace("pyproject.toml", "testpaths = [\"pkgs\"]", "testpaths = []");
    assert_eq!(
        affected(&repo, &[]).names(),
        set(&["app", "lib", "mono", "other"])
    );
    repo.git(&["checkout", "--", "."]);

    // uv members win over the configured globs: `DAGs/python/stray` is no package, so its
    // file is outside everything (`unmatched = "all"` by default: every crate, and every
    // Python package).
    repo.append("DAGs/python/stray/x.py", "x = 1\n");
    let json = affected(&repo, &["--format", "json", "--include-untracked"]).json();
    assert!(
        json["all"]
            .as_str()
            .unwrap()
            .contains("outside every crate")
    );
    repo.git(&["clean", "-fdq", "DAGs"]);
    repo.append("pkgs/other/x.py", "x = 1\n");
    assert_eq!(
        affected(&repo, &["--include-untracked"]).names(),
        set(&["other"])
    );
}

#[test]
fn a_python_only_change_does_not_run_cargo_metadata() {
    let (_dir, repo) = monorepo();
    // Warm nothing: a fresh clone has no cache. `CARGO` pointing at a missing program fails any
    // `cargo metadata`; a change to Python files alone must be answered without it.
    repo.append("DAGs/python/orch/orch/__init__.py", "\n# x\n");
    let out = run(
        &repo.dir,
        &["affected", "-q", "--base", "main"],
        &[("CARGO", "/nonexistent/cargo")],
    );
    assert_eq!(
        out.names(),
        set(&["extra-user", "orch", "report", "tools", "viz-user"]),
        "{}",
        out.stderr
    );
}

// ---- differential: generated uv workspaces against `uv tree --invert` ----
// (`uv lock` runs offline: the packages have no third-party requirements, and uv reads the
// PyO3 crate's static `[project]` metadata without building it.)

/// A generated uv workspace: package `i` is `p{i}`; each edge `(from, to, how, extra)` with
/// `from > to` (acyclic): `how` 0 = `[project] dependencies`, 1 = the extra `x`, 2 = a `dev`
/// group; `extra`: the requirement asks for `p{to}[x]`.
/// Beside them, the PyO3 crate `crates/pyx` (distribution `pyx-dist`, on the crate `core`,
/// a uv workspace member too), which each `(from, how)` of `wheel` requires. `changed == n`
/// changes `core`'s Rust source instead of a package.
#[derive(Debug, Clone)]
struct Gen {
    n: usize,
    edges: Vec<(usize, usize, u8, bool)>,
    wheel: Vec<(usize, u8)>,
    changed: usize,
}

fn gen_strategy() -> impl Strategy<Value = Gen> {
    (2usize..7)
        .prop_flat_map(|n| {
            (
                Just(n),
                proptest::collection::vec((0..n, 0..n, 0u8..3, any::<bool>()), 0..(n * 2)),
                proptest::collection::btree_map(0..n, 0u8..3, 0..3),
                0..=n,
            )
        })
        .prop_map(|(n, raw, wheel, changed)| {
            let mut seen = BTreeSet::new();
            let edges = raw
                .into_iter()
                .filter(|(a, b, _, _)| a != b)
                .map(|(a, b, how, extra)| (a.max(b), a.min(b), how, extra))
                .filter(|(a, b, _, _)| seen.insert((*a, *b)))
                .collect();
            Gen {
                n,
                edges,
                wheel: wheel.into_iter().collect(),
                changed,
            }
        })
}

fn write_gen(root: &Path, g: &Gen) {
    let w = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
    );
    w("crates/core/Cargo.toml", &krate("core", "", ""));
    w("crates/core/src/lib.rs", "");
    w(
        "crates/pyx/Cargo.toml",
        &krate(
            "pyx",
            "core = { path = \"../core\" }\n",
            "[lib]\ncrate-type = [\"cdylib\", \"rlib\"]\n",
        ),
    );
    w("crates/pyx/src/lib.rs", "");
    w(
        "crates/pyx/pyproject.toml",
        &format!(
            "{MATURIN}[project]\nname = \"pyx-dist\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\n"
        ),
    );
    w(
        "pyproject.toml",
        "[tool.uv.workspace]\nmembers = [\"pkgs/*\", \"crates/pyx\"]\n",
    );
    for i in 0..g.n {
        let mut deps = Vec::new();
        let mut extra = Vec::new();
        let mut dev = Vec::new();
        let mut sources = String::new();
        let wheel = g
            .wheel
            .iter()
            .filter(|(from, _)| *from == i)
            .map(|&(from, how)| (from, usize::MAX, how, false));
        for (from, to, how, want_extra) in g.edges.iter().copied().chain(wheel) {
            if from != i {
                continue;
            }
            let to = if to == usize::MAX {
                "pyx-dist".to_string()
            } else {
                format!("p{to}")
            };
            let req = if want_extra {
                format!("\"{to}[x]\"")
            } else {
                format!("\"{to}\"")
            };
            match how {
                0 => deps.push(req),
                1 => extra.push(req),
                _ => dev.push(req),
            }
            sources.push_str(&format!("{to} = {{ workspace = true }}\n"));
        }
        let mut text = format!(
            "[project]\nname = \"p{i}\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\ndependencies = [{}]\n",
            deps.join(", ")
        );
        if !extra.is_empty() {
            text.push_str(&format!(
                "[project.optional-dependencies]\nx = [{}]\n",
                extra.join(", ")
            ));
        }
        if !dev.is_empty() {
            text.push_str(&format!(
                "[dependency-groups]\ndev = [{}]\n",
                dev.join(", ")
            ));
        }
        if !sources.is_empty() {
            text.push_str(&format!("[tool.uv.sources]\n{sources}"));
        }
        w(&format!("pkgs/p{i}/pyproject.toml"), &text);
        w(&format!("pkgs/p{i}/p{i}.py"), "");
    }
}

fn uv(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new(support::UV.0)
        .args(args)
        .current_dir(dir)
        .env("UV_OFFLINE", "1")
        .env("UV_NO_PROGRESS", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "uv {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The packages `uv tree --invert --package CHANGED` shows (`p3 v0.1.0 (group: dev)`,
/// `p4[x] v0.1.0`), but the PyO3 crate's distribution.
fn uv_inverted(dir: &Path, changed: &str) -> BTreeSet<String> {
    let text = uv(dir, &["tree", "--frozen", "--invert", "--package", changed]);
    text.lines()
        .filter_map(|l| {
            l.trim_start_matches(|c: char| !c.is_ascii_alphanumeric())
                .split([' ', '['])
                .next()
                .filter(|w| w.starts_with('p') && *w != "pyx-dist")
                .map(str::to_string)
        })
        .collect()
}

/// A proptest runner of `PROPTEST_CASES` cases, else `ci_cases` under `CI`, else 8, with no
/// failure file.
fn runner(ci_cases: u32) -> proptest::test_runner::TestRunner {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(if std::env::var("CI").is_ok() {
            ci_cases
        } else {
            8
        });
    proptest::test_runner::TestRunner::new(ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    })
}

#[test]
fn generated_uv_workspaces_agree_with_uv_tree_invert() {
    if !support::require_tool(support::UV.0, support::UV.1) {
        return;
    }
    let mut runner = runner(12);
    runner
        .run(&gen_strategy(), |g| {
            let dir = tempfile::tempdir().unwrap();
            write_gen(dir.path(), &g);
            uv(dir.path(), &["lock"]);
            support::generator::run_cargo(dir.path(), &["generate-lockfile", "--offline"]).unwrap();
            let repo = Repo::init(dir.path());
            repo.write(".gitignore", "target/\n.venv/\n");
            repo.commit_all("base");
            // A Python change, or a Rust change that reaches the wheel (uv sees the wheel's
            // distribution change).
            let theirs = if g.changed == g.n {
                repo.append("crates/core/src/lib.rs", "// x\n");
                uv_inverted(dir.path(), "pyx-dist")
            } else {
                repo.append(&format!("pkgs/p{}/p{}.py", g.changed, g.changed), "x = 1\n");
                uv_inverted(dir.path(), &format!("p{}", g.changed))
            };
            let ours = affected(&repo, &["--kind", "python"]).names();
            prop_assert_eq!(ours, theirs, "{:?}", g);
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_packages_globs_changing_marks_every_python_package() {
    let (_dir, repo) = monorepo();
    // The commands are not what is tested: nothing.
    repo.append(
        "Cargo.toml",
        "\n[workspace.metadata.ccworkspace.python]\ntest-command = \"pytest {path}\"\n",
    );
    assert_eq!(affected(&repo, &[]).names(), set(&[]));
    // Which folders are packages: every Python package (and the PyO3 crate requiring one).
    repo.append("Cargo.toml", "packages = [\"DAGs/python/*\"]\n");
    assert_eq!(
        affected(&repo, &[]).names(),
        set(&[&["ca_py"][..], &EVERY_PYTHON_PACKAGE[..]].concat())
    );
}

/// Turning the Python half on is a change to which Python packages there are: every one is
/// marked, as for a change to `packages`.
#[test]
fn turning_the_python_half_on_marks_every_python_package() {
    let (_dir, repo) = monorepo();
    repo.append(
        "Cargo.toml",
        "\n[workspace.metadata.ccworkspace.python]\nenabled = false\n",
    );
    repo.commit_all("python off");
    let on = std::fs::read_to_string(repo.dir.join("Cargo.toml"))
        .unwrap()
        .replace("enabled = false", "enabled = true");
    repo.write("Cargo.toml", &on);
    assert_eq!(
        affected(&repo, &["--kind", "python"]).names(),
        set(&EVERY_PYTHON_PACKAGE)
    );
}

#[test]
fn uv_lock_and_root_pyproject_changes_do_not_run_cargo_metadata() {
    let (_dir, repo) = uv_monorepo();
    // uv.lock changed (numpy); the root pyproject.toml's [project] too.
    repo.replace(
        "pyproject.toml",
        "dev = [\"pytest\"]",
        "dev = [\"pytest>=8\"]",
    );
    let out = run(
        &repo.dir,
        &["affected", "-q", "--base", "main"],
        &[("CARGO", "/nonexistent/cargo")],
    );
    assert_eq!(out.names(), set(&["app", "lib", "mono"]), "{}", out.stderr);
}

#[test]
fn a_python_package_inside_the_root_package_owns_its_files() {
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[package]\nname = \"rootpkg\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\nmembers = [\"crates/*\"]\n",
        ),
        ("crates/core/Cargo.toml", &krate("core", "", "")),
        (
            "DAGs/python/orch/pyproject.toml",
            &py("orch", "dependencies = []\n"),
        ),
        ("DAGs/python/orch/x.py", ""),
        ("DAGs/other.txt", ""),
    ]);
    support::generator::run_cargo(dir.path(), &["generate-lockfile", "--offline"]).unwrap();
    let repo = Repo::init(dir.path());
    repo.write(".gitignore", "target/\n");
    repo.commit_all("base");
    assert_eq!(
        names_after(&repo, "DAGs/python/orch/x.py", &[]),
        set(&["orch"])
    );
    // Other files outside the members stay the root package's, as before.
    assert_eq!(names_after(&repo, "DAGs/other.txt", &[]), set(&["rootpkg"]));
}

#[test]
fn a_missing_base_with_on_missing_base_all_marks_the_python_packages_too() {
    let (_dir, repo) = monorepo();
    let out = run(
        &repo.dir,
        &[
            "affected",
            "-q",
            "--base",
            "no-such-branch",
            "--on-missing-base",
            "all",
            "--kind",
            "python",
        ],
        &[],
    );
    assert_eq!(out.names(), set(&EVERY_PYTHON_PACKAGE));
}

/// A uv workspace's member folders as the generator writes them ([`write_members`]).
#[derive(Debug, Clone)]
enum Folder {
    /// `py/<name>` with a `pyproject.toml`.
    Package,
    /// `py/.<name>`: hidden, with a `pyproject.toml` (uv's `glob` enters hidden folders).
    Hidden,
    /// `py/target`, `py/venv`, `py/node_modules`: names this tool's own globs skip.
    BuildName(u8),
    /// `py/<name>`, a link to `ext/<name>` (uv's `glob` follows links).
    Link,
    /// `py/<name>` with `[tool.uv] managed = false` (uv leaves it out).
    Unmanaged,
    /// `py/<name>` without a `pyproject.toml`: empty, or only ignored files (uv skips both).
    NoProject { ignored_file: bool },
    /// `deep/grp/<name>`: two levels down (only `deep/*/*` reaches it).
    Nested,
}

#[derive(Debug, Clone)]
struct Members {
    folders: Vec<Folder>,
    /// Index into [`MEMBER_SPELLINGS`].
    spelling: usize,
    /// Also list `deep/*/*` (for the nested folders)?
    nested: bool,
    /// Index into [`EXCLUDES`].
    exclude: usize,
    /// Also list the first package by a roundabout path (`py/../py/n0`)?
    roundabout: bool,
}

/// Ways of writing `py/*` that uv reads as the same glob.
/// `py/[^n]*` is a class of `^` and `n` for uv's `glob` crate (only `[!...]` negates there), so
/// it keeps the `n*` folders (and `node_modules`); `py/[!v]*` negates.
const MEMBER_SPELLINGS: [&str; 6] = ["py/*", "./py/*", "py//*/", "py/./*", "py/[^n]*", "py/[!v]*"];
/// `exclude` lists: none, a prefix glob (`*` may cross `/` in uv's `exclude`), a plain path, a
/// class with `^` (`n1` for uv), a backslash (a plain character for uv: no folder has it).
const EXCLUDES: [&str; 6] = [
    "[]",
    "[\"py/n1*\"]",
    "[\"*/n1\"]",
    "[\"./py/n2/\"]",
    "[\"py/[^n]1\"]",
    "['py/\\n2']",
];

fn members_strategy() -> impl Strategy<Value = Members> {
    let folder = prop_oneof![
        4 => Just(Folder::Package),
        1 => Just(Folder::Hidden),
        1 => (0u8..3).prop_map(Folder::BuildName),
        1 => Just(Folder::Link),
        1 => Just(Folder::Unmanaged),
        1 => any::<bool>().prop_map(|ignored_file| Folder::NoProject { ignored_file }),
        1 => Just(Folder::Nested),
    ];
    (
        proptest::collection::vec(folder, 1..8),
        0..MEMBER_SPELLINGS.len(),
        any::<bool>(),
        0..EXCLUDES.len(),
        any::<bool>(),
    )
        .prop_map(|(folders, spelling, nested, exclude, roundabout)| Members {
            folders,
            spelling,
            nested,
            exclude,
            roundabout,
        })
}

fn write_members(root: &Path, m: &Members) {
    let w = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    let project = |name: &str, more: &str| {
        format!(
            "[project]\nname = \"{name}\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\n{more}"
        )
    };
    w(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
    );
    w("crates/core/Cargo.toml", &krate("core", "", ""));
    w("crates/core/src/lib.rs", "");
    w(".gitignore", "target/\n.venv/\n__pycache__/\n");
    let mut members = vec![format!("\"{}\"", MEMBER_SPELLINGS[m.spelling])];
    if m.nested {
        members.push("\"deep/*/*\"".to_string());
    }
    if m.roundabout {
        members.push("\"py/../py/n0\"".to_string());
    }
    w(
        "pyproject.toml",
        &format!(
            "[tool.uv.workspace]\nmembers = [{}]\nexclude = {}\n",
            members.join(", "),
            EXCLUDES[m.exclude]
        ),
    );
    for (i, f) in m.folders.iter().enumerate() {
        let name = format!("n{i}");
        match f {
            Folder::Package => w(&format!("py/{name}/pyproject.toml"), &project(&name, "")),
            Folder::Hidden => w(&format!("py/.{name}/pyproject.toml"), &project(&name, "")),
            Folder::BuildName(k) => {
                let dir = ["target", "venv", "node_modules"][*k as usize];
                // One package per such name.
                if !root.join("py").join(dir).exists() {
                    w(&format!("py/{dir}/pyproject.toml"), &project(&name, ""));
                }
            }
            Folder::Link => {
                w(&format!("ext/{name}/pyproject.toml"), &project(&name, ""));
                std::fs::create_dir_all(root.join("py")).unwrap();
                std::os::unix::fs::symlink(
                    root.join("ext").join(&name),
                    root.join("py").join(&name),
                )
                .unwrap();
            }
            Folder::Unmanaged => w(
                &format!("py/{name}/pyproject.toml"),
                &project(&name, "[tool.uv]\nmanaged = false\n"),
            ),
            Folder::NoProject { ignored_file } => {
                std::fs::create_dir_all(root.join(format!("py/{name}"))).unwrap();
                if *ignored_file {
                    w(&format!("py/{name}/__pycache__/m.cpython-312.pyc"), "x");
                }
            }
            Folder::Nested => w(
                &format!("deep/grp/{name}/pyproject.toml"),
                &project(&name, ""),
            ),
        }
    }
}

/// The workspace members `uv.lock` records (`source = { editable = ... }` or `virtual`).
fn uv_lock_members(dir: &Path) -> BTreeSet<String> {
    let lock: toml::Table = std::fs::read_to_string(dir.join("uv.lock"))
        .unwrap()
        .parse()
        .unwrap();
    lock.get("package")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
        .filter(|p| {
            p.get("source")
                .and_then(|s| s.as_table())
                .is_some_and(|s| s.contains_key("editable") || s.contains_key("virtual"))
        })
        .filter_map(|p| p.get("name")?.as_str().map(str::to_string))
        .collect()
}

/// Which folders are a uv workspace's members: what `uv lock` records, for generated layouts
/// (hidden folders, `target`/`venv`/`node_modules`, links, `managed = false`, folders without
/// a `pyproject.toml` that are empty or hold only ignored files, nested folders, spellings of
/// `py/*` and of a plain path, `exclude` globs). Our list: every Python package, which
/// `affected --files uv.lock` marks.
#[test]
fn uv_workspace_members_are_the_folders_uv_lock_records() {
    if !support::require_tool(support::UV.0, support::UV.1) {
        return;
    }
    let mut runner = runner(16);
    runner
        .run(&members_strategy(), |m| {
            let dir = tempfile::tempdir().unwrap();
            write_members(dir.path(), &m);
            let repo = Repo::init(dir.path());
            uv(dir.path(), &["lock"]);
            let theirs = uv_lock_members(dir.path());
            let ours = run(
                &repo.dir,
                &["affected", "-q", "--kind", "python", "--files", "uv.lock"],
                &[],
            );
            prop_assert_eq!(ours.code, 0, "{}\n{:?}", ours.stderr, m);
            prop_assert_eq!(ours.names(), theirs, "{:?}", m);
            Ok(())
        })
        .unwrap();
}

/// A workspace at `root` with one crate (`crates/core`) and `files` (relative path, text).
fn write_with_a_crate(root: &Path, files: &[(&str, &str)]) {
    let crate_files = [
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n".to_string(),
        ),
        ("crates/core/Cargo.toml", krate("core", "", "")),
        ("crates/core/src/lib.rs", String::new()),
    ];
    let files = crate_files
        .iter()
        .map(|(p, t)| (*p, t.as_str()))
        .chain(files.iter().copied());
    for (rel, text) in files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// `uv lock` in `root` (offline), whatever it answers.
fn uv_lock_output(root: &Path) -> std::process::Output {
    std::process::Command::new(support::UV.0)
        .args(["lock"])
        .current_dir(root)
        .env("UV_OFFLINE", "1")
        .env("UV_NO_PROGRESS", "1")
        .output()
        .unwrap()
}

/// uv's `glob` dialect in `members` and `exclude`, case for case against `uv lock`: a class
/// `[^a]` (no negation there), a backslash (a plain character), an entry that leaves the root
/// and comes back (`../<root>/py/*`), absolute patterns with wildcards in the root's own path
/// (`/tmp/*/<root>/py/*`, `/**/py/b`), a member path naming a file (uv skips it), and patterns
/// uv refuses (`py/***`, `py/a**`: exit 2 at the table's line).
#[test]
fn uv_glob_dialect_of_members_and_exclude_is_uvs() {
    if !support::require_tool(support::UV.0, support::UV.1) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let cases: [(&str, &str); 11] = [
        ("'py/[^a]'", ""),
        ("'py/*'", "'py/[^a]'"),
        ("'py/\\a'", ""),
        ("'py/*'", "'py/\\b'"),
        ("'../{name}/py/*'", ""),
        ("'{parent}/py/*'", ""),
        ("'py/*'", "'/**/py/b'"),
        ("'py/*'", "'{parent}/py/b'"),
        ("'py/*', 'py/f'", ""),
        ("'py/***'", ""),
        ("'py/*'", "'py/a**'"),
    ];
    for (i, (members, exclude)) in cases.iter().enumerate() {
        let root = tmp.path().join(format!("ws{i}"));
        std::fs::create_dir_all(&root).unwrap();
        let root = root.canonicalize().unwrap();
        let name = root.file_name().unwrap().to_str().unwrap();
        // The root's path with its parent folder's name a `*`.
        let parent = format!(
            "{}/*/{name}",
            root.parent().unwrap().parent().unwrap().display()
        );
        let fill = |t: &str| t.replace("{name}", name).replace("{parent}", &parent);
        let root_py = format!(
            "[tool.uv.workspace]\nmembers = [{}]\nexclude = [{}]\n",
            fill(members),
            fill(exclude)
        );
        let packages: Vec<(String, String)> =
            [("a", "a"), ("b", "b"), ("\\a", "bsa"), ("\\b", "bsb")]
                .iter()
                .map(|(dir, dist)| (format!("py/{dir}/pyproject.toml"), py(dist, "")))
                .collect();
        let mut files: Vec<(&str, &str)> = vec![
            ("pyproject.toml", &root_py),
            ("py/f", "a file, not a folder\n"),
        ];
        files.extend(packages.iter().map(|(p, t)| (p.as_str(), t.as_str())));
        write_with_a_crate(&root, &files);
        let repo = Repo::init(&root);
        let lock = uv_lock_output(&root);
        let ours = run(
            &repo.dir,
            &["affected", "-q", "--kind", "python", "--files", "uv.lock"],
            &[],
        );
        let case = format!("members [{}], exclude [{}]", fill(members), fill(exclude));
        if lock.status.success() {
            assert_eq!(ours.code, 0, "{case}: {}", ours.stderr);
            assert_eq!(ours.names(), uv_lock_members(&root), "{case}");
        } else {
            assert_eq!(
                ours.code,
                2,
                "{case}: uv refuses it ({}), we answered {}",
                String::from_utf8_lossy(&lock.stderr),
                ours.stdout
            );
            assert!(
                ours.stderr.contains("pyproject.toml:1: invalid glob"),
                "{case}: {}",
                ours.stderr
            );
        }
    }
}

/// A link to nothing that a `members` glob matches: uv refuses the workspace ("failed to query
/// metadata"), and so does discovery (exit 2 at the table's line); one the glob does not match
/// is nothing to either.
#[test]
fn a_dangling_link_a_member_glob_matches_is_refused_as_uv_refuses_it() {
    if !support::require_tool(support::UV.0, support::UV.1) {
        return;
    }
    for (members, refused) in [("py/*", true), ("py/a", false)] {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write_with_a_crate(
            root,
            &[
                (
                    "pyproject.toml",
                    &format!("[tool.uv.workspace]\nmembers = [\"{members}\"]\n"),
                ),
                ("py/a/pyproject.toml", &py("a", "")),
            ],
        );
        std::os::unix::fs::symlink("nowhere", root.join("py/l")).unwrap();
        let repo = Repo::init(root);
        let lock = uv_lock_output(root);
        let uv_stderr = String::from_utf8_lossy(&lock.stderr);
        let ours = run(
            &repo.dir,
            &["affected", "-q", "--kind", "python", "--files", "uv.lock"],
            &[],
        );
        if refused {
            assert!(
                !lock.status.success() && uv_stderr.contains("failed to query metadata"),
                "{members}: {uv_stderr}"
            );
            assert_eq!(ours.code, 2, "{members}: {}", ours.stdout);
            assert!(
                ours.stderr
                    .contains("pyproject.toml:1: the uv workspace member `py/l` (matched by `py/*`) is a link to nothing"),
                "{}",
                ours.stderr
            );
        } else {
            assert!(lock.status.success(), "{members}: {uv_stderr}");
            assert_eq!(ours.names(), uv_lock_members(root), "{members}");
        }
    }
}

/// A crate and a Python package may share a name (cargo's and PyPA's names are separate):
/// `--explain` explains both, the crate first.
#[test]
fn explain_covers_a_crate_and_a_python_package_of_one_name() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repo::init(dir.path());
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
    );
    repo.write("crates/a/Cargo.toml", &krate("a", "", ""));
    repo.write("crates/a/src/lib.rs", "");
    repo.write(
        "pyproject.toml",
        "[tool.uv.workspace]\nmembers = [\"py/*\"]\n",
    );
    repo.write("py/a/pyproject.toml", &py("a", ""));
    repo.write("py/a/x.py", "");
    repo.commit_all("base");
    repo.append("py/a/x.py", "x = 1\n");
    let out = affected(&repo, &["--explain", "a"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("a is not affected:"),
        "the crate first: {}",
        out.stdout
    );
    assert!(
        out.stdout.contains("\na (Python package) is affected:"),
        "{}",
        out.stdout
    );
}

/// A monorepo whose Python packages came first (`init`, then `new --python`): the cargo
/// workspace has no member yet (cargo refuses it), but `affected` answers from the Python
/// half with an empty crate graph. Without a root `pyproject.toml`, cargo's refusal stands.
#[test]
fn a_monorepo_with_python_packages_and_no_crate_yet_is_answered() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repo::init(dir.path());
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"DAGs/rust/*\"]\nresolver = \"2\"\n",
    );
    repo.write("DAGs/rust/.gitkeep", "");
    repo.write(
        "pyproject.toml",
        "[tool.uv.workspace]\nmembers = [\"*/python/*\"]\n",
    );
    repo.write("DAGs/python/orch/pyproject.toml", &py("orch", ""));
    repo.write("DAGs/python/orch/orch.py", "");
    repo.commit_all("base");
    repo.append("DAGs/python/orch/orch.py", "x = 1\n");
    let out = affected(&repo, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.names(), set(&["orch"]));
    std::fs::remove_file(repo.dir.join("pyproject.toml")).unwrap();
    let out = affected(&repo, &[]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stderr.contains("has no members"), "{}", out.stderr);
}

/// A PyO3 crate that the uv workspace lists by path: `affected` takes its `pyproject.toml` as
/// the crate load parsed it (no second read), and answers, and refuses, exactly as when the
/// graph comes from `cargo metadata` (`--offline`), where the Python scan reads it itself.
#[test]
fn a_pyo3_crate_s_pyproject_from_the_crate_load_answers_as_one_read_again() {
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
        ),
        ("crates/core/Cargo.toml", &krate("core", "", "")),
        ("crates/core/src/lib.rs", ""),
        (
            "crates/pyx/Cargo.toml",
            &krate(
                "pyx",
                "core = { path = \"../core\" }\n",
                "[lib]\ncrate-type = [\"cdylib\", \"rlib\"]\n",
            ),
        ),
        ("crates/pyx/src/lib.rs", ""),
        (
            "crates/pyx/pyproject.toml",
            &format!(
                "{MATURIN}{}",
                py("pyx-dist", "requires-python = \">=3.8\"\n")
            ),
        ),
        (
            "pyproject.toml",
            "[tool.uv.workspace]\nmembers = [\"pkgs/*\", \"crates/pyx\"]\n",
        ),
        (
            "pkgs/app/pyproject.toml",
            &py(
                "app",
                "dependencies = [\"pyx-dist\"]\n\n[tool.uv.sources]\npyx-dist = { workspace = true }\n",
            ),
        ),
        ("pkgs/other/pyproject.toml", &py("other", "")),
    ]);
    support::generator::run_cargo(dir.path(), &["generate-lockfile", "--offline"]).unwrap();
    let repo = Repo::init(dir.path());
    repo.write(".gitignore", "target/\n");
    repo.commit_all("base");
    let no_cache = [("CCWORKSPACE_NO_CACHE", "1")];
    let both = |repo: &Repo| {
        let base = ["affected", "--base", "main", "--kind", "python"];
        let from_load = run(&repo.dir, &base, &no_cache);
        let offline: Vec<&str> = base.iter().copied().chain(["--offline"]).collect();
        let from_metadata = run(&repo.dir, &offline, &no_cache);
        (from_load, from_metadata)
    };
    repo.append("crates/core/src/lib.rs", "// x\n");
    let (load, metadata) = both(&repo);
    assert_eq!(load.code, 0, "{}", load.stderr);
    assert_eq!(load.names(), set(&["app"]), "{}", load.stderr);
    assert_eq!(load.names(), metadata.names(), "{}", metadata.stderr);
    // A field uv refuses, in the crate's file: exit 2 at its line, whichever read it.
    repo.write(
        "crates/pyx/pyproject.toml",
        &format!("{MATURIN}[project]\nname = 1\nversion = \"0.1.0\"\n"),
    );
    let (load, metadata) = both(&repo);
    for out in [&load, &metadata] {
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(
            out.stderr.contains("crates/pyx/pyproject.toml:5"),
            "{}",
            out.stderr
        );
    }
    assert_eq!(load.stderr, metadata.stderr);
}
