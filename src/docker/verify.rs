//! `dockerfile --verify`: rebuild an image's build context as BuildKit would send it, and read
//! what cargo says about it.
//!
//! The context is the workspace tree filtered by the image's `Dockerfile.dockerignore` (the
//! [`IgnoreFile`] matcher, as BuildKit applies it), walked without following links (a link is
//! sent as a link), with the trimmed root manifest the Dockerfile embeds written as the root
//! `Cargo.toml`. The command runs cargo (and maturin) in it; this module holds the parts that
//! need no process: the context copy, the build command's words, and the missing file named
//! by an error.

use std::collections::{BTreeSet, HashSet};
use std::path::{Component, Path, PathBuf};

use super::ignore::IgnoreFile;

/// One file (or link) of the workspace tree, as BuildKit walks it: a path relative to the root
/// (`/`-separated), and whether it is a link (sent as a link, never followed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    pub path: String,
    pub is_link: bool,
}

/// Every file and link under `root`, walked once for all images, without following links.
/// The root's `.git` and `target` folders are not walked: no generated ignore file admits them
/// (`extra-files` inside them are not verified).
pub fn tree(root: &Path) -> std::io::Result<Vec<TreeEntry>> {
    let mut entries = Vec::new();
    walk(root, "", &mut entries)?;
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(entries)
}

fn walk(root: &Path, rel: &str, entries: &mut Vec<TreeEntry>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(root.join(rel))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let child = if rel.is_empty() {
            if name == ".git" || name == "target" {
                continue;
            }
            name
        } else {
            format!("{rel}/{name}")
        };
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(root, &child, entries)?;
        } else {
            entries.push(TreeEntry {
                path: child,
                is_link: kind.is_symlink(),
            });
        }
    }
    Ok(())
}

/// One image's build context on disk, kept from image to image: [`Context::sync`] turns the
/// previous image's context into the next one's by removing and adding only the files that
/// differ (most closures share most folders), so a run over many images creates each folder
/// once, not once per image. The folder's path stays the same, so cargo's package ids (and a
/// shared target directory's fingerprints) stay valid from one image to the next.
#[derive(Debug)]
pub struct Context {
    dir: PathBuf,
    /// For a build: copies (a build step may write to a file), emptied folders removed, and
    /// kept files checked against the workspace's. Otherwise (`cargo metadata` only, which
    /// writes nothing but the lockfile): hard links where the file system allows, and emptied
    /// folders kept (cargo reads no folder outside the admitted packages).
    build: bool,
    /// The admitted entries now in `dir` (paths relative to it).
    present: BTreeSet<String>,
    /// Folders known to exist under `dir`.
    dirs: HashSet<PathBuf>,
}

/// The context's root manifest: the trimmed one the Dockerfile embeds.
const ROOT_MANIFEST: &str = "Cargo.toml";

/// The root files the steps may write into a context: cargo writes the lockfile when the
/// trimmed workspace's resolve differs, or when none was admitted. They are removed or copied
/// afresh before every image.
const WRITTEN_BY_STEPS: &[&str] = &["Cargo.lock"];

impl Context {
    /// An empty context in `dir` (created on the first [`Context::sync`]), for `cargo
    /// metadata` only or (`build`) for a build too.
    pub fn new(dir: PathBuf, build: bool) -> Self {
        Context {
            dir,
            build,
            present: BTreeSet::new(),
            dirs: HashSet::new(),
        }
    }

    /// The context's folder: the image's `/work`.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Make the folder hold exactly what `ignore` admits of `tree` (copied from `root`, links
    /// kept as links, modification times kept so cargo's fingerprints of a file are the
    /// workspace's), with `manifest` as the root `Cargo.toml`. For a build, a file kept from
    /// the previous image is copied again when its length or modification time no longer
    /// matches the workspace's (a build step changed it). Returns the admitted paths, sorted.
    ///
    /// Errors: any I/O error creating, copying or removing a file.
    pub fn sync(
        &mut self,
        root: &Path,
        tree: &[TreeEntry],
        ignore: &IgnoreFile,
        manifest: &str,
    ) -> std::io::Result<Vec<String>> {
        let entries: Vec<&TreeEntry> = admitted(tree, ignore)
            .into_iter()
            .map(|i| &tree[i])
            .collect();
        self.sync_admitted(root, &entries, manifest)?;
        Ok(entries.iter().map(|e| e.path.clone()).collect())
    }

    /// [`Context::sync`] with the entries the ignore file admits already picked
    /// ([`admitted`]).
    pub fn sync_admitted(
        &mut self,
        root: &Path,
        admitted: &[&TreeEntry],
        manifest: &str,
    ) -> std::io::Result<()> {
        // The root manifest is the Dockerfile's own (its COPY replaces whatever the context
        // sent): written fresh below, never linked to the workspace's, whose file a write
        // through a hard link (or a symbolic one) would replace.
        let admitted: Vec<&TreeEntry> = admitted
            .iter()
            .copied()
            .filter(|e| e.path != ROOT_MANIFEST)
            .collect();
        let admitted = admitted.as_slice();
        let wanted: BTreeSet<&str> = admitted.iter().map(|e| e.path.as_str()).collect();
        let written = written_through(root, admitted);
        for written in WRITTEN_BY_STEPS {
            if !self.present.contains(*written) {
                remove_if_there(&self.dir.join(written))?;
            }
        }
        let gone: Vec<String> = self
            .present
            .iter()
            .filter(|p| !wanted.contains(p.as_str()))
            .cloned()
            .collect();
        for path in &gone {
            remove_if_there(&self.dir.join(path))?;
            self.present.remove(path);
        }
        if self.build {
            self.remove_empty_folders(&gone);
        }
        if self.dirs.insert(self.dir.clone()) {
            std::fs::create_dir_all(&self.dir)?;
        }
        for entry in admitted {
            let dst = self.dir.join(&entry.path);
            let again = written.contains(&entry.path)
                || (self.build && !entry.is_link && changed(&root.join(&entry.path), &dst));
            if self.present.contains(&entry.path) && !again {
                continue;
            }
            if let Some(parent) = dst.parent()
                && !self.dirs.contains(parent)
            {
                std::fs::create_dir_all(parent)?;
                let mut at = parent;
                while at != self.dir && self.dirs.insert(at.to_path_buf()) {
                    let Some(up) = at.parent() else { break };
                    at = up;
                }
            }
            if again {
                remove_if_there(&dst)?;
            }
            let src = root.join(&entry.path);
            if entry.is_link {
                link(&std::fs::read_link(&src)?, &dst)?;
            } else {
                let may_link = !self.build && !written.contains(&entry.path);
                if !(may_link && std::fs::hard_link(&src, &dst).is_ok()) {
                    copy_keeping_mtime(&src, &dst)?;
                }
            }
            self.present.insert(entry.path.clone());
        }
        let at = self.dir.join(ROOT_MANIFEST);
        remove_if_there(&at)?;
        std::fs::write(at, manifest)
    }

    /// Remove the folders that removing `gone` emptied, deepest first.
    fn remove_empty_folders(&mut self, gone: &[String]) {
        let mut folders: BTreeSet<PathBuf> = BTreeSet::new();
        for path in gone {
            let mut at = Path::new(path).parent();
            while let Some(folder) = at.filter(|f| !f.as_os_str().is_empty()) {
                folders.insert(folder.to_path_buf());
                at = folder.parent();
            }
        }
        // Longer paths first: a folder's children before the folder.
        for folder in folders.iter().rev() {
            let full = self.dir.join(folder);
            if std::fs::remove_dir(&full).is_ok() {
                self.dirs.remove(&full);
            }
        }
    }
}

/// The indices of the entries of `tree` that `ignore` admits, ascending (the tree is sorted
/// by path, so are they).
pub fn admitted(tree: &[TreeEntry], ignore: &IgnoreFile) -> Vec<usize> {
    tree.iter()
        .enumerate()
        .filter(|(_, e)| !ignore.is_excluded(&e.path))
        .map(|(i, _)| i)
        .collect()
}

/// An order of `sets` (each a sorted list of indices into one tree) in which each set is
/// followed by the one nearest to it among those left (fewest indices in one and not the
/// other; greedy, from the first): a [`Context`] turned from image to image in this order adds
/// and removes fewer files and creates fewer folders.
pub fn nearest_neighbour_order(sets: &[&[usize]], universe: usize) -> Vec<usize> {
    let words = universe.div_ceil(64);
    let bits: Vec<Vec<u64>> = sets
        .iter()
        .map(|set| {
            let mut b = vec![0u64; words];
            for &i in set.iter() {
                b[i / 64] |= 1 << (i % 64);
            }
            b
        })
        .collect();
    let distance =
        |a: &[u64], b: &[u64]| -> u32 { a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum() };
    let mut left: Vec<usize> = (0..sets.len()).collect();
    let mut order = Vec::with_capacity(sets.len());
    let Some(first) = left.first().copied() else {
        return order;
    };
    left.remove(0);
    order.push(first);
    let mut at = first;
    while let Some((pos, _)) = left
        .iter()
        .enumerate()
        .min_by_key(|&(pos, &j)| (distance(&bits[at], &bits[j]), pos))
    {
        at = left.remove(pos);
        order.push(at);
    }
    order
}

/// The admitted files a step may write: [`WRITTEN_BY_STEPS`], and when one of those is a
/// link, the admitted file it leads to (cargo writes the lockfile through a link). These are
/// copied afresh for every image, never hard-linked to the workspace's.
fn written_through(root: &Path, admitted: &[&TreeEntry]) -> HashSet<String> {
    let mut written: HashSet<String> = WRITTEN_BY_STEPS.iter().map(|p| p.to_string()).collect();
    for start in WRITTEN_BY_STEPS {
        let mut at = start.to_string();
        // Follow a chain of links inside the context, a few steps at most.
        for _ in 0..8 {
            let Some(entry) = admitted.iter().find(|e| e.path == at) else {
                break;
            };
            if !entry.is_link {
                break;
            }
            let Ok(target) = std::fs::read_link(root.join(&at)) else {
                break;
            };
            if target.is_absolute() {
                break;
            }
            let base = Path::new(&at).parent().unwrap_or(Path::new(""));
            // Lexically cleaned; a path leaving the context stays as it is and matches nothing.
            let next = relative(&base.join(&target).display().to_string(), Path::new("/"));
            written.insert(next.clone());
            at = next;
        }
    }
    written
}

fn remove_if_there(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Whether the context's copy `dst` no longer matches `src` (length or modification time).
fn changed(src: &Path, dst: &Path) -> bool {
    match (std::fs::metadata(src), std::fs::symlink_metadata(dst)) {
        (Ok(s), Ok(d)) => s.len() != d.len() || s.modified().ok() != d.modified().ok(),
        _ => true,
    }
}

fn copy_keeping_mtime(src: &Path, dst: &Path) -> std::io::Result<()> {
    std::fs::copy(src, dst)?;
    let modified = std::fs::metadata(src)?.modified()?;
    std::fs::File::options()
        .write(true)
        .open(dst)?
        .set_modified(modified)
}

#[cfg(unix)]
fn link(target: &Path, at: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, at)
}

#[cfg(not(unix))]
fn link(target: &Path, at: &Path) -> std::io::Result<()> {
    std::fs::copy(target, at).map(|_| ())
}

/// The words of the first command of a Dockerfile build command (up to the first unquoted
/// `&&`), as sh reads the plain and single-quoted words [`super::quote::sh_word`] writes.
/// and backslash escapes outside quotes. `None` for anything else (double quotes, `$`, ...).
pub fn first_command(command: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => w.push(c),
                        None => return None,
                    }
                }
            }
            '\\' => word.get_or_insert_with(String::new).push(chars.next()?),
            '&' if word.is_none() && chars.peek() == Some(&'&') => break,
            c if c.is_whitespace() => {
                if let Some(w) = word.take() {
                    words.push(w);
                }
            }
            '"' | '$' | '`' | ';' | '|' | '&' | '<' | '>' | '(' | ')' => return None,
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    if let Some(w) = word {
        words.push(w);
    }
    (!words.is_empty()).then_some(words)
}

/// The file a cargo, rustc or maturin error says it could not read, relative to the context
/// `dir` when it is inside it (`failed to read`, `couldn't read`, `No such file`, `failed to
/// load manifest`). The innermost cause wins: a `failed to read` line before a manifest.
pub fn missing_file(stderr: &str, dir: &Path) -> Option<String> {
    let mut found: Option<(u8, String)> = None;
    for line in stderr.lines() {
        let lower = line.to_ascii_lowercase();
        let rank = if lower.contains("failed to read") || lower.contains("couldn't read") {
            3
        } else if lower.contains("no such file") {
            2
        } else if lower.contains("failed to load manifest") {
            1
        } else {
            continue;
        };
        let Some(path) = quoted_path(line) else {
            continue;
        };
        let path = if rank == 1 && !path.ends_with("Cargo.toml") {
            format!("{}/Cargo.toml", path.trim_end_matches('/'))
        } else {
            path
        };
        if found.as_ref().is_none_or(|(r, _)| rank > *r) {
            found = Some((rank, relative(&path, dir)));
        }
    }
    found.map(|(_, path)| path)
}

/// The target a dangling link of the context stands for, when the failed step tripped on it.
///
/// BuildKit sends a link as a link, so a link whose target the ignore file leaves out is in the
/// context but dangles. cargo and rustc then name the *link* (`couldn't read
/// `.../src/shared.rs``, or rustc's `file not found for module` with `create file
/// "<link>"`), which is admitted; the file to admit is its target. `links` are the admitted
/// links (relative to `dir`, the context); `found` is what [`missing_file`] read from
/// `stderr`. A link matches when `found` is that link, or, when nothing was found, when
/// `stderr` names it. Returns `(target, link)`, both relative to the context, for the first
/// match whose target is missing and inside the context; `None` otherwise.
pub fn dangling_link(
    stderr: &str,
    found: Option<&str>,
    dir: &Path,
    links: &[String],
) -> Option<(String, String)> {
    links.iter().find_map(|link| {
        let named = match found {
            Some(found) => found == link,
            None => stderr.contains(link.as_str()),
        };
        if !named || dir.join(link).exists() {
            return None;
        }
        let target = std::fs::read_link(dir.join(link)).ok()?;
        let from = Path::new(link).parent().unwrap_or(Path::new(""));
        let resolved = relative(&dir.join(from).join(target).to_string_lossy(), dir);
        // A target outside the context (still absolute, or climbing out) cannot be admitted.
        (!Path::new(&resolved).is_absolute() && !resolved.starts_with("../"))
            .then(|| (resolved, link.clone()))
    })
}

/// The first path in a line: in backticks, or else after `at ` / `read `, up to a `:`.
fn quoted_path(line: &str) -> Option<String> {
    if let Some(start) = line.find('`') {
        let rest = &line[start + 1..];
        let end = rest.find('`')?;
        return Some(rest[..end].to_string());
    }
    let lower = line.to_ascii_lowercase();
    for key in ["read readme at ", "read ", " at "] {
        if let Some(at) = lower.find(key) {
            let rest = line[at + key.len()..].trim();
            let end = rest.find([':', ' ']).unwrap_or(rest.len());
            let path = rest[..end].trim_matches(['"', '\'']);
            if path.contains('/') || path.contains('.') {
                return Some(path.to_string());
            }
        }
    }
    None
}

/// `path` relative to `dir`, lexically cleaned (`a/b/../c` is `a/c`); unchanged when outside.
fn relative(path: &str, dir: &Path) -> String {
    let p = Path::new(path);
    let p: PathBuf = if p.is_absolute() {
        match p.strip_prefix(dir) {
            Ok(rel) => rel.to_path_buf(),
            // The context folder may be reached through a link (`/tmp` on macOS).
            Err(_) => match dir
                .canonicalize()
                .ok()
                .and_then(|d| p.strip_prefix(&d).ok().map(Path::to_path_buf))
            {
                Some(rel) => rel,
                None => return path.to_string(),
            },
        }
    } else {
        p.to_path_buf()
    };
    let mut parts: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            Component::ParentDir if parts.pop().is_none() => return path.to_string(),
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_command_reads_plain_and_quoted_words() {
        assert_eq!(
            first_command("cargo build --release -p x --bin 'a b' && mkdir -p /out").unwrap(),
            ["cargo", "build", "--release", "-p", "x", "--bin", "a b"]
        );
        assert_eq!(
            first_command("maturin build -m 'Data Science/it'\\''s/Cargo.toml'").unwrap(),
            ["maturin", "build", "-m", "Data Science/it's/Cargo.toml"]
        );
        assert_eq!(
            first_command("maturin build -m 'a && b/Cargo.toml' -i python3.12").unwrap(),
            [
                "maturin",
                "build",
                "-m",
                "a && b/Cargo.toml",
                "-i",
                "python3.12"
            ]
        );
        assert_eq!(first_command("echo $HOME"), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_link_named_by_the_error_stands_for_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = dir.path();
        std::fs::create_dir_all(ctx.join("a/rust/x/src")).unwrap();
        std::fs::create_dir_all(ctx.join("a/shared")).unwrap();
        std::os::unix::fs::symlink("../../../shared/p.rs", ctx.join("a/rust/x/src/p.rs")).unwrap();
        std::os::unix::fs::symlink("../../../shared/q.rs", ctx.join("a/rust/x/src/q.rs")).unwrap();
        std::fs::write(ctx.join("a/shared/q.rs"), "").unwrap();
        let links = [
            "a/rust/x/src/p.rs".to_string(),
            "a/rust/x/src/q.rs".to_string(),
        ];
        let want = Some(("a/shared/p.rs".to_string(), "a/rust/x/src/p.rs".to_string()));
        // rustc's `mod p;` on a dangling link: no path `missing_file` reads, the link named.
        let rustc = "error[E0583]: file not found for module `p`\n  = help: to create the module \
                     `p`, create file \"a/rust/x/src/p.rs\" or \"a/rust/x/src/p/mod.rs\"\n";
        assert_eq!(missing_file(rustc, ctx), None);
        assert_eq!(dangling_link(rustc, None, ctx, &links), want);
        // `include_str!` of the link: `missing_file` names the link itself.
        let found = "error: couldn't read `a/rust/x/src/p.rs`: No such file or directory\n";
        let found = missing_file(found, ctx);
        assert_eq!(found.as_deref(), Some("a/rust/x/src/p.rs"));
        assert_eq!(dangling_link("", found.as_deref(), ctx, &links), want);
        // A link whose target is there, or one the error does not name, is not the cause.
        assert_eq!(dangling_link("a/rust/x/src/q.rs", None, ctx, &links), None);
        assert_eq!(dangling_link("", Some("Cargo.toml"), ctx, &links), None);
        // A target out of the context cannot be admitted: not reported as one.
        std::os::unix::fs::symlink("../../../../../out.rs", ctx.join("a/rust/x/src/o.rs")).unwrap();
        let out = ["a/rust/x/src/o.rs".to_string()];
        assert_eq!(dangling_link("a/rust/x/src/o.rs", None, ctx, &out), None);
    }

    #[test]
    fn missing_file_prefers_the_innermost_cause() {
        let dir = Path::new("/tmp/ctx/work");
        let cargo = "error: failed to load manifest for workspace member `/tmp/ctx/work/packages/shared`\n\
                     referenced by workspace at `/tmp/ctx/work/Cargo.toml`\n\n\
                     Caused by:\n  failed to read `/tmp/ctx/work/packages/shared/Cargo.toml`\n\n\
                     Caused by:\n  No such file or directory (os error 2)\n";
        assert_eq!(
            missing_file(cargo, dir).unwrap(),
            "packages/shared/Cargo.toml"
        );
        let only_member =
            "error: failed to load manifest for workspace member `/tmp/ctx/work/a/rust/x`\n";
        assert_eq!(
            missing_file(only_member, dir).unwrap(),
            "a/rust/x/Cargo.toml"
        );
        let rustc = "error: couldn't read `apps/rust/srv/src/../../../../res/vara.json`: No such file or directory (os error 2)\n";
        assert_eq!(missing_file(rustc, dir).unwrap(), "res/vara.json");
        assert_eq!(missing_file("error: something else\n", dir), None);
    }

    #[cfg(unix)]
    #[test]
    fn context_keeps_links_as_links_and_writes_the_manifest() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("ws");
        for (path, body) in [("a/x.rs", "x"), ("b/y.rs", "y"), (".git/HEAD", "h")] {
            std::fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
            std::fs::write(root.join(path), body).unwrap();
        }
        std::os::unix::fs::symlink("../b/y.rs", root.join("a/l.rs")).unwrap();
        let tree = tree(&root).unwrap();
        assert_eq!(
            tree.iter()
                .map(|e| (e.path.as_str(), e.is_link))
                .collect::<Vec<_>>(),
            [("a/l.rs", true), ("a/x.rs", false), ("b/y.rs", false)]
        );
        let ignore = IgnoreFile::parse("*\n!a\n").unwrap();
        let ctx = tmp.path().join("ctx");
        let mut context = Context::new(ctx.clone(), false);
        let admitted = context
            .sync(&root, &tree, &ignore, "[workspace]\n")
            .unwrap();
        assert_eq!(admitted, ["a/l.rs", "a/x.rs"]);
        assert_eq!(
            std::fs::read_link(ctx.join("a/l.rs")).unwrap(),
            Path::new("../b/y.rs")
        );
        // The link dangles, as in the image: its target was not admitted.
        assert!(!ctx.join("a/l.rs").exists());
        assert_eq!(
            std::fs::read_to_string(ctx.join("Cargo.toml")).unwrap(),
            "[workspace]\n"
        );
    }

    #[test]
    fn nearest_neighbour_order_keeps_near_sets_together() {
        // Two families of sets (around 0..10 and around 50..60), interleaved.
        let sets: Vec<Vec<usize>> = vec![
            (0..10).collect(),
            (50..60).collect(),
            (0..11).collect(),
            (50..61).collect(),
            (1..10).collect(),
        ];
        let sets: Vec<&[usize]> = sets.iter().map(Vec::as_slice).collect();
        let order = nearest_neighbour_order(&sets, 64);
        assert_eq!(order, [0, 2, 4, 1, 3]);
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [0, 1, 2, 3, 4], "every set once");
        assert!(nearest_neighbour_order(&[], 0).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn sync_turns_one_context_into_the_next() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("ws");
        for (path, body) in [
            ("Cargo.lock", "lock"),
            ("a/src/x.rs", "x"),
            ("b/src/deep/y.rs", "y"),
            ("c/z.rs", "z"),
        ] {
            std::fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
            std::fs::write(root.join(path), body).unwrap();
        }
        let tree = tree(&root).unwrap();
        let ctx = tmp.path().join("ctx");
        let mut context = Context::new(ctx.clone(), true);
        let first = IgnoreFile::parse("*\n!Cargo.lock\n!a\n!b\n").unwrap();
        context.sync(&root, &tree, &first, "one").unwrap();
        // A step rewrites the lockfile and a kept file; the next image gets the workspace's.
        std::fs::write(ctx.join("Cargo.lock"), "rewritten").unwrap();
        std::fs::write(ctx.join("a/src/x.rs"), "changed!").unwrap();
        let second = IgnoreFile::parse("*\n!Cargo.lock\n!a\n!c\n").unwrap();
        let admitted = context.sync(&root, &tree, &second, "two").unwrap();
        assert_eq!(admitted, ["Cargo.lock", "a/src/x.rs", "c/z.rs"]);
        assert_eq!(
            files_under(&ctx),
            ["Cargo.lock", "Cargo.toml", "a/src/x.rs", "c/z.rs"]
        );
        assert!(!ctx.join("b").exists(), "emptied folders are removed");
        assert_eq!(
            std::fs::read_to_string(ctx.join("Cargo.lock")).unwrap(),
            "lock"
        );
        assert_eq!(
            std::fs::read_to_string(ctx.join("a/src/x.rs")).unwrap(),
            "x"
        );
        assert_eq!(
            std::fs::read_to_string(ctx.join("Cargo.toml")).unwrap(),
            "two"
        );
        assert_eq!(
            std::fs::metadata(ctx.join("c/z.rs"))
                .unwrap()
                .modified()
                .unwrap(),
            std::fs::metadata(root.join("c/z.rs"))
                .unwrap()
                .modified()
                .unwrap(),
            "copies keep the workspace's modification time"
        );
        // A lockfile a step wrote where none was admitted is gone before the next image.
        let third = IgnoreFile::parse("*\n!c\n").unwrap();
        context.sync(&root, &tree, &third, "three").unwrap();
        std::fs::write(ctx.join("Cargo.lock"), "made by cargo").unwrap();
        context.sync(&root, &tree, &third, "three").unwrap();
        assert_eq!(files_under(&ctx), ["Cargo.toml", "c/z.rs"]);
    }

    #[test]
    fn an_admitted_root_manifest_is_never_written_through() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("ws");
        std::fs::create_dir_all(root.join("a/src")).unwrap();
        std::fs::write(root.join("Cargo.toml"), "# the workspace's own\n").unwrap();
        std::fs::write(root.join("a/src/lib.rs"), "").unwrap();
        let tree = tree(&root).unwrap();
        // A hand-written ignore file that admits everything, the root manifest included.
        let all = IgnoreFile::parse("**/target\n").unwrap();
        for build in [false, true] {
            let mut context = Context::new(tmp.path().join(format!("ctx-{build}")), build);
            for manifest in ["trimmed one", "trimmed two"] {
                let admitted = context.sync(&root, &tree, &all, manifest).unwrap();
                assert!(admitted.contains(&"Cargo.toml".to_string()));
                assert_eq!(
                    std::fs::read_to_string(context.dir().join("Cargo.toml")).unwrap(),
                    manifest
                );
                assert_eq!(
                    std::fs::read_to_string(root.join("Cargo.toml")).unwrap(),
                    "# the workspace's own\n",
                    "build: {build}"
                );
            }
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_lockfile_link_never_leads_cargo_to_the_workspace() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("ws");
        std::fs::create_dir_all(root.join("locks")).unwrap();
        std::fs::write(root.join("locks/Cargo.lock"), "lock").unwrap();
        std::os::unix::fs::symlink("locks/Cargo.lock", root.join("Cargo.lock")).unwrap();
        let tree = tree(&root).unwrap();
        let ctx = tmp.path().join("ctx");
        let mut context = Context::new(ctx.clone(), false);
        let all = IgnoreFile::parse("*\n!Cargo.lock\n!locks\n").unwrap();
        context.sync(&root, &tree, &all, "m").unwrap();
        // cargo writes the lockfile through the link: the workspace's file must not change.
        std::fs::write(ctx.join("Cargo.lock"), "written by cargo").unwrap();
        assert_eq!(
            std::fs::read_to_string(root.join("locks/Cargo.lock")).unwrap(),
            "lock"
        );
        context.sync(&root, &tree, &all, "m").unwrap();
        assert_eq!(
            std::fs::read_to_string(ctx.join("locks/Cargo.lock")).unwrap(),
            "lock"
        );
    }

    fn files_under(dir: &Path) -> Vec<String> {
        tree(dir).unwrap().into_iter().map(|e| e.path).collect()
    }
}
