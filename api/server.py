"""The uvicorn server of ``s3graph serve``, which says where the explorer is once the socket
listens (not before, so that the printed URL always answers)."""

from __future__ import annotations

import socket
from collections.abc import Callable

import uvicorn


class AnnouncingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, on_listening: Callable[[], None]) -> None:
        super().__init__(config)
        self.on_listening = on_listening

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self.on_listening()
