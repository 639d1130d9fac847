#!/usr/bin/env python3
"""Crawls a running `rua serve` in headless Chromium and fails on what a user would see go wrong.

    Scripts/browser-test.py http://127.0.0.1:PORT/ [--depth 2] [--screenshots DIR]

From the overview it follows every link to the same server, to --depth links away, and loads each page at
400 px (the overview and the first domain page also at 1280 px, and at 400 px in dark mode). A page fails on: a console message of level error or warning,
a script exception, a request to another host, a response of 400 or more (a broken link), horizontal
overflow (anything past the right edge at 400 px, but for wide tables scrolling inside their own box), and, in dark mode, a light background. Downloads
(originals) are checked for their status only. Screenshots of the overview and the first domain page at
each width are saved to --screenshots.

Prints {"pages": N, "problems": [...]} and exits 1 when there is a problem.
"""
import argparse, base64, json, pathlib, sys, tempfile, urllib.parse, urllib.request

from devtools import DevTools

PROBE = r"""(() => {
  // Past the right edge, and not inside a box that scrolls it into view (a wide table's own scroller).
  const scrolled = node => {
    for (let up = node.parentElement; up && up !== document.body; up = up.parentElement)
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(up).overflowX)) return true;
    return false;
  };
  const wide = [];
  for (const node of document.body.querySelectorAll('*')) {
    const box = node.getBoundingClientRect();
    if (box.width > 0 && box.right > innerWidth + 0.5 && !scrolled(node))
      wide.push(node.tagName + ': ' + (node.textContent || '').trim().slice(0, 60));
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth, wide: wide.slice(0, 5),
          height: document.documentElement.scrollHeight,
          background: getComputedStyle(document.body).backgroundColor,
          links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href)};
})()"""

VIEWS = [(1280, "light"), (400, "light"), (400, "dark")]


def dark(color):
    # rgb(r, g, b): dark when every channel is below the middle.
    numbers = [int(part) for part in color[color.index("(") + 1:color.index(")")].split(",")[:3]]
    return max(numbers) < 128


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--depth", type=int, default=2)
    parser.add_argument("--screenshots")
    args = parser.parse_args()
    base = urllib.parse.urlsplit(args.base)
    origin = f"{base.scheme}://{base.netloc}"
    problems = []
    shots = pathlib.Path(args.screenshots) if args.screenshots else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory() as profile:
        # The server's own address bypasses the closed proxy; everything else still fails.
        browser = DevTools(profile, allow_host=base.hostname)
        try:
            target = browser.call("Target.createTarget", url="about:blank")["targetId"]
            session = browser.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            for domain in ("Page", "Network", "Runtime", "Log"):
                browser.call(f"{domain}.enable", session)

            def visit(url, width, scheme, screenshot=None):
                browser.call("Emulation.setDeviceMetricsOverride", session, width=width, height=900,
                             deviceScaleFactor=1, mobile=False)
                browser.call("Emulation.setEmulatedMedia", session,
                             features=[{"name": "prefers-color-scheme", "value": scheme}])
                browser.events.clear()
                browser.call("Page.navigate", session, url=url)
                browser.wait_for("Page.loadEventFired")
                measured = browser.call("Runtime.evaluate", session, expression=PROBE,
                                        returnByValue=True)["result"]["value"]
                where = f"{url} at {width} px {scheme}"
                for event in browser.events:
                    method, params = event.get("method"), event.get("params", {})
                    if method == "Network.requestWillBeSent":
                        requested = params["request"]["url"]
                        if not requested.startswith(origin) and not requested.startswith("data:"):
                            problems.append(f"{where}: requested another host: {requested}")
                    elif method == "Network.responseReceived" and params["response"]["status"] >= 400:
                        problems.append(f"{where}: {params['response']['url']} answered {params['response']['status']}")
                    elif method == "Network.loadingFailed" and not params.get("canceled"):
                        problems.append(f"{where}: a request failed: {params.get('errorText')}")
                    elif method == "Runtime.exceptionThrown":
                        problems.append(f"{where}: script exception {params['exceptionDetails'].get('text')}")
                    elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning"):
                        problems.append(f"{where}: console {params['type']}: {params.get('args')}")
                    elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                        problems.append(f"{where}: console {params['entry']['level']}: {params['entry']['text']}")
                if measured["scrollWidth"] > measured["innerWidth"] + 1 or measured["wide"]:
                    problems.append(f"{where}: wider than the window: {measured['wide']}")
                if scheme == "dark" and not dark(measured["background"]):
                    problems.append(f"{where}: light background {measured['background']} in dark mode")
                if screenshot:
                    height = min(int(measured["height"]), 6000)
                    shot = browser.call("Page.captureScreenshot", session, format="png", captureBeyondViewport=True,
                                        clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1})
                    screenshot.write_bytes(base64.b64decode(shot["data"]))
                return measured["links"]

            seen = set()
            frontier = [args.base]
            domain_shot = None
            for depth in range(args.depth + 1):
                following = []
                for url in frontier:
                    page = url.split("#")[0]
                    if page in seen or not page.startswith(origin):
                        continue
                    seen.add(page)
                    path = urllib.parse.urlsplit(page).path
                    if path.endswith("/original") or path.startswith("/api/"):
                        continue  # downloads and data: their status is checked below
                    # The overview and the first domain page at every width and scheme; the rest at the
                    # narrowest, where overflow shows.
                    main_page = page == args.base or (path.startswith("/domain/") and domain_shot in (None, page))
                    links = []
                    for width, scheme in (VIEWS if main_page else [(400, "light")]):
                        name = None
                        if shots and page == args.base:
                            name = shots / f"overview-{width}-{scheme}.png"
                        elif shots and path.startswith("/domain/") and domain_shot in (None, page):
                            domain_shot = page
                            name = shots / f"domain-{width}-{scheme}.png"
                        links = visit(page, width, scheme, name)
                    following += links
                frontier = following
            # Downloads and API links: their status only (a browser would save them).
            for page in sorted(url for url in set(frontier) | seen if url.startswith(origin)):
                path = urllib.parse.urlsplit(page).path
                if path.endswith("/original") or path.startswith("/api/"):
                    try:
                        with urllib.request.urlopen(page, timeout=30) as answer:
                            answer.read()
                    except Exception as error:
                        problems.append(f"{page}: {error}")
        finally:
            browser.close()
    json.dump({"pages": len(seen), "problems": problems}, sys.stdout, indent=1)
    print()
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
