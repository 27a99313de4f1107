import assert from "node:assert/strict";
import { SCALAR_ACTIVATIONS, scalarActivation, type ScalarActivationName } from "./activation.ts";
import { jsBackend as b } from "./js_backend.ts";
import { ACTIVATIONS } from "./tensor.ts";

// Points away from every kink (0, 1, ±2.5, ±3).
const XS = [-4, -2.9, -2, -1.3, -0.5, 0.2, 0.5, 0.9, 1.4, 2, 2.7, 4];

Deno.test("the hard sigmoids are their published definitions", () => {
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  const defs: [ScalarActivationName, (x: number) => number][] = [
    ["hardSigmoid", (x) => clamp(x)],
    ["hardSigmoidKeras", (x) => clamp(0.2 * x + 0.5)],
    // relu6(x + 3)/6
    ["hardSigmoidTorch", (x) => Math.min(Math.max(x + 3, 0), 6) / 6],
  ];
  for (const [name, f] of defs) {
    const a = scalarActivation(name);
    for (const x of XS) assert.ok(Math.abs(a.phi(x) - f(x)) < 1e-15, `${name}(${x})`);
  }
  const keras = scalarActivation("hardSigmoidKeras"), torch = scalarActivation("hardSigmoidTorch");
  assert.deepEqual([-2.5, 0, 2.5].map(keras.phi), [0, 0.5, 1]);
  assert.deepEqual([-3, 0, 3].map(torch.phi), [0, 0.5, 1]);
});

Deno.test("every derivative equals a central finite difference away from kinks", () => {
  for (const name of SCALAR_ACTIVATIONS) {
    const a = scalarActivation(name, 0.2), h = 1e-6;
    for (const x of XS) {
      const fd = (a.phi(x + h) - a.phi(x - h)) / (2 * h);
      assert.ok(Math.abs(a.dphi(x) - fd) < 1e-8, `${name}'(${x}) is ${a.dphi(x)}, expected ${fd}`);
    }
  }
});

Deno.test("the backend activations agree with the js backend's tensors", () => {
  const x = b.fromArray(XS, 1, XS.length);
  for (const name of ACTIVATIONS) {
    const a = scalarActivation(name);
    const phi = b.read(b.activate(x, name)), dphi = b.read(b.activateGrad(x, name));
    XS.forEach((v, i) => {
      assert.equal(Math.fround(a.phi(Math.fround(v))), phi[i], `${name}(${v})`);
      assert.equal(Math.fround(a.dphi(Math.fround(v))), dphi[i], `${name}'(${v})`);
    });
  }
});

Deno.test("an unknown name is refused, naming the choices", () => {
  assert.throws(
    () => scalarActivation("hard_sigmoid" as ScalarActivationName),
    /Unknown activation "hard_sigmoid": expected one of identity, .*hardSigmoidTorch/,
  );
});
