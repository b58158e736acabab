#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `lint-deps` against cargo's own verdict (issue 12): where cargo accepts a workspace, no
//! finding tells the user to break it; where cargo refuses it, a `deny` finding says so.
//!
//! Each workspace is written to a temporary directory and judged twice: by the binary under
//! test, and by `cargo metadata --format-version 1 --no-deps --offline` (path dependencies
//! only, so no network is needed).

use std::path::Path;
use std::process::Command;

mod support;

/// A workspace written from (path, text) pairs.
fn workspace(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), files);
    dir
}

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// `[package]` of a crate named `name` in `edition`.
fn package(name: &str, edition: &str) -> String {
    format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"{edition}\"\n")
}

/// What cargo says: `Ok(())` when `cargo metadata --no-deps` accepts the workspace, else its
/// error text.
fn cargo_verdict(dir: &Path) -> Result<(), String> {
    let out = Command::new(support::cargo())
        .current_dir(dir)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

struct Lint {
    code: i32,
    /// One JSON object per finding (the summary line left out).
    findings: Vec<serde_json::Value>,
    stderr: String,
}

impl Lint {
    /// The messages of one rule's findings.
    fn messages(&self, code: &str) -> Vec<&str> {
        self.findings
            .iter()
            .filter(|f| f["code"] == code)
            .map(|f| f["message"].as_str().unwrap())
            .collect()
    }

    fn codes(&self) -> Vec<&str> {
        self.findings
            .iter()
            .map(|f| f["code"].as_str().unwrap())
            .collect()
    }

    /// Findings of one rule at level `error`.
    fn errors(&self, code: &str) -> Vec<&serde_json::Value> {
        self.findings
            .iter()
            .filter(|f| f["code"] == code && f["level"] == "error")
            .collect()
    }
}

/// `lint-deps --format json ARGS` in `dir`.
fn lint(dir: &Path, args: &[&str]) -> Lint {
    let out = Command::new(support::bin())
        .current_dir(dir)
        .args(["--color", "never", "lint-deps", "--format", "json"])
        .args(args)
        .env_remove("CI")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    Lint {
        code: out.status.code().unwrap_or(-1),
        findings: stdout
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|v| v["type"] == "finding")
            .collect(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `lint-deps` (human) in `dir`: (exit code, stderr).
fn lint_human(dir: &Path, args: &[&str]) -> (i32, String) {
    let run = support::cli::lint_deps(dir, args);
    (run.code, run.stderr)
}

// ---------------------------------------------------------------------------------------------
// version-conflict and cargo-hakari.

/// Issue 12: `version-conflict` fired 44 times on a `workspace-hack` crate that
/// `not-inherited` already skipped. Both now share one predicate (hakari's marker).
#[test]
fn issue_12_a_workspace_hack_crate_is_not_a_version_conflict() {
    let hack = "[package]\nname = \"workspace-hack\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
                publish = false\n\n### BEGIN HAKARI SECTION\n[dependencies]\n\
                log = { version = \"0.4\", features = [\"std\"] }\n\
                log-dff4ba8e3ae991db = { package = \"log\", version = \"0.3\" }\n\
                ### END HAKARI SECTION\n";
    let files = [
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"app\", \"workspace-hack\"]\nresolver = \"2\"\n\n\
             [workspace.dependencies]\nlog = \"0.4\"\n",
        ),
        ("workspace-hack/Cargo.toml", hack),
        ("workspace-hack/src/lib.rs", ""),
        (
            "app/Cargo.toml",
            &format!(
                "{}\n[dependencies]\nlog.workspace = true\n",
                package("app", "2021")
            ),
        ),
        ("app/src/lib.rs", ""),
    ];
    let ws = workspace(&files);
    assert_eq!(cargo_verdict(ws.path()), Ok(()));
    let r = lint(ws.path(), &[]);
    assert_eq!(r.codes(), Vec::<&str>::new(), "{}", r.stderr);
    assert_eq!(r.code, 0);

    // The same entries in an ordinary member are a conflict.
    let plain = hack.replace("### BEGIN HAKARI SECTION\n", "");
    write(ws.path(), &[("workspace-hack/Cargo.toml", &plain)]);
    let r = lint(ws.path(), &[]);
    assert!(r.codes().contains(&"version-conflict"), "{:?}", r.codes());
}

// ---------------------------------------------------------------------------------------------
// orphan-crate and symlinked members.

/// Issue 12: `members = ["packages/*"]` with `packages/shared -> ../vendor/shared-src`. The
/// link's target was reported as an orphan with the help "add `vendor/shared-src` to
/// `workspace.members`", which makes cargo fail with "two packages named `shared`".
#[cfg(unix)]
#[test]
fn issue_12_the_target_of_a_symlinked_member_is_not_an_orphan() {
    let ws = workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"packages/*\"]\nresolver = \"2\"\n\n\
             [workspace.dependencies]\nshared = { path = \"packages/shared\" }\n",
        ),
        ("vendor/shared-src/Cargo.toml", &package("shared", "2021")),
        ("vendor/shared-src/src/lib.rs", ""),
        (
            "packages/app/Cargo.toml",
            &format!(
                "{}\n[dependencies]\nshared.workspace = true\n",
                package("app", "2021")
            ),
        ),
        ("packages/app/src/lib.rs", ""),
    ]);
    let dir = ws.path();
    std::os::unix::fs::symlink("../vendor/shared-src", dir.join("packages/shared")).unwrap();

    // Clean in cargo's eyes and in ours: outside git (the tree is walked) and in git (the
    // index lists `vendor/shared-src/Cargo.toml`; the link itself is a symlink blob).
    assert_eq!(cargo_verdict(dir), Ok(()));
    let r = lint(dir, &[]);
    assert_eq!(r.codes(), Vec::<&str>::new(), "{}", r.stderr);
    assert_eq!(r.code, 0);
    let repo = support::git::Repo::init(dir);
    repo.commit_all("init");
    let r = lint(dir, &[]);
    assert_eq!(r.codes(), Vec::<&str>::new(), "{}", r.stderr);

    // What the old help suggested breaks cargo, so it must not be suggested.
    let root = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    let broken = root.replace(
        "members = [\"packages/*\"]",
        "members = [\"packages/*\", \"vendor/shared-src\"]",
    );
    write(dir, &[("Cargo.toml", &broken)]);
    let err = cargo_verdict(dir).unwrap_err();
    assert!(err.contains("two packages named `shared`"), "{err}");
}

/// A real orphan still is one, and its help (add it to `members`) is what cargo accepts.
#[test]
fn an_orphan_is_reported_and_its_help_satisfies_cargo() {
    let ws = workspace(&[
        ("Cargo.toml", "[workspace]\nmembers = [\"crates/a\"]\n"),
        ("crates/a/Cargo.toml", &package("a", "2021")),
        ("crates/a/src/lib.rs", ""),
        ("tools/gen/Cargo.toml", &package("gen", "2021")),
        ("tools/gen/src/lib.rs", ""),
    ]);
    let dir = ws.path();
    let r = lint(dir, &[]);
    assert_eq!(r.codes(), ["orphan-crate"]);
    assert_eq!(r.findings[0]["dependency"], "tools/gen");
    // cargo refuses the orphan itself, and accepts the workspace once it is a member.
    assert!(cargo_verdict(&dir.join("tools/gen")).is_err());
    write(
        dir,
        &[(
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/a\", \"tools/gen\"]\n",
        )],
    );
    assert_eq!(cargo_verdict(dir), Ok(()));
    assert_eq!(cargo_verdict(&dir.join("tools/gen")), Ok(()));
    assert_eq!(lint(dir, &[]).codes(), Vec::<&str>::new());
}

// ---------------------------------------------------------------------------------------------
// deprecated-spelling: underscore keys cargo refuses in edition 2024.

/// A workspace with one member `a` of `edition` (its manifest ends with `member_extra`), and
/// a path crate `memchr` 2.0.0 that the root declares as
/// `memchr = { version = "2", path = "memchr"<root_extra> }`, so nothing needs the network.
fn spelling_workspace(edition: &str, member_extra: &str, root_extra: &str) -> tempfile::TempDir {
    workspace(&[
        (
            "Cargo.toml",
            &format!(
                "[workspace]\nmembers = [\"a\"]\nresolver = \"2\"\n\n[workspace.dependencies]\n\
                 memchr = {{ version = \"2\", path = \"memchr\"{root_extra} }}\n"
            ),
        ),
        (
            "memchr/Cargo.toml",
            "[package]\nname = \"memchr\"\nversion = \"2.0.0\"\nedition = \"2021\"\n",
        ),
        ("memchr/src/lib.rs", ""),
        (
            "a/Cargo.toml",
            &format!("{}\n{member_extra}\n", package("a", edition)),
        ),
        ("a/src/lib.rs", ""),
        ("a/src/main.rs", "fn main() {}\n"),
        ("a/examples/ex.rs", "fn main() {}\n"),
        ("a/tests/t.rs", ""),
        ("a/benches/b.rs", ""),
    ])
}

/// Each underscore spelling, where it is written. cargo refuses every one of them in edition
/// 2024 and accepts them (with a warning) before; `lint-deps` reports `deprecated-spelling` at
/// `deny` exactly when cargo refuses.
const SPELLINGS: [(&str, &str, &str, &str); 12] = [
    // (case, member manifest tail, root entry tail, the key reported)
    (
        "inherited from the root entry",
        "[dependencies]\nmemchr = { workspace = true }",
        ", default_features = false",
        "default_features",
    ),
    (
        "a direct dependency",
        "[dependencies]\nmemchr = { version = \"2\", path = \"../memchr\", default_features = false }",
        "",
        "default_features",
    ),
    (
        "dev_dependencies",
        "[dev_dependencies]\nmemchr.workspace = true",
        "",
        "dev_dependencies",
    ),
    (
        "build_dependencies",
        "[build_dependencies]\nmemchr.workspace = true",
        "",
        "build_dependencies",
    ),
    (
        "a target's dev_dependencies",
        "[target.'cfg(unix)'.dev_dependencies]\nmemchr.workspace = true",
        "",
        "dev_dependencies",
    ),
    (
        "a target's build_dependencies",
        "[target.'cfg(unix)'.build_dependencies]\nmemchr.workspace = true",
        "",
        "build_dependencies",
    ),
    (
        "lib crate_type",
        "[lib]\ncrate_type = [\"rlib\"]",
        "",
        "crate_type",
    ),
    (
        "lib proc_macro",
        "[lib]\nproc_macro = false",
        "",
        "proc_macro",
    ),
    (
        "bin crate_type",
        "[[bin]]\nname = \"a\"\npath = \"src/main.rs\"\ncrate_type = []",
        "",
        "crate_type",
    ),
    (
        "example crate_type",
        "[[example]]\nname = \"ex\"\ncrate_type = [\"bin\"]",
        "",
        "crate_type",
    ),
    (
        "test proc_macro",
        "[[test]]\nname = \"t\"\nproc_macro = false",
        "",
        "proc_macro",
    ),
    (
        "bench proc_macro",
        "[[bench]]\nname = \"b\"\nproc_macro = false",
        "",
        "proc_macro",
    ),
];

#[test]
fn issue_12_underscore_spellings_are_denied_exactly_where_cargo_refuses_them() {
    for (case, member, root, key) in SPELLINGS {
        for edition in ["2021", "2024"] {
            let ws = spelling_workspace(edition, member, root);
            let verdict = cargo_verdict(ws.path());
            let r = lint(ws.path(), &[]);
            let denied = r.errors("deprecated-spelling");
            assert_eq!(
                verdict.is_err(),
                !denied.is_empty(),
                "{case}, edition {edition}: cargo says {verdict:?}, lint-deps found {:?}",
                r.findings
            );
            assert_eq!(verdict.is_err(), edition == "2024", "{case}: {verdict:?}");
            if let Err(err) = verdict {
                assert_eq!(r.code, 1, "{case}: {}", r.stderr);
                // The finding's message is cargo's own reason.
                let message = denied[0]["message"].as_str().unwrap();
                assert!(err.contains(message), "{case}: {message:?} not in {err}");
                assert!(message.starts_with(&format!("`{key}` is unsupported")));
                assert_eq!(denied.len(), 1, "{case}: {denied:?}");
            }
        }
    }
}

/// Issue 12, item 2: the root's `memchr = { version = "2", default_features = false }`
/// inherited by an edition-2024 member. cargo stops ("`default_features` is unsupported as of
/// the 2024 edition; instead use `default-features`", reported while loading the member);
/// `lint-deps` said clean. The finding points at the root entry's key, file and line.
#[test]
fn issue_12_an_inherited_default_features_points_at_the_root_entry() {
    let ws = spelling_workspace(
        "2024",
        "[dependencies]\nmemchr = { workspace = true }",
        ", default_features = false",
    );
    let err = cargo_verdict(ws.path()).unwrap_err();
    assert!(
        err.contains("`default_features` is unsupported as of the 2024 edition; instead use `default-features`"),
        "{err}"
    );
    let (code, human) = lint_human(ws.path(), &[]);
    assert_eq!(code, 1, "{human}");
    assert!(
        human.contains(
            "error[deprecated-spelling]: `default_features` is unsupported as of the 2024 \
             edition; instead use `default-features`"
        ),
        "{human}"
    );
    assert!(human.contains("--> Cargo.toml:6:44"), "{human}");
    assert!(
        human.contains("inherited by edition-2024 member `a`"),
        "{human}"
    );
    assert!(human.contains("help: write `default-features`"), "{human}");

    // The help satisfies cargo; and next to `workspace = true` the underscore is not copied
    // from the member, so cargo accepts it there (and so does lint-deps).
    let root = std::fs::read_to_string(ws.path().join("Cargo.toml")).unwrap();
    write(
        ws.path(),
        &[(
            "Cargo.toml",
            &root.replace("default_features = false", "default-features = false"),
        )],
    );
    assert_eq!(cargo_verdict(ws.path()), Ok(()));
    write(
        ws.path(),
        &[(
            "a/Cargo.toml",
            &format!(
                "{}\n[dependencies]\nmemchr = {{ workspace = true, default_features = false }}\n",
                package("a", "2024")
            ),
        )],
    );
    assert_eq!(cargo_verdict(ws.path()), Ok(()));
    let r = lint(ws.path(), &[]);
    assert_eq!(r.codes(), Vec::<&str>::new(), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// duplicate-versions: output that scales.

/// A workspace of `n` members (`m000`, ...) and a `Cargo.lock` in which the even ones pull
/// `itoa` 1.0.19 and the odd ones `itoa` 0.4.8.
fn many_members_two_versions(n: usize) -> tempfile::TempDir {
    let mut files: Vec<(String, String)> = vec![(
        "Cargo.toml".into(),
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n".into(),
    )];
    let mut lock = String::from("# This file is automatically @generated by Cargo.\nversion = 4\n");
    let registry = "registry+https://github.com/rust-lang/crates.io-index";
    for version in ["0.4.8", "1.0.19"] {
        lock.push_str(&format!(
            "\n[[package]]\nname = \"itoa\"\nversion = \"{version}\"\nsource = \"{registry}\"\n"
        ));
    }
    for i in 0..n {
        let name = format!("m{i:03}");
        let itoa = if i % 2 == 0 { "1.0.19" } else { "0.4.8" };
        files.push((
            format!("crates/{name}/Cargo.toml"),
            format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
        ));
        lock.push_str(&format!(
            "\n[[package]]\nname = \"{name}\"\nversion = \"0.1.0\"\ndependencies = [\n \"itoa {itoa}\",\n]\n"
        ));
    }
    files.push(("Cargo.lock".into(), lock));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    workspace(&refs)
}

/// Issue 12, item 5: one `duplicate-versions` finding on a 190-member workspace was 7 kB (every
/// member named per version) and the JSON report 1.8 MB. Now each version has a count and the
/// first three members; the full lists are in the JSON report under `-v` only.
#[test]
fn issue_12_duplicate_versions_stays_small_on_200_members() {
    let ws = many_members_two_versions(200);
    let (code, human) = lint_human(ws.path(), &[]);
    assert_eq!(code, 0, "{human}");
    let block = human
        .split("\n\n")
        .find(|b| b.contains("warning[duplicate-versions]"))
        .unwrap();
    assert!(block.len() < 600, "{} bytes:\n{block}", block.len());
    assert!(
        block.contains(
            "versions: 0.4.8 (100 members: m001, m003, m005 and 97 more); \
             1.0.19 (100 members: m000, m002, m004 and 97 more)"
        ),
        "{block}"
    );

    let r = lint(ws.path(), &[]);
    assert_eq!(r.codes(), ["duplicate-versions"]);
    let line = r.findings[0].to_string();
    assert!(line.len() < 1_000, "{} bytes: {line}", line.len());
    assert!(r.findings[0].get("lists").is_none(), "{line}");

    // `-v`: every member, per version.
    let r = lint(ws.path(), &["-v"]);
    let lists = r.findings[0]["lists"].as_array().unwrap();
    let members = |i: usize| -> Vec<&str> {
        lists[i]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect()
    };
    assert_eq!(lists.len(), 2);
    assert_eq!(lists[0]["label"], "0.4.8");
    assert_eq!(lists[1]["label"], "1.0.19");
    assert_eq!(members(0).len(), 100);
    assert_eq!(members(1).len(), 100);
    assert!(members(0).contains(&"m199") && members(1).contains(&"m198"));
}

// ---------------------------------------------------------------------------------------------
// pyo3-layout: maturin's view.

/// A workspace with one maturin crate `px` at `py/px`: `pyproject_tail` is appended to its
/// pyproject.toml (after `[tool.maturin]`), `lib_rs` is its `src/lib.rs` (none when empty,
/// then it gets a `src/main.rs`).
fn maturin_workspace(cargo_tail: &str, pyproject_tail: &str, lib_rs: &str) -> tempfile::TempDir {
    let mut files = vec![
        (
            "Cargo.toml",
            format!(
                "[workspace]\nmembers = [\"py/*\"]\nresolver = \"2\"\n\n[workspace.dependencies]\n{}",
                if cargo_tail.contains("pyo3") {
                    "pyo3 = \"0.30\"\n"
                } else {
                    ""
                }
            ),
        ),
        (
            "py/px/Cargo.toml",
            format!("{}{cargo_tail}", package("px", "2021")),
        ),
        (
            "py/px/pyproject.toml",
            format!(
                "[build-system]\nrequires = [\"maturin>=1,<2\"]\nbuild-backend = \"maturin\"\n\n\
                 [project]\nname = \"px\"\nversion = \"0.1.0\"\n\n[tool.maturin]\n{pyproject_tail}"
            ),
        ),
    ];
    if lib_rs.is_empty() {
        files.push(("py/px/src/main.rs", "fn main() {}\n".to_string()));
    } else {
        files.push(("py/px/src/lib.rs", lib_rs.to_string()));
    }
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    workspace(&refs)
}

const PYO3_LIB: &str =
    "\n[lib]\ncrate-type = [\"cdylib\"]\n\n[dependencies]\npyo3.workspace = true\n";

/// What maturin says about the crate, when maturin is installed: `Some(warning)` with its
/// "Couldn't find the symbol `PyInit_...`" line if it printed one, `Some("")` if it built the
/// wheel without it. Built offline (pyo3 from the local registry cache) into `target`.
fn maturin_verdict(crate_dir: &Path, target: &Path) -> Option<String> {
    let (name, hint) = support::MATURIN;
    if !support::require_tool(name, hint) {
        return None;
    }
    let out = Command::new("maturin")
        .current_dir(crate_dir)
        .args(["build", "--offline", "-i", "python3"])
        .env("CARGO_TARGET_DIR", target)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        // Offline without pyo3 in the cache, or no Python: maturin has no verdict here.
        eprintln!(
            "maturin could not build, so only the documented behaviour is checked:\n{stderr}"
        );
        return None;
    }
    Some(
        stderr
            .lines()
            .find(|l| l.contains("Couldn't find the symbol"))
            .unwrap_or_default()
            .to_string(),
    )
}

/// Issue 12: `module-name` was compared with `[lib] name`, but Python calls the `PyInit_<name>`
/// the `#[pymodule]` exports: its function (or `mod`) name, or `#[pyo3(name = "...")]` /
/// `#[pymodule(name = "...")]` (PyO3 docs, attribute macro `pymodule`). maturin checks the
/// same after building and warns "Couldn't find the symbol `PyInit_<name>` in the native
/// library. Python will fail to import this module." Without maturin installed, the expected
/// answers below are what those docs say.
#[test]
fn issue_12_module_name_is_checked_against_the_pymodule_as_maturin_does() {
    let target = tempfile::tempdir().unwrap();
    let cases = [
        // (case, module-name line, lib.rs, maturin warns / we report)
        (
            "dotted module-name, function named otherwise",
            "module-name = \"pkg._native\"\n",
            "use pyo3::prelude::*;\n\n#[pymodule]\nfn native(_m: &Bound<'_, PyModule>) -> PyResult<()> {\n    Ok(())\n}\n",
            true,
        ),
        (
            "dotted module-name, #[pymodule(name)] agrees (the [lib] name `px` does not matter)",
            "module-name = \"pkg._native\"\n",
            "use pyo3::prelude::*;\n\n#[pymodule(name = \"_native\")]\nfn native(_m: &Bound<'_, PyModule>) -> PyResult<()> {\n    Ok(())\n}\n",
            false,
        ),
        (
            "#[pyo3(name)] agrees",
            "module-name = \"_native\"\n",
            "use pyo3::prelude::*;\n\n#[pymodule]\n#[pyo3(name = \"_native\")]\nfn native(_m: &Bound<'_, PyModule>) -> PyResult<()> {\n    Ok(())\n}\n",
            false,
        ),
        (
            "no module-name: the library name `px` is imported",
            "",
            "use pyo3::prelude::*;\n\n#[pymodule]\nmod other {}\n",
            true,
        ),
        (
            "no #[pymodule] in lib.rs: nothing is said",
            "module-name = \"pkg._native\"\n",
            "use pyo3::prelude::*;\n\nmod inner;\n",
            false,
        ),
    ];
    for (case, module_name, lib_rs, mismatch) in cases {
        let ws = maturin_workspace(PYO3_LIB, module_name, lib_rs);
        assert_eq!(cargo_verdict(ws.path()), Ok(()), "{case}");
        let r = lint(ws.path(), &[]);
        let ours = r.messages("pyo3-layout");
        assert_eq!(!ours.is_empty(), mismatch, "{case}: {ours:?} {}", r.stderr);
        assert_eq!(r.codes().len(), ours.len(), "{case}: {:?}", r.codes());
        if case.starts_with("no #[pymodule]") {
            // maturin would warn here too (no `PyInit_` at all), but what the library
            // exports is not visible without `mod inner`'s source: nothing is better than a
            // guess.
            continue;
        }
        if let Some(warning) = maturin_verdict(&ws.path().join("py/px"), target.path()) {
            assert_eq!(
                !warning.is_empty(),
                mismatch,
                "{case}: maturin said {warning:?}"
            );
        }
    }
}

/// With no `module-name` and no `[lib] name`, maturin names the module after the last dotted
/// part of `[project] name` (`fast.native` is imported as `native`), as it reads `module-name`.
#[test]
fn a_dotted_project_name_is_imported_by_its_last_part_as_maturin_builds_it() {
    let target = tempfile::tempdir().unwrap();
    for (pymodule, mismatch) in [("native", false), ("other", true)] {
        let lib_rs = format!(
            "use pyo3::prelude::*;\n\n#[pymodule]\nfn {pymodule}(_m: &Bound<'_, PyModule>) -> PyResult<()> {{\n    Ok(())\n}}\n"
        );
        let ws = maturin_workspace(PYO3_LIB, "", &lib_rs);
        let pyproject = ws.path().join("py/px/pyproject.toml");
        let text = std::fs::read_to_string(&pyproject).unwrap();
        std::fs::write(
            &pyproject,
            text.replace("name = \"px\"", "name = \"fast.native\""),
        )
        .unwrap();
        let r = lint(ws.path(), &[]);
        let ours = r.messages("pyo3-layout");
        assert_eq!(
            !ours.is_empty(),
            mismatch,
            "{pymodule}: {ours:?} {}",
            r.stderr
        );
        if mismatch {
            assert!(ours[0].contains("is imported as `native`"), "{ours:?}");
        }
        if let Some(warning) = maturin_verdict(&ws.path().join("py/px"), target.path()) {
            assert_eq!(
                !warning.is_empty(),
                mismatch,
                "{pymodule}: maturin said {warning:?}"
            );
        }
    }
}

/// Issue 12: maturin `bindings = "bin"` builds a wheel of the crate's binaries (uv's
/// `crates/uv-build`): no `cdylib` and no `#[pymodule]` are needed, so none is asked for.
/// And a crate whose pyproject.toml names another build backend is not a maturin crate.
#[test]
fn issue_12_binary_wheels_and_other_backends_need_no_cdylib() {
    let target = tempfile::tempdir().unwrap();
    let ws = maturin_workspace("", "bindings = \"bin\"\nmodule-name = \"uv_build\"\n", "");
    assert_eq!(cargo_verdict(ws.path()), Ok(()));
    let r = lint(ws.path(), &[]);
    assert_eq!(r.codes(), Vec::<&str>::new(), "{}", r.stderr);
    if let Some(warning) = maturin_verdict(&ws.path().join("py/px"), target.path()) {
        assert_eq!(warning, "", "maturin built the binary wheel with a warning");
    }

    // Without `bindings`, maturin detects the same from a crate that only has binaries.
    let ws = maturin_workspace("", "module-name = \"tool\"\n", "");
    let r = lint(ws.path(), &[]);
    assert_eq!(r.codes(), Vec::<&str>::new(), "{}", r.stderr);
    if let Some(warning) = maturin_verdict(&ws.path().join("py/px"), target.path()) {
        assert_eq!(warning, "", "maturin built the binary wheel with a warning");
    }

    // A pyo3 crate without a cdylib, built by setuptools-rust: not ours to judge.
    let ws = maturin_workspace(
        "\n[dependencies]\npyo3 = { workspace = true, features = [\"extension-module\"] }\n",
        "",
        "pub fn f() {}\n",
    );
    let py = ws.path().join("py/px/pyproject.toml");
    let text = std::fs::read_to_string(&py).unwrap().replace(
        "requires = [\"maturin>=1,<2\"]\nbuild-backend = \"maturin\"",
        "requires = [\"setuptools\", \"setuptools-rust\"]\nbuild-backend = \"setuptools.build_meta\"",
    );
    std::fs::write(&py, text).unwrap();
    let r = lint(ws.path(), &[]);
    assert_eq!(r.codes(), Vec::<&str>::new(), "{}", r.stderr);

    // With maturin as the backend, the missing cdylib is reported.
    let ws = maturin_workspace(
        "\n[dependencies]\npyo3 = { workspace = true, features = [\"extension-module\"] }\n",
        "",
        "pub fn f() {}\n",
    );
    let r = lint(ws.path(), &[]);
    assert_eq!(r.codes(), ["pyo3-layout"], "{}", r.stderr);
}

/// An orphan named like a member (a copied or vendored crate): listing it in `members`, the
/// usual help, makes cargo fail with "two packages named"; the help says `exclude`, which
/// cargo accepts, and the orphan is then gone.
#[test]
fn an_orphan_named_like_a_member_is_told_to_be_excluded_not_added() {
    let ws = workspace(&[
        ("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n"),
        ("crates/core/Cargo.toml", &package("core_lib", "2021")),
        ("crates/core/src/lib.rs", ""),
        ("old/core/Cargo.toml", &package("core_lib", "2021")),
        ("old/core/src/lib.rs", ""),
    ]);
    let dir = ws.path();
    assert_eq!(cargo_verdict(dir), Ok(()));
    let r = lint(dir, &[]);
    assert_eq!(r.codes(), ["orphan-crate"]);
    let help = r.findings[0]["help"].as_str().unwrap();
    assert!(
        help.starts_with("add \"old/core\" to `workspace.exclude`"),
        "{help}"
    );
    assert!(!help.contains("workspace.members`,"), "{help}");

    // What the usual help says breaks cargo; what this one says does not.
    let members = "[workspace]\nmembers = [\"crates/*\", \"old/core\"]\n";
    write(dir, &[("Cargo.toml", members)]);
    let err = cargo_verdict(dir).unwrap_err();
    assert!(err.contains("two packages named `core_lib`"), "{err}");
    let excluded = "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"old/core\"]\n";
    write(dir, &[("Cargo.toml", excluded)]);
    assert_eq!(cargo_verdict(dir), Ok(()));
    assert_eq!(lint(dir, &[]).codes(), Vec::<&str>::new());
}
