//! Reading a workspace's manifests straight from disk, without cargo.
//!
//! `lint-deps` must run on every commit of a 5,000-crate monorepo, so it never calls
//! `cargo metadata`: it finds the root manifest, expands `workspace.members`/`exclude` the way
//! cargo does (`members`), adds path dependencies inside the root (cargo makes those
//! members too), and parses every member's `Cargo.toml` in parallel into span-keeping
//! [`toml::de::DeTable`]s, so findings can point at a line and column.
//!
//! The rules only read, so they get `toml`'s light parse tree (strings borrow from the text;
//! about half the memory of a `toml_edit` document and twice as fast to build), kept next to
//! its text in one [`Manifest`]. `--fix` edits with `toml_edit` ([`crate::lint::fix`]).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::config::line_col;
use crate::errors::UserError;
pub use crate::model::relpath::{join, normalize_rel, parent_dir, relative_path};

/// A TOML table as parsed: keys and values keep their spans, strings borrow from the text.
pub type Table<'a> = DeTable<'a>;
/// A TOML value with its span in the text.
pub type Node<'a> = Spanned<DeValue<'a>>;

type Root<'a> = Spanned<DeTable<'a>>;

self_cell::self_cell!(
    /// A TOML text and its parse tree, which borrows from it.
    struct Parsed {
        owner: String,
        #[covariant]
        dependent: Root,
    }
    impl {Debug}
);

/// Reading a [`Node`] like a `toml_edit::Item`: `None` when it is not of that type.
pub trait NodeExt<'a> {
    /// The entry `key` of a table (inline or not).
    fn get(&self, key: &str) -> Option<&Node<'a>>;
    fn as_str(&self) -> Option<&str>;
    fn as_bool(&self) -> Option<bool>;
    fn as_table(&self) -> Option<&Table<'a>>;
    fn as_array(&self) -> Option<&[Node<'a>]>;
}

impl<'a> NodeExt<'a> for Node<'a> {
    fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.as_table()?.get(key)
    }

    fn as_str(&self) -> Option<&str> {
        self.get_ref().as_str()
    }

    fn as_bool(&self) -> Option<bool> {
        self.get_ref().as_bool()
    }

    fn as_table(&self) -> Option<&Table<'a>> {
        self.get_ref().as_table()
    }

    fn as_array(&self) -> Option<&[Node<'a>]> {
        self.get_ref().as_array().map(|a| &a[..])
    }
}

/// A table's entries in the order they appear in the file, with each key's span. (The map's own
/// order is insertion order or key order depending on `toml`'s `preserve_order` feature, which
/// another dependency may turn on; the spans decide either way.)
pub fn entries<'t, 'a>(table: &'t Table<'a>) -> Vec<(&'t str, Range<usize>, &'t Node<'a>)> {
    let mut out: Vec<_> = table
        .iter()
        .map(|(k, v)| (k.get_ref().as_ref(), k.span(), v))
        .collect();
    out.sort_by_key(|(_, span, _)| span.start);
    out
}

/// One parsed manifest (or other TOML file) of the workspace.
#[derive(Debug)]
pub struct Manifest {
    /// Path relative to the workspace root, with `/` (`DAGs/rust/x/Cargo.toml`).
    pub path: String,
    /// Directory relative to the workspace root, with `/`; empty for the root.
    pub dir: String,
    doc: Parsed,
}

impl Manifest {
    /// The text of the file.
    pub fn text(&self) -> &str {
        self.doc.borrow_owner()
    }

    /// The top-level table.
    pub fn root(&self) -> &Table<'_> {
        self.doc.borrow_dependent().get_ref()
    }

    /// The text a value was written as (without the spacing and comments around it).
    pub fn raw(&self, node: &Node) -> &str {
        self.text().get(node.span()).unwrap_or_default()
    }

    /// A value as written inline (`"MIT"`, `["a"]`, `{ ... }`), without the spacing and
    /// comments around it; `None` for a table of its own (`[a.b]`) or dotted keys (`b.c = 1`).
    pub fn inline(&self, node: &Node) -> Option<&str> {
        let raw = self.raw(node);
        (node.as_table().is_none() || raw.starts_with('{')).then_some(raw)
    }

    /// `package.name`, when the manifest has a `[package]`.
    pub fn package_name(&self) -> Option<&str> {
        self.root()
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(NodeExt::as_str)
    }
}

/// Read and parse a TOML file, turning a syntax error into `file:line:col: message` (exit 2).
pub fn read_manifest(root_dir: &Path, rel: &str) -> anyhow::Result<Manifest> {
    let full = root_dir.join(rel);
    let text = std::fs::read_to_string(&full).map_err(|e| {
        UserError::new(
            format!("failed to read {rel}: {e}"),
            "check that the file exists and is readable",
        )
    })?;
    parse_text(rel, text)
}

/// Parse a TOML text, turning a syntax error into `file:line:col: message` (exit 2).
pub fn parse_text(rel: &str, text: String) -> anyhow::Result<Manifest> {
    match Parsed::try_new_or_recover(text, |t| DeTable::parse(t)) {
        Ok(doc) => Ok(Manifest {
            path: rel.to_string(),
            dir: parent_dir(rel),
            doc,
        }),
        Err((text, e)) => {
            let (line, col) = e.span().map(|s| line_col(&text, s.start)).unwrap_or((1, 1));
            let message = e.message().trim().to_string();
            Err(UserError::new(
                format!("{rel}:{line}:{col}: invalid TOML: {message}"),
                format!("fix the syntax of {rel} at line {line}, column {col}"),
            )
            .into())
        }
    }
}

/// Check the shapes cargo insists on before anything else runs, so that `lint-deps` (which
/// reads manifests itself, without cargo) fails where cargo would instead of linting a
/// manifest cargo rejects: a `[package]` with a string `name`, dependency tables that are
/// tables, and no `optional` in `[workspace.dependencies]`.
pub fn check_shape(m: &Manifest) -> anyhow::Result<()> {
    let rel = m.path.as_str();
    let text = m.text();
    let at = |span: Range<usize>| {
        let (line, col) = crate::config::line_col(text, span.start);
        format!("{rel}:{line}:{col}")
    };
    let root = m.root();
    if let Some(package) = root.get("package") {
        let Some(table) = package.as_table() else {
            return Err(UserError::new(
                format!("{}: `package` must be a table", at(package.span())),
                format!("write the package fields under a `[package]` header in {rel}"),
            )
            .into());
        };
        match table.get("name") {
            None => {
                return Err(UserError::new(
                    format!("{}: [package] has no `name`", at(package.span())),
                    format!("add `name = \"...\"` to [package] in {rel}"),
                )
                .into());
            }
            Some(name) if name.as_str().is_none() => {
                return Err(UserError::new(
                    format!(
                        "{}: `package.name` must be a string, not `{}`",
                        at(name.span()),
                        m.raw(name).trim()
                    ),
                    format!("write the crate's name in quotes: `name = \"...\"` in {rel}"),
                )
                .into());
            }
            Some(_) => {}
        }
    }
    let mut dep_tables: Vec<(&str, &Node)> =
        ["dependencies", "dev-dependencies", "build-dependencies"]
            .iter()
            .filter_map(|k| root.get(*k).map(|i| (*k, i)))
            .collect();
    let workspace_deps = root
        .get("workspace")
        .and_then(NodeExt::as_table)
        .and_then(|w| w.get("dependencies"));
    if let Some(item) = workspace_deps {
        dep_tables.push(("workspace.dependencies", item));
    }
    for (key, item) in &dep_tables {
        if item.as_table().is_none() {
            return Err(UserError::new(
                format!("{}: `{key}` must be a table", at(item.span())),
                format!("list the dependencies under a `[{key}]` header in {rel}"),
            )
            .into());
        }
    }
    if let Some(deps) = workspace_deps.and_then(NodeExt::as_table) {
        for (name, _, spec) in entries(deps) {
            if let Some((key, _)) = spec.as_table().and_then(|t| t.get_key_value("optional")) {
                return Err(UserError::new(
                    format!(
                        "{}: `workspace.dependencies.{name}` sets `optional`, which cargo rejects \
                         in [workspace.dependencies]",
                        at(key.span())
                    ),
                    format!(
                        "remove `optional` from `{name}` in {rel}, and write `optional = true` \
                         next to `{name}.workspace = true` in the members that want it optional"
                    ),
                )
                .into());
            }
        }
    }
    Ok(())
}

/// Which kind of dependency table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DepKind {
    Normal,
    Dev,
    Build,
}

/// The dependency table names cargo reads, with their kind (the `_` spellings are the old,
/// deprecated ones cargo still accepts before edition 2024).
pub const DEP_TABLES: [(&str, DepKind); 5] = [
    ("dependencies", DepKind::Normal),
    ("dev-dependencies", DepKind::Dev),
    ("dev_dependencies", DepKind::Dev),
    ("build-dependencies", DepKind::Build),
    ("build_dependencies", DepKind::Build),
];

/// One dependency entry of a manifest, in any of the six tables.
#[derive(Debug, Clone)]
pub struct DepEntry<'a> {
    pub kind: DepKind,
    /// Table path inside the manifest: `["dependencies"]` or `["target", "cfg(unix)", "dependencies"]`.
    pub table_path: std::sync::Arc<[String]>,
    /// The key (the local name; cargo looks inherited entries up by it).
    pub key: &'a str,
    /// Span of the key, or of the entry when the key has none.
    pub span: Range<usize>,
    pub item: &'a Node<'a>,
    pub spec: DepSpec<'a>,
}

impl DepEntry<'_> {
    /// The table as written in a manifest header: `dependencies`, `target.'cfg(unix)'.dependencies`.
    pub fn table_display(&self) -> String {
        display_table_path(&self.table_path)
    }
}

/// `["target", "cfg(unix)", "dependencies"]` -> `target.'cfg(unix)'.dependencies`.
pub fn display_table_path(path: &[String]) -> String {
    path.iter()
        .map(|p| {
            if p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                p.clone()
            } else {
                format!("'{p}'")
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The parts of a dependency entry the rules look at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepSpec<'a> {
    pub workspace: bool,
    pub version: Option<String>,
    pub path: Option<String>,
    pub git: Option<String>,
    pub branch: Option<String>,
    pub tag: Option<String>,
    pub rev: Option<String>,
    pub registry: Option<String>,
    pub package: Option<String>,
    pub default_features: Option<bool>,
    /// `default_features` (the underscore spelling) was used.
    pub default_features_underscore: bool,
    pub features: Vec<String>,
    pub optional: Option<bool>,
    /// Every key of a table entry, in file order, with its span.
    pub keys: Vec<(&'a str, Range<usize>)>,
}

impl<'a> DepSpec<'a> {
    /// Read an entry: `"1.0"`, `{ ... }`, `[dependencies.x]` or dotted keys.
    pub fn from_item(item: &'a Node<'a>) -> DepSpec<'a> {
        if let Some(v) = item.as_str() {
            return DepSpec {
                version: Some(v.to_string()),
                ..DepSpec::default()
            };
        }
        let Some(t) = item.as_table() else {
            return DepSpec::default();
        };
        Self::from_table(t)
    }

    /// One pass over the entry's keys, in file order.
    fn from_table(t: &'a Table<'a>) -> DepSpec<'a> {
        let mut spec = DepSpec::default();
        let mut dashed = None;
        let mut underscored = None;
        for (k, span, item) in entries(t) {
            let text = || item.as_str().map(str::to_string);
            match k {
                "workspace" => spec.workspace = item.as_bool() == Some(true),
                "version" => spec.version = text(),
                "path" => spec.path = text(),
                "git" => spec.git = text(),
                "branch" => spec.branch = text(),
                "tag" => spec.tag = text(),
                "rev" => spec.rev = text(),
                "registry" => spec.registry = text(),
                "package" => spec.package = text(),
                "default-features" => dashed = item.as_bool(),
                "default_features" => underscored = item.as_bool(),
                "optional" => spec.optional = item.as_bool(),
                "features" => {
                    spec.features = item
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|v| v.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                }
                _ => {}
            }
            spec.keys.push((k, span));
        }
        (spec.default_features, spec.default_features_underscore) = match (dashed, underscored) {
            (Some(v), _) => (Some(v), false),
            (None, Some(v)) => (Some(v), true),
            _ => (None, false),
        };
        spec
    }

    /// The crate's real name: `package` when renamed, else the key.
    pub fn package_name<'s>(&'s self, key: &'s str) -> &'s str {
        self.package.as_deref().unwrap_or(key)
    }
}

/// Every dependency entry of a manifest's top-level table, in file order per table: the five
/// spellings of the three plain tables, then each `[target.'...']` table's.
pub fn dependencies<'a>(root: &'a Table<'a>) -> Vec<DepEntry<'a>> {
    let mut out = Vec::new();
    collect_deps(root, &[], &mut out);
    if let Some(targets) = root.get("target").and_then(NodeExt::as_table) {
        for (cfg, _, t) in entries(targets) {
            if let Some(t) = t.as_table() {
                collect_deps(t, &["target".to_string(), cfg.to_string()], &mut out);
            }
        }
    }
    out
}

fn collect_deps<'a>(parent: &'a Table<'a>, prefix: &[String], out: &mut Vec<DepEntry<'a>>) {
    for (name, kind) in DEP_TABLES {
        let Some(table) = parent.get(name).and_then(NodeExt::as_table) else {
            continue;
        };
        // Shared by the table's entries: one allocation per table, not per dependency.
        let table_path: std::sync::Arc<[String]> =
            prefix.iter().cloned().chain([name.to_string()]).collect();
        for (key, span, item) in entries(table) {
            out.push(DepEntry {
                kind,
                table_path: table_path.clone(),
                key,
                span,
                item,
                spec: DepSpec::from_item(item),
            });
        }
    }
}

/// Root-relative directories of a manifest's path dependencies (direct, or inherited from a
/// root entry with a `path`), in any of the six tables, that are inside the root and not
/// among `known` (most are members already: they are not copied).
fn path_dependencies(
    m: &Manifest,
    ws_deps: &BTreeMap<String, String>,
    known: &BTreeSet<String>,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut scan = |parent: &Table| {
        for (name, _) in DEP_TABLES {
            let Some(table) = parent.get(name).and_then(NodeExt::as_table) else {
                continue;
            };
            for (key, item) in table.iter() {
                if item.get("workspace").and_then(NodeExt::as_bool) == Some(true) {
                    if let Some(p) = ws_deps.get(key.get_ref().as_ref())
                        && !known.contains(p)
                    {
                        out.push(p.clone());
                    }
                } else if let Some(p) = item.get("path").and_then(NodeExt::as_str)
                    && let Some(p) = normalize_rel(&join(&m.dir, p))
                    && !known.contains(&p)
                {
                    out.push(p);
                }
            }
        }
    };
    scan(m.root());
    if let Some(targets) = m.root().get("target").and_then(NodeExt::as_table) {
        for (_, t) in targets.iter() {
            if let Some(t) = t.as_table() {
                scan(t);
            }
        }
    }
    out
}

/// A loaded workspace: the root manifest, its members, and what lies around them.
#[derive(Debug)]
pub struct Workspace {
    /// The workspace root directory (absolute).
    pub root_dir: PathBuf,
    /// The root `Cargo.toml`.
    pub root: Manifest,
    /// Member manifests sorted by path (the root itself when it has a `[package]`).
    pub members: Vec<Manifest>,
    /// Member directories that are checked by the per-member rules: all of them, or those
    /// named on the command line.
    pub selected: BTreeSet<String>,
    /// Whether every member was read and is checked: no MANIFEST arguments, or the root
    /// manifest among them. Workspace-wide rules run only then.
    pub whole: bool,
    /// `Cargo.lock` was among the MANIFEST arguments.
    pub lock_given: bool,
    /// `Cargo.toml` files under the root that are neither members, excluded, nor in a nested
    /// workspace (only known when the whole tree was walked).
    /// Each as (path, its `package.name`).
    pub orphans: Option<Vec<(String, Option<String>)>>,
    /// `Cargo.lock`, when present.
    pub lock: Option<crate::model::lockfile::Lockfile>,
    /// `pyproject.toml` texts of members that have one, by member directory.
    pub pyprojects: BTreeMap<String, Manifest>,
    /// For those members, the library's source (`[lib] path`, else `src/lib.rs`), `None`
    /// when there is none: `pyo3-layout` reads the `#[pymodule]` name from it.
    pub lib_sources: BTreeMap<String, Option<String>>,
    /// `workspace.members` patterns and `workspace.exclude` entries.
    pub member_patterns: Vec<String>,
    pub exclude: Vec<String>,
    /// How long each loading phase took (printed with `-v`).
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

impl Workspace {
    /// The member whose directory is `dir`.
    pub fn member(&self, dir: &str) -> Option<&Manifest> {
        self.members
            .binary_search_by(|m| m.dir.as_str().cmp(dir))
            .ok()
            .map(|i| &self.members[i])
    }

    /// Members the per-member rules look at.
    pub fn selected_members(&self) -> impl Iterator<Item = &Manifest> {
        self.members
            .iter()
            .filter(|m| self.selected.contains(&m.dir))
    }

    /// A whole workspace from texts, without touching the file system: the root manifest and
    /// `(path, text)` member manifests (paths relative to the root, ending in `Cargo.toml`; a
    /// root `[package]` is not added as a member).
    /// For property tests and fuzzing of the rules and fixes; [`load`] is the real loader.
    pub fn from_texts(root: &str, members: &[(&str, &str)]) -> anyhow::Result<Workspace> {
        let root = parse_text("Cargo.toml", root.to_string())?;
        let mut parsed = members
            .iter()
            .map(|(path, text)| parse_text(path, text.to_string()))
            .collect::<anyhow::Result<Vec<Manifest>>>()?;
        parsed.sort_by(|a, b| a.dir.cmp(&b.dir));
        Ok(Workspace {
            root_dir: PathBuf::new(),
            root,
            selected: parsed.iter().map(|m| m.dir.clone()).collect(),
            member_patterns: parsed.iter().map(|m| m.dir.clone()).collect(),
            members: parsed,
            whole: true,
            lock_given: false,
            orphans: None,
            lock: None,
            pyprojects: BTreeMap::new(),
            lib_sources: BTreeMap::new(),
            exclude: Vec::new(),
            timings: Vec::new(),
        })
    }

    /// Every file a finding may point at, by relative path.
    pub fn files(&self) -> BTreeMap<&str, &str> {
        let mut files: BTreeMap<&str, &str> = BTreeMap::new();
        files.insert(&self.root.path, self.root.text());
        for m in &self.members {
            files.insert(&m.path, m.text());
        }
        if let Some(lock) = &self.lock {
            files.insert(&lock.path, &lock.text);
        }
        for p in self.pyprojects.values() {
            files.insert(&p.path, p.text());
        }
        files
    }
}

/// `[workspace.package]` keys cargo lets members inherit.
pub const INHERITABLE_PACKAGE_FIELDS: [&str; 16] = [
    "authors",
    "categories",
    "description",
    "documentation",
    "edition",
    "exclude",
    "homepage",
    "include",
    "keywords",
    "license",
    "license-file",
    "publish",
    "readme",
    "repository",
    "rust-version",
    "version",
];

/// Options for [`load`].
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `--manifest-path`, else the current directory's workspace.
    pub manifest_path: Option<PathBuf>,
    /// MANIFEST arguments: only these members are checked by the per-member rules.
    pub only: Vec<PathBuf>,
    /// Walk the whole tree to find orphan manifests.
    pub find_orphans: bool,
}

/// Find the workspace root manifest: `--manifest-path` (a root or a member manifest) or the
/// current directory, then upwards to the first `Cargo.toml` with a `[workspace]` table.
pub fn find_root(manifest_path: Option<&Path>) -> anyhow::Result<PathBuf> {
    find_root_manifest(manifest_path).map(|(dir, _)| dir)
}

/// [`find_root`], with the root manifest it parsed on the way (as `Cargo.toml`).
pub fn find_root_manifest(manifest_path: Option<&Path>) -> anyhow::Result<(PathBuf, Manifest)> {
    let start = match manifest_path {
        Some(p) => {
            if !p.is_file() {
                return Err(UserError::new(
                    format!("manifest path `{}` does not exist", p.display()),
                    "pass the workspace's root Cargo.toml to --manifest-path",
                )
                .into());
            }
            let abs = std::path::absolute(p)?;
            abs.parent().map(Path::to_path_buf).unwrap_or(abs)
        }
        None => std::env::current_dir()?,
    };
    let mut dir = Some(start.as_path());
    while let Some(d) = dir {
        let candidate = d.join("Cargo.toml");
        if let Ok(text) = std::fs::read_to_string(&candidate)
            && text.contains("workspace")
        {
            // A manifest that does not parse may be the root: say where it is broken rather
            // than "no workspace" (cargo stops at it too).
            let shown = candidate.display().to_string();
            let mut manifest = parse_text(&shown, text)?;
            if manifest.root().contains_key("workspace") {
                manifest.path = "Cargo.toml".to_string();
                manifest.dir = String::new();
                return Ok((d.to_path_buf(), manifest));
            }
        }
        dir = d.parent();
    }
    Err(UserError::new(
        format!(
            "could not find a cargo workspace in `{}` or above",
            start.display()
        ),
        "run inside a workspace or pass --manifest-path to its root Cargo.toml",
    )
    .into())
}

fn string_array(table: &Table, key: &str) -> Vec<String> {
    table
        .get(key)
        .and_then(NodeExt::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Directories never walked: build output, VCS and tool caches.
fn skip_dir(name: &str) -> bool {
    name.starts_with('.') || matches!(name, "target" | "node_modules" | "__pycache__")
}

/// Manifest directories without those [`walk`] does not enter: build output, VCS and tool
/// caches ([`skip_dir`]), and a crate's `src/`.
fn without_skipped(dirs: Vec<String>) -> Vec<String> {
    let all: BTreeSet<&str> = dirs.iter().map(String::as_str).collect();
    let keep = |dir: &str| {
        let parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
        let crate_src = |i: usize| parts[i] == "src" && all.contains(parts[..i].join("/").as_str());
        !(0..parts.len()).any(|i| skip_dir(parts[i]) || crate_src(i))
    };
    dirs.iter().filter(|d| keep(d)).cloned().collect()
}

/// Whether the symlink `link` in directory `dir` points at `dir` or one of its ancestors.
fn loops_back(dir: &Path, link: &Path) -> bool {
    match (std::fs::canonicalize(link), std::fs::canonicalize(dir)) {
        (Ok(target), Ok(here)) => here.starts_with(target),
        _ => true,
    }
}

/// A directory holding a `Cargo.toml`, found by [`walk`].
#[derive(Debug)]
pub(crate) struct Found {
    /// Relative to the root, with `/`.
    pub dir: String,
    /// Whether it may hold a `pyproject.toml` too: `false` only when it was listed and has none.
    pub pyproject: bool,
    /// With `read`: its `Cargo.toml`, parsed and shape-checked (the error matters only if the
    /// directory turns out to be a member); `None` when it could not be read.
    pub manifest: Option<anyhow::Result<Manifest>>,
    /// With `read`: its `pyproject.toml` when it has one (`Some(None)`: it has none).
    pub pyproject_doc: Option<Option<anyhow::Result<Manifest>>>,
    /// A directory a `members` pattern matched that holds no `Cargo.toml` (or does not exist,
    /// for a literal entry): cargo fails to load the workspace when it becomes a member.
    pub missing: bool,
}

/// Read and parse `rel/Cargo.toml` (already read as `text`) and `rel/pyproject.toml` for a
/// walk that reads: all of one crate's work in one parallel task.
fn read_found(root: &Path, rel: &str, text: String, pyproject: bool) -> Found {
    let manifest =
        parse_text(&join(rel, "Cargo.toml"), text).and_then(|m| check_shape(&m).map(|()| m));
    let pyproject_doc = pyproject.then(|| {
        let py = join(rel, "pyproject.toml");
        crate::fsutil::read_small(&root.join(&py))
            .ok()
            .map(|text| parse_text(&py, text))
    });
    Found {
        dir: rel.to_string(),
        pyproject,
        manifest: Some(manifest),
        pyproject_doc: pyproject_doc.or(Some(None)),
        missing: false,
    }
}

/// Directories (relative, `/`) under `rel` down to `depth` levels (unlimited with `None`) that
/// hold a `Cargo.toml`; walked in parallel, following symlinked directories that do not loop
/// back. A crate's `src/` is not entered. With `read`, each `Cargo.toml` is read on the way.
///
/// The last level is not listed: opening (or, without `read`, a `stat` of) its `Cargo.toml`
/// answers. At 500 crates, listing every crate directory cost more than reading the manifests.
pub(crate) fn walk(root: &Path, rel: &str, depth: Option<usize>, read: bool) -> Vec<Found> {
    let abs = root.join(rel);
    let unread = |pyproject: bool| Found {
        dir: rel.to_string(),
        pyproject,
        manifest: None,
        pyproject_doc: None,
        missing: false,
    };
    if depth == Some(0) {
        return candidate(root, rel, read, false);
    }
    let Ok(entries) = std::fs::read_dir(&abs) else {
        return Vec::new();
    };
    let mut has_manifest = false;
    let mut pyproject = false;
    let mut subdirs = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Ok(ft) = entry.file_type() else { continue };
        // A symlinked directory is followed, as cargo's member globs do, unless it leads back
        // to an ancestor (a loop); a dangling link is no directory.
        let is_dir = ft.is_dir()
            || (ft.is_symlink() && entry.path().is_dir() && !loops_back(&abs, &entry.path()));
        if is_dir {
            if !skip_dir(name) {
                subdirs.push(name.to_string());
            }
        } else if name == "Cargo.toml" {
            has_manifest = true;
        } else if name == "pyproject.toml" {
            pyproject = true;
        }
    }
    let mut manifests = Vec::new();
    if has_manifest {
        let text = read
            .then(|| crate::fsutil::read_small(&abs.join("Cargo.toml")).ok())
            .flatten();
        manifests.push(match text {
            Some(text) => read_found(root, rel, text, pyproject),
            None => unread(pyproject),
        });
        subdirs.retain(|d| d != "src");
    }
    let next = depth.map(|d| d - 1);
    let results: Vec<Vec<Found>> = subdirs
        .par_iter()
        .map(|d| walk(root, &join(rel, d), next, read))
        .collect();
    manifests.extend(results.into_iter().flatten());
    manifests
}

/// The directory `rel` as a member candidate, without listing it: opening (or, without `read`,
/// a `stat` of) its `Cargo.toml` answers. With `report_missing`, a directory without one (or,
/// for a literal `members` entry, no directory at all) comes back as [`Found::missing`].
fn candidate(root: &Path, rel: &str, read: bool, report_missing: bool) -> Vec<Found> {
    let abs = root.join(rel);
    let manifest = abs.join("Cargo.toml");
    let unread = |missing: bool| Found {
        dir: rel.to_string(),
        pyproject: true,
        manifest: None,
        pyproject_doc: None,
        missing,
    };
    if read {
        match crate::fsutil::read_small(&manifest) {
            Ok(text) => return vec![read_found(root, rel, text, true)],
            // Missing (or a directory): not a crate, unless it is a dangling link, below.
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::IsADirectory
                ) => {}
            // Unreadable: a crate; reading it again reports why.
            Err(_) => return vec![unread(false)],
        }
    }
    // Any entry named Cargo.toml that is not a directory counts, as in a listing (a dangling
    // link then fails to read, loudly, as it does for cargo).
    match std::fs::symlink_metadata(manifest) {
        Ok(meta) if !meta.is_dir() => vec![unread(false)],
        // Cargo keeps only the directories a pattern matches; a literal entry naming nothing
        // is kept and fails to load.
        _ if report_missing && (abs.is_dir() || !abs.exists()) => vec![unread(true)],
        _ => Vec::new(),
    }
}

/// One component of a `members` pattern, matched against a directory name.
enum Component {
    Literal(String),
    Glob(globset::GlobMatcher),
}

impl Component {
    fn new(part: &str) -> Result<Component, globset::Error> {
        if !crate::members::is_glob(part) {
            return Ok(Component::Literal(part.to_string()));
        }
        Ok(Component::Glob(
            globset::GlobBuilder::new(part)
                .literal_separator(true)
                .backslash_escape(true)
                .build()?
                .compile_matcher(),
        ))
    }

    fn matches(&self, name: &str) -> bool {
        match self {
            Component::Literal(l) => l == name,
            Component::Glob(g) => g.is_match(name),
        }
    }
}

/// The directories one `members` pattern reaches, as cargo's glob finds them: component by
/// component, every directory whose name matches (hidden ones, `target/` and a crate's `src/`
/// included, as cargo's `glob` includes them), following symlinked directories. Each match
/// is a [`candidate`]: read, or reported [`Found::missing`].
///
/// A pattern with `**` is walked without bound by [`walk`], which skips hidden and build
/// directories (see `docs/lint-deps.md`, "Members").
pub(crate) fn walk_pattern(root: &Path, pattern: &str, read: bool) -> anyhow::Result<Vec<Found>> {
    let norm = crate::members::normalize(pattern);
    let parts: Vec<&str> = norm.split('/').filter(|p| !p.is_empty()).collect();
    let first_glob = parts
        .iter()
        .position(|p| crate::members::is_glob(p))
        .unwrap_or(parts.len());
    let prefix = parts[..first_glob].join("/");
    let rest = &parts[first_glob..];
    if rest.contains(&"**") {
        return Ok(walk(root, &prefix, None, read));
    }
    let components = rest
        .iter()
        .map(|c| Component::new(c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            UserError::new(
                format!("Cargo.toml: invalid `workspace.members` pattern `{pattern}`: {e}"),
                "fix the pattern in [workspace] members",
            )
        })?;
    let (found, any) = descend(root, &prefix, &components, read);
    if !any {
        // Cargo keeps a pattern that matches nothing as a path of its own, and then fails to
        // read `<pattern>/Cargo.toml`.
        return Ok(vec![Found {
            dir: norm,
            pyproject: false,
            manifest: None,
            pyproject_doc: None,
            missing: true,
        }]);
    }
    Ok(found)
}

/// [`walk_pattern`]'s matches under `rel` for the components `rest`, and whether any path
/// matched at all (cargo's glob also yields files, which it then drops; a pattern that
/// yields nothing is an error).
fn descend(root: &Path, rel: &str, rest: &[Component], read: bool) -> (Vec<Found>, bool) {
    let Some((first, rest)) = rest.split_first() else {
        return (candidate(root, rel, read, true), true);
    };
    let Ok(entries) = std::fs::read_dir(root.join(rel)) else {
        return (Vec::new(), false);
    };
    let mut any = false;
    let mut subdirs = Vec::new();
    for entry in entries.flatten() {
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if !first.matches(&name) {
            continue;
        }
        any |= rest.is_empty();
        let is_dir = entry
            .file_type()
            .is_ok_and(|ft| ft.is_dir() || (ft.is_symlink() && entry.path().is_dir()));
        if is_dir {
            subdirs.push(name);
        }
    }
    let found: Vec<(Vec<Found>, bool)> = subdirs
        .par_iter()
        .map(|d| descend(root, &join(rel, d), rest, read))
        .collect();
    let mut out = Vec::new();
    for (f, a) in found {
        out.extend(f);
        any |= a;
    }
    (out, any)
}

/// Cargo's member expansion ([`crate::members::expand`]), with each glob matched only
/// against the directories under its literal prefix (500 patterns x 5,000 directories would
/// otherwise dominate the run).
fn expand_members(
    patterns: &[String],
    exclude: &[String],
    manifest_dirs: &BTreeSet<String>,
) -> anyhow::Result<BTreeSet<String>> {
    let invalid = |e: globset::Error| {
        UserError::new(
            format!("Cargo.toml: invalid `workspace.members` pattern: {e}"),
            "fix the pattern in [workspace] members",
        )
    };
    let none = BTreeSet::new();
    let literal: Vec<String> = patterns
        .iter()
        .filter(|p| !crate::members::is_glob(p))
        .cloned()
        .collect();
    let (mut out, _) =
        crate::members::expand(&literal, exclude, manifest_dirs, &none).map_err(invalid)?;
    for p in patterns.iter().filter(|p| crate::members::is_glob(p)) {
        let (prefix, _) = walk_plan(p);
        let under: BTreeSet<String> = if prefix.is_empty() {
            manifest_dirs.clone()
        } else {
            let start = format!("{prefix}/");
            manifest_dirs
                .range(start.clone()..)
                .take_while(|d| d.starts_with(&start))
                .cloned()
                .collect()
        };
        let (m, _) = crate::members::expand(std::slice::from_ref(p), exclude, &under, &none)
            .map_err(invalid)?;
        out.extend(m);
    }
    Ok(out)
}

/// What the MANIFEST arguments name.
struct Given {
    /// Directories (root-relative) of the `Cargo.toml` / `pyproject.toml` files given; `""`
    /// for the root manifest.
    dirs: BTreeSet<String>,
    /// The root `Cargo.lock` was given.
    lock: bool,
}

fn given_dirs(root_dir: &Path, only: &[PathBuf]) -> Given {
    let canon_root = root_dir.canonicalize().unwrap_or(root_dir.to_path_buf());
    let mut given = Given {
        dirs: BTreeSet::new(),
        lock: false,
    };
    for p in only {
        let Ok(abs) = std::path::absolute(p) else {
            continue;
        };
        let abs = abs.canonicalize().unwrap_or(abs);
        // A directory stands for its Cargo.toml.
        let abs = if abs.is_dir() {
            abs.join("Cargo.toml")
        } else {
            abs
        };
        let Some(name) = abs.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(dir) = abs.parent().and_then(|d| d.strip_prefix(&canon_root).ok()) else {
            continue;
        };
        let Some(dir) = dir.to_str().map(|d| d.replace('\\', "/")) else {
            continue;
        };
        match name {
            // The root's pyproject.toml is the Python project's, not a crate's.
            "pyproject.toml" if dir.is_empty() => {}
            "Cargo.toml" | "pyproject.toml" => {
                given.dirs.insert(dir);
            }
            "Cargo.lock" if dir.is_empty() => given.lock = true,
            _ => {}
        }
    }
    given
}

/// For a `members` pattern, the literal directory to start walking from and how deep to go.
fn walk_plan(pattern: &str) -> (String, Option<usize>) {
    let norm = crate::members::normalize(pattern);
    let parts: Vec<&str> = norm.split('/').collect();
    let first_glob = parts
        .iter()
        .position(|p| crate::members::is_glob(p))
        .unwrap_or(parts.len());
    let prefix = parts[..first_glob].join("/");
    let rest = &parts[first_glob..];
    let depth = if rest.contains(&"**") {
        None
    } else {
        Some(rest.len())
    };
    (prefix, depth)
}

/// Load the workspace: root, members (globs, excludes, path dependencies), lockfile,
/// pyprojects, and, with `find_orphans`, the manifests no one claims.
pub fn load(opts: &LoadOptions) -> anyhow::Result<Workspace> {
    let mut timings = Vec::new();
    let mut clock = std::time::Instant::now();
    let mut lap = |name: &'static str| {
        timings.push((name, clock.elapsed()));
        clock = std::time::Instant::now();
    };
    let (root_dir, root) = find_root_manifest(opts.manifest_path.as_deref())?;
    check_shape(&root)?;
    lap("find and parse the root");
    let ws_table = root.root().get("workspace").and_then(NodeExt::as_table);
    let patterns = ws_table
        .map(|t| string_array(t, "members"))
        .unwrap_or_default();
    let exclude = ws_table
        .map(|t| string_array(t, "exclude"))
        .unwrap_or_default();
    // Root-relative paths of `[workspace.dependencies]` path entries, by key.
    let ws_deps: BTreeMap<String, String> = ws_table
        .and_then(|t| t.get("dependencies"))
        .and_then(NodeExt::as_table)
        .map(|t| {
            t.iter()
                .filter_map(|(k, v)| {
                    let path = v.get("path").and_then(NodeExt::as_str)?;
                    Some((k.get_ref().to_string(), normalize_rel(path)?))
                })
                .collect()
        })
        .unwrap_or_default();
    let excluded = |dir: &str| {
        exclude.iter().any(|e| {
            let e = crate::members::normalize(e);
            e.is_empty() || dir == e || dir.starts_with(&format!("{e}/"))
        })
    };

    // MANIFEST arguments: member directories, and whether the root manifest or the lockfile
    // is among them. The root manifest means "everything may have changed": a whole run.
    let given = given_dirs(&root_dir, &opts.only);
    let lock_given = given.lock;
    let whole = opts.only.is_empty() || given.dirs.contains("");
    let find_orphans = opts.find_orphans || (whole && !opts.only.is_empty());

    // Which directories hold a manifest: the whole tree when looking for orphans, where the
    // member globs can reach for a whole run, else only the given directories.
    // Directories known to hold no pyproject.toml (from a walk) are not probed again. The
    // walk reads every manifest it finds on the way (in parallel), so members are not opened
    // twice.
    let mut no_pyproject: BTreeSet<String> = BTreeSet::new();
    let mut read: BTreeMap<String, anyhow::Result<Manifest>> = BTreeMap::new();
    let mut read_py: BTreeMap<String, Option<anyhow::Result<Manifest>>> = BTreeMap::new();
    let mut missing: BTreeSet<String> = BTreeSet::new();
    let mut record = |found: Vec<Found>| -> BTreeSet<String> {
        found
            .into_iter()
            .map(|f| {
                if !f.pyproject {
                    no_pyproject.insert(f.dir.clone());
                }
                if let Some(m) = f.manifest {
                    read.insert(f.dir.clone(), m);
                }
                if let Some(py) = f.pyproject_doc {
                    read_py.insert(f.dir.clone(), py);
                }
                if f.missing {
                    missing.insert(f.dir.clone());
                }
                f.dir
            })
            .collect()
    };
    // Cargo.lock is read and scanned while the members are walked (or on its own, below).
    let read_lock = || -> anyhow::Result<Option<crate::model::lockfile::Lockfile>> {
        let Some(text) = crate::fsutil::read_optional(&root_dir.join("Cargo.lock"))? else {
            return Ok(None);
        };
        Ok(Some(crate::model::lockfile::Lockfile {
            path: "Cargo.lock".to_string(),
            packages: crate::model::lockfile::parse("Cargo.lock", &text)?,
            text,
        }))
    };
    let mut lock = None;
    let manifest_dirs: BTreeSet<String> = if whole || find_orphans {
        // Each member pattern is walked from its literal prefix, all of them in parallel; a
        // literal pattern is a walk of depth 0 (its own directory). For orphans, every
        // manifest git tracks under the root is a candidate too (the tree is walked only
        // outside git, or when git cannot answer).
        let walk_members = || -> anyhow::Result<Vec<Found>> {
            Ok(patterns
                .par_iter()
                .map(|p| walk_pattern(&root_dir, p, true))
                .collect::<anyhow::Result<Vec<_>>>()?
                .into_iter()
                .flatten()
                .collect())
        };
        let list_tracked = || find_orphans.then(|| crate::git::tracked_manifest_dirs(&root_dir));
        let ((found, tracked), read) =
            rayon::join(|| rayon::join(walk_members, list_tracked), read_lock);
        lock = Some(read);
        let mut dirs = record(found?);
        match tracked {
            None => {}
            Some(Some(tracked)) => dirs.extend(without_skipped(tracked)),
            Some(None) => dirs.extend(record(walk(&root_dir, "", None, false))),
        }
        lap("walk, read and parse the members; scan Cargo.lock");
        dirs
    } else {
        given
            .dirs
            .iter()
            .filter(|d| root_dir.join(d).join("Cargo.toml").is_file())
            .cloned()
            .collect()
    };
    let mut member_dirs = expand_members(&patterns, &exclude, &manifest_dirs)?;
    if let Some(dir) = member_dirs.iter().find(|d| missing.contains(*d)) {
        return Err(missing_member(&root, &patterns, dir).into());
    }
    if !whole {
        // Cargo also makes path dependencies members; without reading every member, the
        // ones declared in the root's [workspace.dependencies] are the ones we can know.
        member_dirs.extend(
            manifest_dirs
                .iter()
                .filter(|d| ws_deps.values().any(|p| p == *d) && !excluded(d))
                .cloned(),
        );
    }
    if root.root().contains_key("package") && (whole || given.dirs.contains("")) {
        member_dirs.insert(String::new());
    }
    lap("discover members");

    // Parse the members the walk did not (the root, path dependencies, MANIFEST arguments) in
    // parallel; in a whole run, add path dependencies inside the root, as cargo does, until
    // nothing new turns up.
    let mut members: BTreeMap<String, Manifest> = BTreeMap::new();
    let mut pending: Vec<(String, Option<anyhow::Result<Manifest>>)> = member_dirs
        .iter()
        .map(|d| (d.clone(), read.remove(d)))
        .collect();
    drop(read);
    while !pending.is_empty() {
        let parsed: Vec<anyhow::Result<(Manifest, Vec<String>)>> = std::mem::take(&mut pending)
            .into_par_iter()
            .map(|(dir, read)| {
                let m = match read {
                    _ if dir.is_empty() => parse_text(&root.path, root.text().to_string())?,
                    Some(m) => m?,
                    None => {
                        let m = read_manifest(&root_dir, &join(&dir, "Cargo.toml"))?;
                        check_shape(&m)?;
                        m
                    }
                };
                let targets = if whole {
                    path_dependencies(&m, &ws_deps, &member_dirs)
                } else {
                    Vec::new()
                };
                Ok((m, targets))
            })
            .collect();
        let mut next = BTreeSet::new();
        for parsed in parsed {
            let (m, targets) = parsed?;
            nested_root(&m)?;
            inherited_fields(&m, &root)?;
            // `path_dependencies` left out the members already known.
            for t in targets {
                if !excluded(&t) && root_dir.join(&t).join("Cargo.toml").is_file() {
                    next.insert(t);
                }
            }
            members.insert(m.dir.clone(), m);
        }
        member_dirs.extend(next.iter().cloned());
        pending = next.into_iter().map(|d| (d, None)).collect();
    }
    let lock = match lock {
        Some(read) => read?,
        None => read_lock()?,
    };
    let members: Vec<Manifest> = members.into_values().collect();
    if whole {
        unique_names(&members)?;
    }
    lap("parse the members the walk did not");

    let selected: BTreeSet<String> = if opts.only.is_empty() || whole {
        member_dirs.clone()
    } else {
        given
            .dirs
            .iter()
            .filter(|d| member_dirs.contains(*d))
            .cloned()
            .collect()
    };
    let orphans = if find_orphans {
        Some(find_orphans_in(
            &root_dir,
            &manifest_dirs,
            &member_dirs,
            &exclude,
        ))
    } else {
        None
    };
    lap("find orphans");
    // pyproject.toml files the walk read are taken as they are; the others are read now.
    let wanted: Vec<&String> = members
        .iter()
        .map(|m| &m.dir)
        .filter(|d| selected.contains(*d) && !no_pyproject.contains(*d))
        .collect();
    let mut pyprojects: BTreeMap<String, Manifest> = BTreeMap::new();
    let mut unread: Vec<&String> = Vec::new();
    for dir in wanted {
        match read_py.remove(dir) {
            Some(Some(doc)) => {
                pyprojects.insert(dir.clone(), doc?);
            }
            Some(None) => {}
            None => unread.push(dir),
        }
    }
    drop(read_py);
    let more: Vec<(String, Manifest)> = unread
        .par_iter()
        .filter_map(|dir| {
            let rel = join(dir, "pyproject.toml");
            let text = std::fs::read_to_string(root_dir.join(&rel)).ok()?;
            Some(parse_text(&rel, text).map(|p| ((*dir).clone(), p)))
        })
        .collect::<anyhow::Result<_>>()?;
    pyprojects.extend(more);
    let lib_sources = pyprojects
        .par_iter()
        .filter_map(|(dir, _)| {
            let m = members.binary_search_by(|m| m.dir.cmp(dir)).ok()?;
            let lib = members[m]
                .root()
                .get("lib")
                .and_then(|l| l.get("path"))
                .and_then(NodeExt::as_str)
                .unwrap_or("src/lib.rs");
            let text = std::fs::read_to_string(root_dir.join(join(dir, lib))).ok();
            Some((dir.clone(), text))
        })
        .collect();
    lap("read pyprojects");
    Ok(Workspace {
        root_dir,
        root,
        members,
        selected,
        whole,
        lock_given,
        orphans,
        lock,
        pyprojects,
        lib_sources,
        member_patterns: patterns,
        exclude,
        timings,
    })
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
fn unique_names(members: &[Manifest]) -> anyhow::Result<()> {
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
/// workspace member"), pointing at the `members` entry that matched it.
fn missing_member(root: &Manifest, patterns: &[String], dir: &str) -> UserError {
    let one = BTreeSet::from([dir.to_string()]);
    let pattern = patterns
        .iter()
        .find(|p| {
            crate::members::expand(std::slice::from_ref(p), &[], &one, &BTreeSet::new())
                .is_ok_and(|(m, _)| m.contains(dir))
        })
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
    if crate::members::is_glob(dir) {
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

/// Manifests under the root that belong to no workspace: not members, not under an `exclude`
/// entry, not a nested workspace root (or inside one), not pointing elsewhere with
/// `package.workspace`.
fn find_orphans_in(
    root_dir: &Path,
    manifest_dirs: &BTreeSet<String>,
    member_dirs: &BTreeSet<String>,
    exclude: &[String],
) -> Vec<(String, Option<String>)> {
    let exclude: Vec<String> = exclude
        .iter()
        .map(|e| crate::members::normalize(e))
        .collect();
    let under = |dir: &str, prefix: &str| {
        prefix.is_empty() || dir == prefix || dir.starts_with(&format!("{prefix}/"))
    };
    let candidates: Vec<&String> = manifest_dirs
        .iter()
        .filter(|d| !d.is_empty() && !member_dirs.contains(*d))
        .filter(|d| !exclude.iter().any(|e| under(d, e)))
        .collect();
    // Nested workspaces own everything under them.
    // A candidate git lists but the working tree no longer holds is none.
    let info: Vec<(String, bool, bool, Option<String>)> = candidates
        .par_iter()
        .filter_map(|d| {
            let text = std::fs::read_to_string(root_dir.join(d).join("Cargo.toml")).ok()?;
            let doc = DeTable::parse(&text).ok();
            let is_ws = doc
                .as_ref()
                .is_some_and(|doc| doc.get_ref().contains_key("workspace"));
            let points_elsewhere = doc.as_ref().is_some_and(|doc| {
                doc.get_ref()
                    .get("package")
                    .and_then(|p| p.get("workspace"))
                    .is_some()
            });
            let name = doc.as_ref().and_then(|doc| {
                let name = doc.get_ref().get("package")?.get_ref().get("name")?;
                name.as_str().map(str::to_string)
            });
            Some(((*d).clone(), is_ws, points_elsewhere, name))
        })
        .collect();
    let nested: Vec<&String> = info.iter().filter(|i| i.1).map(|i| &i.0).collect();
    let orphans: Vec<(&String, &Option<String>)> = info
        .iter()
        .filter(|(d, is_ws, elsewhere, _)| {
            !is_ws && !elsewhere && !nested.iter().any(|n| under(d, n))
        })
        .map(|(d, _, _, name)| (d, name))
        .collect();
    // The target of a member reached through a symlinked directory (`packages/shared ->
    // ../vendor/shared-src` under `packages/*`) is that member: cargo accepts the workspace,
    // and listing the target in `members` too makes it fail ("two packages named `shared`").
    // Members are resolved only when there is a candidate, which is rare.
    let canonical = |d: &str| std::fs::canonicalize(root_dir.join(d)).ok();
    let targets: BTreeSet<PathBuf> = if orphans.is_empty() {
        BTreeSet::new()
    } else {
        member_dirs
            .par_iter()
            .filter_map(|d| canonical(d))
            .collect()
    };
    orphans
        .into_iter()
        .filter(|(d, _)| canonical(d).is_none_or(|c| !targets.contains(&c)))
        .map(|(d, name)| (join(d, "Cargo.toml"), name.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(text: &str) -> Result<(), String> {
        let m = parse_text("x/Cargo.toml", text.to_string()).map_err(|e| e.to_string())?;
        check_shape(&m).map_err(|e| e.to_string())
    }

    #[test]
    fn shapes_cargo_rejects_are_errors_with_their_line() {
        assert_eq!(
            shape("[package]\nname = \"x\"\n[dependencies]\na = \"1\"\n"),
            Ok(())
        );
        assert_eq!(shape("[workspace]\nmembers = []\n"), Ok(()));
        let err = shape("[package]\nversion = \"1\"\nname = 5\n").unwrap_err();
        assert!(
            err.starts_with("x/Cargo.toml:3:8: `package.name` must be a string"),
            "{err}"
        );
        let err = shape("[package]\nversion = \"1\"\n").unwrap_err();
        assert!(err.contains("[package] has no `name`"), "{err}");
        let err = shape("package = 1\n").unwrap_err();
        assert!(err.contains("`package` must be a table"), "{err}");
        let err = shape("dev-dependencies = []\n[package]\nname = \"x\"\n").unwrap_err();
        assert!(err.starts_with("x/Cargo.toml:1:"), "{err}");
        let err = shape(
            "[workspace.dependencies]\na = \"1\"\nb = { version = \"1\", optional = true }\n",
        )
        .unwrap_err();
        assert!(err.starts_with("x/Cargo.toml:3:"), "{err}");
        assert!(
            err.contains("`workspace.dependencies.b` sets `optional`"),
            "{err}"
        );
    }

    #[test]
    fn paths_normalize_and_relativize() {
        assert_eq!(normalize_rel("a/b/../c").as_deref(), Some("a/c"));
        assert_eq!(normalize_rel("a/../../x"), None);
        assert_eq!(normalize_rel("./a/./b/").as_deref(), Some("a/b"));
        assert_eq!(relative_path("a/b", "a/c/d"), "../c/d");
        assert_eq!(relative_path("", "libs/x"), "libs/x");
        assert_eq!(relative_path("a", "a"), ".");
    }

    #[test]
    fn walk_plan_stops_at_the_glob_depth() {
        assert_eq!(walk_plan("DAGs/rust/*"), ("DAGs/rust".into(), Some(1)));
        assert_eq!(walk_plan("crates/**"), ("crates".into(), None));
        assert_eq!(walk_plan("tools/x"), ("tools/x".into(), Some(0)));
    }

    #[test]
    fn reads_all_six_tables_and_every_key_form() {
        let text = r#"
[package]
name = "x"
[dependencies]
serde.workspace = true
tokio = { workspace = true, features = ["rt"] }
anyhow = "1"
[dependencies.log]
workspace = true
optional = true
[dev-dependencies]
insta = "1"
[build-dependencies]
cc = { version = "1", default-features = false }
[target.'cfg(unix)'.dependencies]
libc = { workspace = true, version = "0.2" }
[target.'cfg(unix)'.dev-dependencies]
nix = "0.29"
[target.'cfg(unix)'.build-dependencies]
pkg-config = "0.3"
"#;
        let m = parse_text("x/Cargo.toml", text.to_string()).unwrap();
        let deps = dependencies(m.root());
        let keys: Vec<(&str, bool)> = deps.iter().map(|d| (d.key, d.spec.workspace)).collect();
        assert_eq!(
            keys,
            vec![
                ("serde", true),
                ("tokio", true),
                ("anyhow", false),
                ("log", true),
                ("insta", false),
                ("cc", false),
                ("libc", true),
                ("nix", false),
                ("pkg-config", false),
            ]
        );
        assert_eq!(deps[3].spec.optional, Some(true));
        assert_eq!(deps[5].spec.default_features, Some(false));
        assert_eq!(deps[6].table_display(), "target.'cfg(unix)'.dependencies");
        assert_eq!(deps[6].spec.version.as_deref(), Some("0.2"));
        for d in &deps {
            assert_eq!(&text[d.span.clone()], d.key, "span of {}", d.key);
        }
    }

    #[test]
    fn a_syntax_error_names_file_line_and_column() {
        let err = parse_text("a/Cargo.toml", "[package]\nname = \n".into()).unwrap_err();
        assert!(err.to_string().starts_with("a/Cargo.toml:2:"), "{err}");
    }
}
