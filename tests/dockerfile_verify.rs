#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Issue 13, item 4: `dockerfile --verify [-p CRATE]... [--build]`, through the binary.
//!
//! Judged by the real cargo run in the rebuilt context (that is the feature), plus an
//! independent reading in the test: the file `--verify` names is really left out by the ignore
//! file on disk, yet present in the workspace; and once it is admitted, the same run passes.

mod support;

use support::docker::{ROOT, text, tool, write_tree};

use std::path::Path;
use std::process::Output;

use cargo_ccworkspace::docker::ignore::IgnoreFile;

/// The bundled example, copied to a temporary folder.
fn citychain() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    support::git::copy_dir(&support::citychain(), tmp.path());
    tmp
}

fn verify(root: &Path, more: &[&str]) -> Output {
    let mut args = vec!["dockerfile", "--verify"];
    args.extend_from_slice(more);
    tool(root, &args)
}

/// `dockerfile --verify --build [MORE]` on the workspace at `root`, unoptimised (the tests
/// judge what the build reads, not the code it makes) and without a compiler wrapper.
fn verify_build(root: &Path, more: &[&str]) -> Output {
    std::process::Command::new(support::bin())
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .args(["--color", "never", "dockerfile", "--verify", "--build"])
        .args(more)
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env_remove("RUSTC_WRAPPER")
        .output()
        .unwrap()
}

fn show(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    )
}

/// Every image of the example: ten `ok` lines, exit 0 (`tests/dockerfile_example.rs` builds
/// them too).
#[test]
fn the_example_passes() {
    let tmp = citychain();
    let out = verify(tmp.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let err = text(&out.stderr);
    for krate in [
        "ca_cli",
        "ca_py",
        "ca_verify_py",
        "dag_py",
        "dag_runner",
        "dag_tools",
        "ds_features",
        "login_py",
        "login_server",
        "login_tokens",
    ] {
        assert!(
            err.contains(&format!("Verified {krate} (")),
            "{}",
            show(&out)
        );
    }
    assert!(err.contains("Verified 10 images"), "{}", show(&out));
}

/// An ignore file edited by hand to drop a crate of the closure: exit 1, naming the manifest
/// cargo could not read; `-p` selects (another image still passes alone); regenerating fixes
/// it.
#[test]
fn an_edited_ignore_file_fails_naming_the_file() {
    let tmp = citychain();
    let root = tmp.path();
    let ignore_path = root.join("DAGs/rust/dag_runner/Dockerfile.dockerignore");
    let ignore = std::fs::read_to_string(&ignore_path).unwrap();
    assert!(ignore.contains("\n!CA/rust/ca_testkit\n"));
    let edited = ignore.replace("\n!CA/rust/ca_testkit\n", "\n");
    std::fs::write(&ignore_path, &edited).unwrap();
    let missing = "CA/rust/ca_testkit/Cargo.toml";
    // Independently: the file exists, and the edited ignore file leaves it out of the context.
    assert!(root.join(missing).is_file());
    assert!(IgnoreFile::parse(&edited).unwrap().is_excluded(missing));
    // ... and, read as text: everything is excluded first, and no `!` line admits it.
    assert!(edited.lines().any(|l| l == "*"));
    assert!(
        !edited
            .lines()
            .filter_map(|l| l.strip_prefix('!'))
            .any(|p| missing.starts_with(p.trim_end_matches('/'))),
        "{edited}"
    );

    let out = verify(root, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("missing from the context: `{missing}`")),
        "{}",
        show(&out)
    );
    assert!(err.contains("1 of 10 images failed --verify: dag_runner"));
    // cargo's lines name the context folder, which is gone after the run, as `<context>`.
    assert!(
        err.contains("<context>/CA/rust/ca_testkit/Cargo.toml"),
        "{}",
        show(&out)
    );
    assert!(!err.contains("ccworkspace-verify"), "{}", show(&out));
    assert!(err.contains("run `cargo ccworkspace dockerfile` to regenerate it"));
    assert!(err.contains("Verified ca_cli ("), "{}", show(&out));

    // -p selects: the broken image alone fails, another alone passes.
    let out = verify(root, &["-p", "dag_runner"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(!text(&out.stderr).contains("ca_cli"), "{}", show(&out));
    let out = verify(root, &["-p", "ca_cli", "-p", "login_py"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let err = text(&out.stderr);
    assert!(err.contains("Verified 2 images"), "{}", show(&out));
    assert!(!err.contains("dag_runner"), "{}", show(&out));

    assert_eq!(tool(root, &["dockerfile"]).status.code(), Some(0));
    let out = verify(root, &["-p", "dag_runner"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
}

/// An ignore file that admits the root `Cargo.toml` (a hand-written `**/target`): the context's
/// root manifest is still the Dockerfile's own, and the workspace's file is left as it was
/// (it was once written through the hard link the context held to it). With `--build` too.
#[test]
fn a_context_that_admits_the_root_manifest_leaves_the_workspace_alone() {
    let tmp = citychain();
    let root = tmp.path();
    let before = std::fs::read(root.join("Cargo.toml")).unwrap();
    std::fs::write(
        root.join("CA/rust/ca_cli/Dockerfile.dockerignore"),
        "**/target\n",
    )
    .unwrap();
    let out = verify(root, &["-p", "ca_cli", "-p", "dag_runner"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(std::fs::read(root.join("Cargo.toml")).unwrap(), before);
    let out = verify(root, &["-p", "dag_runner", "-p", "ca_cli"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("Verified 2 images"),
        "{}",
        show(&out)
    );
    assert_eq!(std::fs::read(root.join("Cargo.toml")).unwrap(), before);
}

/// A crate that gets no image, or no crate at all: bad input, exit 2.
#[test]
fn a_crate_without_an_image_is_an_error() {
    let tmp = citychain();
    let out = verify(tmp.path(), &["-p", "ca_core"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(text(&out.stderr).contains("ca_core gets no image"));
    // Beside a crate that has one, the message says which `-p` is wrong, not "nothing".
    let out = verify(tmp.path(), &["-p", "ca_cli", "-p", "ca_core"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    let err = text(&out.stderr);
    assert!(err.contains("`-p ca_core`"), "{}", show(&out));
    assert!(!err.contains("nothing to verify"), "{}", show(&out));
    let out = verify(tmp.path(), &["-p", "no_such_crate"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    let out = tool(tmp.path(), &["dockerfile", "--build"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
}

/// A generated file that is missing on disk fails that image (exit 1), naming the fix.
#[test]
fn a_missing_ignore_file_fails_its_image() {
    let tmp = citychain();
    std::fs::remove_file(tmp.path().join("CA/rust/ca_cli/Dockerfile.dockerignore")).unwrap();
    let out = verify(tmp.path(), &["-p", "ca_cli"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("Dockerfile.dockerignore does not exist"),
        "{}",
        show(&out)
    );
    // Reading the workspace's files failed, not a step in the context; the fix is to
    // regenerate them, not `extra-files`.
    assert!(!err.contains("in its context"), "{}", show(&out));
    assert!(!err.contains("extra-files"), "{}", show(&out));
    assert!(
        err.contains("1 of 1 image failed --verify: ca_cli"),
        "{}",
        show(&out)
    );
}

/// `--build` runs the Dockerfile's own `cargo build`: a file the scan cannot name (a
/// `concat!` include outside the crate) passes `cargo metadata` but fails the build, which
/// names it with the `extra-files` setting; once listed there, the build passes.
#[test]
fn build_finds_what_only_rustc_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_tree(
        root,
        &[
            ("Cargo.toml", ROOT),
            (
                "apps/rust/srv/Cargo.toml",
                "[package]\nname = \"srv\"\nversion.workspace = true\nedition.workspace = true\n",
            ),
            (
                "apps/rust/srv/src/main.rs",
                "fn main() {\n    println!(\"{}\", include_str!(concat!(\"../../../../res/\", \"vara.json\")));\n}\n",
            ),
            ("res/vara.json", "{}\n"),
        ],
    );
    let lock = support::cargo_metadata(root, &["--offline"]);
    assert!(lock.is_ok(), "{lock:?}");
    let generated = tool(root, &["dockerfile"]);
    assert!(
        matches!(generated.status.code(), Some(0)),
        "{}",
        show(&generated)
    );
    let ignore =
        std::fs::read_to_string(root.join("apps/rust/srv/Dockerfile.dockerignore")).unwrap();
    assert!(
        IgnoreFile::parse(&ignore)
            .unwrap()
            .is_excluded("res/vara.json")
    );

    // Without --build, cargo metadata does not read it.
    assert_eq!(verify(root, &[]).status.code(), Some(0));
    let build = |root: &Path| verify_build(root, &[]);
    let out = build(root);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("missing from the context: `res/vara.json`"),
        "{}",
        show(&out)
    );
    assert!(
        err.contains("add \"res/vara.json\" to `extra-files`"),
        "{}",
        show(&out)
    );

    let manifest = format!(
        "{ROOT}\n[workspace.metadata.ccworkspace.docker]\nextra-files = [\"res/vara.json\"]\n"
    );
    std::fs::write(root.join("Cargo.toml"), manifest).unwrap();
    assert_eq!(tool(root, &["dockerfile"]).status.code(), Some(0));
    let out = build(root);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(root.join("target/ccworkspace-verify/release/srv").is_file());
}

/// The step the CI workflow of `init` runs passes on a fresh layout with a binary crate.
#[test]
fn a_fresh_init_passes() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("mono");
    let run = |dir: &Path, args: &[&str]| {
        let out = std::process::Command::new(support::bin())
            .current_dir(dir)
            .args(["--color", "never"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}\n{}", show(&out));
    };
    run(tmp.path(), &["init", "mono", "--domains", "apps"]);
    run(&root, &["new", "apps/srv", "--bin"]);
    let ci = std::fs::read_to_string(root.join(".github/workflows/ci.yml")).unwrap();
    assert!(ci.contains("- run: cargo ccworkspace dockerfile --verify\n"));
    let out = verify(&root, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("Verified srv ("),
        "{}",
        show(&out)
    );
}

/// `--build` of a PyO3 image runs `maturin build` in its context (the host's `python3`).
#[test]
fn build_of_a_pyo3_image() {
    let (name, hint) = support::MATURIN;
    if !support::require_tool(name, hint) {
        return;
    }
    let tmp = citychain();
    let out = verify_build(tmp.path(), &["-p", "dag_py"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("Verified dag_py ("),
        "{}",
        show(&out)
    );
    assert!(
        tmp.path()
            .join("target/ccworkspace-verify/release")
            .is_dir()
    );
}

/// A PyO3 crate whose Python sources are outside its folder (`[tool.maturin] python-source =
/// "../../pysrc/dag_py"`): the generated context admits that folder, and maturin, the judge,
/// builds the wheel in it (it fails, "python-source is set ... but the directory does not
/// exist", in a context without it).
#[test]
fn a_python_source_outside_the_crate_is_in_its_context() {
    let tmp = citychain();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("DAGs/pysrc")).unwrap();
    std::fs::rename(
        root.join("DAGs/rust/dag_py/python"),
        root.join("DAGs/pysrc/dag_py"),
    )
    .unwrap();
    let manifest = root.join("DAGs/rust/dag_py/pyproject.toml");
    let text_before = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text_before.replace(
            "python-source = \"python\"",
            "python-source = \"../../pysrc/dag_py\"",
        ),
    )
    .unwrap();
    let generated = tool(root, &["dockerfile", "-p", "dag_py"]);
    assert_eq!(generated.status.code(), Some(0), "{}", show(&generated));
    let ignore =
        std::fs::read_to_string(root.join("DAGs/rust/dag_py/Dockerfile.dockerignore")).unwrap();
    assert!(
        !IgnoreFile::parse(&ignore)
            .unwrap()
            .is_excluded("DAGs/pysrc/dag_py/dag_py/__init__.py"),
        "the Python sources are left out of the context:\n{ignore}"
    );
    let (name, hint) = support::MATURIN;
    if !support::require_tool(name, hint) {
        return;
    }
    let out = verify_build(root, &["-p", "dag_py"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
}

/// A PyO3 crate's `[tool.maturin] data` folder outside its folder, holding a link to a file
/// elsewhere in the repository through another link (`scripts/dagtool -> tools/a/hop.sh ->
/// tools/b/dagtool.sh`): the context admits the folder, the link in the middle and the last
/// target (BuildKit sends a link as a link), and maturin packs the script
/// (`--verify --build`; it fails, "Failed to include data", without the target).
#[cfg(unix)]
#[test]
fn a_link_in_a_data_folder_outside_the_crate_brings_its_target() {
    let tmp = citychain();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("DAGs/pydata/scripts")).unwrap();
    std::fs::create_dir_all(root.join("tools/a")).unwrap();
    std::fs::create_dir_all(root.join("tools/b")).unwrap();
    std::fs::write(root.join("tools/b/dagtool.sh"), "#!/bin/sh\necho hi\n").unwrap();
    // A link to a link to the file: BuildKit sends each as a link.
    std::os::unix::fs::symlink("../b/dagtool.sh", root.join("tools/a/hop.sh")).unwrap();
    std::os::unix::fs::symlink(
        "../../../tools/a/hop.sh",
        root.join("DAGs/pydata/scripts/dagtool"),
    )
    .unwrap();
    let manifest = root.join("DAGs/rust/dag_py/pyproject.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str("data = \"../../pydata\"\n");
    std::fs::write(&manifest, text).unwrap();
    let generated = tool(root, &["dockerfile", "-p", "dag_py"]);
    assert_eq!(generated.status.code(), Some(0), "{}", show(&generated));
    let ignore =
        std::fs::read_to_string(root.join("DAGs/rust/dag_py/Dockerfile.dockerignore")).unwrap();
    let parsed = IgnoreFile::parse(&ignore).unwrap();
    for admitted in [
        "DAGs/pydata/scripts/dagtool",
        "tools/a/hop.sh",
        "tools/b/dagtool.sh",
    ] {
        assert!(!parsed.is_excluded(admitted), "{admitted}:\n{ignore}");
    }
    let (name, hint) = support::MATURIN;
    if !support::require_tool(name, hint) {
        return;
    }
    let out = verify_build(root, &["-p", "dag_py"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
}

/// The example's `login_tokens` links `src/token_policy.rs` to `login/shared/token_policy.rs`.
/// With the target dropped from its ignore file, the link is sent but dangles: rustc names the
/// link (`file not found for module`), and `--build` names the target to admit, the link it
/// stands for, and the fix; regenerating the ignore file fixes the build.
#[test]
fn build_names_the_target_of_a_dangling_link() {
    let tmp = citychain();
    let root = tmp.path();
    let (link, target) = (
        "login/rust/login_tokens/src/token_policy.rs",
        "login/shared/token_policy.rs",
    );
    assert!(
        std::fs::symlink_metadata(root.join(link))
            .unwrap()
            .file_type()
            .is_symlink(),
        "the copy keeps the link"
    );
    let ignore_path = root.join("login/rust/login_tokens/Dockerfile.dockerignore");
    let ignore = std::fs::read_to_string(&ignore_path).unwrap();
    assert!(ignore.contains(&format!("\n!{target}\n")), "{ignore}");
    let edited = ignore.replace(&format!("\n!{target}\n"), "\n");
    std::fs::write(&ignore_path, &edited).unwrap();
    // Independently: the edited file admits the link and leaves its target out.
    let parsed = IgnoreFile::parse(&edited).unwrap();
    assert!(!parsed.is_excluded(link) && parsed.is_excluded(target));

    let build = |root: &Path| verify_build(root, &["-p", "login_tokens"]);
    let out = build(root);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let err = text(&out.stderr);
    assert!(err.contains("file not found for module"), "{}", show(&out));
    assert!(
        err.contains(&format!(
            "missing from the context: `{target}` (the target of the link `{link}`"
        )),
        "{}",
        show(&out)
    );
    assert!(
        err.contains(&format!("the generated one admits `{target}`")),
        "{}",
        show(&out)
    );

    assert_eq!(tool(root, &["dockerfile"]).status.code(), Some(0));
    let out = build(root);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
}

/// Without `[patch]`, `[replace]` or a cargo config in the context, `--verify` loads the
/// workspace (`--no-deps`: every manifest, target and path dependency); with one, it resolves
/// too, because only the resolver reads their paths. Judged by dropping each path from the
/// ignore file by hand: the resolve names it.
#[test]
fn a_patch_path_or_a_directory_source_is_resolved() {
    let package = |name: &str, version: &str| {
        format!("[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\n")
    };
    let app = "[package]\nname = \"app\"\nversion.workspace = true\nedition.workspace = true\n";
    // (root manifest tables, files, the folder the resolve reads)
    type Case = (&'static str, Vec<(String, String)>, &'static str);
    let cases: [Case; 2] = [
        (
            "[patch.crates-io]\nitoa = { path = \"patches/itoa\" }\n",
            vec![
                ("patches/itoa/Cargo.toml".into(), package("itoa", "1.0.99")),
                (
                    "patches/itoa/src/lib.rs".into(),
                    "pub const L: u8 = 1;\n".into(),
                ),
                (
                    "apps/rust/app/Cargo.toml".into(),
                    format!("{app}\n[dependencies]\nitoa = \"1\"\n"),
                ),
            ],
            "patches/itoa",
        ),
        (
            "",
            vec![
                (
                    ".cargo/config.toml".into(),
                    "[source.crates-io]\nreplace-with = \"vendored\"\n\n\
                     [source.vendored]\ndirectory = \"vendor\"\n"
                        .into(),
                ),
                ("vendor/vdep/Cargo.toml".into(), package("vdep", "0.3.1")),
                (
                    "vendor/vdep/src/lib.rs".into(),
                    "pub const V: u8 = 7;\n".into(),
                ),
                (
                    "vendor/vdep/.cargo-checksum.json".into(),
                    "{\"files\":{}}".into(),
                ),
                (
                    "apps/rust/app/Cargo.toml".into(),
                    format!("{app}\n[dependencies]\nvdep = \"0.3\"\n"),
                ),
            ],
            "vendor",
        ),
    ];
    for (table, files, folder) in cases {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let mut tree: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, b)| (p.as_str(), b.as_str()))
            .collect();
        let manifest = format!("{ROOT}\n{table}");
        tree.push(("Cargo.toml", &manifest));
        tree.push(("apps/rust/app/src/main.rs", "fn main() {}\n"));
        write_tree(root, &tree);
        assert_eq!(tool(root, &["dockerfile"]).status.code(), Some(0));
        let out = verify(root, &[]);
        assert_eq!(out.status.code(), Some(0), "{}", show(&out));

        let ignore_path = root.join("apps/rust/app/Dockerfile.dockerignore");
        let ignore = std::fs::read_to_string(&ignore_path).unwrap();
        let line = format!("\n!{folder}\n");
        assert!(ignore.contains(&line), "{ignore}");
        std::fs::write(&ignore_path, ignore.replace(&line, "\n")).unwrap();
        let out = verify(root, &[]);
        assert_eq!(out.status.code(), Some(1), "{}", show(&out));
        let err = text(&out.stderr);
        assert!(
            err.contains("`cargo metadata --offline` failed in its context"),
            "{}",
            show(&out)
        );
        assert!(err.contains(folder), "{}", show(&out));
    }
}

/// A workspace with nothing for the resolver to read from the context is only loaded; an
/// image whose closure lost a member's manifest still fails.
#[test]
fn a_plain_workspace_is_loaded_without_the_registry() {
    let tmp = citychain();
    let root = tmp.path();
    let out = verify(root, &["-p", "ca_cli"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let ignore_path = root.join("CA/rust/ca_cli/Dockerfile.dockerignore");
    let ignore = std::fs::read_to_string(&ignore_path).unwrap();
    std::fs::write(&ignore_path, ignore.replace("\n!CA/rust/ca_core\n", "\n")).unwrap();
    let out = verify(root, &["-p", "ca_cli"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("`cargo metadata --offline --no-deps` failed in its context"),
        "{}",
        show(&out)
    );
    assert!(
        text(&out.stderr).contains("missing from the context: `CA/rust/ca_core/Cargo.toml`"),
        "{}",
        show(&out)
    );
}
