//! `cargo-ccworkspace` keeps a large cargo monorepo fast and sane.
//!
//! - `affected`: from a git diff, the crates that changed plus everything that depends on them.
//! - `lint-deps`: every member takes its dependencies from the root `[workspace.dependencies]`.
//! - `dockerfile`: thin per-crate Dockerfiles that build from a trimmed workspace context.
//! - `init` / `new`: the whole workflow in a box.
//!
//! The binary is a thin shell over [`run`]; the commands in [`commands`] are glue over pure
//! cores ([`affected`], [`lint`]) and the I/O edges: [`git`] and [`workspace`] (`cargo
//! metadata`) for `affected`, [`manifests`] (manifests read straight from disk) for
//! `lint-deps`, whose findings [`diag`] renders.

pub mod affected;
pub mod cache;
pub(crate) mod changes;
pub mod cli;
pub mod commands;
pub mod config;
pub mod diag;
pub mod docker;
pub mod errors;
pub mod fsutil;
pub mod git;
pub mod gitindex;
pub mod graph;
pub mod init;
pub mod lint;
pub mod manifests;
pub mod members;
pub(crate) mod model;
pub mod output;
pub mod workspace;

pub use errors::Status;

/// Run a parsed command line.
pub fn run(cli: &cli::Cli) -> anyhow::Result<Status> {
    commands::dispatch(cli)
}
