"""The shipped lists: size, shape, provenance, version, and generation from the reform tables."""
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import date

from services.checker.wordlists import build, builtin_entries, builtin_version, builtin_whitelist, default_matcher
from services.checker.wordlists.builtin import DATA, SOURCE_LABELS
from services.checker.wordlists.dating import still_right, written_on

GROUPS = {"serious_error": {"国名党名", "领导人姓名职务", "政治表述", "涉台港澳表述", "国际领土表述", "民族宗教表述", "禁用称谓",
                            "行政区划名称"},
          "sensitive_content": {"赌博", "色情", "违法服务", "暴力"},
          "typo": {"错别字", "机构名称变更"}}


def test_real_size_with_a_category_and_a_correction_or_reason_per_entry():
    entries = builtin_entries()
    assert len(entries) > 5000
    by_group = Counter(e.group for e in entries)
    assert {g for gs in GROUPS.values() for g in gs} == set(by_group)
    assert by_group["赌博"] > 1000 and by_group["违法服务"] > 1000 and by_group["色情"] > 150
    assert by_group["暴力"] > 300 and by_group["机构名称变更"] > 80 and by_group["政治表述"] > 100
    for e in entries:
        assert e.group in GROUPS[e.category], e
        assert e.suggestion and e.suggestion != e.word, e          # the correct form, or the reason
        assert len(e.word) >= 2 and e.word == e.word.strip(), e   # no single characters, no padding
        assert (e.obsolete_since is not None) == (e.group == "机构名称变更"), e


def test_no_duplicates_and_no_whitelisted_entry():
    words = [e.word for e in builtin_entries()]
    assert len(words) == len(set(words))
    assert not set(words) & set(builtin_whitelist())


def test_every_source_is_documented():
    provenance = (DATA / "PROVENANCE.md").read_text(encoding="utf-8")
    sources = {line.split("\t")[4] for name in ("serious_error", "sensitive_content", "typo")
               for line in (DATA / f"{name}.tsv").read_text(encoding="utf-8").splitlines()
               if line and not line.startswith("#")}
    assert sources == {"reform2018", "reform2023", "rural2021", "local2019", "xinhua", "guifan", "formulations",
                       "team", "typos", "patterns", "konsheng"}
    for source in sources:
        assert f"| `{source}` |" in provenance, source
        assert not SOURCE_LABELS[source].isascii()   # what users read
    assert "5a8da94c61c160e203a6b2fcfafbea642404d50c" in provenance
    assert (DATA / "licenses" / "konsheng-Sensitive-lexicon-MIT.txt").read_text().startswith("MIT License")


def test_shipped_files_are_what_the_sources_build_and_the_version_names_them():
    """Editing a generated file by hand, or a source without rebuilding, fails here."""
    files = build.build(None)   # the lexicon part is read back from the shipped file
    for name, text in files.items():
        assert (DATA / name).read_text(encoding="utf-8") == text, f"{name}: run build.py"
    release, digest = (DATA / "VERSION").read_text(encoding="utf-8").split()
    assert digest == build.digest(files)
    assert re.fullmatch(r"\d{4}\.\d{2}\.\d{2}", release)
    assert builtin_version() == f"{release}+{digest}" and len(builtin_version()) <= 19   # monitor column: 32
    assert default_matcher().version == builtin_version()
    assert default_matcher().extended(whitelist=["某词"]).version == builtin_version()


def test_local_names_are_generated_from_the_national_reform_table():
    names = {e.word: e for e in builtin_entries() if e.group == "机构名称变更"}
    expected = {
        "卫生和计划生育局": "卫生健康局", "卫生和计划生育委员会": "卫生健康委员会", "卫生计生委": "卫生健康委",
        "卫计委": "卫健委", "国土资源局": "自然资源局",
        "国土资源厅": "自然资源厅", "环境保护局": "生态环境局", "环保厅": "生态环境厅",
        "安全生产监督管理局": "应急管理局", "安监局": "应急管理局", "工商行政管理局": "市场监督管理局",
        "工商局": "市场监管局", "质量技术监督局": "市场监督管理局",
        "食品药品监督管理局": "市场监督管理局（省级另设药品监督管理局）", "农业局": "农业农村局",
        "省农业厅": "省农业农村厅", "出入境检验检疫局": "海关", "政府法制办公室": "司法局", "扶贫办": "乡村振兴局",
        "银保监局": "金融监管局", "国家卫生和计划生育委员会": "国家卫生健康委员会", "国土资源部": "自然资源部",
        "中国银行业监督管理委员会": "国家金融监督管理总局", "中国银行保险监督管理委员会": "国家金融监督管理总局",
    }
    for old, new in expected.items():
        assert names[old].suggestion == new, old
    assert names["银保监局"].obsolete_since == date(2023, 7, 20)
    assert names["国家卫生和计划生育委员会"].obsolete_since == date(2018, 3, 27)
    # The former body is named rightly as 原…: every generated name whitelists that form.
    assert default_matcher().find("原卫生和计划生育局、原国土资源局和原银保监局的职责") == []


def test_outdated_name_found_in_running_text_and_judged_by_the_texts_own_date():
    [match] = default_matcher().find("县卫生和计划生育局组织开展义诊", ("typo",))
    assert (match.word, match.group) == ("卫生和计划生育局", "机构名称变更")
    assert still_right(match.entry.obsolete_since, date(2018, 6, 1), "关于开展义诊的通知")
    assert not still_right(match.entry.obsolete_since, date(2020, 6, 1), "关于开展义诊的通知")
    assert not still_right(match.entry.obsolete_since, None, "关于开展义诊的通知")   # undated: judged as new
    # A 2015 bulletin re-published in 2022 was written about 2015.
    assert still_right(match.entry.obsolete_since, date(2022, 4, 24), "某县2015年国民经济和社会发展统计公报")
    assert written_on(date(2022, 4, 24), "2025年工作计划") == date(2022, 4, 24)
    assert written_on(None, "2016年年报") == date(2016, 12, 31) and written_on(None, "通知") is None


def test_spam_is_found_with_its_category():
    text = ("澳门新葡京娱乐城开户送彩金，北京赛车pk10计划群，六合彩开奖结果，一码中特；出售手枪货到付款，"
            "代开各类发票微信，办证刻章电话；三级片在线看片；炸弹制作手册硫酸；")
    groups = {m.word: m.group for m in default_matcher().find(text, ("sensitive_content",))}
    assert {"赌博", "违法服务", "色情", "暴力"} == set(groups.values())
    assert groups["澳门新葡京娱乐城"] == "赌博" and groups["代开各类发票微信"] == "违法服务"


def test_crackdown_news_and_ordinary_government_text_are_not_flagged():
    """The words of pages that report on, or legislate against, what the lists name."""
    text = ("市公安局持续开展打击网络赌博、跨境赌博专项行动，查处地下六合彩窝点3个，收缴赌资12万元；严厉打击非法出售"
            "手枪、严禁出售炸药，依法打击代孕、替考、信用卡套现等违法行为；“扫黄打非”办公室清理淫秽色情信息2万条，"
            "查处色情网站5个；禁毒宣传：冰毒、海洛因、摇头丸、K粉、大麻的危害；不出租、不出借、不出售银行卡；"
            "体育彩票大乐透开奖；市卫生健康委员会开展艾滋病性病防治、乳腺癌筛查，推广硝酸甘油急救知识；"
            "四大发明中黑火药的配方是一硫二硝三木炭；非遗传统弓弩制作技艺；成人高考报名；足球赛事与欧洲杯转播。"
            "原国家卫生和计划生育委员会；中共中央总书记习近平；台湾国际机场；全国政协代表团；农业部门、文化部门。")
    assert default_matcher().find(text) == []


def test_short_entries_do_not_straddle_ordinary_words():
    """Two- and three-character entries read across word boundaries; these phrases of ordinary text each
    contain a term some public lexicon lists (口交, 内射, 口爆, 拳交, 潮吹, 肉棒, 多人轮, 一夜欢, 博斗, 发韧, 报筹,
    对帐, 象素, 好象, 偿试, 辩认, 己经, 安祥), and none is reported."""
    text = ("学校门口交通拥堵；国内射击比赛；人口爆炸；太极拳交流；浪潮吹响；牛肉棒；多人轮流值班；一夜欢乐；"
            "赌博斗殴；激发韧劲；上报筹备情况；搭建帐篷并对帐篷消毒；形象素材；爱好象棋；补偿试点；答辩认为；"
            "自己经常；平安祥和；同时侯家村；户籍口径；一座标志性建筑；按排名先后；固定货架；指定购买；"
            "社会福利视频会议；黄色片区预警；现金网点；1991国产第一辆轿车；宝盈基金开户；银河国际开户；AV在线会议系统；"
            "吉林省东北朝鲜族；通过学习大大提升能力；展馆设有廉政文化厅和现代农业厅；工农业局面；平台帐篷；轻松驰骋；"
            "穿插逼近；肌肉逼真。")
    assert default_matcher().find(text) == []


def test_loading_is_fast():
    """The lists load at worker start: a fresh interpreter parses them and builds the automaton."""
    code = ("import time; t = time.perf_counter(); from services.checker.wordlists import default_matcher; "
            "m = default_matcher(); print(len(m), time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert int(out[0]) == len(builtin_entries())
    assert float(out[1]) < 3.0   # about 0.1 s on a quiet machine
    started = time.perf_counter()
    default_matcher().find("正文" * 100_000)
    assert time.perf_counter() - started < 2.0


def test_the_farm_sites_clean_prose_has_no_match():
    """The government prose the test farm builds its clean pages from (its defects are planted elsewhere):
    the lists must stay silent on it, or every farm-based test would see false findings."""
    from pathlib import Path
    text = (Path(__file__).resolve().parents[2] / "fixtures" / "farm" / "text.py").read_text(encoding="utf-8")
    assert "门口交通" in text and default_matcher().find(text) == []
