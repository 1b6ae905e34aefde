import type { ResolvedRepo } from '../../config/load.js';
import type { SecretConfig } from '../../config/schema.js';

/** The configured repository and secret a rotation replaces. */
export interface RotationTarget {
  repo: ResolvedRepo;
  secret: SecretConfig;
}
