#!/usr/bin/env python3
"""CI: `cessa-sim serve` in real headless Chromium (Playwright driving the
system Chromium), then with hostile input.

1. Open the page, pick the default, change a team count and a maximum, run,
   follow the progress to the result; the statewide change shown must equal
   `cessa-sim compare` on the same inputs; download the edited scenario and
   check `cessa-sim run` accepts it.
2. Hostile: an oversized upload, malformed TOML, a scenario whose names are
   <script> tags, a cross-site POST, a path in a file name, a burst of runs
   beyond the queue; the server answers each clearly and stays up.

Usage: python3 tests/browser/serve_in_chromium.py target/release/cessa-sim
Leaves a screenshot in target/browser-test/serve.png.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from playwright.sync_api import sync_playwright

EXE = os.path.abspath(sys.argv[1])
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "target", "browser-test")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM:
    sys.exit("chromium is not installed (apt-get install chromium)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(url, data=None, headers=None, method=None):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def multipart(name, filename, content):
    boundary = "----cessa" + str(time.time_ns())
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
        f"Content-Type: application/toml\r\n\r\n"
    ).encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def main():
    os.makedirs(OUT, exist_ok=True)
    data = tempfile.mkdtemp(prefix="cessa-serve-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    t0 = time.time()
    server = subprocess.Popen(
        [EXE, "serve", "--listen", f"127.0.0.1:{port}", "--data", data, "--queue", "2", "--max-body-kib", "256"],
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                if request(base + "/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.05)
        started = time.time() - t0
        assert started < 1.0, f"serve took {started:.2f} s to answer"
        shown = browser_run(base)
        # The same change through the command line: the same figure.
        cmp_dir = tempfile.mkdtemp(prefix="cessa-cmp-")
        subprocess.run(
            [EXE, "compare", "-q", "-r", "6", "--alt",
             'edited: --set regions."Region 1".teams.DeKalb.count=3 --set call_types.urgent.max_response_min=45',
             "--out", cmp_dir],
            check=True,
        )
        comparison = json.load(open(os.path.join(cmp_dir, "compare.json")))["comparison"]
        row = next(r for r in comparison["rows"]
                   if r["option"] == "edited" and r["region"] is None and r["measure"] == "miss_share")
        cli = f"{100 * row['change']['mean']:+.2f} ± {100 * row['change']['half_width']:.2f} points"
        assert shown == cli, f"page shows {shown!r}, compare gives {cli!r}"
        hostile(base)
        assert server.poll() is None, "the server stopped"
        print(f"serve browser test: started in {started:.2f} s, page and compare agree ({shown}), hostile input answered, server up")
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)


def browser_run(base):
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(base + "/")
        page.get_by_role("link", name="The Illinois default").click()
        # Region 1's DeKalb team group: 1 -> 3; urgent maximum 60 -> 45; few replications.
        page.get_by_label("DeKalb", exact=True).fill("3")
        page.get_by_label("urgent", exact=True).fill("45")
        page.get_by_label("Replications").fill("6")
        page.get_by_role("button", name="Run: compare with the unchanged scenario").click()
        page.wait_for_selector("#comparison", timeout=120_000)
        shown = page.locator('tr[data-region="Statewide"] td.change').inner_text()
        page.screenshot(path=os.path.join(OUT, "serve.png"), full_page=True)
        with page.expect_download() as d:
            page.locator("#download-scenario").click()
        path = d.value.path()
        subprocess.run([EXE, "run", "-q", "-r", "1", "--set", "run.horizon_days=14", path], check=True)
        # A bad value shows beside its field, with the CLI's message.
        page.goto(base + "/s/default")
        page.get_by_label("urgent", exact=True).fill("-5")
        page.get_by_role("button", name="Run: compare with the unchanged scenario").click()
        msg = page.locator("#max_0-err").inner_text()
        assert "expected minutes >= 0" in msg, msg
        # The form with errors is answered 422 on purpose; nothing else may fail.
        errors = [e for e in errors if "status of 422" not in e]
        assert not errors, errors
        browser.close()
    return shown


def hostile(base):
    # Oversized upload (256 KiB limit): 413, not a crash.
    body, headers = multipart("scenario", "big.toml", b"a" * 400_000)
    assert request(base + "/scenarios", body, headers)[0] == 413
    # Malformed TOML: the library's message with line and column.
    body, headers = multipart("scenario", "bad.toml", b"[run\nhorizon_days = 3\n")
    status, text = request(base + "/scenarios", body, headers)
    assert status == 422 and "TOML syntax error" in text and "1:" in text, (status, text[:300])
    # Names that are HTML: shown as text.
    evil = (b'name = "<script>alert(1)</script>"\n[call_types.c]\nmax_response_min = 60\ntriage = { mobile = 1.0 }\n'
            b'on_scene = 30\n[regions."<b>R</b>"]\npopulation = 1\ncalls_per_hour = 1\ntravel = { time = 10 }\n'
            b'teams.t = { count = 1 }\n')
    body, headers = multipart("scenario", "evil.toml", evil)
    req = urllib.request.Request(base + "/scenarios", data=body, headers=headers)
    with urllib.request.urlopen(req, timeout=30) as r:
        text = r.read().decode()
        assert r.url.startswith(base + "/s/")
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;" in text, text[:500]
    # A POST from another site: refused.
    status, _ = request(base + "/s/default/run", b"demand_scale=2", {"Origin": "http://evil.example"})
    assert status == 403, status
    # No path reaches the file system.
    for bad in ["/jobs/1/files/..%2F..%2Fetc%2Fpasswd", "/jobs/1/files/status", "/s/..%2F..%2Fetc"]:
        assert request(base + bad)[0] == 404, bad
    # A burst of runs beyond the queue (2): some answered "busy", none lost.
    codes = []
    for i in range(8):
        codes.append(request(base + "/s/default/run", f"demand_scale=1.{i + 1}&replications=50".encode(),
                             {"Content-Type": "application/x-www-form-urlencoded"})[0])
    assert 503 in codes and 200 in codes, codes
    assert request(base + "/")[0] == 200


if __name__ == "__main__":
    main()
