#!/usr/bin/env bash
# Packs a built primbench with the shared libraries it needs into one folder
# that runs on a machine without its Debian packages (a cloud VM, a lab box
# with no registry): build/bundle/primbench, build/bundle/lib/, and the
# scripts that drive it. Copy the folder anywhere and run there, e.g.
#   ./primbench run --out results
#   python3 ring_vs_peers.py --primbench ./primbench --rounds 9
#   PRIMBENCH_EXE=./primbench ./perf_pipe_compare.sh    (needs perf on the target)
#
# glibc itself is not packed: the target's own libc and loader are used, so
# the target needs glibc at least as new as this machine's (Debian 12: 2.36).
# Packing libc too breaks on such targets: the target's newer system
# libraries get loaded beside the old libc (seen on an Ubuntu 24.04 VM:
# "GLIBC_2.38 not found (required by libudev.so.1)").
#
# The executable gets DT_RPATH $ORIGIN/lib (not DT_RUNPATH): RPATH is also
# searched for the libraries' own dependencies (libhwloc's libudev), RUNPATH
# only for the executable's direct ones. Worker processes re-execute
# /proc/self/exe, which is this same binary, so they find the same libraries.
#
# Usage: scripts/bundle.sh [BUILD_DIR] [OUT_DIR]   (defaults: build/release build/bundle)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/release}
out=${2:-$root/build/bundle}

fail() { echo "bundle: $*" >&2; exit 2; }
[[ -x $build/primbench ]] || fail "no primbench in '$build': build it first (cmake --build --preset release)"
command -v patchelf >/dev/null || fail "patchelf is missing: apt-get install patchelf"

rm -rf "$out"
mkdir -p "$out/lib"
cp "$build/primbench" "$out/"
cp "$root/scripts/ring_vs_peers.py" "$root/scripts/perf_pipe_compare.sh" "$out/"
# Every library ldd resolves, transitively, except glibc's own (libc, libm,
# the loader, ...), which must come from the target.
glibc='^(ld-linux.*|libc|libm|libpthread|libdl|librt|libresolv|libutil)\.so'
ldd "$build/primbench" | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | while read -r lib; do
  [[ $(basename "$lib") =~ $glibc ]] || cp -L "$lib" "$out/lib/"
done
patchelf --force-rpath --set-rpath '$ORIGIN/lib' "$out/primbench"

# The bundle must resolve every library from itself or from glibc.
missing=$(ldd "$out/primbench" | awk '/not found/ {print $1}')
[[ -z $missing ]] || fail "unresolved in the bundle: $missing"
echo "bundle: $out ($(du -sh "$out" | cut -f1)); the target needs $(getconf GNU_LIBC_VERSION) or newer" >&2
