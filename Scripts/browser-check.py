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
import argparse, base64, json, os, pathlib, subprocess, sys, tempfile

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


class DevTools:
    def __init__(self, profile):
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()
        # Chromium reads commands on fd 3 and answers on fd 4.
        self.process = subprocess.Popen(
            ["sh", "-c", f'exec chromium "$@" 3<&{to_browser_r} 4>&{from_browser_w}', "sh", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
             "--disable-extensions", "--remote-debugging-pipe", f"--user-data-dir={profile}",
             "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "about:blank"],
            pass_fds=(to_browser_r, from_browser_w), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def read_message(self):
        while b"\0" not in self.buffer:
            chunk = os.read(self.from_browser, 65536)
            if not chunk:
                raise SystemExit("chromium closed the DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, session=None, **params):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self.read_message()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise SystemExit(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method):
        while True:
            for index, event in enumerate(self.events):
                if event.get("method") == method:
                    del self.events[index]
                    return event
            self.events.append(self.read_message())

    def close(self):
        try:
            self.call("Browser.close")
        except (SystemExit, OSError):
            self.process.kill()
        self.process.wait(timeout=30)


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
