from streams.api.server import WorkerApi, worker_ready

__all__ = ["WorkerApi", "worker_ready"]
