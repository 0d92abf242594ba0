"""Parses Prometheus text (stdin) with prometheus_client, the reference parser, and prints what it
read as JSON: each family's type and every sample as "name{k=v,...}" -> value (labels sorted).
A line the parser refuses raises, and the exit status says so. Used by tests/cli/
observability_test.cpp on `vyre cache stats --prometheus`."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

families = {}
samples = {}
for family in text_string_to_metric_families(sys.stdin.read()):
    families[family.name] = family.type
    for s in family.samples:
        labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
        samples[f"{s.name}{{{labels}}}"] = s.value
print(json.dumps({"families": families, "samples": samples}))
