"""Citizens' personal data exposed on published pages and attachments (ID, mobile and bank card numbers).

What is an exposure:
- an 18-digit 居民身份证号 whose region, birth date (not in the future, not before 1900) and ISO 7064 MOD 11-2
  check digit are all valid — a number failing any of them is a serial, a code or a typo, not an ID;
- a bank card number: 13–19 digits (also written in groups of four) with a card scheme's prefix and length
  (UnionPay 62/60/9558/9559, Visa 4, Mastercard 51–55, Amex 34/37, JCB 35) and a valid Luhn digit, not
  introduced as a unit's payment account (户名/开户行/账号: published for 缴款 on purpose) or a serial (编号,
  订单号, 流水号, 准考证号 …), not starting with a date (order and serial numbers do), and not one of a
  column of look-alikes most of which fail Luhn (a list of 准考证号 passes it one time in ten);
- a mobile number (1[3-9]x, 11 digits, optionally 3-4-4 with spaces or hyphens, not part of a longer digit
  run, a decimal or an address) when it belongs to a person in a list: not introduced as a contact
  (联系电话, 咨询电话, 热线, 手机：… within a few characters before), on a page that is not a contact page or a
  service guide (联系我们, 通讯录, 办事指南, 网格员/联络员 contact lists: officials' numbers published for
  service), and either beside an ID or bank card on the same page or one of at least MOBILE_LIST_MIN such
  numbers, unless they share their first seven digits (a column of 11-digit 准考证号). Landlines
  (0xx-xxxxxxxx, 8-digit local numbers) never match.

Evidence is masked: 610502********1234, 138****5678, 6222*********1234. No full number leaves this module —
not in the message, the excerpt, the data or a log line — and the evidence cites no page snapshot (the stored
HTML would hold the numbers).

Severity: the indicator set's rule (gov-2019: deduct, 2 points a page, at most 10); a page exposing at least
`personal_data_bulk_records` numbers (default BULK_RECORDS) is a published list of personal data and carries
the flag `bulk`, which the set's `veto_when: [{flag: bulk}]` makes a veto (a 泄密事故 under 19号).
"""
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from services.checker.checks.base import CheckContext, clip, iso, site_pages
from services.checker.checks.html import page_text
from services.checker.crawl.attachments import looks_like_attachment
from services.checker.model import Evidence, Finding, Page, SiteSnapshot
from services.common.clock import beijing_today

CODE = "personal_data"

BULK_RECORDS = 10          # numbers on one page that make it a published list (set parameter overrides)
MOBILE_LIST_MIN = 3        # unlabelled mobile numbers that make a list of people on their own
CARD_GROUP_MIN = 3         # card-shaped numbers of one length and prefix judged together (see find_exposures)
LABEL_WINDOW = 10          # characters before a number searched for what introduces it
MAX_EVIDENCE = 5
MAX_SAMPLES = 10
KIND_NAMES = {"id_number": "身份证号码", "bank_card": "银行卡号", "mobile": "手机号码"}

# Province-level codes of GB/T 2260 (the first two digits of an ID number), and 81/82/83 of the residence
# permits of Hong Kong, Macao and Taiwan residents. Not 91: that is how most 统一社会信用代码 begin.
_REGIONS = frozenset({11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50,
                      51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83})
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"

_EDGE_BEFORE = r"(?<![0-9A-Za-z./_=#?&%\\-])"
_EDGE_AFTER = r"(?![0-9A-Za-z_/]|[.\-][0-9A-Za-z])"  # not a decimal, a range or a host name
_ID = re.compile(_EDGE_BEFORE + r"\d{17}[\dXx]" + _EDGE_AFTER)
_CARD = re.compile(_EDGE_BEFORE + r"(?:\d{13,19}|\d{4}(?:([ -])\d{4}){2,3}(?:\1\d{1,3})?)" + _EDGE_AFTER)
_MOBILE = re.compile(_EDGE_BEFORE + r"(?:\+86[ -]?)?1[3-9]\d(?:\d{8}|([ -])\d{4}\1\d{4})" + _EDGE_AFTER)
# Long digit runs masked in every excerpt, whatever they are (a number failing validation stays hidden too).
# A run is tried from its first digit only (a later start would find fewer digits) and never backtracked into;
# the look-behind after the first \d keeps re's skip to the next digit (20 % less over the farm's pages).
_ANY_LONG = re.compile(r"\d(?<!\d\d)(?>(?:[ -]?\d){10,})[\dXx]?")

_CARD_SCHEMES = ((("62", "60"), range(16, 20)), (("9558", "9559"), (19,)), (("4",), (16,)),
                 (("51", "52", "53", "54", "55"), (16,)), (("34", "37"), (15,)), (("35",), (16,)))
_CONTACT_LABEL = re.compile(r"电话|手机|热线|咨询|联系|值班|传真|举报|投诉|监督|服务|办公|座机|Tel|TEL|tel|电\s*话")
_ACCOUNT_LABEL = re.compile(r"户名|开户|账号|帐号|账户|帐户|收款|缴款|汇款|汇入|对公")
_SERIAL_LABEL = re.compile(r"编号|编码|单号|订单|流水|文号|代码|证号|考号|学号|工号|许可|登记|批号|批次|合同|项目|序列|"
                           r"条码|号段|凭证|发票|票号")
# Pages whose numbers are published for people to call: contact pages, service guides, officials' contacts.
_CONTACT_PAGE = re.compile(r"联系我们|联系方式|通讯录|联系电话|咨询电话|服务电话|热线|办事指南|服务指南|办事流程|"
                           r"网格员|联络员|包联|包抓|责任人|负责人|值班|便民电话|机构设置|领导信息|领导分工")
_DATE_PREFIX = re.compile(r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])")


@dataclass(frozen=True)
class Exposure:
    kind: str       # id_number | bank_card | mobile
    masked: str
    start: int
    end: int


@dataclass
class Exposures:
    items: list[Exposure] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self.items:
            counts[item.kind] = counts.get(item.kind, 0) + 1
        return counts


def valid_id_number(number: str, today: date | None = None) -> bool:
    """An 18-digit 居民身份证号 with a known province, a real past birth date and the right check digit."""
    if len(number) != 18 or not number[:17].isdigit() or int(number[:2]) not in _REGIONS:
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if born.year < 1900 or born > (today or beijing_today()):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS, strict=True))
    return _CHECK[total % 11] == number[17].upper()


def luhn(number: str) -> bool:
    total = 0
    for index, digit in enumerate(reversed(number)):
        value = int(digit) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def card_shaped(number: str) -> bool:
    """A card scheme's prefix and length, not a date-led serial nor a run of one or two digits."""
    if not number.isdigit() or _DATE_PREFIX.match(number) or len(set(number)) <= 2:
        return False
    return any(number.startswith(prefixes) and len(number) in lengths for prefixes, lengths in _CARD_SCHEMES)


def valid_card_number(number: str) -> bool:
    return card_shaped(number) and luhn(number)


def mask(number: str) -> str:
    """610502********1234 (ID), 138****5678 (mobile), 6222*********1234 (card); separators dropped."""
    digits = re.sub(r"[^0-9Xx]", "", number)
    if len(digits) == 18:
        keep_head = 6
    elif len(digits) == 11:
        keep_head = 3
    else:
        keep_head = 4
    return digits[:keep_head] + "*" * max(len(digits) - keep_head - 4, 0) + digits[-4:]


def _mask_in_place(run: str) -> str:
    """`mask` keeping the run's length and separators, so positions in the text stay valid."""
    digits = sum(ch.isdigit() or ch in "Xx" for ch in run)
    head = 6 if digits == 18 else 3 if digits == 11 else 4
    out, seen = [], 0
    for ch in run:
        if ch.isdigit() or ch in "Xx":
            out.append(ch if seen < head or seen >= digits - 4 else "*")
            seen += 1
        else:
            out.append(ch)
    return "".join(out)


def mask_text(text: str) -> str:
    """The text with every long digit run masked (validated or not), its length unchanged."""
    return _ANY_LONG.sub(lambda m: _mask_in_place(m.group()), text)


def _before(text: str, start: int) -> str:
    return text[max(0, start - LABEL_WINDOW):start]


def _id_shaped(digits: str, today: date | None) -> bool:
    """An ID number with a wrong check digit (a typo or a made-up sample): neither an ID nor a card."""
    return len(digits) == 18 and valid_id_number(digits[:17] + _CHECK[sum(
        int(d) * w for d, w in zip(digits[:17], _WEIGHTS, strict=True)) % 11], today)


def contact_page(title: str, url: str, head: str = "") -> bool:
    """A page whose numbers are meant to be called, by its title and address (an attachment, which has no
    title, by its first line; never by a page's navigation, which names 联系我们 on every page)."""
    return bool(_CONTACT_PAGE.search(title) or _CONTACT_PAGE.search(head)
                or re.search(r"lxwm|contact|txl|bszn|fwzn|guide", url, re.I))


def find_exposures(text: str, *, title: str = "", url: str = "", attachment: bool = False,
                   today: date | None = None) -> Exposures:
    """Personal numbers exposed in one page's or attachment's text (each distinct number once)."""
    found: list[Exposure] = []
    seen: set[str] = set()
    id_starts: set[int] = set()   # an ID's digit run is card-shaped too (same boundaries, same start)

    def add(kind: str, digits: str, start: int, end: int) -> None:
        if digits not in seen:
            seen.add(digits)
            found.append(Exposure(kind, mask(digits), start, end))

    # Every number the patterns look for lies in a long digit run: the patterns read only those (one pass over
    # the text instead of three; the window reaches two characters past a run for the patterns' look-ahead).
    runs = [(m.start(), min(len(text), m.end() + 2)) for m in _ANY_LONG.finditer(text)]
    if not runs:
        return Exposures()

    def within(pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        for start, end in runs:
            yield from pattern.finditer(text, start, end)

    for m in within(_ID):
        if valid_id_number(m.group(), today):
            id_starts.add(m.start())
            add("id_number", m.group().upper(), m.start(), m.end())
    shaped: list[tuple[str, re.Match[str]]] = []
    for m in within(_CARD):
        digits = re.sub(r"[ -]", "", m.group())
        if m.start() in id_starts or not card_shaped(digits) \
                or _id_shaped(digits, today):
            continue
        before = _before(text, m.start())
        if not (_ACCOUNT_LABEL.search(before) or _SERIAL_LABEL.search(before)):
            shaped.append((digits, m))
    # A column of serials (准考证号, 编号) shares a length and prefix, and only a tenth of them pass Luhn by
    # chance; a column of real cards passes whole. Groups of CARD_GROUP_MIN or more need most to pass.
    groups: dict[tuple[int, str], list[bool]] = {}
    for digits, _ in shaped:
        groups.setdefault((len(digits), digits[:2]), []).append(luhn(digits))
    for digits, m in shaped:
        passed = groups[(len(digits), digits[:2])]
        if luhn(digits) and (len(passed) < CARD_GROUP_MIN or sum(passed) * 2 > len(passed)):
            add("bank_card", digits, m.start(), m.end())
    personal = bool(found)
    if not contact_page(title, url, text[:80] if attachment else ""):
        mobiles = [m for m in within(_MOBILE)
                   if not _CONTACT_LABEL.search(_before(text, m.start()))
                   and not _SERIAL_LABEL.search(_before(text, m.start()))]
        distinct = {re.sub(r"\D", "", m.group())[-11:] for m in mobiles}
        # 11-digit serials (准考证号 13210010101, 13210010102 …) share their first seven digits; mobile numbers
        # of different people almost never do.
        prefixes = Counter(number[:7] for number in distinct)
        serial = len(distinct) >= MOBILE_LIST_MIN and prefixes.most_common(1)[0][1] * 5 >= len(distinct) * 4
        if not serial and (personal or len(distinct) >= MOBILE_LIST_MIN):
            for m in mobiles:
                add("mobile", re.sub(r"\D", "", m.group())[-11:], m.start(), m.end())
    found.sort(key=lambda e: e.start)
    return Exposures(found)


def bulk_threshold(ctx: CheckContext) -> int:
    value = getattr(ctx.params, "personal_data_bulk_records", None)
    return value if value else BULK_RECORDS


def _excerpt(masked: str, exposure: Exposure) -> str:
    """The exposure's surroundings from the masked text (masked whole first: a window's edge cannot cut a
    number into a part too short to be masked)."""
    left = masked.rfind("\n", 0, max(0, exposure.start - 40)) + 1
    return clip(masked[max(left, exposure.start - 60):exposure.end + 40])


def scan(text: str, url: str, ctx: CheckContext, *, title: str = "", attachment: bool = False,
         observed_at: datetime | None = None) -> list[Finding]:
    """Findings of one page's or attachment's text: one per page, with masked evidence."""
    exposures = find_exposures(text, title=title, url=url, attachment=attachment, today=ctx.today)
    if not exposures.items:
        return []
    counts = exposures.counts
    records = len(exposures.items)
    described = "、".join(f"{KIND_NAMES[k]}{counts[k]}个" for k in KIND_NAMES if k in counts)
    at = iso(observed_at) if observed_at is not None else iso(ctx.now)
    masked = mask_text(text)
    return [Finding(
        CODE, f"泄露公民个人信息：公开{described}",
        [Evidence(url=url, excerpt=_excerpt(masked, e), observed_at=at, snapshot=None)
         for e in exposures.items[:MAX_EVIDENCE]],
        count=1,
        data={"records": records, "kinds": counts,
              "samples": [e.masked for e in exposures.items[:MAX_SAMPLES]],
              "bulk": records >= bulk_threshold(ctx)},
    )]


def is_attachment(page: Page) -> bool:
    """A file's extracted text (the monitor gives it no HTML; an inspection's re-check marks its role)."""
    return page.role == "attachment" or not page.html or looks_like_attachment(page.final_url or page.url)


def page_check(page: Page, ctx: CheckContext) -> list[Finding]:
    """`scan` of a fetched page or attachment (an attachment is a page with extracted text and no HTML)."""
    attachment = is_attachment(page)
    text = page.text if attachment else page_text(page)
    return scan(f"{page.title}\n{text}" if page.title else text, page.final_url or page.url, ctx,
                title=page.title, attachment=attachment, observed_at=page.fetched_at)


def check(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    findings: list[Finding] = []
    for page in site_pages(snapshot):
        findings += page_check(page, ctx)
    return findings
