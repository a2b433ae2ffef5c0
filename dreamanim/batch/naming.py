"""Each job's folder name: what varies between the jobs, made safe for any file system.

    name_jobs([Job, ...]) => the jobs with .varies and a unique, filesystem-safe .name
    e.g. cat_step_size=0.02_zoom.amount=0.05
"""
import dataclasses
import re

SAFE = re.compile(r"[^A-Za-z0-9._=+-]+")
MAX_NAME = 100


def name_jobs(jobs: list) -> list:
    labels = list(dict.fromkeys(k for job in jobs for k, _ in job.factors))
    varying = [k for k in labels if len({dict(job.factors).get(k) for job in jobs}) > 1]
    named, seen = [], {}
    for job in jobs:
        values = dict(job.factors)
        varies = tuple((k, values[k]) for k in varying if k in values)
        name = "_".join(part(k, v) for k, v in varies) or safe(dict(job.factors).get("preset", "job"))
        name = name[:MAX_NAME]
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name}-{seen[name]}"
        named.append(dataclasses.replace(job, name=name, varies=varies))
    return named


def part(key: str, value: str) -> str:
    """One varying factor in a name: a preset or input by its stem, a key by its last two parts."""
    if key in ("preset", "input"):
        return safe(value)
    short = ".".join(re.sub(r"\[\d+\]", "", key).split(".")[-2:])
    return safe(f"{short}={value}")


def safe(text: str) -> str:
    return SAFE.sub("-", str(text)).strip("-.") or "job"
