import type { FastifyInstance } from 'fastify';
import type { ChannelState } from '../notify/channel-health.js';

/** GET /api/channels: every notification channel, whether it keeps failing, its last success and error. */
export function registerChannelRoutes(app: FastifyInstance, channels: () => ChannelState[]): void {
  app.get('/api/channels', async () => ({ channels: channels() }));
}
