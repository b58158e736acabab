//! The whole command line: every clap type lives here.
//!
//! `cargo ccworkspace <cmd>` runs `cargo-ccworkspace ccworkspace <cmd>`; running the binary
//! directly (`cargo-ccworkspace <cmd>`) works too: [`parse`] drops the `ccworkspace` word
//! cargo inserts.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::affected::report::GroupBy;
pub use crate::changes::OnMissingBase;
pub use crate::model::kind::CrateKind;
pub use crate::output::ColorChoice;

/// The end of every help page: the exit codes, and the page of the manual (by URL: an
/// installed binary has no `docs/` folder).
macro_rules! after_help {
    ($page:literal) => {
        concat!(
            "Exit status:
  0  success
  1  findings (lint-deps: a `deny` finding; dockerfile --check: a stale, missing or left-over file)
  2  could not run (usage, bad input, git or cargo failure)

Documentation: https://github.com/ccworkspace/cargo-ccworkspace/blob/main/docs/",
            $page
        )
    };
}

/// Keep a large cargo monorepo fast and sane.
#[derive(Debug, Parser)]
#[command(
    name = "cargo-ccworkspace",
    bin_name = "cargo ccworkspace",
    version,
    styles = clap_cargo::style::CLAP_STYLING,
    after_help = after_help!("getting-started.md"),
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes, cargo-style (before or after the command's name).
#[derive(Debug, Clone, Args, Default)]
#[command(next_help_heading = "Global options")]
pub struct GlobalOpts {
    /// Path to the workspace's root `Cargo.toml` (default: the workspace around the current directory)
    #[arg(long, global = true, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Coloring
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print nothing but the requested output and errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Say more about what is going on (repeat for more)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Run without accessing the network (passed to `cargo metadata`; affected and dockerfile
    /// --affected only, refused elsewhere)
    #[arg(long, global = true)]
    pub offline: bool,
    /// Require Cargo.lock to be up to date (passed to `cargo metadata`; affected and dockerfile
    /// --affected only, refused elsewhere)
    #[arg(long, global = true)]
    pub locked: bool,
    /// Require Cargo.lock and cache to be up to date (passed to `cargo metadata`; affected and
    /// dockerfile --affected only, refused elsewhere)
    #[arg(long, global = true)]
    pub frozen: bool,
}

impl GlobalOpts {
    /// What `cargo metadata` (and the graph cache) take from the global flags.
    pub fn metadata(&self) -> crate::workspace::MetadataOptions {
        crate::workspace::MetadataOptions {
            manifest_path: self.manifest_path.clone(),
            offline: self.offline,
            locked: self.locked,
            frozen: self.frozen,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the crates a change touches: changed crates plus everything that depends on them
    #[command(after_help = after_help!("affected.md"))]
    Affected(AffectedArgs),
    /// Check that every member takes its dependencies from `[workspace.dependencies]`
    ///
    /// Rules, levels, exemptions and output formats: see the documentation below. Levels and
    /// exemptions live in `[workspace.metadata.ccworkspace.lint-deps]` of the root Cargo.toml.
    #[command(name = "lint-deps", after_help = after_help!("lint-deps.md"))]
    LintDeps(LintDepsArgs),
    /// Generate thin per-crate Dockerfiles that build from a trimmed workspace context
    #[command(after_help = after_help!("dockerfile.md"))]
    Dockerfile(DockerfileArgs),
    /// Lay out a new monorepo: workspace, builder image, dev container, pre-commit and CI
    ///
    /// Writes the root Cargo.toml (one `<domain>/rust/*` member glob per domain), Cargo.lock,
    /// rust-toolchain.toml (the version of the running cargo), pyproject.toml,
    /// docker/builder.Dockerfile, dev-compose.yml, .pre-commit-config.yaml,
    /// .github/workflows/ci.yml and images.yml (using the cargo-ccworkspace GitHub Action of
    /// this version), .github/zizmor.yml, .gitignore and `<domain>/rust/.gitkeep`. Never
    /// overwrites a file (skipped files are named); refuses a directory that already has a
    /// workspace unless --add-missing is given.
    #[command(after_help = after_help!("getting-started.md"))]
    Init(InitArgs),
    /// Add a crate that already follows every rule
    ///
    /// Creates DOMAIN/rust/CRATE: a Cargo.toml that inherits [workspace.package] fields and
    /// [workspace.lints] and takes dependencies with `workspace = true`; for --pyo3 also its
    /// pyproject.toml and a module with `__version__` (pyo3 is added to the root
    /// [workspace.dependencies] when missing); for --pyo3 and --bin its Dockerfile pair, as
    /// `cargo ccworkspace dockerfile` renders it. A domain no `members` glob covers yet gets
    /// its glob (and `<domain>/rust/.gitkeep`); a workspace laid out otherwise (`crates/*`)
    /// gets the crate where its globs say. Fails (exit 2, nothing written) when the folder is
    /// excluded or exists, or the name is taken.
    ///
    /// --pyo3 also registers the crate's folder in the root pyproject.toml's
    /// [tool.uv.workspace] members (unless a glob covers it), so `uv sync` builds its wheel.
    /// --python creates a Python package instead of a crate: DOMAIN/python/PACKAGE with its
    /// pyproject.toml (the workspace's requires-python, pytest in its dev group),
    /// src/MODULE/__init__.py and tests/, registered in the uv workspace when `members` does not
    /// cover it yet.
    #[command(after_help = after_help!("getting-started.md"))]
    New(NewArgs),
    /// Print a shell completion script for cargo-ccworkspace
    ///
    /// For example: `cargo ccworkspace completions bash > ~/.local/share/bash-completion/completions/cargo-ccworkspace`.
    /// The script completes the `cargo-ccworkspace` command (the binary accepts every command
    /// directly).
    #[command(after_help = after_help!("getting-started.md#1-install-the-tool"))]
    Completions(CompletionsArgs),
    /// Print the man page (roff) of cargo-ccworkspace or of one of its commands
    ///
    /// For example: `cargo ccworkspace man > cargo-ccworkspace.1`, `cargo ccworkspace man affected
    /// > cargo-ccworkspace-affected.1`; `man ./cargo-ccworkspace.1` shows it.
    #[command(after_help = after_help!("getting-started.md#1-install-the-tool"))]
    Man(ManArgs),
}

#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Clone, Args)]
pub struct ManArgs {
    /// A command's page instead of the main one
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

/// Where the changed files come from: git (`--base`/`--head`) or a list (`--files`, `--files-from`).
#[derive(Debug, Clone, Args, Default)]
pub struct ChangeArgs {
    /// Compare against the merge base with this revision [default: origin/$GITHUB_BASE_REF in a
    /// pull request, else the remote's default branch]
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// The revision to compare [default: the working tree, with staged and unstaged changes]
    #[arg(long, value_name = "REV")]
    pub head: Option<String>,
    /// Read changed paths from a file (`-` for stdin), one per line or NUL-separated; no git needed
    #[arg(long, value_name = "PATH", conflicts_with_all = ["base", "head"])]
    pub files_from: Option<PathBuf>,
    /// Changed paths, relative to the workspace root; no git needed
    #[arg(long, value_name = "PATH", num_args = 1.., conflicts_with_all = ["base", "head", "files_from"])]
    pub files: Vec<PathBuf>,
    /// Also count untracked files when the head is the working tree
    #[arg(long)]
    pub include_untracked: bool,
    /// What to do when the base revision is not in the clone (shallow clone, unknown ref)
    #[arg(long, value_enum, default_value_t = OnMissingBase::Error)]
    pub on_missing_base: OnMissingBase,

    /// Which dependency edges carry a change: `builds`, the crates' own simulated builds (no,
    /// default and all features), or `all`, every optional dependency too [default: the
    /// `features-mode` setting, else builds]
    #[arg(long, value_enum)]
    pub features_mode: Option<crate::config::FeaturesMode>,
}

impl ChangeArgs {
    /// The change flags as the pipeline takes them.
    pub fn options(&self) -> crate::changes::ChangeOptions {
        crate::changes::ChangeOptions {
            base: self.base.clone(),
            head: self.head.clone(),
            files_from: self.files_from.clone(),
            files: self.files.clone(),
            include_untracked: self.include_untracked,
            on_missing_base: self.on_missing_base,
            features_mode: self.features_mode,
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct AffectedArgs {
    #[command(flatten)]
    pub change: ChangeArgs,
    /// Only the crates whose own files changed, not their dependents
    #[arg(long)]
    pub direct: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = AffectedFormat::Names)]
    pub format: AffectedFormat,
    /// Explain why CRATE (or a Python package) is (or is not) affected, instead of listing
    /// crates
    #[arg(long, value_name = "CRATE")]
    pub explain: Option<String>,
    /// Only list crates of these kinds (`python`: the Python packages)
    #[arg(long, value_enum, value_delimiter = ',', value_name = "KIND")]
    pub kind: Vec<crate::affected::report::AffectedKind>,
    /// Split the `github` matrix into one group per domain folder
    #[arg(long, value_enum, value_name = "GROUPING")]
    pub group_by: Option<GroupBy>,
    /// Most jobs in one GitHub matrix (GitHub's limit is 256)
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub max_jobs: u32,
}

/// `affected --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AffectedFormat {
    /// One crate name per line
    Names,
    /// A versioned JSON report with the reason for every crate
    Json,
    /// `matrix=`, `count=` (affected crates) and `jobs=` (matrix entries) for `$GITHUB_OUTPUT`
    Github,
    /// `-p a -p b` for cargo
    CargoArgs,
    /// A nextest filterset: `package(=a) | package(=b)`
    Nextest,
    /// A mermaid graph of the affected crates
    Mermaid,
}

#[derive(Debug, Clone, Args)]
pub struct LintDepsArgs {
    /// Only check these members (their Cargo.toml or pyproject.toml, as pre-commit passes them);
    /// the root Cargo.toml means the whole workspace, Cargo.lock adds duplicate-versions; other
    /// paths are skipped
    #[arg(value_name = "MANIFEST")]
    pub manifests: Vec<PathBuf>,
    /// Rewrite manifests to fix what can be fixed without changing what cargo resolves (every
    /// file or none; comments and layout kept). `--fix` alone fixes the dependency rules
    /// (not-inherited, ignored-key, ineffective-default-features, unused-workspace-dep) and
    /// missing-workspace-source (a `{ workspace = true }` uv source in the pyproject.toml);
    /// `--fix=RULE,...` fixes only the rules named. lints-not-inherited and
    /// package-not-inherited opt members into [workspace.lints] / [workspace.package], so they
    /// are fixed only when named (`--fix=lints-not-inherited`). The `=` is required, so that
    /// `--fix Cargo.toml` stays a file argument
    #[arg(
        long,
        value_name = "RULES",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = ""
    )]
    pub fix: Option<String>,
    /// Print the fixes as a unified diff instead of writing them
    #[arg(long)]
    pub diff: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    pub format: LintFormat,
}

/// `lint-deps --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// cargo-style diagnostics
    Human,
    /// One JSON object per finding, one per line
    Json,
    /// GitHub Actions workflow commands (annotations)
    Github,
    /// SARIF 2.1.0 for code scanning
    Sarif,
}

#[derive(Debug, Clone, Args)]
pub struct DockerfileArgs {
    /// Only these crates (repeatable)
    #[arg(short = 'p', long = "package", value_name = "CRATE")]
    pub packages: Vec<String>,
    /// Only the crates `affected` selects (takes the `affected` flags below)
    #[arg(long)]
    pub affected: bool,
    #[command(flatten)]
    pub change: ChangeArgs,
    /// Do not write: exit 1 with a diff when a generated file is missing, stale or left over
    #[arg(long, conflicts_with = "stdout")]
    pub check: bool,
    /// Print the generated files instead of writing them
    #[arg(long)]
    pub stdout: bool,
    /// Do not write: rebuild each image's context from its Dockerfile.dockerignore (no Docker
    /// daemon) and run `cargo metadata --offline` in it; exit 1 naming the missing file when
    /// one fails
    #[arg(long, conflicts_with_all = ["check", "stdout"])]
    pub verify: bool,
    /// With --verify: also run each Dockerfile's build command (`cargo build` or `maturin
    /// build`, offline) in its context, one image at a time, with one shared target dir
    #[arg(long, requires = "verify")]
    pub build: bool,
}

#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// Where to lay out the workspace
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Domain folders to create, comma-separated
    #[arg(long, value_delimiter = ',', value_name = "DOMAINS")]
    pub domains: Vec<String>,
    /// Name of the monorepo (default: the directory's name)
    #[arg(long)]
    pub name: Option<String>,
    /// Python version for maturin and the runtime images, 3.9 or later (pyo3 0.30's floor)
    /// [default: the existing workspace's `[workspace.metadata.ccworkspace.docker]
    /// python-version`, else 3.12]
    #[arg(long, value_name = "VERSION")]
    pub python: Option<String>,
    /// Print what would be written, write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// In a directory that already has a workspace, add only the missing files
    #[arg(long)]
    pub add_missing: bool,
}

#[derive(Debug, Clone, Args)]
pub struct NewArgs {
    /// `DOMAIN/CRATE`: the crate goes to `DOMAIN/rust/CRATE` (or where the workspace's globs
    /// put it: `crates/CRATE` in a `crates/*` workspace); with --python, the package goes to
    /// `DOMAIN/python/PACKAGE`
    #[arg(value_name = "DOMAIN/CRATE")]
    pub path: String,
    /// A PyO3 crate built by maturin into a wheel
    #[arg(long, group = "kind")]
    pub pyo3: bool,
    /// A binary crate
    #[arg(long, group = "kind")]
    pub bin: bool,
    /// A library crate (the default)
    #[arg(long, group = "kind")]
    pub lib: bool,
    /// Not a crate: a Python package at DOMAIN/python/PACKAGE (pyproject.toml, src/MODULE,
    /// tests), registered in the root uv workspace
    #[arg(long, group = "kind")]
    pub python: bool,
}

/// Parse the process arguments, accepting both `cargo ccworkspace ...` and `cargo-ccworkspace ...`.
pub fn parse() -> Cli {
    parse_from(std::env::args_os())
}

/// Like [`parse`], from the given arguments (the first is the program name).
pub fn parse_from<I, T>(args: I) -> Cli
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let mut args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    // Cargo runs `cargo-ccworkspace ccworkspace <cmd>`.
    if args.get(1).is_some_and(|a| a == "ccworkspace") {
        args.remove(1);
    }
    Cli::parse_from(args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn accepts_the_cargo_subcommand_form_and_the_direct_form() {
        let via_cargo = parse_from(["cargo-ccworkspace", "ccworkspace", "affected", "--direct"]);
        let direct = parse_from(["cargo-ccworkspace", "affected", "--direct"]);
        for cli in [via_cargo, direct] {
            match cli.command {
                Command::Affected(a) => assert!(a.direct),
                other => panic!("parsed the wrong command: {other:?}"),
            }
        }
    }
}
