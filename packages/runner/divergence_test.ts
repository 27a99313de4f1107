import assert from "node:assert/strict";
import { lossDivergence } from "./divergence.ts";

Deno.test("divergence: non-finite losses, whatever the key", () => {
  assert.match(lossDivergence({ epoch: 2, train_loss: null }, {}, 1000)!, /^Non-finite train_loss/);
  assert.match(
    lossDivergence({ epoch: 2, test_loss: Infinity }, { test_loss: 1 }, 1000)!,
    /^Non-finite test_loss Infinity at epoch 2$/,
  );
  assert.match(lossDivergence({ validation_loss: NaN }, {}, 1000)!, /validation_loss NaN/);
});

Deno.test("divergence: a loss above factor × max(1, its epoch-0 value)", () => {
  // Cross-entropy over 3 classes starts at ln 3 < 1: the floor of 1 sets the limit at 1000.
  const ce0 = { "train_loss": Math.log(3), "test_loss": Math.log(3) };
  assert.equal(lossDivergence({ epoch: 5, test_loss: 999 }, ce0, 1000), undefined);
  assert.match(
    lossDivergence({ epoch: 5, test_loss: 1e5 }, ce0, 1000)!,
    /^test_loss 1\.00e\+5 at epoch 5 exceeds 1000/,
  );
  // An MSE run starting at 40 may rise to 40 000 before it counts as diverged.
  assert.equal(lossDivergence({ train_loss: 39_000 }, { train_loss: 40 }, 1000), undefined);
  assert.ok(lossDivergence({ train_loss: 41_000 }, { train_loss: 40 }, 1000));
  assert.ok(lossDivergence({ train_loss: 11 }, { train_loss: 0.01 }, 10));
  // Keys that are not losses are never judged.
  assert.equal(lossDivergence({ test_accuracy: 1e9, weight_norm: 1e9 }, {}, 10), undefined);
});
