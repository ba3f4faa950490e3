"""gunicorn configuration of the tests' live stack: each worker registers the stand-in
participation kinds the test process registers (tests/participation_kinds.py)."""

from typing import Any


def post_worker_init(worker: Any) -> None:
    from consultations import participation
    from tests.participation_kinds import LIVE_ONLY, stand_ins_register

    stand_ins_register()
    for kind in LIVE_ONLY:
        participation.register(kind)
