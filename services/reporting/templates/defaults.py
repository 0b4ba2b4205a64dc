"""The tier defaults of a notice template: what an office's notice says until its admins change it. The
wording follows the seeds: a city (seed 004, 渭南市), a county or county-level city (seed 000, 蒙自市), a
province (seed 001's structure, 临沧市: 季度 rounds, the deadline sentence with the signed paper copy)."""
import re
from typing import Any

from services.reporting.templates.models import TemplateFields

REGION_KINDS = ("province", "city", "county", "township")
TIER = {"province": "省", "city": "市", "county": "县", "township": "乡镇"}
BASIS_2019 = ("《国务院办公厅秘书局关于印发政府网站与政务新媒体检查指标、监管工作年度考核指标的通知》"
              "（国办秘函〔2019〕19号）")


def tier_char(org: dict[str, Any]) -> str:
    """省/市/县/区 as the office's own name ends (韩城市 is a county-level 市, 临渭区 a 区)."""
    name = org.get("name") or ""
    return name[-1] if name[-1:] in "省市州盟县区旗" else TIER.get(org.get("kind", ""), "")


def default_office(org: dict[str, Any]) -> str:
    name = org.get("name") or ""
    if org.get("kind") == "province":
        return f"{name}人民政府办公厅"
    return f"{name}人民政府办公室" if org.get("kind") in REGION_KINDS else name


def short_office(org: dict[str, Any]) -> str:
    """The office as running text names it: 市政府办公室, 县政府办公室, 省政府办公厅."""
    if org.get("kind") not in REGION_KINDS:
        return org.get("name") or ""
    return f"{tier_char(org)}政府办公{'厅' if org.get('kind') == 'province' else '室'}"


def whole_region(org: dict[str, Any]) -> str:
    """全市 / 全县 / 全省 (empty for a department)."""
    return f"全{tier_char(org)}" if org.get("kind") in REGION_KINDS and tier_char(org) else ""


def default_addressees(org: dict[str, Any], children: list[dict[str, Any]] | None = None) -> str:
    """主送 by what the office is, not only its tier: a county-level city (韩城市) writes 市人民政府各工作部门, a
    district 区人民政府…; a city names its zones' 管委会 as seed 004 does (渭南高新区、经开区、华山景区管委会)."""
    name = org.get("name") or ""
    tier = tier_char(org)
    kind = org.get("kind", "")
    if kind == "province":
        text = f"各市（区）人民政府，{tier}人民政府各工作部门、直属机构"
    elif kind == "city":
        text = f"各县、市、区人民政府，{tier}人民政府各工作部门、直属机构"
    elif kind == "county":
        text = f"各镇人民政府、街道办事处，{tier}人民政府各工作部门、直属机构"
    else:
        return "各有关单位"
    zones = [c["name"][:-3] for c in children or [] if c.get("name", "").endswith("管委会") and len(c["name"]) > 3
             and c.get("kind") not in REGION_KINDS]
    if zones:
        short = name[:-1] if len(name) > 2 else name  # 渭南市 → 渭南: 渭南经开区 → 经开区 after the first
        text += "，" + "、".join([zones[0]] + [z.removeprefix(short) or z for z in zones[1:]]) + "管委会"
    return text


def default_prefix(org: dict[str, Any]) -> str:
    """发文字号的机关代字: 渭南市 → 渭政办发, 陕西省 → 陕政办发, 韩城市 → 韩政办发 (offices set their own)."""
    name = re.sub(r"(省|市|县|区|自治州|自治县|州|盟|旗)$", "", org.get("name") or "")
    if org.get("kind") not in REGION_KINDS or not name:
        return ""
    return f"{name[0]}政办发"


# Seed 004 (渭南市人民政府办公室, 2024年第一次全面检查): the intro and 下一步工作要求 word for word.
CITY_INTRO = "近期，{发文机关}按照{依据}，组织开展{地区}{期次}{检查对象}{检查类型}，现将检查情况通报如下。"
CITY_REQUIREMENTS = (
    "在今后工作中，各级各部门要夯实管理责任，认真做好政府网站与政务新媒体运维工作，按照“谁开设、谁负责”“谁主管、"
    "谁负责”的原则，严格执行常态化监管和信息发布审核制度，及时充分转载涉及群众切身利益的重要民生信息，扩大知晓率，"
    "提高传播力，同时，持续提升政府网站和政务新媒体服务能力。针对存在问题立即整改，并于{整改期限}前将整改情况书面报"
    "{报送单位}，对逾期未整改单位将在年终绩效评估中扣除相应分值。")
# Seed 000 (蒙自市人民政府办公室, a county-level city): 按照…有关要求，期次，市政府办公室对…进行了检查.
COUNTY_INTRO = ("按照国务院办公厅、省政府办公厅关于政府网站和政府系统政务新媒体管理工作有关要求，{期次}，{机关简称}"
                "对{地区}{检查对象}运行情况进行了{检查类型}。现将检查情况通报如下：")
COUNTY_REQUIREMENTS = "\n".join((
    "（一）迅速开展自检自查。各单位要高度重视检查发现的问题，举一反三，全面自查，及时整改。对照" + BASIS_2019
    + "要求，全面查找存在的问题和不足，坚决杜绝单项否决的情况发生。对于能够及时整改的问题要立行立改，短期内难以整改"
      "的问题要列出清单、细化措施、明确责任，限时完成整改。",
    "（二）加强政府网站运维保障。各单位要认真梳理并掌握本单位负责运维的政府网站栏目，及时、规范发布法定主动公开内容，"
    "确保政府网站安全有效运行。",
    "（三）加强政务新媒体日常管理。政务新媒体基本信息发生变更的，要及时报备，并在“全国政务新媒体信息报送系统”中更新"
    "完善。所有政务新媒体必须确保2周（14天）内至少更新一次信息，对不能保证信息正常更新的政务新媒体，坚决予以关停。",
    "被通报为不合格的政府网站和政务新媒体主办单位要于{整改期限}前将整改情况书面报{报送单位}。",
))
# Seed 001's shape (临沧市): 按照国家、省…要求，期次，机关简称对…进行实时监测; deadline with the signed copy.
PROVINCE_INTRO = ("按照国家关于政府网站和政府系统政务新媒体管理工作的要求，{期次}，{机关简称}对{地区}在运行政府网站和"
                  "登记在案的政府系统政务新媒体运行情况进行{检查类型}，现将检查情况通报如下：")
PROVINCE_REQUIREMENTS = "\n".join((
    "（一）高度重视。各地各部门要高度重视政府网站和政府系统政务新媒体管理工作，主管单位和主办单位要强化责任落实，"
    "严格审核发布机制，确保发布的信息内容合法、完整、准确。",
    "（二）开展自查。各地各部门要严格建立网站栏目更新检查清单，及时删除空白栏目、不可用链接，坚决杜绝空白栏目、"
    "长期不更新栏目出现。",
    "（三）加强监管。各地各部门要继续加强政府系统政务新媒体常态化监管，清理整合功能相近、用户关注度和利用率低的账号，"
    "坚决注销关停无力运维的账号。",
    "各地各部门要高度重视检查发现的问题，对于被通报为不合格的政府网站、政府系统政务新媒体，主管单位要做好整改工作，"
    "并于{整改期限}前将整改情况（本地本部门主要负责同志签字纸质版1份和电子文档）报{报送单位}。",
))
TEXTS = {"province": (PROVINCE_INTRO, PROVINCE_REQUIREMENTS), "city": (CITY_INTRO, CITY_REQUIREMENTS),
         "county": (COUNTY_INTRO, COUNTY_REQUIREMENTS)}


def default_template(org: dict[str, Any], children: list[dict[str, Any]] | None = None) -> TemplateFields:
    office = default_office(org)
    intro, requirements = TEXTS.get(org.get("kind", ""), TEXTS["county"])
    return TemplateFields(mark=office, doc_prefix=default_prefix(org), addressees=default_addressees(org, children),
                          printed_by=office, signature=office, report_to=short_office(org) or office,
                          intro=intro, requirements=requirements,
                          layout="by_kind" if org.get("kind") == "city" else "overview")
