"""The demo organisations, sites and accounts as data. Names follow seed 004's tables."""
import hashlib

COUNTIES = [  # (name, GB/T 2260 code, short name used in usernames)
    ("临渭区", "610502", "linwei"), ("华州区", "610503", "huazhou"), ("潼关县", "610522", "tongguan"),
    ("大荔县", "610523", "dali"), ("合阳县", "610524", "heyang"), ("澄城县", "610525", "chengcheng"),
    ("蒲城县", "610526", "pucheng"), ("白水县", "610527", "baishui"), ("富平县", "610528", "fuping"),
    ("韩城市", "610581", "hancheng"), ("华阴市", "610582", "huayin"),
]

CITY_DEPARTMENTS = [  # the 33 city departments and agencies running a website (seed 004: 33)
    "渭南市发展和改革委员会", "渭南市教育局", "渭南市科学技术局", "渭南市工业和信息化局", "渭南市公安局",
    "渭南市民政局", "渭南市司法局", "渭南市财政局", "渭南市人力资源和社会保障局", "渭南市自然资源局",
    "渭南市生态环境局", "渭南市住房和城乡建设局", "渭南市交通运输局", "渭南市水务局", "渭南市农业农村局",
    "渭南市商务局", "渭南市文化和旅游局", "渭南市卫生健康委员会", "渭南市退役军人事务局", "渭南市应急管理局",
    "渭南市审计局", "渭南市市场监督管理局", "渭南市统计局", "渭南市医疗保障局", "渭南市林业局",
    "渭南市城市管理执法局", "渭南市行政审批服务局", "渭南市乡村振兴局", "渭南市信访局", "渭南市地方志办公室",
    "渭南市国有资产监督管理委员会", "渭南市体育局", "渭南市人民防空办公室",
]
CITY_OTHER_UNITS = ["渭南高新区管委会", "渭南经开区管委会", "华山景区管委会", "卤阳湖开发区管委会"]

# County departments with websites (seed 004: 6), and further units that only run accounts.
COUNTY_DEPARTMENTS = {
    "韩城市": ["韩城市财政局", "韩城市自然资源局", "韩城市工业和信息化局", "韩城市公安局"],
    "华阴市": ["华阴市教育局", "华阴市退役军人事务局", "华阴市金融工作办公室", "华阴市城市管理执法局",
             "华阴市文化和旅游局"],
    "富平县": ["富平县卫生健康局", "富平县退役军人事务局", "富平县公安局"],
    "大荔县": ["大荔县农业农村局"],
    "蒲城县": ["蒲城县市场监督管理局"],
    "白水县": ["白水县卫生健康局", "白水县司法局"],
    "澄城县": ["澄城县公安局", "澄城县道路运输管理所"],
    "临渭区": ["临渭区信访局", "临渭区投资合作局", "临渭区水务局"],
    "华州区": ["华州区城市管理执法局"],
    "潼关县": ["潼关县乡村振兴局", "潼关县发展和改革局"],
}
COUNTY_DEPARTMENT_SITES = ["韩城市财政局", "韩城市自然资源局", "华阴市教育局", "富平县卫生健康局",
                           "大荔县农业农村局", "蒲城县市场监督管理局"]
TOWNSHIPS = {"华州区": ["大明镇"], "临渭区": ["交斜镇", "阎村镇"], "潼关县": ["秦东镇"]}
SUB_UNITS = {  # departments under departments
    "渭南市公安局": ["渭南市公安局高新分局", "渭南市公安局渭北分局"],
    "渭南市城市管理执法局": ["渭南市路灯管理站"],
    "渭南市水务局": ["渭南市洛惠渠管理中心"],
    "渭南市住房和城乡建设局": ["渭南市城建档案和规划展示馆"],
    "富平县公安局": ["富平县公安局到贤派出所"],
}

# Accounts of seed 004's table 2: (registered name, platform, host unit, live name when renamed).
NAMED_ACCOUNTS = [
    ("渭南二黄", "wechat_subscription", "渭南市文化和旅游局", None),
    ("渭南市卫生健康委员会", "wechat_subscription", "渭南市卫生健康委员会", None),
    ("渭南市城市管理执法局", "wechat_subscription", "渭南市城市管理执法局", None),
    ("渭南水务", "wechat_subscription", "渭南市水务局", None),
    ("卤阳湖开发区 行政审批服务中心", "wechat_service", "卤阳湖开发区管委会", None),
    ("渭南市路灯管理站", "wechat_subscription", "渭南市路灯管理站", None),
    ("渭南地方志", "wechat_subscription", "渭南市地方志办公室", None),
    ("渭南市公安局高新分局", "wechat_subscription", "渭南市公安局高新分局", "高新警讯"),
    ("龙首渠", "wechat_subscription", "渭南市洛惠渠管理中心", "洛惠渠"),
    ("渭南市公安局渭北分局", "wechat_service", "渭南市公安局渭北分局", "渭北警讯"),
    ("渭南市城乡规划展示馆", "wechat_subscription", "渭南市城建档案和规划展示馆", "渭南市城建档案和规划展示馆"),
    ("白水县卫生健康局", "douyin", "白水县卫生健康局", None),
    ("法治白水", "weibo", "白水县司法局", None),
    ("澄城公安", "wechat_service", "澄城县公安局", None),
    ("澄城县道路运输管理所", "douyin", "澄城县道路运输管理所", None),
    ("富平县退役军人事务局", "wechat_subscription", "富平县退役军人事务局", None),
    ("陕西富平到贤派出所", "weibo", "富平县公安局到贤派出所", None),
    ("韩城工信", "wechat_subscription", "韩城市工业和信息化局", None),
    ("韩城公安", "wechat_subscription", "韩城市公安局", None),
    ("渭南市华州区 城市管理执法局", "wechat_subscription", "华州区城市管理执法局", None),
    ("渭南市华州区 大明镇人民政府", "wechat_subscription", "大明镇", None),
    ("华阴市退役军人事务局", "wechat_subscription", "华阴市退役军人事务局", None),
    ("华阴金融", "wechat_subscription", "华阴市金融工作办公室", None),
    ("华阴市城市管理执法局", "weibo", "华阴市城市管理执法局", None),
    ("华阴文化", "wechat_subscription", "华阴市文化和旅游局", "华阴文旅"),
    ("临渭信访", "wechat_subscription", "临渭区信访局", None),
    ("临渭招商", "wechat_subscription", "临渭区投资合作局", None),
    ("临渭水务", "wechat_subscription", "临渭区水务局", None),
    ("魅力交斜", "wechat_subscription", "交斜镇", None),
    ("临渭区阎村镇人民政府", "wechat_service", "阎村镇", None),
    ("陕西省重点示范镇 秦东管委会", "wechat_subscription", "秦东镇", None),
    ("潼关精准脱贫", "wechat_subscription", "潼关县乡村振兴局", None),
    ("潼关发改", "wechat_subscription", "潼关县发展和改革局", None),
]

# What seed 004's table 2 found wrong with each failing account, as indicator codes. The platform simulator
# (tests/fixtures/platforms) serves these accounts with exactly these problems, so a demo inspection fails
# them for the reasons the notice gives: 14天未更新 / 长期无更新 → account_not_updated, 未提供有效互动功能 /
# 无有效互动交流渠道 → account_no_interaction, 互动交流链接有误 → account_interaction_link_broken, 3个月无原创 →
# account_no_original, 已改名…系统中未改名 → account_renamed_unfiled (the live name of NAMED_ACCOUNTS),
# 搜索不到 → account_not_found.
_SEED_PROBLEM_TEXT = {
    "渭南二黄": "互动交流链接有误", "渭南市卫生健康委员会": "14天未更新", "渭南市城市管理执法局": "未提供有效互动功能",
    "渭南水务": "未提供有效互动功能", "卤阳湖开发区 行政审批服务中心": "未提供有效互动功能",
    "渭南市路灯管理站": "长期无更新，互动交流链接有误", "渭南地方志": "长期无更新，未提供有效互动功能",
    "渭南市公安局高新分局": "已改名", "龙首渠": "已改名", "渭南市公安局渭北分局": "已改名", "渭南市城乡规划展示馆": "已改名",
    "白水县卫生健康局": "3个月无原创", "法治白水": "3个月无原创", "澄城公安": "14天未更新",
    "澄城县道路运输管理所": "搜索不到", "富平县退役军人事务局": "14天未更新", "陕西富平到贤派出所": "3个月无原创",
    "韩城工信": "14天未更新", "韩城公安": "无有效互动交流渠道", "渭南市华州区 城市管理执法局": "14天未更新",
    "渭南市华州区 大明镇人民政府": "14天未更新", "华阴市退役军人事务局": "3个月无原创", "华阴金融": "3个月无原创",
    "华阴市城市管理执法局": "3个月无原创", "华阴文化": "已改名", "临渭信访": "14天未更新", "临渭招商": "14天未更新",
    "临渭水务": "14天未更新", "魅力交斜": "14天未更新", "临渭区阎村镇人民政府": "14天未更新",
    "陕西省重点示范镇 秦东管委会": "3个月无原创", "潼关精准脱贫": "3个月无原创", "潼关发改": "3个月无原创",
}
_PROBLEM_CODES = {
    "14天未更新": "account_not_updated", "长期无更新": "account_not_updated", "未提供有效互动功能": "account_no_interaction",
    "无有效互动交流渠道": "account_no_interaction", "互动交流链接有误": "account_interaction_link_broken",
    "3个月无原创": "account_no_original", "已改名": "account_renamed_unfiled", "搜索不到": "account_not_found",
}
SEED_ACCOUNT_PROBLEMS: dict[str, tuple[str, ...]] = {
    name: tuple(_PROBLEM_CODES[part] for part in text.split("，")) for name, text in _SEED_PROBLEM_TEXT.items()}


def platform_id(platform: str, name: str) -> str:
    """The demo account's id on its platform (stable across loads; the simulator serves the same ids)."""
    digest = hashlib.sha1(name.encode()).hexdigest()
    return {"wechat_subscription": f"gh_{digest[:12]}", "wechat_service": f"gh_{digest[12:24]}",
            "weibo": str(int(digest[:10], 16))[:10], "douyin": f"dy{digest[:10]}"}.get(platform, digest[:12])


def seeded_accounts() -> list[tuple[str, str, str, str, tuple[str, ...]]]:
    """(platform, platform id, registered name, live name, indicator codes) of seed 004's failing accounts."""
    return [(platform, platform_id(platform, name), name, live or name, SEED_ACCOUNT_PROBLEMS[name])
            for name, platform, _, live in NAMED_ACCOUNTS]


# Demo users: (username, display name, unit, role).
USERS = [
    ("shaanxi_admin", "省政务公开办管理员", "陕西省", "admin"),
    ("weinan_admin", "市政务公开办管理员", "渭南市", "admin"),
    ("weinan_supervisor", "市政务公开办监管员", "渭南市", "supervisor"),
    ("weinan_viewer", "市政府办查看员", "渭南市", "viewer"),
    ("linwei_supervisor", "临渭区政务公开办", "临渭区", "supervisor"),
    ("linwei_viewer", "临渭区查看员", "临渭区", "viewer"),
    ("hancheng_supervisor", "韩城市政务公开办", "韩城市", "supervisor"),
    ("huayin_supervisor", "华阴市政务公开办", "华阴市", "supervisor"),
    ("minzheng_operator", "市民政局网站运维", "渭南市民政局", "operator"),
    ("zhujian_operator", "市住建局网站运维", "渭南市住房和城乡建设局", "operator"),
    ("hancheng_czj_operator", "韩城市财政局运维", "韩城市财政局", "operator"),
    ("linwei_shuiwu_operator", "临渭区水务局运维", "临渭区水务局", "operator"),
]
