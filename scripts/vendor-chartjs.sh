#!/bin/sh
# Re-vendor Chart.js (the charts of "Biểu đồ phản ánh") from the npm registry into
# app/static/vendor/chartjs/: the page loads it from the app itself, never from a CDN.
# Usage: scripts/vendor-chartjs.sh [VERSION]   (default: the version pinned below)
set -eu
VERSION="${1:-4.6.1}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/app/static/vendor/chartjs"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
npm pack --silent "chart.js@$VERSION" >/dev/null
tar -xzf "chart.js-$VERSION.tgz"
mkdir -p "$DEST"
cp package/dist/chart.umd.min.js "$DEST/chart.umd.min.js"
cp package/LICENSE.md "$DEST/LICENSE.md"
printf 'chart.js %s (npm), MIT licence — see LICENSE.md; re-vendor with scripts/vendor-chartjs.sh\n' \
  "$VERSION" > "$DEST/VERSION"
echo "Chart.js $VERSION → $DEST"
