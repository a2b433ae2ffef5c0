"""The studio as an artist, an attacker and a VJ meet it: a real server, a real headless Chromium, real OSC.

One studio (a uvicorn server in a thread, the model loaded once) serves the whole module; the
browser is Debian's Chromium driven by Playwright (never `playwright install`). Without a browser
the browser test skips, except under CI, where it fails.
"""
import io
import json
import os
import shutil
import socket
import time
from pathlib import Path

import httpx
import yaml
import pytest
from PIL import Image

from dreamanim.studio.context import Settings
from dreamanim.studio.server import running

UPLOAD_LIMIT = 2 * 2**20  # small, so the oversized upload is cheap
# Small but real: 64 px, one octave, a few steps a frame (about 0.1 s), so a change lands mid-run.
TINY = {"size": 64, "frames": 30, "dream": {"steps": 8, "octaves": 1, "step_size": 0.02},
        "first_frame": {"steps": 1, "octaves": 1}}


def free_port(kind=socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    folder = tmp_path_factory.mktemp("studio")
    settings = Settings(folder=folder, port=free_port(), upload_limit=UPLOAD_LIMIT)
    with running(settings) as (studio, url):
        assert studio.jobs.ready.wait(180), "the model did not load"
        studio.url = url
        yield studio


@pytest.fixture
def client(studio):
    with httpx.Client(base_url=studio.url, timeout=60) as c:
        yield c


def chromium_path():
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"),
                      shutil.which("google-chrome")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    if path is None:
        message = "no Chromium: apt-get install chromium (or set CHROMIUM=/path/to/chrome)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        args = ["--disable-dev-shm-usage"] + (["--no-sandbox"] if os.geteuid() == 0 else [])
        browser = pw.chromium.launch(executable_path=path, headless=True, args=args)
        yield browser
        browser.close()


def shipped(client, name):
    return next(p for p in client.get("/api/presets").json() if p["name"] == name)["preset"]


def tiny(preset, **changes):
    preset = json.loads(json.dumps(preset))
    for key, value in {**TINY, **changes}.items():
        if isinstance(value, dict):
            preset[key] = {**preset.get(key, {}), **value}
        else:
            preset[key] = value
    return preset


def wait_for(predicate, timeout=90, every=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("timed out")


def finished(client, jid, timeout=120):
    return wait_for(lambda: (s := client.get(f"/api/jobs/{jid}").json())["state"] in ("done", "failed", "stopped")
                    and s, timeout)


def recorded(client, jid, key="step_size"):
    manifest = client.get(f"/api/jobs/{jid}/files/manifest").json()
    return manifest["preset"]["dream"][key]


def assert_one_line(response, status, *fragments):
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error.startswith("dreamanim: error: ") and "\n" not in error and "(" in error, error
    for fragment in fragments:
        assert fragment in error, (fragment, error)


# -- the page, in a real browser --

@pytest.mark.slow
def test_preview_steer_and_render_in_the_browser(studio, client, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    started = time.perf_counter()
    page.goto(studio.url + "/")
    page.locator('.card.preset[data-name="zoom"] img').wait_for()
    page.click('.card.preset[data-name="zoom"]')
    page.locator('#controls [data-key="transform[0].zoom.amount"]').wait_for()
    for key, value in [("size", 64), ("frames", 30), ("dream.steps", 8), ("dream.octaves", 1),
                       ("first_frame.steps", 1), ("first_frame.octaves", 1)]:
        field = page.locator(f'#controls [data-key="{key}"] input.num')
        field.fill(str(value))
        field.press("Enter")
    yaml = page.locator("#yaml")
    wait_for(lambda: "size: 64" in yaml.input_value() and "frames: 30" in yaml.input_value())
    page.locator("#yaml-state", has_text="valid").wait_for()
    assert page.locator("#preview-button").is_enabled()

    page.click("#preview-button")
    page.locator("#filmstrip img.frame-thumb").nth(2).wait_for(timeout=60_000)  # three frames on the page
    jid = page.locator("#stage-image").get_attribute("src").split("/")[3]  # /api/jobs/<id>/frames/<i>
    step = page.locator('#controls [data-key="dream.step_size"] input.num')
    step.fill("0.035")
    seen = page.locator("#filmstrip img.frame-thumb").count()
    step.press("Enter")  # (a change event: the page steers the running preview)
    page.locator("#stage[data-changed-at]").wait_for()  # the server said where the change landed
    shown_then = int(page.locator("#stage").get_attribute("data-frames-at-change"))
    page.click("#pause-button")
    page.locator('#job-state[data-state="paused"]').wait_for()
    time.sleep(0.6)  # the frame in flight finishes; then nothing more while paused
    held = page.locator("#filmstrip img.frame-thumb").count()
    time.sleep(0.8)
    assert page.locator("#filmstrip img.frame-thumb").count() == held
    page.click("#pause-button")  # (now Resume)
    page.locator('#job-state[data-state="done"]').wait_for(timeout=60_000)
    assert page.locator("#filmstrip img.frame-thumb").count() == 30

    status = client.get(f"/api/jobs/{jid}").json()
    change = status["changes"][0]
    assert change["key"] == "dream.step_size" and change["value"] == 0.035
    # no frame already on the page has it; the first frame after the change reached the server has
    assert seen <= change["t"] <= shown_then + 1, (seen, shown_then, change)
    assert int(page.locator("#stage").get_attribute("data-changed-at")) == change["t"]
    assert recorded(client, jid) == {"0": 0.02, str(change["t"]): 0.035, "interpolation": "step"}

    page.click("#render-button")
    page.locator("#job-state", has_text="render · done").wait_for(timeout=120_000)  # (not the preview's links)
    link = page.locator('#outputs-line a[data-kind="gif"]')
    with page.expect_download() as download:
        link.click()
    gif = tmp_path / "render.gif"
    download.value.save_as(gif)
    with Image.open(gif) as im:
        assert im.n_frames == 30
        assert max(im.size) == 64
    assert "render" in download.value.suggested_filename
    assert not errors, errors
    assert time.perf_counter() - started < 120


@pytest.mark.slow
def test_open_preset_restores_the_steered_controls(studio, client, browser):
    preset = tiny(shipped(client, "zoom"), frames=8)
    job = client.post("/api/jobs", json={"kind": "preview", "preset": preset}).json()
    wait_for(lambda: client.get(f"/api/jobs/{job['id']}").json()["done"] >= 1)
    client.post(f"/api/jobs/{job['id']}/set", json={"key": "zoom.amount", "value": 0.08}).raise_for_status()
    finished(client, job["id"])
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(studio.url + "/")
    row = page.locator(f'#jobs li[data-id="{job["id"]}"]')
    row.locator("button", has_text="open preset").click()
    wait_for(lambda: "amount: {" in page.locator("#yaml").input_value())  # the keyframes, recorded
    assert page.locator('#controls [data-key="size"] input.num').input_value() == "64"
    field = page.locator('#controls [data-key="transform[0].zoom.amount"] input.num')
    assert "interpolation" in field.input_value()


# -- the HTTP API: every hostile request a 4xx, nothing written outside the studio's folder --

@pytest.fixture
def outside(tmp_path, monkeypatch):
    """A folder outside the studio's, as the current folder: it must stay empty."""
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    assert list(tmp_path.iterdir()) == []


def test_hostile_requests_get_one_line_4xx(studio, client, outside):
    base = tiny(shipped(client, "zoom"))
    jobs_before = len(client.get("/api/jobs").json())
    for ref, status, fragment in [("../../../etc/passwd", 400, "is a path"), ("/etc/passwd", 400, "is a path"),
                                  ("..", 400, "is a path"), ("C:\\Windows\\win.ini", 400, "is a path"),
                                  ("sample:../presets/zoom.yaml", 400, "is a path"),
                                  ("upload:../../x", 404, "is not an id"),
                                  ("elsewhere.png", 400, "is not a bundled sample")]:
        assert_one_line(client.post("/api/jobs", json={"kind": "render", "preset": {**base, "input": ref}}),
                        status, fragment)
    assert_one_line(client.post("/api/jobs", json={"preset": {**base, "audio": "/etc/hosts"}}), 400, "audio")
    assert_one_line(client.post("/api/jobs", json={"preset": {**base, "output": "/tmp/x"}}), 400, "output")
    assert_one_line(client.post("/api/jobs", json={"preset": {**base, "weights": "w.h5"}}), 400, "weights")
    assert_one_line(client.post("/api/jobs", json={"preset": {**base, "plugins": ["swirl.py"]}}), 403,
                    "plugins", "a plugin is Python code")
    assert_one_line(client.post("/api/jobs", json={"yaml": "size: [64\nframes: 3\n"}), 400, "YAML syntax error")
    assert_one_line(client.post("/api/jobs", json={"yaml": "frames: 3\nframes: 4\n"}), 400, "duplicate key")
    assert_one_line(client.post("/api/jobs", json={"preset": {**base, "size": 100000}}), 400,
                    "preset: size: must be less than or equal to 8192")
    assert_one_line(client.post("/api/jobs", json={"preset": {**base, "dream": {"step_size": -1}}}), 400,
                    "dream.step_size")
    assert len(client.get("/api/jobs").json()) == jobs_before  # nothing ran
    assert_one_line(client.get("/api/jobs/..%2F..%2Fetc/files/gif"), 404)
    assert_one_line(client.get("/api/jobs/abcdefabcdef/files/gif"), 404, "no such job")
    assert_one_line(client.get("/api/jobs/abcdefabcdef/files/..%2F..%2Fmanifest"), 404)
    assert_one_line(client.get("/api/samples/..%2Fzoom.yaml/thumbnail"), 404)
    assert_one_line(client.get("/api/samples/..zoom.yaml/thumbnail"), 400, "is a path")
    assert client.get("/static/%2E%2E/api.py").status_code == 404


def test_refused_hosts_origins_and_bodies(client):
    assert_one_line(client.get("/api/info", headers={"host": "evil.example:80"}), 400, "Host")
    assert_one_line(client.get("/", headers={"host": "attacker.test"}), 400, "Host")
    assert_one_line(client.post("/api/jobs", json={}, headers={"origin": "http://evil.example"}), 403, "Origin")
    assert_one_line(client.get("/api/info", headers={"origin": "null"}), 403, "Origin")
    assert client.get("/api/info", headers={"origin": str(client.base_url).rstrip("/")}).status_code == 200
    # a cross-site form post (no preflight) is refused for its content type, even without an Origin
    assert_one_line(client.post("/api/jobs", content="kind=render", headers={
        "content-type": "application/x-www-form-urlencoded"}), 415, "JSON")
    page = client.get("/")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_uploads_are_checked_by_content_and_size(studio, client, outside):
    uploads = studio.folder / "uploads"
    before = set(uploads.iterdir())
    assert_one_line(client.post("/api/uploads?kind=image&name=cat.png", content=b"hello, not a picture"), 415,
                    "not an image")
    assert_one_line(client.post("/api/uploads?kind=audio&name=x.wav", content=b"RIFF....WAVEfmt nothing"), 415,
                    "no audio stream")
    big = b"\0" * (UPLOAD_LIMIT + 1)
    assert_one_line(client.post("/api/uploads?kind=image&name=big.png", content=big), 413, "upload limit")

    def chunks():  # no Content-Length: the limit holds while the body streams in
        for _ in range(3):
            yield b"\0" * (UPLOAD_LIMIT // 2 + 1)
    assert_one_line(client.post("/api/uploads?kind=video&name=big.mp4", content=chunks()), 413, "upload limit")
    assert_one_line(client.post("/api/uploads?kind=plugin&name=x.py", content=b"print(1)"), 403, "plugin")
    assert set(uploads.iterdir()) == before  # nothing kept, no partial file

    png = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 90)).save(png, "PNG")
    for name in ("../../evil name.png", "/etc/evil.png", "C:\\evil.png"):  # a name that is a path: refused
        assert_one_line(client.post(f"/api/uploads?kind=image&name={name}", content=png.getvalue()), 400, "is a path")
    assert_one_line(client.post("/api/uploads?kind=video&name=still.mp4", content=png.getvalue()), 415,
                    "a still image")
    made = client.post("/api/uploads?kind=image&name=evil name.png", content=png.getvalue())
    assert made.status_code == 201, made.text
    info = made.json()
    stored = set(uploads.iterdir()) - before
    assert [p.name for p in stored] == [f"{info['id']}.image.png"]  # a generated name; the client's is shown only
    assert info["name"] == "evil name.png" and (info["width"], info["height"]) == (40, 30)
    assert client.get(info["thumbnail"]).headers["content-type"] == "image/jpeg"
    checked = client.post("/api/preset", json={"preset": {"input": info["ref"], "size": 32, "frames": 1}})
    assert checked.json()["ok"], checked.text
    link = uploads / "0123456789abcdef.image.png"
    link.symlink_to("/etc/hostname")  # a symlink planted in the folder is no upload
    try:
        assert_one_line(client.post("/api/preset", json={"preset": {"input": "upload:0123456789abcdef"}}), 400,
                        "no image or video upload")
    finally:
        link.unlink()


def test_yaml_and_controls_convert_both_ways(client):
    zoom = shipped(client, "zoom")
    answer = client.post("/api/preset", json={"preset": zoom}).json()
    assert answer["ok"] and "transform:\n- zoom: {amount: 0.05}" in answer["yaml"]
    back = client.post("/api/preset", json={"yaml": answer["yaml"]}).json()
    assert back["preset"] == zoom
    bad = client.post("/api/preset", content="size: 9\ndream: {step_size: 0}\n", headers={"content-type": "text/yaml"})
    assert bad.status_code == 400 and not bad.json()["ok"]
    assert set(bad.json()["keys"]) == {"size", "dream.step_size"}  # the controls that show the message


def test_a_live_change_is_checked_at_once(studio, client):
    job = client.post("/api/jobs", json={"kind": "preview", "preset": tiny(shipped(client, "zoom"), frames=30)}).json()
    try:
        wait_for(lambda: client.get(f"/api/jobs/{job['id']}").json()["done"] >= 1)
        assert_one_line(client.post(f"/api/jobs/{job['id']}/set", json={"key": "size", "value": 32}), 400,
                        "live: size: only the dream's numbers")
        assert_one_line(client.post(f"/api/jobs/{job['id']}/set", json={"key": "dream.step_size", "value": -3}),
                        400, "live: dream.step_size", "greater than 0")
        assert_one_line(client.post(f"/api/jobs/{job['id']}/pulse", json={"key": "zoom.amount", "amount": "lots"}),
                        400, "pulse's amount must be a number")
        assert_one_line(client.post(f"/api/jobs/{job['id']}/set", json={"key": "dream.guide", "value": "/etc/passwd"}),
                        400, "live: dream.guide", "a live change is a number")  # no path is ever read
        assert_one_line(client.post(f"/api/jobs/{job['id']}/pulse", json={"key": "zoom.amount", "amount": 5}),
                        400, "live: transform[0].zoom.amount", "between -1 and 1")  # out of range at a frame to come
        assert client.get(f"/api/jobs/{job['id']}").json()["changes"] == []
        client.post(f"/api/jobs/{job['id']}/set", json={"key": "dream.step_size", "value": 0.03}).raise_for_status()
        wait_for(lambda: client.get(f"/api/jobs/{job['id']}").json()["changes"])
    finally:
        client.post(f"/api/jobs/{job['id']}/stop").raise_for_status()
    status = finished(client, job["id"])
    assert status["state"] == "stopped" and status["done"] < 30
    t = status["changes"][0]["t"]
    again = client.post(f"/api/jobs/{job['id']}/continue").json()  # the CLI's --resume
    assert again["state"] in ("queued", "running")
    status = finished(client, job["id"])
    assert status["state"] == "done", status["error"]
    assert len(status["frame_urls"]) == 30
    assert recorded(client, job["id"]) == {"0": 0.02, str(t): 0.03, "interpolation": "step"}
    kept = yaml.safe_load((studio.folder / "jobs" / job["id"] / "preview.yaml").read_text())
    assert kept["dream"]["step_size"] == {"0": 0.02, str(t): 0.03, "interpolation": "step"}  # `render --resume` reads it


def test_token_when_reachable_from_elsewhere(tmp_path):
    settings = Settings(folder=tmp_path / "s", port=free_port(), token="sesame", warm=False)
    with running(settings) as (_, url):
        with httpx.Client(base_url=url) as c:
            assert_one_line(c.get("/api/info"), 403, "token")
            assert_one_line(c.get("/api/info", headers={"authorization": "Bearer nope"}), 403, "token")
            assert c.get("/api/info", headers={"authorization": "Bearer sesame"}).status_code == 200
            first = c.get("/?token=sesame")
            assert first.status_code == 200 and "HttpOnly" in first.headers["set-cookie"]
            assert c.get("/api/info").status_code == 200  # the cookie carries it from then on


# -- OSC --

@pytest.mark.slow
def test_osc_steers_the_running_preview(studio, client):
    from pythonosc.udp_client import SimpleUDPClient

    from dreamanim.studio.osc import start
    port = free_port(socket.SOCK_DGRAM)
    server = start(studio.jobs, port)
    try:
        job = client.post("/api/jobs", json={"kind": "preview", "preset": tiny(shipped(client, "zoom"), frames=16)}).json()
        wait_for(lambda: client.get(f"/api/jobs/{job['id']}").json()["done"] >= 2)
        osc = SimpleUDPClient("127.0.0.1", port)
        osc.send_message("/dreamanim/set", ["dream.step_size", 0.03])
        osc.send_message("/dreamanim/pulse", ["zoom.amount", 0.05, 2])
        status = finished(client, job["id"])
    finally:
        server.shutdown()
        server.server_close()
    keys = {c["key"]: c for c in status["changes"]}
    assert keys["dream.step_size"]["value"] == 0.03
    assert keys["transform[0].zoom.amount"]["value"] == {"pulse": 0.05, "frames": 2}
    steering = studio.jobs.get(job["id"]).steering
    assert [c["key"] for c in steering.changes] == ["dream.step_size", "transform[0].zoom.amount"]
    t = keys["dream.step_size"]["t"]
    assert recorded(client, job["id"]) == {"0": 0.02, str(t): 0.03, "interpolation": "step"}


# -- the command line --

def test_command_help_and_bad_options(run_cli, tmp_path):
    code, out, _ = run_cli("studio", "--help")
    assert code == 0
    for option in ("--port", "--open", "--host", "--osc", "--allow-plugins", "--upload-limit", "--folder"):
        assert option in out
    code, _, err = run_cli("studio", "--port", "70000")
    assert code == 2 and err.startswith("dreamanim: error: --port 70000: is not a TCP port")
    code, _, err = run_cli("studio", "--folder", os.devnull)
    assert code == 2 and "is not a plain folder" in err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = run_cli("studio", "--port", str(port), "--folder", str(tmp_path / "s"))
    assert code == 2 and err.startswith(f"dreamanim: error: --port {port}: cannot listen")


def test_ctrl_c_stops_the_studio_and_its_job_keeps_its_frames(tmp_path):
    """A real `dreamanim studio` process: Ctrl-C mid-preview exits 130 soon, the frames stay, and the
    CLI's --resume finishes the job from the preset the job kept beside them."""
    import signal
    import subprocess
    import sys
    port, folder = free_port(), tmp_path / "s"
    proc = subprocess.Popen([sys.executable, "-m", "dreamanim", "studio", "--port", str(port), "--folder", str(folder)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert f"http://127.0.0.1:{port}/" in proc.stdout.readline()
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
            preset = tiny(shipped(c, "zoom"), frames=40)
            job = c.post("/api/jobs", json={"kind": "render", "preset": preset}).json()
            wait_for(lambda: c.get(f"/api/jobs/{job['id']}").json()["done"] >= 2, timeout=120)
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=60)
    finally:
        proc.kill()
    assert code == 130, proc.stderr.read()
    base = folder / "jobs" / job["id"] / "render"
    kept = sorted((base.parent / "render.frames").glob("frame_*.png"))
    assert 2 <= len(kept) < 40
    from dreamanim.cli.main import main
    assert main(["render", str(base.parent / "render.yaml"), "-o", str(base), "--resume", "--quiet"]) == 0
    assert len(list((base.parent / "render.frames").glob("frame_*.png"))) == 40
    with Image.open(base.parent / "render.gif") as gif:
        assert gif.n_frames == 40
