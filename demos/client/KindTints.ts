// KindTints: the colour of each entity kind in the client (kept free of pixi.js so Node-side
// tests can read it).

/** Tint per entity kind (0xRRGGBB), indexed by kind code: wanderer, seeker, bullet. */
export const KIND_TINTS: readonly number[] = [0x5dade2, 0xf5b041, 0xfff59d];
