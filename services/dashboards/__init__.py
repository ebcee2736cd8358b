"""Grafana dashboards as code (grafana-foundation-sdk, Grafana 11 flavour); ``hk dashboards`` writes the JSON
that deploy/grafana/ provisions, and a test fails when the committed JSON differs from what this code makes."""
