//! Workspace member discovery the way cargo does it: [`expand`], a pure function over a list
//! of directories that hold a `Cargo.toml`, and the walks that list them ([`walk_pattern`] for
//! a `members` pattern, [`walk`] for a tree), plus implicit path members and orphans.
//!
//! Cargo expands each `members` entry with the `glob` crate (one path component per `*`, `**`
//! for any depth), keeps matches that are directories, and drops the ones under an `exclude`
//! entry (a path prefix, not a glob) unless a literal `members` entry names them. The caller
//! supplies the directories, from the file system or from a git tree, so the same code serves
//! the head and the base revision.

use std::collections::{BTreeMap, BTreeSet};

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use toml::de::DeTable;

use super::manifest::{DEP_TABLES, Manifest, NodeExt, Table, check_shape, parse_text};
use super::relpath::{join, normalize_rel};
use crate::errors::UserError;

pub use crate::model::relpath::normalize;

/// A compiled `members` glob, matched as cargo's `glob` crate matches it (one path component
/// per `*`; `**` for any depth; hidden names included; `{` and `^` are plain characters).
enum Matcher {
    /// `dir/*`, by far the most common form: every direct child of `dir`.
    Children(String),
    Glob(glob::Pattern),
}

/// The options cargo's `glob::glob` walks with, as a match on whole paths: `*` never crosses a
/// `/`, a leading `.` needs no literal dot.
const MATCH: glob::MatchOptions = glob::MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

impl Matcher {
    fn new(pattern: &str) -> Result<Matcher, glob::PatternError> {
        if let Some(dir) = pattern.strip_suffix("/*")
            && !dir.contains(['*', '?', '['])
        {
            return Ok(Matcher::Children(format!("{dir}/")));
        }
        Ok(Matcher::Glob(glob::Pattern::new(pattern)?))
    }

    fn is_match(&self, path: &str) -> bool {
        match self {
            Matcher::Children(prefix) => path
                .strip_prefix(prefix.as_str())
                .is_some_and(|name| !name.contains('/')),
            Matcher::Glob(glob) => glob.matches_with(path, MATCH),
        }
    }
}

/// Whether cargo leaves the member at `dir` (relative to `root`) out of the workspace: its
/// manifest path starts with `root/<exclude entry>` and with no `root/<members entry>`
/// (cargo's `WorkspaceRootConfig::is_excluded`). Both are path prefixes compared component by
/// component, so `crates/c` does not exclude `crates/c1`, `crates//x` and `crates/x/.` are
/// `crates/x`, an absolute entry is taken as it is, and a `members` entry that is a prefix of a
/// crate (`"."` is a prefix of every crate) keeps it in however it is excluded.
pub(crate) fn is_excluded(root: &Path, dir: &str, members: &[String], exclude: &[String]) -> bool {
    let manifest = root.join(dir).join("Cargo.toml");
    exclude.iter().any(|ex| manifest.starts_with(root.join(ex)))
        && !members.iter().any(|m| manifest.starts_with(root.join(m)))
}

/// Whether `dir` is under an `exclude` entry, whatever `members` says.
pub(crate) fn under_exclude(root: &Path, dir: &str, exclude: &[String]) -> bool {
    let manifest = root.join(dir).join("Cargo.toml");
    exclude.iter().any(|ex| manifest.starts_with(root.join(ex)))
}

/// A `members` pattern with its path spelled plainly (`./`, `//`, `/./`, a trailing `/` and
/// `dir/..` after a literal component resolved), for matching against plain directory names.
fn plain_pattern(pattern: &str) -> String {
    let slashed = pattern.replace('\\', "/");
    let mut out: Vec<&str> = Vec::new();
    for part in slashed.split('/') {
        match part {
            "" | "." => {}
            ".." if out.last().is_some_and(|l| !is_glob(l) && *l != "..") => {
                out.pop();
            }
            p => out.push(p),
        }
    }
    out.join("/")
}

/// Expand `members` against `manifest_dirs` (directories holding a `Cargo.toml`, relative, with
/// `/`): the sorted member directories, after `exclude` (cargo's rule, [`is_excluded`]).
///
/// Errors: a pattern the `glob` crate cannot parse (cargo refuses it too).
pub fn expand(
    members: &[String],
    exclude: &[String],
    manifest_dirs: &BTreeSet<String>,
) -> Result<BTreeSet<String>, glob::PatternError> {
    // Directories here are relative: a stand-in root gives cargo's path-prefix comparison.
    let root = Path::new("/");
    let mut result = BTreeSet::new();
    for pattern in members {
        let norm = plain_pattern(pattern);
        if is_glob(&norm) {
            let m = Matcher::new(&norm)?;
            result.extend(
                manifest_dirs
                    .iter()
                    .filter(|d| m.is_match(d.as_str()))
                    .cloned(),
            );
        } else if manifest_dirs.contains(&norm) {
            result.insert(norm);
        }
    }
    result.retain(|d| !is_excluded(root, d, members, exclude));
    Ok(result)
}

/// A list of strings from a TOML table (`[workspace] members`, `exclude`); missing or
/// malformed entries give an empty list (cargo reports those itself).
pub fn string_list(table: &toml::Table, key: &str) -> Vec<String> {
    table
        .get(key)
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a `members` entry is a glob (cargo's test: it contains `*`, `?` or `[`).
pub fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

/// Root-relative directories of a manifest's path dependencies (direct, or inherited from a
/// root entry with a `path`), in any of the six tables, that are inside the root and not
/// among `known` (most are members already: they are not copied).
pub(crate) fn path_dependencies(
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

/// Directories never walked: build output, VCS and tool caches.
pub(crate) fn skip_dir(name: &str) -> bool {
    name.starts_with('.') || matches!(name, "target" | "node_modules" | "__pycache__")
}

/// Manifest directories without those [`walk`] does not enter: build output, VCS and tool
/// caches ([`skip_dir`]), and a crate's `src/`.
pub(crate) fn without_skipped(dirs: Vec<String>) -> Vec<String> {
    let all: BTreeSet<&str> = dirs.iter().map(String::as_str).collect();
    let keep = |dir: &str| {
        let parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
        let crate_src = |i: usize| parts[i] == "src" && all.contains(parts[..i].join("/").as_str());
        !(0..parts.len()).any(|i| skip_dir(parts[i]) || crate_src(i))
    };
    dirs.iter().filter(|d| keep(d)).cloned().collect()
}

/// Whether the symlink `link` in directory `dir` points at `dir` or one of its ancestors.
pub(crate) fn loops_back(dir: &Path, link: &Path) -> bool {
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
pub(crate) fn read_found(root: &Path, rel: &str, text: String, pyproject: bool) -> Found {
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

/// Every directory (relative, `/`) under `rel` that holds a `Cargo.toml`, for finding orphans
/// when git cannot list the tracked manifests; walked in parallel, following symlinked
/// directories that do not loop back, skipping build output, VCS and tool caches
/// ([`skip_dir`]) and a crate's `src/`. Nothing is read.
pub(crate) fn walk(root: &Path, rel: &str) -> Vec<Found> {
    let abs = root.join(rel);
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
        manifests.push(Found {
            dir: rel.to_string(),
            pyproject,
            manifest: None,
            pyproject_doc: None,
            missing: false,
        });
        subdirs.retain(|d| d != "src");
    }
    let results: Vec<Vec<Found>> = subdirs
        .par_iter()
        .map(|d| walk(root, &join(rel, d)))
        .collect();
    manifests.extend(results.into_iter().flatten());
    manifests
}

/// The directory `rel` as a member candidate, without listing it: opening (or, without `read`,
/// a `stat` of) its `Cargo.toml` answers. A directory without one (or, for a literal `members`
/// entry, no directory at all) comes back as [`Found::missing`].
pub(crate) fn candidate(root: &Path, rel: &str, read: bool) -> Vec<Found> {
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
        _ if abs.is_dir() || !abs.exists() => vec![unread(true)],
        _ => Vec::new(),
    }
}

/// [`walk_pattern`] for the plain spellings (`dir/*`, `a/*/b`, `dir/[ab]*`: relative, no
/// `.`, `..`, `**` or empty component), which are nearly all of them: the same component by
/// component walk the `glob` crate makes, with its `Pattern` matching each name, but taking
/// each entry's type from the directory listing instead of a `stat`, and reading the matches
/// in parallel. `None` for any other spelling, and for a pattern `glob` refuses.
fn walk_plain(root: &Path, pattern: &str, read: bool) -> Option<Vec<Found>> {
    let parts: Vec<&str> = pattern.split('/').collect();
    let plain = |p: &&str| !p.is_empty() && *p != "." && *p != ".." && *p != "**";
    if Path::new(pattern).is_absolute() || pattern.contains('\\') || !parts.iter().all(plain) {
        return None;
    }
    let first_glob = parts.iter().position(|p| is_glob(p)).unwrap_or(parts.len());
    let prefix = parts[..first_glob].join("/");
    let components = parts[first_glob..]
        .iter()
        .map(|c| glob::Pattern::new(c).ok())
        .collect::<Option<Vec<_>>>()?;
    let (found, any) = descend(root, &prefix, &components, read);
    if !any {
        // Cargo keeps a pattern that matches nothing as a path of its own, and then fails to
        // read `<pattern>/Cargo.toml`.
        return Some(vec![Found {
            dir: pattern.to_string(),
            pyproject: false,
            manifest: None,
            pyproject_doc: None,
            missing: true,
        }]);
    }
    Some(found)
}

/// [`walk_plain`]'s matches under `rel` for the components `rest`, and whether any path
/// matched at all (`glob` also yields files, which cargo then drops; a pattern that yields
/// nothing is an error).
fn descend(root: &Path, rel: &str, rest: &[glob::Pattern], read: bool) -> (Vec<Found>, bool) {
    let Some((first, rest)) = rest.split_first() else {
        return (candidate(root, rel, read), true);
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
        if !first.matches_with(&name, MATCH) {
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

/// The directories one `members` pattern reaches, found as cargo finds them: with the `glob`
/// crate over `<root>/<pattern>` (cargo's `WorkspaceRootConfig::members_paths`), so every
/// spelling (`//`, `./`, `..`, `**`, `[...]`, hidden names, symlinked folders) means what it
/// means to cargo. Matches that are not directories are dropped. Each match is a
/// [`candidate`]: read, or reported [`Found::missing`]; a pattern that matches nothing at all
/// is one missing member named like the pattern, as cargo keeps it.
///
/// Errors (exit 2): a pattern cargo cannot parse, a directory it cannot list, a match outside
/// the workspace root (cargo allows one only for a package whose `package.workspace` points
/// back; this tool does not support it).
pub(crate) fn walk_pattern(root: &Path, pattern: &str, read: bool) -> anyhow::Result<Vec<Found>> {
    if let Some(found) = walk_plain(root, pattern, read) {
        return Ok(found);
    }
    let refuse = |what: String, help: &str| {
        UserError::new(
            format!("Cargo.toml: `members` entry `{pattern}`: {what}"),
            help.to_string(),
        )
    };
    let full = if Path::new(pattern).is_absolute() {
        pattern.to_string()
    } else {
        format!(
            "{}/{pattern}",
            glob::Pattern::escape(&root.to_string_lossy())
        )
    };
    let paths = glob::glob(&full).map_err(|e| {
        refuse(
            format!("cargo cannot parse the pattern ({e})"),
            "fix the pattern in [workspace] members",
        )
    })?;
    let canon_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut any = false;
    let mut dirs = BTreeSet::new();
    for entry in paths {
        let path = entry.map_err(|e| {
            refuse(
                format!("cargo is unable to match a path to the pattern ({e})"),
                "make the folder readable, or change the pattern",
            )
        })?;
        any = true;
        if !path.is_dir() {
            continue;
        }
        let rel = path
            .strip_prefix(root)
            .or_else(|_| path.strip_prefix(&canon_root))
            .ok()
            .and_then(|r| r.to_str())
            .and_then(normalize_rel)
            .ok_or_else(|| {
                refuse(
                    format!(
                        "it matches `{}`, outside the workspace root",
                        path.display()
                    ),
                    "keep members under the workspace root (this tool reads no member outside it)",
                )
            })?;
        dirs.insert(rel);
    }
    if !any {
        // Cargo keeps a pattern that matches nothing as a path of its own, and then fails to
        // read `<pattern>/Cargo.toml`.
        let dir = normalize_rel(pattern).unwrap_or_else(|| normalize(pattern));
        return Ok(vec![Found {
            dir,
            pyproject: false,
            manifest: None,
            pyproject_doc: None,
            missing: true,
        }]);
    }
    let dirs: Vec<String> = dirs.into_iter().collect();
    Ok(dirs
        .par_iter()
        .flat_map_iter(|d| candidate(root, d, read))
        .collect())
}

/// Cargo's member expansion ([`expand`]), with each glob matched only
/// against the directories under its literal prefix (500 patterns x 5,000 directories would
/// otherwise dominate the run).
pub(crate) fn expand_members(
    patterns: &[String],
    exclude: &[String],
    manifest_dirs: &BTreeSet<String>,
) -> anyhow::Result<BTreeSet<String>> {
    let invalid = |e: glob::PatternError| {
        UserError::new(
            format!("Cargo.toml: invalid `workspace.members` pattern: {e}"),
            "fix the pattern in [workspace] members",
        )
    };
    let literal: Vec<String> = patterns.iter().filter(|p| !is_glob(p)).cloned().collect();
    let mut out = expand(&literal, exclude, manifest_dirs).map_err(invalid)?;
    for p in patterns.iter().filter(|p| is_glob(p)) {
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
        let m = expand(std::slice::from_ref(p), exclude, &under).map_err(invalid)?;
        out.extend(m);
    }
    Ok(out)
}

/// For a `members` pattern, the literal directory to start walking from and how deep to go.
pub(crate) fn walk_plan(pattern: &str) -> (String, Option<usize>) {
    let norm = normalize(pattern);
    let parts: Vec<&str> = norm.split('/').collect();
    let first_glob = parts.iter().position(|p| is_glob(p)).unwrap_or(parts.len());
    let prefix = parts[..first_glob].join("/");
    let rest = &parts[first_glob..];
    let depth = if rest.contains(&"**") {
        None
    } else {
        Some(rest.len())
    };
    (prefix, depth)
}

/// Manifests under the root that belong to no workspace: not members, not under an `exclude`
/// entry, not a nested workspace root (or inside one), not pointing elsewhere with
/// `package.workspace`.
pub(crate) fn find_orphans_in(
    root_dir: &Path,
    manifest_dirs: &BTreeSet<String>,
    member_dirs: &BTreeSet<String>,
    exclude: &[String],
) -> Vec<(String, Option<String>)> {
    let under = |dir: &str, prefix: &str| {
        prefix.is_empty() || dir == prefix || dir.starts_with(&format!("{prefix}/"))
    };
    let candidates: Vec<&String> = manifest_dirs
        .iter()
        .filter(|d| !d.is_empty() && !member_dirs.contains(*d))
        .filter(|d| !under_exclude(root_dir, d, exclude))
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

    #[test]
    fn walk_plan_stops_at_the_glob_depth() {
        assert_eq!(walk_plan("DAGs/rust/*"), ("DAGs/rust".into(), Some(1)));
        assert_eq!(walk_plan("crates/**"), ("crates".into(), None));
        assert_eq!(walk_plan("tools/x"), ("tools/x".into(), Some(0)));
    }

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn star_matches_one_component_and_exclude_is_a_prefix() {
        let dirs = set(&[
            "DAGs/rust/a",
            "DAGs/rust/b",
            "DAGs/rust/a/fixtures/ws",
            "login/rust/c",
            "DAGs/rust/old",
        ]);
        let members = expand(
            &["DAGs/rust/*".into(), "login/rust/*".into()],
            &["DAGs/rust/old".into()],
            &dirs,
        )
        .unwrap();
        assert_eq!(
            members,
            set(&["DAGs/rust/a", "DAGs/rust/b", "login/rust/c"])
        );
    }

    #[test]
    fn the_children_shortcut_matches_like_the_glob() {
        let paths = [
            "a/x",
            "a/x/y",
            "a",
            "a/",
            "ab/x",
            "a/.hidden",
            "b/a/x",
            "a/b/x",
            "a/b",
            "a/b/x/y",
            "a/b c",
            "x/a/b",
        ];
        for pattern in ["a/*", "a/b/*"] {
            let fast = Matcher::new(pattern).unwrap();
            assert!(matches!(fast, Matcher::Children(_)), "{pattern}");
            let glob = glob::Pattern::new(pattern).unwrap();
            for path in paths {
                assert_eq!(
                    fast.is_match(path),
                    glob.matches_with(path, MATCH),
                    "{pattern} {path}"
                );
            }
        }
        for pattern in ["*", "a/*/x", "a/b*", "a/[bc]/*", "a/**"] {
            assert!(
                matches!(Matcher::new(pattern).unwrap(), Matcher::Glob(_)),
                "{pattern}"
            );
        }
    }

    #[test]
    fn a_literal_member_wins_over_exclude() {
        let dirs = set(&["tools/x"]);
        let members = expand(&["tools/x".into()], &["tools".into()], &dirs).unwrap();
        assert_eq!(members, set(&["tools/x"]));
    }

    #[test]
    fn double_star_matches_any_depth() {
        let dirs = set(&["crates/a", "crates/nested/b"]);
        let members = expand(&["crates/**".into()], &[], &dirs).unwrap();
        assert_eq!(members, set(&["crates/a", "crates/nested/b"]));
    }
}
