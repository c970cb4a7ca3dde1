// A fixed-size bitset over class indexes: unions of peer matches cost size/32 word operations.

export class Bitset {
    readonly words: Uint32Array;

    constructor(readonly size: number) {
        this.words = new Uint32Array((size + 31) >>> 5);
    }

    static full(size: number): Bitset {
        const b = new Bitset(size);
        b.words.fill(0xffffffff);
        const extra = b.words.length * 32 - size;
        if (extra > 0) b.words[b.words.length - 1] = 0xffffffff >>> extra;
        return b;
    }

    set(i: number): void {
        this.words[i >>> 5] |= 1 << (i & 31);
    }

    has(i: number): boolean {
        return (this.words[i >>> 5] & (1 << (i & 31))) !== 0;
    }

    /** this |= other */
    or(other: Bitset): this {
        const w = this.words;
        const o = other.words;
        for (let i = 0; i < w.length; i++) w[i] |= o[i];
        return this;
    }

    /** this |= a & b */
    orAnd(a: Bitset, b: Bitset): this {
        const w = this.words;
        for (let i = 0; i < w.length; i++) w[i] |= a.words[i] & b.words[i];
        return this;
    }

    isEmpty(): boolean {
        for (let i = 0; i < this.words.length; i++) if (this.words[i] !== 0) return false;
        return true;
    }

    *[Symbol.iterator](): IterableIterator<number> {
        const w = this.words;
        for (let i = 0; i < w.length; i++) {
            let x = w[i];
            while (x !== 0) {
                const t = x & -x;
                yield (i << 5) + (31 - Math.clz32(t));
                x ^= t;
            }
        }
    }

    toArray(): number[] {
        return [...this];
    }
}
