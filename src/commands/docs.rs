//! `cargo ccworkspace completions <shell>` and `cargo ccworkspace man [COMMAND]`: generated
//! from the clap definition in `cli.rs`, so they never drift from `--help`.

use clap::CommandFactory as _;

use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::errors::{Status, UserError};

/// The binary's own name: completions and man pages are for `cargo-ccworkspace <command>`
/// (which the binary accepts), since shells complete a program, not a cargo subcommand.
const BIN: &str = "cargo-ccworkspace";

pub fn completions(args: &CompletionsArgs) -> anyhow::Result<Status> {
    let mut cmd = Cli::command().bin_name(BIN);
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, BIN, &mut buf);
    crate::output::print_stdout(&String::from_utf8_lossy(&buf))?;
    Ok(Status::Ok)
}

pub fn man(args: &ManArgs) -> anyhow::Result<Status> {
    let root = Cli::command().name(BIN).bin_name(BIN);
    let page = match &args.command {
        None => root,
        Some(name) => {
            let Some(sub) = root.find_subcommand(name) else {
                let names: Vec<&str> = root.get_subcommands().map(|c| c.get_name()).collect();
                return Err(UserError::new(
                    format!("`{name}` is not a cargo-ccworkspace command"),
                    format!("pass one of: {}", names.join(", ")),
                )
                .into());
            };
            let full = format!("{BIN}-{}", sub.get_name());
            sub.clone().name(full).bin_name(format!("{BIN} {name}"))
        }
    };
    let mut buf = Vec::new();
    clap_mangen::Man::new(page).render(&mut buf)?;
    crate::output::print_stdout(&String::from_utf8_lossy(&buf))?;
    Ok(Status::Ok)
}
