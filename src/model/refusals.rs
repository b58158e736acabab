//! Where cargo refuses a workspace that the manifests alone show: each function returns the
//! error cargo would stop with, in our form (file:line, cargo's reason in its words, the fix).
//! Checked against `cargo metadata --no-deps` by `tests/workspace_model.rs` and, through every
//! command, by `tests/refusals.rs`. Shapes one manifest shows alone are in
//! [`super::manifest::check_shape`].

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;

use super::manifest::{
    INHERITABLE_PACKAGE_FIELDS, Manifest, Node, NodeExt, dependencies, entries, unexpected,
};
use super::relpath::{join, normalize_rel, rebase, relative_path};
use crate::config::line_col;
use crate::errors::UserError;

/// Every refusal one member's manifest can earn, given the root manifest and the root
/// directory: a `[workspace]` of its own, inheritance of what the root does not define (or
/// `workspace = false`), `package.workspace` naming another root, `[project]` in edition
/// 2024, and dependency entries cargo cannot load (no source, a dangling path). `members` are
/// the member directories known so far: their manifests were read, so a path dependency on one
/// needs no look at the disk.
pub(crate) fn member(
    m: &Manifest,
    root: &Manifest,
    root_dir: &Path,
    exclude: &[String],
    members: &BTreeSet<String>,
) -> anyhow::Result<()> {
    nested_root(m)?;
    inherited_fields(m, root)?;
    wrong_workspace(m, root_dir)?;
    project_table(m, root)?;
    dependency_entries(m, root, root_dir, exclude, members)
}

/// `file:line:col` of a span of `m`.
fn place(m: &Manifest, span: Range<usize>) -> String {
    let (line, col) = line_col(m.text(), span.start);
    format!("{}:{line}:{col}", m.path)
}

/// `[package]` fields cargo reads as a string or a boolean, so that `{ workspace = true }`
/// there is a type error, not inheritance (`name` is checked with the manifest's shape).
const PLAIN_PACKAGE_FIELDS: [(&str, &str); 7] = [
    ("links", "a string"),
    ("default-run", "a string"),
    ("autolib", "a boolean"),
    ("autobins", "a boolean"),
    ("autoexamples", "a boolean"),
    ("autotests", "a boolean"),
    ("autobenches", "a boolean"),
];

/// The `workspace` key of an inheriting table (`version.workspace = ...`, `[lints]`) must be
/// `true`: cargo refuses `false` ("`workspace` cannot be false") and any other type. For a
/// dependency entry, only `false` is refused ([`dependency_entries`] calls this then).
fn workspace_flag(m: &Manifest, what: &str, node: &Node) -> anyhow::Result<()> {
    let Some((key, flag)) = node.as_table().and_then(|t| t.get_key_value("workspace")) else {
        return Ok(());
    };
    let reason = match flag.as_bool() {
        Some(true) => return Ok(()),
        Some(false) => "`workspace` cannot be false".to_string(),
        None => format!("invalid type: {}, expected a boolean", unexpected(m, flag)),
    };
    Err(UserError::new(
        format!(
            "{}: `{what}` sets `workspace = {}`; cargo refuses the workspace ({reason})",
            place(m, key.span()),
            m.raw(flag).trim()
        ),
        format!(
            "write `{what}.workspace = true` to inherit it from the root, or give it its own \
             value in {}",
            m.path
        ),
    )
    .into())
}

/// Cargo's refusal of a member that inherits a `[package]` field or `[lints]` the root does
/// not define ("error inheriting `version` from workspace root manifest's
/// `workspace.package.version`"). Rule: the Cargo Book, "The `[workspace.package]` table" and
/// "The `[workspace.lints]` table".
fn inherited_fields(m: &Manifest, root: &Manifest) -> anyhow::Result<()> {
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
            let Some(fields) = value.as_table() else {
                continue;
            };
            // Only the fields of the Cargo Book's `[workspace.package]` list are inherited;
            // `[package.metadata]` and unknown keys are free-form tables for cargo.
            if !INHERITABLE_PACKAGE_FIELDS.contains(&key) {
                if let Some((_, expected)) = PLAIN_PACKAGE_FIELDS.iter().find(|(k, _)| *k == key) {
                    return Err(UserError::new(
                        format!(
                            "{}: `package.{key}` is a table; cargo refuses the workspace \
                             (invalid type: map, expected {expected}): `{key}` is not one of \
                             the fields a member can inherit",
                            place(m, span)
                        ),
                        format!("give `{key}` its own value in {}", m.path),
                    )
                    .into());
                }
                continue;
            }
            if !fields.contains_key("workspace") {
                return Err(UserError::new(
                    format!(
                        "{}: `package.{key}` is a table without `workspace = true`; cargo \
                         refuses the workspace (missing field `workspace`)",
                        place(m, span)
                    ),
                    format!(
                        "write `{key}.workspace = true` to inherit it, or give it its own \
                         value in {}",
                        m.path
                    ),
                )
                .into());
            }
            workspace_flag(m, key, value)?;
            if inherits(value) && !defined("package", Some(key)) {
                wanted.push((key.to_string(), format!("workspace.package.{key}"), span));
            }
        }
    }
    if let Some((key, lints)) = m.root().get_key_value("lints") {
        workspace_flag(m, "lints", lints)?;
        if inherits(lints) {
            if let Some((other, _, _)) = lints
                .as_table()
                .map(entries)
                .unwrap_or_default()
                .into_iter()
                .find(|(k, _, _)| *k != "workspace")
            {
                return Err(UserError::new(
                    format!(
                        "{}: [lints] inherits the workspace's lints and sets `{other}` too; \
                         cargo refuses the workspace (cannot override `workspace.lints` in \
                         `lints`, either remove the overrides or `lints.workspace = true` and \
                         manually specify the lints)",
                        place(m, key.span())
                    ),
                    format!(
                        "remove `lints.{other}` from {}, or remove `workspace = true` and \
                         copy the workspace's lints into [lints]",
                        m.path
                    ),
                )
                .into());
            }
            if !defined("lints", None) {
                wanted.push(("lints".into(), "workspace.lints".into(), key.span()));
            }
        }
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
fn nested_root(m: &Manifest) -> anyhow::Result<()> {
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
/// workspace member"), pointing at `pattern`, the `members` entry that matched it.
pub(crate) fn missing_member(root: &Manifest, pattern: &str, dir: &str) -> UserError {
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

/// Cargo's refusal of a member whose `package.workspace` names a directory other than the
/// root ("package `...` is a member of the wrong workspace"). Cargo joins the path to the
/// member's directory and cleans it without looking at the disk.
fn wrong_workspace(m: &Manifest, root_dir: &Path) -> anyhow::Result<()> {
    let Some(value) = m.root().get("package").and_then(|p| p.get("workspace")) else {
        return Ok(());
    };
    let Some(named) = value.as_str() else {
        return Err(UserError::new(
            format!(
                "{}: invalid type: {}, expected a string; cargo refuses the workspace",
                place(m, value.span()),
                unexpected(m, value)
            ),
            format!("remove `workspace` from [package] in {}", m.path),
        )
        .into());
    };
    let is_root = if Path::new(named).is_absolute() {
        let clean = |p: &Path| normalize_rel(&p.to_string_lossy()).map(|p| format!("/{p}"));
        let named = clean(Path::new(named));
        named.is_some()
            && (named == clean(root_dir)
                || named == root_dir.canonicalize().ok().and_then(|r| clean(&r)))
    } else {
        normalize_rel(&join(&m.dir, named)).as_deref() == Some("")
    };
    if is_root || m.dir.is_empty() {
        return Ok(());
    }
    let actual = rebase(&m.dir, named);
    Err(UserError::new(
        format!(
            "{}: `package.workspace` names `{named}` ({actual}), not the root of this \
             workspace; cargo refuses the workspace (package `{}` is a member of the wrong \
             workspace, expected: Cargo.toml, actual: {}/Cargo.toml)",
            place(m, value.span()),
            m.path,
            actual
        ),
        format!(
            "set `workspace = \"{}\"` in [package] of {}, or remove it (cargo finds the root \
             above the member), or keep the folder out of `members`",
            relative_path(&m.dir, ""),
            m.path
        ),
    )
    .into())
}

/// Cargo's refusal of the legacy `[project]` table in an edition-2024 manifest ("`[project]`
/// is not supported as of the 2024 Edition, please use `[package]`"); the edition may be
/// inherited from `[workspace.package]`.
fn project_table(m: &Manifest, root: &Manifest) -> anyhow::Result<()> {
    let Some((key, project)) = m.root().get_key_value("project") else {
        return Ok(());
    };
    if m.root().contains_key("package") {
        return Ok(());
    }
    let edition = match project.get("edition") {
        Some(e) if e.get("workspace").and_then(NodeExt::as_bool) == Some(true) => root
            .root()
            .get("workspace")
            .and_then(|w| w.get("package"))
            .and_then(|p| p.get("edition"))
            .and_then(NodeExt::as_str),
        Some(e) => e.as_str(),
        None => None,
    };
    if edition.is_none_or(|e| e < "2024") {
        return Ok(());
    }
    Err(UserError::new(
        format!(
            "{}: {} declares its package under [project] with edition {}; cargo refuses the \
             workspace (`[project]` is not supported as of the 2024 Edition, please use \
             `[package]`)",
            place(m, key.span()),
            m.path,
            edition.unwrap_or_default()
        ),
        format!("rename `[project]` to `[package]` in {}", m.path),
    )
    .into())
}

/// Cargo's refusals of one member's dependency entries, in any of the tables (and
/// `[target.'...']` tables): `workspace = false`; an entry with neither `path`, `git` nor
/// `version`, or one inheriting such a root entry ("dependency (x) specified without
/// providing a local path, Git repository, version, or workspace dependency to use"); both
/// `git` and `path`; and a path dependency without a `Cargo.toml` ("failed to load manifest
/// for dependency `x`"). A path inside the root under an `exclude` entry is not loaded by
/// cargo, so it is not checked either.
fn dependency_entries(
    m: &Manifest,
    root: &Manifest,
    root_dir: &Path,
    exclude: &[String],
    members: &BTreeSet<String>,
) -> anyhow::Result<()> {
    let ws_deps = root
        .root()
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(NodeExt::as_table);
    let has_source = |t: &super::manifest::Table| {
        ["path", "git", "version"]
            .iter()
            .any(|k| t.contains_key(*k))
    };
    for entry in dependencies(m.root()) {
        let key = entry.key;
        let table = entry.table_display();
        let Some(fields) = entry.item.as_table() else {
            continue;
        };
        let refuse = |what: String, reason: String, help: String| -> anyhow::Error {
            UserError::new(
                format!(
                    "{}: {what}; cargo refuses the workspace ({reason})",
                    place(m, entry.span.clone())
                ),
                help,
            )
            .into()
        };
        // Cargo refuses `workspace = false` on a dependency, but reads any other non-boolean
        // as no inheritance at all (`{ workspace = "x", version = "1" }` loads).
        if fields.get("workspace").and_then(NodeExt::as_bool) == Some(false) {
            workspace_flag(m, &format!("{table}.{key}"), entry.item)?;
        }
        let no_source = format!(
            "dependency ({key}) specified without providing a local path, Git repository, \
             version, or workspace dependency to use"
        );
        // The path to load: as written, and root-relative.
        let path: Option<(String, String)> = if entry.spec.workspace {
            let Some(inherited) = ws_deps.and_then(|d| d.get(key)) else {
                // `missing-workspace-entry` reports it.
                continue;
            };
            if let Some(t) = inherited.as_table()
                && !has_source(t)
            {
                return Err(refuse(
                    format!(
                        "`{key}` inherits the root's [workspace.dependencies] entry, which has \
                         no `path`, `git` or `version`"
                    ),
                    no_source,
                    format!(
                        "give `{key}` a `version`, `path` or `git` in [workspace.dependencies] \
                         of {}",
                        root.path
                    ),
                ));
            }
            inherited
                .get("path")
                .and_then(NodeExt::as_str)
                .map(|p| (p.to_string(), rebase("", p)))
        } else {
            if !has_source(fields) {
                return Err(refuse(
                    format!("`{key}` in [{table}] has no `path`, `git` or `version`"),
                    no_source,
                    format!(
                        "add a `version` (or `path`, `git`) to `{key}`, or inherit it with \
                         `{key}.workspace = true`"
                    ),
                ));
            }
            if fields.contains_key("git") && fields.contains_key("path") {
                return Err(refuse(
                    format!("`{key}` in [{table}] has both `git` and `path`"),
                    format!(
                        "dependency ({key}) specification is ambiguous. Only one of `git` or \
                         `path` is allowed."
                    ),
                    format!("keep one of `git` and `path` for `{key}` in {}", m.path),
                ));
            }
            entry
                .spec
                .path
                .as_ref()
                .map(|p| (p.clone(), rebase(&m.dir, p)))
        };
        let Some((written, target)) = path else {
            continue;
        };
        let inside =
            !(target == ".." || target.starts_with("../") || Path::new(&target).is_absolute());
        if inside && crate::model::members::under_exclude(root_dir, &target, exclude) {
            continue;
        }
        // A member's manifest was read already; only other targets need a look.
        if members.contains(&target) || root_dir.join(&target).join("Cargo.toml").is_file() {
            continue;
        }
        let shown = if target.is_empty() {
            "."
        } else {
            target.as_str()
        };
        let inherited = entry.spec.workspace;
        let (what, help) = if inherited {
            (
                format!(
                    "`{key}` inherits the path `{written}` from [workspace.dependencies], and \
                     `{shown}` has no Cargo.toml"
                ),
                format!(
                    "fix the `path` of `{key}` in [workspace.dependencies] of {}, or add the \
                     crate at `{shown}`",
                    root.path
                ),
            )
        } else {
            (
                format!("the path dependency `{key}` points at `{shown}`, which has no Cargo.toml"),
                format!(
                    "fix the `path` of `{key}` in [{table}] of {}, or add the crate at `{shown}`",
                    m.path
                ),
            )
        };
        return Err(refuse(
            what,
            format!(
                "failed to load manifest for dependency `{key}`: failed to read \
                 `{shown}/Cargo.toml`"
            ),
            help,
        ));
    }
    Ok(())
}

/// Cargo's refusal of a `default-members` entry that is not a member ("package `...` is
/// listed in default-members but is not a member"). A glob is expanded as `members` globs
/// are (files dropped, nothing at all kept as a literal path); the root is always allowed;
/// a directory that a `members` entry matches but `exclude` removes is skipped, as cargo
/// skips it. `members` are every member directory, the root as `""` when it is a package.
pub(crate) fn default_members(
    root: &Manifest,
    root_dir: &Path,
    members: &BTreeSet<String>,
    patterns: &[String],
    exclude: &[String],
) -> anyhow::Result<()> {
    let Some(entries) = root
        .root()
        .get("workspace")
        .and_then(|w| w.get("default-members"))
        .and_then(NodeExt::as_array)
    else {
        return Ok(());
    };
    for node in entries {
        let Some(entry) = node.as_str() else {
            continue;
        };
        let dirs: Vec<Option<String>> = if Path::new(entry).is_absolute() {
            if crate::model::members::is_glob(entry) {
                // Not expanded here: a false refusal is worse than a missed one.
                continue;
            }
            // An absolute entry names a member when it lies under the root.
            let relative = [Some(root_dir.to_path_buf()), root_dir.canonicalize().ok()]
                .into_iter()
                .flatten()
                .find_map(|r| {
                    Path::new(entry)
                        .strip_prefix(&r)
                        .ok()
                        .map(|p| p.to_string_lossy().into_owned())
                });
            vec![relative.and_then(|r| normalize_rel(&r))]
        } else if crate::model::members::is_glob(entry) {
            crate::model::members::walk_pattern(root_dir, entry, false)?
                .into_iter()
                .map(|f| Some(f.dir))
                .collect()
        } else {
            vec![normalize_rel(entry)]
        };
        for dir in dirs {
            let ok = dir.as_ref().is_some_and(|d| {
                d.is_empty()
                    || members.contains(d)
                    || (crate::model::members::under_exclude(root_dir, d, exclude)
                        && crate::model::members::expand(
                            patterns,
                            &[],
                            &BTreeSet::from([d.clone()]),
                        )
                        .is_ok_and(|m| m.contains(d)))
            });
            if ok {
                continue;
            }
            let shown = dir.unwrap_or_else(|| entry.to_string());
            let via = if crate::model::members::is_glob(entry) {
                format!(" via `{entry}`")
            } else {
                String::new()
            };
            return Err(UserError::new(
                format!(
                    "{}: `default-members` names `{shown}`, which is not a workspace member; \
                     cargo refuses the workspace (package `{shown}` is listed in \
                     default-members{via} but is not a member)",
                    place(root, node.span())
                ),
                format!(
                    "remove `{entry}` from `default-members`, or make `{shown}` a member (add \
                     it to `members`, and take it out of `exclude`)"
                ),
            )
            .into());
        }
    }
    Ok(())
}
