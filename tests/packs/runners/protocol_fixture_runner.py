"""A runner that misbehaves on request, for the runner protocol tests (params.mode says how)."""
import importlib
import json
import os
import subprocess
import sys
import time

import dubhost_runner


def handle(job, channel):
    mode = job["params"]["mode"]
    out_dir = job["outputs"]["dir"]
    if mode == "progress":
        print("Audio saved to somewhere.wav")  # what pyttsx3 prints: stdout is not the protocol
        for step in range(1, 5):
            channel.progress(step / 4, "step %d of 4" % step)
        channel.log("all steps done", level="warning")
        dubhost_runner.write_json(os.path.join(out_dir, "out.json"), {"steps": 4})
        return {"outputs": {"out": os.path.join(out_dir, "out.json")}, "stdin_bytes": len(job.get("padding", ""))}
    if mode == "chatty":  # fills the stderr pipe many times over before finishing
        for line in range(20000):
            sys.stderr.write("noise line %d\n" % line)
        return {"stdin_bytes": len(job.get("padding", ""))}
    if mode == "abort":
        sys.stderr.write("about to fail hard in native code\n")
        sys.stderr.flush()
        os.abort()
    if mode == "garbage":
        os.write(3, b"this is not JSON\n")
        time.sleep(60)
    if mode == "other-protocol":
        os.write(3, b'{"protocol": 2, "type": "progress", "fraction": 0.5}\n')
        time.sleep(60)
    if mode == "hang":
        time.sleep(600)
    if mode == "spawn-and-hang":  # a runner with a child of its own (as a library's helper would be)
        helper = subprocess.Popen(["sleep", "300"])  # holds the runner's stdout and stderr open
        with open(os.path.join(out_dir, "pids.json"), "w") as out:
            json.dump({"runner": os.getpid(), "helper": helper.pid}, out)
        channel.progress(0.1, "helper started")
        time.sleep(600)
    if mode == "slow-write":  # cancelled while an output is half written
        with dubhost_runner.atomic_output(os.path.join(out_dir, "big.bin")) as part:
            with open(part, "wb") as out:
                out.write(b"x" * 1000)
                out.flush()
                channel.progress(0.5, "half written")
                time.sleep(60)
    if mode == "refuse":
        raise dubhost_runner.bad_request("bad-parameter", "voice 'nobody' does not exist", "pass --param voice=en")
    if mode == "import":
        importlib.import_module("dubhost_library_that_is_not_installed")
    if mode == "exception":
        raise ZeroDivisionError("division by zero in the library")
    if mode == "silent-exit":
        sys.exit(0)
    raise dubhost_runner.bad_request("bad-mode", "unknown mode %r" % mode)


if __name__ == "__main__":
    sys.exit(dubhost_runner.main(handle))
