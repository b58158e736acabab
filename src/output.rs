//! Terminal output: color choice, quiet/verbose status lines on stderr, and progress bars.
//!
//! Machine output goes to stdout only; everything here writes to stderr.

use std::io::{IsTerminal, Write as _};
use std::time::Duration;

use anstream::eprintln;
use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// When to use colors (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// How `error:` is styled on stderr (bold red), here and in every command's own reports.
pub const ERROR: anstyle::Style = anstyle::Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(anstyle::AnsiColor::Red)));

/// How `help:` is styled on stderr (bold cyan).
pub const HELP: anstyle::Style = anstyle::Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(anstyle::AnsiColor::Cyan)));

/// Set the process-wide color choice for anstream.
pub fn apply_color(color: ColorChoice) {
    let choice = match color {
        ColorChoice::Auto => anstream::ColorChoice::Auto,
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
}

/// Where prose goes: stderr, gated by `--quiet` and `--verbose`.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    quiet: bool,
    verbose: u8,
}

impl Output {
    /// Output settings from `--quiet`, `--verbose` (a count) and `--color`; also applies the
    /// color choice.
    pub fn new(quiet: bool, verbose: u8, color: ColorChoice) -> Self {
        apply_color(color);
        Output { quiet, verbose }
    }

    /// A status line, cargo-style (`    Checking 12 manifests`), unless `--quiet`.
    pub fn status(&self, verb: &str, message: impl std::fmt::Display) {
        if !self.quiet {
            let green = anstyle::Style::new()
                .bold()
                .fg_color(Some(anstyle::AnsiColor::Green.into()));
            eprintln!("{green}{verb:>12}{green:#} {message}");
        }
    }

    /// A warning, unless `--quiet`.
    pub fn warn(&self, message: impl std::fmt::Display) {
        if !self.quiet {
            let yellow = anstyle::Style::new()
                .bold()
                .fg_color(Some(anstyle::AnsiColor::Yellow.into()));
            eprintln!("{yellow}warning{yellow:#}: {message}");
        }
    }

    /// A line shown only with `-v`.
    pub fn verbose(&self, message: impl std::fmt::Display) {
        if self.verbose > 0 && !self.quiet {
            eprintln!("{message}");
        }
    }

    /// Whether `-v` was given.
    pub fn is_verbose(&self) -> bool {
        self.verbose > 0
    }

    /// A spinner on stderr for a step of unknown length (`cargo metadata`), under the same
    /// rules as [`Output::progress`]. Call `finish_and_clear` when done.
    pub fn spinner(&self, message: &'static str) -> ProgressBar {
        let bar = self.progress(0, message);
        if let Ok(style) =
            ProgressStyle::with_template("{prefix:>12.cyan.bold} {spinner} {msg} {elapsed}")
        {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    }

    /// A progress bar on stderr, drawn only on a terminal outside CI and never with `--quiet`.
    ///
    /// It stays hidden for its first 200 ms, so quick steps print nothing (nextest does the same).
    pub fn progress(&self, len: u64, message: &'static str) -> ProgressBar {
        let visible = !self.quiet
            && std::io::stderr().is_terminal()
            && std::env::var_os("CI").is_none_or(|v| v.is_empty() || v == "false");
        if !visible {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
        if let Ok(style) =
            ProgressStyle::with_template("{prefix:>12.cyan.bold} [{bar:30}] {pos}/{len} {msg}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(message);
        let shown = bar.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            if !shown.is_finished() {
                shown.set_draw_target(ProgressDrawTarget::stderr());
            }
        });
        bar
    }
}

/// `n` and the noun, pluralised with an `s`: `1 image`, `2 images`, `0 findings`.
pub fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// This process's peak resident memory in KiB (`VmHWM`), where the OS reports it (Linux).
pub fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Write machine output to stdout; a closed pipe (`| head`) is not an error.
pub fn print_stdout(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other.map_err(|e| anyhow::anyhow!("failed to write to stdout: {e}"))?),
    }
}
