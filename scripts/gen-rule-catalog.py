"""Regenerates activities/analysis/rule-catalog.json from Falco's default rules (dev-time only).

Usage: python3 scripts/gen-rule-catalog.py ../shared/data/falco/falco_rules.yaml
Keeps only what the analyser needs: each rule's priority and tags (MITRE tactic/technique).
"""
import json
import sys

import yaml

rules = {}
for item in yaml.safe_load(open(sys.argv[1])):
    if isinstance(item, dict) and "rule" in item and "priority" in item:
        rules[item["rule"]] = {"priority": str(item["priority"]).capitalize(), "tags": item.get("tags", [])}
out = "activities/analysis/rule-catalog.json"
json.dump({"source": "falcosecurity/rules falco_rules.yaml (Apache-2.0)", "rules": rules}, open(out, "w"), indent=1, sort_keys=True)
print(f"{len(rules)} rules -> {out}")
