//! `lints-not-inherited` and `package-not-inherited`: members that do not take
//! `[workspace.lints]` / `[workspace.package]` fields the root defines.

use rayon::prelude::*;

use super::fix::Edit;
use super::{Ctx, Finding, Rule};
use crate::model::{Manifest, NodeExt, Table, entries, join, normalize_rel};

use crate::model::INHERITABLE_PACKAGE_FIELDS as INHERITABLE;

/// Fields whose inheritance, when missing, may change how the crate builds or resolves:
/// reported, but not added by `--fix`.
const BUILD_FIELDS: [&str; 3] = ["version", "edition", "rust-version"];

/// Fields that name a file: relative to the root when inherited, to the package otherwise.
/// cargo also finds a package's own `README.md` when `readme` is unset, so a missing one is
/// not added by `--fix` either.
const PATH_FIELDS: [&str; 2] = ["readme", "license-file"];

pub(super) fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let ws = ctx.ws.root.root().get("workspace");
    let root = &ctx.ws.root;
    let has_lints = ws.and_then(|w| w.get("lints")).is_some();
    let ws_package = ctx.ws_package();
    // Members are independent: checked in parallel, then sorted with everything else.
    let found: Vec<Vec<Finding>> = ctx
        .selected
        .par_iter()
        .map(|m| {
            let mut out = Vec::new();
            check_member(m, has_lints, ws_package.map(|t| (root, t)), &mut out);
            out
        })
        .collect();
    out.extend(found.into_iter().flatten());
}

fn check_member(
    m: &Manifest,
    has_lints: bool,
    ws_package: Option<(&Manifest, &Table)>,
    out: &mut Vec<Finding>,
) {
    let root = m.root();
    let Some(package) = root.get("package").and_then(NodeExt::as_table) else {
        return;
    };
    let pkg = m.package_name();
    let name_span = package
        .get_key_value("name")
        .map_or(0..0, |(k, _)| k.span());
    if has_lints {
        match root.get("lints") {
            None => out.push(
                Finding::new(
                    Rule::LintsNotInherited,
                    &m.path,
                    name_span.clone(),
                    format!(
                        "`{}` does not inherit [workspace.lints]",
                        pkg.unwrap_or("this package")
                    ),
                    "no [lints] table",
                )
                .help("add `[lints]` with `workspace = true`")
                .note("cargo applies [workspace.lints] only to members that opt in")
                .package(pkg)
                .fix(&m.path, Edit::InheritLints),
            ),
            Some(lints) if lints.get("workspace").and_then(NodeExt::as_bool) != Some(true) => {
                let span = root
                    .get_key_value("lints")
                    .map_or(name_span.clone(), |(k, _)| k.span());
                out.push(
                    Finding::new(
                        Rule::LintsNotInherited,
                        &m.path,
                        span,
                        format!(
                            "`{}` has its own [lints] instead of [workspace.lints]",
                            pkg.unwrap_or("this package")
                        ),
                        "own lint table",
                    )
                    .help(
                        "replace the table with `workspace = true` (move needed lints to \
                         [workspace.lints])",
                    )
                    .package(pkg),
                );
            }
            Some(_) => {}
        }
    }
    let Some((ws_root, ws_package)) = ws_package else {
        return;
    };
    for (field, _, root_value) in entries(ws_package) {
        if !INHERITABLE.contains(&field) {
            continue;
        }
        match package.get_key_value(field) {
            Some((_, item)) if item.get("workspace").and_then(NodeExt::as_bool) == Some(true) => {}
            Some((key, item)) => {
                let same = match (m.inline(item), ws_root.inline(root_value)) {
                    // `readme` and `license-file` are relative to the workspace root when
                    // inherited and to the package otherwise: compare the files.
                    (Some(_), Some(_)) if PATH_FIELDS.contains(&field) => {
                        match (item.as_str(), root_value.as_str()) {
                            (Some(a), Some(b)) => {
                                normalize_rel(&join(&m.dir, a)) == normalize_rel(b)
                            }
                            _ => false,
                        }
                    }
                    (Some(a), Some(b)) => a == b,
                    _ => false,
                };
                let span = key.span();
                let mut f = Finding::new(
                    Rule::PackageNotInherited,
                    &m.path,
                    span,
                    format!("`package.{field}` is set here instead of inherited"),
                    if same {
                        "same value as [workspace.package]"
                    } else {
                        "differs from [workspace.package]"
                    },
                )
                .help(format!("use `{field}.workspace = true`"))
                .package(pkg)
                .dependency(field);
                if same {
                    f = f.fix(
                        &m.path,
                        Edit::InheritPackageField {
                            field: field.to_string(),
                        },
                    );
                } else {
                    f = f.note(format!(
                        "the workspace has `{field} = {}`; not fixed automatically because \
                         the value would change",
                        ws_root.inline(root_value).unwrap_or_default()
                    ));
                }
                out.push(f);
            }
            None => {
                let mut f = Finding::new(
                    Rule::PackageNotInherited,
                    &m.path,
                    name_span.clone(),
                    format!("`package.{field}` is not inherited from [workspace.package]"),
                    format!("no `{field}` here"),
                )
                .help(format!("add `{field}.workspace = true` to [package]"))
                .package(pkg)
                .dependency(field);
                if PATH_FIELDS.contains(&field) {
                    f = f.note(format!(
                        "not fixed automatically: `{field}` would point at the root's file \
                         instead of one in this crate"
                    ));
                } else if BUILD_FIELDS.contains(&field) {
                    f = f.note(format!(
                        "not fixed automatically: inheriting `{field}` changes how the crate \
                         builds"
                    ));
                } else {
                    f = f.fix(
                        &m.path,
                        Edit::InheritPackageField {
                            field: field.to_string(),
                        },
                    );
                }
                out.push(f);
            }
        }
    }
}
