"""One batch's view of the attribution tables: each key read from its Faust table at most once and written back
at most once, to the partition of the event that changed it.

Faust writes a table key (its store and its changelog) to the partition of the *current event*, a context
variable its stream sets per event. A batch is decided after the stream has moved on, so the context is set
here, per key: to the event being decided while it reads, and to the event that last changed a key when the
batch is flushed. Every key of the attribution tables lives on its customer's partition, the partition of
any event that touches it.

One event's changes are kept only if it is decided without an exception: a record that fails is
dead-lettered alone, and the batch goes on from the state as it was before that event.
"""
from __future__ import annotations

import weakref
from contextlib import contextmanager
from typing import Any, Iterator, MutableMapping

from faust.streams import _current_event

ABSENT = object()  # the key is not in the table (or was deleted in this batch)
UNREAD = object()  # the journal's mark for a key this batch had not read before the event


def bind(event) -> None:
    """Make ``event`` Faust's current event in this task: table reads and writes go to its partition."""
    _current_event.set(weakref.ref(event))


class TableView(MutableMapping):
    def __init__(self, table: MutableMapping) -> None:
        self.table = table
        # key → its value in this batch, or ABSENT (not "values": that would hide Mapping.values())
        self.current: dict[Any, Any] = {}
        self.dirty: dict[Any, Any] = {}   # key → the event whose partition it is written to
        self.journal: dict[Any, tuple] | None = None
        self.event = None

    def _load(self, key):
        value = self.current.get(key, UNREAD)
        if value is UNREAD:
            value = self.current[key] = self.table.get(key, ABSENT)
        return value

    def __getitem__(self, key):
        value = self._load(key)
        if value is ABSENT:
            raise KeyError(key)
        return value

    # Mapping's own get and `in` go through __getitem__ and a KeyError: twice the cost on the hot path
    def __contains__(self, key) -> bool:
        return self._load(key) is not ABSENT

    def get(self, key, default=None):
        value = self._load(key)
        return default if value is ABSENT else value

    def __setitem__(self, key, value) -> None:
        self._remember(key)
        self.current[key], self.dirty[key] = value, self.event

    def __delitem__(self, key) -> None:
        self[key]  # KeyError when absent, as a dict
        self._remember(key)
        self.current[key], self.dirty[key] = ABSENT, self.event

    def __iter__(self) -> Iterator:
        return (k for k, v in self.current.items() if v is not ABSENT)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def _remember(self, key) -> None:
        if self.journal is not None and key not in self.journal:
            self.journal[key] = (self.current.get(key, UNREAD), self.dirty.get(key, UNREAD))

    def begin(self, event) -> None:
        self.event, self.journal = event, {}

    def rollback(self) -> None:
        for key, (value, event) in (self.journal or {}).items():
            for store, kept in ((self.current, value), (self.dirty, event)):
                if kept is UNREAD:
                    store.pop(key, None)
                else:
                    store[key] = kept
        self.journal = None

    def flush(self, bind_to=bind) -> int:
        """Write every changed key to its table, once; returns how many were written."""
        for key, event in self.dirty.items():
            bind_to(event)
            value = self.current[key]
            if value is ABSENT:
                self.table.pop(key, None)
            else:
                self.table[key] = value
        written = len(self.dirty)
        self.current, self.dirty, self.journal = {}, {}, None
        return written


class BatchState:
    """The views of several tables, with one event's changes kept or undone together."""

    def __init__(self, *tables: MutableMapping, bind_to=bind) -> None:
        self.views = tuple(TableView(t) for t in tables)
        self.bind_to = bind_to

    @contextmanager
    def deciding(self, event):
        self.bind_to(event)
        for view in self.views:
            view.begin(event)
        try:
            yield
        except BaseException:
            for view in self.views:
                view.rollback()
            raise
        for view in self.views:
            view.journal = None

    def flush(self) -> int:
        return sum(view.flush(self.bind_to) for view in self.views)
