//! One module per subcommand: glue from arguments to the cores and on to the output.

mod affected;
mod dockerfile;
mod docs;
mod init;
mod lint_deps;
mod new;

use crate::cli::{Cli, Command};
use crate::errors::{Status, UserError};
use crate::output::Output;

/// Run the subcommand named on the command line.
pub fn dispatch(cli: &Cli) -> anyhow::Result<Status> {
    let out = Output::new(cli.global.quiet, cli.global.verbose, cli.global.color);
    check_global_flags(cli)?;
    let result = match &cli.command {
        Command::Affected(args) => affected::run(&cli.global, args, &out),
        Command::LintDeps(args) => lint_deps::run(&cli.global, args, &out),
        Command::Dockerfile(args) => dockerfile::run(&cli.global, args, &out),
        Command::Init(args) => init::run(&cli.global, args, &out),
        Command::New(args) => new::run(&cli.global, args, &out),
        Command::Completions(args) => docs::completions(args),
        Command::Man(args) => docs::man(args),
    };
    if let Some(kib) = crate::output::peak_memory_kib() {
        out.verbose(format!("peak memory: {} MiB", kib / 1024));
    }
    result
}

/// Refuse a global flag the command would ignore: `--offline`, `--locked` and `--frozen` are
/// passed to `cargo metadata`, which only `affected` and `dockerfile --affected` run;
/// `init` takes its directory as an argument, not `--manifest-path`.
fn check_global_flags(cli: &Cli) -> Result<(), UserError> {
    let g = &cli.global;
    let (name, runs_cargo) = match &cli.command {
        Command::Affected(_) => ("affected", true),
        Command::Dockerfile(a) => ("dockerfile", a.affected),
        Command::LintDeps(_) => ("lint-deps", false),
        Command::Init(_) => ("init", false),
        Command::New(_) => ("new", false),
        Command::Completions(_) => ("completions", false),
        Command::Man(_) => ("man", false),
    };
    let cargo_flags: Vec<&str> = [
        (g.offline, "--offline"),
        (g.locked, "--locked"),
        (g.frozen, "--frozen"),
    ]
    .into_iter()
    .filter_map(|(on, flag)| on.then_some(flag))
    .collect();
    if !runs_cargo && !cargo_flags.is_empty() {
        let what = if name == "dockerfile" {
            "`dockerfile` without --affected".to_string()
        } else {
            format!("`{name}`")
        };
        return Err(UserError::new(
            format!(
                "{} would do nothing for {what}: it never runs cargo",
                cargo_flags.join(" and ")
            ),
            "drop the flag; it is passed to `cargo metadata` by `affected` and `dockerfile \
             --affected` only",
        ));
    }
    if matches!(cli.command, Command::Init(_)) && g.manifest_path.is_some() {
        return Err(UserError::new(
            "`init` does not take --manifest-path: it lays out a new workspace",
            "pass the directory instead: `cargo ccworkspace init DIR`",
        ));
    }
    Ok(())
}

/// The image generator's model of the workspace at `root` (absolute), for `dockerfile` and
/// `new`: members from the one workspace reader (so both refuse what cargo refuses), their
/// files from [`crate::model::files`], planned by [`crate::docker::model`].
fn image_model(root: &std::path::Path) -> anyhow::Result<crate::docker::WorkspaceModel> {
    let ws = crate::model::load(&crate::model::LoadOptions {
        manifest_path: Some(root.join("Cargo.toml")),
        only: Vec::new(),
        find_orphans: false,
    })?;
    let members = ws
        .members
        .iter()
        .map(|m| {
            // The reader looked for every member's pyproject.toml already.
            let pyproject = ws.pyprojects.get(&m.dir).map(|p| p.text().to_string());
            let files = crate::model::files::read(root, &m.dir, Some(pyproject))?;
            Ok((m.dir.clone(), (m.text().to_string(), files)))
        })
        .collect::<anyhow::Result<_>>()?;
    let root_files = crate::docker::ROOT_BUILD_FILES
        .iter()
        .filter(|f| root.join(f).is_file())
        .map(|f| f.to_string())
        .collect();
    crate::docker::model::workspace_model(
        ws.root.text(),
        &root.join("Cargo.toml").display().to_string(),
        &members,
        root_files,
        &mut |dir| crate::model::files::read_with_manifest(root, dir),
    )
}
