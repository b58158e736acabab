//! `cargo ccworkspace affected`.

use crate::cli::{AffectedArgs, GlobalOpts};
use crate::errors::{Status, user_error};
use crate::output::Output;

pub fn run(_global: &GlobalOpts, _args: &AffectedArgs, _out: &Output) -> anyhow::Result<Status> {
    user_error(
        "`affected` is not available in this build yet",
        "see the open issues",
    )
}
