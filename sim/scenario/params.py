"""Declared once: every uncertain behaviour parameter and every constant of the model.

Each entry has a default, a plausible range (what sensitivity analysis and sweeps
draw from), the range a scenario may set at all, a unit and a source. A source that
is not a publication says ``assumption`` and why the range is what it is; grades
(V, V*, D, R) refer to docs/sources.md. docs/parameters.md is
generated from this file (``python -m sim.scenario.params > docs/parameters.md``) and a
test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Param:
    """One declared number: default, plausible range, valid range, unit, source."""

    default: float
    low: float
    high: float
    unit: str
    source: str
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
        1.14, 0.5, 2.0, "1 (elasticity of R&D to its after-subsidy user cost)",
        "Chen, Liu, Suárez Serrato & Xu 2021, AER 111(7): 1.14 for real R&D (2 as reported) [V]",
        "How strongly a firm's desired R&D intensity responds to the after-tax, after-award "
        "price of one yuan of R&D.", (0.0, 5.0)),
    "rd_adjustment": Param(
        0.35, 0.15, 0.6, "1/quarter",
        "assumption: R&D budgets adjust to a new price within about a year (range: half-life "
        "1 to 4 quarters)",
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
        0.5, 0.2, 1.0, "1",
        "assumption: firms discount an uncertain, capped, ex-post award (range from "
        "'ignored half the time' to 'fully priced')",
        "Weight a firm gives the expected R&D award (A1) when it prices R&D.", (0.0, 1.0)),
    "budget_credibility": Param(
        0.5, 0.0, 1.0, "1",
        "assumption: awards paid late or not at all are worth less to a firm deciding now; "
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
        0.002, 0.0, 0.005, "log points/quarter",
        "assumption: platform companies under 管委会+公司 run enterprise services",
        "Extra drift of firms in zones with a company-based operating model.", (0.0, 0.05)),
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
        0.5, 0.3, 0.8, "1",
        "assumption: certified firms are older and stronger", "Multiplier on the age hazard "
        "of a firm holding a valid 高企 certificate.", (0.0, 1.0)),
    "large_exit_reduction": Param(
        0.1, 0.0, 0.3, "1",
        "assumption: China's exit rates by age (SAIC 2013) are those of mostly small firms; "
        "a firm with 10亿 of revenue a year rarely closes within a quarter",
        "Multiplier on the age hazard of a firm whose revenue of the last four quarters is "
        "at least the tech leader's minimum (constants.leader_min_revenue_wan).",
        (0.0, 1.0)),
    "incubator_exit_reduction": Param(
        0.5, 0.3, 0.8, "1",
        "assumption: incubators lower the failure hazard of their tenants",
        "Multiplier on the exit hazard of an incubatee.", (0.0, 1.0)),
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
        0.9, 0.7, 1.0, "1", "assumption",
        "Probability that a firm whose certificate expires applies again.", (0.0, 1.0)),
    "hte_pass_rate": Param(
        0.83, 0.7, 0.95, "1",
        "675 of 817 Yunnan applicants passed in 2020 (yn.cnipai.com) [D]",
        "Probability that an eligible applicant is certified.", (0.0, 1.0)),
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
        0.03, 0.0, 0.08, "relative rise in applying per 10万元 of award",
        "assumption: certification costs firms consultancy and audit fees of ~5-20万元",
        "How the A5 award for a new 高企 raises an eligible firm's chance of applying.",
        (0.0, 1.0)),
    "pilot_growth_boost": Param(
        0.05, 0.02, 0.1, "log points/quarter", "assumption: a first customer for a new product",
        "Extra drift for 4 quarters of a firm running an application-scenario pilot (A3).",
        (0.0, 0.5)),
    "competition_knowledge_gain": Param(
        1.0, 0.5, 2.0, "万元 knowledge per 万元 invested", "assumption",
        "Knowledge a completed 揭榜挂帅 project (A10) adds per unit of the firm's investment.",
        (0.0, 10.0)),
    "competition_success_prob": Param(
        0.7, 0.5, 0.9, "1", "assumption", "Share of 揭榜挂帅 projects completed.", (0.0, 1.0)),
    "leave_entry_uplift": Param(
        0.5, 0.2, 1.0, "relative", "assumption: keeping the post lowers the cost of founding",
        "Relative rise in researcher founders when B2 (3+3-year leave) is in force.",
        (0.0, 5.0)),
    "leave_exit_reduction": Param(
        0.6, 0.4, 0.9, "1", "assumption", "Multiplier on the exit hazard of a researcher-founded "
        "firm during its founder's leave (B2).", (0.0, 1.0)),
    "company_model_attraction": Param(
        0.2, 0.0, 0.4, "relative", "assumption: platform companies run 招商 full time",
        "Relative rise of a company-run zone's weight in first contacts with projects (B3).",
        (0.0, 2.0)),
    "delegation_land_uplift": Param(
        0.1, 0.0, 0.2, "relative", "assumption: faster approvals lose fewer projects",
        "Relative rise of landing probabilities with delegated approval powers (B4).",
        (0.0, 1.0)),
    "pay_reform_uplift": Param(
        0.3, 0.0, 0.6, "relative", "assumption", "Relative rise of zone services (drift) with "
        "pay reform (B5); half of it raises landing probabilities (staff effectiveness).",
        (0.0, 2.0)),
    "ladder_uplift": Param(
        0.2, 0.0, 0.4, "relative", "assumption: coaching firms to certify, scale up and list",
        "Relative rise of 高企 application, tech-SME registration and listing with B6.",
        (0.0, 2.0)),
    "specialised_uplift": Param(
        0.3, 0.0, 0.6, "relative", "assumption", "Relative rise of 专精特新 recognition with "
        "the pool and its services (B7).", (0.0, 2.0)),
    "matching_drift": Param(
        0.003, 0.0, 0.006, "log points/quarter", "assumption",
        "Extra drift of 专精特新 firms matched with listed or chain-leading firms (B7) and of "
        "suppliers in a leader's cluster (B12).", (0.0, 0.05)),
    "incubator_quality_uplift": Param(
        0.3, 0.0, 0.6, "relative", "assumption", "Relative rise of incubatees' graduation rate "
        "with upgraded incubators (B8).", (0.0, 2.0)),
    "tech_transfer_uplift": Param(
        0.2, 0.0, 0.4, "relative", "assumption: concept-verification and pilot platforms",
        "Relative rise of the industrialisation probability with B9.", (0.0, 2.0)),
    "points_loan_ratio": Param(
        0.3, 0.1, 0.6, "万元 loan per 万元 knowledge", "assumption",
        "Patent/order/equity loans against innovation points (B10): a bank lends up to this "
        "share of a firm's knowledge stock even without revenue.", (0.0, 5.0)),
    "supply_share_gain": Param(
        0.02, 0.0, 0.04, "1/year", "assumption", "Yearly rise of a zone's local supply share "
        "with chain-leader matching (B12).", (0.0, 0.2)),
    "local_supply_share_start": Param(
        0.3, 0.2, 0.45, "1", "assumption (NF)", "Local supply share of the zones' leaders at the "
        "start.", (0.0, 1.0)),
    "assessment_land_uplift": Param(
        0.05, 0.0, 0.1, "relative", "assumption: quarterly tracking sharpens attraction",
        "Relative rise of landing probabilities with quarterly assessment (B14).", (0.0, 1.0)),
    "fault_tolerance_uplift": Param(
        0.5, 0.0, 1.0, "relative", "assumption: zones run more pilots when failure is forgiven",
        "Relative rise of the pilots zones accept (A3) with B15.", (0.0, 5.0)),
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


def markdown() -> str:
    """The parameter tables as Markdown (docs/parameters.md)."""
    out = [
        "# Parameters: behaviour and constants",
        "",
        "Generated from `sim/scenario/params.py` by `python -m sim.scenario.params`; do not "
        "edit by hand. A scenario sets these under `behaviour:` and `constants:`; the "
        "plausible range is what sensitivity analysis and sweeps draw from, the valid range "
        "what a scenario may set at all.",
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
    return "\n".join(out)


if __name__ == "__main__":
    print(markdown())
