//! `duplicate-versions`: one crate locked at several versions in `Cargo.lock`, and which
//! members pull each version in. Read straight from the lockfile, no resolution.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::{Ctx, Finding, Rule};
use crate::model::Workspace;
use crate::model::lockfile::LockedPackage;

/// Every locked package, in file order.
pub(crate) fn packages(ws: &Workspace) -> &[LockedPackage] {
    ws.lock.as_ref().map_or(&[], |l| l.packages.as_slice())
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
