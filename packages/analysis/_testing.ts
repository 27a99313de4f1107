// Test helpers written independently of the code under test: a strict little XML parser (to check
// that an SVG parses and to find its series), an SVG path reader, and a PNG decoder (signature,
// IHDR, zlib IDAT, scanline filters) to check sizes and that text was drawn.

/** One XML element. */
export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e[0] === "#") {
      return String.fromCodePoint(
        e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10),
      );
    }
    return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[e]!;
  });
}

/** Parses XML strictly: tags must nest and close; one root element. Throws on any error. */
export function parseXml(text: string): XmlNode {
  const root: XmlNode = { name: "#document", attrs: {}, children: [], text: "" };
  const stack: XmlNode[] = [root];
  const tag =
    /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<\/([A-Za-z_][\w:.-]*)\s*>|<([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(text); m; m = tag.exec(text)) {
    const between = text.slice(last, m.index);
    if (between.includes("<")) {
      throw new Error(`Malformed markup near offset ${last}: ${between.slice(0, 40)}`);
    }
    stack.at(-1)!.text += decodeEntities(between);
    last = tag.lastIndex;
    if (m[1]) {
      const open = stack.pop()!;
      if (open.name !== m[1]) throw new Error(`Closing </${m[1]}> does not match <${open.name}>`);
    } else if (m[2]) {
      const attrs: Record<string, string> = {};
      for (const a of m[3]!.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        if (a[1]! in attrs) throw new Error(`Duplicate attribute ${a[1]} on <${m[2]}>`);
        attrs[a[1]!] = decodeEntities(a[2] ?? a[3] ?? "");
      }
      const node: XmlNode = { name: m[2], attrs, children: [], text: "" };
      stack.at(-1)!.children.push(node);
      if (!m[4]) stack.push(node);
    }
  }
  if (text.slice(last).includes("<")) throw new Error("Malformed markup at the end");
  if (stack.length !== 1) throw new Error(`Unclosed <${stack.at(-1)!.name}>`);
  if (root.children.length !== 1) {
    throw new Error(`Expected one root element, found ${root.children.length}`);
  }
  return root.children[0]!;
}

/** All descendants (and the node) matching a test, in document order. */
export function findAll(node: XmlNode, test: (n: XmlNode) => boolean): XmlNode[] {
  const out: XmlNode[] = [];
  const walk = (n: XmlNode) => {
    if (test(n)) out.push(n);
    n.children.forEach(walk);
  };
  walk(node);
  return out;
}

/** Elements whose class attribute holds the class. */
export function byClass(node: XmlNode, cls: string): XmlNode[] {
  return findAll(node, (n) => (n.attrs.class ?? "").split(/\s+/).includes(cls));
}

/** The text of a node and its descendants. */
export function textOf(node: XmlNode): string {
  return node.text + node.children.map(textOf).join("");
}

/** The vertices of an SVG path made of absolute M/L commands (and Z). */
export function pathVertices(d: string): [number, number][] {
  if (!/^[ML0-9.,\-eZ ]*$/.test(d)) {
    throw new Error(`Path has commands other than M, L, Z: ${d.slice(0, 60)}`);
  }
  return [...d.matchAll(/[ML]\s*(-?[\d.]+(?:e-?\d+)?)[ ,](-?[\d.]+(?:e-?\d+)?)/g)].map((
    m,
  ) => [Number(m[1]), Number(m[2])]);
}

/** A decoded PNG: size and RGBA pixels. */
export interface Png {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/** The width and height in a PNG's IHDR chunk (bytes 16–23, big-endian), after checking the signature. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  if (!sig.every((b, i) => png[i] === b)) throw new Error("Not a PNG: bad signature");
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  if (view.getUint32(8) !== 13 || String.fromCharCode(...png.subarray(12, 16)) !== "IHDR") {
    throw new Error("Not a PNG: first chunk is not a 13-byte IHDR");
  }
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Decodes an 8-bit RGB or RGBA, non-interlaced PNG. */
export async function decodePng(png: Uint8Array): Promise<Png> {
  const { width, height } = pngSize(png);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const depth = png[24], colorType = png[25], interlace = png[28];
  if (depth !== 8 || (colorType !== 6 && colorType !== 2) || interlace !== 0) {
    throw new Error(
      `Unsupported PNG: depth ${depth}, colour type ${colorType}, interlace ${interlace}`,
    );
  }
  const channels = colorType === 6 ? 4 : 3;
  const idat: Uint8Array[] = [];
  for (let off = 8; off < png.length;) {
    const len = view.getUint32(off);
    const type = String.fromCharCode(...png.subarray(off + 4, off + 8));
    if (type === "IDAT") idat.push(png.subarray(off + 8, off + 8 + len));
    if (type === "IEND") break;
    off += 12 + len;
  }
  const stream = new Blob(idat as BlobPart[]).stream().pipeThrough(
    new DecompressionStream("deflate"),
  );
  const raw = new Uint8Array(await new Response(stream).arrayBuffer());
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) throw new Error(`Bad image data length ${raw.length}`);
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? out[y * stride + i - channels]! : 0;
      const b = y > 0 ? out[(y - 1) * stride + i]! : 0;
      const c = i >= channels && y > 0 ? out[(y - 1) * stride + i - channels]! : 0;
      let pred = 0;
      if (filter === 1) pred = a;
      else if (filter === 2) pred = b;
      else if (filter === 3) pred = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (filter !== 0) throw new Error(`Bad filter ${filter} on row ${y}`);
      out[y * stride + i] = (line[i]! + pred) & 255;
    }
  }
  if (channels === 4) return { width, height, rgba: out };
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    rgba.set(out.subarray(p * 3, p * 3 + 3), p * 4);
    rgba[p * 4 + 3] = 255;
  }
  return { width, height, rgba };
}

/** How many pixels are dark (opaque with every channel below 100). */
export function darkPixels(img: Png): number {
  let n = 0;
  for (let p = 0; p < img.width * img.height; p++) {
    const r = img.rgba[p * 4]!,
      g = img.rgba[p * 4 + 1]!,
      b = img.rgba[p * 4 + 2]!,
      a = img.rgba[p * 4 + 3]!;
    if (a > 200 && r < 100 && g < 100 && b < 100) n++;
  }
  return n;
}
