"""The notice as PDF: the .docx converted by LibreOffice, kept warm in the reporting worker.

A long-lived LibreOffice behind unoserver (XML-RPC) saves the ~2 s start of every conversion; it is
started by the worker (`warm()`), restarted when it dies, and stopped with the worker (a SIGKILLed
worker takes it along: the server gets SIGTERM from the kernel when its parent dies). unoserver's
server side needs Python's `uno` module, which only Debian's python3 has (python3-uno): it runs under
`office_python` with a path holding just the unoserver package. Without it (or before the office is
warm) a conversion starts `soffice --convert-to pdf` of its own, as before.

The official fonts (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312) are not free; a fontconfig file maps
each to a free face of the same style, the Fandol fonts (infra/lib.sh installs them), so 楷体 headings
stay 楷体 and the title stays a heavy 宋: 小标宋 → FandolSong set bold, 仿宋 → FandolFang,
楷体 → FandolKai, 黑体 → FandolHei, 宋体 → FandolSong; Noto CJK behind each when Fandol is missing.
LibreOffice also lays out faster with real faces than with glyph fallback (bench/RESULTS-notices.md).
"""
import ctypes
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from xmlrpc.client import ServerProxy

from services.reporting.settings import get_reporting_settings

log = logging.getLogger(__name__)
SERIF, SANS = "Noto Serif CJK SC", "Noto Sans CJK SC"


@dataclass(frozen=True)
class Face:
    family: str
    fallback: str
    bold: bool = False


SONG, HEAVY_SONG = Face("FandolSong", SERIF), Face("FandolSong", SERIF, bold=True)
FANG, KAI, HEI = Face("FandolFang", SERIF), Face("FandolKai", SERIF), Face("FandolHei", SANS)
ALIASES = {
    "方正小标宋简体": HEAVY_SONG, "方正小标宋_GBK": HEAVY_SONG, "小标宋": HEAVY_SONG, "华文中宋": HEAVY_SONG,
    "宋体": SONG, "SimSun": SONG, "仿宋_GB2312": FANG, "仿宋": FANG, "FangSong": FANG,
    "楷体_GB2312": KAI, "楷体": KAI, "KaiTi": KAI, "黑体": HEI, "SimHei": HEI, "微软雅黑": HEI,
}


class PdfError(Exception):
    pass


def fontconfig_file(directory: Path) -> Path:
    rules = []
    for name, face in ALIASES.items():
        # A heavy 宋 for 小标宋: the bold face asked for by weight (fontconfig emboldens a face without one).
        bold = '<edit name="weight" mode="assign"><const>bold</const></edit>' if face.bold else ""
        rules.append(f'  <match target="pattern"><test name="family"><string>{name}</string></test>'
                     f'<edit name="family" mode="assign" binding="strong"><string>{face.family}</string>'
                     f'<string>{face.fallback}</string></edit>{bold}</match>')
    path = directory / "fonts.conf"
    path.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
{chr(10).join(rules)}
</fontconfig>
""", encoding="utf-8")
    return path


def available() -> bool:
    return shutil.which(get_reporting_settings().soffice) is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the worker dies, however it dies (Linux prctl)."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Office:
    """One warm LibreOffice behind unoserver, for this process."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.work: Path | None = None
        self.lock = threading.Lock()  # one conversion at a time: LibreOffice renders one document at once

    @staticmethod
    def supported() -> bool:
        python = get_reporting_settings().office_python
        if not (available() and Path(python).exists()):
            return False
        return subprocess.run([python, "-c", "import uno"], capture_output=True, check=False).returncode == 0

    def start(self) -> None:
        import unoserver
        settings = get_reporting_settings()
        self.work = Path(tempfile.mkdtemp(prefix="govwatch-office-"))
        # The office Python sees the unoserver package (and its metadata) only, not this virtualenv.
        path = self.work / "path"
        path.mkdir()
        package = Path(unoserver.__file__).parent
        for item in [package, *package.parent.glob("unoserver-*.dist-info")]:
            (path / item.name).symlink_to(item)
        self.port = _free_port()
        env = dict(os.environ, FONTCONFIG_FILE=str(fontconfig_file(self.work)), HOME=str(self.work),
                   PYTHONPATH=str(path))
        command = [settings.office_python, "-m", "unoserver.server", "--interface", "127.0.0.1",
                   "--port", str(self.port), "--uno-port", str(_free_port()),
                   "--user-installation", str(self.work / "profile"), "--executable", shutil.which(settings.soffice) or "",
                   "--conversion-timeout", str(settings.pdf_timeout_seconds), "--quiet"]
        self.proc = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=(self.work / "office.log").open("ab"), start_new_session=True,
                                     preexec_fn=_die_with_parent)
        log.info("office starting (pid %s, port %s)", self.proc.pid, self.port)

    def ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                return False
            try:
                with ServerProxy(f"http://127.0.0.1:{self.port}") as proxy:
                    proxy.info()
                return True
            except (ConnectionError, OSError):
                time.sleep(0.2)
        return False

    def convert(self, docx: bytes) -> bytes:
        from unoserver.client import UnoClient
        with self.lock:
            if self.proc is None or self.proc.poll() is not None:  # died (or was never started): start anew
                self.stop()
                self.start()
            if not self.ready(get_reporting_settings().office_start_seconds):
                self.stop()
                raise PdfError("LibreOffice (unoserver) did not start")
            try:
                return UnoClient(port=str(self.port)).convert(indata=docx, convert_to="pdf")
            except Exception as exc:
                self.stop()  # the next conversion starts a fresh office
                raise PdfError(f"LibreOffice conversion failed: {exc}") from exc

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            # The session holds unoserver, oosplash and soffice.bin: all of them go. Nothing of the office is kept
            # (its profile is removed below), so SIGTERM gets a short wait: unoserver ignores it while it is
            # still starting, and the worker's shutdown (a deployment, a test) waited the full time then.
            for sig, wait in ((signal.SIGTERM, 2), (signal.SIGKILL, 5)):
                try:
                    os.killpg(proc.pid, sig)
                    proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
                except ProcessLookupError:
                    break
        if proc is not None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # soffice.bin may outlive unoserver's own exit
            except ProcessLookupError:
                pass
        if self.work is not None:
            shutil.rmtree(self.work, ignore_errors=True)
            self.work = None


_office: Office | None = None


def warm() -> bool:
    """Start the long-lived office for this process (the reporting worker, the benchmark); False when
    this machine cannot run it (conversions then start LibreOffice each time)."""
    global _office
    if _office is None:
        if not Office.supported():
            log.warning("python3-uno or unoserver missing: PDF conversions start LibreOffice each time")
            return False
        _office = Office()
    with _office.lock:
        if _office.proc is None:
            _office.start()
    return True


def shutdown() -> None:
    global _office
    if _office is not None:
        _office.stop()
        _office = None


def docx_to_pdf(docx: bytes) -> bytes:
    if _office is not None:
        return _office.convert(docx)
    return docx_to_pdf_once(docx)


def docx_to_pdf_once(docx: bytes) -> bytes:
    """One conversion by a LibreOffice of its own (own profile directory, so conversions never collide)."""
    settings = get_reporting_settings()
    binary = shutil.which(settings.soffice)
    if binary is None:
        raise PdfError("LibreOffice (soffice) is not installed: apt-get install -y libreoffice-writer-nogui")
    with tempfile.TemporaryDirectory(prefix="notice-pdf-") as tmp:
        work = Path(tmp)
        source = work / "notice.docx"
        source.write_bytes(docx)
        env = dict(os.environ, FONTCONFIG_FILE=str(fontconfig_file(work)), HOME=str(work))
        command = [binary, f"-env:UserInstallation=file://{work}/profile", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", str(work), str(source)]
        try:
            done = subprocess.run(command, env=env, capture_output=True, timeout=settings.pdf_timeout_seconds,
                                  check=False)
        except subprocess.TimeoutExpired as exc:
            raise PdfError(f"LibreOffice did not finish within {settings.pdf_timeout_seconds} s") from exc
        target = work / "notice.pdf"
        if done.returncode != 0 or not target.exists():
            raise PdfError(f"LibreOffice failed ({done.returncode}): {done.stderr.decode(errors='replace')[:500]}")
        return target.read_bytes()
