#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The workspace model against cargo: on generated odd-but-legal and illegal layouts (globs,
//! hidden folders, folders without a manifest, `exclude` prefixes, nested groups, implicit path
//! members, symlinked member folders, renamed dependencies, inherited package fields, dotted
//! keys, CRLF), the member set and the "cargo refuses" verdict of the one workspace reader must
//! equal `cargo metadata --no-deps`'s, case for case. The named cases of the issue also run
//! through the binary, for every command that reads the workspace.

mod support;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use support::generator::Rng;
use support::verdict::{cargo as cargo_verdict, ours as our_verdict};

/// Write one generated layout under `root`; returns a one-line description for failures.
fn generate(seed: u64, root: &Path) -> String {
    let mut rng = Rng::new(seed);
    let crlf = rng.chance(20);
    let mut files: Vec<(String, String)> = Vec::new();
    let ws_package = rng.chance(60);
    let dotted = rng.chance(30);
    let crate_manifest = |rng: &mut Rng, name: &str, deps: &str| {
        let mut text = String::new();
        if dotted {
            writeln!(text, "package.name = \"{name}\"").unwrap();
            writeln!(text, "package.edition = \"2021\"").unwrap();
        } else {
            writeln!(text, "[package]\nname = \"{name}\"\nedition = \"2021\"").unwrap();
        }
        // Inherit the version where the root defines it; now and then where it does not.
        let inherit = if ws_package { 70 } else { 10 };
        let version = if rng.chance(inherit) {
            "version.workspace = true"
        } else {
            "version = \"0.1.0\""
        };
        if dotted {
            writeln!(text, "package.{version}").unwrap();
        } else {
            writeln!(text, "{version}").unwrap();
        }
        if !deps.is_empty() {
            writeln!(text, "\n[dependencies]\n{deps}").unwrap();
        }
        text
    };
    let add_crate =
        |files: &mut Vec<(String, String)>, rng: &mut Rng, dir: &str, name: &str, deps: &str| {
            let text = crate_manifest(rng, name, deps);
            files.push((format!("{dir}/Cargo.toml"), text));
            files.push((format!("{dir}/src/lib.rs"), String::new()));
        };
    let mut notes: Vec<String> = Vec::new();
    // crates/*: crates, a folder holding only notes, a hidden folder, a plain file.
    for i in 0..3 {
        let dir = format!("crates/c{i}");
        if rng.chance(85) {
            let deps = match rng.next_u64() % 5 {
                0 => "p0 = { path = \"../../libs/p0\" }".to_string(),
                4 if i == 0 => {
                    add_crate(&mut files, &mut rng, "crates/c0/vendored", "vendored", "");
                    "vendored = { path = \"vendored\" }".to_string()
                }
                1 => "renamed = { path = \"../../libs/p1\", package = \"p1\" }".to_string(),
                _ => String::new(),
            };
            add_crate(&mut files, &mut rng, &dir, &format!("c{i}"), &deps);
        } else {
            files.push((format!("{dir}/README.md"), "notes\n".into()));
            notes.push(dir);
        }
    }
    if rng.chance(30) {
        if rng.chance(50) {
            add_crate(&mut files, &mut rng, "crates/.hidden", "hidden", "");
        } else {
            files.push(("crates/.hidden/cache".into(), String::new()));
        }
    }
    if rng.chance(30) {
        files.push(("crates/notes.txt".into(), "a file, not a folder\n".into()));
    }
    // Nested groups.
    for (g, c) in [(0, 0), (0, 1), (1, 0)] {
        if rng.chance(60) {
            add_crate(
                &mut files,
                &mut rng,
                &format!("group/g{g}/c{c}"),
                &format!("g{g}c{c}"),
                "",
            );
        }
    }
    // Path-dependency targets outside every glob (implicit members) and a vendored crate.
    add_crate(&mut files, &mut rng, "libs/p0", "p0", "");
    add_crate(&mut files, &mut rng, "libs/p1", "p1", "");
    add_crate(&mut files, &mut rng, "vendor/v0", "v0", "");
    add_crate(&mut files, &mut rng, "lit/a", "lit_a", "");
    let link = rng.chance(45);

    let pool = [
        "crates/*",
        "./crates/*/",
        "group/*/*",
        "group/*/c0",
        "group/g1/*",
        "lit/a",
        "vendor/*",
        "crates/c[01]",
        "empty/*",
        // Spellings cargo's glob takes as they are.
        "crates//*",
        "crates/*/.",
        "crates/c0/../*",
        "crates/./c0",
        "crates/**",
        "crates/[^c]*",
        "crates/{c0,c1}",
        "ABS/crates/*",
    ];
    let mut members: Vec<&str> = (0..1 + rng.next_u64() % 3)
        .map(|_| rng.pick(&pool))
        .collect();
    members.dedup();
    if members.contains(&"empty/*") && rng.chance(50) {
        files.push(("empty/.gitkeep".into(), String::new()));
    }
    let exclude_pool = [
        "crates/c1",
        "crates",
        "group/g0",
        "libs/p1",
        "crates/.hidden",
        "crates/c",
        "vendor",
        "crates/./c1",
        "crates//c1",
        "crates/c1/.",
        "ABS/crates/c2",
        "crates/c0/vendored",
    ];
    let exclude: Vec<&str> = (0..rng.next_u64() % 3)
        .map(|_| rng.pick(&exclude_pool))
        .collect();
    let abs = root.to_str().unwrap().to_string();
    let quote = |v: &[&str]| {
        v.iter()
            .map(|s| format!("\"{}\"", s.replace("ABS", &abs)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut root_text = format!(
        "[workspace]\nresolver = \"2\"\nmembers = [{}]\nexclude = [{}]\n",
        quote(&members),
        quote(&exclude)
    );
    if ws_package {
        root_text.push_str("\n[workspace.package]\nversion = \"0.1.0\"\n");
    }
    files.push(("Cargo.toml".into(), root_text));

    for (path, text) in &files {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        let text = if crlf {
            text.replace('\n', "\r\n")
        } else {
            text.clone()
        };
        std::fs::write(full, text).unwrap();
    }
    if link {
        #[cfg(unix)]
        std::os::unix::fs::symlink("../vendor/v0", root.join("crates/link")).unwrap();
    }
    format!(
        "seed {seed}: members {members:?}, exclude {exclude:?}, [workspace.package] {ws_package}, \
         dotted {dotted}, crlf {crlf}, link {link}, notes-only {notes:?}"
    )
}

#[test]
fn the_member_set_and_the_refusals_are_cargos_on_generated_layouts() {
    let cases: u64 = std::env::var("CCWORKSPACE_MODEL_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(80);
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let (mut accepted, mut refused) = (0, 0);
    for seed in 0..cases {
        let root = tmp.path().join(format!("ws{seed}"));
        std::fs::create_dir_all(&root).unwrap();
        let what = generate(seed, &root);
        let theirs = cargo_verdict(&root);
        let ours = our_verdict(&root);
        match (&theirs, &ours) {
            (Ok(a), Ok(b)) if a == b => accepted += 1,
            (Err(_), Err(_)) => refused += 1,
            _ => failures.push(format!(
                "{what}\n  cargo: {}\n  ours:  {}",
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
    // The generator must exercise both sides, or the comparison proves little.
    assert!(
        accepted >= cases / 5 && refused >= cases / 5,
        "{accepted} accepted, {refused} refused"
    );
}

fn show(v: &Result<BTreeSet<String>, String>) -> String {
    match v {
        Ok(m) => format!("members {m:?}"),
        Err(e) => format!("refused: {}", e.lines().next().unwrap_or_default()),
    }
}

/// Write `files` under a new temporary root.
fn layout(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let full = tmp.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    tmp
}

const ROOT: &str = "[workspace]\nresolver = \"2\"\nmembers = [\n  \"crates/*\",\n]\n";
const CRATE_A: &str = "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";

/// Every command that reads the workspace refuses it (exit 2) where cargo does, naming the
/// `members` entry's line and the fix.
fn assert_every_command_refuses(root: &Path, says: &str) {
    assert!(
        cargo_verdict(root).is_err(),
        "the case must be one cargo refuses"
    );
    for args in [
        &["lint-deps"][..],
        &["lint-deps", "Cargo.toml"],
        &["dockerfile", "--check"],
    ] {
        let run = support::cli::run(root, args, &[]);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("help:"), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn a_member_folder_with_only_a_readme_is_refused_as_cargo_refuses_it() {
    let ws = layout(&[
        ("Cargo.toml", ROOT),
        ("crates/a/Cargo.toml", CRATE_A),
        ("crates/a/src/lib.rs", ""),
        ("crates/notes/README.md", "notes\n"),
    ]);
    assert_every_command_refuses(
        ws.path(),
        "Cargo.toml:4:3: workspace member `crates/notes` (matched by `crates/*`) has no Cargo.toml",
    );
}

#[test]
fn a_hidden_folder_under_a_member_glob_is_a_member_for_cargo() {
    let ws = layout(&[
        ("Cargo.toml", ROOT),
        ("crates/a/Cargo.toml", CRATE_A),
        ("crates/a/src/lib.rs", ""),
        ("crates/.pytest_cache/v/cache/nodeids", "[]\n"),
    ]);
    assert_every_command_refuses(ws.path(), "`crates/.pytest_cache` (matched by `crates/*`)");
    // Excluding it is the fix the help names, and cargo agrees.
    let fixed = format!("{ROOT}exclude = [\"crates/.pytest_cache\"]\n");
    std::fs::write(ws.path().join("Cargo.toml"), fixed).unwrap();
    assert!(cargo_verdict(ws.path()).is_ok());
    assert_eq!(
        support::cli::run(ws.path(), &["lint-deps"], &[]).code,
        0,
        "clean once excluded"
    );
}

#[test]
fn a_git_worktree_under_a_member_glob_is_a_second_workspace_root() {
    let ws = layout(&[
        ("Cargo.toml", ROOT),
        ("crates/a/Cargo.toml", CRATE_A),
        ("crates/a/src/lib.rs", ""),
    ]);
    let repo = support::git::Repo::init(ws.path());
    repo.commit_all("initial");
    let status = Command::new("git")
        .args(["worktree", "add", "-q", "crates/wt"])
        .current_dir(ws.path())
        .status()
        .unwrap();
    assert!(status.success());
    assert_every_command_refuses(ws.path(), "has a [workspace] table of its own");
}

#[test]
fn a_member_glob_that_matches_nothing_is_refused_and_a_placeholder_file_satisfies_cargo() {
    let root = "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\", \"login/rust/*\"]\n";
    let ws = layout(&[
        ("Cargo.toml", root),
        ("crates/a/Cargo.toml", CRATE_A),
        ("crates/a/src/lib.rs", ""),
        ("login/rust/README.md", "soon\n"),
    ]);
    // A file matches the glob for cargo (it then drops it), so this is accepted...
    assert!(cargo_verdict(ws.path()).is_ok());
    assert_eq!(support::cli::run(ws.path(), &["lint-deps"], &[]).code, 0);
    // ... and an empty folder is not.
    std::fs::remove_file(ws.path().join("login/rust/README.md")).unwrap();
    assert_every_command_refuses(
        ws.path(),
        "`members` entry `login/rust/*` matches no directory",
    );
}
