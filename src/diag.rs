//! Rendering findings.
