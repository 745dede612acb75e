"""Declared once: every uncertain behaviour parameter and every constant of the model.

Each entry has a default, a plausible range (what sensitivity analysis and sweeps
draw from), the range a scenario may set at all, a unit and a source. A source that
is not a publication says ``assumption`` and why the range is what it is; grades
(V, V*, D, R) refer to docs/sources.md. A parameter through which a lever acts has a
structured source, an :class:`~sim.scenario.evidence.Evidence` (issue 17). docs/parameters.md is
generated from this file (``python -m sim.scenario.params > docs/parameters.md``) and a
test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.scenario.evidence import (
    ALDER_2016,
    ALFARO_URENA,
    AMEZCUA,
    ARRAIZ_2013,
    BLOOM_2002,
    BEFORE_COMMIT,
    BOEING_2016,
    CARBALLO,
    CHEN_2021,
    CRAVO_2019,
    DENG_2018,
    GONZALEZ_URIBE,
    GOTTLIEB,
    GUCERI_2019,
    HARDING_2011,
    HAYTER_2015,
    HOWELL_2017,
    HU_JIE_2022,
    HU_ZHANG_2021,
    IP_PLEDGE_LTV,
    LU_2019,
    MA_2018,
    MERICS,
    NFJJ_2024,
    REN_2023,
    SCHWARTZ_2013,
    WU_2023,
    XU_2024,
    XU_KONG_2017,
    YANG_2022,
    ZENG_2019,
    ZHANG_2019,
    ZWICK_2021,
    Evidence,
)


@dataclass(frozen=True)
class Param:
    """One declared number: default, plausible range, valid range, unit, source.

    ``source`` is a string (a publication with its grade, or ``assumption`` and why) or,
    for a parameter through which a lever acts, an :class:`~sim.scenario.evidence.Evidence`
    (publications, estimate and conversion, or "not found" with the queries tried).
    """

    default: float
    low: float
    high: float
    unit: str
    source: str | Evidence
    doc: str
    valid: tuple[float, float] = (float("-inf"), float("inf"))
    integer: bool = False


# fmt: off
BEHAVIOUR: dict[str, Param] = {
    # --- initial population ----------------------------------------------------------
    "size_sigma": Param(
        1.8, 1.4, 2.2, "log points",
        "assumption: lognormal firm sizes fit better than a pure Pareto (Kondo, Lewis & Stella "
        "2018) [V]; the spread is chosen so that Kunming's mean firm (~1000万) is 5-7x its "
        "median",
        "Standard deviation of log annual revenue when the initial firms are synthesised.",
        (0.1, 4.0)),
    "revenue_per_employee_wan": Param(
        80.0, 40.0, 150.0, "万元/person/year", "assumption",
        "Annual revenue per employee of a synthesised firm.", (1.0, 10000.0)),
    "past_growth_mean": Param(
        0.08, 0.04, 0.12, "1/year",
        "Kunming zone revenue +10.7% (2021), Yuxi +8.5% (2023) [V]; firms a little below",
        "Mean yearly revenue growth of a firm in the 12 quarters of history.", (-0.5, 1.0)),
    "hte_large_share": Param(
        0.238, 0.18, 0.30, "1",
        "487 of Yunnan's 2,055 高企 (23.81%) had revenue over 1亿 in 2021 [V yn.news.cn "
        "2022-08-24]; 25.13% in 2020 [V]; range 18-30% (assumption)",
        "Share of the synthesised 高企 with annual revenue over 1亿 (drawn apart from the "
        "smaller ones), where the zone has enough such firms.", (0.0, 1.0)),
    "hte_pool_ratio": Param(
        0.31, 0.25, 0.5, "1 (firms per 高企)",
        "the province's cultivation pool (后备培育库) of 933 firms in 2023 [V "
        "zixun.kunming.cn] against 3,042 高企 at the end of that year's round (0.31, D; "
        "0.36 against the 2,578 before it); the lower one, because at 0.36 the first round "
        "without the plan ran 18.6-20.5%, above the province's 2024 growth of 19.7%",
        "Firms that meet every 高企 criterion at the start but hold no certificate, as a "
        "share of the zone's 高企 (the pool the first round certifies from); the rest of "
        "the uncertified firms miss the high-tech product criterion.", (0.0, 5.0)),
    # --- R&D decision -------------------------------------------------------------
    "rd_price_elasticity": Param(
        1.14, 0.9, 2.0, "1 (elasticity of R&D to its after-subsidy user cost)",
        source=Evidence(
            "source", "elasticity", ("A1",), (1.14, 0.5, 2.0),
            estimate="Chen et al.: Chinese firms near the 高企 15% income-tax notch, bunching "
            "and panel estimates on linked survey and tax data: user-cost elasticity of R&D "
            "1.14 for real R&D, 2 for reported R&D (24.2% of reported R&D is relabelled). "
            "Bloom et al.: 9 OECD countries 1979-97: a 10% fall in the user cost of R&D "
            "raises R&D just over 1% in the short run and just under 10% in the long run. "
            "Guceri & Liu: UK SMEs, the 2008 reform, difference-in-differences on all "
            "corporate tax filings: about 1.6.",
            conversion="The model's ε is the long-run elasticity of desired R&D intensity to "
            "p/p0, the after-award over the after-tax price of one yuan of R&D (S2; the speed "
            "is rd_adjustment): the quantity these studies estimate, no change of unit. "
            "Default 1.14 (China, real R&D); low 0.9 = Bloom et al.'s long-run 'just under "
            "1' rounded down; high 2.0 = China, reported R&D (the model's 高企 test reads "
            "reported R&D). The estimates are for tax prices; that A1 is an uncertain, "
            "ex-post grant is discounted by award_salience, not by ε. The old low end 0.5 "
            "had no source.",
            citations=(CHEN_2021, BLOOM_2002, GUCERI_2019, BOEING_2016),
            no_effect_found="Boeing 2016 (Chinese listed firms 2001-06): R&D grants crowd "
            "out own R&D at first (one public RMB cut business R&D by half an RMB in 2006) "
            "and are neutral later; not so for repeat recipients and high-tech firms."),
        doc="How strongly a firm's desired R&D intensity responds to the after-tax, "
        "after-award price of one yuan of R&D.", valid=(0.0, 5.0)),
    "rd_adjustment": Param(
        0.35, 0.03, 0.6, "1/quarter",
        "assumption for the default: R&D budgets adjust to a new price within about a year "
        "(firms bunch at the 高企 notch within the year in Chen et al. 2021 [V]); low end "
        "from Bloom, Griffith & Van Reenen 2002 (J. Public Econ. 85(1)) [V]: R&D rises ~1% "
        "in the first year and ~10% in the long run after a 10% fall in its cost, i.e. "
        "about a tenth of the gap closed in a year, 1 - 0.9^(1/4) = 0.026 a quarter "
        "(country aggregates, 1979-97)",
        "Share of the gap between current and desired R&D intensity closed each quarter.",
        (0.01, 1.0)),
    "rd_intensity_sigma": Param(
        0.7, 0.4, 1.0, "log points",
        "assumption: dispersion of R&D/sales across firms of one sector, chosen so that about "
        "half of tech SMEs fall short of the 高企 notch",
        "Standard deviation of log R&D intensity around the sector median.", (0.0, 3.0)),
    "notch_reach": Param(
        0.4, 0.15, 0.6, "share of the threshold",
        "assumption, after the bunching in Chen et al. 2021 (AER): firms within this fraction "
        "below a 高企 R&D threshold move up to it",
        "A firm meeting the other 高企 criteria whose desired R&D intensity is below its "
        "threshold by less than this share of it aims just above it.", (0.0, 1.0)),
    "notch_margin": Param(
        0.05, 0.01, 0.15, "share of the threshold",
        "assumption: bunching mass sits just above the notch (Chen et al. 2021)",
        "How far above a threshold a bunching firm aims.", (0.0, 1.0)),
    "award_salience": Param(
        0.4, 0.2, 1.0, "1",
        source=Evidence(
            "source", "weight", ("A1",), (0.5, 0.2, 1.0),
            estimate="Zwick: 1.2 million US corporate tax returns: only 37% of the firms "
            "eligible for a tax-loss refund claim it; paid preparers raise small firms' "
            "claiming.",
            conversion="If a share s of eligible firms acts on an incentive and the rest "
            "ignore it, the average weight on it is s: s = 0.37 for a simple refund of known "
            "amount, rounded to 0.4. A1 (ex-post, competitive, for an industrialised "
            "original result, capped) is at least as complex, and claiming a benefit is an "
            "upper bound on pricing it in beforehand, so 0.4 is a central value; 1 (full "
            "attention) the high end; 0.2 kept as the low end (no estimate below it was "
            "read). The model already discounts the award by the chance of a qualifying "
            "result and by the payer's fill rate (budget_credibility). An analog: US firms "
            "and a tax refund, not Chinese firms and a provincial grant.",
            citations=(ZWICK_2021,)),
        doc="Weight a firm gives the expected R&D award (A1) when it prices R&D.",
        valid=(0.0, 1.0)),
    "budget_credibility": Param(
        0.5, 0.0, 1.0, "1",
        "assumption (NF: no study of how firms discount late or unpaid Chinese grants was "
        "found, docs/research/lever_effects_2026-12.md; the range is the whole logical "
        "range): awards paid late or not at all are worth less to a firm deciding now; "
        "0: firms price the plan's awards at face value whatever the budgets; 1: at face "
        "value times the share of what their payer owed that it paid in the last year",
        "How far firms discount the awards they expect (A1 in the price of R&D, A5 in the "
        "decision to apply for 高企) by their payer's fill rate: the expected award is "
        "multiplied by 1 − this × (1 − fill rate).", (0.0, 1.0)),
    # --- innovation -----------------------------------------------------------------
    "knowledge_depreciation": Param(
        0.0375, 0.025, 0.05, "1/quarter",
        "15% a year, the standard R&D-capital depreciation rate (Hall & Mairesse 1995; BEA) [R]",
        "Quarterly depreciation of a firm's knowledge stock.", (0.0, 0.5)),
    "innovation_rate": Param(
        0.03, 0.015, 0.06, "1/quarter",
        "assumption: about one original result every 8 years for a firm at the reference "
        "knowledge stock",
        "Quarterly hazard of an original technical result at the reference knowledge stock.",
        (0.0, 1.0)),
    "knowledge_ref_wan": Param(
        300.0, 100.0, 1000.0, "万元",
        "assumption: the knowledge stock of a firm spending about 12万元 a quarter on R&D",
        "Reference knowledge stock for the innovation hazard.", (1.0, 1e6)),
    "innovation_knowledge_elasticity": Param(
        0.4, 0.2, 0.7, "1",
        "assumption, within the patent-R&D elasticities below 1 reported by Hall, Griliches & "
        "Hausman 1986",
        "Elasticity of the innovation hazard to the knowledge stock.", (0.0, 2.0)),
    "industrialisation_prob": Param(
        0.35, 0.15, 0.6, "1",
        "assumption: China's reported conversion rate of results is about 30% (widely cited, "
        "R)",
        "Probability that an original result is industrialised (what makes a firm eligible "
        "for A1).", (0.0, 1.0)),
    "a1_review_pass": Param(
        0.8, 0.6, 1.0, "1",
        "assumption: no count of Yunnan's R&D award (A1) applications, reviews or awards was "
        "found [N; queries in docs/research/hte_certification_2026-12.md §5-6]; the nearest "
        "Yunnan review, the provincial experts' review of 高企 applicants, passed 80.2% "
        "(2019: 532 of 663) and 82.6% (2020: 675 of 817) [V souzhinan.com; yn.cnipai.com "
        "2020-12-28; V*]; range from a strict review (0.6) to an entitlement (1.0)",
        "Share of A1 applications (a firm with an industrialised original result since the "
        "last call) that the review passes.", (0.0, 1.0)),
    "innovation_growth_boost": Param(
        0.03, 0.01, 0.06, "log points/quarter",
        "assumption", "Extra quarterly log revenue growth for 4 quarters after an "
        "industrialised result.", (0.0, 0.5)),
    # --- growth -----------------------------------------------------------------------
    "drift_base": Param(
        0.008, 0.0, 0.02, "log points/quarter",
        "assumption: zones' revenue grew 8-11% a year (Kunming 2021-23, Yuxi 2023) [V]; "
        "the drift of an established firm is set a little below",
        "Quarterly log revenue drift of an established firm.", (-0.2, 0.2)),
    "drift_young": Param(
        0.04, 0.02, 0.08, "log points/quarter",
        "assumption: young firms grow fast (Haltiwanger, Jarmin & Miranda 2013)",
        "Extra drift of a firm under 5 years old, falling linearly to 0 at age 5.",
        (0.0, 0.3)),
    "drift_gazelle": Param(
        0.03, 0.01, 0.06, "log points/quarter",
        "assumption: gazelles grew 51.1% a year in 2011-14 [V, m.vanbien.com]; persistence "
        "of high growth is low, so a smaller premium",
        "Extra drift of a gazelle.", (0.0, 0.3)),
    "productivity_sd": Param(
        0.008, 0.004, 0.015, "log points/quarter",
        "assumption", "Cross-firm standard deviation of the persistent drift component "
        "(productivity).", (0.0, 0.1)),
    "misfit_penalty": Param(
        0.006, 0.002, 0.012, "log points/quarter",
        "assumption: a project in a zone whose industries do not fit it is less productive",
        "Drift penalty of a project landed in a zone that does not lead in its sector.",
        (0.0, 0.1)),
    "agglomeration_elasticity": Param(
        0.002, 0.0, 0.005, "log points/quarter per log firm",
        "assumption, consistent with zone designation raising output levels but not long-run "
        "growth (Alder, Shao & Zilibotti 2016) [V]",
        "Drift per log of the growth of the firm's cluster (zone x sector) in firms since "
        "the start.",
        (0.0, 0.05)),
    "service_effect": Param(
        0.001, 0.0, 0.002, "log points/quarter",
        source=Evidence(
            "not found", "drift", ("B3", "B5"), (0.002, 0.0, 0.005),
            conversion="No estimate of the effect of a zone's operating model on its "
            "incumbent firms' growth was read. A bound: the designation of a whole zone "
            "(tax, land, FDI, infrastructure: far more than a management model) raises a "
            "city's GDP level by about 20% once, mostly through capital, and not its growth "
            "path (Alder et al.); zones work more through net entry than through incumbents "
            "(Lu et al.). 0.002 a quarter adds about 4.5% to every firm's revenue by 2030Q4, "
            "so the old default is an upper value. Range 0 (no effect) to 0.002 (the "
            "default before the review); default its midpoint (a convention, not evidence). "
            "赵波, 许珊珊, 黄信灶 & 罗小娟 (2022), 市场化运营、行政职级与开发区经济发展, evaluates "
            "market-based operation of zones, but only its introduction was returned: its "
            "estimates were not read. Cravo & Piza: business-support services improve firm "
            "performance in low- and middle-income countries, no pooled size in the "
            "abstract.",
            citations=(ALDER_2016, LU_2019, YANG_2022, CRAVO_2019),
            queries=("开发区 管理体制 管委会+公司 模式 改革 效果 实证 企业",
                     "development zone management committee corporatization governance "
                     "reform firm performance China empirical",
                     "市场化运营 行政职级 开发区经济发展 赵波 许珊珊 管委会+平台公司",
                     "high-tech zone upgrading provincial to national difference-in-"
                     "differences firm productivity innovation China",
                     "高新区 升级 国家级 双重差分 企业 全要素生产率",
                     "Cravo Piza business support services meta-analysis"),
            no_effect_found="Alder, Shao & Zilibotti 2016: zone designation raises the "
            "level, not the growth path; Yang, Kang & Ge 2022: upgrading provincial zones to "
            "national lowered (distorted) firms' TFP."),
        doc="Extra drift of firms in zones with a company-based operating model.",
        valid=(0.0, 0.05)),
    "shock_scale": Param(
        0.12, 0.08, 0.2, "log points (Laplace scale)",
        "Stanley et al. 1996 (Nature 379:804): tent-shaped growth rates; the scale is an "
        "assumption for small firms [V for the shape]",
        "Laplace scale of the quarterly log growth shock of a firm with 1000万元 revenue a "
        "year.", (0.0, 1.0)),
    "shock_size_beta": Param(
        0.2, 0.15, 0.25, "1",
        "Stanley et al. 1996; Amaral et al. 1997: sigma ~ S^-beta, beta ~ 0.2 [V]",
        "How the spread of growth falls with size.", (0.0, 0.5)),
    # --- finance and exit ---------------------------------------------------------------
    "margin": Param(
        0.08, 0.03, 0.15, "share of revenue",
        "assumption: pre-R&D operating margin of a small tech firm",
        "Operating cash flow before R&D as a share of revenue.", (-0.5, 0.5)),
    "margin_sd": Param(
        0.06, 0.03, 0.1, "share of revenue", "assumption",
        "Cross-firm standard deviation of the operating margin.", (0.0, 0.5)),
    "young_margin_penalty": Param(
        0.15, 0.05, 0.3, "share of revenue", "assumption: start-ups burn cash",
        "Margin shortfall of a new firm, falling linearly to 0 at age 3 years.", (0.0, 1.0)),
    "loan_interest": Param(
        0.01, 0.007, 0.015, "1/quarter",
        "assumption: about 4% a year, near China's one-year LPR plus a small spread [R]",
        "Quarterly interest on a firm's debt.", (0.0, 0.1)),
    "loan_repayment": Param(
        0.08, 0.05, 0.25, "1/quarter", "assumption: tech loans of 1-3 years",
        "Share of a firm's debt repaid each quarter.", (0.0, 1.0)),
    "employment_elasticity": Param(
        0.6, 0.4, 0.8, "1", "assumption: employment grows less than revenue",
        "Elasticity of a firm's staff to its revenue.", (0.0, 2.0)),
    "entrant_revenue_wan": Param(
        30.0, 10.0, 100.0, "万元/year", "assumption",
        "Median first-year revenue of a new firm (lognormal, sd 1).", (0.1, 1e5)),
    "cash_buffer_quarters": Param(
        2.0, 1.0, 4.0, "quarters of costs",
        "assumption", "Initial cash of a firm, in quarters of R&D and fixed costs.",
        (0.0, 20.0)),
    "exit_hazard_scale": Param(
        0.7, 0.4, 1.2, "1",
        "assumption: SAIC's 2013 exit rates by age (1.6% / 6.3% / 9.5% in years 1-3, over 8% "
        "to year 7) are for all firms [V]; firms in zones are scaled down",
        "Multiplier on China's exit hazard by age.", (0.0, 5.0)),
    "distress_exit_prob": Param(
        0.25, 0.1, 0.5, "1/quarter",
        "assumption", "Quarterly exit probability of a firm out of cash that no capital "
        "provider finances.", (0.0, 1.0)),
    "hte_exit_reduction": Param(
        0.5, 0.5, 1.0, "1",
        source=Evidence(
            "not found", "multiplier", ("A1", "A5", "B6"), (0.5, 0.3, 0.8), stronger=-1,
            conversion="No estimate of how much certification itself lowers a firm's exit "
            "hazard was found. Among certified firms, the tax benefit and subsidies that "
            "certification brings go with a lower exit risk (任浩 & 仲东亭, Zhangjiang "
            "高企 2012-18; 马玉琪 et al., Zhongguancun Haidian, Cox models: tax incentives "
            "raise survival, subsidies do not), without a size. Certified firms are also "
            "older and stronger (selection), which the baseline's stock carries; but the "
            "marginal 高企 a lever (A1 through the notch, A5, B6) adds get the same "
            "multiplier, which credits the lever with a survival effect no study measured. "
            "Range 1 (no effect) to 0.5 (the default before the review); the default is "
            "kept at 0.5 because the baseline's calibration (hte_apply_prob, notch_reach) "
            "rests on it; a weaker multiplier for lever-made 高企 would be a model change.",
            citations=(REN_2023, MA_2018, XU_KONG_2017),
            queries=("高新技术企业认定 企业生存 退出 风险 生存分析",
                     "high-tech enterprise certification China effect 高新技术企业认定 效应"),
            no_effect_found="马玉琪, 扈瑞鹏 & 赵彦云 2018: fiscal subsidies have no "
            "significant effect on 高企 exit; 徐长生 & 孔令文 2017: certification has no "
            "significant effect on innovation input."),
        doc="Multiplier on the age hazard of a firm holding a valid 高企 certificate.",
        valid=(0.0, 1.0)),
    "large_exit_reduction": Param(
        0.1, 0.0, 0.3, "1",
        "assumption: China's exit rates by age (SAIC 2013) are those of mostly small firms; "
        "a firm with 10亿 of revenue a year rarely closes within a quarter",
        "Multiplier on the age hazard of a firm whose revenue of the last four quarters is "
        "at least the tech leader's minimum (constants.leader_min_revenue_wan).",
        (0.0, 1.0)),
    "incubator_exit_reduction": Param(
        0.8, 0.5, 1.0, "1",
        source=Evidence(
            "source", "multiplier", ("B8",), (0.5, 0.3, 0.8), stronger=-1,
            estimate="Schwartz 2013: 371 graduates of 5 German incubators against 371 "
            "matched non-incubated firms over 10 years: no incubator's firms survive "
            "significantly longer, those of 3 of the 5 significantly shorter. Amezcua: a "
            "US national sample with matched controls: incubation shortens firms' lives "
            "(and raises employment and sales growth).",
            conversion="These compare the survival of incubated and similar firms; they "
            "give a multiplier on the exit hazard of about 1 or above, and none of them "
            "supports the old 0.5 (halving the hazard). The model applies the multiplier "
            "only while a firm is a tenant, which the studies do not separate from the "
            "years after graduation, so the range keeps the old default 0.5 as its strong "
            "end (subsidised rent may protect tenants); default 0.8; 1 = no effect. B8 adds "
            "places, so more firms get it.",
            citations=(SCHWARTZ_2013, AMEZCUA, GONZALEZ_URIBE),
            no_effect_found="Schwartz 2013: no incubator with higher survival, 3 of 5 "
            "lower; Amezcua: incubation shortens lives; Gonzalez-Uribe & Leatherbee: basic "
            "accelerator services (cash, co-working space) have no effect."),
        doc="Multiplier on the exit hazard of an incubatee.", valid=(0.0, 1.0)),
    "vc_multiple": Param(
        2.5, 1.5, 6.0, "x annual revenue",
        "assumption: revenue multiples of venture-backed tech firms",
        "Median valuation of a venture-backed firm as a multiple of its annual revenue.",
        (0.1, 100.0)),
    # --- entry --------------------------------------------------------------------------
    "startup_rate": Param(
        0.028, 0.015, 0.045, "start-ups per firm per quarter",
        "assumption: with exits of 6-8% a year, firm counts in zones grew ~5-10% a year",
        "Organic start-ups per existing firm in the zone, per quarter.", (0.0, 0.5)),
    "spinoff_rate": Param(
        0.01, 0.002, 0.03, "spin-offs per leader or gazelle per quarter",
        "assumption", "Spin-offs founded by staff of gazelles and leaders.", (0.0, 0.5)),
    "researcher_founders_per_quarter": Param(
        6.0, 2.0, 15.0, "firms per quarter (province)",
        "assumption: Yunnan's universities and institutes; no published count (NF)",
        "Researcher-founded firms (离岗创业) per quarter in all modelled zones, before scale.",
        (0.0, 1000.0)),
    "incubator_intake": Param(
        0.08, 0.04, 0.15, "share of capacity per quarter",
        "assumption: a 3-year tenancy turns over about a third of places a year",
        "New incubatees per incubator place per quarter.", (0.0, 1.0)),
    "graduation_rate": Param(
        0.05, 0.03, 0.08, "1/quarter",
        "~30% of incubator clients graduate (municipal page) [V*]; with the exit hazard this "
        "gives about that share",
        "Quarterly probability that an incubatee of at least 8 quarters graduates.",
        (0.0, 1.0)),
    # --- ladder -------------------------------------------------------------------------
    "hte_apply_prob": Param(
        0.6, 0.3, 0.9, "1/year",
        "assumption", "Probability that an eligible firm without a valid certificate applies "
        "in a year's round.", (0.0, 1.0)),
    "hte_renew_prob": Param(
        0.95, 0.8, 1.0, "1",
        "assumption: a 高企 keeps its 15% tax rate only by re-applying, so nearly all that "
        "still qualify do; 0.95 (was 0.9) because the evaluation now also fails some "
        "re-applicants, which the yearly end of certificates (Yunnan 2019 29.7%, 2020 30.5% "
        "of the stock [V*]; Guangxi 2017 23.6% [V*]; docs/research/"
        "hte_certification_2026-12.md §2) leaves no room to add to",
        "Probability that a firm whose certificate expires, and which is in the candidate "
        "pool, applies again.", (0.0, 1.0)),
    "hte_pool_score": Param(
        62.0, 60.0, 68.0, "points (of 100)",
        "another region's 培育入库 rule: entry at >= 60 points on the same four-indicator "
        "evaluation [V secondary, shdinze.com 2023-07-19; docs/research/"
        "hte_certification_2026-12.md §1, §4]; no Yunnan rule found [N], so an assumption "
        "for Yunnan: 62, set with hte_expert_sd so that the pass share among applicants is "
        "0.79 on 2 full-scale luck-only replicates (Yunnan 2019 0.777, 2020 0.803 [V*]); at "
        "67 it was 0.83, at 60 0.77",
        "Self-assessed score (hte_score without the expert noise) at or above which a firm "
        "meeting the hard 高企 criteria joins the candidate pool (培育库) and may apply.",
        (0.0, 100.0)),
    "hte_expert_sd": Param(
        4.0, 2.0, 7.0, "points (of 100)",
        "assumption (set with hte_pool_score): the pass share among applicants is 0.79 on "
        "2 full-scale luck-only replicates, as in Yunnan's rounds (2019: 515 of 663 = "
        "0.777; 2020: 656 of 817 = 0.803 [V* souzhinan.com, yn.cnipai.com 2020-12-28; "
        "docs/research/hte_certification_2026-12.md §2a]); the share moves little with it "
        "(0.77-0.81 for 3-6), as most applicants' own scores are well above or below 71",
        "Standard deviation of the experts' judgement added to a firm's own (self-assessed) "
        "score in the evaluation.", (0.0, 30.0)),
    "hte_share_drift": Param(
        0.03, 0.0, 0.08, "1/year (share points a year)",
        "assumption: no measurement of how fast firms move their S&T-staff and high-tech "
        "revenue shares found [N: queries in docs/research/hte_certification_2026-12.md §6]; "
        "a firm that already spends at the 高企 R&D level hires R&D staff and sells the "
        "products of its R&D, and firms preparing an application (re)classify staff and "
        "revenue as consultants advise; 0 (shares fixed at the start) to 0.08 a year "
        "(above it the first round of the 2021 history grew the 高企 stock by more than "
        "40%, on one replicate at scale 0.2, where Yunnan's largest published year is "
        "25.4% (2022)); fitted by the calibration (docs/baseline.md)",
        "Yearly rise of the S&T-staff share and of the high-tech revenue share of an "
        "uncertified firm whose 3-year R&D / sales meets its 高企 threshold (each share "
        "up to 1); how the candidate pool refills.", (0.0, 1.0)),
    "hte_trait_mean": Param(
        0.85, 0.7, 0.95, "1 (share of the sub-scores' maximum)",
        "assumption: how well firms document advancement, core support and R&D "
        "organisation; consultants prepare most applications, so well above one half; at "
        "0.65 the start's 高企 scored a median 57 of 100 and the pass share fell to ~0.5, "
        "far below Yunnan's 0.78-0.80",
        "Mean of the firm traits (Beta, concentration 6) the experts read as technical "
        "advancement and core support of the IP (≤ 8 points each) and as R&D organisation "
        "(≤ 20 points).", (0.01, 0.99)),
    "ip_class1_share": Param(
        0.3, 0.15, 0.5, "1",
        "assumption: invention patents are a minority of a firm's grants (China's domestic "
        "grants are mostly utility models) [R]",
        "Share of original results that give the firm a class I IP item (invention patent "
        "etc.); the others give class II items.", (0.0, 1.0)),
    "ip_class2_per_result": Param(
        2.0, 1.0, 4.0, "items per result",
        "assumption: a result is protected by a few utility models / software copyrights",
        "Class II IP items (utility models, software copyrights) an original result without "
        "a class I item gives.", (0.0, 20.0)),
    "ip_routine_rd_wan": Param(
        3.0, 1.5, 10.0, "万元 of R&D per class II item",
        "assumption: routine utility models and software copyrights are cheap (a software "
        "copyright costs little beyond the work), so a small firm spending 15万 a year on "
        "R&D files about five a year",
        "R&D spending per routine class II IP item (a flow besides original results).",
        (1.0, 1e5)),
    "conv_routine_rd_wan": Param(
        2.0, 1.0, 6.0, "万元 of R&D per conversion",
        "assumption: the evaluation counts each product or service a result went into; "
        "firms report several a year, so a firm spending 10万 a year on R&D reaches the top "
        "band (>= 5 a year); at 15万 per conversion (and 40万 per class II item) mostly "
        "large firms passed: the 高企 of 2030Q4 had a median revenue of ~8,000万, 44% of "
        "them over 1亿 against 25% published",
        "R&D spending per routine conversion of a result (科技成果转化), besides "
        "industrialised original results.", (1.0, 1e5)),
    "tech_sme_register_prob": Param(
        0.3, 0.15, 0.6, "1/year", "assumption: registration is voluntary",
        "Probability that an eligible firm registers as a tech SME in a year.", (0.0, 1.0)),
    "tech_sme_renew_prob": Param(
        0.9, 0.7, 1.0, "1/year", "assumption",
        "Probability that a registered, still eligible tech SME registers again.",
        (0.0, 1.0)),
    "specialised_renew_prob": Param(
        0.85, 0.6, 1.0, "1", "assumption: MIIT re-reviews 专精特新 every 3 years",
        "Probability that a still eligible 专精特新 firm is recognised again.", (0.0, 1.0)),
    "specialised_prob": Param(
        0.05, 0.03, 0.08, "1/year",
        "assumption (no published series of the zones' 专精特新 counts): at 0.05 the zones' "
        "stock grows +31% in the first year without the plan (306 -> ~400), the pace of the "
        "province's goal (1,543 in mid-2025 -> 3,000 by 2027, +500 a year [V 云政办发〔2025〕"
        "27号]); 0.03 gives +15%, 0.08 +55%, near the national pace of 2021-24 (4万 -> 14万, "
        "~50% a year [V MIIT via 国新办 2021-11-23; udn.com 2025-08-08]). The earlier 0.12 "
        "doubled the stock in one year",
        "Probability that an eligible firm is recognised as 专精特新 in a year.", (0.0, 1.0)),
    "listing_prob": Param(
        0.02, 0.005, 0.05, "1/year", "assumption", "Probability that an eligible firm lists "
        "in a year.", (0.0, 1.0)),
    # --- investment attraction ---------------------------------------------------------
    "fit_land_prob": Param(
        0.55, 0.35, 0.75, "1", "assumption",
        "Probability that a project lands in a zone that leads in its sector and has the land.",
        (0.0, 1.0)),
    "misfit_land_prob": Param(
        0.15, 0.05, 0.3, "1", "assumption",
        "Probability that a project lands in a zone that does not fit it.", (0.0, 1.0)),
    "referral_friction": Param(
        0.85, 0.6, 1.0, "1", "assumption: referring costs effort and face",
        "A zone values the credit it expects from referring at this fraction.", (0.0, 1.0)),
    "referral_choice_noise": Param(
        0.1, 0.03, 0.3, "share of the project's investment (expected credit)",
        "assumption: zones weigh more than the assessment credit (ties with the investor, "
        "the effort a referral takes, the officials in charge); at 0.03 almost every zone "
        "follows the credit, at 0.3 the credit shifts the choice by a few points",
        "Scale of the logit in which the zone a project reached first chooses between keeping "
        "and referring it, by the difference of the credit each is expected to earn.",
        (0.0, 5.0)),
    "referral_receiver_effort": Param(
        0.3, 0.0, 0.6, "1",
        "assumption: a receiving zone credited with less of a project works less to land "
        "it; 0 means the split does not change the receiver's effort",
        "Fall in the receiving zone's landing probability per unit of the referrer's share: "
        "a referred project lands with the receiver's probability × (1 − this × share).",
        (0.0, 1.0)),
    "project_revenue_ratio": Param(
        0.6, 0.3, 1.0, "万元 revenue a year per 万元 invested",
        "assumption: asset turnover of manufacturing projects",
        "Annual revenue of a landed project at maturity per unit of investment.", (0.0, 10.0)),
    # --- lever responses (how agents respond to the plan's rules) ------------------------
    "hte_award_response": Param(
        0.015, 0.0, 0.03, "relative rise in applying per 10万元 of award",
        source=Evidence(
            "not found", "response", ("A5",), (0.03, 0.0, 0.08),
            conversion="No study of how a certification award raises applications was "
            "found. Chen et al. show firms re-time and relabel R&D to reach the 高企 notch, "
            "so certification responds to money, but that response is the model's notch "
            "(notch_reach, notch_margin), not a rise in applying per 10万元. Range 0 to "
            "0.03 (the default before the review); default its midpoint. The province's "
            "pre-plan award (20万) stays on without the plan, so this parameter also acts in "
            "no_action_plan and in the calibration's history.",
            citations=(CHEN_2021,),
            queries=("高新技术企业 认定 奖励 补助 申报 数量 增加 地方财政奖励 效果",
                     "high-tech enterprise certification China effect 高新技术企业认定 效应")),
        doc="How the A5 award for a new 高企 raises an eligible firm's chance of applying.",
        valid=(0.0, 1.0)),
    "pilot_growth_boost": Param(
        0.025, 0.0, 0.05, "log points/quarter",
        source=Evidence(
            "not found", "drift", ("A3", "B15"), (0.05, 0.02, 0.1),
            conversion="No evaluation of application-scenario pilots (应用场景, 首台套) "
            "giving a revenue effect was found. Howell: small US prototype grants (SBIR "
            "Phase 1) raise later venture funding, patents and commercialization (sizes "
            "of revenue effects not in the abstract). Range 0 to 0.05 (the default before "
            "the review, ≈ +22% revenue over the 4 quarters); default its midpoint.",
            citations=(HOWELL_2017,),
            queries=("首台套 应用场景 示范应用 政策 企业 营业收入 效果 实证",
                     "Howell SBIR Phase 1 grants effect venture capital commercialization"),
            no_effect_found="Howell 2017: SBIR Phase 2 (larger) grants have no measurable "
            "effect."),
        doc="Extra drift for 4 quarters of a firm running an application-scenario pilot "
        "(A3).", valid=(0.0, 0.5)),
    "competition_knowledge_gain": Param(
        0.5, 0.0, 1.0, "万元 knowledge per 万元 invested",
        source=Evidence(
            "not found", "gain", ("A10",), (1.0, 0.5, 2.0),
            conversion="No evaluation of 揭榜挂帅 (open competition for key technology "
            "projects) was found: the query returned studies of other innovation policies. "
            "Range 0 (a completed project adds no knowledge beyond the firm's own R&D) to "
            "1.0 (the default before the review: each 万元 invested becomes a 万元 of "
            "knowledge, like R&D); default its midpoint.",
            queries=("揭榜挂帅 政策效果 实证 企业创新 双重差分",)),
        doc="Knowledge a completed 揭榜挂帅 project (A10) adds per unit of the firm's "
        "investment.", valid=(0.0, 10.0)),
    "competition_success_prob": Param(
        0.7, 0.5, 0.9, "1", "assumption (NF: no evaluation of 揭榜挂帅 found; query "
        "'揭榜挂帅 政策效果 实证 企业创新 双重差分')", "Share of 揭榜挂帅 projects completed.", (0.0, 1.0)),
    "leave_entry_uplift": Param(
        0.35, 0.0, 0.7, "relative",
        source=Evidence(
            "source", "uplift", ("B2",), (0.5, 0.2, 1.0),
            estimate="Gottlieb, Townsend & Xu: Canada's 2000 reform extending job-protected "
            "leave to one year (about 5.5 months more) for mothers; regression "
            "discontinuity on census data: entrepreneurship +1.9 percentage points, about "
            "35% of the probability of becoming an entrepreneur (working-paper abstract); "
            "the marginal entrants start incorporated firms that hire employees.",
            conversion="Keeping the right to return to one's job while trying a venture is "
            "B2's mechanism (保留人事关系). Relative rise of entry: 1.9 pp on a base of about "
            "5.4% = 0.35 (the paper's own relative figure), so 0.35. Range 0 (B2 only "
            "restates the national 离岗创业 rules in force since 2017: the plan adds "
            "nothing) to 0.7 (twice the Canadian effect for B2's much longer 3 + 3-year "
            "protection; assumption). An analog: mothers in Canada, not researchers in "
            "Yunnan.",
            citations=(GOTTLIEB,)),
        doc="Relative rise in researcher founders when B2 (3+3-year leave) is in force.",
        valid=(0.0, 5.0)),
    "leave_exit_reduction": Param(
        0.8, 0.6, 1.0, "1",
        source=Evidence(
            "not found", "multiplier", ("B2",), (0.6, 0.4, 0.9), stronger=-1,
            conversion="No survival estimate for firms whose founder keeps a post was "
            "found; Gottlieb et al. report that the marginal entrants hire, not how long "
            "they last against others. The sign is ambiguous: a guaranteed return makes "
            "abandoning a weak venture cheaper (more exits), while a protected founder can "
            "keep a venture going longer. Range 1 (no effect) to 0.6 (the default before "
            "the review); default its midpoint.",
            citations=(GOTTLIEB,),
            queries=("academic entrepreneurship leave of absence policy researchers job "
                     "security startup rate evidence",
                     "科研人员 离岗创业 政策 效果 实证 创业 数量 高校")),
        doc="Multiplier on the exit hazard of a researcher-founded firm during its "
        "founder's leave (B2).", valid=(0.0, 1.0)),
    "company_model_attraction": Param(
        0.1, 0.0, 0.2, "relative",
        source=Evidence(
            "not found", "uplift", ("B3",), (0.2, 0.0, 0.4),
            conversion="The closest analog of platform companies running 招商 full time is "
            "an investment-promotion agency: sectors targeted by one get more US FDI in "
            "developing countries (Harding & Javorcik), and agency support raises a "
            "multinational's first entry (Carballo et al.). The direction supports a "
            "positive value; no magnitude was read. Range 0 to 0.2 (the default before the "
            "review); default its midpoint.",
            citations=(HARDING_2011, CARBALLO),
            queries=("Harding Javorcik roll out the red carpet investment promotion FDI "
                     "inflows",
                     "开发区 管理体制 管委会+公司 模式 改革 效果 实证 企业",
                     "development zone management committee corporatization governance "
                     "reform firm performance China empirical"),
            no_effect_found="Harding & Javorcik 2011: no effect in industrialised "
            "countries; Carballo et al.: no effect on expansion after first entry."),
        doc="Relative rise of a company-run zone's weight in first contacts with projects "
        "(B3).", valid=(0.0, 2.0)),
    "delegation_land_uplift": Param(
        0.05, 0.0, 0.1, "relative",
        source=Evidence(
            "not found", "uplift", ("B4",), (0.1, 0.0, 0.2),
            conversion="胡税根 & 结宇龙 (PSM-DID, 281 cities 2011-18): a consolidated "
            "approval bureau raises market investment significantly and persistently, "
            "positive in the West (Yunnan) and Northeast; no magnitude in the abstract. "
            "张天华 et al.: approval centres raised aggregate productivity 0.95% a year "
            "(1998-2007) through allocation, not a landing probability. No estimate of "
            "projects landed per power delegated. Range 0 to 0.1 (the default before the "
            "review); default its midpoint.",
            citations=(HU_JIE_2022, ZHANG_2019),
            queries=("开发区 行政审批 权限下放 赋权 企业 投资 双重差分",
                     "行政审批局 PSM-DID 市场投资 新建企业"),
            no_effect_found="胡税根 & 结宇龙 2022: approval bureaus have no significant "
            "effect on new firms, patents or transaction costs; weak or negative in the "
            "East and Centre."),
        doc="Relative rise of landing probabilities with delegated approval powers (B4).",
        valid=(0.0, 1.0)),
    "pay_reform_uplift": Param(
        0.15, 0.0, 0.3, "relative",
        source=Evidence(
            "not found", "uplift", ("B5",), (0.3, 0.0, 0.6),
            conversion="Only descriptions of zone staffing and pay reforms were found: "
            "Shanxi's 三化三制 (科技日报 2017-04-18, digitalpaper.stdaily.com) and 崔君男 & "
            "王洪义 (2021, fx361.cc/page/2021/0414/21427095.shtml: progress slow, resisted, "
            "incomplete); no effect size. Range 0 to 0.3 (the default before the review); "
            "default its midpoint.",
            queries=("开发区 薪酬制度改革 绩效工资 员额制 聘任制 效果 招商",
                     "开发区 管理体制 管委会+公司 模式 改革 效果 实证 企业")),
        doc="Relative rise of zone services (drift) with pay reform (B5); half of it raises "
        "landing probabilities (staff effectiveness).", valid=(0.0, 2.0)),
    "ladder_uplift": Param(
        0.1, 0.0, 0.2, "relative",
        source=Evidence(
            "not found", "uplift", ("B6",), (0.2, 0.0, 0.4),
            conversion="No estimate of how coaching (梯度培育) raises 高企 applications, "
            "tech-SME registrations or listings was found. Zwick: paid preparers raise "
            "small firms' take-up of a tax benefit (direction only). Studies of what "
            "certification does to firms are mixed (no effect on innovation input: 徐长生 & "
            "孔令文; none on R&D growth: 曾婧婧 et al.). Range 0 to 0.2 (the default before "
            "the review); default its midpoint.",
            citations=(ZWICK_2021, XU_KONG_2017, ZENG_2019),
            queries=("high-tech enterprise certification China effect 高新技术企业认定 效应",
                     "高新技术企业 认定 奖励 补助 申报 数量 增加 地方财政奖励 效果",
                     "Zwick costs of corporate tax complexity take-up preparers"),
            no_effect_found="徐长生 & 孔令文 2017 (RDD, A-share firms 2006-15): "
            "certification has no significant effect on innovation input; 曾婧婧, 龚启慧 & "
            "王庆 2019 (DiD): no significant effect on R&D growth."),
        doc="Relative rise of 高企 application, tech-SME registration and listing with B6.",
        valid=(0.0, 2.0)),
    "specialised_uplift": Param(
        0.15, 0.0, 0.3, "relative",
        source=Evidence(
            "not found", "uplift", ("B7",), (0.3, 0.0, 0.6),
            conversion="Studies of 专精特新 recognition estimate what it does to firms "
            "(TFP and innovation up: 伍中信 et al., multi-period DiD on listed firms), not "
            "how a pool and its services raise the recognition rate, an administrative "
            "decision; MERICS describes flaws in selection. Besides, specialised_prob alone "
            "already gives the pace of the province's goal without the plan, so a large "
            "uplift double counts. Range 0 to 0.3 (the default before the review); default "
            "its midpoint.",
            citations=(WU_2023, MERICS),
            queries=("专精特新 小巨人 认定 政策效应 双重差分 企业 创新 绩效",
                     "specialized sophisticated SMEs little giant program China evaluation "
                     "firm performance difference-in-differences")),
        doc="Relative rise of 专精特新 recognition with the pool and its services (B7).",
        valid=(0.0, 2.0)),
    "matching_drift": Param(
        0.002, 0.0, 0.006, "log points/quarter",
        source=Evidence(
            "source", "drift", ("B7", "B12"), (0.003, 0.0, 0.006),
            estimate="Arráiz, Henríquez & Stucchi: Chile's Supplier Development Program "
            "(CORFO, 2003-08; panel, matching and DiD): SME suppliers' sales +16.0%, "
            "+11.2%, +8.5% one, two and three years after enrolment, employment +8-10%, "
            "survival +2-3 points. Alfaro-Ureña et al.: Costa Rica, event study: four years "
            "after first supplying a multinational, domestic firms employ 26% more workers "
            "and their TFP is 4-9% higher.",
            conversion="Per firm actually matched: Chile ln(1.085) = 0.082 log points, "
            "reached by 2030Q4 over 22 quarters = 0.0037 a quarter (0.0068 if over 12); "
            "Costa Rica ln(1.04)..ln(1.09) = 0.039..0.086 over 16 quarters = 0.0025..0.0054 "
            "a quarter. The model gives the drift to every eligible firm (B12: every small "
            "firm in a cluster with a tech leader; B7: every recognised 专精特新 firm), so "
            "it needs the per-matched effect times the share matched, which was not found "
            "(assumption: a third to a half, giving 0.001-0.002). Default 0.002; range 0 "
            "(nobody matched) to 0.006 (the per-matched effect for every eligible firm). "
            "Analogs: Latin American buyer-supplier programmes, not 主-配 matching in China.",
            citations=(ARRAIZ_2013, ALFARO_URENA)),
        doc="Extra drift of 专精特新 firms matched with listed or chain-leading firms (B7) "
        "and of suppliers in a leader's cluster (B12).", valid=(0.0, 0.05)),
    "incubator_quality_uplift": Param(
        0.15, 0.0, 0.3, "relative",
        source=Evidence(
            "not found", "uplift", ("B8",), (0.3, 0.0, 0.6),
            conversion="Graduation is an administrative outcome; no study read estimates "
            "its response to an incubator's quality. What was read on incubators finds no "
            "survival benefit (Schwartz 2013; Amezcua) and no effect of basic services "
            "(Gonzalez-Uribe & Leatherbee; mentoring-type services do help). Range 0 to 0.3 "
            "(the default before the review); default its midpoint.",
            citations=(SCHWARTZ_2013, AMEZCUA, GONZALEZ_URIBE),
            queries=("business incubator effect on startup survival growth evaluation "
                     "causal graduation",
                     "Gonzalez-Uribe Leatherbee business accelerators Start-Up Chile",
                     "科技企业孵化器 在孵企业 毕业率 毕业企业 数量 统计 火炬"),
            no_effect_found="Schwartz 2013: no incubator with higher survival, 3 of 5 "
            "lower; Gonzalez-Uribe & Leatherbee: no effect of cash and co-working space."),
        doc="Relative rise of incubatees' graduation rate with upgraded incubators (B8).",
        valid=(0.0, 2.0)),
    "tech_transfer_uplift": Param(
        0.1, 0.0, 0.2, "relative",
        source=Evidence(
            "not found", "uplift", ("B9",), (0.2, 0.0, 0.4),
            conversion="Universities with a proof-of-concept centre have significantly "
            "more spin-offs a year after adopting it (Hayter & Link) and small prototype "
            "grants double the chance of later venture funding and raise commercialization "
            "(Howell); neither abstract gives a rate that maps onto a relative rise of the "
            "probability that a result is industrialised, for all firms of a zone. The "
            "direction is supported, the number not found. Range 0 to 0.2 (the default "
            "before the review); default its midpoint.",
            citations=(HAYTER_2015, HOWELL_2017),
            queries=("technology transfer office effect on university licensing "
                     "commercialization causal estimate",
                     "proof of concept centers university spinoffs licensing effect "
                     "evaluation",
                     "Howell SBIR Phase 1 grants effect venture capital commercialization"),
            no_effect_found="Howell 2017: SBIR Phase 2 (larger) grants have no measurable "
            "effect."),
        doc="Relative rise of the industrialisation probability with B9.",
        valid=(0.0, 2.0)),
    "points_loan_ratio": Param(
        0.2, 0.0, 0.4, "万元 loan per 万元 knowledge",
        source=Evidence(
            "source", "ratio", ("B10",), (0.3, 0.1, 0.6),
            estimate="IP-pledge loans in China (a repost, no primary document): no national "
            "loan-to-value rule; practice 10-60%; Bank of Communications lends up to 25% "
            "of the appraised value of an invention patent, 15% of a utility model.",
            conversion="Assuming a firm's pledgeable IP is appraised at about its R&D "
            "stock K (assumption), loan-to-values of 15-25% give 0.15-0.25 万元 of loan per "
            "万元 of K: default 0.2; high 0.4, inside the 10-60% practice range; low 0, "
            "because only part of K is patented and pledgeable (share not found) and a "
            "study of the patent-pledge policy finds no effect on R&D intensity.",
            citations=(IP_PLEDGE_LTV, XU_2024, NFJJ_2024),
            no_effect_found="南方经济 2024 (staggered DiD): the patent-pledge policy left "
            "R&D intensity unchanged, worsened financial mismatch and induced strategic "
            "patenting; against it, 许锐, 王艳艳 & 于李胜 2024 find more invention patents "
            "and higher TFP at listed firms with patent-pledge loans."),
        doc="Patent/order/equity loans against innovation points (B10): a bank lends up "
        "to this share of a firm's knowledge stock even without revenue.",
        valid=(0.0, 5.0)),
    "supply_share_gain": Param(
        0.01, 0.0, 0.02, "1/year",
        source=Evidence(
            "not found", "gain", ("B12",), (0.02, 0.0, 0.04),
            conversion="The supplier-development evaluations read (Arráiz et al.; "
            "Alfaro-Ureña et al.) report suppliers' sales, jobs and productivity, not a "
            "local-sourcing share. Range 0 to 0.02 (the default before the review); "
            "default its midpoint. An indicator only: nothing else in the model reads it.",
            citations=(ARRAIZ_2013, ALFARO_URENA),
            queries=("supplier development program linkages multinational local suppliers "
                     "matching evaluation sales growth randomized",
                     "Alfaro-Urena Manelici Vasquez joining multinational supply chains")),
        doc="Yearly rise of a zone's local supply share with chain-leader matching (B12).",
        valid=(0.0, 0.2)),
    "local_supply_share_start": Param(
        0.3, 0.2, 0.45, "1", "assumption (NF)", "Local supply share of the zones' leaders at the "
        "start.", (0.0, 1.0)),
    "assessment_land_uplift": Param(
        0.025, 0.0, 0.05, "relative",
        source=Evidence(
            "not found", "uplift", ("B14",), (0.05, 0.0, 0.1),
            conversion="No estimate of how assessment and ranking of zones raise projects "
            "landed was found. 邓慧慧 et al.: performance assessment (政绩考核) and fiscal "
            "decentralisation drive strategic competition in building zones (a city builds "
            "about 5 when its neighbours build 10): zone creation, not landing. Range 0 to "
            "0.05 (the default before the review); default its midpoint.",
            citations=(DENG_2018,),
            queries=("开发区 考核 招商引资 排名 激励 官员 投资 效果 实证 地方政府竞争",)),
        doc="Relative rise of landing probabilities with quarterly assessment (B14).",
        valid=(0.0, 1.0)),
    "fault_tolerance_uplift": Param(
        0.25, 0.0, 0.5, "relative",
        source=Evidence(
            "not found", "uplift", ("B15",), (0.5, 0.0, 1.0),
            conversion="容错纠错 rules for officials score high on design but their "
            "execution effect is 'mediocre' (胡春艳 & 张莲明). 雷玉琼 & 刘展余 (2021), "
            "干部容错机制能够促进政府创新吗? (fx361.com/page/2021/0708/12064133.shtml), "
            "estimates the effect on government innovation, but only its introduction was "
            "returned; its estimate was not read. No estimate of pilots run per zone. "
            "Range 0 to 0.5 (the default before the review); default its midpoint.",
            citations=(HU_ZHANG_2021,),
            queries=("容错纠错机制 官员 创新 试点 实证 效果 双重差分",),
            no_effect_found="胡春艳 & 张莲明 2021: the execution effect of 容错纠错 "
            "policies is mediocre."),
        doc="Relative rise of the pilots zones accept (A3) with B15.", valid=(0.0, 5.0)),
    # --- zones ------------------------------------------------------------------------
    "cluster_approval_prob": Param(
        0.06, 0.02, 0.12, "1/year", "assumption: 1 national cluster in Yunnan to date [V]",
        "Yearly probability that an eligible leading-industry cluster is approved as national.",
        (0.0, 1.0)),
    "upgrade_prob": Param(
        0.05, 0.01, 0.1, "1/year", "assumption: 9 upgrades nationally 2020-23 among ~100 "
        "provincial candidates [D from 169 -> 178]",
        "Yearly probability that an eligible provincial zone is approved as national.",
        (0.0, 1.0)),
    "outside_zone_growth": Param(
        0.08, 0.05, 0.12, "1/year",
        "assumption: national zones' output grew about 8% a year (zone GDP 19.3万亿 in 2024) [V]",
        "Yearly growth of the revenue of the other national zones in the ranking.", (0.0, 0.5)),
    "rank_noise": Param(
        0.05, 0.02, 0.1, "log points", "assumption",
        "Yearly noise in the ranking score of each zone.", (0.0, 1.0)),
}

CONSTANTS: dict[str, Param] = {
    "hte_tax_rate": Param(0.15, 0.15, 0.15, "1", "Enterprise Income Tax Law art. 28 [V]",
                          "Income tax rate of a certified 高企.", (0.0, 1.0)),
    "standard_tax_rate": Param(0.25, 0.25, 0.25, "1", "Enterprise Income Tax Law art. 4 [V]",
                               "Standard income tax rate.", (0.0, 1.0)),
    "rd_super_deduction": Param(1.0, 1.0, 1.0, "1", "MOF/STA announcement 2023 No. 7: an "
                                "extra 100% of R&D expense is deductible [R]",
                                "Extra deduction of R&D expense from taxable income.",
                                (0.0, 3.0)),
    "usd_cny": Param(7.1, 6.8, 7.4, "CNY per USD", "assumption: 2025 average about 7.1-7.2 [R]",
                     "Exchange rate for the unicorn valuation threshold.", (1.0, 20.0)),
    "unicorn_valuation_usd": Param(1e9, 1e9, 1e9, "USD", "bjrd.gov.cn unicorn definition [V]",
                                   "Valuation threshold of a unicorn.", (0.0, 1e12)),
    "unicorn_max_age_years": Param(10, 10, 10, "years", "bjrd.gov.cn [V]",
                                   "Maximum age of a unicorn.", (0, 100), integer=True),
    "hte_min_age_quarters": Param(4, 4, 4, "quarters", "高企 criteria: registered >= 1 year [V]",
                                  "Minimum age to apply for 高企.", (0, 40), integer=True),
    "hte_st_staff_share": Param(0.10, 0.10, 0.10, "1", "高企 criteria [V]",
                                "Minimum S&T staff share for 高企.", (0.0, 1.0)),
    "hte_hightech_revenue_share": Param(0.60, 0.60, 0.60, "1", "高企 criteria [V]",
                                        "Minimum high-tech product share of revenue.",
                                        (0.0, 1.0)),
    "hte_rd_small": Param(0.05, 0.05, 0.05, "1", "高企 criteria: sales <= 5000万 [V]",
                          "Minimum 3-year R&D / sales, small firms.", (0.0, 1.0)),
    "hte_rd_mid": Param(0.04, 0.04, 0.04, "1", "高企 criteria: sales 5000万-2亿 [V]",
                        "Minimum 3-year R&D / sales, mid-size firms.", (0.0, 1.0)),
    "hte_rd_large": Param(0.03, 0.03, 0.03, "1", "高企 criteria: sales > 2亿 [V]",
                          "Minimum 3-year R&D / sales, large firms.", (0.0, 1.0)),
    "hte_pass_score": Param(71, 71, 71, "points (of 100)", "高企 evaluation: pass at >= 71 "
                            "(\">70分(不含70分)\") [V secondary, 国科发火〔2016〕195号 as "
                            "reproduced; docs/research/hte_certification_2026-12.md §1b]",
                            "Evaluation score needed to be certified.", (0, 100),
                            integer=True),
    "a1_call_quarter": Param(1, 1, 1, "quarter of the year (0 = Q1)",
                             "assumption: A1 is granted in one call a year, as the "
                             "provincial R&D post-subsidies found are (Fujian's 分段补助 "
                             "2017-18; Sichuan's 研发投入后补助) [V, docs/research/"
                             "hte_certification_2026-12.md §5]; the call in Q2, after the "
                             "year's R&D statistics are filed",
                             "Quarter of the year in which the A1 call takes applications "
                             "and awards.", (0, 3), integer=True),
    "hte_validity_quarters": Param(12, 12, 12, "quarters", "高企 certificate valid 3 years [V]",
                                   "Validity of a 高企 certificate.", (1, 40), integer=True),
    "tech_sme_max_staff": Param(500, 500, 500, "people", "科技型中小企业 criteria [V*]",
                                "Maximum staff of a tech SME.", (1, 1e6), integer=True),
    "tech_sme_max_revenue_wan": Param(20000, 20000, 20000, "万元/year",
                                      "科技型中小企业 criteria: sales <= 2亿 [V*]",
                                      "Maximum annual revenue of a tech SME.", (0, 1e9)),
    "gazelle_max_age_years": Param(15, 15, 15, "years", "Torch gazelle criteria [V*]",
                                   "Maximum age of a gazelle (growth route).", (0, 100),
                                   integer=True),
    "gazelle_min_base_wan": Param(1000, 1000, 1000, "万元/year", "Torch gazelle criteria [V*]",
                                  "Minimum base-year revenue for the growth route.", (0, 1e9)),
    "gazelle_min_growth": Param(0.20, 0.20, 0.20, "1/year", "Torch gazelle criteria [V*]",
                                "Minimum yearly revenue growth (growth route).", (0.0, 5.0)),
    "gazelle_min_rd": Param(0.025, 0.025, 0.025, "1", "Torch gazelle criteria: S&T spend > "
                            "2.5% [V*]", "Minimum R&D / revenue of a gazelle.", (0.0, 1.0)),
    "leader_min_revenue_wan": Param(100000, 50000, 200000, "万元/year",
                                    "assumption: provincial 科技领军企业 criteria not found (NF); "
                                    "10亿 a year", "Minimum annual revenue of a tech leader.",
                                    (0, 1e10)),
    "leader_min_rd": Param(0.03, 0.02, 0.05, "1", "assumption (NF)",
                           "Minimum R&D / revenue of a tech leader.", (0.0, 1.0)),
    "specialised_min_revenue_wan": Param(1000, 1000, 1000, "万元/year",
                                         "MIIT 专精特新 criteria 2022: revenue >= 1000万 [R]",
                                         "Minimum revenue for 专精特新.", (0, 1e9)),
    "specialised_min_rd": Param(0.03, 0.03, 0.03, "1", "MIIT 专精特新 criteria 2022: R&D >= 3% "
                                "[R]", "Minimum R&D / revenue for 专精特新.", (0.0, 1.0)),
    "listing_min_revenue_wan": Param(30000, 20000, 50000, "万元/year",
                                     "assumption: smallest revenue of recent STAR/ChiNext IPOs",
                                     "Minimum annual revenue to list.", (0, 1e10)),
    "above_scale_revenue_wan": Param(2000, 2000, 2000, "万元/year", "NBS 规上 threshold [V]",
                                     "Revenue of an above-scale firm.", (0, 1e9)),
    "cluster_min_revenue_wan": Param(2_000_000, 1_000_000, 4_000_000, "万元/year",
                                     "assumption: national innovative clusters are large "
                                     "(Kunming's rare-metal cluster, 240+ firms) [V for the "
                                     "example]", "Minimum annual revenue of a leading-industry "
                                     "cluster to be approved as national.", (0, 1e12)),
    "cluster_min_hte": Param(30, 15, 60, "高企", "assumption",
                             "Minimum certified firms in a cluster to be approved as national.",
                             (0, 1e6), integer=True),
    "upgrade_min_revenue_wan": Param(5_000_000, 3_000_000, 8_000_000, "万元/year",
                                     "assumption: smaller national zones (Chuxiong: zone GDP "
                                     "333.5亿 in 2022) [V]", "Minimum annual revenue of a "
                                     "provincial zone to be upgraded to national.", (0, 1e12)),
    "upgrade_min_hte": Param(80, 40, 150, "高企", "assumption",
                             "Minimum certified firms of a provincial zone to be upgraded.",
                             (0, 1e6), integer=True),
    "national_zones_total": Param(178, 178, 178, "zones", "178 from Nov 2023 (Economic Daily "
                                  "2023-12-18) [V]", "National zones in the ranking.",
                                  (1, 1000), integer=True),
}
# fmt: on


def lever_parameters() -> dict[str, Param]:
    """The behaviour parameters whose source is an :class:`Evidence`: those through
    which a lever acts (docs/levers.md, "Which parameters carry each lever's effect")."""
    return {k: p for k, p in BEHAVIOUR.items() if isinstance(p.source, Evidence)}


def _evidence_markdown() -> list[str]:
    """The 'Evidence' section of docs/parameters.md: one entry per lever parameter."""
    out = [
        "## Evidence for the parameters through which levers act",
        "",
        "Each parameter through which a lever of the plan acts (docs/levers.md, \"Which "
        "parameters carry each lever's effect\") has a structured source "
        "(`sim/scenario/evidence.py`): the publications read, what they estimated and on "
        "whom, and the conversion to the parameter; or \"not found\" with the queries "
        "tried, a range from no effect (0 for an uplift, gain, ratio, response, drift, "
        "elasticity or weight; 1 for a multiplier on a hazard) to no more effect than the "
        "default before the review, and a default no stronger than that (the midpoint, a "
        "convention). \"Before\" is main's params.py at commit "
        f"{BEFORE_COMMIT}; `tests/test_parameters_evidence.py` checks all of this. The "
        "searches, with what was read of each source, are in "
        "docs/research/lever_effects_2026-12.md; grades as in docs/sources.md (V read in "
        "the source, for papers its abstract or first page; V\\* read on a repost or "
        "secondary page).",
        "",
        "| parameter | levers | before: default [range] | now: default [range] | source |",
        "|---|---|---|---|---|",
    ]
    for name, p in lever_parameters().items():
        e = p.source
        was = f"{e.was[0]:g} [{e.was[1]:g}, {e.was[2]:g}]"
        now = f"{p.default:g} [{p.low:g}, {p.high:g}]"
        src = ("; ".join(c.short() for c in e.citations) if e.status == "source"
               else "not found")
        src = src.replace("*", "\\*")
        out.append(f"| `{name}` | {', '.join(e.levers)} | {was} | {now} | {src} |")
    out.append("")
    for name, p in lever_parameters().items():
        e = p.source
        out += [f"### `{name}`", "",
                f"- **Levers:** {', '.join(e.levers)}. **Unit:** {p.unit}. "
                f"**Default** {p.default:g}, **range** [{p.low:g}, {p.high:g}]; before "
                f"{e.was[0]:g} [{e.was[1]:g}, {e.was[2]:g}]. No effect at {e.no_effect:g}.",
                f"- **Status:** {e.status}."]
        if e.estimate:
            out.append(f"- **Estimated (what, on whom):** {e.estimate}")
        out.append(("- **Conversion:** " if e.status == "source" else "- **Why this range:** ")
                   + e.conversion)
        if e.citations:
            out.append("- **Sources read:**")
            out += [f"  - {c.full()}" for c in e.citations]
        if e.queries:
            out.append("- **Queries tried:** " + "; ".join(f"\"{q}\"" for q in e.queries))
        if e.no_effect_found:
            out.append(f"- **Studies finding no (or a negative) effect:** {e.no_effect_found}")
        out.append("")
    return out


def markdown() -> str:
    """The parameter tables and the evidence for lever parameters, as Markdown
    (docs/parameters.md)."""
    out = [
        "# Parameters: behaviour and constants",
        "",
        "Generated from `sim/scenario/params.py` by `python -m sim.scenario.params`; do not "
        "edit by hand. A scenario sets these under `behaviour:` and `constants:`; the "
        "plausible range is what sensitivity analysis and sweeps draw from, the valid range "
        "what a scenario may set at all. The parameters through which levers act have their "
        "evidence in the last section.",
        "",
    ]
    for title, table in (("Behaviour (`behaviour.*`)", BEHAVIOUR),
                         ("Constants (`constants.*`)", CONSTANTS)):
        out += [f"## {title}", "",
                "| key | default | plausible range | valid range | unit | meaning | source |",
                "|---|---|---|---|---|---|---|"]
        for name, p in table.items():
            out.append(
                f"| `{name}` | {p.default:g} | {p.low:g} – {p.high:g} | "
                f"{p.valid[0]:g} – {p.valid[1]:g} | {p.unit} | {p.doc} | {p.source} |"
            )
        out.append("")
    out += _evidence_markdown()
    return "\n".join(out)


if __name__ == "__main__":
    print(markdown())
