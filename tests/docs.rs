//! The console examples in the docs are run and must print exactly what they show.

#[test]
fn docs_examples() {
    trycmd::TestCases::new()
        .register_bin(
            "cargo-ccworkspace",
            trycmd::cargo::cargo_bin!("cargo-ccworkspace"),
        )
        .case("docs/affected.md")
        .case("docs/dockerfile.md");
}
