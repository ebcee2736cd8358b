"""``hk bench faults``: a generated workload sent through the real stack while workers are SIGKILLed,
workers leave and rejoin their groups, and the broker and Postgres restart; then every figure in
influencer_daily, payouts and the rolling windows is compared with the independently computed answer.

The test suite runs it at 100k events; the benchmark command runs it longer (``--events``, ``--rounds``).
"""
from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import httpx
from sqlalchemy import text

from services.aggregator.board_totals import DEFINITIONS
from services.common.db import make_engine

from .chaos import Stack
from .timing import print_table
from .workload import FIGURES, IST, Expected, Workload, expect, generate

# One round of faults, in order; each fires at a random moment of its slice of the send.
ROUND = [("sigkill", "ingest"), ("sigkill", "attribution"), ("sigkill", "aggregator#2"), ("leave", "attribution#2"),
         ("sigkill", "aggregator"), ("join", "attribution#2"), ("broker", "kafka"), ("sigkill", "attribution"),
         ("leave", "aggregator#2"), ("sigkill", "ingest"), ("join", "aggregator#2"), ("postgres", "postgres"),
         ("sigkill", "attribution#2"), ("sigkill", "aggregator"), ("sigkill", "aggregator#2")]


class Sender(threading.Thread):
    """A storefront that retries until it gets a 202: a timeout or 5xx means "maybe sent", so it sends again."""

    def __init__(self, url: str, events: list[dict], batch: int = 250, rate: float | None = None) -> None:
        super().__init__(daemon=True)
        self.url, self.events, self.batch, self.rate = url, events, batch, rate
        self.sent, self.retries, self.statuses, self.error = 0, 0, Counter(), None

    def run(self) -> None:
        try:
            with httpx.Client(base_url=self.url, headers={"Authorization": "Bearer dev-key"}, timeout=30) as client:
                began = time.monotonic()
                for i in range(0, len(self.events), self.batch):
                    self._send(client, self.events[i:i + self.batch])
                    if self.rate:  # a steady storefront, not a flood: recovery is then the fault's, not a backlog's
                        time.sleep(max(0.0, began + (i + self.batch) / self.rate - time.monotonic()))
        except Exception as exc:  # noqa: BLE001 — reported by the run
            self.error = exc

    def _send(self, client: httpx.Client, chunk: list[dict]) -> None:
        body = json.dumps(chunk).encode()
        while True:
            try:
                r = client.post("/v1/events", content=body, headers={"Content-Type": "application/json"})
                self.statuses[r.status_code] += 1
                if r.status_code == 202:
                    self.sent += len(chunk)
                    return
                if r.status_code not in (429, 503) and r.status_code < 500:
                    raise RuntimeError(f"the ingest refused a valid batch: {r.status_code} {r.text[:500]}")
                wait = float(r.headers.get("retry-after", 1))
            except httpx.TransportError as exc:
                self.statuses[type(exc).__name__] += 1
                wait = 0.5
            self.retries += 1
            time.sleep(wait)


@dataclass
class Report:
    events: int
    sent_with_retries: int
    faults: list
    crashes: list
    mismatches: dict = field(default_factory=dict)   # table → differing keys (empty: exact)
    lost: dict = field(default_factory=dict)         # figure → amount missing
    duplicated: dict = field(default_factory=dict)   # figure → amount counted twice
    drain_s: float = 0.0
    total_s: float = 0.0
    peak_rss_mb: dict = field(default_factory=dict)
    dead_letters: int = 0
    statuses: dict = field(default_factory=dict)
    drained: bool = True
    stuck: dict = field(default_factory=dict)        # (group, topic, partition) → (committed, end), when not exact
    missing: dict = field(default_factory=dict)      # order id → where it was last seen, when not exact
    holes: dict = field(default_factory=dict)        # worker → times it met a hole Faust left and sought back

    def recovery(self, target: str) -> tuple[float, float] | None:
        """p50 and max seconds from a SIGKILL of ``target`` (any of its workers) to the next probe counted."""
        times = sorted(f.recovery_s for f in self.faults if f.kind == "sigkill" and f.target.partition("#")[0] == target)
        return (times[(len(times) - 1) // 2], times[-1]) if times else None

    @property
    def exact(self) -> bool:
        return self.drained and self.dead_letters == 0 and not any(self.mismatches.values()) and not any(self.lost.values()) and not any(self.duplicated.values())


def run(n_events: int = 100_000, rounds: int = 1, seed: int = 7, rate: float = 500, drain_timeout_s: float = 600) -> Report:
    workload = generate(n_events, seed=seed, run=f"f{seed}")
    expected = expect(workload)
    stack = Stack().start()
    try:
        return run_on(stack, workload, expected, rounds, random.Random(seed), rate, drain_timeout_s)
    finally:
        stack.close()


def run_on(stack: Stack, workload: Workload, expected: Expected, rounds: int = 1, rnd: random.Random | None = None,
           rate: float = 500, drain_timeout_s: float = 600) -> Report:
    """Send the workload through a started stack, ``rounds`` of faults during the send (0: none), wait for every
    line, compare every table with the answer. The stack stays up, so the caller can look at it afterwards."""
    rnd = rnd or random.Random(0)
    engine = make_engine(stack.env["DATABASE_URL"])
    url = f"http://127.0.0.1:{stack.env['HK_INGEST_PORT']}"
    setup = Sender(url, workload.setup)
    setup.run()
    _wait(lambda: _scalar(engine, "SELECT count(*) FROM contracts") == sum(e["type"] == "contract" for e in workload.setup), 120, "contracts stored")
    n_contracts = sum(e["type"] == "contract" for e in workload.setup)
    for worker in ("attribution", "attribution#2"):  # coupons must be known before the orders arrive
        _wait(lambda worker=worker: stack.metric(worker, "hk_attribution_contracts_indexed") >= n_contracts, 60, f"{worker} indexes contracts")

    sender = Sender(url, workload.events, rate=rate)
    sender.start()
    plan = ROUND * rounds
    for i, (kind, target) in enumerate(plan):
        at = (i + rnd.uniform(0.1, 0.9)) / len(plan) * len(workload.events)
        while sender.sent < at and sender.is_alive():
            time.sleep(0.05)
        fault = {"sigkill": stack.sigkill, "leave": stack.leave, "join": stack.join,
                 "broker": lambda _: stack.restart_broker(), "postgres": lambda _: stack.restart_postgres()}[kind](target)
        fault.recovery_s = round(fault.action_s + probe(url, engine, f"{i}"), 1)
    sender.join()
    if sender.error:
        raise sender.error
    sent_at = time.monotonic()
    # posts travel on their own topic: the lines can all be in while the last snapshots are still on their way
    drained = _wait(lambda: _facts(engine) == (expected.order_lines, expected.refund_lines, *expected.posts()), drain_timeout_s,
                    f"all {expected.order_lines} order lines, {expected.refund_lines} refund lines and "
                    f"{expected.posts()[0]} posts' latest snapshots written", fail=False)
    report = Report(len(workload.unique), len(workload.events), stack.faults, stack.crashes, drain_s=round(time.monotonic() - sent_at, 1),
                    total_s=round(time.monotonic() - stack.started, 1), peak_rss_mb=dict(stack.peak_rss_mb),
                    dead_letters=_dead_letters(stack), statuses=dict(sender.statuses), drained=drained,
                    holes=holes_met(stack))
    compare(engine, expected, report)
    if not report.exact:
        report.stuck = _stuck(stack)
        report.missing = trace_missing(stack, engine, workload)
    engine.dispose()
    return report


PROBE = "probe"  # the influencer of the recovery probes, left out of the comparison


def probe(url: str, engine, tag: str, n: int = 12, timeout_s: float = 300) -> float:
    """Seconds until orders sent now (spread over customers, so over partitions) are all in Postgres."""
    began = time.monotonic()
    orders = [{"type": "order", "order_id": f"probe-{tag}-{c}", "customer_id": f"probe-{tag}-{c}", "currency": "INR",
               "placed_at": datetime.now(IST).isoformat(), "influencer_id": PROBE,
               "lines": [{"product": "p", "brand": "Gritzo", "quantity": 1, "revenue": "1"}]} for c in range(n)]
    Sender(url, orders).run()
    _wait(lambda: _scalar(engine, f"SELECT count(*) FROM attributed_orders WHERE order_id LIKE 'probe-{tag}-%'") == n,
          timeout_s, f"probe {tag} counted", fail=False)
    return time.monotonic() - began


def compare(engine, expected: Expected, report: Report) -> None:
    # one snapshot for every table: read one by one, a batch committing in between made influencer_daily short
    # while the windows and payouts, read later, agreed (the aggregator bench's "not exact" of stop 28)
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        def rows(sql: str) -> list:
            return conn.execute(text(sql)).all()
        daily = {tuple(r[:4]): dict(zip(FIGURES, r[4:], strict=True)) for r in rows(f"SELECT day, influencer_id, brand, platform, {', '.join(FIGURES)} "
                                                                       f"FROM influencer_daily WHERE influencer_id <> '{PROBE}'")}
        [(today, windows)] = rows("SELECT business_today(), rolling_windows()")
        rolling = {tuple(r[:3]): dict(zip(FIGURES, r[3:], strict=True)) for r in rows(f"SELECT window_days, influencer_id, brand, {', '.join(FIGURES)} "
                                                                        f"FROM rolling_current WHERE influencer_id NOT IN ('', '{PROBE}') AND brand <> ''")}
        payouts = dict(rows("SELECT contract_id, total_payout FROM payouts"))
        # the board's maintained tables against their definitions over the facts (migrations 0008, 0010)
        kept = {table: (set(rows(f"SELECT * FROM {table}")), set(rows(f"SELECT * FROM {definition}")))
                for table, definition in DEFINITIONS.items()}
    report.mismatches = {"influencer_daily": _diff(expected.daily, daily),
                         "rolling_current": _diff(expected.rolling(today, windows), rolling),
                         "payouts": sorted(k for k in expected.payouts.keys() | payouts.keys()
                                           if Decimal(expected.payouts.get(k, 0)) != Decimal(payouts.get(k, 0)))}
    for table, (stored, defined) in kept.items():
        report.mismatches[table] = sorted(map(repr, stored ^ defined))[:20]
    for figure in FIGURES:
        gap = [Decimal(expected.daily.get(k, {}).get(figure, 0)) - Decimal(daily.get(k, {}).get(figure, 0)) for k in expected.daily.keys() | daily.keys()]
        report.lost[figure] = sum((g for g in gap if g > 0), Decimal(0))
        report.duplicated[figure] = sum((-g for g in gap if g < 0), Decimal(0))


def _diff(want: dict, got: dict) -> list:
    norm = lambda figures: {k: Decimal(v) for k, v in figures.items()}
    return sorted(k for k in want.keys() | got.keys() if norm(want.get(k, {})) != norm(got.get(k, dict.fromkeys(FIGURES, 0))))[:20]


def _facts(engine) -> tuple[int, int, int, int]:
    return (_scalar(engine, f"SELECT count(*) FROM attributed_orders WHERE influencer_id IS DISTINCT FROM '{PROBE}'"),
            _scalar(engine, "SELECT count(*) FROM refunds"), _scalar(engine, "SELECT count(*) FROM posts"),
            _scalar(engine, "SELECT coalesce(sum(reach), 0) FROM posts"))


def _stuck(stack: Stack) -> dict:
    """Where each consumer group stands, partition by partition, for a run that did not come out exact."""
    from kafka import KafkaAdminClient, KafkaConsumer
    from services.ingest.backpressure import positions
    admin, consumer = KafkaAdminClient(bootstrap_servers=stack.broker.bootstrap), KafkaConsumer(bootstrap_servers=stack.broker.bootstrap)
    try:
        return {(worker, tp.topic, tp.partition): (done, end)
                for (worker, tp), (done, end) in positions(stack.settings, admin, consumer).items() if done != end}
    finally:
        admin.close()
        consumer.close()


def trace_missing(stack: Stack, engine, workload: Workload, limit: int = 20) -> dict:
    """Orders with no line in Postgres, and the last topic that holds them: which stage dropped them."""
    present = {r[0] for r in _rows(engine, "SELECT DISTINCT order_id FROM attributed_orders")}
    missing = [e["order_id"] for e in workload.unique if e["type"] == "order" and e["order_id"] not in present][:limit]
    if not missing:
        return {}
    from kafka import KafkaConsumer, TopicPartition
    found: dict[str, list] = {oid: [] for oid in missing}
    needles = {oid: f'"{oid}"'.encode() for oid in missing}
    consumer = KafkaConsumer(bootstrap_servers=stack.broker.bootstrap, enable_auto_commit=False)
    try:
        for name in ("hk.storefront", "hk.attributions"):
            topic = stack.settings.topic(name)
            parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
            consumer.assign(parts)
            consumer.seek_to_beginning(*parts)
            ends = consumer.end_offsets(parts)
            while any(consumer.position(tp) < ends[tp] for tp in parts):
                for tp, messages in consumer.poll(timeout_ms=1000).items():
                    for m in messages:
                        for oid, needle in needles.items():
                            if needle in (m.value or b""):
                                found[oid].append(f"{name}[{tp.partition}]@{m.offset}")
    finally:
        consumer.close()
    return {oid: where or ["nowhere"] for oid, where in found.items()}


HOLE_LOGGED = "arrived before it; seeking back"  # services/common/source_progress.py, on each hole a worker meets


def holes_met(stack: Stack) -> dict:
    """Per worker, the holes in what Faust delivered that it met and read again (from its log, which survives its
    restarts; the metric does not)."""
    return {log.stem: log.read_text(errors="replace").count(HOLE_LOGGED)
            for worker in ("attribution", "aggregator") for log in sorted((stack.work / "logs").glob(f"{worker}*.log"))}


def _dead_letters(stack: Stack) -> int:
    from kafka import KafkaConsumer, TopicPartition
    consumer = KafkaConsumer(bootstrap_servers=stack.broker.bootstrap)
    topic = stack.settings.topic("hk.dead-letter")
    parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
    total = sum(consumer.end_offsets(parts).values()) if parts else 0
    consumer.close()
    return total


def _rows(engine, sql: str):
    with engine.connect() as conn:
        return conn.execute(text(sql)).all()


def _scalar(engine, sql: str):
    try:
        return _rows(engine, sql)[0][0]
    except Exception:  # noqa: BLE001 — Postgres may be restarting while we poll
        return None


def _wait(ok, timeout_s: float, what: str, fail: bool = True) -> bool:
    deadline = time.monotonic() + timeout_s
    while not ok():
        if time.monotonic() > deadline:
            if fail:
                raise TimeoutError(f"not within {timeout_s:.0f}s: {what}")
            print(f"not within {timeout_s:.0f}s: {what}; comparing what is there", flush=True)
            return False
        time.sleep(0.5)
    return True


def print_report(r: Report) -> None:
    print(f"{r.events} events ({r.sent_with_retries} sent with storefront retries), {len(r.faults)} faults, "
          f"{len(r.crashes)} unplanned restarts {r.crashes or ''}; drain {r.drain_s}s, total {r.total_s}s")
    print_table(("fault", "target", "at s", "back s", "recovery s"),
                [(f.kind, f.target, round(f.at_s, 1), f.action_s, f.recovery_s) for f in r.faults])
    print_table(("figure", "lost", "duplicated"), [(k, r.lost[k], r.duplicated[k]) for k in FIGURES])
    print("recovery from SIGKILL, p50 / max s: " + ", ".join(f"{w} {r.recovery(w)}" for w in ("attribution", "aggregator")))
    print(f"holes met and re-read, per worker: {r.holes}")
    print(f"mismatched keys: { {k: len(v) for k, v in r.mismatches.items()} }; dead letters: {r.dead_letters}; "
          f"HTTP: {r.statuses}; peak RSS MB: {r.peak_rss_mb}")
    if r.stuck:
        print(f"consumer groups not at the end (committed, end): {r.stuck}")
    for oid, where in r.missing.items():
        print(f"missing order {oid}: seen at {', '.join(where)}")
    print("EXACT" if r.exact else "NOT EXACT")
