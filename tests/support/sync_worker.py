"""The outbox sync worker (`contact-lookup index sync`'s loop) in a process forked from a pre-loaded server.

A fresh interpreter spends seconds importing before it claims anything; forking from a server that has already
imported the indexer (multiprocessing's "forkserver", itself single-threaded) starts a worker in milliseconds,
so a test can kill many workers at random points of their real work in bounded time. Each child builds its own
database engine and engine client after the fork.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import threading
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess

from indexer.sync import OutboxSync
from service.db.session import build_engine
from service.opensearch.client import build_client
from service.settings import Settings


def _run(database_url: str, opensearch_url: str, index_prefix: str) -> None:
    settings = Settings(database_url=database_url, opensearch_url=opensearch_url, index_prefix=index_prefix)
    worker = OutboxSync(settings=settings, engine=build_engine(settings), client=build_client(settings))
    worker.run(threading.Event())


def forkserver() -> ForkServerContext:
    """The context, with its server started and this module (hence the indexer) imported in it."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    multiprocessing.forkserver.ensure_running()
    return context


def start(context: ForkServerContext, settings: Settings) -> BaseProcess:
    process = context.Process(
        target=_run, args=(settings.database_url, settings.opensearch_url, settings.index_prefix), daemon=True
    )
    process.start()
    return process
