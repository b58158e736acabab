//! The speed benchmark: generated monorepos of 500, 2,000 and 5,000 crates (the generator in
//! `tests/support`), every command measured side by side with its references in one run.
//!
//! ```text
//! cargo bench --bench monorepo -- [--sizes 500,2000,5000] [--runs 5] [--out FILE]
//! ```
//!
//! For each size it generates a workspace with registry dependencies and a git history with one
//! commit per kind of change, then measures (one warm-up, then the median of `--runs` runs, at
//! least 31 for commands under 250 ms):
//! `affected` for a source-only, a member-manifest, a lockfile-only and a root
//! `[workspace.dependencies]` change, and again with nothing changed since the last run;
//! `lint-deps` on the whole workspace and on one manifest; `dockerfile`, `dockerfile --check`
//! and `dockerfile --verify` of every image (`--dockerfile-only`: just these); `affected` and
//! `lint-deps` on the same monorepo with and without Python packages (`--python-only`); and the
//! references `cargo metadata --format-version 1`, `cargo metadata --no-deps` and guppy's
//! determinator computing the same affected set (base checkout, both graphs, compute). Peak
//! memory comes from one more run under GNU time (`/usr/bin/time -f %M`) when it is installed. It prints a markdown
//! table (also written to `--out`); ratios are taken against references measured in the same run,
//! because absolute times drift on a shared machine.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/support/generator.rs"]
mod generator;
#[path = "../tests/support/git.rs"]
mod git;
#[path = "../tests/support/oracle.rs"]
mod oracle;

/// The allocator the binary uses, so [`python_floor`] parses as `lint-deps` does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// `--generate-only DIR`: write each size's workspace and history to `DIR/ws-<size>` and
    /// stop (for profiling by hand); with `--python-only`, also the two trees its rows compare,
    /// `DIR/ws-<size>-py` (with Python packages) and `DIR/ws-<size>-py-off` (the half off).
    generate_only: Option<PathBuf>,
    /// `--cold-only`: only the `cargo metadata` references and the cold-cache `affected` rows
    /// (for the largest sizes, where the determinator takes minutes).
    cold_only: bool,
    /// `--dockerfile-only`: only the `cargo metadata` references and the `dockerfile` rows.
    dockerfile_only: bool,
    /// `--python-only`: only the references and the rows that price the Python packages
    /// (`affected` and `lint-deps` on the same monorepo with and without them).
    python_only: bool,
}

fn parse_opts() -> Opts {
    let mut opts = Opts {
        sizes: vec![500, 2000, 5000],
        runs: 5,
        out: None,
        generate_only: None,
        cold_only: false,
        dockerfile_only: false,
        python_only: false,
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
            "--generate-only" => opts.generate_only = Some(args.next().unwrap().into()),
            "--cold-only" => opts.cold_only = true,
            "--dockerfile-only" => opts.dockerfile_only = true,
            "--python-only" => opts.python_only = true,
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
    /// Against the reference it was measured with, run for run (see [`measure_against`]).
    ratio: Option<f64>,
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
    measure_env(dir, program, args, runs, expect_ok, &[], None)
}

/// A reference command (`cargo metadata ...`) that other rows are compared with.
#[derive(Clone, Copy)]
struct Reference<'a> {
    name: &'a str,
    program: &'a Path,
    args: &'a [&'a str],
    /// Where it runs (`None`: where the measured command runs), and its extra environment.
    dir: Option<&'a Path>,
    env: &'a [(&'a str, &'a str)],
}

/// [`measure_env`], with `reference` run after each run of the command: the ratio is that of
/// the two medians over the same stretch of time, so load that comes and goes on a shared
/// machine moves both. References slower than 2 s keep `runs` pairs.
fn measure_against(
    dir: &Path,
    program: &Path,
    args: &[&str],
    runs: usize,
    env: &[(&str, &str)],
    reference: Reference,
) -> Sample {
    measure_env(dir, program, args, runs, true, env, Some(reference))
}

/// Commands faster than this get at least [`FAST_RUNS`] timed runs: a few milliseconds of
/// scheduler noise on a shared machine would otherwise move their median by a third.
const FAST: Duration = Duration::from_millis(250);
const FAST_RUNS: usize = 31;
/// Pairs for the rows that price the Python half against the same files with it off: their
/// ratio sits next to its target (1.10), where 31 pairs moved it by ±0.05 between runs.
const PYTHON_PAIRS: usize = 201;

/// [`measure`] with extra environment variables.
///
/// The timed runs start the program directly; the peak memory comes from one more run under
/// GNU time (`/usr/bin/time -f %M`), whose own start-up would otherwise be counted in the
/// times of millisecond-scale commands.
fn measure_env(
    dir: &Path,
    program: &Path,
    args: &[&str],
    runs: usize,
    expect_ok: bool,
    env: &[(&str, &str)],
    reference: Option<Reference>,
) -> Sample {
    // Spawned and waited for exactly as the measured command is (stderr piped and read), so
    // the harness's own cost is the same on both sides of the ratio.
    let reference_run = |r: Reference| {
        let start = Instant::now();
        let out = Command::new(r.program)
            .args(r.args)
            .current_dir(r.dir.unwrap_or(dir))
            .envs(r.env.iter().copied())
            .env("CARGO", generator::cargo_program())
            .env_remove("GITHUB_BASE_REF")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let elapsed = start.elapsed();
        // `lint-deps` exits 1 on findings: an answer, not a failure.
        assert!(
            answered(out.status),
            "{} {:?} failed",
            r.program.display(),
            r.args
        );
        elapsed
    };
    let command = |wrapper: Option<(&Path, &Path)>| {
        let mut cmd = match wrapper {
            Some((time, mem_file)) => {
                let mut c = Command::new(time);
                c.args(["-f", "%M", "-o"])
                    .arg(mem_file)
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
        cmd
    };
    let run = |wrapper: Option<(&Path, &Path)>| -> Result<Duration, String> {
        let start = Instant::now();
        let out = command(wrapper).output().unwrap();
        let elapsed = start.elapsed();
        let code = out.status.code().unwrap_or(-1);
        if expect_ok && code != 0 && code != 1 {
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            if !strict() {
                return Err(stderr.lines().next().unwrap_or("").to_string());
            }
            panic!(
                "{} {args:?} failed in {}: {stderr}",
                program.display(),
                dir.display(),
            );
        }
        Ok(elapsed)
    };
    let skipped = |why: String| {
        eprintln!("skipping {args:?}: {why}");
        Sample {
            median: Duration::ZERO,
            peak_kib: None,
            ratio: None,
        }
    };
    let warm_up = match run(None) {
        Ok(t) => t,
        Err(why) => return skipped(why),
    };
    let reference_warm_up = reference.map(reference_run);
    let runs = match reference_warm_up {
        Some(r) if r >= Duration::from_secs(2) => runs,
        _ if warm_up < FAST || reference_warm_up.is_some() => runs.max(FAST_RUNS),
        _ => runs,
    };
    let mut times = Vec::new();
    let mut reference_times = Vec::new();
    // The pairs alternate which side runs first, so what one run leaves behind for the next
    // (caches, a core's clock) favours neither side.
    for i in 0..runs {
        if let Some(r) = reference.filter(|_| i % 2 == 1) {
            reference_times.push(reference_run(r));
        }
        match run(None) {
            Ok(t) => times.push(t),
            Err(why) => return skipped(why),
        }
        if let Some(r) = reference.filter(|_| i % 2 == 0) {
            reference_times.push(reference_run(r));
        }
    }
    let peak_kib = gnu_time().and_then(|time| {
        let mem_file = tempfile::NamedTempFile::new().unwrap();
        run(Some((&time, mem_file.path()))).ok()?;
        let text = std::fs::read_to_string(mem_file.path()).ok()?;
        text.lines().last()?.trim().parse::<u64>().ok()
    });
    let median = |mut times: Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    let ratio = (!reference_times.is_empty())
        .then(|| median(times.clone()).as_secs_f64() / median(reference_times).as_secs_f64());
    Sample {
        median: median(times),
        peak_kib,
        ratio,
    }
}

/// Exit 0 or 1 (`lint-deps` with findings): the command answered.
fn answered(status: std::process::ExitStatus) -> bool {
    matches!(status.code(), Some(0 | 1))
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
        ratio: None,
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

/// Three decimals below 1, so a ratio next to a target (0.1×) shows which side it is on.
fn ratio(a: &Sample, b: &Sample) -> String {
    let r = a
        .ratio
        .unwrap_or(a.median.as_secs_f64() / b.median.as_secs_f64());
    if r < 1.0 {
        format!("{r:.3}×")
    } else {
        format!("{r:.2}×")
    }
}

/// What a second busy thread costs the first on this machine: the median time of a fixed
/// CPU-bound loop (no memory traffic) run beside an identical one, over its time alone (1.00:
/// two independent cores; 2.00: one core shared). Parallel work (rayon's, and the Python
/// discovery `lint-deps` runs beside the crate rules) hides behind other work only as far as
/// this allows.
fn two_thread_cost() -> f64 {
    fn spin() -> Duration {
        let start = Instant::now();
        let mut x = 0u64;
        for i in 0..20_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(i));
        }
        std::hint::black_box(x);
        start.elapsed()
    }
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let alone = median((0..9).map(|_| spin()).collect());
    let beside = median(
        (0..9)
            .map(|_| {
                std::thread::scope(|s| {
                    let other = s.spawn(spin);
                    let mine = spin();
                    mine.max(other.join().unwrap())
                })
            })
            .collect(),
    );
    beside.as_secs_f64() / alone.as_secs_f64()
}

/// The least the Python half of `lint-deps` can cost in the tree at `root`: listing
/// `*/python/*`, then reading each folder's `pyproject.toml` and parsing it with `toml` (the
/// parser `lint-deps` uses), on one thread, in this process (so no process start and a warm
/// allocator), with nothing read from the parse. Median of 21 after one warm-up; with the
/// number of files read.
fn python_floor(root: &Path) -> (Duration, usize) {
    let once = || {
        let start = Instant::now();
        let mut files = 0;
        for domain in std::fs::read_dir(root).unwrap().flatten() {
            let Ok(folders) = std::fs::read_dir(domain.path().join("python")) else {
                continue;
            };
            for folder in folders.flatten() {
                let Ok(text) = std::fs::read_to_string(folder.path().join("pyproject.toml")) else {
                    continue;
                };
                std::hint::black_box(toml::de::DeTable::parse(&text).unwrap());
                files += 1;
            }
        }
        (start.elapsed(), files)
    };
    once();
    let mut times: Vec<(Duration, usize)> = (0..21).map(|_| once()).collect();
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let opts = parse_opts();
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_cargo-ccworkspace"));
    let cargo = generator::cargo_program();
    let mut report = String::new();
    let cost = two_thread_cost();
    let _ = writeln!(
        report,
        "Machine: {} CPUs; a CPU-bound loop beside an identical one takes {cost:.2}× its time \
         alone (1.00: independent cores).\n",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let _ = writeln!(
        report,
        "| crates | what | median | peak memory | reference | ratio |\n|---:|---|---:|---:|---|---:|"
    );
    for &size in &opts.sizes {
        eprintln!("generating {size} crates ...");
        let tmp = tempfile::tempdir().unwrap();
        let root = match &opts.generate_only {
            Some(dir) => dir.join(format!("ws-{size}")),
            None => tmp.path().join("ws"),
        };
        let spec = Spec {
            crates: size,
            domains: 50.min(size.max(1)),
            registry_deps: true,
            ..Spec::default()
        };
        let g = generator::generate(&root, &spec).unwrap();
        let repo = Repo::init(&root);
        let steps = generator::make_history(&repo, &g, 1).unwrap();
        if let Some(dir) = &opts.generate_only {
            for s in &steps {
                eprintln!("{:?} {} {}", s.kind, s.parent, s.commit);
            }
            if opts.python_only {
                // The two trees the Python rows compare: with the packages, and the same files
                // with the Python half off.
                for (suffix, python_off) in [("py", false), ("py-off", true)] {
                    let dir = dir.join(format!("ws-{size}-{suffix}"));
                    let g = generator::generate(
                        &dir,
                        &Spec {
                            python_packages: size * 2 / 5,
                            python_off,
                            ..spec.clone()
                        },
                    )
                    .unwrap();
                    let repo = Repo::init(&dir);
                    for s in generator::make_history(&repo, &g, 1).unwrap() {
                        eprintln!("{suffix} {:?} {} {}", s.kind, s.parent, s.commit);
                    }
                }
            }
            continue;
        }
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
        // Rows compared with cargo metadata run it after each of their own runs.
        let metadata_ref = Reference {
            name: "cargo metadata",
            program: &cargo,
            args: &["metadata", "--format-version", "1"],
            dir: None,
            env: &[],
        };
        let no_deps_ref = Reference {
            name: "cargo metadata --no-deps",
            program: &cargo,
            args: &["metadata", "--format-version", "1", "--no-deps"],
            dir: None,
            env: &[],
        };
        // `dockerfile` (everything up to date after the warm-up run), `--check`, and `--verify`
        // of every image (one `cargo metadata` per image in its rebuilt context).
        let dockerfile_rows = |report: &mut String| {
            let write =
                measure_against(&root, &bin, &["dockerfile", "-q"], runs, &[], metadata_ref);
            row(
                report,
                "`dockerfile` (every image planned, rendered and compared; nothing to write)",
                &write,
                Some((metadata_ref.name, &metadata)),
            );
            let check = measure_against(
                &root,
                &bin,
                &["dockerfile", "-q", "--check"],
                runs,
                &[],
                metadata_ref,
            );
            row(
                report,
                "`dockerfile --check`",
                &check,
                Some((metadata_ref.name, &metadata)),
            );
            let images = {
                let mut found = Vec::new();
                find_named(&root, "Dockerfile", &mut found);
                found.len()
            };
            let verify = measure_against(
                &root,
                &bin,
                &["dockerfile", "-q", "--verify"],
                runs,
                &[],
                metadata_ref,
            );
            row(
                report,
                &format!("`dockerfile --verify`, all {images} images"),
                &verify,
                Some((metadata_ref.name, &metadata)),
            );
            // The floor under `--verify`: cargo started once per image, as many at a time as
            // `--verify` runs, each in a one-crate workspace (no context to build, nothing to
            // read), with the same environment `--verify` gives it.
            let one = tempfile::tempdir().unwrap();
            std::fs::create_dir_all(one.path().join("src")).unwrap();
            std::fs::write(
                one.path().join("Cargo.toml"),
                "[package]\nname = \"one\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            )
            .unwrap();
            std::fs::write(one.path().join("src/lib.rs"), "").unwrap();
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            let floor_row = |report: &mut String, script: &str, what: &str| {
                let floor = measure_env(
                    &root,
                    Path::new("/bin/sh"),
                    &["-c", script],
                    runs,
                    true,
                    &[("SSL_CERT_FILE", "/dev/null")],
                    Some(metadata_ref),
                );
                row(
                    report,
                    &format!("floor under `--verify`: {what}, {threads} at a time"),
                    &floor,
                    Some((metadata_ref.name, &metadata)),
                );
            };
            let script = format!(
                "yes '{}' | head -n {images} | xargs -P {threads} -n 1 '{}' metadata --offline \
                 --no-deps --format-version 1 --manifest-path",
                one.path().join("Cargo.toml").display(),
                cargo.display()
            );
            floor_row(
                report,
                &script,
                &format!(
                    "{images} × `cargo metadata --offline --no-deps` in a one-crate workspace"
                ),
            );
            // The floor with cargo's own work: the same cargo in each image's real context,
            // built once beforehand (so only cargo is timed).
            let contexts = tempfile::tempdir().unwrap();
            let list = prebuilt_contexts(&root, contexts.path());
            let list_file = contexts.path().join("contexts.txt");
            std::fs::write(&list_file, list.join("\n")).unwrap();
            let script = format!(
                "xargs -a '{}' -P {threads} -I{{}} '{}' metadata --offline --no-deps \
                 --format-version 1 --manifest-path {{}}/Cargo.toml",
                list_file.display(),
                cargo.display()
            );
            floor_row(
                report,
                &script,
                &format!(
                    "`cargo metadata --offline --no-deps` in each of the {} images' contexts \
                     (built beforehand)",
                    list.len()
                ),
            );
        };
        if opts.dockerfile_only {
            dockerfile_rows(&mut report);
            continue;
        }
        // What the Python half costs (issue 15): the same monorepo (same seed, same crates, same
        // history) with 2 Python packages per 5 crates, each depending on PyO3 wheels and
        // earlier packages, against the one without; `affected` on the same source-only change
        // (cold cache) and `lint-deps` on the whole workspace.
        let python_rows = |report: &mut String| {
            let n = size * 2 / 5;
            let root_py = tmp.path().join("ws-py");
            let spec_py = Spec {
                python_packages: n,
                ..spec.clone()
            };
            let g_py = generator::generate(&root_py, &spec_py).unwrap();
            let repo_py = Repo::init(&root_py);
            let steps_py = generator::make_history(&repo_py, &g_py, 1).unwrap();
            let leaf_py = steps_py
                .iter()
                .find(|s| s.kind == StepKind::LeafSource)
                .unwrap();
            // The same Python monorepo with the Python half turned off (`enabled = false`):
            // the same files and history, read as a Rust-only monorepo would be, so the ratio
            // against it is the Python half's own cost (git's and the walk's for the larger
            // tree are in both).
            let root_off = tmp.path().join("ws-py-off");
            let g_off = generator::generate(
                &root_off,
                &Spec {
                    python_off: true,
                    ..spec_py.clone()
                },
            )
            .unwrap();
            let repo_off = Repo::init(&root_off);
            let steps_off = generator::make_history(&repo_off, &g_off, 1).unwrap();
            let leaf_off = steps_off
                .iter()
                .find(|s| s.kind == StepKind::LeafSource)
                .unwrap();
            repo.git(&["checkout", "-q", "--detach", &leaf.commit]);
            repo_py.git(&["checkout", "-q", "--detach", &leaf_py.commit]);
            repo_off.git(&["checkout", "-q", "--detach", &leaf_off.commit]);
            let cold = [("CCWORKSPACE_NO_CACHE", "1")];
            let affected_in = |dir: &Path, parent: &str, reference: Option<Reference>| {
                let runs = if reference.is_some() {
                    runs.max(PYTHON_PAIRS)
                } else {
                    runs
                };
                measure_env(
                    dir,
                    &bin,
                    &["affected", "-q", "--base", parent],
                    runs,
                    true,
                    &cold,
                    reference,
                )
            };
            let without = affected_in(&root, &leaf.parent, None);
            let off = affected_in(&root_off, &leaf_off.parent, None);
            // Against the Python half off, each run followed by one of the reference (cold
            // cache both), so load that comes and goes moves both.
            let off_args = ["affected", "-q", "--base", leaf_off.parent.as_str()];
            let with = affected_in(
                &root_py,
                &leaf_py.parent,
                Some(Reference {
                    name: "Python half off",
                    program: &bin,
                    args: &off_args,
                    dir: Some(&root_off),
                    env: &cold,
                }),
            );
            row(
                report,
                "`affected`, source-only change, cold cache, no Python packages",
                &without,
                None,
            );
            row(
                report,
                &format!("`affected`, same change, {n} Python packages, Python half off"),
                &off,
                None,
            );
            row(
                report,
                &format!("`affected`, same change, with {n} Python packages"),
                &Sample {
                    ratio: None,
                    ..with
                },
                Some(("no Python packages", &without)),
            );
            row(
                report,
                &format!("`affected`, same change, with {n} Python packages"),
                &with,
                Some(("Python half off", &off)),
            );
            let lint_without = measure(&root, &bin, &["lint-deps", "-q"], runs, false);
            let lint_off = measure(&root_off, &bin, &["lint-deps", "-q"], runs, false);
            let lint_with = measure_env(
                &root_py,
                &bin,
                &["lint-deps", "-q"],
                runs.max(PYTHON_PAIRS),
                false,
                &[],
                Some(Reference {
                    name: "Python half off",
                    program: &bin,
                    args: &["lint-deps", "-q"],
                    dir: Some(&root_off),
                    env: &[],
                }),
            );
            row(
                report,
                "`lint-deps`, no Python packages",
                &lint_without,
                None,
            );
            row(
                report,
                &format!("`lint-deps`, {n} Python packages, Python half off"),
                &lint_off,
                None,
            );
            row(
                report,
                &format!("`lint-deps`, with {n} Python packages"),
                &Sample {
                    ratio: None,
                    ..lint_with
                },
                Some(("no Python packages", &lint_without)),
            );
            row(
                report,
                &format!("`lint-deps`, with {n} Python packages"),
                &lint_with,
                Some(("Python half off", &lint_off)),
            );
            let (floor, files) = python_floor(&root_py);
            row(
                report,
                &format!(
                    "floor of the Python half: list `*/python/*`, read and parse (`toml`) its \
                     {files} `pyproject.toml`, one thread, in-process"
                ),
                &Sample {
                    median: floor,
                    peak_kib: None,
                    ratio: None,
                },
                Some(("`lint-deps`, Python half off", &lint_off)),
            );
        };
        if opts.python_only {
            python_rows(&mut report);
            continue;
        }
        let affected_env =
            |step: &HistoryStep, env: &[(&str, &str)], reference: Option<Reference>| -> Sample {
                repo.git(&["checkout", "-q", "--detach", &step.commit]);
                measure_env(
                    &root,
                    &bin,
                    &["affected", "-q", "--base", &step.parent],
                    runs,
                    true,
                    env,
                    reference,
                )
            };
        let affected = |step: &HistoryStep, cache: bool, reference: Option<Reference>| -> Sample {
            let env: &[(&str, &str)] = if cache {
                &[]
            } else {
                &[("CCWORKSPACE_NO_CACHE", "1")]
            };
            affected_env(step, env, reference)
        };
        let src = affected(leaf, false, Some(metadata_ref));
        row(
            &mut report,
            "`affected`, source-only change, cold cache (the member manifests answer)",
            &src,
            Some((metadata_ref.name, &metadata)),
        );
        let core = by_kind[&StepKind::CoreSource];
        let core_src = affected(core, false, Some(metadata_ref));
        row(
            &mut report,
            "`affected`, source change in the core crate, cold cache (the member manifests answer)",
            &core_src,
            Some((metadata_ref.name, &metadata)),
        );
        if opts.cold_only {
            continue;
        }
        // The same commit again: nothing changed in manifests or the lockfile since the last run.
        let again = affected(leaf, true, Some(metadata_ref));
        row(
            &mut report,
            "`affected`, nothing changed since the last run",
            &again,
            Some((metadata_ref.name, &metadata)),
        );
        // The source-only change with the graph from cargo metadata (and simulated builds where
        // the graph cannot decide), as when a root file changed too.
        let via_cargo = affected_env(
            leaf,
            &[
                ("CCWORKSPACE_NO_CACHE", "1"),
                ("CCWORKSPACE_GRAPH", "cargo"),
            ],
            None,
        );
        let theirs = determinator(&repo, &leaf.parent, runs);
        row(
            &mut report,
            "determinator, same change as below (LeafSource)",
            &theirs,
            None,
        );
        row(
            &mut report,
            "`affected`, source-only change, graph from `cargo metadata` (`CCWORKSPACE_GRAPH=cargo`)",
            &via_cargo,
            Some(("determinator", &theirs)),
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
            let ours = affected(step, false, None);
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
        let lint_all = measure_against(&root, &bin, &["lint-deps", "-q"], runs, &[], no_deps_ref);
        row(
            &mut report,
            "`lint-deps`, whole workspace",
            &lint_all,
            Some((no_deps_ref.name, &no_deps)),
        );
        let one = format!("{}/Cargo.toml", g.crates[g.crates.len() / 2].path);
        let lint_one = measure_against(
            &root,
            &bin,
            &["lint-deps", "-q", &one],
            runs,
            &[],
            no_deps_ref,
        );
        row(
            &mut report,
            "`lint-deps`, one manifest (pre-commit)",
            &lint_one,
            Some((no_deps_ref.name, &no_deps)),
        );
        dockerfile_rows(&mut report);
        python_rows(&mut report);
    }
    println!("{report}");
    if let Some(out) = opts.out {
        std::fs::write(out, &report).unwrap();
    }
}

/// Every image's context under `root`, built as `--verify` builds it (the tree filtered by the
/// image's `Dockerfile.dockerignore`, the Dockerfile's trimmed manifest as the root
/// `Cargo.toml`), one folder each under `out`; returns the folders.
fn prebuilt_contexts(root: &Path, out: &Path) -> Vec<String> {
    use cargo_ccworkspace::docker::{ignore::IgnoreFile, render, verify};
    let tree = verify::tree(root).unwrap();
    let mut dockerfiles = Vec::new();
    find_named(root, "Dockerfile", &mut dockerfiles);
    dockerfiles.sort();
    dockerfiles
        .iter()
        .enumerate()
        .map(|(i, dockerfile)| {
            let text = std::fs::read_to_string(dockerfile).unwrap();
            let ignore =
                std::fs::read_to_string(dockerfile.with_file_name("Dockerfile.dockerignore"))
                    .unwrap();
            let ignore = IgnoreFile::parse(&ignore).unwrap();
            let manifest = render::embedded_manifest(&text).unwrap();
            let dir = out.join(format!("ctx-{i}")).join("work");
            let mut context = verify::Context::new(dir.clone(), false);
            context.sync(root, &tree, &ignore, &manifest).unwrap();
            dir.display().to_string()
        })
        .collect()
}

/// Every file named `name` under `dir` (not in `.git` or `target`), pushed onto `found`.
fn find_named(dir: &Path, name: &str, found: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let file = e.file_name();
        let kind = e.file_type().unwrap();
        if kind.is_dir() && file != ".git" && file != "target" {
            find_named(&e.path(), name, found);
        } else if kind.is_file() && file == name {
            found.push(e.path());
        }
    }
}
