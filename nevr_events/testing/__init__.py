"""Support shared by the test suite (``tests/``) and the benchmarks (``bench/``).

Realistic frames built from the real game sample (``frames``) and a real
gunicorn + gevent server on a loopback port (``live``). Not part of the public
API; meant for a checkout with an editable install (``scripts/bootstrap test``):
the sample is read from ``tests/fixtures`` and the server runs the checkout's
``gunicorn.conf.py`` and ``wsgi.py``.
"""

from pathlib import Path

#: The checkout holding this package (an editable install).
ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
