// The `network.layers` description: the schema's written forms, the resolved form, the shapes,
// one-line errors naming the key, and MLP sections resolving exactly as before.
import assert from "node:assert/strict";
import { type LearnerDefinition, resolveLearnerConfig, resolveNetwork } from "./learner.ts";
import { layerShapes, type LayerSpec } from "./layers.ts";

const LENET = {
  "input_shape": [1, 28, 28],
  layers: [
    { conv: { out: 6, kernel: 5, padding: 2 } },
    { pool: { kind: "max", size: 2 } },
    { conv: { out: 16, kernel: 5 } },
    { pool: "max" },
    "flatten",
    { dense: 120 },
    { dense: { out: 84 } },
    { dense: 10 },
  ],
  activation: "relu",
};

Deno.test("LeNet-5 as a config writes it resolves to the type form with defaults filled", () => {
  const n = resolveNetwork(LENET);
  assert.deepEqual(n.layers, [
    { type: "conv", out: 6, kernel: 5, stride: 1, padding: 2 },
    { type: "pool", kind: "max", size: 2, stride: 2 },
    { type: "conv", out: 16, kernel: 5, stride: 1, padding: 0 },
    { type: "pool", kind: "max", size: 2, stride: 2 },
    { type: "flatten" },
    { type: "dense", out: 120 },
    { type: "dense", out: 84 },
    { type: "dense", out: 10 },
  ]);
  // sizes: the data's input and output sizes, 1·28·28 and 10
  assert.deepEqual(n.sizes, [784, 10]);
  assert.deepEqual(n.input_shape, [1, 28, 28]);
  // the resolved form resolves to itself (a resolved config can be read again)
  assert.deepEqual(resolveNetwork(n), n);
  assert.deepEqual(resolveNetwork({ ...LENET, sizes: [784, 10] }), n);
});

Deno.test("layerShapes follows PyTorch's output sizes", () => {
  // Fig. 4i CNN of Song et al. 2024: 3×32×32 → 64×16×16 → 128×8×8 → 8192 → 512 → 10.
  const n = resolveNetwork({
    input_shape: [3, 32, 32],
    layers: [
      { conv: { out: 64, kernel: 3, stride: 2, padding: 1, bias: false } },
      { conv: { out: 128, kernel: 3, stride: 2, padding: 1, bias: false } },
      "flatten",
      { dense: 512 },
      { dense: 10 },
    ],
  });
  const s = layerShapes(n);
  assert.deepEqual(s.input, { c: 3, h: 32, w: 32 });
  assert.deepEqual(s.outputs, [{ c: 64, h: 16, w: 16 }, { c: 128, h: 8, w: 8 }, 8192, 512, 10]);
  assert.equal((n.layers![0] as { bias?: boolean }).bias, false);
  // overlapping average pooling: ⌊(7 − 3)/2⌋ + 1 = 3
  const p = layerShapes(
    resolveNetwork({
      input_shape: [2, 7, 7],
      layers: [{ pool: { kind: "avg", size: 3, stride: 2 } }, "flatten", { dense: 1 }],
    }),
  );
  assert.deepEqual(p.outputs, [{ c: 2, h: 3, w: 3 }, 18, 1]);
});

Deno.test("an MLP section resolves exactly as before: no new keys", () => {
  assert.deepEqual(resolveNetwork({ sizes: [3, 1] }), {
    sizes: [3, 1],
    activation: "tanh",
    leaky_slope: 0.01,
    bias: true,
  });
  assert.throws(
    () => resolveNetwork({}),
    /^SchemaError: network\.sizes: missing; expected a list of at least 2 integers ≥ 1$/,
  );
});

Deno.test("bad layer descriptions give one line naming the key", () => {
  const bad = (network: unknown, re: RegExp) =>
    assert.throws(() => resolveNetwork(network), (e: Error) => {
      assert.equal(e.name, "SchemaError");
      assert.match(e.message, re);
      assert.ok(!e.message.includes("\n"));
      return true;
    });
  const shape = { "input_shape": [1, 4, 4] };
  bad(
    { ...shape, layers: [{ conv: { kernel: 3 } }, "flatten", { dense: 2 }] },
    /^network\.layers\[0\]\.out: missing; expected an integer ≥ 1$/,
  );
  bad(
    { ...shape, layers: [{ conv: { out: 2, kernel: 5 } }, "flatten", { dense: 2 }] },
    /^network\.layers\[0\]: kernel 5 does not fit the 4×4 image with padding 0: expected kernel ≤ 4$/,
  );
  bad(
    { ...shape, layers: [{ conv: { out: 2, kernel: 3, stride: 0 } }, "flatten", { dense: 2 }] },
    /^network\.layers\[0\]\.stride: expected an integer ≥ 1, got 0$/,
  );
  bad(
    { ...shape, layers: [{ pool: { kind: "min" } }, "flatten", { dense: 2 }] },
    /^network\.layers\[0\]\.kind: expected one of max, avg, got "min"$/,
  );
  bad(
    { ...shape, layers: [{ dropout: 0.5 }] },
    /^network\.layers\[0\]\.type: expected one of conv, pool, flatten, dense, got nothing$/,
  );
  bad(
    { ...shape, layers: [{ conv: { out: 2, kernel: 3, size: 2 } }, "flatten", { dense: 2 }] },
    /^network\.layers\[0\]\.size: unknown key \(value 2\); expected one of type, out, kernel, stride, padding, bias$/,
  );
  bad(
    { ...shape, layers: [{ dense: 2 }] },
    /^network\.layers\[0\]: dense before flatten: expected a flatten layer/,
  );
  bad(
    { ...shape, layers: ["flatten", { conv: { out: 1, kernel: 1 } }, { dense: 2 }] },
    /^network\.layers\[1\]: conv after flatten/,
  );
  bad(
    { ...shape, layers: ["flatten", "flatten", { dense: 2 }] },
    /^network\.layers\[1\]: a second flatten/,
  );
  bad(
    { ...shape, layers: [{ conv: { out: 1, kernel: 1 } }] },
    /^network\.layers: last layer is "conv": expected a dense output layer$/,
  );
  bad({ ...shape, layers: [] }, /^network\.layers: expected a list of at least 1 entries/);
  bad(
    { layers: ["flatten", { dense: 2 }] },
    /^network\.input_shape: expected \[channels, height, width\] beside network\.layers, got nothing$/,
  );
  bad(
    { input_shape: [1, 4], layers: ["flatten", { dense: 2 }] },
    /^network\.input_shape: expected \[channels, height, width\]/,
  );
  bad(
    { input_shape: [1, 4, 4], sizes: [3, 1] },
    /^network\.input_shape: given without network\.layers/,
  );
  bad(
    { ...shape, layers: ["flatten", { dense: 2 }], sizes: [16, 3] },
    /^network\.sizes: expected \[16,2\] \(the input and output sizes of layers\) or no sizes beside layers, got \[16,3\]$/,
  );
  bad(
    { ...shape, layers: [{ conv: { type: "dense", out: 1, kernel: 1 } }, "flatten", { dense: 2 }] },
    /^network\.layers\[0\]\.conv\.type: expected no type key inside conv/,
  );
  bad(
    { ...shape, layers: [{ conv: 3 }, "flatten", { dense: 2 }] },
    /^network\.layers\[0\]\.conv: expected a mapping, got 3$/,
  );
  // hidden layers are the conv and dense layers but the last: here 2
  bad(
    {
      ...shape,
      layers: [{ conv: { out: 1, kernel: 1 } }, "flatten", { dense: 3 }, { dense: 2 }],
      activation: ["relu"],
    },
    /^network\.activation: expected one activation per hidden layer \(2\)/,
  );
  assert.equal(
    resolveNetwork({
      ...shape,
      layers: [{ conv: { out: 1, kernel: 1 } }, "flatten", { dense: 3 }, { dense: 2 }],
      activation: ["relu", "tanh"],
    }).activation.length,
    2,
  );
});

Deno.test("a rule that does not declare layers refuses a network given by layers", () => {
  const mlpOnly: LearnerDefinition = {
    name: "doc-mlp-only",
    family: "docs",
    description: "MLPs only",
    optimizer: true,
    hyper: {},
    create: () => {
      throw new Error("Not for use");
    },
  };
  assert.throws(
    () =>
      resolveLearnerConfig(mlpOnly, {
        network: { input_shape: [1, 2, 2], layers: ["flatten", { dense: 1 }] },
      }),
    /^SchemaError: network\.layers: rule doc-mlp-only trains multilayer perceptrons only: expected network\.sizes, or a rule that takes layers \(/,
  );
  const layered = { ...mlpOnly, name: "doc-layered", layers: true };
  const r = resolveLearnerConfig(layered, {
    network: { input_shape: [1, 2, 2], layers: ["flatten", { dense: 1 }] },
  });
  assert.deepEqual(r.network.layers as LayerSpec[], [{ type: "flatten" }, {
    type: "dense",
    out: 1,
  }]);
});
