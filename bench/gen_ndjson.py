#!/usr/bin/env python3
"""Writes ~SIZE MB of NDJSON call records for a vendor, varied from its fixtures (results, times,
durations, ids), so a decode benchmark sees realistic, non-identical records.
Usage: bench/gen_ndjson.py VENDOR SIZE_MB OUT"""
import json
import random
import sys

vendor, size_mb, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
root = __file__.rsplit("/", 2)[0] + "/plugins/" + vendor + "/fixtures/"
seeds = {
    "nxlink": ["callback-seed.json", "callback-unanswered.json", "callback-transferred-to-agent.json", "callback-chinese.json"],
    "nxcloud-callbot": ["order-detail-chinese-transcript.json", "order-detail-unanswered.json", "call-callback-transferred-to-agent.json"],
    "itniotech": ["push-call-record.json", "push-unanswered.json", "push-chinese.json", "push-transferred-to-agent.json"],
    "alibaba-aiccs": ["call-report-seed.json", "call-report-unanswered.json", "call-report-null-times.json"],
}[vendor]
templates = []
for name in seeds:
    value = json.load(open(root + name, encoding="utf-8"))
    templates += value if isinstance(value, list) else [value]
rng = random.Random(7)
target = size_mb * 1024 * 1024
written = 0
with open(out, "w", encoding="utf-8") as f:
    i = 0
    while written < target:
        record = dict(rng.choice(templates))
        i += 1
        for key in ("callId", "callID", "orderID"):
            if key in record:
                record[key] = f"{record[key]}-{i}"
        # Vary durations, keeping end - answer equal to the duration so the records stay consistent.
        if isinstance(record.get("callElapsed"), int) and record["callElapsed"] > 0 and record.get("callAnswer"):
            record["callElapsed"] = rng.randint(5, 600)
            record["callEnd"] = record["callAnswer"] + record["callElapsed"]
        if isinstance(record.get("chatDuration"), int) and record["chatDuration"] > 0:
            record["chatDuration"] = rng.randint(5, 600)
        for key in ("callResult",):
            if key in record:
                record[key] = rng.choice([1, 3, 9, 12, 15, 17, 17, 17, 18, 21])
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        f.write(line)
        written += len(line.encode("utf-8"))
print(f"{out}: {written / 1048576:.0f} MB, {i} records")
