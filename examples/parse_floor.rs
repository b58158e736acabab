//! The floor under `lint-deps` on a whole workspace: a process that only finds every member's
//! `Cargo.toml` (from git's index, as `lint-deps` does for orphans), reads it and parses it the
//! way `lint-deps` does (`model::parse_text`) on all cores, and checks nothing.
//! `docs/performance.md` compares the two.
//!
//! ```text
//! cargo run --release --example parse_floor -- DIR [--no-parse]
//! ```
//!
//! `--no-parse` only reads the files. Prints how many manifests it read and the total bytes.

use std::path::Path;
use std::process::ExitCode;

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
    // The same listing and the same reads as lint-deps.
    let Some(dirs) = cargo_ccworkspace::git::tracked_manifest_dirs(Path::new(&dir)) else {
        eprintln!("error: `git ls-files` failed in {dir}");
        return ExitCode::from(2);
    };
    let paths: Vec<String> = dirs
        .iter()
        .map(|d| cargo_ccworkspace::model::join(d, "Cargo.toml"))
        .collect();
    let root = Path::new(&dir);
    let bytes: Result<Vec<usize>, String> = paths
        .par_iter()
        .map(|p| {
            let text = cargo_ccworkspace::fsutil::read_small(&root.join(p))
                .map_err(|e| format!("{p}: {e}"))?;
            let len = text.len();
            if parse {
                cargo_ccworkspace::model::parse_text(p, text).map_err(|e| format!("{p}: {e}"))?;
            }
            Ok(len)
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
