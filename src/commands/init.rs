//! `cargo ccworkspace init`.

use crate::cli::{GlobalOpts, InitArgs};
use crate::errors::{Status, user_error};
use crate::output::Output;

pub fn run(_global: &GlobalOpts, _args: &InitArgs, _out: &Output) -> anyhow::Result<Status> {
    user_error(
        "`init` is not available in this build yet",
        "see the open issues of cargo-ccworkspace",
    )
}
