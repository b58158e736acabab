//! `cargo-ccworkspace`: parse the command line, run, map the result to an exit code.

use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cargo_ccworkspace::cli::parse();
    let code = match cargo_ccworkspace::run(&cli) {
        Ok(status) => status.code(),
        Err(err) => cargo_ccworkspace::errors::report(&err, cli.global.color),
    };
    ExitCode::from(code)
}
