"""Packages the job for EMR Serverless: the entry point and a --py-files zip of the package.

    python spark/build.py [--out .build/spark]

writes <out>/job.py (entryPoint) and <out>/pipeline_spark.zip (sparkSubmitParameters --py-files).
The zip is deterministic (sorted entries, fixed timestamps), so an unchanged package uploads the
same bytes. Pure Python only: EMR Serverless emr-7.9.0 runs it with its own PySpark on Python 3.9. The zip
also carries ``pipeline_spark/schemas/*.json``, the exchanged documents' schemas the job validates against.
"""

import argparse
import shutil
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = HERE / "src" / "pipeline_spark"
FIXED_TIME = (2020, 1, 1, 0, 0, 0)


def build(out: Path) -> tuple[Path, Path]:
    """Builds the two artifacts into ``out`` and returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    entry = out / "job.py"
    shutil.copyfile(HERE / "job.py", entry)
    archive = out / "pipeline_spark.zip"
    # The package's code and the document schemas it validates against (exported from src/documents).
    sources = sorted(
        p for p in [*PACKAGE.rglob("*.py"), *PACKAGE.glob("schemas/*.json")] if "__pycache__" not in p.parts
    )
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for path in sources:
            info = zipfile.ZipInfo(str(path.relative_to(PACKAGE.parent)), FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            bundle.writestr(info, path.read_bytes())
    return entry, archive


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", default=str(HERE.parent / ".build" / "spark"))
    args = parser.parse_args(argv)
    entry, archive = build(Path(args.out))
    print(f"wrote {entry} and {archive} ({archive.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
