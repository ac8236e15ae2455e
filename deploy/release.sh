#!/usr/bin/env bash
# Builds the release tarball stackscan-VERSION-TARGET.tar.gz (and its .sha256) in target/dist/:
#
#   stackscan-VERSION-TARGET/
#     stackscan                  the binary (release profile: LTO, stripped)
#     completions/               stackscan.bash, _stackscan (zsh), stackscan.fish, _stackscan.ps1 (PowerShell)
#     man/stackscan.1            the man page
#     systemd/stackscan.service  the unit for `stackscan follow` on a server (deploy/systemd/)
#     README.md, LICENSE
#
# Completions and the man page come from the binary itself (`stackscan completions SHELL`, `stackscan man`).
# The archive is reproducible: sorted names, owner 0:0, every mtime set to SOURCE_DATE_EPOCH (default: the
# last commit's time), gzip without a name or time stamp. Needs cargo, GNU tar, gzip, sha256sum.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: deploy/release.sh [--target TRIPLE] [--bin PATH] [--gen-bin PATH] [--out DIR]

  --target TRIPLE  build for this target (default: the host's); e.g. x86_64-unknown-linux-musl for a static
                   binary (needs `rustup target add x86_64-unknown-linux-musl` and musl-gcc: apt-get install
                   musl-tools)
  --bin PATH       package this already built binary instead of building one (give --target to name it)
  --gen-bin PATH   a stackscan that runs here, to write the completions and the man page (default: the
                   packaged binary; needed when that one is built for another machine)
  --out DIR        where the tarball goes (default: target/dist)
EOF
}

die() {
  printf 'release: %s\n' "$*" >&2
  exit 2
}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=""
bin=""
gen_bin=""
out="$root/target/dist"

while [[ $# -gt 0 ]]; do
  case $1 in
    --target) [[ $# -ge 2 ]] || die "--target needs a value"; target=$2; shift 2 ;;
    --bin) [[ $# -ge 2 ]] || die "--bin needs a value"; bin=$2; shift 2 ;;
    --gen-bin) [[ $# -ge 2 ]] || die "--gen-bin needs a value"; gen_bin=$2; shift 2 ;;
    --out) [[ $# -ge 2 ]] || die "--out needs a value"; out=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

umask 022
cd "$root"

version=$(awk -F'"' '/^\[package\]/ { p = 1; next } /^\[/ { p = 0 } p && /^version *=/ { print $2; exit }' Cargo.toml)
[[ -n $version ]] || die "no version in Cargo.toml's [package]"
host=$(rustc -vV | sed -n 's/^host: //p')
target=${target:-$host}

if [[ -z $bin ]]; then
  cargo_args=(build --release --locked --bin stackscan)
  target_dir=${CARGO_TARGET_DIR:-$root/target}
  if [[ $target == "$host" ]]; then
    bin=$target_dir/release/stackscan
  else
    cargo_args+=(--target "$target")
    bin=$target_dir/$target/release/stackscan
  fi
  cargo "${cargo_args[@]}"
fi
[[ -x $bin ]] || die "no binary at $bin"
gen=${gen_bin:-$bin}
"$gen" --version >/dev/null 2>&1 ||
  die "cannot run $gen on this machine (built for another one?): give --gen-bin with a stackscan that runs here"

name=stackscan-$version-$target
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
dir=$stage/$name
mkdir -p "$dir/completions" "$dir/man" "$dir/systemd"

install -m 0755 "$bin" "$dir/stackscan"

# generate FILE ARGS...: the output of `stackscan ARGS...` into FILE, which must not come out empty.
generate() {
  local file=$1
  shift
  "$gen" "$@" >"$file" || die "\`stackscan $*\` failed: does this stackscan ($gen) have that subcommand?"
  [[ -s $file ]] || die "\`stackscan $*\` wrote nothing"
}
generate "$dir/completions/stackscan.bash" completions bash
generate "$dir/completions/_stackscan" completions zsh
generate "$dir/completions/stackscan.fish" completions fish
generate "$dir/completions/_stackscan.ps1" completions powershell
generate "$dir/man/stackscan.1" man

install -m 0644 deploy/systemd/stackscan.service "$dir/systemd/stackscan.service"
install -m 0644 README.md LICENSE "$dir/"

epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
mkdir -p "$out"
tarball=$out/$name.tar.gz
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" --mode='go-w' \
  -C "$stage" -cf - "$name" | gzip -n -9 >"$tarball"
(cd "$out" && sha256sum "$name.tar.gz" >"$name.tar.gz.sha256")

tar -tzvf "$tarball"
printf '%s\n' "$tarball" "$tarball.sha256"
