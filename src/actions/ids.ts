// The ids live in core/ids.ts (shared with ui/); this re-export keeps the surface's own import short.
export { ACTION_IDS } from '../core/ids.js';
