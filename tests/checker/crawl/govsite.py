"""A small government-style site for crawl tests (Hanweb/TRS-like layouts, one GBK column, dark links).

`build_site(hostile)` returns the routes of a RawServer; links to the hostile server show that a
broken neighbour fails alone.
"""
from tests.fixtures.hostile import Handler, RawServer, page

NAV = """<div class="mainNav"><ul>
<li><a href="/">网站首页</a></li><li><a href="/gzdt/">工作动态</a></li><li><a href="/tzgg/">通知公告</a></li>
<li><a href="/zcwj/">政策文件</a></li><li><a href="/hdjl/">政民互动</a></li><li><a href="/bsfw/">办事服务</a></li>
<li><a href="/jgsz/">机构设置</a></li></ul></div>"""


def layout(title: str, body: str, head: str = '<meta charset="utf-8">') -> str:
    return (f"<!DOCTYPE html><html><head>{head}<title>{title}</title>"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<link rel="stylesheet" href="/style.css"></head><body>'
            f'{NAV}<div class="main">{body}</div><div class="footer">网站标识码1234567890 '
            '<a href="/about/">关于我们</a></div></body></html>')


def build_site(hostile: RawServer) -> dict[str, Handler]:
    routes: dict[str, Handler] = {}
    page(routes, "/", layout("测试县人民政府", f"""
<style>.hide-me {{ position:absolute; left:-9999px }} #ghost {{ display:none }}</style>
<img src="/logo.png" alt="标识">
<div class="yw"><h2>要闻动态</h2><a href="/gzdt/" title="工作动态">更多&gt;&gt;</a>
<ul><li><a href="/gzdt/a1.html">县长主持召开常务会议研究部署重点工作</a><span>2024-06-10</span></li>
<li><a href="/gzdt/a2.html">全县安全生产工作会议召开</a><span>2024-05-20</span></li></ul></div>
<a href="/missing.html">失效的链接示例</a>
<a href="{hostile.url('/redirect-loop/a')}">循环跳转的链接</a>
<a href="{hostile.url('/head-refused')}">只接受GET的链接</a>
<div style="display:none"><a href="{hostile.url('/casino')}">澳门赌场</a></div>
<div class="hide-me"><a href="{hostile.url('/lottery')}">彩票平台</a></div>
<p id="ghost"><a href="{hostile.url('/ghost')}">隐藏编号</a></p>
<a href="{hostile.url('/white')}" style="color:#fff;background-color:white">白色链接</a>
<script>document.write('<a href="{hostile.url('/written')}">脚本写入的链接</a>');</script>
<a href="mailto:zfb@example.gov.cn">写信</a>"""))
    page(routes, "/style.css", "body{}", content_type="text/css")
    page(routes, "/logo.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    page(routes, "/gzdt/", layout("工作动态", """<ul class="list">
<li><a href="/gzdt/a1.html" title="县长主持召开常务会议研究部署重点工作">县长主持召开常务会议研究部署...</a><span class="date">2024-06-10</span></li>
<li><a href="/gzdt/a2.html">全县安全生产工作会议召开</a><span class="date">2024-05-20</span></li>
<li><a href="/gzdt/a3.html">春耕生产工作有序推进</a><span class="date">2024-03-02</span></li></ul>"""))
    for n, day in ((1, "2024-06-10"), (2, "2024-05-20"), (3, "2024-03-02")):
        page(routes, f"/gzdt/a{n}.html", layout(f"文章{n}", f"<h1>文章{n}</h1><div>发布时间：{day} 09:30  来源：县政府办</div>"
                                                         "<p>正文内容。</p>"))
    tzgg = layout("通知公告", """<ul><li><a href="/tzgg/t1.html">关于端午节放假安排的通知</a>[06-07]</li>
<li><a href="/tzgg/t2.html">关于开展消防安全检查的公告</a>[12-20]</li></ul>""",
                  head='<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    page(routes, "/tzgg/", tzgg.encode("gbk"), content_type="text/html; charset=gbk")
    page(routes, "/zcwj/", layout("政策文件", '<p>暂无内容</p><a href="/zcwj/index_1.html">下一页</a>'))
    page(routes, "/zcwj/index_1.html", layout("政策文件", """<table>
<tr><th>标题</th><th>文号</th><th>日期</th></tr>
<tr><td><a href="/zcwj/f1.html">县人民政府关于印发实施方案的通知</a></td><td>测政发〔2023〕5号</td><td>2023年11月3日</td></tr>
<tr><td><a href="/zcwj/f2.html">县人民政府办公室关于加强管理的意见</a></td><td>测政办发〔2023〕9号</td><td>2023年8月1日</td></tr>
</table>"""))
    page(routes, "/hdjl/", layout("政民互动", """<div class="list">
<div class="row"><a href="/hdjl/m1.html">咨询户籍办理需要哪些材料</a><em>2024-06-01</em></div>
<div class="row"><a href="/hdjl/m2.html">反映小区道路破损问题</a><em>2024-02-11</em></div></div>"""))
    for n in (1, 2):
        page(routes, f"/hdjl/m{n}.html", layout("留言详情", f"<p>留言时间：2024-0{n}-01</p><p>回复时间：2024-0{n}-05</p>"))
    page(routes, "/bsfw/", layout("办事服务", '<a href="/bsfw/g1.html">办事指南：户口迁移</a>'))
    page(routes, "/bsfw/g1.html", layout("办事指南", "<p>事项名称：户口迁移</p><p>办理材料：身份证</p>"))
    page(routes, "/jgsz/", layout("机构设置", "<p>县政府办公室</p>"))
    page(routes, "/about/", layout("关于我们", "<p>主办单位</p>"))
    return routes
