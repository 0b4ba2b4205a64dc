"""The notice as PDF: the .docx converted by LibreOffice headless (`soffice --headless --convert-to pdf`).

The official fonts (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312) are rarely installed on servers; a
fontconfig file maps them to installed CJK fonts (Noto Serif/Sans CJK SC from `fonts-noto-cjk`) so the
Chinese text renders with matching weights instead of boxes. Each conversion runs with its own
LibreOffice profile directory, so concurrent conversions do not collide.
"""
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from services.reporting.settings import get_reporting_settings

SERIF, SANS = "Noto Serif CJK SC", "Noto Sans CJK SC"
ALIASES = {
    "方正小标宋简体": SERIF, "方正小标宋_GBK": SERIF, "小标宋": SERIF, "华文中宋": SERIF, "宋体": SERIF,
    "SimSun": SERIF, "仿宋_GB2312": SERIF, "仿宋": SERIF, "FangSong": SERIF, "楷体_GB2312": SERIF,
    "楷体": SERIF, "KaiTi": SERIF, "黑体": SANS, "SimHei": SANS, "微软雅黑": SANS,
}


class PdfError(Exception):
    pass


def fontconfig_file(directory: Path) -> Path:
    aliases = "\n".join(
        f"  <match target=\"pattern\"><test name=\"family\"><string>{name}</string></test>"
        f"<edit name=\"family\" mode=\"assign\" binding=\"strong\"><string>{target}</string></edit></match>"
        for name, target in ALIASES.items())
    path = directory / "fonts.conf"
    path.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
{aliases}
</fontconfig>
""", encoding="utf-8")
    return path


def available() -> bool:
    return shutil.which(get_reporting_settings().soffice) is not None


def docx_to_pdf(docx: bytes) -> bytes:
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
