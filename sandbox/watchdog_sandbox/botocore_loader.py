"""One botocore data loader for every botocore session in the sandbox's process.

moto and the sandbox make sessions freely: moto one per account backend (to list regions) and at
the import of its EC2 models, the seed one per account, the sandbox's enum and tag checks one
each. Every session's loader parses the service model JSON it is asked for again (EC2's is
megabytes): about a third of a demo seed's 7 s in a new process (py-spy). A loader only reads
botocore's data files and caches what it read, so sessions sharing one answer as their own
would; AWS_DATA_PATH still chooses the loader (one per search path string).
"""

from __future__ import annotations

import os
import threading

import botocore.loaders
import botocore.session

_loaders: dict[str | None, botocore.loaders.Loader] = {}
_lock = threading.Lock()


class _OnceEach(list[str]):
    """Search paths that take each path once: every boto3.Session appends boto3's own data
    directory to its loader's, so a shared loader's would grow by one per session."""

    def append(self, path: str) -> None:
        if path not in self:
            super().append(path)


def shared_loader(search_path_string: str | None = None) -> botocore.loaders.Loader:
    """What botocore.loaders.create_loader makes, made once per search path string."""
    with _lock:
        loader = _loaders.get(search_path_string)
        if loader is None:
            paths = _OnceEach()
            for path in search_path_string.split(os.pathsep) if search_path_string else ():
                paths.append(os.path.expanduser(os.path.expandvars(path)))
            loader = _loaders[search_path_string] = botocore.loaders.Loader(
                extra_search_paths=paths
            )
        return loader


def install() -> None:
    botocore.session.create_loader = shared_loader
