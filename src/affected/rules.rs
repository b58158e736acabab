//! Path rules: what a changed file does before (or instead of) mapping it to its crate.
//!
//! Order, first match wins unless a rule says `post-rule = "fallthrough"`:
//! 1. configured `ignore` globs (affect nothing), then `global` globs (affect everything);
//! 2. configured `[[path-rule]]`s in order (determinator's format and semantics);
//! 3. the root `Cargo.toml` and `Cargo.lock`: analysed, not guessed;
//! 4. built-in rules (unless `use-default-rules = false`): toolchain and cargo config files
//!    affect everything; VCS and top-level docs files affect nothing;
//! 5. otherwise the file belongs to the deepest crate whose directory holds it.
//!
//! Globs are matched against the path relative to the workspace root; `*` stays within one
//! path component and `**` crosses them.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::config::{AffectedConfig, MarkChanged, PostRule};
use crate::errors::UserError;

/// Built-in rules whose files affect every crate.
pub const DEFAULT_GLOBAL: &[&str] = &[
    "rust-toolchain",
    "rust-toolchain.toml",
    "**/.cargo/config",
    "**/.cargo/config.toml",
];

/// Whether a change to `path` (relative to the workspace root) can change cargo's graph beyond
/// the member manifests: the root `Cargo.toml` and `Cargo.lock`, and the files of
/// [`DEFAULT_GLOBAL`] (toolchain files, cargo configuration).
pub fn changes_the_graph(path: &str) -> bool {
    static GLOBAL: std::sync::OnceLock<Option<GlobSet>> = std::sync::OnceLock::new();
    let global = GLOBAL.get_or_init(|| build_set(DEFAULT_GLOBAL.iter().copied(), "").ok());
    matches!(path, "Cargo.toml" | "Cargo.lock") || global.as_ref().is_none_or(|g| g.is_match(path))
}

/// Built-in rules whose files affect nothing. Only files outside crates: a crate's own README
/// is often `include_str!`-ed into its docs, so files inside a crate always count.
pub const DEFAULT_IGNORE: &[&str] = &[
    "**/.gitignore",
    "**/.gitattributes",
    "**/.ignore",
    ".dockerignore",
    ".hgignore",
    ".svnignore",
    ".mailmap",
    // A submodule's gitlink carries its change (the packages inside it); `.gitmodules` only
    // names where it lives.
    ".gitmodules",
    ".lintrules/**",
    "README*",
    "LICENSE*",
    "CHANGELOG*",
    "CONTRIBUTING*",
    "CODE_OF_CONDUCT*",
    "SECURITY*",
    "rustfmt.toml",
    ".rustfmt.toml",
    "clippy.toml",
    ".clippy.toml",
    // Build output, if someone committed it.
    "target/**",
];

/// Built-in rule for files outside every crate: project metadata in any folder (a domain's
/// `README.md`) affects nothing, as determinator's default rules say (`**/README*`, ...). Inside
/// a crate these files count: a crate's README is often `include_str!`-ed.
pub const DEFAULT_IGNORE_OUTSIDE_CRATES: &[&str] = &[
    "**/README*",
    "**/LICENSE*",
    "**/CHANGELOG*",
    "**/CONTRIBUTING*",
    "**/CODE_OF_CONDUCT*",
    "**/SECURITY*",
];

/// A root file that is analysed rather than matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootFile {
    Manifest,
    Lockfile,
}

/// What the rules say about one path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Classification {
    /// Every crate is affected, and why.
    pub all: Option<String>,
    /// The file affects nothing, and why.
    pub ignored: Option<String>,
    /// Crates (or `domain:NAME`) a path rule marks, with the rule that did.
    pub marks: Vec<(String, String)>,
    /// Analyse this root file.
    pub analyse: Option<RootFile>,
    /// Map the file to its crate (no rule stopped it).
    pub map_to_crate: bool,
}

/// Compiled rules.
#[derive(Debug)]
pub struct Rules {
    ignore: GlobSet,
    global: GlobSet,
    path_rules: Vec<(GlobSet, MarkChanged, PostRule, String)>,
    use_defaults: bool,
    default_global: GlobSet,
    default_ignore: GlobSet,
    default_ignore_outside: GlobSet,
}

fn build_set<'a>(globs: impl IntoIterator<Item = &'a str>, what: &str) -> anyhow::Result<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        let compiled = GlobBuilder::new(glob)
            .literal_separator(true)
            .build()
            .map_err(|e| {
                UserError::new(
                    format!("invalid glob `{glob}` in {what}: {e}"),
                    "fix the glob in [workspace.metadata.ccworkspace.affected] of the root Cargo.toml",
                )
            })?;
        builder.add(compiled);
    }
    Ok(builder.build()?)
}

impl Rules {
    /// Compile the configured and built-in rules.
    pub fn new(config: &AffectedConfig) -> anyhow::Result<Rules> {
        let mut path_rules = Vec::new();
        for (i, rule) in config.path_rule.iter().enumerate() {
            let what = format!("path-rule #{}", i + 1);
            let set = build_set(rule.globs.iter().map(String::as_str), &what)?;
            let desc = format!("path-rule #{} ({})", i + 1, rule.globs.join(", "));
            path_rules.push((set, rule.mark_changed.clone(), rule.post_rule, desc));
        }
        Ok(Rules {
            ignore: build_set(config.ignore.iter().map(String::as_str), "`ignore`")?,
            global: build_set(config.global.iter().map(String::as_str), "`global`")?,
            path_rules,
            use_defaults: config.use_default_rules,
            default_global: build_set(DEFAULT_GLOBAL.iter().copied(), "the built-in rules")?,
            default_ignore: build_set(DEFAULT_IGNORE.iter().copied(), "the built-in rules")?,
            default_ignore_outside: build_set(
                DEFAULT_IGNORE_OUTSIDE_CRATES.iter().copied(),
                "the built-in rules",
            )?,
        })
    }

    /// Whether a built-in rule ignores `path` once no crate holds it (project metadata in any
    /// folder: [`DEFAULT_IGNORE_OUTSIDE_CRATES`]).
    pub fn ignored_outside_crates(&self, path: &str) -> bool {
        self.use_defaults && self.default_ignore_outside.is_match(path)
    }

    /// Classify a path relative to the workspace root. The root `Cargo.toml` and `Cargo.lock`
    /// are analysed whatever the `ignore` globs and path rules say (determinator compares the
    /// builds whatever its rules say, too); only a rule that marks everything makes the
    /// analysis moot.
    pub fn classify(&self, path: &str) -> Classification {
        let mut c = self.classify_by_rules(path);
        let root_file = match path {
            "Cargo.toml" => Some(RootFile::Manifest),
            "Cargo.lock" => Some(RootFile::Lockfile),
            _ => None,
        };
        if c.all.is_none() && c.analyse.is_none() && root_file.is_some() {
            c.analyse = root_file;
            c.ignored = None;
            c.map_to_crate = false;
        }
        c
    }

    fn classify_by_rules(&self, path: &str) -> Classification {
        let mut c = Classification::default();
        if self.ignore.is_match(path) {
            c.ignored = Some("matches an `ignore` glob".to_string());
            return c;
        }
        if self.global.is_match(path) {
            c.all = Some(format!("{path} matches a `global` glob"));
            return c;
        }
        for (set, mark, post, desc) in &self.path_rules {
            if !set.is_match(path) {
                continue;
            }
            match mark {
                MarkChanged::All => {
                    c.all = Some(format!("{path} matches {desc}, which marks everything"));
                    return c;
                }
                MarkChanged::Crates(names) => {
                    c.marks
                        .extend(names.iter().map(|n| (n.clone(), desc.clone())));
                    if names.is_empty() && *post == PostRule::Skip && c.marks.is_empty() {
                        c.ignored = Some(format!("matches {desc}, which marks nothing"));
                    }
                }
            }
            match post {
                PostRule::Skip => return c,
                PostRule::SkipRules => {
                    c.map_to_crate = true;
                    return c;
                }
                PostRule::Fallthrough => {}
            }
        }
        match path {
            "Cargo.toml" => {
                c.analyse = Some(RootFile::Manifest);
                return c;
            }
            "Cargo.lock" => {
                c.analyse = Some(RootFile::Lockfile);
                return c;
            }
            _ => {}
        }
        if self.use_defaults {
            if self.default_global.is_match(path) {
                c.all = Some(format!("{path} changes how every crate builds"));
                return c;
            }
            if self.default_ignore.is_match(path) {
                c.ignored = Some("a built-in rule ignores it".to_string());
                return c;
            }
        }
        c.map_to_crate = true;
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Unmatched};

    fn rules(extra: &str) -> Rules {
        let text = format!(
            "[workspace]\nmembers = []\n[workspace.metadata.ccworkspace.affected]\n{extra}"
        );
        let config = Config::from_manifest_text(&text, "Cargo.toml").unwrap();
        Rules::new(&config.affected).unwrap()
    }

    #[test]
    fn built_in_rules() {
        let r = rules("");
        assert!(r.classify("rust-toolchain.toml").all.is_some());
        assert!(r.classify(".cargo/config.toml").all.is_some());
        assert!(r.classify("README.md").ignored.is_some());
        assert_eq!(r.classify("Cargo.lock").analyse, Some(RootFile::Lockfile));
        assert_eq!(r.classify("Cargo.toml").analyse, Some(RootFile::Manifest));
        // A crate's own README counts as the crate.
        assert!(r.classify("DAGs/rust/x/README.md").map_to_crate);
        assert!(r.classify("DAGs/rust/x/Cargo.toml").map_to_crate);
    }

    #[test]
    fn configured_rules_come_first_and_follow_post_rule() {
        let r = rules(
            r#"ignore = ["docs/**"]
global = ["ci/**"]
[[workspace.metadata.ccworkspace.affected.path-rule]]
globs = ["DAGs/python/**"]
mark-changed = ["domain:DAGs"]
[[workspace.metadata.ccworkspace.affected.path-rule]]
globs = ["shared/*.proto"]
mark-changed = ["a"]
post-rule = "fallthrough"
[[workspace.metadata.ccworkspace.affected.path-rule]]
globs = ["shared/**"]
mark-changed = ["b"]
post-rule = "skip-rules"
"#,
        );
        assert!(r.classify("docs/x.md").ignored.is_some());
        assert!(r.classify("ci/build.sh").all.is_some());
        let c = r.classify("DAGs/python/run.py");
        assert_eq!(c.marks[0].0, "domain:DAGs");
        assert!(!c.map_to_crate);
        let c = r.classify("shared/a.proto");
        let names: Vec<&str> = c.marks.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, vec!["a", "b"]);
        assert!(c.map_to_crate);
        // `*` stays in one component.
        assert!(
            r.classify("shared/deep/a.proto")
                .marks
                .iter()
                .all(|(n, _)| n != "a")
        );
    }

    #[test]
    fn defaults_can_be_turned_off() {
        let r = rules("use-default-rules = false\n");
        assert!(r.classify("rust-toolchain.toml").map_to_crate);
        // Root manifest and lockfile are always analysed.
        assert_eq!(r.classify("Cargo.lock").analyse, Some(RootFile::Lockfile));
        let _ = Unmatched::All;
    }
}
