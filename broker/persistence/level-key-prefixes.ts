/** Key prefixes of aedes-persistence-level 9 (asyncPersistence.js), the session store's library. */
export const LEVEL_KEY_PREFIXES = {
  retained: 'retained:',
  subscriptions: 'subscriptions:',
  /** A message queued for a persistent session (written again with the packet id it went out with). */
  outgoing: 'outgoing:',
  /** Packet id → queued message, for a message being sent. */
  outgoingId: 'outgoing-id:',
  incoming: 'incoming:',
  will: 'will:',
} as const;
