//! Where the workspace is: the one answer to `--manifest-path` (or the current directory),
//! found the way cargo finds a workspace root (the nearest `Cargo.toml` with `[workspace]`).

use std::path::{Path, PathBuf};

use super::manifest::{Manifest, parse_text};
use crate::errors::UserError;

/// Find the workspace root manifest: `--manifest-path` (a root or a member manifest) or the
/// current directory, then upwards to the first `Cargo.toml` with a `[workspace]` table.
pub fn find_root(manifest_path: Option<&Path>) -> anyhow::Result<PathBuf> {
    find_root_manifest(manifest_path).map(|(dir, _)| dir)
}

/// [`find_root`], with the root manifest it parsed on the way (as `Cargo.toml`).
pub fn find_root_manifest(manifest_path: Option<&Path>) -> anyhow::Result<(PathBuf, Manifest)> {
    let start = search_start(manifest_path)?;
    for d in start.ancestors() {
        let candidate = d.join("Cargo.toml");
        let shown = candidate.display().to_string();
        // A manifest that is not UTF-8 or does not parse may be the root: say where it is
        // broken rather than "no workspace" (cargo stops at it too).
        let text = match std::fs::read(&candidate) {
            Ok(bytes) => Some(crate::fsutil::utf8_text(&shown, bytes)?),
            Err(_) => None,
        };
        if let Some(text) = text
            && text.contains("workspace")
        {
            let mut manifest = parse_text(&shown, text)?;
            if manifest.root().contains_key("workspace") {
                manifest.path = "Cargo.toml".to_string();
                manifest.dir = String::new();
                return Ok((d.to_path_buf(), manifest));
            }
        }
    }
    Err(UserError::new(
        format!(
            "could not find a cargo workspace in `{}` or above",
            start.display()
        ),
        "run inside a workspace or pass --manifest-path to its root Cargo.toml",
    )
    .into())
}

/// A guess at [`find_root_manifest`]'s answer that parses nothing: the nearest folder at or
/// above the start whose `Cargo.toml` has a line opening a `[workspace]` (or
/// `[workspace.*]`) table header, with that file's text. For work that may start before the
/// root is known for certain (the Python packages' prefetch, `python::prefetch_for`), whose
/// caller checks the guess against the real root later. A root that declares its workspace
/// only through dotted keys or inline tables is passed over: the guess is then the next such
/// folder above, or `None`. Nothing is reported.
pub fn guess_root_text(manifest_path: Option<&Path>) -> Option<(PathBuf, String)> {
    let start = search_start(manifest_path).ok()?;
    for d in start.ancestors() {
        if let Ok(text) = std::fs::read_to_string(d.join("Cargo.toml"))
            && text.lines().any(|line| {
                line.trim_start()
                    .strip_prefix('[')
                    .and_then(|rest| rest.trim_start().strip_prefix("workspace"))
                    .is_some_and(|rest| rest.trim_start().starts_with([']', '.']))
            })
        {
            return Some((d.to_path_buf(), text));
        }
    }
    None
}

/// Where the search for the root starts: the folder of `--manifest-path`, else the current
/// folder. Errors: the manifest path names no file.
fn search_start(manifest_path: Option<&Path>) -> anyhow::Result<PathBuf> {
    Ok(match manifest_path {
        Some(p) => {
            if !p.is_file() {
                return Err(UserError::new(
                    format!("manifest path `{}` does not exist", p.display()),
                    "pass the workspace's root Cargo.toml to --manifest-path",
                )
                .into());
            }
            let abs = std::path::absolute(p)?;
            abs.parent().map(Path::to_path_buf).unwrap_or(abs)
        }
        None => std::env::current_dir()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsutil::tests::write;

    /// The guess agrees with the parsed answer where it answers: from a member's folder whose
    /// manifest inherits from the workspace (`version.workspace = true` mentions "workspace"
    /// too), and for table headers with spaces; it gives up on a root that declares its
    /// workspace through dotted keys only.
    #[test]
    fn the_guessed_root_is_the_parsed_root_or_none() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            root,
            &[
                ("Cargo.toml", "[ workspace ]\nmembers = [\"a\"]\n"),
                (
                    "a/Cargo.toml",
                    "[package]\nname = \"a\"\nversion.workspace = true\n[dependencies]\nb = { workspace = true }\n",
                ),
                ("dotted/Cargo.toml", "workspace.members = [\"x\"]\n"),
                (
                    "pkg/Cargo.toml",
                    "[workspace.package]\nversion = \"1.0.0\"\n",
                ),
            ],
        );
        for (manifest, expected) in [
            ("a/Cargo.toml", Some(root.to_path_buf())),
            ("Cargo.toml", Some(root.to_path_buf())),
            ("pkg/Cargo.toml", Some(root.join("pkg"))),
        ] {
            let path = root.join(manifest);
            let guessed = guess_root_text(Some(&path)).map(|(dir, _)| dir);
            assert_eq!(guessed, expected, "{manifest}");
            assert_eq!(Some(find_root(Some(&path)).unwrap()), guessed, "{manifest}");
        }
        // Parsed, the dotted root is a root; the guess walks past it to the real one above,
        // which the caller's check of the guess catches.
        let dotted = root.join("dotted/Cargo.toml");
        assert_eq!(find_root(Some(&dotted)).unwrap(), root.join("dotted"));
        assert_eq!(
            guess_root_text(Some(&dotted)).map(|(dir, _)| dir),
            Some(root.to_path_buf())
        );
    }
}
