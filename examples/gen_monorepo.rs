//! Writes a synthetic monorepo for benchmarks and manual testing.
//!
//! ```text
//! cargo run --example gen_monorepo -- --crates 500 --out /tmp/mono [--domains 50] [--seed 1]
//!     [--pyo3-every 7] [--bin-every 5] [--max-deps 4] [--registry] [--history]
//! ```
//!
//! `--registry` adds `itoa`, `serde` and `pyo3` and writes `Cargo.lock` (needs the registry);
//! `--history` makes a git repository with one commit per kind of change and prints them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/support/generator.rs"]
mod generator;
#[path = "../tests/support/git.rs"]
mod git;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: gen_monorepo --crates N --out DIR [--domains N] [--seed N] \
[--pyo3-every N] [--bin-every N] [--max-deps N] [--python N] [--registry] [--history]";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("error: {msg}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let mut spec = generator::Spec {
        crates: 500,
        domains: 50,
        ..generator::Spec::default()
    };
    let mut out: Option<PathBuf> = None;
    let mut history = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut num = |name: &str| -> Result<u64, String> {
            let v = args.next().ok_or_else(|| format!("{name} needs a value"))?;
            v.parse().map_err(|_| format!("{name}: not a number: {v}"))
        };
        match arg.as_str() {
            "--crates" => spec.crates = num("--crates")? as usize,
            "--domains" => spec.domains = num("--domains")? as usize,
            "--seed" => spec.seed = num("--seed")?,
            "--pyo3-every" => spec.pyo3_every = num("--pyo3-every")? as usize,
            "--bin-every" => spec.bin_every = num("--bin-every")? as usize,
            "--max-deps" => spec.max_deps = num("--max-deps")? as usize,
            "--python" => spec.python_packages = num("--python")? as usize,
            "--out" => out = Some(args.next().ok_or("--out needs a value")?.into()),
            "--registry" => spec.registry_deps = true,
            "--history" => history = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let out = out.ok_or("--out is required")?;
    if out.join("Cargo.toml").exists() {
        return Err(format!("{} already holds a Cargo.toml", out.display()));
    }
    let g = generator::generate(&out, &spec).map_err(|e| e.to_string())?;
    println!(
        "generated {} crates and {} Python packages in {}",
        g.crates.len(),
        g.python.len(),
        out.display()
    );
    if history {
        let repo = git::Repo::init(&out);
        let steps = generator::make_history(&repo, &g, spec.seed).map_err(|e| e.to_string())?;
        for s in steps {
            println!("{} {:?}: {}", &s.commit[..12], s.kind, s.note);
        }
    }
    Ok(())
}
