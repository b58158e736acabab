//! Which files of a package's directory are the package's: cargo's `package.include` and
//! `package.exclude` (the Cargo Book, "The `exclude` and `include` fields"), as
//! `cargo package --list` applies them.
//!
//! The patterns are gitignore-style and cargo matches them with the `ignore` crate's
//! `GitignoreBuilder`; this is the same translation on `globset`:
//! - a blank line, or one starting with `#`, is no pattern; trailing spaces are trimmed;
//! - `!` re-includes (a whitelist), `\!` and `\#` are literal;
//! - a leading `/` anchors the pattern at the package root; a pattern with no `/` (other than
//!   a trailing one) matches at any depth (`**/` is put in front);
//! - a trailing `/` matches only directories; a trailing `/**` matches what is inside, not the
//!   directory itself;
//! - `*` and `?` stay within one path component; the last pattern that matches decides;
//! - a file is matched, and when no pattern matches it, each of its parent directories in
//!   turn, nearest first (`matched_path_or_any_parents`).
//!
//! cargo then keeps a file when it is not matched by `exclude` or, when `include` is set (it
//! wins over `exclude`), when it is matched by `include`. `Cargo.toml`, `Cargo.lock`, and the
//! `readme` and `license-file` the manifest names are always kept.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// One list of gitignore-style patterns.
#[derive(Debug, Clone)]
struct Patterns {
    set: GlobSet,
    /// Per glob in `set`: (re-includes, matches only directories).
    flags: Vec<(bool, bool)>,
}

impl Patterns {
    fn new(lines: &[String]) -> Result<Patterns, globset::Error> {
        let mut builder = GlobSetBuilder::new();
        let mut flags = Vec::new();
        for line in lines {
            let Some((glob, whitelist, only_dir)) = translate(line) else {
                continue;
            };
            builder.add(
                GlobBuilder::new(&glob)
                    .literal_separator(true)
                    .backslash_escape(true)
                    .build()?,
            );
            flags.push((whitelist, only_dir));
        }
        Ok(Patterns {
            set: builder.build()?,
            flags,
        })
    }

    /// The last pattern matching `path` itself: `Some(true)` excluded (matched),
    /// `Some(false)` re-included, `None` no pattern.
    fn matched(&self, path: &str, is_dir: bool) -> Option<bool> {
        let hits = self.set.matches(path);
        hits.iter().rev().find_map(|&i| {
            let (whitelist, only_dir) = self.flags[i];
            (!only_dir || is_dir).then_some(!whitelist)
        })
    }

    /// `matched` on the file, then on each parent directory, nearest first.
    fn matched_path_or_any_parents(&self, path: &str) -> bool {
        if let Some(m) = self.matched(path, false) {
            return m;
        }
        let mut rest = path;
        while let Some((parent, _)) = rest.rsplit_once('/') {
            if let Some(m) = self.matched(parent, true) {
                return m;
            }
            rest = parent;
        }
        false
    }
}

/// A gitignore line as the `ignore` crate builds it: (glob, re-includes, only directories);
/// `None` for a blank line or a comment.
fn translate(line: &str) -> Option<(String, bool, bool)> {
    if line.starts_with('#') {
        return None;
    }
    let mut line = if line.ends_with("\\ ") {
        line
    } else {
        line.trim_end()
    };
    if line.is_empty() {
        return None;
    }
    let (mut whitelist, mut absolute) = (false, false);
    if line.starts_with("\\!") || line.starts_with("\\#") {
        line = &line[1..];
        absolute = line.starts_with('/');
    } else {
        if let Some(rest) = line.strip_prefix('!') {
            whitelist = true;
            line = rest;
        }
        if let Some(rest) = line.strip_prefix('/') {
            absolute = true;
            line = rest;
        }
    }
    let mut only_dir = false;
    if let Some(rest) = line.strip_suffix('/') {
        only_dir = true;
        line = rest.strip_suffix('\\').unwrap_or(rest);
    }
    let mut glob = line.to_string();
    if !absolute && !line.contains('/') && !glob.starts_with("**/") {
        glob = format!("**/{glob}");
    }
    if glob.ends_with("/**") {
        glob.push_str("/*");
    }
    Some((glob, whitelist, only_dir))
}

/// The files of one package, by its `include` / `exclude`.
#[derive(Debug, Clone)]
pub struct PackageFiles {
    rule: Rule,
    /// Always the package's: `Cargo.toml`, `Cargo.lock`, `readme`, `license-file`.
    always: Vec<String>,
}

#[derive(Debug, Clone)]
enum Rule {
    /// Neither list: every file.
    All,
    Exclude(Patterns),
    Include(Patterns),
}

impl PackageFiles {
    /// From the lists and the manifest's `readme` / `license-file` (relative to the package).
    ///
    /// Errors: a pattern that is not a glob (cargo refuses the manifest too).
    pub fn new(
        include: &[String],
        exclude: &[String],
        always: &[String],
    ) -> Result<PackageFiles, globset::Error> {
        let rule = if !include.is_empty() {
            Rule::Include(Patterns::new(include)?)
        } else if !exclude.is_empty() {
            Rule::Exclude(Patterns::new(exclude)?)
        } else {
            Rule::All
        };
        let mut all = vec!["Cargo.toml".to_string(), "Cargo.lock".to_string()];
        all.extend(
            always
                .iter()
                .filter_map(|p| super::relpath::normalize_rel(p)),
        );
        Ok(PackageFiles { rule, always: all })
    }

    /// From a package manifest's text: its `[package]` `include`, `exclude`, `readme` and
    /// `license-file`, with `field.workspace = true` read from the same manifest's
    /// `[workspace.package]` (a root package inherits from its own file). `None` when the
    /// text is not TOML, a list is not a list of strings, or a pattern is invalid: cargo
    /// refuses those manifests, and the caller treats every file as the package's.
    pub fn from_manifest(text: &str) -> Option<PackageFiles> {
        let table: toml::Table = toml::from_str(text).ok()?;
        let package = table.get("package")?.as_table()?;
        let inherited = table
            .get("workspace")
            .and_then(|w| w.get("package"))
            .and_then(|p| p.as_table());
        let field = |key: &str| -> Option<&toml::Value> {
            let v = package.get(key)?;
            if v.get("workspace").and_then(toml::Value::as_bool) == Some(true) {
                inherited?.get(key)
            } else {
                Some(v)
            }
        };
        let list = |key: &str| -> Option<Vec<String>> {
            match field(key) {
                None => Some(Vec::new()),
                Some(v) => v
                    .as_array()?
                    .iter()
                    .map(|s| s.as_str().map(str::to_string))
                    .collect(),
            }
        };
        let (include, exclude) = (list("include")?, list("exclude")?);
        let always: Vec<String> = ["readme", "license-file"]
            .iter()
            .filter_map(|k| field(k)?.as_str().map(str::to_string))
            .collect();
        PackageFiles::new(&include, &exclude, &always).ok()
    }

    /// Whether the file at `path` (relative to the package directory, with `/`) is the
    /// package's.
    pub fn contains(&self, path: &str) -> bool {
        if self.always.iter().any(|a| a == path) {
            return true;
        }
        match &self.rule {
            Rule::All => true,
            Rule::Exclude(p) => !p.matched_path_or_any_parents(path),
            Rule::Include(p) => p.matched_path_or_any_parents(path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(include: &[&str], exclude: &[&str]) -> PackageFiles {
        let s = |l: &[&str]| l.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        PackageFiles::new(&s(include), &s(exclude), &[]).unwrap()
    }

    #[test]
    fn exclude_patterns_follow_gitignore() {
        let f = files(
            &[],
            &["assets/", "/tools/*.sh", "*.bak", "docs/**", "!keep.bak"],
        );
        assert!(!f.contains("assets/x.txt"));
        assert!(!f.contains("a/assets/x.txt"), "no slash: any depth");
        assert!(
            f.contains("assets"),
            "a trailing slash matches directories only"
        );
        assert!(!f.contains("tools/y.sh"));
        assert!(f.contains("a/tools/y.sh"), "a leading slash anchors");
        assert!(f.contains("tools/sub/y.sh"), "* stays in one component");
        assert!(!f.contains("deep/x.bak"));
        assert!(f.contains("deep/keep.bak"), "the last match decides");
        assert!(!f.contains("docs/a/b.md"));
        assert!(f.contains("src/lib.rs"));
        assert!(f.contains("Cargo.toml"));
    }

    #[test]
    fn include_wins_over_exclude_and_keeps_the_manifest() {
        let s = |l: &[&str]| l.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        let f = PackageFiles::new(
            &s(&["src/", "/build.rs", "assets/**/*.txt"]),
            &s(&["src/"]),
            &s(&["./docs/intro.md"]),
        )
        .unwrap();
        assert!(f.contains("src/lib.rs"));
        assert!(f.contains("src/a/b.rs"));
        assert!(f.contains("build.rs"));
        assert!(f.contains("assets/x.txt"));
        assert!(f.contains("assets/a/b/x.txt"));
        assert!(!f.contains("assets/x.png"));
        assert!(!f.contains("tools/y.sh"));
        assert!(f.contains("Cargo.toml") && f.contains("Cargo.lock"));
        assert!(
            f.contains("docs/intro.md"),
            "readme / license-file are always kept"
        );
    }

    #[test]
    fn comments_blank_lines_and_escapes() {
        let f = files(&[], &["# not a pattern", "", "\\#hash", "\\!bang"]);
        assert!(f.contains("not a pattern"));
        assert!(!f.contains("#hash"));
        assert!(!f.contains("!bang"));
    }

    #[test]
    fn reads_the_manifest_and_inherits_from_its_workspace_table() {
        let f = PackageFiles::from_manifest(
            "[workspace.package]\nexclude = [\"assets/\"]\n\n[package]\nname = \"r\"\nexclude.workspace = true\nreadme = \"assets/README.md\"\n",
        )
        .unwrap();
        assert!(!f.contains("assets/x.txt"));
        assert!(f.contains("assets/README.md"));
        assert!(f.contains("tools/y.sh"));
        assert!(PackageFiles::from_manifest("[package]\nexclude = [1]\n").is_none());
        assert!(PackageFiles::from_manifest("[workspace]\n").is_none());
    }
}
