"""The unit ranking on a real database: inputs gathered in SQL (reported figures, learning
results of each unit's subtree), ties sharing a rank, missing data shown and scored by the
year's rule, the reader's scope, the `rankings` commands, and publishing (frozen versions)."""
import pytest
from ranking_support import FULL, report, unit
from sqlalchemy import func, select

from lms.extensions import db
from lms.localtime import local_today
from lms.org.models import Staff, Unit
from lms.rankings.formula import FormulaDocumentError, default_document, save_formula
from lms.rankings.publishing import publish_safely
from lms.rankings.reading import RankingNotFound, read_bloc, read_ranking, unit_bloc
from lms.rankings.service import RankingError, compute_rankings, find_bloc, publications
from lms.reports.filters import parse_period
from lms.scope import Scope

YEAR = str(local_today().year)  # the demo's staff and results are of today
PERIOD = parse_period(YEAR)
LONG_BIEN_WARDS = ("LB-BODE", "LB-NGOCLAM", "LB-VIETHUNG")


@pytest.fixture()
def wards(demo):
    """Long Biên wards reporting this year: Bồ Đề everything; Gia Thụy and Sài Đồng (no staff
    in the demo) the same figures, a tie; Việt Hưng nothing about its computers."""
    report("LB-BODE", YEAR, FULL)
    report("LB-GIATHUY", YEAR, FULL)
    report("LB-SAIDONG", YEAR, FULL)
    report("LB-VIETHUNG", YEAR, {**{k: v for k, v in FULL.items() if k != "computers_per_staff"}, "online_procedures_pct": 10})
    db.session.commit()
    return find_bloc("KHOI-PHUONG")


def rows(bloc, scope=None):
    view = compute_rankings(PERIOD, bloc)[0]
    return {row["code"]: row for row in view.document["units"]}


def test_learning_results_count_each_wards_own_staff_and_a_district_its_whole_subtree(wards):
    from lms.rankings.inputs import learning_sums

    sums, _context = learning_sums(PERIOD)
    bo_de, long_bien = unit("LB-BODE"), unit("LB")
    staff = db.session.execute(select(func.count()).select_from(Staff).where(Staff.unit_id == bo_de.id, Staff.status == "active")).scalar()
    assert staff and sums[bo_de.id]["staff"] == staff
    everyone = db.session.execute(select(func.count()).select_from(Staff).join(Unit, Unit.id == Staff.unit_id)
                                  .where(Unit.path.startswith(long_bien.path), Staff.status == "active")).scalar()
    assert sums[long_bien.id]["staff"] == everyone > staff


def test_equal_figures_share_a_rank_and_the_next_rank_is_skipped(wards):
    ranked = rows(wards)
    tied = ranked["LB-GIATHUY"], ranked["LB-SAIDONG"]
    assert tied[0]["index"] == tied[1]["index"] and tied[0]["rank"] == tied[1]["rank"]
    sharing = [code for code, row in ranked.items() if row["rank"] == tied[0]["rank"]]
    # Nobody has learned anything in this data: Bồ Đề's staff count no more than none.
    assert sorted(sharing) == ["LB-BODE", "LB-GIATHUY", "LB-SAIDONG"]
    after = [row["rank"] for row in ranked.values() if row["rank"] > tied[0]["rank"]]
    assert min(after) == tied[0]["rank"] + len(sharing)  # 1, 1, 1, 4
    assert all(len(row["index"].split(".")[1]) == 4 for row in ranked.values())
    for row in ranked.values():
        shown = sum(float(score["contribution"]) for score in row["scores"])
        assert round(shown, 4) == float(row["index"])  # the breakdown adds up to the index


def test_a_missing_figure_is_shown_as_missing_and_scored_by_the_rule_of_the_year(wards):
    lowest = rows(wards)["LB-VIETHUNG"]
    assert "computers_per_staff" in lowest["missing"] and "online_procedures_pct" not in lowest["missing"]
    computers = next(score for score in lowest["scores"] if score["code"] == "computers_per_staff")
    # The lowest normalised value among those who reported: all reported 1 computer a person (target 1).
    assert computers["missing"] and computers["raw"] is None and computers["normalised"] == "1.0000"
    zero = {**default_document(), "missing_rule": "zero"}
    save_formula(PERIOD.year, zero)
    computers = next(s for s in rows(wards)["LB-VIETHUNG"]["scores"] if s["code"] == "computers_per_staff")
    assert computers["normalised"] == "0.0000" and computers["contribution"] == "0.0000"
    save_formula(PERIOD.year, {**default_document(), "missing_rule": "exclude"})
    excluded = rows(wards)["LB-VIETHUNG"]
    assert excluded["excluded"] and excluded["rank"] is None and excluded["index"] is None
    assert list(rows(wards))[-1] != "LB-BODE"  # excluded units come after every ranked one


def test_an_invalid_formula_is_refused_with_where_it_is_wrong_and_nothing_is_saved(wards):
    from lms.rankings.formula import formula_document

    broken = default_document()
    broken["components"][1]["indicators"][0]["normalisation"] = "average"
    with pytest.raises(FormulaDocumentError, match="online_procedures_pct"):
        save_formula(PERIOD.year, broken)
    broken = {**default_document(), "components": [{"code": "x", "indicators": [{"code": "no_such_indicator"}]}]}
    with pytest.raises(FormulaDocumentError, match="no_such_indicator"):
        save_formula(PERIOD.year, broken)
    assert formula_document(PERIOD.year)[1] is False


def test_a_reader_sees_the_rows_of_their_scope_with_ranks_of_the_whole_bloc(wards):
    long_bien = Scope([unit("LB").path])
    assert read_bloc(long_bien, None).code == "KHOI-QUAN-HUYEN"  # the bloc of the reader's own unit
    selection = read_ranking(long_bien, PERIOD, wards)
    codes = {row["code"] for row in selection.document["units"]}
    assert set(LONG_BIEN_WARDS) <= codes and all(code.startswith("LB-") for code in codes)
    everything = rows(wards)
    assert selection.document["hidden_units"] == len(everything) - len(codes)
    for row in selection.document["units"]:
        assert row["rank"] == everything[row["code"]]["rank"]
    with pytest.raises(RankingNotFound):
        unit_bloc(long_bien, unit("GL-BATTRANG").id)
    with pytest.raises(RankingNotFound):
        read_bloc(Scope([unit("LB-BODE").path]), "KHOI-XA")


def test_publishing_freezes_the_ranking_and_republishing_keeps_the_old_version(wards):
    first = publish_safely(PERIOD, wards, None, "")
    db.session.commit()
    frozen = {row["code"]: row["index"] for row in first.results["units"]}
    with pytest.raises(RankingError, match="Không có gì thay đổi"):
        publish_safely(PERIOD, wards, None, "")
    report("LB-VIETHUNG", YEAR, {"computers_per_staff": 2, "online_procedures_pct": 90})
    db.session.commit()
    live = read_ranking(Scope.city(), PERIOD, wards)
    assert live.pending_changes["inputs"] and live.current.version == 1
    changed = {(c["code"], c["indicator"]): (c["before"], c["after"]) for c in live.pending_changes["inputs"]}
    assert changed[("LB-VIETHUNG", "computers_per_staff")] == (None, "2")
    assert changed[("LB-VIETHUNG", "online_procedures_pct")] == ("10", "90")
    second = publish_safely(PERIOD, wards, None, "Việt Hưng bổ sung số liệu máy tính")
    db.session.commit()
    assert second.version == 2 and any(c["code"] == "LB-VIETHUNG" for c in second.changes["results"])
    kept = read_ranking(Scope.city(), PERIOD, wards, version=1)
    assert {row["code"]: row["index"] for row in kept.document["units"]} == frozen
    assert kept.document["version"] == 1 and kept.current.version == 2
    assert [p.version for p in publications(PERIOD, wards)] == [2, 1]
    with pytest.raises(RankingNotFound):
        read_ranking(Scope.city(), PERIOD, wards, version=3)


def test_the_compute_command_prints_bloc_rank_code_name_index_band(wards, runner):
    result = runner.invoke(args=["rankings", "compute", "--period", YEAR, "--bloc", "KHOI-PHUONG"])
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.output.splitlines()]
    assert all(len(fields) == 6 and fields[0] == "KHOI-PHUONG" for fields in lines)
    by_code = {fields[2]: fields for fields in lines}
    assert by_code["LB-BODE"][3] == "Phường Bồ Đề"
    assert by_code["LB-BODE"][4] == rows(wards)["LB-BODE"]["index"] and len(by_code["LB-BODE"][4]) == 6
    assert by_code["LB-BODE"][5] in {band["label"] for band in default_document()["bands"]}
    every = runner.invoke(args=["rankings", "compute", "--period", YEAR])
    assert {line.split("\t")[0] for line in every.output.splitlines()} >= {"KHOI-PHUONG", "KHOI-XA", "KHOI-QUAN-HUYEN"}
    bad = runner.invoke(args=["rankings", "compute", "--period", "2017-Q5"])
    assert bad.exit_code != 0 and "2017-Q5" in bad.output
    assert runner.invoke(args=["rankings", "compute", "--period", YEAR, "--bloc", "NOPE"]).exit_code != 0


def test_the_publish_command_creates_versions_and_refuses_an_unchanged_one(wards, runner):
    result = runner.invoke(args=["rankings", "publish", "--period", YEAR, "--bloc", "KHOI-PHUONG"])
    assert result.exit_code == 0 and "phiên bản 1" in result.output
    again = runner.invoke(args=["rankings", "publish", "--period", YEAR, "--bloc", "KHOI-PHUONG"])
    assert again.exit_code == 1 and "Không có gì thay đổi" in again.output
    db.session.expire_all()
    assert [p.version for p in publications(PERIOD, wards)] == [1]


def test_the_demo_gives_every_bloc_unit_figures_and_publishes_the_wards_twice(demo):
    from lms.rankings.models import IndicatorValue

    line = demo.seed_rankings()
    db.session.commit()
    wards = find_bloc("KHOI-PHUONG")
    versions = publications(PERIOD, wards)
    assert [p.version for p in versions] == [2, 1] and "Bồ Đề" in versions[0].note
    assert any(change["code"] == "LB-BODE" for change in versions[0].changes["inputs"])
    missing = rows(wards)["LB-VIETHUNG"]["missing"]
    assert "computers_per_staff" in missing
    history = db.session.query(IndicatorValue).filter_by(unit_id=unit("LB-BODE").id, current=False).count()
    assert history == 1 and "2 phiên bản" in line
