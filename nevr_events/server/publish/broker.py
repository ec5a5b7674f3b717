"""One AMQP connection with publisher confirms, on py-amqp.

py-amqp (the ``amqp`` package, maintained by the Celery project for kombu) is
a plain blocking-socket client, so under gunicorn's gevent worker (sockets
monkey-patched) every wait yields to other greenlets. Unlike pika's
``BlockingConnection``, which waits for each confirm before the next publish,
it lets a batch be published back to back and confirmed by the broker's
``basic.ack``s (often one with ``multiple``): one round trip per batch.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

import amqp
import orjson

from nevr_events.server.config import redact_uri
from nevr_events.server.publish.messages import Message, iso

log = logging.getLogger(__name__)

HEARTBEAT = 20  # seconds; a broker that vanishes without closing is noticed within ~2x this


class BrokerError(Exception):
    """The broker is unreachable, closed the connection, or refused a message."""


def connection_options(url: str) -> dict[str, Any]:
    """py-amqp ``Connection`` arguments from ``amqp://user:pass@host:port/vhost``."""
    parts = urlsplit(url)
    secure = parts.scheme == "amqps"
    port = parts.port or (5671 if secure else 5672)
    host = parts.hostname or "localhost"
    vhost = unquote(parts.path[1:]) if len(parts.path) > 1 else "/"
    return {
        "host": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "userid": unquote(parts.username or "guest"),
        "password": unquote(parts.password or "guest"),
        "virtual_host": vhost,
        "ssl": secure,
    }


class BrokerConnection:
    """A connected channel in confirm mode, publishing to one topic exchange."""

    def __init__(self, url: str, exchange: str, *, timeout: float = 10.0) -> None:
        self.exchange = exchange
        self.timeout = timeout
        self._safe_url = redact_uri(url)
        self._connection = amqp.Connection(
            **connection_options(url),
            connect_timeout=timeout,
            heartbeat=HEARTBEAT,
            client_properties={"connection_name": "nevr-events publisher"},
        )
        self._pending: set[int] = set()
        self._nacked: list[int] = []
        self._next_tag = 1
        try:
            self._connection.connect()
            channel = self._connection.channel()
            channel.confirm_select()
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
            channel.exchange_declare(exchange, "topic", durable=True, auto_delete=False)
        except (amqp.exceptions.AMQPError, OSError) as exc:
            self.close()
            raise BrokerError(f"cannot connect to {self._safe_url}: {_reason(exc)}") from None
        self._channel = channel

    def publish(self, messages: Sequence[Message]) -> None:
        """Publish persistent messages and return once the broker confirmed them all.

        Raises BrokerError if any is refused (nack), the connection fails, or
        the confirms take longer than ``timeout``: then nothing is known about
        the batch and the caller publishes it again on a new connection.
        """
        published_at = iso(datetime.now(UTC))
        try:
            for message in messages:
                body = orjson.dumps(
                    {"message_id": message.message_id, **message.body, "published_at": published_at}
                )
                self._pending.add(self._next_tag)
                self._next_tag += 1
                self._channel.basic_publish(
                    amqp.Message(
                        body,
                        content_type="application/json",
                        delivery_mode=2,  # persistent
                        message_id=message.message_id,
                        type=message.routing_key,
                        app_id="nevr-events",
                    ),
                    exchange=self.exchange,
                    routing_key=message.routing_key,
                )
            deadline = time.monotonic() + self.timeout
            while self._pending and not self._nacked:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise BrokerError(f"{len(self._pending)} message(s) not confirmed in time")
                self._drain(remaining)
        except (amqp.exceptions.AMQPError, OSError) as exc:
            raise BrokerError(f"publishing failed: {_reason(exc)}") from None
        if self._nacked:
            raise BrokerError(f"broker refused {len(self._nacked)} message(s)")

    def idle(self, seconds: float) -> None:
        """Wait ``seconds`` while answering heartbeats; raises BrokerError if the link died."""
        try:
            self._drain(seconds)
            self._connection.heartbeat_tick()
        except (amqp.exceptions.AMQPError, OSError) as exc:
            raise BrokerError(f"connection lost: {_reason(exc)}") from None

    def _drain(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):  # nothing arrived: socket.timeout
            self._connection.drain_events(timeout=seconds)

    def _on_ack(self, tag: int, multiple: bool) -> None:
        if multiple:
            self._pending = {pending for pending in self._pending if pending > tag}
        else:
            self._pending.discard(tag)

    def _on_nack(self, tag: int, multiple: bool, requeue: bool = False) -> None:
        self._nacked.append(tag)

    def close(self) -> None:
        try:
            self._connection.collect()  # drop the socket without waiting for the broker
        except Exception:  # closing a broken connection must not raise
            log.debug("closing the AMQP connection failed", exc_info=True)


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:200]
