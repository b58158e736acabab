//! The files next to a crate's manifest that decide how it builds: its `pyproject.toml`, and
//! which of `src/main.rs`, `src/lib.rs` and `src/bin/` it has (cargo's target auto-discovery,
//! the Cargo Book's "Target auto-discovery").

use std::path::Path;

use crate::errors::UserError;
use crate::fsutil::read_optional;

/// Files next to a manifest that decide how it builds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrateFiles {
    /// `pyproject.toml` text, when the crate has one.
    pub pyproject: Option<String>,
    /// Whether `src/main.rs` exists.
    pub main_rs: bool,
    /// Whether `src/lib.rs` exists.
    pub lib_rs: bool,
    /// Binary sources under `src/bin/`, relative to the crate: `src/bin/x.rs` or
    /// `src/bin/x/main.rs` (both are the binary `x`).
    pub bin_dir: Vec<String>,
}

/// Read the [`CrateFiles`] of the crate in `dir` (relative to `root`); `pyproject` is its
/// `pyproject.toml` when the caller read it already (`Workspace::pyprojects`), so it is not
/// read twice.
///
/// Errors: a `pyproject.toml` that exists but cannot be read.
pub(crate) fn read(
    root: &Path,
    dir: &str,
    pyproject: Option<Option<String>>,
) -> anyhow::Result<CrateFiles> {
    let abs = root.join(dir);
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
    bin_dir.sort();
    Ok(CrateFiles {
        pyproject: match pyproject {
            Some(known) => known,
            None => read_optional(&abs.join("pyproject.toml"))?,
        },
        main_rs: abs.join("src/main.rs").is_file(),
        lib_rs: abs.join("src/lib.rs").is_file(),
        bin_dir,
    })
}

/// The manifest text of a crate the workspace reader did not load (a `[patch]` target, or an
/// excluded path dependency), with its [`CrateFiles`].
///
/// Errors: the manifest does not exist or cannot be read.
pub(crate) fn read_with_manifest(root: &Path, dir: &str) -> anyhow::Result<(String, CrateFiles)> {
    let manifest = super::relpath::join(dir, "Cargo.toml");
    let text = read_optional(&root.join(&manifest))?.ok_or_else(|| {
        UserError::new(
            format!("{manifest} does not exist"),
            "fix the path dependency or the `[patch]` entry that names it",
        )
    })?;
    Ok((text, read(root, dir, None)?))
}
