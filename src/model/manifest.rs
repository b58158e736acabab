//! One manifest (or other TOML file) of the workspace, parsed once: the span-keeping parse
//! tree, the dependency entries the rules read, and the shapes cargo insists on.
//!
//! The rules only read, so they get `toml`'s light parse tree (strings borrow from the text;
//! about half the memory of a `toml_edit` document and twice as fast to build), kept next to
//! its text in one [`Manifest`]. `--fix` edits with `toml_edit` (`lint::fix`).

use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::relpath::parent_dir;
use crate::config::line_col;
use crate::errors::UserError;

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

/// The strings of an array value (`members`, `exclude`, `crate-type`); a missing value, a value
/// that is no array and entries that are no strings give nothing (cargo reports those).
pub fn strings(node: Option<&Node>) -> Vec<String> {
    node.and_then(NodeExt::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
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

    /// The text, the parse tree dropped (a caller that keeps thousands of files keeps only
    /// what it reads again).
    pub fn into_text(self) -> String {
        self.doc.into_owner()
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
/// tables, no `optional = true` or `public = true` in `[workspace.dependencies]`, no package
/// sections in a manifest without `[package]` (and `[workspace]` when there is none),
/// `[workspace]` lists that are lists of strings, a known `resolver`.
///
/// What needs the root's manifest or the file system to judge (inheritance, path
/// dependencies, `package.workspace`) is in `refusals`.
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
            // `optional = false` and `public = false` say nothing new, and cargo accepts them.
            for (flag, what) in [("optional", "optional"), ("public", "public")] {
                let Some((key, value)) = spec.as_table().and_then(|t| t.get_key_value(flag)) else {
                    continue;
                };
                if value.as_bool() == Some(false) {
                    continue;
                }
                let help = if flag == "optional" {
                    format!(
                        "remove `optional` from `{name}` in {rel}, and write `optional = true` \
                         next to `{name}.workspace = true` in the members that want it optional"
                    )
                } else {
                    format!(
                        "remove `public` from `{name}` in {rel}, and write `public = true` next \
                         to `{name}.workspace = true` in the members that re-export it"
                    )
                };
                return Err(UserError::new(
                    format!(
                        "{}: `workspace.dependencies.{name}` sets `{flag}`, which cargo rejects \
                         in [workspace.dependencies] ({name} is {what}, but workspace \
                         dependencies cannot be {what})",
                        at(key.span()),
                    ),
                    help,
                )
                .into());
            }
        }
    }
    check_sections(m)?;
    check_workspace_fields(m)?;
    Ok(())
}

/// A short description of a value's type, in the words of cargo's (serde's) "invalid type"
/// errors: `string "crates/*"`, ``integer `5` ``, `map`, `sequence`.
pub(crate) fn unexpected(m: &Manifest, node: &Node) -> String {
    match node.get_ref() {
        DeValue::String(s) => format!("string {:?}", s.as_ref()),
        DeValue::Integer(_) => format!("integer `{}`", m.raw(node).trim()),
        DeValue::Float(_) => format!("floating point `{}`", m.raw(node).trim()),
        DeValue::Boolean(b) => format!("boolean `{b}`"),
        DeValue::Datetime(_) => "datetime".to_string(),
        DeValue::Array(_) => "sequence".to_string(),
        DeValue::Table(_) => "map".to_string(),
    }
}

/// `file:line:col` of a span.
fn place(m: &Manifest, span: Range<usize>) -> String {
    let (line, col) = line_col(m.text(), span.start);
    format!("{}:{line}:{col}", m.path)
}

/// The sections only a package may have, in the order cargo checks them, with the spellings
/// that stand for each (`dev_dependencies` is reported as `dev-dependencies`).
const PACKAGE_SECTIONS: [(&str, &str); 15] = [
    ("badges", "badges"),
    ("features", "features"),
    ("lib", "lib"),
    ("bin", "bin"),
    ("example", "example"),
    ("test", "test"),
    ("bench", "bench"),
    ("dependencies", "dependencies"),
    ("dev-dependencies", "dev-dependencies"),
    ("dev_dependencies", "dev-dependencies"),
    ("build-dependencies", "build-dependencies"),
    ("build_dependencies", "build-dependencies"),
    ("target", "target"),
    ("lints", "lints"),
    ("hints", "hints"),
];

/// A manifest without `[package]` (or the legacy `[project]`) is virtual: cargo refuses one
/// that declares what only a package has ("this virtual manifest specifies a `dependencies`
/// section, which is not allowed"), and one without `[workspace]` either ("manifest is
/// missing either a `[package]` or a `[workspace]`"): an empty `Cargo.toml` under a member
/// glob, or one holding only `[dependencies]`.
fn check_sections(m: &Manifest) -> anyhow::Result<()> {
    let root = m.root();
    if root.contains_key("package") || root.contains_key("project") {
        return Ok(());
    }
    let rel = &m.path;
    let mut present: Vec<(usize, &str, Range<usize>)> = root
        .iter()
        .filter_map(|(k, _)| {
            let order = PACKAGE_SECTIONS
                .iter()
                .position(|(spelling, _)| *spelling == k.get_ref().as_ref())?;
            Some((order, PACKAGE_SECTIONS[order].1, k.span()))
        })
        .collect();
    present.sort_by_key(|(order, _, _)| *order);
    if let Some((_, section, span)) = present.into_iter().next() {
        return Err(UserError::new(
            format!(
                "{}: {rel} has a [{section}] but no [package]; cargo refuses the workspace \
                 (this virtual manifest specifies a `{section}` section, which is not allowed)",
                place(m, span)
            ),
            format!(
                "add a [package] with a `name` to {rel}, or remove its [{section}] (a folder \
                 that is not a crate belongs out of the `members` globs, or in `exclude`)"
            ),
        )
        .into());
    }
    if !root.contains_key("workspace") {
        return Err(UserError::new(
            format!(
                "{}: {rel} has neither a [package] nor a [workspace]; cargo refuses the \
                 workspace (manifest is missing either a `[package]` or a `[workspace]`)",
                place(m, 0..0)
            ),
            format!(
                "add a [package] with a `name` to {rel}, or remove the file (a folder that is \
                 not a crate belongs out of the `members` globs, or in `exclude`)"
            ),
        )
        .into());
    }
    Ok(())
}

/// The `[workspace]` fields cargo reads with a fixed type (`members`, `exclude` and
/// `default-members` are lists of strings), the `resolver` values it knows (in
/// `[workspace]` and `[package]`), and a root that names another root
/// (`package.workspace` next to `[workspace]`).
fn check_workspace_fields(m: &Manifest) -> anyhow::Result<()> {
    let rel = &m.path;
    let root = m.root();
    let package = root.get("package").and_then(NodeExt::as_table);
    let workspace = root.get("workspace").and_then(NodeExt::as_table);
    let invalid = |node: &Node, expected: &str, help: String| -> anyhow::Error {
        UserError::new(
            format!(
                "{}: invalid type: {}, expected {expected}; cargo refuses the workspace",
                place(m, node.span()),
                unexpected(m, node)
            ),
            format!("{help} in {rel}"),
        )
        .into()
    };
    if let Some(ws) = workspace {
        for field in ["members", "exclude", "default-members"] {
            let Some(list) = ws.get(field) else { continue };
            let Some(items) = list.as_array() else {
                return Err(invalid(
                    list,
                    "a sequence",
                    format!("write `{field}` as a list of paths: `{field} = [\"...\"]`"),
                ));
            };
            if let Some(item) = items.iter().find(|i| i.as_str().is_none()) {
                return Err(invalid(
                    item,
                    "a string",
                    format!("write each `{field}` entry as a quoted path"),
                ));
            }
        }
    }
    for (table, name) in [(workspace, "workspace"), (package, "package")] {
        let Some(resolver) = table.and_then(|t| t.get("resolver")) else {
            continue;
        };
        match resolver.as_str() {
            None => {
                return Err(invalid(
                    resolver,
                    "a string",
                    "quote the resolver: `resolver = \"3\"` (or \"2\")".to_string(),
                ));
            }
            Some("1" | "2" | "3") => {}
            Some(other) => {
                return Err(UserError::new(
                    format!(
                        "{}: `{name}.resolver` is `{other}`; cargo refuses the workspace \
                         (`resolver` setting `{other}` is not valid, valid options are \"1\", \
                         \"2\" or \"3\")",
                        place(m, resolver.span())
                    ),
                    format!("set `resolver = \"3\"` (or \"2\") in {rel}"),
                )
                .into());
            }
        }
    }
    if workspace.is_some()
        && let Some(key) = package
            .and_then(|p| p.get_key_value("workspace"))
            .map(|(k, _)| k)
    {
        return Err(UserError::new(
            format!(
                "{}: {rel} has a [workspace] and names another root in `package.workspace`; \
                 cargo refuses the workspace (cannot configure both `package.workspace` and \
                 `[workspace]`, only one can be specified)",
                place(m, key.span())
            ),
            format!("remove `workspace = ...` from [package] in {rel}"),
        )
        .into());
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
    fn virtual_sections_workspace_lists_and_resolvers_are_refused_as_cargo_refuses_them() {
        let err = shape("").unwrap_err();
        assert!(
            err.contains("(manifest is missing either a `[package]` or a `[workspace]`)"),
            "{err}"
        );
        let err = shape("[lints]\nx = {}\n[dev_dependencies]\n").unwrap_err();
        assert!(err.starts_with("x/Cargo.toml:3:2:"), "{err}");
        assert!(
            err.contains("this virtual manifest specifies a `dev-dependencies` section"),
            "{err}"
        );
        assert_eq!(shape("[project]\nname = \"x\"\n"), Ok(()));
        let err = shape("[workspace]\nmembers = \"crates/*\"\n").unwrap_err();
        assert!(
            err.contains("2:11: invalid type: string \"crates/*\", expected a sequence"),
            "{err}"
        );
        let err = shape("[workspace]\nexclude = [\"a\", 5]\n").unwrap_err();
        assert!(
            err.contains("2:17: invalid type: integer `5`, expected a string"),
            "{err}"
        );
        let err = shape("[workspace]\nresolver = \"4\"\n").unwrap_err();
        assert!(err.contains("`resolver` setting `4` is not valid"), "{err}");
        assert_eq!(shape("[workspace]\nresolver = \"3\"\n"), Ok(()));
        let err = shape("[package]\nname = \"x\"\nworkspace = \"..\"\n[workspace]\n").unwrap_err();
        assert!(err.contains("cannot configure both"), "{err}");
        assert_eq!(
            shape(
                "[workspace.dependencies]\na = { version = \"1\", optional = false, public = false }\n"
            ),
            Ok(())
        );
        let err = shape("[workspace.dependencies]\na = { version = \"1\", public = true }\n")
            .unwrap_err();
        assert!(
            err.contains("a is public, but workspace dependencies cannot be public"),
            "{err}"
        );
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
