//! The only place that spawns `git`.
//!
//! Every call goes through [`Git::run`], which turns a missing `git`, a non-zero exit and
//! git's own message into an error that says what failed and what to do.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use anyhow::Context;

use crate::errors::UserError;

/// A git repository, reached through the `git` on `PATH`.
#[derive(Debug, Clone)]
pub struct Git {
    toplevel: PathBuf,
}

/// One entry of `git ls-tree -r`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    /// Relative to the repository root.
    pub path: String,
    /// For a gitlink (a submodule), the commit it records.
    pub gitlink: Option<String>,
}

/// Why a revision could not be used as the base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MissingBase {
    /// The name resolves to no commit.
    Unknown { rev: String, shallow: bool },
    /// Both exist but have no common ancestor in this clone.
    NoMergeBase { rev: String, shallow: bool },
}

impl MissingBase {
    /// A sentence for messages and the JSON report.
    pub fn describe(&self) -> String {
        match self {
            MissingBase::Unknown { rev, shallow: true } => {
                format!("the base revision `{rev}` is not in this shallow clone")
            }
            MissingBase::Unknown {
                rev,
                shallow: false,
            } => {
                format!("the base revision `{rev}` is unknown to git")
            }
            MissingBase::NoMergeBase { rev, shallow: true } => format!(
                "`{rev}` and the head have no common ancestor in this shallow clone (the history is cut off)"
            ),
            MissingBase::NoMergeBase {
                rev,
                shallow: false,
            } => {
                format!(
                    "`{rev}` and the head have no common ancestor: the base is not an ancestor of this branch"
                )
            }
        }
    }

    /// The fix to name.
    pub fn help(&self) -> String {
        match self {
            MissingBase::Unknown { shallow: true, .. } | MissingBase::NoMergeBase { shallow: true, .. } => {
                "fetch enough history: set `fetch-depth: 0` in actions/checkout, or run \
                 `git fetch --deepen=100` (or `git fetch --unshallow`); or pass \
                 --on-missing-base all to build everything"
                    .to_string()
            }
            MissingBase::Unknown { rev, .. } => format!(
                "check the name, or fetch it (`git fetch origin {}`); or pass \
                 --on-missing-base all to build everything",
                rev.strip_prefix("origin/").unwrap_or(rev)
            ),
            MissingBase::NoMergeBase { .. } => {
                "pass a --base that shares history with the head, or --on-missing-base all to build everything"
                    .to_string()
            }
        }
    }
}

impl Git {
    /// The repository that holds `dir`.
    pub fn discover(dir: &Path) -> anyhow::Result<Git> {
        let out = raw(dir, ["rev-parse", "--show-toplevel"])?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            return Err(UserError::new(
                format!(
                    "{} is not inside a git repository: {}",
                    dir.display(),
                    stderr.trim()
                ),
                "run inside the repository's clone, or pass the changed paths with --files / --files-from",
            )
            .into());
        }
        let top = String::from_utf8_lossy(&out.stdout).trim().to_string();
        Ok(Git {
            toplevel: PathBuf::from(top),
        })
    }

    /// The repository's top-level directory.
    pub fn toplevel(&self) -> &Path {
        &self.toplevel
    }

    /// Run git with these arguments in the top-level directory and return stdout.
    pub fn run<I, S>(&self, args: I) -> anyhow::Result<Vec<u8>>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<std::ffi::OsString> =
            args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let out = raw(&self.toplevel, &args)?;
        if !out.status.success() {
            let shown: Vec<String> = args
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            return Err(UserError::bare(format!(
                "`git {}` failed in {}: {}",
                shown.join(" "),
                self.toplevel.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ))
            .into());
        }
        Ok(out.stdout)
    }

    fn run_string<I, S>(&self, args: I) -> anyhow::Result<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Ok(String::from_utf8_lossy(&self.run(args)?).trim().to_string())
    }

    /// Whether the clone is shallow.
    pub fn is_shallow(&self) -> anyhow::Result<bool> {
        Ok(self.run_string(["rev-parse", "--is-shallow-repository"])? == "true")
    }

    /// The commit a revision names, or `None` when it names none.
    pub fn resolve(&self, rev: &str) -> anyhow::Result<Option<String>> {
        let spec = format!("{rev}^{{commit}}");
        let out = raw(
            &self.toplevel,
            [
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                spec.as_str(),
            ],
        )?;
        Ok(out
            .status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string()))
    }

    /// `HEAD`'s commit; an error that says so when the repository has no commits.
    pub fn head_commit(&self) -> anyhow::Result<String> {
        self.resolve("HEAD")?.ok_or_else(|| {
            UserError::new(
                format!(
                    "the repository at {} has no commits yet",
                    self.toplevel.display()
                ),
                "commit first, or pass the changed paths with --files / --files-from",
            )
            .into()
        })
    }

    /// The best common ancestor of two commits, or `None`.
    pub fn merge_base(&self, a: &str, b: &str) -> anyhow::Result<Option<String>> {
        let out = raw(&self.toplevel, ["merge-base", a, b])?;
        match out.status.code() {
            Some(0) => Ok(Some(
                String::from_utf8_lossy(&out.stdout).trim().to_string(),
            )),
            Some(1) => Ok(None),
            _ => Err(UserError::bare(format!(
                "`git merge-base {a} {b}` failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))
            .into()),
        }
    }

    /// The default base: `origin/$GITHUB_BASE_REF` in a pull request, else the remote's default
    /// branch (`origin/HEAD`, `origin/main`, `origin/master`), else `main` or `master`.
    ///
    /// Returns the name to use; whether it resolves is checked by the caller.
    pub fn default_base(&self) -> anyhow::Result<String> {
        if let Some(base_ref) = std::env::var("GITHUB_BASE_REF")
            .ok()
            .filter(|r| !r.is_empty())
        {
            return Ok(format!("origin/{base_ref}"));
        }
        let out = raw(
            &self.toplevel,
            [
                "symbolic-ref",
                "--quiet",
                "--short",
                "refs/remotes/origin/HEAD",
            ],
        )?;
        if out.status.success() {
            let name = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if !name.is_empty() {
                return Ok(name);
            }
        }
        for candidate in ["origin/main", "origin/master", "main", "master"] {
            if self.resolve(candidate)?.is_some() {
                return Ok(candidate.to_string());
            }
        }
        Err(UserError::new(
            "no base revision: GITHUB_BASE_REF is not set, and none of origin/HEAD, origin/main, \
             origin/master, main, master exists",
            "pass --base REV (for example --base origin/develop)",
        )
        .into())
    }

    /// The merge base of `base` and `head`, or why there is none.
    pub fn base_commit(
        &self,
        base: &str,
        head: &str,
    ) -> anyhow::Result<Result<String, MissingBase>> {
        let shallow = self.is_shallow()?;
        let Some(base_commit) = self.resolve(base)? else {
            return Ok(Err(MissingBase::Unknown {
                rev: base.to_string(),
                shallow,
            }));
        };
        match self.merge_base(&base_commit, head)? {
            Some(mb) => Ok(Ok(mb)),
            None => Ok(Err(MissingBase::NoMergeBase {
                rev: base.to_string(),
                shallow,
            })),
        }
    }

    /// `git diff -z --raw -M` between `from` and `to` (or the working tree when `to` is
    /// `None`), as git printed it: paths relative to the repository root, renames with both
    /// paths, deletions included, and the modes that mark a submodule's gitlink (a submodule
    /// checked out at another commit, or with edits, counts: `--ignore-submodules=none`).
    /// `affected::changed::parse_name_status` reads it.
    pub fn diff(&self, from: &str, to: Option<&str>) -> anyhow::Result<Vec<u8>> {
        let mut args = vec![
            "diff",
            "-z",
            "--raw",
            "-M",
            "--no-ext-diff",
            "--no-textconv",
            "--ignore-submodules=none",
            from,
        ];
        args.extend(to);
        args.push("--");
        self.run(&args)
    }

    /// Whether the working tree differs from the checked-out commit: staged, unstaged or
    /// untracked (not ignored) files.
    pub fn working_tree_dirty(&self) -> anyhow::Result<bool> {
        let out = self.run(["status", "--porcelain", "-z", "--untracked-files=normal"])?;
        Ok(!out.is_empty())
    }

    /// Untracked files that are not ignored, relative to the repository root.
    pub fn untracked(&self) -> anyhow::Result<Vec<String>> {
        let out = self.run(["ls-files", "-z", "--others", "--exclude-standard"])?;
        Ok(out
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect())
    }

    /// The contents of `path` (relative to the repository root) at `rev`; `None` if absent.
    pub fn show(&self, rev: &str, path: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let spec = format!("{rev}:{path}");
        let out = raw(&self.toplevel, ["cat-file", "blob", spec.as_str()])?;
        Ok(out.status.success().then_some(out.stdout))
    }

    /// Every blob and gitlink in the tree of `rev` (`git ls-tree -r`), relative to the
    /// repository root; a gitlink (a submodule, mode 160000) carries its commit.
    pub fn ls_tree_entries(&self, rev: &str) -> anyhow::Result<Vec<TreeEntry>> {
        let out = self.run(["ls-tree", "-r", "-z", "--full-tree", rev])?;
        Ok(out
            .split(|b| *b == 0)
            .filter_map(|record| {
                // `<mode> SP <type> SP <object> TAB <path>`.
                let tab = record.iter().position(|b| *b == b'\t')?;
                let head = String::from_utf8_lossy(&record[..tab]);
                let mut fields = head.split(' ');
                let (_mode, kind, object) = (fields.next()?, fields.next()?, fields.next()?);
                Some(TreeEntry {
                    path: String::from_utf8_lossy(&record[tab + 1..]).into_owned(),
                    gitlink: (kind == "commit").then(|| object.to_string()),
                })
            })
            .collect())
    }

    /// The repository of the submodule at `path` (relative to the repository root): its
    /// checkout when it has one, else its git directory under `.git/modules/` (kept after
    /// `git submodule deinit` or `git rm`). `None` when neither exists: the submodule was
    /// never cloned here.
    fn submodule_args(&self, path: &str) -> Option<Vec<std::ffi::OsString>> {
        self.submodule_args_into(path, None)
    }

    /// [`Git::submodule_args`], with the submodule's files written to (or read from)
    /// `work_tree` instead of its own checkout.
    fn submodule_args_into(
        &self,
        path: &str,
        work_tree: Option<&Path>,
    ) -> Option<Vec<std::ffi::OsString>> {
        let checkout = self.toplevel.join(path);
        if checkout.join(".git").exists() {
            let mut args = vec!["-C".into(), checkout.into_os_string()];
            if let Some(w) = work_tree {
                args.extend(["--work-tree".into(), w.as_os_str().to_owned()]);
            }
            return Some(args);
        }
        let common = self
            .run_string(["rev-parse", "--path-format=absolute", "--git-common-dir"])
            .ok()?;
        let dir = Path::new(&common).join("modules").join(path);
        // Its `core.worktree` names the removed checkout, where git would `chdir`: any
        // existing directory does for reading objects.
        let work_tree = work_tree.map_or_else(|| dir.clone(), Path::to_path_buf);
        dir.is_dir().then(|| {
            vec![
                "--git-dir".into(),
                dir.into_os_string(),
                "--work-tree".into(),
                work_tree.into_os_string(),
            ]
        })
    }

    /// Write the files of the submodule at `path`, at its commit `commit`, into `dest` (an
    /// absolute directory): a plain copy to read, with no `.git`, made through the temporary
    /// index file `index` so that nothing of the submodule's own checkout or index changes.
    /// `false` when the submodule or that commit is not in this clone.
    pub fn submodule_export(&self, path: &str, commit: &str, dest: &Path, index: &Path) -> bool {
        let Some(args) = self.submodule_args_into(path, Some(dest)) else {
            return false;
        };
        if std::fs::create_dir_all(dest).is_err() {
            return false;
        }
        let steps: [&[&str]; 2] = [&["read-tree", commit], &["checkout-index", "-a", "-f"]];
        steps.iter().all(|step| {
            Command::new("git")
                .args(&args)
                .args(*step)
                .current_dir(&self.toplevel)
                .env("GIT_OPTIONAL_LOCKS", "0")
                .env("GIT_INDEX_FILE", index)
                .stdin(Stdio::null())
                .output()
                .is_ok_and(|o| o.status.success())
        })
    }

    /// Every file path in the submodule at `path` at its commit `commit`, relative to the
    /// submodule; `None` when the submodule or that commit is not in this clone.
    pub fn submodule_ls_tree(&self, path: &str, commit: &str) -> Option<Vec<String>> {
        let mut args = self.submodule_args(path)?;
        args.extend(["ls-tree", "-r", "-z", "--name-only", "--full-tree", commit].map(Into::into));
        let out = raw(&self.toplevel, &args).ok()?;
        out.status.success().then(|| {
            out.stdout
                .split(|b| *b == 0)
                .filter(|p| !p.is_empty())
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect()
        })
    }

    /// The contents of `file` (relative to the submodule at `path`) at its commit `commit`;
    /// `None` when absent or not in this clone.
    pub fn submodule_show(&self, path: &str, commit: &str, file: &str) -> Option<Vec<u8>> {
        let mut args = self.submodule_args(path)?;
        args.extend([
            "cat-file".into(),
            "blob".into(),
            format!("{commit}:{file}").into(),
        ]);
        let out = raw(&self.toplevel, &args).ok()?;
        out.status.success().then_some(out.stdout)
    }

    /// Check out `rev` into a new detached worktree at `dir`.
    pub fn worktree_add(&self, dir: &Path, rev: &str) -> anyhow::Result<()> {
        self.run([
            OsStr::new("worktree"),
            OsStr::new("add"),
            OsStr::new("--detach"),
            OsStr::new("--quiet"),
            dir.as_os_str(),
            OsStr::new(rev),
        ])
        .map(|_| ())
    }

    /// Remove a worktree made by [`Git::worktree_add`].
    pub fn worktree_remove(&self, dir: &Path) -> anyhow::Result<()> {
        self.run([
            OsStr::new("worktree"),
            OsStr::new("remove"),
            OsStr::new("--force"),
            dir.as_os_str(),
        ])
        .map(|_| ())
    }
}

/// The directories (relative to `dir`, with `/`) of every `Cargo.toml` git tracks at or under
/// `dir`: the index, so committed and staged files. `None` when `dir` is not in a git work
/// tree or git cannot answer (the caller then walks the directory itself).
///
/// The index is read directly when its layout is the plain one ([`crate::gitindex`]), else
/// `git ls-files` answers. Either is one read of the index instead of a listing of every
/// directory (at 500 crates, 0.2 ms in-process, 2–3 ms for `git ls-files`, 7 ms for a walk).
pub fn tracked_manifest_dirs(dir: &Path) -> Option<Vec<String>> {
    let paths = match crate::gitindex::paths_under(dir) {
        Some(paths) => paths,
        None => ls_files_manifests(dir)?,
    };
    Some(
        paths
            .iter()
            .filter_map(|p| std::str::from_utf8(p).ok())
            .filter_map(|p| p.strip_suffix("Cargo.toml"))
            .filter(|d| d.is_empty() || d.ends_with('/'))
            .map(|d| d.trim_end_matches('/').to_string())
            .collect(),
    )
}

/// `git ls-files` for every `Cargo.toml` at or under `dir` (paths relative to `dir`).
pub fn ls_files_manifests(dir: &Path) -> Option<Vec<Vec<u8>>> {
    let out = raw(
        dir,
        ["ls-files", "-z", "--", ":(glob)**/Cargo.toml", "Cargo.toml"],
    )
    .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(
        out.stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(<[u8]>::to_vec)
            .collect(),
    )
}

fn raw<I, S>(dir: &Path, args: I) -> anyhow::Result<Output>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                anyhow::Error::new(UserError::new(
                    "git is not installed (no `git` on PATH)",
                    "install git, or pass the changed paths with --files / --files-from",
                ))
            } else {
                anyhow::Error::new(e)
            }
        })
        .context("failed to run git")
}
