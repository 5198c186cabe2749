#!/usr/bin/env bash
# Refresh the vendored H5P player (h5p-standalone) and SCORM runtime (scorm-again) of the learning-object library.
#
#   scripts/update-library-players.sh 3.8.2 3.4.3
#
# Node/npm are needed only to run this script, never at run time: `npm pack` downloads the published tarballs into a
# temporary directory (no package scripts run; h5p-standalone's `preinstall` would refuse npm) and the browser files
# are copied to lms/library/static/library/vendor/. Commit the result, then run `pytest tests/library`.
set -euo pipefail

H5P_VERSION="${1:?usage: $0 H5P_STANDALONE_VERSION SCORM_AGAIN_VERSION}"
SCORM_VERSION="${2:?usage: $0 H5P_STANDALONE_VERSION SCORM_AGAIN_VERSION}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENDOR="$ROOT/lms/library/static/library/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

(cd "$WORK" && npm pack --silent "h5p-standalone@$H5P_VERSION" "scorm-again@$SCORM_VERSION" >/dev/null)
mkdir -p "$WORK/h5p" "$WORK/scorm"
tar -xzf "$WORK"/h5p-standalone-*.tgz -C "$WORK/h5p"
tar -xzf "$WORK"/scorm-again-*.tgz -C "$WORK/scorm"

rm -rf "$VENDOR/h5p-standalone" "$VENDOR/scorm-again"
mkdir -p "$VENDOR/h5p-standalone" "$VENDOR/scorm-again"
cp -r "$WORK/h5p/package/dist/main.bundle.js" "$WORK/h5p/package/dist/frame.bundle.js" \
      "$WORK/h5p/package/dist/main.bundle.js.LICENSE.txt" "$WORK/h5p/package/dist/styles" \
      "$WORK/h5p/package/dist/fonts" "$WORK/h5p/package/dist/images" "$VENDOR/h5p-standalone/"
cp "$WORK/h5p/package/LICENSE"* "$VENDOR/h5p-standalone/LICENSE" 2>/dev/null || \
  sed -n 's/.*"license": *"\([^"]*\)".*/\1 (see package.json of h5p-standalone)/p' "$WORK/h5p/package/package.json" \
  > "$VENDOR/h5p-standalone/LICENSE"
sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$WORK/h5p/package/package.json" | head -n 1 > "$VENDOR/h5p-standalone/VERSION"

cp "$WORK/scorm/package/dist/scorm12.min.js" "$WORK/scorm/package/dist/scorm2004.min.js" "$VENDOR/scorm-again/"
# The .map files are not shipped: drop their references, which manifest static storage would try to resolve.
sed -i '/^\/\/# sourceMappingURL=/d' "$VENDOR/scorm-again/"*.js
cp "$WORK/scorm/package/LICENSE"* "$VENDOR/scorm-again/LICENSE"
sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$WORK/scorm/package/package.json" | head -n 1 > "$VENDOR/scorm-again/VERSION"

echo "h5p-standalone $(cat "$VENDOR/h5p-standalone/VERSION"), scorm-again $(cat "$VENDOR/scorm-again/VERSION") vendored in ${VENDOR#"$ROOT"/} ($(du -sh "$VENDOR" | cut -f1))"
