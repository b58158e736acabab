//! `Cargo.lock`, read once by the workspace reader: every `[[package]]` with the span of its
//! name, for the rules that point at the lockfile (`duplicate-versions`) and for `--fix`'s
//! resolve check.

use std::ops::Range;

use crate::model::NodeExt;

/// `Cargo.lock`: its text and packages.
#[derive(Debug, Clone)]
pub struct Lockfile {
    pub path: String,
    pub text: String,
    pub packages: Vec<LockedPackage>,
}

/// One `[[package]]` of `Cargo.lock`.
#[derive(Debug, Clone)]
pub struct LockedPackage {
    pub name: String,
    pub version: String,
    pub source: Option<String>,
    /// `name`, `name version` or `name version (source)`.
    pub dependencies: Vec<String>,
    pub span: Range<usize>,
}

/// Read `Cargo.lock`'s packages. Cargo writes the file in one fixed layout, so a line scanner
/// reads it in a fraction of a TOML parse; anything unexpected falls back to a TOML parse (which
/// also reports a syntax error with its line).
pub(crate) fn parse(path: &str, text: &str) -> anyhow::Result<Vec<LockedPackage>> {
    if let Some(packages) = scan(text) {
        return Ok(packages);
    }
    let doc = crate::model::parse_text(path, text.to_string())?;
    let Some(array) = doc.root().get("package").and_then(NodeExt::as_array) else {
        return Ok(Vec::new());
    };
    Ok(array
        .iter()
        .filter_map(|t| {
            let s = |k: &str| t.get(k).and_then(NodeExt::as_str).map(str::to_string);
            let span = t.get("name").map_or(t.span(), |v| v.span());
            Some(LockedPackage {
                name: s("name")?,
                version: s("version")?,
                source: s("source"),
                dependencies: t
                    .get("dependencies")
                    .and_then(NodeExt::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
                span,
            })
        })
        .collect())
}

/// The fast path of [`parse`]: `None` when the text is not in cargo's layout.
fn scan(text: &str) -> Option<Vec<LockedPackage>> {
    let mut out = Vec::new();
    let mut current: Option<LockedPackage> = None;
    let mut in_deps = false;
    let mut offset = 0;
    let finish = |p: Option<LockedPackage>, out: &mut Vec<LockedPackage>| -> Option<()> {
        if let Some(p) = p {
            if p.name.is_empty() || p.version.is_empty() {
                return None;
            }
            out.push(p);
        }
        Some(())
    };
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let l = line.trim();
        if in_deps {
            if l == "]" {
                in_deps = false;
            } else {
                let dep = l
                    .trim_end_matches(',')
                    .strip_prefix('"')?
                    .strip_suffix('"')?;
                current.as_mut()?.dependencies.push(dep.to_string());
            }
            continue;
        }
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if l == "[[package]]" {
            finish(current.take(), &mut out)?;
            current = Some(LockedPackage {
                name: String::new(),
                version: String::new(),
                source: None,
                dependencies: Vec::new(),
                span: 0..0,
            });
            continue;
        }
        if l.starts_with('[') {
            finish(current.take(), &mut out)?;
            continue;
        }
        let (key, value) = l.split_once(" = ")?;
        let Some(p) = current.as_mut() else {
            continue;
        };
        if key == "dependencies" {
            if value == "[" {
                in_deps = true;
            } else {
                let inner = value.strip_prefix('[')?.strip_suffix(']')?;
                for d in inner.split(',').map(str::trim).filter(|d| !d.is_empty()) {
                    p.dependencies
                        .push(d.strip_prefix('"')?.strip_suffix('"')?.to_string());
                }
            }
            continue;
        }
        let Some(unquoted) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else {
            continue;
        };
        if unquoted.contains(['\\', '"']) {
            return None;
        }
        match key {
            "name" => {
                let at = start + line.find(value)?;
                p.name = unquoted.to_string();
                p.span = at..at + value.len();
            }
            "version" => p.version = unquoted.to_string(),
            "source" => p.source = Some(unquoted.to_string()),
            _ => {}
        }
    }
    finish(current.take(), &mut out)?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 4

[[package]]
name = "a"
version = "0.1.0"
dependencies = [
 "itoa 1.0.19",
 "serde",
]

[[package]]
name = "itoa"
version = "1.0.19"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "00"
"#;

    #[test]
    fn the_scanner_and_the_toml_parser_agree() {
        let fast = scan(LOCK).unwrap();
        let slow = {
            // Force the fallback by checking it directly.
            let with_comment_value = LOCK.replace("version = 4", "version = 4 # v4");
            assert!(scan(&with_comment_value).is_some());
            parse(
                "Cargo.lock",
                &LOCK.replace("[[package]]\nname = \"a\"", "[[package]]\nname = 'a'"),
            )
            .unwrap()
        };
        assert_eq!(fast.len(), 2);
        assert_eq!(fast[0].dependencies, ["itoa 1.0.19", "serde"]);
        assert_eq!(&LOCK[fast[1].span.clone()], "\"itoa\"");
        assert_eq!(
            fast[1].source.as_deref(),
            Some("registry+https://github.com/rust-lang/crates.io-index")
        );
        assert_eq!(slow.len(), 2);
        assert_eq!(slow[1].span, fast[1].span);
        assert_eq!(slow[0].dependencies, fast[0].dependencies);
    }
}
