"""The container image, run for real: built from the Dockerfile, started on a Docker engine.

``scripts/image`` builds the image with podman on a base made from Debian's packages
(no registry is reachable here); it is moved to a throw-away ``dockerd``
(``tests/dockerd.py``) with ``docker load`` and run with ``--network host`` on loopback
ports, with the environment, ``/data`` volume and stop grace period of the
``nevr-events`` service in ``compose.yaml``. Built and loaded once per run (the
``engine`` fixture); every container and the engine are removed at the end.

Marked ``image``: ``scripts/test -m 'not image'`` leaves it out.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
import websocket
import yaml

from nevr_events import Client, FrameStream
from tests.dockerd import DOCKER, DOCKERD, LABEL, LocalDockerd, free_port
from tests.support import ROOT, SECRET, envelope, make_frame, new_session_id

pytestmark = pytest.mark.image

IMAGE = "localhost/nevr-events:test"
CONFIG_MESSAGE = "JWT_SECRET is not set"


def token(sub: str = "agent-1") -> str:
    now = int(time.time())
    return jwt.encode({"sub": sub, "iat": now, "exp": now + 3600}, SECRET, algorithm="HS256")


def _compose_config() -> dict[str, Any]:
    """``docker-compose config`` of compose.yaml with .env.example (and a secret)."""
    result = subprocess.run(
        ["docker-compose", "-f", "compose.yaml", "--env-file", ".env.example", "config"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "JWT_SECRET": "c" * 40},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


@pytest.fixture(scope="module")
def service() -> dict[str, Any]:
    """The ``nevr-events`` service of compose.yaml, as docker-compose resolves it."""
    if shutil.which("docker-compose") is None:
        pytest.fail("docker-compose is missing: scripts/test installs Debian's docker-compose")
    return _compose_config()["services"]["nevr-events"]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalDockerd]:
    """A private dockerd holding the image built from this checkout (built once per run)."""
    for tool in ("podman", "mmdebstrap"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: scripts/test installs it")
    if not DOCKER or not Path(DOCKERD).exists():
        pytest.fail("Debian's docker.io is missing: scripts/test installs it")
    archive = tmp_path_factory.mktemp("image") / "nevr-events.tar"
    started = time.monotonic()
    build = subprocess.run(
        [str(ROOT / "scripts" / "image"), IMAGE, str(archive)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert build.returncode == 0, f"scripts/image failed:\n{build.stdout}\n{build.stderr}"
    built = time.monotonic() - started
    with LocalDockerd() as docker:
        docker.docker("load", "--input", str(archive), timeout=300)
        archive.unlink()
        size = int(docker.inspect(IMAGE)["Size"])
        print(f"image built in {built:.1f}s, {size / 1e6:.0f} MB ({size} bytes)")
        yield docker


class Container:
    """One container of the image, run as compose.yaml's ``nevr-events`` service is."""

    def __init__(
        self,
        engine: LocalDockerd,
        service: dict[str, Any],
        *,
        port: int | None = None,
        volume: str | None = None,
        mounts: tuple[str, ...] = (),
        **env: str | None,
    ) -> None:
        self.engine = engine
        self.name = f"nevr-test-{uuid.uuid4().hex[:10]}"
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environment = {k: str(v) for k, v in service["environment"].items()}
        # The image's own default store (the embedded one in /data) unless a test names one.
        environment.pop("STORE_URL", None)
        environment.update(
            JWT_SECRET=SECRET, SERVER_ADDRESS=f"127.0.0.1:{self.port}", MONGO_TIMEOUT="3s"
        )
        self.environment = {k: v for k, v in {**environment, **env}.items() if v is not None}
        self.volume = volume
        self.mounts = mounts
        self.data_target = service["volumes"][0].split(":")[1]
        self.stop_timeout = _seconds(service["stop_grace_period"])
        self.started = 0.0

    def run(self) -> Container:
        args = ["run", "--detach", "--name", self.name, "--label", LABEL, "--network", "host"]
        args.append(f"--stop-timeout={self.stop_timeout}")
        for key, value in self.environment.items():
            args += ["--env", f"{key}={value}"]
        if self.volume:
            args += ["--volume", f"{self.volume}:{self.data_target}"]
        for mount in self.mounts:
            args += ["--volume", mount]
        self.started = time.monotonic()
        self.engine.docker(*args, IMAGE)
        return self

    def wait_healthy_http(self, timeout: float = 60.0) -> float:
        """Seconds from ``docker run`` to the first ``/health`` 200."""
        deadline = self.started + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as response:
                    if response.status == 200:
                        return time.monotonic() - self.started
            except OSError:
                pass
            if self.state()["Status"] == "exited":
                break
            time.sleep(0.05)
        raise AssertionError(f"container not answering /health:\n{self.logs()}")

    def state(self) -> dict[str, Any]:
        return self.engine.inspect(self.name)["State"]

    def logs(self) -> str:
        result = self.engine.docker("logs", self.name, check=False)
        return result.stdout + result.stderr

    def exec(self, *command: str) -> str:
        return self.engine.docker("exec", self.name, *command).stdout

    def wait_exited(self, timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.state()
            if state["Status"] == "exited":
                return state
            time.sleep(0.1)
        raise AssertionError(f"container still running after {timeout}s:\n{self.logs()}")

    def frame_indexes(self, session_id: str) -> list[int]:
        """Frame indexes of every stored frame of the session, oldest first."""
        with Client(self.url, token("reader")) as client:
            events = client.get_session_events(session_id)
            paged = [event.frame_index for event in client.iter_session_events(session_id)]
        assert events.count == len(events.events) == len(paged)
        return paged


def _seconds(duration: str | int) -> int:
    text = str(duration)
    if text.endswith("m"):
        return int(float(text[:-1]) * 60)
    return int(float(text.rstrip("s")))


class Agent(threading.Thread):
    """A raw WebSocket agent streaming frames without waiting; records the close code."""

    def __init__(self, url: str, frames: int) -> None:
        super().__init__(daemon=True)
        self.session_id = new_session_id()
        self.ws = websocket.create_connection(
            url.replace("http://", "ws://") + "/v3/stream",
            header=[f"Authorization: Bearer {token('agent-drain')}"],
            timeout=30,
        )
        self.frames = frames
        self.replies: list[dict[str, Any]] = []
        self.close_code: int | None = None
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def run(self) -> None:
        try:
            for i in range(self.frames):
                self.ws.send(envelope(make_frame(self.session_id, i)))
                time.sleep(0.005)
        except (websocket.WebSocketException, OSError):
            pass  # the server closed the stream

    def acknowledged(self) -> set[int]:
        return {r["frame_index"] for r in self.replies if r.get("stored")}

    def _read(self) -> None:
        try:
            while True:
                opcode, data = self.ws.recv_data(control_frame=True)
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    self.close_code = int.from_bytes(data[:2], "big") if data else None
                    return
                if opcode == websocket.ABNF.OPCODE_TEXT:
                    self.replies.append(json.loads(data))
        except (websocket.WebSocketException, OSError):
            return


def test_compose_file_is_valid_and_runs_the_tested_service(service: dict[str, Any]) -> None:
    """compose.yaml validates (Debian's docker-compose); its service is the one run below."""
    config = _compose_config()
    assert {"nevr-events", "mongo"} <= set(config["services"])
    assert config["services"]["nevr-events"]["depends_on"]["mongo"]["condition"] == (
        "service_healthy"
    )
    assert "healthcheck" in config["services"]["mongo"]
    assert service["volumes"][0].split(":")[:2] == ["nevr-events-data", "/data"]
    assert service["environment"]["STORE_URL"].startswith("mongodb://mongo:27017/")
    # Longer than SERVER_TIMEOUT: `docker compose stop` lets streams drain.
    assert _seconds(service["stop_grace_period"]) > _seconds(
        service["environment"]["SERVER_TIMEOUT"]
    )
    # The service keeps the image's HEALTHCHECK (the one this test sees turn healthy).
    assert "healthcheck" not in service
    # The profile brings RabbitMQ; without it, only the two services start.
    assert config["services"]["rabbitmq"].get("profiles") == ["amqp"]
    missing = subprocess.run(
        ["docker-compose", "-f", "compose.yaml", "--env-file", ".env.example", "config", "-q"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert missing.returncode != 0 and "set JWT_SECRET in .env" in missing.stderr


def test_without_a_secret_the_container_exits_with_the_config_message(
    engine: LocalDockerd, service: dict[str, Any]
) -> None:
    container = Container(engine, service, JWT_SECRET=None).run()
    state = container.wait_exited(timeout=60)
    logs = container.logs()
    assert state["ExitCode"] == 2, logs  # a usage error, as `nevr-events serve` gives it
    assert CONFIG_MESSAGE in logs and "JWT_SECRET_FILE" in logs
    assert "Traceback" not in logs


def test_embedded_store_container_streams_drains_and_keeps_its_data(
    engine: LocalDockerd, service: dict[str, Any], tmp_path: Path
) -> None:
    volume = f"nevr-test-data-{uuid.uuid4().hex[:8]}"
    first = Container(engine, service, volume=volume).run()
    cold_start = first.wait_healthy_http()
    print(f"cold start to /health 200: {cold_start:.2f}s")
    with Client(first.url) as client:
        assert client.health().healthy
    # The installed wheel carries its data files: the OpenAPI document, the GraphiQL
    # page and its vendored scripts (package_data in setup.cfg).
    vendored = "/v3/graphiql/vendor/graphiql-4.1.2/graphiql.min.js"
    for path in ("/openapi.json", "/v3/playground", "/v3/graphiql/ide.js", vendored):
        with urllib.request.urlopen(first.url + path, timeout=10) as response:
            assert response.status == 200 and response.read(), path

    # Not root: the image's user, for the server process itself.
    assert engine.inspect(first.name)["Config"]["User"] == "10001:10001"
    uids = next(line for line in first.exec("cat", "/proc/1/status").splitlines() if "Uid" in line)
    assert uids.split()[1:] == ["10001"] * 4
    assert "/data/events.db" in first.logs()  # the image's default store, on the volume
    # Only the environment: no pip, no compiler, no build secret, no wheels or sources in
    # the runtime image (podman leaves the mount point of scripts/image's wheel cache).
    first.exec(
        "sh",
        "-c",
        "test ! -e /opt/nevr-events/bin/pip && ! command -v gcc && ! command -v cc"
        ' && test ! -e /run/secrets/ca && test -z "$(ls -A /wheels 2>/dev/null)"'
        " && test ! -e /src",
    )
    minted = first.exec("nevr-events", "token", "--sub", "agent-7").strip()  # as README does
    assert jwt.decode(minted, SECRET, algorithms=["HS256"])["sub"] == "agent-7"

    # A stream from the project's own FrameStream, served back.
    served = new_session_id()
    with FrameStream(first.url, token()) as stream:
        for i in range(50):
            stream.send(make_frame(served, i))
        result = stream.flush(timeout=60)
    assert (result.stored, result.rejected, result.lost) == (50, 0, 0)
    assert first.frame_indexes(served) == list(range(50))

    # The image's HEALTHCHECK (`nevr-events health` on SERVER_ADDRESS) turns healthy.
    deadline = time.monotonic() + 60
    while first.state().get("Health", {}).get("Status") != "healthy":
        assert time.monotonic() < deadline, json.dumps(first.state().get("Health"))
        time.sleep(0.5)

    # `docker stop` drains: a raw agent gets 1001 with every frame it sent answered; a
    # FrameStream sending through the stop and the restart loses nothing.
    agent = Agent(first.url, frames=4000)
    agent.start()
    across = new_session_id()
    resilient = FrameStream(first.url, token("agent-resilient"), retry_for=120)
    for i in range(100):
        resilient.send(make_frame(across, i))
    assert resilient.flush(timeout=30).stored == 100
    deadline = time.monotonic() + 30
    while len(agent.replies) < 100:
        assert time.monotonic() < deadline, "the agent got no replies"
        time.sleep(0.05)
    stop_started = time.monotonic()
    engine.docker("stop", first.name, timeout=first.stop_timeout + 30)
    stop_took = time.monotonic() - stop_started
    for i in range(100, 200):  # sent while no server is up: kept in the window
        resilient.send(make_frame(across, i))
    agent.join(30)
    agent.reader.join(30)
    state = first.state()
    logs = first.logs()
    assert state["ExitCode"] == 0 and not state["OOMKilled"], logs
    print(f"docker stop drained in {stop_took:.1f}s")  # exit 0, not 137: not killed
    assert "graceful timeout" not in logs and "Traceback" not in logs
    assert "shutdown complete" in logs
    assert agent.close_code == 1001
    acknowledged = agent.acknowledged()
    assert len(acknowledged) >= 100
    assert [r["seq"] for r in agent.replies] == list(range(1, len(agent.replies) + 1))

    # A new container on the same volume (and address) serves the same frames; this one
    # reads its secret from a file, as a Docker or Kubernetes secret gives it.
    secret_file = tmp_path / "jwt_secret"
    secret_file.write_text(SECRET + "\n")
    secret_file.chmod(0o444)
    second = Container(
        engine,
        service,
        port=first.port,
        volume=volume,
        mounts=(f"{secret_file}:/run/secrets/jwt_secret:ro",),
        JWT_SECRET=None,
        JWT_SECRET_FILE="/run/secrets/jwt_secret",
    ).run()
    second.wait_healthy_http()
    assert second.frame_indexes(served) == list(range(50))
    assert acknowledged <= set(second.frame_indexes(agent.session_id))
    final = resilient.close(timeout=120)
    assert (final.rejected, final.lost, final.pending) == (0, 0, 0), final
    assert final.stored + final.duplicates == final.sent == 200
    assert final.reconnects >= 1
    assert sorted(second.frame_indexes(across)) == list(range(200))  # each stored once
    engine.docker("stop", second.name, timeout=second.stop_timeout + 30)
    assert second.state()["ExitCode"] == 0, second.logs()


def test_container_on_mongodb_store(
    engine: LocalDockerd, service: dict[str, Any], mongo_uri: str, database_name: str
) -> None:
    """STORE_URL=mongodb://127.0.0.1:PORT: the suite's FerretDB (or MONGO_URI's MongoDB)."""
    container = Container(engine, service, STORE_URL=mongo_uri, DATABASE_NAME=database_name)
    container.run().wait_healthy_http()
    assert f"frames go to MongoDB {mongo_uri}" in container.logs()
    session = new_session_id()
    with FrameStream(container.url, token()) as stream:
        for i in range(20):
            stream.send(make_frame(session, i))
        result = stream.flush(timeout=60)
    assert (result.stored, result.rejected, result.lost) == (20, 0, 0)
    assert container.frame_indexes(session) == list(range(20))
    engine.docker("stop", container.name, timeout=container.stop_timeout + 30)
    assert container.state()["ExitCode"] == 0, container.logs()
