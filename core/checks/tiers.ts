/**
 * What the checks of a placement speak of: tiers ordered by cost, cheapest first. Tier 0 is the
 * workload's own Deployment on the ECS pool; every later tier is overflow on the virtual node,
 * filled only beyond the cheaper tiers' max and drained first ("scale-down order": the most
 * expensive tier drains first, whatever the kind). A timeline names a pod's tier by its `owner`: the
 * cheapest tier's pods are owned by `source`, an overflow tier's by its Deployment's name (the
 * ElasticWorkload's units, and whatever a later placement kind records the same way).
 */

/** The timeline owner of the cheapest tier's pods. */
export const CHEAPEST_OWNER = 'source';

/** How messages name the tiers' pods: the placement kind's own words. */
export interface TierWords {
  /** The cheapest tier, e.g. `source` (an ElasticWorkload's source Deployment). */
  cheapest: string;
  /** The overflow tiers, e.g. `unit` (an ElasticWorkload's elastic units). */
  overflow: string;
}

export interface Tiers {
  words: TierWords;
  /** A pod's tier from its timeline owner; 0 is the cheapest. */
  tierOf(owner: string | undefined): number;
  /** Where a tier's pods are meant to run (the timeline's node types). */
  nodeOf(tier: number): 'ecs' | 'eci';
  /** How many tiers there are: `tierOf` answers 0 … count − 1. */
  readonly count: number;
}

/** A tier as figures name it: the cheapest in the kind's words, the overflow tiers numbered only when there are several. */
export function tierName(tiers: Tiers, tier: number): string {
  if (tier === 0) return tiers.words.cheapest;
  return tiers.count > 2 ? `${tiers.words.overflow} ${tier}` : tiers.words.overflow;
}

/** The words of the two kinds there are today (ElasticWorkload, and a Deployment the HPA scales itself). */
export const DEFAULT_TIER_WORDS: TierWords = Object.freeze({ cheapest: 'source', overflow: 'unit' });

/**
 * The tiers as every timeline records them: `source` is tier 0 on ECS, any other owner is overflow
 * on the virtual node. Overflow Deployments cost the same (ECI pods), so they share tier 1: their
 * order among themselves is the placement's business, not the price's.
 */
export function timelineTiers(words: TierWords = DEFAULT_TIER_WORDS): Tiers {
  return {
    words,
    tierOf: (owner) => (owner === CHEAPEST_OWNER ? 0 : 1),
    nodeOf: (tier) => (tier === 0 ? 'ecs' : 'eci'),
    count: 2,
  };
}
