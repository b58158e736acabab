//! `lint-deps`'s settings, beside its rules (as cargo-deny keeps each check's config with the
//! check): rule levels and exemptions from `[workspace.metadata.ccworkspace.lint-deps]`, read
//! by [`crate::config::Config`] with the rest of the root's settings.

use serde::Deserialize;

use super::{Level, Rule};

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
    pub levels: std::collections::BTreeMap<Rule, Level>,
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
    pub rule: Option<Rule>,
    /// Why this is accepted (required).
    pub reason: String,
}
