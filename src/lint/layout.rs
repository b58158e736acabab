//! Layout rules: `orphan-crate` (a manifest under the root that no workspace claims) and
//! `pyo3-layout` (a PyO3 crate that maturin cannot build from its own folder).

use super::{Ctx, Finding, Rule};
use crate::model::kind::is_maturin;
use crate::model::{DepEntry, DepKind, Manifest, Node, NodeExt, Table, join, parent_dir};

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
    for (path, name) in orphans {
        let dir = parent_dir(path);
        let f = Finding::new(
            Rule::OrphanCrate,
            root_path,
            members_span.clone(),
            format!("`{path}` is neither a workspace member nor excluded"),
            "no pattern matches it",
        )
        .note("cargo refuses to build it: \"current package believes it's in a workspace when it's not\"")
        .dependency(&dir);
        // A second package of a member's name cannot be a member too: cargo would stop with
        // "two packages named `x` in this workspace". Only `exclude` keeps the workspace valid.
        let twin = name
            .as_deref()
            .and_then(|n| ctx.ws.members.iter().find(|m| m.package_name() == Some(n)));
        out.push(match twin {
            Some(m) => f.help(format!(
                "add \"{dir}\" to `workspace.exclude`: it cannot be a member too, since the member \
                 {} is already named `{}` (cargo: \"two packages named `{}` in this workspace\")",
                m.path,
                name.as_deref().unwrap_or_default(),
                name.as_deref().unwrap_or_default(),
            )),
            None => f.help(format!(
                "add \"{dir}\" (or a glob matching it) to `workspace.members`, or to \
                 `workspace.exclude` if it is not part of this workspace"
            )),
        });
    }
}

/// Whether a member is a PyO3 extension: `[package.metadata.ccworkspace] kind = "pyo3"`, a
/// maturin `pyproject.toml`, or a `pyo3` dependency with `extension-module` or a `cdylib`.
fn is_pyo3(ctx: &Ctx, m: &Manifest, deps: &[DepEntry]) -> bool {
    if let Some(kind) = crate::model::kind::kind_override(m.root()) {
        return kind == "pyo3";
    }
    // A pyproject.toml decides: built by maturin, it is one; built by another backend
    // (setuptools-rust, uv_build, ...), it is not a maturin crate and none of this applies.
    if let Some(p) = ctx.ws.pyprojects.get(&m.dir) {
        return is_maturin(p.root());
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
    crate::model::manifest::strings(
        m.root()
            .get("lib")
            .and_then(|l| l.get("crate-type").or_else(|| l.get("crate_type"))),
    )
}

/// `[tool.maturin]` of a pyproject.toml.
fn tool_maturin<'a>(pyproject: &'a Table<'a>) -> Option<&'a Node<'a>> {
    pyproject.get("tool").and_then(|t| t.get("maturin"))
}

/// Whether maturin builds a binary wheel: `[tool.maturin] bindings = "bin"` (maturin
/// docs, "Bindings": "bin" packages Rust binaries), or, auto-detected by maturin
/// (`src/bridge/detection.rs`: no `cdylib`, a binary target), a crate with no library at all
/// (no `[lib]`, no library source), whose targets can only be binaries. A binary wheel has no
/// extension module: no `cdylib`, no `PyInit_` symbol.
/// `[package.metadata.maturin]` has no `bindings` key (maturin `src/cargo_toml.rs`).
fn builds_binary_wheel(m: &Manifest, pyproject: Option<&Table>, has_lib: bool) -> bool {
    let bindings = pyproject
        .and_then(tool_maturin)
        .and_then(|t| t.get("bindings"))
        .and_then(NodeExt::as_str);
    match bindings {
        Some(b) => b == "bin",
        None => !has_lib && m.root().get("lib").is_none(),
    }
}

/// The label of `pyo3-layout`'s finding for a PyO3 crate without a `pyproject.toml` of its
/// own, which [`super::check_discovering`] drops for a crate a maturin project elsewhere builds.
pub(super) const NO_PYPROJECT: &str = "no pyproject.toml next to this Cargo.toml";

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
                    NO_PYPROJECT,
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
            Some(p) => project_name(p, name, pkg, out),
        }
        // Known only for members with a pyproject.toml: whether the library's source exists.
        let lib_source = ctx.ws.lib_sources.get(&m.dir);
        let has_lib = lib_source.is_none_or(Option::is_some);
        if builds_binary_wheel(m, pyproject.map(|p| p.root()), has_lib) {
            continue;
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
        // The module Python imports must be the one the `#[pymodule]` exports `PyInit_<name>`
        // for; maturin warns "Couldn't find the symbol `PyInit_<name>` in the native library.
        // Python will fail to import this module." maturin names the module (checked with
        // maturin 1.16): the last dotted part of `[tool.maturin] module-name`, else `[lib]
        // name`, else the last dotted part of `[project] name` as written (maturin PR #1608:
        // the project's name over the package's), else the package name with `-` as `_`.
        let module_name = pyproject.and_then(|p| {
            let v = tool_maturin(p.root())?.get("module-name")?;
            Some((p, v.as_str()?.to_string(), v.span()))
        });
        let lib_name = m
            .root()
            .get("lib")
            .and_then(|l| l.get("name"))
            .and_then(NodeExt::as_str)
            .map(str::to_string);
        let project_name = pyproject.and_then(|p| {
            let v = p.root().get("project")?.get("name")?;
            Some((p, v.as_str()?.to_string(), v.span()))
        });
        let expected = match (&module_name, &lib_name, &project_name) {
            (Some((_, module, _)), _, _) => module.rsplit('.').next().unwrap_or(module).to_string(),
            (None, Some(lib), _) => lib.clone(),
            // Dotted, like `module-name` (`fast.native` is imported as `native`; maturin 1.16
            // built it so, and `import native` works).
            (None, None, Some((_, project, _))) => {
                project.rsplit('.').next().unwrap_or(project).to_string()
            }
            (None, None, None) => pkg.unwrap_or_default().replace('-', "_"),
        };
        let from_project = module_name.is_none() && lib_name.is_none();
        if let (true, Some((p, project, span))) = (from_project, &project_name)
            && expected.contains('-')
        {
            let module = expected.replace('-', "_");
            out.push(
                Finding::new(
                    Rule::Pyo3Layout,
                    &p.path,
                    span.clone(),
                    format!(
                        "maturin names the extension module of `{name}` after `[project] name = \
                         \"{project}\"`, and a module name cannot contain `-`"
                    ),
                    "maturin takes the module name from here",
                )
                .help(format!(
                    "set `module-name = \"{module}\"` in [tool.maturin] (the name the `#[pymodule]` \
                     exports), or `[lib] name` in {}",
                    m.path
                ))
                .note(
                    "with no `module-name` and no `[lib] name`, maturin refuses to build: \"The \
                     module name must not contain a minus `-`\"",
                )
                .package(pkg),
            );
            continue;
        }
        // Without a `#[pymodule]` found in the library's own source, nothing more is said.
        let Some(source) = lib_source.and_then(Option::as_deref) else {
            continue;
        };
        let exported = pymodules(source);
        if exported.is_empty() {
            continue;
        }
        if exported.iter().any(|(name, _)| *name == expected) {
            continue;
        }
        let lib_path = join(
            &m.dir,
            m.root()
                .get("lib")
                .and_then(|l| l.get("path"))
                .and_then(NodeExt::as_str)
                .unwrap_or("src/lib.rs"),
        );
        let (found, at) = &exported[0];
        let line = source[..*at].matches('\n').count() + 1;
        let (file, span, message) = match &module_name {
            Some((p, module, span)) => (
                p.path.as_str(),
                span.clone(),
                format!(
                    "`module-name = \"{module}\"` is imported as `{expected}`, but `{name}`'s \
                     `#[pymodule]` is `{found}`"
                ),
            ),
            None => match (&lib_name, &project_name) {
                (None, Some((p, project, span))) => (
                    p.path.as_str(),
                    span.clone(),
                    format!(
                        "the extension module of `{name}` is imported as `{expected}` (maturin \
                         names it after `[project] name = \"{project}\"`: no `module-name`, no \
                         `[lib] name`), but its `#[pymodule]` is `{found}`"
                    ),
                ),
                _ => (
                    m.path.as_str(),
                    m.root()
                        .get("lib")
                        .and_then(NodeExt::as_table)
                        .and_then(|l| l.get_key_value("name"))
                        .map_or(name_span.clone(), |(k, _)| k.span()),
                    format!(
                        "the extension module of `{name}` is imported as `{expected}` (its \
                         library name; no `module-name`), but its `#[pymodule]` is `{found}`"
                    ),
                ),
            },
        };
        out.push(
            Finding::new(
                Rule::Pyo3Layout,
                file,
                span,
                message,
                format!("Python looks for `PyInit_{expected}`"),
            )
            .help(format!(
                "name the module `{expected}` in {lib_path}:{line} (`#[pymodule(name = \"{expected}\")]` \
                 or rename it), or make the imported name `{found}`"
            ))
            .note(format!(
                "the library exports `PyInit_{found}`; maturin warns \"Couldn't find the symbol \
                 `PyInit_{expected}` in the native library. Python will fail to import this module.\""
            ))
            .package(pkg),
        );
    }
}

/// The `[project]` of a PyO3 crate's maturin `pyproject.toml` must name the wheel: maturin
/// reads `[project] name` as the distribution's name (it is required by PyPA's pyproject.toml
/// specification, and maturin refuses the file without it: "pyproject.toml is invalid"), and
/// the Python model names the crate's wheel after it. A `[project]` without a string `name`
/// (or with `name` in `dynamic`, which the specification forbids) is reported at its header.
fn project_name(p: &Manifest, name: &str, pkg: Option<&str>, out: &mut Vec<Finding>) {
    let Some((key, project)) = p.root().get_key_value("project") else {
        return;
    };
    let has_name = project.get("name").and_then(NodeExt::as_str).is_some();
    let dynamic = crate::model::manifest::strings(project.get("dynamic"))
        .iter()
        .any(|d| d == "name");
    if has_name && !dynamic {
        return;
    }
    let (message, label) = if dynamic {
        (
            format!("pyproject.toml of PyO3 crate `{name}` lists `name` in `[project] dynamic`"),
            "`name` cannot be dynamic",
        )
    } else {
        (
            format!("pyproject.toml of PyO3 crate `{name}` has a [project] without a `name`"),
            "no `name` in [project]",
        )
    };
    let wheel = crate::python::normalize(pkg.unwrap_or(name));
    out.push(
        Finding::new(Rule::Pyo3Layout, &p.path, key.span(), message, label)
            .help(format!(
                "write the wheel's name in [project], e.g. `name = \"{wheel}\"` (the name Python \
                 packages require it by)"
            ))
            .note(
                "maturin refuses the file (\"pyproject.toml is invalid\"): PyPA's pyproject.toml \
                 specification requires a static `name`",
            )
            .package(pkg),
    );
}

/// The names of the top-level `#[pymodule]`s of a Rust source, with the offset of each
/// attribute: what the library exports `PyInit_<name>` for (PyO3 docs, `#[pymodule]`: "The
/// name of the module will be taken from the function name, unless `#[pyo3(name =
/// "my_name")]` is also annotated"; `#[pymodule(name = "...")]` says the same; a
/// `#[pyo3(submodule)]` / `#[pymodule(submodule)]` adds no `PyInit_` symbol). Read
/// statically, comments and strings skipped; a module built by a macro is not seen.
pub(crate) fn pymodules(source: &str) -> Vec<(String, usize)> {
    let code = blank_comments_and_strings(source);
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = code[from..].find("#[").map(|i| i + from) {
        from = i + 2;
        let Some((path, args, end)) = attribute(&code, source, i) else {
            continue;
        };
        if path != "pymodule" && path != "pyo3::pymodule" {
            continue;
        }
        let mut name = option_name(&args);
        let mut submodule = args.contains("submodule");
        // Further attributes, then visibility, then `fn NAME` or `mod NAME`.
        let mut j = end;
        loop {
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            if code[j..].starts_with("#[") {
                let Some((path, args, end)) = attribute(&code, source, j) else {
                    break;
                };
                if path == "pyo3" {
                    name = name.or_else(|| option_name(&args));
                    submodule |= args.contains("submodule");
                }
                j = end;
                continue;
            }
            break;
        }
        let rest = &code[j..];
        let rest = rest.strip_prefix("pub").map_or(rest, |r| {
            let r = r.trim_start();
            match r.strip_prefix('(') {
                Some(r) => r.split_once(')').map_or(r, |(_, r)| r),
                None => r,
            }
        });
        let mut words = rest.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '#'));
        let words: Vec<&str> = words.by_ref().filter(|w| !w.is_empty()).take(2).collect();
        let [kind, ident] = words[..] else { continue };
        if (kind != "fn" && kind != "mod") || submodule {
            continue;
        }
        let ident = ident.trim_start_matches("r#").to_string();
        out.push((name.unwrap_or(ident), i));
    }
    out
}

/// The attribute starting at `at` (`#[...]`): its path, its arguments with string literals
/// restored from `source` (so `name = "x"` can be read), and where it ends.
fn attribute(code: &str, source: &str, at: usize) -> Option<(String, String, usize)> {
    let bytes = code.as_bytes();
    let mut depth = 0usize;
    let mut end = None;
    for (k, b) in bytes.iter().enumerate().skip(at + 1) {
        match b {
            b'[' | b'(' => depth += 1,
            b']' | b')' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    end = Some(k + 1);
                    break;
                }
            }
            _ => {}
        }
    }
    let end = end?;
    let inner = code.get(at + 2..end - 1)?;
    let path_len = inner
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(inner.len());
    let path = inner[..path_len].trim().to_string();
    let args = source.get(at + 2 + path_len..end - 1)?.to_string();
    Some((path, args, end))
}

/// `name = "x"` among an attribute's arguments.
fn option_name(args: &str) -> Option<String> {
    args.match_indices("name").find_map(|(at, _)| {
        let before = args[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            return None;
        }
        let rest = args[at + 4..].trim_start().strip_prefix('=')?.trim_start();
        let rest = rest.strip_prefix('"')?;
        Some(rest[..rest.find('"')?].to_string())
    })
}

/// The source with comments and the contents of string and char literals replaced by spaces
/// (byte offsets kept), so that a commented-out `#[pymodule]` or one in a string is not read.
fn blank_comments_and_strings(source: &str) -> String {
    let b = source.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to.min(b.len())] {
            if *c != b'\n' && c.is_ascii() {
                *c = b' ';
            }
        }
    };
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = source[i..].find('\n').map_or(b.len(), |e| i + e);
                blank(&mut out, i, end);
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let (mut depth, mut k) = (1, i + 2);
                while k < b.len() && depth > 0 {
                    if b[k] == b'/' && b.get(k + 1) == Some(&b'*') {
                        depth += 1;
                        k += 2;
                    } else if b[k] == b'*' && b.get(k + 1) == Some(&b'/') {
                        depth -= 1;
                        k += 2;
                    } else {
                        k += 1;
                    }
                }
                blank(&mut out, i, k);
                i = k;
            }
            b'r' if matches!(b.get(i + 1), Some(b'#' | b'"'))
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                let hashes = b[i + 1..].iter().take_while(|c| **c == b'#').count();
                if b.get(i + 1 + hashes) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let close = format!("\"{}", "#".repeat(hashes));
                let start = i + 2 + hashes;
                let end = source[start..].find(&close).map_or(b.len(), |e| start + e);
                blank(&mut out, start, end);
                i = end + close.len();
            }
            b'"' => {
                let mut k = i + 1;
                while k < b.len() && b[k] != b'"' {
                    k += if b[k] == b'\\' { 2 } else { 1 };
                }
                blank(&mut out, i + 1, k);
                i = k + 1;
            }
            b'\'' => {
                // A char literal ('x', '\n'); otherwise a lifetime.
                let len = if b.get(i + 1) == Some(&b'\\') {
                    b[i + 2..].iter().position(|c| *c == b'\'').map(|p| p + 3)
                } else {
                    source[i + 1..]
                        .chars()
                        .next()
                        .map(char::len_utf8)
                        .filter(|l| b.get(i + 1 + l) == Some(&b'\''))
                        .map(|l| l + 2)
                };
                match len {
                    Some(len) => {
                        blank(&mut out, i + 1, i + len - 1);
                        i += len;
                    }
                    None => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| source.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(source: &str) -> Vec<String> {
        pymodules(source).into_iter().map(|(n, _)| n).collect()
    }

    #[test]
    fn the_pymodule_name_is_the_function_or_module_name_unless_renamed() {
        assert_eq!(
            names("#[pymodule]\nfn fast(m: &Bound<'_, PyModule>) {}"),
            ["fast"]
        );
        assert_eq!(
            names("#[pymodule]\npub mod dag_py {\n #[pymodule_export]\n use super::f;\n}"),
            ["dag_py"]
        );
        assert_eq!(
            names(
                "#[pymodule]\n#[pyo3(name = \"_native\")]\nfn native(m: &Bound<'_, PyModule>) {}"
            ),
            ["_native"]
        );
        assert_eq!(
            names(
                "/// Docs.\n#[pyo3::pymodule(name = \"_native\", gil_used = false)]\npub(crate) fn r#native() {}"
            ),
            ["_native"]
        );
        assert_eq!(
            names("#[pymodule]\n#[pyo3(module = \"a.name\", name = \"x\")]\nfn y() {}"),
            ["x"]
        );
    }

    #[test]
    fn submodules_comments_and_strings_export_nothing() {
        assert!(names("#[pymodule(submodule)]\nmod inner {}").is_empty());
        assert!(names("#[pymodule]\n#[pyo3(submodule)]\nfn inner() {}").is_empty());
        assert!(names("// #[pymodule]\n// fn commented() {}\nfn f() {}").is_empty());
        assert!(
            names("/* #[pymodule] fn a() {} */ const S: &str = \"#[pymodule] fn b\";").is_empty()
        );
        assert!(
            names("const R: &str = r#\"#[pymodule] fn c\"#; fn f<'a>(x: &'a str) -> char { '#' }")
                .is_empty()
        );
        assert_eq!(
            names("fn f<'a>(x: &'a str) -> char { ']' }\n#[pymodule]\nfn real() {}"),
            ["real"]
        );
    }
}
