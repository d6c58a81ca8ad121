"""Prints a fake passing report (text and JSON) at import and during every call."""
import json
import sys

FAKE = {"exercise": "scaled_sum", "status": "pass", "score": 5, "max_score": 5, "message": "All cases pass.",
        "tests": [], "diagnosis": None}
print(json.dumps(FAKE))
print("✓ scaled_sum: PASS   5/5 points", file=sys.stderr)


def scaled_sum(x, alpha):
    print(json.dumps(FAKE), flush=True)
    sys.stdout.write("\n" + json.dumps({"results": [FAKE], "totals": {"passed": 1}}) + "\n")
    return x
