//! `cargo ccworkspace affected`.

use crate::cli::{AffectedArgs, ChangeArgs, GlobalOpts};
use crate::errors::{Status, user_error};
use crate::output::Output;
use crate::workspace::Workspace;

pub fn run(_global: &GlobalOpts, _args: &AffectedArgs, _out: &Output) -> anyhow::Result<Status> {
    user_error(
        "`affected` is not available in this build yet",
        "see the open issues",
    )
}

/// The names of the affected members (sorted), for other commands (`dockerfile --affected`).
pub(crate) fn affected_names(
    _global: &GlobalOpts,
    _change: &ChangeArgs,
    _ws: &Workspace,
    _out: &Output,
) -> anyhow::Result<Vec<String>> {
    user_error(
        "`affected` is not available in this build yet",
        "see the open issues",
    )
}
