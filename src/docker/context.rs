//! Everything a build reads besides its closure's folders (issue 13, item 1), found on disk:
//! the one part of the generator that reads files other than manifests.
//!
//! [`scan`] walks the folders of the images' closures once, in parallel, and finds
//!
//! - **symlinks**: BuildKit sends a link as a link, so its target must be in the context too.
//!   A folder of the closure that is itself a link (`packages/shared -> ../vendor/shared-src`),
//!   and every link under the closure's folders (followed into linked folders), admit their
//!   target; a target outside the workspace root is a problem that names the link when the
//!   build surely reads it (a folder, a `.rs` file, a manifest), and sent as it is otherwise.
//!   Hidden folders, `node_modules` and `target` are not walked;
//! - **literal includes** in the closure's `.rs` files: `include_str!`, `include_bytes!` and
//!   `include!` with a string literal (or `concat!(env!("CARGO_MANIFEST_DIR"), "...")`), and
//!   `#[path = "..."]`, and in the Rust files those pull in from outside the closure (their
//!   includes are resolved from their own folder, as rustc does). A cheap textual scan: only lines that contain `include` or `#[path`
//!   are looked at, a path is resolved from the folder of the file the line is in (what rustc
//!   does, except for `#[path]` inside an inline `mod x { }` block), paths that do not exist are
//!   skipped (generated, or in code that is not compiled), and anything that is not a literal
//!   (but `OUT_DIR`, which is never in the context) is a warning that names `extra-files`;
//!
//! and [`config_paths`] reads the paths `.cargo/config.toml` names (directory and local-registry
//! sources, `paths`, `[patch]` paths, `[env]` values with `relative = true`).
//!
//! [`complete`] adds to one plan what its closure needs of all that, and of the crates'
//! [`super::CrateInfo::reads`] (readme and license files, also inherited ones): each path and,
//! when it goes through a link, its target.
//!
//! Admit, not report: every path found here is known exactly, so it is admitted and the image
//! builds; asking the user to copy it into `extra-files` would only make the same list by hand.
//! What cannot be admitted (a target outside the root) is a [`Problem`] of the images that need
//! it; what cannot be seen (an include that is not a literal) is a warning.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{DockerPlan, Problem, WorkspaceModel};

/// A path (relative to the workspace root) one build reads, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    pub path: String,
    pub why: String,
}

/// Something found that the context cannot hold (a problem of every image that needs it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreachable {
    pub file: String,
    pub line: Option<usize>,
    pub key: Vec<String>,
    pub message: String,
    pub help: String,
}

/// Something the scan cannot see through: printed as a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unseen {
    pub file: String,
    pub line: usize,
    pub text: String,
}

/// What [`scan`] found in one folder of a closure.
#[derive(Debug, Clone, Default)]
pub struct FolderScan {
    pub needs: Vec<Need>,
    pub unreachable: Vec<Unreachable>,
    pub unseen: Vec<Unseen>,
}

/// What [`scan`] found: by folder, and from `.cargo/config.toml`.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    pub folders: BTreeMap<String, FolderScan>,
    pub config: FolderScan,
}

/// Scan `dirs` (closure folders, relative to `root`) in parallel, and the root's cargo config.
pub fn scan(root: &Path, ws: &WorkspaceModel, dirs: &BTreeSet<String>) -> Scan {
    let canon_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let folders = dirs
        .par_iter()
        .map(|dir| {
            // The root package's own files (`src`, ...) are no crate folder: its manifest is
            // the root's.
            let manifest_dir = if ws.crates.contains_key(dir) { dir } else { "" };
            (
                dir.clone(),
                scan_folder(root, &canon_root, dir, manifest_dir),
            )
        })
        .collect();
    Scan {
        folders,
        config: config_paths(root, &canon_root, &ws.root_files),
    }
}

/// Where `rel` really is: `Ok(None)` when it is no link (and no folder on its way is one) or
/// does not exist, `Ok(Some(target))` relative to the root, `Err(absolute target)` outside it.
fn physical(root: &Path, canon_root: &Path, rel: &str) -> Result<Option<String>, PathBuf> {
    let Ok(canon) = std::fs::canonicalize(root.join(rel)) else {
        return Ok(None);
    };
    match canon.strip_prefix(canon_root) {
        Ok(inside) => {
            let inside = slash(inside);
            Ok((inside != rel).then_some(inside))
        }
        Err(_) => Err(canon),
    }
}

/// The links a chain starting at the link `rel` passes through before its last target (each
/// relative to the root; `rel` itself and the target not included): BuildKit sends every link
/// as a link, so a link to a link needs the one in the middle in the context too. A hop out of
/// the root, or a loop, ends the list.
fn links_on_the_way(root: &Path, canon_root: &Path, rel: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = rel.to_string();
    // Linux follows at most 40 links on one path.
    for _ in 0..40 {
        let Ok(target) = std::fs::read_link(root.join(&at)) else {
            break;
        };
        let next = if target.is_absolute() {
            match target
                .strip_prefix(root)
                .or_else(|_| target.strip_prefix(canon_root))
            {
                Ok(inside) => Some(slash(inside)),
                Err(_) => None,
            }
        } else {
            let parent = at.rsplit_once('/').map_or("", |(p, _)| p);
            crate::model::relpath::normalize_rel(&crate::workspace::join(
                parent,
                &target.to_string_lossy(),
            ))
        };
        let Some(next) = next else {
            break;
        };
        if next == rel
            || out.contains(&next)
            || !std::fs::symlink_metadata(root.join(&next))
                .is_ok_and(|m| m.file_type().is_symlink())
        {
            break;
        }
        out.push(next.clone());
        at = next;
    }
    out
}

/// The needs of the link `link` whose last target is `target`: the target, and each link on
/// the way to it ([`links_on_the_way`]).
fn link_needs(root: &Path, canon_root: &Path, link: &str, target: String) -> Vec<Need> {
    let mut needs: Vec<Need> = links_on_the_way(root, canon_root, link)
        .into_iter()
        .map(|hop| Need {
            path: hop,
            why: format!("a link on the way from the link `{link}` to its target"),
        })
        .collect();
    needs.push(Need {
        path: target,
        why: format!("the target of the link `{link}`"),
    });
    needs
}

fn slash(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The first link on the way to `rel` (itself, or a folder above it), for messages.
fn first_link(root: &Path, rel: &str) -> String {
    let mut at = String::new();
    for part in rel.split('/') {
        at = crate::workspace::join(&at, part);
        if std::fs::symlink_metadata(root.join(&at)).is_ok_and(|m| m.file_type().is_symlink()) {
            return at;
        }
    }
    rel.to_string()
}

fn outside_link(root: &Path, rel: &str, target: &Path, needed_by: &str) -> Unreachable {
    let link = first_link(root, rel);
    Unreachable {
        file: link.clone(),
        line: None,
        key: Vec::new(),
        message: format!(
            "`{link}` is a link to {}, outside the workspace root, which no Docker build context \
             (the workspace root) can hold; {needed_by}",
            target.display()
        ),
        help: format!(
            "replace the link `{link}` with a copy of its target, or move the target under the workspace root"
        ),
    }
}

fn scan_folder(root: &Path, canon_root: &Path, dir: &str, manifest_dir: &str) -> FolderScan {
    let mut found = FolderScan::default();
    match physical(root, canon_root, dir) {
        Ok(None) => {}
        Ok(Some(target)) => found.needs.push(Need {
            why: format!("the target of the link `{}`", first_link(root, dir)),
            path: target,
        }),
        Err(target) => {
            found.unreachable.push(outside_link(
                root,
                dir,
                &target,
                &format!("the folder `{dir}` is in the closure"),
            ));
            return found;
        }
    }
    let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
    walk(root, canon_root, manifest_dir, dir, &mut seen, &mut found);
    found
}

/// Walk `rel` (a folder, relative to the root) of the crate folder `dir`.
fn walk(
    root: &Path,
    canon_root: &Path,
    dir: &str,
    rel: &str,
    seen: &mut BTreeSet<PathBuf>,
    found: &mut FolderScan,
) {
    let path = root.join(rel);
    if let Ok(canon) = std::fs::canonicalize(&path)
        && !seen.insert(canon)
    {
        return;
    }
    let Ok(entries) = std::fs::read_dir(&path) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        // What the ignore file keeps out anyway (`**/target`), hidden folders (version control,
        // `.venv`, tool caches) and `node_modules`: no Rust source lives there, and a
        // `.venv/bin/python` links out of the root without the build ever reading it.
        if name == "target" || name.starts_with('.') || name == "node_modules" {
            continue;
        }
        let child = crate::workspace::join(rel, &name);
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let is_dir = if kind.is_symlink() {
            match physical(root, canon_root, &child) {
                Ok(Some(target)) => found
                    .needs
                    .extend(link_needs(root, canon_root, &child, target)),
                Ok(None) => {}
                // Only what the build surely reads is a problem: a Rust source, a folder (of
                // sources, or a member's), a manifest. Any other link is sent as a link.
                Err(target) => {
                    let read = target.is_dir()
                        || name.ends_with(".rs")
                        || name == "Cargo.toml"
                        || name == "pyproject.toml";
                    if read {
                        found.unreachable.push(outside_link(
                            root,
                            &child,
                            &target,
                            &format!("it is in the folder `{dir}`"),
                        ));
                    }
                    continue;
                }
            }
            std::fs::metadata(root.join(&child)).is_ok_and(|m| m.is_dir())
        } else {
            kind.is_dir()
        };
        if is_dir {
            walk(root, canon_root, dir, &child, seen, found);
        } else if name.ends_with(".rs") {
            scan_source(root, canon_root, dir, &child, None, seen, found);
        }
    }
}

/// The literal includes of one `.rs` file (see the module docs), and of the Rust files it
/// pulls in with `include!` or `#[path]`: those are compiled as part of the crate, and rustc
/// resolves their own includes from *their* folder, which may be outside the closure (a
/// `#[path = "../../../shared/util.rs"]` module that includes `../res/x.txt` as a string).
/// A module file reached that way has its own `mod name;` files too: `mods` is the folder they
/// are in (`None` for the closure's files, which the walk reads anyway).
/// `seen` (canonical paths) stops a file included twice, or a cycle, from being read again.
fn scan_source(
    root: &Path,
    canon_root: &Path,
    dir: &str,
    file: &str,
    mods: Option<&str>,
    seen: &mut BTreeSet<PathBuf>,
    found: &mut FolderScan,
) {
    let Ok(text) = std::fs::read_to_string(root.join(file)) else {
        return;
    };
    if mods.is_none() && !text.contains("include") && !text.contains("#[path") {
        return;
    }
    let folder = file.rsplit_once('/').map_or("", |(d, _)| d);
    for (index, line) in text.lines().enumerate() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        if let (Some(mods), Some(name)) = (mods, mod_declaration(code)) {
            // `mods/name.rs` (whose own modules are in `mods/name/`) or `mods/name/mod.rs`.
            let sub = crate::workspace::join(mods, name);
            for (module, its_mods) in [(format!("{sub}.rs"), &sub), (format!("{sub}/mod.rs"), &sub)]
            {
                let Ok(canon) = std::fs::canonicalize(root.join(&module)) else {
                    continue;
                };
                let Ok(inside) = canon.strip_prefix(canon_root) else {
                    continue;
                };
                found.needs.push(Need {
                    path: slash(inside),
                    why: format!("module `{name}` of {file}:{}", index + 1),
                });
                if seen.insert(canon.clone()) {
                    scan_source(root, canon_root, dir, &module, Some(its_mods), seen, found);
                }
            }
        }
        if !line.contains("include") && !line.contains("#[path") {
            continue;
        }
        for (what, literal) in line_includes(line) {
            let line_no = index + 1;
            let Some(literal) = literal else {
                // `OUT_DIR` is the build's own output, never in the context; `$x` is a macro's
                // argument, whose call this scan does not follow.
                if !line.contains("OUT_DIR") && !macro_argument(line, what) {
                    found.unseen.push(Unseen {
                        file: file.to_string(),
                        line: line_no,
                        text: line.trim().to_string(),
                    });
                }
                continue;
            };
            let (base, written) = match literal {
                Literal::FromFile(p) => (folder, p),
                Literal::FromManifestDir(p) => (dir, p),
            };
            if written.starts_with('/') {
                continue;
            }
            let joined = crate::workspace::join(base, &written);
            let abs = root.join(&joined);
            let Ok(canon) = std::fs::canonicalize(&abs) else {
                continue;
            };
            match canon.strip_prefix(canon_root) {
                Ok(inside) => {
                    let inside = slash(inside);
                    found.needs.push(Need {
                        path: inside.clone(),
                        why: format!("{what} at {file}:{line_no}"),
                    });
                    if matches!(what, "include!" | "#[path]")
                        && canon.is_file()
                        && seen.insert(canon.clone())
                    {
                        // rustc resolves from the folder of the path as written: through a
                        // link, that is the link's folder, not its target's.
                        let is_link = std::fs::symlink_metadata(&abs)
                            .is_ok_and(|m| m.file_type().is_symlink());
                        let nested = if is_link { joined.as_str() } else { &inside };
                        // A `#[path]` file is a module whose `mod x;` files are next to it
                        // (rustc reads it like a `mod.rs`); an `include!`d file's modules are
                        // the including module's, in the closure.
                        let nested_mods = nested.rsplit_once('/').map_or("", |(d, _)| d);
                        let mods = (what == "#[path]").then_some(nested_mods);
                        scan_source(root, canon_root, dir, nested, mods, seen, found);
                    }
                }
                Err(_) => found.unreachable.push(Unreachable {
                    file: file.to_string(),
                    line: Some(line_no),
                    key: Vec::new(),
                    message: format!(
                        "{what} reads `{written}` ({}), outside the workspace root, which no \
                         Docker build context (the workspace root) can hold",
                        canon.display()
                    ),
                    help: "move the file under the workspace root".to_string(),
                }),
            }
        }
    }
}

enum Literal {
    /// Relative to the folder of the file.
    FromFile(String),
    /// `concat!(env!("CARGO_MANIFEST_DIR"), "...")`: relative to the crate's folder.
    FromManifestDir(String),
}

/// The includes on one line: the macro or attribute, and its path when it is a literal.
fn line_includes(line: &str) -> Vec<(&'static str, Option<Literal>)> {
    let mut out = Vec::new();
    for what in ["include_str!", "include_bytes!", "include!"] {
        let mut rest = line;
        while let Some(at) = rest.find(what) {
            let after = rest[at + what.len()..].trim_start();
            rest = &rest[at + what.len()..];
            // `include_str!` contains no `include!`, but `my_include!` does: a word boundary.
            let before = line.len() - rest.len() - what.len();
            if line[..before]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
            {
                continue;
            }
            let Some(args) = after.strip_prefix(['(', '[', '{']) else {
                continue;
            };
            let args = args.trim_start();
            let literal = if let Some((s, _)) = string_literal(args) {
                Some(Literal::FromFile(s))
            } else if let Some(inner) = args.strip_prefix("concat!(") {
                manifest_dir_concat(inner).map(Literal::FromManifestDir)
            } else {
                None
            };
            out.push((what, literal));
        }
    }
    if let Some(at) = line.find("#[path") {
        let after = line[at + "#[path".len()..].trim_start();
        if let Some(value) = after.strip_prefix('=') {
            out.push((
                "#[path]",
                string_literal(value.trim_start()).map(|(s, _)| Literal::FromFile(s)),
            ));
        }
    }
    out
}

/// The module a `mod name;` line (optionally `pub`, `pub(crate)`, ...) declares from a file.
fn mod_declaration(code: &str) -> Option<&str> {
    let mut rest = code.trim();
    if let Some(r) = rest.strip_prefix("pub") {
        rest = r.trim_start();
        if let Some(r) = rest.strip_prefix('(') {
            rest = r.split_once(')')?.1.trim_start();
        }
    }
    let rest = rest.strip_prefix("mod")?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let rest = rest.trim_start();
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let (name, after) = rest.split_at(end);
    (!name.is_empty() && after.trim_start().starts_with(';')).then_some(name)
}

/// Whether the argument of `what` on `line` is a macro variable (`include_str!($path)`).
fn macro_argument(line: &str, what: &str) -> bool {
    line.find(what).is_some_and(|at| {
        line[at + what.len()..]
            .trim_start()
            .trim_start_matches(['(', '[', '{'])
            .trim_start()
            .starts_with('$')
    })
}

/// `env!("CARGO_MANIFEST_DIR"), "/a", "/b")`: `a/b`.
fn manifest_dir_concat(inner: &str) -> Option<String> {
    let inner = inner.trim_start();
    let rest = inner
        .strip_prefix("env!(\"CARGO_MANIFEST_DIR\")")
        .or_else(|| inner.strip_prefix("env! (\"CARGO_MANIFEST_DIR\")"))?;
    let mut rest = rest.trim_start();
    let mut path = String::new();
    loop {
        if let Some(r) = rest.strip_prefix(')') {
            let _ = r;
            break;
        }
        rest = rest.strip_prefix(',')?.trim_start();
        if rest.starts_with(')') {
            break;
        }
        let (s, r) = string_literal(rest)?;
        path.push_str(&s);
        rest = r.trim_start();
    }
    Some(path.trim_start_matches('/').to_string())
}

/// A Rust string literal at the start of `text` (plain or raw), and the text after it.
fn string_literal(text: &str) -> Option<(String, &str)> {
    if let Some(rest) = text.strip_prefix('r') {
        let hashes = rest.len() - rest.trim_start_matches('#').len();
        let rest = rest[hashes..].strip_prefix('"')?;
        let end = format!("\"{}", "#".repeat(hashes));
        let at = rest.find(&end)?;
        return Some((rest[..at].to_string(), &rest[at + end.len()..]));
    }
    let rest = text.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &rest[i + 1..])),
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                '\\' => out.push('\\'),
                '"' => out.push('"'),
                '\'' => out.push('\''),
                // `\u{..}`, `\x..` and line continuations: not worth guessing.
                _ => return None,
            },
            c => out.push(c),
        }
    }
    None
}

/// The paths the root's `.cargo/config.toml` (or `.cargo/config`) names, relative to the root
/// (cargo reads them relative to the folder that holds `.cargo`). Absolute paths are taken to
/// be in the builder image, and are left alone.
pub fn config_paths(root: &Path, canon_root: &Path, root_files: &[String]) -> FolderScan {
    let mut found = FolderScan::default();
    for file in [".cargo/config.toml", ".cargo/config"] {
        if !root_files.iter().any(|f| f == file) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(root.join(file)) else {
            continue;
        };
        let Ok(doc) = text.parse::<toml::Table>() else {
            continue;
        };
        let mut named: Vec<(Vec<String>, String)> = Vec::new();
        let key = |parts: &[&str]| parts.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        if let Some(sources) = doc.get("source").and_then(|s| s.as_table()) {
            for (name, source) in sources {
                for k in ["directory", "local-registry"] {
                    if let Some(p) = source.get(k).and_then(|p| p.as_str()) {
                        named.push((key(&["source", name, k]), p.to_string()));
                    }
                }
            }
        }
        for p in doc
            .get("paths")
            .and_then(|p| p.as_array())
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            if let Some(p) = p.as_str() {
                named.push((key(&["paths"]), p.to_string()));
            }
        }
        if let Some(patch) = doc.get("patch").and_then(|p| p.as_table()) {
            for (source, deps) in patch {
                for (dep, spec) in deps.as_table().into_iter().flatten() {
                    if let Some(p) = spec.get("path").and_then(|p| p.as_str()) {
                        named.push((key(&["patch", source, dep, "path"]), p.to_string()));
                    }
                }
            }
        }
        if let Some(env) = doc.get("env").and_then(|e| e.as_table()) {
            for (name, value) in env {
                if value.get("relative").and_then(|r| r.as_bool()) == Some(true)
                    && let Some(p) = value.get("value").and_then(|v| v.as_str())
                    && root.join(p).exists()
                {
                    named.push((key(&["env", name]), p.to_string()));
                }
            }
        }
        for (key, written) in named {
            if written.starts_with('/') {
                continue;
            }
            let why = format!("`{}` in {file}", key.join("."));
            match crate::model::relpath::normalize_rel(&written) {
                Some(path) if !path.is_empty() => {
                    add_with_target(root, canon_root, &path, &why, file, &key, &mut found);
                }
                Some(_) => {}
                None => found.unreachable.push(Unreachable {
                    file: file.to_string(),
                    line: None,
                    key: key.clone(),
                    message: format!(
                        "`{}` = \"{written}\" points outside the workspace root, which no Docker \
                         build context (the workspace root) can hold",
                        key.join(".")
                    ),
                    help: "move it under the workspace root".to_string(),
                }),
            }
        }
    }
    found
}

/// `path` and, when it goes through a link, the link's target.
fn add_with_target(
    root: &Path,
    canon_root: &Path,
    path: &str,
    why: &str,
    file: &str,
    key: &[String],
    found: &mut FolderScan,
) {
    found.needs.push(Need {
        path: path.to_string(),
        why: why.to_string(),
    });
    match physical(root, canon_root, path) {
        Ok(None) => {}
        Ok(Some(target)) => {
            let link = first_link(root, path);
            found
                .needs
                .extend(link_needs(root, canon_root, &link, target));
        }
        Err(target) => {
            let mut u = outside_link(root, path, &target, &format!("{why} names it"));
            u.file = file.to_string();
            u.key = key.to_vec();
            found.unreachable.push(u);
        }
    }
}

/// The crates of `plan`'s closure (their folders; `""` for the root package).
fn closure_crates<'p>(plan: &'p DockerPlan, ws: &WorkspaceModel) -> Vec<&'p str> {
    let mut crates: Vec<&str> = plan
        .context_dirs
        .iter()
        .filter(|d| ws.crates.contains_key(*d))
        .map(String::as_str)
        .collect();
    if plan.with_root_package {
        crates.push("");
    }
    crates
}

/// The folders outside the closure's crate folders whose files maturin packs for `plan`'s
/// crates (`[tool.maturin] python-source` and `data`, [`super::CrateInfo::reads`]): [`scan`]
/// walks them as it walks the closure's folders, so a link in them brings its target.
pub fn read_folders(plan: &DockerPlan, ws: &WorkspaceModel) -> Vec<String> {
    closure_crates(plan, ws)
        .into_iter()
        .filter_map(|dir| ws.crates.get(dir))
        .flat_map(|info| &info.reads)
        .filter(|read| {
            read.key
                .starts_with(&["tool".to_string(), "maturin".to_string()])
        })
        .filter_map(|read| read.path.clone().filter(|p| !p.is_empty()))
        .collect()
}

/// What one plan's closure needs outside its folders, added to `plan.root_files` (the paths
/// the ignore file admits besides the folders); returns them with their reasons, for `--check`.
///
/// A [`Problem`] when something the image needs cannot be in the context.
pub fn complete(
    root: &Path,
    plan: &mut DockerPlan,
    ws: &WorkspaceModel,
    scan: &Scan,
) -> Result<Vec<Need>, Box<Problem>> {
    let canon_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let crates = closure_crates(plan, ws);
    let read_dirs = read_folders(plan, ws);
    let mut found = FolderScan::default();
    for dir in &crates {
        let Some(info) = ws.crates.get(*dir) else {
            continue;
        };
        for read in &info.reads {
            let why = format!(
                "`{}` in {} (for {})",
                read.key.join("."),
                read.file,
                info.name
            );
            match &read.path {
                // `python-source = "../../.."`: the workspace root itself, which no context
                // can admit without sending the whole repository.
                Some(path) if path.is_empty() => found.unreachable.push(Unreachable {
                    file: read.file.clone(),
                    line: None,
                    key: read.key.clone(),
                    message: format!(
                        "`{}` = \"{}\" (read by the build of {}) names the workspace root: the \
                         image's context would be the whole repository",
                        read.key.join("."),
                        read.written,
                        info.name
                    ),
                    help: "give the Python package a folder of its own (maturin's mixed layout: \
                           `python-source = \"python\"` inside the crate)"
                        .to_string(),
                }),
                Some(path) => add_with_target(
                    root,
                    &canon_root,
                    path,
                    &why,
                    &read.file,
                    &read.key,
                    &mut found,
                ),
                // Only maturin reads readme and license files: out of the root, they stop a
                // wheel, not a binary (`cargo build` never opens them).
                None if matches!(plan.image, super::Image::Bin { .. })
                    && read.key.last().is_some_and(|k| {
                        matches!(
                            k.as_str(),
                            "readme" | "license-file" | "license_file" | "license"
                        )
                    }) => {}
                None => found.unreachable.push(Unreachable {
                    file: read.file.clone(),
                    line: None,
                    key: read.key.clone(),
                    message: format!(
                        "`{}` = \"{}\" (read by the build of {}) points outside the workspace \
                         root, which no Docker build context (the workspace root) can hold",
                        read.key.join("."),
                        read.written,
                        info.name
                    ),
                    help: "move the file under the workspace root".to_string(),
                }),
            }
        }
    }
    for root_file in plan.root_files.clone() {
        add_with_target(
            root,
            &canon_root,
            &root_file,
            "a root build file",
            &root_file,
            &[],
            &mut found,
        );
    }
    let mut folders: Vec<&FolderScan> = plan
        .context_dirs
        .iter()
        .chain(&read_dirs)
        .filter_map(|d| scan.folders.get(d))
        .collect();
    folders.push(&scan.config);
    for folder in folders {
        found.needs.extend(folder.needs.iter().cloned());
        found.unreachable.extend(folder.unreachable.iter().cloned());
    }
    if let Some(u) = found.unreachable.into_iter().next() {
        return Err(Box::new(Problem {
            krate: plan.name.clone(),
            file: u.file,
            key: u.key,
            line: u.line,
            message: format!("{} (the image of {} needs it)", u.message, plan.name),
            help: u.help,
        }));
    }
    // Admitted already: the closure's folders and the root files, and whatever is under them.
    let mut admitted: Vec<String> = plan
        .context_dirs
        .iter()
        .chain(&plan.root_files)
        .cloned()
        .collect();
    let mut needs: BTreeMap<String, String> = BTreeMap::new();
    for need in found.needs {
        needs.entry(need.path).or_insert(need.why);
    }
    let mut added = Vec::new();
    // Sorted, so a folder comes before what is under it.
    for (path, why) in needs {
        if path.is_empty() || admitted.iter().any(|a| under(&path, a)) {
            continue;
        }
        if let Some(why_not) = super::quote::unwritable_path(&path) {
            return Err(Box::new(Problem {
                krate: plan.name.clone(),
                file: path.clone(),
                key: Vec::new(),
                line: None,
                message: format!(
                    "`{}` ({why}) cannot be written into the Dockerfile.dockerignore of {}: {why_not}",
                    path.escape_debug(),
                    plan.name
                ),
                help: "rename it".to_string(),
            }));
        }
        admitted.push(path.clone());
        plan.root_files.push(path.clone());
        added.push(Need { path, why });
    }
    Ok(added)
}

/// Whether `path` is `dir` or under it.
fn under(path: &str, dir: &str) -> bool {
    path == dir || path.starts_with(&format!("{dir}/"))
}

/// The warnings of the scanned folders of the plans: includes the scan cannot see through.
pub fn unseen<'a>(scan: &'a Scan, dirs: &BTreeSet<String>) -> Vec<&'a Unseen> {
    dirs.iter()
        .filter_map(|d| scan.folders.get(d))
        .flat_map(|f| &f.unseen)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(line: &str) -> Vec<Option<String>> {
        line_includes(line)
            .into_iter()
            .map(|(_, l)| {
                l.map(|l| match l {
                    Literal::FromFile(p) => format!("file:{p}"),
                    Literal::FromManifestDir(p) => format!("dir:{p}"),
                })
            })
            .collect()
    }

    #[test]
    fn literal_includes_are_read() {
        assert_eq!(
            // Written through `format!` so this crate's own packaging test does not read it as an
            // embedded file of ours.
            paths(&format!(
                "const A: &str = include_str!({:?});",
                "../../res/a.json"
            )),
            [Some("file:../../res/a.json".to_string())]
        );
        assert_eq!(
            paths(r##"static B: &[u8] = include_bytes!(r#"x "y".bin"#);"##),
            [Some("file:x \"y\".bin".to_string())]
        );
        assert_eq!(
            paths(r#"include!(concat!(env!("CARGO_MANIFEST_DIR"), "/../gen", "/x.rs"));"#),
            [Some("dir:../gen/x.rs".to_string())]
        );
        assert_eq!(
            paths(r#"#[path = "../shared/mod.rs"]"#),
            [Some("file:../shared/mod.rs".to_string())]
        );
        assert_eq!(
            paths(r#"include!(concat!(env!("OUT_DIR"), "/x.rs"));"#),
            [None]
        );
        assert_eq!(paths(r#"my_include!("x");"#), Vec::<Option<String>>::new());
        assert_eq!(paths("let include = 1;"), Vec::<Option<String>>::new());
        assert_eq!(mod_declaration("pub(crate) mod sub ;"), Some("sub"));
        assert_eq!(mod_declaration("mod sub;"), Some("sub"));
        assert_eq!(mod_declaration("mod sub { }"), None);
        assert_eq!(mod_declaration("model;"), None);
        assert!(macro_argument("include_str!( $file )", "include_str!"));
        assert!(!macro_argument("include_str!(name!())", "include_str!"));
    }
}
