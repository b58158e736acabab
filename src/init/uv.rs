//! The root `pyproject.toml` as a uv workspace, as text: read its `[tool.uv.workspace]`, add
//! one to an existing file, register a member.
//!
//! Pure: `&str -> Result<String>` on toml_edit, so comments and layout survive (the commands
//! write the result atomically with the rest). uv's rules ("Using workspaces"): `members` and
//! `exclude` are globs of folders relative to the root, and every member folder needs a
//! `pyproject.toml`; membership is decided as discovery decides it
//! ([`crate::python::uv_membership`]).

use std::collections::BTreeSet;

use toml_edit::{Array, DocumentMut, Item, Table, value};

use crate::errors::UserError;

/// The `members` glob of the Python packages: `<domain>/python/<package>`.
pub const PACKAGES_GLOB: &str = "*/python/*";

/// `[tool.uv.workspace]` of a root `pyproject.toml`: the type discovery reads
/// ([`crate::python::pyproject::parse`]), with `line` 0 for a table built here.
pub use crate::python::pyproject::UvWorkspace;

/// Where a folder stands in a uv workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    /// A `members` glob matches it and no `exclude` glob does.
    Member,
    /// An `exclude` glob matches it.
    Excluded,
    /// No `members` glob matches it.
    NotCovered,
}

impl UvWorkspace {
    /// Whether `dir` (relative to the root at `root`, with `/`) is a member, as uv decides it:
    /// the reading discovery uses ([`crate::python::uv_membership`]).
    pub fn membership(&self, root: &std::path::Path, dir: &str) -> anyhow::Result<Membership> {
        let (excluded, member) =
            crate::python::uv_membership(root, &self.members, &self.exclude, self.line, dir)?;
        Ok(if excluded {
            Membership::Excluded
        } else if member {
            Membership::Member
        } else {
            Membership::NotCovered
        })
    }
}

fn parse(text: &str) -> Result<DocumentMut, UserError> {
    text.parse().map_err(|e| {
        UserError::new(
            format!("failed to parse the root pyproject.toml: {e}"),
            "fix the root pyproject.toml (uv rejects it too)",
        )
    })
}

/// The `[tool.uv.workspace]` of `text`, if it has one, read by discovery's parser: what
/// discovery refuses (TOML syntax, a `members` that is no list of strings, a bad requirement)
/// is refused here the same way, with its `pyproject.toml:line:column`.
pub fn read(text: &str) -> anyhow::Result<Option<UvWorkspace>> {
    Ok(crate::python::pyproject::parse("pyproject.toml", text.to_string())?.uv_workspace)
}

/// A multi-line TOML array of `items`, one per line (an empty array stays `[]`).
fn multiline(items: &[String]) -> Array {
    let mut arr = Array::new();
    for item in items {
        arr.push(item.as_str());
    }
    for v in arr.iter_mut() {
        v.decor_mut().set_prefix("\n    ");
    }
    if !arr.is_empty() {
        arr.set_trailing("\n");
        arr.set_trailing_comma(true);
    }
    arr
}

/// The `members` (and `exclude`, when any) lines of a new `[tool.uv.workspace]`, as `init`'s
/// template writes them.
pub fn table_lines(ws: &UvWorkspace) -> String {
    let mut out = format!("members = {}\n", multiline(&ws.members));
    if !ws.exclude.is_empty() {
        out.push_str(&format!("exclude = {}\n", multiline(&ws.exclude)));
    }
    out
}

/// Add a `[tool.uv.workspace]` table to the existing root `pyproject.toml` `text` (which has
/// none), at its end, keeping everything else as it is.
pub fn add_workspace(text: &str, ws: &UvWorkspace) -> anyhow::Result<String> {
    let mut doc = parse(text)?;
    let not_a_table = |what: &str| {
        UserError::new(
            format!(
                "pyproject.toml: `{what}` is not a table, so no [tool.uv.workspace] can go in it"
            ),
            format!(
                "make `{what}` a table (uv reads it as one), then run `init --add-missing` again"
            ),
        )
    };
    // `tool = { uv = { ... } }` or `[tool]` with `uv = { ... }`: inline tables are tables too
    // (uv reads them); the workspace goes into the inline table, as an inline table.
    let inline_uv = match doc.get("tool") {
        None => false,
        Some(Item::Table(t)) => match t.get("uv") {
            None | Some(Item::Table(_)) => false,
            Some(item) if item.is_inline_table() => true,
            Some(_) => return Err(not_a_table("tool.uv").into()),
        },
        Some(item) if item.is_inline_table() => true,
        Some(_) => return Err(not_a_table("tool").into()),
    };
    if inline_uv {
        let tool = doc
            .get_mut("tool")
            .and_then(Item::as_table_like_mut)
            .ok_or_else(|| not_a_table("tool"))?;
        if tool.get("uv").is_none() {
            tool.insert(
                "uv",
                Item::Value(toml_edit::Value::InlineTable(Default::default())),
            );
        }
        let uv = tool
            .get_mut("uv")
            .and_then(Item::as_table_like_mut)
            .ok_or_else(|| not_a_table("tool.uv"))?;
        if uv.contains_key("workspace") {
            return Err(
                UserError::bare("the root pyproject.toml already has [tool.uv.workspace]").into(),
            );
        }
        let one_line = |globs: &[String]| -> toml_edit::Value {
            globs.iter().map(String::as_str).collect::<Array>().into()
        };
        let mut inline = toml_edit::InlineTable::new();
        inline.insert("members", one_line(&ws.members));
        if !ws.exclude.is_empty() {
            inline.insert("exclude", one_line(&ws.exclude));
        }
        uv.insert(
            "workspace",
            Item::Value(toml_edit::Value::InlineTable(inline)),
        );
        // The spacing of the inline table it went into (`uv = { package = false }`) made even.
        if let Some(t) = doc
            .get_mut("tool")
            .and_then(|t| t.get_mut("uv"))
            .and_then(Item::as_inline_table_mut)
        {
            t.fmt();
        }
        let mut out = doc.to_string();
        if !out.ends_with('\n') {
            out.push('\n');
        }
        return Ok(out);
    }
    let tool = doc
        .entry("tool")
        .or_insert_with(|| {
            let mut t = Table::new();
            t.set_implicit(true);
            Item::Table(t)
        })
        .as_table_mut()
        .ok_or_else(|| not_a_table("tool"))?;
    let uv = tool
        .entry("uv")
        .or_insert_with(|| {
            let mut t = Table::new();
            t.set_implicit(true);
            Item::Table(t)
        })
        .as_table_mut()
        .ok_or_else(|| not_a_table("tool.uv"))?;
    if uv.contains_key("workspace") {
        return Err(
            UserError::bare("the root pyproject.toml already has [tool.uv.workspace]").into(),
        );
    }
    let mut table = Table::new();
    table.decor_mut().set_prefix(
        "\n# The uv workspace (added by `cargo ccworkspace init`): every Python package and every\n\
         # PyO3 crate's Python project, built and installed into one environment by `uv sync`.\n",
    );
    table.insert("members", value(multiline(&ws.members)));
    if !ws.exclude.is_empty() {
        table.insert("exclude", value(multiline(&ws.exclude)));
    }
    // After every table already in the file.
    fn last_position(table: &Table) -> Option<isize> {
        table
            .iter()
            .filter_map(|(_, item)| match item {
                Item::Table(t) => t.position().max(last_position(t)),
                Item::ArrayOfTables(a) => a.iter().filter_map(|t| t.position()).max(),
                _ => None,
            })
            .max()
    }
    let position = last_position(doc.as_table()).map_or(0, |p| p + 1);
    table.set_position(Some(position));
    let uv = doc["tool"]["uv"]
        .as_table_mut()
        .ok_or_else(|| not_a_table("tool.uv"))?;
    uv.insert("workspace", Item::Table(table));
    let mut out = doc.to_string();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

/// Add `entry` to `[tool.uv.workspace] members` of `text` (layout kept: a multi-line array
/// stays one entry per line).
pub fn add_member(text: &str, entry: &str) -> anyhow::Result<String> {
    push_to_list(text, "members", entry, PACKAGES_GLOB)
}

/// Add `entry` to `[tool.uv.workspace] exclude` of `text` (created when missing; layout kept).
pub fn add_exclude(text: &str, entry: &str) -> anyhow::Result<String> {
    push_to_list(text, "exclude", entry, "DAGs/python")
}

/// Add `entry` to the list `key` of `[tool.uv.workspace]` in `text`, created when missing
/// (toml_edit: comments and layout kept). Errors: no such table, or `key` is no list (the help
/// shows `example`).
fn push_to_list(text: &str, key: &str, entry: &str, example: &str) -> anyhow::Result<String> {
    let mut doc = parse(text)?;
    let ws = doc
        .get_mut("tool")
        .and_then(|t| t.get_mut("uv"))
        .and_then(|u| u.get_mut("workspace"))
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| {
            UserError::bare("the root pyproject.toml has no [tool.uv.workspace] table")
        })?;
    if ws.get(key).is_none() {
        ws.insert(key, value(Array::new()));
    }
    let arr = ws
        .get_mut(key)
        .and_then(Item::as_array_mut)
        .ok_or_else(|| {
            UserError::new(
                format!("[tool.uv.workspace] {key} in the root pyproject.toml is not a list"),
                format!("make it a list of folder globs, e.g. {key} = [\"{example}\"]"),
            )
        })?;
    super::push_keeping_layout(arr, entry);
    Ok(doc.to_string())
}

/// The root `pyproject.toml` of a uv workspace (`text`, as registration left it) with the
/// folders `new` or `init` creates (`created`, [`folders_created`]: `DAGs/python` for
/// `DAGs/python/orch`, under `DAGs/**` the package's `src` and `tests`, under `*/*` init's
/// `.github/workflows`) added to `[tool.uv.workspace] exclude` where a `members` glob matches
/// them: uv refuses a member folder without a `pyproject.toml` ("Workspace member ... is
/// missing a `pyproject.toml`"). Returns the new text and the folders excluded; `None` when
/// there is no uv workspace or nothing to exclude.
pub fn exclude_created_folders(
    root: &std::path::Path,
    text: Option<&str>,
    created: &[String],
) -> anyhow::Result<Option<(String, Vec<String>)>> {
    let Some(text) = text else {
        return Ok(None);
    };
    let Some(ws) = read(text)? else {
        return Ok(None);
    };
    let mut out = text.to_string();
    let mut excluded = Vec::new();
    for folder in created {
        if ws.membership(root, folder)? == Membership::Member {
            out = add_exclude(&out, folder)?;
            excluded.push(folder.clone());
        }
    }
    Ok((!excluded.is_empty()).then_some((out, excluded)))
}

/// The folders writing `files` (paths relative to `root`) creates, but `dir` itself (which
/// gets its `pyproject.toml`): the folders above it that do not exist yet, and the package's
/// own (`src`, `src/orch`, `tests`), which a recursive `members` glob (`DAGs/**`) takes too.
pub fn folders_created(
    root: &std::path::Path,
    dir: &str,
    files: &[(String, String)],
) -> Vec<String> {
    let mut out = BTreeSet::new();
    for (path, _) in files {
        let mut at = path.as_str();
        while let Some((parent, _)) = at.rsplit_once('/') {
            if parent != dir && !root.join(parent).exists() {
                out.insert(parent.to_string());
            }
            at = parent;
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(members: &[&str], exclude: &[&str]) -> UvWorkspace {
        UvWorkspace {
            members: members.iter().map(|s| s.to_string()).collect(),
            exclude: exclude.iter().map(|s| s.to_string()).collect(),
            line: 0,
        }
    }

    /// An inline `tool` or `tool.uv` is a table (uv reads it): the workspace goes into it, the
    /// rest stays, and discovery's parser reads the members back.
    #[test]
    fn add_workspace_goes_into_an_inline_tool_or_tool_uv() {
        let w = ws(&["*/python/*"], &["DAGs/python/old"]);
        for (text, kept) in [
            (
                "tool = { uv = { package = false }, ruff = { line-length = 99 } }\n",
                "ruff = { line-length = 99 }",
            ),
            ("[tool]\nuv = { package = false }\n", "package = false"),
            (
                "[project]\nname = \"r\"\nversion = \"0.1.0\"\n\n[tool]\nuv.package = false\n",
                "uv.package = false",
            ),
            ("[tool.ruff]\nline-length = 99\n", "line-length = 99"),
        ] {
            let out = add_workspace(text, &w).unwrap();
            assert!(out.contains(kept), "{out}");
            let read = read(&out)
                .unwrap()
                .unwrap_or_else(|| panic!("no workspace in:\n{out}"));
            assert_eq!(read.members, w.members, "{out}");
            assert_eq!(read.exclude, w.exclude, "{out}");
        }
        for (text, what) in [
            ("tool = 5\n", "`tool`"),
            ("[tool]\nuv = [1]\n", "`tool.uv`"),
        ] {
            let err = add_workspace(text, &w).unwrap_err().to_string();
            assert!(
                err.contains(&format!("pyproject.toml: {what} is not a table")),
                "{err}"
            );
        }
    }

    #[test]
    fn membership_follows_uv_globs() {
        let root = std::path::Path::new("/ws");
        let w = ws(&["*/python/*", "DAGs/rust/dag_py"], &["DAGs/python/old"]);
        assert_eq!(
            w.membership(root, "DAGs/python/orch").unwrap(),
            Membership::Member
        );
        assert_eq!(
            w.membership(root, "DAGs/rust/dag_py").unwrap(),
            Membership::Member
        );
        assert_eq!(
            w.membership(root, "DAGs/python/old").unwrap(),
            Membership::Excluded
        );
        assert_eq!(
            w.membership(root, "DAGs/python/a/b").unwrap(),
            Membership::NotCovered
        );
        assert_eq!(
            w.membership(root, "CA/rust/ca_py").unwrap(),
            Membership::NotCovered
        );
        assert!(ws(&["[x"], &[]).membership(root, "a").is_err());
        // uv's reading: spellings of one glob, `*` of `exclude` crossing `/`.
        let w = ws(&["./py//*/"], &["*/old"]);
        assert_eq!(w.membership(root, "py/a").unwrap(), Membership::Member);
        assert_eq!(w.membership(root, "py/old").unwrap(), Membership::Excluded);
    }

    #[test]
    fn reads_and_edits_keeping_comments() {
        let text = "# root\n[project]\nname = \"mono\" # the name\nversion = \"0.1.0\"\n\n[tool.ruff]\nline-length = 100\n";
        assert_eq!(read(text).unwrap(), None);
        let added = add_workspace(text, &ws(&["*/python/*"], &["DAGs/python/tests"])).unwrap();
        assert!(added.starts_with(text), "{added}");
        assert!(
            added.ends_with(
                "[tool.uv.workspace]\nmembers = [\n    \"*/python/*\",\n]\nexclude = [\n    \"DAGs/python/tests\",\n]\n"
            ),
            "{added}"
        );
        assert!(!added.contains("[tool.uv]\n"), "{added}");
        let back = read(&added).unwrap().unwrap();
        assert_eq!(
            (back.members, back.exclude),
            (
                ws(&["*/python/*"], &["DAGs/python/tests"]).members,
                ws(&["*/python/*"], &["DAGs/python/tests"]).exclude
            )
        );
        assert_eq!(back.line, 11, "the table's line, for errors");
        let more = add_member(&added, "CA/rust/ca_py").unwrap();
        assert!(
            more.contains("members = [\n    \"*/python/*\",\n    \"CA/rust/ca_py\",\n]\n"),
            "{more}"
        );
        assert!(more.contains("name = \"mono\" # the name\n"));
        let one_line = "[tool.uv.workspace]\nmembers = [\"a/*\"] # globs\n";
        assert_eq!(
            add_member(one_line, "b").unwrap(),
            "[tool.uv.workspace]\nmembers = [\"a/*\", \"b\"] # globs\n"
        );
        assert!(add_workspace(one_line, &ws(&["x"], &[])).is_err());
        assert!(read("[tool.uv]\nworkspace = 1\n").is_err());
        assert!(read("[tool.uv.workspace]\nmembers = \"a\"\n").is_err());
        // Nested tables count: the workspace goes after `[tool.ruff]`, not above it.
        let ruff = "# tools\n[tool.ruff]\nline-length = 100\n";
        let added = add_workspace(ruff, &ws(&["*/python/*"], &[])).unwrap();
        assert!(added.starts_with(ruff), "{added}");
        // A file with only `[tool.uv]` keeps it, and gets the workspace below it.
        let uv_only = "[tool.uv]\ndev-dependencies = []\n";
        let added = add_workspace(uv_only, &ws(&["*/python/*"], &[])).unwrap();
        assert!(added.starts_with(uv_only), "{added}");
        assert_eq!(
            read(&added).unwrap().map(|w| w.members),
            Some(ws(&["*/python/*"], &[]).members)
        );
    }
}
