"""A small loopback government site for the monitoring tests: a homepage, a column list paginated in the
TRS style (index.html, index_1.html …) whose old articles are only reachable through the later pages, an
attachment, a removed page; ETag / Last-Modified answered with 304; and counters the tests assert on
(200s and 304s per path, request start times and the most requests in flight at once)."""
import hashlib
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LAST_MODIFIED = "Wed, 01 May 2024 08:00:00 GMT"
TODAY = date(2024, 6, 14)


def free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@dataclass
class Site:
    ip: str
    lists: int = 4                 # column list pages
    per_list: int = 10             # articles per list page
    planted: str = "中华人名共和国"  # serious_error word on the oldest article
    delay: float = 0.0             # seconds each answer takes (politeness tests)
    external: str | None = None    # an off-site link target
    port: int = 0
    edits: dict[str, str] = field(default_factory=dict)   # path → replaced body (a site that changes)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # path → (type, body), linked from home
    ok: Counter = field(default_factory=Counter)          # path → 200 answers
    not_modified: Counter = field(default_factory=Counter)
    heads: Counter = field(default_factory=Counter)       # path → HEAD requests (status checks)
    starts: list[float] = field(default_factory=list)     # monotonic start time of every request
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://{self.ip}:{self.port}/"

    # --- content ------------------------------------------------------------------------------------

    def articles(self) -> list[str]:
        return [f"/news/art{n}.html" for n in range(self.lists * self.per_list)]

    def oldest(self) -> str:
        return self.articles()[-1]

    def pages(self) -> list[str]:
        """Every HTML page and file a complete crawl fetches (not the missing one)."""
        lists = ["/news/index.html"] + [f"/news/index_{i}.html" for i in range(1, self.lists)]
        return ["/", "/about.html", *lists, *self.articles(), "/files/report.txt"]
    # /logo.png is a resource and /missing.html a removed page: status-checked, never counted as pages.

    def _list(self, i: int) -> str:
        rows = "".join(
            f'<li><a href="/news/art{n}.html">工作动态第{n}条</a><span>{(TODAY - timedelta(days=n)).isoformat()}</span></li>'
            for n in range(i * self.per_list, (i + 1) * self.per_list))
        nxt = f'<a href="/news/index_{i + 1}.html">下一页</a>' if i + 1 < self.lists else ""
        return self._html("工作动态", f"<ul>{rows}</ul><div class='page'>{nxt}</div>")

    def _html(self, title: str, body: str) -> str:
        return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
                f'<div class="nav"><a href="/">首页</a><a href="/news/index.html">工作动态</a></div>{body}'
                '<div class="footer">网站标识码6105990001</div></body></html>')

    def body(self, path: str) -> tuple[int, str, bytes]:
        if path in self.edits:
            return 200, "text/html; charset=utf-8", self.edits[path].encode()
        if path == "/":
            ext = f'<a href="{self.external}">友情链接</a>' if self.external else ""
            ext += "".join(f'<a href="{path}">附件{n}</a>' for n, path in enumerate(self.files))
            return 200, "text/html; charset=utf-8", self._html("测试县人民政府", (
                '<a href="/about.html">概况</a><a href="/missing.html">旧栏目</a>'
                f'<a href="/files/report.txt">年度报告</a>{ext}<img src="/logo.png">')).encode()
        if path == "/about.html":
            return 200, "text/html; charset=utf-8", self._html("概况", "<p>本县概况。</p>").encode()
        if path == "/logo.png":
            return 200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 16
        if path in self.files:
            return 200, *self.files[path]
        if path == "/files/report.txt":
            return 200, "text/plain; charset=utf-8", "年度报告：坚持依法行政。本报告中出现澳门百家乐字样。".encode()
        if path == "/news/index.html":
            return 200, "text/html; charset=utf-8", self._list(0).encode()
        if path.startswith("/news/index_"):
            i = int(path.removeprefix("/news/index_").removesuffix(".html"))
            if 0 < i < self.lists:
                return 200, "text/html; charset=utf-8", self._list(i).encode()
        if path.startswith("/news/art"):
            n = int(path.removeprefix("/news/art").removesuffix(".html"))
            if n < self.lists * self.per_list:
                word = f"<p>{self.planted}成立七十五周年。</p>" if path == self.oldest() else ""
                return 200, "text/html; charset=utf-8", self._html(f"工作动态第{n}条", (
                    f"<h1>工作动态第{n}条</h1><p>发布时间：{(TODAY - timedelta(days=n)).isoformat()}</p>"
                    f"<p>为深入贯彻落实有关工作部署，我单位召开专题会议。</p>{word}")).encode()
        return 404, "text/html; charset=utf-8", b"<html><body>not found</body></html>"

    # --- server -------------------------------------------------------------------------------------

    def start(self) -> "Site":
        self.port = self.port or free_port(self.ip)
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                self.do_GET(head=True)

            def do_GET(self, head: bool = False) -> None:
                with site.lock:
                    site.starts.append(time.monotonic())
                    site.in_flight += 1
                    site.max_in_flight = max(site.max_in_flight, site.in_flight)
                try:
                    if site.delay:
                        time.sleep(site.delay)
                    path = self.path.split("?", 1)[0]
                    status, ctype, data = site.body(path)
                    etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
                    if status == 200 and self.headers.get("If-None-Match") == etag:
                        site.not_modified[path] += 1
                        self.send_response(304)
                        self.send_header("ETag", etag)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    if head:
                        site.heads[path] += 1
                    elif status == 200:
                        site.ok[path] += 1
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(data)))
                    if status == 200:
                        self.send_header("ETag", etag)
                        self.send_header("Last-Modified", LAST_MODIFIED)
                    self.end_headers()
                    if not head:
                        self.wfile.write(data)
                finally:
                    with site.lock:
                        site.in_flight -= 1

        self.server = ThreadingHTTPServer((self.ip, self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset_counts(self) -> None:
        with self.lock:
            self.ok.clear()
            self.not_modified.clear()
            self.heads.clear()
            self.starts.clear()
            self.max_in_flight = 0
