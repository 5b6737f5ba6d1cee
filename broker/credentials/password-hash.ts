// Moved to runtime/ so the alerting service hashes operators' passwords the same way.
export { hashPassword, verifyPassword } from '../../runtime/index.js';
