#!/usr/bin/env bash
# Install cargo-ccworkspace $CCWORKSPACE_VERSION for the GitHub Action (action.yml), in order:
#   1. already on PATH at that version: nothing to do;
#   2. `cargo binstall` when it is installed (it reads [package.metadata.binstall]);
#   3. the release archive for this runner, checked against its .sha256 file;
#   4. `cargo install --locked` from crates.io (compiles it: minutes).
# CCWORKSPACE_RELEASES overrides where the archives are (tests use a file:// URL).
set -euo pipefail

version="${CCWORKSPACE_VERSION#v}"
if [ -z "$version" ]; then
  echo "::error::no cargo-ccworkspace version given (the action's 'version' input)" >&2
  exit 2
fi
if [ "$(cargo-ccworkspace --version 2>/dev/null || true)" = "cargo-ccworkspace $version" ]; then
  echo "cargo-ccworkspace $version is already installed"
  exit 0
fi

if command -v cargo-binstall >/dev/null 2>&1; then
  if cargo binstall --no-confirm --locked "cargo-ccworkspace@$version"; then
    exit 0
  fi
  echo "::warning::cargo binstall failed; trying the release archive"
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) target=x86_64-unknown-linux-musl ext=tar.gz ;;
  Linux-aarch64 | Linux-arm64) target=aarch64-unknown-linux-musl ext=tar.gz ;;
  Darwin-arm64) target=aarch64-apple-darwin ext=tar.gz ;;
  Darwin-x86_64) target=x86_64-apple-darwin ext=tar.gz ;;
  MINGW* | MSYS* | CYGWIN*) target=x86_64-pc-windows-msvc ext=zip ;;
  *) target="" ext="" ;;
esac

releases="${CCWORKSPACE_RELEASES:-https://github.com/ccworkspace/cargo-ccworkspace/releases/download}"
temp="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
bin_dir="$temp/cargo-ccworkspace-$version/bin"
if [ -n "$target" ]; then
  archive="cargo-ccworkspace-v$version-$target.$ext"
  # The download folder is removed on every exit (installed, refused, or failed): a runner
  # keeps its temporary folder for the whole job.
  work="$(mktemp -d "$temp/cargo-ccworkspace-download.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  if curl -fsSL --retry 3 -o "$work/$archive" "$releases/v$version/$archive" &&
    curl -fsSL --retry 3 -o "$work/$archive.sha256" "$releases/v$version/$archive.sha256"; then
    expected="$(cut -d ' ' -f 1 <"$work/$archive.sha256")"
    if command -v sha256sum >/dev/null 2>&1; then
      actual="$(sha256sum "$work/$archive" | cut -d ' ' -f 1)"
    else
      actual="$(shasum -a 256 "$work/$archive" | cut -d ' ' -f 1)"
    fi
    if [ "$expected" != "$actual" ]; then
      echo "::error::checksum mismatch for $archive: expected $expected, got $actual" >&2
      exit 2
    fi
    mkdir -p "$bin_dir"
    if [ "$ext" = zip ]; then
      unzip -o -q "$work/$archive" -d "$work/x"
    else
      mkdir -p "$work/x"
      tar -xzf "$work/$archive" -C "$work/x"
    fi
    find "$work/x" -type f \( -name cargo-ccworkspace -o -name cargo-ccworkspace.exe \) -exec cp {} "$bin_dir/" \;
    chmod +x "$bin_dir"/cargo-ccworkspace* 2>/dev/null || true
    if [ -n "${GITHUB_PATH:-}" ]; then
      echo "$bin_dir" >>"$GITHUB_PATH"
    fi
    echo "installed cargo-ccworkspace $version from $archive into $bin_dir"
    exit 0
  fi
  echo "::warning::no release archive $archive for v$version; building with cargo install"
fi

cargo install --locked cargo-ccworkspace --version "$version"
