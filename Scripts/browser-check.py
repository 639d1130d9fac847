#!/usr/bin/env python3
"""Lays an HTML page out in headless Chromium at an exact width and reports what it measured, as JSON.

    Scripts/browser-check.py PAGE.html --width 400 [--scheme light|dark|forced] [--screenshot OUT.png]

Chromium's own --window-size cannot go below 500 px in headless mode, so the width is set through the
DevTools protocol (over --remote-debugging-pipe: no port, no extra package), as a phone's mail client
would lay the page out. --scheme dark emulates prefers-color-scheme: dark (Apple Mail, iOS, Outlook.com);
forced also turns on Chromium's automatic darkening (what clients that invert colours do). The network is
cut: any resource the page asks for fails, and is listed.

Prints {"innerWidth", "scrollWidth", "resources", "wide", "color", "background", "height"}.
"""
import argparse, base64, json, pathlib, sys, tempfile

from devtools import DevTools

PROBE = r"""(() => {
  const wide = [];
  for (const node of document.body.querySelectorAll('*')) {
    const box = node.getBoundingClientRect();
    if (box.width > 0 && box.right > innerWidth + 0.5)
      wide.push(node.tagName + ': ' + (node.textContent || '').trim().slice(0, 60));
  }
  const style = getComputedStyle(document.body);
  let background = style.backgroundColor;
  for (let node = document.body.firstElementChild; node && background === 'rgba(0, 0, 0, 0)'; node = node.firstElementChild)
    background = getComputedStyle(node).backgroundColor;
  return {innerWidth, scrollWidth: document.documentElement.scrollWidth,
          height: document.documentElement.scrollHeight,
          resources: performance.getEntriesByType('resource').map(entry => entry.name),
          wide: wide.slice(0, 10), color: style.color, background};
})()"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("page")
    parser.add_argument("--width", type=int, required=True)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--scheme", choices=["light", "dark", "forced"], default="light")
    parser.add_argument("--screenshot")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as profile:
        browser = DevTools(profile)
        try:
            target = browser.call("Target.createTarget", url="about:blank")["targetId"]
            session = browser.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            browser.call("Emulation.setDeviceMetricsOverride", session, width=args.width, height=args.height,
                         deviceScaleFactor=1, mobile=False)
            scheme = "light" if args.scheme == "light" else "dark"
            browser.call("Emulation.setEmulatedMedia", session,
                         features=[{"name": "prefers-color-scheme", "value": scheme}])
            if args.scheme == "forced":
                browser.call("Emulation.setAutoDarkModeOverride", session, enabled=True)
            browser.call("Page.enable", session)
            browser.call("Page.navigate", session, url=pathlib.Path(args.page).resolve().as_uri())
            browser.wait_for("Page.loadEventFired")
            result = browser.call("Runtime.evaluate", session, expression=PROBE, returnByValue=True)
            measured = result["result"]["value"]
            if args.screenshot:
                height = min(int(measured["height"]), 8000)
                shot = browser.call("Page.captureScreenshot", session, format="png", captureBeyondViewport=True,
                                    clip={"x": 0, "y": 0, "width": args.width, "height": height, "scale": 1})
                pathlib.Path(args.screenshot).write_bytes(base64.b64decode(shot["data"]))
        finally:
            browser.close()
    json.dump(measured, sys.stdout)
    print()


if __name__ == "__main__":
    main()
