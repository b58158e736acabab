//! The graph cache: `affected` keeps the graph it built from `cargo metadata`, keyed by
//! everything that can change what cargo would answer, and reuses it while that key holds.
//!
//! The key covers: this tool's version; the cargo binary (its path, size and modification time,
//! or `cargo -V` when `$CARGO` is unset) and `RUSTUP_TOOLCHAIN`; `--offline/--locked/--frozen`;
//! every `CARGO_*` environment variable; the bytes of `rust-toolchain(.toml)` and
//! `.cargo/config(.toml)` in the workspace root and every ancestor, and `$CARGO_HOME`'s config;
//! the root `Cargo.toml` and `Cargo.lock`; every local package's `Cargo.toml`; per member, its
//! `pyproject.toml`, whether `src/main.rs`, `src/lib.rs` and `build.rs` exist and what `src/bin`
//! holds, with whether each folder there has a `main.rs` (they decide its kind and targets); the root package's top-level entries; and the
//! member directories that the root's `members` globs match now. Any difference, or anything
//! that cannot be read, is a miss: a stale graph is never served.
//!
//! The cache is one file, `<target-dir>/ccworkspace/graph-cache.json` (`$CARGO_TARGET_DIR` or
//! `<root>/target`), written atomically. Failing to read or write it only costs speed.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use camino::Utf8PathBuf;
use serde::{Deserialize, Serialize};

use crate::graph::DepGraph;
use crate::workspace::{
    Member, MetadataOptions, Platforms, Workspace, cargo_program, run_metadata,
};

const FORMAT: u32 = 3;

#[derive(Serialize, Deserialize)]
struct Stored {
    format: u32,
    tool: String,
    key: String,
    root: String,
    member_dirs: Vec<String>,
    manifests: Vec<String>,
    members: Vec<Member>,
    graph: DepGraph,
}

/// The workspace root, found the way the other commands find it (nearest `[workspace]`), with
/// its manifest, parsed once.
fn find_root(global: &MetadataOptions) -> Option<(PathBuf, crate::model::Manifest)> {
    crate::model::find_root_manifest(global.manifest_path.as_deref()).ok()
}

fn cache_file(root: &Path) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .map(|t| {
            if t.is_absolute() {
                t
            } else {
                std::env::current_dir().unwrap_or_default().join(t)
            }
        })
        .unwrap_or_else(|| root.join("target"));
    target.join("ccworkspace").join("graph-cache.json")
}

/// A 128-bit hash built from two SipHash states with different prefixes.
struct KeyHasher(
    std::collections::hash_map::DefaultHasher,
    std::collections::hash_map::DefaultHasher,
);

impl KeyHasher {
    fn new() -> Self {
        let mut a = std::collections::hash_map::DefaultHasher::new();
        let mut b = std::collections::hash_map::DefaultHasher::new();
        "ccworkspace-a".hash(&mut a);
        "ccworkspace-b".hash(&mut b);
        KeyHasher(a, b)
    }
    fn add(&mut self, part: impl Hash) {
        part.hash(&mut self.0);
        part.hash(&mut self.1);
    }
    /// A file's bytes, or a marker that it is absent.
    fn file(&mut self, path: &Path) {
        self.add(path.to_string_lossy());
        match std::fs::read(path) {
            Ok(bytes) => self.add(bytes),
            Err(_) => self.add("<absent>"),
        }
    }
    fn exists(&mut self, path: &Path) {
        self.add((path.to_string_lossy(), path.exists()));
    }
    fn dir_listing(&mut self, path: &Path) {
        // A folder entry counts with whether it holds a `main.rs` (`src/bin/tool/main.rs` is
        // the binary `tool`).
        let mut names: Vec<String> = std::fs::read_dir(path)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| {
                        let name = e.file_name().to_string_lossy().into_owned();
                        if e.file_type().is_ok_and(|t| t.is_dir()) {
                            let main = e.path().join("main.rs").is_file();
                            format!("{name}/{}", if main { "main.rs" } else { "" })
                        } else {
                            name
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        self.add((path.to_string_lossy(), names));
    }
    fn finish(self) -> String {
        format!("{:016x}{:016x}", self.0.finish(), self.1.finish())
    }
}

/// The members' directories the root manifest's globs match on disk now, or `None` when the
/// manifest cannot be read. A matched directory without a `Cargo.toml` (which makes cargo refuse
/// the workspace) is listed with a mark, so that creating or removing one is a miss.
fn member_dirs_now(root: &Path, manifest: &crate::model::Manifest) -> Option<Vec<String>> {
    let ws = crate::model::NodeExt::as_table(manifest.root().get("workspace")?)?;
    let list = |key: &str| crate::model::manifest::strings(ws.get(key));
    // The same expansion as the other commands' (cargo's rules: hidden folders, symlinked
    // folders, matches without a manifest).
    let mut dirs = std::collections::BTreeSet::new();
    let mut missing = std::collections::BTreeSet::new();
    for pattern in list("members") {
        for found in crate::model::members::walk_pattern(root, &pattern, false).ok()? {
            if found.missing {
                missing.insert(found.dir.clone());
            }
            dirs.insert(found.dir);
        }
    }
    let (members, exclude) = (list("members"), list("exclude"));
    let mut found: std::collections::BTreeSet<String> = dirs
        .into_iter()
        .filter(|d| !crate::model::members::is_excluded(root, d, &members, &exclude))
        .collect();
    // A root package is a member without being named by a glob.
    if manifest.root().contains_key("package") {
        found.insert(String::new());
    }
    Some(
        found
            .into_iter()
            .map(|d| {
                if missing.contains(&d) {
                    format!("{d} (no Cargo.toml)")
                } else {
                    d
                }
            })
            .collect(),
    )
}

fn cargo_identity(h: &mut KeyHasher) -> Option<()> {
    match std::env::var_os("CARGO") {
        Some(path) => {
            let meta = std::fs::metadata(&path).ok()?;
            h.add((path.to_string_lossy(), meta.len(), meta.modified().ok()));
        }
        None => {
            let out = std::process::Command::new(cargo_program())
                .arg("-V")
                .output()
                .ok()?;
            h.add(out.stdout);
        }
    }
    h.add(std::env::var("RUSTUP_TOOLCHAIN").unwrap_or_default());
    Some(())
}

fn key(
    global: &MetadataOptions,
    root: &Path,
    manifests: &[String],
    members: &[Member],
    member_dirs: &[String],
) -> Option<String> {
    let mut h = KeyHasher::new();
    h.add((FORMAT, env!("CARGO_PKG_VERSION")));
    h.add((global.offline, global.locked, global.frozen));
    cargo_identity(&mut h)?;
    let mut env: Vec<(String, String)> = std::env::vars()
        .filter(|(k, _)| k.starts_with("CARGO_"))
        .collect();
    env.sort();
    h.add(env);
    for dir in root.ancestors() {
        for f in [
            "rust-toolchain",
            "rust-toolchain.toml",
            ".cargo/config",
            ".cargo/config.toml",
        ] {
            h.file(&dir.join(f));
        }
    }
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    if let Some(home) = cargo_home {
        h.file(&home.join("config"));
        h.file(&home.join("config.toml"));
    }
    h.file(&root.join("Cargo.toml"));
    h.file(&root.join("Cargo.lock"));
    for m in manifests {
        h.file(Path::new(m));
    }
    for m in members {
        let dir = root.join(&m.path);
        h.file(&dir.join("pyproject.toml"));
        for f in ["src/main.rs", "src/lib.rs", "build.rs"] {
            h.exists(&dir.join(f));
        }
        h.dir_listing(&dir.join("src/bin"));
        if m.path.is_empty() {
            h.dir_listing(&dir);
        }
    }
    h.add(member_dirs);
    Some(h.finish())
}

/// The cached workspace, if the key still holds.
pub fn load(global: &MetadataOptions) -> Option<Workspace> {
    if std::env::var_os("CCWORKSPACE_NO_CACHE").is_some() {
        return None;
    }
    let (root, manifest) = find_root(global)?;
    let text = std::fs::read(cache_file(&root)).ok()?;
    let stored: Stored = serde_json::from_slice(&text).ok()?;
    if stored.format != FORMAT
        || stored.tool != env!("CARGO_PKG_VERSION")
        || Path::new(&stored.root) != root
    {
        return None;
    }
    let dirs = member_dirs_now(&root, &manifest)?;
    if dirs != stored.member_dirs {
        return None;
    }
    if key(global, &root, &stored.manifests, &stored.members, &dirs)? != stored.key {
        return None;
    }
    let mut graph = stored.graph;
    graph.index();
    if !graph.is_consistent()
        || stored
            .members
            .iter()
            .any(|m| m.node >= graph.packages.len())
    {
        return None;
    }
    Some(Workspace::new(
        Utf8PathBuf::from(stored.root),
        graph,
        stored.members,
    ))
}

/// Remember a workspace just loaded from `cargo metadata` (best effort).
pub fn store(global: &MetadataOptions, ws: &Workspace) {
    if std::env::var_os("CCWORKSPACE_NO_CACHE").is_some() {
        return;
    }
    let root = ws.root.as_std_path();
    // Only cache what the next run will look up: the root found the same way.
    let Some((found_root, manifest)) = find_root(global) else {
        return;
    };
    if found_root != root {
        return;
    }
    let Some(member_dirs) = member_dirs_now(root, &manifest) else {
        return;
    };
    let mut expected: Vec<String> = ws.members.iter().map(|m| m.path.clone()).collect();
    expected.sort();
    // Members cargo found some other way (path dependencies): the globs alone cannot tell us.
    if expected != member_dirs {
        return;
    }
    let mut manifests: Vec<String> = ws
        .graph
        .packages
        .iter()
        .filter_map(|p| p.manifest.clone())
        .collect();
    manifests.sort();
    let Some(key) = key(global, root, &manifests, &ws.members, &member_dirs) else {
        return;
    };
    let stored = Stored {
        format: FORMAT,
        tool: env!("CARGO_PKG_VERSION").to_string(),
        key,
        root: ws.root.to_string(),
        member_dirs,
        manifests,
        members: ws.members.clone(),
        graph: ws.graph.clone(),
    };
    let Ok(json) = serde_json::to_string(&stored) else {
        return;
    };
    let file = cache_file(root);
    let _ = crate::fsutil::write_all_atomic(&[crate::fsutil::FileWrite {
        path: file,
        contents: json,
    }]);
}

/// Where a head workspace's graph came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The graph cache.
    Cache,
    /// The members' manifests ([`crate::model_graph`]).
    Manifests,
    /// `cargo metadata`.
    Metadata,
}

impl Source {
    /// For `-v`.
    pub fn describe(self) -> &'static str {
        match self {
            Source::Cache => "the graph cache",
            Source::Manifests => "the member manifests (no cargo metadata needed)",
            Source::Metadata => "cargo metadata",
        }
    }
}

/// The `platforms` configured in the root manifest (the host when it cannot be read).
fn platforms_of(global: &MetadataOptions) -> Platforms {
    match find_root(global) {
        Some((root, _)) => Platforms::configured(&root.join("Cargo.toml")),
        None => Platforms::host(),
    }
}

/// Loading through the cache: the cache sits above `cargo metadata` ([`crate::workspace`]), which
/// knows nothing of it.
impl Workspace {
    /// Load the workspace around `--manifest-path` (or the current directory), from the graph
    /// cache when no manifest, lockfile, toolchain or cargo config changed since it was written,
    /// else with `cargo metadata` (into the cache).
    pub fn load(global: &MetadataOptions) -> anyhow::Result<Workspace> {
        match load(global) {
            Some(ws) => Ok(ws),
            None => Workspace::load_and_store(global),
        }
    }

    /// `cargo metadata`, and the graph into the cache.
    fn load_and_store(global: &MetadataOptions) -> anyhow::Result<Workspace> {
        let ws = Workspace::load_uncached(global)?;
        store(global, &ws);
        Ok(ws)
    }

    /// Load the head workspace for a change: from the graph cache; else, when `member_files_only`
    /// says that the change touches no `Cargo.lock`, root manifest, toolchain or cargo
    /// configuration, the members' graph from their manifests ([`crate::model_graph`], no
    /// `cargo metadata`); else with `cargo metadata` (and into the cache).
    /// `member_files_only` is asked at most once, after the manifests were read, and may wait
    /// (for the diff). `CCWORKSPACE_GRAPH=cargo` turns the manifests' graph off.
    pub fn load_for_change(
        global: &MetadataOptions,
        member_files_only: impl FnOnce() -> bool,
    ) -> anyhow::Result<(Workspace, Source)> {
        if let Some(ws) = load(global) {
            return Ok((ws, Source::Cache));
        }
        let allowed = std::env::var("CCWORKSPACE_GRAPH").map_or(true, |v| v != "cargo");
        if allowed {
            let platforms = platforms_of(global);
            if let Some(ws) = crate::model_graph::load(global, &platforms)
                && member_files_only()
            {
                return Ok((ws, Source::Manifests));
            }
        }
        Ok((Workspace::load_and_store(global)?, Source::Metadata))
    }

    /// Load the workspace with `cargo metadata`, neither reading nor writing the graph cache.
    pub fn load_uncached(global: &MetadataOptions) -> anyhow::Result<Workspace> {
        let json = run_metadata(global, global.manifest_path.as_deref(), None)?;
        Workspace::from_metadata_json(&json, &platforms_of(global))
    }
}
