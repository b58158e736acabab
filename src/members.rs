//! Workspace member discovery the way cargo does it, as a pure function over a list of
//! directories that hold a `Cargo.toml`.
//!
//! Cargo expands each `members` entry with the `glob` crate (one path component per `*`, `**`
//! for any depth), keeps matches that are directories, and drops the ones under an `exclude`
//! entry (a path prefix, not a glob) unless a literal `members` entry names them. The caller
//! supplies the directories, from the file system or from a git tree, so the same code serves
//! the head and the base revision.

use std::collections::BTreeSet;

use globset::{GlobBuilder, GlobMatcher};

/// One `members` entry and the member directories it matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    /// The entry as written in `[workspace] members`.
    pub pattern: String,
    /// Relative directories (with `/`) that hold a `Cargo.toml`, in sorted order.
    pub matched: Vec<String>,
    /// Matched directories without a `Cargo.toml` (cargo rejects these).
    pub without_manifest: Vec<String>,
}

pub use crate::model::relpath::normalize;

/// A compiled `members` glob.
enum Matcher {
    /// `dir/*`, by far the most common form: every direct child of `dir`. Compiling a regex
    /// for each of 50 such patterns cost a millisecond per run.
    Children(String),
    Glob(GlobMatcher),
}

impl Matcher {
    fn new(pattern: &str) -> Result<Matcher, globset::Error> {
        if let Some(dir) = pattern.strip_suffix("/*")
            && !dir.contains(['*', '?', '[', ']', '{', '}', '\\'])
        {
            return Ok(Matcher::Children(format!("{dir}/")));
        }
        Ok(Matcher::Glob(
            GlobBuilder::new(pattern)
                .literal_separator(true)
                .backslash_escape(true)
                .build()?
                .compile_matcher(),
        ))
    }

    fn is_match(&self, path: &str) -> bool {
        match self {
            Matcher::Children(prefix) => path
                .strip_prefix(prefix.as_str())
                .is_some_and(|name| !name.contains('/')),
            Matcher::Glob(glob) => glob.is_match(path),
        }
    }
}

/// Expand `members` against `manifest_dirs` (directories holding a `Cargo.toml`) and
/// `all_dirs` (every directory, used to find matches without a manifest; may be empty).
///
/// Returns the sorted member directories and, per pattern, what it matched.
pub fn expand(
    members: &[String],
    exclude: &[String],
    manifest_dirs: &BTreeSet<String>,
    all_dirs: &BTreeSet<String>,
) -> Result<(BTreeSet<String>, Vec<Expansion>), globset::Error> {
    let exclude: Vec<String> = exclude.iter().map(|e| normalize(e)).collect();
    let literal_members: Vec<String> = members
        .iter()
        .filter(|m| !is_glob(m))
        .map(|m| normalize(m))
        .collect();
    let excluded = |dir: &str| {
        let is_under = |prefix: &str| {
            prefix.is_empty() || dir == prefix || dir.starts_with(&format!("{prefix}/"))
        };
        exclude.iter().any(|e| is_under(e)) && !literal_members.iter().any(|m| m == dir)
    };
    let mut result = BTreeSet::new();
    let mut expansions = Vec::new();
    for pattern in members {
        let norm = normalize(pattern);
        let mut matched = Vec::new();
        let mut without_manifest = Vec::new();
        if is_glob(&norm) {
            let m = Matcher::new(&norm)?;
            matched.extend(
                manifest_dirs
                    .iter()
                    .filter(|d| m.is_match(d.as_str()))
                    .cloned(),
            );
            without_manifest.extend(
                all_dirs
                    .iter()
                    .filter(|d| m.is_match(d.as_str()) && !manifest_dirs.contains(*d))
                    .filter(|d| !is_hidden(d))
                    .cloned(),
            );
        } else if manifest_dirs.contains(&norm) {
            matched.push(norm.clone());
        } else {
            without_manifest.push(norm.clone());
        }
        matched.retain(|d| !excluded(d));
        without_manifest.retain(|d| !excluded(d));
        result.extend(matched.iter().cloned());
        expansions.push(Expansion {
            pattern: pattern.clone(),
            matched,
            without_manifest,
        });
    }
    Ok((result, expansions))
}

/// A list of strings from a TOML table (`[workspace] members`, `exclude`); missing or
/// malformed entries give an empty list (cargo reports those itself).
pub fn string_list(table: &toml::Table, key: &str) -> Vec<String> {
    table
        .get(key)
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a `members` entry is a glob (cargo's test: it contains `*`, `?` or `[`).
pub fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

fn is_hidden(dir: &str) -> bool {
    dir.rsplit('/')
        .next()
        .is_some_and(|last| last.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn star_matches_one_component_and_exclude_is_a_prefix() {
        let dirs = set(&[
            "DAGs/rust/a",
            "DAGs/rust/b",
            "DAGs/rust/a/fixtures/ws",
            "login/rust/c",
            "DAGs/rust/old",
        ]);
        let (members, _) = expand(
            &["DAGs/rust/*".into(), "login/rust/*".into()],
            &["DAGs/rust/old".into()],
            &dirs,
            &BTreeSet::new(),
        )
        .unwrap();
        assert_eq!(
            members,
            set(&["DAGs/rust/a", "DAGs/rust/b", "login/rust/c"])
        );
    }

    #[test]
    fn the_children_shortcut_matches_like_the_glob() {
        let paths = [
            "a/x",
            "a/x/y",
            "a",
            "a/",
            "ab/x",
            "a/.hidden",
            "b/a/x",
            "a/b/x",
            "a/b",
            "a/b/x/y",
            "a/b c",
            "x/a/b",
        ];
        for pattern in ["a/*", "a/b/*"] {
            let fast = Matcher::new(pattern).unwrap();
            assert!(matches!(fast, Matcher::Children(_)), "{pattern}");
            let glob = GlobBuilder::new(pattern)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .unwrap()
                .compile_matcher();
            for path in paths {
                assert_eq!(fast.is_match(path), glob.is_match(path), "{pattern} {path}");
            }
        }
        for pattern in ["*", "a/*/x", "a/b*", "a/[bc]/*", "a/**"] {
            assert!(
                matches!(Matcher::new(pattern).unwrap(), Matcher::Glob(_)),
                "{pattern}"
            );
        }
    }

    #[test]
    fn a_literal_member_wins_over_exclude() {
        let dirs = set(&["tools/x"]);
        let (members, _) = expand(
            &["tools/x".into()],
            &["tools".into()],
            &dirs,
            &BTreeSet::new(),
        )
        .unwrap();
        assert_eq!(members, set(&["tools/x"]));
    }

    #[test]
    fn reports_matches_without_a_manifest() {
        let dirs = set(&["a/rust/x"]);
        let all = set(&["a/rust/x", "a/rust/empty"]);
        let (_, exp) = expand(&["a/rust/*".into(), "b/y".into()], &[], &dirs, &all).unwrap();
        assert_eq!(exp[0].without_manifest, vec!["a/rust/empty".to_string()]);
        assert_eq!(exp[1].without_manifest, vec!["b/y".to_string()]);
    }

    #[test]
    fn double_star_matches_any_depth() {
        let dirs = set(&["crates/a", "crates/nested/b"]);
        let (members, _) = expand(&["crates/**".into()], &[], &dirs, &BTreeSet::new()).unwrap();
        assert_eq!(members, set(&["crates/a", "crates/nested/b"]));
    }
}
