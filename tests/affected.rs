//! `cargo ccworkspace affected` end to end: real git repositories built from the example
//! monorepo (`fixtures/citychain`) in temporary directories, one commit per scenario, and the
//! binary run on them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use support::cli::Run;
use support::git::{Repo, copy_dir};

/// Every member of citychain.
const ALL: &[&str] = &[
    "ca_cli",
    "ca_core",
    "ca_py",
    "ca_signer",
    "ca_testkit",
    "ca_verify_py",
    "dag_codegen",
    "dag_engine",
    "dag_py",
    "dag_runner",
    "dag_schema",
    "dag_tools",
    "ds_features",
    "login_model",
    "login_py",
    "login_server",
    "login_session",
    "login_tokens",
    "poh_ack",
];

fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut all = vec!["affected"];
    all.extend(args);
    support::cli::run(dir, &all, env)
}

/// The row of crate `name` in a JSON report's `affected` list (panics if it is not there).
fn affected_row<'a>(json: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    json["affected"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not affected: {json}"))
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn all_but(names: &[&str]) -> BTreeSet<String> {
    ALL.iter()
        .filter(|n| !names.contains(n))
        .map(|s| s.to_string())
        .collect()
}

/// A git repository holding a copy of citychain on `main`, with a `work` branch checked out.
fn citychain_repo() -> (tempfile::TempDir, Repo) {
    let tmp = tempfile::tempdir().unwrap();
    let repo_dir = tmp.path().join("repo");
    copy_dir(&support::citychain(), &repo_dir);
    let repo = Repo::init(&repo_dir);
    repo.commit_all("citychain");
    repo.git(&["checkout", "-q", "-b", "work"]);
    (tmp, repo)
}

/// `affected --base main` on the crates only: the example's Python packages are the subject of
/// `a_rust_change_reaches_the_python_packages_through_the_wheels` (and `tests/affected_python.rs`).
fn affected(repo: &Repo, extra: &[&str]) -> Run {
    let mut args = vec!["--base", "main", "-q"];
    if !extra.contains(&"--kind") {
        args.extend(["--kind", "pyo3,bin,lib"]);
    }
    args.extend(extra);
    run_in(&repo.dir, &args, &[])
}

/// The example's Python packages sit on its PyO3 crates' wheels: a change to `ca_core` reaches
/// `citychain-attest` through `ca_py`'s wheel and `citychain-orchestration` through `dag_py`'s
/// or `login_py`'s, with the chain in the JSON; a leaf crate's change reaches neither.
#[test]
fn a_rust_change_reaches_the_python_packages_through_the_wheels() {
    let (_t, repo) = citychain_repo();
    repo.append("CA/rust/ca_core/src/lib.rs", "\n// edit\n");
    let json = affected(&repo, &["--kind", "python", "--format", "json"]).json();
    let names: BTreeSet<String> = json["affected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, set(&["citychain-attest", "citychain-orchestration"]));
    let attest = affected_row(&json, "citychain-attest");
    assert_eq!(attest["kind"], "python");
    assert_eq!(attest["path"], "DAGs/python/attest");
    let chain = attest["reason"]["chain"].as_array().unwrap();
    assert_eq!(chain.first().unwrap()["crate"], "ca_core");
    let last = chain.last().unwrap();
    assert_eq!(last["crate"], "citychain-attest");
    assert_eq!(last["via"], "wheel");
    assert!(
        chain.iter().any(|s| s["crate"] == "ca_py"),
        "through ca_py's wheel: {attest}"
    );
    repo.git(&["checkout", "--", "."]);
    repo.append("CA/rust/ca_cli/src/main.rs", "\n// edit\n");
    assert!(affected(&repo, &["--kind", "python"]).names().is_empty());
}

#[test]
fn a_source_edit_in_a_leaf_affects_only_the_leaf() {
    let (_t, repo) = citychain_repo();
    repo.append("CA/rust/ca_cli/src/main.rs", "\n// edit\n");
    assert_eq!(affected(&repo, &[]).names(), set(&["ca_cli"]));
    // Committed or not, the answer is the same.
    repo.commit_all("leaf");
    assert_eq!(affected(&repo, &[]).names(), set(&["ca_cli"]));
}

#[test]
fn a_source_edit_in_the_core_crate_affects_its_transitive_dependents() {
    let (_t, repo) = citychain_repo();
    repo.append("CA/rust/ca_core/src/lib.rs", "\n// edit\n");
    assert_eq!(affected(&repo, &[]).names(), all_but(&["dag_codegen"]));
    // --direct: only the crate whose files changed.
    assert_eq!(affected(&repo, &["--direct"]).names(), set(&["ca_core"]));
}

#[test]
fn a_dev_only_dependency_reaches_its_dev_dependents_but_not_theirs() {
    let (_t, repo) = citychain_repo();
    repo.append("CA/rust/ca_testkit/src/lib.rs", "\n// edit\n");
    let names = affected(&repo, &[]).names();
    assert_eq!(names, set(&["ca_testkit", "ca_signer", "poh_ack"]));
    // ca_signer's own dependents do not build ca_testkit.
    let explain = affected(&repo, &["--explain", "ca_cli"]);
    assert!(
        explain.stdout.contains("ca_cli is not affected"),
        "{}",
        explain.stdout
    );
    let explain = affected(&repo, &["--explain", "poh_ack"]);
    assert!(
        explain.stdout.contains("dev-depends on"),
        "{}",
        explain.stdout
    );
}

#[test]
fn a_build_dependency_edge_propagates() {
    let (_t, repo) = citychain_repo();
    repo.append("DAGs/rust/dag_codegen/src/lib.rs", "\n// edit\n");
    assert_eq!(
        affected(&repo, &[]).names(),
        set(&[
            "dag_codegen",
            "dag_schema",
            "poh_ack",
            "dag_engine",
            "dag_py",
            "dag_runner",
            "dag_tools",
            "ds_features"
        ])
    );
    let json = affected(&repo, &["--format", "json"]).json();
    let schema = affected_row(&json, "dag_schema");
    assert_eq!(schema["reason"]["chain"][1]["via"], "build");
}

#[test]
fn a_member_manifest_edit_affects_the_member_and_its_dependents() {
    let (_t, repo) = citychain_repo();
    repo.append("CA/rust/ca_signer/Cargo.toml", "\n# a comment\n");
    repo.commit_all("manifest");
    assert_eq!(
        affected(&repo, &[]).names(),
        set(&[
            "ca_signer",
            "ca_cli",
            "ca_py",
            "ca_verify_py",
            "login_session",
            "login_py",
            "login_server",
            "login_tokens",
            "dag_runner"
        ])
    );
}

#[test]
fn one_workspace_dependency_entry_affects_only_its_users() {
    let (_t, repo) = citychain_repo();
    // `json` is a renamed entry (package = "serde_json"); members look it up by key.
    repo.replace(
        "Cargo.toml",
        r#"json = { package = "serde_json", version = "1" }"#,
        r#"json = { package = "serde_json", version = "1.0" }"#,
    );
    repo.commit_all("json entry");
    let run = affected(&repo, &["--format", "json"]);
    let names: BTreeSet<String> = run.json()["affected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        set(&[
            "ca_cli",
            "dag_py",
            "login_model",
            "login_server",
            "dag_engine",
            "dag_runner",
            "poh_ack",
            "login_py",
            "login_session",
            "login_tokens",
            "dag_tools",
            "ds_features"
        ])
    );
    let json = run.json();
    assert_eq!(json["all"], serde_json::Value::Null);
    let ca_cli = affected_row(&json, "ca_cli");
    assert_eq!(ca_cli["reason"]["cause"]["kind"], "workspace-dependency");
    assert_eq!(ca_cli["reason"]["cause"]["key"], "json");
}

#[test]
fn a_profile_edit_affects_everything_and_says_why() {
    let (_t, repo) = citychain_repo();
    repo.replace("Cargo.toml", "opt-level = 3", "opt-level = 2");
    repo.commit_all("profile");
    let json = affected(&repo, &["--format", "json"]).json();
    assert_eq!(json["affected"].as_array().unwrap().len(), ALL.len());
    assert!(
        json["all"].as_str().unwrap().contains("[profile]"),
        "{}",
        json["all"]
    );
}

#[test]
fn toolchain_and_cargo_config_affect_everything() {
    let (_t, repo) = citychain_repo();
    repo.replace("rust-toolchain.toml", "1.95.0", "1.95");
    assert_eq!(affected(&repo, &[]).names().len(), ALL.len());
    let (_t2, repo) = citychain_repo();
    repo.write(".cargo/config.toml", "[build]\njobs = 2\n");
    repo.git(&["add", "-A"]);
    assert_eq!(affected(&repo, &[]).names().len(), ALL.len());
}

#[test]
fn a_new_crate_affects_only_itself() {
    let (_t, repo) = citychain_repo();
    repo.write(
        "login/rust/login_audit/Cargo.toml",
        "[package]\nname = \"login_audit\"\nversion.workspace = true\nedition.workspace = true\n\n[dependencies]\nca_core.workspace = true\n",
    );
    repo.write("login/rust/login_audit/src/lib.rs", "pub fn audit() {}\n");
    repo.commit_all("new crate");
    assert_eq!(affected(&repo, &[]).names(), set(&["login_audit"]));
}

#[test]
fn a_deleted_crate_affects_its_former_dependents_and_is_reported() {
    let (_t, repo) = citychain_repo();
    repo.remove("CA/rust/ca_testkit");
    repo.replace(
        "Cargo.toml",
        "ca_testkit = { path = \"CA/rust/ca_testkit\" }\n",
        "",
    );
    for m in [
        "CA/rust/ca_signer/Cargo.toml",
        "DAGs/rust/poh_ack/Cargo.toml",
    ] {
        let text = repo.read(m);
        let kept: Vec<&str> = text.lines().filter(|l| !l.contains("ca_testkit")).collect();
        repo.write(m, &(kept.join("\n") + "\n"));
    }
    // Tests that used the testkit go too.
    for dir in ["CA/rust/ca_signer/tests", "DAGs/rust/poh_ack/tests"] {
        if repo.path(dir).exists() {
            repo.remove(dir);
        }
    }
    for f in [
        "CA/rust/ca_signer/src/lib.rs",
        "DAGs/rust/poh_ack/src/lib.rs",
    ] {
        let text = repo.read(f);
        if text.contains("ca_testkit") {
            let cut = text.find("#[cfg(test)]").unwrap_or(text.len());
            repo.write(f, &text[..cut]);
        }
    }
    repo.commit_all("delete ca_testkit");
    let run = affected(&repo, &["--format", "json"]);
    let json = run.json();
    assert_eq!(
        json["all"],
        serde_json::Value::Null,
        "a deleted crate must not mean everything"
    );
    assert_eq!(json["deleted"][0]["name"], "ca_testkit");
    let names: BTreeSet<String> = json["affected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect();
    assert!(
        names.contains("ca_signer") && names.contains("poh_ack"),
        "{names:?}"
    );
    assert!(!names.contains("ca_core"), "{names:?}");
}

#[test]
fn a_moved_crate_maps_through_the_base_and_is_not_everything() {
    let (_t, repo) = citychain_repo();
    repo.rename("login/rust/login_server", "CA/rust/login_server");
    repo.commit_all("move login_server to CA");
    let json = affected(&repo, &["--format", "json"]).json();
    assert_eq!(json["all"], serde_json::Value::Null);
    let names: Vec<&str> = json["affected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["login_server"]);
    // Renames list both ends.
    let renamed = json["changed_files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["status"] == "renamed")
        .unwrap();
    assert!(
        renamed["old_path"]
            .as_str()
            .unwrap()
            .starts_with("login/rust/login_server/")
    );
}

#[test]
fn a_renamed_file_counts_for_both_crates() {
    let (_t, repo) = citychain_repo();
    repo.write(
        "CA/rust/ca_cli/NOTES.txt",
        "some notes that are long enough to be a rename\n"
            .repeat(5)
            .as_str(),
    );
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "notes"]);
    repo.git(&["branch", "-f", "main"]);
    repo.rename(
        "CA/rust/ca_cli/NOTES.txt",
        "login/rust/login_server/NOTES.txt",
    );
    repo.commit_all("rename across crates");
    assert_eq!(
        affected(&repo, &[]).names(),
        set(&["ca_cli", "login_server"])
    );
}

#[test]
fn a_python_file_in_a_pyo3_crate_affects_that_crate() {
    let (_t, repo) = citychain_repo();
    repo.append("DAGs/rust/dag_py/python/dag_py/steps.py", "\n# edit\n");
    let json = affected(&repo, &["--format", "json"]).json();
    let rows = json["affected"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["name"], "dag_py");
    assert_eq!(rows[0]["kind"], "pyo3");
    assert_eq!(rows[0]["dockerfile"], "DAGs/rust/dag_py/Dockerfile");
}

#[test]
fn the_dags_python_folder_maps_to_the_dags_domain_by_rule() {
    let (_t, repo) = citychain_repo();
    repo.append(
        "DAGs/python/orchestration/src/citychain_orchestration/orchestrate.py",
        "\n# edit\n",
    );
    // The rule's `post-rule = "skip-rules"` still maps the file to the Python package holding
    // it; `citychain-attest` requires no DAGs wheel.
    assert_eq!(
        affected(&repo, &["--kind", "python"]).names(),
        set(&["citychain-orchestration"])
    );
    assert_eq!(
        affected(&repo, &[]).names(),
        set(&[
            "dag_codegen",
            "dag_engine",
            "dag_py",
            "dag_runner",
            "dag_schema",
            "dag_tools",
            "ds_features",
            "poh_ack"
        ])
    );
}

#[test]
fn a_file_outside_every_crate_follows_the_unmatched_policy() {
    let (_t, repo) = citychain_repo();
    repo.write("scripts/deploy.sh", "echo deploy\n");
    repo.git(&["add", "-A"]);
    let json = affected(&repo, &["--format", "json"]).json();
    assert_eq!(json["affected"].as_array().unwrap().len(), ALL.len());
    assert!(
        json["all"]
            .as_str()
            .unwrap()
            .contains("scripts/deploy.sh is outside every crate")
    );
    // With `unmatched = "ignore"`, the same file affects nothing.
    repo.replace(
        "Cargo.toml",
        "[workspace.metadata.ccworkspace.affected]\n",
        "[workspace.metadata.ccworkspace.affected]\nunmatched = \"ignore\"\n",
    );
    repo.commit_all("ignore unmatched");
    repo.git(&["branch", "-f", "main"]);
    repo.append("scripts/deploy.sh", "echo again\n");
    assert_eq!(affected(&repo, &[]).names(), set(&[]));
    // And with "error", it is an error that names the file.
    repo.replace(
        "Cargo.toml",
        "unmatched = \"ignore\"",
        "unmatched = \"error\"",
    );
    repo.commit_all("error unmatched");
    repo.git(&["branch", "-f", "main"]);
    repo.append("scripts/deploy.sh", "echo third\n");
    let run = affected(&repo, &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("scripts/deploy.sh"), "{}", run.stderr);
}

#[test]
fn an_unknown_base_is_an_error_not_an_empty_answer() {
    let (_t, repo) = citychain_repo();
    let run = run_in(&repo.dir, &["--base", "no-such-branch"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no-such-branch"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn a_shallow_clone_without_the_base_names_the_fix() {
    let (tmp, repo) = citychain_repo();
    repo.append("CA/rust/ca_cli/src/main.rs", "\n// one\n");
    repo.commit_all("one");
    repo.append("CA/rust/ca_cli/src/main.rs", "\n// two\n");
    repo.commit_all("two");
    repo.git(&["checkout", "-q", "main"]);
    repo.append("README.md", "\nmain moves on\n");
    repo.commit_all("main moves");
    let clone = tmp.path().join("shallow");
    let url = format!("file://{}", repo.dir.display());
    Repo::open(tmp.path()).git(&[
        "clone",
        "-q",
        "--depth",
        "1",
        "--branch",
        "work",
        &url,
        clone.to_str().unwrap(),
    ]);
    Repo::open(&clone).git(&[
        "fetch",
        "-q",
        "--depth",
        "1",
        "origin",
        "main:refs/remotes/origin/main",
    ]);
    let run = run_in(&clone, &["--base", "origin/main"], &[]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("shallow"), "{}", run.stderr);
    assert!(run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);
    let run = run_in(
        &clone,
        &[
            "--base",
            "origin/main",
            "--on-missing-base",
            "all",
            "--format",
            "json",
        ],
        &[],
    );
    let json = run.json();
    // Every crate and both Python packages.
    assert_eq!(json["affected"].as_array().unwrap().len(), ALL.len() + 2);
    assert!(
        json["all"]
            .as_str()
            .unwrap()
            .contains("--on-missing-base all")
    );
}

#[test]
fn the_default_base_comes_from_github_base_ref_or_the_remote() {
    let (tmp, repo) = citychain_repo();
    repo.append("CA/rust/ca_cli/src/main.rs", "\n// edit\n");
    repo.commit_all("edit");
    let clone = tmp.path().join("clone");
    let url = format!("file://{}", repo.dir.display());
    Repo::open(tmp.path()).git(&[
        "clone",
        "-q",
        "--branch",
        "work",
        &url,
        clone.to_str().unwrap(),
    ]);
    // No --base: origin's default branch (origin/HEAD -> main? the clone's HEAD is `work`, so
    // GITHUB_BASE_REF decides in a pull request).
    let run = run_in(&clone, &["-q"], &[("GITHUB_BASE_REF", "main")]);
    assert_eq!(run.names(), set(&["ca_cli"]));
    let run = run_in(&clone, &["-q"], &[("GITHUB_BASE_REF", "nope")]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("origin/nope"), "{}", run.stderr);
}

#[test]
fn head_can_be_another_revision() {
    let (_t, repo) = citychain_repo();
    repo.append("CA/rust/ca_cli/src/main.rs", "\n// edit\n");
    let first = repo.commit_all("edit cli");
    repo.append("DAGs/rust/dag_runner/src/main.rs", "\n// edit\n");
    repo.commit_all("edit runner");
    let run = affected(&repo, &["--head", &first]);
    assert_eq!(run.names(), set(&["ca_cli"]));
}

#[test]
fn outside_git_and_with_a_broken_workspace_it_fails_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&support::citychain(), tmp.path());
    let run = run_in(tmp.path(), &["--base", "main"], &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("not inside a git repository"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--files"), "{}", run.stderr);

    let (_t, repo) = citychain_repo();
    repo.append("CA/rust/ca_core/Cargo.toml", "\n[dependencies.broken\n");
    let run = affected(&repo, &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("ca_core"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn files_from_stdin_is_read_once_on_a_cold_cache() {
    // The list decides where the graph comes from and then what changed: stdin must be read
    // once, for both.
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&support::citychain(), tmp.path());
    for graph in ["", "cargo"] {
        let mut child = std::process::Command::new(support::bin())
            .args(["affected", "-q", "--files-from", "-"])
            .current_dir(tmp.path())
            .env("CARGO", support::cargo())
            .env("CCWORKSPACE_NO_CACHE", "1")
            .env("CCWORKSPACE_GRAPH", graph)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(
            child.stdin.as_mut().unwrap(),
            b"CA/rust/ca_testkit/src/lib.rs\n",
        )
        .unwrap();
        let out = child.wait_with_output().unwrap();
        let names: BTreeSet<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        assert_eq!(
            names,
            set(&["ca_testkit", "ca_signer", "poh_ack"]),
            "graph {graph:?}"
        );
    }
}

#[test]
fn files_mode_needs_no_git_and_is_conservative_about_root_files() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&support::citychain(), tmp.path());
    let run = run_in(
        tmp.path(),
        &["-q", "--files", "CA/rust/ca_testkit/src/lib.rs"],
        &[],
    );
    assert_eq!(run.names(), set(&["ca_testkit", "ca_signer", "poh_ack"]));
    // A list with CRLF line endings, a blank line, and an absolute path.
    let abs = tmp.path().join("login/rust/login_py/src/lib.rs");
    let list = format!("CA/rust/ca_cli/src/main.rs\r\n\r\n{}\r\n", abs.display());
    std::fs::write(tmp.path().join("changed.txt"), list).unwrap();
    let run = run_in(tmp.path(), &["-q", "--files-from", "changed.txt"], &[]);
    // login_py's wheel (`citychain-login`) is a requirement of `citychain-orchestration`.
    assert_eq!(
        run.names(),
        set(&["ca_cli", "login_py", "citychain-orchestration"])
    );
    // Without a base, a lockfile change cannot be analysed: everything, and the reason says so.
    let run = run_in(
        tmp.path(),
        &["-q", "--files", "Cargo.lock", "--format", "json"],
        &[],
    );
    assert!(
        run.json()["all"]
            .as_str()
            .unwrap()
            .contains("no base revision")
    );
}

#[test]
fn output_formats() {
    let (_t, repo) = citychain_repo();
    repo.append("CA/rust/ca_testkit/src/lib.rs", "\n// edit\n");
    assert_eq!(
        affected(&repo, &["--format", "cargo-args"]).stdout,
        "-p ca_signer -p ca_testkit -p poh_ack\n"
    );
    assert_eq!(
        affected(&repo, &["--format", "nextest"]).stdout,
        "package(=ca_signer) | package(=ca_testkit) | package(=poh_ack)\n"
    );
    let mermaid = affected(&repo, &["--format", "mermaid"]).stdout;
    assert!(mermaid.starts_with("graph LR\n"), "{mermaid}");
    assert!(mermaid.contains("-.->"), "dev edges are dotted: {mermaid}");
    assert!(mermaid.contains("class "), "{mermaid}");
    // --kind keeps only crates of those kinds.
    assert_eq!(affected(&repo, &["--kind", "bin,pyo3"]).names(), set(&[]));

    let out_file = repo.dir.join("gh_output");
    let run = run_in(
        &repo.dir,
        &["--base", "main", "--format", "github"],
        &[("GITHUB_OUTPUT", out_file.to_str().unwrap())],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    let written = std::fs::read_to_string(&out_file).unwrap();
    let matrix_line = written.lines().find(|l| l.starts_with("matrix=")).unwrap();
    let matrix: serde_json::Value = serde_json::from_str(&matrix_line["matrix=".len()..]).unwrap();
    assert_eq!(matrix["include"].as_array().unwrap().len(), 3);
    assert_eq!(matrix["include"][0]["crate"], "ca_signer");
    assert!(written.contains("\ncount=3\n"), "{written}");
}

#[test]
fn the_github_matrix_splits_into_groups_above_the_job_limit() {
    let (_t, repo) = citychain_repo();
    repo.append("CA/rust/ca_core/src/lib.rs", "\n// edit\n");
    let run = affected(&repo, &["--format", "github", "--max-jobs", "4"]);
    let matrix_line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("matrix="))
        .unwrap();
    let matrix: serde_json::Value = serde_json::from_str(&matrix_line["matrix=".len()..]).unwrap();
    let jobs = matrix["include"].as_array().unwrap();
    assert!(jobs.len() <= 4, "{matrix}");
    let crates: usize = jobs
        .iter()
        .map(|j| j["crates"].as_array().unwrap().len())
        .sum();
    assert_eq!(crates, ALL.len() - 1);
    assert!(run.stdout.contains("count=18"), "{}", run.stdout);
    let run = affected(&repo, &["--format", "github", "--group-by", "domain"]);
    let matrix_line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("matrix="))
        .unwrap();
    let matrix: serde_json::Value = serde_json::from_str(&matrix_line["matrix=".len()..]).unwrap();
    let groups: Vec<&str> = matrix["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["group"].as_str().unwrap())
        .collect();
    assert_eq!(groups, vec!["CA", "DAGs", "Data Science", "login"]);
}

#[test]
fn a_workspace_cargo_cannot_load_is_an_error_with_cargos_reason() {
    // Not a workspace at all.
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path());
    repo.write("notes.txt", "x\n");
    repo.commit_all("no cargo here");
    let run = run_in(&repo.dir, &["--base", "main"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("Cargo.toml"), "{}", run.stderr);
    assert!(run.stdout.is_empty());

    // A git dependency that cannot be fetched.
    let (_t, repo) = citychain_repo();
    repo.replace(
        "Cargo.toml",
        "itoa = \"1\"\n",
        "itoa = \"1\"\nunreachable = { git = \"file:///nonexistent/unreachable.git\" }\n",
    );
    repo.append(
        "CA/rust/ca_core/Cargo.toml",
        "unreachable.workspace = true\n",
    );
    let run = affected(&repo, &["--offline"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("unreachable"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn a_root_package_owns_its_targets_but_not_the_files_it_excludes() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path());
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"rootpkg\"\nversion = \"0.1.0\"\nedition = \"2021\"\nexclude = [\"notes/\"]\n\n[dependencies]\nleaf = { path = \"crates/leaf\" }\n\n[workspace]\nmembers = [\"crates/*\"]\n",
    );
    repo.write("src/lib.rs", "pub fn root() {}\n");
    repo.write(
        "crates/leaf/Cargo.toml",
        "[package]\nname = \"leaf\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    repo.write("crates/leaf/src/lib.rs", "pub fn leaf() {}\n");
    repo.write("notes/plan.txt", "plan\n");
    support::generator::run_cargo(&repo.dir, &["generate-lockfile", "--offline"]).unwrap();
    repo.commit_all("root package");
    repo.git(&["checkout", "-q", "-b", "work"]);

    // The root package's own sources belong to it.
    repo.append("src/lib.rs", "// edit\n");
    assert_eq!(affected(&repo, &[]).names(), set(&["rootpkg"]));
    // A member's file reaches the root package through its dependency.
    repo.git(&["checkout", "-q", "--", "src/lib.rs"]);
    repo.append("crates/leaf/src/lib.rs", "// edit\n");
    assert_eq!(affected(&repo, &[]).names(), set(&["leaf", "rootpkg"]));
    // A file the root package excludes is not its: the unmatched policy decides, and the
    // report says why (tests/affected_root_package.rs has the files it does own).
    repo.git(&["checkout", "-q", "--", "crates/leaf/src/lib.rs"]);
    repo.append("notes/plan.txt", "more\n");
    let json = affected(&repo, &["--format", "json"]).json();
    let why = json["all"].as_str().unwrap();
    assert!(
        why.contains("notes/plan.txt is outside every crate"),
        "{why}"
    );
    assert!(
        why.contains("the root package's `include` / `exclude` leave it out"),
        "{why}"
    );
}

#[test]
fn inherited_workspace_package_fields_and_lints_reach_only_the_crates_that_inherit_them() {
    let (_t, repo) = citychain_repo();
    // On main, one crate stops inheriting `repository` and the lints. (A crate that depends on
    // an inheriting crate is affected through it: dag_codegen depends on no member.)
    let codegen = "DAGs/rust/dag_codegen/Cargo.toml";
    let text = repo.read(codegen);
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("repository.workspace") && !l.starts_with("[lints]"))
        .filter(|l| *l != "workspace = true")
        .collect();
    repo.write(codegen, &(kept.join("\n") + "\n"));
    repo.git(&["checkout", "-q", "main"]);
    repo.commit_all("dag_codegen keeps its own repository and lints");
    repo.git(&["checkout", "-q", "-B", "work"]);

    repo.replace(
        "Cargo.toml",
        "https://github.com/example/citychain",
        "https://example.org/citychain",
    );
    repo.commit_all("repository moved");
    let json = affected(&repo, &["--format", "json"]).json();
    assert_eq!(json["all"], serde_json::Value::Null);
    let names: BTreeSet<String> = json["affected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, all_but(&["dag_codegen"]));
    let cause = &json["affected"][0]["reason"]["cause"];
    assert_eq!(cause["kind"], "workspace-package");
    assert_eq!(cause["field"], "repository");

    repo.git(&["branch", "-f", "main"]);
    repo.replace("Cargo.toml", "todo = \"warn\"", "todo = \"deny\"");
    repo.commit_all("stricter lints");
    let json = affected(&repo, &["--format", "json"]).json();
    let names: BTreeSet<String> = json["affected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, all_but(&["dag_codegen"]));
    assert_eq!(
        json["affected"][0]["reason"]["cause"]["kind"],
        "workspace-lints"
    );
}

#[test]
fn configured_globs_and_package_rules_through_the_cli() {
    let (_t, repo) = citychain_repo();
    repo.replace(
        "Cargo.toml",
        "[workspace.metadata.ccworkspace.affected]\n",
        "[workspace.metadata.ccworkspace.affected]\nglobal = [\"ci/**\"]\nignore = [\"docs/**\"]\n",
    );
    repo.append(
        "Cargo.toml",
        "\n[[workspace.metadata.ccworkspace.affected.package-rule]]\non-affected = [\"ca_testkit\"]\n\
         mark-changed = [\"login_server\"]\n",
    );
    repo.commit_all("rules");
    repo.git(&["branch", "-f", "main"]);

    repo.write("docs/guide.md", "guide\n");
    repo.git(&["add", "-A"]);
    assert_eq!(affected(&repo, &[]).names(), set(&[]));

    repo.write("ci/build.sh", "echo build\n");
    repo.git(&["add", "-A"]);
    let json = affected(&repo, &["--format", "json"]).json();
    assert!(
        json["all"]
            .as_str()
            .unwrap()
            .contains("ci/build.sh matches a `global` glob")
    );
    repo.git(&["rm", "-q", "--cached", "ci/build.sh"]);
    repo.remove("ci");

    // ca_testkit is affected, so the package rule marks login_server (and not its dependents'
    // dev-only neighbours).
    repo.append("CA/rust/ca_testkit/src/lib.rs", "\n// edit\n");
    let json = affected(&repo, &["--format", "json"]).json();
    let names: BTreeSet<String> = json["affected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        set(&["ca_testkit", "ca_signer", "poh_ack", "login_server"])
    );
    let row = affected_row(&json, "login_server");
    assert_eq!(row["reason"]["cause"]["kind"], "package-rule");
    assert_eq!(row["reason"]["cause"]["on"], "ca_testkit");
}

#[test]
fn explaining_a_crate_that_is_not_a_member_is_an_error() {
    let (_t, repo) = citychain_repo();
    let run = affected(&repo, &["--explain", "no_such_crate"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("`no_such_crate` is not a member"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
}

#[test]
fn another_head_works_from_a_subdirectory_of_the_workspace() {
    let (_t, repo) = citychain_repo();
    repo.append("CA/rust/ca_cli/src/main.rs", "\n// edit\n");
    let first = repo.commit_all("edit cli");
    repo.append("DAGs/rust/dag_runner/src/main.rs", "\n// edit\n");
    repo.commit_all("edit runner");
    // `CA/rust` holds no Cargo.toml: the workspace root is found above it, in the checkout of
    // the head revision too.
    let run = run_in(
        &repo.dir.join("CA/rust"),
        &["-q", "--base", "main", "--head", &first],
        &[],
    );
    assert_eq!(run.names(), set(&["ca_cli"]));
}
