//! `cargo ccworkspace lint-deps`: load the manifests, run the rules, render, fix.

use crate::cli::{GlobalOpts, LintDepsArgs, LintFormat};
use crate::config::Config;
use crate::diag;
use crate::errors::Status;
use crate::fsutil::{FileWrite, unified_diff, write_all_atomic};
use crate::lint::{self, Finding, Level, plan};
use crate::model::{self, LoadOptions, Workspace};
use crate::output::{Output, count};
use crate::python;
use std::collections::BTreeSet;
use std::path::PathBuf;

pub fn run(global: &GlobalOpts, args: &LintDepsArgs, out: &Output) -> anyhow::Result<Status> {
    let opts = LoadOptions {
        manifest_path: global.manifest_path.clone(),
        only: args.manifests.clone(),
        find_orphans: args.manifests.is_empty(),
    };
    if opts.only.is_empty() {
        // The Python packages need no crate: read them while the crates load.
        python::prefetch_for(opts.manifest_path.as_deref(), python::Beside::CrateWalk);
    }
    let mut ws = model::load(&opts)?;
    let config = Config::from_manifest_text(ws.root.text(), &ws.root.path)?;
    let scope = python_scope(&ws, &args.manifests);
    let chosen = plan::fix_rules(args.fix.as_deref())?;
    let clock = std::time::Instant::now();
    let mut findings = check(&mut ws, &config, &opts, &scope)?;
    scope.retain(&mut findings);
    plan::select_fixes(&mut findings, &chosen);
    let check_time = clock.elapsed();
    out.verbose(format!(
        "checked {} of {} members in {}",
        ws.selected.len(),
        ws.members.len(),
        ws.root_dir.display()
    ));
    for (phase, time) in ws.timings.iter().chain([&("run the rules", check_time)]) {
        out.verbose(format!("{:>8.1} ms  {phase}", time.as_secs_f64() * 1000.0));
    }

    if !(args.fix.is_some() || args.diff) {
        report(&ws, &scope, &findings, args.format, out)?;
        let status = status(&findings);
        // Freeing thousands of parsed documents just before exit is wasted time.
        std::mem::forget(ws);
        return Ok(status);
    }

    let changes = plan::fixed_files(&ws, &mut findings, &chosen)?;
    let (changes, later) = if changes.is_empty() {
        (changes, 0)
    } else {
        // The passes after the first edit a copy in memory; `ws` keeps the texts the findings
        // point at.
        plan::settle(ws.reparsed()?, &config.lint_deps, &chosen, changes)?
    };
    if args.diff {
        let mut diff = String::new();
        for (path, (old, new)) in &changes {
            diff.push_str(&unified_diff(path, old, new));
        }
        crate::output::print_stdout(&diff)?;
        if args.format == LintFormat::Human {
            report(&ws, &scope, &findings, args.format, out)?;
        }
        return Ok(status(&findings));
    }

    // --fix: write every changed file or none, then report what is left.
    let writes: Vec<FileWrite> = changes
        .iter()
        .map(|(path, (_, new))| FileWrite {
            path: ws.root_dir.join(path),
            contents: new.clone(),
        })
        .collect();
    let fixed = later
        + findings
            .iter()
            .filter(|f| f.fixable() && chosen.contains(&f.rule))
            .count();
    write_all_atomic(&writes)?;
    if !writes.is_empty() {
        out.status(
            "Fixed",
            format!(
                "{} in {}",
                count(fixed, "finding"),
                count(writes.len(), "file")
            ),
        );
    }
    let mut ws = model::load(&opts)?;
    let config = config_of(&ws)?;
    let mut remaining = check(&mut ws, &config, &opts, &scope)?;
    scope.retain(&mut remaining);
    plan::select_fixes(&mut remaining, &chosen);
    report(&ws, &scope, &remaining, args.format, out)?;
    let status = status(&remaining);
    // Freeing thousands of parsed documents just before exit is wasted time.
    std::mem::forget(ws);
    Ok(status)
}

/// Which Python packages the Python rules report on.
enum PythonScope {
    /// No Python rule runs: MANIFEST arguments without a `pyproject.toml`.
    Off,
    /// Every package: a whole run, or the root `pyproject.toml` or `.python-version` given.
    All,
    /// The packages whose `pyproject.toml` was given (what pre-commit passes).
    Dirs(BTreeSet<String>),
}

impl PythonScope {
    /// How many Python packages (not PyO3 crates' Python sides) the Python rules checked.
    fn python_packages(&self, ws: &Workspace) -> usize {
        let Some(py) = &ws.python else {
            return 0;
        };
        py.packages
            .iter()
            .filter(|p| matches!(p.kind, python::PackageKind::Python))
            .filter(|p| match self {
                PythonScope::Off => false,
                PythonScope::All => true,
                PythonScope::Dirs(dirs) => dirs.contains(&p.dir),
            })
            .count()
    }

    /// Drop the Python findings in files outside the scope.
    fn retain(&self, findings: &mut Vec<Finding>) {
        if let PythonScope::Dirs(dirs) = self {
            findings.retain(|f| {
                !lint::python::RULES.contains(&f.rule)
                    || dirs.contains(&crate::model::parent_dir(&f.file))
            });
        }
    }
}

/// What the summary line says was checked: `3 members`, `3 members and 2 Python packages`,
/// `1 Python package` (a `pyproject.toml` given alone).
fn checked(members: usize, python: usize) -> String {
    match (members, python) {
        (_, 0) => count(members, "member"),
        (0, _) => count(python, "Python package"),
        _ => format!(
            "{} and {}",
            count(members, "member"),
            count(python, "Python package")
        ),
    }
}

fn python_scope(ws: &Workspace, manifests: &[PathBuf]) -> PythonScope {
    if ws.whole {
        return PythonScope::All;
    }
    let root = ws.root_dir.canonicalize().unwrap_or(ws.root_dir.clone());
    let mut dirs = BTreeSet::new();
    for p in manifests {
        let Ok(abs) = std::path::absolute(p) else {
            continue;
        };
        let abs = abs.canonicalize().unwrap_or(abs);
        // A package's folder stands for its `pyproject.toml`, as a member's folder for its
        // `Cargo.toml`.
        let abs = if abs.is_dir() {
            abs.join("pyproject.toml")
        } else {
            abs
        };
        let Some(name) = abs.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(dir) = abs
            .parent()
            .and_then(|d| d.strip_prefix(&root).ok())
            .and_then(|d| d.to_str())
        else {
            continue;
        };
        let dir = dir.replace('\\', "/");
        match name {
            "pyproject.toml" | ".python-version" if dir.is_empty() => return PythonScope::All,
            "pyproject.toml" => {
                dirs.insert(dir);
            }
            _ => {}
        }
    }
    if dirs.is_empty() {
        PythonScope::Off
    } else {
        PythonScope::Dirs(dirs)
    }
}

/// Run the rules ([`lint::check_discovering`]): the crate rules, and meanwhile the Python
/// packages found ([`discover_python`]) and their rules. Keeps what was found in
/// `ws.python` (for the report and `--fix`). Errors: [`discover_python`]'s.
fn check(
    ws: &mut Workspace,
    config: &Config,
    opts: &LoadOptions,
    scope: &PythonScope,
) -> anyhow::Result<Vec<Finding>> {
    let mut took = None;
    // Taken here, outside rayon's pool: a job of the pool may not wait for it.
    let prefetched = python::take_prefetched();
    let (findings, python) = lint::check_discovering(ws, &config.lint_deps, || {
        let clock = std::time::Instant::now();
        let found = discover_python(ws, config, opts, scope, prefetched);
        took = Some(clock.elapsed());
        found
    })?;
    ws.python = python;
    if let Some(took) = took {
        ws.timings.push((
            "discover the Python packages (while the crate rules run)",
            took,
        ));
    }
    Ok(findings)
}

/// Find the Python packages (once) for the Python rules: in a whole run, or when MANIFEST
/// arguments name a `pyproject.toml` (the PyO3 crates are then read from every member, which
/// only a whole load knows). A malformed `pyproject.toml`, requirement, `requires-python` or
/// `.python-version` is an error (exit 2, nothing written). `None`: no Python package (or the
/// scope asks for none). `prefetched`: the scan [`run`] started while the crates loaded
/// ([`python::take_prefetched`]).
fn discover_python(
    ws: &Workspace,
    config: &Config,
    opts: &LoadOptions,
    scope: &PythonScope,
    prefetched: python::Prefetched,
) -> anyhow::Result<Option<python::PythonWorkspace>> {
    if matches!(scope, PythonScope::Off) || !config.python.enabled {
        return Ok(None);
    }
    let pyo3 = if ws.whole {
        lint::python::pyo3_crates(ws)
    } else {
        let every = model::load(&LoadOptions {
            manifest_path: opts.manifest_path.clone(),
            only: Vec::new(),
            find_orphans: false,
        })?;
        let pyo3 = lint::python::pyo3_crates(&every);
        std::mem::forget(every);
        pyo3
    };
    let mut py = python::discover_from(prefetched, &ws.root_dir, &config.python, &pyo3, &|dir| {
        ws.pyprojects.get(dir)
    })?;
    if py.packages.is_empty() {
        return Ok(None);
    }
    lint::python::check_input(&py, &ws.root_dir)?;
    let mut root_python = python::root_python(&ws.root_dir, &py, &config.docker.python_version)?;
    // The PyO3 crates' wheels run on the image's Python too, when `dockerfile` renders
    // their images.
    if config
        .docker
        .images
        .contains(&crate::config::ImageKind::Pyo3)
    {
        root_python.image = config.docker.python_version.parse().ok();
    }
    py.root_python = Some(root_python);
    Ok(Some(py))
}

fn config_of(ws: &Workspace) -> anyhow::Result<Config> {
    Config::from_manifest_text(ws.root.text(), &ws.root.path)
}

fn status(findings: &[Finding]) -> Status {
    if findings.iter().any(|f| f.level == Level::Deny) {
        Status::Findings
    } else {
        Status::Ok
    }
}

/// Print the findings: human on stderr (with a summary), machine formats on stdout.
fn report(
    ws: &Workspace,
    scope: &PythonScope,
    findings: &[Finding],
    format: LintFormat,
    out: &Output,
) -> anyhow::Result<()> {
    let files = ws.files(&findings.iter().map(|f| f.file.as_str()).collect());
    match format {
        LintFormat::Human => {
            anstream::eprint!("{}", diag::human(findings, &files, true));
            let s = diag::Summary::of(findings);
            let checked = checked(ws.selected.len(), scope.python_packages(ws));
            if findings.is_empty() {
                out.status("Checked", format!("{checked}: no findings"));
            } else {
                let fixable = if s.fixable > 0 {
                    format!(" ({} fixable with `--fix`)", s.fixable)
                } else {
                    String::new()
                };
                out.status(
                    "Checked",
                    format!(
                        "{checked}: {}, {}{fixable}",
                        count(s.errors, "error"),
                        count(s.warnings, "warning")
                    ),
                );
            }
        }
        LintFormat::Json => {
            crate::output::print_stdout(&diag::json(findings, &files, out.is_verbose()))?
        }
        LintFormat::Github => crate::output::print_stdout(&diag::github(findings, &files))?,
        LintFormat::Sarif => crate::output::print_stdout(&diag::sarif(findings, &files))?,
    }
    Ok(())
}
