//! Synthetic monorepos in the shape of `fixtures/citychain`, for tests and benchmarks.
//!
//! [`generate`] writes a complete cargo workspace of N crates: domains `dNN/rust/<crate>` matched
//! by member globs, `[workspace.package]` and `[workspace.lints]` inherited by every member, every
//! internal dependency declared once in `[workspace.dependencies]` and used with
//! `workspace = true`, a `rust-toolchain.toml`, a root `pyproject.toml`, PyO3-shaped crates with
//! their own `pyproject.toml`, and binary crates. The internal graph is a DAG (crate `i` depends
//! only on crates `j < i`) with a few "core" crates that many crates use, cross-domain edges, a
//! test-support crate used only under `[dev-dependencies]`, and a code generator used only under
//! `[build-dependencies]` (by crates with a `build.rs`).
//!
//! With `registry_deps = false` nothing comes from a registry, so `cargo metadata --offline`
//! resolves the workspace with no `Cargo.lock` and no network. In that mode a "PyO3" crate has the
//! full PyO3 *layout* (cdylib, `pyproject.toml` with maturin, matching module name, sometimes a
//! mixed Python layout) but no `pyo3` dependency: the affected/lint/docker logic only looks at
//! the layout. With `registry_deps = true`, `itoa`, `serde` and `pyo3` go into
//! `[workspace.dependencies]`, PyO3 crates carry a real `#[pymodule]`, and `Cargo.lock` is
//! generated with `cargo generate-lockfile` (this needs the registry).
//!
//! [`make_history`] then commits one change of each kind on top, for `affected` tests.
//!
//! [`Shapes`] turns on, one by one, the shapes where cargo's builds are narrower than the
//! `--all-features` graph for every platform (issue 14): optional path dependencies between
//! members behind features (some in `default`, some enabled by a dependent, by a dependent's own
//! forwarding feature, or turned off with `default-features = false`), `[target.'cfg(windows)']`
//! and `[target.'cfg(unix)']` path dependencies, and a root package (`[package]` in the root
//! manifest, with `src/lib.rs`) that uses a few members. With every shape off (the default) the
//! output is the same as before they existed.
//!
//! Everything is deterministic for a given [`Spec`] (a splitmix64 PRNG, no clocks, no hashing
//! of addresses), so a failing test reproduces.

#![allow(dead_code)] // Each test file uses a different part of this module.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

// The sibling module: `tests/support/mod.rs` declares both, and so does the example that
// includes these files with `#[path]`.
use super::git::Repo;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Number of crates (at least 1).
    pub crates: usize,
    /// Number of domain folders `d00`, `d01`, ... (at least 1).
    pub domains: usize,
    /// Every Nth crate is a PyO3 crate (0: none).
    pub pyo3_every: usize,
    /// Every Nth crate is a binary crate (0: none). PyO3 wins when both match.
    pub bin_every: usize,
    /// Most internal normal dependencies per crate.
    pub max_deps: usize,
    /// PRNG seed.
    pub seed: u64,
    /// Use registry crates (`itoa`, `serde`, `pyo3`) and write a `Cargo.lock`; needs the registry.
    pub registry_deps: bool,
    /// Feature, platform and root-package shapes (all off by default).
    pub shapes: Shapes,
    /// Python packages `dNN/python/pNNNN` (issue 15), each depending on one to three PyO3
    /// crates' distributions and earlier Python packages (with `{ workspace = true }`
    /// sources), and on one more in its `dev` dependency group (0: none).
    pub python_packages: usize,
    /// The root manifest turns the Python half off (`[workspace.metadata.ccworkspace.python]
    /// enabled = false`): the same files, read by the tool as a Rust-only monorepo (the
    /// benchmark's reference for what the Python half costs).
    pub python_off: bool,
}

/// Opt-in shapes for the feature- and platform-aware `affected` (issue 14).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shapes {
    /// Optional path dependencies between members behind features: the normal edges to one
    /// library become optional behind a feature no dependent's build enables (until the
    /// `EnableFeature` history step), and the edges to another behind a default feature, which
    /// one dependent turns off with `default-features = false`. Some dependents of the crates
    /// that gained the optional dependency enable the feature, or forward it from a feature of
    /// their own.
    pub features: bool,
    /// `[target.'cfg(windows)'.dependencies]` (never built on a Linux host) and
    /// `[target.'cfg(unix)'.dependencies]` (built on one): the normal edges to one library each.
    pub platforms: bool,
    /// The root manifest is also a package, [`ROOT_PACKAGE`], with `src/lib.rs`, that depends on
    /// the core crate and two more libraries.
    pub root_package: bool,
}

impl Shapes {
    /// Every shape on.
    pub fn all() -> Shapes {
        Shapes {
            features: true,
            platforms: true,
            root_package: true,
        }
    }
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            crates: 40,
            domains: 5,
            pyo3_every: 7,
            bin_every: 5,
            max_deps: 4,
            seed: 1,
            registry_deps: false,
            shapes: Shapes::default(),
            python_packages: 0,
            python_off: false,
        }
    }
}

/// One generated crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenCrate {
    /// Package name, `cNNNN`.
    pub name: String,
    /// Directory relative to the root, e.g. `d03/rust/c0042`.
    pub path: String,
    /// Domain folder, e.g. `d03`.
    pub domain: String,
    /// `"pyo3"`, `"bin"` or `"lib"`.
    pub kind: &'static str,
    /// Internal normal dependencies.
    pub deps: Vec<String>,
    /// Internal dev-dependencies (never also normal dependencies).
    pub dev_deps: Vec<String>,
    /// Internal build-dependencies (the crate has a `build.rs`).
    pub build_deps: Vec<String>,
    /// Registry dependencies (names as in `[workspace.dependencies]`).
    pub registry: Vec<&'static str>,
    /// PyO3 crate with maturin's mixed layout (`python/<name>/__init__.py`).
    pub mixed_python: bool,
    /// A core crate: `c0000`, plus one more per 50 crates; most crates depend on one.
    pub core: bool,
    /// Optional internal normal dependencies ([`Shapes::features`]), `(dep, in default)`: each
    /// behind the crate's own feature `opt-<dep> = ["dep:<dep>"]`, listed in `default` when the
    /// flag says so.
    pub optional_deps: Vec<(String, bool)>,
    /// Features this crate turns on in its (non-optional) normal dependencies, `(dep, feature)`.
    pub dep_features: Vec<(String, String)>,
    /// Normal dependencies declared by path with `default-features = false`, `(dep, dep's path)`
    /// (`workspace = true` cannot turn off defaults the workspace entry keeps).
    pub no_default: Vec<(String, String)>,
    /// Features of this crate that forward to a dependency's feature, `(dep, feature)`: the
    /// crate's feature `fwd-<dep> = ["<dep>/<feature>"]`.
    pub forwards: Vec<(String, String)>,
    /// Platform-specific internal normal dependencies ([`Shapes::platforms`]), `(cfg predicate,
    /// dep)`: `[target.'cfg(<predicate>)'.dependencies]`.
    pub cfg_deps: Vec<(String, String)>,
}

impl GenCrate {
    /// Every internal dependency, of any kind, optional or platform-specific.
    pub fn all_deps(&self) -> impl Iterator<Item = &String> {
        self.deps
            .iter()
            .chain(&self.dev_deps)
            .chain(&self.build_deps)
            .chain(self.optional_deps.iter().map(|(d, _)| d))
            .chain(self.cfg_deps.iter().map(|(_, d)| d))
    }

    /// Whether a shape touches this crate's manifest (it has a `[features]` table, a
    /// `[target.*]` table or a dependency by path).
    pub fn is_shaped(&self) -> bool {
        !(self.optional_deps.is_empty()
            && self.dep_features.is_empty()
            && self.no_default.is_empty()
            && self.forwards.is_empty()
            && self.cfg_deps.is_empty())
    }
}

/// One generated Python package ([`Spec::python_packages`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenPython {
    /// Distribution name, `pNNNN`.
    pub name: String,
    /// Folder relative to the root, e.g. `d03/python/p0042`.
    pub path: String,
    /// Workspace distributions in `[project] dependencies` (PyO3 crates' `cNNNN` and earlier
    /// `pNNNN`).
    pub deps: Vec<String>,
    /// A workspace distribution in its `dev` dependency group.
    pub dev_deps: Vec<String>,
}

/// A generated workspace.
#[derive(Debug, Clone)]
pub struct Generated {
    pub root: PathBuf,
    pub crates: Vec<GenCrate>,
    pub spec: Spec,
    pub python: Vec<GenPython>,
}

/// The Python packages of `spec` over the `crates` it plans: a DAG, every edge to a PyO3
/// crate's distribution or an earlier package.
pub fn plan_python(spec: &Spec, crates: &[GenCrate]) -> Vec<GenPython> {
    let mut rng = Rng::new(spec.seed ^ 0x5059_7468_6f6e);
    let wheels: Vec<String> = crates
        .iter()
        .filter(|c| c.kind == "pyo3")
        .map(|c| c.name.replace('_', "-"))
        .collect();
    let domains = spec.domains.max(1);
    let mut out: Vec<GenPython> = Vec::new();
    for i in 0..spec.python_packages {
        let mut pool: Vec<String> = wheels.clone();
        pool.extend(out.iter().map(|p| p.name.clone()));
        let mut deps = Vec::new();
        let want = 1 + rng.below(3);
        for _ in 0..want {
            if pool.is_empty() {
                break;
            }
            let d = pool[rng.below(pool.len())].clone();
            if !deps.contains(&d) {
                deps.push(d);
            }
        }
        let dev_deps: Vec<String> = (!pool.is_empty() && rng.below(2) == 0)
            .then(|| pool[rng.below(pool.len())].clone())
            .filter(|d| !deps.contains(d))
            .into_iter()
            .collect();
        deps.sort();
        out.push(GenPython {
            name: format!("p{i:04}"),
            path: format!("d{:02}/python/p{i:04}", i % domains),
            deps,
            dev_deps,
        });
    }
    out
}

/// Write one generated Python package.
fn write_python(root: &Path, p: &GenPython) -> io::Result<()> {
    let quoted = |names: &[String]| -> String {
        names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut text = format!(
        "[project]\nname = \"{}\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n\
         dependencies = [{}]\n\n[dependency-groups]\ndev = [\"pytest>=8\"{}]\n",
        p.name,
        quoted(&p.deps),
        p.dev_deps
            .iter()
            .map(|d| format!(", \"{d}\""))
            .collect::<String>()
    );
    let mut sources: Vec<&String> = p.deps.iter().chain(&p.dev_deps).collect();
    sources.sort();
    sources.dedup();
    if !sources.is_empty() {
        text.push_str("\n[tool.uv.sources]\n");
        for s in sources {
            let _ = writeln!(text, "{s} = {{ workspace = true }}");
        }
    }
    write(root, &format!("{}/pyproject.toml", p.path), &text)?;
    write(
        root,
        &format!("{}/src/{}/__init__.py", p.path, p.name),
        &format!("\"\"\"Generated package {}.\"\"\"\n", p.name),
    )?;
    write(
        root,
        &format!("{}/tests/test_{}.py", p.path, p.name),
        &format!("def test_{}():\n    assert True\n", p.name),
    )
}

/// Names of the special crates (when the workspace is big enough to have them).
pub const CORE: &str = "c0000";
/// Test-support crate: only ever a dev-dependency.
pub const TESTKIT: &str = "c0001";
/// Code generator: only ever a build-dependency.
pub const CODEGEN: &str = "c0002";
/// The root package's name ([`Shapes::root_package`]).
pub const ROOT_PACKAGE: &str = "ws_root";

/// splitmix64: tiny, deterministic, good enough for shaping graphs.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `percent`%.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// One of `from` (not empty), uniformly.
    pub fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

fn name_of(i: usize) -> String {
    format!("c{i:04}")
}

fn domain_name(d: usize) -> String {
    format!("d{d:02}")
}

/// Plans the crates and their edges without touching the disk.
pub fn plan(spec: &Spec) -> Vec<GenCrate> {
    let n = spec.crates.max(1);
    let domains = spec.domains.max(1);
    let mut rng = Rng::new(spec.seed);
    // Core crates: c0000 plus one more per 50 crates, placed right after the specials.
    let extra_cores = n / 50;
    let is_core = |i: usize| i == 0 || (3..3 + extra_cores).contains(&i);
    let kind_of = |i: usize| -> &'static str {
        if i < 3 || is_core(i) {
            "lib"
        } else if spec.pyo3_every > 0 && i % spec.pyo3_every == spec.pyo3_every - 1 {
            "pyo3"
        } else if spec.bin_every > 0 && i % spec.bin_every == spec.bin_every - 1 {
            "bin"
        } else {
            "lib"
        }
    };
    let mut crates: Vec<GenCrate> = Vec::with_capacity(n);
    for i in 0..n {
        let kind = kind_of(i);
        // Spread crates over domains with a random offset, so neighbours often differ in domain
        // (cross-domain edges) but every domain gets crates.
        let d = if i < domains { i } else { rng.below(domains) };
        let domain = domain_name(d);
        let name = name_of(i);
        let mut deps = BTreeSet::new();
        let mut dev_deps = BTreeSet::new();
        let mut build_deps = BTreeSet::new();
        if i == 1 || i >= 3 {
            // Almost every crate uses a core crate.
            let cores: Vec<usize> = (0..i).filter(|&j| is_core(j)).collect();
            if !cores.is_empty() && (i == 1 || rng.chance(85)) {
                deps.insert(cores[rng.below(cores.len())]);
            }
        }
        if i >= 3 {
            // Plain libraries below i (never the test kit or the generator, never bins/PyO3).
            let pool: Vec<usize> = (3..i).filter(|&j| kind_of(j) == "lib").collect();
            let want = if spec.max_deps == 0 {
                0
            } else {
                rng.below(spec.max_deps)
            };
            for _ in 0..want {
                if pool.is_empty() {
                    break;
                }
                // Favour recent crates a little, for deeper chains.
                let pick = if rng.chance(50) {
                    pool[pool.len() - 1 - rng.below(pool.len().min(8))]
                } else {
                    pool[rng.below(pool.len())]
                };
                deps.insert(pick);
            }
            deps.retain(|&j| j < i);
            // dev-only edges: the test kit, plus sometimes a library used only in tests.
            if n > 1 && i % 4 == 0 {
                dev_deps.insert(1);
            }
            if i % 9 == 4 && !pool.is_empty() {
                let j = pool[rng.below(pool.len())];
                if !deps.contains(&j) {
                    dev_deps.insert(j);
                }
            }
            // build-dependency edges: the code generator, from crates with a build.rs.
            if n > 2 && i % 6 == 5 {
                build_deps.insert(2);
            }
        }
        let mut registry = Vec::new();
        if spec.registry_deps {
            if i == 0 {
                registry.extend(["itoa", "serde"]);
            } else if i % 5 == 3 {
                registry.push("itoa");
            }
            if kind == "pyo3" {
                registry.push("pyo3");
            }
        }
        crates.push(GenCrate {
            path: format!("{domain}/rust/{name}"),
            name,
            domain,
            kind,
            deps: deps.into_iter().map(name_of).collect(),
            dev_deps: dev_deps.into_iter().map(name_of).collect(),
            build_deps: build_deps.into_iter().map(name_of).collect(),
            registry,
            mixed_python: kind == "pyo3" && (i / spec.pyo3_every.max(1)).is_multiple_of(2),
            core: is_core(i),
            optional_deps: Vec::new(),
            dep_features: Vec::new(),
            no_default: Vec::new(),
            forwards: Vec::new(),
            cfg_deps: Vec::new(),
        });
    }
    shape(spec, &mut crates);
    crates
}

/// Applies [`Shapes::features`] and [`Shapes::platforms`] to a planned workspace, with a PRNG
/// of its own so the plan without shapes stays the same. Each shape takes a library that has
/// normal users, one of which has normal users in turn (so the narrower builds show one hop
/// further up), and rewrites the edges to it; the four libraries are distinct.
fn shape(spec: &Spec, crates: &mut [GenCrate]) {
    if !spec.shapes.features && !spec.shapes.platforms {
        return;
    }
    let mut rng = Rng::new(spec.seed ^ 0x7368_6170_6573);
    let users = |crates: &[GenCrate], name: &str| -> Vec<usize> {
        (0..crates.len())
            .filter(|&i| crates[i].deps.iter().any(|d| d == name))
            .collect()
    };
    // The chosen libraries, and every crate whose manifest a shape rewrote: a later shape
    // leaves them alone, so no feature names a dependency another shape made optional.
    let mut taken: BTreeSet<usize> = BTreeSet::new();
    // The dependent kept plain for the `EnableFeature` step: no other shape rewrites its manifest.
    let mut reserved: Option<usize> = None;
    // A library with users, preferably one of whose users has users; none when every library
    // with users is taken (a tiny workspace).
    let choose = |crates: &[GenCrate], rng: &mut Rng, taken: &mut BTreeSet<usize>| {
        let used: Vec<usize> = (3..crates.len())
            .filter(|&j| crates[j].kind == "lib" && !crates[j].core && !taken.contains(&j))
            .filter(|&j| !users(crates, &crates[j].name).is_empty())
            .collect();
        let good: Vec<usize> = used
            .iter()
            .copied()
            .filter(|&j| {
                let u = users(crates, &crates[j].name);
                u.iter()
                    .any(|&i| !users(crates, &crates[i].name).is_empty())
            })
            .collect();
        let from = if good.is_empty() { &used } else { &good };
        let j = *from.get(rng.below(from.len().max(1)))?;
        taken.insert(j);
        Some(j)
    };
    let hosts_of = |crates: &[GenCrate], j: usize| users(crates, &crates[j].name);
    if spec.shapes.features {
        // Behind a feature nothing enables by default.
        if let Some(j) = choose(crates, &mut rng, &mut taken) {
            let name = crates[j].name.clone();
            let feature = format!("opt-{name}");
            let mut first = true;
            for c in hosts_of(crates, j) {
                taken.insert(c);
                crates[c].deps.retain(|d| *d != name);
                crates[c].optional_deps.push((name.clone(), false));
                let host = crates[c].name.clone();
                for e in users(crates, &host) {
                    // The first dependent never enables it: the `EnableFeature` step does.
                    if std::mem::take(&mut first) {
                        reserved = Some(e);
                        continue;
                    }
                    if rng.chance(25) {
                        crates[e].dep_features.push((host.clone(), feature.clone()));
                        taken.insert(e);
                    } else if rng.chance(25) {
                        crates[e].forwards.push((host.clone(), feature.clone()));
                        taken.insert(e);
                    }
                }
            }
        }
        // Behind a default feature, which one dependent turns off.
        if let Some(k) = choose(crates, &mut rng, &mut taken) {
            let name = crates[k].name.clone();
            let mut turned_off = false;
            for c in hosts_of(crates, k) {
                taken.insert(c);
                crates[c].deps.retain(|d| *d != name);
                crates[c].optional_deps.push((name.clone(), true));
                let (host, host_path) = (crates[c].name.clone(), crates[c].path.clone());
                if turned_off {
                    continue;
                }
                let plain = users(crates, &host).into_iter().find(|&e| {
                    Some(e) != reserved
                        && !crates[e].dep_features.iter().any(|(d, _)| *d == host)
                        && !crates[e].forwards.iter().any(|(d, _)| *d == host)
                });
                if let Some(e) = plain {
                    crates[e].no_default.push((host, host_path));
                    taken.insert(e);
                    turned_off = true;
                }
            }
        }
    }
    if spec.shapes.platforms {
        for predicate in ["windows", "unix"] {
            if let Some(w) = choose(crates, &mut rng, &mut taken) {
                let name = crates[w].name.clone();
                for c in hosts_of(crates, w) {
                    taken.insert(c);
                    crates[c].deps.retain(|d| *d != name);
                    crates[c]
                        .cfg_deps
                        .push((predicate.to_string(), name.clone()));
                }
            }
        }
    }
}

/// Writes the workspace described by `spec` into `root` (which may exist; files are
/// overwritten). With `registry_deps` it also runs `cargo generate-lockfile`.
pub fn generate(root: &Path, spec: &Spec) -> io::Result<Generated> {
    let crates = plan(spec);
    let python = plan_python(spec, &crates);
    let g = Generated {
        root: root.to_path_buf(),
        crates,
        spec: spec.clone(),
        python,
    };
    fs::create_dir_all(root)?;
    write(root, "Cargo.toml", &g.root_manifest())?;
    write(root, "rust-toolchain.toml", TOOLCHAIN)?;
    let mut root_pyproject = ROOT_PYPROJECT.to_string();
    if !g.python.is_empty() {
        // A uv workspace of the Python packages and the PyO3 crates' projects (the shape
        // `init` and `new` write), so every `{ workspace = true }` source names a member.
        root_pyproject.push_str("\n[tool.uv.workspace]\nmembers = [\n    \"*/python/*\",\n");
        for c in g.crates.iter().filter(|c| c.kind == "pyo3") {
            let _ = writeln!(root_pyproject, "    \"{}\",", c.path);
        }
        root_pyproject.push_str("]\n");
    }
    write(root, "pyproject.toml", &root_pyproject)?;
    write(root, ".gitignore", "/target\n__pycache__/\n")?;
    write(
        root,
        "d00/python/orchestrate.py",
        "\"\"\"Orchestration for the d00 domain (a path rule maps it to the domain).\"\"\"\n",
    )?;
    for c in &g.crates {
        write_crate(root, c, spec.registry_deps)?;
    }
    for p in &g.python {
        write_python(root, p)?;
    }
    if spec.shapes.root_package {
        let mut lib = format!(
            "//! Generated root package {ROOT_PACKAGE}.\n\npub fn value() -> u64 {{\n    let v: u64 = 0;\n"
        );
        for d in g.root_deps() {
            let _ = writeln!(lib, "    let v = v + {d}::value();");
        }
        lib.push_str("    v\n}\n");
        write(root, "src/lib.rs", &lib)?;
    }
    if spec.registry_deps {
        run_cargo(root, &["generate-lockfile"])?;
    }
    Ok(g)
}

const TOOLCHAIN: &str = "[toolchain]\nchannel = \"1.95.0\"\n";

const ROOT_PYPROJECT: &str = "\
[project]
name = \"generated-monorepo\"
version = \"0.1.0\"
requires-python = \">=3.11\"

[dependency-groups]
dev = [\"maturin>=1.9.4,<2\", \"pytest>=8\"]
";

const PACKAGE_FIELDS: &str = "\
version.workspace = true
edition.workspace = true
rust-version.workspace = true
license.workspace = true
publish.workspace = true
";

impl Generated {
    /// The crate called `name`.
    pub fn get(&self, name: &str) -> Option<&GenCrate> {
        self.crates.iter().find(|c| c.name == name)
    }

    /// Crates that declare `name` under `[dependencies]`, `[dev-dependencies]` or
    /// `[build-dependencies]`.
    pub fn users_of(&self, name: &str) -> Vec<&GenCrate> {
        self.crates
            .iter()
            .filter(|c| c.all_deps().any(|d| d == name))
            .collect()
    }

    /// Internal crates that appear in `[workspace.dependencies]` (those with at least one user,
    /// so the workspace has no unused entry).
    pub fn workspace_entries(&self) -> Vec<&GenCrate> {
        let used = self.used_names();
        self.crates
            .iter()
            .filter(|c| used.contains(c.name.as_str()))
            .collect()
    }

    /// Names that some crate (or the root package) declares as a dependency of any kind.
    fn used_names(&self) -> BTreeSet<&str> {
        let root = self.root_deps();
        let mut used: BTreeSet<&str> = self
            .crates
            .iter()
            .flat_map(GenCrate::all_deps)
            .map(String::as_str)
            .collect();
        used.extend(
            self.crates
                .iter()
                .filter(|c| root.contains(&c.name))
                .map(|c| c.name.as_str()),
        );
        used
    }

    /// The root package's dependencies ([`Shapes::root_package`]; empty without it): the core
    /// crate and two other libraries, chosen with a PRNG of their own.
    pub fn root_deps(&self) -> Vec<String> {
        if !self.spec.shapes.root_package {
            return Vec::new();
        }
        let mut rng = Rng::new(self.spec.seed ^ 0x726f_6f74);
        let libs: Vec<&GenCrate> = self
            .crates
            .iter()
            .filter(|c| c.kind == "lib" && !c.core)
            .filter(|c| ![TESTKIT, CODEGEN].contains(&c.name.as_str()))
            .collect();
        let mut deps: BTreeSet<String> =
            self.get(CORE).map(|c| c.name.clone()).into_iter().collect();
        for _ in 0..2 {
            if let Some(c) = pick(&mut rng, &libs) {
                deps.insert(c.name.clone());
            }
        }
        deps.into_iter().collect()
    }

    /// Names of the crates a shape touches: those whose manifests have a `[features]` or
    /// `[target]` table or a dependency by path, those behind an optional or platform-specific
    /// edge, and the root package's dependencies. History steps that rewrite or delete a
    /// manifest line by line leave them alone.
    pub fn shaped(&self) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = self.root_deps().into_iter().collect();
        for c in self.crates.iter().filter(|c| c.is_shaped()) {
            out.insert(c.name.clone());
            out.extend(c.optional_deps.iter().map(|(d, _)| d.clone()));
            out.extend(c.cfg_deps.iter().map(|(_, d)| d.clone()));
            out.extend(c.dep_features.iter().map(|(d, _)| d.clone()));
            out.extend(c.forwards.iter().map(|(d, _)| d.clone()));
            out.extend(c.no_default.iter().map(|(d, _)| d.clone()));
        }
        out
    }

    /// The crates a change to `changed` affects over the `--all-features` graph for every
    /// platform (determinator's semantics when no [`Shapes`] are on, and `affected
    /// --features-mode all`'s always): the changed crates, their transitive dependents through
    /// normal (optional and platform-specific too) and build edges, and the crates that declare
    /// any of those as a dev-dependency (one hop, not further). The root package counts as a
    /// crate named [`ROOT_PACKAGE`].
    pub fn affected_by(&self, changed: &[&str]) -> BTreeSet<String> {
        self.affected_over(changed, |_| true)
    }

    /// [`Generated::affected_by`] with only the platform-specific edges whose `cfg()` holds on
    /// the host running the tests (`windows`, `unix`): `affected --features-mode all`'s answer
    /// with the default platforms.
    pub fn affected_by_on_host(&self, changed: &[&str]) -> BTreeSet<String> {
        self.affected_over(changed, |predicate| match predicate {
            "windows" => cfg!(windows),
            "unix" => cfg!(unix),
            other => panic!("no host answer for cfg({other})"),
        })
    }

    /// The closure over the edges, with the platform-specific ones whose predicate `on` keeps.
    fn affected_over(&self, changed: &[&str], on: impl Fn(&str) -> bool) -> BTreeSet<String> {
        let mut reverse: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let mut dev_reverse: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let root = self.root_deps();
        for d in &root {
            reverse.entry(d.as_str()).or_default().push(ROOT_PACKAGE);
        }
        for c in &self.crates {
            let optional = c.optional_deps.iter().map(|(d, _)| d);
            let cfg = c.cfg_deps.iter().filter(|(p, _)| on(p)).map(|(_, d)| d);
            for d in c
                .deps
                .iter()
                .chain(&c.build_deps)
                .chain(optional)
                .chain(cfg)
            {
                reverse.entry(d.as_str()).or_default().push(&c.name);
            }
            for d in &c.dev_deps {
                dev_reverse.entry(d.as_str()).or_default().push(&c.name);
            }
        }
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut stack: Vec<&str> = changed.to_vec();
        while let Some(n) = stack.pop() {
            if seen.insert(n.to_string()) {
                stack.extend(reverse.get(n).into_iter().flatten());
            }
        }
        let dev: Vec<String> = seen
            .iter()
            .flat_map(|n| dev_reverse.get(n.as_str()).into_iter().flatten())
            .map(|s| s.to_string())
            .collect();
        seen.extend(dev);
        seen
    }

    /// Every crate name (and [`ROOT_PACKAGE`] with [`Shapes::root_package`]).
    pub fn names(&self) -> BTreeSet<String> {
        let mut names: BTreeSet<String> = self.crates.iter().map(|c| c.name.clone()).collect();
        if self.spec.shapes.root_package {
            names.insert(ROOT_PACKAGE.to_string());
        }
        names
    }

    /// The root `Cargo.toml`.
    pub fn root_manifest(&self) -> String {
        let mut s = String::new();
        s.push_str("# Generated by tests/support/generator.rs (cargo-ccworkspace test support).\n");
        if self.spec.shapes.root_package {
            let _ = write!(
                s,
                "[package]\nname = \"{ROOT_PACKAGE}\"\n{PACKAGE_FIELDS}\n[lints]\nworkspace = true\n\n\
                 [dependencies]\n"
            );
            for d in self.root_deps() {
                let _ = writeln!(s, "{d}.workspace = true");
            }
            s.push('\n');
        }
        s.push_str("[workspace]\nresolver = \"2\"\nmembers = [");
        let domains: BTreeSet<&str> = self.crates.iter().map(|c| c.domain.as_str()).collect();
        let globs: Vec<String> = (0..self.spec.domains.max(1))
            .map(domain_name)
            .filter(|d| domains.contains(d.as_str()))
            .map(|d| format!("\"{d}/rust/*\""))
            .collect();
        s.push_str(&globs.join(", "));
        s.push_str("]\n\n");
        s.push_str(
            "[workspace.package]\nversion = \"0.1.0\"\nedition = \"2021\"\n\
             rust-version = \"1.80\"\nlicense = \"MIT OR Apache-2.0\"\npublish = false\n\n",
        );
        s.push_str("[workspace.dependencies]\n");
        if self.spec.registry_deps {
            s.push_str("itoa = \"1\"\n");
            s.push_str("serde = { version = \"1\", features = [\"derive\"] }\n");
            if self.crates.iter().any(|c| c.registry.contains(&"pyo3")) {
                s.push_str("pyo3 = \"0.30\"\n");
            }
        }
        for c in self.workspace_entries() {
            let _ = writeln!(s, "{} = {{ path = \"{}\" }}", c.name, c.path);
        }
        s.push_str(
            "\n[workspace.lints.rust]\nunsafe_code = \"forbid\"\n\n\
             [workspace.lints.clippy]\ndbg_macro = \"warn\"\n\n\
             [profile.release]\nopt-level = 3\ncodegen-units = 16\n\n\
             [workspace.metadata.ccworkspace.affected]\n\
             [[workspace.metadata.ccworkspace.affected.path-rule]]\n\
             globs = [\"d00/python/**\"]\nmark-changed = [\"domain:d00\"]\n",
        );
        if self.spec.python_off {
            s.push_str("\n[workspace.metadata.ccworkspace.python]\nenabled = false\n");
        }
        s
    }
}

fn write(root: &Path, rel: &str, contents: &str) -> io::Result<()> {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, contents)
}

/// The member manifest of `c`.
pub fn crate_manifest(c: &GenCrate) -> String {
    let mut s = format!("[package]\nname = \"{}\"\n{PACKAGE_FIELDS}", c.name);
    if !c.build_deps.is_empty() {
        s.push_str("build = \"build.rs\"\n");
    }
    s.push_str("\n[lints]\nworkspace = true\n");
    if c.kind == "pyo3" {
        let _ = write!(
            s,
            "\n[lib]\nname = \"{}\"\ncrate-type = [\"cdylib\", \"rlib\"]\n",
            c.name
        );
    }
    s.push_str("\n[dependencies]\n");
    for d in c.registry.iter().map(|s| s.to_string()) {
        let _ = writeln!(s, "{d}.workspace = true");
    }
    for d in &c.deps {
        let features: Vec<String> = c
            .dep_features
            .iter()
            .filter(|(dep, _)| dep == d)
            .map(|(_, f)| format!("\"{f}\""))
            .collect();
        let features = if features.is_empty() {
            String::new()
        } else {
            format!(", features = [{}]", features.join(", "))
        };
        if let Some((_, path)) = c.no_default.iter().find(|(dep, _)| dep == d) {
            let _ = writeln!(
                s,
                "{d} = {{ path = \"../../../{path}\", default-features = false{features} }}"
            );
        } else if features.is_empty() {
            let _ = writeln!(s, "{d}.workspace = true");
        } else {
            let _ = writeln!(s, "{d} = {{ workspace = true{features} }}");
        }
    }
    for (d, _) in &c.optional_deps {
        let _ = writeln!(s, "{d} = {{ workspace = true, optional = true }}");
    }
    let predicates: BTreeSet<&str> = c.cfg_deps.iter().map(|(p, _)| p.as_str()).collect();
    for p in predicates {
        let _ = write!(s, "\n[target.'cfg({p})'.dependencies]\n");
        for (_, d) in c.cfg_deps.iter().filter(|(q, _)| q == p) {
            let _ = writeln!(s, "{d}.workspace = true");
        }
    }
    if !c.optional_deps.is_empty() || !c.forwards.is_empty() {
        s.push_str("\n[features]\n");
        let defaults: Vec<String> = c
            .optional_deps
            .iter()
            .filter(|(_, default)| *default)
            .map(|(d, _)| format!("\"opt-{d}\""))
            .collect();
        if !defaults.is_empty() {
            let _ = writeln!(s, "default = [{}]", defaults.join(", "));
        }
        for (d, _) in &c.optional_deps {
            let _ = writeln!(s, "opt-{d} = [\"dep:{d}\"]");
        }
        for (d, f) in &c.forwards {
            let _ = writeln!(s, "fwd-{d} = [\"{d}/{f}\"]");
        }
    }
    if !c.dev_deps.is_empty() {
        s.push_str("\n[dev-dependencies]\n");
        for d in &c.dev_deps {
            let _ = writeln!(s, "{d} = {{ workspace = true }}");
        }
    }
    if !c.build_deps.is_empty() {
        s.push_str("\n[build-dependencies]\n");
        for d in &c.build_deps {
            let _ = writeln!(s, "{d}.workspace = true");
        }
    }
    s
}

/// `value()`: a number built from the crate's own index and its dependencies, one statement
/// per dependency (`let v = v + dep::value();`) so a dependency's uses can be removed line by line.
fn value_fn(c: &GenCrate) -> String {
    let own: u64 = c.name[1..].parse().unwrap_or(0);
    let mut s = format!("pub fn value() -> u64 {{\n    let v: u64 = {own};\n");
    for d in &c.deps {
        let _ = writeln!(s, "    let v = v + {d}::value();");
    }
    for (d, _) in &c.optional_deps {
        let _ = writeln!(
            s,
            "    #[cfg(feature = \"opt-{d}\")] let v = v + {d}::value();"
        );
    }
    for (p, d) in &c.cfg_deps {
        let _ = writeln!(s, "    #[cfg({p})] let v = v + {d}::value();");
    }
    if !c.build_deps.is_empty() {
        s.push_str("    let v = v + env!(\"GEN_VALUE\").len() as u64;\n");
    }
    s.push_str("    v\n}\n");
    s
}

fn write_crate(root: &Path, c: &GenCrate, registry: bool) -> io::Result<()> {
    let dir = root.join(&c.path);
    fs::create_dir_all(dir.join("src"))?;
    fs::write(dir.join("Cargo.toml"), crate_manifest(c))?;
    let mut lib = format!("//! Generated crate {} ({}).\n\n", c.name, c.kind);
    if c.registry.contains(&"serde") {
        lib.push_str("#[derive(serde::Serialize)]\npub struct Marker;\n\n");
    }
    if c.registry.contains(&"itoa") {
        lib.push_str(
            "pub fn render(n: u64) -> String {\n    itoa::Buffer::new().format(n).to_string()\n}\n\n",
        );
    }
    lib.push_str(&value_fn(c));
    match c.kind {
        "bin" => {
            lib.push_str("\nfn main() {\n    println!(\"{}\", value());\n}\n");
            fs::write(dir.join("src/main.rs"), lib)?;
        }
        "pyo3" => {
            if registry {
                let _ = write!(
                    lib,
                    "\n#[pyo3::pyfunction]\nfn py_value() -> u64 {{\n    value()\n}}\n\n\
                     /// Module name = `[lib] name` = `[tool.maturin] module-name`.\n\
                     #[pyo3::pymodule]\nmod {} {{\n    #[pymodule_export]\n    use super::py_value;\n}}\n",
                    c.name
                );
            } else {
                lib.push_str(
                    "\n// PyO3 layout without the pyo3 dependency (registry_deps = false): the\n\
                     // cdylib, pyproject.toml and module name are what the tools look at.\n",
                );
            }
            fs::write(dir.join("src/lib.rs"), lib)?;
            let mut py = format!(
                "[build-system]\nrequires = [\"maturin>=1.9.4,<2\"]\nbuild-backend = \"maturin\"\n\n\
                 [project]\nname = \"{}\"\nrequires-python = \">=3.9\"\ndynamic = [\"version\"]\n\n\
                 [tool.maturin]\nmodule-name = \"{}\"\n",
                c.name.replace('_', "-"),
                c.name
            );
            if c.mixed_python {
                py.push_str("python-source = \"python\"\n");
                write(
                    &dir,
                    &format!("python/{}/__init__.py", c.name),
                    &format!(
                        "\"\"\"Python half of {0}.\"\"\"\n\nfrom .{0} import *  # noqa: F403\n",
                        c.name
                    ),
                )?;
            }
            fs::write(dir.join("pyproject.toml"), py)?;
        }
        _ => fs::write(dir.join("src/lib.rs"), lib)?,
    }
    if !c.build_deps.is_empty() {
        let mut b = String::from("fn main() {\n    let v: u64 = 0;\n");
        for d in &c.build_deps {
            let _ = writeln!(b, "    let v = v + {d}::value();");
        }
        b.push_str("    println!(\"cargo::rustc-env=GEN_VALUE={v}\");\n}\n");
        fs::write(dir.join("build.rs"), b)?;
    }
    if !c.dev_deps.is_empty() {
        let mut t = format!(
            "#[test]\nfn smoke() {{\n    let v: u64 = {}::value();\n",
            c.name
        );
        if c.kind == "bin" {
            // A binary has no library to call from an integration test.
            t = String::from("#[test]\nfn smoke() {\n    let v: u64 = 1;\n");
        }
        for d in &c.dev_deps {
            let _ = writeln!(t, "    let v = v + {d}::value();");
        }
        t.push_str("    assert!(v > 0);\n}\n");
        write(&dir, "tests/smoke.rs", &t)?;
    }
    Ok(())
}

/// The cargo to run: `$CARGO` (set by cargo for tests and examples) or `cargo`.
pub fn cargo_program() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

/// Runs cargo in `dir`; an error carries cargo's stderr.
pub fn run_cargo(dir: &Path, args: &[&str]) -> io::Result<String> {
    let out = Command::new(cargo_program())
        .args(args)
        .current_dir(dir)
        .output()?;
    if !out.status.success() {
        return Err(io::Error::other(format!(
            "cargo {args:?} failed in {}: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The kind of change one history commit makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StepKind {
    /// A source edit in a crate nothing depends on.
    LeafSource,
    /// A source edit in the core crate `c0000`.
    CoreSource,
    /// A source edit in the test-support crate (a dev-only dependency).
    DevOnlySource,
    /// An edit of a Python file inside a PyO3 crate.
    PythonInCrate,
    /// A member `Cargo.toml` edit (a new `[features]` table).
    MemberManifest,
    /// One `[workspace.dependencies]` entry changed.
    WorkspaceDepEntry,
    /// Only `Cargo.lock` changed (`cargo update -p itoa --precise ...`); registry deps only.
    LockfileOnly,
    /// `[profile.release]` changed.
    Profile,
    /// A file renamed inside a crate (`git mv`).
    RenamedFile,
    /// A new crate.
    NewCrate,
    /// A crate deleted together with its uses.
    DeletedCrate,
    /// A crate moved to another domain folder.
    MovedCrate,
    /// [`Shapes::features`]: a source edit in the library whose users all depend on it through
    /// an optional dependency behind a feature that is not a default (some of their dependents
    /// enable or forward it).
    OptionalSource,
    /// [`Shapes::features`]: a source edit in the library behind a default feature (which one
    /// dependent of one user turns off with `default-features = false`).
    DefaultOptionalSource,
    /// [`Shapes::platforms`]: a source edit in the library used only under `cfg(windows)`.
    WindowsOnlySource,
    /// [`Shapes::platforms`]: a source edit in the library used only under `cfg(unix)`.
    UnixOnlySource,
    /// [`Shapes::root_package`]: a source edit in the root package's `src/lib.rs`.
    RootPackageSource,
    /// [`Shapes::features`]: a member manifest edit that turns on the optional dependency of
    /// [`StepKind::OptionalSource`] in a dependent that did not (`features = ["opt-..."]`).
    EnableFeature,
    /// [`Shapes::features`]: the [`StepKind::OptionalSource`] edit again, after
    /// [`StepKind::EnableFeature`].
    EnabledOptionalSource,
}

/// One commit made by [`make_history`].
#[derive(Debug, Clone)]
pub struct HistoryStep {
    pub kind: StepKind,
    /// The commit before this step.
    pub parent: String,
    /// The commit of this step.
    pub commit: String,
    /// Paths (relative to the root) this step changed, as `git diff --name-only` lists them.
    pub paths: Vec<String>,
    /// Crates whose own files changed (for a moved crate: the moved crate; for a deleted crate:
    /// the deleted crate and the crates whose manifests lost the dependency).
    pub crates: Vec<String>,
    /// What the step did, for messages.
    pub note: String,
}

/// Commits the generated workspace in `repo` (whose directory must be `g.root`) if it has no
/// commit yet, then makes one commit per [`StepKind`] (skipping `LockfileOnly` without registry
/// dependencies) and returns them in order. Source-only steps come first and the steps that
/// change the crate graph (new, deleted, moved crate) last, so the crate choices made from `g`
/// stay valid; the [`Shapes`] steps come right before the new crate, each only with its shape.
/// A `Cargo.lock` is kept committed and in sync at every step.
pub fn make_history(repo: &Repo, g: &Generated, seed: u64) -> io::Result<Vec<HistoryStep>> {
    let mut rng = Rng::new(seed ^ 0x0068_6973_746f_7279);
    let root = &repo.dir;
    let has_head = Command::new("git")
        .args(["rev-parse", "--verify", "-q", "HEAD"])
        .current_dir(root)
        .output()?
        .status
        .success();
    if !has_head {
        sync_lock(root, g.spec.registry_deps)?;
        repo.commit_all("generated workspace");
    }
    let mut steps = Vec::new();
    let step = |kind: StepKind, crates: Vec<String>, note: String| -> HistoryStep {
        let parent = repo.head();
        let commit = repo.commit_all(&format!("{kind:?}: {note}"));
        let paths = repo
            .git(&["diff", "--name-only", "--no-renames", &parent, &commit])
            .lines()
            .map(str::to_string)
            .collect();
        HistoryStep {
            kind,
            parent,
            commit,
            paths,
            crates,
            note,
        }
    };

    let used = g.used_names();
    // The steps below edit and delete manifest lines one by one: they leave the crates a shape
    // touched alone (none without shapes).
    let shaped = g.shaped();
    let libs_with_users: Vec<&GenCrate> = g
        .crates
        .iter()
        .filter(|c| c.kind == "lib" && !c.core && ![TESTKIT, CODEGEN].contains(&c.name.as_str()))
        .filter(|c| used.contains(c.name.as_str()) && !shaped.contains(&c.name))
        .collect();
    let leaves: Vec<&GenCrate> = g
        .crates
        .iter()
        .filter(|c| !used.contains(c.name.as_str()))
        .collect();

    // Source edit in a leaf.
    if let Some(leaf) = pick(&mut rng, &leaves) {
        repo.append(&src_file(leaf), "\n// leaf edit\n");
        steps.push(step(
            StepKind::LeafSource,
            vec![leaf.name.clone()],
            leaf.path.clone(),
        ));
    }
    // Source edit in the core crate.
    if let Some(core) = g.get(CORE) {
        repo.append(&src_file(core), "\n// core edit\n");
        steps.push(step(
            StepKind::CoreSource,
            vec![core.name.clone()],
            core.path.clone(),
        ));
    }
    // Source edit in the dev-only test kit.
    if let Some(kit) = g.get(TESTKIT) {
        repo.append(&src_file(kit), "\n// test kit edit\n");
        steps.push(step(
            StepKind::DevOnlySource,
            vec![kit.name.clone()],
            kit.path.clone(),
        ));
    }
    // A Python file in a PyO3 crate.
    let mixed: Vec<&GenCrate> = g.crates.iter().filter(|c| c.mixed_python).collect();
    if let Some(py) = pick(&mut rng, &mixed) {
        let rel = format!("{}/python/{}/__init__.py", py.path, py.name);
        repo.append(&rel, "\nVERSION = \"2\"\n");
        steps.push(step(StepKind::PythonInCrate, vec![py.name.clone()], rel));
    }
    // A member manifest edit.
    if let Some(c) = pick(&mut rng, &libs_with_users) {
        repo.append(
            &format!("{}/Cargo.toml", c.path),
            "\n[features]\nextra = []\n",
        );
        steps.push(step(
            StepKind::MemberManifest,
            vec![c.name.clone()],
            c.path.clone(),
        ));
    }
    // One [workspace.dependencies] entry.
    if g.spec.registry_deps {
        repo.replace("Cargo.toml", "itoa = \"1\"", "itoa = \"1.0.1\"");
        let users = g.crates.iter().filter(|c| c.registry.contains(&"itoa"));
        let users = users.map(|c| c.name.clone()).collect();
        steps.push(step(
            StepKind::WorkspaceDepEntry,
            users,
            "itoa = \"1.0.1\"".into(),
        ));
    } else if let Some(c) = pick(&mut rng, &libs_with_users) {
        let from = format!("{} = {{ path = \"{}\" }}", c.name, c.path);
        let to = format!(
            "{} = {{ path = \"{}\", version = \"0.1.0\" }}",
            c.name, c.path
        );
        repo.replace("Cargo.toml", &from, &to);
        sync_lock(root, false)?;
        let users = g.users_of(&c.name).iter().map(|u| u.name.clone()).collect();
        steps.push(step(StepKind::WorkspaceDepEntry, users, to));
    }
    // Lockfile only.
    if g.spec.registry_deps {
        run_cargo(root, &["update", "-p", "itoa", "--precise", "1.0.10"])?;
        let users = g.crates.iter().filter(|c| c.registry.contains(&"itoa"));
        let users = users.map(|c| c.name.clone()).collect();
        steps.push(step(StepKind::LockfileOnly, users, "itoa 1.0.10".into()));
    }
    // Profile.
    repo.replace("Cargo.toml", "codegen-units = 16", "codegen-units = 8");
    steps.push(step(
        StepKind::Profile,
        Vec::new(),
        "codegen-units = 8".into(),
    ));
    // A renamed file: an integration test (auto-discovered, so the rename alone stays valid).
    let with_tests: Vec<&GenCrate> = g.crates.iter().filter(|c| !c.dev_deps.is_empty()).collect();
    if let Some(c) = pick(&mut rng, &with_tests) {
        let from = format!("{}/tests/smoke.rs", c.path);
        let to = format!("{}/tests/smoke_renamed.rs", c.path);
        repo.rename(&from, &to);
        steps.push(step(
            StepKind::RenamedFile,
            vec![c.name.clone()],
            format!("{from} -> {to}"),
        ));
    }
    shape_steps(repo, g, &mut rng, &mut steps, &step);
    // A new crate, using the core crate.
    let new_index = g.crates.len() + 1;
    let new = GenCrate {
        name: name_of(new_index),
        path: format!("{}/rust/{}", domain_name(0), name_of(new_index)),
        domain: domain_name(0),
        kind: "lib",
        deps: g
            .get(CORE)
            .map(|c| vec![c.name.clone()])
            .unwrap_or_default(),
        dev_deps: Vec::new(),
        build_deps: Vec::new(),
        registry: Vec::new(),
        mixed_python: false,
        core: false,
        optional_deps: Vec::new(),
        dep_features: Vec::new(),
        no_default: Vec::new(),
        forwards: Vec::new(),
        cfg_deps: Vec::new(),
    };
    write_crate(root, &new, g.spec.registry_deps)?;
    if let Some(core) = g.get(CORE) {
        // In a tiny workspace nothing used the core crate yet, so it has no entry.
        let entry = format!("{} = {{ path = \"{}\" }}", core.name, core.path);
        if !repo.read("Cargo.toml").contains(&entry) {
            let table = "[workspace.dependencies]\n";
            repo.replace("Cargo.toml", table, &format!("{table}{entry}\n"));
        }
    }
    sync_lock(root, g.spec.registry_deps)?;
    steps.push(step(
        StepKind::NewCrate,
        vec![new.name.clone()],
        new.path.clone(),
    ));

    // Moved and deleted crates: two different libraries with dependents.
    let moved = pick(&mut rng, &libs_with_users).cloned();
    let others: Vec<&GenCrate> = libs_with_users
        .iter()
        .filter(|c| Some(&c.name) != moved.as_ref().map(|m| &m.name))
        .copied()
        .collect();
    let deleted = pick(&mut rng, &others).cloned();
    if let Some(c) = deleted {
        let mut touched = vec![c.name.clone()];
        repo.remove(&c.path);
        remove_lines(repo, "Cargo.toml", &format!("{} = {{ path = ", c.name));
        for user in g.users_of(&c.name) {
            touched.push(user.name.clone());
            // Remove the dependency line and every use (one per line, see `value_fn`).
            remove_lines(
                repo,
                &format!("{}/Cargo.toml", user.path),
                &format!("{} ", c.name),
            );
            remove_lines(
                repo,
                &format!("{}/Cargo.toml", user.path),
                &format!("{}.", c.name),
            );
            for f in [
                "src/lib.rs",
                "src/main.rs",
                "build.rs",
                "tests/smoke.rs",
                "tests/smoke_renamed.rs",
            ] {
                let rel = format!("{}/{f}", user.path);
                if repo.path(&rel).exists() {
                    remove_lines(repo, &rel, &format!("{}::", c.name));
                }
            }
        }
        // An entry can become unused: the workspace stays lint-clean only if we drop it too.
        drop_unused_entries(repo, g, &c.name);
        sync_members(repo)?;
        sync_lock(root, g.spec.registry_deps)?;
        steps.push(step(StepKind::DeletedCrate, touched, c.path.clone()));
    }
    if let Some(c) = moved {
        let domains = g.spec.domains.max(1);
        let current: usize = c.domain[1..].parse().unwrap_or(0);
        let target = domain_name((current + 1) % domains.max(2));
        let to = format!("{target}/rust/{}", c.name);
        repo.rename(&c.path, &to);
        sync_members(repo)?;
        let entry = format!("{} = {{ path = \"{}\"", c.name, c.path);
        // The entry is gone when the deleted crate was the moved crate's only user.
        if repo.read("Cargo.toml").contains(&entry) {
            repo.replace(
                "Cargo.toml",
                &entry,
                &format!("{} = {{ path = \"{to}\"", c.name),
            );
        }
        sync_lock(root, g.spec.registry_deps)?;
        steps.push(step(
            StepKind::MovedCrate,
            vec![c.name.clone()],
            format!("{} -> {to}", c.path),
        ));
    }
    Ok(steps)
}

/// The [`Shapes`] steps of [`make_history`], each only when its shape is on and found a crate.
fn shape_steps(
    repo: &Repo,
    g: &Generated,
    rng: &mut Rng,
    steps: &mut Vec<HistoryStep>,
    step: &dyn Fn(StepKind, Vec<String>, String) -> HistoryStep,
) {
    let optional_target = |default: bool| -> Option<&GenCrate> {
        g.crates.iter().find_map(|c| {
            let (d, _) = c.optional_deps.iter().find(|(_, dflt)| *dflt == default)?;
            g.get(d)
        })
    };
    let cfg_target = |predicate: &str| -> Option<&GenCrate> {
        g.crates.iter().find_map(|c| {
            let (_, d) = c.cfg_deps.iter().find(|(p, _)| p == predicate)?;
            g.get(d)
        })
    };
    let mut edit = |kind: StepKind, c: &GenCrate, what: &str| {
        repo.append(&src_file(c), &format!("\n// {what}\n"));
        steps.push(step(kind, vec![c.name.clone()], c.path.clone()));
    };
    let hidden = optional_target(false);
    if let Some(c) = hidden {
        edit(StepKind::OptionalSource, c, "optional-only edit");
    }
    if let Some(c) = optional_target(true) {
        edit(StepKind::DefaultOptionalSource, c, "default-optional edit");
    }
    if let Some(c) = cfg_target("windows") {
        edit(StepKind::WindowsOnlySource, c, "windows-only edit");
    }
    if let Some(c) = cfg_target("unix") {
        edit(StepKind::UnixOnlySource, c, "unix-only edit");
    }
    if g.spec.shapes.root_package {
        repo.append("src/lib.rs", "\n// root package edit\n");
        steps.push(step(
            StepKind::RootPackageSource,
            vec![ROOT_PACKAGE.to_string()],
            "src/lib.rs".into(),
        ));
    }
    let Some(hidden) = hidden else { return };
    // A dependent of a crate with the optional dependency, declaring that crate with
    // `workspace = true` and no feature of its own on it, turns the feature on.
    let feature = format!("opt-{}", hidden.name);
    let hosts: Vec<&GenCrate> = g
        .crates
        .iter()
        .filter(|c| c.optional_deps.iter().any(|(d, _)| *d == hidden.name))
        .collect();
    let candidates: Vec<(&GenCrate, &GenCrate)> = hosts
        .iter()
        .flat_map(|h| {
            g.crates
                .iter()
                .filter(|e| e.deps.contains(&h.name))
                .filter(|e| {
                    let on = |list: &[(String, String)]| list.iter().any(|(d, _)| *d == h.name);
                    !on(&e.dep_features) && !on(&e.forwards) && !on(&e.no_default)
                })
                .map(move |e| (*h, e))
        })
        .collect();
    if candidates.is_empty() {
        return;
    }
    let (host, e) = candidates[rng.below(candidates.len())];
    repo.replace(
        &format!("{}/Cargo.toml", e.path),
        &format!("{}.workspace = true", host.name),
        &format!(
            "{} = {{ workspace = true, features = [\"{feature}\"] }}",
            host.name
        ),
    );
    steps.push(step(
        StepKind::EnableFeature,
        vec![e.name.clone()],
        format!("{} enables {}/{feature}", e.name, host.name),
    ));
    repo.append(&src_file(hidden), "\n// optional edit, enabled\n");
    steps.push(step(
        StepKind::EnabledOptionalSource,
        vec![hidden.name.clone()],
        hidden.path.clone(),
    ));
}

/// Rewrites the `members = [...]` line to one glob per domain folder that holds a crate: a glob
/// that matches nothing is an error for cargo, so a domain emptied by a move or a deletion
/// loses its glob, and a new one gains it.
fn sync_members(repo: &Repo) -> io::Result<()> {
    let mut domains = BTreeSet::new();
    for entry in fs::read_dir(&repo.dir)? {
        let entry = entry?;
        let rust = entry.path().join("rust");
        let has_crate = fs::read_dir(&rust)
            .map(|mut it| it.any(|e| e.is_ok_and(|e| e.path().join("Cargo.toml").exists())))
            .unwrap_or(false);
        if has_crate {
            domains.insert(entry.file_name().to_string_lossy().into_owned());
        }
    }
    let globs: Vec<String> = domains.iter().map(|d| format!("\"{d}/rust/*\"")).collect();
    let text = repo.read("Cargo.toml");
    let out: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with("members = [") {
                format!("members = [{}]", globs.join(", "))
            } else {
                l.to_string()
            }
        })
        .collect();
    repo.write("Cargo.toml", &(out.join("\n") + "\n"));
    Ok(())
}

fn pick<'a>(rng: &mut Rng, items: &[&'a GenCrate]) -> Option<&'a GenCrate> {
    if items.is_empty() {
        None
    } else {
        Some(items[rng.below(items.len())])
    }
}

fn src_file(c: &GenCrate) -> String {
    let file = if c.kind == "bin" {
        "src/main.rs"
    } else {
        "src/lib.rs"
    };
    format!("{}/{file}", c.path)
}

fn remove_lines(repo: &Repo, rel: &str, needle: &str) {
    let text = repo.read(rel);
    let in_sum = format!("+ {needle}");
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with(needle) && !l.contains(&in_sum))
        .collect();
    let mut out = kept.join("\n");
    out.push('\n');
    repo.write(rel, &out);
}

/// After deleting `gone`, drop `[workspace.dependencies]` entries no remaining crate uses.
fn drop_unused_entries(repo: &Repo, g: &Generated, gone: &str) {
    let still_used: BTreeSet<&str> = g
        .crates
        .iter()
        .filter(|c| c.name != gone)
        .flat_map(GenCrate::all_deps)
        .map(String::as_str)
        .collect();
    let root = g.root_deps();
    let still_used: BTreeSet<&str> = still_used
        .into_iter()
        .chain(root.iter().map(String::as_str))
        .collect();
    for c in g.workspace_entries() {
        if !still_used.contains(c.name.as_str()) {
            remove_lines(repo, "Cargo.toml", &format!("{} = {{ path = ", c.name));
        }
    }
}

/// Brings `Cargo.lock` in line with the manifests, changing as little as possible (`cargo
/// metadata` updates the lock minimally; `generate-lockfile` would re-resolve everything).
fn sync_lock(root: &Path, registry: bool) -> io::Result<()> {
    // Not `--no-deps`: only a full resolve writes the lock.
    let mut args = vec!["metadata", "--format-version", "1"];
    if !registry {
        args.push("--offline");
    }
    run_cargo(root, &args).map(|_| ())
}
