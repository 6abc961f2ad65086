#!/usr/bin/env bash
# Render HTML reports in headless Chromium and check that they rendered.
#
# For each FILE.html it
#   1. checks the HTML is self-contained: no `<script`, and no http:// or
#      https:// URL other than the SVG namespace (http://www.w3.org/2000/svg);
#   2. renders it to <name>.png beside it (OUTDIR/<folder>-<name>.png with
#      --out) with headless Chromium (a fresh,
#      throwaway profile; no network services);
#   3. decodes the PNG (Python standard library only) and checks its size,
#      that it is not blank (share of non-white pixels, number of distinct
#      colours) and that chart marks were drawn (pixels in the charts'
#      Okabe-Ito colours).
#
# Needs: bash, python3, and Debian's chromium; if chromium is missing it is
# installed with apt-get (run as root, with access to Debian's mirrors).
#
# Usage:
#   render_check.sh [--out DIR] [--size W,H] FILE.html...
#
# Options:
#   --out DIR     where the PNGs go (default: next to each HTML file), each
#                 named after the HTML file's folder and name
#   --size W,H    window size in CSS pixels, and the expected PNG size
#                 (default 1200,3000)
#
# Environment (thresholds):
#   RENDER_MIN_NONWHITE   least share of non-white pixels (default 0.01)
#   RENDER_MIN_COLOURS    least number of distinct colours (default 32)
#   RENDER_MIN_MARKS      least number of pixels in a chart colour (default 200)
#   RENDER_TIMEOUT        seconds allowed per page (default 120)
#
# Exit status: 0 if every file passed every check, 1 if any failed, 2 on a
# usage error or when Chromium cannot be installed.
set -euo pipefail

OUT_DIR=""
SIZE="1200,3000"
MIN_NONWHITE=${RENDER_MIN_NONWHITE:-0.01}
MIN_COLOURS=${RENDER_MIN_COLOURS:-32}
MIN_MARKS=${RENDER_MIN_MARKS:-200}
TIMEOUT=${RENDER_TIMEOUT:-120}

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

FILES=()
while [ $# -gt 0 ]; do
    case "$1" in
        --out) OUT_DIR=${2:?--out needs a directory}; shift 2 ;;
        --size) SIZE=${2:?--size needs W,H}; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        --) shift; FILES+=("$@"); break ;;
        -*) echo "render_check: unknown option $1 (see --help)" >&2; exit 2 ;;
        *) FILES+=("$1"); shift ;;
    esac
done
if [ ${#FILES[@]} -eq 0 ]; then
    echo "render_check: no HTML file given (see --help)" >&2
    exit 2
fi
if ! [[ "$SIZE" =~ ^[0-9]+,[0-9]+$ ]]; then
    echo "render_check: --size must be W,H in pixels, got '$SIZE'" >&2
    exit 2
fi
WIDTH=${SIZE%,*}
HEIGHT=${SIZE#*,}

find_chromium() {
    command -v chromium || command -v chromium-browser || true
}

CHROMIUM=$(find_chromium)
if [ -z "$CHROMIUM" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "render_check: chromium is not installed and installing it needs root" >&2
        exit 2
    fi
    echo "render_check: installing Debian's chromium (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    aptlog=$(mktemp)
    if ! apt-get install -y -q chromium >"$aptlog" 2>&1; then
        # Stale or missing package lists: refresh them and try once more.
        if ! { apt-get update -q && apt-get install -y -q chromium; } >"$aptlog" 2>&1; then
            echo "render_check: apt-get install chromium failed; the end of its output:" >&2
            tail -20 "$aptlog" >&2
            rm -f "$aptlog"
            exit 2
        fi
    fi
    rm -f "$aptlog"
    CHROMIUM=$(find_chromium)
    [ -n "$CHROMIUM" ] || { echo "render_check: chromium still not found after install" >&2; exit 2; }
fi

# The PNG check: a minimal decoder (8-bit greyscale, RGB, palette, grey+alpha,
# RGBA; non-interlaced, as Chromium writes) on zlib from the standard library.
check_png() {
    python3 - "$@" <<'PY'
import struct, sys, zlib

path, want_w, want_h, min_nonwhite, min_colours, min_marks = sys.argv[1:7]
want_w, want_h, min_marks = int(want_w), int(want_h), int(min_marks)
min_nonwhite, min_colours = float(min_nonwhite), int(min_colours)

def fail(msg):
    print(f"FAIL {path}: {msg}")
    sys.exit(1)

with open(path, "rb") as f:
    data = f.read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    fail("not a PNG file")
pos, idat, palette = 8, [], None
width = height = depth = ctype = interlace = None
while pos < len(data):
    (length,) = struct.unpack(">I", data[pos:pos + 4])
    kind = data[pos + 4:pos + 8]
    body = data[pos + 8:pos + 8 + length]
    pos += 12 + length
    if kind == b"IHDR":
        width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
    elif kind == b"PLTE":
        palette = [tuple(body[i:i + 3]) for i in range(0, len(body), 3)]
    elif kind == b"IDAT":
        idat.append(body)
    elif kind == b"IEND":
        break
if width is None:
    fail("no IHDR chunk")
if (width, height) != (want_w, want_h):
    fail(f"size {width}x{height}, expected {want_w}x{want_h}")
if depth != 8 or interlace != 0 or ctype not in (0, 2, 3, 4, 6):
    fail(f"unsupported PNG (bit depth {depth}, colour type {ctype}, interlace {interlace})")
channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
raw = zlib.decompress(b"".join(idat))
stride = width * channels
prev = bytearray(stride)
rows = []
i = 0
for _ in range(height):
    ftype = raw[i]
    line = bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    if ftype == 1:
        for x in range(channels, stride):
            line[x] = (line[x] + line[x - channels]) & 0xFF
    elif ftype == 2:
        for x in range(stride):
            line[x] = (line[x] + prev[x]) & 0xFF
    elif ftype == 3:
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            line[x] = (line[x] + ((left + prev[x]) >> 1)) & 0xFF
    elif ftype == 4:
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            line[x] = (line[x] + pred) & 0xFF
    elif ftype != 0:
        fail(f"bad filter type {ftype}")
    rows.append(bytes(line))
    prev = line

def rgb_pixels(row):
    if ctype == 2:
        return [row[k:k + 3] for k in range(0, len(row), 3)]
    if ctype == 6:
        return [row[k:k + 3] for k in range(0, len(row), 4)]
    if ctype == 0:
        return [bytes((v, v, v)) for v in row]
    if ctype == 4:
        return [bytes((row[k],) * 3) for k in range(0, len(row), 2)]
    return [bytes(palette[v]) for v in row]

# The Okabe-Ito colours the charts draw their marks in.
marks = {bytes.fromhex(h) for h in ("0072b2", "e69f00", "009e73", "d55e00", "cc79a7", "56b4e9")}
colours, nonwhite, mark_pixels = set(), 0, 0
for row in rows:
    for px in rgb_pixels(row):
        colours.add(px)
        if px != b"\xff\xff\xff":
            nonwhite += 1
        if px in marks:
            mark_pixels += 1
share = nonwhite / (width * height)
if share < min_nonwhite:
    fail(f"blank: {share:.4f} of pixels non-white (< {min_nonwhite})")
if len(colours) < min_colours:
    fail(f"blank: {len(colours)} distinct colours (< {min_colours})")
if mark_pixels < min_marks:
    fail(f"no chart marks: {mark_pixels} pixels in chart colours (< {min_marks})")
print(f"ok   {path}: {width}x{height}, {share:.3f} non-white, "
      f"{len(colours)} colours, {mark_pixels} chart-colour pixels")
PY
}

status=0
for html in "${FILES[@]}"; do
    if [ ! -f "$html" ]; then
        echo "FAIL $html: no such file"
        status=1
        continue
    fi
    # Self-contained: no script, no URL but the SVG namespace.
    if grep -qi '<script' "$html"; then
        echo "FAIL $html: contains <script"
        status=1
        continue
    fi
    urls=$(grep -oiE 'https?://[^"'"'"' <>)]*' "$html" | grep -vxF 'http://www.w3.org/2000/svg' || true)
    if [ -n "$urls" ]; then
        echo "FAIL $html: external URL(s): $(echo "$urls" | sort -u | head -5 | tr '\n' ' ')"
        status=1
        continue
    fi

    abs=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
    dir=${OUT_DIR:-$(dirname "$abs")}
    mkdir -p "$dir"
    if [ -n "$OUT_DIR" ]; then
        # Reports are all called report.html: name each PNG after its folder.
        png="$dir/$(basename "$(dirname "$abs")")-$(basename "${html%.*}").png"
    else
        png="$dir/$(basename "${html%.*}").png"
    fi
    rm -f "$png"
    profile=$(mktemp -d)
    log=$(mktemp)
    if ! timeout "$TIMEOUT" "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking --disable-component-update \
        --disable-sync --user-data-dir="$profile" --hide-scrollbars \
        --screenshot="$png" --window-size="$WIDTH,$HEIGHT" "file://$abs" >"$log" 2>&1; then
        echo "FAIL $html: chromium failed; its output:"
        sed 's/^/    /' "$log" | tail -20
        status=1
    elif [ ! -s "$png" ]; then
        echo "FAIL $html: chromium wrote no screenshot; its output:"
        sed 's/^/    /' "$log" | tail -20
        status=1
    elif ! check_png "$png" "$WIDTH" "$HEIGHT" "$MIN_NONWHITE" "$MIN_COLOURS" "$MIN_MARKS"; then
        status=1
    fi
    rm -rf "$profile" "$log"
done
exit $status
