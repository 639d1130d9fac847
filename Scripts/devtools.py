"""Headless Chromium driven over the DevTools protocol through a pipe (--remote-debugging-pipe: no port,
no extra package), for Scripts/browser-check.py and Scripts/browser-test.py.

Names resolve to nothing and every request goes to a proxy on a closed port: a page reaches nothing but
the one loopback address it may be allowed, and what it tries elsewhere fails (and is seen failing).
"""
import json, os, subprocess


class DevTools:
    def __init__(self, profile, allow_host=None):
        # allow_host (a loopback address) is left out of both: the page may load from it.
        rules = "MAP * ~NOTFOUND" + (f", EXCLUDE {allow_host}" if allow_host else "")
        bypass = [f"--proxy-bypass-list={allow_host}"] if allow_host else []
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()
        # Chromium reads commands on fd 3 and answers on fd 4.
        self.process = subprocess.Popen(
            ["sh", "-c", f'exec chromium "$@" 3<&{to_browser_r} 4>&{from_browser_w}', "sh", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
             "--disable-extensions", "--remote-debugging-pipe", f"--user-data-dir={profile}",
             f"--host-resolver-rules={rules}", "--proxy-server=127.0.0.1:9", *bypass,
             "about:blank"],
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
