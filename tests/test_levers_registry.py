"""The lever registry (sim.scenario.levers) is the one definition of each lever: every
policy setting of the schema is a lever there (or a declared non-lever), and the ledger,
the report, the interactive view and docs/levers.md read it."""

from __future__ import annotations

from pathlib import Path

from sim.scenario import levers
from sim.scenario.schema import Policy

ROOT = Path(__file__).resolve().parent.parent


def test_every_policy_field_is_a_registered_lever():
    fields = set(Policy.model_fields) - set(levers.NOT_LEVERS)
    assert fields == set(levers.BY_KEY)
    assert len(levers.BY_CODE) == len(levers.LEVERS) == 25
    assert [lv.code for lv in levers.LEVERS if lv.money] == [f"A{i}" for i in range(1, 11)]


def test_money_rules_have_a_payer_and_a_service_order():
    for lv in levers.LEVERS:
        if lv.money:
            assert lv.payer and set(lv.payer) <= {"province", "zone"}, lv
            assert lv.service_order is not None, lv
            if lv.payer_setting:  # the schema has the setting that chooses the payer
                cls = Policy.model_fields[lv.key].annotation
                assert lv.payer_setting in cls.model_fields, lv
        else:
            assert not lv.payer and lv.service_order is None, lv
    assert sorted(levers.SERVICE_ORDER.values()) == list(range(1, 11))


def test_defaults_sliders_and_readers_follow_the_registry():
    from sim.model.ledger import LEVER_ORDER
    from sim.report import LEVER_NAMES

    assert Policy().non_stacking.groups == levers.STACKING_GROUPS == [["A1", "A10"]]
    assert LEVER_ORDER == levers.SERVICE_ORDER
    assert LEVER_NAMES["A1"] == ("研发投入奖补", "R&D awards")
    assert levers.names("B1") == ("跨园区招商分配", "Cross-zone referral")
    assert levers.names("X9") == ("X9", "X9")
    sl = levers.sliders()
    assert sl["rd_cap_wan"][0] == "policy.rd_subsidy.cap_wan"
    for key, *_ in sl.values():  # every slider names a real setting
        _, lever, setting = key.split(".")
        assert setting in Policy.model_fields[lever].annotation.model_fields


def test_docs_list_every_lever_with_its_key():
    text = (ROOT / "docs" / "levers.md").read_text(encoding="utf-8")
    for lv in levers.LEVERS:
        assert f"| {lv.code} " in text and f"`{lv.policy_key}`" in text, lv.code


def test_every_lever_has_its_off_variant_named_from_the_registry():
    """scenarios/variants/off_<code>_<key>.yaml leaves that lever alone as before the
    plan (``effective: never``: at its pre-plan setting, e.g. A5 keeps the province's
    award, only the plan's match is off) and changes nothing else."""
    from sim.core.calendar import q_index
    from sim.scenario.loader import load

    base = load(ROOT / "scenarios" / "yunnan_baseline.yaml").resolved["policy"]
    late = q_index("2030Q4")
    for lv in levers.LEVERS:
        path = ROOT / "scenarios" / "variants" / f"off_{lv.code.lower()}_{lv.key}.yaml"
        assert path.exists(), path
        loaded = load(path)
        pol = loaded.resolved["policy"]
        assert levers.start_of(loaded.model.policy, lv.key) is None, lv.code
        for setting, value in lv.pre_plan.items():
            assert levers.in_force(loaded.model.policy, f"{lv.key}.{setting}", late) == value
        if lv.status == "new":  # a lever the plan brings is off without it
            assert not levers.in_force(loaded.model.policy, f"{lv.key}.enabled", late)
        # nothing else is switched
        assert {k: v for k, v in pol.items() if k != lv.key} == {
            k: v for k, v in base.items() if k != lv.key}, lv.code
        assert {k: v for k, v in pol[lv.key].items() if k != "effective"} == {
            k: v for k, v in base[lv.key].items() if k != "effective"}, lv.code


def test_every_lever_says_what_existed_before_the_plan():
    """Each lever is new, strengthened or practice; a lever that existed before the plan
    (practice) has a level, every pre-plan setting names a real
    setting of the lever, and docs/levers.md's table lists each with its status."""
    text = (ROOT / "docs" / "levers.md").read_text(encoding="utf-8")
    table = text[text.index("## What existed before the plan"):]
    for lv in levers.LEVERS:
        assert lv.status in levers.STATUSES, lv.code
        cls = Policy.model_fields[lv.key].annotation
        assert set(lv.pre_plan) <= set(cls.model_fields), lv.code
        if lv.status == "new":
            assert dict(lv.pre_plan) == {"enabled": False}, lv.code
        assert f"| {lv.code} " in table, lv.code
    # the levers that were practice have a level, set below the plan's (1) and above 0
    for lv in levers.LEVERS:
        if lv.status == "practice":
            assert "level" in lv.pre_plan and 0 < lv.pre_plan["level"] < 1, lv.code
