"""政策解读: policy documents published without an interpretation (解读), judged over a whole monitored site.

Per page (the monitor's pipeline, `page_facts`): a page or attachment is a **policy document** when it carries
its own 文号 (organ abbreviation + bracketed year + number + 号, e.g. 渭政发〔2024〕12号) — labelled as the
发文字号 of an 信息公开 metadata table, or standing on a line of its own in the document head under a
document-like title (…的通知/意见/办法 …). A 文号 cited inside a sentence (根据《…》（渭政发〔2024〕12号）) is a
citation, not the page's own; a phone number ((0913)2123456), a date (2024年12月12号) or a court case number
（2024）陕0502民初12号 never has the shape. A page is an **interpretation** when its title says so (解读, 图解,
一图读懂, 答记者问, 问答, 访谈 …); its form is 图解, 视频, 问答/访谈 or 文字, and it names its document by a quoted
《title》 and/or a 文号. A document page's links whose anchor reads like a 解读 (“图文解读：《…》”) count as its
解读 even when the crawl did not reach their target.

Per site (`judge`, run by monitor/site_pass.py over the stored pages after a full cycle): a document has a
解读 when one is linked either way (by anchor or link graph), names its title, or names its 文号. Findings:
each document older than `policy_interpretation_days` without one; the site's share below
`policy_interpretation_min_share`; 解读 in fewer than `policy_interpretation_min_forms` forms.
"""
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from services.checker.model import Evidence, Finding, Link

CODE = "policy_interpretation_missing"

AGE_DAYS = 30            # defaults when the set leaves a parameter unset
MIN_SHARE = 0.8
MIN_FORMS = 2
HEAD_CHARS = 600         # document head searched for the page's own 文号 (after its title)
HEAD_BEFORE = 120        # …and before it
MIN_TITLE = 6            # normalised characters a quoted title needs to identify a document
MAX_NAMES = 4
FORMS = ("文字", "图解", "视频", "问答")
FORM_NAMES = {"文字": "文字解读", "图解": "图解", "视频": "视频解读", "问答": "问答/访谈"}

# 文号: organ abbreviation (CJK, no digits), bracketed 4-digit year, number, 号.
_NO = re.compile(r"(?P<org>[\u4e00-\u9fff]{1,12})\s*[〔［\[【(（]\s*(?P<year>(?:19|20)\d{2})\s*[〕］\]】)）]"
                 r"\s*第?\s*(?P<num>\d{1,5})\s*号")
_NO_LABEL = re.compile(r"(?:发文字号|发文文号|文\s*号|文件编号|发文号)\s*[:：]\s*$")
_DOC_TITLE = re.compile(r"(?:通知|意见|决定|办法|规定|方案|规划|细则|批复|函|公告|通告|命令|条例|规则|纲要|计划|"
                        r"指引|措施|要点|标准|决议|实施意见|指导意见|暂行规定)(?:（[^）]{0,20}）)?$")
_INTERP = re.compile(r"解读|图解|一图读懂|一图看懂|答记者问|政策吹风")
# Words that name a 解读 only beside a policy (“智能问答”, “在线访谈” in a nav are services, not 解读).
_INTERP_WEAK = re.compile(r"问答|答问|访谈|图说")
_POLICY_WORD = re.compile(r"《|政策|文件|条例|办法|意见|通知|规定|方案")
_NOT_INTERP_TITLE = re.compile(r"^(?:相关|政策)?解读$|^解读(?:专栏|栏目)$")
_GRAPHIC = re.compile(r"图解|一图|图说|图文解读|长图|漫画|H5")
_VIDEO = re.compile(r"视频|微视频|动漫|动画|音频")
_QA = re.compile(r"问答|答记者问|答问|访谈|吹风会|发布会")
_QUOTED = re.compile(r"《([^《》]{2,120})》")
_VIDEO_FILE = re.compile(r"\.(?:mp4|m3u8|flv|webm)(?:$|\?)", re.I)
_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|-{1,2}|—{1,2}|－)\s*")
_PUNCT_CATEGORIES = ("P", "S", "Z", "C")


def normalise(text: str) -> str:
    """Title comparison form: NFKC, no whitespace or punctuation (《》“”、。…), lower-case."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith(_PUNCT_CATEGORIES)).lower()


def doc_numbers(text: str) -> list[tuple[str, int, int]]:
    """Every 文号 in the text, normalised (org〔year〕n号), with its span."""
    return [(f"{m['org']}〔{m['year']}〕{int(m['num'])}号", m.start(), m.end()) for m in _NO.finditer(text or "")]


def doc_title(meta_title: str, heading: str, page_title: str) -> str:
    """The document's own title: the CMS's ArticleTitle, else the page heading, else the longest part of the
    <title> (“标题 | 网站名”)."""
    for candidate in (meta_title, heading):
        candidate = " ".join((candidate or "").split())
        if len(normalise(candidate)) >= 4:
            return candidate[:200]
    parts = [p for p in _TITLE_SEPARATORS.split(" ".join((page_title or "").split())) if p]
    return max(parts, key=len, default="")[:200]


def _own_number(title: str, text: str) -> str | None:
    """The page's own 文号: labelled anywhere (发文字号：…), or on a line of its own in the head under a
    document-like title. A 文号 in running text is a citation of another document."""
    for no, start, _ in doc_numbers(text):
        if _NO_LABEL.search(text[max(0, start - 12):start]):
            return no
    if not _DOC_TITLE.search(normalise_keep_brackets(title)):
        return None
    key = normalise(title)[:12]
    at = normalise_position(text, key) if key else 0
    at = max(0, at - HEAD_BEFORE)   # official layouts print the 文号 line above the title too
    head = text[at:at + HEAD_BEFORE + HEAD_CHARS + len(title)]
    for no, start, end in doc_numbers(head):
        line_start = head.rfind("\n", 0, start) + 1
        line_end = head.find("\n", end)
        line = head[line_start:line_end if line_end >= 0 else len(head)].strip()
        if len(line) <= (end - start) + 4:
            return no
    return None


def normalise_keep_brackets(title: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", title or "").split()).replace("(", "（").replace(")", "）")


def normalise_position(text: str, key: str) -> int:
    """Where the title's first characters start in the text (0 when not found): the head follows it."""
    first = key[:4]
    index = text.find(first) if first else -1
    return max(index, 0)


def interpretation_form(title: str, text: str = "", links: Iterable[Link] = ()) -> str:
    if _VIDEO.search(title) or any(link.tag in ("video", "source", "embed") or _VIDEO_FILE.search(link.url)
                                   for link in links):
        return "视频"
    if _GRAPHIC.search(title):
        return "图解"
    if _QA.search(title):
        return "问答"
    return "文字"


def is_interpretation_title(title: str) -> bool:
    compact = normalise(title)
    if _NOT_INTERP_TITLE.search(compact):
        return False
    return bool(_INTERP.search(title) or (_INTERP_WEAK.search(title) and _POLICY_WORD.search(title)))


def interpretation_links(links: Iterable[Link]) -> list[dict[str, str]]:
    """A page's links that read like its 解读 (“图文解读：《…》”, “政策解读”): form and the title they name."""
    out: list[dict[str, str]] = []
    for link in links:
        text = " ".join((link.text or "").split())
        if link.tag != "a" or link.hidden or not text or len(text) > 150 or not is_interpretation_title(text):
            continue
        quoted = _QUOTED.search(text)
        out.append({"url": link.url, "form": interpretation_form(text),
                    "names": normalise(quoted.group(1)) if quoted else ""})
    return out


def page_facts(title: str, text: str, links: Sequence[Link] = ()) -> dict | None:
    """What the site pass needs of one page or attachment (kept on its monitor row), or None for a page that is
    neither a policy document nor a 解读. `title` is the document's own title (doc_title)."""
    title = " ".join((title or "").split())
    if is_interpretation_title(title):
        names = [normalise(q) for q in _QUOTED.findall(title)]
        head = text[:HEAD_CHARS * 2]
        numbers = [no for no, *_ in doc_numbers(title)] or [no for no, *_ in doc_numbers(head)][:2]
        return {"role": "interp", "form": interpretation_form(title, text, links),
                "names": [n for n in names if len(n) >= MIN_TITLE][:MAX_NAMES],
                "nos": list(dict.fromkeys(numbers))[:MAX_NAMES]}
    number = _own_number(title, text or "")
    if number is None:
        return None
    linked = interpretation_links(links)
    return {"role": "doc", "no": number, "forms": sorted({x["form"] for x in linked}),
            "interp_urls": [x["url"] for x in linked][:MAX_NAMES]}


def attachment_title(text: str) -> str:
    """An attachment's title: the first line of its head that reads like a document title."""
    lines = [" ".join(line.split()) for line in (text or "")[:HEAD_CHARS * 2].splitlines()]
    for line in lines:
        if 6 <= len(line) <= 120 and _DOC_TITLE.search(normalise_keep_brackets(line)):
            return line[:200]
    return next((line[:200] for line in lines if len(line) >= 6), "")


# ---------------------------------------------------------------------------------------------------
# The site's judgement


@dataclass
class StoredPage:
    """One monitor row as the site pass reads it."""
    id: int
    url: str
    kind: str
    title: str
    published: date | None
    facts: dict


@dataclass
class Summary:
    documents: int = 0
    with_interpretation: int = 0
    overdue: int = 0
    interpretations: int = 0
    forms: list[str] = field(default_factory=list)

    @property
    def share(self) -> float | None:
        return round(self.with_interpretation / self.documents, 4) if self.documents else None

    def as_dict(self) -> dict:
        return {"documents": self.documents, "with_interpretation": self.with_interpretation,
                "share": self.share, "overdue": self.overdue, "interpretations": self.interpretations,
                "forms": self.forms}


def _percent(value: float) -> str:
    return f"{value * 100:.1f}".rstrip("0").rstrip(".") + "%"


def judge(pages: Sequence[StoredPage], edges: Iterable[tuple[int, int]], today: date, homepage_url: str, *,
          age_days: int = AGE_DAYS, min_share: float = MIN_SHARE, min_forms: int = MIN_FORMS,
          ) -> tuple[Summary, list[Finding]]:
    """Match the site's documents with its 解读 and say what is missing. `edges`: (source id, target id) links
    between the pages. A document published as a page and as its attachment (same 文号) counts once."""
    docs: dict[str, StoredPage] = {}
    for page in sorted(pages, key=lambda p: (p.kind == "attachment", p.id)):
        if page.facts.get("role") == "doc":
            docs.setdefault(page.facts["no"], page)
    interps = {p.id: p for p in pages if p.facts.get("role") == "interp"}
    by_url = {p.url: p for p in interps.values()}
    linked: dict[int, set[int]] = {}
    for source, target in edges:
        linked.setdefault(source, set()).add(target)
        linked.setdefault(target, set()).add(source)
    same_no: dict[str, list[StoredPage]] = {}
    for page in pages:
        if page.facts.get("role") == "doc":
            same_no.setdefault(page.facts["no"], []).append(page)
    summary = Summary(interpretations=len(interps))
    forms: set[str] = set()
    findings: list[Finding] = []
    for number, doc in docs.items():
        copies = same_no[number]
        found: set[str] = set()
        name = normalise(doc.title)
        for copy in copies:
            found |= set(copy.facts.get("forms") or [])
            for url in copy.facts.get("interp_urls") or []:
                if url in by_url:
                    found.add(by_url[url].facts.get("form", "文字"))
            for other in linked.get(copy.id, ()):
                if other in interps:
                    found.add(interps[other].facts.get("form", "文字"))
        for interp in interps.values():
            names = interp.facts.get("names") or []
            # A 文号 in running text takes the words before it as its organ (印发了测政发〔…〕): a suffix match.
            if any(cited.endswith(number) for cited in interp.facts.get("nos") or []) or (
                    len(name) >= MIN_TITLE and any(n == name or (len(n) >= MIN_TITLE and n in name) for n in names)):
                found.add(interp.facts.get("form", "文字"))
        summary.documents += 1
        if found:
            summary.with_interpretation += 1
            forms |= found
            continue
        since = doc.published
        if since is None or (today - since).days <= age_days:
            continue
        summary.overdue += 1
        message = f"政策文件《{doc.title}》（{number}）发布超过{age_days}天未发布解读"
        findings.append(Finding(CODE, message, [Evidence(url=doc.url, excerpt=f"{doc.title}（{number}），发布日期"
                                                         f"{since.isoformat()}", observed_at=today.isoformat())],
                                data={"target": doc.url, "reason": "missing", "doc_no": number}))
    summary.forms = [f for f in FORMS if f in forms]
    if summary.documents and summary.share is not None and summary.share < min_share:
        message = (f"政策文件解读率{_percent(summary.share)}（{summary.documents}件政策文件中"
                   f"{summary.with_interpretation}件有解读），低于{_percent(min_share)}")
        findings.append(Finding(CODE, message, [Evidence(url=homepage_url, excerpt=message,
                                                         observed_at=today.isoformat())],
                                data={"target": "share", "reason": "share"}))
    if summary.with_interpretation and len(summary.forms) < min_forms:
        named = "、".join(FORM_NAMES[f] for f in summary.forms)
        message = f"政策解读形式单一（仅有{named}），未采用多种解读形式"
        findings.append(Finding(CODE, message, [Evidence(url=homepage_url, excerpt=message,
                                                         observed_at=today.isoformat())],
                                data={"target": "forms", "reason": "forms"}))
    return summary, findings
