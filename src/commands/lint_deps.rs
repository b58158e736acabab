//! `cargo ccworkspace lint-deps`.

use crate::cli::{GlobalOpts, LintDepsArgs};
use crate::errors::{Status, user_error};
use crate::output::Output;

pub fn run(_global: &GlobalOpts, _args: &LintDepsArgs, _out: &Output) -> anyhow::Result<Status> {
    user_error(
        "`lint-deps` is not available in this build yet",
        "see the open issues of cargo-ccworkspace",
    )
}
