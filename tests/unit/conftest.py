"""Fixtures shared by the unit tests."""
import pytest

from services.attribution.contracts import ContractIndex

from .attribution_events import contract


@pytest.fixture
def contracts():
    """inf-a's contract (coupon ALPHA10, link alpha) and inf-b's (coupon BETA, link beta), both for MuscleBlaze."""
    index = ContractIndex()
    index.upsert(contract())
    index.upsert(contract("c2", "inf-b", coupons=("BETA",), links=("beta",)))
    return index
