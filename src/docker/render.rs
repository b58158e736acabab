//! A [`DockerPlan`] as text: the Dockerfile and its `Dockerfile.dockerignore`, from templates
//! embedded in the binary (`src/docker/templates/`).
//!
//! Output is byte-for-byte deterministic: it depends only on the plan, the configuration and
//! the root manifest, never on the machine, the time or the tool's version (so a tool upgrade
//! that changes nothing in the output does not make every file stale).

use super::{DockerPlan, GENERATED_MARKER, Image, quote, trim};
use crate::config::DockerConfig;
use crate::errors::UserError;

const DOCKERFILE_TEMPLATE: &str = include_str!("templates/Dockerfile.in");
const IGNORE_TEMPLATE: &str = include_str!("templates/Dockerfile.dockerignore.in");

/// The two generated files of one crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub dockerfile: String,
    pub dockerignore: String,
    /// The trimmed root manifest embedded in the Dockerfile.
    pub manifest: String,
}

/// Settings that cannot be written into a Dockerfile, as (what, fix): `cargo-home` is a
/// `RUN --mount` target (a comma-separated option list, not a word that can be quoted), so it
/// must be an absolute path of letters, digits and `_-./@+`.
pub fn check_config(config: &DockerConfig) -> Result<(), (String, String)> {
    let cargo_home = config.cargo_home.trim_end_matches('/');
    if !cargo_home.starts_with('/')
        || !cargo_home
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '@' | '+'))
    {
        return Err((
            format!(
                "[workspace.metadata.ccworkspace.docker] cargo-home = {} cannot be a cache mount \
                 target: it must be an absolute path of letters, digits and `_-./@+`",
                quote::toml_string(&config.cargo_home)
            ),
            "set cargo-home to the CARGO_HOME of the builder image, e.g. \"/usr/local/cargo\""
                .to_string(),
        ));
    }
    Ok(())
}

/// Render one plan.
pub fn render(
    plan: &DockerPlan,
    config: &DockerConfig,
    root: &trim::RootTrimmer,
) -> anyhow::Result<Rendered> {
    let manifest = root.trim(
        &plan.members,
        &plan.context_dirs,
        &plan.workspace_deps,
        plan.with_root_package,
    );
    let eof = "EOF";
    if manifest.lines().any(|l| l.trim() == eof) {
        return Err(UserError::new(
            format!(
                "the trimmed root manifest for {} has a line `{eof}`, which would end the Dockerfile heredoc",
                plan.name
            ),
            "remove that line from the root Cargo.toml",
        )
        .into());
    }
    let dockerfile_path = plan.dockerfile_path();
    let ignore_path = plan.ignore_path();
    check_config(config).map_err(|why| UserError::new(why.0, why.1))?;
    let cargo_home = config.cargo_home.trim_end_matches('/');
    let (build, runtime_image, runtime) = match &plan.image {
        Image::Pyo3 => {
            // BuildKit reads a `RUN` word that starts with `<<` as a heredoc, even quoted.
            let manifest = crate::workspace::join(&plan.path, "Cargo.toml");
            let manifest = if manifest.starts_with('<') {
                format!("./{manifest}")
            } else {
                manifest
            };
            (
                format!(
                    "maturin build --release -m {} -i {} --out /dist",
                    quote::sh_word(&manifest),
                    quote::sh_word(&format!("python{}", config.python_version))
                ),
                config.pyo3_runtime(),
                "RUN --mount=type=bind,from=build,source=/dist,target=/tmp/wheels \\\n    \
                 pip install --no-cache-dir /tmp/wheels/*.whl"
                    .to_string(),
            )
        }
        Image::Bin { bin, features } => {
            // `plan` admits only names rustc accepts (letters, digits, `_`, `-`), which mean
            // nothing to `COPY`'s variable expansion or globbing.
            let sh_bin = quote::sh_word(bin);
            (
                format!(
                    "cargo build --release -p {} --bin {sh_bin}{} \\\n    \
                     && mkdir -p /out && cp {} /out/",
                    quote::sh_word(&plan.name),
                    if features.is_empty() {
                        String::new()
                    } else {
                        format!(" --features {}", quote::sh_word(&features.join(",")))
                    },
                    quote::sh_word(&format!("/work/target/release/{bin}"))
                ),
                config.bin_runtime(),
                format!(
                    "COPY --from=build /out/{bin} /usr/local/bin/{bin}\n\
                     ENTRYPOINT [{}]",
                    quote::json_string(&format!("/usr/local/bin/{bin}"))
                ),
            )
        }
    };
    let dockerfile = fill(
        DOCKERFILE_TEMPLATE,
        &[
            ("marker", GENERATED_MARKER),
            ("name", &plan.name),
            ("name_word", &quote::sh_word(&plan.name)),
            ("dockerfile", &dockerfile_path),
            ("dockerfile_word", &quote::sh_word(&dockerfile_path)),
            ("tag", &quote::sh_word(&quote::image_tag(&plan.name))),
            ("ignore", &ignore_path),
            (
                "builder_image",
                &quote::dockerfile_value(&config.builder_image),
            ),
            ("runtime_image", &quote::dockerfile_value(&runtime_image)),
            ("eof", eof),
            ("manifest", &manifest),
            ("cargo_home", cargo_home),
            ("build", &build),
            ("runtime", &runtime),
        ],
    );
    let admit_lines = |files: &mut dyn Iterator<Item = &String>| {
        files
            .map(|f| format!("!{}\n", quote::ignore_literal(f)))
            .collect::<String>()
    };
    let admit = admit_lines(&mut plan.root_files.iter().chain(&plan.context_dirs));
    // `extra-files` are patterns as the user wrote them (globs allowed).
    let extra: String = plan.extra_files.iter().map(|f| format!("!{f}\n")).collect();
    let dockerignore = fill(
        IGNORE_TEMPLATE,
        &[
            ("marker", GENERATED_MARKER),
            ("name_word", &quote::sh_word(&plan.name)),
            ("dockerfile", &dockerfile_path),
            ("admit", &admit),
            ("extra", &extra),
        ],
    );
    Ok(Rendered {
        dockerfile,
        dockerignore,
        manifest,
    })
}

/// Replace each `{{key}}` in one pass, so a value that contains `{{` is left alone.
pub(crate) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}").and_then(|end| {
            let key = &after[..end];
            values
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v, end))
        }) {
            Some((value, end)) => {
                out.push_str(value);
                rest = &after[end + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The command in a Dockerfile's build `RUN` (after the cache mounts), with line
/// continuations joined: what the context-simulation tests run.
pub fn build_command(dockerfile: &str) -> Option<String> {
    let mut lines = dockerfile
        .lines()
        .skip_while(|l| !l.starts_with("RUN --mount=type=cache"));
    let mut joined = String::new();
    for line in lines.by_ref() {
        let line = line.trim();
        let (body, more) = match line.strip_suffix('\\') {
            Some(body) => (body.trim(), true),
            None => (line, false),
        };
        if !body.starts_with("RUN --mount") && !body.starts_with("--mount") {
            if !joined.is_empty() {
                joined.push(' ');
            }
            joined.push_str(body);
        }
        if !more {
            break;
        }
    }
    (!joined.is_empty()).then_some(joined)
}

/// The trimmed manifest embedded in a Dockerfile's `COPY <<'EOF' Cargo.toml` heredoc.
pub fn embedded_manifest(dockerfile: &str) -> Option<String> {
    let start = dockerfile.find("COPY <<'EOF' Cargo.toml\n")? + "COPY <<'EOF' Cargo.toml\n".len();
    let body = &dockerfile[start..];
    let end = body.find("\nEOF\n")?;
    Some(format!("{}\n", &body[..end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_known_keys_once() {
        assert_eq!(
            fill("a {{x}} {{y}} {{z", &[("x", "{{y}}"), ("y", "2")]),
            "a {{y}} 2 {{z"
        );
    }

    #[test]
    fn build_command_joins_continuations() {
        let text = "RUN --mount=type=cache,target=/a \\\n    --mount=type=cache,target=/b \\\n    cargo build -p x \\\n    && cp a b\n\nFROM y\n";
        assert_eq!(build_command(text).unwrap(), "cargo build -p x && cp a b");
    }
}
