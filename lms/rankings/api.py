"""The ranking in the read-only JSON API (/api/v1/rankings, /api/v1/rankings/units/<id>),
within the token's scope as the pages are within a reader's. Numbers are JSON numbers here
(the documents keep them as exact decimal text); Vietnamese text as the rest of the API."""
from flask import g, request

from lms.messages import N_
from lms.rankings.reading import (
    RankingNotFound,
    RankingRequestError,
    read_bloc,
    read_period,
    read_ranking,
    read_version,
    unit_bloc,
    unit_row,
)
from lms.reports import api_tokens
from lms.reports.api import ID_PATTERN, bp, error_response, json_response
from lms.routing import MAX_DATABASE_ID

SCORE_NUMBERS = ("raw", "normalised", "weight", "contribution")
NEXT_BAND_NUMBERS = ("index_needed", "gap")
IMPROVEMENT_NUMBERS = ("normalised_needed", "raw_needed", "raw_change")


def number(text):
    return None if text is None else float(text)


def _numbers(entry, keys):
    return {**entry, **{key: number(entry[key]) for key in keys}}


def _unit_json(unit):
    next_band = unit["next_band"]
    if next_band is not None:
        next_band = {**_numbers(next_band, NEXT_BAND_NUMBERS),
                     "improvements": [_numbers(item, IMPROVEMENT_NUMBERS) for item in next_band["improvements"]]}
    return {**unit, "index": number(unit["index"]), "scores": [_numbers(score, SCORE_NUMBERS) for score in unit["scores"]],
            "next_band": next_band}


def document_json(document):
    """Everything of a document but its units, with numbers as numbers."""
    return {
        **{key: document[key] for key in ("period", "bloc", "version", "published_at", "computed_at", "missing_rule", "precision",
                                          "band_by", "hidden_units")},
        "bands": [{**band, "min_index": number(band["min_index"])} for band in document["bands"]],
        "components": [{**component, "weight": number(component["weight"]),
                        "indicators": [_numbers(indicator, ("weight", "target")) for indicator in component["indicators"]]}
                       for component in document["components"]],
        "stats": {code: _numbers(stat, ("best", "worst", "target")) for code, stat in document["stats"].items()},
    }


def _selection(unit_id=None):
    scope = api_tokens.client_scope(g.api_client)
    period, version = read_period(request.args.get("period")), read_version(request.args.get("version"))
    bloc = unit_bloc(scope, unit_id) if unit_id is not None else read_bloc(scope, request.args.get("bloc"))
    return read_ranking(scope, period, bloc, version)


@bp.route("/rankings")
def rankings():
    try:
        selection = _selection()
    except RankingRequestError as error:
        return error_response(error, 400)
    except RankingNotFound as error:
        return error_response(error, 404)
    return json_response({**document_json(selection.document), "units": [_unit_json(unit) for unit in selection.document["units"]],
                          "current_version": selection.current.version if selection.current else None})


@bp.route("/rankings/units/<unit_id>")
def ranking_unit(unit_id):
    try:
        if not ID_PATTERN.match(unit_id) or not 1 <= int(unit_id) <= MAX_DATABASE_ID:
            raise RankingNotFound(N_("Đơn vị không có trong bảng xếp hạng này hoặc ngoài phạm vi của bạn."))
        selection = _selection(int(unit_id))
        unit = unit_row(selection, int(unit_id))
    except RankingRequestError as error:
        return error_response(error, 400)
    except RankingNotFound as error:
        return error_response(error, 404)
    return json_response({**document_json(selection.document), "unit": _unit_json(unit),
                          "current_version": selection.current.version if selection.current else None})
