#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Where cargo refuses a workspace, every command that reads the manifests itself refuses it
//! too (exit 2, `file:line:col:`, cargo's reason, a `help:`), and where cargo accepts one, none
//! of them refuses it. Each case runs `cargo metadata --no-deps --offline` and the binary
//! (`lint-deps`, `lint-deps Cargo.toml`, `dockerfile --check`) on the same workspace; the cases
//! are the adversarial tester's reproductions (their numbers are in the test names). A seeded
//! generator then mixes the same shapes and compares the reader's verdict and member set with
//! cargo's, case for case (`CCWORKSPACE_REFUSAL_CASES=400` runs more than the default 60).

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use support::verdict::{cargo as cargo_verdict, ours as our_verdict};

/// Write `files` under a new temporary root.
fn layout(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), files.iter().map(|(p, t)| (*p, *t)));
    tmp
}

fn write<'a>(root: &Path, files: impl IntoIterator<Item = (&'a str, &'a str)>) {
    for (path, text) in files {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
}

const COMMANDS: [&[&str]; 3] = [
    &["lint-deps"],
    &["lint-deps", "Cargo.toml"],
    &["dockerfile", "--check"],
];

/// Cargo refuses the workspace, and so does every command: exit 2, an `error:` naming a
/// file, line and column, `says` (cargo's reason), and a `help:` line.
fn refused(files: &[(&str, &str)], says: &str) {
    let ws = layout(files);
    let theirs = cargo_verdict(ws.path());
    assert!(theirs.is_err(), "cargo accepts this workspace: {theirs:?}");
    for args in COMMANDS {
        let run = support::cli::run(ws.path(), args, &[]);
        assert_eq!(run.code, 2, "{args:?} should refuse:\n{}", run.stderr);
        let error = run
            .stderr
            .lines()
            .find(|l| l.starts_with("error: "))
            .unwrap_or_else(|| panic!("{args:?}: no error line:\n{}", run.stderr));
        let place = error["error: ".len()..].split(": ").next().unwrap();
        let parts: Vec<&str> = place.rsplitn(3, ':').collect();
        assert!(
            parts.len() == 3
                && parts[0].parse::<usize>().is_ok()
                && parts[1].parse::<usize>().is_ok()
                && parts[2].ends_with("Cargo.toml"),
            "{args:?}: no file:line:col in {error}"
        );
        assert!(run.stderr.contains(says), "{args:?}:\n{}", run.stderr);
        assert!(
            run.stderr.contains("\nhelp: "),
            "{args:?}: no help:\n{}",
            run.stderr
        );
    }
}

/// Cargo accepts the workspace, and no command refuses it (findings, exit 1, are fine).
fn accepted(files: &[(&str, &str)]) {
    accepted_by(files, &COMMANDS);
}

/// Cargo accepts the workspace, and none of `commands` refuses it.
fn accepted_by(files: &[(&str, &str)], commands: &[&[&str]]) {
    let ws = layout(files);
    let theirs = cargo_verdict(ws.path());
    assert!(theirs.is_ok(), "cargo refuses this workspace: {theirs:?}");
    for &args in commands {
        let run = support::cli::run(ws.path(), args, &[]);
        assert_ne!(run.code, 2, "{args:?} should accept:\n{}", run.stderr);
    }
}

const ROOT: &str = "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\"]\n";
const A: &str = "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";
const B: &str = "[package]\nname = \"b\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";

/// A member `a` with `extra` after its [package] fields, and a member `b`, under `crates/*`.
fn with_a(extra: &str) -> Vec<(&'static str, String)> {
    vec![
        ("Cargo.toml", ROOT.to_string()),
        ("crates/a/Cargo.toml", format!("{A}{extra}")),
        ("crates/a/src/lib.rs", String::new()),
        ("crates/b/Cargo.toml", B.to_string()),
        ("crates/b/src/lib.rs", String::new()),
    ]
}

fn refs<'a>(files: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    files.iter().map(|(p, t)| (*p, t.as_str())).collect()
}

/// `files` with the text of `path` replaced (or added).
fn set(
    mut files: Vec<(&'static str, String)>,
    path: &'static str,
    text: &str,
) -> Vec<(&'static str, String)> {
    files.retain(|(p, _)| *p != path);
    files.push((path, text.to_string()));
    files
}

#[test]
fn adv08_a_member_manifest_without_package_is_refused() {
    let files = set(with_a(""), "crates/empty/Cargo.toml", "");
    refused(
        &refs(&files),
        "manifest is missing either a `[package]` or a `[workspace]`",
    );
    let files = set(with_a(""), "crates/empty/Cargo.toml", "[dependencies]\n");
    refused(
        &refs(&files),
        "this virtual manifest specifies a `dependencies` section, which is not allowed",
    );
    let files = set(
        with_a(""),
        "crates/empty/Cargo.toml",
        "[lib]\npath = \"x.rs\"\n",
    );
    refused(&refs(&files), "specifies a `lib` section");
}

#[test]
fn adv09_package_workspace_must_name_this_root() {
    let files = set(
        with_a("workspace = \"../../other\"\n"),
        "other/Cargo.toml",
        "[workspace]\n",
    );
    refused(&refs(&files), "is a member of the wrong workspace");
    accepted(&refs(&with_a("workspace = \"../..\"\n")));
    accepted(&refs(&with_a("workspace = \"../../crates/../\"\n")));
}

#[test]
fn adv10_only_inheritable_fields_are_inherited() {
    accepted(&refs(&with_a("\n[package.metadata]\nworkspace = true\n")));
    accepted(&refs(&with_a("badges.workspace = true\n")));
    refused(
        &refs(&with_a("links.workspace = true\n")),
        "invalid type: map, expected a string",
    );
}

#[test]
fn adv11_workspace_false_is_refused() {
    let root = format!("{ROOT}[workspace.package]\nversion = \"1.0.0\"\n");
    let files = set(
        set(
            with_a(""),
            "crates/a/Cargo.toml",
            "[package]\nname = \"a\"\nversion.workspace = false\nedition = \"2021\"\n",
        ),
        "Cargo.toml",
        &root,
    );
    refused(&refs(&files), "`workspace` cannot be false");
    refused(
        &refs(&with_a(
            "[dependencies]\nb = { workspace = false, path = \"../b\" }\n",
        )),
        "`workspace` cannot be false",
    );
    refused(
        &refs(&with_a("[lints]\nworkspace = false\n")),
        "`workspace` cannot be false",
    );
    // Any other value is no inheritance, for a dependency: this one has a version.
    accepted(&refs(&with_a(
        "[dependencies]\nb = { workspace = \"x\", version = \"0.1\", path = \"../b\" }\n",
    )));
}

#[test]
fn adv12_lints_inherited_and_overridden_is_refused() {
    let root = format!("{ROOT}[workspace.lints.rust]\nunsafe_code = \"warn\"\n");
    let files = set(
        with_a("[lints]\nworkspace = true\n[lints.rust]\nunsafe_code = \"deny\"\n"),
        "Cargo.toml",
        &root,
    );
    refused(
        &refs(&files),
        "cannot override `workspace.lints` in `lints`",
    );
    let files = set(with_a("[lints]\nworkspace = true\n"), "Cargo.toml", &root);
    accepted(&refs(&files));
}

#[test]
fn adv17_default_members_must_be_members() {
    let z = "[package]\nname = \"z\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";
    let with_root = |root: &str| {
        set(
            set(set(with_a(""), "Cargo.toml", root), "other/z/Cargo.toml", z),
            "other/z/src/lib.rs",
            "",
        )
    };
    let says = "is listed in default-members";
    let root = format!("{ROOT}exclude = [\"other\"]\ndefault-members = [\"other/z\"]\n");
    refused(&refs(&with_root(&root)), says);
    let root = format!("{ROOT}default-members = [\"nope\"]\n");
    refused(&refs(&with_root(&root)), says);
    let root = format!("{ROOT}default-members = [\"nope/*\"]\n");
    refused(&refs(&with_root(&root)), says);
    let root = format!("{ROOT}default-members = [\"oth*/z\"]\n");
    refused(&refs(&with_root(&root)), says);
    for ok in [
        "\"crates/*\"",
        "\"./crates/a/\"",
        "\".\"",
        "\"crates/a/src/*\"",
    ] {
        accepted(&refs(&with_root(&format!(
            "{ROOT}default-members = [{ok}]\n"
        ))));
    }
    // An absolute path under the root names a member.
    let ws = layout(&refs(&with_a("")));
    let abs = ws.path().join("crates/a");
    let root = format!("{ROOT}default-members = [{:?}]\n", abs.to_str().unwrap());
    std::fs::write(ws.path().join("Cargo.toml"), root).unwrap();
    assert!(cargo_verdict(ws.path()).is_ok());
    for args in COMMANDS {
        let run = support::cli::run(ws.path(), args, &[]);
        assert_ne!(run.code, 2, "{args:?}: {}", run.stderr);
    }
    // Matched by `members` but excluded: cargo skips it.
    let root = format!("{ROOT}exclude = [\"crates/b\"]\ndefault-members = [\"crates/b\"]\n");
    accepted(&refs(&with_root(&root)));
}

#[test]
fn adv18_workspace_lists_and_resolver_of_the_wrong_type_are_refused() {
    for (root, says) in [
        (
            "[workspace]\nmembers = \"crates/*\"\n",
            "invalid type: string \"crates/*\", expected a sequence",
        ),
        (
            "[workspace]\nmembers = [\"crates/*\", 5]\n",
            "invalid type: integer `5`, expected a string",
        ),
        (
            "[workspace]\nmembers = [\"crates/*\"]\nexclude = \"crates/a\"\n",
            "invalid type: string \"crates/a\", expected a sequence",
        ),
        (
            "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"4\"\n",
            "`resolver` setting `4` is not valid",
        ),
        (
            "[workspace]\nmembers = [\"crates/*\"]\nresolver = 2\n",
            "invalid type: integer `2`, expected a string",
        ),
    ] {
        refused(&refs(&set(with_a(""), "Cargo.toml", root)), says);
    }
    refused(
        &refs(&with_a("resolver = \"4\"\n")),
        "`resolver` setting `4` is not valid",
    );
}

#[test]
fn adv20_a_dangling_path_dependency_is_refused() {
    let says = "failed to load manifest for dependency `x`";
    refused(
        &refs(&with_a("[dependencies]\nx = { path = \"../nope\" }\n")),
        says,
    );
    refused(
        &refs(&with_a(
            "[target.'cfg(windows)'.dev-dependencies]\nx = { path = \"../../../nope\" }\n",
        )),
        says,
    );
    let root = format!("{ROOT}[workspace.dependencies]\nx = {{ path = \"nope\" }}\n");
    refused(
        &refs(&set(
            with_a("[dependencies]\nx.workspace = true\n"),
            "Cargo.toml",
            &root,
        )),
        says,
    );
    // Unused root entries and paths under `exclude` are not loaded.
    accepted(&refs(&set(with_a(""), "Cargo.toml", &root)));
    // `dockerfile` refuses this one: building needs the crate (`cargo metadata` without
    // `--no-deps` refuses it too).
    let root = format!("{ROOT}exclude = [\"crates/nope\"]\n");
    accepted_by(
        &refs(&set(
            with_a("[dependencies]\nx = { path = \"../nope\" }\n"),
            "Cargo.toml",
            &root,
        )),
        &COMMANDS[..2],
    );
}

#[test]
fn adv27_project_table_in_edition_2024_is_refused() {
    let says = "`[project]` is not supported as of the 2024 Edition";
    let project = "[project]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2024\"\n";
    refused(
        &refs(&set(with_a(""), "crates/a/Cargo.toml", project)),
        says,
    );
    let root = format!("{ROOT}[workspace.package]\nedition = \"2024\"\n");
    let project = "[project]\nname = \"a\"\nversion = \"0.1.0\"\nedition.workspace = true\n";
    refused(
        &refs(&set(
            set(with_a(""), "crates/a/Cargo.toml", project),
            "Cargo.toml",
            &root,
        )),
        says,
    );
}

#[test]
fn adv30_workspace_dependency_entry_shapes() {
    let uses_b = with_a("[dependencies]\nb.workspace = true\n");
    let root = |entry: &str| format!("{ROOT}[workspace.dependencies]\n{entry}\n");
    let with = |entry: &str| set(uses_b.clone(), "Cargo.toml", &root(entry));
    accepted(&refs(&with(
        "b = { path = \"crates/b\", version = \"0.1.0\", optional = false }",
    )));
    accepted(&refs(&with("b = { path = \"crates/b\", public = false }")));
    refused(
        &refs(&with("b = { path = \"crates/b\", public = true }")),
        "b is public, but workspace dependencies cannot be public",
    );
    refused(
        &refs(&with("b = { path = \"crates/b\", optional = true }")),
        "b is optional, but workspace dependencies cannot be optional",
    );
    let says = "dependency (b) specified without providing a local path, Git repository, \
                version, or workspace dependency to use";
    refused(&refs(&with("b = { features = [] }")), says);
    refused(&refs(&with("b = { workspace = true }")), says);
    // Not inherited by anyone: cargo does not look at it.
    accepted(&refs(&set(
        with_a(""),
        "Cargo.toml",
        &root("b = { features = [] }"),
    )));
    // A member's own entry without a source, and one with two.
    refused(
        &refs(&with_a("[dev-dependencies]\nq = { features = [] }\n")),
        "dependency (q) specified without providing",
    );
    refused(
        &refs(&with_a(
            "[dependencies]\nq = { path = \"../b\", git = \"https://example.com/q\" }\n",
        )),
        "specification is ambiguous",
    );
}

/// The parts of a generated workspace that the shapes change.
#[derive(Clone)]
struct Gen {
    /// Lines under `[workspace]`.
    workspace: Vec<String>,
    /// Lines under `[workspace.package]`, `[workspace.dependencies]`, and raw root sections.
    ws_package: Vec<String>,
    ws_deps: Vec<String>,
    root_extra: String,
    /// Member `a`'s [package] lines, [dependencies] lines and raw sections; `c`'s whole text.
    a_package: Vec<String>,
    a_deps: Vec<String>,
    a_extra: String,
    c: Option<String>,
    /// Other files: (path, text).
    files: Vec<(String, String)>,
}

impl Gen {
    fn base() -> Gen {
        let lines = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Gen {
            workspace: lines(&[
                "resolver = \"2\"",
                "members = [\"crates/*\"]",
                "exclude = [\"crates/skip\"]",
            ]),
            ws_package: lines(&["version = \"0.1.0\"", "edition = \"2021\""]),
            ws_deps: lines(&["b = { path = \"crates/b\" }"]),
            root_extra: String::new(),
            a_package: lines(&[
                "name = \"a\"",
                "version.workspace = true",
                "edition.workspace = true",
            ]),
            a_deps: lines(&["b.workspace = true"]),
            a_extra: String::new(),
            c: Some(
                "[package]\nname = \"c\"\nversion = \"0.1.0\"\nedition = \"2021\"\n".to_string(),
            ),
            files: Vec::new(),
        }
    }

    fn set_ws(&mut self, key: &str, line: &str) {
        self.workspace
            .retain(|l| !l.starts_with(&format!("{key} ")));
        self.workspace.push(line.to_string());
    }

    fn set_a(&mut self, key: &str, line: &str) {
        self.a_package.retain(|l| !l.starts_with(key));
        self.a_package.push(line.to_string());
    }

    fn write(&self, root: &Path) {
        let mut text = format!("[workspace]\n{}\n", self.workspace.join("\n"));
        text += &format!("\n[workspace.package]\n{}\n", self.ws_package.join("\n"));
        text += &format!("\n[workspace.dependencies]\n{}\n", self.ws_deps.join("\n"));
        text += &self.root_extra;
        let a = format!(
            "[package]\n{}\n\n[dependencies]\n{}\n{}",
            self.a_package.join("\n"),
            self.a_deps.join("\n"),
            self.a_extra
        );
        let crate_text = |name: &str| {
            format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
        };
        let (b, skip) = (crate_text("b"), crate_text("skip"));
        let mut files: Vec<(&str, &str)> = vec![
            ("Cargo.toml", &text),
            ("crates/a/Cargo.toml", &a),
            ("crates/a/src/lib.rs", ""),
            ("crates/b/Cargo.toml", &b),
            ("crates/b/src/lib.rs", ""),
            ("crates/skip/Cargo.toml", &skip),
            ("crates/skip/src/lib.rs", ""),
            ("crates/c/src/lib.rs", ""),
        ];
        if let Some(c) = &self.c {
            files.push(("crates/c/Cargo.toml", c));
        }
        files.extend(self.files.iter().map(|(p, t)| (p.as_str(), t.as_str())));
        write(root, files);
    }
}

/// One shape: a name, and what it does to the workspace. Some make cargo refuse it, some are
/// odd but legal; the test does not say which, cargo does.
type Shape = (&'static str, fn(&mut Gen));

const SHAPES: &[Shape] = &[
    ("c empty", |g| g.c = Some(String::new())),
    ("c only [dependencies]", |g| {
        g.c = Some("[dependencies]\n".into())
    }),
    ("c only [features]", |g| {
        g.c = Some("[features]\nx = []\n".into())
    }),
    ("c [project] 2021", |g| {
        g.c = Some("[project]\nname = \"c\"\nversion = \"0.1.0\"\nedition = \"2021\"\n".into())
    }),
    ("c [project] 2024", |g| {
        g.c = Some("[project]\nname = \"c\"\nversion = \"0.1.0\"\nedition = \"2024\"\n".into())
    }),
    ("c [project] inherits edition 2024", |g| {
        g.c =
            Some("[project]\nname = \"c\"\nversion = \"0.1.0\"\nedition.workspace = true\n".into());
        g.ws_package.retain(|l| !l.starts_with("edition"));
        g.ws_package.push("edition = \"2024\"".into());
    }),
    ("a workspace = ../..", |g| {
        g.set_a("workspace", "workspace = \"../..\"")
    }),
    ("a workspace = other root", |g| {
        g.set_a("workspace", "workspace = \"../../other\"");
        g.files
            .push(("other/Cargo.toml".into(), "[workspace]\n".into()));
    }),
    ("a metadata.workspace = true", |g| {
        g.set_a("metadata", "metadata.workspace = true")
    }),
    ("a [package.metadata] workspace = true", |g| {
        g.a_extra += "\n[package.metadata]\nworkspace = true\n"
    }),
    ("a badges.workspace = true", |g| {
        g.set_a("badges", "badges.workspace = true")
    }),
    ("a links.workspace = true", |g| {
        g.set_a("links", "links.workspace = true")
    }),
    ("a version.workspace = false", |g| {
        g.set_a("version", "version.workspace = false")
    }),
    ("a license.workspace = true, undefined", |g| {
        g.set_a("license", "license.workspace = true")
    }),
    ("a dep workspace = false", |g| {
        g.a_deps = vec!["b = { workspace = false, path = \"../b\" }".into()]
    }),
    ("a dep workspace = \"x\"", |g| {
        g.a_deps = vec!["b = { workspace = \"x\", path = \"../b\" }".into()]
    }),
    ("a dep workspace = \"x\" without a source", |g| {
        g.a_deps = vec!["b = { workspace = \"x\" }".into()]
    }),
    ("a dep inherits with features", |g| {
        g.a_deps = vec!["b = { workspace = true, features = [] }".into()]
    }),
    ("a [lints] inherited", |g| {
        g.a_extra += "\n[lints]\nworkspace = true\n";
        g.root_extra += "\n[workspace.lints.rust]\nunsafe_code = \"warn\"\n";
    }),
    ("a [lints] inherited and overridden", |g| {
        g.a_extra += "\n[lints]\nworkspace = true\n[lints.rust]\nunsafe_code = \"deny\"\n";
        g.root_extra += "\n[workspace.lints.rust]\nunsafe_code = \"warn\"\n";
    }),
    ("a [lints] workspace = false", |g| {
        g.a_extra += "\n[lints]\nworkspace = false\n"
    }),
    ("default-members = [crates/a]", |g| {
        g.set_ws("default-members", "default-members = [\"crates/a\"]")
    }),
    ("default-members = [crates/*]", |g| {
        g.set_ws("default-members", "default-members = [\"crates/*\"]")
    }),
    ("default-members = [crates/skip] (excluded)", |g| {
        g.set_ws("default-members", "default-members = [\"crates/skip\"]")
    }),
    ("default-members = [other/z]", |g| {
        g.set_ws("default-members", "default-members = [\"other/z\"]");
        g.files.push((
            "other/z/Cargo.toml".into(),
            "[package]\nname = \"z\"\nversion = \"0.1.0\"\n".into(),
        ));
        g.files.push(("other/z/src/lib.rs".into(), String::new()));
    }),
    ("default-members = [nope/*]", |g| {
        g.set_ws("default-members", "default-members = [\"nope/*\"]")
    }),
    ("members = \"crates/*\"", |g| {
        g.set_ws("members", "members = \"crates/*\"")
    }),
    ("members has 5", |g| {
        g.set_ws("members", "members = [\"crates/*\", 5]")
    }),
    ("exclude = \"crates/skip\"", |g| {
        g.set_ws("exclude", "exclude = \"crates/skip\"")
    }),
    ("resolver = 4", |g| g.set_ws("resolver", "resolver = \"4\"")),
    ("resolver = 3", |g| g.set_ws("resolver", "resolver = \"3\"")),
    ("root b optional = false", |g| {
        g.ws_deps = vec!["b = { path = \"crates/b\", optional = false }".into()]
    }),
    ("root b public = true", |g| {
        g.ws_deps = vec!["b = { path = \"crates/b\", public = true }".into()]
    }),
    ("root b public = false", |g| {
        g.ws_deps = vec!["b = { path = \"crates/b\", public = false }".into()]
    }),
    ("root b without a source", |g| {
        g.ws_deps = vec!["b = { features = [] }".into()]
    }),
    ("root unused entry without a source", |g| {
        g.ws_deps.push("zz = { features = [\"x\"] }".into())
    }),
    ("root b dangling path", |g| {
        g.ws_deps = vec!["b = { path = \"crates/nope\" }".into()]
    }),
    ("root unused dangling path", |g| {
        g.ws_deps.push("zz = { path = \"nope\" }".into())
    }),
    ("a dangling path dependency", |g| {
        g.a_deps.push("d = { path = \"../nope\" }".into())
    }),
    ("a dangling path dependency under exclude", |g| {
        g.a_deps.push("d = { path = \"../skip/nope\" }".into())
    }),
    ("a dev-dependency without a source", |g| {
        g.a_extra += "\n[dev-dependencies]\ne = { features = [\"x\"] }\n"
    }),
    (
        "a target dependency with git and path",
        |g| g.a_extra += "\n[target.'cfg(unix)'.dependencies]\nf = { path = \"../b\", git = \"https://example.com/f\" }\n",
    ),
    ("a resolver = 4", |g| {
        g.set_a("resolver", "resolver = \"4\"")
    }),
];

#[test]
fn generated_refusals_agree_with_cargo_case_for_case() {
    let cases: u64 = std::env::var("CCWORKSPACE_REFUSAL_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(60);
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let (mut accepted, mut refused) = (0, 0);
    for seed in 0..cases {
        let mut rng = support::generator::Rng::new(seed);
        let mut g = Gen::base();
        let mut names = Vec::new();
        // One shape, every one in turn, and a second one in a third of the cases.
        let first = (seed as usize) % SHAPES.len();
        let mut picked = vec![first];
        if rng.next_u64().is_multiple_of(3) {
            picked.push((rng.next_u64() as usize) % SHAPES.len());
        }
        for i in picked {
            names.push(SHAPES[i].0);
            (SHAPES[i].1)(&mut g);
        }
        let root = tmp.path().join(format!("ws{seed}"));
        g.write(&root);
        let theirs = cargo_verdict(&root);
        let ours = our_verdict(&root);
        match (&theirs, &ours) {
            (Ok(a), Ok(b)) if a == b => accepted += 1,
            (Err(_), Err(e)) if has_place(e) => refused += 1,
            _ => failures.push(format!(
                "seed {seed}: {names:?}\n  cargo: {}\n  ours:  {}",
                show(&theirs),
                show(&ours)
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} layouts differ from cargo:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        accepted >= cases / 5 && refused >= cases / 5,
        "{accepted} accepted, {refused} refused"
    );
}

/// The refusal starts with `file:line:col: `.
fn has_place(e: &str) -> bool {
    let place = e.split(": ").next().unwrap_or_default();
    let parts: Vec<&str> = place.rsplitn(3, ':').collect();
    parts.len() == 3 && parts[0].parse::<usize>().is_ok() && parts[1].parse::<usize>().is_ok()
}

fn show(v: &Result<BTreeSet<String>, String>) -> String {
    match v {
        Ok(m) => format!("members {m:?}"),
        Err(e) => format!(
            "refused: {}",
            e.lines()
                .rfind(|l| !l.trim().is_empty())
                .unwrap_or_default()
        ),
    }
}
