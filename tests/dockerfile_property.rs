#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Issue 13, "images that build": a property over generated workspaces.
//!
//! Each case is a virtual workspace (`members = ["*/rust/*"]`) of 3 to 12 crates in a few
//! domain folders: libraries, binaries, libraries with a binary, and PyO3-style `cdylib` crates
//! (a maturin `pyproject.toml`, cffi bindings, so no registry crate is needed), joined by random
//! normal, dev and build path dependencies inherited from `[workspace.dependencies]`. At random
//! it adds what a build reads outside the closure's folders:
//!
//! - `readme.workspace = true` / `license-file.workspace = true` (the root readme in `docs/` or
//!   a link to it);
//! - a member folder that is a link (`alpha/rust/x -> ../../vendor/x-src`, or one level
//!   deeper), and a `src/shared.rs` that is a link to a file in `common/`, which may itself
//!   `include_str!` a file relative to the link;
//! - `[patch.crates-io]` path patches, one used (a local `itoa` the crates depend on) and one
//!   unused, and an unused `[patch."https://..."]`: cargo reads every patch's manifest, used or
//!   not (a missing one fails `cargo metadata`);
//! - `include_str!`, `include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), ...))` and `#[path]`
//!   reaching `res/` and `shared/`, folders that are no crate.
//!
//! The workspace itself builds (`cargo build --workspace`, which also writes `Cargo.lock`).
//! Then the tool's `dockerfile`, `dockerfile --check` and `dockerfile --verify` (in some cases
//! `--verify --build`) must pass for every image, and exactly the binary and PyO3 crates get
//! one. The judge is the test's own and does not read the tool's plan or use its `IgnoreFile`:
//! each image's context is rebuilt from its `Dockerfile.dockerignore` with a matcher written
//! here for the patterns the tool writes (`*`, `!path`, `**/target`; anything else fails the
//! test, so a new kind of line gets a faithful reading first), links kept as links, and the
//! manifest of the Dockerfile's `COPY <<'EOF' Cargo.toml` heredoc as the root `Cargo.toml`.
//! There `cargo metadata --offline` must succeed, `cargo build --offline -p CRATE` too (for the
//! images the case picks: include_str! and links are only caught by a build), and a PyO3
//! crate's inherited readme and license (which maturin reads) must be readable.
//!
//! `PROPTEST_CASES` sets the number of cases (default 24, about 30 s on 2 cores).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// What the run covered, printed at the end: cases, images, images built in the test's own
/// context, `--verify --build` runs.
static CASES: AtomicUsize = AtomicUsize::new(0);
static IMAGES: AtomicUsize = AtomicUsize::new(0);
static BUILT: AtomicUsize = AtomicUsize::new(0);
static VERIFY_BUILDS: AtomicUsize = AtomicUsize::new(0);

const DOMAINS: [&str; 4] = ["alpha", "beta", "gamma", "delta"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Lib,
    Bin,
    LibBin,
    Py,
}

impl Kind {
    fn has_lib(self) -> bool {
        self != Kind::Bin
    }
    fn gets_image(self) -> bool {
        self != Kind::Lib
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    Normal,
    Dev,
    Build,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Include {
    None,
    /// `include_str!("../../../res/<name>.txt")`, relative to the source file.
    Str,
    /// `include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../res/<name>.bin"))`.
    BytesFromManifestDir,
    /// `#[path = "../../../shared/<name>_util.rs"] mod util;`; `nested`: that file
    /// `include_str!`s `../res/<name>_util.txt`, which rustc resolves from `shared/`;
    /// `submodule`: it declares `mod <name>_sub;`, which rustc reads from
    /// `shared/<name>_sub.rs` (a `#[path]` file is read like a `mod.rs`).
    PathAttr {
        nested: bool,
        submodule: bool,
    },
    /// `include!("../../../shared/<name>_gen.rs");`; `nested`: that file `include_str!`s
    /// `<name>_gen.txt`, next to it.
    Rs {
        nested: bool,
    },
}

/// Where a crate's folder really is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Folder {
    /// `<domain>/rust/<name>`.
    Plain,
    /// `<domain>/rust/<name>` is a link to `vendor/<name>-src`.
    Vendor,
    /// `<domain>/rust/<name>` is a link to `third_party/src/<name>`.
    ThirdParty,
}

#[derive(Debug, Clone)]
struct Krate {
    /// The domain folder: `DOMAINS[domain % plan.domains]`.
    domain: usize,
    kind: Kind,
    /// Dependencies: `(j, edge)` is crate `j % i` (lower crates only: no cycle).
    deps: Vec<(usize, Edge)>,
    readme: bool,
    license: bool,
    folder: Folder,
    /// `src/shared.rs` is a link to `common/<name>_shared.rs`; `Some(true)`: that file
    /// includes `res/<name>_shared.txt` relative to the link.
    linked_source: Option<bool>,
    include: Include,
    uses_itoa: bool,
}

#[derive(Debug, Clone)]
struct Plan {
    domains: usize,
    crates: Vec<Krate>,
    /// The root readme is `docs/README.md` (false: `README.md`, a link to `docs/intro.md`).
    readme_in_docs: bool,
    /// `[patch.crates-io] itoa = { path = ... }`, used by the crates with `uses_itoa`.
    patch_used: bool,
    /// `patches/itoa` is a link to `third_party/itoa-src`.
    patch_linked: bool,
    /// `[patch.crates-io] unused_patch = { path = ... }`, used by nobody.
    patch_unused: bool,
    /// `[patch."https://github.com/example/forked"] forked = { path = ... }`, used by nobody.
    patch_git: bool,
    /// Which images are also built with `cargo build` in the test's context (bit i: image i).
    build_mask: u16,
    /// Run `dockerfile --verify --build` too.
    verify_build: bool,
}

fn krate() -> impl Strategy<Value = Krate> {
    (
        0..DOMAINS.len(),
        prop_oneof![
            4 => Just(Kind::Lib),
            2 => Just(Kind::Bin),
            1 => Just(Kind::LibBin),
            2 => Just(Kind::Py),
        ],
        proptest::collection::vec(
            (
                0..12usize,
                prop_oneof![6 => Just(Edge::Normal), 1 => Just(Edge::Dev), 1 => Just(Edge::Build)],
            ),
            0..4,
        ),
        any::<(bool, bool)>(),
        prop_oneof![3 => Just(Folder::Plain), 1 => Just(Folder::Vendor), 1 => Just(Folder::ThirdParty)],
        proptest::option::weighted(0.3, any::<bool>()),
        prop_oneof![
            2 => Just(Include::None),
            1 => Just(Include::Str),
            1 => Just(Include::BytesFromManifestDir),
            1 => any::<(bool, bool)>()
                .prop_map(|(nested, submodule)| Include::PathAttr { nested, submodule }),
            1 => any::<bool>().prop_map(|nested| Include::Rs { nested }),
        ],
        proptest::bool::weighted(0.3),
    )
        .prop_map(
            |(domain, kind, deps, (readme, license), folder, linked_source, include, uses_itoa)| {
                Krate {
                    domain,
                    kind,
                    deps,
                    readme,
                    license,
                    folder,
                    linked_source,
                    include,
                    uses_itoa,
                }
            },
        )
}

fn plan() -> impl Strategy<Value = Plan> {
    (
        1..=DOMAINS.len(),
        proptest::collection::vec(krate(), 3..=12),
        any::<bool>(),
        any::<(bool, bool, bool, bool)>(),
        any::<u16>(),
        proptest::bool::weighted(0.2),
    )
        .prop_map(
            |(domains, mut crates, readme_in_docs, patches, build_mask, verify_build)| {
                // At least one image.
                if !crates.iter().any(|k| k.kind.gets_image()) {
                    crates.last_mut().unwrap().kind = Kind::Bin;
                }
                // maturin canonicalizes `-m`, so a PyO3 crate in a linked member folder does not
                // build even in the workspace itself (cargo: "current package believes it's in
                // a workspace when it's not"): no such crate.
                for k in &mut crates {
                    if k.kind == Kind::Py {
                        k.folder = Folder::Plain;
                    }
                }
                let (patch_used, patch_linked, patch_unused, patch_git) = patches;
                Plan {
                    domains,
                    crates,
                    readme_in_docs,
                    patch_used,
                    patch_linked,
                    patch_unused,
                    patch_git,
                    build_mask,
                    verify_build,
                }
            },
        )
}

impl Plan {
    fn name(&self, i: usize) -> String {
        format!("{}_{i}", self.domain(i))
    }
    fn domain(&self, i: usize) -> &'static str {
        DOMAINS[self.crates[i].domain % self.domains]
    }
    /// The member folder, as the workspace names it.
    fn logical(&self, i: usize) -> String {
        format!("{}/rust/{}", self.domain(i), self.name(i))
    }
    /// Where its files really are.
    fn physical(&self, i: usize) -> String {
        match self.crates[i].folder {
            Folder::Plain => self.logical(i),
            Folder::Vendor => format!("vendor/{}-src", self.name(i)),
            Folder::ThirdParty => format!("third_party/src/{}", self.name(i)),
        }
    }
    /// The dependencies of crate `i` that cargo accepts: lower crates with a library, once each.
    fn deps(&self, i: usize) -> Vec<(usize, Edge)> {
        let mut out: Vec<(usize, Edge)> = Vec::new();
        if i == 0 {
            return out;
        }
        for (j, edge) in &self.crates[i].deps {
            let j = j % i;
            if self.crates[j].kind.has_lib() && !out.iter().any(|(k, _)| *k == j) {
                out.push((j, *edge));
            }
        }
        out
    }
    fn uses_itoa(&self, i: usize) -> bool {
        self.patch_used && self.crates[i].uses_itoa
    }
}

/// `../` once per component of `dir` (relative to the root): from `dir` back to the root.
fn up(dir: &str) -> String {
    "../".repeat(dir.split('/').count())
}

fn write(root: &Path, path: &str, body: &str) {
    let p = root.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, body).unwrap();
}

fn link(root: &Path, target: &str, at: &str) {
    let at = root.join(at);
    std::fs::create_dir_all(at.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, at).unwrap();
}

/// Write the workspace of `plan` under `root`.
fn write_workspace(plan: &Plan, root: &Path) {
    let any_readme = plan.crates.iter().any(|k| k.readme);
    let any_license = plan.crates.iter().any(|k| k.license);
    let mut manifest = String::from(
        "[workspace]\nresolver = \"2\"\nmembers = [\"*/rust/*\"]\n\n\
         [workspace.package]\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    if any_readme {
        let readme = if plan.readme_in_docs {
            "docs/README.md"
        } else {
            "README.md"
        };
        manifest.push_str(&format!("readme = \"{readme}\"\n"));
    }
    if any_license {
        manifest.push_str("license-file = \"legal/LICENSE.txt\"\n");
    }
    manifest.push_str("\n[workspace.dependencies]\n");
    for i in 0..plan.crates.len() {
        if plan.crates[i].kind.has_lib() {
            manifest.push_str(&format!(
                "{} = {{ path = \"{}\" }}\n",
                plan.name(i),
                plan.logical(i)
            ));
        }
    }
    if plan.patch_used {
        manifest.push_str("itoa = \"1\"\n");
    }
    if plan.patch_used || plan.patch_unused {
        manifest.push_str("\n[patch.crates-io]\n");
        if plan.patch_used {
            manifest.push_str("itoa = { path = \"patches/itoa\" }\n");
        }
        if plan.patch_unused {
            manifest.push_str("unused_patch = { path = \"patches/unused_patch\" }\n");
        }
    }
    if plan.patch_git {
        manifest.push_str(
            "\n[patch.\"https://github.com/example/forked\"]\nforked = { path = \"third_party/forked\" }\n",
        );
    }
    write(root, "Cargo.toml", &manifest);
    write(root, "docs/intro.md", "# the workspace\n");
    write(root, "docs/unrelated.md", "not read by any build\n");
    if any_readme {
        if plan.readme_in_docs {
            write(root, "docs/README.md", "# the workspace\n");
        } else {
            link(root, "docs/intro.md", "README.md");
        }
    }
    write(root, "legal/LICENSE.txt", "MIT\n");
    write(root, "res/unrelated.txt", "not read by any build\n");
    let package = |name: &str, version: &str| {
        format!("[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\n")
    };
    let itoa = if plan.patch_linked {
        link(root, "../third_party/itoa-src", "patches/itoa");
        "third_party/itoa-src"
    } else {
        "patches/itoa"
    };
    write(
        root,
        &format!("{itoa}/Cargo.toml"),
        &package("itoa", "1.0.99"),
    );
    write(
        root,
        &format!("{itoa}/src/lib.rs"),
        "pub const LOCAL: usize = 5;\n",
    );
    write(
        root,
        "patches/unused_patch/Cargo.toml",
        &package("unused_patch", "0.1.0"),
    );
    write(root, "patches/unused_patch/src/lib.rs", "");
    write(
        root,
        "third_party/forked/Cargo.toml",
        &package("forked", "0.1.0"),
    );
    write(root, "third_party/forked/src/lib.rs", "");
    for i in 0..plan.crates.len() {
        write_crate(plan, root, i);
    }
}

fn write_crate(plan: &Plan, root: &Path, i: usize) {
    let k = &plan.crates[i];
    let name = plan.name(i);
    let dir = plan.physical(i);
    if dir != plan.logical(i) {
        link(
            root,
            &format!("{}{dir}", up(&plan.parent_of_logical(i))),
            &plan.logical(i),
        );
    }
    let mut m = format!(
        "[package]\nname = \"{name}\"\nversion.workspace = true\nedition.workspace = true\n"
    );
    if k.readme {
        m.push_str("readme.workspace = true\n");
    }
    if k.license {
        m.push_str("license-file.workspace = true\n");
    }
    if k.kind == Kind::Py {
        m.push_str("\n[lib]\ncrate-type = [\"cdylib\", \"rlib\"]\n");
        write(
            root,
            &format!("{dir}/pyproject.toml"),
            &format!(
                "[build-system]\nrequires = [\"maturin>=1,<2\"]\nbuild-backend = \"maturin\"\n\n\
                 [project]\nname = \"{name}\"\nversion = \"0.1.0\"\ndependencies = [\"cffi\"]\n\n\
                 [tool.maturin]\nbindings = \"cffi\"\n"
            ),
        );
    }
    let deps = plan.deps(i);
    for (table, edge) in [
        ("dependencies", Edge::Normal),
        ("dev-dependencies", Edge::Dev),
        ("build-dependencies", Edge::Build),
    ] {
        let mut lines: Vec<String> = deps
            .iter()
            .filter(|(_, e)| *e == edge)
            .map(|(j, _)| format!("{}.workspace = true", plan.name(*j)))
            .collect();
        if edge == Edge::Normal && plan.uses_itoa(i) {
            lines.push("itoa.workspace = true".to_string());
        }
        if !lines.is_empty() {
            m.push_str(&format!("\n[{table}]\n{}\n", lines.join("\n")));
        }
    }
    write(root, &format!("{dir}/Cargo.toml"), &m);

    // The items the crate's code is made of, and the sum `value()` returns.
    let src = format!("{dir}/src");
    let mut items = String::new();
    let mut sum = vec!["1".to_string()];
    for (j, edge) in &deps {
        if *edge == Edge::Normal {
            sum.push(format!("{}::value()", plan.name(*j)));
        }
    }
    if plan.uses_itoa(i) {
        sum.push("itoa::LOCAL".to_string());
    }
    if let Some(includes) = k.linked_source {
        let common = format!("common/{name}_shared.rs");
        let mut body = String::from("pub const SHARED: usize = 2;\n");
        if includes {
            // rustc resolves it from the folder of the link, not of its target.
            body.push_str(&format!(
                "pub const TEXT: &str = include_str!(\"{}res/{name}_shared.txt\");\n",
                up(&src)
            ));
            write(root, &format!("res/{name}_shared.txt"), "shared text\n");
            sum.push("shared::TEXT.len()".to_string());
        }
        write(root, &common, &body);
        link(
            root,
            &format!("{}{common}", up(&src)),
            &format!("{src}/shared.rs"),
        );
        items.push_str("mod shared;\n");
        sum.push("shared::SHARED".to_string());
    }
    match k.include {
        Include::None => {}
        Include::Str => {
            write(root, &format!("res/{name}.txt"), "text\n");
            items.push_str(&format!(
                "const RES: &str = include_str!(\"{}res/{name}.txt\");\n",
                up(&src)
            ));
            sum.push("RES.len()".to_string());
        }
        Include::BytesFromManifestDir => {
            write(root, &format!("res/{name}.bin"), "\u{1}\u{2}\u{3}");
            items.push_str(&format!(
                "static RES: &[u8] = include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{}res/{name}.bin\"));\n",
                up(&dir)
            ));
            sum.push("RES.len()".to_string());
        }
        Include::PathAttr { nested, submodule } => {
            let mut body = String::from("pub const U: usize = 3;\n");
            if submodule {
                body.push_str(&format!("pub mod {name}_sub;\n"));
                write(
                    root,
                    &format!("shared/{name}_sub.rs"),
                    "pub const SUB: usize = 6;\n",
                );
                sum.push(format!("util::{name}_sub::SUB"));
            }
            if nested {
                write(root, &format!("res/{name}_util.txt"), "util text\n");
                body.push_str(&format!(
                    "pub const UTIL: &str = include_str!(\"../res/{name}_util.txt\");\n"
                ));
                sum.push("util::UTIL.len()".to_string());
            }
            write(root, &format!("shared/{name}_util.rs"), &body);
            items.push_str(&format!(
                "#[path = \"{}shared/{name}_util.rs\"]\nmod util;\n",
                up(&src)
            ));
            sum.push("util::U".to_string());
        }
        Include::Rs { nested } => {
            let mut body = String::from("const GEN_N: usize = 4;\n");
            if nested {
                write(root, &format!("shared/{name}_gen.txt"), "generated\n");
                body.push_str(&format!(
                    "const GEN: &str = include_str!(\"{name}_gen.txt\");\n"
                ));
                sum.push("GEN.len()".to_string());
            }
            write(root, &format!("shared/{name}_gen.rs"), &body);
            items.push_str(&format!(
                "include!(\"{}shared/{name}_gen.rs\");\n",
                up(&src)
            ));
            sum.push("GEN_N".to_string());
        }
    }
    let value = format!("fn value() -> usize {{\n    {}\n}}\n", sum.join(" + "));
    match k.kind {
        Kind::Bin => write(
            root,
            &format!("{src}/main.rs"),
            &format!("{items}{value}\nfn main() {{\n    println!(\"{{}}\", value());\n}}\n"),
        ),
        Kind::Lib | Kind::LibBin | Kind::Py => {
            write(
                root,
                &format!("{src}/lib.rs"),
                &format!("{items}pub {value}"),
            );
            if k.kind == Kind::LibBin {
                write(
                    root,
                    &format!("{src}/main.rs"),
                    &format!("fn main() {{\n    println!(\"{{}}\", {name}::value());\n}}\n"),
                );
            }
        }
    }
}

impl Plan {
    /// The folder that holds the member folder (where its link is resolved from).
    fn parent_of_logical(&self, i: usize) -> String {
        format!("{}/rust", self.domain(i))
    }
}

/// The two tests of this file take turns. They share the target dir, where a crate's
/// fingerprint is relative to its workspace root: `alpha/rust/alpha_2` built by one test while
/// the other copies its own `alpha_2` would look fresh to the second, which would then judge
/// the first one's build.
static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn turn() -> std::sync::MutexGuard<'static, ()> {
    TURN.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The cargo target dir every build of this test run shares.
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("dockerfile-property-target")
}

fn cargo(dir: &Path, args: &[&str]) -> Output {
    Command::new(support::cargo())
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env_remove("RUSTC_WRAPPER")
        .output()
        .unwrap()
}

fn tool(root: &Path, args: &[&str]) -> Output {
    Command::new(support::bin())
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .args(["--color", "never", "-q"])
        .args(args)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env_remove("RUSTC_WRAPPER")
        .output()
        .unwrap()
}

fn show(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// One line of the ignore file, as this test reads it.
#[derive(Debug)]
enum Line {
    /// `*`: every path (each has a first component, which `*` matches).
    All,
    /// `**/target`: every path with a component named `target`.
    AnyTarget,
    /// A plain path: it, and everything below it.
    Path(String),
}

/// The test's own reading of an ignore file: (re-include, line), in order. Only the kinds of
/// line the tool writes for these workspaces; any other pattern fails the test.
fn read_ignore(text: &str) -> Vec<(bool, Line)> {
    let mut out = Vec::new();
    for raw in text.lines() {
        if raw.starts_with('#') || raw.trim().is_empty() {
            continue;
        }
        let (include, pattern) = match raw.trim().strip_prefix('!') {
            Some(p) => (true, p.trim()),
            None => (false, raw.trim()),
        };
        let pattern = pattern.trim_start_matches('/');
        let line = match pattern {
            "*" => Line::All,
            "**/target" => Line::AnyTarget,
            p if !p.contains(['*', '?', '[', '\\', '^', '$'])
                && !p.split('/').any(|c| c == ".." || c == "." || c.is_empty()) =>
            {
                Line::Path(p.to_string())
            }
            p => panic!("an ignore-file pattern this test does not read: `{p}`\n{text}"),
        };
        out.push((include, line));
    }
    out
}

/// Whether `path` is sent: the last line that matches it or a folder above it decides.
fn admitted(lines: &[(bool, Line)], path: &str) -> bool {
    let mut sent = true;
    for (include, line) in lines {
        let hit = match line {
            Line::All => true,
            Line::AnyTarget => path.split('/').any(|c| c == "target"),
            Line::Path(p) => path == p || path.starts_with(&format!("{p}/")),
        };
        if hit {
            sent = *include;
        }
    }
    sent
}

/// The manifest the Dockerfile writes with `COPY <<'EOF' Cargo.toml`.
fn heredoc_manifest(dockerfile: &str) -> String {
    let mut lines = dockerfile.lines();
    lines
        .by_ref()
        .find(|l| l.trim() == "COPY <<'EOF' Cargo.toml")
        .unwrap_or_else(|| panic!("no `COPY <<'EOF' Cargo.toml` in\n{dockerfile}"));
    let mut out = String::new();
    for line in lines {
        if line == "EOF" {
            return out;
        }
        out.push_str(line);
        out.push('\n');
    }
    panic!("the heredoc does not end in\n{dockerfile}");
}

/// The context BuildKit sends for the Dockerfile in `crate_dir`, in `ctx`: the heredoc manifest
/// first, then every admitted file and link of the tree (walked without following links, each
/// link recreated with its target text). Returns the admitted paths.
fn rebuild_context(root: &Path, crate_dir: &str, ignore: &str, ctx: &Path) -> Vec<String> {
    let dockerfile = std::fs::read_to_string(root.join(crate_dir).join("Dockerfile")).unwrap();
    let lines = read_ignore(ignore);
    std::fs::create_dir_all(ctx).unwrap();
    std::fs::write(ctx.join("Cargo.toml"), heredoc_manifest(&dockerfile)).unwrap();
    let mut sent = Vec::new();
    let mut stack = vec![String::new()];
    while let Some(rel) = stack.pop() {
        for entry in std::fs::read_dir(root.join(&rel)).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            let child = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                stack.push(child);
                continue;
            }
            if !admitted(&lines, &child) {
                continue;
            }
            let dst = ctx.join(&child);
            std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
            if kind.is_symlink() {
                let target = std::fs::read_link(root.join(&child)).unwrap();
                std::os::unix::fs::symlink(target, &dst).unwrap();
            } else {
                if dst.exists() {
                    std::fs::remove_file(&dst).unwrap();
                }
                std::fs::copy(root.join(&child), &dst).unwrap();
            }
            sent.push(child);
        }
    }
    sent.sort();
    sent
}

/// Whether `python3` can import cffi (maturin's cffi bindings need it to build a wheel).
fn have_cffi() -> bool {
    Command::new("python3")
        .args(["-c", "import cffi"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The test's judge of the image of crate `i` with the ignore file `ignore`, in the new folder
/// `ctx`: `cargo metadata --offline` in the rebuilt context, a PyO3 crate's inherited readme and
/// license readable there, and with `build`, `cargo build --offline -p CRATE`.
fn judge(
    plan: &Plan,
    root: &Path,
    i: usize,
    ignore: &str,
    ctx: &Path,
    build: bool,
) -> Result<(), String> {
    let name = plan.name(i);
    let sent = rebuild_context(root, &plan.logical(i), ignore, ctx);
    let sent = format!("sent:\n  {}", sent.join("\n  "));
    let out = cargo(ctx, &["metadata", "--offline", "--format-version", "1"]);
    if !out.status.success() {
        return Err(format!(
            "cargo metadata in the context of {name}:\n{sent}\n{}",
            show(&out)
        ));
    }
    let k = &plan.crates[i];
    if k.kind == Kind::Py {
        let readme = if plan.readme_in_docs {
            "docs/README.md"
        } else {
            "README.md"
        };
        // `metadata` follows a link: a dangling one fails.
        if k.readme && ctx.join(readme).metadata().is_err() {
            return Err(format!(
                "{name} lacks {readme}, which maturin reads\n{sent}"
            ));
        }
        if k.license && !ctx.join("legal/LICENSE.txt").is_file() {
            return Err(format!(
                "{name} lacks legal/LICENSE.txt, which maturin reads\n{sent}"
            ));
        }
    }
    if build {
        let out = cargo(ctx, &["build", "--offline", "-q", "-p", &name]);
        if !out.status.success() {
            return Err(format!(
                "cargo build -p {name} in its context:\n{sent}\n{}",
                show(&out)
            ));
        }
    }
    Ok(())
}

fn check(plan: &Plan, wheels: bool) -> Result<(), TestCaseError> {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("ws");
    write_workspace(plan, &root);
    // The generated workspace builds as it is: a failure below is the image's.
    let out = cargo(&root, &["build", "--offline", "--workspace", "-q"]);
    assert!(
        out.status.success(),
        "the workspace itself does not build:\n{}",
        show(&out)
    );

    let out = tool(&root, &["dockerfile"]);
    prop_assert_eq!(out.status.code(), Some(0), "dockerfile: {}", show(&out));
    let out = tool(&root, &["dockerfile", "--check"]);
    prop_assert_eq!(
        out.status.code(),
        Some(0),
        "dockerfile --check: {}",
        show(&out)
    );
    let out = tool(&root, &["dockerfile", "--verify"]);
    prop_assert_eq!(
        out.status.code(),
        Some(0),
        "dockerfile --verify: {}",
        show(&out)
    );

    let images: Vec<usize> = (0..plan.crates.len())
        .filter(|&i| plan.crates[i].kind.gets_image())
        .collect();
    for i in 0..plan.crates.len() {
        let has = root.join(plan.logical(i)).join("Dockerfile").is_file();
        prop_assert_eq!(has, plan.crates[i].kind.gets_image(), "{}", plan.name(i));
    }
    if plan.verify_build {
        let mut args = vec!["dockerfile", "--verify", "--build"];
        let names: Vec<String> = images
            .iter()
            .filter(|&&i| wheels || plan.crates[i].kind != Kind::Py)
            .map(|&i| plan.name(i))
            .collect();
        for n in &names {
            args.extend(["-p", n]);
        }
        if !names.is_empty() {
            VERIFY_BUILDS.fetch_add(1, Ordering::Relaxed);
            let out = tool(&root, &args);
            prop_assert_eq!(
                out.status.code(),
                Some(0),
                "dockerfile --verify --build: {}",
                show(&out)
            );
        }
    }

    CASES.fetch_add(1, Ordering::Relaxed);
    for (n, &i) in images.iter().enumerate() {
        IMAGES.fetch_add(1, Ordering::Relaxed);
        let dir = plan.logical(i);
        let ignore =
            std::fs::read_to_string(root.join(&dir).join("Dockerfile.dockerignore")).unwrap();
        let ctx = tmp.path().join(format!("ctx-{}", plan.name(i)));
        let build = plan.build_mask & (1 << (n % 16)) != 0;
        if build {
            BUILT.fetch_add(1, Ordering::Relaxed);
        }
        if let Err(e) = judge(plan, &root, i, &ignore, &ctx, build) {
            return Err(TestCaseError::fail(e));
        }
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

#[test]
fn every_image_of_a_generated_workspace_builds() {
    let _turn = turn();
    let wheels = {
        let (name, hint) = support::MATURIN;
        let maturin = support::require_tool(name, hint);
        let cffi = have_cffi();
        let in_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        assert!(
            cffi || !in_ci,
            "python3 cannot import cffi under CI=true; install it with `pip install cffi`"
        );
        if !cffi {
            eprintln!(
                "SKIPPED: wheels in --verify --build (python3 cannot import cffi: pip install cffi)"
            );
        }
        maturin && cffi
    };
    let config = ProptestConfig {
        cases: cases(),
        // A case takes about a second: shrinking a failure takes a few minutes at most.
        max_shrink_iters: 128,
        // Next to this file (an integration test has no lib.rs for `SourceParallel` to find):
        // tests/dockerfile_property.proptest-regressions, replayed first by every run.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        source_file: Some(file!()),
        ..ProptestConfig::default()
    };
    proptest!(config, |(plan in plan())| {
        check(&plan, wheels)?;
    });
    eprintln!(
        "{} case(s), {} image(s), {} built in the test's context, {} `--verify --build` run(s)",
        CASES.load(Ordering::Relaxed),
        IMAGES.load(Ordering::Relaxed),
        BUILT.load(Ordering::Relaxed),
        VERIFY_BUILDS.load(Ordering::Relaxed)
    );
}

/// The judge can fail: on one workspace with every feature of the generator, the context of
/// each image passes, and dropping any one `!` line of the PyO3 image's ignore file (but
/// `!Cargo.lock`, which cargo writes again) makes the same judge fail. The binary's image
/// depends on the others only through dev and build edges (no build script): `cargo build`
/// compiles neither, so only their manifests are needed, besides its own include.
#[test]
fn the_judge_fails_without_any_admitted_path() {
    let _turn = turn();
    let krate = |domain, kind, deps: Vec<(usize, Edge)>, folder, include| Krate {
        domain,
        kind,
        deps,
        readme: kind == Kind::Py,
        license: kind == Kind::Py,
        folder,
        linked_source: None,
        include,
        uses_itoa: false,
    };
    let mut crates = vec![
        krate(1, Kind::Lib, vec![], Folder::Vendor, Include::Str),
        krate(
            0,
            Kind::Lib,
            vec![],
            Folder::ThirdParty,
            Include::PathAttr {
                nested: true,
                submodule: true,
            },
        ),
        krate(
            0,
            Kind::Py,
            vec![(0, Edge::Normal), (1, Edge::Normal)],
            Folder::Plain,
            Include::Rs { nested: true },
        ),
        krate(
            1,
            Kind::Bin,
            vec![(2, Edge::Dev), (0, Edge::Build)],
            Folder::Plain,
            Include::BytesFromManifestDir,
        ),
    ];
    crates[0].linked_source = Some(true);
    crates[0].uses_itoa = true;
    let plan = Plan {
        domains: 2,
        crates,
        readme_in_docs: false,
        patch_used: true,
        patch_linked: true,
        patch_unused: true,
        patch_git: true,
        build_mask: u16::MAX,
        verify_build: false,
    };
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("ws");
    write_workspace(&plan, &root);
    let out = cargo(&root, &["build", "--offline", "--workspace", "-q"]);
    assert!(out.status.success(), "{}", show(&out));
    let out = tool(&root, &["dockerfile"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let mut dropped = Vec::new();
    for i in [2, 3] {
        let dir = plan.logical(i);
        let ignore =
            std::fs::read_to_string(root.join(&dir).join("Dockerfile.dockerignore")).unwrap();
        judge(
            &plan,
            &root,
            i,
            &ignore,
            &tmp.path().join(format!("ok-{i}")),
            true,
        )
        .unwrap();
        for (n, line) in ignore.lines().enumerate() {
            let judged = match plan.crates[i].kind {
                Kind::Py => line.starts_with('!') && line != "!Cargo.lock",
                _ => [
                    "!res/beta_3.bin",
                    "!alpha/rust/alpha_2",
                    "!vendor/beta_0-src",
                ]
                .contains(&line),
            };
            if !judged {
                continue;
            }
            let without: String = ignore
                .lines()
                .filter(|l| l != &line)
                .map(|l| format!("{l}\n"))
                .collect();
            let ctx = tmp.path().join(format!("without-{i}-{n}"));
            assert!(
                judge(&plan, &root, i, &without, &ctx, true).is_err(),
                "the image of {} passes without `{line}`",
                plan.name(i)
            );
            dropped.push(format!("{}: {line}", plan.name(i)));
        }
    }
    // What the generator put outside the crates' folders is among what was dropped.
    for path in [
        "alpha_2: !vendor/beta_0-src",
        "alpha_2: !common/beta_0_shared.rs",
        "alpha_2: !res/beta_0_shared.txt",
        "alpha_2: !res/beta_0.txt",
        "alpha_2: !shared/alpha_1_util.rs",
        "alpha_2: !res/alpha_1_util.txt",
        "alpha_2: !shared/alpha_1_sub.rs",
        "alpha_2: !shared/alpha_2_gen.rs",
        "alpha_2: !shared/alpha_2_gen.txt",
        "alpha_2: !third_party/itoa-src",
        "alpha_2: !patches/unused_patch",
        "alpha_2: !third_party/forked",
        "alpha_2: !docs/intro.md",
        "alpha_2: !legal/LICENSE.txt",
        "beta_3: !res/beta_3.bin",
        "beta_3: !alpha/rust/alpha_2",
        "beta_3: !vendor/beta_0-src",
    ] {
        assert!(
            dropped.iter().any(|d| d == path),
            "{path} not in {dropped:#?}"
        );
    }
}
