"""Where a lever-effect parameter's number comes from: the structured ``source`` of the
behaviour parameters through which the plan's levers act (issue 17).

A :class:`Evidence` says either that an estimate was found (``status="source"``: the
publications, what they estimated and on whom, and the conversion to the parameter's
unit) or that none was (``status="not found"``: the queries and sources tried, and a
range that runs from no effect to no more effect than the default before the review).
:mod:`sim.scenario.params` gives such a parameter ``source=Evidence(...)``;
docs/parameters.md prints it and ``tests/test_parameters_evidence.py`` checks it.

The searches behind these entries, with every query and what was read, are in
docs/research/lever_effects_2026-12.md. Grades as in docs/sources.md: V read in the
source (for papers: the abstract or first page, as the search returned it), V* read only
on a repost or secondary page. Nothing recalled (R) is used for a number.
"""

from __future__ import annotations

from dataclasses import dataclass

# The commit of main whose params.py held the defaults and ranges before the review.
BEFORE_COMMIT = "7bda3ed"

# Kinds of parameter and the value at which the lever acts not at all through it.
NO_EFFECT = {
    "uplift": 0.0, "gain": 0.0, "ratio": 0.0, "response": 0.0, "drift": 0.0,
    "elasticity": 0.0, "weight": 0.0, "multiplier": 1.0,
}


@dataclass(frozen=True)
class Citation:
    """One publication read: who, when, what, where, how well it was read."""

    authors: str
    year: str
    title: str
    where: str  # journal, volume, pages, or "working paper"; the address read
    grade: str  # V or V* (docs/sources.md)

    def short(self) -> str:
        """'Authors year [grade]'."""
        return f"{self.authors} {self.year} [{self.grade}]"

    def full(self) -> str:
        """Authors (year), "title", where [grade]."""
        return f'{self.authors} ({self.year}), "{self.title}", {self.where} [{self.grade}]'


@dataclass(frozen=True)
class Evidence:
    """The source of a parameter through which a lever acts.

    ``status`` "source": ``estimate`` says what was estimated and on whom (from
    ``citations``) and ``conversion`` how it becomes the parameter's value and range.
    ``status`` "not found": ``queries`` lists what was searched, ``citations`` what was
    read that bears on it without giving a number, ``conversion`` why the range is what
    it is; the range reaches no effect (``NO_EFFECT[kind]``) and its strong end is no
    stronger than the default before the review (``was``).
    ``stronger`` is +1 if a larger value makes the lever's effect larger, −1 if a
    smaller one does (a multiplier on a hazard). ``levers`` are the levers whose effect
    it carries; ``no_effect_found`` names studies that found no (or a negative) effect.
    ``was`` = (default, low, high) on main at ``BEFORE_COMMIT``.
    """

    status: str  # "source" | "not found"
    kind: str  # a key of NO_EFFECT
    levers: tuple[str, ...]
    was: tuple[float, float, float]
    conversion: str
    estimate: str = ""
    citations: tuple[Citation, ...] = ()
    queries: tuple[str, ...] = ()
    no_effect_found: str = ""
    stronger: int = 1

    @property
    def no_effect(self) -> float:
        """The value at which the lever acts not at all through this parameter."""
        return NO_EFFECT[self.kind]

    def __str__(self) -> str:
        """One line for the parameter table's source column."""
        if self.status == "source":
            who = "; ".join(c.short() for c in self.citations)
            return f"{who}; conversion in 'Evidence' below"
        return ("not found (assumption): range from no effect to the default before the "
                "evidence review; queries in 'Evidence' below")


# --- publications read (docs/research/lever_effects_2026-12.md; docs/sources.md) -------
CHEN_2021 = Citation(
    "Chen, Liu, Suárez Serrato & Xu", "2021",
    "Notching R&D Investment with Corporate Income Tax Cuts in China",
    "American Economic Review 111(7): 2065-2100 "
    "(dukespace.lib.duke.edu/items/63bbbcde-17ed-4583-8e69-3bf3e785b8d4)", "V")
BLOOM_2002 = Citation(
    "Bloom, Griffith & Van Reenen", "2002",
    "Do R&D tax credits work? Evidence from a panel of countries 1979-1997",
    "Journal of Public Economics 85(1): 1-31 (researchonline.lse.ac.uk/id/eprint/1353)", "V")
GUCERI_2019 = Citation(
    "Guceri & Liu", "2019",
    "Effectiveness of Fiscal Incentives for R&D: Quasi-experimental Evidence",
    "American Economic Journal: Economic Policy 11(1): 266-91 "
    "(aeaweb.org/articles?id=10.1257/pol.20170403)", "V")
BOEING_2016 = Citation(
    "Boeing", "2016",
    "The allocation and effectiveness of China's R&D subsidies - Evidence from listed firms",
    "Research Policy 45(9): 1774-1789, doi:10.1016/j.respol.2016.05.007", "V")
ZWICK_2021 = Citation(
    "Zwick", "2021", "The Costs of Corporate Tax Complexity",
    "American Economic Journal: Economic Policy 13(2): 467-500 "
    "(ideas.repec.org/a/aea/aejpol/v13y2021i2p467-500.html)", "V")
ALDER_2016 = Citation(
    "Alder, Shao & Zilibotti", "2016",
    "Economic reforms and industrial policy in a panel of Chinese cities",
    "Journal of Economic Growth 21(4): 305-349 (doi:10.1007/s10887-016-9131-x)", "V")
LU_2019 = Citation(
    "Lu, Wang & Zhu", "2019",
    "Place-Based Policies, Creation, and Agglomeration Economies: Evidence from China's "
    "Economic Zone Program",
    "American Economic Journal: Economic Policy 11(3): 325-60 (doi:10.1257/pol.20160272)",
    "V")
YANG_2022 = Citation(
    "Yang, Kang & Ge", "2022",
    "The Impact of the Upgrading of High-tech Zones on the Total Factor Productivity of "
    "Enterprises", "Advances in Management & Applied Economics (scienpress.com)", "V")
CRAVO_2019 = Citation(
    "Cravo & Piza", "2019",
    "The impact of business-support services on firm performance: a meta-analysis",
    "Small Business Economics 53(3): 753-770 (doi:10.1007/s11187-018-0065-x)", "V")
HARDING_2011 = Citation(
    "Harding & Javorcik", "2011",
    "Roll Out the Red Carpet and They Will Come: Investment Promotion and FDI Inflows",
    "Economic Journal (CAGE working paper page, warwick.ac.uk)", "V")
CARBALLO = Citation(
    "Carballo, Marra & Volpe Martincus", "n.d.",
    "Information Frictions, Investment Promotion and Multinational Production: Firm-Level "
    "Evidence", "working paper (ignaciomarra.com/research)", "V")
HU_JIE_2022 = Citation(
    "胡税根 & 结宇龙", "2022", "行政审批局模式:何以有效,何以无效?",
    "上海行政学院学报 2022(1) (fx361.cc/page/2022/0211/10209289.shtml)", "V")
ZHANG_2019 = Citation(
    "张天华, 刘子亮, 陈思琪 & 魏楚钿", "2019", "行政审批中心的资源配置效率研究",
    "财经研究 45(9) (qks.sufe.edu.cn)", "V")
DENG_2018 = Citation(
    "邓慧慧, 赵家羚 & 虞义华", "2018", "地方政府建设开发区:左顾右盼的选择?",
    "财经研究 44(3) (qks.sufe.edu.cn)", "V")
XU_KONG_2017 = Citation(
    "徐长生 & 孔令文", "2017",
    "高新技术企业认证是否促进了企业创新?——基于A股上市公司数据的断点回归分析",
    "journal not named on the page read (fx361.cc/page/2017/1021/18459478.shtml)", "V")
ZENG_2019 = Citation(
    "曾婧婧, 龚启慧 & 王庆", "2019",
    "DiD study of 高企 certification on the industrial-firm database (title not recorded)",
    "journal of ISSN 1001-7348, 2019(9) (kjjb.org/fileup/1001-7348/HTML/2019-9-118.htm)",
    "V")
WU_2023 = Citation(
    "伍中信, 黄滢滢 & 伍会之", "2023",
    "专精特新 recognition and TFP, multi-period DiD (title not recorded)",
    "fx361.com/page/2023/0610/22308672.shtml", "V")
MERICS = Citation(
    "MERICS", "n.d.", "Accelerator state (report on the 专精特新 support system)",
    "merics.org/en/node/1981", "V")
ARRAIZ_2013 = Citation(
    "Arráiz, Henríquez & Stucchi", "2013",
    "Supplier development programs and firm performance: evidence from Chile",
    "Small Business Economics 41(1) (springerprofessional.de, abstract); numbers from the "
    "authors' slides on a repost (slideplayer.com/9387268)", "V (abstract); V* (numbers)")
ALFARO_URENA = Citation(
    "Alfaro-Ureña, Manelici & Vasquez", "n.d.",
    "The Effects of Joining Multinational Supply Chains: New Evidence from Firm-to-Firm "
    "Linkages", "Quarterly Journal of Economics, accepted per the authors' page "
    "(abstract at vdocuments.net)", "V")
SCHWARTZ_2013 = Citation(
    "Schwartz", "2013", "A control group study of incubators' impact to promote firm survival",
    "Journal of Technology Transfer 38(3): 302-331", "V")
AMEZCUA = Citation(
    "Amezcua", "n.d.",
    "Boon or Boondoggle? Business Incubation as Entrepreneurship Policy",
    "documents.pub (publication venue not named on the page read)", "V")
GONZALEZ_URIBE = Citation(
    "Gonzalez-Uribe & Leatherbee", "n.d.", "Business Accelerators: Evidence from Start-Up Chile",
    "abstract via researchgate.net/publication/315490789", "V*")
HAYTER_2015 = Citation(
    "Hayter & Link", "2015", "On the economic impact of university proof of concept centers",
    "Journal of Technology Transfer 40(1): 178-183", "V")
HOWELL_2017 = Citation(
    "Howell", "2017", "Financing Innovation: Evidence from R&D Grants",
    "American Economic Review (SSRN 2687457)", "V")
HU_ZHANG_2021 = Citation(
    "胡春艳 & 张莲明", "2021", "'好'政策的执行效果也好吗?——基于容错纠错政策的实证检验",
    "公共行政评论 2021(3) (abstract on a repost, freewechat.com)", "V*")
GOTTLIEB = Citation(
    "Gottlieb, Townsend & Xu", "2021",
    "Does Career Risk Deter Potential Entrepreneurs?",
    "Review of Financial Studies, doi:10.1093/rfs/hhab105 (online 2021); NBER w22446; "
    "working-paper abstract works.bepress.com/joshua_gottlieb/16", "V")
IP_PLEDGE_LTV = Citation(
    "soudai8.com (repost, no primary document)", "n.d.",
    "loan-to-value of IP-pledge loans in China",
    "soudai8.com/171483948.html", "V*")
XU_2024 = Citation(
    "许锐, 王艳艳 & 于李胜", "2024", "专利质押贷款的创新激励效应",
    "金融研究 532(10): 58-75 (jryj.org.cn/CN/Y2024/V532/I10/58)", "V")
NFJJ_2024 = Citation(
    "南方经济 study (authors not recorded)", "2024",
    "staggered-DiD study of the patent-pledge policy (title not recorded)",
    "南方经济 (search.napstic.cn/literature/periodical/010nfjj202412002)", "V")
REN_2023 = Citation(
    "任浩 & 仲东亭", "2023", "动态视角下政府激励对高企成长-退出影响机理分析",
    "同济大学学报, doi:10.11908/j.issn.0253-374x.22007 (tjxb.ijournals.cn)", "V")
MA_2018 = Citation(
    "马玉琪, 扈瑞鹏 & 赵彦云", "2018", "企业性质、行业差异与高新技术企业退出研究",
    "科学学研究 36(9): 1642-1649 (journal08.magtechjournal.com)", "V")
