//! Rules on each member dependency entry: `not-inherited`, `missing-workspace-entry`,
//! `ignored-key`, `ineffective-default-features`, and the `--fix` plan that hoists entries
//! into `[workspace.dependencies]` without changing what cargo resolves.
//!
//! The plan is made per dependency key (cargo looks inherited entries up by key): every
//! member declaring the key directly is a candidate; the root entry is reused when its source,
//! requirement, features and default features agree, created when there is none, and a
//! requirement is tightened only to one that every user's locked version still satisfies.

use std::collections::BTreeMap;

use rayon::prelude::*;
use semver::VersionReq;

use super::fix::{Edit, NewEntry, SOURCE_KEYS};
use super::{Ctx, Finding, Rule, is_workspace_hack, lockfile, rust_version};
use crate::model::relpath::rebase;
use crate::model::{DepEntry, DepSpec, Manifest, NodeExt, entries};

/// Keys cargo accepts next to `workspace = true`.
const INHERIT_KEYS: [&str; 6] = [
    "workspace",
    "features",
    "optional",
    "default-features",
    "default_features",
    "public",
];

/// Where a direct dependency comes from, with paths relative to the workspace root.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    Registry {
        registry: Option<String>,
    },
    Path(String),
    Git {
        url: String,
        branch: Option<String>,
        tag: Option<String>,
        rev: Option<String>,
    },
}

impl Source {
    fn of(spec: &DepSpec, dir: &str) -> Source {
        if let Some(url) = &spec.git {
            Source::Git {
                url: url.clone(),
                branch: spec.branch.clone(),
                tag: spec.tag.clone(),
                rev: spec.rev.clone(),
            }
        } else if let Some(p) = &spec.path {
            Source::Path(rebase(dir, p))
        } else {
            Source::Registry {
                registry: spec.registry.clone(),
            }
        }
    }

    fn noun(&self) -> &'static str {
        match self {
            Source::Registry { .. } => "a version",
            Source::Path(_) => "a path",
            Source::Git { .. } => "a git source",
        }
    }
}

/// The member's edition and rust-version (following `.workspace = true`).
pub(crate) fn edition_allows_override(ctx: &Ctx, m: &Manifest) -> (String, bool) {
    let edition = ctx
        .package_field(m, "edition")
        .unwrap_or_else(|| "2015".to_string());
    let rv = ctx
        .package_field(m, "rust-version")
        .and_then(|r| rust_version(&r));
    let allows = edition.as_str() >= "2024" && rv.is_some_and(|v| v >= (1, 99));
    (edition, allows)
}

/// The lowest version a requirement admits (its first comparator, missing parts as 0).
pub(crate) fn lower_bound(req: &VersionReq) -> semver::Version {
    req.comparators
        .iter()
        .find(|c| {
            matches!(
                c.op,
                semver::Op::Caret
                    | semver::Op::Tilde
                    | semver::Op::Exact
                    | semver::Op::GreaterEq
                    | semver::Op::Wildcard
            )
        })
        .map(|c| {
            let mut v = semver::Version::new(c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0));
            v.pre = c.pre.clone();
            v
        })
        .unwrap_or_else(|| semver::Version::new(0, 0, 0))
}

/// Whether some version satisfies both requirements (checked at each one's lower bound).
pub(crate) fn compatible(a: &VersionReq, b: &VersionReq) -> bool {
    b.matches(&lower_bound(a)) || a.matches(&lower_bound(b))
}

/// The one requirement among `reqs` that every other one admits at its lower bound (the
/// strictest compatible one), if there is one.
pub(crate) fn choose(reqs: &[(String, VersionReq)]) -> Option<&(String, VersionReq)> {
    // On a tie the first one wins, so an existing root requirement is kept.
    let mut best: Option<&(String, VersionReq)> = None;
    for cand in reqs {
        let lb = lower_bound(&cand.1);
        if reqs.iter().all(|(_, o)| o.matches(&lb)) && best.is_none_or(|b| lb > lower_bound(&b.1)) {
            best = Some(cand);
        }
    }
    best
}

fn parse_req(text: Option<&str>) -> Option<VersionReq> {
    VersionReq::parse(text.unwrap_or("*")).ok()
}

/// One direct (not inherited) declaration of a key.
struct Decl<'a> {
    member: &'a Manifest,
    entry: &'a DepEntry<'a>,
}

/// Who already inherits a key: (member, entry).
type Users<'a> = BTreeMap<&'a str, Vec<(&'a Manifest, &'a DepEntry<'a>)>>;

pub(super) fn check<'a>(ctx: &'a Ctx<'a>, out: &mut Vec<Finding>) {
    let locked = lockfile::registry_versions(ctx.ws);
    // Inheritors of every key across all members (needed to flip a root entry safely).
    let mut inheritors: Users = BTreeMap::new();
    let mut direct: BTreeMap<&str, Vec<Decl>> = BTreeMap::new();
    let mut to_check: Vec<(&Manifest, &DepEntry)> = Vec::new();
    for (m, deps) in ctx.ws.members.iter().zip(&ctx.deps) {
        let selected = ctx.ws.selected.contains(&m.dir);
        let hakari = is_workspace_hack(m);
        for entry in deps {
            if entry.spec.workspace {
                if selected {
                    to_check.push((m, entry));
                }
                inheritors.entry(entry.key).or_default().push((m, entry));
            } else if selected && !hakari {
                direct
                    .entry(entry.key)
                    .or_default()
                    .push(Decl { member: m, entry });
            }
        }
    }
    // Each inherited entry is checked on its own: in parallel, sorted later with the rest.
    let found: Vec<Vec<Finding>> = to_check
        .par_iter()
        .map(|(m, entry)| {
            let mut found = Vec::new();
            check_inherited(ctx, m, entry, &mut found);
            found
        })
        .collect();
    out.extend(found.into_iter().flatten());
    let by_crate = crate_requirements(ctx);
    for (key, decls) in &direct {
        plan_key(ctx, key, decls, &inheritors, &locked, &by_crate, out);
    }
}

/// One registry requirement for a crate, under some key, in the root or a member.
struct CrateReq<'a> {
    key: &'a str,
    text: String,
    req: VersionReq,
    /// Where it is written: the root manifest or a member's.
    file: &'a str,
    root: bool,
}

/// Every registry requirement by real crate name (renames resolved through `package`): the
/// root entries and every member's direct declarations. The plan of one key compares against
/// the other keys naming the same crate, so that a second major version is never hoisted
/// into the root under a renamed key.
fn crate_requirements<'a>(ctx: &'a Ctx<'a>) -> BTreeMap<&'a str, Vec<CrateReq<'a>>> {
    let mut by_crate: BTreeMap<&str, Vec<CrateReq>> = BTreeMap::new();
    let registry = |spec: &DepSpec| spec.path.is_none() && spec.git.is_none();
    for (key, (spec, _)) in &ctx.root_deps {
        if !registry(spec) {
            continue;
        }
        let text = spec.version.clone().unwrap_or_else(|| "*".to_string());
        if let Ok(req) = VersionReq::parse(&text) {
            by_crate
                .entry(spec.package_name(key))
                .or_default()
                .push(CrateReq {
                    key,
                    text,
                    req,
                    file: &ctx.ws.root.path,
                    root: true,
                });
        }
    }
    for (m, deps) in ctx.ws.members.iter().zip(&ctx.deps) {
        for e in deps {
            if e.spec.workspace || !registry(&e.spec) {
                continue;
            }
            let text = e.spec.version.clone().unwrap_or_else(|| "*".to_string());
            if let Ok(req) = VersionReq::parse(&text) {
                by_crate
                    .entry(e.spec.package_name(e.key))
                    .or_default()
                    .push(CrateReq {
                        key: e.key,
                        text,
                        req,
                        file: &m.path,
                        root: false,
                    });
            }
        }
    }
    by_crate
}

/// `missing-workspace-entry`, `ignored-key` and `ineffective-default-features` on one
/// `workspace = true` entry.
fn check_inherited(ctx: &Ctx, m: &Manifest, entry: &DepEntry, out: &mut Vec<Finding>) {
    let key = entry.key;
    let root_spec = ctx.root_deps.get(key).map(|(s, _)| s);
    if root_spec.is_none() {
        out.push(missing_entry(ctx, m, entry));
    }
    let root_text = || root_entry_text(ctx, key);
    for (k, span) in &entry.spec.keys {
        if INHERIT_KEYS.contains(k) {
            continue;
        }
        let effective = if root_spec.is_none() {
            format!(
                "cargo ignores it next to `workspace = true` (`unused manifest key: \
                 dependencies.{key}.{k}`); it looks `{key}` up by its key alone"
            )
        } else if SOURCE_KEYS.contains(k) {
            format!("cargo uses the workspace entry `{}`", root_text())
        } else {
            "cargo only warns `unused manifest key` and ignores it".to_string()
        };
        let finding = Finding::new(
            Rule::IgnoredKey,
            &m.path,
            span.clone(),
            format!("`{k}` next to `workspace = true` is ignored for `{key}`"),
            "ignored by cargo",
        )
        .help(format!(
            "remove `{k}` from `{key}` in [{}]",
            entry.table_display()
        ))
        .note(effective)
        .package(m.package_name())
        .dependency(key);
        // Without a root entry the key still says what that entry should be: kept until the
        // user has written it.
        out.push(match root_spec {
            None => finding.note(
                "not fixed automatically: it tells what the missing workspace entry should contain",
            ),
            Some(_) => finding.fix(
                &m.path,
                Edit::RemoveDepKey {
                    table_path: entry.table_path.to_vec(),
                    key: key.to_string(),
                    sub: k.to_string(),
                },
            ),
        });
    }
    let Some(root_spec) = root_spec else {
        return;
    };
    if entry.spec.default_features == Some(false) && root_spec.default_features != Some(false) {
        let (edition, allows) = edition_allows_override(ctx, m);
        if allows {
            return;
        }
        let df_key = if entry.spec.default_features_underscore {
            "default_features"
        } else {
            "default-features"
        };
        let span = entry
            .spec
            .keys
            .iter()
            .find(|(k, _)| *k == df_key)
            .map(|(_, s)| s.clone())
            .unwrap_or(entry.span.clone());
        let ignored = edition.as_str() < "2024";
        let what = if ignored {
            format!("ignored (edition {edition}): `{key}` keeps its default features")
        } else {
            "rejected by cargo below Rust 1.99 (edition 2024 without `rust-version >= 1.99`)"
                .to_string()
        };
        let mut f = Finding::new(
            Rule::IneffectiveDefaultFeatures,
            &m.path,
            span,
            format!("`default-features = false` on inherited `{key}` is {what}"),
            if ignored {
                "ignored by cargo"
            } else {
                "cargo rejects this"
            },
        )
        .help(format!(
            "remove `{df_key} = false` here; to really turn default features off, set \
             `default-features = false` on `{key}` in [workspace.dependencies] and \
             `default-features = true` in the members that need them"
        ))
        .note(format!("the workspace entry is `{}`", root_text()))
        .package(m.package_name())
        .dependency(key);
        // Removing an ignored key changes nothing cargo does; a rejected one is left to the
        // user, who must choose.
        if ignored {
            f = f.fix(
                &m.path,
                Edit::RemoveDepKey {
                    table_path: entry.table_path.to_vec(),
                    key: key.to_string(),
                    sub: df_key.to_string(),
                },
            );
        }
        out.push(f);
    }
}

/// `missing-workspace-entry` for a `workspace = true` entry whose key the root lacks.
///
/// Cargo looks an inherited dependency up by its key and ignores `package` next to
/// `workspace = true`, so for `sj = { workspace = true, package = "serde_json" }` the root
/// needs `sj = { version = "1", package = "serde_json" }` (the version of the root entry
/// named by `package` when there is one, else the one locked version).
fn missing_entry(ctx: &Ctx, m: &Manifest, entry: &DepEntry) -> Finding {
    let key = entry.key;
    let crate_name = entry.spec.package.as_deref().unwrap_or(key);
    let version = ctx
        .root_deps
        .get(crate_name)
        .filter(|(s, _)| s.path.is_none() && s.git.is_none())
        .and_then(|(s, _)| s.version.clone())
        .or_else(|| {
            lockfile::registry_versions(ctx.ws)
                .get(crate_name)
                .filter(|v| v.len() == 1)
                .map(|v| v[0].to_string())
        })
        .unwrap_or_else(|| "<version>".to_string());
    let (suggestion, then) = match &entry.spec.package {
        Some(p) => (
            format!("{key} = {{ version = \"{version}\", package = \"{p}\" }}"),
            format!(
                " (cargo looks `{key}` up by its key and ignores `package` here), then remove \
                 `package` from `{key}`"
            ),
        ),
        None => (format!("{key} = \"{version}\""), String::new()),
    };
    Finding::new(
        Rule::MissingWorkspaceEntry,
        &m.path,
        entry.span.clone(),
        format!("`{key}` inherits from the workspace, but the root has no `{key}` entry"),
        "not in [workspace.dependencies]",
    )
    .help(format!(
        "add `{suggestion}` to [workspace.dependencies] in {}{then}",
        ctx.ws.root.path
    ))
    .note(
        "cargo fails with \"`dependency.".to_string()
            + key
            + "` was not found in `workspace.dependencies`\"",
    )
    .package(m.package_name())
    .dependency(key)
}

/// The root entry as written (`serde = { version = "1", features = ["derive"] }`).
pub(crate) fn root_entry_text(ctx: &Ctx, key: &str) -> String {
    let root = &ctx.ws.root;
    let Some(item) = root
        .root()
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(|d| d.get(key))
    else {
        return key.to_string();
    };
    if let Some(raw) = root.inline(item) {
        return format!("{key} = {raw}");
    }
    let body: Vec<String> = item
        .as_table()
        .map(entries)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, _, v)| Some(format!("{k} = {}", root.inline(v)?)))
        .collect();
    format!("{key} = {{ {} }}", body.join(", "))
}

/// Why a declaration cannot be hoisted automatically.
type Blocker = String;

/// `not-inherited` for every direct declaration of `key`, with a fix when a safe one exists.
fn plan_key(
    ctx: &Ctx,
    key: &str,
    decls: &[Decl],
    inheritors: &Users,
    locked: &BTreeMap<String, Vec<semver::Version>>,
    by_crate: &BTreeMap<&str, Vec<CrateReq>>,
    out: &mut Vec<Finding>,
) {
    let root = ctx.root_deps.get(key).map(|(s, _)| s);
    let root_file = ctx.ws.root.path.as_str();
    let mut blockers: Vec<Option<Blocker>> = vec![None; decls.len()];

    // Keys a workspace entry cannot carry for one member.
    for (i, d) in decls.iter().enumerate() {
        if let Some((k, _)) = d
            .entry
            .spec
            .keys
            .iter()
            .find(|(k, _)| !SOURCE_KEYS.contains(k) && !INHERIT_KEYS.contains(k))
        {
            blockers[i] = Some(format!("`{k}` cannot be kept next to `workspace = true`"));
        }
        if d.entry.item.as_table().is_some() && d.entry.spec.keys.is_empty() {
            blockers[i] = Some("the entry is empty".into());
        }
    }

    // The reference source and package: the root entry's, else the first declaration's.
    let reference = match root {
        Some(r) => (Source::of(r, ""), r.package.clone()),
        None => (
            Source::of(&decls[0].entry.spec, &decls[0].member.dir),
            decls[0].entry.spec.package.clone(),
        ),
    };
    let where_ref = if root.is_some() {
        format!("the workspace entry `{}`", root_entry_text(ctx, key))
    } else {
        format!("{} in {}", key, decls[0].member.path)
    };
    for (i, d) in decls.iter().enumerate() {
        if blockers[i].is_some() {
            continue;
        }
        let src = Source::of(&d.entry.spec, &d.member.dir);
        if src != reference.0 {
            blockers[i] = Some(format!("its source differs from {where_ref}"));
        } else if d.entry.spec.package != reference.1 {
            blockers[i] = Some(format!("its `package` differs from {where_ref}"));
        } else if let Some(r) = root {
            let missing: Vec<&String> = r
                .features
                .iter()
                .filter(|f| !d.entry.spec.features.contains(f))
                .collect();
            if !missing.is_empty() {
                blockers[i] = Some(format!(
                    "the workspace entry enables features this member does not: {}",
                    missing
                        .iter()
                        .map(|f| format!("`{f}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
    }

    // Cargo refuses `default_features` in a manifest of edition 2024, inherited entries
    // included: a member of that edition must not start to inherit an entry spelled so.
    if let Some(r) = root
        && r.default_features_underscore
    {
        for (i, d) in decls.iter().enumerate() {
            if blockers[i].is_none() && edition_allows_override(ctx, d.member).0.as_str() >= "2024"
            {
                blockers[i] = Some(
                    "the workspace entry spells `default_features`, which cargo refuses in a \
                     member of edition 2024 (\"`default_features` is unsupported as of the 2024 \
                     edition\"); write `default-features` there first (see `deprecated-spelling`)"
                        .to_string(),
                );
            }
        }
    }

    // The version requirement: one that admits every user's requirement and keeps each
    // user's locked version.
    let mut chosen_version: Option<String> = root.and_then(|r| r.version.clone());
    let mut root_edits: Vec<Edit> = Vec::new();
    if matches!(reference.0, Source::Registry { .. }) {
        let package = reference.1.clone().unwrap_or_else(|| key.to_string());
        // A conflict is reported (`version-conflict`), never rewritten: a member whose
        // requirement no version shares with the workspace entry stays as it is, and the
        // members that agree with the entry are still fixed.
        let root_req = root.and_then(|r| parse_req(r.version.as_deref()));
        // Without an entry under this key, the other keys naming the same crate: the root's
        // when it has some (a renamed second entry would hoist a second major version), else
        // every member's.
        let others: Vec<&CrateReq> = by_crate
            .get(package.as_str())
            .map(|v| v.iter().filter(|r| r.key != key).collect())
            .unwrap_or_default();
        let against: Vec<&CrateReq> = if root.is_some() {
            Vec::new()
        } else if others.iter().any(|r| r.root) {
            others.into_iter().filter(|r| r.root).collect()
        } else {
            others
        };
        for (i, d) in decls.iter().enumerate() {
            if blockers[i].is_some() {
                continue;
            }
            let text = d.entry.spec.version.as_deref().unwrap_or("*");
            let Some(req) = parse_req(Some(text)) else {
                continue;
            };
            if let Some(rq) = &root_req
                && !compatible(&req, rq)
            {
                blockers[i] = Some(format!(
                    "`{text}` is not compatible with {where_ref} (see `version-conflict`); a \
                     conflict is reported, never rewritten"
                ));
            } else if let Some(o) = against.iter().find(|o| !compatible(&req, &o.req)) {
                blockers[i] = Some(format!(
                    "`{text}` is not compatible with `{} = \"{}\"` in {} (see \
                     `version-conflict`); hoisting it would put a second requirement for \
                     `{package}` into [workspace.dependencies]",
                    o.key, o.text, o.file
                ));
            }
        }
        let mut reqs: Vec<(String, VersionReq)> = Vec::new();
        let mut push = |text: Option<&str>| {
            if let Some(r) = parse_req(text) {
                reqs.push((text.unwrap_or("*").to_string(), r));
            }
        };
        if let Some(r) = root {
            push(r.version.as_deref());
        }
        for (i, d) in decls.iter().enumerate() {
            if blockers[i].is_none() {
                push(d.entry.spec.version.as_deref());
            }
        }
        match choose(&reqs) {
            None => {
                for (i, d) in decls.iter().enumerate() {
                    if blockers[i].is_none() {
                        blockers[i] = Some(format!(
                            "`{}` is not compatible with every other requirement for `{key}` \
                             (see `version-conflict`)",
                            d.entry.spec.version.as_deref().unwrap_or("*")
                        ));
                    }
                }
            }
            Some((text, chosen)) => {
                let versions = locked.get(&package).cloned().unwrap_or_default();
                let same_lock = |r: &VersionReq| {
                    versions.is_empty()
                        || versions
                            .iter()
                            .filter(|v| r.matches(v))
                            .eq(versions.iter().filter(|v| chosen.matches(v)))
                };
                let all_keep = reqs.iter().all(|(_, r)| same_lock(r));
                if !all_keep {
                    for b in blockers.iter_mut().filter(|b| b.is_none()) {
                        *b = Some(format!(
                            "moving to `{text}` would change a locked version of `{package}`"
                        ));
                    }
                } else {
                    if let Some(r) = root
                        && r.version.as_deref().unwrap_or("*") != text
                    {
                        root_edits.push(Edit::SetWorkspaceDepVersion {
                            key: key.to_string(),
                            version: text.clone(),
                        });
                    }
                    // `*` is written out: an entry needs a version, path or git source.
                    chosen_version = Some(text.clone());
                }
            }
        }
    } else {
        // A path or git entry carries the `version` any member gave it: cargo needs it to
        // publish the member (`cargo package`: "dependency `x` does not specify a
        // version"), and inheriting from an entry without one would drop it.
        let mut reqs: Vec<(String, VersionReq)> = Vec::new();
        if let Some(v) = root.and_then(|r| r.version.clone())
            && let Some(r) = parse_req(Some(&v))
        {
            reqs.push((v, r));
        }
        for (i, d) in decls.iter().enumerate() {
            if blockers[i].is_none()
                && let Some(v) = &d.entry.spec.version
                && let Some(r) = parse_req(Some(v))
            {
                reqs.push((v.clone(), r));
            }
        }
        if !reqs.is_empty() {
            match choose(&reqs) {
                None => {
                    for (i, d) in decls.iter().enumerate() {
                        if blockers[i].is_none() && d.entry.spec.version.is_some() {
                            blockers[i] = Some(format!(
                                "its `version` is not compatible with every other `version` \
                                 given to {where_ref}"
                            ));
                        }
                    }
                }
                Some((text, _)) => {
                    if let Some(r) = root
                        && r.version.as_deref() != Some(text.as_str())
                    {
                        root_edits.push(Edit::SetWorkspaceDepVersion {
                            key: key.to_string(),
                            version: text.clone(),
                        });
                    }
                    chosen_version = Some(text.clone());
                }
            }
        }
    }

    // Default features: the root entry's value, flipped to `false` (with `true` written into
    // every other user) only when a member needs them off and its edition cannot override.
    let wants = |d: &Decl| d.entry.spec.default_features.unwrap_or(true);
    let fixable: Vec<usize> = (0..decls.len())
        .filter(|i| blockers[*i].is_none())
        .collect();
    let root_df = match root {
        Some(r) => r.default_features.unwrap_or(true),
        None => !fixable.iter().all(|i| !wants(&decls[*i])) || fixable.is_empty(),
    };
    let mut new_root_df = root_df;
    let mut other_edits: Vec<(String, Edit)> = Vec::new();
    if root_df {
        let needs_off: Vec<usize> = fixable
            .iter()
            .copied()
            .filter(|i| !wants(&decls[*i]) && !edition_allows_override(ctx, decls[*i].member).1)
            .collect();
        if !needs_off.is_empty() {
            if root.is_none() {
                new_root_df = false;
            } else if !ctx.ws.whole {
                for i in needs_off {
                    blockers[i] = Some(
                        "turning default features off in the workspace entry touches every member \
                         that inherits it; run `lint-deps --fix` without MANIFEST arguments"
                            .to_string(),
                    );
                }
            } else {
                // Existing users keep their defaults with an explicit `default-features = true`;
                // a user whose `false` is ignored today would change, so that blocks the flip.
                let mut blocked = None;
                for (m, e) in inheritors.get(key).map(Vec::as_slice).unwrap_or(&[]) {
                    match e.spec.default_features {
                        Some(true) => {}
                        Some(false) => {
                            if !edition_allows_override(ctx, m).1 {
                                blocked = Some(m.path.clone());
                            }
                        }
                        None => other_edits.push((
                            m.path.clone(),
                            Edit::EnableDepDefaults {
                                table_path: e.table_path.to_vec(),
                                key: key.to_string(),
                            },
                        )),
                    }
                }
                match blocked {
                    None => {
                        new_root_df = false;
                        root_edits.push(Edit::DisableWorkspaceDepDefaults {
                            key: key.to_string(),
                        });
                    }
                    Some(path) => {
                        other_edits.clear();
                        for i in needs_off {
                            blockers[i] = Some(format!(
                                "turning default features off in the workspace entry would change \
                                 {path}, whose ignored `default-features = false` would start to apply"
                            ));
                        }
                    }
                }
            }
        }
    }

    let new_entry = NewEntry {
        package: reference.1.clone(),
        version: chosen_version,
        path: match &reference.0 {
            Source::Path(p) => Some(p.clone()),
            _ => None,
        },
        git: match &reference.0 {
            Source::Git { url, .. } => Some(url.clone()),
            _ => None,
        },
        branch: match &reference.0 {
            Source::Git { branch, .. } => branch.clone(),
            _ => None,
        },
        tag: match &reference.0 {
            Source::Git { tag, .. } => tag.clone(),
            _ => None,
        },
        rev: match &reference.0 {
            Source::Git { rev, .. } => rev.clone(),
            _ => None,
        },
        registry: match &reference.0 {
            Source::Registry { registry } => registry.clone(),
            _ => None,
        },
        default_features: (!new_root_df).then_some(false),
    };
    let root_line = match root {
        Some(_) if root_edits.is_empty() => {
            format!("reuses the workspace entry `{}`", root_entry_text(ctx, key))
        }
        Some(_) => format!(
            "updates the workspace entry to `{}`",
            new_entry.display(key)
        ),
        None => format!(
            "adds `{}` to [workspace.dependencies] in {root_file}",
            new_entry.display(key)
        ),
    };

    for (i, d) in decls.iter().enumerate() {
        let src = Source::of(&d.entry.spec, &d.member.dir);
        let mut f = Finding::new(
            Rule::NotInherited,
            &d.member.path,
            d.entry.span.clone(),
            format!(
                "`{key}` is declared with {} instead of `workspace = true`",
                src.noun()
            ),
            "not inherited from [workspace.dependencies]",
        )
        .package(d.member.package_name())
        .dependency(key);
        match &blockers[i] {
            Some(why) => {
                f = f
                    .help(format!(
                        "declare `{key}` once in [workspace.dependencies] in {root_file} and use \
                         `{key}.workspace = true` here"
                    ))
                    .note(format!("not fixed automatically: {why}"));
            }
            None => {
                let df = match (wants(d), new_root_df) {
                    (true, true) | (false, false) => None,
                    (true, false) => Some(true),
                    (false, true) => Some(false),
                };
                let mut member = vec!["workspace = true".to_string()];
                if !d.entry.spec.features.is_empty() {
                    member.push(format!(
                        "features = [{}]",
                        d.entry
                            .spec
                            .features
                            .iter()
                            .map(|f| format!("\"{f}\""))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                if let Some(o) = d.entry.spec.optional {
                    member.push(format!("optional = {o}"));
                }
                if let Some(v) = df {
                    member.push(format!("default-features = {v}"));
                }
                let written = if member.len() == 1 {
                    format!("{key}.workspace = true")
                } else {
                    format!("{key} = {{ {} }}", member.join(", "))
                };
                f = f.help(format!("use `{written}`; `--fix` {root_line}"));
                if root.is_none() {
                    f = f.fix(
                        root_file,
                        Edit::AddWorkspaceDep {
                            key: key.to_string(),
                            entry: new_entry.clone(),
                        },
                    );
                }
                for e in &root_edits {
                    f = f.fix(root_file, e.clone());
                }
                for (file, e) in &other_edits {
                    f = f.fix(file, e.clone());
                }
                f = f.fix(
                    &d.member.path,
                    Edit::Inherit {
                        table_path: d.entry.table_path.to_vec(),
                        key: key.to_string(),
                        default_features: df,
                    },
                );
            }
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Workspace;

    fn reqs(items: &[&str]) -> Vec<(String, VersionReq)> {
        items
            .iter()
            .map(|s| (s.to_string(), VersionReq::parse(s).unwrap()))
            .collect()
    }

    #[test]
    fn root_entries_are_quoted_as_one_inline_entry_whatever_their_form() {
        let root = r#"
[workspace]
members = []
[workspace.dependencies]
log = "0.4"   # comment
serde = { version = "1", features = ["derive"] } # comment
tokio.version = "1"
tokio.features = ["rt"]
[workspace.dependencies.anyhow]
version = "1"
default-features = false
"#;
        let ws = Workspace::from_texts(root, &[]).unwrap();
        let ctx = Ctx::new(&ws);
        assert_eq!(root_entry_text(&ctx, "log"), r#"log = "0.4""#);
        assert_eq!(
            root_entry_text(&ctx, "serde"),
            r#"serde = { version = "1", features = ["derive"] }"#
        );
        assert_eq!(
            root_entry_text(&ctx, "tokio"),
            r#"tokio = { version = "1", features = ["rt"] }"#
        );
        assert_eq!(
            root_entry_text(&ctx, "anyhow"),
            r#"anyhow = { version = "1", default-features = false }"#
        );
        assert_eq!(root_entry_text(&ctx, "missing"), "missing");
    }

    #[test]
    fn chooses_the_strictest_compatible_requirement() {
        assert_eq!(choose(&reqs(&["1.0", "1.2.3", "1"])).unwrap().0, "1.2.3");
        assert_eq!(choose(&reqs(&["0.4", "0.4.20"])).unwrap().0, "0.4.20");
        assert!(choose(&reqs(&["1", "2"])).is_none());
        assert!(choose(&reqs(&["0.3", "0.4"])).is_none());
        assert!(choose(&reqs(&["=1.2.3", "1.2.4"])).is_none());
        assert_eq!(choose(&reqs(&["*", "1.5"])).unwrap().0, "1.5");
    }

    #[test]
    fn compatibility_is_semver_not_string_equality() {
        let r = |s| VersionReq::parse(s).unwrap();
        assert!(compatible(&r("1.0"), &r("1.4.2")));
        assert!(compatible(&r("~1.2"), &r("1.2.9")));
        assert!(!compatible(&r("~1.2"), &r("1.3")));
        assert!(!compatible(&r("0.11"), &r("0.12")));
    }

    #[test]
    fn paths_are_rebased_onto_the_root() {
        assert_eq!(rebase("DAGs/rust/a", "../b"), "DAGs/rust/b");
        assert_eq!(rebase("a", "../../outside"), "../outside");
        assert_eq!(rebase("a", "/abs/x"), "/abs/x");
    }
}
