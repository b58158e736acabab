//! Exit codes and the few typed errors that `main` must branch on.
//!
//! Every command maps to one of three exit codes, the same for all of them (see
//! `docs/exit-codes.md`): [`OK`], [`FINDINGS`] and [`ERROR`].

use std::fmt;

use anstream::eprintln;

use crate::output::ColorChoice;

/// Where the manual is: `docs/` of the repository (an installed binary has no `docs/` folder).
pub const DOCS_URL: &str = "https://github.com/ccworkspace/cargo-ccworkspace/blob/main/docs";

/// Success: nothing to report, or the requested output was printed.
pub const OK: u8 = 0;
/// Findings: `lint-deps` found a `deny` violation, or `dockerfile --check` found a stale file.
pub const FINDINGS: u8 = 1;
/// The tool could not run: usage, configuration, bad input, git or cargo failure.
pub const ERROR: u8 = 2;

/// What a command that ran to the end reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Exit [`OK`].
    Ok,
    /// Exit [`FINDINGS`].
    Findings,
}

impl Status {
    /// The process exit code for this status.
    pub fn code(self) -> u8 {
        match self {
            Status::Ok => OK,
            Status::Findings => FINDINGS,
        }
    }
}

/// An error meant for the user: what went wrong, and what to do about it.
///
/// `message` says what and where; `help` (printed on its own `help:` line, as cargo does)
/// says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserError {
    pub message: String,
    pub help: Option<String>,
}

impl UserError {
    /// An error with a message and a `help:` line.
    pub fn new(message: impl Into<String>, help: impl Into<String>) -> Self {
        UserError {
            message: message.into(),
            help: Some(help.into()),
        }
    }

    /// An error without a `help:` line.
    pub fn bare(message: impl Into<String>) -> Self {
        UserError {
            message: message.into(),
            help: None,
        }
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UserError {}

/// Print an error chain the way cargo does and return [`ERROR`].
///
/// ```text
/// error: failed to load the workspace at /x/Cargo.toml
///
/// Caused by:
///   ...
/// help: ...
/// ```
pub fn report(err: &anyhow::Error, color: ColorChoice) -> u8 {
    crate::output::apply_color(color);
    let (red, cyan) = (crate::output::ERROR, crate::output::HELP);
    eprintln!("{red}error{red:#}: {err}");
    let causes: Vec<String> = err.chain().skip(1).map(|c| c.to_string()).collect();
    if !causes.is_empty() {
        eprintln!("\nCaused by:");
        for cause in causes {
            for line in cause.lines() {
                eprintln!("  {line}");
            }
        }
    }
    for help in err
        .chain()
        .filter_map(|c| c.downcast_ref::<UserError>())
        .filter_map(|u| u.help.as_deref())
    {
        eprintln!("{cyan}help{cyan:#}: {help}");
    }
    ERROR
}
