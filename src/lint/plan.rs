//! What `--fix` will write: the chosen rules' edits applied to each file, refused where they
//! would leave a path or git dependency without its `version` (so every member that packaged
//! still packages), and linted again until a pass changes nothing. Pure: it reads the loaded
//! [`Workspace`] and returns texts; `commands::lint_deps` loads and writes.

use std::collections::BTreeMap;

use super::config::LintDepsConfig;
use super::{Edit, Finding, Rule, check};
use crate::errors::UserError;
use crate::model::Workspace;

/// The rules a plain `--fix` fixes: their fixes never change what cargo resolves or builds.
pub const DEFAULT_FIX: [Rule; 5] = [
    Rule::NotInherited,
    Rule::IgnoredKey,
    Rule::IneffectiveDefaultFeatures,
    Rule::UnusedWorkspaceDep,
    // Points uv at the monorepo's own package, which it already meant to install.
    Rule::MissingWorkspaceSource,
];

/// Rules fixed only when `--fix=RULE` names them: their fixes opt a member into
/// `[workspace.lints]` or `[workspace.package]` values, which changes how it builds.
pub const OPT_IN_FIX: [Rule; 2] = [Rule::LintsNotInherited, Rule::PackageNotInherited];

/// The rules `--fix` (or `--diff`) fixes: `--fix` alone (or no `--fix`) the safe ones,
/// `--fix=a,b` exactly those; a code that is not a fixable rule is a usage error.
pub(crate) fn fix_rules(arg: Option<&str>) -> anyhow::Result<Vec<Rule>> {
    let list = match arg {
        None | Some("") => return Ok(DEFAULT_FIX.to_vec()),
        Some(list) => list,
    };
    let fixable = || {
        DEFAULT_FIX
            .iter()
            .chain(&OPT_IN_FIX)
            .map(|r| r.code())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut rules = Vec::new();
    for code in list.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let Some(rule) = DEFAULT_FIX
            .iter()
            .chain(&OPT_IN_FIX)
            .find(|r| r.code() == code)
        else {
            let what = if Rule::ALL.iter().any(|r| r.code() == code) {
                format!("`{code}` has no automatic fix")
            } else {
                format!("unknown rule `{code}` in `--fix={list}`")
            };
            return Err(
                UserError::new(what, format!("`--fix=` takes rules among: {}", fixable())).into(),
            );
        };
        rules.push(*rule);
    }
    Ok(rules)
}

/// Keep the fixes of the rules `--fix` would apply. A finding of an opt-in rule that was not
/// chosen loses its fix (so it does not count as fixable) and says how to fix it.
pub(crate) fn select_fixes(findings: &mut [Finding], chosen: &[Rule]) {
    for f in findings.iter_mut() {
        if f.fixes.is_empty() || chosen.contains(&f.rule) || !OPT_IN_FIX.contains(&f.rule) {
            continue;
        }
        f.fixes.clear();
        let table = if f.rule == Rule::LintsNotInherited {
            "[workspace.lints]"
        } else {
            "[workspace.package]"
        };
        f.notes.push(format!(
            "`--fix={}` fixes this; a plain `--fix` does not, since it would opt the member into {table}",
            f.rule.code()
        ));
    }
}

/// Every file the chosen fixes change: path -> (old text, new text), only where they differ.
///
/// Before anything is written, `--fix` checks what it promises beyond the resolution (which
/// the plan keeps by construction, and `tests/lint_deps.rs` checks with `cargo metadata`):
/// every member that packaged before still packages. A fix that would leave a path or git
/// dependency without the `version` it had ([`super::fix::versions_lost`]) is refused: its
/// finding loses its fix and says why, and the files are planned again.
pub(crate) fn fixed_files(
    ws: &Workspace,
    findings: &mut [Finding],
    chosen: &[Rule],
) -> anyhow::Result<Changes> {
    loop {
        let changes = edited_files(ws, findings, chosen)?;
        if !refuse_lost_versions(ws, &changes, findings)? {
            return Ok(changes);
        }
    }
}

/// The most passes [`settle`] makes before it gives up.
const MAX_PASSES: usize = 8;

/// Lint the fixed texts again and apply what that finds, until nothing changes: one fix can
/// make another (a root entry the first pass adds lets a renamed key inherit; a key the first
/// pass removes leaves an entry unused), and a second `--fix` must change nothing. Returns
/// every change from the files on disk, and how many findings the later passes fixed. `ws` is
/// the workspace as loaded, a copy the passes edit in memory.
///
/// A workspace that does not settle in [`MAX_PASSES`] is an internal error and nothing is
/// written, rather than a `--fix` that a second run would change.
pub(crate) fn settle(
    mut ws: Workspace,
    cfg: &LintDepsConfig,
    chosen: &[Rule],
    mut changes: Changes,
) -> anyhow::Result<(Changes, usize)> {
    let mut last = changes.clone();
    let mut later = 0;
    for _ in 0..MAX_PASSES {
        for (path, (_, new)) in &last {
            let parsed = || {
                crate::model::parse_text(path, new.clone()).map_err(|e| {
                    UserError::bare(format!(
                        "internal error: fixing {path} produced an invalid manifest ({e}); \
                         nothing was written"
                    ))
                })
            };
            if *path == ws.root.path {
                ws.root = parsed()?;
            }
            if let Some(m) = ws.members.iter_mut().find(|m| m.path == *path) {
                *m = parsed()?;
            }
        }
        let mut findings = check(&ws, cfg);
        select_fixes(&mut findings, chosen);
        let more = fixed_files(&ws, &mut findings, chosen)?;
        if more.is_empty() {
            // Freeing thousands of parsed documents is wasted time.
            std::mem::forget(ws);
            changes.retain(|_, (old, new)| old != new);
            return Ok((changes, later));
        }
        later += findings
            .iter()
            .filter(|f| f.fixable() && chosen.contains(&f.rule))
            .count();
        for (path, (old, new)) in &more {
            changes
                .entry(path.clone())
                .and_modify(|c| c.1 = new.clone())
                .or_insert_with(|| (old.clone(), new.clone()));
        }
        last = more;
    }
    Err(UserError::bare(format!(
        "internal error: `--fix` still changes the manifests after {MAX_PASSES} passes; \
         nothing was written"
    ))
    .into())
}

/// Changed files: path -> (old text, new text).
pub(crate) type Changes = BTreeMap<String, (String, String)>;

/// Refuse the fixes that would take a `version` away from a path or git dependency; whether
/// any was refused. Members are checked when their manifest changes, all of them when the
/// root changes an entry their text names (an inherited entry may have changed).
fn refuse_lost_versions(
    ws: &Workspace,
    changes: &Changes,
    findings: &mut [Finding],
) -> anyhow::Result<bool> {
    let root_path = ws.root.path.as_str();
    let old_root = ws.root.text();
    let new_root = changes
        .get(root_path)
        .map_or(old_root, |(_, new)| new.as_str());
    let internal = |what: &str, e: anyhow::Error| {
        UserError::bare(format!(
            "internal error: checking {what}: {e:#}; nothing was written"
        ))
    };
    let old_deps = super::fix::root_dependencies(old_root).map_err(|e| internal(root_path, e))?;
    let new_deps = if new_root == old_root {
        old_deps.clone()
    } else {
        super::fix::root_dependencies(new_root).map_err(|e| internal(root_path, e))?
    };
    // Root entries whose value changed: a member whose manifest did not change is checked only
    // when its text names one of them (each manifest is parsed only when it might matter).
    let empty = toml::Table::new();
    let (old_t, new_t) = (
        old_deps.as_ref().unwrap_or(&empty),
        new_deps.as_ref().unwrap_or(&empty),
    );
    let changed_keys: Vec<&String> = old_t
        .keys()
        .chain(new_t.keys())
        .filter(|k| old_t.get(*k) != new_t.get(*k))
        .collect();
    let mut refused = false;
    for m in &ws.members {
        let new_member = changes.get(m.path.as_str()).map(|(_, new)| new.as_str());
        if new_member.is_none() && !changed_keys.iter().any(|k| m.text().contains(k.as_str())) {
            continue;
        }
        let lost = {
            let before = super::fix::sourced_deps(old_deps.as_ref(), m.text())
                .map_err(|e| internal(&m.path, e))?;
            let after = super::fix::sourced_deps(new_deps.as_ref(), new_member.unwrap_or(m.text()))
                .map_err(|e| internal(&m.path, e))?;
            super::fix::versions_lost(&before, &after)
        };
        for dep in lost {
            let table = dep.table_path.join(".");
            let consequence = if dep.kind == crate::model::DepKind::Dev {
                "`cargo package` would drop it from the published manifest"
            } else {
                "`cargo package` would fail (\"dependency does not specify a version\")"
            };
            let note = format!(
                "not fixed automatically: inheriting would leave `{}` in [{table}] of {} \
                 without a `version`, so {consequence}; give the workspace entry a `version`",
                dep.key, m.path
            );
            let mut hit = false;
            for f in findings.iter_mut() {
                let touches = f.fixes.iter().any(|(file, e)| match e {
                    Edit::Inherit {
                        table_path, key, ..
                    }
                    | Edit::RemoveDepKey {
                        table_path, key, ..
                    } => *file == m.path && *table_path == dep.table_path && *key == dep.key,
                    Edit::AddWorkspaceDep { key, .. }
                    | Edit::SetWorkspaceDepVersion { key, .. }
                    | Edit::RemoveWorkspaceDep { key } => file == root_path && *key == dep.key,
                    _ => false,
                });
                if touches {
                    f.fixes.clear();
                    f.notes.push(note.clone());
                    hit = true;
                }
            }
            if !hit {
                return Err(UserError::bare(format!(
                    "internal error: a fix would leave `{}` in [{table}] of {} without a \
                     `version`, and no fix could be refused; nothing was written",
                    dep.key, m.path
                ))
                .into());
            }
            refused = true;
        }
    }
    Ok(refused)
}

/// What the chosen fixes make of each file they touch.
fn edited_files(ws: &Workspace, findings: &[Finding], chosen: &[Rule]) -> anyhow::Result<Changes> {
    let mut edits: BTreeMap<&str, Vec<Edit>> = BTreeMap::new();
    for f in findings.iter().filter(|f| chosen.contains(&f.rule)) {
        for (file, edit) in &f.fixes {
            edits.entry(file.as_str()).or_default().push(edit.clone());
        }
    }
    let files = ws.files(&edits.keys().copied().collect());
    let mut changes = BTreeMap::new();
    for (path, mut list) in edits {
        list.sort();
        list.dedup();
        let old = files.get(path).copied().ok_or_else(|| {
            UserError::bare(format!(
                "internal error: a fix names an unknown file {path}"
            ))
        })?;
        let new = super::fix::apply(old, &list).map_err(|e| {
            UserError::bare(format!("failed to fix {path}: {e:#}; nothing was written"))
        })?;
        // Never write a file cargo could not read back.
        crate::model::parse_text(path, new.clone()).map_err(|e| {
            UserError::bare(format!(
                "internal error: fixing {path} produced invalid TOML ({e}); nothing was written"
            ))
        })?;
        if new != old {
            changes.insert(path.to_string(), (old.to_string(), new));
        }
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::NewEntry;

    /// A not-inherited finding for `util` in `a` whose fix hoists it with `entry`.
    fn hoist(entry: NewEntry) -> Finding {
        Finding::new(Rule::NotInherited, "a/Cargo.toml", 0..1, "m", "l")
            .fix(
                "Cargo.toml",
                Edit::AddWorkspaceDep {
                    key: "util".into(),
                    entry,
                },
            )
            .fix(
                "a/Cargo.toml",
                Edit::Inherit {
                    table_path: vec!["dependencies".into()],
                    key: "util".into(),
                    default_features: None,
                },
            )
    }

    #[test]
    fn a_fix_that_would_drop_a_version_is_refused_and_says_why() {
        let ws = Workspace::from_texts(
            "[workspace]\nmembers = [\"a\"]\n",
            &[(
                "a/Cargo.toml",
                "[package]\nname = \"a\"\nversion = \"0.1.0\"\n[dependencies]\nutil = { path = \"../util\", version = \"0.1.0\" }\n",
            )],
        )
        .unwrap();
        let path_only = NewEntry {
            path: Some("util".into()),
            ..NewEntry::default()
        };
        let mut findings = vec![hoist(path_only.clone())];
        let changes = fixed_files(&ws, &mut findings, &DEFAULT_FIX).unwrap();
        assert!(changes.is_empty(), "{changes:?}");
        assert!(!findings[0].fixable());
        assert!(
            findings[0].notes[0].contains("without a `version`, so `cargo package` would fail"),
            "{:?}",
            findings[0].notes
        );

        let mut findings = vec![hoist(NewEntry {
            version: Some("0.1.0".into()),
            ..path_only
        })];
        let changes = fixed_files(&ws, &mut findings, &DEFAULT_FIX).unwrap();
        assert_eq!(changes.len(), 2);
        assert!(findings[0].fixable());
    }
}
