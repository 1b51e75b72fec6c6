"""Run callables at the same moment, each in its own thread with its own database connection."""

import threading

from django.db import connections


def run_concurrently(*callables, timeout=60):
    """[("ok", result) | ("error", exception)] in the order given."""
    barrier = threading.Barrier(len(callables))
    results = [None] * len(callables)

    def worker(i, fn):
        try:
            barrier.wait()
            results[i] = ("ok", fn())
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            results[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(callables)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results
