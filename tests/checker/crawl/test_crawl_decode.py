"""Charset detection order and content-encoding caps, without the network."""
import gzip
import zlib

import brotli
import pytest

from services.checker.crawl import decode
from services.checker.crawl.decode import BadEncoding, Decompressor, SiteCharset, TooLarge, decode_html, looks_binary

TEXT = "各级政府网站要加强信息发布审核，及时更新政务动态、通知公告和政策文件。" * 3


def html(meta: str = "") -> str:
    return f"<html><head>{meta}<title>测试</title></head><body><p>{TEXT}</p></body></html>"


def test_header_wins_when_it_fits():
    assert decode_html(html().encode("gbk"), "text/html; charset=GB2312") == (html(), "gb18030")


def test_bom_then_meta_then_detection():
    assert decode_html(b"\xef\xbb\xbf" + html().encode(), "text/html") == (html(), "utf-8-sig")
    body = html('<meta charset="gbk">').encode("gbk")
    assert decode_html(body, "text/html")[1] == "gb18030"
    assert decode_html(html().encode("gbk"), "")[1] == "gb18030"  # charset_normalizer


def test_a_sites_undeclared_pages_are_detected_once(monkeypatch):
    detections = []
    detect = decode.detect
    monkeypatch.setattr(decode, "detect", lambda body: detections.append(body) or detect(body))
    site = SiteCharset()
    assert decode_html(html().encode("gbk"), "", site) == (html(), "gb18030") and len(detections) == 1
    other = html().replace("测试", "通知公告")
    assert decode_html(other.encode("gbk"), "text/html", site) == (other, "gb18030")  # decoded strictly
    assert len(detections) == 1
    # A page the site's encoding cannot decode strictly is detected, as without the site.
    latin = "<html><body><p>café à la crème, 10 € — naïve</p></body></html>".encode("cp1252")
    assert decode_html(latin, "", site) == decode_html(latin, "") and len(detections) == 3


def test_mislabels_are_corrected():
    assert decode_html(html().encode("gbk"), "text/html; charset=utf-8") == (html(), "gb18030")
    assert decode_html(html().encode("utf-8"), "text/html; charset=gbk") == (html(), "utf-8")


def test_gb18030_only_characters():
    text = "䶮字与镕字"  # outside GB2312, common in names; GBK labels them anyway
    assert decode_html(f"<p>{text}</p>".encode("gb18030"), "text/html; charset=gb2312")[0] == f"<p>{text}</p>"


def test_unknown_charset_label_is_ignored():
    assert decode_html(html().encode(), "text/html; charset=x-nonsense") == (html(), "utf-8")


def test_binary_sniffing():
    assert looks_binary(b"%PDF-1.7 ...")
    assert looks_binary(b"<html>\x00\x00\x00")
    assert not looks_binary(html().encode("gbk"))
    assert not looks_binary(b"\xff\xfe<\x00h\x00")  # UTF-16 with BOM


@pytest.mark.parametrize(("coding", "compress"), [
    ("gzip", gzip.compress), ("deflate", zlib.compress), ("br", brotli.compress)])
def test_decompressor_caps_output(coding: str, compress):
    bomb = compress(b"\0" * 10_000_000)
    decoder = Decompressor(coding, limit=100_000)
    with pytest.raises(TooLarge):
        for i in range(0, len(bomb), 4096):
            decoder.feed(bomb[i:i + 4096])
    # zlib stops at the byte; brotli's output buffer may overshoot by one growth step, still bounded.
    assert decoder.produced <= (100_001 if coding != "br" else 400_000)


def test_decompressor_roundtrip_and_corruption():
    decoder = Decompressor("gzip", limit=1000)
    assert decoder.feed(gzip.compress(b"hello")) + decoder.finish() == b"hello"
    with pytest.raises(BadEncoding):
        Decompressor("gzip", limit=1000).feed(b"\x1f\x8b\x08\x00garbage-garbage")
    with pytest.raises(BadEncoding):
        Decompressor("compress", limit=1000)
