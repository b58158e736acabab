#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `init` and `new` end to end: the path docs/getting-started.md walks.
//!
//! - `init` into a temporary directory, `new` a PyO3, a library and a binary crate in two
//!   domains (a third domain stays empty), then `cargo metadata`, `lint-deps`, `dockerfile
//!   --check`, `cargo build --offline` and `affected` on a commit all succeed.
//! - The generated YAML parses, and the fields that matter are wired: the workflow's matrix
//!   reads the detect job's outputs (the keys `affected --format github` really prints), the
//!   empty-matrix guard exists, the pre-commit config uses the hooks of `.pre-commit-hooks.yaml`.
//! - Goldens of every generated file (`tests/snapshots/init_new__*.snap`).
//! - Refusals: an existing workspace, a folder no glob covers, a taken name.
//! - `pre-commit` (when on PATH): the generated config and `pre-commit try-repo` of this
//!   repository's hooks run clean on the initialised workspace.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::git::Repo;

const BIN: &str = env!("CARGO_BIN_EXE_cargo-ccworkspace");

fn tool(cwd: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(cwd)
        .args(["--color", "never"])
        .args(args)
        .env_remove("GITHUB_OUTPUT")
        .env_remove("GITHUB_BASE_REF")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Run the tool and require exit 0; returns stdout.
fn ok(cwd: &Path, args: &[&str]) -> String {
    let out = tool(cwd, args);
    assert!(
        out.status.success(),
        "cargo-ccworkspace {args:?} exited {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn cargo(cwd: &Path, args: &[&str]) -> Output {
    Command::new(support::cargo())
        .current_dir(cwd)
        .args(args)
        .env_remove("RUSTC_WRAPPER")
        .output()
        .unwrap()
}

/// `init acme --domains DAGs,login,CA` in `parent`, then the three crates of the walk-through.
fn scaffold(parent: &Path) -> PathBuf {
    ok(
        parent,
        &[
            "init",
            "acme",
            "--domains",
            "DAGs,login,CA",
            "--python",
            "3.12",
        ],
    );
    let root = parent.join("acme");
    ok(&root, &["new", "DAGs/dag_py", "--pyo3"]);
    ok(&root, &["new", "DAGs/dag_core", "--lib"]);
    ok(&root, &["new", "login/login_server", "--bin"]);
    root
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

#[test]
fn init_then_new_walks_the_whole_path() {
    let tmp = tempfile::tempdir().unwrap();
    let root = scaffold(tmp.path());

    // `new` wrote the Dockerfile pairs exactly as `dockerfile` renders them.
    ok(&root, &["dockerfile", "--check"]);
    // Every crate passes every lint-deps rule, warnings included.
    let lint = tool(&root, &["lint-deps"]);
    assert!(lint.status.success(), "{}", text(&lint.stdout));
    assert!(
        text(&lint.stderr).contains("no findings"),
        "stdout:\n{}\nstderr:\n{}",
        text(&lint.stdout),
        text(&lint.stderr)
    );

    // cargo loads it: the empty CA domain's glob matches its `rust/.gitkeep`, not nothing.
    let meta = cargo(
        &root,
        &[
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ],
    );
    assert!(meta.status.success(), "{}", text(&meta.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&meta.stdout).unwrap();
    let mut names: Vec<&str> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["dag_core", "dag_py", "login_server"]);

    // login_server uses dag_core, the way the `new --lib` note says.
    let manifest = read(&root, "Cargo.toml").replace(
        "pyo3 = \"0.30\"\n",
        "pyo3 = \"0.30\"\ndag_core = { path = \"DAGs/rust/dag_core\" }\n",
    );
    std::fs::write(root.join("Cargo.toml"), manifest).unwrap();
    let server = "login/rust/login_server";
    let member = read(&root, &format!("{server}/Cargo.toml")) + "dag_core.workspace = true\n";
    std::fs::write(root.join(server).join("Cargo.toml"), member).unwrap();
    std::fs::write(
        root.join(server).join("src/main.rs"),
        "fn main() {\n    println!(\"{}\", dag_core::hello());\n}\n",
    )
    .unwrap();
    // The closure changed: --check sees it, `dockerfile` regenerates it.
    assert_eq!(
        tool(&root, &["dockerfile", "--check"]).status.code(),
        Some(1)
    );
    ok(&root, &["dockerfile"]);
    ok(&root, &["dockerfile", "--check"]);
    let lint = tool(&root, &["lint-deps"]);
    assert!(
        lint.status.success() && text(&lint.stderr).contains("no findings"),
        "{}{}",
        text(&lint.stdout),
        text(&lint.stderr)
    );

    // The workspace builds offline. pyo3 and its dependencies come from crates.io: on a machine
    // whose cargo cache lacks them, one `cargo fetch` (network) comes first, and the build
    // itself stays offline.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("init-new-e2e-target");
    let target = target.to_str().unwrap();
    let build = |offline: bool| {
        let mut args = vec!["build", "--workspace", "--target-dir", target];
        if offline {
            args.push("--offline");
        }
        cargo(&root, &args)
    };
    let mut built = build(true);
    if !built.status.success() {
        eprintln!(
            "NOTE: offline build failed (registry cache incomplete?); fetching online once:\n{}",
            text(&built.stderr)
        );
        let fetch = cargo(&root, &["fetch"]);
        assert!(fetch.status.success(), "{}", text(&fetch.stderr));
        built = build(true);
    }
    assert!(built.status.success(), "{}", text(&built.stderr));
    // After cargo filled in Cargo.lock, the generated files are still up to date (init wrote a
    // lockfile, so the Dockerfile contexts did not change when cargo completed it).
    ok(&root, &["dockerfile", "--check"]);

    // `affected` on a commit that edits the library: it and its dependent, not the PyO3 crate.
    let repo = Repo::init(&root);
    repo.commit_all("init");
    repo.append("DAGs/rust/dag_core/src/lib.rs", "\n// an edit\n");
    repo.commit_all("edit dag_core");
    let names = ok(&root, &["affected", "--base", "HEAD~1", "--head", "HEAD"]);
    assert_eq!(names, "dag_core\nlogin_server\n");
    // The keys the CI workflow reads: `matrix` (one entry per image) and `count`.
    let github = ok(
        &root,
        &[
            "affected", "--base", "HEAD~1", "--head", "HEAD", "--format", "github", "--kind",
            "pyo3,bin",
        ],
    );
    let outputs: std::collections::BTreeMap<&str, &str> =
        github.lines().filter_map(|l| l.split_once('=')).collect();
    assert_eq!(outputs.get("count"), Some(&"1"), "{github}");
    let matrix: serde_json::Value = serde_json::from_str(outputs["matrix"]).unwrap();
    assert_eq!(matrix["include"][0]["crate"], "login_server");
    assert_eq!(
        matrix["include"][0]["dockerfile"],
        "login/rust/login_server/Dockerfile"
    );
    let ci: serde_norway::Value =
        serde_norway::from_str(&read(&root, ".github/workflows/ci.yml")).unwrap();
    for key in ["matrix", "count"] {
        assert!(outputs.contains_key(key));
        assert_eq!(
            ci["jobs"]["detect"]["outputs"][key].as_str().unwrap(),
            format!("${{{{ steps.affected.outputs.{key} }}}}")
        );
    }
    // Nothing affected: count=0, which the workflow's guard skips on.
    let none = ok(
        &root,
        &[
            "affected", "--base", "HEAD", "--head", "HEAD", "--format", "github", "--kind",
            "pyo3,bin",
        ],
    );
    assert!(none.lines().any(|l| l == "count=0"), "{none}");
}

#[test]
fn generated_yaml_wires_the_workflow_and_the_hooks() {
    let tmp = tempfile::tempdir().unwrap();
    ok(tmp.path(), &["init", "acme", "--domains", "DAGs"]);
    let root = tmp.path().join("acme");
    let yaml =
        |rel: &str| -> serde_norway::Value { serde_norway::from_str(&read(&root, rel)).unwrap() };

    let ci = yaml(".github/workflows/ci.yml");
    let jobs = &ci["jobs"];
    // Detect: the full history, and `affected --format github` in the step the outputs name.
    let detect = &jobs["detect"];
    let steps = detect["steps"].as_sequence().unwrap();
    let checkout = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/checkout@"))
        })
        .unwrap();
    assert_eq!(checkout["with"]["fetch-depth"].as_u64(), Some(0));
    // The tool's own action, at the tag of this version, installing this version.
    let version = env!("CARGO_PKG_VERSION");
    let affected = steps
        .iter()
        .find(|s| s["id"].as_str() == Some("affected"))
        .unwrap();
    assert_eq!(
        affected["uses"].as_str(),
        Some(format!("ccworkspace/cargo-ccworkspace@v{version}").as_str())
    );
    assert_eq!(affected["with"]["version"].as_str(), Some(version));

    // The image matrix reads the detect job's output, and is skipped when it is empty; each
    // entry calls images.yml with its `dockerfiles` (both the per-crate and the grouped form).
    let images = &jobs["images"];
    let needs: Vec<&str> = images["needs"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(needs.contains(&"detect"));
    assert_eq!(
        images["strategy"]["matrix"].as_str(),
        Some("${{ fromJSON(needs.detect.outputs.matrix) }}")
    );
    assert_eq!(
        images["if"].as_str(),
        Some("needs.detect.outputs.count != '0'")
    );
    assert_eq!(
        jobs["builder"]["if"].as_str(),
        Some("needs.detect.outputs.count != '0'")
    );
    assert_eq!(
        images["uses"].as_str(),
        Some("./.github/workflows/images.yml")
    );
    assert_eq!(
        images["with"]["dockerfiles"].as_str(),
        Some("${{ toJSON(matrix.dockerfiles) }}")
    );
    assert_eq!(
        images["with"]["builder-image"].as_str(),
        Some("${{ needs.builder.outputs.image }}")
    );
    let called = yaml(".github/workflows/images.yml");
    let image = &called["jobs"]["image"];
    assert_eq!(
        image["strategy"]["matrix"]["dockerfile"].as_str(),
        Some("${{ fromJSON(inputs.dockerfiles) }}")
    );
    let build = image["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("docker/build-push-action@"))
        })
        .unwrap();
    assert_eq!(build["with"]["context"].as_str(), Some("."));
    assert_eq!(
        build["with"]["file"].as_str(),
        Some("${{ matrix.dockerfile }}")
    );
    for key in ["cache-from", "cache-to"] {
        assert!(
            build["with"][key]
                .as_str()
                .unwrap()
                .contains("scope=${{ steps.crate.outputs.name }}")
        );
    }
    // The builder image the matrix builds FROM.
    assert_eq!(
        build["with"]["build-args"].as_str(),
        Some("BUILDER_IMAGE=${{ inputs.builder-image }}")
    );
    // The lint job installs through the action and runs both checks.
    let lint_steps = jobs["lint"]["steps"].as_sequence().unwrap();
    assert!(lint_steps.iter().any(|s| {
        s["uses"].as_str() == Some(format!("ccworkspace/cargo-ccworkspace@v{version}").as_str())
            && s["with"]["install-only"].as_str() == Some("true")
    }));
    let lint_runs: Vec<&str> = lint_steps
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect();
    assert!(
        lint_runs
            .iter()
            .any(|r| r.starts_with("cargo ccworkspace lint-deps"))
    );
    assert!(lint_runs.contains(&"cargo ccworkspace dockerfile --check"));

    // The pre-commit config uses this repository's hooks: same ids, entries and file patterns.
    let manifest: serde_norway::Value = serde_norway::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
        )
        .unwrap(),
    )
    .unwrap();
    let config = yaml(".pre-commit-config.yaml");
    let hooks = config["repos"][0]["hooks"].as_sequence().unwrap();
    assert_eq!(hooks.len(), 3);
    let find = |id: &str| {
        manifest
            .as_sequence()
            .unwrap()
            .iter()
            .find(|h| h["id"].as_str() == Some(id))
            .unwrap_or_else(|| panic!("{id} is not in .pre-commit-hooks.yaml"))
            .clone()
    };
    for hook in hooks {
        let id = hook["id"].as_str().unwrap();
        // The `language: rust` hook and its `-system` twin: the same but for the language.
        let rust = find(id);
        let system = find(&format!("{id}-system"));
        for key in [
            "entry",
            "files",
            "pass_filenames",
            "require_serial",
            "stages",
        ] {
            assert_eq!(hook[key], rust[key], "{id}: {key} differs");
            assert_eq!(hook[key], system[key], "{id}-system: {key} differs");
        }
        assert_eq!(rust["language"].as_str(), Some("rust"));
        assert_eq!(system["language"].as_str(), Some("system"));
        assert_eq!(hook["language"].as_str(), Some("system"));
    }
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "ccworkspace-lint-deps",
            "ccworkspace-dockerfile-check",
            "ccworkspace-dockerfile"
        ]
    );
    // Every hook of the manifest is documented by its id, and the remote form in the
    // generated config names only hooks that exist, at this version's tag.
    let docs = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/getting-started.md"),
    )
    .unwrap();
    for def in manifest.as_sequence().unwrap() {
        let id = def["id"].as_str().unwrap();
        assert!(
            docs.contains(id),
            "docs/getting-started.md does not mention {id}"
        );
    }
    let config_text = read(&root, ".pre-commit-config.yaml");
    assert!(config_text.contains(&format!("rev: v{version}")));
    for line in config_text.lines() {
        if let Some(id) = line.trim().strip_prefix("#       - id: ") {
            find(id);
        }
    }

    // dev-compose mounts the repository where the Dockerfiles build, caches in named volumes.
    let compose = yaml("dev-compose.yml");
    let dev = &compose["services"]["dev"];
    assert_eq!(dev["working_dir"].as_str(), Some("/work"));
    let volumes: Vec<&str> = dev["volumes"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(volumes.contains(&".:/work"));
    for named in ["cargo-registry", "target", "sccache"] {
        assert!(compose["volumes"].get(named).is_some(), "{named}");
    }
}

/// The generated files with what depends on the machine redacted.
fn redact(text: &str) -> String {
    let version = env!("CARGO_PKG_VERSION");
    text.lines()
        .map(|l| {
            if l.starts_with("channel = ") {
                "channel = \"[CHANNEL]\"".to_string()
            } else if l.starts_with("rust-version = ") {
                "rust-version = \"[RUST-VERSION]\"".to_string()
            } else {
                l.replace(&format!("--version {version}"), "--version [VERSION]")
                    .replace(&format!("rev: v{version}"), "rev: v[VERSION]")
                    .replace(&format!("_TAG: v{version}"), "_TAG: v[VERSION]")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn goldens_of_every_generated_file() {
    let tmp = tempfile::tempdir().unwrap();
    let root = scaffold(tmp.path());
    let all = support::files_under(&[".git", "target"], &root);
    insta::assert_snapshot!("file_list", all.join("\n"));
    for rel in &all {
        let name = rel.replace(['/', '.'], "_");
        insta::assert_snapshot!(name, redact(&read(&root, rel)));
    }
}

#[test]
fn init_never_overwrites_and_refuses_an_existing_workspace() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join(".gitignore"), "mine\n").unwrap();

    // --dry-run writes nothing and says what it would do.
    let plan = ok(tmp.path(), &["init", "repo", "--domains", "a", "--dry-run"]);
    assert!(plan.contains("create Cargo.toml\n"), "{plan}");
    assert!(plan.contains("skip   .gitignore (exists)\n"), "{plan}");
    assert!(!root.join("Cargo.toml").exists());

    // A directory without a workspace: existing files are kept and named.
    let out = tool(tmp.path(), &["init", "repo", "--domains", "a"]);
    assert!(out.status.success());
    assert!(
        text(&out.stderr).contains("skipped .gitignore"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(read(&root, ".gitignore"), "mine\n");

    // A second init refuses, naming the flag that completes a workspace.
    let again = tool(tmp.path(), &["init", "repo"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        text(&again.stderr).contains("--add-missing"),
        "{}",
        text(&again.stderr)
    );

    // --add-missing puts back only what is missing.
    std::fs::remove_file(root.join("dev-compose.yml")).unwrap();
    let before = read(&root, "Cargo.toml");
    let add = tool(
        tmp.path(),
        &["init", "repo", "--add-missing", "--domains", "a,b"],
    );
    assert!(add.status.success(), "{}", text(&add.stderr));
    assert!(root.join("dev-compose.yml").is_file());
    assert_eq!(read(&root, "Cargo.toml"), before);
    // The new domain's glob is not in the kept Cargo.toml: say so.
    assert!(
        text(&add.stderr).contains("add \"b/rust/*\""),
        "{}",
        text(&add.stderr)
    );

    // A package manifest is never turned into a workspace.
    let pkg = tmp.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
    let out = tool(tmp.path(), &["init", "pkg", "--add-missing"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("package manifest"));
}

/// `cargo metadata --no-deps --offline` in `root`: the package names cargo sees.
fn cargo_members(root: &Path) -> Vec<String> {
    let out = Command::new(env!("CARGO"))
        .current_dir(root)
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut names: Vec<String> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

/// Issue 16: `init` then `new` in a domain `init` did not list adds the domain's glob (and its
/// `.gitkeep`), as `cargo new` adds a member; a workspace laid out as `crates/*` gets its crates
/// there.
#[test]
fn new_adds_a_new_domain_and_follows_the_workspace_layout() {
    let tmp = tempfile::tempdir().unwrap();
    ok(tmp.path(), &["init", "acme"]);
    let root = tmp.path().join("acme");
    let out = tool(&root, &["new", "DAGs/poh_ack", "--bin"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("added \"DAGs/rust/*\" to [workspace] members"),
        "{}",
        text(&out.stderr)
    );
    ok(&root, &["new", "login/login_server", "--bin"]);
    let manifest = read(&root, "Cargo.toml");
    assert!(
        manifest.contains("members = [\"DAGs/rust/*\", \"login/rust/*\"]"),
        "{manifest}"
    );
    assert!(root.join("login/rust/.gitkeep").is_file());
    assert!(root.join("DAGs/rust/.gitkeep").is_file());
    assert_eq!(cargo_members(&root), ["login_server", "poh_ack"]);
    ok(&root, &["dockerfile", "--check"]);
    ok(&root, &["lint-deps"]);

    // A workspace of its own layout: `crates/*`, written one entry per line.
    let flat = tmp.path().join("flat");
    std::fs::create_dir_all(flat.join("crates/a/src")).unwrap();
    std::fs::write(
        flat.join("Cargo.toml"),
        "[workspace]\nresolver = \"2\"\nmembers = [\n    \"crates/*\", # every crate\n]\n",
    )
    .unwrap();
    std::fs::write(
        flat.join("crates/a/Cargo.toml"),
        "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(flat.join("crates/a/src/lib.rs"), "").unwrap();
    ok(&flat, &["new", "b"]);
    ok(&flat, &["new", "crates/c"]);
    ok(&flat, &["new", "tools/codegen", "--bin"]);
    assert!(flat.join("crates/b/src/lib.rs").is_file());
    assert!(flat.join("crates/c/src/lib.rs").is_file());
    assert!(flat.join("tools/codegen/src/main.rs").is_file());
    assert_eq!(
        read(&flat, "Cargo.toml"),
        "[workspace]\nresolver = \"2\"\nmembers = [\n    \"crates/*\", # every crate\n    \"tools/*\",\n]\n"
    );
    assert_eq!(cargo_members(&flat), ["a", "b", "c", "codegen"]);
}

#[test]
fn new_fails_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    ok(tmp.path(), &["init", "acme", "--domains", "DAGs"]);
    let root = tmp.path().join("acme");
    let before = support::files_under(&[".git", "target"], &root);

    ok(&root, &["new", "DAGs/poh_ack"]);
    let taken = tool(&root, &["new", "DAGs/poh_ack", "--bin"]);
    assert_eq!(taken.status.code(), Some(2));
    assert!(
        text(&taken.stderr).contains("already exists"),
        "{}",
        text(&taken.stderr)
    );
    // The same name in another folder of a covered domain is taken too.
    let root_toml = read(&root, "Cargo.toml").replace(
        "members = [\"DAGs/rust/*\"]",
        "members = [\"DAGs/rust/*\", \"CA/rust/*\"]",
    );
    std::fs::write(root.join("Cargo.toml"), root_toml).unwrap();
    // As the help above says: a glob that matches nothing makes cargo refuse the workspace.
    std::fs::create_dir_all(root.join("CA/rust")).unwrap();
    std::fs::write(root.join("CA/rust/.gitkeep"), "").unwrap();
    let clash = tool(&root, &["new", "CA/poh-ack"]);
    assert_eq!(clash.status.code(), Some(2));
    assert!(
        text(&clash.stderr).contains("is taken by DAGs/rust/poh_ack/Cargo.toml"),
        "{}",
        text(&clash.stderr)
    );

    let bad = tool(&root, &["new", "poh_ack"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("names no folder"),
        "{}",
        text(&bad.stderr)
    );
    let two = tool(&root, &["new", "DAGs/x", "--bin", "--pyo3"]);
    assert_eq!(two.status.code(), Some(2));

    let mut after = support::files_under(&[".git", "target"], &root);
    after.retain(|f| !f.starts_with("DAGs/rust/poh_ack/") && f != "CA/rust/.gitkeep");
    assert_eq!(after, before, "a failed `new` wrote something");

    // All or nothing: when the root Cargo.toml (which --pyo3 must extend) cannot be written, no
    // crate file is written either.
    let manifest = root.join("Cargo.toml");
    let mut perms = std::fs::metadata(&manifest).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&manifest, perms).unwrap();
    let blocked = tool(&root, &["new", "DAGs/dag_py", "--pyo3"]);
    assert_eq!(blocked.status.code(), Some(2));
    assert!(
        text(&blocked.stderr).contains("read-only"),
        "{}",
        text(&blocked.stderr)
    );
    assert!(!root.join("DAGs/rust/dag_py").exists());
}

#[test]
fn hadolint_accepts_the_builder_image() {
    let (name, hint) = support::HADOLINT;
    if !support::require_tool(name, hint) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    ok(tmp.path(), &["init", "acme", "--domains", "DAGs"]);
    let out = Command::new("hadolint")
        .args(["--no-color", "--failure-threshold", "warning"])
        .arg(tmp.path().join("acme/docker/builder.Dockerfile"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

#[test]
fn a_pyo3_crate_builds_into_a_wheel_with_its_version() {
    let python = Command::new("python3")
        .args([
            "-c",
            "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')",
        ])
        .output();
    let (name, hint) = support::MATURIN;
    if !support::require_tool(name, hint) {
        return;
    }
    let python = python.expect("python3 runs (maturin is installed with it)");
    assert!(python.status.success());
    let version = text(&python.stdout).trim().to_string();
    let tmp = tempfile::tempdir().unwrap();
    ok(
        tmp.path(),
        &["init", "acme", "--domains", "DAGs", "--python", &version],
    );
    let root = tmp.path().join("acme");
    // A dashed crate name: the module is `dag_py`.
    ok(&root, &["new", "DAGs/dag-py", "--pyo3"]);
    let dist = tmp.path().join("dist");
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("init-new-e2e-target");
    let built = Command::new("maturin")
        .current_dir(&root)
        .args([
            "build",
            "-m",
            "DAGs/rust/dag-py/Cargo.toml",
            "-i",
            "python3",
            "--out",
        ])
        .arg(&dist)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTC_WRAPPER")
        .output()
        .unwrap();
    assert!(built.status.success(), "{}", text(&built.stderr));
    let wheel = std::fs::read_dir(&dist)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let site = tmp.path().join("site");
    let unzip = Command::new("python3")
        .args(["-m", "zipfile", "-e"])
        .arg(&wheel)
        .arg(&site)
        .output()
        .unwrap();
    assert!(unzip.status.success(), "{}", text(&unzip.stderr));
    let import = Command::new("python3")
        .arg("-c")
        .arg("import dag_py; print(dag_py.__version__, dag_py.hello('acme'))")
        .env("PYTHONPATH", &site)
        .output()
        .unwrap();
    assert!(import.status.success(), "{}", text(&import.stderr));
    assert_eq!(text(&import.stdout), "0.1.0 hello, acme\n");
}

/// Whether `pre-commit` runs here (see `support::require_tool`).
fn pre_commit_available() -> bool {
    let (name, hint) = support::PRE_COMMIT;
    support::require_tool(name, hint)
}

fn pre_commit(root: &Path, args: &[&str], path: &str) -> Output {
    let home = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pre-commit-home");
    Command::new("pre-commit")
        .current_dir(root)
        .args(args)
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", &home)
        .env("PRE_COMMIT_COLOR", "never")
        // pre-commit's `cargo install` of this repository reuses one target dir across runs.
        .env(
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("pre-commit-install-target"),
        )
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .unwrap()
}

#[test]
fn pre_commit_runs_the_hooks_on_an_initialised_workspace() {
    if !pre_commit_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = scaffold(tmp.path());
    let repo = Repo::init(&root);
    repo.commit_all("init");

    // Both files pass pre-commit's own schema checks.
    let here = env!("CARGO_MANIFEST_DIR");
    let path = std::env::var("PATH").unwrap_or_default();
    let manifest = format!("{here}/.pre-commit-hooks.yaml");
    for args in [
        ["validate-manifest", manifest.as_str()],
        ["validate-config", ".pre-commit-config.yaml"],
    ] {
        let out = pre_commit(&root, &args, &path);
        assert!(
            out.status.success(),
            "pre-commit {args:?}: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }

    // The generated `repo: local` config runs the cargo-ccworkspace on PATH.
    let bin_dir = Path::new(BIN)
        .parent()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let local_path = format!("{bin_dir}:{path}");
    let run = pre_commit(&root, &["run", "--all-files"], &local_path);
    assert!(
        run.status.success(),
        "{}{}",
        text(&run.stdout),
        text(&run.stderr)
    );
    let log = text(&run.stdout);
    assert!(
        log.contains("cargo ccworkspace lint-deps") && log.contains("Passed"),
        "{log}"
    );

    // A stale Dockerfile fails the check hook.
    repo.append("login/rust/login_server/Dockerfile", "# edited\n");
    repo.commit_all("edit a generated file");
    let stale = pre_commit(
        &root,
        &["run", "--all-files", "ccworkspace-dockerfile-check"],
        &local_path,
    );
    assert!(!stale.status.success(), "{}", text(&stale.stdout));
    // The documented way to regenerate: the manual-stage hook of the generated config.
    let regenerate = pre_commit(
        &root,
        &[
            "run",
            "--hook-stage",
            "manual",
            "ccworkspace-dockerfile",
            "--all-files",
        ],
        &local_path,
    );
    // pre-commit fails a hook that changed files; the second run finds nothing to change.
    assert!(
        text(&regenerate.stdout).contains("cargo ccworkspace dockerfile (regenerate)"),
        "{}{}",
        text(&regenerate.stdout),
        text(&regenerate.stderr)
    );
    ok(&root, &["dockerfile", "--check"]);
    repo.commit_all("regenerate");

    // This repository's `.pre-commit-hooks.yaml`, installed by pre-commit (`language: rust`:
    // `cargo install --path` of this repository, with the network for the dependencies).
    // The `-system` twins of this repository's hooks run the binary on PATH (nothing built).
    for hook in [
        "ccworkspace-lint-deps",
        "ccworkspace-dockerfile-check",
        "ccworkspace-lint-deps-system",
        "ccworkspace-dockerfile-check-system",
    ] {
        let path = if hook.ends_with("-system") {
            local_path.as_str()
        } else {
            path.as_str()
        };
        let out = pre_commit(&root, &["try-repo", here, hook, "--all-files"], path);
        assert!(
            out.status.success(),
            "try-repo {hook}:\n{}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        assert!(
            text(&out.stdout).contains("Passed"),
            "{}",
            text(&out.stdout)
        );
    }
}

/// Issue 16: `images` in `[workspace.metadata.ccworkspace.docker]` chooses which kinds get an
/// image, workspace-wide: with `["pyo3"]` the binary crate's generated pair is left over, and
/// `dockerfile` removes it.
#[test]
fn the_images_setting_chooses_which_kinds_get_an_image() {
    let tmp = tempfile::tempdir().unwrap();
    ok(tmp.path(), &["init", "acme", "--domains", "DAGs"]);
    let root = tmp.path().join("acme");
    ok(&root, &["new", "DAGs/runner", "--bin"]);
    ok(&root, &["new", "DAGs/dag_py", "--pyo3"]);
    assert!(root.join("DAGs/rust/runner/Dockerfile").is_file());
    let manifest = read(&root, "Cargo.toml");
    assert!(
        manifest.contains("images = [\"pyo3\", \"bin\"]"),
        "{manifest}"
    );
    std::fs::write(
        root.join("Cargo.toml"),
        manifest.replace("images = [\"pyo3\", \"bin\"]", "images = [\"pyo3\"]"),
    )
    .unwrap();
    let stale = tool(&root, &["dockerfile", "--check"]);
    assert_eq!(stale.status.code(), Some(1), "{}", text(&stale.stderr));
    ok(&root, &["dockerfile"]);
    assert!(!root.join("DAGs/rust/runner/Dockerfile").exists());
    assert!(root.join("DAGs/rust/dag_py/Dockerfile").is_file());
    ok(&root, &["dockerfile", "--check"]);
    // A new binary crate gets no pair either.
    ok(&root, &["new", "DAGs/tool", "--bin"]);
    assert!(!root.join("DAGs/rust/tool/Dockerfile").exists());
    ok(&root, &["dockerfile", "--check"]);

    let manifest = read(&root, "Cargo.toml");
    std::fs::write(
        root.join("Cargo.toml"),
        manifest.replace("images = [\"pyo3\"]", "images = [\"lib\"]"),
    )
    .unwrap();
    let bad = tool(&root, &["dockerfile", "--check"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("unknown variant `lib`, expected `pyo3` or `bin`"),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn new_refuses_a_folder_cargo_excludes_whatever_the_spelling_of_the_exclude_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("d/rust/a/src")).unwrap();
    std::fs::write(root.join("d/rust/a/src/lib.rs"), "").unwrap();
    std::fs::write(
        root.join("d/rust/a/Cargo.toml"),
        "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    // An absolute entry and a spelled-out one: cargo excludes `d/rust/zz` with both.
    for entry in [
        format!("{}/d/rust/zz", root.display()),
        "d//rust/./zz".to_string(),
    ] {
        std::fs::write(
            root.join("Cargo.toml"),
            format!(
                "[workspace]\nresolver = \"2\"\nmembers = [\"d/rust/*\"]\nexclude = [\"{entry}\"]\n\
                 [workspace.package]\nversion = \"0.1.0\"\nedition = \"2021\"\n"
            ),
        )
        .unwrap();
        let out = tool(root, &["new", "d/zz"]);
        assert_eq!(out.status.code(), Some(2), "{entry}: {}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("is under a [workspace] `exclude` entry"),
            "{}",
            text(&out.stderr)
        );
        assert!(
            !root.join("d/rust/zz").exists(),
            "nothing written for {entry}"
        );
    }
}
