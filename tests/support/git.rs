//! Git repositories in temporary directories, for integration tests.
//!
//! Every helper panics with git's stderr on failure: in a test that is the most useful outcome.

// Each test file uses a different subset of these helpers, so `expect` would fail somewhere.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A git work tree owned by a test.
#[derive(Debug, Clone)]
pub struct Repo {
    pub dir: PathBuf,
}

impl Repo {
    /// `git init -b main` in `dir` (created if missing), with a local identity and no signing,
    /// so the user's global git config cannot break the test.
    pub fn init(dir: &Path) -> Repo {
        fs::create_dir_all(dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
        let repo = Repo {
            dir: dir.to_path_buf(),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.name", "ccworkspace tests"]);
        repo.git(&["config", "user.email", "tests@ccworkspace.invalid"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo.git(&["config", "core.autocrlf", "false"]);
        repo
    }

    /// Opens an existing work tree without touching it.
    pub fn open(dir: &Path) -> Repo {
        Repo {
            dir: dir.to_path_buf(),
        }
    }

    /// Runs git in the work tree; returns trimmed stdout, panics with stderr on failure.
    pub fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(&self.dir)
            // Keep the environment of the test runner (e.g. GIT_DIR set by a hook) out.
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap_or_else(|e| panic!("failed to run git {args:?}: {e}"));
        if !out.status.success() {
            panic!(
                "git {args:?} failed in {} ({}):\n{}",
                self.dir.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// The absolute path of `rel`.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    /// The contents of `rel`.
    pub fn read(&self, rel: &str) -> String {
        let path = self.path(rel);
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }

    /// Writes `rel` (creating parent directories).
    pub fn write(&self, rel: &str, contents: &str) {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("mkdir {}: {e}", parent.display()));
        }
        fs::write(&path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }

    /// Appends `text` to `rel` (creating it if missing).
    pub fn append(&self, rel: &str, text: &str) {
        let mut contents = fs::read_to_string(self.path(rel)).unwrap_or_default();
        contents.push_str(text);
        self.write(rel, &contents);
    }

    /// Replaces the first occurrence of `from` in `rel`; panics when it is not there.
    pub fn replace(&self, rel: &str, from: &str, to: &str) {
        let contents = self.read(rel);
        assert!(contents.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &contents.replacen(from, to, 1));
    }

    /// Removes a file or a whole directory from the work tree.
    pub fn remove(&self, rel: &str) {
        let path = self.path(rel);
        let res = if path.is_dir() {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        res.unwrap_or_else(|e| panic!("remove {}: {e}", path.display()));
    }

    /// `git mv from to` (creating the destination's parent directory).
    pub fn rename(&self, from: &str, to: &str) {
        if let Some(parent) = self.path(to).parent() {
            fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("mkdir {}: {e}", parent.display()));
        }
        self.git(&["mv", from, to]);
    }

    /// `git add -A` and commit everything; returns the new commit's id.
    pub fn commit_all(&self, msg: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "--no-verify", "-m", msg]);
        self.head()
    }

    /// The id of `HEAD`.
    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"])
    }
}

/// Copies `src` into `dst` recursively, skipping `target/` directories (build output) and
/// `.git`. A symlink is copied as a link with the same target (the example's
/// `login_tokens/src/token_policy.rs` is one, as git stores it), not as the file it points to.
pub fn copy_dir(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).unwrap_or_else(|e| panic!("mkdir {}: {e}", dst.display()));
    let entries = fs::read_dir(src).unwrap_or_else(|e| panic!("read {}: {e}", src.display()));
    for entry in entries {
        let entry = entry.unwrap_or_else(|e| panic!("read {}: {e}", src.display()));
        let name = entry.file_name();
        let from = entry.path();
        let to = dst.join(&name);
        let kind = entry
            .file_type()
            .unwrap_or_else(|e| panic!("stat {}: {e}", from.display()));
        if kind.is_symlink() {
            let target =
                fs::read_link(&from).unwrap_or_else(|e| panic!("readlink {}: {e}", from.display()));
            std::os::unix::fs::symlink(&target, &to)
                .unwrap_or_else(|e| panic!("symlink {}: {e}", to.display()));
        } else if kind.is_dir() {
            if name == "target" || name == ".git" || name == ".venv" {
                continue;
            }
            copy_dir(&from, &to);
        } else {
            fs::copy(&from, &to)
                .unwrap_or_else(|e| panic!("copy {} -> {}: {e}", from.display(), to.display()));
        }
    }
}
