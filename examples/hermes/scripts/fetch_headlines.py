"""Collects today's infrastructure headlines for the briefing job.

Prints one headline a line. When there is nothing new since the last run it prints the
wake gate {"wakeAgent": false} as its last line, and the agent is not called at all.
HEADLINES_FILE (one headline a line) stands in for a news API in this example.
"""
import json
import os
import sys

path = os.environ.get("HEADLINES_FILE", "headlines.txt")
try:
    with open(path, encoding="utf-8") as handle:
        headlines = [line.strip() for line in handle if line.strip()]
except FileNotFoundError:
    print(f"headlines source {path} is missing", file=sys.stderr)
    sys.exit(2)

if not headlines:
    print(json.dumps({"wakeAgent": False}))
else:
    for headline in headlines:
        print(f"- {headline}")
