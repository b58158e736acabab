//! One `pyproject.toml`, read into what the monorepo's graph and rules need: the project's
//! name (normalised as PEP 503 says), its requirements (PEP 508, with extras and markers), its
//! dependency groups (PEP 735), its `[tool.uv.sources]`, its build backend and maturin table,
//! and a uv workspace's `members` / `exclude`. Every value keeps its line, for diagnostics.
//!
//! Sources of the rules: PyPA's "pyproject.toml specification" (`[project]`,
//! `optional-dependencies`, `requires-python`), PEP 503 (name normalisation), PEP 508
//! (dependency specifiers), PEP 735 (`[dependency-groups]`, `{include-group = ...}`), and uv's
//! "Managing dependencies" and "Using workspaces" pages (`[tool.uv.sources]`,
//! `[tool.uv.workspace]`).

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use crate::config::LineIndex;
use crate::errors::UserError;
use crate::model::manifest::{Manifest, Node, NodeExt, entries, parse_text};

/// A distribution name normalised as PEP 503 says: lowercase, every run of `-`, `_` and `.`
/// one `-` (`Citychain_DAGs` -> `citychain-dags`).
pub fn normalize(name: &str) -> String {
    // Most names are normal already (pep508_rs hands them so): copied as they are.
    let bytes = name.as_bytes();
    let normal = !bytes.is_empty()
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
        && !bytes.windows(2).any(|pair| pair == b"--")
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-');
    if normal {
        return name.to_string();
    }
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
            continue;
        }
        if sep && !out.is_empty() {
            out.push('-');
        }
        sep = false;
        out.extend(c.to_lowercase());
    }
    out
}

/// A group that reaches itself through `include-group` edges (group -> included groups, each
/// with the node that names it), with the node of the edge that closes the cycle.
fn include_cycle<'a>(
    includes: &BTreeMap<String, Vec<(String, &'a Node<'a>)>>,
) -> Option<(String, &'a Node<'a>)> {
    for start in includes.keys() {
        let mut stack: Vec<&str> = vec![start];
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        while let Some(g) = stack.pop() {
            for (next, node) in includes.get(g).into_iter().flatten() {
                if next == start {
                    return Some((start.clone(), node));
                }
                if seen.insert(next) {
                    stack.push(next);
                }
            }
        }
    }
    None
}

/// Whether `name` is a valid distribution name (PEP 508's `identifier`: ASCII letters and
/// digits, with `-`, `_` and `.` inside).
pub fn is_valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(a), Some(z)) => {
            a.is_ascii_alphanumeric()
                && z.is_ascii_alphanumeric()
                && bytes
                    .iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        }
        _ => false,
    }
}

/// Where a requirement is declared.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Declared {
    /// `[project] dependencies`: installed with the package.
    Project,
    /// `[project.optional-dependencies] EXTRA`: installed with the package's extra.
    Extra(String),
    /// `[dependency-groups] GROUP` (PEP 735): for working on the package (tests, lint), never
    /// part of the distribution.
    Group(String),
    /// `[build-system] requires` (PEP 518): what building the package installs; uv applies
    /// `[tool.uv.sources]` to it too (a member's name there needs a workspace source: `uv
    /// sync` refuses it otherwise).
    Build,
}

impl Declared {
    /// Whether depending on the package installs it (a dependency group does not).
    pub fn is_installed_with_package(&self) -> bool {
        !matches!(self, Declared::Group(_))
    }

    /// Where it is declared, as a TOML path (`[project] dependencies`).
    pub fn describe(&self) -> String {
        match self {
            Declared::Project => "[project] dependencies".to_string(),
            Declared::Extra(e) => format!("[project.optional-dependencies] {e}"),
            Declared::Group(g) => format!("[dependency-groups] {g}"),
            Declared::Build => "[build-system] requires".to_string(),
        }
    }
}

/// One requirement (PEP 508), parsed by `pep508_rs`.
#[derive(Debug, Clone)]
pub struct Requirement {
    /// The distribution, normalised ([`normalize`]).
    pub name: String,
    /// The requirement as written.
    pub text: String,
    /// Its extras, normalised.
    pub extras: Vec<String>,
    /// Its environment marker as written after `;`, if any.
    pub marker: Option<String>,
    pub declared: Declared,
    /// 1-based line in the file.
    pub line: usize,
}

impl Requirement {
    /// The folder or file a direct reference names under the uv workspace root, relative to
    /// it: `name @ file:///${PROJECT_ROOT}/vendor/e1` (uv's portable spelling; uv expands
    /// `${PROJECT_ROOT}` to the workspace root and locks `source = { directory = "vendor/e1" }`)
    /// is `vendor/e1`. `None` for a requirement without a `file:` URL, an absolute path (the
    /// repository's place on disk is not the workspace's), or one that leaves the root.
    pub fn project_root_path(&self) -> Option<String> {
        let url = direct_reference(self.text.split(';').next()?)?.trim();
        let url = url.split_whitespace().next()?;
        let path = url.strip_prefix("file://")?;
        let rest = path
            .strip_prefix("/${PROJECT_ROOT}")
            .or_else(|| path.strip_prefix("${PROJECT_ROOT}"))?;
        if !(rest.is_empty() || rest.starts_with('/')) {
            return None;
        }
        // A URL writes a space as `%20` (`vendor/my%20pkg`); uv decodes it.
        let rest = percent_encoding::percent_decode_str(rest)
            .decode_utf8()
            .ok()?;
        let rel = crate::model::relpath::normalize_rel(rest.trim_start_matches('/'))?;
        (!rel.is_empty()).then_some(rel)
    }
}

/// One `[tool.uv.sources]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UvSource {
    /// `{ workspace = true }`: the workspace member of that name.
    pub workspace: bool,
    /// `{ path = "..." }`, as written, when every entry of the source has that one path.
    pub path: Option<String>,
    /// Every `path` of its entries, as written, in order, each once: a list of sources may
    /// take a distribution from a different folder per platform (`[{ path = "a", marker =
    /// "sys_platform == 'linux'" }, { path = "b", marker = "..." }]`), and uv locks each.
    pub paths: Vec<String>,
    /// The `index = "..."` names of its entries (a list of sources may name several).
    pub indexes: Vec<String>,
    /// Why uv refuses the entry when a requirement uses it (it reads the file, then fails to
    /// lower the requirement): `workspace = false` ("not yet supported"), a `url` that names
    /// no wheel or source archive ([`lowering_refusal`]).
    pub lowering: Option<String>,
    /// 1-based line of the entry.
    pub line: usize,
}

/// `[tool.uv.workspace]` of a root `pyproject.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UvWorkspace {
    /// Globs of member folders, relative to the file's folder.
    pub members: Vec<String>,
    /// Globs of folders that are not members even when `members` matches them.
    pub exclude: Vec<String>,
    /// 1-based line of the table (0 for one built in memory, `init`'s).
    pub line: usize,
}

/// A value and its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtLine<T> {
    pub value: T,
    pub line: usize,
}

/// One `pyproject.toml`, read: what the tool uses of it, and its text (the parse tree is not
/// kept: a monorepo has hundreds of these, and only a finding's span needs the tree again,
/// [`PyProject::tree`]).
#[derive(Debug)]
pub struct PyProject {
    /// Path relative to the workspace root, with `/`.
    path: String,
    /// Its folder relative to the workspace root (empty for the root).
    dir: String,
    /// The text of the file.
    text: String,
    /// `[project] name` as written, when there is a `[project]` table with a string name.
    pub name: Option<AtLine<String>>,
    /// 1-based line of the `[project]` table, when there is one.
    pub project_line: Option<usize>,
    /// `[project] requires-python`, as written.
    pub requires_python: Option<AtLine<String>>,
    /// Every requirement of `dependencies`, `optional-dependencies` and `[dependency-groups]`,
    /// in file order.
    pub requirements: Vec<Requirement>,
    /// `[tool.uv.sources]` by normalised distribution name.
    pub sources: BTreeMap<String, UvSource>,
    /// `[build-system] build-backend`.
    pub build_backend: Option<String>,
    /// `[tool.maturin] module-name`.
    pub maturin_module: Option<AtLine<String>>,
    /// `[tool.maturin] manifest-path`, as written (the `Cargo.toml` maturin builds, relative
    /// to the file's folder).
    pub maturin_manifest: Option<AtLine<String>>,
    /// `[tool.uv.workspace]`.
    pub uv_workspace: Option<UvWorkspace>,
    /// `[tool.uv] managed`: `Some(false)` keeps the project out of a uv workspace (uv omits
    /// such a member; uv's `ToolUv::managed`).
    pub uv_managed: Option<bool>,
    /// The `name`s of its `[[tool.uv.index]]` tables.
    pub indexes: Vec<String>,
}

impl PyProject {
    /// Errors (exit 2, at its line): `[project] requires-python` is not a PEP 440 specifier
    /// set (uv refuses the file too).
    pub fn check_requires_python(&self) -> anyhow::Result<()> {
        let Some(rp) = &self.requires_python else {
            return Ok(());
        };
        match uv_specifiers(&rp.value) {
            Ok(_) => Ok(()),
            Err(e) => Err(UserError::new(
                format!(
                    "{}:{}: invalid `requires-python = \"{}\"`: {e}",
                    self.path, rp.line, rp.value
                ),
                "write a PEP 440 version specifier, e.g. `requires-python = \">=3.11\"`",
            )
            .into()),
        }
    }

    /// The distribution name, normalised, when the file has a `[project] name`.
    pub fn distribution(&self) -> Option<String> {
        self.name.as_ref().map(|n| normalize(&n.value))
    }

    /// Path of the file relative to the workspace root.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The text of the file.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The file parsed again, for what only the tree has (spans, keys as written); `None`
    /// cannot happen for a file [`parse`] read, and a caller treats it as "not there".
    pub fn tree(&self) -> Option<Manifest> {
        parse_text(&self.path, self.text.clone()).ok()
    }

    /// The file's folder relative to the workspace root (empty for the root).
    pub fn dir(&self) -> &str {
        &self.dir
    }

    /// Whether maturin builds it (`[build-system] build-backend = "maturin"`).
    pub fn is_maturin(&self) -> bool {
        self.build_backend.as_deref() == Some("maturin")
    }
}

/// Parse `text` (the file at `rel`, relative to the workspace root).
///
/// Errors (exit 2, with `file:line:column` and the fix): invalid TOML; a `[project]` that is no
/// table, a `name` that is no string; a requirement list that is no array of strings; a
/// requirement `pep508_rs` rejects (its message); a `[dependency-groups]` entry that is neither
/// a requirement nor `{include-group = "..."}`; a `[tool.uv.workspace]` `members` or `exclude`
/// that is not a list of strings (uv refuses it too).
pub fn parse(rel: &str, text: String) -> anyhow::Result<PyProject> {
    let doc = parse_text(rel, text)?;
    let mut project = read_doc(&doc)?;
    project.text = doc.into_text();
    Ok(project)
}

/// [`parse`] of a `pyproject.toml` parsed already (a crate folder's, which the crate walk read
/// as a [`Manifest`]): the same reading and errors, without parsing the text again.
pub fn from_manifest(doc: &Manifest) -> anyhow::Result<PyProject> {
    let mut project = read_doc(doc)?;
    project.text = doc.text().to_string();
    Ok(project)
}

/// What [`parse`] reads from the parsed document, with an empty `text` for the caller to fill.
fn read_doc(doc: &Manifest) -> anyhow::Result<PyProject> {
    let rel = doc.path.as_str();
    let text = doc.text();
    // Lines of many nodes are kept: the text is indexed once.
    let lines = LineIndex::new(text);
    let line_of = |node: &Node| lines.line(node.span().start);
    let wrong = |node: &Node, what: &str, fix: &str| -> anyhow::Error {
        let (line, col) = lines.line_col(node.span().start);
        UserError::new(format!("{rel}:{line}:{col}: {what}"), fix.to_string()).into()
    };
    let root = doc.root();
    // `[tool.uv] managed = false`: uv leaves the project out of its workspace and never reads
    // its requirements or dependency groups (it still reads `name` and `requires-python`), so
    // what it would refuse in them is no error here either: an invalid requirement is left out.
    let unmanaged = root
        .get("tool")
        .and_then(|t| t.get("uv"))
        .and_then(|u| u.get("managed"))
        .and_then(NodeExt::as_bool)
        == Some(false);
    let mut name = None;
    let mut project_line = None;
    let mut requires_python = None;
    let mut requirements = Vec::new();
    if let Some(project) = root.get("project") {
        let Some(table) = project.as_table() else {
            return Err(wrong(
                project,
                "`project` must be a table",
                "write it as a `[project]` table (PyPA's pyproject.toml specification)",
            ));
        };
        project_line = Some(table_line(&lines, project));
        if let Some(n) = table.get("name") {
            let Some(s) = n.as_str() else {
                return Err(wrong(
                    n,
                    "`[project] name` must be a string",
                    "write the distribution's name as a string, e.g. `name = \"my-package\"`",
                ));
            };
            if !is_valid_name(s) {
                return Err(wrong(
                    n,
                    &format!("`[project] name = {s:?}` is not a valid distribution name"),
                    "a name starts and ends with an ASCII letter or digit and has only letters, \
                     digits, `-`, `_` and `.` (PEP 508; uv and pip refuse others)",
                ));
            }
            name = Some(AtLine {
                value: s.to_string(),
                line: line_of(n),
            });
        }
        if let Some(r) = table.get("requires-python") {
            let Some(s) = r.as_str() else {
                return Err(wrong(
                    r,
                    "`[project] requires-python` must be a string",
                    "write a version specifier, e.g. `requires-python = \">=3.11\"`",
                ));
            };
            requires_python = Some(AtLine {
                value: s.to_string(),
                line: line_of(r),
            });
        }
        check_version(table, project, &wrong)?;
        if let Some(deps) = table.get("dependencies") {
            read_requirements(
                rel,
                &lines,
                deps,
                &Declared::Project,
                unmanaged,
                &mut requirements,
            )?;
        }
        if let Some(extras) = table.get("optional-dependencies") {
            let Some(extras) = extras.as_table() else {
                return Err(wrong(
                    extras,
                    "`[project.optional-dependencies]` must be a table of lists",
                    "write one list of requirements per extra, e.g. `cli = [\"click>=8\"]`",
                ));
            };
            let mut seen = BTreeSet::new();
            for (extra, _, list) in entries(extras) {
                check_name(extra, list, "extra", &mut seen, &wrong)?;
                let declared = Declared::Extra(normalize(extra));
                read_requirements(rel, &lines, list, &declared, unmanaged, &mut requirements)?;
            }
        }
    }
    // Group -> the groups it includes (`{include-group = "..."}`), normalised, with the node.
    let mut includes: BTreeMap<String, Vec<(String, &Node)>> = BTreeMap::new();
    if let Some(groups) = root.get("dependency-groups") {
        let Some(groups) = groups.as_table() else {
            return Err(wrong(
                groups,
                "`[dependency-groups]` must be a table of lists",
                "write one list per group, e.g. `dev = [\"pytest>=8\"]` (PEP 735)",
            ));
        };
        // PEP 735: an `{include-group = "name"}` names another group of this table, and the
        // includes form no cycle; uv refuses the file otherwise ("Failed to find group",
        // "Detected a cycle in `dependency-groups`").
        let mut seen = BTreeSet::new();
        for (group, _, list) in entries(groups) {
            check_name(group, list, "dependency group", &mut seen, &wrong)?;
            let declared = Declared::Group(normalize(group));
            read_requirements(rel, &lines, list, &declared, unmanaged, &mut requirements)?;
            for item in list.as_array().into_iter().flatten() {
                let Some(target) = item.get("include-group") else {
                    continue;
                };
                if let Some(t) = item.as_table()
                    && t.len() > 1
                {
                    return Err(wrong(
                        item,
                        "an `include-group` table has other keys",
                        "write the include as `{include-group = \"test\"}` alone (PEP 735; uv \
                         refuses the file too)",
                    ));
                }
                let Some(name) = target.as_str() else {
                    return Err(wrong(
                        target,
                        "`include-group` must be the name of another dependency group",
                        "write `{include-group = \"test\"}` (PEP 735)",
                    ));
                };
                includes
                    .entry(normalize(group))
                    .or_default()
                    .push((normalize(name), target));
            }
        }
        let known: BTreeSet<String> = entries(groups)
            .into_iter()
            .map(|(g, _, _)| normalize(g))
            .collect();
        for edges in includes.values().filter(|_| !unmanaged) {
            for (name, node) in edges {
                if !known.contains(name) {
                    return Err(wrong(
                        node,
                        &format!(
                            "`include-group` names `{name}`, which is no group of [dependency-groups]"
                        ),
                        "name a group of this file's [dependency-groups] (PEP 735; uv refuses the file too)",
                    ));
                }
            }
        }
        if let Some((group, node)) = include_cycle(&includes).filter(|_| !unmanaged) {
            return Err(wrong(
                node,
                &format!("the dependency group `{group}` includes itself through `include-group`"),
                "break the cycle of `include-group` entries (PEP 735; uv refuses the file too)",
            ));
        }
    }
    let tool = root.get("tool");
    let uv = tool.and_then(|t| t.get("uv"));
    if let Some(u) = uv
        && u.as_table().is_none()
    {
        return Err(wrong(
            u,
            "`[tool.uv]` must be a table",
            "write uv's settings under a [tool.uv] table (uv refuses the file too)",
        ));
    }
    if let Some(settings) = uv.and_then(NodeExt::as_table) {
        let own = name.as_ref().map(|n: &AtLine<String>| normalize(&n.value));
        check_uv_settings(
            settings,
            root.get("dependency-groups"),
            own.as_deref(),
            unmanaged,
            &wrong,
        )?;
    }
    // uv's legacy `[tool.uv] dev-dependencies` (deprecated, still read by uv 0.13): the
    // `dev` group.
    if let Some(list) = uv.and_then(|u| u.get("dev-dependencies")) {
        read_requirements(
            rel,
            &lines,
            list,
            &Declared::Group("dev".to_string()),
            unmanaged,
            &mut requirements,
        )?;
    }
    let mut sources = BTreeMap::new();
    // uv refuses a `sources` that is no table, and an entry that is no table or list of tables.
    let sources_table = match uv.and_then(|u| u.get("sources")) {
        Some(node) => Some(node.as_table().ok_or_else(|| {
            wrong(
                node,
                "`[tool.uv.sources]` must be a table of sources",
                "write one entry per distribution, e.g. `core = { workspace = true }`",
            )
        })?),
        None => None,
    };
    if let Some(table) = sources_table {
        let mut seen = BTreeSet::new();
        for (key, _, value) in entries(table) {
            if !seen.insert(normalize(key)) {
                return Err(wrong(
                    value,
                    &format!(
                        "[tool.uv.sources] has a second entry for `{}`",
                        normalize(key)
                    ),
                    "keep one entry per distribution (names are compared normalised, PEP 503; \
                     uv refuses the file too)",
                ));
            }
            let tables = match value.as_array() {
                Some(a) => !a.is_empty() && a.iter().all(|e| e.as_table().is_some()),
                None => value.as_table().is_some(),
            };
            if !tables {
                return Err(wrong(
                    value,
                    &format!("the [tool.uv.sources] entry `{key}` is no source table"),
                    "write a table such as `{ workspace = true }` or `{ path = \"../core\" }`, or a \
                     list of them with markers (uv refuses the file too)",
                ));
            }
            // A list of sources with markers (uv picks one per platform): it points at the
            // workspace (or a path) only when every entry does; one git, URL or index entry
            // means uv takes the package from elsewhere on some platform (and refuses the
            // list for a workspace member).
            let all: Vec<&Node> = match value.as_array() {
                Some(a) => a.iter().collect(),
                None => vec![value],
            };
            if !is_valid_name(key) {
                return Err(wrong(
                    value,
                    &format!("the [tool.uv.sources] entry `{key}` does not name a distribution"),
                    "key the entry by the distribution's name (PEP 508: letters, digits, `-`, \
                     `_`, `.`; uv refuses the file too)",
                ));
            }
            if let Some((node, what)) = overlapping_markers(&all) {
                return Err(wrong(
                    node,
                    &format!("the [tool.uv.sources] entry `{key}` {what}"),
                    "give each source of the list a `marker` that cannot hold together with the \
                     next one's for the same extra or group (uv refuses the file too)",
                ));
            }
            for e in &all {
                if let Some((node, what)) = refused_source(e) {
                    return Err(wrong(
                        node,
                        &format!("the [tool.uv.sources] entry `{key}` {what}"),
                        "write one source: `{ workspace = true }` (with `editable`), `{ path = \
                         \"...\" }` (with `editable`, `package`), `{ git = \"...\" }` (with `rev`, \
                         `tag`, `branch`), `{ url = \"...\" }` or `{ index = \"...\" }`, each with \
                         an optional `marker`, `subdirectory`, `lfs` and one of `extra` or `group` \
                         (uv's `Source`; uv refuses the file too)",
                    ));
                }
            }
            // uv: "Source entry for `b` only applies to extra `x`, but `b` was not found under
            // the `project.optional-dependencies` section for that extra" (and so for a group).
            for e in &all {
                for (key_name, what, table) in [
                    ("extra", "extra", "[project.optional-dependencies]"),
                    ("group", "dependency group", "[dependency-groups]"),
                ] {
                    let Some(only) = e.get(key_name).and_then(NodeExt::as_str) else {
                        continue;
                    };
                    let (name, only_normal) = (normalize(key), normalize(only));
                    // A group holds what the groups it includes hold (uv applies the source
                    // through the include).
                    let mut groups = BTreeSet::from([only_normal.clone()]);
                    let mut next = vec![only_normal.clone()];
                    while let Some(g) = next.pop() {
                        for (included, _) in includes.get(&g).into_iter().flatten() {
                            if groups.insert(included.clone()) {
                                next.push(included.clone());
                            }
                        }
                    }
                    let holds = requirements.iter().any(|r| {
                        r.name == name
                            && match &r.declared {
                                Declared::Extra(x) => key_name == "extra" && *x == only_normal,
                                Declared::Group(g) => key_name == "group" && groups.contains(g),
                                Declared::Project | Declared::Build => false,
                            }
                    });
                    // uv checks a project's own sources only: a virtual root (no `[project]`)
                    // may limit a source to a group or extra its members declare.
                    if !holds && project_line.is_some() {
                        return Err(wrong(
                            e,
                            &format!(
                                "the [tool.uv.sources] entry `{key}` applies only to the {what} \
                                 `{only}`, which does not require `{key}`"
                            ),
                            &format!(
                                "add `{key}` to `{only}` in {table}, or drop `{key_name} = \
                                 \"{only}\"` from the source (uv refuses the file too)"
                            ),
                        ));
                    }
                }
            }
            let workspace = !all.is_empty()
                && all
                    .iter()
                    .all(|e| e.get("workspace").and_then(NodeExt::as_bool) == Some(true));
            let paths: Vec<Option<&str>> = all
                .iter()
                .map(|e| e.get("path").and_then(NodeExt::as_str))
                .collect();
            let path = match paths.first() {
                Some(Some(p)) if paths.iter().all(|q| *q == Some(*p)) => Some(p.to_string()),
                _ => None,
            };
            let mut every_path: Vec<String> = Vec::new();
            for p in paths.into_iter().flatten() {
                if !every_path.iter().any(|q| q == p) {
                    every_path.push(p.to_string());
                }
            }
            sources.insert(
                normalize(key),
                UvSource {
                    workspace,
                    path,
                    paths: every_path,
                    indexes: all
                        .iter()
                        .filter_map(|e| e.get("index").and_then(NodeExt::as_str))
                        .map(str::to_string)
                        .collect(),
                    lowering: all.iter().find_map(|e| lowering_refusal(e)),
                    line: line_of(value),
                },
            );
        }
    }
    // uv refuses a `members`/`exclude` that is not a list of strings; so does every reader
    // here (`init`/`new` read the table through this parse, `init::uv::read`).
    let globs = |w: &Node, key: &str| -> anyhow::Result<Vec<String>> {
        let Some(node) = w.get(key) else {
            return Ok(Vec::new());
        };
        node.as_array()
            .and_then(|a| a.iter().map(|v| v.as_str().map(str::to_string)).collect())
            .ok_or_else(|| {
                wrong(
                    node,
                    &format!("[tool.uv.workspace] {key} is not a list of strings"),
                    "write a list of folder globs, e.g. members = [\"*/python/*\"]",
                )
            })
    };
    let uv_workspace = match uv.and_then(|u| u.get("workspace")) {
        Some(w) if w.as_table().is_none() => {
            return Err(wrong(
                w,
                "`[tool.uv.workspace]` must be a table",
                "write it as a [tool.uv.workspace] table with `members` (uv refuses the file too)",
            ));
        }
        Some(w) => Some({
            if let Some((key, _, node)) = w
                .as_table()
                .into_iter()
                .flat_map(entries)
                .find(|(k, _, _)| !matches!(*k, "members" | "exclude"))
            {
                return Err(wrong(
                    node,
                    &format!("[tool.uv.workspace] has an unknown key `{key}`"),
                    "keep `members` and `exclude` only (uv refuses the file too)",
                ));
            }
            UvWorkspace {
                members: globs(w, "members")?,
                exclude: globs(w, "exclude")?,
                line: table_line(&lines, w),
            }
        }),
        None => None,
    };
    // `[tool.uv] managed = false`: uv leaves the project out of its workspace.
    let uv_managed = match uv.and_then(|u| u.get("managed")) {
        Some(m) => Some(m.as_bool().ok_or_else(|| {
            wrong(
                m,
                "`[tool.uv] managed` must be true or false",
                "write `managed = false` to keep uv from managing the project, or remove the key",
            )
        })?),
        None => None,
    };
    let build_system = root.get("build-system");
    let build_backend = build_system
        .and_then(|b| b.get("build-backend"))
        .and_then(NodeExt::as_str)
        .map(str::to_string);
    // uv reads them only for a project it builds: one with a `[project]` (a virtual root is
    // never built) that `[tool.uv] package = false` does not keep from being built.
    let built = project_line.is_some()
        && root
            .get("tool")
            .and_then(|t| t.get("uv"))
            .and_then(|u| u.get("package"))
            .and_then(NodeExt::as_bool)
            != Some(false);
    if let Some(requires) = build_system
        .and_then(|b| b.get("requires"))
        .filter(|_| built)
    {
        read_requirements(
            rel,
            &lines,
            requires,
            &Declared::Build,
            unmanaged,
            &mut requirements,
        )?;
    }
    let maturin_module = tool
        .and_then(|t| t.get("maturin"))
        .and_then(|m| m.get("module-name"))
        .and_then(|n| {
            Some(AtLine {
                value: n.as_str()?.to_string(),
                line: line_of(n),
            })
        });
    let maturin_manifest = tool
        .and_then(|t| t.get("maturin"))
        .and_then(|m| m.get("manifest-path"))
        .and_then(|n| {
            Some(AtLine {
                value: n.as_str()?.to_string(),
                line: line_of(n),
            })
        });
    Ok(PyProject {
        maturin_manifest,
        name,
        project_line,
        requires_python,
        requirements,
        sources,
        build_backend,
        maturin_module,
        uv_workspace,
        uv_managed,
        indexes: uv
            .and_then(|u| u.get("index"))
            .and_then(NodeExt::as_array)
            .into_iter()
            .flatten()
            .filter_map(|i| i.get("name").and_then(NodeExt::as_str))
            .map(str::to_string)
            .collect(),
        path: doc.path.clone(),
        dir: doc.dir.clone(),
        text: String::new(),
    })
}

/// The line of a table's header (`[project]`), or of its key for an inline table.
/// The keys a `[tool.uv.sources]` table of each kind may have besides its kind's own key and
/// `marker`, `extra`, `group` (uv 0.13's `Source`, read strictly: `uv lock` refuses to parse
/// any other; each kind tried by hand with each key).
const SOURCE_KEYS: [(&str, &[&str]); 5] = [
    // uv 0.13 reads `{ git = "...", path = "..." }` as a git source.
    (
        "git",
        &["subdirectory", "rev", "tag", "branch", "lfs", "path"],
    ),
    ("url", &["subdirectory", "lfs"]),
    ("path", &["editable", "package", "subdirectory", "lfs"]),
    ("index", &["subdirectory", "lfs"]),
    ("workspace", &["editable", "subdirectory", "lfs"]),
];

/// In a list of sources for one name, uv 0.13 (`Sources`'s `TryFrom<SourcesWire>`,
/// `uv-workspace`) compares each entry with the next only, and only when both are for the same
/// `extra` and the same `group` (normalised; none counts as one scope): their markers must not
/// both hold at once, which a missing marker (always true) breaks unless the other's never holds.
/// The later entry of the first pair breaking that, and why.
fn overlapping_markers<'n, 'a>(all: &[&'n Node<'a>]) -> Option<(&'n Node<'a>, String)> {
    let scope = |e: &Node, key: &str| e.get(key).and_then(NodeExt::as_str).map(normalize);
    let marker_of = |e: &Node| -> Option<Option<pep508_rs::MarkerTree>> {
        match e.get("marker").and_then(NodeExt::as_str) {
            None => Some(None),
            // An invalid marker is reported with its table ([`refused_source`]).
            Some(text) => marker(text).ok().map(Some),
        }
    };
    for pair in all.windows(2) {
        let (lhs, rhs) = (pair[0], pair[1]);
        if scope(lhs, "extra") != scope(rhs, "extra") || scope(lhs, "group") != scope(rhs, "group")
        {
            continue;
        }
        let (Some(left), Some(right)) = (marker_of(lhs), marker_of(rhs)) else {
            return None;
        };
        let always = pep508_rs::MarkerTree::TRUE;
        if left
            .as_ref()
            .unwrap_or(&always)
            .is_disjoint(right.as_ref().unwrap_or(&always))
        {
            continue;
        }
        // uv knows that `sys_platform`, `platform_system` and `os_name` imply each other
        // (`sys_platform == 'linux'` rules out `os_name == 'nt'`); `pep508_rs` 0.9 does not. Two
        // markers on different ones of them are left to uv rather than refused wrongly.
        let platform = |e: &Node| -> Vec<&str> {
            let text = e
                .get("marker")
                .and_then(NodeExt::as_str)
                .unwrap_or_default();
            ["sys_platform", "platform_system", "os_name"]
                .into_iter()
                .filter(|v| text.contains(v))
                .collect()
        };
        let (lp, rp) = (platform(lhs), platform(rhs));
        if !lp.is_empty() && !rp.is_empty() && lp != rp {
            continue;
        }
        return Some(match (&left, &right) {
            (Some(_), Some(_)) => (
                rhs,
                format!(
                    "lists sources whose markers overlap (`{}` can hold with the entry before)",
                    rhs.get("marker")
                        .and_then(NodeExt::as_str)
                        .unwrap_or_default()
                ),
            ),
            _ => (
                rhs,
                "lists sources, one of them without a `marker`".to_string(),
            ),
        });
    }
    None
}

/// Why uv refuses one source table of `[tool.uv.sources]`, with the node to point at: a key no
/// kind of source has, two kinds (`workspace = true` with a `path`), a key its kind does not
/// take (`rev` on a workspace source), `extra` with `group`, a `marker` that is no PEP 508
/// marker. `None` when uv reads it (whether it points at the monorepo is the rules' business).
fn refused_source<'n, 'a>(entry: &'n Node<'a>) -> Option<(&'n Node<'a>, String)> {
    let table = entry.as_table()?;
    let common = ["marker", "extra", "group"];
    let mut kinds: Vec<&str> = SOURCE_KEYS
        .iter()
        .map(|(kind, _)| *kind)
        .filter(|kind| entry.get(kind).is_some())
        .collect();
    if kinds == ["git", "path"] {
        kinds = vec!["git"];
    }
    for (key, node) in table.iter() {
        let key = key.get_ref().as_ref();
        let known = common.contains(&key)
            || SOURCE_KEYS
                .iter()
                .any(|(kind, keys)| *kind == key || keys.contains(&key));
        if !known {
            return Some((node, format!("has `{key}`, which no uv source has")));
        }
    }
    if let [first, second, ..] = kinds.as_slice() {
        return Some((
            entry,
            format!("names two kinds of source, `{first}` and `{second}`"),
        ));
    }
    if kinds.is_empty() {
        return Some((
            entry,
            "names no source (`workspace`, `path`, `git`, `url` or `index`)".to_string(),
        ));
    }
    // uv parses any `workspace` value (and refuses all but `true` later: the rules report it).
    for (key, node) in table.iter().filter(|(k, _)| k.get_ref() != "workspace") {
        let key = key.get_ref().as_ref();
        let boolean = matches!(key, "editable" | "package" | "lfs");
        let fits = if boolean {
            node.as_bool().is_some()
        } else {
            node.as_str().is_some()
        };
        if !fits {
            let want = if boolean { "true or false" } else { "a string" };
            return Some((node, format!("has `{key}` that is not {want}")));
        }
    }
    let pins: Vec<&str> = ["rev", "tag", "branch"]
        .into_iter()
        .filter(|k| entry.get(k).is_some())
        .collect();
    if let [first, second, ..] = pins.as_slice() {
        return Some((
            entry,
            format!("has both `{first}` and `{second}` (a git source takes at most one)"),
        ));
    }
    for key in ["extra", "group"] {
        if let Some(node) = entry.get(key)
            && let Some(name) = node.as_str()
            && !is_valid_name(name)
        {
            return Some((
                node,
                format!("has `{key} = {name:?}`, which is not a valid name"),
            ));
        }
    }
    if let [kind] = kinds.as_slice() {
        let allowed = SOURCE_KEYS
            .iter()
            .find(|(k, _)| k == kind)
            .map_or(&[][..], |(_, keys)| *keys);
        for (key, node) in table.iter() {
            let key = key.get_ref().as_ref();
            if key != *kind && !common.contains(&key) && !allowed.contains(&key) {
                return Some((
                    node,
                    format!("has `{key}`, which a `{kind}` source does not take"),
                ));
            }
        }
    }
    if let (Some(_), Some(group)) = (entry.get("extra"), entry.get("group")) {
        return Some((group, "has both `extra` and `group`".to_string()));
    }
    // uv reads `git` and `url` as absolute URLs (`git@host:path` is none), `index` as an index
    // name.
    for key in ["git", "url"] {
        if let Some(node) = entry.get(key)
            && let Some(text) = node.as_str()
            && let Err(e) = pep508_rs::VerbatimUrl::parse_url(text)
        {
            return Some((
                node,
                format!("has `{key} = {text:?}`, which is no absolute URL ({e})"),
            ));
        }
    }

    if let Some(node) = entry.get("index")
        && let Some(name) = node.as_str()
        && !is_index_name(name)
    {
        return Some((
            node,
            format!(
                "has `index = {name:?}`, which is no index name (ASCII letters, digits, `-`, `_` and `.`)"
            ),
        ));
    }
    if let Some(marker) = entry.get("marker")
        && let Some(text) = marker.as_str()
        && let Err(e) = self::marker(text)
    {
        return Some((marker, format!("has an invalid `marker`: {e}")));
    }
    None
}

fn table_line(lines: &LineIndex, node: &Node) -> usize {
    let text = lines.text();
    let start = node.span().start.min(text.len());
    // A `[table]`'s span starts at its header, an inline table's at its `{`; a table made by
    // dotted keys (`project.name = ...`) or by a deeper header (`[tool.uv.workspace]` makes
    // `tool`) starts at an entry: its header, if any, is the last `[` line before.
    if text[start..].starts_with(['[', '{']) {
        return lines.line(start);
    }
    let header = text[..start].rfind("\n[").map(|i| i + 1);
    lines.line(header.unwrap_or(start))
}

/// The requirements of `list` (a TOML array of PEP 508 strings, or of PEP 735 includes in a
/// group), `declared` where they are, appended to `out` with their lines. Errors (exit 2, at the
/// entry): no list, an entry that is no string, a requirement uv cannot read
/// ([`parse_requirement`]); with `skip_invalid` (a file uv does not manage) such a requirement
/// is left out instead.
fn read_requirements(
    rel: &str,
    lines: &LineIndex,
    list: &Node,
    declared: &Declared,
    skip_invalid: bool,
    out: &mut Vec<Requirement>,
) -> anyhow::Result<()> {
    let at = |node: &Node| lines.line_col(node.span().start);
    let Some(items) = list.as_array() else {
        let (line, col) = at(list);
        return Err(UserError::new(
            format!(
                "{rel}:{line}:{col}: {} must be a list of requirements",
                declared.describe()
            ),
            "write a list of PEP 508 strings, e.g. `[\"requests>=2\"]`",
        )
        .into());
    };
    for item in items {
        if let Declared::Group(_) = declared
            && item.get("include-group").is_some()
        {
            continue;
        }
        let Some(s) = item.as_str() else {
            let (line, col) = at(item);
            let extra = if matches!(declared, Declared::Group(_)) {
                " or `{include-group = \"...\"}` (PEP 735)"
            } else {
                ""
            };
            return Err(UserError::new(
                format!(
                    "{rel}:{line}:{col}: an entry of {} is not a requirement string",
                    declared.describe()
                ),
                format!("write a PEP 508 string such as `\"requests>=2\"`{extra}"),
            )
            .into());
        };
        let lenient = !matches!(declared, Declared::Group(_));
        let parsed = parse_requirement(s, lenient);
        if skip_invalid && parsed.is_err() {
            continue;
        }
        let parsed = parsed.map_err(|message| {
            let (line, col) = at(item);
            UserError::new(
                format!(
                    "{rel}:{line}:{col}: invalid requirement `{s}` in {}: {message}",
                    declared.describe()
                ),
                "write a PEP 508 dependency specifier, e.g. `name>=1.2` or \
                 `name[extra]; python_version >= \"3.11\"`",
            )
        })?;
        out.push(Requirement {
            name: normalize(parsed.name.as_ref()),
            text: s.to_string(),
            extras: parsed
                .extras
                .iter()
                .map(|e| normalize(e.as_ref()))
                .collect(),
            marker: s.split_once(';').map(|(_, m)| m.trim().to_string()),
            declared: declared.clone(),
            line: lines.line(item.span().start),
        });
    }
    Ok(())
}

/// An extra's or a dependency group's `name` (keyed `node`) as uv checks it: a valid name
/// (PEP 508's rule for names, which PEP 685 and PEP 735 take), and no other of the same table
/// with the same normalised name (`seen`). Errors: `wrong`'s, at the key's value.
fn check_name(
    name: &str,
    node: &Node,
    what: &str,
    seen: &mut BTreeSet<String>,
    wrong: &dyn Fn(&Node, &str, &str) -> anyhow::Error,
) -> anyhow::Result<()> {
    if !is_valid_name(name) {
        return Err(wrong(
            node,
            &format!("`{name}` is not a valid {what} name"),
            "a name starts and ends with an ASCII letter or digit and has only letters, digits, \
             `-`, `_` and `.` (uv refuses the file too)",
        ));
    }
    if !seen.insert(normalize(name)) {
        return Err(wrong(
            node,
            &format!("a second {what} is named `{}`", normalize(name)),
            "give each its own name (names are compared normalised, PEP 503; uv refuses the file \
             too)",
        ));
    }
    Ok(())
}

/// `[project] version` and `dynamic` as uv checks them when it reads the file (its
/// `PyProjectToml`, after PyPA's pyproject.toml specification): `dynamic` is a list of strings;
/// `version` is a string that is a PEP 440 version (`pep440_rs`, which takes ` 1.0 ` and
/// `v1.0` as PEP 440's normalisation does); without one, `dynamic` lists `"version"` (exactly
/// so: uv does not take `"Version"`). Errors: `wrong`'s, at the value, or at the `[project]`
/// header (`project`) for a missing version, where uv points too.
fn check_version(
    table: &crate::model::manifest::Table,
    project: &Node,
    wrong: &dyn Fn(&Node, &str, &str) -> anyhow::Error,
) -> anyhow::Result<()> {
    let mut dynamic_version = false;
    if let Some(dynamic) = table.get("dynamic") {
        let list_fix = "list the fields the build backend fills in, e.g. `dynamic = [\"version\"]` \
                        (PyPA's pyproject.toml specification; uv refuses the file too)";
        let Some(items) = dynamic.as_array() else {
            return Err(wrong(
                dynamic,
                "`[project] dynamic` must be a list of strings",
                list_fix,
            ));
        };
        for item in items {
            let Some(field) = item.as_str() else {
                return Err(wrong(
                    item,
                    "`[project] dynamic` must be a list of strings",
                    list_fix,
                ));
            };
            dynamic_version |= field == "version";
        }
    }
    match table.get("version") {
        Some(version) => {
            let Some(text) = version.as_str() else {
                return Err(wrong(
                    version,
                    "`[project] version` must be a string",
                    "write a PEP 440 version as a string, e.g. `version = \"0.1.0\"`",
                ));
            };
            if let Err(e) = uv_version(text) {
                return Err(wrong(
                    version,
                    &format!("`[project] version = {text:?}` is not a PEP 440 version: {e}"),
                    "write a version such as `0.1.0`, `1.0rc1` or `2.0.post1` (PEP 440; uv \
                     refuses the file too)",
                ));
            }
        }
        None if !dynamic_version => {
            return Err(wrong(
                project,
                "`[project]` has no `version`, and `dynamic` does not list it",
                "add `version = \"0.1.0\"` to [project], or `dynamic = [\"version\"]` when the \
                 build backend sets it (PyPA's pyproject.toml specification; uv refuses the \
                 file too)",
            ));
        }
        None => {}
    }
    Ok(())
}

/// The `[tool.uv]` settings uv 0.13 types when it reads any `pyproject.toml` of the workspace
/// (its `ToolUv`, for a member it does not manage too), past `sources`, `workspace`, `managed`
/// and the `dev-dependencies` read above: `package` a boolean; `dev-dependencies`,
/// `constraint-dependencies`, `override-dependencies` and `build-constraint-dependencies` lists
/// of requirements (read strictly, as in `[dependency-groups]`); `exclude-dependencies` a list
/// of valid names; `default-groups` `"all"` or a list of valid names, each a group of
/// `[dependency-groups]` (`groups`) unless uv does not manage the project (`unmanaged`); and
/// `environments`, `index`, `conflicts` and `dependency-groups` (below). Errors: `wrong`'s, at
/// the value.
fn check_uv_settings(
    settings: &crate::model::manifest::Table,
    groups: Option<&Node>,
    own: Option<&str>,
    unmanaged: bool,
    wrong: &dyn Fn(&Node, &str, &str) -> anyhow::Error,
) -> anyhow::Result<()> {
    if let Some(package) = settings.get("package")
        && package.as_bool().is_none()
    {
        return Err(wrong(
            package,
            "`[tool.uv] package` must be true or false",
            &format!("write `package = true` or `package = false` {UV_REFUSES}"),
        ));
    }
    let strings = |key: &str| -> anyhow::Result<Vec<(&Node, &str)>> {
        let Some(list) = settings.get(key) else {
            return Ok(Vec::new());
        };
        let items = list.as_array().ok_or_else(|| {
            wrong(
                list,
                &format!("`[tool.uv] {key}` must be a list of strings"),
                &format!("write a list, e.g. `{key} = [\"...\"]` {UV_REFUSES}"),
            )
        })?;
        items
            .iter()
            .map(|item| {
                // uv takes `{ requirement = "...", hashes = [...] }` for a build constraint.
                let item = match item.get("requirement") {
                    Some(requirement) if key == "build-constraint-dependencies" => requirement,
                    _ => item,
                };
                item.as_str().map(|s| (item, s)).ok_or_else(|| {
                    wrong(
                        item,
                        &format!("an entry of `[tool.uv] {key}` is not a string"),
                        &format!("write each entry as a string {UV_REFUSES}"),
                    )
                })
            })
            .collect()
    };
    for key in [
        "dev-dependencies",
        "constraint-dependencies",
        "override-dependencies",
        "build-constraint-dependencies",
    ] {
        for (item, text) in strings(key)? {
            if let Err(message) = strict(text) {
                return Err(wrong(
                    item,
                    &format!("invalid requirement `{text}` in [tool.uv] {key}: {message}"),
                    &format!("write a PEP 508 dependency specifier, e.g. `name>=1.2` {UV_REFUSES}"),
                ));
            }
        }
    }
    let name_fix = format!(
        "a name starts and ends with an ASCII letter or digit and has only letters, digits, \
         `-`, `_` and `.` {UV_REFUSES}"
    );
    for (item, name) in strings("exclude-dependencies")? {
        if !is_valid_name(name) {
            return Err(wrong(
                item,
                &format!("`{name}` in [tool.uv] exclude-dependencies is not a valid name"),
                &name_fix,
            ));
        }
    }
    for key in ["environments", "required-environments"] {
        check_environments(settings.get(key), key, wrong)?;
    }
    check_indexes(settings.get("index"), wrong)?;
    check_conflicts(settings.get("conflicts"), own, wrong)?;
    check_group_settings(settings.get("dependency-groups"), groups, unmanaged, wrong)?;
    if let Some(default) = settings.get("default-groups")
        && default.as_str() != Some("all")
    {
        if default.as_array().is_none() {
            return Err(wrong(
                default,
                "`[tool.uv] default-groups` must be \"all\" or a list of group names",
                &format!(
                    "write `default-groups = [\"dev\"]` or `default-groups = \"all\"` {UV_REFUSES}"
                ),
            ));
        }
        let known = group_names(groups);
        for (item, name) in strings("default-groups")? {
            if !is_valid_name(name) {
                return Err(wrong(
                    item,
                    &format!("`{name}` in [tool.uv] default-groups is not a valid group name"),
                    &name_fix,
                ));
            }
            if !unmanaged && !known.contains(&normalize(name)) {
                return Err(wrong(
                    item,
                    &format!(
                        "[tool.uv] default-groups names `{name}`, which is no group of \
                         [dependency-groups]"
                    ),
                    &format!("add the group to [dependency-groups], or drop it here {UV_REFUSES}"),
                ));
            }
        }
    }
    Ok(())
}

const UV_REFUSES: &str = "(uv refuses the file too)";

/// The names of a `[dependency-groups]` table (`groups`), normalised (PEP 503, as PEP 735 and
/// uv compare them); empty without one.
fn group_names(groups: Option<&Node>) -> BTreeSet<String> {
    groups
        .and_then(NodeExt::as_table)
        .map(|t| t.iter().map(|(k, _)| normalize(k.get_ref())).collect())
        .unwrap_or_default()
}

/// `[tool.uv] environments` or `required-environments` (`key`): a PEP 508 marker or a list of
/// them, as uv's `SupportedEnvironments` reads it. Errors: `wrong`'s.
fn check_environments(
    node: Option<&Node>,
    key: &str,
    wrong: &dyn Fn(&Node, &str, &str) -> anyhow::Error,
) -> anyhow::Result<()> {
    let Some(node) = node else {
        return Ok(());
    };
    let items: Vec<&Node> = match node.as_array() {
        Some(items) => items.iter().collect(),
        None => vec![node],
    };
    for item in items {
        let Some(text) = item.as_str() else {
            return Err(wrong(
                item,
                &format!("`[tool.uv] {key}` must be a marker or a list of markers"),
                &format!("write e.g. `{key} = [\"sys_platform == 'linux'\"]` {UV_REFUSES}"),
            ));
        };
        if let Err(e) = marker(text) {
            return Err(wrong(
                item,
                &format!("`{text}` in [tool.uv] {key} is no PEP 508 marker: {e}"),
                &format!("write a marker such as `sys_platform == 'linux'` {UV_REFUSES}"),
            ));
        }
    }
    Ok(())
}

/// Whether `name` is an index name uv takes (its `IndexName`): ASCII letters, digits, `-`, `_`
/// and `.` only (uv takes an empty one in a file).
fn is_index_name(name: &str) -> bool {
    name.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// `[[tool.uv.index]]` as uv's `Index` reads it: a list of tables, each with a string `url`
/// (a folder, or an absolute URL when it names a scheme), an optional `name` uv takes (no two
/// alike, case counting; required with `explicit = true`), booleans `explicit` and `default`
/// (one default at most), `format` `simple` or `flat`, `authenticate` `auto`, `always` or
/// `never`, an absolute URL as `publish-url`, a table of strings as `cache-control`, and
/// `ignore-error-codes` of HTTP status codes (100 to 999). Errors: `wrong`'s.
fn check_indexes(
    node: Option<&Node>,
    wrong: &dyn Fn(&Node, &str, &str) -> anyhow::Error,
) -> anyhow::Result<()> {
    let Some(node) = node else {
        return Ok(());
    };
    let Some(indexes) = node.as_array() else {
        return Err(wrong(
            node,
            "`[tool.uv] index` must be a list of index tables",
            &format!(
                "write each index as a `[[tool.uv.index]]` table with `name` and `url` {UV_REFUSES}"
            ),
        ));
    };
    let mut names = BTreeSet::new();
    let mut default_seen = false;
    for index in indexes {
        let Some(table) = index.as_table() else {
            return Err(wrong(
                index,
                "an entry of `[tool.uv] index` is no table",
                &format!(
                    "write each index as a `[[tool.uv.index]]` table with `name` and `url` {UV_REFUSES}"
                ),
            ));
        };
        let field = |key: &str, what: &str, fits: &dyn Fn(&Node) -> bool| -> anyhow::Result<()> {
            match table.get(key) {
                Some(value) if !fits(value) => Err(wrong(
                    value,
                    &format!("`{key}` of a [[tool.uv.index]] must be {what}"),
                    &format!("fix the value {UV_REFUSES}"),
                )),
                _ => Ok(()),
            }
        };
        let is_str = |v: &Node| v.as_str().is_some();
        let is_bool = |v: &Node| v.as_bool().is_some();
        field("url", "a string", &is_str)?;
        field("publish-url", "a string", &is_str)?;
        field("explicit", "true or false", &is_bool)?;
        field("default", "true or false", &is_bool)?;
        field("format", "`simple` or `flat`", &|v| {
            matches!(v.as_str(), Some("simple" | "flat"))
        })?;
        field("authenticate", "`auto`, `always` or `never`", &|v| {
            matches!(v.as_str(), Some("auto" | "always" | "never"))
        })?;
        field("publish-url", "an absolute URL", &|v| {
            v.as_str()
                .is_some_and(|u| pep508_rs::VerbatimUrl::parse_url(u).is_ok())
        })?;
        // A folder is a `url` too; what names a scheme must be a URL.
        field("url", "a folder or an absolute URL", &|v| {
            v.as_str().is_some_and(|u| {
                !u.is_empty()
                    && (!u.contains("://") || pep508_rs::VerbatimUrl::parse_url(u).is_ok())
            })
        })?;
        field(
            "cache-control",
            "a table whose `api` and `files` are strings",
            &|v| {
                v.as_table().is_some_and(|t| {
                    ["api", "files"]
                        .iter()
                        .all(|k| t.get(*k).is_none_or(|x| x.as_str().is_some()))
                })
            },
        )?;
        field(
            "ignore-error-codes",
            "a list of HTTP status codes (100 to 999)",
            &|v| {
                v.as_array().is_some_and(|codes| {
                    codes.iter().all(|c| {
                        c.get_ref()
                            .as_integer()
                            .and_then(|i| i64::from_str_radix(i.as_str(), i.radix()).ok())
                            .is_some_and(|i| (100..=999).contains(&i))
                    })
                })
            },
        )?;
        field(
            "name",
            "an index name (ASCII letters, digits, `-`, `_` and `.`)",
            &|v| v.as_str().is_some_and(is_index_name),
        )?;
        if table.get("explicit").and_then(NodeExt::as_bool) == Some(true)
            && table.get("name").is_none()
        {
            return Err(wrong(
                index,
                "a [[tool.uv.index]] with `explicit = true` has no `name`",
                &format!("name the index: sources pin packages to it by name {UV_REFUSES}"),
            ));
        }
        if table.get("url").is_none() {
            return Err(wrong(
                index,
                "a [[tool.uv.index]] has no `url`",
                &format!("add the index's `url` {UV_REFUSES}"),
            ));
        }
        if let Some(name) = table.get("name").and_then(NodeExt::as_str)
            && !names.insert(name)
        {
            return Err(wrong(
                index,
                &format!("a second [[tool.uv.index]] is named `{name}`"),
                &format!("give each index its own name {UV_REFUSES}"),
            ));
        }
        if table.get("default").and_then(NodeExt::as_bool) == Some(true) {
            if default_seen {
                return Err(wrong(
                    index,
                    "a second [[tool.uv.index]] has `default = true`",
                    &format!("mark one index as the default at most {UV_REFUSES}"),
                ));
            }
            default_seen = true;
        }
    }
    Ok(())
}

/// `[tool.uv] conflicts` as uv reads it: a list of sets, each a list of at least two tables,
/// each naming a `package`, an `extra` or a `group` (valid names; not both `extra` and
/// `group`), with no other key, and at least two of them different once names are normalised
/// and a missing `package` is the project itself (`own`). Errors: `wrong`'s.
fn check_conflicts(
    node: Option<&Node>,
    own: Option<&str>,
    wrong: &dyn Fn(&Node, &str, &str) -> anyhow::Error,
) -> anyhow::Result<()> {
    let Some(node) = node else {
        return Ok(());
    };
    let fix = format!(
        "write sets such as `conflicts = [[{{ extra = \"cpu\" }}, {{ extra = \"gpu\" }}]]` {UV_REFUSES}"
    );
    let Some(sets) = node.as_array() else {
        return Err(wrong(
            node,
            "`[tool.uv] conflicts` must be a list of sets",
            &fix,
        ));
    };
    for set in sets {
        let Some(items) = set.as_array() else {
            return Err(wrong(
                set,
                "a set of `[tool.uv] conflicts` must be a list",
                &fix,
            ));
        };
        if items.len() < 2 {
            return Err(wrong(
                set,
                "a set of `[tool.uv] conflicts` needs at least two entries",
                &fix,
            ));
        }
        // uv compares the entries normalised, a missing `package` being the project itself.
        let mut distinct = BTreeSet::new();
        for item in items {
            let Some(table) = item.as_table() else {
                return Err(wrong(
                    item,
                    "an entry of `[tool.uv] conflicts` is no table",
                    &fix,
                ));
            };
            for (key, value) in table.iter() {
                let key = key.get_ref().as_ref();
                if !matches!(key, "package" | "extra" | "group") {
                    return Err(wrong(
                        value,
                        &format!("an entry of `[tool.uv] conflicts` has `{key}`"),
                        &fix,
                    ));
                }
                if !value.as_str().is_some_and(is_valid_name) {
                    return Err(wrong(
                        value,
                        &format!("`{key}` of a `[tool.uv] conflicts` entry is not a valid name"),
                        &fix,
                    ));
                }
            }
            if table.get("extra").is_some() && table.get("group").is_some() {
                return Err(wrong(
                    item,
                    "an entry of `[tool.uv] conflicts` has both `extra` and `group`",
                    &fix,
                ));
            }
            if table.is_empty() {
                return Err(wrong(
                    item,
                    "an entry of `[tool.uv] conflicts` names no `package`, `extra` or `group`",
                    &fix,
                ));
            }
            let name = |key: &str| item.get(key).and_then(NodeExt::as_str).map(normalize);
            distinct.insert((
                name("package").or(own.map(str::to_string)),
                name("extra"),
                name("group"),
            ));
        }
        if distinct.len() < 2 {
            return Err(wrong(
                set,
                "a set of `[tool.uv] conflicts` needs at least two different entries (names \
                 compared normalised)",
                &fix,
            ));
        }
    }
    Ok(())
}

/// `[tool.uv.dependency-groups]` as uv reads it: a table of tables, each with an optional
/// `requires-python` that is a PEP 440 specifier set, each named after a group of
/// `[dependency-groups]` (normalised) unless uv does not manage the project. Errors:
/// `wrong`'s.
fn check_group_settings(
    node: Option<&Node>,
    groups: Option<&Node>,
    unmanaged: bool,
    wrong: &dyn Fn(&Node, &str, &str) -> anyhow::Error,
) -> anyhow::Result<()> {
    let Some(node) = node else {
        return Ok(());
    };
    let fix = format!(
        "write e.g. `[tool.uv.dependency-groups]` `dev = {{ requires-python = \">=3.11\" }}` {UV_REFUSES}"
    );
    let Some(table) = node.as_table() else {
        return Err(wrong(
            node,
            "`[tool.uv.dependency-groups]` must be a table",
            &fix,
        ));
    };
    let known = group_names(groups);
    for (group, _, settings) in entries(table) {
        if settings.as_table().is_none() {
            return Err(wrong(
                settings,
                &format!("`[tool.uv.dependency-groups] {group}` must be a table"),
                &fix,
            ));
        }
        if let Some(rp) = settings.get("requires-python") {
            let valid = rp
                .as_str()
                .is_some_and(|s| pep440_rs::VersionSpecifiers::from_str(s).is_ok());
            if !valid {
                return Err(wrong(
                    rp,
                    &format!(
                        "`requires-python` of [tool.uv.dependency-groups] {group} is no PEP 440 \
                         specifier set"
                    ),
                    &fix,
                ));
            }
        }
        if !unmanaged && !known.contains(&normalize(group)) {
            return Err(wrong(
                settings,
                &format!(
                    "[tool.uv.dependency-groups] names `{group}`, which is no group of \
                     [dependency-groups]"
                ),
                &format!("add the group to [dependency-groups], or drop its settings {UV_REFUSES}"),
            ));
        }
    }
    Ok(())
}

/// uv's fixes of common mistakes in requirements ([`parse_requirement`]): pattern and
/// replacement, in uv's order. Fixed patterns (`every_fix_of_uv_compiles` checks them); one
/// that failed to compile would be skipped.
static FIXES: std::sync::LazyLock<[(Option<regex::Regex>, &str); 7]> =
    std::sync::LazyLock::new(|| {
        let re = |r: &str| regex::Regex::new(r).ok();
        [
            (re(r"(\d)([<>=~^!])"), "$1,$2"),
            (re(r"!=~((?:\d\.)*\d)"), "!=${1}.*"),
            (re(r"(<=|>=|<|>)(\d+(\.\d+)*)\.\*"), "${1}${2}"),
            (re(r"(\d\.\d)+\*"), "${1}.*"),
            (re(r",\s*$"), ""),
            (re(r">dev"), ">0.0.0dev"),
            (re(r"(\d+(\.\d)*(a|b|rc|post|dev)\d+)\.0"), "${1}"),
        ]
    });

/// One requirement string, read as uv 0.13 reads it: PEP 508 (`pep508_rs`), and when that
/// fails, again after fixes of common mistakes. In `[project] dependencies` and
/// `optional-dependencies` (`lenient`) these are the fixes uv applies there, in uv's order,
/// each kept for the next (uv's `LenientRequirement`, `uv-pypi-types`): a missing comma
/// between two specifiers (`>=7.2.0<8.0.0`), `!=~5.0` for `!=5.0.*`, a `.*` after `<`, `<=`,
/// `>` or `>=` (dropped), `!=3.0*` for `!=3.0.*`, a trailing comma, `>dev` for `>0.0.0dev`, a `.0` after a pre-, post- or dev-release number, quotes
/// before the marker; each fixed string read strictly (below). In `[dependency-groups]` uv
/// reads strictly only: its parser, unlike `pep508_rs`'s, takes one trailing comma after a
/// version specifier (`b>=1,`, `b>=1, ; marker`, `b (>=1,)`, not `b,`), and refuses a URL
/// followed by `;` without a space (`uv lock` by hand on each). Errors: the message of the
/// first parse; a name ending in `.`, `_` or `-` is refused before `pep508_rs` sees it (its 0.9
/// parser panics on `a_ >=1`).
fn parse_requirement(
    text: &str,
    lenient: bool,
) -> Result<pep508_rs::Requirement<pep508_rs::VerbatimUrl>, String> {
    let first = match strict(text) {
        Ok(requirement) => return Ok(requirement),
        Err(e) => e,
    };
    if !lenient {
        return Err(first);
    }
    let mut patched = text.to_string();
    for step in 0..=FIXES.len() {
        let next = match FIXES.get(step) {
            Some((Some(re), with)) => re.replace_all(&patched, *with).into_owned(),
            Some((None, _)) => continue,
            None => unquote(&patched),
        };
        if next != patched {
            if let Ok(requirement) = strict(&next) {
                return Ok(requirement);
            }
            patched = next;
        }
    }
    Err(first)
}

/// uv's last fix: quotes before the marker dropped (`>= '2.7'`, `numpy'`).
fn unquote(input: &str) -> String {
    let quotes = |s: &str| s.replace(['\'', '"'], "");
    match input.find(';') {
        Some(marker) => format!("{}{}", quotes(&input[..marker]), &input[marker..]),
        None => quotes(input),
    }
}

/// A version specifier followed by one trailing comma before the end, a marker or `)`.
static SPECIFIER_COMMA: std::sync::LazyLock<Option<regex::Regex>> =
    std::sync::LazyLock::new(|| {
        regex::Regex::new(r"((?:[<>=!~]=?|===)\s*[A-Za-z0-9.*+!_-]+)\s*,(\s*)(;|\)|$)").ok()
    });

/// A requirement as uv's own parser reads it: [`pep508`], also with one trailing comma after
/// a version specifier; a URL followed by `;` without a space refused (uv reads the `;` as
/// part of the URL).
fn strict(text: &str) -> Result<pep508_rs::Requirement<pep508_rs::VerbatimUrl>, String> {
    let url = direct_reference(text);
    if let Some(after) = url
        && let Some(i) = after.find(';')
        && !after[..i].ends_with(char::is_whitespace)
        && after[..i].contains("://")
    {
        return Err(
            "a URL must be followed by a space before the `;` of its marker (PEP 508)".into(),
        );
    }
    if let Some(after) = url
        && after.contains("://")
        && after
            .split(';')
            .next()
            .is_some_and(|url| url.trim_end().ends_with(','))
    {
        return Err("a URL does not end with a `,` (uv reads it as part of the URL)".into());
    }
    // `file:` then a relative path (`b @ file:../b`): uv has no folder to resolve it against
    // ("relative path without a working directory", uv 0.13); `file:/...`, `file:///...` and
    // uv's `file:///${PROJECT_ROOT}/...` (or `file:${PROJECT_ROOT}/...`) it reads.
    if let Some(after) = url
        && let Some(path) = after.trim_start().strip_prefix("file:")
        && !path.starts_with('/')
        && !path.starts_with("${PROJECT_ROOT}")
    {
        let path = path.split([' ', '\t', ';']).next().unwrap_or(path);
        return Err(format!(
            "a `file:` URL needs an absolute path, and `{path}` is relative (uv refuses it: \
             \"relative path without a working directory\"); write \
             `file:///${{PROJECT_ROOT}}/...` for a folder of the workspace"
        ));
    }
    // A `file:` URL whose path climbs above `/` (`file:/../b`, `file:///../b`): uv cannot
    // normalise it ("path could not be normalized: /../b").
    if let Some(after) = url
        && let Some(rest) = after.trim_start().strip_prefix("file:")
    {
        let rest = rest.split([' ', '\t', ';']).next().unwrap_or(rest);
        // `//host/path`: the path starts at the host's end.
        let path = match rest.strip_prefix("//") {
            Some(host_and_path) => host_and_path.find('/').map_or("", |i| &host_and_path[i..]),
            None => rest,
        };
        let mut depth = 0usize;
        for part in path.split('/') {
            match part {
                "" | "." => {}
                ".." if depth == 0 => {
                    return Err(format!(
                        "the `file:` URL's path `{path}` climbs above `/` (uv refuses it: \
                         \"path could not be normalized\")"
                    ));
                }
                ".." => depth -= 1,
                _ => depth += 1,
            }
        }
    }
    let first = match pep508(text) {
        Ok(requirement) => return with_archive_url(requirement),
        Err(e) => e,
    };
    match SPECIFIER_COMMA.as_ref() {
        Some(re) if re.is_match(text) => pep508(&re.replace(text, "$1$2$3"))
            .map_err(|_| first)
            .and_then(with_archive_url),
        _ => Err(first),
    }
}

/// The archive names uv takes at the end of a direct URL: a wheel, or a source distribution
/// (its `SourceDistExtension`), compared case by case as uv does.
const ARCHIVES: [&str; 13] = [
    ".whl",
    ".zip",
    ".tar.gz",
    ".tgz",
    ".tar.bz2",
    ".tbz",
    ".tar.xz",
    ".txz",
    ".tar.lz",
    ".tlz",
    ".tar.lzma",
    ".tar.zst",
    ".tar",
];

/// The last component of a URL's `path`, and whether it names a wheel or source archive
/// ([`ARCHIVES`]).
fn archive_name(path: &str) -> (&str, bool) {
    let last = path.rsplit('/').next().unwrap_or_default();
    (last, ARCHIVES.iter().any(|a| last.ends_with(a)))
}

/// Why uv refuses `url` as a direct reference (`name @ URL`), if it does: an `http(s)` URL
/// must name a wheel or source archive ([`ARCHIVES`]; a path ending in `.git` is a Git
/// repository), a `file` URL with an extension that names none either, unless it is a folder
/// (uv 0.13: "Expected direct URL (...) to end in a supported file extension").
fn archive_url_refused(scheme: &str, path: &str) -> Option<String> {
    let (last, archive) = archive_name(path);
    let refused = match scheme {
        "http" | "https" => !archive && !path.ends_with(".git"),
        "file" => {
            last.trim_start_matches('.').contains('.')
                && !archive
                && !std::path::Path::new(path).is_dir()
        }
        _ => false,
    };
    refused.then(|| {
        format!(
            "a {scheme} URL must name a wheel or a source archive ({}), not `{last}`",
            ARCHIVES.join(", ")
        )
    })
}

/// Why uv 0.13 fails to lower a requirement through the source table `entry`, though it reads
/// the file: `workspace = false` ("`workspace = false` is not yet supported"), a `url` that is
/// a Git URL (`git+...`, which belongs in `git`) or names no wheel or source archive
/// ([`ARCHIVES`], whatever the scheme: "Expected direct URL (...) to end in a supported file
/// extension").
fn lowering_refusal(entry: &Node) -> Option<String> {
    if entry.get("workspace").and_then(NodeExt::as_bool) == Some(false) {
        return Some("is `workspace = false`, which uv does not support yet".to_string());
    }
    let text = entry.get("url").and_then(NodeExt::as_str)?;
    let url = pep508_rs::VerbatimUrl::parse_url(text).ok()?;
    if url.scheme().starts_with("git+") {
        return Some(format!(
            "has `url = {text:?}`, a Git URL (write it as `git = ...`)"
        ));
    }
    let (_, archive) = archive_name(url.path());
    (!archive).then(|| {
        format!(
            "has `url = {text:?}`, which names no wheel or source archive ({})",
            ARCHIVES.join(", ")
        )
    })
}

/// Why a version is past uv's numbers: `pep440_rs` takes any `u64`, uv one less (2^64 - 1 is
/// its own marker for "none"; "expected number less than or equal to 18446744073709551614").
const TOO_LARGE: &str = "a number of the version is 18446744073709551615, which uv refuses (its \
                         largest is 18446744073709551614)";

/// A PEP 440 version as uv reads it: `pep440_rs`'s, within uv's numbers ([`past_uv_limit`]).
/// Errors: the parser's message, or [`TOO_LARGE`].
fn uv_version(text: &str) -> Result<pep440_rs::Version, String> {
    let version = pep440_rs::Version::from_str(text).map_err(|e| e.to_string())?;
    if past_uv_limit(&version) {
        return Err(TOO_LARGE.to_string());
    }
    Ok(version)
}

/// A PEP 440 specifier set (`requires-python`) as uv reads it: `pep440_rs`'s, each version
/// within uv's numbers ([`past_uv_limit`]). Errors: the parser's message, or [`TOO_LARGE`].
pub(crate) fn uv_specifiers(text: &str) -> Result<pep440_rs::VersionSpecifiers, String> {
    let specifiers = pep440_rs::VersionSpecifiers::from_str(text).map_err(|e| e.to_string())?;
    if specifiers.iter().any(|s| past_uv_limit(s.version())) {
        return Err(TOO_LARGE.to_string());
    }
    Ok(specifiers)
}

/// Whether `v` has an epoch, release, pre-, post- or dev-release number uv refuses
/// ([`TOO_LARGE`]; a local segment may be that large).
fn past_uv_limit(v: &pep440_rs::Version) -> bool {
    let numbers = [v.epoch()]
        .into_iter()
        .chain(v.release().iter().copied())
        .chain(v.pre().map(|p| p.number))
        .chain(v.post())
        .chain(v.dev());
    numbers.into_iter().any(|n| n == u64::MAX)
}

/// `requirement`, unless its direct URL is one uv refuses ([`archive_url_refused`]) or a
/// version of its specifiers is past uv's numbers ([`past_uv_limit`]).
fn with_archive_url(
    requirement: pep508_rs::Requirement<pep508_rs::VerbatimUrl>,
) -> Result<pep508_rs::Requirement<pep508_rs::VerbatimUrl>, String> {
    if let Some(pep508_rs::VersionOrUrl::VersionSpecifier(specifiers)) = &requirement.version_or_url
        && specifiers.iter().any(|s| past_uv_limit(s.version()))
    {
        return Err(TOO_LARGE.to_string());
    }
    if let Some(pep508_rs::VersionOrUrl::Url(url)) = &requirement.version_or_url
        && let Some(why) = archive_url_refused(url.scheme(), url.path())
    {
        return Err(why);
    }
    Ok(requirement)
}

/// What follows the `@` of a direct reference (`name [extras] @ URL ...`), or `None` when the
/// requirement has none (an `@` in a quoted marker value is no direct reference).
fn direct_reference(text: &str) -> Option<&str> {
    let rest = text.trim_start();
    let name_end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        .unwrap_or(rest.len());
    let mut rest = rest[name_end..].trim_start();
    if let Some(extras) = rest.strip_prefix('[') {
        rest = extras.split_once(']')?.1.trim_start();
    }
    rest.strip_prefix('@')
}

/// `pep508_rs`'s parse of `text`, with a name that ends in `.`, `_` or `-` refused first (its
/// 0.9 parser panics on one followed by anything: `a_ >=1`, `9_]`).
fn pep508(text: &str) -> Result<pep508_rs::Requirement<pep508_rs::VerbatimUrl>, String> {
    let trimmed = text.trim_start();
    let name_end = trimmed
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        .unwrap_or(trimmed.len());
    let name = &trimmed[..name_end];
    if name.ends_with(['.', '_', '-']) {
        return Err(format!(
            "`{name}` is not a valid distribution name: a name ends with an ASCII letter or digit"
        ));
    }
    // The same for an extra (`a[x-]`: `pep508_rs` 0.9 panics on it too).
    if let Some(extras) = trimmed[name_end..].trim_start().strip_prefix('[') {
        let extras = extras.split(']').next().unwrap_or(extras);
        for extra in extras.split(',').map(str::trim) {
            // The name `pep508_rs` reads: the run of name characters (`0-` of `a[0- '`).
            let run = extra
                .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
                .map_or(extra, |end| &extra[..end]);
            if run.ends_with(['.', '_', '-']) {
                return Err(format!(
                    "`{run}` is not a valid extra name: a name ends with an ASCII letter or digit"
                ));
            }
        }
    }
    pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(&without_pep751_markers(text))
        .map_err(|e| e.message.to_string())
}

/// `'dev' in dependency_groups` and `'cli' in extras` (PEP 751's markers, which uv reads and
/// `pep508_rs` 0.9 does not), and their `not in`: each becomes its own `platform_release`
/// comparison with a value no platform has, so the text parses, and such a condition is
/// neither true nor false for the rules, as an unknown platform's would be. Used wherever a
/// marker is parsed ([`marker`], [`pep508`]).
static PEP751_MARKER: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r#"(?:'([^']*)'|"([^"]*)")\s+(not\s+in|in)\s+(extras|dependency_groups)\b"#)
        .ok()
});

fn without_pep751_markers(text: &str) -> std::borrow::Cow<'_, str> {
    // Most requirements have neither word: no regex is built for them.
    if !text.contains("extras") && !text.contains("dependency_groups") {
        return text.into();
    }
    let Some(re) = PEP751_MARKER.as_ref() else {
        return text.into();
    };
    re.replace_all(text, |c: &regex::Captures| {
        let value = c.get(1).or(c.get(2)).map_or("", |m| m.as_str());
        let op = if c[3].starts_with("not") { "!=" } else { "==" };
        format!("platform_release {op} 'pep751:{}:{value}'", &c[4])
    })
}

/// A PEP 508 marker as uv reads it (with PEP 751's `extras` and `dependency_groups`,
/// [`without_pep751_markers`]). Errors: `pep508_rs`'s message.
/// Whether the requirement `text` is a direct reference to a local path (`name @ file:...`,
/// PEP 508's `urlspec` with a `file:` URL).
pub(crate) fn is_local_reference(text: &str) -> bool {
    direct_reference(text.split(';').next().unwrap_or(text))
        .is_some_and(|url| url.trim_start().starts_with("file:"))
}

pub(crate) fn marker(text: &str) -> Result<pep508_rs::MarkerTree, String> {
    pep508_rs::MarkerTree::from_str(&without_pep751_markers(text))
        .map_err(|e| e.message.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fix_of_uv_compiles() {
        assert!(FIXES.iter().all(|(re, _)| re.is_some()));
        assert!(SPECIFIER_COMMA.is_some());
    }

    /// uv's parser (dependency groups, and every fixed string): one trailing comma after a
    /// version specifier, before the end, a marker or `)`; not after a name, extras or a URL;
    /// a URL needs a space before its marker (`uv lock` 0.13.9 by hand on each).
    #[test]
    fn trailing_commas_and_url_markers_as_uv_reads_them() {
        for ok in [
            "b>=1,",
            "b>=1, ; python_version > '3'",
            "b>=1,;python_version>'3'",
            "b (>=1,)",
            "b>=1,<2 ,",
        ] {
            assert!(parse_requirement(ok, false).is_ok(), "{ok}");
        }
        for refused in [
            "b,",
            "b[x],",
            "b ; python_version > '3',",
            "b @ https://example.com/b.whl,",
            "b @ https://example.com/b.whl;python_version>'3'",
            "b>=1,,",
        ] {
            assert!(parse_requirement(refused, false).is_err(), "{refused}");
        }
        // Where uv fixes mistakes first ([project] dependencies): one comma dropped, then read.
        for ok in ["b>=1,,", "b>=1, ,", "b>=1,<2, ,"] {
            assert!(parse_requirement(ok, true).is_ok(), "{ok}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]
        /// No requirement string panics the reader (`pep508_rs` 0.9 did on `a_ >=1` and
        /// `9[0-`): each is a requirement or an error.
        #[test]
        fn no_requirement_string_panics(text in "[aZ09._\\- \\[\\],;<>=!~*'\"()@]{0,16}") {
            let _ = parse_requirement(&text, true);
            let _ = parse_requirement(&text, false);
        }
    }

    /// uv's fixes of common mistakes (uv-pypi-types' `LenientRequirement`), each read as the
    /// requirement uv reads; names ending in `.`, `_` or `-` refused.
    #[test]
    fn requirements_are_read_with_uv_s_fixes() {
        for (written, read) in [
            ("core>=0.1,", "core>=0.1"),
            ("core >=0.1, ", "core>=0.1"),
            ("core>=0.1.*", "core>=0.1"),
            ("core<3.4.*", "core<3.4"),
            ("core (>=7.2.0<8.0.0)", "core>=7.2.0,<8.0.0"),
            ("core (!=~5.0,>=4.12)", "core!=5.0.*,>=4.12"),
            ("core>=2.7,!=3.0*", "core>=2.7,!=3.0.*"),
            ("core>dev", "core>0.0.0.dev0"),
            ("core>=9.0.0a1.0", "core>=9.0.0a1"),
            ("core>=3.6'", "core>=3.6"),
            (
                "'core' >=1.19; python_version >= '3.7'",
                "core>=1.19; python_full_version >= '3.7'",
            ),
        ] {
            let want = pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(read).unwrap();
            assert_eq!(parse_requirement(written, true).unwrap(), want, "{written}");
        }
        // In a dependency group uv fixes only a trailing comma.
        assert_eq!(
            parse_requirement("core>=0.1, ", false).unwrap(),
            pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str("core>=0.1").unwrap()
        );
        for refused in ["core>=0.1.*", "core (>=0.1<1.0)", "core>=0.1'"] {
            assert!(parse_requirement(refused, false).is_err(), "{refused}");
        }
        for bad in [
            "Core_ >=0.1",
            "a_>=1",
            "core_[x]",
            "a. ; python_version > '3'",
            "a-",
        ] {
            let e = parse_requirement(bad, true).unwrap_err();
            assert!(e.contains("not a valid distribution name"), "{bad}: {e}");
        }
        for bad in ["9[0-", "a[x_]", "a[ok, x. ]"] {
            let e = parse_requirement(bad, true).unwrap_err();
            assert!(e.contains("not a valid extra name"), "{bad}: {e}");
        }
        assert!(parse_requirement("core ===", true).is_err());
    }

    #[test]
    fn a_table_is_at_its_header_line_not_the_one_before() {
        for (text, line) in [
            ("[project]\nname = \"a\"\nversion = \"0.1.0\"\n", 1),
            ("# c\n\n[project]\nname = \"a\"\nversion = \"0.1.0\"\n", 3),
            ("project = { name = \"a\", version = \"0.1.0\" }\n", 1),
            (
                "[a]\nx = 1\n[project]\nname = \"a\"\nversion = \"0.1.0\"\n",
                3,
            ),
            (
                "# c\n[a]\nx = 1\n\n[project]\n\nname = \"a\"\nversion = \"0.1.0\"\n",
                5,
            ),
            (
                "# c\nproject.name = \"a\"\nproject.version = \"0.1.0\"\n[a]\nx = 1\n",
                2,
            ),
            (
                "[build-system]\nrequires = []\n[project]\nname = \"a\"\nversion = \"0.1.0\"\n[tool.x]\ny = 1\n",
                3,
            ),
        ] {
            let p = parse("pyproject.toml", text.to_string()).unwrap();
            assert_eq!(p.project_line, Some(line), "{text:?}");
        }
        let uv = parse(
            "pyproject.toml",
            "[tool.uv.workspace]\nmembers = [\"a\"]\n".to_string(),
        )
        .unwrap();
        assert_eq!(uv.uv_workspace.unwrap().line, 1);
    }

    /// Dependency groups and sources uv refuses (uv 0.13, `uv lock` by hand on each) are an
    /// error at the offending value.
    #[test]
    fn groups_and_sources_uv_refuses_are_errors_at_their_place() {
        for (body, at, what) in [
            (
                "[dependency-groups]\ndev = [{include-group = 3}]\n",
                ":2:25:",
                "`include-group` must be",
            ),
            (
                "[dependency-groups]\ndev = [{include-group = \"nope\"}]\n",
                ":2:25:",
                "names `nope`",
            ),
            (
                "[dependency-groups]\ndev = [{include-group = \"Dev\"}]\n",
                ":2:25:",
                "`dev` includes itself",
            ),
            (
                "[dependency-groups]\nx = [{include-group = \"y\"}]\ny = [\"a\", {include-group = \"x\"}]\n",
                ":",
                "includes itself",
            ),
            (
                "[tool.uv]\nsources = 5\n",
                ":2:11:",
                "must be a table of sources",
            ),
            (
                "[tool.uv.sources]\ncore = \"x\"\n",
                ":2:8:",
                "`core` is no source table",
            ),
            (
                "[tool.uv.sources]\ncore = [1]\n",
                ":2:8:",
                "`core` is no source table",
            ),
            (
                "[tool.uv.sources]\ncore = []\n",
                ":2:8:",
                "`core` is no source table",
            ),
        ] {
            let text = format!("[project]\nname = \"a\"\nversion = \"0.1.0\"\n{body}");
            let err = parse("pyproject.toml", text.clone())
                .unwrap_err()
                .to_string();
            let at = if at == ":" {
                ":".to_string()
            } else {
                // Lines of `body` start after the three `[project]` lines.
                let mut parts = at.trim_matches(':').split(':');
                let line: usize = parts.next().unwrap().parse().unwrap();
                format!(":{}:{}:", line + 3, parts.next().unwrap())
            };
            assert!(
                err.contains(&format!("pyproject.toml{at}")),
                "{body}: {err}"
            );
            assert!(err.contains(what), "{body}: {err}");
        }
        // What uv accepts stays accepted.
        let fine = "[project]\nname = \"a\"\nversion = \"0.1.0\"\n[dependency-groups]\nlint = [\"ruff\"]\ndev = [{include-group = \"Lint\"}]\n[tool.uv.sources]\nb = [{ path = \"../b\", marker = \"sys_platform == 'linux'\" }]\n";
        assert!(parse("pyproject.toml", fine.to_string()).is_ok());
    }

    #[test]
    fn uv_workspace_globs_must_be_lists_of_strings() {
        let err = parse("pyproject.toml", "[tool.uv]\nworkspace = 5\n".to_string())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("pyproject.toml:2:13: `[tool.uv.workspace]` must be a table"),
            "{err}"
        );
        assert!(crate::init::uv::read("[tool.uv]\nworkspace = 5\n").is_err());
        for (body, at) in [
            ("[tool.uv.workspace]\nmembers = \"a/*\"\n", ":2:"),
            (
                "[tool.uv.workspace]\nmembers = [\"a/*\"]\nexclude = [\"b\", 1]\n",
                ":3:",
            ),
        ] {
            let err = parse("pyproject.toml", body.to_string())
                .unwrap_err()
                .to_string();
            assert!(err.contains(&format!("pyproject.toml{at}")), "{err}");
            assert!(err.contains("is not a list of strings"), "{err}");
            assert!(
                crate::init::uv::read(body).is_err(),
                "init reads it the same way"
            );
        }
    }

    #[test]
    fn names_are_normalised_as_pep_503_says() {
        for (raw, want) in [
            ("Citychain_DAGs", "citychain-dags"),
            ("a.-_b", "a-b"),
            ("foo", "foo"),
            ("Foo__Bar", "foo-bar"),
        ] {
            assert_eq!(normalize(raw), want, "{raw}");
        }
    }

    proptest::proptest! {
        /// Against uv's own normalisation (`pep508_rs::PackageName`), for valid names and for
        /// names that are normal already (the fast path), and idempotent.
        #[test]
        fn normalize_agrees_with_pep508_rs(name in "[A-Za-z0-9]([A-Za-z0-9._-]{0,12}[A-Za-z0-9])?") {
            let uv = pep508_rs::PackageName::from_str(&name).unwrap();
            proptest::prop_assert_eq!(normalize(&name), uv.as_ref());
            proptest::prop_assert_eq!(normalize(uv.as_ref()), uv.as_ref());
        }
    }

    #[test]
    fn reads_project_groups_sources_and_lines() {
        let text = "[build-system]\nbuild-backend = \"maturin\"\n\n\
                    [project]\nname = \"Citychain_DAGs\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n\
                    dependencies = [\n  \"ca-py>=0.1\",\n  \"numpy[extra1]; python_version >= '3.11'\",\n]\n\n\
                    [project.optional-dependencies]\ncli = [\"Click>=8\"]\n\n\
                    [dependency-groups]\ndev = [\"pytest>=8\", {include-group = \"lint\"}]\nlint = [\"ruff\"]\n\n\
                    [tool.uv.sources]\nca-py = { workspace = true }\n\n\
                    [tool.maturin]\nmodule-name = \"dag_py\"\n";
        let p = parse("DAGs/python/x/pyproject.toml", text.to_string()).unwrap();
        assert_eq!(p.distribution().as_deref(), Some("citychain-dags"));
        assert_eq!(p.project_line, Some(4));
        assert_eq!(p.requires_python.as_ref().unwrap().line, 7);
        let got: Vec<(&str, &Declared, usize)> = p
            .requirements
            .iter()
            .map(|r| (r.name.as_str(), &r.declared, r.line))
            .collect();
        assert_eq!(
            got,
            [
                ("ca-py", &Declared::Project, 9),
                ("numpy", &Declared::Project, 10),
                ("click", &Declared::Extra("cli".into()), 14),
                ("pytest", &Declared::Group("dev".into()), 17),
                ("ruff", &Declared::Group("lint".into()), 18),
            ]
        );
        assert_eq!(p.requirements[1].extras, ["extra1"]);
        assert_eq!(
            p.requirements[1].marker.as_deref(),
            Some("python_version >= '3.11'")
        );
        assert!(p.sources["ca-py"].workspace);
        assert_eq!(p.sources["ca-py"].line, 21);
        assert!(p.is_maturin());
        assert_eq!(p.maturin_module.as_ref().unwrap().value, "dag_py");
        assert_eq!(p.dir(), "DAGs/python/x");
    }

    #[test]
    fn bad_input_names_file_and_line() {
        let err = parse(
            "a/pyproject.toml",
            "[project]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\n  \"ok\",\n  \"bad name ===\",\n]\n"
                .to_string(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("a/pyproject.toml:6:3: invalid requirement `bad name ===`"),
            "{err}"
        );
        let err = parse("b/pyproject.toml", "[project]\nname = 3\n".to_string())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("b/pyproject.toml:2:8:"), "{err}");
        let err = parse("c/pyproject.toml", "[project\n".to_string())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("c/pyproject.toml:1:"), "{err}");
    }

    #[test]
    fn uv_workspace_members_and_exclude() {
        let p = parse(
            "pyproject.toml",
            "[tool.uv.workspace]\nmembers = [\"*/python/*\"]\nexclude = [\"x/python/old\"]\n"
                .to_string(),
        )
        .unwrap();
        let w = p.uv_workspace.unwrap();
        assert_eq!(w.members, ["*/python/*"]);
        assert_eq!(w.exclude, ["x/python/old"]);
        assert_eq!(w.line, 1);
        assert!(p.name.is_none());
    }
}
