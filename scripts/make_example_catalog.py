#!/usr/bin/env python3
"""Writes examples/stores.csv: a deterministic synthetic catalog of 1,000 stores.

Each store's conversion rate is drawn from Beta(5, 95) (chain mean 5%), its visit count is
log-uniform between 1 and 5,000, and its purchases are binomial. Fixed seed: the file is
reproducible byte for byte. Usage: python3 scripts/make_example_catalog.py > examples/stores.csv
"""
import math
import random

rng = random.Random(20261125)
print("store_id,region,successes,trials")
regions = ["north", "south", "east", "west"]
for i in range(1000):
    rate = rng.betavariate(5, 95)
    trials = int(math.exp(rng.uniform(0, math.log(5000))))
    successes = sum(1 for _ in range(trials) if rng.random() < rate)
    print(f"store_{i:04d},{regions[i % 4]},{successes},{trials}")
