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

/// Version of the JSON report's schema; bumped on any incompatible change. Adding fields, kinds
/// of rows (`python`), edges (`wheel`, `python`, `python-extra`, `python-group`), causes
/// (`uv-lock`, `python-root`) and file effects (`python`) is compatible.
pub const JSON_VERSION: u32 = 1;

/// `affected --kind`: a crate's kind ([`CrateKind`]), or `python` for the Python packages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AffectedKind {
    /// A PyO3 crate built by maturin into a Python wheel
    Pyo3,
    /// A crate with a binary target
    Bin,
    /// A library-only crate
    Lib,
    /// A Python package (a `pyproject.toml` of its own, not a PyO3 crate)
    Python,
}

impl AffectedKind {
    fn as_str(self) -> &'static str {
        match self {
            AffectedKind::Pyo3 => CrateKind::Pyo3.as_str(),
            AffectedKind::Bin => CrateKind::Bin.as_str(),
            AffectedKind::Lib => CrateKind::Lib.as_str(),
            AffectedKind::Python => PYTHON,
        }
    }
}

/// The kind of a Python package's row.
pub const PYTHON: &str = "python";

/// Where the changes came from, for the JSON report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Provenance {
    pub base: Option<String>,
    pub head: String,
    pub merge_base: Option<String>,
}

/// One affected crate or Python package (kind `python`, named by its distribution), as the
/// outputs show it.
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

impl Row<'_> {
    /// A Python package, not a crate.
    pub fn is_python(&self) -> bool {
        self.kind == PYTHON
    }
}

/// The affected crates and Python packages after `--direct` and `--kind`, in name order (a
/// crate before a Python package of the same name). `has_image` says which kinds get a
/// Dockerfile (`images` in `[workspace.metadata.ccworkspace.docker]`); the others have none in
/// the rows.
pub fn rows<'a>(
    ws: &'a Workspace,
    outcome: &'a Outcome,
    direct_only: bool,
    kinds: &[AffectedKind],
    has_image: &dyn Fn(CrateKind) -> bool,
) -> Vec<Row<'a>> {
    let by_name: BTreeMap<&str, &Member> =
        ws.members.iter().map(|m| (m.name.as_str(), m)).collect();
    let wanted = |kind: &str| kinds.is_empty() || kinds.iter().any(|k| k.as_str() == kind);
    let python = outcome.python.iter().filter_map(|(name, p)| {
        let direct = outcome.python_direct.contains(name);
        if (direct_only && !direct) || !wanted(PYTHON) {
            return None;
        }
        Some(Row {
            name,
            path: &p.path,
            kind: PYTHON,
            dockerfile: None,
            direct,
            reason: &p.reason,
        })
    });
    let mut rows: Vec<Row<'a>> = outcome
        .affected
        .iter()
        .filter_map(|(name, reason)| {
            let m = by_name.get(name.as_str())?;
            let direct = outcome.direct.contains(name);
            if direct_only && !direct {
                return None;
            }
            if !wanted(m.kind.as_str()) {
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
        .chain(python)
        .collect();
    rows.sort_by(|a, b| a.name.cmp(b.name).then(a.is_python().cmp(&b.is_python())));
    rows
}

/// `names`: one crate per line.
pub fn names(rows: &[Row<'_>]) -> String {
    rows.iter().map(|r| format!("{}\n", r.name)).collect()
}

/// `cargo-args`: `-p a -p b` on one line (empty when no crate is affected); crates only.
pub fn cargo_args(rows: &[Row<'_>]) -> String {
    let args: Vec<String> = rows
        .iter()
        .filter(|r| !r.is_python())
        .map(|r| format!("-p {}", r.name))
        .collect();
    if args.is_empty() {
        return String::new();
    }
    format!("{}\n", args.join(" "))
}

/// `nextest`: a filterset, `none()` when no crate is affected; crates only.
pub fn nextest(rows: &[Row<'_>]) -> String {
    let parts: Vec<String> = rows
        .iter()
        .filter(|r| !r.is_python())
        .map(|r| format!("package(={})", r.name))
        .collect();
    if parts.is_empty() {
        return "none()\n".to_string();
    }
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
    /// The command that tests it (`rust-test-command` or `test-command`).
    test: String,
}

#[derive(Serialize)]
struct GroupJob<'a> {
    group: String,
    /// The group's crates (its Python packages are in `python`).
    crates: Vec<&'a str>,
    /// `-p` for each of its crates.
    cargo_args: String,
    dockerfiles: Vec<String>,
    /// The group's Python packages.
    python: Vec<&'a str>,
    /// One test command per member, in order, joined with ` && `.
    test: String,
    /// The same commands as a list.
    tests: Vec<String>,
}

/// The templates of the test plan's commands ([`test_command`]) and what `{ignore}` needs.
#[derive(Debug, Clone, Copy)]
pub struct TestTemplates<'a> {
    /// For a Python package ([`crate::config::PythonConfig::test_command_for`]).
    pub python: &'a str,
    /// For a crate.
    pub rust: &'a str,
    /// Every Python package's folder, relative to the root (`""` for the root package).
    pub python_dirs: &'a [&'a str],
}

/// The command that tests one row: the Python template for a Python package, the Rust one for
/// a crate, with `{name}` and `{path}` (`.` for the root) replaced by the shell-quoted values,
/// and `{ignore}` by ` --ignore=DIR` (pytest's option) for each other Python package's folder
/// inside the row's (every other one for the root package; one inside another left out: the
/// outer one covers it): pytest collects the tests of a
/// package's folder, nested packages' included, which its environment (`uv run --package`)
/// does not install. Empty for a crate, and for a package with none nested.
pub fn test_command(row: &Row<'_>, templates: &TestTemplates<'_>) -> String {
    let template = if row.is_python() {
        templates.python
    } else {
        templates.rust
    };
    let path = if row.path.is_empty() { "." } else { row.path };
    let name = crate::docker::quote::sh_word(row.name);
    let path = crate::docker::quote::sh_word(path);
    let ignore = if row.is_python() {
        ignored_below(row.path, templates.python_dirs)
    } else {
        String::new()
    };
    // One pass, so that a name containing `{path}` is not substituted again.
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(t) = tail.strip_prefix("{name}") {
            out.push_str(&name);
            rest = t;
        } else if let Some(t) = tail.strip_prefix("{path}") {
            out.push_str(&path);
            rest = t;
        } else if let Some(t) = tail.strip_prefix("{ignore}") {
            out.push_str(&ignore);
            rest = t;
        } else {
            out.push('{');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// ` --ignore=DIR` for each folder of `dirs` strictly inside `path` (every other one for the
/// root, `""`), in path order, a folder inside one ignored already left out.
fn ignored_below(path: &str, dirs: &[&str]) -> String {
    let inside = |d: &str, of: &str| {
        of.is_empty() && !d.is_empty()
            || d.strip_prefix(of).is_some_and(|rest| rest.starts_with('/'))
    };
    let mut below: Vec<&str> = dirs.iter().copied().filter(|d| inside(d, path)).collect();
    below.sort_unstable();
    let mut kept: Vec<&str> = Vec::new();
    for d in below {
        if !kept.last().is_some_and(|k| inside(d, k)) {
            kept.push(d);
        }
    }
    kept.iter()
        .map(|d| format!(" --ignore={}", crate::docker::quote::sh_word(d)))
        .collect()
}

/// `github`: the `matrix=`, `count=` and `jobs=` lines for `$GITHUB_OUTPUT`.
///
/// Every entry has `dockerfiles` (the images that job builds), in both forms: the generated
/// workflow's `images` job reads only that.
/// One job per crate while the crates fit in `max_jobs` and no grouping is asked for; otherwise
/// one job per group (per domain with `--group-by domain`, split further to stay within
/// `max_jobs`), each listing its crates.
///
/// Every entry has `test`: the command that tests it (grouped: each member's, joined with
/// ` && `; also as the list `tests`), from `templates` ([`test_command`]).
pub fn github(
    rows: &[Row<'_>],
    group_by: Option<GroupBy>,
    max_jobs: usize,
    templates: &TestTemplates<'_>,
) -> String {
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
                test: test_command(r, templates),
            })
            .collect();
        serde_json::json!({ "include": include })
    } else {
        let groups = group(rows, group_by, max_jobs);
        let include: Vec<GroupJob<'_>> = groups
            .into_iter()
            .map(|(name, members)| {
                let tests: Vec<String> =
                    members.iter().map(|r| test_command(r, templates)).collect();
                GroupJob {
                    group: name,
                    cargo_args: members
                        .iter()
                        .filter(|r| !r.is_python())
                        .map(|r| format!("-p {}", r.name))
                        .collect::<Vec<_>>()
                        .join(" "),
                    dockerfiles: members
                        .iter()
                        .filter_map(|r| r.dockerfile.clone())
                        .collect(),
                    crates: members
                        .iter()
                        .filter(|r| !r.is_python())
                        .map(|r| r.name)
                        .collect(),
                    python: members
                        .iter()
                        .filter(|r| r.is_python())
                        .map(|r| r.name)
                        .collect(),
                    test: tests.join(" && "),
                    tests,
                }
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

/// `mermaid`: the affected subgraph of crates, changed crates highlighted, dev edges dotted
/// (Python packages are left out).
pub fn mermaid(ws: &Workspace, rows: &[Row<'_>]) -> String {
    let rows: Vec<&Row<'_>> = rows.iter().filter(|r| !r.is_python()).collect();
    let rows = rows.as_slice();
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

/// `--explain NAME`: why it is (or is not) affected. A name that is both a crate and a Python
/// package's distribution (they live in separate namespaces) is explained as both, crate
/// first.
pub fn explain(name: &str, ws: &Workspace, outcome: &Outcome, mode: FeaturesMode) -> String {
    let is_crate = ws.member(name).is_some() || outcome.deleted.iter().any(|d| d.name == name);
    let is_python = outcome
        .python_packages
        .contains_key(&crate::python::normalize(name));
    if is_crate && is_python {
        format!(
            "{}\n{}",
            explain_one(name, ws, outcome, mode, false),
            explain_one(name, ws, outcome, mode, true)
        )
    } else {
        explain_one(name, ws, outcome, mode, false)
    }
}

/// [`explain`] of the crate `name`, else (or with `python_side`) of the Python package.
fn explain_one(
    name: &str,
    ws: &Workspace,
    outcome: &Outcome,
    mode: FeaturesMode,
    python_side: bool,
) -> String {
    let mut out = String::new();
    let python = crate::python::normalize(name);
    let no_crate = python_side || ws.member(name).is_none();
    let reason = match outcome.affected.get(name).filter(|_| !python_side) {
        Some(r) => Some(r),
        None if no_crate => outcome.python.get(&python).map(|p| &p.reason),
        None => None,
    };
    if no_crate && reason.is_none() && outcome.python_packages.contains_key(&python) {
        let _ = writeln!(out, "{python} (Python package) is not affected:");
        let changed: Vec<&str> = outcome
            .direct
            .iter()
            .chain(&outcome.python_direct)
            .map(String::as_str)
            .collect();
        if changed.is_empty() {
            let _ = writeln!(out, "  no crate or Python package changed");
        } else {
            let _ = writeln!(
                out,
                "  it does not require (through [project] dependencies or optional-dependencies, or its own dependency groups) any changed crate's wheel or Python package: {}",
                changed.join(", ")
            );
        }
        return out;
    }
    if let Some(reason) = reason {
        // A Python package by its normalised distribution name (`FOO.bar` is `foo-bar`).
        let shown = if !no_crate || (!python_side && outcome.affected.contains_key(name)) {
            name
        } else {
            python.as_str()
        };
        let shown = if python_side {
            format!("{shown} (Python package)")
        } else {
            shown.to_string()
        };
        let _ = writeln!(out, "{shown} is affected: {}", reason.cause.describe());
        let last = reason.chain.len().saturating_sub(1);
        for (i, step) in reason.chain.iter().enumerate() {
            let ext = if step.external {
                " (not a workspace member)"
            } else if step.kind.is_some() {
                " (Python package)"
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
                        Edge::Wheel => "requires the wheel of",
                        Edge::Python => "requires",
                        Edge::PythonExtra => "requires (in an extra)",
                        Edge::PythonGroup => {
                            notes.push(
                                "a dependency group reaches the package itself, not its dependents"
                                    .to_string(),
                            );
                            "requires (in a dependency group)"
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
