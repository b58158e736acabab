//! Which crates a change touches: pure, no process spawning, no printing.
