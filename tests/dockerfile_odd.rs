#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Issue 13, items 2 and 3, through the binary on small workspaces in temporary folders:
//!
//! - odd folder names (space, `'`, `"`, `$`, `\`, glob characters, non-ASCII) give Dockerfiles
//!   that hadolint accepts, whose header hint and `RUN` line the real `/bin/sh` parses into
//!   the right argv, and whose context (rebuilt from the ignore file) builds with the `RUN`
//!   line run by that same shell;
//! - one odd crate never stops the run: every problem is reported at once with file:line and
//!   the fix, every other image is written, `cargo run` agrees on `default-run`, and a library
//!   whose binaries are helpers gets no image and the kind `lib` in `affected` too.

mod support;

use support::docker::{ROOT, text, tool, write_tree};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cargo_ccworkspace::docker::ignore::IgnoreFile;
use cargo_ccworkspace::docker::render::{build_command, embedded_manifest};

fn bin_crate(name: &str) -> String {
    format!("[package]\nname = \"{name}\"\nversion.workspace = true\nedition.workspace = true\n")
}

/// The argv the real `/bin/sh` makes of `words` (a line of shell words).
fn sh_argv(words: &str) -> Vec<String> {
    let out = Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("for a in {words}; do printf '%s\\0' \"$a\"; done"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "sh rejects {words}: {}",
        text(&out.stderr)
    );
    text(&out.stdout)
        .split_terminator('\0')
        .map(str::to_string)
        .collect()
}

/// Each simple command the `RUN` line would run, as argv, by the real `/bin/sh` with every
/// command replaced by a function that prints its name and arguments.
fn run_argvs(command: &str) -> Vec<Vec<String>> {
    let syntax = Command::new("/bin/sh")
        .args(["-n", "-c", command])
        .output()
        .unwrap();
    assert!(syntax.status.success(), "sh -n rejects `{command}`");
    let script = format!(
        "show() {{ for a in \"$@\"; do printf '%s\\0' \"$a\"; done; printf '\\n'; }}\n\
         cargo() {{ show cargo \"$@\"; }}\nmaturin() {{ show maturin \"$@\"; }}\n\
         mkdir() {{ show mkdir \"$@\"; }}\ncp() {{ show cp \"$@\"; }}\n{command}\n"
    );
    let out = Command::new("/bin/sh")
        .arg("-c")
        .arg(script)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
        .lines()
        .map(|l| l.split_terminator('\0').map(str::to_string).collect())
        .collect()
}

fn hadolint(path: &Path) {
    let (name, hint) = support::HADOLINT;
    if !support::require_tool(name, hint) {
        return;
    }
    let out = Command::new(name)
        .args(["--failure-threshold", "error"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "hadolint rejects {}:\n{}{}",
        path.display(),
        text(&out.stdout),
        text(&out.stderr)
    );
}

fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("dockerfile-odd-target")
}

/// Rebuild the context BuildKit would send for `dockerfile` (the files its ignore file admits,
/// with the embedded manifest as the root `Cargo.toml`) and run the Dockerfile's `RUN` line in
/// it with the real `/bin/sh`: `cargo` runs the real cargo offline, `cp` checks the binary.
fn build_in_context(root: &Path, dockerfile: &str) {
    let df = std::fs::read_to_string(root.join(dockerfile)).unwrap();
    let ignore = IgnoreFile::parse(
        &std::fs::read_to_string(root.join(format!("{dockerfile}.dockerignore"))).unwrap(),
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let ctx = tmp.path().join("work");
    let admitted: Vec<String> = support::files_under(&["target"], root)
        .into_iter()
        .filter(|f| !ignore.is_excluded(f))
        .collect();
    for f in &admitted {
        let dst = ctx.join(f);
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        std::fs::copy(root.join(f), dst).unwrap();
    }
    std::fs::write(ctx.join("Cargo.toml"), embedded_manifest(&df).unwrap()).unwrap();
    let command = build_command(&df).unwrap();
    let script = format!(
        "cargo() {{ \"$REAL_CARGO\" \"$@\" --offline; }}\nmkdir() {{ :; }}\n\
         cp() {{ test -f \"$CARGO_TARGET_DIR/release/${{1##*/}}\"; }}\n{command}\n"
    );
    let out = Command::new("/bin/sh")
        .arg("-c")
        .arg(script)
        .current_dir(&ctx)
        .env("REAL_CARGO", support::cargo())
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("RUSTC_WRAPPER")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "`{command}` failed in the context of {dockerfile}\nadmitted:\n  {}\n{}",
        admitted.join("\n  "),
        text(&out.stderr)
    );
}

/// Issue 13 item 2: folder names with a space, quotes, `$`, a backslash, glob characters and
/// non-ASCII letters.
#[test]
fn odd_folder_names_give_dockerfiles_that_mean_the_right_path_and_build() {
    let odd = [
        ("Data Science", "srv_space"),
        ("it's", "srv_quote"),
        ("say \"hi\"", "srv_dquote"),
        ("$HOME", "srv_dollar"),
        ("[x]*?", "srv_glob"),
        ("données", "srv_accent"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut files: Vec<(String, String)> = vec![("Cargo.toml".into(), ROOT.into())];
    for (folder, name) in odd {
        files.push((format!("{folder}/rust/{name}/Cargo.toml"), bin_crate(name)));
        files.push((
            format!("{folder}/rust/{name}/src/main.rs"),
            format!("fn main() {{ println!(\"{name}\"); }}\n"),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    write_tree(root, &refs);
    // Cargo itself takes this layout.
    let meta = support::cargo_metadata(root, &["--offline", "--no-deps"]).unwrap();
    assert_eq!(meta["packages"].as_array().unwrap().len(), odd.len());

    let out = tool(root, &["dockerfile"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        tool(root, &["dockerfile", "--check"]).status.code(),
        Some(0)
    );
    for (folder, name) in odd {
        let crate_dir = format!("{folder}/rust/{name}");
        let dockerfile = format!("{crate_dir}/Dockerfile");
        let df = std::fs::read_to_string(root.join(&dockerfile)).unwrap();
        hadolint(&root.join(&dockerfile));

        // The header's hint, as sh reads it.
        let hint = df
            .lines()
            .find_map(|l| l.strip_prefix("#   docker "))
            .unwrap();
        assert_eq!(
            sh_argv(hint),
            [
                "buildx",
                "build",
                "-f",
                dockerfile.as_str(),
                "-t",
                name,
                "."
            ],
            "{hint}"
        );
        // The RUN line, as sh reads it.
        let command = build_command(&df).unwrap();
        let binary = format!("/work/target/release/{name}");
        assert_eq!(
            run_argvs(&command),
            [
                vec!["cargo", "build", "--release", "-p", name, "--bin", name],
                vec!["mkdir", "-p", "/out"],
                vec!["cp", binary.as_str(), "/out/"],
            ],
            "{command}"
        );
        // The ignore file admits exactly this crate's folder.
        let ignore = IgnoreFile::parse(
            &std::fs::read_to_string(root.join(format!("{dockerfile}.dockerignore"))).unwrap(),
        )
        .unwrap();
        assert!(!ignore.is_excluded(&format!("{crate_dir}/src/main.rs")));
        for (other, other_name) in odd {
            if other_name != name {
                assert!(ignore.is_excluded(&format!("{other}/rust/{other_name}/src/main.rs")));
            }
        }
        build_in_context(root, &dockerfile);
    }
}

/// A PyO3 crate in a folder with a space and a quote: maturin's `-m` is one word.
#[test]
fn an_odd_pyo3_path_is_one_maturin_argument() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_tree(
        root,
        &[
            ("Cargo.toml", ROOT),
            (
                "Data Science/rust/it's py/Cargo.toml",
                "[package]\nname = \"pyext\"\nversion.workspace = true\nedition.workspace = true\n\n\
                 [lib]\ncrate-type = [\"cdylib\"]\n\n[package.metadata.ccworkspace]\nkind = \"pyo3\"\n",
            ),
            ("Data Science/rust/it's py/src/lib.rs", ""),
            (
                "Data Science/rust/it's py/pyproject.toml",
                "[build-system]\nrequires = [\"maturin>=1,<2\"]\nbuild-backend = \"maturin\"\n",
            ),
        ],
    );
    let out = tool(root, &["dockerfile"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let dockerfile = root.join("Data Science/rust/it's py/Dockerfile");
    let df = std::fs::read_to_string(&dockerfile).unwrap();
    hadolint(&dockerfile);
    assert_eq!(
        run_argvs(&build_command(&df).unwrap()),
        [vec![
            "maturin",
            "build",
            "--release",
            "-m",
            "Data Science/rust/it's py/Cargo.toml",
            "-i",
            "python3.12",
            "--out",
            "/dist"
        ]]
    );
}

/// A workspace with three crates that cannot get an image and one that can.
fn odd_workspace(root: &Path) {
    write_tree(
        root,
        &[
            ("Cargo.toml", ROOT),
            ("apps/rust/ok/Cargo.toml", &bin_crate("ok")),
            ("apps/rust/ok/src/main.rs", "fn main() {}\n"),
            // Several binaries, none named like the package, no library.
            ("apps/rust/multi/Cargo.toml", &bin_crate("multi")),
            (
                "apps/rust/multi/src/bin/alpha.rs",
                "fn main() { println!(\"alpha\"); }\n",
            ),
            (
                "apps/rust/multi/src/bin/beta.rs",
                "fn main() { println!(\"beta\"); }\n",
            ),
            // A PyO3 crate (by its override) without its own pyproject.toml.
            (
                "py/rust/nopy/Cargo.toml",
                "[package]\nname = \"nopy\"\nversion.workspace = true\nedition.workspace = true\n\n\
                 [package.metadata.ccworkspace]\nkind = \"pyo3\"\n",
            ),
            ("py/rust/nopy/src/lib.rs", ""),
            // A kind that is no kind.
            (
                "py/rust/badkind/Cargo.toml",
                "[package]\nname = \"badkind\"\nversion.workspace = true\nedition.workspace = true\n\n\
                 [package.metadata.ccworkspace]\nkind = \"wheel\"\n",
            ),
            ("py/rust/badkind/src/main.rs", "fn main() {}\n"),
        ],
    );
}

/// Issue 13 item 3: every problem in one run, with file:line and the fix; the other image is
/// still written, printed and checked; exit 2 only for the crates that failed.
#[test]
fn one_odd_crate_never_stops_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    odd_workspace(root);
    assert!(support::cargo_metadata(root, &["--offline", "--no-deps"]).is_ok());

    let expect_problems = |out: &Output| {
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        for line in [
            "error: apps/rust/multi/Cargo.toml:1: multi has several binaries (alpha, beta)",
            "help: name it in apps/rust/multi/Cargo.toml: `default-run = \"alpha\"` under [package]",
            "error: py/rust/nopy/Cargo.toml:1: nopy is a PyO3 crate without its own pyproject.toml",
            "help: add py/rust/nopy/pyproject.toml",
            "error: py/rust/badkind/Cargo.toml:7: [package.metadata.ccworkspace] kind = \"wheel\" is not a kind",
            "error: 3 crate(s) could not get an image: multi, badkind, nopy",
        ] {
            assert!(stderr.contains(line), "no `{line}` in\n{stderr}");
        }
        assert!(!stderr.contains("panicked"), "{stderr}");
        stderr
    };

    // --check: the good image is missing (reported), the three problems too, exit 2.
    let out = tool(root, &["dockerfile", "--check"]);
    let stderr = expect_problems(&out);
    assert!(
        stderr.contains("apps/rust/ok/Dockerfile: missing"),
        "{stderr}"
    );
    // --stdout prints the good image.
    let out = tool(root, &["dockerfile", "--stdout"]);
    expect_problems(&out);
    assert!(text(&out.stdout).contains("==> apps/rust/ok/Dockerfile <=="));
    assert!(!root.join("apps/rust/ok/Dockerfile").exists());
    // Writing writes the good image.
    let out = tool(root, &["dockerfile"]);
    expect_problems(&out);
    assert!(root.join("apps/rust/ok/Dockerfile").is_file());
    assert!(root.join("apps/rust/ok/Dockerfile.dockerignore").is_file());
    assert!(!root.join("apps/rust/multi/Dockerfile").exists());
    let stderr = expect_problems(&tool(root, &["dockerfile", "--check"]));
    assert!(!stderr.contains("out of date"), "{stderr}");

    // The fixes the messages name. `default-run` is the binary `cargo run` runs, and the
    // image's binary.
    let multi = root.join("apps/rust/multi/Cargo.toml");
    std::fs::write(
        &multi,
        std::fs::read_to_string(&multi)
            .unwrap()
            .replace("[package]\n", "[package]\ndefault-run = \"beta\"\n"),
    )
    .unwrap();
    write_tree(
        root,
        &[(
            "py/rust/nopy/pyproject.toml",
            "[build-system]\nrequires = [\"maturin>=1,<2\"]\nbuild-backend = \"maturin\"\n",
        )],
    );
    let badkind = root.join("py/rust/badkind/Cargo.toml");
    std::fs::write(
        &badkind,
        std::fs::read_to_string(&badkind)
            .unwrap()
            .replace("\"wheel\"", "\"bin\""),
    )
    .unwrap();
    let out = tool(root, &["dockerfile"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let df = std::fs::read_to_string(root.join("apps/rust/multi/Dockerfile")).unwrap();
    assert!(
        df.contains("cargo build --release -p multi --bin beta"),
        "{df}"
    );
    let run = Command::new(support::cargo())
        .args(["run", "--offline", "-q", "-p", "multi"])
        .current_dir(root)
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .unwrap();
    assert_eq!(text(&run.stdout), "beta\n", "{}", text(&run.stderr));
    // `bin` overrides `default-run` for the image.
    std::fs::write(
        &multi,
        format!(
            "{}\n[package.metadata.ccworkspace]\nbin = \"alpha\"\n",
            std::fs::read_to_string(&multi).unwrap()
        ),
    )
    .unwrap();
    assert_eq!(tool(root, &["dockerfile"]).status.code(), Some(0));
    let df = std::fs::read_to_string(root.join("apps/rust/multi/Dockerfile")).unwrap();
    assert!(df.contains("--bin alpha"), "{df}");
    assert_eq!(
        tool(root, &["dockerfile", "--check"]).status.code(),
        Some(0)
    );
}

/// A crate whose image failed keeps its generated files: they are not "left over".
#[test]
fn a_crate_that_fails_keeps_its_generated_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    odd_workspace(root);
    let multi = root.join("apps/rust/multi/Cargo.toml");
    let before = std::fs::read_to_string(&multi).unwrap();
    std::fs::write(
        &multi,
        before.replace("[package]\n", "[package]\ndefault-run = \"alpha\"\n"),
    )
    .unwrap();
    let _ = tool(root, &["dockerfile"]);
    let generated = std::fs::read_to_string(root.join("apps/rust/multi/Dockerfile")).unwrap();
    // Now `default-run` names a binary that does not exist: a problem, not a left-over.
    std::fs::write(
        &multi,
        before.replace("[package]\n", "[package]\ndefault-run = \"gamma\"\n"),
    )
    .unwrap();
    let out = tool(root, &["dockerfile"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "apps/rust/multi/Cargo.toml:2: [package] default-run = \"gamma\", but multi has no such binary (it has: alpha, beta)"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("Removed"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(root.join("apps/rust/multi/Dockerfile")).unwrap(),
        generated
    );
}

/// A library whose only binaries are helpers (under `src/bin/`, or with `required-features`)
/// gets no image, and `affected` (cargo metadata's targets) gives it the same kind, `lib`;
/// `kind = "bin"` or `default-run` asks for the image.
#[test]
fn a_library_with_helper_binaries_is_no_image_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_tree(
        root,
        &[
            ("Cargo.toml", ROOT),
            ("libs/rust/core/Cargo.toml", &bin_crate("core")),
            ("libs/rust/core/src/lib.rs", ""),
            ("libs/rust/core/src/bin/gen.rs", "fn main() {}\n"),
            (
                "libs/rust/cli/Cargo.toml",
                "[package]\nname = \"cli\"\nversion.workspace = true\nedition.workspace = true\n\n\
                 [features]\ncli = []\n\n[[bin]]\nname = \"cli\"\npath = \"src/main.rs\"\n\
                 required-features = [\"cli\"]\n",
            ),
            ("libs/rust/cli/src/lib.rs", ""),
            ("libs/rust/cli/src/main.rs", "fn main() {}\n"),
            // Two tools next to a library.
            ("libs/rust/tools/Cargo.toml", &bin_crate("tools")),
            ("libs/rust/tools/src/lib.rs", ""),
            ("libs/rust/tools/src/bin/a.rs", "fn main() {}\n"),
            ("libs/rust/tools/src/bin/b.rs", "fn main() {}\n"),
            // A library with its program in src/main.rs and a helper beside it.
            ("apps/rust/srv/Cargo.toml", &bin_crate("srv")),
            ("apps/rust/srv/src/lib.rs", ""),
            ("apps/rust/srv/src/main.rs", "fn main() {}\n"),
            ("apps/rust/srv/src/bin/migrate.rs", "fn main() {}\n"),
        ],
    );
    // cargo sees binary targets in all three.
    let meta = support::cargo_metadata(root, &["--offline", "--no-deps"]).unwrap();
    for p in meta["packages"].as_array().unwrap() {
        assert!(
            p["targets"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["kind"][0] == "bin"),
            "{}",
            p["name"]
        );
    }
    // `affected`'s kind for every crate, from both of its loaders: the members' manifests
    // (`src/model_graph.rs`, a change to member files alone on a cold cache) and `cargo
    // metadata` (`src/workspace.rs`, a change to the root manifest).
    let kinds = |root: &Path| -> Vec<(String, String)> {
        let run = |files: &[&str]| -> (Vec<(String, String)>, String) {
            let mut args = vec!["-v", "affected", "--format", "json", "--files"];
            args.extend_from_slice(files);
            let out = tool(root, &args);
            assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let mut kinds: Vec<(String, String)> = v["affected"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| {
                    (
                        a["name"].as_str().unwrap().to_string(),
                        a["kind"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            kinds.sort();
            (kinds, text(&out.stderr))
        };
        let (from_manifests, log) = run(&[
            "libs/rust/core/src/lib.rs",
            "libs/rust/cli/src/lib.rs",
            "libs/rust/tools/src/lib.rs",
            "apps/rust/srv/src/lib.rs",
        ]);
        assert!(
            log.contains("the member manifests (no cargo metadata needed)"),
            "{log}"
        );
        let (from_cargo, log) = run(&["Cargo.toml"]);
        assert!(!log.contains("the member manifests"), "{log}");
        assert!(log.contains("cargo metadata"), "{log}");
        assert_eq!(from_manifests, from_cargo);
        from_cargo
    };
    let out = tool(root, &["dockerfile"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let images: Vec<String> = support::files_under(&["target"], root)
        .into_iter()
        .filter(|f| f.ends_with("/Dockerfile"))
        .collect();
    assert_eq!(images, ["apps/rust/srv/Dockerfile"]);
    let df = std::fs::read_to_string(root.join("apps/rust/srv/Dockerfile")).unwrap();
    assert!(df.contains("--bin srv"), "{df}");
    assert_eq!(
        kinds(root),
        [
            ("cli".to_string(), "lib".to_string()),
            ("core".to_string(), "lib".to_string()),
            ("srv".to_string(), "bin".to_string()),
            ("tools".to_string(), "lib".to_string()),
        ]
    );

    // Asked for: `kind = "bin"` on core and cli, `default-run` on tools (cargo agrees it
    // exists).
    for name in ["core", "cli"] {
        let manifest = root.join(format!("libs/rust/{name}/Cargo.toml"));
        std::fs::write(
            &manifest,
            format!(
                "{}\n[package.metadata.ccworkspace]\nkind = \"bin\"\n",
                std::fs::read_to_string(&manifest).unwrap()
            ),
        )
        .unwrap();
    }
    let tools = root.join("libs/rust/tools/Cargo.toml");
    std::fs::write(
        &tools,
        std::fs::read_to_string(&tools)
            .unwrap()
            .replace("[package]\n", "[package]\ndefault-run = \"b\"\n"),
    )
    .unwrap();
    let meta = support::cargo_metadata(root, &["--offline", "--no-deps"]).unwrap();
    let tools_meta = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "tools")
        .unwrap();
    assert_eq!(tools_meta["default_run"], "b");
    let out = tool(root, &["dockerfile"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for (crate_dir, bin) in [("libs/rust/core", "gen"), ("libs/rust/tools", "b")] {
        let df = std::fs::read_to_string(root.join(crate_dir).join("Dockerfile")).unwrap();
        assert!(df.contains(&format!("--bin {bin} ")), "{df}");
    }
    // cli's only binary needs the feature `cli`: the build enables it, and builds.
    let df = std::fs::read_to_string(root.join("libs/rust/cli/Dockerfile")).unwrap();
    assert!(df.contains("--bin cli --features cli "), "{df}");
    build_in_context(root, "libs/rust/cli/Dockerfile");
    assert_eq!(
        kinds(root),
        [
            ("cli".to_string(), "bin".to_string()),
            ("core".to_string(), "bin".to_string()),
            ("srv".to_string(), "bin".to_string()),
            ("tools".to_string(), "bin".to_string()),
        ]
    );
}

/// A backslash cannot be in a member folder here (the workspace reader takes `\` for a
/// separator), so the rendering is checked on a plan: the hint, the `RUN` line and the ignore
/// file mean the path with its backslash.
#[test]
fn a_backslash_in_a_path_is_quoted_everywhere() {
    use cargo_ccworkspace::config::DockerConfig;
    use cargo_ccworkspace::docker::{DockerPlan, Image, render, trim::RootTrimmer};
    let path = "back\\slash $x/rust/it's";
    let plan = DockerPlan {
        name: "pyext".into(),
        path: path.into(),
        image: Image::Pyo3,
        context_dirs: vec![path.into()],
        members: vec![path.into()],
        workspace_deps: Default::default(),
        root_files: vec!["Cargo.lock".into()],
        extra_files: vec![],
        with_root_package: false,
    };
    let trimmer = RootTrimmer::new("[workspace]\nmembers = []\n").unwrap();
    let r = render::render(&plan, &DockerConfig::default(), &trimmer).unwrap();
    let hint = r
        .dockerfile
        .lines()
        .find_map(|l| l.strip_prefix("#   docker "))
        .unwrap();
    let dockerfile = format!("{path}/Dockerfile");
    assert_eq!(
        sh_argv(hint),
        [
            "buildx",
            "build",
            "-f",
            dockerfile.as_str(),
            "-t",
            "pyext",
            "."
        ]
    );
    let manifest = format!("{path}/Cargo.toml");
    assert_eq!(
        run_argvs(&build_command(&r.dockerfile).unwrap())[0][4],
        manifest
    );
    let ignore = IgnoreFile::parse(&r.dockerignore).unwrap();
    assert!(!ignore.is_excluded(&manifest));
    assert!(ignore.is_excluded("back/slash $x/rust/it's/Cargo.toml"));
    let trimmed: toml::Table = toml::from_str(&r.manifest).unwrap();
    assert_eq!(trimmed["workspace"]["members"][0].as_str(), Some(path));
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("Dockerfile"), &r.dockerfile).unwrap();
    hadolint(&tmp.path().join("Dockerfile"));
}

mod quoting_properties {
    use super::*;
    use cargo_ccworkspace::docker::quote::{ignore_literal, sh_word};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any word (sh arguments cannot hold NUL), quoted and read back by the real /bin/sh,
        /// is the word.
        #[test]
        fn sh_word_round_trips_through_the_real_sh(word in "[^\u{0}]{0,24}") {
            let out = Command::new("/bin/sh")
                .arg("-c")
                .arg(format!("printf '%s' {}", sh_word(&word)))
                .output()
                .unwrap();
            prop_assert!(out.status.success(), "{}", text(&out.stderr));
            prop_assert_eq!(String::from_utf8(out.stdout).unwrap(), word);
        }

        /// Any crate path the workspace reader can hold: the rendered Dockerfile passes
        /// hadolint, sh reads its hint and its `RUN` line back into that path, the ignore file
        /// admits exactly that folder, and cargo's glob in the trimmed `members` matches it.
        #[test]
        fn any_crate_path_renders_a_dockerfile_that_means_it(
            parts in proptest::collection::vec("[a-zA-Z0-9 '\"$*?\\[\\]{}()|^+<>;&!#%=~`é€-]{1,8}", 1..4),
            pyo3 in any::<bool>(),
        ) {
            use cargo_ccworkspace::config::DockerConfig;
            use cargo_ccworkspace::docker::{DockerPlan, Image, render, trim::RootTrimmer};
            let path = parts.join("/");
            prop_assume!(parts.iter().all(|p| {
                p != "." && p != ".." && p.trim() == p.as_str()
            }));
            let plan = DockerPlan {
                name: "svc".into(),
                path: path.clone(),
                image: if pyo3 {
                    Image::Pyo3
                } else {
                    Image::Bin { bin: "svc".into(), features: vec!["a-b".into()] }
                },
                context_dirs: vec![path.clone()],
                members: vec![path.clone()],
                workspace_deps: Default::default(),
                root_files: vec!["Cargo.lock".into()],
                extra_files: vec![],
                with_root_package: false,
            };
            let trimmer = RootTrimmer::new("[workspace]\nmembers = []\n").unwrap();
            let r = render::render(&plan, &DockerConfig::default(), &trimmer).unwrap();
            let hint = r.dockerfile.lines().find_map(|l| l.strip_prefix("#   docker ")).unwrap();
            let dockerfile = format!("{path}/Dockerfile");
            prop_assert_eq!(
                sh_argv(hint),
                ["buildx", "build", "-f", dockerfile.as_str(), "-t", "svc", "."]
            );
            let argv = run_argvs(&build_command(&r.dockerfile).unwrap());
            if pyo3 {
                let manifest = format!("{path}/Cargo.toml");
                let manifest = if manifest.starts_with('<') { format!("./{manifest}") } else { manifest };
                prop_assert_eq!(&argv[0][4], &manifest);
            } else {
                prop_assert_eq!(
                    &argv[0],
                    &["cargo", "build", "--release", "-p", "svc", "--bin", "svc", "--features", "a-b"]
                );
            }
            let ignore = IgnoreFile::parse(&r.dockerignore).unwrap();
            let inside = format!("{path}/src/main.rs");
            let sibling = format!("{path}x/src/main.rs");
            prop_assert!(!ignore.is_excluded(&inside));
            prop_assert!(ignore.is_excluded(&sibling));
            let trimmed: toml::Table = toml::from_str(&r.manifest).unwrap();
            let member = trimmed["workspace"]["members"][0].as_str().unwrap().to_string();
            let pattern = glob::Pattern::new(&member).unwrap();
            prop_assert!(pattern.matches(&path), "{} does not match {}", member, path);
            let tmp = tempfile::tempdir().unwrap();
            std::fs::write(tmp.path().join("Dockerfile"), &r.dockerfile).unwrap();
            hadolint(&tmp.path().join("Dockerfile"));
        }

        /// An escaped path admits exactly that path (and what is under it), in Docker's ignore
        /// semantics.
        #[test]
        fn ignore_literal_admits_exactly_the_path(
            parts in proptest::collection::vec("[a-z \\\\*?\\[\\]^$(){}|+.'\"é!#]{1,6}", 1..4)
        ) {
            let path = parts.join("/");
            prop_assume!(
                !path.starts_with(' ')
                    && !path.ends_with(' ')
                    && parts.iter().all(|p| p != "." && p != ".." && !p.starts_with(' ') && !p.ends_with(' '))
            );
            let ignore = IgnoreFile::parse(&format!("*\n!{}\n", ignore_literal(&path))).unwrap();
            prop_assert!(!ignore.is_excluded(&path));
            let under = format!("{}/x.rs", path);
            let sibling = format!("{}x", path);
            prop_assert!(!ignore.is_excluded(&under));
            prop_assert!(ignore.is_excluded(&sibling));
            prop_assert!(ignore.is_excluded("other"));
        }
    }
}

/// Issue 13: the root package (`[package]` next to `[workspace]`, as in bevy) gets its image,
/// built from its own files and the trimmed manifest that keeps its `[package]`; a member's
/// image leaves the root package out and keeps the resolver its edition implied.
#[test]
fn the_root_package_gets_an_image_and_members_build_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_tree(
        root,
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
                 [dependencies]\ncore = { path = \"libs/core\" }\n\n\
                 [workspace]\nmembers = [\"libs/*\", \"svc/*\"]\n\n\
                 [workspace.package]\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
            ("src/main.rs", "fn main() { println!(\"{}\", core::X); }\n"),
            ("examples/demo.rs", "fn main() {}\n"),
            (
                "libs/core/Cargo.toml",
                "[package]\nname = \"core\"\nversion.workspace = true\nedition.workspace = true\n",
            ),
            ("libs/core/src/lib.rs", "pub const X: u8 = 1;\n"),
            ("svc/web/Cargo.toml", &bin_crate("web")),
            ("svc/web/src/main.rs", "fn main() {}\n"),
            ("docs/big.txt", "not in any context\n"),
        ],
    );
    assert!(support::cargo_metadata(root, &["--offline", "--no-deps"]).is_ok());
    let out = tool(root, &["dockerfile"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let df = std::fs::read_to_string(root.join("Dockerfile")).unwrap();
    assert!(
        df.contains("cargo build --release -p app --bin app"),
        "{df}"
    );
    assert!(
        df.contains("#   docker buildx build -f Dockerfile -t app ."),
        "{df}"
    );
    let manifest = embedded_manifest(&df).unwrap();
    assert!(
        manifest.starts_with("[package]\nname = \"app\""),
        "{manifest}"
    );
    assert!(
        manifest.contains("members = [\n    \"libs/core\",\n]"),
        "{manifest}"
    );
    let ignore =
        IgnoreFile::parse(&std::fs::read_to_string(root.join("Dockerfile.dockerignore")).unwrap())
            .unwrap();
    for admitted in ["src/main.rs", "examples/demo.rs", "libs/core/src/lib.rs"] {
        assert!(!ignore.is_excluded(admitted), "{admitted}");
    }
    for excluded in ["docs/big.txt", "svc/web/src/main.rs", "Cargo.toml"] {
        assert!(ignore.is_excluded(excluded), "{excluded}");
    }
    hadolint(&root.join("Dockerfile"));
    build_in_context(root, "Dockerfile");

    // The member's image: no [package] from the root, resolver "2" from the root's edition.
    let web = std::fs::read_to_string(root.join("svc/web/Dockerfile")).unwrap();
    let manifest = embedded_manifest(&web).unwrap();
    assert!(!manifest.contains("[package]"), "{manifest}");
    assert!(
        manifest.starts_with("[workspace]\nresolver = \"2\"\n"),
        "{manifest}"
    );
    build_in_context(root, "svc/web/Dockerfile");
    assert_eq!(
        tool(root, &["dockerfile", "--check"]).status.code(),
        Some(0)
    );
}

/// A hand-written Dockerfile where a crate would get a generated one is that crate's problem:
/// the other images are still written.
#[test]
fn a_hand_written_dockerfile_stops_only_its_crate() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    odd_workspace(root);
    write_tree(root, &[("apps/rust/ok/Dockerfile", "FROM scratch\n")]);
    let multi = root.join("apps/rust/multi/Cargo.toml");
    std::fs::write(
        &multi,
        std::fs::read_to_string(&multi)
            .unwrap()
            .replace("[package]\n", "[package]\ndefault-run = \"alpha\"\n"),
    )
    .unwrap();
    let out = tool(root, &["dockerfile"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error: apps/rust/ok/Dockerfile: was not generated by cargo-ccworkspace"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("apps/rust/ok/Dockerfile")).unwrap(),
        "FROM scratch\n"
    );
    assert!(!root.join("apps/rust/ok/Dockerfile.dockerignore").exists());
    assert!(root.join("apps/rust/multi/Dockerfile").is_file());
}

/// Settings go through the same quoting: an odd `python-version` stays one `-i` argument, odd
/// image names are quoted `ARG` values hadolint reads, and a `cargo-home` that cannot be a
/// mount target is refused with its line, nothing written.
#[test]
fn odd_settings_are_quoted_or_refused_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let settings = "\n[workspace.metadata.ccworkspace.docker]\n\
                    python-version = \"3.12 && echo pwned\"\n\
                    builder-image = \"registry.local/builder:it's $TAG\"\n";
    write_tree(
        root,
        &[
            ("Cargo.toml", &format!("{ROOT}{settings}")),
            (
                "py/rust/pyext/Cargo.toml",
                "[package]\nname = \"pyext\"\nversion.workspace = true\nedition.workspace = true\n\n\
                 [package.metadata.ccworkspace]\nkind = \"pyo3\"\n",
            ),
            ("py/rust/pyext/src/lib.rs", ""),
            (
                "py/rust/pyext/pyproject.toml",
                "[build-system]\nrequires = [\"maturin>=1,<2\"]\nbuild-backend = \"maturin\"\n",
            ),
        ],
    );
    let out = tool(root, &["dockerfile"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let dockerfile = root.join("py/rust/pyext/Dockerfile");
    let df = std::fs::read_to_string(&dockerfile).unwrap();
    assert_eq!(
        run_argvs(&build_command(&df).unwrap())[0][6],
        "python3.12 && echo pwned"
    );
    assert!(
        df.contains("ARG BUILDER_IMAGE=\"registry.local/builder:it's \\$TAG\"\n"),
        "{df}"
    );
    hadolint(&dockerfile);

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_tree(
        root,
        &[
            (
                "Cargo.toml",
                &format!(
                    "{ROOT}\n[workspace.metadata.ccworkspace.docker]\ncargo-home = \"/usr/local/my cargo\"\n"
                ),
            ),
            ("apps/rust/ok/Cargo.toml", &bin_crate("ok")),
            ("apps/rust/ok/src/main.rs", "fn main() {}\n"),
        ],
    );
    let out = tool(root, &["dockerfile"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error: Cargo.toml:10: [workspace.metadata.ccworkspace.docker] cargo-home = \"/usr/local/my cargo\" cannot be a cache mount target"),
        "{stderr}"
    );
    assert!(stderr.contains("help: set cargo-home"), "{stderr}");
    assert!(!root.join("apps/rust/ok/Dockerfile").exists());
}

mod kind_properties {
    use super::*;
    use proptest::prelude::*;

    /// `affected`'s kind of the one crate `pkg` after a change to `files`; `manifests`: the
    /// graph must come from the member manifests (else from cargo metadata).
    fn affected_kind(root: &Path, files: &[&str], manifests: bool) -> String {
        let mut args = vec!["-v", "affected", "--format", "json", "--files"];
        args.extend_from_slice(files);
        let out = tool(root, &args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        assert_eq!(
            stderr.contains("the member manifests"),
            manifests,
            "{stderr}"
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["affected"][0]["kind"].as_str().unwrap().to_string()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// On random target layouts of one crate (library or not, `src/main.rs`, `src/bin/*`,
        /// explicit `[[bin]]`s with and without `required-features`, `default-run`,
        /// `[package.metadata.ccworkspace] bin`), judged by cargo metadata: the image exists
        /// exactly when both of `affected`'s loaders say `bin`; its binary is one cargo
        /// has, the one `default-run` names when set (and `bin` is not), and it is built with
        /// exactly that binary's `required-features`.
        #[test]
        fn dockerfile_and_affected_agree_with_cargo_on_binaries(
            has_lib in any::<bool>(),
            main_rs in any::<bool>(),
            bin_dir in proptest::sample::subsequence(vec!["tool", "pkg", "gen"], 0..=3),
            extra in any::<bool>(),
            extra_features in any::<bool>(),
            tool_features in any::<bool>(),
            default_run in proptest::option::of(0usize..4),
            ccw_bin in proptest::option::of(0usize..4),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path();
            let mut manifest = String::from(
                "[package]\nname = \"pkg\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            );
            let mut names: Vec<&str> = Vec::new();
            if main_rs {
                names.push("pkg");
            }
            names.extend(bin_dir.iter().copied());
            if extra {
                names.push("extra");
            }
            names.sort();
            names.dedup();
            let pick = |i: Option<usize>| i.and_then(|i| names.get(i % names.len().max(1)).copied());
            if let Some(d) = pick(default_run) {
                manifest.push_str(&format!("default-run = \"{d}\"\n"));
            }
            manifest.push_str("\n[features]\nf = []\n");
            if extra {
                manifest.push_str(&format!(
                    "\n[[bin]]\nname = \"extra\"\npath = \"src/extra.rs\"\n{}",
                    if extra_features { "required-features = [\"f\"]\n" } else { "" }
                ));
            }
            if tool_features && bin_dir.contains(&"tool") {
                manifest.push_str("\n[[bin]]\nname = \"tool\"\nrequired-features = [\"f\"]\n");
            }
            if let Some(b) = pick(ccw_bin) {
                manifest.push_str(&format!("\n[package.metadata.ccworkspace]\nbin = \"{b}\"\n"));
            }
            let lib = has_lib || names.is_empty();
            let mut files: Vec<(String, String)> = vec![
                ("Cargo.toml".into(), "[workspace]\nresolver = \"2\"\nmembers = [\"pkg\"]\n".into()),
                ("pkg/Cargo.toml".into(), manifest.clone()),
            ];
            if lib {
                files.push(("pkg/src/lib.rs".into(), String::new()));
            }
            if main_rs {
                files.push(("pkg/src/main.rs".into(), "fn main() {}\n".into()));
            }
            for b in &bin_dir {
                files.push((format!("pkg/src/bin/{b}.rs"), "fn main() {}\n".into()));
            }
            if extra {
                files.push(("pkg/src/extra.rs".into(), "fn main() {}\n".into()));
            }
            let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            write_tree(root, &refs);
            let Ok(meta) = support::cargo_metadata(root, &["--offline", "--no-deps"]) else {
                // Cargo refuses the layout (two targets of one name, say): nothing to compare.
                return Ok(());
            };
            let package = &meta["packages"][0];
            let cargo_bins: Vec<(String, Vec<String>)> = package["targets"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|t| t["kind"][0] == "bin")
                .map(|t| {
                    (
                        t["name"].as_str().unwrap().to_string(),
                        t["required-features"]
                            .as_array()
                            .map(|a| a.iter().map(|f| f.as_str().unwrap().to_string()).collect())
                            .unwrap_or_default(),
                    )
                })
                .collect();

            let from_manifests = affected_kind(root, &["pkg/Cargo.toml"], true);
            let from_cargo = affected_kind(root, &["Cargo.toml"], false);
            prop_assert_eq!(&from_manifests, &from_cargo, "{}", manifest);

            let out = tool(root, &["dockerfile", "--stdout"]);
            let stdout = text(&out.stdout);
            let stderr = text(&out.stderr);
            prop_assert!(!stderr.contains("panicked"), "{}", stderr);
            let has_image = stdout.contains("==> pkg/Dockerfile <==");
            if from_cargo == "bin" {
                prop_assert!(!cargo_bins.is_empty());
                prop_assert!(
                    has_image || (out.status.code() == Some(2) && stderr.contains("pkg/Cargo.toml:")),
                    "{}\n{}", manifest, stderr
                );
            } else {
                prop_assert_eq!(from_cargo.as_str(), "lib");
                prop_assert!(!has_image, "{}", manifest);
                prop_assert_eq!(out.status.code(), Some(0), "{}", stderr);
            }
            if has_image {
                let command = build_command(&stdout).unwrap();
                let argv = &run_argvs(&command)[0];
                let bin = &argv[argv.iter().position(|a| a == "--bin").unwrap() + 1];
                let (_, features) = cargo_bins.iter().find(|(n, _)| n == bin).unwrap();
                let built_with: Vec<String> = argv
                    .iter()
                    .position(|a| a == "--features")
                    .map(|i| argv[i + 1].split(',').map(str::to_string).collect())
                    .unwrap_or_default();
                prop_assert_eq!(&built_with, features);
                if pick(ccw_bin).is_none()
                    && let Some(d) = package["default_run"].as_str()
                {
                    prop_assert_eq!(bin.as_str(), d);
                }
                if let Some(b) = pick(ccw_bin) {
                    prop_assert_eq!(bin.as_str(), b);
                }
            }
        }
    }
}
