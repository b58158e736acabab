//! One module per subcommand: glue from arguments to the cores and on to the output.

mod affected;
mod dockerfile;
mod init;
mod lint_deps;
mod new;

use crate::cli::{Cli, Command};
use crate::errors::Status;
use crate::output::Output;

/// Run the subcommand named on the command line.
pub fn dispatch(cli: &Cli) -> anyhow::Result<Status> {
    let out = Output::new(cli.global.quiet, cli.global.verbose, cli.global.color);
    let result = match &cli.command {
        Command::Affected(args) => affected::run(&cli.global, args, &out),
        Command::LintDeps(args) => lint_deps::run(&cli.global, args, &out),
        Command::Dockerfile(args) => dockerfile::run(&cli.global, args, &out),
        Command::Init(args) => init::run(&cli.global, args, &out),
        Command::New(args) => new::run(&cli.global, args, &out),
    };
    if let Some(kib) = crate::output::peak_memory_kib() {
        out.verbose(format!("peak memory: {} MiB", kib / 1024));
    }
    result
}
