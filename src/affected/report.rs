//! Render an [`Outcome`] in every `--format`, and `--explain`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::changed::ChangedFile;
use super::compute::{Deleted, Edge, FileEffect, Outcome, Reason};
use clap::ValueEnum;

use crate::config::FeaturesMode;
use crate::graph::Node;
use crate::model::kind::CrateKind;
use crate::workspace::{Member, Workspace};

/// `affected --group-by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GroupBy {
    /// The first path component of the crate's directory (`DAGs/rust/x` -> `DAGs`)
    Domain,
}

/// Version of the JSON report's schema; bumped on any incompatible change.
pub const JSON_VERSION: u32 = 1;

/// Where the changes came from, for the JSON report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Provenance {
    pub base: Option<String>,
    pub head: String,
    pub merge_base: Option<String>,
}

/// One affected crate, as the outputs show it.
#[derive(Debug, Clone, Serialize)]
pub struct Row<'a> {
    pub name: &'a str,
    pub path: &'a str,
    pub kind: &'static str,
    pub dockerfile: Option<String>,
    /// Its own files (or entries) changed, as opposed to only a dependency.
    pub direct: bool,
    pub reason: &'a Reason,
}

/// The affected crates after `--direct` and `--kind`, in name order. `has_image` says which
/// kinds get a Dockerfile (`images` in `[workspace.metadata.ccworkspace.docker]`); the others
/// have none in the rows.
pub fn rows<'a>(
    ws: &'a Workspace,
    outcome: &'a Outcome,
    direct_only: bool,
    kinds: &[CrateKind],
    has_image: &dyn Fn(CrateKind) -> bool,
) -> Vec<Row<'a>> {
    let by_name: BTreeMap<&str, &Member> =
        ws.members.iter().map(|m| (m.name.as_str(), m)).collect();
    outcome
        .affected
        .iter()
        .filter_map(|(name, reason)| {
            let m = by_name.get(name.as_str())?;
            let direct = outcome.direct.contains(name);
            if direct_only && !direct {
                return None;
            }
            if !kinds.is_empty() && !kinds.contains(&m.kind) {
                return None;
            }
            Some(Row {
                name: &m.name,
                path: &m.path,
                kind: m.kind.as_str(),
                dockerfile: m.dockerfile().filter(|_| has_image(m.kind)),
                direct,
                reason,
            })
        })
        .collect()
}

/// `names`: one crate per line.
pub fn names(rows: &[Row<'_>]) -> String {
    rows.iter().map(|r| format!("{}\n", r.name)).collect()
}

/// `cargo-args`: `-p a -p b` on one line (empty when nothing is affected).
pub fn cargo_args(rows: &[Row<'_>]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let args: Vec<String> = rows.iter().map(|r| format!("-p {}", r.name)).collect();
    format!("{}\n", args.join(" "))
}

/// `nextest`: a filterset, `none()` when nothing is affected.
pub fn nextest(rows: &[Row<'_>]) -> String {
    if rows.is_empty() {
        return "none()\n".to_string();
    }
    let parts: Vec<String> = rows
        .iter()
        .map(|r| format!("package(={})", r.name))
        .collect();
    format!("{}\n", parts.join(" | "))
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    base: Option<&'a str>,
    head: &'a str,
    merge_base: Option<&'a str>,
    changed_files: &'a [FileEffect],
    all: Option<&'a str>,
    affected: &'a [Row<'a>],
    deleted: &'a [Deleted],
    notes: &'a [String],
}

/// `json`: the versioned report.
pub fn json(prov: &Provenance, outcome: &Outcome, rows: &[Row<'_>]) -> String {
    let report = JsonReport {
        version: JSON_VERSION,
        base: prov.base.as_deref(),
        head: &prov.head,
        merge_base: prov.merge_base.as_deref(),
        changed_files: &outcome.files,
        all: outcome.all.as_deref(),
        affected: rows,
        deleted: &outcome.deleted,
        notes: &outcome.notes,
    };
    let mut text =
        serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

#[derive(Serialize)]
struct Job<'a> {
    #[serde(rename = "crate")]
    name: &'a str,
    path: &'a str,
    kind: &'static str,
    dockerfile: String,
    /// The same Dockerfile as a list (empty for a library), so that one consumer handles this
    /// form and the grouped one (`dockerfiles` in both).
    dockerfiles: Vec<String>,
}

#[derive(Serialize)]
struct GroupJob<'a> {
    group: String,
    crates: Vec<&'a str>,
    cargo_args: String,
    dockerfiles: Vec<String>,
}

/// `github`: the `matrix=`, `count=` and `jobs=` lines for `$GITHUB_OUTPUT`.
///
/// Every entry has `dockerfiles` (the images that job builds), in both forms: the generated
/// workflow's `images` job reads only that.
/// One job per crate while the crates fit in `max_jobs` and no grouping is asked for; otherwise
/// one job per group (per domain with `--group-by domain`, split further to stay within
/// `max_jobs`), each listing its crates.
pub fn github(rows: &[Row<'_>], group_by: Option<GroupBy>, max_jobs: usize) -> String {
    let max_jobs = max_jobs.max(1);
    let mut out = String::new();
    let matrix = if group_by.is_none() && rows.len() <= max_jobs {
        let include: Vec<Job<'_>> = rows
            .iter()
            .map(|r| Job {
                name: r.name,
                path: r.path,
                kind: r.kind,
                dockerfile: r.dockerfile.clone().unwrap_or_default(),
                dockerfiles: r.dockerfile.iter().cloned().collect(),
            })
            .collect();
        serde_json::json!({ "include": include })
    } else {
        let groups = group(rows, group_by, max_jobs);
        let include: Vec<GroupJob<'_>> = groups
            .into_iter()
            .map(|(name, members)| GroupJob {
                group: name,
                cargo_args: members
                    .iter()
                    .map(|r| format!("-p {}", r.name))
                    .collect::<Vec<_>>()
                    .join(" "),
                dockerfiles: members
                    .iter()
                    .filter_map(|r| r.dockerfile.clone())
                    .collect(),
                crates: members.iter().map(|r| r.name).collect(),
            })
            .collect();
        serde_json::json!({ "include": include })
    };
    let jobs = matrix["include"].as_array().map_or(0, Vec::len);
    let _ = writeln!(out, "matrix={matrix}");
    let _ = writeln!(out, "count={}", rows.len());
    let _ = writeln!(out, "jobs={jobs}");
    out
}

/// Split rows into at most `max_jobs` groups: by domain when asked, then into even chunks.
fn group<'r, 'a>(
    rows: &'r [Row<'a>],
    group_by: Option<GroupBy>,
    max_jobs: usize,
) -> Vec<(String, Vec<&'r Row<'a>>)> {
    let mut groups: Vec<(String, Vec<&Row<'_>>)> = Vec::new();
    match group_by {
        Some(GroupBy::Domain) => {
            let mut by_domain: BTreeMap<&str, Vec<&Row<'_>>> = BTreeMap::new();
            for r in rows {
                let domain = r
                    .path
                    .split('/')
                    .next()
                    .filter(|d| !d.is_empty())
                    .unwrap_or("(root)");
                by_domain.entry(domain).or_default().push(r);
            }
            groups.extend(by_domain.into_iter().map(|(d, rs)| (d.to_string(), rs)));
        }
        None => groups.push(("all".to_string(), rows.iter().collect())),
    }
    // Without grouping, split the crates evenly into at most `max_jobs` chunks; with
    // `--group-by domain`, keep each domain whole (merging below if there are too many).
    let mut split = Vec::new();
    for (name, members) in groups {
        if group_by.is_some() {
            split.push((name, members));
            continue;
        }
        let per_job = members.len().div_ceil(max_jobs).max(1);
        for (i, chunk) in members.chunks(per_job).enumerate() {
            split.push((format!("{name}-{}", i + 1), chunk.to_vec()));
        }
    }
    while split.len() > max_jobs {
        // Too many groups (more domains than jobs): merge the two smallest neighbours.
        let (i, _) = split
            .windows(2)
            .enumerate()
            .min_by_key(|(_, w)| w[0].1.len() + w[1].1.len())
            .map(|(i, w)| (i, w.len()))
            .unwrap_or((0, 0));
        let (name_b, members_b) = split.remove(i + 1);
        let (name_a, members_a) = &mut split[i];
        *name_a = format!("{name_a}+{name_b}");
        members_a.extend(members_b);
    }
    split
}

/// `mermaid`: the affected subgraph, changed crates highlighted, dev edges dotted.
pub fn mermaid(ws: &Workspace, rows: &[Row<'_>]) -> String {
    let mut out = String::from("graph LR\n");
    let ids: BTreeMap<&str, usize> = rows.iter().enumerate().map(|(i, r)| (r.name, i)).collect();
    for (i, r) in rows.iter().enumerate() {
        let _ = writeln!(out, "  n{i}[\"{}\"]", r.name);
    }
    for r in rows {
        let Some(member) = ws.member(r.name) else {
            continue;
        };
        let mut edges: Vec<(usize, bool)> = ws
            .graph
            .package(member.node)
            .links
            .iter()
            .filter_map(|l| {
                let dep = ids.get(ws.graph.package(l.to).name.as_str())?;
                Some((*dep, l.dev_only()))
            })
            .collect();
        edges.sort();
        edges.dedup();
        let me = ids.get(r.name).copied().unwrap_or(0);
        for (dep, dev_only) in edges {
            let arrow = if dev_only { "-.->" } else { "-->" };
            let _ = writeln!(out, "  n{dep} {arrow} n{me}");
        }
    }
    let changed: Vec<String> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.direct)
        .map(|(i, _)| format!("n{i}"))
        .collect();
    if !changed.is_empty() {
        out.push_str("  classDef changed fill:#fdd,stroke:#c00,stroke-width:2px\n");
        let _ = writeln!(out, "  class {} changed", changed.join(","));
    }
    out
}

/// The changed crates `member` reaches over every dependency edge of the `--all-features`
/// graph, on any platform (normal and build edges, and its own dev edges).
fn reaches_over_links<'w>(ws: &'w Workspace, member: Node, outcome: &Outcome) -> Vec<&'w str> {
    let mut seen = std::collections::BTreeSet::from([member]);
    let mut stack = vec![member];
    let mut hits = Vec::new();
    while let Some(n) = stack.pop() {
        for link in &ws.graph.package(n).links {
            if !(link.normal || link.build || (link.dev && n == member)) {
                continue;
            }
            if seen.insert(link.to) {
                let dep = ws.graph.package(link.to).name.as_str();
                if ws.graph.package(link.to).member && outcome.direct.contains(dep) {
                    hits.push(dep);
                }
                stack.push(link.to);
            }
        }
    }
    hits.sort_unstable();
    hits
}

/// `--explain CRATE`: why it is (or is not) affected.
pub fn explain(name: &str, ws: &Workspace, outcome: &Outcome, mode: FeaturesMode) -> String {
    let mut out = String::new();
    if let Some(reason) = outcome.affected.get(name) {
        let _ = writeln!(out, "{name} is affected: {}", reason.cause.describe());
        let last = reason.chain.len().saturating_sub(1);
        for (i, step) in reason.chain.iter().enumerate() {
            let ext = if step.external {
                " (not a workspace member)"
            } else {
                ""
            };
            match (i, step.via) {
                (0, _) | (_, None) => {
                    let _ = writeln!(out, "  {}{ext} changed", step.name);
                }
                (_, Some(via)) => {
                    let prev = &reason.chain[i - 1].name;
                    let mut notes = Vec::new();
                    if let (Some(b), true) = (&reason.build, i == last) {
                        notes.push(format!("{}'s {b}", step.name));
                    }
                    let how = match via {
                        Edge::Normal => "depends on",
                        Edge::Build => "build-depends on",
                        Edge::Dev => {
                            notes.push(
                                "a dev-dependency reaches the crate itself, not its dependents"
                                    .to_string(),
                            );
                            "dev-depends on"
                        }
                    };
                    let note = if notes.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", notes.join("; "))
                    };
                    let _ = writeln!(out, "  -> {}{ext} {how} {prev}{note}", step.name);
                }
            }
        }
        return out;
    }
    if let Some(d) = outcome.deleted.iter().find(|d| d.name == name) {
        let _ = writeln!(
            out,
            "{name} is not affected: it was deleted (it was at {})",
            d.path
        );
        return out;
    }
    let _ = writeln!(out, "{name} is not affected:");
    if outcome.affected.is_empty() {
        let _ = writeln!(out, "  no crate changed");
    } else {
        let changed: Vec<&str> = outcome
            .direct
            .iter()
            .chain(&outcome.changed_packages)
            .map(String::as_str)
            .collect();
        let platforms = ws.graph.platforms.join(", ");
        match mode {
            FeaturesMode::Builds => {
                let _ = writeln!(
                    out,
                    "  none of its own builds (no features, default features, all features, each with its dev-dependencies; for {platforms}) contains a changed crate: {}",
                    changed.join(", ")
                );
                let reached = ws
                    .member(name)
                    .map(|m| reaches_over_links(ws, m.node, outcome))
                    .unwrap_or_default();
                if !reached.is_empty() {
                    let _ = writeln!(
                        out,
                        "  (it reaches {} only through optional dependencies none of its builds enables, or dependencies declared for other platforms; `--features-mode all` counts the optional ones, `platforms = [\"any\"]` the other platforms')",
                        reached.join(", ")
                    );
                }
            }
            FeaturesMode::All => {
                let _ = writeln!(
                    out,
                    "  it does not depend (through normal or build edges, or one dev edge, declared for {platforms}) on any changed crate: {}",
                    changed.join(", ")
                );
            }
        }
        if let Some(member) = ws.member(name) {
            let dev_hits: Vec<&str> = ws
                .graph
                .package(member.node)
                .links
                .iter()
                .map(|l| ws.graph.package(l.to).name.as_str())
                .filter(|dep| {
                    outcome.affected.get(*dep).is_some_and(|r| {
                        r.chain.len() > 1 && r.chain.last().and_then(|s| s.via) == Some(Edge::Dev)
                    })
                })
                .collect();
            if !dev_hits.is_empty() {
                let _ = writeln!(
                    out,
                    "  (its dependencies {} are affected only through their own dev-dependencies, which {name} does not build)",
                    dev_hits.join(", ")
                );
            }
        }
    }
    let ignored: Vec<&ChangedFile> = outcome
        .files
        .iter()
        .filter(|f| matches!(f.effect, "ignored" | "unmatched"))
        .map(|f| &f.file)
        .collect();
    if !ignored.is_empty() {
        let paths: Vec<&str> = ignored.iter().map(|f| f.path.as_str()).collect();
        let _ = writeln!(out, "  ignored changes: {}", paths.join(", "));
    }
    out
}
