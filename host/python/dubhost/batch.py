"""Batch dubbing from Python: the same as `dubhost batch submit / resume / status` (docs/batch.md).

    import dubhost.batch
    state = dubhost.batch.submit("videos.jsonl", "runs/b1", engine="local", jobs=2)
    print(state["counts"])                     # {"succeeded": 3, "failed": 1, ...}
    for task in dubhost.batch.status("runs/b1")["tasks"]:
        print(task["index"], task["state"], task["error"])

Each task runs as a `dubhost batch run-task` process in its own workspace under the batch folder;
submit and resume return the batch's status once the tasks have ended.
"""
from pathlib import Path

from . import _dubhost


def _binary():
    from . import _find_dubhost_binary

    return _find_dubhost_binary() or ""


def submit(manifest, dir, engine="local", jobs=0, wait=True, **slurm):
    """Starts the batch of MANIFEST (.jsonl or .csv) in DIR and runs its tasks; returns the status.

    engine: "local" (this machine, `jobs` at a time; 0 = one per core and per 2 GiB of memory) or
    "slurm" (one sbatch array job; wait=False returns once it is queued). Slurm options as keywords:
    partition, time, mem, cpus_per_task, max_parallel, sbatch_args (a list).
    The same manifest into the same folder again is that batch resumed; another is refused.
    """
    return _dubhost._batch_submit(str(Path(manifest).expanduser()), str(Path(dir).expanduser()), engine, jobs, wait, slurm,
                                  _binary())


def resume(dir, engine="local", jobs=0, wait=True, **slurm):
    """Runs again every task of the batch in DIR that has not succeeded; returns the status."""
    return _dubhost._batch_resume(str(Path(dir).expanduser()), engine, jobs, wait, slurm, _binary())


def status(dir):
    """{dir, tasks: [{index, video, output, state, error, stages, ...}], counts: {state: n}}."""
    return _dubhost._batch_status(str(Path(dir).expanduser()))
