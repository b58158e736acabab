//! The image generator's view of the workspace ([`WorkspaceModel`]), built from the one
//! workspace reader ([`crate::manifests::load`]): the same members, refused where cargo refuses
//! them, plus what the images need around them (`[patch]` path targets and their path
//! dependencies, `src/main.rs` and `src/bin/`, each crate's `pyproject.toml`).

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::Config;
use crate::docker::{self, CrateFiles, CrateInfo, ROOT_BUILD_FILES, RootInfo, WorkspaceModel};
use crate::errors::UserError;
use crate::fsutil::read_optional;
use crate::manifests::{self, LoadOptions};

/// Load the workspace rooted at `root` (absolute) for image generation.
///
/// Errors (exit 2): everything [`manifests::load`] refuses (a workspace cargo refuses), a root
/// `[package]` (`dockerfile` supports virtual workspaces only), a crate without targets, and a
/// manifest `docker::parse_crate` cannot read.
pub(crate) fn load(root: &Path) -> anyhow::Result<WorkspaceModel> {
    let ws = manifests::load(&LoadOptions {
        manifest_path: Some(root.join("Cargo.toml")),
        only: Vec::new(),
        find_orphans: false,
    })?;
    let label = root.join("Cargo.toml").display().to_string();
    let root_manifest = ws.root.text().to_string();
    let config = Config::from_manifest_text(&root_manifest, &label)?;
    let info = docker::parse_root(&root_manifest, &label)?;
    if info.has_package {
        return Err(UserError::new(
            format!("{label} has a [package]: `dockerfile` supports virtual workspaces only"),
            "move the root package into a member folder",
        )
        .into());
    }
    let texts: BTreeMap<&str, &str> = ws
        .members
        .iter()
        .map(|m| (m.dir.as_str(), m.text()))
        .collect();

    let mut crates: BTreeMap<String, CrateInfo> = BTreeMap::new();
    // `[patch]` path targets are not members, but their own path dependencies belong in the
    // context too. They sit first in the stack, so a member that is also patched in is read
    // as a member.
    let mut queue: Vec<String> = info
        .patch_dirs
        .iter()
        .cloned()
        .chain(texts.keys().map(|d| d.to_string()))
        .collect();
    while let Some(dir) = queue.pop() {
        if crates.contains_key(&dir) {
            continue;
        }
        let is_member = texts.contains_key(dir.as_str());
        let krate = read_crate(
            root,
            &dir,
            texts.get(dir.as_str()).copied(),
            &info,
            is_member,
        )?;
        // Path dependencies that are not members (excluded ones, or those of a `[patch]`
        // target) are read too: the image's context needs them.
        queue.extend(
            krate
                .path_deps
                .iter()
                .filter(|d| !crates.contains_key(*d))
                .cloned(),
        );
        crates.insert(dir, krate);
    }
    let root_files = ROOT_BUILD_FILES
        .iter()
        .filter(|f| root.join(f).is_file())
        .map(|f| f.to_string())
        .collect();
    Ok(WorkspaceModel {
        root_manifest,
        crates,
        root_files,
        patch_dirs: info.patch_dirs,
        config: config.docker,
    })
}

/// One crate of the model: its manifest (`text` when the loader already read it), its
/// `pyproject.toml`, and which binary sources it has.
fn read_crate(
    root: &Path,
    dir: &str,
    text: Option<&str>,
    info: &RootInfo,
    is_member: bool,
) -> anyhow::Result<CrateInfo> {
    let abs = root.join(dir);
    let manifest = crate::workspace::join(dir, "Cargo.toml");
    let owned;
    let text = match text {
        Some(text) => text,
        None => {
            owned = read_optional(&abs.join("Cargo.toml"))?.ok_or_else(|| {
                UserError::new(
                    format!("{manifest} does not exist"),
                    "fix the path dependency or the `[patch]` entry that names it",
                )
            })?;
            owned.as_str()
        }
    };
    let mut bin_dir = Vec::new();
    if let Ok(entries) = std::fs::read_dir(abs.join("src/bin")) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if path.is_dir() {
                if path.join("main.rs").is_file() {
                    bin_dir.push(format!("src/bin/{name}/main.rs"));
                }
            } else if name.ends_with(".rs") {
                bin_dir.push(format!("src/bin/{name}"));
            }
        }
    }
    let files = CrateFiles {
        pyproject: read_optional(&abs.join("pyproject.toml"))?,
        main_rs: abs.join("src/main.rs").is_file(),
        bin_dir,
    };
    let krate = docker::parse_crate(text, dir, &manifest, info, &files, is_member)?;
    // Cargo refuses a package without targets ("no targets specified in the manifest"); an
    // image for it cannot build, and calling it a library would hide that.
    if !files.main_rs && files.bin_dir.is_empty() && !abs.join("src/lib.rs").is_file() {
        let declares_targets = text.parse::<toml::Table>().is_ok_and(|t| {
            ["lib", "bin", "example", "test", "bench"]
                .iter()
                .any(|k| t.contains_key(*k))
        });
        if !declares_targets {
            return Err(UserError::new(
                format!(
                    "{manifest}: the package has no targets (no src/lib.rs, src/main.rs or \
                     src/bin/, and no [lib] or [[bin]]); cargo refuses it"
                ),
                format!(
                    "add {dir}/src/lib.rs or {dir}/src/main.rs, or a [lib] or [[bin]] with its path"
                ),
            )
            .into());
        }
    }
    Ok(krate)
}
