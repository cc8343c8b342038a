#!/usr/bin/env bash
# CI: renders a report in headless Chromium as a person would see it and
# checks it: the charts are there and not empty, nothing was logged to the
# console, and a region named <script>alert(1)</script> (answered by a
# 9-8-8 contact centre named <i>centre</i>) shows as text and runs
# nothing. Leaves the screenshot and the DOM in target/browser-test/.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/target/release/cessa-sim"
work="$root/target/browser-test"
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || { echo "chromium is not installed (apt-get install chromium)" >&2; exit 1; }
[ -x "$bin" ] || { echo "build first: cargo build --release" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work"
cat > "$work/scenario.toml" <<'TOML'
name = "Browser test <i>not italic</i>"
[run]
horizon_days = 60
replications = 4
[call_types."<b>urgent</b>"]
share = 0.5
max_response_min = 30
triage = { phone = 0.5, mobile = 0.5 }
on_scene = { dist = "exponential", mean = 60 }
[call_types.routine]
share = 0.5
max_response_min = 90
triage = { phone = 0.8, mobile = 0.2 }
on_scene = 40
[regions."<script>alert(1)</script>"]
population = 200000
calls_per_hour = 2
travel = { time = { dist = "lognormal", median = 20, p90 = 45 } }
teams.van = { count = 2, shift = "24/7" }
[regions.Plain]
population = 100000
calls_per_hour = 1
travel = { time = 15 }
teams.day = { count = 1, shift = { days = "Mon-Fri", start = "08:00", end = "20:00" } }
[centres."<i>centre</i>"]
regions = ["<script>alert(1)</script>"]
counsellors."<u>all</u>" = { count = 2, shift = "24/7" }
talk = { dist = "exponential", mean = 10 }
patience = { dist = "exponential", mean = 3 }
rollover = { after_s = 120, to = "national" }
TOML
"$bin" run "$work/scenario.toml" --quiet --out "$work/out" --report
profile=$(mktemp -d)
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update
  --disable-sync --no-first-run --disable-quic --user-data-dir="$profile" --window-size=1280,6000
  --enable-logging=stderr --v=0)
url="file://$work/out/report.html"
timeout 120 "$chromium" "${flags[@]}" --dump-dom "$url" > "$work/dom.html" 2> "$work/chromium-dom.log"
timeout 120 "$chromium" "${flags[@]}" --screenshot="$work/screenshot.png" "$url" > /dev/null 2> "$work/chromium-shot.log"
rm -rf "$profile"
python3 - "$work" <<'PY'
import html.parser, pathlib, re, sys
work = pathlib.Path(sys.argv[1])
dom = (work / "dom.html").read_text()
failures = []

class Counter(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts = 0
        self.svgs = []      # element count inside each <svg>
        self.depth = 0
        self.text = []
    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts += 1
        if tag == "svg":
            self.svgs.append(0)
            self.depth += 1
        elif self.depth:
            self.svgs[-1] += 1
    def handle_endtag(self, tag):
        if tag == "svg":
            self.depth -= 1
    def handle_data(self, data):
        self.text.append(data)

c = Counter()
c.feed(dom)
text = "".join(c.text)
if c.scripts:
    failures.append(f"{c.scripts} <script> element(s) in the rendered page")
if "<script>alert(1)</script>" not in text:
    failures.append("the region name <script>alert(1)</script> does not show as text")
if "<b>urgent</b>" not in text:
    failures.append("the call type <b>urgent</b> does not show as text")
if "The 9-8-8 contact centre" not in text:
    failures.append("no contact-centre section")
for name in ("<i>centre</i>", "<u>all</u>"):
    if name not in text:
        failures.append(f"the contact-centre name {name} does not show as text")
if len(c.svgs) < 8:
    failures.append(f"only {len(c.svgs)} charts (svg) in the page")
empty = [n for n in c.svgs if n < 20]
if empty:
    failures.append(f"{len(empty)} chart(s) with fewer than 20 elements: {empty}")
for log in ("chromium-dom.log", "chromium-shot.log"):
    lines = (work / log).read_text().splitlines()
    bad = [l for l in lines if re.search(r"CONSOLE|Uncaught|ERR_FILE_NOT_FOUND|Failed to load", l)]
    if bad:
        failures.append(f"{log}: " + " | ".join(bad[:5]))
png = work / "screenshot.png"
if not png.is_file() or png.stat().st_size < 50_000:
    failures.append("the screenshot is missing or nearly blank")
charts = list((work / "out" / "charts").glob("*.png"))
if len(charts) != len(c.svgs):
    failures.append(f"{len(charts)} PNG charts for {len(c.svgs)} SVG charts")
if failures:
    print("browser test FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print(f"browser test: {len(c.svgs)} charts rendered, no console messages, scenario names shown as text, screenshot {png.stat().st_size // 1024} KB")
PY
