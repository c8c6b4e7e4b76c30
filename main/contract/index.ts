export * from './api.js';
export * from './commands.js';
export * from './errors.js';
export * from './events.js';
export * from './schema.js';
export * from './settings.js';
export * from './state.js';
export * from './wire.js';
