"""Links hidden from readers (the crawler marks them) that lead off-site, or anywhere with illegal content.

A hidden link whose text, address or markup matches the sensitive word list sets data["illegal"], which
the indicator set turns into a veto (a security incident); others are recorded with evidence. Hidden
menus and drop-downs of the site's own pages and links to other government sites are ordinary design.
"""
import re

from services.checker.checks.base import CheckContext, clip, host_key, is_gov_host
from services.checker.model import Evidence, Finding, Link, SiteSnapshot

CODE = "dark_link"
LINK_TAGS = {"a", "area", "iframe", "frame"}
# Off-site services government pages embed on purpose, often through scripts or hidden pop-ups: the
# 党政机关网站标识 and 找错 platforms, reporting centres, central media, statistics and share widgets.
TRUSTED = {"conac.cn", "kaipuyun.cn", "12377.cn", "12321.cn", "cyberpolice.cn", "people.com.cn",
           "xinhuanet.com", "news.cn", "cctv.com", "cntv.cn", "qstheory.cn", "gmw.cn", "china.com.cn",
           "chinadaily.com.cn", "cnzz.com", "51.la", "baidu.com", "qq.com", "weibo.com", "weibo.cn"}


# Roots that are too broad for page text (crackdown news names them) but have no business in a link
# hidden from readers.
HIDDEN_ROOTS = re.compile(r"百家乐|时时彩|新葡京|葡京|威尼斯人|博彩|赌场|赌球|娱乐城|真人视讯|彩票|投注|六合彩|棋牌"
                          r"|pk10|色情|成人|裸聊|约炮|porn|casino|bet365", re.I)


def _illegal_words(link: Link, ctx: CheckContext) -> list[str]:
    text = f"{link.text}\n{link.url}\n{link.html}"
    words = {m.word for m in ctx.matcher.find(text, ("sensitive_content",))}
    roots = {m.group(0) for m in HIDDEN_ROOTS.finditer(f"{link.text}\n{link.url}")}
    return sorted(words | {r for r in roots if not any(r in w for w in words)})


def check(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    site = host_key(snapshot.homepage_url)
    pages = {id(p): p for p in [snapshot.home, *snapshot.pages.values()] if p is not None}.values()
    seen: set[str] = set()
    findings = []
    for page in pages:
        for link in page.links:
            if not link.hidden or link.tag not in LINK_TAGS or link.url in seen:
                continue
            words = _illegal_words(link, ctx)
            target = host_key(link.url)
            off_site = target != site and target not in TRUSTED and not is_gov_host(link.url)
            if not words and not off_site:
                continue
            seen.add(link.url)
            what = f"（涉及“{'、'.join(words)}”）" if words else ""
            findings.append(Finding(
                CODE, f"存在暗链：{clip(link.text, 40) or link.url}{what}",
                [Evidence(url=page.final_url or page.url,
                          excerpt=clip(f"{link.hidden_reason or '隐藏'}：{link.html or link.url}"),
                          observed_at=page.fetched_at.isoformat(), snapshot=page.snapshot_key)],
                data={"target": link.url, "illegal": bool(words), "words": words,
                      "reason": link.hidden_reason},
            ))
    return findings
