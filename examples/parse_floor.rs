//! The floor under `lint-deps` on a whole workspace: a process that only finds every member's
//! `Cargo.toml` (from git's index, as `lint-deps` does for orphans), reads it and parses it with
//! toml_edit on all cores, and checks nothing. `docs/performance.md` compares the two.
//!
//! ```text
//! cargo run --release --example parse_floor -- DIR [--no-parse]
//! ```
//!
//! `--no-parse` only reads the files. Prints how many manifests it read and the total bytes.

use std::path::Path;
use std::process::{Command, ExitCode};

use rayon::prelude::*;

// The allocator the tool uses, so the comparison is like for like.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: parse_floor DIR [--no-parse]");
        return ExitCode::from(2);
    };
    let parse = args.next().as_deref() != Some("--no-parse");
    let listed = Command::new("git")
        .args(["ls-files", "-z", "--", ":(glob)**/Cargo.toml"])
        .current_dir(&dir)
        .output();
    let paths: Vec<String> = match listed {
        Ok(out) if out.status.success() => out
            .stdout
            .split(|b| *b == 0)
            .filter_map(|p| std::str::from_utf8(p).ok())
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect(),
        _ => {
            eprintln!("error: `git ls-files` failed in {dir}");
            return ExitCode::from(2);
        }
    };
    let root = Path::new(&dir);
    let bytes: Result<Vec<usize>, String> = paths
        .par_iter()
        .map(|p| {
            let text = std::fs::read_to_string(root.join(p)).map_err(|e| format!("{p}: {e}"))?;
            if parse {
                toml_edit::Document::parse(text.as_str()).map_err(|e| format!("{p}: {e}"))?;
            }
            Ok(text.len())
        })
        .collect();
    match bytes {
        Ok(bytes) => {
            println!(
                "{} manifests, {} bytes",
                bytes.len(),
                bytes.iter().sum::<usize>()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
