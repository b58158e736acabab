//! Manifest rewrites for `--fix`: pure `&str -> Result<String>` functions on toml_edit.
//!
//! Every edit touches only the entries it names; everything else (comments, blank lines,
//! key order, quoting) is left as the user wrote it, because [`toml_edit::DocumentMut`] keeps
//! each item's decoration. [`apply`] applies a file's edits in one pass; applying them again to
//! the result changes nothing, so `--fix` is idempotent.

use anyhow::{Context, anyhow};
use toml_edit::{DocumentMut, InlineTable, Item, Table, TableLike, Value};

/// One change to one manifest.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Edit {
    /// Root: remove `[workspace.dependencies].key` (first, so additions see the final order).
    RemoveWorkspaceDep { key: String },
    /// Root: add `key` to `[workspace.dependencies]` (no-op when it is already there).
    AddWorkspaceDep { key: String, entry: NewEntry },
    /// Root: set the version requirement of `[workspace.dependencies].key`.
    SetWorkspaceDepVersion { key: String, version: String },
    /// Root: set `default-features = false` on `[workspace.dependencies].key`.
    DisableWorkspaceDepDefaults { key: String },
    /// Member: rewrite `key` in `table_path` to `workspace = true`, dropping its source keys
    /// (`version`, `path`, `git`, `branch`, `tag`, `rev`, `registry`, `package`) and keeping
    /// `features` and `optional`. `default_features`: `Some(v)` writes `default-features = v`,
    /// `None` drops the key.
    Inherit {
        table_path: Vec<String>,
        key: String,
        default_features: Option<bool>,
    },
    /// Member: remove the key `sub` from the dependency `key` in `table_path`.
    RemoveDepKey {
        table_path: Vec<String>,
        key: String,
        sub: String,
    },
    /// Member: set `default-features = true` on the dependency `key` in `table_path`.
    EnableDepDefaults {
        table_path: Vec<String>,
        key: String,
    },
    /// Member: add `[lints] workspace = true`.
    InheritLints,
    /// Member: set `[package] field.workspace = true`.
    InheritPackageField { field: String },
    /// A `pyproject.toml`: add `name = { workspace = true }` to `[tool.uv.sources]`; an entry
    /// already there is left alone, or, with `replace`, rewritten to `{ workspace = true }`
    /// (a path source to the member); see [`super::python::add_uv_workspace_source`].
    AddUvWorkspaceSource { name: String, replace: bool },
}

/// A new `[workspace.dependencies]` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct NewEntry {
    pub package: Option<String>,
    pub version: Option<String>,
    /// Relative to the workspace root.
    pub path: Option<String>,
    pub git: Option<String>,
    pub branch: Option<String>,
    pub tag: Option<String>,
    pub rev: Option<String>,
    pub registry: Option<String>,
    /// `Some(false)` writes `default-features = false`.
    pub default_features: Option<bool>,
}

impl NewEntry {
    /// The TOML value: a plain version string when that is all there is, else an inline table.
    pub fn to_value(&self) -> Value {
        let only_version = self.package.is_none()
            && self.path.is_none()
            && self.git.is_none()
            && self.registry.is_none()
            && self.default_features.is_none();
        if only_version && let Some(v) = &self.version {
            return Value::from(v.as_str());
        }
        let mut t = InlineTable::new();
        for (k, v) in [
            ("package", &self.package),
            ("version", &self.version),
            ("path", &self.path),
            ("git", &self.git),
            ("branch", &self.branch),
            ("tag", &self.tag),
            ("rev", &self.rev),
            ("registry", &self.registry),
        ] {
            if let Some(v) = v {
                t.insert(k, Value::from(v.as_str()));
            }
        }
        if let Some(d) = self.default_features {
            t.insert("default-features", Value::from(d));
        }
        t.fmt();
        Value::InlineTable(t)
    }

    /// How the entry reads in a manifest (`serde = "1.0"`), for help texts.
    pub fn display(&self, key: &str) -> String {
        format!("{key} = {}", self.to_value().to_string().trim())
    }
}

/// Keys that name a dependency's source; they go to the root entry when inheriting.
pub const SOURCE_KEYS: [&str; 8] = [
    "version", "path", "git", "branch", "tag", "rev", "registry", "package",
];

/// A dependency entry as cargo sees it after inheriting from the root: where it is (its table
/// path and key), its kind, and whether it names a path or git source and a `version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced {
    /// The dependency table, as in [`Edit::Inherit`] (`["target", "cfg(unix)", "dependencies"]`).
    pub table_path: Vec<String>,
    pub key: String,
    pub kind: crate::model::DepKind,
    /// A `version` cargo would keep when it rewrites the path or git source for publishing.
    pub has_version: bool,
}

/// The path and git dependencies of a member manifest, with or without a `version` after
/// inheriting from the root's `[workspace.dependencies]` (an entry with `workspace = true`
/// takes the root entry's source and version; anything next to it is ignored, as cargo does).
///
/// `cargo package` strips path and git sources: a normal or build dependency without a
/// `version` fails ("all dependencies must have a version requirement specified when
/// packaging"), a dev dependency without one is dropped. So a member packages exactly when
/// [`unpackageable`] is empty, and `--fix` must never turn `has_version` from true to false.
///
/// `root` is the root's `[workspace.dependencies]` ([`root_dependencies`]), read once for all
/// members.
pub fn sourced_deps(root: Option<&toml::Table>, member: &str) -> anyhow::Result<Vec<Sourced>> {
    let member: toml::Table = toml::from_str(member).context("failed to parse the manifest")?;
    let ws_deps = root;
    type Tables<'t> = Vec<(Vec<String>, crate::model::DepKind, &'t toml::Table)>;
    use crate::model::DEP_TABLES;
    fn push<'t>(prefix: &[&str], t: &'t toml::Table, tables: &mut Tables<'t>) {
        for (name, kind) in DEP_TABLES {
            if let Some(deps) = t.get(name).and_then(toml::Value::as_table) {
                let mut path: Vec<String> = prefix.iter().map(|s| s.to_string()).collect();
                path.push(name.to_string());
                tables.push((path, kind, deps));
            }
        }
    }
    let mut tables: Tables = Vec::new();
    push(&[], &member, &mut tables);
    if let Some(targets) = member.get("target").and_then(toml::Value::as_table) {
        for (cfg, t) in targets {
            if let Some(t) = t.as_table() {
                push(&["target", cfg], t, &mut tables);
            }
        }
    }
    let mut out = Vec::new();
    for (table_path, kind, deps) in tables {
        for (key, entry) in deps {
            let inherited = entry.get("workspace").and_then(toml::Value::as_bool) == Some(true);
            let effective = if inherited {
                match ws_deps.and_then(|d| d.get(key)) {
                    Some(e) => e,
                    // Cargo refuses the manifest; `missing-workspace-entry` reports it.
                    None => continue,
                }
            } else {
                entry
            };
            let Some(t) = effective.as_table() else {
                continue;
            };
            if t.contains_key("path") || t.contains_key("git") {
                out.push(Sourced {
                    table_path: table_path.clone(),
                    key: key.clone(),
                    kind,
                    has_version: t.contains_key("version"),
                });
            }
        }
    }
    Ok(out)
}

/// The root manifest's `[workspace.dependencies]`, for [`sourced_deps`].
pub fn root_dependencies(root: &str) -> anyhow::Result<Option<toml::Table>> {
    let mut root: toml::Table =
        toml::from_str(root).context("failed to parse the root manifest")?;
    Ok(root
        .remove("workspace")
        .and_then(|w| match w {
            toml::Value::Table(mut w) => w.remove("dependencies"),
            _ => None,
        })
        .and_then(|d| match d {
            toml::Value::Table(d) => Some(d),
            _ => None,
        }))
}

/// The dependencies that keep a member from being packaged: normal and build dependencies
/// with a path or git source and no `version`.
pub fn unpackageable(deps: &[Sourced]) -> Vec<&Sourced> {
    deps.iter()
        .filter(|d| !d.has_version && d.kind != crate::model::DepKind::Dev)
        .collect()
}

/// What a fix would lose: the dependencies that carried a `version` before and not after
/// (the member no longer packages, or a dev dependency drops out of the published manifest).
pub fn versions_lost(before: &[Sourced], after: &[Sourced]) -> Vec<Sourced> {
    after
        .iter()
        .filter(|a| {
            !a.has_version
                && before
                    .iter()
                    .any(|b| b.has_version && b.table_path == a.table_path && b.key == a.key)
        })
        .cloned()
        .collect()
}

/// Apply `edits` to a manifest's text. A UTF-8 byte order mark, which TOML parsers (cargo's,
/// uv's) accept and `toml_edit` drops, is kept, like the file's line endings.
pub fn apply(text: &str, edits: &[Edit]) -> anyhow::Result<String> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut doc: DocumentMut = body.parse().context("failed to parse the manifest")?;
    for edit in edits {
        // An entry edited in place keeps every comment it held (above it when the new value
        // cannot hold them).
        let target = edited_entry(edit);
        let before = target
            .as_ref()
            .and_then(|(path, key)| value_comments(&mut doc, path, key));
        apply_one(&mut doc, edit)?;
        // An entry that became dotted keys (`log.workspace = true`) kept its comment itself.
        if let (Some((path, key)), Some(before)) = (target, before)
            && let Some(after) = value_comments(&mut doc, &path, key)
        {
            keep_above(&mut doc, &path, key, &lost(before, &after));
        }
    }
    Ok(crate::fsutil::in_form_of(text, &doc.to_string()))
}

fn table_like_mut<'a>(
    table: &'a mut dyn TableLike,
    path: &[String],
) -> Option<&'a mut dyn TableLike> {
    match path.split_first() {
        None => Some(table),
        Some((first, rest)) => {
            let next = table.get_mut(first)?.as_table_like_mut()?;
            table_like_mut(next, rest)
        }
    }
}

/// A table reached through regular (not inline) tables only.
fn table_mut<'a>(table: &'a mut Table, path: &[String]) -> Option<&'a mut Table> {
    match path.split_first() {
        None => Some(table),
        Some((first, rest)) => table_mut(table.get_mut(first)?.as_table_mut()?, rest),
    }
}

/// `[workspace.dependencies]` however it is written: a `[workspace.dependencies]` table,
/// dotted keys under `[workspace]` (`dependencies.x = "1"`), or an inline table
/// (`dependencies = { x = "1" }`); cargo reads them all alike.
fn workspace_deps(doc: &mut DocumentMut, create: bool) -> anyhow::Result<&mut Item> {
    let root = doc.as_table_mut();
    if !root.contains_key("workspace") {
        return Err(anyhow!("the root manifest has no [workspace] table"));
    }
    let ws = root["workspace"]
        .as_table_like_mut()
        .ok_or_else(|| anyhow!("`workspace` is not a table"))?;
    if !ws.contains_key("dependencies") {
        if !create {
            return Err(anyhow!("no [workspace.dependencies] table"));
        }
        let mut t = Table::new();
        t.decor_mut().set_prefix("\n");
        ws.insert("dependencies", Item::Table(t));
    }
    let deps = ws
        .get_mut("dependencies")
        .ok_or_else(|| anyhow!("no [workspace.dependencies] table"))?;
    if !deps.is_table_like() {
        return Err(anyhow!("[workspace.dependencies] is not a table"));
    }
    Ok(deps)
}

/// The entry `key` of `[workspace.dependencies]`.
fn workspace_dep<'d>(doc: &'d mut DocumentMut, key: &str) -> anyhow::Result<&'d mut Item> {
    workspace_deps(doc, false)?
        .as_table_like_mut()
        .and_then(|t| t.get_mut(key))
        .ok_or_else(|| anyhow!("no workspace dependency `{key}`"))
}

/// The table path and key of the dependency entry an edit rewrites in place.
fn edited_entry(edit: &Edit) -> Option<(Vec<String>, &str)> {
    let root = || vec!["workspace".to_string(), "dependencies".to_string()];
    match edit {
        Edit::SetWorkspaceDepVersion { key, .. } | Edit::DisableWorkspaceDepDefaults { key } => {
            Some((root(), key))
        }
        Edit::Inherit {
            table_path, key, ..
        }
        | Edit::RemoveDepKey {
            table_path, key, ..
        }
        | Edit::EnableDepDefaults { table_path, key } => Some((table_path.clone(), key)),
        _ => None,
    }
}

/// The comments inside an entry written as a value (an inline table may span lines and hold
/// comments, TOML 1.1; so may its arrays), its trailing comment included.
fn value_comments(doc: &mut DocumentMut, path: &[String], key: &str) -> Option<Vec<String>> {
    let v = table_like_mut(doc.as_table_mut(), path)?
        .get(key)?
        .as_value()?;
    Some(comments_in(&v.to_string()))
}

/// Put `lost` (comments an in-place edit of the entry `key` dropped) above that entry, so no
/// comment is deleted: a value rewritten as `{ workspace = true }` cannot hold them inside.
fn keep_above(doc: &mut DocumentMut, path: &[String], key: &str, lost: &[String]) {
    if lost.is_empty() {
        return;
    }
    let Some(table) = table_like_mut(doc.as_table_mut(), path) else {
        return;
    };
    let block: String = lost.iter().map(|c| format!("{c}\n")).collect();
    // What follows the last line break is the key's indentation.
    set_line_prefix(table, key, |old| {
        let at = old.rfind('\n').map_or(0, |i| i + 1);
        format!("{}{block}{}", &old[..at], &old[at..])
    });
}

/// Whether the entry `key` is written as dotted keys (`log.version = "1"`).
fn is_dotted(table: &dyn TableLike, key: &str) -> bool {
    table
        .get(key)
        .and_then(Item::as_table_like)
        .is_some_and(|t| t.is_dotted())
}

/// Rewrite the text before the entry `key` (its line's prefix; inside braces, what follows
/// the comma): the prefix of its key, or for dotted keys that of the first leaf, which is
/// where toml_edit keeps it. Whether there was such a key.
fn set_line_prefix(table: &mut dyn TableLike, key: &str, f: impl FnOnce(&str) -> String) -> bool {
    if is_dotted(table, key) {
        let Some(t) = table.get_mut(key).and_then(Item::as_table_like_mut) else {
            return false;
        };
        let Some(first) = t.iter().next().map(|(k, _)| k.to_string()) else {
            return false;
        };
        return set_line_prefix(t, &first, f);
    }
    let Some(mut k) = table.key_mut(key) else {
        return false;
    };
    let old = k
        .leaf_decor()
        .prefix()
        .and_then(|p| p.as_str())
        .unwrap_or("")
        .to_string();
    k.leaf_decor_mut().set_prefix(f(&old));
    true
}

/// Every comment in a TOML fragment (`# ...`, without its line break), in order; a `#` inside
/// a string is not one.
fn comments_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'#' => {
                let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                out.push(text[i..end].trim_end_matches('\r').to_string());
                i = end;
            }
            q @ (b'"' | b'\'') => {
                // Bytes, not `str` slices: `i` may stop inside a multi-byte character.
                let triple: &[u8] = if q == b'"' { b"\"\"\"" } else { b"'''" };
                let multi = b[i..].starts_with(triple);
                let close: &[u8] = if multi { triple } else { &triple[..1] };
                i += close.len();
                loop {
                    if i >= b.len() {
                        break;
                    }
                    if q == b'"' && b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if b[i..].starts_with(close) {
                        i += close.len();
                        // A multi-line string may end with up to two more quotes.
                        while multi && i < b.len() && b[i] == q {
                            i += 1;
                        }
                        break;
                    }
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// `after` taken away from `before`, as multisets: what an edit lost.
fn lost(before: Vec<String>, after: &[String]) -> Vec<String> {
    let mut after = after.to_vec();
    before
        .into_iter()
        .filter(|c| match after.iter().position(|a| a == c) {
            Some(i) => {
                after.remove(i);
                false
            }
            None => true,
        })
        .collect()
}

fn apply_one(doc: &mut DocumentMut, edit: &Edit) -> anyhow::Result<()> {
    match edit {
        Edit::AddWorkspaceDep { key, entry } => match workspace_deps(doc, true)? {
            Item::Table(deps) => {
                if !deps.contains_key(key) {
                    insert_sorted(deps, key, Item::Value(entry.to_value()));
                }
            }
            Item::Value(Value::InlineTable(deps)) => {
                let trailing = deps.trailing().as_str().unwrap_or("").to_string();
                if !deps.contains_key(key)
                    && deps.trailing_comma()
                    && let Some(eol) = trailing.find('\n')
                {
                    // Over several lines: the new entry gets a line of its own, after the
                    // comment on the last entry's line, with the first entry's indentation.
                    let indent = deps
                        .iter()
                        .next()
                        .and_then(|(k, _)| deps.key(k))
                        .and_then(|k| k.leaf_decor().prefix())
                        .and_then(|p| p.as_str())
                        .map_or("  ".to_string(), |p| {
                            p[p.rfind('\n').map_or(0, |i| i + 1)..].to_string()
                        });
                    let mut value = entry.to_value();
                    value.decor_mut().set_prefix(" ");
                    value.decor_mut().set_suffix("");
                    deps.insert(key, value);
                    if let Some(mut k) = deps.key_mut(key) {
                        k.leaf_decor_mut()
                            .set_prefix(format!("{}{indent}", &trailing[..=eol]));
                    }
                    deps.set_trailing(format!("\n{}", &trailing[eol + 1..]));
                } else if !deps.contains_key(key) {
                    // The space before `}` moves after the new last entry.
                    let mut value = entry.to_value();
                    if let Some((_, last)) = deps.iter_mut().last()
                        && let Some(space) = last.decor().suffix().and_then(|s| s.as_str())
                        && space.trim().is_empty()
                    {
                        value.decor_mut().set_suffix(space.to_string());
                        last.decor_mut().set_suffix("");
                    }
                    deps.insert(key, value);
                }
            }
            _ => return Err(anyhow!("[workspace.dependencies] is not a table")),
        },
        Edit::SetWorkspaceDepVersion { key, version } => {
            let item = workspace_dep(doc, key)?;
            if let Some(Value::String(_)) = item.as_value() {
                replace_value(item, Value::from(version.as_str()));
            } else {
                set_in_entry(item, "version", Value::from(version.as_str()));
            }
        }
        Edit::DisableWorkspaceDepDefaults { key } => {
            let item = workspace_dep(doc, key)?;
            if let Some(Value::String(v)) = item.as_value() {
                let entry = NewEntry {
                    version: Some(v.value().clone()),
                    default_features: Some(false),
                    ..NewEntry::default()
                };
                replace_value(item, entry.to_value());
            } else {
                if let Some(t) = item.as_table_like_mut() {
                    t.remove("default_features");
                }
                set_in_entry(item, "default-features", Value::from(false));
            }
        }
        Edit::RemoveWorkspaceDep { key } => {
            let Ok(deps) = workspace_deps(doc, false) else {
                return Ok(());
            };
            let block = match deps {
                // With only `[workspace.dependencies.x]` tables, `[workspace.dependencies]`
                // has no header line to hold comments.
                Item::Table(t) if !t.is_dotted() => match remove_keeping_comments(t, key) {
                    Some(block) if t.is_implicit() => {
                        let old = doc.trailing().as_str().unwrap_or("").to_string();
                        doc.set_trailing(format!("{old}{block}"));
                        None
                    }
                    Some(block) => {
                        comments_after_header(t, &block);
                        None
                    }
                    None => None,
                },
                Item::Value(Value::InlineTable(t)) => {
                    // Inside braces a comment cannot follow a value (it would swallow the
                    // comma): above the next entry, else before the closing brace.
                    let at = t.iter().position(|(k, _)| k == key);
                    let block = comments_of(t, key);
                    t.remove(key);
                    if let Some(at) = at
                        && !block.is_empty()
                        && let Some(block) = place_block(t, Some(at), None, block)
                    {
                        let old = t.trailing().as_str().unwrap_or("").to_string();
                        let old = match old.rfind('\n') {
                            Some(i) => old[..=i].to_string(),
                            None => format!("{}\n", old.trim_end()),
                        };
                        t.set_trailing(format!("{old}{block}"));
                    }
                    None
                }
                other => other
                    .as_table_like_mut()
                    .and_then(|t| remove_keeping_comments(t, key)),
            };
            // Dotted keys or an inline table under [workspace] have no header line of their
            // own: the comments go next to them in [workspace], else at the end of the file.
            if let Some(block) = block {
                let ws = doc
                    .as_table_mut()
                    .get_mut("workspace")
                    .and_then(Item::as_table_like_mut);
                let left = match ws {
                    Some(ws) => {
                        let at = ws.iter().position(|(k, _)| k == "dependencies");
                        let left = at.and_then(|at| {
                            place_block(ws, Some(at + 1), at.checked_sub(1), block.clone())
                        });
                        match (left, doc.as_table_mut().get_mut("workspace")) {
                            (Some(b), Some(Item::Table(t))) if !t.is_dotted() => {
                                comments_after_header(t, &b);
                                None
                            }
                            (left, _) => left,
                        }
                    }
                    None => Some(block),
                };
                if let Some(b) = left {
                    let old = doc.trailing().as_str().unwrap_or("").to_string();
                    doc.set_trailing(format!("{old}{b}"));
                }
            }
        }
        Edit::Inherit {
            table_path,
            key,
            default_features,
        } => {
            // `dep = "1"` in a regular table becomes `dep.workspace = true`, the form cargo
            // add writes; the comments around the line stay where they were.
            let plain = table_like_mut(doc.as_table_mut(), table_path)
                .and_then(|t| t.get(key))
                .and_then(Item::as_value)
                .is_some_and(Value::is_str);
            if plain
                && default_features.is_none()
                && let Some(table) = table_mut(doc.as_table_mut(), table_path)
            {
                let prefix = table
                    .key(key)
                    .and_then(|k| k.leaf_decor().prefix().cloned());
                let suffix = table
                    .get(key)
                    .and_then(Item::as_value)
                    .and_then(|v| v.decor().suffix().cloned());
                let mut dotted = Table::new();
                dotted.set_dotted(true);
                let mut yes = Value::from(true);
                if let Some(s) = suffix {
                    yes.decor_mut().set_suffix(s);
                }
                dotted.insert("workspace", Item::Value(yes));
                if let Some(p) = prefix
                    && let Some(mut k) = dotted.key_mut("workspace")
                {
                    k.leaf_decor_mut().set_prefix(p);
                }
                table.insert(key, Item::Table(dotted));
                return Ok(());
            }
            let table = table_like_mut(doc.as_table_mut(), table_path)
                .ok_or_else(|| anyhow!("no [{}] table", table_path.join(".")))?;
            let item = table
                .get_mut(key)
                .ok_or_else(|| anyhow!("no dependency `{key}`"))?;
            inherit_item(item, *default_features);
        }
        Edit::RemoveDepKey {
            table_path,
            key,
            sub,
        } => match table_like_mut(doc.as_table_mut(), table_path).and_then(|t| t.get_mut(key)) {
            Some(Item::Value(Value::InlineTable(t))) => {
                t.remove(sub);
                one_line(t);
            }
            Some(Item::Table(t)) => {
                if let Some(block) = remove_keeping_comments(t, sub) {
                    comments_after_header(t, &block);
                }
            }
            _ => {}
        },
        Edit::EnableDepDefaults { table_path, key } => {
            if let Some(item) =
                table_like_mut(doc.as_table_mut(), table_path).and_then(|t| t.get_mut(key))
            {
                if let Some(t) = item.as_table_like_mut() {
                    t.remove("default_features");
                }
                set_in_entry(item, "default-features", Value::from(true));
            }
        }
        Edit::AddUvWorkspaceSource { name, replace } => {
            super::python::add_uv_workspace_source(doc, name, *replace)?
        }
        Edit::InheritLints => {
            let root = doc.as_table_mut();
            if !root.contains_key("lints") {
                let mut t = Table::new();
                t.decor_mut().set_prefix("\n");
                t.insert("workspace", toml_edit::value(true));
                root.insert("lints", Item::Table(t));
            }
        }
        Edit::InheritPackageField { field } => {
            let package = doc
                .as_table_mut()
                .get_mut("package")
                .and_then(Item::as_table_like_mut)
                .ok_or_else(|| anyhow!("no [package] table"))?;
            // Already inherited: nothing to do (and its comments stay where they are).
            if package
                .get(field)
                .and_then(|i| i.get("workspace"))
                .and_then(Item::as_bool)
                == Some(true)
            {
                return Ok(());
            }
            let mut t = Table::new();
            t.set_dotted(true);
            t.insert("workspace", toml_edit::value(true));
            let key_prefix = package
                .get_key_value(field)
                .and_then(|(k, _)| k.leaf_decor().prefix().cloned());
            // Comments inside the old value (a multi-line array) go above the new line.
            let mut inside = package
                .get(field)
                .and_then(Item::as_value)
                .map(|v| comments_in(&v.to_string()))
                .unwrap_or_default();
            match package.get_mut(field) {
                Some(item) => {
                    let suffix = item
                        .as_value()
                        .and_then(|v| v.decor().suffix())
                        .and_then(|s| s.as_str())
                        .map(str::to_string);
                    inside = lost(inside, &comments_in(suffix.as_deref().unwrap_or("")));
                    *item = Item::Table(t);
                    if let Some(s) = suffix
                        && let Some(v) = item.get_mut("workspace").and_then(Item::as_value_mut)
                    {
                        v.decor_mut().set_suffix(s);
                    }
                }
                None => {
                    package.insert(field, Item::Table(t));
                }
            }
            // A comment above the old key stays above the new one.
            // A dotted line takes its prefix from the last key of the path.
            if let Some(prefix) = key_prefix
                && let Some(mut key) = package
                    .get_mut(field)
                    .and_then(Item::as_table_like_mut)
                    .and_then(|t| t.key_mut("workspace"))
            {
                key.leaf_decor_mut().set_prefix(prefix);
            }
            keep_above(doc, &["package".to_string()], field, &inside);
        }
    }
    Ok(())
}

/// The comments a key carries, as lines to keep when the key is removed: its prefix (the
/// lines above it, blank lines included, when they hold a comment; above the first key of a
/// table that is the group's header) and the comment after its value. In a dotted or
/// sub-table entry, the comments of every key inside.
fn comments_of(table: &dyn TableLike, key: &str) -> String {
    let mut out = String::new();
    if let Some(prefix) = table
        .key(key)
        .and_then(|k| k.leaf_decor().prefix())
        .and_then(|p| p.as_str())
        && prefix.contains('#')
    {
        // What follows the last newline is the key's indentation.
        out.push_str(&prefix[..prefix.rfind('\n').map_or(0, |i| i + 1)]);
    }
    match table.get(key) {
        Some(Item::Value(v)) => {
            // The comment after the value, and any inside a multi-line inline table or array.
            for c in comments_in(&v.to_string()) {
                out.push_str(&c);
                out.push('\n');
            }
        }
        Some(Item::Table(t)) => {
            // A `[x.y]` header's comments: the lines above it and the one on it.
            if let Some(prefix) = t.decor().prefix().and_then(|p| p.as_str())
                && prefix.contains('#')
            {
                out.push_str(&prefix[..prefix.rfind('\n').map_or(0, |i| i + 1)]);
            }
            if let Some(suffix) = t.decor().suffix().and_then(|s| s.as_str()) {
                for c in comments_in(suffix) {
                    out.push_str(&c);
                    out.push('\n');
                }
            }
            for (k, _) in t.iter() {
                out.push_str(&comments_of(t, k));
            }
        }
        _ => {}
    }
    out
}

/// Remove `key` from `table`, keeping its comments ([`comments_of`]): above the entry that
/// now takes its place, else after the entry before it. Returns the comments when the table
/// is left with no plain entry to hold them (the caller puts them after the table header).
fn remove_keeping_comments(table: &mut dyn TableLike, key: &str) -> Option<String> {
    let at = table.iter().position(|(k, _)| k == key)?;
    let block = comments_of(table, key);
    table.remove(key);
    if block.is_empty() {
        return None;
    }
    place_block(table, Some(at), at.checked_sub(1), block)
}

/// Put a block of comment lines above the entry at index `next` when it is a value, else
/// after the value at index `prev`; returns the block when neither can hold it.
fn place_block(
    table: &mut dyn TableLike,
    next: Option<usize>,
    prev: Option<usize>,
    block: String,
) -> Option<String> {
    let keys: Vec<String> = table.iter().map(|(k, _)| k.to_string()).collect();
    if let Some(next) = next.and_then(|i| keys.get(i))
        && (table.get(next).is_some_and(Item::is_value) || is_dotted(table, next))
        && set_line_prefix(table, next, |old| {
            // Above the key's own comments, else right above the key (after the line break
            // that follows a comma or a header).
            let at = if old.contains('#') {
                0
            } else {
                old.rfind('\n').map_or(0, |i| i + 1)
            };
            format!("{}{block}{}", &old[..at], &old[at..])
        })
    {
        return None;
    }
    // A `[x.y]` table next: above its header.
    if let Some(next) = next.and_then(|i| keys.get(i))
        && let Some(t) = table.get_mut(next).and_then(Item::as_table_mut)
        && !t.is_dotted()
    {
        let old = t
            .decor()
            .prefix()
            .and_then(|p| p.as_str())
            .unwrap_or("")
            .to_string();
        let sep = if block.starts_with('\n') || old.is_empty() {
            ""
        } else {
            "\n"
        };
        t.decor_mut().set_prefix(format!("{sep}{block}{old}"));
        return None;
    }
    // A `[x.y]` table before: after its last value.
    if let Some(prev) = prev.and_then(|i| keys.get(i))
        && let Some(t) = table.get_mut(prev).and_then(Item::as_table_mut)
        && !t.is_dotted()
        && let Some(last) = t
            .iter()
            .filter(|(_, v)| v.is_value())
            .map(|(k, _)| k.to_string())
            .last()
        && let Some(v) = t.get_mut(&last).and_then(Item::as_value_mut)
    {
        let old = v
            .decor()
            .suffix()
            .and_then(|s| s.as_str())
            .unwrap_or("")
            .to_string();
        v.decor_mut()
            .set_suffix(format!("{old}\n{}", block.trim_end_matches('\n')));
        return None;
    }
    if let Some(prev) = prev.and_then(|i| keys.get(i))
        && let Some(v) = table.get_mut(prev).and_then(Item::as_value_mut)
    {
        let old = v
            .decor()
            .suffix()
            .and_then(|s| s.as_str())
            .unwrap_or("")
            .to_string();
        v.decor_mut()
            .set_suffix(format!("{old}\n{}", block.trim_end_matches('\n')));
        return None;
    }
    Some(block)
}

/// Put comments that lost their entry after a table's header line.
fn comments_after_header(table: &mut Table, block: &str) {
    let old = table
        .decor()
        .suffix()
        .and_then(|s| s.as_str())
        .unwrap_or("")
        .to_string();
    table
        .decor_mut()
        .set_suffix(format!("{old}\n{}", block.trim_end_matches('\n')));
}

/// Replace a value, keeping its comment and spacing.
fn replace_value(item: &mut Item, mut value: Value) {
    if let Some(old) = item.as_value() {
        *value.decor_mut() = old.decor().clone();
    }
    *item = Item::Value(value);
}

/// Lay an edited inline table out on one line, `{ k = v, ... }`; the comments a multi-line
/// one held go above its entry ([`keep_above`]).
fn one_line(t: &mut InlineTable) {
    t.fmt();
    t.set_trailing("");
    t.set_trailing_comma(false);
}

/// Set `key` in a dependency entry written as an inline or a regular (or dotted) table.
fn set_in_entry(item: &mut Item, key: &str, value: Value) {
    match item {
        Item::Value(Value::InlineTable(t)) => {
            t.insert(key, value);
            one_line(t);
        }
        Item::Table(t) => set_keeping_decor(t, key, value),
        _ => {}
    }
}

/// Set `key` in a table-like, keeping the old value's decoration when it existed. An existing
/// value is replaced in place, so the key keeps its own decoration too (the comments above it:
/// `insert` would write a fresh key and drop them).
fn set_keeping_decor(t: &mut dyn TableLike, key: &str, mut value: Value) {
    if let Some(old) = t.get_mut(key).and_then(Item::as_value_mut) {
        *value.decor_mut() = old.decor().clone();
        *old = value;
        return;
    }
    t.insert(key, Item::Value(value));
    if let Some(v) = t.get_mut(key).and_then(Item::as_value_mut)
        && v.decor().prefix().is_none()
    {
        v.decor_mut().set_prefix(" ");
    }
}

/// Turn a dependency entry into `workspace = true` (plus what it keeps).
fn inherit_item(item: &mut Item, default_features: Option<bool>) {
    match item {
        Item::Value(Value::InlineTable(old)) => {
            let mut new = InlineTable::new();
            new.insert("workspace", Value::from(true));
            for (k, v) in old.iter() {
                if SOURCE_KEYS.contains(&k)
                    || k == "workspace"
                    || k == "default-features"
                    || k == "default_features"
                {
                    continue;
                }
                new.insert(k, v.clone());
            }
            if let Some(d) = default_features {
                new.insert("default-features", Value::from(d));
            }
            new.fmt();
            *new.decor_mut() = old.decor().clone();
            *old = new;
        }
        Item::Value(v) => {
            let mut new = InlineTable::new();
            new.insert("workspace", Value::from(true));
            if let Some(d) = default_features {
                new.insert("default-features", Value::from(d));
            }
            new.fmt();
            let mut new = Value::InlineTable(new);
            *new.decor_mut() = v.decor().clone();
            *v = new;
        }
        Item::Table(t) if t.get("workspace").and_then(Item::as_bool) == Some(true) => {
            // Already inherited: only drop what cannot stay (its comments stay).
            for k in SOURCE_KEYS
                .iter()
                .chain(&["default-features", "default_features"])
            {
                if let Some(block) = remove_keeping_comments(t, k) {
                    comments_after_header(t, &block);
                }
            }
            if let Some(d) = default_features {
                t.insert("default-features", toml_edit::value(d));
            }
        }
        Item::Table(t) => {
            let keys: Vec<String> = t.iter().map(|(k, _)| k.to_string()).collect();
            let dropped = |k: &str| {
                SOURCE_KEYS.contains(&k)
                    || k == "workspace"
                    || k == "default-features"
                    || k == "default_features"
            };
            // The comments of the keys that go away (the first one's is the comment above the
            // entry) move above `workspace`: none is lost.
            let block: String = keys
                .iter()
                .filter(|k| dropped(k))
                .map(|k| comments_of(t, k))
                .collect();
            let mut kept = Vec::new();
            for k in keys {
                if let Some((key, value)) = t.remove_entry(&k)
                    && !dropped(&k)
                {
                    kept.push((key, value));
                }
            }
            t.insert("workspace", toml_edit::value(true));
            if !block.is_empty()
                && let Some(mut key) = t.key_mut("workspace")
            {
                key.leaf_decor_mut().set_prefix(block);
            }
            for (key, value) in kept {
                t.insert_formatted(&key, value);
            }
            if let Some(d) = default_features {
                t.insert("default-features", toml_edit::value(d));
            }
        }
        _ => {}
    }
}

/// Insert `key` where it sorts when the table's keys are sorted; else at the end.
fn insert_sorted(table: &mut Table, key: &str, item: Item) {
    let keys: Vec<String> = table
        .iter()
        .filter(|(_, v)| v.is_value())
        .map(|(k, _)| k.to_string())
        .collect();
    let sorted = keys.windows(2).all(|w| w[0] <= w[1]);
    let Some(pos) = keys
        .iter()
        .position(|k| k.as_str() > key)
        .filter(|_| sorted)
    else {
        table.insert(key, item);
        return;
    };
    let tail: Vec<String> = keys[pos..].to_vec();
    let mut moved = Vec::new();
    for k in &tail {
        if let Some(entry) = table.remove_entry(k) {
            moved.push(entry);
        }
    }
    // The first moved key may carry a comment block above it; it stays with that key.
    table.insert(key, item);
    for (k, v) in moved {
        table.insert_formatted(&k, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deps() -> Vec<String> {
        vec!["dependencies".to_string()]
    }

    #[test]
    fn inherit_keeps_features_optional_comments_and_layout() {
        let text = r#"[package]
name = "a"

[dependencies]
# logging
log = "0.4" # pinned by ops
serde = { version = "1.0", features = ["derive"], optional = true }
local = { path = "../local" }

[dependencies.tokio]
version = "1"
features = ["rt"]
"#;
        let edits = ["log", "serde", "local", "tokio"].map(|k| Edit::Inherit {
            table_path: deps(),
            key: k.to_string(),
            default_features: None,
        });
        let out = apply(text, &edits).unwrap();
        assert_eq!(
            out,
            r#"[package]
name = "a"

[dependencies]
# logging
log.workspace = true # pinned by ops
serde = { workspace = true, features = ["derive"], optional = true }
local = { workspace = true }

[dependencies.tokio]
workspace = true
features = ["rt"]
"#
        );
        assert_eq!(apply(&out, &edits).unwrap(), out, "idempotent");
    }

    #[test]
    fn inherit_in_a_target_table_with_default_features() {
        let text = "[target.'cfg(unix)'.dependencies]\nlibc = { version = \"0.2\", default-features = false }\n";
        let out = apply(
            text,
            &[Edit::Inherit {
                table_path: vec!["target".into(), "cfg(unix)".into(), "dependencies".into()],
                key: "libc".into(),
                default_features: Some(true),
            }],
        )
        .unwrap();
        assert_eq!(
            out,
            "[target.'cfg(unix)'.dependencies]\nlibc = { workspace = true, default-features = true }\n"
        );
    }

    #[test]
    fn add_workspace_dep_sorted_and_kept_groups() {
        let text = r#"[workspace]
members = ["a"]

[workspace.dependencies]
# serialization
anyhow = "1"
serde = "1"

[profile.release]
debug = true
"#;
        let out = apply(
            text,
            &[
                Edit::AddWorkspaceDep {
                    key: "log".into(),
                    entry: NewEntry {
                        version: Some("0.4".into()),
                        ..NewEntry::default()
                    },
                },
                Edit::AddWorkspaceDep {
                    key: "zz".into(),
                    entry: NewEntry {
                        path: Some("libs/zz".into()),
                        default_features: Some(false),
                        ..NewEntry::default()
                    },
                },
            ],
        )
        .unwrap();
        assert_eq!(
            out,
            r#"[workspace]
members = ["a"]

[workspace.dependencies]
# serialization
anyhow = "1"
log = "0.4"
serde = "1"
zz = { path = "libs/zz", default-features = false }

[profile.release]
debug = true
"#
        );
    }

    /// CRLF line endings stay, new lines included, and so does a byte order mark (cargo and
    /// uv read past it; `toml_edit` drops it).
    #[test]
    fn line_endings_and_a_byte_order_mark_stay() {
        for (text, want) in [
            (
                "[workspace]\r\nmembers = []\r\n\r\n[workspace.dependencies]\r\na = \"1\"\r\n",
                "[workspace]\r\nmembers = []\r\n\r\n[workspace.dependencies]\r\na = \"1\"\r\nb = \"2\"\r\n",
            ),
            (
                "\u{feff}[workspace]\nmembers = []\n",
                "\u{feff}[workspace]\nmembers = []\n\n[workspace.dependencies]\nb = \"2\"\n",
            ),
            (
                "\u{feff}[workspace]\r\nmembers = []\r\n",
                "\u{feff}[workspace]\r\nmembers = []\r\n\r\n[workspace.dependencies]\r\nb = \"2\"\r\n",
            ),
        ] {
            let out = apply(
                text,
                &[Edit::AddWorkspaceDep {
                    key: "b".into(),
                    entry: NewEntry {
                        version: Some("2".into()),
                        ..NewEntry::default()
                    },
                }],
            )
            .unwrap();
            assert_eq!(out, want, "{text:?}");
        }
    }

    #[test]
    fn header_table_entries_are_left_alone() {
        let text = "[workspace]\nmembers = []\n\n[workspace.dependencies.a]\nversion = \"1\"\n";
        let out = apply(
            text,
            &[Edit::AddWorkspaceDep {
                key: "b".into(),
                entry: NewEntry {
                    version: Some("2".into()),
                    ..NewEntry::default()
                },
            }],
        )
        .unwrap();
        let reparsed: toml::Table = toml::from_str(&out).unwrap();
        assert_eq!(
            reparsed["workspace"]["dependencies"]["b"].as_str(),
            Some("2")
        );
        assert!(
            out.contains("[workspace.dependencies.a]\nversion = \"1\"\n"),
            "{out}"
        );
    }

    #[test]
    fn creates_the_workspace_dependencies_table() {
        let out = apply(
            "[workspace]\nmembers = []\n",
            &[Edit::AddWorkspaceDep {
                key: "x".into(),
                entry: NewEntry {
                    version: Some("1".into()),
                    ..NewEntry::default()
                },
            }],
        )
        .unwrap();
        assert_eq!(
            out,
            "[workspace]\nmembers = []\n\n[workspace.dependencies]\nx = \"1\"\n"
        );
    }

    #[test]
    fn root_entry_edits() {
        let text = "[workspace]\n[workspace.dependencies]\na = \"1.0\" # keep\nb = { version = \"2\" }\nc = \"3\"\n";
        let out = apply(
            text,
            &[
                Edit::SetWorkspaceDepVersion {
                    key: "a".into(),
                    version: "1.0.5".into(),
                },
                Edit::DisableWorkspaceDepDefaults { key: "b".into() },
                Edit::DisableWorkspaceDepDefaults { key: "a".into() },
                Edit::RemoveWorkspaceDep { key: "c".into() },
            ],
        )
        .unwrap();
        assert_eq!(
            out,
            "[workspace]\n[workspace.dependencies]\na = { version = \"1.0.5\", default-features = false } # keep\nb = { version = \"2\", default-features = false }\n"
        );
    }

    #[test]
    fn member_key_edits_lints_and_package_fields() {
        let text = "[package]\nname = \"a\"\n# why\nedition = \"2021\" # old\n\n[dependencies]\nx = { workspace = true, version = \"1\" }\ny.workspace = true\n";
        let out = apply(
            text,
            &[
                Edit::RemoveDepKey {
                    table_path: deps(),
                    key: "x".into(),
                    sub: "version".into(),
                },
                Edit::EnableDepDefaults {
                    table_path: deps(),
                    key: "y".into(),
                },
                Edit::InheritLints,
                Edit::InheritPackageField {
                    field: "edition".into(),
                },
                Edit::InheritPackageField {
                    field: "license".into(),
                },
            ],
        )
        .unwrap();
        assert_eq!(
            out,
            "[package]\nname = \"a\"\n# why\nedition.workspace = true # old\nlicense.workspace = true\n\n[dependencies]\nx = { workspace = true }\ny.workspace = true\ny.default-features = true\n\n[lints]\nworkspace = true\n"
        );
    }

    #[test]
    fn sourced_deps_follow_inheritance_and_kinds() {
        let root = "[workspace]\n[workspace.dependencies]\nu = { path = \"u\" }\nv = { path = \"v\", version = \"1\" }\nr = \"1\"\n";
        let member = "[dependencies]\nu = { workspace = true, version = \"1\" }\nv.workspace = true\nr.workspace = true\nw = { path = \"../w\" }\n[dev-dependencies]\nd = { path = \"../d\" }\n[target.'cfg(unix)'.build-dependencies]\ng = { git = \"https://x\", version = \"2\" }\n";
        let root_deps = root_dependencies(root).unwrap();
        let deps = sourced_deps(root_deps.as_ref(), member).unwrap();
        let short: Vec<(String, bool)> = deps
            .iter()
            .map(|d| {
                (
                    format!("{}.{}", d.table_path.join("."), d.key),
                    d.has_version,
                )
            })
            .collect();
        assert_eq!(
            short,
            [
                ("dependencies.u".to_string(), false),
                ("dependencies.v".to_string(), true),
                ("dependencies.w".to_string(), false),
                ("dev-dependencies.d".to_string(), false),
                ("target.cfg(unix).build-dependencies.g".to_string(), true),
            ]
        );
        let bad: Vec<&str> = unpackageable(&deps)
            .iter()
            .map(|d| d.key.as_str())
            .collect();
        assert_eq!(bad, ["u", "w"]);
        let after = sourced_deps(
            root_deps.as_ref(),
            "[dependencies]\nv.workspace = true\nw.workspace = true\n",
        )
        .unwrap();
        let before = sourced_deps(root_deps.as_ref(), "[dependencies]\nv = { path = \"../v\", version = \"1\" }\nw = { path = \"../w\", version = \"1\" }\n").unwrap();
        assert!(
            versions_lost(&before, &after).is_empty(),
            "w is not in the root"
        );
        let root2 = root_dependencies(&format!("{root}w = {{ path = \"w\" }}\n")).unwrap();
        let after = sourced_deps(
            root2.as_ref(),
            "[dependencies]\nv.workspace = true\nw.workspace = true\n",
        )
        .unwrap();
        let lost: Vec<String> = versions_lost(&before, &after)
            .into_iter()
            .map(|d| d.key)
            .collect();
        assert_eq!(lost, ["w"]);
    }

    #[test]
    fn comments_on_a_removed_dotted_key_are_kept() {
        let text = "[dependencies]\n# inline form\nlog = { workspace = true, default-features = false } # why\n# dotted form\nx.workspace = true\n# no std\nx.default-features = false # really\ny = \"1\"\n";
        let edits = ["log", "x"].map(|k| Edit::RemoveDepKey {
            table_path: deps(),
            key: k.into(),
            sub: "default-features".into(),
        });
        let out = apply(text, &edits).unwrap();
        assert_eq!(
            out,
            "[dependencies]\n# inline form\nlog = { workspace = true } # why\n# dotted form\nx.workspace = true\n# no std\n# really\ny = \"1\"\n"
        );
    }

    #[test]
    fn a_removed_entry_leaves_its_comments_to_the_next_one() {
        let text = "[workspace]\n\n[workspace.dependencies]\n# --- serialization ---\nserde = \"1\" # derive\nserde_json = \"1\"\n\n# --- last group ---\nzz = \"1\"\n";
        let out = apply(
            text,
            &[
                Edit::RemoveWorkspaceDep {
                    key: "serde".into(),
                },
                Edit::RemoveWorkspaceDep { key: "zz".into() },
            ],
        )
        .unwrap();
        assert_eq!(
            out,
            "[workspace]\n\n[workspace.dependencies]\n# --- serialization ---\n# derive\nserde_json = \"1\"\n\n# --- last group ---\n"
        );
        // The only entry: its comments stay under the header.
        let text =
            "[workspace]\n[workspace.dependencies]\n# why\nx = \"1\"\n[profile.dev]\ndebug = 0\n";
        let out = apply(text, &[Edit::RemoveWorkspaceDep { key: "x".into() }]).unwrap();
        assert_eq!(
            out,
            "[workspace]\n[workspace.dependencies]\n# why\n[profile.dev]\ndebug = 0\n"
        );
        assert!(out.parse::<DocumentMut>().is_ok());
    }

    #[test]
    fn comments_on_removed_keys_of_a_table_entry_are_kept() {
        let text = "[dependencies.memchr]\n# a kernel: no allocator\nversion = \"2\"\n# no_std\ndefault-features = false # really\nfeatures = [\"x\"]\n\n[dependencies.log]\nworkspace = true\n# std is too big\ndefault-features = false # see above\n";
        let out = apply(
            text,
            &[
                Edit::Inherit {
                    table_path: deps(),
                    key: "memchr".into(),
                    default_features: None,
                },
                Edit::RemoveDepKey {
                    table_path: deps(),
                    key: "log".into(),
                    sub: "default-features".into(),
                },
            ],
        )
        .unwrap();
        assert_eq!(
            out,
            "[dependencies.memchr]\n# a kernel: no allocator\n# no_std\n# really\nworkspace = true\nfeatures = [\"x\"]\n\n[dependencies.log]\nworkspace = true\n# std is too big\n# see above\n"
        );
        assert!(out.parse::<DocumentMut>().is_ok());
    }

    #[test]
    fn an_inherited_package_field_keeps_the_comments_inside_its_value() {
        let text =
            "[package]\nname = \"a\"\n# who\nauthors = [\n  \"x\", # lead\n  # y left\n] # team\n";
        let edit = Edit::InheritPackageField {
            field: "authors".into(),
        };
        let out = apply(text, std::slice::from_ref(&edit)).unwrap();
        assert_eq!(
            out,
            "[package]\nname = \"a\"\n# who\n# lead\n# y left\nauthors.workspace = true # team\n"
        );
        assert_eq!(apply(&out, &[edit]).unwrap(), out);
    }

    #[test]
    fn comments_in_skips_hashes_inside_strings() {
        let text =
            "{ a = \"#x\\\"#\", b = '#', c = \"\"\"\n# no\"\"\"\"\", d = '''#'''} # yes\n# and\n";
        assert_eq!(comments_in(text), ["# yes", "# and"]);
        // Multi-byte characters in strings and comments, an escape before one.
        let text = "{ f = [\"é#\", \"\\é✓\", '✓#'] } # ✓ é\n";
        assert_eq!(comments_in(text), ["# ✓ é"]);
    }

    #[test]
    fn a_multi_line_inline_entry_keeps_its_comments_above_it() {
        let text = "[dependencies]\nbar = {\n  # why\n  path = \"../bar\", # local\n  features = [\n    \"x\", # x\n  ],\n  version = \"0.1.0\", # keep\n} # after\n";
        let edit = Edit::Inherit {
            table_path: deps(),
            key: "bar".into(),
            default_features: None,
        };
        let out = apply(text, std::slice::from_ref(&edit)).unwrap();
        for c in comments_in(text) {
            assert!(out.contains(&c), "{c} lost:\n{out}");
        }
        assert!(out.parse::<DocumentMut>().is_ok(), "{out}");
        assert_eq!(apply(&out, &[edit]).unwrap(), out, "idempotent");
    }

    #[test]
    fn a_removed_header_or_dotted_root_entry_keeps_its_comments() {
        let texts = [
            "[workspace]\n\n[workspace.dependencies]\nkept = \"1\"\n\n# above\n[workspace.dependencies.x] # on\n# inside\npath = \"a\" # p\n",
            "[workspace]\nmembers = []\n# above\ndependencies.x.path = \"a\" # p\ndependencies.x.version = \"1\" # v\n",
            "[workspace]\ndependencies = {\n  kept = \"1\",\n  # above\n  x = { path = \"a\" }, # p\n}\n",
            "[workspace]\nmembers = []\ndependencies = { x = {\n  # in\n  path = \"a\" } } # p\n",
        ];
        for text in texts {
            let out = apply(text, &[Edit::RemoveWorkspaceDep { key: "x".into() }]).unwrap();
            for c in comments_in(text) {
                assert!(out.contains(&c), "{c} lost:\n{text}\n->\n{out}");
            }
            let reparsed: toml::Table = toml::from_str(&out).unwrap();
            assert!(
                reparsed["workspace"]
                    .get("dependencies")
                    .and_then(|d| d.get("x"))
                    .is_none(),
                "{out}"
            );
        }
    }

    #[test]
    fn an_inline_workspace_dependencies_table_is_edited_in_place() {
        let text = "[workspace]\ndependencies = { y = { path = \"y\", version = \"0.1.0\" } }\n";
        let out = apply(
            text,
            &[
                Edit::AddWorkspaceDep {
                    key: "b".into(),
                    entry: NewEntry {
                        version: Some("2".into()),
                        ..NewEntry::default()
                    },
                },
                Edit::SetWorkspaceDepVersion {
                    key: "y".into(),
                    version: "0.1.1".into(),
                },
            ],
        )
        .unwrap();
        assert_eq!(
            out,
            "[workspace]\ndependencies = { y = { path = \"y\", version = \"0.1.1\" }, b = \"2\" }\n"
        );
    }
}
