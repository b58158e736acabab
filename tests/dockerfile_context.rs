#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Issue 13, items 1 and 5, through the binary on one small workspace per situation: the
//! context BuildKit would send is rebuilt from the generated `Dockerfile.dockerignore` (files
//! copied, symlinks kept as links, the embedded trimmed manifest as the root `Cargo.toml`), and
//! judged by what reads it: `cargo metadata --offline`, the Dockerfile's own build command run
//! offline (`cargo build`, or `maturin build`), or, for files only packaging reads, their
//! presence in that context. Never by reading the generator's plan.
//!
//! (a) files inherited through `[workspace.package]` and a crate's own readme outside its
//! folder; (b) a member folder that is a link and source files that are links, and a link out
//! of the root; (c) `[patch]` and `[replace]` paths; (d) a `directory` source in
//! `.cargo/config.toml`; (e) `include_str!` / `include_bytes!` / `#[path]` reaching outside the
//! closure, and one out of the root; item 5: `--check` names what a stale ignore file leaves
//! out.

mod support;

use support::docker::{ROOT, text, tool, write_tree};

use std::path::{Path, PathBuf};
use std::process::Command;

use cargo_ccworkspace::docker::ignore::IgnoreFile;
use cargo_ccworkspace::docker::render::{build_command, embedded_manifest};

fn link(root: &Path, target: &str, at: &str) {
    let at = root.join(at);
    std::fs::create_dir_all(at.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, at).unwrap();
}

fn bin_crate(name: &str, more: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion.workspace = true\nedition.workspace = true\n{more}"
    )
}

fn generate(root: &Path) {
    let out = tool(root, &["dockerfile"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "dockerfile failed:\n{}",
        text(&out.stderr)
    );
}

/// The context BuildKit sends for `dockerfile` with the ignore file `ignore`: every path the
/// ignore file admits, walked without following links; a link is sent as a link (its target
/// text unchanged). The embedded manifest becomes the root `Cargo.toml`.
struct Context {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    admitted: Vec<String>,
}

fn context_with(root: &Path, dockerfile: &str, ignore: &str) -> Context {
    let df = std::fs::read_to_string(root.join(dockerfile)).unwrap();
    let ignore = IgnoreFile::parse(ignore).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("work");
    std::fs::create_dir_all(&dir).unwrap();
    let mut admitted = Vec::new();
    fn walk(root: &Path, rel: &str, ignore: &IgnoreFile, ctx: &Path, admitted: &mut Vec<String>) {
        for entry in std::fs::read_dir(root.join(rel)).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            let child = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                walk(root, &child, ignore, ctx, admitted);
                continue;
            }
            if ignore.is_excluded(&child) {
                continue;
            }
            let dst = ctx.join(&child);
            std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
            if kind.is_symlink() {
                let target = std::fs::read_link(root.join(&child)).unwrap();
                std::os::unix::fs::symlink(target, &dst).unwrap();
            } else {
                std::fs::copy(root.join(&child), &dst).unwrap();
            }
            admitted.push(child);
        }
    }
    walk(root, "", &ignore, &dir, &mut admitted);
    admitted.sort();
    std::fs::write(dir.join("Cargo.toml"), embedded_manifest(&df).unwrap()).unwrap();
    Context {
        _tmp: tmp,
        dir,
        admitted,
    }
}

/// The context of `dockerfile` with its generated ignore file, as on disk.
fn context(root: &Path, dockerfile: &str) -> Context {
    let ignore = std::fs::read_to_string(root.join(format!("{dockerfile}.dockerignore"))).unwrap();
    context_with(root, dockerfile, &ignore)
}

/// The workspace's own target dir for builds in its contexts: cargo keys a path package's
/// fingerprints by its path relative to the workspace root, so two tests' workspaces sharing
/// one target dir could take each other's `apps/rust/app` build for fresh.
fn target_dir(root: &Path) -> PathBuf {
    root.join("target").join("context-builds")
}

/// `cargo metadata --offline` in the context, then the Dockerfile's build command, offline:
/// cargo as written (the copy to `/out` replaced by a check that the binary was built), or
/// maturin with the wheel written to a temporary folder and the host's `python3`.
fn builds(root: &Path, dockerfile: &str, ctx: &Context) -> Result<(), String> {
    let admitted = format!("admitted:\n  {}", ctx.admitted.join("\n  "));
    support::cargo_metadata(&ctx.dir, &["--offline"]).map_err(|e| {
        format!("cargo metadata failed in the context of {dockerfile}\n{admitted}\n{e}")
    })?;
    let df = std::fs::read_to_string(root.join(dockerfile)).unwrap();
    let command = build_command(&df).unwrap();
    let first = command.split(" && ").next().unwrap();
    let words: Vec<String> = first.split_whitespace().map(str::to_string).collect();
    let dist = ctx.dir.parent().unwrap().join("dist");
    let mut cmd = match words[0].as_str() {
        "cargo" => {
            let mut c = Command::new(support::cargo());
            c.args(&words[1..]);
            c
        }
        "maturin" => {
            let mut c = Command::new("maturin");
            let mut args = words[1..].to_vec();
            for i in 0..args.len() {
                if args[i] == "--out" {
                    args[i + 1] = dist.display().to_string();
                }
                if args[i] == "-i" {
                    args[i + 1] = "python3".to_string();
                }
            }
            c.args(args);
            c
        }
        other => panic!("unexpected build command {other}"),
    };
    let out = cmd
        .arg("--offline")
        .current_dir(&ctx.dir)
        .env("CARGO_TARGET_DIR", target_dir(root))
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env_remove("RUSTC_WRAPPER")
        .output()
        .unwrap();
    if !out.status.success() {
        return Err(format!(
            "`{first}` failed in the context of {dockerfile}\n{admitted}\n{}",
            text(&out.stderr)
        ));
    }
    Ok(())
}

fn assert_builds(root: &Path, dockerfile: &str) -> Context {
    let ctx = context(root, dockerfile);
    if let Err(e) = builds(root, dockerfile, &ctx) {
        panic!("{e}");
    }
    ctx
}

/// The judge can fail: without `path`, the same context does not build.
fn fails_without(root: &Path, dockerfile: &str, path: &str) {
    let ctx = context(root, dockerfile);
    let p = ctx.dir.join(path);
    if p.is_dir() {
        std::fs::remove_dir_all(&p).unwrap();
    } else {
        std::fs::remove_file(&p).unwrap();
    }
    assert!(
        builds(root, dockerfile, &ctx).is_err(),
        "{dockerfile} builds without {path}"
    );
}

/// (a) A maturin crate inheriting `readme` and `license-file` from `[workspace.package]`:
/// maturin reads both ("Failed to read Readme" without them), so `maturin build` in the context
/// is the judge; a binary crate's own readme outside its folder is judged by its presence
/// (only packaging reads it) and by the build.
#[test]
fn inherited_readme_and_license_are_in_the_context() {
    let (name, hint) = support::MATURIN;
    let have_maturin = support::require_tool(name, hint);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_tree(
        root,
        &[
            (
                "Cargo.toml",
                &format!("{ROOT}readme = \"README.md\"\nlicense-file = \"LICENSE\"\n"),
            ),
            ("README.md", "# the workspace\n"),
            ("LICENSE", "MIT\n"),
            (
                "py/rust/pyext/Cargo.toml",
                &bin_crate(
                    "pyext",
                    "readme.workspace = true\nlicense-file.workspace = true\n",
                ),
            ),
            ("py/rust/pyext/src/main.rs", "fn main() {}\n"),
            (
                "py/rust/pyext/pyproject.toml",
                "[build-system]\nrequires = [\"maturin>=1,<2\"]\nbuild-backend = \"maturin\"\n\n\
                 [project]\nname = \"pyext\"\nversion = \"0.1.0\"\n\n\
                 [tool.maturin]\nbindings = \"bin\"\n",
            ),
            (
                "apps/rust/srv/Cargo.toml",
                &bin_crate("srv", "readme = \"../../../docs/srv.md\"\n"),
            ),
            ("apps/rust/srv/src/main.rs", "fn main() {}\n"),
            ("docs/srv.md", "# srv\n"),
            ("docs/other.md", "not needed\n"),
        ],
    );
    generate(root);
    let srv = assert_builds(root, "apps/rust/srv/Dockerfile");
    assert!(srv.dir.join("docs/srv.md").is_file(), "{:?}", srv.admitted);
    assert!(
        !srv.dir.join("docs/other.md").exists(),
        "{:?}",
        srv.admitted
    );
    let py = context(root, "py/rust/pyext/Dockerfile");
    assert!(py.dir.join("README.md").is_file(), "{:?}", py.admitted);
    assert!(py.dir.join("LICENSE").is_file(), "{:?}", py.admitted);
    if have_maturin {
        builds(root, "py/rust/pyext/Dockerfile", &py).unwrap();
        // The judge can fail: without the readme, maturin refuses the same context.
        std::fs::remove_file(py.dir.join("README.md")).unwrap();
        let err = builds(root, "py/rust/pyext/Dockerfile", &py).unwrap_err();
        assert!(err.contains("eadme"), "{err}");
    }
}

/// (b) A member folder that is a link (`packages/shared -> ../vendor/shared-src`) and a source
/// file that is a link to a file outside the closure: BuildKit sends the links, so the targets
/// must be sent too, and `cargo build` in the context proves it.
#[test]
fn link_targets_are_in_the_context() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_tree(
        root,
        &[
            (
                "Cargo.toml",
                "[workspace]\nresolver = \"2\"\nmembers = [\"apps/*\", \"packages/*\"]\n\n\
                 [workspace.package]\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
            (
                "apps/app/Cargo.toml",
                &bin_crate(
                    "app",
                    "[dependencies]\nshared = { path = \"../../packages/shared\" }\n",
                ),
            ),
            (
                "apps/app/src/main.rs",
                "mod proxy;\nfn main() { println!(\"{} {}\", shared::X, proxy::Y); }\n",
            ),
            ("common/proxy.rs", "pub const Y: u8 = 2;\n"),
            ("vendor/shared-src/Cargo.toml", &bin_crate("shared", "")),
            ("vendor/shared-src/src/lib.rs", "pub const X: u8 = 1;\n"),
        ],
    );
    link(root, "../vendor/shared-src", "packages/shared");
    link(root, "../../../common/proxy.rs", "apps/app/src/proxy.rs");
    generate(root);
    let ctx = assert_builds(root, "apps/app/Dockerfile");
    assert!(
        ctx.dir.join("common/proxy.rs").is_file(),
        "{:?}",
        ctx.admitted
    );
    // The judge can fail: the context of an ignore file that admits only the links does not build.
    let ignore = std::fs::read_to_string(root.join("apps/app/Dockerfile.dockerignore")).unwrap();
    let links_only: String = ignore
        .lines()
        .filter(|l| !l.contains("vendor") && !l.contains("common"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(links_only, ignore);
    let bare = context_with(root, "apps/app/Dockerfile", &links_only);
    assert!(builds(root, "apps/app/Dockerfile", &bare).is_err());
}

/// (b) A link whose target is outside the workspace root cannot be in any context: the image
/// that needs it is a problem naming the link (exit 2), the other image is still written.
#[test]
fn a_link_out_of_the_root_is_reported_with_its_name() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("stdlib.rs"), "pub const Z: u8 = 3;\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_tree(
        root,
        &[
            ("Cargo.toml", ROOT),
            ("apps/rust/bad/Cargo.toml", &bin_crate("bad", "")),
            ("apps/rust/bad/src/main.rs", "mod stdlib;\nfn main() {}\n"),
            ("apps/rust/ok/Cargo.toml", &bin_crate("ok", "")),
            ("apps/rust/ok/src/main.rs", "fn main() {}\n"),
        ],
    );
    link(
        root,
        outside.path().join("stdlib.rs").to_str().unwrap(),
        "apps/rust/bad/src/stdlib.rs",
    );
    // Links out of the root that the build does not read are sent as they are, not reported.
    let notes = outside.path().join("notes.txt");
    std::fs::write(&notes, "n").unwrap();
    link(root, notes.to_str().unwrap(), "apps/rust/ok/notes.txt");
    link(root, "/usr/bin/env", "apps/rust/ok/.venv/bin/python");
    let out = tool(root, &["dockerfile"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        !stderr.contains("notes.txt") && !stderr.contains(".venv"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 crate(s) could not get an image: bad"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`apps/rust/bad/src/stdlib.rs` is a link to"),
        "{stderr}"
    );
    assert!(stderr.contains("outside the workspace root"), "{stderr}");
    assert!(!root.join("apps/rust/bad/Dockerfile").exists());
    assert_builds(root, "apps/rust/ok/Dockerfile");
}

/// (c) `[patch.crates-io]` and `[replace]` path targets of the root manifest (cargo refuses
/// both in one manifest: one workspace each): the resolver reads them, so `cargo metadata` and
/// `cargo build` in the context need them.
#[test]
fn patch_and_replace_paths_are_in_the_context() {
    for (table, dep, version, folder) in [
        (
            "[patch.crates-io]\nitoa = { path = \"patches/itoa\" }\n",
            "itoa = \"1\"",
            "1.0.99",
            "patches/itoa",
        ),
        (
            "[replace]\n\"ryu:1.0.23\" = { path = \"replaced/ryu\" }\n",
            "ryu = \"=1.0.23\"",
            "1.0.23",
            "replaced/ryu",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let krate = folder.rsplit('/').next().unwrap();
        write_tree(
            root,
            &[
                ("Cargo.toml", &format!("{ROOT}\n{table}")),
                (
                    "apps/rust/app/Cargo.toml",
                    &bin_crate("app", &format!("[dependencies]\n{dep}\n")),
                ),
                (
                    "apps/rust/app/src/main.rs",
                    &format!("fn main() {{ println!(\"{{}}\", {krate}::LOCAL); }}\n"),
                ),
                (
                    &format!("{folder}/Cargo.toml"),
                    &format!(
                        "[package]\nname = \"{krate}\"\nversion = \"{version}\"\nedition = \"2021\"\n"
                    ),
                ),
                (
                    &format!("{folder}/src/lib.rs"),
                    "pub const LOCAL: u8 = 1;\n",
                ),
            ],
        );
        generate(root);
        let ctx = assert_builds(root, "apps/rust/app/Dockerfile");
        assert!(ctx.dir.join(folder).join("src/lib.rs").is_file(), "{table}");
        fails_without(root, "apps/rust/app/Dockerfile", folder);
    }
}

/// (d) `.cargo/config.toml` replacing crates.io with a `directory` source: `vendor/` is read by
/// the resolver and the build.
#[test]
fn a_directory_source_of_the_cargo_config_is_in_the_context() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_tree(
        root,
        &[
            ("Cargo.toml", ROOT),
            (
                ".cargo/config.toml",
                "[source.crates-io]\nreplace-with = \"vendored-sources\"\n\n\
                 [source.vendored-sources]\ndirectory = \"vendor\"\n",
            ),
            (
                "apps/rust/app/Cargo.toml",
                &bin_crate("app", "[dependencies]\nvendored-dep = \"0.3\"\n"),
            ),
            (
                "apps/rust/app/src/main.rs",
                "fn main() { println!(\"{}\", vendored_dep::V); }\n",
            ),
            (
                "vendor/vendored-dep/Cargo.toml",
                "[package]\nname = \"vendored-dep\"\nversion = \"0.3.1\"\nedition = \"2021\"\n",
            ),
            ("vendor/vendored-dep/src/lib.rs", "pub const V: u8 = 7;\n"),
            ("vendor/vendored-dep/.cargo-checksum.json", "{\"files\":{}}"),
        ],
    );
    generate(root);
    let ctx = assert_builds(root, "apps/rust/app/Dockerfile");
    assert!(ctx.dir.join("vendor/vendored-dep/src/lib.rs").is_file());
    fails_without(root, "apps/rust/app/Dockerfile", "vendor");
}

/// (e) `include_str!`, `include_bytes!` (also through `concat!(env!("CARGO_MANIFEST_DIR"),
/// ...)`) and `#[path]` reaching folders that are no crate: admitted, and the build proves it.
#[test]
fn literal_includes_outside_the_closure_are_in_the_context() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_tree(
        root,
        &[
            ("Cargo.toml", ROOT),
            ("apps/rust/app/Cargo.toml", &bin_crate("app", "")),
            (
                "apps/rust/app/src/main.rs",
                "#[path = \"../../../../shared/util.rs\"]\nmod util;\n\
                 const VARA: &str = include_str!(\"../../../../res/vara.json\");\n\
                 static LOGO: &[u8] = include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/../../../res/logo.bin\"));\n\
                 // include_str!(\"../../../../res/not-read.txt\") is only a comment\n\
                 fn main() { println!(\"{} {} {}\", VARA, LOGO.len(), util::U); }\n",
            ),
            ("shared/util.rs", "pub const U: u8 = 4;\n"),
            ("res/vara.json", "{}\n"),
            ("res/logo.bin", "\u{1}\u{2}"),
            ("res/not-read.txt", "no\n"),
        ],
    );
    generate(root);
    let ctx = assert_builds(root, "apps/rust/app/Dockerfile");
    assert!(
        !ctx.dir.join("res/not-read.txt").exists(),
        "{:?}",
        ctx.admitted
    );
}

/// (e) A `#[path]` module and an `include!`d file outside the closure are compiled with the
/// crate, and rustc resolves *their* includes from their own folder: `shared/util.rs` reading
/// `../res/util.txt`, `shared/gen.rs` reading `gen.txt` next to it; and the `#[path]` module's
/// own `mod sub;` is `shared/sub/mod.rs` (read like a `mod.rs`), whose `mod deep;` includes
/// `res/deep.txt`. Found by
/// `tests/dockerfile_property.rs`: the scan read only the closure's own `.rs` files, so
/// `--verify` passed and `cargo build` in the context failed.
#[test]
fn includes_in_included_files_outside_the_closure_are_in_the_context() {
    // Its own crate name: the tests share one target dir, and cargo would take another test's
    // `apps/rust/app` built at the same time for fresh (its fingerprint is relative to the root).
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_tree(
        root,
        &[
            ("Cargo.toml", ROOT),
            ("apps/rust/nested/Cargo.toml", &bin_crate("nested", "")),
            (
                "apps/rust/nested/src/main.rs",
                "#[path = \"../../../../shared/util.rs\"]\nmod util;\n\
                 include!(\"../../../../shared/gen.rs\");\n\
                 fn main() { println!(\"{} {} {}\", util::UTIL, util::sub::deep::DEEP, GEN); }\n",
            ),
            (
                "shared/util.rs",
                "pub const UTIL: &str = include_str!(\"../res/util.txt\");\npub mod sub;\n",
            ),
            ("shared/sub/mod.rs", "pub mod deep;\n"),
            (
                "shared/sub/deep.rs",
                "pub const DEEP: &str = include_str!(\"../../res/deep.txt\");\n",
            ),
            ("res/deep.txt", "deep\n"),
            (
                "shared/gen.rs",
                "const GEN: &str = include_str!(\"gen.txt\");\n",
            ),
            ("shared/gen.txt", "generated\n"),
            ("shared/unused.txt", "not read\n"),
            ("res/util.txt", "util\n"),
        ],
    );
    generate(root);
    let ctx = assert_builds(root, "apps/rust/nested/Dockerfile");
    assert!(
        !ctx.dir.join("shared/unused.txt").exists(),
        "{:?}",
        ctx.admitted
    );
    fails_without(root, "apps/rust/nested/Dockerfile", "res/util.txt");
    fails_without(root, "apps/rust/nested/Dockerfile", "shared/gen.txt");
    fails_without(root, "apps/rust/nested/Dockerfile", "shared/sub/deep.rs");
    fails_without(root, "apps/rust/nested/Dockerfile", "res/deep.txt");
}

/// (e) An include out of the workspace root is reported with file:line (exit 2); one the scan
/// cannot read (not a literal) is a warning with file:line that names `extra-files`.
#[test]
fn includes_out_of_the_root_or_unseen_are_reported() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("x.txt"), "x").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    // Both temporary folders share a parent: from `ws/apps/rust/far/src`, six `..` reach it.
    assert_eq!(outside.path().parent(), dir.path().parent());
    let rel = format!(
        "../../../../../../{}/x.txt",
        outside.path().file_name().unwrap().to_string_lossy()
    );
    write_tree(
        &root,
        &[
            ("Cargo.toml", ROOT),
            ("apps/rust/far/Cargo.toml", &bin_crate("far", "")),
            (
                "apps/rust/far/src/main.rs",
                &format!("fn main() {{\n    println!(\"{{}}\", include_str!(\"{rel}\"));\n}}\n"),
            ),
            ("apps/rust/ok/Cargo.toml", &bin_crate("ok", "")),
            (
                "apps/rust/ok/src/main.rs",
                "macro_rules! res { () => { \"x\" } }\n\
                 fn main() { let _ = include_str!(res!()); }\n",
            ),
            ("apps/rust/ok/src/x", ""),
        ],
    );
    let out = tool(&root, &["dockerfile"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("apps/rust/far/src/main.rs:2: include_str! reads"),
        "{stderr}"
    );
    assert!(stderr.contains("apps/rust/ok/src/main.rs:2:"), "{stderr}");
    assert!(stderr.contains("extra-files"), "{stderr}");
    assert!(root.join("apps/rust/ok/Dockerfile").is_file());
}

/// Item 5: `--check` fails (exit 1) when the ignore file on disk leaves out a file the image
/// needs, and names the file and what it leaves out; the context of that ignore file does lack
/// it, and does not build.
#[test]
fn check_names_what_a_stale_ignore_file_leaves_out() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_tree(
        root,
        &[
            ("Cargo.toml", ROOT),
            ("apps/rust/app/Cargo.toml", &bin_crate("app", "")),
            (
                "apps/rust/app/src/main.rs",
                "fn main() { println!(\"{}\", include_str!(\"../../../../res/vara.json\")); }\n",
            ),
            ("res/vara.json", "{}\n"),
        ],
    );
    generate(root);
    let check = tool(root, &["dockerfile", "--check"]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
    // The ignore file as this tool wrote it before item 1: without the included file.
    let path = root.join("apps/rust/app/Dockerfile.dockerignore");
    let good = std::fs::read_to_string(&path).unwrap();
    let old: String = good
        .lines()
        .filter(|l| *l != "!res/vara.json")
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(old, good);
    std::fs::write(&path, &old).unwrap();
    let check = tool(root, &["dockerfile", "--check"]);
    let stderr = text(&check.stderr);
    assert_eq!(check.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("apps/rust/app/Dockerfile.dockerignore: stale"),
        "{stderr}"
    );
    assert!(
        stderr.contains("does not admit `res/vara.json`")
            && stderr.contains("include_str! at apps/rust/app/src/main.rs:1"),
        "{stderr}"
    );
    let ctx = context(root, "apps/rust/app/Dockerfile");
    assert!(!ctx.dir.join("res/vara.json").exists());
    assert!(builds(root, "apps/rust/app/Dockerfile", &ctx).is_err());
}

/// (a) A readme out of the workspace root stops the wheel that maturin builds (it reads the
/// readme), reported with its line, but not a binary (`cargo build` never opens it).
#[test]
fn a_readme_out_of_the_root_stops_only_a_wheel() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), "# above the root\n").unwrap();
    let root = dir.path().join("ws");
    write_tree(
        &root,
        &[
            ("Cargo.toml", ROOT),
            (
                "py/rust/pyext/Cargo.toml",
                &bin_crate("pyext", "readme = \"../../../../README.md\"\n"),
            ),
            ("py/rust/pyext/src/main.rs", "fn main() {}\n"),
            (
                "py/rust/pyext/pyproject.toml",
                "[build-system]\nrequires = [\"maturin>=1,<2\"]\nbuild-backend = \"maturin\"\n\n\
                 [tool.maturin]\nbindings = \"bin\"\n",
            ),
            (
                "apps/rust/srv/Cargo.toml",
                &bin_crate("srv", "readme = \"../../../../README.md\"\n"),
            ),
            ("apps/rust/srv/src/main.rs", "fn main() {}\n"),
        ],
    );
    let out = tool(&root, &["dockerfile"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("py/rust/pyext/Cargo.toml:5: `package.readme` = \"../../../../README.md\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 crate(s) could not get an image: pyext"),
        "{stderr}"
    );
    assert_builds(&root, "apps/rust/srv/Dockerfile");
}
