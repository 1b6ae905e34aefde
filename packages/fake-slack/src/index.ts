/** The fake Slack and the helpers that play Slack towards the bot; see each file. */
export { FakeSlack, type FakeSlackOptions, type RecordedCall } from './fakeSlack.js';
export { validateBlocks, validateView, MAX_MESSAGE_TEXT, type Surface } from './blockKitLimits.js';
export { RESPONSE_URL_MAX_USES, RESPONSE_URL_TTL_MS, type ResponseUrlTarget } from './responseUrls.js';
export type { StoredMessage, StoredView, SlackUser } from './workspace.js';
export * from './signedRequests.js';
