export * from './units.js';
export * from './profile-schema.js';
export * from './register-codec.js';
export * from './register-map.js';
export * from './read-plan.js';
export * from './decode.js';
export * from './catalogue.js';
export * from './vendor-topics.js';
export { HIKVISION_EVENT_CODES } from './profiles/hikvision.js';
