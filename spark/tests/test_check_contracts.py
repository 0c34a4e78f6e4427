"""Feed expressions checked with Spark's analyser, each problem named by its contract path."""

import json

from pipeline_spark.contracts import parse_bundle
from pipeline_spark.validation import feed_expression_problems


def test_every_broken_feed_expression_is_listed_with_its_contract_path(spark, bundle_document):
    document = json.loads(json.dumps(bundle_document))
    feed = document["sources"]["orders"]["feeds"][0]
    next(s for s in feed["select"] if s["column"] == "status")["expression"] = "upper(order_state)"
    next(s for s in feed["select"] if s["column"] == "order_id")["expression"] = "no_such_function(order_id)"
    feed["filter"] = "order_status"  # a string, not a condition
    problems = feed_expression_problems(spark, parse_bundle(json.dumps(document)).sources["orders"])
    assert [(problem.path, problem.expression) for problem in problems] == [
        ("feeds[0].filter", "order_status"),
        ("feeds[0].map.order_id", "no_such_function(order_id)"),
        ("feeds[0].map.status", "upper(order_state)"),
    ]
    assert problems[0].message == "is string, not boolean"
    assert "no_such_function" in problems[1].message
    assert "order_state" in problems[2].message
    assert feed_expression_problems(spark, parse_bundle(json.dumps(bundle_document)).sources["orders"]) == []
