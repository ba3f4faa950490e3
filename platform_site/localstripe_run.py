"""Run localstripe bound to 127.0.0.1 with its store kept in a folder of the test run.

Usage: python -m platform_site.localstripe_run PORT STORE_DIR

Used by the tests (tests/billing/stripe_fake.py) and by `make run` when no STRIPE_SECRET_KEY is
set, so that the demo can order and pay in test mode without reaching Stripe.

localstripe's own CLI listens on every interface and pickles its store to a fixed
/tmp/localstripe.pickle shared by every run on the machine; both are replaced here.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

from aiohttp import web
from localstripe import resources, server


def main() -> None:
    port = int(sys.argv[1])
    store_file = Path(sys.argv[2]) / "localstripe.pickle"
    store_file.parent.mkdir(parents=True, exist_ok=True)

    def dump_to_disk(self: resources.Store) -> None:
        with store_file.open("wb") as handle:
            pickle.dump(self, handle, protocol=pickle.HIGHEST_PROTOCOL)

    def try_load_from_disk(self: resources.Store) -> None:
        if store_file.exists():
            with store_file.open("rb") as handle:
                self.clear()
                self.update(pickle.load(handle))  # noqa: S301 - our own file

    resources.Store.dump_to_disk = dump_to_disk  # type: ignore[method-assign]
    resources.Store.try_load_from_disk = try_load_from_disk  # type: ignore[method-assign]
    web.run_app(server.app, host="127.0.0.1", port=port, print=None)


if __name__ == "__main__":
    main()
