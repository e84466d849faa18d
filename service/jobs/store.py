"""Jobs in Redis: one hash of facts and counters per job, its inputs by chunk, its results
by position. Everything a job needs survives any API or worker process.

    precis:job:{id}          hash: status, total, succeeded, failed, timestamps, owner, …
    precis:job:{id}:inputs   hash: chunk number -> JSON [[position, item], …] (each gone once run)
    precis:job:{id}:results  hash: position -> one JSON Lines row {"id", "status", "result"|"error"}
    precis:job:{id}:callback-lock   the worker sending its webhook now (a lease, see delivery.py)

A job with a callback_url keeps its webhook's state in its hash too (`callback_*`: the URL,
which secret signs it, its webhook-id, the body fixed when the job ended, whether it was
handed to the workers, the attempts made, the last status and when it was delivered).

Results are written by a Lua script, atomically: HSETNX first, and the success or failure
counter is incremented only when that position had no result yet, so a chunk redelivered
after its worker died is never counted twice. The script also closes the job when the last
item lands. Every key expires JOB_RESULT_TTL_S after the job's last activity."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis import Redis
from redis.typing import EncodableT, FieldT

from service.jobs.webhooks import Callback

PREFIX = "precis:job:"
TERMINAL = ("succeeded", "failed", "cancelled")

# KEYS: meta, results, inputs. ARGV: now, chunk failed (1|0), the chunk's number ("" for none: refused items), then
# (position, row, "s" | "f") triples. The chunk's input is deleted once its results are in: Redis holds a running
# job's unrun articles, not all of them to the end. The TTL is
# the job's own (set by the API that took it), whatever the worker's settings say.
# Returns the number of results written (0 for a redelivered chunk; -1 for a job that is gone).
_RECORD = """
local meta, results, inputs = KEYS[1], KEYS[2], KEYS[3]
if redis.call('EXISTS', meta) == 0 then return -1 end
local ttl = tonumber(redis.call('HGET', meta, 'ttl'))
if ARGV[2] == '1' then redis.call('HINCRBY', meta, 'chunk_errors', 1) end
local written = 0
if ARGV[3] ~= '' then redis.call('HDEL', inputs, ARGV[3]) end
for i = 4, #ARGV, 3 do
  if redis.call('HSETNX', results, ARGV[i], ARGV[i + 1]) == 1 then
    redis.call('HINCRBY', meta, ARGV[i + 2] == 's' and 'succeeded' or 'failed', 1)
    written = written + 1
  else
    redis.call('HINCRBY', meta, 'duplicates', 1)
  end
end
local done = tonumber(redis.call('HGET', meta, 'succeeded')) + tonumber(redis.call('HGET', meta, 'failed'))
local status = redis.call('HGET', meta, 'status')
if done >= tonumber(redis.call('HGET', meta, 'total')) and (status == 'queued' or status == 'running') then
  local final = (redis.call('HGET', meta, 'chunk_errors') == '0') and 'succeeded' or 'failed'
  redis.call('HSET', meta, 'status', final, 'finished_at', ARGV[1])
  redis.call('DEL', inputs)
end
redis.call('HSET', meta, 'expires_at', tonumber(ARGV[1]) + ttl)
redis.call('EXPIRE', meta, ttl)
redis.call('EXPIRE', results, ttl)
redis.call('EXPIRE', inputs, ttl)
return written
"""

# KEYS: meta, inputs. ARGV: now, chunk. The chunk's items, unless the job is over or gone.
_START = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status or (status ~= 'queued' and status ~= 'running') then return false end
if status == 'queued' then redis.call('HSET', KEYS[1], 'status', 'running', 'started_at', ARGV[1]) end
return redis.call('HGET', KEYS[2], ARGV[2])
"""

# KEYS: lock. ARGV: token. Releases the lease only if it is still this holder's.
_UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS: meta, inputs. ARGV: now. Cancels a queued or running job; its queued chunks are dropped.
_CANCEL = """
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'queued' or status == 'running' then
  redis.call('HSET', KEYS[1], 'status', 'cancelled', 'finished_at', ARGV[1])
  redis.call('DEL', KEYS[2])
end
return status
"""


@dataclass(frozen=True)
class NewJob:
    """A validated job, ready to store: items to run by chunk, and items already failed."""

    owner: str
    request_id: str
    total: int
    chunks: list[list[tuple[int, dict[str, Any]]]]  # [(position, item fields incl. id)] per chunk
    rejected: list[tuple[int, str]]  # (position, JSON Lines row) of items that failed validation
    model: dict[str, Any]
    settings: dict[str, Any]
    callback: Callback | None = None
    tier: str = ""  # the model it is routed to, as SUMMARIZER_MODEL names it; "": model["name"]


@dataclass(frozen=True)
class Delivery:
    """A job's webhook, as the worker that sends it reads it."""

    job_id: str
    status: str
    callback: Callback
    body: str  # fixed when the job ended ("" until then)
    steps_done: int  # attempts of the schedule finished (a killed one is not)
    finished: bool  # delivered, or given up


def _iso(value: str | None) -> str | None:
    return datetime.fromtimestamp(float(value), UTC).isoformat(timespec="milliseconds") if value else None


class JobStore:
    def __init__(self, redis: Redis, ttl_s: int) -> None:
        self.redis = redis
        self.ttl_s = ttl_s
        self._record = redis.register_script(_RECORD)
        self._start = redis.register_script(_START)
        self._cancel = redis.register_script(_CANCEL)
        self._unlock = redis.register_script(_UNLOCK)

    @staticmethod
    def _keys(job_id: str) -> tuple[str, str, str]:
        base = PREFIX + job_id
        return base, base + ":results", base + ":inputs"

    def create(self, job: NewJob) -> str:
        """Store a job planned whole (service/jobs/planning.py streams one through `draft` instead)."""
        draft = self.draft()
        draft.add_inputs(list(enumerate(job.chunks)))
        draft.add_rejected(job.rejected)
        draft.publish(
            job.owner, job.request_id, job.total, len(job.chunks), job.model, job.settings, job.callback, job.tier
        )
        return draft.job_id

    def draft(self) -> Draft:
        """A job written piece by piece (its inputs, its refused items), then published."""
        return Draft(self, uuid.uuid4().hex)

    def get(self, job_id: str) -> dict[str, Any] | None:
        raw = self.redis.hgetall(PREFIX + job_id) if _valid_id(job_id) else {}
        if not raw:
            return None
        fields = {_text(k): _text(v) for k, v in raw.items()}
        return {
            "id": fields["id"],
            "status": fields["status"],
            "total": int(fields["total"]),
            "succeeded": int(fields["succeeded"]),
            "failed": int(fields["failed"]),
            "created_at": _iso(fields["created_at"]),
            "started_at": _iso(fields["started_at"]),
            "finished_at": _iso(fields["finished_at"]),
            "expires_at": _iso(fields["expires_at"]),
            "result_ttl_s": int(fields["ttl"]),
            "model": json.loads(fields["model"]),
            "settings": json.loads(fields["settings"]),
            "owner": fields["owner"],
            "duplicate_results_ignored": int(fields["duplicates"]),
            "request_id": fields["request_id"],
            **({"callback": _callback_view(fields)} if fields.get("callback_url") else {}),
        }

    def start_chunk(self, job_id: str, chunk: int) -> list[tuple[int, dict[str, Any]]] | None:
        """The chunk's (position, item) pairs, or None when the job was cancelled, is over or expired."""
        meta, _, inputs = self._keys(job_id)
        raw = self._start(keys=[meta, inputs], args=[time.time(), chunk])
        return [(position, item) for position, item in json.loads(raw)] if raw else None

    def tier(self, job_id: str) -> str | None:
        """The model the job was routed to (its queue's), as SUMMARIZER_MODEL names it."""
        value = self.redis.hget(PREFIX + job_id, "tier")
        return None if value is None else _text(value)

    def ran_with(self, job_id: str, model: dict[str, Any]) -> None:
        """The model that runs the job, as the worker running it knows it (its view's `model`)."""
        self.redis.hset(PREFIX + job_id, "model", json.dumps(model))

    def done(self, job_id: str, positions: Sequence[int]) -> bool:
        """Whether every position already has a result (a redelivered chunk that was written)."""
        _, results, _ = self._keys(job_id)
        return all(self.redis.hmget(results, [str(p) for p in positions]))

    def record(
        self, job_id: str, rows: Sequence[tuple[int, str, bool]], chunk_failed: bool = False, chunk: int | None = None
    ) -> int:
        """Write (position, JSON Lines row, succeeded) results once each (and drop `chunk`'s input);
        -1 if the job is gone."""
        meta, results, inputs = self._keys(job_id)
        args: list[Any] = [time.time(), 1 if chunk_failed else 0, "" if chunk is None else chunk]
        for position, row, ok in rows:
            args += [position, row, "s" if ok else "f"]
        return int(self._record(keys=[meta, results, inputs], args=args))

    def cancel(self, job_id: str) -> str | None:
        """The status the job had (None if there is no such job)."""
        meta, _, inputs = self._keys(job_id)
        status = self._cancel(keys=[meta, inputs], args=[time.time()])
        return status.decode() if status else None

    # --- the job's webhook (service/jobs/delivery.py) ---------------------------------------
    def callback_due(self, job_id: str) -> bool:
        """Whether the job is over, has a callback, and its webhook was not handed to the workers yet."""
        status, url, queued = self.redis.hmget(PREFIX + job_id, ["status", "callback_url", "callback_queued"])
        return bool(url) and not queued and status is not None and _text(status) in TERMINAL

    def fix_event(self, job_id: str, body: str) -> None:
        """The webhook's body, once: every attempt sends the same."""
        self.redis.hsetnx(PREFIX + job_id, "callback_body", body)

    def callback_queued(self, job_id: str) -> None:
        self.redis.hset(PREFIX + job_id, "callback_queued", 1)

    def forget_callback(self, job_id: str) -> None:
        """No webhook for this job (one the client was never told of)."""
        self.redis.hdel(PREFIX + job_id, "callback_url")

    def delivery(self, job_id: str) -> Delivery | None:
        names = ["status", "callback_url", "callback_signer", "callback_id", "callback_body", "callback_steps"]
        values = self.redis.hmget(PREFIX + job_id, [*names, "callback_delivered_at", "callback_given_up"])
        status, url, signer, webhook_id, body, steps, delivered, given_up = (
            _text(v) if v is not None else "" for v in values
        )
        if not (status and url):
            return None
        return Delivery(
            job_id, status, Callback(url, signer, webhook_id), body, int(steps or 0), bool(delivered or given_up)
        )

    def lease(self, job_id: str, seconds: int) -> str | None:
        """A lease on sending the job's webhook (a token), or None while another holds it."""
        token = uuid.uuid4().hex
        return token if self.redis.set(PREFIX + job_id + ":callback-lock", token, nx=True, ex=seconds) else None

    def release(self, job_id: str, token: str) -> None:
        self._unlock(keys=[PREFIX + job_id + ":callback-lock"], args=[token])

    def attempt_started(self, job_id: str) -> None:
        self.redis.hincrby(PREFIX + job_id, "callback_attempts", 1)

    def attempt_done(self, job_id: str, step: int, status: int | None, delivered: bool, give_up: bool) -> None:
        last = "" if status is None else status
        fields: dict[FieldT, EncodableT] = {"callback_steps": step, "callback_last_status": last}
        if delivered:
            fields["callback_delivered_at"] = time.time()
        if give_up:
            fields["callback_given_up"] = 1
        self.redis.hset(PREFIX + job_id, mapping=fields)

    def rows(self, job_id: str, total: int, whole: bool, page: int = 256) -> Iterator[str]:
        """Result rows in input order: while the job runs, the finished prefix; once it is over
        (`whole`), every result there is (a cancelled job's unrun items have none)."""
        _, results, _ = self._keys(job_id)
        for start in range(0, total, page):
            values = self.redis.hmget(results, [str(p) for p in range(start, min(total, start + page))])
            for value in values:
                if value is None:
                    if whole:
                        continue
                    return
                yield _text(value)


class Draft:
    """A job being written: inputs by chunk and refused items' rows, in batches, before its
    hash (the job itself) exists. Until `publish` no one knows its id and no worker runs it;
    `discard` drops what was written (an upload that failed half way)."""

    def __init__(self, store: JobStore, job_id: str) -> None:
        self.store = store
        self.job_id = job_id
        self.rejected = 0

    def add_inputs(self, chunks: Sequence[tuple[int, list[tuple[int, dict[str, Any]]]]]) -> None:
        """(chunk number, [(position, item)]) pairs."""
        _, _, inputs = JobStore._keys(self.job_id)
        if chunks:
            pipe = self.store.redis.pipeline(transaction=False)
            pipe.hset(inputs, mapping={str(n): json.dumps(chunk, ensure_ascii=False) for n, chunk in chunks})
            pipe.expire(inputs, self.store.ttl_s)
            pipe.execute()

    def add_rejected(self, rows: Sequence[tuple[int, str]]) -> None:
        """(position, JSON Lines row) of items that failed validation: their results already."""
        _, results, _ = JobStore._keys(self.job_id)
        if rows:
            pipe = self.store.redis.pipeline(transaction=False)
            pipe.hset(results, mapping={str(position): row for position, row in rows})
            pipe.expire(results, self.store.ttl_s)
            pipe.execute()
            self.rejected += len(rows)

    def publish(
        self,
        owner: str,
        request_id: str,
        total: int,
        chunks: int,
        model: dict[str, Any],
        settings: dict[str, Any],
        callback: Callback | None = None,
        tier: str = "",
    ) -> None:
        """The job's hash, last: the job exists (and can be run) once all of its inputs are there."""
        meta, _, _ = JobStore._keys(self.job_id)
        now = time.time()
        ttl = self.store.ttl_s
        self.store.redis.hset(
            meta,
            mapping={
                "id": self.job_id,
                "status": "queued",
                "total": total,
                "succeeded": 0,
                "failed": self.rejected,
                "duplicates": 0,
                "chunk_errors": 0,
                "chunks": chunks,
                "created_at": now,
                "started_at": "",
                "finished_at": "",
                "expires_at": now + ttl,
                "ttl": ttl,
                "owner": owner,
                "request_id": request_id,
                "tier": tier or model["name"],
                "model": json.dumps(model),
                "settings": json.dumps(settings),
                **(_callback_fields(callback) if callback else {}),
            },
        )
        self.store.redis.expire(meta, ttl)
        if self.rejected >= total:  # every item was refused: the job is over already
            self.store.record(self.job_id, [])

    def discard(self) -> None:
        self.store.redis.delete(*JobStore._keys(self.job_id))


def _callback_fields(callback: Callback) -> dict[FieldT, EncodableT]:
    return {
        "callback_url": callback.url,
        "callback_signer": callback.signer,
        "callback_id": callback.webhook_id,
        "callback_attempts": 0,
        "callback_last_status": "",
        "callback_delivered_at": "",
    }


def _callback_view(fields: dict[str, str]) -> dict[str, Any]:
    """The webhook as the job's view shows it."""
    last = fields.get("callback_last_status", "")
    return {
        "url": fields["callback_url"],
        "attempts": int(fields.get("callback_attempts") or 0),
        "last_status": int(last) if last else None,
        "delivered_at": _iso(fields.get("callback_delivered_at")),
    }


def _text(value: bytes | str) -> str:
    """A Redis reply as text (this client answers bytes)."""
    return value.decode() if isinstance(value, bytes) else value


def _valid_id(job_id: str) -> bool:
    return len(job_id) == 32 and all(c in "0123456789abcdef" for c in job_id)
