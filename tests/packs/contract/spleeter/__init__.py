"""Contract double of spleeter 2.4 (see tests/packs/contract/README.md)."""
__version__ = "2.4.2+contract"
