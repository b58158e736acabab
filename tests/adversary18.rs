//! Cases found by testers and reviews in session 18, through the binary, each judged by the
//! real tool (cargo, uv) where it can answer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::cli::run;

const BOM: &str = "\u{feff}";

/// Every line of `text` ends with CRLF (no bare LF), and it starts with the byte order mark.
fn assert_crlf_with_mark(path: &str, text: &str) {
    assert!(
        text.starts_with(BOM),
        "{path} lost its byte order mark:\n{text}"
    );
    let bare = text
        .char_indices()
        .filter(|&(i, c)| c == '\n' && !text[..i].ends_with('\r'))
        .count();
    assert_eq!(bare, 0, "{path} has {bare} bare LF line endings:\n{text:?}");
}

/// `new` and `init` rewrite the root `Cargo.toml` and `pyproject.toml`; a file written with a
/// byte order mark and CRLF line endings (a Windows editor's) keeps both, as `lint-deps --fix`
/// already kept them: the rewrite changes the entries it names, not every line. cargo still
/// loads the workspace.
#[test]
fn new_and_init_keep_the_mark_and_line_endings_of_the_files_they_edit() {
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            &format!("{BOM}[workspace]\r\nmembers = []\r\nresolver = \"2\"\r\n"),
        ),
        (
            "pyproject.toml",
            &format!(
                "{BOM}# the monorepo\r\n[tool.uv.workspace]\r\nmembers = [\"d/python/*\"]\r\n"
            ),
        ),
    ]);
    let root = dir.path();
    for args in [
        &["new", "e/c", "--python"][..],
        &["new", "e/rs", "--pyo3"],
        &["new", "e/tool", "--bin"],
        &["init", "--add-missing", "--domains", "f"],
    ] {
        let out = run(root, args, &[]);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        for file in ["Cargo.toml", "pyproject.toml"] {
            let text = std::fs::read_to_string(root.join(file)).unwrap();
            assert_crlf_with_mark(file, &text);
        }
    }
    let cargo = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(cargo.contains("\"e/rust/*\""), "{cargo}");
    let py = std::fs::read_to_string(root.join("pyproject.toml")).unwrap();
    assert!(py.contains("# the monorepo\r\n"), "{py}");
    assert!(
        py.contains("\"e/python/c\"") && py.contains("\"e/rust/rs\""),
        "{py}"
    );
    let metadata = support::cargo_metadata(root, &["--no-deps"]).unwrap();
    let names: Vec<&str> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"rs") && names.contains(&"tool"),
        "{names:?}"
    );
}

/// `dockerfile` rewrites a stale `Dockerfile` in the form it found it (CRLF), and then finds it
/// up to date.
#[test]
fn dockerfile_keeps_the_line_endings_of_a_stale_dockerfile() {
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"d/rust/*\"]\nresolver = \"2\"\n",
        ),
        (
            "d/rust/tool/Cargo.toml",
            "[package]\nname = \"tool\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        ("d/rust/tool/src/main.rs", "fn main() {}\n"),
    ]);
    let root = dir.path();
    let first = run(root, &["dockerfile"], &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let path = root.join("d/rust/tool/Dockerfile");
    let written = std::fs::read_to_string(&path).unwrap();
    // The same file saved on Windows, with one line changed by hand: stale.
    let stale = format!(
        "{BOM}{}",
        written.replacen("FROM", "FROM  ", 1).replace('\n', "\r\n")
    );
    std::fs::write(&path, &stale).unwrap();
    let check = run(root, &["dockerfile", "--check"], &[]);
    assert_ne!(check.code, 0, "a hand-edited Dockerfile is stale");
    let again = run(root, &["dockerfile"], &[]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_crlf_with_mark("Dockerfile", &text);
    assert_eq!(text.replace("\r\n", "\n"), format!("{BOM}{written}"));
    let check = run(root, &["dockerfile", "--check"], &[]);
    assert_eq!(check.code, 0, "{}", check.stderr);
}

/// `--fix` of a path source written as a table of its own (`[tool.uv.sources.b]`) keeps every
/// comment: the one after `path = ...` stays after `workspace = true`, the ones of a `package`
/// line that goes too move above it. uv locks the result with `b` from the workspace.
#[test]
fn the_fix_of_a_path_source_table_keeps_its_comments() {
    let project = |name: &str, body: &str| {
        format!(
            "[project]\nname = \"{name}\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n{body}"
        )
    };
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = []\nresolver = \"2\"\n",
        ),
        (
            "pyproject.toml",
            "[tool.uv.workspace]\nmembers = [\"py/*\"]\n",
        ),
        ("py/b/pyproject.toml", &project("b", "")),
        (
            "py/a/pyproject.toml",
            &project(
                "a",
                "dependencies = [\"b\"]\n\n[tool.uv.sources.b]\n# above path\npath = \"../b\"  \
                 # the local b\n# above package\npackage = true # after package\neditable = true \
                 # editable\n",
            ),
        ),
    ]);
    let root = dir.path();
    let fixed = run(root, &["lint-deps", "--fix"], &[]);
    assert_eq!(fixed.code, 0, "{}", fixed.stderr);
    let text = std::fs::read_to_string(root.join("py/a/pyproject.toml")).unwrap();
    for comment in [
        "# above path\n",
        "# above package\n",
        "# after package\n",
        "workspace = true  # the local b\n",
        "editable = true # editable\n",
    ] {
        assert!(text.contains(comment), "{comment:?} lost:\n{text}");
    }
    assert!(
        !text.contains("path =") && !text.contains("package ="),
        "{text}"
    );
    if support::require_tool(support::UV.0, support::UV.1) {
        let (locked, why) = support::uv::lock_offline(root);
        assert!(locked, "{why}\n{text}");
        let lock = std::fs::read_to_string(root.join("uv.lock")).unwrap();
        assert!(lock.contains("source = { editable = \"py/b\" }"), "{lock}");
    }
}

/// A maturin project that packages a crate of the workspace which is no PyO3 crate
/// (`bindings = "bin"`: a Rust binary in a wheel; `"cffi"`: a C library), through
/// `[tool.maturin] manifest-path`: a change to any of the crate's files that maturin packs
/// into the project's source distribution (the judge: `maturin sdist`) marks the project, and
/// what requires it, affected.
#[test]
fn a_change_to_a_crate_a_maturin_project_packages_reaches_the_project() {
    for (bindings, lib) in [
        ("bin", ""),
        ("cffi", "\n[lib]\ncrate-type = [\"cdylib\"]\n"),
    ] {
        let source = if lib.is_empty() {
            ("d/rust/tool/src/main.rs", "fn main() {}\n")
        } else {
            (
                "d/rust/tool/src/lib.rs",
                "#[no_mangle]\npub extern \"C\" fn one() -> i32 { 1 }\n",
            )
        };
        let dir = support::write_workspace(&[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"d/rust/*\"]\nresolver = \"2\"\n",
            ),
            (
                "d/rust/tool/Cargo.toml",
                &format!(
                    "[package]\nname = \"tool\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{lib}"
                ),
            ),
            source,
            (
                "pyproject.toml",
                "[tool.uv.workspace]\nmembers = [\"d/python/*\"]\n",
            ),
            (
                "d/python/toolwheel/pyproject.toml",
                &format!(
                    "[build-system]\nrequires = [\"maturin>=1.9.4,<2\"]\nbuild-backend = \
                     \"maturin\"\n\n[project]\nname = \"toolwheel\"\nversion = \"0.1.0\"\n\
                     requires-python = \">=3.11\"\n\n[tool.maturin]\nmanifest-path = \
                     \"../../rust/tool/Cargo.toml\"\nbindings = \"{bindings}\"\n"
                ),
            ),
            (
                "d/python/user/pyproject.toml",
                "[project]\nname = \"user\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n\
                 dependencies = [\"toolwheel\"]\n\n[tool.uv.sources]\ntoolwheel = { workspace = \
                 true }\n",
            ),
        ]);
        let root = dir.path();
        let repo = support::git::Repo::init(root);
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-qm", "init"]);
        // The crate's files maturin packs (relative to the root), else the ones we know of.
        let mut packed = vec!["d/rust/tool/Cargo.toml".to_string(), source.0.to_string()];
        if support::require_tool(support::MATURIN.0, support::MATURIN.1) {
            let out = tempfile::tempdir().unwrap();
            let sdist = std::process::Command::new("maturin")
                .args(["sdist", "-o"])
                .arg(out.path())
                .current_dir(root.join("d/python/toolwheel"))
                .env("CARGO", support::cargo())
                .output()
                .unwrap();
            assert!(
                sdist.status.success(),
                "{}",
                String::from_utf8_lossy(&sdist.stderr)
            );
            let archive = std::fs::read_dir(out.path())
                .unwrap()
                .next()
                .unwrap()
                .unwrap()
                .path();
            let list = std::process::Command::new("tar")
                .arg("tzf")
                .arg(&archive)
                .output()
                .unwrap();
            packed = String::from_utf8_lossy(&list.stdout)
                .lines()
                .filter_map(|l| l.split_once('/').map(|(_, rest)| rest.to_string()))
                .filter(|p| p.starts_with("d/rust/tool/") && !p.ends_with('/'))
                .collect();
            assert!(
                packed.iter().any(|p| p == source.0),
                "{bindings}: {packed:?}"
            );
        }
        for file in &packed {
            let names = run(root, &["affected", "--files", file], &[]).names();
            for want in ["tool", "toolwheel", "user"] {
                assert!(names.contains(want), "{bindings}: {file} -> {names:?}");
            }
        }
    }
}

/// A PyO3 crate whose wheel requires a distribution of the workspace (`citychain-attest`, a
/// Python package of the example) in `[project] dependencies` gets no image: the image's
/// `pip install` of the wheel would take that name from the package index. The problem names
/// the requirement's line; every other image is still generated; the same requirement in an
/// extra (not installed in the image) is fine.
#[test]
fn a_pyo3_image_whose_wheel_requires_a_workspace_package_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    support::git::copy_dir(&support::citychain(), root);
    let pyproject = root.join("DAGs/rust/dag_py/pyproject.toml");
    let original = std::fs::read_to_string(&pyproject).unwrap();
    let dynamic = "dynamic = [\"version\"]\n";
    let line = original[..original.find(dynamic).unwrap()].lines().count() + 2;
    std::fs::write(
        &pyproject,
        original.replace(
            dynamic,
            &format!("{dynamic}dependencies = [\"itoa-py>=1\", \"Citychain_Attest\"]\n"),
        ),
    )
    .unwrap();
    let out = run(root, &["dockerfile", "--check"], &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "DAGs/rust/dag_py/pyproject.toml:{line}: the wheel of dag_py requires \
             `citychain-attest`"
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("could not get an image: dag_py"),
        "{}",
        out.stderr
    );
    // The other images are checked all the same, and are up to date.
    assert!(!out.stderr.contains("stale"), "{}", out.stderr);
    std::fs::write(
        &pyproject,
        original.replace(
            dynamic,
            &format!(
                "{dynamic}\n[project.optional-dependencies]\nattest = [\"citychain-attest\"]\n"
            ),
        ),
    )
    .unwrap();
    let out = run(root, &["dockerfile", "--check"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // What pip installs in the Linux image decides (the wheel's METADATA `Requires-Dist`): a
    // marker false on Linux is fine; an extra the wheel asks for itself is installed; a
    // requirement on a project a path source names is taken from the index too.
    let with = |body: &str| {
        std::fs::write(
            &pyproject,
            original.replace(dynamic, &format!("{dynamic}{body}")),
        )
        .unwrap();
        let text = std::fs::read_to_string(&pyproject).unwrap();
        let out = run(root, &["dockerfile", "--check"], &[]);
        (out, text)
    };
    let (out, _) = with("dependencies = [\"citychain-attest; sys_platform == 'win32'\"]\n");
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Refused at the line that starts with `at`, naming `name`.
    let refused = |body: &str, at: &str, name: &str| {
        let (out, text) = with(body);
        let line = text.lines().position(|l| l.starts_with(at)).unwrap() + 1;
        assert_eq!(out.code, 2, "{}", out.stderr);
        let want = format!("pyproject.toml:{line}: the wheel of dag_py requires `{name}`");
        assert!(out.stderr.contains(&want), "{want}\n{}", out.stderr);
    };
    refused(
        "dependencies = [\"citychain-dags[attest]\"]\n\n[project.optional-dependencies]\n\
         attest = [\"citychain-attest\"]\n",
        "attest =",
        "citychain-attest",
    );
    // pip judges `[project]` markers with the extras asked of the wheel too.
    refused(
        "dependencies = [\"citychain-dags[attest]\", \"citychain-attest; extra == 'attest'\"]\n\n\
         [project.optional-dependencies]\nattest = []\n",
        "dependencies",
        "citychain-attest",
    );
    // The image runs the latest patch of its `python-version` (3.12 here).
    refused(
        "dependencies = [\"citychain-attest; python_full_version > '3.12.0'\"]\n",
        "dependencies",
        "citychain-attest",
    );
    let (out, _) = with("dependencies = [\"citychain-attest; python_full_version < '3.12.1'\"]\n");
    assert_eq!(out.code, 0, "{}", out.stderr);
    // A direct reference to a local path is the host's path in the wheel.
    refused(
        "dependencies = [\"foo-lib @ file:///opt/vendor/foo\"]\n",
        "dependencies",
        "foo-lib",
    );
    std::fs::create_dir_all(root.join("vendor/vext")).unwrap();
    std::fs::write(
        root.join("vendor/vext/pyproject.toml"),
        "[project]\nname = \"vext\"\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    refused(
        "dependencies = [\"vext\"]\n\n[tool.uv.sources]\nvext = { path = \"../../../vendor/vext\" }\n",
        "dependencies",
        "vext",
    );
}

/// A package with a uv workspace of its own (no root one) whose `members` glob only uv's reading
/// matches (`./libs/../libs/*`: uv normalises the path before matching): uv, run there, locks
/// `lib1` from the workspace, so `lib1 = { workspace = true }` is right and a path source is
/// refused. The tool reads that workspace's globs as discovery reads the root's (it used to
/// match them raw with globset, and asked for the path source uv refuses).
#[test]
fn a_package_s_own_uv_workspace_is_read_as_uv_reads_globs() {
    let project = |name: &str, body: &str| {
        format!(
            "[project]\nname = \"{name}\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n{body}"
        )
    };
    for (members, exclude, member) in [
        ("./libs/../libs/*", "", true),
        ("libs/[!x]*", "", true),
        ("libs/*", "exclude = [\"libs/lib*\"]\n", false),
    ] {
        let app = project(
            "app",
            &format!(
                "dependencies = [\"lib1\"]\n\n[tool.uv.sources]\nlib1 = {{ workspace = true \
                 }}\n\n[tool.uv.workspace]\nmembers = [\"{members}\"]\n{exclude}"
            ),
        );
        let dir = support::write_workspace(&[
            (
                "Cargo.toml",
                "[workspace]\nmembers = []\nresolver = \"2\"\n",
            ),
            ("x/python/app/pyproject.toml", &app),
            (
                "x/python/app/libs/lib1/pyproject.toml",
                &project("lib1", ""),
            ),
        ]);
        let root = dir.path();
        let lint = run(root, &["--color", "never", "lint-deps"], &[]);
        if member {
            assert_eq!(lint.code, 0, "{members}: {}", lint.stderr);
        } else {
            // Not a member: its workspace source names nothing.
            assert_ne!(lint.code, 0, "{members} {exclude}: {}", lint.stderr);
        }
        if support::require_tool(support::UV.0, support::UV.1) {
            let (locked, why) = support::uv::lock_offline(&root.join("x/python/app"));
            assert_eq!(locked, member, "{members} {exclude}: {why}");
        }
    }
}

/// `init --python` takes a CPython 3 that the PyO3 crates `new --pyo3` adds can build for (pyo3
/// 0.30 needs 3.9 or later): `2.7`, `3.8`, `4.0` and `03.12` are exit 2 with nothing written;
/// `3.9` and a patch release (`3.12.1`, a tag the `python` images have) are taken.
#[test]
fn init_takes_only_a_python_the_pyo3_crates_build_for() {
    for (python, ok) in [
        ("2.7", false),
        ("3.8", false),
        ("4.0", false),
        ("03.12", false),
        ("3.9", true),
        ("3.12.1", true),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = run(
            dir.path(),
            &["init", "--python", python, "--domains", "a"],
            &[],
        );
        if ok {
            assert_eq!(out.code, 0, "{python}: {}", out.stderr);
            let cargo = std::fs::read_to_string(dir.path().join("Cargo.toml")).unwrap();
            assert!(
                cargo.contains(&format!("python-version = \"{python}\"")),
                "{cargo}"
            );
        } else {
            assert_eq!(out.code, 2, "{python}: {}", out.stderr);
            assert!(out.stderr.contains(python), "{}", out.stderr);
            assert_eq!(
                std::fs::read_dir(dir.path()).unwrap().count(),
                0,
                "{python}"
            );
        }
    }
}

/// `new` refuses a Python package or PyO3 crate whose import name is a module of Python's
/// standard library (`json`, `Asyncio` normalised to `asyncio`, `typing` as a crate): `import
/// json` loads the standard library's, so the package's own generated test failed. Nothing is
/// written; the name the help suggests is taken.
#[test]
fn new_refuses_a_name_the_standard_library_imports_first() {
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = []\nresolver = \"2\"\n",
        ),
        (
            "pyproject.toml",
            "[tool.uv.workspace]\nmembers = [\"*/python/*\"]\n",
        ),
    ]);
    let root = dir.path();
    for args in [
        &["new", "dom/json", "--python"][..],
        &["new", "dom/Asyncio", "--python"],
        &["new", "dom/typing", "--pyo3"],
    ] {
        let out = run(root, args, &[]);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("standard library"), "{}", out.stderr);
        assert!(!root.join("dom").exists(), "{args:?} wrote files");
    }
    let out = run(root, &["new", "dom/json-lib", "--python"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        root.join("dom/python/json-lib/src/json_lib/__init__.py")
            .is_file()
    );
}

/// `init` beside an existing uv workspace whose `members` glob takes folders `init` creates
/// (`*/*` takes `.github/workflows` and `dom/rust`, which hold no `pyproject.toml`): they go to
/// its `exclude`, as `new` does for its own folders, and uv locks the workspace (it refused it:
/// "Workspace member ... is missing a `pyproject.toml`").
#[test]
fn init_excludes_the_folders_it_creates_from_an_existing_uv_workspace() {
    let dir = support::write_workspace(&[(
        "pyproject.toml",
        "# ours\n[tool.uv.workspace]\nmembers = [\"*/*\"]\n",
    )]);
    let root = dir.path();
    let out = run(root, &["init", "--domains", "dom"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(root.join("pyproject.toml")).unwrap();
    assert!(text.starts_with("# ours\n"), "{text}");
    assert!(
        text.contains("exclude = [\".github/workflows\", \"dom/rust\"]"),
        "{text}"
    );
    assert!(
        out.stderr
            .contains("added \"dom/rust\" to [tool.uv.workspace] exclude")
    );
    if support::require_tool(support::UV.0, support::UV.1) {
        let (locked, why) = support::uv::lock_offline(root);
        assert!(locked, "{why}\n{text}");
    }
}

/// A maturin project whose `manifest-path` leads through a link to the crate
/// (`rs -> ../../rust/tool`, which maturin follows: `maturin sdist` packs
/// `d/rust/tool/src/main.rs`): a change to the crate reaches the project.
#[cfg(unix)]
#[test]
fn a_manifest_path_through_a_link_is_followed() {
    let dir = support::write_workspace(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"d/rust/*\"]\nresolver = \"2\"\n",
        ),
        (
            "d/rust/tool/Cargo.toml",
            "[package]\nname = \"tool\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        ("d/rust/tool/src/main.rs", "fn main() {}\n"),
        (
            "pyproject.toml",
            "[tool.uv.workspace]\nmembers = [\"d/python/*\"]\n",
        ),
        (
            "d/python/toolwheel/pyproject.toml",
            "[build-system]\nrequires = [\"maturin>=1.9.4,<2\"]\nbuild-backend = \"maturin\"\n\n\
             [project]\nname = \"toolwheel\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n\n\
             [tool.maturin]\nmanifest-path = \"rs/Cargo.toml\"\nbindings = \"bin\"\n",
        ),
    ]);
    let root = dir.path();
    std::os::unix::fs::symlink("../../rust/tool", root.join("d/python/toolwheel/rs")).unwrap();
    let repo = support::git::Repo::init(root);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "init"]);
    let names = run(
        root,
        &["affected", "--files", "d/rust/tool/src/main.rs"],
        &[],
    )
    .names();
    assert!(names.contains("toolwheel"), "{names:?}");
}

/// `[tool.maturin] python-source` naming the workspace root (`"../../.."`): no context can admit
/// it without the whole repository, so the crate gets no image (exit 2 at the key), and the
/// other images are generated.
#[test]
fn a_python_source_at_the_workspace_root_gets_no_image() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    support::git::copy_dir(&support::citychain(), root);
    let manifest = root.join("DAGs/rust/dag_py/pyproject.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replace("python-source = \"python\"", "python-source = \"../../..\""),
    )
    .unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with("python-source"))
        .unwrap()
        + 1;
    let out = run(root, &["dockerfile", "--check"], &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "DAGs/rust/dag_py/pyproject.toml:{line}: `tool.maturin.python-source` = \"../../..\""
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("could not get an image: dag_py"),
        "{}",
        out.stderr
    );
}
