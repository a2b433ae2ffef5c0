"""dreamanim batch, locally: jobs and their names, three tiny jobs in worker processes, --resume."""
import json

import yaml

from dreamanim.batch import expand
from dreamanim.batch.naming import safe

TINY_JOB = {"input": "noise", "size": 32, "frames": 2, "dream": {"steps": 1, "octaves": 1},
            "transform": [{"zoom": {"amount": 0.05}}], "outputs": {"gif": {"fps": 5}}}


def write(tmp_path, name="tiny", **changes):
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump({**TINY_JOB, **changes}))
    return path


def test_a_sweep_is_every_combination_named_by_what_varies(tmp_path):
    preset = write(tmp_path)
    jobs = expand([str(preset)], sweeps=["dream.step_size=0.01,0.02,0.04", "transform[0].zoom.amount=0.02,0.05"],
                  sets=["frames=3"])
    assert len(jobs) == 6
    assert [j.name for j in jobs[:2]] == ["dream.step_size=0.01_zoom.amount=0.02",
                                          "dream.step_size=0.01_zoom.amount=0.05"]
    assert jobs[1].overrides == ("frames=3", "dream.step_size=0.01", "transform[0].zoom.amount=0.05")
    assert len({j.name for j in jobs}) == 6 and jobs[0].label == "dream.step_size=0.01, transform[0].zoom.amount=0.02"


def test_inputs_and_batch_files_name_jobs_by_what_differs(tmp_path):
    preset, other = write(tmp_path, "cat"), write(tmp_path, "dog")
    for name in ("a b.png", "c.png"):
        (tmp_path / name).write_bytes(b"")
    jobs = expand([str(preset), str(other)], inputs=[str(tmp_path / "*.png")])
    assert [j.name for j in jobs] == ["cat_a-b", "cat_c", "dog_a-b", "dog_c"]
    listing = tmp_path / "night.yaml"
    listing.write_text(yaml.safe_dump([{"preset": "cat.yaml", "set": {"seed": 1}},
                                       {"preset": "cat.yaml", "set": {"seed": 2}}, {"preset": "dog.yaml"}]))
    assert [j.name for j in expand([str(listing)])] == ["cat_seed=1", "cat_seed=2", "dog"]
    assert safe("../x:y*") == "x-y"


def test_three_jobs_complete_locally_and_resume_skips_them(tmp_path, run_cli):
    preset = write(tmp_path)
    out = tmp_path / "out"
    code, stdout, err = run_cli("batch", preset, "-o", out, "--sweep", "seed=1,2,3", "--workers", "2", "-q")
    assert code == 0, err
    report = json.loads((out / "batch.json").read_text())
    assert [j["status"] for j in report["jobs"]] == ["done"] * 3 and report["settings"]["workers"] == 2
    assert all((out / f"seed={s}" / "tiny.gif").is_file() for s in (1, 2, 3))
    assert (out / "batch.sheet.png").is_file()
    code, stdout, _ = run_cli("batch", preset, "-o", out, "--sweep", "seed=1,2,3", "--resume")
    assert code == 0 and "3 of 3 jobs done" in stdout
    assert [j["seconds"] for j in json.loads((out / "batch.json").read_text())["jobs"]] == [0.0] * 3


def test_a_job_with_a_bad_preset_fails_alone(tmp_path, run_cli):
    preset = write(tmp_path)
    code, _, err = run_cli("batch", preset, "-o", tmp_path / "out", "--sweep", "dream.steps=0,-1", "-q")
    assert code == 2 and err.count("dreamanim: error: batch job dream.steps=") == 2
    assert "must be greater than or equal to 1" in err
