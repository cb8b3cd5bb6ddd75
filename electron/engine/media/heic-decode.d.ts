// heic-decode ships no types. Only what heic.ts uses is declared.
declare module 'heic-decode' {
  interface HeicPixels {
    width: number;
    height: number;
    /** RGBA, 8 bits per channel, rows top to bottom. */
    data: Uint8ClampedArray;
  }
  interface HeicLazyImage {
    width: number;
    height: number;
    decode(): Promise<HeicPixels>;
  }
  interface HeicDecode {
    (options: { buffer: Uint8Array | ArrayBuffer }): Promise<HeicPixels>;
    all(options: { buffer: Uint8Array | ArrayBuffer }): Promise<HeicLazyImage[] & { dispose(): void }>;
  }
  const decode: HeicDecode;
  export default decode;
}
