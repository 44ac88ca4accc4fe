"""Run localstripe, the fake Stripe server, the way Guildhall needs it.

localstripe alone binds every interface and pickles its whole store to a fixed file in /tmp on
every change. This launcher binds 127.0.0.1 only, keeps the store in our var/ folder (or in
memory, for tests and benchmarks) and registers our webhook endpoint at every start, since
localstripe forgets registrations.

    python -m portal.dev.localstripe --port 8420 \
        --webhook-url http://127.0.0.1:8000/payments/stripe/webhook/ --webhook-secret whsec_...
"""

import argparse
import logging
import pickle
from pathlib import Path


def _use_state_file(store, path: Path | None) -> None:
    """Point the store's persistence at `path`, or switch it off when path is None."""
    if path is None:
        store.try_load_from_disk = lambda: None
        store.dump_to_disk = lambda: None
        return

    def load() -> None:
        if path.exists():
            with path.open("rb") as f:
                old = pickle.load(f)  # noqa: S301 - our own file, written by this process
            store.clear()
            store.update(old)

    def dump() -> None:
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as f:
            pickle.dump(dict(store), f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)

    store.try_load_from_disk = load
    store.dump_to_disk = dump


def _index_by_type(resources) -> None:
    """List one type of object without scanning the whole store.

    localstripe lists (and so exports every charge, whose refunds it lists) by walking every object it
    holds; each order adds a dozen, so each call grew slower during a bench run. The store keeps a
    dict per type beside itself (same objects, same order) and listing reads only that one.
    """
    store = resources.store

    class IndexedStore(resources.Store):
        def _type_of(self, key):
            return self._by_type.setdefault(key.partition(":")[0], {})

        def __setitem__(self, key, value):
            super().__setitem__(key, value)
            self._type_of(key)[key] = value

        def __delitem__(self, key):
            super().__delitem__(key)
            self._type_of(key).pop(key, None)

        def clear(self):
            super().clear()
            self._by_type.clear()

        def update(self, *args, **kwargs):
            super().update(*args, **kwargs)
            self._by_type.clear()
            for key, value in self.items():
                self._type_of(key)[key] = value

        def of_type(self, object_name: str) -> list:
            return list(self._by_type.get(object_name, {}).values())

    store.__class__ = IndexedStore
    store._by_type = {}
    store.update()  # index what a state file loaded

    def _api_list_all(cls, url, limit=None, starting_after=None, **kwargs):
        if kwargs:
            raise resources.UserError(400, "Unexpected " + ", ".join(kwargs.keys()))
        listed = resources.List(url, limit=limit, starting_after=starting_after)
        listed._list = store.of_type(cls.object)
        return listed

    resources.StripeObject._api_list_all = classmethod(_api_list_all)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--state", type=Path, help="state file; omit to keep the state in memory only")
    parser.add_argument("--from-scratch", action="store_true", help="ignore the saved state")
    parser.add_argument("--webhook-url", help="our webhook endpoint, registered at start")
    parser.add_argument("--webhook-secret", help="the signing secret for that endpoint")
    parser.add_argument(
        "--webhook-events",
        help="comma-separated event types the endpoint subscribes to, as one configures it at Stripe (default: all)",
    )
    parser.add_argument("--quiet", action="store_true", help="no access log")
    args = parser.parse_args(argv)

    # Not at the top: localstripe is a development extra; `--help` and the tests' import work without it.
    from aiohttp import web
    from localstripe import resources
    from localstripe.resources import store
    from localstripe.server import app
    from localstripe.webhooks import register_webhook

    _use_state_file(store, args.state)
    _index_by_type(resources)
    if args.state is not None:
        args.state.parent.mkdir(parents=True, exist_ok=True)
        if args.from_scratch and args.state.exists():
            args.state.unlink()
        store.try_load_from_disk()
    if args.webhook_url:
        if not args.webhook_secret:
            parser.error("--webhook-url needs --webhook-secret")
        events = [e.strip() for e in args.webhook_events.split(",") if e.strip()] if args.webhook_events else None
        register_webhook("guildhall", args.webhook_url, args.webhook_secret, events)

    access_log = None
    if not args.quiet:
        access_log = logging.getLogger("aiohttp.access")
        access_log.setLevel(logging.INFO)
        access_log.addHandler(logging.StreamHandler())
    print(f"localstripe listening on http://{args.host}:{args.port}", flush=True)
    web.run_app(app, host=args.host, port=args.port, access_log=access_log, print=None)


if __name__ == "__main__":
    main()
