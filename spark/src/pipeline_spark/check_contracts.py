"""Checks every feed filter and mapping expression of a contract bundle with Spark's own analyser.

``pipeline contracts validate`` runs it on a quick local session, so an unknown column or function is
reported with the contract file and path before any data arrives, instead of failing a Transform:

    python -m pipeline_spark.check_contracts --bundle .build/contracts.bundle.json

Prints one JSON document, ``{"problems": [{source, path, expression, message}, ...]}``; exits 0 when
it could check (whatever it found), 2 when it could not.
"""

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Optional

from pipeline_spark.contracts import parse_bundle
from pipeline_spark.session import local_session
from pipeline_spark.validation import feed_expression_problems


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="check_contracts", description=__doc__)
    parser.add_argument("--bundle", required=True, help="path of the compiled contract bundle (JSON)")
    args = parser.parse_args(argv)
    with open(args.bundle, encoding="utf-8") as handle:
        bundle = parse_bundle(handle.read())
    spark = local_session(master="local[1]", app_name="pipeline-check-contracts")
    try:
        problems = [
            problem
            for name in sorted(bundle.sources)
            for problem in feed_expression_problems(spark, bundle.sources[name])
        ]
    finally:
        spark.stop()
    document = {
        "problems": [
            {
                "source": problem.source,
                "path": problem.path,
                "expression": problem.expression,
                "message": problem.message,
            }
            for problem in problems
        ]
    }
    sys.stdout.write(json.dumps(document) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
