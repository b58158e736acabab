//! `cargo ccworkspace dockerfile`.

use crate::cli::{DockerfileArgs, GlobalOpts};
use crate::errors::{Status, user_error};
use crate::output::Output;

pub fn run(_global: &GlobalOpts, _args: &DockerfileArgs, _out: &Output) -> anyhow::Result<Status> {
    user_error(
        "`dockerfile` is not available in this build yet",
        "see the open issues of cargo-ccworkspace",
    )
}
