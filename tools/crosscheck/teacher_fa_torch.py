"""Independent PyTorch cross-check of feedback alignment's weight angles in bioflax's teacher-student
and sine-regression settings (apps/reproduce/figures/bioflax/teacher-student/teacher.yaml,
apps/reproduce/figures/bioflax/sine/sine.yaml).

Teacher 1-64-32-10 (sigmoid hidden units, truncated LeCun-normal weights, zero biases), inputs
x ~ U[-1, 1); student 1-500-500-10 ReLU with a linear output, truncated LeCun-normal W and B (B
drawn like W), zero biases; 1/2 mean squared error over every output element; plain SGD lr 0.02 (--lr; the sine figure uses 0.005, where 0.02 diverges),
batch 32, 1440 training samples. FA: each layer's backward pass sends delta·B instead of delta·W.
With --task sine the targets are sin(x) for x ~ U[-pi, pi) and the student 1-500-500-1.
Prints, per seed and epoch, the angle between W_i and B_i (Frobenius cosine, in degrees) of the two
layers whose B carries the error to a hidden layer (i = 2, 3), and the test loss on 320 samples per
sample (1/2 squared error summed over the outputs, as the runner logs test_loss; the training
objective is its mean over the outputs).
Its random draws are torch's, not ours: it checks the size of the effect, not our numbers.

Run: /usr/bin/python3 tools/crosscheck/teacher_fa_torch.py [--task teacher|sine] [--lr 0.02] [--epochs 5] 0 1 2 3 4
"""
import argparse
import math
import torch

parser = argparse.ArgumentParser()
parser.add_argument("--task", choices=["teacher", "sine"], default="teacher")
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--lr", type=float, default=0.02)
parser.add_argument("seeds", nargs="*", type=int, default=[0])
args = parser.parse_args()
torch.set_num_threads(1)


def lecun(fan_in, fan_out, gen):
    """Normal with variance 1/fan_in truncated at two standard deviations (stored fan_in × fan_out)."""
    std = math.sqrt(1 / fan_in) / 0.87962566103423978
    z = torch.randn(fan_in, fan_out, generator=gen)
    while True:  # redraw the values beyond two standard deviations
        bad = z.abs() > 2
        if not bad.any():
            return z * std
        z[bad] = torch.randn(int(bad.sum()), generator=gen)


def angle(a, b):
    cos = (a * b).sum() / (a.norm() * b.norm())
    return math.degrees(math.acos(max(-1.0, min(1.0, cos.item()))))


for seed in args.seeds:
    gen = torch.Generator().manual_seed(seed)
    teacher = [lecun(1, 64, gen), lecun(64, 32, gen), lecun(32, 10, gen)]

    def target(x):
        if args.task == "sine":
            return torch.sin(x)
        h = torch.sigmoid(x @ teacher[0])
        h = torch.sigmoid(h @ teacher[1])
        return h @ teacher[2]

    half_width = math.pi if args.task == "sine" else 1.0
    x_train = (torch.rand(1440, 1, generator=gen) * 2 - 1) * half_width
    x_test = (torch.rand(320, 1, generator=gen) * 2 - 1) * half_width
    y_train, y_test = target(x_train), target(x_test)
    outputs = y_train.shape[1]
    sizes = [1, 500, 500, outputs]
    W = [lecun(sizes[i], sizes[i + 1], gen) for i in range(3)]
    B = [lecun(sizes[i], sizes[i + 1], gen) for i in range(3)]
    b = [torch.zeros(sizes[i + 1]) for i in range(3)]

    def forward(x):
        hs, a = [x], None
        for i in range(3):
            a = hs[-1] @ W[i] + b[i]
            hs.append(torch.relu(a) if i < 2 else a)
        return hs

    def test_loss():
        out = forward(x_test)[-1]
        return 0.5 * ((out - y_test) ** 2).sum(1).mean().item()

    rows = [f"seed {seed} epoch 0: angle W2,B2 {angle(W[1], B[1]):.2f}, W3,B3 "
            f"{angle(W[2], B[2]):.2f}; test loss {test_loss():.4f}"]
    for epoch in range(1, args.epochs + 1):
        order = torch.randperm(1440, generator=gen)
        for start in range(0, 1440, 32):
            idx = order[start:start + 32]
            hs = forward(x_train[idx])
            m = idx.numel()
            # d(1/2 mean over all elements)/d out
            delta = (hs[-1] - y_train[idx]) / (m * outputs)
            for i in (2, 1, 0):
                gW, gb = hs[i].T @ delta, delta.sum(0)
                if i > 0:
                    delta = (delta @ B[i].T) * (hs[i] > 0).float()
                W[i] -= args.lr * gW
                b[i] -= args.lr * gb
        rows.append(f"seed {seed} epoch {epoch}: angle W2,B2 {angle(W[1], B[1]):.2f}, W3,B3 "
                    f"{angle(W[2], B[2]):.2f}; test loss {test_loss():.4f}")
    print("\n".join(rows), flush=True)
