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
    /// The platforms [`Link::on_platforms`], [`Link::required_on`] and [`Link::dev_on`] were
    /// evaluated for, in [`PlatformMask`] bit order: target triples, or `any`.
    #[serde(default)]
    pub platforms: Vec<String>,
    /// For each package, the `(dependent, link index in the dependent)` pairs pointing at it.
    #[serde(skip)]
    reverse: Vec<Vec<(Node, usize)>>,
}

/// A set of platforms: bit `p` stands for [`DepGraph::platforms`]`[p]`.
pub type PlatformMask = u16;

/// Which of a member's simulated builds contain a package: bit `3 * p + b` is set when build
/// `b` (0: no features, 1: default features, 2: all features; each with the member's
/// dev-dependencies) for platform `p` (an index into [`DepGraph::platforms`]) contains it. So at
/// most 10 platforms.
pub type BuildMask = u32;

/// The builds a member is simulated with, in [`BuildMask`] bit order.
pub const BUILD_NAMES: [&str; 3] = ["no features", "default features", "all features"];

/// The [`BuildMask`] of all three builds on the platforms of `platforms`.
pub fn every_build_on(platforms: PlatformMask) -> BuildMask {
    (0..16)
        .filter(|p| platforms & (1 << p) != 0)
        .map(|p| 0b111 << (3 * p))
        .fold(0, |a, b| a | b)
}

/// One member's simulated builds: every package (the member itself too) that one of them
/// contains, with the builds that do. Sorted by node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Builds {
    pub member: Node,
    pub contains: Vec<(Node, BuildMask)>,
}

impl Builds {
    /// The builds that contain `node` (0: none).
    pub fn mask_of(&self, node: Node) -> BuildMask {
        self.contains
            .binary_search_by_key(&node, |(n, _)| *n)
            .map(|i| self.contains[i].1)
            .unwrap_or(0)
    }
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
    /// The kinds ([`Link::NORMAL`], [`Link::BUILD`], [`Link::DEV`]) in which the dependency
    /// (required or optional) is declared for one of the configured platforms
    /// ([`DepGraph::platforms`]): no `NORMAL` bit for a `[target.'cfg(windows)'.dependencies]`
    /// entry when only Linux is built.
    pub declared: u8,
    /// The platforms on which it is a required (not `optional`) normal dependency: then every
    /// build that contains the dependent contains the dependency too.
    pub required_normal_on: PlatformMask,
    /// The same for a required build-dependency, of a dependent that has a build script (cargo
    /// builds no build-dependency without one).
    pub required_build_on: PlatformMask,
    /// The platforms on which it is a dev-dependency (dev-dependencies cannot be optional).
    pub dev_on: PlatformMask,
}

impl Link {
    /// [`Link::declared`] bit of a normal dependency.
    pub const NORMAL: u8 = 1;
    /// [`Link::declared`] bit of a build-dependency.
    pub const BUILD: u8 = 2;
    /// [`Link::declared`] bit of a dev-dependency.
    pub const DEV: u8 = 4;

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
            platforms: Vec::new(),
            reverse: Vec::new(),
        };
        g.index();
        g
    }

    /// The same graph, its links evaluated for these platforms.
    pub fn with_platforms(mut self, platforms: Vec<String>) -> DepGraph {
        self.platforms = platforms;
        self
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
        // By the dependent's name, so walks (and the reason chains they find) do not depend on
        // how the graph numbered its packages (cargo's graph and the manifests' number them
        // differently).
        for r in &mut reverse {
            r.sort_by(|a, b| self.packages[a.0].name.cmp(&self.packages[b.0].name));
        }
        self.reverse = reverse;
    }

    /// `"build with default features, x86_64-unknown-linux-gnu"` or `"builds with no, default
    /// and all features, ..."`: the builds of `mask` on its first platform, for messages.
    pub fn describe_build(&self, mask: BuildMask) -> String {
        let Some(p) = (0..self.platforms.len().max(1)).find(|p| (mask >> (3 * p)) & 0b111 != 0)
        else {
            return "builds".to_string();
        };
        let names: Vec<&str> = (0..3)
            .filter(|b| mask & (1 << (3 * p + b)) != 0)
            .map(|b| BUILD_NAMES[b].trim_end_matches(" features"))
            .collect();
        let what = match names.as_slice() {
            [one] => format!("build with {one} features"),
            [a, b] => format!("builds with {a} and {b} features"),
            _ => "builds with no, default and all features".to_string(),
        };
        match self.platforms.get(p) {
            Some(platform) => format!("{what}, {platform}"),
            None => what,
        }
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
