"""Placeholders a template's texts may use ({整改期限} …): the list, the check, the filling."""
import re

from services.common.errors import ApiError

PLACEHOLDERS = {
    "发文机关": "发文机关全称，如 渭南市人民政府办公室",
    "机关简称": "正文中的机关简称，如 市政府办公室",
    "地区": "检查范围的地区，如 全市",
    "范围": "检查范围，如 渭南市政府系统",
    "期次": "检查期次，如 2024年第一次",
    "检查类型": "如 全面检查、抽查",
    "检查对象": "如 政府网站与政务新媒体",
    "依据": "检查依据，如 《政府网站与政务新媒体检查指标》",
    "整改期限": "整改期限，如 3月10日",
    "报送单位": "整改情况报送单位（模板“报送单位”一项）",
}
_TOKEN = re.compile(r"\{([^{}]*)\}")
LABELS = {"mark": "发文机关标志", "doc_prefix": "机关代字", "addressees": "主送机关", "cc": "抄送机关",
          "printed_by": "印发机关", "signature": "发文机关署名", "report_to": "报送单位", "intro": "开头段",
          "requirements": "有关要求"}


def check(field: str, text: str) -> None:
    """422 naming the first unknown or unclosed placeholder of a template text."""
    for name in _TOKEN.findall(text):
        if name not in PLACEHOLDERS:
            raise ApiError(422, "unknown_placeholder",
                           f"{LABELS.get(field, field)}中有未知的占位符“{{{name}}}”，可用的占位符："
                           + "、".join(f"{{{p}}}" for p in PLACEHOLDERS), field=field, placeholder=name)
    rest = _TOKEN.sub("", text)
    if "{" in rest or "}" in rest:
        raise ApiError(422, "unclosed_placeholder", f"{LABELS.get(field, field)}中的占位符花括号不成对", field=field)


def fill(text: str, values: dict[str, str]) -> str:
    return _TOKEN.sub(lambda m: values.get(m.group(1), m.group(0)), text)
