"""The crawler's HTTP transport: libcurl's multi interface (pycurl), driven by the running asyncio loop.

libcurl tells us which sockets to watch and when to wake it (its socket and timer callbacks); we keep them
in an epoll set the loop watches, and hand readiness back (`socket_action`). A request is then
a handle added to the multi and a future completed when libcurl reports the transfer done. On the site
farm this costs a seventh of aiohttp's CPU per request (bench/crawl.py, its client section).

The SSRF guard is netguard's policy, as on the other transports: names are resolved and vetted here (every
answer must be permitted) and pinned for libcurl (CURLOPT_RESOLVE), and every socket libcurl opens is vetted
again at connect time (CURLOPT_OPENSOCKETFUNCTION): IP literals and every redirect hop included.

The body is left encoded (no CURLOPT_ACCEPT_ENCODING): the caller's decompressors undo it chunk by chunk
against the byte limit, so a compression bomb stops at the limit.
"""
import asyncio
import select
import socket
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import pycurl

from services.checker.crawl.decode import Decompressor, TooLarge
from services.common.netguard import ForbiddenAddress, Policy, parse_ip, resolve, vet

# A body the caller does not want (a redirect's, a non-HTML page's) is read and dropped up to this size,
# so that the connection can be kept; past it the transfer is cut.
_SKIP_LIMIT = 64 * 1024
_DNS_TTL = 60.0

# libcurl's error codes, by the crawler's stable error codes (crawl/fetch.py `classify`).
_ERRORS = {
    1: "protocol_error",   # UNSUPPORTED_PROTOCOL: also an HTTP/0.9 answer, which libcurl refuses
    3: "bad_url",          # URL_MALFORMAT
    5: "dns_error", 6: "dns_error",
    7: "connect_error",
    8: "protocol_error",   # WEIRD_SERVER_REPLY
    16: "protocol_error",  # HTTP2
    18: "reset",           # PARTIAL_FILE: the peer closed before the announced end of the body
    28: "timeout",
    35: "tls_error", 53: "tls_error", 54: "tls_error", 58: "tls_error", 59: "tls_error", 60: "tls_error",
    64: "tls_error", 66: "tls_error", 77: "tls_error", 80: "tls_error", 82: "tls_error", 83: "tls_error",
    90: "tls_error", 91: "tls_error", 98: "tls_error",
    52: "reset",           # GOT_NOTHING
    55: "reset", 56: "reset",  # SEND_ERROR, RECV_ERROR
    100: "protocol_error",  # TOO_LARGE: a header past libcurl's limit
}


class CurlFailed(Exception):
    """A transfer libcurl ended with an error; `error` is the crawler's code for it."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"curl error {code}: {message}")
        self.code = code
        self.error = _ERRORS.get(code, "fetch_error")


class Answer:
    """One request's outcome: the final status line's code and headers (lower-case names), the decoded
    body when it was read, and the failure that ended the body, if any (the status stays known)."""

    __slots__ = ("_chunks", "_decoders", "_future", "_limit", "_on_sent", "_raw", "_read", "_refused", "_skipping",
                 "body", "failure", "headers", "status")

    def __init__(self, future: asyncio.Future["Answer"], read: Callable[[int, Mapping[str, str]], bool],
                 limit: int, on_sent: Callable[[], None] | None) -> None:
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.body: bytes | None = None
        self.failure: BaseException | None = None
        self._future = future
        self._read = read
        self._limit = limit
        self._raw = 0
        self._chunks: list[bytes] = []
        self._decoders: list[Decompressor] = []
        self._skipping = True  # until the headers say the body is wanted
        self._on_sent = on_sent
        self._refused: ForbiddenAddress | None = None

    # libcurl's callbacks (return 0 to cut the transfer: libcurl then ends it with a write error)

    def header(self, line: bytes) -> int | None:
        if line[:5] == b"HTTP/":
            parts = line.split(None, 2)
            self.status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
            self.headers = {}
            return None
        name, sep, value = line.partition(b":")
        if sep:
            self.headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
            return None
        if line.strip() or self.status is None or self.status < 200:
            return None  # a folded line, or the end of an interim (1xx) block
        # End of the final answer's headers: is its body wanted?
        if not self._read(self.status, self.headers):
            return None
        length = self.headers.get("content-length", "")
        if length.isdigit() and int(length) > self._limit:
            self.failure = TooLarge()
            return 0
        codings = [c.strip().lower() for c in self.headers.get("content-encoding", "").split(",")]
        # Encodings are listed in the order applied, so they are undone in reverse.
        self._decoders = [Decompressor(c, self._limit) for c in reversed(codings) if c]
        self._skipping = False
        return None

    def write(self, chunk: bytes) -> int | None:
        self._raw += len(chunk)
        if self._skipping:
            return None if self._raw <= _SKIP_LIMIT else 0
        if self._raw > self._limit:
            self.failure = TooLarge()
            return 0
        try:
            for decoder in self._decoders:
                chunk = decoder.feed(chunk)
        except Exception as exc:  # noqa: BLE001 - a bad encoding ends this body, not the crawl
            self.failure = exc
            return 0
        self._chunks.append(chunk)
        return None

    def sent(self, *_: Any) -> int:
        if self._on_sent is not None:
            self._on_sent()
        return pycurl.PREREQFUNC_OK

    def _finish(self, code: int, message: str) -> None:
        if self._future.done():
            return
        if self.failure is None and code and not (code == pycurl.E_WRITE_ERROR and self._skipping):
            self.failure = self._refused or CurlFailed(code, message)
        if self.failure is None and not self._skipping:
            parts = self._chunks
            try:
                for i, decoder in enumerate(self._decoders):
                    tail = decoder.finish()
                    for later in self._decoders[i + 1:]:
                        tail = later.feed(tail)
                    parts.append(tail)
                self.body = b"".join(parts)
            except Exception as exc:  # noqa: BLE001
                self.failure = exc
        self._chunks = []
        self._future.set_result(self)


class CurlTransport:
    """Requests through one libcurl multi handle: its connection pool, cookie store and TLS sessions are
    shared by every request of this transport. Made inside the running loop and used only from it."""

    def __init__(self, rules: Policy, *, headers: Mapping[str, str], connections: int, connect_timeout: float,
                 read_timeout: float, verify_tls: bool) -> None:
        self._loop = asyncio.get_running_loop()
        self._rules = rules
        self._headers = [f"{k}: {v}" for k, v in headers.items()]
        self._connect_ms = int(connect_timeout * 1000)
        self._read_s = max(1, round(read_timeout))
        self._verify = verify_tls
        self._free: list[pycurl.Curl] = []
        self._active: set[pycurl.Curl] = set()
        self._watched: dict[int, int] = {}      # fd -> the epoll interest libcurl asked for
        self._epoll = select.epoll()
        self._loop.add_reader(self._epoll.fileno(), self._ready)
        self._timer: asyncio.TimerHandle | None = None
        self._pins: dict[tuple[str, int], tuple[float, list[str]]] = {}
        self._handed: list[socket.socket] = []
        self._share = pycurl.CurlShare()
        for data in (pycurl.LOCK_DATA_COOKIE, pycurl.LOCK_DATA_DNS, pycurl.LOCK_DATA_SSL_SESSION):
            self._share.setopt(pycurl.SH_SHARE, data)
        self._multi = multi = pycurl.CurlMulti()
        multi.setopt(pycurl.M_SOCKETFUNCTION, self._watch)
        multi.setopt(pycurl.M_TIMERFUNCTION, self._wake_in)
        multi.setopt(pycurl.M_MAX_TOTAL_CONNECTIONS, connections)
        multi.setopt(pycurl.M_MAXCONNECTS, connections)
        self._closed = False

    async def request(self, method: str, url: str, host: str, port: int, *, timeout: float,
                      read: Callable[[int, Mapping[str, str]], bool], max_bytes: int,
                      headers: Mapping[str, str] | None = None, on_sent: Callable[[], None] | None = None
                      ) -> Answer:
        """One request, no redirects followed, ended by libcurl after `timeout` seconds (resolving the name,
        waiting for a connection and the transfer together). `read(status, headers)` says, once the headers
        are in, whether the body is wanted. Cancelling the awaiting task ends the transfer."""
        started = self._loop.time()
        pin = self._pins.get((host, port))
        if pin is None or pin[0] < started:
            async with asyncio.timeout(timeout):
                pin = await self._pin(host, port)
            timeout -= self._loop.time() - started
        handle = self._free.pop() if self._free else self._handle()
        answer = Answer(self._loop.create_future(), read, max_bytes, on_sent)
        handle.answer = answer
        handle.setopt(pycurl.URL, _wire_url(url))
        if method == "HEAD":
            handle.setopt(pycurl.NOBODY, 1)
        elif method == "GET":
            handle.setopt(pycurl.HTTPGET, 1)
        else:
            raise ValueError(f"unsupported method {method}")
        handle.setopt(pycurl.HEADERFUNCTION, answer.header)
        handle.setopt(pycurl.WRITEFUNCTION, answer.write)
        handle.setopt(pycurl.PREREQFUNCTION, answer.sent)
        handle.setopt(pycurl.RESOLVE, pin[1])
        handle.setopt(pycurl.TIMEOUT_MS, max(1, int(timeout * 1000)))
        extra = bool(headers)
        if extra:
            handle.setopt(pycurl.HTTPHEADER, self._headers + [f"{k}: {v}" for k, v in headers.items()])
        self._multi.add_handle(handle)
        self._active.add(handle)
        try:
            return await answer._future
        finally:
            if handle in self._active:  # cancelled (the deadline) before libcurl finished: stop it
                self._active.discard(handle)
                self._multi.remove_handle(handle)
            handle.answer = None
            if not self._closed:
                if extra:
                    handle.setopt(pycurl.HTTPHEADER, self._headers)
                self._free.append(handle)

    async def aclose(self) -> None:
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
        for handle in list(self._active):
            self._multi.remove_handle(handle)
            handle.answer._finish(pycurl.E_ABORTED_BY_CALLBACK, "transport closed")
        for handle in [*self._active, *self._free]:
            handle.close()
        self._active.clear()
        self._free.clear()
        for sock in self._handed:
            sock.close()
        self._handed.clear()
        self._multi.close()  # closes the pooled connections, telling `_watch` to forget their sockets
        if not self._loop.is_closed():
            self._loop.remove_reader(self._epoll.fileno())
        self._epoll.close()
        self._watched.clear()

    # --- names ---------------------------------------------------------------------------------------

    async def _pin(self, host: str, port: int) -> tuple[float, list[str]]:
        """(until, CURLOPT_RESOLVE's `host:port:addresses`) once every address of the name is permitted,
        kept a minute. An IP literal, in any spelling resolvers accept (`2130706433`), is vetted as the address
        it is and needs no entry."""
        now = self._loop.time()
        if (literal := parse_ip(host)) is not None:
            vet(host, port, [str(literal)], self._rules)
            pin: tuple[float, list[str]] = (float("inf"), [])
        else:
            name = host if host.isascii() else _idna(host)
            addresses = await resolve(name, port)
            vet(name, port, addresses, self._rules)
            pin = (now + _DNS_TTL, [f"{name}:{port}:" + ",".join(f"[{a}]" if ":" in a else a for a in addresses)])
        self._pins[(host, port)] = pin
        return pin

    # --- handles -------------------------------------------------------------------------------------

    def _handle(self) -> pycurl.Curl:
        handle = pycurl.Curl()
        handle.answer = None
        setopt = handle.setopt
        setopt(pycurl.PROTOCOLS, pycurl.PROTO_HTTP | pycurl.PROTO_HTTPS)
        setopt(pycurl.PROXY, "")            # no proxy from the environment: it would bypass the guard
        setopt(pycurl.NOSIGNAL, 1)
        setopt(pycurl.HTTP_VERSION, pycurl.CURL_HTTP_VERSION_1_1)
        setopt(pycurl.FOLLOWLOCATION, 0)    # redirects are followed by the caller, hop by hop
        setopt(pycurl.HTTPHEADER, self._headers)
        setopt(pycurl.CONNECTTIMEOUT_MS, self._connect_ms)
        setopt(pycurl.LOW_SPEED_LIMIT, 1)   # the read timeout: no byte for this long ends the transfer
        setopt(pycurl.LOW_SPEED_TIME, self._read_s)
        setopt(pycurl.SHARE, self._share)
        setopt(pycurl.COOKIEFILE, "")       # a cookie engine, like a browser's (sites that set one and redirect)
        if self._verify:
            import certifi
            setopt(pycurl.CAINFO, certifi.where())
        else:
            setopt(pycurl.SSL_VERIFYPEER, 0)
            setopt(pycurl.SSL_VERIFYHOST, 0)
        setopt(pycurl.OPENSOCKETFUNCTION, lambda purpose, address: self._open_socket(handle, address))
        return handle

    def _open_socket(self, handle: pycurl.Curl, address: tuple[Any, ...]) -> Any:
        """A socket only for a permitted address: the check at connect time, whatever resolved it."""
        family, kind, proto, sockaddr = address
        ip = str(sockaddr[0])
        try:
            vet(ip, int(sockaddr[1]), [ip], self._rules)
        except ForbiddenAddress as refused:
            if handle.answer is not None:
                handle.answer._refused = refused
            return pycurl.SOCKET_BAD
        sock = socket.socket(family, kind, proto)
        # pycurl keeps a duplicate of the descriptor; this object is closed once libcurl has it (`_settle`), not
        # left to the collector (an unclosed socket's warning cost more than the connect).
        self._handed.append(sock)
        return sock

    # --- the loop's side of libcurl's multi socket interface -------------------------------------------
    # libcurl's sockets live in an epoll set of our own, and the loop watches only that set's descriptor: a
    # socket's interest then changes with one epoll_ctl instead of the loop's reader and writer handles being
    # torn down and made again, and every socket that is ready is handed to libcurl in one callback.

    def _watch(self, what: int, fd: int, multi: object, data: object) -> None:
        if what == pycurl.POLL_REMOVE:
            if self._watched.pop(fd, None) is not None:
                try:
                    self._epoll.unregister(fd)
                except OSError:
                    pass  # already closed: the kernel dropped it from the set
            return
        mask = _INTEREST[what]
        if fd in self._watched:
            if self._watched[fd] != mask:
                self._epoll.modify(fd, mask)
        elif not self._closed:
            self._epoll.register(fd, mask)
        else:
            return
        self._watched[fd] = mask

    def _ready(self) -> None:
        if self._closed:
            return
        action = self._multi.socket_action
        for fd, events in self._epoll.poll(0):
            action(fd, (_IN if events & _READABLE else 0) | (_OUT if events & select.EPOLLOUT else 0)
                   | (pycurl.CSELECT_ERR if events & select.EPOLLERR else 0))
        self._settle()

    def _wake_in(self, ms: int) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if ms >= 0 and not self._closed:
            # Never inside the callback itself: libcurl forbids re-entering it from here.
            self._timer = self._loop.call_later(ms / 1000, self._timeout)

    def _timeout(self) -> None:
        self._timer = None
        if not self._closed:
            self._multi.socket_action(pycurl.SOCKET_TIMEOUT, 0)
            self._settle()

    def _settle(self) -> None:
        """After libcurl ran: close our copies of the sockets it took, and end the finished transfers."""
        if self._handed:
            for sock in self._handed:
                sock.close()
            self._handed.clear()
        while True:
            queued, done, failed = self._multi.info_read()
            for handle in done:
                self._end(handle, 0, "")
            for handle, code, message in failed:
                self._end(handle, code, message)
            if not queued:
                break

    def _end(self, handle: pycurl.Curl, code: int, message: str) -> None:
        self._active.discard(handle)
        self._multi.remove_handle(handle)
        if handle.answer is not None:
            handle.answer._finish(code, message)


_IN, _OUT = pycurl.CSELECT_IN, pycurl.CSELECT_OUT
_READABLE = select.EPOLLIN | select.EPOLLHUP | select.EPOLLERR
_INTEREST = {pycurl.POLL_IN: select.EPOLLIN, pycurl.POLL_OUT: select.EPOLLOUT,
             pycurl.POLL_INOUT: select.EPOLLIN | select.EPOLLOUT}


_UNSAFE = frozenset(' "<>\\^`{|}')


def _wire_url(url: str) -> str:
    """The URL as a browser puts it on the wire: non-ASCII and unsafe characters percent-encoded (UTF-8) and
    the host in IDNA. libcurl refuses a URL with a space or a control character, which pages do link to."""
    if url.isascii() and url.isprintable() and not _UNSAFE.intersection(url):
        return url
    parts = urlsplit(url)
    netloc = parts.netloc
    if not netloc.isascii():
        host = parts.hostname or ""
        netloc = netloc.replace(host, _idna(host)) if host in netloc else _idna(host)
    safe = "!#$%&'()*+,/:;=?@[]~"
    return urlunsplit((parts.scheme, netloc, quote(parts.path, safe=safe), quote(parts.query, safe=safe), ""))


def _idna(host: str) -> str:
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host  # libcurl then refuses it as a bad URL
