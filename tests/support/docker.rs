//! What the Dockerfile tests share: running the tool on a workspace in a temporary folder,
//! writing small workspaces, and the root manifest they start from.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// `cargo-ccworkspace --manifest-path ROOT/Cargo.toml --color never ARGS`.
pub fn tool(root: &Path, args: &[&str]) -> Output {
    Command::new(super::bin())
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .args(["--color", "never"])
        .args(args)
        .output()
        .unwrap()
}

/// Bytes as text, lossily.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Write `files` (path, text) under `root`, nothing else.
pub fn write_tree(root: &Path, files: &[(&str, &str)]) {
    for (path, body) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    }
}

/// A virtual root whose members are `*/rust/*`, with an inheritable version and edition.
pub const ROOT: &str = "[workspace]\nresolver = \"2\"\nmembers = [\"*/rust/*\"]\n\n\
                        [workspace.package]\nversion = \"0.1.0\"\nedition = \"2021\"\n";
