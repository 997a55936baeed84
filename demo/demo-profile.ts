/**
 * How big each demo is. `quick` is sized to finish in under 2 minutes on a
 * 2-core machine (the end-to-end test runs it), `full` in under 10.
 */
export interface DemoProfile {
  /** openmoji groups the website serves; all (but component and extras) when absent. */
  groups?: string[];
  /** The most used WordNet lemmas kept as queries (the search source asks about each). */
  queryLimit: number;
  /** Result pages per query the search source reads at most. */
  searchPages: number;
  /** Links the site source follows from the home page at most. */
  siteMaxDepth: number;
  /** Share of near-duplicate clusters that go to the val split. */
  valFraction: number;
  /** Distinct captions kept per image (the site captions each emoji several ways). */
  captionsPerImage: number;
  train: {
    steps: number;
    batchSize: number;
    imageSize: number;
    embedDim: number;
    convChannels: number[];
    lr: number;
    logEverySteps: number;
    /**
     * Words seen fewer times are left out of the vocabulary. The quick demo's site names each emoji
     * in words of its own: kept, they let 60 steps memorise captions instead of learning the class
     * words (zero-shot top-1 5.7% with every word, 14.8% with 2, on its 21 held-out classes).
     */
    minWordCount?: number;
  };
}

export const demoProfiles: Record<'quick' | 'full', DemoProfile> = {
  quick: {
    groups: ['animals-nature', 'food-drink', 'travel-places'],
    queryLimit: 3000,
    searchPages: 2,
    siteMaxDepth: 3,
    valFraction: 0.1,
    captionsPerImage: 3,
    train: {
      steps: 60,
      batchSize: 64,
      imageSize: 32,
      embedDim: 64,
      convChannels: [16, 32, 64],
      lr: 2e-3,
      logEverySteps: 5,
      minWordCount: 2,
    },
  },
  full: {
    queryLimit: 10000,
    searchPages: 3,
    siteMaxDepth: 4,
    valFraction: 0.1,
    captionsPerImage: 3,
    train: { steps: 250, batchSize: 128, imageSize: 32, embedDim: 128, convChannels: [16, 32, 64, 128], lr: 1e-3, logEverySteps: 10 },
  },
};
