#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `cargo ccworkspace lint-deps` end to end: the built binary on copies of the fixture
//! workspaces in `fixtures/workspaces/lint-*` (and small workspaces written by the tests).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

mod support;
use support::git::Repo;

const BIN: &str = env!("CARGO_BIN_EXE_cargo-ccworkspace");

/// `--fix` with every fixable rule, the opt-in ones (`lints-not-inherited`,
/// `package-not-inherited`) included: a plain `--fix` leaves those alone.
const FIX_ALL: &str = "--fix=not-inherited,ignored-key,ineffective-default-features,unused-workspace-dep,lints-not-inherited,package-not-inherited";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/workspaces")
        .join(name)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() == "target" {
                continue;
            }
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of a fixture workspace in a temporary directory.
fn copy_of(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(name), dir.path());
    dir
}

/// A workspace written from (path, text) pairs.
fn workspace(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(BIN)
        .current_dir(dir)
        .args(["--color", "never", "lint-deps"])
        .args(args)
        .env_remove("CI")
        .output()
        .unwrap();
    let redact =
        |s: &[u8]| String::from_utf8_lossy(s).replace(&dir.display().to_string(), "[ROOT]");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: redact(&out.stdout),
        stderr: redact(&out.stderr),
    }
}

/// Every file under `dir` (relative path -> contents), skipping `target/`.
fn tree(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                if entry.file_name() != "target" {
                    walk(root, &entry.path(), out);
                }
            } else {
                let rel = entry.path().strip_prefix(root).unwrap().to_path_buf();
                out.insert(
                    rel.to_string_lossy().replace('\\', "/"),
                    std::fs::read_to_string(entry.path()).unwrap_or_default(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn codes(json_lines: &str) -> Vec<String> {
    json_lines
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "finding")
        .map(|v| v["code"].as_str().unwrap().to_string())
        .collect()
}

/// What cargo resolves: every node's id, features and dependency edges.
fn resolution(dir: &Path) -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let metadata = |offline: bool| {
        let mut cmd = Command::new(&cargo);
        cmd.current_dir(dir)
            .args(["metadata", "--format-version", "1"]);
        if offline {
            cmd.arg("--offline");
        }
        cmd.output().unwrap()
    };
    let mut out = metadata(true);
    if !out.status.success() {
        out = metadata(false);
    }
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let mut features: Vec<&str> = n["features"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap())
                .collect();
            features.sort();
            let mut deps: Vec<String> = n["deps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| format!("{}{}", d["pkg"], d["dep_kinds"]))
                .collect();
            deps.sort();
            format!("{} {:?} {:?}", n["id"], features, deps)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Every rule, every format.

#[test]
fn all_rules_are_reported_in_human_form() {
    let ws = copy_of("lint-all-rules");
    let r = run(ws.path(), &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    insta::assert_snapshot!("all_rules_human", r.stderr);
}

#[test]
fn all_rules_json_has_every_code_and_a_summary() {
    let ws = copy_of("lint-all-rules");
    let r = run(ws.path(), &["--format", "json"]);
    assert_eq!(r.code, 1);
    let found: BTreeSet<String> = codes(&r.stdout).into_iter().collect();
    let all: BTreeSet<String> = cargo_ccworkspace::lint::Rule::ALL
        .iter()
        .map(|r| r.code().to_string())
        .collect();
    assert_eq!(found, all);
    let last: serde_json::Value = serde_json::from_str(r.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["type"], "summary");
    assert_eq!(last["schema_version"], 1);
    insta::assert_snapshot!("all_rules_json", r.stdout);
}

#[test]
fn github_annotations() {
    let ws = copy_of("lint-all-rules");
    let r = run(ws.path(), &["--format", "github"]);
    assert_eq!(r.code, 1);
    for line in r.stdout.lines() {
        assert!(
            line.starts_with("::error file=") || line.starts_with("::warning file="),
            "{line}"
        );
    }
    insta::assert_snapshot!("all_rules_github", r.stdout);
}

#[test]
fn sarif_log() {
    let ws = copy_of("lint-all-rules");
    let r = run(ws.path(), &["--format", "sarif"]);
    assert_eq!(r.code, 1);
    let mut v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    v["runs"][0]["tool"]["driver"]["version"] = "[VERSION]".into();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        codes(&run(ws.path(), &["--format", "json"]).stdout).len()
    );
    insta::assert_json_snapshot!("all_rules_sarif", v);
}

// ---------------------------------------------------------------------------------------------
// --fix and --diff.

#[test]
fn diff_previews_and_writes_nothing() {
    let ws = copy_of("lint-fixable");
    let before = tree(ws.path());
    let r = run(ws.path(), &["--diff"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(tree(ws.path()), before, "--diff wrote something");
    insta::assert_snapshot!("fixable_diff", r.stdout);
}

#[test]
fn fix_cleans_the_workspace_without_changing_the_resolution() {
    let ws = copy_of("lint-fixable");
    let resolved_before = resolution(ws.path());
    let lock_before = std::fs::read_to_string(ws.path().join("Cargo.lock")).unwrap();

    let r = run(ws.path(), &[FIX_ALL]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("Fixed 12 findings in 3 files"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("no findings"), "{}", r.stderr);

    assert_eq!(
        resolution(ws.path()),
        resolved_before,
        "the resolution changed"
    );
    assert_eq!(
        std::fs::read_to_string(ws.path().join("Cargo.lock")).unwrap(),
        lock_before,
        "Cargo.lock changed"
    );
    let after = tree(ws.path());
    for file in [
        "Cargo.toml",
        "crates/alpha/Cargo.toml",
        "crates/beta/Cargo.toml",
    ] {
        insta::assert_snapshot!(
            format!("fixable_fixed_{}", file.replace('/', "_")),
            after[file]
        );
    }

    // A second run has nothing to fix.
    let again = run(ws.path(), &[FIX_ALL]);
    assert_eq!(again.code, 0);
    assert!(!again.stderr.contains("Fixed"), "{}", again.stderr);
    assert_eq!(tree(ws.path()), after);
    assert_eq!(run(ws.path(), &["--diff"]).stdout, "");
}

#[test]
fn fix_on_the_all_rules_workspace_leaves_only_what_needs_a_human() {
    let ws = copy_of("lint-all-rules");
    let r = run(ws.path(), &["--fix", "--format", "json"]);
    assert_eq!(r.code, 1);
    let mut left = codes(&r.stdout);
    left.sort();
    left.dedup();
    assert_eq!(
        left,
        [
            "deprecated-spelling",
            "duplicate-versions",
            "incompatible-requires-python",
            "ineffective-default-features",
            "lints-not-inherited",
            "missing-workspace-entry",
            "not-inherited",
            "orphan-crate",
            "package-not-inherited",
            "pyo3-layout",
            "pyo3-not-uv-member",
            "unused-exemption",
            "version-conflict",
        ]
    );
    // A plain --fix does not opt vote into [workspace.lints]; naming the rule does.
    let vote = std::fs::read_to_string(ws.path().join("DAGs/rust/vote/Cargo.toml")).unwrap();
    assert!(!vote.contains("[lints]\nworkspace = true"), "{vote}");
    let r = run(
        ws.path(),
        &["--fix=lints-not-inherited", "--format", "json"],
    );
    assert_eq!(r.code, 1);
    assert!(!codes(&r.stdout).contains(&"lints-not-inherited".to_string()));
    let vote = std::fs::read_to_string(ws.path().join("DAGs/rust/vote/Cargo.toml")).unwrap();
    assert!(vote.contains("[lints]\nworkspace = true"), "{vote}");
}

#[test]
fn a_read_only_manifest_means_nothing_is_written() {
    let ws = copy_of("lint-fixable");
    let beta = ws.path().join("crates/beta/Cargo.toml");
    let mut perms = std::fs::metadata(&beta).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&beta, perms).unwrap();
    let before = tree(ws.path());
    let r = run(ws.path(), &["--fix"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("read-only"), "{}", r.stderr);
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    assert_eq!(tree(ws.path()), before);
}

// ---------------------------------------------------------------------------------------------
// Errors and exit codes.

#[test]
fn a_toml_syntax_error_is_exit_2_with_file_line_column() {
    let ws = copy_of("lint-fixable");
    let beta = ws.path().join("crates/beta/Cargo.toml");
    let text = std::fs::read_to_string(&beta).unwrap();
    std::fs::write(&beta, text.replace("name = \"beta\"", "name = \"beta")).unwrap();
    let r = run(ws.path(), &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("error: crates/beta/Cargo.toml:2:13: invalid TOML"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("help: "), "{}", r.stderr);
}

#[test]
fn no_workspace_is_exit_2() {
    let dir = workspace(&[(
        "Cargo.toml",
        "[package]\nname = \"solo\"\nversion = \"0.1.0\"\n",
    )]);
    let r = run(dir.path(), &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("could not find a cargo workspace"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_clean_workspace_is_exit_0_and_warnings_do_not_fail() {
    let clean = workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"a\"]\n[workspace.dependencies]\nanyhow = \"1\"\n",
        ),
        (
            "a/Cargo.toml",
            "[package]\nname = \"a\"\nversion = \"0.1.0\"\n[dependencies]\nanyhow.workspace = true\n",
        ),
    ]);
    let r = run(clean.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("Checked 1 member: no findings"),
        "{}",
        r.stderr
    );

    let warn_only = workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"a\"]\n[workspace.dependencies]\nanyhow = \"1\"\nlog = \"0.4\"\n",
        ),
        (
            "a/Cargo.toml",
            "[package]\nname = \"a\"\nversion = \"0.1.0\"\n[dependencies]\nanyhow.workspace = true\n",
        ),
    ]);
    let r = run(warn_only.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("warning[unused-workspace-dep]"),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Configuration.

const ROOT: &str =
    "[workspace]\nmembers = [\"a\"]\n[workspace.dependencies]\nanyhow = \"1\"\nlog = \"0.4\"\n";
const MEMBER: &str = "[package]\nname = \"a\"\nversion = \"0.1.0\"\n[dependencies]\nanyhow = \"1\"\nlog.workspace = true\n";

#[test]
fn levels_change_what_is_reported_and_the_exit_code() {
    let allow = workspace(&[
        (
            "Cargo.toml",
            &format!(
                "{ROOT}[workspace.metadata.ccworkspace.lint-deps]\nlevels = {{ not-inherited = \"allow\" }}\n"
            ),
        ),
        ("a/Cargo.toml", MEMBER),
    ]);
    let r = run(allow.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("not-inherited"), "{}", r.stderr);

    let warn = workspace(&[
        (
            "Cargo.toml",
            &format!(
                "{ROOT}[workspace.metadata.ccworkspace.lint-deps]\nlevels = {{ not-inherited = \"warn\" }}\n"
            ),
        ),
        ("a/Cargo.toml", MEMBER),
    ]);
    let r = run(warn.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("warning[not-inherited]"), "{}", r.stderr);
}

#[test]
fn a_bad_config_is_exit_2_with_its_line() {
    let ws = workspace(&[
        (
            "Cargo.toml",
            &format!(
                "{ROOT}[workspace.metadata.ccworkspace.lint-deps]\nlevels = {{ not-inherted = \"allow\" }}\n"
            ),
        ),
        ("a/Cargo.toml", MEMBER),
    ]);
    let r = run(ws.path(), &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("Cargo.toml:7:"), "{}", r.stderr);
    assert!(r.stderr.contains("not-inherted"), "{}", r.stderr);

    let no_reason = workspace(&[
        (
            "Cargo.toml",
            &format!(
                "{ROOT}[workspace.metadata.ccworkspace.lint-deps]\nexemptions = [{{ package = \"a\" }}]\n"
            ),
        ),
        ("a/Cargo.toml", MEMBER),
    ]);
    let r = run(no_reason.path(), &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("reason"), "{}", r.stderr);
}

#[test]
fn exemptions_match_by_package_dependency_and_rule() {
    let ws = workspace(&[
        (
            "Cargo.toml",
            &format!(
                "{ROOT}[workspace.metadata.ccworkspace.lint-deps]\nexemptions = [\n  {{ package = \"a\", dependency = \"anyhow\", rule = \"not-inherited\", reason = \"fork\" }},\n  {{ package = \"b\", reason = \"gone\" }},\n]\n"
            ),
        ),
        ("a/Cargo.toml", MEMBER),
    ]);
    let r = run(ws.path(), &["--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(codes(&r.stdout), ["unused-exemption"]);
    assert!(r.stdout.contains("\"line\":9"), "{}", r.stdout);
}

// ---------------------------------------------------------------------------------------------
// MANIFEST arguments (pre-commit).

#[test]
fn manifest_arguments_check_only_those_members_and_skip_other_paths() {
    let ws = copy_of("lint-all-rules");
    let r = run(
        ws.path(),
        &[
            "--format",
            "json",
            "DAGs/rust/vote/Cargo.toml",
            "tools/stray/Cargo.toml",
            "README.md",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let files: BTreeSet<String> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "finding")
        .map(|v| v["file"].as_str().unwrap().to_string())
        .collect();
    // Only vote is read: its own findings, and conflicts with the root's entries.
    assert_eq!(
        files,
        BTreeSet::from(["DAGs/rust/vote/Cargo.toml".to_string()])
    );
    let found = codes(&r.stdout);
    assert!(found.contains(&"version-conflict".to_string()), "{found:?}");
    assert!(
        found.contains(&"missing-workspace-entry".to_string()),
        "{found:?}"
    );
    assert!(
        !found.contains(&"unused-workspace-dep".to_string()),
        "{found:?}"
    );

    // With Cargo.lock, the lockfile rule runs too.
    let r = run(
        ws.path(),
        &[
            "--format",
            "json",
            "DAGs/rust/vote/Cargo.toml",
            "Cargo.lock",
        ],
    );
    assert!(codes(&r.stdout).contains(&"duplicate-versions".to_string()));

    // With the root manifest, it is a whole run.
    let whole = run(ws.path(), &["--format", "json"]);
    let with_root = run(
        ws.path(),
        &[
            "--format",
            "json",
            "DAGs/rust/vote/Cargo.toml",
            "Cargo.toml",
        ],
    );
    assert_eq!(with_root.stdout, whole.stdout);
}

// ---------------------------------------------------------------------------------------------
// Cargo's rules, one at a time.

fn json_codes(files: &[(&str, &str)], args: &[&str]) -> (i32, Vec<String>, tempfile::TempDir) {
    let ws = workspace(files);
    let mut all = vec!["--format", "json"];
    all.extend(args);
    let r = run(ws.path(), &all);
    (r.code, codes(&r.stdout), ws)
}

#[test]
fn default_features_depends_on_edition_and_rust_version() {
    let root = "[workspace]\nmembers = [\"a\"]\n[workspace.dependencies]\nx = \"1\"\n";
    let member = |package: &str| {
        format!(
            "[package]\nname = \"a\"\nversion = \"0.1.0\"\n{package}\n[dependencies]\nx = {{ workspace = true, default-features = false }}\n"
        )
    };
    for (package, expect) in [
        ("edition = \"2021\"", true),
        ("edition = \"2024\"", true),
        ("edition = \"2024\"\nrust-version = \"1.98\"", true),
        ("edition = \"2024\"\nrust-version = \"1.99\"", false),
        ("", true),
    ] {
        let (_, found, _) = json_codes(
            &[("Cargo.toml", root), ("a/Cargo.toml", &member(package))],
            &[],
        );
        assert_eq!(
            found.contains(&"ineffective-default-features".to_string()),
            expect,
            "{package}: {found:?}"
        );
    }
    // Inherited edition and rust-version count too.
    let root_ws = "[workspace]\nmembers = [\"a\"]\n[workspace.package]\nedition = \"2024\"\nrust-version = \"1.100\"\n[workspace.dependencies]\nx = \"1\"\n";
    let (_, found, _) = json_codes(
        &[
            ("Cargo.toml", root_ws),
            (
                "a/Cargo.toml",
                &member("edition.workspace = true\nrust-version.workspace = true"),
            ),
        ],
        &[],
    );
    assert!(
        !found.contains(&"ineffective-default-features".to_string()),
        "{found:?}"
    );
    // The workspace entry already disables them: nothing to report.
    let (_, found, _) = json_codes(
        &[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"a\"]\n[workspace.dependencies]\nx = { version = \"1\", default-features = false }\n",
            ),
            ("a/Cargo.toml", &member("edition = \"2021\"")),
        ],
        &[],
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn every_key_form_and_dependency_table_is_walked() {
    let root = "[workspace]\nmembers = [\"a\"]\n[workspace.dependencies]\nx = \"1\"\n";
    let member = r#"[package]
name = "a"
version = "0.1.0"
[dependencies]
x.workspace = true
[dependencies.y]
workspace = true
[dev-dependencies]
z = { workspace = true }
[build-dependencies]
b = "1"
[target.'cfg(unix)'.dev-dependencies]
t = "1"
[target.'cfg(windows)'.build-dependencies]
w = { git = "https://example.com/w" }
"#;
    let ws = workspace(&[("Cargo.toml", root), ("a/Cargo.toml", member)]);
    let r = run(ws.path(), &["--format", "json"]);
    let found: Vec<(String, String)> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "finding")
        .map(|v| {
            (
                v["code"].as_str().unwrap().to_string(),
                v["dependency"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let expect: Vec<(String, String)> = [
        ("missing-workspace-entry", "y"),
        ("missing-workspace-entry", "z"),
        ("not-inherited", "b"),
        ("not-inherited", "t"),
        ("not-inherited", "w"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(found, expect, "{}", r.stdout);
}

#[test]
fn renames_git_sources_and_paths_are_hoisted_faithfully() {
    let ws = workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"apps/*\"]\n\n[workspace.dependencies]\nanyhow = \"1\"\n",
        ),
        (
            "apps/a/Cargo.toml",
            r#"[package]
name = "a"
version = "0.1.0"

[dependencies]
anyhow.workspace = true
codec = { package = "parity-scale-codec", version = "3", features = ["derive"] }
tool = { git = "https://example.com/tool", branch = "main" }
util = { path = "../../libs/util" }
"#,
        ),
        (
            "libs/util/Cargo.toml",
            "[package]\nname = \"util\"\nversion = \"0.1.0\"\n",
        ),
    ]);
    let r = run(ws.path(), &["--fix"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let root = std::fs::read_to_string(ws.path().join("Cargo.toml")).unwrap();
    assert_eq!(
        root,
        "[workspace]\nmembers = [\"apps/*\"]\n\n[workspace.dependencies]\nanyhow = \"1\"\ncodec = { package = \"parity-scale-codec\", version = \"3\" }\ntool = { git = \"https://example.com/tool\", branch = \"main\" }\nutil = { path = \"libs/util\" }\n"
    );
    let a = std::fs::read_to_string(ws.path().join("apps/a/Cargo.toml")).unwrap();
    assert!(
        a.contains("codec = { workspace = true, features = [\"derive\"] }"),
        "{a}"
    );
    assert!(a.contains("tool = { workspace = true }"), "{a}");
    assert!(a.contains("util = { workspace = true }"), "{a}");
}

#[test]
fn path_dependencies_inside_the_root_are_members_not_orphans() {
    let (code, found, _) = json_codes(
        &[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"apps/*\"]\n[workspace.dependencies]\nutil = { path = \"libs/util\" }\n",
            ),
            (
                "apps/a/Cargo.toml",
                "[package]\nname = \"a\"\nversion = \"0.1.0\"\n[dependencies]\nutil.workspace = true\n",
            ),
            (
                "libs/util/Cargo.toml",
                "[package]\nname = \"util\"\nversion = \"0.1.0\"\n[dependencies]\nlog = \"0.4\"\n",
            ),
        ],
        &[],
    );
    // util is a member (cargo adds it), so its own dependency is checked and it is no orphan.
    assert_eq!(found, ["not-inherited"]);
    assert_eq!(code, 1);
}

#[test]
fn incompatible_requirements_are_reported_not_fixed() {
    let ws = workspace(&[
        ("Cargo.toml", "[workspace]\nmembers = [\"a\", \"b\"]\n"),
        (
            "a/Cargo.toml",
            "[package]\nname = \"a\"\nversion = \"0.1.0\"\n[dependencies]\nrand = \"0.7\"\n",
        ),
        (
            "b/Cargo.toml",
            "[package]\nname = \"b\"\nversion = \"0.1.0\"\n[dependencies]\nrand = \"0.8.5\"\n",
        ),
    ]);
    let before = tree(ws.path());
    let r = run(ws.path(), &["--fix", "--format", "json"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        tree(ws.path()),
        before,
        "an incompatible conflict was 'fixed'"
    );
    let mut found = codes(&r.stdout);
    found.sort();
    assert_eq!(
        found,
        ["not-inherited", "not-inherited", "version-conflict"]
    );
}

#[test]
fn compatible_requirements_pick_the_one_that_satisfies_all() {
    let ws = workspace(&[
        ("Cargo.toml", "[workspace]\nmembers = [\"a\", \"b\"]\n"),
        (
            "a/Cargo.toml",
            "[package]\nname = \"a\"\nversion = \"0.1.0\"\n[dependencies]\nserde = \"1.0\"\n",
        ),
        (
            "b/Cargo.toml",
            "[package]\nname = \"b\"\nversion = \"0.1.0\"\n[dev-dependencies]\nserde = { version = \"1.0.190\", features = [\"derive\"] }\n",
        ),
    ]);
    let r = run(ws.path(), &["--fix"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let root = std::fs::read_to_string(ws.path().join("Cargo.toml")).unwrap();
    assert!(
        root.ends_with("[workspace.dependencies]\nserde = \"1.0.190\"\n"),
        "{root}"
    );
}

// ---------------------------------------------------------------------------------------------
// The bundled example monorepo, `fixtures/citychain`.

fn citychain() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/citychain"),
        dir.path(),
    );
    dir
}

/// Replace `from` with `to` in a file, failing when `from` is not there.
fn plant(root: &Path, file: &str, from: &str, to: &str) {
    Repo::open(root).replace(file, from, to);
}

#[test]
fn citychain_is_clean() {
    let ws = citychain();
    let r = run(ws.path(), &["--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(codes(&r.stdout), Vec::<String>::new(), "{}", r.stdout);
    let r = run(ws.path(), &[]);
    assert!(
        r.stderr
            .contains("Checked 19 members and 2 Python packages: no findings"),
        "{}",
        r.stderr
    );
}

/// Plant the violations `--fix` can repair without changing the resolution.
fn plant_fixable(root: &Path) {
    // not-inherited (registry) and not-inherited (path, rebased onto the root by --fix).
    plant(
        root,
        "login/rust/login_server/Cargo.toml",
        "itoa.workspace = true",
        "itoa = \"1\"",
    );
    plant(
        root,
        "DAGs/rust/poh_ack/Cargo.toml",
        "dag_schema.workspace = true",
        "dag_schema = { path = \"../dag_schema\" }",
    );
    // ignored-key.
    plant(
        root,
        "CA/rust/ca_cli/Cargo.toml",
        "json.workspace = true",
        "json = { workspace = true, version = \"1.0.100\" }",
    );
    // ineffective-default-features (edition 2021: ignored, so removing it is safe).
    plant(
        root,
        "CA/rust/ca_core/Cargo.toml",
        "serde.workspace = true",
        "serde = { workspace = true, default-features = false }",
    );
    // unused-workspace-dep.
    plant(
        root,
        "Cargo.toml",
        "itoa = \"1\"\n",
        "itoa = \"1\"\nmemchr = \"2\"\n",
    );
    // lints-not-inherited.
    plant(
        root,
        "CA/rust/ca_signer/Cargo.toml",
        "[lints]\nworkspace = true\n",
        "",
    );
    // package-not-inherited (same value as the workspace).
    plant(
        root,
        "login/rust/login_model/Cargo.toml",
        "license.workspace = true",
        "license = \"MIT OR Apache-2.0\"",
    );
}

#[test]
fn citychain_with_planted_violations_reports_each_rule() {
    let ws = citychain();
    let root = ws.path();
    plant_fixable(root);
    // missing-workspace-entry.
    plant(
        root,
        "DAGs/rust/poh_ack/Cargo.toml",
        "login_model.workspace = true",
        "login_model.workspace = true\nanyhow.workspace = true",
    );
    // version-conflict (with the root's itoa = "1").
    let runner = root.join("DAGs/rust/dag_runner/Cargo.toml");
    let text = std::fs::read_to_string(&runner).unwrap();
    std::fs::write(
        &runner,
        format!("{text}\n[target.'cfg(unix)'.dev-dependencies]\nitoa = \"0.4\"\n"),
    )
    .unwrap();
    // duplicate-versions: a second itoa in the lockfile.
    let lock = root.join("Cargo.lock");
    let text = std::fs::read_to_string(&lock).unwrap();
    std::fs::write(
        &lock,
        format!(
            "{text}\n[[package]]\nname = \"itoa\"\nversion = \"0.4.8\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
        ),
    )
    .unwrap();
    // orphan-crate.
    std::fs::create_dir_all(root.join("tools/stray")).unwrap();
    std::fs::write(
        root.join("tools/stray/Cargo.toml"),
        "[package]\nname = \"stray\"\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    // deprecated-spelling: an edition-2024 member with the old `build_dependencies` name.
    plant(
        root,
        "DAGs/rust/dag_schema/Cargo.toml",
        "edition.workspace = true",
        "edition = \"2024\"",
    );
    plant(
        root,
        "DAGs/rust/dag_schema/Cargo.toml",
        "\n[build-dependencies]\n",
        "\n[build_dependencies]\n",
    );
    // pyo3-layout: ca_py loses its own pyproject.toml. Its distribution `citychain-ca` goes
    // with it, so attest stops requiring it: a workspace source for no member is exit 2, as
    // uv refuses it (`sources_uv_cannot_lower_are_exit_2` in tests/lint_python.rs).
    std::fs::remove_file(root.join("CA/rust/ca_py/pyproject.toml")).unwrap();
    plant(
        root,
        "DAGs/python/attest/pyproject.toml",
        "dependencies = [\"citychain-ca\"]",
        "dependencies = []",
    );
    // unused-exemption (next to the example's own exemption, which still matches).
    plant(
        root,
        "Cargo.toml",
        "exemptions = [\n",
        "exemptions = [\n  { dependency = \"openssl\", reason = \"gone\" },\n",
    );
    // The Python rules. The example is a uv workspace of `*/python/*` and its PyO3 crates;
    // ca_py (no pyproject.toml now) and dag_py leave its members, and a new `orch` requires
    // `citychain-attest` without a source (missing-workspace-source), dag_py's wheel, no longer
    // a uv member (pyo3-not-uv-member), and a Python the monorepo does not run
    // (incompatible-requires-python: the docker `python-version`).
    plant(root, "pyproject.toml", "    \"CA/rust/ca_py\",\n", "");
    plant(root, "pyproject.toml", "    \"DAGs/rust/dag_py\",\n", "");
    std::fs::create_dir_all(root.join("DAGs/python/orch")).unwrap();
    std::fs::write(
        root.join("DAGs/python/orch/pyproject.toml"),
        "[project]\nname = \"orch\"\nrequires-python = \">=3.13\"\ndependencies = [\"citychain-attest\", \"citychain-dags\"]\nversion = \"0.1.0\"\n",
    )
    .unwrap();

    let r = run(root, &["--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let found: Vec<(String, String)> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "finding")
        .map(|v| {
            (
                v["code"].as_str().unwrap().to_string(),
                v["file"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        ("not-inherited", "login/rust/login_server/Cargo.toml"),
        ("not-inherited", "DAGs/rust/poh_ack/Cargo.toml"),
        ("missing-workspace-entry", "DAGs/rust/poh_ack/Cargo.toml"),
        ("ignored-key", "CA/rust/ca_cli/Cargo.toml"),
        ("ineffective-default-features", "CA/rust/ca_core/Cargo.toml"),
        ("deprecated-spelling", "DAGs/rust/dag_schema/Cargo.toml"),
        ("version-conflict", "DAGs/rust/dag_runner/Cargo.toml"),
        ("unused-workspace-dep", "Cargo.toml"),
        ("duplicate-versions", "Cargo.lock"),
        ("orphan-crate", "Cargo.toml"),
        ("lints-not-inherited", "CA/rust/ca_signer/Cargo.toml"),
        ("package-not-inherited", "login/rust/login_model/Cargo.toml"),
        ("pyo3-layout", "CA/rust/ca_py/Cargo.toml"),
        (
            "missing-workspace-source",
            "DAGs/python/orch/pyproject.toml",
        ),
        (
            "incompatible-requires-python",
            "DAGs/python/orch/pyproject.toml",
        ),
        ("pyo3-not-uv-member", "DAGs/python/orch/pyproject.toml"),
        ("unused-exemption", "Cargo.toml"),
    ];
    for (code, file) in expected {
        assert!(
            found.contains(&(code.to_string(), file.to_string())),
            "{code} in {file} not reported:\n{}",
            r.stdout
        );
    }
    let all: BTreeSet<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        all.len(),
        cargo_ccworkspace::lint::Rule::ALL.len(),
        "{all:?}"
    );
}

#[test]
fn citychain_fix_turns_a_violating_copy_clean_with_the_resolution_unchanged() {
    let ws = citychain();
    let root = ws.path();
    let resolved_clean = resolution(root);
    plant_fixable(root);
    let resolved_before = resolution(root);
    assert_eq!(
        resolved_before, resolved_clean,
        "the planted violations change nothing cargo resolves"
    );
    let before = run(root, &["--format", "json"]);
    assert_eq!(before.code, 1);
    assert_eq!(codes(&before.stdout).len(), 7, "{}", before.stdout);

    let r = run(root, &[FIX_ALL]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("Checked 19 members and 2 Python packages: no findings"),
        "{}",
        r.stderr
    );
    assert_eq!(resolution(root), resolved_before, "the resolution changed");
    let after = tree(root);
    let original = tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/citychain"));
    assert_eq!(after["Cargo.lock"], original["Cargo.lock"]);
    // The path dependency became `dag_schema = { workspace = true }` against the existing root
    // entry `dag_schema = { path = "DAGs/rust/dag_schema" }`.
    assert!(
        after["DAGs/rust/poh_ack/Cargo.toml"].contains("dag_schema = { workspace = true }"),
        "{}",
        after["DAGs/rust/poh_ack/Cargo.toml"]
    );
    assert_eq!(run(root, &["--diff"]).stdout, "");
}

#[test]
fn package_fields_compare_values_and_files_not_text() {
    let ws = workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"a\", \"b\"]\n[workspace.package]\nlicense = \"MIT\"\nreadme = \"README.md\"\n",
        ),
        (
            "a/Cargo.toml",
            "[package]\nname = \"a\"\nversion = \"0.1.0\"\nlicense = \"MIT\" # same value\nreadme = \"../README.md\"\n",
        ),
        (
            "b/Cargo.toml",
            "[package]\nname = \"b\"\nversion = \"0.1.0\"\nlicense.workspace = true\nreadme = \"README.md\"\n",
        ),
    ]);
    let r = run(ws.path(), &["--fix=package-not-inherited"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let a = std::fs::read_to_string(ws.path().join("a/Cargo.toml")).unwrap();
    assert_eq!(
        a,
        "[package]\nname = \"a\"\nversion = \"0.1.0\"\nlicense.workspace = true # same value\nreadme.workspace = true\n"
    );
    // b's README is its own file: reported, not rewritten.
    let b = std::fs::read_to_string(ws.path().join("b/Cargo.toml")).unwrap();
    assert!(b.contains("readme = \"README.md\""), "{b}");
    assert!(
        r.stderr
            .contains("warning[package-not-inherited]: `package.readme` is set here"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_hakari_workspace_hack_crate_may_list_versions() {
    let (code, found, _) = json_codes(
        &[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"workspace-hack\"]\n",
            ),
            (
                "workspace-hack/Cargo.toml",
                "[package]\nname = \"workspace-hack\"\nversion = \"0.1.0\"\n\n### BEGIN HAKARI SECTION\n[dependencies]\nlog = { version = \"0.4\", features = [\"std\"] }\n### END HAKARI SECTION\n",
            ),
        ],
        &[],
    );
    assert_eq!(code, 0);
    assert_eq!(found, Vec::<String>::new());
}

/// The directories `orphan-crate` reports, sorted.
fn orphans(dir: &Path) -> Vec<String> {
    let r = run(dir, &["--format", "json"]);
    let mut found: Vec<String> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["code"] == "orphan-crate")
        .map(|v| v["dependency"].as_str().unwrap().to_string())
        .collect();
    found.sort();
    found
}

#[test]
fn in_a_git_repository_orphans_are_the_manifests_git_tracks() {
    let pkg = |name: &str| format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\n");
    let ws = workspace(&[
        ("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n"),
        ("crates/a/Cargo.toml", &pkg("a")),
        ("crates/a/src/lib.rs", ""),
        // Test data under a crate's src/ is not a crate.
        ("crates/a/src/data/Cargo.toml", &pkg("data")),
        ("tools/committed/Cargo.toml", &pkg("committed")),
        ("tools/deleted/Cargo.toml", &pkg("deleted")),
        ("vendor/ignored/Cargo.toml", &pkg("ignored")),
        (".gitignore", "vendor/\n"),
    ]);
    let dir = ws.path();
    // Outside git the tree is walked: every manifest on disk counts.
    assert_eq!(
        orphans(dir),
        ["tools/committed", "tools/deleted", "vendor/ignored"]
    );

    let repo = Repo::init(dir);
    repo.commit_all("init");
    std::fs::remove_dir_all(dir.join("tools/deleted")).unwrap();
    for (path, name) in [
        ("tools/staged/Cargo.toml", "staged"),
        ("tools/untracked/Cargo.toml", "untracked"),
    ] {
        std::fs::create_dir_all(dir.join(path).parent().unwrap()).unwrap();
        std::fs::write(dir.join(path), pkg(name)).unwrap();
    }
    repo.git(&["add", "tools/staged"]);
    // In git, the index answers: committed and staged manifests that are still on disk; an
    // ignored one is not part of the repository, and an untracked one is found once added.
    assert_eq!(orphans(dir), ["tools/committed", "tools/staged"]);
}

/// A root `Cargo.toml` that is not UTF-8 is named with the line and column of its first bad
/// byte, as cargo refuses it too ("was not valid utf-8"); it used to be skipped, and the
/// message said there was no workspace at all.
#[test]
fn a_root_manifest_that_is_not_utf8_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        b"[workspace]\nmembers = []\n# caf\xe9\n",
    )
    .unwrap();
    let cargo = support::cargo_metadata(dir.path(), &["--no-deps", "--offline"]).unwrap_err();
    assert!(cargo.contains("not valid utf-8"), "{cargo}");
    let r = run(dir.path(), &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("Cargo.toml:3:6: the file is not UTF-8 (byte 0xe9)"),
        "{}",
        r.stderr
    );
}
