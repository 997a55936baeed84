/** Disjoint sets over 0..n-1 (path halving, union by size). */
export class UnionFind {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;

  constructor(count: number) {
    this.parent = new Int32Array(count);
    this.size = new Int32Array(count).fill(1);
    for (let i = 0; i < count; i += 1) this.parent[i] = i;
  }

  find(item: number): number {
    const parent = this.parent;
    let x = item;
    while (parent[x] !== x) {
      const grand = parent[parent[x]!]!;
      parent[x] = grand;
      x = grand;
    }
    return x;
  }

  /** Joins the sets of a and b; true when they were apart. */
  union(a: number, b: number): boolean {
    let rootA = this.find(a);
    let rootB = this.find(b);
    if (rootA === rootB) return false;
    if (this.size[rootA]! < this.size[rootB]!) [rootA, rootB] = [rootB, rootA];
    this.parent[rootB] = rootA;
    this.size[rootA]! += this.size[rootB]!;
    return true;
  }
}
