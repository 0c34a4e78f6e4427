"""The EMR Serverless artifacts: entry point + --py-files zip that imports and runs on Python 3.9."""

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

SPARK = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(SPARK))

from build import build  # noqa: E402


def test_build_writes_entry_point_and_deterministic_zip(tmp_path):
    entry, archive = build(tmp_path / "a")
    _, again = build(tmp_path / "b")
    assert entry.read_text() == (SPARK / "job.py").read_text()
    assert archive.read_bytes() == again.read_bytes()
    names = zipfile.ZipFile(archive).namelist()
    assert "pipeline_spark/__init__.py" in names
    assert "pipeline_spark/job.py" in names
    assert "pipeline_spark/warm.py" in names
    schemas = sorted(
        f"pipeline_spark/schemas/{p.name}" for p in (SPARK / "src/pipeline_spark/schemas").glob("*.json")
    )
    assert "pipeline_spark/schemas/manifest.json" in schemas
    assert [name for name in names if not name.endswith(".py")] == schemas
    assert all(name.startswith("pipeline_spark/") for name in names)


def test_zip_alone_provides_the_entry_points_imports(tmp_path):
    _, archive = build(tmp_path)
    code = (
        "import pipeline_spark.job as j, pipeline_spark.warm, pipeline_spark.documents as d; "
        "assert d.schema('manifest')['properties']['run_id'] and d.schema('bundle'); "
        "print(j.main.__module__)"
    )
    done = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(archive)!r}); {code}"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert done.stdout.strip() == "pipeline_spark.job"


@pytest.mark.parametrize(
    "path", sorted((SPARK / "src" / "pipeline_spark").glob("*.py")), ids=lambda p: p.name
)
def test_job_code_parses_as_python_3_9(path):
    ast.parse(path.read_text(), filename=str(path), feature_version=(3, 9))


def test_job_code_needs_nothing_newer_than_python_3_9():
    """EMR Serverless emr-7.9.0 runs Python 3.9: no 3.10+ syntax, library calls or annotations."""
    targets = [str(SPARK / "src" / "pipeline_spark"), str(SPARK / "job.py")]
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "vermin"),
            "-t=3.9-",
            "--violations",
            "--eval-annotations",
            "--no-tips",
            *targets,
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_shuffle_partitions_follow_the_input_size():
    from pipeline_spark.session import shuffle_partitions

    assert [
        shuffle_partitions(size, 2) for size in (0, 300_000, 16 * 2**20, 40_000_000, 300 * 2**20, 10**10)
    ] == [
        1,
        1,
        1,
        2,
        5,
        8,
    ]
