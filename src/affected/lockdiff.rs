//! Which packages changed in `Cargo.lock`.
//!
//! A package is identified by name, version and source. It changed when it was added, removed,
//! or its checksum or dependencies changed. Dependencies are compared by what they resolve to,
//! not by their text: `Cargo.lock` writes a dependency as `name` while one version of it is
//! locked and as `name version` once there are two, so a lock-only bump that adds a second
//! version rewrites the entries of packages whose resolution did not change. Each dependency is
//! resolved through the lock's own package list to (name, version, source), and a dependency
//! that moved to another version of a package that is itself listed as changed is left to that
//! package (propagation reaches the dependent through it). Only the packages that still exist
//! at the head matter for propagation: a removed package's dependents changed their own entries.

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

/// A lock entry as compared: its checksum and its dependencies, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    checksum: Option<String>,
    deps: Vec<Key>,
}

/// The entries of a `Cargo.lock`, by (name, version, source).
fn parse(text: &str, which: &str) -> Result<BTreeMap<Key, Entry>, String> {
    let lock: Lockfile = toml::from_str(text).map_err(|e| format!("{which} Cargo.lock: {e}"))?;
    let keys: Vec<Key> = lock
        .package
        .iter()
        .map(|p| (p.name.clone(), p.version.clone(), p.source.clone()))
        .collect();
    // `name`, `name version` or `name version (source)`, as cargo writes them; one that names
    // no locked package unambiguously is kept as written.
    let resolve = |dep: &str| -> Key {
        let (spec, source) = match dep.split_once(" (") {
            Some((spec, source)) => (spec, Some(source.trim_end_matches(')').to_string())),
            None => (dep, None),
        };
        let (name, version) = match spec.split_once(' ') {
            Some((name, version)) => (name, Some(version)),
            None => (spec, None),
        };
        let mut found = keys.iter().filter(|(n, v, s)| {
            n == name
                && version.is_none_or(|want| v == want)
                && source.as_ref().is_none_or(|want| s.as_ref() == Some(want))
        });
        match (found.next(), found.next()) {
            (Some(key), None) => key.clone(),
            _ => (
                name.to_string(),
                version.unwrap_or_default().to_string(),
                source,
            ),
        }
    };
    Ok(lock
        .package
        .into_iter()
        .map(|p| {
            let mut deps: Vec<Key> = p.dependencies.iter().map(|d| resolve(d)).collect();
            deps.sort();
            (
                (p.name, p.version, p.source),
                Entry {
                    checksum: p.checksum,
                    deps,
                },
            )
        })
        .collect())
}

/// `name version`, as a dependency is named in messages.
fn show(key: &Key) -> String {
    format!("{} {}", key.0, key.1)
}

/// The packages whose entries differ between the base and head lockfiles.
pub fn diff(base: &str, head: &str) -> Result<Vec<LockChange>, String> {
    let base = parse(base, "the base revision's")?;
    let head = parse(head, "the head's")?;
    let mut changes = Vec::new();
    // A package version the head locks and the base did not: listed as changed itself.
    let new_at_head = |k: &Key| !base.contains_key(k);
    for (key, pkg) in &head {
        let before = base.get(key);
        let (deps_added, deps_removed) = match before {
            Some(b) => {
                let mut added: Vec<&Key> =
                    pkg.deps.iter().filter(|d| !b.deps.contains(d)).collect();
                let mut removed: Vec<&Key> =
                    b.deps.iter().filter(|d| !pkg.deps.contains(d)).collect();
                // A dependency bumped to a new version of the same package: that package is
                // the change, and propagation reaches this one through it.
                added.retain(|a| {
                    let bumped = new_at_head(a)
                        .then(|| removed.iter().position(|r| r.0 == a.0 && r.2 == a.2))
                        .flatten();
                    if let Some(i) = bumped {
                        removed.remove(i);
                    }
                    bumped.is_none()
                });
                (
                    added.into_iter().map(show).collect::<Vec<_>>(),
                    removed.into_iter().map(show).collect::<Vec<_>>(),
                )
            }
            None => (Vec::new(), Vec::new()),
        };
        if let Some(b) = before
            && b.checksum == pkg.checksum
            && deps_added.is_empty()
            && deps_removed.is_empty()
        {
            continue;
        }
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
        assert_eq!(changes[0].describe(), "app 0.1.0 now depends on itoa 1.0.1");
        let back = diff(&head, &base).unwrap();
        assert_eq!(
            back[0].describe(),
            "app 0.1.0 no longer depends on itoa 1.0.1"
        );
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

    /// Issue 14's minimal case: `a` uses sha2 (through cpufeatures), `b` uses chacha20;
    /// `cargo update -p chacha20 --precise 0.10.1` locks a second cpufeatures, so cargo now
    /// writes `a`'s and sha2's `"cpufeatures"` as `"cpufeatures 0.2.17"`. Nothing `a` resolves
    /// to changed: only chacha20 (and what it pulled in) are changes; `b` is reached through
    /// chacha20 by propagation.
    #[test]
    fn a_second_locked_version_renames_dependencies_without_changing_them() {
        let entry = |name: &str, version: &str, deps: &[&str]| {
            let deps: Vec<String> = deps.iter().map(|d| format!("\"{d}\"")).collect();
            format!(
                "[[package]]\nname = \"{name}\"\nversion = \"{version}\"\nsource = \"{REG}\"\n\
                 checksum = \"{name}{version}\"\ndependencies = [{}]\n\n",
                deps.join(", ")
            )
        };
        let member = |name: &str, deps: &[&str]| {
            let deps: Vec<String> = deps.iter().map(|d| format!("\"{d}\"")).collect();
            format!(
                "[[package]]\nname = \"{name}\"\nversion = \"0.1.0\"\ndependencies = [{}]\n\n",
                deps.join(", ")
            )
        };
        let base = [
            "version = 4\n\n".to_string(),
            member("a", &["sha2"]),
            member("b", &["chacha20"]),
            entry("chacha20", "0.9.1", &["cpufeatures"]),
            entry("cpufeatures", "0.2.17", &[]),
            entry("sha2", "0.10.9", &["cpufeatures"]),
        ]
        .concat();
        let head = [
            "version = 4\n\n".to_string(),
            member("a", &["sha2"]),
            member("b", &["chacha20"]),
            entry("chacha20", "0.10.1", &["cpufeatures 0.3.0"]),
            entry("cpufeatures", "0.2.17", &[]),
            entry("cpufeatures", "0.3.0", &[]),
            entry("sha2", "0.10.9", &["cpufeatures 0.2.17"]),
        ]
        .concat();
        let changes = diff(&base, &head).unwrap();
        let changed: Vec<String> = changes
            .iter()
            .map(|c| format!("{} {} {}", c.name, c.version, c.at_head))
            .collect();
        assert_eq!(
            changed,
            [
                "chacha20 0.10.1 true",
                "chacha20 0.9.1 false",
                "cpufeatures 0.3.0 true"
            ],
            "{changes:#?}"
        );
    }
}
