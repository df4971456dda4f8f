"""What the simulators of outside systems (nontaxsim, haocpsim, smssim) share: their settings base, the SQLite
file they keep, the FastAPI app behind the signing middleware with /healthz, the JSON body and fault-switch
routes of their signed API, and the start-up of their `__main__`. Only simulators import it (never an adapter:
it pulls in the web framework)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar

import uvicorn
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import SecretStr
from sqlalchemy import MetaData

from ywtb.common.db import Database
from ywtb.common.http_health import build_health_router
from ywtb.common.logs import configure_logging
from ywtb.common.settings import ServiceSettings, load_settings_or_exit
from ywtb.common.signed_http.asgi import SignedExchange
from ywtb.common.signed_http.bodies import WireError, loads
from ywtb.common.signed_http.nonces import MemoryNonceStore
from ywtb.common.signed_http.refusals import Refusal, bad_request
from ywtb.common.signed_http.signing import HmacSigning


class SimulatorSettingsBase(ServiceSettings):
    """What every simulator's settings have: no ywtb secrets, no Kafka, a host to listen on (each subclass sets
    its env prefix, its `http_port` default and the key it shares with the services)."""

    required_outside_embedded: ClassVar[frozenset[str]] = frozenset()  # its own SQLite file, no Kafka

    internal_signing_key: SecretStr | None = None  # type: ignore[assignment]  # it is no ywtb service
    http_host: str = "127.0.0.1"
    http_port: int


S = TypeVar("S", bound=SimulatorSettingsBase)


def open_database(data_dir: Path, file_name: str, metadata: MetaData) -> Database:
    """The simulator's SQLite file in `data_dir` (created when missing, kept across restarts), its tables made."""
    data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(f"sqlite:///{data_dir / file_name}")
    metadata.create_all(db.engine)
    return db


def simulator_app(
    title: str,
    *,
    key: str,
    signing: HmacSigning,
    routers: Iterable[APIRouter],
    on_start: Iterable[Callable[[], None]] = (),
    on_stop: Iterable[Callable[[], None]] = (),
) -> FastAPI:
    """/healthz and `routers`, a Refusal answered as its {"code", "message"}, every /v1 request verified and
    every answer signed (SignedExchange with `key`); `on_start` runs when the app starts, `on_stop` when it ends."""
    starting, stopping = list(on_start), list(on_stop)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for start in starting:
            start()
        try:
            yield
        finally:
            for stop in stopping:
                stop()

    app = FastAPI(title=title, lifespan=lifespan, docs_url=None, redoc_url=None)
    app.include_router(build_health_router())
    for router in routers:
        app.include_router(router)

    @app.exception_handler(Refusal)
    async def refused(_: Request, refusal: Refusal) -> JSONResponse:
        return JSONResponse(refusal.to_dict(), status_code=refusal.status)

    app.add_middleware(SignedExchange, key=key, nonces=MemoryNonceStore(), signing=signing)
    return app


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object; 400 BAD_REQUEST otherwise."""
    try:
        return loads(await request.body())
    except WireError as error:
        raise bad_request(f"请求体不是 JSON 对象：{error}") from error


class FaultSwitches(Protocol):
    """A simulator's test switches: shown as a JSON object, changed by one (a Refusal when it is wrong)."""

    def to_dict(self) -> dict[str, Any]: ...

    def update(self, body: dict[str, Any]) -> None: ...


def add_fault_routes(router: APIRouter, faults: FaultSwitches) -> None:
    """GET /faults (the switches) and PUT /faults (change some, answer all) on `router`."""

    @router.get("/faults")
    async def get_faults() -> dict[str, Any]:
        return faults.to_dict()

    @router.put("/faults")
    async def set_faults(request: Request) -> dict[str, Any]:
        faults.update(await json_body(request))
        return faults.to_dict()


def serve(
    settings_class: type[S],
    create_app: Callable[[S], FastAPI],
    service_name: str,
    what: str,
    details: Callable[[S], str] = lambda _: "",
) -> None:
    """A simulator's `__main__`: its settings (exit 2 when bad), the logs, a warning that `what` is a simulator
    and where it listens (with `details` of its settings after), then the app served until interrupted. The
    warning is logged under the simulator's package (the one of `settings_class`)."""
    settings = load_settings_or_exit(settings_class)
    configure_logging(service_name, settings.log_level)
    logging.getLogger(settings_class.__module__.rsplit(".", 1)[0]).warning(
        "%s SIMULATOR (tests and demos only) on %s:%d, data in %s%s",
        what,
        settings.http_host,
        settings.http_port,
        settings.data_dir,
        details(settings),
    )
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        server_header=False,
    )
