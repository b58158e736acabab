//! `cargo-ccworkspace` keeps a large cargo monorepo fast and sane.
//!
//! - `affected`: from a git diff, the crates that changed plus everything that depends on them.
//! - `lint-deps`: every member takes its dependencies from the root `[workspace.dependencies]`.
//! - `dockerfile`: thin per-crate Dockerfiles that build from a trimmed workspace context.
//! - `init` / `new`: the whole workflow in a box.
//!
//! The binary is a thin shell over [`run`]; `commands` is glue (one module per subcommand, none
//! importing another) over the I/O edges — [`model`] (the workspace on disk,
//! read once, one way), [`workspace`] and the graph cache (`cargo metadata`), [`git`] and
//! `changes` (where a change comes from) — and the pure cores ([`affected`], [`lint`],
//! [`docker`], `init`), which import no clap type and spawn no process. The layout and its
//! rules: `docs/architecture.md`.

pub mod affected;
pub(crate) mod cache;
pub(crate) mod changes;
pub mod cli;
pub(crate) mod commands;
pub mod config;
pub mod diag;
pub mod docker;
pub mod errors;
pub mod fsutil;
pub mod git;
pub mod gitindex;
pub(crate) mod graph;
pub(crate) mod init;
pub mod lint;
pub mod model;
pub(crate) mod model_graph;
pub(crate) mod output;
pub mod python;
pub mod workspace;

pub use errors::Status;

/// Run a parsed command line.
pub fn run(cli: &cli::Cli) -> anyhow::Result<Status> {
    commands::dispatch(cli)
}
