"""Prints queue depths as JSON lines for the hourly check; nothing when every queue is empty."""
import json
import os

depths = json.loads(os.environ.get("QUEUE_DEPTHS", "{}"))
for queue, depth in sorted(depths.items()):
    if depth:
        print(json.dumps({"queue": queue, "depth": depth}))
