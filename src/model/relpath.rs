//! Paths relative to the workspace root, the one way every module cleans and joins them: `/`
//! separators on every platform, no leading `./`, no trailing `/`, `""` for the root.
//!
//! `..` has one meaning per function, said in its doc: [`normalize_rel`] refuses a path that
//! leaves the root (`None`), [`rebase`] keeps the `..` (a dependency may point outside).

/// Normalize a relative path to `/` separators without a leading `./` or trailing `/`.
pub fn normalize(path: &str) -> String {
    let p = path.replace('\\', "/");
    let p = p.trim_start_matches("./").trim_end_matches('/');
    if p == "." {
        String::new()
    } else {
        p.to_string()
    }
}

/// Whether `path` (relative, `/`) is the folder `dir` or lies inside it, at a `/` boundary
/// (`a/b` is within `a`, `ab` is not); `false` for an empty `dir` (the root holds everything,
/// and callers ask about folders below it).
pub fn is_within(path: &str, dir: &str) -> bool {
    !dir.is_empty()
        && path.starts_with(dir)
        && matches!(path.as_bytes().get(dir.len()), None | Some(&b'/'))
}

/// The directory part of a relative `/` path (`a/b/Cargo.toml` -> `a/b`, `Cargo.toml` -> ``).
pub fn parent_dir(path: &str) -> String {
    path.rsplit_once('/')
        .map(|(d, _)| d.to_string())
        .unwrap_or_default()
}

/// Join two relative `/` paths, where either may be empty.
pub fn join(dir: &str, rel: &str) -> String {
    match (dir.is_empty(), rel.is_empty()) {
        (true, _) => rel.to_string(),
        (_, true) => dir.to_string(),
        _ => format!("{dir}/{rel}"),
    }
}

/// Resolve `.` and `..` in a `/` path relative to the root (`\\` is a separator too, as
/// cargo reads a path written on Windows); `None` when it leaves the root.
pub fn normalize_rel(path: &str) -> Option<String> {
    Some(components(&path.replace('\\', "/"))?.join("/"))
}

/// The components of a `/` path with `.`, empty components and each `..` with the component
/// before it resolved, lexically (no link is followed); `None` when a `..` has nothing left to
/// take (the path leaves where it starts). Only `/` separates.
pub fn components(path: &str) -> Option<Vec<&str>> {
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            p => out.push(p),
        }
    }
    Some(out)
}

/// The relative path from directory `from` to `to` (both relative to the root).
pub fn relative_path(from: &str, to: &str) -> String {
    let f: Vec<&str> = from.split('/').filter(|s| !s.is_empty()).collect();
    let t: Vec<&str> = to.split('/').filter(|s| !s.is_empty()).collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; f.len() - common];
    parts.extend(&t[common..]);
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// A member-relative path as a root-relative one (kept absolute when absolute).
pub fn rebase(dir: &str, path: &str) -> String {
    if path.starts_with('/') || path.contains(':') {
        return path.to_string();
    }
    let mut out: Vec<&str> = Vec::new();
    let joined = join(dir, path);
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            p => out.push(p),
        }
    }
    if out.is_empty() {
        ".".to_string()
    } else {
        out.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalize_and_relativize() {
        assert_eq!(normalize_rel("a/b/../c").as_deref(), Some("a/c"));
        assert_eq!(normalize_rel("a/../../x"), None);
        assert_eq!(normalize_rel("./a/./b/").as_deref(), Some("a/b"));
        assert_eq!(relative_path("a/b", "a/c/d"), "../c/d");
        assert_eq!(relative_path("", "libs/x"), "libs/x");
        assert_eq!(relative_path("a", "a"), ".");
    }
}
