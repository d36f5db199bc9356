"""Contract double of pyttsx3 2.99 on Linux: the espeak-ng program instead of libespeak-ng."""
import os
import subprocess
import time


class Voice:
    def __init__(self, id, name, languages):
        self.id, self.name, self.languages, self.gender, self.age = id, name, languages, None, None


class Engine:
    def __init__(self):
        self._properties = {"rate": 200, "volume": 1.0, "voice": None}
        self._queue = []
        listing = subprocess.run(["espeak-ng", "--voices"], check=True, stdout=subprocess.PIPE, text=True).stdout
        self._voices = []
        for line in listing.splitlines()[1:]:
            fields = line.split()
            if len(fields) >= 5:
                # As the real pyttsx3 2.99 lists them: ids lower-cased, languages as plain strings.
                self._voices.append(Voice(fields[4].lower(), fields[3], [fields[1]]))
        self._properties["voice"] = self._voices[0].id if self._voices else None

    def getProperty(self, name):
        return self._voices if name == "voices" else self._properties[name]

    def setProperty(self, name, value):
        # The real library takes any voice string without complaint; the runner must check ids itself.
        self._properties[name] = value

    def save_to_file(self, text, filename, name=None):
        self._queue.append((text, filename, dict(self._properties)))

    def runAndWait(self):
        queue, self._queue = self._queue, []
        for text, filename, properties in queue:
            if text == "contract: hang":  # pyttsx3 #194: a save that never returns
                time.sleep(3600)
            subprocess.run(["espeak-ng", "-v", properties["voice"], "-s", str(int(properties["rate"])), "-w", filename, "--", text],
                           check=True)
            print("Audio saved to %s" % os.path.abspath(filename))  # as pyttsx3 2.99 does, on stdout


def init(driverName=None, debug=False):
    return Engine()
