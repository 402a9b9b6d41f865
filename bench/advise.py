#!/usr/bin/env python3
"""Writes a synthetic advisor case: one partner, 50 VIP subtracks, each needing some of 30 credentials,
and a catalogue of those 30 credentials with costs and lead times. Used by bench/advise.sh."""
import os
import random
import sys

out, seed = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 7
random.seed(seed)
os.makedirs(f"{out}/data", exist_ok=True)
os.makedirs(f"{out}/programs", exist_ok=True)
creds = [f"C{i:02d}" for i in range(30)]
lines = ["id: BIGVIP", "kind: vip", "currency: USD", "period: {start: 2015-01-01, end: 2015-06-30}", "tracks:"]
for t in range(5):
    lines += [f"  - id: t{t}", "    subtracks:"]
    for s in range(10):
        k = t * 10 + s
        req_all = ", ".join(random.sample(creds, random.randint(0, 2)))
        req_any = ", ".join(random.sample(creds, random.randint(0, 3)))
        lines.append(
            f"      - {{id: s{s}, rebate_percent: {random.randint(1, 15)}, products: [\"P{k:02d}-*\"], "
            f"requires_all: [{req_all}], requires_any: [{req_any}], minimum_volume: {random.randint(0, 50) * 1000}}}")
open(f"{out}/programs/big.yaml", "w").write("\n".join(lines) + "\n")
open(f"{out}/data/partners.csv", "w").write("partner_id,name,country,tier\nP1,One,NL,gold\n")
bookings = ["order_id,line,partner_id,booked_on,sku,amount,currency"]
bookings += [f"O{k},1,P1,2015-02-01,P{k:02d}-X,{random.randint(10, 200) * 1000}.00,USD" for k in range(50)]
open(f"{out}/data/bookings.csv", "w").write("\n".join(bookings) + "\n")
catalogue = ["credentials:"]
catalogue += [f"  - {{id: {c}, name: {c}, cost: {random.randint(1, 40) * 500}, lead_time_days: {random.randint(5, 60)}}}" for c in creds]
open(f"{out}/catalogue.yaml", "w").write("\n".join(catalogue) + "\n")
