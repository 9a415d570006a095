"""PyTorch reference for ConvTiming: the same shapes, float32, batch 64. Run: python3 conv_timing.py [repetitions]"""
import sys
import time

import torch
import torch.nn.functional as F

torch.manual_seed(0)
repetitions = int(sys.argv[1]) if len(sys.argv) > 1 else 20
images = torch.randn(64, 1, 28, 28)
w1 = (torch.randn(32, 1, 3, 3) * 0.3).requires_grad_()
x2 = torch.randn(64, 32, 14, 14).relu().requires_grad_()
w2 = (torch.randn(64, 32, 3, 3) * 0.06).requires_grad_()
p1 = F.conv2d(images, w1, padding=1).relu().detach().requires_grad_()
p2 = F.conv2d(x2, w2, padding=1).relu().detach().requires_grad_()


def conv1_fwd():
    with torch.no_grad():
        F.conv2d(images, w1, padding=1)


def conv1_fwd_bwd():
    y = F.conv2d(images, w1, padding=1)
    torch.autograd.grad(y, [w1], torch.ones_like(y))


def conv2_fwd():
    with torch.no_grad():
        F.conv2d(x2, w2, padding=1)


def conv2_fwd_bwd():
    y = F.conv2d(x2, w2, padding=1)
    torch.autograd.grad(y, [x2, w2], torch.ones_like(y))


def pool(p):
    def run():
        y = F.max_pool2d(p, 2)
        torch.autograd.grad(y, [p], torch.ones_like(y))
    return run


print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
print(f"{'what':<44} {'median ms':>10} {'min ms':>8} {'CPU ms':>8}")
for name, body in [("conv1 forward", conv1_fwd), ("conv1 forward + weight VJP", conv1_fwd_bwd),
                   ("conv2 forward", conv2_fwd), ("conv2 forward + input and weight VJPs", conv2_fwd_bwd),
                   ("maxpool1 forward + VJP [64, 32, 28, 28]", pool(p1)), ("maxpool2 forward + VJP [64, 64, 14, 14]", pool(p2))]:
    for _ in range(3):
        body()
    times = []
    cpu_start = time.process_time()
    for _ in range(repetitions):
        start = time.perf_counter()
        body()
        times.append((time.perf_counter() - start) * 1000)
    cpu = (time.process_time() - cpu_start) * 1000 / repetitions
    times.sort()
    print(f"{name:<44} {times[repetitions // 2]:10.2f} {times[0]:8.2f} {cpu:8.2f}")
