"""PyTorch reference for the benchmark: the same protocols as the TypeScript side.

Prints one JSON object: ms per generator iteration of the WGAN-GP toy protocol, and the time to
compute critic input-gradient norms for 10,000 2-D points and for 2,000 784-D points.
Run with OMP_WAIT_POLICY=PASSIVE; torch uses the thread count given by --threads.
"""
import argparse
import json
import time

import torch
from torch import nn


def mlp(inputs, width, depth, outputs):
    layers, size = [], inputs
    for _ in range(depth):
        layers += [nn.Linear(size, width), nn.ReLU()]
        size = width
    layers.append(nn.Linear(size, outputs))
    return nn.Sequential(*layers)


def eight_gaussians(batch):
    scale = 2.0
    centers = torch.tensor([(1, 0), (-1, 0), (0, 1), (0, -1), (0.7071, 0.7071), (0.7071, -0.7071),
                            (-0.7071, 0.7071), (-0.7071, -0.7071)]) * scale
    index = torch.randint(0, 8, (batch,))
    return (centers[index] + 0.02 * torch.randn(batch, 2)) / 1.414


def penalty(critic, real, fake, lam):
    eps = torch.rand(real.shape[0], 1)
    xhat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    out = critic(xhat)
    grad, = torch.autograd.grad(out.sum(), xhat, create_graph=True)
    norm = torch.sqrt((grad ** 2).flatten(1).sum(1) + 1e-12)
    return lam * ((norm - 1) ** 2).mean()


def train_ms(iterations, warmup, width=512, depth=3, batch=256, n_critic=5, lam=0.1):
    critic, generator = mlp(2, width, depth, 1), mlp(2, width, depth, 2)
    opt_d = torch.optim.Adam(critic.parameters(), lr=1e-4, betas=(0.5, 0.9))
    opt_g = torch.optim.Adam(generator.parameters(), lr=1e-4, betas=(0.5, 0.9))
    times = []
    for it in range(warmup + iterations):
        start = time.perf_counter()
        for _ in range(n_critic):
            real = eight_gaussians(batch)
            with torch.no_grad():
                fake = generator(torch.randn(batch, 2))
            loss = critic(fake).mean() - critic(real).mean() + penalty(critic, real, fake, lam)
            opt_d.zero_grad()
            loss.backward()
            opt_d.step()
        loss_g = -critic(generator(torch.randn(batch, 2))).mean()
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        if it >= warmup:
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return times[len(times) // 2]


def probe_ms(points, dim, rounds=5):
    critic = mlp(dim, 512, 3, 1)
    x = torch.randn(points, dim)
    times = []
    for _ in range(rounds + 1):
        start = time.perf_counter()
        xs = x.clone().requires_grad_(True)
        grad, = torch.autograd.grad(critic(xs).sum(), xs)
        norms = grad.flatten(1).norm(dim=1)
        float(norms.sum())
        times.append((time.perf_counter() - start) * 1000)
    times = sorted(times[1:])
    return times[len(times) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--iterations', type=int, default=10)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(json.dumps({
        'torch': torch.__version__,
        'threads': args.threads,
        'trainMsPerIteration': train_ms(args.iterations, 2),
        'probe2dMs': probe_ms(10_000, 2),
        'probe784Ms': probe_ms(2_000, 784),
    }))


if __name__ == '__main__':
    main()
