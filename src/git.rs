//! The only place that spawns `git`.
