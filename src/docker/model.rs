//! The image generator's view of the workspace ([`WorkspaceModel`]), built from what the one
//! workspace reader loaded: the same members, refused where cargo refuses them, plus what the
//! images need around them (`[patch]` path targets and the path dependencies of every crate in
//! the context). Pure: crates the reader did not load are asked for through `read_other`.

use std::collections::BTreeMap;

use crate::config::Config;
use crate::errors::UserError;
use crate::model::files::CrateFiles;

use super::{CrateInfo, RootInfo, WorkspaceModel, parse_crate, parse_root};

/// One crate as read from disk: its manifest text and the files that decide its targets.
pub(crate) type CrateSource = (String, CrateFiles);

/// Build the model from the root manifest (`root_text`, named `label` in messages), the
/// members by directory, and which of [`super::ROOT_BUILD_FILES`] exist (`root_files`).
/// `read_other(dir)` reads a crate that is not a member (a `[patch]` target, an excluded path
/// dependency).
///
/// A root `[package]` is the member with the directory `""`.
///
/// Errors (exit 2): a crate without targets, a manifest [`parse_crate`] cannot read, and what `read_other` returns.
pub(crate) fn workspace_model(
    root_text: &str,
    label: &str,
    members: &BTreeMap<String, CrateSource>,
    root_files: Vec<String>,
    read_other: &mut dyn FnMut(&str) -> anyhow::Result<CrateSource>,
) -> anyhow::Result<WorkspaceModel> {
    let config = Config::from_manifest_text(root_text, label)?;
    let info = parse_root(root_text, label)?;
    let mut crates: BTreeMap<String, CrateInfo> = BTreeMap::new();
    // `[patch]` path targets are not members, but their own path dependencies belong in the
    // context too. They sit first in the stack, so a member that is also patched in is read
    // as a member.
    let mut queue: Vec<String> = info
        .patch_dirs
        .iter()
        .cloned()
        .chain(members.keys().cloned())
        .collect();
    while let Some(dir) = queue.pop() {
        if crates.contains_key(&dir) {
            continue;
        }
        let krate = match members.get(&dir) {
            Some((text, files)) => crate_info(&dir, text, files, &info, true)?,
            None => {
                let (text, files) = read_other(&dir)?;
                crate_info(&dir, &text, &files, &info, false)?
            }
        };
        queue.extend(
            krate
                .path_deps
                .iter()
                .filter(|d| !crates.contains_key(*d))
                .cloned(),
        );
        crates.insert(dir, krate);
    }
    Ok(WorkspaceModel {
        root_manifest: root_text.to_string(),
        crates,
        root_files,
        patch_dirs: info.patch_dirs,
        config: config.docker,
    })
}

/// One crate of the model; a package without targets is refused as cargo refuses it ("no
/// targets specified in the manifest"): an image for it cannot build, and calling it a library
/// would hide that.
fn crate_info(
    dir: &str,
    text: &str,
    files: &CrateFiles,
    info: &RootInfo,
    is_member: bool,
) -> anyhow::Result<CrateInfo> {
    let manifest = crate::workspace::join(dir, "Cargo.toml");
    let krate = parse_crate(text, dir, &manifest, info, files, is_member)?;
    if !files.main_rs && files.bin_dir.is_empty() && !files.lib_rs {
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
