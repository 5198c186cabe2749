#!/usr/bin/env bash
# Refresh the vendored KaTeX (maths typesetting for lessons and the Wagtail editor preview).
#
#   scripts/update-katex.sh 0.16.47
#
# Node/npm are needed only to run this script, never at run time: `npm pack` downloads the published tarball into a
# temporary directory (it runs no package scripts and creates no node_modules), and the files KaTeX needs in the
# browser are copied to content/static/vendor/katex/. Commit the result, then run
# `python -m pytest tests/content/test_math.py` (it checks that every font the CSS references exists and renders
# formulas in Chromium).
set -euo pipefail

VERSION="${1:?usage: $0 VERSION   (e.g. 0.16.47)}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/content/static/vendor/katex"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

(cd "$WORK" && npm pack --silent "katex@$VERSION" >/dev/null)
tar -xzf "$WORK"/katex-*.tgz -C "$WORK"
DIST="$WORK/package/dist"
PACKED_VERSION="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$WORK/package/package.json" | head -n 1)"

rm -rf "$DEST"
mkdir -p "$DEST/fonts" "$DEST/contrib"
cp "$DIST/katex.min.js" "$DIST/katex.min.css" "$DEST/"
cp "$DIST/contrib/auto-render.min.js" "$DEST/contrib/"
# Every font the CSS references (woff2 first, then woff and ttf as fallbacks): production's manifest storage
# refuses CSS that points at a missing file.
cp "$DIST"/fonts/* "$DEST/fonts/"
cp "$WORK/package/LICENSE" "$DEST/LICENSE"
echo "$PACKED_VERSION" > "$DEST/VERSION"

echo "KaTeX $PACKED_VERSION vendored in ${DEST#"$ROOT"/} ($(du -sh "$DEST" | cut -f1))"
