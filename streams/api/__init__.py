from streams.api import export
from streams.api.server import WorkerApi, worker_ready

__all__ = ["WorkerApi", "export", "worker_ready"]
