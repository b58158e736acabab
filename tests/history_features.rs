//! `affected` on generated histories with the shapes of issue 14 (the generator's
//! [`Shapes`]): optional path dependencies behind features, `cfg(windows)` and `cfg(unix)` path
//! dependencies, and a root package, compared with guppy's determinator commit by commit (see
//! [`oracle::compare_history`] for what is checked). The default `affected` follows each
//! package's own builds for the host platform, so it must equal the determinator there, where
//! the `--all-features`, every-platform graph over-approximates.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::generator::{Shapes, Spec};
use support::oracle;

fn check(seed: u64, crates: usize, shapes: Shapes) {
    let failures = oracle::compare_history(&Spec {
        crates,
        seed,
        shapes,
        ..Spec::default()
    });
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

// One test per history, so the harness runs them in parallel; each takes 10 to 30 s.

#[test]
fn features_platforms_and_root_package_agree_with_determinator_seed_1() {
    check(1, 40, Shapes::all());
}

#[test]
fn features_platforms_and_root_package_agree_with_determinator_seed_7() {
    check(7, 60, Shapes::all());
}

#[test]
fn features_alone_agree_with_determinator_seed_3() {
    check(
        3,
        30,
        Shapes {
            features: true,
            ..Shapes::default()
        },
    );
}

#[test]
fn platforms_and_root_package_agree_with_determinator_seed_12() {
    check(
        12,
        30,
        Shapes {
            platforms: true,
            root_package: true,
            ..Shapes::default()
        },
    );
}

/// More seeds and sizes: `CCWORKSPACE_HISTORY_SEEDS=N` histories (default 2; about 20 s each on
/// 2 cores), from seed 100 up, every shape on, without the root package on odd seeds (a root
/// package sends `affected` to `cargo metadata`; without one, a cold run answers a change to
/// member files from the manifests).
#[test]
fn every_shape_agrees_with_determinator_on_more_histories() {
    let n: u64 = std::env::var("CCWORKSPACE_HISTORY_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let mut failures = Vec::new();
    for seed in 100..100 + n {
        failures.extend(oracle::compare_history(&Spec {
            crates: 20 + (seed as usize * 7) % 41,
            seed,
            shapes: Shapes {
                root_package: seed % 2 == 0,
                ..Shapes::all()
            },
            ..Spec::default()
        }));
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// The shaped workspace is a real one: after its whole history it checks, with the default
/// features and with all features (the `#[cfg(feature)]` and `#[cfg(windows)]` uses compile
/// where their dependencies are there).
#[test]
fn the_shaped_history_still_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("ws");
    let spec = Spec {
        crates: 24,
        seed: 5,
        shapes: Shapes::all(),
        ..Spec::default()
    };
    let g = support::generator::generate(&root, &spec).unwrap();
    // Every shape is there, the no-default dependent's path dependency among them.
    let has = |f: &dyn Fn(&support::generator::GenCrate) -> bool| g.crates.iter().any(f);
    assert!(has(&|c| c.optional_deps.iter().any(|(_, dflt)| !dflt)));
    assert!(has(&|c| c.optional_deps.iter().any(|(_, dflt)| *dflt)));
    assert!(has(&|c| !c.no_default.is_empty()));
    assert!(has(
        &|c| !c.dep_features.is_empty() || !c.forwards.is_empty()
    ));
    assert!(has(&|c| c.cfg_deps.iter().any(|(p, _)| p == "windows")));
    assert!(has(&|c| c.cfg_deps.iter().any(|(p, _)| p == "unix")));
    assert_eq!(g.root_deps().len(), 3, "{:?}", g.root_deps());
    let repo = support::git::Repo::init(&root);
    let steps = support::generator::make_history(&repo, &g, spec.seed).unwrap();
    assert!(steps.len() >= 17, "{steps:?}");
    for extra in [&[][..], &["--all-features"][..]] {
        let out = std::process::Command::new(support::cargo())
            .args([
                "check",
                "--workspace",
                "--all-targets",
                "--offline",
                "--quiet",
            ])
            .args(extra)
            .env("CARGO_TARGET_DIR", tmp.path().join("target"))
            .current_dir(&root)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "cargo check {extra:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// With registry dependencies too (`itoa`, `serde`, `pyo3`, a `Cargo.lock`; the lockfile-only
/// and `[workspace.dependencies]` steps then bump `itoa`). Needs the registry or a warm cache,
/// as `generator.rs`'s registry test does.
#[test]
fn every_shape_with_registry_dependencies_agrees_with_determinator_seed_5() {
    let failures = oracle::compare_history(&Spec {
        crates: 24,
        seed: 5,
        registry_deps: true,
        shapes: Shapes::all(),
        ..Spec::default()
    });
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
