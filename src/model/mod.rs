//! The workspace on disk, read once and one way, for every command that reads manifests
//! (`lint-deps`, `dockerfile`, `new`): the root, cargo's member set, each member's manifest.
//!
//! The reader itself is [`crate::manifests::load`] (cargo's `members`/`exclude` expansion and
//! implicit path members, with cargo's refusals); the modules here read what lies around the
//! manifests: each crate's kind ([`kind`]), the files that decide its targets ([`files`]), and
//! `Cargo.lock` ([`lockfile`]). This layer imports no core (`affected`, `lint`, `docker`,
//! `init`); the cores read the workspace through it.

pub mod files;
pub mod kind;
pub mod lockfile;
pub mod relpath;
