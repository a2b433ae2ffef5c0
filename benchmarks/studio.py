"""The studio's speed as an artist feels it, in a real headless Chromium: page load, preview click to the first
frame on screen, and a control change to the first frame that shows it.

    .venv/bin/python benchmarks/studio.py [--size 256] [--runs 3]

The model is loaded (and a 256 px preview run once) before anything is timed: the studio loads it
at start, so this is what every preview after the first few seconds costs. Prints its settings and
the medians.
"""
import argparse
import os
import platform
import shutil
import socket
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def set_field(page, key, value):
    field = page.locator(f'#controls [data-key="{key}"] input.num')
    field.fill(str(value))
    field.press("Enter")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=256, help="the preview size (px, longer side)")
    parser.add_argument("--frames", type=int, default=24)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--preset", default="vertical_stretch")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from dreamanim.studio.context import Settings
    from dreamanim.studio.server import running

    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    folder = Path(tempfile.mkdtemp(prefix="studio-bench-"))
    loads, readies, firsts, lands, shows, frame_times = [], [], [], [], [], []
    with running(Settings(folder=folder, port=free_port())) as (studio, url), sync_playwright() as pw:
        t = time.perf_counter()
        studio.jobs.ready.wait(300)
        model_seconds = time.perf_counter() - t
        browser = pw.chromium.launch(executable_path=chromium, headless=True,
                                     args=["--disable-dev-shm-usage"] + (["--no-sandbox"] if os.geteuid() == 0 else []))
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        for run in range(args.runs + 1):  # run 0 warms the traces at this size: not counted
            start = time.perf_counter()
            page.goto(url + "/", wait_until="load")
            loaded = time.perf_counter() - start
            page.locator(f'.card.preset[data-name="{args.preset}"].selected').wait_for()
            page.locator("#yaml-state", has_text="valid").wait_for()
            ready = time.perf_counter() - start
            set_field(page, "frames", args.frames)
            set_field(page, "preview_size", args.size)
            page.locator("#yaml-state", has_text="valid").wait_for()
            time.sleep(0.3)

            click = time.perf_counter()
            page.click("#preview-button")
            page.locator("#filmstrip img.frame-thumb").first.wait_for(timeout=120_000)
            first = time.perf_counter() - click
            page.locator("#filmstrip img.frame-thumb").nth(3).wait_for(timeout=120_000)
            step = page.locator('#controls [data-key="dream.step_size"] input.num')
            step.fill(f"{0.03 + run * 0.001:.3f}")
            changed = time.perf_counter()
            step.press("Enter")
            page.locator("#stage[data-changed-at]").wait_for(timeout=60_000)
            landed = int(page.locator("#stage").get_attribute("data-changed-at"))
            sent = int(page.locator("#stage").get_attribute("data-frames-at-send"))  # on screen as the page sent it
            page.locator(f'#filmstrip img.frame-thumb[data-i="{landed}"]').wait_for(timeout=60_000)
            shown = time.perf_counter() - changed
            page.locator("#job-state[data-state=done]").wait_for(timeout=300_000)
            job = max(studio.jobs.all.values(), key=lambda j: j.created)
            if run:
                loads.append(loaded)
                readies.append(ready)
                firsts.append(first)
                lands.append(landed - sent)
                shows.append(shown)
                frame_times.extend(job.frame_seconds[1:])
        browser.close()

    med = statistics.median
    print(f"dreamanim studio benchmark: {platform.node()} ({os.cpu_count()} CPUs), Chromium headless 1280x800, "
          f"preset {args.preset} previewed at {args.size} px, {args.frames} frames, {args.runs} runs (after one "
          f"warm-up); the model loaded at start in {model_seconds:.1f} s")
    print(f"  page load (load event)                         {med(loads) * 1000:6.0f} ms")
    print(f"  page ready (presets, controls, YAML validated)  {med(readies) * 1000:6.0f} ms")
    print(f"  preview click -> first frame on screen          {med(firsts):6.2f} s   (target < 2 s)")
    print(f"  one later frame ({args.size} px), median           {med(frame_times):6.2f} s")
    print(f"  control change -> frame that shows it, on screen {med(shows):6.2f} s")
    print(f"  it landed on frame (frames on screen when sent + k), k = {sorted(lands)}   (1 = the next frame: the one "
          f"being dreamed as it was sent finishes as it began)")


if __name__ == "__main__":
    main()
