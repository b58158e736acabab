//! `[workspace.metadata.ccworkspace]` in the root `Cargo.toml`, typed.
//!
//! Read straight from the root manifest's text (not from `cargo metadata`), so `lint-deps` and
//! `dockerfile --check` need no cargo, and a mistake is reported with its line and column.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use crate::errors::UserError;

/// The whole `[workspace.metadata.ccworkspace]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub affected: AffectedConfig,
    /// `[workspace.metadata.ccworkspace.lint-deps]`.
    #[serde(default)]
    pub lint_deps: crate::lint::config::LintDepsConfig,
    /// `[workspace.metadata.ccworkspace.docker]`.
    #[serde(default)]
    pub docker: DockerConfig,
    /// `[workspace.metadata.ccworkspace.python]`.
    #[serde(default)]
    pub python: PythonConfig,
}

/// `[workspace.metadata.ccworkspace.python]`: where the monorepo's Python packages are and how
/// their tests run (`docs/python.md`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PythonConfig {
    /// `false` leaves the Python half out: no Python package is read, no Python rule runs,
    /// and a Python file is a file outside every crate, as for a Rust-only monorepo whose
    /// `pyproject.toml` files belong to other tools (`docs/python.md`). Default `true`.
    #[serde(default = "default_python_enabled")]
    pub enabled: bool,
    /// Where the Python packages are when the root `pyproject.toml` has no
    /// `[tool.uv.workspace]`: globs relative to the workspace root, of folders holding a
    /// `pyproject.toml` (`*/python/*`) or of `pyproject.toml` files
    /// (`*/python/**/pyproject.toml`). A uv workspace's `members` / `exclude` win over these.
    #[serde(default = "default_python_packages")]
    pub packages: Vec<String>,
    /// The command that tests one affected Python package in the `github` test plan;
    /// `{name}` is its distribution name, `{path}` its folder, `{ignore}` pytest's `--ignore`
    /// for each package nested in it. `None`: the default,
    /// [`PythonConfig::test_command_for`].
    #[serde(default)]
    pub test_command: Option<String>,
    /// The command that tests one affected crate in the `github` test plan; `{name}` is the
    /// package name, `{path}` its folder.
    #[serde(default = "default_rust_test_command")]
    pub rust_test_command: String,
}

impl Default for PythonConfig {
    fn default() -> Self {
        PythonConfig {
            enabled: default_python_enabled(),
            packages: default_python_packages(),
            test_command: None,
            rust_test_command: default_rust_test_command(),
        }
    }
}

fn default_python_enabled() -> bool {
    true
}

fn default_python_packages() -> Vec<String> {
    vec![
        "*/python/*".to_string(),
        "*/python/**/pyproject.toml".to_string(),
    ]
}

impl PythonConfig {
    /// The Python test command: the configured one, else `uv run --package {name} pytest
    /// {path}{ignore}` in a uv workspace (run from the root, uv finds the member by name), else
    /// `uv run --project {path} pytest {path}{ignore}` (each package is its own uv project:
    /// `--package` needs a workspace at the root, and uv refuses it without one); `{ignore}`
    /// leaves out the packages nested in its folder ([`crate::affected::report::test_command`]).
    pub fn test_command_for(&self, uv_workspace: bool) -> String {
        match &self.test_command {
            Some(configured) => configured.clone(),
            None if uv_workspace => "uv run --package {name} pytest {path}{ignore}".to_string(),
            None => "uv run --project {path} pytest {path}{ignore}".to_string(),
        }
    }
}

fn default_rust_test_command() -> String {
    "cargo nextest run -p {name}".to_string()
}

/// `[workspace.metadata.ccworkspace.docker]`: what `cargo ccworkspace dockerfile` generates.
///
/// The builder and the runtime images must share a glibc: a wheel or binary linked in the
/// builder runs only on a runtime with the same or a newer glibc. The defaults derive both
/// runtime images from `debian-release`; build the builder image on that release too.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DockerConfig {
    /// The default of the Dockerfiles' `ARG BUILDER_IMAGE` (Rust, maturin, Python, sccache).
    #[serde(default = "default_builder_image")]
    pub builder_image: String,
    /// The Debian release of the builder image; names the default runtime images.
    #[serde(default = "default_debian_release")]
    pub debian_release: String,
    /// The Python version maturin builds for (`-i python<version>`) and the runtime has.
    #[serde(default = "default_python_version")]
    pub python_version: String,
    /// Runtime image of PyO3 crates [default: `python:<python-version>-slim-<debian-release>`].
    #[serde(default)]
    pub pyo3_runtime_image: Option<String>,
    /// Runtime image of binary crates [default: `debian:<debian-release>-slim`].
    #[serde(default)]
    pub bin_runtime_image: Option<String>,
    /// `CARGO_HOME` in the builder image (where the registry cache mounts go).
    #[serde(default = "default_cargo_home")]
    pub cargo_home: String,
    /// Files or directories (relative to the workspace root) every image's build needs besides
    /// the crate closure, e.g. a file a crate `include_str!`s from outside its folder.
    #[serde(default)]
    pub extra_files: Vec<String>,
    /// Which kinds of crates get an image, workspace-wide (`["pyo3", "bin"]` by default). An
    /// existing monorepo that builds its binaries elsewhere sets `["pyo3"]`.
    #[serde(default = "default_images")]
    pub images: Vec<ImageKind>,
}

/// A kind of crate that can get an image (`images` in `[workspace.metadata.ccworkspace.docker]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageKind {
    /// PyO3 crates: the wheel installed into a slim Python image.
    Pyo3,
    /// Binary crates: the binary copied into a slim Debian image.
    Bin,
}

fn default_images() -> Vec<ImageKind> {
    vec![ImageKind::Pyo3, ImageKind::Bin]
}

fn default_builder_image() -> String {
    "ccworkspace-builder:bookworm".to_string()
}

fn default_debian_release() -> String {
    "bookworm".to_string()
}

fn default_python_version() -> String {
    "3.12".to_string()
}

fn default_cargo_home() -> String {
    "/usr/local/cargo".to_string()
}

impl Default for DockerConfig {
    fn default() -> Self {
        DockerConfig {
            builder_image: default_builder_image(),
            debian_release: default_debian_release(),
            python_version: default_python_version(),
            pyo3_runtime_image: None,
            bin_runtime_image: None,
            cargo_home: default_cargo_home(),
            extra_files: Vec::new(),
            images: default_images(),
        }
    }
}

impl DockerConfig {
    /// Whether crates of `kind` get an image (libraries never do).
    pub fn has_image(&self, kind: crate::model::kind::CrateKind) -> bool {
        use crate::model::kind::CrateKind;
        match kind {
            CrateKind::Pyo3 => self.images.contains(&ImageKind::Pyo3),
            CrateKind::Bin => self.images.contains(&ImageKind::Bin),
            CrateKind::Lib => false,
        }
    }

    /// The runtime image of PyO3 crates.
    pub fn pyo3_runtime(&self) -> String {
        self.pyo3_runtime_image.clone().unwrap_or_else(|| {
            format!(
                "python:{}-slim-{}",
                self.python_version, self.debian_release
            )
        })
    }

    /// The runtime image of binary crates.
    pub fn bin_runtime(&self) -> String {
        self.bin_runtime_image
            .clone()
            .unwrap_or_else(|| format!("debian:{}-slim", self.debian_release))
    }
}

/// `[workspace.metadata.ccworkspace.affected]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AffectedConfig {
    /// What a changed file outside every crate (and every rule) does.
    #[serde(default)]
    pub unmatched: Unmatched,
    /// Globs whose files affect every crate.
    #[serde(default)]
    pub global: Vec<String>,
    /// Globs whose files affect nothing.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Apply the built-in rules after the configured ones (see `docs/affected.md`).
    #[serde(default = "yes")]
    pub use_default_rules: bool,
    /// Determinator-style path rules, applied in order after `ignore` and `global`.
    #[serde(default)]
    pub path_rule: Vec<PathRule>,
    /// Determinator-style package rules: when one crate is affected, mark others.
    #[serde(default)]
    pub package_rule: Vec<PackageRule>,
    /// Which dependency edges carry a change: the members' own simulated builds (`"builds"`,
    /// the default, guppy determinator's rule) or every optional dependency (`"all"`).
    #[serde(default)]
    pub features_mode: FeaturesMode,
    /// The target triples (`x86_64-unknown-linux-gnu`) whose `cfg()` decides which
    /// platform-specific dependencies are built, or `["any"]` for every platform. Empty (the
    /// default) means the host this binary was built for, as the determinator does.
    #[serde(default)]
    pub platforms: Vec<PlatformName>,
}

/// A `platforms` entry: a target triple target-spec knows (`x86_64-unknown-linux-gnu`), or
/// `any`. An unknown triple is a TOML error at its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformName(pub String);

impl<'de> Deserialize<'de> for PlatformName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        if name != "any" {
            let _known = guppy::platform::Platform::new(
                name.clone(),
                guppy::platform::TargetFeatures::Unknown,
            )
            .map_err(|e| {
                de::Error::custom(format!(
                    "`{name}` is not a target triple target-spec knows ({e}); use one that \
                     `rustc --print target-list` prints, or \"any\""
                ))
            })?;
        }
        Ok(PlatformName(name))
    }
}

/// `features-mode = "builds" | "all"` (and `--features-mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum FeaturesMode {
    /// A crate is affected when a changed package is in one of its own builds: no features,
    /// default features, all features, each with its dev-dependencies, for each configured
    /// platform (guppy determinator's `CargoSet` simulation).
    #[default]
    Builds,
    /// Every dependency edge counts, optional ones too (the `cargo metadata --all-features`
    /// graph), restricted only by the configured platforms.
    All,
}

fn yes() -> bool {
    true
}

impl Default for AffectedConfig {
    fn default() -> Self {
        AffectedConfig {
            unmatched: Unmatched::default(),
            global: Vec::new(),
            ignore: Vec::new(),
            use_default_rules: true,
            path_rule: Vec::new(),
            package_rule: Vec::new(),
            features_mode: FeaturesMode::default(),
            platforms: Vec::new(),
        }
    }
}

/// `unmatched = "all" | "ignore" | "error"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unmatched {
    /// Every crate is affected (the safe default, as determinator does).
    #[default]
    All,
    /// The file is ignored.
    Ignore,
    /// `affected` fails, naming the file, so someone adds a rule.
    Error,
}

/// `[[...affected.path-rule]]`: the determinator format.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PathRule {
    pub globs: Vec<String>,
    pub mark_changed: MarkChanged,
    #[serde(default)]
    pub post_rule: PostRule,
}

/// `[[...affected.package-rule]]`: the determinator format.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PackageRule {
    pub on_affected: Vec<String>,
    pub mark_changed: MarkChanged,
}

/// `mark-changed = "all"` or a list of crate names (`"domain:NAME"` names a domain's crates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkChanged {
    All,
    Crates(Vec<String>),
}

impl<'de> Deserialize<'de> for MarkChanged {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MarkChanged;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#""all" or a list of crate names"#)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<MarkChanged, E> {
                if v == "all" {
                    Ok(MarkChanged::All)
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(v), &self))
                }
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<MarkChanged, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    names.push(name);
                }
                Ok(MarkChanged::Crates(names))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// What happens after a path rule matched (determinator's `post-rule`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PostRule {
    /// Stop: the path is handled.
    #[default]
    Skip,
    /// Skip the remaining rules but still map the path to its crate.
    SkipRules,
    /// Go on with the next rules.
    Fallthrough,
}

#[derive(Debug, Default, Deserialize)]
struct RootManifest {
    #[serde(default)]
    workspace: Option<WorkspaceTable>,
}

#[derive(Debug, Default, Deserialize)]
struct WorkspaceTable {
    #[serde(default)]
    metadata: Option<MetadataTable>,
}

#[derive(Debug, Default, Deserialize)]
struct MetadataTable {
    #[serde(default)]
    ccworkspace: Option<Config>,
}

impl Config {
    /// Parse the config out of the root manifest's text. `path` is only used in messages.
    pub fn from_manifest_text(text: &str, path: &str) -> anyhow::Result<Config> {
        let root: RootManifest = toml::from_str(text).map_err(|e| {
            let mut err = toml_error(path, text, &e);
            if text.contains("ccworkspace") {
                err.message = format!(
                    "{} (if this is in [workspace.metadata.ccworkspace], see {}/config.md)",
                    err.message,
                    crate::errors::DOCS_URL
                );
            }
            err
        })?;
        Ok(root
            .workspace
            .and_then(|w| w.metadata)
            .and_then(|m| m.ccworkspace)
            .unwrap_or_default())
    }

    /// Read the root manifest at `path` and parse its config.
    pub fn load(path: &std::path::Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            UserError::new(
                format!("failed to read {}: {e}", path.display()),
                "run in a cargo workspace or pass --manifest-path",
            )
        })?;
        Config::from_manifest_text(&text, &path.display().to_string())
    }
}

/// A TOML error as a [`UserError`] with `file:line:column`.
pub fn toml_error(path: &str, text: &str, err: &toml::de::Error) -> UserError {
    let location = err
        .span()
        .map(|span| {
            let (line, col) = line_col(text, span.start);
            format!("{path}:{line}:{col}")
        })
        .unwrap_or_else(|| path.to_string());
    UserError::new(
        format!("{location}: {}", err.message().trim()),
        format!("fix {path} at that line"),
    )
}

/// The start of every line of a text, so that many offsets of one file turn into lines
/// without rescanning the text for each ([`line_col`] costs O(offset) a call).
#[derive(Debug)]
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset of each line's first byte; `starts[0] == 0`.
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Index `text` (two `memchr` passes over its bytes: count, then record).
    pub fn new(text: &'a str) -> Self {
        // `memchr` finds the newlines a word at a time (a byte loop cost ten instructions a
        // byte, and every `pyproject.toml` is indexed); counted first, so the list is
        // allocated once.
        let newlines = || memchr::memchr_iter(b'\n', text.as_bytes());
        let mut starts = Vec::with_capacity(1 + newlines().count());
        starts.push(0);
        starts.extend(newlines().map(|i| i + 1));
        LineIndex { text, starts }
    }

    /// 1-based line and column (in characters) of byte `offset`, as [`line_col`] gives them.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line(offset);
        let start = self.starts[line - 1];
        let col = self
            .text
            .get(start..offset)
            .map_or(0, |l| l.chars().count())
            + 1;
        (line, col)
    }

    /// The text indexed.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// 1-based line of byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_agrees_with_line_col_at_every_offset() {
        for text in ["", "a", "\n", "ab\ncd\n\nä = 1\r\nlast", "\n\nx"] {
            let index = LineIndex::new(text);
            for offset in
                (0..=text.len() + 2).filter(|o| text.is_char_boundary(*o.min(&text.len())))
            {
                assert_eq!(
                    index.line_col(offset),
                    line_col(text, offset),
                    "{text:?} at {offset}"
                );
                assert_eq!(index.line(offset.min(text.len())), line_col(text, offset).0);
            }
        }
    }

    proptest::proptest! {
        // Texts past 32 bytes too, where `memchr` searches a vector at a time.
        #[test]
        fn line_index_agrees_with_line_col_on_any_text(text in "[a\n\rä ]{0,200}") {
            let index = LineIndex::new(&text);
            for offset in (0..=text.len()).filter(|o| text.is_char_boundary(*o)) {
                proptest::prop_assert_eq!(index.line_col(offset), line_col(&text, offset));
            }
        }
    }

    #[test]
    fn features_mode_and_platforms_parse_and_an_unknown_triple_is_an_error_at_its_line() {
        let text = "[workspace]\nmembers = [\"a\"]\n[workspace.metadata.ccworkspace.affected]\n\
                    features-mode = \"all\"\nplatforms = [\"x86_64-pc-windows-msvc\", \"any\"]\n";
        let c = Config::from_manifest_text(text, "Cargo.toml").unwrap();
        assert_eq!(c.affected.features_mode, FeaturesMode::All);
        assert_eq!(
            c.affected.platforms,
            [
                PlatformName("x86_64-pc-windows-msvc".into()),
                PlatformName("any".into())
            ]
        );
        let bad = text.replace("x86_64-pc-windows-msvc", "wasm64-foo-bar");
        let err = Config::from_manifest_text(&bad, "Cargo.toml").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("Cargo.toml:5:")
                && msg.contains("`wasm64-foo-bar` is not a target triple"),
            "{msg}"
        );
        let mode = text.replace("\"all\"", "\"some\"");
        assert!(Config::from_manifest_text(&mode, "Cargo.toml").is_err());
    }

    #[test]
    fn parses_the_affected_section() {
        let text = r#"
[workspace]
members = ["a"]
[workspace.metadata.ccworkspace.affected]
unmatched = "ignore"
global = ["ci/**"]
[[workspace.metadata.ccworkspace.affected.path-rule]]
globs = ["DAGs/python/**"]
mark-changed = ["domain:DAGs"]
[[workspace.metadata.ccworkspace.affected.path-rule]]
globs = ["docs/**"]
mark-changed = "all"
post-rule = "fallthrough"
"#;
        let c = Config::from_manifest_text(text, "Cargo.toml").unwrap();
        assert_eq!(c.affected.unmatched, Unmatched::Ignore);
        assert_eq!(c.affected.path_rule.len(), 2);
        assert_eq!(
            c.affected.path_rule[0].mark_changed,
            MarkChanged::Crates(vec!["domain:DAGs".into()])
        );
        assert_eq!(c.affected.path_rule[1].mark_changed, MarkChanged::All);
        assert_eq!(c.affected.path_rule[1].post_rule, PostRule::Fallthrough);
    }

    #[test]
    fn an_unknown_key_is_an_error_with_its_line() {
        let text = "[workspace]\nmembers = []\n[workspace.metadata.ccworkspace.affected]\nunmatchd = \"all\"\n";
        let err = Config::from_manifest_text(text, "Cargo.toml").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("Cargo.toml:4:1"), "{msg}");
        assert!(msg.contains("unmatchd"), "{msg}");
    }

    #[test]
    fn parses_lint_deps_levels_and_exemptions() {
        let text = r#"
[workspace]
members = []
[workspace.metadata.ccworkspace.lint-deps]
levels = { unused-workspace-dep = "deny", duplicate-versions = "allow" }
exemptions = [{ package = "a", rule = "not-inherited", reason = "fork" }]
"#;
        let c = Config::from_manifest_text(text, "Cargo.toml").unwrap();
        assert_eq!(
            c.lint_deps
                .levels
                .get(&crate::lint::Rule::UnusedWorkspaceDep),
            Some(&crate::lint::Level::Deny)
        );
        assert_eq!(c.lint_deps.exemptions[0].package.as_deref(), Some("a"));
    }

    #[test]
    fn an_exemption_without_reason_or_with_a_bad_rule_is_an_error() {
        let text = "[workspace]\n[workspace.metadata.ccworkspace.lint-deps]\nexemptions = [{ package = \"a\" }]\n";
        let err = Config::from_manifest_text(text, "Cargo.toml").unwrap_err();
        assert!(err.to_string().contains("reason"), "{err}");
        let text = "[workspace]\n[workspace.metadata.ccworkspace.lint-deps]\nlevels = { not-inheritd = \"warn\" }\n";
        let err = Config::from_manifest_text(text, "Cargo.toml").unwrap_err();
        assert!(err.to_string().contains("Cargo.toml:3:"), "{err}");
    }

    #[test]
    fn parses_the_docker_section() {
        let text = "[workspace]\nmembers = []\n[workspace.metadata.ccworkspace.docker]\n\
                    builder-image = \"ghcr.io/acme/builder:1\"\npython-version = \"3.11\"\n\
                    extra-files = [\"LICENSE\"]\n";
        let c = Config::from_manifest_text(text, "Cargo.toml").unwrap();
        assert_eq!(c.docker.builder_image, "ghcr.io/acme/builder:1");
        assert_eq!(c.docker.pyo3_runtime(), "python:3.11-slim-bookworm");
        assert_eq!(c.docker.bin_runtime(), "debian:bookworm-slim");
        assert_eq!(c.docker.extra_files, vec!["LICENSE".to_string()]);
        let bad =
            "[workspace]\nmembers = []\n[workspace.metadata.ccworkspace.docker]\npython = \"3\"\n";
        let msg = Config::from_manifest_text(bad, "Cargo.toml")
            .unwrap_err()
            .to_string();
        assert!(msg.contains("Cargo.toml:4:1"), "{msg}");
    }

    #[test]
    fn no_section_is_the_default() {
        let c = Config::from_manifest_text("[workspace]\nmembers = []\n", "Cargo.toml").unwrap();
        assert_eq!(c.affected.unmatched, Unmatched::All);
        assert!(c.affected.use_default_rules);
    }
}
