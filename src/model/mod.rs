//! The workspace on disk, read once and one way, for every command that reads manifests
//! (`lint-deps`, `dockerfile`, `new`): the root, cargo's member set, each member's manifest.
//!
//! The reader itself is [`crate::manifests::load`] (cargo's `members`/`exclude` expansion and
//! implicit path members, with cargo's refusals); the modules here build each command's view
//! of the workspace from what it loaded, so no command discovers members on its own.

pub(crate) mod images;
pub mod kind;
