//! Workspace-wide rules on requirements: `version-conflict` (semver-incompatible requirements
//! for one crate across members and the root) and `unused-workspace-dep`.

use std::collections::{BTreeMap, BTreeSet};

use semver::VersionReq;

use super::deps::{compatible, lower_bound, root_entry_text};
use super::fix::Edit;
use super::{Ctx, Finding, Rule, is_workspace_hack};

pub(super) fn conflicts(ctx: &Ctx, out: &mut Vec<Finding>) {
    // Registry requirements by crate name: the root's, then each member's direct ones.
    struct Req<'a> {
        file: &'a str,
        package: Option<&'a str>,
        key: String,
        span: std::ops::Range<usize>,
        text: String,
        req: VersionReq,
        root: bool,
    }
    let mut by_crate: BTreeMap<String, Vec<Req>> = BTreeMap::new();
    for (key, (spec, span)) in &ctx.root_deps {
        if spec.path.is_some() || spec.git.is_some() {
            continue;
        }
        let Some(text) = &spec.version else { continue };
        let Ok(req) = VersionReq::parse(text) else {
            continue;
        };
        by_crate
            .entry(spec.package_name(key).to_string())
            .or_default()
            .push(Req {
                file: &ctx.ws.root.path,
                package: None,
                key: key.to_string(),
                span: span.clone(),
                text: text.clone(),
                req,
                root: true,
            });
    }
    for (m, deps) in ctx.ws.members.iter().zip(&ctx.deps) {
        // A workspace-hack crate pins every version the build uses, several majors included.
        if is_workspace_hack(m) {
            continue;
        }
        for e in deps {
            if e.spec.workspace || e.spec.path.is_some() || e.spec.git.is_some() {
                continue;
            }
            let Some(text) = &e.spec.version else {
                continue;
            };
            let Ok(req) = VersionReq::parse(text) else {
                continue;
            };
            by_crate
                .entry(e.spec.package_name(e.key).to_string())
                .or_default()
                .push(Req {
                    file: &m.path,
                    package: m.package_name(),
                    key: e.key.to_string(),
                    span: e.span.clone(),
                    text: text.clone(),
                    req,
                    root: false,
                });
        }
    }
    for (name, reqs) in &by_crate {
        if reqs.len() < 2 {
            continue;
        }
        // Against the root entry when there is one, else the highest requirement.
        let reference = reqs.iter().find(|r| r.root).unwrap_or_else(|| {
            reqs.iter()
                .max_by(|a, b| lower_bound(&a.req).cmp(&lower_bound(&b.req)))
                .unwrap_or(&reqs[0])
        });
        let where_ref = if reference.root {
            format!(
                "the workspace entry `{}` in {}",
                root_entry_text(ctx, &reference.key),
                reference.file
            )
        } else {
            format!(
                "`{} = \"{}\"` in {}",
                reference.key, reference.text, reference.file
            )
        };
        for r in reqs {
            if std::ptr::eq(r, reference) || r.root || compatible(&r.req, &reference.req) {
                continue;
            }
            if !ctx.ws.selected.contains(&crate::model::parent_dir(r.file)) {
                continue;
            }
            out.push(
                Finding::new(
                    Rule::VersionConflict,
                    r.file,
                    r.span.clone(),
                    format!(
                        "`{name}` \"{}\" is semver-incompatible with \"{}\" required by {where_ref}",
                        r.text, reference.text
                    ),
                    "incompatible requirement",
                )
                .help(format!(
                    "move this member to a requirement compatible with \"{}\" and inherit it, \
                     or exempt it with a reason if two major versions are intended",
                    reference.text
                ))
                .package(r.package)
                .dependency(name),
            );
        }
    }
}

pub(super) fn unused(ctx: &Ctx, out: &mut Vec<Finding>) {
    let mut used: BTreeSet<&str> = BTreeSet::new();
    let mut direct: BTreeSet<&str> = BTreeSet::new();
    for deps in &ctx.deps {
        for e in deps {
            if e.spec.workspace {
                used.insert(e.key);
                // `sj = { workspace = true, package = "serde_json" }` without a root `sj`
                // means the root's `serde_json` (cargo ignores the `package` and fails on the
                // missing `sj`): that entry is reported through the member, never deleted.
                // With a root `sj`, the `package` is only an ignored key (`ignored-key`
                // removes it), so it keeps nothing in use: counting it would make a second
                // `--fix` remove what the first kept.
                if let Some(p) = &e.spec.package
                    && !ctx.root_deps.contains_key(e.key)
                {
                    used.insert(p);
                }
            } else {
                direct.insert(e.key);
            }
        }
    }
    for (key, (_, span)) in &ctx.root_deps {
        // A key a member declares directly is reported (and fixed) by `not-inherited`.
        if used.contains(key) || direct.contains(key) {
            continue;
        }
        out.push(
            Finding::new(
                Rule::UnusedWorkspaceDep,
                &ctx.ws.root.path,
                span.clone(),
                format!("workspace dependency `{key}` is not used by any member"),
                "no member inherits this",
            )
            .help(format!("remove `{key}` from [workspace.dependencies]"))
            .dependency(key)
            .fix(
                &ctx.ws.root.path,
                Edit::RemoveWorkspaceDep {
                    key: key.to_string(),
                },
            ),
        );
    }
}
