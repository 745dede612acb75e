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
    """scenarios/variants/off_<code>_<key>.yaml switches that lever off (A5 keeps the
    province's pre-plan award: only the plan's match is off)."""
    from sim.scenario.loader import load

    base = load(ROOT / "scenarios" / "yunnan_baseline.yaml").resolved["policy"]
    for lv in levers.LEVERS:
        path = ROOT / "scenarios" / "variants" / f"off_{lv.code.lower()}_{lv.key}.yaml"
        assert path.exists(), path
        pol = load(path).resolved["policy"]
        if lv.code == "A5":  # only the plan's match; the province's award stays
            assert pol[lv.key]["ratio"] == 0.0 and pol[lv.key]["enabled"] is True
            assert pol[lv.key]["provincial_award_wan"] > 0
        else:
            assert pol[lv.key]["enabled"] is False, lv.code
        # nothing else is switched
        assert {k: v for k, v in pol.items() if k != lv.key} == {
            k: v for k, v in base.items() if k != lv.key}, lv.code
