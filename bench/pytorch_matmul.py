"""Prints PyTorch's matMul GFLOP/s for the shapes given as JSON: pytorch_matmul.py THREADS SHAPES."""
import json
import sys
import time

import torch

torch.set_num_threads(int(sys.argv[1]))
result = []
for m, k, n in json.loads(sys.argv[2]):
    a, b = torch.randn(m, k), torch.randn(k, n)
    times = []
    for i in range(120):
        start = time.perf_counter()
        a @ b
        if i >= 20:
            times.append(time.perf_counter() - start)
    times.sort()
    result.append(2 * m * k * n / times[len(times) // 2] / 1e9)
print(json.dumps(result))
