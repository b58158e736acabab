//! Which packages changed in `Cargo.lock`.
//!
//! A package is identified by name, version and source. It changed when it was added, removed,
//! or its checksum or dependency list changed. Only the packages that still exist at the head
//! matter for propagation: a removed package's dependents changed their own entries.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Lockfile {
    #[serde(default)]
    package: Vec<LockPackage>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct LockPackage {
    name: String,
    version: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

/// One package whose lock entry differs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LockChange {
    pub name: String,
    pub version: String,
    pub source: Option<String>,
    /// The version at the base, for a package whose only change is its version.
    pub from_version: Option<String>,
    /// Present at the head (false: removed).
    pub at_head: bool,
    /// For an entry present at both revisions: the dependencies it gained, and lost (as
    /// `Cargo.lock` writes them: `name`, or `name version` when several versions are locked).
    pub deps_added: Vec<String>,
    pub deps_removed: Vec<String>,
}

impl LockChange {
    /// `name 1.0.1 -> 1.0.2`, `name 1.0.2 (added)`, `app 0.1.0 now depends on itoa`, ...
    ///
    /// An entry whose own version stayed names the dependencies that changed: they are the
    /// cause, not the crate.
    pub fn describe(&self) -> String {
        let short = |d: &String| d.split(" (").next().unwrap_or(d).to_string();
        match (&self.from_version, self.at_head) {
            (Some(from), _) => format!("{} {} -> {}", self.name, from, self.version),
            (None, true) if !self.deps_added.is_empty() || !self.deps_removed.is_empty() => {
                let mut parts = Vec::new();
                if !self.deps_added.is_empty() {
                    let added: Vec<String> = self.deps_added.iter().map(short).collect();
                    parts.push(format!("now depends on {}", added.join(", ")));
                }
                if !self.deps_removed.is_empty() {
                    let removed: Vec<String> = self.deps_removed.iter().map(short).collect();
                    let verb = if parts.is_empty() {
                        "no longer depends on"
                    } else {
                        "no longer on"
                    };
                    parts.push(format!("{verb} {}", removed.join(", ")));
                }
                format!("{} {} {}", self.name, self.version, parts.join(", "))
            }
            (None, true) => format!("{} {}", self.name, self.version),
            (None, false) => format!("{} {} (removed)", self.name, self.version),
        }
    }
}

type Key = (String, String, Option<String>);

fn parse(text: &str, which: &str) -> Result<BTreeMap<Key, LockPackage>, String> {
    let lock: Lockfile = toml::from_str(text).map_err(|e| format!("{which} Cargo.lock: {e}"))?;
    Ok(lock
        .package
        .into_iter()
        .map(|mut p| {
            p.dependencies.sort();
            ((p.name.clone(), p.version.clone(), p.source.clone()), p)
        })
        .collect())
}

/// The packages whose entries differ between the base and head lockfiles.
pub fn diff(base: &str, head: &str) -> Result<Vec<LockChange>, String> {
    let base = parse(base, "the base revision's")?;
    let head = parse(head, "the head's")?;
    let mut changes = Vec::new();
    for (key, pkg) in &head {
        let before = base.get(key);
        if before == Some(pkg) {
            continue;
        }
        let (deps_added, deps_removed) = match before {
            Some(b) => (
                pkg.dependencies
                    .iter()
                    .filter(|d| !b.dependencies.contains(d))
                    .cloned()
                    .collect(),
                b.dependencies
                    .iter()
                    .filter(|d| !pkg.dependencies.contains(d))
                    .cloned()
                    .collect(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        // A version bump shows as one removed and one added entry; pair them for the message.
        let from_version = if base.contains_key(key) {
            None
        } else {
            base.keys()
                .filter(|(n, v, s)| {
                    n == &key.0
                        && s == &key.2
                        && !head.contains_key(&(n.clone(), v.clone(), s.clone()))
                })
                .map(|(_, v, _)| v.clone())
                .next()
        };
        changes.push(LockChange {
            name: key.0.clone(),
            version: key.1.clone(),
            source: key.2.clone(),
            from_version,
            at_head: true,
            deps_added,
            deps_removed,
        });
    }
    for key in base.keys() {
        if !head.contains_key(key) {
            changes.push(LockChange {
                name: key.0.clone(),
                version: key.1.clone(),
                source: key.2.clone(),
                from_version: None,
                at_head: false,
                deps_added: Vec::new(),
                deps_removed: Vec::new(),
            });
        }
    }
    changes.sort();
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REG: &str = "registry+https://github.com/rust-lang/crates.io-index";

    fn lock(itoa: &str, app_deps: &str) -> String {
        format!(
            r#"version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = [{app_deps}]

[[package]]
name = "itoa"
version = "{itoa}"
source = "{REG}"
checksum = "abc{itoa}"
"#
        )
    }

    #[test]
    fn a_changed_dependency_list_names_the_dependency_not_the_crate() {
        let base = lock("1.0.1", "");
        let head = lock("1.0.1", r#""itoa""#);
        let changes = diff(&base, &head).unwrap();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].describe(), "app 0.1.0 now depends on itoa");
        let back = diff(&head, &base).unwrap();
        assert_eq!(back[0].describe(), "app 0.1.0 no longer depends on itoa");
    }

    #[test]
    fn a_version_bump_names_the_package_at_both_versions() {
        let changes = diff(&lock("1.0.1", r#""itoa""#), &lock("1.0.2", r#""itoa""#)).unwrap();
        let at_head: Vec<_> = changes.iter().filter(|c| c.at_head).collect();
        assert_eq!(at_head.len(), 1);
        assert_eq!(at_head[0].describe(), "itoa 1.0.1 -> 1.0.2");
        assert!(changes.iter().any(|c| !c.at_head && c.version == "1.0.1"));
    }

    #[test]
    fn reordered_dependencies_are_no_change() {
        let a = lock("1.0.1", r#""itoa", "zz""#);
        let b = lock("1.0.1", r#""zz", "itoa""#);
        assert!(diff(&a, &b).unwrap().is_empty());
    }

    #[test]
    fn a_changed_dependency_list_marks_the_package() {
        let changes = diff(&lock("1.0.1", r#""itoa""#), &lock("1.0.1", "")).unwrap();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].name, "app");
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(diff("[[package]\n", &lock("1", "")).is_err());
    }
}
