"""The attribution models in the tables (migration 0009) on a real PostgreSQL through the aggregator's writer:
credits as facts, their daily rollup, spend following the credited share, the side-by-side report, the
order-level report's touchpoints, and a replay changing nothing. Figures worked out by hand:

Order m1 (today): C's coupon closes a journey A's link started. Lines: 600 (first MuscleBlaze line) and 300.
  linear: A 300 + 150, C 300 + 150; first_touch: A all; last_touch: C all; time_decay: A a third, C two.
A refund of 300 on line 0 today, credited by the same shares (linear 150/150).
Contracts: A order basis 100/order, C revenue_share 0.1, B post basis 1000 (one post, no orders).
  linear    A: revenue 450 - 150 = 300, orders 0.5, spend 100 x 0.5 = 50          -> ROAS 6.00
            C: revenue 300, spend 0.1 x 450 - 0.1 x 150 = 30                        -> ROAS 10.00
  first     A: 900 - 300 = 600, orders 1, spend 100 -> 6.00; C: nothing credited
  rules     C (the coupon): 900 - 300 = 600, spend 0.1 x 900 - 0.1 x 300 = 60 -> 10.00 (influencer_daily's figures)
  B under every model: revenue 0, spend 1000 (its post), ROAS 0.00
"""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import text

from services.aggregator.batch import Calendar
from services.aggregator.migrate import migrate
from services.aggregator.writer import write_batch
from services.attribution.credits import CREDITED
from services.attribution.models import MODELS
from services.common.db import make_engine
from services.common.settings import Settings
from services.reports.catalog import FilterError, Filters, run

from .report_facts import INFLUENCERS, TZ, at, batch, contract, day, line, post, refund

pytestmark = pytest.mark.postgres
TOUCHES = [{"influencer_id": "A", "at": at(2), "kind": "click"}, {"influencer_id": "C", "at": at(0), "kind": "coupon"}]


def credits(amount: str, a: str, c: str, a_third: str, c_two: str) -> dict:
    return {"first_touch": {"A": amount}, "last_touch": {"C": amount}, "linear": {"A": a, "C": c},
            "position_based": {"A": a, "C": c}, "time_decay": {"A": a_third, "C": c_two}}


LINES = [{**line("m1", "C", "MuscleBlaze", "600", 0, rule="coupon"), "touchpoints": TOUCHES,
          "credits": credits("600", "300", "300", "200", "400")},
         {**line("m1", "C", "MuscleBlaze", "300", 0, rule="coupon", line_no=1), "counts_order": False,
          "touchpoints": TOUCHES, "credits": credits("300", "150", "150", "100", "200")}]
REFUND = {**refund("mr", "m1", "C", "MuscleBlaze", "300", 0), "credits": credits("300", "150", "150", "100", "200")}
ONBOARDING = [*INFLUENCERS, contract("A-mb", "A", "MuscleBlaze", "order", "100"),
              contract("C-mb", "C", "MuscleBlaze", "revenue_share", "0.1"), contract("B-hk", "B", "HKVitals", "post", "1000"),
              post("b1", "B", "youtube", "HKVitals", 1, 100, 1, 1)]


@pytest.fixture(scope="module")
def engine(postgres):
    url = postgres.create_database("hk_model_reports")
    migrate(Settings(env="dev", database_url=url, business_tz=TZ))
    engine = make_engine(url)
    for records in (ONBOARDING, LINES, [REFUND]):
        write_batch(engine, batch(records), Calendar(TZ))
    yield engine
    engine.dispose()


def side_by_side(engine, **filters) -> dict:
    with engine.connect() as conn:
        return {r.influencer_id: r._asdict() for r in run(conn, "models", Filters(date_from=day(30), date_to=day(0), **filters))}


def test_the_side_by_side_report_has_each_models_revenue_and_roas(engine):
    rows = side_by_side(engine)
    a, b, c = rows["A"], rows["B"], rows["C"]
    assert (a["linear_revenue"], a["linear_roas"], c["linear_revenue"], c["linear_roas"]) == (D(300), D("6.00"), D(300), D("10.00"))
    assert (a["first_touch_revenue"], a["first_touch_roas"], c["first_touch_revenue"]) == (D(600), D("6.00"), D(0))
    assert (c["last_touch_revenue"], c["last_touch_roas"], a["last_touch_revenue"]) == (D(600), D("10.00"), D(0))
    assert (c["rules_revenue"], c["rules_roas"], a["rules_revenue"]) == (D(600), D("10.00"), D(0))
    assert (a["time_decay_revenue"], c["time_decay_revenue"]) == (D(200), D(400))
    assert (a["starts_minus_closes"], c["starts_minus_closes"]) == (D(600), D(-600))  # A starts, C closes
    assert {m: b[f"{m}_revenue"] for m in ("rules", "linear", "time_decay")} == {"rules": 0, "linear": 0, "time_decay": 0}
    assert (b["linear_roas"], b["rules_roas"]) == (D("0.00"), D("0.00"))  # its post's 1000 under every model
    assert list(rows) == ["C", "A", "B"]  # ranked by the rules' revenue, then first touch's


def test_each_models_orders_and_spend_follow_the_credited_share(engine):
    with engine.connect() as conn:
        figures = {(r.influencer_id, r.model): (r.orders, r.revenue, r.spend) for r in conn.execute(text(
            "SELECT * FROM report_model_figures(p_model => 'linear')"))}
        by_credit = conn.execute(text("SELECT source_id, model, sum(revenue) FROM model_credits "
                                      "GROUP BY 1, 2 ORDER BY 1, 2")).all()
    assert figures[("A", "linear")] == (D("0.5"), D(300), D(50))
    assert figures[("C", "linear")] == (D("0.5"), D(300), D(30))
    assert figures[("B", "linear")] == (D(0), D(0), D(1000))
    # every line's and refund's credits add up to it exactly under every model
    amounts = {"m1|0": D(600), "m1|1": D(300), "mr|0": D(-300)}
    assert sorted({(s, total) for s, _, total in by_credit}) == sorted(amounts.items())
    assert len(by_credit) == 3 * 5


def kept_and_defined(conn) -> dict:
    """The models' rollups as the batches left them, and as their definitions (migrations 0010, 0011) say."""
    return {table: [conn.execute(text(f"SELECT * FROM {source} ORDER BY 1, 2, 3, 4, 5")).all() for source in sources]
            for table, sources in (("model_daily", ("model_daily", "model_daily_from_facts()")),
                                   ("model_totals", ("model_totals", "model_totals_from_daily()")),
                                   ("model_windows", ("model_windows",
                                                      "model_windows_from_daily((SELECT as_of FROM rolling_state))")))}


def test_the_model_rollups_equal_their_definitions_and_a_replay_changes_nothing(engine):
    with engine.connect() as conn:
        before = kept_and_defined(conn)
        posts = conn.execute(text("SELECT model, spend FROM model_daily WHERE influencer_id = 'B' ORDER BY 1")).all()
    for table, (kept, defined) in before.items():
        assert kept == defined and kept, table
    assert posts == [(m, D(1000)) for m in CREDITED]  # B's post under every model, and nothing else of B's
    write_batch(engine, batch(LINES + [REFUND]), Calendar(TZ))
    with engine.connect() as conn:
        assert kept_and_defined(conn) == before
    platforms = {r.influencer_id: r.platform for r in before["model_daily"][0]}
    assert platforms == {"A": "instagram", "B": "youtube", "C": "twitter"}  # each credited influencer's own platform


def test_the_sql_list_of_models_is_the_workers(engine):
    with engine.connect() as conn:
        assert conn.execute(text("SELECT attribution_models()")).scalar_one() == list(CREDITED)


def test_the_order_level_report_shows_the_touchpoints(engine):
    with engine.connect() as conn:
        rows = [r for r in run(conn, "orders", Filters(date_from=day(1), date_to=day(0))) if r.order_id == "m1"]
    assert [r.touchpoints for r in rows] == [TOUCHES, TOUCHES]
    assert rows[0].rule == "coupon" and rows[0].influencer_id == "C"


def test_the_report_takes_the_filters_and_a_limit(engine):
    assert list(side_by_side(engine, limit=1)) == ["C"]
    assert side_by_side(engine, brands=["Gritzo"]) == {}
    assert set(side_by_side(engine, categories=["Yoga"])) == {"B"}


def test_the_long_form_takes_one_model_and_refuses_an_unknown_one(engine):
    with engine.connect() as conn:
        rows = run(conn, "model_figures", Filters(model="first_touch")).all()
        # C has no first-touch credit and no post spend: no row; B's post spend is carried under every model
        assert {(r.influencer_id, r.model, r.revenue, r.spend) for r in rows} == {
            ("A", "first_touch", D(600), D(100)), ("B", "first_touch", D(0), D(1000))}
        every = {tuple(r) for r in run(conn, "model_figures").all()}
        one_by_one = {tuple(r) for m in MODELS for r in run(conn, "model_figures", Filters(model=m)).all()}
        assert every == one_by_one and {r[3] for r in every} == set(MODELS)
        with pytest.raises(FilterError, match="no attribution model 'u_shaped'"):
            run(conn, "model_figures", Filters(model="u_shaped"))
        with pytest.raises(FilterError, match="does not take model"):
            run(conn, "models", Filters(model="linear"))


# Credited lines over a year and three brands, for the windows: each path of report_model_figures must agree.
HISTORY = [*ONBOARDING, contract("A-gr", "A", "Gritzo", "revenue_share", "0.2"),
           *({**line(f"h{n}", "C", brand, str(100 + n), n, rule="click"), "touchpoints": TOUCHES,
              "credits": credits(str(100 + n), f"{50 + n / 2:.1f}", f"{50 + n / 2:.1f}", "40", str(60 + n))}
             for n, brand in ((0, "Gritzo"), (3, "MuscleBlaze"), (6, "HKVitals"), (7, "Gritzo"), (20, "MuscleBlaze"),
                              (30, "Gritzo"), (31, "HKVitals"), (45, "MuscleBlaze"), (200, "Gritzo"), (365, "HKVitals"))),
           refund("hr", "h3", "C", "MuscleBlaze", "103", 1) | {"credits": credits("103", "51.5", "51.5", "40", "63")},
           post("b9", "B", "youtube", "Gritzo", 29, 10, 1, 1)]


@pytest.fixture(scope="module")
def history(postgres):
    url = postgres.create_database("hk_model_windows")
    migrate(Settings(env="dev", database_url=url, business_tz=TZ))
    engine = make_engine(url)
    for n in range(0, len(HISTORY), 5):  # a few batches, each adding to the windows
        write_batch(engine, batch(HISTORY[n:n + 5]), Calendar(TZ))
    yield engine
    engine.dispose()


def figures(engine, windows: bool, **args) -> list:
    """report_model_figures' rows, reading the maintained windows or (windows=False) only the daily rows."""
    with engine.connect() as conn:
        if not windows:  # no window matches any range: the function takes its daily-rows branch
            conn.execute(text("CREATE OR REPLACE FUNCTION rolling_windows() RETURNS integer[] IMMUTABLE "
                              "LANGUAGE sql AS $$ SELECT ARRAY[]::integer[] $$"))
        rows = conn.execute(text("SELECT * FROM report_model_figures(:f, :t, :b, :p, :c, :m, :i)"), args).all()
        conn.rollback()
    return rows


@pytest.mark.parametrize("length", [7, 30, 31, 366])
def test_the_model_figures_read_the_windows_and_answer_as_the_daily_rows_do(history, length):
    with history.connect() as conn:
        kept = kept_and_defined(conn)
    assert kept["model_windows"][0] == kept["model_windows"][1] and kept["model_daily"][0] == kept["model_daily"][1]
    compared = 0
    for brands in (None, ["Gritzo", "HKVitals", "MuscleBlaze"], ["Gritzo"], ["Gritzo", "HKVitals"]):
        for model, influencers, categories in ((None, None, None), ("linear", None, None), (None, ["A"], None),
                                               ("time_decay", ["A", "C"], ["Fitness"]), (None, None, ["Yoga"])):
            args = {"f": day(length - 1), "t": day(0), "b": brands, "p": None, "c": categories, "m": model,
                    "i": influencers}
            fast, slow = figures(history, True, **args), figures(history, False, **args)
            assert fast == slow, (length, brands, model, influencers, categories)
            compared += bool(fast)
    assert compared >= 15  # not a comparison of empty answers


@pytest.mark.parametrize("days", [1, 3, 29, 200, 400])
def test_moving_the_model_windows_a_few_days_equals_rebuilding_them(history, days):
    with history.connect() as conn:
        conn.execute(text("SELECT refresh_rolling(true)"))
        rebuilt = conn.execute(text("SELECT * FROM model_windows ORDER BY 1, 2, 3, 4")).all()
        conn.execute(text("SELECT refresh_rolling(true, :d)"), {"d": day(days)})
        then = conn.execute(text("SELECT * FROM model_windows ORDER BY 1, 2, 3, 4")).all()
        conn.execute(text("SELECT refresh_rolling()"))
        moved = conn.execute(text("SELECT * FROM model_windows ORDER BY 1, 2, 3, 4")).all()
        conn.rollback()
    assert then != rebuilt and moved == rebuilt


@pytest.mark.parametrize("length", [7, 31, 366])
def test_the_ranked_panels_top_from_the_windows_is_the_full_rankings_head(history, length):
    """report_model_top narrows the ranked model panels to the influencers that can make their top: the same rows
    as ranking everyone, and an answer (not NULL: everyone) where the windows can give one."""
    narrowed = 0
    with history.connect() as conn:
        for brands in (None, ["Gritzo"], ["Gritzo", "HKVitals"]):
            for model in MODELS:
                for limit, categories in ((1, None), (2, None), (3, None), (1, ["Fitness"])):
                    args = {"f": day(length - 1), "t": day(0), "b": brands, "c": categories, "m": model, "n": limit}
                    filters = "CAST(:f AS date), CAST(:t AS date), CAST(:b AS text[]), NULL, CAST(:c AS text[])"
                    chosen = conn.execute(text(f"SELECT report_model_top({filters}, :m, :n)"), args).scalar_one()
                    ranked = (f"SELECT influencer_id, revenue FROM report_model_figures({filters}, p_model => :m{{}}) "
                              "ORDER BY revenue DESC, influencer_id LIMIT :n")
                    full = conn.execute(text(ranked.format("")), args).all()
                    top = conn.execute(text(ranked.format(", p_influencers => CAST(:i AS text[])")), {**args, "i": chosen}).all()
                    assert top == full, (length, brands, model, limit, categories, chosen)
                    side = ("SELECT influencer_id FROM report_models({}, p_limit => :n, p_influencers => CAST(:i AS text[]))"
                            .format(filters))
                    if model == "rules":
                        assert conn.execute(text(side), {**args, "i": chosen}).all() == conn.execute(
                            text(side), {**args, "i": None}).all()
                    narrowed += chosen is not None and len(chosen) < 3
    assert narrowed  # the windows did narrow some rankings


def test_a_post_contract_arriving_after_its_post_is_paid_under_every_model(history):
    write_batch(history, batch([post("late-post", "D", "instagram", "HKVitals", 2, 50, 1, 1)]), Calendar(TZ))
    write_batch(history, batch([contract("D-hk", "D", "HKVitals", "post", "250")]), Calendar(TZ))
    with history.connect() as conn:
        paid = conn.execute(text("SELECT model, spend FROM model_windows WHERE window_days = 31 AND brand = '' "
                                 "AND influencer_id = 'D' ORDER BY 1")).all()
        kept = kept_and_defined(conn)
    assert paid == [(m, D(250)) for m in sorted(CREDITED)]
    for table, (stored, defined) in kept.items():
        assert stored == defined, table


def totals(engine, **args) -> list:
    with engine.connect() as conn:
        return conn.execute(text("SELECT * FROM report_model_totals(:f, :t, :b, :p, :c, :m)"), args).all()


def added_up(engine, **args) -> list:
    """report_model_figures' rows added up per model, as the stat panels did before report_model_totals."""
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT m.model, coalesce(sum(f.orders), 0), coalesce(sum(f.revenue), 0), coalesce(sum(f.spend), 0), "
            "round(sum(f.revenue) / nullif(sum(f.spend), 0), 2) "
            "FROM unnest(CAST(:models AS text[])) WITH ORDINALITY AS m(model, n) "
            "LEFT JOIN report_model_figures(:f, :t, :b, :p, :c, :m) f ON f.model = m.model "
            "WHERE CAST(:m AS text) IS NULL OR m.model = :m GROUP BY m.model, m.n ORDER BY m.n"),
            {**args, "models": list(MODELS)}).all()


CATEGORY_FILTERS = (None, ["Fitness"], ["Yoga", "Fitness"], ["unknown"], ["Fitness", "Yoga", "Nutrition", "Wellness"])


@pytest.mark.parametrize("length", [7, 30, 31, 366])
def test_the_model_totals_are_what_the_influencers_rows_add_up_to(history, length):
    """The stat panels' report (one row per model from model_totals and daily_totals) against every influencer's
    rows summed, for each brand, platform and category selection."""
    compared = 0
    for brands in (None, ["Gritzo"], ["Gritzo", "HKVitals"]):
        for platforms in (None, ["twitter"]):
            for categories in CATEGORY_FILTERS:
                for model in (None, "rules", "linear"):
                    args = {"f": day(length - 1), "t": day(0), "b": brands, "p": platforms, "c": categories, "m": model}
                    fast = totals(history, **args)
                    assert fast == added_up(history, **args), args
                    compared += any(r[2] for r in fast)
    assert compared >= 20


def journey(amount: str, to_q: str) -> dict:
    """Q (not known yet, then onboarded, then recategorised) shares the credit with A."""
    rest = str(D(amount) - D(to_q))
    return {"first_touch": {"Q": amount}, "last_touch": {"A": amount}, "linear": {"Q": to_q, "A": rest},
            "position_based": {"Q": to_q, "A": rest}, "time_decay": {"A": amount}}


QUIET = {"type": "influencer", "influencer_id": "Q", "name": "quiet", "category": "Nutrition", "platform": "youtube",
         "follower_count": 10}


def test_the_model_totals_move_an_influencers_history_with_its_category(history):
    """model_totals equals its definition after each batch: credits to an influencer not known yet (category
    unknown), the influencer arriving, its category changing with a credit in the same batch, and a replay."""
    steps = [[{**line("q1", "A", "Gritzo", "80", 2, rule="click"), "credits": journey("80", "30")},
              {**line("q2", "A", "HKVitals", "40", 40, rule="click"), "credits": journey("40", "10")}],
             [QUIET],
             [{**QUIET, "category": "Yoga"}, {**line("q3", "A", "Gritzo", "60", 0, rule="click"), "credits": journey("60", "20")},
              refund("qr", "q1", "A", "Gritzo", "80", 0) | {"credits": journey("80", "30")}],
             [{**line("q1", "A", "Gritzo", "80", 2, rule="click"), "credits": journey("80", "30")}]]
    revenue = []  # linear revenue under unknown, Nutrition and Yoga after each step
    for records in steps:
        write_batch(history, batch(records), Calendar(TZ))
        with history.connect() as conn:
            for table, (stored, defined) in kept_and_defined(conn).items():
                assert stored == defined, (records, table)
        args = {"f": day(365), "t": day(0), "b": None, "p": None, "m": "linear"}
        for categories in CATEGORY_FILTERS:
            assert totals(history, **args, c=categories) == added_up(history, **args, c=categories)
        revenue.append([totals(history, **args, c=[c])[0].revenue for c in ("unknown", "Nutrition", "Yoga")])
    unknown, nutrition, yoga = revenue[0][0], revenue[0][1], revenue[0][2]
    assert unknown == D(40)  # Q's linear shares of q1 and q2
    assert revenue[1] == [0, nutrition + 40, yoga]  # Q arrives in Nutrition with its history
    assert revenue[2] == [0, nutrition, yoga + 40 + 20 - 30]  # then moves to Yoga, with q3 and the refund of q1
    assert revenue[3] == revenue[2]  # a replay changes nothing


def shared(amount: str, e: str, half: str, e_quarter: str) -> dict:
    """E starts the journey A's link closes."""
    rest = lambda part: str(D(amount) - D(part))  # noqa: E731
    return {"first_touch": {"E": amount}, "last_touch": {"A": amount}, "linear": {"E": half, "A": rest(half)},
            "position_based": {"E": half, "A": rest(half)}, "time_decay": {"E": e_quarter, "A": rest(e_quarter)}}


def test_a_contract_arriving_after_its_orders_prices_their_credits_under_every_model(history):
    """E has no contract when its credited orders arrive (no spend under any model); its contracts come later and
    price them, as the rules' spend is backfilled: revenue_share 0.1 in MuscleBlaze (a line of 200, 80 of it
    refunded), an order contract of 100 in HKVitals (an order's first line counts it, the second does not)."""
    write_batch(history, batch([
        {**line("e1", "A", "MuscleBlaze", "200", 4, rule="click"), "credits": shared("200", "200", "100", "50")},
        refund("er", "e1", "A", "MuscleBlaze", "80", 1) | {"credits": shared("80", "80", "40", "20")},
        {**line("e2", "A", "HKVitals", "60", 3, rule="click"), "credits": shared("60", "60", "30", "15")},
        {**line("e2", "A", "HKVitals", "40", 3, rule="click", line_no=1), "counts_order": False,
         "credits": shared("40", "40", "20", "10")}]), Calendar(TZ))

    def spend() -> dict:
        with history.connect() as conn:
            return dict(conn.execute(text("SELECT model, spend FROM report_model_figures(p_influencers => ARRAY['E'])")).all())

    assert spend() == {m: 0 for m in ("first_touch", "linear", "position_based", "time_decay")}
    contracts = [contract("E-mb", "E", "MuscleBlaze", "revenue_share", "0.1"), contract("E-hk", "E", "HKVitals", "order", "100")]
    write_batch(history, batch(contracts), Calendar(TZ))
    # MuscleBlaze: 0.1 x (credit - refunded credit); HKVitals: 100 x E's share of the order's first line
    priced = {"first_touch": D("12") + 100, "linear": D("6") + 50, "position_based": D("6") + 50,
              "time_decay": D("3") + 25}
    assert spend() == priced
    write_batch(history, batch(contracts), Calendar(TZ))  # a replay prices nothing twice
    assert spend() == priced
    with history.connect() as conn:
        for table, (stored, defined) in kept_and_defined(conn).items():
            assert stored == defined, table
        totals = conn.execute(text("SELECT model, spend FROM report_model_totals(p_categories => ARRAY['Wellness'])")).all()
    assert dict(totals[1:]) == {"last_touch": 0, **priced}  # E is the only Wellness influencer with credits
