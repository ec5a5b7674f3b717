"""A throw-away RabbitMQ for the tests: Debian's rabbitmq-server on a loopback port.

The ``rabbitmq-server`` wrapper on PATH switches to the ``rabbitmq`` user; the
package's own script in /usr/lib/rabbitmq/bin runs as the caller, with every
path (data, logs, pid, feature flags, Erlang cookie) pointed into one
temporary directory, so a test broker never touches the system one.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from types import TracebackType

import pika
import pika.exceptions

from nevr_events.testing.ferretdb import die_with_parent, free_port

SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")


class LocalRabbitMQ:
    """A RabbitMQ node with its own data directory; ``stop()``/``start()`` keep the data."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="nevr-rabbitmq-"))
        self.port = free_port()
        self.dist_port = free_port()
        self.node = f"nevr{uuid.uuid4().hex[:8]}@localhost"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/%2F"

    def _env(self) -> dict[str, str]:
        (self.base / "home").mkdir(exist_ok=True)
        (self.base / "enabled_plugins").write_text("[].\n")
        return {
            **os.environ,
            "HOME": str(self.base / "home"),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.base / "log"),
            "RABBITMQ_PID_FILE": str(self.base / "rabbitmq.pid"),
            "RABBITMQ_FEATURE_FLAGS_FILE": str(self.base / "feature_flags"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(self.base / "rabbitmq"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(self.base / "advanced.config"),
            "RABBITMQ_CONF_ENV_FILE": str(self.base / "rabbitmq-env.conf"),
        }

    def start(self, timeout: float = 60.0) -> LocalRabbitMQ:
        if not SERVER.exists():
            raise RuntimeError("rabbitmq-server is not installed (scripts/test installs it)")
        log = open(self.base / "console.log", "ab")  # noqa: SIM115 - lives with the process
        self.process = subprocess.Popen(
            [str(SERVER)],
            env=self._env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"RabbitMQ exited at start; see {self.base}/console.log")
            if self.ready():
                return self
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"RabbitMQ did not accept AMQP on port {self.port} within {timeout}s")

    def ready(self) -> bool:
        logging.getLogger("pika").setLevel(logging.CRITICAL)  # refused connects while booting
        try:
            pika.BlockingConnection(pika.URLParameters(self.url + "?connection_attempts=1")).close()
            return True
        except pika.exceptions.AMQPError:
            return False

    def stop(self) -> None:
        """Stop the node gracefully (SIGTERM), waiting until the port is free."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def cleanup(self) -> None:
        self.stop()
        # Stop the Erlang port mapper the node started, unless another node still uses it.
        names = subprocess.run(["epmd", "-names"], capture_output=True, text=True, check=False)
        if "name " not in names.stdout:
            subprocess.run(["epmd", "-kill"], capture_output=True, check=False)
        shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> LocalRabbitMQ:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cleanup()


class Consumer:
    """A durable queue bound to ``session.#``: collects every message, across broker restarts.

    Written the way docs/publishing.md tells consumers to (pika, durable queue,
    manual acks), so the tests check the documented recipe too.
    """

    def __init__(self, url: str, exchange: str = "nevr.events", binding: str = "session.#"):
        self.url = url
        self.exchange = exchange
        self.binding = binding
        self.queue = f"test-{uuid.uuid4().hex[:8]}"
        self.received: list[tuple[str, pika.BasicProperties, dict]] = []
        self._connection: pika.BlockingConnection | None = None
        self._connect()

    def _connect(self) -> pika.adapters.blocking_connection.BlockingChannel:
        self._connection = pika.BlockingConnection(pika.URLParameters(self.url))
        channel = self._connection.channel()
        channel.exchange_declare(self.exchange, "topic", durable=True)
        channel.queue_declare(self.queue, durable=True)
        channel.queue_bind(self.queue, self.exchange, self.binding)
        self._channel = channel
        return channel

    def drain(self) -> list[tuple[str, pika.BasicProperties, dict]]:
        """Take every message waiting in the queue (reconnecting if the broker restarted)."""
        import json

        try:
            if self._connection is None or self._connection.is_closed:
                self._connect()
            while True:
                method, properties, body = self._channel.basic_get(self.queue)
                if method is None:
                    break
                self.received.append((method.routing_key, properties, json.loads(body)))
                self._channel.basic_ack(method.delivery_tag)
        except pika.exceptions.AMQPError:
            self._connection = None
        return self.received

    def ids(self, session_id: str) -> set[str]:
        self.drain()
        return {
            p.message_id for _, p, body in self.received if body["lobby_session_id"] == session_id
        }

    def close(self) -> None:
        if self._connection is not None and self._connection.is_open:
            with contextlib.suppress(pika.exceptions.AMQPError):
                self._connection.close()
