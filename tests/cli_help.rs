//! What users see first: `--help` of the tool and of every command (golden snapshots; update
//! with `cargo insta review` after an intended change).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

fn help(args: &[&str]) -> String {
    let out = std::process::Command::new(support::bin())
        .args(args)
        .arg("--help")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
}

#[test]
fn help_texts() {
    insta::assert_snapshot!("help", help(&[]));
    for cmd in ["affected", "lint-deps", "dockerfile", "init", "new"] {
        insta::assert_snapshot!(format!("help_{cmd}"), help(&[cmd]));
    }
}

#[test]
fn the_cargo_subcommand_form_prints_the_same_help() {
    assert_eq!(help(&["ccworkspace", "affected"]), help(&["affected"]));
}
