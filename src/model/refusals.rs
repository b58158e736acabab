//! Where cargo refuses a workspace that the manifests alone show: each function returns the
//! error cargo would stop with, in our form (file:line, cargo's reason in its words, the fix).
//! Checked against `cargo metadata --no-deps` by `tests/workspace_model.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use super::manifest::{Manifest, Node, NodeExt, entries};
use crate::config::line_col;
use crate::errors::UserError;

/// Cargo's refusal of a member that inherits a `[package]` field or `[lints]` the root does
/// not define ("error inheriting `version` from workspace root manifest's
/// `workspace.package.version`"). Rule: the Cargo Book, "The `[workspace.package]` table" and
/// "The `[workspace.lints]` table".
pub(crate) fn inherited_fields(m: &Manifest, root: &Manifest) -> anyhow::Result<()> {
    let ws = root.root().get("workspace").and_then(NodeExt::as_table);
    let defined = |table: &str, key: Option<&str>| {
        let t = ws.and_then(|w| w.get(table));
        match key {
            Some(key) => t.and_then(|t| t.get(key)).is_some(),
            None => t.is_some(),
        }
    };
    let inherits = |node: &Node| {
        node.get("workspace")
            .is_some_and(|w| w.as_bool() == Some(true))
    };
    let mut wanted: Vec<(String, String, Range<usize>)> = Vec::new();
    if let Some(package) = m.root().get("package").and_then(NodeExt::as_table) {
        for (key, span, value) in entries(package) {
            if inherits(value) && !defined("package", Some(key)) {
                wanted.push((key.to_string(), format!("workspace.package.{key}"), span));
            }
        }
    }
    if let Some((key, lints)) = m.root().get_key_value("lints")
        && inherits(lints)
        && !defined("lints", None)
    {
        wanted.push(("lints".into(), "workspace.lints".into(), key.span()));
    }
    let Some((key, table, span)) = wanted.into_iter().next() else {
        return Ok(());
    };
    let (line, col) = line_col(m.text(), span.start);
    Err(UserError::new(
        format!(
            "{}:{line}:{col}: `{key}` is inherited from the workspace, but the root Cargo.toml \
             has no `{table}`; cargo refuses the workspace (error inheriting `{key}` from \
             workspace root manifest's `{table}`)",
            m.path
        ),
        format!(
            "define `{table}` in the root Cargo.toml, or give `{key}` a value in {}",
            m.path
        ),
    )
    .into())
}

/// Cargo's refusal of two members with one package name ("two packages named `x` in this
/// workspace"), as a symlinked member folder and its target both matched by `members` give.
pub(crate) fn unique_names(members: &[Manifest]) -> anyhow::Result<()> {
    let mut seen: BTreeMap<&str, &Manifest> = BTreeMap::new();
    for m in members {
        let Some(name) = m.package_name() else {
            continue;
        };
        if let Some(first) = seen.insert(name, m) {
            let span = m
                .root()
                .get("package")
                .and_then(|p| p.get("name"))
                .map_or(0..0, |n| n.span());
            let (line, col) = line_col(m.text(), span.start);
            return Err(UserError::new(
                format!(
                    "{}:{line}:{col}: two packages named `{name}` in this workspace ({} and {}); \
                     cargo refuses the workspace",
                    m.path, first.path, m.path
                ),
                "rename one of them, or keep one folder out of `members` (a symlink to a \
                     member folder makes the same crate a member twice: add one to `exclude`)",
            )
            .into());
        }
    }
    Ok(())
}

/// Cargo's refusal of a member that is a workspace root itself ("multiple workspace roots found
/// in the same workspace"): a nested workspace, or a `git worktree` of the repository checked
/// out under a member glob.
pub(crate) fn nested_root(m: &Manifest) -> anyhow::Result<()> {
    let Some((key, _)) = (!m.dir.is_empty())
        .then(|| m.root().get_key_value("workspace"))
        .flatten()
    else {
        return Ok(());
    };
    let (line, col) = line_col(m.text(), key.span().start);
    Err(UserError::new(
        format!(
            "{}:{line}:{col}: workspace member `{}` has a [workspace] table of its own; cargo \
             refuses the workspace (multiple workspace roots found in the same workspace)",
            m.path, m.dir
        ),
        format!(
            "add \"{}\" to `exclude` in the root's [workspace] (or move it out of the member \
             globs), or remove its [workspace] table",
            m.dir
        ),
    )
    .into())
}

/// Cargo's refusal of a member directory without a `Cargo.toml` ("failed to load manifest for
/// workspace member"), pointing at the `members` entry that matched it.
pub(crate) fn missing_member(root: &Manifest, patterns: &[String], dir: &str) -> UserError {
    let one = BTreeSet::from([dir.to_string()]);
    let pattern = patterns
        .iter()
        .find(|p| {
            crate::model::members::expand(std::slice::from_ref(p), &[], &one, &BTreeSet::new())
                .is_ok_and(|(m, _)| m.contains(dir))
        })
        .or_else(|| (patterns.len() == 1).then(|| &patterns[0]))
        .map_or(dir, String::as_str);
    let span = root
        .root()
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(NodeExt::as_array)
        .and_then(|a| a.iter().find(|v| v.as_str() == Some(pattern)))
        .map_or(0..0, |v| v.span());
    let (line, col) = line_col(root.text(), span.start);
    let at = format!("{}:{line}:{col}", root.path);
    if crate::model::members::is_glob(dir) {
        return UserError::new(
            format!(
                "{at}: `members` entry `{pattern}` matches no directory; cargo then fails to \
                 read `{dir}/Cargo.toml` and refuses to load the workspace"
            ),
            format!("remove `{pattern}` from [workspace] members, or add a crate it matches"),
        );
    }
    let via = if pattern == dir {
        String::new()
    } else {
        format!(" (matched by `{pattern}`)")
    };
    UserError::new(
        format!(
            "{at}: workspace member `{dir}`{via} has no Cargo.toml; cargo fails to load the \
             manifest of a workspace member and refuses the workspace"
        ),
        format!(
            "add `{dir}/Cargo.toml`, move the folder elsewhere, or add \"{dir}\" to `exclude` \
             in [workspace]"
        ),
    )
}
