//! Dependency lints over manifests read directly (no `cargo metadata`): findings and fixes.
