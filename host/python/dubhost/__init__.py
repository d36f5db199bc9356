"""dubhost from Python: the same workspace, plugins and pipeline as the `dubhost` command.

    import dubhost
    ws = dubhost.Workspace("~/dubs")                 # opens or creates it
    item = ws.import_media("talk.mp4")["item_id"]
    result = ws.dub("talk.mp4", subtitles="talk.en.srt", language="en", output="talk.dub.mp4",
                    progress=lambda fraction, message: print(f"{fraction:4.0%} {message}"))
    track = ws.tracks(item)[0]
    track.segments[0].text = "Hello again"          # edited in place ...
    ws.add_track(track)                             # ... and saved as a new track

Errors raise dubhost.UserError (you can fix it) or dubhost.BackendError (a plugin or job failed),
both dubhost.Error, with .code, .message and .hint (the next thing to do).
"""
import os
import shutil
from pathlib import Path

from . import _dubhost, batch
from ._dubhost import BackendError, Error, Segment, SegmentList, Track, UserError, __version__

__all__ = ["batch", "Workspace", "Pack", "Track", "Segment", "SegmentList", "Error", "UserError", "BackendError", "__version__"]


def _find_dubhost_binary():
    """The dubhost program that scans plugins and runs jobs in child processes, like the CLI does.

    $DUBHOST_BINARY, else the one this module was built or installed with, else one on PATH.
    Without one, plugins are loaded and jobs run inside the Python process (Workspace.isolated).
    """
    if os.environ.get("DUBHOST_BINARY"):
        return os.environ["DUBHOST_BINARY"]
    here = Path(__file__).resolve().parent
    candidates = [here.parent.parent / "bin" / "dubhost"]  # the build tree: <build>/python/dubhost
    if len(here.parents) > 3:
        candidates.append(here.parents[3] / "bin" / "dubhost")  # <prefix>/lib/python3/dist-packages/dubhost
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("dubhost")


class Workspace(_dubhost.Workspace):
    """A dubhost workspace: items, subtitle tracks, jobs and their artifacts.

    path: the workspace folder ("" = $DUBHOST_WORKSPACE or ~/.local/share/dubhost/workspace).
    plugin_paths: extra plugin folders, searched first. safe_mode: only the plugins installed with
    dubhost. dubhost_binary: the dubhost program used for isolation (found automatically).
    """

    def __init__(self, path="", plugin_paths=(), safe_mode=False, dubhost_binary=None):
        super().__init__(
            str(Path(path).expanduser()) if str(path) else "",
            [str(p) for p in plugin_paths],
            safe_mode,
            dubhost_binary or _find_dubhost_binary(),
        )

    def packs(self):
        """Every pack the installed plugins provide, with its state; each has .install(...)."""
        return [Pack(self, state) for state in super().packs()]


class Pack(dict):
    """A pack's state (the dictionary `dubhost pack status ID --json` prints) and its installer."""

    def __init__(self, workspace, state):
        super().__init__(state)
        self._workspace = workspace

    def install(self, wheelhouse=None, index_url=None, offline=False, force=False, progress=None, dry_run=False,
                model_dirs=None, model_archives=None, preinstall_index=None):
        """Installs (or repairs) the pack; returns the install receipt. Nearly free when installed.

        ``dry_run=True`` returns what an install would use, download and occupy, changing nothing.
        ``model_dirs``/``model_archives`` map a model name ("" for the pack's main model) to a folder or to
        the published archive, for models whose hub cannot be reached.
        """
        return self._workspace.install_pack(
            self["id"],
            wheelhouse=str(wheelhouse) if wheelhouse is not None else None,
            index_url=index_url,
            offline=offline,
            force=force,
            progress=progress,
            dry_run=dry_run,
            model_dirs={name: str(path) for name, path in (model_dirs or {}).items()},
            model_archives={name: str(path) for name, path in (model_archives or {}).items()},
            preinstall_index=preinstall_index,
        )
