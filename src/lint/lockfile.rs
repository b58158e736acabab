//! `duplicate-versions`: one crate locked at several versions in `Cargo.lock`, and which
//! members pull each version in. Read straight from the lockfile, no resolution.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::ops::Range;

use crate::manifests::NodeExt;

use super::{Ctx, Finding, Rule};
use crate::manifests::Workspace;

/// `Cargo.lock`: its text and packages.
#[derive(Debug, Clone)]
pub struct Lockfile {
    pub path: String,
    pub text: String,
    pub packages: Vec<LockedPackage>,
}

/// One `[[package]]` of `Cargo.lock`.
#[derive(Debug, Clone)]
pub struct LockedPackage {
    pub name: String,
    pub version: String,
    pub source: Option<String>,
    /// `name`, `name version` or `name version (source)`.
    pub dependencies: Vec<String>,
    pub span: Range<usize>,
}

/// Every locked package, in file order.
pub(crate) fn packages(ws: &Workspace) -> &[LockedPackage] {
    ws.lock.as_ref().map_or(&[], |l| l.packages.as_slice())
}

/// Read `Cargo.lock`'s packages. Cargo writes the file in one fixed layout, so a line scanner
/// reads it in a fraction of a TOML parse; anything unexpected falls back to toml_edit (which
/// also reports a syntax error with its line).
pub(crate) fn parse(path: &str, text: &str) -> anyhow::Result<Vec<LockedPackage>> {
    if let Some(packages) = scan(text) {
        return Ok(packages);
    }
    let doc = crate::manifests::parse_text(path, text.to_string())?;
    let Some(array) = doc.root().get("package").and_then(NodeExt::as_array) else {
        return Ok(Vec::new());
    };
    Ok(array
        .iter()
        .filter_map(|t| {
            let s = |k: &str| t.get(k).and_then(NodeExt::as_str).map(str::to_string);
            let span = t.get("name").map_or(t.span(), |v| v.span());
            Some(LockedPackage {
                name: s("name")?,
                version: s("version")?,
                source: s("source"),
                dependencies: t
                    .get("dependencies")
                    .and_then(NodeExt::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
                span,
            })
        })
        .collect())
}

/// The fast path of [`parse`]: `None` when the text is not in cargo's layout.
fn scan(text: &str) -> Option<Vec<LockedPackage>> {
    let mut out = Vec::new();
    let mut current: Option<LockedPackage> = None;
    let mut in_deps = false;
    let mut offset = 0;
    let finish = |p: Option<LockedPackage>, out: &mut Vec<LockedPackage>| -> Option<()> {
        if let Some(p) = p {
            if p.name.is_empty() || p.version.is_empty() {
                return None;
            }
            out.push(p);
        }
        Some(())
    };
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let l = line.trim();
        if in_deps {
            if l == "]" {
                in_deps = false;
            } else {
                let dep = l
                    .trim_end_matches(',')
                    .strip_prefix('"')?
                    .strip_suffix('"')?;
                current.as_mut()?.dependencies.push(dep.to_string());
            }
            continue;
        }
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if l == "[[package]]" {
            finish(current.take(), &mut out)?;
            current = Some(LockedPackage {
                name: String::new(),
                version: String::new(),
                source: None,
                dependencies: Vec::new(),
                span: 0..0,
            });
            continue;
        }
        if l.starts_with('[') {
            finish(current.take(), &mut out)?;
            continue;
        }
        let (key, value) = l.split_once(" = ")?;
        let Some(p) = current.as_mut() else {
            continue;
        };
        if key == "dependencies" {
            if value == "[" {
                in_deps = true;
            } else {
                let inner = value.strip_prefix('[')?.strip_suffix(']')?;
                for d in inner.split(',').map(str::trim).filter(|d| !d.is_empty()) {
                    p.dependencies
                        .push(d.strip_prefix('"')?.strip_suffix('"')?.to_string());
                }
            }
            continue;
        }
        let Some(unquoted) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else {
            continue;
        };
        if unquoted.contains(['\\', '"']) {
            return None;
        }
        match key {
            "name" => {
                let at = start + line.find(value)?;
                p.name = unquoted.to_string();
                p.span = at..at + value.len();
            }
            "version" => p.version = unquoted.to_string(),
            "source" => p.source = Some(unquoted.to_string()),
            _ => {}
        }
    }
    finish(current.take(), &mut out)?;
    Some(out)
}

/// Locked versions of registry packages, by name.
pub(crate) fn registry_versions(ws: &Workspace) -> BTreeMap<String, Vec<semver::Version>> {
    let mut out: BTreeMap<String, Vec<semver::Version>> = BTreeMap::new();
    for p in packages(ws) {
        if p.source.as_deref().is_some_and(|s| !s.starts_with("git+"))
            && let Ok(v) = semver::Version::parse(&p.version)
        {
            out.entry(p.name.clone()).or_default().push(v);
        }
    }
    out
}

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let pkgs = packages(ctx.ws);
    if pkgs.is_empty() {
        return;
    }
    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in pkgs.iter().enumerate() {
        by_name.entry(&p.name).or_default().push(i);
    }
    let dups: BTreeMap<&str, &Vec<usize>> = by_name
        .iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(k, v)| (*k, v))
        .collect();
    if dups.is_empty() {
        return;
    }
    // Resolve each dependency string to a package index.
    let resolve = |dep: &str| -> Option<usize> {
        let mut parts = dep.split(' ');
        let name = parts.next()?;
        let version = parts.next();
        let candidates = by_name.get(name)?;
        match version {
            None => candidates.first().copied(),
            Some(v) => candidates.iter().copied().find(|i| pkgs[*i].version == v),
        }
    };
    let edges: Vec<Vec<usize>> = pkgs
        .iter()
        .map(|p| p.dependencies.iter().filter_map(|d| resolve(d)).collect())
        .collect();
    // Members are the path packages (no source) named like a workspace member.
    let member_names: BTreeSet<&str> = ctx
        .ws
        .members
        .iter()
        .filter_map(|m| m.package_name())
        .collect();
    let dup_indices: BTreeSet<usize> = dups.values().flat_map(|v| v.iter().copied()).collect();
    let mut pulled_by: BTreeMap<usize, BTreeSet<&str>> = BTreeMap::new();
    for (i, p) in pkgs.iter().enumerate() {
        if p.source.is_some() || !member_names.contains(p.name.as_str()) {
            continue;
        }
        let mut seen = vec![false; pkgs.len()];
        let mut queue = VecDeque::from([i]);
        seen[i] = true;
        while let Some(n) = queue.pop_front() {
            if dup_indices.contains(&n) {
                pulled_by.entry(n).or_default().insert(&p.name);
            }
            for &d in &edges[n] {
                if !seen[d] {
                    seen[d] = true;
                    queue.push_back(d);
                }
            }
        }
    }
    for (name, indices) in dups {
        // Per version: how many members pull it in and the first few of them; the full lists
        // go to `lists` (JSON under `-v`). Listing every member made one finding 7 kB on a
        // 190-member workspace.
        let mut lists = Vec::new();
        let summary: Vec<String> = indices
            .iter()
            .map(|i| {
                let version = &pkgs[*i].version;
                let members: Vec<String> = pulled_by
                    .get(i)
                    .map(|s| s.iter().map(|m| m.to_string()).collect())
                    .unwrap_or_default();
                let text = match members.len() {
                    0 => format!("{version} (no member)"),
                    n => format!(
                        "{version} ({n} member{}: {})",
                        if n == 1 { "" } else { "s" },
                        super::few(&members, SHOWN)
                    ),
                };
                lists.push((version.clone(), members));
                text
            })
            .collect();
        let first = &pkgs[indices[0]];
        let mut f = Finding::new(
            Rule::DuplicateVersions,
            &ctx.ws
                .lock
                .as_ref()
                .map(|l| l.path.clone())
                .unwrap_or_default(),
            first.span.clone(),
            format!("`{name}` is locked at {} versions", indices.len()),
            "one of several versions",
        )
        .note(format!("versions: {}", summary.join("; ")))
        .help(format!(
            "align the requirements that pull in the older versions of `{name}` \
             (`cargo tree -i {name}@<version>` shows the chain), or exempt it with a reason"
        ))
        .dependency(name);
        for (version, members) in lists {
            f = f.list(version, members);
        }
        out.push(f);
    }
}

/// How many members a `duplicate-versions` note names per version.
const SHOWN: usize = 3;

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 4

[[package]]
name = "a"
version = "0.1.0"
dependencies = [
 "itoa 1.0.19",
 "serde",
]

[[package]]
name = "itoa"
version = "1.0.19"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "00"
"#;

    #[test]
    fn the_scanner_and_the_toml_parser_agree() {
        let fast = scan(LOCK).unwrap();
        let slow = {
            // Force the fallback by checking it directly.
            let with_comment_value = LOCK.replace("version = 4", "version = 4 # v4");
            assert!(scan(&with_comment_value).is_some());
            parse(
                "Cargo.lock",
                &LOCK.replace("[[package]]\nname = \"a\"", "[[package]]\nname = 'a'"),
            )
            .unwrap()
        };
        assert_eq!(fast.len(), 2);
        assert_eq!(fast[0].dependencies, ["itoa 1.0.19", "serde"]);
        assert_eq!(&LOCK[fast[1].span.clone()], "\"itoa\"");
        assert_eq!(
            fast[1].source.as_deref(),
            Some("registry+https://github.com/rust-lang/crates.io-index")
        );
        assert_eq!(slow.len(), 2);
        assert_eq!(slow[1].span, fast[1].span);
        assert_eq!(slow[0].dependencies, fast[0].dependencies);
    }
}
