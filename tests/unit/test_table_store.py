"""The attribution tables' RocksDB stores get the bounded options (faust.App ignores a RocksDB setting)."""
from __future__ import annotations

from services.attribution.worker import build
from services.common import topics
from services.common.settings import Settings


def test_every_attribution_table_opens_rocksdb_with_the_bounded_buffers_and_cache(tmp_path):
    app = build(Settings(env="dev", data_dir=str(tmp_path)))
    for name in topics.ATTRIBUTION_TABLES:
        options = app.tables[name].data.rocksdb_options
        assert (options.write_buffer_size, options.max_write_buffer_number, options.block_cache_size) == (2**20, 2, 2**20)
    # what RocksDB itself records when a partition's database opens with them
    db = app.tables["orders"].data.rocksdb_options.open(tmp_path / "orders-0.db")
    db.close()
    written = next((tmp_path / "orders-0.db").glob("OPTIONS-*")).read_text()
    assert "write_buffer_size=1048576" in written and "max_write_buffer_number=2" in written


def test_the_memory_store_takes_no_rocksdb_options(tmp_path):
    app = build(Settings(env="dev", data_dir=str(tmp_path), table_store="memory://"))
    assert all(type(app.tables[n].data).__module__ == "faust.stores.memory" for n in topics.ATTRIBUTION_TABLES)
