"""The pure domain: models, the eligibility engine and the logic around a match set (answers,
changes, re-check dates, filters, distances). No I/O: nothing here imports Redis, HTTP, Celery,
an adapter or a service (tests/unit/test_layering.py)."""
