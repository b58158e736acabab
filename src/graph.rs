//! The dependency graph `affected` works on: every package cargo resolved, with its direct
//! dependencies and their kinds. Built from guppy's `PackageGraph` once, small enough to cache
//! (see [`crate::cache`]) so a run whose manifests did not change needs no `cargo metadata`.

use serde::{Deserialize, Serialize};

/// Index of a package in [`DepGraph::packages`].
pub type Node = usize;

/// A resolved package graph, reduced to what the commands need.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DepGraph {
    pub packages: Vec<Package>,
    /// For each package, the `(dependent, link index in the dependent)` pairs pointing at it.
    #[serde(skip)]
    reverse: Vec<Vec<(Node, usize)>>,
}

/// One package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub name: String,
    pub version: String,
    /// A workspace member.
    pub member: bool,
    /// Directory relative to the workspace root, for local (path) packages inside it.
    pub dir: Option<String>,
    /// Absolute path of its `Cargo.toml`, for local packages.
    pub manifest: Option<String>,
    pub links: Vec<Link>,
}

/// A direct dependency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub to: Node,
    /// The key in the dependent's manifest (a rename's local name).
    pub dep_name: String,
    pub normal: bool,
    pub build: bool,
    pub dev: bool,
}

impl Link {
    /// Only a dev-dependency: not part of the dependent's own build.
    pub fn dev_only(&self) -> bool {
        self.dev && !self.normal && !self.build
    }
}

impl DepGraph {
    /// A graph of these packages; computes the reverse edges.
    pub fn new(packages: Vec<Package>) -> DepGraph {
        let mut g = DepGraph {
            packages,
            reverse: Vec::new(),
        };
        g.index();
        g
    }

    /// Rebuild the reverse edges (after deserializing).
    pub fn index(&mut self) {
        let mut reverse = vec![Vec::new(); self.packages.len()];
        for (from, pkg) in self.packages.iter().enumerate() {
            for (i, link) in pkg.links.iter().enumerate() {
                if let Some(r) = reverse.get_mut(link.to) {
                    r.push((from, i));
                }
            }
        }
        self.reverse = reverse;
    }

    /// The package at `node`.
    pub fn package(&self, node: Node) -> &Package {
        &self.packages[node]
    }

    /// `(dependent, link)` for every package that depends on `node` directly.
    pub fn dependents(&self, node: Node) -> impl Iterator<Item = (Node, &Link)> {
        self.reverse
            .get(node)
            .into_iter()
            .flatten()
            .map(|(from, i)| (*from, &self.packages[*from].links[*i]))
    }

    /// Whether the graph is internally consistent (every link points at a package).
    pub fn is_consistent(&self) -> bool {
        self.packages
            .iter()
            .all(|p| p.links.iter().all(|l| l.to < self.packages.len()))
    }
}
