"""The OpenAPI schemas of the ranking answers (lms.rankings.api), closed objects like the
reports' rows, so that a field added to the ranking document without being described here
fails the tests that validate real answers."""
NUMBER = {"type": "number"}
OPTIONAL_NUMBER = {"type": ["number", "null"]}
SHARE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
TEXT = {"type": "string"}
OPTIONAL_TEXT = {"type": ["string", "null"]}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _closed(properties):
    return {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}


def _array(schema):
    return {"type": "array", "items": schema}


def _document_properties():
    indicator = _closed({"code": TEXT, "name": TEXT, "name_en": TEXT, "measure": TEXT, "direction": {"enum": ["higher", "lower"]},
                         "normalisation": {"enum": ["best", "minmax", "target"]}, "weight": SHARE, "target": OPTIONAL_NUMBER})
    return {
        "period": TEXT, "bloc": _closed({"code": TEXT, "name": TEXT}),
        "version": {"type": ["integer", "null"], "description": "Phiên bản đã công bố; null: bản tính từ số liệu hiện có."},
        "published_at": {"type": ["string", "null"], "format": "date-time"},
        "computed_at": {"type": "string", "format": "date-time"},
        "missing_rule": {"enum": ["exclude", "lowest", "zero"], "description": "Cách tính đơn vị thiếu số liệu."},
        "precision": {"type": "integer", "minimum": 0, "maximum": 9}, "band_by": {"enum": ["index", "rank"]},
        "hidden_units": {"type": "integer", "minimum": 0, "description": "Số đơn vị của khối ngoài phạm vi mã truy cập."},
        "current_version": {"type": ["integer", "null"]},
        "bands": _array(_closed({"label": TEXT, "min_index": SHARE, "max_rank": {"type": ["integer", "null"], "minimum": 1}})),
        "components": _array(_closed({"code": TEXT, "name": TEXT, "weight": SHARE, "indicators": _array(indicator)})),
        "stats": {"type": "object", "additionalProperties": _closed({"reported": {"type": "integer", "minimum": 0}, "best": OPTIONAL_NUMBER,
                                                                     "worst": OPTIONAL_NUMBER, "target": OPTIONAL_NUMBER})},
    }


def ranking_schemas():
    improvement = _closed({"code": TEXT, "normalised_needed": SHARE, "raw_needed": NUMBER, "raw_change": NUMBER})
    next_band = {"anyOf": [_closed({"label": TEXT, "index_needed": SHARE, "gap": SHARE, "improvements": _array(improvement)}), {"type": "null"}]}
    score = _closed({"code": TEXT, "component": TEXT, "raw": OPTIONAL_NUMBER, "missing": {"type": "boolean"}, "normalised": SHARE,
                     "weight": SHARE, "contribution": SHARE})
    unit = _closed({"unit_id": {"type": "integer"}, "code": TEXT, "name": TEXT, "rank": {"type": ["integer", "null"], "minimum": 1},
                    "index": SHARE, "band": OPTIONAL_TEXT, "excluded": {"type": "boolean"}, "missing": _array(TEXT),
                    "scores": _array(score), "next_band": next_band})
    document = _document_properties()
    return {
        "RankingUnit": unit,
        "Ranking": _closed({**document, "units": _array(_ref("RankingUnit"))}),
        "RankingBreakdown": _closed({**document, "unit": _ref("RankingUnit")}),
    }
