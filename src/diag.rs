//! Rendering [`Finding`]s: `human` (cargo-style, annotate-snippets), `json` (one object per
//! line), `github` (workflow-command annotations) and `sarif` (2.1.0).
//!
//! Renderers return strings; the command decides where they go (human on stderr, the machine
//! formats on stdout).

use std::collections::BTreeMap;

use annotate_snippets::{AnnotationKind, Group, Level as SnippetLevel, Renderer, Snippet};
use serde::Serialize;
use serde_json::json;

use crate::config::line_col;
use crate::lint::{Finding, Level, Rule};

/// Version of the JSON line schema (`docs/lint-deps.md`); bumped on incompatible changes.
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// Where a finding starts and ends (1-based lines and character columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// The position of a finding's span in its file's text.
pub fn position(text: &str, f: &Finding) -> Position {
    let (line, column) = line_col(text, f.span.start);
    let (end_line, end_column) = line_col(text, f.span.end.max(f.span.start));
    Position {
        line,
        column,
        end_line,
        end_column,
    }
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub fixable: usize,
}

impl Summary {
    pub fn of(findings: &[Finding]) -> Summary {
        Summary {
            errors: findings.iter().filter(|f| f.level == Level::Deny).count(),
            warnings: findings.iter().filter(|f| f.level == Level::Warn).count(),
            fixable: findings.iter().filter(|f| f.fixable()).count(),
        }
    }
}

fn text_of<'a>(files: &BTreeMap<&str, &'a str>, f: &Finding) -> &'a str {
    files.get(f.file.as_str()).copied().unwrap_or("")
}

/// cargo-style diagnostics, one block per finding, separated by blank lines.
pub fn human(findings: &[Finding], files: &BTreeMap<&str, &str>, styled: bool) -> String {
    let renderer = if styled {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for f in findings {
        let text = text_of(files, f);
        let level = match f.level {
            Level::Deny => SnippetLevel::ERROR,
            _ => SnippetLevel::WARNING,
        };
        let span = f.span.start.min(text.len())
            ..f.span.end.min(text.len()).max(f.span.start.min(text.len()));
        let mut group: Group = level
            .primary_title(f.message.as_str())
            .id(f.rule.code())
            .element(
                Snippet::source(text)
                    .path(f.file.as_str())
                    .fold(true)
                    .annotation(AnnotationKind::Primary.span(span).label(f.label.as_str())),
            );
        for note in &f.notes {
            group = group.element(SnippetLevel::NOTE.message(note.as_str()));
        }
        if let Some(help) = &f.help {
            group = group.element(SnippetLevel::HELP.message(help.as_str()));
        }
        out.push_str(&renderer.render(&[group]));
        out.push_str("\n\n");
    }
    out
}

/// One JSON object per finding, one per line, then a summary object. With `verbose` (`-v`),
/// a finding whose note shortens a list (`duplicate-versions`) also carries the full lists:
/// `"lists": [{"label": "1.0.19", "items": ["a", "b", ...]}, ...]`; without it the field is
/// absent, so the report stays small on large workspaces.
pub fn json(findings: &[Finding], files: &BTreeMap<&str, &str>, verbose: bool) -> String {
    let mut out = String::new();
    for f in findings {
        let p = position(text_of(files, f), f);
        let mut obj = json!({
            "type": "finding",
            "code": f.rule.code(),
            "level": f.level.label(),
            "file": f.file,
            "line": p.line,
            "column": p.column,
            "end_line": p.end_line,
            "end_column": p.end_column,
            "offset": f.span.start,
            "length": f.span.end.saturating_sub(f.span.start),
            "message": f.message,
            "label": f.label,
            "help": f.help,
            "notes": f.notes,
            "package": f.package,
            "dependency": f.dependency,
            "fixable": f.fixable(),
        });
        if verbose && !f.lists.is_empty() {
            obj["lists"] = f
                .lists
                .iter()
                .map(|(label, items)| json!({ "label": label, "items": items }))
                .collect();
        }
        out.push_str(&obj.to_string());
        out.push('\n');
    }
    let s = Summary::of(findings);
    out.push_str(
        &json!({
            "type": "summary",
            "schema_version": JSON_SCHEMA_VERSION,
            "errors": s.errors,
            "warnings": s.warnings,
            "fixable": s.fixable,
        })
        .to_string(),
    );
    out.push('\n');
    out
}

/// Escape workflow-command data (`%`, CR, LF).
fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a workflow-command property (data escapes plus `:` and `,`).
fn gh_prop(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions annotations: `::error file=...,line=...,col=...,title=...::message`.
pub fn github(findings: &[Finding], files: &BTreeMap<&str, &str>) -> String {
    let mut out = String::new();
    for f in findings {
        let p = position(text_of(files, f), f);
        let command = match f.level {
            Level::Deny => "error",
            _ => "warning",
        };
        let mut message = f.message.clone();
        for note in &f.notes {
            message.push_str(&format!("\nnote: {note}"));
        }
        if let Some(help) = &f.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        out.push_str(&format!(
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            gh_prop(&f.file),
            p.line,
            p.column,
            p.end_line,
            p.end_column,
            gh_prop(&format!("lint-deps {}", f.rule.code())),
            gh_data(&message)
        ));
    }
    out
}

/// A path relative to the root as a URI reference (RFC 3986, what SARIF's
/// `artifactLocation.uri` holds): every byte but unreserved characters (`A-Z a-z 0-9 - . _ ~`)
/// and `/` percent-encoded, UTF-8 first (`py/my pkg/pyproject.toml` -> `py/my%20pkg/...`,
/// `50%off` -> `50%25off`).
fn uri_reference(path: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'/');
    percent_encoding::utf8_percent_encode(path, KEEP).to_string()
}

/// A SARIF 2.1.0 log with one run: every rule in the driver, one result per finding.
pub fn sarif(findings: &[Finding], files: &BTreeMap<&str, &str>) -> String {
    let sarif_level = |l: Level| match l {
        Level::Deny => "error",
        Level::Warn => "warning",
        Level::Allow => "none",
    };
    let rules: Vec<serde_json::Value> = Rule::ALL
        .iter()
        .map(|r| {
            json!({
                "id": r.code(),
                "name": r.code(),
                "shortDescription": { "text": r.summary() },
                "helpUri": format!("https://github.com/ccworkspace/cargo-ccworkspace/blob/main/docs/lint-deps.md#{}", r.code()),
                "defaultConfiguration": { "level": sarif_level(r.default_level()) },
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            let p = position(text_of(files, f), f);
            let mut text = f.message.clone();
            if let Some(help) = &f.help {
                text.push_str(&format!("\nhelp: {help}"));
            }
            json!({
                "ruleId": f.rule.code(),
                "ruleIndex": Rule::ALL.iter().position(|r| *r == f.rule).unwrap_or(0),
                "level": sarif_level(f.level),
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri_reference(&f.file), "uriBaseId": "%SRCROOT%" },
                        "region": {
                            "startLine": p.line,
                            "startColumn": p.column,
                            "endLine": p.end_line,
                            "endColumn": p.end_column,
                        }
                    }
                }],
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "cargo-ccworkspace lint-deps",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "results": results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// A SARIF `uri` is a URI reference whatever the path: only unreserved characters, `/`
        /// and `%XX` escapes, and it decodes back to the path.
        #[test]
        fn a_sarif_uri_is_a_uri_reference_that_decodes_to_the_path(path in "[ -~\\u{e9}\\u{4e2d}]{0,40}") {
            let uri = uri_reference(&path);
            let ok = |c: char| c.is_ascii_alphanumeric() || "-._~/%".contains(c);
            proptest::prop_assert!(uri.chars().all(ok), "{uri}");
            let back = percent_encoding::percent_decode_str(&uri).decode_utf8().unwrap();
            proptest::prop_assert_eq!(back, path);
        }
    }

    #[test]
    fn a_sarif_uri_escapes_spaces_and_percent_signs() {
        assert_eq!(
            uri_reference("py/my pkg/pyproject.toml"),
            "py/my%20pkg/pyproject.toml"
        );
        assert_eq!(
            uri_reference("py/50%off/pyproject.toml"),
            "py/50%25off/pyproject.toml"
        );
        assert_eq!(
            uri_reference("crates/a-b_c.d~/Cargo.toml"),
            "crates/a-b_c.d~/Cargo.toml"
        );
    }

    fn finding() -> Finding {
        Finding::new(
            Rule::NotInherited,
            "a/Cargo.toml",
            31..36,
            "`serde` is declared with a version instead of `workspace = true`",
            "not inherited",
        )
        .help("use `serde.workspace = true`")
    }

    fn files() -> BTreeMap<&'static str, &'static str> {
        BTreeMap::from([(
            "a/Cargo.toml",
            "[package]\nname = \"a\"\n\n[dependencies]\nserde = \"1\"\n",
        )])
    }

    #[test]
    fn human_looks_like_cargo() {
        let text = "[package]\nname = \"a\"\n\n[dependencies]\nserde = \"1\"\n";
        let start = text.find("serde").unwrap();
        let mut f = finding();
        f.span = start..start + 5;
        let out = human(&[f], &files(), false);
        assert!(out.starts_with("error[not-inherited]: `serde`"), "{out}");
        assert!(out.contains("--> a/Cargo.toml:5:1"), "{out}");
        assert!(out.contains("serde = \"1\""), "{out}");
        assert!(out.contains("help: use `serde.workspace = true`"), "{out}");
    }

    #[test]
    fn github_escapes_properties_and_data() {
        let mut f = finding();
        f.span = 0..1;
        f.message = "50% off\nnow".into();
        let out = github(&[f], &files());
        assert!(
            out.starts_with("::error file=a/Cargo.toml,line=1,col=1,"),
            "{out}"
        );
        assert!(out.contains("::50%25 off%0Anow"), "{out}");
    }

    #[test]
    fn sarif_is_2_1_0_with_every_rule() {
        let out = sarif(&[finding()], &files());
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["version"], "2.1.0");
        assert_eq!(
            v["runs"][0]["tool"]["driver"]["rules"]
                .as_array()
                .unwrap()
                .len(),
            Rule::ALL.len()
        );
        assert_eq!(v["runs"][0]["results"][0]["ruleId"], "not-inherited");
    }
}
