//! `[workspace.metadata.ccworkspace]` in the root `Cargo.toml`, typed.
//!
//! Read straight from the root manifest's text (not from `cargo metadata`), so `lint-deps` and
//! `dockerfile --check` need no cargo, and a mistake is reported with its line and column.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use crate::errors::UserError;

/// The whole `[workspace.metadata.ccworkspace]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub affected: AffectedConfig,
    /// `[workspace.metadata.ccworkspace.lint-deps]`.
    #[serde(default)]
    pub lint_deps: LintDepsConfig,
    /// `[workspace.metadata.ccworkspace.docker]` (typed by the `docker` module).
    #[serde(default)]
    pub docker: Option<toml::Table>,
}

/// `[workspace.metadata.ccworkspace.affected]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AffectedConfig {
    /// What a changed file outside every crate (and every rule) does.
    #[serde(default)]
    pub unmatched: Unmatched,
    /// Globs whose files affect every crate.
    #[serde(default)]
    pub global: Vec<String>,
    /// Globs whose files affect nothing.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Apply the built-in rules after the configured ones (see `docs/affected.md`).
    #[serde(default = "yes")]
    pub use_default_rules: bool,
    /// Determinator-style path rules, applied in order after `ignore` and `global`.
    #[serde(default)]
    pub path_rule: Vec<PathRule>,
    /// Determinator-style package rules: when one crate is affected, mark others.
    #[serde(default)]
    pub package_rule: Vec<PackageRule>,
}

fn yes() -> bool {
    true
}

impl Default for AffectedConfig {
    fn default() -> Self {
        AffectedConfig {
            unmatched: Unmatched::default(),
            global: Vec::new(),
            ignore: Vec::new(),
            use_default_rules: true,
            path_rule: Vec::new(),
            package_rule: Vec::new(),
        }
    }
}

/// `[workspace.metadata.ccworkspace.lint-deps]`: rule levels and exemptions.
///
/// ```toml
/// [workspace.metadata.ccworkspace.lint-deps]
/// levels = { unused-workspace-dep = "deny", duplicate-versions = "allow" }
/// exemptions = [
///   { package = "legacy", dependency = "openssl", rule = "not-inherited", reason = "pinned fork" },
/// ]
/// ```
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct LintDepsConfig {
    /// Level per rule code; rules not named keep their default level.
    #[serde(default)]
    pub levels: std::collections::BTreeMap<crate::lint::Rule, crate::lint::Level>,
    /// Findings to accept, each with a reason.
    #[serde(default)]
    pub exemptions: Vec<Exemption>,
}

/// One accepted finding (or family of findings): every field that is set must match.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Exemption {
    /// The member's package name.
    #[serde(default)]
    pub package: Option<String>,
    /// The dependency key (or crate name for `duplicate-versions` and `version-conflict`).
    #[serde(default)]
    pub dependency: Option<String>,
    /// The rule code.
    #[serde(default)]
    pub rule: Option<crate::lint::Rule>,
    /// Why this is accepted (required).
    pub reason: String,
}

/// `unmatched = "all" | "ignore" | "error"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unmatched {
    /// Every crate is affected (the safe default, as determinator does).
    #[default]
    All,
    /// The file is ignored.
    Ignore,
    /// `affected` fails, naming the file, so someone adds a rule.
    Error,
}

/// `[[...affected.path-rule]]`: the determinator format.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PathRule {
    pub globs: Vec<String>,
    pub mark_changed: MarkChanged,
    #[serde(default)]
    pub post_rule: PostRule,
}

/// `[[...affected.package-rule]]`: the determinator format.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PackageRule {
    pub on_affected: Vec<String>,
    pub mark_changed: MarkChanged,
}

/// `mark-changed = "all"` or a list of crate names (`"domain:NAME"` names a domain's crates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkChanged {
    All,
    Crates(Vec<String>),
}

impl<'de> Deserialize<'de> for MarkChanged {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MarkChanged;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#""all" or a list of crate names"#)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<MarkChanged, E> {
                if v == "all" {
                    Ok(MarkChanged::All)
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(v), &self))
                }
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<MarkChanged, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    names.push(name);
                }
                Ok(MarkChanged::Crates(names))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// What happens after a path rule matched (determinator's `post-rule`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PostRule {
    /// Stop: the path is handled.
    #[default]
    Skip,
    /// Skip the remaining rules but still map the path to its crate.
    SkipRules,
    /// Go on with the next rules.
    Fallthrough,
}

#[derive(Debug, Default, Deserialize)]
struct RootManifest {
    #[serde(default)]
    workspace: Option<WorkspaceTable>,
}

#[derive(Debug, Default, Deserialize)]
struct WorkspaceTable {
    #[serde(default)]
    metadata: Option<MetadataTable>,
}

#[derive(Debug, Default, Deserialize)]
struct MetadataTable {
    #[serde(default)]
    ccworkspace: Option<Config>,
}

impl Config {
    /// Parse the config out of the root manifest's text. `path` is only used in messages.
    pub fn from_manifest_text(text: &str, path: &str) -> anyhow::Result<Config> {
        let root: RootManifest = toml::from_str(text).map_err(|e| {
            let mut err = toml_error(path, text, &e);
            if text.contains("ccworkspace") {
                err.message = format!(
                    "{} (if this is in [workspace.metadata.ccworkspace], see docs/config.md)",
                    err.message
                );
            }
            err
        })?;
        Ok(root
            .workspace
            .and_then(|w| w.metadata)
            .and_then(|m| m.ccworkspace)
            .unwrap_or_default())
    }

    /// Read the root manifest at `path` and parse its config.
    pub fn load(path: &std::path::Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            UserError::new(
                format!("failed to read {}: {e}", path.display()),
                "run in a cargo workspace or pass --manifest-path",
            )
        })?;
        Config::from_manifest_text(&text, &path.display().to_string())
    }
}

/// A TOML error as a [`UserError`] with `file:line:column`.
pub fn toml_error(path: &str, text: &str, err: &toml::de::Error) -> UserError {
    let location = err
        .span()
        .map(|span| {
            let (line, col) = line_col(text, span.start);
            format!("{path}:{line}:{col}")
        })
        .unwrap_or_else(|| path.to_string());
    UserError::new(
        format!("{location}: {}", err.message().trim()),
        format!("fix {path} at that line"),
    )
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_affected_section() {
        let text = r#"
[workspace]
members = ["a"]
[workspace.metadata.ccworkspace.affected]
unmatched = "ignore"
global = ["ci/**"]
[[workspace.metadata.ccworkspace.affected.path-rule]]
globs = ["DAGs/python/**"]
mark-changed = ["domain:DAGs"]
[[workspace.metadata.ccworkspace.affected.path-rule]]
globs = ["docs/**"]
mark-changed = "all"
post-rule = "fallthrough"
"#;
        let c = Config::from_manifest_text(text, "Cargo.toml").unwrap();
        assert_eq!(c.affected.unmatched, Unmatched::Ignore);
        assert_eq!(c.affected.path_rule.len(), 2);
        assert_eq!(
            c.affected.path_rule[0].mark_changed,
            MarkChanged::Crates(vec!["domain:DAGs".into()])
        );
        assert_eq!(c.affected.path_rule[1].mark_changed, MarkChanged::All);
        assert_eq!(c.affected.path_rule[1].post_rule, PostRule::Fallthrough);
    }

    #[test]
    fn an_unknown_key_is_an_error_with_its_line() {
        let text = "[workspace]\nmembers = []\n[workspace.metadata.ccworkspace.affected]\nunmatchd = \"all\"\n";
        let err = Config::from_manifest_text(text, "Cargo.toml").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("Cargo.toml:4:1"), "{msg}");
        assert!(msg.contains("unmatchd"), "{msg}");
    }

    #[test]
    fn parses_lint_deps_levels_and_exemptions() {
        let text = r#"
[workspace]
members = []
[workspace.metadata.ccworkspace.lint-deps]
levels = { unused-workspace-dep = "deny", duplicate-versions = "allow" }
exemptions = [{ package = "a", rule = "not-inherited", reason = "fork" }]
"#;
        let c = Config::from_manifest_text(text, "Cargo.toml").unwrap();
        assert_eq!(
            c.lint_deps
                .levels
                .get(&crate::lint::Rule::UnusedWorkspaceDep),
            Some(&crate::lint::Level::Deny)
        );
        assert_eq!(c.lint_deps.exemptions[0].package.as_deref(), Some("a"));
    }

    #[test]
    fn an_exemption_without_reason_or_with_a_bad_rule_is_an_error() {
        let text = "[workspace]\n[workspace.metadata.ccworkspace.lint-deps]\nexemptions = [{ package = \"a\" }]\n";
        let err = Config::from_manifest_text(text, "Cargo.toml").unwrap_err();
        assert!(err.to_string().contains("reason"), "{err}");
        let text = "[workspace]\n[workspace.metadata.ccworkspace.lint-deps]\nlevels = { not-inheritd = \"warn\" }\n";
        let err = Config::from_manifest_text(text, "Cargo.toml").unwrap_err();
        assert!(err.to_string().contains("Cargo.toml:3:"), "{err}");
    }

    #[test]
    fn no_section_is_the_default() {
        let c = Config::from_manifest_text("[workspace]\nmembers = []\n", "Cargo.toml").unwrap();
        assert_eq!(c.affected.unmatched, Unmatched::All);
        assert!(c.affected.use_default_rules);
    }
}
