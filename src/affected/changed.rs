//! Changed files: parsing `git diff -z --name-status` and `--files-from` lists.

use serde::Serialize;

/// How a file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileStatus {
    Added,
    Modified,
    Deleted,
    Renamed,
    Copied,
    TypeChanged,
    Unmerged,
    /// Not known: the path came from `--files` / `--files-from`.
    Unknown,
}

/// One changed path, relative to the workspace root with `/` separators.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ChangedFile {
    pub path: String,
    pub status: FileStatus,
    /// The path before a rename or copy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_path: Option<String>,
}

impl ChangedFile {
    /// A path of unknown status.
    pub fn unknown(path: impl Into<String>) -> Self {
        ChangedFile {
            path: path.into(),
            status: FileStatus::Unknown,
            old_path: None,
        }
    }

    /// Every path this change touches: the new path and, for a rename, the old one.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.path.as_str()).chain(self.old_path.as_deref())
    }
}

/// Parse `git diff -z --name-status` output (paths relative to the repository root).
///
/// Each record is `STATUS NUL path NUL`, or `R<score> NUL old NUL new NUL` for renames and
/// copies. Paths are bytes; invalid UTF-8 is replaced (lossy) so the mapping still works on the
/// valid prefix.
pub fn parse_name_status(output: &[u8]) -> Result<Vec<ChangedFile>, String> {
    let mut fields = output.split(|b| *b == 0);
    let mut changes = Vec::new();
    while let Some(status) = fields.next() {
        if status.is_empty() {
            // The trailing NUL leaves one empty field at the end.
            continue;
        }
        let status = String::from_utf8_lossy(status);
        let mut next_path = || {
            fields
                .next()
                .filter(|p| !p.is_empty())
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .ok_or_else(|| format!("git printed status `{status}` without a path"))
        };
        let letter = status.chars().next().unwrap_or('?');
        let change = match letter {
            'R' | 'C' => {
                let old = next_path()?;
                let new = next_path()?;
                ChangedFile {
                    path: new,
                    status: if letter == 'R' {
                        FileStatus::Renamed
                    } else {
                        FileStatus::Copied
                    },
                    old_path: Some(old),
                }
            }
            'A' | 'M' | 'D' | 'T' | 'U' | 'X' | 'B' => ChangedFile {
                path: next_path()?,
                status: match letter {
                    'A' => FileStatus::Added,
                    'M' => FileStatus::Modified,
                    'D' => FileStatus::Deleted,
                    'T' => FileStatus::TypeChanged,
                    'U' => FileStatus::Unmerged,
                    _ => FileStatus::Unknown,
                },
                old_path: None,
            },
            _ => return Err(format!("git printed an unknown status `{status}`")),
        };
        changes.push(change);
    }
    Ok(changes)
}

/// Parse a `--files-from` list: NUL-separated when it holds a NUL, else one path per line
/// (CRLF or LF). Blank entries are dropped.
pub fn parse_file_list(input: &[u8]) -> Vec<String> {
    let sep = if input.contains(&0) { 0 } else { b'\n' };
    input
        .split(|b| *b == sep)
        .map(|p| {
            String::from_utf8_lossy(p)
                .trim_end_matches('\r')
                .to_string()
        })
        .filter(|p| !p.trim().is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_record_kind() {
        let out =
            b"M\0a/src/lib.rs\0R087\0old/x.rs\0new/x.rs\0D\0gone.rs\0A\0dir with space/f.rs\0";
        let changes = parse_name_status(out).unwrap();
        assert_eq!(changes.len(), 4);
        assert_eq!(changes[0].status, FileStatus::Modified);
        assert_eq!(changes[1].path, "new/x.rs");
        assert_eq!(changes[1].old_path.as_deref(), Some("old/x.rs"));
        assert_eq!(changes[2].status, FileStatus::Deleted);
        assert_eq!(changes[3].path, "dir with space/f.rs");
        let paths: Vec<&str> = changes[1].paths().collect();
        assert_eq!(paths, vec!["new/x.rs", "old/x.rs"]);
    }

    #[test]
    fn empty_output_is_no_change() {
        assert!(parse_name_status(b"").unwrap().is_empty());
    }

    #[test]
    fn a_truncated_record_is_an_error() {
        assert!(parse_name_status(b"R100\0only-old\0").is_err());
    }

    #[test]
    fn non_utf8_paths_survive_lossily() {
        let changes = parse_name_status(b"M\0a/caf\xe9.rs\0").unwrap();
        assert!(changes[0].path.starts_with("a/caf"));
    }

    #[test]
    fn file_lists_accept_crlf_nul_and_blank_lines() {
        assert_eq!(
            parse_file_list(b"a.rs\r\nb.rs\r\n\r\n"),
            vec!["a.rs", "b.rs"]
        );
        assert_eq!(parse_file_list(b"a b.rs\0c.rs\0"), vec!["a b.rs", "c.rs"]);
        assert!(parse_file_list(b"\n\n").is_empty());
    }
}
