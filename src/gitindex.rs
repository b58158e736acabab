//! The paths in git's index, read from `.git/index` itself in the common case, so that
//! `lint-deps` does not wait for a `git ls-files` process (about 3 ms of a 13 ms run at 500
//! crates, on a core the manifest walk needs).
//!
//! Only the plain layout is read: a `.git` directory above the workspace, an index of version
//! 2, 3 or 4 with SHA-1 object names, no split index (`link`), no sparse-index directory
//! entries and no other extension git requires readers to understand, a repository config
//! that neither moves the work tree nor includes other files, and no `GIT_DIR`-style
//! environment. Anything else returns `None`, and the caller asks `git ls-files` instead,
//! which is always right. The format is gitformat-index(5).

use std::path::{Path, PathBuf};

/// Environment variables that change where git looks for the repository or its index: with any
/// of them set, the index is left to git.
pub const LOCATION_VARS: [&str; 5] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_CEILING_DIRECTORIES",
];

/// Every path the index lists under `dir` (relative to `dir`, with `/`), as `git ls-files`
/// run in `dir` prints them; `None` when the index is not one this reader handles.
pub fn paths_under(dir: &Path) -> Option<Vec<Vec<u8>>> {
    if LOCATION_VARS.iter().any(|v| std::env::var_os(v).is_some()) {
        return None;
    }
    let dir = dir.canonicalize().ok()?;
    let (top, git_dir) = find_git_dir(&dir)?;
    // A SHA-256 repository has longer object names in its entries; `core.worktree` moves the
    // work tree away from the `.git` directory's parent; an included file could set either.
    let config = std::fs::read_to_string(git_dir.join("config"))
        .ok()?
        .to_ascii_lowercase();
    if ["objectformat", "worktree", "include"]
        .iter()
        .any(|word| config.contains(word))
    {
        return None;
    }
    let bytes = std::fs::read(git_dir.join("index")).ok()?;
    let prefix = dir.strip_prefix(&top).ok()?;
    let mut prefix = prefix.to_str()?.replace('\\', "/").into_bytes();
    if !prefix.is_empty() {
        prefix.push(b'/');
    }
    let mut paths = parse(&bytes)?;
    paths.retain(|p| p.starts_with(&prefix));
    for p in &mut paths {
        p.drain(..prefix.len());
    }
    Some(paths)
}

/// The work tree's top directory and its `.git` directory: the nearest `.git` at or above
/// `dir`. `None` for a `.git` file (a linked worktree or a submodule) or no repository.
fn find_git_dir(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    let mut here = Some(dir);
    while let Some(d) = here {
        let git = d.join(".git");
        match std::fs::symlink_metadata(&git) {
            Ok(meta) if meta.is_dir() => return Some((d.to_path_buf(), git)),
            Ok(_) => return None,
            Err(_) => here = d.parent(),
        }
    }
    None
}

/// SHA-1 object names: 20 bytes.
const OID: usize = 20;
/// ctime, mtime, dev, ino, mode, uid, gid, size: ten 32-bit fields.
const STAT: usize = 40;

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

/// The paths of an index file's entries, in index order; `None` for anything this reader does
/// not handle or a malformed file.
fn parse(bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    if bytes.get(..4)? != b"DIRC" {
        return None;
    }
    let version = u32_at(bytes, 4)?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = u32_at(bytes, 8)? as usize;
    // Everything after the entries up to the trailing checksum is extensions.
    let end = bytes.len().checked_sub(OID)?;
    let mut paths: Vec<Vec<u8>> = Vec::with_capacity(count.min(end / (STAT + OID)));
    let mut at = 12;
    let mut previous: Vec<u8> = Vec::new();
    for _ in 0..count {
        let start = at;
        let mode = u32_at(bytes, start + 24)?;
        // A sparse index keeps whole directories as one entry.
        if mode & 0o170000 == 0o040000 {
            return None;
        }
        let flags = u16_at(bytes, start + STAT + OID)?;
        at = start + STAT + OID + 2;
        if flags & 0x4000 != 0 {
            // Extended flags: version 3 and later only; bits other than skip-worktree and
            // intent-to-add are unknown to git too.
            let extended = u16_at(bytes, at)?;
            if version < 3 || extended & !0x6000 != 0 {
                return None;
            }
            at += 2;
        }
        let path = if version == 4 {
            // Prefix compression: drop `strip` bytes from the previous path, then a
            // NUL-terminated suffix; no padding.
            let (strip, used) = varint(bytes.get(at..end)?)?;
            at += used;
            let keep = previous.len().checked_sub(strip)?;
            let len = bytes.get(at..end)?.iter().position(|b| *b == 0)?;
            let mut path = previous[..keep].to_vec();
            path.extend_from_slice(&bytes[at..at + len]);
            at += len + 1;
            path
        } else {
            // NUL-terminated, then padded with NULs to a multiple of 8 bytes per entry.
            let len = bytes.get(at..end)?.iter().position(|b| *b == 0)?;
            let path = bytes[at..at + len].to_vec();
            let entry_len = (at + len - start + 8) & !7;
            at = start + entry_len;
            path
        };
        if at > end || path.is_empty() {
            return None;
        }
        previous.clone_from(&path);
        paths.push(path);
    }
    // Extensions: a 4-byte signature and a 32-bit size each. One whose signature does not
    // start with an upper-case letter must be understood (split index, sparse directories):
    // not here.
    while at < end {
        let signature = bytes.get(at..at + 4)?;
        if !signature[0].is_ascii_uppercase() {
            return None;
        }
        let size = u32_at(bytes, at + 4)? as usize;
        at = at.checked_add(8 + size)?;
    }
    (at == end).then_some(paths)
}

/// git's offset varint (the one in OFS_DELTA and index v4): 7 bits a byte, high bit set on
/// every byte but the last, each continuation adding one.
fn varint(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut iter = bytes.iter();
    let mut byte = *iter.next()?;
    let mut value = usize::from(byte & 0x7f);
    let mut used = 1;
    while byte & 0x80 != 0 {
        byte = *iter.next()?;
        value = value.checked_add(1)?.checked_shl(7)? | usize::from(byte & 0x7f);
        used += 1;
        if used > 9 {
            return None;
        }
    }
    Some((value, used))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_is_gits_offset_encoding() {
        assert_eq!(varint(&[0x05]), Some((5, 1)));
        assert_eq!(varint(&[0x80, 0x00]), Some((128, 2)));
        assert_eq!(varint(&[0x81, 0x7f]), Some((((1 + 1) << 7) | 0x7f, 2)));
        assert_eq!(varint(&[0x80]), None);
    }

    #[test]
    fn rejects_what_it_does_not_read() {
        assert_eq!(parse(b""), None);
        assert_eq!(parse(b"DIRX\0\0\0\x02\0\0\0\0"), None);
        let mut v5 = b"DIRC\0\0\0\x05\0\0\0\0".to_vec();
        v5.extend([0; OID]);
        assert_eq!(parse(&v5), None);
        // An empty version 2 index, then with an optional and a required extension.
        let mut empty = b"DIRC\0\0\0\x02\0\0\0\0".to_vec();
        empty.extend([0; OID]);
        assert_eq!(parse(&empty), Some(Vec::new()));
        let with = |sig: &[u8; 4]| {
            let mut b = b"DIRC\0\0\0\x02\0\0\0\0".to_vec();
            b.extend(sig);
            b.extend(2u32.to_be_bytes());
            b.extend([0, 0]);
            b.extend([0; OID]);
            parse(&b)
        };
        assert_eq!(with(b"TREE"), Some(Vec::new()));
        assert_eq!(with(b"link"), None);
        assert_eq!(with(b"sdir"), None);
    }
}
