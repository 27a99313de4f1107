// BullMQ encodes jobs with msgpackr, which loads a native Node addon (msgpackr-extract) when it
// can. Under Deno that addon has been seen to corrupt the heap at process exit; job payloads are
// small, so msgpackr's own JavaScript decoder is used instead. Imported before "bullmq" by every
// module of this package that imports it, so msgpackr reads the variable when it loads.
try {
  Deno.env.set("MSGPACKR_NATIVE_ACCELERATION_DISABLED", "true");
} catch { /* no env permission: msgpackr then decides itself */ }
