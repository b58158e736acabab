//! Layout rules: `orphan-crate` (a manifest under the root that no workspace claims) and
//! `pyo3-layout` (a PyO3 crate that maturin cannot build from its own folder).

use super::{Ctx, Finding, Rule};
use crate::manifests::{DepEntry, DepKind, Manifest, NodeExt, Table, join, parent_dir};

pub(super) fn orphans(ctx: &Ctx, out: &mut Vec<Finding>) {
    let Some(orphans) = &ctx.ws.orphans else {
        return;
    };
    let root_path = &ctx.ws.root.path;
    let members_span = ctx
        .ws
        .root
        .root()
        .get("workspace")
        .and_then(NodeExt::as_table)
        .and_then(|w| w.get("members"))
        .map_or(0..0, |v| v.span());
    for path in orphans {
        let dir = parent_dir(path);
        out.push(
            Finding::new(
                Rule::OrphanCrate,
                root_path,
                members_span.clone(),
                format!("`{path}` is neither a workspace member nor excluded"),
                "no pattern matches it",
            )
            .help(format!(
                "add \"{dir}\" (or a glob matching it) to `workspace.members`, or to \
                 `workspace.exclude` if it is not part of this workspace"
            ))
            .note("cargo refuses to build it: \"current package believes it's in a workspace when it's not\"")
            .dependency(&dir),
        );
    }
}

/// Whether a member is a PyO3 extension: `[package.metadata.ccworkspace] kind = "pyo3"`, a
/// maturin `pyproject.toml`, or a `pyo3` dependency with `extension-module` or a `cdylib`.
fn is_pyo3(ctx: &Ctx, m: &Manifest, deps: &[DepEntry]) -> bool {
    let root = m.root();
    let kind = root
        .get("package")
        .and_then(|p| p.get("metadata"))
        .and_then(|p| p.get("ccworkspace"))
        .and_then(|c| c.get("kind"))
        .and_then(NodeExt::as_str);
    if let Some(kind) = kind {
        return kind == "pyo3";
    }
    if ctx
        .ws
        .pyprojects
        .get(&m.dir)
        .is_some_and(|p| is_maturin(p.root()))
    {
        return true;
    }
    let pyo3 = deps
        .iter()
        .find(|d| d.kind == DepKind::Normal && d.spec.package_name(d.key) == "pyo3");
    let Some(pyo3) = pyo3 else { return false };
    let root_features: Vec<String> = ctx
        .root_deps
        .get(pyo3.key)
        .filter(|_| pyo3.spec.workspace)
        .map(|(s, _)| s.features.clone())
        .unwrap_or_default();
    let extension = pyo3
        .spec
        .features
        .iter()
        .chain(&root_features)
        .any(|f| f == "extension-module");
    extension || crate_types(m).iter().any(|t| t == "cdylib")
}

fn crate_types(m: &Manifest) -> Vec<String> {
    m.root()
        .get("lib")
        .and_then(|l| l.get("crate-type").or_else(|| l.get("crate_type")))
        .and_then(NodeExt::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn is_maturin(pyproject: &Table) -> bool {
    pyproject
        .get("build-system")
        .and_then(|b| b.get("build-backend"))
        .and_then(NodeExt::as_str)
        == Some("maturin")
}

pub(super) fn pyo3(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (m, deps) in ctx.ws.members.iter().zip(&ctx.deps) {
        if m.dir.is_empty() || !ctx.ws.selected.contains(&m.dir) || !is_pyo3(ctx, m, deps) {
            continue;
        }
        let pkg = m.package_name();
        let name = pkg.unwrap_or("this crate");
        let name_span = m
            .root()
            .get("package")
            .and_then(NodeExt::as_table)
            .and_then(|p| p.get_key_value("name"))
            .map_or(0..0, |(k, _)| k.span());
        let pyproject_path = join(&m.dir, "pyproject.toml");
        let pyproject = ctx.ws.pyprojects.get(&m.dir);
        match pyproject {
            None => out.push(
                Finding::new(
                    Rule::Pyo3Layout,
                    &m.path,
                    name_span.clone(),
                    format!("PyO3 crate `{name}` has no pyproject.toml of its own"),
                    "no pyproject.toml next to this Cargo.toml",
                )
                .help(format!(
                    "add {pyproject_path} with `[build-system] build-backend = \"maturin\"` \
                     (`cargo ccworkspace new --pyo3` writes one)"
                ))
                .note("maturin would pick up a parent pyproject.toml and build the wrong package")
                .package(pkg),
            ),
            Some(p) if !is_maturin(p.root()) => out.push(
                Finding::new(
                    Rule::Pyo3Layout,
                    &p.path,
                    p.root()
                        .get_key_value("build-system")
                        .map_or(0..0, |(k, _)| k.span()),
                    format!("pyproject.toml of PyO3 crate `{name}` does not build with maturin"),
                    "build-backend is not maturin",
                )
                .help("set `[build-system] build-backend = \"maturin\"` and `requires = [\"maturin>=1,<2\"]`")
                .package(pkg),
            ),
            Some(_) => {}
        }
        let types = crate_types(m);
        if !types.iter().any(|t| t == "cdylib") {
            let span = m
                .root()
                .get("lib")
                .and_then(NodeExt::as_table)
                .and_then(|l| l.get_key_value("crate-type"))
                .map_or(name_span.clone(), |(k, _)| k.span());
            out.push(
                Finding::new(
                    Rule::Pyo3Layout,
                    &m.path,
                    span,
                    format!("PyO3 crate `{name}` does not build a `cdylib`"),
                    "no cdylib in crate-type",
                )
                .help("add `[lib] crate-type = [\"cdylib\"]` (keep \"rlib\" if Rust crates use it too)")
                .note("maturin needs a cdylib to produce the Python extension module")
                .package(pkg),
            );
        }
        // The extension module's name: `[tool.maturin] module-name` (last dotted part) must
        // be the library's name, which `#[pymodule]` exports.
        if let Some(p) = pyproject
            && let Some((module, span)) = p
                .root()
                .get("tool")
                .and_then(|t| t.get("maturin"))
                .and_then(|t| t.get("module-name"))
                .and_then(|v| Some((v.as_str()?.to_string(), v.span())))
        {
            let lib_name = m
                .root()
                .get("lib")
                .and_then(|l| l.get("name"))
                .and_then(NodeExt::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| pkg.unwrap_or_default().replace('-', "_"));
            let last = module.rsplit('.').next().unwrap_or(&module);
            if last != lib_name {
                out.push(
                    Finding::new(
                        Rule::Pyo3Layout,
                        &p.path,
                        span,
                        format!(
                            "`module-name = \"{module}\"` does not match the library name `{lib_name}` of `{name}`"
                        ),
                        "module name disagrees with [lib] name",
                    )
                    .help(format!(
                        "set `module-name` to end in `.{lib_name}` (or `{lib_name}`), or set \
                         `[lib] name = \"{last}\"` in {}",
                        m.path
                    ))
                    .note("Python imports the module by this name; the cdylib must export `PyInit_<name>`")
                    .package(pkg),
                );
            }
        }
    }
}
