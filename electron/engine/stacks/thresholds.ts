/**
 * The thresholds the grouping uses with a model: the measured, model-independent ones (hash
 * distance, burst window, caps) and the cosines, which depend on the model's weights — taken from
 * its manifest's `stacks` entry when someone calibrated them (docs/decisions/stacks.md), else the
 * priors. The stacks pass's version carries them, so a change regroups from scratch (decisions
 * stay: they are kept by content).
 */
import { DEFAULT_THRESHOLDS, type StackThresholds } from './relations.ts';

export interface ModelStackCosines {
  nearCosine?: number;
  burstCosine?: number;
}

export function thresholdsFor(calibrated: ModelStackCosines | undefined): StackThresholds {
  return {
    ...DEFAULT_THRESHOLDS,
    ...(calibrated?.nearCosine !== undefined && { nearCosine: calibrated.nearCosine }),
    ...(calibrated?.burstCosine !== undefined && { burstCosine: calibrated.burstCosine }),
  };
}

/** The thresholds as the pass's version string (any change makes every photo owed again). */
export function thresholdsKey(t: StackThresholds): string {
  return [t.nearHashDistance, t.nearCosine, t.burstWindowMs, t.burstCosine, t.nearCap, t.burstCap].join(',');
}
