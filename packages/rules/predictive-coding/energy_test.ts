import assert from "node:assert/strict";
import {
  type Activation,
  type Backend,
  createBlasBackend,
  createRng,
  jsBackend,
  type LossSpec,
  type Tensor,
} from "@plasticity/core";
import { pcEnergy, type PCEnergyParams, pcNudgeEnergy } from "./energy.ts";
import { PCNetwork } from "./network.ts";
import { DEFAULT_PC_CONFIG, type PCConfig } from "./settings.ts";

function close(got: number, want: number, tol: number, what: string): void {
  assert.ok(
    Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)),
    `${what}: got ${got}, expected ${want} (tolerance ${tol})`,
  );
}

Deno.test("pcEnergy and pcNudgeEnergy equal a hand computation on a 2-2-1 net", () => {
  const b = jsBackend;
  // Two samples. Layer 1: μ₁ = a₀W₁ + b₁, relu; layer 2: μ₂ = a₁W₂ + b₂, linear output.
  const a0 = b.fromArray([1, 2, 0, 1], 2, 2);
  const p: PCEnergyParams = {
    W: [b.fromArray([1, 0, 1, -1], 2, 2), b.fromArray([0.5, 2], 2, 1)],
    b: [b.fromArray([0.5, 0.5], 1, 2), b.fromArray([-1], 1, 1)],
    activations: ["relu"],
  };
  const x1 = b.fromArray([4, -1, 1.5, 0.5], 2, 2), y = b.fromArray([3, 0.75], 2, 1);
  // Sample 1: μ₁ = (1 + 2 + 0.5, 0 − 2 + 0.5) = (3.5, −1.5), ε₁ = (0.5, 0.5): ½·0.5 = 0.25;
  //   a₁ = relu(4, −1) = (4, 0), μ₂ = 2 − 1 = 1, ½(3 − 1)² = 2.
  // Sample 2: μ₁ = (1.5, −0.5), ε₁ = (0, 1): 0.5; a₁ = (1.5, 0.5), μ₂ = 0.75 + 1 − 1 = 0.75: 0.
  assert.equal(pcEnergy(b, p, a0, [x1], y), 0.25 + 2 + 0.5);
  // The output term is always summed over the batch: without the ½ and with `mean`, (3 − 1)² = 4.
  const noHalf: LossSpec = { kind: "mse", half: false, reduction: "mean" };
  assert.equal(pcEnergy(b, { ...p, loss: noHalf }, a0, [x1], y), 0.25 + 0.5 + 4);
  // PC-Nudge, x₂ = (2, 1), λ = 0.25: Σ‖ε‖² = 2·0.75 + (2 − 1)² + (1 − 0.75)² = 2.5625,
  // λ‖x₂ − y‖² = 0.25·((2 − 3)² + (1 − 0.75)²) = 0.265625.
  const x2 = b.fromArray([2, 1], 2, 1);
  assert.equal(pcNudgeEnergy(b, p, a0, [x1, x2], y, 0.25), 2.5625 + 0.265625);
});

Deno.test("energy functions refuse mismatched layers and targets", () => {
  const b = jsBackend, W = [b.zeros(2, 3), b.zeros(3, 1)], a0 = b.zeros(1, 2), y = b.zeros(1, 1);
  const p: PCEnergyParams = { W, activations: ["tanh"] };
  assert.throws(
    () => pcEnergy(b, p, a0, [], y),
    /Energy: got 0 layers of value nodes: expected 1 \(hidden value nodes/,
  );
  assert.throws(
    () => pcNudgeEnergy(b, p, a0, [b.zeros(1, 3)], y, 1),
    /got 1 layers of value nodes: expected 2/,
  );
  assert.throws(
    () => pcEnergy(b, { W, activations: [] }, a0, [b.zeros(1, 3)], y),
    /got 0 hidden activations for 2 weight matrices: expected 1/,
  );
  assert.throws(
    () => pcEnergy(b, p, a0, [b.zeros(1, 3)], b.zeros(1, 2)),
    /target of shape 1×2: expected 1 columns/,
  );
});

function backends(): Backend[] {
  const list: Backend[] = [jsBackend];
  try {
    list.push(createBlasBackend());
  } catch (e) {
    console.error(`energy test: skipping blas: ${(e as Error).message}`);
  }
  return list;
}

const SIZES = [4, 6, 5, 3], ROWS = 4, GAMMA = 0.1, SEED = 7;

interface Setup {
  name: string;
  activation: Activation;
  output: Activation;
  loss: LossSpec;
}
const SETUPS: Setup[] = [
  {
    name: "tanh, ½ squared error",
    activation: "tanh",
    output: "identity",
    loss: { kind: "mse", half: true, reduction: "sum" },
  },
  {
    name: "sigmoid, sigmoid output, squared error (mean)",
    activation: "sigmoid",
    output: "sigmoid",
    loss: { kind: "mse", half: false, reduction: "mean" },
  },
];

function makeNet(b: Backend, s: Setup, config: Partial<PCConfig>): PCNetwork {
  return new PCNetwork({
    network: { sizes: SIZES, activation: s.activation, output_activation: s.output, bias: true },
    config: { ...DEFAULT_PC_CONFIG, gamma: GAMMA, decay: 1, ...config },
    loss: s.loss,
    backend: b,
    seed: SEED,
  });
}

function batch(b: Backend): { s: Tensor; y: Tensor } {
  const rng = createRng(8);
  return {
    s: b.random(ROWS, SIZES[0]!, () => rng.normal()),
    y: b.random(ROWS, SIZES.at(-1)!, () => rng.normal()),
  };
}

/** The energy parameters of a network's current weights. */
function paramsOf(net: PCNetwork, s: Setup): PCEnergyParams {
  const b = net.backend, w = net.exportWeights(), L = SIZES.length - 1;
  const t = (k: string) => b.fromArray(w[k]!.data, w[k]!.rows, w[k]!.cols);
  return {
    W: Array.from({ length: L }, (_, i) => t(`W${i + 1}`)),
    b: Array.from({ length: L }, (_, i) => t(`b${i + 1}`)),
    activations: Array.from({ length: L - 1 }, () => s.activation),
    outputActivation: s.output,
    loss: s.loss,
  };
}

/** ∂f/∂x by central differences, for every element of every layer of x. */
function numericGradient(
  b: Backend,
  f: (x: Tensor[]) => number,
  x: readonly Float32Array[],
  shapes: readonly number[],
  h = 1e-2,
): Float64Array[] {
  const make = (xs: readonly Float32Array[]) => xs.map((v, l) => b.fromArray(v, ROWS, shapes[l]!));
  return x.map((v, l) =>
    Float64Array.from(v, (_, i) => {
      const up = x.map((u) => u.slice()), dn = x.map((u) => u.slice());
      up[l]![i]! += h;
      dn[l]![i]! -= h;
      return (f(make(up)) - f(make(dn))) / (up[l]![i]! - dn[l]![i]!);
    })
  );
}

for (const setup of SETUPS) {
  Deno.test(`pc (${setup.name}): one inference step is x − γ ∂F/∂x, and the reported energy is F`, () => {
    for (const b of backends()) {
      const { s, y } = batch(b);
      const hidden = SIZES.slice(1, -1);
      const p = paramsOf(makeNet(b, setup, { T: 1 }), setup);
      const F = (x: Tensor[]) => pcEnergy(b, p, s, x, y);
      // x after k steps, from a fresh network (the weights change only after the last iteration).
      let prev = makeNet(b, setup, { T: 1 }).hiddenPreActivations(s);
      for (let k = 1; k <= 3; k++) {
        const net = makeNet(b, setup, { T: k + 1 });
        const r = net.step(s, y, { capture: true });
        const x = r.relaxed!;
        const what = `${b.name} step ${k}`;
        // (c) the energies the network reports at x_{k−1} and x_k are F there
        close(
          r.energies[k - 1]!,
          F(prev.map((v, l) => b.fromArray(v, ROWS, hidden[l]!))),
          1e-5,
          what,
        );
        close(r.energies[k]!, F(x.map((v, l) => b.fromArray(v, ROWS, hidden[l]!))), 1e-5, what);
        // (b) x_k = x_{k−1} − γ ∂F/∂x at x_{k−1}
        const g = numericGradient(b, F, prev, hidden);
        let moved = 0;
        x.forEach((v, l) =>
          v.forEach((got, i) => {
            const want = prev[l]![i]! - GAMMA * g[l]![i]!;
            moved = Math.max(moved, Math.abs(got - prev[l]![i]!));
            assert.ok(
              Math.abs(got - want) < 2e-4,
              `${what}: x_${l + 1}[${i}] is ${got}, x − γ∂F/∂x gives ${want}`,
            );
          })
        );
        assert.ok(moved > 1e-3, `${what}: the value nodes did not move (${moved})`);
        prev = x;
      }
    }
  });
}

Deno.test("pc-nudge: the value nodes descend the nudge energy E, and the reported energy is E", () => {
  const setup = SETUPS[0]!, lambda = 0.5, K = 3;
  for (const b of backends()) {
    const { s, y } = batch(b);
    const shapes = SIZES.slice(1);
    const net = makeNet(b, setup, { mode: "nudge", T: K, nudge: lambda });
    const p = paramsOf(net, setup);
    const E = (x: Tensor[]) => pcNudgeEnergy(b, p, s, x, y, lambda);
    // Gradient descent on E by finite differences from the feed-forward state x_l = μ_l.
    const ff = net.hiddenPreActivations(s);
    const out = b.read(net.predict(s));
    let x: Float32Array[] = [...ff, out];
    const energies = [E(x.map((v, l) => b.fromArray(v, ROWS, shapes[l]!)))];
    for (let k = 0; k < K; k++) {
      const g = numericGradient(b, E, x, shapes);
      x = x.map((v, l) => Float32Array.from(v, (u, i) => u - GAMMA * g[l]![i]!));
      energies.push(E(x.map((v, l) => b.fromArray(v, ROWS, shapes[l]!))));
    }
    const r = net.step(s, y, { capture: true });
    assert.equal(r.energies.length, K + 1);
    r.energies.forEach((e, t) => close(e, energies[t]!, 1e-4, `${b.name} E_${t}`));
    r.relaxed!.forEach((v, l) =>
      v.forEach((got, i) =>
        assert.ok(
          Math.abs(got - x[l]![i]!) < 5e-4,
          `${b.name}: x_${l + 1}[${i}] is ${got}, descent on E gives ${x[l]![i]}`,
        )
      )
    );
    assert.ok(energies[K]! < energies[0]!, "the nudge energy fell");
  }
});
