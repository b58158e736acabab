//! Writing files safely: all files or none, each either its old or its new content.
//!
//! [`write_all_atomic`] first writes every new content to a temporary file next to its target
//! (same directory, so the final rename cannot cross file systems) and syncs it; only when
//! every temporary file is complete does it rename them over the targets. A failure before the
//! renames (a read-only file, a full disk) leaves every target untouched.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::errors::UserError;

/// One file to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileWrite {
    pub path: PathBuf,
    pub contents: String,
}

/// Write every file, or none of them. A file that is a link is written through it (the file
/// it points to is replaced; the link stays). Errors (nothing written): a link to nothing, two
/// paths that are one file with different new contents, a folder or a read-only file in the
/// way, a write or rename that fails.
pub fn write_all_atomic(files: &[FileWrite]) -> anyhow::Result<()> {
    let targets = write_targets(files)?;
    let files = &targets;
    // Refuse read-only targets up front: a rename would silently replace them.
    for file in files {
        // A directory (or other non-file) in the way would fail only at the rename, after
        // other files were already replaced.
        if let Ok(meta) = std::fs::metadata(&file.path)
            && !meta.is_file()
        {
            return Err(UserError::new(
                format!(
                    "{} exists and is not a regular file; nothing was written",
                    file.path.display()
                ),
                "move it out of the way and run again",
            )
            .into());
        }
        if let Ok(meta) = std::fs::metadata(&file.path)
            && meta.permissions().readonly()
        {
            return Err(UserError::new(
                format!("{} is read-only; nothing was written", file.path.display()),
                "make it writable (chmod u+w) and run again",
            )
            .into());
        }
    }
    // Folders the staging creates: removed again (the deepest first) when it fails, so a
    // failed `new` leaves no empty crate folder that the next run would find in its way.
    let mut created: Vec<PathBuf> = Vec::new();
    let staged = stage(files, &mut created);
    let staged = match staged {
        Ok(staged) => staged,
        Err(e) => {
            for dir in created.iter().rev() {
                let _ = std::fs::remove_dir(dir);
            }
            return Err(e);
        }
    };
    for (tmp, path) in staged {
        tmp.persist(&path).map_err(|e| {
            UserError::new(
                format!("failed to replace {}: {}", path.display(), e.error),
                "check the directory is writable",
            )
        })?;
    }
    Ok(())
}

/// Write each file's new content to a temporary file beside it ([`write_all_atomic`]),
/// recording in `created` each folder made on the way (the outermost first).
fn stage(
    files: &[FileWrite],
    created: &mut Vec<PathBuf>,
) -> anyhow::Result<Vec<(tempfile::NamedTempFile, PathBuf)>> {
    let mut staged = Vec::with_capacity(files.len());
    for file in files {
        let dir = file
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let fail = |e: std::io::Error| {
            UserError::new(
                format!(
                    "failed to write {}: {e}; nothing was written",
                    file.path.display()
                ),
                "check the directory is writable and the disk is not full",
            )
        };
        let missing: Vec<PathBuf> = dir
            .ancestors()
            .take_while(|d| !d.as_os_str().is_empty() && std::fs::symlink_metadata(d).is_err())
            .map(Path::to_path_buf)
            .collect();
        created.extend(missing.into_iter().rev());
        std::fs::create_dir_all(dir).map_err(fail)?;
        let mut builder = tempfile::Builder::new();
        builder.prefix(".ccworkspace-").suffix(".tmp");
        // A new file gets the mode any editor would give it (0666 less the umask: 0644),
        // not the temporary file's private 0600; a replaced file keeps its own (below).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let mut tmp = builder.tempfile_in(dir).map_err(fail)?;
        // A replaced file keeps its byte order mark and line endings, whoever rendered the
        // new text.
        let contents = match std::fs::read(&file.path).map(String::from_utf8) {
            Ok(Ok(old)) => in_form_of(&old, &file.contents),
            _ => file.contents.clone(),
        };
        tmp.write_all(contents.as_bytes()).map_err(fail)?;
        tmp.as_file().sync_all().map_err(fail)?;
        if let Ok(meta) = std::fs::metadata(&file.path) {
            std::fs::set_permissions(tmp.path(), meta.permissions()).map_err(fail)?;
        }
        staged.push((tmp, file.path.clone()));
    }
    Ok(staged)
}

/// `text` as the generator writes it: without a UTF-8 byte order mark, with LF line endings
/// (the form [`in_form_of`] takes back off a file saved on Windows). For comparing and diffing
/// a file against what would be written, and for reading a generated file as BuildKit does.
pub fn without_form(text: &str) -> String {
    text.strip_prefix('\u{feff}')
        .unwrap_or(text)
        .replace("\r\n", "\n")
}

/// `new`, the text that replaces `old` in a file, in `old`'s form: the UTF-8 byte order mark
/// `old` starts with is kept, every line `new` keeps from `old` keeps its own line ending, and
/// each line `new` adds or changes ends as most of `old`'s lines do (CRLF in a file saved on
/// Windows). cargo, uv and git read the file alike either way (TOML allows both, and a leading
/// mark); what changes is what an editor, a diff and `core.autocrlf` show, so a rewrite that
/// changes one entry changes that entry's lines and no other, even in a file of mixed endings
/// (a multi-line string's bare LF in a CRLF file stays bare). `toml_edit` drops the mark and
/// writes LF, and the templates are LF: every writer's text comes through here
/// ([`write_all_atomic`]). Lines are matched by their text without the ending (a line diff).
pub fn in_form_of(old: &str, new: &str) -> String {
    const BOM: char = '\u{feff}';
    let old_body = old.strip_prefix(BOM).unwrap_or(old);
    let new_body = new.strip_prefix(BOM).unwrap_or(new);
    // (text without its ending, the ending: "\r\n", "\n" or "" for a last line without one)
    let split = |text: &str| -> Vec<(String, &'static str)> {
        text.split_inclusive('\n')
            .map(|line| {
                if let Some(t) = line.strip_suffix("\r\n") {
                    (t.to_string(), "\r\n")
                } else if let Some(t) = line.strip_suffix('\n') {
                    (t.to_string(), "\n")
                } else {
                    (line.to_string(), "")
                }
            })
            .collect()
    };
    let old_lines = split(old_body);
    let new_lines = split(new_body);
    let crlf = old_lines.iter().filter(|(_, e)| *e == "\r\n").count();
    let lf = old_lines.iter().filter(|(_, e)| *e == "\n").count();
    let usual = if crlf > lf { "\r\n" } else { "\n" };
    let old_text: Vec<&str> = old_lines.iter().map(|(t, _)| t.as_str()).collect();
    let new_text: Vec<&str> = new_lines.iter().map(|(t, _)| t.as_str()).collect();
    let mut out = String::with_capacity(new.len() + new_lines.len());
    if old.starts_with(BOM) || new.starts_with(BOM) {
        out.push(BOM);
    }
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, &old_text, &new_text) {
        for change in op.iter_changes(&old_text, &new_text) {
            let (Some(i), tag) = (change.new_index(), change.tag()) else {
                continue;
            };
            let (text, ending) = &new_lines[i];
            out.push_str(text);
            let kept = match (tag, change.old_index()) {
                (similar::ChangeTag::Equal, Some(o)) => old_lines[o].1,
                _ => usual,
            };
            // A last line without an ending stays without one; a kept line that had none
            // (the old last line) and now has one takes the file's usual ending.
            out.push_str(match (*ending, kept) {
                ("", _) => "",
                (_, "") => usual,
                (_, kept) => kept,
            });
        }
    }
    out
}

/// The writes `files` make, each at the file its path leads to ([`write_target`]: a link is
/// written through), one per file. A caller that writes some of a set of files (`dockerfile`
/// skips the ones up to date) passes the whole set first, so two of them that are one file
/// are found even when one is not written. Errors: a link to nothing; two paths that are one
/// file with different contents.
pub fn write_targets(files: &[FileWrite]) -> anyhow::Result<Vec<FileWrite>> {
    let mut targets: Vec<FileWrite> = Vec::with_capacity(files.len());
    // The path each target was first reached by, for the message.
    let mut first: Vec<&Path> = Vec::with_capacity(files.len());
    for file in files {
        let path = write_target(&file.path)?;
        match targets.iter().position(|t| t.path == path) {
            Some(i) if targets[i].contents != file.contents => {
                return Err(UserError::new(
                    format!(
                        "{} and {} are one file (a link) given two different texts; nothing \
                         was written",
                        first[i].display(),
                        file.path.display()
                    ),
                    "give each path its own file (replace the link with a copy), or write \
                     through one of them",
                )
                .into());
            }
            Some(_) => {}
            None => {
                targets.push(FileWrite {
                    path,
                    contents: file.contents.clone(),
                });
                first.push(&file.path);
            }
        }
    }
    Ok(targets)
}

/// Where a write to `path` lands: the file a link at `path` leads to (followed to the end), else
/// `path` itself. Errors: a link to nothing.
fn write_target(path: &Path) -> anyhow::Result<PathBuf> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => std::fs::canonicalize(path).map_err(|e| {
            UserError::new(
                format!(
                    "{} is a link to nothing ({e}); nothing was written",
                    path.display()
                ),
                "point the link at its file, or replace the link with the file",
            )
            .into()
        }),
        _ => Ok(path.to_path_buf()),
    }
}

/// A unified diff of `old` -> `new` for `path` (`--- a/path`, `+++ b/path`), empty when equal.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// Read a file that may not exist (`None` when it does not).
/// `std::fs::read_to_string` for small files, without its `statx` for a size hint: a walk
/// reads hundreds of manifests of a few hundred bytes, and that one call was a fifth of the
/// system calls per file.
pub fn read_small(path: &Path) -> std::io::Result<String> {
    String::from_utf8(read_small_bytes(path)?)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// [`read_small`]'s bytes, for a caller that names a non-UTF-8 byte itself.
pub fn read_small_bytes(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    // Room for a manifest of a few KiB, read into without zeroing it first (`read_to_end`
    // grows it for a longer file, and retries an interrupted read). Through `take`: `File`'s
    // own `read_to_end` asks for the size first (`statx` and `lseek`, two calls a file).
    let mut text = Vec::with_capacity(8192);
    file.take(u64::MAX).read_to_end(&mut text)?;
    // Kept for the whole run, thousands of them: no 8 KiB each.
    text.shrink_to_fit();
    Ok(text)
}

/// The text of the TOML file `rel` (as messages name it) read as `bytes`. Errors (exit 2): it
/// is not UTF-8, with the `file:line:column` of the first bad byte (TOML is UTF-8 only; cargo
/// and uv refuse such a file too).
pub fn utf8_text(rel: &str, bytes: Vec<u8>) -> anyhow::Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let bad = e.utf8_error().valid_up_to();
        // The bytes before the first bad one are UTF-8.
        let before = std::str::from_utf8(&e.as_bytes()[..bad]).unwrap_or_default();
        let (line, col) = crate::config::line_col(before, bad);
        UserError::new(
            format!(
                "{rel}:{line}:{col}: the file is not UTF-8 (byte 0x{:02x})",
                e.as_bytes()[bad]
            ),
            "save it as UTF-8: TOML is UTF-8 only",
        )
        .into()
    })
}

/// Whether anything is at `path`: a file, a folder, or a link (even one to nothing; the link
/// itself is not followed). `false` when the path cannot lead to anything: it or a folder above
/// it is missing, a folder above it is a file, a link above it loops (`docs/loop -> loop`), the
/// name is too long. Errors: a folder above it that may not be read (permission denied), where
/// the answer is unknown.
pub fn has_entry(path: &Path) -> anyhow::Result<bool> {
    match std::fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() != std::io::ErrorKind::PermissionDenied => Ok(false),
        Err(e) => Err(UserError::new(
            format!("failed to look for {}: {e}", path.display()),
            "check the permissions of the folders above it",
        )
        .into()),
    }
}

pub fn read_optional(path: &Path) -> anyhow::Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(UserError::new(
            format!("failed to read {}: {e}", path.display()),
            "check that it is a readable file (not a directory) and its permissions",
        )
        .into()),
    }
}

#[cfg(test)]
pub(crate) mod tests {

    /// A write that fails while staging leaves no folder it created: the next `new` of the
    /// same crate does not find an empty folder in its way.
    #[test]
    fn a_failed_write_removes_the_folders_it_created() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("kept")).unwrap();
        std::fs::write(root.join("blocker"), "a file, not a folder").unwrap();
        let err = write_all_atomic(&[
            FileWrite {
                path: root.join("kept/new/deeper/a.txt"),
                contents: "a".into(),
            },
            FileWrite {
                path: root.join("blocker/sub/b.txt"),
                contents: "b".into(),
            },
        ])
        .unwrap_err();
        assert!(err.to_string().contains("nothing was written"), "{err}");
        assert!(root.join("kept").is_dir(), "a folder that was there stays");
        assert!(
            !root.join("kept/new").exists(),
            "the created folders are gone"
        );
        assert_eq!(std::fs::read_dir(root.join("kept")).unwrap().count(), 0);
    }

    /// A rewrite keeps the replaced file's byte order mark and each kept line's ending (new
    /// lines take the usual one, also in a file of mixed endings), and is otherwise the new
    /// text: nothing is added to a file that had neither.
    #[test]
    fn a_replaced_file_keeps_its_mark_and_line_endings() {
        let bom = "\u{feff}";
        for (old, new, want) in [
            ("a\nb\n", "a\nb\nc\n", "a\nb\nc\n"),
            ("a\r\nb\r\n", "a\nb\nc\n", "a\r\nb\r\nc\r\n"),
            // CRLF already in the new text is not doubled.
            ("a\r\n", "a\r\nb\n", "a\r\nb\r\n"),
            ("\u{feff}a\n", "a\nb\n", "\u{feff}a\nb\n"),
            ("\u{feff}a\r\n", "a\nb\n", "\u{feff}a\r\nb\r\n"),
            // A mark the new text brings is not doubled either.
            ("\u{feff}a\n", "\u{feff}a\n", "\u{feff}a\n"),
            ("", "a\n", "a\n"),
            // Mixed endings: kept lines keep their own, new lines take the usual one.
            ("a\r\nb\nc\r\n", "a\nb\nc\nd\n", "a\r\nb\nc\r\nd\r\n"),
            ("a\nb\r\nc\n", "a\nb\nc\nX\n", "a\nb\r\nc\nX\n"),
            // A changed line takes the usual ending, a removed one goes.
            ("a\r\nb\r\nc\r\n", "a\nB\n", "a\r\nB\r\n"),
            // No ending after the last line stays so; an old last line without one gets one.
            ("a\r\nb", "a\nb", "a\r\nb"),
            ("a\r\nb", "a\nb\nc\n", "a\r\nb\r\nc\r\n"),
        ] {
            assert_eq!(in_form_of(old, new), want, "{old:?} -> {new:?}");
            // Taking the form off again gives the text as rendered.
            assert_eq!(without_form(want), without_form(new), "{old:?} -> {new:?}");
        }
        // Through the writer: the file on disk keeps its form.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Cargo.toml");
        std::fs::write(&path, format!("{bom}[workspace]\r\nmembers = []\r\n")).unwrap();
        write_all_atomic(&[FileWrite {
            path: path.clone(),
            contents: "[workspace]\nmembers = [\"a\"]\n".into(),
        }])
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!("{bom}[workspace]\r\nmembers = [\"a\"]\r\n")
        );
    }

    /// A new file is written with the mode `std::fs::write` gives one (0666 less the umask),
    /// not the temporary file's 0600; a replaced file keeps its mode.
    #[cfg(unix)]
    #[test]
    fn a_new_file_gets_the_usual_mode_and_a_replaced_one_keeps_its_own() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let usual = dir.path().join("usual");
        std::fs::write(&usual, "x").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let new = dir.path().join("new");
        let kept = dir.path().join("kept");
        std::fs::write(&kept, "old").unwrap();
        std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o751)).unwrap();
        write_all_atomic(&[
            FileWrite {
                path: new.clone(),
                contents: "n".into(),
            },
            FileWrite {
                path: kept.clone(),
                contents: "k".into(),
            },
        ])
        .unwrap();
        assert_eq!(mode(&new), mode(&usual));
        assert_eq!(mode(&kept), 0o751);
    }

    use super::*;

    #[test]
    fn has_entry_says_whether_anything_can_be_at_a_path() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, &[("file", "x"), ("folder/a", "a")]);
        std::os::unix::fs::symlink("nowhere", root.join("dangling")).unwrap();
        std::os::unix::fs::symlink("loop", root.join("loop")).unwrap();
        std::os::unix::fs::symlink("folder", root.join("to-folder")).unwrap();
        for (path, there) in [
            ("file", true),
            ("folder", true),
            ("folder/a", true),
            ("dangling", true),
            ("to-folder", true),
            ("to-folder/a", true),
            ("missing", false),
            ("folder/missing", false),
            ("file/under-a-file", false),
            ("loop/x.md", false),
        ] {
            assert_eq!(has_entry(&root.join(path)).unwrap(), there, "{path}");
        }
    }

    #[test]
    fn a_linked_file_is_written_through_its_link() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, &[("shared/a.toml", "old\n"), ("b.toml", "b\n")]);
        std::fs::create_dir_all(root.join("pkg")).unwrap();
        std::os::unix::fs::symlink("../shared/a.toml", root.join("pkg/a.toml")).unwrap();
        std::os::unix::fs::symlink("nowhere.toml", root.join("dangling.toml")).unwrap();
        let put = |path: &str, contents: &str| FileWrite {
            path: root.join(path),
            contents: contents.to_string(),
        };
        // A link to nothing, or the link and its file with two contents: nothing is written.
        for writes in [
            vec![put("b.toml", "b2\n"), put("dangling.toml", "x\n")],
            vec![
                put("b.toml", "b2\n"),
                put("pkg/a.toml", "new\n"),
                put("shared/a.toml", "other\n"),
            ],
        ] {
            let err = write_all_atomic(&writes).unwrap_err().to_string();
            assert!(err.contains("nothing was written"), "{err}");
            assert_eq!(std::fs::read_to_string(root.join("b.toml")).unwrap(), "b\n");
            assert_eq!(
                std::fs::read_to_string(root.join("shared/a.toml")).unwrap(),
                "old\n"
            );
        }
        // Through the link (twice with one content is one write): the link stays a link.
        write_all_atomic(&[put("pkg/a.toml", "new\n"), put("shared/a.toml", "new\n")]).unwrap();
        let link = std::fs::symlink_metadata(root.join("pkg/a.toml")).unwrap();
        assert!(link.file_type().is_symlink());
        assert_eq!(
            std::fs::read_to_string(root.join("shared/a.toml")).unwrap(),
            "new\n"
        );
        // No temporary file is left beside either.
        for folder in ["pkg", "shared"] {
            let left: Vec<_> = std::fs::read_dir(root.join(folder))
                .unwrap()
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(".ccworkspace-"))
                .collect();
            assert!(left.is_empty(), "{left:?}");
        }
    }

    /// Write each `(path relative to root, text)` file, with its folders (unit tests' trees).
    pub(crate) fn write(root: &Path, files: &[(&str, &str)]) {
        for (p, body) in files {
            let p = root.join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, body).unwrap();
        }
    }

    /// The reader returns every byte, of a manifest and of a file past its 8 KiB start, and
    /// keeps no more than it read (the texts stay for the whole run: an unused 8 KiB each raised
    /// `lint-deps`' peak from 31 to 35 MiB at 500 crates + 200 packages); a missing file is
    /// `NotFound`.
    #[test]
    fn read_small_bytes_reads_all_and_keeps_no_slack() {
        let dir = tempfile::tempdir().unwrap();
        let small = "[package]\nname = \"a\"\n".repeat(10);
        let large: String = (0..3000).map(|i| format!("k{i} = {i}\n")).collect();
        assert!(large.len() > 3 * 8192);
        for text in [&small, &large, &String::new()] {
            let path = dir.path().join("f.toml");
            std::fs::write(&path, text).unwrap();
            let bytes = read_small_bytes(&path).unwrap();
            assert_eq!(bytes, text.as_bytes());
            assert!(
                bytes.capacity() < bytes.len() + 1024,
                "{} bytes kept for {}",
                bytes.capacity(),
                bytes.len()
            );
        }
        let gone = read_small_bytes(&dir.path().join("missing.toml")).unwrap_err();
        assert_eq!(gone.kind(), std::io::ErrorKind::NotFound);
    }

    #[test]
    fn writes_every_file() {
        let dir = tempfile::tempdir().unwrap();
        let files = vec![
            FileWrite {
                path: dir.path().join("a.toml"),
                contents: "a = 1\n".into(),
            },
            FileWrite {
                path: dir.path().join("sub/b.toml"),
                contents: "b = 2\n".into(),
            },
        ];
        write_all_atomic(&files).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.toml")).unwrap(),
            "a = 1\n"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("sub/b.toml")).unwrap(),
            "b = 2\n"
        );
    }

    #[test]
    fn a_read_only_target_means_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.toml");
        let b = dir.path().join("b.toml");
        std::fs::write(&a, "old a\n").unwrap();
        std::fs::write(&b, "old b\n").unwrap();
        let mut perms = std::fs::metadata(&b).unwrap().permissions();
        perms.set_readonly(true);
        std::fs::set_permissions(&b, perms).unwrap();
        let err = write_all_atomic(&[
            FileWrite {
                path: a.clone(),
                contents: "new a\n".into(),
            },
            FileWrite {
                path: b.clone(),
                contents: "new b\n".into(),
            },
        ])
        .unwrap_err();
        assert!(err.to_string().contains("read-only"), "{err}");
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old a\n");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "old b\n");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn unified_diff_names_the_file() {
        let d = unified_diff("x/Cargo.toml", "a\nb\n", "a\nc\n");
        assert!(
            d.starts_with("--- a/x/Cargo.toml\n+++ b/x/Cargo.toml\n"),
            "{d}"
        );
        assert!(d.contains("-b\n+c\n"));
        assert_eq!(unified_diff("x", "same", "same"), "");
    }
}
