"""EMR Serverless / spark-submit entry point: ``spark-submit job.py --manifest <uri>``.

Thin on purpose: the code lives in the ``pipeline_spark`` package (shipped as --py-files zip).
"""

import sys

from pipeline_spark.job import main

if __name__ == "__main__":
    sys.exit(main())
