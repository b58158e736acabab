//! Changed files: parsing `git diff -z --raw` (or `--name-status`) and `--files-from` lists.

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
    /// A git submodule's gitlink (mode 160000) on either side: the commit the submodule is at
    /// changed (or it was added or removed), not one file. Known only from git's `--raw`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub submodule: bool,
}

impl ChangedFile {
    /// A path of unknown status.
    pub fn unknown(path: impl Into<String>) -> Self {
        ChangedFile {
            path: path.into(),
            status: FileStatus::Unknown,
            old_path: None,
            submodule: false,
        }
    }

    /// A file git does not track yet (`--include-untracked`).
    pub fn added(path: impl Into<String>) -> Self {
        ChangedFile {
            status: FileStatus::Added,
            ..ChangedFile::unknown(path)
        }
    }

    /// Every path this change touches: the new path and, for a rename, the old one.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.path.as_str()).chain(self.old_path.as_deref())
    }
}

/// Parse `git diff -z --raw` or `git diff -z --name-status` output (paths relative to the
/// repository root).
///
/// Each record is `STATUS NUL path NUL`, or `R<score> NUL old NUL new NUL` for renames and
/// copies; with `--raw` the status field is `:<old mode> <new mode> <old id> <new id> STATUS`,
/// and a mode of 160000 marks a submodule's gitlink. Paths are bytes; invalid UTF-8 is
/// replaced (lossy) so the mapping still works on the valid prefix. Output that does not end
/// in NUL was cut off (git ends every field with one): its last path may be truncated, so it
/// is an error rather than a wrong path.
pub fn parse_name_status(output: &[u8]) -> Result<Vec<ChangedFile>, String> {
    if output.last().is_some_and(|b| *b != 0) {
        return Err("git output ended in the middle of a record (no final NUL)".to_string());
    }
    let mut fields = output.split(|b| *b == 0);
    let mut changes = Vec::new();
    while let Some(status) = fields.next() {
        if status.is_empty() {
            // The trailing NUL leaves one empty field at the end.
            continue;
        }
        let field = String::from_utf8_lossy(status);
        // `--raw`: the modes, the object ids, then the status letter and score.
        let (status, submodule) = match field.strip_prefix(':') {
            Some(raw) => {
                let parts: Vec<&str> = raw.split(' ').collect();
                let [old_mode, new_mode, _, _, status] = parts[..] else {
                    return Err(format!("git printed a malformed raw record `{field}`"));
                };
                (
                    status.to_string(),
                    old_mode == GITLINK_MODE || new_mode == GITLINK_MODE,
                )
            }
            None => (field.to_string(), false),
        };
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
                    submodule,
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
                submodule,
            },
            _ => return Err(format!("git printed an unknown status `{status}`")),
        };
        changes.push(change);
    }
    Ok(changes)
}

/// The mode git gives a submodule's entry in a tree (a gitlink).
const GITLINK_MODE: &str = "160000";

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
    fn raw_records_mark_gitlinks() {
        let out = b":100644 100644 26e02f4 e69de29 M\0.gitmodules\0:160000 000000 2e5bb93 0000000 D\0vendor/sub\0:160000 160000 1111111 2222222 M\0a b/sub\0:100644 100644 1111111 1111111 R100\0old.rs\0new.rs\0";
        let changes = parse_name_status(out).unwrap();
        let seen: Vec<(&str, FileStatus, bool)> = changes
            .iter()
            .map(|c| (c.path.as_str(), c.status, c.submodule))
            .collect();
        assert_eq!(
            seen,
            vec![
                (".gitmodules", FileStatus::Modified, false),
                ("vendor/sub", FileStatus::Deleted, true),
                ("a b/sub", FileStatus::Modified, true),
                ("new.rs", FileStatus::Renamed, false),
            ]
        );
        assert_eq!(changes[3].old_path.as_deref(), Some("old.rs"));
        assert!(parse_name_status(b":100644 M\0x\0").is_err());
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
    fn output_cut_inside_the_last_path_is_an_error() {
        assert!(parse_name_status(b"M\0a/src/li").is_err());
        assert!(parse_name_status(b"M\0a/src/lib.rs\0M").is_err());
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

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        /// One record as git prints it: the status field, then one or two paths.
        #[derive(Debug, Clone)]
        struct Record {
            status: String,
            paths: Vec<Vec<u8>>,
            /// Written as `--raw`, with a gitlink mode on one side when `gitlink`.
            raw: bool,
            gitlink: bool,
        }

        fn path() -> impl Strategy<Value = Vec<u8>> {
            // Any byte but NUL, non-empty: git quotes nothing with -z.
            proptest::collection::vec(1u8..=255, 1..24)
        }

        fn record() -> impl Strategy<Value = Record> {
            let one = prop_oneof![
                Just("A"),
                Just("M"),
                Just("D"),
                Just("T"),
                Just("U"),
                Just("X"),
                Just("B")
            ];
            prop_oneof![
                (one, path()).prop_map(|(s, p)| Record {
                    status: s.to_string(),
                    paths: vec![p],
                    raw: false,
                    gitlink: false,
                }),
                (prop_oneof![Just('R'), Just('C')], 0u8..=100, path(), path()).prop_map(
                    |(l, score, old, new)| Record {
                        status: format!("{l}{score:03}"),
                        paths: vec![old, new],
                        raw: false,
                        gitlink: false,
                    }
                ),
            ]
            .prop_flat_map(|r| {
                (Just(r), any::<bool>(), any::<bool>()).prop_map(|(mut r, raw, gitlink)| {
                    r.raw = raw;
                    r.gitlink = raw && gitlink;
                    r
                })
            })
        }

        fn render(records: &[Record]) -> Vec<u8> {
            let mut out = Vec::new();
            for r in records {
                if r.raw {
                    let (old, new) = if r.gitlink {
                        ("160000", "000000")
                    } else {
                        ("100644", "100755")
                    };
                    out.extend(format!(":{old} {new} 1234abc 0000000 ").as_bytes());
                }
                out.extend(r.status.as_bytes());
                out.push(0);
                for p in &r.paths {
                    out.extend(p);
                    out.push(0);
                }
            }
            out
        }

        fn expected(r: &Record) -> ChangedFile {
            let lossy = |p: &Vec<u8>| String::from_utf8_lossy(p).into_owned();
            let status = match r.status.as_bytes()[0] {
                b'A' => FileStatus::Added,
                b'M' => FileStatus::Modified,
                b'D' => FileStatus::Deleted,
                b'T' => FileStatus::TypeChanged,
                b'U' => FileStatus::Unmerged,
                b'R' => FileStatus::Renamed,
                b'C' => FileStatus::Copied,
                _ => FileStatus::Unknown,
            };
            match r.paths.as_slice() {
                [old, new] => ChangedFile {
                    path: lossy(new),
                    status,
                    old_path: Some(lossy(old)),
                    submodule: r.gitlink,
                },
                [p] => ChangedFile {
                    path: lossy(p),
                    status,
                    old_path: None,
                    submodule: r.gitlink,
                },
                _ => unreachable!(),
            }
        }

        proptest! {
            #[test]
            fn name_status_round_trips(records in proptest::collection::vec(record(), 0..12)) {
                let parsed = parse_name_status(&render(&records)).unwrap();
                let want: Vec<ChangedFile> = records.iter().map(expected).collect();
                prop_assert_eq!(parsed, want);
            }

            /// Every cut of the output parses without panicking; a cut anywhere after the
            /// last complete record is an error (every record ends in NUL).
            #[test]
            fn truncated_name_status_is_an_error(
                records in proptest::collection::vec(record(), 1..6),
                cut in any::<proptest::sample::Index>(),
            ) {
                let full = render(&records);
                let last_start = render(&records[..records.len() - 1]).len();
                let at = last_start + 1 + cut.index(full.len() - last_start - 1);
                prop_assert!(parse_name_status(&full[..at]).is_err(), "cut at {}", at);
                // And every prefix at all: no panic, and only whole records when it parses.
                for n in 0..full.len() {
                    if let Ok(p) = parse_name_status(&full[..n]) {
                        prop_assert!(p.len() < records.len());
                    }
                }
            }

            #[test]
            fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
                let _ = parse_name_status(&bytes);
                let _ = parse_file_list(&bytes);
            }

            /// A list of paths (no NUL, no line break, not blank) written NUL-separated, LF or
            /// CRLF, with or without a trailing separator and blank lines, reads back the same.
            #[test]
            fn file_lists_round_trip(
                paths in proptest::collection::vec("[^\u{0}\r\n]*[^\u{0}\r\n ]", 1..8),
                sep in prop_oneof![Just("\0"), Just("\n"), Just("\r\n")],
                trailing in any::<bool>(),
                blank_lines in any::<bool>(),
            ) {
                let paths: Vec<String> = paths.into_iter().filter(|p| !p.trim().is_empty()).collect();
                let mut text = String::new();
                for p in &paths {
                    text.push_str(p);
                    text.push_str(sep);
                    if blank_lines {
                        text.push_str(sep);
                    }
                }
                if !trailing && !blank_lines {
                    text.truncate(text.len() - sep.len().min(text.len()));
                }
                if sep == "\0" && paths.is_empty() {
                    // No NUL at all: it reads as a line list, which is also empty.
                    text.clear();
                }
                prop_assert_eq!(parse_file_list(text.as_bytes()), paths);
            }
        }
    }
}
