//! Which resolved Python packages changed in `uv.lock`, and which workspace packages reach
//! them: the Python half's counterpart of [`super::lockdiff`].
//!
//! uv's lockfile is TOML with one `[[package]]` per resolved distribution: `name`, `version`,
//! `source` (a table: `registry`, `editable`, `virtual`, `git`, ...), `dependencies` (a list of
//! `{ name, version?, source?, marker?, extra? }`), `[package.optional-dependencies]` (extra ->
//! the same list) and `[package.dev-dependencies]` (group -> the same list). An entry changed
//! when any of its fields did (version, source, hashes, dependency lists): compared as whole
//! tables, per name.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// One dependency of an entry: a name and the extras it asks for (`{ name = "lib", extra =
/// ["viz"] }`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dep {
    /// Normalised (PEP 503).
    pub name: String,
    /// The version uv pinned it to, when the lock holds several of the name (a fork):
    /// `{ name = "six", version = "1.16.0", marker = "..." }`.
    pub version: Option<String>,
    /// Normalised extras.
    pub extras: Vec<String>,
}

/// One `[[package]]` entry: its name, version and the names it depends on.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Normalised (PEP 503).
    pub name: String,
    pub version: Option<String>,
    /// `dependencies`: installed with the package.
    pub deps: Vec<Dep>,
    /// `optional-dependencies`, by normalised extra: installed with the package's extra only.
    pub optional: BTreeMap<String, Vec<Dep>>,
    /// Every `dev-dependencies` list (a workspace member's dependency groups): installed only
    /// to work on the package itself.
    pub dev: Vec<Dep>,
    /// Its `source`, rendered (`{ editable = "py/b" }`): where uv takes it from.
    pub source: Option<String>,
    /// The whole table, rendered, for comparison.
    text: String,
}

/// A parsed `uv.lock`, entries by name (a name may resolve to several versions with forks).
#[derive(Debug, Clone, Default)]
pub struct Lock {
    pub entries: BTreeMap<String, Vec<Entry>>,
    /// `[manifest] members`: the workspace members uv locked (normalised), when the lock has
    /// the list (uv writes it for a workspace of more than one package).
    pub members: Option<BTreeSet<String>>,
}

/// Parse `uv.lock`; the error says what is wrong.
pub fn parse(text: &str) -> Result<Lock, String> {
    let table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut lock = Lock {
        members: table
            .get("manifest")
            .and_then(|m| m.get("members"))
            .and_then(|m| m.as_array())
            .map(|names| {
                names
                    .iter()
                    .filter_map(|n| n.as_str())
                    .map(crate::python::normalize)
                    .collect()
            }),
        ..Lock::default()
    };
    let Some(packages) = table.get("package") else {
        return Ok(lock);
    };
    let packages = packages
        .as_array()
        .ok_or("`package` is not an array of tables")?;
    for p in packages {
        let t = p.as_table().ok_or("a `[[package]]` is not a table")?;
        let name = t
            .get("name")
            .and_then(|n| n.as_str())
            .ok_or("a `[[package]]` has no `name`")?;
        let deps = |v: Option<&toml::Value>| -> Vec<Dep> {
            v.and_then(|v| v.as_array())
                .into_iter()
                .flatten()
                .filter_map(|d| {
                    Some(Dep {
                        name: crate::python::normalize(d.get("name")?.as_str()?),
                        version: d.get("version").and_then(|v| v.as_str()).map(String::from),
                        extras: d
                            .get("extra")
                            .and_then(|e| e.as_array())
                            .into_iter()
                            .flatten()
                            .filter_map(|e| e.as_str())
                            .map(crate::python::normalize)
                            .collect(),
                    })
                })
                .collect()
        };
        let lists = |key: &str| -> BTreeMap<String, Vec<Dep>> {
            t.get(key)
                .and_then(|v| v.as_table())
                .into_iter()
                .flatten()
                .map(|(k, v)| (crate::python::normalize(k), deps(Some(v))))
                .collect()
        };
        let entry = Entry {
            name: crate::python::normalize(name),
            version: t.get("version").and_then(|v| v.as_str()).map(String::from),
            deps: deps(t.get("dependencies")),
            optional: lists("optional-dependencies"),
            dev: lists("dev-dependencies").into_values().flatten().collect(),
            source: t.get("source").map(ToString::to_string),
            text: toml::to_string(t).unwrap_or_default(),
        };
        lock.entries
            .entry(entry.name.clone())
            .or_default()
            .push(entry);
    }
    for es in lock.entries.values_mut() {
        es.sort_by(|a, b| a.text.cmp(&b.text));
    }
    Ok(lock)
}

/// The names whose entries differ between `base` and `head`, each with one line saying how
/// (`numpy 1.26.4 -> 2.0.0`, `added numpy 2.0.0`, `numpy 2.0.0 (dependencies, source or
/// hashes)`).
pub fn changed(base: &Lock, head: &Lock) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let names: BTreeSet<&String> = base.entries.keys().chain(head.entries.keys()).collect();
    let versions = |es: Option<&Vec<Entry>>| -> Vec<String> {
        es.into_iter()
            .flatten()
            .map(|e| e.version.clone().unwrap_or_else(|| "(no version)".into()))
            .collect()
    };
    for name in names {
        let (b, h) = (base.entries.get(name), head.entries.get(name));
        if texts(b) == texts(h) {
            continue;
        }
        let (bv, hv) = (versions(b), versions(h));
        let how = match (b.is_some(), h.is_some()) {
            (false, _) => format!("added {name} {}", hv.join(", ")),
            (_, false) => format!("removed {name} {}", bv.join(", ")),
            _ if bv != hv => format!("{name} {} -> {}", bv.join(", "), hv.join(", ")),
            _ => format!("{name} {} (dependencies, source or hashes)", hv.join(", ")),
        };
        out.insert(name.clone(), how);
    }
    out
}

/// The names locked once at both `base` and `head` whose `source` differs there (`{ editable
/// = "py/b_old" }` -> `{ editable = "py/b_new" }`), with both sources: for a workspace member,
/// uv now takes it from another folder, though no file of either folder changed (an `exclude`
/// glob moved between two projects of one name).
pub fn moved_sources(base: &Lock, head: &Lock) -> BTreeMap<String, (String, String)> {
    let one = |es: Option<&Vec<Entry>>| match es.map(Vec::as_slice) {
        Some([e]) => e.source.clone(),
        _ => None,
    };
    head.entries
        .keys()
        .filter_map(|name| {
            let (b, h) = (one(base.entries.get(name))?, one(head.entries.get(name))?);
            (b != h).then(|| (name.clone(), (b, h)))
        })
        .collect()
}

/// The `(name, version)` entries that differ between `base` and `head` (added, removed or
/// edited): with a fork, which of a name's versions changed. A fork by index or URL locks one
/// name and version twice (`w1 1.0` from two indexes, each for its own markers): a change to
/// either marks that `(name, version)`, so a requirer pinned to the other source counts too
/// (a superset, never a miss).
pub fn changed_entries(base: &Lock, head: &Lock) -> BTreeSet<(String, Option<String>)> {
    let all = |lock: &Lock| -> BTreeMap<(String, Option<String>), Vec<String>> {
        let mut out: BTreeMap<(String, Option<String>), Vec<String>> = BTreeMap::new();
        for e in lock.entries.values().flatten() {
            out.entry((e.name.clone(), e.version.clone()))
                .or_default()
                .push(e.text.clone());
        }
        // Entries are sorted by their text already ([`parse`]).
        out
    };
    let (b, h) = (all(base), all(head));
    b.keys()
        .chain(h.keys())
        .filter(|k| b.get(*k) != h.get(*k))
        .cloned()
        .collect()
}

fn texts(es: Option<&Vec<Entry>>) -> Vec<&str> {
    es.into_iter().flatten().map(|e| e.text.as_str()).collect()
}

/// For each of `members` (workspace distributions) that reaches a name in `changed` through
/// `lock`'s dependency lists, the first such name (breadth first). A member's own
/// `dependencies`, extras and `dev-dependencies` count (its tests install them); past it, a
/// package's `dependencies` and only the extras its requirer asks for
/// (`{ name = "lib", extra = ["viz"] }`), never another package's groups: what an installer
/// resolves, and what `uv tree --invert` shows.
///
/// With a fork (a name locked at several versions), a dependency that names its version reaches
/// that version's entry only: a change to `six 1.16.0` does not reach a package pinned to
/// `six 1.17.0` (`entries` is [`changed_entries`]).
pub fn reaching(
    lock: &Lock,
    members: &BTreeSet<String>,
    changed: &BTreeMap<String, String>,
    entries: &BTreeSet<(String, Option<String>)>,
) -> BTreeMap<String, String> {
    let changed_here = |dep: &Dep| -> bool {
        changed.contains_key(&dep.name)
            && match &dep.version {
                Some(v) => entries.contains(&(dep.name.clone(), Some(v.clone()))),
                None => true,
            }
    };
    let mut out = BTreeMap::new();
    for member in members {
        let Some(own) = lock.entries.get(member) else {
            continue;
        };
        // A package's plain install (`None`) or one of its extras.
        let mut seen: BTreeSet<(&str, Option<&str>, Option<&str>)> =
            BTreeSet::from([(member.as_str(), None, None)]);
        let mut queue: VecDeque<&Dep> = VecDeque::new();
        for e in own {
            let all = e.deps.iter().chain(e.optional.values().flatten());
            queue.extend(all.chain(&e.dev));
        }
        while let Some(dep) = queue.pop_front() {
            let n = dep.name.as_str();
            let v = dep.version.as_deref();
            let wanted = std::iter::once(None).chain(dep.extras.iter().map(|x| Some(x.as_str())));
            let new: Vec<Option<&str>> = wanted.filter(|w| seen.insert((n, v, *w))).collect();
            if new.is_empty() {
                continue;
            }
            if changed_here(dep) {
                out.insert(member.clone(), n.to_string());
                break;
            }
            let pinned = |e: &&Entry| v.is_none() || e.version.as_deref() == v;
            for e in lock.entries.get(n).into_iter().flatten().filter(pinned) {
                for w in &new {
                    match w {
                        None => queue.extend(&e.deps),
                        Some(x) => queue.extend(e.optional.get(*x).into_iter().flatten()),
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
version = 1
requires-python = ">=3.11"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "pkgs/app" }
dependencies = [{ name = "lib" }]

[package.dev-dependencies]
dev = [{ name = "pytest" }]

[[package]]
name = "lib"
version = "0.1.0"
source = { editable = "pkgs/lib" }
dependencies = [{ name = "Numpy" }]

[[package]]
name = "numpy"
version = "1.26.4"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "8.0.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "pluggy" }]

[[package]]
name = "pluggy"
version = "1.0.0"
source = { registry = "https://pypi.org/simple" }
"#;

    #[test]
    fn changed_entries_reach_members_through_their_closure() {
        let base = parse(BASE).unwrap();
        let head = parse(&BASE.replace("1.26.4", "2.0.0")).unwrap();
        let changed = changed(&base, &head);
        assert_eq!(
            changed.values().collect::<Vec<_>>(),
            ["numpy 1.26.4 -> 2.0.0"]
        );
        let members: BTreeSet<String> = ["app".into(), "lib".into()].into();
        let entries = changed_entries(&base, &head);
        let r = reaching(&head, &members, &changed, &entries);
        assert_eq!(r.len(), 2);
        // A dev-dependency's change reaches the member that declares the group only.
        let head = parse(&BASE.replace("1.0.0", "1.5.0")).unwrap();
        let changed = super::changed(&base, &head);
        let r = reaching(&head, &members, &changed, &changed_entries(&base, &head));
        assert_eq!(r.keys().collect::<Vec<_>>(), ["app"]);
        assert!(parse("package = 1").is_err());
    }

    /// A fork: `h` is pinned to `six 1.16.0`, `h2` to `six 1.17.0` (uv writes the version in
    /// the dependency when the lock holds several). A change to one version's entry reaches
    /// the packages pinned to it only.
    #[test]
    fn one_name_and_version_from_two_sources_is_changed_whichever_entry_changed() {
        let lock = |first_deps: &str, second_deps: &str| {
            parse(&format!(
                r#"
version = 1
[[package]]
name = "b"
version = "0.1.0"
source = {{ editable = "py/b" }}
dependencies = [
    {{ name = "w1", version = "1.0", source = {{ registry = "https://one.example/simple" }}, marker = "sys_platform == 'linux'" }},
    {{ name = "w1", version = "1.0", source = {{ registry = "https://two.example/simple" }}, marker = "sys_platform != 'linux'" }},
]

[[package]]
name = "w1"
version = "1.0"
source = {{ registry = "https://one.example/simple" }}
{first_deps}

[[package]]
name = "w1"
version = "1.0"
source = {{ registry = "https://two.example/simple" }}
{second_deps}
"#
            ))
            .unwrap()
        };
        let base = lock("", "");
        let members = BTreeSet::from(["b".to_string()]);
        // Either entry gains a dependency: `w1 1.0` changed, and `b` reaches it.
        for head in [
            lock("dependencies = [{ name = \"z1\" }]", ""),
            lock("", "dependencies = [{ name = \"z1\" }]"),
        ] {
            let entries = changed_entries(&base, &head);
            assert!(
                entries.contains(&("w1".to_string(), Some("1.0".to_string()))),
                "{entries:?}"
            );
            let reached = reaching(&head, &members, &changed(&base, &head), &entries);
            assert_eq!(
                reached.get("b").map(String::as_str),
                Some("w1"),
                "{reached:?}"
            );
        }
    }

    #[test]
    fn a_forked_name_reaches_the_packages_pinned_to_the_changed_version() {
        let lock = |hash16: &str| {
            format!(
                r#"
[[package]]
name = "h"
version = "0.1.0"
source = {{ virtual = "py/h" }}
dependencies = [{{ name = "six", version = "1.16.0", source = {{ registry = "https://pypi.org/simple" }}, marker = "python_full_version < '3.12'" }}]

[[package]]
name = "h2"
version = "0.1.0"
source = {{ virtual = "py/h2" }}
dependencies = [{{ name = "six", version = "1.17.0", source = {{ registry = "https://pypi.org/simple" }}, marker = "python_full_version >= '3.12'" }}]

[[package]]
name = "six"
version = "1.16.0"
source = {{ registry = "https://pypi.org/simple" }}
wheels = [{{ url = "https://example.invalid/six-1.16.0.whl", hash = "sha256:{hash16}" }}]

[[package]]
name = "six"
version = "1.17.0"
source = {{ registry = "https://pypi.org/simple" }}
"#
            )
        };
        let base = parse(&lock("aa")).unwrap();
        let head = parse(&lock("bb")).unwrap();
        let changed = changed(&base, &head);
        let entries = changed_entries(&base, &head);
        assert_eq!(
            entries,
            BTreeSet::from([("six".to_string(), Some("1.16.0".to_string()))])
        );
        let members: BTreeSet<String> = ["h".into(), "h2".into()].into();
        let r = reaching(&head, &members, &changed, &entries);
        assert_eq!(r.keys().collect::<Vec<_>>(), ["h"]);
    }
}
