// The client contract of firewatch (DESIGN.md "Layers"): JSON types, the ControlClient interface, its errors. It
// imports nothing, so any front end (and the web page) can load it as it is.

export * from './vocabulary.js';
export * from './incident.js';
export * from './rule.js';
export * from './stats.js';
export * from './trace.js';
export * from './component.js';
export * from './status.js';
export * from './update.js';
export * from './session.js';
export * from './client.js';
export * from './errors.js';
export * from './merge.js';
export * from './silence.js';
export * from './notification.js';
