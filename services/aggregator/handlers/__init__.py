"""The write path's steps, one module per record kind (influencers, contracts, posts, order lines, refund lines) and
one for the spend they accrue. ``writer.write_batch`` runs them in order inside the batch's one transaction; each
inserts its facts by natural key and adds to the batch's deltas only what its inserts actually changed. The rows a
step writes are built by pure functions, tested without a server (tests/unit/test_write_handlers.py)."""
