"""The outside world behind small interfaces: ClinicalTrials.gov (`ctgov/`), Redis (`store/`, the
only module that talks to it, and `keys.py`, every key it names) and the broker configuration
(`queue.py`). Adapters may use the domain, never a service."""
