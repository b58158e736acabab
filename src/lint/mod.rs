//! Dependency lints over manifests read directly (no `cargo metadata`): findings and fixes.
//!
//! [`check`] runs every rule over a loaded [`Workspace`] and returns [`Finding`]s: data, not
//! errors. Each finding has a stable [`Rule`] code, a [`Level`] (the rule's default or the one
//! set in `[workspace.metadata.ccworkspace.lint-deps]`), the file and byte span it points at,
//! and the [`Edit`]s that fix it, if a fix is safe. Exempted and `allow`ed findings are dropped;
//! an exemption that matches nothing is itself a finding (`unused-exemption`).
//!
//! Nothing here prints or spawns processes; [`fix`] turns edits into new file texts.

pub mod config;
mod deps;
pub mod fix;
mod inherit;
mod layout;
pub(crate) mod lockfile;
pub(crate) mod plan;
pub(crate) mod python;
mod spelling;
mod versions;

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

pub use config::{Exemption, LintDepsConfig};
use rayon::prelude::*;

use crate::model::{DepEntry, DepSpec, Manifest, NodeExt, Table, Workspace, dependencies, entries};

pub use crate::model::lockfile::{LockedPackage, Lockfile};
pub use fix::{Edit, NewEntry};

/// A rule, by its stable kebab-case code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    NotInherited,
    MissingWorkspaceEntry,
    IgnoredKey,
    IneffectiveDefaultFeatures,
    DeprecatedSpelling,
    VersionConflict,
    UnusedWorkspaceDep,
    DuplicateVersions,
    OrphanCrate,
    LintsNotInherited,
    PackageNotInherited,
    Pyo3Layout,
    MissingWorkspaceSource,
    IncompatibleRequiresPython,
    Pyo3NotUvMember,
    UnusedExemption,
}

impl Rule {
    /// Every rule, in documentation order.
    pub const ALL: [Rule; 16] = [
        Rule::NotInherited,
        Rule::MissingWorkspaceEntry,
        Rule::IgnoredKey,
        Rule::IneffectiveDefaultFeatures,
        Rule::DeprecatedSpelling,
        Rule::VersionConflict,
        Rule::UnusedWorkspaceDep,
        Rule::DuplicateVersions,
        Rule::OrphanCrate,
        Rule::LintsNotInherited,
        Rule::PackageNotInherited,
        Rule::Pyo3Layout,
        Rule::MissingWorkspaceSource,
        Rule::IncompatibleRequiresPython,
        Rule::Pyo3NotUvMember,
        Rule::UnusedExemption,
    ];

    /// The stable code (`not-inherited`).
    pub fn code(self) -> &'static str {
        match self {
            Rule::NotInherited => "not-inherited",
            Rule::MissingWorkspaceEntry => "missing-workspace-entry",
            Rule::IgnoredKey => "ignored-key",
            Rule::IneffectiveDefaultFeatures => "ineffective-default-features",
            Rule::DeprecatedSpelling => "deprecated-spelling",
            Rule::VersionConflict => "version-conflict",
            Rule::UnusedWorkspaceDep => "unused-workspace-dep",
            Rule::DuplicateVersions => "duplicate-versions",
            Rule::OrphanCrate => "orphan-crate",
            Rule::LintsNotInherited => "lints-not-inherited",
            Rule::PackageNotInherited => "package-not-inherited",
            Rule::Pyo3Layout => "pyo3-layout",
            Rule::MissingWorkspaceSource => "missing-workspace-source",
            Rule::IncompatibleRequiresPython => "incompatible-requires-python",
            Rule::Pyo3NotUvMember => "pyo3-not-uv-member",
            Rule::UnusedExemption => "unused-exemption",
        }
    }

    /// The level a rule has unless the config says otherwise.
    pub fn default_level(self) -> Level {
        match self {
            Rule::NotInherited
            | Rule::MissingWorkspaceEntry
            | Rule::IgnoredKey
            | Rule::IneffectiveDefaultFeatures
            | Rule::DeprecatedSpelling
            | Rule::VersionConflict
            | Rule::OrphanCrate
            | Rule::Pyo3Layout
            | Rule::MissingWorkspaceSource
            | Rule::IncompatibleRequiresPython
            | Rule::Pyo3NotUvMember => Level::Deny,
            Rule::UnusedWorkspaceDep
            | Rule::DuplicateVersions
            | Rule::LintsNotInherited
            | Rule::PackageNotInherited
            | Rule::UnusedExemption => Level::Warn,
        }
    }

    /// One line on what the rule finds.
    pub fn summary(self) -> &'static str {
        match self {
            Rule::NotInherited => "member dependency not taken from [workspace.dependencies]",
            Rule::MissingWorkspaceEntry => {
                "`workspace = true` without an entry in [workspace.dependencies]"
            }
            Rule::IgnoredKey => "key next to `workspace = true` that cargo ignores",
            Rule::IneffectiveDefaultFeatures => {
                "`default-features = false` that cargo ignores or rejects here"
            }
            Rule::DeprecatedSpelling => {
                "underscore key (`default_features`, `dev_dependencies`, ...) cargo refuses in edition 2024"
            }
            Rule::VersionConflict => "semver-incompatible requirements for one crate",
            Rule::UnusedWorkspaceDep => "[workspace.dependencies] entry no member uses",
            Rule::DuplicateVersions => "one crate locked at several versions in Cargo.lock",
            Rule::OrphanCrate => "Cargo.toml under the root that is neither member nor excluded",
            Rule::LintsNotInherited => "member does not inherit [workspace.lints]",
            Rule::PackageNotInherited => "member does not inherit a [workspace.package] field",
            Rule::Pyo3Layout => "PyO3 crate that maturin cannot build on its own",
            Rule::MissingWorkspaceSource => {
                "requirement on a workspace Python package that uv would take from the index"
            }
            Rule::IncompatibleRequiresPython => {
                "`requires-python` that excludes the Python the monorepo runs"
            }
            Rule::Pyo3NotUvMember => {
                "requirement on a PyO3 crate's wheel whose folder is not a uv workspace member"
            }
            Rule::UnusedExemption => "lint-deps exemption that matches no finding",
        }
    }

    /// Whether the rule needs every member, not only the selected ones.
    pub fn workspace_wide(self) -> bool {
        matches!(
            self,
            Rule::VersionConflict
                | Rule::UnusedWorkspaceDep
                | Rule::DuplicateVersions
                | Rule::OrphanCrate
                // The Python rules need every Python package: they run in whole runs only.
                | Rule::MissingWorkspaceSource
                | Rule::IncompatibleRequiresPython
                | Rule::Pyo3NotUvMember
        )
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Not reported.
    Allow,
    /// Reported; exit 0.
    Warn,
    /// Reported; exit 1.
    Deny,
}

impl Level {
    /// `error` or `warning`, as cargo prints them.
    pub fn label(self) -> &'static str {
        match self {
            Level::Deny => "error",
            Level::Warn => "warning",
            Level::Allow => "allow",
        }
    }
}

/// One thing a rule found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub level: Level,
    /// File relative to the workspace root, with `/`.
    pub file: String,
    /// Byte span in that file.
    pub span: Range<usize>,
    pub message: String,
    /// Short label under the span.
    pub label: String,
    /// The exact fix, as a sentence.
    pub help: Option<String>,
    pub notes: Vec<String>,
    /// The member's package name, for exemptions.
    pub package: Option<String>,
    /// The dependency key or crate name, for exemptions.
    pub dependency: Option<String>,
    /// Edits (file, edit) that fix it; empty when `--fix` leaves it alone.
    pub fixes: Vec<(String, Edit)>,
    /// The full lists a note shortens (`duplicate-versions`: each locked version and every
    /// member that pulls it in), for the JSON report under `-v`: a note names a few and
    /// counts the rest, so one finding stays small on a workspace of hundreds of members.
    pub lists: Vec<(String, Vec<String>)>,
}

impl Finding {
    /// A finding at the rule's default level with no help, notes or fix.
    pub fn new(
        rule: Rule,
        file: &str,
        span: Range<usize>,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Finding {
        Finding {
            rule,
            level: rule.default_level(),
            file: file.to_string(),
            span,
            message: message.into(),
            label: label.into(),
            help: None,
            notes: Vec::new(),
            package: None,
            dependency: None,
            fixes: Vec::new(),
            lists: Vec::new(),
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Finding {
        self.notes.push(note.into());
        self
    }

    pub fn package(mut self, package: Option<&str>) -> Finding {
        self.package = package.map(str::to_string);
        self
    }

    pub fn dependency(mut self, dependency: &str) -> Finding {
        self.dependency = Some(dependency.to_string());
        self
    }

    /// A full list behind a shortened note (see [`Finding::lists`]).
    pub fn list(mut self, label: impl Into<String>, items: Vec<String>) -> Finding {
        self.lists.push((label.into(), items));
        self
    }

    pub fn fix(mut self, file: &str, edit: Edit) -> Finding {
        self.fixes.push((file.to_string(), edit));
        self
    }

    /// Whether `--fix` would fix it.
    pub fn fixable(&self) -> bool {
        !self.fixes.is_empty()
    }
}

/// What the rules share: the workspace and the root's tables, looked up once.
pub(crate) struct Ctx<'a> {
    pub ws: &'a Workspace,
    /// `[workspace.dependencies]`: key -> (entry, key span).
    pub root_deps: BTreeMap<&'a str, (DepSpec<'a>, Range<usize>)>,
    /// Selected members (the per-member rules look only at these).
    pub selected: Vec<&'a Manifest>,
    /// Every member's dependency entries, read once (aligned with `ws.members`).
    pub deps: Vec<Vec<DepEntry<'a>>>,
}

impl<'a> Ctx<'a> {
    fn new(ws: &'a Workspace) -> Ctx<'a> {
        // The root's entries and every member's, concurrently.
        let root_deps = || {
            let mut root_deps = BTreeMap::new();
            if let Some(t) = ws
                .root
                .root()
                .get("workspace")
                .and_then(|w| w.get("dependencies"))
                .and_then(NodeExt::as_table)
            {
                for (k, span, v) in entries(t) {
                    root_deps.insert(k, (DepSpec::from_item(v), span));
                }
            }
            root_deps
        };
        let member_deps = || {
            ws.members
                .par_iter()
                .map(|m| dependencies(m.root()))
                .collect()
        };
        let (root_deps, deps) = rayon::join(root_deps, member_deps);
        Ctx {
            ws,
            root_deps,
            selected: ws.selected_members().collect(),
            deps,
        }
    }

    /// The root's `[workspace.package]` table.
    pub fn ws_package(&self) -> Option<&'a Table<'a>> {
        self.ws
            .root
            .root()
            .get("workspace")
            .and_then(|w| w.get("package"))
            .and_then(NodeExt::as_table)
    }

    /// A `[package]` field of a member, following `field.workspace = true` to the root.
    pub fn package_field(&self, m: &Manifest, field: &str) -> Option<String> {
        let item = m.root().get("package")?.get(field)?;
        if let Some(s) = item.as_str() {
            return Some(s.to_string());
        }
        if item.get("workspace").and_then(NodeExt::as_bool) == Some(true) {
            return self
                .ws_package()?
                .get(field)
                .and_then(NodeExt::as_str)
                .map(str::to_string);
        }
        None
    }
}

/// Run every rule; apply levels and exemptions; report unused exemptions; sort.
pub fn check(ws: &Workspace, cfg: &LintDepsConfig) -> Vec<Finding> {
    let mut findings = crate_rules(ws, cfg);
    if let Some(py) = &ws.python {
        findings.extend(python_rules(py, cfg));
    }
    settle(ws, cfg, findings)
}

/// [`check`] of a workspace whose Python packages `discover` finds (`None`: there are none),
/// while the crate rules run: discovery and the Python rules need no crate rule, and the crate
/// rules leave a core idle part of the time. Returns the findings and what `discover` found,
/// for the caller to keep in [`Workspace::python`]. Errors: `discover`'s.
pub fn check_discovering<D>(
    ws: &Workspace,
    cfg: &LintDepsConfig,
    discover: D,
) -> anyhow::Result<(Vec<Finding>, Option<crate::python::PythonWorkspace>)>
where
    D: FnOnce() -> anyhow::Result<Option<crate::python::PythonWorkspace>> + Send,
{
    let (mut findings, python) = rayon::join(
        || crate_rules(ws, cfg),
        || -> anyhow::Result<_> {
            let py = discover()?;
            let findings = py.as_ref().map(|py| python_rules(py, cfg));
            Ok((py, findings))
        },
    );
    let (py, python_findings) = python?;
    if let Some(py) = &py {
        // A crate a maturin project elsewhere builds (`manifest-path`, maturin's mixed
        // layout) needs no `pyproject.toml` of its own: maturin never runs in its folder.
        findings.retain(|f| {
            !(f.rule == Rule::Pyo3Layout
                && f.label == layout::NO_PYPROJECT
                && py.built_by_maturin_project(crate::model::relpath::parent_dir(&f.file).as_str()))
        });
    }
    findings.extend(python_findings.into_iter().flatten());
    Ok((settle(ws, cfg, findings), py))
}

/// A rule's configured level, else its default.
fn level_of(cfg: &LintDepsConfig, rule: Rule) -> Level {
    cfg.levels
        .get(&rule)
        .copied()
        .unwrap_or(rule.default_level())
}

/// The Python rules' findings, before levels and exemptions.
fn python_rules(py: &crate::python::PythonWorkspace, cfg: &LintDepsConfig) -> Vec<Finding> {
    let mut findings = Vec::new();
    python::check(
        py,
        &|rule| level_of(cfg, rule) != Level::Allow,
        &mut findings,
    );
    findings
}

/// The crate rules' findings, before levels and exemptions.
fn crate_rules(ws: &Workspace, cfg: &LintDepsConfig) -> Vec<Finding> {
    let ctx = Ctx::new(ws);
    let wanted = |rule: Rule| level_of(cfg, rule) != Level::Allow;
    let mut findings = Vec::new();
    deps::check(&ctx, &mut findings);
    if wanted(Rule::DeprecatedSpelling) {
        spelling::check(&ctx, &mut findings);
    }
    if wanted(Rule::VersionConflict) {
        versions::conflicts(&ctx, &mut findings);
    }
    // Rules that need every member run only when every member was read.
    if wanted(Rule::UnusedWorkspaceDep) && ws.whole {
        versions::unused(&ctx, &mut findings);
    }
    if wanted(Rule::DuplicateVersions) && (ws.whole || ws.lock_given) {
        lockfile::check(&ctx, &mut findings);
    }
    if wanted(Rule::OrphanCrate) {
        layout::orphans(&ctx, &mut findings);
    }
    if wanted(Rule::Pyo3Layout) {
        layout::pyo3(&ctx, &mut findings);
    }
    inherit::check(&ctx, &mut findings);
    findings
}

/// Apply levels and exemptions to the rules' findings; report unused exemptions; sort.
fn settle(ws: &Workspace, cfg: &LintDepsConfig, mut findings: Vec<Finding>) -> Vec<Finding> {
    let level = |rule: Rule| level_of(cfg, rule);
    for f in &mut findings {
        f.level = level(f.rule);
    }
    findings.retain(|f| f.level != Level::Allow);

    let mut used = vec![false; cfg.exemptions.len()];
    findings.retain(|f| {
        let mut keep = true;
        for (i, e) in cfg.exemptions.iter().enumerate() {
            let matches = e.rule.is_none_or(|r| r == f.rule)
                && e.package
                    .as_ref()
                    .is_none_or(|p| f.package.as_ref() == Some(p))
                && e.dependency
                    .as_ref()
                    .is_none_or(|d| f.dependency.as_ref() == Some(d));
            if matches {
                used[i] = true;
                keep = false;
            }
        }
        keep
    });
    if level(Rule::UnusedExemption) != Level::Allow {
        for (i, e) in cfg.exemptions.iter().enumerate() {
            if used[i] {
                continue;
            }
            // With MANIFEST arguments, only exemptions for a given member's package can be
            // known to be unused.
            if !ws.whole
                && (e.rule.is_none_or(Rule::workspace_wide)
                    || e.package.as_ref().is_none_or(|p| {
                        !ws.selected_members()
                            .any(|m| m.package_name() == Some(p.as_str()))
                    }))
            {
                continue;
            }
            let span = exemption_span(ws, i);
            let what = [
                e.package.as_ref().map(|p| format!("package `{p}`")),
                e.dependency.as_ref().map(|d| format!("dependency `{d}`")),
                e.rule.map(|r| format!("rule `{r}`")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
            let mut f = Finding::new(
                Rule::UnusedExemption,
                &ws.root.path,
                span,
                format!("exemption for {what} matches no finding"),
                "nothing to exempt",
            )
            .help("remove this exemption from [workspace.metadata.ccworkspace.lint-deps]");
            f.level = level(Rule::UnusedExemption);
            findings.push(f);
        }
    }
    findings.sort_by(|a, b| {
        (&a.file, a.span.start, a.rule, &a.message).cmp(&(
            &b.file,
            b.span.start,
            b.rule,
            &b.message,
        ))
    });
    findings.dedup();
    findings
}

/// The span of `exemptions[i]` in the root manifest.
fn exemption_span(ws: &Workspace, i: usize) -> Range<usize> {
    let table = ws
        .root
        .root()
        .get("workspace")
        .and_then(|w| w.get("metadata"))
        .and_then(|m| m.get("ccworkspace"))
        .and_then(|c| c.get("lint-deps"));
    let Some(table) = table else { return 0..0 };
    let Some(ex) = table.get("exemptions") else {
        return 0..0;
    };
    ex.as_array()
        .and_then(|a| a.get(i))
        .map_or(0..0, |v| v.span())
}

/// Parse `1.85` / `1.85.0` into (major, minor).
pub(crate) fn rust_version(text: &str) -> Option<(u64, u64)> {
    let mut parts = text.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().map_or(Some(0), |m| m.parse().ok())?;
    Some((major, minor))
}

/// The marker `cargo hakari` writes into the `Cargo.toml` of the crate it manages
/// (cargo-hakari docs, "workspace-hack" template: "The parts of the file between the BEGIN
/// HAKARI SECTION and END HAKARI SECTION comments are managed by hakari").
pub(crate) const HAKARI_MARKER: &str = "### BEGIN HAKARI SECTION";

/// Whether a member is a cargo-hakari `workspace-hack` crate: it lists every third-party
/// dependency with an exact version (several major versions of one crate under renamed keys)
/// on purpose, so `not-inherited` and `version-conflict` leave its entries alone. The package
/// hakari manages is named in `.config/hakari.toml` (`hakari-package`), which is not read
/// here: the marker is in every crate `cargo hakari init` creates.
pub(crate) fn is_workspace_hack(m: &Manifest) -> bool {
    m.text().contains(HAKARI_MARKER)
}

/// At most `shown` names, then "and N more": `a, b, c and 187 more`.
pub(crate) fn few<S: AsRef<str>>(names: &[S], shown: usize) -> String {
    let head = names
        .iter()
        .take(shown)
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(", ");
    match names.len().saturating_sub(shown) {
        0 => head,
        more => format!("{head} and {more} more"),
    }
}
