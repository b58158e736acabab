//! The speed benchmark: generated monorepos of 500, 2,000 and 5,000 crates (the generator in
//! `tests/support`), every command measured side by side with its references in one run.
//!
//! ```text
//! cargo bench --bench monorepo -- [--sizes 500,2000,5000] [--runs 5] [--out FILE]
//! ```
//!
//! For each size it generates a workspace with registry dependencies and a git history with one
//! commit per kind of change, then measures (one warm-up, then the median of `--runs` runs):
//! `affected` for a source-only, a member-manifest, a lockfile-only and a root
//! `[workspace.dependencies]` change, and again with nothing changed since the last run;
//! `lint-deps` on the whole workspace and on one manifest; `dockerfile --check`; and the
//! references `cargo metadata --format-version 1`, `cargo metadata --no-deps` and guppy's
//! determinator computing the same affected set (base checkout, both graphs, compute). Peak
//! memory comes from GNU time (`/usr/bin/time -f %M`) when it is installed. It prints a markdown
//! table (also written to `--out`); ratios are taken against references measured in the same run,
//! because absolute times drift on a shared machine.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/support/generator.rs"]
mod generator;
#[path = "../tests/support/git.rs"]
mod git;
#[path = "../tests/support/oracle.rs"]
mod oracle;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use generator::{HistoryStep, Spec, StepKind};
use git::Repo;

struct Opts {
    sizes: Vec<usize>,
    runs: usize,
    out: Option<PathBuf>,
}

fn parse_opts() -> Opts {
    let mut opts = Opts {
        sizes: vec![500, 2000, 5000],
        runs: 5,
        out: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--sizes" => {
                opts.sizes = args
                    .next()
                    .unwrap()
                    .split(',')
                    .map(|s| s.parse().unwrap())
                    .collect();
            }
            "--runs" => opts.runs = args.next().unwrap().parse().unwrap(),
            "--out" => opts.out = Some(args.next().unwrap().into()),
            // `cargo bench` passes `--bench`; ignore what we do not know.
            _ => {}
        }
    }
    opts
}

/// One measurement: median wall time and the peak RSS seen (KiB), if known.
#[derive(Clone, Copy)]
struct Sample {
    median: Duration,
    peak_kib: Option<u64>,
}

fn gnu_time() -> Option<PathBuf> {
    let p = PathBuf::from("/usr/bin/time");
    let ok = Command::new(&p)
        .args(["-f", "%M", "true"])
        .stderr(Stdio::piped())
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    ok.then_some(p)
}

/// Run `program args` in `dir` once to warm up, then `runs` times.
fn measure(dir: &Path, program: &Path, args: &[&str], runs: usize, expect_ok: bool) -> Sample {
    measure_env(dir, program, args, runs, expect_ok, &[])
}

/// [`measure`] with extra environment variables.
fn measure_env(
    dir: &Path,
    program: &Path,
    args: &[&str],
    runs: usize,
    expect_ok: bool,
    env: &[(&str, &str)],
) -> Sample {
    let time = gnu_time();
    let mut times = Vec::new();
    let mut peak = None;
    for i in 0..=runs {
        let mem_file = tempfile::NamedTempFile::new().unwrap();
        let mut cmd = match &time {
            Some(t) => {
                let mut c = Command::new(t);
                c.args(["-f", "%M", "-o"])
                    .arg(mem_file.path())
                    .arg(program)
                    .args(args);
                c
            }
            None => {
                let mut c = Command::new(program);
                c.args(args);
                c
            }
        };
        cmd.current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        cmd.env("CARGO", generator::cargo_program())
            .env_remove("GITHUB_BASE_REF");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let start = Instant::now();
        let out = cmd.output().unwrap();
        let elapsed = start.elapsed();
        let code = out.status.code().unwrap_or(-1);
        if expect_ok && code != 0 && code != 1 {
            if !strict() {
                eprintln!(
                    "skipping {args:?}: exit {code}: {}",
                    String::from_utf8_lossy(&out.stderr)
                        .lines()
                        .next()
                        .unwrap_or("")
                );
                return Sample {
                    median: Duration::ZERO,
                    peak_kib: None,
                };
            }
            panic!(
                "{} {args:?} failed in {}: {}",
                program.display(),
                dir.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        if i == 0 {
            continue;
        }
        times.push(elapsed);
        if let Ok(text) = std::fs::read_to_string(mem_file.path())
            && let Some(kib) = text
                .lines()
                .last()
                .and_then(|l| l.trim().parse::<u64>().ok())
        {
            peak = Some(peak.map_or(kib, |p: u64| p.max(kib)));
        }
    }
    times.sort();
    Sample {
        median: times[times.len() / 2],
        peak_kib: peak,
    }
}

/// `BENCH_STRICT=1`: a failing command aborts the benchmark instead of being skipped.
fn strict() -> bool {
    std::env::var_os("BENCH_STRICT").is_some_and(|v| v == "1")
}

/// guppy's determinator on `parent..HEAD`: check out the base, both graphs (concurrently), compute.
fn determinator_once(repo: &Repo, parent: &str, scratch: &Path) -> (Duration, usize) {
    let start = Instant::now();
    let old_dir = scratch.join("base");
    repo.git(&[
        "worktree",
        "add",
        "-q",
        "--detach",
        old_dir.to_str().unwrap(),
        parent,
    ]);
    let (old, new) = std::thread::scope(|s| {
        let old = s.spawn(|| oracle::metadata_graph(&old_dir, false));
        let new = oracle::metadata_graph(&repo.dir, false);
        (old.join().unwrap(), new)
    });
    let n = oracle::determinator(&old, &new, &oracle::changed_paths(repo, parent, None)).len();
    let elapsed = start.elapsed();
    repo.git(&["worktree", "remove", "--force", old_dir.to_str().unwrap()]);
    (elapsed, n)
}

fn determinator(repo: &Repo, parent: &str, runs: usize) -> Sample {
    let scratch = tempfile::tempdir().unwrap();
    let mut times: Vec<Duration> = (0..=runs)
        .map(|_| determinator_once(repo, parent, scratch.path()).0)
        .skip(1)
        .collect();
    times.sort();
    Sample {
        median: times[times.len() / 2],
        peak_kib: None,
    }
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn mib(s: &Sample) -> String {
    s.peak_kib.map_or("n/a".to_string(), |k| {
        format!("{:.0} MiB", k as f64 / 1024.0)
    })
}

fn ratio(a: &Sample, b: &Sample) -> String {
    format!("{:.2}×", a.median.as_secs_f64() / b.median.as_secs_f64())
}

fn main() {
    let opts = parse_opts();
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_cargo-ccworkspace"));
    let cargo = generator::cargo_program();
    let mut report = String::new();
    let _ = writeln!(
        report,
        "| crates | what | median | peak memory | reference | ratio |\n|---:|---|---:|---:|---|---:|"
    );
    for &size in &opts.sizes {
        eprintln!("generating {size} crates ...");
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("ws");
        let spec = Spec {
            crates: size,
            domains: 50.min(size.max(1)),
            registry_deps: true,
            ..Spec::default()
        };
        let g = generator::generate(&root, &spec).unwrap();
        let repo = Repo::init(&root);
        let steps = generator::make_history(&repo, &g, 1).unwrap();
        let by_kind: BTreeMap<StepKind, &HistoryStep> = steps.iter().map(|s| (s.kind, s)).collect();
        let runs = opts.runs;
        let row =
            |report: &mut String, what: &str, s: &Sample, reference: Option<(&str, &Sample)>| {
                let (rname, r) = reference.map_or(("", String::new()), |(n, r)| (n, ratio(s, r)));
                let _ = writeln!(
                    report,
                    "| {size} | {what} | {} | {} | {rname} | {r} |",
                    ms(s.median),
                    mib(s)
                );
                eprintln!("{size} {what}: {}", ms(s.median));
            };

        // References on the source-only commit.
        let leaf = by_kind[&StepKind::LeafSource];
        repo.git(&["checkout", "-q", "--detach", &leaf.commit]);
        let metadata = measure(
            &root,
            &cargo,
            &["metadata", "--format-version", "1"],
            runs,
            true,
        );
        let no_deps = measure(
            &root,
            &cargo,
            &["metadata", "--format-version", "1", "--no-deps"],
            runs,
            true,
        );
        row(
            &mut report,
            "`cargo metadata --format-version 1`",
            &metadata,
            None,
        );
        row(&mut report, "`cargo metadata --no-deps`", &no_deps, None);

        // Every run of a changed commit is measured without the graph cache (each would be the
        // first run after the change); "nothing changed since the last run" uses it.
        let affected = |step: &HistoryStep, cache: bool| -> Sample {
            repo.git(&["checkout", "-q", "--detach", &step.commit]);
            let env: &[(&str, &str)] = if cache {
                &[]
            } else {
                &[("CCWORKSPACE_NO_CACHE", "1")]
            };
            measure_env(
                &root,
                &bin,
                &["affected", "-q", "--base", &step.parent],
                runs,
                true,
                env,
            )
        };
        let src = affected(leaf, false);
        row(
            &mut report,
            "`affected`, source-only change",
            &src,
            Some(("cargo metadata", &metadata)),
        );
        // The same commit again: nothing changed in manifests or the lockfile since the last run.
        let again = affected(leaf, true);
        row(
            &mut report,
            "`affected`, nothing changed since the last run",
            &again,
            Some(("cargo metadata", &metadata)),
        );

        for (kind, what) in [
            (
                StepKind::MemberManifest,
                "`affected`, member-manifest change",
            ),
            (
                StepKind::LockfileOnly,
                "`affected`, `Cargo.lock`-only change",
            ),
            (
                StepKind::WorkspaceDepEntry,
                "`affected`, root `[workspace.dependencies]` change",
            ),
        ] {
            let step = by_kind[&kind];
            let ours = affected(step, false);
            let theirs = determinator(&repo, &step.parent, runs);
            row(
                &mut report,
                &format!("determinator, same change as below ({kind:?})"),
                &theirs,
                None,
            );
            row(&mut report, what, &ours, Some(("determinator", &theirs)));
        }

        repo.git(&["checkout", "-q", "--detach", &leaf.commit]);
        let lint_all = measure(&root, &bin, &["lint-deps", "-q"], runs, true);
        row(
            &mut report,
            "`lint-deps`, whole workspace",
            &lint_all,
            Some(("cargo metadata --no-deps", &no_deps)),
        );
        let one = format!("{}/Cargo.toml", g.crates[g.crates.len() / 2].path);
        let lint_one = measure(&root, &bin, &["lint-deps", "-q", &one], runs, true);
        row(
            &mut report,
            "`lint-deps`, one manifest (pre-commit)",
            &lint_one,
            Some(("cargo metadata --no-deps", &no_deps)),
        );
        // Generate once so the check has files to compare.
        let _ = Command::new(&bin)
            .args(["dockerfile", "-q"])
            .current_dir(&root)
            .env("CARGO", &cargo)
            .output();
        let docker = measure(&root, &bin, &["dockerfile", "-q", "--check"], runs, true);
        row(
            &mut report,
            "`dockerfile --check`",
            &docker,
            Some(("cargo metadata", &metadata)),
        );
    }
    println!("{report}");
    if let Some(out) = opts.out {
        std::fs::write(out, &report).unwrap();
    }
}
