"""The review's facts: provenance is verbatim and complete, and key readings are right.

Golden values here were written from reading the review's Chinese text."""

from __future__ import annotations

import re

import pytest
from rdflib import Literal
from rdflib.namespace import RDF

from exoonto.load import load_shipped
from exoonto.namespaces import EXO, REF

from .review_text import body_without_breaks


@pytest.fixture(scope="module")
def kg():
    return load_shipped().graph


@pytest.fixture(scope="module")
def flat_review(review_text):
    return body_without_breaks(review_text)


def _claims(kg):
    return sorted(set(kg.subjects(RDF.type, EXO.Finding)) | set(kg.subjects(RDF.type, EXO.BackgroundStatement)))


def _sentence(kg, node, lang):
    values = [o for o in kg.objects(node, EXO.evidenceSentence) if o.language == lang]
    assert len(values) == 1, f"{node} has {len(values)} @{lang} evidence sentences"
    return str(values[0])


def test_there_are_well_over_fifty_findings_and_many_background_statements(kg):
    assert len(set(kg.subjects(RDF.type, EXO.Finding))) > 80
    assert len(set(kg.subjects(RDF.type, EXO.BackgroundStatement))) > 40


def test_every_chinese_evidence_sentence_is_the_reviews_own_text(kg, flat_review):
    missing = [
        str(node) for node in _claims(kg)
        if re.sub(r"\s*\n\s*", "", _sentence(kg, node, "zh")) not in flat_review
    ]
    assert missing == []


def test_every_claim_has_english_rendering_section_and_status(kg):
    for node in _claims(kg):
        assert _sentence(kg, node, "en").strip()
        assert kg.value(node, EXO.inSection) is not None, node
        assert kg.value(node, EXO.hasStatementStatus) in (EXO.reportedResult, EXO.hedgedStatement), node


def test_every_finding_cites_a_reference_of_the_list(kg):
    numbers = {int(kg.value(r, EXO.referenceNumber)) for r in kg.subjects(RDF.type, EXO.JournalArticle)
               if kg.value(r, EXO.referenceNumber) is not None}
    assert numbers == set(range(1, 41))
    for finding in kg.subjects(RDF.type, EXO.Finding):
        cited = list(kg.objects(finding, EXO.citesStudy))
        assert cited, finding
        for ref in cited:
            assert kg.value(ref, EXO.referenceNumber) is not None, (finding, ref)
        # finding:R27-01 belongs to reference 27
        number = int(re.match(r"R(\d+)-", str(finding).rsplit("/", 1)[1]).group(1))
        assert REF[f"R{number}"] in cited, finding


def test_hedged_statements_carry_the_printed_cue(kg):
    hedged = set(kg.subjects(EXO.hasStatementStatus, EXO.hedgedStatement))
    assert hedged
    for node in hedged:
        cues = [str(c) for c in kg.objects(node, EXO.hedgeCue)]
        assert cues, node
        for cue in cues:
            assert cue in ("可能", "被认为")
            assert cue in _sentence(kg, node, "zh"), node


# --- readings of the text, checked against the graph -----------------------------------

def _findings(kg, ref: int, effect, slot=None, value=None):
    result = []
    for finding in kg.subjects(EXO.citesStudy, REF[f"R{ref}"]):
        if (finding, RDF.type, EXO.Finding) not in kg or (finding, EXO.hasEffect, effect) not in kg:
            continue
        if slot is None or (finding, slot, value) in kg:
            result.append(finding)
    return result


@pytest.mark.parametrize(
    "ref, effect, slot, value, why",
    [
        (25, EXO.inhibits, EXO.affectsProcess, EXO.OsteoclastDifferentiation,
         "前列腺癌细胞来源的外泌体...抑制骨髓来源的破骨细胞祖细胞向破骨分化"),
        (25, EXO.downregulates, EXO.affectsMarker, EXO.TRAP, "TRAP...等的表达下降"),
        (26, EXO.promotes, EXO.affectsProcess, EXO.OsteoclastDifferentiation,
         "多发性骨肉瘤外泌体可以促进破骨前体细胞分化形成破骨细胞"),
        (26, EXO.changesExpressionOf, EXO.affectsMarker, EXO.MMP9,
         "直接调控破骨标志物MMP9、组织蛋白酶K的表达: no direction"),
        (26, EXO.inhibits, EXO.affectsProcess, EXO.ApoptoticProcess, "抑制破骨细胞的凋亡"),
        (27, EXO.inhibits, EXO.affectsProcess, EXO.BoneFormation, "破骨细胞外泌体来源的miR-214-3p可以抑制骨生成"),
        (15, EXO.promotes, EXO.affectsProcess, EXO.CellMigration, "髓核细胞来源的外泌体可以促进骨髓间充质干细胞的迁移"),
        (20, EXO.upregulates, EXO.affectsMarker, EXO.RUNX2, "促进成骨标志物ALP、RunX2的表达"),
        (36, EXO.promotes, EXO.affectsProcess, EXO.CellProliferation, "促进人骨髓间充质干细胞的增殖"),
        (35, EXO.inhibits, EXO.affectsProcess, EXO.ApoptoticProcess, "减少其细胞凋亡"),
        (37, EXO.promotes, EXO.affectsProcess, EXO.FractureHealing, "骨髓间充质干细胞外泌体可以促进其骨折的愈合"),
    ],
)
def test_reading_of_the_review(kg, ref, effect, slot, value, why):
    assert _findings(kg, ref, effect, slot, value), f"no finding for [{ref}]: {why}"


def test_no_reading_has_the_opposite_direction(kg):
    # [25] never promotes osteoclast differentiation; [26] never inhibits it; [27] never
    # promotes bone formation
    assert not _findings(kg, 25, EXO.promotes, EXO.affectsProcess, EXO.OsteoclastDifferentiation)
    assert not _findings(kg, 26, EXO.inhibits, EXO.affectsProcess, EXO.OsteoclastDifferentiation)
    assert not _findings(kg, 27, EXO.promotes, EXO.affectsProcess, EXO.BoneFormation)


def test_the_pi3k_akt_mechanism_of_liu_is_hedged_and_zhangs_is_not(kg):
    liu = [f for f in kg.subjects(EXO.citesStudy, REF.R34) if (f, EXO.viaPathway, EXO.PI3KAktSignalingPathway) in kg]
    zhang = [f for f in kg.subjects(EXO.citesStudy, REF.R36) if (f, EXO.viaPathway, EXO.PI3KAktSignalingPathway) in kg]
    assert liu and zhang
    assert all((f, EXO.hasStatementStatus, EXO.hedgedStatement) in kg for f in liu)  # 被认为
    assert all((f, EXO.hedgeCue, Literal("被认为", lang="zh")) in kg for f in liu)
    assert all((f, EXO.hasStatementStatus, EXO.reportedResult) in kg for f in zhang)


def test_text_and_reference_list_disagreement_on_ref_26_is_flagged(kg):
    discrepancies = set(kg.subjects(EXO.concernsReference, REF.R26))
    assert discrepancies
    texts = " ".join(str(o) for d in discrepancies for o in kg.objects(d, EXO.textSays))
    refs = " ".join(str(o) for d in discrepancies for o in kg.objects(d, EXO.referenceSays))
    assert "骨肉瘤" in texts and "myeloma" in refs.lower()
    for finding in kg.subjects(EXO.citesStudy, REF.R26):
        if (finding, RDF.type, EXO.Finding) in kg:
            assert set(kg.objects(finding, EXO.hasDiscrepancy)) & discrepancies, finding


def test_exosome_size_range_is_30_to_150_nm(kg):
    statements = [s for s in kg.subjects(EXO.minDiameterNm, None)]
    assert len(statements) == 1
    node = statements[0]
    assert float(kg.value(node, EXO.minDiameterNm)) == 30
    assert float(kg.value(node, EXO.maxDiameterNm)) == 150
