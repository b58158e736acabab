//! Per-crate Dockerfile plans and their rendering.
