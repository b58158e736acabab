#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The GitHub Actions files: this repository's `action.yml` and `.github/workflows/*.yml`, and
//! the workflows `init` writes.
//!
//! - Every file passes the schema store's schemas (`check-jsonschema --builtin-schema
//!   vendor.github-workflows` / `vendor.github-actions`) and a `zizmor --offline` audit.
//! - The generated CI runs here as far as it can without Docker or the network: the `detect`
//!   job's steps (the action's own steps, with the tool on PATH) against the example monorepo
//!   in a git repository, with a fake `$GITHUB_OUTPUT` and `$GITHUB_BASE_REF`; then what the
//!   `images` job and the `images.yml` it calls read from those outputs, one crate per entry
//!   and grouped (more entries than `max-jobs`).
//!
//! `${{ }}` expressions are evaluated by a small evaluator that knows only the expressions
//! these files use, and fails on any other: a new expression must be taught here, so that the
//! test keeps running what the workflow runs.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_norway::Value;
use support::git::{Repo, copy_dir};

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn here() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn yaml(path: &Path) -> Value {
    serde_norway::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `cargo ccworkspace init acme --domains DAGs` in `dir`: the generated repository.
fn init(dir: &Path) -> PathBuf {
    let out = Command::new(support::bin())
        .current_dir(dir)
        .args(["init", "acme", "--domains", "DAGs"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    dir.join("acme")
}

/// This repository's workflow and action files.
fn own_files() -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut workflows: Vec<PathBuf> = std::fs::read_dir(here().join(".github/workflows"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    workflows.sort();
    (workflows, vec![here().join("action.yml")])
}

fn check_schema(schema: &str, files: &[PathBuf]) {
    let out = Command::new("check-jsonschema")
        .args(["--builtin-schema", schema])
        .args(files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "check-jsonschema {schema} {files:?}:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

fn zizmor(dir: &Path, inputs: &[PathBuf]) {
    let out = Command::new("zizmor")
        .current_dir(dir)
        .args(["--offline", "--no-progress", "--color", "never"])
        .args(inputs)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "zizmor {inputs:?}:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

#[test]
fn every_workflow_and_action_passes_the_schema_check() {
    let (name, hint) = support::CHECK_JSONSCHEMA;
    if !support::require_tool(name, hint) {
        return;
    }
    let (workflows, actions) = own_files();
    assert!(
        workflows.iter().any(|p| p.ends_with("release.yml")),
        "{workflows:?}"
    );
    check_schema("vendor.github-workflows", &workflows);
    check_schema("vendor.github-actions", &actions);
    let tmp = tempfile::tempdir().unwrap();
    let root = init(tmp.path());
    check_schema(
        "vendor.github-workflows",
        &[
            root.join(".github/workflows/ci.yml"),
            root.join(".github/workflows/images.yml"),
        ],
    );
}

#[test]
fn every_workflow_and_action_passes_zizmor() {
    let (name, hint) = support::ZIZMOR;
    if !support::require_tool(name, hint) {
        return;
    }
    // This repository: its workflows and the action.
    zizmor(
        &here(),
        &[here().join(".github/workflows"), here().join("action.yml")],
    );
    // A generated repository, with the zizmor settings `init` writes next to its workflows.
    let tmp = tempfile::tempdir().unwrap();
    let root = init(tmp.path());
    zizmor(&root, &[root.join(".github/workflows")]);
}

/// The version the action installs by default is this crate's: the tag `v<version>` that the
/// release workflow creates serves the action and the binaries of the same version.
#[test]
fn the_action_defaults_to_this_version() {
    let action = yaml(&here().join("action.yml"));
    assert_eq!(
        action["inputs"]["version"]["default"].as_str(),
        Some(VERSION)
    );
    let release = std::fs::read_to_string(here().join(".github/workflows/release.yml")).unwrap();
    assert!(release.contains("Cargo.toml"), "the release checks the tag");
}

// ---------------------------------------------------------------------------------------------
// Running the generated workflow's steps.

/// The values `${{ }}` expressions may read, by their exact text.
type Context = BTreeMap<String, String>;

/// Replace every `${{ expr }}` in `s` by its value; unknown expressions fail the test.
fn eval(s: &str, ctx: &Context) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").unwrap() + start;
        let expr = rest[start + 3..end].trim();
        let value = ctx
            .get(expr)
            .unwrap_or_else(|| panic!("the test cannot evaluate `{expr}` (in {s:?})"));
        out.push_str(value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// An `if:` of the form `A != 'b'` or `A == 'b'`.
fn condition(expr: &str, ctx: &Context) -> bool {
    let expr = expr.trim().trim_start_matches("${{").trim_end_matches("}}");
    let (lhs, rhs, eq) = if let Some((l, r)) = expr.split_once("!=") {
        (l, r, false)
    } else if let Some((l, r)) = expr.split_once("==") {
        (l, r, true)
    } else {
        panic!("the test cannot evaluate the condition `{expr}`")
    };
    let lhs = ctx
        .get(lhs.trim())
        .unwrap_or_else(|| panic!("the test cannot evaluate `{lhs}`"));
    let rhs = rhs.trim().trim_matches('\'');
    (lhs == rhs) == eq
}

/// Read a `$GITHUB_OUTPUT` file (`key=value` lines; the heredoc form is not used).
fn outputs(path: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The environment every step gets: the runner's variables, a `$GITHUB_OUTPUT` per step.
struct Runner {
    repo: PathBuf,
    temp: PathBuf,
    path: String,
    env: Vec<(String, String)>,
    steps_run: usize,
}

impl Runner {
    /// Run one `run:` step with `bash -e` as GitHub does; return what it wrote to
    /// `$GITHUB_OUTPUT`.
    fn run(
        &mut self,
        script: &str,
        env: &[(String, String)],
        action_path: Option<&Path>,
    ) -> BTreeMap<String, String> {
        self.steps_run += 1;
        let output = self.temp.join(format!("output-{}", self.steps_run));
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(&self.repo)
            .env("PATH", &self.path)
            .env("GITHUB_OUTPUT", &output)
            .env("RUNNER_TEMP", &self.temp)
            .env("CARGO", support::cargo())
            .env_remove("GITHUB_PATH");
        if let Some(p) = action_path {
            cmd.env("GITHUB_ACTION_PATH", p);
        }
        for (k, v) in self.env.iter().chain(env) {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "step failed:\n{script}\n{}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        outputs(&output)
    }
}

fn step_env(step: &Value, ctx: &Context) -> Vec<(String, String)> {
    step["env"]
        .as_mapping()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.as_str().unwrap().to_string(),
                        eval(v.as_str().unwrap_or_default(), ctx),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Run this repository's composite action with `with` as its inputs; return its outputs.
fn run_action(
    runner: &mut Runner,
    with: &BTreeMap<String, String>,
    github: &Context,
) -> BTreeMap<String, String> {
    let action = yaml(&here().join("action.yml"));
    let mut ctx = github.clone();
    for (name, input) in action["inputs"].as_mapping().unwrap() {
        let name = name.as_str().unwrap();
        let value = with.get(name).cloned().unwrap_or_else(|| {
            input["default"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_default()
        });
        ctx.insert(format!("inputs.{name}"), value);
    }
    for key in with.keys() {
        assert!(
            ctx.contains_key(&format!("inputs.{key}")),
            "the workflow passes `{key}`, which the action does not declare"
        );
    }
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    for step in action["runs"]["steps"].as_sequence().unwrap() {
        if let Some(cond) = step["if"].as_str()
            && !condition(cond, &ctx)
        {
            continue;
        }
        let env = step_env(step, &ctx);
        let script = eval(step["run"].as_str().unwrap(), &ctx);
        let outs = runner.run(&script, &env, Some(&here()));
        if let Some(id) = step["id"].as_str() {
            for (k, v) in outs {
                ctx.insert(format!("steps.{id}.outputs.{k}"), v);
            }
        }
    }
    action["outputs"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let k = k.as_str().unwrap().to_string();
            let expr = v["value"].as_str().unwrap();
            let value = ctx
                .get(expr.trim_start_matches("${{").trim_end_matches("}}").trim())
                .cloned()
                .unwrap_or_default();
            (k, value)
        })
        .collect()
}

/// Run the generated `detect` job (checkout is the test's repository; the tool's action is this
/// repository's `action.yml`); return the job's outputs. `overrides` replace inputs of the
/// action step.
fn run_detect(
    runner: &mut Runner,
    ci: &Value,
    github: &Context,
    overrides: &[(&str, &str)],
) -> BTreeMap<String, String> {
    let job = &ci["jobs"]["detect"];
    let mut ctx = github.clone();
    for step in job["steps"].as_sequence().unwrap() {
        let id = step["id"].as_str();
        if let Some(uses) = step["uses"].as_str() {
            if uses.starts_with("actions/checkout@") {
                assert_eq!(step["with"]["fetch-depth"].as_u64(), Some(0));
                continue;
            }
            assert_eq!(uses, format!("ccworkspace/cargo-ccworkspace@v{VERSION}"));
            let mut with: BTreeMap<String, String> = step["with"]
                .as_mapping()
                .unwrap()
                .iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => eval(s, &ctx),
                        other => serde_norway::to_string(other).unwrap().trim().to_string(),
                    };
                    (k.as_str().unwrap().to_string(), v)
                })
                .collect();
            for (k, v) in overrides {
                with.insert((*k).to_string(), (*v).to_string());
            }
            let outs = run_action(runner, &with, &ctx);
            if let Some(id) = id {
                for (k, v) in outs {
                    ctx.insert(format!("steps.{id}.outputs.{k}"), v);
                }
            }
        } else {
            let env = step_env(step, &ctx);
            let outs = runner.run(&eval(step["run"].as_str().unwrap(), &ctx), &env, None);
            if let Some(id) = id {
                for (k, v) in outs {
                    ctx.insert(format!("steps.{id}.outputs.{k}"), v);
                }
            }
        }
    }
    job["outputs"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().unwrap().to_string(),
                eval(v.as_str().unwrap(), &ctx),
            )
        })
        .collect()
}

/// What the `images` job and the `images.yml` it calls do with the detect job's outputs: the
/// Dockerfile each image job builds, with the crate name its `crate` step derives.
fn run_images(
    runner: &mut Runner,
    ci: &Value,
    images_yml: &Value,
    detect: &BTreeMap<String, String>,
) -> Vec<(String, String)> {
    let job = &ci["jobs"]["images"];
    let mut ctx = Context::new();
    for (k, v) in detect {
        ctx.insert(format!("needs.detect.outputs.{k}"), v.clone());
    }
    if !condition(job["if"].as_str().unwrap(), &ctx) {
        return Vec::new();
    }
    assert_eq!(
        job["strategy"]["matrix"].as_str(),
        Some("${{ fromJSON(needs.detect.outputs.matrix) }}")
    );
    assert_eq!(job["uses"].as_str(), Some("./.github/workflows/images.yml"));
    let matrix: serde_json::Value = serde_json::from_str(&detect["matrix"]).unwrap();
    let entries = matrix["include"].as_array().unwrap();
    assert!(entries.len() <= 256);
    let mut built = Vec::new();
    for entry in entries {
        // `with:` of the calling job, for this entry.
        let mut entry_ctx = ctx.clone();
        for (k, v) in entry.as_object().unwrap() {
            entry_ctx.insert(
                format!("toJSON(matrix.{k})"),
                serde_json::to_string(v).unwrap(),
            );
            if let Some(s) = v.as_str() {
                entry_ctx.insert(format!("matrix.{k}"), s.to_string());
            }
        }
        entry_ctx.insert("needs.builder.outputs.image".into(), "builder:test".into());
        let mut inputs = Context::new();
        for (k, v) in job["with"].as_mapping().unwrap() {
            inputs.insert(
                format!("inputs.{}", k.as_str().unwrap()),
                eval(v.as_str().unwrap(), &entry_ctx),
            );
        }
        // The called workflow: its matrix, then its `run` steps per Dockerfile.
        let image = &images_yml["jobs"]["image"];
        assert_eq!(
            image["strategy"]["matrix"]["dockerfile"].as_str(),
            Some("${{ fromJSON(inputs.dockerfiles) }}")
        );
        let dockerfiles: Vec<String> = serde_json::from_str(&inputs["inputs.dockerfiles"]).unwrap();
        if !condition(image["if"].as_str().unwrap(), &inputs) {
            assert!(dockerfiles.is_empty(), "{entry}");
            continue;
        }
        assert!(!dockerfiles.is_empty(), "an entry with no image: {entry}");
        for dockerfile in dockerfiles {
            let mut step_ctx = inputs.clone();
            step_ctx.insert("matrix.dockerfile".into(), dockerfile.clone());
            let mut name = None;
            for step in image["steps"].as_sequence().unwrap() {
                if let Some(uses) = step["uses"].as_str() {
                    if uses.starts_with("docker/build-push-action@") {
                        assert_eq!(
                            eval(step["with"]["file"].as_str().unwrap(), &step_ctx),
                            dockerfile
                        );
                    }
                    continue;
                }
                let env = step_env(step, &step_ctx);
                let outs = runner.run(step["run"].as_str().unwrap(), &env, None);
                if step["id"].as_str() == Some("crate") {
                    name = outs.get("name").cloned();
                }
            }
            built.push((dockerfile, name.expect("the crate step names the image")));
        }
    }
    built
}

/// The example monorepo in a git repository: `main` as the pull request's base (also as
/// `origin/main`), and a branch `work` that edits `login_session`.
fn citychain_pull_request(dir: &Path) -> Repo {
    let root = dir.join("citychain");
    copy_dir(&support::citychain(), &root);
    let repo = Repo::init(&root);
    repo.commit_all("citychain");
    repo.git(&["update-ref", "refs/remotes/origin/main", "main"]);
    repo.git(&["checkout", "-q", "-b", "work"]);
    repo.append("login/rust/login_session/src/lib.rs", "\n// an edit\n");
    repo.commit_all("edit login_session");
    repo
}

#[test]
fn the_generated_ci_runs_locally_on_the_example_monorepo() {
    let tmp = tempfile::tempdir().unwrap();
    let generated = init(tmp.path());
    let ci = yaml(&generated.join(".github/workflows/ci.yml"));
    let images_yml = yaml(&generated.join(".github/workflows/images.yml"));
    let repo = citychain_pull_request(tmp.path());

    // The tool under test stands in for the release: on PATH at this version, so the action's
    // install step finds it and installs nothing.
    let bin_dir = tmp.path().join("bin");
    std::fs::create_dir_all(&bin_dir).unwrap();
    std::fs::copy(support::bin(), bin_dir.join("cargo-ccworkspace")).unwrap();
    let runner_temp = tmp.path().join("runner-temp");
    std::fs::create_dir_all(&runner_temp).unwrap();
    let mut runner = Runner {
        repo: repo.dir.clone(),
        temp: runner_temp,
        path: format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        ),
        env: vec![
            ("GITHUB_EVENT_NAME".into(), "pull_request".into()),
            ("GITHUB_BASE_REF".into(), "main".into()),
            ("GITHUB_ACTIONS".into(), "true".into()),
        ],
        steps_run: 0,
    };
    let mut github = Context::new();
    github.insert("github.event.before".into(), String::new());

    // The edit to login_session affects these images (the pyo3 and bin crates that build on
    // it; login_session itself is a library).
    let expected = [
        "DAGs/rust/dag_runner/Dockerfile",
        "login/rust/login_py/Dockerfile",
        "login/rust/login_server/Dockerfile",
        "login/rust/login_tokens/Dockerfile",
    ];

    // One job per image.
    let detect = run_detect(&mut runner, &ci, &github, &[]);
    let count: usize = detect["count"].parse().unwrap();
    let mut built = run_images(&mut runner, &ci, &images_yml, &detect);
    built.sort();
    let files: Vec<&str> = built.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(count, built.len());
    assert_eq!(files, expected, "{detect:?}");
    for (file, name) in &built {
        assert!(repo.dir.join(file).is_file(), "{file}");
        assert_eq!(Some(name.as_str()), file.split('/').nth(2), "{file}");
    }
    let matrix: serde_json::Value = serde_json::from_str(&detect["matrix"]).unwrap();
    assert!(matrix["include"][0]["crate"].is_string(), "{matrix}");

    // The test job: every affected crate and Python package, each with its `test` command
    // (login_py's wheel is a requirement of `citychain-orchestration`), run through bash from
    // the environment (never spliced into the script).
    let tests: serde_json::Value = serde_json::from_str(&detect["tests"]).unwrap();
    let commands: BTreeMap<String, String> = tests["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["crate"].as_str().unwrap().to_string(),
                e["test"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(detect["test-count"], commands.len().to_string());
    assert_eq!(
        commands.get("login_session").map(String::as_str),
        Some("cargo nextest run -p login_session"),
        "{tests}"
    );
    assert_eq!(
        commands.get("citychain-orchestration").map(String::as_str),
        Some("uv run --package citychain-orchestration pytest DAGs/python/orchestration"),
        "{tests}"
    );
    assert!(!commands.contains_key("citychain-attest"), "{tests}");
    let test_job = &ci["jobs"]["test"];
    assert_eq!(
        test_job["strategy"]["matrix"].as_str(),
        Some("${{ fromJSON(needs.detect.outputs.tests) }}")
    );
    let run_step = test_job["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| s["env"]["TEST"].as_str().is_some())
        .unwrap();
    assert_eq!(run_step["env"]["TEST"].as_str(), Some("${{ matrix.test }}"));
    assert_eq!(run_step["run"].as_str(), Some("bash -c \"$TEST\""));

    // Grouped: more images than `max-jobs` (GitHub's limit is 256; 2 here) makes entries of
    // several images each, which images.yml fans out again.
    let grouped = run_detect(&mut runner, &ci, &github, &[("max-jobs", "2")]);
    let matrix: serde_json::Value = serde_json::from_str(&grouped["matrix"]).unwrap();
    let entries = matrix["include"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{matrix}");
    assert!(entries.iter().all(|e| e["group"].is_string()), "{matrix}");
    let mut built_grouped = run_images(&mut runner, &ci, &images_yml, &grouped);
    built_grouped.sort();
    assert_eq!(built_grouped, built);

    // With `images = ["pyo3"]` (binaries built elsewhere), the binary crates' entries carry no
    // Dockerfile and their image jobs are skipped; the PyO3 image still builds.
    repo.replace(
        "Cargo.toml",
        "[workspace.dependencies]",
        "[workspace.metadata.ccworkspace.docker]\nimages = [\"pyo3\"]\n\n[workspace.dependencies]",
    );
    let pyo3_only = run_detect(&mut runner, &ci, &github, &[]);
    let built_pyo3 = run_images(&mut runner, &ci, &images_yml, &pyo3_only);
    let files: Vec<&str> = built_pyo3.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(files, ["login/rust/login_py/Dockerfile"], "{pyo3_only:?}");
    repo.git(&["checkout", "-q", "--", "Cargo.toml"]);

    // The JSON report the action exposes names the base it compared with.
    let report_path = runner.temp.join("ccworkspace-affected.json");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report_path).unwrap()).unwrap();
    assert_eq!(report["base"].as_str(), Some("origin/main"), "{report}");

    // A push compares with the previous tip (`github.event.before`), not a base branch.
    let before = repo.git(&["rev-parse", "main"]);
    let mut push_github = github.clone();
    push_github.insert("github.event.before".into(), before);
    let saved = std::mem::replace(
        &mut runner.env,
        vec![
            ("GITHUB_EVENT_NAME".into(), "push".into()),
            ("GITHUB_ACTIONS".into(), "true".into()),
        ],
    );
    let push = run_detect(&mut runner, &ci, &push_github, &[]);
    let mut built_push = run_images(&mut runner, &ci, &images_yml, &push);
    built_push.sort();
    assert_eq!(built_push, built);
    // A new branch (all-zero previous tip): the tool's default base applies (`origin/main`).
    push_github.insert(
        "github.event.before".into(),
        "0000000000000000000000000000000000000000".into(),
    );
    let new_branch = run_detect(&mut runner, &ci, &push_github, &[]);
    assert_eq!(new_branch["count"], detect["count"]);
    runner.env = saved;

    // Nothing affected (the branch at its base): count=0, and the images job is skipped.
    repo.git(&["reset", "-q", "--hard", "main"]);
    let none = run_detect(&mut runner, &ci, &github, &[]);
    assert_eq!(none["count"], "0");
    assert!(run_images(&mut runner, &ci, &images_yml, &none).is_empty());
}

/// The action's install script takes the release archive when the tool is not installed, and
/// refuses one whose checksum does not match. The archive is served from a `file://` URL. Either
/// way the download folder is gone afterwards: only the installed binary is left behind.
#[test]
fn the_action_installs_the_release_archive_and_checks_its_checksum() {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let releases = tmp.path().join("releases");
    let dir = releases.join(format!("v{VERSION}"));
    std::fs::create_dir_all(&dir).unwrap();
    let stage = tmp.path().join(format!(
        "cargo-ccworkspace-v{VERSION}-x86_64-unknown-linux-musl"
    ));
    std::fs::create_dir_all(&stage).unwrap();
    std::fs::copy(support::bin(), stage.join("cargo-ccworkspace")).unwrap();
    let archive = format!("cargo-ccworkspace-v{VERSION}-x86_64-unknown-linux-musl.tar.gz");
    let tar = Command::new("tar")
        .current_dir(tmp.path())
        .arg("-czf")
        .arg(dir.join(&archive))
        .arg(stage.file_name().unwrap())
        .status()
        .unwrap();
    assert!(tar.success());
    let sum = Command::new("sha256sum")
        .current_dir(&dir)
        .arg(&archive)
        .output()
        .unwrap();
    std::fs::write(dir.join(format!("{archive}.sha256")), &sum.stdout).unwrap();

    let install = |runner_temp: &Path| {
        std::fs::create_dir_all(runner_temp).unwrap();
        let github_path = runner_temp.join("github-path");
        let out = Command::new("bash")
            .arg(here().join("scripts/install.sh"))
            // No cargo-ccworkspace and no cargo-binstall on this PATH.
            .env("PATH", "/usr/bin:/bin")
            .env("CCWORKSPACE_VERSION", VERSION)
            .env(
                "CCWORKSPACE_RELEASES",
                format!("file://{}", releases.display()),
            )
            .env("RUNNER_TEMP", runner_temp)
            .env("TMPDIR", runner_temp)
            .env("GITHUB_PATH", &github_path)
            .output()
            .unwrap();
        (out, github_path)
    };
    let (out, github_path) = install(&tmp.path().join("t1"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let left = |runner_temp: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(runner_temp)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        left(&tmp.path().join("t1")),
        [format!("cargo-ccworkspace-{VERSION}"), "github-path".into()],
        "the download folder is removed"
    );
    let bin_dir = std::fs::read_to_string(&github_path).unwrap();
    let installed = Path::new(bin_dir.trim()).join("cargo-ccworkspace");
    let version = Command::new(&installed).arg("--version").output().unwrap();
    assert_eq!(
        text(&version.stdout).trim(),
        format!("cargo-ccworkspace {VERSION}")
    );

    // A tampered archive is refused before anything is installed.
    std::fs::write(
        dir.join(format!("{archive}.sha256")),
        format!("{}  {archive}\n", "0".repeat(64)),
    )
    .unwrap();
    let (out, _) = install(&tmp.path().join("t2"));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("checksum mismatch"));
    assert!(
        left(&tmp.path().join("t2")).is_empty(),
        "a refused archive leaves nothing behind"
    );
}
