//! What a crate builds into: the one definition every command uses.

use clap::ValueEnum;

/// What a crate builds into.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum CrateKind {
    /// A PyO3 crate built by maturin into a Python wheel
    Pyo3,
    /// A crate with a binary target
    Bin,
    /// A library-only crate
    Lib,
}

impl CrateKind {
    /// The name used in output and configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            CrateKind::Pyo3 => "pyo3",
            CrateKind::Bin => "bin",
            CrateKind::Lib => "lib",
        }
    }
}

/// The facts a crate's kind is decided from, however they were read (`cargo metadata` in
/// `affected`, raw manifests in `dockerfile`).
#[derive(Debug, Clone, Copy, Default)]
pub struct KindFacts {
    /// Its own `pyproject.toml` builds with maturin.
    pub maturin_pyproject: bool,
    /// Its library's `crate-type` includes `cdylib`.
    pub cdylib: bool,
    /// It depends on `pyo3`.
    pub uses_pyo3: bool,
    /// It has a binary that makes it a binary crate ([`has_main_bin`]): not only helpers.
    pub main_bin: bool,
}

/// One binary target, as the kind rule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinTarget {
    pub name: String,
    /// Its source file relative to the crate's folder, with `/` (`src/main.rs`,
    /// `src/bin/tool.rs`).
    pub path: String,
    /// `required-features` is not empty: a plain `cargo build --bin` refuses it.
    pub required_features: bool,
}

/// Whether a binary is a **helper** of a library crate, not the crate's program: the crate has
/// a library target, and the binary either has `required-features` (cargo builds it only with
/// features an image does not enable), or lives under `src/bin/` and is not named like the
/// package (a tool next to the library: a code generator, a benchmark driver, a CLI for
/// debugging). `src/main.rs`, and an explicit `[[bin]]` elsewhere, are never helpers.
pub fn is_helper_bin(package: &str, has_lib: bool, bin: &BinTarget) -> bool {
    has_lib && (bin.required_features || (bin.path.starts_with("src/bin/") && bin.name != package))
}

/// Whether a crate's binaries make it a binary crate: one of them is not a helper
/// ([`is_helper_bin`]), or the crate names the binary it runs (`[package] default-run`, or
/// `[package.metadata.ccworkspace] bin`) and has any binary at all.
pub fn has_main_bin(package: &str, has_lib: bool, names_bin: bool, bins: &[BinTarget]) -> bool {
    if names_bin {
        !bins.is_empty()
    } else {
        bins.iter().any(|b| !is_helper_bin(package, has_lib, b))
    }
}

/// A `[[bin]]` entry of a manifest, as written.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExplicitBin<'a> {
    pub name: Option<&'a str>,
    pub path: Option<&'a str>,
    pub required_features: bool,
}

/// The crate's binary targets by cargo's target inference (the Cargo Book's "Target
/// auto-discovery"): the explicit `[[bin]]`s, plus (unless `autobins = false`) `src/main.rs`
/// (named like the package) and `src/bin/*.rs`, `src/bin/*/main.rs`, each unless an explicit
/// target already has its name or its path. An explicit `[[bin]]` without `path` gets the
/// discovered file of its name, else `src/main.rs` when named like the package, else
/// `src/bin/<name>.rs`. Sorted by name.
pub fn infer_bins(
    package: &str,
    explicit: &[ExplicitBin<'_>],
    autobins: bool,
    files: &super::files::CrateFiles,
) -> Vec<BinTarget> {
    let mut discovered: Vec<(String, String)> = Vec::new();
    if files.main_rs {
        discovered.push((package.to_string(), "src/main.rs".to_string()));
    }
    for path in &files.bin_dir {
        let stem = path
            .strip_prefix("src/bin/")
            .map(|p| p.trim_end_matches("/main.rs").trim_end_matches(".rs"))
            .unwrap_or(path);
        discovered.push((stem.to_string(), path.clone()));
    }
    let mut bins: Vec<BinTarget> = Vec::new();
    for bin in explicit {
        let Some(name) = bin.name else { continue };
        let path = match bin.path {
            Some(p) => super::relpath::normalize(p),
            None => discovered
                .iter()
                .find(|(n, p)| n == name && p.starts_with("src/bin/"))
                .map(|(_, p)| p.clone())
                .unwrap_or_else(|| {
                    if name == package && files.main_rs {
                        "src/main.rs".to_string()
                    } else {
                        format!("src/bin/{name}.rs")
                    }
                }),
        };
        bins.push(BinTarget {
            name: name.to_string(),
            path,
            required_features: bin.required_features,
        });
    }
    if autobins {
        let taken: Vec<(String, String)> = bins
            .iter()
            .map(|b| (b.name.clone(), b.path.clone()))
            .collect();
        for (name, path) in discovered {
            if !taken.iter().any(|(n, p)| *n == name || *p == path) {
                bins.push(BinTarget {
                    name,
                    path,
                    required_features: false,
                });
            }
        }
    }
    bins.sort_by(|a, b| a.name.cmp(&b.name));
    bins.dedup_by(|a, b| a.name == b.name);
    bins
}

/// What a crate builds into: `[package.metadata.ccworkspace] kind` if set; else PyO3 when it
/// has a maturin `pyproject.toml` or a `cdylib` library that depends on `pyo3`; else binary when
/// it has a binary that is not only a helper of its library ([`has_main_bin`]); else library. An override that names no kind is an error (the text
/// of the message, without the file).
pub fn classify(kind_override: Option<&str>, facts: KindFacts) -> Result<CrateKind, String> {
    Ok(match kind_override {
        Some("pyo3") => CrateKind::Pyo3,
        Some("bin") => CrateKind::Bin,
        Some("lib") => CrateKind::Lib,
        Some(other) => {
            return Err(format!(
                "[package.metadata.ccworkspace] kind = \"{other}\" is not a kind (use \"pyo3\", \"bin\" or \"lib\")"
            ));
        }
        None if facts.maturin_pyproject || (facts.cdylib && facts.uses_pyo3) => CrateKind::Pyo3,
        None if facts.main_bin => CrateKind::Bin,
        None => CrateKind::Lib,
    })
}

/// `cdylib` among a member manifest's `[lib] crate-type` (or `crate_type`): one of the facts
/// that make a crate without a `kind` a PyO3 crate ([`classify`]).
pub fn has_cdylib(member: &crate::model::manifest::Table) -> bool {
    use crate::model::NodeExt as _;
    member
        .get("lib")
        .and_then(|l| l.get("crate-type").or_else(|| l.get("crate_type")))
        .and_then(|t| t.as_array())
        .is_some_and(|a| a.iter().any(|t| t.as_str() == Some("cdylib")))
}

/// The `[workspace.dependencies]` entries of a root manifest that rename their package
/// (`key = { package = "real" }`): key -> package.
pub fn renamed_workspace_deps<'a>(
    root: &'a crate::model::manifest::Table<'a>,
) -> std::collections::HashMap<&'a str, &'a str> {
    use crate::model::NodeExt as _;
    let mut out = std::collections::HashMap::new();
    if let Some(deps) = root
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(|d| d.as_table())
    {
        for (key, value) in deps.iter() {
            if let Some(package) = value.get("package").and_then(|p| p.as_str()) {
                out.insert(key.get_ref().as_ref(), package);
            }
        }
    }
    out
}

/// Whether a member manifest depends on the package `pyo3` (any dependency table, any
/// target; renamed with `package`, or through the `[workspace.dependencies]` entry it
/// inherits, `renamed` from [`renamed_workspace_deps`]): the other fact of [`classify`]'s PyO3
/// rule.
pub fn depends_on_pyo3(
    member: &crate::model::manifest::Table,
    renamed: &std::collections::HashMap<&str, &str>,
) -> bool {
    crate::model::manifest::dependencies(member)
        .iter()
        .any(|dep| package_of(dep, renamed) == "pyo3")
}

/// The package a dependency entry names: its `package`, the inherited workspace entry's, or
/// its key.
pub fn package_of<'d>(
    dep: &'d crate::model::manifest::DepEntry<'_>,
    renamed: &std::collections::HashMap<&str, &'d str>,
) -> &'d str {
    match (dep.spec.workspace, dep.spec.package.as_deref()) {
        (true, _) => renamed.get(dep.key).copied().unwrap_or(dep.key),
        (false, Some(p)) => p,
        (false, None) => dep.key,
    }
}

/// Whether a parsed `pyproject.toml` builds with maturin (`[build-system] build-backend =
/// "maturin"`): the one test of it, for the kind rule, `pyo3-layout` and the Python rules.
pub fn is_maturin(pyproject: &crate::model::manifest::Table) -> bool {
    use crate::model::NodeExt as _;
    pyproject
        .get("build-system")
        .and_then(|b| b.get("build-backend"))
        .and_then(|b| b.as_str())
        == Some("maturin")
}

/// [`is_maturin`] of a `pyproject.toml`'s text (`false` when it does not parse).
pub fn is_maturin_pyproject(text: &str) -> bool {
    crate::model::manifest::Table::parse(text).is_ok_and(|t| is_maturin(t.get_ref()))
}

/// `[package.metadata.ccworkspace] kind` of a member manifest, as written (`"pyo3"`, `"bin"`,
/// `"lib"`; [`classify`] checks it).
pub fn kind_override<'a>(member: &'a crate::model::manifest::Table<'a>) -> Option<&'a str> {
    use crate::model::NodeExt as _;
    member
        .get("package")
        .and_then(|p| p.get("metadata"))
        .and_then(|m| m.get("ccworkspace"))
        .and_then(|c| c.get("kind"))
        .and_then(|k| k.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::files::CrateFiles;

    fn files(main_rs: bool, lib_rs: bool, bin_dir: &[&str]) -> CrateFiles {
        CrateFiles {
            main_rs,
            lib_rs,
            bin_dir: bin_dir.iter().map(|s| s.to_string()).collect(),
            ..CrateFiles::default()
        }
    }

    #[test]
    fn a_library_with_tools_under_src_bin_is_a_library() {
        let f = files(false, true, &["src/bin/gen.rs", "src/bin/bench/main.rs"]);
        let bins = infer_bins("core", &[], true, &f);
        assert_eq!(bins.len(), 2);
        assert!(!has_main_bin("core", true, false, &bins));
        // Named by default-run (or `bin`): a binary crate.
        assert!(has_main_bin("core", true, true, &bins));
        // Without a library, the same binaries are the crate's programs.
        assert!(has_main_bin("core", false, false, &bins));
    }

    #[test]
    fn main_rs_and_a_bin_named_like_the_package_are_never_helpers() {
        let f = files(true, true, &["src/bin/gen.rs"]);
        assert!(has_main_bin(
            "srv",
            true,
            false,
            &infer_bins("srv", &[], true, &f)
        ));
        let f = files(false, true, &["src/bin/srv.rs"]);
        assert!(has_main_bin(
            "srv",
            true,
            false,
            &infer_bins("srv", &[], true, &f)
        ));
    }

    #[test]
    fn required_features_make_a_helper_even_in_src_main_rs() {
        let f = files(true, true, &[]);
        let explicit = [ExplicitBin {
            name: Some("cli"),
            path: Some("src/main.rs"),
            required_features: true,
        }];
        let bins = infer_bins("cli", &explicit, true, &f);
        assert_eq!(bins.len(), 1);
        assert!(!has_main_bin("cli", true, false, &bins));
    }

    #[test]
    fn explicit_bins_replace_discovered_ones_by_name_or_path() {
        let f = files(true, false, &["src/bin/tool.rs", "src/bin/other/main.rs"]);
        let explicit = [ExplicitBin {
            name: Some("srv-main"),
            path: Some("src/main.rs"),
            required_features: false,
        }];
        let names: Vec<String> = infer_bins("srv", &explicit, true, &f)
            .into_iter()
            .map(|b| b.name)
            .collect();
        assert_eq!(names, ["other", "srv-main", "tool"]);
        assert!(infer_bins("srv", &[], false, &f).is_empty());
    }
}
