"""Exit 0 when URL answers within five seconds, else exit with the reason (an index check that fails
in seconds instead of after pip's own retries).

    python dubhost_reach_url.py URL
"""
import sys
import urllib.request


def reach(url, timeout=5):
    """None when URL answers, else the reason it does not."""
    try:
        urllib.request.urlopen(url, timeout=timeout).close()
    except Exception as error:  # any failure is a reason to report, not to crash on
        return "%s: %s" % (type(error).__name__, error)
    return None


if __name__ == "__main__":
    sys.exit(reach(sys.argv[1]))
