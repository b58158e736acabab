//! Where a change comes from, and what it affects: the `affected` pipeline that both
//! `affected` and `dockerfile --affected` run. The changed files come from the `--files` list or
//! from git (base, merge base, diff, untracked); the head workspace from the graph cache or
//! `cargo metadata`; the base revision's files through [`Revisions`]. The pure core
//! ([`compute::compute`]) decides.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::ValueEnum;

use crate::affected::changed::{ChangedFile, parse_file_list, parse_name_status};
use crate::affected::compute::{self, Outcome, Revisions};
use crate::affected::report::Provenance;
use crate::config::Config;
use crate::errors::UserError;
use crate::git::Git;
use crate::model::members;
use crate::output::Output;
use crate::workspace::{MetadataOptions, Workspace, join};

/// Which change to analyse (`affected`'s and `dockerfile --affected`'s change flags).
#[derive(Debug, Clone, Default)]
pub struct ChangeOptions {
    /// `--base`: compare against the merge base with this revision (`None`: the default base).
    pub base: Option<String>,
    /// `--head`: the revision to compare (`None`: the working tree).
    pub head: Option<String>,
    /// `--files-from`: a file (`-` for stdin) listing changed paths; no git.
    pub files_from: Option<PathBuf>,
    /// `--files`: changed paths, relative to the workspace root; no git.
    pub files: Vec<PathBuf>,
    /// `--include-untracked`.
    pub include_untracked: bool,
    /// `--on-missing-base`.
    pub on_missing_base: OnMissingBase,
    /// `--features-mode`: overrides the configured `features-mode`.
    pub features_mode: Option<crate::config::FeaturesMode>,
}

/// What `affected` does when it cannot find the base revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OnMissingBase {
    /// Fail (exit 2) with the fix named
    #[default]
    Error,
    /// Mark every crate affected and say why
    All,
}

/// The names of the affected members (sorted), for other commands (`dockerfile --affected`).
pub(crate) fn affected_names(
    global: &MetadataOptions,
    change: &ChangeOptions,
    out: &Output,
) -> anyhow::Result<Vec<String>> {
    let (_, outcome, _, _) = analyse(global, change, out)?;
    Ok(outcome.affected.keys().cloned().collect())
}

/// The head workspace, the outcome, where the change came from, and the head's configuration
/// (read while a scratch checkout of another head still exists).
pub(crate) type Analysis = (Workspace, Outcome, Provenance, Config);

/// Load the head workspace, read the changes, and compute the outcome.
pub(crate) fn analyse(
    global: &MetadataOptions,
    change: &ChangeOptions,
    out: &Output,
) -> anyhow::Result<Analysis> {
    // The Python packages need no crate: read them while the crates load (with the working
    // tree as head; another head's files come from a scratch checkout later).
    if change.head.is_none() {
        crate::python::prefetch_for(
            global.manifest_path.as_deref(),
            crate::python::Beside::CrateLoad,
        );
    }
    let list_mode = change.files_from.is_some() || !change.files.is_empty();
    if list_mode {
        // The list is read once (it may be stdin), before the graph, which depends on it.
        let listed = match crate::model::find_root_manifest(global.manifest_path.as_deref()) {
            Ok((root, _)) => Some(file_list(change, &root)?),
            // No workspace: cargo says so, below.
            Err(_) => None,
        };
        let (ws, source) = Workspace::load_for_change(global, || {
            listed.as_deref().is_some_and(member_files_only)
        })?;
        out.verbose(format!("graph: {}", source.describe()));
        let config = load_config(&ws, change)?;
        let files = match listed {
            Some(files) => files,
            None => file_list(change, ws.root.as_std_path())?,
        };
        let rev = ListRevisions {
            root: ws.root.clone().into_std_path_buf(),
        };
        let (ws, outcome) = compute_loading(out, ws, global, &config, &files, &rev)?;
        let prov = Provenance {
            base: None,
            head: "--files".to_string(),
            merge_base: None,
        };
        return Ok((ws, outcome, prov, config));
    }

    // Say "no workspace" before anything git would say about the directory.
    require_manifest(global)?;
    let start_dir = match &global.manifest_path {
        Some(p) => p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(".")),
        None => PathBuf::from("."),
    };
    // With the working tree as head, the graph does not depend on anything git says: cargo
    // metadata (or the graph cache) starts first and runs while git resolves the base and
    // diffs. That took five git calls, one after the other, off the front of every run.
    // On a cold cache, the loading thread reads the member manifests and then waits for the
    // diff's verdict: a change to member files alone is answered from them.
    std::thread::scope(|s| {
        let (verdict, verdict_rx) = std::sync::mpsc::channel::<bool>();
        let early = change.head.is_none().then(|| {
            s.spawn(move || {
                let started = std::time::Instant::now();
                let ws = Workspace::load_for_change(global, || verdict_rx.recv().unwrap_or(false));
                (ws, started.elapsed())
            })
        });
        analyse_git(global, change, out, &start_dir, early, verdict)
    })
}

/// Whether a change touches only files inside the workspace that cannot change the graph
/// between members beyond their own manifests: no `Cargo.lock`, root `Cargo.toml`, toolchain
/// file or cargo configuration. Then the members' graph from their manifests answers exactly
/// ([`crate::model_graph`]).
fn member_files_only(files: &[ChangedFile]) -> bool {
    files
        .iter()
        .flat_map(ChangedFile::paths)
        .all(|path| !crate::affected::rules::changes_the_graph(path))
}

/// [`compute::compute`]; when the answer needs a simulated build and the workspace came from
/// the graph cache (which keeps no guppy graph), the workspace is loaded again with `cargo
/// metadata` and the answer computed on it.
fn compute_loading(
    out: &Output,
    ws: Workspace,
    global: &MetadataOptions,
    config: &Config,
    files: &[ChangedFile],
    rev: &dyn compute::Revisions,
) -> anyhow::Result<(Workspace, Outcome)> {
    let started = std::time::Instant::now();
    let py = discover_python(&ws, config)?;
    out.verbose(format!(
        "python: {} packages and PyO3 crates in {} ms",
        py.packages.len(),
        started.elapsed().as_millis()
    ));
    match compute::compute_with_python(&ws, &config.affected, &py, files, rev) {
        Err(e) if e.downcast_ref::<crate::workspace::NeedsGraph>().is_some() => {
            out.verbose("graph: a build must be simulated, so cargo metadata loads guppy's graph");
            let ws = Workspace::load_uncached(global)?;
            let outcome = compute::compute_with_python(&ws, &config.affected, &py, files, rev)?;
            Ok((ws, outcome))
        }
        outcome => Ok((ws, outcome?)),
    }
}

/// The Python packages of the head workspace (read from its files once per run, never cached:
/// `docs/python.md`), with its PyO3 crates' Python sides (their `pyproject.toml` as the crate
/// load parsed it, when it did).
fn discover_python(
    ws: &Workspace,
    config: &Config,
) -> anyhow::Result<crate::python::PythonWorkspace> {
    let pyo3: Vec<crate::python::Pyo3Crate> = ws
        .members
        .iter()
        .filter(|m| m.kind == crate::model::kind::CrateKind::Pyo3)
        .map(|m| crate::python::Pyo3Crate {
            name: m.name.clone(),
            dir: m.path.clone(),
        })
        .collect();
    crate::python::discover_prefetched(ws.root.as_std_path(), &config.python, &pyo3, &|dir| {
        ws.pyprojects.get(dir)
    })
}

/// The head's configuration, with the command line's overrides.
fn load_config(ws: &Workspace, change: &ChangeOptions) -> anyhow::Result<Config> {
    let mut config = Config::load(ws.root_manifest().as_std_path())?;
    // The graph was built for these platforms; say here what is wrong with the list.
    crate::workspace::Platforms::new(&config.affected.platforms)?;
    if let Some(mode) = change.features_mode {
        config.affected.features_mode = mode;
    }
    Ok(config)
}

/// A workspace load started on another thread, with how long it took.
type EarlyLoad<'scope> = std::thread::ScopedJoinHandle<
    'scope,
    (
        anyhow::Result<(Workspace, crate::cache::Source)>,
        std::time::Duration,
    ),
>;

fn join_load(
    early: EarlyLoad,
) -> anyhow::Result<((Workspace, crate::cache::Source), std::time::Duration)> {
    let (ws, took) = early
        .join()
        .map_err(|_| anyhow::anyhow!("the workspace loading thread panicked"))?;
    Ok((ws?, took))
}

/// [`analyse`] from git: resolve the base, diff, and compute (`early`: the head workspace,
/// already loading).
fn analyse_git(
    global: &MetadataOptions,
    change: &ChangeOptions,
    out: &Output,
    start_dir: &Path,
    early: Option<EarlyLoad>,
    verdict: std::sync::mpsc::Sender<bool>,
) -> anyhow::Result<Analysis> {
    let git = Git::discover(start_dir)?;
    let head_commit = git.head_commit()?;
    let from_pull_request = std::env::var("GITHUB_BASE_REF").is_ok_and(|r| !r.is_empty());
    let base_name = match &change.base {
        Some(b) => b.clone(),
        None => {
            let base = git.default_base()?;
            if !from_pull_request {
                // Not asked for: say which one it is, so an empty answer is not a mystery.
                out.status(
                    "Base",
                    format!("{base} (the default branch; --base chooses another)"),
                );
            }
            base
        }
    };
    let head_rev = match &change.head {
        Some(h) => Some(git.resolve(h)?.ok_or_else(|| {
            UserError::new(
                format!("the head revision `{h}` is unknown to git"),
                "check the name, or fetch it",
            )
        })?),
        None => None,
    };
    let head_for_base = head_rev.clone().unwrap_or_else(|| head_commit.clone());
    let merge_base = match git.base_commit(&base_name, &head_for_base)? {
        Ok(mb) => mb,
        Err(missing) => match change.on_missing_base {
            OnMissingBase::Error => {
                return Err(UserError::new(missing.describe(), missing.help()).into());
            }
            OnMissingBase::All => {
                // No diff will come: the loading thread must not wait for its verdict.
                drop(verdict);
                let ws = match early {
                    Some(early) => join_load(early)?.0.0,
                    None => Workspace::load(global)?,
                };
                let why = format!(
                    "{}; --on-missing-base all marks every crate",
                    missing.describe()
                );
                out.warn(&why);
                let mut outcome = Outcome::default();
                let config = load_config(&ws, change)?;
                let py = discover_python(&ws, &config)?;
                outcome.set_python_packages(&py);
                outcome.mark_all(&ws, why.clone());
                outcome.mark_all_python(&py, &why);
                let prov = provenance(change, base_name, None);
                return Ok((ws, outcome, prov, config));
            }
        },
    };

    // Comparing a commit with itself: only uncommitted changes (or none) can count.
    let same_as_head = (merge_base == head_for_base).then(|| {
        let short = &head_for_base[..head_for_base.len().min(12)];
        if head_rev.is_some() {
            format!(
                "the base `{base_name}` is the head commit {short} itself: nothing changed between them"
            )
        } else {
            format!(
                "the base `{base_name}` is the checked-out commit {short} itself: only uncommitted \
                 changes count (pass --base to compare with another revision)"
            )
        }
    });
    if let Some(note) = &same_as_head {
        out.warn(note);
    }

    // A head other than the working tree needs its own checkout for `cargo metadata`: another
    // commit, or the checked-out one when the working tree differs from it.
    let scratch = match &head_rev {
        Some(rev) if *rev != head_commit || git.working_tree_dirty()? => {
            Some(Scratch::new(&git, rev)?)
        }
        _ => None,
    };
    // Git's diff and cargo's metadata are independent: run them at the same time.
    let (ws, diff) = std::thread::scope(|s| {
        let diff = s.spawn(|| -> anyhow::Result<Vec<ChangedFile>> {
            let diff = git.diff(&merge_base, head_rev.as_deref())?;
            let mut files = parse_name_status(&diff)
                .map_err(|e| UserError::bare(format!("cannot read git's diff: {e}")))?;
            if head_rev.is_none() && change.include_untracked {
                files.extend(git.untracked()?.into_iter().map(ChangedFile::added));
            }
            Ok(files)
        });
        let started = std::time::Instant::now();
        let spinner = out.spinner("Loading");
        spinner.set_message("the workspace graph");
        let diff = diff
            .join()
            .map_err(|_| anyhow::anyhow!("the git diff thread panicked"))?;
        // The loading thread waits for this on a cold cache (see `analyse`).
        let member_files = diff.as_ref().is_ok_and(|files| {
            workspace_prefix_in(&git, global)
                .is_ok_and(|p| member_files_only(&relativize(files.clone(), &p.to_string_lossy())))
        });
        let _ = verdict.send(member_files);
        let ws = match (early, &scratch) {
            (Some(early), _) => join_load(early).map(|(ws, took)| (ws, Some(took))),
            (None, Some(s)) => workspace_prefix_in(&git, global)
                .and_then(|rel| Workspace::load_dir(global, &s.dir.join(&rel)))
                .map(|ws| ((ws, crate::cache::Source::Metadata), None)),
            (None, None) => {
                Workspace::load_for_change(global, || member_files).map(|ws| (ws, None))
            }
        };
        spinner.finish_and_clear();
        if let Ok(((_, source), took)) = &ws {
            let took = took.unwrap_or_else(|| started.elapsed());
            out.verbose(format!(
                "graph: {} in {} ms",
                source.describe(),
                took.as_millis()
            ));
        }
        let ws = ws.map(|((ws, _), _)| ws);
        Ok::<_, anyhow::Error>((ws?, diff?))
    })?;

    let config = load_config(&ws, change)?;
    let prefix = relative_to_toplevel(
        git.toplevel(),
        ws.root.as_std_path(),
        scratch.as_ref().map(|s| s.dir.as_path()),
    )?;
    let files = relativize(diff, &prefix);
    out.verbose(format!(
        "{} changed files since {}",
        files.len(),
        &merge_base[..merge_base.len().min(12)]
    ));
    let rev = GitRevisions {
        git: &git,
        prefix: prefix.clone(),
        base: merge_base.clone(),
        head: head_rev.clone(),
        ws_root: ws.root.clone().into_std_path_buf(),
        base_dirs: RefCell::new(None),
        base_gitlinks: RefCell::new(Vec::new()),
    };
    let (ws, mut outcome) = compute_loading(out, ws, global, &config, &files, &rev)?;
    if let Some(note) = same_as_head {
        outcome.notes.push(note);
    }
    let prov = provenance(change, base_name, Some(merge_base));
    drop(rev);
    if let Some(s) = scratch {
        s.remove(&git);
    }
    Ok((ws, outcome, prov, config))
}

fn provenance(change: &ChangeOptions, base: String, merge_base: Option<String>) -> Provenance {
    Provenance {
        base: Some(base),
        head: change
            .head
            .clone()
            .unwrap_or_else(|| "working-tree".to_string()),
        merge_base,
    }
}

/// A `Cargo.toml` in the start directory or above (or the `--manifest-path` file): without
/// one there is no workspace, whatever git says.
fn require_manifest(global: &MetadataOptions) -> anyhow::Result<()> {
    if let Some(p) = &global.manifest_path {
        if p.is_file() {
            return Ok(());
        }
        return Err(UserError::new(
            format!(
                "no workspace: manifest path `{}` does not exist",
                p.display()
            ),
            "pass the workspace's root Cargo.toml to --manifest-path",
        )
        .into());
    }
    let start = std::env::current_dir()?;
    if start.ancestors().any(|d| d.join("Cargo.toml").is_file()) {
        return Ok(());
    }
    Err(UserError::new(
        format!(
            "no workspace: no Cargo.toml in `{}` or above",
            start.display()
        ),
        "run inside a cargo workspace, or pass --manifest-path to its root Cargo.toml",
    )
    .into())
}

/// The workspace root relative to the repository's top level (`""` when they are the same).
fn relative_to_toplevel(
    toplevel: &Path,
    ws_root: &Path,
    scratch: Option<&Path>,
) -> anyhow::Result<String> {
    let top = scratch.unwrap_or(toplevel);
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (top, root) = (canon(top), canon(ws_root));
    let rel = root.strip_prefix(&top).map_err(|_| {
        UserError::new(
            format!(
                "the workspace at {} is not inside the git repository at {}",
                root.display(),
                top.display()
            ),
            "run inside the repository that holds the workspace, or pass --files",
        )
    })?;
    Ok(members::normalize(&rel.to_string_lossy()))
}

/// For a scratch checkout: where the workspace root sits inside the repository, found the
/// way every command finds it (from `--manifest-path` or the current directory).
fn workspace_prefix_in(git: &Git, global: &MetadataOptions) -> anyhow::Result<PathBuf> {
    let root = crate::model::find_root(global.manifest_path.as_deref())?;
    Ok(PathBuf::from(relative_to_toplevel(
        git.toplevel(),
        &root,
        None,
    )?))
}

/// Make repository-relative paths workspace-relative; files outside the workspace are dropped.
fn relativize(files: Vec<ChangedFile>, prefix: &str) -> Vec<ChangedFile> {
    if prefix.is_empty() {
        return files;
    }
    let strip = |p: &str| {
        p.strip_prefix(prefix)
            .and_then(|r| r.strip_prefix('/'))
            .map(str::to_string)
    };
    files
        .into_iter()
        .filter_map(|mut f| {
            let new = strip(&f.path);
            let old = f.old_path.as_deref().and_then(strip);
            match (new, old) {
                (Some(n), o) => {
                    f.path = n;
                    f.old_path = o;
                    Some(f)
                }
                (None, Some(o)) => {
                    // Moved out of the workspace: what matters is the old path.
                    f.path = o;
                    f.old_path = None;
                    Some(f)
                }
                (None, None) => None,
            }
        })
        .collect()
}

/// An absolute `--files` path relative to the workspace root (`root` as given, or `canon_root`,
/// its canonical form), read as written: `.` and `..` resolved lexically first, as for a
/// relative path. A path under another spelling of the root (a link above it: `/tmp` ->
/// `/private/tmp`) is placed through the canonical form of its longest part that exists, so a
/// deleted folder's file still maps. `None` outside the workspace.
fn absolute_in_root(path: &Path, root: &Path, canon_root: &Path) -> Option<String> {
    let mut lexical = std::path::PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                lexical.pop();
            }
            other => lexical.push(other),
        }
    }
    let inside = |p: &Path| -> Option<String> {
        let r = p
            .strip_prefix(root)
            .or_else(|_| p.strip_prefix(canon_root))
            .ok()?;
        Some(r.to_string_lossy().into_owned())
    };
    if let Some(r) = inside(&lexical) {
        return Some(r);
    }
    let mut base = lexical.clone();
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    while !base.exists() {
        rest.push(base.file_name()?.to_os_string());
        if !base.pop() {
            return None;
        }
    }
    let mut placed = std::fs::canonicalize(&base).ok()?;
    placed.extend(rest.iter().rev());
    inside(&placed)
}

/// `--files` / `--files-from`: paths relative to the workspace root, or absolute.
fn file_list(change: &ChangeOptions, root: &Path) -> anyhow::Result<Vec<ChangedFile>> {
    let mut raw: Vec<String> = change
        .files
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if let Some(from) = &change.files_from {
        let bytes = if from.as_os_str() == "-" {
            let mut buf = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
                .context("failed to read stdin")?;
            buf
        } else {
            std::fs::read(from).map_err(|e| {
                UserError::new(
                    format!("failed to read --files-from {}: {e}", from.display()),
                    "pass an existing file, or - for stdin",
                )
            })?
        };
        raw.extend(parse_file_list(&bytes));
    }
    let canon_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut seen = BTreeSet::new();
    let mut files = Vec::new();
    for p in raw {
        let path = Path::new(&p);
        let rel = if path.is_absolute() {
            match absolute_in_root(path, root, &canon_root) {
                Some(r) => r,
                // Outside the workspace: cannot affect its builds.
                None => continue,
            }
        } else {
            p
        };
        // `a/../b/x.rs`, `a//b`, `./a/./b` name `b/x.rs` and `a/b` (lexically, as git reads a
        // path); one that leaves the root is outside the workspace.
        let Some(rel) = crate::model::relpath::normalize_rel(&rel) else {
            continue;
        };
        if rel.is_empty() {
            continue;
        }
        if seen.insert(rel.clone()) {
            files.push(ChangedFile::unknown(rel));
        }
    }
    Ok(files)
}

/// `--files` mode: no base revision.
struct ListRevisions {
    root: PathBuf,
}

impl Revisions for ListRevisions {
    fn has_base(&self) -> bool {
        false
    }
    fn base_file(&self, _path: &str) -> anyhow::Result<Option<String>> {
        Ok(None)
    }
    fn base_member_dirs(&self) -> anyhow::Result<Vec<String>> {
        Ok(Vec::new())
    }
    fn base_member_name(&self, _dir: &str) -> anyhow::Result<Option<String>> {
        Ok(None)
    }
    fn head_file(&self, path: &str) -> anyhow::Result<Option<String>> {
        crate::fsutil::read_optional(&self.root.join(path))
    }
    fn head_has(&self, path: &str) -> anyhow::Result<bool> {
        crate::fsutil::has_entry(&self.root.join(path))
    }
}

/// Base and head files read through git (the head from disk when it is the working tree).
struct GitRevisions<'g> {
    git: &'g Git,
    /// The workspace root relative to the repository root.
    prefix: String,
    base: String,
    head: Option<String>,
    ws_root: PathBuf,
    base_dirs: RefCell<Option<Vec<String>>>,
    /// The base revision's submodules (workspace-relative path, commit), filled with
    /// `base_dirs`.
    base_gitlinks: RefCell<Vec<(String, String)>>,
}

impl GitRevisions<'_> {
    fn repo_path(&self, path: &str) -> String {
        join(&self.prefix, path)
    }

    fn show(&self, rev: &str, path: &str) -> anyhow::Result<Option<String>> {
        Ok(self
            .git
            .show(rev, &self.repo_path(path))?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    }
}

impl Revisions for GitRevisions<'_> {
    fn has_base(&self) -> bool {
        true
    }

    fn base_file(&self, path: &str) -> anyhow::Result<Option<String>> {
        self.show(&self.base, path)
    }

    fn base_member_dirs(&self) -> anyhow::Result<Vec<String>> {
        if let Some(dirs) = self.base_dirs.borrow().as_ref() {
            return Ok(dirs.clone());
        }
        let tree = self.git.ls_tree_entries(&self.base)?;
        let prefix = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        };
        let mut manifest_dirs = BTreeSet::new();
        let mut gitlinks = Vec::new();
        for entry in &tree {
            let Some(rel) = entry.path.strip_prefix(&prefix) else {
                continue;
            };
            if let Some(commit) = &entry.gitlink {
                // A submodule: its crates are in its own tree, at the commit the base records
                // (read when this clone has it; otherwise they stay unknown).
                for file in self
                    .git
                    .submodule_ls_tree(&entry.path, commit)
                    .unwrap_or_default()
                {
                    if file == "Cargo.toml" {
                        manifest_dirs.insert(rel.to_string());
                    } else if let Some(dir) = file.strip_suffix("/Cargo.toml") {
                        manifest_dirs.insert(join(rel, dir));
                    }
                }
                gitlinks.push((rel.to_string(), commit.clone()));
                continue;
            }
            if let Some(dir) = rel.strip_suffix("/Cargo.toml") {
                manifest_dirs.insert(dir.to_string());
            }
        }
        *self.base_gitlinks.borrow_mut() = gitlinks;
        // The base root manifest's member globs decide; if it cannot be read, every directory
        // with a Cargo.toml counts (never lose a crate).
        let root = self.base_file("Cargo.toml")?;
        let spec = root
            .as_deref()
            .and_then(|t| toml::from_str::<toml::Table>(t).ok())
            .and_then(|t| t.get("workspace").and_then(|w| w.as_table()).cloned());
        let dirs: Vec<String> = match spec {
            Some(ws) => {
                let strings = |key: &str| members::string_list(&ws, key);
                match members::expand(&strings("members"), &strings("exclude"), &manifest_dirs) {
                    Ok(found) => found.into_iter().collect(),
                    Err(_) => manifest_dirs.into_iter().collect(),
                }
            }
            None => manifest_dirs.into_iter().collect(),
        };
        *self.base_dirs.borrow_mut() = Some(dirs.clone());
        Ok(dirs)
    }

    fn base_member_name(&self, dir: &str) -> anyhow::Result<Option<String>> {
        let mut manifest = self.show(&self.base, &join(dir, "Cargo.toml"))?;
        if manifest.is_none() {
            // Inside a submodule: read it from the submodule at the commit the base records.
            let gitlinks = self.base_gitlinks.borrow();
            let within = gitlinks.iter().find_map(|(path, commit)| {
                let rest = dir.strip_prefix(path.as_str())?;
                match rest.strip_prefix('/') {
                    Some(rest) => Some((path, commit, rest)),
                    None => rest.is_empty().then_some((path, commit, rest)),
                }
            });
            if let Some((path, commit, rest)) = within {
                manifest = self
                    .git
                    .submodule_show(&self.repo_path(path), commit, &join(rest, "Cargo.toml"))
                    .map(|b| String::from_utf8_lossy(&b).into_owned());
            }
        }
        Ok(manifest
            .as_deref()
            .and_then(|t| toml::from_str::<toml::Table>(t).ok())
            .and_then(|t| t.get("package")?.get("name")?.as_str().map(str::to_string)))
    }

    fn head_file(&self, path: &str) -> anyhow::Result<Option<String>> {
        match &self.head {
            Some(rev) => self.show(rev, path),
            None => crate::fsutil::read_optional(&self.ws_root.join(path)),
        }
    }
    fn head_has(&self, path: &str) -> anyhow::Result<bool> {
        match &self.head {
            // A blob, a tree or a link (git shows each).
            Some(rev) => Ok(self.git.show(rev, &self.repo_path(path))?.is_some()),
            None => crate::fsutil::has_entry(&self.ws_root.join(path)),
        }
    }
}

/// A temporary checkout of the head revision, removed when done.
struct Scratch {
    dir: PathBuf,
    _tmp: tempfile::TempDir,
}

impl Scratch {
    fn new(git: &Git, rev: &str) -> anyhow::Result<Scratch> {
        let tmp = tempfile::Builder::new()
            .prefix("ccworkspace-head-")
            .tempdir()
            .context("failed to create a temporary directory for the head checkout")?;
        let dir = tmp.path().join("tree");
        git.worktree_add(&dir, rev)?;
        // A worktree has no submodules checked out: copy each one this clone has, at the
        // commit `rev` records, so that crates inside them load (read-only, no `.git`).
        let has_submodules = git.show(rev, ".gitmodules")?.is_some();
        for entry in has_submodules
            .then(|| git.ls_tree_entries(rev))
            .transpose()?
            .unwrap_or_default()
        {
            if let Some(commit) = &entry.gitlink {
                let index = tmp.path().join("submodule-index");
                git.submodule_export(&entry.path, commit, &dir.join(&entry.path), &index);
                let _ = std::fs::remove_file(&index);
            }
        }
        Ok(Scratch { dir, _tmp: tmp })
    }

    fn remove(self, git: &Git) {
        // Best effort: the temporary directory goes away with `_tmp` either way.
        let _ = git.worktree_remove(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relativize_keeps_workspace_paths_and_drops_the_rest() {
        let files = vec![
            ChangedFile::unknown("ws/a/src/lib.rs"),
            ChangedFile::unknown("other/x.rs"),
            ChangedFile {
                path: "elsewhere/b.rs".into(),
                status: crate::affected::changed::FileStatus::Renamed,
                old_path: Some("ws/b/src/lib.rs".into()),
                submodule: false,
            },
        ];
        let out = relativize(files, "ws");
        let paths: Vec<&str> = out.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, vec!["a/src/lib.rs", "b/src/lib.rs"]);
    }
}
