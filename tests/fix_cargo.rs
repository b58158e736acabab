#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `lint-deps --fix` changes only what it says, judged by cargo itself (issue 12, items 2 and
//! 4): each test writes a small workspace into a temporary directory, runs the binary, and asks
//! cargo what it makes of the result — `cargo metadata --no-deps` for what every member
//! declares (no registry needed), `cargo package --no-verify --exclude-lockfile` for whether a
//! member still packages (offline: path dependencies only).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

mod support;

use support::cli::{Run, lint_deps as lint};
use support::write_workspace as workspace;

/// (code, dependency) of every finding of a `--format json` run.
fn findings(r: &Run) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "finding")
        .map(|v| {
            (
                v["code"].as_str().unwrap().to_string(),
                format!(
                    "{} {}",
                    v["package"].as_str().unwrap_or("-"),
                    v["dependency"].as_str().unwrap_or("-")
                ),
            )
        })
        .collect();
    out.sort();
    out
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

fn cargo(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(support::cargo())
        .current_dir(dir)
        .args(args)
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .unwrap()
}

/// What cargo says each package declares (`cargo metadata --no-deps`): package name -> one
/// line per dependency with its crate, rename, requirement, kind, target, features, optional,
/// default features, source and path.
fn declared(dir: &Path) -> BTreeMap<String, Vec<String>> {
    let out = cargo(
        dir,
        &[
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ],
    );
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let root = dir.display().to_string();
    v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let mut deps: Vec<String> = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    let mut d = d.clone();
                    if let Some(path) = d["path"].as_str() {
                        d["path"] = path.replace(&root, "[ROOT]").into();
                    }
                    d.to_string()
                })
                .collect();
            deps.sort();
            (p["name"].as_str().unwrap().to_string(), deps)
        })
        .collect()
}

/// Whether `cargo package -p member` succeeds (offline, no lockfile, no build), with its
/// stderr.
fn packages(dir: &Path, member: &str) -> (bool, String) {
    let out = cargo(
        dir,
        &[
            "package",
            "--no-verify",
            "--allow-dirty",
            "--offline",
            "--exclude-lockfile",
            "-p",
            member,
        ],
    );
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn package(name: &str, deps: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"{name}\"\n\n{deps}"
    )
}

// ---------------------------------------------------------------------------------------------
// Case 1: a member that agrees with the root entry is fixed, whatever another member asks for.

#[test]
fn a_compatible_literal_is_inherited_even_when_another_member_conflicts() {
    let ws = workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n\n[workspace.dependencies]\nitoa = \"1\"\n",
        ),
        (
            "a/Cargo.toml",
            &package("a", "[dependencies]\nitoa = \"1\"\n"),
        ),
        (
            "b/Cargo.toml",
            &package("b", "[dependencies]\nitoa = \"0.4\"\n"),
        ),
    ]);
    let before = declared(ws.path());
    let b_before = read(ws.path(), "b/Cargo.toml");
    let r = lint(ws.path(), &["--fix", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        read(ws.path(), "a/Cargo.toml").contains("itoa.workspace = true\n"),
        "a was not fixed"
    );
    assert_eq!(read(ws.path(), "b/Cargo.toml"), b_before, "b was rewritten");
    assert_eq!(
        read(ws.path(), "Cargo.toml"),
        "[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n\n[workspace.dependencies]\nitoa = \"1\"\n"
    );
    // Only b is left, reported twice: its conflict and its literal.
    assert_eq!(
        findings(&r),
        [
            ("not-inherited".to_string(), "b itoa".to_string()),
            ("version-conflict".to_string(), "b itoa".to_string()),
        ]
    );
    // Cargo sees the same declarations.
    assert_eq!(declared(ws.path()), before);
}

// ---------------------------------------------------------------------------------------------
// Case 2: a conflict is never "fixed" by a second, renamed root entry.

#[test]
fn a_second_major_version_is_not_hoisted_under_a_renamed_key() {
    let root = "[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n\n[workspace.dependencies]\nitoa = \"1\"\n";
    let b = package(
        "b",
        "[dependencies]\nitoa-0_4 = { package = \"itoa\", version = \"0.4\" }\n",
    );
    let ws = workspace(&[
        ("Cargo.toml", root),
        (
            "a/Cargo.toml",
            &package("a", "[dependencies]\nitoa.workspace = true\n"),
        ),
        ("b/Cargo.toml", &b),
    ]);
    let before = declared(ws.path());
    let r = lint(ws.path(), &["--fix", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(read(ws.path(), "Cargo.toml"), root, "the root was changed");
    assert_eq!(read(ws.path(), "b/Cargo.toml"), b, "b was rewritten");
    assert_eq!(
        findings(&r),
        [
            ("not-inherited".to_string(), "b itoa-0_4".to_string()),
            ("version-conflict".to_string(), "b itoa".to_string()),
        ]
    );
    let human = lint(ws.path(), &[]);
    assert!(
        human
            .stderr
            .contains("hoisting it would put a second requirement for `itoa`"),
        "{}",
        human.stderr
    );
    assert_eq!(declared(ws.path()), before);
}

#[test]
fn members_that_disagree_under_two_keys_are_both_left_alone() {
    let a = package("a", "[dependencies]\nitoa = \"1\"\n");
    let b = package(
        "b",
        "[dependencies]\nold = { package = \"itoa\", version = \"0.4\" }\n",
    );
    let root = "[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n";
    let ws = workspace(&[
        ("Cargo.toml", root),
        ("a/Cargo.toml", &a),
        ("b/Cargo.toml", &b),
    ]);
    let r = lint(ws.path(), &["--fix", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(read(ws.path(), "Cargo.toml"), root);
    assert_eq!(read(ws.path(), "a/Cargo.toml"), a);
    assert_eq!(read(ws.path(), "b/Cargo.toml"), b);
}

// ---------------------------------------------------------------------------------------------
// Case 3: a hoisted path dependency keeps its `version`, so every member still packages.

#[test]
fn a_hoisted_path_dependency_keeps_its_version_and_members_still_package() {
    let ws = workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"a\", \"b\", \"c\", \"util\"]\nresolver = \"2\"\n",
        ),
        // a has no version: it cannot be packaged before the fix.
        (
            "a/Cargo.toml",
            &package("a", "[dependencies]\nutil = { path = \"../util\" }\n"),
        ),
        (
            "b/Cargo.toml",
            &package(
                "b",
                "[dependencies]\nutil = { path = \"../util\", version = \"0.1.0\" }\n",
            ),
        ),
        (
            "c/Cargo.toml",
            &package(
                "c",
                "[build-dependencies]\nutil = { version = \"0.1\", path = \"../util\" }\n",
            ),
        ),
        ("util/Cargo.toml", &package("util", "")),
    ]);
    let members = ["a", "b", "c", "util"];
    let before: Vec<bool> = members.iter().map(|m| packages(ws.path(), m).0).collect();
    assert_eq!(before, [false, true, true, true]);
    let r = lint(ws.path(), &["--fix"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let root = read(ws.path(), "Cargo.toml");
    assert!(
        root.contains("util = { version = \"0.1.0\", path = \"util\" }"),
        "{root}"
    );
    for (m, ok) in members.iter().zip(before) {
        let (now, err) = packages(ws.path(), m);
        assert!(
            now || !ok,
            "{m} packaged before --fix and no longer does: {err}"
        );
    }
}

#[test]
fn an_existing_path_entry_without_a_version_gets_the_members_version() {
    let ws = workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"b\", \"util\"]\nresolver = \"2\"\n\n[workspace.dependencies]\nutil = { path = \"util\" }\n",
        ),
        (
            "b/Cargo.toml",
            &package(
                "b",
                "[dependencies]\nutil = { path = \"../util\", version = \"0.1.0\" }\n",
            ),
        ),
        ("util/Cargo.toml", &package("util", "")),
    ]);
    assert!(packages(ws.path(), "b").0);
    let r = lint(ws.path(), &["--fix"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let root = read(ws.path(), "Cargo.toml");
    assert!(
        root.contains("util = { path = \"util\", version = \"0.1.0\" }"),
        "{root}"
    );
    let (ok, err) = packages(ws.path(), "b");
    assert!(ok, "{err}");
}

// ---------------------------------------------------------------------------------------------
// Case 7: a member renames an inherited dependency with `package` (issue 12, item 2).

#[test]
fn a_renamed_inherited_dependency_gets_the_right_help_and_keeps_its_root_entry() {
    let root = "[workspace]\nmembers = [\"a\"]\nresolver = \"2\"\n\n[workspace.dependencies]\nserde_json = \"1\"\n";
    let a = package(
        "a",
        "[dependencies]\nsj = { workspace = true, package = \"serde_json\" }\n",
    );
    let ws = workspace(&[("Cargo.toml", root), ("a/Cargo.toml", &a)]);
    // Cargo refuses the member: it looks `sj` up by its key.
    let out = cargo(
        ws.path(),
        &[
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`dependency.sj` was not found in `workspace.dependencies`"),
        "{err}"
    );

    let r = lint(ws.path(), &["--fix", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        read(ws.path(), "Cargo.toml"),
        root,
        "the root entry was touched"
    );
    assert_eq!(read(ws.path(), "a/Cargo.toml"), a);
    assert_eq!(
        findings(&r),
        [
            ("ignored-key".to_string(), "a sj".to_string()),
            ("missing-workspace-entry".to_string(), "a sj".to_string()),
        ]
    );
    let help = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["code"] == "missing-workspace-entry")
        .unwrap()["help"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        help.starts_with(
            "add `sj = { version = \"1\", package = \"serde_json\" }` to [workspace.dependencies]"
        ),
        "{help}"
    );

    // Following the help satisfies cargo, and then `package` is an ignored key that --fix
    // removes, with what cargo declares unchanged.
    std::fs::write(
        ws.path().join("Cargo.toml"),
        format!("{root}sj = {{ version = \"1\", package = \"serde_json\" }}\n"),
    )
    .unwrap();
    let before = declared(ws.path());
    let r = lint(ws.path(), &["--fix", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        read(ws.path(), "a/Cargo.toml").contains("sj = { workspace = true }"),
        "{}",
        read(ws.path(), "a/Cargo.toml")
    );
    assert_eq!(declared(ws.path()), before);
}

// ---------------------------------------------------------------------------------------------
// Case 5: members are opted into [workspace.lints] / [workspace.package] only when asked.

#[test]
fn lints_and_package_fields_are_fixed_only_when_named() {
    let root = "[workspace]\nmembers = [\"a\"]\nresolver = \"2\"\n\n[workspace.package]\nlicense = \"MIT\"\n\n[workspace.lints.rust]\nunsafe_code = \"forbid\"\n\n[workspace.dependencies]\nitoa = \"1\"\n";
    let a = package("a", "[dependencies]\nitoa = \"1\"\n");
    let ws = workspace(&[("Cargo.toml", root), ("a/Cargo.toml", &a)]);

    // A plain --fix (here with a MANIFEST argument after it, as pre-commit passes it) fixes
    // the dependency and leaves the opt-ins, which are no longer counted as fixable.
    let r = lint(ws.path(), &["--fix", "a/Cargo.toml", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let fixed = read(ws.path(), "a/Cargo.toml");
    assert_eq!(fixed, a.replace("itoa = \"1\"", "itoa.workspace = true"));
    let left: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v["type"] == "finding")
        .collect();
    assert_eq!(left.len(), 2, "{}", r.stdout);
    for f in &left {
        assert_eq!(f["fixable"], false, "{f}");
        let code = f["code"].as_str().unwrap();
        assert!(
            f["notes"]
                .to_string()
                .contains(&format!("`--fix={code}` fixes this")),
            "{f}"
        );
    }

    // Named, each rule fixes only itself.
    let r = lint(ws.path(), &["--fix=lints-not-inherited"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let now = read(ws.path(), "a/Cargo.toml");
    assert_eq!(now, format!("{fixed}\n[lints]\nworkspace = true\n"));
    let r = lint(ws.path(), &["--fix=package-not-inherited"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(read(ws.path(), "a/Cargo.toml").contains("license.workspace = true\n"));
    assert!(lint(ws.path(), &[]).stderr.contains("no findings"));
    // Cargo accepts the result.
    declared(ws.path());

    // A rule --fix cannot fix, or a typo, is a usage error that writes nothing.
    for bad in ["--fix=version-conflict", "--fix=not-inherted"] {
        let r = lint(ws.path(), &[bad]);
        assert_eq!(r.code, 2, "{bad}: {}", r.stderr);
        assert!(
            r.stderr
                .contains("help: `--fix=` takes rules among: not-inherited"),
            "{}",
            r.stderr
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Case 4: no comment is lost.

/// The comments of a TOML text (from `#` to the end of the line; the fixtures put no `#` in
/// strings).
fn comments(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.find('#').map(|i| l[i..].trim_end().to_string()))
        .collect()
}

#[test]
fn no_comment_is_lost() {
    let root = r#"[workspace]
members = ["a"]
resolver = "2"

[workspace.dependencies]
# --- numbers: a group header above an entry nobody uses ---
ryu = "1" # was for floats
itoa = "1"

# --- last group, whose only entry is unused too ---
memchr-old = { package = "memchr", version = "2" }
"#;
    let a = package(
        "a",
        r#"[dependencies]
# --- text: a group header above a converted entry ---
memchr = { version = "2", default-features = false } # no_std: the kernel has no allocator
itoa.workspace = true

[dependencies.log]
# logging for the kernel
version = "0.4"
# std is too big for the kernel
default-features = false # see above
"#,
    );
    let ws = workspace(&[("Cargo.toml", root), ("a/Cargo.toml", &a)]);
    let before = declared(ws.path());
    let r = lint(ws.path(), &["--fix"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("no findings"), "{}", r.stderr);
    let (root_after, a_after) = (
        read(ws.path(), "Cargo.toml"),
        read(ws.path(), "a/Cargo.toml"),
    );
    // Everything was fixed: the unused entries are gone, memchr and log are inherited.
    assert!(
        !root_after.contains("ryu") && !root_after.contains("memchr-old"),
        "{root_after}"
    );
    assert!(
        a_after.contains("memchr = { workspace = true } # no_std"),
        "{a_after}"
    );
    assert!(a_after.contains("[dependencies.log]\n# logging for the kernel\n# std is too big for the kernel\n# see above\nworkspace = true\n"), "{a_after}");
    for (file, old, new) in [
        ("Cargo.toml", root, &root_after),
        ("a/Cargo.toml", &a, &a_after),
    ] {
        let kept = comments(new);
        for c in comments(old) {
            assert!(kept.contains(&c), "{file} lost `{c}`:\n{new}");
        }
    }
    // The group header now sits above the next entry of its group.
    assert!(
        root_after.contains("# --- numbers: a group header above an entry nobody uses ---\n# was for floats\nitoa = \"1\"\n"),
        "{root_after}"
    );
    // Cargo reads the same declarations, and the fix is idempotent.
    assert_eq!(declared(ws.path()), before);
    let again = lint(ws.path(), &["--diff"]);
    assert_eq!(again.stdout, "");
}

// ---------------------------------------------------------------------------------------------
// Case 6: the check --fix makes before writing agrees with `cargo package`.

#[test]
fn the_packaging_check_agrees_with_cargo_package() {
    use cargo_ccworkspace::lint::fix::{root_dependencies, sourced_deps, unpackageable};
    let root = "[workspace]\nmembers = [\"p1\", \"p2\", \"p3\", \"p4\", \"p5\", \"p6\", \"p7\", \"util\"]\nresolver = \"2\"\n\n[workspace.dependencies]\nutil = { path = \"util\" }\nutilv = { path = \"util\", version = \"0.1.0\", package = \"util\" }\n";
    let members = [
        (
            "p1",
            "[dependencies]\nutil = { path = \"../util\", version = \"0.1.0\" }\n",
        ),
        ("p2", "[dependencies]\nutil = { path = \"../util\" }\n"),
        ("p3", "[dev-dependencies]\nutil = { path = \"../util\" }\n"),
        (
            "p4",
            "[build-dependencies]\nutil = { path = \"../util\" }\n",
        ),
        ("p5", "[dependencies]\nutilv.workspace = true\n"),
        // Cargo ignores a version next to `workspace = true`.
        (
            "p6",
            "[dependencies]\nutil = { workspace = true, version = \"0.1.0\" }\n",
        ),
        (
            "p7",
            "[target.'cfg(unix)'.dependencies]\nutil = { path = \"../util\" }\n",
        ),
        ("util", ""),
    ];
    let texts: Vec<(String, String)> = members
        .iter()
        .map(|(m, deps)| (format!("{m}/Cargo.toml"), package(m, deps)))
        .collect();
    let mut files: Vec<(&str, &str)> = vec![("Cargo.toml", root)];
    files.extend(texts.iter().map(|(p, t)| (p.as_str(), t.as_str())));
    let ws = workspace(&files);
    let root_deps = root_dependencies(root).unwrap();
    let mut verdicts = Vec::new();
    for ((m, _), (_, text)) in members.iter().zip(&texts) {
        let ours = unpackageable(&sourced_deps(root_deps.as_ref(), text).unwrap()).is_empty();
        let (cargos, err) = packages(ws.path(), m);
        assert_eq!(
            ours, cargos,
            "{m}: we say {ours}, cargo package says {cargos}: {err}"
        );
        verdicts.push((*m, cargos));
    }
    assert_eq!(
        verdicts,
        [
            ("p1", true),
            ("p2", false),
            ("p3", true),
            ("p4", false),
            ("p5", true),
            ("p6", false),
            ("p7", false),
            ("util", true),
        ]
    );
}
