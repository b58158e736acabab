//! `cargo ccworkspace affected`: glue from the flags to git, cargo, the pure core and the output.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context;

use crate::affected::report;
use crate::cli::{AffectedArgs, AffectedFormat, GlobalOpts};
use crate::errors::{Status, UserError};
use crate::output::Output;

pub fn run(global: &GlobalOpts, args: &AffectedArgs, out: &Output) -> anyhow::Result<Status> {
    let (ws, outcome, prov, config) =
        crate::changes::analyse(&global.metadata(), &args.change.options(), out)?;
    if let Some(name) = &args.explain {
        if ws.member(name).is_none()
            && !outcome.deleted.iter().any(|d| &d.name == name)
            && !outcome
                .python_packages
                .contains_key(&crate::python::normalize(name))
        {
            return Err(UserError::new(
                format!(
                    "`{name}` is not a member of the workspace at {}{}",
                    ws.root,
                    if outcome.python_packages.is_empty() {
                        ""
                    } else {
                        ", nor one of its Python packages"
                    }
                ),
                "check the crate or distribution name (`cargo ccworkspace affected` lists the affected ones)",
            )
            .into());
        }
        crate::output::print_stdout(&report::explain(
            name,
            &ws,
            &outcome,
            config.affected.features_mode,
        ))?;
        return Ok(Status::Ok);
    }
    let docker = config.docker;
    let rows = report::rows(&ws, &outcome, args.direct, &args.kind, &|k| {
        docker.has_image(k)
    });
    let python_rows = rows.iter().filter(|r| r.is_python()).count();
    let python_total = outcome.python_packages.len();
    if let Some(why) = &outcome.all {
        out.status("Affected", format!("every crate: {why}"));
    } else if python_total > 0 {
        out.status(
            "Affected",
            format!(
                "{} of {} crates, {python_rows} of {python_total} Python packages",
                rows.len() - python_rows,
                ws.members.len()
            ),
        );
    } else {
        out.status(
            "Affected",
            format!("{} of {} crates", rows.len(), ws.members.len()),
        );
    }
    let text = match args.format {
        AffectedFormat::Names => report::names(&rows),
        AffectedFormat::Json => report::json(&prov, &outcome, &rows),
        AffectedFormat::CargoArgs => report::cargo_args(&rows),
        AffectedFormat::Nextest => report::nextest(&rows),
        AffectedFormat::Mermaid => report::mermaid(&ws, &rows),
        AffectedFormat::Github => {
            let python_dirs: Vec<&str> = outcome
                .python_packages
                .values()
                .map(String::as_str)
                .collect();
            let text = report::github(
                &rows,
                args.group_by,
                args.max_jobs as usize,
                &report::TestTemplates {
                    python: &config.python.test_command_for(outcome.python_uv_workspace),
                    rust: &config.python.rust_test_command,
                    python_dirs: &python_dirs,
                },
            );
            if let Some(path) = std::env::var_os("GITHUB_OUTPUT").filter(|p| !p.is_empty()) {
                let mut file = std::fs::OpenOptions::new()
                    .append(true)
                    .create(true)
                    .open(&path)
                    .map_err(|e| {
                        UserError::new(
                            format!(
                                "cannot write to $GITHUB_OUTPUT ({}): {e}",
                                PathBuf::from(&path).display()
                            ),
                            "run inside GitHub Actions, or unset GITHUB_OUTPUT to print to stdout",
                        )
                    })?;
                file.write_all(text.as_bytes()).with_context(|| {
                    format!("failed to write {}", PathBuf::from(&path).display())
                })?;
                out.status("Wrote", "matrix, count and jobs to $GITHUB_OUTPUT");
                return Ok(Status::Ok);
            }
            text
        }
    };
    crate::output::print_stdout(&text)?;
    Ok(Status::Ok)
}
