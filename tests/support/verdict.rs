//! What cargo and the workspace reader each make of a workspace on disk: its member
//! directories (relative, `/`), or the refusal's text. The differential tests compare the two
//! case for case.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::Path;

use cargo_ccworkspace::model::{LoadOptions, load};

/// `cargo metadata --no-deps --offline`'s member directories, or cargo's refusal.
pub fn cargo(root: &Path) -> Result<BTreeSet<String>, String> {
    let json = super::cargo_metadata(root, &["--no-deps", "--offline"])?;
    let members: BTreeSet<&str> = json["workspace_members"]
        .as_array()
        .expect("workspace_members")
        .iter()
        .map(|m| m.as_str().expect("an id"))
        .collect();
    let canon = root.canonicalize().unwrap();
    Ok(json["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| members.contains(p["id"].as_str().unwrap()))
        .map(|p| {
            let manifest = Path::new(p["manifest_path"].as_str().unwrap());
            let dir = manifest.parent().unwrap();
            let rel = dir
                .strip_prefix(&canon)
                .or_else(|_| dir.strip_prefix(root))
                .unwrap_or_else(|_| panic!("{} outside the root", dir.display()));
            rel.to_string_lossy().replace('\\', "/")
        })
        .collect())
}

/// The workspace reader's (`model::load`) member directories, or its refusal.
pub fn ours(root: &Path) -> Result<BTreeSet<String>, String> {
    load(&LoadOptions {
        manifest_path: Some(root.join("Cargo.toml")),
        only: Vec::new(),
        find_orphans: false,
    })
    .map(|ws| ws.members.iter().map(|m| m.dir.clone()).collect())
    .map_err(|e| format!("{e:#}"))
}
