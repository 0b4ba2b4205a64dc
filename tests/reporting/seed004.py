"""Seed 004 (渭南市 2024年第一次全面检查) as checker results: the figures, the named rows and their problems,
and the seed's own text (transcribed) the regenerated notice is compared with.

Failing rows carry findings worded as the checker words them (long sentences) except where the seed's own
wording is notice wording already ("长期无更新", "无有效互动交流渠道"), which the notice keeps."""
from datetime import UTC, datetime

# Attachment 1: (site name, verdict, [(indicator, severity, message, data)])
SITE_ROWS = [
    ("渭南市民政局", "fail", [("column_not_updated", "veto", "栏目“工作动态”超过2周未更新（2024-01-20）", {}),
                            ("column_not_updated", "veto", "栏目“通知公告”超过6个月未更新（2023-07-01）", {})]),
    ("渭南市住房和城乡建设局", "fail", [("column_not_updated", "veto", "栏目“工作动态”超过2周未更新（2024-01-10）", {}),
                                 ("column_not_updated", "veto", "栏目“政策文件”超过6个月未更新（2023-06-01）", {})]),
    ("渭南市应急管理局", "fail", [("column_not_updated", "veto", "栏目“工作动态”超过2周未更新（2024-01-05）", {}),
                              ("column_not_updated", "veto", "栏目“通知公告”超过6个月未更新（2023-05-01）", {})]),
    ("韩城市财政局", "fail", [("unreachable", "veto", "首页不能访问比例达100.0%（3/3次）", {})]),
    ("渭南市乡村振兴局", "pass", [("column_not_updated", "deduct", "栏目“工作动态”超过2周未更新（2024-02-01）", {})]),
    ("韩城市自然资源局", "pass", [("column_not_updated", "deduct", "栏目“工作动态”超过2周未更新（2024-02-02）", {})]),
]
# Attachment 1 as the seed prints it: 序号 | 网站名称 | 检查结果 | 突出问题 (no 类型 column).
SITE_COLUMNS = ("序号", "网站名称", "检查结果", "突出问题")
EXPECTED_SITE_TABLE = [
    (1, "渭南市民政局", "不合格", "多个栏目更新不及时"),
    (2, "渭南市住房和城乡建设局", "不合格", "多个栏目更新不及时"),
    (3, "渭南市应急管理局", "不合格", "多个栏目更新不及时"),
    (4, "韩城市财政局", "不合格", "监测时间点无法访问"),
    (5, "渭南市乡村振兴局", "合格", "个别栏目更新不及时"),
    (6, "韩城市自然资源局", "合格", "个别栏目更新不及时"),
]
ACCOUNT_COLUMNS = ("序号", "账号名称", "账号类型", "检查结果", "备注")

NOT_UPDATED = ("account_not_updated", "veto", "账号最近14天内未发布信息（最近一条发布于2024-02-01）", {})
NO_ORIGINAL = ("account_no_original", "veto", "账号最近3个月内无原创信息，仅有转载", {})
NO_INTERACTION = ("account_no_interaction", "veto", "账号未提供留言、评论或互动菜单等有效互动功能。", {})
LINK_BROKEN = ("account_interaction_link_broken", "veto", "菜单“互动交流”链接无法打开（HTTP 404）", {})


def renamed(live: str) -> tuple:
    return ("account_renamed_unfiled", "veto", f"账号现名“{live}”与登记名称不一致，改名未备案", {"live_name": live})


# Attachment 2: (registered name, platform label, findings, expected remark)
ACCOUNT_ROWS = [
    ("渭南二黄", "微信订阅号", [LINK_BROKEN], "互动交流链接有误"),
    ("渭南市卫生健康委员会", "微信订阅号", [NOT_UPDATED], "14天未更新"),
    ("渭南市城市管理执法局", "微信订阅号", [NO_INTERACTION], "未提供有效互动功能"),
    ("渭南水务", "微信订阅号", [NO_INTERACTION], "未提供有效互动功能"),
    ("卤阳湖开发区 行政审批服务中心", "微信服务号", [NO_INTERACTION], "未提供有效互动功能"),
    ("渭南市路灯管理站", "微信订阅号", [("account_not_updated", "veto", "长期无更新", {}), LINK_BROKEN],
     "长期无更新，互动交流链接有误"),
    ("渭南地方志", "微信订阅号", [("account_not_updated", "veto", "长期无更新", {}), NO_INTERACTION],
     "长期无更新，未提供有效互动功能"),
    ("渭南市公安局高新分局", "微信订阅号", [renamed("高新警讯")], "已改名(高新警讯)系统中未改名"),
    ("龙首渠", "微信订阅号", [renamed("洛惠渠")], "已改名(洛惠渠)系统中未改名"),
    ("渭南市公安局渭北分局", "微信服务号", [renamed("渭北警讯")], "已改名(渭北警讯)系统中未改名"),
    ("渭南市城乡规划展示馆", "微信订阅号", [renamed("渭南市城建档案和规划展示馆")],
     "已改名(渭南市城建档案和规划展示馆)系统中未改名"),
    ("白水县卫生健康局", "抖音短视频", [NO_ORIGINAL], "3个月无原创"),
    ("法治白水", "新浪微博", [NO_ORIGINAL], "3个月无原创"),
    ("澄城公安", "微信服务号", [NOT_UPDATED], "14天未更新"),
    ("澄城县道路运输管理所", "抖音短视频", [("account_not_found", "veto", "在平台上未能检索到该账号", {})], "搜索不到"),
    ("富平县退役军人事务局", "微信订阅号", [NOT_UPDATED], "14天未更新"),
    ("陕西富平到贤派出所", "新浪微博", [NO_ORIGINAL], "3个月无原创"),
    ("韩城工信", "微信订阅号", [NOT_UPDATED], "14天未更新"),
    ("韩城公安", "微信订阅号", [("account_no_interaction", "veto", "无有效互动交流渠道", {})], "无有效互动交流渠道"),
    ("渭南市华州区 城市管理执法局", "微信订阅号", [NOT_UPDATED], "14天未更新"),
    ("渭南市华州区 大明镇人民政府", "微信订阅号", [NOT_UPDATED], "14天未更新"),
    ("华阴市退役军人事务局", "微信订阅号", [NO_ORIGINAL], "3个月无原创"),
    ("华阴金融", "微信订阅号", [NO_ORIGINAL], "3个月无原创"),
    ("华阴市城市管理执法局", "新浪微博", [NO_ORIGINAL], "3个月无原创"),
    ("华阴文化", "微信订阅号", [renamed("华阴文旅")], "已改名(华阴文旅)系统中未改名"),
    ("临渭信访", "微信订阅号", [NOT_UPDATED], "14天未更新"),
    ("临渭招商", "微信订阅号", [NOT_UPDATED], "14天未更新"),
    ("临渭水务", "微信订阅号", [NOT_UPDATED], "14天未更新"),
    ("魅力交斜", "微信订阅号", [NOT_UPDATED], "14天未更新"),
    ("临渭区阎村镇人民政府", "微信服务号", [NOT_UPDATED], "14天未更新"),
    ("陕西省重点示范镇 秦东管委会", "微信订阅号", [NO_ORIGINAL], "3个月无原创"),
    ("潼关精准脱贫", "微信订阅号", [NO_ORIGINAL], "3个月无原创"),
    ("潼关发改", "微信订阅号", [NO_ORIGINAL], "3个月无原创"),
]
SITES_TOTAL, SITES_FAILED = 51, 4
ACCOUNTS_TOTAL, ACCOUNTS_FAILED = 470, 33
# The previous inspection (去年第四次全面检查): 45/51 sites and 428/470 accounts passed.
PREV_SITES_PASSED, PREV_ACCOUNTS_PASSED = 45, 428

# When the targets were checked (UTC instants; Beijing days 2月19日, 2月20日 and 2月23日, the seed's 检查时间).
SITES_CHECKED = [datetime(2024, 2, 19, 1, 30, tzinfo=UTC), datetime(2024, 2, 20, 9, 0, tzinfo=UTC),
                 datetime(2024, 2, 19, 16, 30, tzinfo=UTC)]  # the last is 2月20日 00:30 Beijing
ACCOUNTS_CHECKED = datetime(2024, 2, 22, 23, 0, tzinfo=UTC)  # 2月23日 07:00 Beijing
SITES_PERIOD = "（检查时间：2月19日——2月20日）"
ACCOUNTS_PERIOD = "（检查时间：2月23日）"

ADDRESSEES = "各县、市、区人民政府，市人民政府各工作部门、直属机构，渭南高新区、经开区、华山景区管委会"
TITLE = "渭南市人民政府办公室关于2024年第一次政府网站与政务新媒体全面检查情况的通报"
ATTACHMENT_TITLES = ("2024年第一次政府网站全面检查情况汇总表", "2024年第一次政务新媒体全面检查情况汇总表")
# The problem sentences of the seed's 一、政府网站检查情况 and 二、政务新媒体检查情况 (after the figures).
SEED_SITE_PROBLEMS = "市民政局、市住房城乡建设局、市应急局网站存在多个栏目更新不及时，韩城市财政局网站监测时间点无法访问。"
SEED_ACCOUNT_PROBLEMS = ("市卫生健康委、澄城公安等微信公众号内容14天未更新，韩城公安、华州区大明镇人民政府等微信公众号未提供有效"
                         "互动渠道，华阴市退役军人事务局微信公众号、富平到贤派出所新浪微博等账号3个月内无原创信息，个别账号名称更改"
                         "后未在全国政务新媒体报送系统及时更新。")

# Seed 004's body paragraph by paragraph (transcribed from shared/seeds/004, simplified characters, full-width
# punctuation as the document prints it), from 主送 to the date, then the attachments' headings.
SEED_BODY = [
    "各县、市、区人民政府，市人民政府各工作部门、直属机构，渭南高新区、经开区、华山景区管委会：",
    "近期，市政务公开工作领导小组办公室联合市电子网络和大数据中心，按照《政府网站与政务新媒体检查指标》，组织开展全市"
    "2024年第一次政府网站与政务新媒体全面检查，现将检查情况通报如下。",
    "一、政府网站检查情况",
    "截至2024年2月，全市政府系统共运行网站51个，其中市政府门户网站1个，市政府工作部门及派出机构网站33个，县级政府门户"
    "网站11个，县级部门网站6个。检查结果为：合格政府网站47个，不合格政府网站4个，合格率92.2%，较去年第四次全面检查提升"
    "4%，" + SEED_SITE_PROBLEMS,
    "二、政务新媒体检查情况",
    "截至2024年2月，全市政府系统共运行政务新媒体470个，检查结果为：合格政务新媒体437个，不合格政务新媒体33个，合格率93%，"
    "较去年第四次全面检查提升1.9%，" + SEED_ACCOUNT_PROBLEMS,
    "三、下一步工作要求",
    "在今后工作中，各级各部门要夯实管理责任，认真做好政府网站与政务新媒体运维工作，按照“谁开设、谁负责”“谁主管、谁负责”"
    "的原则，严格执行常态化监管和信息发布审核制度，及时充分转载涉及群众切身利益的重要民生信息，扩大知晓率，提高传播力，"
    "同时，持续提升政府网站和政务新媒体服务能力。针对存在问题立即整改，并于3月10日前将整改情况书面报市政府办信息与政务"
    "公开科（电话：0913-2109218，邮箱：644714438@qq.com），对逾期未整改单位将在年终绩效评估中扣除相应分值。",
    "附件：1.2024年第一次政府网站全面检查情况汇总表",
    "2.2024年第一次政务新媒体全面检查情况汇总表",
    "渭南市人民政府办公室",
    "2024年2月28日",
    "附件1", "2024年第一次政府网站全面检查情况汇总表", "（检查时间：2月19日——2月20日）",
    "附件2", "2024年第一次政务新媒体全面检查情况汇总表", "（检查时间：2月23日）",
]
REPORT_TO = "市政府办信息与政务公开科（电话：0913-2109218，邮箱：644714438@qq.com）"
