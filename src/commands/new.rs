//! `cargo ccworkspace new`.

use crate::cli::{GlobalOpts, NewArgs};
use crate::errors::{Status, user_error};
use crate::output::Output;

pub fn run(_global: &GlobalOpts, _args: &NewArgs, _out: &Output) -> anyhow::Result<Status> {
    user_error(
        "`new` is not available in this build yet",
        "see the open issues of cargo-ccworkspace",
    )
}
