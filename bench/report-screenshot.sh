#!/usr/bin/env bash
# Renders kmsconf's HTML reports and screenshots them offline in headless Chromium
# (docs/load-report.md):
#   1. a short in-process `kmsconf load` run with --out and --report-html (load.png);
#   2. an in-process --find-limit search (search.png);
#   3. one load sent by two shards side by side, merged with `kmsconf report merge` and rendered
#      with `kmsconf report html` (merged.png);
#   4. the conformance report of a small slice of the Volcengine suite (report.png).
# Each screenshot must not be blank: enough distinct colours, enough of the page not background,
# and the colours its charts draw with present. Chromium runs with the network off and a fresh
# profile; it is installed with apt when missing (not a dependency of `make test`).
# Usage: bench/report-screenshot.sh [BUILD_DIR [OUT_DIR]]   (OUT_DIR default BUILD_DIR/screenshots)
set -euo pipefail

BUILD_DIR=${1:-build}
OUT_DIR=${2:-$BUILD_DIR/screenshots}
KMSCONF=$(realpath "$BUILD_DIR/cli/kmsconf" 2>/dev/null || true)
if [ ! -x "$KMSCONF" ]; then
  echo "report-screenshot: build first ($BUILD_DIR/cli/kmsconf is missing)" >&2
  exit 2
fi

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium
  CHROMIUM=$(command -v chromium)
fi

mkdir -p "$OUT_DIR"
OUT_DIR=$(realpath "$OUT_DIR")
PROFILE=$(mktemp -d)
trap 'rm -rf "$PROFILE"' EXIT

# ran CODE_ALLOWED LOG COMMAND...: runs it with its output in LOG; an exit code above
# CODE_ALLOWED (1: a threshold failed) shows the log and ends the script.
ran() {
  local allowed=$1 log=$2 code=0
  shift 2
  "$@" >"$log" 2>&1 || code=$?
  if [ "$code" -gt "$allowed" ]; then
    cat "$log" >&2
    echo "report-screenshot: $(basename "$1") $2 exited $code" >&2
    exit 1
  fi
}

# Thresholds on both sides of what the in-process server gives, so the page shows a pass and a
# failure (exit 1, expected).
ran 1 "$OUT_DIR/load.log" "$KMSCONF" load --rate 300 --duration 4s --threshold 'p99<2s' \
  --threshold 'rps>=1000' --out "$OUT_DIR/load.json" --report-html "$OUT_DIR/load.html"

# A --find-limit search against the in-process server's quota (about 10 s).
ran 1 "$OUT_DIR/search.log" "$KMSCONF" load --find-limit --rate 200 --duration 30s \
  --out "$OUT_DIR/search.json" --report-html "$OUT_DIR/search.html"

# One load sent by two shards side by side, merged, and rendered from the merged file.
for shard in 0 1; do
  "$KMSCONF" load --shard "$shard/2" --rate 400 --duration 4s --threshold 'p99<2s' \
    --out "$OUT_DIR/shard-$shard.json" >"$OUT_DIR/shard-$shard.log" 2>&1 &
done
wait
ran 1 "$OUT_DIR/merge.log" "$KMSCONF" report merge "$OUT_DIR/shard-0.json" \
  "$OUT_DIR/shard-1.json" -o "$OUT_DIR/merged.json" --threshold 'p99<2s'
ran 0 "$OUT_DIR/merged-html.log" "$KMSCONF" report html "$OUT_DIR/merged.json"

"$KMSCONF" test --dialect volcengine --filter 'volc.crypto.*' \
  --report-html "$OUT_DIR/report.html" >"$OUT_DIR/report.log" || true
[ -s "$OUT_DIR/report.html" ] || { cat "$OUT_DIR/report.log" >&2; exit 1; }

# shot PAGE PNG HEIGHT: the page as a 1280-wide browser window of HEIGHT pixels shows it.
shot() {
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --user-data-dir="$PROFILE" --screenshot="$2" --window-size="1280,$3" \
    "file://$1" >/dev/null 2>&1
  [ -s "$2" ] || { echo "report-screenshot: no screenshot of $1" >&2; exit 1; }
}
shot "$OUT_DIR/load.html" "$OUT_DIR/load.png" 2400
shot "$OUT_DIR/search.html" "$OUT_DIR/search.png" 4400
shot "$OUT_DIR/merged.html" "$OUT_DIR/merged.png" 4400
shot "$OUT_DIR/report.html" "$OUT_DIR/report.png" 1600

# check PNG COLOUR...: not blank, and each colour (a chart's fill, #rrggbb) drawn somewhere.
check() {
  python3 - "$@" <<'PY'
import struct, sys, zlib

def pixels(path):
    """RGB(A) 8-bit PNG -> (width, height, channels, rows of bytes); stdlib only."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG"
    pos, idat, head = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            head = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
    width, height, depth, colour = head[:4]
    assert depth == 8 and colour in (2, 6), f"{path}: PNG colour type {colour}/{depth} not handled"
    n = 3 if colour == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), width * n, [], bytearray(width * n)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - n] if i >= n else 0
            b, c = prev[i], (prev[i - n] if i >= n else 0)
            if kind == 1: line[i] = (line[i] + a) & 255
            elif kind == 2: line[i] = (line[i] + b) & 255
            elif kind == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, n, rows

path, wanted = sys.argv[1], [bytes.fromhex(c.lstrip("#")) for c in sys.argv[2:]]
width, height, n, rows = pixels(path)
counts = {}
for row in rows:
    for x in range(0, width * n, n * 2):  # every other pixel: plenty for a census
        rgb = row[x:x + 3]
        counts[rgb] = counts.get(rgb, 0) + 1
total = sum(counts.values())
background = counts.get(b"\xfa\xfa\xfa", 0) + counts.get(b"\xff\xff\xff", 0)
inked = 1 - background / total
problems = []
if len(counts) < 32: problems.append(f"only {len(counts)} distinct colours")
if inked < 0.03: problems.append(f"only {inked:.1%} of the page is not background")
for colour in wanted:
    if counts.get(colour, 0) < 50: problems.append(f"#{colour.hex()} (a chart colour) is missing")
print(f"{path}: {width}x{height}, {len(counts)} colours, {inked:.1%} not background"
      + ("" if not problems else ": BLANK? " + "; ".join(problems)))
sys.exit(1 if problems else 0)
PY
}
status=0
# ok green (outcome bar and stacked bars), p99 orange, the spectrum's service-time teal
check "$OUT_DIR/load.png" "#2e7d32" "#ef6c00" "#1565c0" || status=1
check "$OUT_DIR/search.png" "#2e7d32" "#1565c0" "#f9a825" || status=1
check "$OUT_DIR/merged.png" "#2e7d32" "#1565c0" || status=1
check "$OUT_DIR/report.png" "#2e7d32" || status=1
echo "screenshots in $OUT_DIR"
exit $status
