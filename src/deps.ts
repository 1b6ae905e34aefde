import type { AppConfig } from './config/load.js';
import type { Gateways } from './core/ports.js';
import type { GitHubClients } from './github/clients.js';
import type { Logger } from './log/logger.js';
import type { Sanitizer } from './log/sanitizer.js';
import type { Store } from './store/index.js';
import type { AccessResolver } from './services/access.js';

/** What every listener may use; built once by main.ts (or a test) and handed to app.ts. */
export interface AppDeps {
  config: AppConfig;
  store: Store;
  github: GitHubClients;
  /** The GitHub gateways services use (the ports of core/ports.ts), built over `github`. */
  gateways: Gateways;
  logger: Logger;
  sanitizer: Sanitizer;
  now: () => Date;
  access: AccessResolver;
  /** Tells this replica's worker that a job is due now (set by app.ts; a no-op elsewhere). */
  wake?: () => void;
}
