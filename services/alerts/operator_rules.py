"""deploy/prometheus/rules/operators.yml from deploy/alerts/slos.yml (``hk alert-rules``): the SLIs' error
ratios recorded over every window, multi-window burn-rate alerts on them, and the plain alerts (a service
down, lag growing, dead letters, Postgres errors, alerts not published). Every alert is labelled
``team: operators`` (Alertmanager routes it apart from the marketers' ROAS alerts) and ``service`` (a down
service inhibits its own lag alert). ``scale`` shrinks every window and ``for:`` for the real-stack test;
the recording rules keep their names (``ratio_rate1h`` at any scale) so the board and alerts do not change."""
from __future__ import annotations

from pathlib import Path

import yaml
from prometheus_client.utils import floatToGoString

from .slos import Slos, duration, load, seconds

OUT = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "rules" / "operators.yml"
SERVICES = ("ingest", "attribution", "aggregator")
MIN_WINDOW_S = 5
TITLES = {"freshness": "Freshness", "ingest_availability": "IngestAvailability"}  # alert names: <title>BudgetBurn
NAMES = {"freshness": "Freshness", "ingest_availability": "Ingest availability"}
WHAT = {"freshness": "events reached the tables more than {s:g} s after the broker acknowledged them (or not yet)",
        "ingest_availability": "POST /v1/events requests were answered with a 5xx"}


def pct(d) -> str:
    return f"{(d * 100).normalize():f} %"


def window(seconds_: float, scale: float) -> str:
    """A range selector's length, scaled; never under 5 s, where a 1 s scrape leaves too few samples for rate()."""
    return duration(max(seconds_ * scale, MIN_WINDOW_S))


def runbook(alert: str) -> str:
    kebab = "".join(f"-{c.lower()}" if c.isupper() else c for c in alert).lstrip("-")
    return f"docs/runbooks/{kebab}.md"


def sli(slo: str, window: str, s: Slos) -> str:
    """The error ratio over ``window``. A missing numerator (no aggregator running, no 5xx ever) counts as 0."""
    if slo == "freshness":
        le = floatToGoString(s.freshness_seconds)
        good = f'sum(rate(hk_event_freshness_seconds_bucket{{le="{le}"}}[{window}]))'
        # the replicas' readings are merged before the window is taken: a replica replaced mid-window (a new
        # address) would otherwise count for only its part of the window; delta, not rate, so a reading that
        # lags its peers by a few records is not taken for a counter reset
        valid = f"sum(clamp_min(delta(topic:hk_source_end_offsets:max[{window}]), 0)) / {seconds(window)}"
        return f"clamp_min(1 - (({good}) or vector(0)) / ({valid}), 0)"
    bad = f'sum(rate(hk_ingest_requests_total{{status=~"5.."}}[{window}]))'
    return f"(({bad}) or vector(0)) / sum(rate(hk_ingest_requests_total[{window}]))"


def recording(s: Slos, scale: float) -> list[dict]:
    rules: list[dict] = [{"record": "topic:hk_source_end_offsets:max",
                          "expr": 'max by (topic) (hk_source_end_offsets{service="aggregator"})'}]
    for slo in TITLES:
        for w in s.windows():
            rules.append({"record": f"slo:sli_error:ratio_rate{duration(w)}", "expr": sli(slo, window(w, scale), s),
                          "labels": {"slo": slo}})
        for w in s.windows():
            rules.append({"record": f"slo:burn_rate:rate{duration(w)}", "labels": {"slo": slo},
                          "expr": f'slo:sli_error:ratio_rate{duration(w)}{{slo="{slo}"}} / {s.budget(slo)}'})
        rules.append({"record": "slo:error_budget_remaining:ratio", "labels": {"slo": slo},
                      "expr": f'1 - slo:sli_error:ratio_rate{duration(s.period)}{{slo="{slo}"}} / {s.budget(slo)}'})
    rules.append({"record": "service_topic:hk_source_lag:max", "expr": "max by (service, topic) (hk_source_lag)"})
    return rules


def alert(name: str, expr: str, for_s: float, scale: float, severity: str, summary: str, description: str,
          **labels: str) -> dict:
    return {"alert": name, "expr": expr, "for": duration(for_s * scale),
            "labels": {"severity": severity, "team": "operators", **labels},
            "annotations": {"summary": summary, "description": description, "runbook_url": runbook(name)}}


def burn_alerts(s: Slos, scale: float) -> list[dict]:
    out = []
    for slo, title in TITLES.items():
        what = WHAT[slo].format(s=s.freshness_seconds)
        target = s.budget(slo)
        for b in s.burn_rates:
            threshold = b.factor * target
            ratio = lambda w, slo=slo, threshold=threshold: f'slo:sli_error:ratio_rate{duration(w)}{{slo="{slo}"}} > {threshold}'
            service = "aggregator" if slo == "freshness" else "ingest"
            out.append(alert(
                f"{title}BudgetBurn", f"{ratio(b.long)} and {ratio(b.short)}", b.for_, scale, b.severity,
                f"{NAMES[slo]} is spending its error budget {b.factor}× too fast ({b.name} burn)",
                f"Over the last {duration(b.long)}, {{{{ $value | humanizePercentage }}}} of {what}, and still over "
                f"{b.factor}× the budget in the last {duration(b.short)}; the objective allows {pct(target)} over {duration(s.period)}. At this rate "
                f"the whole budget goes in {duration(s.period / float(b.factor))}.",
                slo=slo, burn=b.name, service=service))
    return out


def plain_alerts(s: Slos, scale: float) -> list[dict]:
    a = s.alerts
    w = lambda key: window(a[key], scale)
    jobs = "|".join(SERVICES)
    down = " or ".join([f'up{{job=~"{jobs}"}} == 0'] + [f'absent(up{{job="{j}"}})' for j in SERVICES])
    return [
        alert("ServiceDown", f'label_replace({down}, "service", "$1", "job", "(.+)")', a["service_down_for"], scale, "page",
              "{{ $labels.service }} is down",
              "{{ $labels.service }} {{ with $labels.instance }}at {{ . }} {{ else }}(no target at all) {{ end }}"
              f"has not answered Prometheus's scrape for {duration(a['service_down_for'])}: its events wait on Kafka "
              "and the boards stop moving."),
        alert("ConsumerLagGrowing",
              f"service_topic:hk_source_lag:max > {a['lag_min_events']} and "
              f"deriv(service_topic:hk_source_lag:max[{w('lag_window')}]) > 0", a["lag_growing_for"], scale, "page",
              "{{ $labels.service }} is falling behind on {{ $labels.topic }}",
              f"{{{{ $value }}}} records of {{{{ $labels.topic }}}} are not yet committed by the {{{{ $labels.service }}}} "
              f"group (the broker's view, read by the ingest), over {a['lag_min_events']} and still growing after "
              f"{duration(a['lag_growing_for'])}."),
        alert("DeadLettersHigh",
              f"sum by (service, reason) (rate(hk_dead_letter_events_total[{w('dead_letters_window')}])) > "
              f"{a['dead_letters_per_second']}", a["dead_letters_for"], scale, "ticket",
              "{{ $labels.service }} is dead-lettering {{ $labels.reason }}",
              f"{{{{ $value | humanize }}}} events/s of reason {{{{ $labels.reason }}}} go to hk.dead-letter from "
              f"{{{{ $labels.service }}}} (over {a['dead_letters_per_second']}/s for {duration(a['dead_letters_for'])}): "
              "they are not in the tables until replayed."),
        alert("PostgresWriteErrors",
              f"sum by (service, operation) (increase(hk_postgres_errors_total[{w('postgres_errors_window')}])) > 0",
              a["postgres_errors_for"], scale, "page",
              "{{ $labels.service }} cannot write to Postgres ({{ $labels.operation }})",
              "{{ $value | humanize }} failed attempts at {{ $labels.operation }} in the last "
              f"{duration(a['postgres_errors_window'])}, for {duration(a['postgres_errors_for'])}: the aggregator retries "
              "and acknowledges nothing meanwhile, so its lag grows and the boards stop moving."),
        alert("BrokerViewMissing",
              'absent(hk_source_end_offsets{service="aggregator"}) and on () (count(up{job="ingest"} == 1) > 0)',
              a["broker_view_missing_for"], scale, "ticket", "The broker's view of lag and freshness is missing",
              "The ingest answers scrapes but exports no hk_source_end_offsets: it cannot read the consumer groups' "
              f"offsets from the broker (for {duration(a['broker_view_missing_for'])}). The freshness objective and "
              "ConsumerLagGrowing have no data meanwhile and cannot page."),
        alert("AlertsNotPublished", f"max(hk_alert_outbox_age_seconds) > {a['outbox_age_seconds']}", a["outbox_for"],
              scale, "page", "ROAS alert events are not being published",
              f"The oldest event in alert_outbox has waited {{{{ $value | humanizeDuration }}}} (over "
              f"{a['outbox_age_seconds']} s for {duration(a['outbox_for'])}): subscribers of hk.alerts do not hear of "
              "ROAS alerts.", service="aggregator"),
    ]


def render(s: Slos | None = None, scale: float = 1.0) -> str:
    s = s or load()
    # one group: its rules run in order at each evaluation, so every alert reads the SLIs recorded at that same
    # instant (in two groups the order between them is not fixed, and a pending alert's start moved by one step)
    doc = {"groups": [{"name": "hk-operators", "rules": recording(s, scale) + burn_alerts(s, scale) + plain_alerts(s, scale)}]}
    header = "# Generated by `hk alert-rules` from deploy/alerts/slos.yml; do not edit by hand.\n"
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120)
