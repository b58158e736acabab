//! `init` and `new` as text: the files of a new monorepo and of a new crate.
//!
//! Pure: the commands (`commands/init.rs`, `commands/new.rs`) read what exists, call these
//! functions and write the result; nothing here touches the file system, spawns a process or
//! prints. Templates are files under `src/init/templates/`, embedded with `include_str!`.

pub mod uv;

use toml_edit::{DocumentMut, Item, Table, value};

use crate::config::DockerConfig;
use crate::docker::render::fill;
use crate::errors::UserError;
use crate::model::kind::CrateKind;

const ROOT_MANIFEST: &str = include_str!("templates/Cargo.toml.in");
const TOOLCHAIN: &str = include_str!("templates/rust-toolchain.toml.in");
const PYPROJECT: &str = include_str!("templates/pyproject.toml.in");
const LOCKFILE: &str = include_str!("templates/Cargo.lock.in");
const GITIGNORE: &str = include_str!("templates/gitignore.in");
const BUILDER: &str = include_str!("templates/builder.Dockerfile.in");
const BUILDER_IGNORE: &str = include_str!("templates/builder.Dockerfile.dockerignore.in");
const DEV_COMPOSE: &str = include_str!("templates/dev-compose.yml.in");
const PRE_COMMIT: &str = include_str!("templates/pre-commit-config.yaml.in");
const CI: &str = include_str!("templates/ci.yml.in");
const CI_IMAGES: &str = include_str!("templates/images.yml.in");
const ZIZMOR: &str = include_str!("templates/zizmor.yml.in");

const CRATE_LIB: &str = include_str!("templates/crate-lib.rs.in");
const CRATE_MAIN: &str = include_str!("templates/crate-main.rs.in");
const CRATE_PYO3: &str = include_str!("templates/crate-pyo3.rs.in");
const CRATE_PYPROJECT: &str = include_str!("templates/crate-pyproject.toml.in");
const CRATE_PYI: &str = include_str!("templates/crate-pyo3.pyi.in");

const PYTHON_PYPROJECT: &str = include_str!("templates/python-pyproject.toml.in");
const PYTHON_INIT: &str = include_str!("templates/python-init.py.in");
const PYTHON_TEST: &str = include_str!("templates/python-test.py.in");

/// The pyo3 requirement `new --pyo3` adds to `[workspace.dependencies]` when it is missing.
///
/// pyo3 >= 0.26 needs no `extension-module` feature: maturin >= 1.9.4 sets
/// `PYO3_BUILD_EXTENSION_MODULE` itself, and a plain `cargo build --workspace` still links.
pub const PYO3_VERSION: &str = "0.30";

/// The oldest CPython (`3.MINOR`) [`PYO3_VERSION`] builds for: PyO3 0.30.0 dropped Python 3.8
/// (its release notes); its build script refuses an older interpreter.
pub const PYO3_PYTHON_FLOOR: u64 = 9;

/// The toolchain `init` pins, from the version of the cargo that runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toolchain {
    /// `rust-toolchain.toml` `channel`: `1.95.0`, or `nightly` / `beta`.
    pub channel: String,
    /// `[workspace.package] rust-version`: `1.95`.
    pub rust_version: String,
}

impl Toolchain {
    /// Read `cargo -V` output (`cargo 1.95.0 (f2d3ce0bd 2026-03-21)`).
    pub fn from_cargo_version(text: &str) -> Option<Toolchain> {
        let mut words = text.split_whitespace();
        if words.next()? != "cargo" {
            return None;
        }
        let version = semver::Version::parse(words.next()?).ok()?;
        let pre = version.pre.as_str();
        let (channel, minor) = if pre.is_empty() {
            (
                format!("{}.{}.{}", version.major, version.minor, version.patch),
                version.minor,
            )
        } else {
            // A nightly or beta 1.N is not yet 1.N: require the stable release before it. The
            // date in `cargo -V` is cargo's commit date, not the nightly's, so a pinned
            // `nightly-<date>` could name a toolchain that is not installed: name the channel.
            let name = if pre.starts_with("nightly") {
                "nightly"
            } else {
                "beta"
            };
            (name.to_string(), version.minor.saturating_sub(1))
        };
        Some(Toolchain {
            channel,
            rust_version: format!("{}.{minor}", version.major),
        })
    }
}

/// What `init` lays out.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// The monorepo's name (root `pyproject.toml` project name, comments).
    pub name: String,
    /// Domain folders; each gets a `<domain>/rust/*` member glob.
    pub domains: Vec<String>,
    /// Python version (`3.12`).
    pub python: String,
    pub toolchain: Toolchain,
    /// The root `pyproject.toml`'s `[tool.uv.workspace]`: [`uv::PACKAGES_GLOB`], the PyO3
    /// crates that exist already, and `exclude` for the folders the glob matches that are no
    /// Python package.
    pub python_workspace: uv::UvWorkspace,
}

/// One generated file: its path relative to the root (with `/`) and its text.
pub type GeneratedFile = (String, String);

/// Every file of a new monorepo, in a fixed order.
pub fn render_init(opts: &InitOptions) -> Vec<GeneratedFile> {
    let docker = DockerConfig {
        python_version: opts.python.clone(),
        ..DockerConfig::default()
    };
    let members = opts
        .domains
        .iter()
        .map(|d| format!("\"{d}/rust/*\""))
        .collect::<Vec<_>>()
        .join(", ");
    let image_prefix = opts.name.to_ascii_lowercase();
    let version = env!("CARGO_PKG_VERSION");
    let uv_workspace = uv::table_lines(&opts.python_workspace);
    let values: Vec<(&str, &str)> = vec![
        ("name", &opts.name),
        ("uv_workspace", &uv_workspace),
        ("members", &members),
        ("rust_version", &opts.toolchain.rust_version),
        ("channel", &opts.toolchain.channel),
        ("python", &opts.python),
        ("builder_image", &docker.builder_image),
        ("debian_release", &docker.debian_release),
        ("cargo_home", &docker.cargo_home),
        ("image_prefix", &image_prefix),
        ("version", version),
    ];
    let mut files: Vec<GeneratedFile> = [
        ("Cargo.toml", ROOT_MANIFEST),
        ("Cargo.lock", LOCKFILE),
        ("rust-toolchain.toml", TOOLCHAIN),
        ("pyproject.toml", PYPROJECT),
        (".gitignore", GITIGNORE),
        ("docker/builder.Dockerfile", BUILDER),
        ("docker/builder.Dockerfile.dockerignore", BUILDER_IGNORE),
        ("dev-compose.yml", DEV_COMPOSE),
        (".pre-commit-config.yaml", PRE_COMMIT),
        (".github/workflows/ci.yml", CI),
        (".github/workflows/images.yml", CI_IMAGES),
        (".github/zizmor.yml", ZIZMOR),
    ]
    .into_iter()
    .map(|(path, template)| (path.to_string(), fill(template, &values)))
    .collect();
    for domain in &opts.domains {
        files.push((format!("{domain}/rust/.gitkeep"), String::new()));
    }
    files
}

/// Check a domain folder name: one plain path component.
pub fn validate_domain(domain: &str) -> Result<(), UserError> {
    let bad = domain.is_empty()
        || domain.starts_with('.')
        || domain == "target"
        || domain.chars().any(|c| {
            matches!(
                c,
                '/' | '\\' | '*' | '?' | '[' | ']' | '{' | '}' | '"' | '\''
            ) || c.is_whitespace()
                || c.is_control()
        });
    if bad {
        return Err(UserError::new(
            format!("`{domain}` is not a usable domain folder name"),
            "use one plain folder name per domain, e.g. `--domains DAGs,login,CA`",
        ));
    }
    Ok(())
}

const RESERVED: [&str; 45] = [
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "gen", "try", "test", "std", "core", "alloc",
];

/// Check a crate name the way cargo does (letters, digits, `-`, `_`; not a keyword).
pub fn validate_crate_name(name: &str) -> Result<(), UserError> {
    let first_ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let chars_ok = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !first_ok || !chars_ok {
        return Err(UserError::new(
            format!("`{name}` is not a valid crate name"),
            "use ASCII letters, digits, `-` and `_`, starting with a letter",
        ));
    }
    if RESERVED.contains(&name) || RESERVED.contains(&name.replace('-', "_").as_str()) {
        return Err(UserError::new(
            format!("`{name}` is a Rust keyword or a reserved crate name"),
            "pick another name",
        ));
    }
    Ok(())
}

/// Where `new PATH` puts a crate: its folder, its name, its domain (the first folder), and the
/// `members` glob to add when no glob covers the folder yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlace {
    pub dir: String,
    pub name: String,
    pub domain: String,
    pub add_glob: Option<String>,
}

/// A `members` entry of the form `<prefix>/*` (one trailing star, no other wildcard): its
/// prefix.
fn star_prefix(glob: &str) -> Option<&str> {
    let prefix = glob.strip_suffix("/*")?;
    (!prefix.is_empty() && !prefix.contains(['*', '?', '[', ']'])).then_some(prefix)
}

/// Place `new PATH` in the workspace whose `members` are `members`; `covers(dir)` says whether
/// the members (after `exclude`) take that folder.
///
/// - `DOMAIN/rust/CRATE`: that folder.
/// - `DOMAIN/CRATE`: `DOMAIN/rust/CRATE` when a glob covers it; else `DOMAIN/CRATE` when a glob
///   covers that (a workspace laid out as `crates/*`); else a new domain: its glob is added in
///   the workspace's own layout (`DOMAIN/rust/*` when the workspace uses `<domain>/rust/*`
///   globs or has none, else `DOMAIN/*`), as `cargo new` adds a member.
/// - `CRATE`: the one `<folder>/*` glob's folder, when there is exactly one.
/// - a deeper path: that folder, which a glob must cover.
pub fn place_new(
    path: &str,
    members: &[String],
    covers: &mut dyn FnMut(&str) -> bool,
) -> Result<NewPlace, UserError> {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(UserError::new(
            format!("`{path}` is not DOMAIN/CRATE"),
            "name the domain folder and the crate, e.g. `cargo ccworkspace new DAGs/poh_ack` \
             (the crate goes to DAGs/rust/poh_ack)",
        ));
    }
    let (folders, name) = parts.split_at(parts.len() - 1);
    let name = name[0];
    for folder in folders {
        validate_domain(folder)?;
    }
    validate_crate_name(name)?;
    let house_layout = members.is_empty() || members.iter().any(|m| m.ends_with("/rust/*"));
    let place = |dir: String, add_glob: Option<String>| NewPlace {
        domain: dir.split('/').next().unwrap_or_default().to_string(),
        dir,
        name: name.to_string(),
        add_glob,
    };
    match folders {
        [] => {
            let prefixes: Vec<&str> = members.iter().filter_map(|m| star_prefix(m)).collect();
            match prefixes.as_slice() {
                [prefix] if !prefix.ends_with("/rust") || !house_layout => {
                    Ok(place(format!("{prefix}/{name}"), None))
                }
                _ => Err(UserError::new(
                    format!(
                        "`{path}` names no folder, and the workspace has no single `<folder>/*` glob to put it in"
                    ),
                    format!("name the domain folder too, e.g. `cargo ccworkspace new DAGs/{name}`"),
                )),
            }
        }
        [domain] => {
            let house = format!("{domain}/rust/{name}");
            let literal = format!("{domain}/{name}");
            if covers(&house) {
                Ok(place(house, None))
            } else if covers(&literal) {
                Ok(place(literal, None))
            } else if house_layout {
                Ok(place(house, Some(format!("{domain}/rust/*"))))
            } else {
                Ok(place(literal, Some(format!("{domain}/*"))))
            }
        }
        [domain, "rust"] => {
            let dir = format!("{domain}/rust/{name}");
            let glob = (!covers(&dir)).then(|| format!("{domain}/rust/*"));
            Ok(place(dir, glob))
        }
        _ => {
            let dir = parts.join("/");
            let parent = folders.join("/");
            let glob = (!covers(&dir)).then(|| format!("{parent}/*"));
            Ok(place(dir, glob))
        }
    }
}

/// Add `glob` to `[workspace] members` of `root_manifest` (comments and layout kept; a
/// multi-line array stays one entry per line).
pub fn add_member_glob(root_manifest: &str, glob: &str) -> anyhow::Result<String> {
    add_workspace_entry(root_manifest, "members", glob)
}

/// Add `path` to `[workspace] exclude` of `root_manifest` (created when missing; comments and
/// layout kept): what keeps a `DOMAIN/*` members glob off `DOMAIN/python`, the Python packages'
/// folder, which has no `Cargo.toml` (cargo refuses a member without one, and honours
/// `exclude` for glob matches).
pub fn add_exclude(root_manifest: &str, path: &str) -> anyhow::Result<String> {
    add_workspace_entry(root_manifest, "exclude", path)
}

/// Push `entry` onto `[workspace] <key>` (`members` or `exclude`).
fn add_workspace_entry(root_manifest: &str, key: &str, entry: &str) -> anyhow::Result<String> {
    let mut doc: DocumentMut = root_manifest.parse().map_err(|e| {
        UserError::new(
            format!("failed to parse the root Cargo.toml: {e}"),
            "fix the root Cargo.toml (cargo rejects it too)",
        )
    })?;
    let ws = doc
        .get_mut("workspace")
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| {
            UserError::new(
                "the root Cargo.toml has no [workspace] table",
                "run `cargo ccworkspace init --add-missing` or add [workspace]",
            )
        })?;
    if ws.get(key).is_none() {
        ws.insert(key, value(toml_edit::Array::new()));
    }
    let arr = ws
        .get_mut(key)
        .and_then(Item::as_array_mut)
        .ok_or_else(|| {
            UserError::new(
                format!("[workspace] {key} in the root Cargo.toml is not an array"),
                format!("make it a list of paths, e.g. {key} = [\"DAGs/rust/*\"]"),
            )
        })?;
    push_keeping_layout(arr, entry);
    Ok(doc.to_string())
}

/// Push `entry` onto a TOML array keeping its layout: in a multi-line array the new entry goes
/// on a line of its own, with the indent of the last one.
pub(crate) fn push_keeping_layout(arr: &mut toml_edit::Array, entry: &str) {
    let prefix = arr
        .iter()
        .last()
        .and_then(|v| v.decor().prefix())
        .and_then(|p| p.as_str())
        .filter(|p| p.contains('\n'))
        .map(str::to_string);
    // One entry per line: the new one goes on a line of its own, below a comment that ended
    // the last line (`"crates/*", # every crate`), which stays where it was.
    let prefix = prefix.map(|p| {
        let indent = p.rsplit('\n').next().unwrap_or_default().to_string();
        let trailing = arr.trailing().as_str().unwrap_or_default().to_string();
        if arr.trailing_comma() && trailing.contains('\n') {
            arr.set_trailing("\n");
            format!("{}{indent}", trailing.trim_end_matches([' ', '\t']))
        } else {
            p
        }
    });
    arr.push(entry);
    if let (Some(prefix), Some(last)) = (prefix, arr.iter_mut().last()) {
        last.decor_mut().set_prefix(prefix);
    }
}

/// What `new` adds.
#[derive(Debug, Clone)]
pub struct NewOptions {
    /// The crate's folder, relative to the root (see [`place_new`]).
    pub dir: String,
    /// The first folder of `dir`: the domain, in comments of the generated sources.
    pub domain: String,
    pub name: String,
    pub kind: CrateKind,
    /// Python version for `requires-python` (from `[workspace.metadata.ccworkspace.docker]`).
    pub python: String,
}

impl NewOptions {
    /// The crate's folder (`<domain>/rust/<name>` in the house layout).
    pub fn dir(&self) -> String {
        self.dir.clone()
    }

    /// The Python module name: the crate name with `-` as `_`.
    pub fn module(&self) -> String {
        self.name.replace('-', "_")
    }
}

/// The files of a new crate, and the root manifest when it must change.
#[derive(Debug, Clone)]
pub struct NewCrate {
    /// Files under the crate's directory (paths relative to the workspace root).
    pub files: Vec<GeneratedFile>,
    /// The new root `Cargo.toml`, when `new` had to add to it (pyo3).
    pub root_manifest: Option<String>,
}

use crate::model::INHERITABLE_PACKAGE_FIELDS as INHERITABLE;

/// Render a new crate for the workspace whose root manifest is `root_manifest`: it inherits
/// every `[workspace.package]` field the root defines and `[workspace.lints]` when the root
/// has it, and takes every dependency with `workspace = true`.
pub fn render_new(opts: &NewOptions, root_manifest: &str) -> anyhow::Result<NewCrate> {
    let mut root: DocumentMut = root_manifest.parse().map_err(|e| {
        UserError::new(
            format!("failed to parse the root Cargo.toml: {e}"),
            "fix the root Cargo.toml (cargo rejects it too)",
        )
    })?;
    let ws = root.get("workspace").and_then(Item::as_table_like);
    let ws_package: Vec<String> = ws
        .and_then(|w| w.get("package"))
        .and_then(Item::as_table_like)
        .map(|p| {
            p.iter()
                .map(|(k, _)| k.to_string())
                .filter(|k| INHERITABLE.contains(&k.as_str()))
                .collect()
        })
        .unwrap_or_default();
    let has_lints = ws.is_some_and(|w| w.contains_key("lints"));

    let dir = opts.dir();
    let module = opts.module();
    let mut manifest = String::new();
    manifest.push_str("[package]\n");
    manifest.push_str(&format!("name = \"{}\"\n", opts.name));
    for field in &ws_package {
        manifest.push_str(&format!("{field}.workspace = true\n"));
    }
    if !ws_package.iter().any(|f| f == "edition") {
        manifest.push_str("edition = \"2024\"\n");
    }
    if has_lints {
        manifest.push_str("\n[lints]\nworkspace = true\n");
    }
    let mut deps: Vec<&str> = Vec::new();
    if opts.kind == CrateKind::Pyo3 {
        manifest.push_str(&format!(
            "\n# A Python extension module: maturin builds the cdylib; the rlib lets Rust tests and \
             other crates use it.\n[lib]\nname = \"{module}\"\ncrate-type = [\"cdylib\", \"rlib\"]\n"
        ));
        deps.push("pyo3");
    }
    manifest.push_str("\n# Every dependency comes from the root [workspace.dependencies]: `name.workspace = true`.\n[dependencies]\n");
    for dep in &deps {
        manifest.push_str(&format!("{dep}.workspace = true\n"));
    }

    let values: Vec<(&str, &str)> = vec![
        ("name", &opts.name),
        ("domain", &opts.domain),
        ("module", &module),
        ("path", &dir),
        ("dist_name", &opts.name),
        ("python", &opts.python),
    ];
    let mut files = vec![(format!("{dir}/Cargo.toml"), manifest)];
    match opts.kind {
        CrateKind::Lib => files.push((format!("{dir}/src/lib.rs"), fill(CRATE_LIB, &values))),
        CrateKind::Bin => files.push((format!("{dir}/src/main.rs"), fill(CRATE_MAIN, &values))),
        CrateKind::Pyo3 => {
            files.push((format!("{dir}/src/lib.rs"), fill(CRATE_PYO3, &values)));
            files.push((
                format!("{dir}/pyproject.toml"),
                fill(CRATE_PYPROJECT, &values),
            ));
            files.push((format!("{dir}/{module}.pyi"), fill(CRATE_PYI, &values)));
        }
    }

    // Add the root entries the crate inherits and the root lacks.
    let mut changed = false;
    if !deps.is_empty() {
        let ws = root
            .entry("workspace")
            .or_insert_with(|| Item::Table(Table::new()))
            .as_table_like_mut()
            .ok_or_else(|| UserError::bare("the root `workspace` is not a table"))?;
        let table = ws
            .entry("dependencies")
            .or_insert(Item::Table(Table::new()))
            .as_table_like_mut()
            .ok_or_else(|| UserError::bare("the root `[workspace.dependencies]` is not a table"))?;
        for dep in &deps {
            if !table.contains_key(dep) {
                let version = match *dep {
                    "pyo3" => PYO3_VERSION,
                    _ => "*",
                };
                table.insert(dep, value(version));
                changed = true;
            }
        }
    }
    Ok(NewCrate {
        files,
        root_manifest: changed.then(|| root.to_string()),
    })
}

const PYTHON_KEYWORDS: [&str; 38] = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield", "test", "tests", "python",
];

/// Check a Python package name for `new --python`: a distribution name (PEP 508: ASCII letters,
/// digits, `-`, `_`, starting with a letter and ending with a letter or digit) whose module
/// name (the name normalised as PEP 503 says, `-` as `_`) Python can import.
pub fn validate_python_name(name: &str) -> Result<(), UserError> {
    let first_ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    let last_ok = name
        .chars()
        .last()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    let chars_ok = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !first_ok || !last_ok || !chars_ok {
        return Err(UserError::new(
            format!("`{name}` is not a valid Python package name"),
            "use ASCII letters, digits, `-` and `_`, starting with a letter and ending with a \
             letter or digit (the module is the name with `-` as `_`)",
        ));
    }
    let module = python_module(name);
    if PYTHON_KEYWORDS.contains(&module.as_str()) || PYTHON_KEYWORDS.contains(&name) {
        return Err(UserError::new(
            format!("`{name}` is a Python keyword or a name pytest and the layout use"),
            "pick another name",
        ));
    }
    Ok(())
}

/// The top-level modules of Python's standard library: the union of `sys.stdlib_module_names`
/// of CPython 3.11, 3.12 and 3.13 (so a module 3.13 removed, `imp`, `cgi`, still counts for a
/// monorepo on an older Python). A package or PyO3 module of one of these names is never
/// imported: the standard library comes before `site-packages` on `sys.path`.
pub const STDLIB_MODULES: &[&str] = &[
    "__future__",
    "_abc",
    "_aix_support",
    "_android_support",
    "_ast",
    "_asyncio",
    "_bisect",
    "_blake2",
    "_bootsubprocess",
    "_bz2",
    "_codecs",
    "_codecs_cn",
    "_codecs_hk",
    "_codecs_iso2022",
    "_codecs_jp",
    "_codecs_kr",
    "_codecs_tw",
    "_collections",
    "_collections_abc",
    "_colorize",
    "_compat_pickle",
    "_compression",
    "_contextvars",
    "_crypt",
    "_csv",
    "_ctypes",
    "_curses",
    "_curses_panel",
    "_datetime",
    "_dbm",
    "_decimal",
    "_elementtree",
    "_frozen_importlib",
    "_frozen_importlib_external",
    "_functools",
    "_gdbm",
    "_hashlib",
    "_heapq",
    "_imp",
    "_interpchannels",
    "_interpqueues",
    "_interpreters",
    "_io",
    "_ios_support",
    "_json",
    "_locale",
    "_lsprof",
    "_lzma",
    "_markupbase",
    "_md5",
    "_msi",
    "_multibytecodec",
    "_multiprocessing",
    "_opcode",
    "_opcode_metadata",
    "_operator",
    "_osx_support",
    "_overlapped",
    "_pickle",
    "_posixshmem",
    "_posixsubprocess",
    "_py_abc",
    "_pydatetime",
    "_pydecimal",
    "_pyio",
    "_pylong",
    "_pyrepl",
    "_queue",
    "_random",
    "_scproxy",
    "_sha1",
    "_sha2",
    "_sha256",
    "_sha3",
    "_sha512",
    "_signal",
    "_sitebuiltins",
    "_socket",
    "_sqlite3",
    "_sre",
    "_ssl",
    "_stat",
    "_statistics",
    "_string",
    "_strptime",
    "_struct",
    "_suggestions",
    "_symtable",
    "_sysconfig",
    "_thread",
    "_threading_local",
    "_tkinter",
    "_tokenize",
    "_tracemalloc",
    "_typing",
    "_uuid",
    "_warnings",
    "_weakref",
    "_weakrefset",
    "_winapi",
    "_wmi",
    "_zoneinfo",
    "abc",
    "aifc",
    "antigravity",
    "argparse",
    "array",
    "ast",
    "asynchat",
    "asyncio",
    "asyncore",
    "atexit",
    "audioop",
    "base64",
    "bdb",
    "binascii",
    "bisect",
    "builtins",
    "bz2",
    "cProfile",
    "calendar",
    "cgi",
    "cgitb",
    "chunk",
    "cmath",
    "cmd",
    "code",
    "codecs",
    "codeop",
    "collections",
    "colorsys",
    "compileall",
    "concurrent",
    "configparser",
    "contextlib",
    "contextvars",
    "copy",
    "copyreg",
    "crypt",
    "csv",
    "ctypes",
    "curses",
    "dataclasses",
    "datetime",
    "dbm",
    "decimal",
    "difflib",
    "dis",
    "distutils",
    "doctest",
    "email",
    "encodings",
    "ensurepip",
    "enum",
    "errno",
    "faulthandler",
    "fcntl",
    "filecmp",
    "fileinput",
    "fnmatch",
    "fractions",
    "ftplib",
    "functools",
    "gc",
    "genericpath",
    "getopt",
    "getpass",
    "gettext",
    "glob",
    "graphlib",
    "grp",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http",
    "idlelib",
    "imaplib",
    "imghdr",
    "imp",
    "importlib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "keyword",
    "lib2to3",
    "linecache",
    "locale",
    "logging",
    "lzma",
    "mailbox",
    "mailcap",
    "marshal",
    "math",
    "mimetypes",
    "mmap",
    "modulefinder",
    "msilib",
    "msvcrt",
    "multiprocessing",
    "netrc",
    "nis",
    "nntplib",
    "nt",
    "ntpath",
    "nturl2path",
    "numbers",
    "opcode",
    "operator",
    "optparse",
    "os",
    "ossaudiodev",
    "pathlib",
    "pdb",
    "pickle",
    "pickletools",
    "pipes",
    "pkgutil",
    "platform",
    "plistlib",
    "poplib",
    "posix",
    "posixpath",
    "pprint",
    "profile",
    "pstats",
    "pty",
    "pwd",
    "py_compile",
    "pyclbr",
    "pydoc",
    "pydoc_data",
    "pyexpat",
    "queue",
    "quopri",
    "random",
    "re",
    "readline",
    "reprlib",
    "resource",
    "rlcompleter",
    "runpy",
    "sched",
    "secrets",
    "select",
    "selectors",
    "shelve",
    "shlex",
    "shutil",
    "signal",
    "site",
    "smtpd",
    "smtplib",
    "sndhdr",
    "socket",
    "socketserver",
    "spwd",
    "sqlite3",
    "sre_compile",
    "sre_constants",
    "sre_parse",
    "ssl",
    "stat",
    "statistics",
    "string",
    "stringprep",
    "struct",
    "subprocess",
    "sunau",
    "symtable",
    "sys",
    "sysconfig",
    "syslog",
    "tabnanny",
    "tarfile",
    "telnetlib",
    "tempfile",
    "termios",
    "textwrap",
    "this",
    "threading",
    "time",
    "timeit",
    "tkinter",
    "token",
    "tokenize",
    "tomllib",
    "trace",
    "traceback",
    "tracemalloc",
    "tty",
    "turtle",
    "turtledemo",
    "types",
    "typing",
    "unicodedata",
    "unittest",
    "urllib",
    "uu",
    "uuid",
    "venv",
    "warnings",
    "wave",
    "weakref",
    "webbrowser",
    "winreg",
    "winsound",
    "wsgiref",
    "xdrlib",
    "xml",
    "xmlrpc",
    "zipapp",
    "zipfile",
    "zipimport",
    "zlib",
    "zoneinfo",
];

/// Refuse `module` (the import name of the package or PyO3 crate `new` is asked for, named
/// `name`) when the standard library has a module of that name ([`STDLIB_MODULES`]): `import
/// json` would load the standard library's, and the package's own test fails. Errors (exit
/// 2): what and the fix.
pub fn ensure_not_stdlib(module: &str, name: &str, what: &str) -> Result<(), UserError> {
    if STDLIB_MODULES.binary_search(&module).is_err() {
        return Ok(());
    }
    Err(UserError::new(
        format!(
            "the {what} `{name}` would be imported as `{module}`, a module of Python's standard \
             library: `import {module}` loads the standard library's (it comes first on \
             `sys.path`), never this one; nothing was written"
        ),
        format!(
            "pick a name that is no standard-library module, e.g. `{name}-lib` or a prefix of your domain"
        ),
    ))
}

/// The module of a Python package: its name normalised as PEP 503 says, with `_` for `-`
/// (`Orch-Tools` -> `orch_tools`), the folder hatchling looks for under `src/`.
pub fn python_module(name: &str) -> String {
    crate::python::normalize(name).replace('-', "_")
}

/// Where `new PATH --python` puts a Python package: `DOMAIN/NAME` and `DOMAIN/python/NAME` are
/// both `DOMAIN/python/NAME`, the folder the `*/python/*` glob covers.
pub fn place_python(path: &str) -> Result<NewPlace, UserError> {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let (domain, name) = match parts.as_slice() {
        [domain, name] | [domain, "python", name] if !domain.is_empty() && !name.is_empty() => {
            (*domain, *name)
        }
        _ => {
            return Err(UserError::new(
                format!("`{path}` is not DOMAIN/PACKAGE"),
                "name the domain folder and the package, e.g. `cargo ccworkspace new \
                 DAGs/orchestration --python` (the package goes to DAGs/python/orchestration)",
            ));
        }
    };
    validate_domain(domain)?;
    validate_python_name(name)?;
    Ok(NewPlace {
        dir: format!("{domain}/python/{name}"),
        name: name.to_string(),
        domain: domain.to_string(),
        add_glob: None,
    })
}

/// The files of a new Python package at `place.dir`: its `pyproject.toml` (hatchling, the
/// workspace's `requires-python`, pytest in its `dev` group), `src/<module>/__init__.py` and
/// `tests/test_<module>.py`.
pub fn render_python_package(place: &NewPlace, python: &str) -> Vec<GeneratedFile> {
    let module = python_module(&place.name);
    let values: Vec<(&str, &str)> = vec![
        ("name", &place.name),
        ("domain", &place.domain),
        ("module", &module),
        ("path", &place.dir),
        ("python", python),
    ];
    let dir = &place.dir;
    vec![
        (
            format!("{dir}/pyproject.toml"),
            fill(PYTHON_PYPROJECT, &values),
        ),
        (
            format!("{dir}/src/{module}/__init__.py"),
            fill(PYTHON_INIT, &values),
        ),
        (
            format!("{dir}/tests/test_{module}.py"),
            fill(PYTHON_TEST, &values),
        ),
    ]
}

#[cfg(test)]
mod tests {

    /// The standard library's names are sorted (the check searches them) and cover the
    /// modules a package could shadow.
    #[test]
    fn stdlib_modules_are_sorted_and_known() {
        assert!(STDLIB_MODULES.windows(2).all(|w| w[0] < w[1]));
        for module in [
            "json", "os", "typing", "asyncio", "imp", "tomllib", "_thread",
        ] {
            assert!(
                ensure_not_stdlib(module, module, "package").is_err(),
                "{module}"
            );
        }
        for module in ["orch_tools", "acme_dags", "numpy", "pytest"] {
            assert!(
                ensure_not_stdlib(module, module, "package").is_ok(),
                "{module}"
            );
        }
    }
    use super::*;

    #[test]
    fn toolchain_from_cargo_version() {
        let stable = Toolchain::from_cargo_version("cargo 1.95.0 (f2d3ce0bd 2026-03-21)").unwrap();
        assert_eq!(stable.channel, "1.95.0");
        assert_eq!(stable.rust_version, "1.95");
        let nightly =
            Toolchain::from_cargo_version("cargo 1.97.0-nightly (abcdef012 2026-04-02)").unwrap();
        assert_eq!(nightly.channel, "nightly");
        assert_eq!(nightly.rust_version, "1.96");
        let beta = Toolchain::from_cargo_version("cargo 1.96.0-beta.3 (abc 2026-03-30)").unwrap();
        assert_eq!(beta.channel, "beta");
        assert!(Toolchain::from_cargo_version("rustc 1.95.0").is_none());
    }

    fn place(path: &str, members: &[&str], covered: &[&str]) -> Result<NewPlace, UserError> {
        let members: Vec<String> = members.iter().map(|m| m.to_string()).collect();
        place_new(path, &members, &mut |d| covered.contains(&d))
    }

    #[test]
    fn places_new_crates_in_the_workspace_layout() {
        let house = ["DAGs/rust/*"];
        let p = place("DAGs/poh_ack", &house, &["DAGs/rust/poh_ack"]).unwrap();
        assert_eq!((p.dir.as_str(), p.add_glob), ("DAGs/rust/poh_ack", None));
        let p = place("DAGs/rust/poh-ack", &house, &["DAGs/rust/poh-ack"]).unwrap();
        assert_eq!((p.name.as_str(), p.domain.as_str()), ("poh-ack", "DAGs"));
        // A domain not in members yet: its glob is added.
        let p = place("login/server", &house, &[]).unwrap();
        assert_eq!(p.dir, "login/rust/server");
        assert_eq!(p.add_glob.as_deref(), Some("login/rust/*"));
        let p = place("login/server", &[], &[]).unwrap();
        assert_eq!(p.add_glob.as_deref(), Some("login/rust/*"));
        // A `crates/*` workspace: the crate goes where its globs say.
        let flat = ["crates/*"];
        let p = place("crates/foo", &flat, &["crates/foo"]).unwrap();
        assert_eq!((p.dir.as_str(), p.add_glob), ("crates/foo", None));
        let p = place("foo", &flat, &["crates/foo"]).unwrap();
        assert_eq!(p.dir, "crates/foo");
        let p = place("tools/codegen", &flat, &[]).unwrap();
        assert_eq!(p.dir, "tools/codegen");
        assert_eq!(p.add_glob.as_deref(), Some("tools/*"));
        let p = place("a/b/c", &flat, &[]).unwrap();
        assert_eq!(
            (p.dir.as_str(), p.add_glob.as_deref()),
            ("a/b/c", Some("a/b/*"))
        );
        assert!(place("poh_ack", &house, &[]).is_err());
        assert!(place("DAGs/1x", &house, &[]).is_err());
        assert!(place("DAGs/self", &house, &[]).is_err());
        assert!(place("*/x", &house, &[]).is_err());
        assert!(place("a//x", &house, &[]).is_err());
    }

    #[test]
    fn adds_a_member_glob_keeping_the_layout() {
        let one_line = "[workspace]\nmembers = [\"DAGs/rust/*\"] # globs\n";
        assert_eq!(
            add_member_glob(one_line, "CA/rust/*").unwrap(),
            "[workspace]\nmembers = [\"DAGs/rust/*\", \"CA/rust/*\"] # globs\n"
        );
        let multi = "[workspace]\nmembers = [\n    \"DAGs/rust/*\",\n]\n";
        assert_eq!(
            add_member_glob(multi, "CA/rust/*").unwrap(),
            "[workspace]\nmembers = [\n    \"DAGs/rust/*\",\n    \"CA/rust/*\",\n]\n"
        );
        assert_eq!(
            add_member_glob("[workspace]\n", "CA/rust/*").unwrap(),
            "[workspace]\nmembers = [\"CA/rust/*\"]\n"
        );
    }

    fn opts(kind: CrateKind) -> NewOptions {
        NewOptions {
            dir: "DAGs/rust/poh-ack".into(),
            domain: "DAGs".into(),
            name: "poh-ack".into(),
            kind,
            python: "3.12".into(),
        }
    }

    #[test]
    fn a_pyo3_crate_adds_pyo3_to_the_root_keeping_comments() {
        let root = "[workspace]\nmembers = [\"DAGs/rust/*\"]\n\n# shared versions\n\
                    [workspace.dependencies]\nserde = \"1\" # keep me\n\n[workspace.package]\n\
                    edition = \"2021\"\nversion = \"0.1.0\"\nname = \"x\"\n";
        let new = render_new(&opts(CrateKind::Pyo3), root).unwrap();
        let root = new.root_manifest.unwrap();
        assert!(root.contains("# shared versions\n[workspace.dependencies]\nserde = \"1\" # keep me\npyo3 = \"0.30\"\n"), "{root}");
        let manifest = &new.files[0].1;
        assert!(manifest.contains("edition.workspace = true\nversion.workspace = true\n"));
        assert!(!manifest.contains("\nname.workspace"), "{manifest}");
        assert!(manifest.contains("name = \"poh_ack\"\ncrate-type = [\"cdylib\", \"rlib\"]"));
        assert!(!manifest.contains("[lints]"));
        let paths: Vec<&str> = new.files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "DAGs/rust/poh-ack/Cargo.toml",
                "DAGs/rust/poh-ack/src/lib.rs",
                "DAGs/rust/poh-ack/pyproject.toml",
                "DAGs/rust/poh-ack/poh_ack.pyi"
            ]
        );
        // A second pyo3 crate leaves the root alone.
        let again = render_new(&opts(CrateKind::Pyo3), &root).unwrap();
        assert!(again.root_manifest.is_none());
    }

    #[test]
    fn a_root_without_package_fields_gets_an_edition() {
        let new = render_new(&opts(CrateKind::Bin), "[workspace]\nmembers = []\n").unwrap();
        assert!(new.files[0].1.contains("edition = \"2024\""));
        assert!(new.root_manifest.is_none());
        assert_eq!(new.files[1].0, "DAGs/rust/poh-ack/src/main.rs");
    }

    #[test]
    fn python_packages_are_placed_named_and_rendered() {
        let p = place_python("DAGs/orch-tools").unwrap();
        assert_eq!(
            (p.dir.as_str(), p.domain.as_str()),
            ("DAGs/python/orch-tools", "DAGs")
        );
        assert_eq!(place_python("DAGs/python/orch-tools").unwrap(), p);
        for bad in [
            "orch",
            "a/b/c/d",
            "DAGs/1x",
            "DAGs/x-",
            "DAGs/import",
            "DAGs/a.b",
            "*/x",
            "DAGs/",
        ] {
            assert!(place_python(bad).is_err(), "{bad}");
        }
        let files = render_python_package(&p, "3.11");
        let paths: Vec<&str> = files.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            paths,
            [
                "DAGs/python/orch-tools/pyproject.toml",
                "DAGs/python/orch-tools/src/orch_tools/__init__.py",
                "DAGs/python/orch-tools/tests/test_orch_tools.py"
            ]
        );
        assert!(
            files[0].1.contains(
                "name = \"orch-tools\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\""
            )
        );
        assert!(files[2].1.contains("import orch_tools\n"));
        for (path, text) in &files {
            assert!(!text.contains("{{"), "{path} has an unfilled placeholder");
        }
    }

    #[test]
    fn init_globs_every_domain_and_keeps_each_glob_matching() {
        let files = render_init(&InitOptions {
            name: "acme".into(),
            domains: vec!["DAGs".into(), "login".into()],
            python: "3.11".into(),
            toolchain: Toolchain {
                channel: "1.95.0".into(),
                rust_version: "1.95".into(),
            },
            python_workspace: uv::UvWorkspace {
                members: vec![uv::PACKAGES_GLOB.into()],
                exclude: Vec::new(),
                line: 0,
            },
        });
        let get = |p: &str| &files.iter().find(|(f, _)| f == p).unwrap().1;
        assert!(
            get("pyproject.toml").contains(
                "[tool.uv.workspace]\nmembers = [\n    \"*/python/*\",\n]\n\n[dependency-groups]"
            ),
            "{}",
            get("pyproject.toml")
        );
        assert!(get("Cargo.toml").contains("members = [\"DAGs/rust/*\", \"login/rust/*\"]"));
        assert!(get("Cargo.toml").contains("python-version = \"3.11\""));
        assert!(get("rust-toolchain.toml").contains("channel = \"1.95.0\""));
        assert!(get("docker/builder.Dockerfile").contains("python:3.11-slim-bookworm"));
        assert_eq!(get("DAGs/rust/.gitkeep"), "");
        // The config section parses with the documented defaults.
        let config =
            crate::config::Config::from_manifest_text(get("Cargo.toml"), "Cargo.toml").unwrap();
        assert_eq!(config.docker.python_version, "3.11");
        assert_eq!(config.docker.pyo3_runtime(), "python:3.11-slim-bookworm");
        for (path, text) in &files {
            let text = text.replace("${{", "");
            assert!(!text.contains("{{"), "{path} has an unfilled placeholder");
        }
    }
}
