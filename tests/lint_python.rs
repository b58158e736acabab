#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `lint-deps` on the Python side, through the built binary: `missing-workspace-source`,
//! `incompatible-requires-python`, `pyo3-not-uv-member` and the PyO3 `pyproject.toml` checks
//! of `pyo3-layout`, with levels, exemptions, the machine formats and `--fix`.
//!
//! The judge is uv (and maturin for the `[project] name` cases): each finding is shown to be
//! what uv does on the same files — `uv lock --offline` refuses, or would go to the package
//! index, before the fix, and resolves the member from the monorepo after it. Under `CI=true`
//! a missing uv fails these tests.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

mod support;
use support::write_workspace;

use support::cli::lint_deps as run;

/// `uv lock --offline` fails looking for the wheel `fast-py` on the package index: uv does not
/// take it from the monorepo.
fn assert_uv_goes_to_the_index_for_fast_py(dir: &Path) {
    assert_uv_refuses(dir, "fast-py was not found in the cache");
}

/// (code, file, line, level) of every finding of a JSON report.
fn findings(stdout: &str) -> Vec<(String, String, u64, String)> {
    stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "finding")
        .map(|v| {
            (
                v["code"].as_str().unwrap().to_string(),
                v["file"].as_str().unwrap().to_string(),
                v["line"].as_u64().unwrap(),
                v["level"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn f(code: &str, file: &str, line: u64, level: &str) -> (String, String, u64, String) {
    (code.into(), file.into(), line, level.into())
}

/// Every file of the tree (but `target`, `.venv`, `uv.lock`), for "nothing was written".
fn tree(root: &Path) -> BTreeMap<String, String> {
    support::files_under(&["target", ".venv", "uv.lock"], root)
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(root.join(&p)).unwrap_or_default();
            (p, text)
        })
        .collect()
}

/// `uv lock --offline` in `dir`: (success, stderr). No package here needs the index.
fn uv_lock(dir: &Path) -> (bool, String) {
    let out = Command::new(support::uv_program())
        .args(["lock", "--offline", "--no-progress"])
        .current_dir(dir)
        .env_remove("VIRTUAL_ENV")
        .env("UV_PYTHON_DOWNLOADS", "never")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `uv lock --offline` in `dir` succeeds.
/// Outside CI, without uv, says SKIPPED and checks nothing ([`support::require_tool`]).
fn assert_uv_locks(dir: &Path) {
    if !support::require_tool(support::UV.0, support::UV.1) {
        return;
    }
    let (ok, stderr) = uv_lock(dir);
    assert!(ok, "{stderr}");
}

/// `uv lock --offline` in `dir` fails, saying `says`.
/// Outside CI, without uv, says SKIPPED and checks nothing ([`support::require_tool`]).
fn assert_uv_refuses(dir: &Path, says: &str) {
    if !support::require_tool(support::UV.0, support::UV.1) {
        return;
    }
    let (ok, stderr) = uv_lock(dir);
    assert!(!ok, "uv locked it; expected it to say {says:?}");
    assert!(stderr.contains(says), "{stderr}");
}

/// The `source` of package `name` in `dir/uv.lock`.
fn locked_source(dir: &Path, name: &str) -> String {
    let lock: toml::Table = std::fs::read_to_string(dir.join("uv.lock"))
        .unwrap()
        .parse()
        .unwrap();
    lock["package"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("{name} not in uv.lock"))["source"]
        .to_string()
}

/// The major.minor of the Python uv finds here, so `.python-version` names one it has.
fn local_python() -> (u64, u64) {
    let out = Command::new(support::UV.0)
        .args(["python", "find", "--no-project"])
        .env("UV_PYTHON_DOWNLOADS", "never")
        .output()
        .unwrap();
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let out = Command::new(path)
        .args([
            "-c",
            "import sys; print(sys.version_info[0], sys.version_info[1])",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace().map(|p| p.parse().unwrap());
    (parts.next().unwrap(), parts.next().unwrap())
}

const CARGO_ROOT: &str = "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\"]\n";

/// A plain library crate, for workspaces without a PyO3 crate.
const LIB: (&str, &str) = (
    "crates/a/Cargo.toml",
    "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
);

/// A PyO3 crate `fast_py` at `crates/fast_py` whose wheel is `fast-py`: static metadata, so uv
/// reads it without building.
const FAST_PY: [(&str, &str); 3] = [
    (
        "crates/fast_py/Cargo.toml",
        "[package]\nname = \"fast_py\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[lib]\ncrate-type = [\"cdylib\"]\n",
    ),
    (
        "crates/fast_py/pyproject.toml",
        "[build-system]\nrequires = [\"maturin>=1,<2\"]\nbuild-backend = \"maturin\"\n\n[project]\nname = \"fast-py\"\nversion = \"0.1.0\"\n\n[tool.maturin]\nmodule-name = \"fast_py\"\n",
    ),
    (
        "crates/fast_py/src/lib.rs",
        "#[pymodule]\nfn fast_py() {}\n",
    ),
];

/// A uv workspace of two members, `py/a` and `py/b` (their files as given), with the root's
/// `[tool.uv.workspace]` followed by `root_tail`, and a cargo workspace without members: the
/// shape the uv differential tests vary one file of.
fn two_members(root_tail: &str, a: &str, b: &str) -> tempfile::TempDir {
    let root = format!("[tool.uv.workspace]\nmembers = [\"py/*\"]\n{root_tail}");
    write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nresolver = \"2\"\nmembers = []\n",
        ),
        ("pyproject.toml", &root),
        ("py/a/pyproject.toml", a),
        ("py/b/pyproject.toml", b),
    ])
}

/// A uv workspace: `app` requires `core` (line 7) and the PyO3 wheel `fast-py` (line 9), with the given `[tool.uv.workspace]` members; `extra` files added.
fn uv_workspace(members: &str, app_tail: &str, extra: &[(&str, &str)]) -> tempfile::TempDir {
    let root_py = format!(
        "[project]\nname = \"mono\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\n\n\
         [tool.uv.workspace]\nmembers = {members}\n"
    );
    let app = format!(
        "# The application.\n[project]\nname = \"app\"\nversion = \"0.1.0\"\n\
         dependencies = [\n  # the shared code\n  \"core>=0.1\",  # keep\n  # the Rust wheel\n  \"fast-py\",\n]\n{app_tail}"
    );
    let mut files: Vec<(&str, &str)> = vec![
        ("Cargo.toml", CARGO_ROOT),
        ("pyproject.toml", &root_py),
        ("pkgs/app/pyproject.toml", &app),
        (
            "pkgs/core/pyproject.toml",
            "[project]\nname = \"core\"\nversion = \"0.1.0\"\n",
        ),
    ];
    files.extend(FAST_PY);
    files.extend(extra);
    write_workspace(&files)
}

#[test]
fn each_rule_fires_at_its_line_with_its_level() {
    let ws = uv_workspace(
        "[\"pkgs/*\"]",
        "",
        &[
            (".python-version", "# pinned\n3.11\n"),
            (
                "pkgs/core/pyproject.toml",
                "[project]\nname = \"core\"\nversion = \"0.1.0\"\nrequires-python = \">=3.12\"\n",
            ),
        ],
    );
    let r = run(ws.path(), &["--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        findings(&r.stdout),
        [
            f(
                "missing-workspace-source",
                "pkgs/app/pyproject.toml",
                7,
                "error"
            ),
            f("pyo3-not-uv-member", "pkgs/app/pyproject.toml", 9, "error"),
            f(
                "incompatible-requires-python",
                "pkgs/core/pyproject.toml",
                4,
                "error"
            ),
        ],
        "{}",
        r.stdout
    );
    // Human form: cargo's layout, the file:line, the source line, the help.
    let r = run(ws.path(), &[]);
    let human = &r.stderr;
    assert!(
        human.contains(
            "error[missing-workspace-source]: `app` requires `core` (the Python package in pkgs/core) without a source in the monorepo\n --> pkgs/app/pyproject.toml:7:3\n"
        ),
        "{human}"
    );
    assert!(human.contains("7 |   \"core>=0.1\",  # keep\n"), "{human}");
    assert!(
        human.contains("help: add `core = { workspace = true }` under [tool.uv.sources]"),
        "{human}"
    );
    assert!(
        human.contains(
            "help: add \"crates/fast_py\" (or a glob matching it) to `members` in [tool.uv.workspace] of pyproject.toml (line 6)"
        ),
        "{human}"
    );
    assert!(
        human.contains("the monorepo's Python is `.python-version` (3.11)"),
        "{human}"
    );
    assert!(
        human.contains(
            "Checked 1 member and 3 Python packages: 3 errors, 0 warnings (1 fixable with `--fix`)"
        ),
        "{human}"
    );
}

#[test]
fn levels_and_exemptions_apply_to_the_python_rules() {
    let config = "\n[workspace.metadata.ccworkspace.lint-deps]\n\
         levels = { pyo3-not-uv-member = \"warn\", incompatible-requires-python = \"allow\" }\n\
         exemptions = [\n  { package = \"app\", dependency = \"core\", rule = \"missing-workspace-source\", reason = \"core is vendored on the index\" },\n  { package = \"app\", dependency = \"nothing\", reason = \"stale\" },\n]\n";
    let root = format!("{CARGO_ROOT}{config}");
    let ws = uv_workspace(
        "[\"pkgs/*\"]",
        "",
        &[
            ("Cargo.toml", &root),
            (".python-version", "3.11\n"),
            (
                "pkgs/core/pyproject.toml",
                "[project]\nname = \"core\"\nversion = \"0.1.0\"\nrequires-python = \">=3.12\"\n",
            ),
        ],
    );
    let r = run(ws.path(), &["--format", "json"]);
    assert_eq!(r.code, 0, "only warnings are left: {}", r.stdout);
    assert_eq!(
        findings(&r.stdout),
        [
            f("unused-exemption", "Cargo.toml", 9, "warning"),
            f(
                "pyo3-not-uv-member",
                "pkgs/app/pyproject.toml",
                9,
                "warning"
            ),
        ],
        "{}",
        r.stdout
    );
}

#[test]
fn json_github_and_sarif_carry_the_rules() {
    let ws = uv_workspace("[\"pkgs/*\"]", "", &[]);
    let r = run(ws.path(), &["--format", "json"]);
    let first: serde_json::Value = serde_json::from_str(r.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(first["code"], "missing-workspace-source");
    assert_eq!(first["package"], "app");
    assert_eq!(first["dependency"], "core");
    assert_eq!(first["fixable"], true);
    assert_eq!(first["column"], 3);
    assert_eq!(
        first["end_column"], 14,
        "the span is the quoted requirement"
    );

    let r = run(ws.path(), &["--format", "github"]);
    assert!(
        r.stdout.starts_with(
            "::error file=pkgs/app/pyproject.toml,line=7,col=3,endLine=7,endColumn=14,title=lint-deps missing-workspace-source::"
        ),
        "{}",
        r.stdout
    );

    let r = run(ws.path(), &["--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let rules: Vec<&str> = v["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for code in [
        "missing-workspace-source",
        "incompatible-requires-python",
        "pyo3-not-uv-member",
    ] {
        assert!(rules.contains(&code), "{rules:?}");
    }
    let results = v["runs"][0]["results"].as_array().unwrap();
    let ids: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["missing-workspace-source", "pyo3-not-uv-member"]);
    let loc = &results[1]["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "pkgs/app/pyproject.toml");
    assert_eq!(loc["region"]["startLine"], 9);
}

/// The differential: uv refuses the workspace exactly where `missing-workspace-source`
/// reports (uv 0.13: "`core` is included as a workspace member, but is missing an entry in
/// `tool.uv.sources`"), and `pyo3-not-uv-member` is uv going to the index for the wheel.
/// After `--fix` (and the crate added to `members`, which is not automatic), uv locks both
/// from the monorepo (`editable`, not `registry`), and a second run is clean.
#[test]
fn fix_writes_the_source_uv_resolves_from_the_workspace() {
    if !support::require_tool(support::UV.0, support::UV.1) {
        return;
    }
    let ws = uv_workspace("[\"pkgs/*\"]", "", &[]);
    let root = ws.path();
    assert_uv_refuses(
        root,
        "`core` is included as a workspace member, but is missing an entry in `tool.uv.sources`",
    );

    // --diff shows the fix and writes nothing.
    let before = tree(root);
    let r = run(root, &["--diff"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("+[tool.uv.sources]\n+core = { workspace = true }\n"),
        "{}",
        r.stdout
    );
    assert_eq!(tree(root), before);

    let r = run(root, &["--fix=missing-workspace-source"]);
    assert_eq!(r.code, 1, "pyo3-not-uv-member is left: {}", r.stderr);
    assert!(
        r.stderr.contains("Fixed 1 finding in 1 file"),
        "{}",
        r.stderr
    );
    let app = std::fs::read_to_string(root.join("pkgs/app/pyproject.toml")).unwrap();
    assert!(
        app.starts_with("# The application.\n")
            && app.contains("  # the shared code\n  \"core>=0.1\",  # keep\n  # the Rust wheel\n"),
        "comments are kept:\n{app}"
    );
    assert!(
        app.ends_with("]\n\n[tool.uv.sources]\ncore = { workspace = true }\n"),
        "{app}"
    );
    // Now uv goes to the index for the wheel, which pyo3-not-uv-member reported.
    assert_uv_goes_to_the_index_for_fast_py(root);
    assert!(
        r.stderr.contains("error[pyo3-not-uv-member]"),
        "{}",
        r.stderr
    );

    // A path source to the crate's folder would do too: uv builds it as a path dependency.
    let app_path = root.join("pkgs/app/pyproject.toml");
    let fixed = std::fs::read_to_string(&app_path).unwrap();
    std::fs::write(
        &app_path,
        format!("{fixed}fast-py = {{ path = \"../../crates/fast_py\" }}\n"),
    )
    .unwrap();
    let r = run(root, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_uv_locks(root);
    assert_eq!(
        locked_source(root, "fast-py"),
        "{ directory = \"crates/fast_py\" }"
    );
    std::fs::write(&app_path, fixed).unwrap();

    // Following the help: the crate folder joins `members`; then `--fix` adds its source.
    let pyproject = root.join("pyproject.toml");
    let text = std::fs::read_to_string(&pyproject).unwrap();
    std::fs::write(
        &pyproject,
        text.replace("[\"pkgs/*\"]", "[\"pkgs/*\", \"crates/fast_py\"]"),
    )
    .unwrap();
    let r = run(root, &["--fix"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("Fixed 1 finding in 1 file"),
        "{}",
        r.stderr
    );
    assert_uv_locks(root);
    assert_eq!(locked_source(root, "core"), "{ editable = \"pkgs/core\" }");
    assert_eq!(
        locked_source(root, "fast-py"),
        "{ editable = \"crates/fast_py\" }"
    );

    // A second run finds nothing and changes nothing.
    let after = tree(root);
    let again = run(root, &["--fix"]);
    assert_eq!(again.code, 0);
    assert!(!again.stderr.contains("Fixed"), "{}", again.stderr);
    assert!(again.stderr.contains("no findings"), "{}", again.stderr);
    assert_eq!(tree(root), after);
}

/// A requirement naming a PyO3 crate by its cargo name when its wheel is named otherwise is
/// no package of the monorepo: uv asks the index for it.
#[test]
fn a_pyo3_crate_required_by_its_cargo_name_is_reported() {
    let renamed = FAST_PY[1]
        .1
        .replace("name = \"fast-py\"", "name = \"rusty-fast\"");
    let ws = uv_workspace(
        "[\"pkgs/*\", \"crates/*\"]",
        "\n[tool.uv.sources]\ncore = { workspace = true }\n",
        &[("crates/fast_py/pyproject.toml", &renamed)],
    );
    let r = run(ws.path(), &["--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        findings(&r.stdout),
        [f(
            "missing-workspace-source",
            "pkgs/app/pyproject.toml",
            9,
            "error"
        )]
    );
    let v: serde_json::Value = serde_json::from_str(r.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(
        v["message"],
        "`app` requires `fast-py`, the cargo name of the PyO3 crate `fast_py` in crates/fast_py, whose wheel is `rusty-fast`"
    );
    assert_eq!(v["fixable"], false);
    if support::require_tool(support::UV.0, support::UV.1) {
        assert_uv_goes_to_the_index_for_fast_py(ws.path());
    }
}

/// A PyO3 crate without a `pyproject.toml` (a `cdylib` on `pyo3`: maturin builds it from
/// `Cargo.toml` alone) is a PyO3 crate for `lint-deps` as for `affected`: a Python package
/// requiring its wheel is reported, since uv cannot build a folder without a `pyproject.toml`
/// and goes to the index (uv agrees); `affected` marks the same package when the crate changes.
#[test]
fn a_pyo3_crate_without_a_pyproject_is_seen_by_both_commands() {
    let ws = uv_workspace(
        "[\"pkgs/*\"]",
        "\n[tool.uv.sources]\ncore = { workspace = true }\n",
        &[(
            "Cargo.toml",
            &format!("{CARGO_ROOT}\n[workspace.dependencies]\npyo3 = \"0.22\"\n"),
        )],
    );
    std::fs::remove_file(ws.path().join("crates/fast_py/pyproject.toml")).unwrap();
    std::fs::write(
        ws.path().join("crates/fast_py/Cargo.toml"),
        "[package]\nname = \"fast-py\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [lib]\ncrate-type = [\"cdylib\"]\n\n[dependencies]\npyo3 = { workspace = true }\n",
    )
    .unwrap();
    let r = run(ws.path(), &["--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // `pyo3-layout` already asks the crate for its own pyproject.toml; the requirement on its
    // wheel is the Python side of the same gap.
    assert_eq!(
        findings(&r.stdout),
        [
            f("pyo3-layout", "crates/fast_py/Cargo.toml", 2, "error"),
            f("pyo3-not-uv-member", "pkgs/app/pyproject.toml", 9, "error")
        ],
        "{}",
        r.stdout
    );
    let r = run(ws.path(), &[]);
    assert!(
        r.stderr
            .contains("help: give crates/fast_py a pyproject.toml that builds it with maturin"),
        "{}",
        r.stderr
    );
    let affected = support::cli::run(
        ws.path(),
        &[
            "affected",
            "--files",
            "crates/fast_py/src/lib.rs",
            "--kind",
            "python",
        ],
        &[],
    );
    assert_eq!(affected.stdout.trim(), "app", "{}", affected.stderr);
    if support::require_tool(support::UV.0, support::UV.1) {
        assert_uv_goes_to_the_index_for_fast_py(ws.path());
    }
}

/// A member inherits the workspace root's `[tool.uv.sources]` (uv docs, "Using workspaces"):
/// no finding, and uv agrees. A path source pointing at a member's folder is reported: uv 0.13
/// refuses it ("Workspace members must be declared as workspace sources"); `--fix` rewrites it
/// to `{ workspace = true }`, and uv locks again.
#[test]
fn root_sources_are_inherited_and_path_sources_to_members_refused_as_uv_does() {
    if !support::require_tool(support::UV.0, support::UV.1) {
        return;
    }
    let ws = uv_workspace("[\"pkgs/*\", \"crates/*\"]", "", &[]);
    let root = ws.path();
    let pyproject = root.join("pyproject.toml");
    let text = std::fs::read_to_string(&pyproject).unwrap();
    std::fs::write(
        &pyproject,
        format!("{text}\n[tool.uv.sources]\ncore = {{ workspace = true }}\nfast-py = {{ workspace = true }}\n"),
    )
    .unwrap();
    let r = run(root, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("no findings"), "{}", r.stderr);
    assert_uv_locks(root);
    assert_eq!(locked_source(root, "core"), "{ editable = \"pkgs/core\" }");
    assert_eq!(
        locked_source(root, "fast-py"),
        "{ editable = \"crates/fast_py\" }"
    );

    // The member's own path source wins over the root's, and uv refuses it.
    let app = root.join("pkgs/app/pyproject.toml");
    let text = std::fs::read_to_string(&app).unwrap();
    std::fs::write(
        &app,
        format!("{text}\n[tool.uv.sources]\ncore = {{ path = \"../core\", editable = true }}\n"),
    )
    .unwrap();
    let r = run(root, &["--format", "json"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        findings(&r.stdout),
        [f(
            "missing-workspace-source",
            "pkgs/app/pyproject.toml",
            7,
            "error"
        )]
    );
    let v: serde_json::Value = serde_json::from_str(r.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(v["fixable"], true);
    assert!(
        v["notes"][0]
            .as_str()
            .unwrap()
            .contains("which uv refuses for a workspace member"),
        "{v}"
    );
    assert_uv_refuses(
        root,
        "Workspace members must be declared as workspace sources",
    );
    // `--fix` rewrites that entry the way uv wants it (`editable` kept), and uv locks the
    // member again.
    let r = run(root, &["--fix"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(&app).unwrap();
    assert!(
        text.ends_with("[tool.uv.sources]\ncore = { workspace = true, editable = true }\n"),
        "{text}"
    );
    assert_uv_locks(root);
    assert_eq!(locked_source(root, "core"), "{ editable = \"pkgs/core\" }");
    let text = text.replace(
        "core = { workspace = true, editable = true }",
        "core = { workspace = true }",
    );

    // A path source to another folder is refused by uv too; it is reported, and which folder
    // is meant is left to a human.
    std::fs::create_dir_all(root.join("vendor/core")).unwrap();
    std::fs::write(
        root.join("vendor/core/pyproject.toml"),
        "[project]\nname = \"core\"\nversion = \"0.2.0\"\n",
    )
    .unwrap();
    std::fs::write(
        &app,
        text.replace(
            "core = { workspace = true }",
            "core = { path = \"../../vendor/core\" }",
        ),
    )
    .unwrap();
    let r = run(root, &["--format", "json"]);
    assert_eq!(r.code, 1);
    let v: serde_json::Value = serde_json::from_str(r.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(v["fixable"], false);
    assert!(
        v["notes"][0]
            .as_str()
            .unwrap()
            .contains("`path = \"../../vendor/core\"`, which uv refuses for a workspace member"),
        "{v}"
    );
    assert_uv_refuses(
        root,
        "Workspace members must be declared as workspace sources",
    );
    // A root entry's path is relative to the root: `path = "pkgs/core"` there is the member,
    // refused by uv, and `--fix` rewrites it in the root.
    std::fs::write(
        &app,
        text.replace("\n[tool.uv.sources]\ncore = { workspace = true }\n", "\n"),
    )
    .unwrap();
    let root_text = std::fs::read_to_string(&pyproject).unwrap();
    std::fs::write(
        &pyproject,
        root_text.replace(
            "core = { workspace = true }",
            "core = { path = \"pkgs/core\", editable = true }",
        ),
    )
    .unwrap();
    assert_uv_refuses(
        root,
        "Workspace members must be declared as workspace sources",
    );
    let r = run(root, &["--fix"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        std::fs::read_to_string(&pyproject)
            .unwrap()
            .contains("core = { workspace = true, editable = true }")
    );
    assert_uv_locks(root);
}

/// Without a uv workspace (packages found by `[workspace.metadata.ccworkspace.python]
/// packages`), each package is its own uv project: a requirement on another package of the
/// monorepo without a path source goes to the index (uv, offline: "not found in the cache").
/// The finding has no automatic fix; its help's path source makes uv take the folder.
#[test]
fn without_a_uv_workspace_a_path_source_is_required_and_uv_agrees() {
    if !support::require_tool(support::UV.0, support::UV.1) {
        return;
    }
    let ws = write_workspace(&[
        ("Cargo.toml", CARGO_ROOT),
        LIB,
        (
            "web/python/app/pyproject.toml",
            "[project]\nname = \"app\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\n\n[dependency-groups]\ndev = [\"core\"]\n",
        ),
        (
            "web/python/core/pyproject.toml",
            "[project]\nname = \"core\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\n",
        ),
    ]);
    let root = ws.path();
    let r = run(root, &["--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        findings(&r.stdout),
        [f(
            "missing-workspace-source",
            "web/python/app/pyproject.toml",
            7,
            "error"
        )]
    );
    let v: serde_json::Value = serde_json::from_str(r.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(v["fixable"], false);
    assert_eq!(
        v["help"],
        "add `core = { path = \"../core\", editable = true }` under [tool.uv.sources] in web/python/app/pyproject.toml, or make the root pyproject.toml a uv workspace"
    );
    let app_dir = root.join("web/python/app");
    assert_uv_refuses(&app_dir, "core was not found in the cache");

    let app = app_dir.join("pyproject.toml");
    let text = std::fs::read_to_string(&app).unwrap();
    std::fs::write(
        &app,
        format!("{text}\n[tool.uv.sources]\ncore = {{ path = \"../core\", editable = true }}\n"),
    )
    .unwrap();
    let r = run(root, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_uv_locks(&app_dir);
    assert_eq!(
        locked_source(&app_dir, "core"),
        "{ editable = \"../core\" }"
    );
}

/// A PyO3 crate outside the uv workspace, built as a path dependency of `app`, whose own
/// `pyproject.toml` requires the member `core`: uv resolves that to the member with no source
/// and with a path source, and refuses `workspace = true` there ("references a workspace in
/// `tool.uv.sources` ..., but is not a workspace member"). So nothing is reported, and `--fix`
/// (which used to write `workspace = true`) leaves the file alone.
#[test]
fn a_requirer_outside_the_uv_workspace_needs_no_workspace_source() {
    if !support::require_tool(support::UV.0, support::UV.1) {
        return;
    }
    for source in [
        "",
        "\n[tool.uv.sources]\ncore = { path = \"../../pkgs/core\", editable = true }\n",
    ] {
        let fast = format!(
            "[build-system]\nrequires = [\"maturin>=1,<2\"]\nbuild-backend = \"maturin\"\n\n\
             [project]\nname = \"fast-py\"\nversion = \"0.1.0\"\ndependencies = [\"core\"]\n\n\
             [tool.maturin]\nmodule-name = \"fast_py\"\n{source}"
        );
        let ws = uv_workspace(
            "[\"pkgs/*\"]",
            "\n[tool.uv.sources]\ncore = { workspace = true }\nfast-py = { path = \"../../crates/fast_py\" }\n",
            &[("crates/fast_py/pyproject.toml", &fast)],
        );
        let before = tree(ws.path());
        let r = run(ws.path(), &["--format", "json"]);
        assert_eq!(findings(&r.stdout), [], "{source:?}: {}", r.stdout);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let r = run(ws.path(), &["--fix"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(tree(ws.path()), before, "--fix wrote something");
        assert_uv_locks(ws.path());
        assert_eq!(
            locked_source(ws.path(), "core"),
            "{ editable = \"pkgs/core\" }"
        );
    }
}

/// `incompatible-requires-python` against uv: with the Python of `.python-version`, uv refuses
/// to lock a workspace whose member excludes it ("incompatible with the project's Python
/// requirement"), and locks it once the member allows it.
#[test]
fn requires_python_is_judged_as_uv_judges_it() {
    if !support::require_tool(support::UV.0, support::UV.1) {
        return;
    }
    let (major, minor) = local_python();
    // The pin in each form uv reads as this major.minor (with and without the dot).
    for pin in [
        format!("{major}.{minor}\n"),
        format!("{major}{minor}\n"),
        format!("cp{major}{minor}\n"),
    ] {
        judged_as_uv_judges(major, minor, &pin);
    }
}

fn judged_as_uv_judges(major: u64, minor: u64, pin: &str) {
    let too_new = format!(
        "[project]\nname = \"core\"\nversion = \"0.1.0\"\nrequires-python = \">={major}.{}\"\n",
        minor + 1
    );
    let ws = uv_workspace(
        "[\"pkgs/core\"]",
        "",
        &[
            (".python-version", pin),
            ("pkgs/core/pyproject.toml", &too_new),
        ],
    );
    let root = ws.path();
    let r = run(root, &["--format", "json"]);
    assert_eq!(r.code, 1, "{pin}");
    assert_eq!(
        findings(&r.stdout),
        [f(
            "incompatible-requires-python",
            "pkgs/core/pyproject.toml",
            4,
            "error"
        )]
    );
    assert_uv_refuses(root, "incompatible with the project's Python requirement");

    let fits = too_new.replace(&format!("{}\"", minor + 1), &format!("{minor}\""));
    std::fs::write(root.join("pkgs/core/pyproject.toml"), fits).unwrap();
    assert_eq!(run(root, &[]).code, 0);
    assert_uv_locks(root);
}

/// Without a `.python-version` uv locks a workspace whose member excludes the root's Python
/// (for the Pythons every member allows), so the finding says that, not that uv refuses.
#[test]
fn an_unpinned_python_is_left_out_of_the_lock_not_refused() {
    if !support::require_tool(support::UV.0, support::UV.1) {
        return;
    }
    let ws = write_workspace(&[
        ("Cargo.toml", CARGO_ROOT),
        LIB,
        (
            "pyproject.toml",
            "[project]\nname = \"mono\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\n\
             [tool.uv.workspace]\nmembers = [\"pkgs/*\"]\n",
        ),
        (
            "pkgs/a/pyproject.toml",
            "[project]\nname = \"a\"\nversion = \"0.1.0\"\nrequires-python = \">=3.9\"\n",
        ),
    ]);
    let r = run(ws.path(), &["--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(r.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(v["code"], "incompatible-requires-python");
    let note = v["notes"][1].as_str().unwrap();
    assert!(
        note.starts_with("uv locks the workspace only for the Pythons every member allows"),
        "{note}"
    );
    assert_uv_locks(ws.path());
}

/// Where the root's Python comes from, in order: `.python-version`, the lower bound of the
/// root `requires-python`, `[workspace.metadata.ccworkspace.docker] python-version`.
#[test]
fn the_root_python_comes_from_python_version_then_requires_python_then_docker() {
    let message = |files: &[(&str, &str)]| {
        let mut all: Vec<(&str, &str)> = vec![
            LIB,
            (
                "pkgs/a/pyproject.toml",
                "[project]\nname = \"a\"\nrequires-python = \">=3.99\"\nversion = \"0.1.0\"\n",
            ),
        ];
        all.extend(files);
        if !all.iter().any(|(p, _)| *p == "Cargo.toml") {
            all.push(("Cargo.toml", CARGO_ROOT));
        }
        let ws = write_workspace(&all);
        let r = run(ws.path(), &["--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(r.stdout.lines().next().unwrap()).unwrap();
        (
            v["message"].as_str().unwrap().to_string(),
            v["notes"][0].as_str().unwrap().to_string(),
        )
    };
    let uv_root = "[project]\nname = \"mono\"\nrequires-python = \">=3.10, <4\"\nversion = \"0.1.0\"\n[tool.uv.workspace]\nmembers = [\"pkgs/*\"]\n";
    let (m, n) = message(&[
        ("pyproject.toml", uv_root),
        (".python-version", "cpython@3.11.4\n"),
    ]);
    assert!(m.contains("excludes Python 3.11.4"), "{m}");
    assert_eq!(
        n,
        "the monorepo's Python is `.python-version` (cpython@3.11.4)"
    );
    // Requests uv reads that name a version: an implementation, a key, a specifier set.
    for (written, version) in [
        ("pypy@3.10", "3.10"),
        ("cpython-3.12.7-linux-x86_64-gnu", "3.12.7"),
        (">=3.11", "3.11"),
    ] {
        let (m, n) = message(&[
            ("pyproject.toml", uv_root),
            (".python-version", &format!("{written}\n")),
        ]);
        assert!(m.contains(&format!("excludes Python {version}")), "{m}");
        assert_eq!(
            n,
            format!("the monorepo's Python is `.python-version` ({written})")
        );
    }
    // One that names none (uv takes what it finds) is passed over, and the note says so.
    let (m, n) = message(&[("pyproject.toml", uv_root), (".python-version", "system\n")]);
    assert!(m.contains("excludes Python 3.10,"), "{m}");
    assert!(
        n.contains("(`.python-version` asks for `system`, no version)"),
        "{n}"
    );
    let (m, n) = message(&[("pyproject.toml", uv_root)]);
    assert!(m.contains("excludes Python 3.10,"), "{m}");
    assert!(
        n.contains("lower bound of `requires-python = \">=3.10, <4\"`"),
        "{n}"
    );
    let docker = format!(
        "{CARGO_ROOT}\n[workspace.metadata.ccworkspace.docker]\npython-version = \"3.13\"\n"
    );
    let (m, n) = message(&[
        ("Cargo.toml", &docker),
        (
            "pkgs/b/pyproject.toml",
            "[project]\nname = \"b\"\nversion = \"0.1.0\"\n",
        ),
        (
            "pyproject.toml",
            "[tool.uv.workspace]\nmembers = [\"pkgs/*\"]\n",
        ),
    ]);
    assert!(m.contains("excludes Python 3.13,"), "{m}");
    assert_eq!(
        n,
        "the monorepo's Python is [workspace.metadata.ccworkspace.docker] python-version (3.13)"
    );
}

/// A malformed `pyproject.toml`, requirement, `requires-python` or `.python-version` stops
/// the run (exit 2) with its file and line and the fix, and `--fix` writes nothing.
#[test]
fn malformed_python_files_exit_2_and_fix_writes_nothing() {
    let cases: [(&str, &str, &str); 6] = [
        (
            // pep508_rs 0.9 panics on a name ending in `_` with more after it; uv refuses it.
            "pkgs/core/pyproject.toml",
            "[project]\nname = \"core\"\ndependencies = [\"Core_ >=0.1\"]\nversion = \"0.1.0\"\n",
            "pkgs/core/pyproject.toml:3:17: invalid requirement `Core_ >=0.1`",
        ),
        (
            "pkgs/core/pyproject.toml",
            "[project]\nname = \"core\"\nversion = \"0.1.0\"\n[dependency-groups]\nx = [{include-group = \"y\"}]\ny = [{include-group = \"x\"}]\n",
            "pkgs/core/pyproject.toml:6:",
        ),
        (
            "pkgs/core/pyproject.toml",
            "[project]\nname = \"core\"\nversion = \"0.1.0\"\n[tool.uv.sources]\napp = \"x\"\n",
            "pkgs/core/pyproject.toml:5:7: the [tool.uv.sources] entry `app` is no source table",
        ),
        (
            "pkgs/core/pyproject.toml",
            "[project]\nname = \"core\"\ndependencies = [\n  \"ok\",\n  \"bad name ===\",\n]\nversion = \"0.1.0\"\n",
            "pkgs/core/pyproject.toml:5:3: invalid requirement `bad name ===`",
        ),
        (
            "pkgs/core/pyproject.toml",
            "[project]\nname = \"core\"\nrequires-python = \">=3.x\"\nversion = \"0.1.0\"\n",
            "pkgs/core/pyproject.toml:3: invalid `requires-python = \">=3.x\"`",
        ),
        (
            "pkgs/core/pyproject.toml",
            "[project\nname = \"core\"\n",
            "pkgs/core/pyproject.toml:1:",
        ),
    ];
    for (path, text, want) in cases {
        let ws = uv_workspace("[\"pkgs/*\", \"crates/*\"]", "", &[(path, text)]);
        let before = tree(ws.path());
        for args in [&[][..], &["--fix"][..]] {
            let r = run(ws.path(), args);
            assert_eq!(r.code, 2, "{path}: {}", r.stderr);
            assert!(r.stderr.contains(want), "{want}\n{}", r.stderr);
            assert!(r.stderr.contains("help: "), "{}", r.stderr);
            assert_eq!(tree(ws.path()), before, "{args:?} wrote something");
        }
    }
}

/// Requirements with the mistakes uv fixes when it reads `[project]` dependencies (a trailing
/// comma, `.*` after `>=`, a missing comma, stray quotes) are read as uv reads them:
/// `lint-deps` finds the member requirement without a source, `--fix` adds it, and uv locks the
/// result. In a dependency group uv fixes only the trailing comma, and refuses the rest: so do
/// we (exit 2).
#[test]
fn requirements_uv_fixes_are_read_as_uv_reads_them() {
    let tail = |table: &str, written: &str| {
        format!(
            "\n[{table}]\nx = [\"{}\"]\n\n[tool.uv.sources]\nfast-py = {{ workspace = true }}\n",
            written.replace('"', "\\\"")
        )
    };
    let cases = [
        ("project.optional-dependencies", "core>=0.1,"),
        ("project.optional-dependencies", "core>=0.1.*"),
        ("project.optional-dependencies", "core (>=0.1<1.0)"),
        ("project.optional-dependencies", "core>=0.1'"),
        ("dependency-groups", "core>=0.1, "),
    ];
    for (table, written) in cases {
        let ws = uv_workspace("[\"pkgs/*\", \"crates/*\"]", &tail(table, written), &[]);
        // `core>=0.1` of the dependencies (line 7) and the entry of line 13: no source.
        let r = run(ws.path(), &["--format", "json"]);
        assert_eq!(r.code, 1, "{written}: {}", r.stderr);
        let found = findings(&r.stdout);
        let at_13 = f(
            "missing-workspace-source",
            "pkgs/app/pyproject.toml",
            13,
            "error",
        );
        assert!(found.contains(&at_13), "{written}: {found:?}");
        let r = run(ws.path(), &["--fix"]);
        assert_eq!(r.code, 0, "{written}: {}", r.stderr);
        assert_uv_locks(ws.path());
    }
    for written in ["core>=0.1.*", "core (>=0.1<1.0)", "core>=0.1'"] {
        let ws = uv_workspace(
            "[\"pkgs/*\", \"crates/*\"]",
            &tail("dependency-groups", written),
            &[],
        );
        let r = run(ws.path(), &[]);
        assert_eq!(r.code, 2, "{written}: {}", r.stderr);
        assert!(
            r.stderr
                .contains("pkgs/app/pyproject.toml:13:6: invalid requirement"),
            "{}",
            r.stderr
        );
        assert_uv_refuses(ws.path(), "malformed dependency groups");
    }
}

/// Every kind of `[tool.uv.sources]` entry with every key, against uv: `lint-deps` refuses
/// (exit 2, at the key) exactly the tables uv fails to parse ("Failed to parse"), and lets the
/// others through to the rules (uv may refuse those later for other reasons: a path to a
/// member, an index it cannot reach offline).
#[test]
fn source_tables_are_refused_exactly_when_uv_cannot_parse_them() {
    if !support::require_tool(support::UV.0, support::UV.1) {
        return;
    }
    let kinds = [
        "workspace = true",
        "path = \"../core\"",
        "git = \"https://example.invalid/x\"",
        "url = \"https://example.invalid/x.whl\"",
        "index = \"x\"",
    ];
    let keys = [
        "editable = true",
        "package = true",
        "subdirectory = \"a\"",
        "rev = \"a\"",
        "tag = \"a\"",
        "branch = \"a\"",
        "lfs = true",
        "marker = \"python_version >= '3.8'\"",
        "marker = \"bogus\"",
        "extra = \"x\"",
        "extra = \"x\", group = \"dev\"",
        "bogus = 1",
        "path = \"../core\"",
    ];
    let mut cases: Vec<String> = Vec::new();
    for kind in kinds {
        cases.push(format!("{{ {kind} }}"));
        for key in keys {
            cases.push(format!("{{ {kind}, {key} }}"));
        }
    }
    // Types, git pins, names, and lists of sources (uv wants markers that do not overlap).
    cases.extend(
        [
            "{}",
            "{ workspace = true, marker = 3 }",
            "{ path = \"../core\", editable = \"yes\" }",
            "{ workspace = \"yes\" }",
            "{ git = \"https://example.invalid/x\", rev = \"a\", tag = \"b\" }",
            "{ git = \"https://example.invalid/x\", branch = \"a\", tag = \"b\" }",
            "{ workspace = true, extra = \"not valid!\" }",
            "{ workspace = true, group = \"not valid!\" }",
            "[{ workspace = true }, { workspace = true }]",
            "[{ workspace = true, marker = \"sys_platform == 'linux'\" }, { workspace = true, marker = \"sys_platform == 'linux'\" }]",
            "[{ workspace = true, marker = \"sys_platform == 'linux'\" }, { workspace = true, marker = \"python_version > '3.9'\" }]",
            "[{ workspace = true, marker = \"sys_platform == 'linux'\" }, { workspace = true, marker = \"sys_platform != 'linux'\" }]",
            "[{ workspace = true, marker = \"sys_platform == 'linux'\" }, { workspace = true }]",
            // uv 0.13 compares each entry with the next only, within one extra or group.
            "[{ workspace = true, marker = \"sys_platform == 'linux'\" }, { workspace = true, marker = \"sys_platform == 'win32'\" }, { workspace = true, marker = \"sys_platform == 'linux'\" }]",
            "[{ workspace = true, extra = \"x\" }, { workspace = true }]",
            "[{ workspace = true, extra = \"X\" }, { workspace = true, extra = \"x\" }]",
            "[{ workspace = true }, { workspace = true, extra = \"x\" }, { workspace = true, marker = \"sys_platform == 'linux'\" }]",
            // URLs and index names.
            "{ git = \"not a url\" }",
            "{ git = \"git@example.invalid:x/y.git\" }",
            "{ git = \"ssh://git@example.invalid/x/y.git\" }",
            "{ url = \"core-1.0.tar.gz\" }",
            "{ url = \"https://example.invalid/core-1.0.tar.gz\" }",
            "{ index = \"a b\" }",
            "{ index = \"internal.proxy_2\" }",
            // uv knows that the platform variables imply each other; PEP 751 markers.
            "[{ workspace = true, marker = \"sys_platform == 'linux'\" }, { workspace = true, marker = \"os_name == 'nt'\" }]",
            "[{ workspace = true, marker = \"platform_system == 'Windows'\" }, { workspace = true, marker = \"sys_platform == 'darwin'\" }]",
            "{ workspace = true, marker = \"'dev' in dependency_groups\" }",
        ]
        .map(String::from),
    );
    let mut disagreements = Vec::new();
    for source in &cases {
        let app = format!(
            "[project]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = []\n\
             [project.optional-dependencies]\nx = [\"core\"]\n[dependency-groups]\ndev = []\n\
             [tool.uv.sources]\ncore = {source}\n"
        );
        let ws = uv_workspace("[\"pkgs/*\"]", "", &[("pkgs/app/pyproject.toml", &app)]);
        let (_, uv_says) = uv_lock(ws.path());
        let uv_refuses = uv_says.contains("Failed to parse: pkgs/app/pyproject.toml");
        let r = run(ws.path(), &[]);
        let ours = r.code == 2;
        if ours != uv_refuses {
            disagreements.push(format!("{source}: uv {uv_says:?}, ours {}", r.stderr));
        }
        if ours {
            assert!(
                r.stderr.contains("pkgs/app/pyproject.toml:10:"),
                "{source}: {}",
                r.stderr
            );
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

/// A cargo-only workspace lints exactly as before: no Python finding, no Python output.
/// `enabled = false`: no Python rule runs and no `pyproject.toml` of a Python package is read
/// (a malformed one is no error); the PyO3 crate's own `pyproject.toml` is still the crate's,
/// checked by `pyo3-layout`.
#[test]
fn the_python_half_can_be_turned_off() {
    let off = format!("{CARGO_ROOT}\n[workspace.metadata.ccworkspace.python]\nenabled = false\n");
    let ws = uv_workspace(
        "[\"pkgs/*\"]",
        "",
        &[
            ("Cargo.toml", &off),
            ("pkgs/core/pyproject.toml", "[project\n"),
        ],
    );
    let r = run(ws.path(), &["--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(findings(&r.stdout), [], "{}", r.stdout);
    // On (the default), the same workspace is bad input.
    std::fs::write(ws.path().join("Cargo.toml"), CARGO_ROOT).unwrap();
    let r = run(ws.path(), &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("pkgs/core/pyproject.toml:1"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_workspace_without_python_packages_lints_as_before() {
    let ws = write_workspace(&[
        ("Cargo.toml", CARGO_ROOT),
        LIB,
        (".python-version", "not a version\n"),
    ]);
    let r = run(ws.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr.trim(), "Checked 1 member: no findings");
}

/// `pyo3-layout` on a PyO3 crate's `pyproject.toml`, judged by maturin (1.16): with no
/// `module-name` and no `[lib] name`, maturin names the module after `[project] name` and
/// refuses a `-` in it; a `[project]` without `name` does not parse ("missing field `name`").
/// `maturin sdist` reads the same files without compiling anything.
#[test]
fn pyo3_project_name_is_checked_as_maturin_reads_it() {
    let cases = [
        (
            "[project]\nname = \"fast-py\"\nversion = \"0.1.0\"\n",
            "maturin names the extension module of `fast_py` after `[project] name = \"fast-py\"`, and a module name cannot contain `-`",
            "The module name must not contain a minus",
            5,
        ),
        (
            "[project]\nversion = \"0.1.0\"\n",
            "pyproject.toml of PyO3 crate `fast_py` has a [project] without a `name`",
            "missing field `name`",
            4,
        ),
    ];
    let maturin = support::require_tool(support::MATURIN.0, support::MATURIN.1);
    for (project, message, maturin_says, line) in cases {
        let pyproject = format!(
            "[build-system]\nrequires = [\"maturin>=1,<2\"]\nbuild-backend = \"maturin\"\n{project}"
        );
        let ws = write_workspace(&[
            ("Cargo.toml", CARGO_ROOT),
            FAST_PY[0],
            ("crates/fast_py/pyproject.toml", &pyproject),
            FAST_PY[2],
        ]);
        let r = run(ws.path(), &["--format", "json"]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        let v: serde_json::Value = serde_json::from_str(r.stdout.lines().next().unwrap()).unwrap();
        assert_eq!(v["code"], "pyo3-layout");
        assert_eq!(v["file"], "crates/fast_py/pyproject.toml");
        assert_eq!(v["line"], line);
        assert_eq!(v["message"], message);
        if maturin {
            let out = Command::new(support::MATURIN.0)
                .args(["sdist", "--out"])
                .arg(ws.path().join("dist"))
                .current_dir(ws.path().join("crates/fast_py"))
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "maturin accepted it");
            assert!(stderr.contains(maturin_says), "{stderr}");
        }
    }
    // `[project] name = "fastpy"`, no `module-name`, no `[lib] name`: maturin names the module
    // `fastpy` (the wheel holds `fastpy/`; `maturin build -b cffi` shows it without PyO3), but
    // the `#[pymodule]` exports `PyInit_fast_py`.
    let pyproject = "[build-system]\nrequires = [\"maturin>=1,<2\"]\nbuild-backend = \"maturin\"\n[project]\nname = \"fastpy\"\nversion = \"0.1.0\"\n";
    let ws = write_workspace(&[
        ("Cargo.toml", CARGO_ROOT),
        FAST_PY[0],
        ("crates/fast_py/pyproject.toml", pyproject),
        FAST_PY[2],
    ]);
    let r = run(ws.path(), &["--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(r.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(v["code"], "pyo3-layout");
    assert_eq!(
        (v["file"].as_str(), v["line"].as_u64()),
        (Some("crates/fast_py/pyproject.toml"), Some(5))
    );
    assert!(
        v["message"].as_str().unwrap().contains(
            "is imported as `fastpy` (maturin names it after `[project] name = \"fastpy\"`"
        ),
        "{v}"
    );
    if maturin {
        // A cdylib that exports nothing Python needs builds as cffi bindings in a second.
        std::fs::write(ws.path().join("crates/fast_py/src/lib.rs"), "").unwrap();
        let out = Command::new(support::MATURIN.0)
            .args(["build", "-b", "cffi", "--offline", "-i", "python3", "--out"])
            .arg(ws.path().join("dist"))
            .current_dir(ws.path().join("crates/fast_py"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.success() {
            let wheel = std::fs::read_dir(ws.path().join("dist"))
                .unwrap()
                .next()
                .unwrap()
                .unwrap()
                .path();
            let listing = Command::new("python3")
                .args(["-c", "import sys, zipfile; print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))"])
                .arg(&wheel)
                .output()
                .unwrap();
            let names = String::from_utf8_lossy(&listing.stdout);
            assert!(
                names.lines().any(|n| n.starts_with("fastpy/")),
                "maturin named the module otherwise: {names}"
            );
        } else {
            // No cffi-capable Python here: maturin has no verdict.
            eprintln!("maturin could not build the cffi wheel: {stderr}");
        }
    }
    // With the module named, maturin and lint-deps accept the crate.
    let ws = write_workspace(&[
        ("Cargo.toml", CARGO_ROOT),
        FAST_PY[0],
        FAST_PY[1],
        FAST_PY[2],
    ]);
    assert_eq!(run(ws.path(), &[]).code, 0);
}

/// With MANIFEST arguments (pre-commit), the Python rules report on the `pyproject.toml` files
/// given (all packages when the root `pyproject.toml` is given); a run given only Cargo
/// manifests runs none of them.
#[test]
fn manifest_arguments_check_the_given_pyprojects() {
    let ws = uv_workspace(
        "[\"pkgs/*\"]",
        "",
        &[
            (".python-version", "3.11\n"),
            (
                "pkgs/core/pyproject.toml",
                "[project]\nname = \"core\"\nversion = \"0.1.0\"\nrequires-python = \">=3.12\"\n",
            ),
        ],
    );
    let root = ws.path();
    let r = run(root, &["--format", "json", "pkgs/app/pyproject.toml"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        findings(&r.stdout),
        [
            f(
                "missing-workspace-source",
                "pkgs/app/pyproject.toml",
                7,
                "error"
            ),
            f("pyo3-not-uv-member", "pkgs/app/pyproject.toml", 9, "error"),
        ]
    );
    // A package's folder stands for its `pyproject.toml`, as a member's for its `Cargo.toml`.
    let by_folder = run(root, &["--format", "json", "pkgs/app"]);
    assert_eq!(findings(&by_folder.stdout), findings(&r.stdout));
    let r = run(root, &["--format", "json", "pkgs/core/pyproject.toml"]);
    assert_eq!(
        findings(&r.stdout),
        [f(
            "incompatible-requires-python",
            "pkgs/core/pyproject.toml",
            4,
            "error"
        )]
    );
    let r = run(root, &["--format", "json", "pyproject.toml"]);
    assert_eq!(findings(&r.stdout).len(), 3, "{}", r.stdout);
    let r = run(root, &["--format", "json", "crates/fast_py/Cargo.toml"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(findings(&r.stdout), []);

    // The summary names what was checked: the given Python package, the given member, both.
    for (args, checked) in [
        (
            &["pkgs/core/pyproject.toml"][..],
            "Checked 1 Python package: 1 error, 0 warnings",
        ),
        (
            &["crates/fast_py/Cargo.toml"],
            "Checked 1 member: no findings",
        ),
        (
            &["crates/fast_py/Cargo.toml", "pkgs/core/pyproject.toml"],
            "Checked 1 member and 1 Python package: 1 error, 0 warnings",
        ),
    ] {
        let r = run(root, args);
        assert!(r.stderr.contains(checked), "{args:?}: {}", r.stderr);
    }

    // `--fix` with the file pre-commit passes fixes that file.
    let r = run(root, &["--fix", "pkgs/app/pyproject.toml"]);
    assert!(
        r.stderr.contains("Fixed 1 finding in 1 file"),
        "{}",
        r.stderr
    );
    let app = std::fs::read_to_string(root.join("pkgs/app/pyproject.toml")).unwrap();
    assert!(app.ends_with("core = { workspace = true }\n"), "{app}");
}

/// A direct reference (`core @ file:///...`) to a member of the uv workspace: uv refuses it
/// without a workspace source, so `missing-workspace-source` reports it and `--fix` adds the
/// source uv then locks with. Without a uv workspace a direct reference names its source and
/// is not reported.
#[test]
fn a_direct_reference_to_a_uv_member_needs_a_workspace_source_as_uv_says() {
    if !support::require_tool(support::UV.0, support::UV.1) {
        return;
    }
    let direct = |root: &Path| {
        format!(
            "[project]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"core @ file://{}\"]\n",
            root.join("pkgs/core").display()
        )
    };
    let ws = write_workspace(&[
        ("Cargo.toml", CARGO_ROOT),
        (
            "pyproject.toml",
            "[project]\nname = \"mono\"\nversion = \"0.1.0\"\n[tool.uv.workspace]\nmembers = [\"pkgs/*\"]\n",
        ),
        (
            "pkgs/core/pyproject.toml",
            "[project]\nname = \"core\"\nversion = \"0.1.0\"\n",
        ),
        (
            "crates/core/Cargo.toml",
            "[package]\nname = \"core-rs\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        ("crates/core/src/lib.rs", ""),
    ]);
    let root = ws.path();
    std::fs::create_dir_all(root.join("pkgs/app")).unwrap();
    std::fs::write(root.join("pkgs/app/pyproject.toml"), direct(root)).unwrap();
    assert_uv_refuses(
        root,
        "`core` is included as a workspace member, but is missing an entry",
    );
    let r = run(root, &["--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        findings(&r.stdout),
        [f(
            "missing-workspace-source",
            "pkgs/app/pyproject.toml",
            4,
            "error"
        )]
    );
    let r = run(root, &["--fix"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_uv_locks(root);
    assert_eq!(locked_source(root, "core"), "{ editable = \"pkgs/core\" }");

    // No uv workspace: the direct reference is where uv takes `core` from.
    let ws = write_workspace(&[
        ("Cargo.toml", CARGO_ROOT),
        (
            "pkgs/core/pyproject.toml",
            "[project]\nname = \"core\"\nversion = \"0.1.0\"\n",
        ),
        LIB,
        ("crates/a/src/lib.rs", ""),
    ]);
    let root = ws.path();
    std::fs::write(
        root.join("Cargo.toml"),
        format!("{CARGO_ROOT}\n[workspace.metadata.ccworkspace.python]\npackages = [\"pkgs/*\"]\n"),
    )
    .unwrap();
    std::fs::create_dir_all(root.join("pkgs/app")).unwrap();
    std::fs::write(root.join("pkgs/app/pyproject.toml"), direct(root)).unwrap();
    let r = run(root, &["--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(findings(&r.stdout), [], "{}", r.stderr);
    let r = run(root, &[]);
    assert!(
        r.stderr.contains("Checked 1 member and 2 Python packages"),
        "{}",
        r.stderr
    );
}

/// A virtual root (no `[project]`) is no package, but uv reads its dependency groups: one
/// naming a member needs the workspace source, as uv says; `--fix` adds it to the root.
#[test]
fn a_virtual_roots_dependency_groups_need_workspace_sources_too() {
    if !support::require_tool(support::UV.0, support::UV.1) {
        return;
    }
    let ws = write_workspace(&[
        ("Cargo.toml", CARGO_ROOT),
        LIB,
        ("crates/a/src/lib.rs", ""),
        (
            "pyproject.toml",
            "# the monorepo\n[tool.uv.workspace]\nmembers = [\"pkgs/*\"]\n\n[dependency-groups]\ndev = [\"core\"]\n",
        ),
        (
            "pkgs/core/pyproject.toml",
            "[project]\nname = \"core\"\nversion = \"0.1.0\"\n",
        ),
    ]);
    let root = ws.path();
    assert_uv_refuses(
        root,
        "`core` is included as a workspace member, but is missing an entry",
    );
    let r = run(root, &["--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        findings(&r.stdout),
        [f("missing-workspace-source", "pyproject.toml", 6, "error")]
    );
    let r = run(root, &["--fix"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(root.join("pyproject.toml")).unwrap();
    assert!(text.starts_with("# the monorepo\n"), "{text}");
    assert!(text.contains("core = { workspace = true }"), "{text}");
    assert_uv_locks(root);
}

/// What uv's schema refuses in a member's `pyproject.toml` is exit 2 at that file, and what it
/// accepts is not, case for case against `uv lock --offline`: two sources, extras or groups of
/// one normalised name, an extra or group name that is no
/// name, an `include-group` table with another key, `[tool] uv = 1`, an unknown key of
/// `[tool.uv.workspace]`, a source restricted to an extra or group that does not require its
/// package, a bad `requires-python` or no name in a member uv does not manage (`[tool.uv]
/// managed = false`); and beside them the valid spellings of the same tables, and a bad requirement or
/// include in a member uv does not manage (uv never reads those).
#[test]
fn member_files_uv_refuses_are_exit_2_and_what_it_accepts_is_not() {
    if !support::require_tool(support::UV.0, support::UV.1) {
        return;
    }
    let src = "\n[tool.uv.sources]\nb = { workspace = true }\n";
    // (the project's fields after its name, the rest of the file, what uv says when it refuses)
    let cases: Vec<(String, String, Option<&str>)> = vec![
        ("version = \"0.1.0\"\ndependencies = [\"b\"]\n".into(), src.into(), None),
        (
            "version = \"0.1.0\"\ndependencies = [\"b\"]\n".into(),
            format!("{src}B = {{ workspace = true }}\n"),
            Some("duplicate sources"),
        ),
        (
            "version = \"0.1.0\"\ndependencies = [\"b\"]\n".into(),
            format!("\n[dependency-groups]\nFoo_Bar = []\nfoo-bar = [\"b\"]\n{src}"),
            Some("duplicate dependency group"),
        ),
        (
            "version = \"0.1.0\"\ndependencies = [\"b\"]\n".into(),
            format!("\n[dependency-groups]\n\"x y\" = []\n{src}"),
            Some("Not a valid"),
        ),
        (
            "version = \"0.1.0\"\ndependencies = [\"b\"]\n".into(),
            format!("\n[project.optional-dependencies]\nFoo_Bar = []\nfoo-bar = []\n{src}"),
            Some("duplicate normalized extra"),
        ),
        (
            "version = \"0.1.0\"\ndependencies = [\"b\"]\n".into(),
            format!("\n[project.optional-dependencies]\n\"x y\" = []\n{src}"),
            Some("Not a valid"),
        ),
        (
            "version = \"0.1.0\"\ndependencies = [\"b\"]\n".into(),
            format!(
                "\n[dependency-groups]\nx = [{{ include-group = \"y\", foo = \"z\" }}]\ny = []\n{src}"
            ),
            Some("malformed dependency groups"),
        ),
        (
            "version = \"0.1.0\"\ndependencies = [\"b\"]\n".into(),
            format!("\n[dependency-groups]\nx = [{{ include-group = \"y\" }}]\ny = [\"b\"]\n{src}"),
            None,
        ),
        (
            "version = \"0.1.0\"\ndependencies = [\"b\"]\n".into(),
            "\n[tool]\nuv = 1\n".into(),
            Some("ToolUv"),
        ),
        (
            "version = \"0.1.0\"\ndependencies = [\"b\"]\n".into(),
            format!("{src}\n[tool.uv.workspace]\nmembers = []\nfoo = 1\n"),
            Some("unknown field"),
        ),
        (
            "version = \"0.1.0\"\ndependencies = [\"b\"]\n".into(),
            "\n[project.optional-dependencies]\nx = []\n\n[tool.uv.sources]\nb = [{ workspace = true, extra = \"x\" }]\n".into(),
            Some("only applies to extra"),
        ),
        (
            "version = \"0.1.0\"\ndependencies = [\"b\"]\n".into(),
            "\n[dependency-groups]\ndev = []\n\n[tool.uv.sources]\nb = [{ workspace = true, group = \"dev\" }]\n".into(),
            Some("only applies to dependency group"),
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[project.optional-dependencies]\nx = [\"b\"]\n\n[tool.uv.sources]\nb = [{ workspace = true, extra = \"x\" }]\n".into(),
            None,
        ),
        // The `[tool.uv]` settings uv types (its `ToolUv`), for an unmanaged member too.
        (
            "version = \"0.1.0\"\n".into(),
            "\n[tool.uv]\npackage = \"yes\"\n".into(),
            Some("expected a boolean"),
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[tool.uv]\nmanaged = false\ndev-dependencies = [\"b >>= 1\"]\n".into(),
            Some("no such comparison operator"),
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[tool.uv]\nconstraint-dependencies = [\"b >>= 1\"]\n".into(),
            Some("no such comparison operator"),
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[tool.uv]\noverride-dependencies = \"b\"\n".into(),
            Some("expected a sequence"),
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[tool.uv]\nexclude-dependencies = [\"b c\"]\n".into(),
            Some("Not a valid package or extra name"),
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[tool.uv]\ndefault-groups = [\"nope\"]\n".into(),
            Some("is not defined"),
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[tool.uv]\ndefault-groups = \"nope\"\n".into(),
            Some("default-groups must be"),
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[tool.uv]\nmanaged = false\ndefault-groups = [\"nope\"]\n".into(),
            None,
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[dependency-groups]\nDev = []\n\n[tool.uv]\ndefault-groups = [\"dev\"]\nconstraint-dependencies = [\"b>=1,\"]\n".into(),
            None,
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[tool.uv]\ndefault-groups = \"all\"\npackage = false\n".into(),
            None,
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[[tool.uv.index]]\nname = \"x\"\n".into(),
            Some("missing field `url`"),
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[[tool.uv.index]]\nname = \"x\"\nurl = \"https://example.invalid/a\"\n\n[[tool.uv.index]]\nname = \"x\"\nurl = \"https://example.invalid/b\"\n".into(),
            Some("duplicate index name"),
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[[tool.uv.index]]\nname = \"x\"\nurl = \"https://example.invalid/a\"\nformat = \"zip\"\n".into(),
            Some("unknown variant"),
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[[tool.uv.index]]\nname = \"\"\nurl = \"not a url\"\nnote = 1\n\n[[tool.uv.index]]\nname = \"X\"\nurl = \"https://example.invalid/a\"\ndefault = true\nignore-error-codes = [403]\n".into(),
            None,
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[tool.uv]\nconflicts = [[{ extra = \"x\" }]]\n".into(),
            Some("at least two entries"),
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[tool.uv]\nconflicts = [[{ extra = \"x\", group = \"y\" }, { extra = \"z\" }]]\n".into(),
            Some("found both"),
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[tool.uv]\nconflicts = [[{ extra = \"x\" }, { extra = \"nope\", package = \"b\" }]]\nenvironments = \"sys_platform == 'linux'\"\n".into(),
            None,
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[tool.uv]\nrequired-environments = [\"python_version >>> '3'\"]\n".into(),
            Some("Expected a valid marker operator"),
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[dependency-groups]\ndev = []\n\n[tool.uv.dependency-groups]\nnope = { requires-python = \">=3.8\" }\n".into(),
            Some("Failed to find group"),
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[dependency-groups]\ndev = []\n\n[tool.uv.dependency-groups]\nDev = { requires-python = \"foo\" }\n".into(),
            Some("Failed to parse version"),
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[dependency-groups]\ndev = []\n\n[tool.uv.dependency-groups]\nDev = { requires-python = \">=3.8\" }\n".into(),
            None,
        ),
        // What uv reads that `pep508_rs` 0.9 alone would not: PEP 751's `extras` and
        // `dependency_groups` markers, an `@` inside a quoted marker value, a build constraint
        // as a table with its hashes.
        (
            "version = \"0.1.0\"\ndependencies = [\"b ; 'e1' not in extras\"]\n".into(),
            "\n[tool.uv.sources]\nb = { workspace = true }\n\n[tool.uv]\nconstraint-dependencies = [\"b==0.1.0 ; platform_version == 'a@b://c;d'\"]\nenvironments = [\"'dev' in dependency_groups or sys_platform == 'linux'\"]\nbuild-constraint-dependencies = [{ requirement = \"b>=0.1\", hashes = [\"sha256:abc\"], note = 1 }]\n".into(),
            None,
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[tool.uv]\nbuild-constraint-dependencies = [{ hashes = [] }]\n".into(),
            Some("missing field `requirement`"),
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[[tool.uv.index]]\nurl = \"https://example.invalid/simple\"\nexplicit = true\n".into(),
            Some("requires a `name`"),
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[[tool.uv.index]]\nname = \"x\"\nurl = \"https://\"\n".into(),
            Some("empty host"),
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[[tool.uv.index]]\nname = \"x\"\nurl = \"https://example.invalid/simple\"\nignore-error-codes = [99]\n".into(),
            Some("not a valid HTTP status code"),
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[[tool.uv.index]]\nname = \"x\"\nurl = \"https://example.invalid/simple\"\npublish-url = \"./upload\"\n".into(),
            Some("relative URL without a base"),
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[[tool.uv.index]]\nname = \"\"\nurl = \"https://example.invalid/simple\"\nexplicit = true\npublish-url = \"https://example.invalid/upload\"\ncache-control = { api = \"max-age=600\", note = 1 }\nignore-error-codes = [100, 999]\n".into(),
            None,
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[tool.uv]\nconflicts = [[{ extra = \"cpu\" }, { extra = \"CPU\" }]]\n".into(),
            Some("at least two entries"),
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[tool.uv]\nconflicts = [[{ extra = \"cpu\" }, { package = \"A\", extra = \"cpu\" }]]\n".into(),
            Some("at least two entries"),
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[tool.uv]\nconflicts = [[{ extra = \"cpu\" }, { package = \"b\", extra = \"cpu\" }]]\n".into(),
            None,
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[dependency-groups]\ng = [\"x @ https://example.invalid/x\"]\n".into(),
            Some("supported file extension"),
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[dependency-groups]\ng = [\"x @ file:///nonexistent/x-1.0.exe\"]\n".into(),
            Some("supported file extension"),
        ),
        // `[project] version` and `dynamic` (PyPA's specification, as uv reads it).
        (
            "requires-python = \">=3.11\"\n".into(),
            String::new(),
            Some("project.version"),
        ),
        (
            "dynamic = [\"Version\", \"readme\"]\n".into(),
            String::new(),
            Some("project.version"),
        ),
        (
            "version = \"1.0.x\"\n".into(),
            String::new(),
            Some("not part of a valid version"),
        ),
        (
            "version = 1\n".into(),
            String::new(),
            Some("invalid type"),
        ),
        (
            "version = \"0.1.0\"\ndynamic = \"readme\"\n".into(),
            String::new(),
            Some("expected a sequence"),
        ),
        (
            "version = \"0.1.0\"\ndynamic = [\"readme\", 3]\n".into(),
            String::new(),
            Some("invalid type"),
        ),
        ("version = \" 1.0 \"\n".into(), String::new(), None),
        // uv's numbers stop one short of 2^64 - 1 (a local segment may be that large).
        (
            "version = \"1.0.post18446744073709551615\"\n".into(),
            String::new(),
            Some("less than or equal to 18446744073709551614"),
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[dependency-groups]\ndev = [\"b<18446744073709551615\"]\n".into(),
            Some("less than or equal to 18446744073709551614"),
        ),
        (
            "version = \"1.0+18446744073709551615\"\nrequires-python = \">=3.8\"\n".into(),
            String::new(),
            None,
        ),
        (
            "version = \"0.1.0\"\nrequires-python = \">=3.18446744073709551615\"\n".into(),
            String::new(),
            Some("less than or equal to 18446744073709551614"),
        ),
        ("version = \"v1.0.post2\"\n".into(), String::new(), None),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[tool.uv]\nmanaged = false\n".into(),
            None,
        ),
        (
            "description = \"no version\"\n".into(),
            "\n[tool.uv]\nmanaged = false\n".into(),
            Some("project.version"),
        ),
        // A member uv does not manage: uv never reads its requirements or groups, but it still
        // reads `requires-python`.
        (
            "version = \"0.1.0\"\ndependencies = [\"b >>= 1\"]\n".into(),
            "\n[tool.uv]\nmanaged = false\n".into(),
            None,
        ),
        (
            "version = \"0.1.0\"\n".into(),
            "\n[dependency-groups]\nx = [{ include-group = \"nope\" }]\n\n[tool.uv]\nmanaged = false\n"
                .into(),
            None,
        ),
        (
            "version = \"0.1.0\"\nrequires-python = \">=3.x\"\n".into(),
            "\n[tool.uv]\nmanaged = false\n".into(),
            Some("Failed to parse version"),
        ),
    ];
    // Each case names its project `a`; and a member uv does not manage still needs a name.
    let named = cases
        .iter()
        .map(|(fields, rest, says)| (format!("name = \"a\"\n{fields}"), rest.as_str(), *says));
    let unnamed = (
        "version = \"0.1.0\"\n".to_string(),
        "\n[tool.uv]\nmanaged = false\n",
        Some("project.name"),
    );
    for (fields, rest, uv_says) in named.chain([unnamed]) {
        let a = format!("[project]\n{fields}{rest}");
        let ws = two_members("", &a, "[project]\nname = \"b\"\nversion = \"0.1.0\"\n");
        let (locked, uv_stderr) = uv_lock(ws.path());
        let ours = run(ws.path(), &[]);
        match uv_says {
            None => {
                assert!(locked, "uv refuses:\n{a}\n{uv_stderr}");
                assert_ne!(ours.code, 2, "uv accepts:\n{a}\nours: {}", ours.stderr);
            }
            Some(says) => {
                assert!(
                    !locked && uv_stderr.contains(says),
                    "uv was to say {says:?}:\n{a}\n{uv_stderr}"
                );
                assert_eq!(ours.code, 2, "uv refuses:\n{a}\nours: {}", ours.stderr);
                assert!(
                    ours.stderr.contains("py/a/pyproject.toml:"),
                    "at the file and line:\n{a}\n{}",
                    ours.stderr
                );
            }
        }
    }
}

/// Sources uv refuses only when it lowers a requirement (`uv lock` fails on them, exit 1 or 2,
/// whatever the requirement's marker): a workspace source for a distribution no member has,
/// an index source naming no index of the file or the root. Ours is exit 2 at the source's
/// line; where uv gets past them (it may still fail offline, resolving `c` from an index), we
/// are not exit 2.
#[test]
fn sources_uv_cannot_lower_are_exit_2() {
    if !support::require_tool(support::UV.0, support::UV.1) {
        return;
    }
    let index = "\n[[tool.uv.index]]\nname = \"x\"\nurl = \"https://example.invalid/simple\"\nexplicit = true\n";
    // (the root's tail, member a's tail after its version, member b's tail, what uv says)
    let cases: Vec<(String, String, String, Option<&str>)> = vec![
        (
            String::new(),
            "dependencies = [\"c\"]\n\n[tool.uv.sources]\nc = { workspace = true }\n".into(),
            String::new(),
            Some("is not a workspace member"),
        ),
        (
            String::new(),
            "\n[dependency-groups]\ndev = [\"c; sys_platform == 'linux' and sys_platform == 'win32'\"]\n\n[tool.uv.sources]\nc = { workspace = true }\n".into(),
            String::new(),
            Some("is not a workspace member"),
        ),
        (
            "\n[tool.uv.sources]\nc = { workspace = true }\n".into(),
            "dependencies = [\"c\"]\n".into(),
            String::new(),
            Some("is not a workspace member"),
        ),
        (
            String::new(),
            "dependencies = [\"b\"]\n\n[tool.uv.sources]\nb = { workspace = true }\nc = { workspace = true }\n".into(),
            String::new(),
            None,
        ),
        (
            String::new(),
            "dependencies = [\"c\"]\n\n[tool.uv]\nmanaged = false\n\n[tool.uv.sources]\nc = { workspace = true }\n".into(),
            String::new(),
            None,
        ),
        (
            String::new(),
            "dependencies = [\"c\"]\n\n[tool.uv.sources]\nc = { index = \"x\" }\n".into(),
            String::new(),
            Some("references an undeclared index"),
        ),
        (
            String::new(),
            "dependencies = [\"c\"]\n\n[tool.uv.sources]\nc = { index = \"x\" }\n".into(),
            index.into(),
            Some("references an undeclared index"),
        ),
        (
            String::new(),
            format!("dependencies = [\"c\"]\n\n[tool.uv.sources]\nc = {{ index = \"x\" }}\n{index}"),
            String::new(),
            None,
        ),
        (
            index.into(),
            "dependencies = [\"c\"]\n\n[tool.uv.sources]\nc = { index = \"x\" }\n".into(),
            String::new(),
            None,
        ),
        // A url source names a wheel or source archive; `workspace = false` is not supported.
        (
            String::new(),
            "dependencies = [\"c\"]\n\n[tool.uv.sources]\nc = { url = \"https://example.invalid/c\" }\n".into(),
            String::new(),
            Some("supported file extension"),
        ),
        (
            String::new(),
            "dependencies = [\"c\"]\n\n[tool.uv.sources]\nc = { url = \"git+https://example.invalid/c\" }\n".into(),
            String::new(),
            Some("supported file extension"),
        ),
        (
            String::new(),
            "dependencies = [\"c\"]\n\n[tool.uv.sources]\nc = { workspace = false }\n".into(),
            String::new(),
            Some("is not yet supported"),
        ),
        (
            String::new(),
            "\n[tool.uv.sources]\nc = { url = \"https://example.invalid/c\" }\nd = { workspace = false }\n".into(),
            String::new(),
            None,
        ),
        // The root project's own requirement, through the root's source.
        (
            "\n[project]\nname = \"root\"\nversion = \"0.1.0\"\ndependencies = [\"c\"]\n\n[tool.uv.sources]\nc = { workspace = true }\n".into(),
            String::new(),
            String::new(),
            Some("is not a workspace member"),
        ),
    ];
    for (root_tail, a_tail, b_tail, uv_says) in &cases {
        let a = format!("[project]\nname = \"a\"\nversion = \"0.1.0\"\n{a_tail}");
        let b = format!("[project]\nname = \"b\"\nversion = \"0.1.0\"\n{b_tail}");
        let ws = two_members(root_tail, &a, &b);
        let (locked, uv_stderr) = uv_lock(ws.path());
        let ours = run(ws.path(), &[]);
        let case = format!("root tail:\n{root_tail}\na:\n{a}\nb:\n{b}");
        match uv_says {
            Some(says) => {
                assert!(
                    !locked && uv_stderr.contains(says),
                    "uv was to say {says:?}:\n{case}\n{uv_stderr}"
                );
                assert_eq!(ours.code, 2, "uv refuses:\n{case}\nours: {}", ours.stderr);
                assert!(
                    ours.stderr.contains("pyproject.toml:")
                        && ours.stderr.contains("[tool.uv.sources] entry `c`"),
                    "{case}\n{}",
                    ours.stderr
                );
            }
            None => {
                for refusal in [
                    "is not a workspace member",
                    "undeclared index",
                    "Failed to parse",
                ] {
                    assert!(
                        !uv_stderr.contains(refusal),
                        "uv refuses:\n{case}\n{uv_stderr}"
                    );
                }
                assert_ne!(ours.code, 2, "uv takes:\n{case}\nours: {}", ours.stderr);
            }
        }
    }
}

/// A uv workspace locks for the Pythons every member allows, and uv refuses members whose
/// `requires-python` ranges share none ("Found conflicting Python requirements"): ours is exit
/// 2 exactly then, pair by pair over specifiers of every operator (release-only ranges, as uv
/// reads them).
#[test]
fn members_whose_pythons_share_none_are_refused_as_uv_refuses_them() {
    if !support::require_tool(support::UV.0, support::UV.1) {
        return;
    }
    let specifiers = [
        ">=3.12.5",
        "<3.12.3",
        ">=3.12",
        "<3.10",
        "==3.11.*",
        ">=3.11, !=3.11.*",
        ">3.11",
        "<=3.11",
        "~=3.11.2",
        "==3.11",
    ];
    let mut disagreements = Vec::new();
    let mut refused = 0;
    for (i, a) in specifiers.iter().enumerate() {
        for b in &specifiers[i..] {
            let member = |name: &str, rp: &str| {
                format!(
                    "[project]\nname = \"{name}\"\nversion = \"0.1.0\"\nrequires-python = \"{rp}\"\n"
                )
            };
            let ws = two_members("", &member("a", a), &member("b", b));
            let (_, uv_stderr) = uv_lock(ws.path());
            let uv_refuses = uv_stderr.contains("Found conflicting Python requirements");
            let ours = run(ws.path(), &[]);
            let we_refuse = ours.code == 2;
            if uv_refuses != we_refuse {
                disagreements.push(format!("{a} / {b}: uv {uv_stderr}\nours {}", ours.stderr));
            }
            if we_refuse {
                refused += 1;
                assert!(
                    ours.stderr.contains("py/b/pyproject.toml:4:") && ours.stderr.contains(a),
                    "{a} / {b}: {}",
                    ours.stderr
                );
            }
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
    assert!(refused >= 5, "the pairs should hold conflicts: {refused}");
}
