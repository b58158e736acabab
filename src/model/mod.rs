//! The workspace on disk, read once and one way, for every command that reads manifests
//! (`lint-deps`, `dockerfile`, `new`, `init`) and for the graph cache's key. This layer
//! imports no core (`affected`, `lint`, `docker`, `init`); the cores read the workspace
//! through it. Only re-exports live here.
//!
//! - [`root`]: where the workspace is (`--manifest-path`, or upwards from the current
//!   directory).
//! - [`manifest`]: one parsed manifest, its dependency entries, the shapes cargo insists on.
//! - `members`: cargo's `members`/`exclude` expansion and the walks that feed it.
//! - `refusals`: where cargo refuses the workspace, the same refusal.
//! - [`load`]: the whole workspace, read once.
//! - [`kind`], [`files`], [`lockfile`], [`relpath`]: a crate's kind, the files that decide its
//!   targets, `Cargo.lock`, and root-relative paths.
//! - [`package_files`]: which files are a package's, by its `include` / `exclude`.

pub mod files;
pub mod kind;
pub mod load;
pub mod lockfile;
pub mod manifest;
pub(crate) mod members;
pub mod package_files;
mod refusals;
pub mod relpath;
pub mod root;

pub use load::{LoadOptions, Workspace, load};
pub use manifest::{
    DEP_TABLES, DepEntry, DepKind, DepSpec, INHERITABLE_PACKAGE_FIELDS, Manifest, Node, NodeExt,
    Table, check_shape, dependencies, display_table_path, entries, parse_text, read_manifest,
};
pub use relpath::{join, normalize_rel, parent_dir, relative_path};
pub use root::{find_root, find_root_manifest, guess_root_text};
