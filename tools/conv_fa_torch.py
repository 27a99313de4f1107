"""PyTorch reference for packages/rules/feedback-alignment/conv_fa_bench.ts: the median time of one
training step (forward pass, cross-entropy, backward pass, SGD update) of the same two conv nets
under backpropagation (nn + autograd) and feedback alignment (the same layers whose backward pass
sends the error through a fixed random matrix B of W's shape, written here with
torch.nn.grad.conv2d_input), one thread, synthetic data (4 batches cycled).

  /usr/bin/python3 tools/conv_fa_torch.py            # needs Debian's python3-torch
  /usr/bin/python3 tools/conv_fa_torch.py --steps 40
"""
import argparse
import statistics
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(1)


class FaConv(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, b, wb, stride, padding):
        ctx.save_for_backward(x, wb)
        ctx.conf = (w.shape, stride, padding, b is not None)
        return F.conv2d(x, w, b, stride=stride, padding=padding)

    @staticmethod
    def backward(ctx, g):
        x, wb = ctx.saved_tensors
        shape, stride, padding, has_b = ctx.conf
        gx = torch.nn.grad.conv2d_input(x.shape, wb, g, stride=stride, padding=padding)
        gw = torch.nn.grad.conv2d_weight(x, shape, g, stride=stride, padding=padding)
        gb = g.sum((0, 2, 3)) if has_b else None
        return gx, gw, gb, None, None, None


class FaLinear(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, b, wb):
        ctx.save_for_backward(x, wb)
        return F.linear(x, w, b)

    @staticmethod
    def backward(ctx, g):
        x, wb = ctx.saved_tensors
        return g @ wb, g.t() @ x, g.sum(0), None


class Net(torch.nn.Module):
    """layers: ("conv", in, out, k, stride, padding, bias) | ("pool",) | ("flatten",) | ("dense", in, out)"""

    def __init__(self, layers, fa):
        super().__init__()
        self.spec, self.fa = layers, fa
        self.params = []  # W₀, b₀, W₁, b₁, … (b None for a layer without biases)
        self.feedback = []
        for l in layers:
            if l[0] == "conv":
                _, cin, cout, k, _, _, bias = l
                w = torch.nn.Parameter(torch.empty(cout, cin, k, k))
                torch.nn.init.xavier_uniform_(w)
                self.params.append(w)
                self.params.append(torch.nn.Parameter(torch.zeros(cout)) if bias else None)
                self.feedback.append(torch.nn.init.xavier_uniform_(torch.empty_like(w)))
            elif l[0] == "dense":
                _, nin, nout = l
                w = torch.nn.Parameter(torch.empty(nout, nin))
                torch.nn.init.xavier_uniform_(w)
                self.params.append(w)
                self.params.append(torch.nn.Parameter(torch.zeros(nout)))
                self.feedback.append(torch.nn.init.xavier_uniform_(torch.empty_like(w)))

    def forward(self, x):
        k = 0
        n_weight = len(self.feedback)
        for l in self.spec:
            if l[0] == "pool":
                x = F.max_pool2d(x, 2)
            elif l[0] == "flatten":
                x = torch.flatten(x, 1)
            else:
                w, b = self.params[2 * k], self.params[2 * k + 1]
                if l[0] == "conv":
                    s, p = l[4], l[5]
                    x = FaConv.apply(x, w, b, self.feedback[k], s, p) if self.fa else F.conv2d(
                        x, w, b, stride=s, padding=p)
                else:
                    x = FaLinear.apply(x, w, b, self.feedback[k]) if self.fa else F.linear(x, w, b)
                k += 1
                if k < n_weight:
                    x = F.relu(x)
        return x


NETS = {
    "LeNet batch 64": (64, (1, 28, 28), [
        ("conv", 1, 6, 5, 1, 2, True), ("pool",), ("conv", 6, 16, 5, 1, 0, True), ("pool",),
        ("conv", 16, 120, 5, 1, 0, True), ("flatten",), ("dense", 120, 84), ("dense", 84, 10),
    ]),
    "Fig. 4i CNN batch 200": (200, (3, 32, 32), [
        ("conv", 3, 64, 3, 2, 1, False), ("conv", 64, 128, 3, 2, 1, False), ("flatten",),
        ("dense", 128 * 8 * 8, 512), ("dense", 512, 10),
    ]),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=20)
    args = ap.parse_args()
    torch.manual_seed(0)
    for name, (batch, shape, layers) in NETS.items():
        data = [(torch.randn(batch, *shape), torch.randint(0, 10, (batch,))) for _ in range(4)]
        for rule in ("bp", "fa"):
            net = Net(layers, rule == "fa")
            opt = torch.optim.SGD([p for p in net.params if p is not None], lr=1e-4)
            times = []
            for i in range(3 + args.steps):
                x, y = data[i % 4]
                t0 = time.perf_counter()
                opt.zero_grad()
                F.cross_entropy(net(x), y).backward()
                opt.step()
                if i >= 3:
                    times.append(time.perf_counter() - t0)
            print(f"{rule} step {name} (torch, 1 thread): median {1e3 * statistics.median(times):.2f} ms")


if __name__ == "__main__":
    main()
